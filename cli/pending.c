/* TEMPORARY while parts are written in parallel: weak fallbacks, removed
 * before landing. */
#include <stdio.h>
#include "bulu/cli.h"
#define P(fn) __attribute__((weak)) int fn(int argc, char **argv) { (void)argc; fprintf(stderr, "%s: not built yet\n", argv[0]); return 4; }
P(cmd_catalog_load) P(cmd_catalog_find) P(cmd_invoice_add_book) P(cmd_invoice_list)
P(cmd_capture_registration) P(cmd_capture_card_issue) P(cmd_capture_charge)
P(cmd_capture_prescription) P(cmd_capture_order) P(cmd_capture_requisition)
P(cmd_capture_dispense) P(cmd_capture_exam) P(cmd_capture_invoice_void)
P(cmd_capture_void) P(cmd_capture_note) P(cmd_capture_import) P(cmd_capture_summary)
P(cmd_journal_show)
