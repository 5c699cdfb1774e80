/*
 * screen_print.c - printing from the station screen: the receipt after a
 * charge, the requisition's two copies after a requisition, the cash-up
 * sheet, and reprints, all made by capture/printout.c from the committed
 * entries (printout.h), exactly as `bulu print` makes them.
 *
 * POST /api/print {form, ref?, size} records the print first (a "print"
 * entry, so a reprint leaves a trace; a cash-up sheet is recorded as its
 * own entry) and answers the URL of the page; GET /print?form=&ref=&size=
 * [&print=SEQ] answers the page itself.  A requisition's original is
 * printed right after it is saved, unrecorded, as `capture requisition`
 * does (printout.h); every later print of it goes through POST.
 *
 * Invariants: a page is made only for a signed-in session and only from
 * committed entries; its CSP allows its own inline styles and SVG and
 * nothing else, and only this station may frame it (the screen prints it
 * from a hidden frame).
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulu/money.h"
#include "bulu/printout.h"
#include "bulu/text.h"
#include "screen.h"

static const char PAGE_CSP[] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
			       "frame-ancestors 'self'; base-uri 'none'; form-action 'none'";

/* Which forms a role prints. */
static int role_prints(const char *role, enum printout_form f)
{
	if (strcmp(role, "it") == 0)
		return 1;
	if (f == PRINTOUT_REQUISITION)
		return strcmp(role, "nurse") == 0 || strcmp(role, "pharmacist") == 0;
	return strcmp(role, "cashier") == 0;
}

static void reply(http_resp *rs, int status, cJSON *o)
{
	char *t = cJSON_PrintUnformatted(o);
	rs->status = status;
	rs->type = "application/json; charset=utf-8";
	buf_reset(&rs->body);
	if (t)
		buf_puts(&rs->body, t);
	cJSON_free(t);
	cJSON_Delete(o);
}

static void refused(http_resp *rs, int status, const char *code, const char *zh, const char *en)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "ok", 0);
	cJSON_AddStringToObject(o, "error", code);
	cJSON_AddStringToObject(o, "zh", zh);
	cJSON_AddStringToObject(o, "en", en);
	reply(rs, status, o);
}

static void page_url(char *out, size_t n, enum printout_form f, const char *ref,
		     enum printout_size z, int64_t print_seq)
{
	int k = snprintf(out, n, "/print?form=%s&ref=%s&size=%s", printout_form_name(f), ref,
			 printout_size_name(z));
	if (print_seq > 0 && k > 0 && (size_t)k < n)
		snprintf(out + k, n - (size_t)k, "&print=%lld", (long long)print_seq);
}

/* A reference as typed or scanned: full-width forms read as ASCII, and only
 * the characters a reference has. */
static int clean_ref(const char *in, char out[96])
{
	snprintf(out, 96, "%s", in ? in : "");
	text_halfwidth(out);
	size_t n = strlen(out);
	if (n == 0 || n > 90)
		return -1;
	return strspn(out, "BLbl-_0123456789ABCDEFGHIJKMNOPQRSTUVWXYZacdefghijkmnopqrstuvwxyz") == n
		       ? 0
		       : -1;
}

void screen_print_record(void *ud, const http_req *rq, http_resp *rs)
{
	struct screen *s = ud;
	cJSON *in = cJSON_Parse(http_req_body(rq, NULL));
	const cJSON *jf = cJSON_GetObjectItem(in, "form"), *jr = cJSON_GetObjectItem(in, "ref"),
		    *jz = cJSON_GetObjectItem(in, "size");
	enum printout_form form;
	enum printout_size size = PRINTOUT_A4;
	char ref[96] = "";
	pthread_mutex_lock(&s->mu);
	struct session *ss = screen_session(s, rq, 1);
	bulu_err e = {0};
	if (!ss) {
		http_resp_error(rs, 401, "signed_out");
		goto done;
	}
	if (!screen_csrf_ok(ss, rq)) {
		http_resp_error(rs, 403, "csrf");
		goto done;
	}
	if (!cJSON_IsString(jf) || printout_form_parse(jf->valuestring, &form) != 0 ||
	    (cJSON_IsString(jz) && printout_size_parse(jz->valuestring, &size) != 0) ||
	    (form != PRINTOUT_CASHUP && (!cJSON_IsString(jr) || clean_ref(jr->valuestring, ref) != 0))) {
		http_resp_error(rs, 400, "bad_request");
		goto done;
	}
	if (!role_prints(ss->role, form)) {
		refused(rs, 403, "role", "您的角色不能打印这种单据", "your role does not print this form");
		goto done;
	}
	char url[256];
	int reprint = 0;
	if (form == PRINTOUT_CASHUP) {
		char ep[64];
		int drill;
		int64_t seq;
		journal_episode(s->j, ep, &drill, &e);
		if (printout_cashup_record(s->j, ss->name, *ep ? ep : NULL, size, ss->name, &seq, &e) !=
		    BULU_OK)
			goto fail;
		entry_ref(ref, sizeof ref, journal_station(s->j), seq);
		page_url(url, sizeof url, form, ref, size, 0);
	} else {
		struct printout_print p;
		if (printout_record(s->j, ref, form, size, ss->name, &p, &e) != BULU_OK)
			goto fail;
		int64_t seq;
		if (printout_ref_seq(s->j, ref, &seq, &e) == BULU_OK)
			entry_ref(ref, sizeof ref, journal_station(s->j), seq);
		page_url(url, sizeof url, form, ref, size, p.seq);
		reprint = p.reprint;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "ok", 1);
	cJSON_AddStringToObject(o, "url", url);
	cJSON_AddStringToObject(o, "ref", ref);
	cJSON_AddBoolToObject(o, "reprint", reprint);
	reply(rs, 200, o);
	goto done;
fail:
	if (e.code == BULU_BADINPUT)
		refused(rs, 422, "print_refused", "不能打印：单据号不对或单据种类不符", e.msg);
	else
		refused(rs, 500, "system", "系统错误，未能记录打印", e.msg);
done:
	pthread_mutex_unlock(&s->mu);
	cJSON_Delete(in);
}

