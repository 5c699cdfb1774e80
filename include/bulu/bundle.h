/*
 * bundle.h - a station's entries on their way to the central ledger.
 *
 * A bundle is STATION-FIRST-LAST.bulu, a gzip file holding a SQLite
 * database (schemas/bundle.sql: the station, its public key and the
 * entries FIRST..LAST), optionally sealed to the central key (seal.h), and
 * STATION-FIRST-LAST.bulu.minisig, its minisign signature (minisig.h) by the
 * station key.  The signature's trusted comment is the bundle's "claim":
 *
 *   bulu-bundle:1 station:ST first:N last:M head:HEX size:BYTES sealed:0|1
 *
 * signed, so an importer knows what the file should hold, and how long it
 * is, before trusting a byte of it.  docs/bundle-format.md specifies it all.
 */
#ifndef BULU_BUNDLE_H
#define BULU_BUNDLE_H
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include "bulu/entry.h"
#include "bulu/err.h"
#include "bulu/journal.h"
#include "bulu/keys.h"
#include "bulu/minisig.h"
#include "bulu/roster.h"
#include "bulu/seal.h"

#define BUNDLE_FORMAT "bulu/bundle/v1"
#define BUNDLE_PAGE_SIZE 65536
/* Limits on what a bundle may make the importer read (docs/sync.md,
 * "Limits"): the .bulu file, its database once inflated (a gzip bomb stops
 * there), and one entry (its fields together).  A bundle over a limit is
 * rejected; each is configurable (sync import's --max-* options). */
#define BUNDLE_MAX_FILE ((size_t)1 << 30)
#define BUNDLE_MAX_DB ((size_t)2 << 30)
#define BUNDLE_MAX_ENTRY ((size_t)1 << 20)
/* A .minisig is four short lines. */
#define BUNDLE_MAX_SIG ((size_t)16 << 10)

typedef struct bundle_limits {
	size_t max_file, max_db, max_entry; /* 0: the default above */
} bundle_limits;

/* "1048576", "64K", "256M", "2G" (binary multiples) into *v; 0 or -1. */
int bundle_size_parse(const char *s, size_t *v);

/* What a bundle's signature says it holds. */
typedef struct bundle_claim {
	char station[64];
	int64_t first, last;
	uint8_t head[ENTRY_HASH_BYTES];
	int64_t size;   /* bytes of the .bulu file */
	int sealed;
} bundle_claim;

/* The trusted comment for c; -1 if it does not fit in n. */
int bundle_claim_format(const bundle_claim *c, char *out, size_t n);
/* Parse a trusted comment; 0, or -1 when it is not a bundle claim. */
int bundle_claim_parse(const char *text, bundle_claim *c);

/* The file name STATION-FIRST-LAST.bulu into out. */
void bundle_name(char *out, size_t n, const char *station, int64_t first, int64_t last);

/*
 * Export: the station's entries after o->since (after the last export when
 * since < 0) into o->out_dir, sealed to o->seal_to when not NULL.  Refuses
 * (BULU_INTEGRITY) when out_dir already holds a bundle of this station that
 * reaches beyond this journal or disagrees with it: the station was restored
 * from an old copy.  r->n == 0 means there was nothing new to export.
 */
typedef struct bundle_export_opts {
	const char *out_dir;
	int64_t since;
	const uint8_t *seal_to; /* central public key, or NULL */
} bundle_export_opts;

typedef struct bundle_export_result {
	char path[PATH_MAX];
	int64_t first, last, n;
	int64_t bytes;
} bundle_export_result;

int bundle_export(journal *j, const bundle_export_opts *o, bundle_export_result *r,
                  bulu_err *e);

/* How an import of one file ends. */
enum bundle_result {
	BUNDLE_MERGE = 0,   /* verified whole: merge it */
	BUNDLE_SALVAGE,     /* a damaged copy: merge the verified prefix */
	BUNDLE_REJECT,      /* nothing may be merged (reason says why) */
	BUNDLE_SKIP         /* this exact file was imported before */
};

/* Where a checked bundle's strings live (check.c). */
struct bundle_text;

/* A bundle file read and checked, ready for the ledger. */
typedef struct bundle_in {
	const char *path;
	enum bundle_result result;
	char reason[512];
	uint8_t file_hash[MINISIG_PREHASH_BYTES];
	int64_t size;
	int claim_ok;            /* claim below is signed by a roster key */
	bundle_claim claim;
	uint8_t pk[KEY_PK_BYTES];  /* the roster's key for the station */
	/* The verified entries first..last in seq order (n_entries of them; for
	 * a salvage only the verified prefix), each field exactly the bytes its
	 * hash covers.  The checker hands rows over rather than the database
	 * image, so the ledger merges them with a prepared INSERT and needs no
	 * ATTACH, which SQLite refuses inside a transaction (a group commit
	 * merges several bundles in one).  The strings live in text. */
	entry *rows;
	size_t rows_cap;
	struct bundle_text *text;
	int64_t text_bytes;      /* bytes of the rows' strings (batch sizing) */
	int64_t first, last, n_entries, n_drill;
	int sealed_unread;       /* sealed_sig_only applied: the entries were not read */
} bundle_in;

/* Membership of file hashes already imported (bundle_check skips them). */
typedef int (*bundle_seen_fn)(void *arg, const uint8_t hash[MINISIG_PREHASH_BYTES]);

typedef struct bundle_ctx {
	const roster *roster;
	const central_keys *central; /* NULL: sealed bundles cannot be opened */
	bundle_seen_fn seen;         /* may be NULL */
	void *seen_arg;
	bundle_limits lim;           /* zeros: the defaults */
	/* A sealed bundle and no central key: check the signature, the claim
	 * and the size only (b->sealed_unread set), instead of rejecting it
	 * (`bulu bundle verify` without --central). */
	int sealed_sig_only;
} bundle_ctx;

/*
 * Read b->path and its signature and check everything (docs/sync.md): the
 * signature by a roster key, the claim (the file's size included), the
 * seal, the limits, the database's shape, every hash and link, and every
 * entry's own signature (for a truncated copy, of the prefix kept).  Sets b->result and b->reason; returns
 * BULU_OK unless the system failed (memory), and never prints.
 * Thread-safe: bundle_check may run on several bundles at once.
 */
int bundle_check(bundle_in *b, const bundle_ctx *c, bulu_err *e);
/* Free the rows (the rest of b stays readable: path, result, claim, counts). */
void bundle_in_free(bundle_in *b);

/* The DDL of the bundle database (schemas/bundle.sql). */
extern const char schema_bundle_sql[];
#endif
