/*
 * printout.c - the printed forms of a downtime as self-contained HTML:
 * 停机手工收据 (receipt), 药品请领单 in two copies, 轧账单 (cash-up sheet).
 *
 * Every page is made from committed entries read back with bound
 * parameters; nothing typed reaches the paper except through the journal.
 * One page layout serves every size: the <body> class (a4, a5, r80) and the
 * @page rule choose the paper, and the narrow 80 mm layout folds the item
 * table's code, unit and price columns under the item's name.
 *
 * Invariants: all text from the journal is HTML-escaped (esc); money is fen
 * until printed as yuan here, with the amount in words (大写) on receipts
 * and the cash-up; times are printed in the station's zone (clock_local);
 * the page references nothing outside itself (no link, no src, no url());
 * the barcode is the BL reference of the entry the page is made from.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bulu/barcode.h"
#include "bulu/clock.h"
#include "bulu/entry.h"
#include "bulu/json.h"
#include "bulu/money.h"
#include "bulu/paymethod.h"
#include "bulu/printout.h"

static const char *const form_names[] = {"receipt", "requisition", "cashup"};
static const char *const size_names[] = {"a4", "a5", "80mm"};

int printout_form_parse(const char *s, enum printout_form *out)
{
	for (int i = 0; i < 3; i++)
		if (strcmp(s, form_names[i]) == 0) {
			*out = (enum printout_form)i;
			return 0;
		}
	return -1;
}

const char *printout_form_name(enum printout_form f) { return form_names[f]; }

int printout_size_parse(const char *s, enum printout_size *out)
{
	for (int i = 0; i < 3; i++)
		if (strcasecmp(s, size_names[i]) == 0) {
			*out = (enum printout_size)i;
			return 0;
		}
	return -1;
}

const char *printout_size_name(enum printout_size z) { return size_names[z]; }

/* ---- small helpers ---- */

static void esc(buf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': buf_puts(b, "&lt;"); break;
		case '>': buf_puts(b, "&gt;"); break;
		case '&': buf_puts(b, "&amp;"); break;
		case '"': buf_puts(b, "&quot;"); break;
		case '\'': buf_puts(b, "&#39;"); break;
		case '\n': buf_puts(b, "<br>"); break;
		default: buf_putc(b, *s);
		}
	}
}

static const char *ctext(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t ? (const char *)t : "";
}

/* "2026-11-21 09:05" in the station's zone; the stored text if it is not a
 * normalised time. */
static void local_time(const char *iso, char out[CLOCK_ISO_MAX])
{
	char loc[CLOCK_ISO_MAX];
	if (clock_local(iso, loc) != 0) {
		snprintf(out, CLOCK_ISO_MAX, "%s", iso);
		return;
	}
	snprintf(out, CLOCK_ISO_MAX, "%.10s %.8s", loc, loc + 11);
}

/* The station's zone as printed at the foot: "UTC+08:00". */
static void zone_label(char out[CLOCK_ISO_MAX])
{
	char now[CLOCK_ISO_MAX];
	clock_now_iso(now);
	char loc[CLOCK_ISO_MAX];
	if (clock_local(now, loc) == 0)
		snprintf(out, CLOCK_ISO_MAX, "UTC%s", loc + 19);
	else
		snprintf(out, CLOCK_ISO_MAX, "UTC");
}

static void yuan(int64_t fen, char out[32]) { money_format_yuan(fen, out); }

/* The amount in words, as on every Chinese receipt: 贰拾伍元整. */
static void yuan_upper(buf *b, int64_t fen)
{
	static const char *const dig[] = {"零", "壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖"};
	static const char *const unit[] = {"", "拾", "佰", "仟"};
	static const char *const sect[] = {"", "万", "亿"};
	if (fen < 0) {
		buf_puts(b, "负");
		fen = fen == INT64_MIN ? INT64_MAX : -fen;
	}
	int64_t y = fen / 100;
	int jiao = (int)(fen / 10 % 10), f = (int)(fen % 10);
	if (y >= 1000000000000LL) { /* beyond 万亿: the figures only */
		char t[32];
		yuan(fen, t);
		buf_printf(b, "%s元", t);
		return;
	}
	if (y > 0) {
		char d[16];
		int n = snprintf(d, sizeof d, "%lld", (long long)y), zero = 0, any = 0;
		for (int i = 0; i < n; i++) {
			int p = n - 1 - i, v = d[i] - '0';
			if (v == 0) {
				zero = 1;
			} else {
				if (zero && any)
					buf_puts(b, dig[0]);
				zero = 0;
				buf_puts(b, dig[v]);
				buf_puts(b, unit[p % 4]);
				any = 1;
			}
			if (p % 4 == 0 && p > 0) {
				/* the end of a group of four: its section name if it had a digit */
				int nz = 0;
				for (int k = i; k >= 0 && k > i - 4; k--)
					nz |= d[k] != '0';
				if (nz)
					buf_puts(b, sect[p / 4]);
			}
		}
		buf_puts(b, "元");
	}
	if (jiao == 0 && f == 0) {
		buf_puts(b, y > 0 ? "整" : "零元整");
		return;
	}
	if (jiao)
		buf_printf(b, "%s角", dig[jiao]);
	else if (y > 0)
		buf_puts(b, dig[0]);
	if (f)
		buf_printf(b, "%s分", dig[f]);
	else
		buf_puts(b, "整");
}

/* Chinese first for the payment methods people choose: the station's own
 * label (paymethod.h) if it has the code, else a label of the usual ones. */
static void pay_label(buf *b, const pay_methods *pm, const char *code)
{
	for (size_t i = 0; pm && i < pm->n; i++)
		if (strcmp(code, pm->m[i].code) == 0 && *pm->m[i].label) {
			esc(b, pm->m[i].label);
			buf_puts(b, " <small>");
			esc(b, code);
			buf_puts(b, "</small>");
			return;
		}
	static const struct {
		const char *code, *zh;
	} map[] = {{"cash", "现金"},     {"wechat", "微信"},   {"alipay", "支付宝"},
		   {"insurance", "医保"}, {"card", "银行卡"},   {"bank_card", "银行卡"},
		   {"unionpay", "银联"},  {"check", "支票"},    {"transfer", "转账"}};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(code, map[i].code) == 0) {
			buf_printf(b, "%s <small>%s</small>", map[i].zh, map[i].code);
			return;
		}
	esc(b, *code ? code : "—");
}

