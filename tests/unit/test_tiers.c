/* test_tiers.c - the tier table and incident levels (core/tiers.c): the
 * default file compiled in, a hospital's own, the boundaries of each level
 * and tier, and malformed files refused naming line and column. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "bulu/tiers.h"

static void test_default(void **state)
{
	(void)state;
	tier_table tt;
	bulu_err e = {0};
	assert_int_equal(tiers_load(NULL, &tt, &e), BULU_OK);
	assert_int_equal(tt.n, 3);
	/* the plans' seeds: 30 min, 6 h, 24 h */
	assert_string_equal(tiers_of_dept(&tt, "门诊挂号")->name, "30min");
	assert_string_equal(tiers_of_dept(&tt, "药房")->name, "30min");
	assert_string_equal(tiers_of_dept(&tt, "住院登记")->name, "30min");
	assert_string_equal(tiers_of_dept(&tt, "内科一病区")->name, "6h");
	assert_string_equal(tiers_of_dept(&tt, "手术室")->name, "6h");
	assert_string_equal(tiers_of_dept(&tt, "检验科")->name, "6h");
	assert_string_equal(tiers_of_dept(&tt, "病案室")->name, "24h");
	assert_int_equal(tiers_named(&tt, "6h")->after, 6 * 3600);
	assert_null(tiers_named(&tt, "12h"));
	assert_null(tiers_by_time(&tt, 29 * 60));
	assert_string_equal(tiers_by_time(&tt, 30 * 60)->name, "30min");
	assert_string_equal(tiers_by_time(&tt, 6 * 3600 - 1)->name, "30min");
	assert_string_equal(tiers_by_time(&tt, 6 * 3600)->name, "6h");
	assert_string_equal(tiers_by_time(&tt, 24 * 3600)->name, "24h");
	/* IV < 2 h, III <= 12 h, II <= 24 h, I beyond */
	assert_string_equal(tiers_level(&tt, 0), "IV");
	assert_string_equal(tiers_level(&tt, 2 * 3600 - 1), "IV");
	assert_string_equal(tiers_level(&tt, 2 * 3600), "III");
	assert_string_equal(tiers_level(&tt, 12 * 3600), "III");
	assert_string_equal(tiers_level(&tt, 12 * 3600 + 1), "II");
	assert_string_equal(tiers_level(&tt, 24 * 3600), "II");
	assert_string_equal(tiers_level(&tt, 24 * 3600 + 1), "I");
	assert_string_equal(tiers_level(&tt, 30 * 86400), "I");
}

static void test_own_table(void **state)
{
	(void)state;
	tier_table tt;
	bulu_err e = {0};
	const char *t = "# the variant: pharmacy and 120 at 6 h; IV < 4 h\n"
			"tier 30min 30m 门诊 挂号\n"
			"tier 6h 6h 药房 120 病区\n"
			"tier 24h 24h *\n"
			"level IV 4h\nlevel III 12h\nlevel II 24h\nlevel I -\n";
	assert_int_equal(tiers_parse("own", t, &tt, &e), BULU_OK);
	assert_string_equal(tiers_of_dept(&tt, "门诊药房")->name, "30min"); /* the first tier naming it */
	assert_string_equal(tiers_of_dept(&tt, "住院药房")->name, "6h");
	assert_string_equal(tiers_of_dept(&tt, "120急救")->name, "6h");
	assert_string_equal(tiers_level(&tt, 3 * 3600), "IV");
	assert_string_equal(tiers_level(&tt, 4 * 3600), "III");
}

static void bad(const char *text, const char *want)
{
	tier_table tt;
	bulu_err e = {0};
	assert_int_equal(tiers_parse("f", text, &tt, &e), BULU_BADINPUT);
	if (!strstr(e.msg, want))
		fail_msg("'%s' does not say '%s'", e.msg, want);
}

static void test_refused(void **state)
{
	(void)state;
	bad("tier 6h 6h a\ntier 30min 30m *\nlevel I -\n", "f: line 2: column 3");
	bad("tier 30min 30x *\nlevel I -\n", "f: line 1: column 3");
	bad("tier 30min 30m\nlevel I -\n", "f: line 1: write `tier NAME AFTER DEPT...`");
	bad("tier 30min 30m *\nlevel I -\nlevel II 2h\n", "f: line 3: column 3");
	bad("tier 30min 30m *\nlevel IV 4h\nlevel III 2h\n", "f: line 3: column 3");
	bad("tiers 30min 30m *\n", "f: line 1: column 1");
	bad("# nothing\n", "no tier or no level");
	bad("tier 30min 30m *\n", "no tier or no level");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default),
		cmocka_unit_test(test_own_table),
		cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
