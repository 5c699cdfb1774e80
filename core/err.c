/*
 * err.c - filling bulu_err values.  Messages are one line; a prefix adds
 * context ("catalog.csv:3:5: ") in front of what a lower layer said.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bulu/err.h"

int bulu_errf(bulu_err *e, int code, const char *fmt, ...)
{
	if (!e)
		return code;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	e->code = code;
	return code;
}

int bulu_err_prefix(bulu_err *e, const char *fmt, ...)
{
	if (!e)
		return BULU_SYSTEM;
	char head[512];
	va_list ap;
	va_start(ap, fmt);
	int h = vsnprintf(head, sizeof head - 2, fmt, ap);
	va_end(ap);
	if (h < 0)
		return e->code;
	size_t hl = strlen(head), ol = strlen(e->msg);
	memcpy(head + hl, ": ", 3);
	hl += 2;
	if (hl >= sizeof e->msg)
		hl = sizeof e->msg - 1;
	if (hl + ol >= sizeof e->msg) /* the end of the old message gives way */
		ol = sizeof e->msg - 1 - hl;
	memmove(e->msg + hl, e->msg, ol);
	memcpy(e->msg, head, hl);
	e->msg[hl + ol] = '\0';
	return e->code;
}

void bulu_err_clear(bulu_err *e)
{
	if (e) {
		e->code = BULU_OK;
		e->msg[0] = '\0';
	}
}
