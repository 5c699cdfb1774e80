/*
 * bundle.c - what export and import agree on: the bundle's name and the
 * claim its signature carries.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "bulu/bundle.h"

void bundle_name(char *out, size_t n, const char *station, int64_t first, int64_t last)
{
	snprintf(out, n, "%s-%" PRId64 "-%" PRId64 ".bulu", station, first, last);
}

int bundle_claim_format(const bundle_claim *c, char *out, size_t n)
{
	char head[2 * ENTRY_HASH_BYTES + 1];
	hex_encode(head, c->head, ENTRY_HASH_BYTES);
	int w = snprintf(out, n,
			 "bulu-bundle:1 station:%s first:%" PRId64 " last:%" PRId64
			 " head:%s size:%" PRId64 " sealed:%d",
			 c->station, c->first, c->last, head, c->size, c->sealed ? 1 : 0);
	return w > 0 && (size_t)w < n ? 0 : -1;
}

/* Parse "NAME:DIGITS" at *p, advancing past it and one following space. */
static int field_int(const char **p, const char *name, int64_t *v)
{
	size_t k = strlen(name);
	if (strncmp(*p, name, k) != 0 || (*p)[k] != ':')
		return -1;
	const char *s = *p + k + 1;
	int64_t x = 0;
	int digits = 0;
	while (*s >= '0' && *s <= '9' && digits < 18) {
		x = x * 10 + (*s++ - '0');
		digits++;
	}
	if (!digits || (*s != ' ' && *s != '\0'))
		return -1;
	*v = x;
	*p = *s == ' ' ? s + 1 : s;
	return 0;
}

int bundle_claim_parse(const char *text, bundle_claim *c)
{
	memset(c, 0, sizeof *c);
	const char *p = text;
	if (strncmp(p, "bulu-bundle:1 station:", 22) != 0)
		return -1;
	p += 22;
	size_t n = strcspn(p, " ");
	if (n == 0 || n >= sizeof c->station || p[n] != ' ')
		return -1;
	memcpy(c->station, p, n);
	c->station[n] = '\0';
	if (!journal_station_id_ok(c->station))
		return -1;
	p += n + 1;
	int64_t sealed;
	if (field_int(&p, "first", &c->first) || field_int(&p, "last", &c->last))
		return -1;
	if (strncmp(p, "head:", 5) != 0 || strlen(p) < 5 + 2 * ENTRY_HASH_BYTES ||
	    p[5 + 2 * ENTRY_HASH_BYTES] != ' ')
		return -1;
	char hex[2 * ENTRY_HASH_BYTES + 1];
	memcpy(hex, p + 5, 2 * ENTRY_HASH_BYTES);
	hex[2 * ENTRY_HASH_BYTES] = '\0';
	if (hex_decode(c->head, ENTRY_HASH_BYTES, hex) != 0)
		return -1;
	p += 5 + 2 * ENTRY_HASH_BYTES + 1;
	if (field_int(&p, "size", &c->size) || field_int(&p, "sealed", &sealed) || *p != '\0')
		return -1;
	if (c->first < 1 || c->last < c->first || sealed > 1)
		return -1;
	c->sealed = (int)sealed;
	return 0;
}

int bundle_size_parse(const char *s, size_t *v)
{
	uint64_t x = 0;
	const char *p = s;
	if (*p < '0' || *p > '9')
		return -1;
	while (*p >= '0' && *p <= '9') {
		if (x > (UINT64_MAX - 9) / 10)
			return -1;
		x = x * 10 + (uint64_t)(*p++ - '0');
	}
	int shift = 0;
	switch (*p) {
	case 'K': case 'k': shift = 10; p++; break;
	case 'M': case 'm': shift = 20; p++; break;
	case 'G': case 'g': shift = 30; p++; break;
	}
	if (*p != '\0' || x == 0 || x > (SIZE_MAX >> shift))
		return -1;
	*v = (size_t)(x << shift);
	return 0;
}
