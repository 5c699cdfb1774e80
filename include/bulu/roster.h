/*
 * roster.h - the central office's list of trusted station keys.
 *
 * A roster is a UTF-8 text file, one station per line, tab-separated:
 *
 *   # bulu roster: trusted station keys (bulu roster add|remove)
 *   STATION<TAB>DEPT<TAB>ROLE<TAB>PUBKEY
 *
 * PUBKEY is the base64 line of the station's minisign public key (what
 * `bulu station pubkey` prints under its comment).  Lines starting with '#'
 * and blank lines are comments.  Station ids are unique, and so are keys.
 * The file is rewritten atomically (fs_write_atomic), mode 0644.
 */
#ifndef BULU_ROSTER_H
#define BULU_ROSTER_H
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include "bulu/err.h"
#include "bulu/keys.h"

typedef struct roster_entry {
	char station[64];
	char dept[128];
	char role[64];
	uint8_t pk[KEY_PK_BYTES];
	uint8_t key_id[KEY_ID_BYTES];
} roster_entry;

typedef struct roster {
	roster_entry *v;
	size_t n;
	char path[PATH_MAX];
} roster;

/* Load path.  A missing file is an empty roster when may_be_missing, else
 * BULU_BADINPUT.  A malformed line: BULU_BADINPUT naming path, line and
 * column (field).  Duplicate stations or keys: BULU_BADINPUT too. */
int roster_load(const char *path, int may_be_missing, roster *r, bulu_err *e);
/* Write r back to r->path atomically, sorted by station. */
int roster_save(const roster *r, bulu_err *e);
/* Add (station must be new, key unused unless replace) or remove. */
int roster_add(roster *r, const roster_entry *add, int replace, bulu_err *e);
int roster_remove(roster *r, const char *station, bulu_err *e);
const roster_entry *roster_by_key_id(const roster *r, const uint8_t id[KEY_ID_BYTES]);
const roster_entry *roster_by_station(const roster *r, const char *station);
void roster_free(roster *r);

/* The roster file: given (--roster), else $BULU_ROSTER; NULL when neither. */
const char *roster_default_path(const char *given);

/* Check an entry's fields: station id, dept and role non-empty UTF-8 text
 * without tabs, line breaks or other control characters that fit their
 * arrays, key_id that of pk.  BULU_BADINPUT naming the field. */
int roster_entry_check(const roster_entry *en, bulu_err *e);

/* Parse a minisign public key (the file `bulu station pubkey` prints, or its
 * base64 line alone) into en->pk and en->key_id; refuses (BULU_BADINPUT) a
 * key whose key id is not BLAKE2b-256(pk)[0..8], i.e. not a bulu station
 * key.  The message does not name the input: the caller prefixes it. */
int roster_parse_pubkey(const char *text, roster_entry *en, bulu_err *e);

/* The base64 line of the entry's minisign public key ("Ed" | key_id | pk). */
#define ROSTER_PUBKEY_B64 57 /* 56 characters and the NUL */
void roster_pubkey_base64(const roster_entry *en, char out[ROSTER_PUBKEY_B64]);
#endif
