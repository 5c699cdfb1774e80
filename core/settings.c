/*
 * settings.c - reading DIR/station.conf (settings.h).  Invariant: every
 * bound is positive and at most 10^15 fen (so a sum of 1000 lines fits an
 * int64 with room to spare); a file that says anything else is refused.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulu/settings.h"
#include "bulu/text.h"

#define BOUND_MAX 1000000000000000LL

static void defaults(station_settings *s)
{
	memset(s, 0, sizeof *s);
	s->max_qty = 100000;
	s->max_line_fen = 100000000LL;
	s->max_form_fen = 1000000000LL;
}

static char *trim(char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	size_t n = strlen(p);
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
		p[--n] = '\0';
	return p;
}

static int bound(const char *path, int line, const char *name, const char *v, int64_t *out,
		 bulu_err *e)
{
	char *end;
	errno = 0;
	long long x = strtoll(v, &end, 10);
	if (errno || end == v || *end || x <= 0 || x > BOUND_MAX)
		return bulu_errf(e, BULU_BADINPUT,
				 "%s: line %d: %s must be a whole number from 1 to %lld", path, line,
				 name, BOUND_MAX);
	*out = x;
	return BULU_OK;
}

int settings_load(const char *dir, station_settings *s, bulu_err *e)
{
	char path[PATH_MAX + 32];
	defaults(s);
	snprintf(path, sizeof path, "%s/%s", dir, SETTINGS_FILE);
	FILE *f = fopen(path, "r");
	if (!f)
		return errno == ENOENT ? BULU_OK
				       : bulu_errf(e, BULU_SYSTEM, "cannot read %s: %s", path, strerror(errno));
	char buf[PATH_MAX + 64];
	int line = 0, rc = BULU_OK;
	while (rc == BULU_OK && fgets(buf, sizeof buf, f)) {
		line++;
		buf[strcspn(buf, "\n")] = '\0';
		char *hash = strchr(buf, '#');
		if (hash)
			*hash = '\0';
		char *p = trim(buf);
		if (!*p)
			continue;
		char *eq = strchr(p, '=');
		if (!eq) {
			rc = bulu_errf(e, BULU_BADINPUT, "%s: line %d: expected `name = value`", path, line);
			break;
		}
		*eq = '\0';
		char *name = trim(p), *v = trim(eq + 1);
		if (strcmp(name, "mirror") == 0) {
			if (strcmp(v, "none") == 0)
				s->mirror_off = 1;
			else if (*v != '/')
				rc = bulu_errf(e, BULU_BADINPUT, "%s: line %d: mirror must be an absolute "
					       "path or `none`", path, line);
			else
				snprintf(s->mirror, sizeof s->mirror, "%s", v);
		} else if (strcmp(name, "max_qty") == 0) {
			rc = bound(path, line, name, v, &s->max_qty, e);
		} else if (strcmp(name, "max_line_fen") == 0) {
			rc = bound(path, line, name, v, &s->max_line_fen, e);
		} else if (strcmp(name, "max_form_fen") == 0) {
			rc = bound(path, line, name, v, &s->max_form_fen, e);
		} else {
			rc = bulu_errf(e, BULU_BADINPUT,
				       "%s: line %d: unknown setting '%.40s' (known: mirror, max_qty, "
				       "max_line_fen, max_form_fen)", path, line, name);
		}
	}
	fclose(f);
	return rc;
}

void settings_mirror_dir(const station_settings *s, char *out, size_t n)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	out[0] = '\0';
	if (s->mirror_off)
		return;
	if (s->mirror[0])
		snprintf(out, n, "%s", s->mirror);
	else if (xdg && *xdg == '/')
		snprintf(out, n, "%s/bulu/heads", xdg);
	else if (home && *home == '/')
		snprintf(out, n, "%s/.local/state/bulu/heads", home);
}
