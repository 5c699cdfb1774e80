/*
 * fuzz_csv.c - fuzz target for what a station reads from files it did not
 * write: text decoding (BOM, UTF-8, GB18030), CSV parsing, header mapping,
 * and the parsers of money, integers and times applied to every cell.
 *
 * Invariants checked (abort on violation): reading fails only as bad input
 * (or out of memory), with a message; every field handed to a row callback
 * is valid UTF-8, NUL-terminated at its length; a cell that parses as money
 * formats back to text that parses to the same fen.
 *
 * Built with -DBULU_LIBFUZZER it is a libFuzzer target (`make fuzz`);
 * otherwise main() replays the files and directories given (`make check`).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulu/buf.h"
#include "bulu/clock.h"
#include "bulu/csvfile.h"
#include "bulu/json.h"
#include "bulu/money.h"
#include "bulu/text.h"
#include "replay.h"

static const char *const names[] = {
	"form", "kind", "operator", "patient_id", "code|编码|项目编码",
	"name|名称", "qty|数量", "price|单价|unit_price", "occurred_at|发生时间",
};
#define NNAMES (sizeof names / sizeof names[0])

static int on_row(void *ud, size_t row, size_t nf, char *const *f,
		  const size_t *lens, bulu_err *e)
{
	(void)ud;
	if (row == 1) {
		int idx[NNAMES];
		int rc = csvfile_map_header("fuzz.csv", f, nf, names, NNAMES, idx, 1, e);
		if (rc != BULU_OK && rc != BULU_BADINPUT)
			abort();
	}
	for (size_t i = 0; i < nf; i++) {
		if (strlen(f[i]) != lens[i] || !text_is_utf8(f[i], lens[i]))
			abort();
		int64_t v, back;
		char out[32], iso[CLOCK_ISO_MAX];
		if (money_parse_yuan(f[i], lens[i], &v) == 0) {
			money_format_yuan(v, out);
			if (money_parse_yuan(out, strlen(out), &back) != 0 || back != v)
				abort();
		}
		(void)parse_int64(f[i], lens[i], &v);
		if (lens[i] < 64)
			(void)clock_parse(f[i], iso);
		buf b = BUF_INIT;
		if (json_quote(&b, f[i], lens[i]) != 0 && !b.oom)
			abort();
		buf_free(&b);
		(void)text_width(f[i]);
	}
	return BULU_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	enum text_enc enc = n ? (enum text_enc)(data[0] % 3) : TEXT_AUTO;
	const char *raw = n ? (const char *)data + 1 : "";
	size_t len = n ? n - 1 : 0;
	bulu_err e = {0};
	int rc = csvfile_read_mem("fuzz.csv", raw, len, enc, on_row, NULL, NULL, &e);
	if (rc != BULU_OK && (rc != BULU_BADINPUT || !e.msg[0]))
		abort();
	return 0;
}

REPLAY_MAIN
