/*
 * screen.c - `bulu station serve`: the station screen, a local web page the
 * cashier, nurse, pharmacist and lab windows work from (docs/screen.md).
 *
 * This file holds the command, sign-in and sessions, and the read-only API
 * (status, item suggestions, cash-up, recent entries); saving a form is in
 * screen_forms.c.  The page itself is web/assets/, compiled in.
 *
 * Invariants: every /api/ route but status and sign-in needs a signed-in
 * session; every POST but sign-in needs the session's CSRF token in the
 * X-CSRF-Token header; a session idle longer than --idle-lock is gone;
 * session cookies are HttpOnly and SameSite=Strict (and Secure over TLS);
 * nothing here prints a request, a patient or a PIN.
 */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulu/catalog.h"
#include "bulu/cli.h"
#include "bulu/clock.h"
#include "bulu/invoice.h"
#include "bulu/money.h"
#include "bulu/operator.h"
#include "bulu/paymethod.h"
#include "bulu/summary.h"
#include "bulu/text.h"
#include "screen.h"
#include "suggest.h"

extern const http_asset web_assets[];
extern const size_t web_nassets;


#define MAX_FAILS 5
#define FAIL_LOCK_SECONDS 60

static void random_hex(char out[SCREEN_TOKEN + 1])
{
	unsigned char b[SCREEN_TOKEN / 2];
	randombytes_buf(b, sizeof b);
	sodium_bin2hex(out, SCREEN_TOKEN + 1, b, sizeof b);
}

static void send_json(http_resp *rs, int status, cJSON *o)
{
	char *txt = cJSON_PrintUnformatted(o);
	rs->status = status;
	rs->type = "application/json; charset=utf-8";
	buf_reset(&rs->body);
	if (txt)
		buf_puts(&rs->body, txt);
	else
		http_resp_error(rs, 500, "system");
	cJSON_free(txt);
	cJSON_Delete(o);
}

/* A POST from a page of another origin is refused whatever it carries. */
static int same_origin(const http_req *rq)
{
	const char *origin = http_req_header(rq, "Origin"), *host = http_req_header(rq, "Host");
	if (!origin || strcmp(origin, "null") == 0)
		return origin == NULL;
	if (!host)
		return 0;
	const char *p = strstr(origin, "://");
	return p && strcmp(p + 3, host) == 0;
}

/* ---- status --------------------------------------------------------------- */

static long long age_seconds(const char *iso, long long now)
{
	long long t = iso ? clock_epoch(iso) : -1;
	return t < 0 ? -1 : now - t;
}

static void status_journal(struct screen *s, cJSON *o, long long now)
{
	journal *j = s->j;
	sqlite3 *db = journal_db(j);
	char ep[64] = "";
	int drill = 0;
	bulu_err e = {0};
	/* Another process may have started or ended an episode: read afresh. */
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db,
			       "SELECT kind, body, recorded_at, episode FROM entries WHERE kind IN"
			       " ('outage_start', 'outage_end') ORDER BY seq DESC LIMIT 1",
			       -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW &&
	    strcmp((const char *)sqlite3_column_text(st, 0), "outage_start") == 0) {
		cJSON *b = cJSON_Parse((const char *)sqlite3_column_text(st, 1));
		snprintf(ep, sizeof ep, "%s", (const char *)sqlite3_column_text(st, 3));
		cJSON *d = cJSON_GetObjectItem(b, "drill");
		drill = cJSON_IsTrue(d);
		cJSON *at = cJSON_GetObjectItem(b, "at");
		cJSON_AddStringToObject(o, "episode_since",
					cJSON_IsString(at) ? at->valuestring
							   : (const char *)sqlite3_column_text(st, 2));
		cJSON_Delete(b);
	}
	sqlite3_finalize(st);
	cJSON_AddStringToObject(o, "episode", ep);
	cJSON_AddBoolToObject(o, "drill", drill);
	catalog *cat = NULL;
	if (catalog_open(j, &cat, &e) == BULU_OK) {
		cJSON *c = cJSON_AddObjectToObject(o, "catalog");
		cJSON_AddStringToObject(c, "version", catalog_version(cat));
		st = NULL;
		if (sqlite3_prepare_v2(db, "SELECT recorded_at FROM entries WHERE seq = ?1", -1, &st,
				       NULL) == SQLITE_OK) {
			sqlite3_bind_int64(st, 1, catalog_load_seq(cat));
			if (sqlite3_step(st) == SQLITE_ROW) {
				const char *at = (const char *)sqlite3_column_text(st, 0);
				long long age = age_seconds(at, now);
				cJSON_AddStringToObject(c, "loaded_at", at);
				cJSON_AddNumberToObject(c, "age_days", age < 0 ? -1 : (double)(age / 86400));
				cJSON_AddBoolToObject(c, "old", age / 86400 >= s->catalog_max_days);
			}
		}
		sqlite3_finalize(st);
		cJSON_AddNumberToObject(c, "max_age_days", s->catalog_max_days);
		catalog_close(cat);
	}
	/* What no bundle holds yet. */
	int64_t last = 0, exported = 0;
	st = NULL;
	if (sqlite3_prepare_v2(db, "SELECT coalesce(max(seq), 0) FROM entries", -1, &st, NULL) ==
		    SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		last = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(db, "SELECT coalesce(max(last_seq), 0) FROM exports", -1, &st, NULL) ==
		    SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		exported = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	cJSON *u = cJSON_AddObjectToObject(o, "unexported");
	cJSON_AddNumberToObject(u, "count", (double)(last - exported));
	st = NULL;
	if (last > exported &&
	    sqlite3_prepare_v2(db, "SELECT recorded_at FROM entries WHERE seq = ?1", -1, &st, NULL) ==
		    SQLITE_OK) {
		sqlite3_bind_int64(st, 1, exported + 1);
		if (sqlite3_step(st) == SQLITE_ROW) {
			const char *at = (const char *)sqlite3_column_text(st, 0);
			cJSON_AddStringToObject(u, "oldest_at", at);
			cJSON_AddNumberToObject(u, "oldest_age_seconds", (double)age_seconds(at, now));
		}
	}
	sqlite3_finalize(st);
}

