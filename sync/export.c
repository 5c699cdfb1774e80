/*
 * export.c - `bulu sync export`: a station's new entries into a signed
 * (optionally sealed) bundle on a USB stick or a LAN spool.
 *
 * The bundle database is built in memory with 64 KiB pages, entries in seq
 * order, so a truncated copy still holds its leading entries.  Both files
 * are written under new temporary names, synced, then renamed (signature
 * first, bundle second, the directory synced after each), so a pulled
 * stick or a kill never leaves a half file under a final name, nor a
 * bundle without its signature.  Only then is the export recorded
 * in the station's `exports` table, which the next export starts from.
 *
 * Every entry of the range is verified while it is copied (its hash from
 * its fields, its link, its Ed25519 signature under the station key, the
 * first entry's link to the entry before the range): the station never
 * signs a bundle that an importer, or an auditor, would find a bad entry in.
 *
 * Before writing, the target directory is searched for this station's
 * earlier bundles: one that reaches beyond this journal, or names another
 * hash for a seq this journal holds, means the station was restored from an
 * old copy after exporting, and exporting would fork its chain silently.
 */
#include <dirent.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <unistd.h>

#include "bulu/buf.h"
#include "bulu/bundle.h"
#include "bulu/clock.h"
#include "bulu/fsutil.h"
#include "bulu/gz.h"
#include "bulu/text.h"

extern const char schema_exports_sql[];

static int sqlerr(sqlite3 *db, bulu_err *e, const char *what)
{
	return bulu_errf(e, BULU_SYSTEM, "%s: %s", what, sqlite3_errmsg(db));
}

/* The hash of entry seq in the journal; 0, or -1 when it has none. */
static int journal_hash_at(sqlite3 *db, int64_t seq, uint8_t out[ENTRY_HASH_BYTES])
{
	sqlite3_stmt *st = NULL;
	int rc = -1;
	if (sqlite3_prepare_v2(db, "SELECT hash FROM entries WHERE seq = ?", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, seq);
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == ENTRY_HASH_BYTES) {
			memcpy(out, sqlite3_column_blob(st, 0), ENTRY_HASH_BYTES);
			rc = 0;
		}
	}
	sqlite3_finalize(st);
	return rc;
}

/* Does out_dir hold a bundle of this station that this journal does not
 * account for?  BULU_INTEGRITY with the explanation if so. */
static int check_not_behind(journal *j, const char *out_dir, int64_t last, bulu_err *e)
{
	DIR *d = opendir(out_dir);
	if (!d)
		return BULU_OK; /* created later; nothing there yet */
	const char *station = journal_station(j);
	size_t sl = strlen(station);
	struct dirent *de;
	int rc = BULU_OK;
	while (rc == BULU_OK && (de = readdir(d)) != NULL) {
		long long a, b;
		int used = 0;
		if (strncmp(de->d_name, station, sl) != 0 || de->d_name[sl] != '-' ||
		    sscanf(de->d_name + sl, "-%lld-%lld.bulu%n", &a, &b, &used) != 2 ||
		    de->d_name[sl + (size_t)used] != '\0')
			continue;
		char path[PATH_MAX], *text = NULL;
		size_t n = 0;
		snprintf(path, sizeof path, "%s/%s.minisig", out_dir, de->d_name);
		minisig s;
		bundle_claim c;
		bulu_err ignore;
		/* Only a signature this station's key made counts as evidence. */
		if (text_slurp(path, &text, &n, &ignore) != BULU_OK)
			continue;
		int good = minisig_parse(text, n, &s, &ignore) == BULU_OK &&
			   minisig_check_trusted(&s, journal_pubkey(j)) == 0 &&
			   bundle_claim_parse(s.trusted, &c) == 0 && strcmp(c.station, station) == 0;
		free(text);
		if (!good)
			continue;
		uint8_t h[ENTRY_HASH_BYTES];
		char shown_dir[FS_NAME_SHOWN], shown[FS_NAME_SHOWN];
		fs_name_shown(out_dir, shown_dir, sizeof shown_dir);
		fs_name_shown(de->d_name, shown, sizeof shown);
		if (c.last > last)
			rc = bulu_errf(e, BULU_INTEGRITY,
				       "%s/%s holds this station's entries up to seq %" PRId64
				       " but the journal ends at seq %" PRId64
				       ": the station was restored from an old copy after that export. New entries would "
				       "fork its chain; ask IT (the lost entries are in that bundle and the central ledger)",
				       shown_dir, shown, c.last, last);
		else if (journal_hash_at(journal_db(j), c.last, h) != 0 ||
			 memcmp(h, c.head, ENTRY_HASH_BYTES) != 0)
			rc = bulu_errf(e, BULU_INTEGRITY,
				       "%s/%s names another entry at seq %" PRId64
				       " than this journal holds: the chain has forked (an old copy restored and "
				       "written to); ask IT",
				       shown_dir, shown, c.last);
	}
	closedir(d);
	return rc;
}

