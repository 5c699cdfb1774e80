/*
 * bundle_forge.c - a bundle a trusted station could have sent, made from a
 * plain bundle database that a test has edited with sqlite3: what a
 * station whose journal went bad, or whose software lies, would sign.
 * Used by tests/cli/integrity_sync.sh to hold the importer to its checks.
 *
 *   bundle_forge STATIONDIR IN.db OUT.bulu [--rehash] [--size-delta N] [--plain]
 *
 * IN.db is gzipped (unless --plain: then it is signed as it is) and signed
 * with STATIONDIR/secret.key (unprotected), the claim taken from IN.db's
 * bundle row; OUT.bulu.minisig is written beside it.  --rehash first
 * recomputes every entry's hash, link and signature in IN.db (so an edited
 * body, a huge one say, is a well-formed chain signed by the station);
 * --size-delta adds N to the size the claim states.  Exit 0, or 1 with a
 * message.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <sqlite3.h>

#include "bulu/buf.h"
#include "bulu/bundle.h"
#include "bulu/fsutil.h"
#include "bulu/gz.h"
#include "bulu/text.h"

static int die(const char *m, const char *d)
{
	fprintf(stderr, "bundle_forge: %s%s%s\n", m, d ? ": " : "", d ? d : "");
	return 1;
}

/* Recompute every entry's hash, link and signature, in seq order. */
static int rehash(sqlite3 *db, const keypair *kp)
{
	sqlite3_stmt *rd = NULL, *wr = NULL;
	uint8_t prev[ENTRY_HASH_BYTES] = {0};
	int64_t first = -1;
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT " JOURNAL_COLUMNS " FROM entries ORDER BY seq", -1, &rd, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "UPDATE entries SET prev_hash = ?, hash = ?, sig = ? WHERE seq = ?", -1, &wr,
			       NULL) != SQLITE_OK)
		return die("rehash", sqlite3_errmsg(db));
	int s;
	while ((s = sqlite3_step(rd)) == SQLITE_ROW) {
		entry en;
		if (journal_entry_from_row(rd, &en) != 0)
			return die("rehash", "bad row");
		if (first < 0)
			first = en.seq, memcpy(prev, en.prev_hash, ENTRY_HASH_BYTES);
		memcpy(en.prev_hash, prev, ENTRY_HASH_BYTES);
		entry_hash(&en, en.hash);
		crypto_sign_detached(en.sig, NULL, en.hash, ENTRY_HASH_BYTES, kp->sk);
		memcpy(prev, en.hash, ENTRY_HASH_BYTES);
		sqlite3_bind_blob(wr, 1, en.prev_hash, ENTRY_HASH_BYTES, SQLITE_TRANSIENT);
		sqlite3_bind_blob(wr, 2, en.hash, ENTRY_HASH_BYTES, SQLITE_TRANSIENT);
		sqlite3_bind_blob(wr, 3, en.sig, ENTRY_SIG_BYTES, SQLITE_TRANSIENT);
		sqlite3_bind_int64(wr, 4, en.seq);
		if (sqlite3_step(wr) != SQLITE_DONE)
			return die("rehash", sqlite3_errmsg(db));
		sqlite3_reset(wr);
	}
	sqlite3_finalize(rd);
	sqlite3_finalize(wr);
	if (s != SQLITE_DONE)
		return die("rehash", sqlite3_errmsg(db));
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, "UPDATE bundle SET head_hash = ?", -1, &st, NULL) != SQLITE_OK)
		return die("rehash", sqlite3_errmsg(db));
	sqlite3_bind_blob(st, 1, prev, ENTRY_HASH_BYTES, SQLITE_TRANSIENT);
	s = sqlite3_step(st);
	sqlite3_finalize(st);
	if (s != SQLITE_DONE || sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return die("rehash", sqlite3_errmsg(db));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 4)
		return die("usage: bundle_forge STATIONDIR IN.db OUT.bulu [--rehash] [--size-delta N] [--plain]", NULL);
	int do_rehash = 0, plain = 0;
	long long delta = 0;
	for (int i = 4; i < argc; i++) {
		if (strcmp(argv[i], "--rehash") == 0)
			do_rehash = 1;
		else if (strcmp(argv[i], "--plain") == 0)
			plain = 1;
		else if (strcmp(argv[i], "--size-delta") == 0 && i + 1 < argc)
			delta = atoll(argv[++i]);
		else
			return die("unknown option", argv[i]);
	}
	bulu_err e = {0};
	keypair kp = {{0}, {0}, NULL};
	char kpath[4096];
	snprintf(kpath, sizeof kpath, "%s/secret.key", argv[1]);
	if (keys_init(&e) != BULU_OK || keys_load_secret(kpath, "", &kp, &e) != BULU_OK)
		return die("station key", e.msg);
	sqlite3 *db = NULL;
	if (sqlite3_open(argv[2], &db) != SQLITE_OK)
		return die("open", argv[2]);
	if (do_rehash && rehash(db, &kp) != 0)
		return 1;
	bundle_claim c;
	memset(&c, 0, sizeof c);
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, "SELECT station, first_seq, last_seq, head_hash FROM bundle", -1, &st, NULL) !=
		    SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW)
		return die("no bundle row", argv[2]);
	snprintf(c.station, sizeof c.station, "%s", (const char *)sqlite3_column_text(st, 0));
	c.first = sqlite3_column_int64(st, 1);
	c.last = sqlite3_column_int64(st, 2);
	memcpy(c.head, sqlite3_column_blob(st, 3), ENTRY_HASH_BYTES);
	sqlite3_finalize(st);
	sqlite3_close(db);
	char *data = NULL;
	size_t n = 0;
	buf gz = BUF_INIT, sig = BUF_INIT;
	if (text_slurp(argv[2], &data, &n, &e) != BULU_OK)
		return die("read", e.msg);
	if (plain)
		buf_put(&gz, data, n);
	else if (gz_compress(data, n, 6, &gz, &e) != BULU_OK)
		return die("gzip", e.msg);
	c.size = (int64_t)gz.len + delta;
	char trusted[MINISIG_TRUSTED_MAX], sigpath[4200];
	uint8_t h[MINISIG_PREHASH_BYTES];
	bundle_claim_format(&c, trusted, sizeof trusted);
	minisig_prehash(gz.p, gz.len, h);
	if (minisig_sign(h, kp.sk, kp.key_id, "bulu bundle signed by station", trusted, &sig, &e) != BULU_OK)
		return die("sign", e.msg);
	snprintf(sigpath, sizeof sigpath, "%s.minisig", argv[3]);
	if (fs_write_atomic(argv[3], gz.p, gz.len, 0644, &e) != BULU_OK ||
	    fs_write_atomic(sigpath, sig.p, sig.len, 0644, &e) != BULU_OK)
		return die("write", e.msg);
	keys_free(&kp);
	free(data);
	buf_free(&gz);
	buf_free(&sig);
	return 0;
}
