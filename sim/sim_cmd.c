/*
 * sim_cmd.c - `bulu sim`: a whole outage, simulated with the real tools.
 *
 * The day before: IT makes the stations, loads the catalog, hands out the
 * invoice books, registers every key at the central office, and runs a
 * short drill at the lab.  On the day: the breakpoint at 08:00, then hour
 * by hour each station captures its paper forms (`bulu capture import`, as
 * a clerk types a pile in) and exports what is new to a USB stick, sealed
 * to the central key.  At the restore notice every station exports once
 * more.  The sticks reach the central office as "trips", one per hour, with
 * the mishaps of a real outage: a bundle copied twice, a stick left in a
 * drawer and brought last, one copy damaged and made again.  Then the HIS
 * exports after an imperfect back-fill, and truth.csv (his_out.c).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <spawn.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bulu/cli.h"
#include "bulu/clock.h"
#include "bulu/fsutil.h"
#include "sim.h"

extern char **environ;

static const char usage[] =
	"usage: bulu sim --out DIR [--seed N] [--size drill|small|medium|large]\n"
	"                [--forms N] [--hours H] [--his-rows N] [--cashiers N] [--wards N]\n"
	"                [--rate R] [--rate CLASS=R]... [--quiet]\n"
	"       bulu sim score --truth DIR/truth.csv --findings OUT/findings.csv\n"
	"\n"
	"Simulate a whole HIS outage into DIR (which must not exist or be empty), with\n"
	"the real tools: stations of every department (outpatient cashiers, pharmacy,\n"
	"wards, inpatient pharmacy, lab, imaging) provisioned the day before, a drill,\n"
	"the breakpoint at 08:00, hours of captured forms, a sealed export every hour,\n"
	"the restore notice, and the HIS exports after an imperfect back-fill with\n"
	"discrepancies of every finding class injected.  The same seed gives the same\n"
	"forms, HIS exports and truth, byte for byte (keys are new each time).\n"
	"\n"
	"  --out DIR        where to write (see DIR/README.txt afterwards)\n"
	"  --seed N         the seed (default 1)\n"
	"  --size S         drill: 100 forms, 2 h, 1 cashier, 1 ward;\n"
	"                   small (default): 600 forms, 4 h, 2 cashiers, 2 wards, 5,000 HIS rows;\n"
	"                   medium: 10,000 forms, 8 h, 4 cashiers, 4 wards, 100,000 HIS rows;\n"
	"                   large: 100,000 forms, 12 h, 8 cashiers, 8 wards, 1,000,000 HIS rows\n"
	"  --forms N        forms captured during the outage (about)\n"
	"  --hours H        length of the outage, 1 to 12 (one export per hour)\n"
	"  --his-rows N     at least N rows in the HIS charges export: the rest is the\n"
	"                   HIS's ordinary traffic, which must never be reported\n"
	"  --cashiers N, --wards N   how many stations of each (1 to 8)\n"
	"  --rate R         share of eligible forms given each discrepancy (default 0.02;\n"
	"                   at least one of each class)\n"
	"  --rate CLASS=R   the share for one class, e.g. --rate MISSING_IN_HIS=0.1\n"
	"  --quiet          no progress and no closing summary\n"
	"\n"
	"Writes DIR/stations/ (one station directory each), DIR/carry/ (the USB trips,\n"
	"in the order they reach the central office), DIR/central/, DIR/roster.txt,\n"
	"DIR/catalog.csv, DIR/his/ (registrations, charges, orders, dispenses, invoices)\n"
	"and DIR/truth.csv.  Exit 0 done; 2 bad usage; 4 the system failed.\n";

/* ---- running bulu ---- */
int sim_run(sim *s, const char *const *env, const char *out_path, const char *const *args)
{
	const char *argv[32];
	size_t n = 0;
	argv[n++] = s->o.bulu;
	for (; *args && n < 31; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	size_t ne = 0;
	while (environ[ne])
		ne++;
	char **envp = calloc(ne + 16, sizeof *envp);
	if (!envp)
		return -1;
	size_t k = 0;
	for (size_t i = 0; i < ne; i++) {
		int over = 0;
		for (const char *const *x = env; x && *x; x++) {
			size_t l = strcspn(*x, "=");
			over |= strncmp(environ[i], *x, l + 1) == 0;
		}
		if (!over)
			envp[k++] = environ[i];
	}
	for (const char *const *x = env; x && *x && k < ne + 15; x++)
		envp[k++] = (char *)*x;
	envp[k] = NULL;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, out_path ? out_path : "/dev/null",
	                                 O_WRONLY | O_CREAT | O_TRUNC, 0644);
	/* the tools' messages are kept, and shown only when a step fails */
	posix_spawn_file_actions_addopen(&fa, 2, s->err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	pid_t pid;
	int rc = posix_spawn(&pid, s->o.bulu, &fa, NULL, (char *const *)argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	free(envp);
	if (rc != 0)
		return -1;
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Run, and fail the simulation when the step fails. */
static int step(sim *s, const char *now, const char *out, const char *const *args, bulu_err *e)
{
	char env_now[64];
	snprintf(env_now, sizeof env_now, "BULU_NOW=%s", now);
	const char *env[] = {env_now, "BULU_VERBOSE=0", NULL};
	int rc = sim_run(s, env, out, args);
	if (rc != 0) {
		char what[256] = "";
		for (size_t i = 0; args[i] && i < 3; i++)
			snprintf(what + strlen(what), sizeof what - strlen(what), " %s", args[i]);
		FILE *fp = fopen(s->err_path, "r");
		char msg[512] = "";
		if (fp) {
			if (!fgets(msg, sizeof msg, fp))
				msg[0] = 0;
			fclose(fp);
		}
		msg[strcspn(msg, "\n")] = 0;
		return bulu_errf(e, BULU_SYSTEM, "the step `bulu%s` failed (exit %d): %s", what, rc, msg);
	}
	return BULU_OK;
}

static int64_t max_seq(const char *station_dir, bulu_err *e)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/journal.db", station_dir);
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int64_t v = -1;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT max(seq) FROM entries", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	if (v < 0)
		bulu_errf(e, BULU_SYSTEM, "%s: cannot read the journal", path);
	return v;
}

static void iso(int64_t t, char out[32]) { sim_fmt_time(t, out, 1); }

/* ---- bundles and trips ---- */
typedef struct bundle_rec {
	char name[96];   /* STATION-FIRST-LAST.bulu */
	int station, sweep, trip, dup_trip, damaged_trip;
} bundle_rec;

static int copy_file(const char *from, const char *to, long keep, bulu_err *e)
{
	FILE *in = fopen(from, "rb");
	if (!in)
		return bulu_errf(e, BULU_SYSTEM, "%s: cannot read", from);
	buf b = BUF_INIT;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, in)) > 0)
		buf_put(&b, chunk, n);
	fclose(in);
	size_t len = keep >= 0 && (size_t)keep < b.len ? (size_t)keep : b.len;
	int rc = b.oom ? bulu_errf(e, BULU_SYSTEM, "out of memory")
	               : fs_write_atomic(to, b.p ? b.p : "", len, 0644, e);
	buf_free(&b);
	return rc;
}

