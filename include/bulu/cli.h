/*
 * cli.h - the command layer: one function per subcommand, one table.
 *
 * Every cmd_* takes the arguments after "bulu GROUP NAME" (argv[0] is the
 * command's full name, e.g. "bulu capture charge"), parses them with
 * getopt_long, prints data on stdout and messages on stderr, and returns the
 * exit status (enum bulu_status).  Only this layer exits.
 */
#ifndef BULU_CLI_H
#define BULU_CLI_H

#include "bulu/buf.h"
#include "bulu/err.h"

typedef int (*cmd_fn)(int argc, char **argv);

#define CMD(group, name, fn, summary) int fn(int argc, char **argv);
#include "commands.def"
#undef CMD

/* Print "bulu: MESSAGE" on stderr (if e->msg is set) and return e->code. */
int cli_fail(const bulu_err *e);
/* Print "bulu: CMD: MESSAGE" and "Try 'CMD --help'." on stderr; return 2. */
int cli_usage(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Print a usage text on stdout and return 0 (for --help). */
int cli_help(const char *text);
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
 * last cell of a row, CRLF: appended to o, or printed on stdout. */
void cli_csv_cell(buf *o, const char *s, int last);
void cli_csv_field(const char *s, int last);

/* 1 if --verbose/-v or BULU_VERBOSE=1: messages may name patient data. */
extern int cli_verbose;

#endif
