/*
 * tiers.h - the tier table (分级转入手工: which departments go to paper how
 * long after the declared start) and the incident levels by outage length,
 * read from a user-editable file (schemas/tiers-default.profile is the
 * default, compiled in; docs/outage.md, "Tiers and levels").
 *
 * A tier_table is a plain value (no allocation); strings are copied in.
 */
#ifndef BULU_TIERS_H
#define BULU_TIERS_H

#include <stdint.h>
#include "bulu/err.h"

#define TIERS_MAX 8
#define TIER_DEPTS_MAX 32
#define LEVELS_MAX 8

typedef struct tier {
	char name[16];              /* 30min, 6h, 24h */
	int64_t after;              /* seconds after the declared start */
	char dept[TIER_DEPTS_MAX][64];
	int ndept;                  /* "*" is every department */
} tier;

typedef struct tier_table {
	tier t[TIERS_MAX];
	int n;
	struct {
		char name[8];       /* IV, III, II, I */
		int64_t up_to;      /* seconds; -1: beyond */
	} level[LEVELS_MAX];
	int nlevel;
} tier_table;

/* Parse the text of a tier file; what names it in messages ("FILE: line N").
 * BULU_BADINPUT on a malformed line. */
int tiers_parse(const char *what, const char *text, tier_table *tt, bulu_err *e);
/* The table: path's file when path is not NULL and exists, else the default. */
int tiers_load(const char *path, tier_table *tt, bulu_err *e);

/* The tier of a department (the first naming it), or NULL. */
const tier *tiers_of_dept(const tier_table *tt, const char *dept);
/* The tier named name, or NULL. */
const tier *tiers_named(const tier_table *tt, const char *name);
/* The last tier whose time has come `elapsed` seconds after the start, or NULL. */
const tier *tiers_by_time(const tier_table *tt, int64_t elapsed);
/* The incident level of an outage `seconds` long. */
const char *tiers_level(const tier_table *tt, int64_t seconds);

#endif
