/*
 * his_time.c - the times in HIS exports, to epoch seconds, fast.
 *
 * A million-row export holds two million times, so nothing here calls the C
 * library per cell: civil dates become day numbers by arithmetic
 * (days_from_civil, H. Hinnant's algorithm), the last date is remembered,
 * and the machine's local-time offset is asked of mktime() once per calendar
 * day (64-slot cache), or per cell only on a day when the offset changes
 * (a daylight-saving switch).
 *
 * Invariants: a time is accepted only when it is a real date and time
 * (Feb 30, 24:00 and 12:60 refused); years are 1-9999; a time that carries
 * its own offset (auto format: Z, +08:00, +0800, +08) keeps it, any other
 * uses the profile's zone.  Reasons given back are static strings that
 * never contain the cell's text.
 */
#include <string.h>
#include <time.h>

#include "bulu/clock.h"
#include "his_internal.h"

static int days_in(int y, int m)
{
	static const unsigned char d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Exactly k digits at s[*i]. */
static int fixed(const char *s, size_t n, size_t *i, int k, int *v)
{
	if (n - *i < (size_t)k)
		return -1;
	int x = 0;
	for (int j = 0; j < k; j++) {
		char c = s[*i + (size_t)j];
		if (!is_digit(c))
			return -1;
		x = x * 10 + (c - '0');
	}
	*i += (size_t)k;
	*v = x;
	return 0;
}

/* One or two digits at s[*i]. */
static int one_two(const char *s, size_t n, size_t *i, int *v)
{
	if (*i >= n || !is_digit(s[*i]))
		return -1;
	int x = s[(*i)++] - '0';
	if (*i < n && is_digit(s[*i]))
		x = x * 10 + (s[(*i)++] - '0');
	*v = x;
	return 0;
}

struct civil {
	int y, mo, d, h, mi, se;
	int has_off;
	int32_t off;
};

/* [+-]hh[[:]mm] or Z at s[*i..n), to the end. */
static int parse_offset(const char *s, size_t n, size_t i, struct civil *c)
{
	if (i == n)
		return 0;
	if (s[i] == 'Z' || s[i] == 'z') {
		c->has_off = 1;
		c->off = 0;
		return i + 1 == n ? 0 : -1;
	}
	if (s[i] != '+' && s[i] != '-')
		return -1;
	int sign = s[i] == '-' ? -1 : 1, oh, om = 0;
	i++;
	if (fixed(s, n, &i, 2, &oh) != 0)
		return -1;
	if (i < n && s[i] == ':')
		i++;
	if (i < n && fixed(s, n, &i, 2, &om) != 0)
		return -1;
	if (i != n || oh > 14 || om > 59)
		return -1;
	c->has_off = 1;
	c->off = sign * (oh * 3600 + om * 60);
	return 0;
}

/*
 * auto: YYYY-M-D or YYYY/M/D, alone or followed by ' '/'T' and h:mm[:ss[.frac]],
 * then an optional offset.  The common "YYYY-MM-DD hh:mm:ss" takes a
 * straight path.
 */
static int parse_auto(const char *s, size_t n, struct civil *c)
{
	if (n == 19 && s[4] == '-' && s[7] == '-' && s[10] == ' ' && s[13] == ':' &&
	    s[16] == ':') {
		static const unsigned char pos[14] = {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18};
		int v[14];
		for (int j = 0; j < 14; j++) {
			char ch = s[pos[j]];
			if (!is_digit(ch))
				return -1;
			v[j] = ch - '0';
		}
		c->y = v[0] * 1000 + v[1] * 100 + v[2] * 10 + v[3];
		c->mo = v[4] * 10 + v[5];
		c->d = v[6] * 10 + v[7];
		c->h = v[8] * 10 + v[9];
		c->mi = v[10] * 10 + v[11];
		c->se = v[12] * 10 + v[13];
		return 0;
	}
	size_t i = 0;
	if (fixed(s, n, &i, 4, &c->y) != 0 || i >= n || (s[i] != '-' && s[i] != '/'))
		return -1;
	char sep = s[i++];
	if (one_two(s, n, &i, &c->mo) != 0 || i >= n || s[i] != sep)
		return -1;
	i++;
	if (one_two(s, n, &i, &c->d) != 0)
		return -1;
	if (i == n)
		return 0; /* a date alone: its midnight */
	if (s[i] == 'T') {
		i++;
	} else if (s[i] == ' ') {
		while (i < n && s[i] == ' ')
			i++;
	} else {
		return -1;
	}
	if (one_two(s, n, &i, &c->h) != 0 || i >= n || s[i] != ':')
		return -1;
	i++;
	if (fixed(s, n, &i, 2, &c->mi) != 0)
		return -1;
	if (i < n && s[i] == ':') {
		i++;
		if (fixed(s, n, &i, 2, &c->se) != 0)
			return -1;
		if (i < n && s[i] == '.') { /* fractions of a second are dropped */
			i++;
			if (i >= n || !is_digit(s[i]))
				return -1;
			while (i < n && is_digit(s[i]))
				i++;
		}
	}
	return parse_offset(s, n, i, c);
}

static int parse_pattern(const struct his_datefmt *f, const char *s, size_t n,
                         struct civil *c)
{
	size_t i = 0;
	for (int t = 0; t < f->ntok; t++) {
		int r;
		switch ((enum his_dtok)f->tok[t]) {
		case DT_LIT:
			r = i < n && (unsigned char)s[i] == f->lit[t] ? 0 : -1;
			i++;
			break;
		case DT_YEAR:
			r = fixed(s, n, &i, 4, &c->y);
			break;
		case DT_MON2:
			r = fixed(s, n, &i, 2, &c->mo);
			break;
		case DT_MON:
			r = one_two(s, n, &i, &c->mo);
			break;
		case DT_DAY2:
			r = fixed(s, n, &i, 2, &c->d);
			break;
		case DT_DAY:
			r = one_two(s, n, &i, &c->d);
			break;
		case DT_HOUR2:
			r = fixed(s, n, &i, 2, &c->h);
			break;
		case DT_HOUR:
			r = one_two(s, n, &i, &c->h);
			break;
		case DT_MIN2:
			r = fixed(s, n, &i, 2, &c->mi);
			break;
		case DT_SEC2:
			r = fixed(s, n, &i, 2, &c->se);
			break;
		default:
			r = -1;
			break;
		}
		if (r != 0)
			return -1;
	}
	return i == n ? 0 : -1;
}

void his_clock_init(struct his_clock *c)
{
	memset(c, 0, sizeof *c);
	c->last_ymd = -1;
	for (size_t i = 0; i < sizeof c->local / sizeof c->local[0]; i++)
		c->local[i].days = INT64_MIN;
}

/* The local offset (seconds east) in force at a local wall time, by mktime. */
static int mk_offset(const struct civil *v, int64_t days, int32_t *off)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = v->y - 1900;
	tm.tm_mon = v->mo - 1;
	tm.tm_mday = v->d;
	tm.tm_hour = v->h;
	tm.tm_min = v->mi;
	tm.tm_sec = v->se;
	tm.tm_isdst = -1;
	time_t t = mktime(&tm);
	int64_t wall = days * 86400 + v->h * 3600 + v->mi * 60 + v->se;
	/* mktime's -1 is also a real time (1969-12-31 23:59:59 UTC): the range
	 * check below tells a failure from it. */
	int64_t o = wall - (int64_t)t;
	if (o < -26 * 3600 || o > 26 * 3600)
		return -1;
	*off = (int32_t)o;
	return 0;
}

