/*
 * invoice.h - manual invoice books (手工发票) and the numbers used from them.
 *
 * Books are journal entries (kind invoice_book); a number is "used" by a
 * charge or registration entry carrying it, "voided" by an invoice_void
 * entry or by a void of the entry that used it, otherwise "free".  All of
 * it is derived from the journal, nothing kept beside it.  Numbers are digit
 * strings; a book's numbers all have the width of its first number and are
 * written zero-padded to it.
 *
 * An allocator sees the committed journal and everything it handed out
 * itself, so a bulk import in one transaction never gives a number twice.
 */
#ifndef BULU_INVOICE_H
#define BULU_INVOICE_H

#include "bulu/err.h"
#include "bulu/journal.h"

#define INVOICE_NO_MAX 32

typedef struct invoice_alloc invoice_alloc;

int invoice_alloc_open(journal *j, invoice_alloc **out, bulu_err *e);
void invoice_alloc_free(invoice_alloc *a); /* NULL ok */

/* Takes from now on are for a drill episode (drill != 0: drill books only)
 * or a real one (real books only); a number of the other kind of book is
 * refused by name.  Default: real. */
void invoice_set_drill(invoice_alloc *a, int drill);

/* Take a number for a charge or registration.  want NULL or "" takes the
 * lowest free number of the books; otherwise want must lie in a book and be
 * neither used nor voided.  out receives the normalised number.
 * BULU_BADINPUT with the reason (reused, outside the books, none left). */
int invoice_take(invoice_alloc *a, const char *want, char out[INVOICE_NO_MAX],
                 bulu_err *e);

/* Take a number for an invoice_void (a spoiled, never-charged form): it must
 * lie in a book and not be voided already; a used number is refused here
 * (void the charge instead). */
int invoice_take_void(invoice_alloc *a, const char *no,
                      char out[INVOICE_NO_MAX], bulu_err *e);

#endif
