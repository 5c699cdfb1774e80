/* test_his.c - HIS exports read through profiles: headers, encodings, money,
 * dates and zones, quoting, BL references, and every error path. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "bulu/buf.h"
#include "bulu/his.h"
#include "testutil.h"

#include <cjson/cJSON.h>

#include "../../reconcile/ledger_json.h"

/* The default profile's charges header, columns 1..14. */
#define HDR "流水号,患者编号,姓名,项目编码,项目名称,数量,单价,金额,发生时间,录入时间,操作员,发票号,科室,备注\n"

/* 2024-03-01 00:00:00 UTC */
#define MAR1 1709251200LL

static char dir[512];
static char csv_path[600];
static char prof_path[600];
static strpool *pool;
static struct his_profile *defprof;

static const char *S(uint32_t id)
{
	return strpool_str(pool, id);
}

static void put_file(const char *path, const char *data, size_t n)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

/* Read csv (n bytes) as kind k with profile p (NULL: the default). */
static int rd_n(const char *csv, size_t n, enum his_kind k, const struct his_profile *p,
                struct his_table *t, bulu_err *e)
{
	put_file(csv_path, csv, n);
	memset(t, 0, sizeof *t);
	bulu_err_clear(e);
	return his_read(csv_path, k, p ? p : defprof, pool, t, e);
}

static int rd(const char *csv, enum his_kind k, const struct his_profile *p,
              struct his_table *t, bulu_err *e)
{
	return rd_n(csv, strlen(csv), k, p, t, e);
}

/* Read csv, which must succeed with want rows. */
static void rd_ok(const char *csv, enum his_kind k, const struct his_profile *p,
                  struct his_table *t, size_t want)
{
	bulu_err e;
	int rc = rd(csv, k, p, t, &e);
	if (rc != BULU_OK)
		fail_msg("his_read: %d %s", rc, e.msg);
	assert_int_equal(t->n, want);
}

/* The message must be "<csv_path><suffix>". */
static void assert_msg(const bulu_err *e, const char *path, const char *suffix)
{
	char want[1200];
	snprintf(want, sizeof want, "%s%s", path, suffix);
	assert_string_equal(e->msg, want);
}

/* Read csv, which must fail as bad input with "<path><suffix>" and leave
 * the table empty. */
static void rd_bad(const char *csv, enum his_kind k, const struct his_profile *p,
                   const char *suffix)
{
	struct his_table t;
	bulu_err e;
	int rc = rd(csv, k, p, &t, &e);
	if (rc != BULU_BADINPUT)
		fail_msg("expected BULU_BADINPUT, got %d (%s)", rc, e.msg);
	assert_msg(&e, csv_path, suffix);
	assert_int_equal(t.n, 0);
	assert_null(t.rows);
	his_table_free(&t);
}

static struct his_profile *prof(const char *text)
{
	put_file(prof_path, text, strlen(text));
	struct his_profile *p = NULL;
	bulu_err e;
	bulu_err_clear(&e);
	int rc = his_profile_load(prof_path, &p, &e);
	if (rc != BULU_OK)
		fail_msg("his_profile_load: %d %s", rc, e.msg);
	return p;
}

static void prof_bad(const char *text, const char *suffix)
{
	put_file(prof_path, text, strlen(text));
	struct his_profile *p = NULL;
	bulu_err e;
	bulu_err_clear(&e);
	int rc = his_profile_load(prof_path, &p, &e);
	if (rc != BULU_BADINPUT)
		fail_msg("expected BULU_BADINPUT for profile, got %d (%s)", rc, e.msg);
	assert_null(p);
	assert_msg(&e, prof_path, suffix);
}

/* UTF-8 -> GB18030 with iconv; malloc'd. */
static char *to_gb(const char *s, size_t *outlen)
{
	iconv_t cd = iconv_open("GB18030", "UTF-8");
	assert_true(cd != (iconv_t)-1);
	size_t n = strlen(s), cap = n * 2 + 16;
	char *out = malloc(cap), *op = out, *ip = (char *)s;
	size_t il = n, ol = cap;
	assert_true(iconv(cd, &ip, &il, &op, &ol) != (size_t)-1);
	iconv_close(cd);
	*outlen = cap - ol;
	return out;
}

static void set_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

static int setup(void **state)
{
	(void)state;
	set_tz("UTC0");
	assert_non_null(tu_mkdtemp(dir, sizeof dir, "his"));
	snprintf(csv_path, sizeof csv_path, "%s/export.csv", dir);
	snprintf(prof_path, sizeof prof_path, "%s/his.profile", dir);
	pool = strpool_new();
	assert_non_null(pool);
	bulu_err e;
	assert_int_equal(his_profile_load(NULL, &defprof, &e), BULU_OK);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	his_profile_free(defprof);
	strpool_free(pool);
	tu_rm_tree(dir);
	return 0;
}

/* ---- names and the default profile ---- */

static void test_kind_and_field_names(void **state)
{
	(void)state;
	enum his_kind k;
	for (int i = 0; i < HIS_NKINDS; i++) {
		assert_int_equal(his_kind_parse(his_kind_name((enum his_kind)i), &k), 0);
		assert_int_equal(k, i);
	}
	assert_string_equal(his_kind_name(HIS_CHARGES), "charges");
	assert_int_equal(his_kind_parse("charge", &k), -1);
	assert_int_equal(his_kind_parse("", &k), -1);
	assert_string_equal(his_field_name(HF_SOURCE_NO), "source_no");
	assert_string_equal(his_field_name(HF_OPERATOR), "operator");
	assert_string_equal(his_profile_name(defprof), "default");
}

/* ---- reading ---- */

static void test_default_headers(void **state)
{
	(void)state;
	struct his_table t;
	rd_ok(HDR
	      "H1,P001,张三,Y0002,\"0.9%氯化钠注射液, 250ml\",2,4.20,8.40,2024-03-01 10:00:00,"
	      "2024-03-02 09:30:00,王芳,INV0001,内科,补录BL-MZ01-7-2号\n"
	      "H2, P002 ,李四,J0001,血常规,1,,25.00,2024-03-01 10:05,,王芳,,内科,\n",
	      HIS_CHARGES, NULL, &t, 2);
	assert_int_equal(t.kind, HIS_CHARGES);
	assert_int_equal(t.used, TEXT_UTF8);
	assert_string_equal(t.path, csv_path);
	assert_true(t.has[HF_PATIENT_NAME] && t.has[HF_REF] && t.has[HF_UNIT_PRICE]);
	assert_false(t.has[HF_FEE] || t.has[HF_SOURCE_NO] || t.has[HF_STATUS]);
	struct his_row *r = &t.rows[0];
	assert_int_equal(r->row, 2);
	assert_string_equal(his_text(&t, r->his_id), "H1");
	assert_string_equal(S(r->patient), "P001");
	assert_string_equal(S(r->item), "Y0002");
	assert_string_equal(S(r->dept), "内科");
	assert_string_equal(S(r->operator_), "王芳");
	assert_string_equal(S(r->invoice), "INV0001");
	assert_int_equal(r->source, 0);
	assert_int_equal(r->qty, 2);
	assert_int_equal(r->amount, 840);
	assert_int_equal(r->occurred, MAR1 + 10 * 3600);
	assert_int_equal(r->entered, MAR1 + 86400 + 9 * 3600 + 30 * 60);
	assert_string_equal(S(r->ref_station), "MZ01");
	assert_int_equal(r->ref_seq, 7);
	assert_int_equal(r->ref_line, 2);
	assert_int_equal(r->voided, 0);
	assert_int_equal(r->flags, 0);
	r = &t.rows[1];
	assert_int_equal(r->row, 3);
	assert_string_equal(S(r->patient), "P002"); /* trimmed */
	assert_int_equal(r->amount, 2500);
	assert_int_equal(r->occurred, MAR1 + 10 * 3600 + 5 * 60);
	assert_int_equal(r->entered, HIS_NO_TIME);
	assert_int_equal(r->invoice, 0);
	assert_int_equal(r->ref_station, 0);
	assert_int_equal(r->ref_seq, 0);
	assert_int_equal(r->ref_line, 0);
	his_table_free(&t);
	assert_null(t.rows);
	assert_int_equal(t.n, 0);
}

static void test_english_headers_amount_from_price(void **state)
{
	(void)state;
	struct his_table t;
	/* Any order, any case, extra columns ignored; no amount column. */
	rd_ok("Ward,QTY,patient_id, Item_Code ,unit_price,occurred_at,his_id\n"
	      "A,3,P9,Y1,4.20,2024-03-01,X1\n"
	      "B,-1,P9,Y1,4.20,2024-03-01,X2\n",
	      HIS_CHARGES, NULL, &t, 2);
	assert_false(t.has[HF_AMOUNT]);
	assert_true(t.has[HF_UNIT_PRICE]);
	assert_int_equal(t.rows[0].amount, 1260);
	assert_int_equal(t.rows[0].occurred, MAR1);
	assert_int_equal(t.rows[1].qty, -1);
	assert_int_equal(t.rows[1].amount, -420);
	assert_string_equal(his_text(&t, t.rows[1].his_id), "X2");
	his_table_free(&t);
}

