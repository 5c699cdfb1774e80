/* test_roster.c - the roster of trusted station keys: load, save, add,
 * remove, lookups, and the refusals of malformed files. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <sodium.h>

#include "bulu/journal.h"
#include "bulu/keys.h"
#include "bulu/roster.h"
#include "bulu/text.h"
#include "testutil.h"

#define MZ "\xe9\x97\xa8\xe8\xaf\x8a" /* 门诊 */

static char dir[256];
static char path[512];

static int setup(void **state)
{
	(void)state;
	assert_non_null(tu_mkdtemp(dir, sizeof dir, "roster"));
	snprintf(path, sizeof path, "%s/roster.txt", dir);
	bulu_err e = {0};
	assert_int_equal(keys_init(&e), BULU_OK);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tu_rm_tree(dir);
	return 0;
}

/* A fresh entry with a new key. */
static roster_entry mk(const char *station, const char *dept, const char *role)
{
	roster_entry en;
	memset(&en, 0, sizeof en);
	snprintf(en.station, sizeof en.station, "%s", station);
	snprintf(en.dept, sizeof en.dept, "%s", dept);
	snprintf(en.role, sizeof en.role, "%s", role);
	keypair kp;
	bulu_err e = {0};
	assert_int_equal(keys_generate(&kp, &e), BULU_OK);
	memcpy(en.pk, kp.pk, KEY_PK_BYTES);
	memcpy(en.key_id, kp.key_id, KEY_ID_BYTES);
	keys_free(&kp);
	return en;
}

static void write_file(const char *text, size_t n)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, n, f), n);
	fclose(f);
}

static char *read_back(void)
{
	char *text = NULL;
	size_t n;
	bulu_err e = {0};
	assert_int_equal(text_slurp(path, &text, &n, &e), BULU_OK);
	return text;
}

/* Load text as the roster file: returns the status, message in e. */
static int load_text(const char *text, roster *r, bulu_err *e)
{
	write_file(text, strlen(text));
	return roster_load(path, 0, r, e);
}

/* e's message starts with "PATH:" followed by rest. */
static void assert_msg_at(const bulu_err *e, const char *rest)
{
	char want[1024];
	snprintf(want, sizeof want, "%s:%s", path, rest);
	if (strncmp(e->msg, want, strlen(want)) != 0)
		fail_msg("message \"%s\" does not start with \"%s\"", e->msg, want);
}

static void line_of(const roster_entry *en, char *out, size_t n)
{
	char b64[ROSTER_PUBKEY_B64];
	roster_pubkey_base64(en, b64);
	snprintf(out, n, "%s\t%s\t%s\t%s", en->station, en->dept, en->role, b64);
}

static void test_missing(void **state)
{
	(void)state;
	roster r;
	bulu_err e = {0};
	assert_int_equal(roster_load(path, 1, &r, &e), BULU_OK);
	assert_int_equal(r.n, 0);
	assert_string_equal(r.path, path);
	assert_int_equal(roster_load(path, 0, &r, &e), BULU_BADINPUT);
	assert_non_null(strstr(e.msg, path));
	assert_null(r.v);
	assert_int_equal(roster_load("", 1, &r, &e), BULU_BADINPUT);
	/* A directory is not a roster. */
	assert_int_equal(roster_load(dir, 1, &r, &e), BULU_BADINPUT);
}

static void test_key_id_hex_and_base64(void **state)
{
	(void)state;
	const uint8_t id[KEY_ID_BYTES] = {1, 2, 3, 4, 5, 6, 7, 0xab};
	char hex[17];
	keys_key_id_hex(id, hex);
	assert_string_equal(hex, "AB07060504030201");

	roster_entry en = mk("A1", "d", "r"), back;
	char b64[ROSTER_PUBKEY_B64], text[512];
	roster_pubkey_base64(&en, b64);
	assert_int_equal(strlen(b64), 56);
	/* The base64 line is the second line of the minisign file keys.c writes. */
	assert_int_equal(keys_minisign_pubkey(en.pk, "x", text, sizeof text), 0);
	assert_non_null(strstr(text, b64));
	bulu_err e = {0};
	memset(&back, 0, sizeof back);
	assert_int_equal(roster_parse_pubkey(text, &back, &e), BULU_OK);
	assert_memory_equal(back.pk, en.pk, KEY_PK_BYTES);
	assert_memory_equal(back.key_id, en.key_id, KEY_ID_BYTES);
	memset(&back, 0, sizeof back);
	assert_int_equal(roster_parse_pubkey(b64, &back, &e), BULU_OK);
	assert_memory_equal(back.pk, en.pk, KEY_PK_BYTES);

	/* A minisign key whose id is not BLAKE2b(pk)[0..8]: not a station key. */
	uint8_t raw[2 + KEY_ID_BYTES + KEY_PK_BYTES] = {'E', 'd'};
	memcpy(raw + 2, id, KEY_ID_BYTES);
	memcpy(raw + 2 + KEY_ID_BYTES, en.pk, KEY_PK_BYTES);
	sodium_bin2base64(b64, sizeof b64, raw, sizeof raw, sodium_base64_VARIANT_ORIGINAL);
	assert_int_equal(roster_parse_pubkey(b64, &back, &e), BULU_BADINPUT);
	assert_non_null(strstr(e.msg, "AB07060504030201"));
	assert_int_equal(roster_parse_pubkey("RWSnotakey", &back, &e), BULU_BADINPUT);
}

