/*
 * keys.c - station key pairs and their files (format in keys.h and
 * docs/journal-format.md).  Invariants: a secret key is only ever in
 * sodium_malloc'd memory and wiped when freed; a secret key file is written
 * 0600 through a temporary name and renamed, and never read if group or
 * others may read it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>
#include <sodium.h>

#include "bulu/keys.h"
#include "bulu/fsutil.h"

#define REC_HEAD (2 + 1 + KEY_ID_BYTES + 8 + 8 + crypto_pwhash_SALTBYTES + \
		  crypto_aead_xchacha20poly1305_ietf_NPUBBYTES)
#define REC_MAX (REC_HEAD + KEY_SK_BYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES)

int keys_init(bulu_err *e)
{
	if (sodium_init() < 0)
		return bulu_errf(e, BULU_SYSTEM, "libsodium could not be initialised");
	return BULU_OK;
}

void keys_key_id(const uint8_t pk[KEY_PK_BYTES], uint8_t id[KEY_ID_BYTES])
{
	uint8_t h[32];
	crypto_generichash(h, sizeof h, pk, KEY_PK_BYTES, NULL, 0);
	memcpy(id, h, KEY_ID_BYTES);
}

int keys_generate(keypair *kp, bulu_err *e)
{
	memset(kp, 0, sizeof *kp);
	kp->sk = sodium_malloc(KEY_SK_BYTES);
	if (!kp->sk)
		return bulu_errf(e, BULU_SYSTEM, "out of secure memory");
	crypto_sign_keypair(kp->pk, kp->sk);
	keys_key_id(kp->pk, kp->key_id);
	return BULU_OK;
}

void keys_free(keypair *kp)
{
	if (kp && kp->sk) {
		sodium_free(kp->sk); /* wipes before freeing */
		kp->sk = NULL;
	}
}

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

static int derive(uint8_t key[32], const char *pass, const uint8_t *salt,
		  uint64_t ops, uint64_t mem, bulu_err *e)
{
	if (crypto_pwhash(key, 32, pass, strlen(pass), salt, ops, (size_t)mem,
			  crypto_pwhash_ALG_ARGON2ID13) != 0)
		return bulu_errf(e, BULU_SYSTEM, "not enough memory to derive the key from the passphrase");
	return BULU_OK;
}

int keys_save_secret(const char *path, const keypair *kp, const char *station,
		     const char *passphrase, bulu_err *e)
{
	uint8_t rec[REC_MAX];
	size_t n = REC_HEAD;
	int prot = passphrase && *passphrase;
	uint64_t ops = prot ? crypto_pwhash_OPSLIMIT_INTERACTIVE : 0;
	uint64_t mem = prot ? crypto_pwhash_MEMLIMIT_INTERACTIVE : 0;
	memset(rec, 0, sizeof rec);
	rec[0] = 'B';
	rec[1] = 'K';
	rec[2] = (uint8_t)prot;
	memcpy(rec + 3, kp->key_id, KEY_ID_BYTES);
	put_u64(rec + 11, ops);
	put_u64(rec + 19, mem);
	uint8_t *salt = rec + 27, *nonce = salt + crypto_pwhash_SALTBYTES;
	if (prot) {
		uint8_t *key = sodium_malloc(32);
		if (!key)
			return bulu_errf(e, BULU_SYSTEM, "out of secure memory");
		randombytes_buf(salt, crypto_pwhash_SALTBYTES);
		randombytes_buf(nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
		int rc = derive(key, passphrase, salt, ops, mem, e);
		if (rc == BULU_OK) {
			unsigned long long clen;
			crypto_aead_xchacha20poly1305_ietf_encrypt(
				rec + REC_HEAD, &clen, kp->sk, KEY_SK_BYTES, rec,
				11, NULL, nonce, key);
			n += (size_t)clen;
		}
		sodium_free(key);
		if (rc != BULU_OK)
			return rc;
	} else {
		memcpy(rec + REC_HEAD, kp->sk, KEY_SK_BYTES);
		n += KEY_SK_BYTES;
	}
	char b64[sodium_base64_ENCODED_LEN(REC_MAX, sodium_base64_VARIANT_ORIGINAL)];
	sodium_bin2base64(b64, sizeof b64, rec, n, sodium_base64_VARIANT_ORIGINAL);
	sodium_memzero(rec, sizeof rec);
	char text[1024];
	int tl = snprintf(text, sizeof text,
			  "untrusted comment: bulu secret key for station %s%s\n%s\n",
			  station, prot ? " (passphrase-protected)" : "", b64);
	sodium_memzero(b64, sizeof b64);
	int rc = fs_write_atomic(path, text, (size_t)tl, 0600, e);
	sodium_memzero(text, sizeof text);
	return rc;
}

static int read_passphrase(const char *given, char *out, size_t n, bulu_err *e)
{
	if (given && *given) {
		snprintf(out, n, "%s", given);
		return BULU_OK;
	}
	const char *file = getenv("BULU_PASSPHRASE_FILE");
	if (file && *file) {
		FILE *f = fopen(file, "r");
		if (!f)
			return bulu_errf(e, BULU_BADINPUT, "cannot read BULU_PASSPHRASE_FILE %s: %s", file, strerror(errno));
		if (!fgets(out, (int)n, f))
			out[0] = '\0';
		fclose(f);
		out[strcspn(out, "\r\n")] = '\0';
		return BULU_OK;
	}
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY);
	if (fd < 0)
		return bulu_errf(e, BULU_BADINPUT, "the station key is passphrase-protected: set BULU_PASSPHRASE_FILE or run on a terminal");
	struct termios old, quiet;
	int have = tcgetattr(fd, &old) == 0;
	if (have) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(fd, TCSAFLUSH, &quiet);
	}
	(void)!write(fd, "Station key passphrase: ", 24);
	ssize_t r = read(fd, out, n - 1);
	(void)!write(fd, "\n", 1);
	if (have)
		tcsetattr(fd, TCSAFLUSH, &old);
	close(fd);
	out[r > 0 ? r : 0] = '\0';
	out[strcspn(out, "\r\n")] = '\0';
	return BULU_OK;
}

