/*
 * screen.h - the station screen's state, shared by web/screen*.c (private
 * to web/).
 *
 * One journal handle, opened for writing when `bulu station serve` starts,
 * serves every request under one mutex: SQLite's own locking keeps a CLI
 * capture in another process safe, and the mutex keeps this process's
 * requests from sharing the handle at once.  Sessions live in memory only;
 * a restart signs everyone out.
 */
#ifndef BULU_WEB_SCREEN_H
#define BULU_WEB_SCREEN_H

#include <pthread.h>
#include <time.h>

#include "bulu/http.h"
#include "bulu/journal.h"

#define SCREEN_COOKIE "bulu_session"
#define SCREEN_SESSIONS 64
#define SCREEN_TOKEN 64 /* hex characters of a session id or CSRF token */

struct session {
	char id[SCREEN_TOKEN + 1];
	char csrf[SCREEN_TOKEN + 1];
	char name[128];
	char role[32];
	time_t last; /* last thing the person did (polling does not count) */
	int used;
};

struct attempt {
	char name[128];
	int fails;
	time_t until; /* refused until then after too many wrong PINs */
};

struct screen {
	pthread_mutex_t mu;
	journal *j;
	int tls;
	int idle_seconds;
	int catalog_max_days;
	struct session sess[SCREEN_SESSIONS];
	struct attempt att[32];
	struct suggest *sg; /* the catalog in memory, for suggestions (suggest.h) */
};

/* The signed-in session of a request, or NULL (also when idle too long);
 * touch: the request is something the person did.  Caller holds mu. */
struct session *screen_session(struct screen *s, const http_req *rq, int touch);
/* A POST's CSRF token matches its session's. */
int screen_csrf_ok(const struct session *ss, const http_req *rq);

/* The form kinds a role may save ("charge" ...); NULL-terminated. */
int screen_role_may(const char *role, const char *kind);

/* Handlers of web/screen_forms.c; the caller holds no lock.  The session
 * functions above are web/session.c. */
void screen_save(void *ud, const http_req *rq, http_resp *rs);
void screen_entry(void *ud, const http_req *rq, http_resp *rs);
/* web/screen_print.c: POST /api/print and GET /print. */
void screen_print_record(void *ud, const http_req *rq, http_resp *rs);
void screen_print_page(void *ud, const http_req *rq, http_resp *rs);

/* Map a refusal of capture_form_append() (its field and English message) to
 * a stable code and the Chinese sentence shown beside the field. */
void screen_refusal(const char *field, const char *msg, const char **code, const char **zh);

#endif
