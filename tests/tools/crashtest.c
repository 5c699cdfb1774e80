/*
 * crashtest.c - R1: kill -9 bulu at random points of its saves, and prove
 * that nothing it acknowledged is lost and the journal always verifies.
 *
 *   crashtest --bulu PATH --dir DIR [--runs N] [--seed S] [--check-every N]
 *             [--forms N]
 *
 * Makes a station in DIR (catalog, invoice book, an outage episode), then
 * N times runs one bulu command -- an interactive `capture charge`, a
 * `capture note`, an `outage start`/`end`, a bulk `capture import` of a
 * CSV of FORMS one-line charge forms, a `sync export` to DIR.usb, or a
 * `sync import` of DIR.usb into the ledger DIR.ledger.db -- with its stdout
 * in a pipe, and
 * SIGKILLs it after a random delay (seeded PRNG; the seed is printed) drawn
 * from 0 to 1.3 times that command's measured duration (for an export or
 * import, the longest seen so far, as they grow; one in four of them runs
 * unkilled to see it), so kills land before, during and after the commit.
 * It records what each run reported as saved ("saved BL-S-N KIND", "saved
 * N entries BL-S-A..BL-S-B"), each bundle an export reported and each
 * merge an import reported.
 *
 * Checked after every run: the journal grew by 0 or exactly the entries
 * of the command (a bulk import is all or nothing), a report names exactly
 * the new entries, and a run that was not killed exited 0 (so a kill
 * between COMMIT and the head-record update never blocks the next write).
 * Checked every --check-every runs and at the end: every acknowledged entry
 * is in the journal with its kind, and `bulu journal verify` exits 0; every
 * bundle an export reported is under its final name with its signature and
 * `bulu bundle verify` accepts it; every bundle an import reported merged
 * is held by the ledger whole, and `bulu ledger verify` exits 0.  An
 * export or import that was not killed exited 0 (an import may also reject
 * nothing: no half-written bundle is ever under a final name).  At the end
 * a further write still succeeds, and one more export and import leave a
 * ledger holding exactly the journal's entries.  Exit 0 when all held, 1
 * otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <sqlite3.h>

#define STATION "CRASH"
#define MAXARGS 24

static const char *bulu, *dir;
static char journal_path[4096], csv_path[4096], catalog_path[4096], err_path[4096];
static char usb_path[4096], ledger_path[4096], roster_path[4096], pub_path[4096];
static int failures;

static void failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void failf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("crashtest: FAIL: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	failures++;
}

/* splitmix64: small, seedable, good enough to place kills. */
static uint64_t rng;
static uint64_t next_rand(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* ------------------------------------------------------------------ */
/* What bulu acknowledged. */

struct ack {
	int64_t from, to;
	char kind[32];
};
static struct ack *acks;
static size_t nacks, capacks;
static int64_t nacked;

static void remember(int64_t from, int64_t to, const char *kind)
{
	if (nacks == capacks) {
		capacks = capacks ? 2 * capacks : 256;
		acks = realloc(acks, capacks * sizeof *acks);
		if (!acks) {
			perror("crashtest");
			exit(2);
		}
	}
	acks[nacks].from = from;
	acks[nacks].to = to;
	snprintf(acks[nacks].kind, sizeof acks[nacks].kind, "%s", kind);
	nacks++;
	nacked += to - from + 1;
}

/* Parse the first stdout line of a save.  Returns 1 and fills the range
 * and kind, 0 when the line is not a save report. */
static int parse_saved(const char *out, int64_t *from, int64_t *to, char kind[32])
{
	long long a, b, n;
	char k[32];
	if (sscanf(out, "saved %lld entries BL-" STATION "-%lld..BL-" STATION "-%lld", &n, &a, &b) == 3) {
		if (b - a + 1 != n)
			return 0;
		*from = a;
		*to = b;
		snprintf(kind, 32, "%s", "charge");
		return 1;
	}
	if (sscanf(out, "saved BL-" STATION "-%lld %31s", &a, k) == 2) {
		*from = *to = a;
		snprintf(kind, 32, "%s", k);
		return 1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Looking into the journal with SQLite itself. */

static sqlite3 *db_open(void)
{
	sqlite3 *db = NULL;
	if (sqlite3_open_v2(journal_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		fprintf(stderr, "crashtest: cannot open %s: %s\n", journal_path, sqlite3_errmsg(db));
		exit(2);
	}
	sqlite3_busy_timeout(db, 10000);
	return db;
}

static int64_t last_seq(void)
{
	sqlite3 *db = db_open();
	sqlite3_stmt *st = NULL;
	int64_t v = -1;
	if (sqlite3_prepare_v2(db, "SELECT coalesce(max(seq), 0) FROM entries", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	else
		failf("cannot read the journal: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static int episode_open(void)
{
	sqlite3 *db = db_open();
	sqlite3_stmt *st = NULL;
	int open = 0;
	if (sqlite3_prepare_v2(db, "SELECT kind FROM entries WHERE kind IN ('outage_start', 'outage_end') "
				   "ORDER BY seq DESC LIMIT 1", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		open = strcmp((const char *)sqlite3_column_text(st, 0), "outage_start") == 0;
	sqlite3_finalize(st);
	sqlite3_close(db);
	return open;
}

/* Every acknowledged entry present, with its kind. */
static void check_acks(void)
{
	sqlite3 *db = db_open();
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM entries WHERE seq BETWEEN ? AND ? AND kind = ? "
				   "AND station = '" STATION "'", -1, &st, NULL) != SQLITE_OK) {
		failf("cannot query the journal: %s", sqlite3_errmsg(db));
		sqlite3_close(db);
		return;
	}
	for (size_t i = 0; i < nacks; i++) {
		sqlite3_bind_int64(st, 1, acks[i].from);
		sqlite3_bind_int64(st, 2, acks[i].to);
		sqlite3_bind_text(st, 3, acks[i].kind, -1, SQLITE_STATIC);
		int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
		sqlite3_reset(st);
		if (n != acks[i].to - acks[i].from + 1)
			failf("acknowledged entries BL-" STATION "-%lld..%lld (%s) lost: %lld of %lld found",
			      (long long)acks[i].from, (long long)acks[i].to, acks[i].kind, (long long)n,
			      (long long)(acks[i].to - acks[i].from + 1));
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* ------------------------------------------------------------------ */
/* Running bulu. */

struct result {
	int killed;       /* died of our SIGKILL */
	int status;       /* exit status when not killed */
	char out[512];    /* the first line of stdout */
	char all[65536];  /* stdout, as much as fits */
	double us;        /* wall time until reaped */
};

/* Run argv with stdout in a pipe; kill it after delay_us (< 0: never). */
static void run(char *const argv[], double delay_us, struct result *r)
{
	int p[2];
	memset(r, 0, sizeof *r);
	if (pipe(p) != 0) {
		perror("crashtest: pipe");
		exit(2);
	}
	double t0 = now_us();
	pid_t pid = fork();
	if (pid < 0) {
		perror("crashtest: fork");
		exit(2);
	}
	if (pid == 0) {
		int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(p[1], 1);
		if (e >= 0)
			dup2(e, 2);
		close(p[0]);
		close(p[1]);
		execv(bulu, argv);
		_exit(127);
	}
	close(p[1]);
	if (delay_us >= 0) {
		struct timespec ts = {(time_t)(delay_us / 1e6), (long)((delay_us - (double)(time_t)(delay_us / 1e6) * 1e6) * 1e3)};
		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;
		kill(pid, SIGKILL); /* harmless on a finished, unreaped child */
	}
	size_t n = 0;
	char buf[4096];
	ssize_t k;
	while ((k = read(p[0], buf, sizeof buf)) > 0 || (k < 0 && errno == EINTR))
		if (k > 0 && n < sizeof r->all - 1) {
			size_t take = (size_t)k < sizeof r->all - 1 - n ? (size_t)k : sizeof r->all - 1 - n;
			memcpy(r->all + n, buf, take);
			n += take;
		}
	r->all[n] = '\0';
	snprintf(r->out, sizeof r->out, "%.*s", (int)strcspn(r->all, "\n"), r->all); /* the report */
	close(p[0]);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	r->us = now_us() - t0;
	r->killed = WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

static void show_stderr(void)
{
	FILE *f = fopen(err_path, "r");
	char line[512];
	if (!f)
		return;
	for (int i = 0; i < 8 && fgets(line, sizeof line, f); i++)
		fprintf(stderr, "    stderr: %s", line);
	fclose(f);
}

/* Run a setup command to completion; it must succeed. */
static void must(const char *what, char *const argv[])
{
	struct result r;
	run(argv, -1, &r);
	if (r.killed || r.status != 0) {
		fprintf(stderr, "crashtest: setup failed: %s (exit %d)\n", what, r.status);
		show_stderr();
		exit(2);
	}
}

static int verify(void)
{
	char *argv[] = {"bulu", "journal", "verify", "--dir", (char *)dir, NULL};
	struct result r;
	run(argv, -1, &r);
	if (r.killed || r.status != 0) {
		failf("bulu journal verify exited %d", r.status);
		show_stderr();
		return 0;
	}
	return 1;
}

/* Bundles an export reported (their paths), and ranges an import reported
 * merged: checked by check_sync(). */
static char **bundles;
static size_t nbundles, nbundles_verified; /* bundles[0..nbundles_verified) verified once already */
static struct ack *merged;
static size_t nmerged;

static void remember_bundle(const char *path)
{
	char **v = realloc(bundles, (nbundles + 1) * sizeof *v);
	if (!v || !(v[nbundles] = strdup(path))) {
		perror("crashtest");
		exit(2);
	}
	bundles = v;
	nbundles++;
}

/* Every "merged   PATH: CRASH A-B, ..." line of an import's output. */
static int remember_merged(const char *out)
{
	int n = 0;
	for (const char *p = out; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		const char *c = strstr(p, ": " STATION " ");
		const char *eol = strchr(p, '\n');
		long long a, b;
		if (strncmp(p, "merged   ", 9) != 0 || !c || (eol && c > eol) ||
		    sscanf(c, ": " STATION " %lld-%lld", &a, &b) != 2)
			continue;
		struct ack *v = realloc(merged, (nmerged + 1) * sizeof *v);
		if (!v) {
			perror("crashtest");
			exit(2);
		}
		merged = v;
		merged[nmerged].from = a;
		merged[nmerged].to = b;
		snprintf(merged[nmerged].kind, sizeof merged[nmerged].kind, "merged");
		nmerged++;
		n++;
	}
	return n;
}

/* Every reported bundle whole under its final name, every reported merge
 * held by the ledger, and `bulu ledger verify` content.  1 when all held. */
static int check_sync(void)
{
	int good = 1;
	struct result r;
	/* Each reported bundle verified once, at the first check after its
	 * report (nothing rewrites a bundle; the last import reads them all). */
	for (size_t i = nbundles_verified; i < nbundles; i++) {
		char *a[] = {"bulu", "bundle", "verify", bundles[i], "--pubkey", pub_path, NULL};
		run(a, -1, &r);
		if (r.killed || r.status != 0) {
			failf("the reported bundle %s does not verify (exit %d): %s", bundles[i], r.status, r.out);
			good = 0;
		}
	}
	nbundles_verified = nbundles;
	if (!nmerged)
		return good;
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	if (sqlite3_open_v2(ledger_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT count(DISTINCT seq) FROM entries WHERE station = '" STATION "' "
				   "AND seq BETWEEN ? AND ?", -1, &st, NULL) != SQLITE_OK) {
		failf("cannot read the ledger: %s", sqlite3_errmsg(db));
		sqlite3_close(db);
		return 0;
	}
	sqlite3_busy_timeout(db, 10000);
	for (size_t i = 0; i < nmerged; i++) {
		sqlite3_bind_int64(st, 1, merged[i].from);
		sqlite3_bind_int64(st, 2, merged[i].to);
		int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
		sqlite3_reset(st);
		if (n != merged[i].to - merged[i].from + 1) {
			failf("the merged bundle %lld-%lld is not held whole by the ledger (%lld seqs)",
			      (long long)merged[i].from, (long long)merged[i].to, (long long)n);
			good = 0;
		}
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	char *a[] = {"bulu", "ledger", "verify", "--ledger", ledger_path, "--roster", roster_path, NULL};
	run(a, -1, &r);
	if (r.killed || r.status != 0) {
		failf("bulu ledger verify exited %d", r.status);
		show_stderr();
		good = 0;
	}
	return good;
}

/* ------------------------------------------------------------------ */
/* The commands killed. */

enum kind { K_CHARGE, K_NOTE, K_OUTAGE, K_IMPORT, K_EXPORT, K_SYNCIMP, NKINDS };
static const char *const kind_names[NKINDS] = {"capture charge", "capture note", "outage start/end", "capture import",
					       "sync export", "sync import"};

static char runbuf[64], epbuf[64];

/* Build argv for a command of kind k in run number i; *expect receives how
 * many entries it saves and kind the entry kind. */
static void build(enum kind k, int i, char **argv, int64_t *expect, const char **ekind)
{
	int n = 0, open = episode_open();
	argv[n++] = "bulu";
	switch (k) {
	case K_CHARGE:
		snprintf(runbuf, sizeof runbuf, "P%06d", i);
		argv[n++] = "capture"; argv[n++] = "charge";
		argv[n++] = "--operator"; argv[n++] = "收费员甲";
		argv[n++] = "--patient"; argv[n++] = runbuf;
		argv[n++] = "--item"; argv[n++] = "C001:1";
		argv[n++] = "--item"; argv[n++] = "C002:2";
		argv[n++] = "--item"; argv[n++] = "C003:1:3.50";
		if (!open) {
			argv[n++] = "--force-outside"; argv[n++] = "crash test";
		}
		*expect = 1;
		*ekind = "charge";
		break;
	case K_NOTE:
		snprintf(runbuf, sizeof runbuf, "交班备注 run %d", i);
		argv[n++] = "capture"; argv[n++] = "note";
		argv[n++] = "--operator"; argv[n++] = "收费员甲";
		argv[n++] = "--text"; argv[n++] = runbuf;
		*expect = 1;
		*ekind = "note";
		break;
	case K_OUTAGE:
		argv[n++] = "outage";
		if (open) {
			argv[n++] = "end";
			*ekind = "outage_end";
		} else {
			snprintf(epbuf, sizeof epbuf, "OUT-CRASH-%d", i);
			argv[n++] = "start"; argv[n++] = "--episode"; argv[n++] = epbuf;
			*ekind = "outage_start";
		}
		argv[n++] = "--operator"; argv[n++] = "it";
		*expect = 1;
		break;
	case K_IMPORT:
		argv[n++] = "capture"; argv[n++] = "import"; argv[n++] = csv_path;
		if (!open) {
			argv[n++] = "--force-outside"; argv[n++] = "crash test";
		}
		*expect = -1; /* the number of forms, set by the caller */
		*ekind = "charge";
		break;
	case K_EXPORT:
		argv[n++] = "sync"; argv[n++] = "export"; argv[n++] = "--out"; argv[n++] = usb_path;
		*expect = 0;
		*ekind = "";
		break;
	case K_SYNCIMP:
		argv[n++] = "sync"; argv[n++] = "import"; argv[n++] = "--ledger"; argv[n++] = ledger_path;
		argv[n++] = "--roster"; argv[n++] = roster_path; argv[n++] = usb_path;
		argv[n] = NULL;
		*expect = 0;
		*ekind = "";
		return;
	default:
		break;
	}
	argv[n++] = "--dir";
	argv[n++] = (char *)dir;
	argv[n] = NULL;
}

static enum kind pick_kind(void)
{
	unsigned r = (unsigned)(next_rand() % 100);
	return r < 25 ? K_CHARGE : r < 35 ? K_NOTE : r < 45 ? K_OUTAGE : r < 65 ? K_IMPORT : r < 82 ? K_EXPORT
												: K_SYNCIMP;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		fprintf(stderr, "crashtest: cannot write %s\n", path);
		exit(2);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int runs = 200, every = 50, forms = 300;
	uint64_t seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 20);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!v)
			goto usage;
		if (strcmp(a, "--bulu") == 0) bulu = v;
		else if (strcmp(a, "--dir") == 0) dir = v;
		else if (strcmp(a, "--runs") == 0) runs = atoi(v);
		else if (strcmp(a, "--seed") == 0) seed = strtoull(v, NULL, 0);
		else if (strcmp(a, "--check-every") == 0) every = atoi(v);
		else if (strcmp(a, "--forms") == 0) forms = atoi(v);
		else goto usage;
		i++;
	}
	if (!bulu || !dir || runs < 1 || every < 1 || forms < 1) {
	usage:
		fprintf(stderr, "usage: crashtest --bulu PATH --dir DIR [--runs N] [--seed S] "
				"[--check-every N] [--forms N]\n");
		return 2;
	}
	rng = seed;
	printf("crashtest: seed %llu (rerun with CRASH_SEED=%llu), %d runs, imports of %d forms\n",
	       (unsigned long long)seed, (unsigned long long)seed, runs, forms);
	fflush(stdout);

	/* The station. */
	snprintf(journal_path, sizeof journal_path, "%s/journal.db", dir);
	snprintf(csv_path, sizeof csv_path, "%s.import.csv", dir);
	snprintf(catalog_path, sizeof catalog_path, "%s.catalog.csv", dir);
	snprintf(err_path, sizeof err_path, "%s.stderr", dir);
	snprintf(usb_path, sizeof usb_path, "%s.usb", dir);
	snprintf(ledger_path, sizeof ledger_path, "%s.ledger.db", dir);
	snprintf(roster_path, sizeof roster_path, "%s.roster", dir);
	snprintf(pub_path, sizeof pub_path, "%s.pub", dir);
	write_file(catalog_path, "code,name,pinyin,unit,price,category,version\n"
				 "C001,血常规,XCG,次,20.00,检验,CRASH-1\n"
				 "C002,\"0.9%氯化钠注射液 250ml\",LHNZSY,瓶,3.50,西药,CRASH-1\n"
				 "C003,挂号费,GHF,次,5.00,挂号,CRASH-1\n");
	FILE *f = fopen(csv_path, "w");
	if (!f)
		return 2;
	fputs("form,kind,operator,patient_id,patient_name,dept,doctor,item_code,qty,unit_price,"
	      "invoice_no,pay_method,fee_type,occurred_at,ref_form,note\n", f);
	for (int i = 0; i < forms; i++)
		fprintf(f, "F%d,charge,补录员乙,P%05d,,,,C00%d,%d,,,cash,自费,2026-11-21 09:%02d,,\n", i, i,
			1 + i % 3, 1 + i % 4, i % 60);
	if (fclose(f) != 0)
		return 2;
	{
		char *a1[] = {"bulu", "station", "init", "--station", STATION, "--dept", "门诊收费", "--role",
			      "cashier", "--dir", (char *)dir, NULL};
		must("station init", a1);
		char *a2[] = {"bulu", "catalog", "load", catalog_path, "--operator", "it", "--dir", (char *)dir, NULL};
		must("catalog load", a2);
		char *a3[] = {"bulu", "invoice", "add-book", "--from", "0000001", "--to", "0999999",
			      "--operator", "it", "--dir", (char *)dir, NULL};
		must("invoice add-book", a3);
		char *a4[] = {"bulu", "outage", "start", "--episode", "OUT-CRASH-0", "--operator", "it",
			      "--dir", (char *)dir, NULL};
		must("outage start", a4);
		char *a5[] = {"bulu", "roster", "add", "--roster", roster_path, "--from-station", (char *)dir, NULL};
		must("roster add", a5);
		struct result r;
		char *a6[] = {"bulu", "station", "pubkey", "--dir", (char *)dir, NULL};
		run(a6, -1, &r);
		FILE *pf = fopen(pub_path, "w");
		if (r.status != 0 || !pf || fputs(r.all, pf) < 0 || fclose(pf) != 0) {
			fprintf(stderr, "crashtest: setup failed: station pubkey\n");
			return 2;
		}
	}

	/* How long each command takes here, unkilled (and these saves count). */
	double span[NKINDS];
	for (int k = 0; k < NKINDS; k++) {
		double t[3];
		for (int i = 0; i < 3; i++) {
			char *a[MAXARGS];
			int64_t expect, from, to;
			const char *ek;
			char kind[32];
			struct result r;
			build((enum kind)k, -1 - i, a, &expect, &ek);
			run(a, -1, &r);
			if (k == K_EXPORT || k == K_SYNCIMP) {
				if (r.status != 0) {
					fprintf(stderr, "crashtest: %s does not work unkilled (exit %d): %s\n",
						kind_names[k], r.status, r.out);
					show_stderr();
					return 2;
				}
				if (k == K_EXPORT && r.out[0])
					remember_bundle(r.out);
				if (k == K_SYNCIMP)
					remember_merged(r.all);
				t[i] = r.us;
				/* something new for the next export to carry */
				char *c[MAXARGS];
				build(K_NOTE, -10 - i, c, &expect, &ek);
				run(c, -1, &r);
				if (r.status == 0 && parse_saved(r.out, &from, &to, kind))
					remember(from, to, kind);
				continue;
			}
			if (r.status != 0 || !parse_saved(r.out, &from, &to, kind) || strcmp(kind, ek) != 0) {
				fprintf(stderr, "crashtest: %s does not work unkilled (exit %d): %s\n",
					kind_names[k], r.status, r.out);
				show_stderr();
				return 2;
			}
			remember(from, to, kind);
			t[i] = r.us;
		}
		qsort(t, 3, sizeof t[0], cmp_double);
		span[k] = 1.3 * t[1];
		printf("crashtest: %-17s takes %6.1f ms; kills drawn from 0 to %6.1f ms\n", kind_names[k],
		       t[1] / 1000, span[k] / 1000);
	}

	int before = 0, unreported = 0, reported = 0, finished = 0, checks = 0;
	int sync_before = 0, sync_after = 0, sync_whole = 0; /* exports and imports */
	int per_kind[NKINDS] = {0};
	for (int i = 1; i <= runs; i++) {
		char *a[MAXARGS];
		int64_t expect, from, to;
		const char *ek;
		char kind[32];
		struct result r;
		enum kind k = pick_kind();
		build(k, i, a, &expect, &ek);
		if (expect < 0)
			expect = forms;
		per_kind[k]++;
		int64_t seq0 = last_seq();
		double delay = (double)(next_rand() % 1000000) / 1e6 * span[k];
		/* An export or import takes longer as the journal and the stick
		 * grow: one in four runs unkilled measures it again (and gives
		 * bundles and merges to check), so kills keep landing before,
		 * during and after its work. */
		int sync = k == K_EXPORT || k == K_SYNCIMP;
		if (sync && next_rand() % 4 == 0)
			delay = -1;
		run(a, delay, &r);
		if (sync && !r.killed && r.status == 0 && 1.3 * r.us > span[k])
			span[k] = 1.3 * r.us;
		int64_t grew = last_seq() - seq0;
		if (k == K_EXPORT || k == K_SYNCIMP) {
			if (grew != 0)
				failf("run %d (%s): the journal grew by %lld entries", i, kind_names[k], (long long)grew);
			int said_sync = k == K_EXPORT ? r.out[0] == '/' || strstr(r.out, ".bulu") != NULL
						      : remember_merged(r.all) > 0;
			if (k == K_EXPORT && said_sync)
				remember_bundle(r.out);
			if (!r.killed)
				sync_whole++;
			else if (said_sync)
				sync_after++;
			else
				sync_before++;
			if (!r.killed) {
				finished++;
				if (r.status != 0) {
					const char *rej = strstr(r.all, "rejected");
					failf("run %d (%s) was not killed but exited %d: %.300s", i, kind_names[k], r.status,
					      rej ? rej : r.out);
					show_stderr();
				}
			} else if (said_sync) {
				reported++;
			} else {
				before++;
			}
			if (i % every == 0 || i == runs) {
				check_acks();
				checks += verify();
				checks += check_sync();
			}
			continue;
		}
		int said = parse_saved(r.out, &from, &to, kind);
		if (grew != 0 && grew != expect)
			failf("run %d (%s): the journal grew by %lld entries, not 0 or %lld: a partial save",
			      i, kind_names[k], (long long)grew, (long long)expect);
		if (said) {
			remember(from, to, kind);
			if (strcmp(kind, ek) != 0 || from != seq0 + 1 || to != seq0 + expect || grew != expect)
				failf("run %d (%s): reported %s, but the journal went from %lld to %lld",
				      i, kind_names[k], r.out, (long long)seq0, (long long)(seq0 + grew));
		}
		if (!r.killed) {
			finished++;
			if (r.status != 0 || !said) {
				failf("run %d (%s) was not killed but exited %d without a save report: %s",
				      i, kind_names[k], r.status, r.out);
				show_stderr();
			}
		} else if (said) {
			reported++;
		} else if (grew) {
			unreported++;
		} else {
			before++;
		}
		if (i % every == 0 || i == runs) {
			check_acks();
			checks += verify();
			checks += check_sync();
		}
	}

	/* After all of it, the station still writes. */
	{
		char *a[] = {"bulu", "capture", "note", "--operator", "收费员甲", "--text", "after the crash test",
			     "--dir", (char *)dir, NULL};
		struct result r;
		int64_t from, to;
		char kind[32];
		run(a, -1, &r);
		if (r.status != 0 || !parse_saved(r.out, &from, &to, kind)) {
			failf("a write after the crash test failed (exit %d)", r.status);
			show_stderr();
		} else {
			remember(from, to, kind);
		}
		check_acks();
		checks += verify();
	}
	/* One more export and import, unkilled: the ledger then holds exactly
	 * the journal's entries. */
	{
		char *a[MAXARGS];
		int64_t expect;
		const char *ek;
		struct result r;
		build(K_EXPORT, 0, a, &expect, &ek);
		run(a, -1, &r);
		if (r.status != 0)
			failf("the last export failed (exit %d)", r.status);
		else if (r.out[0])
			remember_bundle(r.out);
		build(K_SYNCIMP, 0, a, &expect, &ek);
		run(a, -1, &r);
		if (r.status != 0) {
			const char *rej = strstr(r.all, "rejected");
			failf("the last import failed (exit %d): %.300s", r.status, rej ? rej : r.out);
			show_stderr();
		}
		remember_merged(r.all);
		checks += check_sync();
		sqlite3 *db = NULL;
		sqlite3_stmt *st = NULL;
		char sql[8300];
		snprintf(sql, sizeof sql, "ATTACH '%s' AS j; SELECT (SELECT count(*) FROM j.entries), "
			 "(SELECT count(*) FROM all_entries WHERE station = '" STATION "'), "
			 "(SELECT count(*) FROM j.entries x JOIN all_entries y ON y.station = x.station AND y.seq = x.seq "
			 "AND y.hash = x.hash)", journal_path);
		int64_t nj = -1, nl = -2, same = -3;
		if (sqlite3_open_v2(ledger_path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
			const char *tail = sql;
			if (sqlite3_prepare_v2(db, tail, -1, &st, &tail) == SQLITE_OK && sqlite3_step(st) == SQLITE_DONE) {
				sqlite3_finalize(st);
				st = NULL;
				if (sqlite3_prepare_v2(db, tail, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
					nj = sqlite3_column_int64(st, 0);
					nl = sqlite3_column_int64(st, 1);
					same = sqlite3_column_int64(st, 2);
				}
			}
			sqlite3_finalize(st);
		}
		sqlite3_close(db);
		if (nj != nl || nj != same)
			failf("after a last export and import the ledger holds %lld entries (%lld the journal's), the "
			      "journal %lld", (long long)nl, (long long)same, (long long)nj);
		else
			printf("crashtest: the ledger holds exactly the journal's %lld entries after a last export and "
			       "import\n", (long long)nj);
	}

	printf("crashtest: runs per command: charge %d, note %d, outage %d, import %d, export %d, sync import %d\n",
	       per_kind[K_CHARGE], per_kind[K_NOTE], per_kind[K_OUTAGE], per_kind[K_IMPORT], per_kind[K_EXPORT],
	       per_kind[K_SYNCIMP]);
	printf("crashtest: %d SIGKILLs landed before the commit (nothing saved), %d between the commit and\n"
	       "crashtest: the report (saved, never acknowledged), %d after the report; %d runs finished first\n",
	       before, unreported, reported, finished);
	printf("crashtest: %lld acknowledged entries, %s; journal verified %d times, final seq %lld\n",
	       (long long)nacked, failures ? "SOME LOST OR WRONG" : "all present with their kind", checks,
	       (long long)last_seq());
	printf("crashtest: exports and imports: %d killed before reporting, %d killed after reporting, %d whole\n",
	       sync_before, sync_after, sync_whole);
	printf("crashtest: %zu bundles reported by exports and %zu merges reported by imports, %s\n", nbundles,
	       nmerged, failures ? "not all whole" : "all whole and held");
	printf("crashtest: %s\n", failures ? "FAILED" : "ok");
	free(acks);
	for (size_t i = 0; i < nbundles; i++)
		free(bundles[i]);
	free(bundles);
	free(merged);
	return failures ? 1 : 0;
}
