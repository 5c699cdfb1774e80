/*
 * barcode.c - Code 128 barcodes of back-fill references as inline SVG, made
 * with libzint (Debian libzint-dev).
 *
 * libzint lays the symbol out (character set choice, check character) and
 * hands back its row of modules; this file only writes each run of bars as
 * an SVG rectangle (reading the row directly: libzint's vector output draws
 * the same bars eighty times slower, too slow for a worklist of thousands).  Invariants: the text is printable ASCII, checked here
 * before libzint sees it, so a reference can never carry markup into the
 * page; the SVG has no text, font or external reference; coordinates are in
 * libzint's units and the element's size in mm, so the bars keep their
 * proportions whatever the printer's resolution.
 */
#include <stdio.h>
#include <string.h>
#include <zint.h>

#include "bulu/barcode.h"

static int text_ok(const char *text)
{
	size_t n = strlen(text);
	if (n == 0 || n > 80)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (text[i] < 0x20 || text[i] > 0x7e || strchr("\"&'<>", text[i]))
			return 0;
	return 1;
}

static struct zint_symbol *encode(const char *text, int vector, int quiet)
{
	struct zint_symbol *s = ZBarcode_Create();
	if (!s)
		return NULL;
	s->symbology = BARCODE_CODE128;
	s->show_hrt = 0;
	s->height = 40;
	s->output_options |= quiet ? BARCODE_QUIET_ZONES : BARCODE_NO_QUIET_ZONES;
	int rc = vector ? ZBarcode_Encode_and_Buffer_Vector(s, (const unsigned char *)text,
							    (int)strlen(text), 0)
			: ZBarcode_Encode(s, (const unsigned char *)text, (int)strlen(text));
	if (rc >= ZINT_ERROR || (vector && !s->vector)) {
		ZBarcode_Delete(s);
		return NULL;
	}
	return s;
}

/* A small non-negative int, without printf (a worklist draws thousands of
 * bars). */
static void put_int(buf *b, int v)
{
	char d[12];
	int n = 0;
	do {
		d[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0 && n < 11);
	while (n > 0)
		buf_putc(b, d[--n]);
}

int barcode_svg(const char *text, buf *out, bulu_err *e)
{
	if (!text_ok(text))
		return bulu_errf(e, BULU_BADINPUT, "a barcode carries 1-80 printable ASCII characters");
	struct zint_symbol *s = encode(text, 0, 0);
	if (!s)
		return bulu_errf(e, BULU_SYSTEM, "the barcode encoder failed");
	/* The one row of modules, bit x of byte x/8 (libzint's layout, checked
	 * against its vector output by test_barcode), drawn in module units
	 * behind a quiet zone of QUIET modules each side. */
	enum { QUIET = 10 };
	const unsigned char *row = s->encoded_data[0];
	int w = s->width;
	buf_printf(out,
		   "<svg class=\"barcode\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\""
		   " aria-label=\"%s\" viewBox=\"0 0 %d 40\" width=\"%.2fmm\" height=\"%.2fmm\""
		   " preserveAspectRatio=\"none\" shape-rendering=\"crispEdges\">"
		   "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/><g fill=\"#000\">",
		   text, w + 2 * QUIET, (w + 2 * QUIET) * BARCODE_MODULE_MM, BARCODE_HEIGHT_MM);
	for (int x = 0; x < w;) {
		if (!((row[x >> 3] >> (x & 7)) & 1)) {
			x++;
			continue;
		}
		int x0 = x;
		while (x < w && ((row[x >> 3] >> (x & 7)) & 1))
			x++;
		buf_puts(out, "<rect x=\"");
		put_int(out, x0 + QUIET);
		buf_puts(out, "\" width=\"");
		put_int(out, x - x0);
		buf_puts(out, "\" height=\"40\"/>");
	}
	buf_puts(out, "</g></svg>");
	ZBarcode_Delete(s);
	return out->oom ? bulu_errf(e, BULU_SYSTEM, "out of memory") : BULU_OK;
}

int barcode_modules(const char *text, char *bars, size_t n)
{
	if (!text_ok(text))
		return -1;
	struct zint_symbol *s = encode(text, 1, 0);
	if (!s)
		return -1;
	int width = (int)(s->vector->width / 2.0 + 0.5);
	if ((size_t)width >= n) {
		ZBarcode_Delete(s);
		return -1;
	}
	memset(bars, '0', (size_t)width);
	bars[width] = '\0';
	for (const struct zint_vector_rect *r = s->vector->rectangles; r; r = r->next) {
		int x0 = (int)(r->x / 2.0 + 0.5), w = (int)(r->width / 2.0 + 0.5);
		for (int x = x0; x < x0 + w && x < width; x++)
			bars[x] = '1';
	}
	ZBarcode_Delete(s);
	return width;
}
