/*
 * outage.h - the state of a station's outage episode, as its journal tells
 * it (capture/outage.c): which episode is open, whether IT declared it (a
 * signed notice applied), the start, the level and the tier in force.  The
 * tier guidance a station shows (`outage status`, `station info`) and the
 * capture warning before a department's tier come from it and the tier
 * table (tiers.h).
 */
#ifndef BULU_OUTAGE_H
#define BULU_OUTAGE_H

#include <stdint.h>
#include "bulu/clock.h"
#include "bulu/journal.h"
#include "bulu/tiers.h"

typedef struct outage_state {
	char episode[64];          /* "" when none is open */
	int drill, live_drill;
	int64_t notice_n;          /* the last notice applied; 0: undeclared */
	char start[CLOCK_ISO_MAX]; /* the (declared) start */
	char level[8];             /* declared or given at start; "" if none */
	char tier[16];             /* the tier IT put in force; "" if none */
	char cause[16];
} outage_state;

int outage_state_get(journal *j, outage_state *st, bulu_err *e);

/* The station's tier table: STATIONDIR/tiers.profile, else the default. */
int outage_tiers(journal *j, tier_table *tt, bulu_err *e);

/* Whether the tier of dept has come at time now_epoch: *come 1 or 0, and
 * *dt the department's tier (NULL: no tier names it, so it has come). */
void outage_tier_come(const outage_state *st, const tier_table *tt, const char *dept,
		      long long now_epoch, const tier **dt, int *come);

/* Print the status lines (`outage status`; `station info` adds them). */
void outage_print_status(journal *j, const outage_state *st, const tier_table *tt);

#endif
