/*
 * catalog_load.c - `bulu catalog load`: a price catalog (价表) snapshot from CSV.
 *
 * A load reads the whole CSV into memory, checks every row, and only then
 * writes: one catalog_load journal entry and the snapshot's rows in
 * catalog_items under that entry's seq, in one transaction.  Invariants:
 *  - a snapshot is never changed (the schema's triggers refuse it); a reload
 *    adds a newer snapshot, and the newest (max load_seq) prices;
 *  - a snapshot's codes are unique, its prices are whole fen >= 0, and all
 *    its rows carry one version;
 *  - the catalog_load body's digest is BLAKE2b-256 over the canonical item
 *    list (docs/catalog-and-invoices.md), so the journal says exactly which
 *    prices were in force;
 *  - a refused file changes nothing: every refusal comes before the write
 *    and names FILE:ROW:COLUMN.
 */
#include <stdio.h>
#include <stdlib.h>
#include <getopt.h>
#include <sodium.h>
#include <string.h>

#include "bulu/catalog.h"
#include "bulu/text.h"
#include "bulu/cli.h"
#include "bulu/csvfile.h"
#include "bulu/json.h"
#include "bulu/money.h"

/* ---- reading a catalog file ------------------------------------------- */

enum { C_CODE, C_NAME, C_PINYIN, C_UNIT, C_PRICE, C_CATEGORY, C_VERSION, NCOLS };

static const char *const col_names[NCOLS] = {
	"code|编码|项目编码", "name|名称|项目名称", "pinyin|拼音码|拼音", "unit|单位",
	"price|单价|价格",    "category|类别",       "version|版本"};
static const int col_required[NCOLS] = {1, 1, 0, 1, 1, 0, 0};

struct litem {
	catalog_item it;
	size_t row;
};

struct loader {
	const char *path, *name; /* name: as shown in messages */
	const char *vflag;       /* --version, or NULL */
	int idx[NCOLS];
	struct litem *items;
	size_t n, cap;
	char version[64];
	size_t vrow;             /* row the version was first seen on (0: flag) */
	int have_header;
	size_t nhead;            /* the header's number of cells */
};

static size_t trimmed(const char **s, size_t n)
{
	while (n && (**s == ' ' || **s == '\t'))
		(*s)++, n--;
	while (n && ((*s)[n - 1] == ' ' || (*s)[n - 1] == '\t'))
		n--;
	return n;
}

static int has_control(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 1;
	return 0;
}

/* Copy the cell of column k into dst (size dn).  Absent column: "". */
static int take_cell(struct loader *l, size_t row, size_t nf, char *const *f,
		     const size_t *lens, int k, char *dst, size_t dn, bulu_err *e)
{
	dst[0] = '\0';
	int i = l->idx[k];
	if (i < 0 || (size_t)i >= nf)
		return BULU_OK;
	const char *s = f[i];
	size_t n = trimmed(&s, lens[i]);
	const char *what = col_names[k];
	size_t wl = strcspn(what, "|");
	if (n >= dn)
		return bulu_errf(e, BULU_BADINPUT, "%s:%zu:%d: %.*s is too long (at most %zu bytes)",
				 l->name, row, i + 1, (int)wl, what, dn - 1);
	if (has_control(s, n))
		return bulu_errf(e, BULU_BADINPUT, "%s:%zu:%d: %.*s holds a control character",
				 l->name, row, i + 1, (int)wl, what);
	memcpy(dst, s, n);
	dst[n] = '\0';
	return BULU_OK;
}

static int on_header(struct loader *l, size_t nf, char *const *f, bulu_err *e)
{
	int rc = csvfile_map_header(l->path, f, nf, col_names, NCOLS, l->idx, 1, e);
	if (rc != BULU_OK)
		return rc;
	l->have_header = 1;
	l->nhead = nf;
	for (int k = 0; k < NCOLS; k++)
		if (col_required[k] && l->idx[k] < 0) {
			char alts[64];
			snprintf(alts, sizeof alts, "%s", col_names[k]);
			for (char *p = alts; (p = strchr(p, '|')) != NULL;)
				*p = '/';
			return bulu_errf(e, BULU_BADINPUT,
					 "%s:1: no %.*s column: name one in the header (%s)", l->name,
					 (int)strcspn(col_names[k], "|"), col_names[k], alts);
		}
	if (l->idx[C_VERSION] < 0 && !l->vflag)
		return bulu_errf(e, BULU_BADINPUT,
				 "%s:1: no version column: give --version V or a version column",
				 l->name);
	return BULU_OK;
}