int printout_ref_seq(journal *j, const char *ref, int64_t *seq, bulu_err *e)
{
	const char *num = ref;
	if (strncmp(ref, "BL-", 3) == 0) {
		const char *dash = strrchr(ref, '-');
		size_t sl = (size_t)(dash - ref - 3);
		const char *st = journal_station(j);
		if (dash <= ref + 3 || sl != strlen(st) || strncmp(ref + 3, st, sl) != 0)
			return bulu_errf(e, BULU_BADINPUT,
					 "%s is not a reference of this station (BL-%s-SEQ): a form is printed at the station that saved it",
					 ref, st);
		num = dash + 1;
	}
	int64_t v = 0;
	if (!*num || parse_int64(num, strlen(num), &v) != 0 || v < 1 || strspn(num, "0123456789") != strlen(num))
		return bulu_errf(e, BULU_BADINPUT, "'%s' is not a back-fill reference (BL-%s-SEQ)", ref,
				 journal_station(j));
	if (v > journal_last_seq(j))
		return bulu_errf(e, BULU_BADINPUT, "BL-%s-%lld: no such entry (the last is %lld)",
				 journal_station(j), (long long)v, (long long)journal_last_seq(j));
	*seq = v;
	return BULU_OK;
}

/* ---- what an entry prints as ---- */

struct ent {
	int64_t seq;
	char ref[96];
	char kind[32];
	char form[16];     /* a print entry's form */
	int is_reprint;    /* a print entry recording a reprint */
	int has_fee;       /* a registration with a fee */
	pay_methods pm;    /* the station's payment methods, for their labels */
};

static int load_ent(journal *j, int64_t seq, struct ent *x, bulu_err *e)
{
	sqlite3_stmt *st = NULL;
	memset(x, 0, sizeof *x);
	if (sqlite3_prepare_v2(journal_db(j),
			       "SELECT kind, json_extract(body, '$.form'), json_extract(body, '$.reprint'),"
			       " json_extract(body, '$.fee') IS NOT NULL FROM entries WHERE seq = ?1",
			       -1, &st, NULL) != SQLITE_OK)
		return bulu_errf(e, BULU_SYSTEM, "journal.db: %s", sqlite3_errmsg(journal_db(j)));
	sqlite3_bind_int64(st, 1, seq);
	int rc = BULU_OK;
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = bulu_errf(e, BULU_BADINPUT, "no entry %lld", (long long)seq);
	} else {
		x->seq = seq;
		entry_ref(x->ref, sizeof x->ref, journal_station(j), seq);
		snprintf(x->kind, sizeof x->kind, "%s", ctext(st, 0));
		snprintf(x->form, sizeof x->form, "%s", ctext(st, 1));
		x->is_reprint = sqlite3_column_int(st, 2) != 0;
		x->has_fee = sqlite3_column_int(st, 3) != 0;
	}
	sqlite3_finalize(st);
	return rc;
}

static const char *form_fits(const struct ent *x)
{
	if (strcmp(x->kind, "charge") == 0 || (strcmp(x->kind, "registration") == 0 && x->has_fee))
		return "receipt";
	if (strcmp(x->kind, "requisition") == 0)
		return "requisition";
	if (strcmp(x->kind, "print") == 0 && strcmp(x->form, "cashup") == 0 && !x->is_reprint)
		return "cashup";
	return NULL;
}

static int check_fit(journal *j, const char *ref, enum printout_form form, struct ent *x, bulu_err *e)
{
	int64_t seq;
	int rc = printout_ref_seq(j, ref, &seq, e);
	if (rc == BULU_OK)
		rc = load_ent(j, seq, x, e);
	if (rc != BULU_OK)
		return rc;
	const char *fits = form_fits(x);
	if (fits && strcmp(fits, form_names[form]) == 0)
		return BULU_OK;
	if (strcmp(x->kind, "print") == 0 && x->is_reprint)
		return bulu_errf(e, BULU_BADINPUT, "%s records a reprint; print the form it names instead", x->ref);
	if (fits)
		return bulu_errf(e, BULU_BADINPUT, "%s is a %s entry: it prints as a %s, not a %s", x->ref,
				 x->kind, fits, form_names[form]);
	return bulu_errf(e, BULU_BADINPUT,
			 "%s is a %s entry: only a charge or a registration with a fee (receipt), a requisition, "
			 "or a cash-up sheet prints",
			 x->ref, x->kind);
}

/* ---- the page ---- */

