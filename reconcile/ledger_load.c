/*
 * ledger_load.c - the journal lines a reconcile run is about.
 *
 * Reads the central ledger (schemas/ledger.sql): the outage episodes and
 * their window, the invoice books, the voids, and every line of the
 * captured kinds in scope, the body's fields pulled out by ledger_json.c.  Real episodes come from `entries`, drills (--drill) from
 * `drill_entries` only, so the two never mix.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "bulu/buf.h"

#include "bulu/clock.h"
#include "bulu/ledger.h"
#include "ledger_json.h"
#include "recon.h"

static int jkind_of(const char *s)
{
	for (int k = 0; k < JK_N; k++)
		if (strcmp(s, jkind_name((enum jkind)k)) == 0)
			return k;
	return -1;
}

static uint8_t hkind_of(int jk)
{
	switch (jk) {
	case JK_REGISTRATION: return HIS_REGISTRATIONS;
	case JK_CHARGE:
	case JK_WARD_CHARGE:
	case JK_EXAM: return HIS_CHARGES;
	case JK_PRESCRIPTION:
	case JK_ORDER: return HIS_ORDERS;
	case JK_DISPENSE: return HIS_DISPENSES;
	case JK_REQUISITION: return HK_THREEWAY;
	default: return HK_NONE;
	}
}

static int sqlfail(sqlite3 *db, bulu_err *e, const char *what)
{
	return bulu_errf(e, BULU_BADINPUT, "the ledger cannot be read (%s): %s", what, sqlite3_errmsg(db));
}

static uint32_t col_id(struct recon *r, sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	if (!s)
		return 0;
	return strpool_intern(r->pool, (const char *)s, (size_t)sqlite3_column_bytes(st, i));
}

static int64_t col_time(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	long long t = s ? clock_epoch(s) : -1;
	return t == -1 ? NO_TIME : (int64_t)t;
}

/* The UTC offset (seconds) written in a normalised time. */
static int iso_offset(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n != 25)
		return 0;
	int off = ((s[20] - '0') * 10 + (s[21] - '0')) * 3600 + ((s[23] - '0') * 10 + (s[24] - '0')) * 60;
	return s[19] == '-' ? -off : off;
}

static const char *table_of(const struct recon *r) { return r->o.drill ? "drill_entries" : "entries"; }

/*
 * The outage's time zone, for exports whose times carry none: the offset
 * written in the latest restore notice, else the latest start, of the
 * episodes in scope (--episode, or a drill's DRILL-... ones), found in the
 * same pass as the episodes.  "Latest" is SQLite's order of body->>'at'
 * (NULL < numbers < text < blob; text bytewise), as the query that used to
 * ask for it apart did ("ORDER BY kind = 'outage_end' DESC, body->>'at'
 * DESC LIMIT 1"); a NULL on top means no zone, as there.
 */
struct tz_pick {
	int any;          /* a row of this kind in scope */
	int type;         /* its SQLite type, of the latest so far */
	double num;
	char text[64];    /* an offset needs 25 bytes; longer is cut (no offset) */
	size_t len;       /* the whole length */
};

static int tz_rank(int type)
{
	switch (type) {
	case SQLITE_NULL: return 0;
	case SQLITE_INTEGER:
	case SQLITE_FLOAT: return 1;
	case SQLITE_TEXT: return 2;
	default: return 3;
	}
}

static void tz_consider(struct tz_pick *p, sqlite3_stmt *st, int i)
{
	int type = sqlite3_column_type(st, i);
	const unsigned char *t = type == SQLITE_TEXT || type == SQLITE_BLOB ? sqlite3_column_text(st, i) : NULL;
	size_t n = t ? (size_t)sqlite3_column_bytes(st, i) : 0;
	double num = tz_rank(type) == 1 ? sqlite3_column_double(st, i) : 0;
	int later;
	if (!p->any)
		later = 1;
	else if (tz_rank(type) != tz_rank(p->type))
		later = tz_rank(type) > tz_rank(p->type);
	else if (tz_rank(type) == 1)
		later = num > p->num;
	else if (tz_rank(type) >= 2) {
		size_t m = n < p->len ? n : p->len;
		int c = memcmp(t, p->text, m < sizeof p->text ? m : sizeof p->text);
		/* texts longer than the buffer never hold an offset; their order
		 * beyond it does not change which zone is picked */
		later = c > 0 || (c == 0 && n > p->len);
	} else
		later = 0;
	p->any = 1;
	if (!later)
		return;
	p->type = type;
	p->num = num;
	p->len = n;
	memcpy(p->text, t ? (const char *)t : "", n < sizeof p->text ? n : sizeof p->text);
}

