/*
 * minisig.c - minisign's prehashed ("ED") detached signatures (format in
 * minisig.h).  Invariants: what minisig_sign writes, minisig_parse reads
 * back and the stock minisign verifies; the parser reads nothing outside
 * text[0..n), accepts exactly four lines (each may end in LF or CRLF, the
 * last may lack its newline) in canonical padded base64, and names the
 * first thing wrong with anything else.
 */
#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "bulu/minisig.h"

#define UNTRUSTED_PREFIX "untrusted comment: "
#define TRUSTED_PREFIX "trusted comment: "
#define SIG_BIN_BYTES (2 + KEY_ID_BYTES + 64) /* "ED" | key id | signature */

void minisig_prehash(const void *data, size_t n, uint8_t out[MINISIG_PREHASH_BYTES])
{
	crypto_generichash(out, MINISIG_PREHASH_BYTES, data, n, NULL, 0);
}

/* 1 when s is one line: no CR or LF. */
static int one_line(const char *s)
{
	return strpbrk(s, "\r\n") == NULL;
}

/* Base64 of n bytes (standard alphabet, padded) appended to out. */
static void put_base64(buf *out, const uint8_t *bin, size_t n)
{
	char b64[sodium_base64_ENCODED_LEN(SIG_BIN_BYTES, sodium_base64_VARIANT_ORIGINAL)];
	sodium_bin2base64(b64, sizeof b64, bin, n, sodium_base64_VARIANT_ORIGINAL);
	buf_puts(out, b64);
	buf_putc(out, '\n');
}

/* The message the global signature signs: sig | trusted comment text. */
static size_t global_message(const uint8_t sig[64], const char *trusted,
			     uint8_t msg[64 + MINISIG_TRUSTED_MAX])
{
	size_t tl = strlen(trusted);
	memcpy(msg, sig, 64);
	memcpy(msg + 64, trusted, tl);
	return 64 + tl;
}

int minisig_sign(const uint8_t prehash[MINISIG_PREHASH_BYTES], const uint8_t *sk,
		 const uint8_t key_id[KEY_ID_BYTES], const char *untrusted,
		 const char *trusted, buf *out, bulu_err *e)
{
	if (!one_line(untrusted) || !one_line(trusted))
		return bulu_errf(e, BULU_BADINPUT, "a signature comment must be one line");
	if (strlen(untrusted) >= MINISIG_UNTRUSTED_MAX)
		return bulu_errf(e, BULU_BADINPUT, "the untrusted comment is longer than %d bytes",
				 MINISIG_UNTRUSTED_MAX - 1);
	if (strlen(trusted) >= MINISIG_TRUSTED_MAX)
		return bulu_errf(e, BULU_BADINPUT, "the trusted comment is longer than %d bytes",
				 MINISIG_TRUSTED_MAX - 1);
	uint8_t bin[SIG_BIN_BYTES], glob[64], msg[64 + MINISIG_TRUSTED_MAX];
	bin[0] = 'E';
	bin[1] = 'D';
	memcpy(bin + 2, key_id, KEY_ID_BYTES);
	crypto_sign_detached(bin + 2 + KEY_ID_BYTES, NULL, prehash, MINISIG_PREHASH_BYTES, sk);
	size_t ml = global_message(bin + 2 + KEY_ID_BYTES, trusted, msg);
	crypto_sign_detached(glob, NULL, msg, ml, sk);
	buf_printf(out, "%s%s\n", UNTRUSTED_PREFIX, untrusted);
	put_base64(out, bin, sizeof bin);
	buf_printf(out, "%s%s\n", TRUSTED_PREFIX, trusted);
	put_base64(out, glob, sizeof glob);
	if (out->oom)
		return bulu_errf(e, BULU_SYSTEM, "out of memory writing a signature");
	return BULU_OK;
}

/* A line of the signature file: [p, p+len), its terminator stripped. */
struct line {
	const char *p;
	size_t len;
};

/*
 * Split the next line off text[*pos..n).  A line ends in LF or CRLF; only
 * the last may end at the end of the text.  Fails (-1) when there is no
 * line left, or a CR or NUL sits inside one.
 */
static int next_line(const char *text, size_t n, size_t *pos, struct line *l,
		     const char **why)
{
	if (*pos >= n) {
		*why = "is missing";
		return -1;
	}
	const char *p = text + *pos, *nl = memchr(p, '\n', n - *pos);
	size_t len = nl ? (size_t)(nl - p) : n - *pos;
	*pos += len + (nl ? 1 : 0);
	if (nl && len > 0 && p[len - 1] == '\r')
		len--;
	if (memchr(p, '\r', len) || memchr(p, '\0', len)) {
		*why = "holds a stray carriage return or NUL byte";
		return -1;
	}
	l->p = p;
	l->len = len;
	return 0;
}

/* 1 when every byte of the line is a base64 letter or '=' (libsodium's
 * decoder takes some bytes >= 0x80 for letters). */
