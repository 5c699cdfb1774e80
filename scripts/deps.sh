#!/bin/sh
# deps.sh [--graph] BUILD: the file-level call graph of bulu, derived from the
# object files of a build (BUILD/PART/FILE.o, as `make` leaves them), and the
# two rules of the house checked on it:
#
#   1. no part calls into cli/ (cli/ is the program's front door: main.c and
#      the command table; the helpers every command shares live in core/);
#   2. inside a part (a top folder: core, capture, sync, reconcile, sim, ...)
#      the calls between files run one way: no circle of files.
#
# An edge A -> B means A.o refers to a global symbol (function or data) that
# B.o defines: the calls (and data) that actually bind the files, whatever
# headers declare them.  Headers are declarations only: a part's private
# header shared by all its files (his_internal.h, web/screen.h) makes no
# dependency by itself, and including bulu/cli.h (the command table's
# declarations, cli/commands.def) is not a call into cli/, since the
# functions it declares live in the parts.  Calls between parts are allowed
# and listed with --graph; the part-level order is the README's
# architecture.  Exit 0 when both rules
# hold, 1 naming each call into cli/ and each circle, 2 on bad usage.
set -eu
LC_ALL=C
export LC_ALL
graph=0
if [ "${1:-}" = --graph ]; then graph=1; shift; fi
[ $# -eq 1 ] || { echo "usage: deps.sh [--graph] BUILD" >&2; exit 2; }
B=$1
[ -d "$B" ] || { echo "deps.sh: $B: no such build directory" >&2; exit 2; }
NM=${NM:-nm}
W=$(mktemp -d "${TMPDIR:-/tmp}/bulu-deps.XXXXXX")
trap 'rm -rf "$W"' EXIT

# Every object of the program, named PART/FILE.c as in the tree.  The
# generated schema objects (gen/) define data only and are left out; so are
# tests/ and bench/, which are not parts.  With SRC set (the tree, by
# default the one this script is in), an object whose source is gone (a
# file moved since the last build) is left out too.
SRC=${SRC-$(cd "$(dirname "$0")/.." && pwd)}
(cd "$B" && find . -name '*.o' | sed 's|^\./||' |
	grep -v -e '^gen/' -e '^tests/' -e '^bench/' | sort) |
	while read -r o; do
		[ -z "$SRC" ] || [ -f "$SRC/${o%.o}.c" ] || continue
		echo "$o"
	done >"$W/objs"
[ -s "$W/objs" ] || { echo "deps.sh: no object files under $B (run make first)" >&2; exit 2; }
: >"$W/def"
: >"$W/use"
while read -r o; do
	f=${o%.o}.c
	"$NM" -P --defined-only "$B/$o" 2>/dev/null |
		awk -v f="$f" '$2 ~ /^[TDBRVWCG]$/ { print $1, f }' >>"$W/def"
	"$NM" -P --undefined-only "$B/$o" 2>/dev/null |
		awk -v f="$f" '{ print $1, f }' >>"$W/use"
done <"$W/objs"

# edges: "FROM TO" for each file FROM using a symbol that file TO defines.
awk 'NR == FNR { def[$1] = $2; next }
	($1 in def) && def[$1] != $2 { print $2, def[$1] }' "$W/def" "$W/use" |
	sort -u >"$W/edges"

[ "$graph" = 0 ] || cat "$W/edges"

bad=0
# Rule 1: calls into cli/ from outside it.
awk '$2 ~ /^cli\// && $1 !~ /^cli\// { print }' "$W/edges" >"$W/cli"
if [ -s "$W/cli" ]; then
	bad=1
	while read -r from to; do
		echo "deps.sh: $from calls into $to: cli/ is the front door only; move what the parts share to core/" >&2
	done <"$W/cli"
fi

# Rule 2: no circle of files inside a part.  tsort names one file of each
# loop it finds; the whole circle is printed from the edges.
for part in $(cut -d/ -f1 "$W/objs" | sort -u); do
	awk -v p="$part/" 'index($1, p) == 1 && index($2, p) == 1' "$W/edges" >"$W/part"
	[ -s "$W/part" ] || continue
	if ! tsort "$W/part" >/dev/null 2>"$W/loop"; then
		bad=1
		echo "deps.sh: a circle of files in $part/:" >&2
		grep -v 'input contains a loop' "$W/loop" | sed 's/^tsort: /    /' >&2
	fi
done
exit "$bad"
