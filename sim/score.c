/*
 * score.c - `bulu sim score`: how much of the truth the reconciler found.
 *
 * Each truth row and each finding is reduced to the key that names the one
 * thing it is about, so the two can be compared without caring about
 * explanations, money or the order of rows:
 *
 *   EXTRA_IN_HIS          class, the HIS row (his_id)
 *   INVOICE_*             class, kind, the number (a run "A-B" of one
 *                         number counts as "A")
 *   DISPENSE_MISMATCH     class, patient, drug (the check is per patient
 *                         and drug; which copy of the requisition carries
 *                         it is the reconciler's choice)
 *   every other class     class, kind, station, seq, line
 *
 * A truth row is found when a finding has its key (each finding counts
 * once); recall = found / truth, precision = findings that are truth /
 * findings, per class.  Findings of classes that were never injected count
 * against precision.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulu/buf.h"
#include "bulu/cli.h"
#include "bulu/csvfile.h"
#include "sim.h"

static const char usage[] =
	"usage: bulu sim score --truth DIR/truth.csv --findings OUT/findings.csv [--verbose]\n"
	"\n"
	"Compare what `bulu reconcile` found with what `bulu sim` injected: per finding\n"
	"class, the rows of truth, the findings, how many agree, recall and precision.\n"
	"  --verbose   also list every miss and every finding that is not in the truth\n"
	"              (by class, station, seq, line, HIS row and invoice number; patient\n"
	"              ids only in these lines)\n"
	"Exit 0 when recall and precision are 100 % for every class; 1 otherwise;\n"
	"2 bad usage or an unreadable file.\n";

enum { F_CLASS, F_KIND, F_STATION, F_SEQ, F_LINE, F_HIS, F_PATIENT, F_ITEM, F_INVOICE,
	F_JVALUE, F_HVALUE, NF };

typedef struct rec {
	char *key;
	char *cls;
	int used;
} rec;

typedef struct side {
	const char *path;
	int truth;
	int idx[NF];
	rec *v;
	size_t n, cap;
} side;

static char *dupn(const char *s)
{
	char *p = strdup(s ? s : "");
	if (!p) {
		fprintf(stderr, "bulu: out of memory\n");
		exit(BULU_SYSTEM);
	}
	return p;
}

/* The invoice number a finding is about: the value up to a space (the
 * reconciler adds the status, "00100003 作废"); a run "A-B" with A == B
 * is "A". */
static void invoice_of(const char *v, char out[64])
{
	snprintf(out, 64, "%.*s", (int)strcspn(v, " "), v);
	char *dash = strchr(out, '-');
	if (dash && strcmp(dash + 1, out) != 0) {
		*dash = 0;
		if (strcmp(out, dash + 1) != 0)
			*dash = '-';
	} else if (dash) {
		*dash = 0;
	}
}

static int on_row(void *ud, size_t row, size_t nf, char *const *f, const size_t *lens, bulu_err *e)
{
	(void)lens;
	side *s = ud;
	if (row == 1) {
		static const char *const truth[NF] = {"class", "kind", "station", "seq", "line", "his_id",
			"patient_id", "item_code", "invoice_no", "", ""};
		static const char *const found[NF] = {"class", "kind", "station", "seq", "line", "his_id",
			"patient_id", "item_code", "", "journal_value", "his_value"};
		const char *const *want = s->truth ? truth : found;
		for (int k = 0; k < NF; k++) {
			s->idx[k] = -1;
			for (size_t i = 0; i < nf && *want[k]; i++) {
				const char *h = f[i];
				if (strncmp(h, "\xEF\xBB\xBF", 3) == 0)
					h += 3;
				if (strcmp(h, want[k]) == 0)
					s->idx[k] = (int)i;
			}
			if (*want[k] && s->idx[k] < 0)
				return bulu_errf(e, BULU_BADINPUT, "%s:1: missing column \"%s\"", s->path, want[k]);
		}
		return BULU_OK;
	}
	const char *v[NF];
	for (int k = 0; k < NF; k++)
		v[k] = s->idx[k] >= 0 && (size_t)s->idx[k] < nf ? f[s->idx[k]] : "";
	if (!s->truth) /* findings.csv: cells a spreadsheet would run carry a "'" */
		for (int k = 0; k < NF; k++)
			v[k] = cli_csv_plain(v[k]);
	buf key = BUF_INIT;
	const char *cls = v[F_CLASS];
	if (strcmp(cls, "EXTRA_IN_HIS") == 0) {
		buf_printf(&key, "%s|%s", cls, v[F_HIS]);
	} else if (strncmp(cls, "INVOICE_", 8) == 0) {
		char inv[64];
		invoice_of(s->truth ? v[F_INVOICE] : *v[F_JVALUE] ? v[F_JVALUE] : v[F_HVALUE], inv);
		buf_printf(&key, "%s|%s|%s", cls, v[F_KIND], inv);
	} else if (strcmp(cls, "DISPENSE_MISMATCH") == 0) {
		buf_printf(&key, "%s|%s|%s", cls, v[F_PATIENT], v[F_ITEM]);
	} else {
		buf_printf(&key, "%s|%s|%s|%s|%s", cls, v[F_KIND], v[F_STATION], v[F_SEQ], v[F_LINE]);
	}
	if (key.oom)
		return bulu_errf(e, BULU_SYSTEM, "out of memory");
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		rec *p = realloc(s->v, cap * sizeof *p);
		if (!p) {
			buf_free(&key);
			return bulu_errf(e, BULU_SYSTEM, "out of memory");
		}
		s->v = p;
		s->cap = cap;
	}
	s->v[s->n].key = key.p ? key.p : dupn("");
	s->v[s->n].cls = dupn(cls);
	s->v[s->n].used = 0;
	s->n++;
	return BULU_OK;
}

