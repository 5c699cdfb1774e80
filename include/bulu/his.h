/*
 * his.h - reading HIS exports through profiles.
 *
 * A hospital's HIS exports registrations, charges, orders, dispenses and
 * invoices as CSV files whose column names, encoding, date format and money
 * unit differ from one HIS to the next.  A profile (a text file; the default
 * is schemas/his-default.profile, embedded in the program; the format is
 * specified in docs/his-profiles.md) says how to read one HIS's files.
 * his_read turns one file into compact rows whose text fields are interned
 * in a strpool shared with the ledger side, so that matching compares
 * integers.
 *
 * Files are read in chunks and fed to libcsv as they come, so a 1 GB export
 * costs the rows, not the file, in memory.
 */
#ifndef BULU_HIS_H
#define BULU_HIS_H

#include <stddef.h>
#include <stdint.h>

#include "bulu/err.h"
#include "bulu/strpool.h"
#include "bulu/text.h"

enum his_kind {
	HIS_REGISTRATIONS,
	HIS_CHARGES,
	HIS_ORDERS,
	HIS_DISPENSES,
	HIS_INVOICES,
	HIS_NKINDS
};

/* bulu's canonical fields of a HIS export (CONTRACT.md). */
enum his_field {
	HF_HIS_ID,       /* 流水号 */
	HF_PATIENT_ID,   /* 患者编号 */
	HF_PATIENT_NAME, /* 姓名 (read for checks, not kept) */
	HF_ITEM_CODE,    /* 项目编码 */
	HF_ITEM_NAME,    /* 项目名称 (read for checks, not kept) */
	HF_QTY,          /* 数量 */
	HF_UNIT_PRICE,   /* 单价 */
	HF_AMOUNT,       /* 金额 */
	HF_OCCURRED_AT,  /* 发生时间 */
	HF_ENTERED_AT,   /* 录入时间 */
	HF_OPERATOR,     /* 操作员 */
	HF_INVOICE_NO,   /* 发票号 */
	HF_DEPT,         /* 科室 */
	HF_REF,          /* 备注: may hold a back-fill reference BL-STATION-SEQ[-LINE] */
	HF_SEX,          /* 性别 */
	HF_DOCTOR,       /* 医生 */
	HF_FEE,          /* 挂号费 */
	HF_SOURCE_NO,    /* 处方/请领单号 */
	HF_STATUS,       /* 状态: 正常/作废 */
	HF_NFIELDS
};

#define HIS_NO_TIME INT64_MIN

/*
 * One row of an export.  Text fields are strpool ids (0 = empty); money is
 * fen; times are seconds since the epoch (HIS_NO_TIME when the cell is empty
 * or the profile maps no column).  For each kind:
 *   registrations: item = dept (the department registered with), qty = 1,
 *                  amount = fee (挂号费), 0 when not given
 *   charges:       amount = 金额, or qty × 单价 when the profile maps no 金额
 *   orders:        amount = 0 unless the export has one
 *   dispenses:     amount = 0 unless the export has one
 *   invoices:      item = 0, qty = 0, amount = 金额 (0 when absent)
 */
struct his_row {
	int64_t qty;
	int64_t amount;      /* fen */
	int64_t occurred;    /* epoch seconds or HIS_NO_TIME */
	int64_t entered;     /* epoch seconds or HIS_NO_TIME */
	int64_t ref_seq;     /* the BL reference found in 备注: seq, 0 when none */
	uint32_t ref_station;/* ... its station (strpool id), 0 when none */
	uint32_t ref_line;   /* ... its line, 0 when the reference has none */
	uint32_t row;        /* the CSV row (the header is row 1) */
	uint32_t his_id;     /* 流水号: his_text(t, his_id); 0 when the export has none.
	                        Kept apart from the pool: it is unique per row, and
	                        interning it cost a quarter of the reading time */
	uint32_t patient;
	uint32_t item;
	uint32_t dept;
	uint32_t operator_;
	uint32_t invoice;
	uint32_t source;     /* 处方/请领单号 */
	uint8_t voided;      /* invoices: status names a void (作废) */
	uint8_t flags;       /* free for the matcher; 0 after his_read */
};

