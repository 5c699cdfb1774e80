/*
 * test_clock.c - the station clock's ISO-8601 form and the parsing of the
 * times people type, and the station's time zone (core/clock.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bulu/clock.h"

static void parses_typed_forms(void **state)
{
	(void)state;
	char out[CLOCK_ISO_MAX];
	setenv("TZ", "Asia/Shanghai", 1);
	assert_int_equal(clock_parse("2026-11-21 08:30", out), 0);
	assert_string_equal(out, "2026-11-21T08:30:00+08:00");
	assert_int_equal(clock_parse("2026/1/5 9:07", out), 0);
	assert_string_equal(out, "2026-01-05T09:07:00+08:00");
	assert_int_equal(clock_parse("2026-11-21T08:30:15Z", out), 0);
	assert_string_equal(out, "2026-11-21T08:30:15+00:00");
	assert_int_equal(clock_parse("2026-11-21T08:30:15.250-05:30", out), 0);
	assert_string_equal(out, "2026-11-21T08:30:15-05:30");
	assert_int_equal(clock_parse("2024-02-29 23:59:59", out), 0);
	assert_string_equal(out, "2024-02-29T23:59:59+08:00");
	assert_int_equal(clock_parse("2026-11-21", out), 0);
	assert_string_equal(out, "2026-11-21T00:00:00+08:00");
}

static void refuses_nonsense(void **state)
{
	(void)state;
	char out[CLOCK_ISO_MAX];
	const char *bad[] = {"", "yesterday", "2026-02-29 10:00", "2026-13-01 10:00",
			     "2026-11-21 24:00", "2026-11-21 08:60", "2026-11-21 08:30 junk",
			     "2026-11/21 08:30", "21-11-2026 08:30", "2026-11-21 08:30+15:00"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(clock_parse(bad[i], out), -1);
}

static void epoch_respects_offset(void **state)
{
	(void)state;
	assert_int_equal(clock_epoch("1970-01-01T08:00:00+08:00"), 0);
	assert_int_equal(clock_epoch("2026-11-21T00:00:00+00:00") -
				 clock_epoch("2026-11-21T08:00:00+08:00"), 0);
	assert_int_equal(clock_epoch("not a time"), -1);
}

static void fixed_clock_from_environment(void **state)
{
	(void)state;
	char out[CLOCK_ISO_MAX];
	setenv("BULU_NOW", "2026-11-21 08:31", 1);
	setenv("TZ", "Asia/Shanghai", 1);
	clock_now_iso(out);
	assert_string_equal(out, "2026-11-21T08:31:00+08:00");
	unsetenv("BULU_NOW");
	clock_now_iso(out);
	assert_int_equal(strlen(out), 25);
	assert_true(clock_epoch(out) > 0);
}

static void zones_parse_and_normalise(void **state)
{
	(void)state;
	char z[CLOCK_ZONE_MAX];
	assert_int_equal(clock_zone_parse("+8", z), 0);
	assert_string_equal(z, "+08:00");
	assert_int_equal(clock_zone_parse("+0530", z), 0);
	assert_string_equal(z, "+05:30");
	assert_int_equal(clock_zone_parse("-03:00", z), 0);
	assert_string_equal(z, "-03:00");
	assert_int_equal(clock_zone_parse("UTC", z), 0);
	assert_string_equal(z, "UTC");
	assert_int_equal(clock_zone_parse("Asia/Shanghai", z), 0);
	assert_string_equal(z, "Asia/Shanghai");
	const char *bad[] = {"", "+", "+15:00", "+08:60", "+08:0", "+123", "Mars/Olympus",
			     "../../etc/passwd", "/etc/localtime", "Asia/../Asia/Shanghai", "CST-8"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(clock_zone_parse(bad[i], z), -1);
}

static void station_zone_rules_local_time(void **state)
{
	(void)state;
	char out[CLOCK_ISO_MAX];
	unsetenv("TZ");
	assert_int_equal(clock_use_zone("+08:00"), 0);
	/* a time typed without offset is the station's, whatever TZ was */
	assert_int_equal(clock_parse("2026-11-21 09:05", out), 0);
	assert_string_equal(out, "2026-11-21T09:05:00+08:00");
	assert_int_equal(clock_local("2026-11-21T01:05:00+00:00", out), 0);
	assert_string_equal(out, "2026-11-21T09:05:00+08:00");
	assert_int_equal(clock_local("2026-11-21T23:30:00-05:00", out), 0);
	assert_string_equal(out, "2026-11-22T12:30:00+08:00");
	/* the clock now carries the station's offset */
	unsetenv("BULU_NOW");
	clock_now_iso(out);
	assert_string_equal(out + 19, "+08:00");
	assert_int_equal(clock_use_zone("-05:30"), 0);
	assert_int_equal(clock_local("2026-11-21T01:05:00+00:00", out), 0);
	assert_string_equal(out, "2026-11-20T19:35:00-05:30");
	assert_int_equal(clock_use_zone("UTC"), 0);
	assert_int_equal(clock_local("2026-11-21T09:05:00+08:00", out), 0);
	assert_string_equal(out, "2026-11-21T01:05:00+00:00");
	assert_int_equal(clock_local("not a time", out), -1);
	assert_int_equal(clock_use_zone("+8:00"), -1); /* not normalised */
	setenv("TZ", "Asia/Shanghai", 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_typed_forms),
		cmocka_unit_test(refuses_nonsense),
		cmocka_unit_test(epoch_respects_offset),
		cmocka_unit_test(fixed_clock_from_environment),
		cmocka_unit_test(zones_parse_and_normalise),
		cmocka_unit_test(station_zone_rules_local_time),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
