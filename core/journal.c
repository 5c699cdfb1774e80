/*
 * journal.c - opening, appending to and committing a station journal.
 *
 * Invariants kept here (and by the triggers in schemas/journal.sql): seq is
 * gapless from 1; each entry chains to the previous hash; an entry reaches
 * the table only with its signature; "saved" is reported only after a
 * durable COMMIT (WAL, synchronous=FULL); the head record never moves
 * backwards except through journal_accept_restore().  Verification lives
 * in journal_verify.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>

#include "bulu/buf.h"
#include "bulu/clock.h"
#include "bulu/fsutil.h"
#include "bulu/head.h"
#include "bulu/json.h"
#include "journal_int.h"

extern const char schema_journal_sql[];

#define FLUSH_AT 4096 /* queued entries signed and inserted per batch */

int journal_default_dir(const char *dir, char *out, size_t n, bulu_err *e)
{
	const char *env = getenv("BULU_HOME"), *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	int w;
	if (dir && *dir)
		w = snprintf(out, n, "%s", dir);
	else if (env && *env)
		w = snprintf(out, n, "%s", env);
	else if (xdg && *xdg)
		w = snprintf(out, n, "%s/bulu/station", xdg);
	else if (home && *home)
		w = snprintf(out, n, "%s/.local/share/bulu/station", home);
	else
		return bulu_errf(e, BULU_BADINPUT, "no station directory: give --dir or set BULU_HOME");
	if (w < 0 || (size_t)w >= n)
		return bulu_errf(e, BULU_BADINPUT, "station directory path is too long");
	return BULU_OK;
}

void journal_path(const journal *j, const char *name, char *out, size_t n)
{
	snprintf(out, n, "%s/%s", j->dir, name);
}

int journal_sqlerr(journal *j, bulu_err *e, const char *what)
{
	int rc = sqlite3_errcode(j->db);
	int code = (rc == SQLITE_FULL || rc == SQLITE_IOERR || rc == SQLITE_READONLY ||
		    rc == SQLITE_CANTOPEN || rc == SQLITE_BUSY || rc == SQLITE_NOMEM)
			   ? BULU_SYSTEM
		   : (rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB) ? BULU_INTEGRITY
		   : (rc == SQLITE_CONSTRAINT) ? BULU_INTEGRITY : BULU_SYSTEM;
	int sys = sqlite3_system_errno(j->db);
	if (rc == SQLITE_FULL || sys == ENOSPC || sys == EDQUOT)
		return bulu_errf(e, BULU_SYSTEM, "%s: the disk is full; nothing was saved. "
				 "Free space (or move the station to another disk) and try again", what);
	if (sys == EFBIG)
		return bulu_errf(e, BULU_SYSTEM, "%s: the file size limit was reached; nothing was saved", what);
	if (rc == SQLITE_READONLY || sys == EROFS)
		return bulu_errf(e, BULU_SYSTEM, "%s: the station directory is read-only; nothing was saved", what);
	int ext = sqlite3_extended_errcode(j->db);
	struct rlimit fl;
	if ((ext == SQLITE_IOERR_WRITE || ext == SQLITE_IOERR_TRUNCATE || rc == SQLITE_IOERR) &&
	    getrlimit(RLIMIT_FSIZE, &fl) == 0 && fl.rlim_cur != RLIM_INFINITY)
		return bulu_errf(e, BULU_SYSTEM, "%s: could not write: the file size limit (ulimit -f, "
				 "%llu bytes) was reached, or the disk failed; nothing was saved", what,
				 (unsigned long long)fl.rlim_cur);
	if (ext == SQLITE_IOERR_WRITE || ext == SQLITE_IOERR_FSYNC || ext == SQLITE_IOERR_TRUNCATE)
		return bulu_errf(e, BULU_SYSTEM, "%s: could not write to the disk (full, removed or "
				 "failing?); nothing was saved", what);
	return bulu_errf(e, code, "%s: %s", what, sqlite3_errmsg(j->db));
}

