/*
 * text.c - UTF-8 inside, UTF-8 or GB18030 at the edges.
 *
 * Invariants: everything text_decode hands out is valid UTF-8 (checked, also
 * after iconv), NUL-terminated, without a leading BOM, and malloc'd for the
 * caller.  Nothing here depends on the process locale: UTF-8 is decoded by
 * hand and display widths come from a fixed table of East Asian wide ranges
 * (so `bulu` prints the same columns under LANG=C as under zh_CN.UTF-8).
 * Error messages name the input and a byte offset, never its content
 * (text_decode_at also hands the offsets out, so that csvfile.c can name
 * the row and column instead).
 *
 * Choices the header leaves open:
 *  - Offsets in messages count bytes of the input as given (a BOM included).
 *  - TEXT_AUTO: a UTF-8 BOM means UTF-8 (then invalid bytes are an error);
 *    otherwise valid UTF-8 is taken as UTF-8, and anything else is tried as
 *    GB18030.  TEXT_GB18030 converts the bytes as they are; a leading U+FEFF
 *    in the result (GB18030's own BOM, 84 31 95 33) is dropped.
 *  - text_slurp treats its path literally ("-" is a file named "-").
 *  - text_width counts an invalid byte as one column, C0/C1 controls and
 *    common combining/zero-width marks as zero.
 */
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulu/text.h"

