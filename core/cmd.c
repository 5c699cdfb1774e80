/*
 * cmd.c - what every command does the same way, whichever part it lives in:
 * report a failure, a usage error, or its help text; pick the operator and
 * the output format; write CSV cells.  Messages go to stderr, data to
 * stdout.  Moved here from cli/ so that the parts never call into the
 * program's front door (scripts/deps.sh).
 */
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

void cli_csv_cell(buf *o, const char *s, int last)
{
	if (strpbrk(s, ",\"\r\n") || (*s && (s[0] == ' ' || s[strlen(s) - 1] == ' '))) {
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

void cli_csv_field(const char *s, int last)
{
	buf o = BUF_INIT;
	cli_csv_cell(&o, s, last);
	if (o.len)
		fwrite(o.p, 1, o.len, stdout);
	buf_free(&o);
}
