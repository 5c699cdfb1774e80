/*
 * his_out.c - what the HIS holds once the departments have back-filled the
 * outage, imperfectly: the five exports of the default profile, and
 * truth.csv, one row per discrepancy injected.
 *
 * A careful back-fill types every line that was not voided, on the day of
 * recovery, most of them with the BL reference printed on the worklist in
 * the remark (备注).  Then, at the chosen rates, lines are left out, typed
 * twice or mistyped (amount, quantity, item, patient), typed late, a voided
 * exam is typed anyway, rows nobody captured appear, the invoice register
 * doubles, skips or holds numbers it should not, and the pharmacy's orders
 * disagree with the requisitions.  Each discrepancy is put on a form of its
 * own, so each is exactly one finding and the truth is unambiguous.
 *
 * The charges export is topped up with the HIS's ordinary traffic: the day
 * before and the day after, and departments that captured nothing, with
 * patients and electronic invoice numbers of their own.  None of it may
 * turn up in the findings.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulu/cli.h"
#include "bulu/money.h"
#include "sim.h"

/* indexes into sim_classes (world.c), in its order */
enum { C_MISSING, C_EXTRA, C_DUPLICATE, C_AMOUNT, C_QTY, C_ITEM, C_PATIENT, C_GAP,
	C_INV_DUP, C_UNRECORDED, C_VOID_CHARGED, C_DISPENSE, C_LATE, C_VOIDED, C_REF_UNKNOWN };

static double rate_of(const sim *s, int c)
{
	return s->o.rates[c] >= 0 ? s->o.rates[c] : s->o.rate;
}

static int outpatient_dispense(const sim *s, const sim_form *f)
{
	return f->kind == SK_DISPENSE && f->ref >= 0 && s->forms[f->ref].kind == SK_PRESCRIPTION;
}

static int ward_requisition(const sim *s, const sim_form *f)
{
	return f->kind == SK_REQUISITION && s->stations[f->station].r == ROLE_WARD;
}

/* Whether class c may be injected on form f. */
static int eligible(const sim *s, int c, const sim_form *f)
{
	if (f->drill || f->inj >= 0)
		return 0;
	if (c == C_VOIDED)
		return f->kind == SK_EXAM && f->voided;
	if (f->voided)
		return 0;
	enum sim_kind k = f->kind;
	int exported = k == SK_REGISTRATION || k == SK_CHARGE || k == SK_EXAM || k == SK_WARD_CHARGE ||
	               k == SK_PRESCRIPTION || k == SK_ORDER || outpatient_dispense(s, f);
	switch (c) {
	case C_MISSING:
	case C_LATE: return exported;
	case C_DUPLICATE: return exported && k != SK_DISPENSE;
	case C_AMOUNT: return k == SK_REGISTRATION || k == SK_CHARGE || k == SK_EXAM || k == SK_WARD_CHARGE;
	case C_QTY: return k == SK_CHARGE || k == SK_PRESCRIPTION || k == SK_ORDER || outpatient_dispense(s, f);
	case C_ITEM: return k == SK_CHARGE || k == SK_PRESCRIPTION || k == SK_ORDER;
	case C_PATIENT: return (k == SK_CHARGE || k == SK_REGISTRATION) && f->invoice;
	case C_INV_DUP: return (k == SK_CHARGE || k == SK_REGISTRATION) && f->invoice;
	case C_VOID_CHARGED: return k == SK_INVOICE_VOID;
	case C_DISPENSE: return ward_requisition(s, f) && !f->dispense_short;
	default: return 0;
	}
}

/* Pick round(rate x eligible) forms (at least one when any is eligible) for
 * class c, by a partial shuffle drawn from the seed. */
static void choose(sim *s, int c)
{
	size_t n = 0;
	size_t *idx = malloc((s->nforms + 1) * sizeof *idx);
	if (!idx)
		exit(BULU_SYSTEM);
	for (size_t i = 0; i < s->nforms; i++)
		if (eligible(s, c, &s->forms[i]))
			idx[n++] = i;
	size_t want = (size_t)(rate_of(s, c) * (double)n + 0.5);
	if (want < 1 && n > 0 && rate_of(s, c) > 0)
		want = 1;
	for (size_t k = 0; k < want && k < n; k++) {
		size_t j = k + sim_rng_below(&s->rng, n - k), t = idx[k];
		idx[k] = idx[j];
		idx[j] = t;
		sim_form *f = &s->forms[idx[k]];
		f->inj = c;
		f->inj_line = f->nlines > 1 ? (int)sim_rng_below(&s->rng, (uint64_t)f->nlines) : 0;
	}
	free(idx);
}

