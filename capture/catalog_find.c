/*
 * catalog_find.c - `bulu catalog find`: items by code, pinyin code (拼音码)
 * or part of the name, in the newest snapshot; the user's text is matched
 * with LIKE through bound parameters, its % and _ escaped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <getopt.h>
#include <sodium.h>
#include <string.h>

#include "bulu/buf.h"
#include "bulu/catalog.h"
#include "bulu/text.h"
#include "bulu/cli.h"
#include "bulu/csvfile.h"
#include "bulu/money.h"

/* ---- finding items ----------------------------------------------------- */

/* text as a LIKE pattern: % _ and \ escaped (ESCAPE '\'), then pre/suffix. */
static void like_pattern(buf *b, const char *pre, const char *text, const char *suf)
{
	buf_puts(b, pre);
	for (const char *p = text; *p; p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			buf_putc(b, '\\');
		buf_putc(b, *p);
	}
	buf_puts(b, suf);
}

/* Column s padded to display width w (right-aligned when right). */
static void cell(const char *s, size_t w, int right, int last)
{
	size_t sw = text_width(s);
	if (right)
		for (size_t i = sw; i < w; i++)
			putchar(' ');
	fputs(s, stdout);
	if (last) {
		putchar('\n');
		return;
	}
	if (!right)
		for (size_t i = sw; i < w; i++)
			putchar(' ');
	fputs("  ", stdout);
}

#define FIND_COLS 5

struct found {
	char *f[FIND_COLS]; /* code, name, unit, price, category */
};

static void print_found(const struct found *r, size_t n, int csv)
{
	static const char *const head_csv[FIND_COLS] = {"code", "name", "unit", "price",
							"category"};
	static const char *const head_tab[FIND_COLS] = {"编码", "名称", "单位", "单价",
							"类别"};
	size_t w[FIND_COLS];
	for (int k = 0; k < FIND_COLS; k++) {
		w[k] = text_width(head_tab[k]);
		for (size_t i = 0; i < n; i++)
			if (text_width(r[i].f[k]) > w[k])
				w[k] = text_width(r[i].f[k]);
	}
	for (int k = 0; k < FIND_COLS; k++)
		csv ? cli_csv_field(head_csv[k], k == FIND_COLS - 1)
		    : cell(head_tab[k], w[k], k == 3, k == FIND_COLS - 1);
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < FIND_COLS; k++)
			csv ? cli_csv_field(r[i].f[k], k == FIND_COLS - 1)
			    : cell(r[i].f[k], w[k], k == 3, k == FIND_COLS - 1);
}

