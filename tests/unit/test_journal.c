/*
 * test_journal.c - the journal's promises through its C interface.
 *
 * A station made in a temporary directory; ten thousand entries committed
 * in one transaction (so several batches are signed on all cores) verify
 * with the right count and chain; a rollback, even after a batch reached
 * SQLite, leaves nothing and no gap; the head record refuses an old copy
 * restored over the journal and a journal replaced beside it, lets a
 * journal that is merely ahead of it (a crash between commit and head
 * update) go on, survives a torn slot, and journal_accept_restore() is the
 * deliberate way past a restore; a secret key readable by others is refused.
 * Verification fails on a journal edited from outside (triggers lifted):
 * a changed body (bad hash), a wrong prev_hash (bad link), a borrowed
 * signature (also on the parallel path, the first bad seq named; the last
 * entry's), a missing seq, a removed last entry, dropped triggers; and,
 * re-signed with the station's own key after the edit, an entry naming
 * another station and a first entry binding another key.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>

#include "testutil.h"
#include "bulu/head.h"
#include "bulu/journal.h"
#include "bulu/keys.h"

#define BIG 10000

struct fixture {
	char dir[256];  /* the station directory */
	char root[256]; /* its parent, with room for copies */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	assert_non_null(f);
	assert_non_null(tu_mkdtemp(f->root, sizeof f->root, "tj"));
	snprintf(f->dir, sizeof f->dir, "%s/st", f->root);
	unsetenv("BULU_PASSPHRASE_FILE");
	char state_dir[300];
	snprintf(state_dir, sizeof state_dir, "%s/state", f->root);
	setenv("XDG_STATE_HOME", state_dir, 1); /* the head's mirror goes here */
	bulu_err e = {0};
	if (journal_create(f->dir, "T1", "门诊收费", "cashier", NULL, &e) != BULU_OK)
		fail_msg("journal_create: %s", e.msg);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	tu_rm_tree(f->root);
	free(f);
	return 0;
}

static void path_in(const struct fixture *f, const char *name, char *out, size_t n)
{
	snprintf(out, n, "%s/%s", f->dir, name);
}

static void copy_file(const char *from, const char *to)
{
	int in = open(from, O_RDONLY), out;
	char buf[65536];
	ssize_t n;
	assert_true(in >= 0);
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(out >= 0);
	while ((n = read(in, buf, sizeof buf)) > 0)
		assert_int_equal(write(out, buf, (size_t)n), n);
	assert_int_equal(n, 0);
	close(in);
	close(out);
}

/* The station's key pair, read from its secret.key. */
static void station_kp(const struct fixture *f, keypair *kp)
{
	char path[300];
	bulu_err e = {0};
	path_in(f, "secret.key", path, sizeof path);
	if (keys_load_secret(path, NULL, kp, &e) != BULU_OK)
		fail_msg("keys_load_secret: %s", e.msg);
}

/* head_read with the station's public key. */
static int head_get(const struct fixture *f, const char *path, head_rec *h, bulu_err *e)
{
	keypair kp = {0};
	station_kp(f, &kp);
	int rc = head_read(path, kp.pk, h, e);
	keys_free(&kp);
	return rc;
}

static journal *open_w(const struct fixture *f)
{
	journal *j = NULL;
	bulu_err e = {0};
	if (journal_open(f->dir, JOURNAL_WRITE, &j, &e) != BULU_OK)
		fail_msg("journal_open(WRITE): %s", e.msg);
	return j;
}

/* Append n notes in one transaction; returns the last seq. */
static int64_t add_notes(const struct fixture *f, int n, const char *tag)
{
	journal *j = open_w(f);
	bulu_err e = {0};
	int64_t seq = 0;
	char body[128];
	assert_int_equal(journal_begin(j, &e), BULU_OK);
	for (int i = 0; i < n; i++) {
		int len = snprintf(body, sizeof body, "{\"n\":%d,\"tag\":\"%s\"}", i, tag);
		if (journal_append(j, "note", "测试员", "", NULL, body, (size_t)len, &seq, &e) != BULU_OK)
			fail_msg("journal_append: %s", e.msg);
	}
	if (journal_commit(j, &e) != BULU_OK)
		fail_msg("journal_commit: %s", e.msg);
	assert_int_equal(journal_last_seq(j), seq);
	journal_close(j);
	return seq;
}

