/*
 * his_internal.h - what the parts of the HIS reader share: the loaded
 * profile (his_profile.c), time parsing (his_time.c), the bytes of an
 * export (his_source.c), the streaming reader (his.c), the hand-over of its batches (his_batch.c) and the conversion of
 * its records into rows (his_row.c).  Not a
 * public header: nothing outside reconcile/his*.c includes it.
 */
#ifndef BULU_HIS_INTERNAL_H
#define BULU_HIS_INTERNAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "bulu/his.h"

/* A fixed offset of HIS_TZ_LOCAL means "the machine's local time". */
#define HIS_TZ_LOCAL INT32_MIN
/* the outage's own zone: the restore notice's offset in the ledger */
#define HIS_TZ_OUTAGE (INT32_MIN + 1)

/* date_format tokens. */
enum his_dtok {
	DT_LIT,     /* one literal byte */
	DT_YEAR,    /* YYYY: 4 digits */
	DT_MON2,    /* MM: 2 digits */
	DT_MON,     /* M: 1-2 digits */
	DT_DAY2,    /* DD */
	DT_DAY,     /* D */
	DT_HOUR2,   /* hh */
	DT_HOUR,    /* h */
	DT_MIN2,    /* mm */
	DT_SEC2     /* ss */
};

#define HIS_DATE_MAXTOK 64

/* A compiled date_format: auto, or a token list. */
struct his_datefmt {
	int is_auto;
	int ntok;
	uint8_t tok[HIS_DATE_MAXTOK];  /* enum his_dtok */
	uint8_t lit[HIS_DATE_MAXTOK];  /* the byte of a DT_LIT */
	char text[HIS_DATE_MAXTOK + 1];/* the pattern as written, for messages */
};

/* How one kind's files are read. */
struct his_kprof {
	int present;                   /* the profile has a section for the kind */
	char *names[HF_NFIELDS];       /* '|'-separated header spellings; NULL: no column */
	enum text_enc enc;
	struct his_datefmt date;
	int32_t tz;                    /* seconds east of UTC, or HIS_TZ_LOCAL */
	int money_fen;                 /* 1: money cells are integer fen */
	char *void_status;             /* '|'-separated status values meaning voided */
};

/* [routing]: who types the back-fill of each journal kind (docs/reconcile.md,
 * "Worklists and routing"). */
#define HIS_ROUTE_KINDS 8
struct his_profile {
	char *name;
	char *route[HIS_ROUTE_KINDS];  /* destinations as written, ',' separated; NULL: @captured */
	char *route_why[HIS_ROUTE_KINDS];
	char *file;                    /* where it was loaded from, for messages */
	struct his_kprof k[HIS_NKINDS];
};

/* Is field f one a section [k] may map?  One an export of kind k must have?
 * (charges need amount or unit_price besides: not in this answer.) */
int his_field_allowed(enum his_kind k, enum his_field f);
int his_field_required(enum his_kind k, enum his_field f);

/* Does the trimmed text s[0..n) equal one of the '|'-separated spellings in
 * names (each trimmed of spaces/tabs), ignoring ASCII case? */
int his_name_matches(const char *names, const char *s, size_t n);

/* Compile a date_format value ("auto" or a pattern).  Returns 0, or -1 with
 * a reason in *why (a static string). */
int his_datefmt_compile(const char *s, struct his_datefmt *out, const char **why);

/* Parse "local", "UTC", "Z", "+08:00", "+0800", "-05:30".  Returns 0 or -1. */
int his_tz_parse(const char *s, int32_t *out);

/* Time parsing state: caches of the last date and of local-time offsets
 * per calendar day. */
struct his_clock {
	int64_t last_ymd;             /* y*10000 + m*100 + d of the last date seen */
	int64_t last_days;            /* ... its days since the epoch */
	struct {
		int64_t days;         /* INT64_MIN: empty slot */
		int32_t off;          /* offset of local time on that day */
		int uniform;          /* the offset is the same all day */
	} local[64];
};

void his_clock_init(struct his_clock *c);

/*
 * Convert the time text s[0..n) (already trimmed, not empty) to epoch seconds
 * with format f; a time without an offset is in zone tz (seconds east, or
 * HIS_TZ_LOCAL).  Returns 0, or -1 with *why set to a short reason.
 */
int his_time_parse(struct his_clock *c, const struct his_datefmt *f, int32_t tz,
                   const char *s, size_t n, int64_t *out, const char **why);

/* Days since 1970-01-01 of a proleptic Gregorian date (no validation). */

/*
 * Records on their way from the CSV parser (his.c) to conversion
 * (his_row.c): the cells of the profile's columns, copied end to end into a
 * batch's bytes.  A batch is converted by one thread at a time.
 */
struct his_rec {
	uint32_t row;                  /* CSV row number (the header is 1, or later) */
	uint32_t cset;                 /* bit f: the record has a cell for field f */
	uint32_t off[HF_NFIELDS];      /* the cell: bytes[off .. off + len) */
	uint32_t len[HF_NFIELDS];
};

