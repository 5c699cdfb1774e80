/*
 * print.c - the printable ward drug requisition (药品请领单), in two copies.
 *
 * The form is made from the committed journal entry, never from what was
 * typed, so the paper says exactly what the journal holds.  Copy 1 stays
 * with the ward for back-filling its orders, copy 2 goes to the pharmacy as
 * the dispensing voucher; both carry the back-fill reference BL-STATION-SEQ
 * the pharmacy quotes when it records the dispense.
 *
 * Invariants: columns line up in display width (CJK characters take two
 * columns, text_width), so the form reads straight on a terminal or a
 * fixed-width printer; times are the station's (clock_local), whatever the
 * machine's TZ; a bed not in the entry is a blank to fill by hand; patient
 * data appears here only because the paper form needs it - never in a
 * message.  The HTML forms with barcodes are printout.c's.
 */
#include <stdio.h>
#include <string.h>

#include "bulu/clock.h"
#include "bulu/print.h"
#include "bulu/text.h"

#define NCOL 5

static const char *const copies[2] = {
	"第一联 病区医嘱补录联 (ward back-fill copy)",
	"第二联 药房发药凭证 (pharmacy dispensing voucher)",
};

static const char *const heads[NCOL] = {"序号 No.", "编码 Code", "药品名称 Drug",
					"单位 Unit", "数量 Qty"};

struct header {
	char ref[96];
	const char *label[10], *value[10];
	int n;
};

/* "2026-11-21 09:05:00 +08:00": a stored time in the station's zone. */
static void local_time(const char *iso, char out[CLOCK_ISO_MAX])
{
	char loc[CLOCK_ISO_MAX];
	if (clock_local(iso, loc) != 0)
		snprintf(out, CLOCK_ISO_MAX, "%s", iso);
	else
		snprintf(out, CLOCK_ISO_MAX, "%.10s %.8s %s", loc, loc + 11, loc + 19);
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	return s ? (const char *)s : "";
}

static void pad(FILE *out, const char *s, size_t width)
{
	size_t w = text_width(s);
	fputs(s, out);
	for (; w < width; w++)
		fputc(' ', out);
}

static void rule(FILE *out, char ch, size_t width)
{
	for (size_t i = 0; i < width; i++)
		fputc(ch, out);
	fputc('\n', out);
}

/* One pass over the lines: measure the column widths into w, or print. */
static int table_pass(sqlite3_stmt *ln, FILE *out, size_t w[NCOL], int measure)
{
	int rc;
	sqlite3_reset(ln);
	while ((rc = sqlite3_step(ln)) == SQLITE_ROW) {
		const char *cell[NCOL];
		for (int i = 0; i < NCOL; i++)
			cell[i] = col_text(ln, i);
		for (int i = 0; i < NCOL; i++) {
			if (measure) {
				size_t cw = text_width(cell[i]);
				if (cw > w[i])
					w[i] = cw;
			} else {
				/* numbers right-aligned, text left-aligned */
				int right = i == 0 || i == NCOL - 1;
				size_t cw = text_width(cell[i]);
				if (right)
					for (; cw < w[i]; cw++)
						fputc(' ', out);
				if (right)
					fputs(cell[i], out);
				else
					pad(out, cell[i], i == NCOL - 1 ? 0 : w[i]);
				fputs(i == NCOL - 1 ? "\n" : "  ", out);
			}
		}
	}
	sqlite3_reset(ln);
	return rc == SQLITE_DONE ? 0 : -1;
}

static void print_copy(FILE *out, int copy, const struct header *h, sqlite3_stmt *ln,
		       size_t w[NCOL], size_t width, const char *op, const char *at,
		       const char *note, size_t nitems)
{
	size_t lw = 0;
	for (int i = 0; i < h->n; i++)
		if (text_width(h->label[i]) > lw)
			lw = text_width(h->label[i]);
	rule(out, '=', width);
	fprintf(out, "药品请领单 Drug requisition (HIS outage, to be back-filled)\n");
	fprintf(out, "%s\n", copies[copy]);
	rule(out, '=', width);
	for (int i = 0; i < h->n; i++) {
		pad(out, h->label[i], lw);
		fprintf(out, "  %s\n", h->value[i]);
	}
	rule(out, '-', width);
	for (int i = 0; i < NCOL; i++) {
		pad(out, heads[i], i == NCOL - 1 ? 0 : w[i]);
		fputs(i == NCOL - 1 ? "\n" : "  ", out);
	}
	table_pass(ln, out, w, 0);
	rule(out, '-', width);
	fprintf(out, "共 %zu 项 (items)\n", nitems);
	if (note && *note)
		fprintf(out, "备注 Note: %s\n", note);
	fprintf(out, "录入 Operator: %s    站点时间 Station time: %s\n", op, at);
	fprintf(out, "\n请领护士 Nurse: ____________  发药药师 Pharmacist: ____________  "
		     "核对 Checked: ____________\n");
}

