/*
 * incident.h - the incident report (故障报告) of one outage, gathered from
 * the central ledger and, when given, reconcile's output directory, then
 * written three ways (report.txt, report.html, report.xlsx) from the same
 * numbers (docs/outage.md, "The incident report").
 *
 * All strings are owned by the model (malloc'd); incident_free frees them.
 * Money is fen.  Times are as the ledger holds them (ISO-8601 with offset).
 */
#ifndef BULU_REPORT_INCIDENT_H
#define BULU_REPORT_INCIDENT_H

#include <stdint.h>
#include "bulu/err.h"
#include "bulu/tiers.h"

struct inc_event {       /* a line of the timeline */
	long long t;
	char when[40];
	char *station;       /* "" for the central office */
	char *what;
};

struct inc_volume {      /* captures of one department and kind */
	char *dept, *kind;
	int64_t n, fen;
};

struct inc_hour {        /* captures of one department in one hour since the start */
	char *dept;
	int hour;
	int64_t n;
};

struct inc_class {       /* findings of one class (and department, in by_dept) */
	char *cls, *dept;
	int64_t n, fen;
};

struct inc_deadline {    /* back-fill status of the lines due at one deadline */
	char *deadline;
	int64_t total, matched, late, missing, other;
};

struct inc_latency {     /* back-fill latency of one kind: HIS entry time minus the restore */
	char *kind;
	long long *v; size_t n;  /* seconds, sorted once gathered */
	double mean, median;     /* seconds */
};

struct inc_finding {     /* an unresolved finding, for the findings sheet and list */
	char *cls, *kind, *station, *seq, *line, *his_id, *patient, *item, *jval, *hval, *dept, *expl;
	int64_t diff;
};

struct inc_outage {      /* one outage of the ledger's history (KPIs) */
	char *id, *start, *end;
	double hours;
	char level[8];
	int64_t entries, patients, fen;
	int drill_live, declared;
	int64_t bf, late;        /* its lines in states.csv matched or late, and late */
};

struct inc_undeclared {  /* a station that started before the notice */
	char *station, *at, *joined_at, *episode;
};

typedef struct incident {
	char id[64], cause[16], drill[8];
	int declared, live_drill;
	int64_t notices;
	char start[40], restore[40], due[40];
	long long t0, t1;            /* epochs; t1 -1 while not restored */
	double hours;
	char level_declared[8], level_duration[8];
	int64_t entries, patients, fen, stations;
	struct inc_event *ev; size_t nev;
	struct inc_volume *vol; size_t nvol;
	struct inc_hour *hr; size_t nhr;
	int nhours;
	struct inc_undeclared *und; size_t nund;
	int have_recon;
	struct inc_class *cls; size_t ncls;        /* by class */
	struct inc_class *cd; size_t ncd;          /* by class and department */
	struct inc_deadline *dl; size_t ndl;
	struct inc_finding *fd; size_t nfd;
	int64_t lines, matched, late;              /* from states.csv */
	int have_entered;                          /* states.csv has his_entered_at */
	int restore_off;                           /* the restore's offset, seconds east */
	long long *bf; size_t nbf;                 /* each line's HIS entry time (epoch), sorted */
	long long dl_first, dl_last;               /* important-data and all-data deadlines (epoch), -1: none */
	struct inc_latency *lat; size_t nlat;      /* per kind, by kind */
	struct inc_outage *out; size_t nout;
} incident;

/* Gather the report of outage `episode` (NULL: the latest real outage) from
 * the ledger and reconcile directory recon (NULL: none). */
int incident_gather(const char *ledger, const char *recon, const char *episode,
		    const tier_table *tt, incident *r, bulu_err *e);
void incident_free(incident *r);

/* Render; each appends to / writes a whole file.  The caller writes them
 * atomically into the output directory. */
#include "bulu/buf.h"
void incident_txt(const incident *r, buf *o);
void incident_html(const incident *r, buf *o);
int incident_xlsx(const incident *r, const char *path, bulu_err *e);

/* Labels, Chinese first. */
const char *incident_class_label(const char *cls);
const char *incident_kind_label(const char *kind);

#endif
