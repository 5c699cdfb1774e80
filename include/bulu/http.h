/*
 * http.h - a small HTTP(S) server over libmicrohttpd, shared by every part of
 * bulu that serves a page or an API (the station screen; later the central
 * office).  Nothing in it knows what is being served.
 *
 * A server has a route table (method + exact path, or a path prefix) and a
 * table of embedded assets (web/assets/, compiled in by scripts/embed.sh).
 * A request reaches its handler only once its whole body has arrived and
 * only if the body is within the configured limit (else 413, the handler
 * never runs): a request cut off half-way runs nothing.  Paths holding "..",
 * "//", a backslash or a NUL, and paths neither routed nor embedded, get 404.
 * Every response carries a strict Content-Security-Policy (same origin only),
 * nosniff, no framing, no referrer, and no caching of anything but assets.
 * The layer logs nothing about requests (bodies may hold patient data).
 */
#ifndef BULU_HTTP_H
#define BULU_HTTP_H

#include <stddef.h>
#include "bulu/buf.h"
#include "bulu/err.h"

typedef struct http_server http_server;
typedef struct http_req http_req; /* opaque: read it with the functions below */

typedef struct http_resp {
	int status;            /* default 200 */
	const char *type;      /* Content-Type; default application/json */
	buf body;
	char headers[1024];    /* extra "Name: value\n" lines (Set-Cookie ...) */
	const char *csp;       /* NULL: the strict default Content-Security-Policy */
	int same_origin_frame; /* 1: this page may be framed by its own origin */
} http_resp;

typedef void (*http_handler)(void *ud, const http_req *rq, http_resp *rs);

typedef struct http_route {
	const char *method; /* "GET", "POST" */
	const char *path;   /* exact, or a prefix when it ends in '/' and prefix is set */
	int prefix;
	http_handler fn;
} http_route;

typedef struct http_asset {
	const char *path;  /* "/app.js"; "/" is served as the asset named "/index.html" */
	const char *type;
	const char *data;
	size_t len;
} http_asset;

typedef struct http_config {
	const char *addr;        /* dotted IPv4, e.g. "127.0.0.1" */
	int port;                /* 0: any free port (see http_port) */
	const char *cert_file;   /* both set: HTTPS (GnuTLS) with this PEM pair */
	const char *key_file;
	size_t max_body;         /* bytes; larger bodies get 413 */
	unsigned threads;        /* worker threads, default 4 */
	const http_route *routes;
	size_t nroutes;
	const http_asset *assets;
	size_t nassets;
	void *ud;                /* handed to every handler */
} http_config;

int http_start(const http_config *cfg, http_server **out, bulu_err *e);
int http_port(const http_server *s);
/* Stop accepting, finish requests in flight, free.  NULL ok. */
void http_stop(http_server *s);

/* Block until SIGINT or SIGTERM arrives (installs handlers for both);
 * returns the signal number. */
int http_wait_signal(void);

/* 1 if addr is a loopback address (127.0.0.0/8, ::1, "localhost"). */
int http_addr_is_loopback(const char *addr);
/* Split "ADDR:PORT" (or ":PORT", or "PORT") into addr (64 bytes) and port. */
int http_parse_listen(const char *s, char addr[64], int *port);

const char *http_req_method(const http_req *rq);
const char *http_req_path(const http_req *rq);
const char *http_req_header(const http_req *rq, const char *name);
const char *http_req_cookie(const http_req *rq, const char *name);
const char *http_req_query(const http_req *rq, const char *name);
const char *http_req_body(const http_req *rq, size_t *len); /* NUL-terminated */
int http_req_is_tls(const http_req *rq);

/* Add one response header line (value must hold no CR or LF). */
void http_resp_header(http_resp *rs, const char *name, const char *value);
/* Set status and a JSON body {"error": code} with the message pair. */
void http_resp_error(http_resp *rs, int status, const char *code);

#endif
