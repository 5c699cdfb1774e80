/*
 * summary.c - `bulu capture summary`: a cashier's end-of-shift cash-up (轧账).
 *
 * Everything is derived from the journal with json_extract over bodies and
 * bound parameters; nothing is kept beside it.  For one operator and one
 * episode (the current one by default: the open episode, else the latest
 * started; --episode another; --all every real one): entries per kind; charges and registrations per
 * payment method, count and total; the ones among them cancelled by a void
 * entry (whoever recorded the void), subtracted as refunds; the invoice
 * numbers used and voided, as ranges; the net total; the shift's first and
 * last entry; with --counted, the cash counted per payment method against
 * the net expected, and the difference (exit 1 when any differs).
 *
 * Invariants: money is summed as integer fen by SQLite and printed as yuan
 * only here, at the edge; a voided entry is counted in the gross and in the
 * refunds, so gross - refunds = net; no patient data is read or printed;
 * drill money (DRILL- episodes) is never added to real money: a drill is
 * summed only on its own (its episode asked for, or current), and --all
 * leaves every drill out.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulu/buf.h"
#include "bulu/cli.h"
#include "bulu/entry.h"
#include "bulu/journal.h"
#include "bulu/json.h"
#include "bulu/money.h"
#include "bulu/paymethod.h"
#include "bulu/operator.h"
#include "bulu/summary.h"
#include "bulu/text.h"

static const char summary_usage[] =
	"usage: bulu capture summary --operator OP [--episode ID | --all]\n"
	"                            [--counted METHOD=YUAN]... [--format table|csv|json]\n"
	"                            [--dir DIR]\n"
	"\n"
	"The end-of-shift cash-up (轧账) of one operator: the shift's first and last\n"
	"entry; entries per kind; charges and registrations per payment method (count,\n"
	"total); those voided since (refunds, whoever recorded the void), subtracted;\n"
	"invoice numbers used and voided, as ranges; the net total; signature lines.\n"
	"Money is printed in yuan.  No patient data is shown.  Once the station has\n"
	"operators (bulu operator add), OP must be one of them: another name is\n"
	"refused (exit 2) with the list.\n"
	"  --counted METHOD=YUAN  what the cashier counted (点钞) for one payment\n"
	"                method of the station's list (cash=1234.50 or 现金=1234.50),\n"
	"                once per method: shown against the\n"
	"                net expected, with the difference (长款/短款); exit 1 when\n"
	"                any method's difference is not zero\n"
	"\n"
	"It covers the current episode: the open one, else the latest started (or,\n"
	"on a station that never had one, what was recorded outside any episode).\n"
	"  --episode ID  another episode\n"
	"  --all         every real episode and what was recorded outside one\n"
	"A drill's money is never added to real money: a drill episode is summed\n"
	"on its own and marked 演练 drill; --all leaves drills out.\n"
	"An entry whose stored amount no cash-up can add (not an integer from 0 to\n"
	"10^15 fen, or overflowing a total) is listed under 未计入 not added and left\n"
	"out of every total; the cash-up still closes, with exit status 1.\n";


/* Filters every query shares: ?1 operator, ?2 episode, or NULL for every
 * real episode (drills never). */
#define MINE(t) \
	t ".operator = ?1 AND (CASE WHEN ?2 IS NULL THEN substr(" t ".episode, 1, 6) <> 'DRILL-'" \
	  " ELSE " t ".episode = ?2 END)"
#define AMOUNT(t) "coalesce(json_extract(" t ".body, '$.total'), json_extract(" t ".body, '$.fee'), 0)"
#define VOIDED(t) \
	"EXISTS (SELECT 1 FROM entries v WHERE v.kind = 'void' AND json_extract(v.body, '$.entry') = " t ".seq)"

static const char q_kinds[] =
	"SELECT kind, count(*) FROM entries e WHERE " MINE("e") " GROUP BY kind ORDER BY kind";

/* One row an entry (summed here, overflow-checked, not by SQLite's sum(),
 * which fails on overflow: a cash-up must never fail on stored data). */
static const char q_money[] =
	"SELECT coalesce(json_extract(e.body, '$.pay'), ''), e.kind = 'charge', " VOIDED("e") ","
	" 1, " AMOUNT("e") ", e.seq, typeof(" AMOUNT("e") "), e.kind FROM entries e"
	" WHERE e.kind IN ('charge', 'registration') AND " MINE("e") " ORDER BY 1, e.seq";