/* The seq the last export ended at (0 when none). */
static int64_t last_exported(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int64_t v = 0;
	if (sqlite3_prepare_v2(db, "SELECT coalesce(max(last_seq), 0) FROM exports", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Build the bundle database for entries since+1..last into an image. */
static int build_db(journal *j, int64_t since, int64_t last, unsigned char **img,
		    sqlite3_int64 *len, uint8_t head[ENTRY_HASH_BYTES], bulu_err *e)
{
	sqlite3 *b = NULL, *jdb = journal_db(j);
	sqlite3_stmt *rd = NULL, *wr = NULL;
	int rc = BULU_SYSTEM;
	if (sqlite3_open_v2(":memory:", &b, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		bulu_errf(e, BULU_SYSTEM, "out of memory");
		goto out;
	}
	if (sqlite3_exec(b, "PRAGMA page_size = 65536", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(b, schema_bundle_sql, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(b, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		sqlerr(b, e, "building the bundle");
		goto out;
	}
	if (journal_hash_at(jdb, last, head) != 0) {
		bulu_errf(e, BULU_INTEGRITY, "the journal has no entry %" PRId64, last);
		goto out;
	}
	if (sqlite3_prepare_v2(b, "INSERT INTO bundle VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &wr, NULL) != SQLITE_OK) {
		sqlerr(b, e, "building the bundle");
		goto out;
	}
	sqlite3_bind_text(wr, 1, BUNDLE_FORMAT, -1, SQLITE_STATIC);
	sqlite3_bind_text(wr, 2, journal_station(j), -1, SQLITE_STATIC);
	sqlite3_bind_text(wr, 3, journal_dept(j), -1, SQLITE_STATIC);
	sqlite3_bind_text(wr, 4, journal_role(j), -1, SQLITE_STATIC);
	sqlite3_bind_blob(wr, 5, journal_pubkey(j), KEY_PK_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(wr, 6, since + 1);
	sqlite3_bind_int64(wr, 7, last);
	sqlite3_bind_blob(wr, 8, head, ENTRY_HASH_BYTES, SQLITE_STATIC);
	if (sqlite3_step(wr) != SQLITE_DONE) {
		sqlerr(b, e, "building the bundle");
		goto out;
	}
	sqlite3_finalize(wr);
	wr = NULL;
	if (sqlite3_prepare_v2(jdb, "SELECT " JOURNAL_COLUMNS " FROM entries WHERE seq > ? AND seq <= ? ORDER BY seq",
			       -1, &rd, NULL) != SQLITE_OK) {
		sqlerr(jdb, e, "reading journal.db");
		goto out;
	}
	if (sqlite3_prepare_v2(b, "INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &wr,
			       NULL) != SQLITE_OK) {
		sqlerr(b, e, "building the bundle");
		goto out;
	}
	sqlite3_bind_int64(rd, 1, since);
	sqlite3_bind_int64(rd, 2, last);
	uint8_t prev[ENTRY_HASH_BYTES];
	if (since > 0 && journal_hash_at(jdb, since, prev) != 0) {
		bulu_errf(e, BULU_INTEGRITY, "the journal has no entry %" PRId64 ": nothing exported (bulu journal verify)",
			  since);
		goto out;
	}
	int64_t want = since + 1;
	int s;
	while ((s = sqlite3_step(rd)) == SQLITE_ROW) {
		/* The range the station signs is checked first, entry by entry. */
		entry en;
		uint8_t h[ENTRY_HASH_BYTES];
		const char *bad = NULL;
		if (journal_entry_from_row(rd, &en) != 0)
			bad = "has a hash or signature of the wrong length";
		else if (en.seq != want)
			bad = "is missing (the seqs do not run on)";
		else if (en.seq > 1 && memcmp(en.prev_hash, prev, ENTRY_HASH_BYTES) != 0)
			bad = "does not link to the entry before it";
		else if ((entry_hash(&en, h), memcmp(h, en.hash, ENTRY_HASH_BYTES) != 0))
			bad = "does not match its hash";
		else if (crypto_sign_verify_detached(en.sig, en.hash, ENTRY_HASH_BYTES, journal_pubkey(j)) != 0)
			bad = "has a signature that does not verify under the station key";
		if (bad) {
			bulu_errf(e, BULU_INTEGRITY, "entry %" PRId64 " of the journal %s: nothing exported "
				  "(run bulu journal verify; ask IT)", want, bad);
			goto out;
		}
		memcpy(prev, en.hash, ENTRY_HASH_BYTES);
		want++;
		for (int c = 0; c < 10; c++)
			sqlite3_bind_value(wr, c + 1, sqlite3_column_value(rd, c));
		if (sqlite3_step(wr) != SQLITE_DONE) {
			sqlerr(b, e, "building the bundle");
			goto out;
		}
		sqlite3_reset(wr);
	}
	if (s != SQLITE_DONE) {
		sqlerr(jdb, e, "reading journal.db");
		goto out;
	}
	if (want != last + 1) {
		bulu_errf(e, BULU_INTEGRITY, "entry %" PRId64 " of the journal is missing: nothing exported "
			  "(run bulu journal verify; ask IT)", want);
		goto out;
	}
	if (sqlite3_exec(b, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		sqlerr(b, e, "building the bundle");
		goto out;
	}
	*img = sqlite3_serialize(b, "main", len, 0);
	if (!*img) {
		bulu_errf(e, BULU_SYSTEM, "out of memory");
		goto out;
	}
	rc = BULU_OK;
out:
	sqlite3_finalize(rd);
	sqlite3_finalize(wr);
	sqlite3_close(b);
	return rc;
}

/* Remember the export in the station's journal.db (not in the chain). */
static int record_export(journal *j, const bundle_export_result *r, const uint8_t head[ENTRY_HASH_BYTES],
			 int sealed, const char *name, bulu_err *e)
{
	int rc = journal_begin(j, e);
	if (rc != BULU_OK)
		return rc;
	sqlite3 *db = journal_db(j);
	sqlite3_stmt *st = NULL;
	char now[CLOCK_ISO_MAX];
	clock_now_iso(now);
	if (sqlite3_exec(db, schema_exports_sql, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO exports (first_seq, last_seq, head_hash, file, sealed, exported_at) "
			       "VALUES (?, ?, ?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK) {
		rc = sqlerr(db, e, "recording the export in journal.db");
		journal_rollback(j);
		return rc;
	}
	sqlite3_bind_int64(st, 1, r->first);
	sqlite3_bind_int64(st, 2, r->last);
	sqlite3_bind_blob(st, 3, head, ENTRY_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, sealed);
	sqlite3_bind_text(st, 6, now, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = sqlerr(db, e, "recording the export in journal.db");
		sqlite3_finalize(st);
		journal_rollback(j);
		return rc;
	}
	sqlite3_finalize(st);
	return journal_commit(j, e);
}

int bundle_export(journal *j, const bundle_export_opts *o, bundle_export_result *r, bulu_err *e)
{
	memset(r, 0, sizeof *r);
	const keypair *kp = journal_keypair(j);
	if (!kp || !kp->sk)
		return bulu_errf(e, BULU_SYSTEM, "the station key is needed to sign a bundle");
	int rc = journal_begin(j, e); /* the head check, and a stable view */
	if (rc != BULU_OK)
		return rc;
	sqlite3 *db = journal_db(j);
	if (sqlite3_exec(db, schema_exports_sql, NULL, NULL, NULL) != SQLITE_OK) {
		rc = sqlerr(db, e, "journal.db");
		journal_rollback(j);
		return rc;
	}
	int64_t last = journal_last_seq(j);
	int64_t since = o->since >= 0 ? o->since : last_exported(db);
	if ((rc = check_not_behind(j, o->out_dir, last, e)) != BULU_OK || since >= last) {
		journal_rollback(j);
		r->last = last;
		return rc;
	}
	unsigned char *img = NULL;
	sqlite3_int64 imglen = 0;
	uint8_t head[ENTRY_HASH_BYTES];
	rc = build_db(j, since, last, &img, &imglen, head, e);
	journal_rollback(j); /* nothing written: let captures go on */
	if (rc != BULU_OK)
		return rc;

	buf gz = BUF_INIT, sealed = BUF_INIT, sig = BUF_INIT;
	rc = gz_compress(img, (size_t)imglen, 6, &gz, e);
	sqlite3_free(img);
	buf *file = &gz;
	if (rc == BULU_OK && o->seal_to) {
		rc = seal_encrypt(gz.p, gz.len, o->seal_to, &sealed, e);
		file = &sealed;
	}
	char name[PATH_MAX], path[PATH_MAX], sigpath[PATH_MAX + 16];
	bundle_claim c = {.first = since + 1, .last = last, .size = (int64_t)file->len,
			  .sealed = o->seal_to != NULL};
	snprintf(c.station, sizeof c.station, "%s", journal_station(j));
	memcpy(c.head, head, ENTRY_HASH_BYTES);
	bundle_name(name, sizeof name, c.station, c.first, c.last);
	snprintf(path, sizeof path, "%s/%s", o->out_dir, name);
	snprintf(sigpath, sizeof sigpath, "%s.minisig", path);
	if (rc == BULU_OK) {
		char trusted[MINISIG_TRUSTED_MAX], untrusted[128];
		uint8_t prehash[MINISIG_PREHASH_BYTES];
		bundle_claim_format(&c, trusted, sizeof trusted);
		snprintf(untrusted, sizeof untrusted, "bulu bundle signed by station %s", c.station);
		minisig_prehash(file->p, file->len, prehash);
		rc = minisig_sign(prehash, kp->sk, kp->key_id, untrusted, trusted, &sig, e);
	}
	if (rc == BULU_OK && (gz.oom || sealed.oom || sig.oom))
		rc = bulu_errf(e, BULU_SYSTEM, "out of memory");
	if (rc == BULU_OK)
		rc = fs_mkdirs(o->out_dir, 0755, e);
	/* The signature, then the bundle: a bundle under its final name
	 * always has its signature beside it (an importer takes *.bulu, so a
	 * signature left alone by a kill between the two is never read, and
	 * the next export replaces it), and a re-export of the same range is
	 * byte for byte the same file unless sealed. */
	if (rc == BULU_OK && (rc = fs_write_atomic(sigpath, sig.p, sig.len, 0644, e)) == BULU_OK &&
	    (rc = fs_write_atomic(path, file->p, file->len, 0644, e)) != BULU_OK) {
		/* The bundle did not fit (a full stick): take its signature
		 * back, so a failed export leaves nothing behind. */
		unlink(sigpath);
		fs_sync_dir(sigpath);
	}
	buf_free(&gz);
	buf_free(&sealed);
	buf_free(&sig);
	if (rc != BULU_OK)
		return rc;
	snprintf(r->path, sizeof r->path, "%s", path);
	r->first = c.first;
	r->last = c.last;
	r->n = c.last - c.first + 1;
	r->bytes = c.size;
	return record_export(j, r, head, c.sealed, name, e);
}
