/*
 * reconcile_cmd.c - `bulu reconcile`: the ledger against the HIS exports.
 */
#include <getopt.h>
#include <pthread.h>
#include <sys/resource.h>
#include <time.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulu/cli.h"
#include "bulu/clock.h"
#include "bulu/money.h"
#include "recon.h"

static const char usage[] =
	"usage: bulu reconcile --ledger LEDGER.db --his KIND=FILE.csv [--his KIND=FILE.csv]...\n"
	"                      --out DIR [--profile PROFILE] [--episode ID | --window FROM..TO]\n"
	"                      [--drill] [--tolerance DURATION] [--due-important DAYS]\n"
	"                      [--due-all DAYS] [--quiet]\n"
	"\n"
	"Match every journal line of the outage against the HIS exports once the HIS\n"
	"is back, and say what is still missing, entered twice, mispriced, given to\n"
	"another patient or entered late, and which invoice numbers are unaccounted\n"
	"for.  KIND is registrations, charges, orders, dispenses or invoices; a kind\n"
	"may be given several files.  See docs/reconcile.md.\n"
	"\n"
	"  --ledger FILE        the central ledger (bulu sync import)\n"
	"  --his KIND=FILE      an HIS export (\"-\" reads standard input)\n"
	"  --out DIR            where findings.csv, states.csv, summary.txt and\n"
	"                       worklists/ are written (replaced on every run)\n"
	"  --profile FILE       how to read this HIS's exports (default: the\n"
	"                       built-in profile, schemas/his-default.profile)\n"
	"  --episode ID         one outage episode (default: every episode held)\n"
	"  --window FROM..TO    the outage window instead of the episodes', e.g.\n"
	"                       '2026-11-20 08:00..2026-11-20 20:00'\n"
	"  --drill              reconcile the drill episodes (DRILL-...) instead\n"
	"  --tolerance DUR      how far apart in time a line and a row of another\n"
	"                       patient may be and still pair (default 2h; s, m, h, d)\n"
	"  --due-important N    registrations and charges are due N days after the\n"
	"                       restore day ends (default 0: the restore day)\n"
	"  --due-all N          everything else (default 1: the next day)\n"
	"  --quiet              do not print the summary\n"
	"\n"
	"Exit status: 0 clean; 1 findings; 2 bad usage or input (nothing written).\n";

/* "90", "90s", "15m", "2h", "1d" -> seconds; -1 when malformed. */
static int64_t parse_duration(const char *s)
{
	size_t n = strlen(s);
	if (!n)
		return -1;
	int64_t mult = 1;
	switch (s[n - 1]) {
	case 's': n--; break;
	case 'm': mult = 60, n--; break;
	case 'h': mult = 3600, n--; break;
	case 'd': mult = 86400, n--; break;
	default: break;
	}
	int64_t v;
	if (!n || parse_int64(s, n, &v) != 0 || v < 0 || v > 366 * 86400)
		return -1;
	return v * mult;
}

static int parse_days(const char *s, int *out)
{
	int64_t v;
	if (parse_int64(s, strlen(s), &v) != 0 || v < 0 || v > 365)
		return -1;
	*out = (int)v;
	return 0;
}

static int parse_time(const char *s, size_t n, int64_t *out)
{
	char tmp[64], iso[CLOCK_ISO_MAX];
	if (n == 0 || n >= sizeof tmp)
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (clock_parse(tmp, iso) != 0)
		return -1;
	long long t = clock_epoch(iso);
	if (t == -1)
		return -1;
	*out = t;
	return 0;
}

struct his_arg {
	enum his_kind kind;
	const char *path;
};

