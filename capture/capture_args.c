/*
 * capture_args.c - the flags of every `bulu capture KIND`, in one style:
 * the same flag means the same form field for every kind, and a kind
 * refuses a flag it has no use for (exit 2) rather than ignore it.
 *
 * Invariants: parsing changes nothing on disk; a usage error names the flag
 * and never echoes patient data; item codes, quantities and prices are
 * parsed here, and whether they make sense (known code, qty > 0) is left to
 * capture_form_append(), so typed and imported forms are judged alike.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "bulu/cli.h"
#include "bulu/money.h"
#include "bulu/text.h"
#include "capture_args.h"

enum {
	F_PATIENT = 1 << 0, F_NAME = 1 << 1, F_SEX = 1 << 2, F_DEPT = 1 << 3,
	F_DOCTOR = 1 << 4, F_FEETYPE = 1 << 5, F_ITEM = 1 << 6, F_INVOICE = 1 << 7,
	F_PAY = 1 << 8, F_FEE = 1 << 9, F_NEWCARD = 1 << 10, F_CARD = 1 << 11,
	F_REQNO = 1 << 12, F_REF = 1 << 13, F_ENTRY = 1 << 14, F_REASON = 1 << 15,
	F_TEXT = 1 << 16, F_AT = 1 << 17, F_NOTE = 1 << 18, F_FORCE = 1 << 19,
	F_PRINT = 1 << 20, F_TIER = 1 << 21, F_AMOUNT = 1 << 22, F_EXCHANGE = 1 << 23,
	F_DISCHARGE = 1 << 24
};

#define F_WHO (F_PATIENT | F_NAME | F_SEX | F_DEPT | F_DOCTOR | F_FEETYPE | F_AT | F_NOTE | F_FORCE | F_TIER)
#define COMMON_USAGE \
	"\n" \
	"Common flags: --operator OP (else $BULU_OPERATOR; required), --dept D (default\n" \
	"the station's), --at TIME (when it happened on paper), --note TEXT (a remark),\n" \
	"--force-outside REASON (record it although no outage episode is open),\n" \
	"--tier-reason TEXT (why the department captures before its tier came: a\n" \
	"warning, never a refusal; docs/outage.md),\n" \
	"--dir DIR, --help.  Prints \"saved BL-STATION-SEQ KIND\" once it is durable.\n" \
	"Body keys: docs/entry-kinds.md.\n"
#define WHO_USAGE \
	"  [--name NAME] [--sex S] [--dept D] [--doctor DR] [--fee-type T] [--at TIME]\n" \
	"  [--note TEXT] [--force-outside REASON] [--operator OP] [--dir DIR]\n"
#define ITEM_USAGE \
	"--item CODE:QTY[:PRICE_YUAN] is repeated, one per line; the price comes from\n" \
	"the newest catalog snapshot unless PRICE_YUAN overrides it (recorded as manual).\n"

static const struct kind_cli {
	const char *kind;
	unsigned flags;
	const char *usage;
} kinds[] = {
	{"registration", F_WHO | F_FEE | F_ITEM | F_NEWCARD | F_CARD | F_INVOICE | F_PAY | F_EXCHANGE,
	 "usage: bulu capture registration --patient CARD_NO [--item CODE[:QTY] ... |\n"
	 "  --fee YUAN] [--invoice N] [--pay METHOD] [--new-card [--card NO]] [--exchange]\n" WHO_USAGE
	 "\n"
	 "Capture a registration (挂号).  Its fee is priced from the catalog's fee items\n"
	 "(--item GH001, quantity 1 unless :QTY), or, for a fee the catalog lacks, given\n"
	 "in yuan (--fee); either way it takes a manual invoice number (the next free\n"
	 "one of the books unless --invoice).  --new-card: the patient got a new card\n"
	 "from stock; its number is --card, else --patient.  --exchange: the patient\n"
	 "keeps the handwritten receipt to exchange it for a machine invoice later (换票).\n"
	 COMMON_USAGE},
	{"card_issue", F_WHO | F_CARD,
	 "usage: bulu capture card-issue --card NO [--patient ID]\n" WHO_USAGE
	 "\n"
	 "Capture a patient card (就诊卡) handed out from stock, so the card can be\n"
	 "back-filled later.\n" COMMON_USAGE},
	{"charge", F_WHO | F_ITEM | F_INVOICE | F_PAY | F_REQNO | F_EXCHANGE,
	 "usage: bulu capture charge --patient ID --item CODE:QTY[:PRICE_YUAN] ...\n"
	 "  [--invoice N] [--pay METHOD] [--request-no NO] [--exchange]\n" WHO_USAGE
	 "\n"
	 "Capture a charge (收费) priced from the catalog (手工划价), with a manual\n"
	 "invoice number: the next free one of the station's books unless --invoice.\n"
	 "A number used before or outside the books is refused.  --pay defaults to cash.\n"
	 "--exchange: the patient keeps the handwritten receipt (手工票据) to exchange it\n"
	 "for a machine invoice after recovery (换票); reconcile lists it in receipts.csv.\n"
	 ITEM_USAGE COMMON_USAGE},
	{"prescription", F_WHO | F_ITEM | F_REQNO | F_DISCHARGE,
	 "usage: bulu capture prescription --patient ID --item CODE:QTY[:PRICE_YUAN] ...\n"
	 "  [--request-no NO] [--discharge]\n" WHO_USAGE
	 "\n"
	 "Capture a paper prescription (处方) so it can be dispensed and back-filled.\n"
	 "--discharge: discharge medication (出院带药), listed for confirmation after\n"
	 "recovery (reconcile's discharge.csv).\n"
	 ITEM_USAGE COMMON_USAGE},
	{"order", F_WHO | F_ITEM | F_REQNO,
	 "usage: bulu capture order --patient ID --item CODE:QTY[:PRICE_YUAN] ...\n"
	 "  [--request-no NO]\n" WHO_USAGE
	 "\n"
	 "Transcribe a paper doctor's order (医嘱) so it can be back-filled.\n"
	 ITEM_USAGE COMMON_USAGE},
	{"requisition", F_WHO | F_ITEM | F_REQNO | F_PRINT,
	 "usage: bulu capture requisition --patient INPATIENT_NO --item CODE:QTY ...\n"
	 "  [--request-no NO] [--print FILE | --no-print]\n" WHO_USAGE
	 "\n"
	 "Capture a ward drug requisition (药品请领单): --patient is the inpatient no.\n"
	 "(住院号), --fee-type the fee category (费别).  Once saved, the form is printed\n"
	 "in two copies (一式两份): the ward's order back-fill copy and the pharmacy's\n"
	 "dispensing voucher, on stdout or into FILE; --no-print skips it.\n"
	 ITEM_USAGE COMMON_USAGE},
	{"dispense", F_WHO | F_ITEM | F_REF | F_REQNO,
	 "usage: bulu capture dispense --ref SEQ|BL-STATION-SEQ --item CODE:QTY ...\n"
	 "  [--patient ID] [--request-no NO]\n" WHO_USAGE
	 "\n"
	 "Capture what the pharmacy actually dispensed (发药) against a prescription or\n"
	 "requisition (--ref): a form of this station by its SEQ or BL reference, or\n"
	 "another station's, e.g. the ward's voucher BL-WARD-SEQ, typed or scanned\n"
	 "(taken as given here, checked at reconcile).  Dispensing more of a drug than\n"
	 "a form of this station asks for is saved with a warning.\n" ITEM_USAGE COMMON_USAGE},
	{"exam", F_WHO | F_ITEM | F_REQNO,
	 "usage: bulu capture exam --patient ID --item CODE:QTY[:PRICE_YUAN] ...\n"
	 "  [--request-no NO]\n" WHO_USAGE
	 "\n"
	 "Capture an exam or test performed (检查), from the exam-request slip (底联)\n"
	 "(检查申请单底联, its number in --request-no), so its charge is back-filled.\n"
	 ITEM_USAGE COMMON_USAGE},
	{"ward_charge", F_WHO | F_ITEM | F_REQNO,
	 "usage: bulu capture ward-charge --patient INPATIENT_NO --item CODE:QTY[:PRICE_YUAN] ...\n"
	 "  [--request-no NO]\n" WHO_USAGE
	 "\n"
	 "Capture a charge a nurse station executed (费用执行/记账) for an inpatient: priced\n"
	 "from the catalog, no invoice (the patient's account is billed), back-filled\n"
	 "into the HIS's charges like any charge.\n"
	 ITEM_USAGE COMMON_USAGE},
	{"exam_request", F_WHO | F_ITEM | F_REQNO,
	 "usage: bulu capture exam-request --patient ID --item CODE:QTY ... --request-no NO\n" WHO_USAGE
	 "\n"
	 "Capture an exam or test requested (检查申请) by a ward or a doctor, with its\n"
	 "request form's number.  It is pending (待检) until an exam performed names the\n"
	 "same --request-no (bulu capture exam, at the exam department); bulu patient\n"
	 "statement lists the pending ones.  Not billed: the exam performed is.\n"
	 ITEM_USAGE COMMON_USAGE},
	{"exam_report", F_WHO | F_REQNO,
	 "usage: bulu capture exam-report --patient ID --request-no NO\n" WHO_USAGE
	 "\n"
	 "Record that an exam's report was issued (检查报告已出), at the exam department,\n"
	 "by the request form's number the exam was performed under.  bulu patient\n"
	 "statement shows each requested exam's stage: requested, performed, reported.\n"
	 "Not billed.\n" COMMON_USAGE},
	{"exam_clear", F_WHO,
	 "usage: bulu capture exam-clear --patient INPATIENT_NO\n" WHO_USAGE
	 "\n"
	 "Record the ward's confirmation that no exam is still pending for the patient\n"
	 "(无待检确认), which an emergency discharge needs before the billing office\n"
	 "settles it by hand (bulu patient statement shows it).\n" COMMON_USAGE},
	{"settlement", F_WHO | F_AMOUNT | F_INVOICE | F_PAY,
	 "usage: bulu capture settlement --patient INPATIENT_NO --amount YUAN --invoice N\n"
	 "  [--pay METHOD]\n" WHO_USAGE
	 "\n"
	 "Record an emergency discharge settled by hand at the inpatient billing office\n"
	 "(住院处/记账处, a station of role billing, which captures nothing else: rule 5),\n"
	 "from the ward's records (bulu patient statement), with the number of its\n"
	 "handwritten invoice (--invoice, once per station; not taken from the books).\n"
	 COMMON_USAGE},
	{"invoice_void", F_INVOICE | F_REASON | F_DEPT | F_AT | F_NOTE | F_FORCE,
	 "usage: bulu capture invoice-void --invoice N --reason TEXT [--dept D] [--at TIME]\n"
	 "  [--note TEXT] [--force-outside REASON] [--operator OP] [--dir DIR]\n"
	 "\n"
	 "Void a spoiled manual invoice number that was never charged (发票作废).  A\n"
	 "number already used by a charge is refused: void the charge instead.\n"
	 COMMON_USAGE},
	{"void", F_ENTRY | F_REASON | F_DEPT | F_AT | F_NOTE | F_FORCE,
	 "usage: bulu capture void --entry SEQ|BL-STATION-SEQ --reason TEXT [--dept D]\n"
	 "  [--at TIME] [--note TEXT] [--force-outside REASON] [--operator OP] [--dir DIR]\n"
	 "\n"
	 "Void an earlier form of this station (作废/退费): nothing is edited, a void\n"
	 "entry points at it.  A void, or a form voided already, cannot be voided; the\n"
	 "invoice number of a voided charge counts as voided.\n" COMMON_USAGE},
	{"note", F_TEXT | F_DEPT | F_AT,
	 "usage: bulu capture note --text TEXT [--dept D] [--at TIME] [--operator OP]\n"
	 "  [--dir DIR]\n"
	 "\n"
	 "Capture a free-text note (e.g. a handover remark); allowed any time.\n"
	 COMMON_USAGE},
};

/* --flag name of a bit, for "does not apply" messages. */
static const struct option opts[] = {
	{"patient", required_argument, 0, F_PATIENT},
	{"name", required_argument, 0, F_NAME},
	{"sex", required_argument, 0, F_SEX},
	{"dept", required_argument, 0, F_DEPT},
	{"doctor", required_argument, 0, F_DOCTOR},
	{"fee-type", required_argument, 0, F_FEETYPE},
	{"item", required_argument, 0, F_ITEM},
	{"invoice", required_argument, 0, F_INVOICE},
	{"pay", required_argument, 0, F_PAY},
	{"fee", required_argument, 0, F_FEE},
	{"new-card", no_argument, 0, F_NEWCARD},
	{"card", required_argument, 0, F_CARD},
	{"request-no", required_argument, 0, F_REQNO},
	{"ref", required_argument, 0, F_REF},
	{"entry", required_argument, 0, F_ENTRY},
	{"reason", required_argument, 0, F_REASON},
	{"text", required_argument, 0, F_TEXT},
	{"at", required_argument, 0, F_AT},
	{"note", required_argument, 0, F_NOTE},
	{"force-outside", required_argument, 0, F_FORCE},
	{"tier-reason", required_argument, 0, F_TIER},
	{"print", required_argument, 0, F_PRINT},
	{"no-print", no_argument, 0, F_PRINT | (1 << 29)},
	{"amount", required_argument, 0, F_AMOUNT},
	{"exchange", no_argument, 0, F_EXCHANGE},
	{"discharge", no_argument, 0, F_DISCHARGE},
	{"operator", required_argument, 0, 'o'},
	{"dir", required_argument, 0, 'D'},
	{"help", no_argument, 0, 'h'},
	{0, 0, 0, 0}};

