/*
 * suggest.h - item suggestions for the station screen: the newest catalog
 * snapshot held in memory, matched as `bulu catalog find` ranks it (the code
 * itself, codes starting with the text, pinyin codes starting with it, names
 * containing it; ASCII letters in any case; by code within a rank), in one
 * pass, so a keystroke costs a scan of memory, not of the table.  Private to
 * web/.
 */
#ifndef BULU_WEB_SUGGEST_H
#define BULU_WEB_SUGGEST_H

#include <stddef.h>
#include <stdint.h>
#include "bulu/err.h"
#include "bulu/journal.h"

struct sitem {
	const char *code, *name, *pinyin, *unit, *category;
	const char *code_lc, *name_lc, *pinyin_lc; /* ASCII letters lower-cased */
	int64_t price_fen;
};

struct suggest;

/* Make *sg hold snapshot load_seq (a no-op when it does already). */
int suggest_load(struct suggest **sg, journal *j, int64_t load_seq, bulu_err *e);
/* Up to max items for text q, best first; returns how many. */
size_t suggest_find(const struct suggest *sg, const char *q, const struct sitem **out, size_t max);
void suggest_free(struct suggest *sg); /* NULL ok */

#endif
