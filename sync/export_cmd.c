/*
 * export_cmd.c - `bulu sync export`.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulu/bundle.h"
#include "bulu/cli.h"
#include "bulu/fsutil.h"
#include "bulu/money.h"

static const char usage[] =
	"usage: bulu sync export --out DIR [--since SEQ | --all] [--seal-to CENTRAL.pub] [--dir DIR]\n"
	"\n"
	"Write the station's new entries to DIR as STATION-FIRST-LAST.bulu (gzip of a\n"
	"SQLite database: `zcat` and `sqlite3` read it) and STATION-FIRST-LAST.bulu.minisig\n"
	"(its signature by the station key, in minisign's format: `minisign -Vm FILE -P KEY`\n"
	"verifies it, KEY from `bulu station pubkey`).  Both are written under new,\n"
	"unpredictable temporary names (never through a file or link already there),\n"
	"synced and renamed, so a pulled USB stick never holds a half file.\n"
	"\n"
	"  --out DIR            where to write (a USB stick, a LAN spool); created if missing\n"
	"  --since SEQ          the entries after SEQ (default: after the last export)\n"
	"  --all                every entry, from seq 1\n"
	"  --seal-to FILE       encrypt to the central office's public key (central.pub from\n"
	"                       `bulu central init`): a lost stick leaks no patient data\n"
	"  --dir DIR            the station directory (default $BULU_HOME, see bulu(1))\n"
	"\n"
	"Prints the bundle's path.  Nothing new: says so, writes nothing, exit 0.\n"
	"Every entry of the range is verified (hash, link, signature) before it is\n"
	"signed.  Exit 3 when one does not verify (nothing is written), or when DIR\n"
	"holds a bundle of this station that the journal does not account for (the\n"
	"station was restored from an old copy after exporting).  The path printed\n"
	"is escaped (a control character shows as \\xHH).\n";

int cmd_sync_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{"out", required_argument, 0, 'o'},     {"since", required_argument, 0, 's'},
		{"all", no_argument, 0, 'a'},           {"seal-to", required_argument, 0, 'S'},
		{"dir", required_argument, 0, 'D'},     {"help", no_argument, 0, 'h'},
		{0, 0, 0, 0}};
	const char *out = NULL, *since_s = NULL, *seal = NULL, *dir = NULL;
	int all = 0, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 's': since_s = optarg; break;
		case 'a': all = 1; break;
		case 'S': seal = optarg; break;
		case 'D': dir = optarg; break;
		case 'h': return cli_help(usage);
		default: return cli_usage(argv[0], "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage(argv[0], "unexpected argument '%s'", argv[optind]);
	if (!out || !*out)
		return cli_usage(argv[0], "--out DIR is required");
	if (since_s && all)
		return cli_usage(argv[0], "give --since or --all, not both");
	bundle_export_opts o = {.out_dir = out, .since = all ? 0 : -1};
	if (since_s && (parse_int64(since_s, strlen(since_s), &o.since) != 0 || o.since < 0))
		return cli_usage(argv[0], "--since: a seq, 0 or more");
	bulu_err e = {0};
	uint8_t central[SEAL_PK_BYTES];
	if (seal) {
		if (central_load_public(seal, central, &e) != BULU_OK)
			return cli_fail(&e);
		o.seal_to = central;
	}
	journal *j = NULL;
	bundle_export_result r;
	int rc = journal_open(dir, JOURNAL_WRITE, &j, &e);
	if (rc == BULU_OK)
		rc = bundle_export(j, &o, &r, &e);
	if (rc == BULU_OK && r.n == 0)
		fprintf(stderr, "bulu: nothing new to export: station %s has %" PRId64 " entries%s\n",
			journal_station(j), r.last, o.since < 0 ? ", all exported before" : "");
	else if (rc == BULU_OK) {
		char shown[FS_NAME_SHOWN];
		printf("%s\n", fs_name_shown(r.path, shown, sizeof shown));
		fprintf(stderr, "exported %s entries %" PRId64 "-%" PRId64 " (%" PRId64 " entries, %" PRId64
				" bytes%s)\n", journal_station(j), r.first, r.last, r.n, r.bytes,
			seal ? ", sealed" : "");
	}
	journal_close(j);
	return rc == BULU_OK ? BULU_OK : cli_fail(&e);
}
