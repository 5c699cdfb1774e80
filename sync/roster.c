/*
 * roster.c - the central office's roster of trusted station keys (format in
 * roster.h).
 *
 * Reading is strict: every line that is not blank or a '#' comment holds
 * exactly four tab-separated fields (station, dept, role, pubkey), each
 * checked; the first problem stops the load with "FILE:LINE:COL (FIELD):
 * reason", as the CSV readers report bad cells (COL is the field's number).
 * A CRLF line end is read as LF.  Messages never quote field contents
 * other than station ids and key ids, which are not patient data.
 *
 * Invariants: in a loaded or modified roster, station ids are unique and so
 * are keys (by key id and by key); every key id is BLAKE2b-256(pk)[0..8], so
 * only bulu station keys are trusted.  Writing goes through fs_write_atomic:
 * the file holds either the old roster or the whole new one.  Comments
 * other than the header line are not kept when the roster is rewritten.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sodium.h>

#include "bulu/buf.h"
#include "bulu/fsutil.h"
#include "bulu/journal.h"
#include "bulu/roster.h"
#include "bulu/text.h"

#define HEADER "# bulu roster: trusted station keys (bulu roster add|remove)\n"

enum { F_STATION, F_DEPT, F_ROLE, F_PUBKEY, NFIELDS };
static const char *const field_names[NFIELDS] = {"station", "dept", "role", "pubkey"};

/* ---- small helpers ------------------------------------------------------ */

const char *roster_default_path(const char *given)
{
	if (given && *given)
		return given;
	const char *env = getenv("BULU_ROSTER");
	return env && *env ? env : NULL;
}

/* Station ids go into file names and references: keep them plain.
 * The rule of core/journal.c's station_id_ok, which is static there. */
void roster_pubkey_base64(const roster_entry *en, char out[ROSTER_PUBKEY_B64])
{
	uint8_t raw[2 + KEY_ID_BYTES + KEY_PK_BYTES];
	raw[0] = 'E';
	raw[1] = 'd';
	memcpy(raw + 2, en->key_id, KEY_ID_BYTES);
	memcpy(raw + 2 + KEY_ID_BYTES, en->pk, KEY_PK_BYTES);
	sodium_bin2base64(out, ROSTER_PUBKEY_B64, raw, sizeof raw,
			  sodium_base64_VARIANT_ORIGINAL);
}

int roster_parse_pubkey(const char *text, roster_entry *en, bulu_err *e)
{
	uint8_t pk[KEY_PK_BYTES], id[KEY_ID_BYTES], want[KEY_ID_BYTES];
	int rc = keys_init(e);
	if (rc == BULU_OK)
		rc = keys_parse_minisign_pubkey(text, pk, id, e);
	if (rc != BULU_OK)
		return rc;
	keys_key_id(pk, want);
	if (memcmp(id, want, KEY_ID_BYTES) != 0) {
		char got[17];
		keys_key_id_hex(id, got);
		return bulu_errf(e, BULU_BADINPUT,
				 "key id %s does not belong to the key: not a bulu station key", got);
	}
	memcpy(en->pk, pk, KEY_PK_BYTES);
	memcpy(en->key_id, id, KEY_ID_BYTES);
	return BULU_OK;
}

/* Why text s[0..n) is not acceptable as dept or role, or NULL. */
static const char *text_problem(const char *s, size_t n, size_t cap)
{
	if (n == 0)
		return "empty";
	if (n >= cap)
		return "too long";
	if (!text_is_utf8(s, n))
		return "not valid UTF-8";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\t')
			return "holds a tab";
		if (c == '\n' || c == '\r')
			return "holds a line break";
		if (c < 0x20 || c == 0x7f)
			return "holds a control character";
	}
	return NULL;
}

static const char station_rule[] =
	"a station id is 1-32 letters, digits or '_', as `bulu station init` takes it";

