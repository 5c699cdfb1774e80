/*
 * json.h - writing canonical JSON, the form of every journal entry body.
 *
 * Canonical means (and docs/journal-format.md specifies): objects with keys
 * in ascending byte order, no white space, integers only (no floats: money is
 * fen), strings as UTF-8 with only the escapes RFC 8785 requires (\" \\ \b
 * \f \n \r \t, other controls as \u00xx lower-case).  The writer asserts key
 * order, so a body that is written is canonical by construction.
 *
 * Errors (invalid UTF-8 in a string, out of memory) stick in jw->err and are
 * checked once with jw_finish().  Misuse (keys out of order or repeated,
 * unbalanced ends) fails an assert(), or sets err = -2 under NDEBUG.
 * jw_str(w, NULL) writes null.
 */
#ifndef BULU_JSON_H
#define BULU_JSON_H

#include <stdint.h>
#include "bulu/buf.h"

#define JW_MAXDEPTH 16

typedef struct jw {
	buf out;
	int depth;
	int first[JW_MAXDEPTH];          /* nothing written yet at this depth */
	const char *lastkey[JW_MAXDEPTH]; /* previous key in this object (borrowed) */
	size_t lastkeylen[JW_MAXDEPTH];
	int err;                          /* 0 ok, -1 bad UTF-8, -2 oom/depth */
} jw;

void jw_init(jw *w);
void jw_free(jw *w);
void jw_obj_begin(jw *w);
void jw_obj_end(jw *w);
void jw_arr_begin(jw *w);
void jw_arr_end(jw *w);
/* Key inside an object; keys must come in ascending byte order (asserted).
 * The key string must outlive the enclosing object (use literals). */
void jw_key(jw *w, const char *k);
void jw_str(jw *w, const char *s);
void jw_strn(jw *w, const char *s, size_t n);
void jw_int(jw *w, int64_t v);
void jw_bool(jw *w, int v);
void jw_null(jw *w);
/* Shorthands: key + value; the _opt forms write nothing when s is NULL or "". */
void jw_kstr(jw *w, const char *k, const char *s);
void jw_kstr_opt(jw *w, const char *k, const char *s);
void jw_kint(jw *w, const char *k, int64_t v);
void jw_kbool(jw *w, const char *k, int v);
/* 0 and the text (owned by w) when all went well, else -1. */
int jw_finish(jw *w, const char **text, size_t *len);

/* Append s[0..n) to b as a JSON string literal with canonical escapes.
 * Returns 0, or -1 if s is not valid UTF-8. */
int json_quote(buf *b, const char *s, size_t n);

#endif
