/*
 * invoice.c - manual invoice books (手工发票): `bulu invoice add-book`,
 * `bulu invoice list`, and the allocator charges and registrations take
 * their numbers from (invoice.h).
 *
 * Everything is derived from the journal: a book is an invoice_book entry
 * {"from","to","width"}; a number is used by a charge or registration whose
 * body carries it as "invoice_no", voided by an invoice_void entry carrying
 * it or by a `void` of the entry that used it, else free.  Invariants:
 *  - books never overlap (compared as numbers), each holds at most
 *    INVOICE_BOOK_MAX numbers, and every number of a book is written
 *    zero-padded to the book's width (at most 18 digits);
 *  - the allocator never hands out a number twice, whether the number's
 *    entry is committed, still queued in the transaction, or was handed out
 *    earlier by this allocator: it keeps one state byte per number of each
 *    book it has touched (loaded once, through the entries_by_invoice and
 *    entries_by_voided indexes) and marks what it hands out;
 *  - take(NULL) gives the lowest free number; a cursor per book only moves
 *    forward (states only ever leave "free"), so n takes cost O(n) in all;
 *  - a drill book ({"drill":true}, `add-book --drill`) serves drills only and
 *    a real book real episodes only: a drill never spends a real number, so
 *    the real invoice register shows no gap a drill made (docs/outage.md).
 */
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulu/cli.h"
#include "bulu/invoice.h"
#include "bulu/json.h"

#define INVOICE_BOOK_MAX 1000000 /* numbers in one book */
#define INVOICE_WIDTH_MAX 18     /* digits: fits an int64 */

/* N_LOST: at or below the invoice_no_max of a restore_accepted note, so
 * perhaps used by an entry lost with the newer copy of the journal. */
enum { N_FREE = 0, N_USED = 1, N_VOIDED = 2, N_USED_VOIDED = 3, N_LOST = 4 };

struct book {
	int64_t seq;       /* its invoice_book entry */
	int64_t from, to;
	int width;
	int drill;         /* a drill book */
	uint8_t *state;    /* to - from + 1 states once loaded, else NULL */
	int64_t cursor;    /* every offset below it is not free */
};

struct invoice_alloc {
	journal *j;
	struct book *b;    /* sorted by from */
	size_t n;
	size_t cur[2];     /* take(NULL) looks from this book on: [0] real, [1] drill */
	int drill;         /* takes are for a drill episode */
	int64_t lost_max;  /* highest invoice_no_max of a restore; -1 none */
	sqlite3_stmt *range;
};

static int sqlerr(invoice_alloc *a, bulu_err *e)
{
	return bulu_errf(e, BULU_SYSTEM, "journal.db: %s", sqlite3_errmsg(journal_db(a->j)));
}

/* A digit string of 1..18 digits -> value.  0, or -1. */
static int parse_no(const char *s, int64_t *v)
{
	size_t n = strlen(s);
	if (n == 0 || n > INVOICE_WIDTH_MAX)
		return -1;
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

static void format_no(const struct book *b, int64_t v, char out[INVOICE_NO_MAX])
{
	snprintf(out, INVOICE_NO_MAX, "%0*lld", b->width, (long long)v);
}

static int by_from(const void *x, const void *y)
{
	const struct book *a = x, *b = y;
	return (a->from > b->from) - (a->from < b->from);
}

static int load_books(invoice_alloc *a, bulu_err *e)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int rc = BULU_OK, s;
	if (sqlite3_prepare_v2(journal_db(a->j),
			       "SELECT seq, json_extract(body, '$.from'), json_extract(body, '$.to'),"
			       " json_extract(body, '$.width'), coalesce(json_extract(body, '$.drill'), 0)"
			       " FROM entries"
			       " WHERE kind = 'invoice_book' ORDER BY seq",
			       -1, &st, NULL) != SQLITE_OK) {
		rc = sqlerr(a, e);
		goto done;
	}
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		if (a->n == cap) {
			cap = cap ? 2 * cap : 8;
			struct book *p = realloc(a->b, cap * sizeof *p);
			if (!p) {
				rc = bulu_errf(e, BULU_SYSTEM, "out of memory");
				goto done;
			}
			a->b = p;
		}
		struct book *b = &a->b[a->n];
		const char *from = (const char *)sqlite3_column_text(st, 1);
		const char *to = (const char *)sqlite3_column_text(st, 2);
		memset(b, 0, sizeof *b);
		b->seq = sqlite3_column_int64(st, 0);
		b->width = sqlite3_column_int(st, 3);
		b->drill = sqlite3_column_int(st, 4) != 0;
		/* The entry is signed and verified; a malformed one is damage. */
		if (!from || !to || parse_no(from, &b->from) || parse_no(to, &b->to) ||
		    b->width != (int)strlen(from) || b->from > b->to ||
		    b->to - b->from >= INVOICE_BOOK_MAX) {
			rc = bulu_errf(e, BULU_INTEGRITY, "invoice_book entry seq %lld is malformed",
				       (long long)b->seq);
			goto done;
		}
		a->n++;
	}
	if (s != SQLITE_DONE)
		rc = sqlerr(a, e);
	else if (a->n > 1)
		qsort(a->b, a->n, sizeof *a->b, by_from);
