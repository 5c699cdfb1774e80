/*
 * world.c - the simulated hospital: its catalog, its stations, and the
 * paper forms each station captures in an hour of the outage.
 *
 * Rates and mixes follow what the hospital's own outage drills showed: an
 * outpatient cashier window takes about one form a minute, six in ten of
 * them charges and three in ten registrations (one new patient in five
 * gets a card); the outpatient pharmacy fills a prescription every two or
 * three minutes and dispenses it at once; a ward writes a requisition or an
 * order every few minutes, and its requisitions are captured a second time
 * at the inpatient pharmacy (the second copy of the paper form) with the
 * dispense against it; the lab and imaging record exams performed.  A few
 * forms are voided (退费, a cancelled exam) and a few invoice numbers
 * spoiled.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bulu/cli.h"
#include "bulu/fsutil.h"
#include "bulu/money.h"
#include "sim.h"

/* ---- the classes of discrepancy, and truth.csv's rows (his_out.c fills them) ---- */
const char *const sim_classes[] = {
	"MISSING_IN_HIS", "EXTRA_IN_HIS", "DUPLICATE_IN_HIS", "AMOUNT_MISMATCH", "QTY_MISMATCH",
	"ITEM_MISMATCH", "PATIENT_MISMATCH", "INVOICE_GAP", "INVOICE_DUPLICATE",
	"INVOICE_UNRECORDED", "INVOICE_VOID_CHARGED", "DISPENSE_MISMATCH", "LATE_BACKFILL",
	"VOIDED_IN_HIS", "DISPENSE_REF_UNKNOWN"};
const size_t sim_nclasses = sizeof sim_classes / sizeof sim_classes[0];

int sim_class_index(const char *name)
{
	for (size_t i = 0; i < sim_nclasses; i++)
		if (strcmp(sim_classes[i], name) == 0)
			return (int)i;
	return -1;
}

sim_truth *sim_truth_add(sim *s, const char *cls, const char *kind)
{
	if (s->ntruth == s->captruth) {
		size_t cap = s->captruth ? s->captruth * 2 : 256;
		sim_truth *p = realloc(s->truth, cap * sizeof *p);
		if (!p) {
			fprintf(stderr, "bulu: sim: out of memory\n");
			exit(BULU_SYSTEM);
		}
		s->truth = p;
		s->captruth = cap;
	}
	sim_truth *t = &s->truth[s->ntruth++];
	memset(t, 0, sizeof *t);
	t->cls = cls;
	t->kind = kind;
	t->line = -1;
	return t;
}

/* ---- xoshiro256**, seeded by splitmix64 ---- */
static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void sim_rng_seed(sim_rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix(&seed);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t sim_rng_next(sim_rng *r)
{
	uint64_t *s = r->s, out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

uint64_t sim_rng_below(sim_rng *r, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)sim_rng_next(r) * n) >> 64);
}

int sim_rng_chance(sim_rng *r, double p)
{
	return (double)(sim_rng_next(r) >> 11) * 0x1.0p-53 < p;
}

/* ---- the catalog: names as hospitals write them, commas, quotes,
 * full-width brackets and all ---- */
