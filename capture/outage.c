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
 *
 * The IT office's signed notices (notice.h, declare.c) are applied with
 * --notice: the signature is checked against the central key the station
 * trusts, the episode id is the notice's, so every station of one outage
 * shares one episode, and each applied notice is one journal entry
 * (outage_start, outage_notice for a level change or tier escalation,
 * outage_end for the restore) carrying the signed text and signature, so
 * anyone can check it later.  A start without a notice is undeclared (its
 * outage_start carries no "notice"); when a notice arrives the station
 * joins: the undeclared episode ends ("joined") and the declared one starts
 * ("joins"), in one transaction.  A notice applied again changes nothing.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "bulu/cli.h"
#include "bulu/clock.h"
#include "bulu/journal.h"
#include "bulu/json.h"
#include "bulu/notice.h"
#include "bulu/outage.h"
#include "bulu/text.h"

static const char start_usage[] =
	"usage: bulu outage start --notice FILE [--operator OP] [--dir DIR]\n"
	"       bulu outage start [--at TIME] [--drill | --live-drill] [--episode ID] [--level L]\n"
	"                         [--note TEXT] [--operator OP] [--dir DIR]\n"
	"\n"
	"Record the breakpoint.  With --notice, IT's signed start notice (启动通知,\n"
	"from `bulu outage declare`): its signature is checked against the central\n"
	"key the station trusts (exit 3 if forged or signed by another key), and the\n"
	"episode id, start time, level and cause are the notice's, so every station\n"
	"of the outage shares one episode.\n"
	"\n"
	"Without a notice (the LAN may be down; an emergency may not wait) the start\n"
	"is recorded as undeclared: the unified start time IT announced (--at,\n"
	"default now; e.g. \"2026-11-21 08:30\"), episode id OUT-YYYYMMDD-HHMM from\n"
	"--at, or DRILL-YYYYMMDD-HHMM with --drill: a drill's data never counts as\n"
	"real.  --live-drill flags a real episode as a drill on live patients.  When\n"
	"the notice arrives, apply it: the station joins the declared outage.\n"
	"Refused while another episode is open.\n";

static const char end_usage[] =
	"usage: bulu outage end --notice FILE [--operator OP] [--dir DIR]\n"
	"       bulu outage end [--at TIME] [--note TEXT] [--operator OP] [--dir DIR]\n"
	"\n"
	"Record the restore notice (恢复运行通知) that ends the open episode: IT's\n"
	"signed restore notice with --notice (checked as for `outage start`), else\n"
	"the time IT announced (--at, default now).\n";

static const char apply_usage[] =
	"usage: bulu outage apply --notice FILE [--operator OP] [--dir DIR]\n"
	"\n"
	"Apply any signed notice of IT's (start, level change, tier escalation or\n"
	"restore): the signature is checked against the central key the station\n"
	"trusts (exit 3 if forged or signed by another key) and the notice becomes\n"
	"a journal entry (outage_start, outage_notice or outage_end).  A station\n"
	"that started undeclared joins the declared outage.  A notice applied\n"
	"before changes nothing.\n";

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

/* ---- the open episode's state --------------------------------------------- */

static void col(sqlite3_stmt *st, int i, char *out, size_t n)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	snprintf(out, n, "%s", t ? (const char *)t : "");
}

