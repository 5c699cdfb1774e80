/*
 * operator.c - `bulu operator add|list|disable` and sign-in: who may work at
 * a station.
 *
 * Decision: operator changes are journal entries (kind `operator`, body
 * {action, name, role[, reason]}), so who was allowed to sign in, from when,
 * and who added them is signed, chained and carried to the central office
 * like every form.  The PIN hashes stay beside the chain in the operators
 * table (schemas/operators.sql), written in the same transaction as the
 * entry: they never travel in a bundle.
 *
 * Invariants: a PIN is stored only as crypto_pwhash_str (Argon2id) and wiped
 * from memory after use; sign-in gives one message for an unknown name, a
 * disabled one and a wrong PIN.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "bulu/cli.h"
#include "bulu/clock.h"
#include "bulu/json.h"
#include "bulu/operator.h"
#include "bulu/text.h"

extern const char schema_operators_sql[];

static const char *const roles[] = {"cashier", "nurse", "pharmacist", "lab", "imaging", "it"};

int operator_role_ok(const char *role)
{
	for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
		if (strcmp(role, roles[i]) == 0)
			return 1;
	return 0;
}

static int has_table(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int yes = 0;
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'operators'",
			       -1, &st, NULL) == SQLITE_OK)
		yes = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return yes;
}

void operator_list_free(operator_list *l)
{
	free(l->op);
	l->op = NULL;
	l->n = 0;
}

int operator_list_load(journal *j, operator_list *out, bulu_err *e)
{
	memset(out, 0, sizeof *out);
	sqlite3 *db = journal_db(j);
	if (!has_table(db))
		return BULU_OK;
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, "SELECT name, role, active FROM operators ORDER BY name", -1, &st,
			       NULL) != SQLITE_OK)
		return bulu_errf(e, BULU_SYSTEM, "journal.db: %s", sqlite3_errmsg(db));
	out->op = calloc(OPERATOR_MAX, sizeof *out->op);
	if (!out->op) {
		sqlite3_finalize(st);
		return bulu_errf(e, BULU_SYSTEM, "out of memory");
	}
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && out->n < OPERATOR_MAX) {
		operator_rec *o = &out->op[out->n++];
		snprintf(o->name, sizeof o->name, "%s", (const char *)sqlite3_column_text(st, 0));
		snprintf(o->role, sizeof o->role, "%s", (const char *)sqlite3_column_text(st, 1));
		o->active = sqlite3_column_int(st, 2);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		operator_list_free(out);
		return bulu_errf(e, BULU_SYSTEM, "journal.db: %s", sqlite3_errmsg(db));
	}
	return BULU_OK;
}

const operator_rec *operator_find(const operator_list *l, const char *name)
{
	for (size_t i = 0; name && i < l->n; i++)
		if (l->op[i].active && strcmp(l->op[i].name, name) == 0)
			return &l->op[i];
	return NULL;
}

size_t operator_active_count(const operator_list *l)
{
	size_t n = 0;
	for (size_t i = 0; i < l->n; i++)
		n += l->op[i].active != 0;
	return n;
}

void operator_names(const operator_list *l, char *out, size_t n)
{
	size_t k = 0;
	out[0] = '\0';
	for (size_t i = 0; i < l->n && k < n; i++)
		if (l->op[i].active)
			k += (size_t)snprintf(out + k, n - k, "%s%s", k ? ", " : "", l->op[i].name);
}

int operator_sign_in(journal *j, const char *name, const char *pin, char role[32], bulu_err *e)
{
	sqlite3 *db = journal_db(j);
	sqlite3_stmt *st = NULL;
	char hash[crypto_pwhash_STRBYTES] = "";
	int found = 0;
	if (has_table(db) &&
	    sqlite3_prepare_v2(db, "SELECT role, pin_hash FROM operators WHERE name = ?1 AND active",
			       -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW) {
			snprintf(role, 32, "%s", (const char *)sqlite3_column_text(st, 0));
			snprintf(hash, sizeof hash, "%s", (const char *)sqlite3_column_text(st, 1));
			found = 1;
		}
	}
	sqlite3_finalize(st);
	char p[64];
	snprintf(p, sizeof p, "%s", pin ? pin : "");
	text_halfwidth(p);
	int ok = found && crypto_pwhash_str_verify(hash, p, strlen(p)) == 0;
	sodium_memzero(p, sizeof p);
	if (!ok)
		return bulu_errf(e, BULU_BADINPUT, "wrong name or PIN");
	return BULU_OK;
}

/* ---- the commands ------------------------------------------------------ */

