/*
 * import_cmd.c - `bulu sync import`: bundles into the central ledger.
 *
 * Checking a bundle (signature, unsealing, inflating, hashing every entry)
 * runs on worker threads some bundles ahead, while the main thread merges
 * the checked ones in the order given, several to a durable commit (the
 * group commit below), a third thread syncs each commit's WAL while the
 * next batch is merged (ledger_sync_behind), and a fourth copies the WAL
 * into the ledger behind them (ledger_checkpoint_behind).  Files already
 * imported (same content hash) are skipped before anything is opened, so
 * a LAN spool can be imported again and again cheaply.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bulu/cli.h"
#include "bulu/fsutil.h"
#include "bulu/ledger.h"

static const char usage[] =
	"usage: bulu sync import --ledger LEDGER.db [--roster ROSTER] [--central DIR]\n"
	"                        [--max-bundle-size N] [--max-db-size N] [--max-entry-size N] BUNDLE|DIR...\n"
	"\n"
	"Verify each bundle and merge it into the central ledger (created if missing).\n"
	"A bundle must be signed by a station key in the roster; its every hash and\n"
	"link is recomputed and every entry's signature verified.  Each bundle is merged\n"
	"whole or not at all; importing again changes nothing; any order of any\n"
	"overlapping bundles gives the same ledger.  A DIR means every *.bulu in it\n"
	"(a LAN spool): files imported before are skipped by their content hash.\n"
	"\n"
	"  --ledger FILE   the central ledger (SQLite)\n"
	"  --roster FILE   trusted station keys (default $BULU_ROSTER; see bulu roster)\n"
	"  --central DIR   the central key, to open sealed bundles (default $BULU_CENTRAL)\n"
	"  --max-bundle-size N   refuse a .bulu file larger than N bytes (default 1G)\n"
	"  --max-db-size N       refuse a bundle whose database inflates past N (default 2G)\n"
	"  --max-entry-size N    refuse a bundle holding an entry over N bytes (default 1M)\n"
	"                  (N in bytes, or with K, M or G; a bundle over a limit is rejected)\n"
	"\n"
	"Only regular files are read: a FIFO, a device or a directory named as a\n"
	"bundle is rejected without reading it.  File names are printed escaped.\n"
	"\n"
	"Prints one line per bundle: merged, skipped, salvaged (a damaged copy: its\n"
	"verifiable leading entries merged, the rest a gap) or rejected, with why.\n"
	"Several bundles are made durable by one commit, and their lines are printed\n"
	"once it is done: a line printed is a bundle kept, and after a crash or a\n"
	"full disk the bundles not printed are simply imported by the next run.\n"
	"A fork (a station's seq held with two different entries) keeps both.\n"
	"Exit 0 all merged or skipped; 1 a salvage or a fork; 2 bad usage (nothing\n"
	"done); 3 a bundle rejected (unknown key, bad signature, broken chain).\n";

struct job {
	bundle_in b;
	int ready, rc;
	int64_t held;
	bulu_err e;
	ledger_merge_result r;
};

/* How far the checkers may run ahead of the merging: so many bundles,
 * and so many bytes of checked rows waiting (a commit's WAL sync is time
 * the checkers can use, but each waiting bundle holds its rows in memory). */
#define AHEAD_BUNDLES 48
#define AHEAD_BYTES ((int64_t)256 << 20)

struct pipeline {
	struct job *jobs;
	size_t n, next, merged, ahead;
	int64_t held;  /* bytes of rows checked and not yet merged */
	int stop;
	const bundle_ctx *ctx;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

static int64_t bundle_bytes(const bundle_in *b)
{
	return b->text_bytes + (int64_t)(b->rows_cap * sizeof *b->rows);
}

static void *worker(void *arg)
{
	struct pipeline *p = arg;
	/* The checkers run at the process's own priority: verifying every
	 * entry's signature makes them the slower stage, the merging waits for
	 * them (they once ran below it, when a bundle cost one signature). */
	for (;;) {
		pthread_mutex_lock(&p->mu);
		while (!p->stop && p->next < p->n &&
		       (p->next >= p->merged + p->ahead || (p->held >= AHEAD_BYTES && p->next > p->merged)))
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->stop || p->next >= p->n) {
			pthread_mutex_unlock(&p->mu);
			return NULL;
		}
		struct job *j = &p->jobs[p->next++];
		pthread_mutex_unlock(&p->mu);
		j->rc = bundle_check(&j->b, p->ctx, &j->e);
		pthread_mutex_lock(&p->mu);
		j->ready = 1;
		j->held = bundle_bytes(&j->b);
		p->held += j->held;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
}

/* Sorted file hashes already imported: bsearch them. */
struct seen {
	uint8_t *h;
	size_t n;
};

static int cmp_hash(const void *a, const void *b)
{
	return memcmp(a, b, MINISIG_PREHASH_BYTES);
}

static int seen_fn(void *arg, const uint8_t hash[MINISIG_PREHASH_BYTES])
{
	struct seen *s = arg;
	return s->n && bsearch(hash, s->h, s->n, MINISIG_PREHASH_BYTES, cmp_hash) != NULL;
}

/* Collect the bundle files: the files named, and the *.bulu in each DIR
 * (sorted).  A missing file is bad usage: nothing is imported then. */
static int is_bundle_name(const char *name)
{
	size_t n = strlen(name);
	return n > 5 && strcmp(name + n - 5, ".bulu") == 0 && name[0] != '.';
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_path(char ***v, size_t *n, size_t *cap, char *p)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		char **nv = realloc(*v, nc * sizeof *nv);
		if (!nv) {
			free(p);
			return -1;
		}
		*v = nv;
		*cap = nc;
	}
	(*v)[(*n)++] = p;
	return 0;
}

