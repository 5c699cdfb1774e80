/*
 * screen_forms.c - saving a form from the station screen, and reading one
 * back by its BL reference (a scanned requisition at the pharmacy).
 *
 * A form arrives as JSON, fills the same `form` as `bulu capture KIND`
 * (form.h) and goes through capture_form_append() and journal_commit(): the
 * CLI's checks, pricing, numbering and durable commit, not a second copy.
 *
 * Invariants: "ok" with a reference is answered only after journal_commit()
 * returned; a refusal appends nothing; one idempotency key saves at most one
 * entry: the key is written to screen_forms in the entry's own transaction,
 * so a resent request, a double click or a retry after a lost answer gets
 * the first save's answer back (even across a restart of the server).
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulu/form.h"
#include "bulu/money.h"
#include "bulu/text.h"
#include "screen.h"

/* ---- refusals in Chinese -------------------------------------------------- */

static const struct {
	const char *field, *needle, *code, *zh;
} refusals[] = {
	{"operator", "not an operator", "operator_unknown", "不是本站的操作员"},
	{"operator", NULL, "operator_missing", "缺少操作员"},
	{"patient_id", "needs", "patient_missing", "请填写患者编号（就诊卡号或住院号）"},
	{"item_code", "unknown item", "item_unknown", "价表中没有这个项目编码"},
	{"item_code", "at least one", "lines_missing", "请至少录入一个项目"},
	{"item_code", "no catalog", "no_catalog", "本站还没有载入价表"},
	{"item_code", "catalog", "no_catalog", "本站还没有载入价表"},
	{"item_code", NULL, "item_bad", "项目编码不正确"},
	{"qty", "too large", "amount_too_large", "金额过大"},
	{"qty", NULL, "qty_bad", "数量必须是大于 0 的整数"},
	{"unit_price", NULL, "price_bad", "单价必须是不小于 0 的金额（元）"},
	{"invoice_no", "already used", "invoice_used", "该发票号已经用过"},
	{"invoice_no", "was used", "invoice_used", "该发票号已用于收费，请作废那笔收费"},
	{"invoice_no", "voided", "invoice_voided", "该发票号已作废"},
	{"invoice_no", "outside", "invoice_outside", "该发票号不在本站的发票本范围内"},
	{"invoice_no", "no invoice book", "invoice_no_book", "本站没有发票本，请信息科添加"},
	{"invoice_no", "no free", "invoice_none_left", "发票本已用完，请信息科添加新的发票本"},
	{"invoice_no", "not a number", "invoice_bad", "发票号只能是数字"},
	{"invoice_no", "needs", "invoice_missing", "请填写发票号"},
	{"invoice_no", NULL, "invoice_bad", "发票号不正确"},
	{"pay_method", NULL, "pay_unknown", "未知的支付方式"},
	{"ref_form", "form of station", "ref_other_station",
	 "这是其他站点的单据：作废只能针对本站的单据"},
	{"ref_form", "no entry", "ref_missing", "本站没有这条单据"},
	{"ref_form", "voided already", "ref_voided", "这条单据已经作废"},
	{"ref_form", "itself a void", "ref_is_void", "作废记录不能再作废"},
	{"ref_form", "dispense refers", "ref_not_rx", "发药只能对应处方或请领单"},
	{"ref_form", "needs", "ref_missing", "请填写或扫描单据号（BL-…）"},
	{"ref_form", NULL, "ref_bad", "这条单据不能作废"},
	{"reason", NULL, "reason_missing", "请填写原因"},
	{"card_no", NULL, "card_missing", "请填写卡号"},
	{"fee", NULL, "fee_bad", "挂号费必须是不小于 0 的金额（元）"},
	{"episode", NULL, "no_episode", "当前没有开启停机事件：请信息科先开始停机（bulu outage start）"},
	{"occurred_at", NULL, "time_bad", "时间格式：YYYY-MM-DD HH:MM"},
	{"note", NULL, "text_bad", "内容太长或含有不允许的字符"},
	{NULL, NULL, "refused", "无法保存此单据"},
};

void screen_refusal(const char *field, const char *msg, const char **code, const char **zh)
{
	for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++) {
		if (refusals[i].field && (!field || strcmp(refusals[i].field, field) != 0))
			continue;
		if (refusals[i].needle && (!msg || !strstr(msg, refusals[i].needle)))
			continue;
		*code = refusals[i].code;
		*zh = refusals[i].zh;
		return;
	}
	*code = "refused";
	*zh = "无法保存此单据";
}

