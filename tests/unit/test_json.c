/* test_json.c - the canonical JSON writer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "bulu/json.h"

#define NACL_UTF8 "\xe6\xb0\xaf\xe5\x8c\x96\xe9\x92\xa0"  /* 氯化钠 */

static void expect_text(jw *w, const char *want)
{
	const char *text = NULL;
	size_t len = 0;
	if (jw_finish(w, &text, &len) != 0)
		fail_msg("jw_finish failed, err %d", w->err);
	assert_string_equal(text, want);
	assert_int_equal(len, strlen(want));
}

static void test_flat_object(void **state)
{
	(void)state;
	jw w;
	jw_init(&w);
	jw_obj_begin(&w);
	jw_kint(&w, "amount", -1250);
	jw_kbool(&w, "cash", 1);
	jw_kstr(&w, "code", "A1");
	jw_key(&w, "none");
	jw_null(&w);
	jw_kstr_opt(&w, "note", NULL);
	jw_kstr_opt(&w, "o", "");
	jw_kbool(&w, "paid", 0);
	jw_kstr_opt(&w, "ward", "3");
	jw_obj_end(&w);
	expect_text(&w, "{\"amount\":-1250,\"cash\":true,\"code\":\"A1\","
	                "\"none\":null,\"paid\":false,\"ward\":\"3\"}");
	jw_free(&w);
}

static void test_key_order_bytes(void **state)
{
	(void)state;
	jw w;
	jw_init(&w);
	jw_obj_begin(&w);
	/* Byte order: upper case before lower, a prefix before its extension,
	 * ASCII before UTF-8 lead bytes. */
	jw_kint(&w, "B", 1);
	jw_kint(&w, "a", 2);
	jw_kint(&w, "ab", 3);
	jw_kint(&w, "b", 4);
	jw_kint(&w, NACL_UTF8, 5);
	jw_obj_end(&w);
	expect_text(&w, "{\"B\":1,\"a\":2,\"ab\":3,\"b\":4,\"" NACL_UTF8 "\":5}");
	jw_free(&w);
}

/* Run two keys in a child: out-of-order or duplicate keys must abort
 * (assert) or, under NDEBUG, leave err = -2 (exit status 3). */
static int keys_refused(const char *k1, const char *k2)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		if (fd >= 0)
			dup2(fd, 2);
		jw w;
		jw_init(&w);
		jw_obj_begin(&w);
		jw_kint(&w, k1, 1);
		jw_kint(&w, k2, 2);
		jw_obj_end(&w);
		_exit(w.err == -2 && jw_finish(&w, NULL, NULL) == -1 ? 3 : 0);
	}
	int st = 0;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return (WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT) ||
	       (WIFEXITED(st) && WEXITSTATUS(st) == 3);
}

static void test_key_order_enforced(void **state)
{
	(void)state;
	assert_true(keys_refused("b", "a"));
	assert_true(keys_refused("ab", "a"));
	assert_true(keys_refused("a", "a"));
	assert_true(keys_refused("a", "B"));
	assert_false(keys_refused("a", "b"));   /* the control: accepted */
}

static void test_nested(void **state)
{
	(void)state;
	jw w;
	jw_init(&w);
	jw_obj_begin(&w);
	jw_key(&w, "empty_arr");
	jw_arr_begin(&w);
	jw_arr_end(&w);
	jw_key(&w, "empty_obj");
	jw_obj_begin(&w);
	jw_obj_end(&w);
	jw_key(&w, "items");
	jw_arr_begin(&w);
	for (int i = 0; i < 2; i++) {
		jw_obj_begin(&w);
		/* Key order restarts in each object. */
		jw_kstr(&w, "code", i ? "B2" : "A1");
		jw_kint(&w, "qty", i + 1);
		jw_obj_end(&w);
	}
	jw_arr_begin(&w);
	jw_int(&w, 1);
	jw_str(&w, "x");
	jw_null(&w);
	jw_bool(&w, 0);
	jw_arr_end(&w);
	jw_arr_end(&w);
	jw_kint(&w, "z", INT64_MIN);
	jw_obj_end(&w);
	expect_text(&w, "{\"empty_arr\":[],\"empty_obj\":{},\"items\":["
	                "{\"code\":\"A1\",\"qty\":1},{\"code\":\"B2\",\"qty\":2},"
	                "[1,\"x\",null,false]],\"z\":-9223372036854775808}");
	jw_free(&w);
}

