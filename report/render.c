/*
 * render.c - the incident report as text (report.txt) and as one
 * self-contained HTML page (report.html: inline CSS and SVG, no script, no
 * external request, a print stylesheet), from the same model, so both show
 * the same numbers.  Chinese labels first.
 *
 * Invariants: every text from the ledger or the reconcile files is escaped
 * in HTML; money is fen inside and yuan with two decimals here; the order
 * of every list is the model's, so a re-run gives the same bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulu/money.h"
#include "bulu/notice.h"
#include "incident.h"

const char *incident_class_label(const char *c)
{
	static const struct { const char *k, *v; } t[] = {
		{"MISSING_IN_HIS", "未补录"}, {"EXTRA_IN_HIS", "HIS多出"}, {"DUPLICATE_IN_HIS", "重复补录"},
		{"AMOUNT_MISMATCH", "金额不符"}, {"QTY_MISMATCH", "数量不符"}, {"ITEM_MISMATCH", "项目不符"},
		{"PATIENT_MISMATCH", "患者不符"}, {"INVOICE_GAP", "发票缺号"}, {"INVOICE_DUPLICATE", "发票重号"},
		{"INVOICE_UNRECORDED", "发票未登记"}, {"DISPENSE_MISMATCH", "发药不符"},
		{"LATE_BACKFILL", "补录逾期"}, {"INVOICE_VOID_CHARGED", "作废发票已收费"}, {"VOIDED_IN_HIS", "作废仍补录"}, {"MATCHED", "已核对"},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (!strcmp(c, t[i].k))
			return t[i].v;
	return "";
}

const char *incident_kind_label(const char *k)
{
	static const struct { const char *k, *v; } t[] = {
		{"registration", "挂号"}, {"card_issue", "发卡"}, {"charge", "收费"}, {"prescription", "处方"},
		{"order", "医嘱"}, {"requisition", "请领单"}, {"dispense", "发药"}, {"exam", "检查"},
		{"invoice_void", "发票作废"}, {"void", "作废/退费"},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (!strcmp(k, t[i].k))
			return t[i].v;
	return "";
}

static const char *yuan(int64_t fen, char out[32])
{
	money_format_yuan(fen, out);
	return out;
}

static const char *drill_text(const incident *r)
{
	return r->live_drill ? "实战演练 live drill (real episode, real data)" : "真实 real";
}

static double pct(int64_t a, int64_t b) { return b ? 100.0 * (double)a / (double)b : 0.0; }

/* ---- text ----------------------------------------------------------------- */