/* Records per batch.  512 rather than thousands: the batches in flight
 * (HIS_NBATCH) are then a few hundred KiB, fresh pages that every run
 * touches and that stay in the CPU's cache; the hand-overs this adds cost
 * nothing measurable on a large export. */
#define HIS_BATCH_RECS 512

struct his_batch {
	struct his_rec *rec;           /* [HIS_BATCH_RECS] */
	size_t nrec;
	char *bytes;
	size_t blen, bcap;
};

/* The export's header, as conversion needs it: columns and their names. */
struct his_cols {
	int fcol[HF_NFIELDS];          /* 0-based column of each field, -1: none */
	const char *hname[HF_NFIELDS]; /* the column's header name, trimmed */
	int hname_len[HF_NFIELDS];     /* ... its length, cut to at most 64 bytes */
};

struct his_memo;

/* Conversion of records into his_rows: state owned by the converting thread. */
struct his_conv {
	const char *name;              /* the file, for messages */
	enum his_kind kind;
	const struct his_kprof *kp;
	const struct his_cols *cols;
	strpool *pool;
	struct his_table *t;
	struct his_clock clk;
	struct his_memo *memo[HF_NFIELDS];
	bulu_err e;                    /* the first failure */
	int status;
	const struct his_rec *rec;     /* the record being converted */
	const char *bytes;             /* ... and its batch's bytes */
	int gated;                     /* t->before_conv has been called */
};

/* his_fast.c: a line's fields, as the fast path splits them */
struct his_fspan {
	size_t a, b;        /* a field's bytes, s[a..b) */
	int esc;            /* quoted, with "" inside */
};

struct his_split {
	struct his_fspan *spans; /* the last line's fields (freed by the caller) */
	size_t ncap;
};

/* Split the line at s[pos..): its fields into sp->spans, *eol its LF.
 * Returns 1 for a line of the fast path, 0 for libcsv's, -1 when its LF is
 * not in s[..n) yet, -2 out of memory.  A line of nothing but spaces and
 * tabs is a record without fields (*nspan = 0), as libcsv has it. */
int his_split_line(struct his_split *sp, const char *s, size_t pos, size_t n, size_t *nspan, size_t *eol);

void his_conv_init(struct his_conv *c, const char *name, enum his_kind k,
                   const struct his_kprof *kp, const struct his_cols *cols,
                   strpool *pool, struct his_table *t);
void his_conv_free(struct his_conv *c);
/* Append a row to c->t for each record of b, in order; stop at the first
 * bad one (c->status and c->e say why).  Returns c->status. */
int his_conv_batch(struct his_conv *c, const struct his_batch *b);

/* his_batch.c: the hand-over of full batches from the parser (his.c) to
 * conversion (his_row.c), on a second thread when the machine has two CPUs,
 * else at once on the parser's.  Batches are converted in the order they
 * were delivered either way, so the rows and the first error are the same. */
#define HIS_NBATCH 4
struct his_pipeline {
	struct his_conv *conv;
	struct his_batch b[HIS_NBATCH];
	int threaded;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct his_batch *full[HIS_NBATCH];  /* delivered, in order */
	size_t fhead, nfull;
	struct his_batch *spare[HIS_NBATCH];
	size_t nspare;
	int done;                        /* the parser delivers no more */
	int busy;                        /* the thread is converting a batch */
	int stop;                        /* conversion failed */
};
/* Allocate a batch's records and bytes: 0, or -1 out of memory. */
int his_batch_alloc(struct his_batch *b);
/* Start converting on a thread of its own; stay on this one when that is
 * not possible or not worth it. */
void his_pl_start_thread(struct his_pipeline *pl);
/* Hand *cur over for conversion and get an empty batch back in *cur.
 * Returns -1 when conversion has failed (stop parsing). */
int his_pl_deliver(struct his_pipeline *pl, struct his_batch **cur);
/* Wait until everything delivered is converted; -1 when conversion failed. */
int his_pl_drain(struct his_pipeline *pl);
/* Stop the thread (if any) and free the batches. */
void his_pl_finish(struct his_pipeline *pl);

/* his_source.c: the bytes of one export, from a file, standard input or
 * memory, a chunk at a time (his.c's parse). */
struct his_src {
	int fd;              /* -1: memory */
	int own;             /* fd was opened here: his_src_close closes it */
	off_t start;         /* where a seekable fd started */
	int seekable;
	const char *mem;
	size_t memlen, mempos;
	size_t size;         /* the file's size when known, else 0 */
	size_t chunk;        /* bytes to read at a time: 1 MiB from a pipe, else 256 KiB */
};
/* Open path ("-": standard input): 0, or -1 with errno set. */
int his_src_open(struct his_src *src, const char *path);
/* Read data[0..len) as a source (not copied: it must outlive the reading). */
void his_src_mem(struct his_src *src, const char *data, size_t len);
/* Close what his_src_open opened (never standard input). */
void his_src_close(struct his_src *src);
/* Fill up to cap bytes (a short count only at end of input); -1 on error. */
ssize_t his_src_read(struct his_src *s, char *p, size_t cap);
/* Back to where the source started: 0, or -1 (a pipe cannot be). */
int his_src_rewind(struct his_src *s);

#endif
