/* test_csvfile.c - CSV reading with row numbers, and header mapping. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "bulu/buf.h"
#include "bulu/csvfile.h"

#define NACL_UTF8 "\xe6\xb0\xaf\xe5\x8c\x96\xe9\x92\xa0"  /* 氯化钠 */
#define NACL_GBK "\xc2\xc8\xbb\xaf\xc4\xc6"
#define CODE_ZH "\xe7\xbc\x96\xe7\xa0\x81"                 /* 编码 */

static char tmp_path[64];

/* Write n bytes to a fresh temp file; its name is left in tmp_path. */
static const char *write_tmp(const char *data, size_t n)
{
	if (tmp_path[0])
		unlink(tmp_path);
	strcpy(tmp_path, "/tmp/bulu_csv_XXXXXX");
	int fd = mkstemp(tmp_path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, n), (ssize_t)n);
	close(fd);
	return tmp_path;
}

static int teardown(void **state)
{
	(void)state;
	if (tmp_path[0])
		unlink(tmp_path);
	tmp_path[0] = '\0';
	return 0;
}

/* The collector renders every row as "ROW:f1|f2|...\n". */
struct coll {
	buf out;
	size_t stop_at;   /* refuse this row (0 = never) */
	int calls;
};

static int collect(void *ud, size_t row, size_t nfields, char *const *fields,
                   const size_t *lens, bulu_err *e)
{
	struct coll *c = ud;
	c->calls++;
	if (row == c->stop_at)
		return bulu_errf(e, BULU_FINDINGS, "stopped at %zu", row);
	buf_printf(&c->out, "%zu:", row);
	for (size_t i = 0; i < nfields; i++) {
		assert_int_equal(strlen(fields[i]), lens[i]);
		if (i)
			buf_putc(&c->out, '|');
		buf_put(&c->out, fields[i], lens[i]);
	}
	buf_putc(&c->out, '\n');
	return BULU_OK;
}

/* Read data (as a temp file) and compare the rendered rows. */
static void read_ok(const char *data, size_t n, enum text_enc enc,
                    const char *want, enum text_enc want_used)
{
	struct coll c = {BUF_INIT, 0, 0};
	bulu_err e = {0, ""};
	enum text_enc used = TEXT_AUTO;
	const char *p = write_tmp(data, n);
	int rc = csvfile_read(p, enc, collect, &c, &used, &e);
	if (rc != BULU_OK)
		fail_msg("csvfile_read: %d %s", rc, e.msg);
	assert_string_equal(c.out.p ? c.out.p : "", want);
	assert_int_equal(used, want_used);
	buf_free(&c.out);
}

#define S(lit) lit, sizeof(lit) - 1

static void test_simple(void **state)
{
	(void)state;
	read_ok(S("code,name,price\nA1,Saline,12.50\nB2,Gauze,3\n"), TEXT_AUTO,
	        "1:code|name|price\n2:A1|Saline|12.50\n3:B2|Gauze|3\n", TEXT_UTF8);
	/* No final newline; empty fields kept. */
	read_ok(S("a,b,c\n1,,3"), TEXT_AUTO, "1:a|b|c\n2:1||3\n", TEXT_UTF8);
}

static void test_quoting(void **state)
{
	(void)state;
	read_ok(S("a,b\n\"1,234.50\",\"say \"\"hi\"\"\"\n"), TEXT_AUTO,
	        "1:a|b\n2:1,234.50|say \"hi\"\n", TEXT_UTF8);
}

static void test_newline_in_quotes_counts_records(void **state)
{
	(void)state;
	/* Row 2 spans two physical lines; the next record is row 3. */
	read_ok(S("a,b\n\"line one\nline two\",x\nlast,y\n"), TEXT_AUTO,
	        "1:a|b\n2:line one\nline two|x\n3:last|y\n", TEXT_UTF8);
}