done:
	sqlite3_finalize(st);
	return rc;
}

int invoice_alloc_open(journal *j, invoice_alloc **out, bulu_err *e)
{
	invoice_alloc *a = calloc(1, sizeof *a);
	*out = NULL;
	if (!a)
		return bulu_errf(e, BULU_SYSTEM, "out of memory");
	a->j = j;
	a->lost_max = -1;
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(journal_db(j),
			       "SELECT max(json_extract(body, '$.invoice_no_max')) FROM entries"
			       " WHERE kind = 'note' AND json_extract(body, '$.event') = 'restore_accepted'",
			       -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_INTEGER)
		a->lost_max = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	int rc = load_books(a, e);
	if (rc != BULU_OK)
		invoice_alloc_free(a);
	else
		*out = a;
	return rc;
}

void invoice_alloc_free(invoice_alloc *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->n; i++)
		free(a->b[i].state);
	free(a->b);
	sqlite3_finalize(a->range);
	free(a);
}

/*
 * Fill a book's states from the journal.  The range scan runs on the
 * entries_by_invoice index (a number's text is its book's width, so the
 * book's numbers are one contiguous string range); the correlated subquery
 * asks entries_by_voided whether the using entry was voided (+e.seq: no
 * integer affinity, so the comparison can use the expression index, which
 * EXPLAIN QUERY PLAN shows as SEARCH on both).  Entries still
 * queued in the transaction are not in the table; the allocator itself
 * handed out their numbers and marked them.
 */
static int load_states(invoice_alloc *a, struct book *b, bulu_err *e)
{
	if (b->state)
		return BULU_OK;
	sqlite3 *db = journal_db(a->j);
	if (!a->range &&
	    sqlite3_prepare_v3(
		    db,
		    "SELECT json_extract(e.body, '$.invoice_no'), e.kind = 'invoice_void',"
		    " EXISTS (SELECT 1 FROM entries v WHERE v.kind = 'void'"
		    "  AND json_extract(v.body, '$.entry') = +e.seq)"
		    " FROM entries e INDEXED BY entries_by_invoice"
		    " WHERE e.kind IN ('charge', 'registration', 'invoice_void')"
		    " AND json_extract(e.body, '$.invoice_no') BETWEEN ?1 AND ?2",
		    -1, SQLITE_PREPARE_PERSISTENT, &a->range, NULL) != SQLITE_OK)
		return sqlerr(a, e);
	size_t count = (size_t)(b->to - b->from + 1);
	b->state = calloc(count, 1);
	if (!b->state)
		return bulu_errf(e, BULU_SYSTEM, "out of memory");
	char lo[INVOICE_NO_MAX], hi[INVOICE_NO_MAX];
	format_no(b, b->from, lo);
	format_no(b, b->to, hi);
	sqlite3_stmt *st = a->range;
	sqlite3_bind_text(st, 1, lo, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, hi, -1, SQLITE_TRANSIENT);
	int s;
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		const char *no = (const char *)sqlite3_column_text(st, 0);
		int64_t v;
		/* Same-length digit strings only: "000100055" sorts inside too. */
		if (!no || (int)strlen(no) != b->width || parse_no(no, &v) != 0)
			continue;
		uint8_t *p = &b->state[v - b->from];
		if (sqlite3_column_int(st, 1))
			*p = N_VOIDED;
		else if (*p != N_VOIDED)
			*p = sqlite3_column_int(st, 2) ? N_USED_VOIDED : N_USED;
	}
	sqlite3_reset(st);
	if (s != SQLITE_DONE) {
		free(b->state);
		b->state = NULL;
		return sqlerr(a, e);
	}
	for (int64_t v = b->from; v <= b->to && v <= a->lost_max; v++)
		if (b->state[v - b->from] == N_FREE)
			b->state[v - b->from] = N_LOST;
	return BULU_OK;
}