/* ---- rows ---- */
typedef struct outf {
	FILE *fp;
	buf b;
	long rows;
} outf;

static void out_flush(outf *o)
{
	if (o->b.len)
		fwrite(o->b.p, 1, o->b.len, o->fp);
	buf_reset(&o->b);
}

static void cell(outf *o, const char *v) { cli_csv_cell_raw(&o->b, v, 0); }
static void cell_last(outf *o, const char *v)
{
	cli_csv_cell_raw(&o->b, v, 1);
	o->rows++;
	if (o->b.len > (1u << 20))
		out_flush(o);
}
static void cell_int(outf *o, int64_t v)
{
	char t[24];
	snprintf(t, sizeof t, "%" PRId64, v);
	cell(o, t);
}
static void cell_yuan(outf *o, int64_t fen)
{
	char t[32];
	money_format_yuan(fen, t);
	cell(o, t);
}
static void cell_time(outf *o, int64_t t)
{
	char w[32];
	sim_fmt_time(t, w, 0);
	cell(o, w);
}

static int out_open(outf *o, const char *dir, const char *name, const char *header, bulu_err *e)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	memset(o, 0, sizeof *o);
	o->fp = fopen(path, "wb");
	if (!o->fp)
		return bulu_errf(e, BULU_SYSTEM, "%s: cannot write", path);
	buf_puts(&o->b, "\xEF\xBB\xBF"); /* as the HIS saves for Excel */
	buf_puts(&o->b, header);
	buf_puts(&o->b, "\r\n");
	return BULU_OK;
}

static int out_close(outf *o, bulu_err *e)
{
	out_flush(o);
	int bad = o->b.oom || ferror(o->fp);
	buf_free(&o->b);
	if (fclose(o->fp) != 0 || bad)
		return bulu_errf(e, BULU_SYSTEM, "writing a HIS export failed");
	return BULU_OK;
}

/* What the clerk typed for one journal line, and whether, how and when. */
typedef struct typed {
	char patient[16];
	int item;
	int64_t qty, price, amount;
	int64_t occurred, entered;
	char ref[64];
} typed;

struct ctx {
	sim *s;
	int64_t day_end;     /* end of the restore day */
	long his;            /* his_id counter */
	long stranger;       /* patient ids the HIS typed wrongly, or nobody captured */
	char station_of[16];
};

static void his_id(struct ctx *c, const char *prefix, char out[24])
{
	snprintf(out, 24, "%s%08ld", prefix, ++c->his);
}

/* The back-fill of line l of f, before any discrepancy: typed on the day
 * of recovery in form order, half the rows with the BL reference. */
static void typed_line(struct ctx *c, const sim_form *f, int l, typed *t)
{
	const sim *s = c->s;
	memset(t, 0, sizeof *t);
	memcpy(t->patient, f->patient, sizeof t->patient);
	if (f->kind == SK_REGISTRATION) {
		t->item = -1;
		t->qty = 1;
		t->price = t->amount = f->fee;
	} else {
		t->item = f->lines[l].item;
		t->qty = f->lines[l].qty;
		t->price = sim_catalog[t->item].price;
		t->amount = t->price * t->qty;
	}
	/* typing starts 10 minutes after the restore notice and is done by
	 * 23:00; rows are spread over that in form order */
	size_t i = (size_t)(f - s->forms);
	int64_t span = c->day_end - 3600 - (s->end + 600);
	t->entered = s->end + 600 + (int64_t)((double)span * (double)i / (double)(s->nforms + 1));
	t->occurred = f->his_stamp_entered ? t->entered : f->occurred;
	if (f->inj == C_LATE)
		t->entered = c->day_end + 86400 + 3600 + (int64_t)(i % 3600);
	int lineno = f->kind == SK_REGISTRATION ? 0 : l + 1;
	if ((f->occurred / 60) % 2 == 0) {
		if (lineno)
			snprintf(t->ref, sizeof t->ref, "补录 BL-%s-%" PRId64 "-%d",
			         s->stations[f->station].id, f->seq, lineno);
		else
			snprintf(t->ref, sizeof t->ref, "补录 BL-%s-%" PRId64, s->stations[f->station].id, f->seq);
	}
}

