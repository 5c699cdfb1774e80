/*
 * http.c - the HTTP(S) layer of include/bulu/http.h over libmicrohttpd.
 *
 * Invariants: a handler runs only with the whole body in hand and within
 * max_body (a declared Content-Length over the limit is answered 413 before
 * any of the body is read; a body that grows past it is dropped and answered
 * 413); assets are looked up by exact path in the embedded table, so no
 * request can name a file on disk; nothing about a request is logged.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bulu/http.h"
#include "bulu/text.h"

struct http_server {
	struct MHD_Daemon *d;
	http_config cfg;
	char *cert, *key; /* PEM text, kept while the daemon runs */
	int port;
};

struct http_req {
	struct MHD_Connection *conn;
	const char *method, *path;
	buf body;
	int too_large;
	int tls;
};

static const char SECURITY_HEADERS[][2][64] = {
	{"X-Content-Type-Options", "nosniff"},
	{"Referrer-Policy", "no-referrer"},
	{"Cross-Origin-Opener-Policy", "same-origin"},
	{"Cross-Origin-Resource-Policy", "same-origin"},
};
/* Same origin only: no CDN, no font service, no inline script. */
static const char CSP[] = "default-src 'self'; img-src 'self' data:; style-src 'self'; "
			  "script-src 'self'; connect-src 'self'; font-src 'self'; "
			  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const char *http_req_method(const http_req *rq) { return rq->method; }
const char *http_req_path(const http_req *rq) { return rq->path; }
int http_req_is_tls(const http_req *rq) { return rq->tls; }

const char *http_req_header(const http_req *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

const char *http_req_cookie(const http_req *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_COOKIE_KIND, name);
}

const char *http_req_query(const http_req *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_req_body(const http_req *rq, size_t *len)
{
	if (len)
		*len = rq->body.len;
	return rq->body.p ? rq->body.p : "";
}

void http_resp_header(http_resp *rs, const char *name, const char *value)
{
	if (strpbrk(value, "\r\n") || strpbrk(name, "\r\n:"))
		return;
	size_t n = strlen(rs->headers);
	snprintf(rs->headers + n, sizeof rs->headers - n, "%s: %s\n", name, value);
}

void http_resp_error(http_resp *rs, int status, const char *code)
{
	rs->status = status;
	rs->type = "application/json";
	buf_reset(&rs->body);
	buf_printf(&rs->body, "{\"ok\":false,\"error\":\"%s\"}", code);
}

int http_addr_is_loopback(const char *addr)
{
	if (strcmp(addr, "localhost") == 0 || strcmp(addr, "::1") == 0)
		return 1;
	struct in_addr a;
	if (inet_pton(AF_INET, addr, &a) != 1)
		return 0;
	return (ntohl(a.s_addr) >> 24) == 127;
}

int http_parse_listen(const char *s, char addr[64], int *port)
{
	const char *colon = strrchr(s, ':');
	const char *p = colon ? colon + 1 : s;
	snprintf(addr, 64, "127.0.0.1");
	if (colon && colon != s) {
		if ((size_t)(colon - s) >= 64)
			return -1;
		snprintf(addr, 64, "%.*s", (int)(colon - s), s);
		if (strcmp(addr, "localhost") == 0)
			snprintf(addr, 64, "127.0.0.1");
	}
	if (!*p)
		return -1;
	long v = 0;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
		if (v > 65535)
			return -1;
	}
	*port = (int)v;
	struct in_addr a;
	return inet_pton(AF_INET, addr, &a) == 1 ? 0 : -1;
}

/* Paths we never look at further. */
static int path_ok(const char *p)
{
	if (p[0] != '/' || strstr(p, "..") || strstr(p, "//") || strchr(p, '\\') ||
	    strlen(p) > 512)
		return 0;
	for (const unsigned char *c = (const unsigned char *)p; *c; c++)
		if (*c < 0x20 || *c == 0x7f)
			return 0;
	return 1;
}

