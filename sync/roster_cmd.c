/*
 * roster_cmd.c - `bulu roster add|list|remove`: the central office's list of
 * trusted station keys (format and rules in roster.h, sync/roster.c).
 *
 * The roster file is --roster FILE, else $BULU_ROSTER.  A command that
 * fails leaves the file as it was: changes are made in memory and written
 * once, atomically.  `add` takes the key from a minisign public key file
 * (as `bulu station pubkey` prints it) or straight from a station
 * directory, whose journal is verified first.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "bulu/buf.h"
#include "bulu/cli.h"
#include "bulu/journal.h"
#include "bulu/json.h"
#include "bulu/roster.h"
#include "bulu/text.h"

static const char add_usage[] =
	"usage: bulu roster add [--roster FILE] --station ID --dept DEPT --role ROLE\n"
	"                       --pubkey FILE [--replace]\n"
	"       bulu roster add [--roster FILE] --from-station DIR [--replace]\n"
	"\n"
	"Trust a station's key at the central office: add a line to the roster FILE\n"
	"(default $BULU_ROSTER; made on the first add).  --pubkey FILE is the station's\n"
	"public key as `bulu station pubkey` prints it ('-' reads standard input); its\n"
	"key id must be the key's own (a bulu station key), and a file naming another\n"
	"station in its comment is refused.  --from-station DIR reads the station id,\n"
	"department, role and key from a station directory, after verifying its\n"
	"journal.  A station already in the roster is refused unless --replace is given;\n"
	"a key already trusted for another station is always refused.\n";

static const char list_usage[] =
	"usage: bulu roster list [--roster FILE] [--format table|csv|json]\n"
	"\n"
	"List the trusted station keys in station order: station, dept, role, key_id\n"
	"(16 hex digits, as minisign prints it) and pubkey (the base64 line of the\n"
	"minisign public key).  table (default) is aligned for people; csv (RFC 4180,\n"
	"with a header row) and json (an array of objects) are for programs.\n";

static const char remove_usage[] =
	"usage: bulu roster remove [--roster FILE] --station ID\n"
	"\n"
	"Stop trusting a station's key: remove its line from the roster FILE (default\n"
	"$BULU_ROSTER).  An unknown station is refused (exit 2).\n";

/* The roster file, or a usage error (2) when neither --roster nor
 * $BULU_ROSTER names one. */
static const char *roster_path(const char *cmd, const char *given, int *rc)
{
	const char *p = roster_default_path(given);
	if (!p)
		*rc = cli_usage(cmd, "no roster file: give --roster FILE or set BULU_ROSTER");
	return p;
}

/* ---- add ---------------------------------------------------------------- */

/* Read a public key file (or stdin for "-"), at most 64 KiB. */
static int read_pubkey_file(const char *path, char **out, bulu_err *e)
{
	size_t n = 0;
	if (strcmp(path, "-") != 0) {
		int rc = text_slurp(path, out, &n, e);
		if (rc == BULU_OK && n > 65536) {
			free(*out);
			*out = NULL;
			return bulu_errf(e, BULU_BADINPUT, "%s: too large for a public key file", path);
		}
		return rc;
	}
	buf b = BUF_INIT;
	char tmp[4096];
	size_t got;
	while ((got = fread(tmp, 1, sizeof tmp, stdin)) > 0 && b.len <= 65536)
		buf_put(&b, tmp, got);
	if (ferror(stdin) || b.oom || b.len > 65536 || b.len == 0) {
		int code = b.oom ? BULU_SYSTEM : BULU_BADINPUT;
		const char *why = b.oom ? "out of memory" : ferror(stdin) ? "read error"
				  : b.len ? "too large for a public key file" : "empty";
		buf_free(&b);
		return bulu_errf(e, code, "<stdin>: %s", why);
	}
	*out = buf_steal(&b, &n);
	return *out ? BULU_OK : bulu_errf(e, BULU_SYSTEM, "out of memory");
}

/* `bulu station pubkey` writes "untrusted comment: bulu station ID public
 * key": if the file says so, ID must be the station being added. */