static int tz_in_scope(const struct recon_opts *o, const char *ep)
{
	if (o->episode && strcmp(ep, o->episode) != 0)
		return 0;
	return !o->drill || strncasecmp(ep, "DRILL-", 6) == 0; /* LIKE 'DRILL-%' */
}

static int load_episodes(struct recon *r, sqlite3 *db, int *tz_have, int32_t *tz_off, bulu_err *e)
{
	char sql[256];
	/* episode '' rows are read for the time zone only */
	snprintf(sql, sizeof sql,
		 "SELECT episode, kind, body->>'at', station, body->>'joined' FROM %s"
		 " WHERE kind IN ('outage_start','outage_end')"
		 " ORDER BY episode, kind, station, seq",
		 table_of(r));
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return sqlfail(db, e, "episodes");
	struct tz_pick tz[2]; /* outage_end, outage_start */
	memset(tz, 0, sizeof tz);
	int rc = BULU_OK, sr;
	while ((sr = sqlite3_step(st)) == SQLITE_ROW) {
		const char *epname = (const char *)sqlite3_column_text(st, 0);
		int start = strcmp((const char *)sqlite3_column_text(st, 1), "outage_start") == 0;
		if (epname && tz_in_scope(&r->o, epname))
			tz_consider(&tz[start], st, 2);
		if (!epname || !*epname)
			continue;
		uint32_t id = col_id(r, st, 0);
		int64_t t = col_time(st, 2);
		if (t == NO_TIME)
			continue;
		struct episode *p = NULL;
		for (size_t i = 0; i < r->nep; i++)
			if (r->ep[i].id == id)
				p = &r->ep[i];
		if (!p) {
			struct episode *ne = realloc(r->ep, (r->nep + 1) * sizeof *ne);
			if (!ne) {
				rc = bulu_errf(e, BULU_SYSTEM, "out of memory");
				break;
			}
			r->ep = ne;
			p = &r->ep[r->nep++];
			*p = (struct episode){.id = id, .start = NO_TIME, .end = NO_TIME};
			p->drill = strncmp(strpool_str(r->pool, id), "DRILL-", 6) == 0;
		}
		if (start && (p->start == NO_TIME || t < p->start))
			p->start = t;
		if (!start && (p->end == NO_TIME || t > p->end)) {
			p->end = t;
			p->end_off = iso_offset((const char *)sqlite3_column_text(st, 2));
		}
		if (!start && sqlite3_column_type(st, 4) == SQLITE_TEXT) {
			/* an undeclared start that joined a declared outage (docs/outage.md) */
			p->joined = col_id(r, st, 4);
			if (p->nby < 4)
				p->by[p->nby] = col_id(r, st, 3);
			p->nby++;
		}
	}
	if (rc == BULU_OK && sr != SQLITE_DONE)
		rc = sqlfail(db, e, "episodes");
	sqlite3_finalize(st);
	const struct tz_pick *pick = tz[0].any ? &tz[0] : tz[1].any ? &tz[1] : NULL;
	*tz_have = pick && pick->type != SQLITE_NULL;
	*tz_off = 0;
	if (*tz_have && pick->len == 25) {
		char iso[26];
		memcpy(iso, pick->text, 25);
		iso[25] = '\0';
		*tz_off = iso_offset(iso);
	}
	return rc;
}