static int export_station(sim *s, int i, const char *dir, const char *now, bundle_rec **recs,
                          size_t *nrecs, int sweep, bulu_err *e)
{
	char sdir[PATH_MAX], outdir[PATH_MAX], pub[PATH_MAX], outfile[PATH_MAX];
	snprintf(sdir, sizeof sdir, "%s/stations/%s", dir, s->stations[i].id);
	snprintf(outdir, sizeof outdir, "%s/.work/usb", dir);
	snprintf(pub, sizeof pub, "%s/central/central.pub", dir);
	snprintf(outfile, sizeof outfile, "%s/.work/export.out", dir);
	const char *a[] = {"sync", "export", "--dir", sdir, "--out", outdir, "--seal-to", pub, NULL};
	int rc = step(s, now, outfile, a, e);
	if (rc)
		return rc;
	FILE *fp = fopen(outfile, "r");
	char line[PATH_MAX] = "";
	if (fp) {
		if (!fgets(line, sizeof line, fp))
			line[0] = 0;
		fclose(fp);
	}
	line[strcspn(line, "\r\n")] = 0;
	if (!line[0])
		return BULU_OK; /* nothing new */
	bundle_rec *p = realloc(*recs, (*nrecs + 1) * sizeof *p);
	if (!p)
		return bulu_errf(e, BULU_SYSTEM, "out of memory");
	*recs = p;
	bundle_rec *r = &p[(*nrecs)++];
	memset(r, 0, sizeof *r);
	const char *base = strrchr(line, '/');
	snprintf(r->name, sizeof r->name, "%s", base ? base + 1 : line);
	r->station = i;
	r->sweep = r->trip = sweep;
	r->dup_trip = r->damaged_trip = -1;
	s->bundles++;
	return BULU_OK;
}