static int pin_ok(const char *p)
{
	size_t n = strlen(p);
	if (n < 4 || n > 12)
		return 0;
	for (; *p; p++)
		if (*p < '0' || *p > '9')
			return 0;
	return 1;
}

static int tty_line(const char *prompt, char *out, size_t n)
{
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY);
	if (fd < 0)
		return -1;
	struct termios old, quiet;
	int have = tcgetattr(fd, &old) == 0;
	if (have) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(fd, TCSAFLUSH, &quiet);
	}
	(void)!write(fd, prompt, strlen(prompt));
	ssize_t r = read(fd, out, n - 1);
	(void)!write(fd, "\n", 1);
	if (have)
		tcsetattr(fd, TCSAFLUSH, &old);
	close(fd);
	out[r > 0 ? r : 0] = '\0';
	out[strcspn(out, "\r\n")] = '\0';
	return 0;
}

/* The new PIN: --pin-file, else $BULU_PIN_FILE, else the terminal (twice). */
static int read_pin(const char *cmd, const char *file, char *pin, size_t n)
{
	if (!file || !*file)
		file = getenv("BULU_PIN_FILE");
	if (file && *file) {
		FILE *f = fopen(file, "r");
		if (!f)
			return cli_usage(cmd, "cannot read the PIN file %s: %s", file, strerror(errno));
		if (!fgets(pin, (int)n, f))
			pin[0] = '\0';
		fclose(f);
		pin[strcspn(pin, "\r\n")] = '\0';
	} else {
		char again[64];
		if (tty_line("PIN (4-12 digits): ", pin, n) != 0)
			return cli_usage(cmd, "no terminal to ask the PIN on: give --pin-file FILE "
					      "or set BULU_PIN_FILE");
		if (tty_line("PIN again: ", again, sizeof again) != 0 || strcmp(pin, again) != 0) {
			sodium_memzero(again, sizeof again);
			return cli_usage(cmd, "the two PINs differ; nothing changed");
		}
		sodium_memzero(again, sizeof again);
	}
	text_halfwidth(pin);
	if (!pin_ok(pin))
		return cli_usage(cmd, "a PIN is 4 to 12 digits");
	return BULU_OK;
}

static int name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 64 || !text_is_utf8(s, n))
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f || *s == ',')
			return 0;
	return 1;
}

/* Append the operator entry and run sql (bound: name, role, hash, time) in
 * one durable transaction. */
