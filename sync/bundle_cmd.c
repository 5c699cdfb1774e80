/*
 * bundle_cmd.c - `bulu bundle verify` and `bulu bundle open`: one bundle in
 * an auditor's hands, away from any ledger.
 *
 * verify runs exactly the importer's checks (check.c: regular file, limits,
 * signature and claim, size, seal, schema, every hash, link and entry
 * signature) against one station key (--pubkey, a minisign public key) or
 * the roster, and writes nothing.  open unseals a sealed bundle with the
 * central key and writes the plain gzip file inside (what `zcat` reads, a
 * SQLite database `sqlite3` reads); given a key, it verifies the bundle
 * whole first and writes nothing when that fails.  Its output is a new file
 * (never one that exists), written through fs_atomic.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulu/buf.h"
#include "bulu/bundle.h"
#include "bulu/cli.h"
#include "bulu/fsutil.h"

static const char usage_verify[] =
	"usage: bulu bundle verify FILE (--pubkey KEY.pub | --roster ROSTER) [--central DIR]\n"
	"                          [--max-bundle-size N] [--max-db-size N] [--max-entry-size N]\n"
	"\n"
	"Check one bundle as `bulu sync import` would, and write nothing: FILE and\n"
	"FILE.minisig are regular files within the limits, the signature is by the\n"
	"station key (--pubkey: a minisign public key, `bulu station pubkey`; or the\n"
	"station's key in the roster), its claim verifies and FILE has the claimed\n"
	"size; then, unsealed with --central when sealed, the database's shape and\n"
	"every entry's hash, link and signature.  A sealed bundle without --central\n"
	"gets the signature, claim and size checked only (said so).\n"
	"\n"
	"Exit 0 verified; 1 a damaged copy (its verifiable prefix named); 2 bad\n"
	"usage; 3 rejected, with why.\n";

static const char usage_open[] =
	"usage: bulu bundle open FILE --central DIR --out OUT [--pubkey KEY.pub | --roster ROSTER]\n"
	"\n"
	"Unseal a sealed bundle with the central key (DIR/central.key) and write the\n"
	"plain bundle inside to OUT, a new file: a gzip file that `zcat` reads, of a\n"
	"SQLite database that `sqlite3` reads:\n"
	"    zcat OUT > bundle.db && sqlite3 bundle.db 'SELECT seq, kind FROM entries'\n"
	"With --pubkey or --roster the bundle is first verified whole (as `bulu bundle\n"
	"verify`), and nothing is written unless it passes.  The station's signature\n"
	"covers the sealed file, not OUT: keep FILE and FILE.minisig as the evidence.\n"
	"\n"
	"Exit 0 written; 2 bad usage, OUT exists, FILE not sealed; 3 the seal does\n"
	"not open with this key, or the bundle fails verification.\n";

struct keyarg {
	const char *pubkey, *roster, *central;
	bundle_limits lim;
};

/* A roster of one: the key in --pubkey, named for the station the bundle's
 * claim names (the claim itself is then verified under that key). */
static int one_key_roster(const char *file, const char *pubfile, roster *ro, bulu_err *e)
{
	char sigpath[4200], *text = NULL, *sigtext = NULL;
	size_t n = 0, ns = 0;
	minisig s;
	bundle_claim c;
	snprintf(sigpath, sizeof sigpath, "%s.minisig", file);
	int rc = fs_read_regular(pubfile, 4096, &text, &n, e);
	roster_entry *re = calloc(1, sizeof *re);
	if (rc == BULU_OK && !re)
		rc = bulu_errf(e, BULU_SYSTEM, "out of memory");
	if (rc == BULU_OK)
		rc = keys_parse_minisign_pubkey(text, re->pk, re->key_id, e);
	/* The station's name from the claim, if it reads: check.c verifies it. */
	if (rc == BULU_OK && fs_read_regular(sigpath, BUNDLE_MAX_SIG, &sigtext, &ns, e) == BULU_OK &&
	    minisig_parse(sigtext, ns, &s, e) == BULU_OK && bundle_claim_parse(s.trusted, &c) == 0)
		snprintf(re->station, sizeof re->station, "%s", c.station);
	free(text);
	free(sigtext);
	if (rc != BULU_OK) {
		free(re);
		return rc;
	}
	memset(ro, 0, sizeof *ro);
	ro->v = re;
	ro->n = 1;
	snprintf(ro->path, sizeof ro->path, "%s", pubfile);
	return BULU_OK;
}