int keys_peek_secret(const char *path, uint8_t key_id[KEY_ID_BYTES], uint8_t pk[KEY_PK_BYTES],
		     int *has_pk, bulu_err *e)
{
	*has_pk = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return bulu_errf(e, errno == ENOENT ? BULU_BADINPUT : BULU_SYSTEM,
				 "cannot open the station's secret key %s: %s", path, strerror(errno));
	char text[1024];
	ssize_t r = read(fd, text, sizeof text - 1);
	close(fd);
	if (r <= 0)
		return bulu_errf(e, BULU_INTEGRITY, "the station's secret key %s is empty or unreadable", path);
	text[r] = '\0';
	char *line = strchr(text, '\n');
	line = line ? line + 1 : text;
	line[strcspn(line, "\r\n")] = '\0';
	uint8_t rec[REC_MAX];
	size_t n = 0;
	int bad = sodium_base642bin(rec, sizeof rec, line, strlen(line), NULL, &n, NULL,
				    sodium_base64_VARIANT_ORIGINAL) != 0 ||
		  n < REC_HEAD + KEY_SK_BYTES || rec[0] != 'B' || rec[1] != 'K' || rec[2] > 1;
	sodium_memzero(text, sizeof text);
	if (!bad) {
		memcpy(key_id, rec + 3, KEY_ID_BYTES);
		if (rec[2] == 0 && n == REC_HEAD + KEY_SK_BYTES) {
			/* an Ed25519 secret key's second half is its public key */
			memcpy(pk, rec + REC_HEAD + KEY_SK_BYTES - KEY_PK_BYTES, KEY_PK_BYTES);
			*has_pk = 1;
		}
	}
	sodium_memzero(rec, sizeof rec);
	return bad ? bulu_errf(e, BULU_INTEGRITY, "%s is not a bulu secret key file", path) : BULU_OK;
}

