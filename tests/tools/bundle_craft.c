/*
 * bundle_craft - a bundle whose signature is good but whose content breaks
 * one rule of bundle import's check, signed with the station's own key, so
 * that a test can produce each of the importer's integrity messages (and
 * salvage's stopping points) from a file the station really signed.
 *
 *   bundle_craft STATION_DIR BUNDLE MODE K OUT_DIR [CUT]
 *
 * BUNDLE is a plain (unsealed) bundle the station exported.  MODE:
 *   none     nothing changed, signed again (the control)
 *   link     entry K's prev_hash replaced; K and every later entry hashed
 *            and signed again, so only the link check can catch it
 *   gap      entry K removed; K+1 linked to K-1, hashed and signed again on
 *   station  entry K names another station; hashed and signed again on
 *   hash     entry K's body changed, its stored hash kept
 *   head     the claim and the bundle record name entry K's hash as the head
 *   short    the claim and the bundle record end the range K seqs later
 *   long     ... K seqs earlier (the head named is that entry's hash)
 *   headsig  the last entry's signature replaced by entry K's
 *   sig      entry K's signature replaced by entry K+1's
 *   bind     entry 1's body names another key; all hashed and signed again
 *   size     the claim names a file K bytes longer than it is (K < 0: shorter)
 *   meta     the bundle record's first seq K more than the claim's
 *   format   the bundle record names another format
 *   table    an extra table in the database
 *   shape    entry K's signature one byte long
 *   sealed   the claim says sealed (the file is not)
 *   claimst  the claim names station OTHER (signed with the station's key)
 *   notclaim the trusted comment is not a bundle claim
 * CUT: write only the first CUT bytes of the file (a damaged copy), with
 * the whole file's signature; -CUT: all but the last CUT bytes.
 *
 * Writes OUT_DIR/STATION-FIRST-LAST.bulu and its .minisig (the range as
 * claimed) and prints the path.  Exit 0, or 2 on bad usage or failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <sqlite3.h>

#include "bulu/bundle.h"
#include "bulu/gz.h"
#include "bulu/journal.h"
#include "bulu/text.h"

static int die(const char *what, const char *why)
{
	fprintf(stderr, "bundle_craft: %s: %s\n", what, why);
	return 2;
}

static int write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	size_t w = fwrite(p, 1, n, f);
	return fclose(f) == 0 && w == n ? 0 : -1;
}

static int exec(sqlite3 *db, const char *sql)
{
	char *err = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		fprintf(stderr, "bundle_craft: %s: %s\n", sql, err ? err : "?");
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

static int get_hash(sqlite3 *db, int64_t seq, uint8_t out[ENTRY_HASH_BYTES])
{
	sqlite3_stmt *st = NULL;
	int ok = sqlite3_prepare_v2(db, "SELECT hash FROM entries WHERE seq = ?", -1, &st, NULL) == SQLITE_OK;
	if (ok) {
		sqlite3_bind_int64(st, 1, seq);
		ok = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == ENTRY_HASH_BYTES;
		if (ok)
			memcpy(out, sqlite3_column_blob(st, 0), ENTRY_HASH_BYTES);
	}
	sqlite3_finalize(st);
	return ok ? 0 : -1;
}

/* Hash and sign every entry from seq `from` on again, each linked to the one
 * before it in the table; entry `from` is linked to *first_prev. */
