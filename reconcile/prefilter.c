/*
 * prefilter.c - the rows of an export that matching can use, before it runs.
 *
 * A large HIS export is mostly ordinary traffic: other departments'
 * patients, peacetime rows.  recon_prefilter keeps only the rows some step
 * of matching, some check or some finding could use, and interns their
 * patient and invoice; the rest are never interned nor matched.  Which
 * rows that is, and why the results are those of keeping every row, is
 * told at recon_prefilter.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recon.h"

static int oom(bulu_err *e) { return bulu_errf(e, BULU_SYSTEM, "out of memory"); }

/* --- what can matter: the rows kept -------------------------------------- */

static int i64_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Marks on pool ids for recon_prefilter. */
enum { M_PATIENT = 1, M_DEPT = 2, M_INVOICE = 4, M_VOID = 8 };

#define SIEVE_BITS 21
#define SIEVE_MIN_BITS 12

/* A bit per hash of the strings marked so: a string whose bit is clear is
 * certainly not one of them, found without touching the pool (which is far
 * larger than the CPU's caches; a sieve of 256 KiB is not). */
struct sieve {
	uint64_t *bits;
	int shift;          /* 64 - the sieve's bits */
};

static size_t sieve_at(const struct sieve *sv, const char *s, size_t n)
{
	return (size_t)(strpool_hash(s, n) >> sv->shift);
}

/* A sieve of at least 32 bits per string it may hold (a false hit in 32
 * or fewer), at most SIEVE_BITS: a small ledger's is a few KiB, not
 * 256 KiB of fresh pages every run touches.  Its size changes which
 * strings pass it, never a result (a passing string is looked up). */
static int sieve_init(struct sieve *sv, size_t nstr)
{
	int bits = SIEVE_MIN_BITS;
	while (bits < SIEVE_BITS && ((size_t)1 << bits) < nstr * 32)
		bits++;
	sv->shift = 64 - bits;
	sv->bits = calloc(((size_t)1 << bits) / 64, 8);
	return sv->bits ? 0 : -1;
}

/* The pool id of a deferred text (his.h): 0 for none, UINT32_MAX when it is
 * certainly none of the strings the sieve holds. */
static uint32_t deferred_id(const struct recon *r, const struct his_table *t, const struct sieve *sv, uint32_t off)
{
	if (!off)
		return 0;
	const char *s = his_text(t, off);
	size_t n = strlen(s), b = sieve_at(sv, s, n);
	if (!(sv->bits[b / 64] >> (b % 64) & 1))
		return UINT32_MAX;
	return strpool_find(r->pool, s, n);
}

/*
 * Drop the rows of kind k's export that no step of matching, no check and
 * no finding can use, and intern the patient and invoice of the others (the
 * export was read with t->defer, his.h).  A row is kept when any of these
 * holds; otherwise every step below passes it by, so the results are those
 * of keeping it:
 *  - it carries a BL reference (step 1 looks it up);
 *  - its patient is the patient of a journal line of any kind (steps 2 and
 *    3 key on the patient, except the patient tier; the three-way check
 *    looks up orders by patient);
 *  - its department captured this kind (or the export has no department
 *    column) and it is inside the window (EXTRA_IN_HIS, and the patient
 *    tier without an invoice number) or its invoice number is one of this
 *    kind's lines' (the patient tier with one);
 *  - charges: its invoice number is one the journals voided unused
 *    (INVOICE_VOID_CHARGED, checks.c).
 * The ordinary traffic of a large export (other departments' patients,
 * peacetime rows) fails all of them, and is never interned nor matched.
 * Every row was converted, so a bad cell anywhere is still an error; the
 * summary counts every row read (t->nread).
 */