const sim_item sim_catalog[] = {
	{"Y001", "阿莫西林胶囊 0.25g*24粒", "AMXLJN", "盒", "西药", 1850, SIM_ITEM_DRUG},
	{"Y002", "0.9%氯化钠注射液, 250ml", "LHNZSY", "瓶", "西药", 420, SIM_ITEM_DRUG},
	{"Y003", "\"精蛋白\"锌胰岛素注射液", "JDBXYDS", "支", "西药", 5680, SIM_ITEM_DRUG},
	{"Y004", "头孢克肟分散片（世福素）", "TBKWFSP", "盒", "西药", 3200, SIM_ITEM_DRUG},
	{"Y005", "布洛芬缓释胶囊，0.3g×20粒", "BLFHSJN", "盒", "西药", 1560, SIM_ITEM_DRUG},
	{"Y006", "维生素C片,100mg", "WSSCP", "瓶", "西药", 1230, SIM_ITEM_DRUG},
	{"Y007", "甲硝唑氯化钠注射液 100ml:0.5g", "JXZLHNZSY", "瓶", "西药", 980, SIM_ITEM_DRUG},
	{"Y008", "复方甘草口服溶液 \"100ml\"", "FFGCKFRY", "瓶", "中成药", 750, SIM_ITEM_DRUG},
	{"Y009", "奥美拉唑肠溶胶囊 20mg×14粒", "AMLZCRJN", "盒", "西药", 2490, SIM_ITEM_DRUG},
	{"Y010", "硝苯地平控释片（拜新同）30mg", "XBDPKSP", "盒", "西药", 3870, SIM_ITEM_DRUG},
	{"F001", "普通门诊诊查费", "PTMZZCF", "次", "诊疗", 1000, SIM_ITEM_SERVICE},
	{"F002", "静脉输液（含一次性输液器）", "JMSY", "组", "治疗", 1500, SIM_ITEM_SERVICE},
	{"F003", "清创缝合术, 小", "QCFHS", "次", "治疗", 12000, SIM_ITEM_SERVICE},
	{"F004", "雾化吸入", "WHXR", "次", "治疗", 800, SIM_ITEM_SERVICE},
	{"J001", "血常规（五分类）", "XCG", "次", "检验", 2500, SIM_ITEM_LAB},
	{"J002", "肝功能, 十一项", "GGN", "次", "检验", 6800, SIM_ITEM_LAB},
	{"J003", "C-反应蛋白(CRP)", "CFYDB", "次", "检验", 3000, SIM_ITEM_LAB},
	{"J004", "尿常规", "NCG", "次", "检验", 1200, SIM_ITEM_LAB},
	{"X001", "胸部正位片 (DR)", "XBZWP", "次", "检查", 8000, SIM_ITEM_IMAGING},
	{"X002", "腹部彩超 \"肝胆胰脾\"", "FBCC", "次", "检查", 15000, SIM_ITEM_IMAGING},
	{"X003", "头颅CT平扫", "TLCT", "次", "检查", 26000, SIM_ITEM_IMAGING},
	{"W001", "一级护理", "YJHL", "日", "护理", 3600, SIM_ITEM_WARD},
	{"W002", "吸氧（鼻导管）", "XYBDG", "小时", "护理", 350, SIM_ITEM_WARD},
	{"W003", "心电监护", "XDJH", "小时", "护理", 800, SIM_ITEM_WARD},
	{"W004", "静脉采血", "JMCX", "次", "护理", 500, SIM_ITEM_WARD},
	/* registration fee items (挂号费), priced like any item */
	{"G001", "普通门诊挂号费", "PTMZGHF", "次", "挂号", 1000, SIM_ITEM_FEE},
	{"G002", "急诊挂号费", "JZGHF", "次", "挂号", 2000, SIM_ITEM_FEE},
	{"G003", "专家门诊挂号费", "ZJMZGHF", "次", "挂号", 5000, SIM_ITEM_FEE},
};
const size_t sim_ncatalog = sizeof sim_catalog / sizeof sim_catalog[0];

int sim_write_catalog(const char *path, bulu_err *e)
{
	buf o = BUF_INIT;
	buf_puts(&o, "code,name,pinyin,unit,price,category,version\r\n");
	for (size_t i = 0; i < sim_ncatalog; i++) {
		const sim_item *it = &sim_catalog[i];
		char price[32];
		money_format_yuan(it->price, price);
		cli_csv_cell_raw(&o, it->code, 0);
		cli_csv_cell_raw(&o, it->name, 0);
		cli_csv_cell_raw(&o, it->pinyin, 0);
		cli_csv_cell_raw(&o, it->unit, 0);
		cli_csv_cell_raw(&o, price, 0);
		cli_csv_cell_raw(&o, it->category, 0);
		cli_csv_cell_raw(&o, "2026.11", 1);
	}
	int rc = o.oom ? bulu_errf(e, BULU_SYSTEM, "out of memory")
	               : fs_write_atomic(path, o.p, o.len, 0644, e);
	buf_free(&o);
	return rc;
}

static int items_first(int kind)
{
	for (size_t i = 0; i < sim_ncatalog; i++)
		if (sim_catalog[i].kind == kind)
			return (int)i;
	return 0;
}

static int items_of(int kind, int out[], int max)
{
	int n = 0;
	for (size_t i = 0; i < sim_ncatalog && n < max; i++)
		if (sim_catalog[i].kind == kind)
			out[n++] = (int)i;
	return n;
}

/* ---- people ---- */
static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴",
	"欧阳", "司马", "徐", "孙", "马", "朱", "胡", "郭", "何", "林"};
