/*
 * minisig.h - detached signatures in minisign's prehashed ("ED") format.
 *
 *   untrusted comment: <text>
 *   base64("ED" | key_id (8) | Ed25519(BLAKE2b-512(file)) (64))
 *   trusted comment: <text>
 *   base64(Ed25519(signature (64) | trusted comment text))
 *
 * so that the stock tool verifies a bundle: minisign -Vm FILE -P PUBKEY.
 * The trusted comment is signed too; bulu puts the bundle's station, seq
 * range, head hash and size there (docs/bundle-format.md).
 */
#ifndef BULU_MINISIG_H
#define BULU_MINISIG_H
#include <stddef.h>
#include <stdint.h>
#include "bulu/buf.h"
#include "bulu/err.h"
#include "bulu/keys.h"

#define MINISIG_PREHASH_BYTES 64
#define MINISIG_TRUSTED_MAX 1024
/* The untrusted comment is shorter than this, so that the stock minisign
 * (which reads that line into 1024 bytes, prefix included) reads it whole. */
#define MINISIG_UNTRUSTED_MAX 1000

typedef struct minisig {
	uint8_t key_id[KEY_ID_BYTES];
	uint8_t sig[64];          /* Ed25519 over the file's BLAKE2b-512 */
	char trusted[MINISIG_TRUSTED_MAX]; /* the trusted comment's text */
	uint8_t global_sig[64];   /* Ed25519 over sig | trusted */
} minisig;

/* BLAKE2b-512 of data (the "prehash" an ED signature signs). */
void minisig_prehash(const void *data, size_t n, uint8_t out[MINISIG_PREHASH_BYTES]);

/* Sign: append the four-line signature file text to out.  sk is the
 * 64-byte Ed25519 secret key, key_id the signer's key id.  The comments
 * must be one line each (no CR/LF), trusted shorter than
 * MINISIG_TRUSTED_MAX and untrusted shorter than MINISIG_UNTRUSTED_MAX.
 * BULU_OK or BULU_BADINPUT. */
int minisig_sign(const uint8_t prehash[MINISIG_PREHASH_BYTES], const uint8_t *sk,
                 const uint8_t key_id[KEY_ID_BYTES], const char *untrusted,
                 const char *trusted, buf *out, bulu_err *e);

/* Parse a signature file's text (n bytes, need not be NUL-terminated).
 * BULU_INTEGRITY naming what is wrong when it is not a well-formed ED
 * signature (a damaged or altered signature file). */
int minisig_parse(const char *text, size_t n, minisig *s, bulu_err *e);

/* 0 when the trusted comment's global signature is good under pk. */
int minisig_check_trusted(const minisig *s, const uint8_t pk[KEY_PK_BYTES]);

/* 0 when the signature over the prehash is good under pk. */
int minisig_check(const minisig *s, const uint8_t prehash[MINISIG_PREHASH_BYTES],
                  const uint8_t pk[KEY_PK_BYTES]);
#endif
