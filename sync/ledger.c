/*
 * ledger.c - the central ledger: open, merge a checked bundle, summarise.
 *
 * A merge inserts the bundle's checked rows with INSERT OR IGNORE into
 * entries (or drill_entries, for drill episodes), with its signed head and
 * the import's record, all or nothing: its own transaction, or a savepoint
 * inside a batch that a group commit makes durable with its neighbours.
 * The tables are keyed by (station, seq, hash), so importing again adds
 * nothing, any order gives the same rows, and a second entry for a station
 * and seq (a fork) is kept beside the first.  An importer syncs the WAL
 * and copies it into the ledger file on threads of its own, behind the
 * merging (ledger_sync_behind, ledger_checkpoint_behind).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <unistd.h>

#include "bulu/buf.h"
#include "bulu/clock.h"
#include "bulu/fsutil.h"
#include "bulu/ledger.h"

extern const char schema_ledger_sql[];

#define LEDGER_APP_ID 1112886348 /* 'BULL': a bulu ledger */

/*
 * bulu_rows(ROWS, DRILL): a table-valued function over a checked bundle's
 * rows in memory (bundle_in.rows), the entries (DRILL = 0) or the drill
 * entries (DRILL = 1), passed as a pointer (sqlite3_bind_pointer).  It lets
 * one INSERT ... SELECT merge a whole bundle, as fast as copying from an
 * attached database, without ATTACH (refused inside a transaction, and a
 * group commit keeps one open across bundles).  Registered on the ledger's
 * connection only; nothing is stored.
 */
#define ROWS_POINTER "bulu_rows"

enum { RC_STATION, RC_SEQ, RC_PREV, RC_HASH, RC_SIG, RC_KIND, RC_AT, RC_OPERATOR, RC_EPISODE, RC_BODY,
       RC_ROWS, RC_DRILL };

typedef struct rows_cursor {
	sqlite3_vtab_cursor base;
	const bundle_in *b;
	int drill;
	int64_t i;
} rows_cursor;

static int rows_connect(sqlite3 *db, void *aux, int argc, const char *const *argv, sqlite3_vtab **out,
			char **err)
{
	(void)aux, (void)argc, (void)argv, (void)err;
	int rc = sqlite3_declare_vtab(db, "CREATE TABLE x(station, seq, prev_hash, hash, sig, kind, recorded_at, "
					  "operator, episode, body, rows HIDDEN, drill HIDDEN)");
	if (rc != SQLITE_OK)
		return rc;
	/* Only our own statements use it, never a trigger or view. */
	sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY);
	if (!(*out = sqlite3_malloc(sizeof **out)))
		return SQLITE_NOMEM;
	memset(*out, 0, sizeof **out);
	return SQLITE_OK;
}

static int rows_disconnect(sqlite3_vtab *v)
{
	sqlite3_free(v);
	return SQLITE_OK;
}

/* Both hidden arguments must be given: the plan is then always a scan. */
static int rows_best_index(sqlite3_vtab *v, sqlite3_index_info *ii)
{
	(void)v;
	int at[2] = {-1, -1};
	for (int i = 0; i < ii->nConstraint; i++) {
		const struct sqlite3_index_constraint *c = &ii->aConstraint[i];
		if (c->iColumn < RC_ROWS || c->op != SQLITE_INDEX_CONSTRAINT_EQ)
			continue;
		if (!c->usable)
			return SQLITE_CONSTRAINT;
		at[c->iColumn - RC_ROWS] = i;
	}
	if (at[0] < 0 || at[1] < 0)
		return SQLITE_CONSTRAINT;
	for (int k = 0; k < 2; k++) {
		ii->aConstraintUsage[at[k]].argvIndex = k + 1;
		ii->aConstraintUsage[at[k]].omit = 1;
	}
	ii->estimatedCost = 1000;
	ii->estimatedRows = 1000;
	return SQLITE_OK;
}

static int rows_open(sqlite3_vtab *v, sqlite3_vtab_cursor **out)
{
	(void)v;
	rows_cursor *c = sqlite3_malloc(sizeof *c);
	if (!c)
		return SQLITE_NOMEM;
	memset(c, 0, sizeof *c);
	*out = &c->base;
	return SQLITE_OK;
}