static int rechain(sqlite3 *db, int64_t from, const uint8_t first_prev[ENTRY_HASH_BYTES], const uint8_t *sk)
{
	sqlite3_stmt *rd = NULL, *wr = NULL;
	uint8_t prev[ENTRY_HASH_BYTES];
	int rc = -1;
	memcpy(prev, first_prev, ENTRY_HASH_BYTES);
	/* read all rows first: an UPDATE while stepping would be read again */
	if (sqlite3_prepare_v2(db, "SELECT " JOURNAL_COLUMNS " FROM entries WHERE seq >= ? ORDER BY seq", -1, &rd,
			       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "UPDATE entries SET prev_hash = ?, hash = ?, sig = ? WHERE seq = ?", -1, &wr,
			       NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(rd, 1, from);
	int64_t seqs[4096];
	uint8_t (*hs)[3][64] = malloc(sizeof *hs * 4096);
	size_t n = 0;
	if (!hs)
		goto out;
	while (sqlite3_step(rd) == SQLITE_ROW && n < 4096) {
		entry en;
		if (journal_entry_from_row(rd, &en) != 0) {
			free(hs);
			goto out;
		}
		memcpy(en.prev_hash, prev, ENTRY_HASH_BYTES);
		entry_hash(&en, en.hash);
		crypto_sign_detached(en.sig, NULL, en.hash, ENTRY_HASH_BYTES, sk);
		memcpy(hs[n][0], en.prev_hash, ENTRY_HASH_BYTES);
		memcpy(hs[n][1], en.hash, ENTRY_HASH_BYTES);
		memcpy(hs[n][2], en.sig, ENTRY_SIG_BYTES);
		seqs[n++] = en.seq;
		memcpy(prev, en.hash, ENTRY_HASH_BYTES);
	}
	sqlite3_finalize(rd);
	rd = NULL;
	for (size_t i = 0; i < n; i++) {
		sqlite3_bind_blob(wr, 1, hs[i][0], ENTRY_HASH_BYTES, SQLITE_STATIC);
		sqlite3_bind_blob(wr, 2, hs[i][1], ENTRY_HASH_BYTES, SQLITE_STATIC);
		sqlite3_bind_blob(wr, 3, hs[i][2], ENTRY_SIG_BYTES, SQLITE_STATIC);
		sqlite3_bind_int64(wr, 4, seqs[i]);
		if (sqlite3_step(wr) != SQLITE_DONE) {
			free(hs);
			goto out;
		}
		sqlite3_reset(wr);
	}
	free(hs);
	rc = 0;
out:
	sqlite3_finalize(rd);
	sqlite3_finalize(wr);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 6)
		return die("usage", "bundle_craft STATION_DIR BUNDLE MODE K OUT_DIR [CUT]");
	const char *mode = argv[3], *out_dir = argv[5];
	int64_t k = strtoll(argv[4], NULL, 10);
	long cut = argc > 6 ? strtol(argv[6], NULL, 10) : 0;
	int has_cut = argc > 6;
	bulu_err e = {0};
	keypair kp = {0};
	char path[4096], *data = NULL;
	size_t n = 0;
	if (keys_init(&e) != BULU_OK)
		return die("keys", e.msg);
	snprintf(path, sizeof path, "%s/secret.key", argv[1]);
	if (keys_load_secret(path, NULL, &kp, &e) != BULU_OK)
		return die(path, e.msg);
	if (text_slurp(argv[2], &data, &n, &e) != BULU_OK)
		return die(argv[2], e.msg);
	buf img = BUF_INIT;
	if (gz_decompress(data, n, BUNDLE_MAX_DB, &img, &e) != BULU_OK)
		return die(argv[2], e.msg);
	free(data);

	sqlite3 *db = NULL;
	unsigned char *mem = sqlite3_malloc64(img.len);
	if (!mem || sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		return die("sqlite3", "cannot open");
	memcpy(mem, img.p, img.len);
	if (sqlite3_deserialize(db, "main", mem, (sqlite3_int64)img.len, (sqlite3_int64)img.len,
				SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_RESIZEABLE) != SQLITE_OK)
		return die(argv[2], "not a database");
	buf_free(&img);

	bundle_claim c = {0};
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, "SELECT station, first_seq, last_seq, head_hash FROM bundle", -1, &st, NULL) !=
		    SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW)
		return die(argv[2], "no bundle record");
	snprintf(c.station, sizeof c.station, "%s", (const char *)sqlite3_column_text(st, 0));
	c.first = sqlite3_column_int64(st, 1);
	c.last = sqlite3_column_int64(st, 2);
	memcpy(c.head, sqlite3_column_blob(st, 3), ENTRY_HASH_BYTES);
	sqlite3_finalize(st);
	static const char *const anyk[] = {"none", "short", "long", "size", "meta", "format", "table",
					   "sealed", "claimst", "notclaim"};
	int need_k = 1;
	for (size_t i = 0; i < sizeof anyk / sizeof anyk[0]; i++)
		need_k &= strcmp(mode, anyk[i]) != 0;
	if (need_k &&
	    (k < c.first || k > c.last))
		return die("K", "not a seq of the bundle");

	uint8_t h[ENTRY_HASH_BYTES];
	char sql[512];
	int bad = 0;
	if (strcmp(mode, "none") == 0) {
	} else if (strcmp(mode, "link") == 0) {
		memset(h, 0xab, sizeof h);
		bad = rechain(db, k, h, kp.sk);
	} else if (strcmp(mode, "gap") == 0) {
		snprintf(sql, sizeof sql, "DELETE FROM entries WHERE seq = %lld", (long long)k);
		bad = k == c.first || k == c.last || get_hash(db, k - 1, h) || exec(db, sql) ||
		      rechain(db, k + 1, h, kp.sk);
	} else if (strcmp(mode, "station") == 0) {
		snprintf(sql, sizeof sql, "UPDATE entries SET station = 'OTHER' WHERE seq = %lld", (long long)k);
		bad = (k > c.first ? get_hash(db, k - 1, h) : (memset(h, 0, sizeof h), 0)) || exec(db, sql);
		if (!bad && k == c.first) { /* keep the link the importer cannot see */
			sqlite3_stmt *p = NULL;
			bad = sqlite3_prepare_v2(db, "SELECT prev_hash FROM entries WHERE seq = ?", -1, &p, NULL) != SQLITE_OK;
			sqlite3_bind_int64(p, 1, k);
			if (!bad && sqlite3_step(p) == SQLITE_ROW)
				memcpy(h, sqlite3_column_blob(p, 0), ENTRY_HASH_BYTES);
			sqlite3_finalize(p);
		}
		bad = bad || rechain(db, k, h, kp.sk);
	} else if (strcmp(mode, "hash") == 0) {
		snprintf(sql, sizeof sql, "UPDATE entries SET body = body || ' ' WHERE seq = %lld", (long long)k);
		bad = exec(db, sql);
	} else if (strcmp(mode, "head") == 0) {
		bad = get_hash(db, k, c.head);
	} else if (strcmp(mode, "short") == 0) {
		c.last += k;
	} else if (strcmp(mode, "long") == 0) {
		c.last -= k;
		bad = c.last < c.first || get_hash(db, c.last, c.head);
	} else if (strcmp(mode, "headsig") == 0) {
		snprintf(sql, sizeof sql, "UPDATE entries SET sig = (SELECT sig FROM entries WHERE seq = %lld) "
					  "WHERE seq = %lld", (long long)k, (long long)c.last);
		bad = k == c.last || exec(db, sql);
	} else if (strcmp(mode, "sig") == 0) {
		snprintf(sql, sizeof sql, "UPDATE entries SET sig = (SELECT sig FROM entries WHERE seq = %lld) "
					  "WHERE seq = %lld", (long long)k + 1, (long long)k);
		bad = k >= c.last || exec(db, sql);
	} else if (strcmp(mode, "size") == 0 || strcmp(mode, "meta") == 0 || strcmp(mode, "sealed") == 0 ||
		   strcmp(mode, "claimst") == 0 || strcmp(mode, "notclaim") == 0) {
		/* the claim or the record is changed below */
	} else if (strcmp(mode, "format") == 0) {
		bad = exec(db, "UPDATE bundle SET format = 'bulu/bundle/v2'");
	} else if (strcmp(mode, "table") == 0) {
		bad = exec(db, "CREATE TABLE extra (x)");
	} else if (strcmp(mode, "shape") == 0) {
		snprintf(sql, sizeof sql, "UPDATE entries SET sig = x'00' WHERE seq = %lld", (long long)k);
		bad = exec(db, sql);
	} else if (strcmp(mode, "bind") == 0) {
		memset(h, 0, sizeof h);
		bad = c.first != 1 ||
		      exec(db, "UPDATE entries SET body = replace(body, '\"pubkey\":\"', '\"pubkey\":\"00') WHERE seq = 1") ||
		      rechain(db, 1, h, kp.sk);
	} else {
		return die(mode, "unknown mode");
	}
	if (bad)
		return die(mode, "could not make the change");
	/* the head follows a re-chained last entry unless the mode names one */
	if (strcmp(mode, "head") != 0 && strcmp(mode, "long") != 0 && strcmp(mode, "short") != 0 &&
	    get_hash(db, c.last, c.head) != 0)
		return die(mode, "no last entry");
	if (strcmp(mode, "short") == 0 && get_hash(db, c.last - k, c.head) != 0)
		return die(mode, "no last entry");
	sqlite3_stmt *up = NULL;
	if (sqlite3_prepare_v2(db, "UPDATE bundle SET last_seq = ?, head_hash = ?", -1, &up, NULL) != SQLITE_OK)
		return die("bundle record", sqlite3_errmsg(db));
	sqlite3_bind_int64(up, 1, c.last);
	sqlite3_bind_blob(up, 2, c.head, ENTRY_HASH_BYTES, SQLITE_STATIC);
	if (sqlite3_step(up) != SQLITE_DONE)
		return die("bundle record", sqlite3_errmsg(db));
	sqlite3_finalize(up);
	if (strcmp(mode, "meta") == 0) {
		snprintf(sql, sizeof sql, "UPDATE bundle SET first_seq = first_seq + %lld", (long long)k);
		if (exec(db, sql) != 0)
			return 2;
	}
	if (exec(db, "VACUUM") != 0)
		return 2;

	sqlite3_int64 len = 0;
	unsigned char *ser = sqlite3_serialize(db, "main", &len, 0);
	buf gz = BUF_INIT, sig = BUF_INIT;
	if (!ser || gz_compress(ser, (size_t)len, 6, &gz, &e) != BULU_OK)
		return die("gzip", e.msg);
	sqlite3_free(ser);
	sqlite3_close(db);
	c.size = (int64_t)gz.len + (strcmp(mode, "size") == 0 ? k : 0);
	c.sealed = strcmp(mode, "sealed") == 0;
	char named[64];
	snprintf(named, sizeof named, "%s", c.station);
	if (strcmp(mode, "claimst") == 0)
		snprintf(c.station, sizeof c.station, "OTHER");
	char trusted[MINISIG_TRUSTED_MAX], untrusted[128], name[512], sigpath[4200];
	uint8_t prehash[MINISIG_PREHASH_BYTES];
	if (bundle_claim_format(&c, trusted, sizeof trusted) != 0)
		return die("claim", "too long");
	if (strcmp(mode, "notclaim") == 0)
		snprintf(trusted, sizeof trusted, "file:%s-%lld-%lld.bulu", c.station, (long long)c.first,
			 (long long)c.last);
	snprintf(untrusted, sizeof untrusted, "bulu bundle signed by station %s", named);
	minisig_prehash(gz.p, gz.len, prehash);
	if (minisig_sign(prehash, kp.sk, kp.key_id, untrusted, trusted, &sig, &e) != BULU_OK)
		return die("sign", e.msg);
	bundle_name(name, sizeof name, c.station, c.first, c.last);
	snprintf(path, sizeof path, "%s/%s", out_dir, name);
	snprintf(sigpath, sizeof sigpath, "%s.minisig", path);
	size_t keep = gz.len;
	if (has_cut && cut >= 0 && (size_t)cut < gz.len)
		keep = (size_t)cut;
	else if (cut < 0 && (size_t)-cut < gz.len)
		keep = gz.len - (size_t)-cut;
	if (write_file(path, gz.p, keep) != 0 || write_file(sigpath, sig.p, sig.len) != 0)
		return die(path, "cannot write");
	printf("%s\n", path);
	buf_free(&gz);
	buf_free(&sig);
	keys_free(&kp);
	return 0;
}