/* The most one stored entry may come to and still be added into a cash-up
 * (10^15 fen, ten trillion yuan); anything else is reported, not added. */
#define SUMMARY_ENTRY_MAX 1000000000000000LL

static const char q_voids[] =
	"SELECT v.seq, t.seq, t.kind, coalesce(json_extract(t.body, '$.pay'), ''),"
	" CASE WHEN t.kind IN ('charge', 'registration') THEN " AMOUNT("t") " ELSE 0 END"
	" FROM entries v JOIN entries t ON t.seq = json_extract(v.body, '$.entry')"
	" WHERE v.kind = 'void' AND " MINE("t") " ORDER BY v.seq";

/* Invoice numbers: 0 used (on entries not voided), 1 voided. */
static const char q_invoices[] =
	"SELECT json_extract(e.body, '$.invoice_no') AS no,"
	" e.kind = 'invoice_void' OR " VOIDED("e") " AS voided FROM entries e"
	" WHERE e.kind IN ('charge', 'registration', 'invoice_void') AND " MINE("e")
	" AND no IS NOT NULL ORDER BY voided, length(no), no";

struct pay {
	char method[64];
	int64_t n[2], fen[2]; /* [0] registrations, [1] charges */
	int64_t nvoid, voidfen;
};

struct refund {
	int64_t void_seq, seq, fen;
	char kind[32], pay[64];
};

struct inv {
	char no[40];
	int voided;
};

#define COUNTED_MAX 16
struct counted {
	char method[64];
	int64_t fen;
};

/* An entry whose stored amount no cash-up can add (absurd, or not an
 * integer): listed, left out of every total. */
struct absurd {
	int64_t seq;
	char kind[32], amount[48];
};

struct sum {
	struct absurd *absurd;
	size_t nabsurd;
	const char *op, *episode, *station;
	int drill;                /* the episode is a drill */
	int64_t kind_n[16];
	char kind[16][32];
	size_t nkinds;
	struct pay *pays;
	size_t npays;
	struct refund *refunds;
	size_t nrefunds;
	struct inv *invs;
	size_t ninvs;
	int64_t gross, refunded;
	size_t nused, nvoided;
	char shift_from[40], shift_to[40]; /* the first and last entry's station time */
	struct counted counted[COUNTED_MAX];
	size_t ncounted;
	int differs;              /* a counted method differs from the expected */
};

static const char q_shift[] =
	"SELECT min(e.recorded_at), max(e.recorded_at) FROM entries e WHERE " MINE("e")
	" AND e.kind NOT IN ('station_init', 'catalog_load', 'invoice_book', 'outage_start',"
	" 'outage_end', 'outage_notice', 'print')";

/* What the net of a payment method is expected to be (0 if none taken). */
static int64_t expected_of(const struct sum *m, const char *method)
{
	for (size_t i = 0; i < m->npays; i++)
		if (strcmp(m->pays[i].method, method) == 0)
			return m->pays[i].fen[0] + m->pays[i].fen[1] - m->pays[i].voidfen;
	return 0;
}

static const char *ctext(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t ? (const char *)t : "";
}

static int prep(journal *j, const char *sql, const struct sum *m, sqlite3_stmt **s, bulu_err *e)
{
	if (sqlite3_prepare_v2(journal_db(j), sql, -1, s, NULL) != SQLITE_OK)
		return bulu_errf(e, BULU_SYSTEM, "journal.db: %s", sqlite3_errmsg(journal_db(j)));
	sqlite3_bind_text(*s, 1, m->op, -1, SQLITE_STATIC);
	if (m->episode)
		sqlite3_bind_text(*s, 2, m->episode, -1, SQLITE_STATIC);
	return BULU_OK;
}

/* Room for element n of *p: capacity is 8, then doubles (16, 32, ...). */
static int grow(void **p, size_t n, size_t size)
{
	if ((n > 0 && n < 8) || (n >= 8 && (n & (n - 1)) != 0))
		return 0;
	void *q = realloc(*p, (n ? 2 * n : 8) * size);
	if (!q)
		return -1;
	*p = q;
	return 0;
}