static int load_keys(const struct keyarg *k, roster *ro, central_keys *ck, int *have_ck, const char *file,
		     bulu_err *e)
{
	int rc = BULU_OK;
	*have_ck = 0;
	if (k->pubkey)
		rc = one_key_roster(file, k->pubkey, ro, e);
	else if (k->roster)
		rc = roster_load(k->roster, 0, ro, e);
	if (rc == BULU_OK && k->central) {
		rc = central_load(k->central, ck, e);
		*have_ck = rc == BULU_OK;
	}
	return rc;
}

/* Check FILE; print the verdict line; the exit status. */
static int verify_one(const char *file, const struct keyarg *k, int print_ok, bulu_err *e)
{
	roster ro = {0};
	central_keys ck = {0};
	int have_ck = 0;
	int rc = keys_init(e);
	if (rc == BULU_OK)
		rc = load_keys(k, &ro, &ck, &have_ck, file, e);
	if (rc != BULU_OK) {
		roster_free(&ro);
		return cli_fail(e);
	}
	bundle_ctx ctx = {.roster = &ro, .central = have_ck ? &ck : NULL, .lim = k->lim, .sealed_sig_only = 1};
	bundle_in b;
	memset(&b, 0, sizeof b);
	b.path = file;
	rc = bundle_check(&b, &ctx, e);
	char name[FS_NAME_SHOWN], head[2 * ENTRY_HASH_BYTES + 1];
	fs_name_shown(file, name, sizeof name);
	hex_encode(head, b.claim.head, ENTRY_HASH_BYTES);
	int status = BULU_OK;
	if (rc != BULU_OK)
		status = cli_fail(e);
	else if (b.result == BUNDLE_REJECT) {
		printf("rejected %s: %s\n", name, b.reason);
		status = BULU_INTEGRITY;
	} else if (b.result == BUNDLE_SALVAGE) {
		printf("damaged  %s: %s: %s\n", name, b.claim.station, b.reason);
		status = BULU_FINDINGS;
	} else if (b.sealed_unread) {
		if (print_ok)
			printf("verified %s: station %s, seqs %" PRId64 "-%" PRId64 ", head %s, %" PRId64
			       " bytes, sealed: the signature, claim and size only (give --central to check the entries)\n",
			       name, b.claim.station, b.claim.first, b.claim.last, head, b.size);
	} else if (print_ok) {
		printf("verified %s: station %s, seqs %" PRId64 "-%" PRId64 ", head %s, %" PRId64 " bytes%s, "
		       "every hash, link and signature (%" PRId64 " entries, %" PRId64 " drill)\n",
		       name, b.claim.station, b.claim.first, b.claim.last, head, b.size,
		       b.claim.sealed ? ", sealed" : "", b.n_entries, b.n_drill);
	}
	bundle_in_free(&b);
	roster_free(&ro);
	central_free(&ck);
	return status;
}

static int parse_common(int c, struct keyarg *k, const char *cmd)
{
	size_t *v = c == 'F' ? &k->lim.max_file : c == 'B' ? &k->lim.max_db : &k->lim.max_entry;
	if (bundle_size_parse(optarg, v) != 0)
		return cli_usage(cmd, "--max-%s-size: a size such as 1048576, 64K, 256M or 2G",
				 c == 'F' ? "bundle" : c == 'B' ? "db" : "entry");
	return BULU_OK;
}

