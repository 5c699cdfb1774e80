/*
 * recon.h - the reconciler's inside: journal lines, findings, the phases.
 *
 * A run is a pipeline (reconcile_cmd.c runs it): read the HIS exports
 * (his*.c) -> load the ledger's lines in scope and their back-fill
 * deadlines (ledger_load.c, on a thread of its own while the exports are
 * read) -> drop the rows that cannot matter (prefilter.c) -> match each
 * kind (match.c) -> check the invoice register and the pharmacy's
 * three-way rule (checks.c) -> write findings,
 * states, summary and worklists (report.c).  Calls run one way: a phase
 * calls earlier phases' readers and recon.c (what every phase shares:
 * names, new findings, text of money and time), never a later phase;
 * scripts/deps.sh fails on a circle.  Everything textual is interned in one
 * strpool, so the phases compare integers; every ordering is total, so the
 * same inputs give byte-identical outputs.  docs/reconcile.md is the user's
 * account of the rules implemented here.
 */
#ifndef BULU_RECON_H
#define BULU_RECON_H

#include <stddef.h>
#include <stdint.h>

#include "bulu/err.h"
#include "bulu/his.h"
#include "bulu/strpool.h"

/* The journal kinds a line can come from. */
enum jkind {
	JK_REGISTRATION,
	JK_CARD_ISSUE,
	JK_CHARGE,
	JK_PRESCRIPTION,
	JK_ORDER,
	JK_REQUISITION,
	JK_DISPENSE,
	JK_EXAM,
	JK_WARD_CHARGE,      /* a nurse station's charge executed (记账), no invoice */
	JK_EXAM_REQUEST,     /* an exam requested: not billed (NO_EXPORT), the exam performed is */
	JK_N
};

/* Which check decides a line's state, beyond the HIS kinds. */
#define HK_THREEWAY ((uint8_t)HIS_NKINDS)       /* requisitions */
#define HK_NONE ((uint8_t)(HIS_NKINDS + 1))     /* card issues */

/* States and finding classes.  The first four are not findings. */
enum rclass {
	RC_MATCHED,
	RC_VOIDED,          /* voided in the journal and, rightly, not in the HIS */
	RC_NOT_CHECKED,     /* no export of its kind was given */
	RC_NO_EXPORT,       /* no HIS export covers the kind (card issues) */
	RC_MISSING_IN_HIS,
	RC_EXTRA_IN_HIS,
	RC_DUPLICATE_IN_HIS,
	RC_AMOUNT_MISMATCH,
	RC_QTY_MISMATCH,
	RC_ITEM_MISMATCH,
	RC_PATIENT_MISMATCH,
	RC_VOIDED_IN_HIS,
	RC_INVOICE_GAP,
	RC_INVOICE_DUPLICATE,
	RC_INVOICE_UNRECORDED,
	RC_INVOICE_VOID_CHARGED,
	RC_DISPENSE_MISMATCH,
	RC_LATE_BACKFILL,
	RC_DISPENSE_REF_UNKNOWN, /* a dispense against a form no journal in scope holds */
	RC_N
};
#define RC_FIRST_FINDING RC_MISSING_IN_HIS

const char *rclass_name(enum rclass c);
const char *jkind_name(enum jkind k);

#define NO_TIME INT64_MIN

/* One journal line in scope (an entry without lines is one line, number 0). */
struct unit {
	int64_t seq;
	int64_t qty;
	int64_t amount;      /* fen: the line's amount, a registration's fee */
	int64_t occurred;    /* the paper's time, else the station clock */
	int64_t deadline;    /* back-fill due (epoch), NO_TIME when the episode is open */
	uint32_t station, line, patient, patient_name, item, item_name, dept, operator_;
	uint32_t invoice, request_no, episode;
	uint32_t expl;       /* the state's explanation (pool id) */
	uint32_t his;        /* matched HIS row + 1 (in its kind's table), 0 none */
	uint32_t ref;        /* dispense: the unit index + 1 of the entry it dispenses against */
	uint32_t ref_station; /* dispense: the station of that entry when not its own (pool id) */
	int64_t ref_seq;     /* dispense: the seq it names, kept when no line in scope has it */
	uint8_t jkind, hkind, voided, state;
	uint8_t how;         /* matched: 1 by reference, 2 + tier by key (expl then 0) */
	uint8_t flags;       /* UF_EXCHANGE, UF_DISCHARGE: the form's flags */
};
#define UF_EXCHANGE 1    /* a receipt to be exchanged for a machine invoice (换票) */
#define UF_DISCHARGE 2   /* discharge medication (出院带药) */

struct finding {
	int64_t seq;
	int64_t diff;        /* HIS minus journal, fen */
	int64_t deadline;
	uint32_t station, line;
	uint32_t his_id, patient, item, dept, operator_;
	uint32_t jval, hval, expl;
	uint32_t his_row;    /* CSV row, 0 when none */
	uint32_t unit;       /* unit index + 1, 0 when none */
	uint8_t cls, kind;   /* kind: a HIS kind, or HIS_NKINDS for drugs (three-way) */
};

struct episode {
	uint32_t id;
	int64_t start, end;  /* end NO_TIME while open */
	int end_off;         /* the restore notice's UTC offset, seconds */
	int drill;
	uint32_t joined;     /* started undeclared, joined this declared outage (0: no) */
	uint32_t by[4];      /* the stations that joined from it (the first four) */
	int nby;             /* how many did */
};

struct book {
	uint32_t station;
	uint32_t dept;       /* the station's department (its station_init) */
	int64_t seq;
	int64_t from, to;
	int width;
};