static void test_station_ids(void **state)
{
	(void)state;
	assert_true(journal_station_id_ok("OPD1"));
	assert_true(journal_station_id_ok("a_b_9"));
	assert_true(journal_station_id_ok("ABCDEFGHIJKLMNOPQRSTUVWXYZ012345")); /* 32 */
	assert_false(journal_station_id_ok("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456")); /* 33 */
	assert_false(journal_station_id_ok(""));
	assert_false(journal_station_id_ok("OPD-1"));
	assert_false(journal_station_id_ok("OPD 1"));
	assert_false(journal_station_id_ok(MZ));
}

static void test_default_path(void **state)
{
	(void)state;
	unsetenv("BULU_ROSTER");
	assert_null(roster_default_path(NULL));
	assert_null(roster_default_path(""));
	assert_string_equal(roster_default_path("given"), "given");
	setenv("BULU_ROSTER", "/env/roster", 1);
	assert_string_equal(roster_default_path(NULL), "/env/roster");
	assert_string_equal(roster_default_path("given"), "given");
	unsetenv("BULU_ROSTER");
}

static void test_add_save_load(void **state)
{
	(void)state;
	roster r;
	bulu_err e = {0};
	assert_int_equal(roster_load(path, 1, &r, &e), BULU_OK);
	roster_entry z = mk("ZZ9", MZ "收费", "cashier"), a = mk("AA1", "药房", "pharmacy");
	roster_entry m = mk("MM_5", "ward 3", "ward");
	assert_int_equal(roster_add(&r, &z, 0, &e), BULU_OK);
	assert_int_equal(roster_add(&r, &a, 0, &e), BULU_OK);
	assert_int_equal(roster_add(&r, &m, 0, &e), BULU_OK);
	assert_int_equal(r.n, 3);
	assert_int_equal(roster_save(&r, &e), BULU_OK);
	roster_free(&r);
	assert_null(r.v);

	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	char *text = read_back();
	char la[512], lm[512], lz[512], want[2048];
	line_of(&a, la, sizeof la);
	line_of(&m, lm, sizeof lm);
	line_of(&z, lz, sizeof lz);
	snprintf(want, sizeof want,
		 "# bulu roster: trusted station keys (bulu roster add|remove)\n%s\n%s\n%s\n",
		 la, lm, lz);
	assert_string_equal(text, want); /* header, then sorted by station */
	free(text);

	assert_int_equal(roster_load(path, 0, &r, &e), BULU_OK);
	assert_int_equal(r.n, 3);
	const roster_entry *got = roster_by_station(&r, "ZZ9");
	assert_non_null(got);
	assert_string_equal(got->dept, MZ "收费");
	assert_string_equal(got->role, "cashier");
	assert_memory_equal(got->pk, z.pk, KEY_PK_BYTES);
	assert_memory_equal(got->key_id, z.key_id, KEY_ID_BYTES);
	assert_ptr_equal(roster_by_key_id(&r, a.key_id), roster_by_station(&r, "AA1"));
	assert_ptr_equal(roster_by_key_id(&r, m.key_id), roster_by_station(&r, "MM_5"));
	assert_null(roster_by_station(&r, "zz9")); /* ids are compared exactly */
	assert_null(roster_by_station(&r, "NOPE"));
	const uint8_t none[KEY_ID_BYTES] = {0};
	assert_null(roster_by_key_id(&r, none));
	roster_free(&r);
}