/* Keep the selected episodes only, and set the window. */
static int select_episodes(struct recon *r, bulu_err *e)
{
	size_t k = 0;
	for (size_t i = 0; i < r->nep; i++) {
		const char *name = strpool_str(r->pool, r->ep[i].id);
		if (r->o.episode ? strcmp(name, r->o.episode) == 0 : r->ep[i].drill == r->o.drill)
			r->ep[k++] = r->ep[i];
	}
	r->nep = k;
	if (r->o.episode && !k)
		return bulu_errf(e, BULU_BADINPUT, "--episode %s: the ledger holds no such %s episode",
				 r->o.episode, r->o.drill ? "drill" : "outage (drills need --drill)");
	/* the outage's local time: that of the latest restore notice */
	r->last_end = NO_TIME;
	r->tz_off = 0;
	int have_off = 0;
	for (size_t i = 0; i < k; i++)
		if (r->ep[i].end != NO_TIME && (r->last_end == NO_TIME || r->ep[i].end > r->last_end)) {
			r->last_end = r->ep[i].end;
			r->tz_off = r->ep[i].end_off;
			have_off = 1;
		}
	if (r->o.have_window) {
		r->win_from = r->o.win_from;
		r->win_to = r->o.win_to;
		r->last_end = r->win_to;
	}
	if (!have_off) {
		time_t t = (time_t)(r->last_end != NO_TIME ? r->last_end : r->o.have_window ? r->win_from : 0);
		struct tm tm;
		if (localtime_r(&t, &tm))
			r->tz_off = (int)tm.tm_gmtoff;
	}
	if (r->o.have_window)
		return BULU_OK;
	if (!k)
		return bulu_errf(e, BULU_BADINPUT,
				 "the ledger holds no %s episode (outage_start entries); give --window FROM..TO",
				 r->o.drill ? "drill" : "outage");
	r->win_from = NO_TIME;
	r->win_to = NO_TIME;
	int open = 0;
	for (size_t i = 0; i < k; i++) {
		const struct episode *p = &r->ep[i];
		if (p->start != NO_TIME && (r->win_from == NO_TIME || p->start < r->win_from))
			r->win_from = p->start;
		if (p->end == NO_TIME)
			open = 1;
		else if (r->win_to == NO_TIME || p->end > r->win_to)
			r->win_to = p->end;
	}
	if (open)
		r->win_to = NO_TIME;
	return BULU_OK;
}

static int load_books(struct recon *r, sqlite3 *db, bulu_err *e)
{
	/* Books are handed out in peacetime: read them from both tables; a
	 * drill book ("drill":true) belongs to the drills only, a real book
	 * to the real episodes only. */
	static const char sql[] =
		"SELECT b.station, b.seq, b.body->>'from', b.body->>'to', b.body->>'width',"
		" (SELECT s.body->>'dept' FROM entries s WHERE s.station = b.station AND s.seq = 1"
		"  AND s.kind = 'station_init' LIMIT 1)"
		" FROM all_entries b WHERE b.kind = 'invoice_book'"
		" AND coalesce(b.body->>'drill', 0) = ?1 ORDER BY b.station, b.seq";
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return sqlfail(db, e, "invoice books");
	sqlite3_bind_int(st, 1, r->o.drill != 0);
	int rc = BULU_OK, sr;
	while ((sr = sqlite3_step(st)) == SQLITE_ROW) {
		struct book *nb = realloc(r->books, (r->nbooks + 1) * sizeof *nb);
		if (!nb) {
			rc = bulu_errf(e, BULU_SYSTEM, "out of memory");
			break;
		}
		r->books = nb;
		struct book *b = &r->books[r->nbooks++];
		b->station = col_id(r, st, 0);
		b->seq = sqlite3_column_int64(st, 1);
		b->from = sqlite3_column_int64(st, 2);
		b->to = sqlite3_column_int64(st, 3);
		b->width = sqlite3_column_int(st, 4);
		b->dept = col_id(r, st, 5);
	}
	if (rc == BULU_OK && sr != SQLITE_DONE)
		rc = sqlfail(db, e, "invoice books");
	sqlite3_finalize(st);
	return rc;
}