static sim_truth *truth_line(struct ctx *c, int cls, const char *kind, const sim_form *f, int l,
                             const char *what)
{
	sim_truth *t = sim_truth_add(c->s, sim_classes[cls], kind);
	snprintf(t->station, sizeof t->station, "%s", c->s->stations[f->station].id);
	t->seq = f->seq;
	t->line = f->kind == SK_REGISTRATION ? -1 : l + 1; /* a registration is one line, unnumbered */
	snprintf(t->patient, sizeof t->patient, "%s", f->patient);
	if (f->kind != SK_REGISTRATION)
		snprintf(t->item, sizeof t->item, "%s", sim_catalog[f->lines[l].item].code);
	t->what = what;
	return t;
}

/* Apply f's discrepancy to line l as typed; returns 0 when the line is not
 * typed at all.  Adds the truth row. */
static int mistype(struct ctx *c, const sim_form *f, int l, const char *kind, typed *t)
{
	if (f->inj == C_LATE) {
		truth_line(c, C_LATE, kind, f, l, "typed after its deadline");
		return 1;
	}
	if (f->inj < 0 || l != f->inj_line)
		return 1;
	switch (f->inj) {
	case C_MISSING:
		truth_line(c, C_MISSING, kind, f, l, "never typed into the HIS");
		return 0;
	case C_AMOUNT:
		t->price += f->kind == SK_REGISTRATION ? 500 : 100;
		t->amount = t->price * t->qty;
		truth_line(c, C_AMOUNT, kind, f, l, "typed with a wrong price");
		return 1;
	case C_QTY:
		t->qty += 1;
		t->amount = t->price * t->qty;
		truth_line(c, C_QTY, kind, f, l, "typed with a wrong quantity");
		return 1;
	case C_ITEM: {
		/* the next item of the same kind that the form does not name, or
		 * of any kind when the form names every one of its kind */
		int k = sim_catalog[t->item].kind, it = t->item, any = -1;
		for (size_t n = 1; n < sim_ncatalog; n++) {
			int x = (t->item + (int)n) % (int)sim_ncatalog, on = 0;
			for (int j = 0; j < f->nlines; j++)
				on |= f->lines[j].item == x;
			if (on)
				continue;
			if (any < 0)
				any = x;
			if (sim_catalog[x].kind == k) {
				it = x;
				break;
			}
		}
		t->item = it != t->item ? it : any;
		t->price = sim_catalog[it].price;
		t->amount = t->price * t->qty;
		truth_line(c, C_ITEM, kind, f, l, "typed with the wrong item");
		return 1;
	}
	case C_PATIENT:
		snprintf(t->patient, sizeof t->patient, "%08ld", 70000000 + ++c->stranger);
		truth_line(c, C_PATIENT, kind, f, l, "typed under another patient's id");
		return 1;
	case C_DUPLICATE:
		truth_line(c, C_DUPLICATE, kind, f, l, "typed twice");
		return 1;
	case C_VOIDED:
		truth_line(c, C_VOIDED, kind, f, l, "a voided form typed in");
		return 1;
	default:
		return 1;
	}
}

static void charge_row(outf *o, struct ctx *c, const sim_form *f, const typed *t, const char *hid)
{
	char inv[24] = "";
	if (f->invoice)
		sim_fmt_invoice(f->invoice, inv);
	cell(o, hid);
	cell(o, t->patient);
	cell(o, f->name);
	cell(o, sim_catalog[t->item].code);
	cell(o, sim_catalog[t->item].name);
	cell_int(o, t->qty);
	cell_yuan(o, t->price);
	cell_yuan(o, t->amount);
	cell_time(o, t->occurred);
	cell_time(o, t->entered);
	cell(o, f->operator_);
	cell(o, inv);
	cell(o, f->dept);
	cell_last(o, t->ref);
	(void)c;
}

/* The HIS's ordinary traffic: n rows nobody captured, the day before, the
 * day after, and all day in departments that had their own paper. */
