/*
 * journal_int.h - the journal's insides, shared by journal.c and
 * journal_verify.c only.
 */
#ifndef BULU_JOURNAL_INT_H
#define BULU_JOURNAL_INT_H

#include <assert.h>
#include <limits.h>
#include "bulu/journal.h"
#include "bulu/settings.h"

struct qent {
	entry e;
	char *mem; /* one allocation holding the entry's strings */
};

struct journal {
	sqlite3 *db;
	char dir[PATH_MAX];
	char copy[PATH_MAX];       /* JOURNAL_AUDIT without a -shm: a private copy */
	char station[64], dept[128], role[64];
	char tz[64]; /* the station's zone (clock.h); "" for a station made before it was kept */
	uint8_t pk[KEY_PK_BYTES];
	keypair kp;
	int writable, in_txn;
	int check_head;            /* journal_begin checks the head record */
	int force_head;            /* next commit may move the head back */
	int64_t last_seq;          /* committed + queued */
	uint8_t last_hash[ENTRY_HASH_BYTES];
	int64_t batch_invoice;     /* highest invoice number queued; -1 none */
	station_settings set;      /* DIR/station.conf */
	char mirror[PATH_MAX + 80]; /* the head's mirror file; "" none */
	int64_t committed_seq;     /* at journal_begin */
	uint8_t committed_hash[ENTRY_HASH_BYTES];
	char episode[64];
	int drill;
	struct qent *q;
	size_t nq, capq;
	sqlite3_stmt *ins;
};

#define assert_in_txn(j) assert((j)->in_txn)

void journal_path(const journal *j, const char *name, char *out, size_t n);
int journal_sqlerr(journal *j, bulu_err *e, const char *what);
int journal_flush(journal *j, bulu_err *e);
int journal_check_head(journal *j, bulu_err *e);
int journal_quick_check(journal *j, bulu_err *e);
int journal_triggers_present(journal *j);
int journal_station_row_check(journal *j, bulu_err *e);
int journal_ncpu(void);
int journal_open_mode(const char *dir, enum journal_mode mode, int check_head,
                      journal **out, bulu_err *e);

#endif
