/*
 * err.h - bulu's status codes and the error value every library function fills.
 *
 * Library code never exits: it returns one of the BULU_* codes below and, on
 * failure, writes one human sentence into a bulu_err.  Only the command layer
 * (cli/ and the cmd_* functions) turns a status into an exit code, so the
 * mapping below is the whole of bulu's exit-status promise (see bulu(1)).
 *
 * Messages name the file, row and column of bad input, and never carry
 * patient data (names, patient ids) unless the caller asked for verbosity.
 */
#ifndef BULU_ERR_H
#define BULU_ERR_H

#include <stddef.h>

enum bulu_status {
	BULU_OK = 0,        /* done, clean */
	BULU_FINDINGS = 1,  /* done, findings or problems reported */
	BULU_BADINPUT = 2,  /* bad usage or bad input; nothing changed */
	BULU_INTEGRITY = 3, /* integrity violation: tampering, bad signature, fork */
	BULU_SYSTEM = 4     /* the system failed us (disk full, read-only media, I/O) */
};

typedef struct bulu_err {
	int code;
	char msg[1024];
} bulu_err;

/* Record a failure in e (which may be NULL) and return code. */
int bulu_errf(bulu_err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefix an existing message: "context: old message". Returns e->code. */
int bulu_err_prefix(bulu_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Clear e to BULU_OK with an empty message. */
void bulu_err_clear(bulu_err *e);

#endif