int roster_entry_check(const roster_entry *en, bulu_err *e)
{
	if (keys_init(e) != BULU_OK)
		return e->code;
	if (!memchr(en->station, '\0', sizeof en->station) || !journal_station_id_ok(en->station))
		return bulu_errf(e, BULU_BADINPUT, "station: %s", station_rule);
	const char *why;
	const char *dn = memchr(en->dept, '\0', sizeof en->dept);
	if ((why = text_problem(en->dept, dn ? (size_t)(dn - en->dept) : sizeof en->dept,
				sizeof en->dept)) != NULL)
		return bulu_errf(e, BULU_BADINPUT, "dept: %s (at most %zu bytes of text, no tabs or line breaks)",
				 why, sizeof en->dept - 1);
	const char *rn = memchr(en->role, '\0', sizeof en->role);
	if ((why = text_problem(en->role, rn ? (size_t)(rn - en->role) : sizeof en->role,
				sizeof en->role)) != NULL)
		return bulu_errf(e, BULU_BADINPUT, "role: %s (at most %zu bytes of text, no tabs or line breaks)",
				 why, sizeof en->role - 1);
	uint8_t want[KEY_ID_BYTES];
	keys_key_id(en->pk, want);
	if (memcmp(want, en->key_id, KEY_ID_BYTES) != 0)
		return bulu_errf(e, BULU_BADINPUT, "pubkey: the key id does not belong to the key");
	return BULU_OK;
}

static int grow(roster *r, size_t *cap)
{
	if (r->n < *cap)
		return 0;
	size_t nc = *cap ? *cap * 2 : 16;
	roster_entry *v = realloc(r->v, nc * sizeof *v);
	if (!v)
		return -1;
	r->v = v;
	*cap = nc;
	return 0;
}

const roster_entry *roster_by_station(const roster *r, const char *station)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->v[i].station, station) == 0)
			return &r->v[i];
	return NULL;
}

const roster_entry *roster_by_key_id(const roster *r, const uint8_t id[KEY_ID_BYTES])
{
	for (size_t i = 0; i < r->n; i++)
		if (memcmp(r->v[i].key_id, id, KEY_ID_BYTES) == 0)
			return &r->v[i];
	return NULL;
}

/* The entry holding key pk (compared whole, not only by id), or NULL. */
static const roster_entry *by_key(const roster *r, const uint8_t id[KEY_ID_BYTES],
				  const uint8_t pk[KEY_PK_BYTES])
{
	for (size_t i = 0; i < r->n; i++)
		if (memcmp(r->v[i].key_id, id, KEY_ID_BYTES) == 0 ||
		    memcmp(r->v[i].pk, pk, KEY_PK_BYTES) == 0)
			return &r->v[i];
	return NULL;
}

void roster_free(roster *r)
{
	if (!r)
		return;
	free(r->v);
	r->v = NULL;
	r->n = 0;
}

/* ---- loading ------------------------------------------------------------ */

struct loader {
	const char *path;
	roster *r;
	size_t cap;
	size_t *lines; /* line number of each entry, for duplicate messages */
	size_t lcap;
};