static void h_status(void *ud, const http_req *rq, http_resp *rs)
{
	struct screen *s = ud;
	cJSON *o = cJSON_CreateObject();
	char now_iso[CLOCK_ISO_MAX];
	clock_now_iso(now_iso);
	long long now = clock_epoch(now_iso);
	pthread_mutex_lock(&s->mu);
	journal *j = s->j;
	cJSON_AddBoolToObject(o, "ok", 1);
	cJSON_AddStringToObject(o, "now", now_iso);
	cJSON_AddStringToObject(o, "station", journal_station(j));
	cJSON_AddStringToObject(o, "dept", journal_dept(j));
	cJSON_AddStringToObject(o, "station_role", journal_role(j));
	cJSON_AddNumberToObject(o, "idle_lock_seconds", s->idle_seconds);
	status_journal(s, o, now);
	struct session *ss = screen_session(s, rq, 0);
	cJSON_AddBoolToObject(o, "signed_in", ss != NULL);
	bulu_err e = {0};
	if (ss) {
		cJSON_AddStringToObject(o, "operator", ss->name);
		cJSON_AddStringToObject(o, "role", ss->role);
		cJSON_AddStringToObject(o, "csrf", ss->csrf);
		cJSON_AddNumberToObject(o, "idle_left_seconds",
					(double)(s->idle_seconds - (time(NULL) - ss->last)));
		invoice_alloc *ia = NULL;
		char next[INVOICE_NO_MAX];
		if (invoice_alloc_open(j, &ia, &e) == BULU_OK && invoice_take(ia, NULL, next, &e) == BULU_OK)
			cJSON_AddStringToObject(o, "next_invoice", next);
		invoice_alloc_free(ia);
		pay_methods pm;
		if (pay_methods_load(journal_dir(j), &pm, &e) == BULU_OK) {
			cJSON *a = cJSON_AddArrayToObject(o, "pay_methods");
			for (size_t i = 0; i < pm.n; i++) {
				cJSON *m = cJSON_CreateObject();
				cJSON_AddStringToObject(m, "code", pm.m[i].code);
				cJSON_AddStringToObject(m, "label", pm.m[i].label);
				cJSON_AddItemToArray(a, m);
			}
		}
	} else {
		operator_list l;
		if (operator_list_load(j, &l, &e) == BULU_OK) {
			cJSON *a = cJSON_AddArrayToObject(o, "operators");
			for (size_t i = 0; i < l.n; i++)
				if (l.op[i].active)
					cJSON_AddItemToArray(a, cJSON_CreateString(l.op[i].name));
			operator_list_free(&l);
		}
	}
	pthread_mutex_unlock(&s->mu);
	send_json(rs, 200, o);
}

