/* test_minisig.c - minisign "ED" signatures: sign, parse, check; every
 * change outside the untrusted comment is caught; malformed texts are
 * refused with a reason and never crash the parser. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "bulu/minisig.h"

static keypair kp, other;
static const char data[] = "bundle bytes: BL-OPD1-1..BL-OPD1-42\n";
static const char trusted[] = "station:OPD1 seq:1-42 head:0123abcd size:37";

static int setup(void **state)
{
	(void)state;
	bulu_err e = {0};
	if (keys_init(&e) != BULU_OK || keys_generate(&kp, &e) != BULU_OK ||
	    keys_generate(&other, &e) != BULU_OK)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	keys_free(&kp);
	keys_free(&other);
	return 0;
}

/* The signature text of data, made with kp. */
static void sign_data(buf *out)
{
	uint8_t h[MINISIG_PREHASH_BYTES];
	bulu_err e = {0};
	minisig_prehash(data, sizeof data - 1, h);
	assert_int_equal(minisig_sign(h, kp.sk, kp.key_id, "signature from bulu", trusted, out, &e),
			 BULU_OK);
}

/* 0 when text parses, names kp's key and both signatures hold over data. */
static int verifies(const char *text, size_t n)
{
	minisig s;
	uint8_t h[MINISIG_PREHASH_BYTES];
	bulu_err e = {0};
	if (minisig_parse(text, n, &s, &e) != BULU_OK)
		return -1;
	minisig_prehash(data, sizeof data - 1, h);
	if (memcmp(s.key_id, kp.key_id, KEY_ID_BYTES) != 0 || minisig_check_trusted(&s, kp.pk) != 0 ||
	    minisig_check(&s, h, kp.pk) != 0 || strcmp(s.trusted, trusted) != 0)
		return -1;
	return 0;
}

static void test_sign_parse_check(void **state)
{
	(void)state;
	buf t = BUF_INIT;
	minisig s;
	bulu_err e = {0};
	uint8_t h[MINISIG_PREHASH_BYTES];
	sign_data(&t);
	assert_int_equal(minisig_parse(t.p, t.len, &s, &e), BULU_OK);
	assert_memory_equal(s.key_id, kp.key_id, KEY_ID_BYTES);
	assert_string_equal(s.trusted, trusted);
	assert_int_equal(minisig_check_trusted(&s, kp.pk), 0);
	minisig_prehash(data, sizeof data - 1, h);
	assert_int_equal(minisig_check(&s, h, kp.pk), 0);
	assert_int_equal(verifies(t.p, t.len), 0);

	/* The layout: four lines, the second the base64 of "ED" | id | sig. */
	char *l2 = strchr(t.p, '\n') + 1;
	assert_true(strncmp(t.p, "untrusted comment: signature from bulu\n", 39) == 0);
	uint8_t bin[80];
	size_t bl = 0;
	assert_int_equal(sodium_base642bin(bin, sizeof bin, l2, strcspn(l2, "\n"), NULL, &bl, NULL,
					   sodium_base64_VARIANT_ORIGINAL), 0);
	assert_int_equal(bl, 74);
	assert_memory_equal(bin, "ED", 2);
	assert_memory_equal(bin + 2, kp.key_id, KEY_ID_BYTES);
	assert_non_null(strstr(t.p, "\ntrusted comment: station:OPD1 seq:1-42 head:0123abcd size:37\n"));
	assert_int_equal(t.p[t.len - 1], '\n');

	/* The prehash is BLAKE2b-512 of the data, unkeyed. */
	uint8_t want[64];
	crypto_generichash(want, sizeof want, (const uint8_t *)data, sizeof data - 1, NULL, 0);
	assert_memory_equal(h, want, 64);

	/* The other key holds neither signature. */
	assert_int_not_equal(minisig_check_trusted(&s, other.pk), 0);
	assert_int_not_equal(minisig_check(&s, h, other.pk), 0);
	buf_free(&t);
}

