/*
 * utf8.h - strict UTF-8 validation of a chunk of a stream, fast.
 */
#ifndef BULU_UTF8_H
#define BULU_UTF8_H

#include <stddef.h>

/*
 * Check s[0..n), which starts at a character boundary.  Returns 0 when it
 * is valid UTF-8, except perhaps for an incomplete character at its end
 * when !eof: *ok is then where that character starts (else n).  Returns -1
 * with *ok = offset of the first invalid byte (no overlongs, no surrogates,
 * nothing above U+10FFFF), or -2 with *ok = offset of a NUL byte (valid
 * UTF-8, but no text holds one).  Either way *ok is the first offset at
 * which the bytes stop being a valid, NUL-free prefix.
 *
 * On x86-64 CPUs with SSSE3 the bulk is checked 16 bytes at a time (the
 * lookup algorithm of Keiser and Lemire, "Validating UTF-8 in less than one
 * instruction per byte", 2021); where it finds a fault, and for the last
 * few bytes, the byte-by-byte check says exactly where.  The result is the
 * same either way (tests/unit/test_utf8.c).
 */
int utf8_check(const unsigned char *s, size_t n, int eof, size_t *ok);

/* The byte-by-byte check alone (the reference, for tests). */
int utf8_check_scalar(const unsigned char *s, size_t n, int eof, size_t *ok);

#endif
