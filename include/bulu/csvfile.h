/*
 * csvfile.h - reading CSV files with libcsv, row by row, with positions.
 *
 * The whole file is read, decoded to UTF-8 (see text.h), and fed to libcsv
 * in strict mode: quoted fields may hold commas, quotes ("") and line breaks.
 * Rows are numbered from 1 as a spreadsheet shows them: row 1 is the header.
 * Columns are numbered from 1.  Blank lines are skipped (but counted).
 * Rows are records, not physical lines: a line break inside a quoted field
 * does not start a new row, and a CRLF pair ends one row.  A row whose
 * fields are all empty (",,," or spaces only) counts as blank.
 */
#ifndef BULU_CSVFILE_H
#define BULU_CSVFILE_H

#include <stddef.h>
#include "bulu/err.h"
#include "bulu/text.h"

/* Called once per row.  fields[i] is NUL-terminated, lens[i] its length.
 * Return BULU_OK to go on; anything else stops the read and is returned
 * by csvfile_read (fill e with the reason). */
typedef int (*csvfile_row_fn)(void *ud, size_t row, size_t nfields,
                              char *const *fields, const size_t *lens,
                              bulu_err *e);

/* Read path (or stdin when path is "-").  Returns BULU_OK, the callback's
 * status, or BULU_BADINPUT for unreadable/undecodable/malformed CSV, with a
 * message "FILE:ROW: ...".  *used, if not NULL, receives the encoding read. */
int csvfile_read(const char *path, enum text_enc enc, csvfile_row_fn fn,
                 void *ud, enum text_enc *used, bulu_err *e);

/* The same over bytes already in memory; name is used in messages. */
int csvfile_read_mem(const char *name, const char *raw, size_t rawlen,
                     enum text_enc enc, csvfile_row_fn fn, void *ud,
                     enum text_enc *used, bulu_err *e);

/*
 * Map a header row onto wanted column names.  names[k] may hold several
 * accepted spellings separated by '|' (e.g. "code|编码|项目编码"); matching
 * ignores ASCII case and surrounding spaces.  idx[k] receives the 0-based
 * column index or -1 when absent.  A column named twice, or (when
 * allow_unknown is 0) a header name matching none, is BULU_BADINPUT with
 * "FILE:1:COL: ...".  Required names are checked by the caller.
 * A header cell that is empty counts as unknown (refused unless
 * allow_unknown).  FILE is path, or "<stdin>" for "-", as in csvfile_read.
 */
int csvfile_map_header(const char *path, char *const *fields, size_t nfields,
                       const char *const *names, size_t nnames, int *idx,
                       int allow_unknown, bulu_err *e);

#endif