/* Run the four queries into m. */
static int gather(journal *j, struct sum *m, bulu_err *e)
{
	sqlite3_stmt *s = NULL;
	int rc = prep(j, q_kinds, m, &s, e), sr = SQLITE_DONE;
	while (rc == BULU_OK && (sr = sqlite3_step(s)) == SQLITE_ROW && m->nkinds < 16) {
		snprintf(m->kind[m->nkinds], 32, "%s", ctext(s, 0));
		m->kind_n[m->nkinds++] = sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	s = NULL;
	if (rc == BULU_OK && sr != SQLITE_DONE && sr != SQLITE_ROW)
		goto sqlfail;
	if (rc == BULU_OK)
		rc = prep(j, q_money, m, &s, e);
	while (rc == BULU_OK && (sr = sqlite3_step(s)) == SQLITE_ROW) {
		const char *method = *ctext(s, 0) ? ctext(s, 0) : "-";
		if (m->npays == 0 || strcmp(m->pays[m->npays - 1].method, method) != 0) {
			if (grow((void **)&m->pays, m->npays, sizeof *m->pays) != 0)
				goto oom;
			memset(&m->pays[m->npays], 0, sizeof *m->pays);
			snprintf(m->pays[m->npays++].method, 64, "%s", method);
		}
		struct pay *p = &m->pays[m->npays - 1];
		int charge = sqlite3_column_int(s, 1), voided = sqlite3_column_int(s, 2);
		int64_t n = sqlite3_column_int64(s, 3), fen = sqlite3_column_int64(s, 4);
		int64_t t1 = p->fen[charge], t2 = m->gross, t3 = p->voidfen, t4 = m->refunded;
		if (strcmp(ctext(s, 6), "integer") != 0 || fen < 0 || fen > SUMMARY_ENTRY_MAX ||
		    money_add(&t1, fen) || money_add(&t2, fen) ||
		    (voided && (money_add(&t3, fen) || money_add(&t4, fen)))) {
			if (grow((void **)&m->absurd, m->nabsurd, sizeof *m->absurd) != 0)
				goto oom;
			struct absurd *a = &m->absurd[m->nabsurd++];
			a->seq = sqlite3_column_int64(s, 5);
			snprintf(a->kind, sizeof a->kind, "%s", ctext(s, 7));
			snprintf(a->amount, sizeof a->amount, "%s", ctext(s, 4));
			continue;
		}
		p->n[charge] += n;
		p->fen[charge] = t1;
		m->gross = t2;
		if (voided) {
			p->nvoid += n;
			p->voidfen = t3;
			m->refunded = t4;
		}
	}
	sqlite3_finalize(s);
	s = NULL;
	if (rc == BULU_OK && sr != SQLITE_DONE)
		goto sqlfail;
	if (rc == BULU_OK)
		rc = prep(j, q_voids, m, &s, e);
	while (rc == BULU_OK && (sr = sqlite3_step(s)) == SQLITE_ROW) {
		if (grow((void **)&m->refunds, m->nrefunds, sizeof *m->refunds) != 0)
			goto oom;
		struct refund *r = &m->refunds[m->nrefunds++];
		r->void_seq = sqlite3_column_int64(s, 0);
		r->seq = sqlite3_column_int64(s, 1);
		snprintf(r->kind, sizeof r->kind, "%s", ctext(s, 2));
		snprintf(r->pay, sizeof r->pay, "%s", ctext(s, 3));
		r->fen = sqlite3_column_int64(s, 4);
	}
	sqlite3_finalize(s);
	s = NULL;
	if (rc == BULU_OK && sr != SQLITE_DONE)
		goto sqlfail;
	if (rc == BULU_OK)
		rc = prep(j, q_invoices, m, &s, e);
	while (rc == BULU_OK && (sr = sqlite3_step(s)) == SQLITE_ROW) {
		if (grow((void **)&m->invs, m->ninvs, sizeof *m->invs) != 0)
			goto oom;
		struct inv *v = &m->invs[m->ninvs++];
		snprintf(v->no, sizeof v->no, "%s", ctext(s, 0));
		v->voided = sqlite3_column_int(s, 1);
		if (v->voided)
			m->nvoided++;
		else
			m->nused++;
	}
	sqlite3_finalize(s);
	s = NULL;
	if (rc == BULU_OK && sr != SQLITE_DONE)
		return bulu_errf(e, BULU_SYSTEM, "journal.db: %s", sqlite3_errmsg(journal_db(j)));
	if (rc == BULU_OK)
		rc = prep(j, q_shift, m, &s, e);
	if (rc == BULU_OK && sqlite3_step(s) == SQLITE_ROW) {
		snprintf(m->shift_from, sizeof m->shift_from, "%s", ctext(s, 0));
		snprintf(m->shift_to, sizeof m->shift_to, "%s", ctext(s, 1));
	}
	sqlite3_finalize(s);
	for (size_t i = 0; i < m->ncounted; i++)
		m->differs |= m->counted[i].fen != expected_of(m, m->counted[i].method);
	return rc;
sqlfail:
	return bulu_errf(e, BULU_SYSTEM, "journal.db: %s", sqlite3_errmsg(journal_db(j)));
oom:
	sqlite3_finalize(s);
	return bulu_errf(e, BULU_SYSTEM, "out of memory");
}

/* The numbers with voided == want, as "0001-0005, 0009" (runs of the same
 * width and consecutive value); separator between ranges. */
static void ranges(const struct sum *m, int want, buf *o, const char *sep)
{
	size_t i = 0;
	int first = 1;
	while (i < m->ninvs) {
		if (m->invs[i].voided != want) {
			i++;
			continue;
		}
		const char *a = m->invs[i].no;
		size_t k = i;
		int64_t va, vb;
		int num = strlen(a) <= 18 && strspn(a, "0123456789") == strlen(a) &&
			  parse_int64(a, strlen(a), &va) == 0;
		while (num && k + 1 < m->ninvs && m->invs[k + 1].voided == want &&
		       strlen(m->invs[k + 1].no) == strlen(a) &&
		       strspn(m->invs[k + 1].no, "0123456789") == strlen(a) &&
		       parse_int64(m->invs[k + 1].no, strlen(a), &vb) == 0 &&
		       vb == va + (int64_t)(k + 1 - i))
			k++;
		buf_puts(o, first ? "" : sep);
		first = 0;
		if (k > i)
			buf_printf(o, "%s-%s", a, m->invs[k].no);
		else
			buf_puts(o, a);
		i = k + 1;
	}
}

static void yuan(int64_t fen, char out[32]) { money_format_yuan(fen, out); }

/* a + b - c, held at the int64 bounds instead of overflowing (each term is
 * a checked sum of amounts from 0 to SUMMARY_ENTRY_MAX). */
static int64_t net(int64_t a, int64_t b, int64_t c)
{
	int64_t r;
	if (__builtin_add_overflow(a, b, &r))
		r = INT64_MAX;
	if (__builtin_sub_overflow(r, c, &r))
		r = INT64_MIN;
	return r;
}

/* The entries left out, in the table's words. */
static void print_absurd_table(const struct sum *m)
{
	if (!m->nabsurd)
		return;
	printf("\n未计入 not added: %zu entr%s whose stored amount no cash-up can hold; check them "
	       "(bulu journal show) and call IT\n", m->nabsurd, m->nabsurd == 1 ? "y" : "ies");
	for (size_t i = 0; i < m->nabsurd; i++) {
		char r[96];
		entry_ref(r, sizeof r, m->station, m->absurd[i].seq);
		printf("  %s  %-12s amount (fen) %s\n", r, m->absurd[i].kind, m->absurd[i].amount);
	}
}

static void padr(const char *s, size_t w)
{
	size_t n = text_width(s);
	fputs(s, stdout);
	for (; n < w; n++)
		putchar(' ');
}

static void print_table(const struct sum *m)
{
	char a[32], b[32], c[32], d[32];
	printf("轧账 cash-up  operator: %s  episode: %s  station: %s\n", m->op,
	       !m->episode ? "(all real episodes; drills left out)"
	       : *m->episode ? m->episode : "(outside any episode)",
	       m->station);
	if (m->drill)
		printf("演练 drill: not real money, never added to a real cash-up\n");
	printf("班次 shift: %s .. %s (first and last entry)\n", *m->shift_from ? m->shift_from : "-",
	       *m->shift_to ? m->shift_to : "-");
	putchar('\n');
	printf("entries by kind\n");
	if (!m->nkinds)
		printf("  (none)\n");
	for (size_t i = 0; i < m->nkinds; i++)
		printf("  %-14s %6lld\n", m->kind[i], (long long)m->kind_n[i]);
	printf("\n  %-18s  %17s  %17s  %17s  %12s\n", "payment method", "charges",
	       "registrations", "voided (refunds)", "net");
	for (size_t i = 0; i < m->npays; i++) {
		const struct pay *p = &m->pays[i];
		yuan(p->fen[1], a);
		yuan(p->fen[0], b);
		yuan(p->voidfen, c);
		yuan(net(p->fen[0], p->fen[1], p->voidfen), d);
		printf("  ");
		padr(p->method, 18);
		printf("  %4lld %12s  %4lld %12s  %4lld %12s  %12s\n", (long long)p->n[1], a,
		       (long long)p->n[0], b, (long long)p->nvoid, c, d);
	}
	if (!m->npays)
		printf("  (none)\n");
	if (m->nrefunds) {
		printf("\nvoids (作废/退费)\n");
		for (size_t i = 0; i < m->nrefunds; i++) {
			const struct refund *r = &m->refunds[i];
			char rv[96], rt[96];
			entry_ref(rv, sizeof rv, m->station, r->void_seq);
			entry_ref(rt, sizeof rt, m->station, r->seq);
			yuan(r->fen, a);
			printf("  %s cancels %s  %-12s %-8s %12s\n", rv, rt, r->kind,
			       *r->pay ? r->pay : "-", a);
		}
	}
	buf o = BUF_INIT;
	ranges(m, 0, &o, ", ");
	printf("\ninvoices used (%zu):   %s\n", m->nused, o.len ? o.p : "-");
	buf_reset(&o);
	ranges(m, 1, &o, ", ");
	printf("invoices voided (%zu): %s\n", m->nvoided, o.len ? o.p : "-");
	buf_free(&o);
	yuan(m->gross, a);
	yuan(m->refunded, b);
	yuan(net(m->gross, 0, m->refunded), c);
	printf("\ngross %s  refunds %s  net total %s\n", a, b, c);
	print_absurd_table(m);
	if (m->ncounted) {
		printf("\n点钞 counted       %12s  %12s  %12s\n", "expected", "counted", "difference");
		for (size_t i = 0; i < m->ncounted; i++) {
			int64_t want = expected_of(m, m->counted[i].method), got = m->counted[i].fen;
			yuan(want, a);
			yuan(got, b);
			yuan(got - want, c);
			printf("  ");
			padr(m->counted[i].method, 16);
			printf("  %12s  %12s  %12s%s\n", a, b, c,
			       got > want ? "  长款 over" : got < want ? "  短款 short" : "");
		}
		for (size_t i = 0; i < m->npays; i++) {
			int seen = 0;
			for (size_t k = 0; k < m->ncounted && !seen; k++)
				seen = strcmp(m->counted[k].method, m->pays[i].method) == 0;
			if (!seen)
				printf("  %s: not counted\n", m->pays[i].method);
		}
	}
	printf("\n收款员 Cashier: ____________    复核 Checked by: ____________    "
	       "财务 Finance: ____________    日期 Date: __________\n");
}

static void csv_line(const char *section, const char *key, int64_t n, int have_n,
		     const char *amount)
{
	cli_csv_field(section, 0);
	cli_csv_field(key, 0);
	if (have_n)
		printf("%lld,%s\r\n", (long long)n, amount);
	else
		printf(",%s\r\n", amount);
}

static void print_csv(const struct sum *m)
{
	char a[32];
	printf("section,key,count,amount_yuan\r\n");
	for (size_t i = 0; i < m->nkinds; i++)
		csv_line("kind", m->kind[i], m->kind_n[i], 1, "");
	for (size_t i = 0; i < m->npays; i++) {
		const struct pay *p = &m->pays[i];
		yuan(p->fen[1], a);
		csv_line("charges", p->method, p->n[1], 1, a);
		yuan(p->fen[0], a);
		csv_line("registrations", p->method, p->n[0], 1, a);
		yuan(p->voidfen, a);
		csv_line("voided", p->method, p->nvoid, 1, a);
		yuan(net(p->fen[0], p->fen[1], p->voidfen), a);
		csv_line("net", p->method, 0, 0, a);
	}
	for (size_t i = 0; i < m->nrefunds; i++) {
		char rt[96];
		entry_ref(rt, sizeof rt, m->station, m->refunds[i].seq);
		yuan(m->refunds[i].fen, a);
		csv_line("refund", rt, 1, 1, a);
	}
	for (size_t i = 0; i < m->ninvs; i++)
		csv_line(m->invs[i].voided ? "invoice_voided" : "invoice_used", m->invs[i].no, 1, 1, "");
	yuan(m->gross, a);
	csv_line("total", "gross", 0, 0, a);
	yuan(m->refunded, a);
	csv_line("total", "refunds", 0, 0, a);
	yuan(net(m->gross, 0, m->refunded), a);
	csv_line("total", "net", 0, 0, a);
	csv_line("shift", "first", 0, 0, m->shift_from);
	csv_line("shift", "last", 0, 0, m->shift_to);
	for (size_t i = 0; i < m->ncounted; i++) {
		yuan(m->counted[i].fen, a);
		csv_line("counted", m->counted[i].method, 0, 0, a);
		yuan(m->counted[i].fen - expected_of(m, m->counted[i].method), a);
		csv_line("difference", m->counted[i].method, 0, 0, a);
	}
	for (size_t i = 0; i < m->nabsurd; i++) {
		char r[96];
		entry_ref(r, sizeof r, m->station, m->absurd[i].seq);
		csv_line("not_added", r, 1, 1, m->absurd[i].amount);
	}
}

static void jkey_str(buf *o, const char *k, const char *v)
{
	buf_printf(o, "\"%s\":", k);
	if (!v || json_quote(o, v, strlen(v)) != 0)
		buf_puts(o, "null");
}

static void json_into(const struct sum *m, buf *out)
{
#define o (*out)
	buf_putc(&o, '{');
	jkey_str(&o, "operator", m->op);
	buf_putc(&o, ',');
	jkey_str(&o, "episode", m->episode);
	buf_putc(&o, ',');
	jkey_str(&o, "station", m->station);
	buf_printf(&o, ",\"drill\":%s", m->drill ? "true" : "false");
	buf_puts(&o, ",\"kinds\":{");
	for (size_t i = 0; i < m->nkinds; i++)
		buf_printf(&o, "%s\"%s\":%lld", i ? "," : "", m->kind[i], (long long)m->kind_n[i]);
	buf_puts(&o, "},\n\"payments\":[");
	for (size_t i = 0; i < m->npays; i++) {
		const struct pay *p = &m->pays[i];
		buf_puts(&o, i ? ",\n{" : "\n{");
		jkey_str(&o, "pay_method", p->method);
		buf_printf(&o,
			   ",\"charges\":%lld,\"charges_fen\":%lld,\"registrations\":%lld,"
			   "\"registrations_fen\":%lld,\"voided\":%lld,\"voided_fen\":%lld,"
			   "\"net_fen\":%lld}",
			   (long long)p->n[1], (long long)p->fen[1], (long long)p->n[0],
			   (long long)p->fen[0], (long long)p->nvoid, (long long)p->voidfen,
			   (long long)net(p->fen[0], p->fen[1], p->voidfen));
	}
	buf_puts(&o, "],\n\"voids\":[");
	for (size_t i = 0; i < m->nrefunds; i++) {
		const struct refund *r = &m->refunds[i];
		buf_printf(&o, "%s{\"void_seq\":%lld,\"entry\":%lld,", i ? "," : "",
			   (long long)r->void_seq, (long long)r->seq);
		jkey_str(&o, "kind", r->kind);
		buf_putc(&o, ',');
		jkey_str(&o, "pay_method", r->pay);
		buf_printf(&o, ",\"amount_fen\":%lld}", (long long)r->fen);
	}
	for (int want = 0; want < 2; want++) {
		buf_puts(&o, want ? "],\"invoices_voided\":[" : "],\n\"invoices_used\":[");
		int first = 1;
		for (size_t i = 0; i < m->ninvs; i++) {
			if (m->invs[i].voided != want)
				continue;
			buf_puts(&o, first ? "" : ",");
			first = 0;
			json_quote(&o, m->invs[i].no, strlen(m->invs[i].no));
		}
	}
	buf_puts(&o, "],\n\"not_added\":[");
	for (size_t i = 0; i < m->nabsurd; i++) {
		buf_printf(&o, "%s{\"entry\":%lld,", i ? "," : "", (long long)m->absurd[i].seq);
		jkey_str(&o, "kind", m->absurd[i].kind);
		buf_putc(&o, ',');
		jkey_str(&o, "amount", m->absurd[i].amount);
		buf_putc(&o, '}');
	}
	buf_puts(&o, "],\n\"counted\":[");
	for (size_t i = 0; i < m->ncounted; i++) {
		int64_t want = expected_of(m, m->counted[i].method);
		buf_puts(&o, i ? ",{" : "{");
		jkey_str(&o, "pay_method", m->counted[i].method);
		buf_printf(&o, ",\"expected_fen\":%lld,\"counted_fen\":%lld,\"difference_fen\":%lld}",
			   (long long)want, (long long)m->counted[i].fen,
			   (long long)(m->counted[i].fen - want));
	}
	buf_puts(&o, "],");
	jkey_str(&o, "shift_first", *m->shift_from ? m->shift_from : NULL);
	buf_putc(&o, ',');
	jkey_str(&o, "shift_last", *m->shift_to ? m->shift_to : NULL);
	buf_printf(&o, ",\n\"gross_fen\":%lld,\"refunds_fen\":%lld,\"net_fen\":%lld}\n",
		   (long long)m->gross, (long long)m->refunded, (long long)net(m->gross, 0, m->refunded));
#undef o
}

static void print_json(const struct sum *m)
{
	buf o = BUF_INIT;
	json_into(m, &o);
	fwrite(o.p, 1, o.len, stdout);
	buf_free(&o);
}

/* The current episode: the open one, else the latest started, else "". */
static int current_episode(journal *j, char id[64], bulu_err *e)
{
	int drill;
	if (journal_episode(j, id, &drill, e) != BULU_OK)
		return e->code;
	if (*id)
		return BULU_OK;
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(journal_db(j),
			       "SELECT episode FROM entries WHERE kind = 'outage_start'"
			       " ORDER BY seq DESC LIMIT 1",
			       -1, &s, NULL) != SQLITE_OK)
		return bulu_errf(e, BULU_SYSTEM, "journal.db: %s", sqlite3_errmsg(journal_db(j)));
	int sr = sqlite3_step(s);
	if (sr == SQLITE_ROW)
		snprintf(id, 64, "%s", ctext(s, 0));
	sqlite3_finalize(s);
	if (sr != SQLITE_ROW && sr != SQLITE_DONE)
		return bulu_errf(e, BULU_SYSTEM, "journal.db: %s", sqlite3_errmsg(journal_db(j)));
	return BULU_OK;
}

