/*
 * paymethod.c - the station's payment methods (paymethod.h): the built-in
 * list or DIR/pay-methods.csv, and what a typed method resolves to.
 * Invariant: every resolved method is one of the list's codes, so two
 * spellings never become two cash-up rows.
 */
#include <stdio.h>
#include <string.h>

#include "bulu/paymethod.h"
#include "bulu/text.h"

static const char *const builtin[][3] = {
	{"cash", "现金", "xj|cash|现金|现钞"},
	{"wechat", "微信", "wx|wechat|weixin|微信|微信支付"},
	{"alipay", "支付宝", "zfb|alipay|支付宝"},
	{"insurance", "医保", "yb|insurance|医保|医保卡|医疗保险"},
	{"card", "银行卡", "yhk|card|bankcard|unionpay|银行卡|银联|刷卡"},
};

static int code_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 31)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

static void add(pay_methods *pm, const char *code, const char *label, const char *aliases)
{
	pay_method *m = &pm->m[pm->n++];
	snprintf(m->code, sizeof m->code, "%s", code);
	snprintf(m->label, sizeof m->label, "%s", label);
	snprintf(m->aliases, sizeof m->aliases, "%s|%s|%s", code, label, aliases);
	text_ascii_lower(m->aliases);
}

int pay_methods_load(const char *dir, pay_methods *pm, bulu_err *e)
{
	memset(pm, 0, sizeof *pm);
	char path[4096];
	FILE *f = NULL;
	if (dir) {
		snprintf(path, sizeof path, "%s/pay-methods.csv", dir);
		f = fopen(path, "r");
	}
	if (!f) {
		for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++)
			add(pm, builtin[i][0], builtin[i][1], builtin[i][2]);
		return BULU_OK;
	}
	char line[1024];
	int ln = 0;
	while (fgets(line, sizeof line, f)) {
		ln++;
		line[strcspn(line, "\r\n")] = '\0';
		char *s = line;
		if (ln == 1 && strncmp(s, "\xEF\xBB\xBF", 3) == 0)
			s += 3;
		if (!*s || *s == '#')
			continue;
		char *label = strchr(s, ',');
		if (label)
			*label++ = '\0';
		char *aliases = label ? strchr(label, ',') : NULL;
		if (aliases)
			*aliases++ = '\0';
		if (!label || !*label || !code_ok(s) || !text_is_utf8(label, strlen(label)) ||
		    pm->n == PAY_MAX) {
			fclose(f);
			return bulu_errf(e, BULU_BADINPUT,
					 "%s: line %d: write CODE,LABEL[,ALIAS...] with a lower-case "
					 "code (at most %d methods)", path, ln, PAY_MAX);
		}
		for (char *c = aliases; c && *c; c++)
			if (*c == ',')
				*c = '|';
		add(pm, s, label, aliases ? aliases : "");
	}
	fclose(f);
	if (pm->n == 0)
		return bulu_errf(e, BULU_BADINPUT, "%s: no payment method in it", path);
	return BULU_OK;
}

const char *pay_method_resolve(const pay_methods *pm, const char *typed)
{
	char want[128];
	snprintf(want, sizeof want, "%s", typed);
	text_halfwidth(want);
	/* trim spaces */
	char *w = want;
	while (*w == ' ')
		w++;
	size_t n = strlen(w);
	while (n && w[n - 1] == ' ')
		w[--n] = '\0';
	text_ascii_lower(w);
	if (!*w)
		return NULL;
	for (size_t i = 0; i < pm->n; i++) {
		const char *a = pm->m[i].aliases;
		while (*a) {
			size_t len = strcspn(a, "|");
			if (len == n && strncmp(a, w, n) == 0)
				return pm->m[i].code;
			a += len + (a[len] == '|');
		}
	}
	return NULL;
}

void pay_methods_describe(const pay_methods *pm, char *out, size_t n)
{
	size_t k = 0;
	out[0] = '\0';
	for (size_t i = 0; i < pm->n && k < n; i++)
		k += (size_t)snprintf(out + k, n - k, "%s%s %s", i ? ", " : "", pm->m[i].label,
				      pm->m[i].code);
}
