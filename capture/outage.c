/*
 * outage.c - `bulu outage start|end`: the breakpoint (断点) and the restore
 * notice as journal entries.
 *
 * An episode id names one outage across all stations; by default it is made
 * from the announced start time (OUT-YYYYMMDD-HHMM, DRILL-... for a drill),
 * so stations that record IT's unified start time agree without talking.
 * Every entry written while an episode is open carries its id; a drill's id
 * starts with DRILL- and its outage_start says "drill":true, so drill data
 * can never be counted as real.  Invariant: at most one episode is open.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "bulu/cli.h"
#include "bulu/clock.h"
#include "bulu/journal.h"
#include "bulu/json.h"

static const char start_usage[] =
	"usage: bulu outage start [--at TIME] [--drill] [--episode ID] [--level L]\n"
	"                         [--note TEXT] [--operator OP] [--dir DIR]\n"
	"\n"
	"Record the breakpoint: the unified manual-operation start time IT announced\n"
	"(--at, default now; e.g. \"2026-11-21 08:30\").  From now on every entry\n"
	"carries the episode id, by default OUT-YYYYMMDD-HHMM from --at, or\n"
	"DRILL-YYYYMMDD-HHMM with --drill: a drill's data never counts as real.\n"
	"Refused while another episode is open.\n";

static const char end_usage[] =
	"usage: bulu outage end [--at TIME] [--note TEXT] [--operator OP] [--dir DIR]\n"
	"\n"
	"Record the restore notice (恢复运行通知) that ends the open episode.\n";

/* "2026-11-21T08:30:00+08:00" -> "OUT-20261121-0830" */
static void episode_from(const char *iso, int drill, char out[64])
{
	snprintf(out, 64, "%s-%.4s%.2s%.2s-%.2s%.2s", drill ? "DRILL" : "OUT", iso, iso + 5,
		 iso + 8, iso + 11, iso + 14);
}

static int episode_id_ok(const char *s, int drill)
{
	size_t n = strlen(s);
	if (n == 0 || n > 48)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
	}
	/* Only a drill's id may, and must, start with DRILL- */
	return (strncmp(s, "DRILL-", 6) == 0) == (drill != 0);
}

static int record(const char *dir, const char *kind, const char *op,
		  const char *episode, const char *body, size_t blen, const char *what)
{
	bulu_err e = {0};
	journal *j = NULL;
	int64_t seq;
	int rc = journal_open(dir, JOURNAL_WRITE, &j, &e);
	if (rc == BULU_OK)
		rc = journal_begin(j, &e);
	if (rc == BULU_OK) {
		char open_ep[64];
		int drill;
		journal_episode(j, open_ep, &drill, &e);
		if (strcmp(kind, "outage_start") == 0 && *open_ep)
			rc = bulu_errf(&e, BULU_BADINPUT,
				       "episode %s is still open: record `bulu outage end` first", open_ep);
		else if (strcmp(kind, "outage_end") == 0 && !*open_ep)
			rc = bulu_errf(&e, BULU_BADINPUT, "no outage episode is open");
		if (!episode)
			episode = open_ep;
		if (rc == BULU_OK)
			rc = journal_append(j, kind, op, episode, NULL, body, blen, &seq, &e);
		if (rc == BULU_OK)
			rc = journal_commit(j, &e);
	}
	if (rc == BULU_OK) {
		char ref[96];
		entry_ref(ref, sizeof ref, journal_station(j), seq);
		printf("saved %s %s%s%s\n", ref, kind, *what ? " " : "", what);
		fflush(stdout); /* the report reaches a pipe at once */
	}
	journal_close(j);
	return rc == BULU_OK ? BULU_OK : cli_fail(&e);
}

static int outage(int argc, char **argv, int start)
{
	static const struct option opts[] = {
		{"at", required_argument, 0, 'a'},      {"drill", no_argument, 0, 'r'},
		{"episode", required_argument, 0, 'e'}, {"level", required_argument, 0, 'l'},
		{"note", required_argument, 0, 'n'},    {"operator", required_argument, 0, 'o'},
		{"dir", required_argument, 0, 'D'},     {"help", no_argument, 0, 'h'},
		{0, 0, 0, 0}};
	const char *at = NULL, *ep = NULL, *level = NULL, *note = NULL, *op = NULL, *dir = NULL;
	int drill = 0, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'a': at = optarg; break;
		case 'r': drill = 1; break;
		case 'e': ep = optarg; break;
		case 'l': level = optarg; break;
		case 'n': note = optarg; break;
		case 'o': op = optarg; break;
		case 'D': dir = optarg; break;
		case 'h': return cli_help(start ? start_usage : end_usage);
		default: return cli_usage(argv[0], "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage(argv[0], "unexpected argument '%s'", argv[optind]);
	if (!start && (drill || ep || level))
		return cli_usage(argv[0], "--drill, --episode and --level belong to `bulu outage start`");
	char when[CLOCK_ISO_MAX], id[64];
	if (at ? clock_parse(at, when) != 0 : (clock_now_iso(when), 0))
		return cli_usage(argv[0], "--at: not a time: use YYYY-MM-DD HH:MM[:SS] or ISO-8601");
	if (start) {
		if (ep)
			snprintf(id, sizeof id, "%s", ep);
		else
			episode_from(when, drill, id);
		if (!episode_id_ok(id, drill))
			return cli_usage(argv[0], "--episode: letters, digits, '-' or '_'; a drill's id, and only a "
						  "drill's, starts with DRILL-");
	}
	jw w;
	jw_init(&w);
	jw_obj_begin(&w);
	jw_kstr(&w, "at", when);
	if (start)
		jw_kbool(&w, "drill", drill);
	jw_kstr_opt(&w, "level", level);
	jw_kstr_opt(&w, "note", note);
	jw_obj_end(&w);
	const char *body;
	size_t blen;
	int rc;
	if (jw_finish(&w, &body, &blen) != 0)
		rc = cli_usage(argv[0], "--note and --level must be UTF-8 text");
	else
		rc = record(dir, start ? "outage_start" : "outage_end", cli_operator(op, 1),
			    start ? id : NULL, body, blen, start ? id : "");
	jw_free(&w);
	return rc;
}

int cmd_outage_start(int argc, char **argv) { return outage(argc, argv, 1); }
int cmd_outage_end(int argc, char **argv) { return outage(argc, argv, 0); }
