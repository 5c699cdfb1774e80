/*
 * xlsx.c - the incident report as report.xlsx, with libxlsxwriter: sheets
 * summary, timeline, volumes, findings and KPIs, the same numbers as
 * report.txt.  Patient ids, card, invoice and item numbers and every
 * reference are written as text, so leading zeros survive in Excel and
 * LibreOffice; money as numbers in yuan with a ¥ number format; counts as
 * numbers.
 */
#include <stdio.h>
#include <string.h>
#include <xlsxwriter.h>

#include "bulu/notice.h"
#include "incident.h"

struct sh {
	lxw_workbook *wb;
	lxw_format *bold, *yuan, *text;
};

static void s(lxw_worksheet *w, int r, int c, const char *v, lxw_format *f)
{
	worksheet_write_string(w, (lxw_row_t)r, (lxw_col_t)c, v ? v : "", f);
}

static void n(lxw_worksheet *w, int r, int c, double v, lxw_format *f)
{
	worksheet_write_number(w, (lxw_row_t)r, (lxw_col_t)c, v, f);
}

static void head(lxw_worksheet *w, const struct sh *x, const char *const *h, int nh)
{
	for (int i = 0; i < nh; i++)
		s(w, 0, i, h[i], x->bold);
	worksheet_freeze_panes(w, 1, 0);
}

static double y(int64_t fen) { return (double)fen / 100.0; }

static void summary(const incident *r, const struct sh *x)
{
	lxw_worksheet *w = workbook_add_worksheet(x->wb, "summary");
	char t[128];
	int row = 0;
	worksheet_set_column(w, 0, 0, 28, NULL);
	worksheet_set_column(w, 1, 1, 40, NULL);
	s(w, row, 0, "故障报告 Incident report", x->bold), s(w, row++, 1, r->id, x->text);
	s(w, row, 0, "故障编号 outage id", NULL), s(w, row++, 1, r->id, x->text);
	s(w, row, 0, "故障原因 cause", NULL), s(w, row++, 1, r->cause, x->text);
	s(w, row, 0, "原因 cause label", NULL), s(w, row++, 1, notice_cause_label(r->cause), NULL);
	s(w, row, 0, "性质 kind", NULL), s(w, row++, 1, r->live_drill ? "live drill" : "real", NULL);
	s(w, row, 0, "宣布 declared", NULL), s(w, row++, 1, r->declared ? "yes" : "no", NULL);
	s(w, row, 0, "统一启动时间 start", NULL), s(w, row++, 1, r->start, x->text);
	s(w, row, 0, "恢复运行 restore", NULL), s(w, row++, 1, r->restore, x->text);
	s(w, row, 0, "持续时间 duration (h)", NULL), n(w, row++, 1, r->hours, NULL);
	s(w, row, 0, "宣布级别 level declared", NULL), s(w, row++, 1, r->level_declared, x->text);
	s(w, row, 0, "按时长级别 level by duration", NULL), s(w, row++, 1, r->level_duration, x->text);
	s(w, row, 0, "报告期限 report due", NULL), s(w, row++, 1, r->due, x->text);
	s(w, row, 0, "站点 stations", NULL), n(w, row++, 1, (double)r->stations, NULL);
	s(w, row, 0, "录入 entries", NULL), n(w, row++, 1, (double)r->entries, NULL);
	s(w, row, 0, "患者 patients", NULL), n(w, row++, 1, (double)r->patients, NULL);
	s(w, row, 0, "金额 money", NULL), n(w, row++, 1, y(r->fen), x->yuan);
	s(w, row, 0, "未解决 unresolved findings", NULL), n(w, row++, 1, (double)r->nfd, NULL);
	row++;
	s(w, row++, 0, "未经宣布启动 undeclared starts", x->bold);
	for (size_t i = 0; i < r->nund; i++, row++) {
		s(w, row, 0, r->und[i].station, x->text);
		snprintf(t, sizeof t, "%s (episode %s)", r->und[i].at, r->und[i].episode);
		s(w, row, 1, t, x->text);
		s(w, row, 2, r->und[i].joined_at, x->text);
	}
	row++;
	s(w, row++, 0, "签字 sign-off", x->bold);
	s(w, row++, 0, "信息科 IT office", NULL);
	s(w, row++, 0, "财务科 finance", NULL);
	s(w, row++, 0, "医务科 medical affairs", NULL);
}

