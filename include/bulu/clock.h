/*
 * clock.h - the station's wall clock, as ISO-8601 with its UTC offset.
 *
 * Station clocks can be wrong; bulu records what the station believed
 * (recorded_at) beside the sequence number, and never "corrects" it.
 * BULU_NOW, when set to an ISO-8601 time, replaces the clock (drills,
 * tests, and re-typing forms with a known time).
 */
#ifndef BULU_CLOCK_H
#define BULU_CLOCK_H

#include <stddef.h>
#include <time.h>

#define CLOCK_ISO_MAX 40

/* Now, as "YYYY-MM-DDTHH:MM:SS+HH:MM". */
void clock_now_iso(char out[CLOCK_ISO_MAX]);

/*
 * Parse a time typed by a person or found in a file, in local time unless it
 * carries an offset: "YYYY-MM-DD HH:MM[:SS]", "YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM]",
 * "YYYY/M/D H:MM[:SS]", "HH:MM" (today).  Writes the normalised ISO-8601 form
 * with offset.  Returns 0, or -1 if malformed or not a real date.
 */
int clock_parse(const char *s, char out[CLOCK_ISO_MAX]);

/* Seconds since the epoch of a normalised ISO-8601 time
 * ("YYYY-MM-DDTHH:MM:SS±HH:MM"), or -1. */
long long clock_epoch(const char *iso);
/* Days since 1970-01-01 of a proleptic Gregorian date (no range checks). */
long long clock_days_from_civil(int y, int m, int d);

#endif