static void test_flips_caught(void **state)
{
	(void)state;
	buf t = BUF_INIT;
	minisig s;
	bulu_err e = {0};
	uint8_t h[MINISIG_PREHASH_BYTES];
	sign_data(&t);
	assert_int_equal(minisig_parse(t.p, t.len, &s, &e), BULU_OK);
	minisig_prehash(data, sizeof data - 1, h);
	/* Trusted comment altered: the global signature fails, the file's holds. */
	s.trusted[8] ^= 1;
	assert_int_not_equal(minisig_check_trusted(&s, kp.pk), 0);
	assert_int_equal(minisig_check(&s, h, kp.pk), 0);
	s.trusted[8] ^= 1;
	s.trusted[strlen(s.trusted)] = 'x'; /* longer by one */
	assert_int_not_equal(minisig_check_trusted(&s, kp.pk), 0);
	s.trusted[strlen(s.trusted) - 1] = '\0';
	assert_int_equal(minisig_check_trusted(&s, kp.pk), 0);
	/* Prehash altered, i.e. the file changed. */
	for (int i = 0; i < MINISIG_PREHASH_BYTES; i += 9) {
		h[i] ^= 0x40;
		assert_int_not_equal(minisig_check(&s, h, kp.pk), 0);
		h[i] ^= 0x40;
	}
	/* Signature bytes altered. */
	s.sig[0] ^= 1;
	assert_int_not_equal(minisig_check(&s, h, kp.pk), 0);
	assert_int_not_equal(minisig_check_trusted(&s, kp.pk), 0); /* it covers sig */
	s.sig[0] ^= 1;
	s.global_sig[63] ^= 0x10;
	assert_int_not_equal(minisig_check_trusted(&s, kp.pk), 0);
	buf_free(&t);
}

/* Every byte of the text outside the untrusted comment's own text matters:
 * changed, the signature no longer verifies (or no longer parses). */
static void test_every_text_flip(void **state)
{
	(void)state;
	buf t = BUF_INIT;
	sign_data(&t);
	size_t free_from = strlen("untrusted comment: "), free_to = strcspn(t.p, "\n");
	static const uint8_t masks[] = {0x01, 0x20, 0x80};
	for (size_t i = 0; i < t.len; i++) {
		if (i >= free_from && i < free_to)
			continue;
		for (size_t m = 0; m < sizeof masks; m++) {
			t.p[i] ^= (char)masks[m];
			int v = verifies(t.p, t.len);
			t.p[i] ^= (char)masks[m];
			if (v == 0)
				fail_msg("flip %02x at byte %zu still verifies", masks[m], i);
		}
	}
	/* The untrusted comment is not signed: changing it changes nothing. */
	t.p[free_from] = 'S';
	assert_int_equal(verifies(t.p, t.len), 0);
	buf_free(&t);
}

/* Parse text with its own length; must be refused naming `why`. */
static void refused(const char *text, const char *why)
{
	minisig s;
	bulu_err e = {0};
	if (minisig_parse(text, strlen(text), &s, &e) != BULU_INTEGRITY)
		fail_msg("accepted: %s", text);
	if (!strstr(e.msg, why))
		fail_msg("message \"%s\" does not say \"%s\"", e.msg, why);
}

/* The four lines of a good signature, to be reassembled with changes. */
static char L[4][1200];

static void split_good(void)
{
	buf t = BUF_INIT;
	sign_data(&t);
	const char *p = t.p;
	for (int i = 0; i < 4; i++) {
		size_t len = strcspn(p, "\n");
		snprintf(L[i], sizeof L[i], "%.*s", (int)len, p);
		p += len + 1;
	}
	buf_free(&t);
}

static char *join4(char *out, size_t n, const char *a, const char *b, const char *c,
		   const char *d)
{
	snprintf(out, n, "%s\n%s\n%s\n%s\n", a, b, c, d);
	return out;
}

/* line 2 re-encoded from its bytes with byte i set to v */
static void resign_alg(char *out, size_t n, size_t i, uint8_t v)
{
	uint8_t bin[74];
	size_t bl;
	assert_int_equal(sodium_base642bin(bin, sizeof bin, L[1], strlen(L[1]), NULL, &bl, NULL,
					   sodium_base64_VARIANT_ORIGINAL), 0);
	bin[i] = v;
	sodium_bin2base64(out, n, bin, bl, sodium_base64_VARIANT_ORIGINAL);
}

