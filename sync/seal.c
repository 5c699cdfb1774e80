/*
 * seal.c - the central office's X25519 key pair and sealed bundles (format
 * in seal.h).
 *
 * Key files, each an "untrusted comment:" line and a base64 line:
 *   central.key (0600): "BUCS" | version 1 | key_id (8) | pk (32) | sk (32)
 *   central.pub (0644): "BUCP" | version 1 | key_id (8) | pk (32)
 * key_id is the first 8 bytes of BLAKE2b-256(pk), as for station keys; a
 * loaded file must agree with itself (key id, and pk derived from sk), so a
 * damaged file is refused rather than sealing to a key nobody holds.
 *
 * Invariants: the secret key only lives in sodium_malloc'd memory (and in
 * stack copies that are wiped); central.key is never read when group or
 * others may read it; seal_decrypt appends to out only plaintext that
 * authenticated, chunk by chunk.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>

#include "bulu/seal.h"
#include "bulu/fsutil.h"
#include "bulu/keys.h"

#define SEAL_VERSION 1
#define SEAL_AD_BYTES 9 /* magic | version: the first chunk's additional data */
#define SEAL_KEY_BYTES crypto_secretstream_xchacha20poly1305_KEYBYTES
#define SEAL_BOXED (SEAL_KEY_BYTES + crypto_box_SEALBYTES) /* 80 */
#define SEAL_HDR crypto_secretstream_xchacha20poly1305_HEADERBYTES /* 24 */
#define SEAL_HEAD (SEAL_AD_BYTES + SEAL_BOXED + SEAL_HDR)
#define SEAL_A crypto_secretstream_xchacha20poly1305_ABYTES /* 17 */
#define SEAL_FULL (SEAL_CHUNK + SEAL_A) /* a full chunk on disk */

#define REC_PUB (4 + 1 + KEY_ID_BYTES + SEAL_PK_BYTES)
#define REC_SEC (REC_PUB + crypto_box_SECRETKEYBYTES)
#define FILE_MAX 4096 /* key files are a few hundred bytes */

void central_key_id_hex(const uint8_t pk[SEAL_PK_BYTES], char out[17])
{
	uint8_t id[KEY_ID_BYTES];
	keys_key_id(pk, id);
	keys_key_id_hex(id, out);
}

/* The record of a key file: magic, version, key id, pk, and sk if any. */
static size_t make_record(uint8_t *rec, const char *magic, const uint8_t *pk,
			  const uint8_t *sk)
{
	memcpy(rec, magic, 4);
	rec[4] = SEAL_VERSION;
	keys_key_id(pk, rec + 5);
	memcpy(rec + 5 + KEY_ID_BYTES, pk, SEAL_PK_BYTES);
	if (!sk)
		return REC_PUB;
	memcpy(rec + REC_PUB, sk, crypto_box_SECRETKEYBYTES);
	return REC_SEC;
}

/* Write a key file: the comment line, the record in base64. */
static int write_key_file(const char *path, const char *comment, const uint8_t *rec,
			  size_t n, mode_t mode, bulu_err *e)
{
	char b64[sodium_base64_ENCODED_LEN(REC_SEC, sodium_base64_VARIANT_ORIGINAL)];
	char text[512];
	sodium_bin2base64(b64, sizeof b64, rec, n, sodium_base64_VARIANT_ORIGINAL);
	int tl = snprintf(text, sizeof text, "untrusted comment: %s\n%s\n", comment, b64);
	int rc = fs_write_atomic(path, text, (size_t)tl, mode, e);
	sodium_memzero(b64, sizeof b64);
	sodium_memzero(text, sizeof text);
	return rc;
}

/* DIR/NAME into out; BULU_BADINPUT when it does not fit. */
static int join(char *out, size_t n, const char *dir, const char *name, bulu_err *e)
{
	int w = snprintf(out, n, "%s/%s", dir, name);
	if (w < 0 || (size_t)w >= n)
		return bulu_errf(e, BULU_BADINPUT, "the directory name %s is too long", dir);
	return BULU_OK;
}