/* Put each bundle into its trip, with the mishaps, and copy the files. */
static int carry(sim *s, const char *dir, bundle_rec *r, size_t n, int ntrips, bulu_err *e)
{
	int last = ntrips - 1;
	/* a stick left in a drawer: one bundle in six arrives with the last trip */
	size_t late = 0, dup = 0;
	for (size_t i = 0; i < n; i++) {
		if (r[i].sweep < last - 1 && (sim_rng_chance(&s->rng, 1.0 / 6) || (late == 0 && i == n / 3))) {
			r[i].trip = last;
			late++;
		}
	}
	for (size_t i = 0; i < n; i++) {
		/* copied twice: on the next trip again */
		if (r[i].trip < last && (sim_rng_chance(&s->rng, 0.1) || (dup == 0 && i >= n / 2))) {
			r[i].dup_trip = r[i].trip + 1;
			dup++;
		}
	}
	/* one copy damaged on the way (half its bytes), made again for the last trip */
	for (size_t d = n / 4; d < n; d++)
		if (r[d].trip < last && r[d].dup_trip < 0) {
			r[d].damaged_trip = r[d].trip;
			r[d].trip = last;
			break;
		}
	for (size_t i = 0; i < n; i++) {
		for (int w = 0; w < 3; w++) {
			int trip = w == 0 ? r[i].trip : w == 1 ? r[i].dup_trip : r[i].damaged_trip;
			if (trip < 0)
				continue;
			char tdir[PATH_MAX], from[PATH_MAX], to[PATH_MAX];
			snprintf(tdir, sizeof tdir, "%s/carry/trip-%02d", dir, trip + 1);
			int rc = fs_mkdirs(tdir, 0755, e);
			for (int sig = 0; sig < 2 && !rc; sig++) {
				snprintf(from, sizeof from, "%s/.work/usb/%s%s", dir, r[i].name, sig ? ".minisig" : "");
				snprintf(to, sizeof to, "%s/%s%s", tdir, r[i].name, sig ? ".minisig" : "");
				long keep = -1;
				if (w == 2 && !sig) {
					struct stat sb;
					keep = stat(from, &sb) == 0 ? (long)sb.st_size / 2 : 0;
				}
				rc = copy_file(from, to, keep, e);
			}
			if (rc)
				return rc;
		}
	}
	return BULU_OK;
}