static void test_chinese_bom_crlf(void **state)
{
	(void)state;
	read_ok(S("\xef\xbb\xbf" CODE_ZH ",name\r\nA1," NACL_UTF8 "\r\nB2,x\r\n"),
	        TEXT_AUTO,
	        "1:" CODE_ZH "|name\n2:A1|" NACL_UTF8 "\n3:B2|x\n", TEXT_UTF8);
}

static void test_gbk_file(void **state)
{
	(void)state;
	read_ok(S("code,name\r\nA1," NACL_GBK "\r\n"), TEXT_AUTO,
	        "1:code|name\n2:A1|" NACL_UTF8 "\n", TEXT_GB18030);
	read_ok(S("code,name\nA1," NACL_GBK "\n"), TEXT_GB18030,
	        "1:code|name\n2:A1|" NACL_UTF8 "\n", TEXT_GB18030);
}

static void test_blank_rows_skipped_but_counted(void **state)
{
	(void)state;
	read_ok(S("a,b\n\n1,2\n,\n   \n3,4\n"), TEXT_AUTO,
	        "1:a|b\n3:1|2\n6:3|4\n", TEXT_UTF8);
	/* The same with CRLF: a CRLF pair ends one row, not two. */
	read_ok(S("a,b\r\n\r\n1,2\r\n,\r\n   \r\n3,4\r\n"), TEXT_AUTO,
	        "1:a|b\n3:1|2\n6:3|4\n", TEXT_UTF8);
	/* Blank lines before the header count as well. */
	read_ok(S("\n\na\n1\n"), TEXT_AUTO, "3:a\n4:1\n", TEXT_UTF8);
	/* Quoted CRLF inside a field stays in the field. */
	read_ok(S("a\r\n\"x\r\ny\"\r\nz\r\n"), TEXT_AUTO,
	        "1:a\n2:x\r\ny\n3:z\n", TEXT_UTF8);
}

static void read_bad(const char *data, size_t n, enum text_enc enc, int want_rc,
                     const char *want_msg_tail)
{
	struct coll c = {BUF_INIT, 0, 0};
	bulu_err e = {0, ""};
	const char *p = write_tmp(data, n);
	int rc = csvfile_read(p, enc, collect, &c, NULL, &e);
	assert_int_equal(rc, want_rc);
	char want[256];
	snprintf(want, sizeof want, "%s%s", p, want_msg_tail);
	if (strncmp(e.msg, want, strlen(want)) != 0)
		fail_msg("message \"%s\" does not start with \"%s\"", e.msg, want);
	buf_free(&c.out);
}

static void test_malformed(void **state)
{
	(void)state;
	/* Unterminated quote: the row where it opened. */
	read_bad(S("a,b\n1,2\n3,\"never closed\n4,5\n"), TEXT_AUTO,
	         BULU_BADINPUT, ":3: malformed CSV");
	/* Text after a closing quote. */
	read_bad(S("a,b\n\"x\"y,2\n"), TEXT_AUTO, BULU_BADINPUT, ":2: malformed");
	/* A quote inside an unquoted field. */
	read_bad(S("a,b\n1,2\n\n3,4\"5\n"), TEXT_AUTO, BULU_BADINPUT,
	         ":4: malformed");
	/* Undecodable bytes. */
	read_bad(S("a,b\n1,\xff\n"), TEXT_UTF8, BULU_BADINPUT,
	         ":2:2: not valid UTF-8 (the file was read as UTF-8)");
	/* UTF-16, with and without a BOM: named as such, not as NUL bytes. */
	read_bad(S("\xff\xfe" "a\0,\0b\0\n\0"), TEXT_AUTO, BULU_BADINPUT,
	         ": this file is UTF-16;");
	read_bad(S("\0a\0,\0b\0\n\0" "1\0,\0" "2\0\n"), TEXT_AUTO, BULU_BADINPUT,
	         ": this file is UTF-16;");
	/* NUL byte inside a field. */
	read_bad(S("a,b\n1,x\0y\n"), TEXT_AUTO, BULU_BADINPUT, ":2:2: NUL byte");
}

