/*
 * declare.c - `bulu outage declare`: the IT office's signed outage notices,
 * written at the central office (notice.h, docs/outage.md).
 *
 * The first notice of an outage (kind start) fixes its id, announced start,
 * cause and whether it is a drill; each later one (level, tier, restore)
 * carries the whole state forward with n + 1.  Every notice is kept in
 * DIR/notices/ID-N.notice, so the next one is built from the last.
 * Invariants: notices of one outage are numbered 1, 2, ... without a gap;
 * nothing follows a restore; a notice is written (atomically) only once
 * signed.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulu/cmd.h"
#include "bulu/fsutil.h"
#include "bulu/notice.h"

static const char declare_usage[] =
	"usage: bulu outage declare --central DIR --cause CAUSE [--at TIME] [--level L]\n"
	"                           [--tier T] [--drill | --live-drill] [--id ID]\n"
	"                           [--note TEXT] --out FILE\n"
	"       bulu outage declare --central DIR --outage ID (--level L | --tier T | --restore)\n"
	"                           [--at TIME] [--note TEXT] --out FILE\n"
	"\n"
	"At the central office: write an outage notice signed with the central\n"
	"signing key (DIR/central-sign.key, made by `bulu central init`).  Stations\n"
	"apply it with `bulu outage start|end|apply --notice FILE`.\n"
	"\n"
	"The first form declares an outage (启动通知): the unified start time --at\n"
	"(default now), its cause (server, network, power, database, virus,\n"
	"application, other), the incident level (I, II, III, IV; default IV), the\n"
	"tier in force (30min, 6h, 24h; default 30min), a drill (--drill: id\n"
	"DRILL-...; its data never counts as real) or a live drill (--live-drill: a\n"
	"real episode flagged as a drill).  The id is OUT-YYYYMMDD-HHMM from --at\n"
	"unless --id gives one.\n"
	"\n"
	"The second form writes a later notice of outage ID: a level change, a tier\n"
	"escalation, or the restore notice (恢复运行通知; --at is the restore time).\n"
	"\n"
	"Every notice is also kept in DIR/notices/ID-N.notice.\n";

static int id_ok(const char *s, int drill)
{
	size_t n = strlen(s);
	if (n == 0 || n > 48)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return 0;
	}
	return (strncmp(s, "DRILL-", 6) == 0) == (drill != 0);
}

/* The last notice of outage id kept in DIR/notices, or *n = 0. */
static int last_notice(const char *dir, const char *id, const uint8_t pk[KEY_PK_BYTES],
		       notice *nt, int64_t *n, bulu_err *e)
{
	char path[4096];
	*n = 0;
	memset(nt, 0, sizeof *nt);
	for (int64_t k = 1;; k++) {
		snprintf(path, sizeof path, "%s/notices/%s-%lld.notice", dir, id, (long long)k);
		if (!fs_exists(path))
			break;
		*n = k;
	}
	if (*n == 0)
		return BULU_OK;
	snprintf(path, sizeof path, "%s/notices/%s-%lld.notice", dir, id, (long long)*n);
	char *text = NULL;
	size_t len;
	int rc = fs_read_regular(path, NOTICE_MAX, &text, &len, e);
	if (rc == BULU_OK)
		rc = notice_parse(path, text, len, nt, e);
	free(text);
	if (rc == BULU_OK && (rc = notice_verify(nt, pk, e)) != BULU_OK)
		notice_free(nt);
	return rc;
}

struct opts {
	const char *central, *cause, *at, *level, *tier, *id, *outage, *note, *out;
	int drill, live, restore;
};

