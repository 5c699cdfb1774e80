/*
 * capture_cmd.c - the interactive capture commands: `bulu capture KIND ...`
 * for every kind of form a person types at a station window.
 *
 * Every kind takes its flags in one style (capture_args.c turns them into a
 * form) and goes the same way: open the journal for writing, begin, append
 * the form through capture_form_append(), commit durably, and only then
 * print "saved BL-STATION-SEQ KIND" as the first line on stdout - a crash
 * before that line means the form was not saved, after it means it was.
 * A requisition printed on stdout (the printer's stream) has that line on
 * stderr instead, so the paper carries the form alone; a print that fails
 * after the save exits 1 saying the form IS saved, never "nothing saved".
 * A refusal names the flag at fault and never the patient.
 */
#include <stdio.h>
#include <string.h>

#include "bulu/cli.h"
#include "bulu/form.h"
#include "bulu/journal.h"
#include "bulu/money.h"
#include "bulu/print.h"
#include "capture_args.h"

/* "--item 2" for a line field, else the flag of the field. */
static void flag_of(const struct capture_args *a, const char *field, size_t line,
		    char *out, size_t n)
{
	static const struct {
		const char *field, *flag;
	} map[] = {
		{"operator", "--operator"},     {"patient_id", "--patient"},
		{"patient_name", "--name"},     {"sex", "--sex"},
		{"dept", "--dept"},             {"doctor", "--doctor"},
		{"fee_type", "--fee-type"},     {"pay_method", "--pay"},
		{"invoice_no", "--invoice"},    {"reason", "--reason"},
		{"card_no", "--card"},          {"request_no", "--request-no"},
		{"force_reason", "--force-outside"}, {"occurred_at", "--at"},
		{"fee", "--fee"},               {"new_card", "--new-card"},
		{"amount", "--amount"},         {"exchange", "--exchange"},
		{"discharge", "--discharge"},
	};
	*out = '\0';
	if (!field)
		return;
	if (!strcmp(field, "item_code") || !strcmp(field, "qty") || !strcmp(field, "unit_price")) {
		snprintf(out, n, "--item %zu", line + 1);
		return;
	}
	if (!strcmp(field, "ref_form")) {
		snprintf(out, n, "%s", strcmp(a->f.kind, "void") == 0 ? "--entry" : "--ref");
		return;
	}
	if (!strcmp(field, "note")) {
		snprintf(out, n, "%s", strcmp(a->f.kind, "note") == 0 ? "--text" : "--note");
		return;
	}
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (!strcmp(field, map[i].field)) {
			snprintf(out, n, "%s", map[i].flag);
			return;
		}
}

/* The short human summary under the "saved" line, read back from the
 * committed entry so it shows what was stored. */
static void summary(journal *j, int64_t seq)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(journal_db(j),
			       "SELECT json_array_length(body, '$.lines'), json_extract(body, '$.total'),"
			       " json_extract(body, '$.invoice_no'), json_extract(body, '$.fee'),"
			       " json_extract(body, '$.pay'), episode,"
			       " json_extract(body, '$.outside_episode_reason') IS NOT NULL,"
			       " json_extract(body, '$.card_no'),"
			       " CASE kind WHEN 'void' THEN json_extract(body, '$.entry') END,"
			       " json_extract(body, '$.entry_kind'), station, json_extract(body, '$.ref'),"
			       " COALESCE(json_extract(body, '$.ref_station'), station)"
			       " FROM entries WHERE seq = ?1",
			       -1, &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_int64(st, 1, seq);
	if (sqlite3_step(st) == SQLITE_ROW) {
		char yuan[32];
		if (sqlite3_column_type(st, 0) != SQLITE_NULL) {
			money_format_yuan(sqlite3_column_int64(st, 1), yuan);
			printf("  %lld line%s, total %s yuan\n", sqlite3_column_int64(st, 0),
			       sqlite3_column_int64(st, 0) == 1 ? "" : "s", yuan);
		}
		if (sqlite3_column_type(st, 3) != SQLITE_NULL) {
			money_format_yuan(sqlite3_column_int64(st, 3), yuan);
			printf("  fee %s yuan\n", yuan);
		}
		if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
			printf("  invoice %s", (const char *)sqlite3_column_text(st, 2));
			if (sqlite3_column_type(st, 4) != SQLITE_NULL)
				printf(", paid by %s", (const char *)sqlite3_column_text(st, 4));
			printf("\n");
		}
		if (sqlite3_column_type(st, 7) != SQLITE_NULL)
			printf("  card %s\n", (const char *)sqlite3_column_text(st, 7));
		if (sqlite3_column_type(st, 8) != SQLITE_NULL)
			printf("  cancels BL-%s-%lld (%s)\n", (const char *)sqlite3_column_text(st, 10),
			       sqlite3_column_int64(st, 8), (const char *)sqlite3_column_text(st, 9));
		if (sqlite3_column_type(st, 11) != SQLITE_NULL)
			printf("  for BL-%s-%lld\n", (const char *)sqlite3_column_text(st, 12),
			       sqlite3_column_int64(st, 11));
		if (sqlite3_column_int(st, 6))
			printf("  recorded outside any outage episode (reason given)\n");
		else if (*(const char *)sqlite3_column_text(st, 5))
			printf("  episode %s\n", (const char *)sqlite3_column_text(st, 5));
	}
	sqlite3_finalize(st);
}

