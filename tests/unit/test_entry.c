/*
 * test_entry.c - the journal entry format's test vectors.
 *
 * The expected encodings, hashes and signatures below were computed from the
 * prose of docs/journal-format.md alone, by tests/vectors/journal-entry-v1.py
 * (Python hashlib BLAKE2b and an Ed25519 that is not libsodium), and are
 * pinned here: if entry_encode() or entry_hash() ever drift from the
 * documented format, these tests fail.  The signatures use the key of the
 * fixed seed 00 01 02 ... 1f; Ed25519 is deterministic, so they are pinned
 * too.  The same values are printed in tests/vectors/journal-entry-v1.txt
 * for the documentation; this test reads nothing from that file.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>
#include <unistd.h>

#include "bulu/entry.h"
#include "bulu/head.h"
#include "bulu/keys.h"

#define PUBKEY_HEX "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8"

struct vector {
	const char *station;
	int64_t seq;
	const char *prev_hex; /* NULL: 32 zero bytes */
	const char *kind, *recorded_at, *operator_, *episode, *body;
	const char *encoding_hex, *hash_hex, *sig_hex;
};

static const struct vector vectors[] = {
	/* 1: the genesis entry of a station: seq 1, zero prev_hash, empty
	 * operator and episode, a body binding the public key. */
	{"MZ_SF01", 1, NULL, "station_init", "2026-11-21T08:00:00+08:00", "", "",
	 "{\"dept\":\"门诊收费\",\"pubkey\":\"" PUBKEY_HEX "\",\"role\":\"cashier\",\"station\":\"MZ_SF01\"}",
	 "1500000062756c752f6a6f75726e616c2d656e7472792f7631070000004d5a5f53463031010000000000000020000000"
	 "00000000000000000000000000000000000000000000000000000000000000000c00000073746174696f6e5f696e6974"
	 "19000000323032362d31312d32315430383a30303a30302b30383a30300000000000000000880000007b226465707422"
	 "3a22e997a8e8af8ae694b6e8b4b9222c227075626b6579223a2230336131303762666633636531306265316437306464"
	 "313865373462633039393637653464363330396261353064356631646463383636343132353533316238222c22726f6c"
	 "65223a2263617368696572222c2273746174696f6e223a224d5a5f53463031227d",
	 "c8bbd8a02778a3476e119564f1be4ff18ce53d0464ccba627fd09db39dfd3a11",
	 "681d67fde3c454086340d6f3289ecd8c181d536855e4f9ebda304c5521419ed0dc24b3295ca3791299656127a1ff9115"
	 "6c790935e3b59a651892952f973d8604"},
	/* 2: a charge chained to entry 1, Chinese text in operator and body. */
	{"MZ_SF01", 2, "c8bbd8a02778a3476e119564f1be4ff18ce53d0464ccba627fd09db39dfd3a11", "charge",
	 "2026-11-21T09:15:42+08:00", "收费员张三", "OUT-20261121-0830",
	 "{\"fee_type\":\"医保\",\"invoice_no\":\"0012345\",\"lines\":[{\"amount_fen\":2500,"
	 "\"code\":\"250101001\",\"name\":\"血常规\",\"qty\":1,\"unit_price_fen\":2500}],"
	 "\"pay_method\":\"现金\",\"patient_id\":\"P0001\",\"patient_name\":\"李四\",\"total_fen\":2500}",
	 "1500000062756c752f6a6f75726e616c2d656e7472792f7631070000004d5a5f53463031020000000000000020000000"
	 "c8bbd8a02778a3476e119564f1be4ff18ce53d0464ccba627fd09db39dfd3a1106000000636861726765190000003230"
	 "32362d31312d32315430393a31353a34322b30383a30300f000000e694b6e8b4b9e59198e5bca0e4b889110000004f55"
	 "542d32303236313132312d30383330e20000007b226665655f74797065223a22e58cbbe4bf9d222c22696e766f696365"
	 "5f6e6f223a2230303132333435222c226c696e6573223a5b7b22616d6f756e745f66656e223a323530302c22636f6465"
	 "223a22323530313031303031222c226e616d65223a22e8a180e5b8b8e8a784222c22717479223a312c22756e69745f70"
	 "726963655f66656e223a323530307d5d2c227061795f6d6574686f64223a22e78eb0e98791222c2270617469656e745f"
	 "6964223a225030303031222c2270617469656e745f6e616d65223a22e69d8ee59b9b222c22746f74616c5f66656e223a"
	 "323530307d",
	 "b7769a52a83409ed222bfe555fb15d2f9306a196543f5649050445bd356cdad3",
	 "16292e8465cd775cf6ce2048215ba373d216eb8214421c6fcb76e21203bb062a5a79d6bb6597ead0edfb9893193769f8"
	 "bb085034ea8d0add045fb24891c9540e"},
	/* 3: a note with empty operator and episode, a seq above 65535 (all
	 * of u64le matters) and JSON escapes in the body. */
	{"MZ_SF01", 70000, "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf", "note",
	 "2026-11-22T23:59:59-05:00", "", "", "{\"text\":\"a \\\"quoted\\\" line\\nand a tab\\t\"}",
	 "1500000062756c752f6a6f75726e616c2d656e7472792f7631070000004d5a5f53463031701101000000000020000000"
	 "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf040000006e6f74651900000032303236"
	 "2d31312d32325432333a35393a35392d30353a30300000000000000000290000007b2274657874223a2261205c227175"
	 "6f7465645c22206c696e655c6e616e642061207461625c74227d",
	 "cf0eb2833dfb7f020a3deef71f20462564b87eac2913fc8bd0e3e5d22694b32d",
	 "b950a1e942d5adc208d1108a5f867ea7413c4a18120f68a2239488d95608a66d0ca7734e7812531e58e10870cffaf009"
	 "e2ad6d12c3e836fd6fe17ddeb4d98a0f"},
};
#define NVEC (sizeof vectors / sizeof vectors[0])

