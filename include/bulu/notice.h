/*
 * notice.h - the IT office's signed outage notices (停机/恢复通知).
 *
 * `bulu outage declare` at the central office writes a notice signed with the
 * central signing key (Ed25519, DIR/central-sign.key); stations that trust
 * its public key (DIR/central-sign.pub, from `station init --central-pubkey`
 * or `station trust-central`) apply it with `bulu outage start|end|apply
 * --notice FILE`.  A notice file is three lines of UTF-8 text:
 *
 *   untrusted comment: bulu outage notice OUT-20261120-0800 #1 start
 *   {"at":...,"cause":"network","drill":"real","id":"OUT-20261120-0800",...}
 *   signature: BASE64(key_id (8) | Ed25519 signature (64))
 *
 * The signature covers "bulu/outage-notice/v1\n" followed by the JSON line's
 * exact bytes; the comment line is not signed.  Every notice carries the
 * whole state of its outage (id, announced start, cause, level, tier, drill),
 * so a station that missed earlier notices joins with any later one.
 * docs/outage.md specifies the fields.
 */
#ifndef BULU_NOTICE_H
#define BULU_NOTICE_H

#include <stddef.h>
#include <stdint.h>
#include "bulu/clock.h"
#include "bulu/err.h"
#include "bulu/keys.h"

#define NOTICE_TAG "bulu/outage-notice/v1\n"
#define NOTICE_MAX 16384 /* bytes in a notice file */

typedef struct notice {
	char id[64];                 /* episode id: OUT-..., DRILL-... for a drill */
	char kind[16];               /* start, level, tier, restore */
	int64_t n;                   /* 1, 2, ... within the outage */
	char start[CLOCK_ISO_MAX];   /* the announced start (统一启动时间) */
	char at[CLOCK_ISO_MAX];      /* when this notice takes effect */
	char issued_at[CLOCK_ISO_MAX];
	char cause[16];              /* server network power database virus application other */
	char level[4];               /* I II III IV */
	char tier[8];                /* 30min 6h 24h: the tier IT put in force */
	char drill[8];               /* real, drill, live (a live drill: real data) */
	char note[1024];
	char *json;                  /* the signed JSON line (malloc'd), NUL-terminated */
	size_t json_len;
	char sig_b64[128];           /* the signature line's base64 */
} notice;

/* Names and Chinese labels. */
int notice_cause_ok(const char *cause);
const char *notice_cause_label(const char *cause); /* "网络/光纤" ...; "" if unknown */
int notice_level_ok(const char *level);
int notice_tier_ok(const char *tier);
const char *notice_kind_label(const char *kind);   /* "启动通知" ... */

/* Encode nt's fields as its canonical JSON line into nt->json (replaces it)
 * and sign it with kp: fills nt->sig_b64.  Then notice_text() gives the
 * file's text (malloc'd; caller frees). */
int notice_sign(notice *nt, const keypair *kp, bulu_err *e);
char *notice_text(const notice *nt, size_t *len);

/* Parse a notice file's text: BULU_BADINPUT naming the line when malformed
 * (nothing is trusted yet).  notice_free() frees nt->json. */
int notice_parse(const char *what, const char *text, size_t n, notice *nt, bulu_err *e);
/* Check the signature with the trusted central public key: BULU_INTEGRITY
 * when another key signed it or the signature does not verify. */
int notice_verify(const notice *nt, const uint8_t pk[KEY_PK_BYTES], bulu_err *e);
/* Read, parse and verify the notice file at path against the public key
 * file pubpath. */
int notice_load(const char *path, const char *pubpath, notice *nt, bulu_err *e);
void notice_free(notice *nt); /* NULL ok */

/* The central office's signing key: DIR/central-sign.key (0600) and
 * DIR/central-sign.pub (minisign format).  notice_key_create refuses
 * (BULU_BADINPUT) when the key exists. */
int notice_key_create(const char *dir, bulu_err *e);
int notice_key_load(const char *dir, keypair *kp, bulu_err *e);
/* Read a central-sign.pub file (either line form, as keys.h parses). */
int notice_pub_load(const char *path, uint8_t pk[KEY_PK_BYTES], bulu_err *e);

#endif
