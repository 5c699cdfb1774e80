/*
 * entry.c - the canonical encoding and hash of a journal entry.
 *
 * encoding = lp(TAG) lp(station) u64le(seq) lp(prev_hash) lp(kind)
 *            lp(recorded_at) lp(operator) lp(episode) lp(body)
 * where lp(x) = u32le(byte length of x) followed by the bytes of x, exactly
 * as stored in SQLite (TEXT as UTF-8, BLOB as is).  hash = BLAKE2b-256 of
 * the encoding, unkeyed.  Length prefixes make the encoding injective: no
 * two different entries share an encoding.  docs/journal-format.md is the
 * specification; changing anything here is a new format version.
 */
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sodium.h>

#include "bulu/entry.h"

static void put_u32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A sink is either a hash state or a growing byte array. */
struct sink {
	crypto_generichash_state *st;
	uint8_t *p;
	size_t len;
};

static void sink_put(struct sink *s, const void *p, size_t n)
{
	if (s->st) {
		crypto_generichash_update(s->st, p, n);
	} else {
		memcpy(s->p + s->len, p, n);
		s->len += n;
	}
}

static void sink_lp(struct sink *s, const void *p, size_t n)
{
	uint8_t len[4];
	put_u32(len, (uint32_t)n);
	sink_put(s, len, 4);
	if (n)
		sink_put(s, p, n);
}

static void encode(struct sink *s, const entry *e)
{
	uint8_t seq[8];
	put_u64(seq, (uint64_t)e->seq);
	sink_lp(s, ENTRY_TAG, strlen(ENTRY_TAG));
	sink_lp(s, e->station, strlen(e->station));
	sink_put(s, seq, 8);
	sink_lp(s, e->prev_hash, ENTRY_HASH_BYTES);
	sink_lp(s, e->kind, strlen(e->kind));
	sink_lp(s, e->recorded_at, strlen(e->recorded_at));
	sink_lp(s, e->operator_, strlen(e->operator_));
	sink_lp(s, e->episode, strlen(e->episode));
	sink_lp(s, e->body, e->body_len);
}

static size_t encoded_len(const entry *e)
{
	return 4 + strlen(ENTRY_TAG) + 4 + strlen(e->station) + 8 + 4 + ENTRY_HASH_BYTES + 4 + strlen(e->kind) + 4 +
	       strlen(e->recorded_at) + 4 + strlen(e->operator_) + 4 + strlen(e->episode) + 4 + e->body_len;
}

/* An entry that fits (nearly all: a form's body is a few hundred bytes) is
 * encoded on the stack and hashed in one call; feeding BLAKE2b its 17
 * pieces one by one costs about a tenth more, and every entry is hashed
 * when it is written, exported, imported and verified. */
#define HASH_STACK 4096

void entry_hash(const entry *e, uint8_t out[ENTRY_HASH_BYTES])
{
	if (encoded_len(e) <= HASH_STACK) {
		uint8_t buf[HASH_STACK];
		struct sink s = {NULL, buf, 0};
		encode(&s, e);
		crypto_generichash(out, ENTRY_HASH_BYTES, buf, s.len, NULL, 0);
		return;
	}
	crypto_generichash_state st;
	struct sink s = {&st, NULL, 0};
	crypto_generichash_init(&st, NULL, 0, ENTRY_HASH_BYTES);
	encode(&s, e);
	crypto_generichash_final(&st, out, ENTRY_HASH_BYTES);
}

uint8_t *entry_encode(const entry *e, size_t *len)
{
	struct sink s = {NULL, malloc(encoded_len(e)), 0};
	if (!s.p)
		return NULL;
	encode(&s, e);
	*len = s.len;
	return s.p;
}

static const char *const kinds[] = {
	/* housekeeping, written by the station itself or by IT */
	"station_init", "catalog_load", "invoice_book", "outage_start",
	"outage_end", "note", "print", "outage_notice", "operator",
	/* captured forms: need an open outage episode unless forced */
	"registration", "card_issue", "charge", "prescription", "order",
	"requisition", "dispense", "exam", "invoice_void", "void",
	"ward_charge", "exam_request", "exam_clear", "settlement", "exam_report",
};
#define FIRST_CAPTURE 9

int entry_kind_known(const char *kind)
{
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(kind, kinds[i]) == 0)
			return 1;
	return 0;
}

int entry_kind_is_capture(const char *kind)
{
	for (size_t i = FIRST_CAPTURE; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(kind, kinds[i]) == 0)
			return 1;
	return 0;
}

void entry_ref(char *out, size_t n, const char *station, int64_t seq)
{
	snprintf(out, n, "BL-%s-%lld", station, (long long)seq);
}

void hex_encode(char *out, const uint8_t *in, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int hex_decode(uint8_t *out, size_t n, const char *hex)
{
	for (size_t i = 0; i < n; i++) {
		int hi = hexval(hex[2 * i]), lo = hi < 0 ? -1 : hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return hex[2 * n] == '\0' ? 0 : -1;
}