static int collect(const char *cmd, char **args, int nargs, char ***out, size_t *nout)
{
	char **v = NULL;
	size_t n = 0, cap = 0;
	int rc = BULU_OK;
	for (int i = 0; i < nargs && rc == BULU_OK; i++) {
		struct stat sb;
		char shown[FS_NAME_SHOWN];
		fs_name_shown(args[i], shown, sizeof shown);
		if (stat(args[i], &sb) != 0) {
			rc = cli_usage(cmd, "%s: no such bundle or directory", shown);
			break;
		}
		if (!S_ISDIR(sb.st_mode)) {
			char *p = strdup(args[i]);
			if (!p || add_path(&v, &n, &cap, p) != 0)
				rc = BULU_SYSTEM;
			continue;
		}
		DIR *d = opendir(args[i]);
		if (!d) {
			rc = cli_usage(cmd, "%s: cannot read the directory", shown);
			break;
		}
		size_t from = n;
		struct dirent *de;
		while ((de = readdir(d)) != NULL && rc == BULU_OK) {
			if (!is_bundle_name(de->d_name))
				continue;
			size_t len = strlen(args[i]) + strlen(de->d_name) + 2;
			char *p = malloc(len);
			if (!p || (snprintf(p, len, "%s/%s", args[i], de->d_name), add_path(&v, &n, &cap, p) != 0))
				rc = BULU_SYSTEM;
		}
		closedir(d);
		qsort(v + from, n - from, sizeof *v, cmp_str);
	}
	if (rc == BULU_SYSTEM)
		fprintf(stderr, "bulu: out of memory\n");
	if (rc != BULU_OK) {
		for (size_t i = 0; i < n; i++)
			free(v[i]);
		free(v);
		return rc;
	}
	*out = v;
	*nout = n;
	return BULU_OK;
}

/* One line per bundle; the file name escaped (fs_name_shown), so a name
 * holding a newline cannot forge a line of the log. */
static void report(const bundle_in *b, const ledger_merge_result *r)
{
	char name[FS_NAME_SHOWN];
	fs_name_shown(b->path, name, sizeof name);
	switch (b->result) {
	case BUNDLE_SKIP:
		printf("skipped  %s: imported before\n", name);
		break;
	case BUNDLE_REJECT:
		printf("rejected %s: %s\n", name, b->reason);
		break;
	case BUNDLE_MERGE:
		printf("merged   %s: %s %" PRId64 "-%" PRId64 ", %" PRId64 " entries, %" PRId64 " new%s",
		       name, b->claim.station, b->first, b->last, b->n_entries, r->new_entries,
		       b->n_drill ? " (drill entries kept apart)" : "");
		break;
	case BUNDLE_SALVAGE:
		printf("salvaged %s: %s: %s, %" PRId64 " new", name, b->claim.station, b->reason, r->new_entries);
		break;
	}
	if ((b->result == BUNDLE_MERGE || b->result == BUNDLE_SALVAGE)) {
		if (r->forks)
			printf("; FORK: %" PRId64 " seqs now held with two different entries", r->forks);
		putchar('\n');
	}
}

