/*
 * gz.h - gzip streams in memory (zlib), as bundles carry them.
 *
 * A bundle is a gzip file so that `zcat` reads it.  gz_decompress() keeps
 * what it could inflate before a damaged or truncated stream ended, so a
 * damaged USB copy's readable prefix can still be salvaged.
 */
#ifndef BULU_GZ_H
#define BULU_GZ_H
#include <stddef.h>
#include "bulu/buf.h"
#include "bulu/err.h"

/* Compress n bytes into out (appended) as one gzip member; level 1..9.
 * BULU_OK, or BULU_SYSTEM when memory runs out. */
int gz_compress(const void *in, size_t n, int level, buf *out, bulu_err *e);

/*
 * Inflate the gzip stream in[0..n) into out (appended), at most max_out
 * bytes (a bomb is refused).  BULU_OK when the stream ended with a good
 * trailer (CRC-32 and length) and nothing follows it.  BULU_INTEGRITY when
 * it is truncated, damaged, followed by junk, or larger than max_out: out
 * then holds what inflated before that point, and e says which it was.
 */
int gz_decompress(const void *in, size_t n, size_t max_out, buf *out,
                  bulu_err *e);
#endif
