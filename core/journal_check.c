/*
 * journal_check.c - the checks that need no walk of the whole chain: the
 * triggers as the format gives them, the station row bound by the first
 * entry, and the last entry; shared by a writer's quick check before every
 * save (journal.c) and by full verification (journal_verify.c).  It calls
 * nothing in either, so neither depends on the other through it.
 */
#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "journal_int.h"

static int sqlerr(journal *j, bulu_err *e)
{
	return bulu_errf(e, BULU_SYSTEM, "journal.db: %s", sqlite3_errmsg(j->db));
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

extern const char schema_journal_sql[];

/* 1 when two SQL texts are equal once every run of white space is taken
 * as one space. */
static int same_sql(const char *a, size_t na, const char *b, size_t nb)
{
	size_t i = 0, k = 0;
	while (i < na && k < nb) {
		int wa = a[i] == ' ' || a[i] == '\n' || a[i] == '\t' || a[i] == '\r';
		int wb = b[k] == ' ' || b[k] == '\n' || b[k] == '\t' || b[k] == '\r';
		if (wa != wb)
			return 0;
		if (wa) {
			while (i < na && (a[i] == ' ' || a[i] == '\n' || a[i] == '\t' || a[i] == '\r'))
				i++;
			while (k < nb && (b[k] == ' ' || b[k] == '\n' || b[k] == '\t' || b[k] == '\r'))
				k++;
		} else if (a[i++] != b[k++]) {
			return 0;
		}
	}
	return i == na && k == nb;
}

/*
 * The triggers are part of the format: each must be in sqlite_master with
 * the text schemas/journal.sql gives it (SQLite keeps a CREATE statement's
 * text as written, without its ';'; runs of white space compare as one
 * space), and there must be no other trigger.  1 when so.
 */
int journal_triggers_present(journal *j)
{
	const char *p = schema_journal_sql;
	int want = 0, good = 1;
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(j->db, "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return 0;
	while (good && (p = strstr(p, "CREATE TRIGGER ")) != NULL) {
		const char *name = p + strlen("CREATE TRIGGER ");
		size_t nlen = strcspn(name, " \n");
		const char *end = strstr(name, "END;");
		if (!end)
			break;
		size_t len = (size_t)(end + 3 - p);
		sqlite3_bind_text(st, 1, name, (int)nlen, SQLITE_STATIC);
		good = sqlite3_step(st) == SQLITE_ROW &&
		       same_sql((const char *)sqlite3_column_text(st, 0),
				(size_t)sqlite3_column_bytes(st, 0), p, len);
		sqlite3_reset(st);
		want++;
		p = end;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (good && sqlite3_prepare_v2(j->db, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'",
				       -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		good = sqlite3_column_int(st, 0) == want;
	sqlite3_finalize(st);
	return good && want > 0;
}

/*
 * The station row is bound by the first entry: id is its station,
 * created_at its recorded_at, pubkey the key it names, and every other
 * column (dept, role, and any added later) the string of the same name in
 * its body.  A column the body does not name is not covered, so refused.
 */
int journal_station_row_check(journal *j, bulu_err *e)
{
	sqlite3_stmt *st = NULL;
	int rc = BULU_OK;
	if (sqlite3_prepare_v2(j->db,
			       "SELECT s.*, g.station, g.recorded_at, g.body, g.kind FROM station s, "
			       "(SELECT * FROM entries WHERE seq = 1) g",
			       -1, &st, NULL) != SQLITE_OK)
		return sqlerr(j, e);
	int n = sqlite3_column_count(st) - 4;
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return bulu_errf(e, BULU_INTEGRITY, "journal.db: no station row or no first entry");
	}
	const char *gstation = (const char *)sqlite3_column_text(st, n);
	const char *gat = (const char *)sqlite3_column_text(st, n + 1);
	const char *gbody = (const char *)sqlite3_column_text(st, n + 2);
	const char *gkind = (const char *)sqlite3_column_text(st, n + 3);
	sqlite3_stmt *jx = NULL;
	if (!gbody || !gkind || strcmp(gkind, "station_init") != 0 ||
	    sqlite3_prepare_v2(j->db, "SELECT json_extract(?1, '$.' || ?2), json_type(?1, '$.' || ?2)",
			       -1, &jx, NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		return bulu_errf(e, BULU_INTEGRITY, "journal.db: the first entry is not a station_init entry");
	}
	for (int i = 0; i < n && rc == BULU_OK; i++) {
		const char *col = sqlite3_column_name(st, i);
		const char *v = (const char *)sqlite3_column_text(st, i);
		if (strcmp(col, "one") == 0)
			continue;
		if (strcmp(col, "pubkey") == 0) {
			if (sqlite3_column_bytes(st, i) != KEY_PK_BYTES ||
			    memcmp(sqlite3_column_blob(st, i), j->pk, KEY_PK_BYTES) != 0)
				rc = 1;
			else {
				char hx[2 * KEY_PK_BYTES + 1];
				hex_encode(hx, j->pk, KEY_PK_BYTES);
				sqlite3_bind_text(jx, 1, gbody, -1, SQLITE_STATIC);
				sqlite3_bind_text(jx, 2, "pubkey", -1, SQLITE_STATIC);
				rc = !(sqlite3_step(jx) == SQLITE_ROW && sqlite3_column_text(jx, 0) &&
				       strcmp((const char *)sqlite3_column_text(jx, 0), hx) == 0);
				sqlite3_reset(jx);
			}
		} else if (strcmp(col, "id") == 0) {
			rc = !(v && gstation && strcmp(v, gstation) == 0);
		} else if (strcmp(col, "created_at") == 0) {
			rc = !(v && gat && strcmp(v, gat) == 0);
		} else {
			sqlite3_bind_text(jx, 1, gbody, -1, SQLITE_STATIC);
			sqlite3_bind_text(jx, 2, col, -1, SQLITE_STATIC);
			int got = sqlite3_step(jx) == SQLITE_ROW;
			const char *bv = got ? (const char *)sqlite3_column_text(jx, 0) : NULL;
			const char *bt = got ? (const char *)sqlite3_column_text(jx, 1) : NULL;
			rc = !(v && bv && bt && strcmp(bt, "text") == 0 && strcmp(v, bv) == 0 &&
			       sqlite3_column_type(st, i) == SQLITE_TEXT);
			sqlite3_reset(jx);
		}
		if (rc)
			rc = bulu_errf(e, BULU_INTEGRITY,
				       "journal.db: the station row's %s is not what the station's first "
				       "entry (seq 1) recorded: the station row was edited", col);
	}
	sqlite3_finalize(jx);
	sqlite3_finalize(st);
	return rc;
}

/*
 * The checks a writer runs before every save, in constant time: the
 * triggers, the station row, and the last entry (its hash recomputed, its
 * link to the one before, its signature).  A journal failing them is
 * refused: a tampered journal takes no new captures.
 */
int journal_quick_check(journal *j, bulu_err *e)
{
	if (!journal_triggers_present(j))
		return bulu_errf(e, BULU_INTEGRITY,
				 "journal.db: the append-only triggers were removed or altered; writing is "
				 "refused. Run `bulu journal verify` and call IT");
	int rc = journal_station_row_check(j, e);
	if (rc != BULU_OK)
		return bulu_err_prefix(e, "writing is refused");
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(j->db, "SELECT " JOURNAL_COLUMNS " FROM entries ORDER BY seq DESC LIMIT 2",
			       -1, &st, NULL) != SQLITE_OK)
		return sqlerr(j, e);
	entry en;
	uint8_t h[ENTRY_HASH_BYTES];
	const char *bad = NULL;
	int64_t seq = 0;
	if (sqlite3_step(st) != SQLITE_ROW || journal_entry_from_row(st, &en) != 0) {
		bad = "the last entry is malformed";
	} else {
		seq = en.seq;
		entry_hash(&en, h);
		if (memcmp(h, en.hash, ENTRY_HASH_BYTES) != 0)
			bad = "its hash does not match its stored fields (the entry was edited)";
		else if (crypto_sign_verify_detached(en.sig, en.hash, ENTRY_HASH_BYTES, j->pk) != 0)
			bad = "its signature does not verify with the station key";
		else {
			uint8_t prev[ENTRY_HASH_BYTES];
			memcpy(prev, en.prev_hash, ENTRY_HASH_BYTES);
			int64_t want = en.seq - 1;
			if (sqlite3_step(st) == SQLITE_ROW) {
				if (sqlite3_column_int64(st, 1) != want ||
				    sqlite3_column_bytes(st, 3) != ENTRY_HASH_BYTES ||
				    memcmp(sqlite3_column_blob(st, 3), prev, ENTRY_HASH_BYTES) != 0)
					bad = "it does not link to the entry before it";
			} else if (want != 0) {
				bad = "the entries before it are missing";
			}
		}
	}
	sqlite3_finalize(st);
	if (bad)
		return bulu_errf(e, BULU_INTEGRITY, "journal.db: seq %lld: %s; writing is refused. "
				 "Run `bulu journal verify` and call IT", (long long)seq, bad);
	return BULU_OK;
}

