/*
 * form.h - one captured form, whichever way it arrived: from command-line
 * flags (`bulu capture KIND ...`) or from rows of a CSV of transcribed
 * paper forms (`bulu capture import`).  Both paths fill a form and call
 * capture_form_append(), so a form is validated, priced, numbered and
 * encoded the same way whatever its source.
 *
 * All strings are borrowed (they must outlive the call); NULL or "" means
 * "not given".  Money is fen.
 */
#ifndef BULU_FORM_H
#define BULU_FORM_H

#include <stdint.h>
#include "bulu/catalog.h"
#include "bulu/err.h"
#include "bulu/invoice.h"
#include "bulu/journal.h"

#define FORM_MAX_LINES 500

typedef struct form_line {
	const char *code;  /* catalog item code */
	int64_t qty;       /* > 0, whole units of the catalog's unit */
	int64_t price_fen; /* -1: the catalog price */
} form_line;

typedef struct form {
	const char *kind;         /* entry kind, e.g. "charge" */
	const char *operator_;    /* who captured it (required) */
	const char *patient_id;   /* card no. (就诊卡号) or inpatient no. (住院号) */
	const char *patient_name;
	const char *sex;
	const char *dept;         /* default: the station's department */
	const char *doctor;
	const char *fee_type;     /* 费别: self-pay, insurance, ... */
	const char *pay_method;   /* cash, card, wechat, alipay, insurance, ... */
	const char *invoice_no;   /* charge/registration: NULL = next free number */
	const char *occurred_at;  /* when it happened on paper, as typed */
	const char *note;         /* note text, or a remark on any form */
	const char *reason;       /* void / invoice_void */
	const char *card_no;      /* card_issue; registration with a new card */
	const char *request_no;   /* exam: request slip no. (底联); prescription/requisition: form no. */
	const char *force_reason; /* capture outside an outage episode */
	const char *tier_reason;  /* why capture before the department's tier came */
	int check_tier;           /* warn before the department's tier (interactive) */
	int new_card;             /* registration: the patient got a new card */
	int exchange;             /* charge/registration: the handwritten receipt is to be
	                           * exchanged for a machine invoice (换票) */
	int discharge;            /* prescription: discharge medication (出院带药) */
	int64_t ref_seq;          /* dispense: prescription/requisition; void: target; 0 none */
	const char *ref_station;  /* dispense: the station whose form ref_seq is, when not this
	                           * one (a ward's voucher, BL-WARD-SEQ); NULL: this station */
	int64_t fee_fen;          /* registration fee; -1 not given */
	size_t nlines;
	form_line lines[FORM_MAX_LINES];
} form;

/* What a capture needs besides the journal; catalog and invoice books are
 * opened on first use.  One context per transaction. */
typedef struct capture_ctx capture_ctx;

int capture_ctx_open(journal *j, capture_ctx **out, bulu_err *e);
void capture_ctx_close(capture_ctx *c); /* NULL ok */

/*
 * Validate f, price its lines from the catalog, take its invoice number,
 * build the canonical JSON body (docs/entry-kinds.md) and journal_append()
 * it inside the caller's transaction.  *seq receives the entry's seq.
 * A refusal is BULU_BADINPUT with a message that names no patient data;
 * *field (if not NULL) receives the form field at fault ("patient_id",
 * "item_code", "qty", "unit_price", "invoice_no", "ref_form", ...) and
 * *line the 0-based line index for line fields, so the caller can name
 * the flag, or the CSV row and column.
 */
int capture_form_append(capture_ctx *c, const form *f, int64_t *seq,
                        const char **field, size_t *line, bulu_err *e);

/* The warning of the last capture_form_append ("" if none): a department
 * captured before its tier came (docs/outage.md), over-dispensing against a
 * form of this station (docs/entry-kinds.md).  Owned by c. */
const char *capture_ctx_warning(const capture_ctx *c);

/* The kind of an entry appended earlier (committed, or in this context's
 * transaction): writes it into kind (32 bytes); BULU_BADINPUT if none. */
int capture_entry_kind(capture_ctx *c, int64_t seq, char kind[32], bulu_err *e);

#endif