/* Every station's department and role, for routing's @role:ROLE. */
static int load_roles(struct recon *r, sqlite3 *db, bulu_err *e)
{
	static const char sql[] =
		"SELECT DISTINCT coalesce(body->>'dept', ''), coalesce(body->>'role', '') FROM entries"
		" WHERE kind = 'station_init' ORDER BY 1, 2";
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return sqlfail(db, e, "stations");
	int rc = BULU_OK, sr;
	while ((sr = sqlite3_step(st)) == SQLITE_ROW) {
		struct stn_role *n = realloc(r->roles, (r->nroles + 1) * sizeof *n);
		if (!n) {
			rc = bulu_errf(e, BULU_SYSTEM, "out of memory");
			break;
		}
		r->roles = n;
		snprintf(n[r->nroles].dept, sizeof n->dept, "%s", (const char *)sqlite3_column_text(st, 0));
		snprintf(n[r->nroles].role, sizeof n->role, "%s", (const char *)sqlite3_column_text(st, 1));
		r->nroles++;
	}
	if (rc == BULU_OK && sr != SQLITE_DONE)
		rc = sqlfail(db, e, "stations");
	sqlite3_finalize(st);
	return rc;
}

/* (station, seq) pairs, sorted, for the voids. */
struct pair {
	uint32_t station;
	int64_t seq;
};

