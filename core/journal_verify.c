/*
 * journal_verify.c - proving a journal untouched, and the deliberate way
 * past a restored old copy.
 *
 * journal_verify recomputes every entry's hash from the bytes stored in
 * SQLite, follows every prev_hash link, checks seq has no gap, verifies
 * every Ed25519 signature against the station key (in parallel, chunk by
 * chunk, so the first bad seq is still the one reported), checks the
 * genesis entry binds this station and key, that the triggers are the
 * format's (journal_check.c), that the station row and every catalog
 * snapshot are what their entries recorded, and that the signed head
 * record and its mirror name an entry the journal holds.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "bulu/head.h"
#include "bulu/json.h"
#include "bulu/text.h"
#include "journal_int.h"

#define CHUNK 65536

struct sigcheck {
	int64_t seq;
	uint8_t hash[ENTRY_HASH_BYTES];
	uint8_t sig[ENTRY_SIG_BYTES];
	int bad;
};

struct vjob {
	struct sigcheck *c;
	size_t from, to;
	const uint8_t *pk;
};

static void *verify_range(void *arg)
{
	struct vjob *v = arg;
	for (size_t i = v->from; i < v->to; i++)
		v->c[i].bad = crypto_sign_verify_detached(v->c[i].sig, v->c[i].hash,
							  ENTRY_HASH_BYTES, v->pk) != 0;
	return NULL;
}

/* Verify n signatures on all cores; return the index of the first bad, or n. */
static size_t verify_sigs(struct sigcheck *c, size_t n, const uint8_t *pk)
{
	int nt = n >= 256 ? journal_ncpu() : 1;
	pthread_t th[16];
	struct vjob jobs[16];
	int started = 0;
	for (int t = 0; t < nt; t++) {
		jobs[t] = (struct vjob){c, n * (size_t)t / (size_t)nt, n * (size_t)(t + 1) / (size_t)nt, pk};
		if (t > 0 && pthread_create(&th[t], NULL, verify_range, &jobs[t]) == 0)
			started |= 1 << t;
		else if (t > 0)
			verify_range(&jobs[t]);
	}
	verify_range(&jobs[0]);
	for (int t = 1; t < nt; t++)
		if (started & (1 << t))
			pthread_join(th[t], NULL);
	for (size_t i = 0; i < n; i++)
		if (c[i].bad)
			return i;
	return n;
}

int journal_entry_binds_key(const entry *en, const uint8_t pk[KEY_PK_BYTES])
{
	char pkhex[2 * KEY_PK_BYTES + 1], pat[2 * KEY_PK_BYTES + 16];
	hex_encode(pkhex, pk, KEY_PK_BYTES);
	snprintf(pat, sizeof pat, "\"pubkey\":\"%s\"", pkhex);
	return strcmp(en->kind, "station_init") == 0 && strstr(en->body, pat) != NULL;
}

/* Check one row's shape, link and hash.  Returns NULL or why it is bad. */
static const char *check_row(journal *j, sqlite3_stmt *st, int64_t want,
			     const uint8_t prev[ENTRY_HASH_BYTES], entry *en,
			     char *why, size_t nwhy)
{
	int shape = journal_entry_from_row(st, en);
	if (en->seq != want) {
		snprintf(why, nwhy, "seq %lld is missing (the journal jumps from %lld to %lld)",
			 (long long)want, (long long)want - 1, (long long)en->seq);
		return why;
	}
	if (strcmp(en->station, j->station) != 0)
		return "the entry names another station";
	if (shape != 0)
		return "prev_hash, hash or sig has the wrong length";
	if (memcmp(en->prev_hash, prev, ENTRY_HASH_BYTES) != 0)
		return "prev_hash does not link to the previous entry's hash (entries removed, inserted or reordered)";
	uint8_t h[ENTRY_HASH_BYTES];
	entry_hash(en, h);
	if (memcmp(h, en->hash, ENTRY_HASH_BYTES) != 0)
		return "its hash does not match its stored fields (the entry was edited)";
	if (want == 1 && !journal_entry_binds_key(en, j->pk))
		return "the first entry does not bind this station's public key";
	return NULL;
}

/*
 * Every catalog snapshot is covered by its catalog_load entry: its rows
 * hash to the entry's digest, number its items, carry its version; and no
 * row belongs to a seq that is not a catalog_load entry.
 */
