/*
 * strpool.c - interned strings (see strpool.h).
 *
 * Strings live in 1 MiB blocks (larger strings get their own block), each
 * preceded by nothing: the id indexes an array of (pointer, length).  The
 * hash table is open addressing with linear probing over ids, kept at most
 * half full, storing the 32-bit hash beside the id to skip most compares.
 */
#include "bulu/strpool.h"

#include <stdlib.h>
#include <string.h>

#define BLOCK (1u << 20)

struct slot {
	uint32_t id;   /* UINT32_MAX: empty */
	uint32_t hash;
};

struct str {
	const char *s;
	size_t len;
};

struct block {
	struct block *next;
	size_t used, cap;
	char data[];
};

struct strpool {
	struct str *strs;
	size_t n, cap;
	struct slot *slots;
	size_t nslots;       /* power of two */
	struct block *blocks;
};

uint64_t strpool_hash(const void *p, size_t len)
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

static char *store(strpool *p, const char *s, size_t len)
{
	struct block *b = p->blocks;
	if (!b || b->cap - b->used < len + 1) {
		size_t cap = len + 1 > BLOCK ? len + 1 : BLOCK;
		struct block *nb = malloc(sizeof *nb + cap);
		if (!nb)
			return NULL;
		nb->used = 0;
		nb->cap = cap;
		if (b && cap > BLOCK) {
			/* keep filling the current block; hang the big one behind it */
			nb->next = b->next;
			b->next = nb;
		} else {
			nb->next = b;
			p->blocks = nb;
		}
		b = nb;
	}
	char *d = b->data + b->used;
	memcpy(d, s, len);
	d[len] = '\0';
	b->used += len + 1;
	return d;
}

static int grow_table(strpool *p)
{
	size_t n = p->nslots ? p->nslots * 2 : 1024;
	struct slot *t = malloc(n * sizeof *t);
	if (!t)
		return -1;
	for (size_t i = 0; i < n; i++)
		t[i].id = UINT32_MAX;
	for (size_t i = 0; i < p->nslots; i++) {
		if (p->slots[i].id == UINT32_MAX)
			continue;
		size_t j = p->slots[i].hash & (n - 1);
		while (t[j].id != UINT32_MAX)
			j = (j + 1) & (n - 1);
		t[j] = p->slots[i];
	}
	free(p->slots);
	p->slots = t;
	p->nslots = n;
	return 0;
}

strpool *strpool_new(void)
{
	strpool *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	if (grow_table(p) != 0 || strpool_intern(p, "", 0) != 0) {
		strpool_free(p);
		return NULL;
	}
	return p;
}

void strpool_free(strpool *p)
{
	if (!p)
		return;
	for (struct block *b = p->blocks, *nx; b; b = nx) {
		nx = b->next;
		free(b);
	}
	free(p->slots);
	free(p->strs);
	free(p);
}

static size_t probe(const strpool *p, const char *s, size_t len, uint32_t h, int *found)
{
	size_t m = p->nslots - 1, j = h & m;
	for (;;) {
		const struct slot *sl = &p->slots[j];
		if (sl->id == UINT32_MAX) {
			*found = 0;
			return j;
		}
		if (sl->hash == h && p->strs[sl->id].len == len &&
		    memcmp(p->strs[sl->id].s, s, len) == 0) {
			*found = 1;
			return j;
		}
		j = (j + 1) & m;
	}
}

uint32_t strpool_find(const strpool *p, const char *s, size_t len)
{
	int found;
	uint32_t h = (uint32_t)strpool_hash(s, len);
	size_t j = probe(p, s, len, h, &found);
	return found ? p->slots[j].id : UINT32_MAX;
}

uint32_t strpool_intern(strpool *p, const char *s, size_t len)
{
	int found;
	uint32_t h = (uint32_t)strpool_hash(s, len);
	size_t j = probe(p, s, len, h, &found);
	if (found)
		return p->slots[j].id;
	if ((p->n + 1) * 2 > p->nslots) {
		/* keep the table at most half full, so probes stay short */
		if (grow_table(p) != 0)
			return UINT32_MAX;
		j = probe(p, s, len, h, &found);
	}
	if (p->n >= UINT32_MAX - 1)
		return UINT32_MAX;
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 1024;
		struct str *ns = realloc(p->strs, cap * sizeof *ns);
		if (!ns)
			return UINT32_MAX;
		p->strs = ns;
		p->cap = cap;
	}
	char *d = store(p, s, len);
	if (!d)
		return UINT32_MAX;
	uint32_t id = (uint32_t)p->n++;
	p->strs[id].s = d;
	p->strs[id].len = len;
	p->slots[j].id = id;
	p->slots[j].hash = h;
	return id;
}

const char *strpool_str(const strpool *p, uint32_t id)
{
	return id < p->n ? p->strs[id].s : "";
}

size_t strpool_len(const strpool *p, uint32_t id)
{
	return id < p->n ? p->strs[id].len : 0;
}

size_t strpool_count(const strpool *p)
{
	return p->n;
}