static const char css[] =
	"*{box-sizing:border-box}"
	"html,body{margin:0;padding:0;background:#fff;color:#000}"
	"body{font-family:\"Noto Sans CJK SC\",\"Noto Sans SC\",\"Source Han Sans SC\",\"WenQuanYi Micro Hei\","
	"\"Microsoft YaHei\",\"PingFang SC\",\"SimHei\",sans-serif;font-size:10.5pt;line-height:1.35}"
	".sheet{width:100%}"
	".head{text-align:center;margin-bottom:2mm}"
	".org{font-size:10pt}"
	"h1{font-size:17pt;margin:1mm 0;letter-spacing:.15em;font-weight:700}"
	".sub{font-size:8.5pt}"
	".copy{display:inline-block;border:1.5px solid #000;padding:0 2mm;margin-top:1mm;font-weight:700;font-size:11pt}"
	".banner{border:2px solid #000;text-align:center;font-weight:700;padding:1mm;margin:1mm 0 2mm}"
	".banner.drill{font-size:13pt;letter-spacing:.2em}"
	".banner.reprint{font-size:10pt}"
	".banner .big{font-size:15pt;letter-spacing:.3em;display:block}"
	".banner.void{font-size:12pt}"
	"table{border-collapse:collapse;width:100%}"
	/* label and value pairs, two pairs a line (one at 80 mm) */
	".kv{display:grid;grid-template-columns:max-content 1fr max-content 1fr;gap:.5mm 2mm;margin:1mm 0}"
	".kv .v{padding-right:4mm;overflow-wrap:anywhere}"
	".kv .k{white-space:nowrap}"
	".kv .full{grid-column:2 / span 3}.kv .kf{grid-column:1}"
	"table.items{margin:2mm 0;border-top:1.5px solid #000;border-bottom:1.5px solid #000}"
	"table.items th{font-weight:700;text-align:left;border-bottom:1px solid #000;padding:.6mm 1mm;white-space:nowrap}"
	"table.items td{padding:.6mm 1mm;vertical-align:top;border-bottom:.5px dotted #666}"
	"table.items td+td,table.items th+th{padding-left:2.5mm}"
	"table.items .n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}"
	"table.items tfoot td{border-bottom:none;font-weight:700;border-top:1px solid #000}"
	".fold{display:none;font-size:8pt}"
	".blank{display:inline-block;width:18mm;border-bottom:1px solid #000;height:1em}"
	".total{font-size:12.5pt;font-weight:700;margin:1mm 0}"
	".words{font-size:10pt}"
	".code{text-align:center;margin-top:3mm;page-break-inside:avoid;break-inside:avoid}"
	".code svg{display:block;margin:0 auto;max-width:100%}"
	".code.top{float:right;margin:0 0 1mm 3mm}"
	".code.top svg{height:10mm}"
	".requisition h1{font-size:15pt}"
	".requisition .sign{margin-top:4mm}"
	"body.a4 .requisition{font-size:10pt}"
	"body.r80 .code.top{float:none;margin:0 0 1mm}"
	".ref{font-family:\"DejaVu Sans Mono\",\"Liberation Mono\",monospace;font-weight:700;font-size:11pt;letter-spacing:.08em}"
	".sign{display:flex;flex-wrap:wrap;gap:2mm 6mm;margin-top:6mm}"
	".sign div{flex:1 1 40mm;white-space:nowrap}"
	".sign span{display:inline-block;border-bottom:1px solid #000;width:26mm;margin-left:1mm}"
	".foot{font-size:8pt;margin-top:2mm;border-top:.5px solid #000;padding-top:1mm}"
	".cut{border-top:1px dashed #000;margin:7mm 0 5mm;text-align:center;font-size:8pt;line-height:0}"
	".cut span{background:#fff;padding:0 2mm}"
	".copyblock{page-break-inside:avoid;break-inside:avoid}"
	"h2{font-size:11pt;margin:3mm 0 1mm;border-bottom:1px solid #000}"
	"small{font-size:75%}"
	/* on screen, a sheet of paper on a grey desk */
	"@media screen{html{background:#e8e8e8}body{padding:6mm 0}"
	".sheet{background:#fff;margin:0 auto;padding:10mm;box-shadow:0 0 2mm #999}"
	"body.a4 .sheet{width:210mm}body.a5 .sheet{width:148mm}body.r80 .sheet{width:80mm;padding:3mm 4mm}}"
	/* A5: the same layout a little tighter */
	"body.a5{font-size:9.5pt}body.a5 h1{font-size:15pt}"
	/* 80 mm receipt printers: one narrow column, small type */
	"body.r80{font-size:8.5pt;line-height:1.3}"
	"body.r80 h1{font-size:13pt;letter-spacing:.05em}"
	"body.r80 .wide{display:none}"
	"body.r80 .fold{display:block}"
	"body.r80 table.items th,body.r80 table.items td{padding:.4mm .5mm}"
	"body.r80 .kv{grid-template-columns:max-content 1fr;gap:.3mm 1.5mm}"
	"body.r80 .kv .full,body.r80 .kv .kf{grid-column:auto}"
	"body.r80 .total{font-size:10.5pt}"
	"body.r80 .sign{display:block;margin-top:4mm}"
	"body.r80 .sign div{margin-top:4mm}"
	"body.r80 .sign span{width:40mm}"
	"body.r80 .ref{font-size:9.5pt}"
	"body.r80 .banner .big{font-size:12pt}"
	"body.a5 .copybreak,body.r80 .copybreak{break-before:page;page-break-before:always;border:none;margin:0}"
	"body.a5 .copybreak span,body.r80 .copybreak span{display:none}";

static void page_begin(buf *o, const char *title, const char *ref, enum printout_size size)
{
	static const char *const page[] = {"size:A4 portrait;margin:12mm 14mm",
					   "size:A5 portrait;margin:8mm 9mm",
					   "size:80mm 297mm;margin:3mm 4mm"};
	static const char *const cls[] = {"a4", "a5", "r80"};
	buf_puts(o, "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
		    "<meta name=\"viewport\" content=\"width=device-width\"><title>");
	esc(o, title);
	buf_puts(o, " ");
	esc(o, ref);
	buf_printf(o, "</title><style>@page{%s}%s</style></head>\n<body class=\"%s\">\n", page[size], css,
		   cls[size]);
}

static void page_end(buf *o) { buf_puts(o, "</body></html>\n"); }

/* The banners every form may carry: drill, reprint, voided. */
static void banners(buf *o, const char *episode, const char *orig_at, const struct printout_print *rp,
		    int reprint_no, const char *voided_by)
{
	if (strncmp(episode, "DRILL-", 6) == 0)
		buf_puts(o, "<div class=\"banner drill\">演练 DRILL · 非真实业务，不作凭证</div>\n");
	if (rp) {
		char a[CLOCK_ISO_MAX], b[CLOCK_ISO_MAX];
		local_time(orig_at, a);
		local_time(rp->at, b);
		buf_puts(o, "<div class=\"banner reprint\"><span class=\"big\">重打</span>");
		if (reprint_no > 0)
			buf_printf(o, "第 %d 次重打 · ", reprint_no);
		buf_printf(o, "原单时间 %s · 重打时间 %s · 重打人 ", a, b);
		esc(o, rp->by);
		buf_puts(o, " <small>(REPRINT)</small></div>\n");
	}
	if (voided_by && *voided_by) {
		buf_puts(o, "<div class=\"banner void\">已作废 VOIDED · 见 ");
		esc(o, voided_by);
		buf_puts(o, "</div>\n");
	}
}

static int barcode_block(buf *o, const char *ref, int top, bulu_err *e)
{
	buf_puts(o, top ? "<div class=\"code top\">" : "<div class=\"code\">");
	int rc = barcode_svg(ref, o, e);
	buf_puts(o, "<div class=\"ref\">");
	esc(o, ref);
	buf_puts(o, "</div><div class=\"sub\">补录号 · 扫码补录</div></div>\n");
	return rc;
}

static void kv(buf *o, const char *k, const char *v)
{
	buf_printf(o, "<div class=\"k\">%s</div><div class=\"v\">", k);
	esc(o, *v ? v : "—");
	buf_puts(o, "</div>");
}

/* A pair whose value takes the rest of the line (a note, a time span). */
static void kv_full(buf *o, const char *k, const char *v)
{
	buf_printf(o, "<div class=\"k kf\">%s</div><div class=\"v full\">", k);
	esc(o, *v ? v : "—");
	buf_puts(o, "</div>");
}

/* The opening of a pair whose value the caller writes, and its end. */
static void kv_open(buf *o, const char *k, int full)
{
	buf_printf(o, "<div class=\"k%s\">%s</div><div class=\"v%s\">", full ? " kf" : "", k, full ? " full" : "");
}
static void kv_close(buf *o) { buf_puts(o, "</div>"); }

