/*
 * catalog.h - the price catalog snapshot (价表) a station prices from.
 *
 * `bulu catalog load` keeps every snapshot (table catalog_items, by version)
 * and appends a catalog_load entry (version, item count, digest) so the
 * journal says which prices were in force; charges price from the newest
 * snapshot and record its version.
 */
#ifndef BULU_CATALOG_H
#define BULU_CATALOG_H

#include <stdint.h>
#include "bulu/err.h"
#include "bulu/journal.h"

typedef struct catalog_item {
	char code[64];
	char name[256];
	char pinyin[64];
	char unit[32];
	char category[64];
	int64_t price_fen;
} catalog_item;

typedef struct catalog catalog;

/* Open the newest snapshot.  No catalog loaded: BULU_BADINPUT saying to run
 * `bulu catalog load`. */
int catalog_open(journal *j, catalog **out, bulu_err *e);
void catalog_close(catalog *c); /* NULL ok */
const char *catalog_version(const catalog *c);
/* The seq of the catalog_load entry of this snapshot. */
int64_t catalog_load_seq(const catalog *c);
/* 0 and *out filled, or -1 for an unknown code. */
int catalog_get(catalog *c, const char *code, catalog_item *out);

#endif
