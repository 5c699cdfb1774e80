/*
 * tiers.c - the tier table and incident levels (tiers.h), parsed from the
 * user-editable tier file.  Invariants: tiers are kept in file order and
 * their times never decrease; levels likewise, the last one "beyond" (-1)
 * when given; a department takes the first tier naming it (by substring,
 * "*" for all).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulu/fsutil.h"
#include "bulu/tiers.h"

extern const char profile_tiers_default[];

/* "30m", "6h", "24h", "90s", "2d" -> seconds, or -1. */
static int64_t duration(const char *s)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	if (end == s || v < 0 || v > 100000)
		return -1;
	if (!strcmp(end, "s"))
		return v;
	if (!strcmp(end, "m") || !strcmp(end, "min"))
		return v * 60;
	if (!strcmp(end, "h"))
		return v * 3600;
	if (!strcmp(end, "d"))
		return v * 86400;
	return -1;
}

int tiers_parse(const char *what, const char *text, tier_table *tt, bulu_err *e)
{
	memset(tt, 0, sizeof *tt);
	int lineno = 0;
	const char *p = text;
	while (*p) {
		size_t n = strcspn(p, "\n");
		char line[2048];
		lineno++;
		if (n >= sizeof line)
			return bulu_errf(e, BULU_BADINPUT, "%s: line %d: too long", what, lineno);
		memcpy(line, p, n);
		line[n] = '\0';
		p += n + (p[n] == '\n');
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *save = NULL, *w[2 + TIER_DEPTS_MAX + 1];
		int nw = 0;
		for (char *t = strtok_r(line, " \t\r", &save); t && nw < (int)(sizeof w / sizeof w[0]);
		     t = strtok_r(NULL, " \t\r", &save))
			w[nw++] = t;
		if (nw == 0)
			continue;
		if (!strcmp(w[0], "tier")) {
			if (nw < 4 || tt->n == TIERS_MAX || nw - 3 > TIER_DEPTS_MAX)
				return bulu_errf(e, BULU_BADINPUT,
						 "%s: line %d: write `tier NAME AFTER DEPT...` (at most %d tiers, "
						 "%d departments each)", what, lineno, TIERS_MAX, TIER_DEPTS_MAX);
			tier *t = &tt->t[tt->n];
			int64_t after = duration(w[2]);
			if (strlen(w[1]) >= sizeof t->name || after < 0 ||
			    (tt->n && after < tt->t[tt->n - 1].after))
				return bulu_errf(e, BULU_BADINPUT,
						 "%s: line %d: column 3: a time such as 30m, 6h or 24h, not before "
						 "the tier above", what, lineno);
			snprintf(t->name, sizeof t->name, "%s", w[1]);
			t->after = after;
			for (int i = 3; i < nw; i++) {
				if (strlen(w[i]) >= sizeof t->dept[0])
					return bulu_errf(e, BULU_BADINPUT, "%s: line %d: column %d: too long",
							 what, lineno, i + 1);
				snprintf(t->dept[t->ndept++], sizeof t->dept[0], "%s", w[i]);
			}
			tt->n++;
		} else if (!strcmp(w[0], "level")) {
			if (nw != 3 || tt->nlevel == LEVELS_MAX || strlen(w[1]) >= 8)
				return bulu_errf(e, BULU_BADINPUT, "%s: line %d: write `level NAME UP_TO` (UP_TO "
								   "a time, or - for beyond)", what, lineno);
			int64_t up = strcmp(w[2], "-") == 0 ? -1 : duration(w[2]);
			if ((up < 0 && strcmp(w[2], "-") != 0) ||
			    (tt->nlevel && (tt->level[tt->nlevel - 1].up_to < 0 ||
					    (up >= 0 && up <= tt->level[tt->nlevel - 1].up_to))))
				return bulu_errf(e, BULU_BADINPUT,
						 "%s: line %d: column 3: a time longer than the level above, or - "
						 "(beyond) last", what, lineno);
			snprintf(tt->level[tt->nlevel].name, 8, "%s", w[1]);
			tt->level[tt->nlevel++].up_to = up;
		} else {
			return bulu_errf(e, BULU_BADINPUT, "%s: line %d: column 1: `tier` or `level`, not '%.20s'",
					 what, lineno, w[0]);
		}
	}
	if (tt->n == 0 || tt->nlevel == 0)
		return bulu_errf(e, BULU_BADINPUT, "%s: no tier or no level line", what);
	return BULU_OK;
}

int tiers_load(const char *path, tier_table *tt, bulu_err *e)
{
	if (!path || !fs_exists(path))
		return tiers_parse("tiers-default.profile", profile_tiers_default, tt, e);
	char *text = NULL;
	size_t n;
	int rc = fs_read_regular(path, 1 << 20, &text, &n, e);
	if (rc == BULU_OK)
		rc = tiers_parse(path, text, tt, e);
	free(text);
	return rc;
}

const tier *tiers_of_dept(const tier_table *tt, const char *dept)
{
	for (int i = 0; i < tt->n; i++)
		for (int k = 0; k < tt->t[i].ndept; k++)
			if (!strcmp(tt->t[i].dept[k], "*") || (dept && strstr(dept, tt->t[i].dept[k])))
				return &tt->t[i];
	return NULL;
}

const tier *tiers_named(const tier_table *tt, const char *name)
{
	for (int i = 0; name && i < tt->n; i++)
		if (!strcmp(tt->t[i].name, name))
			return &tt->t[i];
	return NULL;
}

const tier *tiers_by_time(const tier_table *tt, int64_t elapsed)
{
	const tier *t = NULL;
	for (int i = 0; i < tt->n; i++)
		if (elapsed >= tt->t[i].after)
			t = &tt->t[i];
	return t;
}

const char *tiers_level(const tier_table *tt, int64_t seconds)
{
	for (int i = 0; i < tt->nlevel; i++)
		if (tt->level[i].up_to < 0 || seconds < tt->level[i].up_to ||
		    (i > 0 && seconds == tt->level[i].up_to))
			return tt->level[i].name;
	return tt->level[tt->nlevel - 1].name;
}