int recon_prefilter(struct recon *r, enum his_kind k, bulu_err *e)
{
	struct his_table *t = &r->his[k];
	if (!t->defer)
		return BULU_OK;
	size_t np = strpool_count(r->pool);
	uint8_t *mark = calloc(np + 1, 1);
	int64_t *voids = NULL;
	size_t nvoids = 0, nvoid_texts = 0;
	/* each holds patients, or invoices, of journal lines and voided
	 * invoices: no more strings than those; of one size, so that one
	 * hash places a string in both */
	struct sieve pat = {0}, inv = {0};
	int rc = BULU_OK;
	if (!mark || sieve_init(&pat, r->nu + r->ninv + 1) != 0 ||
	    sieve_init(&inv, r->nu + r->ninv + 1) != 0) {
		rc = oom(e);
		goto done;
	}
	for (size_t i = 0; i < r->nu; i++) {
		const struct unit *u = &r->u[i];
		mark[u->patient] |= M_PATIENT;
		if (u->hkind == (uint8_t)k) {
			mark[u->dept] |= M_DEPT;
			mark[u->invoice] |= M_INVOICE;
		}
	}
	if (k == HIS_CHARGES) {
		if (!(voids = malloc((r->ninv + 1) * sizeof *voids))) {
			rc = oom(e);
			goto done;
		}
		for (size_t i = 0; i < r->ninv; i++) {
			const struct inv_use *x = &r->inv[i];
			if (!x->voided || x->unit)
				continue;
			if (x->no >= 0) {
				voids[nvoids++] = x->no;
			} else {
				mark[x->text] |= M_VOID;
				nvoid_texts++;
			}
		}
		qsort(voids, nvoids, sizeof *voids, i64_cmp);
	}
	for (size_t id = 0; id < np; id++) {
		if (!(mark[id] & (M_PATIENT | M_INVOICE | M_VOID)))
			continue;
		size_t b = sieve_at(&pat, strpool_str(r->pool, (uint32_t)id), strpool_len(r->pool, (uint32_t)id));
		if (mark[id] & M_PATIENT)
			pat.bits[b / 64] |= 1ull << (b % 64);
		if (mark[id] & (M_INVOICE | M_VOID))
			inv.bits[b / 64] |= 1ull << (b % 64);
	}
	int depts = t->has[HF_DEPT];
	size_t j = 0;
	for (size_t i = 0; i < t->n; i++) {
		struct his_row h = t->rows[i];
		/* the cheap tests first; a pool lookup only when they fail */
		int dept_ok = !depts || (mark[h.dept] & M_DEPT);
		int keep = h.ref_seq || (dept_ok && recon_row_in_window(r, h.occurred));
		uint32_t pid = deferred_id(r, t, &pat, h.patient), iid = 1;
		if (!keep && pid < np && (mark[pid] & M_PATIENT))
			keep = 1;
		int look = h.invoice && (dept_ok || (k == HIS_CHARGES && (nvoids || nvoid_texts)));
		if (!keep && look) {
			iid = deferred_id(r, t, &inv, h.invoice);
			uint8_t im = iid < np ? mark[iid] : 0;
			if (dept_ok && (im & M_INVOICE))
				keep = 1;
			else if (k == HIS_CHARGES && (nvoids || nvoid_texts)) {
				int64_t v = recon_invoice_value(his_text(t, h.invoice));
				keep = v >= 0 ? nvoids && bsearch(&v, voids, nvoids, sizeof v, i64_cmp) : (im & M_VOID) != 0;
			}
		}
		if (!keep)
			continue;
		if (pid == UINT32_MAX) {
			const char *s = his_text(t, h.patient);
			pid = strpool_intern(r->pool, s, strlen(s));
		}
		if (h.invoice) {
			const char *s = his_text(t, h.invoice);
			iid = strpool_intern(r->pool, s, strlen(s));
		} else {
			iid = 0;
		}
		if (pid == UINT32_MAX || iid == UINT32_MAX) {
			rc = oom(e);
			goto done;
		}
		h.patient = pid;
		h.invoice = iid;
		t->rows[j++] = h;
	}
	t->n = j;
	t->defer = 0;
	/* give the dropped rows' memory back */
	struct his_row *nr = realloc(t->rows, (j + 1) * sizeof *nr);
	if (nr) {
		t->rows = nr;
		t->cap = j + 1;
	}
done:
	free(mark);
	free(voids);
	free(pat.bits);
	free(inv.bits);
	return rc;
}
