/* test_gz.c - gzip in memory: round trips, and every way a stream can be
 * damaged (truncated, altered, followed by junk, too large) is refused
 * with BULU_INTEGRITY while what inflated before the damage is kept. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bulu/gz.h"

#define LIMIT ((size_t)64 << 20)

/* n bytes of a seeded xorshift stream: incompressible. */
static uint8_t *random_bytes(size_t n, uint32_t seed)
{
	uint8_t *p = malloc(n ? n : 1);
	assert_non_null(p);
	for (size_t i = 0; i < n; i++) {
		seed ^= seed << 13;
		seed ^= seed >> 17;
		seed ^= seed << 5;
		p[i] = (uint8_t)seed;
	}
	return p;
}

/* n bytes of text-like data that compresses well, so that several deflate
 * blocks and the output prefix on truncation are exercised. */
static uint8_t *text_bytes(size_t n)
{
	static const char words[] = "挂号 charge 处方 Y0001 dispense 00120001 ";
	uint8_t *p = malloc(n ? n : 1);
	assert_non_null(p);
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)words[(i * 7 + i / 131) % (sizeof words - 1)];
	return p;
}

static void compress_ok(const void *in, size_t n, buf *z)
{
	bulu_err e = {0};
	assert_int_equal(gz_compress(in, n, 6, z, &e), BULU_OK);
	assert_true(z->len >= 18); /* header 10 + trailer 8 */
	assert_int_equal((uint8_t)z->p[0], 0x1f); /* the gzip magic */
	assert_int_equal((uint8_t)z->p[1], 0x8b);
}

static void round_trip(const void *in, size_t n)
{
	buf z = BUF_INIT, out = BUF_INIT;
	bulu_err e = {0};
	compress_ok(in, n, &z);
	assert_int_equal(gz_decompress(z.p, z.len, LIMIT, &out, &e), BULU_OK);
	assert_int_equal(out.len, n);
	if (n)
		assert_memory_equal(out.p, in, n);
	buf_free(&z);
	buf_free(&out);
}

static void test_round_trips(void **state)
{
	(void)state;
	round_trip("", 0);
	round_trip("x", 1);
	round_trip("hello, outage\n", 14);
	uint8_t *r = random_bytes(1 << 20, 12345);
	round_trip(r, 1 << 20);
	free(r);
	uint8_t *t = text_bytes(3 << 20);
	round_trip(t, 3 << 20);
	free(t);
}

static void test_appends(void **state)
{
	(void)state;
	buf z = BUF_INIT, out = BUF_INIT;
	bulu_err e = {0};
	buf_puts(&z, "ZZ");
	assert_int_equal(gz_compress("abc", 3, 9, &z, &e), BULU_OK);
	buf_puts(&out, "prefix:");
	assert_int_equal(gz_decompress(z.p + 2, z.len - 2, 100, &out, &e), BULU_OK);
	assert_string_equal(out.p, "prefix:abc");
	assert_int_equal(gz_compress("abc", 3, 0, &z, &e), BULU_BADINPUT);
	assert_int_equal(gz_compress("abc", 3, 10, &z, &e), BULU_BADINPUT);
	buf_free(&z);
	buf_free(&out);
}

/* Every cut of the stream is BULU_INTEGRITY "truncated", and what came out
 * is a prefix of the original; long cuts give a non-empty prefix. */
static void test_truncation(void **state)
{
	(void)state;
	size_t n = 1 << 20;
	uint8_t *t = text_bytes(n);
	buf z = BUF_INIT;
	compress_ok(t, n, &z);
	size_t cuts[] = {0, 1, 5, 10, 11, z.len / 4, z.len / 2, z.len - 100, z.len - 8,
			 z.len - 4, z.len - 1};
	size_t longest = 0;
	for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
		buf out = BUF_INIT;
		bulu_err e = {0};
		int rc = gz_decompress(z.p, cuts[i], LIMIT, &out, &e);
		if (rc != BULU_INTEGRITY)
			fail_msg("cut at %zu of %zu: rc %d", cuts[i], z.len, rc);
		assert_non_null(strstr(e.msg, "truncated"));
		assert_true(out.len <= n);
		if (out.len)
			assert_memory_equal(out.p, t, out.len);
		if (cuts[i] >= z.len / 2)
			assert_true(out.len >= n / 4); /* the salvageable prefix */
		if (cuts[i] == z.len - 8)
			assert_int_equal(out.len, n); /* all data, no trailer */
		longest = out.len > longest ? out.len : longest;
		buf_free(&out);
	}
	assert_int_equal(longest, n);
	buf_free(&z);
	free(t);
}

/*
 * A flipped byte in the compressed data or the trailer is caught (damaged,
 * or the CRC/length check), never accepted.  Deflate ignores the padding
 * bits after a stored block's header and after the final end-of-block
 * code, so the flips are made in Huffman-coded data, whose every bit
 * counts, and in the trailer.
 */
