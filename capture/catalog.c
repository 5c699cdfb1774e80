/*
 * catalog.c - the price catalog snapshot charges are priced with (catalog.h).
 *
 * The newest snapshot (max load_seq in catalog_items) prices.  catalog_get
 * answers from a prepared statement for the first few lookups of a session
 * and from an in-memory hash table of the snapshot after that, so a bulk
 * import of 100,000 lines pays O(1) per line.  Loading is catalog_load.c,
 * looking items up by hand catalog_find.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sodium.h>
#include <string.h>

#include "bulu/catalog.h"
#include "bulu/hashidx.h"

/* ---- the snapshot, for pricing ---------------------------------------- */

#define HASH_AFTER 16 /* lookups answered by SQL before the table is built */

struct catalog {
	sqlite3 *db;
	int64_t load_seq;
	char version[64];
	sqlite3_stmt *get;
	size_t ngets;
	catalog_item *items; /* the snapshot, once read */
	size_t nitems;
	hashidx codes;       /* over items, by code (core/hashidx.c) */
	int hash_failed;     /* out of memory: stay with SQL */
};

static const char no_catalog[] =
	"no price catalog loaded: run `bulu catalog load FILE.csv`";

static void copy_col(char *dst, size_t n, sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);
	snprintf(dst, n, "%s", s ? (const char *)s : "");
}

int catalog_open(journal *j, catalog **out, bulu_err *e)
{
	sqlite3 *db = journal_db(j);
	sqlite3_stmt *st = NULL;
	catalog *c = calloc(1, sizeof *c);
	int rc = BULU_OK;
	*out = NULL;
	if (!c)
		return bulu_errf(e, BULU_SYSTEM, "out of memory");
	c->db = db;
	if (sqlite3_prepare_v2(db,
			       "SELECT load_seq, version FROM catalog_items "
			       "ORDER BY load_seq DESC LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK) {
		rc = bulu_errf(e, BULU_SYSTEM, "journal.db: %s", sqlite3_errmsg(db));
		goto done;
	}
	int s = sqlite3_step(st);
	if (s == SQLITE_DONE) {
		rc = bulu_errf(e, BULU_BADINPUT, "%s", no_catalog);
		goto done;
	}
	if (s != SQLITE_ROW) {
		rc = bulu_errf(e, BULU_SYSTEM, "journal.db: %s", sqlite3_errmsg(db));
		goto done;
	}
	c->load_seq = sqlite3_column_int64(st, 0);
	copy_col(c->version, sizeof c->version, st, 1);
	if (sqlite3_prepare_v3(db,
			       "SELECT code, name, pinyin, unit, category, price_fen "
			       "FROM catalog_items WHERE load_seq = ?1 AND code = ?2",
			       -1, SQLITE_PREPARE_PERSISTENT, &c->get, NULL) != SQLITE_OK)
		rc = bulu_errf(e, BULU_SYSTEM, "journal.db: %s", sqlite3_errmsg(db));
done:
	sqlite3_finalize(st);
	if (rc != BULU_OK)
		catalog_close(c);
	else
		*out = c;
	return rc;
}

void catalog_close(catalog *c)
{
	if (!c)
		return;
	sqlite3_finalize(c->get);
	free(c->items);
	hashidx_free(&c->codes);
	free(c);
}

const char *catalog_version(const catalog *c) { return c->version; }
int64_t catalog_load_seq(const catalog *c) { return c->load_seq; }

static uint64_t hash_code(const char *s)
{
	return hashidx_hash(s, strlen(s));
}

struct cfind {
	const catalog *c;
	const char *code;
};

static int code_same(const void *ctx, uint32_t i)
{
	const struct cfind *f = ctx;
	return strcmp(f->c->items[i].code, f->code) == 0;
}

static void fill_item(sqlite3_stmt *st, catalog_item *it)
{
	copy_col(it->code, sizeof it->code, st, 0);
	copy_col(it->name, sizeof it->name, st, 1);
	copy_col(it->pinyin, sizeof it->pinyin, st, 2);
	copy_col(it->unit, sizeof it->unit, st, 3);
	copy_col(it->category, sizeof it->category, st, 4);
	it->price_fen = sqlite3_column_int64(st, 5);
}

/* Read the whole snapshot into an open-addressing table.  0, or -1 (the
 * caller then keeps answering from SQL). */
static int build_hash(catalog *c)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int rc = -1;
	if (sqlite3_prepare_v2(c->db,
			       "SELECT code, name, pinyin, unit, category, price_fen "
			       "FROM catalog_items WHERE load_seq = ?1",
			       -1, &st, NULL) != SQLITE_OK)
		goto done;
	sqlite3_bind_int64(st, 1, c->load_seq);
	int s;
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		if (c->nitems == cap) {
			cap = cap ? 2 * cap : 1024;
			catalog_item *p = realloc(c->items, cap * sizeof *p);
			if (!p)
				goto done;
			c->items = p;
		}
		fill_item(st, &c->items[c->nitems++]);
	}
	if (s != SQLITE_DONE || c->nitems >= UINT32_MAX / 2)
		goto done;
	if (hashidx_init(&c->codes, c->nitems) != 0)
		goto done;
	for (size_t i = 0; i < c->nitems; i++)
		if (hashidx_add(&c->codes, hash_code(c->items[i].code), (uint32_t)i) != 0)
			goto done;
	rc = 0;
done:
	sqlite3_finalize(st);
	if (rc != 0) {
		hashidx_free(&c->codes);
		c->hash_failed = 1;
	}
	return rc;
}

int catalog_get(catalog *c, const char *code, catalog_item *out)
{
	if (!c->codes.cap && !c->hash_failed && ++c->ngets > HASH_AFTER)
		build_hash(c);
	if (c->codes.cap) {
		struct cfind f = {c, code};
		uint32_t i = hashidx_find(&c->codes, hash_code(code), code_same, &f);
		if (i == HASHIDX_NONE)
			return -1;
		*out = c->items[i];
		return 0;
	}
	sqlite3_stmt *st = c->get;
	sqlite3_bind_int64(st, 1, c->load_seq);
	sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
	int found = sqlite3_step(st) == SQLITE_ROW;
	if (found)
		fill_item(st, out);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return found ? 0 : -1;
}
