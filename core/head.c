/*
 * head.c - the two-slot signed head record (see head.h and
 * docs/journal-format.md).  Invariants: a slot is only believed if its
 * signature verifies under the station key; the record never moves
 * backwards except when forced; invoice_max never decreases.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include <sodium.h>

#include "bulu/head.h"
#include "bulu/fsutil.h"

#define SLOT HEAD_SLOT_BYTES
#define SIGNED HEAD_SIGNED_BYTES

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

void head_encode_slot(uint8_t s[SLOT], const head_rec *h, const uint8_t key_id[KEY_ID_BYTES],
		      const uint8_t *sk)
{
	size_t n = strnlen(h->station, 32);
	memset(s, 0, SLOT);
	memcpy(s, "BULUHEAD", 8);
	s[8] = 2;
	put_u64(s + 16, h->counter);
	put_u64(s + 24, (uint64_t)h->seq);
	memcpy(s + 32, h->hash, ENTRY_HASH_BYTES);
	memcpy(s + 64, key_id, KEY_ID_BYTES);
	put_u64(s + 72, (uint64_t)h->invoice_max);
	s[80] = (uint8_t)n;
	memcpy(s + 84, h->station, n);
	crypto_sign_detached(s + SIGNED, NULL, s, SIGNED, sk);
}

/* 0 valid; 1 not a slot at all (empty, torn); 2 an unsigned version-1
 * slot; 3 a slot signed by another key or with a bad signature. */
static int slot_parse(const uint8_t *s, const uint8_t pk[KEY_PK_BYTES], head_rec *h)
{
	if (memcmp(s, "BULUHEAD", 8) != 0)
		return 1;
	if (s[8] == 1 && s[9] == 0 && s[10] == 0 && s[11] == 0)
		return 2;
	if (s[8] != 2 || s[9] || s[10] || s[11] || s[80] > 32 || s[81] || s[82] || s[83])
		return 1;
	uint8_t id[KEY_ID_BYTES];
	keys_key_id(pk, id);
	if (memcmp(s + 64, id, KEY_ID_BYTES) != 0 ||
	    crypto_sign_verify_detached(s + SIGNED, s, SIGNED, pk) != 0)
		return 3;
	h->counter = get_u64(s + 16);
	h->seq = (int64_t)get_u64(s + 24);
	memcpy(h->hash, s + 32, ENTRY_HASH_BYTES);
	h->invoice_max = (int64_t)get_u64(s + 72);
	memcpy(h->station, s + 84, 32);
	h->station[s[80]] = '\0';
	return 0;
}

/* Pick the valid slot with the higher counter from the bytes read; else
 * the worse of the two reasons. */
static int pick(const uint8_t *b, ssize_t n, const uint8_t pk[KEY_PK_BYTES], head_rec *h)
{
	head_rec a, c;
	int ra = n >= SLOT ? slot_parse(b, pk, &a) : 1;
	int rc = n >= 2 * SLOT ? slot_parse(b + SLOT, pk, &c) : 1;
	if (ra != 0 && rc != 0)
		return ra > rc ? ra : rc;
	*h = (rc != 0 || (ra == 0 && a.counter > c.counter)) ? a : c;
	return 0;
}

int head_read(const char *path, const uint8_t pk[KEY_PK_BYTES], head_rec *h, bulu_err *e)
{
	uint8_t b[2 * SLOT];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return bulu_errf(e, errno == ENOENT ? BULU_BADINPUT : BULU_INTEGRITY,
				 "cannot read the head record %s: %s", path, strerror(errno));
	ssize_t n = pread(fd, b, sizeof b, 0);
	close(fd);
	switch (pick(b, n, pk, h)) {
	case 0:
		return BULU_OK;
	case 2:
		return bulu_errf(e, BULU_INTEGRITY,
				 "the head record %s is unsigned (written by an older bulu), so it "
				 "proves nothing", path);
	case 3:
		return bulu_errf(e, BULU_INTEGRITY,
				 "the head record %s is not signed by this station's key (forged, or "
				 "another station's)", path);
	default:
		return bulu_errf(e, BULU_INTEGRITY, "the head record %s is damaged", path);
	}
}

int head_advance(const char *path, const char *station, const keypair *kp, int64_t seq,
		 const uint8_t hash[ENTRY_HASH_BYTES], int64_t invoice_max, int force,
		 bulu_err *e)
{
	uint8_t b[2 * SLOT], s[SLOT];
	head_rec cur = {0, 0, {0}, -1, ""};
	int rc = BULU_OK;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return bulu_errf(e, BULU_SYSTEM, "cannot write the head record %s: %s", path, strerror(errno));
	if (flock(fd, LOCK_EX) != 0) {
		rc = bulu_errf(e, BULU_SYSTEM, "cannot lock the head record %s: %s", path, strerror(errno));
		goto done;
	}
	ssize_t n = pread(fd, b, sizeof b, 0);
	int have = pick(b, n, kp->pk, &cur) == 0;
	if (have && cur.seq >= seq && !force && cur.invoice_max >= invoice_max)
		goto done;
	head_rec h = {have ? cur.counter + 1 : 1, seq, {0}, invoice_max, ""};
	memcpy(h.hash, hash, ENTRY_HASH_BYTES);
	if (have && cur.seq > seq && !force) { /* another process went further */
		h.seq = cur.seq;
		memcpy(h.hash, cur.hash, ENTRY_HASH_BYTES);
	}
	if (have && cur.invoice_max > h.invoice_max)
		h.invoice_max = cur.invoice_max;
	snprintf(h.station, sizeof h.station, "%s", station);
	head_encode_slot(s, &h, kp->key_id, kp->sk);
	if (pwrite(fd, s, SLOT, (off_t)(h.counter % 2) * SLOT) != SLOT || fdatasync(fd) != 0)
		rc = bulu_errf(e, BULU_SYSTEM, "cannot write the head record %s: %s", path, strerror(errno));
	else if (n <= 0)
		fs_sync_dir(path); /* a new file: make its name durable too */
done:
	close(fd); /* releases the lock */
	return rc;
}
