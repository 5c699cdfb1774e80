/* test_text.c - UTF-8 validation, decoding (BOM, GB18030), slurp, width. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "bulu/text.h"

#define S(lit) lit, sizeof(lit) - 1

/* "氯化钠" (sodium chloride) in UTF-8 and in GBK/GB18030. */
#define NACL_UTF8 "\xe6\xb0\xaf\xe5\x8c\x96\xe9\x92\xa0"
#define NACL_GBK "\xc2\xc8\xbb\xaf\xc4\xc6"

static void test_utf8_valid(void **state)
{
	(void)state;
	assert_true(text_is_utf8(S("")));
	assert_true(text_is_utf8(S("plain ascii")));
	assert_true(text_is_utf8(S(NACL_UTF8)));
	assert_true(text_is_utf8(S("\xc2\x80")));             /* U+0080 */
	assert_true(text_is_utf8(S("\xef\xbf\xbf")));         /* U+FFFF */
	assert_true(text_is_utf8(S("\xed\x9f\xbf")));         /* U+D7FF */
	assert_true(text_is_utf8(S("\xf0\x90\x80\x80")));     /* U+10000 */
	assert_true(text_is_utf8(S("\xf4\x8f\xbf\xbf")));     /* U+10FFFF */
}

static void test_utf8_invalid(void **state)
{
	(void)state;
	assert_false(text_is_utf8(S("\xc0\xaf")));            /* overlong '/' */
	assert_false(text_is_utf8(S("\xc1\xbf")));            /* overlong */
	assert_false(text_is_utf8(S("\xe0\x80\xaf")));        /* overlong 3 */
	assert_false(text_is_utf8(S("\xf0\x80\x80\xaf")));    /* overlong 4 */
	assert_false(text_is_utf8(S("\xed\xa0\x80")));        /* U+D800 */
	assert_false(text_is_utf8(S("\xed\xbf\xbf")));        /* U+DFFF */
	assert_false(text_is_utf8(S("\xf4\x90\x80\x80")));    /* > U+10FFFF */
	assert_false(text_is_utf8(S("\xf5\x80\x80\x80")));
	assert_false(text_is_utf8(S("\xe6\xb0")));            /* truncated */
	assert_false(text_is_utf8(S("ab\xe6")));              /* truncated at end */
	assert_false(text_is_utf8(S("\xe6" "a\xaf")));        /* bad continuation */
	assert_false(text_is_utf8(S("\x80")));                /* lone continuation */
	assert_false(text_is_utf8(S("\xff")));
	assert_false(text_is_utf8(S(NACL_GBK)));
}

static void test_enc_names(void **state)
{
	(void)state;
	enum text_enc e = TEXT_UTF8;
	assert_int_equal(text_enc_parse("auto", &e), 0);
	assert_int_equal(e, TEXT_AUTO);
	assert_int_equal(text_enc_parse("UTF-8", &e), 0);
	assert_int_equal(e, TEXT_UTF8);
	assert_int_equal(text_enc_parse("utf8", &e), 0);
	assert_int_equal(e, TEXT_UTF8);
	assert_int_equal(text_enc_parse("GBK", &e), 0);
	assert_int_equal(e, TEXT_GB18030);
	e = TEXT_AUTO;
	assert_int_equal(text_enc_parse("gb2312", &e), 0);
	assert_int_equal(e, TEXT_GB18030);
	assert_int_equal(text_enc_parse("Gb18030", &e), 0);
	assert_int_equal(text_enc_parse("latin1", &e), -1);
	assert_int_equal(text_enc_parse("utf-88", &e), -1);
	assert_int_equal(text_enc_parse("", &e), -1);
	assert_string_equal(text_enc_name(TEXT_UTF8), "utf-8");
	assert_string_equal(text_enc_name(TEXT_GB18030), "gb18030");
	assert_string_equal(text_enc_name(TEXT_AUTO), "auto");
}

