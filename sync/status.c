/*
 * status.c - each station's chain as the ledger holds it: ranges held,
 * gaps, forks, links that do not join, the last entry and the last import.
 *
 * One ordered pass per station over all_entries (entries and drill entries
 * merged by SQLite in seq order): linear in the ledger's size.  The pass
 * recomputes every entry's hash from its fields (BLAKE2b: cheap next to
 * reading them), so a byte changed in the ledger after import is an
 * integrity failure here, never a clean status; the signatures, the
 * imports record and the rest are `bulu ledger verify`'s (ledger_verify.c).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulu/buf.h"
#include "bulu/ledger.h"

/* Ranges "a-b,c,d-e" built one seq at a time, in order. */
typedef struct ranges {
	buf text;
	int64_t lo, hi; /* the open range, lo = 0 when none */
} ranges;

static void ranges_flush(ranges *r)
{
	if (r->lo == 0)
		return;
	if (r->text.len)
		buf_putc(&r->text, ',');
	if (r->lo == r->hi)
		buf_printf(&r->text, "%" PRId64, r->lo);
	else
		buf_printf(&r->text, "%" PRId64 "-%" PRId64, r->lo, r->hi);
	r->lo = 0;
}

static void ranges_add(ranges *r, int64_t lo, int64_t hi)
{
	if (r->lo && lo == r->hi + 1) {
		r->hi = hi;
		return;
	}
	ranges_flush(r);
	r->lo = lo;
	r->hi = hi;
}

static char *ranges_done(ranges *r)
{
	ranges_flush(r);
	buf_putc(&r->text, '\0');
	return buf_steal(&r->text, NULL);
}

static void text_col(sqlite3_stmt *st, int i, char *out, size_t n)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	snprintf(out, n, "%s", s ? s : "");
}

/* -1 when SQLite or memory fails, -2 (why filled) when an entry does not
 * match its hash. */