int outage_state_get(journal *j, outage_state *st, bulu_err *e)
{
	memset(st, 0, sizeof *st);
	if (journal_episode(j, st->episode, &st->drill, e) != BULU_OK)
		return e->code;
	if (!*st->episode)
		return BULU_OK;
	sqlite3_stmt *q = NULL;
	int rc = BULU_OK;
	if (sqlite3_prepare_v2(journal_db(j),
			       "SELECT kind, body->>'at', body->>'level', body->>'tier', body->>'cause',"
			       " body->>'notice_n', body->>'live_drill' FROM entries"
			       " WHERE episode = ?1 AND kind IN ('outage_start', 'outage_notice') ORDER BY seq",
			       -1, &q, NULL) != SQLITE_OK)
		return bulu_errf(e, BULU_SYSTEM, "journal.db: %s", sqlite3_errmsg(journal_db(j)));
	sqlite3_bind_text(q, 1, st->episode, -1, SQLITE_STATIC);
	int sr;
	while ((sr = sqlite3_step(q)) == SQLITE_ROW) {
		int start = strcmp((const char *)sqlite3_column_text(q, 0), "outage_start") == 0;
		if (start) {
			col(q, 1, st->start, sizeof st->start);
			col(q, 4, st->cause, sizeof st->cause);
			st->live_drill = sqlite3_column_int(q, 6) != 0;
		}
		if (sqlite3_column_type(q, 2) != SQLITE_NULL)
			col(q, 2, st->level, sizeof st->level);
		if (sqlite3_column_type(q, 3) != SQLITE_NULL)
			col(q, 3, st->tier, sizeof st->tier);
		if (sqlite3_column_type(q, 5) != SQLITE_NULL)
			st->notice_n = sqlite3_column_int64(q, 5);
	}
	if (sr != SQLITE_DONE)
		rc = bulu_errf(e, BULU_SYSTEM, "journal.db: %s", sqlite3_errmsg(journal_db(j)));
	sqlite3_finalize(q);
	return rc;
}

int outage_tiers(journal *j, tier_table *tt, bulu_err *e)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/tiers.profile", journal_dir(j));
	return tiers_load(path, tt, e);
}

void outage_tier_come(const outage_state *st, const tier_table *tt, const char *dept,
		      long long now_epoch, const tier **dt, int *come)
{
	*dt = tiers_of_dept(tt, dept);
	*come = 1;
	long long t0 = *st->start ? clock_epoch(st->start) : -1;
	if (!*dt || !*st->episode || t0 < 0)
		return;
	const tier *forced = tiers_named(tt, st->tier);
	*come = now_epoch - t0 >= (*dt)->after || (forced && forced->after >= (*dt)->after);
}

static const char status_usage[] =
	"usage: bulu outage status [--dir DIR]\n"
	"\n"
	"The open episode at this station: declared by IT's notice or undeclared,\n"
	"the start and the time since, the level declared and the level by duration,\n"
	"the tier IT put in force and the tier by time (tier table: STATIONDIR/\n"
	"tiers.profile, else the default), and whether this station's department\n"
	"is to be on paper yet (分级转入手工).  One `name: value` per line.\n";

/* The lines `outage status` and `station info` print. */
void outage_print_status(journal *j, const outage_state *st, const tier_table *tt)
{
	char now[CLOCK_ISO_MAX];
	clock_now_iso(now);
	if (!*st->episode) {
		printf("outage: none open\n");
		return;
	}
	long long el = clock_epoch(now) - clock_epoch(st->start);
	if (el < 0)
		el = 0;
	const tier *dt, *bytime = tiers_by_time(tt, el);
	int come;
	outage_tier_come(st, tt, journal_dept(j), clock_epoch(now), &dt, &come);
	printf("outage: %s%s%s\n", st->episode, st->drill ? " (演练 drill)" : "",
	       st->live_drill ? " (实战演练 live drill: real data)" : "");
	if (st->notice_n)
		printf("declared: yes, notice #%lld applied (cause %s %s)\n", (long long)st->notice_n,
		       st->cause, notice_cause_label(st->cause));
	else
		printf("declared: no (未经信息科宣布: apply IT's notice when it arrives)\n");
	printf("start: %s (%lld h %02lld min ago)\n", st->start, el / 3600, el % 3600 / 60);
	printf("level: %s declared, %s by duration\n", *st->level ? st->level : "-",
	       tiers_level(tt, el));
	printf("tier_in_force: %s\ntier_by_time: %s\n", *st->tier ? st->tier : "-",
	       bytime ? bytime->name : "-");
	if (dt)
		printf("dept_tier: %s %s: %s\n", journal_dept(j), dt->name,
		       come ? "on paper now (已转入手工)" : "not yet (尚未到转入时间)");
}

