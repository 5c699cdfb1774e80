/*
 * report.c - what a reconcile run writes into --out DIR.
 *
 *   findings.csv         one row per finding (CONTRACT.md columns), UTF-8 with BOM
 *   states.csv           every journal line in scope and the state it ended in
 *   summary.txt          counts and money per class, department and operator
 *                        (also printed on the terminal)
 *   worklists/DEPT.csv   per department: what to back-fill or correct, by deadline
 *   worklists/DEPT.txt   the same, to print
 *   worklists/DEPT.html  the same as a page with each reference's barcode
 *                        (worklist_html.c)
 *
 * Everything is built in memory, sorted by total orders only, so the same
 * inputs give the same bytes, and written as one group (recon_write): each
 * file synced under a temporary name, then all renamed into place.
 */
#include <dirent.h>
#include <pthread.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bulu/buf.h"
#include "bulu/cli.h"
#include "bulu/clock.h"
#include "bulu/fsutil.h"
#include "bulu/money.h"
#include "bulu/text.h"
#include "recon.h"
#include "worklist_html.h"

static const char BOM[] = "\xEF\xBB\xBF";

static const strpool *cmp_pool; /* for the comparators (one run at a time) */
static const struct recon *cmp_r;

static const char *S(const struct recon *r, uint32_t id) { return strpool_str(r->pool, id); }

static int scmp(uint32_t a, uint32_t b)
{
	return a == b ? 0 : strcmp(strpool_str(cmp_pool, a), strpool_str(cmp_pool, b));
}

static int finding_cmp(const void *a, const void *b)
{
	const struct finding *x = a, *y = b;
	int c;
	if (x->cls != y->cls)
		return x->cls < y->cls ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if ((c = scmp(x->station, y->station)))
		return c;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	/* then by content, so the export's row order does not matter */
	if ((c = scmp(x->his_id, y->his_id)) || (c = scmp(x->patient, y->patient)) || (c = scmp(x->item, y->item)) ||
	    (c = scmp(x->jval, y->jval)) || (c = scmp(x->hval, y->hval)) || (c = scmp(x->expl, y->expl)))
		return c;
	if (x->diff != y->diff)
		return x->diff < y->diff ? -1 : 1;
	return (x->his_row > y->his_row) - (x->his_row < y->his_row);
}

/* Pass what o holds to the file when it is large (or at the end). */
static int drain(buf *o, fs_atomic *a, int all, bulu_err *e)
{
	if (!all && o->len < (1u << 20))
		return BULU_OK;
	if (o->oom) {
		fs_atomic_abort(a);
		return bulu_errf(e, BULU_SYSTEM, "out of memory");
	}
	int rc = o->len ? fs_atomic_write(a, o->p, o->len, e) : BULU_OK;
	buf_reset(o);
	return rc;
}

static void num(buf *o, int64_t v, int last)
{
	char s[32];
	snprintf(s, sizeof s, "%" PRId64, v);
	cli_csv_cell(o, s, last);
}

static int findings_csv(const struct recon *r, buf *o, fs_atomic *a, bulu_err *e)
{
	buf_puts(o, BOM);
	static const char *head[] = {"class", "kind", "station", "seq", "line", "his_id", "patient_id",
				     "item_code", "journal_value", "his_value", "diff_fen", "dept", "operator",
				     "explanation"};
	for (size_t k = 0; k < 14; k++)
		cli_csv_cell(o, head[k], k == 13);
	for (size_t i = 0; i < r->nf; i++) {
		const struct finding *f = &r->f[i];
		cli_csv_cell(o, rclass_name((enum rclass)f->cls), 0);
		cli_csv_cell(o, recon_kind_label(f->kind), 0);
		cli_csv_cell(o, S(r, f->station), 0);
		if (f->station)
			num(o, f->seq, 0);
		else
			cli_csv_cell(o, "", 0);
		if (f->line)
			num(o, f->line, 0);
		else
			cli_csv_cell(o, "", 0);
		cli_csv_cell(o, S(r, f->his_id), 0);
		cli_csv_cell(o, S(r, f->patient), 0);
		cli_csv_cell(o, S(r, f->item), 0);
		cli_csv_cell(o, S(r, f->jval), 0);
		cli_csv_cell(o, S(r, f->hval), 0);
		num(o, f->diff, 0);
		cli_csv_cell(o, S(r, f->dept), 0);
		cli_csv_cell(o, S(r, f->operator_), 0);
		cli_csv_cell(o, S(r, f->expl), 1);
		if (drain(o, a, 0, e) != BULU_OK)
			return e->code;
	}
	return drain(o, a, 1, e);
}

static void bl(const struct recon *r, const struct unit *u, char out[96])
{
	if (u->line)
		snprintf(out, 96, "BL-%s-%" PRId64 "-%u", S(r, u->station), u->seq, u->line);
	else
		snprintf(out, 96, "BL-%s-%" PRId64, S(r, u->station), u->seq);
}

static const char *hkind_label(uint8_t hk)
{
	if (hk < HIS_NKINDS)
		return his_kind_name((enum his_kind)hk);
	return hk == HK_THREEWAY ? "drugs" : "";
}

/* cli_csv_cell's rule (a cell a spreadsheet would run gets a "'" in front
 * and is quoted; quoted when it holds a comma, quote, CR or LF, or starts
 * or ends with a space) for s[0..n), which holds no NUL, without its strlen
 * and strpbrk: states.csv has eleven cells a line and a line per journal
 * line. */