/* The book holding number text `no` (any width), and its value. */
static struct book *find_book(invoice_alloc *a, const char *no, int64_t *v)
{
	if (parse_no(no, v) != 0)
		return NULL;
	for (size_t i = 0; i < a->n; i++)
		if (*v >= a->b[i].from && *v <= a->b[i].to)
			return &a->b[i];
	return NULL;
}

void invoice_set_drill(invoice_alloc *a, int drill) { a->drill = drill != 0; }

static int none_left(invoice_alloc *a, bulu_err *e)
{
	size_t have = 0;
	for (size_t i = 0; i < a->n; i++)
		have += a->b[i].drill == a->drill;
	if (a->drill && have == 0)
		return bulu_errf(e, BULU_BADINPUT,
				 "a drill takes invoice numbers from drill books only, and the station "
				 "has none: add one with `bulu invoice add-book --drill`");
	if (a->drill)
		return bulu_errf(e, BULU_BADINPUT,
				 "no free number left in the drill books: add one with "
				 "`bulu invoice add-book --drill`");
	if (have == 0)
		return bulu_errf(e, BULU_BADINPUT,
				 "the station has no invoice book: add a book with "
				 "`bulu invoice add-book`");
	return bulu_errf(e, BULU_BADINPUT,
			 "no free invoice number left in the books: add a book with "
			 "`bulu invoice add-book`");
}

static int take_lowest(invoice_alloc *a, char out[INVOICE_NO_MAX], bulu_err *e)
{
	size_t *cur = &a->cur[a->drill];
	for (; *cur < a->n; (*cur)++) {
		struct book *b = &a->b[*cur];
		if (b->drill != a->drill)
			continue;
		int rc = load_states(a, b, e);
		if (rc != BULU_OK)
			return rc;
		int64_t count = b->to - b->from + 1;
		while (b->cursor < count && b->state[b->cursor] != N_FREE)
			b->cursor++;
		if (b->cursor < count) {
			b->state[b->cursor] = N_USED;
			format_no(b, b->from + b->cursor, out);
			return BULU_OK;
		}
	}
	return none_left(a, e);
}

/* The book and state of an explicitly given number, with the refusals
 * both kinds of take share. */
static int lookup(invoice_alloc *a, const char *want, struct book **bp, uint8_t **sp,
		  char out[INVOICE_NO_MAX], bulu_err *e)
{
	int64_t v;
	size_t n = strlen(want);
	if (parse_no(want, &v) != 0)
		return bulu_errf(e, BULU_BADINPUT,
				 "invoice number '%.*s' is not a number (digits only, at most %d)",
				 n > 24 ? 24 : (int)n, want, INVOICE_WIDTH_MAX);
	struct book *b = find_book(a, want, &v);
	if (!b)
		return bulu_errf(e, BULU_BADINPUT,
				 "invoice number %s is outside the station's invoice books", want);
	if (b->drill && !a->drill)
		return bulu_errf(e, BULU_BADINPUT,
				 "invoice number %s belongs to a drill book: a real outage never uses "
				 "drill numbers", want);
	if (!b->drill && a->drill)
		return bulu_errf(e, BULU_BADINPUT,
				 "invoice number %s is a real invoice number: a drill takes numbers from "
				 "drill books only (`bulu invoice add-book --drill`)", want);
	int rc = load_states(a, b, e);
	if (rc != BULU_OK)
		return rc;
	format_no(b, v, out);
	*bp = b;
	*sp = &b->state[v - b->from];
	return BULU_OK;
}