/* journal_verify's status, with its count and message. */
static int verify(const struct fixture *f, int64_t *count, bulu_err *e)
{
	journal *j = NULL;
	int rc = journal_open(f->dir, JOURNAL_READ, &j, e);
	if (rc != BULU_OK)
		return rc;
	rc = journal_verify(j, count, e);
	journal_close(j);
	return rc;
}

static void assert_verifies(const struct fixture *f, int64_t want)
{
	int64_t n = -1;
	bulu_err e = {0};
	if (verify(f, &n, &e) != BULU_OK)
		fail_msg("journal_verify: %s", e.msg);
	assert_int_equal(n, want);
}

static int64_t sql_int(const struct fixture *f, const char *sql)
{
	char path[300];
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	path_in(f, "journal.db", path, sizeof path);
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static void test_create(void **state)
{
	struct fixture *f = *state;
	char path[300];
	struct stat sb;
	bulu_err e = {0};
	assert_verifies(f, 1);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM entries WHERE seq = 1 AND kind = 'station_init' "
				    "AND operator = '' AND episode = '' AND prev_hash = zeroblob(32)"), 1);
	path_in(f, "secret.key", path, sizeof path);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	/* A second create over it is refused and changes nothing. */
	assert_int_equal(journal_create(f->dir, "T1", "x", "y", NULL, &e), BULU_BADINPUT);
	assert_verifies(f, 1);
	/* Bad station ids are refused before anything is made. */
	char other[300];
	snprintf(other, sizeof other, "%s/bad", f->root);
	assert_int_equal(journal_create(other, "T-1", "x", "y", NULL, &e), BULU_BADINPUT);
	assert_int_equal(journal_create(other, "", "x", "y", NULL, &e), BULU_BADINPUT);
	assert_int_equal(journal_create(other, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456", "x", "y", NULL, &e),
			 BULU_BADINPUT);
	snprintf(path, sizeof path, "%s/journal.db", other);
	assert_int_not_equal(access(path, F_OK), 0);
}

/* Ten thousand entries in one transaction: three batches of signing. */
static void test_many_in_one_transaction(void **state)
{
	struct fixture *f = *state;
	int64_t last = add_notes(f, BIG, "big");
	assert_int_equal(last, BIG + 1);
	assert_verifies(f, BIG + 1);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM entries"), BIG + 1);
	assert_int_equal(sql_int(f, "SELECT max(seq) - min(seq) + 1 FROM entries"), BIG + 1);
	/* Every link, checked by SQL independently of journal_verify. */
	assert_int_equal(sql_int(f, "SELECT count(*) FROM entries a JOIN entries b ON b.seq = a.seq + 1 "
				    "WHERE b.prev_hash = a.hash"), BIG);
	assert_int_equal(sql_int(f, "SELECT count(DISTINCT hash) FROM entries"), BIG + 1);
	/* Every signature, checked here with libsodium directly. */
	char path[300];
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	uint8_t pk[32];
	path_in(f, "journal.db", path, sizeof path);
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT pubkey FROM station", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	memcpy(pk, sqlite3_column_blob(st, 0), 32);
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT seq, hash, sig FROM entries ORDER BY seq", -1, &st, NULL),
			 SQLITE_OK);
	int64_t n = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (crypto_sign_verify_detached(sqlite3_column_blob(st, 2), sqlite3_column_blob(st, 1), 32, pk) != 0)
			fail_msg("seq %lld: bad signature", (long long)sqlite3_column_int64(st, 0));
		n++;
	}
	assert_int_equal(n, BIG + 1);
	sqlite3_finalize(st);
	sqlite3_close(db);
	/* The head record follows the last entry. */
	head_rec h;
	bulu_err e = {0};
	path_in(f, "head", path, sizeof path);
	assert_int_equal(head_get(f, path, &h, &e), BULU_OK);
	assert_int_equal(h.seq, BIG + 1);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM entries WHERE seq = 10001 AND hash = (SELECT hash "
				    "FROM entries ORDER BY seq DESC LIMIT 1)"), 1);
	/* ...and a further write chains on. */
	assert_int_equal(add_notes(f, 1, "after"), BIG + 2);
	assert_verifies(f, BIG + 2);
}

