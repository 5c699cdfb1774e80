/*
 * print_cmd.c - `bulu print receipt|requisition|cashup`: the printable page
 * of a saved form, as one self-contained HTML file (capture/printout.c).
 *
 * Every print made here is recorded in the journal first (a "print" entry),
 * so the paper trail of reprints is in the journal: a receipt's first
 * recorded print is its original, every later one a reprint (重打); a
 * requisition's original is printed by `capture requisition`, so every print
 * here is a reprint; `print cashup --cashier OP` records a new cash-up sheet
 * and prints its original, `print cashup REF` reprints it.
 *
 * Invariants: the page goes to --out FILE (written whole, atomically) or
 * to stdout and nothing else does; messages go to stderr.  A page that could
 * not be written after its print was recorded is reported as such (exit 1:
 * done, with a problem), naming the print entry, never as "nothing saved".
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "bulu/cli.h"
#include "bulu/fsutil.h"
#include "bulu/journal.h"
#include "bulu/printout.h"

#define COMMON_USAGE                                                                          \
	"  --size a4|a5|80mm   the paper: A4, A5 or an 80 mm receipt printer (default a4)\n"      \
	"  --out FILE          write the page into FILE (default: stdout)\n"                    \
	"  --operator OP       who prints (default $BULU_OPERATOR); recorded with the print\n"  \
	"  --dir DIR           the station directory (default $BULU_HOME)\n"                    \
	"\n"                                                                                    \
	"The page is one HTML file with its styles and barcode inside it; open it in any\n"     \
	"browser and print, or `chromium --headless --print-to-pdf=F.pdf FILE`.  Times are\n"   \
	"the station's (station init --tz).  docs/printing.md shows every form.\n"

static const char receipt_usage[] =
	"usage: bulu print receipt REF [--size a4|a5|80mm] [--out FILE] [--operator OP] [--dir DIR]\n"
	"\n"
	"The downtime receipt (停机手工收据) of charge or registration REF (BL-STATION-SEQ\n"
	"or SEQ): BL reference with its barcode, items, total in yuan and in words,\n"
	"invoice number, payment method, operator, local time.  The print is recorded\n"
	"in the journal; the first print is the original, every later one is marked\n"
	"重打 with the original time and the reprint time.\n"
	"\n" COMMON_USAGE;

static const char requisition_usage[] =
	"usage: bulu print requisition REF [--size a4|a5|80mm] [--out FILE] [--operator OP] [--dir DIR]\n"
	"\n"
	"Reprint the drug requisition (药品请领单) REF in its two copies, 第一联 病区留存 and\n"
	"第二联 药房, each with the BL reference's barcode.  The original was printed by\n"
	"`bulu capture requisition`; this print is recorded in the journal and marked 重打.\n"
	"\n" COMMON_USAGE;

static const char cashup_usage[] =
	"usage: bulu print cashup --cashier OP [--episode ID] [--size a4|a5|80mm] [--out FILE]\n"
	"                         [--operator OP] [--dir DIR]\n"
	"       bulu print cashup REF [--size ...] [--out FILE] [--operator OP] [--dir DIR]\n"
	"\n"
	"The cash-up sheet (轧账单) of cashier OP: per payment method the count, takings,\n"
	"voids and net; the invoice numbers used and voided as ranges; the voids; the\n"
	"net in words; signature lines 收款员 / 复核人.  With --cashier the sheet is\n"
	"recorded in the journal as of now (a print entry whose BL reference the sheet\n"
	"carries) and its original printed; --episode limits it to one outage episode.\n"
	"With REF (a cash-up sheet's reference) the same sheet, with the same figures,\n"
	"is reprinted, recorded and marked 重打.  --operator defaults to the cashier.\n"
	"\n" COMMON_USAGE;

struct print_args {
	const char *ref, *size_arg, *out, *op, *dir, *cashier, *episode;
	enum printout_size size;
};

/* 0 to go on; else 1 with the exit status in *rc (help shown, usage error). */
static int parse(int argc, char **argv, const char *usage, int cashup, struct print_args *a, int *rc)
{
	static const struct option opts[] = {
		{"size", required_argument, 0, 's'},    {"out", required_argument, 0, 'o'},
		{"operator", required_argument, 0, 'O'}, {"dir", required_argument, 0, 'D'},
		{"cashier", required_argument, 0, 'c'}, {"episode", required_argument, 0, 'e'},
		{"help", no_argument, 0, 'h'},          {0, 0, 0, 0}};
	int c;
	memset(a, 0, sizeof *a);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's': a->size_arg = optarg; break;
		case 'o': a->out = optarg; break;
		case 'O': a->op = optarg; break;
		case 'D': a->dir = optarg; break;
		case 'c': a->cashier = optarg; break;
		case 'e': a->episode = optarg; break;
		case 'h': *rc = cli_help(usage); return 1;
		default: return *rc = cli_usage(argv[0], "unknown option"), 1;
		}
		if ((c == 'c' || c == 'e') && !cashup)
			return *rc = cli_usage(argv[0], "--%s is for bulu print cashup", c == 'c' ? "cashier" : "episode"), 1;
	}
	if (optind < argc)
		a->ref = argv[optind++];
	if (optind < argc)
		return *rc = cli_usage(argv[0], "unexpected argument '%s'", argv[optind]), 1;
	if (cashup && !a->ref == !a->cashier)
		return *rc = cli_usage(argv[0], "give either --cashier OP (a new cash-up sheet) or REF (a reprint)"), 1;
	if (cashup && a->ref && a->episode)
		return *rc = cli_usage(argv[0], "--episode goes with --cashier: a reprint keeps the sheet's own"), 1;
	if (!cashup && !a->ref)
		return *rc = cli_usage(argv[0], "which form? give its reference BL-STATION-SEQ"), 1;
	a->size = PRINTOUT_A4;
	if (a->size_arg && printout_size_parse(a->size_arg, &a->size) != 0)
		return *rc = cli_usage(argv[0], "--size is a4, a5 or 80mm, not '%s'", a->size_arg), 1;
	a->op = cli_operator(a->op, 0);
	if (!a->op && cashup && a->cashier)
		a->op = a->cashier;
	if (!a->op)
		return *rc = cli_usage(argv[0], "who prints? give --operator OP or set BULU_OPERATOR"), 1;
	return 0;
}