int invoice_take(invoice_alloc *a, const char *want, char out[INVOICE_NO_MAX], bulu_err *e)
{
	if (!want || !*want)
		return take_lowest(a, out, e);
	struct book *b;
	uint8_t *s;
	int rc = lookup(a, want, &b, &s, out, e);
	if (rc != BULU_OK)
		return rc;
	if (*s == N_VOIDED)
		return bulu_errf(e, BULU_BADINPUT, "invoice number %s was voided", out);
	if (*s == N_LOST)
		return bulu_errf(e, BULU_BADINPUT,
				 "invoice number %s may have been used by entries lost when an old copy "
				 "of the station was restored (see the restore_accepted note); take the "
				 "next paper invoice, and void this one if it is unused", out);
	if (*s != N_FREE)
		return bulu_errf(e, BULU_BADINPUT, "invoice number %s was already used", out);
	*s = N_USED;
	return BULU_OK;
}

int invoice_take_void(invoice_alloc *a, const char *no, char out[INVOICE_NO_MAX],
		      bulu_err *e)
{
	struct book *b;
	uint8_t *s;
	int rc = lookup(a, no ? no : "", &b, &s, out, e);
	if (rc != BULU_OK)
		return rc;
	if (*s == N_VOIDED || *s == N_USED_VOIDED)
		return bulu_errf(e, BULU_BADINPUT, "invoice number %s was already voided", out);
	if (*s == N_USED)
		return bulu_errf(e, BULU_BADINPUT,
				 "invoice number %s was used: void the entry that used it "
				 "(`bulu capture void`)",
				 out);
	*s = N_VOIDED; /* a free or lost number */
	return BULU_OK;
}

/* ---- bulu invoice add-book --------------------------------------------- */

static const char add_usage[] =
	"usage: bulu invoice add-book --from N --to N [--drill] [--operator OP] [--dir DIR]\n"
	"\n"
	"Register a manual invoice book (手工发票): the numbers FROM to TO, written\n"
	"with the same number of digits (e.g. --from 00010001 --to 00010100).\n"
	"At most 1,000,000 numbers and 18 digits; a book overlapping another of\n"
	"the station's books is refused.  Charges and registrations take the\n"
	"lowest free number unless one is given.\n"
	"\n"
	"  --drill   a drill book (演练票据): drills take numbers from drill books\n"
	"            only, and real episodes never do, so a drill spends no real\n"
	"            invoice number.  Required while a drill episode is open.\n";

static int add_book(const char *dir, const char *op, const char *from, const char *to,
		    int64_t vf, int64_t vt, int drill_book, bulu_err *e)
{
	journal *j = NULL;
	invoice_alloc *a = NULL;
	jw w;
	const char *body;
	size_t blen;
	int64_t seq;
	jw_init(&w);
	int rc = journal_open(dir, JOURNAL_WRITE, &j, e);
	if (rc == BULU_OK)
		rc = journal_begin(j, e);
	if (rc == BULU_OK)
		rc = invoice_alloc_open(j, &a, e);
	if (rc != BULU_OK)
		goto done;
	for (size_t i = 0; i < a->n; i++) {
		const struct book *b = &a->b[i];
		if (vf <= b->to && b->from <= vt) {
			char bf[INVOICE_NO_MAX], bt[INVOICE_NO_MAX], ref[96];
			format_no(b, b->from, bf);
			format_no(b, b->to, bt);
			entry_ref(ref, sizeof ref, journal_station(j), b->seq);
			rc = bulu_errf(e, BULU_BADINPUT,
				       "book %s-%s overlaps the station's book %s-%s (%s)", from, to,
				       bf, bt, ref);
			goto done;
		}
	}
	char ep[64];
	int drill;
	rc = journal_episode(j, ep, &drill, e);
	if (rc != BULU_OK)
		goto done;
	if (drill && !drill_book) {
		rc = bulu_errf(e, BULU_BADINPUT,
			       "drill episode %s is open: a book added now is a drill book; give --drill",
			       ep);
		goto done;
	}
	jw_obj_begin(&w);
	if (drill_book)
		jw_kbool(&w, "drill", 1);
	jw_kstr(&w, "from", from);
	jw_kstr(&w, "to", to);
	jw_kint(&w, "width", (int64_t)strlen(from));
	jw_obj_end(&w);
	if (jw_finish(&w, &body, &blen) != 0) {
		rc = bulu_errf(e, BULU_SYSTEM, "out of memory");
		goto done;
	}
	rc = journal_append(j, "invoice_book", op, ep, NULL, body, blen, &seq, e);
	if (rc == BULU_OK)
		rc = journal_commit(j, e);
	if (rc == BULU_OK) {
		char ref[96];
		entry_ref(ref, sizeof ref, journal_station(j), seq);
		printf("saved %s invoice_book %s-%s (%lld numbers)%s\n", ref, from, to,
		       (long long)(vt - vf + 1), drill_book ? " drill book (演练)" : "");
	}
done:
	invoice_alloc_free(a);
	journal_close(j);
	jw_free(&w);
	return rc;
}