int cmd_outage_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{"dir", required_argument, 0, 'D'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	const char *dir = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'D': dir = optarg; break;
		case 'h': return cli_help(status_usage);
		default: return cli_usage(argv[0], "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage(argv[0], "unexpected argument '%s'", argv[optind]);
	bulu_err e = {0};
	journal *j = NULL;
	outage_state st;
	tier_table tt;
	int rc = journal_open(dir, JOURNAL_READ, &j, &e);
	if (rc == BULU_OK)
		rc = outage_state_get(j, &st, &e);
	if (rc == BULU_OK)
		rc = outage_tiers(j, &tt, &e);
	if (rc == BULU_OK)
		outage_print_status(j, &st, &tt);
	journal_close(j);
	return rc == BULU_OK ? BULU_OK : cli_fail(&e);
}

/* ---- signed notices ------------------------------------------------------- */

/* The highest notice n applied in episode ep at this station (0: none, so an
 * open episode with 0 started undeclared). */
static int applied_n(journal *j, const char *ep, int64_t *n, bulu_err *e)
{
	sqlite3_stmt *st = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(journal_db(j),
			       "SELECT max(json_extract(body, '$.notice_n')) FROM entries WHERE episode = ?1"
			       " AND kind IN ('outage_start', 'outage_notice', 'outage_end')",
			       -1, &st, NULL) != SQLITE_OK)
		return bulu_errf(e, BULU_SYSTEM, "journal.db: %s", sqlite3_errmsg(journal_db(j)));
	sqlite3_bind_text(st, 1, ep, -1, SQLITE_STATIC);
	int sr = sqlite3_step(st);
	if (sr == SQLITE_ROW)
		*n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (sr != SQLITE_ROW)
		return bulu_errf(e, BULU_SYSTEM, "journal.db: %s", sqlite3_errmsg(journal_db(j)));
	return BULU_OK;
}

/* The notice's own keys of a body (after the caller's keys before "notice"). */
static void notice_keys(jw *w, const notice *nt)
{
	jw_kstr(w, "notice", nt->json);
	jw_kstr(w, "notice_kind", nt->kind);
	jw_kint(w, "notice_n", nt->n);
	jw_kstr(w, "notice_sig", nt->sig_b64);
}

/* The "saved ..." lines of the transaction, printed once it is committed. */
static buf saved_lines = BUF_INIT;

static int append(journal *j, const char *kind, const char *op, const char *ep, jw *w,
		  const char *what, bulu_err *e)
{
	const char *body;
	size_t blen;
	int64_t seq;
	if (jw_finish(w, &body, &blen) != 0)
		return bulu_errf(e, BULU_SYSTEM, "could not encode the %s body", kind);
	int rc = journal_append(j, kind, op, ep, NULL, body, blen, &seq, e);
	if (rc == BULU_OK) {
		char ref[96];
		entry_ref(ref, sizeof ref, journal_station(j), seq);
		buf_printf(&saved_lines, "saved %s %s %s%s%s\n", ref, kind, ep, *what ? " " : "", what);
	}
	return rc;
}

/* The declared outage_start of nt (joining `joins` when not NULL). */
static int write_start(journal *j, const char *op, const notice *nt, const char *joins, bulu_err *e)
{
	char what[160];
	jw w;
	jw_init(&w);
	jw_obj_begin(&w);
	jw_kstr(&w, "at", nt->start);
	jw_kstr(&w, "cause", nt->cause);
	jw_kbool(&w, "drill", strcmp(nt->drill, "drill") == 0);
	jw_kstr_opt(&w, "joins", joins);
	jw_kstr(&w, "level", nt->level);
	if (strcmp(nt->drill, "live") == 0)
		jw_kbool(&w, "live_drill", 1);
	notice_keys(&w, nt);
	jw_kstr(&w, "tier", nt->tier);
	jw_obj_end(&w);
	snprintf(what, sizeof what, "(declared: notice #%lld %s%s%s)", (long long)nt->n,
		 notice_kind_label(nt->kind), joins ? ", joins " : "", joins ? joins : "");
	int rc = append(j, "outage_start", op, nt->id, &w, what, e);
	jw_free(&w);
	return rc;
}

