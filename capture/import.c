/*
 * import.c - `bulu capture import FILE.csv`: transcribed paper forms in bulk.
 *
 * One row per form line; rows with the same `form` value make one entry.
 * Rows are streamed from csvfile_read: a form is appended (through
 * capture_form_append, exactly as an interactive capture) as soon as the
 * `form` value changes.  Should a form's rows turn out not to be together,
 * or a ref_form name a form not seen yet, the transaction is rolled back
 * and the file read again with every row kept, then grouped by form in
 * order of first appearance.  The fast path keeps nothing per row beyond
 * the current form's cells and one map entry per form.
 *
 * Invariants: the whole file is one transaction; any bad row rolls it back
 * and nothing is written (exit 2, "FILE:ROW:COL (COLUMN): reason"); forms
 * are appended in order of first appearance, so a form's seq is known
 * before any later form refers to it, and a ref to a later form is refused;
 * "saved ..." is printed only after journal_commit() returned; messages
 * name rows and columns, never cells that could be patient data.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulu/buf.h"
#include "bulu/cli.h"
#include "bulu/csvfile.h"
#include "bulu/hashidx.h"
#include "bulu/entry.h"
#include "bulu/form.h"
#include "bulu/journal.h"
#include "bulu/money.h"

static const char import_usage[] =
	"usage: bulu capture import FILE.csv [--encoding auto|utf-8|gb18030] [--dry-run]\n"
	"                           [--operator OP] [--force-outside REASON] [--dir DIR]\n"
	"\n"
	"Capture transcribed paper forms in bulk, all in one transaction.  Columns (in\n"
	"any order): form, kind, operator, patient_id, patient_name, dept, doctor,\n"
	"item_code, qty, unit_price, invoice_no, pay_method, fee_type, occurred_at,\n"
	"ref_form, note, flag.  One row per line; rows with the same form make one entry.\n"
	"flag: exchange (换票: the receipt is to be exchanged for a machine invoice) on a\n"
	"charge or registration, discharge (出院带药) on a prescription.\n"
	"An empty cell means \"not given\": unit_price empty = the catalog price (yuan).\n"
	"ref_form names an earlier form of the file, or an entry (SEQ or BL-STATION-SEQ).\n"
	"One bad row rejects the whole file (exit 2, naming row and column).\n"
	"\n"
	"  --encoding E            auto (default), utf-8 or gb18030\n"
	"  --operator OP           for forms whose operator cell is empty\n"
	"  --force-outside REASON  capture although no outage episode is open\n"
	"  --dry-run               check and price everything, write nothing\n"
	"See docs/capture-import.md.\n";

enum col {
	C_FORM, C_KIND, C_OPERATOR, C_PATIENT_ID, C_PATIENT_NAME, C_DEPT, C_DOCTOR,
	C_ITEM_CODE, C_QTY, C_UNIT_PRICE, C_INVOICE_NO, C_PAY_METHOD, C_FEE_TYPE,
	C_OCCURRED_AT, C_REF_FORM, C_NOTE, C_FLAG, NCOL
};

static const char *const col_names[NCOL] = {
	"form", "kind", "operator", "patient_id", "patient_name", "dept", "doctor",
	"item_code", "qty", "unit_price", "invoice_no", "pay_method", "fee_type",
	"occurred_at", "ref_form", "note", "flag"};

#define CELL_MAX 2000 /* bytes in one cell, as form.c allows in a field */
#define NONE SIZE_MAX
#define REGROUP 100 /* private status: read again, grouping rows by form */

static const char *const kind_names[] = {
	"registration", "card_issue", "charge", "prescription", "order", "requisition",
	"dispense", "exam", "invoice_void", "void", "note", "ward_charge", "exam_request", "exam_clear",
	"settlement", "exam_report"};
#define NKIND (sizeof kind_names / sizeof kind_names[0])