static void decode_ok(const char *in, size_t n, enum text_enc enc,
                      const char *want, enum text_enc want_used)
{
	char *out = NULL;
	size_t len = 0;
	enum text_enc used = TEXT_AUTO;
	bulu_err e = {0, ""};
	int rc = text_decode("t.csv", in, n, enc, &out, &len, &used, &e);
	if (rc != BULU_OK)
		fail_msg("decode failed: %s", e.msg);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(out, want, len);
	assert_int_equal(out[len], '\0');
	assert_int_equal(used, want_used);
	free(out);
}

static void test_decode_utf8_and_bom(void **state)
{
	(void)state;
	decode_ok(S("a,b\n"), TEXT_AUTO, "a,b\n", TEXT_UTF8);
	decode_ok(S("\xef\xbb\xbf" NACL_UTF8), TEXT_AUTO, NACL_UTF8, TEXT_UTF8);
	decode_ok(S("\xef\xbb\xbf" "x"), TEXT_UTF8, "x", TEXT_UTF8);
	decode_ok(S(""), TEXT_AUTO, "", TEXT_UTF8);
	decode_ok(S("\xef\xbb\xbf"), TEXT_AUTO, "", TEXT_UTF8);
	/* Only a leading BOM goes. */
	decode_ok(S("a\xef\xbb\xbf"), TEXT_UTF8, "a\xef\xbb\xbf", TEXT_UTF8);
}

static void test_decode_gb18030(void **state)
{
	(void)state;
	decode_ok(S(NACL_GBK), TEXT_GB18030, NACL_UTF8, TEXT_GB18030);
	decode_ok(S(NACL_GBK), TEXT_AUTO, NACL_UTF8, TEXT_GB18030);
	decode_ok(S("code," NACL_GBK "\r\n"), TEXT_AUTO, "code," NACL_UTF8 "\r\n",
	          TEXT_GB18030);
	/* GB18030's own BOM (U+FEFF) is dropped too. */
	decode_ok(S("\x84\x31\x95\x33" NACL_GBK), TEXT_GB18030, NACL_UTF8,
	          TEXT_GB18030);
	/* A four-byte GB18030 sequence: U+00A5 (YEN SIGN) is 81 30 84 36. */
	decode_ok(S("\x81\x30\x84\x36"), TEXT_GB18030, "\xc2\xa5", TEXT_GB18030);
}

static void decode_bad(const char *in, size_t n, enum text_enc enc,
                       const char *want_in_msg)
{
	char *out = (char *)0x1;
	size_t len = 99;
	bulu_err e = {0, ""};
	int rc = text_decode("t.csv", in, n, enc, &out, &len, NULL, &e);
	assert_int_equal(rc, BULU_BADINPUT);
	assert_int_equal(e.code, BULU_BADINPUT);
	if (!strstr(e.msg, want_in_msg))
		fail_msg("message \"%s\" lacks \"%s\"", e.msg, want_in_msg);
	assert_ptr_equal(out, (char *)0x1); /* untouched */
	assert_int_equal(len, 99);
}

static void test_decode_errors(void **state)
{
	(void)state;
	/* Forced UTF-8 on GBK bytes: the offset of the first bad byte. */
	decode_bad(S("ab" NACL_GBK), TEXT_UTF8, "t.csv: byte 2:");
	/* Offsets count the BOM. */
	decode_bad(S("\xef\xbb\xbf" "ab\xff"), TEXT_UTF8, "byte 5:");
	/* A BOM under auto means UTF-8: no fallback to GB18030. */
	decode_bad(S("\xef\xbb\xbf" NACL_GBK), TEXT_AUTO, "not valid UTF-8");
	/* Bytes that are neither: 0xFF is never valid GB18030. */
	decode_bad(S("abc\xff"), TEXT_AUTO, "byte 3:");
	decode_bad(S("ab\xff"), TEXT_GB18030, "byte 2: not valid GB18030");
	/* A truncated two-byte GBK character at the end. */
	decode_bad(S("abc\xc2"), TEXT_GB18030, "byte 3:");
}

