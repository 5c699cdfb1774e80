/*
 * fuzz_bundle.c - fuzz target for `bulu sync import`'s checks on the bytes
 * it cannot yet trust.
 *
 * A whole bundle is only read after its signature verifies, so the bytes
 * an attacker controls reach two places: the .minisig parser, and the
 * salvage of a damaged (shorter than signed) copy, which inflates, unseals
 * and opens a database prefix nobody signed.  The first input byte picks:
 *   0: the rest is a damaged bundle under a genuine claim (salvage path);
 *   1: the same, claimed sealed, with the central key at hand;
 *   2: the rest is the .minisig text beside a fixed file.
 * Invariants (abort on violation): bundle_check never fails as a system
 * error, never accepts a bundle whole, and never salvages an entry: no
 * entry here is signed by the station key, which is made afresh per run.
 *
 * Built with -DBULU_LIBFUZZER it is a libFuzzer target (`make fuzz`);
 * otherwise main() replays the files and directories given (`make check`).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bulu/bundle.h"
#include "bulu/fsutil.h"
#include "replay.h"

static char dir[256], bundle[300], sig[320];
static keypair kp;
static roster ro;
static central_keys ck;

static void cleanup(void)
{
	unlink(bundle);
	unlink(sig);
	char p[400];
	snprintf(p, sizeof p, "%s/central.key", dir);
	unlink(p);
	snprintf(p, sizeof p, "%s/central.pub", dir);
	unlink(p);
	rmdir(dir);
	keys_free(&kp);
	central_free(&ck);
	roster_free(&ro);
}

static void setup(void)
{
	const char *tmp = getenv("TMPDIR");
	bulu_err e = {0};
	snprintf(dir, sizeof dir, "%s/bulu-fuzzb.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir) || keys_init(&e) || keys_generate(&kp, &e) || central_create(dir, &e) ||
	    central_load(dir, &ck, &e))
		abort();
	snprintf(bundle, sizeof bundle, "%s/x.bulu", dir);
	snprintf(sig, sizeof sig, "%s/x.bulu.minisig", dir);
	roster_entry en;
	memset(&en, 0, sizeof en);
	snprintf(en.station, sizeof en.station, "FZ");
	snprintf(en.dept, sizeof en.dept, "门诊");
	snprintf(en.role, sizeof en.role, "cashier");
	memcpy(en.pk, kp.pk, KEY_PK_BYTES);
	memcpy(en.key_id, kp.key_id, KEY_ID_BYTES);
	if (roster_add(&ro, &en, 0, &e) != BULU_OK)
		abort();
	atexit(cleanup);
}

/* A genuine signature whose claim says size+1 bytes: the file is "damaged". */
static void write_claim(size_t size, int sealed)
{
	bundle_claim c = {.first = 1, .last = 50, .size = (int64_t)size + 1, .sealed = sealed};
	snprintf(c.station, sizeof c.station, "FZ");
	char trusted[MINISIG_TRUSTED_MAX];
	uint8_t prehash[MINISIG_PREHASH_BYTES] = {0};
	buf out = BUF_INIT;
	bulu_err e = {0};
	if (bundle_claim_format(&c, trusted, sizeof trusted) != 0 ||
	    minisig_sign(prehash, kp.sk, kp.key_id, "fuzz", trusted, &out, &e) != BULU_OK ||
	    fs_write_atomic(sig, out.p, out.len, 0600, &e) != BULU_OK)
		abort();
	buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	static int ready;
	if (!ready) {
		setup();
		ready = 1;
	}
	int mode = n ? data[0] % 3 : 0;
	const uint8_t *p = n ? data + 1 : data;
	size_t len = n ? n - 1 : 0;
	bulu_err e = {0};
	if (mode == 2) {
		if (fs_write_atomic(bundle, "fixed", 5, 0600, &e) || fs_write_atomic(sig, p, len, 0600, &e))
			abort();
	} else {
		if (fs_write_atomic(bundle, p, len, 0600, &e))
			abort();
		write_claim(len, mode == 1);
	}
	bundle_in b;
	memset(&b, 0, sizeof b);
	b.path = bundle;
	bundle_ctx ctx = {.roster = &ro, .central = &ck};
	if (bundle_check(&b, &ctx, &e) != BULU_OK || b.result == BUNDLE_MERGE ||
	    (b.result == BUNDLE_SALVAGE && b.n_entries != 0))
		abort();
	bundle_in_free(&b);
	return 0;
}

REPLAY_MAIN
