/*
 * strpool.h - interned strings: each distinct string gets a small integer id.
 *
 * Reconcile compares patients, items, departments and operators millions of
 * times; interning both sides (ledger and HIS exports) into one pool turns
 * those comparisons into integer compares and makes hash keys cheap.  Id 0
 * is always the empty string ("not given").  Strings are copied into large
 * blocks, so a pool of a million names costs little more than their bytes.
 * Not thread-safe: one pool per thread, or a lock around it.
 */
#ifndef BULU_STRPOOL_H
#define BULU_STRPOOL_H

#include <stddef.h>
#include <stdint.h>

typedef struct strpool strpool;

strpool *strpool_new(void);
void strpool_free(strpool *p);
/* The id of s[0..len) (which need not be NUL-terminated), adding it when new.
 * Returns UINT32_MAX when out of memory. */
uint32_t strpool_intern(strpool *p, const char *s, size_t len);
/* The id of s[0..len) if present, else UINT32_MAX; never adds. */
uint32_t strpool_find(const strpool *p, const char *s, size_t len);
/* The NUL-terminated string of an id, and its length. */
const char *strpool_str(const strpool *p, uint32_t id);
size_t strpool_len(const strpool *p, uint32_t id);
/* Number of distinct strings, the empty one included. */
size_t strpool_count(const strpool *p);

/* 64-bit hash of bytes (also used for reconcile's group keys). */
uint64_t strpool_hash(const void *s, size_t len);

#endif