static int check_version(struct loader *l, size_t row, const char *v, bulu_err *e)
{
	int col = l->idx[C_VERSION] + 1;
	if (!*v) {
		if (l->vflag)
			return BULU_OK;
		return bulu_errf(e, BULU_BADINPUT, "%s:%zu:%d: empty version", l->name, row, col);
	}
	if (!l->version[0]) {
		snprintf(l->version, sizeof l->version, "%s", v);
		l->vrow = row;
	}
	if (strcmp(l->version, v) != 0) {
		if (l->vrow == 0)
			return bulu_errf(e, BULU_BADINPUT,
					 "%s:%zu:%d: version \"%s\" differs from --version \"%s\"",
					 l->name, row, col, v, l->version);
		return bulu_errf(e, BULU_BADINPUT,
				 "%s:%zu:%d: version \"%s\" differs from \"%s\" on row %zu: "
				 "one file is one catalog version",
				 l->name, row, col, v, l->version, l->vrow);
	}
	return BULU_OK;
}

static int on_row(void *ud, size_t row, size_t nf, char *const *f, const size_t *lens,
		  bulu_err *e)
{
	struct loader *l = ud;
	if (!l->have_header) /* the first record that is not blank */
		return on_header(l, nf, f, e);
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 256;
		struct litem *p = realloc(l->items, cap * sizeof *p);
		if (!p)
			return bulu_errf(e, BULU_SYSTEM, "out of memory");
		l->items = p;
		l->cap = cap;
	}
	if (nf > l->nhead) /* "…,12,345.00,…": a comma unquoted shifts every cell */
		return bulu_errf(e, BULU_BADINPUT,
				 "%s:%zu:%zu: a cell more than the header's %zu columns (a price or name "
				 "holding a comma needs quotes, e.g. \"12,345.00\")",
				 l->name, row, l->nhead + 1, l->nhead);
	struct litem *li = &l->items[l->n];
	catalog_item *it = &li->it;
	char price[64], version[64];
	li->row = row;
	int rc = take_cell(l, row, nf, f, lens, C_CODE, it->code, sizeof it->code, e);
	if (rc == BULU_OK)
		rc = take_cell(l, row, nf, f, lens, C_NAME, it->name, sizeof it->name, e);
	if (rc == BULU_OK)
		rc = take_cell(l, row, nf, f, lens, C_PINYIN, it->pinyin, sizeof it->pinyin, e);
	if (rc == BULU_OK)
		rc = take_cell(l, row, nf, f, lens, C_UNIT, it->unit, sizeof it->unit, e);
	if (rc == BULU_OK)
		rc = take_cell(l, row, nf, f, lens, C_CATEGORY, it->category, sizeof it->category, e);
	if (rc == BULU_OK)
		rc = take_cell(l, row, nf, f, lens, C_PRICE, price, sizeof price, e);
	if (rc == BULU_OK)
		rc = take_cell(l, row, nf, f, lens, C_VERSION, version, sizeof version, e);
	if (rc != BULU_OK)
		return rc;
	if (!it->code[0])
		return bulu_errf(e, BULU_BADINPUT, "%s:%zu:%d: empty code", l->name, row,
				 l->idx[C_CODE] + 1);
	if (strpbrk(it->code, " \t"))
		return bulu_errf(e, BULU_BADINPUT, "%s:%zu:%d: code holds a space", l->name, row,
				 l->idx[C_CODE] + 1);
	if (!it->name[0])
		return bulu_errf(e, BULU_BADINPUT, "%s:%zu:%d: empty name", l->name, row,
				 l->idx[C_NAME] + 1);
	if (!price[0] || money_parse_yuan(price, strlen(price), &it->price_fen) != 0)
		return bulu_errf(e, BULU_BADINPUT,
				 "%s:%zu:%d: price is not an amount in yuan (e.g. 12.50)", l->name,
				 row, l->idx[C_PRICE] + 1);
	if (it->price_fen < 0)
		return bulu_errf(e, BULU_BADINPUT, "%s:%zu:%d: negative price", l->name, row,
				 l->idx[C_PRICE] + 1);
	if (l->idx[C_VERSION] >= 0 && (rc = check_version(l, row, version, e)) != BULU_OK)
		return rc;
	l->n++;
	return BULU_OK;
}

static int by_code_row(const void *a, const void *b)
{
	const struct litem *x = a, *y = b;
	int c = strcmp(x->it.code, y->it.code);
	return c ? c : (x->row > y->row) - (x->row < y->row);
}