/* ---- the request -------------------------------------------------------- */

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItem(o, k);
	if (!cJSON_IsString(v) || !v->valuestring[0])
		return NULL;
	/* trim leading and trailing spaces a field picks up */
	char *s = v->valuestring;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	while (*s == ' ' || *s == '\t')
		s++;
	return *s ? s : NULL;
}

/* A typed number field: full-width digits accepted. */
static const char *num(cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItem(o, k);
	if (!cJSON_IsString(v))
		return NULL;
	text_halfwidth(v->valuestring);
	/* 。 typed for a decimal point in Chinese mode */
	char *p;
	while ((p = strstr(v->valuestring, "\xE3\x80\x82")))
		memmove(p + 1, p + 3, strlen(p + 3) + 1), *p = '.';
	return str(o, k);
}

struct refused {
	const char *field;
	size_t line;
	char msg[256];
	const char *code;
};

static int refuse(struct refused *r, const char *field, size_t line, const char *code,
		  const char *msg)
{
	r->field = field;
	r->line = line;
	r->code = code;
	snprintf(r->msg, sizeof r->msg, "%s", msg);
	return -1;
}

/* SEQ or BL-STATION-SEQ.  A reference of another station (a ward's
 * requisition scanned at the pharmacy) leaves that station's id in other
 * (64 bytes); capture_form_append() decides whether the kind may refer to
 * it, as it does for `bulu capture dispense --ref BL-WARD-SEQ`. */
static int parse_ref(const char *s, const char *station, int64_t *seq, char other[64],
		     struct refused *r)
{
	const char *n = s;
	other[0] = '\0';
	if (strncmp(s, "BL-", 3) == 0 || strncmp(s, "bl-", 3) == 0) {
		const char *dash = strrchr(s + 3, '-');
		if (!dash || dash == s + 3 || (size_t)(dash - s - 3) >= 64)
			return refuse(r, "ref_form", 0, "ref_bad", "write SEQ or BL-STATION-SEQ");
		snprintf(other, 64, "%.*s", (int)(dash - s - 3), s + 3);
		if (!journal_station_id_ok(other))
			return refuse(r, "ref_form", 0, "ref_bad", "not a station id: write BL-STATION-SEQ");
		if (strcmp(other, station) == 0)
			other[0] = '\0';
		n = dash + 1;
	}
	if (!*n || strspn(n, "0123456789") != strlen(n) || parse_int64(n, strlen(n), seq) != 0 ||
	    *seq <= 0)
		return refuse(r, "ref_form", 0, "ref_bad", "write SEQ or BL-STATION-SEQ");
	return 0;
}

/* A form and what its strings point into. */
struct wform {
	form f;
	char ref_station[64];
};

/* Fill w->f from the request; strings stay in in. */
static int fill(cJSON *in, const char *station, struct wform *w, struct refused *r)
{
	form *f = &w->f;
	f->patient_id = num(in, "patient_id");
	f->patient_name = str(in, "patient_name");
	f->sex = str(in, "sex");
	f->dept = str(in, "dept");
	f->doctor = str(in, "doctor");
	f->fee_type = str(in, "fee_type");
	f->pay_method = str(in, "pay");
	f->invoice_no = num(in, "invoice_no");
	f->occurred_at = num(in, "occurred_at");
	f->note = str(in, "note");
	f->reason = str(in, "reason");
	f->card_no = num(in, "card_no");
	f->request_no = num(in, "request_no");
	f->force_reason = str(in, "force_reason");
	f->tier_reason = str(in, "tier_reason");
	f->check_tier = 1; /* as the CLI: warn before the department's tier came */
	f->new_card = cJSON_IsTrue(cJSON_GetObjectItem(in, "new_card"));
	f->fee_fen = -1;
	const char *fee = num(in, "fee");
	if (fee && (money_parse_yuan(fee, strlen(fee), &f->fee_fen) != 0 || f->fee_fen < 0))
		return refuse(r, "fee", 0, "fee_bad", "the fee is yuan, e.g. 5 or 12.50");
	const char *ref = num(in, "ref");
	if (ref && parse_ref(ref, station, &f->ref_seq, w->ref_station, r) != 0)
		return -1;
	f->ref_station = w->ref_station[0] ? w->ref_station : NULL;
	const cJSON *lines = cJSON_GetObjectItem(in, "lines");
	if (lines && !cJSON_IsArray(lines))
		return refuse(r, "item_code", 0, "item_bad", "lines must be a list");
	size_t i = 0;
	cJSON *l;
	cJSON_ArrayForEach(l, lines)
	{
		if (i >= FORM_MAX_LINES)
			return refuse(r, "item_code", i, "item_bad", "too many lines on one form");
		form_line *fl = &f->lines[i];
		fl->code = num(l, "code");
		fl->price_fen = -1;
		const char *q = num(l, "qty"), *p = num(l, "price");
		if (!q || parse_int64(q, strlen(q), &fl->qty) != 0)
			return refuse(r, "qty", i, "qty_bad", "the quantity must be a whole number");
		if (p && (money_parse_yuan(p, strlen(p), &fl->price_fen) != 0 || fl->price_fen < 0))
			return refuse(r, "unit_price", i, "price_bad", "the price is yuan, e.g. 12.50");
		i++;
	}
	f->nlines = i;
	return 0;
}

