/*
 * form.c - the form model: one captured form, validated, priced, numbered,
 * encoded as a canonical JSON body and appended to the journal.
 *
 * Interactive capture (capture_cmd.c) and bulk import both come through
 * capture_form_append(), so a form means the same whatever its source.  The
 * body of every kind is specified in docs/entry-kinds.md.
 *
 * Invariants:
 *  - a refusal (BULU_BADINPUT) appends nothing, names the form field at
 *    fault and carries no patient data (item codes and invoice numbers are
 *    not patient data);
 *  - every check that can refuse runs before the invoice number is taken,
 *    so a refused form never consumes a number;
 *  - a captured kind (entry_kind_is_capture) is written only inside the
 *    open outage episode, or outside it with a recorded reason;
 *  - a void names an existing captured form that is not a void itself and
 *    not voided already, counting entries queued in this transaction, which
 *    the context remembers because they may not be in the table yet;
 *  - a dispense may name another station's form (the ward's voucher,
 *    BL-WARD-SEQ): this station cannot see it, so it is taken as given and
 *    checked at reconcile; against a form of this station, dispensing more
 *    of a drug than the form asks for (all dispenses against it together)
 *    saves the form with a warning.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulu/clock.h"
#include "bulu/form.h"
#include "bulu/json.h"
#include "bulu/settings.h"
#include "bulu/money.h"
#include "bulu/outage.h"
#include "bulu/operator.h"
#include "bulu/paymethod.h"
#include "bulu/text.h"

#define FIELD_MAX 2000 /* bytes in any one text field */

/* What a kind takes besides the common keys. */
enum {
	K_PATIENT = 1 << 0,  /* needs patient_id */
	K_LINES = 1 << 1,    /* needs lines */
	K_INVOICE = 1 << 2,  /* takes an invoice number (always) */
	K_FEE = 1 << 3,      /* registration: fee, invoice with a fee, new card */
	K_CARD = 1 << 4,     /* needs card_no */
	K_REF = 1 << 5,      /* needs ref_seq */
	K_REASON = 1 << 6,   /* needs reason */
	K_VOIDNO = 1 << 7,   /* invoice_void: needs invoice_no */
	K_TEXT = 1 << 8,     /* note: needs note (the text) */
	K_OPTLINES = 1 << 9, /* registration: may be priced from fee items */
	K_AMOUNT = 1 << 10   /* settlement: an amount (fee_fen) and a handwritten invoice */
};

static const struct kindspec {
	const char *kind;
	unsigned flags;
} kinds[] = {
	{"registration", K_PATIENT | K_FEE | K_OPTLINES},
	{"card_issue", K_CARD},
	{"charge", K_PATIENT | K_LINES | K_INVOICE},
	{"prescription", K_PATIENT | K_LINES},
	{"order", K_PATIENT | K_LINES},
	{"requisition", K_PATIENT | K_LINES},
	{"exam", K_PATIENT | K_LINES},
	{"dispense", K_LINES | K_REF},
	{"invoice_void", K_VOIDNO | K_REASON},
	{"void", K_REF | K_REASON},
	{"note", K_TEXT},
	{"ward_charge", K_PATIENT | K_LINES},
	{"exam_request", K_PATIENT | K_LINES},
	{"exam_clear", K_PATIENT},
	{"settlement", K_PATIENT | K_AMOUNT},
	{"exam_report", K_PATIENT},
};

struct appended {
	int64_t seq;
	char kind[16];
};

/* A drug line asked for (a prescription's or requisition's) or dispensed
 * against a form of this station, for the over-dispensing warning. */
struct dline {
	int64_t form;        /* the prescription/requisition's seq */
	int64_t by;          /* the dispense's seq; 0 for the form's own line */
	int64_t qty;
	char code[64];
};

struct priced {
	int64_t price, amount;
	int manual;
};

struct capture_ctx {
	journal *j;
	catalog *cat;
	invoice_alloc *inv;
	sqlite3_stmt *q_kind, *q_voided;
	struct appended *app; /* appended here, seq ascending */
	size_t napp, capapp;
	int64_t *voided;      /* seqs voided here */
	size_t nvoided, capvoided;
	catalog_item *items;  /* FORM_MAX_LINES, the current form's lines */
	struct priced *pr;
	char warn[512];       /* the last form's warning */
	struct dline *dl;     /* dispensed lines (committed, loaded once) and new forms' */
	size_t ndl, capdl;
	int dl_loaded;
	operator_list ops;    /* the station's operators, read on first use */
	pay_methods pay;      /* the station's payment methods, likewise */
	int ops_loaded, pay_loaded;
};

const char *capture_ctx_warning(const capture_ctx *c) { return c->warn; }

int capture_ctx_open(journal *j, capture_ctx **out, bulu_err *e)
{
	capture_ctx *c = calloc(1, sizeof *c);
	if (!c)
		return bulu_errf(e, BULU_SYSTEM, "out of memory");
	c->j = j;
	*out = c;
	return BULU_OK;
}

void capture_ctx_close(capture_ctx *c)
{
	if (!c)
		return;
	catalog_close(c->cat);
	invoice_alloc_free(c->inv);
	sqlite3_finalize(c->q_kind);
	sqlite3_finalize(c->q_voided);
	free(c->app);
	free(c->voided);
	free(c->items);
	free(c->pr);
	free(c->dl);
	operator_list_free(&c->ops);
	free(c);
}

static const struct kindspec *kind_spec(const char *kind)
{
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(kinds[i].kind, kind) == 0)
			return &kinds[i];
	return NULL;
}