/* A hex parser of the test's own, so a bug in hex_decode cannot hide one
 * in the encoder. */
static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex) / 2;
	assert_true(strlen(hex) % 2 == 0);
	assert_true(n <= cap);
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	return n;
}

static void load(const struct vector *v, entry *e)
{
	memset(e, 0, sizeof *e);
	e->station = v->station;
	e->seq = v->seq;
	if (v->prev_hex)
		assert_int_equal(unhex(v->prev_hex, e->prev_hash, ENTRY_HASH_BYTES), ENTRY_HASH_BYTES);
	e->kind = v->kind;
	e->recorded_at = v->recorded_at;
	e->operator_ = v->operator_;
	e->episode = v->episode;
	e->body = v->body;
	e->body_len = strlen(v->body);
}

static void fixed_key(uint8_t pk[crypto_sign_PUBLICKEYBYTES], uint8_t sk[crypto_sign_SECRETKEYBYTES])
{
	uint8_t seed[crypto_sign_SEEDBYTES];
	for (int i = 0; i < (int)sizeof seed; i++)
		seed[i] = (uint8_t)i;
	assert_int_equal(crypto_sign_seed_keypair(pk, sk, seed), 0);
}

static void test_encoding_matches_vectors(void **state)
{
	(void)state;
	static uint8_t want[4096];
	for (size_t i = 0; i < NVEC; i++) {
		entry e;
		load(&vectors[i], &e);
		size_t wn = unhex(vectors[i].encoding_hex, want, sizeof want), n = 0;
		uint8_t *got = entry_encode(&e, &n);
		assert_non_null(got);
		if (n != wn)
			fail_msg("vector %zu: encoding is %zu bytes, the spec says %zu", i + 1, n, wn);
		assert_memory_equal(got, want, wn);
		free(got);
	}
}

