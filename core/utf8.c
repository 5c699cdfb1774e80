/*
 * utf8.c - strict UTF-8 validation (see utf8.h).
 *
 * The byte-by-byte check is the reference and says where a fault is; the
 * vector check only answers "is this whole stretch valid and free of NUL
 * bytes", which is what a well-formed export needs to be told, at a small
 * fraction of the cost (reading a large HIS export spent about 8 % of its
 * time here before).
 */
#include <stdint.h>
#include <string.h>
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define UTF8_VECTOR 1
#include <immintrin.h>
#endif

#include "bulu/utf8.h"

#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull
#define HAS_ZERO(w) (((w) - ONES) & ~(w) & HIGHS)

int utf8_check_scalar(const unsigned char *s, size_t n, int eof, size_t *ok)
{
	size_t i = 0;
	while (i < n) {
		if (n - i >= 16) {
			uint64_t w, v;
			memcpy(&w, s + i, 8);
			memcpy(&v, s + i + 8, 8);
			if (((w | v) & HIGHS) == 0 && !HAS_ZERO(w) && !HAS_ZERO(v)) {
				i += 16;
				continue;
			}
		}
		unsigned char c = s[i];
		if (c < 0x80) {
			if (c == 0) {
				*ok = i;
				return -2;
			}
			i++;
			continue;
		}
		/* the common case of CJK text: a three-byte character that needs
		 * none of the range checks below (E0 and ED do) */
		if (c >= 0xe1 && c != 0xed && c <= 0xef && n - i >= 3 && (s[i + 1] & 0xc0) == 0x80 &&
		    (s[i + 2] & 0xc0) == 0x80) {
			i += 3;
			continue;
		}
		size_t k;
		unsigned char lo = 0x80, hi = 0xbf;
		if (c >= 0xc2 && c <= 0xdf) {
			k = 2;
		} else if (c >= 0xe0 && c <= 0xef) {
			k = 3;
			if (c == 0xe0)
				lo = 0xa0;
			else if (c == 0xed)
				hi = 0x9f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			k = 4;
			if (c == 0xf0)
				lo = 0x90;
			else if (c == 0xf4)
				hi = 0x8f;
		} else {
			*ok = i;
			return -1;
		}
		size_t have = n - i < k ? n - i : k;
		for (size_t j = 1; j < have; j++) {
			unsigned char d = s[i + j];
			if (j == 1 ? (d < lo || d > hi) : (d & 0xc0) != 0x80) {
				*ok = i;
				return -1;
			}
		}
		if (have < k) {
			*ok = i;
			return eof ? -1 : 0;
		}
		i += k;
	}
	*ok = n;
	return 0;
}

#ifdef UTF8_VECTOR
/*
 * Keiser and Lemire's lookup check: each byte is classified by three table
 * look-ups (the high nibble of the byte before it, its low nibble, and the
 * byte's own high nibble), whose AND is the set of faults the pair shows;
 * third and fourth bytes of a sequence are told apart from stray
 * continuation bytes by looking two and three bytes back.  The tables are
 * those of simdjson (utf8_lookup4_algorithm.h).
 */
enum {
	TOO_SHORT = 1 << 0,  /* a lead byte, then no continuation */
	TOO_LONG = 1 << 1,   /* ASCII, then a continuation */
	OVERLONG_3 = 1 << 2, /* E0 80..9F */
	TOO_LARGE = 1 << 3,  /* F4 90..BF, F5.. */
	SURROGATE = 1 << 4,  /* ED A0..BF */
	OVERLONG_2 = 1 << 5, /* C0, C1 */
	TOO_LARGE_1000 = 1 << 6,
	OVERLONG_4 = 1 << 6, /* F0 80..8F */
	TWO_CONTS = 1 << 7,  /* two continuations: fine only as a 3rd or 4th byte */
	CARRY = TOO_SHORT | TOO_LONG | TWO_CONTS,
};

#define T16(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p)                                        \
	_mm_setr_epi8((char)(a), (char)(b), (char)(c), (char)(d), (char)(e), (char)(f), (char)(g),  \
		      (char)(h), (char)(i), (char)(j), (char)(k), (char)(l), (char)(m), (char)(n),  \
		      (char)(o), (char)(p))

/* 1 when s[0..n) (n a multiple of 16) is valid UTF-8 with no NUL byte, as
 * far as its bytes go: a sequence cut by its end is not judged. */