/* Decode one UTF-8 sequence at s[0..n).  Returns its length (1-4) and sets
 * *cp, or 0 if the bytes there are not a valid, complete, shortest-form
 * sequence of a scalar value. */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t len;
	uint32_t v, min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xc2 && c <= 0xdf) {
		len = 2, v = c & 0x1f, min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3, v = c & 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4, v = c & 0x07, min = 0x10000;
	} else {
		return 0; /* continuation byte, C0/C1 overlong lead, F5..FF */
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

/* Offset of the first invalid byte of s[0..n), or n when all is valid. */
static size_t utf8_bad_at(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	uint32_t cp;
	while (i < n) {
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		size_t k = utf8_next(u + i, n - i, &cp);
		if (k == 0)
			return i;
		i += k;
	}
	return n;
}

int text_is_utf8(const char *s, size_t n)
{
	return utf8_bad_at(s, n) == n;
}

static int ascii_lc(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

static int eq_nocase(const char *a, const char *b)
{
	while (*a && *b && ascii_lc((unsigned char)*a) == ascii_lc((unsigned char)*b))
		a++, b++;
	return *a == '\0' && *b == '\0';
}

int text_enc_parse(const char *name, enum text_enc *out)
{
	static const struct { const char *name; enum text_enc enc; } tab[] = {
		{"auto", TEXT_AUTO}, {"utf-8", TEXT_UTF8}, {"utf8", TEXT_UTF8},
		{"gb18030", TEXT_GB18030}, {"gbk", TEXT_GB18030},
		{"gb2312", TEXT_GB18030},
	};
	if (!name)
		return -1;
	for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++) {
		if (eq_nocase(name, tab[i].name)) {
			*out = tab[i].enc;
			return 0;
		}
	}
	return -1;
}

const char *text_enc_name(enum text_enc enc)
{
	switch (enc) {
	case TEXT_UTF8:
		return "utf-8";
	case TEXT_GB18030:
		return "gb18030";
	case TEXT_AUTO:
	default:
		return "auto";
	}
}

static int copy_out(const char *what, const char *s, size_t n, char **out,
                    size_t *outlen, bulu_err *e)
{
	char *p = malloc(n + 1);
	if (!p)
		return bulu_errf(e, BULU_SYSTEM, "%s: out of memory", what);
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	*out = p;
	*outlen = n;
	return BULU_OK;
}

/* GB18030 -> UTF-8 with iconv.  Returns 0 and a malloc'd result, -1 with
 * *bad = offset of the undecodable input, or -2 on a system failure. */
static int gb_to_utf8(const char *in, size_t n, char **out, size_t *outlen,
                      size_t *bad)
{
	iconv_t cd = iconv_open("UTF-8", "GB18030");
	if (cd == (iconv_t)-1)
		return -2;
	size_t cap = n * 2 + 16, used = 0;
	char *res = malloc(cap);
	if (!res) {
		iconv_close(cd);
		return -2;
	}
	char *ip = (char *)in;
	size_t ileft = n;
	int rc = 0;
	while (ileft > 0) {
		char *op = res + used;
		size_t oleft = cap - used - 1;
		size_t r = iconv(cd, &ip, &ileft, &op, &oleft);
		used = (size_t)(op - res);
		if (r != (size_t)-1)
			break;
		if (errno == E2BIG) {
			char *p = cap < SIZE_MAX / 2 ? realloc(res, cap * 2) : NULL;
			if (!p) {
				rc = -2;
				break;
			}
			res = p;
			cap *= 2;
			continue;
		}
		*bad = (size_t)(ip - in); /* EILSEQ, or EINVAL: truncated at end */
		rc = errno == EILSEQ || errno == EINVAL ? -1 : -2;
		break;
	}
	iconv_close(cd);
	if (rc != 0) {
		free(res);
		return rc;
	}
	res[used] = '\0';
	*out = res;
	*outlen = used;
	return 0;
}

int text_utf16(const char *in, size_t n)
{
	const unsigned char *u = (const unsigned char *)in;
	if (n >= 2 && ((u[0] == 0xff && u[1] == 0xfe) || (u[0] == 0xfe && u[1] == 0xff)))
		return 1;
	/* No BOM: NULs every other byte (ASCII text as UTF-16), nearly all on
	 * one side (a CJK character such as U+4E00 puts one on the other). */
	size_t m = n < 4096 ? n : 4096, z[2] = {0, 0};
	m -= m % 2;
	for (size_t i = 0; i < m; i++)
		if (u[i] == 0)
			z[i % 2]++;
	size_t pairs = m / 2;
	size_t hi = z[0] > z[1] ? z[0] : z[1], lo = z[0] > z[1] ? z[1] : z[0];
	return pairs >= 2 && hi >= 2 && hi * 8 >= pairs && lo * 8 <= hi;
}

int text_decode(const char *what, const char *in, size_t n, enum text_enc enc,
                char **out, size_t *outlen, enum text_enc *used, bulu_err *e)
{
	return text_decode_at(what, in, n, enc, out, outlen, used, NULL, NULL, e);
}

int text_decode_at(const char *what, const char *in, size_t n, enum text_enc enc,
                   char **out, size_t *outlen, enum text_enc *used,
                   size_t *bad_at, size_t *utf8_bad_at_, bulu_err *e)
{
	static const char bom[] = "\xef\xbb\xbf";
	int has_bom = n >= 3 && memcmp(in, bom, 3) == 0;
	size_t bad = utf8_bad_at(in, n);
	if (!what)
		what = "input";

	if (enc == TEXT_UTF8 || (enc == TEXT_AUTO && (has_bom || bad == n))) {
		if (bad != n && bad_at)
			*bad_at = bad, *utf8_bad_at_ = bad;
		if (bad != n && used)
			*used = TEXT_UTF8;
		if (bad != n)
			return bulu_errf(e, BULU_BADINPUT,
			                 "%s: byte %zu: not valid UTF-8", what, bad);
		size_t skip = has_bom ? 3 : 0;
		int rc = copy_out(what, in + skip, n - skip, out, outlen, e);
		if (rc == BULU_OK && used)
			*used = TEXT_UTF8;
		return rc;
	}

	char *res = NULL;
	size_t rlen = 0, gbad = 0;
	int rc = gb_to_utf8(in, n, &res, &rlen, &gbad);
	if (rc == -2)
		return bulu_errf(e, BULU_SYSTEM, "%s: cannot convert from GB18030: %s",
		                 what, strerror(errno));
	if (rc == -1) {
		if (bad_at)
			*bad_at = gbad, *utf8_bad_at_ = bad;
		if (used)
			*used = enc == TEXT_AUTO ? TEXT_AUTO : TEXT_GB18030;
		if (enc == TEXT_AUTO)
			return bulu_errf(e, BULU_BADINPUT,
			                 "%s: byte %zu: neither UTF-8 nor GB18030 "
			                 "(not UTF-8 from byte %zu)", what, gbad, bad);
		return bulu_errf(e, BULU_BADINPUT, "%s: byte %zu: not valid GB18030",
		                 what, gbad);
	}
	if (!text_is_utf8(res, rlen)) { /* should not happen with glibc */
		free(res);
		return bulu_errf(e, BULU_BADINPUT,
		                 "%s: GB18030 conversion gave invalid UTF-8", what);
	}
	if (rlen >= 3 && memcmp(res, bom, 3) == 0) {
		memmove(res, res + 3, rlen - 3 + 1);
		rlen -= 3;
	}
	*out = res;
	*outlen = rlen;
	if (used)
		*used = TEXT_GB18030;
	return BULU_OK;
}

int text_slurp(const char *path, char **out, size_t *outlen, bulu_err *e)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return bulu_errf(e, BULU_BADINPUT, "%s: %s", path, strerror(errno));
	size_t cap = 65536, len = 0;
	char *p = malloc(cap);
	int err = 0;
	while (p) {
		if (cap - len < 2) {
			char *q = cap < SIZE_MAX / 2 ? realloc(p, cap * 2) : NULL;
			if (!q) {
				free(p);
				p = NULL;
				break;
			}
			p = q;
			cap *= 2;
		}
		size_t r = fread(p + len, 1, cap - len - 1, f);
		len += r;
		if (r == 0) {
			if (ferror(f))
				err = errno ? errno : EIO;
			break;
		}
	}
	fclose(f);
	if (!p)
		return bulu_errf(e, BULU_SYSTEM, "%s: out of memory", path);
	if (err) {
		free(p);
		return bulu_errf(e, BULU_BADINPUT, "%s: %s", path, strerror(err));
	}
	p[len] = '\0';
	*out = p;
	*outlen = len;
	return BULU_OK;
}

