/*
 * barcode.h - barcodes of back-fill references, drawn as inline SVG.
 *
 * Every printed form carries its BL-STATION-SEQ reference as a Code 128
 * barcode, so the pharmacy and the back-fill clerk scan it instead of typing
 * it.  The SVG is self-contained (rectangles only, no font, no external
 * reference), so a page that embeds it prints with nothing fetched.
 */
#ifndef BULU_BARCODE_H
#define BULU_BARCODE_H

#include "bulu/buf.h"
#include "bulu/err.h"

/* The widest a module (narrowest bar) is drawn, and the bars' height, in mm. */
#define BARCODE_MODULE_MM 0.33
#define BARCODE_HEIGHT_MM 12.0

/*
 * Append to out a Code 128 barcode of text (1-80 bytes of printable ASCII
 * other than " & ' < >) as one <svg class="barcode"> element: black bars on
 * white with the standard quiet zone (10 modules) each side,
 * BARCODE_MODULE_MM per module, scaling down (never up) to its container's
 * width.  The human-readable text is not drawn: the page prints it beside
 * the bars in its own font.  BULU_BADINPUT for text it cannot carry;
 * BULU_SYSTEM if the encoder fails (out of memory).
 */
int barcode_svg(const char *text, buf *out, bulu_err *e);

/* The modules of text's Code 128 symbol, quiet zones excluded, as '1' (bar)
 * and '0' (space) into bars (size n, NUL-terminated): what barcode_svg draws,
 * for tests and for checking a printed barcode against its reference.
 * Returns the number of modules, or -1. */
int barcode_modules(const char *text, char *bars, size_t n);

#endif