/* On a terminal: each phase, with the time so far and the memory used. */
static void progress(int on, const char *what, const char *arg)
{
	static struct timespec t0;
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	if (!t0.tv_sec)
		t0 = t;
	if (!on)
		return;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	fprintf(stderr, "bulu reconcile: %6.2f s %5ld MB  %s %s\n",
		(double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9, ru.ru_maxrss / 1024, what, arg);
}

struct ledger_job {
	struct recon r;
	int rc;
	bulu_err e;
	/* the outage's time zone, handed over by the ledger thread first */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int tz_done, tz_rc, tz_have, tz_set;
	int32_t tz_off;
	struct his_profile *prof;  /* where it goes, before the first conversion */
};

static void tz_ready(void *arg, int rc, int have, int32_t off)
{
	struct ledger_job *j = arg;
	pthread_mutex_lock(&j->mu);
	j->tz_rc = rc;
	j->tz_have = have;
	j->tz_off = off;
	j->tz_done = 1;
	pthread_cond_signal(&j->cv);
	pthread_mutex_unlock(&j->mu);
}

/* Wait for the time zone; set it in the profile the first time.  0, or -1
 * when the ledger could not be opened or asked (its error is lr's). */
static int tz_wait(struct ledger_job *j)
{
	pthread_mutex_lock(&j->mu);
	while (!j->tz_done)
		pthread_cond_wait(&j->cv, &j->mu);
	if (j->tz_rc == BULU_OK && !j->tz_set) {
		his_profile_set_outage_tz(j->prof, j->tz_have, j->tz_off);
		j->tz_set = 1;
	}
	int rc = j->tz_rc == BULU_OK ? 0 : -1;
	pthread_mutex_unlock(&j->mu);
	return rc;
}

static int tz_gate(void *arg) { return tz_wait(arg); }

static void *ledger_thread(void *arg)
{
	struct ledger_job *j = arg;
	const struct recon_tz_hook hook = {tz_ready, j};
	j->rc = recon_load_ledger(&j->r, &hook, &j->e);
	return NULL;
}

static void recon_free(struct recon *r)
{
	for (int k = 0; k < HIS_NKINDS; k++)
		his_table_free(&r->his[k]);
	free(r->u);
	free(r->ep);
	free(r->books);
	free(r->roles);
	free(r->inv);
	free(r->f);
	strpool_free(r->pool);
}

int cmd_reconcile(int argc, char **argv)
{
	enum { O_LEDGER = 256, O_HIS, O_OUT, O_PROFILE, O_EPISODE, O_WINDOW, O_DRILL, O_TOL, O_DUE_I, O_DUE_A, O_QUIET };
	static const struct option opts[] = {
		{"ledger", required_argument, 0, O_LEDGER},   {"his", required_argument, 0, O_HIS},
		{"out", required_argument, 0, O_OUT},         {"profile", required_argument, 0, O_PROFILE},
		{"episode", required_argument, 0, O_EPISODE}, {"window", required_argument, 0, O_WINDOW},
		{"drill", no_argument, 0, O_DRILL},           {"tolerance", required_argument, 0, O_TOL},
		{"due-important", required_argument, 0, O_DUE_I}, {"due-all", required_argument, 0, O_DUE_A},
		{"quiet", no_argument, 0, O_QUIET},           {"help", no_argument, 0, 'h'},
		{0, 0, 0, 0}};
	struct recon r;
	memset(&r, 0, sizeof r);
	r.o.tolerance = 2 * 3600;
	r.o.due_important = 0;
	r.o.due_all = 1;
	struct his_arg his[64];
	size_t nhis = 0;
	const char *out = NULL, *profile = NULL;
	int quiet = 0, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case O_LEDGER: r.o.ledger = optarg; break;
		case O_OUT: out = optarg; break;
		case O_PROFILE: profile = optarg; break;
		case O_EPISODE: r.o.episode = optarg; break;
		case O_DRILL: r.o.drill = 1; break;
		case O_QUIET: quiet = 1; break;
		case O_HIS: {
			const char *eq = strchr(optarg, '=');
			char kind[32];
			if (!eq || eq == optarg || (size_t)(eq - optarg) >= sizeof kind || !eq[1])
				return cli_usage(argv[0], "--his wants KIND=FILE, e.g. --his charges=charges.csv");
			memcpy(kind, optarg, (size_t)(eq - optarg));
			kind[eq - optarg] = '\0';
			if (nhis == sizeof his / sizeof his[0])
				return cli_usage(argv[0], "too many --his files (at most 64)");
			if (his_kind_parse(kind, &his[nhis].kind) != 0)
				return cli_usage(argv[0], "--his %s: KIND is registrations, charges, orders, dispenses or invoices", optarg);
			his[nhis++].path = eq + 1;
			break;
		}
		case O_WINDOW: {
			const char *dots = strstr(optarg, "..");
			if (!dots || parse_time(optarg, (size_t)(dots - optarg), &r.o.win_from) != 0 ||
			    parse_time(dots + 2, strlen(dots + 2), &r.o.win_to) != 0 || r.o.win_to < r.o.win_from)
				return cli_usage(argv[0], "--window wants FROM..TO, two times in order, e.g. "
							  "'2026-11-20 08:00..2026-11-20 20:00'");
			r.o.have_window = 1;
			break;
		}
		case O_TOL:
			if ((r.o.tolerance = parse_duration(optarg)) < 0)
				return cli_usage(argv[0], "--tolerance wants a duration such as 90m, 2h or 1d");
			break;
		case O_DUE_I:
			if (parse_days(optarg, &r.o.due_important) != 0)
				return cli_usage(argv[0], "--due-important wants a number of days (0-365)");
			break;
		case O_DUE_A:
			if (parse_days(optarg, &r.o.due_all) != 0)
				return cli_usage(argv[0], "--due-all wants a number of days (0-365)");
			break;
		case 'h': return cli_help(usage);
		default: return cli_usage(argv[0], "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage(argv[0], "unexpected argument '%s'", argv[optind]);
	if (!r.o.ledger || !*r.o.ledger)
		return cli_usage(argv[0], "--ledger FILE is required");
	if (!out || !*out)
		return cli_usage(argv[0], "--out DIR is required");
	if (!nhis)
		return cli_usage(argv[0], "at least one --his KIND=FILE is required");
	if (r.o.episode && r.o.have_window)
		return cli_usage(argv[0], "--episode and --window exclude each other");
	int stdin_used = 0;
	for (size_t i = 0; i < nhis; i++)
		if (strcmp(his[i].path, "-") == 0 && stdin_used++)
			return cli_usage(argv[0], "only one --his may read standard input");

	bulu_err e = {0};
	struct his_profile *prof = NULL;
	struct ledger_job lr;
	pthread_t lt;
	int joined = 1, sync_made = 0;
	memset(&lr, 0, sizeof lr);
	int show = cli_progress_wanted() && !quiet;
	int rc = BULU_OK;
	if (!(r.pool = strpool_new())) {
		rc = bulu_errf(&e, BULU_SYSTEM, "out of memory");
		goto done;
	}
	if ((rc = his_profile_load(profile, &prof, &e)) != BULU_OK)
		goto done;
	/* the ledger is read on a thread of its own, into a pool of its own,
	 * while this one reads the exports; then its strings join ours.  The
	 * exports' times need the outage's time zone, which that thread reads
	 * first from the ledger it opened and hands over: the exports are read
	 * and split meanwhile, and their conversion waits for it (tz_gate). */
	progress(show, "reading the ledger", r.o.ledger);
	lr.r.o = r.o;
	lr.prof = prof;
	if (!(lr.r.pool = strpool_new())) {
		rc = bulu_errf(&e, BULU_SYSTEM, "out of memory");
		goto done;
	}
	if (pthread_mutex_init(&lr.mu, NULL) != 0) {
		rc = bulu_errf(&e, BULU_SYSTEM, "cannot start a thread");
		goto done;
	}
	if (pthread_cond_init(&lr.cv, NULL) != 0) {
		pthread_mutex_destroy(&lr.mu);
		rc = bulu_errf(&e, BULU_SYSTEM, "cannot start a thread");
		goto done;
	}
	sync_made = 1;
	if (pthread_create(&lt, NULL, ledger_thread, &lr) != 0) {
		ledger_thread(&lr);
	} else {
		joined = 0;
	}
	for (size_t i = 0; i < nhis; i++) {
		progress(show, "reading", his[i].path);
		struct his_table *t = &r.his[his[i].kind];
		/* the matched kinds' patients and invoices are interned later, for
		 * the rows that can matter (recon_prefilter); the invoice register
		 * is used whole */
		int defer = his[i].kind != HIS_INVOICES;
		if (!r.given[his[i].kind]) {
			t->defer = defer;
			t->before_conv = tz_gate;
			t->before_conv_arg = &lr;
			rc = his_read(his[i].path, his[i].kind, prof, r.pool, t, &e);
		} else {
			/* a second file of the kind: read apart, then append */
			struct his_table more;
			memset(&more, 0, sizeof more);
			more.defer = defer;
			more.before_conv = tz_gate;
			more.before_conv_arg = &lr;
			rc = his_read(his[i].path, his[i].kind, prof, r.pool, &more, &e);
			if (rc == BULU_OK) {
				struct his_row *nr = realloc(t->rows, (t->n + more.n + 1) * sizeof *nr);
				char *nt = nr ? realloc(t->text, t->text_len + more.text_len + 1) : NULL;
				if (nr)
					t->rows = nr;
				if (!nr || !nt || t->text_len + more.text_len >= UINT32_MAX) {
					rc = bulu_errf(&e, BULU_SYSTEM, "out of memory");
				} else {
					t->text = nt;
					memcpy(t->text + t->text_len, more.text, more.text_len);
					for (size_t k = 0; k < more.n; k++) {
						t->rows[t->n + k] = more.rows[k];
						struct his_row *h = &t->rows[t->n + k];
						if (h->his_id)
							h->his_id += (uint32_t)t->text_len;
						if (defer && h->patient)
							h->patient += (uint32_t)t->text_len;
						if (defer && h->invoice)
							h->invoice += (uint32_t)t->text_len;
					}
					t->text_len += more.text_len;
					t->text_cap = t->text_len + 1;
					t->n += more.n;
					t->nread += more.nread;
					t->cap = t->n + 1;
					for (int f = 0; f < HF_NFIELDS; f++)
						t->has[f] &= more.has[f];
				}
			}
			his_table_free(&more);
		}
		if (rc != BULU_OK && tz_wait(&lr) != 0) {
			/* the ledger cannot be opened or asked: its error wins, as
			 * when it was asked before any export was read */
			if (!joined) {
				pthread_join(lt, NULL);
				joined = 1;
			}
			e = lr.e;
			rc = lr.rc != BULU_OK ? lr.rc : lr.tz_rc;
		}
		if (rc != BULU_OK)
			goto done;
		r.given[his[i].kind] = 1;
	}
	if (!joined) {
		pthread_join(lt, NULL);
		joined = 1;
	}
	if (lr.rc != BULU_OK) {
		e = lr.e;
		rc = lr.rc;
		goto done;
	}
	if ((rc = recon_adopt(&r, &lr.r, &e)) != BULU_OK)
		goto done;
	for (int k = 0; k < HIS_INVOICES; k++)
		if (r.given[k] && (rc = recon_prefilter(&r, (enum his_kind)k, &e)) != BULU_OK)
			goto done;
	/* every line starts "not checked"; the checks below settle the rest */
	for (size_t i = 0; i < r.nu; i++) {
		struct unit *u = &r.u[i];
		if (u->hkind == HK_NONE) {
			u->state = RC_NO_EXPORT;
			u->expl = recon_str(&r, "no HIS export covers %s entries", jkind_name((enum jkind)u->jkind));
		} else if (u->hkind < HIS_NKINDS && !r.given[u->hkind]) {
			u->state = RC_NOT_CHECKED;
			u->expl = recon_str(&r, "no HIS %s export was given", his_kind_name((enum his_kind)u->hkind));
		}
	}
	progress(show, "matching", "");
	if ((rc = recon_deadlines(&r, &e)) != BULU_OK)
		goto done;
	for (int k = 0; k < HIS_INVOICES && rc == BULU_OK; k++)
		if (r.given[k])
			rc = recon_match(&r, (enum his_kind)k, &e);
	progress(show, "invoices", "");
	if (rc == BULU_OK)
		rc = recon_invoices(&r, &e);
	if (rc == BULU_OK)
		rc = recon_threeway(&r, &e);
	if (rc == BULU_OK)
		rc = recon_routes(&r, prof, &e);
	if (rc == BULU_OK) {
		progress(show, "writing", out);
		rc = recon_write(&r, out, quiet, &e);
	}
	progress(show, "done", "");
	if (rc == BULU_OK && fflush(stdout) != 0)
		rc = bulu_errf(&e, BULU_SYSTEM, "writing to standard output failed");
done:
	if (!joined)
		pthread_join(lt, NULL);
	if (sync_made) {
		pthread_cond_destroy(&lr.cv);
		pthread_mutex_destroy(&lr.mu);
	}
	recon_free(&lr.r);
	his_profile_free(prof);
	size_t nf = r.nf;
	recon_free(&r);
	if (rc != BULU_OK)
		return cli_fail(&e);
	return nf ? BULU_FINDINGS : BULU_OK;
}
