/*
 * suggest.c - the screen's item suggestions from an in-memory copy of the
 * newest catalog snapshot (suggest.h).
 *
 * Invariants: the copy is of exactly one snapshot (its load_seq), reloaded
 * when a newer one is loaded; the ranking and order are those of the SQL of
 * `bulu catalog find` (ORDER BY rank, code; LIKE being case-blind for ASCII
 * letters only), so the screen and the command suggest the same items.
 */
#include <stdlib.h>
#include <string.h>

#include "bulu/text.h"
#include "suggest.h"

struct suggest {
	int64_t load_seq;
	struct sitem *it; /* by code (BINARY order, as ORDER BY code) */
	size_t n;
	char *arena;      /* every string of it[] */
};

void suggest_free(struct suggest *sg)
{
	if (!sg)
		return;
	free(sg->it);
	free(sg->arena);
	free(sg);
}

static const char *col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? (const char *)t : "";
}

int suggest_load(struct suggest **sgp, journal *j, int64_t load_seq, bulu_err *e)
{
	if (*sgp && (*sgp)->load_seq == load_seq)
		return BULU_OK;
	sqlite3 *db = journal_db(j);
	sqlite3_stmt *st = NULL;
	struct suggest *sg = calloc(1, sizeof *sg);
	size_t cap = 0, alen = 0, acap = 0;
	if (!sg)
		return bulu_errf(e, BULU_SYSTEM, "out of memory");
	sg->load_seq = load_seq;
	if (sqlite3_prepare_v2(db,
			       "SELECT code, name, pinyin, unit, category, price_fen FROM catalog_items"
			       " WHERE load_seq = ?1 ORDER BY code",
			       -1, &st, NULL) != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(st, 1, load_seq);
	/* Strings go into one arena as offsets first (it moves as it grows). */
	size_t *off = NULL;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sg->n == cap) {
			cap = cap ? 2 * cap : 1024;
			struct sitem *t = realloc(sg->it, cap * sizeof *t);
			size_t *o = realloc(off, cap * 8 * sizeof *o);
			if (t)
				sg->it = t;
			if (o)
				off = o;
			if (!t || !o)
				goto oom;
		}
		const char *v[5] = {col(st, 0), col(st, 1), col(st, 2), col(st, 3), col(st, 4)};
		/* code, name, pinyin, unit, category, then code, name, pinyin lower-cased */
		for (int k = 0; k < 8; k++) {
			const char *s = v[k < 5 ? k : k - 5];
			size_t len = strlen(s) + 1;
			if (alen + len > acap) {
				size_t na = acap ? 2 * acap : 1 << 20;
				while (na < alen + len)
					na *= 2;
				char *a = realloc(sg->arena, na);
				if (!a)
					goto oom;
				sg->arena = a;
				acap = na;
			}
			memcpy(sg->arena + alen, s, len);
			if (k >= 5)
				text_ascii_lower(sg->arena + alen);
			off[sg->n * 8 + (size_t)k] = alen;
			alen += len;
		}
		sg->it[sg->n].price_fen = sqlite3_column_int64(st, 5);
		sg->n++;
	}
	if (rc != SQLITE_DONE) {
		free(off);
		goto sqlfail;
	}
	for (size_t i = 0; i < sg->n; i++) {
		struct sitem *t = &sg->it[i];
		const char **dst[8] = {&t->code,    &t->name,    &t->pinyin,  &t->unit,
				       &t->category, &t->code_lc, &t->name_lc, &t->pinyin_lc};
		for (int k = 0; k < 8; k++)
			*dst[k] = sg->arena + off[i * 8 + (size_t)k];
	}
	free(off);
	sqlite3_finalize(st);
	suggest_free(*sgp);
	*sgp = sg;
	return BULU_OK;
oom:
	free(off);
	sqlite3_finalize(st);
	suggest_free(sg);
	return bulu_errf(e, BULU_SYSTEM, "out of memory");
sqlfail:
	bulu_errf(e, BULU_SYSTEM, "journal.db: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	suggest_free(sg);
	return e->code;
}

size_t suggest_find(const struct suggest *sg, const char *q, const struct sitem **out, size_t max)
{
	char lc[256];
	size_t n = strlen(q);
	if (!sg || n == 0 || n >= sizeof lc || max == 0)
		return 0;
	memcpy(lc, q, n + 1);
	text_ascii_lower(lc);
	/* One pass in code order: up to max items of each rank, then the ranks
	 * in order (a later item may have a better rank, so no early stop). */
	const struct sitem *buf[4][64];
	size_t cnt[4] = {0, 0, 0, 0};
	if (max > 64)
		max = 64;
	for (size_t i = 0; i < sg->n; i++) {
		const struct sitem *t = &sg->it[i];
		int r;
		if (strcmp(t->code_lc, lc) == 0)
			r = 0;
		else if (strncmp(t->code_lc, lc, n) == 0)
			r = 1;
		else if (t->pinyin_lc[0] && strncmp(t->pinyin_lc, lc, n) == 0)
			r = 2;
		else if (strstr(t->name_lc, lc))
			r = 3;
		else
			continue;
		if (cnt[r] < max)
			buf[r][cnt[r]++] = t;
	}
	size_t k = 0;
	for (int r = 0; r < 4 && k < max; r++)
		for (size_t i = 0; i < cnt[r] && k < max; i++)
			out[k++] = buf[r][i];
	return k;
}