/* Columns taken by one code point. */
static int cp_width(uint32_t c)
{
	static const uint32_t wide[][2] = {
		{0x1100, 0x115f}, {0x2e80, 0xa4cf}, {0xac00, 0xd7a3},
		{0xf900, 0xfaff}, {0xfe30, 0xfe4f}, {0xff00, 0xff60},
		{0xffe0, 0xffe6}, {0x1f300, 0x1f64f}, {0x1f900, 0x1f9ff},
		{0x20000, 0x3fffd},
	};
	static const uint32_t zero[][2] = {
		{0x0300, 0x036f}, {0x200b, 0x200f}, {0x20d0, 0x20ff},
		{0xfe00, 0xfe0f}, {0xfeff, 0xfeff},
	};
	if (c < 0x20 || (c >= 0x7f && c < 0xa0))
		return 0;
	for (size_t i = 0; i < sizeof zero / sizeof zero[0]; i++)
		if (c >= zero[i][0] && c <= zero[i][1])
			return 0;
	for (size_t i = 0; i < sizeof wide / sizeof wide[0]; i++)
		if (c >= wide[i][0] && c <= wide[i][1])
			return 2;
	return 1;
}

size_t text_width(const char *s)
{
	if (!s)
		return 0;
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, w = 0;
	while (i < n) {
		uint32_t cp;
		size_t k = utf8_next(u + i, n - i, &cp);
		if (k == 0) {
			w += 1;
			i += 1;
			continue;
		}
		w += (size_t)cp_width(cp);
		i += k;
	}
	return w;
}

void text_ascii_lower(char *s)
{
	if (!s)
		return;
	for (; *s; s++)
		*s = (char)ascii_lc((unsigned char)*s);
}

void text_halfwidth(char *s)
{
	if (!s)
		return;
	unsigned char *r = (unsigned char *)s, *w = (unsigned char *)s;
	while (*r) {
		/* U+FF01..U+FF5E: EF BC 81..EF BC BF, EF BD 80..EF BD 9E. */
		if (r[0] == 0xEF && (r[1] == 0xBC || r[1] == 0xBD) && r[2] >= 0x80 && r[2] <= 0xBF) {
			unsigned cp = 0xFF00u | ((unsigned)(r[1] & 0x03) << 6) | (r[2] & 0x3F);
			if (cp >= 0xFF01 && cp <= 0xFF5E) {
				*w++ = (unsigned char)(cp - 0xFF01 + 0x21);
				r += 3;
				continue;
			}
		}
		if (r[0] == 0xE3 && r[1] == 0x80 && r[2] == 0x80) { /* U+3000 ideographic space */
			*w++ = ' ';
			r += 3;
			continue;
		}
		*w++ = *r++;
	}
	*w = '\0';
}