static void cell_n(buf *o, const char *s, size_t n, int last)
{
	int f = n && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' ||
		      s[0] == '\r') && cli_csv_formula(s, n);
	int q = f || (n && (s[0] == ' ' || s[n - 1] == ' '));
	for (size_t i = 0; !q && i < n; i++)
		q = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
	if (buf_reserve(o, 2 * n + 5) != 0)
		return;
	char *d = o->p + o->len;
	if (q) {
		*d++ = '"';
		if (f)
			*d++ = '\'';
		for (size_t i = 0; i < n; i++) {
			if (s[i] == '"')
				*d++ = '"';
			*d++ = s[i];
		}
		*d++ = '"';
	} else {
		memcpy(d, s, n);
		d += n;
	}
	if (last) {
		*d++ = '\r';
		*d++ = '\n';
	} else {
		*d++ = ',';
	}
	o->len = (size_t)(d - o->p);
	o->p[o->len] = '\0';
}

/* Decimal digits of v into the end of out[32]; returns where they start. */
static char *itoa_end(int64_t v, char out[32])
{
	char *d = out + 31;
	*d = '\0';
	uint64_t x = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	do {
		*--d = (char)('0' + x % 10);
		x /= 10;
	} while (x);
	if (v < 0)
		*--d = '-';
	return d;
}

static void pool_cell(const struct recon *r, buf *o, uint32_t id, int last)
{
	cell_n(o, S(r, id), strpool_len(r->pool, id), last);
}

static int states_csv(const struct recon *r, buf *o, fs_atomic *a, bulu_err *e)
{
	buf_puts(o, BOM);
	static const char *head[] = {"station", "seq", "line", "bl_ref", "kind", "his_kind", "state",
				     "his_id", "deadline", "explanation", "his_entered_at"};
	for (size_t k = 0; k < 11; k++)
		cli_csv_cell(o, head[k], k == 10);
	/* what repeats from line to line is made once: the explanation of a
	 * plain match, the deadline's text */
	char why[8][160];
	for (uint8_t h = 0; h < 8; h++)
		snprintf(why[h], sizeof why[h], "matched by %s", recon_how(h));
	int64_t last_due = NO_TIME;
	char due[64] = "";
	for (size_t i = 0; i < r->nu; i++) {
		const struct unit *u = &r->u[i];
		char ref[160], n1[32], n2[32];
		const char *st = S(r, u->station), *seq = itoa_end(u->seq, n1), *line = itoa_end(u->line, n2);
		size_t stn = strpool_len(r->pool, u->station), seqn = (size_t)(n1 + 31 - seq),
		       linen = (size_t)(n2 + 31 - line);
		pool_cell(r, o, u->station, 0);
		cell_n(o, seq, seqn, 0);
		cell_n(o, line, linen, 0);
		if (stn + seqn + linen + 5 < 96) {
			/* bl(): BL-STATION-SEQ[-LINE], where it fits its 96 bytes */
			size_t k = 0;
			memcpy(ref, "BL-", 3), k = 3;
			memcpy(ref + k, st, stn), k += stn;
			ref[k++] = '-';
			memcpy(ref + k, seq, seqn), k += seqn;
			if (u->line) {
				ref[k++] = '-';
				memcpy(ref + k, line, linen), k += linen;
			}
			cell_n(o, ref, k, 0);
		} else {
			char big[96];
			bl(r, u, big);
			cli_csv_cell(o, big, 0);
		}
		cli_csv_cell(o, jkind_name((enum jkind)u->jkind), 0);
		cli_csv_cell(o, hkind_label(u->hkind), 0);
		cli_csv_cell(o, rclass_name((enum rclass)u->state), 0);
		const struct his_table *t = u->hkind < HIS_NKINDS ? &r->his[u->hkind] : NULL;
		const char *hid = t && u->his ? his_text(t, t->rows[u->his - 1].his_id) : "";
		cell_n(o, hid, strlen(hid), 0);
		if (u->deadline == NO_TIME) {
			cell_n(o, "", 0, 0);
		} else {
			if (u->deadline != last_due) {
				recon_time(r, u->deadline, due);
				last_due = u->deadline;
			}
			cell_n(o, due, strlen(due), 0);
		}
		if (!u->expl && u->how && t)
			cell_n(o, why[u->how < 8 ? u->how : 0], strlen(why[u->how < 8 ? u->how : 0]), 0);
		else
			pool_cell(r, o, u->expl, 0);
		/* his_entered_at: when the HIS row this line matched was entered
		 * (its back-fill), empty without a row or an entry time */
		if (t && u->his && t->rows[u->his - 1].entered != HIS_NO_TIME) {
			char ent[64];
			recon_time(r, t->rows[u->his - 1].entered, ent);
			cell_n(o, ent, strlen(ent), 1);
		} else {
			cell_n(o, "", 0, 1);
		}
		if (drain(o, a, 0, e) != BULU_OK)
			return e->code;
	}
	return drain(o, a, 1, e);
}

/* --- the summary --------------------------------------------------------- */

struct tally {
	uint32_t key;       /* dept or operator (pool id) */
	size_t count;
	int64_t money;      /* sum of |diff| */
	int64_t net;        /* sum of diff */
};

static int tally_cmp(const void *a, const void *b)
{
	const struct tally *x = a, *y = b;
	return scmp(x->key, y->key);
}

static int tally_add(struct tally **v, size_t *n, uint32_t key, int64_t diff)
{
	for (size_t i = 0; i < *n; i++)
		if ((*v)[i].key == key) {
			(*v)[i].count++;
			(*v)[i].money = recon_add_sat((*v)[i].money, recon_abs_sat(diff));
			(*v)[i].net = recon_add_sat((*v)[i].net, diff);
			return 0;
		}
	struct tally *nv = realloc(*v, (*n + 1) * sizeof *nv);
	if (!nv)
		return -1;
	*v = nv;
	nv[*n] = (struct tally){key, 1, recon_abs_sat(diff), diff};
	(*n)++;
	return 0;
}

