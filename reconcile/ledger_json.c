/*
 * ledger_json.c - the fields of a ledger entry's body (see ledger_json.h).
 *
 * The fast path accepts a strict subset of JSON: an object, JSON's four
 * white-space bytes, strings whose bytes are all >= 0x20 and whose escapes
 * are the one-letter ones (\" \\ \/ \b \f \n \r \t), integers of at most 15
 * digits without leading zeros (exact in a double, so cJSON's
 * (int64_t)valuedouble is the same number), true, false, null, nesting at
 * most 32 deep, keys without escapes, and nothing after the object but
 * white space.  cJSON accepts all of that and reads it the same way; for a
 * duplicate key both take the first.  Anything else (a \u escape, a
 * fraction, a line that is not an object, ...) goes to cJSON, which decides:
 * that keeps the result, and the refusal of a body, exactly what cJSON
 * alone gave, which is how ledger_load.c read bodies before.
 *
 * Why: cJSON allocates every key, value and node (about 60 allocations a
 * three-line body); with 100,000 bodies that was most of loading a ledger.
 */
#include "ledger_json.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#define MAX_DEPTH 32

struct sc {
	const char *p, *end;
	char *arena;
	size_t alen;
	int depth;
};

static const char *const top_keys[LJ_NTOP] = {
	"patient_id", "patient_name", "dept", "invoice_no", "request_no", "occurred_at",
	"ref", "fee", "card_no", "total", "outside_episode_reason", "ref_station", "exchange",
	"discharge"};
static const char *const line_keys[LJL_N] = {"line", "code", "name", "qty", "amount"};