static int exec(journal *j, const char *sql, bulu_err *e)
{
	if (sqlite3_exec(j->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return journal_sqlerr(j, e, "journal.db");
	return BULU_OK;
}

static int open_db(journal *j, int create, int readonly, bulu_err *e)
{
	char path[PATH_MAX + 16];
	if (j->copy[0])
		snprintf(path, sizeof path, "%s/journal.db", j->copy);
	else
		journal_path(j, "journal.db", path, sizeof path);
	if (!create && !fs_exists(path))
		return bulu_errf(e, BULU_BADINPUT,
				 "no station in %s (no journal.db): run `bulu station init` first, or give --dir",
				 j->dir);
	int flags = (readonly ? SQLITE_OPEN_READONLY | SQLITE_OPEN_URI : SQLITE_OPEN_READWRITE) |
		    (create ? SQLITE_OPEN_CREATE : 0);
	char uri[3 * PATH_MAX + 64];
	if (readonly) {
		/* Read-only, and the -shm opened read-only too (readonly_shm):
		 * a reader otherwise marks its place in it, and a closing
		 * connection may checkpoint; an auditor's read changes no byte. */
		size_t o = 0;
		o += (size_t)snprintf(uri, sizeof uri, "file:");
		for (const unsigned char *p = (const unsigned char *)path; *p && o + 4 < sizeof uri; p++) {
			if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
			    *p == '/' || *p == '.' || *p == '-' || *p == '_')
				uri[o++] = (char)*p;
			else
				o += (size_t)snprintf(uri + o, sizeof uri - o, "%%%02X", *p);
		}
		snprintf(uri + o, sizeof uri - o, "?mode=ro&readonly_shm=1");
	}
	if (sqlite3_open_v2(readonly ? uri : path, &j->db, flags, NULL) != SQLITE_OK)
		return journal_sqlerr(j, e, path);
	sqlite3_busy_timeout(j->db, 10000);
	sqlite3_extended_result_codes(j->db, 0);
	/* Durability is set explicitly on every connection: a save is on
	 * disk before "saved" is printed. */
	if (!readonly && exec(j, "PRAGMA journal_mode=WAL", e) != BULU_OK)
		return e->code;
	return exec(j, "PRAGMA synchronous=FULL", e);
}

/*
 * A capture is one short process: the checkpoint SQLite runs when the last
 * connection closes, and re-creating the WAL file on the next open, would
 * cost three more fsyncs per save.  Writers therefore keep the WAL file and
 * leave checkpoints to SQLite's automatic ones (every 1000 pages); readers
 * (verify, show, summary) still checkpoint as they close, so journal.db on
 * its own is brought up to date whenever someone reads it.
 */
static void writer_tuning(journal *j)
{
	int on = 1;
	sqlite3_db_config(j->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	sqlite3_file_control(j->db, "main", SQLITE_FCNTL_PERSIST_WAL, &on);
	/* Room for a bulk import's pages in memory until COMMIT, so they are
	 * not spilled into the WAL mid-transaction (allocated only as used). */
	sqlite3_exec(j->db, "PRAGMA cache_size = -262144", NULL, NULL, NULL);
}

static int load_station(journal *j, bulu_err *e)
{
	sqlite3_stmt *st = NULL;
	int rc = BULU_OK;
	if (sqlite3_prepare_v2(j->db, "SELECT id, dept, role, pubkey FROM station", -1, &st, NULL) != SQLITE_OK)
		return bulu_errf(e, BULU_INTEGRITY, "%s/journal.db is not a bulu journal", j->dir);
	if (sqlite3_step(st) != SQLITE_ROW || sqlite3_column_bytes(st, 3) != KEY_PK_BYTES) {
		rc = bulu_errf(e, BULU_INTEGRITY, "%s/journal.db has no valid station record", j->dir);
	} else {
		snprintf(j->station, sizeof j->station, "%s", (const char *)sqlite3_column_text(st, 0));
		snprintf(j->dept, sizeof j->dept, "%s", (const char *)sqlite3_column_text(st, 1));
		snprintf(j->role, sizeof j->role, "%s", (const char *)sqlite3_column_text(st, 2));
		memcpy(j->pk, sqlite3_column_blob(st, 3), KEY_PK_BYTES);
	}
	sqlite3_finalize(st);
	/* The station's zone; a station made before the zone was kept has no
	 * tz column and keeps the machine's zone. */
	j->tz[0] = '\0';
	if (rc == BULU_OK && sqlite3_prepare_v2(j->db, "SELECT tz FROM station", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
			snprintf(j->tz, sizeof j->tz, "%s", (const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
		if (clock_use_zone(j->tz) != 0)
			rc = bulu_errf(e, BULU_INTEGRITY, "%s/journal.db: the station's time zone '%s' is not a zone", j->dir, j->tz);
	}
	return rc;
}

/* Read the committed head (last seq and hash) from the table. */
static int load_last(journal *j, bulu_err *e)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(j->db, "SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return journal_sqlerr(j, e, "journal.db");
	j->last_seq = 0;
	memset(j->last_hash, 0, sizeof j->last_hash);
	if (sqlite3_step(st) == SQLITE_ROW) {
		j->last_seq = sqlite3_column_int64(st, 0);
		if (sqlite3_column_bytes(st, 1) == ENTRY_HASH_BYTES)
			memcpy(j->last_hash, sqlite3_column_blob(st, 1), ENTRY_HASH_BYTES);
	}
	sqlite3_finalize(st);
	return BULU_OK;
}

/* The open episode, from the newest outage_start/outage_end entry. */
static int load_episode(journal *j, bulu_err *e)
{
	sqlite3_stmt *st = NULL;
	j->episode[0] = '\0';
	j->drill = 0;
	if (sqlite3_prepare_v2(j->db,
			       "SELECT kind, episode, json_extract(body, '$.drill') FROM entries "
			       "WHERE kind IN ('outage_start', 'outage_end') ORDER BY seq DESC LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK)
		return journal_sqlerr(j, e, "journal.db");
	if (sqlite3_step(st) == SQLITE_ROW &&
	    strcmp((const char *)sqlite3_column_text(st, 0), "outage_start") == 0) {
		snprintf(j->episode, sizeof j->episode, "%s", (const char *)sqlite3_column_text(st, 1));
		j->drill = sqlite3_column_int(st, 2) != 0;
	}
	sqlite3_finalize(st);
	return BULU_OK;
}

/* Check one head record (DIR/head or its mirror, named by what) against
 * the journal: it must hold the recorded seq with the recorded hash. */
static int head_matches(journal *j, const head_rec *h, const char *what, bulu_err *e)
{
	if (h->seq > j->last_seq)
		return bulu_errf(e, BULU_INTEGRITY,
				 "journal.db ends at seq %lld but this station already saved seq %lld "
				 "(%s): it seems restored from an old copy. Writing now would fork the "
				 "chain and reuse references and invoice numbers, so it is refused. Look for the newest station directory (journal.db with "
				 "its -wal file); if IT decides this copy must go on, run `bulu journal "
				 "accept-restore --reason TEXT`",
				 (long long)j->last_seq, (long long)h->seq, what);
	if (h->seq == 0)
		return BULU_OK;
	sqlite3_stmt *st = NULL;
	sqlite3_prepare_v2(j->db, "SELECT hash FROM entries WHERE seq = ?", -1, &st, NULL);
	sqlite3_bind_int64(st, 1, h->seq);
	int same = sqlite3_step(st) == SQLITE_ROW &&
		   sqlite3_column_bytes(st, 0) == ENTRY_HASH_BYTES &&
		   memcmp(sqlite3_column_blob(st, 0), h->hash, ENTRY_HASH_BYTES) == 0;
	sqlite3_finalize(st);
	if (!same)
		return bulu_errf(e, BULU_INTEGRITY,
				 "journal.db's entry %lld is not the one this station saved (%s): the "
				 "journal was replaced or edited. Writing is refused; run `bulu journal "
				 "verify` and call IT", (long long)h->seq, what);
	return BULU_OK;
}

int journal_check_head(journal *j, bulu_err *e)
{
	char path[PATH_MAX];
	head_rec h;
	journal_path(j, "head", path, sizeof path);
	int rc = head_read(path, j->pk, &h, e);
	if (rc == BULU_BADINPUT)
		return bulu_errf(e, BULU_INTEGRITY,
				 "the head record %s is missing, so bulu cannot tell whether this journal "
				 "is the newest copy; writing is refused. If IT has checked that it is, run "
				 "`bulu journal accept-restore --reason TEXT`", path);
	if (rc != BULU_OK)
		return bulu_errf(e, BULU_INTEGRITY, "%s; writing is refused. Run `bulu journal verify` "
				 "and call IT", e->msg);
	if ((rc = head_matches(j, &h, "the head record in the station directory", e)) != BULU_OK)
		return rc;
	if (!j->mirror[0])
		return BULU_OK;
	rc = head_read(j->mirror, j->pk, &h, e);
	if (rc == BULU_BADINPUT) /* none yet (a new machine): the commit makes it */
		return BULU_OK;
	if (rc != BULU_OK)
		return bulu_errf(e, BULU_INTEGRITY, "%s; writing is refused. Run `bulu journal verify` "
				 "and call IT", e->msg);
	char what[PATH_MAX + 100];
	snprintf(what, sizeof what, "the mirror of the head record, %s", j->mirror);
	return head_matches(j, &h, what, e);
}

/* The mirror of the head record: MIRRORDIR/STATION-KEYID.head. */
static void mirror_path(journal *j)
{
	char dir[PATH_MAX], id[17];
	uint8_t raw[KEY_ID_BYTES];
	settings_mirror_dir(&j->set, dir, sizeof dir);
	j->mirror[0] = '\0';
	if (!dir[0])
		return;
	keys_key_id(j->pk, raw);
	keys_key_id_hex(raw, id);
	snprintf(j->mirror, sizeof j->mirror, "%s/%s-%s.head", dir, j->station, id);
}

static int journal_alloc(const char *dir, journal **out, bulu_err *e)
{
	journal *j = calloc(1, sizeof *j);
	if (!j)
		return bulu_errf(e, BULU_SYSTEM, "out of memory");
	if (journal_default_dir(dir, j->dir, sizeof j->dir, e) != BULU_OK) {
		free(j);
		return e->code;
	}
	*out = j;
	return keys_init(e);
}

static int copy_file(const char *from, const char *to, bulu_err *e)
{
	int in = open(from, O_RDONLY | O_CLOEXEC), out = -1, rc = BULU_OK;
	if (in < 0)
		return errno == ENOENT ? BULU_OK
				       : bulu_errf(e, BULU_SYSTEM, "cannot read %s: %s", from, strerror(errno));
	out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	char b[65536];
	ssize_t n = 0;
	while (out >= 0 && (n = read(in, b, sizeof b)) > 0)
		if (write(out, b, (size_t)n) != n) {
			n = -1;
			break;
		}
	if (out < 0 || n < 0)
		rc = bulu_errf(e, BULU_SYSTEM, "cannot copy %s to read it: %s", from, strerror(errno));
	close(in);
	if (out >= 0)
		close(out);
	return rc;
}

/* A private copy of journal.db and its -wal in a new directory under
 * $TMPDIR, for JOURNAL_AUDIT when the original cannot be read unchanged. */
static int audit_copy(journal *j, bulu_err *e)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(j->copy, sizeof j->copy, "%s/bulu-verify.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(j->copy)) {
		j->copy[0] = '\0';
		return bulu_errf(e, BULU_SYSTEM, "cannot make a directory to read a copy of the journal in: %s",
				 strerror(errno));
	}
	char from[PATH_MAX], to[PATH_MAX + 16];
	journal_path(j, "journal.db", from, sizeof from);
	snprintf(to, sizeof to, "%s/journal.db", j->copy);
	int rc = copy_file(from, to, e);
	journal_path(j, "journal.db-wal", from, sizeof from);
	snprintf(to, sizeof to, "%s/journal.db-wal", j->copy);
	if (rc == BULU_OK)
		rc = copy_file(from, to, e);
	return rc;
}

int journal_open_mode(const char *dir, enum journal_mode mode, int check_head,
		      journal **out, bulu_err *e)
{
	journal *j = NULL;
	*out = NULL;
	int rc = journal_alloc(dir, &j, e);
	if (rc == BULU_OK)
		rc = open_db(j, 0, mode == JOURNAL_AUDIT, e);
	if (rc == BULU_OK)
		rc = load_station(j, e);
	if (rc != BULU_OK && mode == JOURNAL_AUDIT && j->db &&
	    sqlite3_errcode(j->db) == SQLITE_CANTOPEN) {
		/* No -shm beside the -wal (a copy handed to an auditor): SQLite
		 * would have to create one.  Read a private copy instead. */
		sqlite3_close(j->db);
		j->db = NULL;
		rc = audit_copy(j, e);
		if (rc == BULU_OK)
			rc = open_db(j, 0, 0, e);
		if (rc == BULU_OK)
			rc = load_station(j, e);
	}
	if (rc == BULU_OK)
		rc = load_last(j, e);
	if (rc == BULU_OK)
		rc = load_episode(j, e);
	if (rc == BULU_OK) {
		bulu_err se;
		int src = settings_load(j->dir, &j->set, &se);
		if (src != BULU_OK && mode == JOURNAL_WRITE)
			rc = bulu_errf(e, src, "%s", se.msg);
		mirror_path(j);
	}
	if (rc == BULU_OK && mode == JOURNAL_WRITE) {
		char path[PATH_MAX];
		journal_path(j, "secret.key", path, sizeof path);
		j->writable = 1;
		writer_tuning(j);
		rc = keys_load_secret(path, NULL, &j->kp, e);
		if (rc == BULU_OK && memcmp(j->kp.pk, j->pk, KEY_PK_BYTES) != 0)
			rc = bulu_errf(e, BULU_INTEGRITY, "%s is not the key of station %s", path, j->station);
		/* The head is checked in journal_begin, under the write lock:
		 * here another process could commit and advance it between our
		 * reading the journal and reading the record. */
		j->check_head = check_head;
	}
	if (rc != BULU_OK) {
		journal_close(j);
		return rc;
	}
	*out = j;
	return BULU_OK;
}

int journal_open(const char *dir, enum journal_mode mode, journal **out, bulu_err *e)
{
	return journal_open_mode(dir, mode, 1, out, e);
}

static void queue_clear(journal *j)
{
	for (size_t i = 0; i < j->nq; i++)
		free(j->q[i].mem);
	j->nq = 0;
}

void journal_close(journal *j)
{
	if (!j)
		return;
	if (j->in_txn)
		journal_rollback(j);
	queue_clear(j);
	free(j->q);
	sqlite3_finalize(j->ins);
	sqlite3_close(j->db);
	keys_free(&j->kp);
	if (j->copy[0]) {
		static const char *const names[] = {"journal.db", "journal.db-wal", "journal.db-shm"};
		char path[PATH_MAX + 16];
		for (size_t i = 0; i < 3; i++) {
			snprintf(path, sizeof path, "%s/%s", j->copy, names[i]);
			unlink(path);
		}
		rmdir(j->copy);
	}
	free(j);
}

sqlite3 *journal_db(journal *j) { return j->db; }
const char *journal_dir(journal *j) { return j->dir; }
const char *journal_station(journal *j) { return j->station; }
const char *journal_dept(journal *j) { return j->dept; }
const char *journal_role(journal *j) { return j->role; }
const char *journal_tz(journal *j) { return j->tz; }
const uint8_t *journal_pubkey(journal *j) { return j->pk; }
const keypair *journal_keypair(journal *j) { return j->writable ? &j->kp : NULL; }
int64_t journal_last_seq(journal *j) { return j->last_seq; }
const struct station_settings *journal_settings(journal *j) { return &j->set; }

int journal_begin(journal *j, bulu_err *e)
{
	if (!j->writable)
		return bulu_errf(e, BULU_SYSTEM, "journal opened read-only");
	if (exec(j, "BEGIN IMMEDIATE", e) != BULU_OK)
		return e->code;
	j->in_txn = 1;
	/* Another process may have committed since we opened: re-read. */
	int rc = load_last(j, e);
	if (rc == BULU_OK)
		rc = load_episode(j, e);
	j->committed_seq = j->last_seq;
	memcpy(j->committed_hash, j->last_hash, ENTRY_HASH_BYTES);
	j->batch_invoice = -1;
	if (rc == BULU_OK && j->check_head)
		rc = journal_check_head(j, e);
	if (rc == BULU_OK && j->committed_seq > 0)
		rc = journal_quick_check(j, e);
	if (rc != BULU_OK)
		journal_rollback(j);
	return rc;
}

int journal_episode(journal *j, char id[64], int *drill, bulu_err *e)
{
	(void)e;
	snprintf(id, 64, "%s", j->episode);
	*drill = j->drill;
	return BULU_OK;
}

/* Remember the highest invoice number a queued entry uses (the head
 * record keeps it, so a restored old copy never hands it out again). */
static void note_invoice(journal *j, const char *kind, const char *body)
{
	static const char key[] = "\"invoice_no\":\"";
	if (strcmp(kind, "charge") != 0 && strcmp(kind, "registration") != 0 &&
	    strcmp(kind, "invoice_void") != 0)
		return;
	const char *p = strstr(body, key);
	if (!p)
		return;
	p += sizeof key - 1;
	int64_t v = 0;
	int n = 0;
	for (; p[n] >= '0' && p[n] <= '9' && n < 18; n++)
		v = v * 10 + (p[n] - '0');
	if (n > 0 && p[n] == '"' && v > j->batch_invoice)
		j->batch_invoice = v;
}

static char *dupcat(const char **parts, size_t *lens, int n, const char **outs)
{
	size_t total = 0;
	for (int i = 0; i < n; i++)
		total += lens[i] + 1;
	char *mem = malloc(total), *p = mem;
	if (!mem)
		return NULL;
	for (int i = 0; i < n; i++) {
		memcpy(p, parts[i], lens[i]);
		p[lens[i]] = '\0';
		outs[i] = p;
		p += lens[i] + 1;
	}
	return mem;
}

int journal_append(journal *j, const char *kind, const char *operator_,
		   const char *episode, const char *recorded_at, const char *body,
		   size_t body_len, int64_t *seq, bulu_err *e)
{
	assert_in_txn(j);
	if (!entry_kind_known(kind))
		return bulu_errf(e, BULU_BADINPUT, "unknown entry kind '%s'", kind);
	if (j->nq >= FLUSH_AT && journal_flush(j, e) != BULU_OK)
		return e->code;
	if (j->nq == j->capq) {
		size_t cap = j->capq ? 2 * j->capq : 64;
		struct qent *q = realloc(j->q, cap * sizeof *q);
		if (!q)
			return bulu_errf(e, BULU_SYSTEM, "out of memory");
		j->q = q;
		j->capq = cap;
	}
	char now[CLOCK_ISO_MAX];
	if (!recorded_at) {
		clock_now_iso(now);
		recorded_at = now;
	}
	const char *parts[5] = {kind, recorded_at, operator_ ? operator_ : "",
				episode ? episode : "", body};
	size_t lens[5];
	for (int i = 0; i < 4; i++)
		lens[i] = strlen(parts[i]);
	lens[4] = body_len;
	const char *outs[5];
	struct qent *q = &j->q[j->nq];
	memset(q, 0, sizeof *q);
	q->mem = dupcat(parts, lens, 5, outs);
	if (!q->mem)
		return bulu_errf(e, BULU_SYSTEM, "out of memory");
	entry *en = &q->e;
	en->station = j->station;
	en->seq = j->last_seq + 1;
	memcpy(en->prev_hash, j->last_hash, ENTRY_HASH_BYTES);
	en->kind = outs[0];
	en->recorded_at = outs[1];
	en->operator_ = outs[2];
	en->episode = outs[3];
	en->body = outs[4];
	en->body_len = body_len;
	entry_hash(en, en->hash);
	note_invoice(j, kind, en->body);
	j->nq++;
	j->last_seq = en->seq;
	memcpy(j->last_hash, en->hash, ENTRY_HASH_BYTES);
	if (strcmp(kind, "outage_start") == 0) {
		snprintf(j->episode, sizeof j->episode, "%s", en->episode);
		j->drill = strstr(body, "\"drill\":true") != NULL;
	} else if (strcmp(kind, "outage_end") == 0) {
		j->episode[0] = '\0';
		j->drill = 0;
	}
	if (seq)
		*seq = en->seq;
	return BULU_OK;
}

/*
 * Signing is the cost of a save.  A batch is cut into chunks of SIGN_CHUNK
 * entries; worker threads claim chunks in order and sign them, while this
 * thread inserts each chunk as soon as it is signed (signing a chunk itself
 * whenever the next one is not ready), so the cores sign while SQLite
 * inserts.  Invariant: an entry reaches the table only after its chunk's
 * done flag is set with release order.
 */
#define SIGN_CHUNK 64

struct signing {
	struct qent *q;
	size_t n, nchunks;
	const uint8_t *sk;
	atomic_size_t next;  /* next chunk to claim */
	atomic_uchar *done;  /* per chunk: 1 when signed */
};

static void sign_chunk(struct signing *s, size_t c)
{
	size_t to = (c + 1) * SIGN_CHUNK < s->n ? (c + 1) * SIGN_CHUNK : s->n;
	for (size_t i = c * SIGN_CHUNK; i < to; i++)
		crypto_sign_detached(s->q[i].e.sig, NULL, s->q[i].e.hash,
				     ENTRY_HASH_BYTES, s->sk);
	atomic_store_explicit(&s->done[c], 1, memory_order_release);
}

/* Claim and sign one chunk; 0 when none is left to claim. */
static int sign_next(struct signing *s)
{
	size_t c = atomic_fetch_add(&s->next, 1);
	if (c >= s->nchunks)
		return 0;
	sign_chunk(s, c);
	return 1;
}

static void *signer(void *arg)
{
	while (sign_next(arg))
		;
	return NULL;
}

int journal_ncpu(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > 16 ? 16 : (int)n;
}

static int insert_one(journal *j, const entry *en, bulu_err *e)
{
	sqlite3_stmt *st = j->ins;
	sqlite3_bind_text(st, 1, en->station, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, en->seq);
	sqlite3_bind_blob(st, 3, en->prev_hash, ENTRY_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, en->hash, ENTRY_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_blob(st, 5, en->sig, ENTRY_SIG_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, en->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, en->recorded_at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, en->operator_, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, en->episode, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, en->body, (int)en->body_len, SQLITE_STATIC);
	int rc = sqlite3_step(st) == SQLITE_DONE ? BULU_OK
						: journal_sqlerr(j, e, "saving to journal.db");
	sqlite3_reset(st);
	return rc;
}

/* Sign and insert every queued entry, the two overlapped. */
static int sign_and_insert(journal *j, bulu_err *e)
{
	struct signing s = {j->q, j->nq, (j->nq + SIGN_CHUNK - 1) / SIGN_CHUNK, j->kp.sk, 0, NULL};
	s.done = calloc(s.nchunks, sizeof *s.done);
	if (!s.done)
		return bulu_errf(e, BULU_SYSTEM, "out of memory");
	pthread_t th[16];
	int nt = s.nchunks > 1 ? journal_ncpu() - 1 : 0, started = 0, rc = BULU_OK;
	for (int t = 0; t < nt; t++)
		if (pthread_create(&th[started], NULL, signer, &s) == 0)
			started++;
	for (size_t c = 0; c < s.nchunks; c++) {
		while (!atomic_load_explicit(&s.done[c], memory_order_acquire))
			if (!sign_next(&s))
				sched_yield(); /* a worker is finishing chunk c */
		size_t to = (c + 1) * SIGN_CHUNK < s.n ? (c + 1) * SIGN_CHUNK : s.n;
		for (size_t i = c * SIGN_CHUNK; i < to && rc == BULU_OK; i++)
			rc = insert_one(j, &j->q[i].e, e);
		if (rc != BULU_OK) {
			atomic_store(&s.next, s.nchunks); /* stop the workers */
			break;
		}
	}
	for (int t = 0; t < started; t++)
		pthread_join(th[t], NULL);
	free(s.done);
	return rc;
}

int journal_flush(journal *j, bulu_err *e)
{
	if (j->nq == 0)
		return BULU_OK;
	if (!j->ins &&
	    sqlite3_prepare_v3(j->db,
			       "INSERT INTO entries (station, seq, prev_hash, hash, sig, kind, "
			       "recorded_at, operator, episode, body) VALUES (?,?,?,?,?,?,?,?,?,?)",
			       -1, SQLITE_PREPARE_PERSISTENT, &j->ins, NULL) != SQLITE_OK)
		return journal_sqlerr(j, e, "journal.db");
	int rc = sign_and_insert(j, e);
	if (rc == BULU_OK)
		queue_clear(j);
	return rc;
}

struct mirror_job {
	journal *j;
	int rc;
	bulu_err e;
};

/* Move the head's mirror on (making its directory when it is missing). */
static void *mirror_write(void *arg)
{
	struct mirror_job *m = arg;
	journal *j = m->j;
	m->rc = head_advance(j->mirror, j->station, &j->kp, j->last_seq, j->last_hash,
			     j->batch_invoice, j->force_head, &m->e);
	if (m->rc != BULU_OK) {
		char dir[PATH_MAX];
		snprintf(dir, sizeof dir, "%s", j->mirror);
		char *slash = strrchr(dir, '/');
		if (slash)
			*slash = '\0';
		if (fs_mkdirs(dir, 0700, &m->e) == BULU_OK)
			m->rc = head_advance(j->mirror, j->station, &j->kp, j->last_seq, j->last_hash,
					     j->batch_invoice, j->force_head, &m->e);
	}
	return NULL;
}

int journal_commit(journal *j, bulu_err *e)
{
	assert_in_txn(j);
	int rc = journal_flush(j, e);
	if (rc == BULU_OK && sqlite3_exec(j->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		rc = journal_sqlerr(j, e, "saving to journal.db");
	if (rc != BULU_OK) {
		journal_rollback(j);
		return rc;
	}
	j->in_txn = 0;
	/* The entries are durable now.  The head record and its mirror
	 * follow, written at the same time (two fdatasyncs overlapped, not
	 * one after the other); if we die before they are written, the
	 * journal is merely ahead of them, which is allowed (only "behind"
	 * means an old copy). */
	char path[PATH_MAX];
	bulu_err he;
	journal_path(j, "head", path, sizeof path);
	struct mirror_job m = {j, BULU_OK, {0, ""}};
	pthread_t th;
	int threaded = j->mirror[0] && pthread_create(&th, NULL, mirror_write, &m) == 0;
	if (head_advance(path, j->station, &j->kp, j->last_seq, j->last_hash, j->batch_invoice,
			 j->force_head, &he) != BULU_OK)
		fprintf(stderr, "bulu: warning: saved, but %s\n", he.msg);
	if (threaded)
		pthread_join(th, NULL);
	else if (j->mirror[0])
		mirror_write(&m);
	if (j->mirror[0] && m.rc != BULU_OK)
		fprintf(stderr, "bulu: warning: saved, but the mirror of the head record: %s\n", m.e.msg);
	j->force_head = 0;
	return BULU_OK;
}

void journal_rollback(journal *j)
{
	if (!j->in_txn)
		return;
	sqlite3_exec(j->db, "ROLLBACK", NULL, NULL, NULL);
	j->in_txn = 0;
	queue_clear(j);
	j->last_seq = j->committed_seq;
	memcpy(j->last_hash, j->committed_hash, ENTRY_HASH_BYTES);
	bulu_err ignore;
	load_episode(j, &ignore);
}

/*
 * The first entry's body binds the whole station row: every column but
 * `one` and `created_at` (which is the entry's recorded_at), the key as
 * hex, `id` as "station", in ascending key order.  A column added to the
 * station table later is bound without a change here.
 */
static int genesis_body(journal *j, buf *out, bulu_err *e)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(j->db, "SELECT * FROM station", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return journal_sqlerr(j, e, "journal.db");
	}
	int n = sqlite3_column_count(st), idx[32], m = 0;
	const char *key[32];
	for (int i = 0; i < n && m < 32; i++) {
		const char *c = sqlite3_column_name(st, i);
		if (strcmp(c, "one") == 0 || strcmp(c, "created_at") == 0)
			continue;
		key[m] = strcmp(c, "id") == 0 ? "station" : c;
		idx[m++] = i;
	}
	for (int a = 1; a < m; a++) /* insertion sort by key, bytewise */
		for (int b = a; b > 0 && strcmp(key[b - 1], key[b]) > 0; b--) {
			const char *tk = key[b];
			int ti = idx[b];
			key[b] = key[b - 1];
			idx[b] = idx[b - 1];
			key[b - 1] = tk;
			idx[b - 1] = ti;
		}
	jw w;
	jw_init(&w);
	jw_obj_begin(&w);
	for (int k = 0; k < m; k++) {
		if (strcmp(key[k], "pubkey") == 0) {
			char pkhex[2 * KEY_PK_BYTES + 1];
			hex_encode(pkhex, j->pk, KEY_PK_BYTES);
			jw_kstr(&w, "pubkey", pkhex);
		} else {
			const char *v = (const char *)sqlite3_column_text(st, idx[k]);
			jw_kstr(&w, key[k], v ? v : "");
		}
	}
	jw_obj_end(&w);
	const char *body;
	size_t blen;
	int rc = BULU_OK;
	if (jw_finish(&w, &body, &blen) != 0)
		rc = bulu_errf(e, BULU_BADINPUT, "station id, department and role must be UTF-8 text");
	else if (buf_put(out, body, blen), out->oom)
		rc = bulu_errf(e, BULU_SYSTEM, "out of memory");
	jw_free(&w);
	sqlite3_finalize(st);
	return rc;
}

static int create_files(journal *j, const char *station, const char *dept,
			const char *role, const char *tz, const char *passphrase, bulu_err *e)
{
	char path[PATH_MAX], text[512], now[CLOCK_ISO_MAX];
	int rc = keys_generate(&j->kp, e);
	if (rc != BULU_OK)
		return rc;
	memcpy(j->pk, j->kp.pk, KEY_PK_BYTES);
	journal_path(j, "secret.key", path, sizeof path);
	if ((rc = keys_save_secret(path, &j->kp, station, passphrase, e)) != BULU_OK)
		return rc;
	char comment[128];
	snprintf(comment, sizeof comment, "bulu station %s public key", station);
	keys_minisign_pubkey(j->pk, comment, text, sizeof text);
	journal_path(j, "public.key", path, sizeof path);
	if ((rc = fs_write_atomic(path, text, strlen(text), 0600, e)) != BULU_OK)
		return rc;
	if ((rc = open_db(j, 1, 0, e)) != BULU_OK)
		return rc;
	if (exec(j, "PRAGMA application_id = 1112886357", e) || /* 'BULU' */
	    exec(j, "PRAGMA user_version = 1", e) || exec(j, "BEGIN IMMEDIATE", e) ||
	    exec(j, schema_journal_sql, e))
		return e->code;
	clock_use_zone(tz);
	clock_now_iso(now);
	sqlite3_stmt *st = NULL;
	sqlite3_prepare_v2(j->db, "INSERT INTO station (one, id, dept, role, pubkey, created_at, tz) "
				  "VALUES (1, ?, ?, ?, ?, ?, ?)", -1, &st, NULL);
	sqlite3_bind_text(st, 1, station, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, dept, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, role, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, j->pk, KEY_PK_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, tz, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? BULU_OK : journal_sqlerr(j, e, "journal.db");
	sqlite3_finalize(st);
	if (rc != BULU_OK)
		return rc;
	snprintf(j->station, sizeof j->station, "%s", station);
	snprintf(j->dept, sizeof j->dept, "%s", dept);
	snprintf(j->role, sizeof j->role, "%s", role);
	snprintf(j->tz, sizeof j->tz, "%s", tz);
	j->in_txn = 1;
	j->writable = 1;
	j->batch_invoice = -1;
	if ((rc = settings_load(j->dir, &j->set, e)) != BULU_OK)
		return rc;
	mirror_path(j);
	const char *body;
	size_t blen;
	buf gb = BUF_INIT;
	rc = genesis_body(j, &gb, e);
	body = gb.p;
	blen = gb.len;
	if (rc == BULU_OK)
		rc = journal_append(j, "station_init", "", "", now, body, blen, NULL, e);
	buf_free(&gb);
	if (rc == BULU_OK)
		rc = journal_commit(j, e);
	return rc;
}

int journal_station_id_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 32)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '_'))
			return 0;
	}
	return 1;
}

int journal_create(const char *dir, const char *station, const char *dept,
		   const char *role, const char *passphrase, bulu_err *e)
{
	return journal_create_tz(dir, station, dept, role, NULL, passphrase, e);
}

int journal_create_tz(const char *dir, const char *station, const char *dept,
		      const char *role, const char *tz, const char *passphrase, bulu_err *e)
{
	char zone[CLOCK_ZONE_MAX];
	if (!tz || !*tz)
		clock_zone_default(zone);
	else if (clock_zone_parse(tz, zone) != 0)
		return bulu_errf(e, BULU_BADINPUT,
				 "time zone '%s' is neither an offset (+08:00) nor a zone name (Asia/Shanghai)", tz);
	if (!journal_station_id_ok(station))
		return bulu_errf(e, BULU_BADINPUT,
				 "station id must be 1-32 letters, digits or '_' (it appears in "
				 "back-fill references BL-STATION-SEQ and in bundle names)");
	journal *j = NULL;
	int rc = journal_alloc(dir, &j, e);
	if (rc != BULU_OK) {
		free(j);
		return rc;
	}
	char path[PATH_MAX];
	if ((rc = fs_mkdirs(j->dir, 0700, e)) != BULU_OK)
		goto done;
	/* A station directory is private whatever it was before: a journal
	 * holds patients' names. */
	if (chmod(j->dir, 0700) != 0) {
		rc = bulu_errf(e, BULU_SYSTEM, "cannot make %s private (mode 0700): %s", j->dir,
			       strerror(errno));
		goto done;
	}
	journal_path(j, "journal.db", path, sizeof path);
	if (fs_exists(path)) {
		rc = bulu_errf(e, BULU_BADINPUT, "%s already holds a station; a station is never re-initialised", j->dir);
		goto done;
	}
	rc = create_files(j, station, dept, role, zone, passphrase, e);
	static const char *const names[] = {"journal.db", "journal.db-wal", "journal.db-shm",
					    "secret.key", "public.key", "head", SETTINGS_FILE};
	for (size_t i = 0; rc == BULU_OK && i < sizeof names / sizeof names[0]; i++) {
		journal_path(j, names[i], path, sizeof path);
		if (chmod(path, 0600) != 0 && errno != ENOENT)
			rc = bulu_errf(e, BULU_SYSTEM, "cannot make %s private (mode 0600): %s", path,
				       strerror(errno));
	}
	if (rc != BULU_OK) {
		sqlite3_close(j->db);
		j->db = NULL;
		j->in_txn = 0;
		for (size_t i = 0; i < sizeof names / sizeof names[0] - 1; i++) {
			journal_path(j, names[i], path, sizeof path);
			unlink(path);
		}
	}
done:
	journal_close(j);
	return rc;
}
