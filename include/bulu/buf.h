/*
 * buf.h - a growable byte buffer, always NUL-terminated.
 *
 * Ownership: the buffer owns p; buf_free() releases it and accepts a zeroed
 * buffer.  On allocation failure the buffer keeps what it had and sets oom,
 * so callers may append freely and check oom once at the end.
 */
#ifndef BULU_BUF_H
#define BULU_BUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct buf {
	char *p;     /* NUL-terminated when len > 0 or after any append */
	size_t len;
	size_t cap;
	int oom;
} buf;

#define BUF_INIT {0, 0, 0, 0}

void buf_free(buf *b);
void buf_reset(buf *b);                        /* len = 0, keeps memory */
int buf_reserve(buf *b, size_t extra);         /* 0 ok, -1 oom */
void buf_put(buf *b, const void *p, size_t n);
void buf_puts(buf *b, const char *s);
void buf_putc(buf *b, char c);
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Detach the storage (caller frees with free()); b becomes empty. */
char *buf_steal(buf *b, size_t *len);

#endif