static int rows_close(sqlite3_vtab_cursor *cur)
{
	sqlite3_free(cur);
	return SQLITE_OK;
}

static int is_drill(const char *episode)
{
	return strncmp(episode, "DRILL-", 6) == 0;
}

/* Skip to the next row of the kind asked for (from c->i on).  A bundle
 * whose rows are all of one kind (nearly every one) needs no look at each
 * row's episode: the merging thread is the import's slower stage. */
static void rows_seek(rows_cursor *c)
{
	const bundle_in *b = c->b;
	if (b->n_drill == 0 || b->n_drill == b->n_entries) {
		if ((b->n_drill != 0) != c->drill)
			c->i = b->n_entries;
		return;
	}
	while (c->i < b->n_entries && is_drill(b->rows[c->i].episode) != c->drill)
		c->i++;
}

static int rows_filter(sqlite3_vtab_cursor *cur, int idx, const char *idxstr, int argc, sqlite3_value **argv)
{
	(void)idx, (void)idxstr;
	rows_cursor *c = (rows_cursor *)cur;
	c->b = argc == 2 ? sqlite3_value_pointer(argv[0], ROWS_POINTER) : NULL;
	c->drill = argc == 2 && sqlite3_value_int(argv[1]) != 0;
	c->i = 0;
	if (c->b && c->b->rows)
		rows_seek(c);
	return SQLITE_OK;
}

static int rows_next(sqlite3_vtab_cursor *cur)
{
	rows_cursor *c = (rows_cursor *)cur;
	c->i++;
	rows_seek(c);
	return SQLITE_OK;
}

static int rows_eof(sqlite3_vtab_cursor *cur)
{
	rows_cursor *c = (rows_cursor *)cur;
	return !c->b || !c->b->rows || c->i >= c->b->n_entries;
}

/* Each field exactly as hashed; the memory outlives the statement. */
static int rows_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col)
{
	rows_cursor *c = (rows_cursor *)cur;
	const entry *en = &c->b->rows[c->i];
	switch (col) {
	case RC_STATION: sqlite3_result_text(ctx, en->station, -1, SQLITE_STATIC); break;
	case RC_SEQ: sqlite3_result_int64(ctx, en->seq); break;
	case RC_PREV: sqlite3_result_blob(ctx, en->prev_hash, ENTRY_HASH_BYTES, SQLITE_STATIC); break;
	case RC_HASH: sqlite3_result_blob(ctx, en->hash, ENTRY_HASH_BYTES, SQLITE_STATIC); break;
	case RC_SIG: sqlite3_result_blob(ctx, en->sig, ENTRY_SIG_BYTES, SQLITE_STATIC); break;
	case RC_KIND: sqlite3_result_text(ctx, en->kind, -1, SQLITE_STATIC); break;
	case RC_AT: sqlite3_result_text(ctx, en->recorded_at, -1, SQLITE_STATIC); break;
	case RC_OPERATOR: sqlite3_result_text(ctx, en->operator_, -1, SQLITE_STATIC); break;
	case RC_EPISODE: sqlite3_result_text(ctx, en->episode, -1, SQLITE_STATIC); break;
	case RC_BODY: sqlite3_result_text64(ctx, en->body, en->body_len, SQLITE_STATIC, SQLITE_UTF8); break;
	default: sqlite3_result_null(ctx); break;
	}
	return SQLITE_OK;
}

static int rows_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid)
{
	*rowid = ((rows_cursor *)cur)->i;
	return SQLITE_OK;
}

static const sqlite3_module rows_module = {
	.iVersion = 0,
	.xConnect = rows_connect,
	.xBestIndex = rows_best_index,
	.xDisconnect = rows_disconnect,
	.xOpen = rows_open,
	.xClose = rows_close,
	.xFilter = rows_filter,
	.xNext = rows_next,
	.xEof = rows_eof,
	.xColumn = rows_column,
	.xRowid = rows_rowid,
};