static int key_ok(const char *k)
{
	size_t n = k ? strlen(k) : 0;
	if (n < 8 || n > 64)
		return 0;
	return strspn(k, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") == n;
}

/* The first save of key, if any: its seq. */
static int64_t saved_before(sqlite3 *db, const char *key)
{
	sqlite3_stmt *st = NULL;
	int64_t seq = 0;
	if (sqlite3_prepare_v2(db, "SELECT seq FROM screen_forms WHERE key = ?1", -1, &st, NULL) ==
	    SQLITE_OK) {
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			seq = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return seq;
}

/* What the page shows under 已保存: read back from the committed entry. */
static void describe(journal *j, int64_t seq, cJSON *o)
{
	sqlite3_stmt *st = NULL;
	char ref[96];
	entry_ref(ref, sizeof ref, journal_station(j), seq);
	cJSON_AddStringToObject(o, "ref", ref);
	cJSON_AddNumberToObject(o, "seq", (double)seq);
	if (sqlite3_prepare_v2(journal_db(j),
			       "SELECT kind, recorded_at, json_extract(body, '$.total'),"
			       " json_extract(body, '$.fee'), json_extract(body, '$.invoice_no'),"
			       " json_extract(body, '$.pay'), operator FROM entries WHERE seq = ?1",
			       -1, &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_int64(st, 1, seq);
	if (sqlite3_step(st) == SQLITE_ROW) {
		char yuan[32];
		cJSON_AddStringToObject(o, "kind", (const char *)sqlite3_column_text(st, 0));
		cJSON_AddStringToObject(o, "recorded_at", (const char *)sqlite3_column_text(st, 1));
		cJSON_AddStringToObject(o, "operator", (const char *)sqlite3_column_text(st, 6));
		int col = sqlite3_column_type(st, 2) != SQLITE_NULL ? 2 : 3;
		if (sqlite3_column_type(st, col) != SQLITE_NULL) {
			money_format_yuan(sqlite3_column_int64(st, col), yuan);
			cJSON_AddStringToObject(o, "total", yuan);
		}
		if (sqlite3_column_type(st, 4) != SQLITE_NULL)
			cJSON_AddStringToObject(o, "invoice_no", (const char *)sqlite3_column_text(st, 4));
		if (sqlite3_column_type(st, 5) != SQLITE_NULL)
			cJSON_AddStringToObject(o, "pay", (const char *)sqlite3_column_text(st, 5));
	}
	sqlite3_finalize(st);
}

static void reply(http_resp *rs, int status, cJSON *o)
{
	char *t = cJSON_PrintUnformatted(o);
	rs->status = status;
	rs->type = "application/json; charset=utf-8";
	if (t)
		buf_puts(&rs->body, t);
	else
		http_resp_error(rs, 500, "system");
	cJSON_free(t);
	cJSON_Delete(o);
}

static void refusal_reply(http_resp *rs, const struct refused *r)
{
	const char *code = r->code, *zh = NULL;
	if (code) {
		for (size_t i = 0; i < sizeof refusals / sizeof refusals[0] && !zh; i++)
			if (strcmp(refusals[i].code, code) == 0)
				zh = refusals[i].zh;
	} else
		screen_refusal(r->field, r->msg, &code, &zh);
	if (!zh)
		zh = "无法保存此单据";
	cJSON *o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "ok", 0);
	cJSON_AddStringToObject(o, "error", "refused");
	cJSON_AddStringToObject(o, "code", code);
	cJSON_AddStringToObject(o, "field", r->field ? r->field : "");
	cJSON_AddNumberToObject(o, "line", (double)r->line);
	cJSON_AddStringToObject(o, "zh", zh);
	cJSON_AddStringToObject(o, "en", r->msg);
	reply(rs, 422, o);
}

void screen_save(void *ud, const http_req *rq, http_resp *rs)
{
	struct screen *s = ud;
	cJSON *in = cJSON_Parse(http_req_body(rq, NULL));
	const char *kind = str(in, "kind"), *key = str(in, "key");
	struct wform *wf = calloc(1, sizeof *wf);
	form *f = wf ? &wf->f : NULL;
	if (!wf) {
		cJSON_Delete(in);
		http_resp_error(rs, 500, "system");
		return;
	}
	pthread_mutex_lock(&s->mu);
	struct session *ss = screen_session(s, rq, 1);
	struct refused r = {0};
	bulu_err e = {0};
	int64_t seq = 0;
	if (!ss) {
		http_resp_error(rs, 401, "signed_out");
		goto done;
	}
	if (!screen_csrf_ok(ss, rq)) {
		http_resp_error(rs, 403, "csrf");
		goto done;
	}
	if (!cJSON_IsObject(in) || !kind || !key_ok(key)) {
		http_resp_error(rs, 400, "bad_request");
		goto done;
	}
	if (!s->j) {
		http_resp_error(rs, 503, "stopping");
		goto done;
	}
	if (!screen_role_may(ss->role, kind)) {
		refuse(&r, "kind", 0, "role", "this role does not save this kind of form");
		cJSON *o = cJSON_CreateObject();
		cJSON_AddBoolToObject(o, "ok", 0);
		cJSON_AddStringToObject(o, "error", "role");
		cJSON_AddStringToObject(o, "zh", "您的角色不能保存这种单据");
		cJSON_AddStringToObject(o, "en", r.msg);
		reply(rs, 403, o);
		goto done;
	}
	journal *j = s->j;
	sqlite3 *db = journal_db(j);
	if ((seq = saved_before(db, key)) > 0) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddBoolToObject(o, "ok", 1);
		cJSON_AddBoolToObject(o, "again", 1);
		describe(j, seq, o);
		reply(rs, 200, o);
		goto done;
	}
	f->kind = kind;
	f->operator_ = ss->name;
	if (fill(in, journal_station(j), wf, &r) != 0) {
		refusal_reply(rs, &r);
		goto done;
	}
	capture_ctx *c = NULL;
	const char *field = NULL;
	size_t line = 0;
	int rc = journal_begin(j, &e);
	if (rc == BULU_OK)
		rc = capture_ctx_open(j, &c, &e);
	if (rc == BULU_OK)
		rc = capture_form_append(c, f, &seq, &field, &line, &e);
	if (rc == BULU_OK) {
		sqlite3_stmt *st = NULL;
		if (sqlite3_prepare_v2(db, "INSERT INTO screen_forms (key, seq, kind) VALUES (?1, ?2, ?3)",
				       -1, &st, NULL) != SQLITE_OK)
			rc = bulu_errf(&e, BULU_SYSTEM, "journal.db: %s", sqlite3_errmsg(db));
		else {
			sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 2, seq);
			sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
			if (sqlite3_step(st) != SQLITE_DONE)
				rc = bulu_errf(&e, BULU_SYSTEM, "journal.db: %s", sqlite3_errmsg(db));
		}
		sqlite3_finalize(st);
	}
	if (rc == BULU_OK)
		rc = journal_commit(j, &e);
	else
		journal_rollback(j);
	char warning[512] = "";
	if (rc == BULU_OK && c && *capture_ctx_warning(c))
		snprintf(warning, sizeof warning, "%s", capture_ctx_warning(c));
	capture_ctx_close(c);
	if (rc == BULU_BADINPUT) {
		refuse(&r, field ? field : "", line, NULL, e.msg);
		r.field = field;
		refusal_reply(rs, &r);
		goto done;
	}
	if (rc != BULU_OK) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddBoolToObject(o, "ok", 0);
		cJSON_AddStringToObject(o, "error", rc == BULU_INTEGRITY ? "integrity" : "system");
		cJSON_AddStringToObject(o, "zh", rc == BULU_INTEGRITY
							 ? "日志完整性检查失败，未保存：请联系信息科"
							 : "系统错误（磁盘已满或无法写入），未保存：请联系信息科");
		cJSON_AddStringToObject(o, "en", e.msg);
		reply(rs, 500, o);
		goto done;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "ok", 1);
	cJSON_AddBoolToObject(o, "again", 0);
	if (*warning) {
		cJSON *w = cJSON_AddObjectToObject(o, "warning");
		cJSON_AddStringToObject(w, "zh", "本科室尚未到转入手工的时间（分级转入），已按所填原因记录");
		cJSON_AddStringToObject(w, "en", warning);
	}
	describe(j, seq, o);
	reply(rs, 200, o);
done:
	pthread_mutex_unlock(&s->mu);
	free(wf);
	cJSON_Delete(in);
}

