/*
 * station_cmd.c - `bulu station init|pubkey|info|trust-central`: making a
 * capture station, telling others who it is, and trusting the central
 * office's signing key (DIR/central-sign.pub, the only key outage notices
 * are checked against).  The journal and key formats live in core/.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulu/cli.h"
#include "bulu/clock.h"
#include "bulu/fsutil.h"
#include "bulu/journal.h"
#include "bulu/notice.h"
#include "bulu/outage.h"
#include "bulu/settings.h"
#include "bulu/text.h"

static const char init_usage[] =
	"usage: bulu station init --station ID --dept DEPT --role ROLE [--dir DIR]\n"
	"                         [--tz ZONE] [--passphrase-file FILE] [--central-pubkey FILE]\n"
	"                         [--mirror DIR]\n"
	"\n"
	"Make a capture station in DIR: an Ed25519 key pair (secret.key, mode 0600;\n"
	"public.key in minisign's format), journal.db with its first entry naming the\n"
	"station, department, role and public key, and the head record.  Prints the\n"
	"public key.  ID is 1-32 letters, digits or '_' (it appears in back-fill\n"
	"references BL-ID-SEQ).  ROLE is what the station does, e.g. cashier,\n"
	"pharmacy, ward, exam, registration.  With --passphrase-file the secret key\n"
	"is encrypted under the file's first line (Argon2id); every later write then\n"
	"needs it, from BULU_PASSPHRASE_FILE or the terminal.\n"
	"--tz is the station's time zone, kept with it: an offset (+08:00) or a zone\n"
	"name (Asia/Shanghai); default the machine's ($TZ, else /etc/localtime).\n"
	"Times the station records, shows and prints are in that zone, even when the\n"
	"machine later runs with no TZ or another one.  --central-pubkey trusts the\n"
	"central office's signing key (central-sign.pub) for outage notices, as\n"
	"`bulu station trust-central` does later.  The directory is made\n"
	"private (0700, every file 0600).\n"
	"\n"
	"The signed head record is mirrored outside the station directory, so that\n"
	"the whole directory restored from an old copy is refused before it writes:\n"
	"in DIR given with --mirror (an absolute path, kept in DIR/station.conf; a\n"
	"disk or share that is not restored with the station), else in\n"
	"$XDG_STATE_HOME/bulu/heads or ~/.local/state/bulu/heads.\n";

static const char trust_usage[] =
	"usage: bulu station trust-central --pubkey FILE [--replace] [--dir DIR]\n"
	"\n"
	"Trust the central office's signing key (central-sign.pub, from `bulu\n"
	"central init`): `bulu outage start|end|apply --notice` applies only notices\n"
	"it verifies.  Kept as DIR/central-sign.pub; a station trusts one key, and a\n"
	"different key replaces it only with --replace.\n";

static const char pubkey_usage[] =
	"usage: bulu station pubkey [--dir DIR]\n"
	"\n"
	"Print the station's public key in minisign's format: give the second line to\n"
	"`minisign -Vm FILE -P KEY` to check this station's bundles with stock tools.\n";

static const char info_usage[] =
	"usage: bulu station info [--dir DIR]\n"
	"\n"
	"Print the station id, department, role, time zone, directory, last seq and the open\n"
	"outage episode, one `name: value` per line; while an episode is open, also\n"
	"what `bulu outage status` prints: declared or not, level, the tier in force\n"
	"and whether this department is to be on paper yet.\n";

/* Keep pk as DIR/central-sign.pub. */
static int trust(const char *dir, const uint8_t pk[KEY_PK_BYTES], int replace, bulu_err *e)
{
	char path[4096], text[512], id[17];
	uint8_t kid[KEY_ID_BYTES], old[KEY_PK_BYTES];
	snprintf(path, sizeof path, "%s/central-sign.pub", dir);
	keys_key_id(pk, kid);
	keys_key_id_hex(kid, id);
	if (fs_exists(path) && !replace) {
		if (notice_pub_load(path, old, e) == BULU_OK && memcmp(old, pk, KEY_PK_BYTES) == 0) {
			fprintf(stderr, "bulu: the station trusts central signing key %s already\n", id);
			return BULU_OK;
		}
		return bulu_errf(e, BULU_BADINPUT,
				 "the station trusts another central signing key (%s): give --replace to "
				 "trust %s instead", path, id);
	}
	keys_minisign_pubkey(pk, "bulu central office signing key (outage notices)", text, sizeof text);
	int rc = fs_write_atomic(path, text, strlen(text), 0644, e);
	if (rc == BULU_OK)
		fprintf(stderr, "bulu: the station trusts central signing key %s for outage notices\n", id);
	return rc;
}

