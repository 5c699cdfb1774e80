/*
 * hashidx.h - the one hash table of bulu: an index over an array the caller
 * keeps (strings of the string pool, reconcile's group keys, catalog items,
 * an import's form ids).
 *
 * The table maps a key's 64-bit hash to the key's index in the caller's
 * array; the caller says whether the entry at an index is the key it looks
 * for (a `same` function, inlined with the probe).  Open addressing with
 * linear probing, a power-of-two number of slots, at most half full; each
 * slot is one 64-bit word holding the index + 1 (0: empty) and the hash's
 * upper 32 bits, which also give the key's home slot: so most mismatches
 * are rejected without touching the caller's array, and growing needs no
 * key hashed again.  Entries are never removed.  Which slot a key lands in
 * never shows outside: callers number their entries in insertion order, so
 * nothing bulu writes depends on the hash.
 *
 *   hashidx t;
 *   hashidx_init(&t, expected);        // 0, or -1 out of memory
 *   uint32_t i = hashidx_find(&t, h, same, ctx);   // HASHIDX_NONE if absent
 *   hashidx_add(&t, h, index);         // a key known to be absent; grows
 *   hashidx_free(&t);
 */
#ifndef BULU_HASHIDX_H
#define BULU_HASHIDX_H

#include <stddef.h>
#include <stdint.h>

#define HASHIDX_NONE UINT32_MAX

typedef struct hashidx {
	uint64_t *slot;  /* (hash >> 32) << 32 | (index + 1); 0 empty */
	size_t cap;      /* slots, a power of two (at most 2^32); 0 before init */
	size_t n;        /* entries */
} hashidx;

/* 64-bit hash of bytes: FNV-1a over 8-byte words with a murmur-style
 * finaliser (every key of bulu is hashed with it). */
uint64_t hashidx_hash(const void *p, size_t len);

/* Room for `want` entries without growing (at least 16 slots).  0, or -1
 * out of memory. */
int hashidx_init(hashidx *t, size_t want);
void hashidx_free(hashidx *t);
/* Double the slots (hashidx_add does it when the table would pass half
 * full).  0, or -1 out of memory (the table is unchanged). */
int hashidx_grow(hashidx *t);

/* The index of the key of hash h for which same(ctx, index) is true, else
 * HASHIDX_NONE. */
static inline uint32_t hashidx_find(const hashidx *t, uint64_t h,
                                    int (*same)(const void *ctx, uint32_t i), const void *ctx)
{
	if (!t->cap)
		return HASHIDX_NONE;
	size_t mask = t->cap - 1, k = (size_t)(h >> 32) & mask;
	uint64_t tag = h & 0xffffffff00000000ull;
	for (uint64_t s; (s = t->slot[k]) != 0; k = (k + 1) & mask)
		if ((s & 0xffffffff00000000ull) == tag && same(ctx, (uint32_t)s - 1))
			return (uint32_t)s - 1;
	return HASHIDX_NONE;
}

/* Enter index i (< UINT32_MAX - 1) for a key of hash h that is not in the
 * table.  0, or -1 out of memory (nothing entered). */
static inline int hashidx_add(hashidx *t, uint64_t h, uint32_t i)
{
	if (2 * (t->n + 1) > t->cap && hashidx_grow(t) != 0)
		return -1;
	size_t mask = t->cap - 1, k = (size_t)(h >> 32) & mask;
	while (t->slot[k])
		k = (k + 1) & mask;
	t->slot[k] = (h & 0xffffffff00000000ull) | ((uint64_t)i + 1);
	t->n++;
	return 0;
}

#endif
