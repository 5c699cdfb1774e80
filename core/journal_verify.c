/*
 * journal_verify.c - proving a journal untouched, and the deliberate way
 * past a restored old copy.
 *
 * journal_verify recomputes every entry's hash from the bytes stored in
 * SQLite, follows every prev_hash link, checks seq has no gap, verifies
 * every Ed25519 signature against the station key (in parallel, chunk by
 * chunk, so the first bad seq is still the one reported), checks the
 * genesis entry binds this station and key, and that the append-only
 * triggers are still there.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "bulu/head.h"
#include "bulu/json.h"
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

static const char *col_text(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	return s ? s : "";
}

int journal_entry_from_row(sqlite3_stmt *st, entry *en)
{
	en->station = col_text(st, 0);
	en->seq = sqlite3_column_int64(st, 1);
	if (sqlite3_column_bytes(st, 2) != ENTRY_HASH_BYTES ||
	    sqlite3_column_bytes(st, 3) != ENTRY_HASH_BYTES ||
	    sqlite3_column_bytes(st, 4) != ENTRY_SIG_BYTES)
		return -1;
	memcpy(en->prev_hash, sqlite3_column_blob(st, 2), ENTRY_HASH_BYTES);
	memcpy(en->hash, sqlite3_column_blob(st, 3), ENTRY_HASH_BYTES);
	memcpy(en->sig, sqlite3_column_blob(st, 4), ENTRY_SIG_BYTES);
	en->kind = col_text(st, 5);
	en->recorded_at = col_text(st, 6);
	en->operator_ = col_text(st, 7);
	en->episode = col_text(st, 8);
	en->body = col_text(st, 9);
	en->body_len = (size_t)sqlite3_column_bytes(st, 9);
	return 0;
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

static int triggers_present(journal *j)
{
	sqlite3_stmt *st = NULL;
	int n = 0;
	if (sqlite3_prepare_v2(j->db,
			       "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'entries' "
			       "AND name IN ('entries_no_update', 'entries_no_delete', 'entries_append_next') "
			       "AND sql LIKE '%RAISE(ABORT%'", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n == 3;
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
	if (!triggers_present(j))
		return bulu_errf(e, BULU_INTEGRITY,
				 "journal.db: the append-only triggers on entries were removed or altered");
	char path[PATH_MAX];
	head_rec h;
	bulu_err he;
	journal_path(j, "head", path, sizeof path);
	if (head_read(path, &h, &he) == BULU_OK && h.seq > *count)
		return bulu_errf(e, BULU_INTEGRITY,
				 "journal.db is intact up to seq %lld, but this station already saved seq %lld: "
				 "an old copy was restored", (long long)*count, (long long)h.seq);
	return BULU_OK;
}

int journal_accept_restore(const char *dir, const char *operator_,
			   const char *reason, bulu_err *e)
{
	journal *j = NULL;
	int rc = journal_open_mode(dir, JOURNAL_WRITE, 0, &j, e);
	if (rc != BULU_OK)
		return rc;
	char path[PATH_MAX];
	head_rec h = {0, 0, {0}};
	journal_path(j, "head", path, sizeof path);
	bulu_err he;
	int had = head_read(path, &h, &he) == BULU_OK;
	rc = journal_begin(j, e);
	j->force_head = 1;
	if (rc == BULU_OK) {
		char hx[2 * ENTRY_HASH_BYTES + 1];
		hex_encode(hx, h.hash, ENTRY_HASH_BYTES);
		jw w;
		jw_init(&w);
		jw_obj_begin(&w);
		jw_kstr(&w, "event", "restore_accepted");
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
