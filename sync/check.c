/*
 * check.c - reading one bundle file and deciding what of it may enter the
 * ledger.  Nothing here trusts a byte before its signature says so:
 *
 *  0. the file and its .minisig are regular files within the limits
 *     (bundle_limits): a FIFO, a device or a directory is refused without
 *     reading, and nothing larger than the limit is read;
 *  1. the .minisig parses, its key is in the roster, its trusted comment
 *     (the claim: station, seq range, head hash, file size, sealed) verifies;
 *  2. the file's BLAKE2b-512 verifies against the signature, and its size is
 *     the claimed one.  If the hash does not verify and the file is shorter
 *     than the claimed size, it is a damaged copy (step 4); any other
 *     mismatch is a rejection;
 *  3. whole file: unseal, inflate (no further than the limit), open the
 *     database read-only in memory, require exactly the bundle schema and a
 *     meta row agreeing with the claim, then recompute every entry's hash
 *     and link, check each entry's size, the seqs run first..last and the
 *     last hash is the claimed head, and verify every entry's own Ed25519
 *     signature: the verified head and the links would authenticate the
 *     entries' fields already, but not the signature bytes stored beside
 *     them, and the ledger keeps only entries whose signatures verify (so
 *     two copies that differ in nothing but a signature cannot make the
 *     ledger depend on which came first: the bad one is rejected);
 *  4. damaged copy: unseal and inflate what can be, read entries in seq
 *     order until the first that fails, checking each one's hash, link and
 *     own signature, and keep that prefix.  The rest of the claimed range
 *     becomes a gap.
 *
 * What passes is handed to the ledger as rows (bundle_in.rows): each
 * entry's fields copied out of the image exactly as they were hashed, so
 * the image is freed as soon as it is walked and the merging thread reads
 * nothing twice.
 *
 * The bytes of a damaged copy are not covered by a signature until each
 * entry is checked, so SQLite reads them in defensive mode with the cell
 * size check on, and nothing but the two bundle tables is accepted.
 * File names in reasons are escaped (fs_name_shown): a name is not a line.
 */
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <sqlite3.h>
#include <libdeflate.h>

#include "bulu/buf.h"
#include "bulu/bundle.h"
#include "bulu/fsutil.h"
#include "bulu/gz.h"
#include "bulu/text.h"

