/*
 * head.c - the two-slot head record (see head.h and docs/journal-format.md).
 * slot = "BULUHEAD" | u32le version=1 | u32le 0 | u64le counter | u64le seq |
 *        hash (32) | BLAKE2b-128 of the preceding 64 bytes | zero padding
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include <sodium.h>

#include "bulu/head.h"
#include "bulu/fsutil.h"

#define SLOT 128
#define BODY 64
#define SUM 16

static void put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_u64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static int slot_parse(const uint8_t *s, head_rec *h)
{
	uint8_t sum[SUM];
	if (memcmp(s, "BULUHEAD", 8) != 0 || s[8] != 1)
		return -1;
	crypto_generichash(sum, SUM, s, BODY, NULL, 0);
	if (sodium_memcmp(sum, s + BODY, SUM) != 0)
		return -1;
	h->counter = get_u64(s + 16);
	h->seq = (int64_t)get_u64(s + 24);
	memcpy(h->hash, s + 32, ENTRY_HASH_BYTES);
	return 0;
}

/* Pick the valid slot with the higher counter from 2*SLOT bytes read. */
static int pick(const uint8_t *b, ssize_t n, head_rec *h)
{
	head_rec a, c;
	int okA = n >= SLOT && slot_parse(b, &a) == 0;
	int okC = n >= 2 * SLOT && slot_parse(b + SLOT, &c) == 0;
	if (!okA && !okC)
		return -1;
	*h = (!okC || (okA && a.counter > c.counter)) ? a : c;
	return 0;
}

int head_read(const char *path, head_rec *h, bulu_err *e)
{
	uint8_t b[2 * SLOT];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return bulu_errf(e, errno == ENOENT ? BULU_BADINPUT : BULU_SYSTEM,
				 "cannot read the head record %s: %s", path, strerror(errno));
	ssize_t n = pread(fd, b, sizeof b, 0);
	close(fd);
	if (pick(b, n, h) != 0)
		return bulu_errf(e, BULU_INTEGRITY, "the head record %s is damaged", path);
	return BULU_OK;
}

int head_advance(const char *path, int64_t seq, const uint8_t hash[ENTRY_HASH_BYTES],
		 int force, bulu_err *e)
{
	uint8_t b[2 * SLOT], s[SLOT];
	head_rec cur = {0, 0, {0}};
	int rc = BULU_OK;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return bulu_errf(e, BULU_SYSTEM, "cannot write the head record %s: %s", path, strerror(errno));
	if (flock(fd, LOCK_EX) != 0) {
		rc = bulu_errf(e, BULU_SYSTEM, "cannot lock the head record %s: %s", path, strerror(errno));
		goto done;
	}
	ssize_t n = pread(fd, b, sizeof b, 0);
	int have = pick(b, n, &cur) == 0;
	if (have && cur.seq >= seq && !force)
		goto done;
	memset(s, 0, sizeof s);
	memcpy(s, "BULUHEAD", 8);
	s[8] = 1;
	uint64_t counter = have ? cur.counter + 1 : 1;
	put_u64(s + 16, counter);
	put_u64(s + 24, (uint64_t)seq);
	memcpy(s + 32, hash, ENTRY_HASH_BYTES);
	crypto_generichash(s + BODY, SUM, s, BODY, NULL, 0);
	if (pwrite(fd, s, SLOT, (off_t)(counter % 2) * SLOT) != SLOT || fdatasync(fd) != 0)
		rc = bulu_errf(e, BULU_SYSTEM, "cannot write the head record %s: %s", path, strerror(errno));
	else if (n <= 0)
		fs_sync_dir(path); /* a new file: make its name durable too */
done:
	close(fd); /* releases the lock */
	return rc;
}