void incident_txt(const incident *r, buf *o)
{
	char a[32], b[32];
	buf_printf(o, "故障报告 Incident report  %s\n\n", r->id);
	buf_printf(o, "故障编号 outage id:        %s\n", r->id);
	buf_printf(o, "故障原因 cause:            %s %s\n", *r->cause ? notice_cause_label(r->cause) : "未申报",
		   *r->cause ? r->cause : "(not declared)");
	buf_printf(o, "性质 kind:                 %s\n", drill_text(r));
	buf_printf(o, "宣布 declared:             %s\n", r->declared ? "是 yes (signed notice)" : "否 no (undeclared)");
	buf_printf(o, "统一启动时间 start:        %s\n", r->start);
	buf_printf(o, "恢复运行 restore:          %s\n", *r->restore ? r->restore : "未恢复 not restored");
	buf_printf(o, "持续时间 duration:         %.2f h\n", r->hours);
	buf_printf(o, "事件级别 level:            %s declared (宣布), %s by duration (按时长)\n",
		   r->level_declared, r->level_duration);
	buf_printf(o, "报告期限 report due:       %s (恢复后2天内)\n", *r->due ? r->due : "-");
	buf_printf(o, "站点 stations:             %lld\n", (long long)r->stations);
	buf_printf(o, "录入 entries:              %lld\n", (long long)r->entries);
	buf_printf(o, "患者 patients:             %lld\n", (long long)r->patients);
	buf_printf(o, "金额 money (yuan):         %s\n\n", yuan(r->fen, a));

	buf_printf(o, "未经宣布启动 undeclared starts\n");
	if (!r->nund)
		buf_printf(o, "  (none)\n");
	for (size_t i = 0; i < r->nund; i++)
		buf_printf(o, "  %-10s started %s (episode %s)%s%s\n", r->und[i].station, r->und[i].at,
			   r->und[i].episode, *r->und[i].joined_at ? ", joined " : "", r->und[i].joined_at);

	buf_printf(o, "\n时间线 timeline\n");
	for (size_t i = 0; i < r->nev; i++)
		buf_printf(o, "  %-25s %-10s %s\n", r->ev[i].when, *r->ev[i].station ? r->ev[i].station : "信息科",
			   r->ev[i].what);

	buf_printf(o, "\n录入量 volumes (department, kind, entries, yuan)\n");
	for (size_t i = 0; i < r->nvol; i++)
		buf_printf(o, "  %-16s %-12s %-8s %8lld %14s\n", r->vol[i].dept, r->vol[i].kind,
			   incident_kind_label(r->vol[i].kind), (long long)r->vol[i].n, yuan(r->vol[i].fen, a));
	buf_printf(o, "  %-16s %-21s %8lld %14s\n", "total", "", (long long)r->entries, yuan(r->fen, a));

	buf_printf(o, "\n补录进度 back-fill by deadline (lines, matched, late, missing, other)\n");
	if (!r->have_recon)
		buf_printf(o, "  (no reconcile given: --reconcile DIR)\n");
	for (size_t i = 0; i < r->ndl; i++)
		buf_printf(o, "  %-20s %8lld %8lld %8lld %8lld %8lld\n", r->dl[i].deadline, (long long)r->dl[i].total,
			   (long long)r->dl[i].matched, (long long)r->dl[i].late, (long long)r->dl[i].missing,
			   (long long)r->dl[i].other);
	if (r->have_recon)
		buf_printf(o, "  share late 逾期比例: %.1f%% (%lld of %lld back-filled)\n", pct(r->late, r->matched + r->late),
			   (long long)r->late, (long long)(r->matched + r->late));

	buf_printf(o, "\n发现 findings by class (count, HIS - journal yuan)\n");
	if (r->have_recon && !r->ncls)
		buf_printf(o, "  (none: the reconcile is clean)\n");
	int64_t nf = 0, ff = 0;
	for (size_t i = 0; i < r->ncls; i++) {
		buf_printf(o, "  %-20s %-10s %8lld %14s\n", r->cls[i].cls, incident_class_label(r->cls[i].cls),
			   (long long)r->cls[i].n, yuan(r->cls[i].fen, a));
		nf += r->cls[i].n, ff = money_add_sat(ff, r->cls[i].fen);
	}
	if (r->ncls)
		buf_printf(o, "  %-31s %8lld %14s\n", "total", (long long)nf, yuan(ff, a));
	buf_printf(o, "\n未解决 unresolved: %lld finding%s\n", (long long)r->nfd, r->nfd == 1 ? "" : "s");
	for (size_t i = 0; i < r->nfd && i < 50; i++) {
		const struct inc_finding *f = &r->fd[i];
		char ref[200];
		if (*f->station)
			snprintf(ref, sizeof ref, "BL-%s-%s%s%s", f->station, f->seq, *f->line ? "-" : "", f->line);
		else
			snprintf(ref, sizeof ref, "HIS %s", f->his_id);
		buf_printf(o, "  %-20s %-22s %-12s %12s\n", f->cls, ref, f->dept, yuan(f->diff, a));
	}
	if (r->nfd > 50)
		buf_printf(o, "  ... %zu more in report.xlsx (findings)\n", r->nfd - 50);

	buf_printf(o, "\n指标 KPIs\n");
	buf_printf(o, "  outages in the ledger 故障次数: %zu\n", r->nout);
	if (r->have_recon) {
		buf_printf(o, "  share back-filled late 逾期比例: %.1f%%\n", pct(r->late, r->matched + r->late));
		buf_printf(o, "  share matched without correction 一次核对通过: %.1f%% (%lld of %lld lines)\n",
			   pct(r->matched, r->lines), (long long)r->matched, (long long)r->lines);
	}
	if (!r->have_recon)
		;
	else if (!r->have_entered || r->t1 < 0)
		buf_printf(o, "  mean back-fill latency per kind 平均补录时长: not measured (%s)\n",
			   r->t1 < 0 ? "the outage is not restored" : "states.csv has no his_entered_at");
	else {
		buf_printf(o, "  back-fill latency per kind after the restore 补录时长 (minutes: mean, median; lines):\n");
		for (size_t i = 0; i < r->nlat; i++)
			buf_printf(o, "    %-14s mean %.1f median %.1f (%zu)\n", r->lat[i].kind, r->lat[i].mean / 60,
				   r->lat[i].median / 60, r->lat[i].n);
	}
	buf_printf(o, "  trend 趋势 (outage, start, hours, level, entries, patients, yuan, share late):\n");
	for (size_t i = 0; i < r->nout; i++) {
		char lt[32] = "-";
		if (r->have_recon && r->out[i].bf)
			snprintf(lt, sizeof lt, "%.1f%%", pct(r->out[i].late, r->out[i].bf));
		buf_printf(o, "    %-20s %-25s %7.2f %-4s %8lld %8lld %14s %6s%s\n", r->out[i].id, r->out[i].start,
			   r->out[i].hours, r->out[i].level, (long long)r->out[i].entries, (long long)r->out[i].patients,
			   yuan(r->out[i].fen, b), lt, r->out[i].drill_live ? " live drill" : "");
	}

	buf_printf(o, "\n签字 sign-off (due %s)\n", *r->due ? r->due : "-");
	buf_printf(o, "  信息科 IT office:      ____________  date ________\n");
	buf_printf(o, "  财务科 finance:        ____________  date ________\n");
	buf_printf(o, "  医务科 medical affairs: ___________  date ________\n");
}