int cmd_station_trust_central(int argc, char **argv)
{
	static const struct option opts[] = {
		{"pubkey", required_argument, 0, 'k'}, {"dir", required_argument, 0, 'D'},
		{"replace", no_argument, 0, 'r'},      {"help", no_argument, 0, 'h'},
		{0, 0, 0, 0}};
	const char *dir = NULL, *pub = NULL;
	int c, replace = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'k': pub = optarg; break;
		case 'D': dir = optarg; break;
		case 'r': replace = 1; break;
		case 'h': return cli_help(trust_usage);
		default: return cli_usage(argv[0], "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage(argv[0], "unexpected argument '%s'", argv[optind]);
	if (!pub)
		return cli_usage(argv[0], "--pubkey FILE is required");
	bulu_err e = {0};
	uint8_t pk[KEY_PK_BYTES];
	journal *j = NULL;
	int rc = notice_pub_load(pub, pk, &e);
	if (rc == BULU_OK)
		rc = journal_open(dir, JOURNAL_READ, &j, &e);
	if (rc == BULU_OK)
		rc = trust(journal_dir(j), pk, replace, &e);
	journal_close(j);
	return rc == BULU_OK ? BULU_OK : cli_fail(&e);
}

/* Record --mirror in DIR/station.conf before the station is made (its
 * first save writes the mirror). */
static int write_mirror_setting(const char *dir, const char *mirror, bulu_err *e)
{
	char d[PATH_MAX], path[PATH_MAX + 32], text[PATH_MAX + 64];
	int rc = journal_default_dir(dir, d, sizeof d, e);
	if (rc != BULU_OK)
		return rc;
	snprintf(path, sizeof path, "%s/journal.db", d);
	if (fs_exists(path))
		return bulu_errf(e, BULU_BADINPUT, "%s already holds a station; a station is never "
				 "re-initialised (set `mirror` in its %s instead)", d, SETTINGS_FILE);
	snprintf(path, sizeof path, "%s/%s", d, SETTINGS_FILE);
	if (fs_exists(path))
		return bulu_errf(e, BULU_BADINPUT, "%s exists: set `mirror` in it instead of --mirror", path);
	if ((rc = fs_mkdirs(d, 0700, e)) != BULU_OK)
		return rc;
	snprintf(text, sizeof text, "# bulu station settings (docs/journal-format.md)\nmirror = %s\n", mirror);
	return fs_write_atomic(path, text, strlen(text), 0600, e);
}

int cmd_station_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{"station", required_argument, 0, 's'}, {"dept", required_argument, 0, 'd'},
		{"role", required_argument, 0, 'r'},    {"dir", required_argument, 0, 'D'},
		{"passphrase-file", required_argument, 0, 'p'}, {"tz", required_argument, 0, 'z'},
		{"help", no_argument, 0, 'h'}, {"central-pubkey", required_argument, 0, 'C'},
		{"mirror", required_argument, 0, 'm'},
		{0, 0, 0, 0}};
	const char *station = NULL, *dept = NULL, *role = NULL, *dir = NULL, *pfile = NULL, *tz = NULL;
	const char *cpub = NULL, *mirror = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's': station = optarg; break;
		case 'd': dept = optarg; break;
		case 'r': role = optarg; break;
		case 'D': dir = optarg; break;
		case 'p': pfile = optarg; break;
		case 'z': tz = optarg; break;
		case 'C': cpub = optarg; break;
		case 'm': mirror = optarg; break;
		case 'h': return cli_help(init_usage);
		default: return cli_usage(argv[0], "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage(argv[0], "unexpected argument '%s'", argv[optind]);
	if (!station || !dept || !role || !*dept || !*role)
		return cli_usage(argv[0], "--station, --dept and --role are required");
	bulu_err e = {0};
	char zone[CLOCK_ZONE_MAX];
	if (tz && clock_zone_parse(tz, zone) != 0)
		return cli_usage(argv[0], "--tz '%s' is neither an offset (+08:00) nor a zone name (Asia/Shanghai)", tz);
	uint8_t cpk[KEY_PK_BYTES];
	if (cpub && notice_pub_load(cpub, cpk, &e) != BULU_OK)
		return cli_fail(&e);
	if (mirror && (mirror[0] != '/' || strchr(mirror, '\n')))
		return cli_usage(argv[0], "--mirror must be an absolute path");
	if (mirror && write_mirror_setting(dir, mirror, &e) != BULU_OK)
		return cli_fail(&e);
	char pass[256] = "";
	if (pfile) {
		char *text = NULL;
		size_t n;
		if (text_slurp(pfile, &text, &n, &e) != BULU_OK)
			return cli_fail(&e);
		snprintf(pass, sizeof pass, "%.*s", (int)strcspn(text, "\r\n"), text);
		free(text);
		if (!*pass) {
			fprintf(stderr, "bulu: %s: the passphrase file's first line is empty\n", pfile);
			return BULU_BADINPUT;
		}
	}
	if (journal_create_tz(dir, station, dept, role, tz ? zone : NULL, pass, &e) != BULU_OK)
		return cli_fail(&e);
	memset(pass, 0, sizeof pass);
	journal *j = NULL;
	if (journal_open(dir, JOURNAL_READ, &j, &e) != BULU_OK)
		return cli_fail(&e);
	char text[512], comment[128];
	snprintf(comment, sizeof comment, "bulu station %s public key", station);
	keys_minisign_pubkey(journal_pubkey(j), comment, text, sizeof text);
	fprintf(stderr, "bulu: station %s (%s, %s, time zone %s) made in %s\n", station, dept, role,
		journal_tz(j), journal_dir(j));
	fputs(text, stdout);
	int rc = cpub ? trust(journal_dir(j), cpk, 0, &e) : BULU_OK;
	journal_close(j);
	return rc == BULU_OK ? BULU_OK : cli_fail(&e);
}

