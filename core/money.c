/*
 * money.c - integer fen (分) arithmetic and the yuan text at bulu's edges.
 *
 * Invariants: money is int64_t fen everywhere; nothing here uses floating
 * point.  Every parser either fills its output with the exact value or
 * returns -1 and leaves the output untouched; every arithmetic helper
 * refuses overflow instead of wrapping, again leaving its output untouched.
 * The full int64_t range is accepted, INT64_MIN included.
 *
 * Accepted yuan grammar (the header's list, made precise):
 *   SP* [-] [¥|￥] [-] INT [. D [D]] SP*      (at most one '-')
 *   INT = digits, or 1-3 digits followed by groups of ",ddd"
 *   SP  = ASCII space or tab
 * An integer part is required (".5" is refused) and a '.' must be followed
 * by one or two digits ("12." is refused).  No '+', no "(3.20)", no space
 * between the currency sign and the number.
 */
#include <stdio.h>
#include <string.h>

#include "bulu/money.h"

static int is_sp(char c)
{
	return c == ' ' || c == '\t';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Trim ASCII spaces/tabs from both ends of s[0..*len). */
static const char *trim(const char *s, size_t *len)
{
	size_t n = *len;
	while (n && is_sp(*s)) {
		s++;
		n--;
	}
	while (n && is_sp(s[n - 1]))
		n--;
	*len = n;
	return s;
}

/* Skip a yuan sign (U+00A5 or U+FFE5) at s[*i]; 1 if one was there. */
static int skip_yen(const char *s, size_t n, size_t *i)
{
	static const char half[] = "\xc2\xa5", full[] = "\xef\xbf\xa5";
	if (n - *i >= 2 && memcmp(s + *i, half, 2) == 0) {
		*i += 2;
		return 1;
	}
	if (n - *i >= 3 && memcmp(s + *i, full, 3) == 0) {
		*i += 3;
		return 1;
	}
	return 0;
}

/* mag = mag * 10 + d, refusing anything above limit. */
static int acc_digit(uint64_t *mag, int d, uint64_t limit)
{
	if (*mag > (limit - (uint64_t)d) / 10)
		return -1;
	*mag = *mag * 10 + (uint64_t)d;
	return 0;
}

/* Magnitude to signed value; limit already enforced by the caller. */
static int64_t to_signed(uint64_t mag, int neg)
{
	if (!neg)
		return (int64_t)mag;
	if (mag == (uint64_t)INT64_MAX + 1)
		return INT64_MIN;
	return -(int64_t)mag;
}

int money_parse_yuan(const char *s, size_t len, int64_t *fen)
{
	if (!s)
		return -1;
	s = trim(s, &len);
	size_t i = 0;
	int neg = 0;
	if (i < len && s[i] == '-') {
		neg = 1;
		i++;
	}
	if (skip_yen(s, len, &i) && !neg && i < len && s[i] == '-') {
		neg = 1;
		i++;
	}
	uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	uint64_t yuan = 0;
	/* Integer part with optional thousands separators. */
	size_t group = 0;   /* digits in the current group */
	int grouped = 0;    /* a ',' has been seen */
	int ndigits = 0;
	while (i < len && (is_digit(s[i]) || s[i] == ',')) {
		if (s[i] == ',') {
			if (group == 0 || (!grouped && group > 3) || (grouped && group != 3))
				return -1;
			grouped = 1;
			group = 0;
		} else {
			if (acc_digit(&yuan, s[i] - '0', limit / 100) != 0)
				return -1;
			group++;
			ndigits++;
		}
		i++;
	}
	if (ndigits == 0 || (grouped && group != 3))
		return -1;
	uint64_t cents = 0;
	if (i < len && s[i] == '.') {
		i++;
		int nd = 0;
		while (i < len && is_digit(s[i])) {
			if (++nd > 2)
				return -1;
			cents = cents * 10 + (uint64_t)(s[i] - '0');
			i++;
		}
		if (nd == 0)
			return -1;
		if (nd == 1)
			cents *= 10;
	}
	if (i != len)
		return -1;
	uint64_t mag = yuan * 100; /* yuan <= limit / 100, so no overflow */
	if (mag > limit - cents)
		return -1;
	*fen = to_signed(mag + cents, neg);
	return 0;
}

int parse_int64(const char *s, size_t len, int64_t *out)
{
	if (!s)
		return -1;
	s = trim(s, &len);
	size_t i = 0;
	int neg = 0;
	if (i < len && s[i] == '-') {
		neg = 1;
		i++;
	}
	if (i == len)
		return -1;
	uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	uint64_t mag = 0;
	for (; i < len; i++) {
		if (!is_digit(s[i]) || acc_digit(&mag, s[i] - '0', limit) != 0)
			return -1;
	}
	*out = to_signed(mag, neg);
	return 0;
}

int money_parse_fen(const char *s, size_t len, int64_t *fen)
{
	return parse_int64(s, len, fen);
}

void money_format_yuan(int64_t fen, char out[32])
{
	uint64_t mag = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
	snprintf(out, 32, "%s%llu.%02llu", fen < 0 ? "-" : "",
	         (unsigned long long)(mag / 100), (unsigned long long)(mag % 100));
}

int money_mul(int64_t a, int64_t b, int64_t *out)
{
	int64_t r;
	if (__builtin_mul_overflow(a, b, &r))
		return -1;
	*out = r;
	return 0;
}

int money_add(int64_t *acc, int64_t v)
{
	int64_t r;
	if (__builtin_add_overflow(*acc, v, &r))
		return -1;
	*acc = r;
	return 0;
}

int64_t money_add_sat(int64_t a, int64_t v)
{
	if (money_add(&a, v) != 0)
		return v < 0 ? INT64_MIN : INT64_MAX;
	return a;
}
