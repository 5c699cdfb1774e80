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
/*
 * The station's time zone.  A station keeps the zone it was made with
 * (`bulu station init --tz`), so recorded and printed times are the
 * hospital's local time even on a machine with no TZ set.  A zone is a
 * fixed offset "+HH:MM" / "-HH:MM" (normalised so), "UTC", or an IANA name
 * ("Asia/Shanghai") found in the system's zoneinfo.
 */
#define CLOCK_ZONE_MAX 64
/* Check and normalise a zone as typed ("+8", "+0800", "+08:00", "UTC",
 * "Asia/Shanghai").  0, or -1 when it is none of those. */
int clock_zone_parse(const char *s, char out[CLOCK_ZONE_MAX]);
/* The machine's zone: $TZ when it names a zone, else the zone
 * /etc/localtime links to, else the current UTC offset. */
void clock_zone_default(char out[CLOCK_ZONE_MAX]);
/* Make zone (normalised; "" keeps the machine's) the process's local time
 * for clock_now_iso, clock_parse and clock_local.  Sets TZ only when it
 * differs, so calling it again (a second journal opened) changes nothing.
 * Call before starting threads.  0, or -1 for a malformed zone. */
int clock_use_zone(const char *zone);
/* A normalised ISO-8601 time as the same instant in local time (the zone
 * of clock_use_zone), normalised.  0, or -1 if iso is not normalised. */
int clock_local(const char *iso, char out[CLOCK_ISO_MAX]);

/* Days since 1970-01-01 of a proleptic Gregorian date (no range checks). */
long long clock_days_from_civil(int y, int m, int d);

#endif
