/*
 * his_profile.c - loading HIS profiles: which header names, encoding, date
 * format, time zone and money unit one HIS's exports use.
 *
 * The format (docs/his-profiles.md) is INI-like UTF-8 text: a [profile]
 * section of settings, and one section per kind mapping bulu's canonical
 * fields to '|'-separated header spellings, which may override the settings
 * for that kind.  The default profile is schemas/his-default.profile,
 * compiled into the program as profile_his_default.
 *
 * Invariants: a loaded profile is complete: every section present maps the
 * kind's required fields, every setting of every kind is resolved (the
 * kind's own value, else [profile]'s, else the built-in default), every date
 * format compiled.  Any mistake in the text is BULU_BADINPUT with
 * "FILE:LINE:COL: what", COL counting characters (not bytes) from 1, and
 * nothing is returned.  Header spellings are stored trimmed, '|'-joined.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulu/buf.h"
#include "bulu/text.h"
#include "his_internal.h"

extern const char profile_his_default[];

#define BUILTIN_NAME "his-default.profile (built in)"

static const char *const kind_names[HIS_NKINDS] = {
	"registrations", "charges", "orders", "dispenses", "invoices",
};

static const char *const field_names[HF_NFIELDS] = {
	"his_id", "patient_id", "patient_name", "item_code", "item_name", "qty",
	"unit_price", "amount", "occurred_at", "entered_at", "operator",
	"invoice_no", "dept", "ref", "sex", "doctor", "fee", "source_no", "status",
};

#define B(f) (1u << (f))
/* The fields each kind's section may map (CONTRACT.md, "HIS exports"; orders
 * and dispenses may also carry money, dispenses a patient name and dept). */
static const uint32_t allowed[HIS_NKINDS] = {
	[HIS_REGISTRATIONS] = B(HF_HIS_ID) | B(HF_PATIENT_ID) | B(HF_PATIENT_NAME) |
		B(HF_SEX) | B(HF_DEPT) | B(HF_DOCTOR) | B(HF_FEE) | B(HF_OCCURRED_AT) |
		B(HF_ENTERED_AT) | B(HF_OPERATOR) | B(HF_INVOICE_NO) | B(HF_REF),
	[HIS_CHARGES] = B(HF_HIS_ID) | B(HF_PATIENT_ID) | B(HF_PATIENT_NAME) |
		B(HF_ITEM_CODE) | B(HF_ITEM_NAME) | B(HF_QTY) | B(HF_UNIT_PRICE) |
		B(HF_AMOUNT) | B(HF_OCCURRED_AT) | B(HF_ENTERED_AT) | B(HF_OPERATOR) |
		B(HF_INVOICE_NO) | B(HF_DEPT) | B(HF_REF),
	[HIS_ORDERS] = B(HF_HIS_ID) | B(HF_PATIENT_ID) | B(HF_PATIENT_NAME) |
		B(HF_ITEM_CODE) | B(HF_ITEM_NAME) | B(HF_QTY) | B(HF_UNIT_PRICE) |
		B(HF_AMOUNT) | B(HF_OCCURRED_AT) | B(HF_ENTERED_AT) | B(HF_OPERATOR) |
		B(HF_DEPT) | B(HF_REF),
	[HIS_DISPENSES] = B(HF_HIS_ID) | B(HF_PATIENT_ID) | B(HF_PATIENT_NAME) |
		B(HF_ITEM_CODE) | B(HF_ITEM_NAME) | B(HF_QTY) | B(HF_UNIT_PRICE) |
		B(HF_AMOUNT) | B(HF_OCCURRED_AT) | B(HF_ENTERED_AT) | B(HF_OPERATOR) |
		B(HF_DEPT) | B(HF_SOURCE_NO) | B(HF_REF),
	[HIS_INVOICES] = B(HF_HIS_ID) | B(HF_INVOICE_NO) | B(HF_STATUS) | B(HF_AMOUNT) |
		B(HF_OPERATOR) | B(HF_DEPT) | B(HF_OCCURRED_AT) | B(HF_ENTERED_AT),
};

