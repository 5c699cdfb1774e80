/*
 * journal.h - a station's signed, hash-chained, crash-safe SQLite journal.
 *
 * A station directory holds journal.db (SQLite, WAL, synchronous=FULL),
 * secret.key, public.key (minisign format) and head (the durable record of
 * the last committed head, see docs/journal-format.md).
 *
 * Writing: journal_begin() starts an IMMEDIATE transaction; journal_append()
 * builds the next entry (seq, prev_hash, hash) and queues it; the caller may
 * write its own side tables in the same transaction; journal_commit() signs
 * every queued entry (on all cores), inserts them, commits durably, then
 * advances the head record.  An entry is "saved" only when journal_commit()
 * returned BULU_OK.  journal_rollback() forgets everything queued.
 *
 * Invariants: seq is 1, 2, 3 ... without gaps; entry n's prev_hash is entry
 * n-1's hash (zero bytes for n = 1); nothing updates or deletes an entry.
 */
#ifndef BULU_JOURNAL_H
#define BULU_JOURNAL_H

#include <stdint.h>
#include <sqlite3.h>
#include "bulu/err.h"
#include "bulu/entry.h"
#include "bulu/keys.h"

typedef struct journal journal;

enum journal_mode {
	JOURNAL_READ = 0,  /* verify, show: no key needed */
	JOURNAL_WRITE = 1, /* capture: loads the secret key, checks the head */
	JOURNAL_AUDIT = 2  /* verify: strictly read-only; journal.db, its -wal
	                    * and -shm are byte-identical afterwards */
};

/* The station directory: dir if given, else $BULU_HOME, else
 * $XDG_DATA_HOME/bulu/station, else ~/.local/share/bulu/station.
 * Writes into out (size n). */
int journal_default_dir(const char *dir, char *out, size_t n, bulu_err *e);

/*
 * Create a new station in dir: key pair, journal.db with the schema, the
 * genesis entry (kind "station_init": station, dept, role, public key), the
 * head record.  Refuses an existing station.  passphrase may be NULL.
 */
int journal_create(const char *dir, const char *station, const char *dept,
                   const char *role, const char *passphrase, bulu_err *e);
/* The same, keeping the station's time zone tz (clock_zone_parse; NULL or
 * "" for the machine's, clock_zone_default) in the station record.  Every
 * later journal_open() makes it the process's local time (clock_use_zone). */
int journal_create_tz(const char *dir, const char *station, const char *dept,
                      const char *role, const char *tz, const char *passphrase,
                      bulu_err *e);

/* Open an existing station.  JOURNAL_WRITE loads the secret key (refused,
 * BULU_INTEGRITY, if others may read it); journal_begin() then refuses
 * (BULU_INTEGRITY) a journal that is behind or beside its head record, an
 * old copy restored.  That check runs under the write lock, so another
 * process committing at the same moment is never mistaken for a restore. */
int journal_open(const char *dir, enum journal_mode mode, journal **out,
                 bulu_err *e);
void journal_close(journal *j); /* rolls back anything uncommitted; NULL ok */

sqlite3 *journal_db(journal *j);
const char *journal_dir(journal *j);
const char *journal_station(journal *j);
const char *journal_dept(journal *j);
const char *journal_role(journal *j);
/* The station's time zone ("+08:00", "Asia/Shanghai"); "" for a station
 * made before zones were kept (the machine's zone is used). */
const char *journal_tz(journal *j);
const uint8_t *journal_pubkey(journal *j);
/* The station's key pair (secret half loaded): JOURNAL_WRITE only, else NULL. */
const keypair *journal_keypair(journal *j);
/* Station ids go into file names and references: 1-32 ASCII letters,
 * digits or '_' (no '-', which separates a bundle name's parts). */
int journal_station_id_ok(const char *s);
int64_t journal_last_seq(journal *j); /* committed + queued */
/* The station's settings, DIR/station.conf (settings.h). */
struct station_settings;
const struct station_settings *journal_settings(journal *j);

int journal_begin(journal *j, bulu_err *e);
/*
 * Queue the next entry.  recorded_at NULL means the station clock now.
 * body must be canonical JSON (see json.h); it is copied.  *seq receives
 * the entry's seq.  Must be inside journal_begin()/commit.
 */
int journal_append(journal *j, const char *kind, const char *operator_,
                   const char *episode, const char *recorded_at,
                   const char *body, size_t body_len, int64_t *seq,
                   bulu_err *e);
int journal_commit(journal *j, bulu_err *e);
void journal_rollback(journal *j);

/* The open outage episode: *id receives its id ("" when none), *drill 1 for
 * a drill episode.  Looks at queued entries too.  id must hold 64 bytes. */
int journal_episode(journal *j, char id[64], int *drill, bulu_err *e);

/*
 * Verify the whole journal: every hash recomputed from the stored bytes,
 * every link, every signature against the station key, seq gapless, the
 * genesis entry naming this station and key, the triggers present.
 * BULU_OK, or BULU_INTEGRITY naming the first bad seq and why.
 * *count receives the number of entries checked.
 */
int journal_verify(journal *j, int64_t *count, bulu_err *e);

/* The entry columns, in the order journal_entry_from_row() reads them. */
#define JOURNAL_COLUMNS \
	"station, seq, prev_hash, hash, sig, kind, recorded_at, operator, episode, body"
/* Fill en from a row of JOURNAL_COLUMNS (strings borrowed from st, valid
 * until it steps).  -1 when a hash or signature has the wrong length. */
int journal_entry_from_row(sqlite3_stmt *st, entry *en);
/* 1 when en is a station's first entry binding pk: kind station_init, its
 * body naming the key. */
int journal_entry_binds_key(const entry *en, const uint8_t pk[KEY_PK_BYTES]);

/* After a deliberate restore from an old copy: make the head record follow
 * the journal again and append a note entry saying so (with reason). */
int journal_accept_restore(const char *dir, const char *operator_,
                           const char *reason, bulu_err *e);

#endif
