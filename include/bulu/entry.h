/*
 * entry.h - the journal entry and its hash: the one format every part shares.
 *
 * An entry's hash is BLAKE2b-256 over a length-prefixed encoding of the exact
 * stored bytes of its fields, prefixed with a domain-separation tag; its sig
 * is Ed25519 over that hash.  docs/journal-format.md is the specification and
 * carries the test vectors tests/unit/test_entry.c checks.
 */
#ifndef BULU_ENTRY_H
#define BULU_ENTRY_H

#include <stddef.h>
#include <stdint.h>

#define ENTRY_HASH_BYTES 32
#define ENTRY_SIG_BYTES 64
#define ENTRY_TAG "bulu/journal-entry/v1"

/* A view of one entry; strings are borrowed and NUL-terminated. */
typedef struct entry {
	const char *station;
	int64_t seq;
	uint8_t prev_hash[ENTRY_HASH_BYTES];
	uint8_t hash[ENTRY_HASH_BYTES];
	uint8_t sig[ENTRY_SIG_BYTES];
	const char *kind;
	const char *recorded_at;
	const char *operator_;
	const char *episode;
	const char *body;
	size_t body_len;
} entry;

/* Compute e->hash from the other fields (BLAKE2b-256 of the encoding). */
void entry_hash(const entry *e, uint8_t out[ENTRY_HASH_BYTES]);

/* The encoding itself, for the documentation and its test vectors.
 * Returns a malloc'd buffer (caller frees) of *len bytes, or NULL. */
uint8_t *entry_encode(const entry *e, size_t *len);

/* Entry kinds.  entry_kind_known() says whether kind is one of them. */
int entry_kind_known(const char *kind);
/* Kinds a person captures (need an open episode unless forced). */
int entry_kind_is_capture(const char *kind);

/* The back-fill reference "BL-STATION-SEQ" into out (size >= 96). */
void entry_ref(char *out, size_t n, const char *station, int64_t seq);

/* Lower-case hex of n bytes into out (2n+1 bytes). */
void hex_encode(char *out, const uint8_t *in, size_t n);
/* Parse 2n hex digits. Returns 0, or -1. */
int hex_decode(uint8_t *out, size_t n, const char *hex);

#endif
