/*
 * capture_args.h - the flags of `bulu capture KIND`, one style for every
 * kind, turned into a form (form.h).  Private to capture/.
 */
#ifndef BULU_CAPTURE_ARGS_H
#define BULU_CAPTURE_ARGS_H

#include "bulu/err.h"
#include "bulu/form.h"

/* capture_args_parse() returns this when the command should go on; any
 * other value is the exit status (help printed, or a usage error). */
#define CAPTURE_ARGS_GO (-1)

struct capture_args {
	form f;                 /* strings borrowed from argv */
	const char *dir;
	const char *print_file; /* --print FILE */
	int print;              /* this kind prints a form (requisition) */
	int no_print;
	const char *ref_text;   /* --ref / --entry as typed */
	char ref_station[64];   /* the station of a BL- reference, "" for a bare seq */
};

int capture_args_parse(int argc, char **argv, const char *kind, struct capture_args *a);

/* A BL-STATION-SEQ reference must name this station's own entry. */
int capture_args_resolve_ref(struct capture_args *a, const char *station, bulu_err *e);

#endif