static int change(const char *dir, const char *by, const char *action, const char *name,
		  const char *role, const char *reason, const char *hash, bulu_err *e)
{
	journal *j = NULL;
	sqlite3_stmt *st = NULL;
	jw w;
	jw_init(&w);
	int rc = journal_open(dir, JOURNAL_WRITE, &j, e);
	if (rc == BULU_OK)
		rc = journal_begin(j, e);
	if (rc != BULU_OK)
		goto done;
	sqlite3 *db = journal_db(j);
	char *err = NULL;
	if (sqlite3_exec(db, schema_operators_sql, NULL, NULL, &err) != SQLITE_OK) {
		rc = bulu_errf(e, BULU_SYSTEM, "journal.db: %s", err ? err : "?");
		sqlite3_free(err);
		goto done;
	}
	char now[CLOCK_ISO_MAX];
	clock_now_iso(now);
	int add = strcmp(action, "add") == 0;
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(db, "SELECT role, active FROM operators WHERE name = ?1", -1, &q,
			       NULL) != SQLITE_OK) {
		rc = bulu_errf(e, BULU_SYSTEM, "journal.db: %s", sqlite3_errmsg(db));
		goto done;
	}
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	int exists = sqlite3_step(q) == SQLITE_ROW, active = exists && sqlite3_column_int(q, 1);
	char old_role[32] = "";
	if (exists)
		snprintf(old_role, sizeof old_role, "%s", (const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	if (add && active) {
		rc = bulu_errf(e, BULU_BADINPUT, "%s is an operator already (disable first to "
						 "give a new PIN or role)", name);
		goto done;
	}
	if (!add && !active) {
		rc = bulu_errf(e, BULU_BADINPUT, "%s is not an active operator of this station", name);
		goto done;
	}
	if (!add)
		role = old_role;
	const char *sql = add ? "INSERT INTO operators (name, role, pin_hash, active, added_at)"
				" VALUES (?1, ?2, ?3, 1, ?4) ON CONFLICT (name) DO UPDATE SET"
				" role = ?2, pin_hash = ?3, active = 1, added_at = ?4"
			      : "UPDATE operators SET active = 0, pin_hash = '' WHERE name = ?1";
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		rc = bulu_errf(e, BULU_SYSTEM, "journal.db: %s", sqlite3_errmsg(db));
		goto done;
	}
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (add) {
		sqlite3_bind_text(st, 2, role, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, hash, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
	}
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = bulu_errf(e, BULU_SYSTEM, "journal.db: %s", sqlite3_errmsg(db));
		goto done;
	}
	jw_obj_begin(&w);
	jw_kstr(&w, "action", action);
	jw_kstr(&w, "name", name);
	jw_kstr_opt(&w, "reason", reason);
	jw_kstr(&w, "role", role);
	jw_obj_end(&w);
	const char *body;
	size_t blen;
	int64_t seq;
	char ep[64];
	int drill;
	if (jw_finish(&w, &body, &blen) != 0) {
		rc = bulu_errf(e, BULU_BADINPUT, "name or reason is not valid UTF-8");
		goto done;
	}
	if ((rc = journal_episode(j, ep, &drill, e)) == BULU_OK &&
	    (rc = journal_append(j, "operator", by, ep, NULL, body, blen, &seq, e)) == BULU_OK)
		rc = journal_commit(j, e);
	if (rc == BULU_OK) {
		char ref[96];
		entry_ref(ref, sizeof ref, journal_station(j), seq);
		printf("saved %s operator %s %s (%s)\n", ref, action, name, role);
	}
done:
	sqlite3_finalize(st);
	jw_free(&w);
	journal_close(j);
	return rc;
}

static const char add_usage[] =
	"usage: bulu operator add --name NAME --role ROLE [--pin-file FILE] [--operator WHO]\n"
	"                         [--dir DIR]\n"
	"\n"
	"Let NAME sign in at this station's screen (bulu station serve) as ROLE:\n"
	"cashier, nurse, pharmacist, lab, imaging or it (every form).  The PIN (4-12\n"
	"digits) is asked twice on the terminal, or read from the first line of FILE\n"
	"or of $BULU_PIN_FILE; only its Argon2id hash is kept.  Appends an `operator`\n"
	"entry (who added whom, as what).  Once a station has operators, every\n"
	"captured form must name one of them.  WHO defaults to $BULU_OPERATOR or\n"
	"the login name.\n";

