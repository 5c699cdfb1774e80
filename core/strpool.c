/*
 * strpool.c - interned strings (see strpool.h).
 *
 * Strings live in 1 MiB blocks (larger strings get their own block), each
 * preceded by nothing: the id indexes an array of (pointer, length).  The
 * hash table over ids is core/hashidx.c's (bulu's one hash table).
 */
#include "bulu/strpool.h"
#include "bulu/hashidx.h"

#include <stdlib.h>
#include <string.h>

#define BLOCK (1u << 20)

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
	hashidx tab;
	struct block *blocks;
};

uint64_t strpool_hash(const void *p, size_t len)
{
	return hashidx_hash(p, len);
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

strpool *strpool_new(void)
{
	strpool *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	if (hashidx_init(&p->tab, 512) != 0 || strpool_intern(p, "", 0) != 0) {
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
	hashidx_free(&p->tab);
	free(p->strs);
	free(p);
}

struct want {
	const strpool *p;
	const char *s;
	size_t len;
};

static int same(const void *ctx, uint32_t id)
{
	const struct want *w = ctx;
	return w->p->strs[id].len == w->len && memcmp(w->p->strs[id].s, w->s, w->len) == 0;
}

uint32_t strpool_find(const strpool *p, const char *s, size_t len)
{
	struct want w = {p, s, len};
	return hashidx_find(&p->tab, hashidx_hash(s, len), same, &w);
}

uint32_t strpool_intern(strpool *p, const char *s, size_t len)
{
	struct want w = {p, s, len};
	uint64_t h = hashidx_hash(s, len);
	uint32_t found = hashidx_find(&p->tab, h, same, &w);
	if (found != HASHIDX_NONE)
		return found;
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
	uint32_t id = (uint32_t)p->n;
	if (hashidx_add(&p->tab, h, id) != 0)
		return UINT32_MAX; /* the copy stays in its block, unreachable */
	p->n++;
	p->strs[id].s = d;
	p->strs[id].len = len;
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