/* Was this exact file merged already (earlier in this run, or before)? */
static int already(ledger *l, const bundle_in *b)
{
	sqlite3_stmt *st = NULL;
	char hex[2 * MINISIG_PREHASH_BYTES + 1];
	hex_encode(hex, b->file_hash, MINISIG_PREHASH_BYTES);
	int yes = 0;
	if (sqlite3_prepare_v2(ledger_db(l), "SELECT 1 FROM imports WHERE file_hash = ? "
					     "AND result IN ('merged', 'salvaged') LIMIT 1", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, hex, -1, SQLITE_STATIC);
		yes = sqlite3_step(st) == SQLITE_ROW;
	}
	sqlite3_finalize(st);
	return yes;
}

/*
 * Group commit.  Merging a bundle is cheap next to making it durable (a
 * WAL sync, and every page the bundle touched written to the WAL again),
 * so the checked bundles are merged into one transaction, each in a
 * savepoint of its own, and committed together: when BATCH_BUNDLES or
 * BATCH_BYTES of them are in it, when the batch has waited BATCH_LINGER_MS
 * for the checkers, on a failure (what came before it is kept), and at the
 * end.  Near the end the batches shrink (a batch is committed once no more
 * bundles are left than it holds): what follows the last commit (its
 * sync, copying it into the ledger file) is then short, while the larger
 * batches before it are synced and copied behind the merging.  The disk
 * syncs each commit while the next batch is merged (ledger_sync_behind),
 * and the lines are printed after the sync that made their bundles
 * durable; a crash before it loses the batch whole, and the next import
 * merges those bundles again (the ledger keeps no trace of them).
 */
#define BATCH_BUNDLES 64
#define BATCH_BYTES ((int64_t)64 << 20)
#define BATCH_LINGER_MS 500

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Wait until job i is checked.  0, or -1 when the open batch has lingered
 * past deadline (ms, CLOCK_MONOTONIC; 0: no deadline) first. */
static int wait_ready(struct pipeline *p, size_t i, double deadline)
{
	int rc = 0;
	pthread_mutex_lock(&p->mu);
	while (!p->jobs[i].ready) {
		if (!deadline) {
			pthread_cond_wait(&p->cv, &p->mu);
			continue;
		}
		double ms = deadline - now_ms();
		if (ms <= 0) {
			rc = -1;
			break;
		}
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		long long ns = ts.tv_nsec + (long long)(ms * 1e6);
		ts.tv_sec += (time_t)(ns / 1000000000LL);
		ts.tv_nsec = (long)(ns % 1000000000LL);
		pthread_cond_timedwait(&p->cv, &p->mu, &ts);
	}
	pthread_mutex_unlock(&p->mu);
	return rc;
}

/* Print the lines of jobs [*from, to), their bundles now durable (or never
 * written: skipped), and fold their exit statuses into *worst. */
static void report_upto(struct pipeline *p, size_t *from, size_t to, int *worst)
{
	for (; *from < to; (*from)++) {
		const struct job *j = &p->jobs[*from];
		report(&j->b, &j->r);
		int s = j->b.result == BUNDLE_REJECT				? BULU_INTEGRITY
			: j->b.result == BUNDLE_SALVAGE || j->r.forks ? BULU_FINDINGS
								      : BULU_OK;
		if (s > *worst)
			*worst = s;
	}
	fflush(stdout);
}

/* The last batch committed whose sync may still be running: its lines,
 * and those of the skipped bundles after it, wait for it (ticket). */
struct pending {
	int64_t ticket;
	size_t upto;  /* lines [reported, upto) wait for the ticket */
	int on;
};

/* Print the lines pending behind a sync once it is done: wait for it
 * (wait), or only when it is done already.  BULU_SYSTEM when the sync
 * failed: those bundles are not durable, and their lines are not printed. */
static int settle(ledger *l, struct pending *pd, int wait, struct pipeline *p, size_t *reported, int *worst,
		  bulu_err *e)
{
	if (!pd->on || (!wait && !ledger_sync_settled(l, pd->ticket)))
		return BULU_OK;
	pd->on = 0;
	int rc = ledger_durable(l, pd->ticket, e);
	if (rc == BULU_OK)
		report_upto(p, reported, pd->upto, worst);
	return rc;
}

/* Commit the open batch, jobs up to to: the disk syncs it while the next
 * batch is merged, and its lines are printed once that is done.  The batch
 * before it is made to be done first, so at most one batch is committed
 * and not yet durable (and lines stay in file order). */
static int commit_batch(ledger *l, struct pending *pd, size_t to, struct pipeline *p, size_t *reported, int *worst,
			bulu_err *e)
{
	int64_t t;
	int rc = ledger_batch_commit_behind(l, &t, e);
	bulu_err e2;
	int rc2 = settle(l, pd, 1, p, reported, worst, rc == BULU_OK ? e : &e2);
	if (rc != BULU_OK)
		return rc;
	if (rc2 != BULU_OK)
		return rc2;
	*pd = (struct pending){t, to, 1};
	return BULU_OK;
}

