/*
 * summary.h - the end-of-shift cash-up (轧账) of one operator, as the JSON
 * `bulu capture summary --format json` prints (docs/entry-kinds.md keys),
 * for the station screen.  episode NULL or "": all episodes.
 */
#ifndef BULU_SUMMARY_H
#define BULU_SUMMARY_H

#include "bulu/buf.h"
#include "bulu/err.h"
#include "bulu/journal.h"

int capture_summary_json(journal *j, const char *op, const char *episode, buf *out,
                         bulu_err *e);

#endif