static void test_hash_matches_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < NVEC; i++) {
		entry e;
		uint8_t want[ENTRY_HASH_BYTES], got[ENTRY_HASH_BYTES];
		load(&vectors[i], &e);
		unhex(vectors[i].hash_hex, want, sizeof want);
		entry_hash(&e, got);
		assert_memory_equal(got, want, ENTRY_HASH_BYTES);
		/* The streaming hash and the hash of the materialised
		 * encoding agree. */
		size_t n;
		uint8_t *enc = entry_encode(&e, &n), h2[ENTRY_HASH_BYTES];
		assert_non_null(enc);
		crypto_generichash(h2, sizeof h2, enc, n, NULL, 0);
		assert_memory_equal(h2, want, ENTRY_HASH_BYTES);
		free(enc);
	}
	/* Vector 2 chains onto vector 1. */
	uint8_t h1[ENTRY_HASH_BYTES], p2[ENTRY_HASH_BYTES];
	entry e1;
	load(&vectors[0], &e1);
	entry_hash(&e1, h1);
	unhex(vectors[1].prev_hex, p2, sizeof p2);
	assert_memory_equal(h1, p2, ENTRY_HASH_BYTES);
}

static void test_signature_matches_vectors(void **state)
{
	(void)state;
	uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	uint8_t wantpk[32];
	fixed_key(pk, sk);
	unhex(PUBKEY_HEX, wantpk, sizeof wantpk);
	assert_memory_equal(pk, wantpk, 32);
	for (size_t i = 0; i < NVEC; i++) {
		entry e;
		uint8_t hash[ENTRY_HASH_BYTES], sig[ENTRY_SIG_BYTES], want[ENTRY_SIG_BYTES];
		load(&vectors[i], &e);
		entry_hash(&e, hash);
		unhex(vectors[i].sig_hex, want, sizeof want);
		assert_int_equal(crypto_sign_detached(sig, NULL, hash, sizeof hash, sk), 0);
		assert_memory_equal(sig, want, ENTRY_SIG_BYTES);
		assert_int_equal(crypto_sign_verify_detached(want, hash, sizeof hash, pk), 0);
		/* ... and the pinned signature is bound to this hash and key. */
		hash[0] ^= 1;
		assert_int_not_equal(crypto_sign_verify_detached(want, hash, sizeof hash, pk), 0);
	}
}

/* Changing any one field, by as little as one byte, changes the hash. */
static void test_every_field_is_covered(void **state)
{
	(void)state;
	for (size_t i = 0; i < NVEC; i++) {
		entry base, e;
		uint8_t h0[ENTRY_HASH_BYTES], h[ENTRY_HASH_BYTES];
		char buf[1024];
		load(&vectors[i], &base);
		entry_hash(&base, h0);
#define DIFFERS(what)                                                                  \
	do {                                                                           \
		entry_hash(&e, h);                                                     \
		if (memcmp(h, h0, sizeof h) == 0)                                      \
			fail_msg("vector %zu: changing %s left the hash as it was", i + 1, \
				 what);                                                \
	} while (0)
		e = base;
		snprintf(buf, sizeof buf, "%s2", base.station);
		e.station = buf;
		DIFFERS("station");
		e = base;
		e.seq = base.seq + 1;
		DIFFERS("seq");
		e = base;
		e.seq = base.seq + ((int64_t)1 << 40);
		DIFFERS("a high byte of seq");
		for (int b = 0; b < ENTRY_HASH_BYTES; b += 31) {
			e = base;
			e.prev_hash[b] ^= 0x80;
			DIFFERS("prev_hash");
		}
		e = base;
		e.kind = strcmp(base.kind, "note") ? "note" : "void";
		DIFFERS("kind");
		e = base;
		snprintf(buf, sizeof buf, "%s", base.recorded_at);
		buf[18]++; /* one second later */
		e.recorded_at = buf;
		DIFFERS("recorded_at");
		e = base;
		snprintf(buf, sizeof buf, "%sx", base.operator_);
		e.operator_ = buf;
		DIFFERS("operator");
		e = base;
		snprintf(buf, sizeof buf, "%sx", base.episode);
		e.episode = buf;
		DIFFERS("episode");
		e = base;
		snprintf(buf, sizeof buf, "%s", base.body);
		buf[base.body_len - 2] ^= 0x01;
		e.body = buf;
		DIFFERS("one byte of body");
		e = base;
		e.body_len = base.body_len - 1;
		DIFFERS("body length");
		/* Bytes moved from one field to its neighbour: the length
		 * prefixes keep the encoding injective. */
		e = base;
		snprintf(buf, sizeof buf, "%s%s", base.operator_, base.episode);
		e.operator_ = buf;
		e.episode = "";
		if (*base.episode)
			DIFFERS("episode moved into operator");
		e = base;
		snprintf(buf, sizeof buf, "%s%s", base.kind, base.recorded_at);
		e.kind = buf;
		e.recorded_at = "";
		DIFFERS("recorded_at moved into kind");
#undef DIFFERS
	}
}