int capture_summary_json(journal *j, const char *op, const char *episode, buf *out, bulu_err *e)
{
	struct sum m;
	memset(&m, 0, sizeof m);
	m.op = op;
	m.episode = episode && *episode ? episode : NULL;
	m.drill = m.episode && strncmp(m.episode, "DRILL-", 6) == 0;
	m.station = journal_station(j);
	int rc = gather(j, &m, e);
	if (rc == BULU_OK)
		json_into(&m, out);
	free(m.pays);
	free(m.refunds);
	free(m.invs);
	return rc;
}

int cmd_capture_summary(int argc, char **argv)
{
	static const struct option opts[] = {
		{"operator", required_argument, 0, 'o'}, {"episode", required_argument, 0, 'e'},
		{"format", required_argument, 0, 'F'},   {"dir", required_argument, 0, 'D'},
		{"all", no_argument, 0, 'A'},            {"help", no_argument, 0, 'h'},
		{"counted", required_argument, 0, 'C'},
		{0, 0, 0, 0}};
	struct counted counted[COUNTED_MAX];
	size_t ncounted = 0;
	const char *dir = NULL, *op = NULL, *ep = NULL;
	enum cli_format fmt = CLI_TABLE;
	int c, all = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': op = optarg; break;
		case 'e': ep = optarg; break;
		case 'F':
			if (cli_format(argv[0], optarg, CLI_TABLE | CLI_CSV | CLI_JSON, &fmt) != BULU_OK)
				return BULU_BADINPUT;
			break;
		case 'D': dir = optarg; break;
		case 'A': all = 1; break;
		case 'C': {
			const char *eq = strchr(optarg, '=');
			if (!eq || eq == optarg || (size_t)(eq - optarg) >= sizeof counted->method)
				return cli_usage(argv[0], "--counted: write METHOD=YUAN, e.g. cash=1234.50");
			if (ncounted == COUNTED_MAX)
				return cli_usage(argv[0], "--counted: at most %d payment methods", COUNTED_MAX);
			struct counted *k = &counted[ncounted];
			snprintf(k->method, sizeof k->method, "%.*s", (int)(eq - optarg), optarg);
			if (money_parse_yuan(eq + 1, strlen(eq + 1), &k->fen) != 0 || k->fen < 0)
				return cli_usage(argv[0], "--counted %s: yuan, not negative, e.g. 1234.50",
						 k->method);
			for (size_t i = 0; i < ncounted; i++)
				if (strcmp(counted[i].method, k->method) == 0)
					return cli_usage(argv[0], "--counted %s given twice", k->method);
			ncounted++;
			break;
		}
		case 'h': return cli_help(summary_usage);
		default: return cli_usage(argv[0], "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage(argv[0], "unexpected argument '%s'", argv[optind]);
	op = cli_operator(op, 0);
	if (!op)
		return cli_usage(argv[0], "--operator is required: whose shift is it?");
	if (all && ep)
		return cli_usage(argv[0], "--episode and --all exclude each other");

	bulu_err e = {0};
	journal *j = NULL;
	struct sum m;
	memset(&m, 0, sizeof m);
	m.op = op;
	memcpy(m.counted, counted, ncounted * sizeof *counted);
	m.ncounted = ncounted;
	char cur[64] = "";
	int rc = journal_open(dir, JOURNAL_READ, &j, &e);
	/* a counted method as the station's list stores it: 现金 is cash */
	pay_methods pm;
	if (rc == BULU_OK && m.ncounted && (rc = pay_methods_load(journal_dir(j), &pm, &e)) == BULU_OK) {
		for (size_t i = 0; i < m.ncounted; i++) {
			const char *code = pay_method_resolve(&pm, m.counted[i].method);
			char list[512];
			if (!code) {
				pay_methods_describe(&pm, list, sizeof list);
				fprintf(stderr, "%s: --counted %s: not a payment method of this station (%s)\n",
					argv[0], m.counted[i].method, list);
				journal_close(j);
				return BULU_BADINPUT;
			}
			snprintf(m.counted[i].method, sizeof m.counted[i].method, "%s", code);
			for (size_t k = 0; k < i; k++)
				if (strcmp(m.counted[k].method, code) == 0) {
					fprintf(stderr, "%s: --counted %s given twice\n", argv[0], code);
					journal_close(j);
					return BULU_BADINPUT;
				}
		}
	}
	if (rc == BULU_OK && !all && !(ep && *ep))
		rc = current_episode(j, cur, &e);
	if (rc == BULU_OK) {
		/* A misspelled name would give an all-zero cash-up: once the
		 * station has operators, the name must be one of them. */
		operator_list ops;
		rc = operator_list_load(j, &ops, &e);
		if (rc == BULU_OK && operator_active_count(&ops) && !operator_find(&ops, op)) {
			char names[512];
			operator_names(&ops, names, sizeof names);
			operator_list_free(&ops);
			journal_close(j);
			return cli_usage(argv[0], "--operator: not an operator of this station; the "
						  "operators are: %s", names);
		}
		operator_list_free(&ops);
	}
	if (rc == BULU_OK) {
		m.episode = all ? NULL : ep && *ep ? ep : cur;
		m.drill = m.episode && strncmp(m.episode, "DRILL-", 6) == 0;
		m.station = journal_station(j);
		rc = gather(j, &m, &e);
	}
	if (rc == BULU_OK) {
		if (fmt == CLI_TABLE)
			print_table(&m);
		else if (fmt == CLI_CSV)
			print_csv(&m);
		else
			print_json(&m);
		if (fflush(stdout) != 0 || ferror(stdout))
			rc = bulu_errf(&e, BULU_SYSTEM, "writing to standard output failed");
	}
	if (rc == BULU_OK && m.nabsurd) {
		fprintf(stderr, "bulu: %zu entr%s left out of the cash-up: the stored amount is not one "
			"a cash-up can add (see 未计入 not added)\n", m.nabsurd, m.nabsurd == 1 ? "y" : "ies");
		rc = BULU_FINDINGS;
	}
	free(m.absurd);
	free(m.pays);
	free(m.refunds);
	free(m.invs);
	journal_close(j);
	if (rc == BULU_OK && m.differs) {
		fprintf(stderr, "bulu: the cash counted differs from the cash-up (长款/短款): see the "
				"difference\n");
		return BULU_FINDINGS;
	}
	return rc == BULU_OK || rc == BULU_FINDINGS ? rc : cli_fail(&e);
}