static void pad(buf *o, const char *s, size_t w)
{
	buf_puts(o, s);
	for (size_t n = text_width(s); n < w; n++)
		buf_putc(o, ' ');
}

static void yuan(buf *o, int64_t fen, size_t w)
{
	char s[32];
	money_format_yuan(fen, s);
	for (size_t n = strlen(s); n < w; n++)
		buf_putc(o, ' ');
	buf_puts(o, s);
}

static const char *level_of(int64_t secs)
{
	/* BRIEF rule 10: IV < 2 h, III up to 12 h, II up to 24 h, I beyond */
	if (secs < 2 * 3600)
		return "IV";
	if (secs <= 12 * 3600)
		return "III";
	if (secs <= 24 * 3600)
		return "II";
	return "I";
}

static int tallies(const struct recon *r, buf *o, int by_dept)
{
	struct tally *v = NULL;
	size_t n = 0;
	for (size_t i = 0; i < r->nf; i++) {
		const struct finding *f = &r->f[i];
		if (tally_add(&v, &n, by_dept ? f->dept : f->operator_, f->diff) != 0) {
			free(v);
			return -1;
		}
	}
	if (n)
		qsort(v, n, sizeof *v, tally_cmp);
	buf_printf(o, "\n%s\n", by_dept ? "By department (按科室)" : "By operator (按操作员)");
	for (size_t i = 0; i < n; i++) {
		buf_puts(o, "  ");
		pad(o, *S(r, v[i].key) ? S(r, v[i].key) : "-", 24);
		buf_printf(o, " %7zu findings   net ", v[i].count);
		yuan(o, v[i].net, 12);
		buf_putc(o, '\n');
	}
	if (!n)
		buf_puts(o, "  (none)\n");
	free(v);
	return 0;
}

static int summary(const struct recon *r, const char *outdir, buf *o)
{
	char t1[64], t2[64];
	buf_printf(o, "bulu reconcile: summary (对账汇总)\n\n");
	if (r->nep) {
		for (size_t i = 0; i < r->nep; i++) {
			const struct episode *p = &r->ep[i];
			buf_printf(o, "Episode %s: %s .. %s", S(r, p->id), recon_time(r, p->start, t1),
				   p->end == NO_TIME ? "(not ended)" : recon_time(r, p->end, t2));
			if (p->end != NO_TIME && p->start != NO_TIME)
				buf_printf(o, ", %.1f h, incident level %s", (double)(p->end - p->start) / 3600.0,
					   level_of(p->end - p->start));
			if (p->joined) {
				/* stations that started before IT's notice, and joined it */
				buf_printf(o, "; started undeclared (未经宣布) at");
				for (int k = 0; k < p->nby && k < 4; k++)
					buf_printf(o, " %s", S(r, p->by[k]));
				buf_printf(o, "%s, joined %s", p->nby > 4 ? " ..." : "", S(r, p->joined));
			}
			buf_putc(o, '\n');
		}
	}
	buf_printf(o, "Window:  %s .. %s%s\n", recon_time(r, r->win_from, t1),
		   r->win_to == NO_TIME ? "(open)" : recon_time(r, r->win_to, t2), r->o.have_window ? " (--window)" : "");
	for (int k = 0; k < HIS_NKINDS; k++)
		if (r->given[k])
			buf_printf(o, "HIS %-14s %zu rows (%s)\n", his_kind_name((enum his_kind)k), r->his[k].nread,
				   text_enc_name(r->his[k].used));
	/* journal lines and their states */
	size_t by_state[RC_N] = {0};
	int64_t amount = 0;
	for (size_t i = 0; i < r->nu; i++) {
		by_state[r->u[i].state]++;
		if (!r->u[i].voided)
			amount = recon_add_sat(amount, r->u[i].amount);
	}
	buf_printf(o, "\nJournal lines in scope: %zu (", r->nu);
	yuan(o, amount, 0);
	buf_printf(o, " yuan not voided)\n");
	for (int c = 0; c < RC_N; c++)
		if (by_state[c])
			buf_printf(o, "  %-22s %8zu\n", rclass_name((enum rclass)c), by_state[c]);
	/* findings by class */
	size_t cnt[RC_N] = {0};
	int64_t net[RC_N] = {0}, total = 0;
	for (size_t i = 0; i < r->nf; i++) {
		cnt[r->f[i].cls]++;
		net[r->f[i].cls] = recon_add_sat(net[r->f[i].cls], r->f[i].diff);
		total = recon_add_sat(total, r->f[i].diff);
	}
	buf_printf(o, "\nFindings (发现) by class      count   HIS - journal (yuan)\n");
	for (int c = RC_FIRST_FINDING; c < RC_N; c++) {
		if (!cnt[c])
			continue;
		buf_printf(o, "  %-24s %7zu   ", rclass_name((enum rclass)c), cnt[c]);
		yuan(o, net[c], 14);
		buf_putc(o, '\n');
	}
	buf_printf(o, "  %-24s %7zu   ", "total", r->nf);
	yuan(o, total, 14);
	buf_putc(o, '\n');
	if (tallies(r, o, 1) != 0 || tallies(r, o, 0) != 0)
		return -1;
	size_t matched = by_state[RC_MATCHED] + by_state[RC_LATE_BACKFILL];
	buf_printf(o, "\nNet difference, HIS minus journals: ");
	yuan(o, total, 0);
	buf_printf(o, " yuan\n");
	if (matched)
		buf_printf(o, "Back-filled after the deadline: %zu of %zu matched lines (%.1f%%)\n",
			   by_state[RC_LATE_BACKFILL], matched, 100.0 * (double)by_state[RC_LATE_BACKFILL] / (double)matched);
	buf_printf(o, "\nFiles in %s: findings.csv, states.csv, summary.txt, worklists/, receipts.csv, discharge.csv\n", outdir);
	return 0;
}