static void test_money_forms(void **state)
{
	(void)state;
	struct his_table t;
	rd_ok("patient_id,item_code,qty,amount,unit_price\n"
	      "P1,Y1,1,\"1,234.50\",\n"
	      "P1,Y1,1,¥12.00,\n"
	      "P1,Y1,1,￥12,\n"
	      "P1,Y1,-1,-3.20,\n"
	      "P1,Y1,2,,\"1,000.05\"\n"
	      "P1,Y1,1,0,9.99\n",
	      HIS_CHARGES, NULL, &t, 6);
	assert_int_equal(t.rows[0].amount, 123450);
	assert_int_equal(t.rows[1].amount, 1200);
	assert_int_equal(t.rows[2].amount, 1200);
	assert_int_equal(t.rows[3].amount, -320);
	assert_int_equal(t.rows[3].qty, -1);
	assert_int_equal(t.rows[4].amount, 200010); /* empty amount: qty x price */
	assert_int_equal(t.rows[5].amount, 0);      /* an amount given wins */
	his_table_free(&t);
}

static void test_qty_decimals(void **state)
{
	(void)state;
	struct his_table t;
	rd_ok("patient_id,item_code,qty,amount\n"
	      "P1,Y1,2.00,1\nP1,Y1,2.0,1\nP1,Y1,-1.000,1\nP1,Y1, 7 ,1\n",
	      HIS_CHARGES, NULL, &t, 4);
	assert_int_equal(t.rows[0].qty, 2);
	assert_int_equal(t.rows[1].qty, 2);
	assert_int_equal(t.rows[2].qty, -1);
	assert_int_equal(t.rows[3].qty, 7);
	his_table_free(&t);
	rd_bad("patient_id,item_code,qty,amount\nP1,Y1,2.5,1\n", HIS_CHARGES, NULL,
	       ":2:3: qty \"2.5\" is not a whole number");
	rd_bad("patient_id,item_code,qty,amount\nP1,Y1,two,1\n", HIS_CHARGES, NULL,
	       ":2:3: qty \"two\" is not a number");
	rd_bad("patient_id,item_code,qty,amount\nP1,Y1,2.,1\n", HIS_CHARGES, NULL,
	       ":2:3: qty \"2.\" is not a number");
	rd_bad("patient_id,item_code,数量,amount\nP1,Y1,,1\n", HIS_CHARGES, NULL,
	       ":2:3: 数量 is empty");
}

static void test_gb18030_auto_and_forced(void **state)
{
	(void)state;
	const char *utf = HDR "H1,P001,张三,Y0002,\"0.9%氯化钠注射液, 250ml\",1,4.20,4.20,"
	                  "2024-03-01 10:00:00,,王芳,,内科,补录BL-MZ01-7\n";
	size_t n;
	char *gb = to_gb(utf, &n);
	struct his_table t;
	bulu_err e;
	assert_int_equal(rd_n(gb, n, HIS_CHARGES, NULL, &t, &e), BULU_OK);
	assert_int_equal(t.used, TEXT_GB18030);
	assert_int_equal(t.n, 1);
	assert_string_equal(S(t.rows[0].dept), "内科");
	assert_string_equal(S(t.rows[0].operator_), "王芳");
	assert_string_equal(S(t.rows[0].ref_station), "MZ01");
	assert_int_equal(t.rows[0].ref_line, 0);
	his_table_free(&t);

	/* Forced by the profile (gbk is a name for it); forcing utf-8 refuses. */
	struct his_profile *p = prof("[profile]\nencoding = gbk\n"
	                             "[charges]\npatient_id = 患者编号\nitem_code = 项目编码\n"
	                             "qty = 数量\namount = 金额\ndept = 科室\n");
	assert_int_equal(rd_n(gb, n, HIS_CHARGES, p, &t, &e), BULU_OK);
	assert_int_equal(t.used, TEXT_GB18030);
	assert_string_equal(S(t.rows[0].dept), "内科");
	his_table_free(&t);
	his_profile_free(p);
	p = prof("[charges]\nencoding = utf-8\npatient_id = 患者编号\nitem_code = 项目编码\n"
	         "qty = 数量\namount = 金额\n");
	assert_int_equal(rd_n(gb, n, HIS_CHARGES, p, &t, &e), BULU_BADINPUT);
	assert_non_null(strstr(e.msg, ":1: byte 0: not valid UTF-8"));
	assert_int_equal(t.n, 0);
	his_profile_free(p);

	/* NUL bytes are refused, in either encoding. */
	assert_int_equal(rd_n("patient_id\nP1\nP\0002\n", 17, HIS_REGISTRATIONS, NULL, &t, &e),
	                 BULU_BADINPUT);
	assert_msg(&e, csv_path, ":3: byte 15: a NUL byte (not a text file?)");
	assert_int_equal(t.n, 0);
	char *gbnul = malloc(n + 8);
	memcpy(gbnul, gb, n);
	memcpy(gbnul + n, "P,Y\0,1\n", 8);
	assert_int_equal(rd_n(gbnul, n + 8, HIS_CHARGES, NULL, &t, &e), BULU_BADINPUT);
	assert_msg(&e, csv_path, ":3: a NUL byte (not a text file?)");
	assert_int_equal(t.n, 0);
	free(gbnul);

	/* Bytes that are neither. */
	assert_int_equal(rd_n("patient_id\n\x81\x20\n", 14, HIS_REGISTRATIONS, NULL, &t, &e),
	                 BULU_BADINPUT);
	assert_non_null(strstr(e.msg, "neither UTF-8 nor GB18030"));
	free(gb);
}

/* ASCII for more than a chunk, then GB18030: the file is read again. */
static void test_gb18030_found_late(void **state)
{
	(void)state;
	buf b = BUF_INIT;
	buf_puts(&b, "patient_id,item_code,qty,amount,dept\n");
	for (int i = 0; i < 40000; i++)
		buf_printf(&b, "P%06d,Y0001,1,4.20,ward-%d\n", i, i % 7);
	size_t n;
	char *gb = to_gb("P1,Y2,1,1.00,内科\n", &n);
	buf_put(&b, gb, n);
	assert_true(b.len > (1u << 20) + 1000);
	struct his_table t;
	bulu_err e;
	assert_int_equal(rd_n(b.p, b.len, HIS_CHARGES, NULL, &t, &e), BULU_OK);
	assert_int_equal(t.used, TEXT_GB18030);
	assert_int_equal(t.n, 40001);
	assert_string_equal(S(t.rows[40000].dept), "内科");
	assert_int_equal(t.rows[40000].row, 40002);
	assert_string_equal(S(t.rows[39999].patient), "P039999");
	his_table_free(&t);

	/* The same from memory. */
	memset(&t, 0, sizeof t);
	assert_int_equal(his_read_mem("mem.csv", b.p, b.len, HIS_CHARGES, defprof, pool,
	                              &t, &e), BULU_OK);
	assert_int_equal(t.n, 40001);
	assert_string_equal(t.path, "mem.csv");
	his_table_free(&t);

	/* Forced UTF-8: an error naming the record and byte. */
	struct his_profile *p = prof("[charges]\nencoding = utf8\npatient_id = patient_id\n"
	                             "item_code = item_code\nqty = qty\namount = amount\n");
	assert_int_equal(rd_n(b.p, b.len, HIS_CHARGES, p, &t, &e), BULU_BADINPUT);
	char want[128];
	snprintf(want, sizeof want, ":40002: byte %zu: not valid UTF-8", b.len - n + 13);
	assert_msg(&e, csv_path, want);
	assert_int_equal(t.n, 0);
	his_profile_free(p);
	free(gb);
	buf_free(&b);
}

static void test_bom_crlf_blank_rows(void **state)
{
	(void)state;
	struct his_table t;
	rd_ok("\xef\xbb\xbf\r\n患者编号,科室,挂号费\r\nP1,内科,10.00\r\n\r\n,,\r\nP2,外科,\r\n",
	      HIS_REGISTRATIONS, NULL, &t, 2);
	assert_int_equal(t.used, TEXT_UTF8);
	assert_int_equal(t.rows[0].row, 3); /* blank first line counted */
	assert_int_equal(t.rows[1].row, 6);
	assert_string_equal(S(t.rows[0].patient), "P1");
	assert_int_equal(t.rows[0].amount, 1000);
	assert_int_equal(t.rows[1].amount, 0);
	his_table_free(&t);
}