static const char *const given[] = {"明", "芳", "伟", "秀英", "娜", "敏", "静", "丽", "强", "磊",
	"军", "洋", "勇", "艳", "杰", "娟", "涛", "超", "建国", "淑珍"};
static const char *const clinics[] = {"内科", "外科", "儿科", "妇产科", "急诊科", "中医科"};
static const char *const doctors[] = {"赵医生", "钱医生", "孙医生", "李主任", "周医生", "吴医生"};
static const char *const pays[] = {"cash", "wechat", "alipay", "card", "insurance"};

static void person(sim *s, sim_form *f, int inpatient)
{
	if (inpatient)
		snprintf(f->patient, sizeof f->patient, "ZY2026%05ld", s->next_inpatient++);
	else
		snprintf(f->patient, sizeof f->patient, "%08ld", s->next_patient++);
	/* one name in fifty carries a comma, as a clerk typed "刘,强" */
	const char *sn = surnames[sim_rng_below(&s->rng, sizeof surnames / sizeof *surnames)];
	const char *gn = given[sim_rng_below(&s->rng, sizeof given / sizeof *given)];
	snprintf(f->name, sizeof f->name, "%s%s%s", sn, sim_rng_chance(&s->rng, 0.02) ? "," : "", gn);
}

/* ---- stations ---- */
static const struct {
	const char *prefix, *dept, *role;
	enum sim_role r;
	const char *ops[3];
} station_kinds[] = {
	[ROLE_CASHIER] = {"MZSF", "门诊收费", "cashier", ROLE_CASHIER, {"张丽", "王敏", "李娟"}},
	[ROLE_PHARMACY] = {"MZYF", "门诊药房", "pharmacy", ROLE_PHARMACY, {"药师孙伟", "药师郭静", NULL}},
	[ROLE_WARD] = {"BQ", NULL, "ward", ROLE_WARD, {"护士陈静", "护士林芳", NULL}},
	[ROLE_WARD_PHARMACY] = {"ZYYF", "住院药房", "pharmacy", ROLE_WARD_PHARMACY, {"药师何勇", NULL, NULL}},
	[ROLE_LAB] = {"JYK", "检验科", "lab", ROLE_LAB, {"检验师黄磊", "检验师朱艳", NULL}},
	[ROLE_IMAGING] = {"FSK", "放射科", "imaging", ROLE_IMAGING, {"技师马超", NULL, NULL}},
	[ROLE_BILLING] = {"ZYC", "住院处", "billing", ROLE_BILLING, {"结算员吕洁", NULL, NULL}},
};
static const char *const wards[] = {"内科一病区", "外科二病区", "儿科病区", "妇产科病区",
	"骨科病区", "心内科病区", "神经内科病区", "呼吸科病区"};

int sim_stations_make(sim *s, bulu_err *e)
{
	int n = s->o.cashiers + s->o.wards + 5;
	s->stations = calloc((size_t)n, sizeof *s->stations);
	if (!s->stations)
		return bulu_errf(e, BULU_SYSTEM, "out of memory");
	int k = 0;
	for (int r = ROLE_CASHIER; r <= ROLE_BILLING; r++) {
		int count = r == ROLE_CASHIER ? s->o.cashiers : r == ROLE_WARD ? s->o.wards : 1;
		for (int i = 0; i < count; i++, k++) {
			sim_station *st = &s->stations[k];
			snprintf(st->id, sizeof st->id, "%s%02d", station_kinds[r].prefix, i + 1);
			st->r = (enum sim_role)r;
			st->role = station_kinds[r].role;
			st->dept = r == ROLE_WARD ? wards[i % 8] : station_kinds[r].dept;
			memcpy(st->operators, station_kinds[r].ops, sizeof st->operators);
			if (r == ROLE_CASHIER) {
				/* each window its own manual book, 00100001.. for the first */
				st->book_from = (int64_t)(i + 1) * 100000 + 1;
				st->book_to = st->book_from + 99998;
				st->next_invoice = st->book_from;
			}
		}
	}
	s->nstations = k;
	return BULU_OK;
}