static void test_malformed_message_has_no_data(void **state)
{
	(void)state;
	struct coll c = {BUF_INIT, 0, 0};
	bulu_err e = {0, ""};
	const char *p = write_tmp(S("id,name\nP123456,\"Zhang San\n"));
	assert_int_equal(csvfile_read(p, TEXT_AUTO, collect, &c, NULL, &e),
	                 BULU_BADINPUT);
	assert_null(strstr(e.msg, "Zhang"));
	assert_null(strstr(e.msg, "P123456"));
	buf_free(&c.out);
}

static void test_missing_file(void **state)
{
	(void)state;
	struct coll c = {BUF_INIT, 0, 0};
	bulu_err e = {0, ""};
	int rc = csvfile_read("/tmp/bulu-no-such-dir/x.csv", TEXT_AUTO, collect,
	                      &c, NULL, &e);
	assert_int_equal(rc, BULU_BADINPUT);
	assert_non_null(strstr(e.msg, "/tmp/bulu-no-such-dir/x.csv"));
	assert_int_equal(c.calls, 0);
}

static void test_callback_stops(void **state)
{
	(void)state;
	struct coll c = {BUF_INIT, 2, 0};
	bulu_err e = {0, ""};
	const char *p = write_tmp(S("a\n1\n2\n3\n\"unterminated\n"));
	int rc = csvfile_read(p, TEXT_AUTO, collect, &c, NULL, &e);
	assert_int_equal(rc, BULU_FINDINGS);
	assert_string_equal(e.msg, "stopped at 2");
	assert_int_equal(c.calls, 2);
	assert_string_equal(c.out.p, "1:a\n");
	buf_free(&c.out);
}

static int count_rows(void *ud, size_t row, size_t nfields, char *const *fields,
                      const size_t *lens, bulu_err *e)
{
	size_t *last = ud;
	char want[32];
	(void)e;
	assert_int_equal(nfields, 2);
	if (row > 1) { /* row N holds "N-1,..." */
		snprintf(want, sizeof want, "%zu", row - 1);
		assert_string_equal(fields[0], want);
		assert_int_equal(lens[1], 14); /* "ab,\r\n" + 9 bytes */
	}
	*last = row;
	return BULU_OK;
}

static void test_large_file_across_chunks(void **state)
{
	(void)state;
	buf b = BUF_INIT;
	buf_puts(&b, "n,text\r\n");
	for (int i = 1; i <= 20000; i++)
		buf_printf(&b, "%d,\"ab,\r\n" NACL_UTF8 "\"\r\n", i);
	assert_false(b.oom);
	assert_true(b.len > 3 * 65536);
	const char *p = write_tmp(b.p, b.len);
	buf_free(&b);
	size_t last = 0;
	bulu_err e = {0, ""};
	assert_int_equal(csvfile_read(p, TEXT_AUTO, count_rows, &last, NULL, &e),
	                 BULU_OK);
	assert_int_equal(last, 20001);
}

static void test_stdin(void **state)
{
	(void)state;
	const char *p = write_tmp(S("a,b\n1,2\n"));
	FILE *f = freopen(p, "rb", stdin);
	assert_non_null(f);
	struct coll c = {BUF_INIT, 0, 0};
	bulu_err e = {0, ""};
	assert_int_equal(csvfile_read("-", TEXT_AUTO, collect, &c, NULL, &e),
	                 BULU_OK);
	assert_string_equal(c.out.p, "1:a|b\n2:1|2\n");
	buf_free(&c.out);
}

