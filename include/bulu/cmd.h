/*
 * cmd.h - what every command does the same way (core/cmd.c): report a
 * failure, a usage error or its help text, pick the operator and the
 * output format, write CSV cells.  Messages go to stderr, data to stdout.
 * The names keep their cli_ prefix: they are the command layer's helpers,
 * shared by every part's commands, and live in core/ so that no part calls
 * into cli/ (the program's front door).
 */
#ifndef BULU_CMD_H
#define BULU_CMD_H

#include "bulu/buf.h"
#include "bulu/err.h"

/* Print "bulu: MESSAGE" on stderr (if e->msg is set) and return e->code. */
int cli_fail(const bulu_err *e);
/* Print "bulu: CMD: MESSAGE" and "Try 'CMD --help'." on stderr; return 2. */
int cli_usage(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Print a usage text on stdout and return 0 (for --help). */
int cli_help(const char *text);
/* The options of a command that takes only --dir DIR and --help: 0 to go
 * on (*dir set when given), or 1 with *rc the exit status to return (its
 * help printed, or a usage error). */
int cli_dir_only(int argc, char **argv, const char *usage, const char **dir, int *rc);
/* 1 when stderr is a terminal and progress may be shown. */
int cli_progress_wanted(void);
/* Who is recording: given (--operator), else $BULU_OPERATOR, else for
 * housekeeping commands (admin != 0) the login name.  NULL when a capture
 * has none: captures must be attributable. */
const char *cli_operator(const char *given, int admin);
/* Output formats of --format. */
enum cli_format { CLI_TABLE = 1, CLI_CSV = 2, CLI_JSON = 4 };
/* Parse --format's argument among the allowed formats (a mask of
 * cli_format).  Returns 0, or a usage error (2) naming the choices. */
int cli_format(const char *cmd, const char *arg, unsigned allowed,
               enum cli_format *out);
/* One CSV cell (RFC 4180: quoted when it must be), then ',' or, after the
 * last cell of a row, CRLF: appended to o, or printed on stdout.
 *
 * Every CSV file bulu writes for people is opened in a spreadsheet, so a
 * cell a spreadsheet would run as a formula is neutralised (OWASP's advice
 * on CSV injection): a cell that starts with '=', '+', '-', '@', a tab or a
 * carriage return, and is not a plain number (-12.50, +3, 42) nor a dash
 * alone, is written with a single quote in front, and quoted:
 * "'=HYPERLINK(...)".  Numbers stay numbers; the cell's text is kept whole
 * after the quote, so a reader strips one leading "'" from such a cell to
 * get it back.  docs/reconcile.md ("Cells a spreadsheet would run"). */
void cli_csv_cell(buf *o, const char *s, int last);
/* The same without the neutralising, for files that stand for another
 * system's data (bulu sim's HIS exports and catalog, read back by bulu). */
void cli_csv_cell_raw(buf *o, const char *s, int last);
/* 1 when s[0..n) is a cell cli_csv_cell neutralises. */
int cli_csv_formula(const char *s, size_t n);
/* A cell as bulu read it back from its own CSV (after RFC 4180 unquoting):
 * without the "'" that cli_csv_cell put in front of a formula. */
const char *cli_csv_plain(const char *cell);
void cli_csv_field(const char *s, int last);

/* 1 if --verbose/-v or BULU_VERBOSE=1: messages may name patient data. */
extern int cli_verbose;

#endif
