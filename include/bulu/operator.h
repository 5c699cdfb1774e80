/*
 * operator.h - the people who may work at a station (`bulu operator add|
 * list|disable`), their PINs, and the rule that once a station has
 * operators every entry names one of them.
 *
 * Roles: cashier, nurse, pharmacist, lab, imaging, it (it may use every
 * form).  PINs are 4-12 digits, kept only as Argon2id hashes (schemas/
 * operators.sql); every change is also an `operator` journal entry.
 */
#ifndef BULU_OPERATOR_H
#define BULU_OPERATOR_H

#include <stddef.h>
#include "bulu/err.h"
#include "bulu/journal.h"

#define OPERATOR_MAX 256

typedef struct operator_rec {
	char name[128];
	char role[32];
	int active;
} operator_rec;

typedef struct operator_list {
	operator_rec *op; /* malloc'd */
	size_t n;
} operator_list;

/* 1 if role is one of the roles above. */
int operator_role_ok(const char *role);

/* Every operator (active or not), by name.  A station without the table has
 * none.  Free with operator_list_free(). */
int operator_list_load(journal *j, operator_list *out, bulu_err *e);
void operator_list_free(operator_list *l);
/* The active operator named name, or NULL. */
const operator_rec *operator_find(const operator_list *l, const char *name);
/* Number of active operators. */
size_t operator_active_count(const operator_list *l);
/* "张丽, 王芳" (active ones) into out, for messages. */
void operator_names(const operator_list *l, char *out, size_t n);

/* Check name's PIN.  BULU_OK and role (32 bytes) filled; BULU_BADINPUT for
 * an unknown or disabled name or a wrong PIN (one message for all three). */
int operator_sign_in(journal *j, const char *name, const char *pin, char role[32],
                     bulu_err *e);

#endif