static int pair_cmp(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	if (x->station != y->station)
		return x->station < y->station ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static int load_voids(struct recon *r, sqlite3 *db, struct pair **out, size_t *n, bulu_err *e)
{
	char sql[160];
	snprintf(sql, sizeof sql, "SELECT station, body->>'entry' FROM %s WHERE kind = 'void'", table_of(r));
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return sqlfail(db, e, "voids");
	struct pair *v = NULL;
	size_t nv = 0, cap = 0;
	int rc = BULU_OK, sr;
	while ((sr = sqlite3_step(st)) == SQLITE_ROW) {
		if (nv == cap) {
			cap = cap ? cap * 2 : 64;
			struct pair *nvp = realloc(v, cap * sizeof *nvp);
			if (!nvp) {
				rc = bulu_errf(e, BULU_SYSTEM, "out of memory");
				break;
			}
			v = nvp;
		}
		v[nv].station = col_id(r, st, 0);
		v[nv].seq = sqlite3_column_int64(st, 1);
		nv++;
	}
	if (rc == BULU_OK && sr != SQLITE_DONE)
		rc = sqlfail(db, e, "voids");
	sqlite3_finalize(st);
	if (rc != BULU_OK) {
		free(v);
		return rc;
	}
	if (nv)
		qsort(v, nv, sizeof *v, pair_cmp);
	*out = v;
	*n = nv;
	return BULU_OK;
}

static int is_voided(const struct pair *v, size_t n, uint32_t station, int64_t seq)
{
	struct pair k = {station, seq};
	return n && bsearch(&k, v, n, sizeof k, pair_cmp) != NULL;
}

static int in_window(const struct recon *r, int64_t t)
{
	if (t == NO_TIME)
		return 0;
	if (r->win_from != NO_TIME && t < r->win_from)
		return 0;
	return r->win_to == NO_TIME || t <= r->win_to;
}

static struct unit *new_unit(struct recon *r)
{
	if (r->nu == r->capu) {
		size_t cap = r->capu ? r->capu * 2 : 4096;
		struct unit *nu = realloc(r->u, cap * sizeof *nu);
		if (!nu)
			return NULL;
		r->u = nu;
		r->capu = cap;
	}
	struct unit *u = &r->u[r->nu++];
	memset(u, 0, sizeof *u);
	return u;
}

/* An invoice number used (a charge's or registration's: unit is its first
 * unit + 1) or voided (invoice_void: unit 0).  -1 when memory runs out. */
static int add_inv(struct recon *r, uint32_t text, int64_t seq, uint32_t station, uint32_t dept, uint32_t operator_,
		   int64_t amount, uint32_t unit, int voided)
{
	if (r->ninv == r->capinv) {
		size_t cap = r->capinv ? r->capinv * 2 : 1024;
		struct inv_use *ni = realloc(r->inv, cap * sizeof *ni);
		if (!ni)
			return -1;
		r->inv = ni;
		r->capinv = cap;
	}
	r->inv[r->ninv++] = (struct inv_use){
		.no = recon_invoice_value(strpool_str(r->pool, text)),
		.text = text,
		.seq = seq,
		.station = station,
		.dept = dept,
		.operator_ = operator_,
		.amount = amount,
		.unit = unit,
		.voided = (uint8_t)voided,
	};
	return 0;
}

static uint32_t jstr(struct recon *r, const struct lj_val *v)
{
	if (v->type != LJ_STR)
		return 0;
	return strpool_intern(r->pool, v->s, strlen(v->s));
}

/* JSON numbers are doubles: exact for integers below 2^53 fen (90 trillion
 * yuan), which every body's integers are. */
static int64_t jint(const struct lj_val *v)
{
	return v->type == LJ_NUM ? v->num : 0;
}

static int64_t jtime(const struct lj_val *v)
{
	long long t = v->type == LJ_STR ? clock_epoch(v->s) : -1;
	return t == -1 ? NO_TIME : (int64_t)t;
}

enum { C_STATION, C_SEQ, C_KIND, C_RECORDED, C_OPERATOR, C_EPISODE, C_BODY };

static int load_units(struct recon *r, sqlite3 *db, bulu_err *e)
{
	struct pair *voids = NULL;
	size_t nvoids = 0;
	int rc = load_voids(r, db, &voids, &nvoids, e);
	if (rc != BULU_OK)
		return rc;
	/* The selected episodes, as a JSON array bound to the query. */
	buf eps = BUF_INIT;
	buf_putc(&eps, '[');
	for (size_t i = 0; i < r->nep; i++) {
		buf_puts(&eps, i ? ",\"" : "\"");
		buf_puts(&eps, strpool_str(r->pool, r->ep[i].id)); /* [A-Za-z0-9_-] only */
		buf_putc(&eps, '"');
	}
	buf_putc(&eps, ']');
	/* The bodies are parsed here (ledger_json.c) rather than by SQLite's
	 * JSON functions: pulling twenty fields out per line that way costs
	 * four times as much. */
	char sql[600];
	snprintf(sql, sizeof sql,
		 "SELECT station, seq, kind, recorded_at, operator, episode, body FROM %s"
		 " WHERE kind IN ('registration','card_issue','charge','prescription','order',"
		 "'requisition','dispense','exam','invoice_void','ward_charge','exam_request')"
		 " AND (?1 OR episode IN (SELECT value FROM json_each(?2)) OR episode = '')"
		 " ORDER BY station, seq, hash",
		 table_of(r));
	sqlite3_stmt *st = NULL;
	struct lj_body body;
	memset(&body, 0, sizeof body);
	if (eps.oom) {
		rc = bulu_errf(e, BULU_SYSTEM, "out of memory");
		goto done;
	}
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		rc = sqlfail(db, e, "entries");
		goto done;
	}
	sqlite3_bind_int(st, 1, r->o.have_window);
	sqlite3_bind_text(st, 2, eps.p, (int)eps.len, SQLITE_STATIC);
	int sr;
	while ((sr = sqlite3_step(st)) == SQLITE_ROW) {
		uint32_t station = col_id(r, st, C_STATION);
		int64_t seq = sqlite3_column_int64(st, C_SEQ);
		const char *kind = (const char *)sqlite3_column_text(st, C_KIND);
		const char *episode = (const char *)sqlite3_column_text(st, C_EPISODE);
		int64_t recorded = col_time(st, C_RECORDED);
		int jr = lj_parse(&body, (const char *)sqlite3_column_text(st, C_BODY),
				  (size_t)sqlite3_column_bytes(st, C_BODY));
		if (jr == -2) {
			rc = bulu_errf(e, BULU_SYSTEM, "out of memory");
			goto done;
		}
		if (jr != 0) {
			rc = bulu_errf(e, BULU_INTEGRITY, "the ledger's entry %s seq %" PRId64 " has a body that is not JSON",
				       strpool_str(r->pool, station), seq);
			goto done;
		}
		/* outside the episodes: forms recorded with --force-outside within
		 * the window; with --window, whatever was recorded in it */
		if (r->o.have_window ? !in_window(r, recorded)
				     : !*episode && (body.top[LJ_OUTSIDE_REASON].type == LJ_NONE ||
						     !in_window(r, recorded)))
			continue;
		uint32_t operator_ = col_id(r, st, C_OPERATOR), dept = jstr(r, &body.top[LJ_DEPT]);
		uint32_t invoice = jstr(r, &body.top[LJ_INVOICE_NO]);
		if (strcmp(kind, "invoice_void") == 0) {
			if (add_inv(r, invoice, seq, station, dept, operator_, 0, 0, 1) != 0) {
				rc = bulu_errf(e, BULU_SYSTEM, "out of memory");
				goto done;
			}
			continue;
		}
		int jk = jkind_of(kind);
		struct unit proto = {0};
		proto.seq = seq;
		proto.station = station;
		proto.jkind = (uint8_t)jk;
		proto.hkind = hkind_of(jk);
		proto.episode = col_id(r, st, C_EPISODE);
		proto.operator_ = operator_;
		proto.patient = jstr(r, &body.top[LJ_PATIENT_ID]);
		proto.patient_name = jstr(r, &body.top[LJ_PATIENT_NAME]);
		proto.dept = dept;
		proto.invoice = invoice;
		proto.request_no = jstr(r, &body.top[LJ_REQUEST_NO]);
		proto.occurred = jtime(&body.top[LJ_OCCURRED_AT]);
		if (proto.occurred == NO_TIME)
			proto.occurred = recorded;
		proto.voided = (uint8_t)is_voided(voids, nvoids, station, seq);
		proto.flags = (uint8_t)((body.top[LJ_EXCHANGE].type != LJ_NONE ? UF_EXCHANGE : 0) |
					(body.top[LJ_DISCHARGE].type != LJ_NONE ? UF_DISCHARGE : 0));
		proto.deadline = NO_TIME;
		if (jk == JK_DISPENSE) {
			proto.ref_seq = jint(&body.top[LJ_REF]); /* resolved below */
			proto.ref_station = jstr(r, &body.top[LJ_REF_STATION]);
		}
		size_t entry_first = r->nu;
		/* a registration is one line even when priced from fee items:
		 * the HIS registers a department and a fee */
		if (body.nlines > 0 && jk != JK_REGISTRATION) {
			for (size_t li = 0; li < body.nlines; li++) {
				const struct lj_val *l = body.lines[li];
				struct unit *u = new_unit(r);
				if (!u) {
					rc = bulu_errf(e, BULU_SYSTEM, "out of memory");
					goto done;
				}
				*u = proto;
				u->line = (uint32_t)jint(&l[LJL_LINE]);
				u->item = jstr(r, &l[LJL_CODE]);
				u->item_name = jstr(r, &l[LJL_NAME]);
				u->qty = jint(&l[LJL_QTY]);
				u->amount = jint(&l[LJL_AMOUNT]);
			}
		} else {
			struct unit *u = new_unit(r);
			if (!u) {
				rc = bulu_errf(e, BULU_SYSTEM, "out of memory");
				goto done;
			}
			*u = proto;
			u->qty = 1;
			if (jk == JK_REGISTRATION) {
				/* a registration is one line: the department registered with */
				u->item = u->dept;
				u->amount = jint(&body.top[LJ_FEE]);
			} else if (jk == JK_CARD_ISSUE) {
				u->item = jstr(r, &body.top[LJ_CARD_NO]);
			}
		}
		/* the invoice a charge or registration used */
		if (invoice && (jk == JK_CHARGE || jk == JK_REGISTRATION)) {
			int64_t amount = jk == JK_CHARGE ? jint(&body.top[LJ_TOTAL]) : jint(&body.top[LJ_FEE]);
			if (add_inv(r, invoice, seq, station, dept, operator_, amount, (uint32_t)(entry_first + 1),
				    proto.voided) != 0) {
				rc = bulu_errf(e, BULU_SYSTEM, "out of memory");
				goto done;
			}
		}
	}
	if (sr != SQLITE_DONE)
		rc = sqlfail(db, e, "entries");
done:
	lj_free(&body);
	sqlite3_finalize(st);
	buf_free(&eps);
	free(voids);
	return rc;
}

