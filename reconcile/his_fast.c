/*
 * his_fast.c - the hand splitter of the fast path (his.c's feed_fast): one
 * line of UTF-8 CSV, plain or well-quoted fields, cut into fields with SSE2
 * where the compiler has it.  What it refuses (a CR, a quote inside a plain
 * field, text after a closing quote, a quoted line break) goes to libcsv,
 * the parser of record; his.c says how the two take turns and
 * tests/unit/test_his.c compares them.
 */
#include <stdint.h>
#include <stdlib.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "his_internal.h"

/* The first of , LF " CR in s[i..n), or n. */
static size_t next_special(const char *s, size_t i, size_t n)
{
#ifdef __SSE2__
	const __m128i comma = _mm_set1_epi8(','), lf = _mm_set1_epi8('\n');
	const __m128i quote = _mm_set1_epi8('"'), cr = _mm_set1_epi8('\r');
	while (n - i >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		__m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, comma), _mm_cmpeq_epi8(v, lf)),
		                         _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, cr)));
		unsigned bits = (unsigned)_mm_movemask_epi8(m);
		if (bits)
			return i + (size_t)__builtin_ctz(bits);
		i += 16;
	}
#endif
	for (; i < n; i++)
		if (s[i] == ',' || s[i] == '\n' || s[i] == '"' || s[i] == '\r')
			return i;
	return n;
}

static int is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

int his_split_line(struct his_split *r, const char *s, size_t pos, size_t n, size_t *nspan, size_t *eol)
{
	size_t nf = 0, i = pos;
	for (;;) {
		if (nf == r->ncap) {
			size_t cap = r->ncap ? r->ncap * 2 : 64;
			struct his_fspan *nv = realloc(r->spans, cap * sizeof *nv);
			if (!nv)
				return -2;
			r->spans = nv;
			r->ncap = cap;
		}
		struct his_fspan *f = &r->spans[nf++];
		while (i < n && is_blank(s[i]))
			i++;
		size_t k;
		if (i < n && s[i] == '"') {
			/* quoted: to the closing quote, "" inside */
			f->a = i + 1;
			f->esc = 0;
			k = i + 1;
			for (;;) {
				k = next_special(s, k, n);
				if (k >= n)
					return -1;
				if (s[k] == ',') {
					k++;
					continue;
				}
				if (s[k] != '"')
					return 0; /* a line break or CR inside: libcsv's */
				if (k + 1 < n && s[k + 1] == '"') {
					f->esc = 1;
					k += 2;
					continue;
				}
				break;
			}
			f->b = k++;
			while (k < n && is_blank(s[k]))
				k++;
			if (k >= n)
				return -1;
			if (s[k] != ',' && s[k] != '\n')
				return 0; /* text after the closing quote: libcsv's error */
		} else {
			k = next_special(s, i, n);
			if (k >= n)
				return -1;
			if (s[k] == '"' || s[k] == '\r')
				return 0;
			f->a = i;
			f->b = k;
			f->esc = 0;
			while (f->b > f->a && is_blank(s[f->b - 1]))
				f->b--;
			if (nf == 1 && f->a == f->b && s[k] == '\n') {
				/* nothing but spaces: libcsv reports a record without fields */
				*eol = k;
				*nspan = 0;
				return 1;
			}
		}
		if (s[k] == '\n') {
			*eol = k;
			*nspan = nf;
			return 1;
		}
		i = k + 1;
	}
}
