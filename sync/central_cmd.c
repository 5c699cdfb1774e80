/*
 * central_cmd.c - `bulu central init`: the central office's key pair, to
 * which stations seal their bundles.  The key files and the sealed format
 * live in seal.c.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>

#include "bulu/cli.h"
#include "bulu/fsutil.h"
#include "bulu/notice.h"
#include "bulu/seal.h"

static const char init_usage[] =
	"usage: bulu central init --dir DIR\n"
	"\n"
	"Make the central office's key pair for sealed bundles in DIR (created 0700\n"
	"if missing): central.key, the X25519 secret key (mode 0600; refused later\n"
	"if group or others may read it), and central.pub, its public key.  Hand\n"
	"central.pub to every station, which then seals its bundles with\n"
	"`bulu sync export --seal-to central.pub`; only central.key opens them, so\n"
	"keep it at the central office and back it up offline.\n"
	"\n"
	"Beside it, the signing key of the IT office's outage notices:\n"
	"central-sign.key (Ed25519, mode 0600) and central-sign.pub (minisign\n"
	"format).  Give central-sign.pub to every station (`bulu station init\n"
	"--central-pubkey FILE` or `bulu station trust-central --pubkey FILE`); they\n"
	"apply only notices it verifies (`bulu outage declare`, docs/outage.md).\n"
	"Run on a central directory made before the signing key existed, it adds\n"
	"the signing key alone.  An existing key is never replaced (exit 2).\n";

int cmd_central_init(int argc, char **argv)
{
	const char *dir = NULL;
	int rc;
	if (cli_dir_only(argc, argv, init_usage, &dir, &rc))
		return rc;
	if (!dir || !*dir)
		return cli_usage(argv[0], "--dir DIR is required");
	bulu_err e = {0};
	char pub[PATH_MAX], id[17], path[PATH_MAX];
	uint8_t pk[SEAL_PK_BYTES];
	snprintf(path, sizeof path, "%s/central.key", dir);
	int only_sign = fs_exists(path);
	snprintf(path, sizeof path, "%s/central-sign.key", dir);
	if (only_sign && !fs_exists(path)) {
		if (notice_key_create(dir, &e) != BULU_OK)
			return cli_fail(&e);
		printf("signing key: %s (mode 0600)\npublic key: %s/central-sign.pub\n"
		       "Give it to every station: bulu station trust-central --pubkey %s/central-sign.pub\n",
		       path, dir, dir);
		return BULU_OK;
	}
	if (central_create(dir, &e) != BULU_OK || notice_key_create(dir, &e) != BULU_OK)
		return cli_fail(&e);
	snprintf(pub, sizeof pub, "%s/central.pub", dir);
	if (central_load_public(pub, pk, &e) != BULU_OK)
		return cli_fail(&e);
	central_key_id_hex(pk, id);
	fprintf(stderr, "bulu: central key pair %s made in %s\n", id, dir);
	printf("secret key: %s/central.key (mode 0600: keep it here, back it up offline)\n"
	       "public key: %s (key id %s)\n"
	       "Hand the public key to every station; they seal their bundles with\n"
	       "  bulu sync export --seal-to %s\n"
	       "signing key: %s/central-sign.key (outage notices; mode 0600)\n"
	       "public key: %s/central-sign.pub (stations: bulu station trust-central --pubkey FILE)\n",
	       dir, pub, id, pub, dir, dir);
	return BULU_OK;
}