static enum MHD_Result send_resp(struct MHD_Connection *conn, http_resp *rs, int cache)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
		rs->body.len, rs->body.len ? rs->body.p : (void *)"", MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", rs->type ? rs->type : "application/json");
	MHD_add_response_header(r, "Content-Security-Policy", rs->csp ? rs->csp : CSP);
	MHD_add_response_header(r, "X-Frame-Options", rs->same_origin_frame ? "SAMEORIGIN" : "DENY");
	for (size_t i = 0; i < sizeof SECURITY_HEADERS / sizeof SECURITY_HEADERS[0]; i++)
		MHD_add_response_header(r, SECURITY_HEADERS[i][0], SECURITY_HEADERS[i][1]);
	MHD_add_response_header(r, "Cache-Control", cache ? "private, max-age=60" : "no-store");
	/* The handler's own lines: "Name: value\n" each. */
	char *save = NULL, hdrs[sizeof rs->headers];
	memcpy(hdrs, rs->headers, sizeof hdrs);
	for (char *line = strtok_r(hdrs, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *colon = strstr(line, ": ");
		if (!colon)
			continue;
		*colon = '\0';
		MHD_add_response_header(r, line, colon + 2);
	}
	enum MHD_Result ret = MHD_queue_response(conn, (unsigned)(rs->status ? rs->status : 200), r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *conn, int status, const char *code)
{
	http_resp rs;
	memset(&rs, 0, sizeof rs);
	http_resp_error(&rs, status, code);
	enum MHD_Result ret = send_resp(conn, &rs, 0);
	buf_free(&rs.body);
	return ret;
}

static const http_asset *find_asset(const http_config *c, const char *path)
{
	if (strcmp(path, "/") == 0)
		path = "/index.html";
	for (size_t i = 0; i < c->nassets; i++)
		if (strcmp(c->assets[i].path, path) == 0)
			return &c->assets[i];
	return NULL;
}

static const http_route *find_route(const http_config *c, const char *method,
				    const char *path, int *wrong_method)
{
	*wrong_method = 0;
	for (size_t i = 0; i < c->nroutes; i++) {
		const http_route *r = &c->routes[i];
		int match = r->prefix ? strncmp(path, r->path, strlen(r->path)) == 0
				      : strcmp(path, r->path) == 0;
		if (!match)
			continue;
		if (strcmp(r->method, method) == 0)
			return r;
		*wrong_method = 1;
	}
	return NULL;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_size, void **con_cls)
{
	(void)version;
	http_server *s = cls;
	http_req *rq = *con_cls;
	if (!rq) {
		/* First call: headers only.  Refuse early what we will refuse anyway. */
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							     MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl) {
			char *end;
			errno = 0;
			unsigned long long n = strtoull(cl, &end, 10);
			if (errno || *end || n > s->cfg.max_body)
				return send_error(conn, 413, "too_large");
		}
		if (!path_ok(url))
			return send_error(conn, 404, "not_found");
		rq = calloc(1, sizeof *rq);
		if (!rq)
			return MHD_NO;
		rq->conn = conn;
		rq->method = method;
		rq->path = url;
		const union MHD_ConnectionInfo *ci =
			MHD_get_connection_info(conn, MHD_CONNECTION_INFO_PROTOCOL);
		rq->tls = s->cfg.cert_file && ci != NULL;
		*con_cls = rq;
		return MHD_YES;
	}
	if (*upload_size) {
		if (!rq->too_large && rq->body.len + *upload_size <= s->cfg.max_body)
			buf_put(&rq->body, upload_data, *upload_size);
		else {
			rq->too_large = 1;
			buf_free(&rq->body);
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (rq->too_large || rq->body.oom)
		return send_error(conn, 413, "too_large");
	int wrong_method;
	const http_route *r = find_route(&s->cfg, method, url, &wrong_method);
	if (r) {
		http_resp rs;
		memset(&rs, 0, sizeof rs);
		rs.status = 200;
		r->fn(s->cfg.ud, rq, &rs);
		enum MHD_Result ret = send_resp(conn, &rs, 0);
		buf_free(&rs.body);
		return ret;
	}
	if (wrong_method)
		return send_error(conn, 405, "method_not_allowed");
	const http_asset *a = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0
				      ? find_asset(&s->cfg, url)
				      : NULL;
	if (!a)
		return send_error(conn, 404, "not_found");
	struct MHD_Response *resp =
		MHD_create_response_from_buffer(a->len, (void *)a->data, MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", a->type);
	MHD_add_response_header(resp, "Content-Security-Policy", CSP);
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	for (size_t i = 0; i < sizeof SECURITY_HEADERS / sizeof SECURITY_HEADERS[0]; i++)
		MHD_add_response_header(resp, SECURITY_HEADERS[i][0], SECURITY_HEADERS[i][1]);
	MHD_add_response_header(resp, "Cache-Control", "no-cache");
	enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)cls, (void)conn, (void)toe;
	http_req *rq = *con_cls;
	if (!rq)
		return;
	buf_free(&rq->body);
	free(rq);
	*con_cls = NULL;
}

/* libmicrohttpd's own complaints (bad TLS handshakes ...) name no patient
 * data, but they would be noise at a window: dropped. */
static void quiet_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls, (void)fmt, (void)ap;
}

static void stop_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
}

