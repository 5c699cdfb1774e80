/*
 * ledger.c - the central ledger: open, merge a checked bundle, summarise.
 *
 * A merge attaches the bundle's verified database image and copies its
 * entries with INSERT OR IGNORE into entries (or drill_entries, for drill
 * episodes) in one transaction with the import's record.  The tables are
 * keyed by (station, seq, hash), so importing again adds nothing, any
 * order gives the same rows, and a second entry for a station and seq (a
 * fork) is kept beside the first.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "bulu/buf.h"
#include "bulu/clock.h"
#include "bulu/fsutil.h"
#include "bulu/ledger.h"

extern const char schema_ledger_sql[];

#define LEDGER_APP_ID 1112886348 /* 'BULL': a bulu ledger */

struct ledger {
	sqlite3 *db;
	char path[PATH_MAX];
};

static int sqlerr(ledger *l, bulu_err *e, const char *what)
{
	int code = sqlite3_errcode(l->db);
	if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT)
		return bulu_errf(e, BULU_BADINPUT, "%s: not a bulu ledger (%s)", l->path, sqlite3_errmsg(l->db));
	return bulu_errf(e, BULU_SYSTEM, "%s: %s: %s", l->path, what,
			 code == SQLITE_FULL ? "the disk is full; nothing was merged" : sqlite3_errmsg(l->db));
}

static int64_t one_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t v = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

int ledger_open(const char *path, int create, ledger **out, bulu_err *e)
{
	*out = NULL;
	int exists = fs_exists(path);
	if (!exists && !create)
		return bulu_errf(e, BULU_BADINPUT, "%s: no such ledger (`bulu sync import` creates it)", path);
	ledger *l = calloc(1, sizeof *l);
	if (!l)
		return bulu_errf(e, BULU_SYSTEM, "out of memory");
	snprintf(l->path, sizeof l->path, "%s", path);
	int rc = BULU_OK;
	if (sqlite3_open_v2(path, &l->db, SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0), NULL) !=
	    SQLITE_OK) {
		rc = sqlerr(l, e, "cannot open");
		goto fail;
	}
	sqlite3_busy_timeout(l->db, 30000);
	if (exists) {
		int64_t app = one_int(l->db, "PRAGMA application_id");
		if (app != LEDGER_APP_ID) {
			rc = app < 0 ? sqlerr(l, e, "cannot read")
				     : bulu_errf(e, BULU_BADINPUT, "%s is not a bulu ledger", path);
			goto fail;
		}
	}
	/* 64 KiB pages: a ledger holds millions of ~600-byte entries, and
	 * bigger pages cut SQLite's per-page work by a fifth (docs/benchmarks.md). */
	if (!exists && sqlite3_exec(l->db, "PRAGMA page_size = 65536", NULL, NULL, NULL) != SQLITE_OK) {
		rc = sqlerr(l, e, "cannot create");
		goto fail;
	}
	if (sqlite3_exec(l->db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; "
				"PRAGMA cache_size = -262144", NULL, NULL, NULL) != SQLITE_OK) {
		rc = sqlerr(l, e, "cannot open");
		goto fail;
	}
	if (!exists &&
	    sqlite3_exec(l->db, "BEGIN IMMEDIATE; PRAGMA application_id = 1112886348; PRAGMA user_version = 1;",
			 NULL, NULL, NULL) == SQLITE_OK) {
		/* Another importer may have created it meanwhile. */
		if (one_int(l->db, "SELECT count(*) FROM sqlite_schema WHERE name = 'entries'") == 0 &&
		    sqlite3_exec(l->db, schema_ledger_sql, NULL, NULL, NULL) != SQLITE_OK) {
			rc = sqlerr(l, e, "cannot create");
			sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
			goto fail;
		}
		if (sqlite3_exec(l->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
			rc = sqlerr(l, e, "cannot create");
			goto fail;
		}
	}
	*out = l;
	return BULU_OK;
fail:
	ledger_close(l);
	return rc;
}