static void test_flipped_byte(void **state)
{
	(void)state;
	size_t n = 200000;
	uint8_t *t = text_bytes(n);
	buf z = BUF_INIT;
	compress_ok(t, n, &z);
	size_t where[] = {10, 11, 100, z.len / 2, z.len - 10, z.len - 8, z.len - 5, z.len - 1};
	static const uint8_t masks[] = {0x01, 0x10, 0x80, 0xff};
	for (size_t i = 0; i < sizeof where / sizeof where[0]; i++) {
		for (size_t m = 0; m < sizeof masks; m++) {
			buf out = BUF_INIT;
			bulu_err e = {0};
			z.p[where[i]] ^= (char)masks[m];
			int rc = gz_decompress(z.p, z.len, LIMIT, &out, &e);
			z.p[where[i]] ^= (char)masks[m];
			if (rc != BULU_INTEGRITY)
				fail_msg("flip %02x at %zu of %zu: rc %d", masks[m], where[i], z.len, rc);
			assert_true(strstr(e.msg, "damaged at byte") || strstr(e.msg, "truncated") ||
				    strstr(e.msg, "junk after the end"));
			buf_free(&out);
		}
	}
	free(t);
	/* Incompressible data is stored as is: the CRC catches a flip there,
	 * after everything has inflated. */
	uint8_t *r = random_bytes(n, 777);
	buf_reset(&z);
	compress_ok(r, n, &z);
	size_t stored[] = {z.len / 2, z.len - 9, z.len - 8};
	for (size_t i = 0; i < sizeof stored / sizeof stored[0]; i++) {
		buf out = BUF_INIT;
		bulu_err e = {0};
		z.p[stored[i]] ^= 1;
		assert_int_equal(gz_decompress(z.p, z.len, LIMIT, &out, &e), BULU_INTEGRITY);
		z.p[stored[i]] ^= 1;
		assert_non_null(strstr(e.msg, "damaged at byte"));
		assert_int_equal(out.len, n);
		buf_free(&out);
	}
	buf_free(&z);
	free(r);
}

static void test_junk_after_end(void **state)
{
	(void)state;
	buf z = BUF_INIT, out = BUF_INIT;
	bulu_err e = {0};
	compress_ok("the bundle", 10, &z);
	size_t len = z.len;
	buf_putc(&z, '\0');
	assert_int_equal(gz_decompress(z.p, z.len, LIMIT, &out, &e), BULU_INTEGRITY);
	assert_non_null(strstr(e.msg, "junk after the end"));
	assert_int_equal(out.len, 10);
	assert_memory_equal(out.p, "the bundle", 10);
	/* A second gzip member is junk too: a bundle is one member. */
	buf_reset(&out);
	z.len = len;
	compress_ok("more", 4, &z);
	assert_int_equal(gz_decompress(z.p, z.len, LIMIT, &out, &e), BULU_INTEGRITY);
	assert_non_null(strstr(e.msg, "junk after the end"));
	assert_string_equal(out.p, "the bundle");
	buf_free(&z);
	buf_free(&out);
}

static void test_limit(void **state)
{
	(void)state;
	size_t n = 1 << 20;
	uint8_t *zeros = calloc(1, n);
	assert_non_null(zeros);
	buf z = BUF_INIT;
	compress_ok(zeros, n, &z);
	assert_true(z.len < 4096); /* a little bomb */
	size_t limits[] = {0, 1, 1000, n - 1};
	for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
		buf out = BUF_INIT;
		bulu_err e = {0};
		assert_int_equal(gz_decompress(z.p, z.len, limits[i], &out, &e), BULU_INTEGRITY);
		assert_non_null(strstr(e.msg, "larger than"));
		assert_int_equal(out.len, limits[i]); /* never beyond the limit */
		buf_free(&out);
	}
	buf out = BUF_INIT;
	bulu_err e = {0};
	assert_int_equal(gz_decompress(z.p, z.len, n, &out, &e), BULU_OK); /* exactly */
	assert_int_equal(out.len, n);
	assert_memory_equal(out.p, zeros, n);
	buf_reset(&out);
	buf z0 = BUF_INIT;
	compress_ok("", 0, &z0);
	assert_int_equal(gz_decompress(z0.p, z0.len, 0, &out, &e), BULU_OK);
	assert_int_equal(out.len, 0);
	buf_free(&z0);
	buf_free(&out);
	buf_free(&z);
	free(zeros);
}

static void test_not_gzip(void **state)
{
	(void)state;
	buf out = BUF_INIT;
	bulu_err e = {0};
	const char *junk = "this is not a gzip stream at all";
	assert_int_equal(gz_decompress(junk, strlen(junk), LIMIT, &out, &e), BULU_INTEGRITY);
	assert_non_null(strstr(e.msg, "damaged at byte"));
	assert_int_equal(gz_decompress(NULL, 0, LIMIT, &out, &e), BULU_INTEGRITY);
	assert_non_null(strstr(e.msg, "truncated"));
	assert_int_equal(out.len, 0);
	buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_appends),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_flipped_byte),
		cmocka_unit_test(test_junk_after_end),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_not_gzip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