/* The statements a merge runs for every bundle, prepared once per ledger
 * (sqlite3_prepare costs as much as merging a few hundred rows). */
enum {
	ST_BEFORE,   /* entries already held in the bundle's range */
	ST_ENTRIES,  /* the bundle's entries */
	ST_DRILLS,   /* the bundle's drill entries */
	ST_FORKS,    /* seqs of the range now held with two hashes */
	ST_HEAD,     /* the bundle's signed head */
	ST_RECORD,   /* the imports row */
	ST_N
};

/* The background checkpointer (ledger_checkpoint_behind). */
struct checkpointer {
	sqlite3 *db;          /* its own connection to the ledger */
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int wal_frames;       /* frames in the WAL after the last commit */
	int64_t commits;      /* commits so far (the WAL hook counts them) */
	int64_t passes;       /* checkpoint passes begun after commit number this */
	int stop;
};

/* The WAL syncer (ledger_sync_behind). */
struct syncer {
	int fd;               /* the ledger's -wal file, opened by us */
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int64_t asked;        /* commits handed over so far (their tickets) */
	int64_t done;         /* every commit up to this ticket is durable */
	int err;              /* errno of a failed sync: nothing after it is durable */
	int dir_synced;       /* the directory entry of the WAL is durable */
	int stop;
};

