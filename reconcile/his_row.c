/*
 * his_row.c - one parsed record of a HIS export to one his_row: text cells
 * interned, money to fen, quantities to integers, times to epoch seconds,
 * the BL reference found in the remark (see his.h for what each kind
 * keeps).
 *
 * Invariants:
 *  - Every text cell is trimmed of ASCII spaces and tabs; an empty one is
 *    id 0.  Cells were valid UTF-8 before they got here (his.c checks or
 *    converts the whole input).
 *  - A row is appended only when all of it converted; the first bad cell
 *    stops conversion with "FILE:ROW:COL: NAME ...", NAME the column's
 *    header.  Only money, quantity and time cells are ever quoted (at most
 *    40 bytes, control characters as '?'); patient ids and names never.
 *  - A malformed BL reference is no error: the row simply has none.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulu/money.h"
#include "his_internal.h"

/* ---- a memo of recent strings per field, in front of the pool ----
 *
 * Interning a million cells means millions of probes into a pool far larger
 * than the CPU's caches.  Exports repeat values (an invoice's lines, a
 * visit's charges, a handful of departments and operators), so each text
 * field keeps a small direct-mapped memo of short strings and their ids that
 * stays in cache.  A field whose memo does not pay (under 1 hit in 8, e.g. a
 * unique 流水号) stops using it.
 */

#define MEMO_BITS 12
#define MEMO_STR 27

struct memo_ent {
	uint32_t id;
	uint8_t len;                 /* 0: empty slot */
	char s[MEMO_STR];
};

struct his_memo {
	uint32_t lookups, hits;
	int off;
	struct memo_ent ent[1u << MEMO_BITS];
};

static size_t memo_slot(const char *s, size_t n)
{
	uint64_t a = 0, b = 0;
	if (n >= 8) {
		memcpy(&a, s, 8);
		memcpy(&b, s + n - 8, 8);
	} else {
		memcpy(&a, s, n);
	}
	uint64_t h = (a * 0x9e3779b97f4a7c15ull) ^ (b * 0xc2b2ae3d27d4eb4full) ^ n;
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	return (size_t)(h >> (64 - MEMO_BITS));
}

void his_conv_init(struct his_conv *c, const char *name, enum his_kind k,
                   const struct his_kprof *kp, const struct his_cols *cols,
                   strpool *pool, struct his_table *t)
{
	memset(c, 0, sizeof *c);
	c->name = name;
	c->kind = k;
	c->kp = kp;
	c->cols = cols;
	c->pool = pool;
	c->t = t;
	c->status = BULU_OK;
	his_clock_init(&c->clk);
}

void his_conv_free(struct his_conv *c)
{
	for (int f = 0; f < HF_NFIELDS; f++) {
		free(c->memo[f]);
		c->memo[f] = NULL;
	}
}

