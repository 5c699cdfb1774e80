/*
 * seal.h - the central key pair and sealed bundles.
 *
 * `bulu central init --dir DIR` writes DIR/central.key (X25519 secret key,
 * mode 0600, refused when others may read it) and DIR/central.pub (its
 * public key, text).  A sealed bundle is the gzip bundle encrypted with
 * libsodium's secretstream (XChaCha20-Poly1305) under a random key that is
 * sealed (crypto_box_seal) to the central public key:
 *
 *   "BULUSEAL" | version 1 (1 byte) | sealed key (80) | stream header (24)
 *   | chunks: each 65536 plaintext bytes (the last fewer) + 17
 *
 * The last chunk carries the FINAL tag and no other does, so a truncated
 * file is caught.  docs/bundle-format.md specifies it byte by byte.
 */
#ifndef BULU_SEAL_H
#define BULU_SEAL_H
#include <stddef.h>
#include <stdint.h>
#include "bulu/buf.h"
#include "bulu/err.h"

#define SEAL_MAGIC "BULUSEAL"
#define SEAL_PK_BYTES 32
#define SEAL_CHUNK 65536

typedef struct central_keys {
	uint8_t pk[SEAL_PK_BYTES];
	uint8_t *sk; /* sodium_malloc'd, 32 bytes; NULL when public only */
} central_keys;

/* Make DIR (0700 if created), DIR/central.key and DIR/central.pub; refuses
 * (BULU_BADINPUT) when DIR/central.key exists. */
int central_create(const char *dir, bulu_err *e);
/* Read a central.pub file (as given to `sync export --seal-to`). */
int central_load_public(const char *path, uint8_t pk[SEAL_PK_BYTES], bulu_err *e);
/* Read DIR/central.key (and its public half).  BULU_BADINPUT when missing
 * or malformed; BULU_INTEGRITY when group or others may read it. */
int central_load(const char *dir, central_keys *k, bulu_err *e);
void central_free(central_keys *k); /* wipes; accepts a zeroed struct */
/* The key id of a central public key as 16 hex digits, as minisign shows
 * station key ids (BLAKE2b-256(pk)[0..8] read little-endian). */
void central_key_id_hex(const uint8_t pk[SEAL_PK_BYTES], char out[17]);

/* 1 when data starts with the sealed-bundle magic. */
int seal_is_sealed(const void *data, size_t n);

/* Encrypt in[0..n) to pk, appending the sealed file to out. */
int seal_encrypt(const void *in, size_t n, const uint8_t pk[SEAL_PK_BYTES],
                 buf *out, bulu_err *e);

/*
 * Decrypt a sealed file, appending the plaintext to out.  BULU_OK when every
 * chunk authenticated and the last carried the FINAL tag.  BULU_INTEGRITY
 * otherwise, with *opened 0 when the key could not be opened (sealed to a
 * different central key, or a damaged header) and 1 when it could: out
 * then holds the plaintext of the chunks that authenticated before the
 * damage or truncation (a salvageable prefix).
 */
int seal_decrypt(const void *in, size_t n, const central_keys *k, buf *out,
                 int *opened, bulu_err *e);
#endif
