/*
 * journal_cmd.c - `bulu journal verify` and `bulu journal accept-restore`.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulu/cli.h"
#include "bulu/journal.h"
#include "bulu/roster.h"
#include "bulu/text.h"

static const char verify_usage[] =
	"usage: bulu journal verify [--dir DIR] [--pubkey FILE] [--roster R]\n"
	"\n"
	"Recompute every entry's hash from its stored bytes, follow every link, check\n"
	"every signature, that seq has no gap, that the triggers are the format's,\n"
	"that the station row and every catalog snapshot are what their entries\n"
	"recorded, that public.key and secret.key are the journal's key, and that the\n"
	"signed head record (and its mirror, when there is one) names an entry the\n"
	"journal holds.  Reads only: journal.db, -wal and -shm are left byte for byte.\n"
	"\n"
	"Everything in the station directory can be replaced together, key and all;\n"
	"--pubkey FILE (a minisign public key, as `bulu station pubkey` printed at\n"
	"init) or --roster R (the central office's roster; $BULU_ROSTER) checks the\n"
	"journal's key against a copy kept elsewhere.  Exit 0 when all holds; 3\n"
	"naming the first bad seq or what is wrong.\n";

static const char restore_usage[] =
	"usage: bulu journal accept-restore --reason TEXT [--operator OP] [--dir DIR]\n"
	"\n"
	"After an old copy of journal.db was restored on purpose (the newest is lost),\n"
	"let the station write again: appends a note entry recording the seq and hash\n"
	"that were lost and the reason, and moves the head record to it.  The entries\n"
	"after the restored copy's end are gone from this station; bundles already\n"
	"exported keep them, and the central ledger will show the fork.\n";

/* The journal's key against one kept elsewhere: a minisign public key
 * file, and/or the roster's entry for this station. */
static int outside_key(journal *j, const char *pubfile, const char *rpath, bulu_err *e)
{
	char hj[17], ho[17];
	uint8_t idj[KEY_ID_BYTES], pk[KEY_PK_BYTES], id[KEY_ID_BYTES];
	keys_key_id(journal_pubkey(j), idj);
	keys_key_id_hex(idj, hj);
	if (pubfile) {
		char *text = NULL;
		size_t n;
		int rc = text_slurp(pubfile, &text, &n, e);
		if (rc == BULU_OK)
			rc = keys_parse_minisign_pubkey(text, pk, id, e);
		free(text);
		if (rc != BULU_OK)
			return bulu_err_prefix(e, "%s", pubfile);
		keys_key_id_hex(id, ho);
		if (memcmp(pk, journal_pubkey(j), KEY_PK_BYTES) != 0)
			return bulu_errf(e, BULU_INTEGRITY,
					 "the journal is signed with key %s, not with the key of %s (%s): "
					 "it is not this station's journal, or it was re-signed",
					 hj, pubfile, ho);
	}
	if (rpath) {
		roster r;
		int rc = roster_load(rpath, 0, &r, e);
		if (rc != BULU_OK)
			return rc;
		const roster_entry *en = roster_by_station(&r, journal_station(j));
		if (!en)
			rc = bulu_errf(e, BULU_INTEGRITY, "station %s is not on the roster %s",
				       journal_station(j), rpath);
		else if (memcmp(en->pk, journal_pubkey(j), KEY_PK_BYTES) != 0) {
			keys_key_id_hex(en->key_id, ho);
			rc = bulu_errf(e, BULU_INTEGRITY,
				       "the journal is signed with key %s, but the roster %s trusts key %s "
				       "for station %s: it was re-signed, or the roster is out of date",
				       hj, rpath, ho, journal_station(j));
		} else if (strcmp(en->dept, journal_dept(j)) != 0 || strcmp(en->role, journal_role(j)) != 0)
			rc = bulu_errf(e, BULU_INTEGRITY,
				       "the roster %s lists station %s with another department or role "
				       "than its journal records", rpath, journal_station(j));
		roster_free(&r);
		return rc;
	}
	return BULU_OK;
}

int cmd_journal_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{"dir", required_argument, 0, 'D'}, {"pubkey", required_argument, 0, 'k'},
		{"roster", required_argument, 0, 'R'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	const char *dir = NULL, *pubfile = NULL, *rflag = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'D': dir = optarg; break;
		case 'k': pubfile = optarg; break;
		case 'R': rflag = optarg; break;
		case 'h': return cli_help(verify_usage);
		default: return cli_usage(argv[0], "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage(argv[0], "unexpected argument '%s'", argv[optind]);
	const char *rpath = rflag ? rflag : (pubfile ? NULL : roster_default_path(NULL));
	bulu_err e = {0};
	journal *j = NULL;
	int64_t n = 0;
	int rc = journal_open(dir, JOURNAL_AUDIT, &j, &e);
	if (rc == BULU_OK)
		rc = journal_verify(j, &n, &e);
	if (rc == BULU_OK)
		rc = outside_key(j, pubfile, rpath, &e);
	if (rc == BULU_OK) {
		char hx[17];
		uint8_t id[KEY_ID_BYTES];
		keys_key_id(journal_pubkey(j), id);
		keys_key_id_hex(id, hx);
		printf("ok: station %s, %lld entries, every hash, link and signature verified, key %s%s\n",
		       journal_station(j), (long long)n, hx,
		       pubfile || rpath ? " (as given)" : "");
		if (!pubfile && !rpath)
			fprintf(stderr, "bulu: the key was checked against the station's own files only; "
				"give --pubkey or --roster to check it against a copy kept elsewhere\n");
	}
	journal_close(j);
	return rc == BULU_OK ? BULU_OK : cli_fail(&e);
}

int cmd_journal_accept_restore(int argc, char **argv)
{
	static const struct option opts[] = {
		{"reason", required_argument, 0, 'r'}, {"operator", required_argument, 0, 'o'},
		{"dir", required_argument, 0, 'D'},    {"help", no_argument, 0, 'h'},
		{0, 0, 0, 0}};
	const char *dir = NULL, *reason = NULL, *op = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'r': reason = optarg; break;
		case 'o': op = optarg; break;
		case 'D': dir = optarg; break;
		case 'h': return cli_help(restore_usage);
		default: return cli_usage(argv[0], "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage(argv[0], "unexpected argument '%s'", argv[optind]);
	if (!reason || !*reason)
		return cli_usage(argv[0], "--reason is required: say why the old copy must go on");
	bulu_err e = {0};
	if (journal_accept_restore(dir, cli_operator(op, 1), reason, &e) != BULU_OK)
		return cli_fail(&e);
	printf("restore accepted: the station writes again; the restore is recorded in the journal\n");
	return BULU_OK;
}
