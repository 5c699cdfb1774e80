/* test_utf8.c - the fast UTF-8 check against the byte-by-byte one. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bulu/utf8.h"

/* Both checks on s[0..n), both eof settings: the same result and offset. */
static void same(const unsigned char *s, size_t n)
{
	for (int eof = 0; eof < 2; eof++) {
		size_t a = 12345, b = 54321;
		int ra = utf8_check(s, n, eof, &a);
		int rb = utf8_check_scalar(s, n, eof, &b);
		if (ra != rb || a != b)
			fail_msg("n=%zu eof=%d: fast %d at %zu, reference %d at %zu", n, eof, ra, a, rb, b);
	}
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

/* Valid text like an export's: ASCII cells, CJK names, some 2- and 4-byte
 * characters, line ends. */
static size_t fill_text(unsigned char *s, size_t cap)
{
	static const char *const pieces[] = {"P000123,", "氯化钠注射液", "2026-11-20 08:00:00,", "门诊收费",
					     "\xc2\xb1", "\xf0\x9f\x98\x80", "\r\n", "\"医保 \"\"甲类\"\"\",",
					     "12.50,", "\xe0\xa0\x80", "\xed\x9f\xbf", "\xef\xbf\xbf",
					     "\xf4\x8f\xbf\xbf", "BL-C01-5-1 "};
	size_t n = 0;
	for (;;) {
		const char *p = pieces[next() % (sizeof pieces / sizeof pieces[0])];
		size_t k = strlen(p);
		if (n + k > cap)
			return n;
		memcpy(s + n, p, k);
		n += k;
	}
}

static void test_valid_texts(void **state)
{
	(void)state;
	unsigned char *s = malloc(1 << 16);
	assert_non_null(s);
	for (int round = 0; round < 200; round++) {
		size_t n = fill_text(s, 64 + next() % 4000);
		size_t ok;
		assert_int_equal(utf8_check(s, n, 1, &ok), 0);
		assert_int_equal(ok, n);
		/* every cut of it: an unfinished character at the end */
		for (size_t cut = n > 80 ? n - 80 : 0; cut <= n; cut++)
			same(s, cut);
	}
	free(s);
}

/* One or two bytes of valid text replaced by anything, at every position
 * near the 16-byte blocks' edges and elsewhere. */
static void test_faults(void **state)
{
	(void)state;
	static const unsigned char bad[] = {0x00, 0x80, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed,
					    0xef, 0xf0, 0xf4, 0xf5, 0xf8, 0xfe, 0xff, 0xa0, 0x9f,
					    0x8f, 0x90, 'a'};
	unsigned char *s = malloc(4096), *t = malloc(4096);
	assert_non_null(s);
	assert_non_null(t);
	for (int round = 0; round < 40; round++) {
		size_t n = fill_text(s, 200 + next() % 300);
		for (size_t at = 0; at < n; at++) {
			for (size_t b = 0; b < sizeof bad; b++) {
				memcpy(t, s, n);
				t[at] = bad[b];
				same(t, n);
				if (at + 1 < n) {
					t[at + 1] = bad[next() % sizeof bad];
					same(t, n);
				}
			}
		}
	}
	/* random bytes, mostly invalid */
	for (int round = 0; round < 2000; round++) {
		size_t n = next() % 300;
		for (size_t i = 0; i < n; i++)
			t[i] = (unsigned char)(next() % 3 ? 0x80 + next() % 0x80 : next() % 0x80);
		same(t, n);
	}
	free(s);
	free(t);
}

static void test_edges(void **state)
{
	(void)state;
	unsigned char s[256];
	size_t ok;
	memset(s, 'a', sizeof s);
	same(s, sizeof s);
	/* a NUL after a long valid stretch */
	s[200] = 0;
	assert_int_equal(utf8_check(s, sizeof s, 1, &ok), -2);
	assert_int_equal(ok, 200);
	memset(s, 'a', sizeof s);
	/* a three-byte character cut by the end, at each offset near a block edge */
	for (size_t n = 64; n < 100; n++) {
		memset(s, 'a', sizeof s);
		s[n - 1] = 0xe6;
		assert_int_equal(utf8_check(s, n, 0, &ok), 0);
		assert_int_equal(ok, n - 1);
		assert_int_equal(utf8_check(s, n, 1, &ok), -1);
		assert_int_equal(ok, n - 1);
		same(s, n);
		s[n - 1] = 0xb0;
		s[n - 2] = 0xe6;
		same(s, n);
		assert_int_equal(utf8_check(s, n, 0, &ok), 0);
		assert_int_equal(ok, n - 2);
	}
	/* a surrogate and an overlong after 64 good bytes */
	memset(s, 'a', sizeof s);
	memcpy(s + 70, "\xed\xa0\x80", 3);
	assert_int_equal(utf8_check(s, 128, 1, &ok), -1);
	assert_int_equal(ok, 70);
	memset(s, 'a', sizeof s);
	memcpy(s + 79, "\xc0\xaf", 2);
	assert_int_equal(utf8_check(s, 128, 1, &ok), -1);
	assert_int_equal(ok, 79);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_texts),
		cmocka_unit_test(test_faults),
		cmocka_unit_test(test_edges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
