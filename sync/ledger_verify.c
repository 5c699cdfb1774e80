/*
 * ledger_verify.c - `bulu ledger verify`: everything an auditor can check
 * in a central ledger, without trusting the importer that made it, and
 * without changing a byte of it.
 *
 * Checked, station by station, in seq order (exit 3 naming the first
 * problem):
 *  - the schema is exactly schemas/ledger.sql's (so the append-only
 *    triggers are there) and the file is a bulu ledger;
 *  - the station's key: the roster's (--roster), else the one its seq 1
 *    (station_init) binds; with both, seq 1 must bind the roster's key;
 *  - every entry: its fields give its hash, its station is the row's, its
 *    Ed25519 signature verifies under the key, its prev_hash is the hash of
 *    a held entry at seq - 1 (when that seq is held; seq 1 links to zeros),
 *    and it sits in the right table (drill episodes in drill_entries only);
 *  - the imports record: every held entry lies in the range of a merged or
 *    salvaged import of its station; every merged import's range is held
 *    whole and its signed head is in `heads`; every head names an import;
 *    the counts of each row are possible.
 * Forks, gaps and unlinked seqs are not failures here: they are evidence
 * `sync status` reports.
 *
 * Reading only: a ledger without a WAL beside it (an importer closed it)
 * is opened read-only and immutable, so SQLite takes no lock and creates
 * no -wal or -shm; a ledger with a WAL (an import running, or killed) is
 * copied with its WAL into a private temporary directory and the copy is
 * read (a reader of the original would write its read marks into the
 * -shm).  Either way the ledger, its -wal and -shm are byte-identical
 * afterwards.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bulu/buf.h"
#include "bulu/cli.h"
#include "bulu/fsutil.h"
#include "bulu/ledger.h"
#include "bulu/roster.h"

extern const char schema_ledger_sql[];

static const char usage[] =
	"usage: bulu ledger verify --ledger LEDGER.db [--roster ROSTER]\n"
	"\n"
	"Check a central ledger as an auditor would, reading only (the ledger and\n"
	"its -wal and -shm files are byte-identical afterwards): per station, every\n"
	"entry's hash from its fields, its link to the entry before it, its Ed25519\n"
	"signature under the station's key (the roster's with --roster, else the key\n"
	"its first entry binds), drill entries kept apart; the imports record\n"
	"consistent with the entries and signed heads held; the schema (and its\n"
	"append-only triggers) bulu's own.  Forks and gaps are evidence, not errors:\n"
	"`bulu sync status` lists them.\n"
	"\n"
	"  --ledger FILE   the central ledger\n"
	"  --roster FILE   trusted station keys (default $BULU_ROSTER, if set)\n"
	"\n"
	"Exit 0 verified; 2 bad usage or not a ledger; 3 the first problem named.\n"
	"A ledger with a WAL beside it (an import running or killed) is verified\n"
	"from a private copy made in $TMPDIR.\n";

struct lv {
	sqlite3 *db;
	const roster *ro;
	char why[768];
	int64_t entries, drills, stations, sigs;
};

static int problem(struct lv *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int problem(struct lv *v, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->why, sizeof v->why, fmt, ap);
	va_end(ap);
	return BULU_INTEGRITY;
}

static int sqlfail(struct lv *v, bulu_err *e)
{
	return bulu_errf(e, BULU_SYSTEM, "reading the ledger: %s", sqlite3_errmsg(v->db));
}

/* The schema rows, as check.c compares a bundle's. */
static char *schema_text(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	buf out = BUF_INIT;
	if (sqlite3_prepare_v2(db, "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY name", -1, &st,
			       NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		return NULL;
	}
	int s;
	while ((s = sqlite3_step(st)) == SQLITE_ROW)
		for (int c = 0; c < 4; c++) {
			const char *t = (const char *)sqlite3_column_text(st, c);
			buf_puts(&out, t ? t : "(null)");
			buf_putc(&out, '\x1f');
		}
	sqlite3_finalize(st);
	if (s != SQLITE_DONE || out.oom) {
		buf_free(&out);
		return NULL;
	}
	buf_putc(&out, '\0');
	return out.p;
}

static int schema_check(struct lv *v)
{
	sqlite3 *ref = NULL;
	char *want = NULL, *got = schema_text(v->db);
	if (sqlite3_open_v2(":memory:", &ref, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
	    sqlite3_exec(ref, schema_ledger_sql, NULL, NULL, NULL) == SQLITE_OK)
		want = schema_text(ref);
	sqlite3_close(ref);
	int ok = want && got && strcmp(want, got) == 0;
	free(want);
	free(got);
	return ok ? BULU_OK
		  : problem(v, "its schema is not bulu's ledger schema (a table, index, view or trigger was "
			       "added, changed or dropped: the append-only triggers may be gone)");
}

/* The key a station_init body names ("pubkey":"<64 hex>"); 0 or -1. */
static int init_key(const entry *en, uint8_t pk[KEY_PK_BYTES])
{
	const char *p = strcmp(en->kind, "station_init") == 0 ? strstr(en->body, "\"pubkey\":\"") : NULL;
	char hex[2 * KEY_PK_BYTES + 1];
	if (!p || strlen(p + 10) < 2 * KEY_PK_BYTES)
		return -1;
	memcpy(hex, p + 10, 2 * KEY_PK_BYTES);
	hex[2 * KEY_PK_BYTES] = '\0';
	return hex_decode(pk, KEY_PK_BYTES, hex);
}

/* The station's key into pk: BULU_OK, or a problem. */
static int station_key(struct lv *v, const char *station, uint8_t pk[KEY_PK_BYTES], bulu_err *e)
{
	const roster_entry *re = v->ro ? roster_by_station(v->ro, station) : NULL;
	if (v->ro && !re)
		return problem(v, "station %s is not in the roster: its signatures cannot be trusted", station);
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(v->db, "SELECT " JOURNAL_COLUMNS " FROM all_entries WHERE station = ? AND seq = 1",
			       -1, &st, NULL) != SQLITE_OK)
		return sqlfail(v, e);
	sqlite3_bind_text(st, 1, station, -1, SQLITE_STATIC);
	int rc = BULU_OK, have = 0, s;
	while (rc == BULU_OK && (s = sqlite3_step(st)) == SQLITE_ROW) {
		entry en;
		uint8_t k[KEY_PK_BYTES];
		if (journal_entry_from_row(st, &en) != 0 || init_key(&en, k) != 0)
			rc = problem(v, "station %s seq 1: not a station_init entry naming the station's key", station);
		else if (re && memcmp(k, re->pk, KEY_PK_BYTES) != 0)
			rc = problem(v, "station %s seq 1 binds another key than the roster's", station);
		else if (have && memcmp(k, pk, KEY_PK_BYTES) != 0)
			rc = problem(v, "station %s: two seq 1 entries bind two keys", station);
		else {
			memcpy(pk, k, KEY_PK_BYTES);
			have = 1;
		}
	}
	sqlite3_finalize(st);
	if (rc != BULU_OK)
		return rc;
	if (re) {
		memcpy(pk, re->pk, KEY_PK_BYTES);
		return BULU_OK;
	}
	return have ? BULU_OK
		    : problem(v, "station %s: no key to check its signatures with (its seq 1 is not held): "
				 "give --roster", station);
}

/* Every entry of one station, in seq order. */
static int station_entries(struct lv *v, const char *station, const uint8_t pk[KEY_PK_BYTES], bulu_err *e)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(v->db, "SELECT " JOURNAL_COLUMNS ", drill FROM all_entries WHERE station = ? "
				      "ORDER BY seq", -1, &st, NULL) != SQLITE_OK)
		return sqlfail(v, e);
	sqlite3_bind_text(st, 1, station, -1, SQLITE_STATIC);
	/* The hashes held at the previous seq and at this one (two or more
	 * only at a fork). */
	uint8_t (*prev)[ENTRY_HASH_BYTES] = NULL, (*cur)[ENTRY_HASH_BYTES] = NULL;
	size_t nprev = 0, ncur = 0, cap = 0;
	int64_t prev_seq = 0, cur_seq = 0;
	int rc = BULU_OK, s;
	static const uint8_t zero[ENTRY_HASH_BYTES];
	while (rc == BULU_OK && (s = sqlite3_step(st)) == SQLITE_ROW) {
		entry en;
		uint8_t h[ENTRY_HASH_BYTES];
		int64_t seq = sqlite3_column_int64(st, 1);
		int drill = sqlite3_column_int(st, 10);
		if (seq != cur_seq) {
			uint8_t (*t)[ENTRY_HASH_BYTES] = prev;
			prev = cur;
			cur = t;
			nprev = ncur;
			ncur = 0;
			prev_seq = cur_seq;
			cur_seq = seq;
		}
		if (ncur == cap) {
			size_t nc = cap ? cap * 2 : 4;
			void *a = realloc(prev, nc * ENTRY_HASH_BYTES);
			if (a)
				prev = a;
			void *b = a ? realloc(cur, nc * ENTRY_HASH_BYTES) : NULL;
			if (!b) {
				rc = bulu_errf(e, BULU_SYSTEM, "out of memory");
				break;
			}
			cur = b;
			cap = nc;
		}
		if (journal_entry_from_row(st, &en) != 0) {
			rc = problem(v, "station %s seq %" PRId64 ": a hash or signature of the wrong length", station, seq);
			break;
		}
		if (seq < 1) {
			rc = problem(v, "station %s: an entry with seq %" PRId64, station, seq);
			break;
		}
		entry_hash(&en, h);
		if (memcmp(h, en.hash, ENTRY_HASH_BYTES) != 0) {
			rc = problem(v, "station %s seq %" PRId64 ": the entry does not match its hash (changed after import)",
				     station, seq);
			break;
		}
		if (crypto_sign_verify_detached(en.sig, en.hash, ENTRY_HASH_BYTES, pk) != 0) {
			rc = problem(v, "station %s seq %" PRId64 ": its signature does not verify under the station's key",
				     station, seq);
			break;
		}
		v->sigs++;
		if (drill != (strncmp(en.episode, "DRILL-", 6) == 0)) {
			rc = problem(v, "station %s seq %" PRId64 ": a %s entry in %s", station, seq,
				     drill ? "real" : "drill", drill ? "drill_entries" : "entries");
			break;
		}
		int linked = seq != prev_seq + 1 || nprev == 0; /* the seq before is not held: nothing to check */
		if (seq == 1)
			linked = memcmp(en.prev_hash, zero, ENTRY_HASH_BYTES) == 0;
		for (size_t i = 0; !linked && i < nprev; i++)
			linked = memcmp(prev[i], en.prev_hash, ENTRY_HASH_BYTES) == 0;
		if (!linked && seq == 1) {
			rc = problem(v, "station %s seq 1 links to an entry before it", station);
			break;
		}
		/* An entry whose predecessor is held, but not the one it chains
		 * to, is a fork whose other branch has not arrived: evidence,
		 * listed by sync status as unlinked; its own signature verified. */
		memcpy(cur[ncur++], en.hash, ENTRY_HASH_BYTES);
		if (drill)
			v->drills++;
		else
			v->entries++;
	}
	if (rc == BULU_OK && s != SQLITE_DONE)
		rc = sqlfail(v, e);
	sqlite3_finalize(st);
	free(prev);
	free(cur);
	return rc;
}

