/*
 * gather.c - the numbers of the incident report (incident.h), read from the
 * central ledger with bound parameters, and from reconcile's findings.csv and
 * states.csv when a reconcile directory is given (its his_entered_at, when
 * present, gives each line's back-fill time: the progress over time and the
 * latency per kind after the restore).
 *
 * Invariants: the ledger is opened read-only and never written; the outage
 * is one declared episode together with the undeclared episodes that joined
 * it (outage_end "joined"), or one undeclared episode; drills (drill_entries)
 * are never counted; every figure comes from a query or a file, nothing is
 * assumed; sums of money are held at the int64 bounds with their sign
 * (money_add_sat), never wrapped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "bulu/clock.h"
#include "bulu/cmd.h"
#include "bulu/csvfile.h"
#include "bulu/money.h"
#include "bulu/notice.h"
#include "incident.h"

#define CAPS "('registration','card_issue','charge','prescription','order','requisition','dispense','exam','invoice_void','void')"
/* The outage ?1 and the undeclared episodes that joined it. */
#define EPS "WITH eps(e) AS (SELECT ?1" \
	" UNION SELECT episode FROM entries WHERE kind = 'outage_end' AND body->>'joined' = ?1) "

static char *dup(const unsigned char *s) { return strdup(s ? (const char *)s : ""); }

static int sqlfail(sqlite3 *db, bulu_err *e)
{
	return bulu_errf(e, BULU_SYSTEM, "ledger: %s", sqlite3_errmsg(db));
}

/* Grow *p to hold n + 1 elements. */
static int more(void **p, size_t n, size_t size)
{
	if (n & (n - 1) && n >= 8)
		return 0;
	void *q = realloc(*p, (n < 8 ? 8 : 2 * n) * size);
	if (!q)
		return -1;
	*p = q;
	return 0;
}

static int prep(sqlite3 *db, const char *sql, const char *ep, sqlite3_stmt **st, bulu_err *e)
{
	if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK)
		return sqlfail(db, e);
	if (ep)
		sqlite3_bind_text(*st, 1, ep, -1, SQLITE_TRANSIENT);
	return BULU_OK;
}

static int add_event(incident *r, const char *when, const char *station, const char *what)
{
	if (more((void **)&r->ev, r->nev, sizeof *r->ev))
		return -1;
	struct inc_event *v = &r->ev[r->nev++];
	snprintf(v->when, sizeof v->when, "%s", when ? when : "");
	v->t = when ? clock_epoch(when) : -1;
	v->station = strdup(station ? station : "");
	v->what = strdup(what);
	return 0;
}

/* The outage: --episode, else the real episode with the latest start that
 * did not join another. */