sim_form *sim_form_new(sim *s, enum sim_kind kind, int station, int64_t when)
{
	if (s->nforms == s->capforms) {
		size_t cap = s->capforms ? s->capforms * 2 : 1024;
		sim_form *p = realloc(s->forms, cap * sizeof *p);
		if (!p) {
			fprintf(stderr, "bulu: sim: out of memory\n");
			exit(BULU_SYSTEM);
		}
		s->forms = p;
		s->capforms = cap;
	}
	sim_form *f = &s->forms[s->nforms++];
	memset(f, 0, sizeof *f);
	f->kind = kind;
	f->station = station;
	f->occurred = when;
	f->ref = -1;
	f->inj = -1;
	const sim_station *st = &s->stations[station];
	f->dept = st->dept;
	int nops = st->operators[2] ? 3 : st->operators[1] ? 2 : 1;
	f->operator_ = st->operators[sim_rng_below(&s->rng, (uint64_t)nops)];
	return f;
}

static void add_lines(sim *s, sim_form *f, int kind, int max)
{
	int pool[16], n = items_of(kind, pool, 16);
	int want = 1 + (int)sim_rng_below(&s->rng, (uint64_t)max);
	for (int i = 0; i < want && f->nlines < SIM_MAX_LINES; i++) {
		int it = pool[sim_rng_below(&s->rng, (uint64_t)n)], dup = 0;
		for (int j = 0; j < f->nlines; j++)
			dup |= f->lines[j].item == it;
		if (dup)
			continue; /* a form names an item once */
		f->lines[f->nlines].item = it;
		f->lines[f->nlines].qty = 1 + (int64_t)sim_rng_below(&s->rng, kind == SIM_ITEM_DRUG ? 6 : 2);
		f->nlines++;
	}
}

int64_t sim_form_amount(const sim_form *f, int line)
{
	if (f->kind == SK_REGISTRATION)
		return f->fee;
	if (line >= 0)
		return sim_catalog[f->lines[line].item].price * f->lines[line].qty;
	int64_t t = 0;
	for (int i = 0; i < f->nlines; i++)
		t += sim_form_amount(f, i);
	return t;
}

static long counter_of(sim *s, int station)
{
	return ++s->stations[station].events;
}

/* Injection by count, not by chance: every K-th event (K = 1/rate), the
 * first at the second event, so even a small outage has one of each. */
static int every(double rate, long n)
{
	long k = rate > 0 ? (long)(1.0 / rate + 0.5) : 0;
	if (k < 1)
		k = 1;
	return rate > 0 && n >= 2 && (n - 2) % k == 0;
}

static void take_invoice(sim *s, sim_form *f)
{
	sim_station *st = &s->stations[f->station];
	int ci = sim_class_index("INVOICE_GAP");
	double r = s->o.rates[ci] >= 0 ? s->o.rates[ci] : s->o.rate;
	if (!f->drill && every(r, ++s->invoices_taken))
		s->gap_pending = 1;
	/* a gap lies between two numbers used: never a book's first */
	if (s->gap_pending && st->next_invoice > st->book_from && st->next_invoice + 1 < st->book_to) {
		s->gap_pending = 0;
		/* the cashier tore out a number and wrote on the next: the register
		 * will skip it, and nothing in any journal names it */
		sim_truth *t = sim_truth_add(s, "INVOICE_GAP", "invoices");
		snprintf(t->station, sizeof t->station, "%s", st->id);
		sim_fmt_invoice(st->next_invoice, t->invoice);
		t->what = "an invoice number skipped in the book";
		st->next_invoice++;
	}
	f->invoice = st->next_invoice++;
}

