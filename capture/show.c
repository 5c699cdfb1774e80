/*
 * show.c - `bulu journal show`: the journal's entries as a table, CSV or JSON.
 *
 * Reads only (JOURNAL_READ, no key), with bound parameters, in seq order.
 * The table is for people: columns aligned by display width (CJK counts
 * two), the body cut to fit the terminal.  CSV (RFC 4180, UTF-8, header
 * row) and JSON (an array of objects, the body embedded as the JSON object
 * it is, hashes and signature in lower-case hex) are for programs and keep
 * every byte.  Showing entries is asking for their data: bodies are shown
 * whole, patient fields included.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "bulu/buf.h"
#include "bulu/cli.h"
#include "bulu/entry.h"
#include "bulu/journal.h"
#include "bulu/json.h"
#include "bulu/money.h"
#include "bulu/text.h"

static const char show_usage[] =
	"usage: bulu journal show [--kind K] [--from SEQ] [--to SEQ]\n"
	"                         [--format table|csv|json] [--dir DIR]\n"
	"\n"
	"Show the journal's entries in seq order: ref (BL-STATION-SEQ), seq, kind,\n"
	"recorded_at, operator, episode and body.  table (default) cuts the body to\n"
	"fit the terminal; csv (RFC 4180, with a header row) and json (an array of\n"
	"objects, body as a JSON object, hash, prev_hash and sig in hex) keep all.\n";

enum { S_STATION, S_SEQ, S_KIND, S_AT, S_OP, S_EP, S_BODY, S_PREV, S_HASH, S_SIG, S_VALID };

static const char show_sql[] =
	"SELECT station, seq, kind, recorded_at, operator, episode, body, prev_hash, hash, sig,"
	" json_valid(body) FROM entries"
	" WHERE (?1 IS NULL OR kind = ?1) AND seq >= ?2 AND seq <= ?3 ORDER BY seq";

static const char *col_text(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t ? (const char *)t : "";
}

static void col_hex(sqlite3_stmt *s, int i, char *out, size_t n)
{
	const void *b = sqlite3_column_blob(s, i);
	size_t len = (size_t)sqlite3_column_bytes(s, i);
	if (2 * len + 1 > n)
		len = (n - 1) / 2;
	hex_encode(out, b ? b : (const void *)"", b ? len : 0);
}

/* ---- csv -------------------------------------------------------------- */

static void csv_row(buf *o, sqlite3_stmt *s)
{
	char ref[96], seq[32], prev[65], hash[65], sig[129];
	entry_ref(ref, sizeof ref, col_text(s, S_STATION), sqlite3_column_int64(s, S_SEQ));
	snprintf(seq, sizeof seq, "%lld", (long long)sqlite3_column_int64(s, S_SEQ));
	col_hex(s, S_PREV, prev, sizeof prev);
	col_hex(s, S_HASH, hash, sizeof hash);
	col_hex(s, S_SIG, sig, sizeof sig);
	const char *cells[] = {ref, col_text(s, S_STATION), seq, col_text(s, S_KIND),
			       col_text(s, S_AT), col_text(s, S_OP), col_text(s, S_EP),
			       col_text(s, S_BODY), prev, hash, sig};
	size_t n = sizeof cells / sizeof cells[0];
	for (size_t i = 0; i < n; i++)
		cli_csv_cell(o, cells[i], i + 1 == n);
}

/* ---- json ------------------------------------------------------------- */

static void json_kv(buf *o, const char *k, const char *v, int more)
{
	buf_printf(o, "\"%s\":", k);
	if (json_quote(o, v, strlen(v)) != 0)
		buf_puts(o, "null");
	if (more)
		buf_putc(o, ',');
}

