/*
 * json.c - the canonical JSON writer behind every journal entry body.
 *
 * Invariants: what jw_finish hands out is one complete JSON value with no
 * white space, object keys in strictly ascending byte order (memcmp order,
 * a prefix before its extensions; duplicates are refused), integers only,
 * and strings in UTF-8 with exactly the RFC 8785 escapes (\" \\ \b \f \n \r
 * \t, other bytes below 0x20 as \u00xx in lower-case hex, everything else -
 * DEL, U+2028, CJK - raw).  Note RFC 8785 proper sorts keys by UTF-16 code
 * units; bulu's journal format says byte order, which is the same for every
 * key below U+E000 (all bulu keys are ASCII).
 *
 * Misuse (keys out of order, a key outside an object, a value without its
 * key, unbalanced ends) fails an assert(); with NDEBUG it sets err = -2
 * instead, so a non-canonical body can never come out of jw_finish.  Once
 * err is set every call is a no-op.
 *
 * Bookkeeping without extra fields: depth counts open containers (0 = top
 * level), first[d] says nothing was written yet in container d, and an
 * array (or the top level) is marked by lastkey[d] == NULL with
 * lastkeylen[d] == SIZE_MAX; an object has lastkeylen[d] != SIZE_MAX.
 * Whether a key is waiting for its value is read off the last byte written
 * (':' ends nothing but a key).  jw_str(w, NULL) writes null.
 */
#include <assert.h>
#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include "bulu/json.h"
#include "bulu/text.h"

#define ARRAY_MARK SIZE_MAX

static int misuse(jw *w)
{
	w->err = -2;
	return -1;
}

#define CHECK(w, cond) \
	do { \
		assert(cond); \
		if (!(cond)) \
			return misuse(w); \
	} while (0)

void jw_init(jw *w)
{
	memset(w, 0, sizeof *w);
	w->first[0] = 1;
	w->lastkeylen[0] = ARRAY_MARK;
}

void jw_free(jw *w)
{
	buf_free(&w->out);
	w->depth = 0;
}

static int in_object(const jw *w)
{
	return w->depth > 0 && w->lastkeylen[w->depth] != ARRAY_MARK;
}

static char last_byte(const jw *w)
{
	return w->out.len ? w->out.p[w->out.len - 1] : '\0';
}

/* Separator bookkeeping before any value; -1 when nothing may be written. */
static int before_value(jw *w)
{
	if (w->err)
		return -1;
	int d = w->depth;
	if (in_object(w)) {
		CHECK(w, last_byte(w) == ':');
	} else {
		CHECK(w, d > 0 || w->first[0]); /* one value at the top level */
		if (!w->first[d])
			buf_putc(&w->out, ',');
	}
	w->first[d] = 0;
	return 0;
}

static void after(jw *w)
{
	if (w->out.oom && !w->err)
		w->err = -2;
}

static void open_container(jw *w, char c, int is_array)
{
	if (before_value(w) != 0)
		return;
	if (w->depth + 1 >= JW_MAXDEPTH) {
		w->err = -2;
		return;
	}
	int d = ++w->depth;
	w->first[d] = 1;
	w->lastkey[d] = NULL;
	w->lastkeylen[d] = is_array ? ARRAY_MARK : 0;
	buf_putc(&w->out, c);
	after(w);
}

static int close_container(jw *w, char c, int is_array)
{
	if (w->err)
		return -1;
	CHECK(w, w->depth > 0);
	CHECK(w, in_object(w) == !is_array);
	CHECK(w, last_byte(w) != ':');
	buf_putc(&w->out, c);
	w->depth--;
	after(w);
	return 0;
}

void jw_obj_begin(jw *w) { open_container(w, '{', 0); }
void jw_arr_begin(jw *w) { open_container(w, '[', 1); }
void jw_obj_end(jw *w) { close_container(w, '}', 0); }
void jw_arr_end(jw *w) { close_container(w, ']', 1); }

static int key_impl(jw *w, const char *k)
{
	if (w->err)
		return -1;
	CHECK(w, k != NULL);
	CHECK(w, in_object(w));
	CHECK(w, last_byte(w) != ':');
	int d = w->depth;
	size_t kn = strlen(k);
	if (w->lastkey[d]) {
		size_t pn = w->lastkeylen[d];
		int c = memcmp(w->lastkey[d], k, pn < kn ? pn : kn);
		CHECK(w, c < 0 || (c == 0 && pn < kn)); /* ascending, no duplicates */
	}
	if (!w->first[d])
		buf_putc(&w->out, ',');
	w->first[d] = 0;
	if (json_quote(&w->out, k, kn) != 0) {
		w->err = -1;
		return -1;
	}
	buf_putc(&w->out, ':');
	w->lastkey[d] = k;
	w->lastkeylen[d] = kn;
	after(w);
	return w->err ? -1 : 0;
}

void jw_key(jw *w, const char *k)
{
	key_impl(w, k);
}

void jw_strn(jw *w, const char *s, size_t n)
{
	if (before_value(w) != 0)
		return;
	if (!s) {
		buf_puts(&w->out, "null");
	} else if (json_quote(&w->out, s, n) != 0) {
		w->err = -1;
		return;
	}
	after(w);
}

void jw_str(jw *w, const char *s)
{
	jw_strn(w, s, s ? strlen(s) : 0);
}

void jw_int(jw *w, int64_t v)
{
	if (before_value(w) != 0)
		return;
	buf_printf(&w->out, "%" PRId64, v);
	after(w);
}

void jw_bool(jw *w, int v)
{
	if (before_value(w) != 0)
		return;
	buf_puts(&w->out, v ? "true" : "false");
	after(w);
}

void jw_null(jw *w)
{
	if (before_value(w) != 0)
		return;
	buf_puts(&w->out, "null");
	after(w);
}

void jw_kstr(jw *w, const char *k, const char *s)
{
	if (key_impl(w, k) == 0)
		jw_str(w, s);
}

void jw_kstr_opt(jw *w, const char *k, const char *s)
{
	if (s && *s)
		jw_kstr(w, k, s);
}

void jw_kint(jw *w, const char *k, int64_t v)
{
	if (key_impl(w, k) == 0)
		jw_int(w, v);
}

void jw_kbool(jw *w, const char *k, int v)
{
	if (key_impl(w, k) == 0)
		jw_bool(w, v);
}

int jw_finish(jw *w, const char **text, size_t *len)
{
	if (w->err || w->out.oom || w->depth != 0 || w->first[0] || !w->out.p)
		return -1;
	if (text)
		*text = w->out.p;
	if (len)
		*len = w->out.len;
	return 0;
}

int json_quote(buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	if (n && !s)
		return -1;
	if (!text_is_utf8(s, n))
		return -1;
	buf_putc(b, '"');
	size_t run = 0; /* start of the pending stretch of raw bytes */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = u[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		buf_put(b, s + run, i - run);
		run = i + 1;
		char esc[7] = {'\\', 0, 0, 0, 0, 0, 0};
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			esc[1] = 'u', esc[2] = '0', esc[3] = '0';
			esc[4] = hex[c >> 4], esc[5] = hex[c & 15];
			break;
		}
		buf_puts(b, esc);
	}
	buf_put(b, s + run, n - run);
	buf_putc(b, '"');
	return 0;
}