static int catalog_check(journal *j, bulu_err *e)
{
	sqlite3_stmt *ld = NULL, *it = NULL, *orphan = NULL;
	int rc = BULU_OK;
	if (sqlite3_prepare_v2(j->db,
			       "SELECT seq, json_extract(body, '$.digest'), json_extract(body, '$.items'), "
			       "json_extract(body, '$.version') FROM entries WHERE kind = 'catalog_load' "
			       "ORDER BY seq", -1, &ld, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(j->db,
			       "SELECT category, code, name, pinyin, price_fen, unit, version, "
			       "typeof(price_fen) FROM catalog_items WHERE load_seq = ? ORDER BY code",
			       -1, &it, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(j->db,
			       "SELECT min(load_seq) FROM catalog_items WHERE load_seq NOT IN "
			       "(SELECT seq FROM entries WHERE kind = 'catalog_load')",
			       -1, &orphan, NULL) != SQLITE_OK) {
		rc = journal_sqlerr(j, e, "journal.db");
		goto done;
	}
	while (rc == BULU_OK && sqlite3_step(ld) == SQLITE_ROW) {
		int64_t seq = sqlite3_column_int64(ld, 0), n = 0;
		const char *digest = (const char *)sqlite3_column_text(ld, 1);
		int64_t items = sqlite3_column_int64(ld, 2);
		const char *version = (const char *)sqlite3_column_text(ld, 3);
		int bad = 0;
		jw w;
		jw_init(&w);
		jw_arr_begin(&w);
		sqlite3_bind_int64(it, 1, seq);
		while (sqlite3_step(it) == SQLITE_ROW) {
			const char *c[4];
			for (int k = 0; k < 4; k++)
				c[k] = (const char *)sqlite3_column_text(it, k);
			const char *unit = (const char *)sqlite3_column_text(it, 5);
			const char *v = (const char *)sqlite3_column_text(it, 6);
			const char *ty = (const char *)sqlite3_column_text(it, 7);
			if (!c[0] || !c[1] || !c[2] || !c[3] || !unit || !v || !version ||
			    strcmp(v, version) != 0 || !ty || strcmp(ty, "integer") != 0)
				bad = 1;
			jw_obj_begin(&w);
			jw_kstr(&w, "category", c[0] ? c[0] : "");
			jw_kstr(&w, "code", c[1] ? c[1] : "");
			jw_kstr(&w, "name", c[2] ? c[2] : "");
			jw_kstr(&w, "pinyin", c[3] ? c[3] : "");
			jw_kint(&w, "price_fen", sqlite3_column_int64(it, 4));
			jw_kstr(&w, "unit", unit ? unit : "");
			jw_obj_end(&w);
			n++;
		}
		sqlite3_reset(it);
		jw_arr_end(&w);
		const char *text;
		size_t len;
		char hex[65] = "";
		if (jw_finish(&w, &text, &len) == 0) {
			uint8_t h[32];
			crypto_generichash(h, sizeof h, (const uint8_t *)text, len, NULL, 0);
			hex_encode(hex, h, sizeof h);
		}
		jw_free(&w);
		if (bad || n != items || !digest || strcmp(hex, digest) != 0)
			rc = bulu_errf(e, BULU_INTEGRITY,
				       "journal.db: the catalog snapshot of seq %lld is not the one its "
				       "catalog_load entry recorded (items, prices or version edited)",
				       (long long)seq);
	}
	if (rc == BULU_OK && sqlite3_step(orphan) == SQLITE_ROW &&
	    sqlite3_column_type(orphan, 0) != SQLITE_NULL)
		rc = bulu_errf(e, BULU_INTEGRITY,
			       "journal.db: catalog_items holds rows under load_seq %lld, which is not a "
			       "catalog_load entry", (long long)sqlite3_column_int64(orphan, 0));
done:
	sqlite3_finalize(ld);
	sqlite3_finalize(it);
	sqlite3_finalize(orphan);
	return rc;
}

/* A head record (DIR/head, required; or its mirror, when present) must be
 * signed by the station key and name an entry the journal holds, with the
 * same hash. */
static int verify_head(journal *j, const char *path, int64_t count, int required, bulu_err *e)
{
	head_rec h;
	int rc = head_read(path, j->pk, &h, e);
	if (rc == BULU_BADINPUT && !required)
		return BULU_OK;
	if (rc == BULU_BADINPUT)
		return bulu_errf(e, BULU_INTEGRITY,
				 "the head record %s is missing: nothing shows which entry this station "
				 "saved last, so entries removed from the end could not be seen", path);
	if (rc != BULU_OK)
		return rc;
	if (h.seq > count)
		return bulu_errf(e, BULU_INTEGRITY,
				 "journal.db is intact up to seq %lld, but this station already saved seq "
				 "%lld (%s): entries were removed from the end, or an old copy was restored",
				 (long long)count, (long long)h.seq, path);
	sqlite3_stmt *st = NULL;
	sqlite3_prepare_v2(j->db, "SELECT hash FROM entries WHERE seq = ?", -1, &st, NULL);
	sqlite3_bind_int64(st, 1, h.seq);
	int same = h.seq == 0 ||
		   (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == ENTRY_HASH_BYTES &&
		    memcmp(sqlite3_column_blob(st, 0), h.hash, ENTRY_HASH_BYTES) == 0);
	sqlite3_finalize(st);
	if (!same)
		return bulu_errf(e, BULU_INTEGRITY,
				 "journal.db: seq %lld is not the entry the head record %s names: the "
				 "journal was replaced by another chain", (long long)h.seq, path);
	return BULU_OK;
}

/*
 * The key that counts is the station row's (bound by the first entry);
 * public.key and secret.key must name the same key when present (an
 * auditor's copy may come without the secret key).  secret.key keeps its
 * key id in the clear; an unprotected one also its public half.
 */
static int key_files_check(journal *j, bulu_err *e)
{
	char path[PATH_MAX], *text = NULL;
	uint8_t pk[KEY_PK_BYTES], id[KEY_ID_BYTES], want[KEY_ID_BYTES];
	size_t n;
	int has_pk = 0, rc;
	bulu_err ke;
	keys_key_id(j->pk, want);
	journal_path(j, "public.key", path, sizeof path);
	rc = text_slurp(path, &text, &n, &ke);
	if (rc == BULU_OK) {
		rc = keys_parse_minisign_pubkey(text, pk, id, &ke);
		free(text);
		if (rc != BULU_OK || memcmp(pk, j->pk, KEY_PK_BYTES) != 0)
			return bulu_errf(e, BULU_INTEGRITY,
					 "%s is not the key the journal is signed with (the station's first "
					 "entry names another)", path);
	}
	journal_path(j, "secret.key", path, sizeof path);
	rc = keys_peek_secret(path, id, pk, &has_pk, &ke);
	if (rc == BULU_BADINPUT)
		return BULU_OK;
	if (rc != BULU_OK)
		return bulu_errf(e, BULU_INTEGRITY, "%s", ke.msg);
	if (memcmp(id, want, KEY_ID_BYTES) != 0 || (has_pk && memcmp(pk, j->pk, KEY_PK_BYTES) != 0))
		return bulu_errf(e, BULU_INTEGRITY,
				 "%s is not the secret half of the key the journal is signed with: entries "
				 "saved with it would not verify", path);
	return BULU_OK;
}

int journal_verify(journal *j, int64_t *count, bulu_err *e)
{
	sqlite3_stmt *st = NULL;
	struct sigcheck *c = malloc(CHUNK * sizeof *c);
	uint8_t prev[ENTRY_HASH_BYTES] = {0};
	int64_t want = 1;
	int rc = BULU_OK, more = 1;
	char why[256];
	*count = 0;
	if (!c)
		return bulu_errf(e, BULU_SYSTEM, "out of memory");
	if (sqlite3_prepare_v2(j->db,
			       "SELECT " JOURNAL_COLUMNS " FROM entries ORDER BY seq", -1, &st, NULL) != SQLITE_OK) {
		free(c);
		return journal_sqlerr(j, e, "journal.db");
	}
	while (more && rc == BULU_OK) {
		size_t n = 0;
		const char *bad = NULL;
		int64_t badseq = 0;
		int step;
		while (n < CHUNK && (step = sqlite3_step(st)) == SQLITE_ROW) {
			entry en;
			bad = check_row(j, st, want, prev, &en, why, sizeof why);
			if (bad) {
				badseq = want;
				break;
			}
			c[n].seq = en.seq;
			memcpy(c[n].hash, en.hash, ENTRY_HASH_BYTES);
			memcpy(c[n].sig, en.sig, ENTRY_SIG_BYTES);
			memcpy(prev, en.hash, ENTRY_HASH_BYTES);
			n++;
			want++;
		}
		if (n < CHUNK && !bad) {
			more = 0;
			if (step != SQLITE_DONE)
				rc = journal_sqlerr(j, e, "reading journal.db");
		}
		size_t first = verify_sigs(c, n, j->pk);
		if (first < n)
			rc = bulu_errf(e, BULU_INTEGRITY, "journal.db: seq %lld: its signature does not verify with the station key",
				       (long long)c[first].seq);
		else if (bad)
			rc = bulu_errf(e, BULU_INTEGRITY, "journal.db: seq %lld: %s", (long long)badseq, bad);
		*count += (int64_t)(first < n ? first : n);
	}
	sqlite3_finalize(st);
	free(c);
	if (rc != BULU_OK)
		return rc;
	if (*count == 0)
		return bulu_errf(e, BULU_INTEGRITY, "journal.db holds no entries, not even the station's first");
	if (!journal_triggers_present(j))
		return bulu_errf(e, BULU_INTEGRITY,
				 "journal.db: the triggers are not exactly those of the format (removed, "
				 "altered or added)");
	if ((rc = journal_station_row_check(j, e)) != BULU_OK || (rc = catalog_check(j, e)) != BULU_OK)
		return rc;
	char path[PATH_MAX];
	journal_path(j, "head", path, sizeof path);
	if ((rc = verify_head(j, path, *count, 1, e)) != BULU_OK)
		return rc;
	if (j->mirror[0] && (rc = verify_head(j, j->mirror, *count, 0, e)) != BULU_OK)
		return rc;
	return key_files_check(j, e);
}

int journal_accept_restore(const char *dir, const char *operator_,
			   const char *reason, bulu_err *e)
{
	journal *j = NULL;
	int rc = journal_open_mode(dir, JOURNAL_WRITE, 0, &j, e);
	if (rc != BULU_OK)
		return rc;
	/* The lost head: the further of DIR/head and its mirror (after a
	 * whole directory was restored, only the mirror knows). */
	char path[PATH_MAX];
	head_rec h = {0, 0, {0}, -1, ""}, m = {0, 0, {0}, -1, ""};
	journal_path(j, "head", path, sizeof path);
	bulu_err he;
	int had = head_read(path, j->pk, &h, &he) == BULU_OK;
	if (j->mirror[0] && head_read(j->mirror, j->pk, &m, &he) == BULU_OK) {
		int64_t inv = h.invoice_max > m.invoice_max ? h.invoice_max : m.invoice_max;
		if (!had || m.seq > h.seq)
			h = m;
		h.invoice_max = inv;
		had = 1;
	}
	rc = journal_begin(j, e);
	j->force_head = 1;
	if (rc == BULU_OK) {
		char hx[2 * ENTRY_HASH_BYTES + 1];
		hex_encode(hx, h.hash, ENTRY_HASH_BYTES);
		jw w;
		jw_init(&w);
		jw_obj_begin(&w);
		jw_kstr(&w, "event", "restore_accepted");
		/* Invoice numbers up to here may be on paper already: the
		 * allocator never hands them out again (invoice.c). */
		if (had && h.invoice_max >= 0)
			jw_kint(&w, "invoice_no_max", h.invoice_max);
		jw_kint(&w, "journal_seq", j->last_seq);
		if (had) {
			jw_kstr(&w, "lost_head_hash", hx);
			jw_kint(&w, "lost_head_seq", h.seq);
		}
		jw_kstr(&w, "reason", reason);
		jw_obj_end(&w);
		const char *body;
		size_t blen;
		if (jw_finish(&w, &body, &blen) != 0)
			rc = bulu_errf(e, BULU_BADINPUT, "the reason must be UTF-8 text");
		else
			rc = journal_append(j, "note", operator_, j->episode, NULL, body, blen, NULL, e);
		jw_free(&w);
		if (rc == BULU_OK)
			rc = journal_commit(j, e);
	}
	journal_close(j);
	return rc;
}
