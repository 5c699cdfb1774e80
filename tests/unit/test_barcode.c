/*
 * test_barcode.c - Code 128 barcodes of BL references as inline SVG
 * (core/barcode.c): the symbol's start and stop patterns, its length, the
 * SVG's bars being exactly the symbol's modules, and refused text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bulu/barcode.h"

/* Code 128's start B, start C and stop patterns, as modules. */
#define START_B "11010010000"
#define START_C "11010011100"
#define STOP "1100011101011"

static void symbol_is_code128(void **state)
{
	(void)state;
	char bars[2048];
	int n = barcode_modules("BL-OPD1-5", bars, sizeof bars);
	/* letters: code set B throughout; 9 data + start + check = 11 symbols of
	 * 11 modules, and the 13-module stop */
	assert_int_equal(n, 11 * 11 + 13);
	assert_int_equal(strncmp(bars, START_B, 11), 0);
	assert_string_equal(bars + n - 13, STOP);
	/* 'B' (value 34) is 131113 in bar/space widths: 10001011000 */
	assert_int_equal(strncmp(bars + 11, "10001011000", 11), 0);
	/* digits alone are packed two to a symbol (code set C) */
	n = barcode_modules("12345678", bars, sizeof bars);
	assert_int_equal(n, 11 * 6 + 13);
	assert_int_equal(strncmp(bars, START_C, 11), 0);
}

/* Widths of the bars of an SVG, in modules, in order: what the printer
 * draws must be the symbol's bars. */
static void svg_draws_the_modules(void **state)
{
	(void)state;
	char bars[2048], drawn[2048];
	const char *refs[] = {"BL-W12-40", "BL-OPD1-5", "BL-PHARM_2-123456-17", "12345678", "A"};
	for (size_t r = 0; r < sizeof refs / sizeof refs[0]; r++) {
	int n = barcode_modules(refs[r], bars, sizeof bars);
	assert_true(n > 0);
	buf b = BUF_INIT;
	bulu_err e = {0};
	assert_int_equal(barcode_svg(refs[r], &b, &e), BULU_OK);
	assert_non_null(strstr(b.p, "<svg class=\"barcode\""));
	char label[128];
	snprintf(label, sizeof label, "aria-label=\"%s\"", refs[r]);
	assert_non_null(strstr(b.p, label));
	assert_null(strstr(b.p, "<text"));
	assert_null(strstr(b.p, "href"));
	/* rebuild the module string from the rectangles (x and width in
	 * modules, after a 10-module quiet zone): the bars drawn are the ones
	 * libzint's own vector output has (barcode_modules) */
	memset(drawn, '0', (size_t)n);
	drawn[n] = '\0';
	const char *p = strstr(b.p, "<g fill=\"#000\">");
	assert_non_null(p);
	int rects = 0;
	while ((p = strstr(p, "<rect x=\"")) != NULL) {
		double x = atof(p + 9);
		const char *w = strstr(p, "width=\"");
		assert_non_null(w);
		double wd = atof(w + 7);
		int m0 = (int)x - 10, mw = (int)wd;
		assert_true(m0 >= 0 && m0 + mw <= n);
		memset(drawn + m0, '1', (size_t)mw);
		rects++;
		p++;
	}
	assert_true(rects > 5);
	assert_string_equal(drawn, bars);
	buf_free(&b);
	}
}

static void refuses_what_it_cannot_carry(void **state)
{
	(void)state;
	buf b = BUF_INIT;
	bulu_err e = {0};
	char long_text[100];
	memset(long_text, 'A', 81);
	long_text[81] = '\0';
	const char *bad[] = {"", "BL-\xe9\x97\xa8-1", "a<b", "a\"b", "a&b", "tab\there", long_text};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(barcode_svg(bad[i], &b, &e), BULU_BADINPUT);
		assert_int_equal(b.len, 0);
	}
	char bars[64];
	assert_int_equal(barcode_modules("BL-OPD1-5", bars, sizeof bars), -1); /* too small */
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(symbol_is_code128),
		cmocka_unit_test(svg_draws_the_modules),
		cmocka_unit_test(refuses_what_it_cannot_carry),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