/* The field boundaries, read straight off a vector's bytes. */
static void test_layout(void **state)
{
	(void)state;
	entry e;
	size_t n;
	load(&vectors[2], &e);
	uint8_t *p = entry_encode(&e, &n);
	assert_non_null(p);
	assert_int_equal(p[0], 21); /* lp(tag): 21 bytes */
	assert_int_equal(p[1] | p[2] | p[3], 0);
	assert_memory_equal(p + 4, "bulu/journal-entry/v1", 21);
	assert_int_equal(p[25], 7); /* lp(station) */
	assert_memory_equal(p + 29, "MZ_SF01", 7);
	/* u64le(70000) = 70 11 01 00 00 00 00 00 */
	static const uint8_t seq[8] = {0x70, 0x11, 0x01, 0, 0, 0, 0, 0};
	assert_memory_equal(p + 36, seq, 8);
	assert_int_equal(p[44], 32); /* lp(prev_hash) */
	assert_int_equal(p[48], 0xa0);
	/* operator and episode are empty: two zero length prefixes before lp(body) */
	static const uint8_t tail_lens[8] = {0};
	size_t body_at = n - e.body_len - 4;
	assert_memory_equal(p + body_at - 8, tail_lens, 8);
	assert_int_equal(p[body_at], e.body_len);
	free(p);
}

/* entry_hash encodes on the stack when the entry fits and streams it into
 * BLAKE2b otherwise: both give the hash of entry_encode's bytes, for
 * bodies on either side of the switch. */
static void test_hash_both_ways(void **state)
{
	(void)state;
	static const size_t sizes[] = {0, 1, 3900, 3990, 4000, 4100, 20000};
	static char body[20001];
	for (size_t i = 0; i < sizeof body - 1; i++)
		body[i] = (char)('a' + i % 26);
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		entry e;
		load(&vectors[0], &e);
		e.body = body;
		e.body_len = sizes[k];
		size_t n;
		uint8_t *p = entry_encode(&e, &n);
		assert_non_null(p);
		uint8_t want[ENTRY_HASH_BYTES], got[ENTRY_HASH_BYTES];
		crypto_generichash(want, sizeof want, p, n, NULL, 0);
		entry_hash(&e, got);
		assert_memory_equal(got, want, sizeof want);
		free(p);
	}
}

static void test_helpers(void **state)
{
	(void)state;
	char ref[96], hex[2 * 4 + 1];
	entry_ref(ref, sizeof ref, "MZ_SF01", 70000);
	assert_string_equal(ref, "BL-MZ_SF01-70000");
	static const uint8_t in[4] = {0x00, 0x9f, 0xa0, 0xff};
	uint8_t back[4];
	hex_encode(hex, in, 4);
	assert_string_equal(hex, "009fa0ff");
	assert_int_equal(hex_decode(back, 4, "009FA0ff"), 0);
	assert_memory_equal(back, in, 4);
	assert_int_equal(hex_decode(back, 4, "009fa0f"), -1);
	assert_int_equal(hex_decode(back, 4, "009fa0fff"), -1);
	assert_int_equal(hex_decode(back, 4, "009fa0fg"), -1);
	assert_true(entry_kind_known("station_init"));
	assert_true(entry_kind_known("charge"));
	assert_false(entry_kind_known("Charge"));
	assert_false(entry_kind_known(""));
	assert_true(entry_kind_is_capture("charge"));
	assert_true(entry_kind_is_capture("void"));
	assert_false(entry_kind_is_capture("note"));
	assert_false(entry_kind_is_capture("outage_start"));
}

