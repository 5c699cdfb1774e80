/* test_seal.c - the central key files and sealed bundles: round trips at
 * the chunk sizes that matter, the wrong key, truncation and damage (only
 * authenticated plaintext ever comes out), and key files given by mistake. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <sodium.h>

#include "bulu/fsutil.h"
#include "bulu/keys.h"
#include "bulu/seal.h"
#include "testutil.h"

#define HEAD (9 + 80 + 24)  /* magic, version, sealed key, stream header */
#define A 17                /* secretstream's bytes per chunk */
#define FULL (SEAL_CHUNK + A)

static char dir[512], other[512];
static central_keys ck, wrong;

static int setup(void **state)
{
	(void)state;
	bulu_err e = {0};
	if (!tu_mkdtemp(dir, sizeof dir, "seal") || !tu_mkdtemp(other, sizeof other, "seal2"))
		return -1;
	if (central_create(dir, &e) != BULU_OK || central_load(dir, &ck, &e) != BULU_OK ||
	    central_create(other, &e) != BULU_OK || central_load(other, &wrong, &e) != BULU_OK) {
		fprintf(stderr, "setup: %s\n", e.msg);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	central_free(&ck);
	central_free(&wrong);
	tu_rm_tree(dir);
	tu_rm_tree(other);
	return 0;
}

static uint8_t *pattern(size_t n)
{
	uint8_t *p = malloc(n ? n : 1);
	assert_non_null(p);
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 31 + i / 65536); /* chunks differ from each other */
	return p;
}

static void seal(const uint8_t *in, size_t n, buf *z)
{
	bulu_err e = {0};
	assert_int_equal(seal_encrypt(in, n, ck.pk, z, &e), BULU_OK);
}

/* Decrypt z[0..len) expecting rc and opened; out gets the plaintext. */
static void open_expect(const void *z, size_t len, int want_rc, int want_opened,
			buf *out, bulu_err *e)
{
	int opened = -1;
	int rc = seal_decrypt(z, len, &ck, out, &opened, e);
	if (rc != want_rc || opened != want_opened)
		fail_msg("length %zu: rc %d opened %d, wanted %d %d (%s)", len, rc, opened,
			 want_rc, want_opened, e->msg);
}

static void round_trip(size_t n)
{
	uint8_t *p = pattern(n);
	buf z = BUF_INIT, out = BUF_INIT;
	bulu_err e = {0};
	seal(p, n, &z);
	assert_int_equal(z.len, HEAD + n + (n / SEAL_CHUNK + 1) * A);
	assert_memory_equal(z.p, "BULUSEAL\x01", 9);
	assert_true(seal_is_sealed(z.p, z.len));
	open_expect(z.p, z.len, BULU_OK, 1, &out, &e);
	assert_int_equal(out.len, n);
	if (n)
		assert_memory_equal(out.p, p, n);
	buf_free(&z);
	buf_free(&out);
	free(p);
}

static void test_round_trips(void **state)
{
	(void)state;
	size_t sizes[] = {0, 1, 200, SEAL_CHUNK - 1, SEAL_CHUNK, SEAL_CHUNK + 1,
			  2 * SEAL_CHUNK, 7 * SEAL_CHUNK / 2};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
		round_trip(sizes[i]);
}

static void test_fresh_key_each_time(void **state)
{
	(void)state;
	buf a = BUF_INIT, b = BUF_INIT;
	seal((const uint8_t *)"same", 4, &a);
	seal((const uint8_t *)"same", 4, &b);
	assert_int_equal(a.len, b.len);
	assert_memory_not_equal(a.p + 9, b.p + 9, a.len - 9);
	assert_false(seal_is_sealed("BULUSEA", 7));
	assert_false(seal_is_sealed("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00", 9));
	buf_free(&a);
	buf_free(&b);
}

static void test_wrong_key(void **state)
{
	(void)state;
	uint8_t *p = pattern(1000);
	buf z = BUF_INIT, out = BUF_INIT;
	bulu_err e = {0};
	int opened = -1;
	seal(p, 1000, &z);
	assert_int_equal(seal_decrypt(z.p, z.len, &wrong, &out, &opened, &e), BULU_INTEGRITY);
	assert_int_equal(opened, 0);
	assert_non_null(strstr(e.msg, "different central key"));
	assert_int_equal(out.len, 0);
	/* A public-only key cannot open anything. */
	central_keys pub = {{0}, NULL};
	memcpy(pub.pk, ck.pk, SEAL_PK_BYTES);
	assert_int_equal(seal_decrypt(z.p, z.len, &pub, &out, &opened, &e), BULU_BADINPUT);
	assert_int_equal(opened, 0);
	buf_free(&z);
	buf_free(&out);
	free(p);
}

