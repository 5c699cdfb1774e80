/*
 * his.c - reading one HIS export into compact rows (see his.h): the bytes,
 * their encoding, the CSV, the header, and the hand-over of records to
 * conversion (his_row.c).
 *
 * The file is read in chunks (256 KiB, from a pipe 1 MiB: his_source.c,
 * which opens, reads and rewinds the bytes) and parsed as they come, so memory holds
 * the rows and the string pool, never the file.  libcsv is the parser of
 * record (the same options as core/csvfile.c: CSV_STRICT | CSV_STRICT_FINI
 * | CSV_APPEND_NULL | CSV_REPALL_NL); UTF-8 lines that are plainly
 * well-formed are split by feed_fast, which hands on_field and on_row
 * exactly what libcsv would (tests/unit/test_his.c compares the two).  UTF-8
 * is validated chunk by chunk before libcsv sees it (core/utf8.c, with
 * SSSE3 where the CPU has it; a character cut by a chunk's end waits for
 * the next); GB18030 goes through iconv chunk
 * by chunk the same way.  Under encoding `auto` a file turns out to be
 * GB18030 when its bytes stop being UTF-8: if that happens in the first
 * chunk nothing has been parsed yet and the chunk is simply decoded again;
 * later, the source is rewound and read again from the start (a pipe cannot
 * be rewound: then it is an error that says to set the encoding).
 *
 * libcsv hands each field to on_field: only the profile's columns are
 * copied, into the current batch (a column -> field table built from the
 * header); the others cost a compare.  Full batches of records go to
 * conversion (his_batch.c): on a second thread when the input is large and
 * the machine has two CPUs (parsing and interning then overlap), else right
 * away on this one.  Batches are converted in order either way, so the
 * rows, and the first error, are the same.
 *
 * Invariants:
 *  - Row numbers are csvfile's: records counted from 1, the header is the
 *    first non-blank record, blank records (every field empty) skipped but
 *    counted, a CRLF pair ends one record.
 *  - A data record with fewer fields than the header, or a non-empty field
 *    beyond the header's last, is refused (a broken export: a remark's line
 *    break or comma that was not quoted).
 *  - Which error is reported does not depend on threads: conversion sees
 *    every record before the one the parser refused, and its error (on an
 *    earlier row) wins.
 *  - Messages are "FILE:ROW:COL: what"; they quote header names, and a bad
 *    money, quantity or time cell (his_row.c), never any other cell.
 *  - On any failure the table is emptied (rows freed, n = 0).
 */
#include <csv.h>
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulu/buf.h"
#include "bulu/utf8.h"
#include "his_internal.h"

#define CSV_OPTS (CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL | CSV_REPALL_NL)
#define BATCH_BYTES (1u << 20) /* hand a batch over once its cells pass this */
#define STOPPED (-1)           /* parser status: conversion failed, stop quietly */

/* Rows to make room for at once: a row per 64 bytes of the file (an
 * export's rows are mostly longer: the default profile's ~150 bytes), up to
 * ROWS_AHEAD.  Pages not written are never touched, so the excess costs
 * nothing; a small export is then read without the table being copied each
 * time it doubles, and a large one (or one of shorter rows) grows from
 * there as before. */
#define ROWS_AHEAD ((size_t)1 << 19)

static void rows_ahead(struct his_table *t, size_t size)
{
	size_t n = size / 64;
	if (t->rows || n <= 1024)
		return; /* make_row's own first step is as large */
	if (n > ROWS_AHEAD)
		n = ROWS_AHEAD;
	if ((t->rows = malloc(n * sizeof *t->rows)))
		t->cap = n;
}

/* ---- the parser ---- */

struct rd {
	const char *name;            /* for messages */
	enum his_kind kind;
	const struct his_profile *prof;
	const struct his_kprof *kp;
	struct his_table *t;
	bulu_err e;
	int status;                  /* BULU_OK, a failure, or STOPPED */