static const char *flag_name(int bit)
{
	for (size_t i = 0; opts[i].name; i++)
		if (opts[i].val == bit)
			return opts[i].name;
	return "?";
}

/* CODE:QTY[:PRICE_YUAN]; a registration's fee item may be CODE alone
 * (quantity 1).  The argument is split in place. */
static int parse_item(const char *cmd, char *arg, size_t n, form_line *l, int qty_optional)
{
	char *q = strchr(arg, ':');
	if (!q && qty_optional && *arg) {
		l->code = arg;
		l->qty = 1;
		l->price_fen = -1;
		return CAPTURE_ARGS_GO;
	}
	if (!q || q == arg)
		return cli_usage(cmd, "--item %zu: write CODE:QTY or CODE:QTY:PRICE_YUAN", n);
	*q++ = '\0';
	char *p = strchr(q, ':');
	if (p)
		*p++ = '\0';
	l->code = arg;
	l->price_fen = -1;
	if (parse_int64(q, strlen(q), &l->qty) != 0)
		return cli_usage(cmd, "--item %zu: the quantity must be a whole number", n);
	if (p) {
		if (money_parse_yuan(p, strlen(p), &l->price_fen) != 0)
			return cli_usage(cmd, "--item %zu: the price must be yuan, e.g. 12.50", n);
		if (l->price_fen < 0)
			return cli_usage(cmd, "--item %zu: price must not be negative", n);
	}
	return CAPTURE_ARGS_GO;
}

