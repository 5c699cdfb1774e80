/*
 * gz.c - gzip streams in memory with zlib (contract in gz.h).
 *
 * Invariants: gz_compress writes exactly one gzip member, so `zcat` reads
 * it; gz_decompress accepts exactly one member and nothing after it, never
 * puts more than max_out bytes into out, and on any failure leaves in out
 * what inflated up to that point.  zlib counts in uInt, so both directions
 * feed the input in pieces to handle any size_t length.
 */
#include <limits.h>
#include <string.h>
#include <zlib.h>

#include "bulu/gz.h"

#define GZ_WINDOW (15 + 16) /* 32 KiB window, gzip wrapper */
#define GZ_PIECE ((size_t)1 << 20) /* input fed to zlib per step */
#define GZ_OUT_STEP ((size_t)1 << 16) /* output room reserved per step */

/* Give zlib the next piece of in[0..n) once it has used the last one. */
static void feed(z_stream *zs, const unsigned char *in, size_t n, size_t *fed)
{
	if (zs->avail_in > 0 || *fed >= n)
		return;
	size_t piece = n - *fed < GZ_PIECE ? n - *fed : GZ_PIECE;
	zs->next_in = (unsigned char *)in + *fed; /* zlib never writes to it */
	zs->avail_in = (uInt)piece;
	*fed += piece;
}

int gz_compress(const void *in, size_t n, int level, buf *out, bulu_err *e)
{
	if (level < 1 || level > 9)
		return bulu_errf(e, BULU_BADINPUT, "gzip level %d is not between 1 and 9", level);
	z_stream zs;
	memset(&zs, 0, sizeof zs);
	if (deflateInit2(&zs, level, Z_DEFLATED, GZ_WINDOW, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return bulu_errf(e, BULU_SYSTEM, "out of memory starting gzip compression");
	size_t fed = 0, start = out->len;
	int rc;
	do {
		feed(&zs, in, n, &fed);
		int flush = fed == n ? Z_FINISH : Z_NO_FLUSH;
		if (buf_reserve(out, GZ_OUT_STEP) != 0) {
			rc = Z_MEM_ERROR;
			break;
		}
		zs.next_out = (unsigned char *)out->p + out->len;
		zs.avail_out = (uInt)GZ_OUT_STEP;
		rc = deflate(&zs, flush);
		out->len += GZ_OUT_STEP - zs.avail_out;
		out->p[out->len] = '\0';
	} while (rc == Z_OK || rc == Z_BUF_ERROR);
	deflateEnd(&zs);
	if (rc != Z_STREAM_END) {
		out->len = start; /* no half stream is left behind */
		if (out->p)
			out->p[start] = '\0';
		return bulu_errf(e, BULU_SYSTEM, "out of memory compressing %zu bytes", n);
	}
	return BULU_OK;
}

/* Why inflate stopped short, as one sentence in e. */
static int inflate_failure(int zrc, const z_stream *zs, size_t used, size_t n,
			   bulu_err *e)
{
	if (zrc == Z_MEM_ERROR)
		return bulu_errf(e, BULU_SYSTEM, "out of memory inflating a gzip stream");
	if (zrc == Z_BUF_ERROR && used == n)
		return bulu_errf(e, BULU_INTEGRITY,
				 "the gzip stream is truncated: it ends after %zu bytes without "
				 "its end marker and checksum", n);
	return bulu_errf(e, BULU_INTEGRITY, "the gzip stream is damaged at byte %zu (%s)",
			 used, zs->msg ? zs->msg : "invalid data");
}

int gz_decompress(const void *in, size_t n, size_t max_out, buf *out,
		  bulu_err *e)
{
	z_stream zs;
	memset(&zs, 0, sizeof zs);
	if (inflateInit2(&zs, GZ_WINDOW) != Z_OK)
		return bulu_errf(e, BULU_SYSTEM, "out of memory starting gzip decompression");
	size_t fed = 0, made = 0;
	int zrc, over = 0;
	unsigned char probe; /* where output beyond max_out would go */
	for (;;) {
		feed(&zs, in, n, &fed);
		size_t room = max_out - made < GZ_OUT_STEP ? max_out - made : GZ_OUT_STEP;
		if (room > 0 && buf_reserve(out, room) != 0) {
			zrc = Z_MEM_ERROR;
			break;
		}
		zs.next_out = room > 0 ? (unsigned char *)out->p + out->len : &probe;
		zs.avail_out = room > 0 ? (uInt)room : 1;
		zrc = inflate(&zs, Z_NO_FLUSH);
		if (room == 0) {
			over = zs.avail_out == 0;
		} else {
			out->len += room - zs.avail_out;
			made += room - zs.avail_out;
			out->p[out->len] = '\0';
		}
		if (over || zrc != Z_OK)
			break;
	}
	size_t used = fed - zs.avail_in; /* input bytes zlib consumed */
	int rc = BULU_OK;
	if (over)
		rc = bulu_errf(e, BULU_INTEGRITY,
			       "the gzip stream is larger than %zu bytes once inflated: refused",
			       max_out);
	else if (zrc != Z_STREAM_END)
		rc = inflate_failure(zrc, &zs, used, n, e);
	else if (used != n)
		rc = bulu_errf(e, BULU_INTEGRITY,
			       "junk after the end of the gzip stream: %zu bytes follow it at byte %zu",
			       n - used, used);
	inflateEnd(&zs);
	return rc;
}