/* Cut a 3.5-chunk bundle at len: opened, and out is exactly the chunks
 * that lie wholly before the cut. */
static void cut_at(const buf *z, const uint8_t *p, size_t len, size_t chunks_left)
{
	buf out = BUF_INIT;
	bulu_err e = {0};
	open_expect(z->p, len, BULU_INTEGRITY, 1, &out, &e);
	assert_int_equal(out.len, chunks_left * SEAL_CHUNK);
	if (out.len)
		assert_memory_equal(out.p, p, out.len);
	assert_true(strstr(e.msg, "truncated") || strstr(e.msg, "does not authenticate"));
	buf_free(&out);
}

static void test_truncation(void **state)
{
	(void)state;
	size_t n = 7 * SEAL_CHUNK / 2;
	uint8_t *p = pattern(n);
	buf z = BUF_INIT, out = BUF_INIT;
	bulu_err e = {0};
	seal(p, n, &z);
	for (size_t c = 0; c < 4; c++) {
		cut_at(&z, p, HEAD + c * FULL, c);          /* at a chunk boundary */
		cut_at(&z, p, HEAD + c * FULL + 5, c);      /* shorter than a tag */
		cut_at(&z, p, HEAD + c * FULL + A, c);      /* tag, no data */
		cut_at(&z, p, HEAD + c * FULL + 1000, c);   /* mid-chunk */
	}
	cut_at(&z, p, z.len - 1, 3); /* the final chunk short by one byte */
	/* Inside the header nothing opens. */
	size_t heads[] = {0, 8, 9, 50, HEAD - 1};
	for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++) {
		open_expect(z.p, heads[i], BULU_INTEGRITY, 0, &out, &e);
		assert_int_equal(out.len, 0);
	}
	buf_free(&z);
	free(p);
	buf_free(&out);
}

/* n a multiple of the chunk size: the final chunk is empty, and a file
 * without it (a whole, valid-looking chunk sequence) is still refused. */
static void test_final_chunk_removed(void **state)
{
	(void)state;
	size_t sizes[] = {0, SEAL_CHUNK, 2 * SEAL_CHUNK};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		size_t n = sizes[i];
		uint8_t *p = pattern(n);
		buf z = BUF_INIT, out = BUF_INIT;
		bulu_err e = {0};
		seal(p, n, &z);
		assert_int_equal(z.len, HEAD + n + (n / SEAL_CHUNK) * A + A);
		open_expect(z.p, z.len - A, BULU_INTEGRITY, 1, &out, &e);
		assert_non_null(strstr(e.msg, "without its final chunk"));
		assert_int_equal(out.len, n);
		if (n)
			assert_memory_equal(out.p, p, n);
		buf_free(&z);
		buf_free(&out);
		free(p);
	}
}

static void test_reordered_and_junk(void **state)
{
	(void)state;
	size_t n = 7 * SEAL_CHUNK / 2;
	uint8_t *p = pattern(n);
	buf z = BUF_INIT, out = BUF_INIT;
	bulu_err e = {0};
	seal(p, n, &z);
	/* Chunks 2 and 3 swapped: chunk 1 comes out, then it stops. */
	uint8_t *tmp = malloc(FULL);
	assert_non_null(tmp);
	memcpy(tmp, z.p + HEAD + FULL, FULL);
	memcpy(z.p + HEAD + FULL, z.p + HEAD + 2 * FULL, FULL);
	memcpy(z.p + HEAD + 2 * FULL, tmp, FULL);
	open_expect(z.p, z.len, BULU_INTEGRITY, 1, &out, &e);
	assert_non_null(strstr(e.msg, "chunk 2"));
	assert_int_equal(out.len, SEAL_CHUNK);
	assert_memory_equal(out.p, p, SEAL_CHUNK);
	free(tmp);
	/* A byte appended joins the short final chunk, which then fails: the
	 * full chunks before it come out. */
	buf_reset(&z);
	buf_reset(&out);
	seal(p, n, &z);
	buf_puts(&z, "x");
	open_expect(z.p, z.len, BULU_INTEGRITY, 1, &out, &e);
	assert_non_null(strstr(e.msg, "chunk 4"));
	assert_int_equal(out.len, 3 * SEAL_CHUNK);
	assert_memory_equal(out.p, p, out.len);
	/* Another bundle appended whole is refused as well. */
	buf_reset(&z);
	buf_reset(&out);
	seal(p, 10, &z);
	seal(p, 10, &z);
	open_expect(z.p, z.len, BULU_INTEGRITY, 1, &out, &e);
	assert_int_equal(out.len, 0);
	buf_free(&z);
	buf_free(&out);
	free(p);
}