static int declare(const struct opts *o, bulu_err *e)
{
	keypair kp = {0};
	notice nt, prev;
	char path[4096], when[CLOCK_ISO_MAX];
	int64_t n = 0;
	char *text = NULL;
	size_t len;
	memset(&nt, 0, sizeof nt);
	memset(&prev, 0, sizeof prev);
	int rc = notice_key_load(o->central, &kp, e);
	if (rc != BULU_OK)
		goto done;
	if (o->at ? clock_parse(o->at, when) != 0 : (clock_now_iso(when), 0)) {
		rc = bulu_errf(e, BULU_BADINPUT, "--at: not a time: use YYYY-MM-DD HH:MM[:SS] or ISO-8601");
		goto done;
	}
	clock_now_iso(nt.issued_at);
	snprintf(nt.at, sizeof nt.at, "%s", when);
	snprintf(nt.note, sizeof nt.note, "%s", o->note ? o->note : "");
	if (!o->outage) {
		/* the first notice */
		if (o->id)
			snprintf(nt.id, sizeof nt.id, "%s", o->id);
		else
			snprintf(nt.id, sizeof nt.id, "%s-%.4s%.2s%.2s-%.2s%.2s", o->drill ? "DRILL" : "OUT",
				 when, when + 5, when + 8, when + 11, when + 14);
		if (!id_ok(nt.id, o->drill)) {
			rc = bulu_errf(e, BULU_BADINPUT, "--id: letters, digits, '-' or '_'; a drill's id, "
							 "and only a drill's, starts with DRILL-");
			goto done;
		}
		if ((rc = last_notice(o->central, nt.id, kp.pk, &prev, &n, e)) != BULU_OK)
			goto done;
		if (n > 0) {
			rc = bulu_errf(e, BULU_BADINPUT,
				       "outage %s was declared already (%lld notices): give --outage %s for "
				       "a later notice", nt.id, (long long)n, nt.id);
			goto done;
		}
		snprintf(nt.kind, sizeof nt.kind, "start");
		snprintf(nt.start, sizeof nt.start, "%s", when);
		snprintf(nt.cause, sizeof nt.cause, "%s", o->cause);
		snprintf(nt.level, sizeof nt.level, "%s", o->level ? o->level : "IV");
		snprintf(nt.tier, sizeof nt.tier, "%s", o->tier ? o->tier : "30min");
		snprintf(nt.drill, sizeof nt.drill, "%s", o->drill ? "drill" : o->live ? "live" : "real");
		nt.n = 1;
	} else {
		if ((rc = last_notice(o->central, o->outage, kp.pk, &prev, &n, e)) != BULU_OK)
			goto done;
		if (n == 0) {
			rc = bulu_errf(e, BULU_BADINPUT, "--outage %s: no notice of it is kept in %s/notices",
				       o->outage, o->central);
			goto done;
		}
		if (strcmp(prev.kind, "restore") == 0) {
			rc = bulu_errf(e, BULU_BADINPUT, "outage %s was restored (notice #%lld): nothing follows",
				       o->outage, (long long)n);
			goto done;
		}
		snprintf(nt.id, sizeof nt.id, "%s", prev.id);
		snprintf(nt.start, sizeof nt.start, "%s", prev.start);
		snprintf(nt.cause, sizeof nt.cause, "%s", prev.cause);
		snprintf(nt.drill, sizeof nt.drill, "%s", prev.drill);
		snprintf(nt.level, sizeof nt.level, "%s", o->level ? o->level : prev.level);
		snprintf(nt.tier, sizeof nt.tier, "%s", o->tier ? o->tier : prev.tier);
		snprintf(nt.kind, sizeof nt.kind, "%s", o->restore ? "restore" : o->level ? "level" : "tier");
		if (clock_epoch(nt.at) < clock_epoch(nt.start)) {
			rc = bulu_errf(e, BULU_BADINPUT, "--at %s is before the outage's start %s", nt.at,
				       nt.start);
			goto done;
		}
		nt.n = n + 1;
	}
	if ((rc = notice_sign(&nt, &kp, e)) != BULU_OK)
		goto done;
	if (!(text = notice_text(&nt, &len))) {
		rc = bulu_errf(e, BULU_SYSTEM, "out of memory");
		goto done;
	}
	snprintf(path, sizeof path, "%s/notices", o->central);
	if ((rc = fs_mkdirs(path, 0700, e)) != BULU_OK)
		goto done;
	snprintf(path, sizeof path, "%s/notices/%s-%lld.notice", o->central, nt.id, (long long)nt.n);
	rc = fs_write_atomic(path, text, len, 0644, e);
	if (rc == BULU_OK)
		rc = fs_write_atomic(o->out, text, len, 0644, e);
	if (rc == BULU_OK) {
		printf("notice %s #%lld %s (%s) written to %s\n", nt.id, (long long)nt.n, nt.kind,
		       notice_kind_label(nt.kind), o->out);
		printf("  start %s  cause %s (%s)  level %s  tier %s  %s\n", nt.start, nt.cause,
		       notice_cause_label(nt.cause), nt.level, nt.tier,
		       !strcmp(nt.drill, "drill") ? "drill (演练)"
		       : !strcmp(nt.drill, "live") ? "live drill (实战演练)" : "real");
	}
done:
	free(text);
	notice_free(&nt);
	notice_free(&prev);
	keys_free(&kp);
	return rc;
}