static int local_offset(struct his_clock *c, const struct civil *v, int64_t days,
                        int32_t *off)
{
	size_t slot = (size_t)days & (sizeof c->local / sizeof c->local[0] - 1);
	if (c->local[slot].days != days) {
		struct civil a = *v, b = *v;
		a.h = 0, a.mi = 0, a.se = 0;
		b.h = 23, b.mi = 59, b.se = 59;
		int32_t oa, ob;
		if (mk_offset(&a, days, &oa) != 0 || mk_offset(&b, days, &ob) != 0)
			return mk_offset(v, days, off);
		c->local[slot].days = days;
		c->local[slot].off = oa;
		c->local[slot].uniform = oa == ob;
	}
	if (c->local[slot].uniform) {
		*off = c->local[slot].off;
		return 0;
	}
	return mk_offset(v, days, off);
}

int his_time_parse(struct his_clock *c, const struct his_datefmt *f, int32_t tz,
                   const char *s, size_t n, int64_t *out, const char **why)
{
	struct civil v;
	memset(&v, 0, sizeof v);
	if ((f->is_auto ? parse_auto(s, n, &v) : parse_pattern(f, s, n, &v)) != 0) {
		*why = f->is_auto ? "is not a time (YYYY-MM-DD hh:mm:ss, YYYY/M/D h:mm, "
		                    "ISO-8601 or a date)"
		                  : "does not match the date_format";
		return -1;
	}
	int64_t ymd = (int64_t)v.y * 10000 + v.mo * 100 + v.d;
	int64_t days;
	if (ymd == c->last_ymd) {
		days = c->last_days;
	} else {
		if (v.y < 1 || v.mo < 1 || v.mo > 12 || v.d < 1 || v.d > days_in(v.y, v.mo)) {
			*why = "is not a real date";
			return -1;
		}
		days = clock_days_from_civil((int)v.y, v.mo, v.d);
		c->last_ymd = ymd;
		c->last_days = days;
	}
	if (v.h > 23 || v.mi > 59 || v.se > 59) {
		*why = "is not a real time of day";
		return -1;
	}
	int32_t off;
	if (v.has_off) {
		off = v.off;
	} else if (tz != HIS_TZ_LOCAL && tz != HIS_TZ_OUTAGE) { /* outage unresolved: local */
		off = tz;
	} else if (local_offset(c, &v, days, &off) != 0) {
		*why = "is outside the range of local time";
		return -1;
	}
	*out = days * 86400 + v.h * 3600 + v.mi * 60 + v.se - off;
	return 0;
}

