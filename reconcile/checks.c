/*
 * checks.c - the rules beyond line matching, run after it: the
 * manual-invoice register, and the pharmacy's three-way drug check.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulu/hashidx.h"
#include "recon.h"

static int oom(bulu_err *e) { return bulu_errf(e, BULU_SYSTEM, "out of memory"); }
static const char *S(const struct recon *r, uint32_t id) { return strpool_str(r->pool, id); }

/* --- invoices ------------------------------------------------------------ */

static const strpool *cmp_pool; /* for the comparators below (one run at a time) */

static int station_cmp(uint32_t a, uint32_t b)
{
	return a == b ? 0 : strcmp(strpool_str(cmp_pool, a), strpool_str(cmp_pool, b));
}

/* By number (numeric, else text), uses before voids, then station and seq. */
static int use_cmp(const void *a, const void *b)
{
	const struct inv_use *x = a, *y = b;
	if (x->no != y->no)
		return x->no < y->no ? -1 : 1;
	if (x->no < 0 && x->text != y->text)
		return strcmp(strpool_str(cmp_pool, x->text), strpool_str(cmp_pool, y->text));
	if (x->voided != y->voided)
		return x->voided < y->voided ? -1 : 1;
	int c = station_cmp(x->station, y->station);
	if (c)
		return c;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static int same_no(const struct inv_use *x, const struct inv_use *y)
{
	return x->no == y->no && (x->no >= 0 || x->text == y->text);
}

static void use_finding(struct recon *r, struct finding *f, const struct inv_use *x)
{
	if (x->unit)
		recon_unit_finding(r, f, x->unit - 1);
	f->station = x->station;
	f->seq = x->seq;
	f->line = 0;
	f->item = 0;
	f->dept = x->dept;
	f->operator_ = x->operator_;
}

struct his_inv {
	int64_t no;
	uint32_t ri;
};

static int his_inv_cmp(const void *a, const void *b)
{
	const struct his_inv *x = a, *y = b;
	if (x->no != y->no)
		return x->no < y->no ? -1 : 1;
	return (x->ri > y->ri) - (x->ri < y->ri);
}

/* The HIS invoice rows with number no: [*lo, *hi) in the sorted index. */
static void his_range(const struct his_inv *v, size_t n, int64_t no, size_t *lo, size_t *hi)
{
	size_t a = 0, b = n;
	while (a < b) {
		size_t m = a + (b - a) / 2;
		if (v[m].no < no)
			a = m + 1;
		else
			b = m;
	}
	*lo = a;
	while (a < n && v[a].no == no)
		a++;
	*hi = a;
}

static const struct book *book_of(const struct recon *r, int64_t no)
{
	for (size_t b = 0; b < r->nbooks; b++)
		if (no >= r->books[b].from && no <= r->books[b].to)
			return &r->books[b];
	return NULL;
}

static void fmt_no(char out[32], int64_t no, int width)
{
	snprintf(out, 32, "%0*" PRId64, width > 0 && width < 20 ? width : 1, no);
}

int recon_invoices(struct recon *r, bulu_err *e)
{
	int rc = BULU_OK;
	cmp_pool = r->pool;
	if (r->ninv)
		qsort(r->inv, r->ninv, sizeof *r->inv, use_cmp);
	const struct his_table *t = &r->his[HIS_INVOICES];
	int have = r->given[HIS_INVOICES];
	struct his_inv *hv = NULL;
	size_t nh = 0;
	uint8_t *seen = NULL; /* HIS invoice row -> accounted for by a journal */
	if (have) {
		hv = malloc((t->n + 1) * sizeof *hv);
		seen = calloc(t->n + 1, 1);
		if (!hv || !seen) {
			rc = oom(e);
			goto done;
		}
		for (size_t i = 0; i < t->n; i++) {
			int64_t v = recon_invoice_value(S(r, t->rows[i].invoice));
			if (v >= 0)
				hv[nh++] = (struct his_inv){v, (uint32_t)i};
		}
		qsort(hv, nh, sizeof *hv, his_inv_cmp);
	}

	/* journal side: each number once; a second use is a duplicate */
	for (size_t i = 0; i < r->ninv && rc == BULU_OK; i++) {
		const struct inv_use *x = &r->inv[i];
		char no[32];
		snprintf(no, sizeof no, "%s", S(r, x->text));
		if (i > 0 && same_no(x, &r->inv[i - 1])) {
			const struct inv_use *p = &r->inv[i - 1];
			enum rclass c = x->voided && !p->voided ? RC_INVOICE_VOID_CHARGED : RC_INVOICE_DUPLICATE;
			if (x->voided && p->voided)
				continue; /* voided twice is the same void */
			struct finding *f = recon_add(r, c, HIS_INVOICES);
			if (!f) {
				rc = oom(e);
				break;
			}
			use_finding(r, f, x);
			f->jval = x->text;
			f->expl = c == RC_INVOICE_DUPLICATE
					  ? recon_str(r, "invoice %s is used by BL-%s-%" PRId64 " and by BL-%s-%" PRId64, no,
						      S(r, p->station), p->seq, S(r, x->station), x->seq)
					  : recon_str(r, "invoice %s is voided by BL-%s-%" PRId64 " yet charged by BL-%s-%" PRId64,
						      no, S(r, x->station), x->seq, S(r, p->station), p->seq);
			continue;
		}
		if (!have || x->no < 0)
			continue;
		size_t lo, hi;
		his_range(hv, nh, x->no, &lo, &hi);
		for (size_t k = lo; k < hi; k++)
			seen[hv[k].ri] = 1;
		struct finding *f = NULL;
		if (lo == hi) {
			f = recon_add(r, RC_MISSING_IN_HIS, HIS_INVOICES);
			if (!f) {
				rc = oom(e);
				break;
			}
			use_finding(r, f, x);
			f->jval = x->text;
			f->expl = recon_str(r, "invoice %s, %s by BL-%s-%" PRId64 ", is not in the HIS invoice register", no,
					    x->voided ? "voided" : "used", S(r, x->station), x->seq);
			continue;
		}
		const struct his_row *h = &t->rows[hv[lo].ri];
		if (x->voided != h->voided) {
			f = recon_add(r, RC_INVOICE_VOID_CHARGED, HIS_INVOICES);
			if (!f) {
				rc = oom(e);
				break;
			}
			use_finding(r, f, x);
			recon_row_finding(r, f, HIS_INVOICES, h);
			f->jval = recon_str(r, "%s %s", no, x->voided ? "作废" : "正常");
			f->hval = recon_str(r, "%s %s", no, h->voided ? "作废" : "正常");
			f->expl = x->voided ? recon_str(r, "the journal voided invoice %s (BL-%s-%" PRId64 "); the HIS register shows it used",
						       no, S(r, x->station), x->seq)
					    : recon_str(r, "BL-%s-%" PRId64 " charged invoice %s; the HIS register shows it voided",
						       S(r, x->station), x->seq, no);
		} else if (!x->voided && t->has[HF_AMOUNT] && h->amount != x->amount) {
			f = recon_add(r, RC_AMOUNT_MISMATCH, HIS_INVOICES);
			if (!f) {
				rc = oom(e);
				break;
			}
			use_finding(r, f, x);
			recon_row_finding(r, f, HIS_INVOICES, h);
			char a[32], b[32];
			recon_yuan(x->amount, a);
			recon_yuan(h->amount, b);
			f->jval = recon_str(r, "%s", a);
			f->hval = recon_str(r, "%s", b);
			f->diff = recon_sub_sat(h->amount, x->amount);
			f->expl = recon_str(r, "invoice %s: the HIS register says %s, the journal's total is %s", no, b, a);
		}
		/* the same number twice in the HIS register */
		for (size_t k = lo + 1; k < hi && rc == BULU_OK; k++) {
			const struct his_row *h2 = &t->rows[hv[k].ri];
			if (h2->voided)
				continue;
			f = recon_add(r, RC_INVOICE_DUPLICATE, HIS_INVOICES);
			if (!f) {
				rc = oom(e);
				break;
			}
			use_finding(r, f, x);
			recon_row_finding(r, f, HIS_INVOICES, h2);
			f->jval = x->text;
			f->hval = h2->invoice;
			f->expl = recon_str(r, "invoice %s appears more than once in the HIS register", no);
		}
	}

	/* gaps: numbers of a book between its lowest and highest used or voided
	 * number that no journal records (the HIS may know them: unrecorded) */
	for (size_t b = 0; b < r->nbooks && rc == BULU_OK; b++) {
		const struct book *bk = &r->books[b];
		int64_t prev = -1;
		for (size_t i = 0; i <= r->ninv && rc == BULU_OK; i++) {
			const struct inv_use *x = i < r->ninv ? &r->inv[i] : NULL;
			if (x && (x->station != bk->station || x->no < bk->from || x->no > bk->to))
				continue;
			if (!x)
				break;
			if (prev >= 0 && x->no > prev + 1) {
				/* prev+1 .. x->no-1 are missing; split out what the HIS holds */
				int64_t from = prev + 1;
				for (int64_t n = prev + 1; n <= x->no && rc == BULU_OK; n++) {
					size_t lo = 0, hi = 0;
					if (have && n < x->no)
						his_range(hv, nh, n, &lo, &hi);
					if (n < x->no && lo == hi)
						continue;
					if (n > from) {
						char a[32], z[32];
						fmt_no(a, from, bk->width);
						fmt_no(z, n - 1, bk->width);
						struct finding *f = recon_add(r, RC_INVOICE_GAP, HIS_INVOICES);
						if (!f) {
							rc = oom(e);
							break;
						}
						f->station = bk->station;
						f->seq = bk->seq;
						f->dept = bk->dept;
						f->jval = from == n - 1 ? recon_str(r, "%s", a) : recon_str(r, "%s-%s", a, z);
						f->expl = recon_str(r, "%" PRId64 " number%s of the book BL-%s-%" PRId64 " between used numbers "
								       "%s neither used nor voided in any journal nor in the HIS",
								    n - from, n - from == 1 ? "" : "s", S(r, bk->station), bk->seq,
								    n - from == 1 ? "is" : "are");
					}
					from = n + 1;
				}
			}
			prev = x->no;
		}
	}

	/* HIS numbers of an outage book, within the window, no journal recorded */
	for (size_t k = 0; have && k < nh && rc == BULU_OK; k++) {
		const struct his_row *h = &t->rows[hv[k].ri];
		if (seen[hv[k].ri] || (k > 0 && hv[k - 1].no == hv[k].no))
			continue;
		const struct book *bk = book_of(r, hv[k].no);
		if (!bk)
			continue;
		int in = h->occurred == HIS_NO_TIME ||
			 ((r->win_from == NO_TIME || h->occurred >= r->win_from) &&
			  (r->win_to == NO_TIME || h->occurred <= r->win_to + 86400 * (int64_t)(1 + r->o.due_all)));
		if (!in)
			continue;
		struct finding *f = recon_add(r, RC_INVOICE_UNRECORDED, HIS_INVOICES);
		if (!f) {
			rc = oom(e);
			break;
		}
		f->station = bk->station;
		f->seq = bk->seq;
		f->dept = bk->dept;
		recon_row_finding(r, f, HIS_INVOICES, h);
		f->hval = recon_str(r, "%s %s", S(r, h->invoice), h->voided ? "作废" : "正常");
		f->expl = recon_str(r, "the HIS register holds invoice %s of the manual book BL-%s-%" PRId64
				       ", which no journal records as used or voided",
				    S(r, h->invoice), S(r, bk->station), bk->seq);
	}

	/* a number voided by invoice_void that a HIS charge row carries */
	if (rc == BULU_OK && r->given[HIS_CHARGES] && r->his[HIS_CHARGES].has[HF_INVOICE_NO]) {
		const struct his_table *c = &r->his[HIS_CHARGES];
		for (size_t i = 0; i < c->n && rc == BULU_OK; i++) {
			const struct his_row *h = &c->rows[i];
			if (!h->invoice)
				continue;
			int64_t v = recon_invoice_value(S(r, h->invoice));
			/* the first use of this number in the sorted uses */
			size_t a = 0, b = r->ninv;
			while (a < b) {
				size_t m = a + (b - a) / 2;
				const struct inv_use *x = &r->inv[m];
				int less = x->no != v ? x->no < v
						      : v < 0 && strcmp(S(r, x->text), S(r, h->invoice)) < 0;
				if (less)
					a = m + 1;
				else
					b = m;
			}
			struct inv_use key = {.no = v, .text = h->invoice};
			for (size_t j = a; j < r->ninv && same_no(&r->inv[j], &key); j++) {
				const struct inv_use *x = &r->inv[j];
				if (!x->voided || x->unit)
					continue;
				struct finding *f = recon_add(r, RC_INVOICE_VOID_CHARGED, HIS_CHARGES);
				if (!f) {
					rc = oom(e);
					break;
				}
				use_finding(r, f, x);
				recon_row_finding(r, f, HIS_CHARGES, h);
				f->jval = recon_str(r, "%s 作废", S(r, x->text));
				f->hval = h->invoice;
				f->expl = recon_str(r, "invoice %s was voided unused (BL-%s-%" PRId64 "), yet a HIS charge carries it",
						    S(r, x->text), S(r, x->station), x->seq);
				break;
			}
		}
	}
done:
	free(hv);
	free(seen);
	return rc;
}

/* --- the pharmacy's three-way check -------------------------------------- */

/* Per (patient, drug): what the wards asked for, what the pharmacy gave
 * against those requisitions, and what the HIS orders hold. */
struct drug {
	uint32_t patient, item;
	int64_t req, disp, ord;
	uint32_t first;   /* the first requisition line + 1 */
};

struct dmap {
	struct drug *d;   /* in the order first seen */
	hashidx t;        /* over d (core/hashidx.c) */
	size_t n;
};

struct dfind {
	const struct dmap *m;
	uint32_t patient, item;
};

static int drug_same(const void *ctx, uint32_t i)
{
	const struct dfind *f = ctx;
	return f->m->d[i].patient == f->patient && f->m->d[i].item == f->item;
}

/* The drug (patient, item), or NULL; with add, a new one when absent (the
 * caller sized m->d for every requisition and dispense line). */
static struct drug *drug_get(struct dmap *m, uint32_t patient, uint32_t item, int add)
{
	uint64_t k[2] = {patient, item};
	uint64_t h = hashidx_hash(k, sizeof k);
	struct dfind f = {m, patient, item};
	uint32_t i = hashidx_find(&m->t, h, drug_same, &f);
	if (i != HASHIDX_NONE)
		return &m->d[i];
	if (!add || hashidx_add(&m->t, h, (uint32_t)m->n) != 0)
		return NULL;
	struct drug *d = &m->d[m->n++];
	*d = (struct drug){.patient = patient, .item = item};
	return d;
}

/* Requisitions captured twice (ward and pharmacy) under one form number
 * count once: (patient, request_no, item) -> the station seen first. */
struct reqform {
	uint32_t patient, request_no, item, station;
};

static int reqform_key_cmp(const void *a, const void *b)
{
	const struct reqform *x = a, *y = b;
	if (x->patient != y->patient)
		return x->patient < y->patient ? -1 : 1;
	if (x->request_no != y->request_no)
		return x->request_no < y->request_no ? -1 : 1;
	return (x->item > y->item) - (x->item < y->item);
}

static int reqform_cmp(const void *a, const void *b)
{
	int c = reqform_key_cmp(a, b);
	if (c)
		return c;
	return station_cmp(((const struct reqform *)a)->station, ((const struct reqform *)b)->station);
}

/* A dispense against a form no journal in scope holds as a prescription or
 * requisition (the pharmacy typed or scanned the ward's voucher, and no
 * bundle brought that form): one DISPENSE_REF_UNKNOWN per dispense, on its
 * first line. */
static int unknown_refs(struct recon *r, bulu_err *e)
{
	for (size_t i = 0; i < r->nu; i++) {
		const struct unit *u = &r->u[i];
		if (u->jkind != JK_DISPENSE || u->ref || u->ref_seq <= 0 || u->voided)
			continue;
		if (i > 0 && r->u[i - 1].station == u->station && r->u[i - 1].seq == u->seq)
			continue; /* one finding per dispense */
		struct finding *f = recon_add(r, RC_DISPENSE_REF_UNKNOWN, HIS_DISPENSES);
		if (!f)
			return oom(e);
		recon_unit_finding(r, f, i);
		const char *stn = S(r, u->ref_station ? u->ref_station : u->station);
		f->jval = recon_str(r, "BL-%s-%" PRId64, stn, u->ref_seq);
		f->expl = recon_str(r, "dispensed against BL-%s-%" PRId64 ", which no journal holds as a "
				       "prescription or requisition: find the paper voucher, and the "
				       "station's bundle if it has not come (须详细追查)",
				    stn, u->ref_seq);
	}
	return BULU_OK;
}

int recon_threeway(struct recon *r, bulu_err *e)
{
	size_t nreq = 0;
	if (unknown_refs(r, e) != BULU_OK)
		return e->code;
	for (size_t i = 0; i < r->nu; i++)
		nreq += r->u[i].jkind == JK_REQUISITION || r->u[i].jkind == JK_DISPENSE;
	if (!nreq)
		return BULU_OK;
	struct dmap m = {0};
	m.d = malloc(nreq * sizeof *m.d);
	struct reqform *forms = malloc(nreq * sizeof *forms);
	size_t nforms = 0;
	int rc = BULU_OK;
	if (!m.d || hashidx_init(&m.t, nreq) != 0 || !forms) {
		rc = oom(e);
		goto done;
	}
	/* one form number, one requisition: the first station (in ledger order) counts */
	for (size_t i = 0; i < r->nu; i++) {
		const struct unit *u = &r->u[i];
		if (u->jkind == JK_REQUISITION && !u->voided && u->request_no)
			forms[nforms++] = (struct reqform){u->patient, u->request_no, u->item, u->station};
	}
	cmp_pool = r->pool;
	if (nforms)
		qsort(forms, nforms, sizeof *forms, reqform_cmp);
	for (size_t i = 0; i < r->nu; i++) {
		struct unit *u = &r->u[i];
		if (u->jkind != JK_REQUISITION || u->voided)
			continue;
		if (u->request_no) {
			struct reqform k = {u->patient, u->request_no, u->item, 0};
			const struct reqform *f = bsearch(&k, forms, nforms, sizeof k, reqform_key_cmp);
			while (f && f > forms && reqform_key_cmp(f - 1, &k) == 0)
				f--;
			if (f && f->station != u->station)
				continue; /* the same form, captured again at another station */
		}
		struct drug *d = drug_get(&m, u->patient, u->item, 1);
		if (!d) {
			rc = oom(e);
			goto done;
		}
		d->req += u->qty;
		if (!d->first)
			d->first = (uint32_t)(i + 1);
	}
	for (size_t i = 0; i < r->nu; i++) {
		const struct unit *u = &r->u[i];
		if (u->jkind != JK_DISPENSE || u->voided || !u->ref || r->u[u->ref - 1].jkind != JK_REQUISITION)
			continue;
		struct drug *d = drug_get(&m, u->patient, u->item, 1);
		if (!d) {
			rc = oom(e);
			goto done;
		}
		d->disp += u->qty;
		if (!d->first)
			d->first = u->ref; /* dispensed a drug the requisition did not ask for */
	}
	int orders = r->given[HIS_ORDERS];
	if (orders) {
		const struct his_table *t = &r->his[HIS_ORDERS];
		for (size_t i = 0; i < t->n; i++) {
			const struct his_row *h = &t->rows[i];
			if (h->occurred != HIS_NO_TIME && r->win_from != NO_TIME && h->occurred < r->win_from - r->o.tolerance)
				continue;
			struct drug *d = drug_get(&m, h->patient, h->item, 0);
			if (d)
				d->ord += h->qty;
		}
	}
	/* each requisition line takes its drug's state; the drug's finding goes
	 * on the first line that asked for it (or, for a drug given but not
	 * asked for, on the requisition it was given against) */
	for (size_t i = 0; i < r->nu; i++) {
		struct unit *u = &r->u[i];
		if (u->jkind != JK_REQUISITION)
			continue;
		if (u->voided) {
			u->state = RC_VOIDED;
			u->expl = recon_str(r, "voided in the journal");
			continue;
		}
		const struct drug *d = drug_get(&m, u->patient, u->item, 0);
		char o[48] = "";
		if (orders)
			snprintf(o, sizeof o, ", HIS orders %" PRId64, d->ord);
		int ok = d->req == d->disp && (!orders || d->ord == d->req);
		u->state = ok ? RC_MATCHED : RC_DISPENSE_MISMATCH;
		u->expl = recon_str(r, "requisitioned %" PRId64 ", dispensed %" PRId64 "%s%s", d->req, d->disp, o,
				    ok ? (orders ? "" : " (no orders export given)") : ": they differ (see the drug's finding)");
	}
	for (size_t k = 0; k < m.n && rc == BULU_OK; k++) {
		const struct drug *d = &m.d[k];
		if (d->req == d->disp && (!orders || d->ord == d->req))
			continue;
		const char *side = !orders ? "the dispense differs from the requisition"
				   : d->req == d->ord ? "the pharmacy's dispense differs"
				   : d->req == d->disp ? "the HIS order differs"
				   : d->disp == d->ord ? "the requisition differs"
						       : "all three differ";
		char o[48] = "";
		if (orders)
			snprintf(o, sizeof o, ", HIS orders %" PRId64, d->ord);
		struct finding *f = recon_add(r, RC_DISPENSE_MISMATCH, HIS_NKINDS);
		if (!f) {
			rc = oom(e);
			break;
		}
		size_t ui = d->first - 1;
		struct unit *u = &r->u[ui];
		recon_unit_finding(r, f, ui);
		f->item = d->item;
		f->jval = recon_str(r, "requisitioned %" PRId64 ", dispensed %" PRId64, d->req, d->disp);
		f->hval = orders ? recon_str(r, "ordered %" PRId64, d->ord) : 0;
		f->expl = recon_str(r, "%s: requisitioned %" PRId64 ", dispensed %" PRId64 "%s: %s (须详细追查)",
				    S(r, d->item), d->req, d->disp, o, side);
		u->state = RC_DISPENSE_MISMATCH;
		u->expl = f->expl;
	}
done:
	free(m.d);
	hashidx_free(&m.t);
	free(forms);
	return rc;
}
