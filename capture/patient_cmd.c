/*
 * patient_cmd.c - `bulu patient statement ID`: one patient's downtime
 * charges, for the inpatient billing office (住院处/记账处) settling an
 * emergency discharge by hand (rule 5), from this station's journal or
 * from the central ledger (--ledger), with each exam requested and its
 * stage (requested, performed, reported: exam_request, exam, exam_report)
 * and the ward's "no exam pending" confirmation (exam_clear).
 *
 * The table's columns are padded by display width (text_width: a CJK
 * character is two columns), so they line up on a terminal.
 *
 * Invariants: reads only (the ledger is opened read-only); entries of
 * drills and entries voided are left out; the same inputs print the same
 * bytes (ordered by station and seq).  The patient's id is printed: the
 * statement is the billing office's paper, like a worklist.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "bulu/cli.h"
#include "bulu/journal.h"
#include "bulu/money.h"
#include "bulu/text.h"

static const char usage[] =
	"usage: bulu patient statement PATIENT_ID [--ledger LEDGER.db | --dir DIR]\n"
	"\n"
	"Print one patient's downtime charges (停机期间费用清单), for settling an\n"
	"emergency discharge by hand at the inpatient billing office (住院处/记账处):\n"
	"every line of the patient's ward charges (记账), exams performed, requisitioned\n"
	"drugs, charges and registrations paid at a window, not voided, with totals,\n"
	"in columns that line up on a terminal (a Chinese character is two columns);\n"
	"each exam requested and its stage: requested (待检), performed (bulu capture\n"
	"exam) or reported (bulu capture exam-report); the ward's confirmation that\n"
	"no exam is pending (bulu capture exam-clear); and settlements recorded.\n"
	"From this station's journal, or from the central ledger (every station).\n"
	"Reads only.  Exit 0, or 1 when an exam is still pending or the ward has not\n"
	"confirmed that none is (do not settle yet).\n";

/* the kinds a statement lists, what they mean on the paper */
static const struct {
	const char *kind, *zh;
	int paid; /* paid at a window already (not to settle) */
} kinds[] = {
	{"ward_charge", "记账", 0}, {"exam", "检查", 0},   {"requisition", "请领药品", 0},
	{"charge", "门诊收费(已付)", 1}, {"registration", "挂号(已付)", 1},
};

#define NOT_VOIDED(t)                                                                      \
	"NOT EXISTS (SELECT 1 FROM entries v WHERE v.kind = 'void' AND v.station = " t        \
	".station AND json_extract(v.body, '$.entry') = " t ".seq)"
#define REAL(t) "(" t ".episode = '' OR " t ".episode NOT LIKE 'DRILL-%')"

static const char q_lines[] =
	"SELECT e.station, e.seq, e.kind, coalesce(json_extract(e.body, '$.occurred_at'), e.recorded_at),"
	" json_extract(l.value, '$.line'), coalesce(json_extract(l.value, '$.code'), ''),"
	" coalesce(json_extract(l.value, '$.name'), json_extract(e.body, '$.dept'), ''),"
	" coalesce(json_extract(l.value, '$.qty'), 1),"
	" coalesce(json_extract(l.value, '$.amount'), json_extract(e.body, '$.fee'), 0)"
	" FROM entries e LEFT JOIN json_each(e.body, '$.lines') l ON e.kind != 'registration'"
	" WHERE e.kind = ?2 AND json_extract(e.body, '$.patient_id') = ?1 AND " REAL("e")
	" AND " NOT_VOIDED("e")
	" AND (e.kind != 'requisition' OR json_extract(e.body, '$.request_no') IS NULL OR NOT EXISTS"
	"  (SELECT 1 FROM entries d WHERE d.kind = 'requisition' AND d.station < e.station"
	"   AND json_extract(d.body, '$.request_no') = json_extract(e.body, '$.request_no')"
	"   AND json_extract(d.body, '$.patient_id') = ?1))"
	" GROUP BY e.station, e.seq, l.key ORDER BY e.station, e.seq, l.key";

/* Each exam requested, with its stage: performed once an exam (any
 * station) names its request no., reported once an exam_report does. */
#define STAGE(k)                                                                            \
	"EXISTS (SELECT 1 FROM entries x WHERE x.kind = '" k "'"                            \
	" AND json_extract(x.body, '$.request_no') = json_extract(r.body, '$.request_no')" \
	" AND " NOT_VOIDED("x") ")"