static int pick(sqlite3 *db, const char *episode, incident *r, bulu_err *e)
{
	sqlite3_stmt *st;
	int rc = prep(db,
		      "SELECT s.episode FROM entries s WHERE s.kind = 'outage_start' AND (?1 IS NULL OR s.episode = ?1)"
		      " AND NOT EXISTS (SELECT 1 FROM entries j WHERE j.kind = 'outage_end' AND j.episode = s.episode"
		      "  AND j.body->>'joined' IS NOT NULL)"
		      " ORDER BY s.body->>'at' DESC, s.episode LIMIT 1", episode, &st, e);
	if (rc != BULU_OK)
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(r->id, sizeof r->id, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (!*r->id)
		return bulu_errf(e, BULU_BADINPUT, episode ? "the ledger holds no real outage %s (drills are "
							      "never reported; an undeclared episode that joined "
							      "a declared one is reported with it)"
						    : "the ledger holds no real outage%s", episode ? episode : "");
	return BULU_OK;
}

static int header(sqlite3 *db, const tier_table *tt, incident *r, bulu_err *e)
{
	sqlite3_stmt *st;
	/* the declared start (a notice) first, else the earliest start */
	int rc = prep(db,
		      "SELECT body->>'at', coalesce(body->>'cause', ''), coalesce(body->>'live_drill', 0),"
		      " body->>'notice' IS NOT NULL FROM entries WHERE kind = 'outage_start' AND episode = ?1"
		      " ORDER BY body->>'notice' IS NULL, body->>'at' LIMIT 1", r->id, &st, e);
	if (rc != BULU_OK)
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(r->start, sizeof r->start, "%s", (const char *)sqlite3_column_text(st, 0));
		snprintf(r->cause, sizeof r->cause, "%s", (const char *)sqlite3_column_text(st, 1));
		r->live_drill = sqlite3_column_int(st, 2);
		r->declared = sqlite3_column_int(st, 3);
	}
	sqlite3_finalize(st);
	snprintf(r->drill, sizeof r->drill, "%s", r->live_drill ? "live" : "real");
	/* the restore: the notice's time, else the latest end */
	if ((rc = prep(db, "SELECT body->>'at' FROM entries WHERE kind = 'outage_end' AND episode = ?1"
			   " AND body->>'joined' IS NULL ORDER BY body->>'notice' IS NULL, body->>'at' DESC LIMIT 1",
		       r->id, &st, e)) != BULU_OK)
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(r->restore, sizeof r->restore, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	/* the level declared: the last notice's, else the start's */
	if ((rc = prep(db, "SELECT body->>'level', body->>'notice_n' FROM entries WHERE episode = ?1"
			   " AND kind IN ('outage_start', 'outage_notice') AND body->>'level' IS NOT NULL"
			   " ORDER BY coalesce(body->>'notice_n', 0) DESC, seq DESC LIMIT 1", r->id, &st, e)) != BULU_OK)
		return rc;
	snprintf(r->level_declared, sizeof r->level_declared, "-");
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(r->level_declared, sizeof r->level_declared, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if ((rc = prep(db, "SELECT max(body->>'notice_n') FROM entries WHERE episode = ?1", r->id, &st, e)) != BULU_OK)
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW)
		r->notices = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	r->t0 = clock_epoch(r->start);
	r->t1 = *r->restore ? clock_epoch(r->restore) : -1;
	long long secs = r->t1 >= r->t0 && r->t0 >= 0 ? r->t1 - r->t0 : 0;
	r->hours = secs / 3600.0;
	snprintf(r->level_duration, sizeof r->level_duration, "%s", tiers_level(tt, secs));
	if (r->t1 >= 0) {
		/* due: two days after the restore (故障排除后2天内) */
		char tmp[40];
		snprintf(tmp, sizeof tmp, "%s", r->restore);
		long long due = r->t1 + 2 * 86400;
		int off = 0;
		size_t n = strlen(tmp);
		if (n == 25)
			off = ((tmp[20] - '0') * 10 + (tmp[21] - '0')) * 3600 + ((tmp[23] - '0') * 10 + (tmp[24] - '0')) * 60,
			off = tmp[19] == '-' ? -off : off;
		r->restore_off = off;
		time_t lt = (time_t)(due + off);
		struct tm tm;
		gmtime_r(&lt, &tm);
		snprintf(r->due, sizeof r->due, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	}
	return BULU_OK;
}

static int timeline(sqlite3 *db, incident *r, bulu_err *e)
{
	sqlite3_stmt *st;
	char what[512];
	int rc = prep(db, "SELECT body->>'notice_n', body->>'notice_kind', min(body->>'at'), count(DISTINCT station),"
			  " min(recorded_at), max(body->>'level'), max(body->>'tier') FROM entries WHERE episode = ?1"
			  " AND body->>'notice_n' IS NOT NULL GROUP BY 1, 2 ORDER BY 1", r->id, &st, e);
	while (rc == BULU_OK && sqlite3_step(st) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(st, 1);
		snprintf(what, sizeof what, "%s notice #%lld %s (%s): level %s, tier %s; applied at %lld station%s",
			 notice_kind_label(k), (long long)sqlite3_column_int64(st, 0), k, notice_kind_label(k),
			 sqlite3_column_text(st, 5) ? (const char *)sqlite3_column_text(st, 5) : "-",
			 sqlite3_column_text(st, 6) ? (const char *)sqlite3_column_text(st, 6) : "-",
			 (long long)sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 3) == 1 ? "" : "s");
		if (add_event(r, (const char *)sqlite3_column_text(st, 2), "", what))
			rc = bulu_errf(e, BULU_SYSTEM, "out of memory");
	}
	sqlite3_finalize(st);
	/* undeclared starts */
	if (rc == BULU_OK)
		rc = prep(db, EPS "SELECT s.station, s.body->>'at', s.episode, (SELECT j.body->>'at' FROM entries j"
			       " WHERE j.station = s.station AND j.episode = s.episode AND j.kind = 'outage_end'"
			       " AND j.body->>'joined' IS NOT NULL LIMIT 1)"
			       " FROM entries s WHERE s.kind = 'outage_start' AND s.episode IN (SELECT e FROM eps)"
			       " AND s.body->>'notice' IS NULL ORDER BY s.body->>'at', s.station", r->id, &st, e);
	while (rc == BULU_OK && sqlite3_step(st) == SQLITE_ROW) {
		if (more((void **)&r->und, r->nund, sizeof *r->und)) {
			rc = bulu_errf(e, BULU_SYSTEM, "out of memory");
			break;
		}
		struct inc_undeclared *u = &r->und[r->nund++];
		u->station = dup(sqlite3_column_text(st, 0));
		u->at = dup(sqlite3_column_text(st, 1));
		u->episode = dup(sqlite3_column_text(st, 2));
		u->joined_at = dup(sqlite3_column_text(st, 3));
		snprintf(what, sizeof what, "started undeclared (未经宣布启动, episode %s)%s%s", u->episode,
			 r->declared && *u->joined_at ? "; joined the declared outage at " : "", r->declared ? u->joined_at : "");
		if (add_event(r, u->at, u->station, what))
			rc = bulu_errf(e, BULU_SYSTEM, "out of memory");
	}
	sqlite3_finalize(st);
	/* each station's first and last capture */
	if (rc == BULU_OK)
		rc = prep(db, EPS "SELECT station, min(recorded_at), max(recorded_at), count(*) FROM entries"
			       " WHERE episode IN (SELECT e FROM eps) AND kind IN " CAPS " GROUP BY station ORDER BY station",
			  r->id, &st, e);
	while (rc == BULU_OK && sqlite3_step(st) == SQLITE_ROW) {
		const char *s = (const char *)sqlite3_column_text(st, 0);
		r->stations++;
		snprintf(what, sizeof what, "first capture (首笔录入) of %lld", (long long)sqlite3_column_int64(st, 3));
		if (add_event(r, (const char *)sqlite3_column_text(st, 1), s, what) ||
		    add_event(r, (const char *)sqlite3_column_text(st, 2), s, "last capture (末笔录入)"))
			rc = bulu_errf(e, BULU_SYSTEM, "out of memory");
	}
	sqlite3_finalize(st);
	/* each sync of these stations' bundles */
	if (rc == BULU_OK)
		rc = prep(db, EPS "SELECT imported_at, station, first_seq, last_seq, result, new_entries FROM imports"
			       " WHERE station IN (SELECT station FROM entries WHERE episode IN (SELECT e FROM eps))"
			       " ORDER BY imported_at, id", r->id, &st, e);
	while (rc == BULU_OK && sqlite3_step(st) == SQLITE_ROW) {
		snprintf(what, sizeof what, "sync (同步): seq %lld-%lld %s, %lld new",
			 (long long)sqlite3_column_int64(st, 2), (long long)sqlite3_column_int64(st, 3),
			 (const char *)sqlite3_column_text(st, 4), (long long)sqlite3_column_int64(st, 5));
		if (add_event(r, (const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1), what))
			rc = bulu_errf(e, BULU_SYSTEM, "out of memory");
	}
	sqlite3_finalize(st);
	return rc;
}

static int volumes(sqlite3 *db, incident *r, bulu_err *e)
{
	sqlite3_stmt *st;
	int rc = prep(db, EPS "SELECT coalesce(body->>'dept', ''), kind, count(*),"
			  " sum(CASE WHEN kind IN ('charge', 'registration') THEN coalesce(body->>'total', body->>'fee', 0) ELSE 0 END)"
			  " FROM entries WHERE episode IN (SELECT e FROM eps) AND kind IN " CAPS
			  " GROUP BY 1, 2 ORDER BY 1, 2", r->id, &st, e);
	while (rc == BULU_OK && sqlite3_step(st) == SQLITE_ROW) {
		if (more((void **)&r->vol, r->nvol, sizeof *r->vol)) {
			rc = bulu_errf(e, BULU_SYSTEM, "out of memory");
			break;
		}
		struct inc_volume *v = &r->vol[r->nvol++];
		v->dept = dup(sqlite3_column_text(st, 0));
		v->kind = dup(sqlite3_column_text(st, 1));
		v->n = sqlite3_column_int64(st, 2);
		v->fen = sqlite3_column_int64(st, 3);
		r->entries += v->n;
		r->fen = money_add_sat(r->fen, v->fen);
	}
	sqlite3_finalize(st);
	if (rc == BULU_OK)
		rc = prep(db, EPS "SELECT count(DISTINCT body->>'patient_id') FROM entries WHERE episode IN (SELECT e FROM eps)"
			       " AND kind IN " CAPS, r->id, &st, e);
	if (rc == BULU_OK && sqlite3_step(st) == SQLITE_ROW)
		r->patients = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	/* captures per hour since the start, by when they happened on paper */
	if (rc == BULU_OK)
		rc = prep(db, EPS "SELECT coalesce(body->>'dept', ''),"
			       " CAST((julianday(coalesce(body->>'occurred_at', recorded_at)) - julianday(?2)) * 24 AS INTEGER) AS h,"
			       " count(*) FROM entries WHERE episode IN (SELECT e FROM eps) AND kind IN " CAPS
			       " GROUP BY 1, 2 ORDER BY 1, 2", r->id, &st, e);
	if (rc == BULU_OK)
		sqlite3_bind_text(st, 2, r->start, -1, SQLITE_STATIC);
	while (rc == BULU_OK && sqlite3_step(st) == SQLITE_ROW) {
		int h = sqlite3_column_int(st, 1);
		if (h < 0)
			h = 0;
		if (h > 96)
			h = 96; /* later than four days: the last column */
		if (more((void **)&r->hr, r->nhr, sizeof *r->hr)) {
			rc = bulu_errf(e, BULU_SYSTEM, "out of memory");
			break;
		}
		struct inc_hour *x = &r->hr[r->nhr++];
		x->dept = dup(sqlite3_column_text(st, 0));
		x->hour = h;
		x->n = sqlite3_column_int64(st, 2);
		if (h + 1 > r->nhours)
			r->nhours = h + 1;
	}
	sqlite3_finalize(st);
	return rc;
}

/* Every real outage of the ledger (undeclared episodes that joined one
 * folded in), for the KPIs and the trend. */
static int outages(sqlite3 *db, const tier_table *tt, incident *r, bulu_err *e)
{
	sqlite3_stmt *st, *agg = NULL;
	int rc = prep(db,
		      "SELECT s.episode, min(s.body->>'at'), max(s.body->>'notice' IS NOT NULL),"
		      " max(coalesce(s.body->>'live_drill', 0)),"
		      " (SELECT max(body->>'at') FROM entries WHERE kind = 'outage_end' AND episode = s.episode"
		      "  AND body->>'joined' IS NULL)"
		      " FROM entries s WHERE s.kind = 'outage_start'"
		      " AND NOT EXISTS (SELECT 1 FROM entries j WHERE j.kind = 'outage_end' AND j.episode = s.episode"
		      "  AND j.body->>'joined' IS NOT NULL) GROUP BY s.episode ORDER BY 2, 1", NULL, &st, e);
	if (rc == BULU_OK)
		rc = prep(db, EPS "SELECT count(*), count(DISTINCT body->>'patient_id'),"
			       " coalesce(sum(CASE WHEN kind IN ('charge', 'registration') THEN"
			       "  coalesce(body->>'total', body->>'fee', 0) ELSE 0 END), 0)"
			       " FROM entries WHERE episode IN (SELECT e FROM eps) AND kind IN " CAPS, NULL, &agg, e);
	while (rc == BULU_OK && sqlite3_step(st) == SQLITE_ROW) {
		if (more((void **)&r->out, r->nout, sizeof *r->out)) {
			rc = bulu_errf(e, BULU_SYSTEM, "out of memory");
			break;
		}
		struct inc_outage *o = &r->out[r->nout++];
		o->id = dup(sqlite3_column_text(st, 0));
		o->start = dup(sqlite3_column_text(st, 1));
		o->declared = sqlite3_column_int(st, 2);
		o->drill_live = sqlite3_column_int(st, 3);
		o->end = dup(sqlite3_column_text(st, 4));
		if (!strcmp(o->id, r->id)) {
			/* the reported outage: counted already */
			o->entries = r->entries, o->patients = r->patients, o->fen = r->fen;
		} else {
			sqlite3_reset(agg);
			sqlite3_bind_text(agg, 1, o->id, -1, SQLITE_STATIC);
			if (sqlite3_step(agg) != SQLITE_ROW) {
				rc = sqlfail(db, e);
				break;
			}
			o->entries = sqlite3_column_int64(agg, 0);
			o->patients = sqlite3_column_int64(agg, 1);
			o->fen = sqlite3_column_int64(agg, 2);
		}
		long long a = clock_epoch(o->start), b = *o->end ? clock_epoch(o->end) : -1;
		long long secs = a >= 0 && b >= a ? b - a : 0;
		o->hours = secs / 3600.0;
		snprintf(o->level, sizeof o->level, "%s", tiers_level(tt, secs));
	}
	sqlite3_finalize(st);
	sqlite3_finalize(agg);
	return rc;
}

/* ---- reconcile's outputs --------------------------------------------------- */

/* A cell as a person typed it: the "'" CSV writers put before a formula-like
 * cell taken off again. */
static const char *cell(char *const *f, size_t nf, int i)
{
	if (i < 0 || (size_t)i >= nf)
		return "";
	const char *s = f[i];
	if (s[0] == '\'' && s[1] && strchr("=+-@\t\r", s[1]))
		return s + 1;
	return s;
}

struct rd {
	incident *r;
	int idx[16];
	int states;
	sqlite3_stmt *ins;  /* into temp.bf: the lines back-filled, for the share late per outage */
};

static struct inc_class *bucket(struct inc_class **a, size_t *n, const char *cls, const char *dept)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*a)[i].cls, cls) && (!dept || !strcmp((*a)[i].dept, dept)))
			return &(*a)[i];
	if (more((void **)a, *n, sizeof **a))
		return NULL;
	struct inc_class *c = &(*a)[(*n)++];
	c->cls = strdup(cls);
	c->dept = strdup(dept ? dept : "");
	c->n = c->fen = 0;
	return c;
}