/* The imports record against the entries and heads held. */
static int imports_check(struct lv *v, bulu_err *e)
{
	static const char *const q[] = {
		/* 0: an entry no import accounts for */
		"SELECT a.station, a.seq FROM all_entries a WHERE NOT EXISTS (SELECT 1 FROM imports i "
		"WHERE i.station = a.station AND i.result IN ('merged', 'salvaged') AND a.seq >= i.first_seq "
		"AND a.seq <= CASE i.result WHEN 'merged' THEN i.last_seq ELSE i.first_seq + i.entries - 1 END) "
		"LIMIT 1",
		/* 1: a merged import whose range is not held whole */
		"SELECT i.station, i.id FROM imports i WHERE i.result = 'merged' AND (i.last_seq - i.first_seq + 1 "
		"!= i.entries OR (SELECT count(DISTINCT seq) FROM all_entries a WHERE a.station = i.station "
		"AND a.seq BETWEEN i.first_seq AND i.last_seq) != i.entries) LIMIT 1",
		/* 2: a salvaged import whose prefix is not held */
		"SELECT i.station, i.id FROM imports i WHERE i.result = 'salvaged' AND i.entries > 0 AND "
		"(SELECT count(DISTINCT seq) FROM all_entries a WHERE a.station = i.station "
		"AND a.seq BETWEEN i.first_seq AND i.first_seq + i.entries - 1) != i.entries LIMIT 1",
		/* 3: a merged or salvaged import without its signed head */
		"SELECT i.station, i.id FROM imports i WHERE i.result IN ('merged', 'salvaged') AND NOT EXISTS "
		"(SELECT 1 FROM heads h WHERE h.station = i.station AND h.seq = i.last_seq) LIMIT 1",
		/* 4: a head no import names */
		"SELECT h.station, h.seq FROM heads h WHERE NOT EXISTS (SELECT 1 FROM imports i WHERE "
		"i.station = h.station AND i.last_seq = h.seq AND i.result IN ('merged', 'salvaged')) LIMIT 1",
		/* 5: counts that cannot be */
		"SELECT coalesce(station, '?'), id FROM imports WHERE new_entries < 0 OR new_entries > entries "
		"OR forks < 0 OR (result = 'rejected' AND (entries != 0 OR new_entries != 0)) "
		"OR (result != 'rejected' AND (station IS NULL OR first_seq < 1 OR last_seq < first_seq "
		"OR entries > last_seq - first_seq + 1)) LIMIT 1",
		/* 6: a held head whose seq is held with that hash must be the head
		 * the entry is (nothing to check), and one held under another
		 * hash only is a fork (evidence): no query. */
	};
	static const char *const what[][2] = {
		{"seq", "no merged or salvaged import accounts for this entry"},
		{"import", "says merged, but its range is not held whole"},
		{"import", "says salvaged, but its kept entries are not held"},
		{"import", "has no signed head in heads"},
		{"signed head at seq", "names no import"},
		{"import", "has counts that cannot be"},
	};
	for (size_t k = 0; k < sizeof what / sizeof what[0]; k++) {
		sqlite3_stmt *st = NULL;
		if (sqlite3_prepare_v2(v->db, q[k], -1, &st, NULL) != SQLITE_OK)
			return sqlfail(v, e);
		int s = sqlite3_step(st);
		if (s == SQLITE_ROW) {
			char a[128], b[32];
			snprintf(a, sizeof a, "%s", (const char *)sqlite3_column_text(st, 0));
			snprintf(b, sizeof b, "%s", (const char *)sqlite3_column_text(st, 1));
			sqlite3_finalize(st);
			return problem(v, "station %s %s %s: %s", a, what[k][0], b, what[k][1]);
		}
		sqlite3_finalize(st);
		if (s != SQLITE_DONE)
			return sqlfail(v, e);
	}
	return BULU_OK;
}