int http_start(const http_config *cfg, http_server **out, bulu_err *e)
{
	*out = NULL;
	http_server *s = calloc(1, sizeof *s);
	if (!s)
		return bulu_errf(e, BULU_SYSTEM, "out of memory");
	s->cfg = *cfg;
	if (!s->cfg.threads)
		s->cfg.threads = 4;
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)cfg->port);
	if (inet_pton(AF_INET, cfg->addr, &sa.sin_addr) != 1) {
		free(s);
		return bulu_errf(e, BULU_BADINPUT, "%s: not an IPv4 address", cfg->addr);
	}
	/* The daemon's threads inherit a mask without SIGINT/SIGTERM, so the
	 * caller's http_wait_signal() is the one that receives them. */
	sigset_t set;
	stop_signals(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	int tls = cfg->cert_file && cfg->key_file;
	if (tls) {
		size_t n;
		if (text_slurp(cfg->cert_file, &s->cert, &n, e) != BULU_OK ||
		    text_slurp(cfg->key_file, &s->key, &n, e) != BULU_OK) {
			free(s->cert);
			free(s);
			return e->code;
		}
		flags |= MHD_USE_TLS;
	}
	struct MHD_OptionItem opts[12];
	int k = 0;
	opts[k++] = (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, &sa};
	opts[k++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, NULL};
	opts[k++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)s->cfg.threads, NULL};
	opts[k++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT, 30, NULL};
	opts[k++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT, 256, NULL};
	opts[k++] = (struct MHD_OptionItem){MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)quiet_log, NULL};
	if (tls) {
		opts[k++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, s->cert};
		opts[k++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, s->key};
	}
	opts[k++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
	s->d = MHD_start_daemon(flags, (uint16_t)cfg->port, NULL, NULL, on_request, s,
				MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
	if (!s->d) {
		free(s->cert);
		free(s->key);
		free(s);
		return bulu_errf(e, BULU_SYSTEM,
				 "cannot listen on %s:%d (in use, not this machine's address, or a "
				 "bad certificate/key)",
				 cfg->addr, cfg->port);
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = di ? di->port : cfg->port;
	*out = s;
	return BULU_OK;
}

int http_port(const http_server *s) { return s->port; }

void http_stop(http_server *s)
{
	if (!s)
		return;
	MHD_stop_daemon(s->d);
	if (s->key)
		sodium_memzero(s->key, strlen(s->key));
	free(s->cert);
	free(s->key);
	free(s);
}

int http_wait_signal(void)
{
	sigset_t set;
	int sig = 0;
	stop_signals(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	while (sigwait(&set, &sig) != 0)
		;
	return sig;
}