static void test_map_header(void **state)
{
	(void)state;
	char h0[] = " Code ", h1[] = "price", h2[] = NACL_UTF8, h3[] = "NAME";
	char *const fields[] = {h0, h1, h2, h3};
	const char *const names[] = {"code|" CODE_ZH "|item code", "name",
	                             "qty | Quantity", "price"};
	int idx[4] = {9, 9, 9, 9};
	bulu_err e = {0, ""};
	/* NACL is unknown: allowed here. */
	assert_int_equal(csvfile_map_header("c.csv", fields, 4, names, 4, idx, 1,
	                                    &e), BULU_OK);
	assert_int_equal(idx[0], 0);
	assert_int_equal(idx[1], 3);
	assert_int_equal(idx[2], -1);
	assert_int_equal(idx[3], 1);
	/* ... and refused when unknown columns are not allowed. */
	assert_int_equal(csvfile_map_header("c.csv", fields, 4, names, 4, idx, 0,
	                                    &e), BULU_BADINPUT);
	assert_string_equal(e.msg, "c.csv:1:3: unknown column \"" NACL_UTF8 "\"");
}

static void test_map_header_alias_and_duplicate(void **state)
{
	(void)state;
	char h0[] = CODE_ZH, h1[] = "QTY", h2[] = "quantity";
	char *const fields[] = {h0, h1, h2};
	const char *const names[] = {"code|" CODE_ZH, "qty|quantity"};
	int idx[2];
	bulu_err e = {0, ""};
	assert_int_equal(csvfile_map_header("c.csv", fields, 2, names, 2, idx, 0,
	                                    &e), BULU_OK);
	assert_int_equal(idx[0], 0);
	assert_int_equal(idx[1], 1);
	/* Two spellings of one column: a duplicate. */
	assert_int_equal(csvfile_map_header("c.csv", fields, 3, names, 2, idx, 0,
	                                    &e), BULU_BADINPUT);
	assert_int_equal(e.code, BULU_BADINPUT);
	assert_non_null(strstr(e.msg, "c.csv:1:3: column \"quantity\" given twice"));
	/* An unnamed column is refused when unknown columns are. */
	char b[] = "  ";
	char *const f2[] = {h0, b};
	assert_int_equal(csvfile_map_header("c.csv", f2, 2, names, 2, idx, 0, &e),
	                 BULU_BADINPUT);
	assert_string_equal(e.msg, "c.csv:1:2: column has no name");
	assert_int_equal(csvfile_map_header("c.csv", f2, 2, names, 2, idx, 1, &e),
	                 BULU_OK);
	assert_int_equal(idx[0], 0);
	assert_int_equal(idx[1], -1);
}

static int map_cb(void *ud, size_t row, size_t nfields, char *const *fields,
                  const size_t *lens, bulu_err *e)
{
	(void)lens;
	int *idx = ud;
	if (row == 1) {
		static const char *const names[] = {"code|" CODE_ZH, "name"};
		return csvfile_map_header(tmp_path, fields, nfields, names, 2, idx, 0, e);
	}
	return BULU_OK;
}

static void test_map_header_from_file(void **state)
{
	(void)state;
	int idx[2] = {9, 9};
	bulu_err e = {0, ""};
	const char *p = write_tmp(S("\xef\xbb\xbf" "name," CODE_ZH "\nx,y\n"));
	assert_int_equal(csvfile_read(p, TEXT_AUTO, map_cb, idx, NULL, &e), BULU_OK);
	assert_int_equal(idx[0], 1);
	assert_int_equal(idx[1], 0); /* the BOM did not stick to "name" */
	p = write_tmp(S("name,code,ward\nx,y,z\n"));
	assert_int_equal(csvfile_read(p, TEXT_AUTO, map_cb, idx, NULL, &e),
	                 BULU_BADINPUT);
	char want[128];
	snprintf(want, sizeof want, "%s:1:3: unknown column \"ward\"", p);
	assert_string_equal(e.msg, want);
}

#define T(f) cmocka_unit_test_teardown(f, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_simple),
		T(test_quoting),
		T(test_newline_in_quotes_counts_records),
		T(test_chinese_bom_crlf),
		T(test_gbk_file),
		T(test_blank_rows_skipped_but_counted),
		T(test_malformed),
		T(test_malformed_message_has_no_data),
		T(test_missing_file),
		T(test_callback_stops),
		T(test_large_file_across_chunks),
		T(test_stdin),
		T(test_map_header),
		T(test_map_header_alias_and_duplicate),
		T(test_map_header_from_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