/* --- worklists ----------------------------------------------------------- */

/* The profile's [routing], resolved: departments interned, @role:ROLE the
 * departments of the stations of that role (none: @captured instead). */
int recon_routes(struct recon *r, const struct his_profile *p, bulu_err *e)
{
	for (int jk = 0; jk < JK_N; jk++) {
		struct route *rt = &r->routes[jk];
		const char *why = NULL, *spec = his_profile_route(p, jkind_name((enum jkind)jk), &why);
		memset(rt, 0, sizeof *rt);
		if (!spec)
			continue;
		for (const char *s = spec; *s;) {
			const char *c = strchr(s, ',');
			size_t n = c ? (size_t)(c - s) : strlen(s);
			while (n && (*s == ' ' || *s == '\t'))
				s++, n--;
			while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
				n--;
			uint32_t d[ROUTE_MAX];
			size_t nd = 0;
			if (n == 9 && strncmp(s, "@captured", 9) == 0) {
				d[nd++] = 0;
			} else if (n > 6 && strncmp(s, "@role:", 6) == 0) {
				for (size_t i = 0; i < r->nroles && nd < ROUTE_MAX; i++)
					if (strlen(r->roles[i].role) == n - 6 &&
					    strncmp(r->roles[i].role, s + 6, n - 6) == 0)
						d[nd++] = recon_str(r, "%s", r->roles[i].dept);
				if (!nd)
					d[nd++] = 0; /* no station of that role: where it was captured */
			} else if (n) {
				d[nd++] = recon_str(r, "%.*s", (int)n, s);
			}
			for (size_t i = 0; i < nd; i++) {
				int dup = 0;
				for (size_t j = 0; j < rt->n; j++)
					dup |= rt->dest[j] == d[i];
				if (!dup && rt->n < ROUTE_MAX)
					rt->dest[rt->n++] = d[i];
			}
			if (!c)
				break;
			s = c + 1;
		}
		rt->why = why ? recon_str(r, "%s", why)
			      : recon_str(r, "分送 routed here by the profile's [routing] %s",
					  jkind_name((enum jkind)jk));
		if (r->pool && (!rt->why || rt->why == UINT32_MAX))
			return bulu_errf(e, BULU_SYSTEM, "out of memory");
	}
	return BULU_OK;
}

/* One line of a worklist: a finding, the department whose list it is on,
 * and why it is there. */
struct wline {
	const struct finding *f;
	uint32_t dept, why;
};

static int work_cmp(const void *a, const void *b)
{
	const struct wline *wx = a, *wy = b;
	const struct finding *x = wx->f, *y = wy->f;
	int c;
	if ((c = scmp(wx->dept, wy->dept)))
		return c;
	if (x->deadline != y->deadline) {
		if (x->deadline == NO_TIME)
			return 1;
		if (y->deadline == NO_TIME)
			return -1;
		return x->deadline < y->deadline ? -1 : 1;
	}
	return finding_cmp(x, y);
}

/* Every department that captured the paper form of a requisition finding
 * (its copies at the ward and the pharmacy: same patient and form no.),
 * and every department that dispensed against one of them. */
static size_t form_depts(const struct recon *r, const struct unit *u, uint32_t out[ROUTE_MAX])
{
	size_t n = 0;
	out[n++] = u->dept;
	for (size_t i = 0; i < r->nu && u->request_no; i++) {
		const struct unit *v = &r->u[i];
		uint32_t d = 0;
		if (v->jkind == JK_REQUISITION && v->patient == u->patient &&
		    v->request_no == u->request_no)
			d = v->dept;
		else if (v->jkind == JK_DISPENSE && v->ref && r->u[v->ref - 1].jkind == JK_REQUISITION &&
			 r->u[v->ref - 1].patient == u->patient &&
			 r->u[v->ref - 1].request_no == u->request_no)
			d = v->dept;
		int dup = !d;
		for (size_t j = 0; j < n && !dup; j++)
			dup = out[j] == d;
		if (!dup && n < ROUTE_MAX)
			out[n++] = d;
	}
	return n;
}

/* The worklist lines of r's findings: each on the lists its kind is routed
 * to (the department that captured it unless [routing] says otherwise). */
static struct wline *route_lines(struct recon *r, size_t *nout)
{
	size_t cap = r->nf * 2 + 1, n = 0;
	struct wline *w = malloc(cap * sizeof *w);
	uint32_t here = recon_str(r, "本科室录入 captured here"),
		 listed = recon_str(r, "本科室的科室/发票 this department's (its book, its HIS row)");
	if (!w)
		return NULL;
	for (size_t i = 0; i < r->nf; i++) {
		const struct finding *f = &r->f[i];
		const struct unit *u = f->unit ? &r->u[f->unit - 1] : NULL;
		const struct route *rt = u ? &r->routes[u->jkind] : NULL;
		uint32_t d[ROUTE_MAX * 2], why[ROUTE_MAX * 2];
		size_t nd = 0;
		if (!u || !rt->n) {
			d[nd] = f->dept, why[nd++] = u ? here : listed;
		} else {
			for (size_t k = 0; k < rt->n; k++) {
				uint32_t cd[ROUTE_MAX];
				size_t nc = 1;
				cd[0] = rt->dest[k];
				if (!cd[0] && u->jkind == JK_REQUISITION)
					nc = form_depts(r, u, cd);
				else if (!cd[0])
					cd[0] = f->dept;
				for (size_t m = 0; m < nc; m++) {
					int dup = 0;
					for (size_t j = 0; j < nd; j++)
						dup |= d[j] == cd[m];
					if (!dup && nd < ROUTE_MAX * 2)
						d[nd] = cd[m], why[nd++] = rt->why;
				}
			}
		}
		for (size_t k = 0; k < nd; k++) {
			if (n == cap) {
				cap *= 2;
				struct wline *nw = realloc(w, cap * sizeof *nw);
				if (!nw) {
					free(w);
					return NULL;
				}
				w = nw;
			}
			w[n++] = (struct wline){f, d[k], why[k]};
		}
	}
	*nout = n;
	return w;
}

