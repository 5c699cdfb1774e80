/*
 * incident_cmd.c - `bulu report incident`: the fault report (故障报告) of one
 * outage, from the central ledger and reconcile's output, as report.txt,
 * report.html and report.xlsx in DIR (docs/outage.md, "The incident report").
 *
 * Invariants: the ledger and the reconcile directory are only read; each
 * output file is written under a temporary name and renamed into place, so
 * DIR never holds half a report; the three files carry the same numbers.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bulu/cli.h"
#include "bulu/fsutil.h"
#include "incident.h"

static const char usage[] =
	"usage: bulu report incident --ledger LEDGER.db [--reconcile DIR] [--episode ID]\n"
	"                            [--tiers FILE] --out DIR\n"
	"\n"
	"Write the incident report (故障报告) of an outage into DIR: report.html (one\n"
	"self-contained page with inline SVG charts; opens offline, prints well),\n"
	"report.xlsx (sheets summary, timeline, volumes, findings, KPIs; ids as text)\n"
	"and report.txt, with the same numbers: outage id, cause, declared start\n"
	"and restore, duration, level declared and by duration, the timeline\n"
	"(notices, undeclared starts, each station's first and last capture, each\n"
	"sync), volumes per department and kind, back-fill per deadline, findings\n"
	"by class with money, what is unresolved, the KPIs across the ledger's\n"
	"outages and the sign-off block (信息科, 财务科, 医务科), due two days after\n"
	"the restore.\n"
	"\n"
	"  --reconcile DIR  the output of `bulu reconcile` (findings.csv, states.csv)\n"
	"  --episode ID     the outage (default: the latest real one; an undeclared\n"
	"                   episode that joined it is reported with it)\n"
	"  --tiers FILE     the tier and level table (default: the built-in one)\n";

static int write_file(const char *dir, const char *name, const buf *b, bulu_err *e)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (b->oom)
		return bulu_errf(e, BULU_SYSTEM, "out of memory");
	return fs_write_atomic(path, b->p ? b->p : "", b->len, 0644, e);
}

static int run(const char *ledger, const char *recon, const char *ep, const char *tiers,
	       const char *out, bulu_err *e)
{
	incident r;
	tier_table tt;
	buf txt = BUF_INIT, html = BUF_INIT;
	char tmp[4096], final[4096];
	int rc = tiers_load(tiers, &tt, e);
	if (rc != BULU_OK)
		return rc;
	if (tiers && !fs_exists(tiers))
		return bulu_errf(e, BULU_BADINPUT, "--tiers %s: no such file", tiers);
	if (!fs_exists(ledger))
		return bulu_errf(e, BULU_BADINPUT, "--ledger %s: no such file", ledger);
	if ((rc = incident_gather(ledger, recon, ep, &tt, &r, e)) != BULU_OK)
		goto done;
	if ((rc = fs_mkdirs(out, 0755, e)) != BULU_OK)
		goto done;
	incident_txt(&r, &txt);
	incident_html(&r, &html);
	if ((rc = write_file(out, "report.txt", &txt, e)) != BULU_OK ||
	    (rc = write_file(out, "report.html", &html, e)) != BULU_OK)
		goto done;
	snprintf(tmp, sizeof tmp, "%s/.report.xlsx.%ld.tmp", out, (long)getpid());
	snprintf(final, sizeof final, "%s/report.xlsx", out);
	if ((rc = incident_xlsx(&r, tmp, e)) != BULU_OK) {
		unlink(tmp);
		goto done;
	}
	if (rename(tmp, final) != 0 || fs_sync_dir(final) != 0) {
		unlink(tmp);
		rc = bulu_errf(e, BULU_SYSTEM, "%s: cannot put the workbook in place", final);
		goto done;
	}
	printf("incident report of %s (%s, %.2f h, level %s declared / %s by duration):\n"
	       "  %s/report.html\n  %s/report.xlsx\n  %s/report.txt\n",
	       r.id, r.declared ? "declared" : "undeclared", r.hours, r.level_declared, r.level_duration, out, out, out);
done:
	incident_free(&r);
	buf_free(&txt);
	buf_free(&html);
	return rc;
}

int cmd_report_incident(int argc, char **argv)
{
	enum { O_LEDGER = 256, O_RECON, O_EPISODE, O_TIERS, O_OUT };
	static const struct option opts[] = {
		{"ledger", required_argument, 0, O_LEDGER}, {"reconcile", required_argument, 0, O_RECON},
		{"episode", required_argument, 0, O_EPISODE}, {"tiers", required_argument, 0, O_TIERS},
		{"out", required_argument, 0, O_OUT},       {"help", no_argument, 0, 'h'},
		{0, 0, 0, 0}};
	const char *ledger = NULL, *recon = NULL, *ep = NULL, *tiers = NULL, *out = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case O_LEDGER: ledger = optarg; break;
		case O_RECON: recon = optarg; break;
		case O_EPISODE: ep = optarg; break;
		case O_TIERS: tiers = optarg; break;
		case O_OUT: out = optarg; break;
		case 'h': return cli_help(usage);
		default: return cli_usage(argv[0], "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage(argv[0], "unexpected argument '%s'", argv[optind]);
	if (!ledger || !out)
		return cli_usage(argv[0], "--ledger and --out are required");
	bulu_err e = {0};
	int rc = run(ledger, recon, ep, tiers, out, &e);
	return rc == BULU_OK ? BULU_OK : cli_fail(&e);
}
