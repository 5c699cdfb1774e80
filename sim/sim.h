/*
 * sim.h - the outage simulator behind `bulu sim`.
 *
 * The simulator is a model of one hospital outage, kept in memory, and the
 * real tools run over it: every station is made, provisioned, captures and
 * exports with the `bulu` program itself (station init, catalog load,
 * invoice add-book, outage start/end, capture import, sync export), so what
 * comes out is exactly what a hospital's stations would carry to the
 * central office.  The model also knows, line by line, what a careful
 * back-fill would have typed into the HIS; the HIS exports are that, with
 * discrepancies injected, and truth.csv lists each injected discrepancy as
 * the finding `bulu reconcile` must report.
 *
 * Everything drawn is drawn from one seeded generator (xoshiro256**), in a
 * fixed order, so a seed gives the same forms, HIS exports and truth.csv
 * byte for byte.  Keys (and therefore hashes of signatures) are fresh.
 */
#ifndef BULU_SIM_H
#define BULU_SIM_H

#include <stdint.h>
#include <stdio.h>
#include "bulu/buf.h"
#include "bulu/err.h"

/* ---- the seeded generator ---- */
typedef struct sim_rng {
	uint64_t s[4];
} sim_rng;
void sim_rng_seed(sim_rng *r, uint64_t seed);
uint64_t sim_rng_next(sim_rng *r);
/* Uniform in [0, n); n > 0. */
uint64_t sim_rng_below(sim_rng *r, uint64_t n);
/* 1 with probability p. */
int sim_rng_chance(sim_rng *r, double p);

/* ---- the catalog ---- */
typedef struct sim_item {
	const char *code, *name, *pinyin, *unit, *category;
	int64_t price; /* fen */
	int kind;      /* SIM_ITEM_* */
} sim_item;
enum { SIM_ITEM_DRUG, SIM_ITEM_SERVICE, SIM_ITEM_LAB, SIM_ITEM_IMAGING, SIM_ITEM_WARD,
	SIM_ITEM_FEE };
extern const sim_item sim_catalog[];
extern const size_t sim_ncatalog;
int sim_write_catalog(const char *path, bulu_err *e);

/* ---- stations ---- */
enum sim_role { ROLE_CASHIER, ROLE_PHARMACY, ROLE_WARD, ROLE_WARD_PHARMACY, ROLE_LAB, ROLE_IMAGING,
	ROLE_BILLING };
typedef struct sim_station {
	char id[16];
	const char *dept, *role;
	enum sim_role r;
	int64_t last_seq;             /* in its journal */
	int64_t book_from, book_to;   /* cashiers: the manual invoice book */
	int64_t next_invoice;
	const char *operators[3];
	long events, ids;             /* counters: forms made, form ids given */
} sim_station;

/* ---- the model: forms and their lines ---- */
enum sim_kind { SK_REGISTRATION, SK_CARD_ISSUE, SK_CHARGE, SK_PRESCRIPTION, SK_ORDER,
	SK_REQUISITION, SK_DISPENSE, SK_EXAM, SK_INVOICE_VOID, SK_VOID, SK_WARD_CHARGE,
	SK_EXAM_REQUEST, SK_EXAM_CLEAR, SK_SETTLEMENT };

typedef struct sim_line {
	int item;     /* index into sim_catalog */
	int64_t qty;
} sim_line;