static void test_registrations(void **state)
{
	(void)state;
	struct his_table t;
	rd_ok("流水号,患者编号,姓名,性别,科室,医生,挂号费,发生时间,操作员,发票号,备注\n"
	      "R1,P1,张三,男,内科,赵医生,10.00,2024-03-01 08:00:00,王芳,F001,BL-GH1-3\n"
	      "R2,P2,李四,女,儿科,钱医生,,2024-03-01 08:01:00,王芳,F002,\n",
	      HIS_REGISTRATIONS, NULL, &t, 2);
	assert_true(t.has[HF_SEX] && t.has[HF_DOCTOR] && t.has[HF_FEE]);
	assert_false(t.has[HF_ITEM_CODE] || t.has[HF_QTY]);
	assert_int_equal(t.rows[0].qty, 1);
	assert_string_equal(S(t.rows[0].item), "内科");
	assert_int_equal(t.rows[0].item, t.rows[0].dept);
	assert_int_equal(t.rows[0].amount, 1000);
	assert_int_equal(t.rows[0].ref_seq, 3);
	assert_int_equal(t.rows[1].amount, 0);
	assert_string_equal(S(t.rows[1].item), "儿科");
	assert_string_equal(S(t.rows[1].invoice), "F002");
	his_table_free(&t);
}

static void test_orders_dispenses(void **state)
{
	(void)state;
	struct his_table t;
	rd_ok("流水号,患者编号,项目编码,数量,发生时间,科室\nO1,P1,Y1,3,2024-03-01,内科\n",
	      HIS_ORDERS, NULL, &t, 1);
	assert_int_equal(t.rows[0].qty, 3);
	assert_int_equal(t.rows[0].amount, 0);
	his_table_free(&t);
	rd_ok("流水号,患者编号,项目编码,项目名称,数量,处方/请领单号,备注\n"
	      "D1,ZY001,Y1,阿莫西林,2,QL-0042,bl-ward_3-12-3\n",
	      HIS_DISPENSES, NULL, &t, 1);
	assert_true(t.has[HF_SOURCE_NO]);
	assert_string_equal(S(t.rows[0].source), "QL-0042");
	assert_string_equal(S(t.rows[0].ref_station), "ward_3");
	assert_int_equal(t.rows[0].ref_seq, 12);
	assert_int_equal(t.rows[0].ref_line, 3);
	his_table_free(&t);
	rd_bad("流水号,患者编号,数量\nO1,P1,3\n", HIS_ORDERS, NULL,
	       ":1: no column for item_code (profile default expects 项目编码|item_code)");
}

static void test_invoices(void **state)
{
	(void)state;
	struct his_table t;
	rd_ok("发票号,状态,金额,操作员,发生时间\n"
	      "F001,正常,10.00,王芳,2024-03-01 08:00:00\n"
	      "F002, 作废 ,,王芳,\n"
	      "F003,VOID,5,王芳,\n"
	      "F004,作废了,5,王芳,\n",
	      HIS_INVOICES, NULL, &t, 4);
	assert_string_equal(S(t.rows[0].invoice), "F001");
	assert_int_equal(t.rows[0].voided, 0);
	assert_int_equal(t.rows[0].amount, 1000);
	assert_int_equal(t.rows[0].qty, 0);
	assert_int_equal(t.rows[0].item, 0);
	assert_int_equal(t.rows[1].voided, 1);
	assert_int_equal(t.rows[1].amount, 0);
	assert_int_equal(t.rows[1].occurred, HIS_NO_TIME);
	assert_int_equal(t.rows[2].voided, 1);
	assert_int_equal(t.rows[3].voided, 0);
	his_table_free(&t);
	rd_bad("状态,金额\n正常,1\n", HIS_INVOICES, NULL,
	       ":1: no column for invoice_no (profile default expects 发票号|invoice_no)");
}

static void test_quoting_and_newlines(void **state)
{
	(void)state;
	struct his_table t;
	rd_ok("patient_id,item_code,item_name,qty,amount,ref\n"
	      "P1,Y1,\"0.9%氯化钠注射液, 250ml \"\"大\"\"\",1,4.20,\"第一行\n补录 BL-ZY2-15-1\n第三行\"\n"
	      "P2,Y2,\"a\nb\",1,1.00,\n",
	      HIS_CHARGES, NULL, &t, 2);
	assert_string_equal(S(t.rows[0].ref_station), "ZY2");
	assert_int_equal(t.rows[0].ref_seq, 15);
	assert_int_equal(t.rows[0].ref_line, 1);
	assert_int_equal(t.rows[0].row, 2);
	assert_int_equal(t.rows[1].row, 3); /* records, not lines */
	his_table_free(&t);
}

static void test_find_ref(void **state)
{
	(void)state;
	const char *st;
	size_t sn;
	int64_t seq;
	uint32_t line;
#define REF(s) his_find_ref(s, strlen(s), &st, &sn, &seq, &line)
	assert_int_equal(REF("BL-ST1-12"), 1);
	assert_int_equal(sn, 3);
	assert_memory_equal(st, "ST1", 3);
	assert_int_equal(seq, 12);
	assert_int_equal(line, 0);
	assert_int_equal(REF("bl-ST1-12-3"), 1);
	assert_memory_equal(st, "ST1", 3);
	assert_int_equal(seq, 12);
	assert_int_equal(line, 3);
	assert_int_equal(REF("补录BL-MZ01-7-2号"), 1);
	assert_int_equal(sn, 4);
	assert_memory_equal(st, "MZ01", 4);
	assert_int_equal(seq, 7);
	assert_int_equal(line, 2);
	assert_int_equal(REF("see (BL-a_b-000123), thanks"), 1);
	assert_int_equal(seq, 123);
	assert_int_equal(REF("BL-S-123456789012345678-123456789"), 1);
	assert_int_equal(seq, 123456789012345678LL);
	assert_int_equal(line, 123456789);
	assert_int_equal(REF("BL-S-12-"), 1); /* a trailing '-' is not a line */
	assert_int_equal(line, 0);
	/* The first well-formed one wins. */
	assert_int_equal(REF("XBL-1-2 BL-A-0 BL-B-5-6"), 1);
	assert_memory_equal(st, "B", 1);
	assert_int_equal(seq, 5);
	/* Refused. */
	assert_int_equal(REF("XBL-1-2"), 0);          /* glued to a letter */
	assert_int_equal(REF("1BL-1-2"), 0);          /* glued to a digit */
	assert_int_equal(REF("_BL-1-2"), 0);
	assert_int_equal(REF("BL-A-1x"), 0);          /* trailing letter */
	assert_int_equal(REF("BL-A-1_"), 0);
	assert_int_equal(REF("BL-A-0"), 0);           /* seq 0 */
	assert_int_equal(REF("BL-A-1-0"), 0);         /* line 0 */
	assert_int_equal(REF("BL-A-1-2x"), 0);
	assert_int_equal(REF("BL-A-1234567890123456789"), 0); /* 19 digits */
	assert_int_equal(REF("BL-A-1-1234567890"), 0);        /* 10-digit line */
	assert_int_equal(REF("BL--1"), 0);            /* no station */
	assert_int_equal(REF("BL-A.B-1"), 0);
	assert_int_equal(REF("BL-123456789012345678901234567890123-1"), 0); /* 33 */
	assert_int_equal(REF("BL-12345678901234567890123456789012-1"), 1);  /* 32 */
	assert_int_equal(REF("BL-A"), 0);
	assert_int_equal(REF("BL-A-"), 0);
	assert_int_equal(REF(""), 0);
	assert_int_equal(his_find_ref("BL-A-12", 6, &st, &sn, &seq, &line), 1);
	assert_int_equal(seq, 1); /* bounded by len */
#undef REF
}

/* ---- profiles: other HIS ---- */

