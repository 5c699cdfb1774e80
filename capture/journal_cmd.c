/*
 * journal_cmd.c - `bulu journal verify` and `bulu journal accept-restore`.
 */
#include <getopt.h>
#include <stdio.h>

#include "bulu/cli.h"
#include "bulu/journal.h"

static const char verify_usage[] =
	"usage: bulu journal verify [--dir DIR]\n"
	"\n"
	"Recompute every entry's hash from its stored bytes, follow every link, check\n"
	"every signature, that seq has no gap, that the append-only triggers are in\n"
	"place and that the journal is not behind the station's head record.\n"
	"Exit 0 when all holds; 3 naming the first bad seq and why.\n";

static const char restore_usage[] =
	"usage: bulu journal accept-restore --reason TEXT [--operator OP] [--dir DIR]\n"
	"\n"
	"After an old copy of journal.db was restored on purpose (the newest is lost),\n"
	"let the station write again: appends a note entry recording the seq and hash\n"
	"that were lost and the reason, and moves the head record to it.  The entries\n"
	"after the restored copy's end are gone from this station; bundles already\n"
	"exported keep them, and the central ledger will show the fork.\n";

int cmd_journal_verify(int argc, char **argv)
{
	const char *dir = NULL;
	int rc0;
	if (cli_dir_only(argc, argv, verify_usage, &dir, &rc0))
		return rc0;
	bulu_err e = {0};
	journal *j = NULL;
	int64_t n = 0;
	int rc = journal_open(dir, JOURNAL_READ, &j, &e);
	if (rc == BULU_OK)
		rc = journal_verify(j, &n, &e);
	if (rc == BULU_OK)
		printf("ok: station %s, %lld entries, every hash, link and signature verified\n",
		       journal_station(j), (long long)n);
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