#define SIM_MAX_LINES 4
typedef struct sim_form {
	enum sim_kind kind;
	int station;          /* index into sim.stations */
	int64_t seq;          /* the journal seq it got (0 until imported) */
	char id[24];          /* the form id in the import file (its paper number) */
	char patient[16], name[40];
	const char *dept;     /* registration: the clinic; others: the station's */
	const char *operator_;
	int64_t occurred;     /* epoch seconds */
	int64_t invoice;      /* 0 none */
	int64_t fee;          /* registration fee, fen; settlement: the amount */
	int fee_item;         /* registration: its fee item's catalog index + 1, 0: --fee */
	int exchange;         /* charge: the receipt is to be exchanged for an invoice (换票) */
	int ref;              /* dispense / void: the form index it refers to; -1 */
	int bad_ref;          /* dispense: against BL-<ward>-<bad_ref>, a form no journal holds
	                       * (DISPENSE_REF_UNKNOWN); ref_station names the ward */
	int ref_station;      /* with bad_ref: the station index the reference names */
	int voided;           /* a later void form cancels it */
	int drill;            /* captured in the drill: never reconciled */
	int late;             /* back-filled after its deadline */
	int his_stamp_entered;/* the HIS stamps 发生时间 with the typing time */
	int dispense_short;   /* DISPENSE_MISMATCH: the pharmacy gave one less of line 0 */
	int inj;              /* index into sim_classes of the discrepancy injected; -1 */
	int inj_line;         /* the line it was injected on */
	int nlines;
	sim_line lines[SIM_MAX_LINES];
} sim_form;

/* One injected discrepancy: a row of truth.csv. */
typedef struct sim_truth {
	const char *cls, *kind;
	char station[16];
	int64_t seq;
	int line;             /* -1: none */
	char his_id[24];
	char patient[16];
	char item[16];
	char invoice[24];     /* invoice classes: the number (or FROM-TO run) */
	const char *what;
} sim_truth;

typedef struct sim_opts {
	uint64_t seed;
	const char *out;
	long forms;           /* forms captured during the outage */
	long his_rows;        /* minimum rows of the HIS charges export */
	int hours;            /* length of the outage */
	int cashiers, wards;
	double rate;          /* default injection rate per class */
	double rates[16];     /* per class; < 0: the default */
	int quiet;
	const char *bulu;     /* the program to run */
} sim_opts;

typedef struct sim {
	sim_opts o;
	sim_rng rng;
	sim_station *stations;
	int nstations;
	sim_form *forms;
	size_t nforms, capforms;
	sim_truth *truth;
	size_t ntruth, captruth;
	int64_t start, end;   /* the outage, epoch seconds (+08:00 clock) */
	long next_patient, next_inpatient, next_his;
	long invoices_taken, reqs;
	int gap_pending;
	long bundles, entries;
	char err_path[4096];  /* where the steps' messages go */
} sim;

/* The injected classes, in the order truth.csv lists them. */
extern const char *const sim_classes[];
extern const size_t sim_nclasses;
int sim_class_index(const char *name);
/* A new, zeroed truth row of class cls (a string from sim_classes). */
sim_truth *sim_truth_add(sim *s, const char *cls, const char *kind);

/* world.c: stations and the forms of one hour of one station. */
int sim_stations_make(sim *s, bulu_err *e);
sim_form *sim_form_new(sim *s, enum sim_kind kind, int station, int64_t when);
void sim_hour(sim *s, int station, int64_t from, int64_t to);
int sim_write_forms(sim *s, const char *path, int station, size_t first, size_t last,
                    bulu_err *e);
void sim_fmt_time(int64_t t, char out[32], int iso); /* +08:00 clock */
void sim_fmt_invoice(int64_t n, char out[24]);
int64_t sim_form_amount(const sim_form *f, int line);

/* his_out.c: the HIS exports after an imperfect back-fill, and truth.csv. */
int sim_his_write(sim *s, const char *dir, bulu_err *e);
/* DIR/truth.csv: one row per discrepancy injected. */
int sim_truth_write(sim *s, const char *dir, bulu_err *e);

/* sim_cmd.c: run `bulu ARGS...` with the environment given (NULL-ended
 * "NAME=VALUE" strings added to ours); its stdout goes to out_path (or
 * /dev/null when NULL).  Returns its exit status, or -1. */
int sim_run(sim *s, const char *const *env, const char *out_path, const char *const *args);

#endif
