/*
 * bundle_vector.c - makes the bundle test vectors of tests/vectors/bundle-v1/
 * with bulu's own code: the journal vectors' first two entries (station
 * MZ_SF01, Ed25519 seed 00..1f: tests/vectors/journal-entry-v1.txt) as a
 * bundle database, gzip'd and signed (minisign, prehashed), and the same
 * gzip file sealed to a central key and signed.  Run once; its output is
 * committed, and tests/cli/vectors_bundle.sh checks it against bulu and
 * against the independent script tests/vectors/bundle-v1.py.
 *
 *   bundle_vector OUTDIR CENTRAL.pub
 *
 * writes OUTDIR/MZ_SF01-1-2.bulu(.minisig), OUTDIR/sealed/MZ_SF01-1-2.bulu(.minisig)
 * and OUTDIR/station.pub.  The plain files are deterministic (Ed25519 and
 * BLAKE2b are); the sealed one is not (its stream key and the sealing
 * ephemeral key are random), which is why the files, not the tool, are the
 * vectors.
 */
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
	fprintf(stderr, "bundle_vector: %s: %s\n", m, d ? d : "");
	return 1;
}

int main(int argc, char **argv)
{
	if (argc != 3)
		return die("usage", "bundle_vector OUTDIR CENTRAL.pub");
	bulu_err e = {0};
	if (keys_init(&e) != BULU_OK)
		return die("sodium", e.msg);
	uint8_t seed[32], pk[KEY_PK_BYTES], sk[KEY_SK_BYTES], id[KEY_ID_BYTES];
	for (int i = 0; i < 32; i++)
		seed[i] = (uint8_t)i;
	crypto_sign_seed_keypair(pk, sk, seed);
	keys_key_id(pk, id);
	char pkhex[65], body1[512];
	hex_encode(pkhex, pk, KEY_PK_BYTES);
	snprintf(body1, sizeof body1,
		 "{\"dept\":\"门诊收费\",\"pubkey\":\"%s\",\"role\":\"cashier\",\"station\":\"MZ_SF01\"}", pkhex);
	entry en[2] = {
		{.station = "MZ_SF01", .seq = 1, .kind = "station_init", .recorded_at = "2026-11-21T08:00:00+08:00",
		 .operator_ = "", .episode = "", .body = body1},
		{.station = "MZ_SF01", .seq = 2, .kind = "charge", .recorded_at = "2026-11-21T09:15:42+08:00",
		 .operator_ = "收费员张三", .episode = "OUT-20261121-0830",
		 .body = "{\"fee_type\":\"医保\",\"invoice_no\":\"0012345\",\"lines\":[{\"amount_fen\":2500,"
			 "\"code\":\"250101001\",\"name\":\"血常规\",\"qty\":1,\"unit_price_fen\":2500}],"
			 "\"pay_method\":\"现金\",\"patient_id\":\"P0001\",\"patient_name\":\"李四\",\"total_fen\":2500}"},
	};
	for (int i = 0; i < 2; i++) {
		en[i].body_len = strlen(en[i].body);
		if (i)
			memcpy(en[i].prev_hash, en[i - 1].hash, ENTRY_HASH_BYTES);
		entry_hash(&en[i], en[i].hash);
		crypto_sign_detached(en[i].sig, NULL, en[i].hash, ENTRY_HASH_BYTES, sk);
	}
	/* The database, as export.c builds it. */
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA page_size = 65536", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, schema_bundle_sql, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO bundle VALUES (1, ?, ?, ?, ?, ?, 1, 2, ?)", -1, &st, NULL) != SQLITE_OK)
		return die("sqlite", sqlite3_errmsg(db));
	sqlite3_bind_text(st, 1, BUNDLE_FORMAT, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, "MZ_SF01", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, "门诊收费", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, "cashier", -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 5, pk, KEY_PK_BYTES, SQLITE_STATIC);
	sqlite3_bind_blob(st, 6, en[1].hash, ENTRY_HASH_BYTES, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return die("sqlite", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(db, "INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &st, NULL) !=
	    SQLITE_OK)
		return die("sqlite", sqlite3_errmsg(db));
	for (int i = 0; i < 2; i++) {
		sqlite3_bind_text(st, 1, en[i].station, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, en[i].seq);
		sqlite3_bind_blob(st, 3, en[i].prev_hash, ENTRY_HASH_BYTES, SQLITE_STATIC);
		sqlite3_bind_blob(st, 4, en[i].hash, ENTRY_HASH_BYTES, SQLITE_STATIC);
		sqlite3_bind_blob(st, 5, en[i].sig, ENTRY_SIG_BYTES, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, en[i].kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, en[i].recorded_at, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 8, en[i].operator_, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 9, en[i].episode, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 10, en[i].body, (int)en[i].body_len, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			return die("sqlite", sqlite3_errmsg(db));
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	sqlite3_int64 len = 0;
	unsigned char *img = sqlite3_serialize(db, "main", &len, 0);
	if (!img)
		return die("serialize", NULL);
	buf gz = BUF_INIT, sealed = BUF_INIT;
	uint8_t central[SEAL_PK_BYTES];
	if (gz_compress(img, (size_t)len, 6, &gz, &e) != BULU_OK || central_load_public(argv[2], central, &e) != BULU_OK ||
	    seal_encrypt(gz.p, gz.len, central, &sealed, &e) != BULU_OK)
		return die("gzip/seal", e.msg);
	sqlite3_free(img);
	sqlite3_close(db);
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/sealed", argv[1]);
	if (fs_mkdirs(dir, 0755, &e) != BULU_OK)
		return die("mkdir", e.msg);
	for (int s = 0; s < 2; s++) {
		buf *file = s ? &sealed : &gz, sig = BUF_INIT;
		bundle_claim c = {.first = 1, .last = 2, .size = (int64_t)file->len, .sealed = s};
		snprintf(c.station, sizeof c.station, "MZ_SF01");
		memcpy(c.head, en[1].hash, ENTRY_HASH_BYTES);
		char trusted[MINISIG_TRUSTED_MAX], path[4200], sigpath[4300];
		uint8_t h[MINISIG_PREHASH_BYTES];
		bundle_claim_format(&c, trusted, sizeof trusted);
		minisig_prehash(file->p, file->len, h);
		if (minisig_sign(h, sk, id, "bulu bundle signed by station MZ_SF01", trusted, &sig, &e) != BULU_OK)
			return die("sign", e.msg);
		snprintf(path, sizeof path, "%s%s/MZ_SF01-1-2.bulu", argv[1], s ? "/sealed" : "");
		snprintf(sigpath, sizeof sigpath, "%s.minisig", path);
		if (fs_write_atomic(path, file->p, file->len, 0644, &e) != BULU_OK ||
		    fs_write_atomic(sigpath, sig.p, sig.len, 0644, &e) != BULU_OK)
			return die("write", e.msg);
		buf_free(&sig);
	}
	char pub[512], path[4200];
	keys_minisign_pubkey(pk, NULL, pub, sizeof pub);
	snprintf(path, sizeof path, "%s/station.pub", argv[1]);
	if (fs_write_atomic(path, pub, strlen(pub), 0644, &e) != BULU_OK)
		return die("write", e.msg);
	buf_free(&gz);
	buf_free(&sealed);
	return 0;
}