/* ---- the outage ---- */
static int provision(sim *s, const char *dir, const char *now, bulu_err *e)
{
	char cat[PATH_MAX], central[PATH_MAX], roster[PATH_MAX];
	snprintf(cat, sizeof cat, "%s/catalog.csv", dir);
	snprintf(central, sizeof central, "%s/central", dir);
	snprintf(roster, sizeof roster, "%s/roster.txt", dir);
	int rc = sim_write_catalog(cat, e);
	const char *ci[] = {"central", "init", "--dir", central, NULL};
	if (!rc)
		rc = step(s, now, NULL, ci, e);
	for (int i = 0; i < s->nstations && !rc; i++) {
		const sim_station *st = &s->stations[i];
		char sdir[PATH_MAX], from[24], to[24];
		snprintf(sdir, sizeof sdir, "%s/stations/%s", dir, st->id);
		const char *init[] = {"station", "init", "--dir", sdir, "--station", st->id,
			"--dept", st->dept, "--role", st->role, NULL};
		const char *load[] = {"catalog", "load", "--dir", sdir, cat, NULL};
		const char *add[] = {"roster", "add", "--roster", roster, "--from-station", sdir, NULL};
		rc = step(s, now, NULL, init, e);
		if (!rc)
			rc = step(s, now, NULL, load, e);
		if (!rc && st->r == ROLE_CASHIER) {
			sim_fmt_invoice(st->book_from, from);
			sim_fmt_invoice(st->book_to, to);
			const char *book[] = {"invoice", "add-book", "--dir", sdir, "--from", from,
				"--to", to, NULL};
			rc = step(s, now, NULL, book, e);
		}
		if (!rc)
			rc = step(s, now, NULL, add, e);
	}
	return rc;
}

static int import_forms(sim *s, const char *dir, int i, size_t first, size_t last,
                        const char *now, const char *tag, bulu_err *e)
{
	size_t count = 0;
	for (size_t k = first; k < last; k++)
		count += s->forms[k].station == i;
	if (!count)
		return BULU_OK;
	char sdir[PATH_MAX], file[PATH_MAX];
	snprintf(sdir, sizeof sdir, "%s/stations/%s", dir, s->stations[i].id);
	snprintf(file, sizeof file, "%s/.work/forms/%s-%s.csv", dir, s->stations[i].id, tag);
	int rc = sim_write_forms(s, file, i, first, last, e);
	if (rc)
		return rc;
	int64_t before = max_seq(sdir, e);
	if (before < 0)
		return BULU_SYSTEM;
	const char *a[] = {"capture", "import", "--dir", sdir, file, NULL};
	rc = step(s, now, NULL, a, e);
	if (rc)
		return rc;
	int64_t after = max_seq(sdir, e);
	if (after != before + (int64_t)count)
		return bulu_errf(e, BULU_SYSTEM, "%s: %zu forms imported as %" PRId64 " entries",
		                 file, count, after - before);
	/* forms get their seqs in file order */
	int64_t seq = before;
	for (size_t k = first; k < last; k++)
		if (s->forms[k].station == i)
			s->forms[k].seq = ++seq;
	s->entries += (long)count;
	return BULU_OK;
}