static void timeline(const incident *r, const struct sh *x)
{
	lxw_worksheet *w = workbook_add_worksheet(x->wb, "timeline");
	static const char *const h[] = {"时间 time", "站点 station", "事件 event"};
	head(w, x, h, 3);
	worksheet_set_column(w, 0, 0, 27, NULL);
	worksheet_set_column(w, 2, 2, 70, NULL);
	for (size_t i = 0; i < r->nev; i++) {
		s(w, (int)i + 1, 0, r->ev[i].when, x->text);
		s(w, (int)i + 1, 1, *r->ev[i].station ? r->ev[i].station : "信息科", x->text);
		s(w, (int)i + 1, 2, r->ev[i].what, NULL);
	}
}

static void volumes(const incident *r, const struct sh *x)
{
	lxw_worksheet *w = workbook_add_worksheet(x->wb, "volumes");
	static const char *const h[] = {"科室 dept", "类型 kind", "类型 kind label", "录入 entries", "金额 yuan"};
	head(w, x, h, 5);
	worksheet_set_column(w, 0, 2, 16, NULL);
	worksheet_set_column(w, 4, 4, 14, NULL);
	size_t i = 0;
	for (; i < r->nvol; i++) {
		s(w, (int)i + 1, 0, r->vol[i].dept, x->text);
		s(w, (int)i + 1, 1, r->vol[i].kind, x->text);
		s(w, (int)i + 1, 2, incident_kind_label(r->vol[i].kind), NULL);
		n(w, (int)i + 1, 3, (double)r->vol[i].n, NULL);
		n(w, (int)i + 1, 4, y(r->vol[i].fen), x->yuan);
	}
	s(w, (int)i + 1, 0, "合计 total", x->bold);
	n(w, (int)i + 1, 3, (double)r->entries, x->bold);
	n(w, (int)i + 1, 4, y(r->fen), x->yuan);
}

static void findings(const incident *r, const struct sh *x)
{
	lxw_worksheet *w = workbook_add_worksheet(x->wb, "findings");
	static const char *const h[] = {"类别 class", "类别 label", "类型 kind", "站点 station", "seq", "line",
					"BL", "HIS流水号 his_id", "患者编号 patient_id", "项目编码 item_code",
					"台账值 journal_value", "HIS值 his_value", "差额 HIS - journal (yuan)",
					"科室 dept", "说明 explanation"};
	head(w, x, h, 15);
	worksheet_set_column(w, 0, 13, 14, NULL);
	worksheet_set_column(w, 14, 14, 60, NULL);
	for (size_t i = 0; i < r->nfd; i++) {
		const struct inc_finding *f = &r->fd[i];
		int row = (int)i + 1;
		char bl[160];
		snprintf(bl, sizeof bl, "BL-%s-%s%s%s", f->station, f->seq, *f->line ? "-" : "", f->line);
		s(w, row, 0, f->cls, x->text);
		s(w, row, 1, incident_class_label(f->cls), NULL);
		s(w, row, 2, f->kind, x->text);
		s(w, row, 3, f->station, x->text);
		s(w, row, 4, f->seq, x->text);
		s(w, row, 5, f->line, x->text);
		s(w, row, 6, bl, x->text);
		s(w, row, 7, f->his_id, x->text);
		s(w, row, 8, f->patient, x->text);
		s(w, row, 9, f->item, x->text);
		s(w, row, 10, f->jval, x->text);
		s(w, row, 11, f->hval, x->text);
		n(w, row, 12, y(f->diff), x->yuan);
		s(w, row, 13, f->dept, x->text);
		s(w, row, 14, f->expl, NULL);
	}
}

static double pct(int64_t a, int64_t b) { return b ? (double)a / (double)b : 0.0; }