int keys_load_secret(const char *path, const char *passphrase, keypair *kp,
		     bulu_err *e)
{
	memset(kp, 0, sizeof *kp);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return bulu_errf(e, errno == ENOENT ? BULU_BADINPUT : BULU_SYSTEM,
				 "cannot open the station's secret key %s: %s", path, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) != 0 || (st.st_mode & 077)) {
		close(fd);
		return bulu_errf(e, BULU_INTEGRITY,
				 "the station's secret key %s may be read by others (mode %04o): "
				 "refusing to use it. Run: chmod 600 %s, and ask IT whether the key "
				 "must be replaced", path, (unsigned)(st.st_mode & 07777), path);
	}
	char text[1024];
	ssize_t r = read(fd, text, sizeof text - 1);
	close(fd);
	if (r <= 0)
		return bulu_errf(e, BULU_INTEGRITY, "the station's secret key %s is empty or unreadable", path);
	text[r] = '\0';
	char *line = strchr(text, '\n');
	line = line ? line + 1 : text;
	line[strcspn(line, "\r\n")] = '\0';
	uint8_t rec[REC_MAX];
	size_t n = 0;
	if (sodium_base642bin(rec, sizeof rec, line, strlen(line), NULL, &n, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    n < REC_HEAD + KEY_SK_BYTES || rec[0] != 'B' || rec[1] != 'K' || rec[2] > 1) {
		sodium_memzero(text, sizeof text);
		return bulu_errf(e, BULU_INTEGRITY, "%s is not a bulu secret key file", path);
	}
	sodium_memzero(text, sizeof text);
	kp->sk = sodium_malloc(KEY_SK_BYTES);
	if (!kp->sk)
		return bulu_errf(e, BULU_SYSTEM, "out of secure memory");
	int rc = BULU_OK;
	if (rec[2] == 1) {
		char *pass = sodium_malloc(256);
		uint8_t *key = sodium_malloc(32);
		if (!pass || !key)
			rc = bulu_errf(e, BULU_SYSTEM, "out of secure memory");
		if (rc == BULU_OK)
			rc = read_passphrase(passphrase, pass, 256, e);
		if (rc == BULU_OK)
			rc = derive(key, pass, rec + 27, get_u64(rec + 11), get_u64(rec + 19), e);
		if (rc == BULU_OK &&
		    (n != REC_MAX ||
		     crypto_aead_xchacha20poly1305_ietf_decrypt(
			     kp->sk, NULL, NULL, rec + REC_HEAD, n - REC_HEAD, rec, 11,
			     rec + 27 + crypto_pwhash_SALTBYTES, key) != 0))
			rc = bulu_errf(e, BULU_BADINPUT, "wrong passphrase for the station key %s", path);
		if (pass)
			sodium_free(pass);
		if (key)
			sodium_free(key);
	} else if (n == REC_HEAD + KEY_SK_BYTES) {
		memcpy(kp->sk, rec + REC_HEAD, KEY_SK_BYTES);
	} else {
		rc = bulu_errf(e, BULU_INTEGRITY, "%s is not a bulu secret key file", path);
	}
	sodium_memzero(rec, sizeof rec);
	if (rc != BULU_OK) {
		keys_free(kp);
		return rc;
	}
	crypto_sign_ed25519_sk_to_pk(kp->pk, kp->sk);
	keys_key_id(kp->pk, kp->key_id);
	return BULU_OK;
}

/* minisign shows a key id as the hex of its 8 bytes read little-endian. */
void keys_key_id_hex(const uint8_t id[KEY_ID_BYTES], char out[17])
{
	snprintf(out, 17, "%016llX", (unsigned long long)get_u64(id));
}

int keys_minisign_pubkey(const uint8_t pk[KEY_PK_BYTES], const char *comment,
			 char *out, size_t n)
{
	uint8_t raw[2 + KEY_ID_BYTES + KEY_PK_BYTES];
	char idhex[17];
	raw[0] = 'E';
	raw[1] = 'd';
	keys_key_id(pk, raw + 2);
	memcpy(raw + 2 + KEY_ID_BYTES, pk, KEY_PK_BYTES);
	keys_key_id_hex(raw + 2, idhex);
	char b64[sodium_base64_ENCODED_LEN(sizeof raw, sodium_base64_VARIANT_ORIGINAL)];
	sodium_bin2base64(b64, sizeof b64, raw, sizeof raw, sodium_base64_VARIANT_ORIGINAL);
	int w = comment ? snprintf(out, n, "untrusted comment: %s\n%s\n", comment, b64)
			: snprintf(out, n, "untrusted comment: minisign public key %s\n%s\n", idhex, b64);
	return w > 0 && (size_t)w < n ? 0 : -1;
}

int keys_parse_minisign_pubkey(const char *text, uint8_t pk[KEY_PK_BYTES],
			       uint8_t id[KEY_ID_BYTES], bulu_err *e)
{
	const char *line = text;
	if (strncmp(text, "untrusted comment:", 18) == 0) {
		line = strchr(text, '\n');
		if (!line)
			return bulu_errf(e, BULU_BADINPUT, "not a minisign public key");
		line++;
	}
	size_t len = strcspn(line, "\r\n");
	uint8_t raw[2 + KEY_ID_BYTES + KEY_PK_BYTES];
	size_t n = 0;
	if (sodium_base642bin(raw, sizeof raw, line, len, NULL, &n, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    n != sizeof raw || raw[0] != 'E' || raw[1] != 'd')
		return bulu_errf(e, BULU_BADINPUT, "not a minisign Ed25519 public key");
	memcpy(id, raw + 2, KEY_ID_BYTES);
	memcpy(pk, raw + 2 + KEY_ID_BYTES, KEY_PK_BYTES);
	return BULU_OK;
}