static void rollback_after(const struct fixture *f, int n)
{
	journal *j = open_w(f);
	bulu_err e = {0};
	int64_t before = journal_last_seq(j), seq = 0;
	assert_int_equal(journal_begin(j, &e), BULU_OK);
	for (int i = 0; i < n; i++)
		assert_int_equal(journal_append(j, "note", "op", "", NULL, "{}", 2, &seq, &e), BULU_OK);
	assert_int_equal(seq, before + n);
	assert_int_equal(journal_last_seq(j), before + n);
	journal_rollback(j);
	assert_int_equal(journal_last_seq(j), before);
	/* The same handle goes on from where the journal really is. */
	assert_int_equal(journal_begin(j, &e), BULU_OK);
	assert_int_equal(journal_append(j, "note", "op", "", NULL, "{\"after\":1}", 11, &seq, &e), BULU_OK);
	assert_int_equal(seq, before + 1);
	assert_int_equal(journal_commit(j, &e), BULU_OK);
	journal_close(j);
}

static void test_rollback_leaves_nothing(void **state)
{
	struct fixture *f = *state;
	rollback_after(f, 3);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM entries"), 2);
	assert_verifies(f, 2);
	/* 5000 > one batch: the first 4096 reached SQLite before the rollback. */
	rollback_after(f, 5000);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM entries"), 3);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM entries WHERE body = '{}'"), 0);
	assert_verifies(f, 3);
	/* Closing with a transaction open rolls it back too. */
	journal *j = open_w(f);
	bulu_err e = {0};
	assert_int_equal(journal_begin(j, &e), BULU_OK);
	assert_int_equal(journal_append(j, "note", "op", "", NULL, "{}", 2, NULL, &e), BULU_OK);
	journal_close(j);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM entries"), 3);
	/* An unknown kind is refused and queues nothing. */
	j = open_w(f);
	assert_int_equal(journal_begin(j, &e), BULU_OK);
	assert_int_equal(journal_append(j, "bogus", "op", "", NULL, "{}", 2, NULL, &e), BULU_BADINPUT);
	assert_int_equal(journal_last_seq(j), 3);
	assert_int_equal(journal_commit(j, &e), BULU_OK);
	journal_close(j);
	assert_verifies(f, 3);
}

/* Copy journal.db aside as a backup would, with its -wal file when there is
 * one (writers keep it; the newest entries may live only there), or put such
 * a copy back consistently: the pair as saved, and no stale -shm. */
static void copy_pair(const char *from_dir, const char *from_prefix, const char *to_dir,
		      const char *to_prefix)
{
	char from[300], to[300];
	snprintf(from, sizeof from, "%s/%sjournal.db", from_dir, from_prefix);
	snprintf(to, sizeof to, "%s/%sjournal.db", to_dir, to_prefix);
	copy_file(from, to);
	snprintf(from, sizeof from, "%s/%sjournal.db-wal", from_dir, from_prefix);
	snprintf(to, sizeof to, "%s/%sjournal.db-wal", to_dir, to_prefix);
	unlink(to);
	if (access(from, F_OK) == 0)
		copy_file(from, to);
}

static void save_copy(const struct fixture *f, const char *as)
{
	copy_pair(f->dir, "", f->root, as);
}

static void restore_copy(const struct fixture *f, const char *as)
{
	char shm[300];
	path_in(f, "journal.db-shm", shm, sizeof shm);
	unlink(shm);
	copy_pair(f->root, as, f->dir, "");
}

/* Try to start writing: open for writing and begin a transaction, where
 * the head record is checked (under the write lock).  Returns the status. */
static int try_write(struct fixture *f, bulu_err *e)
{
	journal *j = NULL;
	int rc = journal_open(f->dir, JOURNAL_WRITE, &j, e);
	if (rc == BULU_OK) {
		rc = journal_begin(j, e);
		journal_close(j);
	}
	return rc;
}