static void cashier_event(sim *s, int station, int64_t t)
{
	sim_station *st = &s->stations[station];
	(void)st;
	uint64_t d = sim_rng_below(&s->rng, 100);
	long n = counter_of(s, station);
	int vi = sim_class_index("INVOICE_VOID_CHARGED");
	double vr = s->o.rates[vi] >= 0 ? s->o.rates[vi] : s->o.rate;
	if (d < 2 || every(vr * 4, n)) {
		/* a spoiled invoice: printed crooked, voided, the next one used */
		sim_form *f = sim_form_new(s, SK_INVOICE_VOID, station, t);
		take_invoice(s, f);
		t += 20;
	}
	if (d < 32) {
		/* a new patient in five gets a card first, then registers */
		sim_form *c = NULL;
		if (sim_rng_chance(&s->rng, 0.2)) {
			c = sim_form_new(s, SK_CARD_ISSUE, station, t);
			person(s, c, 0);
		}
		sim_form *r = sim_form_new(s, SK_REGISTRATION, station, t + (c ? 30 : 0));
		if (c) {
			c = r - 1; /* the array may have moved */
			memcpy(r->patient, c->patient, sizeof r->patient);
			memcpy(r->name, c->name, sizeof r->name);
			r->operator_ = c->operator_;
		} else {
			person(s, r, 0);
		}
		size_t ci = sim_rng_below(&s->rng, sizeof clinics / sizeof *clinics);
		r->dept = clinics[ci];
		r->fee = sim_rng_chance(&s->rng, 0.2) ? 5000 : ci == 4 ? 2000 : 1000;
		/* two in three priced from the catalog's fee item, the rest in yuan */
		if (s->nforms % 3 != 0)
			for (size_t k = 0; k < sim_ncatalog; k++)
				if (sim_catalog[k].kind == SIM_ITEM_FEE && sim_catalog[k].price == r->fee)
					r->fee_item = (int)k + 1;
		take_invoice(s, r);
		return;
	}
	sim_form *f = sim_form_new(s, SK_CHARGE, station, t);
	person(s, f, 0);
	int k = (int)sim_rng_below(&s->rng, 4);
	add_lines(s, f, k == 0 ? SIM_ITEM_SERVICE : k == 1 ? SIM_ITEM_LAB : k == 2 ? SIM_ITEM_IMAGING : SIM_ITEM_DRUG, 3);
	if (sim_rng_chance(&s->rng, 0.5))
		add_lines(s, f, SIM_ITEM_DRUG, 1);
	take_invoice(s, f);
	/* one patient in four keeps the handwritten receipt to exchange it for
	 * a machine invoice after recovery (换票) */
	f->exchange = f->invoice % 4 == 0;
	if (d >= 97) {
		/* 退费: the patient came back within the hour */
		size_t idx = s->nforms - 1;
		sim_form *v = sim_form_new(s, SK_VOID, station, t + 600);
		v->ref = (int)idx;
		s->forms[idx].voided = 1;
	}
}

static void pharmacy_event(sim *s, int station, int64_t t)
{
	sim_form *p = sim_form_new(s, SK_PRESCRIPTION, station, t);
	person(s, p, 0);
	add_lines(s, p, SIM_ITEM_DRUG, 3);
	size_t pi = s->nforms - 1;
	sim_form *d = sim_form_new(s, SK_DISPENSE, station, t + 60);
	p = &s->forms[pi];
	d->ref = (int)pi;
	memcpy(d->patient, p->patient, sizeof d->patient);
	memcpy(d->name, p->name, sizeof d->name);
	d->nlines = p->nlines;
	memcpy(d->lines, p->lines, sizeof d->lines);
}

static int ward_pharmacy(sim *s)
{
	for (int i = 0; i < s->nstations; i++)
		if (s->stations[i].r == ROLE_WARD_PHARMACY)
			return i;
	return -1;
}