static int outage(sim *s, const char *dir, bundle_rec **recs, size_t *nrecs, bulu_err *e)
{
	char now[32], at[32];
	int rc = BULU_OK;
	/* the day before, 15:00: a drill at the lab, five exams on paper typed in */
	int lab = -1;
	for (int i = 0; i < s->nstations; i++)
		if (s->stations[i].r == ROLE_LAB)
			lab = i;
	int64_t drill = s->start - 17 * 3600;
	char sdir[PATH_MAX];
	snprintf(sdir, sizeof sdir, "%s/stations/%s", dir, s->stations[lab].id);
	sim_fmt_time(drill, at, 1);
	iso(drill + 60, now);
	const char *ds[] = {"outage", "start", "--dir", sdir, "--drill", "--at", at,
		"--operator", "信息科王工", NULL};
	rc = step(s, now, NULL, ds, e);
	size_t first = s->nforms;
	for (int k = 0; k < 5 && !rc; k++) {
		sim_form *f = sim_form_new(s, SK_EXAM, lab, drill + 120 + 60 * k);
		snprintf(f->patient, sizeof f->patient, "ZY2026%05d", 99000 + k);
		snprintf(f->name, sizeof f->name, "演练患者%d", k + 1);
		f->drill = 1;
		f->nlines = 1;
		f->lines[0].item = 14 + k % 4; /* the lab's tests */
		f->lines[0].qty = 1;
	}
	iso(drill + 1500, now);
	if (!rc)
		rc = import_forms(s, dir, lab, first, s->nforms, now, "drill", e);
	iso(drill + 1800, now);
	const char *de[] = {"outage", "end", "--dir", sdir, "--operator", "信息科王工", NULL};
	if (!rc)
		rc = step(s, now, NULL, de, e);

	/* 08:00: the HIS is down; IT announces the unified start time */
	sim_fmt_time(s->start, at, 1);
	iso(s->start + 60, now);
	for (int i = 0; i < s->nstations && !rc; i++) {
		snprintf(sdir, sizeof sdir, "%s/stations/%s", dir, s->stations[i].id);
		const char *a[] = {"outage", "start", "--dir", sdir, "--at", at, "--operator", "信息科王工", NULL};
		rc = step(s, now, NULL, a, e);
	}
	for (int h = 0; h < s->o.hours && !rc; h++) {
		int64_t from = s->start + 3600 * h, to = from + 3600;
		size_t f0 = s->nforms;
		for (int i = 0; i < s->nstations; i++)
			sim_hour(s, i, from, to);
		size_t f1 = s->nforms;
		char tag[8];
		snprintf(tag, sizeof tag, "h%02d", h + 1);
		iso(to - 120, now);
		for (int i = 0; i < s->nstations && !rc; i++)
			rc = import_forms(s, dir, i, f0, f1, now, tag, e);
		iso(to - 60, now);
		for (int i = 0; i < s->nstations && !rc; i++)
			rc = export_station(s, i, dir, now, recs, nrecs, h, e);
		if (!s->o.quiet && cli_progress_wanted())
			fprintf(stderr, "\r   hour %d of %d: %zu forms, %ld bundles", h + 1, s->o.hours,
			        s->nforms, s->bundles);
	}
	if (!s->o.quiet && cli_progress_wanted())
		fputc('\n', stderr);
	/* the restore notice, and the last export of every station */
	iso(s->end, now);
	for (int i = 0; i < s->nstations && !rc; i++) {
		snprintf(sdir, sizeof sdir, "%s/stations/%s", dir, s->stations[i].id);
		const char *a[] = {"outage", "end", "--dir", sdir, "--operator", "信息科王工", NULL};
		rc = step(s, now, NULL, a, e);
	}
	iso(s->end + 300, now);
	for (int i = 0; i < s->nstations && !rc; i++)
		rc = export_station(s, i, dir, now, recs, nrecs, s->o.hours, e);
	return rc;
}

