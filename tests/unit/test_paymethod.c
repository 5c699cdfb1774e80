/*
 * test_paymethod.c - payment methods: the built-in list, aliases in any case
 * and width resolving to one stored code, a station's own list, bad lists.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "bulu/paymethod.h"

static void test_builtin(void **state)
{
	(void)state;
	pay_methods pm;
	bulu_err e = {0};
	assert_int_equal(pay_methods_load(NULL, &pm, &e), BULU_OK);
	assert_int_equal(pm.n, 5);
	assert_string_equal(pm.m[0].code, "cash");
	assert_string_equal(pay_method_resolve(&pm, "cash"), "cash");
	assert_string_equal(pay_method_resolve(&pm, "现金"), "cash");
	assert_string_equal(pay_method_resolve(&pm, " XJ "), "cash");
	assert_string_equal(pay_method_resolve(&pm, "微信"), "wechat");
	assert_string_equal(pay_method_resolve(&pm, "WeChat"), "wechat");
	assert_string_equal(pay_method_resolve(&pm, "\xef\xbd\x97\xef\xbd\x98"), "wechat"); /* ｗｘ */
	assert_string_equal(pay_method_resolve(&pm, "支付宝"), "alipay");
	assert_string_equal(pay_method_resolve(&pm, "医保"), "insurance");
	assert_string_equal(pay_method_resolve(&pm, "银行卡"), "card");
	assert_null(pay_method_resolve(&pm, "bitcoin"));
	assert_null(pay_method_resolve(&pm, ""));
	assert_null(pay_method_resolve(&pm, "现"));
	char d[256];
	pay_methods_describe(&pm, d, sizeof d);
	assert_non_null(strstr(d, "现金 cash"));
}

static void test_station_list(void **state)
{
	(void)state;
	char dir[] = "/tmp/bulu-pay.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof path, "%s/pay-methods.csv", dir);
	FILE *f = fopen(path, "w");
	fputs("\xEF\xBB\xBF# our window\ncash,现金,xj\nvoucher,代金券,djq,券\n", f);
	fclose(f);
	pay_methods pm;
	bulu_err e = {0};
	assert_int_equal(pay_methods_load(dir, &pm, &e), BULU_OK);
	assert_int_equal(pm.n, 2);
	assert_string_equal(pay_method_resolve(&pm, "券"), "voucher");
	assert_string_equal(pay_method_resolve(&pm, "DJQ"), "voucher");
	assert_null(pay_method_resolve(&pm, "wechat"));
	f = fopen(path, "w");
	fputs("cash,现金\nBad Code,坏\n", f);
	fclose(f);
	assert_int_equal(pay_methods_load(dir, &pm, &e), BULU_BADINPUT);
	assert_non_null(strstr(e.msg, "line 2"));
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin),
		cmocka_unit_test(test_station_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