/* Read, check and sort path's items (by code). */
static int load_file(struct loader *l, enum text_enc enc, bulu_err *e)
{
	for (int k = 0; k < NCOLS; k++)
		l->idx[k] = -1;
	if (l->vflag)
		snprintf(l->version, sizeof l->version, "%s", l->vflag);
	int rc = csvfile_read(l->path, enc, on_row, l, NULL, e);
	if (rc != BULU_OK)
		return rc;
	if (!l->have_header)
		return bulu_errf(e, BULU_BADINPUT, "%s:1: empty file: no header row", l->name);
	if (l->n == 0)
		return bulu_errf(e, BULU_BADINPUT, "%s:2: no items after the header", l->name);
	if (!l->version[0])
		return bulu_errf(e, BULU_BADINPUT, "%s: no version: give --version V", l->name);
	qsort(l->items, l->n, sizeof *l->items, by_code_row);
	/* Of all repeated codes, name the earliest row that repeats one. */
	size_t bad = 0, first = 0;
	for (size_t i = 1; i < l->n; i++)
		if (strcmp(l->items[i].it.code, l->items[i - 1].it.code) == 0 &&
		    (!bad || l->items[i].row < bad)) {
			bad = l->items[i].row;
			size_t k = i;
			while (k > 0 && strcmp(l->items[k - 1].it.code, l->items[i].it.code) == 0)
				k--;
			first = l->items[k].row;
		}
	if (bad)
		return bulu_errf(e, BULU_BADINPUT, "%s:%zu:%d: duplicate code (first on row %zu)",
				 l->name, bad, l->idx[C_CODE] + 1, first);
	return BULU_OK;
}

/* The canonical item list: a JSON array, sorted by code, of objects
 * {"category","code","name","pinyin","price_fen","unit"}; its BLAKE2b-256
 * in lower-case hex. */