/* A level change or tier escalation, or the restore notice. */
static int write_later(journal *j, const char *op, const notice *nt, bulu_err *e)
{
	int restore = strcmp(nt->kind, "restore") == 0;
	char what[160];
	jw w;
	jw_init(&w);
	jw_obj_begin(&w);
	jw_kstr(&w, "at", nt->at);
	if (!restore)
		jw_kstr(&w, "level", nt->level);
	notice_keys(&w, nt);
	if (!restore)
		jw_kstr(&w, "tier", nt->tier);
	jw_obj_end(&w);
	snprintf(what, sizeof what, "(notice #%lld %s: level %s, tier %s)", (long long)nt->n,
		 notice_kind_label(nt->kind), nt->level, nt->tier);
	int rc = append(j, restore ? "outage_end" : "outage_notice", op, nt->id, &w, what, e);
	jw_free(&w);
	return rc;
}

/* The undeclared episode ep ends: the station joins nt's outage. */
static int write_join_end(journal *j, const char *op, const char *ep, const notice *nt, bulu_err *e)
{
	char now[CLOCK_ISO_MAX];
	clock_now_iso(now);
	jw w;
	jw_init(&w);
	jw_obj_begin(&w);
	jw_kstr(&w, "at", now);
	jw_kstr(&w, "joined", nt->id);
	jw_obj_end(&w);
	int rc = append(j, "outage_end", op, ep, &w, "(undeclared: joins the declared outage)", e);
	jw_free(&w);
	return rc;
}

static int apply_notice(journal *j, const char *op, const notice *nt, const char *want, bulu_err *e)
{
	char open_ep[64];
	int drill, rc;
	int64_t done_n, open_n = 0;
	if (want && strcmp(want, nt->kind) != 0)
		return bulu_errf(e, BULU_BADINPUT,
				 "this is notice #%lld of %s, a %s notice (%s): apply it with `bulu outage %s "
				 "--notice FILE`", (long long)nt->n, nt->id, nt->kind, notice_kind_label(nt->kind),
				 strcmp(nt->kind, "start") == 0 ? "start" : strcmp(nt->kind, "restore") == 0 ? "end" : "apply");
	if ((rc = journal_episode(j, open_ep, &drill, e)) != BULU_OK ||
	    (rc = applied_n(j, nt->id, &done_n, e)) != BULU_OK)
		return rc;
	if (done_n >= nt->n) {
		printf("notice %s #%lld was applied at this station before: nothing changed\n", nt->id,
		       (long long)nt->n);
		return BULU_OK;
	}
	if (*open_ep && (rc = applied_n(j, open_ep, &open_n, e)) != BULU_OK)
		return rc;
	int in_ep = *open_ep && strcmp(open_ep, nt->id) == 0 && open_n > 0;
	if (!in_ep) {
		const char *joins = NULL;
		if (*open_ep) {
			if (open_n > 0)
				return bulu_errf(e, BULU_BADINPUT,
						 "declared outage %s is open at this station: end it (its restore "
						 "notice) before applying a notice of %s", open_ep, nt->id);
			if (drill != (strcmp(nt->drill, "drill") == 0))
				return bulu_errf(e, BULU_BADINPUT,
						 "the open episode %s is %s and notice %s is %s: they cannot be "
						 "joined", open_ep, drill ? "a drill" : "real", nt->id,
						 strcmp(nt->drill, "drill") == 0 ? "a drill" : "real");
			joins = open_ep;
			if (strcmp(open_ep, nt->id) != 0 && (rc = write_join_end(j, op, open_ep, nt, e)) != BULU_OK)
				return rc;
		} else if (strcmp(nt->kind, "restore") == 0 && done_n == 0) {
			return bulu_errf(e, BULU_BADINPUT,
					 "this station never started outage %s: there is nothing to restore",
					 nt->id);
		}
		char keep[64];
		snprintf(keep, sizeof keep, "%s", joins ? joins : "");
		if ((rc = write_start(j, op, nt, joins ? keep : NULL, e)) != BULU_OK)
			return rc;
		if (strcmp(nt->kind, "restore") != 0)
			return BULU_OK; /* the start carries this notice's level and tier */
	}
	if (strcmp(nt->kind, "start") == 0)
		return BULU_OK;
	return write_later(j, op, nt, e);
}