static const char *action_of(int cls)
{
	switch (cls) {
	case RC_MISSING_IN_HIS: return "补录 back-fill";
	case RC_DUPLICATE_IN_HIS: return "撤销重复 cancel the copy";
	case RC_EXTRA_IN_HIS: return "核实来源 find its paper form";
	case RC_VOIDED_IN_HIS: return "冲销 reverse in HIS";
	case RC_LATE_BACKFILL: return "说明迟录 note the delay";
	case RC_DISPENSE_MISMATCH: return "追查 trace";
	case RC_DISPENSE_REF_UNKNOWN: return "追查凭证 trace the voucher";
	case RC_INVOICE_GAP:
	case RC_INVOICE_DUPLICATE:
	case RC_INVOICE_UNRECORDED:
	case RC_INVOICE_VOID_CHARGED: return "核对发票 check the register";
	default: return "更正 correct in HIS";
	}
}

/* A department's name as a file name: no '/', no leading '.', no controls. */
static void file_name(const char *dept, char out[256])
{
	size_t n = 0;
	if (!*dept)
		dept = "未知科室";
	for (const char *p = dept; *p && n < 200; p++) {
		unsigned char ch = (unsigned char)*p;
		int bad = ch < 0x20 || ch == '/' || ch == '\\' || ch == 0x7f || (n == 0 && ch == '.');
		out[n] = bad ? '_' : (char)ch;
		n++;
	}
	/* cut at 200 bytes: not inside a character */
	while (n > 0 && ((unsigned char)dept[n] & 0xC0) == 0x80)
		n--;
	out[n] = '\0';
}

/*
 * Small files are written and fsync'd several at a time: a run's dozen
 * small files cost a dozen waits for the disk one after the other, most of
 * a small run's time; side by side the file system commits them together.
 * They are only synced here, under their temporary names; recon_write
 * renames the whole run's files once every one is synced.
 */
struct wfile {
	char path[4096];
	buf b;
	int rc;
	bulu_err e;
	fs_atomic a;
	int synced; /* a is synced and waits for its rename */
};

struct wfiles {
	struct wfile *f;
	size_t n, cap, next;
	pthread_mutex_t mu;
};

/* name, or name-2, name-3 ... when another department's worklist already
 * has that file name ("内科/一" and "内科_一" both clean to the latter):
 * departments come in a total order, so the suffixes are stable. */
static void unique_name(const struct wfiles *w, const char *dir, char name[256])
{
	char base[256], path[4096];
	snprintf(base, sizeof base, "%s", name);
	for (int k = 2;; k++) {
		snprintf(path, sizeof path, "%s/%s.csv", dir, name);
		int taken = 0;
		for (size_t i = 0; i < w->n && !taken; i++)
			taken = strcmp(w->f[i].path, path) == 0;
		if (!taken)
			return;
		snprintf(name, 256, "%s-%d", base, k);
	}
}

/* Remove the worklists of departments that have nothing left to do: every
 * DEPT.csv, DEPT.txt and DEPT.html of dir that this run did not write (w).  Done
 * after the new ones are in place, so a failed run leaves the old set. */
static void clear_worklists(const char *dir, const struct wfiles *w)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	char path[4096];
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		if ((n > 4 && (strcmp(de->d_name + n - 4, ".csv") == 0 || strcmp(de->d_name + n - 4, ".txt") == 0)) ||
		    (n > 5 && strcmp(de->d_name + n - 5, ".html") == 0)) {
			snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
			int keep = 0;
			for (size_t i = 0; i < w->n && !keep; i++)
				keep = strcmp(w->f[i].path, path) == 0;
			if (!keep)
				unlink(path);
		}
	}
	closedir(d);
}

static struct wfile *wfile_add(struct wfiles *w, const char *dir, const char *name)
{
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 16;
		struct wfile *nf = realloc(w->f, cap * sizeof *nf);
		if (!nf)
			return NULL;
		w->f = nf;
		w->cap = cap;
	}
	struct wfile *f = &w->f[w->n++];
	memset(f, 0, sizeof *f);
	snprintf(f->path, sizeof f->path, "%s/%s", dir, name);
	return f;
}

static void wfiles_free(struct wfiles *w)
{
	for (size_t i = 0; i < w->n; i++)
		buf_free(&w->f[i].b);
	free(w->f);
}

static void *wfiles_thread(void *arg)
{
	struct wfiles *w = arg;
	for (;;) {
		pthread_mutex_lock(&w->mu);
		size_t i = w->next++;
		pthread_mutex_unlock(&w->mu);
		if (i >= w->n)
			return NULL;
		struct wfile *f = &w->f[i];
		if (f->b.oom) {
			f->rc = bulu_errf(&f->e, BULU_SYSTEM, "out of memory");
			continue;
		}
		f->rc = fs_atomic_open(&f->a, f->path, 0644, &f->e);
		if (f->rc == BULU_OK)
			f->rc = fs_atomic_write(&f->a, f->b.p ? f->b.p : "", f->b.len, &f->e);
		if (f->rc == BULU_OK)
			f->rc = fs_atomic_sync(&f->a, &f->e);
		f->synced = f->rc == BULU_OK;
	}
}

