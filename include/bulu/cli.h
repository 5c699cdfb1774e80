/*
 * cli.h - the command layer: one function per subcommand, one table.
 *
 * Every cmd_* takes the arguments after "bulu GROUP NAME" (argv[0] is the
 * command's full name, e.g. "bulu capture charge"), parses them with
 * getopt_long, prints data on stdout and messages on stderr, and returns the
 * exit status (enum bulu_status).  Only this layer exits.
 *
 * The table (cli/commands.def) and main.c are the program's front door; the
 * command functions live in the folders of their parts, and the helpers
 * every command shares (failure and usage messages, --format, CSV cells)
 * in core/cmd.c, declared in bulu/cmd.h.  No part calls into cli/
 * (scripts/deps.sh checks it).
 */
#ifndef BULU_CLI_H
#define BULU_CLI_H

#include "bulu/cmd.h"

typedef int (*cmd_fn)(int argc, char **argv);

#define CMD(group, name, fn, summary) int fn(int argc, char **argv);
#include "commands.def"
#undef CMD

#endif