static void reject(bundle_in *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reject(bundle_in *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(b->reason, sizeof b->reason, fmt, ap);
	va_end(ap);
	b->result = BUNDLE_REJECT;
}

static int oom(const bundle_in *b, bulu_err *e)
{
	char shown[FS_NAME_SHOWN];
	return bulu_errf(e, BULU_SYSTEM, "out of memory reading %s", fs_name_shown(b->path, shown, sizeof shown));
}

/* Open an image read-only in memory, defensively.  NULL if SQLite refuses. */
static sqlite3 *open_image(unsigned char *img, size_t n)
{
	sqlite3 *db = NULL;
	/* One thread uses each image: no mutex needed. */
	if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	if (sqlite3_deserialize(db, "main", img, (sqlite3_int64)n, (sqlite3_int64)n,
				SQLITE_DESERIALIZE_READONLY) != SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA cell_size_check = ON", NULL, NULL, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

/* The schema rows a bundle must have, exactly (from schemas/bundle.sql). */
static char *schema_text(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	buf out = BUF_INIT;
	if (sqlite3_prepare_v2(db, "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY name",
			       -1, &st, NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		return NULL;
	}
	int s;
	while ((s = sqlite3_step(st)) == SQLITE_ROW)
		for (int c = 0; c < 4; c++) {
			const char *t = (const char *)sqlite3_column_text(st, c);
			buf_puts(&out, t ? t : "(null)");
			buf_putc(&out, '\x1f');
		}
	sqlite3_finalize(st);
	if (s != SQLITE_DONE || out.oom) {
		buf_free(&out);
		return NULL;
	}
	buf_putc(&out, '\0');
	return out.p;
}

/* The schema text of schemas/bundle.sql, made once per process (a fresh
 * database to make it costs more than checking a small bundle). */
static char *schema_want;
static pthread_once_t schema_once = PTHREAD_ONCE_INIT;

static void schema_make(void)
{
	sqlite3 *ref = NULL;
	if (sqlite3_open_v2(":memory:", &ref, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
	    sqlite3_exec(ref, schema_bundle_sql, NULL, NULL, NULL) == SQLITE_OK)
		schema_want = schema_text(ref);
	sqlite3_close(ref);
}

static int schema_ok(sqlite3 *db)
{
	pthread_once(&schema_once, schema_make);
	char *got = schema_text(db);
	int ok = schema_want && got && strcmp(schema_want, got) == 0;
	free(got);
	return ok;
}

/* The meta row agrees with the claim and the roster's key. */
static const char *meta_check(sqlite3 *db, const bundle_claim *c, const uint8_t pk[KEY_PK_BYTES])
{
	sqlite3_stmt *st = NULL;
	const char *why = "its bundle record is missing or unreadable";
	if (sqlite3_prepare_v2(db, "SELECT format, station, pubkey, first_seq, last_seq, head_hash FROM bundle",
			       -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW)
		goto out;
	const char *fmt = (const char *)sqlite3_column_text(st, 0);
	const char *station = (const char *)sqlite3_column_text(st, 1);
	why = "its bundle record disagrees with its signature";
	if (!fmt || strcmp(fmt, BUNDLE_FORMAT) != 0) {
		why = "it is not a bulu/bundle/v1 database";
		goto out;
	}
	if (!station || strcmp(station, c->station) != 0 ||
	    sqlite3_column_bytes(st, 2) != KEY_PK_BYTES ||
	    memcmp(sqlite3_column_blob(st, 2), pk, KEY_PK_BYTES) != 0 ||
	    sqlite3_column_int64(st, 3) != c->first || sqlite3_column_int64(st, 4) != c->last ||
	    sqlite3_column_bytes(st, 5) != ENTRY_HASH_BYTES ||
	    memcmp(sqlite3_column_blob(st, 5), c->head, ENTRY_HASH_BYTES) != 0)
		goto out;
	why = sqlite3_step(st) == SQLITE_DONE ? NULL : "it has more than one bundle record";
out:
	sqlite3_finalize(st);
	return why;
}

/* Chunks of strings that never move once written, so the rows handed to
 * the ledger can point into them; freed together by bundle_in_free(). */
struct bundle_text {
	struct bundle_text *next;
	size_t used, cap;
	char data[];
};

#define TEXT_CHUNK ((size_t)1 << 20)

/* A NUL-terminated copy of s[0..n) in b's text; NULL when memory runs out. */
static const char *text_copy(bundle_in *b, const char *s, size_t n)
{
	struct bundle_text *t = b->text;
	if (!t || t->cap - t->used < n + 1) {
		size_t cap = n + 1 > TEXT_CHUNK ? n + 1 : TEXT_CHUNK;
		if (!(t = malloc(sizeof *t + cap)))
			return NULL;
		t->next = b->text;
		t->used = 0;
		t->cap = cap;
		b->text = t;
	}
	char *p = t->data + t->used;
	memcpy(p, s, n);
	p[n] = '\0';
	t->used += n + 1;
	b->text_bytes += (int64_t)n + 1;
	return p;
}

/* Keep a checked entry for the ledger: its fields exactly as entry_hash()
 * covered them (the strings up to their first NUL, the body by length).
 * -1 when memory runs out. */
static int keep_row(bundle_in *b, const entry *en)
{
	size_t n = (size_t)(b->n_entries);
	if (n == b->rows_cap) {
		size_t cap = b->rows_cap ? b->rows_cap * 2 : 1024;
		entry *v = realloc(b->rows, cap * sizeof *v);
		if (!v)
			return -1;
		b->rows = v;
		b->rows_cap = cap;
	}
	entry *r = &b->rows[n];
	*r = *en;
	/* Every row names the claim's station (row_check): share one copy. */
	r->station = n ? b->rows[0].station : text_copy(b, en->station, strlen(en->station));
	r->kind = text_copy(b, en->kind, strlen(en->kind));
	r->recorded_at = text_copy(b, en->recorded_at, strlen(en->recorded_at));
	r->operator_ = text_copy(b, en->operator_, strlen(en->operator_));
	r->episode = text_copy(b, en->episode, strlen(en->episode));
	r->body = text_copy(b, en->body, en->body_len);
	if (!r->station || !r->kind || !r->recorded_at || !r->operator_ || !r->episode || !r->body)
		return -1;
	b->n_entries++;
	return 0;
}

/* One row's shape, seq, station, link and hash.  NULL, or why it fails. */
static const char *row_check(sqlite3_stmt *st, const bundle_claim *c, const uint8_t pk[KEY_PK_BYTES],
			     size_t max_entry, int64_t want, const uint8_t *prev, entry *en, char *why, size_t nwhy)
{
	uint8_t h[ENTRY_HASH_BYTES] = {0};
	int shape = journal_entry_from_row(st, en);
	size_t size = 0;
	if (shape == 0) {
		size = strlen(en->kind) + strlen(en->recorded_at) + strlen(en->operator_) + strlen(en->episode) +
		       en->body_len;
		if (size <= max_entry)
			entry_hash(en, h);
	}
	if (shape == 0 && en->seq == want && size > max_entry)
		snprintf(why, nwhy, "entry %" PRId64 " is %zu bytes, over the limit of %zu bytes for one entry",
			 want, size, max_entry);
	else if (en->seq != want)
		snprintf(why, nwhy, "the chain breaks: seq %" PRId64 " follows %" PRId64, en->seq, want - 1);
	else if (strcmp(en->station, c->station) != 0)
		snprintf(why, nwhy, "entry %" PRId64 " names another station", want);
	else if (shape != 0)
		snprintf(why, nwhy, "entry %" PRId64 " has a hash or signature of the wrong length", want);
	else if (prev && memcmp(prev, en->prev_hash, ENTRY_HASH_BYTES) != 0)
		snprintf(why, nwhy, "the chain breaks: entry %" PRId64 " does not link to entry %" PRId64,
			 want, want - 1);
	else if (memcmp(h, en->hash, ENTRY_HASH_BYTES) != 0)
		snprintf(why, nwhy, "entry %" PRId64 "'s hash does not match its fields", want);
	else if (want == 1 && !journal_entry_binds_key(en, pk))
		snprintf(why, nwhy, "its first entry does not bind the roster's key for %s", c->station);
	else
		return NULL;
	return why;
}

#define SELECT_ENTRIES "SELECT " JOURNAL_COLUMNS " FROM entries ORDER BY seq"

static int is_drill(const char *episode)
{
	return strncmp(episode, "DRILL-", 6) == 0;
}

/* Step 3: the whole chain of a verified file, kept as rows.  BULU_OK, or
 * BULU_SYSTEM when memory runs out; a bad chain rejects b. */
static int walk_whole(sqlite3 *db, bundle_in *b, size_t max_entry, bulu_err *e)
{
	sqlite3_stmt *st = NULL;
	char why[256];
	uint8_t prev[ENTRY_HASH_BYTES];
	entry en;
	int64_t want = b->claim.first;
	int rc = BULU_OK;
	if (sqlite3_prepare_v2(db, SELECT_ENTRIES, -1, &st, NULL) != SQLITE_OK) {
		reject(b, "its entries cannot be read");
		return BULU_OK;
	}
	int s;
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		const char *bad = row_check(st, &b->claim, b->pk, max_entry, want,
					    want > b->claim.first ? prev : NULL, &en, why, sizeof why);
		if (bad) {
			reject(b, "%s", bad);
			goto out;
		}
		memcpy(prev, en.hash, ENTRY_HASH_BYTES);
		b->n_drill += is_drill(en.episode);
		if (want == b->claim.last && memcmp(en.hash, b->claim.head, ENTRY_HASH_BYTES) != 0) {
			reject(b, "its last entry is not the head its signature names");
			goto out;
		}
		/* Every entry's own signature: the ledger holds none that fails. */
		if (crypto_sign_verify_detached(en.sig, en.hash, ENTRY_HASH_BYTES, b->pk) != 0) {
			reject(b, "the signature of entry %" PRId64 " does not verify under %s's key", want,
			       b->claim.station);
			goto out;
		}
		if (keep_row(b, &en) != 0) {
			rc = oom(b, e);
			goto out;
		}
		want++;
	}
	if (s != SQLITE_DONE)
		reject(b, "its database is damaged (%s)", sqlite3_errmsg(db));
	else if (want != b->claim.last + 1)
		reject(b, "it ends at seq %" PRId64 ", not at %" PRId64 " as signed", want - 1, b->claim.last);
	else {
		b->first = b->claim.first;
		b->last = b->claim.last;
	}
out:
	sqlite3_finalize(st);
	if (b->result == BUNDLE_REJECT || rc != BULU_OK) {
		/* Nothing of a rejected bundle reaches the ledger. */
		bundle_in_free(b);
		b->n_entries = b->n_drill = 0;
	}
	return rc;
}

/* Step 4: the verifiable prefix of a damaged copy, each entry's own
 * signature checked too (no verified head stands behind it). */
static int walk_salvage(sqlite3 *db, bundle_in *b, size_t max_entry, bulu_err *e)
{
	sqlite3_stmt *st = NULL;
	char why[256];
	uint8_t prev[ENTRY_HASH_BYTES];
	entry en;
	int64_t want = b->claim.first;
	int rc = BULU_OK;
	if (db && meta_check(db, &b->claim, b->pk) == NULL &&
	    sqlite3_prepare_v2(db, SELECT_ENTRIES, -1, &st, NULL) == SQLITE_OK) {
		while (want <= b->claim.last && sqlite3_step(st) == SQLITE_ROW) {
			if (row_check(st, &b->claim, b->pk, max_entry, want, want > b->claim.first ? prev : NULL, &en,
				      why, sizeof why) ||
			    crypto_sign_verify_detached(en.sig, en.hash, ENTRY_HASH_BYTES, b->pk) != 0)
				break;
			if (keep_row(b, &en) != 0) {
				rc = oom(b, e);
				break;
			}
			memcpy(prev, en.hash, ENTRY_HASH_BYTES);
			b->n_drill += is_drill(en.episode);
			want++;
		}
	}
	sqlite3_finalize(st);
	b->first = b->claim.first;
	b->last = want - 1;
	if (rc != BULU_OK) {
		bundle_in_free(b);
		b->n_entries = b->n_drill = 0;
	}
	return rc;
}

/* A damaged copy's database ends mid-way: keep its whole pages and make
 * the header's page count say so (SQLite refuses a file shorter than its
 * header claims).  The bytes are not trusted either way: every entry read
 * from them is checked on its own. */
static void whole_pages(buf *img)
{
	if (img->len < 100) {
		img->len = 0;
		return;
	}
	const unsigned char *h = (const unsigned char *)img->p;
	size_t ps = (size_t)h[16] << 8 | h[17];
	if (ps == 1)
		ps = 65536;
	if (ps < 512 || (ps & (ps - 1)) != 0) {
		img->len = 0;
		return;
	}
	size_t pages = img->len / ps;
	unsigned char *w = (unsigned char *)img->p + 28;
	w[0] = (unsigned char)(pages >> 24);
	w[1] = (unsigned char)(pages >> 16);
	w[2] = (unsigned char)(pages >> 8);
	w[3] = (unsigned char)pages;
	img->len = pages * ps;
}

/*
 * Inflate a whole, signature-verified gzip file the quick way: one raw
 * inflate with libdeflate (about twice zlib's speed, for whole buffers)
 * into a buffer sized from the trailer's length.  The file's BLAKE2b-512
 * has been checked against the station's signature before this runs, so
 * the member's CRC-32 would only repeat that check over the inflated bytes;
 * whatever the stream holds is then checked entry by entry anyway.  Only
 * the plain header gz_compress writes (no name, extra field or comment) is
 * taken; 1 when it worked, 0 to fall back to gz_decompress (zlib: any other
 * shape, a length that disagrees, damage: its messages say what is wrong).
 */
static int inflate_verified(const unsigned char *in, size_t n, size_t max_db, buf *img)
{
	if (n < 18 || in[0] != 0x1f || in[1] != 0x8b || in[2] != 8 || in[3] != 0)
		return 0;
	const unsigned char *t = in + n - 4;
	size_t isize = (size_t)t[0] | (size_t)t[1] << 8 | (size_t)t[2] << 16 | (size_t)t[3] << 24;
	if (isize + 1 > max_db || buf_reserve(img, isize + 1) != 0)
		return 0;
	struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
	if (!d)
		return 0;
	size_t used = 0, got = 0;
	/* The deflate stream must end exactly at the 8-byte trailer, and fill
	 * exactly the length the trailer says. */
	enum libdeflate_result r = libdeflate_deflate_decompress_ex(d, in + 10, n - 18, img->p + img->len, isize,
								     &used, &got);
	libdeflate_free_decompressor(d);
	if (r != LIBDEFLATE_SUCCESS || used != n - 18 || got != isize)
		return 0;
	img->len += isize;
	img->p[img->len] = '\0';
	return 1;
}

/* Unseal (when sealed) and inflate data into img.  For a whole file any
 * failure rejects; for a damaged copy what came out before it is kept. */
static int unpack(bundle_in *b, const bundle_ctx *c, size_t max_db, const char *data, size_t n, int damaged,
		  buf *img, char *why, size_t nwhy)
{
	buf plain = BUF_INIT;
	bulu_err le;
	const char *in = data;
	size_t inlen = n;
	int rc = 0;
	if (b->claim.sealed) {
		int opened = 0;
		if (!seal_is_sealed(data, n)) {
			snprintf(why, nwhy, "its signature says sealed but the file is not");
			return -1;
		}
		if (!c->central) {
			snprintf(why, nwhy, "it is sealed and no central key was given (--central DIR)");
			return -1;
		}
		if (seal_decrypt(data, n, c->central, &plain, &opened, &le) != BULU_OK &&
		    (!damaged || !opened)) {
			snprintf(why, nwhy, "%s", le.msg);
			buf_free(&plain);
			return -1;
		}
		in = plain.p;
		inlen = plain.len;
	} else if (seal_is_sealed(data, n)) {
		snprintf(why, nwhy, "the file is sealed but its signature says it is not");
		return -1;
	}
	if (!damaged && inflate_verified((const unsigned char *)in, inlen, max_db, img)) {
		buf_free(&plain);
		return 0;
	}
	if (gz_decompress(in, inlen, max_db, img, &le) != BULU_OK) {
		snprintf(why, nwhy, "%s", le.msg);
		rc = damaged ? 0 : -1;
	}
	buf_free(&plain);
	return rc;
}

int bundle_check(bundle_in *b, const bundle_ctx *c, bulu_err *e)
{
	char *data = NULL, *sigtext = NULL, why[512] = "";
	size_t n = 0, nsig = 0;
	buf img = BUF_INIT;
	sqlite3 *db = NULL;
	int rc = BULU_OK;
	b->result = BUNDLE_MERGE;
	bulu_err le;
	size_t max_file = c->lim.max_file ? c->lim.max_file : BUNDLE_MAX_FILE;
	size_t max_db = c->lim.max_db ? c->lim.max_db : BUNDLE_MAX_DB;
	size_t max_entry = c->lim.max_entry ? c->lim.max_entry : BUNDLE_MAX_ENTRY;
	if ((rc = fs_read_regular(b->path, max_file, &data, &n, &le)) != BULU_OK) {
		reject(b, "%s", le.msg);
		return rc == BULU_SYSTEM ? bulu_errf(e, BULU_SYSTEM, "%s", le.msg) : BULU_OK;
	}
	b->size = (int64_t)n;
	minisig_prehash(data, n, b->file_hash);
	if (c->seen && c->seen(c->seen_arg, b->file_hash)) {
		b->result = BUNDLE_SKIP;
		goto out;
	}
	char sigpath[PATH_MAX + 16];
	snprintf(sigpath, sizeof sigpath, "%s.minisig", b->path);
	minisig s;
	const roster_entry *re;
	if (fs_read_regular(sigpath, BUNDLE_MAX_SIG, &sigtext, &nsig, &le) != BULU_OK) {
		reject(b, "no signature: %s", le.msg);
		goto out;
	}
	if (minisig_parse(sigtext, nsig, &s, &le) != BULU_OK) {
		reject(b, "bad signature file: %s", le.msg);
		goto out;
	}
	if (!(re = roster_by_key_id(c->roster, s.key_id))) {
		char hex[2 * KEY_ID_BYTES + 1];
		hex_encode(hex, s.key_id, KEY_ID_BYTES);
		reject(b, "signed by an unknown station key (id %s): no station in the roster has it "
			  "(bulu roster add)", hex);
		goto out;
	}
	memcpy(b->pk, re->pk, KEY_PK_BYTES);
	if (minisig_check_trusted(&s, re->pk) != 0) {
		reject(b, "bad signature: its trusted comment does not verify under %s's key", re->station);
		goto out;
	}
	if (bundle_claim_parse(s.trusted, &b->claim) != 0) {
		reject(b, "signed by %s, but not as a bulu bundle", re->station);
		goto out;
	}
	if (strcmp(b->claim.station, re->station) != 0) {
		reject(b, "signed with %s's key but names station %s", re->station, b->claim.station);
		goto out;
	}
	b->claim_ok = 1;
	int damaged = 0;
	if (minisig_check(&s, b->file_hash, re->pk) != 0) {
		if (b->size >= b->claim.size) {
			reject(b, "bad signature: the file was changed after %s signed it", re->station);
			goto out;
		}
		damaged = 1;
	} else if (b->size != b->claim.size) {
		/* The signed claim names the file's length: it must hold. */
		reject(b, "it is %" PRId64 " bytes but its signature says %" PRId64, b->size, b->claim.size);
		goto out;
	}
	if (!damaged && b->claim.sealed && !c->central && c->sealed_sig_only) {
		b->sealed_unread = 1;
		goto out;
	}
	int bad = unpack(b, c, max_db, data, n, damaged, &img, why, sizeof why);
	if (bad) {
		reject(b, "%s", why);
		goto out;
	}
	if (img.oom) {
		rc = oom(b, e);
		goto out;
	}
	if (damaged)
		whole_pages(&img);
	db = img.len >= 512 ? open_image((unsigned char *)img.p, img.len) : NULL;
	if (db && !schema_ok(db)) {
		sqlite3_close(db);
		db = NULL;
		if (!damaged) {
			reject(b, "it is not a bulu bundle database (unexpected tables)");
			goto out;
		}
	}
	if (!damaged) {
		const char *bad_meta = db ? meta_check(db, &b->claim, b->pk) : "it is not a SQLite database";
		if (bad_meta) {
			reject(b, "%s", bad_meta);
			goto out;
		}
		rc = walk_whole(db, b, max_entry, e);
	} else {
		b->result = BUNDLE_SALVAGE;
		rc = walk_salvage(db, b, max_entry, e);
		char gap[96] = "";
		if (b->last < b->claim.last)
			snprintf(gap, sizeof gap, "; %" PRId64 "-%" PRId64 " reported as a gap", b->last + 1,
				 b->claim.last);
		if (b->n_entries > 0)
			snprintf(b->reason, sizeof b->reason,
				 "damaged copy (%" PRId64 " of %" PRId64 " bytes%s%s): entries %" PRId64 "-%" PRId64
				 " salvaged%s", b->size, b->claim.size, why[0] ? "; " : "", why, b->first, b->last, gap);
		else
			snprintf(b->reason, sizeof b->reason,
				 "damaged copy (%" PRId64 " of %" PRId64 " bytes%s%s): nothing could be salvaged%s",
				 b->size, b->claim.size, why[0] ? "; " : "", why, gap);
	}
out:
	sqlite3_close(db);
	free(data);
	free(sigtext);
	buf_free(&img);
	return rc;
}

void bundle_in_free(bundle_in *b)
{
	free(b->rows);
	b->rows = NULL;
	b->rows_cap = 0;
	while (b->text) {
		struct bundle_text *next = b->text->next;
		free(b->text);
		b->text = next;
	}
	b->text_bytes = 0;
}