static void test_parse_refuses(void **state)
{
	(void)state;
	char t[4096], l2[200], big[1100];
	split_good();
	/* Line endings: CRLF and a missing final newline are fine. */
	snprintf(t, sizeof t, "%s\r\n%s\r\n%s\r\n%s\r\n", L[0], L[1], L[2], L[3]);
	assert_int_equal(verifies(t, strlen(t)), 0);
	snprintf(t, sizeof t, "%s\n%s\n%s\n%s", L[0], L[1], L[2], L[3]);
	assert_int_equal(verifies(t, strlen(t)), 0);
	snprintf(t, sizeof t, "%s\n%s\n%s\n%s\r\n", L[0], L[1], L[2], L[3]);
	assert_int_equal(verifies(t, strlen(t)), 0);

	refused("", "line 1 of 4 is missing");
	refused(L[0], "line 2 of 4 is missing");
	snprintf(t, sizeof t, "%s\n%s\n", L[0], L[1]);
	refused(t, "line 3 of 4 is missing");
	snprintf(t, sizeof t, "%s\n%s\n%s\n", L[0], L[1], L[2]);
	refused(t, "line 4 of 4 is missing");
	refused(join4(t, sizeof t, L[1], L[0], L[2], L[3]), "first line");
	refused(join4(t, sizeof t, L[0], L[1], L[3], L[2]), "third line");
	snprintf(t, sizeof t, "%s\n%s\n%s\n%s\n\n", L[0], L[1], L[2], L[3]);
	refused(t, "more than four lines");
	snprintf(t, sizeof t, "%s\n%s\n%s\n%s\nextra\n", L[0], L[1], L[2], L[3]);
	refused(t, "more than four lines");
	snprintf(t, sizeof t, "%s\n%s\n%s\n%s\r", L[0], L[1], L[2], L[3]);
	refused(t, "carriage return");
	snprintf(t, sizeof t, "%s\n%s\n%s\r%s\n", L[0], L[1], L[2], L[3]);
	refused(t, "carriage return");

	/* Prefixes exactly as minisign writes them. */
	refused(join4(t, sizeof t, "untrusted comment:x", L[1], L[2], L[3]), "first line");
	refused(join4(t, sizeof t, "Untrusted comment: x", L[1], L[2], L[3]), "first line");
	snprintf(l2, sizeof l2, "Trusted comment: %s", trusted);
	refused(join4(t, sizeof t, L[0], L[1], l2, L[3]), "third line");

	/* Algorithms: the legacy "Ed" is named as such; others are refused. */
	resign_alg(l2, sizeof l2, 1, 'd');
	refused(join4(t, sizeof t, L[0], l2, L[2], L[3]), "legacy");
	resign_alg(l2, sizeof l2, 0, 'X');
	refused(join4(t, sizeof t, L[0], l2, L[2], L[3]), "algorithm");

	/* Base64: bad letters, no padding, spaces, wrong length, non-canonical. */
	snprintf(l2, sizeof l2, "%s", L[1]);
	l2[10] = '!';
	refused(join4(t, sizeof t, L[0], l2, L[2], L[3]), "second line");
	snprintf(l2, sizeof l2, "%s", L[1]);
	l2[10] = (char)(l2[10] | 0x80); /* libsodium's decoder alone lets this through */
	refused(join4(t, sizeof t, L[0], l2, L[2], L[3]), "second line");
	snprintf(l2, sizeof l2, "%.*s", (int)strlen(L[1]) - 1, L[1]); /* '=' dropped */
	refused(join4(t, sizeof t, L[0], l2, L[2], L[3]), "second line");
	snprintf(l2, sizeof l2, " %s", L[1]);
	refused(join4(t, sizeof t, L[0], l2, L[2], L[3]), "second line");
	snprintf(l2, sizeof l2, "%sAAAA", L[1]);
	refused(join4(t, sizeof t, L[0], l2, L[2], L[3]), "second line");
	snprintf(l2, sizeof l2, "%s", L[1]);
	size_t last = strlen(l2) - 2; /* the letter before "=": its low 2 bits are padding */
	l2[last] = l2[last] == 'B' ? 'C' : 'B';
	refused(join4(t, sizeof t, L[0], l2, L[2], L[3]), "second line");
	refused(join4(t, sizeof t, L[0], L[1], L[2], L[1]), "fourth line");
	refused(join4(t, sizeof t, L[0], L[1], L[2], ""), "fourth line");

	/* Overlong comments. */
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	char line[1200];
	snprintf(line, sizeof line, "trusted comment: %.*s", MINISIG_TRUSTED_MAX, big);
	refused(join4(t, sizeof t, L[0], L[1], line, L[3]), "longer than");
	snprintf(line, sizeof line, "untrusted comment: %.*s", MINISIG_UNTRUSTED_MAX, big);
	refused(join4(t, sizeof t, line, L[1], L[2], L[3]), "longer than");
	snprintf(line, sizeof line, "untrusted comment: %.*s", MINISIG_UNTRUSTED_MAX - 1, big);
	join4(t, sizeof t, line, L[1], L[2], L[3]);
	assert_int_equal(verifies(t, strlen(t)), 0);

	/* A NUL inside: the length given counts, not the string. */
	snprintf(t, sizeof t, "%s\n%s\n%s\n%s\n", L[0], L[1], L[2], L[3]);
	size_t n = strlen(t);
	t[5] = '\0';
	minisig s;
	bulu_err e = {0};
	assert_int_equal(minisig_parse(t, n, &s, &e), BULU_INTEGRITY);
	assert_non_null(strstr(e.msg, "NUL"));
}