static const char q_exams[] =
	"SELECT r.station, r.seq, coalesce(json_extract(r.body, '$.request_no'), ''),"
	" coalesce(json_extract(r.body, '$.lines[0].name'), ''), " STAGE("exam") ", " STAGE("exam_report")
	" FROM entries r WHERE r.kind = 'exam_request' AND json_extract(r.body, '$.patient_id') = ?1"
	" AND " REAL("r") " AND " NOT_VOIDED("r")
	" GROUP BY r.station, r.seq ORDER BY r.station, r.seq";

static const char q_clear[] =
	"SELECT e.station, e.seq, coalesce(json_extract(e.body, '$.occurred_at'), e.recorded_at),"
	" e.kind, coalesce(json_extract(e.body, '$.amount'), 0), coalesce(json_extract(e.body, '$.invoice_no'), '')"
	" FROM entries e WHERE e.kind IN ('exam_clear', 'settlement')"
	" AND json_extract(e.body, '$.patient_id') = ?1 AND " REAL("e") " AND " NOT_VOIDED("e")
	" GROUP BY e.station, e.seq ORDER BY e.kind, e.station, e.seq";

static const char *ct(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t ? (const char *)t : "";
}

/* s, then spaces to w display columns (a CJK character is two), then the
 * column separator: the statement's columns line up on a terminal. */
static void cell(const char *s, size_t w)
{
	fputs(s, stdout);
	for (size_t n = text_width(s); n < w; n++)
		putchar(' ');
	putchar(' ');
}

/* The table's text columns: BL, time, kind, code, name. */
static void row(const char *ref, const char *at, const char *kind, const char *code,
		const char *name)
{
	cell(ref, 22);
	cell(at, 19);
	cell(kind, 14);
	cell(code, 8);
	cell(name, 24);
}