/* ---- sign-in ------------------------------------------------------------ */

static struct attempt *attempt_of(struct screen *s, const char *name)
{
	struct attempt *oldest = &s->att[0];
	for (size_t i = 0; i < sizeof s->att / sizeof s->att[0]; i++) {
		if (strcmp(s->att[i].name, name) == 0)
			return &s->att[i];
		if (s->att[i].until < oldest->until)
			oldest = &s->att[i];
	}
	memset(oldest, 0, sizeof *oldest);
	snprintf(oldest->name, sizeof oldest->name, "%s", name);
	return oldest;
}

static void set_cookie(struct screen *s, http_resp *rs, const char *value, int max_age)
{
	char c[256];
	snprintf(c, sizeof c, SCREEN_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict%s%s", value,
		 s->tls ? "; Secure" : "", max_age == 0 ? "; Max-Age=0" : "");
	http_resp_header(rs, "Set-Cookie", c);
}

static void h_signin(void *ud, const http_req *rq, http_resp *rs)
{
	struct screen *s = ud;
	const char *type = http_req_header(rq, "Content-Type");
	if (!same_origin(rq) || !type || strncmp(type, "application/json", 16) != 0) {
		http_resp_error(rs, 403, "forbidden");
		return;
	}
	cJSON *in = cJSON_Parse(http_req_body(rq, NULL));
	const cJSON *name = cJSON_GetObjectItem(in, "name"), *pin = cJSON_GetObjectItem(in, "pin");
	if (!cJSON_IsString(name) || !cJSON_IsString(pin) || strlen(name->valuestring) >= 128) {
		cJSON_Delete(in);
		http_resp_error(rs, 400, "bad_request");
		return;
	}
	char nm[128];
	snprintf(nm, sizeof nm, "%s", name->valuestring);
	/* trim what a keyboard adds around a name */
	char *p = nm;
	while (*p == ' ')
		p++;
	memmove(nm, p, strlen(p) + 1);
	for (size_t n = strlen(nm); n && nm[n - 1] == ' ';)
		nm[--n] = '\0';
	pthread_mutex_lock(&s->mu);
	time_t now = time(NULL);
	struct attempt *at = attempt_of(s, nm);
	cJSON *o = cJSON_CreateObject();
	int status = 200;
	bulu_err e = {0};
	char role[32];
	if (at->until > now) {
		status = 429;
		cJSON_AddBoolToObject(o, "ok", 0);
		cJSON_AddStringToObject(o, "error", "too_many_attempts");
	} else if (operator_sign_in(s->j, nm, pin->valuestring, role, &e) != BULU_OK) {
		if (++at->fails >= MAX_FAILS) {
			at->until = now + FAIL_LOCK_SECONDS;
			at->fails = 0;
		}
		status = 401;
		cJSON_AddBoolToObject(o, "ok", 0);
		cJSON_AddStringToObject(o, "error", "wrong_pin");
	} else {
		at->fails = 0;
		struct session *ss = NULL;
		for (int i = 0; i < SCREEN_SESSIONS && !ss; i++)
			if (!s->sess[i].used || now - s->sess[i].last > s->idle_seconds)
				ss = &s->sess[i];
		if (!ss) { /* all taken: the longest idle goes */
			ss = &s->sess[0];
			for (int i = 1; i < SCREEN_SESSIONS; i++)
				if (s->sess[i].last < ss->last)
					ss = &s->sess[i];
		}
		memset(ss, 0, sizeof *ss);
		ss->used = 1;
		ss->last = now;
		random_hex(ss->id);
		random_hex(ss->csrf);
		snprintf(ss->name, sizeof ss->name, "%s", nm);
		snprintf(ss->role, sizeof ss->role, "%s", role);
		set_cookie(s, rs, ss->id, -1);
		cJSON_AddBoolToObject(o, "ok", 1);
		cJSON_AddStringToObject(o, "operator", ss->name);
		cJSON_AddStringToObject(o, "role", ss->role);
		cJSON_AddStringToObject(o, "csrf", ss->csrf);
	}
	pthread_mutex_unlock(&s->mu);
	sodium_memzero(pin->valuestring, strlen(pin->valuestring));
	cJSON_Delete(in);
	send_json(rs, status, o);
}