static int comment_station(const char *text, char *out, size_t n)
{
	static const char pre[] = "untrusted comment: bulu station ", post[] = " public key";
	size_t len = strcspn(text, "\r\n");
	if (strncmp(text, pre, sizeof pre - 1) != 0 || len < sizeof pre - 1 + sizeof post - 1)
		return 0;
	size_t idlen = len - (sizeof pre - 1) - (sizeof post - 1);
	if (strncmp(text + len - (sizeof post - 1), post, sizeof post - 1) != 0 || idlen == 0 ||
	    idlen >= n)
		return 0;
	memcpy(out, text + sizeof pre - 1, idlen);
	out[idlen] = '\0';
	return 1;
}

static int entry_from_pubkey(roster_entry *en, const char *file, bulu_err *e)
{
	char *text = NULL;
	int rc = read_pubkey_file(file, &text, e);
	if (rc != BULU_OK)
		return rc;
	const char *name = strcmp(file, "-") == 0 ? "<stdin>" : file;
	char named[64];
	if (comment_station(text, named, sizeof named) && strcmp(named, en->station) != 0)
		rc = bulu_errf(e, BULU_BADINPUT,
			       "%s is the public key of station %s, not of %s", name, named,
			       en->station);
	if (rc == BULU_OK && (rc = roster_parse_pubkey(text, en, e)) != BULU_OK)
		bulu_err_prefix(e, "%s", name);
	free(text);
	return rc;
}

static int entry_from_station(roster_entry *en, const char *dir, bulu_err *e)
{
	journal *j = NULL;
	int64_t count = 0;
	int rc = journal_open(dir, JOURNAL_READ, &j, e);
	if (rc == BULU_OK && (rc = journal_verify(j, &count, e)) != BULU_OK)
		bulu_err_prefix(e, "not trusting the station in %s", dir);
	if (rc == BULU_OK) {
		snprintf(en->station, sizeof en->station, "%s", journal_station(j));
		snprintf(en->dept, sizeof en->dept, "%s", journal_dept(j));
		snprintf(en->role, sizeof en->role, "%s", journal_role(j));
		memcpy(en->pk, journal_pubkey(j), KEY_PK_BYTES);
		keys_key_id(en->pk, en->key_id);
	}
	journal_close(j);
	return rc;
}

