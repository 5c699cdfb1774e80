/* test_hashidx.c - the one hash table (core/hashidx.c): every key entered is
 * found at its index through growth, absent keys are not, keys whose hashes
 * collide wholly are told apart by the caller's `same`, and the string pool
 * built on it gives ids in insertion order. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bulu/hashidx.h"
#include "bulu/strpool.h"

#define N 100000

static uint64_t keys[N];

struct want {
	uint64_t key;
};

static int same(const void *ctx, uint32_t i)
{
	return keys[i] == ((const struct want *)ctx)->key;
}

static uint32_t find(const hashidx *t, uint64_t h, uint64_t key)
{
	struct want w = {key};
	return hashidx_find(t, h, same, &w);
}

static void test_grows_and_finds(void **state)
{
	(void)state;
	hashidx t;
	assert_int_equal(hashidx_init(&t, 0), 0); /* grows from the smallest table */
	for (uint32_t i = 0; i < N; i++) {
		keys[i] = (uint64_t)i * 7919 + 13;
		uint64_t h = hashidx_hash(&keys[i], sizeof keys[i]);
		assert_int_equal(find(&t, h, keys[i]), HASHIDX_NONE);
		assert_int_equal(hashidx_add(&t, h, i), 0);
	}
	assert_int_equal(t.n, N);
	assert_true(t.cap >= 2 * N); /* at most half full */
	for (uint32_t i = 0; i < N; i++)
		assert_int_equal(find(&t, hashidx_hash(&keys[i], sizeof keys[i]), keys[i]), i);
	for (uint64_t k = 1; k < 1000; k++) { /* k * 7919 + 13 + 1 is never a key */
		uint64_t absent = k * 7919 + 14;
		assert_int_equal(find(&t, hashidx_hash(&absent, sizeof absent), absent), HASHIDX_NONE);
	}
	hashidx_free(&t);
	assert_int_equal(t.cap, 0);
	/* a freed (or never initialised) table finds nothing */
	assert_int_equal(find(&t, 1, keys[0]), HASHIDX_NONE);
}

static void test_same_hash_told_apart(void **state)
{
	(void)state;
	hashidx t;
	assert_int_equal(hashidx_init(&t, 4), 0);
	/* 64 keys, every one with the same hash: a chain the probe must walk,
	 * through two growths */
	for (uint32_t i = 0; i < 64; i++) {
		keys[i] = 1000 + i;
		assert_int_equal(hashidx_add(&t, 0xdeadbeefcafef00dull, i), 0);
	}
	for (uint32_t i = 0; i < 64; i++)
		assert_int_equal(find(&t, 0xdeadbeefcafef00dull, 1000 + i), i);
	assert_int_equal(find(&t, 0xdeadbeefcafef00dull, 999), HASHIDX_NONE);
	/* only the upper half is kept: a hash that differs only in its lower
	 * half probes the same chain, and `same` decides */
	assert_int_equal(find(&t, 0xdeadbeef00000000ull, 1000), 0);
	assert_int_equal(find(&t, 0x1eadbeefcafef00dull, 1000), HASHIDX_NONE);
	hashidx_free(&t);
}

static void test_hash_spreads(void **state)
{
	(void)state;
	/* the hash of short keys differs in its upper half (which places keys)
	 * for every one of 100000 consecutive integers */
	hashidx t;
	assert_int_equal(hashidx_init(&t, N), 0);
	size_t home_used = 0;
	uint8_t *seen = calloc(t.cap, 1);
	assert_non_null(seen);
	for (uint64_t i = 0; i < N; i++) {
		uint64_t h = hashidx_hash(&i, sizeof i);
		size_t k = (size_t)(h >> 32) & (t.cap - 1);
		home_used += !seen[k];
		seen[k] = 1;
	}
	/* N keys over 2N+ slots at random fill about 1 - e^-0.5 of them: 39 %
	 * of the slots, 78 % of N distinct homes; a poor hash fills far fewer */
	assert_true(home_used > N * 7 / 10);
	free(seen);
	hashidx_free(&t);
}

static void test_strpool_on_it(void **state)
{
	(void)state;
	strpool *p = strpool_new();
	assert_non_null(p);
	assert_int_equal(strpool_intern(p, "", 0), 0);
	char s[32];
	for (int i = 0; i < 20000; i++) {
		snprintf(s, sizeof s, "P%07d", i);
		assert_int_equal(strpool_intern(p, s, strlen(s)), (uint32_t)i + 1);
	}
	for (int i = 0; i < 20000; i++) {
		snprintf(s, sizeof s, "P%07d", i);
		assert_int_equal(strpool_find(p, s, strlen(s)), (uint32_t)i + 1);
		assert_int_equal(strpool_intern(p, s, strlen(s)), (uint32_t)i + 1);
		assert_string_equal(strpool_str(p, (uint32_t)i + 1), s);
	}
	assert_int_equal(strpool_find(p, "P0020000", 8), UINT32_MAX);
	/* a prefix is another string */
	assert_int_equal(strpool_find(p, "P000001", 7), UINT32_MAX);
	assert_int_equal(strpool_count(p), 20001);
	strpool_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grows_and_finds),
		cmocka_unit_test(test_same_hash_told_apart),
		cmocka_unit_test(test_hash_spreads),
		cmocka_unit_test(test_strpool_on_it),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