int central_create(const char *dir, bulu_err *e)
{
	char kpath[PATH_MAX], ppath[PATH_MAX], comment[160], id[17];
	int rc = keys_init(e);
	if (rc == BULU_OK)
		rc = join(kpath, sizeof kpath, dir, "central.key", e);
	if (rc == BULU_OK)
		rc = join(ppath, sizeof ppath, dir, "central.pub", e);
	if (rc != BULU_OK)
		return rc;
	if (fs_exists(kpath))
		return bulu_errf(e, BULU_BADINPUT,
				 "%s already exists: the central key pair is made once, since bundles "
				 "sealed to it could not be opened without it", kpath);
	if ((rc = fs_mkdirs(dir, 0700, e)) != BULU_OK)
		return rc;
	uint8_t pk[SEAL_PK_BYTES], rec[REC_SEC];
	uint8_t *sk = sodium_malloc(crypto_box_SECRETKEYBYTES);
	if (!sk)
		return bulu_errf(e, BULU_SYSTEM, "out of secure memory");
	crypto_box_keypair(pk, sk);
	central_key_id_hex(pk, id);
	/* The public half first: a failure leaves no secret key without it. */
	snprintf(comment, sizeof comment,
		 "bulu central office public key %s, for bulu sync export --seal-to", id);
	rc = write_key_file(ppath, comment, rec, make_record(rec, "BUCP", pk, NULL), 0644, e);
	if (rc == BULU_OK) {
		snprintf(comment, sizeof comment,
			 "bulu central office secret key %s: keep it here, never give it to a station", id);
		rc = write_key_file(kpath, comment, rec, make_record(rec, "BUCS", pk, sk), 0600, e);
		if (rc != BULU_OK)
			unlink(ppath);
	}
	sodium_memzero(rec, sizeof rec);
	sodium_free(sk);
	return rc;
}

/* Read a small file into text (NUL-terminated).  With secret set, refuse
 * it when group or others may read it. */