static int station_status(sqlite3 *db, ledger_station *s, char *why, size_t nwhy)
{
	sqlite3_stmt *st = NULL;
	ranges held = {BUF_INIT, 0, 0}, gaps = {BUF_INIT, 0, 0}, forks = {BUF_INIT, 0, 0},
	       unlinked = {BUF_INIT, 0, 0};
	/* The previous seq's hashes (more than one only at a fork). */
	uint8_t (*prev)[ENTRY_HASH_BYTES] = NULL, (*cur)[ENTRY_HASH_BYTES] = NULL;
	size_t nprev = 0, ncur = 0, cap = 0;
	int64_t prev_seq = 0, seq_now = 0;
	int linked_now = 0, rc = -1;
	/* Columns: JOURNAL_COLUMNS (station 0, seq 1, prev_hash 2, hash 3, ...,
	 * recorded_at 6), then drill 10. */
	if (sqlite3_prepare_v2(db, "SELECT " JOURNAL_COLUMNS ", drill FROM all_entries "
				   "WHERE station = ? ORDER BY seq", -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(st, 1, s->station, -1, SQLITE_STATIC);
	int r;
	for (;;) {
		r = sqlite3_step(st);
		int64_t seq = r == SQLITE_ROW ? sqlite3_column_int64(st, 1) : -1;
		if (r == SQLITE_ROW) {
			entry en;
			uint8_t h[ENTRY_HASH_BYTES];
			if (journal_entry_from_row(st, &en) != 0 || (entry_hash(&en, h), 0) ||
			    memcmp(h, en.hash, ENTRY_HASH_BYTES) != 0 || strcmp(en.station, s->station) != 0) {
				snprintf(why, nwhy, "station %s seq %" PRId64 ": the entry does not match its hash "
					 "(the ledger was changed after import); run bulu ledger verify", s->station, seq);
				rc = -2;
				goto out;
			}
		}
		if (seq != seq_now && seq_now != 0) {
			/* seq_now is complete: judge it and move on. */
			if (ncur > 1) {
				ranges_add(&forks, seq_now, seq_now);
				s->n_forks++;
			}
			if (prev_seq > 0 && prev_seq == seq_now - 1 && !linked_now) {
				ranges_add(&unlinked, seq_now, seq_now);
				s->n_unlinked++;
			}
			uint8_t (*t)[ENTRY_HASH_BYTES] = prev;
			prev = cur;
			cur = t;
			nprev = ncur;
			ncur = 0;
			prev_seq = seq_now;
		}
		if (r != SQLITE_ROW)
			break;
		if (seq != seq_now) {
			if (seq > (prev_seq ? prev_seq : 0) + 1)
				ranges_add(&gaps, prev_seq + 1, seq - 1);
			ranges_add(&held, seq, seq);
			if (sqlite3_column_int(st, 10))
				s->drill_entries++;
			else
				s->entries++;
			if (s->first == 0)
				s->first = seq;
			s->last = seq;
			seq_now = seq;
			linked_now = 0;
			text_col(st, 6, s->last_recorded_at, sizeof s->last_recorded_at);
		}
		if (ncur == cap) {
			size_t nc = cap ? cap * 2 : 4;
			void *a = realloc(prev, nc * ENTRY_HASH_BYTES), *b = a ? realloc(cur, nc * ENTRY_HASH_BYTES) : NULL;
			if (a)
				prev = a;
			if (!b)
				goto out;
			cur = b;
			cap = nc;
		}
		if (sqlite3_column_bytes(st, 3) == ENTRY_HASH_BYTES)
			memcpy(cur[ncur++], sqlite3_column_blob(st, 3), ENTRY_HASH_BYTES);
		if (prev_seq == seq - 1 && sqlite3_column_bytes(st, 2) == ENTRY_HASH_BYTES)
			for (size_t i = 0; i < nprev; i++)
				if (memcmp(prev[i], sqlite3_column_blob(st, 2), ENTRY_HASH_BYTES) == 0)
					linked_now = 1;
	}
	if (r != SQLITE_DONE)
		goto out;
	sqlite3_finalize(st);
	st = NULL;
	if (s->head > s->last)
		ranges_add(&gaps, s->last + 1, s->head);
	rc = 0;
out:
	sqlite3_finalize(st);
	free(prev);
	free(cur);
	s->held = ranges_done(&held);
	s->gaps = ranges_done(&gaps);
	s->forks = ranges_done(&forks);
	s->unlinked = ranges_done(&unlinked);
	/* Count the seqs missing from the gap text's ranges. */
	for (const char *p = s->gaps; p && *p;) {
		long long a = 0, b = 0;
		int used = 0;
		if (sscanf(p, "%lld-%lld%n", &a, &b, &used) == 2)
			s->n_gap_seqs += b - a + 1;
		else if (sscanf(p, "%lld%n", &a, &used) == 1)
			s->n_gap_seqs += 1;
		p += used ? used : 1;
		if (*p == ',')
			p++;
	}
	if ((!s->held || !s->gaps || !s->forks || !s->unlinked) && rc == 0)
		rc = -1;
	return rc;
}

static int station_facts(sqlite3 *db, ledger_station *s)
{
	sqlite3_stmt *st = NULL;
	int rc = 0;
	if (sqlite3_prepare_v2(db, "SELECT json_extract(body, '$.dept'), json_extract(body, '$.role') "
				   "FROM all_entries WHERE station = ?1 AND seq = 1 AND kind = 'station_init' LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK)
		rc = -1;
	sqlite3_bind_text(st, 1, s->station, -1, SQLITE_STATIC);
	if (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		text_col(st, 0, s->dept, sizeof s->dept);
		text_col(st, 1, s->role, sizeof s->role);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc == 0 && sqlite3_prepare_v2(db, "SELECT max(seq) FROM heads WHERE station = ?1", -1, &st, NULL) !=
			       SQLITE_OK)
		rc = -1;
	sqlite3_bind_text(st, 1, s->station, -1, SQLITE_STATIC);
	if (rc == 0 && sqlite3_step(st) == SQLITE_ROW)
		s->head = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	if (rc == 0 && sqlite3_prepare_v2(db, "SELECT imported_at, result FROM imports WHERE station = ?1 "
					      "ORDER BY id DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		rc = -1;
	sqlite3_bind_text(st, 1, s->station, -1, SQLITE_STATIC);
	if (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		text_col(st, 0, s->last_import, sizeof s->last_import);
		text_col(st, 1, s->last_import_result, sizeof s->last_import_result);
	}
	sqlite3_finalize(st);
	return rc;
}

int ledger_status(ledger *l, ledger_station **out, size_t *n, bulu_err *e)
{
	sqlite3 *db = ledger_db(l);
	sqlite3_stmt *st = NULL;
	ledger_station *v = NULL;
	size_t len = 0, cap = 0;
	*out = NULL;
	*n = 0;
	/* Read everything in one snapshot, so an import running meanwhile is
	 * seen whole or not at all. */
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT station FROM entries UNION SELECT station FROM drill_entries "
				   "UNION SELECT station FROM heads UNION SELECT station FROM imports "
				   "WHERE station IS NOT NULL ORDER BY 1", -1, &st, NULL) != SQLITE_OK)
		goto fail;
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (len == cap) {
			size_t nc = cap ? cap * 2 : 16;
			ledger_station *nv = realloc(v, nc * sizeof *v);
			if (!nv)
				goto fail;
			v = nv;
			cap = nc;
		}
		memset(&v[len], 0, sizeof v[len]);
		text_col(st, 0, v[len].station, sizeof v[len].station);
		len++;
	}
	if (r != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	st = NULL;
	char why[512] = "";
	for (size_t i = 0; i < len; i++) {
		int bad = station_facts(db, &v[i]) != 0 ? -1 : station_status(db, &v[i], why, sizeof why);
		if (bad == -2) {
			int rc = bulu_errf(e, BULU_INTEGRITY, "%s", why);
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			ledger_status_free(v, i + 1);
			return rc;
		}
		if (bad) {
			len = i + 1;
			goto fail;
		}
	}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	*out = v;
	*n = len;
	return BULU_OK;
fail:
	sqlite3_finalize(st);
	int rc = bulu_errf(e, BULU_SYSTEM, "reading the ledger: %s", sqlite3_errmsg(db));
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	ledger_status_free(v, len);
	return rc;
}

void ledger_status_free(ledger_station *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].held);
		free(v[i].gaps);
		free(v[i].forks);
		free(v[i].unlinked);
	}
	free(v);
}