static int run_import(ledger *l, bundle_ctx *ctx, char **paths, size_t n, int *worst, bulu_err *e)
{
	struct pipeline p = {.n = n, .ctx = ctx};
	p.jobs = calloc(n ? n : 1, sizeof *p.jobs);
	if (!p.jobs)
		return bulu_errf(e, BULU_SYSTEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		p.jobs[i].b.path = paths[i];
	/* A checker per core: the merging thread spends much of its time
	 * waiting for the disk, and the checkers are the larger part of the
	 * work (inflating, hashing every entry). */
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int nw = ncpu < 2 ? 1 : ncpu > 16 ? 16 : (int)ncpu;
	if ((size_t)nw > n)
		nw = n ? (int)n : 1;
	p.ahead = AHEAD_BUNDLES;
	pthread_mutex_init(&p.mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p.cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_t th[16];
	int started = 0;
	for (int t = 0; t < nw; t++)
		if (pthread_create(&th[t], NULL, worker, &p) == 0)
			started++;
	int rc = BULU_OK, progress = cli_progress_wanted() && n > 1;
	int64_t total = 0, batch_bytes = 0;
	size_t reported = 0, batch_n = 0;
	struct pending pd = {0, 0, 0};
	double batch_t0 = 0;
	for (size_t i = 0; i < n && rc == BULU_OK; i++) {
		struct job *j = &p.jobs[i];
		/* Print what the disk has made durable meanwhile. */
		rc = settle(l, &pd, 0, &p, &reported, worst, e);
		if (rc != BULU_OK)
			break;
		if (!started) {
			/* No threads: check each bundle here, just before merging it. */
			j->rc = bundle_check(&j->b, ctx, &j->e);
			j->ready = 1;
		} else if (wait_ready(&p, i, batch_n ? batch_t0 + BATCH_LINGER_MS : 0) != 0) {
			/* The checkers are behind: make what waits durable meanwhile. */
			rc = commit_batch(l, &pd, i, &p, &reported, worst, e);
			batch_n = 0;
			batch_bytes = 0;
			wait_ready(&p, i, 0);
			if (rc == BULU_OK)
				rc = settle(l, &pd, 0, &p, &reported, worst, e);
		}
		if (rc == BULU_OK && j->rc != BULU_OK) {
			*e = j->e;
			rc = j->rc;
		}
		if (rc == BULU_OK && j->b.result != BUNDLE_SKIP && j->b.result != BUNDLE_REJECT && already(l, &j->b))
			j->b.result = BUNDLE_SKIP;
		if (rc == BULU_OK && j->b.result != BUNDLE_SKIP) {
			if (!batch_n) {
				rc = ledger_batch_begin(l, e);
				batch_t0 = now_ms();
			}
			if (rc == BULU_OK)
				rc = ledger_merge(l, &j->b, &j->r, e);
			if (rc == BULU_OK) {
				batch_n++;
				batch_bytes += j->b.text_bytes;
				total += j->r.new_entries;
			} else if (ledger_batch_open(l)) {
				/* Keep the bundles merged before the failure (a commit
				 * that waits for the disk: then all before is durable). */
				bulu_err e2;
				if (ledger_batch_commit(l, &e2) == BULU_OK) {
					pd.on = 0;
					report_upto(&p, &reported, i, worst);
				}
			}
		}
		bundle_in_free(&j->b);
		pthread_mutex_lock(&p.mu);
		p.held -= j->held;
		p.merged = i + 1;
		pthread_cond_broadcast(&p.cv);
		pthread_mutex_unlock(&p.mu);
		if (rc != BULU_OK) {
			/* A checker's failure: keep what was merged before it. */
			bulu_err e2;
			if (ledger_batch_open(l) && ledger_batch_commit(l, &e2) == BULU_OK) {
				pd.on = 0;
				report_upto(&p, &reported, i, worst);
			}
			break;
		}
		if (batch_n && (i + 1 == n || batch_n >= BATCH_BUNDLES || batch_bytes >= BATCH_BYTES ||
				n - (i + 1) <= batch_n)) {
			rc = commit_batch(l, &pd, i + 1, &p, &reported, worst, e);
			batch_n = 0;
			batch_bytes = 0;
		} else if (!batch_n) {
			/* skipped: nothing to commit; its line follows the batch
			 * before it, once that is durable */
			if (pd.on)
				pd.upto = i + 1;
			else
				report_upto(&p, &reported, i + 1, worst);
		}
		if (progress)
			fprintf(stderr, "\rimporting: %zu/%zu bundles, %" PRId64 " new entries", i + 1, n, total);
	}
	/* The last batch committed: its lines once the disk has it. */
	bulu_err e2;
	int rc2 = settle(l, &pd, 1, &p, &reported, worst, rc == BULU_OK ? e : &e2);
	if (rc == BULU_OK)
		rc = rc2;
	if (progress)
		fputc('\n', stderr);
	pthread_mutex_lock(&p.mu);
	p.stop = 1;
	pthread_cond_broadcast(&p.cv);
	pthread_mutex_unlock(&p.mu);
	for (int t = 0; t < started; t++)
		pthread_join(th[t], NULL);
	for (size_t i = 0; i < n; i++)
		bundle_in_free(&p.jobs[i].b);
	pthread_mutex_destroy(&p.mu);
	pthread_cond_destroy(&p.cv);
	free(p.jobs);
	return rc;
}

int cmd_sync_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{"ledger", required_argument, 0, 'l'}, {"roster", required_argument, 0, 'r'},
		{"central", required_argument, 0, 'c'}, {"help", no_argument, 0, 'h'},
		{"max-bundle-size", required_argument, 0, 'F'}, {"max-db-size", required_argument, 0, 'B'},
		{"max-entry-size", required_argument, 0, 'E'},
		{0, 0, 0, 0}};
	const char *lpath = NULL, *rpath = NULL, *cdir = getenv("BULU_CENTRAL");
	bundle_limits lim = {0, 0, 0};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'l': lpath = optarg; break;
		case 'r': rpath = optarg; break;
		case 'c': cdir = optarg; break;
		case 'F':
		case 'B':
		case 'E': {
			size_t *v = c == 'F' ? &lim.max_file : c == 'B' ? &lim.max_db : &lim.max_entry;
			if (bundle_size_parse(optarg, v) != 0)
				return cli_usage(argv[0], "--max-%s-size: a size such as 1048576, 64K, 256M or 2G",
						 c == 'F' ? "bundle" : c == 'B' ? "db" : "entry");
			break;
		}
		case 'h': return cli_help(usage);
		default: return cli_usage(argv[0], "unknown option");
		}
	}
	if (!lpath || !*lpath)
		return cli_usage(argv[0], "--ledger FILE is required");
	if (!(rpath = roster_default_path(rpath)))
		return cli_usage(argv[0], "--roster FILE is required (or set BULU_ROSTER)");
	if (optind >= argc)
		return cli_usage(argv[0], "name at least one bundle or directory");
	char **paths = NULL;
	size_t n = 0;
	int rc = collect(argv[0], argv + optind, argc - optind, &paths, &n);
	if (rc != BULU_OK)
		return rc;
	bulu_err e = {0};
	roster ro = {0};
	central_keys ck = {0};
	struct seen seen = {NULL, 0};
	ledger *l = NULL;
	int worst = BULU_OK, have_central = 0;
	rc = roster_load(rpath, 0, &ro, &e);
	if (rc == BULU_OK && cdir && *cdir) {
		rc = central_load(cdir, &ck, &e);
		have_central = rc == BULU_OK;
	}
	if (rc == BULU_OK)
		rc = ledger_open_importer(lpath, &l, &e);
	if (rc == BULU_OK)
		rc = ledger_done_hashes(l, &seen.h, &seen.n, &e);
	if (rc == BULU_OK) {
		bundle_ctx ctx = {.roster = &ro, .central = have_central ? &ck : NULL, .seen = seen_fn, .seen_arg = &seen, .lim = lim};
		if (n > 1) {
			ledger_checkpoint_behind(l); /* if it cannot, SQLite's own goes on */
			ledger_sync_behind(l);       /* if it cannot, each COMMIT syncs */
		}
		rc = run_import(l, &ctx, paths, n, &worst, &e);
	}
	if (rc == BULU_OK && n == 0)
		fprintf(stderr, "bulu: no bundles (*.bulu) found\n");
	if (fflush(stdout) != 0 && rc == BULU_OK)
		rc = bulu_errf(&e, BULU_SYSTEM, "writing to standard output failed");
	ledger_close(l);
	central_free(&ck);
	roster_free(&ro);
	free(seen.h);
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	if (rc != BULU_OK)
		return cli_fail(&e);
	if (worst == BULU_INTEGRITY)
		fprintf(stderr, "bulu: some bundles were rejected: nothing of them was merged\n");
	return worst;
}