/* Required fields; charges need amount or unit_price besides (checked apart). */
static const uint32_t required[HIS_NKINDS] = {
	[HIS_REGISTRATIONS] = B(HF_PATIENT_ID),
	[HIS_CHARGES] = B(HF_PATIENT_ID) | B(HF_ITEM_CODE) | B(HF_QTY),
	[HIS_ORDERS] = B(HF_PATIENT_ID) | B(HF_ITEM_CODE) | B(HF_QTY),
	[HIS_DISPENSES] = B(HF_PATIENT_ID) | B(HF_ITEM_CODE) | B(HF_QTY),
	[HIS_INVOICES] = B(HF_INVOICE_NO),
};

int his_kind_parse(const char *s, enum his_kind *out)
{
	for (int k = 0; k < HIS_NKINDS; k++) {
		if (s && strcmp(s, kind_names[k]) == 0) {
			*out = (enum his_kind)k;
			return 0;
		}
	}
	return -1;
}

const char *his_kind_name(enum his_kind k)
{
	return (unsigned)k < HIS_NKINDS ? kind_names[k] : "?";
}

const char *his_field_name(enum his_field f)
{
	return (unsigned)f < HF_NFIELDS ? field_names[f] : "?";
}

int his_field_allowed(enum his_kind k, enum his_field f)
{
	return (unsigned)k < HIS_NKINDS && (unsigned)f < HF_NFIELDS &&
	       (allowed[k] & B(f)) != 0;
}

int his_field_required(enum his_kind k, enum his_field f)
{
	return (unsigned)k < HIS_NKINDS && (unsigned)f < HF_NFIELDS &&
	       (required[k] & B(f)) != 0;
}