/* Dispenses name the seq of the form they dispense against, of their own
 * station or (ref_station) another's, the ward's voucher: find its first
 * line, and take the patient from it when the dispense has none.  Units
 * are in (station, seq) order, so a binary search finds it; a reference no
 * line in scope has stays ref 0 (checks.c reports it). */
static void resolve_dispenses(struct recon *r)
{
	for (size_t i = 0; i < r->nu; i++) {
		struct unit *u = &r->u[i];
		if (u->jkind != JK_DISPENSE || u->ref_seq <= 0)
			continue;
		int64_t want = u->ref_seq;
		uint32_t stn = u->ref_station ? u->ref_station : u->station;
		u->ref = 0;
		size_t lo = 0, hi = r->nu;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			const struct unit *m = &r->u[mid];
			int c = m->station != stn
					? strcmp(strpool_str(r->pool, m->station), strpool_str(r->pool, stn))
					: (m->seq > want) - (m->seq < want);
			if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < r->nu && r->u[lo].station == stn && r->u[lo].seq == want &&
		    (r->u[lo].jkind == JK_PRESCRIPTION || r->u[lo].jkind == JK_REQUISITION)) {
			u->ref = (uint32_t)(lo + 1);
			if (!u->patient)
				u->patient = r->u[lo].patient;
			if (!u->patient_name)
				u->patient_name = r->u[lo].patient_name;
		}
	}
}