int cmd_station_pubkey(int argc, char **argv)
{
	const char *dir = NULL;
	int rc;
	if (cli_dir_only(argc, argv, pubkey_usage, &dir, &rc))
		return rc;
	bulu_err e = {0};
	journal *j = NULL;
	if (journal_open(dir, JOURNAL_READ, &j, &e) != BULU_OK)
		return cli_fail(&e);
	char text[512], comment[128];
	snprintf(comment, sizeof comment, "bulu station %s public key", journal_station(j));
	keys_minisign_pubkey(journal_pubkey(j), comment, text, sizeof text);
	fputs(text, stdout);
	journal_close(j);
	return BULU_OK;
}

int cmd_station_info(int argc, char **argv)
{
	const char *dir = NULL;
	int rc, drill;
	if (cli_dir_only(argc, argv, info_usage, &dir, &rc))
		return rc;
	bulu_err e = {0};
	journal *j = NULL;
	char ep[64];
	if (journal_open(dir, JOURNAL_READ, &j, &e) != BULU_OK)
		return cli_fail(&e);
	journal_episode(j, ep, &drill, &e);
	printf("station: %s\ndept: %s\nrole: %s\ntz: %s\ndir: %s\nlast_seq: %lld\nepisode: %s%s\n",
	       journal_station(j), journal_dept(j), journal_role(j),
	       *journal_tz(j) ? journal_tz(j) : "(the machine's)", journal_dir(j),
	       (long long)journal_last_seq(j), *ep ? ep : "(none)", drill ? " (drill)" : "");
	outage_state st;
	tier_table tt;
	rc = outage_state_get(j, &st, &e);
	if (rc == BULU_OK)
		rc = outage_tiers(j, &tt, &e);
	if (rc == BULU_OK && *st.episode)
		outage_print_status(j, &st, &tt);
	journal_close(j);
	return rc == BULU_OK ? BULU_OK : cli_fail(&e);
}