static int lc(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static int eq_nocase_n(const char *a, size_t an, const char *b, size_t bn)
{
	if (an != bn)
		return 0;
	for (size_t i = 0; i < an; i++)
		if (lc((unsigned char)a[i]) != lc((unsigned char)b[i]))
			return 0;
	return 1;
}

static int is_sp(char c)
{
	return c == ' ' || c == '\t';
}

int his_name_matches(const char *names, const char *s, size_t n)
{
	const char *p = names;
	for (;;) {
		const char *end = strchr(p, '|');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *q = p;
		while (len && is_sp(*q))
			q++, len--;
		while (len && is_sp(q[len - 1]))
			len--;
		if (eq_nocase_n(q, len, s, n))
			return 1;
		if (!end)
			return 0;
		p = end + 1;
	}
}

/* The journal kinds [routing] may name. */
static const char *const route_kinds[HIS_ROUTE_KINDS] = {
	"registration", "charge", "prescription", "order", "requisition", "dispense", "exam",
	"ward_charge",
};

const char *his_profile_route(const struct his_profile *p, const char *jkind, const char **why)
{
	*why = NULL;
	for (int i = 0; p && i < HIS_ROUTE_KINDS; i++)
		if (strcmp(route_kinds[i], jkind) == 0) {
			*why = p->route_why[i];
			return p->route[i];
		}
	return NULL;
}

void his_profile_free(struct his_profile *p)
{
	if (!p)
		return;
	for (int k = 0; k < HIS_NKINDS; k++) {
		for (int f = 0; f < HF_NFIELDS; f++)
			free(p->k[k].names[f]);
		free(p->k[k].void_status);
	}
	for (int i = 0; i < HIS_ROUTE_KINDS; i++) {
		free(p->route[i]);
		free(p->route_why[i]);
	}
	free(p->name);
	free(p->file);
	free(p);
}

const char *his_profile_name(const struct his_profile *p)
{
	return p && p->name ? p->name : "?";
}

/* Settings of [profile] or of one kind's section, as written. */
struct settings {
	int line;                /* of the section header; 0: no such section */
	int has_enc, has_date, has_tz, has_money, has_void;
	int key_line[HF_NFIELDS + 6];
	enum text_enc enc;
	struct his_datefmt date;
	int32_t tz;
	int money_fen;
	char *void_status;
};

/* Keys other than fields; their key_line slots follow the fields'. */
enum { K_NAME = HF_NFIELDS, K_ENCODING, K_DATE, K_TZ, K_MONEY, K_VOID, K_N };
static const char *const setting_names[K_N - HF_NFIELDS] = {
	"name", "encoding", "date_format", "timezone", "money_unit", "void_status",
};

#define ROUTING 100 /* loader.sect while in [routing] */

struct loader {
	const char *file;
	bulu_err *e;
	struct his_profile *p;
	struct settings s[1 + HIS_NKINDS]; /* [0]: [profile]; [1+k]: kind k */
	int routing_line;                  /* of [routing]; 0: none */
	int route_line[2 * HIS_ROUTE_KINDS];
	int sect;                          /* current section; -1 before any */
	int lineno;
	const char *line;                  /* start of the current line */
};

/* Column (in characters, from 1) of byte offset off of the current line. */
static size_t col_of(const struct loader *L, const char *at)
{
	size_t col = 1;
	for (const char *q = L->line; q < at; q++)
		if (((unsigned char)*q & 0xc0) != 0x80)
			col++;
	return col;
}

static int lerr(struct loader *L, const char *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int lerr(struct loader *L, const char *at, const char *fmt, ...)
{
	char what[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	return bulu_errf(L->e, BULU_BADINPUT, "%s:%d:%zu: %s", L->file, L->lineno,
	                 col_of(L, at), what);
}

/* How many of s[0..n) to quote: at most max bytes, cut on a character
 * boundary. */
static int cut(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return (int)n;
	n = max;
	while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return (int)n;
}

static char *dupn(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* A '|'-list value: every alternative trimmed and not empty; the result is
 * the alternatives joined by '|'.  NULL with *bad set when malformed, or
 * NULL with *bad NULL when out of memory. */
static char *alt_list(const char *v, size_t n, const char **bad)
{
	buf b = BUF_INIT;
	size_t i = 0;
	*bad = NULL;
	for (;;) {
		size_t j = i;
		while (j < n && v[j] != '|')
			j++;
		size_t a = i, z = j;
		while (a < z && is_sp(v[a]))
			a++;
		while (z > a && is_sp(v[z - 1]))
			z--;
		if (a == z) {
			*bad = v + i;
			buf_free(&b);
			return NULL;
		}
		if (b.len)
			buf_putc(&b, '|');
		buf_put(&b, v + a, z - a);
		if (j == n)
			break;
		i = j + 1;
	}
	if (b.oom) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b, NULL);
}

static int oom(struct loader *L)
{
	return bulu_errf(L->e, BULU_SYSTEM, "%s: out of memory", L->file);
}

static int do_section(struct loader *L, const char *s, size_t n)
{
	/* s[0] == '[' */
	const char *close = memchr(s, ']', n);
	if (!close)
		return lerr(L, s, "section header without ']'");
	const char *a = s + 1, *z = close;
	while (a < z && is_sp(*a))
		a++;
	while (z > a && is_sp(z[-1]))
		z--;
	const char *rest = close + 1, *end = s + n;
	while (rest < end && is_sp(*rest))
		rest++;
	if (rest < end && *rest != '#' && *rest != ';')
		return lerr(L, rest, "text after a section header");
	int sect = -1;
	if (eq_nocase_n(a, (size_t)(z - a), "routing", 7)) {
		if (L->routing_line) {
			char prev[32];
			snprintf(prev, sizeof prev, "%d", L->routing_line);
			return lerr(L, a, "section given twice (also line %s)", prev);
		}
		L->routing_line = L->lineno;
		L->sect = ROUTING;
		return BULU_OK;
	}
	if (eq_nocase_n(a, (size_t)(z - a), "profile", 7))
		sect = 0;
	for (int k = 0; k < HIS_NKINDS && sect < 0; k++)
		if (eq_nocase_n(a, (size_t)(z - a), kind_names[k], strlen(kind_names[k])))
			sect = 1 + k;
	if (sect < 0) {
		char nm[80];
		snprintf(nm, sizeof nm, "%.*s", cut(a, (size_t)(z - a), 64), a);
		return lerr(L, a, "unknown section [%s] (known: profile, registrations, "
		            "charges, orders, dispenses, invoices, routing)", nm);
	}
	if (L->s[sect].line) {
		char prev[32];
		snprintf(prev, sizeof prev, "%d", L->s[sect].line);
		return lerr(L, a, "section given twice (also line %s)", prev);
	}
	L->s[sect].line = L->lineno;
	L->sect = sect;
	return BULU_OK;
}

/* A setting key (encoding, date_format, ...) with value v[0..vn). */
static int do_setting(struct loader *L, int key, const char *v, size_t vn)
{
	struct settings *st = &L->s[L->sect];
	char val[256];
	if (key == K_NAME || key == K_VOID) {
		const char *bad = NULL;
		char *list = key == K_NAME ? dupn(v, vn) : alt_list(v, vn, &bad);
		if (!list && key == K_VOID && bad)
			return lerr(L, bad, "empty value in a '|' list");
		if (!list)
			return oom(L);
		if (key == K_NAME) {
			free(L->p->name);
			L->p->name = list;
		} else {
			st->void_status = list;
			st->has_void = 1;
		}
		return BULU_OK;
	}
	if (vn >= sizeof val)
		return lerr(L, v, "value too long");
	memcpy(val, v, vn);
	val[vn] = '\0';
	const char *why = NULL;
	switch (key) {
	case K_ENCODING:
		if (text_enc_parse(val, &st->enc) != 0)
			return lerr(L, v, "encoding must be auto, utf-8, gb18030, gbk or gb2312");
		st->has_enc = 1;
		break;
	case K_DATE:
		if (his_datefmt_compile(val, &st->date, &why) != 0)
			return lerr(L, v, "%s (tokens: YYYY MM M DD D hh h mm ss)", why);
		st->has_date = 1;
		break;
	case K_TZ:
		if (his_tz_parse(val, &st->tz) != 0)
			return lerr(L, v, "timezone must be outage, local, UTC, or an offset such as "
			            "+08:00 or -05:30");
		st->has_tz = 1;
		break;
	case K_MONEY:
		if (eq_nocase_n(val, vn, "yuan", 4))
			st->money_fen = 0;
		else if (eq_nocase_n(val, vn, "fen", 3))
			st->money_fen = 1;
		else
			return lerr(L, v, "money_unit must be yuan or fen");
		st->has_money = 1;
		break;
	default:
		break;
	}
	return BULU_OK;
}

/* One destination list of [routing]: "DEST, DEST": a department's name,
 * @captured or @role:ROLE.  0, or -1 with *bad at the faulty one. */
static int route_check(const char *v, size_t n, const char **bad)
{
	const char *p = v, *end = v + n;
	while (p <= end) {
		const char *c = memchr(p, ',', (size_t)(end - p));
		const char *q = c ? c : end, *a = p, *z = q;
		while (a < z && is_sp(*a))
			a++;
		while (z > a && is_sp(z[-1]))
			z--;
		*bad = a;
		if (a == z)
			return -1;
		if (*a == '@' && !eq_nocase_n(a, (size_t)(z - a), "@captured", 9) &&
		    !((size_t)(z - a) > 6 && eq_nocase_n(a, 6, "@role:", 6)))
			return -1;
		if (!c)
			break;
		p = c + 1;
	}
	return 0;
}

/* KIND = DESTS or KIND.why = TEXT in [routing]. */
static int do_route(struct loader *L, const char *s, size_t kn, const char *v, size_t vn)
{
	char key[64];
	snprintf(key, sizeof key, "%.*s", cut(s, kn, 40), s);
	int why = kn > 4 && eq_nocase_n(s + kn - 4, 4, ".why", 4);
	size_t base = why ? kn - 4 : kn;
	int id = -1;
	for (int i = 0; i < HIS_ROUTE_KINDS && id < 0; i++)
		if (eq_nocase_n(s, base, route_kinds[i], strlen(route_kinds[i])))
			id = i;
	if (id < 0)
		return lerr(L, s, "unknown key \"%s\" in [routing] (a journal kind: registration, "
		            "charge, prescription, order, requisition, dispense, exam, ward_charge; "
		            "or KIND.why)", key);
	int slot = id * 2 + why;
	if (L->route_line[slot]) {
		char prev[32];
		snprintf(prev, sizeof prev, "%d", L->route_line[slot]);
		return lerr(L, s, "\"%s\" given twice (also line %s)", key, prev);
	}
	L->route_line[slot] = L->lineno;
	if (!vn)
		return lerr(L, v, "\"%s\" has no value", key);
	const char *bad;
	if (!why && route_check(v, vn, &bad) != 0)
		return lerr(L, bad, "a destination is a department's name, @captured or @role:ROLE");
	char *d = dupn(v, vn);
	if (!d)
		return oom(L);
	char **to = why ? &L->p->route_why[id] : &L->p->route[id];
	free(*to);
	*to = d;
	return BULU_OK;
}

static int do_key(struct loader *L, const char *s, size_t n)
{
	const char *eq = memchr(s, '=', n), *end = s + n;
	if (!eq)
		return lerr(L, s, "expected \"key = value\", \"[section]\" or a comment");
	const char *kz = eq;
	while (kz > s && is_sp(kz[-1]))
		kz--;
	if (kz == s)
		return lerr(L, eq, "no key before '='");
	size_t kn = (size_t)(kz - s);
	/* The value ends at a '#' that follows a space or tab (a comment). */
	const char *v = eq + 1;
	while (v < end && is_sp(*v))
		v++;
	const char *vz = v;
	while (vz < end && !(*vz == '#' && vz > eq + 1 && is_sp(vz[-1])))
		vz++;
	while (vz > v && is_sp(vz[-1]))
		vz--;
	char key[64];
	snprintf(key, sizeof key, "%.*s", cut(s, kn, 40), s);
	if (L->sect < 0)
		return lerr(L, s, "\"%s\" before any [section]", key);
	if (L->sect == ROUTING)
		return do_route(L, s, kn, v, (size_t)(vz - v));
	int id = -1;
	for (int f = 0; f < HF_NFIELDS && id < 0; f++)
		if (eq_nocase_n(s, kn, field_names[f], strlen(field_names[f])))
			id = f;
	for (int k = K_NAME; k < K_N && id < 0; k++)
		if (eq_nocase_n(s, kn, setting_names[k - K_NAME],
		                strlen(setting_names[k - K_NAME])))
			id = k;
	const char *sect = L->sect == 0 ? "profile" : kind_names[L->sect - 1];
	int ok;
	if (id < 0)
		ok = 0;
	else if (id < HF_NFIELDS)
		ok = L->sect > 0 && his_field_allowed((enum his_kind)(L->sect - 1),
		                                      (enum his_field)id);
	else if (id == K_NAME)
		ok = L->sect == 0;
	else if (id == K_VOID)
		ok = L->sect == 0 || L->sect == 1 + HIS_INVOICES;
	else
		ok = 1;
	if (!ok)
		return lerr(L, s, "unknown key \"%s\" in [%s] (see docs/his-profiles.md)",
		            key, sect);
	struct settings *st = &L->s[L->sect];
	if (st->key_line[id]) {
		char prev[32];
		snprintf(prev, sizeof prev, "%d", st->key_line[id]);
		return lerr(L, s, "\"%s\" given twice (also line %s)", key, prev);
	}
	st->key_line[id] = L->lineno;
	if (vz == v)
		return lerr(L, v, "\"%s\" has no value", key);
	if (id >= HF_NFIELDS)
		return do_setting(L, id, v, (size_t)(vz - v));
	const char *bad;
	char *list = alt_list(v, (size_t)(vz - v), &bad);
	if (!list)
		return bad ? lerr(L, bad, "empty header name in a '|' list")
		           : oom(L);
	L->p->k[L->sect - 1].names[id] = list;
	return BULU_OK;
}

static int do_line(struct loader *L, const char *s, size_t n)
{
	const char *a = s, *end = s + n;
	while (a < end && is_sp(*a))
		a++;
	if (a == end || *a == '#' || *a == ';')
		return BULU_OK;
	if (memchr(a, '\0', (size_t)(end - a)))
		return lerr(L, a, "NUL byte in the line");
	if (*a == '[')
		return do_section(L, a, (size_t)(end - a));
	return do_key(L, a, (size_t)(end - a));
}

/* Fill every kind's settings from its section, [profile], or the defaults;
 * check required fields. */
static int resolve(struct loader *L)
{
	struct settings *g = &L->s[0];
	for (int k = 0; k < HIS_NKINDS; k++) {
		struct settings *st = &L->s[1 + k];
		struct his_kprof *kp = &L->p->k[k];
		if (!st->line)
			continue;
		kp->present = 1;
		kp->enc = st->has_enc ? st->enc : g->has_enc ? g->enc : TEXT_AUTO;
		if (st->has_date) {
			kp->date = st->date;
		} else if (g->has_date) {
			kp->date = g->date;
		} else {
			memset(&kp->date, 0, sizeof kp->date);
			kp->date.is_auto = 1;
			memcpy(kp->date.text, "auto", 5);
		}
		kp->tz = st->has_tz ? st->tz : g->has_tz ? g->tz : HIS_TZ_LOCAL;
		kp->money_fen = st->has_money ? st->money_fen : g->has_money ? g->money_fen : 0;
		const char *vs = st->has_void ? st->void_status
		               : g->has_void ? g->void_status : "\xe4\xbd\x9c\xe5\xba\x9f"; /* 作废 */
		kp->void_status = dupn(vs, strlen(vs));
		if (!kp->void_status)
			return oom(L);
		uint32_t miss = required[k];
		for (int f = 0; f < HF_NFIELDS; f++)
			if (kp->names[f])
				miss &= ~B(f);
		for (int f = 0; f < HF_NFIELDS; f++)
			if (miss & B(f))
				return bulu_errf(L->e, BULU_BADINPUT,
				                 "%s:%d: [%s] maps no %s (required)", L->file,
				                 st->line, kind_names[k], field_names[f]);
		if (k == HIS_CHARGES && !kp->names[HF_AMOUNT] && !kp->names[HF_UNIT_PRICE])
			return bulu_errf(L->e, BULU_BADINPUT,
			                 "%s:%d: [charges] maps neither amount nor unit_price "
			                 "(one is required)", L->file, st->line);
	}
	return BULU_OK;
}

/* Offset of the first byte of s[0..n) that starts no valid UTF-8 character. */
static size_t utf8_bad_at(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t k = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
		if (k > n - i || !text_is_utf8(s + i, k))
			return i;
		i += k;
	}
	return n;
}

static const char *base_name(const char *path)
{
	const char *b = strrchr(path, '/');
	return b ? b + 1 : path;
}

static int load_text(const char *file, const char *text, size_t len,
                     struct his_profile **out, bulu_err *e)
{
	struct loader L;
	memset(&L, 0, sizeof L);
	L.file = file;
	L.e = e;
	L.sect = -1;
	L.p = calloc(1, sizeof *L.p);
	int rc = BULU_OK;
	if (!L.p || !(L.p->file = dupn(file, strlen(file)))) {
		rc = bulu_errf(e, BULU_SYSTEM, "%s: out of memory", file);
		goto done;
	}
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		text += 3, len -= 3;
	size_t pos = 0;
	while (pos < len && rc == BULU_OK) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		L.lineno++;
		L.line = text + pos;
		size_t ln = n;
		if (ln && text[pos + ln - 1] == '\r')
			ln--;
		if (!text_is_utf8(L.line, ln)) {
			rc = lerr(&L, L.line + utf8_bad_at(L.line, ln),
			          "not valid UTF-8 (a profile is UTF-8 text)");
			break;
		}
		rc = do_line(&L, L.line, ln);
		pos += n + (nl ? 1 : 0);
	}
	if (rc == BULU_OK)
		rc = resolve(&L);
	if (rc == BULU_OK && !L.p->name) {
		const char *b = base_name(file);
		const char *dot = strrchr(b, '.');
		L.p->name = dupn(b, dot && dot != b ? (size_t)(dot - b) : strlen(b));
		if (!L.p->name)
			rc = oom(&L);
	}
done:
	for (int i = 0; i <= HIS_NKINDS; i++)
		free(L.s[i].void_status);
	if (rc != BULU_OK) {
		his_profile_free(L.p);
		return rc;
	}
	*out = L.p;
	return BULU_OK;
}

int his_profile_load(const char *path, struct his_profile **out, bulu_err *e)
{
	*out = NULL;
	if (!path)
		return load_text(BUILTIN_NAME, profile_his_default,
		                 strlen(profile_his_default), out, e);
	char *text = NULL;
	size_t len = 0;
	int rc = text_slurp(path, &text, &len, e);
	if (rc != BULU_OK)
		return rc;
	rc = load_text(path, text, len, out, e);
	free(text);
	return rc;
}

void his_profile_set_outage_tz(struct his_profile *p, int have, int32_t off)
{
	for (int k = 0; k < HIS_NKINDS; k++)
		if (p->k[k].tz == HIS_TZ_OUTAGE)
			p->k[k].tz = have ? off : HIS_TZ_LOCAL;
}