static void json_row(buf *o, sqlite3_stmt *s, int first)
{
	char ref[96], prev[65], hash[65], sig[129];
	entry_ref(ref, sizeof ref, col_text(s, S_STATION), sqlite3_column_int64(s, S_SEQ));
	col_hex(s, S_PREV, prev, sizeof prev);
	col_hex(s, S_HASH, hash, sizeof hash);
	col_hex(s, S_SIG, sig, sizeof sig);
	buf_puts(o, first ? "[\n{" : ",\n{");
	json_kv(o, "ref", ref, 1);
	json_kv(o, "station", col_text(s, S_STATION), 1);
	buf_printf(o, "\"seq\":%lld,", (long long)sqlite3_column_int64(s, S_SEQ));
	json_kv(o, "kind", col_text(s, S_KIND), 1);
	json_kv(o, "recorded_at", col_text(s, S_AT), 1);
	json_kv(o, "operator", col_text(s, S_OP), 1);
	json_kv(o, "episode", col_text(s, S_EP), 1);
	buf_puts(o, "\"body\":");
	if (sqlite3_column_int(s, S_VALID)) /* as it is: canonical JSON */
		buf_puts(o, col_text(s, S_BODY));
	else if (json_quote(o, col_text(s, S_BODY), strlen(col_text(s, S_BODY))) != 0)
		buf_puts(o, "null");
	buf_putc(o, ',');
	json_kv(o, "prev_hash", prev, 1);
	json_kv(o, "hash", hash, 1);
	json_kv(o, "sig", sig, 0);
	buf_putc(o, '}');
}

/* ---- table ------------------------------------------------------------ */

static size_t term_width(void)
{
	struct winsize ws;
	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
		return ws.ws_col;
	const char *c = getenv("COLUMNS");
	long n = c ? strtol(c, NULL, 10) : 0;
	return n >= 40 && n <= 1000 ? (size_t)n : 160;
}

static void pad(buf *o, const char *s, size_t width)
{
	buf_puts(o, s);
	for (size_t w = text_width(s); w < width; w++)
		buf_putc(o, ' ');
}

/* s cut to at most width display columns, "…" marking a cut. */
static void put_cut(buf *o, const char *s, size_t width)
{
	if (text_width(s) <= width) {
		buf_puts(o, s);
		return;
	}
	size_t used = 0;
	while (*s) {
		size_t n = 1;
		while (s[n] && ((unsigned char)s[n] & 0xc0) == 0x80)
			n++;
		char ch[8] = {0};
		memcpy(ch, s, n < sizeof ch ? n : sizeof ch - 1);
		size_t w = text_width(ch);
		if (used + w + 1 > width)
			break;
		buf_put(o, s, n);
		used += w;
		s += n;
	}
	buf_puts(o, "…");
}

#define NTC 6
static const char *const table_head[NTC + 1] = {"REF",      "SEQ",     "KIND", "RECORDED_AT",
						"OPERATOR", "EPISODE", "BODY"};

static void table_cells(sqlite3_stmt *s, char ref[96], char seq[32], const char *cells[NTC])
{
	entry_ref(ref, 96, col_text(s, S_STATION), sqlite3_column_int64(s, S_SEQ));
	snprintf(seq, 32, "%lld", (long long)sqlite3_column_int64(s, S_SEQ));
	cells[0] = ref;
	cells[1] = seq;
	cells[2] = col_text(s, S_KIND);
	cells[3] = col_text(s, S_AT);
	cells[4] = col_text(s, S_OP);
	cells[5] = col_text(s, S_EP);
}

/* Two passes: widths first, then the rows. */
static int table(sqlite3_stmt *s, buf *o)
{
	size_t w[NTC];
	char ref[96], seq[32];
	const char *cells[NTC];
	int rc;
	for (int i = 0; i < NTC; i++)
		w[i] = text_width(table_head[i]);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		table_cells(s, ref, seq, cells);
		for (int i = 0; i < NTC; i++) {
			size_t n = text_width(cells[i]);
			if (n > w[i])
				w[i] = n;
		}
	}
	if (rc != SQLITE_DONE)
		return rc;
	sqlite3_reset(s);
	size_t used = 0;
	for (int i = 0; i < NTC; i++)
		used += w[i] + 2;
	size_t tw = term_width(), bw = tw > used + 30 ? tw - used : 30;
	for (int i = 0; i < NTC; i++) {
		pad(o, table_head[i], w[i]);
		buf_puts(o, "  ");
	}
	buf_puts(o, table_head[NTC]);
	buf_putc(o, '\n');
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		table_cells(s, ref, seq, cells);
		for (int i = 0; i < NTC; i++) {
			pad(o, cells[i], w[i]);
			buf_puts(o, "  ");
		}
		put_cut(o, col_text(s, S_BODY), bw);
		buf_putc(o, '\n');
		if (o->len > 65536) {
			fwrite(o->p, 1, o->len, stdout);
			buf_reset(o);
		}
	}
	return rc;
}

