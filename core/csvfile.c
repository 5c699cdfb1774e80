/*
 * csvfile.c - whole-file CSV reading with libcsv, row by row, with positions.
 *
 * The file (or stdin for "-") is read whole, decoded to UTF-8 by text_decode,
 * and fed to libcsv with CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL |
 * CSV_REPALL_NL.  Fields are copied into our own NUL-terminated storage, so
 * the callback's pointers stay valid for the whole callback.
 *
 * Invariants:
 *  - Row numbers count records, as a spreadsheet shows them: row 1 is the
 *    first record (the header); a line break inside a quoted field does not
 *    start a new row; a blank line is a row of its own (skipped, counted).
 *    A CRLF pair ends one row, not two.
 *  - A row is blank when every field is empty after libcsv's trimming of
 *    unquoted spaces (",,," and "  " are blank); blank rows never reach the
 *    callback.
 *  - Messages carry the file name, row (and column) numbers and the kind of
 *    problem, never field contents.
 *  - A field containing a NUL byte is refused (it would be cut short).
 *  - A UTF-16 file (a BOM FF FE or FE FF, or NULs every other byte) is
 *    refused as UTF-16 before any decoding; an undecodable byte is named by
 *    row and column, with the encoding the file was read as.
 *  - The callback's first non-OK status stops the read and is returned as
 *    is; if the callback left no message, a generic "FILE:ROW: row refused"
 *    is filled in.
 */
#include <csv.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulu/buf.h"
#include "bulu/csvfile.h"
#include "bulu/fsutil.h"

#define CHUNK 65536

static const char *display_name(const char *path)
{
	return (path && strcmp(path, "-") == 0) ? "<stdin>" : (path ? path : "?");
}

struct rd {
	const char *name;
	csvfile_row_fn fn;
	void *ud;
	bulu_err *e;
	size_t row;       /* records finished so far (blank ones included) */
	int last_term;    /* terminator that ended the previous record */
	buf data;         /* this row's fields, each followed by a NUL */
	size_t *off, *lens;
	char **ptrs;
	size_t nf, cap;
	int status;       /* first failure; BULU_OK while going on */
};

static void fail(struct rd *r, int code, const char *what, size_t col)
{
	if (r->status != BULU_OK)
		return;
	if (col)
		bulu_errf(r->e, code, "%s:%zu:%zu: %s", r->name, r->row + 1, col, what);
	else
		bulu_errf(r->e, code, "%s:%zu: %s", r->name, r->row + 1, what);
	r->status = code;
}

static void on_field(void *s, size_t len, void *ud)
{
	struct rd *r = ud;
	if (r->status != BULU_OK)
		return;
	if (r->nf == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		size_t *o = realloc(r->off, cap * sizeof *o);
		if (o)
			r->off = o;
		size_t *l = realloc(r->lens, cap * sizeof *l);
		if (l)
			r->lens = l;
		char **p = realloc(r->ptrs, cap * sizeof *p);
		if (p)
			r->ptrs = p;
		if (!o || !l || !p) {
			fail(r, BULU_SYSTEM, "out of memory", 0);
			return;
		}
		r->cap = cap;
	}
	if (len && memchr(s, '\0', len)) {
		fail(r, BULU_BADINPUT, "NUL byte in field", r->nf + 1);
		return;
	}
	r->off[r->nf] = r->data.len;
	r->lens[r->nf] = len;
	if (len)
		buf_put(&r->data, s, len);
	buf_putc(&r->data, '\0');
	if (r->data.oom) {
		fail(r, BULU_SYSTEM, "out of memory", 0);
		return;
	}
	r->nf++;
}

static void on_row(int term, void *ud)
{
	struct rd *r = ud;
	if (r->status != BULU_OK)
		return;
	if (r->nf == 0 && term == '\n' && r->last_term == '\r') {
		r->last_term = '\n'; /* second half of a CRLF, not a blank line */
		return;
	}
	r->last_term = term;
	int blank = 1;
	for (size_t i = 0; i < r->nf; i++)
		if (r->lens[i] != 0)
			blank = 0;
	if (!blank) {
		for (size_t i = 0; i < r->nf; i++)
			r->ptrs[i] = r->data.p + r->off[i];
		if (r->e)
			bulu_err_clear(r->e);
		int st = r->fn(r->ud, r->row + 1, r->nf, r->ptrs, r->lens, r->e);
		if (st != BULU_OK) {
			if (r->e && r->e->msg[0] == '\0')
				bulu_errf(r->e, st, "%s:%zu: row refused", r->name,
				          r->row + 1);
			r->status = st;
		}
	}
	r->row++;
	r->nf = 0;
	buf_reset(&r->data);
}