static int by_key(const void *a, const void *b)
{
	return strcmp(((const rec *)a)->key, ((const rec *)b)->key);
}

struct tally {
	char cls[40];
	size_t truth, found, right_t, right_f;
};

static struct tally *tally_of(struct tally *t, size_t *n, const char *cls)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp(t[i].cls, cls) == 0)
			return &t[i];
	struct tally *x = &t[(*n)++];
	memset(x, 0, sizeof *x);
	snprintf(x->cls, sizeof x->cls, "%s", cls);
	return x;
}

static void pct(size_t a, size_t b, char out[16])
{
	if (b == 0)
		snprintf(out, 16, "-");
	else
		snprintf(out, 16, "%.1f %%", 100.0 * (double)a / (double)b);
}

static void free_side(side *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].key);
		free(s->v[i].cls);
	}
	free(s->v);
}

int cmd_sim_score(int argc, char **argv)
{
	static const struct option opts[] = {{"truth", required_argument, 0, 't'},
		{"findings", required_argument, 0, 'f'}, {"verbose", no_argument, 0, 'v'},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	const char *tp = NULL, *fp = NULL;
	int verbose = 0, c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 't': tp = optarg; break;
		case 'f': fp = optarg; break;
		case 'v': verbose = 1; break;
		case 'h': return cli_help(usage);
		default: return cli_usage(argv[0], "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage(argv[0], "unexpected argument '%s'", argv[optind]);
	if (!tp || !fp)
		return cli_usage(argv[0], "--truth FILE and --findings FILE are required");
	side t = {.path = tp, .truth = 1}, f = {.path = fp};
	bulu_err e = {0};
	int rc = csvfile_read(tp, TEXT_AUTO, on_row, &t, NULL, &e);
	if (!rc)
		rc = csvfile_read(fp, TEXT_AUTO, on_row, &f, NULL, &e);
	if (rc) {
		free_side(&t);
		free_side(&f);
		return cli_fail(&e);
	}
	if (t.n)
		qsort(t.v, t.n, sizeof *t.v, by_key);
	if (f.n)
		qsort(f.v, f.n, sizeof *f.v, by_key);
	/* walk both sorted lists: equal keys pair one to one */
	for (size_t i = 0, j = 0; i < t.n && j < f.n;) {
		int d = strcmp(t.v[i].key, f.v[j].key);
		if (d == 0) {
			t.v[i++].used = 1;
			f.v[j++].used = 1;
		} else if (d < 0) {
			i++;
		} else {
			j++;
		}
	}
	struct tally *tl = calloc(sim_nclasses + t.n + f.n + 1, sizeof *tl);
	if (!tl) {
		free_side(&t);
		free_side(&f);
		return cli_fail(&(bulu_err){BULU_SYSTEM, "out of memory"});
	}
	size_t nt = 0;
	for (size_t i = 0; i < sim_nclasses; i++)
		tally_of(tl, &nt, sim_classes[i]);
	for (size_t i = 0; i < t.n; i++) {
		struct tally *x = tally_of(tl, &nt, t.v[i].cls);
		x->truth++;
		x->right_t += t.v[i].used;
	}
	for (size_t i = 0; i < f.n; i++) {
		struct tally *x = tally_of(tl, &nt, f.v[i].cls);
		x->found++;
		x->right_f += f.v[i].used;
	}
	int perfect = 1;
	size_t at = 0, af = 0, art = 0, arf = 0;
	printf("%-22s %7s %8s %8s %9s %10s\n", "class", "truth", "findings", "agree", "recall", "precision");
	for (size_t i = 0; i < nt; i++) {
		char r[16], p[16];
		pct(tl[i].right_t, tl[i].truth, r);
		pct(tl[i].right_f, tl[i].found, p);
		printf("%-22s %7zu %8zu %8zu %9s %10s\n", tl[i].cls, tl[i].truth, tl[i].found,
		       tl[i].right_t, r, p);
		perfect &= tl[i].right_t == tl[i].truth && tl[i].right_f == tl[i].found;
		at += tl[i].truth;
		af += tl[i].found;
		art += tl[i].right_t;
		arf += tl[i].right_f;
	}
	char r[16], p[16];
	pct(art, at, r);
	pct(arf, af, p);
	printf("%-22s %7zu %8zu %8zu %9s %10s\n", "all", at, af, art, r, p);
	if (verbose) {
		for (size_t i = 0; i < t.n; i++)
			if (!t.v[i].used)
				printf("missed: %s\n", t.v[i].key);
		for (size_t i = 0; i < f.n; i++)
			if (!f.v[i].used)
				printf("not in the truth: %s\n", f.v[i].key);
	} else if (!perfect) {
		printf("(--verbose lists the misses and the findings not in the truth)\n");
	}
	free(tl);
	free_side(&t);
	free_side(&f);
	return perfect ? BULU_OK : BULU_FINDINGS;
}
