/*
 * settings.h - a station's local settings, DIR/station.conf.
 *
 * Plain text, one `name = value` a line, `#` starts a comment; an unknown
 * name or a bad value is refused (exit 2) naming the file and line.  The
 * settings are the station's policy, not evidence: they are outside the
 * hash chain.  A missing file means every default.
 *
 *   mirror = PATH          where the mirror of the head record lives
 *                          (`none` for no mirror); default
 *                          $XDG_STATE_HOME/bulu/heads, else
 *                          ~/.local/state/bulu/heads
 *   max_qty = N            most units on one line         (default 100000)
 *   max_line_fen = N       most one line may come to      (default 100000000, ¥1,000,000.00)
 *   max_form_fen = N       most one form may come to      (default 1000000000, ¥10,000,000.00)
 */
#ifndef BULU_SETTINGS_H
#define BULU_SETTINGS_H

#include <limits.h>
#include <stdint.h>
#include "bulu/err.h"

#define SETTINGS_FILE "station.conf"

typedef struct station_settings {
	char mirror[PATH_MAX];  /* "" when not set in the file */
	int mirror_off;         /* mirror = none */
	int64_t max_qty, max_line_fen, max_form_fen;
} station_settings;

/* Read DIR/station.conf (defaults for what it does not say). */
int settings_load(const char *dir, station_settings *s, bulu_err *e);

/* The directory the head mirror goes in, from the settings, else the
 * default; "" when the mirror is off or no home is known. */
void settings_mirror_dir(const station_settings *s, char *out, size_t n);

#endif