static void ward_event(sim *s, int station, int64_t t, int64_t to)
{
	long n = counter_of(s, station);
	if (n % 2 == 0) {
		/* every other one a charge the nurses executed (记账), not an order */
		sim_form *o = sim_form_new(s, n % 4 == 0 ? SK_WARD_CHARGE : SK_ORDER, station, t);
		person(s, o, 1);
		add_lines(s, o, SIM_ITEM_WARD, 2);
		if (n % 6 == 2) {
			/* an exam requested for the patient that the lab never did: pending */
			size_t oi = s->nforms - 1;
			sim_form *rq = sim_form_new(s, SK_EXAM_REQUEST, station, t + 60 < to ? t + 60 : t);
			o = &s->forms[oi];
			memcpy(rq->patient, o->patient, sizeof rq->patient);
			memcpy(rq->name, o->name, sizeof rq->name);
			rq->nlines = 1;
			rq->lines[0].item = items_first(SIM_ITEM_LAB);
			rq->lines[0].qty = 1;
			snprintf(rq->id, sizeof rq->id, "SQ%s-%04ld", s->stations[station].id, n);
		}
		return;
	}
	/* a requisition, in two copies: the ward's and the pharmacy's */
	sim_form *q = sim_form_new(s, SK_REQUISITION, station, t);
	person(s, q, 1);
	add_lines(s, q, SIM_ITEM_DRUG, 3);
	snprintf(q->id, sizeof q->id, "QL%s-%04ld", s->stations[station].id, ++s->reqs);
	size_t qi = s->nforms - 1;
	int ph = ward_pharmacy(s);
	if (ph < 0)
		return;
	int64_t at = t + 300 < to ? t + 300 : to - 1;
	int xi = sim_class_index("DISPENSE_REF_UNKNOWN");
	double xr = s->o.rates[xi] >= 0 ? s->o.rates[xi] : s->o.rate;
	if (every(xr, s->reqs + 1)) {
		/* the pharmacy dispenses against a voucher whose form no journal
		 * holds (the ward's paper copy was never captured) */
		sim_form *u = sim_form_new(s, SK_DISPENSE, ph, at);
		person(s, u, 1);
		u->nlines = 1;
		u->lines[0].item = items_first(SIM_ITEM_DRUG);
		u->lines[0].qty = 1;
		u->bad_ref = 90000 + (int)s->reqs;
		u->ref_station = station;
	}
	if (s->reqs % 3 == 0) {
		/* the pharmacy dispenses against the ward's voucher itself, by its
		 * BL reference, without capturing a second copy */
		sim_form *d = sim_form_new(s, SK_DISPENSE, ph, at);
		sim_form *q2 = &s->forms[qi];
		d->ref = (int)qi;
		memcpy(d->patient, q2->patient, sizeof d->patient);
		memcpy(d->name, q2->name, sizeof d->name);
		d->nlines = q2->nlines;
		memcpy(d->lines, q2->lines, sizeof d->lines);
		int di = sim_class_index("DISPENSE_MISMATCH");
		double r = s->o.rates[di] >= 0 ? s->o.rates[di] : s->o.rate;
		if (every(r, s->reqs) && d->lines[0].qty > 1) {
			d->lines[0].qty--;
			d->dispense_short = 1;
			s->forms[qi].dispense_short = 1;
		}
		return;
	}
	sim_form *c = sim_form_new(s, SK_REQUISITION, ph, at);
	q = &s->forms[qi];
	sim_form keep = *c;
	*c = *q;
	c->station = ph;
	c->dept = keep.dept;
	c->operator_ = keep.operator_;
	c->occurred = at;
	size_t ci = s->nforms - 1;
	sim_form *d = sim_form_new(s, SK_DISPENSE, ph, at);
	c = &s->forms[ci];
	d->ref = (int)ci;
	memcpy(d->patient, c->patient, sizeof d->patient);
	memcpy(d->name, c->name, sizeof d->name);
	d->nlines = c->nlines;
	memcpy(d->lines, c->lines, sizeof d->lines);
	int di = sim_class_index("DISPENSE_MISMATCH");
	double r = s->o.rates[di] >= 0 ? s->o.rates[di] : s->o.rate;
	if (every(r, s->reqs) && d->lines[0].qty > 1) {
		/* the pharmacy was short and gave one less than asked */
		d->lines[0].qty--;
		d->dispense_short = 1;
		s->forms[qi].dispense_short = 1;
	}
}

static int first_of_role(const sim *s, enum sim_role r)
{
	for (int i = 0; i < s->nstations; i++)
		if (s->stations[i].r == r)
			return i;
	return -1;
}

static void exam_event(sim *s, int station, int64_t t, int64_t from, int kind)
{
	sim_form *x = sim_form_new(s, SK_EXAM, station, t);
	person(s, x, 1);
	add_lines(s, x, kind, kind == SIM_ITEM_LAB ? 2 : 1);
	long n = counter_of(s, station);
	int ward = first_of_role(s, ROLE_WARD);
	if (n % 3 == 1 && ward >= 0) {
		/* requested by a ward first: the exam names the request's number */
		size_t xi = s->nforms - 1;
		sim_form *rq = sim_form_new(s, SK_EXAM_REQUEST, ward, t - 300 > from ? t - 300 : from);
		x = &s->forms[xi];
		memcpy(rq->patient, x->patient, sizeof rq->patient);
		memcpy(rq->name, x->name, sizeof rq->name);
		rq->nlines = x->nlines;
		memcpy(rq->lines, x->lines, sizeof rq->lines);
		snprintf(rq->id, sizeof rq->id, "SQ%s-%04ld", s->stations[station].id, n);
		memcpy(x->id, rq->id, sizeof x->id);
		if (n % 9 == 1) {
			/* the ward confirms nothing is pending, and the billing office
			 * settles the patient's discharge by hand */
			sim_form *cl = sim_form_new(s, SK_EXAM_CLEAR, ward, t + 120);
			memcpy(cl->patient, rq->patient, sizeof cl->patient);
			memcpy(cl->name, rq->name, sizeof cl->name);
			int zyc = first_of_role(s, ROLE_BILLING);
			if (zyc >= 0) {
				sim_form *st = sim_form_new(s, SK_SETTLEMENT, zyc, t + 240);
				memcpy(st->patient, cl->patient, sizeof st->patient);
				memcpy(st->name, cl->name, sizeof st->name);
				st->fee = sim_form_amount(&s->forms[xi], -1) + 3600;
				snprintf(st->id, sizeof st->id, "ZS%s-%04ld", s->stations[station].id, n);
			}
		}
		return; /* (a requested exam is not cancelled) */
	}
	if (n == 2 || sim_rng_chance(&s->rng, 0.02)) {
		/* cancelled after it was recorded: the patient was discharged */
		size_t idx = s->nforms - 1;
		sim_form *v = sim_form_new(s, SK_VOID, station, t + 300);
		v->ref = (int)idx;
		s->forms[idx].voided = 1;
	}
}