/* GET /api/entry?ref=BL-...: a form of this station, for a dispense or a
 * void: its kind and lines (the patient id only to a signed-in person). */
void screen_entry(void *ud, const http_req *rq, http_resp *rs)
{
	struct screen *s = ud;
	const char *q = http_req_query(rq, "ref");
	char ref[128];
	snprintf(ref, sizeof ref, "%s", q ? q : "");
	text_halfwidth(ref);
	pthread_mutex_lock(&s->mu);
	struct refused r = {0};
	int64_t seq = 0;
	sqlite3_stmt *st = NULL;
	if (!screen_session(s, rq, 1)) {
		http_resp_error(rs, 401, "signed_out");
		goto done;
	}
	char other[64];
	if (parse_ref(ref, journal_station(s->j), &seq, other, &r) != 0) {
		refusal_reply(rs, &r);
		goto done;
	}
	if (other[0]) { /* its form is at its own station: the paper says what it holds */
		cJSON *o = cJSON_CreateObject();
		char full[96];
		entry_ref(full, sizeof full, other, seq);
		cJSON_AddBoolToObject(o, "ok", 1);
		cJSON_AddStringToObject(o, "ref", full);
		cJSON_AddStringToObject(o, "other_station", other);
		reply(rs, 200, o);
		goto done;
	}
	if (sqlite3_prepare_v2(journal_db(s->j),
			       "SELECT kind, body, recorded_at, EXISTS (SELECT 1 FROM entries v WHERE"
			       " v.kind = 'void' AND json_extract(v.body, '$.entry') = ?1)"
			       " FROM entries WHERE seq = ?1",
			       -1, &st, NULL) != SQLITE_OK) {
		http_resp_error(rs, 500, "system");
		goto done;
	}
	sqlite3_bind_int64(st, 1, seq);
	if (sqlite3_step(st) != SQLITE_ROW) {
		refuse(&r, "ref_form", 0, "ref_missing", "there is no such entry in this journal");
		refusal_reply(rs, &r);
		goto done;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "ok", 1);
	char full[96];
	entry_ref(full, sizeof full, journal_station(s->j), seq);
	cJSON_AddStringToObject(o, "ref", full);
	cJSON_AddStringToObject(o, "kind", (const char *)sqlite3_column_text(st, 0));
	cJSON_AddStringToObject(o, "recorded_at", (const char *)sqlite3_column_text(st, 2));
	cJSON_AddBoolToObject(o, "voided", sqlite3_column_int(st, 3));
	cJSON *body = cJSON_Parse((const char *)sqlite3_column_text(st, 1));
	if (body) {
		static const char *const keep[] = {"lines", "patient_id", "total", "invoice_no", "pay",
						   "request_no", "dept"};
		for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
			cJSON *v = cJSON_DetachItemFromObject(body, keep[i]);
			if (v)
				cJSON_AddItemToObject(o, keep[i], v);
		}
		cJSON_Delete(body);
	}
	reply(rs, 200, o);
done:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->mu);
}