static void test_top_level_scalars(void **state)
{
	(void)state;
	jw w;
	jw_init(&w);
	jw_int(&w, 42);
	expect_text(&w, "42");
	jw_free(&w);
	jw_init(&w);
	jw_str(&w, NACL_UTF8);
	expect_text(&w, "\"" NACL_UTF8 "\"");
	jw_free(&w);
}

static void test_escapes(void **state)
{
	(void)state;
	jw w;
	jw_init(&w);
	jw_arr_begin(&w);
	jw_str(&w, "q\"b\\s/");
	jw_str(&w, "\b\f\n\r\t");
	jw_strn(&w, "\x00\x01\x1f\x7f", 4);
	jw_str(&w, "\x0b\x1b");
	jw_str(&w, NACL_UTF8 " \xe2\x80\xa8");  /* CJK and U+2028 raw */
	jw_str(&w, "");
	jw_arr_end(&w);
	expect_text(&w, "[\"q\\\"b\\\\s/\",\"\\b\\f\\n\\r\\t\","
	                "\"\\u0000\\u0001\\u001f\x7f\",\"\\u000b\\u001b\","
	                "\"" NACL_UTF8 " \xe2\x80\xa8\",\"\"]");
	jw_free(&w);
}

static void test_escaped_key(void **state)
{
	(void)state;
	jw w;
	jw_init(&w);
	jw_obj_begin(&w);
	jw_kint(&w, "a\"b", 1);
	jw_obj_end(&w);
	expect_text(&w, "{\"a\\\"b\":1}");
	jw_free(&w);
}

static void test_invalid_utf8(void **state)
{
	(void)state;
	const char *bad[] = {"\xc2\xc8\xbb\xaf", "\xc0\xaf", "\xed\xa0\x80",
	                     "ok\xe6\xb0"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		jw w;
		jw_init(&w);
		jw_obj_begin(&w);
		jw_kstr(&w, "name", bad[i]);
		jw_kint(&w, "z", 1);
		jw_obj_end(&w);
		assert_int_equal(w.err, -1);
		const char *text = "untouched";
		assert_int_equal(jw_finish(&w, &text, NULL), -1);
		assert_string_equal(text, "untouched");
		jw_free(&w);
	}
	/* A bad key is caught too. */
	jw w;
	jw_init(&w);
	jw_obj_begin(&w);
	jw_kint(&w, "\xff", 1);
	jw_obj_end(&w);
	assert_int_equal(w.err, -1);
	assert_int_equal(jw_finish(&w, NULL, NULL), -1);
	jw_free(&w);
}

static void test_json_quote(void **state)
{
	(void)state;
	buf b = BUF_INIT;
	assert_int_equal(json_quote(&b, "a\nb", 3), 0);
	assert_string_equal(b.p, "\"a\\nb\"");
	buf_reset(&b);
	/* Invalid UTF-8: -1 and nothing written. */
	assert_int_equal(json_quote(&b, "x\xff", 2), -1);
	assert_int_equal(b.len, 0);
	/* Embedded NUL within n is escaped, not a terminator. */
	assert_int_equal(json_quote(&b, "a\0b", 3), 0);
	assert_string_equal(b.p, "\"a\\u0000b\"");
	buf_free(&b);
}

static void test_unfinished_or_depth(void **state)
{
	(void)state;
	jw w;
	jw_init(&w);
	assert_int_equal(jw_finish(&w, NULL, NULL), -1); /* nothing written */
	jw_obj_begin(&w);
	assert_int_equal(jw_finish(&w, NULL, NULL), -1); /* still open */
	jw_free(&w);

	jw_init(&w);
	for (int i = 0; i < JW_MAXDEPTH - 1; i++)
		jw_arr_begin(&w);
	assert_int_equal(w.err, 0);
	jw_arr_begin(&w);                                /* one too deep */
	assert_int_equal(w.err, -2);
	assert_int_equal(jw_finish(&w, NULL, NULL), -1);
	jw_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flat_object),
		cmocka_unit_test(test_key_order_bytes),
		cmocka_unit_test(test_key_order_enforced),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_top_level_scalars),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_escaped_key),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_json_quote),
		cmocka_unit_test(test_unfinished_or_depth),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
