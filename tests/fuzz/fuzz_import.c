/*
 * fuzz_import.c - fuzz target for `bulu capture import`: a transcribed-forms
 * CSV of any bytes, run through the whole command (decoding, CSV, grouping,
 * references, validation, pricing, invoice numbers) with --dry-run on a
 * station made once in a temporary directory.
 *
 * Invariants checked (abort on violation): the command answers 0 (every
 * form valid) or 2 (bad input), nothing else; it never writes to the
 * journal (checked by its last seq); the journal still verifies at the end
 * of a replay.
 *
 * Built with -DBULU_LIBFUZZER it is a libFuzzer target (`make fuzz`);
 * otherwise main() replays the files and directories given (`make check`).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bulu/cli.h"
#include "bulu/fsutil.h"
#include "bulu/journal.h"
#include "replay.h"

static const char catalog_csv[] =
	"code,name,pinyin,unit,price,category,version\n"
	"GH01,普通门诊挂号,PTMZGH,次,5.00,挂号,2026.11\n"
	"X0001,\"0.9%氯化钠注射液 250ml\",LHNZSY,瓶,3.50,西药,2026.11\n"
	"X0002,\"维生素C片,100mg\",WSSCP,盒,12.00,西药,2026.11\n"
	"X0003,\"阿莫西林胶囊 \"\"0.25g\"\"\",AMXLJN,盒,8.50,西药,2026.11\n"
	"F1001,血常规,XCG,次,20.00,检验,2026.11\n"
	"F1002,胸部正位片,XBZWP,次,65.00,放射,2026.11\n"
	"D001,\"0.9%氯化钠注射液 250ml\",LHNZSY,瓶,3.50,西药,2026.11\n"
	"D002,阿莫西林胶囊 0.25g,AMXLJN,盒,12.80,西药,2026.11\n";

static char dir[256], input[300];
static int64_t base_seq;

/* Run a command with its output thrown away; return its status. */
static int quietly(int argc, char **argv, cmd_fn fn)
{
	fflush(stdout);
	fflush(stderr);
	int o = dup(1), er = dup(2), null = open("/dev/null", O_WRONLY);
	dup2(null, 1);
	dup2(null, 2);
	int rc = fn(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(o, 1);
	dup2(er, 2);
	close(o);
	close(er);
	close(null);
	return rc;
}

static int64_t last_seq(void)
{
	journal *j = NULL;
	bulu_err e = {0};
	if (journal_open(dir, JOURNAL_READ, &j, &e) != BULU_OK)
		abort();
	int64_t s = journal_last_seq(j);
	journal_close(j);
	return s;
}

static void cleanup(void)
{
	journal *j = NULL;
	bulu_err e = {0};
	int64_t n;
	if (journal_open(dir, JOURNAL_READ, &j, &e) != BULU_OK || journal_verify(j, &n, &e) != BULU_OK)
		abort();
	journal_close(j);
	const char *names[] = {"journal.db", "journal.db-wal", "journal.db-shm", "secret.key",
			       "public.key", "head", "catalog.csv", "in.csv"};
	char p[400];
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(p, sizeof p, "%s/%s", dir, names[i]);
		unlink(p);
	}
	rmdir(dir);
}

static void setup(void)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof dir, "%s/bulu-fuzz.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	bulu_err e = {0};
	if (!mkdtemp(dir) || journal_create(dir, "FZ", "门诊收费", "cashier", NULL, &e) != BULU_OK)
		abort();
	char cat[300];
	snprintf(cat, sizeof cat, "%s/catalog.csv", dir);
	snprintf(input, sizeof input, "%s/in.csv", dir);
	if (fs_write_atomic(cat, catalog_csv, sizeof catalog_csv - 1, 0600, &e) != BULU_OK)
		abort();
	char *load[] = {"bulu catalog load", "--dir", dir, cat, NULL};
	char *book[] = {"bulu invoice add-book", "--dir", dir, "--from", "0001", "--to", "0500", "--operator", "it", NULL};
	char *start[] = {"bulu outage start", "--dir", dir, "--operator", "it", NULL};
	if (quietly(4, load, cmd_catalog_load) || quietly(9, book, cmd_invoice_add_book) ||
	    quietly(5, start, cmd_outage_start))
		abort();
	base_seq = last_seq();
	atexit(cleanup);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	static int ready;
	if (!ready) {
		setup();
		ready = 1;
	}
	FILE *f = fopen(input, "wb");
	if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0)
		abort();
	char *argv[] = {"bulu capture import", "--dry-run", "--dir", dir, input, NULL};
	int rc = quietly(5, argv, cmd_capture_import);
	if (rc != BULU_OK && rc != BULU_BADINPUT)
		abort();
	if (last_seq() != base_seq)
		abort();
	return 0;
}

REPLAY_MAIN
