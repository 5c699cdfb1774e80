/*
 * text.h - text is UTF-8 inside bulu; other encodings are accepted at the edges.
 *
 * text_decode turns the bytes of an input file into UTF-8: a UTF-8 BOM is
 * stripped; GB18030 (a superset of GBK and GB2312) is converted with iconv
 * when asked for, or, under TEXT_AUTO, when the bytes are not valid UTF-8.
 */
#ifndef BULU_TEXT_H
#define BULU_TEXT_H

#include <stddef.h>
#include "bulu/err.h"

enum text_enc { TEXT_AUTO = 0, TEXT_UTF8, TEXT_GB18030 };

/* 1 if s[0..n) is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
int text_is_utf8(const char *s, size_t n);

/* Parse "auto", "utf-8"/"utf8", "gb18030"/"gbk"/"gb2312" (any case).
 * Returns 0, or -1 for an unknown name. */
int text_enc_parse(const char *name, enum text_enc *out);
const char *text_enc_name(enum text_enc enc);

/*
 * Decode in[0..n) to UTF-8.  On success *out is a malloc'd, NUL-terminated
 * buffer of *outlen bytes (caller frees) and *used (if not NULL) says which
 * encoding was read.  `what` names the input (a file name) in messages.
 * Fails with BULU_BADINPUT naming the byte offset of undecodable input.
 */
int text_decode(const char *what, const char *in, size_t n, enum text_enc enc,
                char **out, size_t *outlen, enum text_enc *used, bulu_err *e);

/*
 * text_decode, and on BULU_BADINPUT from undecodable bytes: *bad_at = the
 * offset where decoding failed, *utf8_bad = the first byte that is not
 * UTF-8 (n when all was), and *used = TEXT_UTF8 (read as UTF-8),
 * TEXT_GB18030 (asked for) or TEXT_AUTO (tried as both).  Both offsets
 * are left alone on other failures.  bad_at and utf8_bad may be NULL together.
 */
int text_decode_at(const char *what, const char *in, size_t n, enum text_enc enc,
                   char **out, size_t *outlen, enum text_enc *used,
                   size_t *bad_at, size_t *utf8_bad, bulu_err *e);

/* 1 if in[0..n) looks like UTF-16: a BOM FF FE or FE FF, or (no BOM) NUL
 * bytes every other byte in its first 4 KiB: at least one pair in 8 has
 * one, and at least 8 times as many fall at even offsets as at odd ones,
 * or the other way round. */
int text_utf16(const char *in, size_t n);

/* Read a whole file into memory (malloc'd, NUL-terminated). Missing or
 * unreadable file: BULU_BADINPUT with the reason.  "-" is not special here
 * (csvfile_read handles stdin itself). */
int text_slurp(const char *path, char **out, size_t *outlen, bulu_err *e);

/* Display width in terminal columns of a UTF-8 string (CJK wide = 2). */
size_t text_width(const char *s);

/* Full-width ASCII forms (U+FF01..U+FF5E: ０-９, Ａ-Ｚ, ：, ．...) and the
 * ideographic space become their ASCII twins, in place: what a Chinese
 * keyboard types in a code, a quantity or a price reads as the plain form. */
void text_halfwidth(char *s);

/* Lower-case ASCII letters in place (pinyin codes are compared this way). */
void text_ascii_lower(char *s);

#endif