/* A bundle made by hand: its header, then one chunk of m bytes with tag. */
static void handmade(buf *z, const uint8_t *p, size_t m, unsigned char tag)
{
	uint8_t key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
	crypto_secretstream_xchacha20poly1305_state st;
	unsigned long long clen;
	assert_int_equal(buf_reserve(z, HEAD + m + A), 0);
	uint8_t *h = (uint8_t *)z->p + z->len;
	memcpy(h, "BULUSEAL\x01", 9);
	crypto_secretstream_xchacha20poly1305_keygen(key);
	assert_int_equal(crypto_box_seal(h + 9, key, sizeof key, ck.pk), 0);
	crypto_secretstream_xchacha20poly1305_init_push(&st, h + 89, key);
	crypto_secretstream_xchacha20poly1305_push(&st, h + HEAD, &clen, p, m, h, 9, tag);
	z->len += HEAD + (size_t)clen;
}

/* What the encoder never writes but a foreign one might: a full chunk
 * with the FINAL tag, alone and followed by junk; a short non-final chunk. */
static void test_foreign_framing(void **state)
{
	(void)state;
	uint8_t *p = pattern(SEAL_CHUNK);
	buf z = BUF_INIT, out = BUF_INIT;
	bulu_err e = {0};
	handmade(&z, p, SEAL_CHUNK, crypto_secretstream_xchacha20poly1305_TAG_FINAL);
	open_expect(z.p, z.len, BULU_INTEGRITY, 1, &out, &e);
	assert_non_null(strstr(e.msg, "final chunk is full"));
	buf_puts(&z, "junk");
	buf_reset(&out);
	open_expect(z.p, z.len, BULU_INTEGRITY, 1, &out, &e);
	assert_non_null(strstr(e.msg, "junk after the end"));
	assert_int_equal(out.len, SEAL_CHUNK); /* it authenticated */
	buf_reset(&z);
	buf_reset(&out);
	handmade(&z, p, 100, crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
	open_expect(z.p, z.len, BULU_INTEGRITY, 1, &out, &e);
	assert_non_null(strstr(e.msg, "without its final chunk"));
	assert_int_equal(out.len, 100);
	buf_reset(&z);
	handmade(&z, p, 100, crypto_secretstream_xchacha20poly1305_TAG_PUSH);
	open_expect(z.p, z.len, BULU_INTEGRITY, 1, &out, &e);
	assert_non_null(strstr(e.msg, "unexpected tag"));
	buf_reset(&z);
	handmade(&z, p, 100, crypto_secretstream_xchacha20poly1305_TAG_FINAL);
	buf_reset(&out);
	open_expect(z.p, z.len, BULU_OK, 1, &out, &e); /* the helper is sound */
	assert_int_equal(out.len, 100);
	buf_free(&z);
	buf_free(&out);
	free(p);
}

/* Every byte of a one-chunk bundle matters, and no flip lets a byte of
 * unauthenticated plaintext out. */
static void test_every_flip(void **state)
{
	(void)state;
	uint8_t *p = pattern(200);
	buf z = BUF_INIT, out = BUF_INIT;
	seal(p, 200, &z);
	assert_int_equal(z.len, HEAD + 200 + A);
	static const uint8_t masks[] = {0x01, 0x80, 0xff};
	for (size_t i = 0; i < z.len; i++) {
		for (size_t m = 0; m < sizeof masks; m++) {
			bulu_err e = {0};
			int opened = -1;
			z.p[i] ^= (char)masks[m];
			int rc = seal_decrypt(z.p, z.len, &ck, &out, &opened, &e);
			z.p[i] ^= (char)masks[m];
			if (rc != BULU_INTEGRITY || out.len != 0)
				fail_msg("flip %02x at byte %zu: rc %d, %zu bytes out", masks[m], i, rc, out.len);
			/* The key opens unless the flip hit the magic, version or sealed key. */
			assert_int_equal(opened, i >= 9 + 80);
			assert_true(e.msg[0] != '\0');
		}
	}
	bulu_err e = {0};
	open_expect(z.p, z.len, BULU_OK, 1, &out, &e); /* all restored */
	assert_memory_equal(out.p, p, 200);
	buf_free(&z);
	buf_free(&out);
	free(p);
}

/* central.key / central.pub: agree with each other, refused when readable
 * by others, never replaced, and the wrong files are named for what they are. */
static void test_key_files(void **state)
{
	(void)state;
	char path[600], pubp[600];
	uint8_t pk[SEAL_PK_BYTES];
	bulu_err e = {0};
	struct stat st;
	snprintf(path, sizeof path, "%s/central.key", dir);
	snprintf(pubp, sizeof pubp, "%s/central.pub", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(central_load_public(pubp, pk, &e), BULU_OK);
	assert_memory_equal(pk, ck.pk, SEAL_PK_BYTES);
	assert_memory_not_equal(ck.pk, wrong.pk, SEAL_PK_BYTES);
	/* Sealed to the loaded central.pub, opened with central.key. */
	buf z = BUF_INIT, out = BUF_INIT;
	int opened;
	assert_int_equal(seal_encrypt("x", 1, pk, &z, &e), BULU_OK);
	assert_int_equal(seal_decrypt(z.p, z.len, &ck, &out, &opened, &e), BULU_OK);
	assert_string_equal(out.p, "x");

	assert_int_equal(central_create(dir, &e), BULU_BADINPUT);
	assert_non_null(strstr(e.msg, "already exists"));
	central_keys again = {{0}, NULL};
	assert_int_equal(central_load(dir, &again, &e), BULU_OK);
	assert_memory_equal(again.pk, ck.pk, SEAL_PK_BYTES); /* not replaced */
	central_free(&again);

	chmod(path, 0640);
	assert_int_equal(central_load(dir, &again, &e), BULU_INTEGRITY);
	assert_non_null(strstr(e.msg, "chmod 600"));
	assert_non_null(strstr(e.msg, path));
	assert_null(again.sk);
	chmod(path, 0600);

	assert_int_equal(central_load_public(path, pk, &e), BULU_BADINPUT);
	assert_non_null(strstr(e.msg, "SECRET"));

	/* A station's public key given by mistake. */
	char station[512], spath[600];
	keypair kp;
	assert_int_equal(keys_generate(&kp, &e), BULU_OK);
	keys_minisign_pubkey(kp.pk, NULL, station, sizeof station);
	snprintf(spath, sizeof spath, "%s/public.key", dir);
	assert_int_equal(fs_write_atomic(spath, station, strlen(station), 0644, &e), BULU_OK);
	assert_int_equal(central_load_public(spath, pk, &e), BULU_BADINPUT);
	assert_non_null(strstr(e.msg, "station's public key"));
	assert_int_equal(keys_save_secret(spath, &kp, "S1", NULL, &e), BULU_OK);
	assert_int_equal(central_load_public(spath, pk, &e), BULU_BADINPUT);
	assert_non_null(strstr(e.msg, "station's secret key"));
	keys_free(&kp);

	/* A damaged central.pub (one base64 letter changed) is refused. */
	char *text = NULL;
	size_t n = 0;
	FILE *f = fopen(pubp, "r");
	assert_non_null(f);
	text = calloc(1, 1024);
	n = fread(text, 1, 1023, f);
	fclose(f);
	char *line = strchr(text, '\n') + 1;
	line[20] = line[20] == 'A' ? 'B' : 'A';
	assert_int_equal(fs_write_atomic(spath, text, n, 0644, &e), BULU_OK);
	assert_int_equal(central_load_public(spath, pk, &e), BULU_BADINPUT);
	assert_non_null(strstr(e.msg, "damaged"));
	assert_int_equal(fs_write_atomic(spath, "garbage\n", 8, 0644, &e), BULU_OK);
	assert_int_equal(central_load_public(spath, pk, &e), BULU_BADINPUT);
	assert_non_null(strstr(e.msg, "not a central public key"));
	assert_int_equal(central_load_public("/nonexistent/central.pub", pk, &e), BULU_BADINPUT);
	assert_int_equal(central_load("/nonexistent", &again, &e), BULU_BADINPUT);
	assert_non_null(strstr(e.msg, "central init"));
	free(text);
	unlink(spath);
	buf_free(&z);
	buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_fresh_key_each_time),
		cmocka_unit_test(test_wrong_key),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_final_chunk_removed),
		cmocka_unit_test(test_reordered_and_junk),
		cmocka_unit_test(test_foreign_framing),
		cmocka_unit_test(test_every_flip),
		cmocka_unit_test(test_key_files),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