static void test_slurp(void **state)
{
	(void)state;
	char path[] = "/tmp/bulu_text_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	static const char data[] = "line1\n\0binary\xff";
	assert_int_equal(write(fd, data, sizeof data - 1), (ssize_t)(sizeof data - 1));
	close(fd);
	char *out = NULL;
	size_t len = 0;
	bulu_err e = {0, ""};
	assert_int_equal(text_slurp(path, &out, &len, &e), BULU_OK);
	assert_int_equal(len, sizeof data - 1);
	assert_memory_equal(out, data, len);
	assert_int_equal(out[len], '\0');
	free(out);
	unlink(path);

	assert_int_equal(text_slurp(path, &out, &len, &e), BULU_BADINPUT);
	assert_non_null(strstr(e.msg, path));
	assert_non_null(strstr(e.msg, "No such file"));
	assert_int_equal(text_slurp("/tmp", &out, &len, &e), BULU_BADINPUT);
}

static void test_slurp_large(void **state)
{
	(void)state;
	char path[] = "/tmp/bulu_text_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	size_t n = 300000;
	char *data = malloc(n);
	assert_non_null(data);
	for (size_t i = 0; i < n; i++)
		data[i] = (char)('a' + i % 26);
	assert_int_equal(write(fd, data, n), (ssize_t)n);
	close(fd);
	char *out = NULL;
	size_t len = 0;
	assert_int_equal(text_slurp(path, &out, &len, NULL), BULU_OK);
	assert_int_equal(len, n);
	assert_memory_equal(out, data, n);
	free(out);
	free(data);
	unlink(path);
}

static void test_width(void **state)
{
	(void)state;
	assert_int_equal(text_width(""), 0);
	assert_int_equal(text_width("abc"), 3);
	assert_int_equal(text_width(NACL_UTF8), 6);
	assert_int_equal(text_width("NaCl " NACL_UTF8), 11);
	assert_int_equal(text_width("\xef\xbf\xa5" "5"), 3);       /* ￥ wide */
	assert_int_equal(text_width("\xc2\xa5" "5"), 2);           /* ¥ narrow */
	assert_int_equal(text_width("\xea\xb0\x80"), 2);           /* 가 */
	assert_int_equal(text_width("\xe3\x80\x80"), 2);           /* U+3000 */
	assert_int_equal(text_width("\xf0\xa0\x80\x80"), 2);       /* U+20000 */
	assert_int_equal(text_width("e\xcc\x81"), 1);              /* combining */
	assert_int_equal(text_width("a\tb"), 2);                   /* control 0 */
	assert_int_equal(text_width("a\xff" "b"), 3);              /* bad byte 1 */
}

static void test_ascii_lower(void **state)
{
	(void)state;
	char s[] = "LHN Abc-Z " NACL_UTF8;
	text_ascii_lower(s);
	assert_string_equal(s, "lhn abc-z " NACL_UTF8);
}

static void test_halfwidth(void **state)
{
	(void)state;
	char s[] = "\xef\xbc\xb9\xef\xbc\x90\xef\xbc\x90\xef\xbc\x90\xef\xbc\x91"
		   "\xef\xbc\x9a\xef\xbc\x92"; /* Ｙ０００１：２ */
	text_halfwidth(s);
	assert_string_equal(s, "Y0001:2");
	char t[] = "a\xe3\x80\x80" NACL_UTF8 "\xef\xbd\x9e\xef\xbd\x9f"; /* ideographic space, ～, U+FF5F kept */
	text_halfwidth(t);
	assert_string_equal(t, "a " NACL_UTF8 "~\xef\xbd\x9f");
	char u[] = "\xef\xbc\x80"; /* U+FF00 is not a full-width form */
	text_halfwidth(u);
	assert_string_equal(u, "\xef\xbc\x80");
	text_halfwidth(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_utf8_invalid),
		cmocka_unit_test(test_enc_names),
		cmocka_unit_test(test_decode_utf8_and_bom),
		cmocka_unit_test(test_decode_gb18030),
		cmocka_unit_test(test_decode_errors),
		cmocka_unit_test(test_slurp),
		cmocka_unit_test(test_slurp_large),
		cmocka_unit_test(test_width),
		cmocka_unit_test(test_ascii_lower),
		cmocka_unit_test(test_halfwidth),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
