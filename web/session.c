/*
 * session.c - the station screen's sessions and what a role may save:
 * which session a request belongs to (its cookie, not idle too long), its
 * CSRF token, and the kinds of form each role's screen offers.
 * Invariants: tokens are compared in constant time; an idle session is
 * wiped when it is next looked at.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "screen.h"

static const struct {
	const char *role;
	const char *kinds;
} role_kinds[] = {
	{"cashier", " registration card_issue charge invoice_void void note "},
	{"nurse", " requisition order ward_charge void note "},
	{"pharmacist", " dispense prescription void note "},
	{"lab", " exam void note "},
	{"imaging", " exam void note "},
	{"it", " registration card_issue charge invoice_void void note requisition order "
	       "ward_charge dispense prescription exam "},
};

int screen_role_may(const char *role, const char *kind)
{
	char k[40];
	snprintf(k, sizeof k, " %s ", kind);
	for (size_t i = 0; i < sizeof role_kinds / sizeof role_kinds[0]; i++)
		if (strcmp(role_kinds[i].role, role) == 0)
			return strstr(role_kinds[i].kinds, k) != NULL;
	return 0;
}

struct session *screen_session(struct screen *s, const http_req *rq, int touch)
{
	const char *id = http_req_cookie(rq, SCREEN_COOKIE);
	if (!id || strlen(id) != SCREEN_TOKEN)
		return NULL;
	time_t now = time(NULL);
	for (int i = 0; i < SCREEN_SESSIONS; i++) {
		struct session *ss = &s->sess[i];
		if (!ss->used || sodium_memcmp(ss->id, id, SCREEN_TOKEN) != 0)
			continue;
		if (now - ss->last > s->idle_seconds) {
			sodium_memzero(ss, sizeof *ss); /* locked: sign in again */
			return NULL;
		}
		if (touch)
			ss->last = now;
		return ss;
	}
	return NULL;
}

int screen_csrf_ok(const struct session *ss, const http_req *rq)
{
	const char *t = http_req_header(rq, "X-CSRF-Token");
	return t && strlen(t) == SCREEN_TOKEN && sodium_memcmp(t, ss->csrf, SCREEN_TOKEN) == 0;
}