static int statement(sqlite3 *db, const char *patient, const char *source, bulu_err *e)
{
	sqlite3_stmt *s = NULL;
	int64_t to_settle = 0, paid = 0;
	size_t nlines = 0, npending = 0, nclear = 0;
	char yuan[32];
	printf("停机期间费用清单 downtime statement\n患者 patient: %s\n来源 from: %s\n\n", patient, source);
	row("BL", "时间 time", "类别 kind", "编码", "名称 name");
	printf("%*s数量 %*s金额 yuan\n", 5 - (int)text_width("数量"), "",
	       12 - (int)text_width("金额 yuan"), "");
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		if (sqlite3_prepare_v2(db, q_lines, -1, &s, NULL) != SQLITE_OK)
			return bulu_errf(e, BULU_BADINPUT, "cannot read entries: %s", sqlite3_errmsg(db));
		sqlite3_bind_text(s, 1, patient, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, kinds[k].kind, -1, SQLITE_STATIC);
		int sr;
		while ((sr = sqlite3_step(s)) == SQLITE_ROW) {
			char ref[96];
			int64_t amount = sqlite3_column_int64(s, 8);
			if (sqlite3_column_type(s, 4) == SQLITE_NULL)
				snprintf(ref, sizeof ref, "BL-%s-%lld", ct(s, 0), sqlite3_column_int64(s, 1));
			else
				snprintf(ref, sizeof ref, "BL-%s-%lld-%lld", ct(s, 0),
					 sqlite3_column_int64(s, 1), sqlite3_column_int64(s, 4));
			if (money_add(kinds[k].paid ? &paid : &to_settle, amount) != 0) {
				sqlite3_finalize(s);
				return bulu_errf(e, BULU_BADINPUT, "the amounts are too large to add up");
			}
			money_format_yuan(amount, yuan);
			char at[20];
			snprintf(at, sizeof at, "%.19s", ct(s, 3));
			row(ref, at, kinds[k].zh, ct(s, 5), ct(s, 6));
			printf("%5lld %12s\n", sqlite3_column_int64(s, 7), yuan);
			nlines++;
		}
		sqlite3_finalize(s);
		if (sr != SQLITE_DONE)
			return bulu_errf(e, BULU_BADINPUT, "cannot read entries: %s", sqlite3_errmsg(db));
	}
	if (!nlines)
		printf("(no downtime charges)\n");
	money_format_yuan(to_settle, yuan);
	printf("\n应结算 to settle (记账, 检查, 药品): %s yuan\n", yuan);
	money_format_yuan(paid, yuan);
	printf("已在窗口收费 paid at a window: %s yuan\n\n", yuan);

	printf("检查申请 exams requested (已申请 requested -> 已检查 performed -> 已报告 reported):\n");
	if (sqlite3_prepare_v2(db, q_exams, -1, &s, NULL) != SQLITE_OK)
		return bulu_errf(e, BULU_BADINPUT, "cannot read entries: %s", sqlite3_errmsg(db));
	sqlite3_bind_text(s, 1, patient, -1, SQLITE_STATIC);
	size_t nexams = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		int performed = sqlite3_column_int(s, 4), reported = sqlite3_column_int(s, 5);
		const char *stage = !performed ? "待检 requested, not performed"
				    : reported ? "已报告 reported"
						: "已检查 performed, not reported";
		printf("  BL-%s-%lld  申请单 %s  %s  %s\n", ct(s, 0), sqlite3_column_int64(s, 1), ct(s, 2),
		       ct(s, 3), stage);
		npending += !performed;
		nexams++;
	}
	sqlite3_finalize(s);
	if (!nexams)
		printf("  (none)\n");
	printf("待检 exams pending: %zu\n", npending);
	if (sqlite3_prepare_v2(db, q_clear, -1, &s, NULL) != SQLITE_OK)
		return bulu_errf(e, BULU_BADINPUT, "cannot read entries: %s", sqlite3_errmsg(db));
	sqlite3_bind_text(s, 1, patient, -1, SQLITE_STATIC);
	printf("\n");
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (strcmp(ct(s, 3), "exam_clear") == 0) {
			printf("病区确认无待检 the ward confirmed no exam pending: BL-%s-%lld at %s\n", ct(s, 0),
			       sqlite3_column_int64(s, 1), ct(s, 2));
			nclear++;
		} else {
			money_format_yuan(sqlite3_column_int64(s, 4), yuan);
			printf("已手工结算 settled by hand: BL-%s-%lld at %s, %s yuan, invoice %s\n", ct(s, 0),
			       sqlite3_column_int64(s, 1), ct(s, 2), yuan, ct(s, 5));
		}
	}
	sqlite3_finalize(s);
	if (!nclear)
		printf("病区未确认无待检 no confirmation from the ward that no exam is pending\n");
	printf("\n结算员 ______________    核对 ______________    日期 ______________\n");
	if (npending || !nclear) {
		fprintf(stderr, "bulu: do not settle yet: %s\n",
			npending ? "an exam is still pending" : "the ward has not confirmed that no exam is pending");
		return BULU_FINDINGS;
	}
	return BULU_OK;
}

int cmd_patient_statement(int argc, char **argv)
{
	static const struct option opts[] = {{"ledger", required_argument, 0, 'L'},
					     {"dir", required_argument, 0, 'D'},
					     {"help", no_argument, 0, 'h'},
					     {0, 0, 0, 0}};
	const char *ledger = NULL, *dir = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'L': ledger = optarg; break;
		case 'D': dir = optarg; break;
		case 'h': return cli_help(usage);
		default: return cli_usage(argv[0], "unknown option");
		}
	}
	if (optind + 1 != argc || !*argv[optind])
		return cli_usage(argv[0], "give one patient id (住院号 or card no.)");
	if (ledger && dir)
		return cli_usage(argv[0], "--ledger or --dir, not both");
	bulu_err e = {0};
	int rc;
	if (ledger) {
		sqlite3 *db = NULL;
		if (sqlite3_open_v2(ledger, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
			sqlite3_close(db);
			fprintf(stderr, "bulu: %s: cannot open the ledger\n", ledger);
			return BULU_BADINPUT;
		}
		rc = statement(db, argv[optind], "ledger", &e);
		sqlite3_close(db);
	} else {
		journal *j = NULL;
		if ((rc = journal_open(dir, JOURNAL_READ, &j, &e)) != BULU_OK)
			return cli_fail(&e);
		char src[128];
		snprintf(src, sizeof src, "station %s", journal_station(j));
		rc = statement(journal_db(j), argv[optind], src, &e);
		journal_close(j);
	}
	if (rc != BULU_OK && rc != BULU_FINDINGS)
		return cli_fail(&e);
	return rc;
}