static int write_readme(sim *s, const char *dir, int ntrips, bulu_err *e)
{
	buf b = BUF_INIT;
	char start[32], end[32];
	sim_fmt_time(s->start, start, 0);
	sim_fmt_time(s->end, end, 0);
	buf_printf(&b,
		"A simulated HIS outage (bulu sim --seed %" PRIu64 ")\r\n"
		"\r\n"
		"Outage %s .. %s (+08:00), %d stations, %zu forms in %ld journal entries,\r\n"
		"%ld bundles carried in %d trips (carry/trip-NN, in the order they arrived:\r\n"
		"some bundles twice, some late, one copy damaged and made again).\r\n"
		"\r\n"
		"At the central office, each trip as it comes:\r\n"
		"  for t in %s/carry/trip-*; do\r\n"
		"    bulu sync import --ledger ledger.db --roster %s/roster.txt --central %s/central \"$t\"\r\n"
		"  done\r\n"
		"Then, once the HIS is back and the back-fill is done:\r\n"
		"  bulu reconcile --ledger ledger.db --his registrations=%s/his/registrations.csv \\\r\n"
		"    --his charges=%s/his/charges.csv --his orders=%s/his/orders.csv \\\r\n"
		"    --his dispenses=%s/his/dispenses.csv --his invoices=%s/his/invoices.csv --out 对账\r\n"
		"  bulu sim score --truth %s/truth.csv --findings 对账/findings.csv\r\n",
		s->o.seed, start, end, s->nstations, s->nforms, s->entries, s->bundles, ntrips,
		dir, dir, dir, dir, dir, dir, dir, dir, dir);
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/README.txt", dir);
	int rc = b.oom ? bulu_errf(e, BULU_SYSTEM, "out of memory")
	               : fs_write_atomic(path, b.p, b.len, 0644, e);
	if (!rc && !s->o.quiet)
		fwrite(b.p, 1, b.len, stdout);
	buf_free(&b);
	return rc;
}

static int set_size(sim_opts *o, const char *v)
{
	static const struct {
		const char *name;
		long forms, his;
		int hours, cashiers, wards;
	} sizes[] = {
		{"drill", 100, 0, 2, 1, 1},
		{"small", 600, 5000, 4, 2, 2},
		{"medium", 10000, 100000, 8, 4, 4},
		{"large", 100000, 1000000, 12, 8, 8},
	};
	for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
		if (strcmp(v, sizes[i].name) == 0) {
			o->forms = sizes[i].forms;
			o->his_rows = sizes[i].his;
			o->hours = sizes[i].hours;
			o->cashiers = sizes[i].cashiers;
			o->wards = sizes[i].wards;
			return 0;
		}
	return -1;
}

static int num(const char *v, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long x = strtol(v, &end, 10);
	if (errno || end == v || *end || x < lo || x > hi)
		return -1;
	*out = x;
	return 0;
}

static int rate(sim_opts *o, const char *v)
{
	const char *eq = strchr(v, '=');
	const char *r = eq ? eq + 1 : v;
	char *end;
	double x = strtod(r, &end);
	if (end == r || *end || !(x >= 0 && x <= 1))
		return -1;
	if (!eq) {
		o->rate = x;
		return 0;
	}
	char name[64];
	snprintf(name, sizeof name, "%.*s", (int)(eq - v), v);
	int c = sim_class_index(name);
	if (c < 0)
		return -1;
	o->rates[c] = x;
	return 0;
}