/* One form of the file, in order of first appearance; its id in st->keys. */
struct fent {
	size_t key_off, key_len;
	size_t first_row;
	int64_t seq;       /* 0 until appended */
	size_t head, tail; /* grouped mode: its rows in st->rows */
};

/* Grouped mode: a row kept whole, its cells as offsets into st->store. */
struct srow {
	size_t row, next;
	size_t off[NCOL];
};

struct state {
	const char *path, *name; /* name: as shown in messages */
	enum text_enc enc;
	journal *j;
	capture_ctx *cx;
	const char *default_op, *force;
	int grouped, have_header, progress;
	size_t nhdr;
	int idx[NCOL];
	/* the forms seen, and a hash table over them (core/hashidx.c) */
	struct fent *forms;
	size_t nforms, capforms;
	hashidx tab;
	buf keys;
	/* grouped mode */
	struct srow *rows;
	size_t nrows, caprows;
	buf store;
	/* a numeric ref_form taken as an entry seq: 1 if any was */
	int numeric_refs;
	char ref_station[64];   /* the current form's ref_form: another station's */
	buf warnings;           /* "FILE:ROW: warning: ..." lines, shown once saved */
	buf nrefs; /* their values, NUL-separated, checked at the end */
	/* the form being gathered */
	size_t cur;
	buf arena; /* its cells */
	size_t hoff[NCOL], hrow[NCOL];
	int hset[NCOL];
	size_t nlines, line_row[FORM_MAX_LINES], code_off[FORM_MAX_LINES];
	int64_t qty[FORM_MAX_LINES], price[FORM_MAX_LINES];
	form f;
	/* results */
	int64_t first_seq, last_seq;
	size_t nsaved, nread, count[NKIND];
};

