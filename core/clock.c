/*
 * clock.c - station wall-clock time as ISO-8601 with offset, and parsing of
 * the times people type.  Invariant: every normalised time bulu writes has
 * the form YYYY-MM-DDTHH:MM:SS+HH:MM (or -HH:MM), 25 bytes.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bulu/clock.h"

static void format_tm(const struct tm *tm, long off, char out[CLOCK_ISO_MAX])
{
	char sign = off < 0 ? '-' : '+';
	long a = off < 0 ? -off : off;
	int oh = (int)(a / 3600) % 100, om = (int)(a % 3600) / 60;
	snprintf(out, CLOCK_ISO_MAX, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d",
		 (tm->tm_year + 1900) % 10000, (tm->tm_mon + 1) % 100,
		 tm->tm_mday % 100, tm->tm_hour % 100, tm->tm_min % 100,
		 tm->tm_sec % 100, sign, oh, om);
}

void clock_now_iso(char out[CLOCK_ISO_MAX])
{
	const char *fixed = getenv("BULU_NOW");
	if (fixed && *fixed && clock_parse(fixed, out) == 0)
		return;
	time_t t = time(NULL);
	struct tm tm;
	localtime_r(&t, &tm);
	format_tm(&tm, tm.tm_gmtoff, out);
}

static int days_in(int y, int m)
{
	static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

/* Read 1..maxd digits into *v; advances *p. */
static int digits(const char **p, int mind, int maxd, int *v)
{
	int n = 0, x = 0;
	while (n < maxd && isdigit((unsigned char)**p)) {
		x = x * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	if (n < mind)
		return -1;
	*v = x;
	return 0;
}

int clock_parse(const char *s, char out[CLOCK_ISO_MAX])
{
	struct tm tm = {0};
	int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
	const char *p = s;
	while (isspace((unsigned char)*p))
		p++;
	const char *colon = strchr(p, ':');
	int has_date = !(colon && colon - p <= 2);
	if (has_date) {
		char sep;
		if (digits(&p, 4, 4, &y) || (*p != '-' && *p != '/'))
			return -1;
		sep = *p++;
		if (digits(&p, 1, 2, &mo) || *p != sep)
			return -1;
		p++;
		if (digits(&p, 1, 2, &d))
			return -1;
		if (*p == '\0')
			goto done_time; /* a date alone means its midnight */
		if (*p != 'T' && *p != ' ')
			return -1;
		while (*p == ' ' || *p == 'T')
			p++;
	} else {
		time_t t = time(NULL);
		struct tm now;
		localtime_r(&t, &now);
		y = now.tm_year + 1900;
		mo = now.tm_mon + 1;
		d = now.tm_mday;
	}
	if (digits(&p, 1, 2, &h) || *p != ':')
		return -1;
	p++;
	if (digits(&p, 2, 2, &mi))
		return -1;
	if (*p == ':') {
		p++;
		if (digits(&p, 2, 2, &se))
			return -1;
		if (*p == '.') /* fractions of a second are dropped */
			for (p++; isdigit((unsigned char)*p); p++)
				;
	}
done_time:;
	int has_off = 0;
	long off = 0;
	if (*p == 'Z') {
		has_off = 1;
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1, oh, om = 0;
		p++;
		if (digits(&p, 2, 2, &oh))
			return -1;
		if (*p == ':')
			p++;
		if (isdigit((unsigned char)*p) && digits(&p, 2, 2, &om))
			return -1;
		if (oh > 14 || om > 59)
			return -1;
		has_off = 1;
		off = sign * (oh * 3600L + om * 60L);
	}
	while (isspace((unsigned char)*p))
		p++;
	if (*p != '\0')
		return -1;
	if (y < 1900 || mo < 1 || mo > 12 || d < 1 || d > days_in(y, mo) ||
	    h > 23 || mi > 59 || se > 60)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	if (!has_off) {
		struct tm loc = tm;
		loc.tm_isdst = -1;
		if (mktime(&loc) == (time_t)-1)
			return -1;
		off = loc.tm_gmtoff;
	}
	format_tm(&tm, off, out);
	return 0;
}

long long clock_days_from_civil(int y, int m, int d)
{
	/* Howard Hinnant's days_from_civil: proleptic Gregorian, 1970-01-01 = 0 */
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153u * (unsigned)(m > 2 ? m - 3 : m + 9) + 2) / 5 + (unsigned)d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

static int fixed_digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

long long clock_epoch(const char *iso)
{
	/* exactly the normalised form: YYYY-MM-DDTHH:MM:SS±HH:MM (25 bytes) */
	int y, mo, d, h, mi, se, oh, om;
	if (strlen(iso) != 25 || iso[4] != '-' || iso[7] != '-' || iso[10] != 'T' ||
	    iso[13] != ':' || iso[16] != ':' || (iso[19] != '+' && iso[19] != '-') || iso[22] != ':' ||
	    fixed_digits(iso, 4, &y) || fixed_digits(iso + 5, 2, &mo) || fixed_digits(iso + 8, 2, &d) ||
	    fixed_digits(iso + 11, 2, &h) || fixed_digits(iso + 14, 2, &mi) || fixed_digits(iso + 17, 2, &se) ||
	    fixed_digits(iso + 20, 2, &oh) || fixed_digits(iso + 23, 2, &om))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return -1;
	long long t = clock_days_from_civil(y, mo, d) * 86400LL + h * 3600LL + mi * 60LL + se;
	long long off = oh * 3600LL + om * 60LL;
	return iso[19] == '+' ? t - off : t + off;
}