int cmd_roster_add(int argc, char **argv)
{
	static const struct option opts[] = {
		{"roster", required_argument, 0, 'R'},   {"station", required_argument, 0, 's'},
		{"dept", required_argument, 0, 'd'},     {"role", required_argument, 0, 'r'},
		{"pubkey", required_argument, 0, 'k'},   {"from-station", required_argument, 0, 'S'},
		{"replace", no_argument, 0, 'x'},        {"help", no_argument, 0, 'h'},
		{0, 0, 0, 0}};
	const char *rpath = NULL, *station = NULL, *dept = NULL, *role = NULL, *pubkey = NULL,
		   *from = NULL;
	int replace = 0, c, rc = BULU_OK;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'R': rpath = optarg; break;
		case 's': station = optarg; break;
		case 'd': dept = optarg; break;
		case 'r': role = optarg; break;
		case 'k': pubkey = optarg; break;
		case 'S': from = optarg; break;
		case 'x': replace = 1; break;
		case 'h': return cli_help(add_usage);
		default: return cli_usage(argv[0], "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage(argv[0], "unexpected argument '%s'", argv[optind]);
	const char *path = roster_path(argv[0], rpath, &rc);
	if (!path)
		return rc;
	roster_entry en;
	memset(&en, 0, sizeof en);
	bulu_err e = {0};
	if (from) {
		if (station || dept || role || pubkey)
			return cli_usage(argv[0], "--from-station reads the station id, department, "
					 "role and key: give none of --station, --dept, --role, --pubkey with it");
		if (!*from)
			return cli_usage(argv[0], "--from-station: empty directory name");
		if (entry_from_station(&en, from, &e) != BULU_OK)
			return cli_fail(&e);
	} else {
		if (!station || !dept || !role || !pubkey)
			return cli_usage(argv[0], "--station, --dept, --role and --pubkey are required "
					 "(or --from-station DIR)");
		if (!journal_station_id_ok(station))
			return cli_usage(argv[0], "--station: a station id is 1-32 letters, digits or '_'");
		if (strlen(dept) >= sizeof en.dept || strlen(role) >= sizeof en.role)
			return cli_usage(argv[0], "--%s: at most %zu bytes",
					 strlen(dept) >= sizeof en.dept ? "dept" : "role",
					 strlen(dept) >= sizeof en.dept ? sizeof en.dept - 1 : sizeof en.role - 1);
		snprintf(en.station, sizeof en.station, "%s", station);
		snprintf(en.dept, sizeof en.dept, "%s", dept);
		snprintf(en.role, sizeof en.role, "%s", role);
		if (entry_from_pubkey(&en, pubkey, &e) != BULU_OK)
			return cli_fail(&e);
	}
	/* The key is checked by now: what is left is station, dept and role. */
	if (roster_entry_check(&en, &e) != BULU_OK) {
		if (!from)
			return cli_usage(argv[0], "--%s", e.msg);
		bulu_err_prefix(&e, "the station in %s", from);
		return cli_fail(&e);
	}
	roster r;
	if (roster_load(path, 1, &r, &e) != BULU_OK)
		return cli_fail(&e);
	const roster_entry *old = roster_by_station(&r, en.station);
	char oldhex[17] = "";
	if (old && memcmp(old->key_id, en.key_id, KEY_ID_BYTES) != 0)
		keys_key_id_hex(old->key_id, oldhex);
	rc = roster_add(&r, &en, replace, &e);
	if (rc == BULU_OK)
		rc = roster_save(&r, &e);
	roster_free(&r);
	if (rc != BULU_OK)
		return cli_fail(&e);
	char hex[17];
	keys_key_id_hex(en.key_id, hex);
	printf("trusted %s (%s, %s) key %s%s%s\n", en.station, en.dept, en.role, hex,
	       *oldhex ? ", replacing key " : "", oldhex);
	return BULU_OK;
}

/* ---- list --------------------------------------------------------------- */

#define NCOLS 5
static const char *const table_head[NCOLS] = {"STATION", "DEPT", "ROLE", "KEY_ID", "PUBKEY"};

static void row_cells(const roster_entry *en, char hex[17], char b64[ROSTER_PUBKEY_B64],
		      const char *cells[NCOLS])
{
	keys_key_id_hex(en->key_id, hex);
	roster_pubkey_base64(en, b64);
	cells[0] = en->station;
	cells[1] = en->dept;
	cells[2] = en->role;
	cells[3] = hex;
	cells[4] = b64;
}

static void pad(buf *o, const char *s, size_t width)
{
	buf_puts(o, s);
	for (size_t w = text_width(s); w < width; w++)
		buf_putc(o, ' ');
}

static int list_out(const roster *r, const roster_entry *const *v, enum cli_format fmt,
		    buf *o)
{
	char hex[17], b64[ROSTER_PUBKEY_B64];
	const char *cells[NCOLS];
	if (fmt == CLI_TABLE) {
		size_t w[NCOLS];
		for (int i = 0; i < NCOLS; i++)
			w[i] = text_width(table_head[i]);
		for (size_t k = 0; k < r->n; k++) {
			row_cells(v[k], hex, b64, cells);
			for (int i = 0; i < NCOLS; i++)
				if (text_width(cells[i]) > w[i])
					w[i] = text_width(cells[i]);
		}
		for (int i = 0; i < NCOLS; i++) {
			if (i + 1 < NCOLS) {
				pad(o, table_head[i], w[i]);
				buf_puts(o, "  ");
			} else {
				buf_puts(o, table_head[i]);
			}
		}
		buf_putc(o, '\n');
		for (size_t k = 0; k < r->n; k++) {
			row_cells(v[k], hex, b64, cells);
			for (int i = 0; i + 1 < NCOLS; i++) {
				pad(o, cells[i], w[i]);
				buf_puts(o, "  ");
			}
			buf_puts(o, cells[NCOLS - 1]);
			buf_putc(o, '\n');
		}
		return 0;
	}
	if (fmt == CLI_CSV) {
		buf_puts(o, "station,dept,role,key_id,pubkey\r\n");
		for (size_t k = 0; k < r->n; k++) {
			row_cells(v[k], hex, b64, cells);
			for (int i = 0; i < NCOLS; i++)
				cli_csv_cell(o, cells[i], i + 1 == NCOLS);
		}
		return 0;
	}
	/* json: an array of canonical objects, one per line as journal show
	 * writes them. */
	for (size_t k = 0; k < r->n; k++) {
		row_cells(v[k], hex, b64, cells);
		jw w;
		jw_init(&w);
		jw_obj_begin(&w);
		jw_kstr(&w, "dept", cells[1]);
		jw_kstr(&w, "key_id", cells[3]);
		jw_kstr(&w, "pubkey", cells[4]);
		jw_kstr(&w, "role", cells[2]);
		jw_kstr(&w, "station", cells[0]);
		jw_obj_end(&w);
		const char *text;
		size_t len;
		int bad = jw_finish(&w, &text, &len);
		if (!bad) {
			buf_puts(o, k ? ",\n" : "[\n");
			buf_put(o, text, len);
		}
		jw_free(&w);
		if (bad)
			return -1;
	}
	buf_puts(o, r->n ? "\n]\n" : "[]\n");
	return 0;
}

static int by_station(const void *a, const void *b)
{
	const roster_entry *const *x = a, *const *y = b;
	return strcmp((*x)->station, (*y)->station);
}

int cmd_roster_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{"roster", required_argument, 0, 'R'}, {"format", required_argument, 0, 'F'},
		{"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
	const char *rpath = NULL;
	enum cli_format fmt = CLI_TABLE;
	int c, rc = BULU_OK;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'R': rpath = optarg; break;
		case 'F':
			if (cli_format(argv[0], optarg, CLI_TABLE | CLI_CSV | CLI_JSON, &fmt) != BULU_OK)
				return BULU_BADINPUT;
			break;
		case 'h': return cli_help(list_usage);
		default: return cli_usage(argv[0], "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage(argv[0], "unexpected argument '%s'", argv[optind]);
	const char *path = roster_path(argv[0], rpath, &rc);
	if (!path)
		return rc;
	bulu_err e = {0};
	roster r;
	if (roster_load(path, 0, &r, &e) != BULU_OK)
		return cli_fail(&e);
	const roster_entry **v = r.n ? malloc(r.n * sizeof *v) : NULL;
	buf o = BUF_INIT;
	if (r.n && !v) {
		rc = bulu_errf(&e, BULU_SYSTEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < r.n; i++)
		v[i] = &r.v[i];
	if (r.n)
		qsort(v, r.n, sizeof *v, by_station);
	if (list_out(&r, v, fmt, &o) != 0) {
		rc = bulu_errf(&e, BULU_BADINPUT, "%s: a field is not valid UTF-8", path);
		goto done;
	}
	if (o.oom) {
		rc = bulu_errf(&e, BULU_SYSTEM, "out of memory");
		goto done;
	}
	fwrite(o.p, 1, o.len, stdout);
	if (fflush(stdout) != 0 || ferror(stdout))
		rc = bulu_errf(&e, BULU_SYSTEM, "writing to standard output failed");
done:
	buf_free(&o);
	free(v);
	roster_free(&r);
	return rc == BULU_OK ? BULU_OK : cli_fail(&e);
}

/* ---- remove ------------------------------------------------------------- */

int cmd_roster_remove(int argc, char **argv)
{
	static const struct option opts[] = {
		{"roster", required_argument, 0, 'R'}, {"station", required_argument, 0, 's'},
		{"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
	const char *rpath = NULL, *station = NULL;
	int c, rc = BULU_OK;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'R': rpath = optarg; break;
		case 's': station = optarg; break;
		case 'h': return cli_help(remove_usage);
		default: return cli_usage(argv[0], "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage(argv[0], "unexpected argument '%s'", argv[optind]);
	if (!station)
		return cli_usage(argv[0], "--station is required");
	if (!journal_station_id_ok(station))
		return cli_usage(argv[0], "--station: a station id is 1-32 letters, digits or '_'");
	const char *path = roster_path(argv[0], rpath, &rc);
	if (!path)
		return rc;
	bulu_err e = {0};
	roster r;
	if (roster_load(path, 0, &r, &e) != BULU_OK)
		return cli_fail(&e);
	roster_entry gone;
	memset(&gone, 0, sizeof gone);
	const roster_entry *en = roster_by_station(&r, station);
	if (en)
		gone = *en;
	rc = roster_remove(&r, station, &e);
	if (rc == BULU_OK)
		rc = roster_save(&r, &e);
	roster_free(&r);
	if (rc != BULU_OK)
		return cli_fail(&e);
	char hex[17];
	keys_key_id_hex(gone.key_id, hex);
	printf("removed %s (%s, %s) key %s\n", gone.station, gone.dept, gone.role, hex);
	return BULU_OK;
}