static int slurp_stdin(char **out, size_t *outlen, bulu_err *e)
{
	buf b = BUF_INIT;
	char tmp[CHUNK];
	size_t n;
	while ((n = fread(tmp, 1, sizeof tmp, stdin)) > 0)
		buf_put(&b, tmp, n);
	if (ferror(stdin)) {
		int err = errno ? errno : EIO;
		buf_free(&b);
		return bulu_errf(e, BULU_BADINPUT, "<stdin>: %s", strerror(err));
	}
	if (b.oom) {
		buf_free(&b);
		return bulu_errf(e, BULU_SYSTEM, "<stdin>: out of memory");
	}
	buf_reserve(&b, 0);
	char *p = buf_steal(&b, outlen);
	if (!p)
		return bulu_errf(e, BULU_SYSTEM, "<stdin>: out of memory");
	*out = p;
	return BULU_OK;
}

/* Row and column (both from 1, counted as on_row and on_field count them)
 * of byte off of the raw file.  Only the ASCII bytes '"', ',', CR and LF
 * are looked at; none of them is part of a UTF-8 or GB18030 multi-byte
 * character, so this holds before decoding. */
static void raw_pos(const char *raw, size_t off, size_t *row, size_t *col)
{
	size_t r = 1, c = 1;
	int quoted = 0;
	for (size_t i = 0; i < off; i++) {
		char ch = raw[i];
		if (ch == '"')
			quoted = !quoted;
		else if (quoted)
			continue;
		else if (ch == ',')
			c++;
		else if (ch == '\n' || ch == '\r') {
			if (ch == '\r' && i + 1 < off && raw[i + 1] == '\n')
				i++;
			r++;
			c = 1;
		}
	}
	*row = r;
	*col = c;
}

/* The encoding error of text_decode_at, by row and column rather than by
 * byte offset, naming the encoding the file was read as. */
static int decode_error(const char *name, const char *raw, size_t rawlen,
                        enum text_enc as, size_t bad, size_t ubad, bulu_err *e)
{
	size_t row, col;
	raw_pos(raw, bad < rawlen ? bad : rawlen, &row, &col);
	if (as == TEXT_UTF8)
		return bulu_errf(e, BULU_BADINPUT,
		                 "%s:%zu:%zu: not valid UTF-8 (the file was read as UTF-8)",
		                 name, row, col);
	if (as == TEXT_GB18030)
		return bulu_errf(e, BULU_BADINPUT,
		                 "%s:%zu:%zu: not valid GB18030 (the file was read as GB18030)",
		                 name, row, col);
	size_t urow, ucol;
	raw_pos(raw, ubad < rawlen ? ubad : rawlen, &urow, &ucol);
	return bulu_errf(e, BULU_BADINPUT,
	                 "%s:%zu:%zu: neither UTF-8 nor GB18030 (the file was read as "
	                 "GB18030, since it is not UTF-8 from row %zu column %zu)",
	                 name, row, col, urow, ucol);
}

int csvfile_read(const char *path, enum text_enc enc, csvfile_row_fn fn,
                 void *ud, enum text_enc *used, bulu_err *e)
{
	char *raw = NULL;
	size_t rawlen = 0;
	/* A FIFO, a device (capture import /dev/zero) or a directory is
	 * refused before a byte is read: only "-" reads a stream. */
	int rc = (path && strcmp(path, "-") == 0)
	         ? slurp_stdin(&raw, &rawlen, e)
	         : fs_read_regular(path, SIZE_MAX / 2, &raw, &rawlen, e);
	if (rc != BULU_OK)
		return rc;
	rc = csvfile_read_mem(display_name(path), raw, rawlen, enc, fn, ud, used, e);
	free(raw);
	return rc;
}

int csvfile_read_mem(const char *name, const char *raw, size_t rawlen,
                     enum text_enc enc, csvfile_row_fn fn, void *ud,
                     enum text_enc *used, bulu_err *e)
{
	char *text = NULL;
	size_t len = 0;
	if (text_utf16(raw, rawlen))
		return bulu_errf(e, BULU_BADINPUT,
		                 "%s: this file is UTF-16; save it as UTF-8 or GB18030 "
		                 "(Excel: CSV UTF-8)", name);
	size_t bad = SIZE_MAX, ubad = SIZE_MAX;
	enum text_enc as = enc;
	int rc = text_decode_at(name, raw, rawlen, enc, &text, &len, &as, &bad,
	                        &ubad, e);
	if (rc == BULU_BADINPUT && bad != SIZE_MAX)
		return decode_error(name, raw, rawlen, as, bad, ubad, e);
	if (rc != BULU_OK)
		return rc;
	if (used)
		*used = as;

