/*
 * bundle_flip - every single-byte change of a bundle must be rejected.
 *
 *   bundle_flip ROSTER BUNDLE [CENTRAL_DIR]
 *
 * For each byte of BUNDLE, and each byte of BUNDLE.minisig outside its
 * untrusted comment (which minisign's format leaves unsigned by design),
 * writes a copy with that byte changed (xor 0x01 at even offsets, 0x80 at
 * odd ones) and runs the importer's check on it.  Prints the count and the
 * first change not rejected; exits 0 only when every change was rejected.
 * In-process, so the thousands of cases take a second, not minutes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bulu/bundle.h"
#include "bulu/text.h"

static int write_file(const char *path, const char *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	size_t w = fwrite(p, 1, n, f);
	return fclose(f) == 0 && w == n ? 0 : -1;
}

/* Run the check on dir/x.bulu; 1 when it was rejected. */
static int rejected(const char *path, const bundle_ctx *ctx)
{
	bundle_in b;
	memset(&b, 0, sizeof b);
	b.path = path;
	bulu_err e = {0};
	int rc = bundle_check(&b, ctx, &e);
	int rej = rc == BULU_OK && b.result == BUNDLE_REJECT;
	bundle_in_free(&b);
	return rej;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: bundle_flip ROSTER BUNDLE [CENTRAL_DIR]\n");
		return 2;
	}
	bulu_err e = {0};
	roster r = {0};
	central_keys ck = {0};
	if (keys_init(&e) != BULU_OK || roster_load(argv[1], 0, &r, &e) != BULU_OK ||
	    (argc > 3 && central_load(argv[3], &ck, &e) != BULU_OK)) {
		fprintf(stderr, "bundle_flip: %s\n", e.msg);
		return 2;
	}
	bundle_ctx ctx = {.roster = &r, .central = argc > 3 ? &ck : NULL};
	char sigpath[4096], dir[] = "/tmp/bundle_flip.XXXXXX", copy[4200], copysig[4300];
	snprintf(sigpath, sizeof sigpath, "%s.minisig", argv[2]);
	char *data = NULL, *sig = NULL;
	size_t n = 0, nsig = 0;
	if (text_slurp(argv[2], &data, &n, &e) != BULU_OK || text_slurp(sigpath, &sig, &nsig, &e) != BULU_OK ||
	    !mkdtemp(dir)) {
		fprintf(stderr, "bundle_flip: %s\n", e.msg);
		return 2;
	}
	snprintf(copy, sizeof copy, "%s/x.bulu", dir);
	snprintf(copysig, sizeof copysig, "%s.minisig", copy);
	long cases = 0, missed = 0;
	/* The unchanged pair must pass, or the test proves nothing. */
	if (write_file(copy, data, n) || write_file(copysig, sig, nsig) || rejected(copy, &ctx)) {
		fprintf(stderr, "bundle_flip: the unchanged bundle does not verify\n");
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		data[i] ^= (char)(i % 2 ? 0x80 : 0x01);
		if (write_file(copy, data, n) != 0)
			return 2;
		cases++;
		if (!rejected(copy, &ctx) && missed++ == 0)
			printf("bundle byte %zu changed and not rejected\n", i);
		data[i] ^= (char)(i % 2 ? 0x80 : 0x01);
	}
	write_file(copy, data, n);
	size_t skip_to = strcspn(sig, "\n") + 1; /* the untrusted comment line */
	for (size_t i = skip_to; i < nsig; i++) {
		sig[i] ^= (char)(i % 2 ? 0x80 : 0x01);
		if (write_file(copysig, sig, nsig) != 0)
			return 2;
		cases++;
		if (!rejected(copy, &ctx) && missed++ == 0)
			printf("signature byte %zu changed and not rejected\n", i);
		sig[i] ^= (char)(i % 2 ? 0x80 : 0x01);
	}
	unlink(copy);
	unlink(copysig);
	rmdir(dir);
	printf("%ld changes, %ld rejected, %ld not\n", cases, cases - missed, missed);
	free(data);
	free(sig);
	roster_free(&r);
	central_free(&ck);
	return missed ? 1 : 0;
}