static int finding_row(void *ud, size_t row, size_t nf, char *const *f, const size_t *lens, bulu_err *e)
{
	(void)lens;
	struct rd *d = ud;
	incident *r = d->r;
	static const char *names[] = {"class", "kind", "station", "seq", "line", "his_id", "patient_id",
				      "item_code", "journal_value", "his_value", "diff_fen", "dept", "explanation"};
	if (row == 1)
		return csvfile_map_header("findings.csv", f, nf, names, 13, d->idx, 1, e);
	const char *cls = cell(f, nf, d->idx[0]), *dept = cell(f, nf, d->idx[11]);
	int64_t diff = strtoll(cell(f, nf, d->idx[10]), NULL, 10);
	struct inc_class *a = bucket(&r->cls, &r->ncls, cls, NULL), *b = bucket(&r->cd, &r->ncd, cls, dept);
	if (!a || !b || more((void **)&r->fd, r->nfd, sizeof *r->fd))
		return bulu_errf(e, BULU_SYSTEM, "out of memory");
	a->n++, a->fen = money_add_sat(a->fen, diff);
	b->n++, b->fen = money_add_sat(b->fen, diff);
	struct inc_finding *x = &r->fd[r->nfd++];
	char **p[] = {&x->cls, &x->kind, &x->station, &x->seq, &x->line, &x->his_id, &x->patient, &x->item,
		      &x->jval, &x->hval, NULL, &x->dept, &x->expl};
	for (int i = 0; i < 13; i++) /* the "'" before a formula-like cell off (cli_csv_cell) */
		if (p[i])
			*p[i] = strdup(cli_csv_plain(cell(f, nf, d->idx[i])));
	x->diff = diff;
	return BULU_OK;
}

