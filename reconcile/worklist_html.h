/*
 * worklist_html.h - a department's back-fill worklist as a printable page
 * (worklists/DEPT.html), beside the CSV and text forms report.c writes.
 *
 * Every line carries its BL reference as a Code 128 barcode, so the clerk
 * back-filling the HIS scans the reference into its remark (备注) instead of
 * typing it.  The page is self-contained like the station's forms
 * (docs/printing.md): styles and barcodes inside, nothing fetched.
 */
#ifndef BULU_WORKLIST_HTML_H
#define BULU_WORKLIST_HTML_H

#include <stddef.h>
#include "bulu/buf.h"

/* One worklist line; "" for what it lacks. */
struct wl_line {
	const char *due, *ref, *action, *cls, *patient, *patient_name, *item, *item_name,
		*qty, *amount, *his_id, *expl;
};

/* The page's head for dept ("" prints 未知科室) with n lines to come. */
void wl_html_begin(buf *o, const char *dept, size_t n);
/* One line: a box to tick, deadline, barcode and reference, what to do,
 * what it is about, why. */
void wl_html_line(buf *o, const struct wl_line *l);
/* The signature lines and the end of the page. */
void wl_html_end(buf *o);

#endif