__attribute__((target("ssse3"))) static int vector_ok(const unsigned char *s, size_t n)
{
	const __m128i hi1 = T16(TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG,
				TOO_LONG, TWO_CONTS, TWO_CONTS, TWO_CONTS, TWO_CONTS,
				TOO_SHORT | OVERLONG_2, TOO_SHORT, TOO_SHORT | OVERLONG_3 | SURROGATE,
				TOO_SHORT | TOO_LARGE | TOO_LARGE_1000 | OVERLONG_4);
	const __m128i lo1 = T16(CARRY | OVERLONG_3 | OVERLONG_2 | OVERLONG_4, CARRY | OVERLONG_2, CARRY,
				CARRY, CARRY | TOO_LARGE, CARRY | TOO_LARGE | TOO_LARGE_1000,
				CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000,
				CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000,
				CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000,
				CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000 | SURROGATE,
				CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000);
	const __m128i hi2 = T16(TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT,
				TOO_SHORT,
				TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE_1000 | OVERLONG_4,
				TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE,
				TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE,
				TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE, TOO_SHORT, TOO_SHORT,
				TOO_SHORT, TOO_SHORT);
	const __m128i nib = _mm_set1_epi8(0x0f);
	const __m128i zero = _mm_setzero_si128();
	__m128i prev = zero, err = zero;
	for (size_t i = 0; i < n; i += 16) {
		__m128i in = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		__m128i nul = _mm_cmpeq_epi8(in, zero);
		if (_mm_movemask_epi8(_mm_or_si128(in, nul)) == 0) {
			/* ASCII, no NUL: only a sequence the previous block
			 * left unfinished can be wrong here (a lead byte one,
			 * two or three bytes back that wants more) */
			__m128i p1 = _mm_alignr_epi8(in, prev, 15);
			__m128i lead = _mm_subs_epu8(p1, _mm_set1_epi8((char)(0xc0 - 0x80)));
			__m128i p2 = _mm_alignr_epi8(in, prev, 14);
			__m128i p3 = _mm_alignr_epi8(in, prev, 13);
			__m128i l3 = _mm_subs_epu8(p2, _mm_set1_epi8((char)(0xe0 - 0x80)));
			__m128i l4 = _mm_subs_epu8(p3, _mm_set1_epi8((char)(0xf0 - 0x80)));
			__m128i cut = _mm_or_si128(lead, _mm_or_si128(l3, l4));
			err = _mm_or_si128(err, _mm_and_si128(cut, _mm_set1_epi8((char)0x80)));
			prev = in;
			continue;
		}
		__m128i p1 = _mm_alignr_epi8(in, prev, 15);
		__m128i b1h = _mm_shuffle_epi8(hi1, _mm_and_si128(_mm_srli_epi16(p1, 4), nib));
		__m128i b1l = _mm_shuffle_epi8(lo1, _mm_and_si128(p1, nib));
		__m128i b2h = _mm_shuffle_epi8(hi2, _mm_and_si128(_mm_srli_epi16(in, 4), nib));
		__m128i sc = _mm_and_si128(_mm_and_si128(b1h, b1l), b2h);
		__m128i p2 = _mm_alignr_epi8(in, prev, 14);
		__m128i p3 = _mm_alignr_epi8(in, prev, 13);
		__m128i third = _mm_subs_epu8(p2, _mm_set1_epi8((char)(0xe0 - 0x80)));
		__m128i fourth = _mm_subs_epu8(p3, _mm_set1_epi8((char)(0xf0 - 0x80)));
		__m128i must23 = _mm_and_si128(_mm_or_si128(third, fourth), _mm_set1_epi8((char)0x80));
		err = _mm_or_si128(err, _mm_or_si128(_mm_xor_si128(must23, sc), nul));
		prev = in;
	}
	return _mm_movemask_epi8(_mm_cmpeq_epi8(err, zero)) == 0xffff;
}

static int have_ssse3(void)
{
	static int known = -1; /* a benign race: every thread computes the same */
	if (known < 0) {
		__builtin_cpu_init();
		known = __builtin_cpu_supports("ssse3") ? 1 : 0;
	}
	return known;
}
#endif

int utf8_check(const unsigned char *s, size_t n, int eof, size_t *ok)
{
#ifdef UTF8_VECTOR
	size_t m = n & ~(size_t)15;
	if (m >= 64 && have_ssse3()) {
		if (!vector_ok(s, m))
			return utf8_check_scalar(s, n, eof, ok); /* it says where */
		/* valid up to m, but a sequence may straddle m: go on from its
		 * lead byte (a valid prefix ends at a boundary before it) */
		size_t from = m;
		for (size_t k = 1; k <= 3; k++)
			if (s[m - k] >= 0xc0) {
				from = m - k;
				break;
			} else if (s[m - k] < 0x80) {
				break;
			}
		int rc = utf8_check_scalar(s + from, n - from, eof, ok);
		*ok += from;
		return rc;
	}
#endif
	return utf8_check_scalar(s, n, eof, ok);
}
