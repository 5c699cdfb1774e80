/*
 * print.h - printable paper forms made from saved journal entries.
 *
 * A ward drug requisition (药品请领单) is printed in two copies (一式两份):
 * the ward keeps copy 1 to back-fill its orders, the pharmacy dispenses
 * against copy 2.  Both carry the entry's back-fill reference BL-STATION-SEQ.
 */
#ifndef BULU_PRINT_H
#define BULU_PRINT_H

#include <stdint.h>
#include <stdio.h>
#include "bulu/err.h"
#include "bulu/journal.h"

/* Print requisition entry seq (committed) as a text form in two copies,
 * columns aligned by display width.  BULU_BADINPUT if seq is no
 * requisition; BULU_SYSTEM if out cannot be written. */
int print_requisition(journal *j, int64_t seq, FILE *out, bulu_err *e);

#endif