/* The printed requisition (一式两份), once the form is saved. */
static int print_after(journal *j, int64_t seq, const struct capture_args *a, bulu_err *e)
{
	if (!a->print || a->no_print)
		return BULU_OK;
	if (!a->print_file) {
		fflush(stdout);
		return print_requisition(j, seq, stdout, e);
	}
	FILE *fp = fopen(a->print_file, "w");
	if (!fp)
		return bulu_errf(e, BULU_SYSTEM, "%s: cannot write the printable form", a->print_file);
	int rc = print_requisition(j, seq, fp, e);
	if (fclose(fp) != 0 && rc == BULU_OK)
		rc = bulu_errf(e, BULU_SYSTEM, "%s: cannot write the printable form", a->print_file);
	if (rc == BULU_OK)
		fprintf(stderr, "bulu: requisition form (two copies) written to %s\n", a->print_file);
	return rc;
}

static int capture(int argc, char **argv, const char *kind)
{
	struct capture_args a;
	int rc = capture_args_parse(argc, argv, kind, &a);
	if (rc != CAPTURE_ARGS_GO)
		return rc;
	bulu_err e = {0};
	journal *j = NULL;
	capture_ctx *c = NULL;
	int64_t seq = 0;
	const char *field = NULL;
	size_t line = 0;
	rc = journal_open(a.dir, JOURNAL_WRITE, &j, &e);
	if (rc == BULU_OK)
		rc = capture_args_resolve_ref(&a, journal_station(j), &e);
	if (rc == BULU_OK)
		rc = journal_begin(j, &e);
	if (rc == BULU_OK)
		rc = capture_ctx_open(j, &c, &e);
	if (rc == BULU_OK)
		rc = capture_form_append(c, &a.f, &seq, &field, &line, &e);
	if (rc == BULU_OK)
		rc = journal_commit(j, &e);
	if (rc != BULU_OK) {
		char flag[32];
		flag_of(&a, field, line, flag, sizeof flag);
		if (rc == BULU_BADINPUT && *flag)
			fprintf(stderr, "%s: %s: %s\n", argv[0], flag, e.msg);
		else if (rc == BULU_BADINPUT)
			fprintf(stderr, "%s: %s\n", argv[0], e.msg);
		else
			cli_fail(&e);
		goto done;
	}
	char ref[96];
	entry_ref(ref, sizeof ref, journal_station(j), seq);
	if (*capture_ctx_warning(c))
		fprintf(stderr, "bulu: %s\n", capture_ctx_warning(c));
	if (a.print && !a.no_print && !a.print_file) {
		/* the form goes to stdout, the printer's stream: the saved line
		 * and the summary go to stderr */
		fprintf(stderr, "saved %s %s\n", ref, kind);
	} else {
		printf("saved %s %s\n", ref, kind);
		fflush(stdout);
		summary(j, seq);
	}
	rc = print_after(j, seq, &a, &e);
	if (rc != BULU_OK) {
		fprintf(stderr, "bulu: %s IS SAVED (do not capture it again), but its printed form failed: %s\n"
				"bulu: print it with: bulu print requisition %s\n",
			ref, e.msg, ref);
		rc = BULU_FINDINGS;
	}
done:
	capture_ctx_close(c);
	journal_close(j);
	return rc;
}

int cmd_capture_registration(int argc, char **argv) { return capture(argc, argv, "registration"); }
int cmd_capture_card_issue(int argc, char **argv) { return capture(argc, argv, "card_issue"); }
int cmd_capture_charge(int argc, char **argv) { return capture(argc, argv, "charge"); }
int cmd_capture_prescription(int argc, char **argv) { return capture(argc, argv, "prescription"); }
int cmd_capture_order(int argc, char **argv) { return capture(argc, argv, "order"); }
int cmd_capture_requisition(int argc, char **argv) { return capture(argc, argv, "requisition"); }
int cmd_capture_dispense(int argc, char **argv) { return capture(argc, argv, "dispense"); }
int cmd_capture_exam(int argc, char **argv) { return capture(argc, argv, "exam"); }
int cmd_capture_ward_charge(int argc, char **argv) { return capture(argc, argv, "ward_charge"); }
int cmd_capture_exam_request(int argc, char **argv) { return capture(argc, argv, "exam_request"); }
int cmd_capture_exam_clear(int argc, char **argv) { return capture(argc, argv, "exam_clear"); }
int cmd_capture_exam_report(int argc, char **argv) { return capture(argc, argv, "exam_report"); }
int cmd_capture_settlement(int argc, char **argv) { return capture(argc, argv, "settlement"); }
int cmd_capture_invoice_void(int argc, char **argv) { return capture(argc, argv, "invoice_void"); }
int cmd_capture_void(int argc, char **argv) { return capture(argc, argv, "void"); }
int cmd_capture_note(int argc, char **argv) { return capture(argc, argv, "note"); }
