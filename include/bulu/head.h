/*
 * head.h - the station's durable, signed record of its last committed head.
 *
 * A head file holds two 192-byte slots written alternately with pwrite and
 * fdatasync; each slot carries a counter and an Ed25519 signature by the
 * station key over its first 128 bytes, and the slot with a valid signature
 * and the highest counter wins, so a torn write leaves the previous head
 * readable and nobody without the secret key can write one.  The same
 * record is kept twice: DIR/head, and a mirror outside the station
 * directory (docs/journal-format.md, "The head record").  A journal whose
 * entries end before a recorded head, or differ from it, is an old copy
 * restored: writing is refused rather than silently forking the chain.
 *
 * slot = "BULUHEAD" | u32le version=2 | u32le 0 | u64le counter |
 *        u64le seq | hash (32) | key_id (8) | i64le invoice_max |
 *        u32le station length | station (32, zero padded) | zero (12) |
 *        Ed25519 signature of bytes 0..127 (64)
 */
#ifndef BULU_HEAD_H
#define BULU_HEAD_H

#include <stdint.h>
#include "bulu/err.h"
#include "bulu/entry.h"
#include "bulu/keys.h"

#define HEAD_SLOT_BYTES 192
#define HEAD_SIGNED_BYTES 128

typedef struct head_rec {
	uint64_t counter;
	int64_t seq;
	uint8_t hash[ENTRY_HASH_BYTES];
	int64_t invoice_max;  /* highest invoice number ever used; -1 none */
	char station[33];
} head_rec;

/* Read a head file, checking each slot's signature with pk.  BULU_OK with
 * *h filled; BULU_BADINPUT if the file is missing; BULU_INTEGRITY if it is
 * present but no slot is a valid signed record for pk (the message says
 * why: damaged, another key, or an unsigned record of an older bulu). */
int head_read(const char *path, const uint8_t pk[KEY_PK_BYTES], head_rec *h, bulu_err *e);

/* Move the record to (seq, hash), durably, under an exclusive lock, signed
 * with kp: the file is created (0600) if missing; an existing record at or
 * beyond seq is left alone unless force (used only when a restore is
 * accepted), so two processes committing at once never move it backwards.
 * invoice_max only ever grows: the record keeps the larger of its own and
 * the one given. */
int head_advance(const char *path, const char *station, const keypair *kp, int64_t seq,
                 const uint8_t hash[ENTRY_HASH_BYTES], int64_t invoice_max, int force,
                 bulu_err *e);

/* Encode one slot (the test vectors in docs/journal-format.md). */
void head_encode_slot(uint8_t slot[HEAD_SLOT_BYTES], const head_rec *h,
                      const uint8_t key_id[KEY_ID_BYTES], const uint8_t *sk);

#endif