static void kpis(const incident *r, const struct sh *x)
{
	lxw_worksheet *w = workbook_add_worksheet(x->wb, "KPIs");
	lxw_format *p = workbook_add_format(x->wb);
	format_set_num_format(p, "0.0%");
	int row = 0;
	worksheet_set_column(w, 0, 0, 40, NULL);
	worksheet_set_column(w, 1, 7, 14, NULL);
	s(w, row, 0, "故障次数 outages in the ledger", NULL), n(w, row++, 1, (double)r->nout, NULL);
	if (r->have_recon) {
		s(w, row, 0, "逾期比例 share back-filled late", NULL), n(w, row++, 1, pct(r->late, r->matched + r->late), p);
		s(w, row, 0, "一次核对通过 share matched without correction", NULL), n(w, row++, 1, pct(r->matched, r->lines), p);
		s(w, row, 0, "行 lines in the reconcile", NULL), n(w, row++, 1, (double)r->lines, NULL);
		s(w, row, 0, "已核对 matched", NULL), n(w, row++, 1, (double)r->matched, NULL);
		s(w, row, 0, "逾期 late", NULL), n(w, row++, 1, (double)r->late, NULL);
	}
	if (r->have_recon && (!r->have_entered || r->t1 < 0)) {
		s(w, row, 0, "平均补录时长 mean back-fill latency per kind", NULL);
		s(w, row++, 1, r->t1 < 0 ? "not measured (the outage is not restored)"
					  : "not measured (states.csv has no his_entered_at)", NULL);
	} else if (r->have_recon) {
		/* minutes after the restore, per kind */
		row++;
		static const char *const lh[] = {"补录时长 back-fill latency, kind", "行 lines", "平均 mean (min)",
						 "中位 median (min)"};
		for (int i = 0; i < 4; i++)
			s(w, row, i, lh[i], x->bold);
		row++;
		lxw_format *m = workbook_add_format(x->wb);
		format_set_num_format(m, "0.0");
		for (size_t i = 0; i < r->nlat; i++, row++) {
			s(w, row, 0, r->lat[i].kind, x->text);
			n(w, row, 1, (double)r->lat[i].n, NULL);
			n(w, row, 2, r->lat[i].mean / 60, m);
			n(w, row, 3, r->lat[i].median / 60, m);
		}
	}
	row++;
	static const char *const h[] = {"故障 outage", "启动 start", "结束 end", "小时 hours", "级别 level",
					"录入 entries", "患者 patients", "金额 yuan", "逾期比例 share late"};
	for (int i = 0; i < 9; i++)
		s(w, row, i, h[i], x->bold);
	row++;
	for (size_t i = 0; i < r->nout; i++, row++) {
		const struct inc_outage *o = &r->out[i];
		s(w, row, 0, o->id, x->text);
		s(w, row, 1, o->start, x->text);
		s(w, row, 2, o->end, x->text);
		n(w, row, 3, o->hours, NULL);
		s(w, row, 4, o->level, x->text);
		n(w, row, 5, (double)o->entries, NULL);
		n(w, row, 6, (double)o->patients, NULL);
		n(w, row, 7, y(o->fen), x->yuan);
		if (r->have_recon && o->bf)
			n(w, row, 8, pct(o->late, o->bf), p);
	}
}

int incident_xlsx(const incident *r, const char *path, bulu_err *e)
{
	lxw_workbook_options opt = {.constant_memory = LXW_FALSE, .tmpdir = NULL};
	struct sh x;
	x.wb = workbook_new_opt(path, &opt);
	if (!x.wb)
		return bulu_errf(e, BULU_SYSTEM, "%s: cannot write the workbook", path);
	x.bold = workbook_add_format(x.wb);
	format_set_bold(x.bold);
	x.yuan = workbook_add_format(x.wb);
	format_set_num_format(x.yuan, "\"¥\"#,##0.00");
	x.text = workbook_add_format(x.wb);
	format_set_num_format(x.text, "@");
	summary(r, &x);
	timeline(r, &x);
	volumes(r, &x);
	findings(r, &x);
	kpis(r, &x);
	lxw_error err = workbook_close(x.wb);
	if (err != LXW_NO_ERROR)
		return bulu_errf(e, BULU_SYSTEM, "%s: %s", path, lxw_strerror(err));
	return BULU_OK;
}