static void fail(struct his_conv *c, int code, enum his_field f, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Fail at field f's column (HF_NFIELDS: no column). */
static void fail(struct his_conv *c, int code, enum his_field f, const char *fmt, ...)
{
	if (c->status != BULU_OK)
		return;
	char what[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	if (f < HF_NFIELDS && c->cols->fcol[f] >= 0)
		bulu_errf(&c->e, code, "%s:%u:%d: %s", c->name, c->rec->row,
		          c->cols->fcol[f] + 1, what);
	else
		bulu_errf(&c->e, code, "%s:%u: %s", c->name, c->rec->row, what);
	c->status = code;
}

/* How many bytes of s[0..n) fit in max, cut on a character boundary. */
static int fit(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return (int)n;
	n = max;
	while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return (int)n;
}

/* A money, quantity or time cell as a message may quote it. */
static const char *show_cell(char out[64], const char *s, size_t n)
{
	int k = fit(s, n, 40);
	for (int i = 0; i < k; i++)
		out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	strcpy(out + k, (size_t)k < n ? "..." : "");
	return out;
}

/* Field f's cell, trimmed; 1 when not empty. */
static int cell(const struct his_conv *c, enum his_field f, const char **p, size_t *n)
{
	if (!(c->rec->cset & (1u << f))) {
		*p = "";
		*n = 0;
		return 0;
	}
	const char *s = c->bytes + c->rec->off[f];
	size_t len = c->rec->len[f];
	while (len && (*s == ' ' || *s == '\t'))
		s++, len--;
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	*p = s;
	*n = len;
	return len != 0;
}

#define HNAME(c, f) (c)->cols->hname_len[f], (c)->cols->hname[f]

static void bad_cell(struct his_conv *c, enum his_field f, const char *s, size_t n,
                     const char *why)
{
	char shown[64];
	fail(c, BULU_BADINPUT, f, "%.*s \"%s\" %s", HNAME(c, f), show_cell(shown, s, n), why);
}

/* Intern field f's cell; 0 when empty or absent. */
static uint32_t text_id(struct his_conv *c, enum his_field f)
{
	const char *s;
	size_t n;
	if (!cell(c, f, &s, &n))
		return 0;
	struct his_memo *m = c->memo[f];
	struct memo_ent *me = NULL;
	if (!m && n <= MEMO_STR && (m = c->memo[f] = malloc(sizeof *m))) {
		/* each slot marked empty by a store, not calloc'd (nor memset,
		 * which the compiler makes a calloc): fresh zero pages that a
		 * lookup reads first are mapped to the shared zero page and
		 * copied on the first store, each copy a TLB flush that
		 * interrupts the other threads, 32 per memo */
		m->lookups = m->hits = 0;
		m->off = 0;
		for (size_t i = 0; i < sizeof m->ent / sizeof m->ent[0]; i++)
			m->ent[i].len = 0;
	} /* none: go without */
	if (m && !m->off && n <= MEMO_STR) {
		me = &m->ent[memo_slot(s, n)];
		m->lookups++;
		if (me->len == n && memcmp(me->s, s, n) == 0) {
			m->hits++;
			return me->id;
		}
		if (m->lookups == 65536) {
			if (m->hits < m->lookups / 8)
				m->off = 1;
			m->lookups = m->hits = 0;
		}
	}
	uint32_t id = strpool_intern(c->pool, s, n);
	if (id == UINT32_MAX) {
		fail(c, BULU_SYSTEM, HF_NFIELDS, "out of memory");
		return 0;
	}
	if (me) {
		me->id = id;
		me->len = (uint8_t)n;
		memcpy(me->s, s, n);
	}
	return id;
}

static int money_cell(struct his_conv *c, enum his_field f, const char *s, size_t n,
                      int64_t *out)
{
	int fen = c->kp->money_fen;
	if ((fen ? money_parse_fen(s, n, out) : money_parse_yuan(s, n, out)) == 0)
		return 0;
	bad_cell(c, f, s, n, fen ? "is not money in fen (a whole number)" : "is not money in yuan");
	return -1;
}

/* A quantity: a whole number, "2.00" taken as 2. */
static int qty_cell(struct his_conv *c, const char *s, size_t n, int64_t *out)
{
	if (parse_int64(s, n, out) == 0)
		return 0;
	const char *dot = memchr(s, '.', n);
	if (dot && dot > s && dot[-1] >= '0' && dot[-1] <= '9' &&
	    parse_int64(s, (size_t)(dot - s), out) == 0) {
		size_t i = (size_t)(dot - s) + 1, nd = 0;
		int zero = 1;
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, nd++)
			if (s[i] != '0')
				zero = 0;
		if (i == n && nd > 0) {
			if (zero)
				return 0;
			bad_cell(c, HF_QTY, s, n, "is not a whole number");
			return -1;
		}
	}
	bad_cell(c, HF_QTY, s, n, "is not a number");
	return -1;
}

static int64_t time_cell(struct his_conv *c, enum his_field f)
{
	const char *s, *why = NULL;
	size_t n;
	int64_t t;
	if (!cell(c, f, &s, &n))
		return HIS_NO_TIME;
	if (his_time_parse(&c->clk, &c->kp->date, c->kp->tz, s, n, &t, &why) != 0) {
		bad_cell(c, f, s, n, why);
		return HIS_NO_TIME;
	}
	return t;
}

/* qty and amount of the record (see his.h for each kind). */
static int numbers(struct his_conv *c, struct his_row *w)
{
	const char *s;
	size_t n;
	if (c->kind == HIS_REGISTRATIONS) {
		w->qty = 1;
	} else if (c->kind != HIS_INVOICES) {
		if (!cell(c, HF_QTY, &s, &n)) {
			fail(c, BULU_BADINPUT, HF_QTY, "%.*s is empty", HNAME(c, HF_QTY));
			return -1;
		}
		if (qty_cell(c, s, n, &w->qty) != 0)
			return -1;
	}
	enum his_field mf = c->kind == HIS_REGISTRATIONS ? HF_FEE : HF_AMOUNT;
	if (cell(c, mf, &s, &n))
		return money_cell(c, mf, s, n, &w->amount);
	if (cell(c, HF_UNIT_PRICE, &s, &n)) {
		int64_t price;
		if (money_cell(c, HF_UNIT_PRICE, s, n, &price) != 0)
			return -1;
		if (money_mul(w->qty, price, &w->amount) != 0) {
			fail(c, BULU_BADINPUT, HF_UNIT_PRICE, "quantity times %.*s is too large",
			     HNAME(c, HF_UNIT_PRICE));
			return -1;
		}
		return 0;
	}
	if (c->kind != HIS_CHARGES)
		return 0; /* 0 when not given */
	const int *fcol = c->cols->fcol;
	if (fcol[HF_AMOUNT] >= 0 && fcol[HF_UNIT_PRICE] >= 0)
		fail(c, BULU_BADINPUT, HF_AMOUNT, "%.*s and %.*s are empty", HNAME(c, HF_AMOUNT),
		     HNAME(c, HF_UNIT_PRICE));
	else if (fcol[HF_AMOUNT] >= 0)
		fail(c, BULU_BADINPUT, HF_AMOUNT, "%.*s is empty", HNAME(c, HF_AMOUNT));
	else
		fail(c, BULU_BADINPUT, HF_UNIT_PRICE, "%.*s is empty", HNAME(c, HF_UNIT_PRICE));
	return -1;
}

/* Copy s[0..n) into the table's text; its offset + 1 (0 when out of memory,
 * with the failure recorded). */
static uint32_t put_text(struct his_conv *c, const char *s, size_t n)
{
	struct his_table *t = c->t;
	if (t->text_len + n + 1 > t->text_cap) {
		size_t cap = t->text_cap ? t->text_cap * 2 : 1u << 20;
		while (cap < t->text_len + n + 1)
			cap *= 2;
		char *nt = cap <= UINT32_MAX ? realloc(t->text, cap) : NULL;
		if (!nt) {
			fail(c, BULU_SYSTEM, HF_NFIELDS, "out of memory");
			return 0;
		}
		t->text = nt;
		t->text_cap = cap;
	}
	memcpy(t->text + t->text_len, s, n);
	t->text[t->text_len + n] = '\0';
	uint32_t off = (uint32_t)(t->text_len + 1);
	t->text_len += n + 1;
	return off;
}

static void make_row(struct his_conv *c)
{
	struct his_table *t = c->t;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1024;
		struct his_row *nr = cap < SIZE_MAX / sizeof *nr / 2
		                     ? realloc(t->rows, cap * sizeof *nr) : NULL;
		if (!nr) {
			fail(c, BULU_SYSTEM, HF_NFIELDS, "out of memory");
			return;
		}
		t->rows = nr;
		t->cap = cap;
	}
	struct his_row *w = &t->rows[t->n];
	memset(w, 0, sizeof *w);
	w->row = c->rec->row;
	if (numbers(c, w) != 0)
		return;
	w->occurred = time_cell(c, HF_OCCURRED_AT);
	w->entered = time_cell(c, HF_ENTERED_AT);
	const char *s;
	size_t n;
	if (cell(c, HF_HIS_ID, &s, &n))
		w->his_id = put_text(c, s, n); /* unique per row: kept in the table's text, not the pool */
	if (t->defer) {
		/* left as text for the caller (his.h): most are never needed */
		if (cell(c, HF_PATIENT_ID, &s, &n))
			w->patient = put_text(c, s, n);
		if (cell(c, HF_INVOICE_NO, &s, &n))
			w->invoice = put_text(c, s, n);
	} else {
		w->patient = text_id(c, HF_PATIENT_ID);
		w->invoice = text_id(c, HF_INVOICE_NO);
		w->source = text_id(c, HF_SOURCE_NO);
	}
	w->dept = text_id(c, HF_DEPT);
	w->item = c->kind == HIS_REGISTRATIONS ? w->dept : text_id(c, HF_ITEM_CODE);
	w->operator_ = text_id(c, HF_OPERATOR);
	if (cell(c, HF_REF, &s, &n)) {
		const char *st;
		size_t stn;
		if (his_find_ref(s, n, &st, &stn, &w->ref_seq, &w->ref_line)) {
			w->ref_station = strpool_intern(c->pool, st, stn);
			if (w->ref_station == UINT32_MAX)
				fail(c, BULU_SYSTEM, HF_NFIELDS, "out of memory");
		}
	}
	if (c->kind == HIS_INVOICES && cell(c, HF_STATUS, &s, &n))
		w->voided = (uint8_t)his_name_matches(c->kp->void_status, s, n);
	if (c->status == BULU_OK)
		t->n++;
}