	size_t row;                  /* records finished, blank ones included */
	int last_term;
	size_t col;                  /* fields so far in this record */
	int nonempty;                /* some field of this record is not empty */
	size_t extra_col;            /* first non-empty field past the header (1-based), 0 */

	int have_header;
	size_t ncols;                /* the header's fields */
	signed char *colmap;         /* [ncols]: field of each column, -1 */
	buf hdr;                     /* header fields, each NUL-terminated */
	size_t *hoff;                /* offsets into hdr */
	size_t hcap;
	struct his_cols cols;

	struct his_pipeline pl;
	/* the fast path (feed_fast): */
	int in_lib;                  /* libcsv holds part of a record */
	int qodd;                    /* ... and an odd number of quotes of it */
	struct his_split split;      /* a line's fields (his_fast.c) */
	char *unq;                   /* a quoted field with "" inside, unquoted */
	size_t unq_cap;

	struct his_batch *cur;       /* the batch being filled; cur->rec[cur->nrec]
	                              * is the record being read */
	size_t chunk;                /* the source's (struct his_src) */
};

static void fail_at(struct rd *r, int code, size_t col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void fail_at(struct rd *r, int code, size_t col, const char *fmt, ...)
{
	if (r->status != BULU_OK)
		return;
	char what[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	if (col)
		bulu_errf(&r->e, code, "%s:%zu:%zu: %s", r->name, r->row + 1, col, what);
	else
		bulu_errf(&r->e, code, "%s:%zu: %s", r->name, r->row + 1, what);
	r->status = code;
}

static void header_field(struct rd *r, size_t c, const char *s, size_t len)
{
	if (c == r->hcap) {
		size_t cap = r->hcap ? r->hcap * 2 : 64;
		size_t *o = realloc(r->hoff, cap * sizeof *o);
		if (!o) {
			fail_at(r, BULU_SYSTEM, 0, "out of memory");
			return;
		}
		r->hoff = o;
		r->hcap = cap;
	}
	r->hoff[c] = r->hdr.len;
	buf_put(&r->hdr, s, len);
	buf_putc(&r->hdr, '\0'); /* the input holds no NUL (checked before parsing) */
}

static void on_field(void *s, size_t len, void *ud)
{
	struct rd *r = ud;
	size_t c = r->col++;
	if (len)
		r->nonempty = 1;
	if (r->status != BULU_OK)
		return;
	if (!r->have_header) {
		header_field(r, c, s, len);
		return;
	}
	if (c >= r->ncols) {
		if (len && !r->extra_col)
			r->extra_col = c + 1;
		return;
	}
	int f = r->colmap[c];
	if (f < 0)
		return;
	struct his_batch *b = r->cur;
	if (b->bcap - b->blen < len) {
		if (len > UINT32_MAX - b->blen) {
			fail_at(r, BULU_BADINPUT, c + 1, "field too large");
			return;
		}
		size_t cap = b->bcap * 2 + len;
		char *nb = realloc(b->bytes, cap);
		if (!nb) {
			fail_at(r, BULU_SYSTEM, 0, "out of memory");
			return;
		}
		b->bytes = nb;
		b->bcap = cap;
	}
	struct his_rec *rec = &b->rec[b->nrec];
	rec->off[f] = (uint32_t)b->blen;
	rec->len[f] = (uint32_t)len;
	rec->cset |= 1u << f;
	memcpy(b->bytes + b->blen, s, len);
	b->blen += len;
}

static void trim(const char **p, size_t *n)
{
	const char *s = *p;
	size_t len = *n;
	while (len && (*s == ' ' || *s == '\t'))
		s++, len--;
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	*p = s;
	*n = len;
}

/* Header bytes to show: at most 64, cut on a character boundary. */
static int shown(const char *s, size_t n)
{
	if (n <= 64)
		return (int)n;
	n = 64;
	while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return (int)n;
}

/* The header: map columns to fields, check the required ones. */
static void take_header(struct rd *r)
{
	const struct his_kprof *kp = r->kp;
	struct his_cols *cols = &r->cols;
	r->ncols = r->col;
	r->colmap = malloc(r->ncols);
	if (!r->colmap || r->hdr.oom) {
		fail_at(r, BULU_SYSTEM, 0, "out of memory");
		return;
	}
	for (int f = 0; f < HF_NFIELDS; f++)
		cols->fcol[f] = -1;
	for (size_t i = 0; i < r->ncols; i++) {
		const char *h = r->hdr.p + r->hoff[i];
		size_t hn = strlen(h);
		trim(&h, &hn);
		r->colmap[i] = -1;
		for (int f = 0; f < HF_NFIELDS && hn; f++) {
			if (!kp->names[f] || !his_name_matches(kp->names[f], h, hn))
				continue;
			int sh = shown(h, hn);
			if (r->colmap[i] >= 0) {
				fail_at(r, BULU_BADINPUT, i + 1,
				        "column \"%.*s\" is both %s and %s in profile %s", sh, h,
				        his_field_name((enum his_field)r->colmap[i]),
				        his_field_name((enum his_field)f), his_profile_name(r->prof));
				return;
			}
			if (cols->fcol[f] >= 0) {
				fail_at(r, BULU_BADINPUT, i + 1,
				        "column \"%.*s\" given twice (also column %d)", sh, h,
				        cols->fcol[f] + 1);
				return;
			}
			if (i > 0x7ffffffe) {
				fail_at(r, BULU_BADINPUT, 0, "too many columns");
				return;
			}
			r->colmap[i] = (signed char)f;
			cols->fcol[f] = (int)i;
			cols->hname[f] = h;
			cols->hname_len[f] = sh;
		}
	}
	for (int f = 0; f < HF_NFIELDS; f++) {
		r->t->has[f] = cols->fcol[f] >= 0;
		if (his_field_required(r->kind, (enum his_field)f) && cols->fcol[f] < 0) {
			fail_at(r, BULU_BADINPUT, 0, "no column for %s (profile %s expects %s)",
			        his_field_name((enum his_field)f), his_profile_name(r->prof),
			        kp->names[f]);
			return;
		}
	}
	if (r->kind == HIS_CHARGES && cols->fcol[HF_AMOUNT] < 0 &&
	    cols->fcol[HF_UNIT_PRICE] < 0) {
		const char *a = kp->names[HF_AMOUNT], *u = kp->names[HF_UNIT_PRICE];
		fail_at(r, BULU_BADINPUT, 0,
		        "no column for amount or unit_price (profile %s expects %s%s%s)",
		        his_profile_name(r->prof), a ? a : u, a && u ? " or " : "",
		        a && u ? u : "");
		return;
	}
	r->have_header = 1;
}

/* A data record is complete: keep it in the batch. */
static void take_record(struct rd *r)
{
	if (r->col < r->ncols) {
		fail_at(r, BULU_BADINPUT, 0, "%zu fields, the header has %zu", r->col, r->ncols);
		return;
	}
	if (r->extra_col) {
		fail_at(r, BULU_BADINPUT, r->extra_col, "a field beyond the header's %zu columns",
		        r->ncols);
		return;
	}
	if (r->row + 1 > UINT32_MAX) {
		fail_at(r, BULU_BADINPUT, 0, "too many rows");
		return;
	}
	struct his_batch *b = r->cur;
	b->rec[b->nrec].row = (uint32_t)(r->row + 1);
	b->nrec++;
	if (b->nrec == HIS_BATCH_RECS || b->blen >= BATCH_BYTES) {
		if (his_pl_deliver(&r->pl, &r->cur) != 0)
			r->status = STOPPED;
	} else {
		b->rec[b->nrec].cset = 0;
	}
}

static void on_row(int term, void *ud)
{
	struct rd *r = ud;
	if (r->status != BULU_OK)
		return;
	if (r->col == 0 && term == '\n' && r->last_term == '\r') {
		r->last_term = '\n'; /* second half of a CRLF, not a blank line */
		return;
	}
	r->last_term = term;
	if (r->nonempty) {
		if (!r->have_header)
			take_header(r);
		else
			take_record(r);
	} else if (!r->have_header) {
		buf_reset(&r->hdr); /* a blank record before the header */
	} else {
		r->cur->rec[r->cur->nrec].cset = 0;
	}
	r->row++;
	r->col = 0;
	r->nonempty = 0;
	r->extra_col = 0;
}

/* Forget everything read (to read again as GB18030); conversion is idle. */
static void reset(struct rd *r, size_t base_n)
{
	r->t->n = base_n;
	memset(r->t->has, 0, sizeof r->t->has);
	r->row = 0;
	r->last_term = '\n';
	r->col = 0;
	r->nonempty = 0;
	r->extra_col = 0;
	r->have_header = 0;
	r->in_lib = 0;
	r->qodd = 0;
	free(r->colmap);
	r->colmap = NULL;
	r->ncols = 0;
	buf_reset(&r->hdr);
	r->cur->nrec = r->cur->blen = 0;
	r->cur->rec[0].cset = 0;
}

static int feed(struct rd *r, struct csv_parser *p, const char *s, size_t n)
{
	if (n == 0 || r->status != BULU_OK)
		return r->status;
	size_t got = csv_parse(p, s, n, on_field, on_row, r);
	if (r->status == BULU_OK && got != n) {
		if (csv_error(p) == CSV_EPARSE)
			fail_at(r, BULU_BADINPUT, r->col + 1,
			        "malformed CSV: a quote inside an unquoted field, "
			        "or text after a closing quote");
		else
			fail_at(r, BULU_SYSTEM, 0, "out of memory");
	}
	return r->status;
}

/*
 * The fast path: UTF-8 text s[0..n) at a record boundary, one line at a
 * time.  A line whose fields are all plain (no quote) or well quoted ("..."
 * with "" for a quote, nothing after the closing quote but spaces and
 * tabs), and which holds no CR (nearly every line of an export), is split
 * here and handed to on_field and on_row exactly as libcsv would hand it:
 * a plain field trimmed of spaces and tabs, a quoted one unquoted, a line
 * of nothing but spaces a record without fields.  Any other line goes to
 * libcsv, the parser of record, together with what follows until a LF
 * outside quotes ends its record: in CSV that libcsv accepts (CSV_STRICT
 * refuses a quote inside a plain field, or text after a closing quote, at
 * once), an even quote count means outside quotes, so libcsv is between
 * records whenever this path takes over again, and it alone judges every
 * quoted line break, CR and malformed line.  A last line without its LF
 * waits for more input, unless flush (end of input, or a bad byte next) or
 * it is too long to wait for; it then goes to libcsv.  Returns the bytes
 * used; the rest must come again with what follows.  libcsv took 40 % of
 * reading a large export; this takes a few percent.  The splitting itself
 * is his_fast.c's.
 */

static size_t feed_fast(struct rd *r, struct csv_parser *p, const char *s, size_t n, int flush)
{
	size_t pos = 0;
	while (pos < n && r->status == BULU_OK) {
		if (r->in_lib) {
			size_t i = pos;
			int q = r->qodd;
			for (; i < n; i++) {
				if (s[i] == '"')
					q ^= 1;
				else if (s[i] == '\n' && !q)
					break;
			}
			size_t end = i < n ? i + 1 : n;
			r->qodd = q;
			if (feed(r, p, s + pos, end - pos) != BULU_OK)
				return n;
			if (i < n)
				r->in_lib = 0;
			pos = end;
			continue;
		}
		size_t nf = 0, eol = 0;
		int kind = his_split_line(&r->split, s, pos, n, &nf, &eol);
		if (kind == -2) {
			fail_at(r, BULU_SYSTEM, 0, "out of memory");
			return n;
		}
		if (kind == -1 && !flush && n - pos < r->chunk / 2)
			return pos; /* wait for the rest of the line */
		if (kind != 1) {
			r->in_lib = 1;
			r->qodd = 0;
			continue;
		}
		for (size_t k = 0; k < nf && r->status == BULU_OK; k++) {
			const struct his_fspan *f = &r->split.spans[k];
			if (!f->esc) {
				on_field((void *)(uintptr_t)(s + f->a), f->b - f->a, r);
				continue;
			}
			/* "" to ": in place would change the input; a copy */
			char *d = r->unq;
			if (f->b - f->a > r->unq_cap) {
				size_t cap = (f->b - f->a) * 2;
				d = realloc(r->unq, cap);
				if (!d) {
					fail_at(r, BULU_SYSTEM, 0, "out of memory");
					return n;
				}
				r->unq = d;
				r->unq_cap = cap;
			}
			size_t m = 0;
			for (size_t j = f->a; j < f->b; j++) {
				d[m++] = s[j];
				if (s[j] == '"')
					j++;
			}
			on_field(d, m, r);
		}
		on_row('\n', r);
		pos = eol + 1;
	}
	return r->status == BULU_OK ? pos : n;
}

/* Decode in[0..*n) from GB18030 and feed it; an incomplete character at
 * the end is moved to the front of in and *n set to its length.  at: the
 * input offset of in[0]. */
static int feed_gb(struct rd *r, struct csv_parser *p, iconv_t cd, char *in, size_t *n,
                   char *out, size_t outcap, int eof, uint64_t at, int *first_out,
                   uint64_t not_utf8_at)
{
	char *ip = in;
	size_t ileft = *n;
	while (ileft > 0 && r->status == BULU_OK) {
		char *op = out;
		size_t oleft = outcap;
		size_t rc = iconv(cd, &ip, &ileft, &op, &oleft);
		int err = rc == (size_t)-1 ? errno : 0;
		const char *o = out;
		size_t on = (size_t)(op - out);
		if (*first_out && on) {
			if (on >= 3 && memcmp(o, "\xef\xbb\xbf", 3) == 0)
				o += 3, on -= 3; /* GB18030's own BOM, 84 31 95 33 */
			*first_out = 0;
		}
		const char *nul = on ? memchr(o, '\0', on) : NULL;
		if (feed(r, p, o, nul ? (size_t)(nul - o) : on) != BULU_OK)
			return r->status;
		if (nul) {
			fail_at(r, BULU_BADINPUT, 0, "a NUL byte (not a text file?)");
			return r->status;
		}
		if (err == 0 || err == E2BIG)
			continue;
		if (err == EINVAL && !eof)
			break; /* a character cut by the chunk's end */
		uint64_t bad = at + (uint64_t)(ip - in);
		if (err != EILSEQ && err != EINVAL)
			fail_at(r, BULU_SYSTEM, 0, "cannot convert from GB18030: %s", strerror(err));
		else if (not_utf8_at != UINT64_MAX)
			fail_at(r, BULU_BADINPUT, 0,
			        "byte %llu: neither UTF-8 nor GB18030 (not UTF-8 from byte %llu)",
			        (unsigned long long)bad, (unsigned long long)not_utf8_at);
		else
			fail_at(r, BULU_BADINPUT, 0, "byte %llu: not valid GB18030",
			        (unsigned long long)bad);
		return r->status;
	}
	memmove(in, ip, ileft);
	*n = ileft;
	return r->status;
}

/* Read the whole source into batches of records. */
static void parse(struct rd *r, struct his_src *src)
{
	size_t base_n = r->t->n;
	const size_t chunk = src->chunk;
	char *in = malloc(chunk);
	char *out = NULL;
	size_t outcap = 2 * chunk + 16;
	iconv_t cd = (iconv_t)-1;
	struct csv_parser p;
	int have_parser = 0, started = 0;
	if (!in) {
		fail_at(r, BULU_SYSTEM, 0, "out of memory");
		goto done;
	}
	enum text_enc want = r->kp->enc;
	uint64_t not_utf8_at = UINT64_MAX; /* auto found no UTF-8 from here */
again:;
	int gb = want == TEXT_GB18030 || not_utf8_at != UINT64_MAX;
	int first = 1, first_out = 1, eof = 0;
	uint64_t at = 0;        /* input offset of in[0] */
	size_t have = 0;        /* bytes in in[] */
	if (csv_init(&p, CSV_OPTS) != 0) {
		fail_at(r, BULU_SYSTEM, 0, "out of memory");
		goto done;
	}
	have_parser = 1;
	while (!eof && r->status == BULU_OK) {
		ssize_t got = his_src_read(src, in + have, chunk - have);
		if (got < 0) {
			fail_at(r, BULU_BADINPUT, 0, "%s", strerror(errno));
			break;
		}
		eof = (size_t)got < chunk - have;
		have += (size_t)got;
		if (!eof && !started) {
			started = 1; /* more than a chunk: worth a thread */
			his_pl_start_thread(&r->pl);
		}
		size_t skip = 0;
		if (first) {
			first = 0;
			if (have >= 3 && memcmp(in, "\xef\xbb\xbf", 3) == 0) {
				skip = 3;
				gb = 0; /* a UTF-8 BOM means UTF-8, whatever was asked */
				want = TEXT_UTF8;
			}
			r->t->used = gb ? TEXT_GB18030 : TEXT_UTF8;
		}
		if (!gb) {
			size_t ok;
			int bad = utf8_check((const unsigned char *)in + skip, have - skip, eof, &ok);
			if (bad == -1 && want == TEXT_AUTO) {
				not_utf8_at = at + skip + ok;
				if (at == 0) { /* nothing parsed yet: decode this chunk again */
					gb = 1;
					r->t->used = TEXT_GB18030;
				} else if (his_pl_drain(&r->pl) != 0) {
					r->status = STOPPED;
					break;
				} else if (his_src_rewind(src) == 0) {
					csv_free(&p);
					have_parser = 0;
					reset(r, base_n);
					goto again;
				} else {
					fail_at(r, BULU_BADINPUT, 0,
					        "byte %llu: not valid UTF-8 (to read GB18030 from a "
					        "pipe, set encoding = gb18030 in the profile)",
					        (unsigned long long)not_utf8_at);
					break;
				}
			} else {
				size_t used = feed_fast(r, &p, in + skip, ok, eof || bad);
				if (r->status != BULU_OK)
					break;
				if (bad) {
					fail_at(r, BULU_BADINPUT, 0, "byte %llu: %s",
					        (unsigned long long)(at + skip + ok),
					        bad == -2 ? "a NUL byte (not a text file?)"
					                  : "not valid UTF-8");
					break;
				}
				memmove(in, in + skip + used, have - skip - used);
				at += skip + used;
				have -= skip + used;
				continue;
			}
		}
		if (cd == (iconv_t)-1) {
			cd = iconv_open("UTF-8", "GB18030");
			out = malloc(outcap);
			if (cd == (iconv_t)-1 || !out) {
				fail_at(r, BULU_SYSTEM, 0, "cannot convert from GB18030: %s",
				        cd == (iconv_t)-1 ? strerror(errno) : "out of memory");
				break;
			}
		}
		memmove(in, in + skip, have - skip);
		have -= skip;
		at += skip;
		size_t left = have;
		if (feed_gb(r, &p, cd, in, &left, out, outcap, eof, at, &first_out,
		            not_utf8_at) != BULU_OK)
			break;
		at += have - left;
		have = left;
	}
	if (r->status == BULU_OK && csv_fini(&p, on_field, on_row, r) != 0 &&
	    r->status == BULU_OK) {
		if (csv_error(&p) == CSV_EPARSE)
			fail_at(r, BULU_BADINPUT, 0,
			        "malformed CSV: quoted field not closed before end of file");
		else
			fail_at(r, BULU_SYSTEM, 0, "out of memory");
	}
	if (r->status == BULU_OK && !r->have_header) {
		r->row = 0;
		fail_at(r, BULU_BADINPUT, 0, "no header row (the file is empty)");
	}
done:
	if (have_parser)
		csv_free(&p);
	if (cd != (iconv_t)-1)
		iconv_close(cd);
	free(in);
	free(out);
}

static int read_src(const char *name, const char *path, struct his_src *src, enum his_kind k,
                    const struct his_profile *p, strpool *pool, struct his_table *t,
                    bulu_err *e)
{
	t->kind = k;
	t->path = path;
	t->used = TEXT_AUTO;
	memset(t->has, 0, sizeof t->has);
	if ((unsigned)k >= HIS_NKINDS || !p->k[k].present) {
		his_table_free(t);
		if ((unsigned)k >= HIS_NKINDS)
			return bulu_errf(e, BULU_BADINPUT, "%s: unknown kind of export", name);
		return bulu_errf(e, BULU_BADINPUT, "%s: profile %s has no [%s] section", name,
		                 his_profile_name(p), his_kind_name(k));
	}
	struct rd *r = calloc(1, sizeof *r);
	struct his_conv *conv = calloc(1, sizeof *conv);
	int rc;
	if (!r || !conv) {
		rc = bulu_errf(e, BULU_SYSTEM, "%s: out of memory", name);
		goto done;
	}
	r->name = name;
	r->kind = k;
	r->prof = p;
	r->kp = &p->k[k];
	r->t = t;
	r->status = BULU_OK;
	r->last_term = '\n';
	his_conv_init(conv, name, k, r->kp, &r->cols, pool, t);
	r->pl.conv = conv;
	if (his_batch_alloc(&r->pl.b[0]) != 0) {
		rc = bulu_errf(e, BULU_SYSTEM, "%s: out of memory", name);
		goto done;
	}
	r->cur = &r->pl.b[0];
	r->chunk = src->chunk;
	rows_ahead(t, src->size);
	parse(r, src);
	/* What was read before a failure (or the end) is converted first. */
	if (r->status == BULU_OK || r->status == BULU_BADINPUT || r->status == BULU_SYSTEM)
		his_pl_deliver(&r->pl, &r->cur);
	his_pl_finish(&r->pl);
	if (conv->status != BULU_OK) {
		rc = conv->status;
		if (e)
			*e = conv->e;
	} else if (r->status != BULU_OK) {
		rc = r->status;
		if (e)
			*e = r->e;
	} else {
		rc = BULU_OK;
		t->nread = t->n;
		if (e)
			bulu_err_clear(e);
	}
done:
	if (r) {
		his_pl_finish(&r->pl);
		free(r->colmap);
		free(r->split.spans);
		free(r->unq);
		free(r->hoff);
		buf_free(&r->hdr);
	}
	if (conv)
		his_conv_free(conv);
	free(r);
	free(conv);
	if (rc != BULU_OK)
		his_table_free(t);
	return rc;
}

int his_read(const char *path, enum his_kind k, const struct his_profile *p,
             strpool *pool, struct his_table *t, bulu_err *e)
{
	struct his_src src;
	if (his_src_open(&src, path) != 0) {
		int rc = bulu_errf(e, BULU_BADINPUT, "%s: %s", path, strerror(errno));
		his_table_free(t);
		return rc;
	}
	const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
	int rc = read_src(name, path, &src, k, p, pool, t, e);
	his_src_close(&src);
	return rc;
}

int his_read_mem(const char *name, const char *data, size_t len, enum his_kind k,
                 const struct his_profile *p, strpool *pool, struct his_table *t,
                 bulu_err *e)
{
	struct his_src src;
	his_src_mem(&src, data, len);
	return read_src(name, name, &src, k, p, pool, t, e);
}

void his_table_free(struct his_table *t)
{
	if (!t)
		return;
	free(t->rows);
	free(t->text);
	t->rows = NULL;
	t->text = NULL;
	t->n = t->cap = t->nread = 0;
	t->text_len = t->text_cap = 0;
}