/* ---- HTML ------------------------------------------------------------------ */

static void esc(buf *o, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': buf_puts(o, "&lt;"); break;
		case '>': buf_puts(o, "&gt;"); break;
		case '&': buf_puts(o, "&amp;"); break;
		case '"': buf_puts(o, "&quot;"); break;
		case '\'': buf_puts(o, "&#39;"); break;
		default: buf_putc(o, *s);
		}
	}
}

static const char *const palette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
				      "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
#define NPAL (sizeof palette / sizeof palette[0])

/* Captures per hour since the start, a stacked bar per hour, a colour per department. */
static void chart_hours(const incident *r, buf *o)
{
	const char *depts[64];
	size_t nd = 0;
	for (size_t i = 0; i < r->nhr; i++) {
		size_t k = 0;
		while (k < nd && strcmp(depts[k], r->hr[i].dept))
			k++;
		if (k == nd && nd < 64)
			depts[nd++] = r->hr[i].dept;
	}
	int nh = r->nhours ? r->nhours : 1;
	int64_t *tot = calloc((size_t)nh, sizeof *tot), max = 1;
	for (size_t i = 0; tot && i < r->nhr; i++)
		tot[r->hr[i].hour] += r->hr[i].n;
	for (int h = 0; tot && h < nh; h++)
		max = tot[h] > max ? tot[h] : max;
	int W = 640, H = 220, L = 40, B = 30, bw = (W - L - 10) / nh;
	if (bw < 2)
		bw = 2;
	buf_printf(o, "<svg class=\"chart\" role=\"img\" aria-label=\"captures per hour\" viewBox=\"0 0 %d %d\""
		      " width=\"%d\" height=\"%d\" xmlns=\"http://www.w3.org/2000/svg\">\n", W, H + 20 * ((int)nd / 4 + 1), W,
		   H + 20 * ((int)nd / 4 + 1));
	buf_printf(o, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>\n", L, H - B, W - 5, H - B);
	buf_printf(o, "<text x=\"2\" y=\"14\" font-size=\"11\">%lld</text>\n", (long long)max);
	int64_t *base = calloc((size_t)nh, sizeof *base);
	for (size_t k = 0; base && k < nd; k++)
		for (size_t i = 0; i < r->nhr; i++) {
			if (strcmp(r->hr[i].dept, depts[k]))
				continue;
			int h = r->hr[i].hour;
			double y0 = (double)(H - B) - (double)(base[h] + r->hr[i].n) * (H - B - 20) / (double)max;
			double hh = (double)r->hr[i].n * (H - B - 20) / (double)max;
			buf_printf(o, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\"><title>", L + h * bw + 1,
				   y0, bw - 2, hh, palette[k % NPAL]);
			esc(o, depts[k]);
			buf_printf(o, " +%dh: %lld</title></rect>\n", h, (long long)r->hr[i].n);
			base[h] += r->hr[i].n;
		}
	for (int h = 0; h < nh; h += nh > 24 ? 6 : 1)
		buf_printf(o, "<text x=\"%d\" y=\"%d\" font-size=\"10\">+%dh</text>\n", L + h * bw + 1, H - B + 14, h);
	for (size_t k = 0; k < nd; k++) {
		int x = 10 + (int)(k % 4) * 155, y = H + 4 + (int)(k / 4) * 20;
		buf_printf(o, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/><text x=\"%d\" y=\"%d\" font-size=\"12\">",
			   x, y, palette[k % NPAL], x + 16, y + 11);
		esc(o, *depts[k] ? depts[k] : "-");
		buf_puts(o, "</text>\n");
	}
	buf_puts(o, "</svg>\n");
	free(tot);
	free(base);
}

/* Cumulative share of the lines back-filled (HIS entry time) over time,
 * from the restore to the all-data deadline or the last back-fill, with
 * the important-data and all-data deadlines marked. */
static void chart_progress(const incident *r, buf *o)
{
	int W = 640, H = 240, L = 40, R = 20, T = 20, B = 40;
	long long a = r->t1, z = r->dl_last > a ? r->dl_last : a + 3600;
	if (r->nbf && r->bf[0] < a)
		a = r->bf[0];
	if (r->nbf && r->bf[r->nbf - 1] > z)
		z = r->bf[r->nbf - 1];
	double sx = (double)(W - L - R) / (double)(z - a), sy = (double)(H - T - B);
	buf_printf(o, "<svg class=\"chart\" id=\"progress\" role=\"img\" aria-label=\"back-fill progress\" viewBox=\"0 0 %d %d\""
		      " width=\"%d\" height=\"%d\" xmlns=\"http://www.w3.org/2000/svg\">\n", W, H, W, H);
	buf_printf(o, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000\"/>\n", L, H - B, W - R, H - B);
	buf_printf(o, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000\"/>\n", L, T, L, H - B);
	buf_printf(o, "<text x=\"0\" y=\"%d\" font-size=\"11\">100%%</text><text x=\"0\" y=\"%d\" font-size=\"11\">0%%</text>\n",
		   T + 4, H - B);
	buf_printf(o, "<text x=\"%d\" y=\"%d\" font-size=\"11\">恢复 restore</text>\n", L, H - B + 14);
	long long lines = r->lines ? r->lines : 1;
	buf_printf(o, "<polyline class=\"progress\" fill=\"none\" stroke=\"#2ca02c\" stroke-width=\"2\" points=\"%d,%d", L, H - B);
	/* a point per half pixel at most (the last line entered in it), so a
	 * large outage's chart stays small */
	for (size_t i = 0; i < r->nbf; i++) {
		double x = L + (double)(r->bf[i] - a) * sx, y = H - B - (double)(i + 1) * sy / (double)lines;
		if (i + 1 < r->nbf && (r->bf[i + 1] == r->bf[i] ||
				       (long)(2 * (L + (double)(r->bf[i + 1] - a) * sx)) == (long)(2 * x)))
			continue;
		buf_printf(o, " %.1f,%.1f", x, y);
	}
	buf_printf(o, " %d,%.1f\"/>\n", W - R, H - B - (double)r->nbf * sy / (double)lines);
	static const char *const lab[] = {"重要数据时限 important-data deadline", "全部数据时限 all-data deadline"};
	long long dl[2] = {r->dl_first, r->dl_last};
	for (int k = 0; k < 2; k++) {
		if (dl[k] < 0 || (k == 1 && dl[1] == dl[0]))
			continue;
		double x = L + (double)(dl[k] - a) * sx;
		buf_printf(o, "<line class=\"deadline\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#d62728\""
			      " stroke-dasharray=\"4 3\"><title>%s</title></line>\n", x, T, x, H - B, lab[k]);
		buf_printf(o, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%s</text>\n", x,
			   H - B + 14 + 12 * (k + 1), lab[k]);
	}
	buf_printf(o, "<text x=\"%d\" y=\"%d\" font-size=\"11\">已补录 back-filled: %zu / %lld</text>\n", L + 8, T + 12,
		   r->nbf, (long long)r->lines);
	buf_puts(o, "</svg>\n");
}

/* Back-fill status per deadline: a stacked horizontal bar each. */
static void chart_deadlines(const incident *r, buf *o)
{
	int W = 640, row = 26, H = 30 + row * (int)r->ndl;
	buf_printf(o, "<svg class=\"chart\" role=\"img\" aria-label=\"back-fill by deadline\" viewBox=\"0 0 %d %d\""
		      " width=\"%d\" height=\"%d\" xmlns=\"http://www.w3.org/2000/svg\">\n", W, H, W, H);
	static const char *const col[] = {"#2ca02c", "#ff7f0e", "#d62728", "#9e9e9e"};
	static const char *const lab[] = {"已补录 matched", "逾期 late", "未补录 missing", "其他 other"};
	for (int k = 0; k < 4; k++)
		buf_printf(o, "<rect x=\"%d\" y=\"4\" width=\"12\" height=\"12\" fill=\"%s\"/><text x=\"%d\" y=\"15\" "
			      "font-size=\"12\">%s</text>\n", 150 + k * 120, col[k], 166 + k * 120, lab[k]);
	for (size_t i = 0; i < r->ndl; i++) {
		const struct inc_deadline *d = &r->dl[i];
		int64_t v[4] = {d->matched, d->late, d->missing, d->other};
		double x = 150;
		int y = 26 + row * (int)i;
		buf_printf(o, "<text x=\"0\" y=\"%d\" font-size=\"11\">", y + 14);
		esc(o, d->deadline);
		buf_puts(o, "</text>\n");
		for (int k = 0; k < 4; k++) {
			double w = d->total ? (double)v[k] * (W - 160) / (double)d->total : 0;
			if (w > 0)
				buf_printf(o, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"18\" fill=\"%s\"><title>%s: %lld</title></rect>\n",
					   x, y, w, col[k], lab[k], (long long)v[k]);
			x += w;
		}
	}
	buf_puts(o, "</svg>\n");
}

/* Findings by class and department: a bar per pair, length by count. */
static void chart_findings(const incident *r, buf *o)
{
	int64_t max = 1;
	for (size_t i = 0; i < r->ncd; i++)
		max = r->cd[i].n > max ? r->cd[i].n : max;
	int W = 640, row = 22, H = 10 + row * (int)r->ncd;
	buf_printf(o, "<svg class=\"chart\" role=\"img\" aria-label=\"findings by class and department\" viewBox=\"0 0 %d %d\""
		      " width=\"%d\" height=\"%d\" xmlns=\"http://www.w3.org/2000/svg\">\n", W, H, W, H);
	for (size_t i = 0; i < r->ncd; i++) {
		int y = 6 + row * (int)i;
		size_t c = 0;
		while (c < r->ncls && strcmp(r->cls[c].cls, r->cd[i].cls))
			c++;
		buf_printf(o, "<text x=\"0\" y=\"%d\" font-size=\"11\">%s ", y + 13, incident_class_label(r->cd[i].cls));
		esc(o, r->cd[i].dept);
		double w = (double)r->cd[i].n * (W - 300) / (double)max;
		buf_printf(o, "</text><rect x=\"250\" y=\"%d\" width=\"%.1f\" height=\"16\" fill=\"%s\"><title>", y, w,
			   palette[c % NPAL]);
		esc(o, r->cd[i].cls);
		buf_printf(o, ": %lld</title></rect><text x=\"%.1f\" y=\"%d\" font-size=\"11\">%lld</text>\n",
			   (long long)r->cd[i].n, 254 + w, y + 13, (long long)r->cd[i].n);
	}
	buf_puts(o, "</svg>\n");
}

static void tr(buf *o, const char *th, const char *td)
{
	buf_puts(o, "<tr><th>");
	esc(o, th);
	buf_puts(o, "</th><td>");
	esc(o, td);
	buf_puts(o, "</td></tr>\n");
}

void incident_html(const incident *r, buf *o)
{
	char a[32], t[256];
	buf_puts(o, "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\n<title>故障报告 ");
	esc(o, r->id);
	buf_puts(o, "</title>\n<style>\n"
		    "body{font-family:\"Noto Sans CJK SC\",\"Noto Sans SC\",sans-serif;margin:2em;color:#111}\n"
		    "h1{font-size:1.5em}h2{font-size:1.15em;border-bottom:1px solid #999;margin-top:1.6em}\n"
		    "table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #bbb;padding:2px 8px;text-align:left}\n"
		    "td.n{text-align:right}.sign td{height:2.2em;min-width:10em}td:first-child{white-space:nowrap}.chart{display:block;max-width:100%}\n"
		    "@media print{body{margin:0}h2{break-after:avoid}table,svg{break-inside:avoid}a{color:#000}}\n"
		    "</style></head><body>\n<h1>故障报告 Incident report ");
	esc(o, r->id);
	buf_puts(o, "</h1>\n<h2>概况 Summary</h2>\n<table class=\"summary\">\n");
	tr(o, "故障编号 outage id", r->id);
	snprintf(t, sizeof t, "%s %s", *r->cause ? notice_cause_label(r->cause) : "未申报", *r->cause ? r->cause : "(not declared)");
	tr(o, "故障原因 cause", t);
	tr(o, "性质 kind", drill_text(r));
	tr(o, "宣布 declared", r->declared ? "是 yes (signed notice)" : "否 no (undeclared)");
	tr(o, "统一启动时间 start", r->start);
	tr(o, "恢复运行 restore", *r->restore ? r->restore : "未恢复 not restored");
	snprintf(t, sizeof t, "%.2f h", r->hours);
	tr(o, "持续时间 duration", t);
	snprintf(t, sizeof t, "%s declared (宣布), %s by duration (按时长)", r->level_declared, r->level_duration);
	tr(o, "事件级别 level", t);
	tr(o, "报告期限 report due", *r->due ? r->due : "-");
	snprintf(t, sizeof t, "%lld", (long long)r->stations);
	tr(o, "站点 stations", t);
	snprintf(t, sizeof t, "%lld", (long long)r->entries);
	tr(o, "录入 entries", t);
	snprintf(t, sizeof t, "%lld", (long long)r->patients);
	tr(o, "患者 patients", t);
	tr(o, "金额 money (yuan)", yuan(r->fen, a));
	buf_puts(o, "</table>\n<h2>未经宣布启动 Undeclared starts</h2>\n");
	if (!r->nund)
		buf_puts(o, "<p>(none)</p>\n");
	else
		buf_puts(o, "<table><tr><th>站点 station</th><th>启动 started</th><th>episode</th><th>并入 joined</th></tr>\n");
	for (size_t i = 0; i < r->nund; i++) {
		buf_puts(o, "<tr><td>");
		esc(o, r->und[i].station);
		buf_puts(o, "</td><td>");
		esc(o, r->und[i].at);
		buf_puts(o, "</td><td>");
		esc(o, r->und[i].episode);
		buf_puts(o, "</td><td>");
		esc(o, r->und[i].joined_at);
		buf_puts(o, "</td></tr>\n");
	}
	if (r->nund)
		buf_puts(o, "</table>\n");
	buf_puts(o, "<h2>时间线 Timeline</h2>\n<table><tr><th>时间 time</th><th>站点 station</th><th>事件 event</th></tr>\n");
	for (size_t i = 0; i < r->nev; i++) {
		buf_puts(o, "<tr><td>");
		esc(o, r->ev[i].when);
		buf_puts(o, "</td><td>");
		esc(o, *r->ev[i].station ? r->ev[i].station : "信息科");
		buf_puts(o, "</td><td>");
		esc(o, r->ev[i].what);
		buf_puts(o, "</td></tr>\n");
	}
	buf_puts(o, "</table>\n<h2>录入量 Volumes</h2>\n<h3>每小时录入 Captures per hour per department</h3>\n");
	chart_hours(r, o);
	buf_puts(o, "<table><tr><th>科室 department</th><th>类型 kind</th><th>录入 entries</th><th>金额 yuan</th></tr>\n");
	for (size_t i = 0; i < r->nvol; i++) {
		buf_puts(o, "<tr><td>");
		esc(o, r->vol[i].dept);
		buf_printf(o, "</td><td>%s %s</td><td class=\"n\">%lld</td><td class=\"n\">%s</td></tr>\n",
			   incident_kind_label(r->vol[i].kind), r->vol[i].kind, (long long)r->vol[i].n, yuan(r->vol[i].fen, a));
	}
	buf_printf(o, "<tr><th colspan=\"2\">合计 total</th><td class=\"n\">%lld</td><td class=\"n\">%s</td></tr></table>\n",
		   (long long)r->entries, yuan(r->fen, a));
	buf_puts(o, "<h2>补录进度 Back-fill against the deadlines</h2>\n");
	if (!r->have_recon)
		buf_puts(o, "<p>(no reconcile given: <code>--reconcile DIR</code>)</p>\n");
	else {
		chart_deadlines(r, o);
		if (r->have_entered && r->t1 >= 0) {
			buf_puts(o, "<h3>补录累计 Share back-filled over time (HIS entry time)</h3>\n");
			chart_progress(r, o);
		}
		buf_puts(o, "<table><tr><th>期限 deadline</th><th>行 lines</th><th>已补录 matched</th><th>逾期 late</th>"
			    "<th>未补录 missing</th><th>其他 other</th></tr>\n");
		for (size_t i = 0; i < r->ndl; i++) {
			buf_puts(o, "<tr><td>");
			esc(o, r->dl[i].deadline);
			buf_printf(o, "</td><td class=\"n\">%lld</td><td class=\"n\">%lld</td><td class=\"n\">%lld</td>"
				      "<td class=\"n\">%lld</td><td class=\"n\">%lld</td></tr>\n",
				   (long long)r->dl[i].total, (long long)r->dl[i].matched, (long long)r->dl[i].late,
				   (long long)r->dl[i].missing, (long long)r->dl[i].other);
		}
		buf_printf(o, "</table>\n<p>逾期比例 share late: %.1f%% (%lld of %lld back-filled)</p>\n",
			   pct(r->late, r->matched + r->late), (long long)r->late, (long long)(r->matched + r->late));
		buf_puts(o, "<h2>发现 Findings by class</h2>\n");
		if (r->ncd)
			chart_findings(r, o);
		buf_puts(o, "<table><tr><th>类别 class</th><th>数量 count</th><th>金额差 HIS - journal (yuan)</th></tr>\n");
		for (size_t i = 0; i < r->ncls; i++)
			buf_printf(o, "<tr><td>%s %s</td><td class=\"n\">%lld</td><td class=\"n\">%s</td></tr>\n",
				   incident_class_label(r->cls[i].cls), r->cls[i].cls, (long long)r->cls[i].n, yuan(r->cls[i].fen, a));
		buf_printf(o, "</table>\n<p>未解决 unresolved: %zu finding%s (all in report.xlsx, sheet findings)</p>\n", r->nfd,
			   r->nfd == 1 ? "" : "s");
	}
	buf_puts(o, "<h2>指标 KPIs</h2>\n<table>\n");
	snprintf(t, sizeof t, "%zu", r->nout);
	tr(o, "故障次数 outages in the ledger", t);
	if (r->have_recon) {
		snprintf(t, sizeof t, "%.1f%%", pct(r->late, r->matched + r->late));
		tr(o, "逾期比例 share back-filled late", t);
		snprintf(t, sizeof t, "%.1f%% (%lld of %lld lines)", pct(r->matched, r->lines), (long long)r->matched,
			 (long long)r->lines);
		tr(o, "一次核对通过 share matched without correction", t);
	}
	if (r->have_recon && (!r->have_entered || r->t1 < 0))
		tr(o, "平均补录时长 mean back-fill latency per kind",
		   r->t1 < 0 ? "not measured (the outage is not restored)" : "not measured (states.csv has no his_entered_at)");
	buf_puts(o, "</table>\n");
	if (r->have_recon && r->have_entered && r->t1 >= 0) {
		buf_puts(o, "<h3>补录时长 Back-fill latency per kind, after the restore</h3>\n<table><tr><th>类型 kind</th>"
			    "<th>行 lines</th><th>平均 mean (min)</th><th>中位 median (min)</th></tr>\n");
		for (size_t i = 0; i < r->nlat; i++) {
			buf_puts(o, "<tr class=\"lat\"><td>");
			esc(o, r->lat[i].kind);
			buf_printf(o, "</td><td class=\"n\">%zu</td><td class=\"n\">%.1f</td><td class=\"n\">%.1f</td></tr>\n",
				   r->lat[i].n, r->lat[i].mean / 60, r->lat[i].median / 60);
		}
		buf_puts(o, "</table>\n");
	}
	buf_puts(o, "<h3>趋势 Trend across the ledger's outages</h3>\n<table><tr><th>故障 outage</th><th>启动 start</th>"
		    "<th>小时 hours</th><th>级别 level</th><th>录入 entries</th><th>患者 patients</th><th>金额 yuan</th><th>逾期比例 share late</th></tr>\n");
	for (size_t i = 0; i < r->nout; i++) {
		char lt[32] = "-";
		if (r->have_recon && r->out[i].bf)
			snprintf(lt, sizeof lt, "%.1f%%", pct(r->out[i].late, r->out[i].bf));
		buf_puts(o, "<tr><td>");
		esc(o, r->out[i].id);
		buf_puts(o, r->out[i].drill_live ? " (实战演练)</td><td>" : "</td><td>");
		esc(o, r->out[i].start);
		buf_printf(o, "</td><td class=\"n\">%.2f</td><td>%s</td><td class=\"n\">%lld</td><td class=\"n\">%lld</td>"
			      "<td class=\"n\">%s</td><td class=\"n\">%s</td></tr>\n", r->out[i].hours, r->out[i].level,
			   (long long)r->out[i].entries, (long long)r->out[i].patients, yuan(r->out[i].fen, a), lt);
	}
	buf_printf(o, "</table>\n<h2>签字 Sign-off (期限 due %s)</h2>\n<table class=\"sign\">\n"
		      "<tr><th>信息科 IT office</th><td></td><th>日期 date</th><td></td></tr>\n"
		      "<tr><th>财务科 finance</th><td></td><th>日期 date</th><td></td></tr>\n"
		      "<tr><th>医务科 medical affairs</th><td></td><th>日期 date</th><td></td></tr>\n</table>\n</body></html>\n",
		   *r->due ? r->due : "-");
}