struct ledger {
	sqlite3 *db;
	char path[PATH_MAX];
	sqlite3_stmt *st[ST_N]; /* prepared on first use */
	int batch;           /* a group commit's transaction is open */
	int64_t page_size;
	struct checkpointer *ck;
	struct syncer *sy;
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

/* single: only one thread ever uses the connection (the importer's
 * merging thread), so SQLite need not take its mutex on every call: a
 * merge binds ten values per entry, millions of calls. */
static int open_ledger(const char *path, int create, int single, ledger **out, bulu_err *e)
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
	if (sqlite3_open_v2(path, &l->db, SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) |
						  (single ? SQLITE_OPEN_NOMUTEX : 0), NULL) !=
	    SQLITE_OK) {
		rc = sqlerr(l, e, "cannot open");
		goto fail;
	}
	sqlite3_busy_timeout(l->db, 30000);
	if (sqlite3_create_module_v2(l->db, "bulu_rows", &rows_module, NULL, NULL) != SQLITE_OK) {
		rc = sqlerr(l, e, "cannot open");
		goto fail;
	}
	int fresh = !exists;
	if (exists) {
		int64_t app = one_int(l->db, "PRAGMA application_id");
		/* A ledger whose making was cut short (killed, or the disk full,
		 * between creating the file and committing its schema) is an
		 * empty database: an importer makes it now. */
		if (app == 0 && create && one_int(l->db, "SELECT count(*) FROM sqlite_schema") == 0) {
			fresh = 1;
		} else if (app != LEDGER_APP_ID) {
			rc = app < 0 ? sqlerr(l, e, "cannot read")
				     : bulu_errf(e, BULU_BADINPUT, "%s is not a bulu ledger", path);
			goto fail;
		}
	}
	/* 64 KiB pages: a ledger holds millions of ~600-byte entries, and
	 * bigger pages cut SQLite's per-page work by a fifth (docs/benchmarks.md).
	 * (No effect on a file already in WAL mode: its page size is set.) */
	if (fresh && sqlite3_exec(l->db, "PRAGMA page_size = 65536", NULL, NULL, NULL) != SQLITE_OK) {
		rc = sqlerr(l, e, "cannot create");
		goto fail;
	}
	/* A writer's page cache holds a whole batch (import_cmd.c: 64 MB of
	 * entries, about 75 MB of pages) so that SQLite does not spill it into
	 * the WAL mid-transaction; the importer's is no larger than that needs,
	 * as every page of it is first touched (and zeroed) while merging. */
	if (sqlite3_exec(l->db, single ? "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; "
				      "PRAGMA cache_size = -163840"
				    : "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; "
				      "PRAGMA cache_size = -262144",
			 NULL, NULL, NULL) != SQLITE_OK) {
		rc = sqlerr(l, e, "cannot open");
		goto fail;
	}
	l->page_size = one_int(l->db, "PRAGMA page_size");
	if (fresh) {
		if (sqlite3_exec(l->db, "BEGIN IMMEDIATE; PRAGMA application_id = 1112886348; PRAGMA user_version = 1;",
				 NULL, NULL, NULL) != SQLITE_OK) {
			rc = sqlerr(l, e, "cannot create");
			if (!sqlite3_get_autocommit(l->db))
				sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
			goto fail;
		}
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

int ledger_open(const char *path, int create, ledger **out, bulu_err *e)
{
	return open_ledger(path, create, 0, out, e);
}

int ledger_open_importer(const char *path, ledger **out, bulu_err *e)
{
	return open_ledger(path, 1, 1, out, e);
}

static void checkpointer_stop(ledger *l);
static void syncer_stop(ledger *l);

void ledger_close(ledger *l)
{
	if (!l)
		return;
	ledger_batch_abort(l);
	syncer_stop(l);
	checkpointer_stop(l);
	for (size_t i = 0; i < sizeof l->st / sizeof l->st[0]; i++)
		sqlite3_finalize(l->st[i]);
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

static const char *const stmt_sql[ST_N] = {
	[ST_BEFORE] = "SELECT (SELECT count(*) FROM entries WHERE station = ?1 AND seq BETWEEN ?2 AND ?3)"
		      " + (SELECT count(*) FROM drill_entries WHERE station = ?1 AND seq BETWEEN ?2 AND ?3)",
	[ST_ENTRIES] = "INSERT OR IGNORE INTO entries (" JOURNAL_COLUMNS ") SELECT " JOURNAL_COLUMNS
		       " FROM bulu_rows(?1, 0)",
	[ST_DRILLS] = "INSERT OR IGNORE INTO drill_entries (" JOURNAL_COLUMNS ") SELECT " JOURNAL_COLUMNS
		      " FROM bulu_rows(?1, 1)",
	[ST_FORKS] = "SELECT count(*) FROM (SELECT seq FROM all_entries WHERE station = ?1 "
		     "AND seq BETWEEN ?2 AND ?3 GROUP BY seq HAVING count(*) > 1)",
	[ST_HEAD] = "INSERT OR IGNORE INTO heads VALUES (?, ?, ?)",
	[ST_RECORD] = "INSERT INTO imports (imported_at, file, file_hash, size, station, first_seq, "
		      "last_seq, sealed, result, entries, new_entries, forks, reason) "
		      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
};

static sqlite3_stmt *stmt(ledger *l, int which, bulu_err *e, const char *what)
{
	if (!l->st[which] && sqlite3_prepare_v3(l->db, stmt_sql[which], -1, SQLITE_PREPARE_PERSISTENT,
						&l->st[which], NULL) != SQLITE_OK) {
		sqlerr(l, e, what);
		return NULL;
	}
	return l->st[which];
}

/* Step a prepared statement once and reset it; its first column into
 * *v when it returns a row.  BULU_OK or the SQLite failure. */
static int step_once(ledger *l, sqlite3_stmt *st, int64_t *v, bulu_err *e, const char *what)
{
	int s = sqlite3_step(st);
	if (v && s == SQLITE_ROW)
		*v = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return s == SQLITE_DONE || s == SQLITE_ROW ? BULU_OK : sqlerr(l, e, what);
}

/* Count over the bundle's station and range with statement which. */
static int range_count(ledger *l, int which, const bundle_in *b, int64_t *v, bulu_err *e)
{
	sqlite3_stmt *st = stmt(l, which, e, "merging");
	if (!st)
		return BULU_SYSTEM;
	sqlite3_bind_text(st, 1, b->claim.station, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, b->first);
	sqlite3_bind_int64(st, 3, b->last);
	return step_once(l, st, v, e, "merging");
}

/* The bundle's checked rows into the ledger: one INSERT OR IGNORE ... SELECT
 * over bulu_rows per table.  The rows come in seq order, the table's key
 * order, so each insert lands beside the previous one. */
static int insert_rows(ledger *l, int which, const bundle_in *b, int64_t *n, bulu_err *e)
{
	sqlite3_stmt *st = stmt(l, which, e, "merging");
	if (!st)
		return BULU_SYSTEM;
	sqlite3_bind_pointer(st, 1, (void *)b, ROWS_POINTER, NULL);
	int s = sqlite3_step(st);
	*n = s == SQLITE_DONE ? sqlite3_changes64(l->db) : 0;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st); /* b is not kept */
	return s == SQLITE_DONE ? BULU_OK : sqlerr(l, e, "merging");
}

static int merge_entries(ledger *l, const bundle_in *b, ledger_merge_result *r, bulu_err *e)
{
	int64_t before = 0, n = 0;
	int rc = range_count(l, ST_BEFORE, b, &before, e);
	if (rc == BULU_OK && b->n_drill < b->n_entries) {
		rc = insert_rows(l, ST_ENTRIES, b, &n, e);
		r->new_entries += n;
	}
	if (rc == BULU_OK && b->n_drill > 0) {
		rc = insert_rows(l, ST_DRILLS, b, &n, e);
		r->new_entries += n;
	}
	/* A fork can only appear where the ledger held entries already. */
	if (rc == BULU_OK && before > 0)
		rc = range_count(l, ST_FORKS, b, &r->forks, e);
	return rc;
}

static const char *result_name(enum bundle_result r)
{
	return r == BUNDLE_MERGE ? "merged" : r == BUNDLE_SALVAGE ? "salvaged" : "rejected";
}

static int record(ledger *l, const bundle_in *b, const ledger_merge_result *r, bulu_err *e)
{
	char now[CLOCK_ISO_MAX], hex[2 * MINISIG_PREHASH_BYTES + 1];
	sqlite3_stmt *st = stmt(l, ST_RECORD, e, "recording the import");
	if (!st)
		return BULU_SYSTEM;
	clock_now_iso(now);
	hex_encode(hex, b->file_hash, MINISIG_PREHASH_BYTES);
	sqlite3_clear_bindings(st);
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
	return step_once(l, st, NULL, e, "recording the import");
}

static int add_head(ledger *l, const bundle_in *b, bulu_err *e)
{
	sqlite3_stmt *st = stmt(l, ST_HEAD, e, "merging");
	if (!st)
		return BULU_SYSTEM;
	sqlite3_bind_text(st, 1, b->claim.station, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, b->claim.last);
	sqlite3_bind_blob(st, 3, b->claim.head, ENTRY_HASH_BYTES, SQLITE_STATIC);
	return step_once(l, st, NULL, e, "merging");
}

/*
 * Checkpointing behind the merging.  SQLite's own checkpoint runs in the
 * committing thread: after a commit that leaves the WAL over 1000 pages it
 * copies them into the database file and syncs it, and the merging waits.
 * An importer instead hands that to a thread of its own with a connection
 * of its own: the WAL hook (which replaces the automatic checkpoint) wakes
 * it after every commit, and it runs a PASSIVE checkpoint while the next
 * batch is merged.  Durability is the commit's WAL sync either way; a
 * crash at any point leaves a WAL that SQLite replays on the next open.
 * So that the WAL does not grow without bound when the copying falls
 * behind, a batch does not begin while the WAL holds more than
 * CKPT_WAL_MAX bytes until a pass that began after the last commit ends
 * (the WAL then starts over from its beginning).
 */
#define CKPT_WAL_MAX ((int64_t)256 << 20)

static int wal_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
	(void)db, (void)name;
	struct checkpointer *ck = arg;
	pthread_mutex_lock(&ck->mu);
	ck->wal_frames = frames;
	ck->commits++;
	pthread_cond_broadcast(&ck->cv);
	pthread_mutex_unlock(&ck->mu);
	return SQLITE_OK;
}