static void h_signout(void *ud, const http_req *rq, http_resp *rs)
{
	struct screen *s = ud;
	pthread_mutex_lock(&s->mu);
	struct session *ss = screen_session(s, rq, 0);
	int ok = ss && screen_csrf_ok(ss, rq) && same_origin(rq);
	if (ok)
		sodium_memzero(ss, sizeof *ss);
	pthread_mutex_unlock(&s->mu);
	if (!ok) {
		http_resp_error(rs, 403, "forbidden");
		return;
	}
	set_cookie(s, rs, "", 0);
	buf_puts(&rs->body, "{\"ok\":true}");
}

/* ---- item suggestions --------------------------------------------------- */

static void h_items(void *ud, const http_req *rq, http_resp *rs)
{
	struct screen *s = ud;
	const char *q0 = http_req_query(rq, "q");
	char q[128];
	snprintf(q, sizeof q, "%s", q0 ? q0 : "");
	text_halfwidth(q);
	if (!text_is_utf8(q, strlen(q))) {
		http_resp_error(rs, 400, "bad_request");
		return;
	}
	cJSON *o = cJSON_CreateObject();
	int status = 200;
	pthread_mutex_lock(&s->mu);
	if (!screen_session(s, rq, 1)) {
		status = 401;
		cJSON_AddBoolToObject(o, "ok", 0);
		cJSON_AddStringToObject(o, "error", "signed_out");
		goto done;
	}
	bulu_err e = {0};
	catalog *cat = NULL;
	if (catalog_open(s->j, &cat, &e) != BULU_OK) {
		cJSON_AddBoolToObject(o, "ok", 0);
		cJSON_AddStringToObject(o, "error", "no_catalog");
		status = 409;
		goto done;
	}
	if (suggest_load(&s->sg, s->j, catalog_load_seq(cat), &e) != BULU_OK) {
		catalog_close(cat);
		cJSON_AddBoolToObject(o, "ok", 0);
		cJSON_AddStringToObject(o, "error", "system");
		status = 500;
		goto done;
	}
	cJSON_AddBoolToObject(o, "ok", 1);
	cJSON *a = cJSON_AddArrayToObject(o, "items");
	const struct sitem *found[20];
	size_t nf = suggest_find(s->sg, q, found, 20);
	for (size_t i = 0; i < nf; i++) {
		cJSON *it = cJSON_CreateObject();
		char yuan[32];
		money_format_yuan(found[i]->price_fen, yuan);
		cJSON_AddStringToObject(it, "code", found[i]->code);
		cJSON_AddStringToObject(it, "name", found[i]->name);
		cJSON_AddStringToObject(it, "unit", found[i]->unit);
		cJSON_AddNumberToObject(it, "price_fen", (double)found[i]->price_fen);
		cJSON_AddStringToObject(it, "price", yuan);
		cJSON_AddStringToObject(it, "category", found[i]->category);
		cJSON_AddStringToObject(it, "pinyin", found[i]->pinyin);
		cJSON_AddItemToArray(a, it);
	}
	cJSON_AddStringToObject(o, "catalog_version", catalog_version(cat));
	catalog_close(cat);
done:
	pthread_mutex_unlock(&s->mu);
	send_json(rs, status, o);
}

/* ---- cash-up and recent entries ------------------------------------------ */

static void h_summary(void *ud, const http_req *rq, http_resp *rs)
{
	struct screen *s = ud;
	pthread_mutex_lock(&s->mu);
	struct session *ss = screen_session(s, rq, 1);
	if (!ss) {
		pthread_mutex_unlock(&s->mu);
		http_resp_error(rs, 401, "signed_out");
		return;
	}
	char ep[64];
	int drill;
	bulu_err e = {0};
	journal_episode(s->j, ep, &drill, &e);
	const char *want = http_req_query(rq, "all") ? NULL : ep;
	buf b = BUF_INIT;
	int rc = capture_summary_json(s->j, ss->name, want, &b, &e);
	pthread_mutex_unlock(&s->mu);
	if (rc != BULU_OK) {
		buf_free(&b);
		http_resp_error(rs, 500, "system");
		return;
	}
	rs->type = "application/json; charset=utf-8";
	buf_printf(&rs->body, "{\"ok\":true,\"summary\":%s}", b.p ? b.p : "null");
	buf_free(&b);
}

