/* test_money.c - yuan/fen parsing, formatting and checked arithmetic. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "bulu/money.h"

static int py(const char *s, int64_t *v)
{
	*v = 777; /* sentinel: must be untouched on failure */
	return money_parse_yuan(s, strlen(s), v);
}

static void yuan_ok(const char *s, int64_t want)
{
	int64_t v;
	if (py(s, &v) != 0)
		fail_msg("refused \"%s\"", s);
	assert_int_equal(v, want);
}

static void yuan_bad(const char *s)
{
	int64_t v;
	if (py(s, &v) != -1)
		fail_msg("accepted \"%s\"", s);
	assert_int_equal(v, 777);
}

static void test_parse_yuan_accepts(void **state)
{
	(void)state;
	yuan_ok("12", 1200);
	yuan_ok("12.5", 1250);
	yuan_ok("12.50", 1250);
	yuan_ok("12.05", 1205);
	yuan_ok("0.01", 1);
	yuan_ok("1,234.50", 123450);
	yuan_ok("1,234,567", 123456700);
	yuan_ok("\xc2\xa5" "12.00", 1200);       /* ¥ */
	yuan_ok("\xef\xbf\xa5" "12.00", 1200);   /* ￥ */
	yuan_ok("-3.20", -320);
	yuan_ok("-\xc2\xa5" "3.20", -320);
	yuan_ok("\xef\xbf\xa5" "-3.20", -320);
	yuan_ok(" 7.00 ", 700);
	yuan_ok("\t7\t", 700);
	yuan_ok("-0.00", 0);
	yuan_ok("92233720368547758.07", INT64_MAX);
	yuan_ok("-92233720368547758.08", INT64_MIN);
}

static void test_parse_yuan_refuses(void **state)
{
	(void)state;
	yuan_bad("");
	yuan_bad("   ");
	yuan_bad("-");
	yuan_bad("\xc2\xa5");
	yuan_bad("1.234");
	yuan_bad("1,23.00");
	yuan_bad("1234,567");
	yuan_bad(",123");
	yuan_bad("1,,234");
	yuan_bad("1,234,");
	yuan_bad("12a");
	yuan_bad("a12");
	yuan_bad("--1");
	yuan_bad("-\xc2\xa5-1");
	yuan_bad("+1");
	yuan_bad("(3.20)");
	yuan_bad("12.");
	yuan_bad(".5");
	yuan_bad("1 2");
	yuan_bad("1.2.3");
	yuan_bad("92233720368547758.08");
	yuan_bad("-92233720368547758.09");
	yuan_bad("99999999999999999999");
	yuan_bad("\xc2\xa5 12");
}

static void test_parse_yuan_len_bounded(void **state)
{
	(void)state;
	int64_t v = 0;
	/* Only the first len bytes count. */
	assert_int_equal(money_parse_yuan("12.34junk", 5, &v), 0);
	assert_int_equal(v, 1234);
	assert_int_equal(money_parse_yuan(NULL, 0, &v), -1);
}

static void test_format_yuan(void **state)
{
	(void)state;
	char out[32];
	money_format_yuan(0, out);
	assert_string_equal(out, "0.00");
	money_format_yuan(-5, out);
	assert_string_equal(out, "-0.05");
	money_format_yuan(5, out);
	assert_string_equal(out, "0.05");
	money_format_yuan(-123456, out);
	assert_string_equal(out, "-1234.56");
	money_format_yuan(100, out);
	assert_string_equal(out, "1.00");
	money_format_yuan(INT64_MAX, out);
	assert_string_equal(out, "92233720368547758.07");
	money_format_yuan(INT64_MIN, out);
	assert_string_equal(out, "-92233720368547758.08");
}

static void test_format_parse_roundtrip(void **state)
{
	(void)state;
	const int64_t vals[] = {0, 1, -1, 99, -99, 100, 12345, -987654321,
	                        INT64_MAX, INT64_MIN};
	for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
		char out[32];
		int64_t back = 0;
		money_format_yuan(vals[i], out);
		assert_int_equal(money_parse_yuan(out, strlen(out), &back), 0);
		assert_int_equal(back, vals[i]);
	}
}

static void test_parse_int64_and_fen(void **state)
{
	(void)state;
	int64_t v = 0;
	assert_int_equal(parse_int64("1234", 4, &v), 0);
	assert_int_equal(v, 1234);
	assert_int_equal(parse_int64(" -5 ", 4, &v), 0);
	assert_int_equal(v, -5);
	assert_int_equal(parse_int64("9223372036854775807", 19, &v), 0);
	assert_int_equal(v, INT64_MAX);
	assert_int_equal(parse_int64("-9223372036854775808", 20, &v), 0);
	assert_int_equal(v, INT64_MIN);
	v = 42;
	assert_int_equal(parse_int64("9223372036854775808", 19, &v), -1);
	assert_int_equal(parse_int64("-9223372036854775809", 20, &v), -1);
	assert_int_equal(parse_int64("", 0, &v), -1);
	assert_int_equal(parse_int64("-", 1, &v), -1);
	assert_int_equal(parse_int64("1 2", 3, &v), -1);
	assert_int_equal(parse_int64("+1", 2, &v), -1);
	assert_int_equal(parse_int64("1.0", 3, &v), -1);
	assert_int_equal(parse_int64("--1", 3, &v), -1);
	assert_int_equal(v, 42);
	assert_int_equal(money_parse_fen("-5", 2, &v), 0);
	assert_int_equal(v, -5);
	assert_int_equal(money_parse_fen("12.00", 5, &v), -1);
}

static void test_mul(void **state)
{
	(void)state;
	int64_t r = 0;
	assert_int_equal(money_mul(1250, 3, &r), 0);
	assert_int_equal(r, 3750);
	assert_int_equal(money_mul(-1250, 3, &r), 0);
	assert_int_equal(r, -3750);
	r = 9;
	assert_int_equal(money_mul(INT64_MAX / 2 + 1, 2, &r), -1);
	assert_int_equal(money_mul(INT64_MIN, -1, &r), -1);
	assert_int_equal(money_mul(4294967296LL, 4294967296LL, &r), -1);
	assert_int_equal(r, 9);
	assert_int_equal(money_mul(INT64_MIN, 1, &r), 0);
	assert_int_equal(r, INT64_MIN);
}

static void test_add(void **state)
{
	(void)state;
	int64_t acc = 100;
	assert_int_equal(money_add(&acc, -250), 0);
	assert_int_equal(acc, -150);
	acc = INT64_MAX;
	assert_int_equal(money_add(&acc, 1), -1);
	assert_int_equal(acc, INT64_MAX);
	acc = INT64_MIN;
	assert_int_equal(money_add(&acc, -1), -1);
	assert_int_equal(acc, INT64_MIN);
	assert_int_equal(money_add(&acc, INT64_MAX), 0);
	assert_int_equal(acc, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_yuan_accepts),
		cmocka_unit_test(test_parse_yuan_refuses),
		cmocka_unit_test(test_parse_yuan_len_bounded),
		cmocka_unit_test(test_format_yuan),
		cmocka_unit_test(test_format_parse_roundtrip),
		cmocka_unit_test(test_parse_int64_and_fen),
		cmocka_unit_test(test_mul),
		cmocka_unit_test(test_add),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