/* Junk of every shape: refused, and never a read outside the text. */
static void test_parse_junk(void **state)
{
	(void)state;
	buf t = BUF_INIT;
	sign_data(&t);
	uint32_t x = 2463534242u;
	for (int round = 0; round < 3000; round++) {
		size_t n = (size_t)(x % 400);
		char *junk = malloc(n ? n : 1); /* exact size: ASan sees any overread */
		assert_non_null(junk);
		for (size_t i = 0; i < n; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			/* mostly base64 letters and newlines, so parsing gets far */
			junk[i] = (x & 3) == 0 ? '\n' : (char)(x >> 8);
			if (round % 2 && i < t.len && (x & 0x70))
				junk[i] = t.p[i]; /* a mutated good signature */
		}
		minisig s;
		bulu_err e = {0};
		int rc = minisig_parse(junk, n, &s, &e);
		assert_true(rc == BULU_OK || rc == BULU_INTEGRITY);
		if (rc != BULU_OK)
			assert_true(e.msg[0] != '\0');
		free(junk);
		x += (uint32_t)round;
	}
	buf_free(&t);
}

static void test_sign_refuses(void **state)
{
	(void)state;
	uint8_t h[MINISIG_PREHASH_BYTES] = {0};
	buf out = BUF_INIT;
	bulu_err e = {0};
	char big[MINISIG_TRUSTED_MAX + 1];
	assert_int_equal(minisig_sign(h, kp.sk, kp.key_id, "two\nlines", "t", &out, &e), BULU_BADINPUT);
	assert_int_equal(minisig_sign(h, kp.sk, kp.key_id, "u", "t\r", &out, &e), BULU_BADINPUT);
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(minisig_sign(h, kp.sk, kp.key_id, "u", big, &out, &e), BULU_BADINPUT);
	assert_int_equal(minisig_sign(h, kp.sk, kp.key_id, big, "t", &out, &e), BULU_BADINPUT);
	assert_int_equal(out.len, 0);
	big[MINISIG_TRUSTED_MAX - 1] = '\0'; /* the longest allowed */
	assert_int_equal(minisig_sign(h, kp.sk, kp.key_id, "u", big, &out, &e), BULU_OK);
	minisig s;
	assert_int_equal(minisig_parse(out.p, out.len, &s, &e), BULU_OK);
	assert_int_equal(strlen(s.trusted), MINISIG_TRUSTED_MAX - 1);
	assert_int_equal(minisig_check_trusted(&s, kp.pk), 0);
	buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sign_parse_check),
		cmocka_unit_test(test_flips_caught),
		cmocka_unit_test(test_every_text_flip),
		cmocka_unit_test(test_parse_refuses),
		cmocka_unit_test(test_parse_junk),
		cmocka_unit_test(test_sign_refuses),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