static int apply_cmd(const char *dir, const char *op, const char *path, const char *want)
{
	bulu_err e = {0};
	journal *j = NULL;
	notice nt;
	char pub[4096];
	memset(&nt, 0, sizeof nt);
	int rc = journal_open(dir, JOURNAL_WRITE, &j, &e);
	if (rc == BULU_OK) {
		snprintf(pub, sizeof pub, "%s/central-sign.pub", journal_dir(j));
		rc = notice_load(path, pub, &nt, &e);
	}
	if (rc == BULU_OK)
		rc = journal_begin(j, &e);
	if (rc == BULU_OK)
		rc = apply_notice(j, op, &nt, want, &e);
	if (rc == BULU_OK)
		rc = journal_commit(j, &e);
	if (rc == BULU_OK && saved_lines.len)
		fwrite(saved_lines.p, 1, saved_lines.len, stdout);
	buf_free(&saved_lines);
	fflush(stdout);
	notice_free(&nt);
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
		{"notice", required_argument, 0, 'N'},  {"live-drill", no_argument, 0, 'L'},
		{0, 0, 0, 0}};
	const char *at = NULL, *ep = NULL, *level = NULL, *note = NULL, *op = NULL, *dir = NULL;
	const char *npath = NULL;
	int drill = 0, live = 0, c;
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
		case 'N': npath = optarg; break;
		case 'L': live = 1; break;
		case 'h': return cli_help(start ? start_usage : end_usage);
		default: return cli_usage(argv[0], "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage(argv[0], "unexpected argument '%s'", argv[optind]);
	if (!start && (drill || live || ep || level))
		return cli_usage(argv[0], "--drill, --live-drill, --episode and --level belong to "
					  "`bulu outage start`");
	if (npath && (at || drill || live || ep || level || note))
		return cli_usage(argv[0], "--notice carries the time, id, level and drill: give no other "
					  "flag but --operator and --dir");
	if (drill && live)
		return cli_usage(argv[0], "--drill and --live-drill exclude each other");
	if (npath)
		return apply_cmd(dir, cli_operator(op, 1), npath, start ? "start" : "restore");
	if (start && level && !notice_level_ok(level))
		return cli_usage(argv[0], "--level: one of I, II, III, IV");
	char when[CLOCK_ISO_MAX], id[64];
	if (at) { /* a time typed without offset is in the station's zone */
		bulu_err ze = {0};
		journal *zj = NULL;
		if (journal_open(dir, JOURNAL_READ, &zj, &ze) == BULU_OK)
			journal_close(zj);
	}
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
	if (live)
		jw_kbool(&w, "live_drill", 1);
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
	if (rc == BULU_OK && start)
		fprintf(stderr, "bulu: episode %s started undeclared: when IT's signed notice arrives, "
				"apply it with `bulu outage apply --notice FILE`\n", id);
	jw_free(&w);
	return rc;
}

int cmd_outage_start(int argc, char **argv) { return outage(argc, argv, 1); }
int cmd_outage_end(int argc, char **argv) { return outage(argc, argv, 0); }

int cmd_outage_apply(int argc, char **argv)
{
	static const struct option opts[] = {
		{"notice", required_argument, 0, 'N'}, {"operator", required_argument, 0, 'o'},
		{"dir", required_argument, 0, 'D'},    {"help", no_argument, 0, 'h'},
		{0, 0, 0, 0}};
	const char *npath = NULL, *op = NULL, *dir = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'N': npath = optarg; break;
		case 'o': op = optarg; break;
		case 'D': dir = optarg; break;
		case 'h': return cli_help(apply_usage);
		default: return cli_usage(argv[0], "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage(argv[0], "unexpected argument '%s'", argv[optind]);
	if (!npath)
		return cli_usage(argv[0], "--notice FILE is required");
	return apply_cmd(dir, cli_operator(op, 1), npath, NULL);
}