/* SEQ or BL-STATION-SEQ; the station is checked once the journal is open. */
static int parse_ref(const char *cmd, const char *flag, struct capture_args *a, const char *s)
{
	const char *num = s;
	a->ref_text = s;
	a->ref_station[0] = '\0';
	if (strncmp(s, "BL-", 3) == 0) {
		const char *dash = strchr(s + 3, '-');
		if (!dash || dash == s + 3 || (size_t)(dash - s - 3) >= sizeof a->ref_station)
			return cli_usage(cmd, "%s: write SEQ or BL-STATION-SEQ", flag);
		snprintf(a->ref_station, sizeof a->ref_station, "%.*s", (int)(dash - s - 3), s + 3);
		num = dash + 1;
	}
	for (const char *d = num; *d; d++)
		if (*d < '0' || *d > '9')
			return cli_usage(cmd, "%s: write SEQ or BL-STATION-SEQ", flag);
	if (parse_int64(num, strlen(num), &a->f.ref_seq) != 0 || a->f.ref_seq <= 0)
		return cli_usage(cmd, "%s: write SEQ or BL-STATION-SEQ", flag);
	return CAPTURE_ARGS_GO;
}

int capture_args_resolve_ref(struct capture_args *a, const char *station, bulu_err *e)
{
	if (!a->ref_text || !a->ref_station[0] || strcmp(a->ref_station, station) == 0)
		return BULU_OK;
	if (strcmp(a->f.kind, "dispense") == 0) {
		/* the ward's voucher: its station's form, checked at reconcile */
		a->f.ref_station = a->ref_station;
		return BULU_OK;
	}
	return bulu_errf(e, BULU_BADINPUT,
			 "%s: %s is a form of station %s; this is station %s",
			 strcmp(a->f.kind, "void") == 0 ? "--entry" : "--ref", a->ref_text,
			 a->ref_station, station);
}