/* Start writing and syncing the files of w on threads of their own (up to
 * MAXT; fewer when w has fewer files); wfiles_finish does the rest of the
 * work on the calling thread and waits for the others.  Between the two the
 * caller may write a file of its own: its sync then overlaps theirs. */
enum { MAXT = 8 };

struct wpool {
	pthread_t th[MAXT];
	size_t nt;
	int ok; /* w->mu was made */
};

static void wfiles_start(struct wfiles *w, struct wpool *p)
{
	p->nt = 0;
	w->next = 0;
	p->ok = pthread_mutex_init(&w->mu, NULL) == 0;
	if (!p->ok)
		return;
	while (p->nt < MAXT && p->nt < w->n && pthread_create(&p->th[p->nt], NULL, wfiles_thread, w) == 0)
		p->nt++;
}

/* Every file of w is then written and synced (each f->a waits for its
 * rename where f->rc is BULU_OK); the first failure (in w's order) is
 * returned. */
static int wfiles_finish(struct wfiles *w, struct wpool *p, bulu_err *e)
{
	if (!p->ok)
		return bulu_errf(e, BULU_SYSTEM, "cannot start a thread");
	wfiles_thread(w);
	for (size_t i = 0; i < p->nt; i++)
		pthread_join(p->th[i], NULL);
	pthread_mutex_destroy(&w->mu);
	for (size_t i = 0; i < w->n; i++)
		if (w->f[i].rc != BULU_OK) {
			*e = w->f[i].e;
			return w->f[i].rc;
		}
	return BULU_OK;
}

/* Each department's worklist, as three files of w. */
static int worklists(const struct recon *r, const struct wline *v, size_t nv, const char *outdir,
		     struct wfiles *w, bulu_err *e)
{
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/worklists", outdir);
	int rc = fs_mkdirs(dir, 0755, e);
	if (rc != BULU_OK)
		return rc;
	for (size_t i = 0; i < nv && rc == BULU_OK;) {
		size_t j = i;
		while (j < nv && v[j].dept == v[i].dept)
			j++;
		const char *dept = S(r, v[i].dept);
		buf c = BUF_INIT, t = BUF_INIT, h = BUF_INIT;
		buf_puts(&c, BOM);
		wl_html_begin(&h, dept, j - i);
		static const char *head[] = {"deadline", "action", "class", "bl_ref", "kind", "patient_id",
					     "patient_name", "item_code", "item_name", "qty", "amount", "his_id",
					     "explanation", "why_here"};
		for (size_t k = 0; k < 14; k++)
			cli_csv_cell(&c, head[k], k == 13);
		buf_printf(&t, "补录工作单 Back-fill worklist: %s\n", *dept ? dept : "未知科室");
		buf_printf(&t, "%zu item%s, sorted by deadline.  Type the BL reference into the HIS remark (备注).\n\n",
			   j - i, j - i == 1 ? "" : "s");
		for (size_t k = i; k < j; k++) {
			const struct finding *f = v[k].f;
			const struct unit *u = f->unit ? &r->u[f->unit - 1] : NULL;
			char due[64], ref[96] = "", qty[32] = "", amt[32] = "";
			recon_time(r, f->deadline, due);
			if (f->station && f->line)
				snprintf(ref, sizeof ref, "BL-%s-%" PRId64 "-%u", S(r, f->station), f->seq, f->line);
			else if (f->station)
				snprintf(ref, sizeof ref, "BL-%s-%" PRId64, S(r, f->station), f->seq);
			if (u && u->line != f->line)
				u = NULL; /* about the whole form (an invoice), not one of its lines */
			if (u) {
				snprintf(qty, sizeof qty, "%" PRId64, u->qty);
				money_format_yuan(u->amount, amt);
			}
			cli_csv_cell(&c, f->deadline == NO_TIME ? "" : due, 0);
			cli_csv_cell(&c, action_of(f->cls), 0);
			cli_csv_cell(&c, rclass_name((enum rclass)f->cls), 0);
			cli_csv_cell(&c, ref, 0);
			cli_csv_cell(&c, recon_kind_label(f->kind), 0);
			cli_csv_cell(&c, S(r, f->patient), 0);
			cli_csv_cell(&c, u ? S(r, u->patient_name) : "", 0);
			cli_csv_cell(&c, S(r, f->item), 0);
			cli_csv_cell(&c, u ? S(r, u->item_name) : "", 0);
			cli_csv_cell(&c, qty, 0);
			cli_csv_cell(&c, amt, 0);
			cli_csv_cell(&c, S(r, f->his_id), 0);
			cli_csv_cell(&c, S(r, f->expl), 0);
			cli_csv_cell(&c, S(r, v[k].why), 1);
			/* printable: two lines per item and a box to tick */
			buf_printf(&t, "[ ] %-19s  %-24s  ", f->deadline == NO_TIME ? "-" : due, *ref ? ref : "-");
			pad(&t, action_of(f->cls), 28);
			buf_printf(&t, "%s\n    ", rclass_name((enum rclass)f->cls));
			if (u)
				buf_printf(&t, "%s %s  %s %s  x%s  %s yuan", S(r, u->patient), S(r, u->patient_name),
					   S(r, u->item), S(r, u->item_name), qty, amt);
			else
				buf_printf(&t, "HIS %s  %s  %s", S(r, f->his_id), S(r, f->patient), S(r, f->item));
			buf_printf(&t, "\n    %s\n    为何在此 why here: %s\n", S(r, f->expl), S(r, v[k].why));
			char expl_why[1200];
			snprintf(expl_why, sizeof expl_why, "%s (为何在此 why here: %s)", S(r, f->expl),
				 S(r, v[k].why));
			struct wl_line wl = {f->deadline == NO_TIME ? "" : due, ref, action_of(f->cls),
					     rclass_name((enum rclass)f->cls), S(r, f->patient),
					     u ? S(r, u->patient_name) : "", S(r, f->item),
					     u ? S(r, u->item_name) : "", qty, amt, S(r, f->his_id), expl_why};
			wl_html_line(&h, &wl);
		}
		wl_html_end(&h);
		buf_printf(&t, "\n经办 Done by: ____________    复核 Checked by: ____________    日期 Date: __________\n");
		char name[256], fn[300];
		file_name(dept, name);
		unique_name(w, dir, name);
		snprintf(fn, sizeof fn, "%s.csv", name);
		struct wfile *fc = wfile_add(w, dir, fn);
		snprintf(fn, sizeof fn, "%s.txt", name);
		struct wfile *ft = fc ? wfile_add(w, dir, fn) : NULL;
		snprintf(fn, sizeof fn, "%s.html", name);
		struct wfile *fh = ft ? wfile_add(w, dir, fn) : NULL;
		if (!fc || !ft || !fh) {
			buf_free(&c);
			buf_free(&t);
			buf_free(&h);
			rc = bulu_errf(e, BULU_SYSTEM, "out of memory");
			break;
		}
		w->f[w->n - 3].b = c; /* fc and ft may have moved with the array */
		w->f[w->n - 2].b = t;
		fh->b = h;
		i = j;
	}
	return rc;
}

