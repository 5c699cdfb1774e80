/*
 * head.h - the station's durable record of its last committed head.
 *
 * DIR/head holds two 128-byte slots written alternately with pwrite and
 * fdatasync; each slot carries a counter and a BLAKE2b checksum, and the
 * valid slot with the highest counter wins, so a torn write leaves the
 * previous head readable.  A journal whose entries end before the recorded
 * head, or differ from it, is an old copy restored: writing is refused
 * rather than silently forking the chain.
 */
#ifndef BULU_HEAD_H
#define BULU_HEAD_H

#include <stdint.h>
#include "bulu/err.h"
#include "bulu/entry.h"

typedef struct head_rec {
	uint64_t counter;
	int64_t seq;
	uint8_t hash[ENTRY_HASH_BYTES];
} head_rec;

/* Read DIR/head.  BULU_OK with *h filled; BULU_BADINPUT if missing;
 * BULU_INTEGRITY if present but no slot is valid. */
int head_read(const char *path, head_rec *h, bulu_err *e);
/* Move the record to (seq, hash), durably, under an exclusive lock: the
 * file is created (0600) if missing; an existing record at or beyond seq is
 * left alone unless force (used only when a restore is accepted), so two
 * processes committing at once never move it backwards. */
int head_advance(const char *path, int64_t seq, const uint8_t hash[ENTRY_HASH_BYTES],
                 int force, bulu_err *e);

#endif