/* The recorded print SEQ of ref's form, for the 重打 marks. */
static int load_print(journal *j, int64_t seq, const char *form, int64_t of,
		      struct printout_print *p)
{
	sqlite3_stmt *st = NULL;
	int found = 0;
	char ref[96];
	entry_ref(ref, sizeof ref, journal_station(j), of);
	if (sqlite3_prepare_v2(journal_db(j),
			       "SELECT recorded_at, operator, coalesce(json_extract(body, '$.reprint'), 0)"
			       " FROM entries WHERE seq = ?1 AND kind = 'print'"
			       " AND json_extract(body, '$.form') = ?2 AND json_extract(body, '$.of') = ?3",
			       -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, seq);
		sqlite3_bind_text(st, 2, form, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, ref, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW) {
			memset(p, 0, sizeof *p);
			p->seq = seq;
			p->reprint = sqlite3_column_int(st, 2);
			snprintf(p->at, sizeof p->at, "%s", (const char *)sqlite3_column_text(st, 0));
			snprintf(p->by, sizeof p->by, "%s", (const char *)sqlite3_column_text(st, 1));
			found = 1;
		}
	}
	sqlite3_finalize(st);
	return found;
}

void screen_print_page(void *ud, const http_req *rq, http_resp *rs)
{
	struct screen *s = ud;
	const char *f = http_req_query(rq, "form"), *r = http_req_query(rq, "ref"),
		   *z = http_req_query(rq, "size"), *pr = http_req_query(rq, "print");
	enum printout_form form;
	enum printout_size size = PRINTOUT_A4;
	char ref[96];
	int64_t print_seq = 0, seq = 0;
	pthread_mutex_lock(&s->mu);
	struct session *ss = screen_session(s, rq, 1);
	bulu_err e = {0};
	if (!ss) {
		http_resp_error(rs, 401, "signed_out");
		goto done;
	}
	if (!f || printout_form_parse(f, &form) != 0 || (z && printout_size_parse(z, &size) != 0) ||
	    clean_ref(r, ref) != 0 || (pr && (parse_int64(pr, strlen(pr), &print_seq) != 0 || print_seq <= 0))) {
		http_resp_error(rs, 400, "bad_request");
		goto done;
	}
	if (!role_prints(ss->role, form)) {
		http_resp_error(rs, 403, "role");
		goto done;
	}
	struct printout_print p, *pp = NULL;
	if (printout_ref_seq(s->j, ref, &seq, &e) != BULU_OK) {
		http_resp_error(rs, 404, "not_found");
		goto done;
	}
	if (print_seq) {
		if (!load_print(s->j, print_seq, printout_form_name(form), seq, &p)) {
			http_resp_error(rs, 404, "not_found");
			goto done;
		}
		pp = &p;
	} else if (form == PRINTOUT_RECEIPT) {
		/* A receipt is printed only as a recorded print (POST /api/print). */
		http_resp_error(rs, 400, "bad_request");
		goto done;
	}
	buf_reset(&rs->body);
	if (printout_html(s->j, ref, form, size, pp, &rs->body, &e) != BULU_OK) {
		buf_reset(&rs->body);
		http_resp_error(rs, e.code == BULU_BADINPUT ? 422 : 500, "print_refused");
		goto done;
	}
	rs->type = "text/html; charset=utf-8";
	rs->csp = PAGE_CSP;
	rs->same_origin_frame = 1;
done:
	pthread_mutex_unlock(&s->mu);
}
