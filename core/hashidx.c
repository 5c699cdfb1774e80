/*
 * hashidx.c - the one hash table (see hashidx.h): the hash, and the table's
 * allocation and growth.  Growing re-enters every slot at its new place; no
 * entry is ever lost or moved in the caller's array.
 */
#include "bulu/hashidx.h"

#include <stdlib.h>
#include <string.h>

uint64_t hashidx_hash(const void *p, size_t len)
{
	/* FNV-1a over 8-byte words, then a murmur-style finaliser. */
	const unsigned char *s = p;
	uint64_t h = 0xcbf29ce484222325ull ^ (uint64_t)len;
	while (len >= 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		h = (h ^ w) * 0x100000001b3ull;
		h ^= h >> 29;
		s += 8;
		len -= 8;
	}
	uint64_t w = 0;
	memcpy(&w, s, len);
	h = (h ^ w) * 0x100000001b3ull;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

int hashidx_init(hashidx *t, size_t want)
{
	size_t cap = 16;
	while (cap < 2 * want)
		cap *= 2;
	t->slot = calloc(cap, sizeof *t->slot);
	t->cap = t->slot ? cap : 0;
	t->n = 0;
	return t->slot ? 0 : -1;
}

void hashidx_free(hashidx *t)
{
	free(t->slot);
	t->slot = NULL;
	t->cap = t->n = 0;
}

int hashidx_grow(hashidx *t)
{
	size_t cap = t->cap ? 2 * t->cap : 16;
	if ((uint64_t)cap > (1ull << 32))
		return -1;
	uint64_t *ns = calloc(cap, sizeof *ns);
	if (!ns)
		return -1;
	size_t mask = cap - 1;
	for (size_t i = 0; i < t->cap; i++) {
		uint64_t s = t->slot[i];
		if (!s)
			continue;
		size_t k = (size_t)(s >> 32) & mask;
		while (ns[k])
			k = (k + 1) & mask;
		ns[k] = s;
	}
	free(t->slot);
	t->slot = ns;
	t->cap = cap;
	return 0;
}