static int row_err(struct state *st, bulu_err *e, size_t row, int c, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* "FILE:ROW:COL (NAME): reason"; without the column number when the file
 * has no such column. */
static int row_err(struct state *st, bulu_err *e, size_t row, int c, const char *fmt, ...)
{
	char why[800];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	if (st->idx[c] >= 0)
		return bulu_errf(e, BULU_BADINPUT, "%s:%zu:%d (%s): %s", st->name, row,
				 st->idx[c] + 1, col_names[c], why);
	return bulu_errf(e, BULU_BADINPUT, "%s:%zu (%s): %s", st->name, row, col_names[c], why);
}

static int oom(bulu_err *e) { return bulu_errf(e, BULU_SYSTEM, "out of memory"); }


static const char *form_id(const struct state *st, size_t fi)
{
	return st->keys.p + st->forms[fi].key_off;
}

struct ffind {
	const struct state *st;
	const char *s;
	size_t n;
};

static int form_same(const void *ctx, uint32_t fi)
{
	const struct ffind *f = ctx;
	const struct fent *e = &f->st->forms[fi];
	return e->key_len == f->n && memcmp(f->st->keys.p + e->key_off, f->s, f->n) == 0;
}

/* The index of form id s, or NONE. */
static size_t form_find(const struct state *st, const char *s, size_t n)
{
	struct ffind f = {st, s, n};
	uint32_t fi = hashidx_find(&st->tab, hashidx_hash(s, n), form_same, &f);
	return fi == HASHIDX_NONE ? NONE : fi;
}

/* Add form id s (not present) first seen at row; its index in *fi. */
static int form_add(struct state *st, const char *s, size_t n, size_t row, size_t *fi,
		    bulu_err *e)
{
	if (st->nforms == st->capforms) {
		size_t cap = st->capforms ? 2 * st->capforms : 256;
		struct fent *f = realloc(st->forms, cap * sizeof *f);
		if (!f)
			return oom(e);
		st->forms = f;
		st->capforms = cap;
	}
	if (st->nforms >= UINT32_MAX - 1)
		return oom(e);
	size_t off = st->keys.len;
	buf_put(&st->keys, s, n);
	buf_putc(&st->keys, '\0');
	if (st->keys.oom)
		return oom(e);
	uint64_t h = hashidx_hash(s, n);
	if (hashidx_add(&st->tab, h, (uint32_t)st->nforms) != 0)
		return oom(e);
	st->forms[st->nforms] = (struct fent){off, n, row, 0, NONE, NONE};
	*fi = st->nforms++;
	return BULU_OK;
}

/* "entry_kind" from a cell: the names, or their dashed spellings. */
static int kind_index(const char *s)
{
	for (size_t i = 0; i < NKIND; i++) {
		const char *k = kind_names[i];
		size_t n = 0;
		while (k[n] && (s[n] == k[n] || (k[n] == '_' && s[n] == '-')))
			n++;
		if (!k[n] && !s[n])
			return (int)i;
	}
	return -1;
}

/* A cell agreed by every row of the form: the first given value wins, a
 * different one later is a conflict. */
static int put_header(struct state *st, int c, const char *v, size_t row, bulu_err *e)
{
	if (!*v)
		return BULU_OK;
	if (st->hset[c]) {
		if (strcmp(st->arena.p + st->hoff[c], v) != 0)
			return row_err(st, e, row, c,
				       "differs from row %zu of the same form: every row of a form "
				       "must agree on it", st->hrow[c]);
		return BULU_OK;
	}
	if (c == C_KIND && kind_index(v) < 0)
		return row_err(st, e, row, c,
			       "not a kind of form: registration, card_issue, charge, prescription, "
			       "order, requisition, dispense, exam, invoice_void, void or note");
	st->hoff[c] = st->arena.len;
	buf_puts(&st->arena, v);
	buf_putc(&st->arena, '\0');
	st->hset[c] = 1;
	st->hrow[c] = row;
	return st->arena.oom ? oom(e) : BULU_OK;
}

static void start_form(struct state *st, size_t fi)
{
	st->cur = fi;
	buf_reset(&st->arena);
	memset(st->hset, 0, sizeof st->hset);
	st->nlines = 0;
}

/* One row of the current form: its header cells and its line, if any. */
static int add_row(struct state *st, const char *const v[NCOL], size_t row, bulu_err *e)
{
	for (int c = 0; c < NCOL; c++)
		if (strlen(v[c]) > CELL_MAX)
			return row_err(st, e, row, c, "longer than %d bytes", CELL_MAX);
	int rc = BULU_OK;
	static const int hdr[] = {C_KIND, C_OPERATOR, C_PATIENT_ID, C_PATIENT_NAME, C_DEPT,
				  C_DOCTOR, C_INVOICE_NO, C_PAY_METHOD, C_FEE_TYPE,
				  C_OCCURRED_AT, C_REF_FORM, C_NOTE, C_FLAG};
	for (size_t i = 0; i < sizeof hdr / sizeof hdr[0] && rc == BULU_OK; i++)
		rc = put_header(st, hdr[i], v[hdr[i]], row, e);
	if (rc != BULU_OK)
		return rc;
	if (!*v[C_ITEM_CODE]) {
		if (*v[C_QTY])
			return row_err(st, e, row, C_QTY, "a quantity needs an item_code on its row");
		/* A price without an item: a registration's fee. */
		return put_header(st, C_UNIT_PRICE, v[C_UNIT_PRICE], row, e);
	}
	if (st->nlines == FORM_MAX_LINES)
		return row_err(st, e, row, C_ITEM_CODE, "more than %d lines in one form",
			       FORM_MAX_LINES);
	size_t n = st->nlines;
	if (!*v[C_QTY])
		return row_err(st, e, row, C_QTY, "missing: an item line needs a quantity");
	if (parse_int64(v[C_QTY], strlen(v[C_QTY]), &st->qty[n]) != 0)
		return row_err(st, e, row, C_QTY, "not a whole number");
	if (st->qty[n] <= 0)
		return row_err(st, e, row, C_QTY, "must be above 0");
	st->price[n] = -1;
	if (*v[C_UNIT_PRICE]) {
		if (money_parse_yuan(v[C_UNIT_PRICE], strlen(v[C_UNIT_PRICE]), &st->price[n]) != 0)
			return row_err(st, e, row, C_UNIT_PRICE,
				       "not an amount of yuan (e.g. 12.50)");
		if (st->price[n] < 0)
			return row_err(st, e, row, C_UNIT_PRICE, "must not be negative");
	}
	st->code_off[n] = st->arena.len;
	buf_puts(&st->arena, v[C_ITEM_CODE]);
	buf_putc(&st->arena, '\0');
	st->line_row[n] = row;
	st->nlines++;
	return st->arena.oom ? oom(e) : BULU_OK;
}

static const char *hval(const struct state *st, int c)
{
	return st->hset[c] ? st->arena.p + st->hoff[c] : NULL;
}

/* The column and row a field of capture_form_append's refusal stands for. */
static void locate(const struct state *st, const char *field, size_t line, int *col,
		   size_t *row)
{
	static const struct {
		const char *field;
		int col;
	} alias[] = {{"reason", C_NOTE},      {"card_no", C_PATIENT_ID},
		     {"fee", C_UNIT_PRICE},   {"request_no", C_FORM},
		     {"force_reason", C_FORM}, {"episode", C_FORM},
		     {"amount", C_UNIT_PRICE}, {"exchange", C_FLAG},
		     {"discharge", C_FLAG}};
	int c = -1;
	for (int i = 0; field && i < NCOL && c < 0; i++)
		if (strcmp(field, col_names[i]) == 0)
			c = i;
	for (size_t i = 0; field && c < 0 && i < sizeof alias / sizeof alias[0]; i++)
		if (strcmp(field, alias[i].field) == 0)
			c = alias[i].col;
	if (c < 0)
		c = C_FORM;
	*col = c;
	*row = st->forms[st->cur].first_row;
	if ((c == C_ITEM_CODE || c == C_QTY || c == C_UNIT_PRICE) && line < st->nlines)
		*row = st->line_row[line];
	else if (st->hset[c])
		*row = st->hrow[c];
}

/* ref_form as an entry: "SEQ" or "BL-STATION-SEQ" (st->ref_station gets
 * STATION when it is not this station's: a dispense may name the ward's
 * voucher).  0 and *seq, or -1 when it is not written that way. */
static int parse_entry_ref(struct state *st, const char *v, int64_t *seq)
{
	const char *digits = v;
	st->ref_station[0] = '\0';
	if (strncmp(v, "BL-", 3) == 0) {
		const char *dash = strrchr(v + 3, '-');
		const char *stn = journal_station(st->j);
		if (!dash || dash == v + 3 || (size_t)(dash - (v + 3)) >= sizeof st->ref_station)
			return -1;
		if ((size_t)(dash - (v + 3)) != strlen(stn) || strncmp(v + 3, stn, strlen(stn)) != 0) {
			snprintf(st->ref_station, sizeof st->ref_station, "%.*s", (int)(dash - (v + 3)),
				 v + 3);
			if (!journal_station_id_ok(st->ref_station))
				return -1;
		}
		digits = dash + 1;
	}
	if (!*digits || strspn(digits, "0123456789") != strlen(digits) || strlen(digits) > 18)
		return -1;
	return parse_int64(digits, strlen(digits), seq) == 0 && *seq > 0 ? 0 : -1;
}

/* The seq that the current form's ref_form names. */
static int resolve_ref(struct state *st, int64_t *seq, bulu_err *e)
{
	const char *v = hval(st, C_REF_FORM);
	size_t row = st->hrow[C_REF_FORM];
	size_t fi = form_find(st, v, strlen(v));
	if (fi == st->cur)
		return row_err(st, e, row, C_REF_FORM, "a form cannot refer to itself");
	if (fi != NONE && st->forms[fi].seq > 0) {
		*seq = st->forms[fi].seq;
		return BULU_OK;
	}
	if (fi != NONE)
		return row_err(st, e, row, C_REF_FORM,
			       "names the form first seen at row %zu, later in the file: a form "
			       "must come before the forms that refer to it",
			       st->forms[fi].first_row);
	if (parse_entry_ref(st, v, seq) == 0) {
		if (!st->grouped) { /* a form of that name may still come */
			st->numeric_refs = 1;
			buf_puts(&st->nrefs, v);
			buf_putc(&st->nrefs, '\0');
			if (st->nrefs.oom)
				return oom(e);
		}
		return BULU_OK;
	}
	if (!st->grouped)
		return REGROUP; /* perhaps a form further down: look at the whole file */
	if (strncmp(v, "BL-", 3) == 0)
		return row_err(st, e, row, C_REF_FORM,
			       "not a back-fill reference (BL-STATION-SEQ, e.g. BL-%s-12) nor a form "
			       "of this file",
			       journal_station(st->j));
	return row_err(st, e, row, C_REF_FORM,
		       "no form of this file has that id, and it is not an entry number "
		       "(SEQ or BL-STATION-SEQ)");
}

/* Append the current form; on refusal name the row and column at fault. */
static int flush_form(struct state *st, bulu_err *e)
{
	form *f = &st->f;
	struct fent *fe = &st->forms[st->cur];
	size_t row0 = fe->first_row;
	if (!st->hset[C_KIND])
		return row_err(st, e, row0, C_KIND, "missing: no row of this form gives its kind");
	int k = kind_index(hval(st, C_KIND));
	const char *kind = kind_names[k];
	int is_void = strcmp(kind, "void") == 0 || strcmp(kind, "invoice_void") == 0;
	f->kind = kind;
	f->operator_ = hval(st, C_OPERATOR) ? hval(st, C_OPERATOR) : st->default_op;
	f->patient_id = hval(st, C_PATIENT_ID);
	f->patient_name = hval(st, C_PATIENT_NAME);
	f->sex = NULL;
	f->dept = hval(st, C_DEPT);
	f->doctor = hval(st, C_DOCTOR);
	f->fee_type = hval(st, C_FEE_TYPE);
	f->pay_method = hval(st, C_PAY_METHOD);
	f->invoice_no = hval(st, C_INVOICE_NO);
	f->occurred_at = hval(st, C_OCCURRED_AT);
	f->note = is_void ? NULL : hval(st, C_NOTE);
	f->reason = is_void ? hval(st, C_NOTE) : NULL;
	f->card_no = strcmp(kind, "card_issue") == 0 ? hval(st, C_PATIENT_ID) : NULL;
	f->request_no = NULL;
	if (!strcmp(kind, "prescription") || !strcmp(kind, "requisition") || !strcmp(kind, "exam") ||
	    !strcmp(kind, "exam_request") || !strcmp(kind, "exam_report"))
		f->request_no = form_id(st, st->cur);
	f->force_reason = st->force && entry_kind_is_capture(kind) ? st->force : NULL;
	f->new_card = 0;
	f->exchange = f->discharge = 0;
	const char *flag = hval(st, C_FLAG);
	if (flag && *flag) {
		if (!strcmp(flag, "exchange") || !strcmp(flag, "换票"))
			f->exchange = 1;
		else if (!strcmp(flag, "discharge") || !strcmp(flag, "出院带药"))
			f->discharge = 1;
		else
			return row_err(st, e, st->hrow[C_FLAG], C_FLAG,
				       "not a flag: exchange (换票) or discharge (出院带药)");
	}
	f->ref_seq = 0;
	f->ref_station = NULL;
	st->ref_station[0] = '\0';
	f->fee_fen = -1;
	if (st->hset[C_UNIT_PRICE] &&
	    money_parse_yuan(hval(st, C_UNIT_PRICE), strlen(hval(st, C_UNIT_PRICE)), &f->fee_fen) != 0)
		return row_err(st, e, st->hrow[C_UNIT_PRICE], C_UNIT_PRICE,
			       "not an amount of yuan (e.g. 12.50)");
	if (st->hset[C_UNIT_PRICE] && f->fee_fen < 0)
		return row_err(st, e, st->hrow[C_UNIT_PRICE], C_UNIT_PRICE, "must not be negative");
	if (st->hset[C_REF_FORM]) {
		int rc = resolve_ref(st, &f->ref_seq, e);
		if (rc != BULU_OK)
			return rc;
		if (st->ref_station[0])
			f->ref_station = st->ref_station;
	}
	f->nlines = st->nlines;
	for (size_t i = 0; i < st->nlines; i++)
		f->lines[i] = (form_line){st->arena.p + st->code_off[i], st->qty[i], st->price[i]};

	const char *field = NULL;
	size_t line = 0;
	int64_t seq = 0;
	int rc = capture_form_append(st->cx, f, &seq, &field, &line, e);
	if (rc != BULU_OK) {
		if (rc != BULU_BADINPUT)
			return rc;
		char why[sizeof e->msg];
		int col;
		size_t row;
		snprintf(why, sizeof why, "%s", e->msg);
		locate(st, field, line, &col, &row);
		return row_err(st, e, row, col, "%s", why);
	}
	if (*capture_ctx_warning(st->cx)) {
		char w[640];
		snprintf(w, sizeof w, "bulu: %s:%zu: %s\n", st->name, fe->first_row,
			 capture_ctx_warning(st->cx));
		buf_puts(&st->warnings, w);
	}
	fe->seq = seq;
	if (!st->first_seq)
		st->first_seq = seq;
	st->last_seq = seq;
	st->nsaved++;
	st->count[k]++;
	st->cur = NONE;
	return BULU_OK;
}

/* Streaming: a row continues the current form, or ends it and starts one. */
static int stream_row(struct state *st, const char *const v[NCOL], size_t row, bulu_err *e)
{
	const char *id = v[C_FORM];
	size_t n = strlen(id);
	if (st->cur != NONE && st->forms[st->cur].key_len == n &&
	    memcmp(form_id(st, st->cur), id, n) == 0)
		return add_row(st, v, row, e);
	int rc;
	if (st->cur != NONE && (rc = flush_form(st, e)) != BULU_OK)
		return rc;
	size_t fi = form_find(st, id, n);
	if (fi != NONE)
		return REGROUP; /* its rows are not together */
	if ((rc = form_add(st, id, n, row, &fi, e)) != BULU_OK)
		return rc;
	start_form(st, fi);
	return add_row(st, v, row, e);
}

/* Grouped mode: keep the row, linked to its form. */
static int keep_row(struct state *st, const char *const v[NCOL], size_t row, bulu_err *e)
{
	size_t fi = form_find(st, v[C_FORM], strlen(v[C_FORM]));
	if (fi == NONE && form_add(st, v[C_FORM], strlen(v[C_FORM]), row, &fi, e) != BULU_OK)
		return e->code;
	if (st->nrows == st->caprows) {
		size_t cap = st->caprows ? 2 * st->caprows : 1024;
		struct srow *r = realloc(st->rows, cap * sizeof *r);
		if (!r)
			return oom(e);
		st->rows = r;
		st->caprows = cap;
	}
	struct srow *r = &st->rows[st->nrows];
	r->row = row;
	r->next = NONE;
	for (int c = 0; c < NCOL; c++) {
		r->off[c] = st->store.len;
		buf_puts(&st->store, v[c]);
		buf_putc(&st->store, '\0');
	}
	if (st->store.oom)
		return oom(e);
	struct fent *f = &st->forms[fi];
	if (f->tail == NONE)
		f->head = st->nrows;
	else
		st->rows[f->tail].next = st->nrows;
	f->tail = st->nrows++;
	return BULU_OK;
}

static int on_row(void *ud, size_t row, size_t nfields, char *const *fields,
		  const size_t *lens, bulu_err *e)
{
	struct state *st = ud;
	(void)lens;
	if (!st->have_header) {
		if (csvfile_map_header(st->path, fields, nfields, col_names, NCOL, st->idx, 0, e) !=
		    BULU_OK)
			return e->code;
		for (int c = 0; c < NCOL; c++)
			if (st->idx[c] < 0 &&
			    (c == C_FORM || c == C_KIND || (c == C_OPERATOR && !st->default_op)))
				return bulu_errf(e, BULU_BADINPUT,
						 "%s:%zu: missing column \"%s\"%s", st->name, row,
						 col_names[c],
						 c == C_OPERATOR ? " (or give --operator OP)" : "");
		st->have_header = 1;
		st->nhdr = nfields;
		return BULU_OK;
	}
	if (nfields != st->nhdr)
		return bulu_errf(e, BULU_BADINPUT, "%s:%zu:%zu: the row has %zu cells, the header %zu",
				 st->name, row, (nfields > st->nhdr ? st->nhdr : nfields) + 1,
				 nfields, st->nhdr);
	const char *v[NCOL];
	for (int c = 0; c < NCOL; c++)
		v[c] = st->idx[c] >= 0 ? fields[st->idx[c]] : "";
	if (!*v[C_FORM])
		return row_err(st, e, row, C_FORM, "empty: every row names the form it belongs to");
	if (st->progress && ++st->nread % 8192 == 0)
		fprintf(stderr, "\rbulu: import: %zu rows read", st->nread);
	return st->grouped ? keep_row(st, v, row, e) : stream_row(st, v, row, e);
}

/* Grouped mode, after the read: every form in order of first appearance. */
static int append_grouped(struct state *st, bulu_err *e)
{
	for (size_t fi = 0; fi < st->nforms; fi++) {
		start_form(st, fi);
		for (size_t r = st->forms[fi].head; r != NONE; r = st->rows[r].next) {
			const char *v[NCOL];
			for (int c = 0; c < NCOL; c++)
				v[c] = st->store.p + st->rows[r].off[c];
			int rc = add_row(st, v, st->rows[r].row, e);
			if (rc != BULU_OK)
				return rc;
		}
		int rc = flush_form(st, e);
		if (rc != BULU_OK)
			return rc;
	}
	return BULU_OK;
}

/* Streaming, at the end: a number taken as an entry seq must not also be
 * the id of a form further down. */
static int numeric_refs_clash(const struct state *st)
{
	for (size_t off = 0; st->numeric_refs && off < st->nrefs.len;) {
		const char *v = st->nrefs.p + off;
		if (form_find(st, v, strlen(v)) != NONE)
			return 1;
		off += strlen(v) + 1;
	}
	return 0;
}

static void reset(struct state *st)
{
	free(st->forms);
	hashidx_free(&st->tab);
	free(st->rows);
	buf_free(&st->keys);
	buf_free(&st->store);
	buf_free(&st->nrefs);
	buf_free(&st->warnings);
	st->forms = NULL;
	st->rows = NULL;
	st->nforms = st->capforms = st->nrows = st->caprows = 0;
	st->numeric_refs = st->have_header = 0;
	st->cur = NONE;
	st->first_seq = st->last_seq = 0;
	st->nsaved = st->nread = 0;
	memset(st->count, 0, sizeof st->count);
	for (int c = 0; c < NCOL; c++)
		st->idx[c] = -1;
}

/* One reading of the file inside one transaction; leaves it open on
 * success, rolled back on failure. */
static int one_pass(struct state *st, int grouped, bulu_err *e)
{
	reset(st);
	st->grouped = grouped;
	int rc = journal_begin(st->j, e);
	if (rc != BULU_OK)
		return rc;
	rc = capture_ctx_open(st->j, &st->cx, e);
	if (rc == BULU_OK)
		rc = csvfile_read(st->path, st->enc, on_row, st, NULL, e);
	if (rc == BULU_OK && !st->have_header)
		rc = bulu_errf(e, BULU_BADINPUT, "%s:1: empty file: no header row", st->name);
	if (rc == BULU_OK && grouped)
		rc = append_grouped(st, e);
	if (rc == BULU_OK && !grouped && st->cur != NONE)
		rc = flush_form(st, e);
	if (rc == BULU_OK && !grouped && numeric_refs_clash(st))
		rc = REGROUP;
	if (rc == BULU_OK && st->nsaved == 0)
		rc = bulu_errf(e, BULU_BADINPUT, "%s:2: no forms: the file has only its header",
			       st->name);
	if (st->progress && st->nread >= 8192)
		fputc('\n', stderr);
	capture_ctx_close(st->cx);
	st->cx = NULL;
	if (rc != BULU_OK)
		journal_rollback(st->j);
	return rc;
}

static void print_counts(const struct state *st)
{
	for (size_t k = 0; k < NKIND; k++)
		if (st->count[k])
			printf("  %-13s %zu\n", kind_names[k], st->count[k]);
}

int cmd_capture_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{"encoding", required_argument, 0, 'E'}, {"dry-run", no_argument, 0, 'n'},
		{"operator", required_argument, 0, 'o'}, {"force-outside", required_argument, 0, 'F'},
		{"dir", required_argument, 0, 'D'},      {"help", no_argument, 0, 'h'},
		{0, 0, 0, 0}};
	const char *dir = NULL, *op = NULL, *force = NULL;
	enum text_enc enc = TEXT_AUTO;
	int dry = 0, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'E':
			if (text_enc_parse(optarg, &enc) != 0)
				return cli_usage(argv[0], "--encoding: auto, utf-8 or gb18030");
			break;
		case 'n': dry = 1; break;
		case 'o': op = optarg; break;
		case 'F': force = optarg; break;
		case 'D': dir = optarg; break;
		case 'h': return cli_help(import_usage);
		default: return cli_usage(argv[0], "unknown option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage(argv[0], optind == argc ? "which file? give FILE.csv"
							 : "one file at a time");
	if (force && !*force)
		return cli_usage(argv[0], "--force-outside needs a reason");

	struct state *st = calloc(1, sizeof *st);
	if (!st) {
		fprintf(stderr, "bulu: out of memory\n");
		return BULU_SYSTEM;
	}
	st->path = argv[optind];
	st->name = strcmp(st->path, "-") == 0 ? "<stdin>" : st->path;
	st->enc = enc;
	st->default_op = cli_operator(op, 0);
	st->force = force;
	st->progress = cli_progress_wanted();
	bulu_err e = {0};
	int rc = journal_open(dir, JOURNAL_WRITE, &st->j, &e);
	if (rc == BULU_OK) {
		rc = one_pass(st, 0, &e);
		if (rc == REGROUP) {
			if (strcmp(st->path, "-") == 0)
				rc = bulu_errf(&e, BULU_BADINPUT,
					       "<stdin>: a form's rows are apart, or a ref_form names a "
					       "later form: sort the file by form, or give it as a file");
			else
				rc = one_pass(st, 1, &e);
		}
	}
	if (rc == BULU_OK && dry) {
		journal_rollback(st->j);
		printf("dry run: %zu entries would be saved; nothing was written\n", st->nsaved);
		print_counts(st);
	} else if (rc == BULU_OK && (rc = journal_commit(st->j, &e)) == BULU_OK) {
		char first[96], last[96];
		entry_ref(first, sizeof first, journal_station(st->j), st->first_seq);
		entry_ref(last, sizeof last, journal_station(st->j), st->last_seq);
		printf("saved %zu entries %s..%s\n", st->nsaved, first, last);
		fflush(stdout); /* the report reaches a pipe at once */
		print_counts(st);
		fflush(stdout);
	}
	if (rc == BULU_OK && st->warnings.len)
		fwrite(st->warnings.p, 1, st->warnings.len, stderr);
	journal_close(st->j);
	reset(st);
	buf_free(&st->arena);
	free(st);
	if (rc == REGROUP) /* cannot happen after a grouped pass */
		rc = BULU_SYSTEM;
	return rc == BULU_OK ? BULU_OK : cli_fail(&e);
}