static int read_key_file(const char *path, int secret, char text[FILE_MAX],
			 size_t *len, bulu_err *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return bulu_errf(e, errno == ENOENT || errno == ENOTDIR ? BULU_BADINPUT : BULU_SYSTEM,
				 "cannot open %s: %s", path, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return bulu_errf(e, BULU_BADINPUT, "%s is not a regular file", path);
	}
	if (secret && (st.st_mode & 077)) {
		close(fd);
		return bulu_errf(e, BULU_INTEGRITY,
				 "the central office's secret key %s may be read by others (mode %04o): "
				 "refusing to use it. Run: chmod 600 %s, and consider whether the key "
				 "must be replaced", path, (unsigned)(st.st_mode & 07777), path);
	}
	size_t n = 0;
	ssize_t r;
	while (n < FILE_MAX - 1 && (r = read(fd, text + n, FILE_MAX - 1 - n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = errno;
			close(fd);
			return bulu_errf(e, BULU_SYSTEM, "cannot read %s: %s", path, strerror(err));
		}
		n += (size_t)r;
	}
	close(fd);
	text[n] = '\0';
	*len = n;
	return BULU_OK;
}

/*
 * The record inside a key file's text: an optional "untrusted comment:"
 * line, then one base64 line, then at most a newline.  Returns its length,
 * or 0 when the text is not shaped like that.
 */
static size_t decode_record(const char *text, size_t n, uint8_t *rec, size_t max)
{
	const char *p = text, *end = text + n;
	if (n >= 18 && memcmp(text, "untrusted comment:", 18) == 0) {
		p = memchr(text, '\n', n);
		if (!p)
			return 0;
		p++;
	}
	size_t len = strcspn(p, "\r\n");
	const char *rest = p + len;
	if (rest < end && *rest == '\r')
		rest++;
	if (rest < end && *rest == '\n')
		rest++;
	size_t got = 0;
	const char *b64end = NULL;
	/* Only base64 letters: libsodium's decoder takes some bytes >= 0x80. */
	if (strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") < len)
		return 0;
	if (rest != end || len == 0 ||
	    sodium_base642bin(rec, max, p, len, NULL, &got, &b64end,
			      sodium_base64_VARIANT_ORIGINAL) != 0 || b64end != p + len)
		return 0;
	return got;
}

/* What a record that is not the wanted kind is instead, for the message. */
static const char *record_kind(const uint8_t *rec, size_t n)
{
	if (n == REC_SEC && memcmp(rec, "BUCS", 4) == 0)
		return "the central office's secret key";
	if (n == REC_PUB && memcmp(rec, "BUCP", 4) == 0)
		return "the central office's public key";
	if (n >= 2 && rec[0] == 'B' && rec[1] == 'K')
		return "a station's secret key";
	if (n == 2 + KEY_ID_BYTES + KEY_PK_BYTES && rec[0] == 'E' && (rec[1] == 'd' || rec[1] == 'D'))
		return "a station's public key (minisign format)";
	return NULL;
}

/* Check a central record's version and key id; pk out. */
static int check_record(const char *path, const uint8_t *rec, uint8_t pk[SEAL_PK_BYTES],
			bulu_err *e)
{
	uint8_t id[KEY_ID_BYTES];
	if (rec[4] != SEAL_VERSION)
		return bulu_errf(e, BULU_BADINPUT, "%s is a central key file of version %d, "
				 "which this bulu does not read", path, rec[4]);
	memcpy(pk, rec + 5 + KEY_ID_BYTES, SEAL_PK_BYTES);
	keys_key_id(pk, id);
	if (memcmp(id, rec + 5, KEY_ID_BYTES) != 0)
		return bulu_errf(e, BULU_BADINPUT, "%s is damaged: its key id does not match its key", path);
	return BULU_OK;
}

int central_load_public(const char *path, uint8_t pk[SEAL_PK_BYTES], bulu_err *e)
{
	char text[FILE_MAX];
	uint8_t rec[REC_SEC + 64];
	size_t n;
	int rc = read_key_file(path, 0, text, &n, e);
	if (rc != BULU_OK)
		return rc;
	size_t rn = decode_record(text, n, rec, sizeof rec);
	const char *kind = record_kind(rec, rn);
	sodium_memzero(text, sizeof text); /* a secret key given by mistake */
	if (kind && rn == REC_PUB && memcmp(rec, "BUCP", 4) == 0) {
		rc = check_record(path, rec, pk, e);
	} else if (kind && rn == REC_SEC && memcmp(rec, "BUCS", 4) == 0) {
		rc = bulu_errf(e, BULU_BADINPUT, "%s is the central office's SECRET key: stations get "
			       "central.pub, never central.key", path);
	} else if (kind) {
		rc = bulu_errf(e, BULU_BADINPUT, "%s is %s, not the central office's public key: "
			       "give the central.pub made by `bulu central init`", path, kind);
	} else {
		rc = bulu_errf(e, BULU_BADINPUT, "%s is not a central public key file (central.pub "
			       "made by `bulu central init`)", path);
	}
	sodium_memzero(rec, sizeof rec);
	return rc;
}

/* Take the secret key out of a central.key record, checking it is whole. */
static int take_secret(const char *path, const uint8_t *rec, central_keys *k, bulu_err *e)
{
	uint8_t derived[SEAL_PK_BYTES];
	int rc = check_record(path, rec, k->pk, e);
	if (rc != BULU_OK)
		return rc;
	k->sk = sodium_malloc(crypto_box_SECRETKEYBYTES);
	if (!k->sk)
		return bulu_errf(e, BULU_SYSTEM, "out of secure memory");
	memcpy(k->sk, rec + REC_PUB, crypto_box_SECRETKEYBYTES);
	if (crypto_scalarmult_base(derived, k->sk) != 0 ||
	    sodium_memcmp(derived, k->pk, SEAL_PK_BYTES) != 0)
		return bulu_errf(e, BULU_BADINPUT, "%s is damaged: its secret key does not match "
				 "its public key", path);
	return BULU_OK;
}

int central_load(const char *dir, central_keys *k, bulu_err *e)
{
	char path[PATH_MAX], text[FILE_MAX];
	uint8_t rec[REC_SEC + 64];
	size_t n;
	memset(k, 0, sizeof *k);
	int rc = keys_init(e);
	if (rc == BULU_OK)
		rc = join(path, sizeof path, dir, "central.key", e);
	if (rc != BULU_OK)
		return rc;
	if (!fs_exists(path))
		return bulu_errf(e, BULU_BADINPUT, "there is no central key in %s (%s is missing): "
				 "make one with `bulu central init --dir %s`", dir, path, dir);
	if ((rc = read_key_file(path, 1, text, &n, e)) != BULU_OK)
		return rc;
	size_t rn = decode_record(text, n, rec, sizeof rec);
	const char *kind = record_kind(rec, rn);
	if (kind && rn == REC_SEC && memcmp(rec, "BUCS", 4) == 0)
		rc = take_secret(path, rec, k, e);
	else if (kind)
		rc = bulu_errf(e, BULU_BADINPUT, "%s is %s, not the central office's secret key",
			       path, kind);
	else
		rc = bulu_errf(e, BULU_BADINPUT, "%s is not a central key file (central.key made "
			       "by `bulu central init`)", path);
	sodium_memzero(text, sizeof text);
	sodium_memzero(rec, sizeof rec);
	if (rc != BULU_OK)
		central_free(k);
	return rc;
}

void central_free(central_keys *k)
{
	if (k && k->sk) {
		sodium_free(k->sk); /* wipes before freeing */
		k->sk = NULL;
	}
}

int seal_is_sealed(const void *data, size_t n)
{
	return n >= sizeof SEAL_MAGIC - 1 && memcmp(data, SEAL_MAGIC, sizeof SEAL_MAGIC - 1) == 0;
}

/* The header's first bytes: magic and version (the first chunk's AD). */
static void seal_ad(uint8_t ad[SEAL_AD_BYTES])
{
	memcpy(ad, SEAL_MAGIC, SEAL_AD_BYTES - 1);
	ad[SEAL_AD_BYTES - 1] = SEAL_VERSION;
}

/* Push in[0..n) through the stream into out, which has room for it all. */
static void push_chunks(crypto_secretstream_xchacha20poly1305_state *st,
			const uint8_t *in, size_t n, const uint8_t ad[SEAL_AD_BYTES], buf *out)
{
	size_t off = 0;
	int first = 1;
	for (;;) {
		size_t rem = n - off, m = rem < SEAL_CHUNK ? rem : SEAL_CHUNK;
		int final = rem < SEAL_CHUNK; /* a full last chunk is followed by an empty one */
		unsigned long long clen = 0;
		crypto_secretstream_xchacha20poly1305_push(
			st, (uint8_t *)out->p + out->len, &clen, m ? in + off : NULL, m,
			first ? ad : NULL, first ? SEAL_AD_BYTES : 0,
			final ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
			      : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
		out->len += (size_t)clen;
		off += m;
		first = 0;
		if (final)
			break;
	}
	out->p[out->len] = '\0';
}

int seal_encrypt(const void *in, size_t n, const uint8_t pk[SEAL_PK_BYTES],
		 buf *out, bulu_err *e)
{
	int rc = keys_init(e);
	if (rc != BULU_OK)
		return rc;
	size_t chunks = n / SEAL_CHUNK + 1;
	if (n > SIZE_MAX / 2 || buf_reserve(out, SEAL_HEAD + n + chunks * SEAL_A) != 0)
		return bulu_errf(e, BULU_SYSTEM, "out of memory sealing %zu bytes", n);
	uint8_t ad[SEAL_AD_BYTES];
	uint8_t *key = sodium_malloc(SEAL_KEY_BYTES);
	crypto_secretstream_xchacha20poly1305_state st;
	if (!key)
		return bulu_errf(e, BULU_SYSTEM, "out of secure memory");
	seal_ad(ad);
	size_t start = out->len;
	uint8_t *head = (uint8_t *)out->p + start;
	memcpy(head, ad, SEAL_AD_BYTES);
	crypto_secretstream_xchacha20poly1305_keygen(key);
	if (crypto_box_seal(head + SEAL_AD_BYTES, key, SEAL_KEY_BYTES, pk) != 0) {
		sodium_free(key);
		return bulu_errf(e, BULU_BADINPUT, "the central public key is not a usable X25519 key");
	}
	crypto_secretstream_xchacha20poly1305_init_push(&st, head + SEAL_AD_BYTES + SEAL_BOXED, key);
	out->len += SEAL_HEAD;
	push_chunks(&st, in, n, ad, out);
	sodium_memzero(&st, sizeof st);
	sodium_free(key);
	return BULU_OK;
}

/* Open the sealed stream key and start the stream; BULU_OK or why not. */
static int open_header(const uint8_t *in, size_t n, const central_keys *k,
		       crypto_secretstream_xchacha20poly1305_state *st, bulu_err *e)
{
	char id[17];
	if (!seal_is_sealed(in, n))
		return bulu_errf(e, BULU_INTEGRITY, "not a sealed bundle: it does not start with %s",
				 SEAL_MAGIC);
	if (n < SEAL_AD_BYTES)
		return bulu_errf(e, BULU_INTEGRITY, "the sealed bundle is truncated inside its header");
	if (in[SEAL_AD_BYTES - 1] != SEAL_VERSION)
		return bulu_errf(e, BULU_INTEGRITY, "sealed bundle version %d is not supported "
				 "(or the header is damaged)", in[SEAL_AD_BYTES - 1]);
	if (n < SEAL_HEAD)
		return bulu_errf(e, BULU_INTEGRITY, "the sealed bundle is truncated inside its header "
				 "(%zu of %d bytes)", n, SEAL_HEAD);
	if (!k->sk)
		return bulu_errf(e, BULU_BADINPUT, "opening a sealed bundle needs the central secret key");
	uint8_t *key = sodium_malloc(SEAL_KEY_BYTES);
	if (!key)
		return bulu_errf(e, BULU_SYSTEM, "out of secure memory");
	int rc = BULU_OK;
	central_key_id_hex(k->pk, id);
	if (crypto_box_seal_open(key, in + SEAL_AD_BYTES, SEAL_BOXED, k->pk, k->sk) != 0)
		rc = bulu_errf(e, BULU_INTEGRITY, "the bundle was sealed to a different central key "
			       "than %s (or its sealed key is damaged): it cannot be opened here", id);
	else if (crypto_secretstream_xchacha20poly1305_init_pull(st, in + SEAL_AD_BYTES + SEAL_BOXED,
								 key) != 0)
		rc = bulu_errf(e, BULU_INTEGRITY, "the sealed bundle's stream header is damaged");
	sodium_free(key);
	return rc;
}

/*
 * Pull the chunks after the header into out; BULU_OK after a good FINAL.
 * Chunk boundaries follow from the position alone (every chunk but the
 * last is full), so bytes appended to a bundle become part of its short
 * last chunk, which then fails to authenticate; "junk after the end" is
 * what follows a FINAL chunk that was full.
 */
static int pull_chunks(crypto_secretstream_xchacha20poly1305_state *st, const uint8_t *in,
		       size_t n, buf *out, bulu_err *e)
{
	uint8_t ad[SEAL_AD_BYTES];
	size_t pos = SEAL_HEAD;
	seal_ad(ad);
	for (size_t i = 1;; i++) {
		size_t rem = n - pos, clen = rem < SEAL_FULL ? rem : SEAL_FULL;
		if (rem < SEAL_A)
			return bulu_errf(e, BULU_INTEGRITY, "the sealed bundle is truncated: it ends "
					 "%s chunk %zu, without its final chunk",
					 rem ? "inside" : "before", i);
		if (buf_reserve(out, clen - SEAL_A) != 0)
			return bulu_errf(e, BULU_SYSTEM, "out of memory opening a sealed bundle");
		unsigned long long mlen = 0;
		unsigned char tag = 0;
		if (crypto_secretstream_xchacha20poly1305_pull(
			    st, (uint8_t *)out->p + out->len, &mlen, &tag, in + pos, clen,
			    i == 1 ? ad : NULL, i == 1 ? SEAL_AD_BYTES : 0) != 0) {
			out->p[out->len] = '\0';
			return bulu_errf(e, BULU_INTEGRITY, "chunk %zu of the sealed bundle (at byte %zu) "
					 "does not authenticate: the file is damaged or truncated there, "
					 "or has bytes appended", i, pos);
		}
		out->len += (size_t)mlen;
		out->p[out->len] = '\0';
		pos += clen;
		if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
			if (pos != n)
				return bulu_errf(e, BULU_INTEGRITY, "junk after the end of the sealed "
						 "bundle: %zu bytes follow its final chunk at byte %zu",
						 n - pos, pos);
			if (clen == SEAL_FULL)
				return bulu_errf(e, BULU_INTEGRITY, "the sealed bundle's final chunk is "
						 "full: it was not written as the format says");
			return BULU_OK;
		}
		if (tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE)
			return bulu_errf(e, BULU_INTEGRITY, "chunk %zu of the sealed bundle carries an "
					 "unexpected tag %d", i, tag);
	}
}

int seal_decrypt(const void *in, size_t n, const central_keys *k, buf *out,
		 int *opened, bulu_err *e)
{
	crypto_secretstream_xchacha20poly1305_state st;
	*opened = 0;
	int rc = keys_init(e);
	if (rc == BULU_OK)
		rc = open_header(in, n, k, &st, e);
	if (rc == BULU_OK) {
		*opened = 1;
		rc = pull_chunks(&st, in, n, out, e);
	}
	sodium_memzero(&st, sizeof st);
	return rc;
}