static void h_recent(void *ud, const http_req *rq, http_resp *rs)
{
	struct screen *s = ud;
	pthread_mutex_lock(&s->mu);
	struct session *ss = screen_session(s, rq, 1);
	if (!ss) {
		pthread_mutex_unlock(&s->mu);
		http_resp_error(rs, 401, "signed_out");
		return;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "ok", 1);
	cJSON *a = cJSON_AddArrayToObject(o, "entries");
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(journal_db(s->j),
			       "SELECT e.seq, e.kind, e.recorded_at, json_extract(e.body, '$.total'),"
			       " json_extract(e.body, '$.invoice_no'), json_extract(e.body, '$.pay'),"
			       " EXISTS (SELECT 1 FROM entries v WHERE v.kind = 'void' AND"
			       "  json_extract(v.body, '$.entry') = e.seq), json_extract(e.body, '$.fee')"
			       " FROM entries e WHERE e.operator = ?1 AND e.kind NOT IN ('print', 'operator')"
			       " ORDER BY e.seq DESC LIMIT 12",
			       -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, ss->name, -1, SQLITE_STATIC);
		while (sqlite3_step(st) == SQLITE_ROW) {
			cJSON *it = cJSON_CreateObject();
			char ref[96], yuan[32];
			entry_ref(ref, sizeof ref, journal_station(s->j), sqlite3_column_int64(st, 0));
			cJSON_AddStringToObject(it, "ref", ref);
			cJSON_AddStringToObject(it, "kind", (const char *)sqlite3_column_text(st, 1));
			cJSON_AddStringToObject(it, "recorded_at", (const char *)sqlite3_column_text(st, 2));
			int col = sqlite3_column_type(st, 3) != SQLITE_NULL ? 3 : 7;
			if (sqlite3_column_type(st, col) != SQLITE_NULL) {
				money_format_yuan(sqlite3_column_int64(st, col), yuan);
				cJSON_AddStringToObject(it, "total", yuan);
			}
			if (sqlite3_column_type(st, 4) != SQLITE_NULL)
				cJSON_AddStringToObject(it, "invoice_no", (const char *)sqlite3_column_text(st, 4));
			if (sqlite3_column_type(st, 5) != SQLITE_NULL)
				cJSON_AddStringToObject(it, "pay", (const char *)sqlite3_column_text(st, 5));
			cJSON_AddBoolToObject(it, "voided", sqlite3_column_int(st, 6));
			cJSON_AddItemToArray(a, it);
		}
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->mu);
	send_json(rs, 200, o);
}

/* ---- the command ------------------------------------------------------------ */

static const http_route routes[] = {
	{"GET", "/api/status", 0, h_status},
	{"POST", "/api/signin", 0, h_signin},
	{"POST", "/api/signout", 0, h_signout},
	{"GET", "/api/items", 0, h_items},
	{"GET", "/api/summary", 0, h_summary},
	{"GET", "/api/recent", 0, h_recent},
	{"GET", "/api/entry", 0, screen_entry},
	{"POST", "/api/save", 0, screen_save},
	{"POST", "/api/print", 0, screen_print_record},
	{"GET", "/print", 0, screen_print_page},
};

static const char serve_usage[] =
	"usage: bulu station serve [--listen ADDR:PORT] [--cert FILE --key FILE]\n"
	"                          [--idle-lock MINUTES] [--catalog-max-age DAYS] [--dir DIR]\n"
	"\n"
	"Serve the station screen (站点录入界面) for the windows: open the printed URL\n"
	"in a browser on this machine.  Runs in the foreground until Ctrl-C or\n"
	"SIGTERM; a save in flight finishes first.  Default --listen 127.0.0.1:8787\n"
	"(port 0: any free port).  Any address other than loopback needs HTTPS: give\n"
	"IT's certificate and key (PEM) with --cert and --key.  People sign in with\n"
	"the name and PIN of `bulu operator add` (a station needs one first); the\n"
	"screen locks after MINUTES without use (default 5; \"30s\" means seconds).\n"
	"The catalog is shown as old past DAYS (default 30).  Everything the page\n"
	"needs is inside bulu: it makes no request outside this station.\n"
	"docs/screen.md.\n";

#define MAX_BODY (256 * 1024)

