/*
 * clock.c - station wall-clock time as ISO-8601 with offset, parsing of the
 * times people type, and the station's time zone.  Invariant: every
 * normalised time bulu writes has the form YYYY-MM-DDTHH:MM:SS+HH:MM (or
 * -HH:MM), 25 bytes.  "Local" is the station's zone once a journal is open
 * (clock_use_zone sets TZ to it), whatever the machine's TZ says.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

/* "+08:00" from a typed offset: +8, +08, +0800, +08:00 (and '-'). */
static int offset_parse(const char *s, char out[CLOCK_ZONE_MAX])
{
	const char *p = s + 1;
	int h = 0, m = 0, nd = 0;
	while (isdigit((unsigned char)*p) && nd < 2) {
		h = h * 10 + (*p++ - '0');
		nd++;
	}
	if (nd == 0)
		return -1;
	if (*p == ':')
		p++;
	if (*p) {
		if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]) || p[2])
			return -1;
		m = (p[0] - '0') * 10 + (p[1] - '0');
	}
	if (h > 14 || m > 59 || (h == 14 && m > 0))
		return -1;
	snprintf(out, CLOCK_ZONE_MAX, "%c%02d:%02d", *s, h, m);
	return 0;
}

static int zoneinfo_has(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n >= CLOCK_ZONE_MAX || name[0] == '/' || strstr(name, ".."))
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!(isalnum((unsigned char)c) || c == '/' || c == '_' || c == '-' || c == '+'))
			return 0;
	}
	const char *dir = getenv("TZDIR");
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", name);
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	char magic[4] = {0};
	size_t got = fread(magic, 1, 4, f);
	fclose(f);
	return got == 4 && memcmp(magic, "TZif", 4) == 0;
}

int clock_zone_parse(const char *s, char out[CLOCK_ZONE_MAX])
{
	if (!s || !*s)
		return -1;
	if (s[0] == '+' || s[0] == '-')
		return offset_parse(s, out);
	if (strcmp(s, "UTC") == 0 || strcmp(s, "Z") == 0) {
		snprintf(out, CLOCK_ZONE_MAX, "UTC");
		return 0;
	}
	if (!zoneinfo_has(s))
		return -1;
	snprintf(out, CLOCK_ZONE_MAX, "%s", s);
	return 0;
}

void clock_zone_default(char out[CLOCK_ZONE_MAX])
{
	const char *tz = getenv("TZ");
	if (tz && *tz == ':')
		tz++;
	if (tz && *tz && clock_zone_parse(tz, out) == 0)
		return;
	if (!tz || !*tz) {
		char link[512];
		ssize_t n = readlink("/etc/localtime", link, sizeof link - 1);
		if (n > 0) {
			link[n] = '\0';
			const char *z = strstr(link, "zoneinfo/");
			if (z && clock_zone_parse(z + 9, out) == 0)
				return;
		}
	}
	time_t t = time(NULL);
	struct tm tm;
	localtime_r(&t, &tm);
	long off = tm.tm_gmtoff, a = off < 0 ? -off : off;
	snprintf(out, CLOCK_ZONE_MAX, "%c%02ld:%02ld", off < 0 ? '-' : '+', a / 3600 % 100, a % 3600 / 60);
}

int clock_use_zone(const char *zone)
{
	char tz[CLOCK_ZONE_MAX + 16];
	if (!zone || !*zone)
		return 0;
	if (zone[0] == '+' || zone[0] == '-') {
		if (strlen(zone) != 6 || zone[3] != ':')
			return -1;
		/* POSIX TZ counts west of Greenwich: UTC+08:00 is "<+0800>-08:00" */
		snprintf(tz, sizeof tz, "<%c%.2s%.2s>%c%.5s", zone[0], zone + 1, zone + 4,
			 zone[0] == '+' ? '-' : '+', zone + 1);
	} else if (strcmp(zone, "UTC") == 0) {
		snprintf(tz, sizeof tz, "UTC0");
	} else {
		snprintf(tz, sizeof tz, "%s", zone);
	}
	const char *cur = getenv("TZ");
	if (cur && strcmp(cur, tz) == 0)
		return 0;
	if (setenv("TZ", tz, 1) != 0)
		return -1;
	tzset();
	return 0;
}

int clock_local(const char *iso, char out[CLOCK_ISO_MAX])
{
	long long t = clock_epoch(iso);
	if (t == -1 && strcmp(iso, "1969-12-31T23:59:59+00:00") != 0)
		return -1;
	time_t tt = (time_t)t;
	struct tm tm;
	if (!localtime_r(&tt, &tm))
		return -1;
	format_tm(&tm, tm.tm_gmtoff, out);
	return 0;
}