int print_requisition(journal *j, int64_t seq, FILE *out, bulu_err *e)
{
	sqlite3 *db = journal_db(j);
	sqlite3_stmt *st = NULL, *ln = NULL;
	int rc = BULU_OK;
	if (sqlite3_prepare_v2(db,
			       "SELECT kind, recorded_at, operator,"
			       " json_extract(body, '$.dept'), json_extract(body, '$.patient_name'),"
			       " json_extract(body, '$.patient_id'), json_extract(body, '$.fee_type'),"
			       " json_extract(body, '$.request_no'), json_extract(body, '$.occurred_at'),"
			       " json_array_length(body, '$.lines'), json_extract(body, '$.doctor'),"
			       " json_extract(body, '$.bed'), json_extract(body, '$.note')"
			       " FROM entries WHERE seq = ?1",
			       -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db,
			       "SELECT json_extract(l.value, '$.line'), json_extract(l.value, '$.code'),"
			       " json_extract(l.value, '$.name'), json_extract(l.value, '$.unit'),"
			       " json_extract(l.value, '$.qty')"
			       " FROM entries, json_each(entries.body, '$.lines') AS l"
			       " WHERE entries.seq = ?1 ORDER BY l.key",
			       -1, &ln, NULL) != SQLITE_OK) {
		rc = bulu_errf(e, BULU_SYSTEM, "journal.db: %s", sqlite3_errmsg(db));
		goto done;
	}
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_int64(ln, 1, seq);
	if (sqlite3_step(st) != SQLITE_ROW || strcmp(col_text(st, 0), "requisition") != 0) {
		rc = bulu_errf(e, BULU_BADINPUT, "entry %lld is not a requisition", (long long)seq);
		goto done;
	}
	struct header h;
	memset(&h, 0, sizeof h);
	entry_ref(h.ref, sizeof h.ref, journal_station(j), seq);
	char written[CLOCK_ISO_MAX] = "", at[CLOCK_ISO_MAX];
	if (*col_text(st, 8))
		local_time(col_text(st, 8), written);
	local_time(col_text(st, 1), at);
	const char *bed = *col_text(st, 11) ? col_text(st, 11) : "________";
	const char *labels[] = {"补录号 Ref:", "病区 Ward/dept:", "床号 Bed:", "姓名 Patient:",
				"住院号 Inpatient no.:", "费别 Fee category:", "医生 Doctor:",
				"请领单号 Form no.:", "开单时间 Written at:"};
	const char *values[] = {h.ref, col_text(st, 3), bed, col_text(st, 4), col_text(st, 5),
				col_text(st, 6), col_text(st, 10), col_text(st, 7), written};
	for (int i = 0; i < 9; i++) {
		if (i >= 6 && !*values[i])
			continue; /* optional rows */
		h.label[h.n] = labels[i];
		h.value[h.n++] = values[i];
	}
	size_t w[NCOL];
	for (int i = 0; i < NCOL; i++)
		w[i] = text_width(heads[i]);
	if (table_pass(ln, out, w, 1) != 0) {
		rc = bulu_errf(e, BULU_SYSTEM, "journal.db: %s", sqlite3_errmsg(db));
		goto done;
	}
	size_t width = 2 * (NCOL - 1);
	for (int i = 0; i < NCOL; i++)
		width += w[i];
	if (width < 64)
		width = 64;
	size_t nitems = (size_t)sqlite3_column_int64(st, 9);
	for (int copy = 0; copy < 2; copy++) {
		if (copy)
			fprintf(out, "\n- - - - - - - - - - - 沿此线裁开 (cut here) - - - - - - - - - - -\n\n");
		print_copy(out, copy, &h, ln, w, width, col_text(st, 2), at, col_text(st, 12), nitems);
	}
	if (fflush(out) != 0 || ferror(out))
		rc = bulu_errf(e, BULU_SYSTEM, "cannot write the printable form");
done:
	sqlite3_finalize(st);
	sqlite3_finalize(ln);
	return rc;
}