static void ordinary(outf *o, struct ctx *c, long n)
{
	static const char *const depts[] = {"体检中心", "口腔科", "眼科", "康复科"};
	sim *s = c->s;
	for (long i = 0; i < n; i++) {
		typed t;
		memset(&t, 0, sizeof t);
		snprintf(t.patient, sizeof t.patient, "9%07" PRIu64, sim_rng_below(&s->rng, 10000000));
		t.item = (int)sim_rng_below(&s->rng, sim_ncatalog);
		t.qty = 1 + (int64_t)sim_rng_below(&s->rng, 3);
		t.price = sim_catalog[t.item].price;
		t.amount = t.price * t.qty;
		uint64_t where = sim_rng_below(&s->rng, 3);
		const char *dept = where == 0 ? depts[i % 4] : s->stations[i % s->nstations].dept;
		int64_t day = s->start - 8 * 3600; /* 00:00 of the outage day */
		if (where == 0)
			t.occurred = day - 86400 + (int64_t)sim_rng_below(&s->rng, 3 * 86400);
		else if (where == 1)
			t.occurred = day - 86400 + (int64_t)sim_rng_below(&s->rng, 86400);
		else
			t.occurred = day + 86400 + (int64_t)sim_rng_below(&s->rng, 86400);
		t.entered = t.occurred + 30;
		char hid[24], inv[24];
		his_id(c, "SF", hid);
		snprintf(inv, sizeof inv, "9%09" PRIu64, sim_rng_below(&s->rng, 1000000000));
		cell(o, hid);
		cell(o, t.patient);
		cell(o, "门诊患者");
		cell(o, sim_catalog[t.item].code);
		cell(o, sim_catalog[t.item].name);
		cell_int(o, t.qty);
		cell_yuan(o, t.price);
		cell_yuan(o, t.amount);
		cell_time(o, t.occurred);
		cell_time(o, t.entered);
		cell(o, "收费员");
		cell(o, inv);
		cell(o, dept);
		cell_last(o, "");
	}
}

/* A row writer of one export: line t of form f under the HIS id hid. */
typedef void (*row_fn)(outf *o, struct ctx *c, const sim_form *f, const typed *t, const char *hid);

/* Line l of form f as the back-fill typed it into an export of `kind`
 * (ids with prefix): with its injected mistake, left out when that is the
 * mistake, and typed a second time three minutes later when a duplicate was
 * injected there (the truth row then names the second copy). */
static void typed_rows(outf *o, struct ctx *c, const sim_form *f, int l, const char *kind,
                       const char *prefix, row_fn row)
{
	typed t;
	typed_line(c, f, l, &t);
	if (!mistype(c, f, l, kind, &t))
		return;
	char hid[24];
	his_id(c, prefix, hid);
	row(o, c, f, &t, hid);
	if (f->inj == C_DUPLICATE && l == f->inj_line) {
		sim_truth *tr = &c->s->truth[c->s->ntruth - 1];
		his_id(c, prefix, tr->his_id);
		t.entered += 180;
		row(o, c, f, &t, tr->his_id);
	}
}