static int line_err(const struct loader *l, bulu_err *e, size_t line, int field,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* "FILE:LINE:COL (FIELD): reason", or "FILE:LINE: reason" when field < 0. */
static int line_err(const struct loader *l, bulu_err *e, size_t line, int field,
		    const char *fmt, ...)
{
	char why[800];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	if (field < 0)
		return bulu_errf(e, BULU_BADINPUT, "%s:%zu: %s", l->path, line, why);
	return bulu_errf(e, BULU_BADINPUT, "%s:%zu:%d (%s): %s", l->path, line, field + 1,
			 field_names[field], why);
}

static int parse_line(struct loader *l, size_t line, char *s, size_t n, bulu_err *e)
{
	char *f[NFIELDS];
	size_t len[NFIELDS];
	size_t nf = 0;
	char *p = s, *end = s + n;
	for (;;) {
		char *tab = memchr(p, '\t', (size_t)(end - p));
		if (nf == NFIELDS)
			return line_err(l, e, line, -1,
					"more than %d tab-separated fields (a tab inside a field?): "
					"wanted station, dept, role, pubkey", NFIELDS);
		f[nf] = p;
		len[nf] = tab ? (size_t)(tab - p) : (size_t)(end - p);
		nf++;
		if (!tab)
			break;
		*tab = '\0';
		p = tab + 1;
	}
	if (nf < NFIELDS)
		return line_err(l, e, line, (int)nf,
				"missing: the line has %zu tab-separated field%s, wanted 4 "
				"(station, dept, role, pubkey)", nf, nf == 1 ? "" : "s");
	for (int i = 0; i < NFIELDS; i++) {
		if (len[i] == 0)
			return line_err(l, e, line, i, "empty");
		if (!text_is_utf8(f[i], len[i]))
			return line_err(l, e, line, i, "not valid UTF-8");
	}
	roster_entry en;
	memset(&en, 0, sizeof en);
	if (len[F_STATION] >= sizeof en.station || !journal_station_id_ok(f[F_STATION]))
		return line_err(l, e, line, F_STATION, "%s", station_rule);
	memcpy(en.station, f[F_STATION], len[F_STATION]);
	const char *why;
	if ((why = text_problem(f[F_DEPT], len[F_DEPT], sizeof en.dept)) != NULL)
		return line_err(l, e, line, F_DEPT, "%s", why);
	memcpy(en.dept, f[F_DEPT], len[F_DEPT]);
	if ((why = text_problem(f[F_ROLE], len[F_ROLE], sizeof en.role)) != NULL)
		return line_err(l, e, line, F_ROLE, "%s", why);
	memcpy(en.role, f[F_ROLE], len[F_ROLE]);
	/* The base64 line alone: no comment line, nothing around it. */
	if (strncmp(f[F_PUBKEY], "untrusted comment:", 18) == 0 ||
	    strpbrk(f[F_PUBKEY], " \r\n"))
		return line_err(l, e, line, F_PUBKEY,
				"not the base64 line of a minisign public key");
	bulu_err ke = {0};
	if (roster_parse_pubkey(f[F_PUBKEY], &en, &ke) != BULU_OK)
		return line_err(l, e, line, F_PUBKEY, "%s", ke.msg);

	roster *r = l->r;
	const roster_entry *dup = roster_by_station(r, en.station);
	if (dup)
		return line_err(l, e, line, F_STATION, "station %s is listed twice (also line %zu)",
				en.station, l->lines[dup - r->v]);
	if ((dup = by_key(r, en.key_id, en.pk)) != NULL) {
		char hex[17];
		keys_key_id_hex(en.key_id, hex);
		return line_err(l, e, line, F_PUBKEY,
				"key %s is also listed for station %s (line %zu): a key belongs to one station",
				hex, dup->station, l->lines[dup - r->v]);
	}
	if (grow(r, &l->cap) != 0)
		return bulu_errf(e, BULU_SYSTEM, "out of memory");
	if (l->lcap < l->cap) {
		size_t *nl = realloc(l->lines, l->cap * sizeof *nl);
		if (!nl)
			return bulu_errf(e, BULU_SYSTEM, "out of memory");
		l->lines = nl;
		l->lcap = l->cap;
	}
	l->lines[r->n] = line;
	r->v[r->n++] = en;
	return BULU_OK;
}

static int blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return 0;
	return 1;
}

static int parse_text(struct loader *l, char *text, size_t n, bulu_err *e)
{
	size_t line = 0;
	char *p = text, *end = text + n;
	while (p < end) {
		line++;
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *le = nl ? nl : end;
		size_t len = (size_t)(le - p);
		if (memchr(p, '\0', len))
			return line_err(l, e, line, -1, "NUL byte in the line");
		if (len && p[len - 1] == '\r')
			len--;
		p[len] = '\0';
		if (len && p[0] != '#' && !blank(p, len)) {
			int rc = parse_line(l, line, p, len, e);
			if (rc != BULU_OK)
				return rc;
		} else if (!text_is_utf8(p, len)) {
			return line_err(l, e, line, -1, "not valid UTF-8");
		}
		p = nl ? nl + 1 : end;
	}
	return BULU_OK;
}

