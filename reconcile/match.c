/*
 * match.c - one HIS export kind against its journal lines, one-to-one.
 *
 * 1. Reference: a HIS row whose remark (备注) holds BL-STATION-SEQ[-LINE] is
 *    matched to that line; a second row naming a line already matched is
 *    DUPLICATE_IN_HIS; a matched row that differs is a *_MISMATCH.
 * 2. Exact: the remaining rows and lines are grouped by (patient, item,
 *    qty, amount) in a hash table and paired in time order inside each
 *    group, lines not voided first.  A row left over in a group where a
 *    line was matched is DUPLICATE_IN_HIS.
 * 3. Near: what is still unpaired is grouped by weaker keys, in this
 *    order: (patient, item, qty) -> AMOUNT_MISMATCH, (patient, item) ->
 *    QTY_MISMATCH, (patient, qty) -> ITEM_MISMATCH, and (item, qty, amount)
 *    within --tolerance of each other's time -> PATIENT_MISMATCH.
 * 4. Left over: a line is MISSING_IN_HIS (or rightly absent when voided);
 *    a row inside the window, of a department that captured this kind, is
 *    EXTRA_IN_HIS; other rows are ordinary HIS traffic.
 *
 * Every step is a hash grouping plus a walk in a fixed order, so the work
 * is linear after two sorts, whatever the groups' sizes; and the result
 * depends only on the inputs, never on memory addresses.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulu/hashidx.h"
#include "bulu/money.h"
#include "recon.h"

/* --- a hash map from a three-word key to a group number ---------------- */

struct key {
	uint64_t w[3];
};

/* Groups are numbered in the order their keys were first added; the keys
 * in that order, indexed by core/hashidx.c's table. */
struct kmap {
	hashidx t;
	struct key *keys; /* [group] */
	size_t n, cap;
};

struct kfind {
	const struct kmap *m;
	const struct key *k;
};

static int key_same(const void *ctx, uint32_t g)
{
	const struct kfind *f = ctx;
	return memcmp(&f->m->keys[g], f->k, sizeof *f->k) == 0;
}

static int kmap_init(struct kmap *m, size_t want)
{
	m->n = 0;
	m->cap = want ? want : 1;
	m->keys = malloc(m->cap * sizeof *m->keys);
	if (hashidx_init(&m->t, m->cap) != 0 || !m->keys) {
		free(m->keys);
		m->keys = NULL;
		return -1;
	}
	return 0;
}

static void kmap_free(struct kmap *m)
{
	hashidx_free(&m->t);
	free(m->keys);
	memset(m, 0, sizeof *m);
}

/* The group of k, or UINT32_MAX; with add, a new group n when absent (at
 * most the `want` of kmap_init: the callers' group arrays are that long). */
static uint32_t kmap_get(struct kmap *m, const struct key *k, int add)
{
	uint64_t h = hashidx_hash(k->w, sizeof k->w);
	struct kfind f = {m, k};
	uint32_t g = hashidx_find(&m->t, h, key_same, &f);
	if (g != HASHIDX_NONE || !add || m->n == m->cap)
		return g;
	m->keys[m->n] = *k;
	if (hashidx_add(&m->t, h, (uint32_t)m->n) != 0)
		return UINT32_MAX;
	return (uint32_t)m->n++;
}

/* "BL-ST1-12-3" (or "BL-ST1-12" for a line-less entry). */
static uint32_t bl_ref(struct recon *r, const struct unit *u)
{
	if (u->line)
		return recon_str(r, "BL-%s-%" PRId64 "-%u", strpool_str(r->pool, u->station), u->seq, u->line);
	return recon_str(r, "BL-%s-%" PRId64, strpool_str(r->pool, u->station), u->seq);
}

static const char *S(const struct recon *r, uint32_t id) { return strpool_str(r->pool, id); }

/* --- the orders in which lines and rows are walked ----------------------- */