static int write_charges(struct ctx *c, const char *dir, bulu_err *e)
{
	sim *s = c->s;
	outf o;
	int rc = out_open(&o, dir, "charges.csv",
	                  "流水号,患者编号,姓名,项目编码,项目名称,数量,单价,金额,发生时间,录入时间,操作员,发票号,科室,备注", e);
	if (rc)
		return rc;
	/* rows nobody captured: a share of the outage's lines */
	long mine = 0;
	for (size_t i = 0; i < s->nforms; i++) {
		const sim_form *f = &s->forms[i];
		if (!f->drill && (f->kind == SK_CHARGE || f->kind == SK_EXAM || f->kind == SK_WARD_CHARGE))
			mine += f->nlines;
	}
	long extra = (long)(rate_of(s, C_EXTRA) * (double)mine + 0.5);
	if (extra < 1 && rate_of(s, C_EXTRA) > 0)
		extra = 1;
	for (size_t i = 0; i < s->nforms; i++) {
		const sim_form *f = &s->forms[i];
		if (f->drill || (f->kind != SK_CHARGE && f->kind != SK_EXAM && f->kind != SK_WARD_CHARGE))
			continue;
		if (f->voided && f->inj != C_VOIDED)
			continue; /* 退费: rightly never typed in */
		for (int l = 0; l < f->nlines; l++) {
			if (f->inj == C_VOIDED && l != f->inj_line)
				continue;
			typed_rows(&o, c, f, l, "charges", "SF", charge_row);
		}
	}
	/* rows nobody captured, in the outage's departments and hours */
	for (long k = 0; k < extra; k++) {
		sim_form f;
		memset(&f, 0, sizeof f);
		int st = (int)(k % s->nstations);
		while (s->stations[st].r != ROLE_CASHIER && s->stations[st].r != ROLE_LAB)
			st = (st + 1) % s->nstations;
		f.dept = s->stations[st].dept;
		f.operator_ = s->stations[st].operators[0];
		snprintf(f.name, sizeof f.name, "补录患者");
		typed t;
		memset(&t, 0, sizeof t);
		snprintf(t.patient, sizeof t.patient, "%08ld", 60000000 + ++c->stranger);
		t.item = (int)sim_rng_below(&s->rng, sim_ncatalog);
		t.qty = 7; /* no captured line has seven of anything */
		t.price = sim_catalog[t.item].price;
		t.amount = t.price * t.qty;
		t.occurred = s->start + (int64_t)sim_rng_below(&s->rng, (uint64_t)(s->end - s->start));
		t.entered = s->end + 3600;
		sim_truth *tr = sim_truth_add(s, "EXTRA_IN_HIS", "charges");
		his_id(c, "SF", tr->his_id);
		snprintf(tr->patient, sizeof tr->patient, "%s", t.patient);
		snprintf(tr->item, sizeof tr->item, "%s", sim_catalog[t.item].code);
		tr->what = "typed into the HIS, captured at no station";
		/* an electronic invoice of the HIS's own series */
		f.invoice = 0;
		charge_row(&o, c, &f, &t, tr->his_id);
	}
	if (s->o.his_rows > o.rows)
		ordinary(&o, c, s->o.his_rows - o.rows);
	return out_close(&o, e);
}

static int write_registrations(struct ctx *c, const char *dir, bulu_err *e)
{
	sim *s = c->s;
	outf o;
	int rc = out_open(&o, dir, "registrations.csv",
	                  "流水号,患者编号,姓名,性别,科室,医生,挂号费,发生时间,录入时间,操作员,发票号,备注", e);
	if (rc)
		return rc;
	for (size_t i = 0; i < s->nforms; i++) {
		const sim_form *f = &s->forms[i];
		if (f->drill || f->kind != SK_REGISTRATION || f->voided)
			continue;
		typed t;
		typed_line(c, f, 0, &t);
		if (!mistype(c, f, 0, "registrations", &t))
			continue;
		for (int copy = 0; copy < 1 + (f->inj == C_DUPLICATE); copy++) {
			char hid[24], inv[24];
			his_id(c, "GH", hid);
			if (copy) {
				snprintf(s->truth[s->ntruth - 1].his_id, 24, "%s", hid);
				t.entered += 180;
			}
			sim_fmt_invoice(f->invoice, inv);
			cell(&o, hid);
			cell(&o, t.patient);
			cell(&o, f->name);
			cell(&o, i % 2 ? "女" : "男");
			cell(&o, f->dept);
			cell(&o, "");
			cell_yuan(&o, t.amount);
			cell_time(&o, t.occurred);
			cell_time(&o, t.entered);
			cell(&o, f->operator_);
			cell(&o, inv);
			cell_last(&o, t.ref);
		}
	}
	return out_close(&o, e);
}

static void order_row(outf *o, struct ctx *c, const sim_form *f, const typed *t, const char *hid)
{
	(void)c;
	cell(o, hid);
	cell(o, t->patient);
	cell(o, f->name);
	cell(o, sim_catalog[t->item].code);
	cell(o, sim_catalog[t->item].name);
	cell_int(o, t->qty);
	cell_time(o, t->occurred);
	cell_time(o, t->entered);
	cell(o, f->operator_);
	cell(o, f->dept);
	cell_last(o, t->ref);
}

