/*
 * ledger_json.h - the fields reconcile reads from a ledger entry's body.
 *
 * Bodies are bulu's canonical JSON (core/json.c: no white space, integers
 * only, few escapes), and a reconcile reads a few hundred thousand of them.
 * lj_parse pulls out the fields below in one pass with no allocation per
 * body; whatever it is not sure of (a \u escape, a fraction, white space
 * other than JSON's, anything after the object, deep nesting, a line that
 * is not an object) it hands to cJSON instead, so every body gives exactly
 * the values, and is refused exactly when, cJSON would.
 */
#ifndef BULU_LEDGER_JSON_H
#define BULU_LEDGER_JSON_H

#include <stddef.h>
#include <stdint.h>

/* What a field holds. */
enum { LJ_NONE, LJ_STR, LJ_NUM, LJ_OTHER };

struct lj_val {
	uint8_t type;
	const char *s;       /* LJ_STR: the text, unescaped, NUL-terminated */
	int64_t num;         /* LJ_NUM: the value as cJSON's (int64_t)valuedouble gives it */
};

/* The body's top-level fields read. */
enum {
	LJ_PATIENT_ID, LJ_PATIENT_NAME, LJ_DEPT, LJ_INVOICE_NO, LJ_REQUEST_NO, LJ_OCCURRED_AT,
	LJ_REF, LJ_FEE, LJ_CARD_NO, LJ_TOTAL, LJ_OUTSIDE_REASON, LJ_REF_STATION, LJ_EXCHANGE,
	LJ_DISCHARGE, LJ_NTOP
};
/* ... and each line's. */
enum { LJL_LINE, LJL_CODE, LJL_NAME, LJL_QTY, LJL_AMOUNT, LJL_N };

struct lj_body {
	struct lj_val top[LJ_NTOP];
	size_t nlines;                   /* "lines" is an array of nlines (0: no lines) */
	struct lj_val (*lines)[LJL_N];
	size_t lcap;
	char *arena;                     /* the strings of the fast path */
	size_t acap;
	void *cj;                        /* the fallback's cJSON tree, freed by the next parse */
};

/* Parse one body.  Returns 0, or -1 when it is not a JSON object (cJSON's
 * verdict), or -2 when out of memory.  The values stay valid until the next
 * call or lj_free. */
int lj_parse(struct lj_body *b, const char *s, size_t n);
void lj_free(struct lj_body *b);

#endif
