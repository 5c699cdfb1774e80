/*
 * minisig_tool.c - the library's signatures, sealed files and gzip streams
 * from the shell, so tests/cli/minisig.sh and central.sh can hold them up
 * against the stock minisign, zcat and gzip and against `bulu central init`.
 *
 *   minisig_tool verify PUBFILE FILE SIGFILE   parse + check; print the trusted comment
 *   minisig_tool sign FILE SIGFILE PUBFILE TRUSTED
 *                                   a fresh key signs FILE; its minisign
 *                                   public key goes to PUBFILE
 *   minisig_tool central-load DIR   central_load; print the key id
 *   minisig_tool central-pub FILE   central_load_public; print the key id
 *   minisig_tool seal PUBFILE IN OUT    seal_encrypt to a central.pub
 *   minisig_tool open DIR IN OUT        seal_decrypt with DIR/central.key
 *   minisig_tool gzip IN OUT | gunzip IN OUT
 *
 * Exit status: the library's (0 good, 2 bad input, 3 integrity, 4 system),
 * its message on stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulu/fsutil.h"
#include "bulu/gz.h"
#include "bulu/minisig.h"
#include "bulu/seal.h"
#include "bulu/text.h"

static int failed(const bulu_err *e)
{
	fprintf(stderr, "minisig_tool: %s\n", e->msg);
	return e->code ? e->code : 1;
}

static int verify(const char *pubfile, const char *file, const char *sigfile)
{
	bulu_err e = {0};
	char *pub = NULL, *data = NULL, *sig = NULL;
	size_t pn, dn, sn;
	uint8_t pk[KEY_PK_BYTES], id[KEY_ID_BYTES], h[MINISIG_PREHASH_BYTES];
	minisig s;
	int rc = text_slurp(pubfile, &pub, &pn, &e);
	if (rc == BULU_OK)
		rc = keys_parse_minisign_pubkey(pub, pk, id, &e);
	if (rc == BULU_OK)
		rc = text_slurp(file, &data, &dn, &e);
	if (rc == BULU_OK)
		rc = text_slurp(sigfile, &sig, &sn, &e);
	if (rc == BULU_OK)
		rc = minisig_parse(sig, sn, &s, &e);
	if (rc == BULU_OK && memcmp(s.key_id, id, KEY_ID_BYTES) != 0)
		rc = bulu_errf(&e, BULU_INTEGRITY, "signed by another key");
	if (rc == BULU_OK && minisig_check_trusted(&s, pk) != 0)
		rc = bulu_errf(&e, BULU_INTEGRITY, "the trusted comment's signature is bad");
	if (rc == BULU_OK) {
		minisig_prehash(data, dn, h);
		if (minisig_check(&s, h, pk) != 0)
			rc = bulu_errf(&e, BULU_INTEGRITY, "the file's signature is bad");
	}
	if (rc == BULU_OK)
		printf("trusted: %s\n", s.trusted);
	free(pub);
	free(data);
	free(sig);
	return rc == BULU_OK ? 0 : failed(&e);
}

static int sign(const char *file, const char *sigfile, const char *pubfile, const char *trusted)
{
	bulu_err e = {0};
	keypair kp;
	char *data = NULL, pub[512];
	size_t dn;
	uint8_t h[MINISIG_PREHASH_BYTES];
	buf out = BUF_INIT;
	int rc = keys_init(&e);
	if (rc == BULU_OK)
		rc = keys_generate(&kp, &e);
	if (rc != BULU_OK)
		return failed(&e);
	rc = text_slurp(file, &data, &dn, &e);
	if (rc == BULU_OK) {
		minisig_prehash(data, dn, h);
		rc = minisig_sign(h, kp.sk, kp.key_id, "signature from minisig_tool", trusted, &out, &e);
	}
	if (rc == BULU_OK)
		rc = fs_write_atomic(sigfile, out.p, out.len, 0644, &e);
	if (rc == BULU_OK && keys_minisign_pubkey(kp.pk, NULL, pub, sizeof pub) != 0)
		rc = bulu_errf(&e, BULU_SYSTEM, "public key text too long");
	if (rc == BULU_OK)
		rc = fs_write_atomic(pubfile, pub, strlen(pub), 0644, &e);
	keys_free(&kp);
	free(data);
	buf_free(&out);
	return rc == BULU_OK ? 0 : failed(&e);
}

static int central(const char *what, const char *arg)
{
	bulu_err e = {0};
	central_keys k = {{0}, NULL};
	char id[17];
	int rc = strcmp(what, "central-load") == 0 ? central_load(arg, &k, &e)
						     : central_load_public(arg, k.pk, &e);
	if (rc != BULU_OK)
		return failed(&e);
	central_key_id_hex(k.pk, id);
	printf("%s\n", id);
	central_free(&k);
	return 0;
}

/* seal, open, gzip, gunzip: IN to OUT through the library. */
static int transform(const char *what, const char *key, const char *in, const char *outfile)
{
	bulu_err e = {0};
	char *data = NULL;
	size_t n;
	buf out = BUF_INIT;
	central_keys k = {{0}, NULL};
	int opened = 0, rc = text_slurp(in, &data, &n, &e);
	if (rc == BULU_OK && strcmp(what, "seal") == 0) {
		rc = central_load_public(key, k.pk, &e);
		if (rc == BULU_OK)
			rc = seal_encrypt(data, n, k.pk, &out, &e);
	} else if (rc == BULU_OK && strcmp(what, "open") == 0) {
		rc = central_load(key, &k, &e);
		if (rc == BULU_OK)
			rc = seal_decrypt(data, n, &k, &out, &opened, &e);
	} else if (rc == BULU_OK && strcmp(what, "gzip") == 0) {
		rc = gz_compress(data, n, 6, &out, &e);
	} else if (rc == BULU_OK) {
		rc = gz_decompress(data, n, (size_t)1 << 30, &out, &e);
	}
	/* What came out is written even on failure: the salvaged prefix. */
	int wrc = fs_write_atomic(outfile, out.p ? out.p : "", out.len, 0644, rc == BULU_OK ? &e : NULL);
	if (rc == BULU_OK)
		rc = wrc;
	central_free(&k);
	free(data);
	buf_free(&out);
	return rc == BULU_OK ? 0 : failed(&e);
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	if (strcmp(cmd, "verify") == 0 && argc == 5)
		return verify(argv[2], argv[3], argv[4]);
	if (strcmp(cmd, "sign") == 0 && argc == 6)
		return sign(argv[2], argv[3], argv[4], argv[5]);
	if ((strcmp(cmd, "central-load") == 0 || strcmp(cmd, "central-pub") == 0) && argc == 3)
		return central(cmd, argv[2]);
	if ((strcmp(cmd, "seal") == 0 || strcmp(cmd, "open") == 0) && argc == 5)
		return transform(cmd, argv[2], argv[3], argv[4]);
	if ((strcmp(cmd, "gzip") == 0 || strcmp(cmd, "gunzip") == 0) && argc == 4)
		return transform(cmd, NULL, argv[2], argv[3]);
	fprintf(stderr, "usage: minisig_tool verify|sign|central-load|central-pub|seal|open|gzip|gunzip ...\n");
	return 2;
}