static void test_custom_profile(void **state)
{
	(void)state;
	struct his_profile *p = prof(
		"# a second HIS\n"
		"; also a comment\n"
		"[profile]\n"
		"name = other-his   # shown in reports\n"
		"money_unit = fen\n"
		"date_format = YYYYMMDDhhmmss\n"
		"timezone = +08:00\n"
		"void_status = CANCELLED | X\n"
		"\n"
		"[charges]\n"
		"his_id = SerialNo\n"
		"patient_id = PatNo | CardNo\n"
		"item_code = ItemCode\n"
		"qty = Qty\n"
		"amount = Fee\n"
		"occurred_at = ChargeTime\n"
		"entered_at = EntryTime\n"
		"ref = Memo\n"
		"[invoices]\n"
		"date_format = DD.MM.YYYY hh:mm\n"
		"timezone = UTC\n"
		"invoice_no = InvNo\n"
		"status = State\n"
		"amount = Total\n"
		"occurred_at = Printed\n");
	assert_string_equal(his_profile_name(p), "other-his");
	struct his_table t;
	rd_ok("CardNo,ItemCode,Qty,Fee,ChargeTime,EntryTime,Memo,SerialNo\n"
	      "C1,Y1,2,840,20240301180000,20240302083000,BL-MZ1-9,S1\n",
	      HIS_CHARGES, p, &t, 1);
	assert_string_equal(S(t.rows[0].patient), "C1");
	assert_int_equal(t.rows[0].amount, 840);
	assert_int_equal(t.rows[0].occurred, MAR1 + 10 * 3600); /* 18:00 at +08:00 */
	assert_int_equal(t.rows[0].entered, MAR1 + 86400 + 30 * 60);
	his_table_free(&t);
	rd_ok("InvNo,State,Total,Printed\nF1,cancelled,1200,01.03.2024 10:00\nF2,ok,5,\n",
	      HIS_INVOICES, p, &t, 2);
	assert_int_equal(t.rows[0].voided, 1);
	assert_int_equal(t.rows[0].amount, 1200);
	assert_int_equal(t.rows[0].occurred, MAR1 + 10 * 3600); /* UTC for invoices */
	assert_int_equal(t.rows[1].voided, 0);
	his_table_free(&t);
	rd_bad("CardNo,ItemCode,Qty,Fee\nC1,Y1,1,8.40\n", HIS_CHARGES, p,
	       ":2:4: Fee \"8.40\" is not money in fen (a whole number)");
	rd_bad("InvNo,State,Total,Printed\nF1,ok,1,2024-03-01 10:00\n", HIS_INVOICES, p,
	       ":2:4: Printed \"2024-03-01 10:00\" does not match the date_format");
	rd_bad("PatNo,ItemCode,Qty\nC1,Y1,1\n", HIS_CHARGES, p,
	       ":1: no column for amount or unit_price (profile other-his expects Fee)");
	/* A kind the profile does not describe. */
	rd_bad("a\n1\n", HIS_ORDERS, p, ": profile other-his has no [orders] section");
	his_profile_free(p);
	/* Without a name line the profile is named after its file. */
	p = prof("[registrations]\npatient_id = p\n");
	assert_string_equal(his_profile_name(p), "his");
	his_profile_free(p);
}

static void test_date_auto_variants(void **state)
{
	(void)state;
	static const struct {
		const char *cell;
		long long want;
	} v[] = {
		{"2024-03-01 10:00:00", MAR1 + 36000},
		{"2024-03-01 10:00", MAR1 + 36000},
		{"2024-03-01  10:00", MAR1 + 36000},
		{"2024/3/1 9:05", MAR1 + 9 * 3600 + 300},
		{"2024/3/1 9:05:07", MAR1 + 9 * 3600 + 307},
		{"2024/03/01 09:05:07", MAR1 + 9 * 3600 + 307},
		{"2024-03-01T10:00:00", MAR1 + 36000},
		{"2024-03-01T10:00:00Z", MAR1 + 36000},
		{"2024-03-01T18:00:00+08:00", MAR1 + 36000},
		{"2024-03-01T18:00+0800", MAR1 + 36000},
		{"2024-03-01T05:00:00-05", MAR1 + 36000},
		{"2024-03-01T15:30+05:30", MAR1 + 36000},
		{"2024-03-01 10:00:00.250", MAR1 + 36000},
		{"2024-03-01", MAR1},
		{"2024-02-29 12:00:00", 1709208000},
		{"1999-12-31 23:59:59", 946684799},
	};
	buf b = BUF_INIT;
	buf_puts(&b, "patient_id,occurred_at\n");
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		buf_printf(&b, "P,%s\n", v[i].cell);
	struct his_table t;
	rd_ok(b.p, HIS_REGISTRATIONS, NULL, &t, sizeof v / sizeof v[0]);
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		if (t.rows[i].occurred != v[i].want)
			fail_msg("%s: got %lld want %lld", v[i].cell, (long long)t.rows[i].occurred,
			         v[i].want);
	his_table_free(&t);
	buf_free(&b);

	static const char *const bad[] = {
		"2024-02-30 10:00:00", "2023-02-29", "2024-13-01", "2024-00-10",
		"2024-03-01 24:00:00", "2024-03-01 10:60", "2024-03-01 10:00:60",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char csv[128], want[160];
		snprintf(csv, sizeof csv, "patient_id,发生时间\nP,%s\n", bad[i]);
		snprintf(want, sizeof want, ":2:2: 发生时间 \"%s\" is not a real %s", bad[i],
		         i < 4 ? "date" : "time of day");
		rd_bad(csv, HIS_REGISTRATIONS, NULL, want);
	}
	static const char *const junk[] = {
		"yesterday", "2024-03-01 10", "2024-3-01/10", "2024-03-01T10:00:00+8",
		"2024-03-01 10:00:00 +08:00", "24-03-01", "2024-03-01 10:00:00.",
		"2024-03-01T10:00:00+15:00",
	};
	for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
		char csv[128], want[200];
		snprintf(csv, sizeof csv, "patient_id,发生时间\nP,%s\n", junk[i]);
		snprintf(want, sizeof want,
		         ":2:2: 发生时间 \"%s\" is not a time (YYYY-MM-DD hh:mm:ss, "
		         "YYYY/M/D h:mm, ISO-8601 or a date)", junk[i]);
		rd_bad(csv, HIS_REGISTRATIONS, NULL, want);
	}
}

static void test_date_patterns(void **state)
{
	(void)state;
	struct his_profile *p = prof("[profile]\ndate_format = YYYY年M月D日 h:mm\ntimezone = UTC\n"
	                             "[registrations]\npatient_id = p\noccurred_at = t\n");
	struct his_table t;
	rd_ok("p,t\nA,2024年3月1日 9:05\nB,2024年12月31日 23:59\n", HIS_REGISTRATIONS, p, &t, 2);
	assert_int_equal(t.rows[0].occurred, MAR1 + 9 * 3600 + 300);
	assert_int_equal(t.rows[1].occurred, 1735689540);
	his_table_free(&t);
	rd_bad("p,t\nA,2024年2月30日 9:05\n", HIS_REGISTRATIONS, p,
	       ":2:2: t \"2024年2月30日 9:05\" is not a real date");
	his_profile_free(p);
	p = prof("[registrations]\ndate_format = DD.MM.YYYY hh:mm\ntimezone = -05:30\n"
	         "patient_id = p\noccurred_at = t\n");
	rd_ok("p,t\nA,01.03.2024 04:30\n", HIS_REGISTRATIONS, p, &t, 1);
	assert_int_equal(t.rows[0].occurred, MAR1 + 10 * 3600);
	his_table_free(&t);
	rd_bad("p,t\nA,1.03.2024 04:30\n", HIS_REGISTRATIONS, p,
	       ":2:2: t \"1.03.2024 04:30\" does not match the date_format");
	his_profile_free(p);
}