/* An invoice number the journals used or voided. */
struct inv_use {
	int64_t no;          /* numeric value */
	int64_t seq;
	int64_t amount;
	uint32_t station, text, dept, operator_;
	uint32_t unit;       /* unit index + 1 of the charge/registration, 0 for invoice_void */
	uint8_t voided;
};

/* A station's department and role (its station_init), as text: routing's
 * @role:ROLE names the departments of the stations of that role. */
struct stn_role {
	char dept[128], role[64];
};

/* Where the worklist lines of one journal kind go ([routing] of the
 * profile): each destination a department (pool id), or 0 for the
 * department that captured the line (@captured); why is the reason. */
#define ROUTE_MAX 8
struct route {
	uint32_t dest[ROUTE_MAX];
	uint8_t n;
	uint32_t why;
};

struct recon_opts {
	const char *ledger;
	const char *episode;      /* NULL: every episode of the kind (real or drill) */
	int drill;
	int have_window;
	int64_t win_from, win_to;
	int64_t tolerance;        /* seconds: time tolerance of a patient-mismatch pairing */
	int due_important;        /* days after the restore day for registrations, charges */
	int due_all;              /* ... for everything else */
	int progress;
};

struct recon {
	struct recon_opts o;
	strpool *pool;
	struct unit *u;
	size_t nu, capu;
	struct episode *ep;
	size_t nep;
	int64_t win_from, win_to; /* the scope's window; win_to NO_TIME when open */
	int64_t last_end;         /* the latest restore notice, NO_TIME if none */
	int tz_off;               /* its UTC offset (seconds): the outage's local time */
	struct book *books;
	size_t nbooks;
	struct inv_use *inv;
	size_t ninv, capinv;
	struct his_table his[HIS_NKINDS];
	int given[HIS_NKINDS];
	struct finding *f;
	size_t nf, capf;
	struct stn_role *roles;
	size_t nroles;
	struct route routes[JK_N]; /* n 0: the department that captured it */
};

/* ledger_load.c */
/* The outage's time zone (the offset of the latest restore notice, else of
 * the latest start, of the episodes in scope; have = 0 when neither), handed
 * to fn as soon as the ledger is open, before the long load: the exports'
 * reader needs it.  fn is called exactly once, with rc != BULU_OK (and the
 * load's error in e) when the ledger could not be opened or asked. */
struct recon_tz_hook {
	void (*fn)(void *arg, int rc, int have, int32_t off);
	void *arg;
};
int recon_load_ledger(struct recon *r, const struct recon_tz_hook *tz, bulu_err *e);
int recon_adopt(struct recon *r, struct recon *l, bulu_err *e);
/* each line's back-fill deadline (unit.deadline), before matching */
int recon_deadlines(struct recon *r, bulu_err *e);
/* recon.c: an invoice number's numeric value; -1 when not all digits */
int64_t recon_invoice_value(const char *s);
/* Is a HIS row's time inside the scope's window?  (A row without a time
 * may be: nothing says it is not.) */
static inline int recon_row_in_window(const struct recon *r, int64_t t)
{
	if (t == HIS_NO_TIME)
		return 1;
	if (r->win_from != NO_TIME && t < r->win_from)
		return 0;
	return r->win_to == NO_TIME || t <= r->win_to;
}
/* prefilter.c: the rows of kind k that matching can use, the rest dropped */
int recon_prefilter(struct recon *r, enum his_kind k, bulu_err *e);
/* match.c: one HIS kind against its journal lines */
int recon_match(struct recon *r, enum his_kind k, bulu_err *e);
/* checks.c */
int recon_invoices(struct recon *r, bulu_err *e);
int recon_threeway(struct recon *r, bulu_err *e);
/* report.c */
/* Resolve the profile's [routing] (his_profile_route) into r->routes. */
struct his_profile;
int recon_routes(struct recon *r, const struct his_profile *p, bulu_err *e);
int recon_write(struct recon *r, const char *outdir, int quiet, bulu_err *e);

/* Money arithmetic that cannot overflow: a result beyond int64 is held at
 * the bound on its side, so a difference or a sum of absurd amounts (a
 * ledger line of -9223372036854775808 fen) keeps its sign; within int64 it
 * is exact.  tests/cli/hostile_cells.sh. */
static inline int64_t recon_add_sat(int64_t a, int64_t b)
{
	int64_t s;
	if (!__builtin_add_overflow(a, b, &s))
		return s;
	return b < 0 ? INT64_MIN : INT64_MAX;
}
static inline int64_t recon_sub_sat(int64_t a, int64_t b)
{
	int64_t s;
	if (!__builtin_sub_overflow(a, b, &s))
		return s;
	return b > 0 ? INT64_MIN : INT64_MAX;
}
static inline int64_t recon_neg_sat(int64_t a) { return a == INT64_MIN ? INT64_MAX : -a; }
static inline int64_t recon_abs_sat(int64_t a) { return a < 0 ? recon_neg_sat(a) : a; }

/* recon.c: what every phase shares */
struct finding *recon_add(struct recon *r, enum rclass c, uint8_t kind);
uint32_t recon_str(struct recon *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void recon_unit_finding(struct recon *r, struct finding *f, size_t ui);
void recon_row_finding(struct recon *r, struct finding *f, enum his_kind k, const struct his_row *h);
uint32_t recon_row_name(struct recon *r, enum his_kind k, const struct his_row *h);
void recon_yuan(int64_t fen, char out[32]);
/* how a line was matched (unit.how), for explanations */
const char *recon_how(uint8_t how);
/* "YYYY-MM-DD HH:MM:SS" in the outage's local time ("-" for NO_TIME) */
const char *recon_time(const struct recon *r, int64_t t, char out[64]);
const char *recon_kind_label(int kind);

#endif