int cmd_sim(int argc, char **argv)
{
	static const struct option opts[] = {
		{"out", required_argument, 0, 'o'},     {"seed", required_argument, 0, 's'},
		{"size", required_argument, 0, 'z'},    {"forms", required_argument, 0, 'f'},
		{"hours", required_argument, 0, 'H'},   {"his-rows", required_argument, 0, 'r'},
		{"cashiers", required_argument, 0, 'c'}, {"wards", required_argument, 0, 'w'},
		{"rate", required_argument, 0, 'R'},    {"quiet", no_argument, 0, 'q'},
		{"help", no_argument, 0, 'h'},          {0, 0, 0, 0}};
	sim s;
	memset(&s, 0, sizeof s);
	sim_opts *o = &s.o;
	set_size(o, "small");
	o->seed = 1;
	o->rate = 0.02;
	for (size_t i = 0; i < sizeof o->rates / sizeof *o->rates; i++)
		o->rates[i] = -1;
	int c;
	long v;
	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'o': o->out = optarg; break;
		case 's': {
			char *end;
			errno = 0;
			unsigned long long x = strtoull(optarg, &end, 10);
			if (errno || end == optarg || *end || optarg[0] == '-')
				return cli_usage(argv[0], "--seed: a whole number, 0 or more");
			o->seed = x;
			break;
		}
		case 'z':
			if (set_size(o, optarg))
				return cli_usage(argv[0], "--size: drill, small, medium or large");
			break;
		case 'f':
			if (num(optarg, 10, 10000000, &o->forms))
				return cli_usage(argv[0], "--forms: 10 to 10,000,000");
			break;
		case 'H':
			if (num(optarg, 1, 12, &v))
				return cli_usage(argv[0], "--hours: 1 to 12");
			o->hours = (int)v;
			break;
		case 'r':
			if (num(optarg, 0, 100000000, &o->his_rows))
				return cli_usage(argv[0], "--his-rows: 0 to 100,000,000");
			break;
		case 'c':
		case 'w':
			if (num(optarg, 1, 8, &v))
				return cli_usage(argv[0], "--%s: 1 to 8", c == 'c' ? "cashiers" : "wards");
			*(c == 'c' ? &o->cashiers : &o->wards) = (int)v;
			break;
		case 'R':
			if (rate(o, optarg))
				return cli_usage(argv[0], "--rate: a share from 0 to 1, or CLASS=share with "
				                          "CLASS a finding class such as MISSING_IN_HIS");
			break;
		case 'q': o->quiet = 1; break;
		case 'h': return cli_help(usage);
		default: return cli_usage(argv[0], "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage(argv[0], "unexpected argument '%s'", argv[optind]);
	if (!o->out || !*o->out)
		return cli_usage(argv[0], "--out DIR is required");
	DIR *d = opendir(o->out);
	if (d) {
		struct dirent *de;
		int empty = 1;
		while ((de = readdir(d)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				empty = 0;
		closedir(d);
		if (!empty)
			return cli_usage(argv[0], "%s is not empty: give a new directory", o->out);
	}
	static char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0)
		return cli_usage(argv[0], "cannot find the bulu program (/proc/self/exe)");
	self[n] = 0;
	o->bulu = self;

	bulu_err e = {0};
	char dir[PATH_MAX], sub[PATH_MAX];
	int rc = fs_mkdirs(o->out, 0755, &e);
	if (!rc && !realpath(o->out, dir))
		rc = bulu_errf(&e, BULU_SYSTEM, "%s: cannot resolve", o->out);
	static const char *const subs[] = {"stations", "carry", "his", ".work/forms", ".work/usb"};
	for (size_t i = 0; i < sizeof subs / sizeof *subs && !rc; i++) {
		snprintf(sub, sizeof sub, "%s/%s", dir, subs[i]);
		rc = fs_mkdirs(sub, 0755, &e);
	}
	snprintf(s.err_path, sizeof s.err_path, "%s/.work/step.err", dir);
	sim_rng_seed(&s.rng, o->seed);
	/* 2026-11-20 08:00 +08:00, a Friday */
	s.start = clock_days_from_civil(2026, 11, 20) * 86400 + 8 * 3600 - 8 * 3600;
	s.end = s.start + 3600LL * o->hours;
	s.next_patient = 10000001;
	s.next_inpatient = 1;
	bundle_rec *recs = NULL;
	size_t nrecs = 0;
	char now[32];
	iso(s.start - 86400, now);
	if (!rc)
		rc = sim_stations_make(&s, &e);
	if (!rc)
		rc = provision(&s, dir, now, &e);
	if (!rc)
		rc = outage(&s, dir, &recs, &nrecs, &e);
	if (!rc)
		rc = carry(&s, dir, recs, nrecs, o->hours + 1, &e);
	snprintf(sub, sizeof sub, "%s/his", dir);
	if (!rc)
		rc = sim_his_write(&s, sub, &e);
	if (!rc)
		rc = sim_truth_write(&s, dir, &e);
	if (!rc)
		rc = write_readme(&s, dir, o->hours + 1, &e);
	free(recs);
	free(s.forms);
	free(s.truth);
	free(s.stations);
	if (rc)
		return cli_fail(&e);
	return BULU_OK;
}