static void test_timezones(void **state)
{
	(void)state;
	const char *csv = "patient_id,occurred_at\nA,2024-03-01 18:00:00\nB,2024-03-01T10:00:00Z\n"
	                  "C,2024-03-01T12:00:00+02:00\n";
	struct his_table t;
	struct his_profile *p = prof("[profile]\ntimezone = +08:00\n[registrations]\n"
	                             "patient_id = patient_id\noccurred_at = occurred_at\n");
	rd_ok(csv, HIS_REGISTRATIONS, p, &t, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(t.rows[i].occurred, MAR1 + 36000);
	his_table_free(&t);
	his_profile_free(p);

	/* local: the machine's zone (here China Standard Time, no DST). */
	set_tz("CST-8");
	rd_ok(csv, HIS_REGISTRATIONS, NULL, &t, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(t.rows[i].occurred, MAR1 + 36000);
	his_table_free(&t);

	/* A zone with a daylight-saving switch on 2024-03-10 at 02:00. */
	set_tz("EST5EDT,M3.2.0,M11.1.0");
	rd_ok("patient_id,occurred_at\nA,2024-03-10 01:30\nB,2024-03-10 03:30\n"
	      "C,2024-03-10 01:30\nD,2024-03-09 12:00\nE,2024-03-11 12:00\n",
	      HIS_REGISTRATIONS, NULL, &t, 5);
	assert_int_equal(t.rows[0].occurred, 1710052200); /* 06:30Z, EST */
	assert_int_equal(t.rows[1].occurred, 1710055800); /* 07:30Z, EDT */
	assert_int_equal(t.rows[2].occurred, 1710052200);
	assert_int_equal(t.rows[3].occurred, 1710072000 - 86400 + 5 * 3600);
	assert_int_equal(t.rows[4].occurred, 1710072000 + 86400 + 4 * 3600);
	his_table_free(&t);
	set_tz("UTC0");
}

/* ---- errors ---- */

static void test_cell_errors(void **state)
{
	(void)state;
	rd_bad(HDR "H1,P001,张三,Y1,x,1,,1.00,,,,,,\n"
	           "H2,P002,李四,Y1,x,1,,abc,,,,,,\n",
	       HIS_CHARGES, NULL, ":3:8: 金额 \"abc\" is not money in yuan");
	rd_bad(HDR "H2,P002,李四,Y1,x,1,,\"1,23.00\",,,,,,\n",
	       HIS_CHARGES, NULL, ":2:8: 金额 \"1,23.00\" is not money in yuan");
	rd_bad(HDR "H2,P002,李四,Y1,x,1,12.345,,,,,,,\n",
	       HIS_CHARGES, NULL, ":2:7: 单价 \"12.345\" is not money in yuan");
	rd_bad(HDR "H2,P002,李四,Y1,x,1,,,,,,,,\n",
	       HIS_CHARGES, NULL, ":2:8: 金额 and 单价 are empty");
	rd_bad("patient_id,item_code,qty,amount\nP,Y,1,\n",
	       HIS_CHARGES, NULL, ":2:4: amount is empty");
	rd_bad(HDR "H2,P002,李四,Y1,x,1,,1.00,2024-02-30 10:00:00,,,,,\n",
	       HIS_CHARGES, NULL, ":2:9: 发生时间 \"2024-02-30 10:00:00\" is not a real date");
	rd_bad(HDR "H2,P002,李四,Y1,x,1,,1.00,,\"2024-03-01\n10:00\",,,,\n",
	       HIS_CHARGES, NULL,
	       ":2:10: 录入时间 \"2024-03-01?10:00\" is not a time (YYYY-MM-DD hh:mm:ss, "
	       "YYYY/M/D h:mm, ISO-8601 or a date)");
	/* Long cells are cut at 40 bytes, on a character boundary. */
	rd_bad("patient_id,item_code,qty,amount\nP,Y,1,一二三四五六七八九十一二三四五六七八九十\n",
	       HIS_CHARGES, NULL,
	       ":2:4: amount \"一二三四五六七八九十一二三...\" is not money in yuan");
	rd_bad("patient_id,item_code,qty,unit_price\nP,Y,9223372036854775807,2\n",
	       HIS_CHARGES, NULL, ":2:4: quantity times unit_price is too large");
}

static void test_structure_errors(void **state)
{
	(void)state;
	rd_bad("姓名,项目编码,数量,金额\n张三,Y1,1,1\n", HIS_CHARGES, NULL,
	       ":1: no column for patient_id (profile default expects 患者编号|patient_id)");
	rd_bad("\n\n姓名,项目编码,数量,金额\n", HIS_CHARGES, NULL,
	       ":3: no column for patient_id (profile default expects 患者编号|patient_id)");
	rd_bad("患者编号,项目编码,数量\nP,Y,1\n", HIS_CHARGES, NULL,
	       ":1: no column for amount or unit_price (profile default expects "
	       "金额|amount or 单价|unit_price)");
	rd_bad("患者编号,数量,项目编码,数量,金额\n", HIS_CHARGES, NULL,
	       ":1:4: column \"数量\" given twice (also column 2)");
	rd_bad("患者编号,qty,项目编码,QTY ,金额\n", HIS_CHARGES, NULL,
	       ":1:4: column \"QTY\" given twice (also column 2)");
	struct his_profile *p = prof("[charges]\npatient_id = 编号\nitem_code = 编号|code\n"
	                             "qty = n\namount = a\n");
	rd_bad("编号,n,a\n", HIS_CHARGES, p,
	       ":1:1: column \"编号\" is both patient_id and item_code in profile his");
	his_profile_free(p);
	/* Unknown and duplicate unknown columns are fine. */
	struct his_table t;
	rd_ok("x,患者编号,x,项目编码,数量,金额,,\nu,P,v,Y,1,1,,\n", HIS_CHARGES, NULL, &t, 1);
	his_table_free(&t);
	rd_bad("患者编号,项目编码,数量,金额\nP,Y,1,1\n张三的,Y\n", HIS_CHARGES, NULL,
	       ":3: 2 fields, the header has 4");
	rd_bad("患者编号,项目编码,数量,金额\nP,Y,1,1,,张三\n", HIS_CHARGES, NULL,
	       ":2:6: a field beyond the header's 4 columns");
	rd_ok("患者编号,项目编码,数量,金额\nP,Y,1,1,,\n", HIS_CHARGES, NULL, &t, 1);
	his_table_free(&t);
	rd_bad("患者编号,项目编码,数量,金额\nP,Y\"x\",1,1\n", HIS_CHARGES, NULL,
	       ":2:2: malformed CSV: a quote inside an unquoted field, or text after a "
	       "closing quote");
	rd_bad("患者编号,项目编码,数量,金额\nP,\"Y,1,1\n", HIS_CHARGES, NULL,
	       ":2: malformed CSV: quoted field not closed before end of file");
	rd_bad("", HIS_CHARGES, NULL, ":1: no header row (the file is empty)");
	rd_bad("\n\n", HIS_CHARGES, NULL, ":1: no header row (the file is empty)");
	rd_bad("患者编号,项目编码,数量,金额\nP,Y,1,1\nP,Y,1,\n", HIS_CHARGES, NULL,
	       ":3:4: 金额 is empty");

	/* A missing file. */
	memset(&t, 0, sizeof t);
	bulu_err e;
	char missing[700];
	snprintf(missing, sizeof missing, "%s/nope.csv", dir);
	assert_int_equal(his_read(missing, HIS_CHARGES, defprof, pool, &t, &e), BULU_BADINPUT);
	assert_non_null(strstr(e.msg, "nope.csv: No such file"));
	assert_int_equal(t.n, 0);
}

/* Messages never carry patient ids or names. */
static void test_no_patient_data_in_messages(void **state)
{
	(void)state;
	struct his_table t;
	bulu_err e;
	static const char *const csvs[] = {
		HDR "H1,SECRETID,SECRETNAME,Y1,x,1,,bad,,,,,,\n",
		HDR "H1,SECRETID,SECRETNAME,Y1\n",
		HDR "H1,SECRETID,SECRETNAME,Y1,x,1,,1,,,,,,,SECRET\n",
		HDR "H1,SECRETID,SECRETNAME\"x\",Y1,x,1,,1,,,,,,\n",
		HDR "H1,SECRETID,SECRETNAME,Y1,x,,,1,,,,,,\n",
	};
	for (size_t i = 0; i < sizeof csvs / sizeof csvs[0]; i++) {
		assert_int_equal(rd(csvs[i], HIS_CHARGES, NULL, &t, &e), BULU_BADINPUT);
		assert_null(strstr(e.msg, "SECRET"));
		assert_int_equal(t.n, 0);
	}
}

static void test_profile_errors(void **state)
{
	(void)state;
	prof_bad("[charges]\nqty 数量\n",
	         ":2:1: expected \"key = value\", \"[section]\" or a comment");
	prof_bad("[chargez]\n",
	         ":1:2: unknown section [chargez] (known: profile, registrations, charges, "
	         "orders, dispenses, invoices, routing)");
	prof_bad("[routing]\nprescription = @nobody\n",
	         ":2:16: a destination is a department's name, @captured or @role:ROLE");
	prof_bad("[routing]\nprescription = 收费处, \n",
	         ":2:20: a destination is a department's name, @captured or @role:ROLE");
	prof_bad("[routing]\nlab = 检验科\n",
	         ":2:1: unknown key \"lab\" in [routing] (a journal kind: registration, charge, "
	         "prescription, order, requisition, dispense, exam, ward_charge; or KIND.why)");
	prof_bad("[routing]\nexam = @captured\nexam = 放射科\n",
	         ":3:1: \"exam\" given twice (also line 2)");
	prof_bad("[routing]\n[routing]\n", ":2:2: section given twice (also line 1)");
	prof_bad("[charges\n", ":1:1: section header without ']'");
	prof_bad("[charges] x\n", ":1:11: text after a section header");
	prof_bad("[charges]\n[orders]\n[charges]\n", ":3:2: section given twice (also line 1)");
	prof_bad("[charges]\npatient_id = p\nfoo = x\n",
	         ":3:1: unknown key \"foo\" in [charges] (see docs/his-profiles.md)");
	prof_bad("[charges]\n  fee = 挂号费\n",
	         ":2:3: unknown key \"fee\" in [charges] (see docs/his-profiles.md)");
	prof_bad("[profile]\nqty = 数量\n",
	         ":2:1: unknown key \"qty\" in [profile] (see docs/his-profiles.md)");
	prof_bad("[charges]\nname = x\n",
	         ":2:1: unknown key \"name\" in [charges] (see docs/his-profiles.md)");
	prof_bad("[charges]\nqty = 数量\nqty = n\n", ":3:1: \"qty\" given twice (also line 2)");
	prof_bad("[charges]\nqty =\n", ":2:6: \"qty\" has no value");
	prof_bad("[charges]\nqty =   # nothing\n", ":2:9: \"qty\" has no value");
	prof_bad("qty = 数量\n", ":1:1: \"qty\" before any [section]");
	prof_bad("[charges]\n = 数量\n", ":2:2: no key before '='");
	/* Columns count characters, not bytes. */
	prof_bad("[charges]\npatient_id = 患者编号||x\n", ":2:19: empty header name in a '|' list");
	prof_bad("[charges]\npatient_id = 患者编号|\n", ":2:19: empty header name in a '|' list");
	prof_bad("[profile]\nencoding = latin1\n",
	         ":2:12: encoding must be auto, utf-8, gb18030, gbk or gb2312");
	prof_bad("[profile]\nmoney_unit = jiao\n", ":2:14: money_unit must be yuan or fen");
	prof_bad("[profile]\ntimezone = +25:00\n",
	         ":2:12: timezone must be outage, local, UTC, or an offset such as +08:00 or -05:30");
	prof_bad("[profile]\ntimezone = Asia/Shanghai\n",
	         ":2:12: timezone must be outage, local, UTC, or an offset such as +08:00 or -05:30");
	prof_bad("[profile]\ndate_format = YY-MM-DD\n",
	         ":2:15: a year is written YYYY (tokens: YYYY MM M DD D hh h mm ss)");
	prof_bad("[profile]\ndate_format = YYYY-MM\n",
	         ":2:15: date_format must have a year (YYYY), a month (MM or M) and a day "
	         "(DD or D) (tokens: YYYY MM M DD D hh h mm ss)");
	prof_bad("[profile]\ndate_format = YYYY-MM-DD h:m\n",
	         ":2:15: minutes and seconds are written mm and ss (tokens: YYYY MM M DD D "
	         "hh h mm ss)");
	prof_bad("[profile]\ndate_format = YYYY-MM-DD mm:ss\n",
	         ":2:15: date_format has minutes without hours, or seconds without minutes "
	         "(tokens: YYYY MM M DD D hh h mm ss)");
	prof_bad("[profile]\ndate_format = YYYY-MM-DD-DD\n",
	         ":2:15: a part of the date or time is given twice in date_format (tokens: "
	         "YYYY MM M DD D hh h mm ss)");
	prof_bad("[profile]\nvoid_status = a||b\n", ":2:17: empty value in a '|' list");
	prof_bad("[charges]\nqty = 数量\n", ":1: [charges] maps no patient_id (required)");
	prof_bad("[dispenses]\npatient_id = p\nqty = q\n",
	         ":1: [dispenses] maps no item_code (required)");
	prof_bad("[charges]\npatient_id = a\nitem_code = b\nqty = c\n",
	         ":1: [charges] maps neither amount nor unit_price (one is required)");
	prof_bad("[profile]\nname = \xff\n", ":2:8: not valid UTF-8 (a profile is UTF-8 text)");

	/* Accepted: BOM, CRLF, case-insensitive keys and sections, spaces. */
	struct his_profile *p = prof("\xef\xbb\xbf[ Profile ]\r\nNAME = x\r\n"
	                             "[CHARGES]\r\n\tPatient_ID\t=\tp # c\r\nitem_code=i\r\n"
	                             "qty=q#1\r\nunit_price = u\r\n");
	assert_string_equal(his_profile_name(p), "x");
	struct his_table t;
	rd_ok("p,i,q#1,u\nA,B,2,1.50\n", HIS_CHARGES, p, &t, 1);
	assert_int_equal(t.rows[0].amount, 300);
	his_table_free(&t);
	his_profile_free(p);

	/* A missing profile file. */
	bulu_err e;
	char missing[700];
	snprintf(missing, sizeof missing, "%s/nope.profile", dir);
	assert_int_equal(his_profile_load(missing, &p, &e), BULU_BADINPUT);
	assert_null(p);
	assert_non_null(strstr(e.msg, "nope.profile"));
}

/* The worked example of docs/his-profiles.md: tests/data/his/. */
static void test_medisoft_fixture(void **state)
{
	(void)state;
	struct his_profile *p = NULL;
	bulu_err e;
	assert_int_equal(his_profile_load("tests/data/his/medisoft.profile", &p, &e), BULU_OK);
	assert_string_equal(his_profile_name(p), "medisoft");
	struct his_table t;
	memset(&t, 0, sizeof t);
	int rc = his_read("tests/data/his/medisoft-charges.csv", HIS_CHARGES, p, pool, &t, &e);
	if (rc != BULU_OK)
		fail_msg("%s", e.msg);
	assert_int_equal(t.n, 3);
	assert_int_equal(t.used, TEXT_GB18030);
	const struct his_row *r = t.rows;
	assert_string_equal(his_text(&t, r[0].his_id), "900001");
	assert_string_equal(S(r[0].patient), "0012345");
	assert_string_equal(S(r[0].item), "Y0002");
	assert_string_equal(S(r[0].dept), "门诊收费");
	assert_string_equal(S(r[0].operator_), "王芳");
	assert_int_equal(r[0].qty, 2);
	assert_int_equal(r[0].amount, 840);
	assert_int_equal(r[0].occurred, 1795134600); /* 2026-11-20 08:30 +08:00 */
	assert_int_equal(r[0].entered, 1795179900);
	assert_string_equal(S(r[0].ref_station), "C01");
	assert_int_equal(r[0].ref_seq, 12);
	assert_int_equal(r[0].ref_line, 1);
	assert_int_equal(r[1].amount, 2500); /* empty Fee: 1 x 2500 fen */
	assert_int_equal(r[1].entered, HIS_NO_TIME);
	assert_int_equal(r[2].qty, -1);
	assert_int_equal(r[2].amount, -1850);
	assert_int_equal(r[2].row, 4);
	his_table_free(&t);
	rc = his_read("tests/data/his/medisoft-invoices.csv", HIS_INVOICES, p, pool, &t, &e);
	if (rc != BULU_OK)
		fail_msg("%s", e.msg);
	assert_int_equal(t.n, 2);
	assert_int_equal(t.rows[0].voided, 0);
	assert_int_equal(t.rows[0].amount, 3340);
	assert_int_equal(t.rows[0].occurred, 1795135560);
	assert_int_equal(t.rows[1].voided, 1);
	his_table_free(&t);
	his_profile_free(p);
}

/* ---- volume and stdin ---- */

/* Files of more than a chunk are converted on a second thread (with two
 * CPUs): the error reported is still the first one, by row. */
static void test_errors_in_large_files(void **state)
{
	(void)state;
	static const struct {
		int bad_money, ragged; /* rows (0: none) */
		const char *want;
	} v[] = {
		{90000, 0, ":90000:4: amount \"x\" is not money in yuan"},
		{0, 90000, ":90000: 2 fields, the header has 4"},
		{5000, 90000, ":5000:4: amount \"x\" is not money in yuan"},
		{90000, 5000, ":5000: 2 fields, the header has 4"},
		{3, 0, ":3:4: amount \"x\" is not money in yuan"},
		{99999, 0, ":99999:4: amount \"x\" is not money in yuan"},
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		buf b = BUF_INIT;
		buf_puts(&b, "patient_id,item_code,qty,amount\n");
		for (int row = 2; row <= 100000; row++) {
			if (row == v[i].bad_money)
				buf_printf(&b, "P%d,Y1,1,x\n", row);
			else if (row == v[i].ragged)
				buf_printf(&b, "P%d,Y1\n", row);
			else
				buf_printf(&b, "P%d,Y1,1,1.00\n", row);
		}
		assert_true(b.len > (1u << 20));
		struct his_table t;
		bulu_err e;
		assert_int_equal(rd_n(b.p, b.len, HIS_CHARGES, NULL, &t, &e), BULU_BADINPUT);
		assert_msg(&e, csv_path, v[i].want);
		assert_int_equal(t.n, 0);
		assert_null(t.rows);
		buf_free(&b);
	}
}


static void test_200k_rows(void **state)
{
	(void)state;
	buf b = BUF_INIT;
	buf_puts(&b, HDR);
	for (int i = 1; i <= 200000; i++)
		buf_printf(&b, "H%07d,P%05d,患者%d,Y%03d,\"药, %d\",%d,%d.%02d,,"
		               "2024-03-%02d %02d:%02d:%02d,,op%d,INV%06d,科%d,%s\n",
		           i, i % 5000, i % 5000, i % 300, i % 300, i % 5 + 1, i % 100, i % 100,
		           i % 28 + 1, i % 24, i % 60, (i * 7) % 60, i % 9, i / 3, i % 11,
		           i % 2 ? "BL-MZ01-1-1" : "");
	struct his_table t;
	bulu_err e;
	assert_int_equal(rd_n(b.p, b.len, HIS_CHARGES, NULL, &t, &e), BULU_OK);
	assert_int_equal(t.n, 200000);
	for (size_t j = 0; j < t.n; j += 9973) {
		int i = (int)j + 1;
		const struct his_row *r = &t.rows[j];
		char want[32];
		snprintf(want, sizeof want, "H%07d", i);
		assert_string_equal(his_text(&t, r->his_id), want);
		assert_int_equal(r->row, (uint32_t)i + 1);
		assert_int_equal(r->qty, i % 5 + 1);
		assert_int_equal(r->amount, (int64_t)(i % 5 + 1) * ((i % 100) * 100 + i % 100));
		assert_int_equal(r->occurred, MAR1 + (int64_t)(i % 28) * 86400 + (i % 24) * 3600 +
		                 (i % 60) * 60 + (i * 7) % 60);
		assert_int_equal(r->ref_seq, i % 2 ? 1 : 0);
	}
	for (size_t j = 0; j < t.n; j++)
		assert_int_equal(t.rows[j].row, j + 2); /* every row, in order */
	his_table_free(&t);
	buf_free(&b);
}

/*
 * The UTF-8 path splits most lines itself and hands the rest to libcsv
 * (his.c, feed_fast); the GB18030 path gives every byte to libcsv.  On
 * ASCII, which both encodings read alike, the two must agree on every row,
 * every field and every error message.
 */
#define FAST_HDR "id,patient,item,qty,amount,dept,ref\n"
#define FAST_PROF(enc) "[charges]\nencoding = " enc "\nhis_id = id\npatient_id = patient\n" \
	"item_code = item\nqty = qty\namount = amount\ndept = dept\nref = ref\n"

static void same_both_n(const char *csv, size_t n)
{
	struct his_profile *pu = prof(FAST_PROF("utf-8"));
	struct his_table a, b;
	bulu_err ea, eb;
	int ra = rd_n(csv, n, HIS_CHARGES, pu, &a, &ea);
	his_profile_free(pu);
	struct his_profile *pg = prof(FAST_PROF("gb18030"));
	int rb = rd_n(csv, n, HIS_CHARGES, pg, &b, &eb);
	his_profile_free(pg);
	if (ra != rb || (ra != BULU_OK && strcmp(ea.msg, eb.msg) != 0))
		fail_msg("fast path %d \"%s\", libcsv %d \"%s\"", ra, ra ? ea.msg : "",
		         rb, rb ? eb.msg : "");
	assert_int_equal(a.n, b.n);
	for (size_t i = 0; i < a.n; i++) {
		const struct his_row *x = &a.rows[i], *y = &b.rows[i];
		assert_string_equal(his_text(&a, x->his_id), his_text(&b, y->his_id));
		assert_int_equal(x->row, y->row);
		assert_int_equal(x->patient, y->patient);
		assert_int_equal(x->item, y->item);
		assert_int_equal(x->qty, y->qty);
		assert_int_equal(x->amount, y->amount);
		assert_int_equal(x->dept, y->dept);
		assert_int_equal(x->ref_station, y->ref_station);
		assert_int_equal(x->ref_seq, y->ref_seq);
		assert_int_equal(x->ref_line, y->ref_line);
	}
	his_table_free(&a);
	his_table_free(&b);
}

static void same_both(const char *body)
{
	buf b = BUF_INIT;
	buf_puts(&b, FAST_HDR);
	buf_puts(&b, body);
	same_both_n(b.p, b.len);
	buf_free(&b);
}

static void test_fast_path_is_libcsv(void **state)
{
	(void)state;
	static const char *const cases[] = {
		"1,P1,Y1,1,1.00,D, x \n",
		"2, \"P2\" ,Y1,1,1.00,D,x\n",
		"3,\"\",Y1,1,1.00,D,\"a,b\"\n",
		"4,P1,Y1,1,1.00,D,x\n   \n\n\t\n5,P1,Y1,1,1.00,D,x\n",
		"6,P1,Y1,1,1.00,D,x\r\n7,P1,Y1,1,1.00,D,x\r\n",
		"8,\"a\"\"b\",Y1,1,1.00,D,\"x\ny BL-C1-2-3\"\n9,P1,Y1,1,1.00,D,z\n",
		"10,P1,Y\"1,1,1.00,D,\n",
		"11,\"P1\"x,Y1,1,1.00,D,\n",
		"12,P1,\"Y1,1,1.00,D,\n",
		"13,P9,Y1,1,1.00,D,z",
		"14,P1,Y1\n",
		"15,P1,Y1,1,1.00,D,r,extra\n",
		"16,P1,Y1,1,1.00,D,r,,\n",
		"17,\tP1\t,Y1 ,1,1.00,D,\t\n",
		"18,\"P1\"  ,Y1,1,1.00,D,\"q\"\t\n",
		"19,\"P1\" \"x\",Y1,1,1.00,D,\n",
		"20,P1,Y1,1,1.00,D,a\r21,P2,Y1,1,1.00,D,b\n",
		"22,P1,Y1,1,1.00,D,\"\"\"BL-C1-9\"\"\"\n",
		"23,P1,Y1,1,1.00,D,\"a\r\nb\"\r\n24,P1,Y1,1,1.00,D,\"\"\n",
		" , , , , , , \n",
		",,,,,,\n",
		"25,P1,Y1,x,1.00,D,\n",
		"26,P1,Y1,1,1.00,D,\"open\n27,P1,Y1,1,1.00,D,\n",
		"28,P1,Y1,1,1.00,D,\"\"\"\n",
		"\"29\",\"P1\",\"Y1\",\"1\",\"1.00\",\"D\",\"\"\n",
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		same_both(cases[i]);
	/* a header with quotes and spaces */
	const char *qh = "\"id\", patient ,\"item\",qty,amount,dept,ref\n1,P1,Y1,1,1.00,D,\n";
	same_both_n(qh, strlen(qh));

	/* Megabytes of lines of every sort, so that lines and quoted fields
	 * straddle the chunks (256 KiB from a file); then the same with a fault
	 * near the end. */
	static const char *const pat[] = {"P1", " P2 ", "\"P3\"", "\"P,4\"", "\"P\"\"5\"", "", "\"\"", "\t"};
	static const char *const rem[] = {"", "BL-C1-5-1", "\"x, BL-C2-7\"", "\"a\nb\"", "\"a\r\nb\"", " r ",
	                                  "\"q\"\"\"", "\"" "................................................"
	                                  "................................................\""};
	static const char *const eol[] = {"\n", "\r\n", "\n\n", "\n  \n", "\r"};
	buf b = BUF_INIT;
	buf_puts(&b, FAST_HDR);
	uint32_t x = 12345;
	for (int i = 0; b.len < (3u << 20); i++) {
		x = x * 1103515245u + 12345u;
		buf_printf(&b, "%d,%s,Y%u,%u,%u.%02u,D%u,%s%s", i, pat[(x >> 8) % 8], (x >> 11) % 5,
		           1 + (x >> 14) % 3, (x >> 16) % 100, (x >> 20) % 100, (x >> 24) % 3,
		           rem[(x >> 4) % 8], eol[(x >> 27) % 16 < 12 ? 0 : (x >> 27) % 5]);
	}
	same_both_n(b.p, b.len);
	buf_puts(&b, "1,P1,Y\"1,1,1.00,D,\n2,P1,Y1,1,1.00,D,\n");
	same_both_n(b.p, b.len);
	buf_free(&b);
}

/*
 * reconcile/ledger_json.c reads the ledger's bodies with a scanner of its
 * own and hands whatever it is not sure of to cJSON: every body must give
 * what cJSON alone gives (the fields ledger_load.c reads), and be refused
 * exactly when cJSON refuses it.
 */
static void cj_expect(const cJSON *v, const struct lj_val *got)
{
	if (cJSON_IsString(v) && v->valuestring) {
		assert_int_equal(got->type, LJ_STR);
		assert_string_equal(got->s, v->valuestring);
	} else if (cJSON_IsNumber(v)) {
		assert_int_equal(got->type, LJ_NUM);
		assert_int_equal(got->num, (int64_t)v->valuedouble);
	} else {
		assert_int_equal(got->type, v ? LJ_OTHER : LJ_NONE);
	}
}

static void same_as_cjson(struct lj_body *b, const char *s, size_t n)
{
	static const char *const top[LJ_NTOP] = {"patient_id", "patient_name", "dept", "invoice_no",
	                                         "request_no", "occurred_at", "ref", "fee", "card_no",
	                                         "total", "outside_episode_reason"};
	static const char *const line[LJL_N] = {"line", "code", "name", "qty", "amount"};
	int rc = lj_parse(b, s, n);
	cJSON *j = cJSON_ParseWithLength(s, n);
	if (!cJSON_IsObject(j)) {
		if (rc != -1)
			fail_msg("cJSON refuses %.*s, lj_parse gave %d", (int)n, s, rc);
		cJSON_Delete(j);
		return;
	}
	if (rc != 0)
		fail_msg("cJSON reads %.*s, lj_parse gave %d", (int)n, s, rc);
	for (int i = 0; i < LJ_NTOP; i++)
		cj_expect(cJSON_GetObjectItemCaseSensitive(j, top[i]), &b->top[i]);
	const cJSON *lines = cJSON_GetObjectItemCaseSensitive(j, "lines"), *l;
	size_t k = 0;
	if (cJSON_IsArray(lines) && cJSON_GetArraySize(lines) > 0) {
		cJSON_ArrayForEach(l, lines) {
			assert_true(k < b->nlines);
			for (int i = 0; i < LJL_N; i++)
				cj_expect(cJSON_GetObjectItemCaseSensitive(l, line[i]), &b->lines[k][i]);
			k++;
		}
	}
	assert_int_equal(b->nlines, k);
	cJSON_Delete(j);
}

static void test_ledger_json(void **state)
{
	(void)state;
	static const char *const bodies[] = {
		"{\"dept\":\"门诊收费\",\"invoice_no\":\"10000001\",\"lines\":[{\"amount\":16000,\"code\":\"J0002\","
		"\"line\":1,\"name\":\"胸部正位片 (DR)\",\"qty\":2},{\"amount\":3000,\"code\":\"GH001\",\"line\":2,"
		"\"name\":\"\\\"精蛋白\\\"锌胰岛素, 10ml\\\\\\/\\b\\f\\n\\r\\t\",\"qty\":3}],\"occurred_at\":"
		"\"2026-11-20T08:00:00+08:00\",\"patient_id\":\"P007920\",\"total\":19560}",
		"{\"patient_id\":\"P\\u00e9\",\"fee\":500}",
		"{\"patient_id\":\"P1\\u0000x\"}",
		"{ \"patient_id\" : \"P1\" , \"lines\" : [ ] }\n",
		"{\"patient_id\":\"P1\"} trailing",
		"{\"patient_id\":\"P1\"}\n\t ",
		"{\"patient_id\":\"P1\",\"patient_id\":\"P2\",\"lines\":[{\"qty\":1}],\"lines\":[{\"qty\":2},{\"qty\":3}]}",
		"{\"fee\":1.5,\"total\":1e3,\"ref\":-0}",
		"{\"fee\":12345678901234567,\"total\":-999999999999999}",
		"{\"fee\":9007199254740993}",
		"{\"total\":999999999999999,\"fee\":-0}",
		"{\"ref\":007}",
		"{\"lines\":[1,\"x\",{\"line\":2}]}",
		"{\"lines\":[[1,2]]}",
		"{\"lines\":{\"line\":1}}",
		"{\"dept\":null,\"invoice_no\":true,\"request_no\":false,\"card_no\":{\"a\":[1,{\"b\":null}]},"
		"\"outside_episode_reason\":\"\"}",
		"{\"outside_episode_reason\":0}",
		"[1,2]",
		"\"x\"",
		"{\"patient_id\":\"P1\"",
		"{\"patient_id\":\"P1\",}",
		"{\"patient_id\":P1}",
		"{\"pa\\ttient_id\":\"x\",\"dept\":\"d\"}",
		"{\"dept\":\"a\x01b\"}",
		"{\"dept\":\"a\\qb\"}",
		"{\"dept\":\"a\"\"b\"}",
		"",
		"{}",
		"{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],\"dept\":\"deep\"}",
		"{\"fee\":-,\"dept\":\"x\"}",
		"{\"fee\":12-3}",
		"{\"lines\":[{\"line\":1,\"code\":\"Y1\",\"qty\":2,\"amount\":840,\"name\":\"x\"},]}",
	};
	struct lj_body b;
	memset(&b, 0, sizeof b);
	for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++)
		same_as_cjson(&b, bodies[i], strlen(bodies[i]));
	/* a body cut short at every byte */
	const char *full = bodies[0];
	for (size_t n = 0; n <= strlen(full); n++)
		same_as_cjson(&b, full, n);
	lj_free(&b);
}

/* his_read("-") of b's bytes written into a pipe by a child process (stdin
 * is left on the pipe's end; the caller restores it). */
static int read_piped(const buf *b, enum his_kind k, struct his_table *t, bulu_err *e)
{
	int pfd[2];
	assert_int_equal(pipe(pfd), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(pfd[0]);
		size_t off = 0;
		while (off < b->len) {
			ssize_t w = write(pfd[1], b->p + off, b->len - off);
			if (w <= 0)
				_exit(1);
			off += (size_t)w;
		}
		_exit(0);
	}
	close(pfd[1]);
	assert_int_equal(dup2(pfd[0], 0), 0);
	close(pfd[0]);
	int rc = his_read("-", k, defprof, pool, t, e);
	/* the writer may still be blocked on a pipe nobody reads: close it */
	int devnull = open("/dev/null", O_RDONLY);
	assert_true(devnull >= 0);
	assert_int_equal(dup2(devnull, 0), 0);
	close(devnull);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return rc;
}

static void test_stdin(void **state)
{
	(void)state;
	/* stdin from a file (seekable). */
	const char *csv = "patient_id,dept\nP1,内科\n";
	put_file(csv_path, csv, strlen(csv));
	int saved = dup(0);
	int fd = open(csv_path, O_RDONLY);
	assert_true(fd >= 0 && saved >= 0);
	assert_int_equal(dup2(fd, 0), 0);
	close(fd);
	struct his_table t;
	memset(&t, 0, sizeof t);
	bulu_err e;
	assert_int_equal(his_read("-", HIS_REGISTRATIONS, defprof, pool, &t, &e), BULU_OK);
	assert_int_equal(t.n, 1);
	assert_string_equal(t.path, "-");
	his_table_free(&t);

	/* A pipe: GB18030 in the first chunk (1 MiB from a pipe, more than a
	 * file's) is found; after it, it cannot be. */
	size_t n;
	char *gb = to_gb("P,1,内科,1\n", &n);
	buf b = BUF_INIT;
	buf_puts(&b, "patient_id,qty,item_code,amount\n");
	for (int i = 0; i < 40000; i++)
		buf_printf(&b, "P%06d,1,Y1,1.00\n", i);
	assert_true(b.len > (1u << 19) && b.len < (1u << 20) - n);
	buf_put(&b, gb, n);
	memset(&t, 0, sizeof t);
	assert_int_equal(read_piped(&b, HIS_CHARGES, &t, &e), BULU_OK);
	assert_int_equal(t.used, TEXT_GB18030);
	assert_int_equal(t.n, 40001);
	assert_string_equal(S(t.rows[40000].item), "内科");
	his_table_free(&t);

	buf_reset(&b);
	buf_puts(&b, "patient_id,qty,item_code,amount\n");
	for (int i = 0; i < 80000; i++)
		buf_printf(&b, "P%06d,1,Y1,1.00\n", i);
	assert_true(b.len > (1u << 20));
	buf_put(&b, gb, n);
	memset(&t, 0, sizeof t);
	assert_int_equal(read_piped(&b, HIS_CHARGES, &t, &e), BULU_BADINPUT);
	assert_non_null(strstr(e.msg, "<stdin>:"));
	assert_non_null(strstr(e.msg, "set encoding = gb18030 in the profile"));
	assert_int_equal(t.n, 0);
	assert_int_equal(dup2(saved, 0), 0);
	close(saved);
	free(gb);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind_and_field_names),
		cmocka_unit_test(test_default_headers),
		cmocka_unit_test(test_english_headers_amount_from_price),
		cmocka_unit_test(test_money_forms),
		cmocka_unit_test(test_qty_decimals),
		cmocka_unit_test(test_gb18030_auto_and_forced),
		cmocka_unit_test(test_gb18030_found_late),
		cmocka_unit_test(test_bom_crlf_blank_rows),
		cmocka_unit_test(test_registrations),
		cmocka_unit_test(test_orders_dispenses),
		cmocka_unit_test(test_invoices),
		cmocka_unit_test(test_quoting_and_newlines),
		cmocka_unit_test(test_find_ref),
		cmocka_unit_test(test_custom_profile),
		cmocka_unit_test(test_date_auto_variants),
		cmocka_unit_test(test_date_patterns),
		cmocka_unit_test(test_timezones),
		cmocka_unit_test(test_cell_errors),
		cmocka_unit_test(test_structure_errors),
		cmocka_unit_test(test_no_patient_data_in_messages),
		cmocka_unit_test(test_profile_errors),
		cmocka_unit_test(test_medisoft_fixture),
		cmocka_unit_test(test_errors_in_large_files),
		cmocka_unit_test(test_200k_rows),
		cmocka_unit_test(test_stdin),
		cmocka_unit_test(test_fast_path_is_libcsv),
		cmocka_unit_test(test_ledger_json),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