static int take(const char *cmd, struct capture_args *a, int bit, char *arg)
{
	form *f = &a->f;
	/* What a Chinese keyboard types in codes and numbers: Ｙ０００１：２. */
	if (bit & (F_PATIENT | F_ITEM | F_INVOICE | F_FEE | F_CARD | F_REQNO | F_REF | F_ENTRY))
		text_halfwidth(arg);
	switch (bit) {
	case F_PATIENT: f->patient_id = arg; break;
	case F_NAME: f->patient_name = arg; break;
	case F_SEX: f->sex = arg; break;
	case F_DEPT: f->dept = arg; break;
	case F_DOCTOR: f->doctor = arg; break;
	case F_FEETYPE: f->fee_type = arg; break;
	case F_INVOICE: f->invoice_no = arg; break;
	case F_PAY: f->pay_method = arg; break;
	case F_CARD: f->card_no = arg; break;
	case F_REQNO: f->request_no = arg; break;
	case F_REASON: f->reason = arg; break;
	case F_TEXT: f->note = arg; break;
	case F_NOTE: f->note = arg; break;
	case F_AT: f->occurred_at = arg; break;
	case F_FORCE: f->force_reason = arg; break;
	case F_TIER: f->tier_reason = arg; break;
	case F_NEWCARD: f->new_card = 1; break;
	case F_EXCHANGE: f->exchange = 1; break;
	case F_DISCHARGE: f->discharge = 1; break;
	case F_PRINT: a->print_file = arg; break;
	case F_PRINT | (1 << 29): a->no_print = 1; break;
	case F_REF: return parse_ref(cmd, "--ref", a, arg);
	case F_ENTRY: return parse_ref(cmd, "--entry", a, arg);
	case F_AMOUNT:
		if (money_parse_yuan(arg, strlen(arg), &f->fee_fen) != 0 || f->fee_fen < 0)
			return cli_usage(cmd, "--amount: yuan, not negative, e.g. 1234.50");
		break;
	case F_FEE:
		if (money_parse_yuan(arg, strlen(arg), &f->fee_fen) != 0 || f->fee_fen < 0)
			return cli_usage(cmd, "--fee: yuan, not negative, e.g. 5 or 12.50");
		break;
	case F_ITEM:
		if (f->nlines >= FORM_MAX_LINES)
			return cli_usage(cmd, "--item: at most %d lines on one form", FORM_MAX_LINES);
		f->nlines++;
		return parse_item(cmd, arg, f->nlines, &f->lines[f->nlines - 1],
				  strcmp(f->kind, "registration") == 0);
	}
	return CAPTURE_ARGS_GO;
}