int cmd_station_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{"listen", required_argument, 0, 'l'},    {"cert", required_argument, 0, 'c'},
		{"key", required_argument, 0, 'k'},       {"idle-lock", required_argument, 0, 'i'},
		{"catalog-max-age", required_argument, 0, 'a'}, {"dir", required_argument, 0, 'D'},
		{"help", no_argument, 0, 'h'},            {0, 0, 0, 0}};
	const char *listen = "127.0.0.1:8787", *cert = NULL, *key = NULL, *dir = NULL;
	int64_t idle = 5, maxage = 30, idle_secs = 300;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'l': listen = optarg; break;
		case 'c': cert = optarg; break;
		case 'k': key = optarg; break;
		case 'D': dir = optarg; break;
		case 'i': {
			/* minutes; "Ns" for seconds (drills and tests) */
			size_t n = strlen(optarg);
			int secs = n > 1 && optarg[n - 1] == 's';
			if (parse_int64(optarg, n - (size_t)secs, &idle) != 0 || idle < 1 ||
			    idle > (secs ? 86400 : 1440))
				return cli_usage(argv[0], "--idle-lock: minutes (1 to 1440), or seconds as Ns");
			idle_secs = secs ? idle : idle * 60;
			break;
		}
		case 'a':
			if (parse_int64(optarg, strlen(optarg), &maxage) != 0 || maxage < 1 || maxage > 3650)
				return cli_usage(argv[0], "--catalog-max-age: days, 1 to 3650");
			break;
		case 'h': return cli_help(serve_usage);
		default: return cli_usage(argv[0], "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage(argv[0], "unexpected argument '%s'", argv[optind]);
	char addr[64];
	int port;
	if (http_parse_listen(listen, addr, &port) != 0)
		return cli_usage(argv[0], "--listen: write ADDR:PORT, e.g. 127.0.0.1:8787");
	if (!cert != !key)
		return cli_usage(argv[0], "--cert and --key go together");
	if (!http_addr_is_loopback(addr) && !cert)
		return cli_usage(argv[0], "--listen %s is reachable from other machines: give --cert "
					  "and --key to serve it over HTTPS (or listen on 127.0.0.1)",
				 addr);
	if (sodium_init() < 0)
		return BULU_SYSTEM;
	static struct screen s; /* the server's threads see it until they stop */
	memset(&s, 0, sizeof s);
	pthread_mutex_init(&s.mu, NULL);
	s.idle_seconds = (int)idle_secs;
	s.catalog_max_days = (int)maxage;
	s.tls = cert != NULL;
	bulu_err e = {0};
	int rc = journal_open(dir, JOURNAL_WRITE, &s.j, &e);
	operator_list ops = {0};
	if (rc == BULU_OK)
		rc = operator_list_load(s.j, &ops, &e);
	if (rc == BULU_OK && operator_active_count(&ops) == 0)
		rc = bulu_errf(&e, BULU_BADINPUT,
			       "this station has no operators to sign in: add one first with "
			       "`bulu operator add --name NAME --role ROLE`");
	operator_list_free(&ops);
	char *err = NULL;
	if (rc == BULU_OK &&
	    sqlite3_exec(journal_db(s.j),
			 "CREATE TABLE IF NOT EXISTS screen_forms (key TEXT PRIMARY KEY,"
			 " seq INTEGER NOT NULL, kind TEXT NOT NULL)",
			 NULL, NULL, &err) != SQLITE_OK) {
		rc = bulu_errf(&e, BULU_SYSTEM, "journal.db: %s", err ? err : "?");
		sqlite3_free(err);
	}
	http_server *srv = NULL;
	if (rc == BULU_OK) {
		http_config cfg = {
			.addr = addr, .port = port, .cert_file = cert, .key_file = key,
			.max_body = MAX_BODY, .threads = 4,
			.routes = routes, .nroutes = sizeof routes / sizeof routes[0],
			.assets = web_assets, .nassets = web_nassets, .ud = &s,
		};
		rc = http_start(&cfg, &srv, &e);
	}
	if (rc != BULU_OK) {
		journal_close(s.j);
		return cli_fail(&e);
	}
	printf("%s://%s:%d/\n", cert ? "https" : "http", addr, http_port(srv));
	fflush(stdout);
	fprintf(stderr, "bulu: station %s screen at %s://%s:%d/ (Ctrl-C stops it)\n",
		journal_station(s.j), cert ? "https" : "http", addr, http_port(srv));
	http_wait_signal();
	http_stop(srv); /* requests in flight finish first */
	pthread_mutex_lock(&s.mu);
	journal_close(s.j);
	s.j = NULL;
	suggest_free(s.sg);
	s.sg = NULL;
	pthread_mutex_unlock(&s.mu);
	fprintf(stderr, "bulu: station screen stopped; every saved form is durable\n");
	return BULU_OK;
}
