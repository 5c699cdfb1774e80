/*
 * ledger.h - the central ledger: every verified entry of every station.
 *
 * A SQLite database (schemas/ledger.sql, WAL, synchronous=FULL) that any
 * sqlite3 user may query.  ledger_merge() adds a checked bundle in one
 * transaction: all of it or nothing, idempotent and order-free (the data
 * tables are keyed by content), forks kept as evidence, the import
 * recorded.  ledger_status() summarises each station's chain.
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
 * (nothing merged then). */
int ledger_merge(ledger *l, const bundle_in *b, ledger_merge_result *r, bulu_err *e);

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