static int given(const char *s) { return s && *s; }

/* Does a dispense name another station's form? */
static int ref_other(capture_ctx *c, const form *f)
{
	return given(f->ref_station) && strcmp(f->ref_station, journal_station(c->j)) != 0;
}

/* Refuse: set *field and *line, return BULU_BADINPUT with the message. */
static int refuse(bulu_err *e, const char **field, size_t *line, const char *fld,
		  size_t ln, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static int refuse(bulu_err *e, const char **field, size_t *line, const char *fld,
		  size_t ln, const char *fmt, ...)
{
	char msg[sizeof e->msg];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (field)
		*field = fld;
	if (line)
		*line = ln;
	return bulu_errf(e, BULU_BADINPUT, "%s", msg);
}

static int sql_fail(capture_ctx *c, bulu_err *e, const char *what)
{
	return bulu_errf(e, BULU_SYSTEM, "journal: %s: %s", what,
			 sqlite3_errmsg(journal_db(c->j)));
}

static const struct appended *find_appended(const capture_ctx *c, int64_t seq)
{
	size_t lo = 0, hi = c->napp;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->app[mid].seq == seq)
			return &c->app[mid];
		if (c->app[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int capture_entry_kind(capture_ctx *c, int64_t seq, char kind[32], bulu_err *e)
{
	const struct appended *a = find_appended(c, seq);
	if (a) {
		snprintf(kind, 32, "%s", a->kind);
		return BULU_OK;
	}
	sqlite3 *db = journal_db(c->j);
	if (!c->q_kind &&
	    sqlite3_prepare_v2(db, "SELECT kind FROM entries WHERE seq = ?1", -1, &c->q_kind,
			       NULL) != SQLITE_OK)
		return sql_fail(c, e, "looking up an entry");
	sqlite3_reset(c->q_kind);
	sqlite3_bind_int64(c->q_kind, 1, seq);
	int rc = sqlite3_step(c->q_kind);
	if (rc == SQLITE_ROW) {
		snprintf(kind, 32, "%s", (const char *)sqlite3_column_text(c->q_kind, 0));
		sqlite3_reset(c->q_kind);
		return BULU_OK;
	}
	sqlite3_reset(c->q_kind);
	if (rc != SQLITE_DONE)
		return sql_fail(c, e, "looking up an entry");
	return bulu_errf(e, BULU_BADINPUT, "there is no entry %lld in this journal",
			 (long long)seq);
}

/* 1 if seq was voided (committed, or in this context), 0 if not, -1 error. */
static int is_voided(capture_ctx *c, int64_t seq, bulu_err *e)
{
	for (size_t i = 0; i < c->nvoided; i++)
		if (c->voided[i] == seq)
			return 1;
	sqlite3 *db = journal_db(c->j);
	if (!c->q_voided &&
	    sqlite3_prepare_v2(db,
			       "SELECT 1 FROM entries WHERE kind = 'void' AND "
			       "json_extract(body, '$.entry') = ?1 LIMIT 1",
			       -1, &c->q_voided, NULL) != SQLITE_OK) {
		sql_fail(c, e, "looking up voids");
		return -1;
	}
	sqlite3_reset(c->q_voided);
	sqlite3_bind_int64(c->q_voided, 1, seq);
	int rc = sqlite3_step(c->q_voided);
	sqlite3_reset(c->q_voided);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	sql_fail(c, e, "looking up voids");
	return -1;
}

static int remember(capture_ctx *c, int64_t seq, const char *kind, int64_t voids,
		    bulu_err *e)
{
	if (c->napp == c->capapp) {
		size_t cap = c->capapp ? 2 * c->capapp : 64;
		struct appended *a = realloc(c->app, cap * sizeof *a);
		if (!a)
			return bulu_errf(e, BULU_SYSTEM, "out of memory");
		c->app = a;
		c->capapp = cap;
	}
	c->app[c->napp].seq = seq;
	snprintf(c->app[c->napp].kind, sizeof c->app[c->napp].kind, "%s", kind);
	c->napp++;
	if (voids > 0) {
		if (c->nvoided == c->capvoided) {
			size_t cap = c->capvoided ? 2 * c->capvoided : 16;
			int64_t *v = realloc(c->voided, cap * sizeof *v);
			if (!v)
				return bulu_errf(e, BULU_SYSTEM, "out of memory");
			c->voided = v;
			c->capvoided = cap;
		}
		c->voided[c->nvoided++] = voids;
	}
	return BULU_OK;
}

/* Every text field: valid UTF-8, of sane length, no control characters
 * except in free text (note, reason). */
static int check_text(const char *s, const char *fld, int free_text, bulu_err *e,
		      const char **field, size_t *line)
{
	if (!s)
		return BULU_OK;
	size_t n = strlen(s);
	if (n > FIELD_MAX)
		return refuse(e, field, line, fld, 0, "longer than %d bytes", FIELD_MAX);
	if (!text_is_utf8(s, n))
		return refuse(e, field, line, fld, 0, "not valid UTF-8 text");
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if ((ch < 0x20 && !(free_text && (ch == '\n' || ch == '\t'))) || ch == 0x7f)
			return refuse(e, field, line, fld, 0, "control characters are not allowed");
	}
	return BULU_OK;
}

static int check_texts(const form *f, bulu_err *e, const char **field, size_t *line)
{
	const struct {
		const char *s, *fld;
		int free_text;
	} t[] = {
		{f->operator_, "operator", 0},   {f->patient_id, "patient_id", 0},
		{f->patient_name, "patient_name", 0}, {f->sex, "sex", 0},
		{f->dept, "dept", 0},            {f->doctor, "doctor", 0},
		{f->fee_type, "fee_type", 0},    {f->pay_method, "pay_method", 0},
		{f->invoice_no, "invoice_no", 0}, {f->note, "note", 1},
		{f->reason, "reason", 1},        {f->card_no, "card_no", 0},
		{f->request_no, "request_no", 0}, {f->force_reason, "force_reason", 1},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (check_text(t[i].s, t[i].fld, t[i].free_text, e, field, line) != BULU_OK)
			return e->code;
	return BULU_OK;
}

/* Fields a kind has no use for are refused, so nothing typed is lost. */
static int check_fits(const form *f, unsigned k, bulu_err *e, const char **field,
		      size_t *line)
{
	const char *kind = f->kind;
	if (f->nlines && !(k & (K_LINES | K_OPTLINES)))
		return refuse(e, field, line, "item_code", 0, "a %s has no item lines", kind);
	if (f->nlines && f->fee_fen != -1)
		return refuse(e, field, line, "fee", 0,
			      "a registration fee is either priced from the catalog's fee items "
			      "(--item, item_code) or given in yuan (--fee), not both");
	if (given(f->invoice_no) && !(k & (K_INVOICE | K_FEE | K_VOIDNO | K_AMOUNT)))
		return refuse(e, field, line, "invoice_no", 0, "a %s takes no invoice number", kind);
	if (given(f->pay_method) && !(k & (K_INVOICE | K_FEE | K_AMOUNT)))
		return refuse(e, field, line, "pay_method", 0, "a %s takes no payment method", kind);
	if (f->ref_seq != 0 && !(k & K_REF))
		return refuse(e, field, line, "ref_form", 0, "a %s refers to no other form", kind);
	if (given(f->reason) && !(k & K_REASON))
		return refuse(e, field, line, "reason", 0, "a %s takes no reason", kind);
	if (f->fee_fen != -1 && !(k & (K_FEE | K_AMOUNT)))
		return refuse(e, field, line, "fee", 0, "a %s takes no fee", kind);
	if (f->exchange && !(k & (K_INVOICE | K_FEE)))
		return refuse(e, field, line, "exchange", 0,
			      "only a charge's or registration's receipt is exchanged for an invoice");
	if (f->discharge && strcmp(kind, "prescription") != 0)
		return refuse(e, field, line, "discharge", 0,
			      "discharge medication (出院带药) is a prescription");
	if (f->new_card && !(k & K_FEE))
		return refuse(e, field, line, "new_card", 0, "only a registration hands out a new card");
	if (given(f->card_no) && !(k & K_CARD) && !((k & K_FEE) && f->new_card))
		return refuse(e, field, line, "card_no", 0,
			      "a card number is recorded by card_issue or a registration with a new card");
	if (given(f->force_reason) && !entry_kind_is_capture(kind))
		return refuse(e, field, line, "force_reason", 0, "a %s may be written any time", kind);
	return BULU_OK;
}

static int check_required(const form *f, unsigned k, bulu_err *e, const char **field,
			  size_t *line)
{
	if (!given(f->operator_))
		return refuse(e, field, line, "operator", 0,
			      "no operator: every captured form names who recorded it");
	if ((k & K_PATIENT) && !given(f->patient_id))
		return refuse(e, field, line, "patient_id", 0, "a %s needs the patient id%s", f->kind,
			      strcmp(f->kind, "requisition") == 0 ? " (inpatient no.)" : "");
	if ((k & K_LINES) && f->nlines == 0)
		return refuse(e, field, line, "item_code", 0, "a %s needs at least one item line",
			      f->kind);
	if (f->nlines > FORM_MAX_LINES)
		return refuse(e, field, line, "item_code", FORM_MAX_LINES,
			      "more than %d item lines on one form", FORM_MAX_LINES);
	if ((k & K_CARD) && !given(f->card_no))
		return refuse(e, field, line, "card_no", 0, "a card_issue needs the card number");
	if ((k & K_REF) && f->ref_seq <= 0)
		return refuse(e, field, line, "ref_form", 0, "a %s needs the entry it refers to",
			      f->kind);
	if ((k & K_REASON) && !given(f->reason))
		return refuse(e, field, line, "reason", 0, "a %s needs a reason", f->kind);
	if ((k & K_VOIDNO) && !given(f->invoice_no))
		return refuse(e, field, line, "invoice_no", 0,
			      "an invoice_void needs the invoice number");
	if (strcmp(f->kind, "exam_request") == 0 && !given(f->request_no))
		return refuse(e, field, line, "request_no", 0,
			      "an exam_request needs its request form's number (the stub the exam "
			      "department keeps): the exam performed names it too");
	if (strcmp(f->kind, "exam_report") == 0 && !given(f->request_no))
		return refuse(e, field, line, "request_no", 0,
			      "an exam_report needs the request form's number the exam was performed "
			      "under");
	if ((k & K_AMOUNT) && f->fee_fen < 0)
		return refuse(e, field, line, "amount", 0,
			      "a settlement needs the amount settled (--amount YUAN)");
	if ((k & K_AMOUNT) && !given(f->invoice_no))
		return refuse(e, field, line, "invoice_no", 0,
			      "a settlement needs the number of its handwritten invoice");
	if ((k & K_TEXT) && !given(f->note))
		return refuse(e, field, line, "note", 0, "a note needs its text");
	if (f->fee_fen < -1)
		return refuse(e, field, line, "fee", 0, "a fee must not be negative");
	if ((k & K_FEE) && given(f->invoice_no) && f->fee_fen < 0 && f->nlines == 0)
		return refuse(e, field, line, "invoice_no", 0,
			      "a registration takes an invoice number only with a fee (a fee item, "
			      "--item, or --fee)");
	return BULU_OK;
}

/* The entry a dispense or void points at: exists, fits, not voided. */
static int check_ref(capture_ctx *c, const form *f, char ref_kind[32], bulu_err *e,
		     const char **field, size_t *line)
{
	long long ref = (long long)f->ref_seq;
	int dispense = strcmp(f->kind, "dispense") == 0;
	if (ref_other(c, f)) {
		if (!dispense)
			return refuse(e, field, line, "ref_form", 0,
				      "BL-%s-%lld is a form of station %s: a %s cancels a form of this "
				      "station (%s) only",
				      f->ref_station, ref, f->ref_station, f->kind, journal_station(c->j));
		if (!journal_station_id_ok(f->ref_station))
			return refuse(e, field, line, "ref_form", 0,
				      "not a station id: write BL-STATION-SEQ");
		ref_kind[0] = '\0'; /* unknown here: the ward's bundle may not have come */
		return BULU_OK;
	}
	if (capture_entry_kind(c, f->ref_seq, ref_kind, e) != BULU_OK)
		return e->code == BULU_BADINPUT ? refuse(e, field, line, "ref_form", 0, "%s", e->msg)
						: e->code;
	if (dispense && strcmp(ref_kind, "prescription") != 0 && strcmp(ref_kind, "requisition") != 0)
		return refuse(e, field, line, "ref_form", 0,
			      "entry %lld is a %s: a dispense refers to a prescription or requisition",
			      ref, ref_kind);
	if (!dispense) {
		if (strcmp(ref_kind, "void") == 0)
			return refuse(e, field, line, "ref_form", 0,
				      "entry %lld is itself a void: a void cannot be voided", ref);
		if (strcmp(ref_kind, "invoice_void") == 0)
			return refuse(e, field, line, "ref_form", 0,
				      "entry %lld is an invoice_void: a spoiled invoice stays void", ref);
		if (!entry_kind_is_capture(ref_kind))
			return refuse(e, field, line, "ref_form", 0,
				      "entry %lld is a %s: only captured forms can be voided", ref,
				      ref_kind);
	}
	int v = is_voided(c, f->ref_seq, e);
	if (v < 0)
		return e->code;
	if (v)
		return refuse(e, field, line, "ref_form", 0, "entry %lld is voided already", ref);
	return BULU_OK;
}


/* --- over-dispensing: what a form of this station asks for, against what
 * every dispense against it has handed out --- */

static int dl_push(capture_ctx *c, int64_t form_seq, int64_t by, const char *code, int64_t qty,
		   bulu_err *e)
{
	if (c->ndl == c->capdl) {
		size_t cap = c->capdl ? 2 * c->capdl : 256;
		struct dline *d = realloc(c->dl, cap * sizeof *d);
		if (!d)
			return bulu_errf(e, BULU_SYSTEM, "out of memory");
		c->dl = d;
		c->capdl = cap;
	}
	struct dline *d = &c->dl[c->ndl++];
	d->form = form_seq;
	d->by = by;
	d->qty = qty;
	snprintf(d->code, sizeof d->code, "%s", code ? code : "");
	return BULU_OK;
}

/* Rows of (form, by, code, qty) from the journal into dl. */
static int dl_query(capture_ctx *c, const char *sql, int64_t arg, bulu_err *e)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(journal_db(c->j), sql, -1, &st, NULL) != SQLITE_OK)
		return sql_fail(c, e, "reading dispensed lines");
	if (arg)
		sqlite3_bind_int64(st, 1, arg);
	int rc = BULU_OK, sr;
	while (rc == BULU_OK && (sr = sqlite3_step(st)) == SQLITE_ROW)
		rc = dl_push(c, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
			     (const char *)sqlite3_column_text(st, 2), sqlite3_column_int64(st, 3), e);
	if (rc == BULU_OK && sr != SQLITE_DONE)
		rc = sql_fail(c, e, "reading dispensed lines");
	sqlite3_finalize(st);
	return rc;
}

static int dl_voided(const capture_ctx *c, int64_t seq)
{
	for (size_t i = 0; i < c->nvoided; i++)
		if (c->voided[i] == seq)
			return 1;
	return 0;
}

/* Adds to c->warn (after any other warning of the form) when this dispense, with the earlier ones against the
 * same form of this station, hands out more of a drug than the form asks
 * for, or a drug it does not ask for. */
static int check_overdispense(capture_ctx *c, const form *f, bulu_err *e)
{
	int64_t ref = f->ref_seq;
	int rc;
	if (!c->dl_loaded) {
		rc = dl_query(c,
			      "SELECT json_extract(d.body, '$.ref'), d.seq, json_extract(l.value, '$.code'),"
			      " json_extract(l.value, '$.qty') FROM entries d, json_each(d.body, '$.lines') l"
			      " WHERE d.kind = 'dispense' AND json_extract(d.body, '$.ref_station') IS NULL"
			      " AND d.seq NOT IN (SELECT json_extract(body, '$.entry') FROM entries"
			      " WHERE kind = 'void')",
			      0, e);
		if (rc != BULU_OK)
			return rc;
		c->dl_loaded = 1;
	}
	int have = 0;
	for (size_t i = 0; i < c->ndl && !have; i++)
		have = c->dl[i].form == ref && c->dl[i].by == 0;
	if (!have && (rc = dl_query(c,
				    "SELECT e.seq, 0, json_extract(l.value, '$.code'), json_extract(l.value, '$.qty')"
				    " FROM entries e, json_each(e.body, '$.lines') l WHERE e.seq = ?1",
				    ref, e)) != BULU_OK)
		return rc;
	for (size_t li = 0; li < f->nlines; li++) {
		const char *code = c->items[li].code;
		int seen = 0;
		for (size_t lj = 0; lj < li && !seen; lj++)
			seen = strcmp(c->items[lj].code, code) == 0;
		if (seen)
			continue;
		int64_t asked = 0, out = 0;
		int on_form = 0;
		for (size_t lj = li; lj < f->nlines; lj++)
			if (strcmp(c->items[lj].code, code) == 0)
				out += f->lines[lj].qty;
		for (size_t i = 0; i < c->ndl; i++) {
			const struct dline *d = &c->dl[i];
			if (d->form != ref || strcmp(d->code, code) != 0)
				continue;
			if (d->by == 0) {
				asked += d->qty;
				on_form = 1;
			} else if (!dl_voided(c, d->by)) {
				out += d->qty;
			}
		}
		size_t n = strlen(c->warn);
		const char *sep = n ? "; " : "";
		if (!on_form) {
			snprintf(c->warn + n, sizeof c->warn - n,
				 "%swarning: %s is not on BL-%s-%lld: dispensed %lld of a drug the form does "
				 "not ask for (saved; trace the difference)",
				 sep, code, journal_station(c->j), (long long)ref, (long long)out);
			return BULU_OK;
		}
		if (out > asked) {
			snprintf(c->warn + n, sizeof c->warn - n,
				 "%swarning: over-dispensing: %s dispensed %lld in all against BL-%s-%lld, "
				 "which asks for %lld (saved; trace the difference)",
				 sep, code, (long long)out, journal_station(c->j), (long long)ref,
				 (long long)asked);
			return BULU_OK;
		}
	}
	return BULU_OK;
}

/* After an append: a drug form's lines, or a dispense's, for later checks. */
static int dl_remember(capture_ctx *c, const form *f, int64_t seq, bulu_err *e)
{
	/* a queued form is not in the table yet: its lines are kept here; an own
	 * dispense was checked first, which loaded the committed ones */
	int drugform = strcmp(f->kind, "prescription") == 0 || strcmp(f->kind, "requisition") == 0;
	int own_dispense = strcmp(f->kind, "dispense") == 0 && !ref_other(c, f);
	if (!drugform && !own_dispense)
		return BULU_OK;
	for (size_t i = 0; i < f->nlines; i++) {
		int rc = dl_push(c, drugform ? seq : f->ref_seq, drugform ? 0 : seq, c->items[i].code,
				 f->lines[i].qty, e);
		if (rc != BULU_OK)
			return rc;
	}
	return BULU_OK;
}

/* Look every line up in the catalog and price it; *total the sum. */
static int price_lines(capture_ctx *c, const form *f, int64_t *total, bulu_err *e,
		       const char **field, size_t *line)
{
	if (!c->cat && catalog_open(c->j, &c->cat, e) != BULU_OK)
		return e->code == BULU_BADINPUT ? refuse(e, field, line, "item_code", 0, "%s", e->msg)
						: e->code;
	if (!c->items) {
		c->items = malloc(FORM_MAX_LINES * sizeof *c->items);
		c->pr = malloc(FORM_MAX_LINES * sizeof *c->pr);
		if (!c->items || !c->pr)
			return bulu_errf(e, BULU_SYSTEM, "out of memory");
	}
	const station_settings *set = journal_settings(c->j);
	*total = 0;
	for (size_t i = 0; i < f->nlines; i++) {
		const form_line *l = &f->lines[i];
		if (!given(l->code))
			return refuse(e, field, line, "item_code", i, "no item code");
		if (l->qty <= 0)
			return refuse(e, field, line, "qty", i,
				      "quantity must be a whole number above 0");
		if (l->price_fen < -1)
			return refuse(e, field, line, "unit_price", i, "price must not be negative");
		if (strlen(l->code) > 60 || !text_is_utf8(l->code, strlen(l->code)))
			return refuse(e, field, line, "item_code", i, "not an item code");
		if (catalog_get(c->cat, l->code, &c->items[i]) != 0)
			return refuse(e, field, line, "item_code", i,
				      "unknown item code %s (catalog version %s)", l->code,
				      catalog_version(c->cat));
		struct priced *p = &c->pr[i];
		p->manual = l->price_fen >= 0;
		p->price = p->manual ? l->price_fen : c->items[i].price_fen;
		if (l->qty > set->max_qty)
			return refuse(e, field, line, "qty", i,
				      "quantity %lld is more than a line may hold (max_qty %lld in the "
				      "station's %s)", (long long)l->qty, (long long)set->max_qty, SETTINGS_FILE);
		if (money_mul(p->price, l->qty, &p->amount) != 0 || p->amount > set->max_line_fen)
			return refuse(e, field, line, p->manual ? "unit_price" : "qty", i,
				      "the line comes to more than a line may (max_line_fen %lld fen in "
				      "the station's %s)", (long long)set->max_line_fen, SETTINGS_FILE);
		if (money_add(total, p->amount) != 0 || *total > set->max_form_fen)
			return refuse(e, field, line, "qty", i,
				      "the form comes to more than a form may (max_form_fen %lld fen in "
				      "the station's %s)", (long long)set->max_form_fen, SETTINGS_FILE);
	}
	return BULU_OK;
}

static void write_lines(capture_ctx *c, const form *f, jw *w)
{
	jw_key(w, "lines");
	jw_arr_begin(w);
	for (size_t i = 0; i < f->nlines; i++) {
		const catalog_item *it = &c->items[i];
		jw_obj_begin(w);
		jw_kint(w, "amount", c->pr[i].amount);
		jw_kstr(w, "category", it->category);
		jw_kstr(w, "code", it->code);
		jw_kint(w, "line", (int64_t)i + 1);
		jw_kstr(w, "name", it->name);
		jw_kint(w, "price", c->pr[i].price);
		jw_kstr(w, "price_source", c->pr[i].manual ? "manual" : "catalog");
		jw_kint(w, "qty", f->lines[i].qty);
		jw_kstr(w, "unit", it->unit);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

/* What the checks worked out, for writing the body. */
struct facts {
	const char *dept, *episode, *outside_reason, *pay;
	int drill;                /* the open episode is a drill */
	char before_tier[16];     /* captured before the department's tier came */
	char occurred[CLOCK_ISO_MAX];
	char invoice[INVOICE_NO_MAX];
	char ref_kind[32];
	int64_t total;
	int has_lines, has_invoice;
	int has_invoice_hand;     /* settlement: invoice_no as written */
};

/* The body, keys in ascending byte order (jw asserts it). */
static void write_body(capture_ctx *c, const form *f, const struct facts *x, jw *w)
{
	int is_note = strcmp(f->kind, "note") == 0, is_void = strcmp(f->kind, "void") == 0;
	int is_reg = strcmp(f->kind, "registration") == 0;
	jw_obj_begin(w);
	if (strcmp(f->kind, "settlement") == 0)
		jw_kint(w, "amount", f->fee_fen);
	if (*x->before_tier)
		jw_kstr(w, "before_tier", x->before_tier);
	if (given(f->card_no))
		jw_kstr(w, "card_no", f->card_no);
	else if (is_reg && f->new_card)
		jw_kstr(w, "card_no", f->patient_id);
	if (x->has_lines)
		jw_kstr(w, "catalog_version", catalog_version(c->cat));
	jw_kstr_opt(w, "dept", x->dept);
	if (f->discharge)
		jw_kbool(w, "discharge", 1);
	jw_kstr_opt(w, "doctor", f->doctor);
	if (is_void) {
		jw_kint(w, "entry", f->ref_seq);
		jw_kstr(w, "entry_kind", x->ref_kind);
	}
	if (f->exchange)
		jw_kbool(w, "exchange", 1);
	if (is_reg && f->fee_fen >= 0)
		jw_kint(w, "fee", f->fee_fen);
	else if (is_reg && x->has_lines)
		jw_kint(w, "fee", x->total); /* priced from fee items */
	jw_kstr_opt(w, "fee_type", f->fee_type);
	if (x->has_invoice || x->has_invoice_hand)
		jw_kstr(w, "invoice_no", x->invoice);
	if (x->has_lines)
		write_lines(c, f, w);
	if (f->new_card)
		jw_kbool(w, "new_card", 1);
	if (!is_note)
		jw_kstr_opt(w, "note", f->note);
	jw_kstr_opt(w, "occurred_at", x->occurred);
	jw_kstr_opt(w, "outside_episode_reason", x->outside_reason);
	jw_kstr_opt(w, "patient_id", f->patient_id);
	jw_kstr_opt(w, "patient_name", f->patient_name);
	jw_kstr_opt(w, "pay", x->pay);
	jw_kstr_opt(w, "reason", f->reason);
	if (strcmp(f->kind, "dispense") == 0) {
		jw_kint(w, "ref", f->ref_seq);
		if (x->ref_kind[0])
			jw_kstr(w, "ref_kind", x->ref_kind);
		else
			jw_kstr(w, "ref_station", f->ref_station);
	}
	jw_kstr_opt(w, "request_no", f->request_no);
	jw_kstr_opt(w, "sex", f->sex);
	if (is_note)
		jw_kstr(w, "text", f->note);
	if (*x->before_tier)
		jw_kstr(w, "tier_reason", given(f->tier_reason) ? f->tier_reason : "(none given)");
	if (x->has_lines)
		jw_kint(w, "total", x->total);
	jw_obj_end(w);
}

/* A new card's number (card_issue, registration with a new card): a drill
 * hands out drill cards only, marked DRILL- (演练卡), and a real episode
 * never does, so a drill spends no real card number (docs/outage.md). */
static int check_drill_card(const form *f, int drill, bulu_err *e, const char **field,
			    size_t *line)
{
	int reg = strcmp(f->kind, "registration") == 0;
	const char *no = given(f->card_no) ? f->card_no : reg && f->new_card ? f->patient_id : NULL;
	if (!given(no) || !(strcmp(f->kind, "card_issue") == 0 || (reg && f->new_card)))
		return BULU_OK;
	int marked = strncmp(no, "DRILL-", 6) == 0;
	const char *fld = given(f->card_no) ? "card_no" : "patient_id";
	if (drill && !marked)
		return refuse(e, field, line, fld, 0,
			      "a drill hands out drill cards only: their numbers start with DRILL- "
			      "(a real card number is never spent on a drill)");
	if (!drill && marked)
		return refuse(e, field, line, fld, 0,
			      "a DRILL- card number belongs to drills: a real episode hands out real "
			      "cards only");
	return BULU_OK;
}

/* Tier guidance (分级转入手工): a department captured before its tier came
 * is recorded with the reason given and a warning; never refused. */
static int check_tier(capture_ctx *c, const form *f, struct facts *x, bulu_err *e)
{
	outage_state st;
	tier_table tt;
	const tier *dt;
	int come;
	char now[CLOCK_ISO_MAX];
	if (!f->check_tier || !*x->episode || !entry_kind_is_capture(f->kind))
		return BULU_OK;
	if (outage_state_get(c->j, &st, e) != BULU_OK || outage_tiers(c->j, &tt, e) != BULU_OK)
		return e->code;
	clock_now_iso(now);
	outage_tier_come(&st, &tt, x->dept, clock_epoch(now), &dt, &come);
	if (come || !dt)
		return BULU_OK;
	snprintf(x->before_tier, sizeof x->before_tier, "%s", dt->name);
	snprintf(c->warn, sizeof c->warn,
		 "warning: the tier of %s (%s after the start) has not come (尚未到转入手工时间); "
		 "recorded with %s", x->dept, dt->name,
		 given(f->tier_reason) ? "the reason given" : "no reason: give --tier-reason TEXT");
	return BULU_OK;
}

/* Is this station the inpatient billing office (住院处/记账处)? */
static int billing_office(capture_ctx *c)
{
	const char *r = journal_role(c->j);
	return strcmp(r, "billing") == 0 || strcmp(r, "住院处") == 0 || strcmp(r, "记账处") == 0 ||
	       strcmp(r, "记帐处") == 0;
}

/* Rule 5: the billing office back-fills nothing; it settles emergency
 * discharges by hand, and only it records a settlement. */
static int check_role(capture_ctx *c, const form *f, bulu_err *e, const char **field,
		      size_t *line)
{
	int settle = strcmp(f->kind, "settlement") == 0;
	if (!entry_kind_is_capture(f->kind))
		return BULU_OK;
	if (billing_office(c) && !settle)
		return refuse(e, field, line, "kind", 0,
			      "this is the inpatient billing office's station (住院处/记账处): no %s is "
			      "captured here.  Rule 5: \"No back-fill at the inpatient billing office "
			      "(住院处/记帐处), to avoid muddled accounts; emergency discharges are settled "
			      "by hand from the ward's records after the ward confirms no exam is still "
			      "pending.\"  Print the statement (bulu patient statement ID) and record the "
			      "settlement (bulu capture settlement)",
			      f->kind);
	if (settle && !billing_office(c))
		return refuse(e, field, line, "kind", 0,
			      "a settlement is recorded by the inpatient billing office (a station of "
			      "role billing, 住院处/记账处) only; this station's role is %s",
			      journal_role(c->j));
	return BULU_OK;
}

/* A settlement's handwritten invoice number: once per station. */
static int check_settlement_no(capture_ctx *c, const form *f, bulu_err *e, const char **field,
			       size_t *line)
{
	if (strlen(f->invoice_no) >= INVOICE_NO_MAX)
		return refuse(e, field, line, "invoice_no", 0, "longer than %d bytes",
			      INVOICE_NO_MAX - 1);
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(journal_db(c->j),
			       "SELECT seq FROM entries WHERE kind = 'settlement' AND "
			       "json_extract(body, '$.invoice_no') = ?1 LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK)
		return sql_fail(c, e, "looking up settlements");
	sqlite3_bind_text(st, 1, f->invoice_no, -1, SQLITE_STATIC);
	int sr = sqlite3_step(st);
	long long seq = sr == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	if (sr != SQLITE_ROW && sr != SQLITE_DONE)
		return sql_fail(c, e, "looking up settlements");
	if (seq)
		return refuse(e, field, line, "invoice_no", 0,
			      "invoice number %s was already used by the settlement BL-%s-%lld",
			      f->invoice_no, journal_station(c->j), seq);
	return BULU_OK;
}

/* Once a station has operators, a form names an active one of them. */
static int check_operator(capture_ctx *c, const form *f, bulu_err *e, const char **field,
			  size_t *line)
{
	if (!c->ops_loaded) {
		if (operator_list_load(c->j, &c->ops, e) != BULU_OK)
			return e->code;
		c->ops_loaded = 1;
	}
	if (operator_active_count(&c->ops) == 0 || operator_find(&c->ops, f->operator_))
		return BULU_OK;
	char names[512];
	operator_names(&c->ops, names, sizeof names);
	return refuse(e, field, line, "operator", 0,
		      "not an operator of this station; the operators are: %s", names);
}

/* The stored code of the payment method typed (default cash). */
static int check_pay(capture_ctx *c, const form *f, const char **code, bulu_err *e,
		     const char **field, size_t *line)
{
	if (!c->pay_loaded) {
		if (pay_methods_load(journal_dir(c->j), &c->pay, e) != BULU_OK)
			return e->code;
		c->pay_loaded = 1;
	}
	if (!given(f->pay_method)) {
		*code = c->pay.m[0].code;
		return BULU_OK;
	}
	if ((*code = pay_method_resolve(&c->pay, f->pay_method)))
		return BULU_OK;
	char list[600];
	pay_methods_describe(&c->pay, list, sizeof list);
	return refuse(e, field, line, "pay_method", 0,
		      "unknown payment method; one of: %s", list);
}

/* Episode rule: a captured kind needs the open episode, or a reason. */
static int check_episode(capture_ctx *c, const form *f, char ep[64], struct facts *x,
			 bulu_err *e, const char **field, size_t *line)
{
	int drill;
	if (journal_episode(c->j, ep, &drill, e) != BULU_OK)
		return e->code;
	x->episode = ep;
	x->drill = drill;
	if (*ep || !entry_kind_is_capture(f->kind))
		return BULU_OK;
	if (!given(f->force_reason))
		return refuse(e, field, line, "episode", 0,
			      "no outage episode is open: run `bulu outage start` first, or give "
			      "--force-outside REASON to record this %s outside an outage",
			      f->kind);
	x->outside_reason = f->force_reason;
	return BULU_OK;
}

int capture_form_append(capture_ctx *c, const form *f, int64_t *seq,
			const char **field, size_t *line, bulu_err *e)
{
	const struct kindspec *ks = f->kind ? kind_spec(f->kind) : NULL;
	struct facts x;
	char ep[64] = "";
	jw w;
	int rc;
	memset(&x, 0, sizeof x);
	jw_init(&w);
	if (!ks) {
		rc = refuse(e, field, line, "kind", 0, "'%s' is not a kind of form that can be captured",
			    f->kind ? f->kind : "");
		goto done;
	}
	unsigned k = ks->flags;
	if ((rc = check_texts(f, e, field, line)) != BULU_OK ||
	    (rc = check_required(f, k, e, field, line)) != BULU_OK ||
	    (rc = check_fits(f, k, e, field, line)) != BULU_OK ||
	    (rc = check_role(c, f, e, field, line)) != BULU_OK ||
	    (rc = check_operator(c, f, e, field, line)) != BULU_OK ||
	    (rc = check_episode(c, f, ep, &x, e, field, line)) != BULU_OK)
		goto done;
	c->warn[0] = '\0';
	if ((rc = check_drill_card(f, x.drill, e, field, line)) != BULU_OK)
		goto done;
	if ((k & K_AMOUNT) && (rc = check_settlement_no(c, f, e, field, line)) != BULU_OK)
		goto done;
	if (given(f->occurred_at) && clock_parse(f->occurred_at, x.occurred) != 0) {
		rc = refuse(e, field, line, "occurred_at", 0,
			    "not a time: use YYYY-MM-DD HH:MM[:SS] or ISO-8601");
		goto done;
	}
	if ((k & K_REF) && (rc = check_ref(c, f, x.ref_kind, e, field, line)) != BULU_OK)
		goto done;
	x.has_lines = (k & K_LINES) || ((k & K_OPTLINES) && f->nlines > 0);
	if (x.has_lines && (rc = price_lines(c, f, &x.total, e, field, line)) != BULU_OK)
		goto done;
	if (f->fee_fen > journal_settings(c->j)->max_form_fen) {
		rc = refuse(e, field, line, (k & K_AMOUNT) ? "amount" : "fee", 0,
			    "more than a form may come to (max_form_fen %lld fen in the station's %s)",
			    (long long)journal_settings(c->j)->max_form_fen, SETTINGS_FILE);
		goto done;
	}
	x.dept = given(f->dept) ? f->dept : journal_dept(c->j);
	if ((rc = check_tier(c, f, &x, e)) != BULU_OK)
		goto done;
	if (strcmp(f->kind, "dispense") == 0 && !ref_other(c, f) &&
	    (rc = check_overdispense(c, f, e)) != BULU_OK)
		goto done;
	/* The payment method as its stored code, whatever was typed. */
	const char *pay = NULL;
	if (((k & (K_INVOICE | K_AMOUNT)) || ((k & K_FEE) && (f->fee_fen >= 0 || x.has_lines))) &&
	    (rc = check_pay(c, f, &pay, e, field, line)) != BULU_OK)
		goto done;
	if (k & K_AMOUNT) { /* the handwritten invoice: not of the station's books */
		snprintf(x.invoice, sizeof x.invoice, "%s", f->invoice_no);
		x.pay = pay;
		x.has_invoice_hand = 1;
	}
	/* The invoice number last: nothing may refuse the form after it. */
	x.has_invoice = (k & (K_INVOICE | K_VOIDNO)) ||
			((k & K_FEE) && (f->fee_fen >= 0 || x.has_lines));
	if (x.has_invoice) {
		if (!c->inv && (rc = invoice_alloc_open(c->j, &c->inv, e)) != BULU_OK)
			goto done;
		invoice_set_drill(c->inv, x.drill);
		rc = (k & K_VOIDNO) ? invoice_take_void(c->inv, f->invoice_no, x.invoice, e)
				    : invoice_take(c->inv, f->invoice_no, x.invoice, e);
		if (rc != BULU_OK) {
			if (rc == BULU_BADINPUT)
				refuse(e, field, line, "invoice_no", 0, "%s", e->msg);
			goto done;
		}
		if (!(k & K_VOIDNO))
			x.pay = pay;
	}
	write_body(c, f, &x, &w);
	const char *body;
	size_t blen;
	if (jw_finish(&w, &body, &blen) != 0) {
		rc = bulu_errf(e, BULU_SYSTEM, "could not encode the %s body", f->kind);
		goto done;
	}
	int64_t s;
	rc = journal_append(c->j, f->kind, f->operator_, x.outside_reason ? "" : x.episode, NULL,
			    body, blen, &s, e);
	if (rc == BULU_OK)
		rc = remember(c, s, f->kind, strcmp(f->kind, "void") == 0 ? f->ref_seq : 0, e);
	if (rc == BULU_OK)
		rc = dl_remember(c, f, s, e);
	if (rc == BULU_OK && seq)
		*seq = s;
done:
	jw_free(&w);
	return rc;
}