int cmd_outage_declare(int argc, char **argv)
{
	enum { O_CENTRAL = 256, O_CAUSE, O_AT, O_LEVEL, O_TIER, O_DRILL, O_LIVE, O_ID, O_OUTAGE,
	       O_RESTORE, O_NOTE, O_OUT };
	static const struct option opts[] = {
		{"central", required_argument, 0, O_CENTRAL}, {"cause", required_argument, 0, O_CAUSE},
		{"at", required_argument, 0, O_AT},           {"level", required_argument, 0, O_LEVEL},
		{"tier", required_argument, 0, O_TIER},       {"drill", no_argument, 0, O_DRILL},
		{"live-drill", no_argument, 0, O_LIVE},       {"id", required_argument, 0, O_ID},
		{"outage", required_argument, 0, O_OUTAGE},   {"restore", no_argument, 0, O_RESTORE},
		{"note", required_argument, 0, O_NOTE},       {"out", required_argument, 0, O_OUT},
		{"help", no_argument, 0, 'h'},                {0, 0, 0, 0}};
	struct opts o = {0};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case O_CENTRAL: o.central = optarg; break;
		case O_CAUSE: o.cause = optarg; break;
		case O_AT: o.at = optarg; break;
		case O_LEVEL: o.level = optarg; break;
		case O_TIER: o.tier = optarg; break;
		case O_DRILL: o.drill = 1; break;
		case O_LIVE: o.live = 1; break;
		case O_ID: o.id = optarg; break;
		case O_OUTAGE: o.outage = optarg; break;
		case O_RESTORE: o.restore = 1; break;
		case O_NOTE: o.note = optarg; break;
		case O_OUT: o.out = optarg; break;
		case 'h': return cli_help(declare_usage);
		default: return cli_usage(argv[0], "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage(argv[0], "unexpected argument '%s'", argv[optind]);
	if (!o.central || !o.out)
		return cli_usage(argv[0], "--central DIR and --out FILE are required");
	if (o.level && !notice_level_ok(o.level))
		return cli_usage(argv[0], "--level: one of I, II, III, IV");
	if (o.tier && !notice_tier_ok(o.tier))
		return cli_usage(argv[0], "--tier: one of 30min, 6h, 24h");
	if (o.note && strlen(o.note) >= 1000)
		return cli_usage(argv[0], "--note: at most 1000 bytes");
	if (!o.outage) {
		if (o.restore)
			return cli_usage(argv[0], "--restore needs --outage ID");
		if (!o.cause || !notice_cause_ok(o.cause))
			return cli_usage(argv[0], "--cause: one of server, network, power, database, virus, "
						  "application, other");
		if (o.drill && o.live)
			return cli_usage(argv[0], "--drill and --live-drill exclude each other");
	} else {
		if (o.cause || o.drill || o.live || o.id)
			return cli_usage(argv[0], "--cause, --drill, --live-drill and --id belong to the first "
						  "notice; a later one changes --level, --tier, or --restore");
		if (!!o.level + !!o.tier + o.restore != 1)
			return cli_usage(argv[0], "a later notice does one thing: --level L, --tier T or --restore");
	}
	bulu_err e = {0};
	int rc = declare(&o, &e);
	return rc == BULU_OK ? BULU_OK : cli_fail(&e);
}