/* Each line's back-fill deadline: the last second of the day that is
 * due_important (registrations, charges) or due_all days after its
 * episode's restore day, in the restore notice's own zone; NO_TIME while
 * the episode is open.  Run once the ledger is loaded, before matching
 * (a late back-fill is found while matching). */
int recon_deadlines(struct recon *r, bulu_err *e)
{
	(void)e;
	for (size_t i = 0; i < r->nu; i++) {
		struct unit *u = &r->u[i];
		int64_t end = r->last_end;
		int off = r->tz_off;
		for (size_t k = 0; k < r->nep; k++)
			if (r->ep[k].id == u->episode && r->ep[k].end != NO_TIME) {
				end = r->ep[k].end;
				off = r->ep[k].end_off;
			}
		if (end == NO_TIME) {
			u->deadline = NO_TIME;
			continue;
		}
		int important = u->hkind == HIS_REGISTRATIONS || u->hkind == HIS_CHARGES;
		int64_t days = important ? r->o.due_important : r->o.due_all;
		int64_t local = end + off;
		int64_t day = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
		u->deadline = (day + 1 + days) * 86400 - off - 1; /* the day's last second */
	}
	return BULU_OK;
}

int recon_load_ledger(struct recon *r, const struct recon_tz_hook *tz, bulu_err *e)
{
	ledger *l = NULL;
	int rc = ledger_open(r->o.ledger, 0, &l, e);
	if (rc != BULU_OK) {
		if (tz)
			tz->fn(tz->arg, rc, 0, 0);
		return rc;
	}
	sqlite3 *db = ledger_db(l);
	/* one pass over the table: a page cache would only hold what was read */
	sqlite3_exec(db, "PRAGMA cache_size = -4096", NULL, NULL, NULL);
	/* the first 16 MiB of the file read in place (the kernel's pages
	 * mapped) rather than copied into cache pages that are each first
	 * touched: a small ledger is read whole so, with no copy and no
	 * fresh page; the bound keeps what a large one adds to the resident
	 * memory (mapped pages count) to 16 MiB */
	sqlite3_exec(db, "PRAGMA mmap_size = 16777216", NULL, NULL, NULL);
	/* the time zone first: the exports' conversion waits for it (asking
	 * for it apart, before reading, was a second open of the ledger and a
	 * second pass over its outage entries) */
	int have = 0;
	int32_t off = 0;
	rc = load_episodes(r, db, &have, &off, e);
	if (tz)
		tz->fn(tz->arg, rc, have, off);
	if (rc == BULU_OK)
		rc = select_episodes(r, e);
	if (rc == BULU_OK)
		rc = load_books(r, db, e);
	if (rc == BULU_OK)
		rc = load_roles(r, db, e);
	if (rc == BULU_OK)
		rc = load_units(r, db, e);
	ledger_close(l);
	if (rc == BULU_OK)
		resolve_dispenses(r);
	return rc;
}

