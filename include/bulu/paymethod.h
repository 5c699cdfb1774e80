/*
 * paymethod.h - the payment methods a station takes: a fixed list, each one
 * stored code (what the journal, the cash-up and reconcile see) with its
 * Chinese label and the aliases people type, so `cash`, `现金` and `xj` are
 * one method and one cash-up row.
 *
 * The list is built in (现金 cash, 微信 wechat, 支付宝 alipay, 医保 insurance,
 * 银行卡 card); a station may replace it with DIR/pay-methods.csv, lines of
 * CODE,LABEL[,ALIAS...] (UTF-8, '#' comments), codes being 1-31 lower-case
 * ASCII letters, digits or '_'.
 */
#ifndef BULU_PAYMETHOD_H
#define BULU_PAYMETHOD_H

#include <stddef.h>
#include "bulu/err.h"

#define PAY_MAX 16

typedef struct pay_method {
	char code[32];
	char label[64];
	char aliases[512]; /* '|'-separated, lower-case */
} pay_method;

typedef struct pay_methods {
	pay_method m[PAY_MAX];
	size_t n;
} pay_methods;

/* The station's list (dir may be NULL: the built-in list).  A bad file is
 * BULU_BADINPUT naming its line. */
int pay_methods_load(const char *dir, pay_methods *pm, bulu_err *e);
/* The stored code of what was typed (code, label or alias; any case; full-
 * width letters accepted), or NULL. */
const char *pay_method_resolve(const pay_methods *pm, const char *typed);
/* "现金 cash, 微信 wechat, ..." for messages. */
void pay_methods_describe(const pay_methods *pm, char *out, size_t n);

#endif
