/*
 * printout.h - the printed paper of a downtime: receipt, requisition,
 * cash-up sheet, as self-contained HTML pages with print CSS.
 *
 * Every page is made from committed journal entries, never from what was
 * typed, so the paper says exactly what the journal holds.  A page carries
 * everything it needs (styles and the Code 128 barcode of its BL reference
 * as inline SVG; fonts are the printer's own CJK fonts), fetches nothing,
 * and prints from any browser or from `chromium --headless --print-to-pdf`.
 * docs/printing.md shows every form.
 *
 * The forms:
 *   receipt      手工收据 (停机手工收据) of a charge, or of a registration with a fee
 *   requisition  药品请领单 in two copies: 第一联 病区留存, 第二联 药房
 *   cashup       轧账单 of one cashier: per payment method, invoice ranges,
 *                voids, totals, signature lines 收款员 / 复核人.  A cash-up
 *                sheet is itself a journal entry (kind "print", form
 *                "cashup"), made by printout_cashup_record(), so it has a
 *                BL reference and can be reprinted with the same figures.
 * Sizes: A4, A5 (the @page size; the layout fits either) and 80 mm receipt
 * printers (a narrow single column, no fixed page height).
 *
 * Prints and reprints: a form's first print is its original; every later
 * print is a reprint, marked 重打 with the original time and the reprint
 * time.  Prints made after saving go through printout_record(), which
 * appends a "print" entry {"form","of","reprint","size"} (docs/entry-kinds.md)
 * and says whether this print is a reprint: the first recorded print of a
 * receipt is its original; a requisition's original is the one printed when
 * it was saved (`capture requisition`, or the screen right after 已保存,
 * with printout_html(..., NULL, ...), unrecorded), so every recorded print
 * of a requisition is a reprint; a cash-up sheet's original is printed when
 * the sheet is recorded (printout_cashup_record()).
 *
 * Times are printed in the station's time zone (journal_tz(), clock.h).
 */
#ifndef BULU_PRINTOUT_H
#define BULU_PRINTOUT_H

#include <stdint.h>
#include "bulu/buf.h"
#include "bulu/clock.h"
#include "bulu/err.h"
#include "bulu/journal.h"

enum printout_form { PRINTOUT_RECEIPT = 0, PRINTOUT_REQUISITION = 1, PRINTOUT_CASHUP = 2 };
enum printout_size { PRINTOUT_A4 = 0, PRINTOUT_A5 = 1, PRINTOUT_80MM = 2 };

/* "receipt" | "requisition" | "cashup"; 0, or -1 for anything else. */
int printout_form_parse(const char *s, enum printout_form *out);
const char *printout_form_name(enum printout_form f);
/* "a4" | "a5" | "80mm" (case-insensitive); 0, or -1. */
int printout_size_parse(const char *s, enum printout_size *out);
const char *printout_size_name(enum printout_size z);

/* One recorded print: the "print" entry that recorded it. */
struct printout_print {
	int64_t seq;               /* the print entry's seq */
	int reprint;               /* 1: a reprint (重打) */
	char at[CLOCK_ISO_MAX];    /* its recorded_at: the time of this print */
	char by[128];              /* its operator */
};

/*
 * The form's printable page for the entry ref ("BL-STATION-SEQ" of this
 * station; "SEQ" alone is accepted too), appended to out as one HTML
 * document.  form must fit the entry's kind: receipt for a charge or a
 * registration with a fee, requisition for a requisition, cashup for a
 * cash-up sheet's print entry.  p NULL (or p->reprint 0) prints the
 * original; else the page is marked 重打 with the original time and p->at.
 * BULU_BADINPUT for an unknown reference or a form that does not fit (the
 * message says which form does), BULU_SYSTEM on a database failure.
 */
int printout_html(journal *j, const char *ref, enum printout_form form,
		  enum printout_size size, const struct printout_print *p,
		  buf *out, bulu_err *e);

/*
 * Record a print of ref's form before printing it: checks the form fits
 * the entry (as printout_html), decides whether it is a reprint (see above),
 * then appends and durably commits a "print" entry {"form","of","reprint",
 * "size"} by operator_.  j must be open for writing.  Fills *p for
 * printout_html().
 */
int printout_record(journal *j, const char *ref, enum printout_form form,
		    enum printout_size size, const char *operator_,
		    struct printout_print *p, bulu_err *e);

/*
 * Record the cash-up sheet of cashier (entries by that operator; of one
 * episode when episode is not NULL) as of now: appends and durably commits a
 * "print" entry {"form":"cashup","cashier","of_episode"?,"through":LAST_SEQ,
 * "size", and the sheet's figures: "gross","refunds","net" in fen}, recorded
 * by operator_.  *seq receives its seq: print it with printout_html(ref of
 * seq, PRINTOUT_CASHUP, ...).  j must be open for writing.
 */
int printout_cashup_record(journal *j, const char *cashier, const char *episode,
			   enum printout_size size, const char *operator_, int64_t *seq,
			   bulu_err *e);

/* The reference's seq at this station: "BL-STATION-SEQ" or "SEQ".  0, or
 * BULU_BADINPUT naming what is wrong (another station's reference, ...). */
int printout_ref_seq(journal *j, const char *ref, int64_t *seq, bulu_err *e);

#endif