static int parse_seq(const char *s, int64_t *out)
{
	return parse_int64(s, strlen(s), out) == 0 && *out >= 0 ? 0 : -1;
}

int cmd_journal_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{"kind", required_argument, 0, 'k'},   {"from", required_argument, 0, 'f'},
		{"to", required_argument, 0, 't'},     {"format", required_argument, 0, 'F'},
		{"dir", required_argument, 0, 'D'},    {"help", no_argument, 0, 'h'},
		{0, 0, 0, 0}};
	const char *dir = NULL;
	char kind[32] = "";
	int64_t from = 1, to = INT64_MAX;
	enum cli_format fmt = CLI_TABLE;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			snprintf(kind, sizeof kind, "%s", optarg);
			for (char *p = kind; *p; p++)
				if (*p == '-')
					*p = '_';
			if (!entry_kind_known(kind))
				return cli_usage(argv[0], "--kind: '%s' is not an entry kind", optarg);
			break;
		case 'f':
			if (parse_seq(optarg, &from) != 0)
				return cli_usage(argv[0], "--from: not a seq number");
			break;
		case 't':
			if (parse_seq(optarg, &to) != 0)
				return cli_usage(argv[0], "--to: not a seq number");
			break;
		case 'F':
			if (cli_format(argv[0], optarg, CLI_TABLE | CLI_CSV | CLI_JSON, &fmt) != BULU_OK)
				return BULU_BADINPUT;
			break;
		case 'D': dir = optarg; break;
		case 'h': return cli_help(show_usage);
		default: return cli_usage(argv[0], "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage(argv[0], "unexpected argument '%s'", argv[optind]);

	bulu_err e = {0};
	journal *j = NULL;
	sqlite3_stmt *s = NULL;
	buf o = BUF_INIT;
	int rc = journal_open(dir, JOURNAL_READ, &j, &e);
	if (rc != BULU_OK)
		goto done;
	if (sqlite3_prepare_v2(journal_db(j), show_sql, -1, &s, NULL) != SQLITE_OK) {
		rc = bulu_errf(&e, BULU_SYSTEM, "journal.db: %s", sqlite3_errmsg(journal_db(j)));
		goto done;
	}
	if (*kind)
		sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, from);
	sqlite3_bind_int64(s, 3, to);
	int src = SQLITE_DONE, n = 0;
	if (fmt == CLI_TABLE) {
		src = table(s, &o);
	} else {
		if (fmt == CLI_CSV)
			buf_puts(&o, "ref,station,seq,kind,recorded_at,operator,episode,body,"
				     "prev_hash,hash,sig\r\n");
		while ((src = sqlite3_step(s)) == SQLITE_ROW) {
			if (fmt == CLI_CSV)
				csv_row(&o, s);
			else
				json_row(&o, s, n == 0);
			n++;
			if (o.len > 65536) {
				fwrite(o.p, 1, o.len, stdout);
				buf_reset(&o);
			}
		}
		if (fmt == CLI_JSON)
			buf_puts(&o, n ? "\n]\n" : "[]\n");
	}
	if (src != SQLITE_DONE) {
		rc = bulu_errf(&e, BULU_SYSTEM, "journal.db: %s", sqlite3_errmsg(journal_db(j)));
		goto done;
	}
	if (o.oom) {
		rc = bulu_errf(&e, BULU_SYSTEM, "out of memory");
		goto done;
	}
	if (o.len)
		fwrite(o.p, 1, o.len, stdout);
	if (fflush(stdout) != 0 || ferror(stdout))
		rc = bulu_errf(&e, BULU_SYSTEM, "writing to standard output failed");
done:
	buf_free(&o);
	sqlite3_finalize(s);
	journal_close(j);
	return rc == BULU_OK ? BULU_OK : cli_fail(&e);
}