static int find_items(journal *j, const char *text, int64_t limit, int csv, bulu_err *e)
{
	sqlite3 *db = journal_db(j);
	sqlite3_stmt *st = NULL;
	catalog *cat = NULL;
	struct found *r = NULL;
	size_t n = 0;
	buf prefix = BUF_INIT, inner = BUF_INIT;
	int rc = catalog_open(j, &cat, e);
	if (rc != BULU_OK)
		goto done;
	like_pattern(&prefix, "", text, "%");
	like_pattern(&inner, "%", text, "%");
	if (prefix.oom || inner.oom) {
		rc = bulu_errf(e, BULU_SYSTEM, "out of memory");
		goto done;
	}
	if (sqlite3_prepare_v2(
		    db,
		    "SELECT code, name, unit, price_fen, category FROM ("
		    " SELECT *, CASE WHEN code = ?2 THEN 0"
		    "  WHEN code LIKE ?3 ESCAPE '\\' THEN 1"
		    "  WHEN pinyin <> '' AND pinyin LIKE ?3 ESCAPE '\\' THEN 2"
		    "  WHEN name LIKE ?4 ESCAPE '\\' THEN 3 END AS rank"
		    " FROM catalog_items WHERE load_seq = ?1)"
		    " WHERE rank IS NOT NULL ORDER BY rank, code LIMIT ?5",
		    -1, &st, NULL) != SQLITE_OK) {
		rc = bulu_errf(e, BULU_SYSTEM, "journal.db: %s", sqlite3_errmsg(db));
		goto done;
	}
	sqlite3_bind_int64(st, 1, catalog_load_seq(cat));
	sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, prefix.p, (int)prefix.len, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, inner.p, (int)inner.len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, limit);
	r = calloc((size_t)limit, sizeof *r);
	if (!r) {
		rc = bulu_errf(e, BULU_SYSTEM, "out of memory");
		goto done;
	}
	int s;
	while ((s = sqlite3_step(st)) == SQLITE_ROW && n < (size_t)limit) {
		char price[32];
		money_format_yuan(sqlite3_column_int64(st, 3), price);
		const int src[FIND_COLS] = {0, 1, 2, -1, 4};
		struct found *f = &r[n++];
		for (int k = 0; k < FIND_COLS; k++) {
			const unsigned char *v = src[k] < 0 ? (const unsigned char *)price
							    : sqlite3_column_text(st, src[k]);
			if (!(f->f[k] = strdup(v ? (const char *)v : ""))) {
				rc = bulu_errf(e, BULU_SYSTEM, "out of memory");
				goto done;
			}
		}
	}
	if (s != SQLITE_DONE && s != SQLITE_ROW) {
		rc = bulu_errf(e, BULU_SYSTEM, "journal.db: %s", sqlite3_errmsg(db));
		goto done;
	}
	if (n == 0) {
		rc = bulu_errf(e, BULU_FINDINGS, "no item of catalog %s matches \"%s\"",
			       catalog_version(cat), text);
		goto done;
	}
	print_found(r, n, csv);
done:
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < FIND_COLS; k++)
			free(r[i].f[k]);
	free(r);
	buf_free(&prefix);
	buf_free(&inner);
	sqlite3_finalize(st);
	catalog_close(cat);
	return rc;
}

static const char find_usage[] =
	"usage: bulu catalog find TEXT [--limit N] [--format table|csv] [--dir DIR]\n"
	"\n"
	"Find items of the newest catalog snapshot: the code itself, then codes\n"
	"starting with TEXT, then pinyin codes starting with TEXT (any case), then\n"
	"names containing TEXT.  Prints code, name, unit, price (yuan), category;\n"
	"at most N items (default 50).  Exit 1 when nothing matches.\n";

int cmd_catalog_find(int argc, char **argv)
{
	static const struct option opts[] = {
		{"limit", required_argument, 0, 'l'}, {"format", required_argument, 0, 'f'},
		{"dir", required_argument, 0, 'D'},   {"help", no_argument, 0, 'h'},
		{0, 0, 0, 0}};
	const char *dir = NULL;
	int64_t limit = 50;
	int csv = 0, c;
	enum cli_format fmt;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			if (parse_int64(optarg, strlen(optarg), &limit) != 0 || limit < 1 ||
			    limit > 100000)
				return cli_usage(argv[0], "--limit: a whole number from 1 to 100000");
			break;
		case 'f':
			if (cli_format(argv[0], optarg, CLI_TABLE | CLI_CSV, &fmt) != BULU_OK)
				return BULU_BADINPUT;
			csv = fmt == CLI_CSV;
			break;
		case 'D': dir = optarg; break;
		case 'h': return cli_help(find_usage);
		default: return cli_usage(argv[0], "unknown option");
		}
	}
	if (optind >= argc || !*argv[optind])
		return cli_usage(argv[0], "what to find? give a code, pinyin code or part of a name");
	if (optind + 1 < argc)
		return cli_usage(argv[0], "unexpected argument '%s'", argv[optind + 1]);
	const char *text = argv[optind];
	if (!text_is_utf8(text, strlen(text)))
		return cli_usage(argv[0], "TEXT must be UTF-8");
	bulu_err e = {0};
	journal *j = NULL;
	int rc = journal_open(dir, JOURNAL_READ, &j, &e);
	if (rc == BULU_OK)
		rc = find_items(j, text, limit, csv, &e);
	journal_close(j);
	return rc == BULU_OK ? BULU_OK : cli_fail(&e);
}