int his_conv_batch(struct his_conv *c, const struct his_batch *b)
{
	if (!c->gated && b->nrec && c->t->before_conv) {
		/* on this (the converting) thread: what the caller still had to
		 * settle before any record is converted (his.h) */
		c->gated = 1;
		if (c->t->before_conv(c->t->before_conv_arg) != 0)
			c->status = bulu_errf(&c->e, BULU_SYSTEM, "%s: stopped before conversion", c->name);
	}
	c->bytes = b->bytes;
	for (size_t i = 0; i < b->nrec && c->status == BULU_OK; i++) {
		c->rec = &b->rec[i];
		make_row(c);
	}
	return c->status;
}

/* ---- back-fill references ---- */

static int ref_char(char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
	       (ch >= '0' && ch <= '9') || ch == '_';
}

static int is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

int his_find_ref(const char *text, size_t len, const char **station, size_t *station_len,
                 int64_t *seq, uint32_t *line)
{
	for (size_t i = 0; i + 6 <= len; i++) {
		if ((text[i] | 0x20) != 'b' || (text[i + 1] | 0x20) != 'l' || text[i + 2] != '-')
			continue;
		if (i > 0 && ref_char(text[i - 1]))
			continue;
		size_t j = i + 3, st = j;
		while (j < len && ref_char(text[j]) && j - st <= 32)
			j++;
		size_t stn = j - st;
		if (stn == 0 || stn > 32 || j >= len || text[j] != '-')
			continue;
		size_t ds = ++j;
		uint64_t s = 0;
		while (j < len && is_digit(text[j]) && j - ds < 19)
			s = s * 10 + (uint64_t)(text[j++] - '0');
		if (j == ds || j - ds > 18 || s == 0)
			continue;
		uint64_t l = 0;
		if (j + 1 < len && text[j] == '-' && is_digit(text[j + 1])) {
			size_t ls = ++j;
			while (j < len && is_digit(text[j]) && j - ls < 10)
				l = l * 10 + (uint64_t)(text[j++] - '0');
			if (j - ls > 9 || l == 0)
				continue;
		}
		if (j < len && ref_char(text[j]))
			continue;
		*station = text + st;
		*station_len = stn;
		*seq = (int64_t)s;
		*line = (uint32_t)l;
		return 1;
	}
	return 0;
}