static void ws(struct sc *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

/* A key at c->p ('"'): its span, no escapes.  0 or -1. */
static int key(struct sc *c, const char **k, size_t *n)
{
	const char *s = c->p + 1, *q = s;
	while (q < c->end && *q != '"') {
		if ((unsigned char)*q < 0x20 || *q == '\\')
			return -1;
		q++;
	}
	if (q >= c->end)
		return -1;
	*k = s;
	*n = (size_t)(q - s);
	c->p = q + 1;
	return 0;
}

/* A string at c->p ('"'); with out, unescaped into the arena. */
static int str(struct sc *c, const char **out)
{
	const char *q = c->p + 1;
	char *d = out ? c->arena + c->alen : NULL;
	size_t k = 0;
	for (;;) {
		if (q >= c->end)
			return -1;
		unsigned char ch = (unsigned char)*q;
		if (ch == '"')
			break;
		if (ch < 0x20)
			return -1;
		if (ch == '\\') {
			if (q + 1 >= c->end)
				return -1;
			switch (q[1]) {
			case '"': ch = '"'; break;
			case '\\': ch = '\\'; break;
			case '/': ch = '/'; break;
			case 'b': ch = '\b'; break;
			case 'f': ch = '\f'; break;
			case 'n': ch = '\n'; break;
			case 'r': ch = '\r'; break;
			case 't': ch = '\t'; break;
			default: return -1; /* \u: cJSON's */
			}
			q++;
		}
		if (d)
			d[k] = (char)ch;
		k++;
		q++;
	}
	if (d) {
		d[k] = '\0';
		*out = d;
		c->alen += k + 1;
	}
	c->p = q + 1;
	return 0;
}

static int is_numch(char ch)
{
	return (ch >= '0' && ch <= '9') || ch == '.' || ch == 'e' || ch == 'E' || ch == '+' || ch == '-';
}

/* An integer of at most 15 digits. */
static int num(struct sc *c, int64_t *v)
{
	const char *q = c->p;
	int neg = 0;
	if (q < c->end && *q == '-')
		neg = 1, q++;
	const char *d = q;
	int64_t x = 0;
	while (q < c->end && *q >= '0' && *q <= '9' && q - d < 16)
		x = x * 10 + (*q++ - '0');
	size_t nd = (size_t)(q - d);
	if (nd == 0 || nd > 15 || (nd > 1 && *d == '0') || (q < c->end && is_numch(*q)))
		return -1;
	*v = neg ? -x : x;
	c->p = q;
	return 0;
}

static int value(struct sc *c, struct lj_val *out);

/* After a member of an object or array: 1 at a ',' (skipped, the next
 * member follows), 0 at its close (skipped, the container ends), -1 else. */
static int after_member(struct sc *c, char close)
{
	ws(c);
	if (c->p >= c->end)
		return -1;
	if (*c->p == close) {
		c->p++;
		c->depth--;
		return 0;
	}
	if (*c->p != ',')
		return -1;
	c->p++;
	ws(c);
	return 1;
}

/* An object or array at c->p, its members read and forgotten. */
static int container(struct sc *c)
{
	char close = *c->p == '{' ? '}' : ']';
	int obj = close == '}';
	if (++c->depth > MAX_DEPTH)
		return -1;
	c->p++;
	ws(c);
	if (c->p < c->end && *c->p == close) {
		c->p++;
		c->depth--;
		return 0;
	}
	for (;;) {
		if (obj) {
			const char *k;
			size_t kn;
			if (c->p >= c->end || *c->p != '"' || key(c, &k, &kn) != 0)
				return -1;
			ws(c);
			if (c->p >= c->end || *c->p != ':')
				return -1;
			c->p++;
			ws(c);
		}
		if (value(c, NULL) != 0)
			return -1;
		int more = after_member(c, close);
		if (more <= 0)
			return more;
	}
}

/* Any value at c->p; with out, what it is (and a string's or number's value). */
static int value(struct sc *c, struct lj_val *out)
{
	if (c->p >= c->end)
		return -1;
	char ch = *c->p;
	size_t left = (size_t)(c->end - c->p);
	if (ch == '"') {
		if (out)
			out->type = LJ_STR;
		return str(c, out ? &out->s : NULL);
	}
	if (ch == '-' || (ch >= '0' && ch <= '9')) {
		int64_t v;
		if (num(c, &v) != 0)
			return -1;
		if (out) {
			out->type = LJ_NUM;
			out->num = v;
		}
		return 0;
	}
	if (out)
		out->type = LJ_OTHER;
	if (ch == '{' || ch == '[')
		return container(c);
	if (left >= 4 && (memcmp(c->p, "true", 4) == 0 || memcmp(c->p, "null", 4) == 0)) {
		c->p += 4;
		return 0;
	}
	if (left >= 5 && memcmp(c->p, "false", 5) == 0) {
		c->p += 5;
		return 0;
	}
	return -1;
}

static int find_key(const char *const *keys, int n, const char *k, size_t kn)
{
	for (int i = 0; i < n; i++)
		if (strlen(keys[i]) == kn && memcmp(keys[i], k, kn) == 0)
			return i;
	return -1;
}

/* The members of an object at c->p whose keys are in keys[0..n): the first
 * of each into vals; with lines_out, the "lines" array too. */
static int object(struct sc *c, const char *const *keys, int n, struct lj_val *vals, struct lj_body *b)
{
	int lines_seen = 0;
	if (c->p >= c->end || *c->p != '{' || ++c->depth > MAX_DEPTH)
		return -1;
	c->p++;
	ws(c);
	if (c->p < c->end && *c->p == '}') {
		c->p++;
		c->depth--;
		return 0;
	}
	for (;;) {
		const char *k;
		size_t kn;
		if (c->p >= c->end || *c->p != '"' || key(c, &k, &kn) != 0)
			return -1;
		ws(c);
		if (c->p >= c->end || *c->p != ':')
			return -1;
		c->p++;
		ws(c);
		int i = find_key(keys, n, k, kn);
		if (i >= 0 && vals[i].type == LJ_NONE) {
			if (value(c, &vals[i]) != 0)
				return -1;
		} else if (b && !lines_seen && kn == 5 && memcmp(k, "lines", 5) == 0) {
			lines_seen = 1;
			if (c->p < c->end && *c->p == '[') {
				/* the lines: each one an object, else cJSON's */
				if (++c->depth > MAX_DEPTH)
					return -1;
				c->p++;
				ws(c);
				if (c->p < c->end && *c->p == ']') {
					c->p++;
				} else {
					for (;;) {
						if (b->nlines == b->lcap) {
							size_t cap = b->lcap ? b->lcap * 2 : 16;
							void *nl = realloc(b->lines, cap * sizeof *b->lines);
							if (!nl)
								return -2;
							b->lines = nl;
							b->lcap = cap;
						}
						struct lj_val *lv = b->lines[b->nlines++];
						memset(lv, 0, LJL_N * sizeof *lv);
						int rc = object(c, line_keys, LJL_N, lv, NULL);
						if (rc != 0)
							return rc;
						ws(c);
						if (c->p < c->end && *c->p == ',') {
							c->p++;
							ws(c);
							continue;
						}
						if (c->p < c->end && *c->p == ']') {
							c->p++;
							break;
						}
						return -1;
					}
				}
				c->depth--;
			} else if (value(c, NULL) != 0) {
				return -1;
			}
		} else if (value(c, NULL) != 0) {
			return -1;
		}
		int more = after_member(c, '}');
		if (more <= 0)
			return more;
	}
}

static void cj_val(const cJSON *v, struct lj_val *out)
{
	memset(out, 0, sizeof *out);
	if (!v)
		return;
	if (cJSON_IsString(v) && v->valuestring) {
		out->type = LJ_STR;
		out->s = v->valuestring;
	} else if (cJSON_IsNumber(v)) {
		/* beyond 15 digits a number comes here, as a double: held at the
		 * int64 bounds (2^63 is not an int64), never converted out of range */
		double d = v->valuedouble;
		out->type = LJ_NUM;
		out->num = d != d ? 0 : d >= 9223372036854775807.0 ? INT64_MAX
			: d <= -9223372036854775808.0 ? INT64_MIN : (int64_t)d;
	} else {
		out->type = LJ_OTHER;
	}
}

/* The same fields through cJSON, as ledger_load.c read them before. */
static int slow(struct lj_body *b, const char *s, size_t n)
{
	cJSON *body = cJSON_ParseWithLength(s, n);
	b->cj = body;
	b->nlines = 0;
	if (!cJSON_IsObject(body))
		return -1;
	for (int i = 0; i < LJ_NTOP; i++)
		cj_val(cJSON_GetObjectItemCaseSensitive(body, top_keys[i]), &b->top[i]);
	const cJSON *lines = cJSON_GetObjectItemCaseSensitive(body, "lines"), *l;
	if (!cJSON_IsArray(lines) || cJSON_GetArraySize(lines) <= 0)
		return 0;
	cJSON_ArrayForEach(l, lines) {
		if (b->nlines == b->lcap) {
			size_t cap = b->lcap ? b->lcap * 2 : 16;
			void *nl = realloc(b->lines, cap * sizeof *b->lines);
			if (!nl)
				return -2;
			b->lines = nl;
			b->lcap = cap;
		}
		struct lj_val *lv = b->lines[b->nlines++];
		for (int i = 0; i < LJL_N; i++)
			cj_val(cJSON_GetObjectItemCaseSensitive(l, line_keys[i]), &lv[i]);
	}
	return 0;
}

int lj_parse(struct lj_body *b, const char *s, size_t n)
{
	cJSON_Delete(b->cj);
	b->cj = NULL;
	memset(b->top, 0, sizeof b->top);
	b->nlines = 0;
	if (b->acap < n + 1) {
		size_t cap = b->acap ? b->acap : 4096;
		while (cap < n + 1)
			cap *= 2;
		char *na = realloc(b->arena, cap);
		if (!na)
			return -2;
		b->arena = na;
		b->acap = cap;
	}
	struct sc c = {s, s + n, b->arena, 0, 0};
	ws(&c);
	int rc = object(&c, top_keys, LJ_NTOP, b->top, b);
	if (rc == -2)
		return -2;
	if (rc == 0) {
		ws(&c);
		if (c.p == c.end)
			return 0;
	}
	memset(b->top, 0, sizeof b->top);
	return slow(b, s, n);
}

void lj_free(struct lj_body *b)
{
	cJSON_Delete(b->cj);
	free(b->lines);
	free(b->arena);
	memset(b, 0, sizeof *b);
}
