/*
 * ledger.h - the central ledger: every verified entry of every station.
 *
 * A SQLite database (schemas/ledger.sql, WAL, synchronous=FULL, or NORMAL
 * with the WAL synced by a thread: ledger_sync_behind) that any
 * sqlite3 user may query.  ledger_merge() adds a checked bundle, all of it
 * or nothing (alone, or in a batch committed together), idempotent and
 * order-free (the data tables are keyed by content), forks kept as
 * evidence, the import recorded.  ledger_status() summarises each
 * station's chain.
 */
#ifndef BULU_LEDGER_H
#define BULU_LEDGER_H
#include <sqlite3.h>
#include <stdint.h>
#include "bulu/bundle.h"
#include "bulu/err.h"

typedef struct ledger ledger;

/* Open path; create it (with the schema) when create and it is missing.
 * BULU_BADINPUT when it is missing or not a bulu ledger. */
int ledger_open(const char *path, int create, ledger **out, bulu_err *e);
/* ledger_open(path, 1, ...) for `bulu sync import`: the connection is then
 * used by one thread only (the merging one), and SQLite skips its mutex. */
int ledger_open_importer(const char *path, ledger **out, bulu_err *e);
/* For a long import: copy the WAL into the database file on a thread of
 * its own after each commit, instead of in the committing thread.  0, or
 * -1 when it cannot start (SQLite's own checkpointing then goes on). */
int ledger_checkpoint_behind(ledger *l);
/* Closing rolls back an open batch (ledger_batch_begin) uncommitted. */
void ledger_close(ledger *l);
sqlite3 *ledger_db(ledger *l);

/* The file hashes (MINISIG_PREHASH_BYTES each, sorted, concatenated) of
 * every bundle merged or salvaged before: importing the same bytes again
 * is skipped without opening them.  Caller frees *hashes. */
int ledger_done_hashes(ledger *l, uint8_t **hashes, size_t *n, bulu_err *e);

/* What one import did. */
typedef struct ledger_merge_result {
	int64_t new_entries; /* entries not held before */
	int64_t forks;       /* seqs of the bundle now held with two hashes */
} ledger_merge_result;

/* Merge a checked bundle (result MERGE or SALVAGE) and record the import;
 * for REJECT only record it.  BULU_OK, or BULU_SYSTEM when SQLite fails
 * (nothing of this bundle merged then).  Outside a batch the bundle is one
 * durable transaction of its own.  Inside a batch it is a savepoint: all of
 * it or none of it, durable only once ledger_batch_commit() succeeds. */
int ledger_merge(ledger *l, const bundle_in *b, ledger_merge_result *r, bulu_err *e);

/*
 * Group commit: ledger_batch_begin() opens one write transaction for the
 * next ledger_merge() calls, ledger_batch_commit() makes them durable
 * together (one WAL sync instead of one per bundle).  A crash or a failed
 * commit before that leaves the ledger as it was before the batch: none of
 * the batch's bundles are merged or recorded, and importing them again
 * merges them.  A failed merge inside a batch undoes only that bundle,
 * unless SQLite gave up the whole transaction (a full disk, an I/O error):
 * then ledger_batch_open() says 0 and the batch is gone.  Beginning while a
 * batch is open, or committing with none open, does nothing.
 */
int ledger_batch_begin(ledger *l, bulu_err *e);
int ledger_batch_commit(ledger *l, bulu_err *e);
/*
 * For a long import: make commits durable on a thread of its own
 * (synchronous=NORMAL, and an fdatasync of the WAL after each commit)
 * instead of in COMMIT, so the next batch is merged while the disk works
 * (sync/ledger.c tells why that is as durable).  0, or -1 when it cannot
 * start (commits then stay durable by themselves: synchronous=FULL).
 * ledger_batch_commit_behind() commits without waiting for the disk and
 * gives a ticket; the batch is durable once ledger_durable() of that ticket
 * returns BULU_OK (BULU_SYSTEM: the sync failed, and neither it nor any
 * later batch may be counted as kept).  ledger_sync_settled() says,
 * without waiting, whether ledger_durable() would return at once.  Without
 * the thread, tickets are 0 and already durable.
 */
int ledger_sync_behind(ledger *l);
int ledger_batch_commit_behind(ledger *l, int64_t *ticket, bulu_err *e);
int ledger_durable(ledger *l, int64_t ticket, bulu_err *e);
int ledger_sync_settled(ledger *l, int64_t ticket);
void ledger_batch_abort(ledger *l);
int ledger_batch_open(const ledger *l);

/* Ranges of seqs as text "1-120,151-200" (or "" for none). */
typedef struct ledger_station {
	char station[64];
	char dept[128], role[64];
	int64_t entries, drill_entries;  /* distinct seqs held */
	int64_t first, last;             /* lowest and highest seq held */
	int64_t head;                    /* highest seq any signed head names */
	char *held;                      /* ranges held */
	char *gaps;                      /* ranges missing below max(last, head) */
	int64_t n_gap_seqs;
	char *forks;                     /* seqs held with more than one hash */
	int64_t n_forks;
	char *unlinked;                  /* seqs whose prev_hash matches no entry held */
	int64_t n_unlinked;
	char last_recorded_at[64];       /* station clock of the last entry held */
	char last_import[64];            /* when its last bundle was imported */
	char last_import_result[16];
} ledger_station;

/* Every station's status, sorted by station.  Caller frees with
 * ledger_status_free(). */
int ledger_status(ledger *l, ledger_station **out, size_t *n, bulu_err *e);
void ledger_status_free(ledger_station *v, size_t n);
#endif