/* Copy from to to (a new file); 0 or -1. */
static int copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = in ? fopen(to, "wbx") : NULL;
	char b[1 << 16];
	size_t n;
	int rc = in && out ? 0 : -1;
	while (rc == 0 && (n = fread(b, 1, sizeof b, in)) > 0)
		if (fwrite(b, 1, n, out) != n)
			rc = -1;
	if (in && ferror(in))
		rc = -1;
	if (in)
		fclose(in);
	if (out && fclose(out) != 0)
		rc = -1;
	return rc;
}

/* Open path read-only, touching nothing (see the top of the file); *tmpdir
 * names the private copy's directory when one was made (caller removes). */
static int open_ro(const char *path, sqlite3 **db, char *tmpdir, size_t ntmp, bulu_err *e)
{
	char shown[FS_NAME_SHOWN], wal[4200], copy[4300];
	fs_name_shown(path, shown, sizeof shown);
	tmpdir[0] = '\0';
	if (!fs_exists(path))
		return bulu_errf(e, BULU_BADINPUT, "%s: no such ledger", shown);
	snprintf(wal, sizeof wal, "%s-wal", path);
	struct stat sb;
	int with_wal = stat(wal, &sb) == 0 && sb.st_size > 0;
	if (with_wal) {
		const char *t = getenv("TMPDIR");
		snprintf(tmpdir, ntmp, "%s/bulu-verify.XXXXXX", t && *t ? t : "/tmp");
		char copywal[4400];
		if (!mkdtemp(tmpdir)) {
			tmpdir[0] = '\0';
			return bulu_errf(e, BULU_SYSTEM, "cannot make a private copy of %s (its WAL is in use): %s", shown,
					 strerror(errno));
		}
		snprintf(copy, sizeof copy, "%s/ledger.db", tmpdir);
		snprintf(copywal, sizeof copywal, "%s/ledger.db-wal", tmpdir);
		if (copy_file(path, copy) != 0 || copy_file(wal, copywal) != 0)
			return bulu_errf(e, BULU_SYSTEM, "cannot make a private copy of %s in %s: %s", shown, tmpdir,
					 strerror(errno));
		path = copy;
	}
	sqlite3_str *u = sqlite3_str_new(NULL);
	sqlite3_str_appendall(u, "file:");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if (*p == '%' || *p == '?' || *p == '#' || *p < 0x20)
			sqlite3_str_appendf(u, "%%%02X", *p);
		else
			sqlite3_str_appendchar(u, 1, (char)*p);
	}
	sqlite3_str_appendall(u, with_wal ? "?mode=ro" : "?mode=ro&immutable=1");
	char *uri = sqlite3_str_finish(u);
	if (!uri)
		return bulu_errf(e, BULU_SYSTEM, "out of memory");
	int r = sqlite3_open_v2(uri, db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
	sqlite3_free(uri);
	if (r == SQLITE_OK) {
		sqlite3_busy_timeout(*db, 30000);
		r = sqlite3_exec(*db, "PRAGMA query_only = 1", NULL, NULL, NULL);
	}
	sqlite3_stmt *st = NULL;
	int64_t app = -1;
	if (r == SQLITE_OK && sqlite3_prepare_v2(*db, "PRAGMA application_id", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		app = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (r != SQLITE_OK || app < 0)
		return bulu_errf(e, BULU_BADINPUT, "%s: cannot read it as a ledger (%s)", shown, sqlite3_errmsg(*db));
	if (app != 1112886348)
		return bulu_errf(e, BULU_BADINPUT, "%s is not a bulu ledger", shown);
	return BULU_OK;
}

int cmd_ledger_verify(int argc, char **argv)
{
	static const struct option opts[] = {{"ledger", required_argument, 0, 'l'},
					     {"roster", required_argument, 0, 'r'},
					     {"help", no_argument, 0, 'h'},
					     {0, 0, 0, 0}};
	const char *lpath = NULL, *rpath = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'l': lpath = optarg; break;
		case 'r': rpath = optarg; break;
		case 'h': return cli_help(usage);
		default: return cli_usage(argv[0], "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage(argv[0], "unexpected argument '%s'", argv[optind]);
	if (!lpath || !*lpath)
		return cli_usage(argv[0], "--ledger FILE is required");
	rpath = roster_default_path(rpath);
	bulu_err e = {0};
	roster ro = {0};
	struct lv v;
	memset(&v, 0, sizeof v);
	int rc = rpath ? roster_load(rpath, 0, &ro, &e) : BULU_OK;
	char tmpdir[4200] = "";
	if (rc == BULU_OK && (rc = keys_init(&e)) == BULU_OK)
		rc = open_ro(lpath, &v.db, tmpdir, sizeof tmpdir, &e);
	v.ro = rpath ? &ro : NULL;
	/* One read transaction: one snapshot of the whole ledger. */
	if (rc == BULU_OK && sqlite3_exec(v.db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		rc = sqlfail(&v, &e);
	if (rc == BULU_OK)
		rc = schema_check(&v);
	sqlite3_stmt *st = NULL;
	if (rc == BULU_OK &&
	    sqlite3_prepare_v2(v.db, "SELECT station FROM entries UNION SELECT station FROM drill_entries "
				     "UNION SELECT station FROM heads UNION SELECT station FROM imports "
				     "WHERE station IS NOT NULL ORDER BY 1", -1, &st, NULL) != SQLITE_OK)
		rc = sqlfail(&v, &e);
	int s = SQLITE_DONE;
	while (rc == BULU_OK && (s = sqlite3_step(st)) == SQLITE_ROW) {
		char station[256];
		uint8_t pk[KEY_PK_BYTES];
		snprintf(station, sizeof station, "%s", (const char *)sqlite3_column_text(st, 0));
		v.stations++;
		rc = station_key(&v, station, pk, &e);
		if (rc == BULU_OK)
			rc = station_entries(&v, station, pk, &e);
	}
	if (rc == BULU_OK && s != SQLITE_DONE)
		rc = sqlfail(&v, &e);
	sqlite3_finalize(st);
	if (rc == BULU_OK)
		rc = imports_check(&v, &e);
	if (v.db)
		sqlite3_exec(v.db, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(v.db);
	roster_free(&ro);
	if (tmpdir[0]) {
		/* The private copy, and what SQLite made beside it. */
		static const char *const parts[] = {"ledger.db", "ledger.db-wal", "ledger.db-shm"};
		for (size_t i = 0; i < 3; i++) {
			char p[4400];
			snprintf(p, sizeof p, "%s/%s", tmpdir, parts[i]);
			unlink(p);
		}
		rmdir(tmpdir);
	}
	char shown[FS_NAME_SHOWN];
	fs_name_shown(lpath, shown, sizeof shown);
	if (rc == BULU_INTEGRITY && v.why[0]) {
		fprintf(stderr, "bulu: ledger %s: %s\n", shown, v.why);
		return BULU_INTEGRITY;
	}
	if (rc != BULU_OK)
		return cli_fail(&e);
	printf("ledger %s verified: %" PRId64 " stations, %" PRId64 " entries and %" PRId64
	       " drill entries, every hash, link and signature (%s keys), the imports record and the heads\n",
	       shown, v.stations, v.entries, v.drills, rpath ? "the roster's" : "the stations' own");
	return BULU_OK;
}