static void *checkpointer_run(void *arg)
{
	struct checkpointer *ck = arg;
	pthread_mutex_lock(&ck->mu);
	for (;;) {
		while (!ck->stop && ck->passes >= ck->commits)
			pthread_cond_wait(&ck->cv, &ck->mu);
		if (ck->passes >= ck->commits)
			break; /* stopping, and nothing new to copy */
		int64_t upto = ck->commits;
		pthread_mutex_unlock(&ck->mu);
		/* A failure (a full disk, a reader holding old frames) only
		 * leaves frames in the WAL: the next pass, or the last close,
		 * copies them. */
		sqlite3_wal_checkpoint_v2(ck->db, "main", SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		pthread_mutex_lock(&ck->mu);
		ck->passes = upto;
		pthread_cond_broadcast(&ck->cv);
	}
	pthread_mutex_unlock(&ck->mu);
	return NULL;
}

int ledger_checkpoint_behind(ledger *l)
{
	if (l->ck)
		return 0;
	struct checkpointer *ck = calloc(1, sizeof *ck);
	if (!ck)
		return -1;
	if (sqlite3_open_v2(l->path, &ck->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    sqlite3_exec(ck->db, "PRAGMA synchronous = FULL", NULL, NULL, NULL) != SQLITE_OK) {
		sqlite3_close(ck->db);
		free(ck);
		return -1;
	}
	sqlite3_busy_timeout(ck->db, 30000);
	pthread_mutex_init(&ck->mu, NULL);
	pthread_cond_init(&ck->cv, NULL);
	if (pthread_create(&ck->th, NULL, checkpointer_run, ck) != 0) {
		pthread_mutex_destroy(&ck->mu);
		pthread_cond_destroy(&ck->cv);
		sqlite3_close(ck->db);
		free(ck);
		return -1; /* SQLite's own checkpoint goes on */
	}
	l->ck = ck;
	sqlite3_wal_hook(l->db, wal_hook, ck);
	return 0;
}

/* Stop the thread; the last close of the ledger copies what is left. */
static void checkpointer_stop(ledger *l)
{
	struct checkpointer *ck = l->ck;
	if (!ck)
		return;
	sqlite3_wal_hook(l->db, NULL, NULL);
	pthread_mutex_lock(&ck->mu);
	ck->stop = 1;
	ck->passes = ck->commits; /* no more passes: the close does it */
	pthread_cond_broadcast(&ck->cv);
	pthread_mutex_unlock(&ck->mu);
	pthread_join(ck->th, NULL);
	pthread_mutex_destroy(&ck->mu);
	pthread_cond_destroy(&ck->cv);
	sqlite3_close(ck->db);
	free(ck);
	l->ck = NULL;
	sqlite3_wal_autocheckpoint(l->db, 1000);
}

/* Before a batch: wait while the WAL is large and the checkpointer has
 * not yet begun copying after the last commit. */
static void checkpointer_wait(ledger *l)
{
	struct checkpointer *ck = l->ck;
	if (!ck)
		return;
	pthread_mutex_lock(&ck->mu);
	while ((int64_t)ck->wal_frames * l->page_size > CKPT_WAL_MAX && ck->passes < ck->commits)
		pthread_cond_wait(&ck->cv, &ck->mu);
	pthread_mutex_unlock(&ck->mu);
}

/*
 * Syncing behind the merging.  With synchronous=FULL every COMMIT waits
 * for its WAL sync (~70 ms for a batch), and the merging waits with it.
 * An importer instead runs its connection with synchronous=NORMAL, under
 * which SQLite writes a commit's frames (commit frame last) into the WAL
 * without syncing, and a thread of its own fdatasyncs the WAL file after
 * each commit while the next batch is merged; the batch's lines are
 * printed only when that sync has returned.  The same durability:
 *
 *  - fdatasync of the WAL after COMMIT returned makes every frame written
 *    before it durable, so the batch is then as durable as after a FULL
 *    commit (whose durability is exactly that sync, done inside COMMIT);
 *  - a crash before it loses that batch whole or keeps it whole: SQLite's
 *    recovery replays a WAL only up to the last valid commit frame, frame
 *    checksums chained from the header, so a transaction half on disk is
 *    dropped, and so is everything after it.  What the ledger holds after
 *    any crash is therefore the batches up to some point, each whole;
 *  - SQLite itself still syncs wherever order matters: the checkpointer's
 *    own connection (FULL) syncs the WAL before copying frames into the
 *    database file, and the WAL header is synced when the WAL starts over
 *    (both are SQLite's "checkpoint" sync flags, kept under NORMAL);
 *  - the WAL file's directory entry is synced once, after the first sync,
 *    in case this import created the WAL.
 *
 * The WAL is the same file for the whole life of the connection (SQLite
 * overwrites it from the start when it restarts it, and deletes it only
 * when the last connection closes), so one descriptor of our own serves;
 * SQLite keeps no POSIX locks on the -wal file, so ours disturbs none.
 * A failed sync is final: no later commit counts as durable, and the
 * import stops (exit 4) without printing the lines of what was not synced.
 */
static void *syncer_run(void *arg)
{
	ledger *l = arg;
	struct syncer *sy = l->sy;
	pthread_mutex_lock(&sy->mu);
	for (;;) {
		while (!sy->stop && sy->done >= sy->asked)
			pthread_cond_wait(&sy->cv, &sy->mu);
		if (sy->done >= sy->asked || sy->err)
			break;
		int64_t upto = sy->asked;
		int dir = !sy->dir_synced;
		pthread_mutex_unlock(&sy->mu);
		int rc = fdatasync(sy->fd) == 0 ? 0 : errno;
		if (rc == 0 && dir && fs_sync_dir(l->path) != 0)
			rc = errno ? errno : EIO;
		pthread_mutex_lock(&sy->mu);
		if (rc) {
			sy->err = rc;
		} else {
			sy->done = upto;
			sy->dir_synced = 1;
		}
		pthread_cond_broadcast(&sy->cv);
	}
	pthread_cond_broadcast(&sy->cv);
	pthread_mutex_unlock(&sy->mu);
	return NULL;
}

int ledger_sync_behind(ledger *l)
{
	if (l->sy)
		return 0;
	if (l->batch || !sqlite3_get_autocommit(l->db))
		return -1;
	char wal[PATH_MAX + 8];
	snprintf(wal, sizeof wal, "%s-wal", l->path);
	struct syncer *sy = calloc(1, sizeof *sy);
	if (!sy)
		return -1;
	/* A read-only descriptor: fdatasync needs no write access. */
	if ((sy->fd = open(wal, O_RDONLY | O_CLOEXEC)) < 0) {
		free(sy);
		return -1;
	}
	pthread_mutex_init(&sy->mu, NULL);
	pthread_cond_init(&sy->cv, NULL);
	l->sy = sy;
	if (pthread_create(&sy->th, NULL, syncer_run, l) != 0) {
		l->sy = NULL;
		goto fail;
	}
	if (sqlite3_exec(l->db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL) != SQLITE_OK) {
		syncer_stop(l);
		return -1;
	}
	return 0;
fail:
	pthread_mutex_destroy(&sy->mu);
	pthread_cond_destroy(&sy->cv);
	close(sy->fd);
	free(sy);
	return -1;
}

/* A ticket for everything committed so far; 0 when commits are durable
 * by themselves (no syncer: synchronous=FULL). */
static int64_t sync_ask(ledger *l)
{
	struct syncer *sy = l->sy;
	if (!sy)
		return 0;
	pthread_mutex_lock(&sy->mu);
	int64_t t = ++sy->asked;
	pthread_cond_broadcast(&sy->cv);
	pthread_mutex_unlock(&sy->mu);
	return t;
}

int ledger_durable(ledger *l, int64_t ticket, bulu_err *e)
{
	struct syncer *sy = l->sy;
	if (!sy || ticket <= 0)
		return BULU_OK;
	pthread_mutex_lock(&sy->mu);
	while (!sy->err && sy->done < ticket)
		pthread_cond_wait(&sy->cv, &sy->mu);
	int done = sy->done >= ticket, err = sy->err;
	pthread_mutex_unlock(&sy->mu);
	if (done)
		return BULU_OK;
	return bulu_errf(e, BULU_SYSTEM, "%s: syncing the ledger's WAL failed: %s%s", l->path, strerror(err),
			 err == ENOSPC || err == EDQUOT ? " (the disk is full)" : "");
}

int ledger_sync_settled(ledger *l, int64_t ticket)
{
	struct syncer *sy = l->sy;
	if (!sy || ticket <= 0)
		return 1;
	pthread_mutex_lock(&sy->mu);
	int settled = sy->err || sy->done >= ticket;
	pthread_mutex_unlock(&sy->mu);
	return settled;
}

/* Stop the syncer after it has synced what it was asked to; back to FULL. */
static void syncer_stop(ledger *l)
{
	struct syncer *sy = l->sy;
	if (!sy)
		return;
	pthread_mutex_lock(&sy->mu);
	sy->stop = 1;
	pthread_cond_broadcast(&sy->cv);
	pthread_mutex_unlock(&sy->mu);
	pthread_join(sy->th, NULL);
	pthread_mutex_destroy(&sy->mu);
	pthread_cond_destroy(&sy->cv);
	close(sy->fd);
	free(sy);
	l->sy = NULL;
	if (sqlite3_get_autocommit(l->db))
		sqlite3_exec(l->db, "PRAGMA synchronous = FULL", NULL, NULL, NULL);
}

int ledger_batch_begin(ledger *l, bulu_err *e)
{
	if (l->batch)
		return BULU_OK;
	checkpointer_wait(l);
	if (sqlite3_exec(l->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return sqlerr(l, e, "merging");
	l->batch = 1;
	return BULU_OK;
}

int ledger_batch_commit_behind(ledger *l, int64_t *ticket, bulu_err *e)
{
	*ticket = 0;
	if (!l->batch)
		return BULU_OK;
	l->batch = 0;
	if (sqlite3_exec(l->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK) {
		*ticket = sync_ask(l);
		return BULU_OK;
	}
	int rc = sqlerr(l, e, "committing");
	/* Whatever SQLite left of the transaction goes: none of it was durable. */
	if (!sqlite3_get_autocommit(l->db))
		sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int ledger_batch_commit(ledger *l, bulu_err *e)
{
	int64_t t;
	int rc = ledger_batch_commit_behind(l, &t, e);
	return rc == BULU_OK ? ledger_durable(l, t, e) : rc;
}

void ledger_batch_abort(ledger *l)
{
	if (l && l->batch && !sqlite3_get_autocommit(l->db))
		sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
	if (l)
		l->batch = 0;
}

/* The bundle's rows, head and imports row, or on failure none of them:
 * a savepoint inside a batch, a transaction of its own outside one. */
int ledger_merge(ledger *l, const bundle_in *b, ledger_merge_result *r, bulu_err *e)
{
	memset(r, 0, sizeof *r);
	int entries = b->result != BUNDLE_REJECT && b->n_entries > 0 && b->rows;
	int batch = l->batch;
	if (sqlite3_exec(l->db, batch ? "SAVEPOINT bundle" : "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return sqlerr(l, e, "merging");
	int rc = BULU_OK;
	if (entries)
		rc = merge_entries(l, b, r, e);
	if (rc == BULU_OK && b->result != BUNDLE_REJECT && b->claim_ok)
		rc = add_head(l, b, e);
	if (rc == BULU_OK)
		rc = record(l, b, r, e);
	if (rc == BULU_OK && sqlite3_exec(l->db, batch ? "RELEASE bundle" : "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		rc = sqlerr(l, e, "merging");
	/* A transaction of its own is durable when this returns. */
	if (rc == BULU_OK && !batch)
		return ledger_durable(l, sync_ask(l), e);
	if (rc != BULU_OK) {
		/* Undo this bundle only: the batch's earlier bundles stay. */
		if (batch && !sqlite3_get_autocommit(l->db))
			sqlite3_exec(l->db, "ROLLBACK TO bundle; RELEASE bundle", NULL, NULL, NULL);
		else if (!batch && !sqlite3_get_autocommit(l->db))
			sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
		/* SQLite rolls a whole transaction back on some errors (a full
		 * disk, I/O): then the batch is gone too. */
		if (batch && sqlite3_get_autocommit(l->db))
			l->batch = 0;
		memset(r, 0, sizeof *r);
	}
	return rc;
}

int ledger_batch_open(const ledger *l) { return l && l->batch; }