static void test_old_copy_refused(void **state)
{
	struct fixture *f = *state;
	bulu_err e = {0};
	int64_t n = 0;
	assert_int_equal(add_notes(f, 2, "kept"), 3);
	save_copy(f, "old.");
	assert_int_equal(add_notes(f, 2, "lost"), 5);
	restore_copy(f, "old.");

	/* Writing is refused: it would fork the chain at seq 4. */
	assert_int_equal(try_write(f, &e), BULU_INTEGRITY);
	if (!strstr(e.msg, "old copy") || !strstr(e.msg, "5"))
		fail_msg("message does not explain the restore: %s", e.msg);
	/* Reading works, and verify says the journal is behind. */
	assert_int_equal(verify(f, &n, &e), BULU_INTEGRITY);
	if (!strstr(e.msg, "old copy"))
		fail_msg("verify message: %s", e.msg);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM entries"), 3);

	/* The deliberate way on. */
	bulu_err e2 = {0};
	if (journal_accept_restore(f->dir, "it", "backup from Monday is all we have", &e2) != BULU_OK)
		fail_msg("journal_accept_restore: %s", e2.msg);
	assert_verifies(f, 4);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM entries WHERE seq = 4 AND kind = 'note' AND "
				    "json_extract(body, '$.event') = 'restore_accepted' AND "
				    "json_extract(body, '$.lost_head_seq') = 5 AND "
				    "json_extract(body, '$.reason') = 'backup from Monday is all we have' AND "
				    "operator = 'it'"), 1);
	assert_int_equal(add_notes(f, 1, "again"), 5);
	assert_verifies(f, 5);
}

/* A journal holding another entry at the recorded head's seq (replaced,
 * not just older) is refused too. */
static void test_replaced_journal_refused(void **state)
{
	struct fixture *f = *state;
	char head[300], saved[300];
	bulu_err e = {0};
	add_notes(f, 2, "kept");
	save_copy(f, "old.");
	add_notes(f, 2, "first-fork");
	path_in(f, "head", head, sizeof head);
	snprintf(saved, sizeof saved, "%s/head.at5", f->root);
	copy_file(head, saved);
	restore_copy(f, "old.");
	assert_int_equal(journal_accept_restore(f->dir, "it", "test", &e), BULU_OK);
	assert_int_equal(add_notes(f, 1, "second-fork"), 5);
	/* Put back the head record of the first fork: seq 5 exists, but is
	 * not the entry that record names. */
	copy_file(saved, head);
	assert_int_equal(try_write(f, &e), BULU_INTEGRITY);
	if (!strstr(e.msg, "5"))
		fail_msg("message does not name the seq: %s", e.msg);
}

/* A crash between COMMIT and the head update leaves the journal ahead of
 * the record: allowed.  A torn head slot falls back to the other slot. */
static void test_ahead_of_head_allowed(void **state)
{
	struct fixture *f = *state;
	char head[300];
	bulu_err e = {0};
	head_rec h;
	add_notes(f, 1, "a");
	path_in(f, "head", head, sizeof head);
	assert_int_equal(head_get(f, head, &h, &e), BULU_OK);
	assert_int_equal(h.seq, 2);
	head_rec at2 = h;
	add_notes(f, 1, "b");
	assert_int_equal(head_get(f, head, &h, &e), BULU_OK);
	assert_int_equal(h.seq, 3);
	assert_true(h.counter > at2.counter);
	/* Never backwards without force. */
	keypair kp = {0};
	station_kp(f, &kp);
	assert_int_equal(head_advance(head, "T1", &kp, at2.seq, at2.hash, -1, 0, &e), BULU_OK);
	keys_free(&kp);
	assert_int_equal(head_get(f, head, &h, &e), BULU_OK);
	assert_int_equal(h.seq, 3);
	/* Tear the newest slot: the previous head (seq 2) is read back, and
	 * the journal (at 3) is merely ahead of it. */
	int fd = open(head, O_RDWR);
	assert_true(fd >= 0);
	uint8_t junk[40];
	memset(junk, 0xee, sizeof junk);
	assert_int_equal(pwrite(fd, junk, sizeof junk, (off_t)(h.counter % 2) * HEAD_SLOT_BYTES + 24), (ssize_t)sizeof junk);
	close(fd);
	assert_int_equal(head_get(f, head, &h, &e), BULU_OK);
	assert_int_equal(h.seq, 2);
	assert_memory_equal(h.hash, at2.hash, ENTRY_HASH_BYTES);
	assert_int_equal(add_notes(f, 1, "c"), 4);
	assert_int_equal(head_get(f, head, &h, &e), BULU_OK);
	assert_int_equal(h.seq, 4);
	assert_verifies(f, 4);
	/* Both slots torn: writing is refused (cannot tell old from new). */
	fd = open(head, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, junk, sizeof junk, 24), (ssize_t)sizeof junk);
	assert_int_equal(pwrite(fd, junk, sizeof junk, HEAD_SLOT_BYTES + 24), (ssize_t)sizeof junk);
	close(fd);
	assert_int_equal(try_write(f, &e), BULU_INTEGRITY);
}