void ledger_close(ledger *l)
{
	if (!l)
		return;
	sqlite3_close(l->db);
	free(l);
}

sqlite3 *ledger_db(ledger *l) { return l->db; }

static int cmp_hash(const void *a, const void *b)
{
	return memcmp(a, b, MINISIG_PREHASH_BYTES);
}

int ledger_done_hashes(ledger *l, uint8_t **hashes, size_t *n, bulu_err *e)
{
	sqlite3_stmt *st = NULL;
	buf out = BUF_INIT;
	*hashes = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(l->db, "SELECT DISTINCT file_hash FROM imports WHERE result IN ('merged', 'salvaged')",
			       -1, &st, NULL) != SQLITE_OK)
		return sqlerr(l, e, "cannot read imports");
	int s;
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		uint8_t h[MINISIG_PREHASH_BYTES];
		const char *hex = (const char *)sqlite3_column_text(st, 0);
		if (hex && hex_decode(h, sizeof h, hex) == 0)
			buf_put(&out, h, sizeof h);
	}
	sqlite3_finalize(st);
	if (s != SQLITE_DONE)
		return sqlerr(l, e, "cannot read imports");
	if (out.oom) {
		buf_free(&out);
		return bulu_errf(e, BULU_SYSTEM, "out of memory");
	}
	*n = out.len / MINISIG_PREHASH_BYTES;
	*hashes = (uint8_t *)buf_steal(&out, NULL);
	if (*n)
		qsort(*hashes, *n, MINISIG_PREHASH_BYTES, cmp_hash);
	return BULU_OK;
}

static int run(ledger *l, const char *sql, const bundle_in *b, int64_t *changes, bulu_err *e)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(l->db, sql, -1, &st, NULL) != SQLITE_OK)
		return sqlerr(l, e, "merging");
	for (int i = 1; i <= sqlite3_bind_parameter_count(st); i++) {
		const char *name = sqlite3_bind_parameter_name(st, i);
		if (!name)
			continue;
		if (!strcmp(name, ":station"))
			sqlite3_bind_text(st, i, b->claim.station, -1, SQLITE_STATIC);
		else if (!strcmp(name, ":first"))
			sqlite3_bind_int64(st, i, b->first);
		else if (!strcmp(name, ":last"))
			sqlite3_bind_int64(st, i, b->last);
	}
	int s = sqlite3_step(st);
	if (changes)
		*changes = s == SQLITE_ROW ? sqlite3_column_int64(st, 0) : sqlite3_changes(l->db);
	sqlite3_finalize(st);
	if (s != SQLITE_DONE && s != SQLITE_ROW)
		return sqlerr(l, e, "merging");
	return BULU_OK;
}

#define COLS JOURNAL_COLUMNS

/* The entries of the attached bundle b into the ledger. */
static int merge_entries(ledger *l, const bundle_in *b, ledger_merge_result *r, bulu_err *e)
{
	int64_t before = 0, n = 0;
	int rc = run(l, "SELECT (SELECT count(*) FROM entries WHERE station = :station AND seq BETWEEN :first AND :last)"
			" + (SELECT count(*) FROM drill_entries WHERE station = :station AND seq BETWEEN :first AND :last)",
		     b, &before, e);
	if (rc == BULU_OK && b->n_drill < b->n_entries) {
		rc = run(l, "INSERT OR IGNORE INTO entries SELECT " COLS " FROM b.entries WHERE episode NOT GLOB 'DRILL-*'",
			 b, &n, e);
		r->new_entries += n;
	}
	if (rc == BULU_OK && b->n_drill > 0) {
		rc = run(l, "INSERT OR IGNORE INTO drill_entries SELECT " COLS " FROM b.entries WHERE episode GLOB 'DRILL-*'",
			 b, &n, e);
		r->new_entries += n;
	}
	/* A fork can only appear where the ledger held entries already. */
	if (rc == BULU_OK && before > 0)
		rc = run(l, "SELECT count(*) FROM (SELECT seq FROM all_entries WHERE station = :station "
			    "AND seq BETWEEN :first AND :last GROUP BY seq HAVING count(*) > 1)",
			 b, &r->forks, e);
	return rc;
}

