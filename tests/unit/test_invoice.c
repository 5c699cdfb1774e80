/*
 * test_invoice.c - the invoice allocator through its C interface.
 *
 * A station in a temporary directory gets invoice_book entries and charge,
 * invoice_void and void entries written with journal_append; the allocator
 * must give the lowest free number across books (in order of their first
 * number), normalise an explicit number to its book's width, refuse a used,
 * voided or out-of-book number with the documented message, see what it
 * handed out itself in the same transaction (entries still queued), and
 * take 10,000 numbers in a row in linear time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "bulu/cli.h"
#include "bulu/invoice.h"
#include "bulu/journal.h"
#include "bulu/json.h"

struct fixture {
	char root[256];
	char dir[300];
	journal *j;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	bulu_err e = {0};
	assert_non_null(f);
	assert_non_null(tu_mkdtemp(f->root, sizeof f->root, "ti"));
	snprintf(f->dir, sizeof f->dir, "%s/st", f->root);
	unsetenv("BULU_PASSPHRASE_FILE");
	if (journal_create(f->dir, "T1", "门诊收费", "cashier", NULL, &e) != BULU_OK)
		fail_msg("journal_create: %s", e.msg);
	if (journal_open(f->dir, JOURNAL_WRITE, &f->j, &e) != BULU_OK)
		fail_msg("journal_open: %s", e.msg);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	journal_close(f->j);
	tu_rm_tree(f->root);
	free(f);
	return 0;
}

/* Append one entry (inside a transaction); the body's keys are sorted. */
static int64_t append(journal *j, const char *kind, const char *k1, const char *s1,
		      const char *k2, int64_t v2)
{
	jw w;
	const char *body;
	size_t len;
	int64_t seq = 0;
	bulu_err e = {0};
	jw_init(&w);
	jw_obj_begin(&w);
	if (k2 && (!k1 || strcmp(k2, k1) < 0))
		jw_kint(&w, k2, v2), k2 = NULL;
	if (k1)
		jw_kstr(&w, k1, s1);
	if (k2)
		jw_kint(&w, k2, v2);
	jw_obj_end(&w);
	assert_int_equal(jw_finish(&w, &body, &len), 0);
	if (journal_append(j, kind, "op1", "", NULL, body, len, &seq, &e) != BULU_OK)
		fail_msg("journal_append: %s", e.msg);
	jw_free(&w);
	return seq;
}

static void book(journal *j, const char *from, const char *to)
{
	jw w;
	const char *body;
	size_t len;
	bulu_err e = {0};
	jw_init(&w);
	jw_obj_begin(&w);
	jw_kstr(&w, "from", from);
	jw_kstr(&w, "to", to);
	jw_kint(&w, "width", (int64_t)strlen(from));
	jw_obj_end(&w);
	assert_int_equal(jw_finish(&w, &body, &len), 0);
	if (journal_append(j, "invoice_book", "it", "", NULL, body, len, NULL, &e) != BULU_OK)
		fail_msg("journal_append: %s", e.msg);
	jw_free(&w);
}

static void begin(journal *j)
{
	bulu_err e = {0};
	if (journal_begin(j, &e) != BULU_OK)
		fail_msg("journal_begin: %s", e.msg);
}

static void commit(journal *j)
{
	bulu_err e = {0};
	if (journal_commit(j, &e) != BULU_OK)
		fail_msg("journal_commit: %s", e.msg);
}

static invoice_alloc *alloc_open(journal *j)
{
	invoice_alloc *a = NULL;
	bulu_err e = {0};
	if (invoice_alloc_open(j, &a, &e) != BULU_OK)
		fail_msg("invoice_alloc_open: %s", e.msg);
	return a;
}

/* take want (NULL: the lowest free) and expect the number `got`. */
static void take_ok(invoice_alloc *a, const char *want, const char *got)
{
	char out[INVOICE_NO_MAX];
	bulu_err e = {0};
	if (invoice_take(a, want, out, &e) != BULU_OK)
		fail_msg("invoice_take(%s): %s", want ? want : "NULL", e.msg);
	assert_string_equal(out, got);
}

/* take want and expect a refusal whose message contains msg. */
static void take_refused(invoice_alloc *a, const char *want, const char *msg)
{
	char out[INVOICE_NO_MAX];
	bulu_err e = {0};
	assert_int_equal(invoice_take(a, want, out, &e), BULU_BADINPUT);
	if (!strstr(e.msg, msg))
		fail_msg("take(%s): \"%s\" lacks \"%s\"", want ? want : "NULL", e.msg, msg);
}

static void void_refused(invoice_alloc *a, const char *no, const char *msg)
{
	char out[INVOICE_NO_MAX];
	bulu_err e = {0};
	assert_int_equal(invoice_take_void(a, no, out, &e), BULU_BADINPUT);
	if (!strstr(e.msg, msg))
		fail_msg("take_void(%s): \"%s\" lacks \"%s\"", no, e.msg, msg);
}

static void test_no_books(void **state)
{
	struct fixture *f = *state;
	invoice_alloc *a = alloc_open(f->j);
	take_refused(a, NULL, "add a book with `bulu invoice add-book`");
	take_refused(a, "", "add a book with `bulu invoice add-book`");
	take_refused(a, "99", "invoice number 99 is outside the station's invoice books");
	take_refused(a, "12a", "is not a number");
	void_refused(a, "99", "outside the station's invoice books");
	invoice_alloc_free(a);
}