	struct csv_parser p;
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL |
	                 CSV_REPALL_NL) != 0) {
		free(text);
		return bulu_errf(e, BULU_SYSTEM, "%s: out of memory", name);
	}
	struct rd r;
	memset(&r, 0, sizeof r);
	r.name = name;
	r.fn = fn;
	r.ud = ud;
	r.e = e;
	r.last_term = '\n';
	r.status = BULU_OK;

	size_t pos = 0;
	while (pos < len && r.status == BULU_OK) {
		size_t n = len - pos < CHUNK ? len - pos : CHUNK;
		size_t got = csv_parse(&p, text + pos, n, on_field, on_row, &r);
		if (r.status != BULU_OK)
			break;
		if (got != n) {
			if (csv_error(&p) == CSV_EPARSE)
				fail(&r, BULU_BADINPUT,
				     "malformed CSV: a quote inside an unquoted field, "
				     "or text after a closing quote", 0);
			else
				fail(&r, BULU_SYSTEM, "out of memory", 0);
			break;
		}
		pos += n;
	}
	if (r.status == BULU_OK &&
	    csv_fini(&p, on_field, on_row, &r) != 0 && r.status == BULU_OK) {
		if (csv_error(&p) == CSV_EPARSE)
			fail(&r, BULU_BADINPUT,
			     "malformed CSV: quoted field not closed before end of file", 0);
		else
			fail(&r, BULU_SYSTEM, "out of memory", 0);
	}
	csv_free(&p);
	free(text);
	free(r.off);
	free(r.lens);
	free(r.ptrs);
	buf_free(&r.data);
	if (r.status == BULU_OK && e)
		bulu_err_clear(e);
	return r.status;
}

/* Does header cell h[0..hn) (already trimmed) match one of the '|'-separated
 * spellings in names? ASCII case and spaces around each spelling ignored. */
static int name_matches(const char *names, const char *h, size_t hn)
{
	const char *s = names;
	for (;;) {
		const char *end = strchr(s, '|');
		size_t n = end ? (size_t)(end - s) : strlen(s);
		while (n && (*s == ' ' || *s == '\t'))
			s++, n--;
		while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		if (n == hn) {
			size_t i = 0;
			for (; i < n; i++) {
				int a = (unsigned char)s[i], b = (unsigned char)h[i];
				if (a >= 'A' && a <= 'Z')
					a += 'a' - 'A';
				if (b >= 'A' && b <= 'Z')
					b += 'a' - 'A';
				if (a != b)
					break;
			}
			if (i == n)
				return 1;
		}
		if (!end)
			return 0;
		s = end + 1;
	}
}

/* How many bytes of a header name to show: at most 64, cut on a UTF-8
 * character boundary. */
static int shown(const char *h, size_t hn)
{
	if (hn <= 64)
		return (int)hn;
	size_t n = 64;
	while (n && ((unsigned char)h[n] & 0xc0) == 0x80)
		n--;
	return (int)n;
}

int csvfile_map_header(const char *path, char *const *fields, size_t nfields,
                       const char *const *names, size_t nnames, int *idx,
                       int allow_unknown, bulu_err *e)
{
	const char *name = display_name(path);
	for (size_t k = 0; k < nnames; k++)
		idx[k] = -1;
	for (size_t i = 0; i < nfields; i++) {
		const char *h = fields[i];
		size_t hn = strlen(h);
		while (hn && (*h == ' ' || *h == '\t'))
			h++, hn--;
		while (hn && (h[hn - 1] == ' ' || h[hn - 1] == '\t'))
			hn--;
		size_t k = 0;
		while (k < nnames && !(hn && name_matches(names[k], h, hn)))
			k++;
		if (k == nnames) {
			if (allow_unknown)
				continue;
			if (hn == 0)
				return bulu_errf(e, BULU_BADINPUT,
				                 "%s:1:%zu: column has no name", name, i + 1);
			/* Header cells are column names, not patient data. */
			return bulu_errf(e, BULU_BADINPUT,
			                 "%s:1:%zu: unknown column \"%.*s\"", name, i + 1,
			                 shown(h, hn), h);
		}
		if (idx[k] >= 0)
			return bulu_errf(e, BULU_BADINPUT,
			                 "%s:1:%zu: column \"%.*s\" given twice (also column %d)",
			                 name, i + 1, shown(h, hn), h, idx[k] + 1);
		if (i > (size_t)INT_MAX - 1)
			return bulu_errf(e, BULU_BADINPUT, "%s:1: too many columns", name);
		idx[k] = (int)i;
	}
	return BULU_OK;
}