/* --- registers: receipts to exchange, discharge medication to confirm ---- */

/* receipts.csv (手工票据换票登记): every charge or registration whose
 * handwritten receipt is to be exchanged for a machine invoice (换票), and
 * whether the HIS invoice register shows its number yet. */
static int receipts_csv(const struct recon *r, buf *o)
{
	static const char *head[] = {"bl_ref", "invoice_no", "patient_id", "patient_name", "amount",
				     "occurred_at", "dept", "state", "his_status"};
	const struct his_table *t = &r->his[HIS_INVOICES];
	buf_puts(o, BOM);
	for (size_t k = 0; k < 9; k++)
		cli_csv_cell(o, head[k], k == 8);
	for (size_t i = 0; i < r->nu; i++) {
		const struct unit *u = &r->u[i];
		if (!(u->flags & UF_EXCHANGE) || (i > 0 && r->u[i - 1].station == u->station &&
						  r->u[i - 1].seq == u->seq))
			continue; /* once per form */
		int64_t amount = 0;
		for (size_t k = i; k < r->nu && r->u[k].station == u->station && r->u[k].seq == u->seq; k++)
			amount += r->u[k].amount;
		const char *no = S(r, u->invoice), *state, *hs = "";
		int found = 0, hvoid = 0;
		for (size_t k = 0; *no && r->given[HIS_INVOICES] && k < t->n; k++)
			if (strcmp(S(r, t->rows[k].invoice), no) == 0) {
				found = 1;
				hvoid |= t->rows[k].voided;
			}
		if (u->voided)
			state = "作废 voided (退费: nothing to exchange)";
		else if (!r->given[HIS_INVOICES])
			state = "未核对 not checked (no invoices export)";
		else if (found && !hvoid)
			state = "已换票 exchanged";
		else
			state = "待换票 to exchange";
		if (found)
			hs = hvoid ? "作废 void" : "正常 in the register";
		char ref[96], amt[32], when[64];
		snprintf(ref, sizeof ref, "BL-%s-%" PRId64, S(r, u->station), u->seq);
		money_format_yuan(amount, amt);
		recon_time(r, u->occurred, when);
		cli_csv_cell(o, ref, 0);
		cli_csv_cell(o, no, 0);
		cli_csv_cell(o, S(r, u->patient), 0);
		cli_csv_cell(o, S(r, u->patient_name), 0);
		cli_csv_cell(o, amt, 0);
		cli_csv_cell(o, when, 0);
		cli_csv_cell(o, S(r, u->dept), 0);
		cli_csv_cell(o, state, 0);
		cli_csv_cell(o, hs, 1);
	}
	return o->oom ? -1 : 0;
}

/* discharge.csv (出院带药确认): every line of a discharge-medication
 * prescription, with the state reconcile left it in (MATCHED: the HIS
 * holds it). */
static int discharge_csv(const struct recon *r, buf *o)
{
	static const char *head[] = {"bl_ref", "request_no", "patient_id", "patient_name", "item_code",
				     "item_name", "qty", "dept", "state", "to_do"};
	buf_puts(o, BOM);
	for (size_t k = 0; k < 10; k++)
		cli_csv_cell(o, head[k], k == 9);
	for (size_t i = 0; i < r->nu; i++) {
		const struct unit *u = &r->u[i];
		if (!(u->flags & UF_DISCHARGE))
			continue;
		char ref[96], qty[32];
		snprintf(ref, sizeof ref, "BL-%s-%" PRId64 "-%u", S(r, u->station), u->seq, u->line);
		snprintf(qty, sizeof qty, "%" PRId64, u->qty);
		const char *todo = u->state == RC_MATCHED || u->state == RC_LATE_BACKFILL
					   ? "已确认 confirmed: the HIS holds it"
				   : u->state == RC_VOIDED ? "作废 voided"
				   : u->state == RC_NOT_CHECKED ? "未核对 not checked (no orders export)"
								: "待确认 confirm and back-fill (see findings)";
		cli_csv_cell(o, ref, 0);
		cli_csv_cell(o, S(r, u->request_no), 0);
		cli_csv_cell(o, S(r, u->patient), 0);
		cli_csv_cell(o, S(r, u->patient_name), 0);
		cli_csv_cell(o, S(r, u->item), 0);
		cli_csv_cell(o, S(r, u->item_name), 0);
		cli_csv_cell(o, qty, 0);
		cli_csv_cell(o, S(r, u->dept), 0);
		cli_csv_cell(o, rclass_name((enum rclass)u->state), 0);
		cli_csv_cell(o, todo, 1);
	}
	return o->oom ? -1 : 0;
}