/* The ids of from's strings in to (interned there). */
static uint32_t *pool_map(strpool *to, const strpool *from)
{
	size_t n = strpool_count(from);
	uint32_t *map = malloc((n + 1) * sizeof *map);
	if (!map)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		map[i] = strpool_intern(to, strpool_str(from, (uint32_t)i), strpool_len(from, (uint32_t)i));
		if (map[i] == UINT32_MAX) {
			free(map);
			return NULL;
		}
	}
	return map;
}

/*
 * Move what a ledger load put into l (with its own pool, while the exports
 * were read into r's on another thread) into r, with one pool for both.
 * The smaller pool's strings are interned into the larger, whose ids stay:
 * with the exports' patients and invoice numbers deferred (his.h), the
 * exports' pool holds a few hundred names and the ledger's hundreds of
 * thousands, so the exports' rows are renumbered (a pass over memory)
 * rather than the ledger's strings hashed again.
 */
int recon_adopt(struct recon *r, struct recon *l, bulu_err *e)
{
	uint32_t *map;
	if (strpool_count(r->pool) <= strpool_count(l->pool)) {
		if (!(map = pool_map(l->pool, r->pool)))
			return bulu_errf(e, BULU_SYSTEM, "out of memory");
		for (int k = 0; k < HIS_NKINDS; k++) {
			struct his_table *t = &r->his[k];
			for (size_t i = 0; i < t->n; i++) {
				struct his_row *h = &t->rows[i];
				if (!t->defer) {
					h->patient = map[h->patient];
					h->invoice = map[h->invoice];
					h->source = map[h->source];
				}
				h->item = map[h->item];
				h->dept = map[h->dept];
				h->operator_ = map[h->operator_];
				h->ref_station = map[h->ref_station];
			}
		}
		free(map);
		strpool *p = r->pool;
		r->pool = l->pool;
		l->pool = p; /* freed with l */
		goto move;
	}
	if (!(map = pool_map(r->pool, l->pool)))
		return bulu_errf(e, BULU_SYSTEM, "out of memory");
	for (size_t i = 0; i < l->nu; i++) {
		struct unit *u = &l->u[i];
		u->station = map[u->station];
		u->patient = map[u->patient];
		u->patient_name = map[u->patient_name];
		u->item = map[u->item];
		u->item_name = map[u->item_name];
		u->dept = map[u->dept];
		u->operator_ = map[u->operator_];
		u->invoice = map[u->invoice];
		u->request_no = map[u->request_no];
		u->episode = map[u->episode];
		u->expl = map[u->expl];
		u->ref_station = map[u->ref_station];
	}
	for (size_t i = 0; i < l->nep; i++) {
		l->ep[i].id = map[l->ep[i].id];
		l->ep[i].joined = map[l->ep[i].joined];
		for (int k = 0; k < l->ep[i].nby && k < 4; k++)
			l->ep[i].by[k] = map[l->ep[i].by[k]];
	}
	for (size_t i = 0; i < l->nbooks; i++) {
		l->books[i].station = map[l->books[i].station];
		l->books[i].dept = map[l->books[i].dept];
	}
	for (size_t i = 0; i < l->ninv; i++) {
		struct inv_use *x = &l->inv[i];
		x->station = map[x->station];
		x->text = map[x->text];
		x->dept = map[x->dept];
		x->operator_ = map[x->operator_];
	}
	free(map);
move:
	r->u = l->u, r->nu = l->nu, r->capu = l->capu;
	r->ep = l->ep, r->nep = l->nep;
	r->books = l->books, r->nbooks = l->nbooks;
	r->roles = l->roles, r->nroles = l->nroles;
	r->inv = l->inv, r->ninv = l->ninv, r->capinv = l->capinv;
	r->win_from = l->win_from, r->win_to = l->win_to;
	r->last_end = l->last_end, r->tz_off = l->tz_off;
	l->u = NULL, l->ep = NULL, l->books = NULL, l->inv = NULL, l->roles = NULL;
	l->nu = l->nep = l->nbooks = l->ninv = l->capinv = l->nroles = 0;
	return BULU_OK;
}