int capture_args_parse(int argc, char **argv, const char *kind, struct capture_args *a)
{
	const struct kind_cli *k = NULL;
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(kinds[i].kind, kind) == 0)
			k = &kinds[i];
	memset(a, 0, sizeof *a);
	a->f.kind = kind;
	a->f.fee_fen = -1;
	a->f.check_tier = 1;
	a->print = (k->flags & F_PRINT) != 0;
	const char *op = NULL;
	int c, rc;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h')
			return cli_help(k->usage);
		if (c == 'o') {
			op = optarg;
			continue;
		}
		if (c == 'D') {
			a->dir = optarg;
			continue;
		}
		if (c == '?' || c == ':')
			return cli_usage(argv[0], "unknown option or missing value: %s",
					 argv[optind - 1]);
		if (!(k->flags & (unsigned)c & ~(1u << 29)))
			return cli_usage(argv[0], "--%s does not apply to this kind of form",
					 flag_name(c));
		if ((rc = take(argv[0], a, c, optarg)) != CAPTURE_ARGS_GO)
			return rc;
	}
	if (optind < argc)
		return cli_usage(argv[0], "unexpected argument '%s' (flags only, e.g. --item CODE:QTY)",
				 argv[optind]);
	a->f.operator_ = cli_operator(op, 0);
	if (!a->f.operator_)
		return cli_usage(argv[0], "--operator is required (or set BULU_OPERATOR): every form "
					  "names who recorded it");
	return CAPTURE_ARGS_GO;
}
