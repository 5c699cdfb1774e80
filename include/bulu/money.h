/*
 * money.h - money is integer fen (分) inside bulu; yuan exist only at the edges.
 *
 * money_parse_yuan accepts what people and spreadsheets write: "12", "12.5",
 * "12.50", "1,234.50", "¥12.00", "￥12.00", "-3.20", "(3.20)" is NOT accepted,
 * surrounding spaces are ignored.  More than two decimals, stray characters,
 * misplaced thousands separators, empty input or overflow are refused.
 */
#ifndef BULU_MONEY_H
#define BULU_MONEY_H

#include <stddef.h>
#include <stdint.h>

/* Parse yuan text of length len into fen. Returns 0, or -1 if malformed. */
int money_parse_yuan(const char *s, size_t len, int64_t *fen);

/* Parse an integer count of fen ("1234", "-5"). Returns 0, or -1. */
int money_parse_fen(const char *s, size_t len, int64_t *fen);

/* Format fen as yuan with two decimals: -123456 -> "-1234.56". */
void money_format_yuan(int64_t fen, char out[32]);

/* *out = a * b, refusing overflow. Returns 0, or -1 on overflow. */
int money_mul(int64_t a, int64_t b, int64_t *out);

/* *acc += v, refusing overflow. Returns 0, or -1 on overflow. */
int money_add(int64_t *acc, int64_t v);

/* a + v, held at the int64 bound on v's side when it would overflow, so a
 * sum of absurd amounts keeps its sign (the reports' totals). */
int64_t money_add_sat(int64_t a, int64_t v);

/* Parse a plain decimal integer (optional leading '-', no spaces inside;
 * surrounding spaces ignored). Returns 0, or -1. */
int parse_int64(const char *s, size_t len, int64_t *out);

#endif