static int base64_letters(const struct line *l)
{
	static const char letters[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
	for (size_t i = 0; i < l->len; i++)
		if (l->p[i] == '\0' || !strchr(letters, l->p[i]))
			return 0;
	return 1;
}

/* Decode a canonical base64 line of exactly want bytes; -1 otherwise. */
static int base64_line(const struct line *l, uint8_t *bin, size_t want)
{
	size_t got = 0;
	const char *end = NULL;
	if (l->len != sodium_base64_ENCODED_LEN(want, sodium_base64_VARIANT_ORIGINAL) - 1 ||
	    !base64_letters(l))
		return -1;
	if (sodium_base642bin(bin, want, l->p, l->len, NULL, &got, &end,
			      sodium_base64_VARIANT_ORIGINAL) != 0)
		return -1;
	return got == want && end == l->p + l->len ? 0 : -1;
}

/* The comment line after its prefix; -1 unless it starts with prefix. */
static int comment_line(const struct line *l, const char *prefix, struct line *text)
{
	size_t pl = strlen(prefix);
	if (l->len < pl || memcmp(l->p, prefix, pl) != 0)
		return -1;
	text->p = l->p + pl;
	text->len = l->len - pl;
	return 0;
}

int minisig_parse(const char *text, size_t n, minisig *s, bulu_err *e)
{
	struct line l[4], untrusted, trusted;
	size_t pos = 0;
	const char *why = NULL;
	uint8_t bin[SIG_BIN_BYTES];
	memset(s, 0, sizeof *s);
	for (int i = 0; i < 4; i++)
		if (next_line(text, n, &pos, &l[i], &why) != 0)
			return bulu_errf(e, BULU_INTEGRITY, "the signature's line %d of 4 %s", i + 1, why);
	if (pos != n)
		return bulu_errf(e, BULU_INTEGRITY,
				 "the signature has more than four lines (junk at byte %zu)", pos);
	if (comment_line(&l[0], UNTRUSTED_PREFIX, &untrusted) != 0)
		return bulu_errf(e, BULU_INTEGRITY,
				 "the signature's first line does not start with \"untrusted comment: \"");
	if (untrusted.len >= MINISIG_UNTRUSTED_MAX)
		return bulu_errf(e, BULU_INTEGRITY, "the signature's untrusted comment is longer than %d bytes",
				 MINISIG_UNTRUSTED_MAX - 1);
	if (base64_line(&l[1], bin, sizeof bin) != 0)
		return bulu_errf(e, BULU_INTEGRITY,
				 "the signature's second line is not the base64 of a %d-byte signature",
				 SIG_BIN_BYTES);
	if (bin[0] == 'E' && bin[1] == 'd')
		return bulu_errf(e, BULU_INTEGRITY,
				 "the signature is in minisign's legacy \"Ed\" format, not the prehashed \"ED\" one");
	if (bin[0] != 'E' || bin[1] != 'D')
		return bulu_errf(e, BULU_INTEGRITY, "the signature's algorithm is not Ed25519 (\"ED\")");
	if (comment_line(&l[2], TRUSTED_PREFIX, &trusted) != 0)
		return bulu_errf(e, BULU_INTEGRITY,
				 "the signature's third line does not start with \"trusted comment: \"");
	if (trusted.len >= MINISIG_TRUSTED_MAX)
		return bulu_errf(e, BULU_INTEGRITY, "the signature's trusted comment is longer than %d bytes",
				 MINISIG_TRUSTED_MAX - 1);
	if (base64_line(&l[3], s->global_sig, sizeof s->global_sig) != 0)
		return bulu_errf(e, BULU_INTEGRITY,
				 "the signature's fourth line is not the base64 of a 64-byte signature");
	memcpy(s->key_id, bin + 2, KEY_ID_BYTES);
	memcpy(s->sig, bin + 2 + KEY_ID_BYTES, 64);
	memcpy(s->trusted, trusted.p, trusted.len);
	s->trusted[trusted.len] = '\0';
	return BULU_OK;
}

int minisig_check_trusted(const minisig *s, const uint8_t pk[KEY_PK_BYTES])
{
	uint8_t msg[64 + MINISIG_TRUSTED_MAX];
	if (memchr(s->trusted, '\0', sizeof s->trusted) == NULL)
		return -1; /* not a string: never read past the field */
	size_t ml = global_message(s->sig, s->trusted, msg);
	return crypto_sign_verify_detached(s->global_sig, msg, ml, pk) == 0 ? 0 : -1;
}

int minisig_check(const minisig *s, const uint8_t prehash[MINISIG_PREHASH_BYTES],
		  const uint8_t pk[KEY_PK_BYTES])
{
	return crypto_sign_verify_detached(s->sig, prehash, MINISIG_PREHASH_BYTES, pk) == 0 ? 0 : -1;
}
