/*
 * main.c - the `bulu` program: finds the subcommand in the table
 * (commands.def) and runs it.  Nothing else happens here; every command
 * lives in its own function, in the folder of its part.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulu/cli.h"

#ifndef BULU_VERSION
#define BULU_VERSION "0.1.0"
#endif

struct command {
	const char *group, *name;
	cmd_fn fn;
	const char *summary;
};

static const struct command commands[] = {
#define CMD(group, name, fn, summary) {group, name, fn, summary},
#include "commands.def"
#undef CMD
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void list(FILE *out, const char *group)
{
	const char *last = NULL;
	for (size_t i = 0; i < NCOMMANDS; i++) {
		const struct command *c = &commands[i];
		if (group && strcmp(group, c->group) != 0)
			continue;
		if (!last || strcmp(last, c->group) != 0)
			fputc('\n', out);
		last = c->group;
		if (*c->name)
			fprintf(out, "  bulu %s %-16s %s\n", c->group, c->name, c->summary);
		else
			fprintf(out, "  bulu %-24s %s\n", c->group, c->summary);
	}
}

static void usage(FILE *out)
{
	fprintf(out,
		"bulu %s - capture during an HIS outage, sync, and reconcile the back-fill (补录)\n"
		"\n"
		"usage: bulu GROUP COMMAND [OPTIONS]    bulu GROUP COMMAND --help for details\n",
		BULU_VERSION);
	list(out, NULL);
	fprintf(out,
		"\n"
		"The station directory is --dir DIR, else $BULU_HOME, else\n"
		"$XDG_DATA_HOME/bulu/station, else ~/.local/share/bulu/station.\n"
		"\n"
		"Exit status: 0 done and clean; 1 done, findings or problems reported;\n"
		"2 bad usage or bad input, nothing changed; 3 integrity violation\n"
		"(tampering, bad signature, restored old copy); 4 system failure (disk full,\n"
		"read-only media), nothing saved.  See bulu(1).\n");
}

static int known_group(const char *g)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].group, g) == 0)
			return 1;
	return 0;
}

static int named(const char *g, const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].group, g) == 0 && *commands[i].name &&
		    strcmp(commands[i].name, name) == 0)
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	/* Past `ulimit -f` a write fails with EFBIG, reported as a system
	 * failure (exit 4, nothing saved), instead of the signal killing bulu
	 * without a word. */
	signal(SIGXFSZ, SIG_IGN);
	const char *v = getenv("BULU_VERBOSE");
	cli_verbose = v && strcmp(v, "1") == 0;
	if (argc < 2) {
		usage(stderr);
		return BULU_BADINPUT;
	}
	const char *g = argv[1];
	if (strcmp(g, "help") == 0 || strcmp(g, "--help") == 0 || strcmp(g, "-h") == 0) {
		if (argc > 2 && known_group(argv[2])) {
			printf("bulu %s:\n", argv[2]);
			list(stdout, argv[2]);
		} else {
			usage(stdout);
		}
		return BULU_OK;
	}
	if (strcmp(g, "version") == 0 || strcmp(g, "--version") == 0) {
		printf("bulu %s\n", BULU_VERSION);
		return BULU_OK;
	}
	if (!known_group(g)) {
		fprintf(stderr, "bulu: unknown command '%s'. Try 'bulu help'.\n", g);
		return BULU_BADINPUT;
	}
	/* a group that is itself the command: bulu reconcile --ledger ...; it
	 * may have subcommands as well (bulu sim, bulu sim score) */
	for (size_t i = 0; i < NCOMMANDS; i++) {
		const struct command *c = &commands[i];
		if (strcmp(c->group, g) == 0 && !*c->name && !(argc > 2 && named(g, argv[2]))) {
			char name[96];
			snprintf(name, sizeof name, "bulu %s", c->group);
			argv[1] = name;
			return c->fn(argc - 1, argv + 1);
		}
	}
	if (argc < 3 || strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0) {
		FILE *out = argc < 3 ? stderr : stdout;
		fprintf(out, "bulu %s: a command is needed:\n", g);
		list(out, g);
		return argc < 3 ? BULU_BADINPUT : BULU_OK;
	}
	for (size_t i = 0; i < NCOMMANDS; i++) {
		const struct command *c = &commands[i];
		if (strcmp(c->group, g) != 0 || strcmp(c->name, argv[2]) != 0)
			continue;
		char name[96];
		snprintf(name, sizeof name, "bulu %s %s", c->group, c->name);
		argv[2] = name;
		return c->fn(argc - 2, argv + 2);
	}
	fprintf(stderr, "bulu: unknown command 'bulu %s %s'. Try 'bulu help %s'.\n", g, argv[2], g);
	return BULU_BADINPUT;
}