static void test_key_readable_by_others_refused(void **state)
{
	struct fixture *f = *state;
	char key[300];
	bulu_err e = {0};
	journal *j = NULL;
	path_in(f, "secret.key", key, sizeof key);
	assert_int_equal(chmod(key, 0644), 0);
	assert_int_equal(journal_open(f->dir, JOURNAL_WRITE, &j, &e), BULU_INTEGRITY);
	assert_null(j);
	if (!strstr(e.msg, key) || !strstr(e.msg, "chmod 600"))
		fail_msg("message: %s", e.msg);
	assert_int_equal(chmod(key, 0640), 0);
	assert_int_equal(journal_open(f->dir, JOURNAL_WRITE, &j, &e), BULU_INTEGRITY);
	/* Reading needs no key. */
	assert_int_equal(journal_open(f->dir, JOURNAL_READ, &j, &e), BULU_OK);
	journal_close(j);
	assert_int_equal(chmod(key, 0600), 0);
	assert_int_equal(add_notes(f, 1, "ok"), 2);
}

static void test_passphrase(void **state)
{
	struct fixture *f = *state;
	char dir[300], pf[300];
	bulu_err e = {0};
	journal *j = NULL;
	snprintf(dir, sizeof dir, "%s/locked", f->root);
	assert_int_equal(journal_create(dir, "T2", "药房", "pharmacy", "山高水长 correct horse", &e), BULU_OK);
	snprintf(pf, sizeof pf, "%s/pass", f->root);
	FILE *fp = fopen(pf, "w");
	assert_non_null(fp);
	fputs("wrong horse\n", fp);
	fclose(fp);
	setenv("BULU_PASSPHRASE_FILE", pf, 1);
	assert_int_equal(journal_open(dir, JOURNAL_WRITE, &j, &e), BULU_BADINPUT);
	assert_null(j);
	fp = fopen(pf, "w");
	assert_non_null(fp);
	fputs("山高水长 correct horse\n", fp);
	fclose(fp);
	int rc = journal_open(dir, JOURNAL_WRITE, &j, &e);
	unsetenv("BULU_PASSPHRASE_FILE");
	if (rc != BULU_OK)
		fail_msg("journal_open with the right passphrase: %s", e.msg);
	assert_int_equal(journal_begin(j, &e), BULU_OK);
	assert_int_equal(journal_append(j, "note", "op", "", NULL, "{}", 2, NULL, &e), BULU_OK);
	assert_int_equal(journal_commit(j, &e), BULU_OK);
	int64_t n = 0;
	assert_int_equal(journal_verify(j, &n, &e), BULU_OK);
	assert_int_equal(n, 2);
	journal_close(j);
}

/* Run SQL on journal.db with the append-only triggers lifted for it and put
 * back as they were: an edit from outside bulu, which only verification can
 * catch. */