static void test_used_voided_free(void **state)
{
	struct fixture *f = *state;
	begin(f->j);
	book(f->j, "00010001", "00010010");
	book(f->j, "0500", "0502"); /* lower numbers, registered later */
	append(f->j, "charge", "invoice_no", "0500", NULL, 0);
	append(f->j, "registration", "invoice_no", "0501", NULL, 0);
	int64_t s = append(f->j, "charge", "invoice_no", "00010001", NULL, 0);
	append(f->j, "invoice_void", "invoice_no", "00010002", NULL, 0);
	append(f->j, "void", "reason", "refund", "entry", s);
	append(f->j, "note", "invoice_no", "00010004", NULL, 0); /* not a use */
	commit(f->j);

	invoice_alloc *a = alloc_open(f->j);
	take_refused(a, "10001", "invoice number 00010001 was already used");
	take_refused(a, "00010002", "invoice number 00010002 was voided");
	take_refused(a, "500", "invoice number 0500 was already used");
	take_refused(a, "00010011", "outside the station's invoice books");
	take_refused(a, "503", "invoice number 503 is outside");
	void_refused(a, "10002", "invoice number 00010002 was already voided");
	void_refused(a, "10001", "was already voided"); /* its charge was voided */
	void_refused(a, "501", "invoice number 0501 was used: void the entry");
	/* The lowest free: books in order of their first number. */
	take_ok(a, NULL, "0502");
	take_ok(a, NULL, "00010003");
	take_ok(a, "10005", "00010005"); /* normalised to the width */
	take_ok(a, NULL, "00010004");    /* a note's invoice_no uses nothing */
	take_ok(a, NULL, "00010006");    /* 00010005 was handed out above */
	take_refused(a, "00010006", "was already used");
	char out[INVOICE_NO_MAX];
	bulu_err e = {0};
	assert_int_equal(invoice_take_void(a, "000010007", out, &e), BULU_OK);
	assert_string_equal(out, "00010007");
	take_refused(a, "10007", "invoice number 00010007 was voided");
	take_ok(a, NULL, "00010008");
	take_ok(a, NULL, "00010009");
	take_ok(a, NULL, "00010010");
	take_refused(a, NULL, "no free invoice number left in the books: add a book with "
			      "`bulu invoice add-book`");
	invoice_alloc_free(a);
}

/* Numbers handed out earlier in the same transaction are taken, whether
 * their entries were flushed to the table or are still queued; a second
 * allocator in a later transaction sees the committed ones. */
static void test_same_transaction(void **state)
{
	struct fixture *f = *state;
	begin(f->j);
	book(f->j, "0001", "9999");
	commit(f->j);

	begin(f->j);
	invoice_alloc *a = alloc_open(f->j);
	char no[INVOICE_NO_MAX];
	bulu_err e = {0};
	for (int i = 1; i <= 5000; i++) { /* past one flush batch (4096) */
		assert_int_equal(invoice_take(a, NULL, no, &e), BULU_OK);
		char want[16];
		snprintf(want, sizeof want, "%04d", i);
		assert_string_equal(no, want);
		append(f->j, "charge", "invoice_no", no, NULL, 0);
	}
	take_refused(a, "1", "invoice number 0001 was already used");
	take_refused(a, "5000", "invoice number 5000 was already used");
	take_ok(a, "9000", "9000");
	take_ok(a, NULL, "5001");
	invoice_alloc_free(a);
	journal_rollback(f->j);

	/* Rolled back: all free again. */
	begin(f->j);
	a = alloc_open(f->j);
	take_ok(a, NULL, "0001");
	append(f->j, "charge", "invoice_no", "0001", NULL, 0);
	take_ok(a, "3", "0003");
	append(f->j, "charge", "invoice_no", "0003", NULL, 0);
	invoice_alloc_free(a);
	commit(f->j);

	begin(f->j);
	a = alloc_open(f->j);
	take_ok(a, NULL, "0002");
	take_ok(a, NULL, "0004");
	take_refused(a, "003", "invoice number 0003 was already used");
	invoice_alloc_free(a);
	journal_rollback(f->j);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 10,000 takes from one 10,000-number book, each followed by its charge,
 * in one transaction: every number once, in order, then none left.  The
 * time bound is loose (sanitizer builds), but a quadratic allocator that
 * re-reads the journal per take would blow it. */
static void test_sequential_takes(void **state)
{
	struct fixture *f = *state;
	begin(f->j);
	book(f->j, "0000000001", "0000010000");
	commit(f->j);

	double t0 = now_s();
	begin(f->j);
	invoice_alloc *a = alloc_open(f->j);
	char no[INVOICE_NO_MAX], want[INVOICE_NO_MAX];
	bulu_err e = {0};
	for (int i = 1; i <= 10000; i++) {
		if (invoice_take(a, NULL, no, &e) != BULU_OK)
			fail_msg("take %d: %s", i, e.msg);
		snprintf(want, sizeof want, "%010d", i);
		assert_string_equal(no, want);
		append(f->j, "charge", "invoice_no", no, NULL, 0);
	}
	take_refused(a, NULL, "no free invoice number left");
	invoice_alloc_free(a);
	commit(f->j);
	double took = now_s() - t0;
	if (took > 20.0)
		fail_msg("10,000 takes and charges took %.1f s", took);

	/* A fresh allocator reads the 10,000 committed numbers once. */
	t0 = now_s();
	begin(f->j);
	a = alloc_open(f->j);
	take_refused(a, NULL, "no free invoice number left");
	take_refused(a, "5000", "invoice number 0000005000 was already used");
	invoice_alloc_free(a);
	journal_rollback(f->j);
	if (now_s() - t0 > 5.0)
		fail_msg("reading 10,000 used numbers took %.1f s", now_s() - t0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_no_books, setup, teardown),
		cmocka_unit_test_setup_teardown(test_used_voided_free, setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_transaction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sequential_takes, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