int cmd_bundle_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{"pubkey", required_argument, 0, 'p'},   {"roster", required_argument, 0, 'r'},
		{"central", required_argument, 0, 'c'},  {"max-bundle-size", required_argument, 0, 'F'},
		{"max-db-size", required_argument, 0, 'B'}, {"max-entry-size", required_argument, 0, 'E'},
		{"help", no_argument, 0, 'h'},           {0, 0, 0, 0}};
	struct keyarg k = {NULL, NULL, getenv("BULU_CENTRAL"), {0, 0, 0}};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'p': k.pubkey = optarg; break;
		case 'r': k.roster = optarg; break;
		case 'c': k.central = optarg; break;
		case 'F':
		case 'B':
		case 'E':
			if (parse_common(c, &k, argv[0]) != BULU_OK)
				return BULU_BADINPUT;
			break;
		case 'h': return cli_help(usage_verify);
		default: return cli_usage(argv[0], "unknown option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage(argv[0], "name one bundle file");
	if (k.pubkey && k.roster)
		return cli_usage(argv[0], "give --pubkey or --roster, not both");
	if (!k.pubkey && !(k.roster = roster_default_path(k.roster)))
		return cli_usage(argv[0], "--pubkey FILE or --roster FILE is required (or set BULU_ROSTER)");
	if (k.central && !*k.central)
		k.central = NULL;
	bulu_err e = {0};
	return verify_one(argv[optind], &k, 1, &e);
}

int cmd_bundle_open(int argc, char **argv)
{
	static const struct option opts[] = {
		{"central", required_argument, 0, 'c'}, {"out", required_argument, 0, 'o'},
		{"pubkey", required_argument, 0, 'p'},  {"roster", required_argument, 0, 'r'},
		{"help", no_argument, 0, 'h'},          {0, 0, 0, 0}};
	struct keyarg k = {NULL, NULL, getenv("BULU_CENTRAL"), {0, 0, 0}};
	const char *out = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': k.central = optarg; break;
		case 'o': out = optarg; break;
		case 'p': k.pubkey = optarg; break;
		case 'r': k.roster = optarg; break;
		case 'h': return cli_help(usage_open);
		default: return cli_usage(argv[0], "unknown option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage(argv[0], "name one bundle file");
	if (!k.central || !*k.central)
		return cli_usage(argv[0], "--central DIR is required (or set BULU_CENTRAL)");
	if (!out || !*out)
		return cli_usage(argv[0], "--out FILE is required");
	if (k.pubkey && k.roster)
		return cli_usage(argv[0], "give --pubkey or --roster, not both");
	const char *file = argv[optind];
	char shown[FS_NAME_SHOWN], oshown[FS_NAME_SHOWN];
	fs_name_shown(file, shown, sizeof shown);
	fs_name_shown(out, oshown, sizeof oshown);
	if (fs_exists(out))
		return cli_usage(argv[0], "%s exists: bundle open writes a new file only", oshown);
	bulu_err e = {0};
	if (k.pubkey || k.roster) {
		int v = verify_one(file, &k, 0, &e);
		if (v != BULU_OK) {
			fprintf(stderr, "bulu: %s does not verify: nothing written\n", shown);
			return v == BULU_FINDINGS ? BULU_INTEGRITY : v;
		}
	}
	central_keys ck = {0};
	char *data = NULL;
	size_t n = 0;
	buf plain = BUF_INIT;
	int opened = 0;
	int rc = keys_init(&e);
	if (rc == BULU_OK)
		rc = central_load(k.central, &ck, &e);
	if (rc == BULU_OK)
		rc = fs_read_regular(file, BUNDLE_MAX_FILE, &data, &n, &e);
	if (rc == BULU_OK && !seal_is_sealed(data, n))
		rc = bulu_errf(&e, BULU_BADINPUT, "%s is not sealed: it is a plain bundle already (zcat reads it)", shown);
	if (rc == BULU_OK && (rc = seal_decrypt(data, n, &ck, &plain, &opened, &e)) != BULU_OK)
		rc = bulu_errf(&e, rc, "%s: %s: nothing written", shown, e.msg);
	if (rc == BULU_OK && plain.oom)
		rc = bulu_errf(&e, BULU_SYSTEM, "out of memory");
	if (rc == BULU_OK)
		rc = fs_write_atomic(out, plain.p ? plain.p : "", plain.len, 0600, &e);
	if (rc == BULU_OK)
		fprintf(stderr, "opened %s: %zu bytes of plain bundle written to %s (mode 0600: it holds patient data)\n",
			shown, plain.len, oshown);
	free(data);
	buf_free(&plain);
	central_free(&ck);
	return rc == BULU_OK ? BULU_OK : cli_fail(&e);
}