int roster_load(const char *path, int may_be_missing, roster *r, bulu_err *e)
{
	memset(r, 0, sizeof *r);
	if (!path || !*path)
		return bulu_errf(e, BULU_BADINPUT, "no roster file named");
	int w = snprintf(r->path, sizeof r->path, "%s", path);
	if (w < 0 || (size_t)w >= sizeof r->path)
		return bulu_errf(e, BULU_BADINPUT, "the roster file name is too long");
	struct stat st;
	if (stat(path, &st) != 0) {
		if (errno == ENOENT && may_be_missing)
			return BULU_OK;
		return bulu_errf(e, errno == ENOENT ? BULU_BADINPUT : BULU_SYSTEM,
				 "cannot read the roster %s: %s", path, strerror(errno));
	}
	if (!S_ISREG(st.st_mode))
		return bulu_errf(e, BULU_BADINPUT, "the roster %s is not a regular file", path);
	char *text = NULL;
	size_t n = 0;
	int rc = text_slurp(path, &text, &n, e);
	if (rc != BULU_OK)
		return rc;
	struct loader l = {path, r, 0, NULL, 0};
	rc = parse_text(&l, text, n, e);
	free(text);
	free(l.lines);
	if (rc != BULU_OK) {
		roster_free(r);
		return rc;
	}
	return BULU_OK;
}

/* ---- changing and saving ----------------------------------------------- */

int roster_add(roster *r, const roster_entry *add, int replace, bulu_err *e)
{
	int rc = roster_entry_check(add, e);
	if (rc != BULU_OK)
		return rc;
	char hex[17];
	keys_key_id_hex(add->key_id, hex);
	const roster_entry *other = by_key(r, add->key_id, add->pk);
	if (other && strcmp(other->station, add->station) != 0)
		return bulu_errf(e, BULU_BADINPUT,
				 "key %s is already trusted for station %s: a key belongs to one "
				 "station (remove %s first if the key really moved)",
				 hex, other->station, other->station);
	roster_entry *old = (roster_entry *)roster_by_station(r, add->station);
	if (old && !replace) {
		char oldhex[17];
		keys_key_id_hex(old->key_id, oldhex);
		return bulu_errf(e, BULU_BADINPUT,
				 "station %s is already in the roster (key %s); use --replace to "
				 "replace its entry", add->station, oldhex);
	}
	if (old) {
		*old = *add;
		return BULU_OK;
	}
	size_t cap = r->n; /* r->v holds exactly r->n entries as far as we know */
	if (grow(r, &cap) != 0)
		return bulu_errf(e, BULU_SYSTEM, "out of memory");
	r->v[r->n++] = *add;
	return BULU_OK;
}

int roster_remove(roster *r, const char *station, bulu_err *e)
{
	const roster_entry *en = roster_by_station(r, station);
	if (!en)
		return bulu_errf(e, BULU_BADINPUT, "station %s is not in the roster %s",
				 journal_station_id_ok(station) ? station : "(not a station id)",
				 r->path);
	size_t i = (size_t)(en - r->v);
	memmove(&r->v[i], &r->v[i + 1], (r->n - i - 1) * sizeof *r->v);
	r->n--;
	return BULU_OK;
}

static int by_station_cmp(const void *a, const void *b)
{
	const roster_entry *const *x = a, *const *y = b;
	return strcmp((*x)->station, (*y)->station);
}

int roster_save(const roster *r, bulu_err *e)
{
	if (!r->path[0])
		return bulu_errf(e, BULU_BADINPUT, "no roster file named");
	const roster_entry **order = NULL;
	if (r->n) {
		order = malloc(r->n * sizeof *order);
		if (!order)
			return bulu_errf(e, BULU_SYSTEM, "out of memory");
	}
	for (size_t i = 0; i < r->n; i++) {
		int rc = roster_entry_check(&r->v[i], e);
		if (rc != BULU_OK) {
			free(order);
			return bulu_err_prefix(e, "cannot save the roster %s", r->path);
		}
		order[i] = &r->v[i];
	}
	if (r->n)
		qsort(order, r->n, sizeof *order, by_station_cmp);
	buf b = BUF_INIT;
	buf_puts(&b, HEADER);
	for (size_t i = 0; i < r->n; i++) {
		char b64[ROSTER_PUBKEY_B64];
		roster_pubkey_base64(order[i], b64);
		buf_printf(&b, "%s\t%s\t%s\t%s\n", order[i]->station, order[i]->dept,
			   order[i]->role, b64);
	}
	free(order);
	int rc = b.oom ? bulu_errf(e, BULU_SYSTEM, "out of memory")
		       : fs_write_atomic(r->path, b.p, b.len, 0644, e);
	buf_free(&b);
	return rc;
}
