/*
 * recon.c - what every phase of a reconcile run shares, and nothing else:
 * the names of journal kinds and finding classes, a new finding and the
 * fields it takes from a line or a row, strings made for findings (in the
 * run's pool), money and time as the reports write them, an invoice
 * number's value.  It calls no phase: the phases (ledger_load.c,
 * prefilter.c, match.c, checks.c, report.c) call down into it and into the
 * exports' reader (his*.c), never back into one another (scripts/deps.sh).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulu/money.h"
#include "recon.h"

/* --- names ----------------------------------------------------------------- */

static const char *const jkind_names[JK_N] = {"registration", "card_issue", "charge", "prescription",
					      "order", "requisition", "dispense", "exam",
					      "ward_charge", "exam_request"};

const char *jkind_name(enum jkind k) { return (unsigned)k < JK_N ? jkind_names[k] : "?"; }

static const char *const class_names[RC_N] = {
	"MATCHED", "VOIDED", "NOT_CHECKED", "NO_EXPORT", "MISSING_IN_HIS", "EXTRA_IN_HIS",
	"DUPLICATE_IN_HIS", "AMOUNT_MISMATCH", "QTY_MISMATCH", "ITEM_MISMATCH", "PATIENT_MISMATCH",
	"VOIDED_IN_HIS", "INVOICE_GAP", "INVOICE_DUPLICATE", "INVOICE_UNRECORDED",
	"INVOICE_VOID_CHARGED", "DISPENSE_MISMATCH", "LATE_BACKFILL",
	"DISPENSE_REF_UNKNOWN"};

const char *rclass_name(enum rclass c) { return (unsigned)c < RC_N ? class_names[c] : "?"; }

const char *recon_kind_label(int kind)
{
	return kind < HIS_NKINDS ? his_kind_name((enum his_kind)kind) : "drugs";
}

const char *recon_how(uint8_t how)
{
	static const char *const hows[] = {"", "its back-fill reference", "patient, item, quantity and amount",
					   "patient, item and quantity", "patient and item", "patient and quantity",
					   "invoice number (or time), item, quantity and amount"};
	return how < sizeof hows / sizeof hows[0] ? hows[how] : "";
}

/* --- findings -------------------------------------------------------------- */

struct finding *recon_add(struct recon *r, enum rclass c, uint8_t kind)
{
	if (r->nf == r->capf) {
		size_t cap = r->capf ? r->capf * 2 : 1024;
		struct finding *nf = realloc(r->f, cap * sizeof *nf);
		if (!nf)
			return NULL;
		r->f = nf;
		r->capf = cap;
	}
	struct finding *f = &r->f[r->nf++];
	memset(f, 0, sizeof *f);
	f->cls = (uint8_t)c;
	f->kind = kind;
	f->deadline = NO_TIME;
	return f;
}

uint32_t recon_str(struct recon *r, const char *fmt, ...)
{
	char s[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(s, sizeof s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return 0;
	size_t len = (size_t)n < sizeof s ? (size_t)n : sizeof s - 1;
	uint32_t id = strpool_intern(r->pool, s, len);
	return id == UINT32_MAX ? 0 : id;
}

void recon_unit_finding(struct recon *r, struct finding *f, size_t ui)
{
	const struct unit *u = &r->u[ui];
	f->station = u->station;
	f->seq = u->seq;
	f->line = u->line;
	f->patient = u->patient;
	f->item = u->item;
	f->dept = u->dept;
	f->operator_ = u->operator_;
	f->deadline = u->deadline;
	f->unit = (uint32_t)(ui + 1);
}

/* A row's 流水号 in the pool (findings are few), or "row N" without one. */
uint32_t recon_row_name(struct recon *r, enum his_kind k, const struct his_row *h)
{
	if (!h->his_id)
		return recon_str(r, "row %u", h->row);
	const char *s = his_text(&r->his[k], h->his_id);
	uint32_t id = strpool_intern(r->pool, s, strlen(s));
	return id == UINT32_MAX ? 0 : id;
}

void recon_row_finding(struct recon *r, struct finding *f, enum his_kind k, const struct his_row *h)
{
	f->his_id = h->his_id ? recon_row_name(r, k, h) : 0;
	f->his_row = h->row;
	if (!f->station) { /* a row with no journal side: its own patient, item, dept, operator */
		f->patient = h->patient;
		f->item = h->item;
		f->dept = h->dept;
		f->operator_ = h->operator_;
	}
}

/* --- money, time and invoice numbers as text ------------------------------- */

void recon_yuan(int64_t fen, char out[32])
{
	money_format_yuan(fen, out);
}

/* "YYYY-MM-DD HH:MM:SS" in the outage's local time. */
const char *recon_time(const struct recon *r, int64_t t, char out[64])
{
	if (t == NO_TIME) {
		snprintf(out, 64, "-");
		return out;
	}
	int64_t z = t + r->tz_off;
	int64_t days = z >= 0 ? z / 86400 : -((-z + 86399) / 86400);
	int64_t sec = z - days * 86400;
	/* civil_from_days (Howard Hinnant) */
	int64_t zz = days + 719468;
	int64_t era = (zz >= 0 ? zz : zz - 146096) / 146097;
	unsigned doe = (unsigned)(zz - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = (int64_t)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned d = doy - (153 * mp + 2) / 5 + 1;
	unsigned m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	snprintf(out, 64, "%04" PRId64 "-%02u-%02u %02d:%02d:%02d", y, m, d, (int)(sec / 3600),
		 (int)(sec / 60 % 60), (int)(sec % 60));
	return out;
}

/* Numeric value of an invoice number; -1 when not all digits. */
int64_t recon_invoice_value(const char *s)
{
	if (!*s || strlen(s) > 18)
		return -1;
	int64_t v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}