int cmd_invoice_add_book(int argc, char **argv)
{
	static const struct option opts[] = {
		{"from", required_argument, 0, 'f'},     {"to", required_argument, 0, 't'},
		{"operator", required_argument, 0, 'o'}, {"dir", required_argument, 0, 'D'},
		{"drill", no_argument, 0, 'r'},          {"help", no_argument, 0, 'h'},
		{0, 0, 0, 0}};
	const char *dir = NULL, *op = NULL, *from = NULL, *to = NULL;
	int c, drill = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'f': from = optarg; break;
		case 't': to = optarg; break;
		case 'o': op = optarg; break;
		case 'D': dir = optarg; break;
		case 'r': drill = 1; break;
		case 'h': return cli_help(add_usage);
		default: return cli_usage(argv[0], "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage(argv[0], "unexpected argument '%s'", argv[optind]);
	if (!from || !to)
		return cli_usage(argv[0], "--from and --to are required");
	int64_t vf, vt;
	if (parse_no(from, &vf) != 0)
		return cli_usage(argv[0], "--from: digits only, 1 to %d of them", INVOICE_WIDTH_MAX);
	if (parse_no(to, &vt) != 0)
		return cli_usage(argv[0], "--to: digits only, 1 to %d of them", INVOICE_WIDTH_MAX);
	if (strlen(from) != strlen(to))
		return cli_usage(argv[0],
				 "--from and --to must have the same number of digits "
				 "(write --from %0*lld)",
				 (int)strlen(to), (long long)vf);
	if (vf > vt)
		return cli_usage(argv[0], "--from must not be greater than --to");
	if (vt - vf >= INVOICE_BOOK_MAX)
		return cli_usage(argv[0], "a book holds at most %d numbers: register it in parts",
				 INVOICE_BOOK_MAX);
	bulu_err e = {0};
	int rc = add_book(dir, cli_operator(op, 1), from, to, vf, vt, drill, &e);
	return rc == BULU_OK ? BULU_OK : cli_fail(&e);
}

/* ---- bulu invoice list -------------------------------------------------- */

static const char list_usage[] =
	"usage: bulu invoice list [--format table|csv] [--dir DIR]\n"
	"\n"
	"For each invoice book: its range, how many numbers are used, voided\n"
	"(作废: an invoice_void, or the charge that used it was voided) and free,\n"
	"the free numbers and the voided numbers as compact ranges.  A drill book\n"
	"(`add-book --drill`) is marked: drill (演练) in the table, 1 in the CSV's\n"
	"drill column.\n";

/* Runs of numbers whose state satisfies want(), as "A-B C D-E". */
static void ranges(buf *out, const struct book *b, int voided)
{
	int64_t count = b->to - b->from + 1, i = 0;
	while (i < count) {
		int hit = voided ? b->state[i] >= N_VOIDED : b->state[i] == N_FREE;
		if (!hit) {
			i++;
			continue;
		}
		int64_t k = i;
		while (k + 1 < count &&
		       (voided ? b->state[k + 1] >= N_VOIDED : b->state[k + 1] == N_FREE))
			k++;
		char x[INVOICE_NO_MAX], y[INVOICE_NO_MAX];
		format_no(b, b->from + i, x);
		format_no(b, b->from + k, y);
		if (out->len)
			buf_putc(out, ' ');
		if (k == i)
			buf_puts(out, x);
		else
			buf_printf(out, "%s-%s", x, y);
		i = k + 1;
	}
}

struct row {
	char from[INVOICE_NO_MAX], to[INVOICE_NO_MAX];
	char used[24], voided[24], freen[24];
	int drill;
	buf free_r, void_r;
};

static size_t widest(const struct row *r, size_t n, size_t off, size_t w)
{
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen((const char *)&r[i] + off);
		w = l > w ? l : w;
	}
	return w;
}

