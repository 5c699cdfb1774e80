/*
 * status_cmd.c - `bulu sync status`: what the ledger holds of each station.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "bulu/cli.h"
#include "bulu/json.h"
#include "bulu/ledger.h"
#include "bulu/text.h"

static const char usage[] =
	"usage: bulu sync status --ledger LEDGER.db [--format table|csv|json]\n"
	"\n"
	"Per station: the seqs held (as ranges), the gaps (seqs missing below the\n"
	"highest seq held or named by a bundle's signature), forks (seqs held with\n"
	"two different entries), unlinked seqs (an entry whose previous entry is\n"
	"held, but not the one it chains to: a fork not yet seen whole), drill\n"
	"entries (kept apart), the station clock of the last entry, and the last\n"
	"import.  Every entry's hash is recomputed from its fields on the way.\n"
	"Exit 0 when every chain is whole; 1 when a gap or fork exists; 3 when an\n"
	"entry does not match its hash (the ledger was changed after import: run\n"
	"`bulu ledger verify`, which checks signatures and the imports record too).\n";

static void padr(const char *s, size_t w)
{
	size_t n = text_width(s);
	fputs(s, stdout);
	for (; n < w; n++)
		putchar(' ');
	putchar(' ');
}

static const char *dash(const char *s) { return s && *s ? s : "-"; }

static void print_table(const ledger_station *v, size_t n)
{
	padr("station", 12), padr("dept", 10), padr("entries", 8), padr("drill", 6), padr("held", 16),
		padr("gaps", 16), padr("forks", 10), padr("last entry", 26);
	printf("last import\n");
	for (size_t i = 0; i < n; i++) {
		const ledger_station *s = &v[i];
		char num[32], forks[256];
		padr(s->station, 12);
		padr(dash(s->dept), 10);
		snprintf(num, sizeof num, "%" PRId64, s->entries);
		padr(num, 8);
		snprintf(num, sizeof num, "%" PRId64, s->drill_entries);
		padr(num, 6);
		padr(dash(s->held), 16);
		padr(dash(s->gaps), 16);
		snprintf(forks, sizeof forks, "%s%s%s", s->forks, *s->unlinked ? (*s->forks ? ",~" : "~") : "",
			 s->unlinked);
		padr(dash(forks), 10);
		padr(dash(s->last_recorded_at), 26);
		printf("%s%s%s%s\n", dash(s->last_import), *s->last_import_result ? " (" : "",
		       s->last_import_result, *s->last_import_result ? ")" : "");
	}
	if (!n)
		printf("(no stations: nothing imported yet)\n");
}

static void print_csv(const ledger_station *v, size_t n)
{
	static const char *head[] = {"station", "dept", "role", "entries", "drill_entries", "first", "last",
				     "head", "held", "gaps", "gap_seqs", "forks", "unlinked", "last_recorded_at",
				     "last_import", "last_import_result"};
	for (size_t k = 0; k < 16; k++)
		cli_csv_field(head[k], k == 15);
	for (size_t i = 0; i < n; i++) {
		const ledger_station *s = &v[i];
		char a[24], b[24], c[24], d[24], f[24], g[24];
		snprintf(a, sizeof a, "%" PRId64, s->entries);
		snprintf(b, sizeof b, "%" PRId64, s->drill_entries);
		snprintf(c, sizeof c, "%" PRId64, s->first);
		snprintf(d, sizeof d, "%" PRId64, s->last);
		snprintf(f, sizeof f, "%" PRId64, s->head);
		snprintf(g, sizeof g, "%" PRId64, s->n_gap_seqs);
		const char *row[] = {s->station, s->dept, s->role, a, b, c, d, f, s->held, s->gaps, g,
				     s->forks, s->unlinked, s->last_recorded_at, s->last_import, s->last_import_result};
		for (size_t k = 0; k < 16; k++)
			cli_csv_field(row[k], k == 15);
	}
}

static int print_json(const ledger_station *v, size_t n)
{
	jw w;
	jw_init(&w);
	jw_arr_begin(&w);
	for (size_t i = 0; i < n; i++) {
		const ledger_station *s = &v[i];
		jw_obj_begin(&w);
		jw_kstr(&w, "dept", s->dept);
		jw_kint(&w, "drill_entries", s->drill_entries);
		jw_kint(&w, "entries", s->entries);
		jw_kint(&w, "first", s->first);
		jw_kstr(&w, "forks", s->forks);
		jw_kint(&w, "gap_seqs", s->n_gap_seqs);
		jw_kstr(&w, "gaps", s->gaps);
		jw_kint(&w, "head", s->head);
		jw_kstr(&w, "held", s->held);
		jw_kint(&w, "last", s->last);
		jw_kstr(&w, "last_import", s->last_import);
		jw_kstr(&w, "last_import_result", s->last_import_result);
		jw_kstr(&w, "last_recorded_at", s->last_recorded_at);
		jw_kstr(&w, "role", s->role);
		jw_kstr(&w, "station", s->station);
		jw_kstr(&w, "unlinked", s->unlinked);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	const char *text;
	size_t len;
	int rc = jw_finish(&w, &text, &len);
	if (rc == 0)
		printf("%s\n", text);
	jw_free(&w);
	return rc;
}

int cmd_sync_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{"ledger", required_argument, 0, 'l'}, {"format", required_argument, 0, 'f'},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	const char *lpath = NULL;
	enum cli_format fmt = CLI_TABLE;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'l': lpath = optarg; break;
		case 'f':
			if (cli_format(argv[0], optarg, CLI_TABLE | CLI_CSV | CLI_JSON, &fmt) != BULU_OK)
				return BULU_BADINPUT;
			break;
		case 'h': return cli_help(usage);
		default: return cli_usage(argv[0], "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage(argv[0], "unexpected argument '%s'", argv[optind]);
	if (!lpath || !*lpath)
		return cli_usage(argv[0], "--ledger FILE is required");
	bulu_err e = {0};
	ledger *l = NULL;
	ledger_station *v = NULL;
	size_t n = 0;
	int rc = ledger_open(lpath, 0, &l, &e);
	if (rc == BULU_OK)
		rc = ledger_status(l, &v, &n, &e);
	int problems = 0;
	if (rc == BULU_OK) {
		if (fmt == CLI_TABLE)
			print_table(v, n);
		else if (fmt == CLI_CSV)
			print_csv(v, n);
		else if (print_json(v, n) != 0)
			rc = bulu_errf(&e, BULU_SYSTEM, "out of memory");
		for (size_t i = 0; i < n; i++)
			problems += v[i].n_gap_seqs > 0 || v[i].n_forks > 0 || v[i].n_unlinked > 0;
		if (fflush(stdout) != 0 && rc == BULU_OK)
			rc = bulu_errf(&e, BULU_SYSTEM, "writing to standard output failed");
	}
	ledger_status_free(v, n);
	ledger_close(l);
	if (rc != BULU_OK)
		return cli_fail(&e);
	if (problems)
		fprintf(stderr, "bulu: %d station%s with gaps or forks\n", problems, problems == 1 ? "" : "s");
	return problems ? BULU_FINDINGS : BULU_OK;
}