struct states_job {
	const struct recon *r;
	char path[4096];
	int rc;
	bulu_err e;
	fs_atomic a; /* synced, waiting for its rename, when rc is BULU_OK */
};

/* states.csv, a line per journal line: the largest file by far, written on
 * a thread of its own beside the others. */
static void *states_thread(void *arg)
{
	struct states_job *j = arg;
	buf b = BUF_INIT;
	if ((j->rc = fs_atomic_open(&j->a, j->path, 0644, &j->e)) == BULU_OK &&
	    (j->rc = states_csv(j->r, &b, &j->a, &j->e)) == BULU_OK)
		j->rc = fs_atomic_sync(&j->a, &j->e);
	buf_free(&b);
	return NULL;
}

/*
 * Every file is written and synced under a temporary name first (states.csv
 * on a thread of its own, findings.csv on this one, the worklists and the
 * summary several at a time); only when all of them are synced are they
 * renamed into place, and each directory synced once.  A run that fails
 * before that (a full disk) removes its temporary files and leaves the
 * previous run's outputs as they were; each file is replaced atomically
 * either way.  Two waits for the disk per run instead of two per file.
 */
int recon_write(struct recon *r, const char *outdir, int quiet, bulu_err *e)
{
	cmp_pool = r->pool;
	cmp_r = r;
	if (r->nf)
		qsort(r->f, r->nf, sizeof *r->f, finding_cmp);
	int rc = fs_mkdirs(outdir, 0755, e);
	if (rc != BULU_OK)
		return rc;
	/* the worklists' lines first: routing interns text, which the threads
	 * below must not see happen */
	size_t nwl = 0;
	struct wline *wl = route_lines(r, &nwl);
	if (!wl)
		return bulu_errf(e, BULU_SYSTEM, "out of memory");
	qsort(wl, nwl, sizeof *wl, work_cmp);
	struct states_job sj = {.r = r, .rc = BULU_OK};
	snprintf(sj.path, sizeof sj.path, "%s/states.csv", outdir);
	pthread_t th;
	int threaded = pthread_create(&th, NULL, states_thread, &sj) == 0;
	/* the worklists and the summary (small, quickly made) go to threads
	 * first; findings.csv is streamed and synced on this one meanwhile, so
	 * that no sync waits for another */
	struct wfiles w = {0};
	struct wpool wp = {0};
	bulu_err we = {0};
	int wrc = worklists(r, wl, nwl, outdir, &w, &we);
	free(wl);
	struct wfile *fr = wrc == BULU_OK ? wfile_add(&w, outdir, "receipts.csv") : NULL;
	if (wrc == BULU_OK && (!fr || receipts_csv(r, &fr->b) != 0))
		wrc = bulu_errf(&we, BULU_SYSTEM, "out of memory");
	struct wfile *fd = wrc == BULU_OK ? wfile_add(&w, outdir, "discharge.csv") : NULL;
	if (wrc == BULU_OK && (!fd || discharge_csv(r, &fd->b) != 0))
		wrc = bulu_errf(&we, BULU_SYSTEM, "out of memory");
	struct wfile *fs = wrc == BULU_OK ? wfile_add(&w, outdir, "summary.txt") : NULL;
	if (wrc == BULU_OK && (!fs || summary(r, outdir, &fs->b) != 0))
		wrc = bulu_errf(&we, BULU_SYSTEM, "out of memory");
	if (wrc == BULU_OK)
		wfiles_start(&w, &wp);
	buf b = BUF_INIT;
	char path[4096];
	fs_atomic a;
	snprintf(path, sizeof path, "%s/findings.csv", outdir);
	if ((rc = fs_atomic_open(&a, path, 0644, e)) == BULU_OK && (rc = findings_csv(r, &b, &a, e)) == BULU_OK)
		rc = fs_atomic_sync(&a, e);
	int have_a = rc == BULU_OK;
	buf_free(&b);
	if (wrc == BULU_OK)
		wrc = wfiles_finish(&w, &wp, &we);
	if (!threaded)
		states_thread(&sj);
	if (threaded)
		pthread_join(th, NULL);
	if (rc == BULU_OK && sj.rc != BULU_OK) {
		rc = sj.rc;
		*e = sj.e;
	}
	if (rc == BULU_OK && wrc != BULU_OK) {
		rc = wrc;
		*e = we;
	}
	/* all synced: into place (else the synced ones are removed) */
	if (have_a && (rc != BULU_OK || (rc = fs_atomic_publish(&a, e)) != BULU_OK))
		fs_atomic_abort(&a);
	if (sj.rc == BULU_OK && (rc != BULU_OK || (rc = fs_atomic_publish(&sj.a, e)) != BULU_OK))
		fs_atomic_abort(&sj.a);
	for (size_t i = 0; i < w.n; i++) {
		if (!w.f[i].synced)
			continue;
		if (rc != BULU_OK || (rc = fs_atomic_publish(&w.f[i].a, e)) != BULU_OK)
			fs_atomic_abort(&w.f[i].a);
	}
	if (rc == BULU_OK) {
		char dir[4096];
		snprintf(dir, sizeof dir, "%s/worklists", outdir);
		clear_worklists(dir, &w);
		snprintf(path, sizeof path, "%s/worklists/x", outdir);
		fs_sync_dir(path);
		fs_sync_dir(sj.path);
	}
	if (rc == BULU_OK && !quiet) {
		const buf *sb = &w.f[w.n - 1].b;
		fwrite(sb->p, 1, sb->len, stdout);
	}
	wfiles_free(&w);
	return rc;
}