static void test_add_refusals(void **state)
{
	(void)state;
	roster r;
	bulu_err e = {0};
	assert_int_equal(roster_load(path, 1, &r, &e), BULU_OK);
	roster_entry a = mk("OPD1", MZ, "cashier"), b = mk("OPD2", MZ, "cashier");
	assert_int_equal(roster_add(&r, &a, 0, &e), BULU_OK);
	assert_int_equal(roster_add(&r, &b, 0, &e), BULU_OK);

	/* The same station again: refused, says --replace; nothing changed. */
	roster_entry a2 = mk("OPD1", "other", "pharmacy");
	assert_int_equal(roster_add(&r, &a2, 0, &e), BULU_BADINPUT);
	assert_non_null(strstr(e.msg, "--replace"));
	assert_non_null(strstr(e.msg, "OPD1"));
	assert_int_equal(r.n, 2);
	assert_memory_equal(roster_by_station(&r, "OPD1")->pk, a.pk, KEY_PK_BYTES);

	/* With replace: the new key and fields, the old key gone. */
	assert_int_equal(roster_add(&r, &a2, 1, &e), BULU_OK);
	assert_int_equal(r.n, 2);
	assert_string_equal(roster_by_station(&r, "OPD1")->dept, "other");
	assert_memory_equal(roster_by_station(&r, "OPD1")->pk, a2.pk, KEY_PK_BYTES);
	assert_null(roster_by_key_id(&r, a.key_id));

	/* Replace keeping the key (a department renamed). */
	roster_entry a3 = a2;
	snprintf(a3.dept, sizeof a3.dept, "renamed");
	assert_int_equal(roster_add(&r, &a3, 1, &e), BULU_OK);
	assert_string_equal(roster_by_station(&r, "OPD1")->dept, "renamed");

	/* OPD2's key under another station: refused, with or without replace. */
	roster_entry stolen = b;
	snprintf(stolen.station, sizeof stolen.station, "OPD3");
	assert_int_equal(roster_add(&r, &stolen, 0, &e), BULU_BADINPUT);
	assert_non_null(strstr(e.msg, "OPD2"));
	assert_int_equal(roster_add(&r, &stolen, 1, &e), BULU_BADINPUT);
	snprintf(stolen.station, sizeof stolen.station, "OPD1");
	assert_int_equal(roster_add(&r, &stolen, 1, &e), BULU_BADINPUT);
	assert_non_null(strstr(e.msg, "OPD2"));
	assert_int_equal(r.n, 2);
	assert_memory_equal(roster_by_station(&r, "OPD1")->pk, a2.pk, KEY_PK_BYTES);

	/* Bad fields. */
	static const char *const bad_ids[] = {"", "OPD-1", "OPD 1", MZ,
					      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456"};
	for (size_t i = 0; i < sizeof bad_ids / sizeof bad_ids[0]; i++) {
		roster_entry x = mk("X", "d", "r");
		snprintf(x.station, sizeof x.station, "%s", bad_ids[i]);
		assert_int_equal(roster_add(&r, &x, 0, &e), BULU_BADINPUT);
		assert_non_null(strstr(e.msg, "station"));
	}
	static const char *const bad_text[] = {"", "a\tb", "a\nb", "a\rb", "a\x01" "b",
					       "\xe9\x97", "\xff"};
	for (size_t i = 0; i < sizeof bad_text / sizeof bad_text[0]; i++) {
		roster_entry x = mk("X1", "d", "r");
		snprintf(x.dept, sizeof x.dept, "%s", bad_text[i]);
		assert_int_equal(roster_add(&r, &x, 0, &e), BULU_BADINPUT);
		assert_non_null(strstr(e.msg, "dept"));
		x = mk("X1", "d", "r");
		snprintf(x.role, sizeof x.role, "%s", bad_text[i]);
		assert_int_equal(roster_add(&r, &x, 0, &e), BULU_BADINPUT);
		assert_non_null(strstr(e.msg, "role"));
	}
	roster_entry full = mk("X2", "d", "r");
	memset(full.dept, 'a', sizeof full.dept); /* not NUL-terminated */
	assert_int_equal(roster_add(&r, &full, 0, &e), BULU_BADINPUT);
	roster_entry wrongid = mk("X3", "d", "r");
	wrongid.key_id[0] ^= 1;
	assert_int_equal(roster_add(&r, &wrongid, 0, &e), BULU_BADINPUT);
	assert_non_null(strstr(e.msg, "key id"));
	assert_int_equal(r.n, 2);
	roster_free(&r);
}

static void test_remove(void **state)
{
	(void)state;
	roster r;
	bulu_err e = {0};
	assert_int_equal(roster_load(path, 1, &r, &e), BULU_OK);
	roster_entry a = mk("A", "d", "r"), b = mk("B", "d", "r"), c = mk("C", "d", "r");
	assert_int_equal(roster_add(&r, &a, 0, &e), BULU_OK);
	assert_int_equal(roster_add(&r, &b, 0, &e), BULU_OK);
	assert_int_equal(roster_add(&r, &c, 0, &e), BULU_OK);
	assert_int_equal(roster_remove(&r, "B", &e), BULU_OK);
	assert_int_equal(r.n, 2);
	assert_null(roster_by_station(&r, "B"));
	assert_null(roster_by_key_id(&r, b.key_id));
	assert_non_null(roster_by_station(&r, "A"));
	assert_memory_equal(roster_by_station(&r, "C")->pk, c.pk, KEY_PK_BYTES);
	assert_int_equal(roster_remove(&r, "B", &e), BULU_BADINPUT);
	assert_non_null(strstr(e.msg, "B is not in the roster"));
	assert_int_equal(roster_remove(&r, "a", &e), BULU_BADINPUT);
	assert_int_equal(r.n, 2);
	/* B's key may now go to another station. */
	snprintf(b.station, sizeof b.station, "B2");
	assert_int_equal(roster_add(&r, &b, 0, &e), BULU_OK);
	assert_int_equal(roster_remove(&r, "A", &e), BULU_OK);
	assert_int_equal(roster_remove(&r, "C", &e), BULU_OK);
	assert_int_equal(roster_remove(&r, "B2", &e), BULU_OK);
	assert_int_equal(r.n, 0);
	/* An empty roster is saved as its header alone. */
	assert_int_equal(roster_save(&r, &e), BULU_OK);
	char *text = read_back();
	assert_string_equal(text, "# bulu roster: trusted station keys (bulu roster add|remove)\n");
	free(text);
	roster_free(&r);
	assert_int_equal(roster_load(path, 0, &r, &e), BULU_OK);
	assert_int_equal(r.n, 0);
	roster_free(&r);
}

static void test_save_fails_cleanly(void **state)
{
	(void)state;
	roster r;
	bulu_err e = {0};
	char nowhere[600];
	snprintf(nowhere, sizeof nowhere, "%s/no/such/dir/roster.txt", dir);
	assert_int_equal(roster_load(nowhere, 1, &r, &e), BULU_OK);
	roster_entry a = mk("A", "d", "r");
	assert_int_equal(roster_add(&r, &a, 0, &e), BULU_OK);
	assert_int_equal(roster_save(&r, &e), BULU_SYSTEM);
	assert_non_null(strstr(e.msg, nowhere));
	assert_int_not_equal(access(nowhere, F_OK), 0);
	roster_free(&r);
}

/* Lines that are comments, blank, CRLF-ended or unterminated load fine, and
 * the line numbers in messages count every physical line. */
static void test_load_lenient_parts(void **state)
{
	(void)state;
	roster_entry a = mk("A1", MZ, "cashier"), b = mk("B1", "x", "y");
	char la[512], lb[512], text[2048];
	line_of(&a, la, sizeof la);
	line_of(&b, lb, sizeof lb);
	snprintf(text, sizeof text, "# header\n\n   \n# 注释 comment\r\n%s\r\n%s", lb, la);
	roster r;
	bulu_err e = {0};
	assert_int_equal(load_text(text, &r, &e), BULU_OK);
	assert_int_equal(r.n, 2);
	assert_string_equal(roster_by_station(&r, "A1")->dept, MZ);
	assert_string_equal(roster_by_station(&r, "B1")->role, "y");
	roster_free(&r);
	/* An empty file is an empty roster. */
	assert_int_equal(load_text("", &r, &e), BULU_OK);
	assert_int_equal(r.n, 0);
	roster_free(&r);
}

static void test_load_refusals(void **state)
{
	(void)state;
	roster_entry a = mk("A1", MZ, "cashier"), b = mk("B1", "x", "y");
	char la[512], lb[512], b64a[ROSTER_PUBKEY_B64], b64b[ROSTER_PUBKEY_B64];
	line_of(&a, la, sizeof la);
	line_of(&b, lb, sizeof lb);
	roster_pubkey_base64(&a, b64a);
	roster_pubkey_base64(&b, b64b);
	char bad_b64[ROSTER_PUBKEY_B64];
	snprintf(bad_b64, sizeof bad_b64, "%s", b64a);
	bad_b64[10] = '!';
	uint8_t raw[2 + KEY_ID_BYTES + KEY_PK_BYTES] = {'E', 'd', 9, 9, 9, 9, 9, 9, 9, 9};
	memcpy(raw + 2 + KEY_ID_BYTES, a.pk, KEY_PK_BYTES);
	char foreign[ROSTER_PUBKEY_B64];
	sodium_bin2base64(foreign, sizeof foreign, raw, sizeof raw, sodium_base64_VARIANT_ORIGINAL);

	struct {
		char text[1024];
		const char *at; /* expected "LINE:COL (FIELD)" prefix after "PATH:" */
		const char *also;
	} cases[24];
	size_t n = 0;
#define CASE(at_, also_, ...) do { \
		snprintf(cases[n].text, sizeof cases[n].text, __VA_ARGS__); \
		cases[n].at = at_; cases[n].also = also_; n++; } while (0)
	CASE("3:4 (pubkey): ", "minisign", "# h\n%s\nC1\td\tr\t%s\n", la, bad_b64);
	CASE("2:4 (pubkey): ", "minisign", "%s\nC1\td\tr\t%.40s\n", la, b64b);
	CASE("2:4 (pubkey): ", "missing", "%s\nC1\td\tr\n", la);
	CASE("1:3 (role): ", "missing", "C1\td\n");
	CASE("1:2 (dept): ", "missing", "C1\n");
	CASE("1: ", "more than 4", "C1\td\tr\t%s\textra\n", b64a);
	CASE("1: ", "more than 4", "C1\td\td2\tr\t%s\n", b64a);
	CASE("1:4 (pubkey): ", "missing", "C1\td\tr %s\n", b64a);
	CASE("1:2 (dept): ", "UTF-8", "C1\t\xe9\x97\tr\t%s\n", b64a);
	CASE("1:3 (role): ", "UTF-8", "C1\td\t\xff\t%s\n", b64a);
	CASE("1:1 (station): ", "UTF-8", "C\xc0\xaf\td\tr\t%s\n", b64a);
	CASE("2: ", "UTF-8", "# ok\n# \xff bad comment\n");
	CASE("1:1 (station): ", "letters, digits", "OPD-1\td\tr\t%s\n", b64a);
	CASE("1:1 (station): ", "empty", "\td\tr\t%s\n", b64a);
	CASE("1:2 (dept): ", "empty", "C1\t\tr\t%s\n", b64a);
	CASE("1:2 (dept): ", "control", "C1\td\x01x\tr\t%s\n", b64a);
	CASE("1:4 (pubkey): ", "", "C1\td\tr\tuntrusted comment: %s\n", b64a);
	CASE("1:4 (pubkey): ", "", "C1\td\tr\t%s \n", b64a);
	CASE("1:4 (pubkey): ", "not a bulu station key", "C1\td\tr\t%s\n", foreign);
	CASE("3:1 (station): ", "also line 1", "%s\n%s\nA1\tother\tr\t%s\n", la, lb, b64b);
	CASE("2:4 (pubkey): ", "station A1 (line 1)", "%s\nC1\td\tr\t%s\n", la, b64a);
#undef CASE
	for (size_t i = 0; i < n; i++) {
		roster r;
		bulu_err e = {0};
		int rc = load_text(cases[i].text, &r, &e);
		if (rc != BULU_BADINPUT)
			fail_msg("case %zu loaded with status %d: %s", i, rc, cases[i].text);
		assert_msg_at(&e, cases[i].at);
		if (!strstr(e.msg, cases[i].also))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, e.msg, cases[i].also);
		assert_null(r.v);
		assert_int_equal(r.n, 0);
	}
	/* A NUL byte inside a line. */
	char nul[600];
	int len = snprintf(nul, sizeof nul, "%s\nC1\td", la);
	nul[len++] = '\0';
	len += snprintf(nul + len, sizeof nul - (size_t)len, "\tr\t%s\n", b64b);
	write_file(nul, (size_t)len);
	roster r;
	bulu_err e = {0};
	assert_int_equal(roster_load(path, 1, &r, &e), BULU_BADINPUT);
	assert_msg_at(&e, "2: NUL");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_id_hex_and_base64, setup, teardown),
		cmocka_unit_test_setup_teardown(test_station_ids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_save_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove, setup, teardown),
		cmocka_unit_test_setup_teardown(test_save_fails_cleanly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_lenient_parts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_refusals, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