static int lc(int ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch + ('a' - 'A') : ch;
}

int his_tz_parse(const char *s, int32_t *out)
{
	size_t n = strlen(s);
	if (n == 5 && lc(s[0]) == 'l' && lc(s[1]) == 'o' && lc(s[2]) == 'c' &&
	    lc(s[3]) == 'a' && lc(s[4]) == 'l') {
		*out = HIS_TZ_LOCAL;
		return 0;
	}
	if (n == 6 && lc(s[0]) == 'o' && lc(s[1]) == 'u' && lc(s[2]) == 't' && lc(s[3]) == 'a' &&
	    lc(s[4]) == 'g' && lc(s[5]) == 'e') {
		*out = HIS_TZ_OUTAGE;
		return 0;
	}
	if (n == 3 && lc(s[0]) == 'u' && lc(s[1]) == 't' && lc(s[2]) == 'c') {
		*out = 0;
		return 0;
	}
	if (n == 1 && (s[0] == 'Z' || s[0] == 'z')) {
		*out = 0;
		return 0;
	}
	if (n == 0 || (s[0] != '+' && s[0] != '-'))
		return -1;
	struct civil v;
	memset(&v, 0, sizeof v);
	if (parse_offset(s, n, 0, &v) != 0)
		return -1;
	*out = v.off;
	return 0;
}

/* The token class of a pattern letter, or -1 for a literal. */
static int letter_class(char ch)
{
	switch (ch) {
	case 'Y': case 'y':
		return 0;
	case 'M':
		return 1;
	case 'D': case 'd':
		return 2;
	case 'h': case 'H':
		return 3;
	case 'm':
		return 4;
	case 's':
		return 5;
	default:
		return -1;
	}
}

int his_datefmt_compile(const char *s, struct his_datefmt *out, const char **why)
{
	memset(out, 0, sizeof *out);
	size_t n = strlen(s);
	if (n == 4 && lc(s[0]) == 'a' && lc(s[1]) == 'u' && lc(s[2]) == 't' && lc(s[3]) == 'o') {
		out->is_auto = 1;
		memcpy(out->text, "auto", 5);
		return 0;
	}
	if (n > HIS_DATE_MAXTOK) {
		*why = "date_format is too long";
		return -1;
	}
	memcpy(out->text, s, n + 1);
	int seen[6] = {0, 0, 0, 0, 0, 0};
	size_t i = 0;
	while (i < n) {
		int cls = letter_class(s[i]);
		if (cls < 0) {
			out->tok[out->ntok] = DT_LIT;
			out->lit[out->ntok++] = (uint8_t)s[i++];
			continue;
		}
		size_t run = 1;
		while (i + run < n && letter_class(s[i + run]) == cls)
			run++;
		i += run;
		enum his_dtok t;
		switch (cls) {
		case 0:
			if (run != 4) {
				*why = "a year is written YYYY";
				return -1;
			}
			t = DT_YEAR;
			break;
		case 1:
		case 2:
		case 3:
			if (run > 2) {
				*why = "a month, day or hour is written with one or two letters "
				       "(M/MM, D/DD, h/hh)";
				return -1;
			}
			t = cls == 1 ? (run == 2 ? DT_MON2 : DT_MON)
			  : cls == 2 ? (run == 2 ? DT_DAY2 : DT_DAY)
			             : (run == 2 ? DT_HOUR2 : DT_HOUR);
			break;
		default:
			if (run != 2) {
				*why = "minutes and seconds are written mm and ss";
				return -1;
			}
			t = cls == 4 ? DT_MIN2 : DT_SEC2;
			break;
		}
		if (seen[cls]++) {
			*why = "a part of the date or time is given twice in date_format";
			return -1;
		}
		out->tok[out->ntok++] = (uint8_t)t;
	}
	if (!seen[0] || !seen[1] || !seen[2]) {
		*why = "date_format must have a year (YYYY), a month (MM or M) and a day (DD or D)";
		return -1;
	}
	if ((seen[4] && !seen[3]) || (seen[5] && !seen[4])) {
		*why = "date_format has minutes without hours, or seconds without minutes";
		return -1;
	}
	return 0;
}