/* The head record's slot (docs/journal-format.md, "The head record"):
 * tests/vectors/head-v2.py computes it from the prose with Python's BLAKE2b
 * and another Ed25519; head_encode_slot must give the same 192 bytes, and
 * head_read must take them back under the key and refuse them under
 * another or with one byte changed. */
static const char head_slot_hex[] =
	"42554c5548454144020000000000000007000000000000007011010000000000"
	"cf0eb2833dfb7f020a3deef71f20462564b87eac2913fc8bd0e3e5d22694b32d"
	"9d24e2eeaf27c2a0f9d4010000000000070000004d5a5f534630310000000000"
	"0000000000000000000000000000000000000000000000000000000000000000"
	"db3fde6c93dd2a315130fc6701a2eb8802dd1647fb1ced11b49385da7e49072c"
	"94b66b0f8bb45eaac6eaeb790c2541804901d5bea5517ac9b8be6bca1a8a4f06";

static void test_head_slot_matches_vector(void **state)
{
	(void)state;
	uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	uint8_t seed[crypto_sign_SEEDBYTES], id[KEY_ID_BYTES], slot[HEAD_SLOT_BYTES], want[HEAD_SLOT_BYTES];
	for (int i = 0; i < (int)sizeof seed; i++)
		seed[i] = (uint8_t)i;
	assert_int_equal(crypto_sign_seed_keypair(pk, sk, seed), 0);
	keys_key_id(pk, id);
	head_rec h = {7, 70000, {0}, 120057, "MZ_SF01"};
	assert_int_equal(hex_decode(h.hash, 32, "cf0eb2833dfb7f020a3deef71f20462564b87eac2913fc8bd0e3e5d22694b32d"), 0);
	head_encode_slot(slot, &h, id, sk);
	assert_int_equal(hex_decode(want, sizeof want, head_slot_hex), 0);
	assert_memory_equal(slot, want, sizeof want);
	/* Read back from a file (one slot, the other empty). */
	char dir[] = "/tmp/bulu-head-XXXXXX", path[64];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/head", dir);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	uint8_t zero[HEAD_SLOT_BYTES] = {0};
	assert_int_equal(fwrite(zero, 1, sizeof zero, f), sizeof zero);
	assert_int_equal(fwrite(slot, 1, sizeof slot, f), sizeof slot);
	fclose(f);
	head_rec r;
	bulu_err e = {0};
	assert_int_equal(head_read(path, pk, &r, &e), BULU_OK);
	assert_int_equal(r.seq, 70000);
	assert_int_equal(r.invoice_max, 120057);
	assert_string_equal(r.station, "MZ_SF01");
	uint8_t other[crypto_sign_PUBLICKEYBYTES];
	memcpy(other, pk, sizeof other);
	other[0] ^= 1;
	assert_int_equal(head_read(path, other, &r, &e), BULU_INTEGRITY);
	f = fopen(path, "r+b");
	assert_non_null(f);
	fseek(f, HEAD_SLOT_BYTES + 24, SEEK_SET);
	fputc(0x71, f); /* seq 70000 -> 70001 */
	fclose(f);
	assert_int_equal(head_read(path, pk, &r, &e), BULU_INTEGRITY);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encoding_matches_vectors),
		cmocka_unit_test(test_hash_matches_vectors),
		cmocka_unit_test(test_signature_matches_vectors),
		cmocka_unit_test(test_every_field_is_covered),
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_head_slot_matches_vector),
		cmocka_unit_test(test_hash_both_ways),
		cmocka_unit_test(test_helpers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