struct his_table {
	enum his_kind kind;
	const char *path;        /* as given, for messages */
	struct his_row *rows;
	size_t n, cap;
	size_t nread;            /* rows read: n, until the caller drops rows it has no use for */
	/*
	 * Set by the caller before his_read (0 by default): the rows' patient
	 * and invoice are then NOT interned but left as texts in t->text
	 * (his_text(t, h->patient), 0 when empty), and source is not kept (0).
	 * Interning a million distinct patient ids and invoice numbers of
	 * ordinary traffic is most of a large export's reading; reconcile
	 * interns only the rows that can matter once it knows the ledger
	 * (recon_prefilter in reconcile/match.c), and clears defer.
	 */
	int defer;
	/*
	 * Set by the caller before his_read (NULL by default): called once, on
	 * the thread that converts, before the first record is converted, so
	 * that the file is read and split while the caller still settles what
	 * conversion needs (reconcile: the outage's time zone, which the ledger
	 * thread reads; it then sets it in the profile).  Non-zero stops
	 * conversion: his_read then fails with BULU_SYSTEM and a message the
	 * caller is to replace with its own.
	 */
	int (*before_conv)(void *arg);
	void *before_conv_arg;
	enum text_enc used;      /* the encoding read */
	int has[HF_NFIELDS];     /* 1 when the file has a column for the field */
	char *text;              /* the 流水号 cells (and deferred texts), NUL-terminated,
	                            one after another */
	size_t text_len, text_cap;
};

/* The 流水号 of a row ("" when none). */
static inline const char *his_text(const struct his_table *t, uint32_t off)
{
	return off ? t->text + off - 1 : "";
}

struct his_profile;

/* "registrations" ... "invoices"; returns 0, or -1 for an unknown name. */
int his_kind_parse(const char *s, enum his_kind *out);
const char *his_kind_name(enum his_kind k);
const char *his_field_name(enum his_field f);

/*
 * Load a profile from a file, or the embedded default when path is NULL.
 * Errors (BULU_BADINPUT) name the file, line and column.
 */
int his_profile_load(const char *path, struct his_profile **out, bulu_err *e);
void his_profile_free(struct his_profile *p);
/* Resolve `timezone = outage`: times written without an offset are in the
 * zone of the outage's restore notice (off, seconds east of UTC), or in the
 * machine's local zone when the ledger has none (have = 0). */
void his_profile_set_outage_tz(struct his_profile *p, int have, int32_t off);
/* [routing]: the destinations of the back-fill of journal kind jkind
 * ("prescription", ...) as written (',' separated: a department, @captured,
 * or @role:ROLE), and why (NULL when not given); NULL when the profile
 * routes the kind nowhere special (the department that captured it). */
const char *his_profile_route(const struct his_profile *p, const char *jkind, const char **why);
/* The profile's name (its `name =` line), for reports. */
const char *his_profile_name(const struct his_profile *p);

/*
 * Read the export at path (or stdin for "-") as kind k.  Rows are appended
 * to t (zero it first; free with his_table_free).  Unknown columns are
 * ignored; a missing required column, a cell that does not parse (money,
 * quantity, time, a malformed BL reference is NOT an error: it is ignored)
 * or malformed CSV is BULU_BADINPUT with "FILE:ROW:COL: what" and t is left
 * empty.  No patient data appears in messages.  t->path points to path,
 * which must outlive t.
 *
 * A file over 1 MiB may be converted on a second thread (started and joined
 * inside the call): nothing else may use pool until his_read returns.
 */
int his_read(const char *path, enum his_kind k, const struct his_profile *p,
	     strpool *pool, struct his_table *t, bulu_err *e);
/*
 * The same over bytes in memory (for fuzzing and tests): name is used in
 * messages and as t->path, and must outlive t.
 */
int his_read_mem(const char *name, const char *data, size_t len, enum his_kind k,
		 const struct his_profile *p, strpool *pool, struct his_table *t,
		 bulu_err *e);
void his_table_free(struct his_table *t);

/*
 * Find a back-fill reference BL-STATION-SEQ[-LINE] in text: anywhere in it,
 * "BL" in either case, STATION 1-32 of [A-Za-z0-9_] (journal_station_id_ok),
 * SEQ 1-18 digits > 0, LINE 1-9 digits > 0; the reference must not be glued
 * to a preceding letter/digit/'_' nor followed by one.  The first
 * well-formed one wins.  Returns 1 and fills the parts (station as a span of
 * text, line 0 when absent), or 0.
 */
int his_find_ref(const char *text, size_t len, const char **station, size_t *station_len,
		 int64_t *seq, uint32_t *line);

#endif