static const char *result_name(enum bundle_result r)
{
	return r == BUNDLE_MERGE ? "merged" : r == BUNDLE_SALVAGE ? "salvaged" : "rejected";
}

static int record(ledger *l, const bundle_in *b, const ledger_merge_result *r, bulu_err *e)
{
	sqlite3_stmt *st = NULL;
	char now[CLOCK_ISO_MAX], hex[2 * MINISIG_PREHASH_BYTES + 1];
	clock_now_iso(now);
	hex_encode(hex, b->file_hash, MINISIG_PREHASH_BYTES);
	if (sqlite3_prepare_v2(l->db, "INSERT INTO imports (imported_at, file, file_hash, size, station, first_seq, "
				      "last_seq, sealed, result, entries, new_entries, forks, reason) "
				      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK)
		return sqlerr(l, e, "recording the import");
	sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, b->path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, hex, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, b->size);
	if (b->claim_ok) {
		sqlite3_bind_text(st, 5, b->claim.station, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 6, b->claim.first);
		sqlite3_bind_int64(st, 7, b->claim.last);
		sqlite3_bind_int(st, 8, b->claim.sealed);
	}
	sqlite3_bind_text(st, 9, result_name(b->result), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 10, b->result == BUNDLE_REJECT ? 0 : b->n_entries);
	sqlite3_bind_int64(st, 11, r->new_entries);
	sqlite3_bind_int64(st, 12, r->forks);
	sqlite3_bind_text(st, 13, b->reason, -1, SQLITE_STATIC);
	int s = sqlite3_step(st);
	sqlite3_finalize(st);
	return s == SQLITE_DONE ? BULU_OK : sqlerr(l, e, "recording the import");
}

static int add_head(ledger *l, const bundle_in *b, bulu_err *e)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(l->db, "INSERT OR IGNORE INTO heads VALUES (?, ?, ?)", -1, &st, NULL) != SQLITE_OK)
		return sqlerr(l, e, "merging");
	sqlite3_bind_text(st, 1, b->claim.station, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, b->claim.last);
	sqlite3_bind_blob(st, 3, b->claim.head, ENTRY_HASH_BYTES, SQLITE_STATIC);
	int s = sqlite3_step(st);
	sqlite3_finalize(st);
	return s == SQLITE_DONE ? BULU_OK : sqlerr(l, e, "merging");
}

int ledger_merge(ledger *l, const bundle_in *b, ledger_merge_result *r, bulu_err *e)
{
	memset(r, 0, sizeof *r);
	int entries = b->result != BUNDLE_REJECT && b->n_entries > 0 && b->db;
	int rc = BULU_OK;
	if (entries) {
		if (sqlite3_exec(l->db, "ATTACH ':memory:' AS b", NULL, NULL, NULL) != SQLITE_OK)
			return sqlerr(l, e, "merging");
		if (sqlite3_deserialize(l->db, "b", b->db, b->db_len, b->db_len, 0) !=
		    SQLITE_OK) {
			rc = sqlerr(l, e, "merging");
			sqlite3_exec(l->db, "DETACH b", NULL, NULL, NULL);
			return rc;
		}
	}
	if (sqlite3_exec(l->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		rc = sqlerr(l, e, "merging");
	int in_txn = rc == BULU_OK;
	if (rc == BULU_OK && entries)
		rc = merge_entries(l, b, r, e);
	if (rc == BULU_OK && b->result != BUNDLE_REJECT && b->claim_ok)
		rc = add_head(l, b, e);
	if (rc == BULU_OK)
		rc = record(l, b, r, e);
	if (rc == BULU_OK && sqlite3_exec(l->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		rc = sqlerr(l, e, "merging");
	if (rc != BULU_OK && in_txn)
		sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
	if (entries)
		sqlite3_exec(l->db, "DETACH b", NULL, NULL, NULL);
	if (rc != BULU_OK)
		memset(r, 0, sizeof *r);
	return rc;
}