int cmd_operator_add(int argc, char **argv)
{
	static const struct option opts[] = {
		{"name", required_argument, 0, 'n'},     {"role", required_argument, 0, 'r'},
		{"pin-file", required_argument, 0, 'p'}, {"operator", required_argument, 0, 'o'},
		{"dir", required_argument, 0, 'D'},      {"help", no_argument, 0, 'h'},
		{0, 0, 0, 0}};
	const char *name = NULL, *role = NULL, *pfile = NULL, *dir = NULL, *by = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'n': name = optarg; break;
		case 'r': role = optarg; break;
		case 'p': pfile = optarg; break;
		case 'o': by = optarg; break;
		case 'D': dir = optarg; break;
		case 'h': return cli_help(add_usage);
		default: return cli_usage(argv[0], "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage(argv[0], "unexpected argument '%s'", argv[optind]);
	if (!name || !name_ok(name))
		return cli_usage(argv[0], "--name: 1-64 bytes of UTF-8, no commas or control characters");
	if (!role || !operator_role_ok(role))
		return cli_usage(argv[0], "--role: one of cashier, nurse, pharmacist, lab, imaging, it");
	char pin[64];
	int rc = read_pin(argv[0], pfile, pin, sizeof pin);
	if (rc != BULU_OK)
		return rc;
	char hash[crypto_pwhash_STRBYTES];
	bulu_err e = {0};
	if (sodium_init() < 0 ||
	    crypto_pwhash_str(hash, pin, strlen(pin), crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
		sodium_memzero(pin, sizeof pin);
		bulu_errf(&e, BULU_SYSTEM, "cannot hash the PIN (out of memory)");
		return cli_fail(&e);
	}
	sodium_memzero(pin, sizeof pin);
	rc = change(dir, cli_operator(by, 1), "add", name, role, NULL, hash, &e);
	return rc == BULU_OK ? BULU_OK : cli_fail(&e);
}

static const char disable_usage[] =
	"usage: bulu operator disable --name NAME [--reason TEXT] [--operator WHO] [--dir DIR]\n"
	"\n"
	"Stop NAME signing in at this station (the PIN hash is wiped) and appends an\n"
	"`operator` entry saying so.  `bulu operator add` may let them in again, with a\n"
	"new PIN.\n";

int cmd_operator_disable(int argc, char **argv)
{
	static const struct option opts[] = {
		{"name", required_argument, 0, 'n'},     {"reason", required_argument, 0, 'r'},
		{"operator", required_argument, 0, 'o'}, {"dir", required_argument, 0, 'D'},
		{"help", no_argument, 0, 'h'},           {0, 0, 0, 0}};
	const char *name = NULL, *reason = NULL, *dir = NULL, *by = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'n': name = optarg; break;
		case 'r': reason = optarg; break;
		case 'o': by = optarg; break;
		case 'D': dir = optarg; break;
		case 'h': return cli_help(disable_usage);
		default: return cli_usage(argv[0], "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage(argv[0], "unexpected argument '%s'", argv[optind]);
	if (!name || !*name)
		return cli_usage(argv[0], "--name is required");
	bulu_err e = {0};
	int rc = change(dir, cli_operator(by, 1), "disable", name, NULL, reason, NULL, &e);
	return rc == BULU_OK ? BULU_OK : cli_fail(&e);
}

static const char list_usage[] =
	"usage: bulu operator list [--dir DIR]\n"
	"\n"
	"Print this station's operators: name, role, 启用 (active) or 停用 (disabled).\n";

int cmd_operator_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{"dir", required_argument, 0, 'D'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	const char *dir = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'D': dir = optarg; break;
		case 'h': return cli_help(list_usage);
		default: return cli_usage(argv[0], "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage(argv[0], "unexpected argument '%s'", argv[optind]);
	bulu_err e = {0};
	journal *j = NULL;
	operator_list l = {0};
	int rc = journal_open(dir, JOURNAL_READ, &j, &e);
	if (rc == BULU_OK)
		rc = operator_list_load(j, &l, &e);
	if (rc == BULU_OK) {
		if (l.n == 0)
			fprintf(stderr, "bulu: no operators yet: any name may be given to --operator "
					"(bulu operator add makes the first)\n");
		for (size_t i = 0; i < l.n; i++)
			printf("%s\t%s\t%s\n", l.op[i].name, l.op[i].role,
			       l.op[i].active ? "启用" : "停用");
	}
	operator_list_free(&l);
	journal_close(j);
	return rc == BULU_OK ? BULU_OK : cli_fail(&e);
}
