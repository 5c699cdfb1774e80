/*
 * keys.h - Ed25519 station keys: generation, files, minisign public keys.
 *
 * Secret key file (0600, refused if group or others may read it):
 *   untrusted comment: bulu secret key for station ID
 *   <base64 of the record below>
 * record = "BK" | kdf (1 byte: 0 none, 1 argon2id) | key_id (8) |
 *          opslimit (8, LE) | memlimit (8, LE) | salt (16) | nonce (24) |
 *          secret key (64, or 64+16 encrypted with XChaCha20-Poly1305)
 * Public keys are written in minisign's format: "Ed" | key_id | pk (32),
 * base64, under an "untrusted comment:" line.  key_id is the first 8 bytes
 * of BLAKE2b-256(pk), so the same key always has the same id.
 * Secret keys live in sodium_malloc'd memory and are wiped on free.
 */
#ifndef BULU_KEYS_H
#define BULU_KEYS_H

#include <stdint.h>
#include "bulu/err.h"

#define KEY_PK_BYTES 32
#define KEY_SK_BYTES 64
#define KEY_ID_BYTES 8

typedef struct keypair {
	uint8_t pk[KEY_PK_BYTES];
	uint8_t key_id[KEY_ID_BYTES];
	uint8_t *sk; /* sodium_malloc'd, KEY_SK_BYTES; NULL for public-only */
} keypair;

int keys_init(bulu_err *e); /* sodium_init once */
int keys_generate(keypair *kp, bulu_err *e);
void keys_free(keypair *kp); /* wipes and frees sk; accepts zeroed kp */
void keys_key_id(const uint8_t pk[KEY_PK_BYTES], uint8_t id[KEY_ID_BYTES]);
/* A key id as minisign prints it: 16 hex digits, read little-endian. */
void keys_key_id_hex(const uint8_t id[KEY_ID_BYTES], char out[17]);

/* Write the secret key file (created 0600, fsync'd, atomic rename).
 * passphrase NULL or "" means unprotected. */
int keys_save_secret(const char *path, const keypair *kp, const char *station,
                     const char *passphrase, bulu_err *e);
/* Load it; refuses a file readable by group/others (BULU_INTEGRITY).
 * A protected key takes its passphrase from passphrase, else from the
 * BULU_PASSPHRASE_FILE file, else by asking on the terminal. */
int keys_load_secret(const char *path, const char *passphrase, keypair *kp,
                     bulu_err *e);

/* What a secret key file says of its key without unlocking it: the key id
 * (stored in the clear), and for an unprotected key its public half
 * (*has_pk = 1).  For comparing secret.key with public.key. */
int keys_peek_secret(const char *path, uint8_t key_id[KEY_ID_BYTES], uint8_t pk[KEY_PK_BYTES],
                     int *has_pk, bulu_err *e);

/* The minisign public key text (two lines, trailing newline) into out. */
int keys_minisign_pubkey(const uint8_t pk[KEY_PK_BYTES], const char *comment,
                         char *out, size_t n);
/* Parse a minisign public key (either the base64 line alone or the file
 * with its comment line). */
int keys_parse_minisign_pubkey(const char *text, uint8_t pk[KEY_PK_BYTES],
                               uint8_t id[KEY_ID_BYTES], bulu_err *e);

#endif