static void print_rows(struct row *r, size_t n, int csv)
{
	if (csv) {
		printf("from,to,used,voided,free,free_numbers,voided_numbers,drill\n");
		for (size_t i = 0; i < n; i++)
			printf("%s,%s,%s,%s,%s,%s,%s,%d\n", r[i].from, r[i].to, r[i].used, r[i].voided,
			       r[i].freen, r[i].free_r.len ? r[i].free_r.p : "",
			       r[i].void_r.len ? r[i].void_r.p : "", r[i].drill);
		return;
	}
	int wf = (int)widest(r, n, offsetof(struct row, from), 4);
	int wt = (int)widest(r, n, offsetof(struct row, to), 2);
	int wu = (int)widest(r, n, offsetof(struct row, used), 4);
	int wv = (int)widest(r, n, offsetof(struct row, voided), 6);
	int wn = (int)widest(r, n, offsetof(struct row, freen), 4);
	printf("%-*s  %-*s  %*s  %*s  %*s\n", wf, "from", wt, "to", wu, "used", wv, "voided",
	       wn, "free");
	for (size_t i = 0; i < n; i++) {
		printf("%-*s  %-*s  %*s  %*s  %*s%s\n", wf, r[i].from, wt, r[i].to, wu, r[i].used,
		       wv, r[i].voided, wn, r[i].freen, r[i].drill ? "  drill (演练)" : "");
		printf("  free:   %s\n", r[i].free_r.len ? r[i].free_r.p : "-");
		printf("  voided: %s\n", r[i].void_r.len ? r[i].void_r.p : "-");
	}
}

static int list_books(journal *j, int csv, bulu_err *e)
{
	invoice_alloc *a = NULL;
	struct row *r = NULL;
	int rc = invoice_alloc_open(j, &a, e);
	if (rc != BULU_OK)
		goto done;
	if (a->n == 0) {
		fprintf(stderr, "bulu: the station has no invoice book: add one with "
				"`bulu invoice add-book`\n");
		goto done;
	}
	r = calloc(a->n, sizeof *r);
	if (!r) {
		rc = bulu_errf(e, BULU_SYSTEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < a->n; i++) {
		struct book *b = &a->b[i];
		if ((rc = load_states(a, b, e)) != BULU_OK)
			goto done;
		int64_t count = b->to - b->from + 1, nu = 0, nv = 0;
		for (int64_t k = 0; k < count; k++)
			nu += b->state[k] == N_USED, nv += b->state[k] >= N_VOIDED;
		format_no(b, b->from, r[i].from);
		format_no(b, b->to, r[i].to);
		r[i].drill = b->drill;
		snprintf(r[i].used, sizeof r[i].used, "%lld", (long long)nu);
		snprintf(r[i].voided, sizeof r[i].voided, "%lld", (long long)nv);
		snprintf(r[i].freen, sizeof r[i].freen, "%lld", (long long)(count - nu - nv));
		ranges(&r[i].free_r, b, 0);
		ranges(&r[i].void_r, b, 1);
		if (r[i].free_r.oom || r[i].void_r.oom) {
			rc = bulu_errf(e, BULU_SYSTEM, "out of memory");
			goto done;
		}
		free(b->state); /* one book's states at a time */
		b->state = NULL;
	}
	print_rows(r, a->n, csv);
done:
	for (size_t i = 0; r && i < a->n; i++) {
		buf_free(&r[i].free_r);
		buf_free(&r[i].void_r);
	}
	free(r);
	invoice_alloc_free(a);
	return rc;
}

int cmd_invoice_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{"format", required_argument, 0, 'f'}, {"dir", required_argument, 0, 'D'},
		{"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
	const char *dir = NULL;
	int csv = 0, c;
	enum cli_format fmt;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (cli_format(argv[0], optarg, CLI_TABLE | CLI_CSV, &fmt) != BULU_OK)
				return BULU_BADINPUT;
			csv = fmt == CLI_CSV;
			break;
		case 'D': dir = optarg; break;
		case 'h': return cli_help(list_usage);
		default: return cli_usage(argv[0], "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage(argv[0], "unexpected argument '%s'", argv[optind]);
	bulu_err e = {0};
	journal *j = NULL;
	int rc = journal_open(dir, JOURNAL_READ, &j, &e);
	if (rc == BULU_OK)
		rc = list_books(j, csv, &e);
	journal_close(j);
	return rc == BULU_OK ? BULU_OK : cli_fail(&e);
}