static void tamper(const struct fixture *f, const char *sql)
{
	char path[300], *err = NULL, *all = NULL;
	sqlite3 *db = NULL;
	path_in(f, "journal.db", path, sizeof path);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	all = sqlite3_mprintf(
		"BEGIN; DROP TRIGGER entries_no_update; DROP TRIGGER entries_no_delete; %s; "
		"CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries BEGIN SELECT RAISE(ABORT, "
		"'journal entries are append-only: a correction is a new entry (bulu capture void)'); END; "
		"CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries BEGIN SELECT RAISE(ABORT, "
		"'journal entries are append-only: a correction is a new entry (bulu capture void)'); END; COMMIT;",
		sql);
	if (sqlite3_exec(db, all, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("tamper: %s", err);
	sqlite3_free(all);
	sqlite3_close(db);
}

/* Verification fails, exit-3 style, naming the first bad seq and why; the
 * count is what verified before it. */
static void assert_fails_at(const struct fixture *f, int64_t seq, const char *why)
{
	int64_t n = -1;
	bulu_err e = {0};
	char want[64];
	assert_int_equal(verify(f, &n, &e), BULU_INTEGRITY);
	snprintf(want, sizeof want, "seq %lld:", (long long)seq);
	if (!strstr(e.msg, want) || !strstr(e.msg, why))
		fail_msg("verify message '%s' lacks '%s' or '%s'", e.msg, want, why);
	assert_int_equal(n, seq - 1);
}

/* 300 notes after the genesis entry: seq 2..301, note n at seq n + 2; more
 * than 256 entries, so signatures are checked on all cores. */
#define NOTES 300

static void test_verify_fails_bad_hash(void **state)
{
	struct fixture *f = *state;
	add_notes(f, NOTES, "v");
	assert_verifies(f, NOTES + 1);
	tamper(f, "UPDATE entries SET body = replace(body, '\"n\":100,', '\"n\":101,') WHERE seq = 102");
	assert_int_equal(sql_int(f, "SELECT count(*) FROM entries WHERE body LIKE '%\"n\":101,%'"), 2);
	assert_fails_at(f, 102, "its hash does not match its stored fields");
}

static void test_verify_fails_bad_link(void **state)
{
	struct fixture *f = *state;
	add_notes(f, NOTES, "v");
	/* seq 150 linked to seq 148 instead of 149 */
	tamper(f, "UPDATE entries SET prev_hash = (SELECT hash FROM entries WHERE seq = 148) WHERE seq = 150");
	assert_fails_at(f, 150, "prev_hash does not link");
}

static void test_verify_fails_bad_signature(void **state)
{
	struct fixture *f = *state;
	add_notes(f, NOTES, "v");
	/* two bad signatures in different threads' ranges: the first is named */
	tamper(f, "UPDATE entries SET sig = (SELECT sig FROM entries WHERE seq = 2) WHERE seq IN (200, 290)");
	assert_fails_at(f, 200, "signature does not verify");
	/* the genesis entry's own signature */
	tamper(f, "UPDATE entries SET sig = (SELECT sig FROM entries WHERE seq = 3) WHERE seq = 1");
	assert_fails_at(f, 1, "signature does not verify");
}

/* After an outside edit of entry `from` (sql), hash, link and sign it and
 * every later entry again with the station's own key, as someone holding
 * secret.key could: only the checks that look inside an entry remain. */
static void resign_from(const struct fixture *f, int64_t from, const char *sql)
{
	char path[300];
	keypair kp = {0};
	bulu_err e = {0};
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	uint8_t prev[ENTRY_HASH_BYTES] = {0};
	tamper(f, sql);
	path_in(f, "secret.key", path, sizeof path);
	if (keys_load_secret(path, NULL, &kp, &e) != BULU_OK)
		fail_msg("keys_load_secret: %s", e.msg);
	path_in(f, "journal.db", path, sizeof path);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT " JOURNAL_COLUMNS " FROM entries WHERE seq >= ?1 - 1 ORDER BY seq",
					    -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, from);
	char *all = sqlite3_mprintf("SELECT 1");
	while (sqlite3_step(st) == SQLITE_ROW) {
		entry en;
		assert_int_equal(journal_entry_from_row(st, &en), 0);
		if (en.seq < from) { /* the entry before: its hash is the link */
			memcpy(prev, en.hash, ENTRY_HASH_BYTES);
			continue;
		}
		memcpy(en.prev_hash, prev, ENTRY_HASH_BYTES);
		entry_hash(&en, en.hash);
		crypto_sign_detached(en.sig, NULL, en.hash, ENTRY_HASH_BYTES, kp.sk);
		char ph[2 * ENTRY_HASH_BYTES + 1], hh[2 * ENTRY_HASH_BYTES + 1], sh[2 * ENTRY_SIG_BYTES + 1];
		hex_encode(ph, en.prev_hash, ENTRY_HASH_BYTES);
		hex_encode(hh, en.hash, ENTRY_HASH_BYTES);
		hex_encode(sh, en.sig, ENTRY_SIG_BYTES);
		char *next = sqlite3_mprintf("%s; UPDATE entries SET prev_hash = x'%s', hash = x'%s', sig = x'%s' WHERE seq = %lld",
					     all, ph, hh, sh, (long long)en.seq);
		sqlite3_free(all);
		all = next;
		memcpy(prev, en.hash, ENTRY_HASH_BYTES);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	keys_free(&kp);
	tamper(f, all);
	sqlite3_free(all);
}

static void test_verify_fails_resigned(void **state)
{
	struct fixture *f = *state;
	add_notes(f, 20, "v");
	/* the control: signed again unchanged, it verifies */
	resign_from(f, 5, "SELECT 1");
	assert_verifies(f, 21);
	/* an entry naming another station, every hash, link and signature good */
	resign_from(f, 5, "UPDATE entries SET station = 'T9' WHERE seq = 5");
	assert_fails_at(f, 5, "names another station");
}

static void test_verify_fails_genesis_key(void **state)
{
	struct fixture *f = *state;
	add_notes(f, 20, "v");
	/* the first entry binding another key, the chain signed again whole */
	resign_from(f, 1, "UPDATE entries SET body = replace(body, '\"pubkey\":\"', '\"pubkey\":\"00') WHERE seq = 1");
	assert_fails_at(f, 1, "does not bind this station's public key");
}

static void test_verify_fails_last_signature(void **state)
{
	struct fixture *f = *state;
	add_notes(f, NOTES, "v");
	/* only the newest entry, the last one checked */
	tamper(f, "UPDATE entries SET sig = (SELECT sig FROM entries WHERE seq = 2) WHERE seq = 301");
	assert_fails_at(f, 301, "signature does not verify");
}

static void test_verify_fails_gap_and_triggers(void **state)
{
	struct fixture *f = *state;
	char path[300], *err = NULL;
	sqlite3 *db = NULL;
	add_notes(f, NOTES, "v");
	tamper(f, "DELETE FROM entries WHERE seq = 301");
	/* a removed last entry: the chain is whole, the head record tells */
	int64_t n = -1;
	bulu_err e = {0};
	assert_int_equal(verify(f, &n, &e), BULU_INTEGRITY);
	if (!strstr(e.msg, "intact up to seq 300") || !strstr(e.msg, "saved seq 301"))
		fail_msg("verify message: %s", e.msg);
	tamper(f, "DELETE FROM entries WHERE seq = 77");
	assert_fails_at(f, 77, "seq 77 is missing");
	/* an intact chain whose triggers were dropped */
	struct fixture g = *f;
	snprintf(g.dir, sizeof g.dir, "%s/st2", f->root);
	if (journal_create(g.dir, "T2", "门诊收费", "cashier", NULL, &e) != BULU_OK)
		fail_msg("journal_create: %s", e.msg);
	assert_verifies(&g, 1);
	path_in(&g, "journal.db", path, sizeof path);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db, "DROP TRIGGER entries_no_delete", NULL, NULL, &err) != SQLITE_OK)
		fail_msg("drop trigger: %s", err);
	sqlite3_close(db);
	assert_int_equal(verify(&g, &n, &e), BULU_INTEGRITY);
	if (!strstr(e.msg, "triggers"))
		fail_msg("verify message: %s", e.msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_in_one_transaction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollback_leaves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_old_copy_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replaced_journal_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ahead_of_head_allowed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_readable_by_others_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_passphrase, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verify_fails_bad_hash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verify_fails_bad_link, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verify_fails_bad_signature, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verify_fails_last_signature, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verify_fails_resigned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verify_fails_genesis_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verify_fails_gap_and_triggers, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