/* Forms per hour of a station, from the outage's size and each role's
 * share of the traffic. */
static long per_hour(const sim *s, enum sim_role r)
{
	double w = s->o.cashiers * 1.0 + 0.6 + s->o.wards * 0.3 + 0.4 + 0.2;
	double share = r == ROLE_CASHIER ? 1.0 : r == ROLE_PHARMACY ? 0.6 : r == ROLE_WARD ? 0.3
		: r == ROLE_LAB ? 0.4 : r == ROLE_IMAGING ? 0.2 : 0;
	long n = (long)((double)s->o.forms * share / w / s->o.hours + 0.5);
	return r == ROLE_WARD_PHARMACY || r == ROLE_BILLING ? 0 : n < 1 ? 1 : n;
}

void sim_hour(sim *s, int station, int64_t from, int64_t to)
{
	sim_station *st = &s->stations[station];
	long n = per_hour(s, st->r);
	for (long i = 0; i < n; i++) {
		/* spread over the hour, each form at its own minute and second */
		int64_t slot = (to - from - 900) / n;
		int64_t t = from + slot * i + (int64_t)sim_rng_below(&s->rng, (uint64_t)(slot > 1 ? slot : 1));
		switch (st->r) {
		case ROLE_CASHIER: cashier_event(s, station, t); break;
		case ROLE_PHARMACY: pharmacy_event(s, station, t); break;
		case ROLE_WARD: ward_event(s, station, t, to); break;
		case ROLE_LAB: exam_event(s, station, t, from, SIM_ITEM_LAB); break;
		case ROLE_IMAGING: exam_event(s, station, t, from, SIM_ITEM_IMAGING); break;
		case ROLE_WARD_PHARMACY:
		case ROLE_BILLING: break;
		}
	}
}

/* ---- writing ---- */
void sim_fmt_time(int64_t t, char out[32], int iso)
{
	time_t tt = (time_t)(t + 8 * 3600);
	struct tm tm;
	gmtime_r(&tt, &tm);
	if (iso)
		strftime(out, 32, "%Y-%m-%dT%H:%M:%S+08:00", &tm);
	else
		strftime(out, 32, "%Y-%m-%d %H:%M:%S", &tm);
}

void sim_fmt_invoice(int64_t n, char out[24])
{
	snprintf(out, 24, "%08" PRId64, n);
}

static const char *const kind_names[] = {
	[SK_REGISTRATION] = "registration", [SK_CARD_ISSUE] = "card_issue", [SK_CHARGE] = "charge",
	[SK_PRESCRIPTION] = "prescription", [SK_ORDER] = "order", [SK_REQUISITION] = "requisition",
	[SK_DISPENSE] = "dispense", [SK_EXAM] = "exam", [SK_INVOICE_VOID] = "invoice_void",
	[SK_VOID] = "void", [SK_WARD_CHARGE] = "ward_charge", [SK_EXAM_REQUEST] = "exam_request",
	[SK_EXAM_CLEAR] = "exam_clear", [SK_SETTLEMENT] = "settlement"};