struct ord {
	int64_t t;
	uint32_t pri;   /* lines: 1 when voided (walked after the others) */
	uint32_t idx;   /* the unit, or the row; units are in (station, seq, line) order */
};

static int ord_cmp(const void *a, const void *b)
{
	const struct ord *x = a, *y = b;
	if (x->pri != y->pri)
		return x->pri < y->pri ? -1 : 1;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

/* Rows in time order, rows of the same second in file order: an LSD radix
 * sort on the time (stable, so file order survives), 11 bits a pass, passes
 * whose digit is the same for every row skipped.  A million rows sort in a
 * few milliseconds where qsort took a tenth of the run. */
static int sort_rows(struct ord *v, size_t n)
{
	struct ord *tmp = malloc((n + 1) * sizeof *tmp);
	if (!tmp)
		return -1;
	enum { BITS = 11, BUCKETS = 1 << BITS };
	size_t count[BUCKETS];
	for (int shift = 0; shift < 64; shift += BITS) {
		memset(count, 0, sizeof count);
		for (size_t i = 0; i < n; i++)
			count[(((uint64_t)v[i].t ^ (1ull << 63)) >> shift) & (BUCKETS - 1)]++;
		int skip = 0;
		for (size_t d = 0; d < BUCKETS; d++)
			if (count[d] == n)
				skip = 1;
		if (skip)
			continue;
		size_t sum = 0;
		for (size_t d = 0; d < BUCKETS; d++) {
			size_t c = count[d];
			count[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			tmp[count[(((uint64_t)v[i].t ^ (1ull << 63)) >> shift) & (BUCKETS - 1)]++] = v[i];
		memcpy(v, tmp, n * sizeof *v);
	}
	free(tmp);
	return 0;
}

/* --- matching one kind --------------------------------------------------- */

enum { T_EXACT, T_AMOUNT, T_QTY, T_ITEM, T_PATIENT, T_N };

static const enum rclass tier_class[T_N] = {RC_MATCHED, RC_AMOUNT_MISMATCH, RC_QTY_MISMATCH,
					    RC_ITEM_MISMATCH, RC_PATIENT_MISMATCH};

static struct key make_key(int tier, uint32_t patient, uint32_t item, int64_t qty, int64_t amount)
{
	struct key k = {{0, 0, 0}};
	switch (tier) {
	case T_EXACT:
		k.w[0] = (uint64_t)patient << 32 | item;
		k.w[1] = (uint64_t)qty;
		k.w[2] = (uint64_t)amount;
		break;
	case T_AMOUNT:
		k.w[0] = (uint64_t)patient << 32 | item;
		k.w[1] = (uint64_t)qty;
		break;
	case T_QTY: k.w[0] = (uint64_t)patient << 32 | item; break;
	case T_ITEM:
		k.w[0] = (uint64_t)patient << 32;
		k.w[1] = (uint64_t)qty;
		break;
	default: /* T_PATIENT: the invoice number goes into w[0] beside the item */
		k.w[0] = item;
		k.w[1] = (uint64_t)qty;
		k.w[2] = (uint64_t)amount;
		break;
	}
	return k;
}

enum { R_OPEN, R_MATCHED, R_FINDING };

struct ctx {
	int amounts;          /* the export has amounts (orders, dispenses may not) */
	int invoices;         /* the export has invoice numbers (charges, registrations) */
	struct recon *r;
	enum his_kind k;
	struct his_table *t;
	struct ord *lines;    /* this kind's lines in walking order */
	size_t nl;
	struct ord *rows;     /* the table's rows in walking order */
	size_t nr;
	uint8_t *row_state;
	struct kmap req;      /* orders: (patient, item) of the requisitions */
};

static struct key ukey(const struct ctx *c, int tier, const struct unit *u)
{
	struct key k = make_key(tier, u->patient, u->item, u->qty, c->amounts ? u->amount : 0);
	if (tier == T_PATIENT && c->invoices)
		k.w[0] |= (uint64_t)u->invoice << 32;
	return k;
}

static struct key hkey(const struct ctx *c, int tier, const struct his_row *h)
{
	struct key k = make_key(tier, h->patient, h->item, h->qty, c->amounts ? h->amount : 0);
	if (tier == T_PATIENT && c->invoices)
		k.w[0] |= (uint64_t)h->invoice << 32;
	return k;
}

/* HIS minus journal, fen; 0 when the export has no amounts. */
static int64_t diff_of(const struct ctx *c, int64_t his, int64_t journal)
{
	return c->amounts ? recon_sub_sat(his, journal) : 0;
}

static int oom(bulu_err *e) { return bulu_errf(e, BULU_SYSTEM, "out of memory"); }

/* What a paired row says about its line: MATCHED, a mismatch, or VOIDED_IN_HIS. */
static enum rclass compare(const struct ctx *c, const struct unit *u, const struct his_row *h, int tier)
{
	if (u->voided)
		return RC_VOIDED_IN_HIS;
	if (tier != T_EXACT)
		return tier_class[tier];
	if (u->patient != h->patient)
		return RC_PATIENT_MISMATCH;
	if (u->item != h->item)
		return RC_ITEM_MISMATCH;
	if (u->qty != h->qty)
		return RC_QTY_MISMATCH;
	if (c->amounts && u->amount != h->amount)
		return RC_AMOUNT_MISMATCH;
	return RC_MATCHED;
}

static const char *tier_how[T_N] = {"patient, item, quantity and amount", "patient, item and quantity",
				    "patient and item", "patient and quantity",
				    "invoice number (or time), item, quantity and amount"};

/* Pair line ui with row ri, set the line's state, record a finding if any. */
static int pair(struct ctx *c, size_t ui, size_t ri, int tier, int by_ref, bulu_err *e)
{
	struct recon *r = c->r;
	struct unit *u = &r->u[ui];
	const struct his_row *h = &c->t->rows[ri];
	enum rclass cls = compare(c, u, h, by_ref ? T_EXACT : tier);
	u->his = (uint32_t)(ri + 1);
	u->state = (uint8_t)cls;
	c->row_state[ri] = R_MATCHED;
	const char *how = by_ref ? "its back-fill reference" : tier_how[tier];
	u->how = (uint8_t)(by_ref ? 1 : 2 + tier);
	if (cls == RC_MATCHED)
		return BULU_OK; /* the explanation is made when it is written */
	uint32_t his_id = recon_row_name(r, c->k, h); /* only now: interning each matched row's cost 5 % */
	struct finding *f = recon_add(r, cls, (uint8_t)c->k);
	if (!f)
		return oom(e);
	recon_unit_finding(r, f, ui);
	recon_row_finding(r, f, c->k, h);
	f->diff = diff_of(c, h->amount, u->amount);
	char a[32], b[32];
	switch (cls) {
	case RC_AMOUNT_MISMATCH:
		recon_yuan(u->amount, a);
		recon_yuan(h->amount, b);
		f->jval = recon_str(r, "%s", a);
		f->hval = recon_str(r, "%s", b);
		f->expl = recon_str(r, "HIS %s found by %s: its amount %s is not the journal's %s", S(r, his_id), how, b, a);
		break;
	case RC_QTY_MISMATCH:
		f->jval = recon_str(r, "%" PRId64, u->qty);
		f->hval = recon_str(r, "%" PRId64, h->qty);
		f->expl = recon_str(r, "HIS %s found by %s: its quantity %" PRId64 " is not the journal's %" PRId64,
				    S(r, his_id), how, h->qty, u->qty);
		break;
	case RC_ITEM_MISMATCH:
		f->jval = u->item;
		f->hval = h->item;
		f->expl = recon_str(r, "HIS %s found by %s: its item %s is not the journal's %s", S(r, his_id), how,
				    S(r, h->item), S(r, u->item));
		break;
	case RC_PATIENT_MISMATCH:
		f->jval = u->patient;
		f->hval = h->patient;
		f->expl = recon_str(r, "HIS %s found by %s is entered for another patient", S(r, his_id), how);
		break;
	default: /* RC_VOIDED_IN_HIS */
		recon_yuan(h->amount, b);
		f->hval = c->amounts ? recon_str(r, "%s", b) : 0;
		f->diff = diff_of(c, h->amount, 0);
		f->expl = recon_str(r, "the journal voided this entry (作废/退费), yet HIS %s holds it (found by %s)",
				    S(r, his_id), how);
		break;
	}
	u->expl = f->expl;
	return BULU_OK;
}

static int duplicate(struct ctx *c, size_t ui, size_t ri, const char *how, bulu_err *e)
{
	struct recon *r = c->r;
	const struct unit *u = &r->u[ui];
	const struct his_row *h = &c->t->rows[ri];
	const struct his_row *first = &c->t->rows[u->his - 1];
	struct finding *f = recon_add(r, RC_DUPLICATE_IN_HIS, (uint8_t)c->k);
	if (!f)
		return oom(e);
	recon_unit_finding(r, f, ui);
	recon_row_finding(r, f, c->k, h);
	char b[32];
	recon_yuan(h->amount, b);
	f->jval = bl_ref(r, u);
	f->hval = c->amounts ? recon_str(r, "%s", b) : 0;
	f->diff = diff_of(c, h->amount, 0);
	uint32_t fid = recon_row_name(r, c->k, first);
	f->expl = recon_str(r, "a second HIS row for %s, found by %s (the first is %s): back-filled twice",
			    S(r, f->jval), how, S(r, fid));
	c->row_state[ri] = R_FINDING;
	return BULU_OK;
}

/* May a row without a usable reference be paired with the outage's lines?
 * Rows from before the window (less the tolerance) are peacetime traffic;
 * rows after it may be back-fill stamped with the moment of typing. */
static int candidate(const struct recon *r, const struct his_row *h)
{
	return h->occurred == HIS_NO_TIME || r->win_from == NO_TIME || h->occurred >= r->win_from - r->o.tolerance;
}

/* Step 1: rows naming a line by its BL reference. */
static int by_reference(struct ctx *c, bulu_err *e)
{
	struct recon *r = c->r;
	struct kmap m;
	uint32_t *first = NULL; /* group -> unit + 1 */
	int rc = BULU_OK;
	/* a key per line, and one per form with lines */
	size_t nkeys = c->nl + 1;
	for (size_t i = 0; i < c->nl; i++)
		nkeys += r->u[c->lines[i].idx].line == 1;
	if (kmap_init(&m, nkeys) != 0 || !(first = calloc(nkeys, sizeof *first))) {
		rc = oom(e);
		goto done;
	}
	/* (station, seq, line) -> its line; (station, seq, 0) -> the entry's first line */
	for (size_t i = 0; i < c->nl; i++) {
		size_t ui = c->lines[i].idx;
		const struct unit *u = &r->u[ui];
		for (int pass = 0; pass < 2; pass++) {
			struct key k = {{(uint64_t)u->station << 32 | (pass ? 0 : u->line), (uint64_t)u->seq, 0}};
			if (pass && !u->line)
				break;
			uint32_t g = kmap_get(&m, &k, 1);
			if (g == UINT32_MAX) {
				rc = oom(e);
				goto done;
			}
			if (!first[g] || ui + 1 < first[g])
				first[g] = (uint32_t)(ui + 1);
		}
	}
	for (size_t i = 0; i < c->nr; i++) {
		size_t ri = c->rows[i].idx;
		const struct his_row *h = &c->t->rows[ri];
		if (!h->ref_seq)
			continue;
		struct key k = {{(uint64_t)h->ref_station << 32 | h->ref_line, (uint64_t)h->ref_seq, 0}};
		uint32_t g = kmap_get(&m, &k, 0);
		if (g == UINT32_MAX)
			continue; /* names no line of this kind: matched like a row without one */
		size_t ui = first[g] - 1;
		if (!h->ref_line && r->u[ui].line) {
			/* BL-STATION-SEQ on a form with lines: its line of that item,
			 * not matched yet, else any line not matched yet */
			size_t best = SIZE_MAX, any = SIZE_MAX;
			for (size_t j = ui; j < r->nu && r->u[j].station == h->ref_station && r->u[j].seq == h->ref_seq; j++) {
				if (r->u[j].his)
					continue;
				if (r->u[j].item == h->item && best == SIZE_MAX)
					best = j;
				if (any == SIZE_MAX)
					any = j;
			}
			if (best != SIZE_MAX)
				ui = best;
			else if (any != SIZE_MAX)
				ui = any;
		}
		if (r->u[ui].his)
			rc = duplicate(c, ui, ri, "its back-fill reference", e);
		else
			rc = pair(c, ui, ri, T_EXACT, 1, e);
		if (rc != BULU_OK)
			break;
	}
done:
	kmap_free(&m);
	free(first);
	return rc;
}

/* A group's lines as a queue: head and next are positions in c->lines. */
struct groups {
	struct kmap m;
	uint32_t *head, *tail; /* group -> position + 1 */
	uint32_t *next;        /* position -> position + 1 */
	uint32_t *matched;     /* group -> a matched unit + 1 (exact tier only) */
};

static void groups_free(struct groups *g)
{
	kmap_free(&g->m);
	free(g->head);
	free(g->tail);
	free(g->next);
	free(g->matched);
}

/* Queue the open lines (voided ones only for the exact tier) by the tier's key. */
static int groups_build(struct ctx *c, int tier, struct groups *g, bulu_err *e)
{
	struct recon *r = c->r;
	memset(g, 0, sizeof *g);
	/* the tables are sized by the lines this tier queues: after the exact
	 * tier, about one in a hundred; tables sized for all of them cost more
	 * to clear and to probe (scattered over megabytes) than the walk */
	size_t nq = 0;
	for (size_t p = 0; p < c->nl; p++) {
		const struct unit *u = &r->u[c->lines[p].idx];
		nq += (!u->his && (tier == T_EXACT || !u->voided)) || (tier == T_EXACT && u->his && u->state == RC_MATCHED);
	}
	if (kmap_init(&g->m, nq + 1) != 0 || !(g->head = calloc(nq + 1, sizeof *g->head)) ||
	    !(g->tail = calloc(nq + 1, sizeof *g->tail)) || !(g->next = calloc(c->nl + 1, sizeof *g->next)) ||
	    !(g->matched = calloc(nq + 1, sizeof *g->matched)))
		return oom(e);
	for (size_t p = 0; p < c->nl; p++) {
		const struct unit *u = &r->u[c->lines[p].idx];
		int open = !u->his && (tier == T_EXACT || !u->voided);
		if (!open && !(tier == T_EXACT && u->his && u->state == RC_MATCHED))
			continue;
		struct key k = ukey(c, tier, u);
		uint32_t gi = kmap_get(&g->m, &k, 1);
		if (gi == UINT32_MAX)
			return oom(e);
		if (!open) {
			/* matched by reference: remembered, so a copy of it is a duplicate */
			if (!g->matched[gi])
				g->matched[gi] = c->lines[p].idx + 1;
			continue;
		}
		if (g->tail[gi])
			g->next[g->tail[gi] - 1] = (uint32_t)(p + 1);
		else
			g->head[gi] = (uint32_t)(p + 1);
		g->tail[gi] = (uint32_t)(p + 1);
	}
	return BULU_OK;
}

/* (patient, item) of the requisitions: HIS orders for them are the ward's
 * back-fill of the requisition, judged by the three-way check instead: no
 * near match may use them (they would stand in for another patient's
 * missing prescription line) and none is an extra row. */
static int requisition_keys(struct recon *r, struct kmap *m, bulu_err *e)
{
	if (kmap_init(m, r->nu + 1) != 0)
		return oom(e);
	for (size_t i = 0; i < r->nu; i++) {
		const struct unit *u = &r->u[i];
		if (u->jkind != JK_REQUISITION || u->voided)
			continue;
		struct key k = make_key(T_QTY, u->patient, u->item, 0, 0);
		if (kmap_get(m, &k, 1) == UINT32_MAX)
			return oom(e);
	}
	return BULU_OK;
}

static int requisitioned(struct ctx *c, const struct his_row *h)
{
	if (c->k != HIS_ORDERS)
		return 0;
	struct key k = make_key(T_QTY, h->patient, h->item, 0, 0);
	return kmap_get(&c->req, &k, 0) != UINT32_MAX;
}

/* Steps 2 and 3: pair open rows with open lines, tier by tier. */
static int by_key(struct ctx *c, int tier, const uint8_t *patients, size_t npatients, const uint8_t *depts,
		  bulu_err *e)
{
	struct recon *r = c->r;
	struct groups g;
	int rc = groups_build(c, tier, &g, e);
	for (size_t i = 0; rc == BULU_OK && i < c->nr; i++) {
		size_t ri = c->rows[i].idx;
		const struct his_row *h = &c->t->rows[ri];
		if (c->row_state[ri] != R_OPEN || !candidate(r, h))
			continue;
		/* near matches only among the rows of departments that captured
		 * this kind: the HIS's ordinary traffic must not explain them */
		if (tier != T_EXACT && c->t->has[HF_DEPT] && !depts[h->dept])
			continue;
		if (tier != T_EXACT && tier != T_PATIENT && (h->patient >= npatients || !patients[h->patient]))
			continue;
		if (tier != T_EXACT && requisitioned(c, h))
			continue;
		if (tier == T_PATIENT && !(c->invoices && h->invoice) &&
		    (h->occurred == HIS_NO_TIME || !recon_row_in_window(r, h->occurred)))
			continue;
		struct key k = hkey(c, tier, h);
		uint32_t gi = kmap_get(&g.m, &k, 0);
		if (gi == UINT32_MAX)
			continue;
		if (tier == T_PATIENT && !(c->invoices && h->invoice)) {
			/* without an invoice number, only at about the same time:
			 * lines too early for this row are too early for every later row */
			while (g.head[gi] && r->u[c->lines[g.head[gi] - 1].idx].occurred < h->occurred - r->o.tolerance)
				g.head[gi] = g.next[g.head[gi] - 1];
			if (!g.head[gi] || r->u[c->lines[g.head[gi] - 1].idx].occurred > h->occurred + r->o.tolerance)
				continue;
		}
		if (g.head[gi]) {
			size_t p = g.head[gi] - 1, ui = c->lines[p].idx;
			g.head[gi] = g.next[p];
			rc = pair(c, ui, ri, tier, 0, e);
			if (tier == T_EXACT && r->u[ui].state == RC_MATCHED && !g.matched[gi])
				g.matched[gi] = (uint32_t)(ui + 1);
		} else if (tier == T_EXACT && g.matched[gi]) {
			rc = duplicate(c, g.matched[gi] - 1, ri, "patient, item, quantity and amount", e);
		}
	}
	groups_free(&g);
	return rc;
}

/* Step 4: what is left. */
static int leftovers(struct ctx *c, const uint8_t *depts, bulu_err *e)
{
	struct recon *r = c->r;
	for (size_t p = 0; p < c->nl; p++) {
		size_t ui = c->lines[p].idx;
		struct unit *u = &r->u[ui];
		char due[64] = "";
		if (u->his) {
			if (u->state != RC_MATCHED)
				continue;
			const struct his_row *h = &c->t->rows[u->his - 1];
			if (u->deadline == NO_TIME || h->entered == HIS_NO_TIME || h->entered <= u->deadline)
				continue;
			struct finding *f = recon_add(r, RC_LATE_BACKFILL, (uint8_t)c->k);
			if (!f)
				return oom(e);
			recon_unit_finding(r, f, ui);
			recon_row_finding(r, f, c->k, h);
			f->jval = recon_str(r, "%s", recon_time(r, f->deadline, due));
			f->hval = recon_str(r, "%s", recon_time(r, h->entered, due));
			f->expl = recon_str(r, "back-filled after its deadline (matched HIS %s)",
					    S(r, recon_row_name(r, c->k, h)));
			u->state = RC_LATE_BACKFILL;
			u->expl = f->expl;
			continue;
		}
		if (u->voided) {
			u->state = RC_VOIDED;
			u->expl = recon_str(r, "voided in the journal and, rightly, not in the HIS");
			continue;
		}
		struct finding *f = recon_add(r, RC_MISSING_IN_HIS, (uint8_t)c->k);
		if (!f)
			return oom(e);
		recon_unit_finding(r, f, ui);
		char a[32];
		recon_yuan(u->amount, a);
		f->jval = recon_str(r, "%s", a);
		f->diff = recon_neg_sat(u->amount); /* what is at stake, even where the export has no amounts */
		f->expl = recon_str(r, "not in the HIS %s export: back-fill it with remark %s", his_kind_name(c->k),
				    S(r, bl_ref(r, u)));
		u->state = RC_MISSING_IN_HIS;
		u->expl = f->expl;
	}
	int rc = BULU_OK;
	for (size_t i = 0; rc == BULU_OK && i < c->nr; i++) {
		size_t ri = c->rows[i].idx;
		const struct his_row *h = &c->t->rows[ri];
		if (c->row_state[ri] != R_OPEN || !recon_row_in_window(r, h->occurred))
			continue;
		if (c->t->has[HF_DEPT] && !depts[h->dept])
			continue;
		if (requisitioned(c, h))
			continue;
		struct finding *f = recon_add(r, RC_EXTRA_IN_HIS, (uint8_t)c->k);
		if (!f) {
			rc = oom(e);
			break;
		}
		recon_row_finding(r, f, c->k, h);
		char b[32];
		recon_yuan(h->amount, b);
		f->hval = c->amounts ? recon_str(r, "%s", b) : 0;
		f->diff = diff_of(c, h->amount, 0);
		if (h->ref_seq)
			f->expl = recon_str(r, "in the HIS for %s within the outage, in no journal; its remark names "
					       "BL-%s-%" PRId64 "%s%.0u, which no journal line of this kind holds",
					    *S(r, h->dept) ? S(r, h->dept) : "an outage department", S(r, h->ref_station),
					    h->ref_seq, h->ref_line ? "-" : "", h->ref_line);
		else
			f->expl = recon_str(r, "in the HIS for %s within the outage, but in no journal",
					    *S(r, h->dept) ? S(r, h->dept) : "an outage department");
		c->row_state[ri] = R_FINDING;
	}
	return rc;
}

/* The lines in time order alone (pri 0 for all), for the patient tier: they
 * are in (pri, time, index) order, so this is a merge of the two pri runs,
 * not a second sort. */
static int by_time(struct ctx *c, bulu_err *e)
{
	size_t n = c->nl, a = 0, mid = 0, end;
	while (mid < n && c->lines[mid].pri == c->lines[0].pri)
		mid++;
	for (end = mid; end < n && c->lines[end].pri == c->lines[mid].pri; end++)
		;
	if (end < n) {
		/* more than two runs: sort (never so today: pri is a flag) */
		for (size_t i = 0; i < n; i++)
			c->lines[i].pri = 0;
		qsort(c->lines, n, sizeof *c->lines, ord_cmp);
		return BULU_OK;
	}
	struct ord *out = malloc((n + 1) * sizeof *out);
	if (!out)
		return oom(e);
	size_t b = mid, k = 0;
	while (a < mid || b < n) {
		int take_a;
		if (a == mid)
			take_a = 0;
		else if (b == n)
			take_a = 1;
		else {
			struct ord x = c->lines[a], y = c->lines[b];
			x.pri = y.pri = 0;
			take_a = ord_cmp(&x, &y) < 0;
		}
		out[k] = c->lines[take_a ? a++ : b++];
		out[k++].pri = 0;
	}
	free(c->lines);
	c->lines = out;
	return BULU_OK;
}

int recon_match(struct recon *r, enum his_kind k, bulu_err *e)
{
	struct ctx c = {.r = r, .k = k, .t = &r->his[k]};
	c.invoices = c.t->has[HF_INVOICE_NO];
	c.amounts = c.t->has[HF_AMOUNT] || c.t->has[HF_UNIT_PRICE] || (k == HIS_REGISTRATIONS && c.t->has[HF_FEE]);
	int rc = BULU_OK;
	uint8_t *patients = NULL, *depts = NULL;
	size_t np = 0;
	/* this kind's lines, in walking order */
	for (size_t i = 0; i < r->nu; i++)
		c.nl += r->u[i].hkind == (uint8_t)k;
	c.lines = malloc((c.nl + 1) * sizeof *c.lines);
	c.rows = malloc((c.t->n + 1) * sizeof *c.rows);
	c.row_state = calloc(c.t->n + 1, 1);
	if (!c.lines || !c.rows || !c.row_state) {
		rc = oom(e);
		goto done;
	}
	size_t p = 0;
	for (size_t i = 0; i < r->nu; i++)
		if (r->u[i].hkind == (uint8_t)k)
			c.lines[p++] = (struct ord){r->u[i].occurred, r->u[i].voided, (uint32_t)i};
	qsort(c.lines, c.nl, sizeof *c.lines, ord_cmp);
	c.nr = c.t->n;
	for (size_t i = 0; i < c.nr; i++)
		c.rows[i] = (struct ord){c.t->rows[i].occurred, 0, (uint32_t)i};
	if (sort_rows(c.rows, c.nr) != 0) {
		rc = oom(e);
		goto done;
	}

	if (k == HIS_ORDERS && (rc = requisition_keys(r, &c.req, e)) != BULU_OK)
		goto done;
	if ((rc = by_reference(&c, e)) != BULU_OK || (rc = by_key(&c, T_EXACT, NULL, 0, NULL, e)) != BULU_OK)
		goto done;
	/* the near tiers look only at rows of patients with a line still open */
	np = strpool_count(r->pool);
	if (!(patients = calloc(np + 1, 1))) {
		rc = oom(e);
		goto done;
	}
	for (size_t i = 0; i < c.nl; i++) {
		const struct unit *u = &r->u[c.lines[i].idx];
		if (!u->his && !u->voided)
			patients[u->patient] = 1;
	}
	/* departments that captured this kind */
	if (!(depts = calloc(np + 1, 1))) {
		rc = oom(e);
		goto done;
	}
	for (size_t i = 0; i < c.nl; i++)
		depts[r->u[c.lines[i].idx].dept] = 1;
	for (int tier = T_AMOUNT; tier < T_N && rc == BULU_OK; tier++) {
		if (tier == T_PATIENT && (rc = by_time(&c, e)) != BULU_OK)
			break;
		rc = by_key(&c, tier, patients, np, depts, e);
	}
	if (rc == BULU_OK)
		rc = leftovers(&c, depts, e);
done:
	if (k == HIS_ORDERS)
		kmap_free(&c.req);
	free(patients);
	free(depts);
	free(c.lines);
	free(c.rows);
	free(c.row_state);
	return rc;
}
