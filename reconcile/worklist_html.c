/*
 * worklist_html.c - the printable worklist page of one department
 * (worklists/DEPT.html), written by report.c beside DEPT.csv and DEPT.txt.
 *
 * Invariants: every text from the ledger or the HIS exports is
 * HTML-escaped; a reference that cannot be a barcode (none, or not plain
 * ASCII) is printed as text alone; the page references nothing outside
 * itself; the same lines give the same bytes (no time of writing on it).
 */
#include <string.h>

#include "bulu/barcode.h"
#include "worklist_html.h"

static void esc(buf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': buf_puts(b, "&lt;"); break;
		case '>': buf_puts(b, "&gt;"); break;
		case '&': buf_puts(b, "&amp;"); break;
		case '"': buf_puts(b, "&quot;"); break;
		default: buf_putc(b, *s);
		}
	}
}

static const char css[] =
	"@page{size:A4 portrait;margin:10mm 12mm}"
	"*{box-sizing:border-box}"
	"body{margin:0;font-family:\"Noto Sans CJK SC\",\"Noto Sans SC\",\"Source Han Sans SC\","
	"\"WenQuanYi Micro Hei\",\"Microsoft YaHei\",\"SimHei\",sans-serif;font-size:9.5pt;line-height:1.3;color:#000}"
	"h1{font-size:15pt;margin:0 0 1mm;text-align:center;letter-spacing:.1em}"
	".sub{text-align:center;font-size:8.5pt;margin-bottom:2mm;padding-bottom:1mm;border-bottom:1.5px solid #000}"
	/* an item: what to do on one line, what it is about under it */
	".it{border-bottom:.5px solid #999;padding:1.5mm 0;page-break-inside:avoid;break-inside:avoid}"
	".row{display:flex;gap:4mm;align-items:flex-start}"
	".box{font-size:14pt;line-height:1;width:5mm}"
	".due{white-space:nowrap;width:34mm}"
	".code{width:66mm;flex:none}.code svg{display:block}"
	".ref{font-family:\"DejaVu Sans Mono\",\"Liberation Mono\",monospace;font-weight:700;font-size:9pt;padding-left:3.3mm}"
	".what{flex:1}.what b{display:block}"
	".det{margin:1mm 0 0 9mm;font-size:8.5pt}"
	".det .why{display:block}"
	".sign{margin-top:6mm;display:flex;gap:10mm}"
	".sign span{display:inline-block;border-bottom:1px solid #000;width:30mm;margin-left:1mm}"
	"@media screen{body{max-width:210mm;margin:6mm auto}}";

void wl_html_begin(buf *o, const char *dept, size_t n)
{
	const char *d = dept && *dept ? dept : "未知科室";
	buf_puts(o, "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>补录工作单 ");
	esc(o, d);
	buf_printf(o, "</title><style>%s</style></head>\n<body>\n<h1>补录工作单 · ", css);
	esc(o, d);
	buf_printf(o, "</h1><div class=\"sub\">Back-fill worklist · 共 %zu 项，按截止时间排序 · "
		      "扫描补录号填入 HIS 备注</div>\n",
		   n);
}

/* A reference a barcode can carry: BL-..., ASCII letters, digits, '-', '_'. */
static int ref_ok(const char *ref)
{
	if (strncmp(ref, "BL-", 3) != 0 || strlen(ref) > 80)
		return 0;
	for (const char *p = ref; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '-' || *p == '_'))
			return 0;
	return 1;
}

void wl_html_line(buf *o, const struct wl_line *l)
{
	buf_puts(o, "<div class=\"it\"><div class=\"row\"><span class=\"box\">☐</span><div class=\"due\">截止 ");
	esc(o, *l->due ? l->due : "—");
	buf_puts(o, "</div><div class=\"code\">");
	if (ref_ok(l->ref)) {
		bulu_err e;
		size_t before = o->len;
		if (barcode_svg(l->ref, o, &e) != BULU_OK)
			o->len = before; /* the reference alone, as text */
	}
	buf_puts(o, "<div class=\"ref\">");
	esc(o, *l->ref ? l->ref : "—");
	buf_puts(o, "</div></div><div class=\"what\"><b>");
	esc(o, l->action);
	buf_puts(o, "</b>");
	esc(o, l->cls);
	buf_puts(o, "</div></div><div class=\"det\">");
	if (*l->item || *l->patient) {
		esc(o, l->patient);
		if (*l->patient_name) {
			buf_puts(o, " ");
			esc(o, l->patient_name);
		}
		if (*l->item)
			buf_puts(o, " · ");
		esc(o, l->item);
		if (*l->item_name) {
			buf_puts(o, " ");
			esc(o, l->item_name);
		}
		if (*l->qty) {
			buf_puts(o, " ×");
			esc(o, l->qty);
		}
		if (*l->amount) {
			buf_puts(o, " · ");
			esc(o, l->amount);
			buf_puts(o, " 元");
		}
	}
	if (*l->his_id) {
		buf_puts(o, (*l->item || *l->patient) ? " · HIS " : "HIS ");
		esc(o, l->his_id);
	}
	buf_puts(o, "<span class=\"why\">");
	esc(o, l->expl);
	buf_puts(o, "</span></div></div>\n");
}

void wl_html_end(buf *o)
{
	buf_puts(o, "<div class=\"sign\"><div>经办<span></span></div><div>复核<span></span></div>"
		    "<div>日期<span></span></div></div>\n</body></html>\n");
}