/* The void entry that cancels seq, if any ("BL-ST-12"), into out. */
static void voided_by(journal *j, int64_t seq, int64_t through, char out[96])
{
	sqlite3_stmt *st = NULL;
	out[0] = '\0';
	if (sqlite3_prepare_v2(journal_db(j),
			       "SELECT seq FROM entries WHERE kind = 'void' AND json_extract(body, '$.entry') = ?1"
			       " AND seq <= ?2 ORDER BY seq LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_int64(st, 2, through);
	if (sqlite3_step(st) == SQLITE_ROW)
		entry_ref(out, 96, journal_station(j), sqlite3_column_int64(st, 0));
	sqlite3_finalize(st);
}

/* How many reprints of ref were recorded up to and including seq. */
static int reprint_count(journal *j, const char *ref, int64_t seq)
{
	sqlite3_stmt *st = NULL;
	int n = 0;
	if (sqlite3_prepare_v2(journal_db(j),
			       "SELECT count(*) FROM entries WHERE kind = 'print' AND json_extract(body, '$.of') = ?1"
			       " AND json_extract(body, '$.reprint') = 1 AND seq <= ?2",
			       -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, seq);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* Columns of the header query shared by receipt and requisition. */
enum {
	H_KIND, H_AT, H_OP, H_EP, H_DEPT, H_NAME, H_PID, H_FEETYPE, H_DOCTOR, H_INV, H_PAY,
	H_TOTAL, H_FEE, H_NOTE, H_OCC, H_REQNO, H_BED, H_NLINES, H_SEX
};

static const char q_head[] =
	"SELECT kind, recorded_at, operator, episode, json_extract(body, '$.dept'),"
	" json_extract(body, '$.patient_name'), json_extract(body, '$.patient_id'),"
	" json_extract(body, '$.fee_type'), json_extract(body, '$.doctor'),"
	" json_extract(body, '$.invoice_no'), json_extract(body, '$.pay'),"
	" json_extract(body, '$.total'), json_extract(body, '$.fee'), json_extract(body, '$.note'),"
	" json_extract(body, '$.occurred_at'), json_extract(body, '$.request_no'),"
	" json_extract(body, '$.bed'), json_array_length(body, '$.lines'), json_extract(body, '$.sex')"
	" FROM entries WHERE seq = ?1";

static const char q_lines[] =
	"SELECT json_extract(l.value, '$.line'), json_extract(l.value, '$.code'),"
	" json_extract(l.value, '$.name'), json_extract(l.value, '$.unit'),"
	" json_extract(l.value, '$.qty'), json_extract(l.value, '$.price'),"
	" json_extract(l.value, '$.amount'), json_extract(l.value, '$.price_source')"
	" FROM entries, json_each(entries.body, '$.lines') AS l"
	" WHERE entries.seq = ?1 ORDER BY l.key";

static int prep(journal *j, const char *sql, int64_t seq, sqlite3_stmt **st, bulu_err *e)
{
	if (sqlite3_prepare_v2(journal_db(j), sql, -1, st, NULL) != SQLITE_OK)
		return bulu_errf(e, BULU_SYSTEM, "journal.db: %s", sqlite3_errmsg(journal_db(j)));
	sqlite3_bind_int64(*st, 1, seq);
	return BULU_OK;
}

static void org_line(buf *o, journal *j)
{
	buf_puts(o, "<div class=\"org\">");
	esc(o, journal_dept(j));
	buf_puts(o, " · 站点 ");
	esc(o, journal_station(j));
	buf_puts(o, "</div>");
}

static void foot(buf *o, const char *extra)
{
	char z[CLOCK_ISO_MAX];
	zone_label(z);
	buf_puts(o, "<div class=\"foot\">");
	if (extra)
		buf_puts(o, extra);
	buf_printf(o, "时间为本站时间 (%s)。信息系统停机期间手工单据，系统恢复后按补录号补录。</div>\n", z);
}

/* ---- receipt ---- */

static int render_receipt(journal *j, const struct ent *x, const struct printout_print *rp, buf *o,
			  bulu_err *e)
{
	sqlite3_stmt *h = NULL, *ln = NULL;
	int rc = prep(j, q_head, x->seq, &h, e);
	if (rc == BULU_OK)
		rc = prep(j, q_lines, x->seq, &ln, e);
	if (rc != BULU_OK || sqlite3_step(h) != SQLITE_ROW) {
		if (rc == BULU_OK)
			rc = bulu_errf(e, BULU_SYSTEM, "journal.db: %s", sqlite3_errmsg(journal_db(j)));
		goto done;
	}
	char at[CLOCK_ISO_MAX], occ[CLOCK_ISO_MAX] = "", vby[96], money[32];
	local_time(ctext(h, H_AT), at);
	if (*ctext(h, H_OCC))
		local_time(ctext(h, H_OCC), occ);
	voided_by(j, x->seq, rp ? rp->seq : INT64_MAX, vby);
	int is_reg = strcmp(x->kind, "registration") == 0;
	int64_t total = sqlite3_column_int64(h, is_reg ? H_FEE : H_TOTAL);

	buf_puts(o, "<div class=\"sheet receipt\">\n<div class=\"head\">");
	org_line(o, j);
	buf_puts(o, "<h1>停机手工收据</h1><div class=\"sub\">信息系统停机期间手工收据 · Downtime manual receipt</div>"
		    "</div>\n");
	banners(o, ctext(h, H_EP), ctext(h, H_AT), rp, rp ? reprint_count(j, x->ref, rp->seq) : 0, vby);
	buf_puts(o, "<div class=\"kv\">");
	kv(o, "补录号", x->ref);
	kv(o, "发票号", ctext(h, H_INV));
	kv(o, "患者", ctext(h, H_NAME));
	kv(o, "就诊卡号", ctext(h, H_PID));
	kv(o, "科室", ctext(h, H_DEPT));
	kv(o, "医生", ctext(h, H_DOCTOR));
	kv_open(o, "支付方式", 0);
	pay_label(o, &x->pm, ctext(h, H_PAY));
	kv_close(o);
	kv(o, "费别", ctext(h, H_FEETYPE));
	kv(o, "收费时间", at);
	kv(o, "收款员", ctext(h, H_OP));
	if (*occ)
		kv_full(o, "开单时间", occ);
	buf_puts(o, "</div>\n");

	buf_puts(o, "<table class=\"items\"><thead><tr><th class=\"wide\">编码</th><th>项目名称</th>"
		    "<th class=\"wide\">单位</th><th class=\"n wide\">单价</th><th class=\"n\">数量</th>"
		    "<th class=\"n\">金额</th></tr></thead><tbody>");
	int nlines = 0;
	if (is_reg) {
		yuan(total, money);
		buf_puts(o, "<tr><td class=\"wide\">—</td><td>挂号费");
		if (*ctext(h, H_DEPT)) {
			buf_puts(o, " (");
			esc(o, ctext(h, H_DEPT));
			buf_puts(o, ")");
		}
		buf_printf(o, "</td><td class=\"wide\">次</td><td class=\"n wide\">%s</td><td class=\"n\">1</td>"
			      "<td class=\"n\">%s</td></tr>", money, money);
		nlines = 1;
	} else {
		int r;
		while ((r = sqlite3_step(ln)) == SQLITE_ROW) {
			char price[32], amount[32];
			yuan(sqlite3_column_int64(ln, 5), price);
			yuan(sqlite3_column_int64(ln, 6), amount);
			buf_puts(o, "<tr><td class=\"wide\">");
			esc(o, ctext(ln, 1));
			buf_puts(o, "</td><td>");
			esc(o, ctext(ln, 2));
			if (strcmp(ctext(ln, 7), "manual") == 0)
				buf_puts(o, " <small>(手工划价)</small>");
			buf_puts(o, "<span class=\"fold\">");
			esc(o, ctext(ln, 1));
			buf_printf(o, " · %s/", price);
			esc(o, ctext(ln, 3));
			buf_puts(o, "</span></td><td class=\"wide\">");
			esc(o, ctext(ln, 3));
			buf_printf(o, "</td><td class=\"n wide\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td></tr>",
				   price, ctext(ln, 4), amount);
			nlines++;
		}
		if (r != SQLITE_DONE) {
			rc = bulu_errf(e, BULU_SYSTEM, "journal.db: %s", sqlite3_errmsg(journal_db(j)));
			goto done;
		}
	}
	yuan(total, money);
	buf_printf(o, "</tbody></table>\n<div class=\"total\">合计 ¥%s 元 <small>(%d 项)</small></div>"
		      "<div class=\"words\">大写：", money, nlines);
	yuan_upper(o, total);
	buf_puts(o, "</div>\n");
	if (*ctext(h, H_NOTE)) {
		buf_puts(o, "<div class=\"kv\">");
		kv_full(o, "备注", ctext(h, H_NOTE));
		buf_puts(o, "</div>\n");
	}
	rc = barcode_block(o, x->ref, 0, e);
	buf_puts(o, "<div class=\"sign\"><div>收款员签章<span></span></div></div>\n");
	foot(o, "请妥善保存本收据，系统恢复后凭此到收费处换取正式发票。");
	buf_puts(o, "</div>\n");
done:
	sqlite3_finalize(h);
	sqlite3_finalize(ln);
	return rc;
}

/* ---- requisition ---- */

static const char *const req_copies[2][2] = {
	{"第一联 病区留存", "病区医嘱补录联 · ward copy"},
	{"第二联 药房", "药房发药凭证 · pharmacy copy"},
};

static int render_requisition(journal *j, const struct ent *x, const struct printout_print *rp, buf *o,
			      bulu_err *e)
{
	sqlite3_stmt *h = NULL, *ln = NULL;
	int rc = prep(j, q_head, x->seq, &h, e);
	if (rc == BULU_OK)
		rc = prep(j, q_lines, x->seq, &ln, e);
	if (rc != BULU_OK || sqlite3_step(h) != SQLITE_ROW) {
		if (rc == BULU_OK)
			rc = bulu_errf(e, BULU_SYSTEM, "journal.db: %s", sqlite3_errmsg(journal_db(j)));
		goto done;
	}
	char at[CLOCK_ISO_MAX], occ[CLOCK_ISO_MAX] = "", vby[96];
	local_time(ctext(h, H_AT), at);
	if (*ctext(h, H_OCC))
		local_time(ctext(h, H_OCC), occ);
	voided_by(j, x->seq, rp ? rp->seq : INT64_MAX, vby);
	int nrep = rp ? reprint_count(j, x->ref, rp->seq) : 0;
	buf_puts(o, "<div class=\"sheet requisition\">\n");
	for (int copy = 0; copy < 2 && rc == BULU_OK; copy++) {
		if (copy)
			buf_puts(o, "<div class=\"cut copybreak\"><span>✂ 沿此线裁开</span></div>\n");
		buf_puts(o, "<div class=\"copyblock\">");
		if ((rc = barcode_block(o, x->ref, 1, e)) != BULU_OK)
			break;
		buf_puts(o, "<div class=\"head\">");
		org_line(o, j);
		buf_printf(o, "<h1>药品请领单</h1><div class=\"sub\">信息系统停机期间手工单 · Drug requisition</div>"
			      "<div class=\"copy\">%s</div> <span class=\"sub\">%s</span></div>\n",
			   req_copies[copy][0], req_copies[copy][1]);
		banners(o, ctext(h, H_EP), ctext(h, H_AT), rp, nrep, vby);
		buf_puts(o, "<div class=\"kv\">");
		kv(o, "补录号", x->ref);
		kv(o, "请领单号", ctext(h, H_REQNO));
		kv(o, "病区", ctext(h, H_DEPT));
		kv_open(o, "床号", 0);
		if (*ctext(h, H_BED))
			esc(o, ctext(h, H_BED));
		else
			buf_puts(o, "<span class=\"blank\"></span>");
		kv_close(o);
		kv(o, "姓名", ctext(h, H_NAME));
		kv(o, "住院号", ctext(h, H_PID));
		kv(o, "费别", ctext(h, H_FEETYPE));
		kv(o, "医生", ctext(h, H_DOCTOR));
		kv(o, "录入时间", at);
		kv(o, "录入人", ctext(h, H_OP));
		if (*occ)
			kv_full(o, "开单时间", occ);
		buf_puts(o, "</div>\n<table class=\"items\"><thead><tr><th class=\"n\">序号</th>"
			    "<th class=\"wide\">编码</th><th>药品名称</th><th class=\"wide\">单位</th>"
			    "<th class=\"n\">数量</th></tr></thead><tbody>");
		sqlite3_reset(ln);
		int r, n = 0;
		while ((r = sqlite3_step(ln)) == SQLITE_ROW) {
			buf_printf(o, "<tr><td class=\"n\">%s</td><td class=\"wide\">", ctext(ln, 0));
			esc(o, ctext(ln, 1));
			buf_puts(o, "</td><td>");
			esc(o, ctext(ln, 2));
			buf_puts(o, "<span class=\"fold\">");
			esc(o, ctext(ln, 1));
			buf_puts(o, "</span></td><td class=\"wide\">");
			esc(o, ctext(ln, 3));
			buf_printf(o, "</td><td class=\"n\">%s", ctext(ln, 4));
			buf_puts(o, "<small class=\"fold\">");
			esc(o, ctext(ln, 3));
			buf_puts(o, "</small></td></tr>");
			n++;
		}
		if (r != SQLITE_DONE) {
			rc = bulu_errf(e, BULU_SYSTEM, "journal.db: %s", sqlite3_errmsg(journal_db(j)));
			break;
		}
		buf_printf(o, "</tbody></table>\n<div>共 %d 项</div>\n", n);
		if (*ctext(h, H_NOTE)) {
			buf_puts(o, "<div class=\"kv\">");
			kv_full(o, "备注", ctext(h, H_NOTE));
			buf_puts(o, "</div>\n");
		}
		buf_puts(o, "<div class=\"sign\"><div>请领护士<span></span></div><div>发药药师<span></span></div>"
			    "<div>核对<span></span></div></div>\n");
		foot(o, copy ? "药房凭本联发药，发药时扫描补录号。" : "病区凭本联补录医嘱。");
		buf_puts(o, "</div>\n");
	}
	buf_puts(o, "</div>\n");
done:
	sqlite3_finalize(h);
	sqlite3_finalize(ln);
	return rc;
}

/* ---- cash-up ---- */

/* The cashier's money entries through seq ?3: ?1 cashier, ?2 episode or NULL. */
#define MINE(t) t ".operator = ?1 AND (?2 IS NULL OR " t ".episode = ?2) AND " t ".seq <= ?3"
#define AMOUNT(t) "coalesce(json_extract(" t ".body, '$.total'), json_extract(" t ".body, '$.fee'), 0)"
#define MONEY(t) "(" t ".kind = 'charge' OR (" t ".kind = 'registration' AND json_extract(" t ".body, '$.fee') IS NOT NULL))"
#define VOIDED(t) \
	"EXISTS (SELECT 1 FROM entries v WHERE v.kind = 'void' AND v.seq <= ?3 AND json_extract(v.body, '$.entry') = " t ".seq)"

static const char q_pay[] =
	"SELECT coalesce(json_extract(e.body, '$.pay'), ''), count(*), sum(" AMOUNT("e") "),"
	" sum(" VOIDED("e") "), sum(CASE WHEN " VOIDED("e") " THEN " AMOUNT("e") " ELSE 0 END)"
	" FROM entries e WHERE " MONEY("e") " AND " MINE("e") " GROUP BY 1 ORDER BY 1";

static const char q_voids[] =
	"SELECT v.seq, t.seq, t.kind, coalesce(json_extract(t.body, '$.pay'), ''), " AMOUNT("t") ","
	" coalesce(json_extract(v.body, '$.reason'), ''), v.operator"
	" FROM entries v JOIN entries t ON t.seq = json_extract(v.body, '$.entry')"
	" WHERE v.kind = 'void' AND v.seq <= ?3 AND " MONEY("t") " AND " MINE("t") " ORDER BY v.seq";

static const char q_inv[] =
	"SELECT json_extract(e.body, '$.invoice_no') AS no, e.kind = 'invoice_void' OR " VOIDED("e") ""
	" FROM entries e WHERE e.kind IN ('charge', 'registration', 'invoice_void') AND " MINE("e")
	" AND no IS NOT NULL ORDER BY 2, length(no), no";

static const char q_span[] =
	"SELECT min(recorded_at), max(recorded_at), count(*) FROM entries e WHERE " MINE("e")
	" AND e.kind IN ('registration', 'card_issue', 'charge', 'prescription', 'order', 'requisition',"
	" 'dispense', 'exam', 'invoice_void', 'void')";

static int bind3(journal *j, const char *sql, const char *cashier, const char *episode, int64_t through,
		 sqlite3_stmt **st, bulu_err *e)
{
	if (sqlite3_prepare_v2(journal_db(j), sql, -1, st, NULL) != SQLITE_OK)
		return bulu_errf(e, BULU_SYSTEM, "journal.db: %s", sqlite3_errmsg(journal_db(j)));
	sqlite3_bind_text(*st, 1, cashier, -1, SQLITE_TRANSIENT);
	if (episode && *episode)
		sqlite3_bind_text(*st, 2, episode, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(*st, 3, through);
	return BULU_OK;
}

/* Gross, refunds and net of a cash-up, in fen. */
static int cashup_totals(journal *j, const char *cashier, const char *episode, int64_t through,
			 int64_t t[3], bulu_err *e)
{
	sqlite3_stmt *st = NULL;
	int rc = bind3(j, q_pay, cashier, episode, through, &st, e);
	t[0] = t[1] = t[2] = 0;
	while (rc == BULU_OK && sqlite3_step(st) == SQLITE_ROW)
		if (money_add(&t[0], sqlite3_column_int64(st, 2)) || money_add(&t[1], sqlite3_column_int64(st, 4)))
			rc = bulu_errf(e, BULU_BADINPUT, "the cash-up total overflows");
	sqlite3_finalize(st);
	t[2] = t[0] - t[1];
	return rc;
}

/* Append "00120001–00120007, 00120009" style ranges of consecutive numbers. */
static void range_flush(buf *o, const char *first, const char *last, int *n)
{
	if (!*first)
		return;
	if (*n)
		buf_puts(o, "，");
	esc(o, first);
	if (strcmp(first, last) != 0) {
		buf_puts(o, "–");
		esc(o, last);
	}
	(*n)++;
}

static int next_of(const char *a, const char *b)
{
	size_t n = strlen(a);
	if (n != strlen(b) || n == 0 || n > 18 || strspn(a, "0123456789") != n || strspn(b, "0123456789") != n)
		return 0;
	return strtoll(b, NULL, 10) == strtoll(a, NULL, 10) + 1;
}

static int render_cashup(journal *j, const struct ent *x, const struct printout_print *rp, buf *o,
			 bulu_err *e)
{
	sqlite3_stmt *h = NULL, *st = NULL;
	int rc = prep(j,
		      "SELECT recorded_at, operator, episode, json_extract(body, '$.cashier'),"
		      " json_extract(body, '$.of_episode'), json_extract(body, '$.through') FROM entries WHERE seq = ?1",
		      x->seq, &h, e);
	if (rc != BULU_OK || sqlite3_step(h) != SQLITE_ROW) {
		if (rc == BULU_OK)
			rc = bulu_errf(e, BULU_SYSTEM, "journal.db: %s", sqlite3_errmsg(journal_db(j)));
		goto done;
	}
	char cashier[256], ep[128], at[CLOCK_ISO_MAX], a[CLOCK_ISO_MAX], b[CLOCK_ISO_MAX], m1[32], m2[32], m3[32];
	snprintf(cashier, sizeof cashier, "%s", ctext(h, 3));
	snprintf(ep, sizeof ep, "%s", ctext(h, 4));
	int64_t through = sqlite3_column_int64(h, 5);
	local_time(ctext(h, 0), at);
	buf_puts(o, "<div class=\"sheet cashup\">\n<div class=\"head\">");
	org_line(o, j);
	buf_puts(o, "<h1>轧账单</h1><div class=\"sub\">信息系统停机期间收款员轧账 · Cash-up sheet</div></div>\n");
	banners(o, *ep ? ep : ctext(h, 2), ctext(h, 0), rp, rp ? reprint_count(j, x->ref, rp->seq) : 0, NULL);
	buf_puts(o, "<div class=\"kv\">");
	kv(o, "轧账单号", x->ref);
	kv(o, "收款员", cashier);
	kv(o, "停机事件", *ep ? ep : "全部 (all episodes)");
	if ((rc = bind3(j, q_span, cashier, ep, through, &st, e)) != BULU_OK)
		goto done;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 2) > 0) {
		local_time(ctext(st, 0), a);
		local_time(ctext(st, 1), b);
		char span[100];
		snprintf(span, sizeof span, "%s 至 %s", a, b);
		kv_full(o, "首笔至末笔", span);
	} else {
		kv_full(o, "首笔至末笔", "无 (no entries)");
	}
	sqlite3_finalize(st);
	st = NULL;
	kv(o, "轧账时间", at);
	char thr[96];
	entry_ref(thr, sizeof thr, journal_station(j), through);
	kv(o, "截至", thr);
	buf_puts(o, "</div>\n<h2>按支付方式</h2><table class=\"items\"><thead><tr><th>支付方式</th>"
		    "<th class=\"n\">笔数</th><th class=\"n\">收入</th><th class=\"n\">作废笔数</th>"
		    "<th class=\"n\">退费</th><th class=\"n\">净额</th></tr></thead><tbody>");
	if ((rc = bind3(j, q_pay, cashier, ep, through, &st, e)) != BULU_OK)
		goto done;
	int64_t t[3] = {0, 0, 0}, nall = 0, nvoid = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t g = sqlite3_column_int64(st, 2), r = sqlite3_column_int64(st, 4);
		if (money_add(&t[0], g) || money_add(&t[1], r)) {
			rc = bulu_errf(e, BULU_BADINPUT, "the cash-up total overflows");
			goto done;
		}
		nall += sqlite3_column_int64(st, 1);
		nvoid += sqlite3_column_int64(st, 3);
		yuan(g, m1);
		yuan(r, m2);
		yuan(g - r, m3);
		buf_puts(o, "<tr><td>");
		pay_label(o, &x->pm, ctext(st, 0));
		buf_printf(o, "</td><td class=\"n\">%lld</td><td class=\"n\">%s</td><td class=\"n\">%lld</td>"
			      "<td class=\"n\">%s</td><td class=\"n\">%s</td></tr>",
			   (long long)sqlite3_column_int64(st, 1), m1, (long long)sqlite3_column_int64(st, 3), m2, m3);
	}
	sqlite3_finalize(st);
	st = NULL;
	t[2] = t[0] - t[1];
	yuan(t[0], m1);
	yuan(t[1], m2);
	yuan(t[2], m3);
	buf_printf(o, "</tbody><tfoot><tr><td>合计</td><td class=\"n\">%lld</td><td class=\"n\">%s</td>"
		      "<td class=\"n\">%lld</td><td class=\"n\">%s</td><td class=\"n\">%s</td></tr></tfoot></table>\n",
		   (long long)nall, m1, (long long)nvoid, m2, m3);
	buf_printf(o, "<div class=\"total\">应交净额 ¥%s 元</div><div class=\"words\">大写：", m3);
	yuan_upper(o, t[2]);
	buf_puts(o, "</div>\n");

	/* invoice numbers: used, then voided */
	if ((rc = bind3(j, q_inv, cashier, ep, through, &st, e)) != BULU_OK)
		goto done;
	buf_puts(o, "<h2>发票号</h2><div class=\"kv\">");
	int cur = -1, nr = 0, cnt[2] = {0, 0};
	char first[64] = "", last[64] = "";
	for (;;) {
		int r = sqlite3_step(st), vd = r == SQLITE_ROW ? sqlite3_column_int(st, 1) != 0 : -2;
		const char *no = r == SQLITE_ROW ? ctext(st, 0) : "";
		if (vd != cur || (r == SQLITE_ROW && !next_of(last, no))) {
			range_flush(o, first, last, &nr);
			first[0] = '\0';
		}
		if (vd != cur) {
			if (cur >= 0)
				buf_printf(o, " <small>(共 %d 张)</small></div>", cnt[cur]);
			if (vd == -2)
				break;
			kv_open(o, vd ? "作废" : "已用", 1);
			cur = vd;
			nr = 0;
		}
		cnt[vd]++;
		if (!*first)
			snprintf(first, sizeof first, "%s", no);
		snprintf(last, sizeof last, "%s", no);
	}
	if (cnt[0] + cnt[1] == 0)
		kv_full(o, "已用", "无");
	buf_puts(o, "</div>\n");
	sqlite3_finalize(st);
	st = NULL;

	/* the voids, each with the entry it cancels */
	if ((rc = bind3(j, q_voids, cashier, ep, through, &st, e)) != BULU_OK)
		goto done;
	int nv = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		char vref[96], tref[96];
		if (nv++ == 0)
			buf_puts(o, "<h2>作废 / 退费</h2><table class=\"items\"><thead><tr><th>作废单</th><th>原单</th>"
				    "<th class=\"wide\">支付方式</th><th class=\"n\">金额</th><th class=\"wide\">原因</th>"
				    "</tr></thead><tbody>");
		entry_ref(vref, sizeof vref, journal_station(j), sqlite3_column_int64(st, 0));
		entry_ref(tref, sizeof tref, journal_station(j), sqlite3_column_int64(st, 1));
		yuan(sqlite3_column_int64(st, 4), m1);
		buf_printf(o, "<tr><td>%s</td><td>%s</td><td class=\"wide\">", vref, tref);
		pay_label(o, &x->pm, ctext(st, 3));
		buf_printf(o, "</td><td class=\"n\">%s</td><td class=\"wide\">", m1);
		esc(o, ctext(st, 5));
		buf_puts(o, "</td></tr>");
	}
	if (nv)
		buf_puts(o, "</tbody></table>\n");
	sqlite3_finalize(st);
	st = NULL;
	rc = barcode_block(o, x->ref, 0, e);
	buf_puts(o, "<div class=\"sign\"><div>收款员<span></span></div><div>复核人<span></span></div>"
		    "<div>日期<span></span></div></div>\n");
	foot(o, "金额按本站日志计算：作废之单计入收入并计入退费，收入 − 退费 = 净额。");
	buf_puts(o, "</div>\n");
done:
	sqlite3_finalize(h);
	sqlite3_finalize(st);
	return rc;
}

int printout_html(journal *j, const char *ref, enum printout_form form, enum printout_size size,
		  const struct printout_print *p, buf *out, bulu_err *e)
{
	const struct printout_print *reprint = p && p->reprint ? p : NULL;
	struct ent x;
	int rc = check_fit(j, ref, form, &x, e);
	if (rc != BULU_OK)
		return rc;
	bulu_err pe;
	if (pay_methods_load(journal_dir(j), &x.pm, &pe) != BULU_OK)
		x.pm.n = 0; /* a bad list is the screen's to report; the usual labels serve */
	static const char *const titles[] = {"停机手工收据", "药品请领单", "轧账单"};
	char title[64];
	snprintf(title, sizeof title, "%s%s", reprint ? "重打 " : "", titles[form]);
	page_begin(out, title, x.ref, size);
	if (form == PRINTOUT_RECEIPT)
		rc = render_receipt(j, &x, reprint, out, e);
	else if (form == PRINTOUT_REQUISITION)
		rc = render_requisition(j, &x, reprint, out, e);
	else
		rc = render_cashup(j, &x, reprint, out, e);
	page_end(out);
	if (rc == BULU_OK && out->oom)
		rc = bulu_errf(e, BULU_SYSTEM, "out of memory");
	return rc;
}

/* Append one print entry with body w, durably; its seq and recorded_at. */
static int append_print(journal *j, const char *operator_, jw *w, int64_t *seq, char at[CLOCK_ISO_MAX],
			bulu_err *e)
{
	const char *body;
	size_t blen;
	char ep[64];
	int drill;
	if (jw_finish(w, &body, &blen) != 0)
		return bulu_errf(e, BULU_BADINPUT, "the print record is not UTF-8 text");
	int rc = journal_begin(j, e);
	if (rc == BULU_OK)
		rc = journal_episode(j, ep, &drill, e);
	if (rc == BULU_OK)
		rc = journal_append(j, "print", operator_, ep, NULL, body, blen, seq, e);
	if (rc == BULU_OK)
		rc = journal_commit(j, e);
	else
		journal_rollback(j);
	if (rc != BULU_OK)
		return rc;
	sqlite3_stmt *st = NULL;
	at[0] = '\0';
	if (prep(j, "SELECT recorded_at FROM entries WHERE seq = ?1", *seq, &st, e) == BULU_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		snprintf(at, CLOCK_ISO_MAX, "%s", ctext(st, 0));
	sqlite3_finalize(st);
	return BULU_OK;
}

/* 1 when a print of (form, ref) was recorded before. */
static int printed_before(journal *j, const char *form, const char *ref)
{
	sqlite3_stmt *st = NULL;
	int n = 0;
	if (sqlite3_prepare_v2(journal_db(j),
			       "SELECT 1 FROM entries WHERE kind = 'print' AND json_extract(body, '$.of') = ?1"
			       " AND json_extract(body, '$.form') = ?2 LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK)
		return 1;
	sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, form, -1, SQLITE_STATIC);
	n = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return n;
}

int printout_record(journal *j, const char *ref, enum printout_form form, enum printout_size size,
		    const char *operator_, struct printout_print *p, bulu_err *e)
{
	struct ent x;
	int rc = check_fit(j, ref, form, &x, e);
	if (rc != BULU_OK)
		return rc;
	if (!operator_ || !*operator_)
		return bulu_errf(e, BULU_BADINPUT, "a print names who printed it (--operator)");
	memset(p, 0, sizeof *p);
	/* a requisition's and a cash-up's originals are printed when saved */
	p->reprint = form != PRINTOUT_RECEIPT || printed_before(j, form_names[form], x.ref);
	jw w;
	jw_init(&w);
	jw_obj_begin(&w);
	jw_kstr(&w, "form", form_names[form]);
	jw_kstr(&w, "of", x.ref);
	jw_kbool(&w, "reprint", p->reprint);
	jw_kstr(&w, "size", size_names[size]);
	jw_obj_end(&w);
	rc = append_print(j, operator_, &w, &p->seq, p->at, e);
	jw_free(&w);
	snprintf(p->by, sizeof p->by, "%s", operator_);
	return rc;
}

int printout_cashup_record(journal *j, const char *cashier, const char *episode, enum printout_size size,
			   const char *operator_, int64_t *seq, bulu_err *e)
{
	if (!cashier || !*cashier)
		return bulu_errf(e, BULU_BADINPUT, "a cash-up names its cashier");
	if (!operator_ || !*operator_)
		return bulu_errf(e, BULU_BADINPUT, "a cash-up sheet names who printed it (--operator)");
	int64_t through = journal_last_seq(j), t[3];
	int rc = cashup_totals(j, cashier, episode, through, t, e);
	if (rc != BULU_OK)
		return rc;
	jw w;
	jw_init(&w);
	jw_obj_begin(&w);
	jw_kstr(&w, "cashier", cashier);
	jw_kstr(&w, "form", "cashup");
	jw_kint(&w, "gross", t[0]);
	jw_kint(&w, "net", t[2]);
	if (episode && *episode)
		jw_kstr(&w, "of_episode", episode);
	jw_kint(&w, "refunds", t[1]);
	jw_kstr(&w, "size", size_names[size]);
	jw_kint(&w, "through", through);
	jw_obj_end(&w);
	char at[CLOCK_ISO_MAX];
	rc = append_print(j, operator_, &w, seq, at, e);
	jw_free(&w);
	return rc;
}