static int write_orders(struct ctx *c, const char *dir, bulu_err *e)
{
	sim *s = c->s;
	outf o;
	int rc = out_open(&o, dir, "orders.csv",
	                  "流水号,患者编号,姓名,项目编码,项目名称,数量,发生时间,录入时间,操作员,科室,备注", e);
	if (rc)
		return rc;
	for (size_t i = 0; i < s->nforms; i++) {
		const sim_form *f = &s->forms[i];
		if (f->drill || f->voided)
			continue;
		if (ward_requisition(s, f)) {
			/* the ward's orders for the drugs it requisitioned, back-filled
			 * by the nurses: the HIS side of the three-way check */
			for (int l = 0; l < f->nlines; l++) {
				typed t;
				typed_line(c, f, l, &t);
				t.ref[0] = 0;
				if (f->dispense_short && l == 0) {
					sim_truth *tr = truth_line(c, C_DISPENSE, "drugs", f, l,
					                           "the pharmacy dispensed less than requisitioned");
					(void)tr;
				}
				if (f->inj == C_DISPENSE && l == 0) {
					t.qty += 1;
					truth_line(c, C_DISPENSE, "drugs", f, l, "the HIS order differs from the requisition");
				}
				char hid[24];
				his_id(c, "YZ", hid);
				order_row(&o, c, f, &t, hid);
			}
			continue;
		}
		if (f->kind != SK_PRESCRIPTION && f->kind != SK_ORDER)
			continue;
		for (int l = 0; l < f->nlines; l++)
			typed_rows(&o, c, f, l, "orders", "YZ", order_row);
	}
	return out_close(&o, e);
}

/* (a dispense is never typed twice: C_DUPLICATE is not injected there) */
static void dispense_row(outf *o, struct ctx *c, const sim_form *f, const typed *t, const char *hid)
{
	cell(o, hid);
	cell(o, t->patient);
	cell(o, sim_catalog[t->item].code);
	cell(o, sim_catalog[t->item].name);
	cell_int(o, t->qty);
	cell_time(o, t->occurred);
	cell_time(o, t->entered);
	cell(o, f->operator_);
	cell(o, f->ref >= 0 ? c->s->forms[f->ref].id : "");
	cell_last(o, t->ref);
}

static int write_dispenses(struct ctx *c, const char *dir, bulu_err *e)
{
	sim *s = c->s;
	outf o;
	int rc = out_open(&o, dir, "dispenses.csv",
	                  "流水号,患者编号,项目编码,项目名称,数量,发生时间,录入时间,操作员,处方/请领单号,备注", e);
	if (rc)
		return rc;
	for (size_t i = 0; i < s->nforms; i++) {
		const sim_form *f = &s->forms[i];
		if (f->drill || f->kind != SK_DISPENSE)
			continue;
		for (int l = 0; l < f->nlines; l++)
			typed_rows(&o, c, f, l, "dispenses", "FY", dispense_row);
	}
	return out_close(&o, e);
}

static int by_invoice(const void *a, const void *b)
{
	const sim_form *x = *(sim_form *const *)a, *y = *(sim_form *const *)b;
	return (x->invoice > y->invoice) - (x->invoice < y->invoice);
}

static void register_row(outf *o, int64_t number, const char *status, int64_t amount,
                         const char *op, int64_t when)
{
	char inv[24], w[32];
	sim_fmt_invoice(number, inv);
	sim_fmt_time(when, w, 0);
	cell(o, inv);
	cell(o, status);
	cell_yuan(o, amount);
	cell(o, op);
	cell_last(o, w);
}