static int items_digest(const struct loader *l, char hex[65], bulu_err *e)
{
	jw w;
	const char *text;
	size_t len;
	int rc = BULU_OK;
	jw_init(&w);
	jw_arr_begin(&w);
	for (size_t i = 0; i < l->n; i++) {
		const catalog_item *it = &l->items[i].it;
		jw_obj_begin(&w);
		jw_kstr(&w, "category", it->category);
		jw_kstr(&w, "code", it->code);
		jw_kstr(&w, "name", it->name);
		jw_kstr(&w, "pinyin", it->pinyin);
		jw_kint(&w, "price_fen", it->price_fen);
		jw_kstr(&w, "unit", it->unit);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	if (jw_finish(&w, &text, &len) != 0) {
		rc = bulu_errf(e, BULU_BADINPUT, "%s: text is not valid UTF-8", l->name);
	} else {
		uint8_t h[32];
		crypto_generichash(h, sizeof h, (const uint8_t *)text, len, NULL, 0);
		hex_encode(hex, h, sizeof h);
	}
	jw_free(&w);
	return rc;
}

static int insert_items(journal *j, const struct loader *l, int64_t seq, bulu_err *e)
{
	sqlite3 *db = journal_db(j);
	sqlite3_stmt *st = NULL;
	int rc = BULU_OK;
	if (sqlite3_prepare_v2(db,
			       "INSERT INTO catalog_items (load_seq, code, name, pinyin, unit, "
			       "price_fen, category, version) VALUES (?,?,?,?,?,?,?,?)",
			       -1, &st, NULL) != SQLITE_OK) {
		rc = bulu_errf(e, BULU_SYSTEM, "journal.db: %s", sqlite3_errmsg(db));
		goto done;
	}
	for (size_t i = 0; i < l->n; i++) {
		const catalog_item *it = &l->items[i].it;
		sqlite3_bind_int64(st, 1, seq);
		sqlite3_bind_text(st, 2, it->code, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, it->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, it->pinyin, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, it->unit, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 6, it->price_fen);
		sqlite3_bind_text(st, 7, it->category, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 8, l->version, -1, SQLITE_STATIC);
		int s = sqlite3_step(st);
		sqlite3_reset(st);
		if (s != SQLITE_DONE) {
			rc = bulu_errf(e, BULU_SYSTEM, "journal.db: saving the catalog: %s",
				       sqlite3_errmsg(db));
			goto done;
		}
	}
done:
	sqlite3_finalize(st);
	return rc;
}

/* Append the catalog_load entry and the snapshot in one transaction. */
static int save_snapshot(const char *dir, const char *op, const struct loader *l,
			 const char *digest, bulu_err *e)
{
	journal *j = NULL;
	jw w;
	const char *body;
	size_t blen;
	int64_t seq = 0;
	const char *base = strrchr(l->path, '/');
	base = strcmp(l->path, "-") == 0 ? "stdin" : base ? base + 1 : l->path;
	jw_init(&w);
	jw_obj_begin(&w);
	jw_kstr(&w, "digest", digest);
	jw_kstr(&w, "file", base);
	jw_kint(&w, "items", (int64_t)l->n);
	jw_kstr(&w, "version", l->version);
	jw_obj_end(&w);
	int rc = BULU_OK;
	if (jw_finish(&w, &body, &blen) != 0) {
		rc = bulu_errf(e, BULU_BADINPUT, "%s: file name or version is not UTF-8", l->name);
		goto done;
	}
	rc = journal_open(dir, JOURNAL_WRITE, &j, e);
	if (rc == BULU_OK)
		rc = journal_begin(j, e);
	if (rc != BULU_OK)
		goto done;
	char ep[64];
	int drill;
	rc = journal_episode(j, ep, &drill, e);
	if (rc == BULU_OK)
		rc = journal_append(j, "catalog_load", op, ep, NULL, body, blen, &seq, e);
	if (rc == BULU_OK)
		rc = insert_items(j, l, seq, e);
	if (rc == BULU_OK)
		rc = journal_commit(j, e);
	if (rc == BULU_OK) {
		char ref[96];
		entry_ref(ref, sizeof ref, journal_station(j), seq);
		printf("saved %s catalog_load %s: %zu items\n", ref, l->version, l->n);
	}
done:
	journal_close(j); /* rolls back anything uncommitted */
	jw_free(&w);
	return rc;
}

static const char load_usage[] =
	"usage: bulu catalog load FILE.csv [--version V] [--encoding auto|utf-8|gb18030]\n"
	"                         [--operator OP] [--dir DIR]\n"
	"\n"
	"Load a price catalog snapshot (价表).  Columns, by header name in any order:\n"
	"code (编码, 项目编码), name (名称, 项目名称), unit (单位), price in yuan (单价,\n"
	"价格), and optionally pinyin (拼音码, 拼音), category (类别), version (版本).\n"
	"Other columns are ignored.  UTF-8 with or without BOM, or GB18030.\n"
	"Every row must carry the same version (or give --version).  A bad row\n"
	"refuses the whole file, naming FILE:ROW:COLUMN; nothing is written.\n"
	"Each load keeps a new snapshot; charges price from the newest.\n";

int cmd_catalog_load(int argc, char **argv)
{
	static const struct option opts[] = {
		{"version", required_argument, 0, 'V'},  {"encoding", required_argument, 0, 'E'},
		{"operator", required_argument, 0, 'o'}, {"dir", required_argument, 0, 'D'},
		{"help", no_argument, 0, 'h'},           {0, 0, 0, 0}};
	const char *dir = NULL, *op = NULL, *version = NULL;
	enum text_enc enc = TEXT_AUTO;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'V': version = optarg; break;
		case 'E':
			if (text_enc_parse(optarg, &enc) != 0)
				return cli_usage(argv[0], "--encoding: use auto, utf-8 or gb18030");
			break;
		case 'o': op = optarg; break;
		case 'D': dir = optarg; break;
		case 'h': return cli_help(load_usage);
		default: return cli_usage(argv[0], "unknown option");
		}
	}
	if (optind >= argc)
		return cli_usage(argv[0], "which file? give FILE.csv");
	if (optind + 1 < argc)
		return cli_usage(argv[0], "unexpected argument '%s'", argv[optind + 1]);
	if (version && (!*version || strlen(version) >= 64 ||
			has_control(version, strlen(version))))
		return cli_usage(argv[0], "--version: 1 to 63 bytes of text");
	struct loader l = {0};
	l.path = argv[optind];
	l.name = strcmp(l.path, "-") == 0 ? "<stdin>" : l.path;
	l.vflag = version;
	bulu_err e = {0};
	char digest[65];
	int rc = load_file(&l, enc, &e);
	if (rc == BULU_OK)
		rc = items_digest(&l, digest, &e);
	if (rc == BULU_OK)
		rc = save_snapshot(dir, cli_operator(op, 1), &l, digest, &e);
	free(l.items);
	return rc == BULU_OK ? BULU_OK : cli_fail(&e);
}
