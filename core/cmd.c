/*
 * cmd.c - what every command does the same way, whichever part it lives in:
 * report a failure, a usage error, or its help text; pick the operator and
 * the output format; write CSV cells.  Messages go to stderr, data to
 * stdout.  Moved here from cli/ so that the parts never call into the
 * program's front door (scripts/deps.sh).
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bulu/cmd.h"

int cli_verbose;

int cli_fail(const bulu_err *e)
{
	if (e->msg[0])
		fprintf(stderr, "bulu: %s\n", e->msg);
	return e->code;
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help'.\n", cmd);
	return BULU_BADINPUT;
}

int cli_help(const char *text)
{
	fputs(text, stdout);
	return BULU_OK;
}

int cli_progress_wanted(void)
{
	return isatty(STDERR_FILENO);
}

const char *cli_operator(const char *given, int admin)
{
	if (given && *given)
		return given;
	const char *env = getenv("BULU_OPERATOR");
	if (env && *env)
		return env;
	if (!admin)
		return NULL;
	env = getenv("USER");
	return env && *env ? env : "it";
}

int cli_format(const char *cmd, const char *arg, unsigned allowed,
	       enum cli_format *out)
{
	static const struct { const char *name; enum cli_format f; } all[] = {
		{"table", CLI_TABLE}, {"csv", CLI_CSV}, {"json", CLI_JSON}};
	char choices[32] = "";
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
		if (!(allowed & all[i].f))
			continue;
		if (strcmp(arg, all[i].name) == 0) {
			*out = all[i].f;
			return BULU_OK;
		}
		strcat(choices, *choices ? "|" : "");
		strcat(choices, all[i].name);
	}
	return cli_usage(cmd, "--format: one of %s", choices);
}

int cli_csv_formula(const char *s, size_t n)
{
	if (!n || !s[0] || !strchr("=+-@\t\r", s[0]))
		return 0;
	if (n == 1 && s[0] == '-')
		return 0; /* a dash alone: "none", text to every spreadsheet */
	/* a plain number, signed, with or without a decimal part, stays a
	 * number: -12.50 is an amount, not a formula */
	size_t i = s[0] == '-' || s[0] == '+';
	size_t d = 0;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++, d++;
	if (d && i < n && s[i] == '.') {
		size_t f = 0;
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			f++;
		if (!f)
			return 1;
	}
	return !d || i != n;
}

/* One cell: neutralised when a spreadsheet would run it (formula), then
 * quoted when it must be. */
static void csv_cell(buf *o, const char *s, int last, int formula)
{
	size_t n = strlen(s);
	if (formula) {
		buf_puts(o, "\"'");
		for (; *s; s++) {
			if (*s == '"')
				buf_putc(o, '"');
			buf_putc(o, *s);
		}
		buf_putc(o, '"');
	} else if (strpbrk(s, ",\"\r\n") || (n && (s[0] == ' ' || s[n - 1] == ' '))) {
		buf_putc(o, '"');
		for (; *s; s++) {
			if (*s == '"')
				buf_putc(o, '"');
			buf_putc(o, *s);
		}
		buf_putc(o, '"');
	} else {
		buf_puts(o, s);
	}
	buf_puts(o, last ? "\r\n" : ",");
}

void cli_csv_cell(buf *o, const char *s, int last)
{
	csv_cell(o, s, last, cli_csv_formula(s, strlen(s)));
}

const char *cli_csv_plain(const char *cell)
{
	return cell[0] == '\'' && cli_csv_formula(cell + 1, strlen(cell + 1)) ? cell + 1 : cell;
}

void cli_csv_cell_raw(buf *o, const char *s, int last)
{
	csv_cell(o, s, last, 0);
}

void cli_csv_field(const char *s, int last)
{
	buf o = BUF_INIT;
	cli_csv_cell(&o, s, last);
	if (o.len)
		fwrite(o.p, 1, o.len, stdout);
	buf_free(&o);
}

int cli_dir_only(int argc, char **argv, const char *usage, const char **dir, int *rc)
{
	static const struct option opts[] = {
		{"dir", required_argument, 0, 'D'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'D') {
			*dir = optarg;
		} else if (c == 'h') {
			*rc = cli_help(usage);
			return 1;
		} else {
			*rc = cli_usage(argv[0], "unknown option");
			return 1;
		}
	}
	if (optind < argc) {
		*rc = cli_usage(argv[0], "unexpected argument '%s'", argv[optind]);
		return 1;
	}
	return 0;
}