static int write_invoices(struct ctx *c, const char *dir, bulu_err *e)
{
	sim *s = c->s;
	outf o;
	int rc = out_open(&o, dir, "invoices.csv", "发票号,状态,金额,操作员,发生时间", e);
	if (rc)
		return rc;
	size_t n = 0;
	sim_form **v = malloc((s->nforms + 1) * sizeof *v);
	if (!v) {
		out_close(&o, e);
		return bulu_errf(e, BULU_SYSTEM, "out of memory");
	}
	for (size_t i = 0; i < s->nforms; i++)
		if (!s->forms[i].drill && s->forms[i].invoice)
			v[n++] = &s->forms[i];
	qsort(v, n, sizeof *v, by_invoice);
	for (size_t i = 0; i < n; i++) {
		const sim_form *f = v[i];
		if (f->kind == SK_INVOICE_VOID) {
			if (f->inj == C_VOID_CHARGED) {
				register_row(&o, f->invoice, "正常", 5000, f->operator_, f->occurred);
				sim_truth *t = sim_truth_add(s, "INVOICE_VOID_CHARGED", "invoices");
				snprintf(t->station, sizeof t->station, "%s", s->stations[f->station].id);
				sim_fmt_invoice(f->invoice, t->invoice);
				t->what = "a spoiled number shown as used by the register";
			} else {
				register_row(&o, f->invoice, "作废", 0, f->operator_, f->occurred);
			}
			continue;
		}
		int64_t amount = sim_form_amount(f, -1);
		register_row(&o, f->invoice, f->voided ? "作废" : "正常", amount, f->operator_, f->occurred);
		if (f->inj == C_INV_DUP) {
			register_row(&o, f->invoice, "正常", amount, f->operator_, f->occurred + 60);
			sim_truth *t = sim_truth_add(s, "INVOICE_DUPLICATE", "invoices");
			snprintf(t->station, sizeof t->station, "%s", s->stations[f->station].id);
			sim_fmt_invoice(f->invoice, t->invoice);
			t->what = "a number held twice by the register";
		}
	}
	free(v);
	/* numbers of a manual book that the register holds and no station
	 * recorded: a form written on paper and never captured */
	long want = (long)(rate_of(s, C_UNRECORDED) * (double)n + 0.5);
	if (want < 1 && rate_of(s, C_UNRECORDED) > 0)
		want = 1;
	for (int i = 0; i < s->nstations && want > 0; i++) {
		sim_station *st = &s->stations[i];
		if (st->r != ROLE_CASHIER || st->next_invoice > st->book_to)
			continue;
		register_row(&o, st->next_invoice, "正常", 2500, st->operators[0], s->start + 3600);
		sim_truth *t = sim_truth_add(s, "INVOICE_UNRECORDED", "invoices");
		snprintf(t->station, sizeof t->station, "%s", st->id);
		sim_fmt_invoice(st->next_invoice, t->invoice);
		t->what = "a book number the register holds and no station recorded";
		want--;
	}
	return out_close(&o, e);
}

int sim_truth_write(sim *s, const char *dir, bulu_err *e)
{
	outf o;
	int rc = out_open(&o, dir, "truth.csv",
	                  "class,kind,station,seq,line,his_id,patient_id,item_code,invoice_no,injected", e);
	if (rc)
		return rc;
	for (size_t i = 0; i < s->ntruth; i++) {
		const sim_truth *t = &s->truth[i];
		cell(&o, t->cls);
		cell(&o, t->kind);
		cell(&o, t->station);
		if (t->seq)
			cell_int(&o, t->seq);
		else
			cell(&o, "");
		if (t->line >= 0)
			cell_int(&o, t->line);
		else
			cell(&o, "");
		cell(&o, t->his_id);
		cell(&o, t->patient);
		cell(&o, t->item);
		cell(&o, t->invoice);
		cell_last(&o, t->what ? t->what : "");
	}
	return out_close(&o, e);
}

int sim_his_write(sim *s, const char *dir, bulu_err *e)
{
	struct ctx c = {.s = s};
	c.day_end = (s->start + 8 * 3600) / 86400 * 86400 + 86400 - 8 * 3600;
	/* one form in ten is stamped by the HIS with the moment of typing */
	for (size_t i = 0; i < s->nforms; i++)
		s->forms[i].his_stamp_entered = sim_rng_chance(&s->rng, 0.1);
	static const int order[] = {C_VOIDED, C_DISPENSE, C_PATIENT, C_ITEM, C_QTY, C_AMOUNT,
		C_DUPLICATE, C_MISSING, C_LATE, C_INV_DUP, C_VOID_CHARGED};
	for (size_t k = 0; k < sizeof order / sizeof *order; k++)
		choose(s, order[k]);
	for (size_t i = 0; i < s->nforms; i++) {
		sim_form *f = &s->forms[i];
		if (f->inj >= 0)
			f->his_stamp_entered = 0; /* a discrepancy is typed with its paper time */
		if (f->bad_ref && !f->drill) {
			/* dispensed against a voucher no journal holds (world.c) */
			sim_truth *t = truth_line(&c, C_REF_UNKNOWN, "dispenses", f, 0,
			                          "dispensed against a form no station captured");
			(void)t;
		}
	}
	int rc = write_registrations(&c, dir, e);
	if (!rc)
		rc = write_charges(&c, dir, e);
	if (!rc)
		rc = write_orders(&c, dir, e);
	if (!rc)
		rc = write_dispenses(&c, dir, e);
	if (!rc)
		rc = write_invoices(&c, dir, e);
	return rc;
}