/* One row of the import file; line < 0 for a form without item lines. */
static void form_row(buf *o, const sim *s, const sim_form *f, int line)
{
	char when[32], price[32] = "", inv[24] = "", qty[24] = "";
	sim_fmt_time(f->occurred, when, 1);
	if (f->invoice)
		sim_fmt_invoice(f->invoice, inv);
	if ((f->kind == SK_REGISTRATION && !f->fee_item) || f->kind == SK_SETTLEMENT)
		money_format_yuan(f->fee, price);
	if (f->kind == SK_SETTLEMENT)
		snprintf(inv, sizeof inv, "%s", f->id);
	if (line >= 0)
		snprintf(qty, sizeof qty, "%" PRId64, f->lines[line].qty);
	else if (f->fee_item)
		snprintf(qty, sizeof qty, "1");
	char xref[48];
	const char *ref = f->ref >= 0 ? s->forms[f->ref].id : "";
	if (f->ref >= 0 && s->forms[f->ref].station != f->station) {
		/* another station's form: its BL reference, as on the voucher */
		snprintf(xref, sizeof xref, "BL-%s-%" PRId64, s->stations[s->forms[f->ref].station].id,
		         s->forms[f->ref].seq);
		ref = xref;
	} else if (f->bad_ref) {
		snprintf(xref, sizeof xref, "BL-%s-%d", s->stations[f->ref_station].id, f->bad_ref);
		ref = xref;
	}
	const char *note = f->kind == SK_VOID ? (f->station >= 0 && s->stations[f->station].r == ROLE_CASHIER
	                                            ? "患者退费" : "检查取消，患者出院")
	                   : f->kind == SK_INVOICE_VOID ? "打印错位" : "";
	int patient = f->kind != SK_VOID && f->kind != SK_INVOICE_VOID;
	cli_csv_cell_raw(o, f->id, 0);
	cli_csv_cell_raw(o, kind_names[f->kind], 0);
	cli_csv_cell_raw(o, f->operator_, 0);
	cli_csv_cell_raw(o, patient ? f->patient : "", 0);
	cli_csv_cell_raw(o, patient ? f->name : "", 0);
	cli_csv_cell_raw(o, f->kind == SK_REGISTRATION ? f->dept : "", 0);
	cli_csv_cell_raw(o, f->kind == SK_REGISTRATION ? doctors[(f->fee / 10) % 6] : "", 0);
	cli_csv_cell_raw(o, line >= 0 ? sim_catalog[f->lines[line].item].code
	                : f->fee_item ? sim_catalog[f->fee_item - 1].code : "", 0);
	cli_csv_cell_raw(o, qty, 0);
	cli_csv_cell_raw(o, price, 0);
	cli_csv_cell_raw(o, inv, 0);
	cli_csv_cell_raw(o, f->kind == SK_CHARGE || f->kind == SK_REGISTRATION || f->kind == SK_SETTLEMENT
	                    ? pays[(f->occurred / 7) % 5] : "", 0);
	cli_csv_cell_raw(o, "", 0);
	cli_csv_cell_raw(o, f->kind == SK_INVOICE_VOID || f->kind == SK_VOID ? "" : when, 0);
	cli_csv_cell_raw(o, ref, 0);
	cli_csv_cell_raw(o, note, 0);
	cli_csv_cell_raw(o, f->exchange ? "exchange" : "", 1);
}

/* The import file of one station's forms among [first, last); each form
 * gets its paper number (its id in the file) here. */
int sim_write_forms(sim *s, const char *path, int station, size_t first, size_t last,
                    bulu_err *e)
{
	buf o = BUF_INIT;
	buf_puts(&o, "form,kind,operator,patient_id,patient_name,dept,doctor,item_code,qty,"
	             "unit_price,invoice_no,pay_method,fee_type,occurred_at,ref_form,note,flag\r\n");
	for (size_t i = first; i < last; i++) {
		sim_form *f = &s->forms[i];
		if (f->station != station)
			continue;
		if (!f->id[0])
			snprintf(f->id, sizeof f->id, "%s-%05ld", s->stations[station].id,
			         ++s->stations[station].ids);
		if (f->nlines == 0)
			form_row(&o, s, f, -1);
		for (int l = 0; l < f->nlines; l++)
			form_row(&o, s, f, l);
	}
	int rc = o.oom ? bulu_errf(e, BULU_SYSTEM, "out of memory")
	               : fs_write_atomic(path, o.p, o.len, 0644, e);
	buf_free(&o);
	return rc;
}