/* Epoch of reconcile's "YYYY-MM-DD HH:MM:SS" in the outage's local time
 * (off seconds east: reconcile writes its times in the restore's zone), or
 * -1 when s is not such a time. */
static long long local_epoch(const char *s, int off)
{
	int y, mo, d, h, mi, se;
	char tail;
	if (strlen(s) != 19 || sscanf(s, "%4d-%2d-%2d %2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &se, &tail) != 6)
		return -1;
	/* days_from_civil (Howard Hinnant) */
	y -= mo <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (unsigned)(mo > 2 ? mo - 3 : mo + 9) + 2) / 5 + (unsigned)d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	long long days = era * 146097 + (long long)doe - 719468;
	return days * 86400 + h * 3600 + mi * 60 + se - off;
}

static int state_row(void *ud, size_t row, size_t nf, char *const *f, const size_t *lens, bulu_err *e)
{
	(void)lens;
	struct rd *d = ud;
	incident *r = d->r;
	static const char *names[] = {"state", "deadline", "kind", "his_entered_at", "station", "seq"};
	if (row == 1) {
		int rc = csvfile_map_header("states.csv", f, nf, names, 6, d->idx, 1, e);
		r->have_entered = rc == BULU_OK && d->idx[3] >= 0;
		return rc;
	}
	const char *s = cell(f, nf, d->idx[0]), *dl = cell(f, nf, d->idx[1]);
	long long ent = local_epoch(cell(f, nf, d->idx[3]), r->restore_off);
	if (ent >= 0) {
		/* the line's back-fill: its HIS entry time, and its latency after
		 * the restore under its kind */
		if (more((void **)&r->bf, r->nbf, sizeof *r->bf))
			return bulu_errf(e, BULU_SYSTEM, "out of memory");
		r->bf[r->nbf++] = ent;
		if (r->t1 >= 0) {
			const char *k = cell(f, nf, d->idx[2]);
			struct inc_latency *l = NULL;
			for (size_t i = 0; i < r->nlat && !l; i++)
				if (!strcmp(r->lat[i].kind, k))
					l = &r->lat[i];
			if (!l) {
				if (more((void **)&r->lat, r->nlat, sizeof *r->lat))
					return bulu_errf(e, BULU_SYSTEM, "out of memory");
				l = &r->lat[r->nlat++];
				memset(l, 0, sizeof *l);
				if (!(l->kind = strdup(k)))
					return bulu_errf(e, BULU_SYSTEM, "out of memory");
			}
			if (more((void **)&l->v, l->n, sizeof *l->v))
				return bulu_errf(e, BULU_SYSTEM, "out of memory");
			l->v[l->n++] = ent - r->t1;
		}
	}
	struct inc_deadline *x = NULL;
	for (size_t i = 0; i < r->ndl; i++)
		if (!strcmp(r->dl[i].deadline, dl))
			x = &r->dl[i];
	if (!x) {
		if (more((void **)&r->dl, r->ndl, sizeof *r->dl))
			return bulu_errf(e, BULU_SYSTEM, "out of memory");
		x = &r->dl[r->ndl++];
		memset(x, 0, sizeof *x);
		x->deadline = strdup(dl);
	}
	x->total++;
	r->lines++;
	int late = !strcmp(s, "LATE_BACKFILL");
	if (d->ins && (late || !strcmp(s, "MATCHED"))) {
		sqlite3_bind_text(d->ins, 1, cell(f, nf, d->idx[4]), -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(d->ins, 2, strtoll(cell(f, nf, d->idx[5]), NULL, 10));
		sqlite3_bind_int(d->ins, 3, late);
		int st = sqlite3_step(d->ins);
		sqlite3_reset(d->ins);
		if (st != SQLITE_DONE)
			return bulu_errf(e, BULU_SYSTEM, "the report's scratch table: %s", sqlite3_errstr(st));
	}
	if (!strcmp(s, "MATCHED"))
		x->matched++, r->matched++;
	else if (!strcmp(s, "LATE_BACKFILL"))
		x->late++, r->late++;
	else if (!strcmp(s, "MISSING_IN_HIS"))
		x->missing++;
	else
		x->other++;
	return BULU_OK;
}

static int by_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return (x > y) - (x < y);
}

static int by_kind(const void *a, const void *b)
{
	return strcmp(((const struct inc_latency *)a)->kind, ((const struct inc_latency *)b)->kind);
}

static int by_deadline(const void *a, const void *b)
{
	return strcmp(((const struct inc_deadline *)a)->deadline, ((const struct inc_deadline *)b)->deadline);
}

/* The share late of each outage of the trend: the lines of states.csv
 * matched or late (temp.bf), by the outage their entry belongs to. */
static int late_per_outage(sqlite3 *db, incident *r, bulu_err *e)
{
	sqlite3_stmt *q;
	int rc = prep(db, EPS "SELECT count(*), coalesce(sum(b.late), 0) FROM temp.bf b WHERE EXISTS"
			  " (SELECT 1 FROM entries x WHERE x.station = b.station AND x.seq = b.seq"
			  "  AND x.episode IN (SELECT e FROM eps))", NULL, &q, e);
	for (size_t i = 0; rc == BULU_OK && i < r->nout; i++) {
		sqlite3_reset(q);
		sqlite3_bind_text(q, 1, r->out[i].id, -1, SQLITE_STATIC);
		if (sqlite3_step(q) != SQLITE_ROW) {
			rc = sqlfail(db, e);
			break;
		}
		r->out[i].bf = sqlite3_column_int64(q, 0);
		r->out[i].late = sqlite3_column_int64(q, 1);
	}
	sqlite3_finalize(q);
	return rc;
}

static int recon(sqlite3 *db, const char *dir, incident *r, bulu_err *e)
{
	char path[4096];
	struct rd d = {r, {0}, 0, NULL};
	if (sqlite3_exec(db, "CREATE TEMP TABLE bf(station TEXT, seq INTEGER, late INTEGER); BEGIN", NULL, NULL, NULL) !=
		    SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO temp.bf VALUES (?1, ?2, ?3)", -1, &d.ins, NULL) != SQLITE_OK)
		return sqlfail(db, e);
	snprintf(path, sizeof path, "%s/findings.csv", dir);
	int rc = csvfile_read(path, TEXT_UTF8, finding_row, &d, NULL, e);
	snprintf(path, sizeof path, "%s/states.csv", dir);
	if (rc == BULU_OK)
		rc = csvfile_read(path, TEXT_UTF8, state_row, &d, NULL, e);
	sqlite3_finalize(d.ins);
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	if (rc == BULU_OK)
		rc = late_per_outage(db, r, e);
	if (rc == BULU_OK && r->ndl > 1)
		qsort(r->dl, r->ndl, sizeof *r->dl, by_deadline);
	/* the important-data deadline is the earliest, the all-data one the latest */
	r->dl_first = r->dl_last = -1;
	for (size_t i = 0; rc == BULU_OK && i < r->ndl; i++) {
		long long t = local_epoch(r->dl[i].deadline, r->restore_off);
		if (t >= 0 && (r->dl_first < 0 || t < r->dl_first))
			r->dl_first = t;
		if (t >= 0 && t > r->dl_last)
			r->dl_last = t;
	}
	if (rc == BULU_OK && r->nbf > 1)
		qsort(r->bf, r->nbf, sizeof *r->bf, by_ll);
	if (rc == BULU_OK && r->nlat > 1)
		qsort(r->lat, r->nlat, sizeof *r->lat, by_kind);
	for (size_t i = 0; rc == BULU_OK && i < r->nlat; i++) {
		struct inc_latency *l = &r->lat[i];
		qsort(l->v, l->n, sizeof *l->v, by_ll);
		double sum = 0;
		for (size_t k = 0; k < l->n; k++)
			sum += (double)l->v[k];
		l->mean = sum / (double)l->n;
		l->median = l->n % 2 ? (double)l->v[l->n / 2] : ((double)l->v[l->n / 2 - 1] + (double)l->v[l->n / 2]) / 2;
	}
	r->have_recon = rc == BULU_OK;
	return rc;
}

static int by_time(const void *a, const void *b)
{
	const struct inc_event *x = a, *y = b;
	if (x->t != y->t)
		return (x->t > y->t) - (x->t < y->t);
	int c = strcmp(x->station, y->station);
	return c ? c : strcmp(x->what, y->what);
}

int incident_gather(const char *ledger, const char *recondir, const char *episode,
		    const tier_table *tt, incident *r, bulu_err *e)
{
	sqlite3 *db = NULL;
	memset(r, 0, sizeof *r);
	r->t1 = -1;
	int rc = BULU_OK;
	if (sqlite3_open_v2(ledger, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		rc = bulu_errf(e, BULU_BADINPUT, "%s: cannot open the ledger: %s", ledger, sqlite3_errmsg(db));
		goto done;
	}
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM entries LIMIT 0", -1, &st, NULL) != SQLITE_OK) {
		rc = bulu_errf(e, BULU_BADINPUT, "%s: not a bulu ledger (no entries table)", ledger);
		goto done;
	}
	sqlite3_finalize(st);
	if ((rc = pick(db, episode, r, e)) != BULU_OK || (rc = header(db, tt, r, e)) != BULU_OK ||
	    (rc = timeline(db, r, e)) != BULU_OK || (rc = volumes(db, r, e)) != BULU_OK ||
	    (rc = outages(db, tt, r, e)) != BULU_OK)
		goto done;
	if (recondir && (rc = recon(db, recondir, r, e)) != BULU_OK)
		goto done;
	if (r->nev > 1)
		qsort(r->ev, r->nev, sizeof *r->ev, by_time);
done:
	sqlite3_close(db);
	return rc;
}

void incident_free(incident *r)
{
	for (size_t i = 0; i < r->nev; i++)
		free(r->ev[i].station), free(r->ev[i].what);
	for (size_t i = 0; i < r->nvol; i++)
		free(r->vol[i].dept), free(r->vol[i].kind);
	for (size_t i = 0; i < r->nhr; i++)
		free(r->hr[i].dept);
	for (size_t i = 0; i < r->nund; i++)
		free(r->und[i].station), free(r->und[i].at), free(r->und[i].joined_at), free(r->und[i].episode);
	for (size_t i = 0; i < r->ncls; i++)
		free(r->cls[i].cls), free(r->cls[i].dept);
	for (size_t i = 0; i < r->ncd; i++)
		free(r->cd[i].cls), free(r->cd[i].dept);
	for (size_t i = 0; i < r->ndl; i++)
		free(r->dl[i].deadline);
	for (size_t i = 0; i < r->nlat; i++)
		free(r->lat[i].kind), free(r->lat[i].v);
	free(r->lat), free(r->bf);
	for (size_t i = 0; i < r->nfd; i++) {
		struct inc_finding *x = &r->fd[i];
		char *p[] = {x->cls, x->kind, x->station, x->seq, x->line, x->his_id, x->patient, x->item,
			     x->jval, x->hval, x->dept, x->expl};
		for (size_t k = 0; k < sizeof p / sizeof p[0]; k++)
			free(p[k]);
	}
	for (size_t i = 0; i < r->nout; i++)
		free(r->out[i].id), free(r->out[i].start), free(r->out[i].end);
	free(r->ev), free(r->vol), free(r->hr), free(r->und), free(r->cls), free(r->cd), free(r->dl);
	free(r->fd), free(r->out);
	memset(r, 0, sizeof *r);
}