/* Write the page; BULU_SYSTEM naming the file if it cannot be written. */
static int emit(const struct print_args *a, const buf *page, bulu_err *e)
{
	if (a->out)
		return fs_write_atomic(a->out, page->p, page->len, 0644, e);
	if (fwrite(page->p, 1, page->len, stdout) != page->len || fflush(stdout) != 0)
		return bulu_errf(e, BULU_SYSTEM, "cannot write the page on stdout");
	return BULU_OK;
}

static int run(int argc, char **argv, enum printout_form form, const char *usage)
{
	struct print_args a;
	int rc;
	if (parse(argc, argv, usage, form == PRINTOUT_CASHUP, &a, &rc))
		return rc;
	bulu_err e = {0};
	journal *j = NULL;
	buf page = BUF_INIT;
	struct printout_print p;
	char ref[96] = "", pref[96];
	memset(&p, 0, sizeof p);
	if ((rc = journal_open(a.dir, JOURNAL_WRITE, &j, &e)) != BULU_OK)
		goto fail;
	if (form == PRINTOUT_CASHUP && a.cashier) {
		int64_t seq;
		if ((rc = printout_cashup_record(j, a.cashier, a.episode, a.size, a.op, &seq, &e)) != BULU_OK)
			goto fail;
		entry_ref(ref, sizeof ref, journal_station(j), seq);
		fprintf(stderr, "bulu: cash-up sheet of %s recorded as %s\n", a.cashier, ref);
		snprintf(pref, sizeof pref, "%s", ref);
	} else {
		snprintf(ref, sizeof ref, "%s", a.ref);
		if ((rc = printout_record(j, ref, form, a.size, a.op, &p, &e)) != BULU_OK)
			goto fail;
		entry_ref(pref, sizeof pref, journal_station(j), p.seq);
		fprintf(stderr, "bulu: %s of %s recorded as %s%s\n", printout_form_name(form), ref, pref,
			p.reprint ? " (重打 reprint)" : "");
	}
	/* recorded: from here a failure is a page not written, not a print unsaved */
	rc = printout_html(j, ref, form, a.size, &p, &page, &e);
	if (rc == BULU_OK)
		rc = emit(&a, &page, &e);
	if (rc != BULU_OK) {
		fprintf(stderr, "bulu: the print is recorded as %s, but the page was not written: %s\n"
				"bulu: print again (it will be marked 重打)\n",
			pref, e.msg);
		rc = BULU_FINDINGS;
		goto done;
	}
	if (a.out)
		fprintf(stderr, "bulu: %s written to %s\n", printout_form_name(form), a.out);
	goto done;
fail:
	cli_fail(&e);
done:
	buf_free(&page);
	journal_close(j);
	return rc;
}

int cmd_print_receipt(int argc, char **argv) { return run(argc, argv, PRINTOUT_RECEIPT, receipt_usage); }
int cmd_print_requisition(int argc, char **argv) { return run(argc, argv, PRINTOUT_REQUISITION, requisition_usage); }
int cmd_print_cashup(int argc, char **argv) { return run(argc, argv, PRINTOUT_CASHUP, cashup_usage); }
