#!/bin/sh
# deps.sh - the house rules of the layout, checked on the build's objects by
# scripts/deps.sh: no part calls into cli/, and no circle of files inside a
# part.  First the checker itself is shown to fail on a small tree made to
# break each rule, then it must pass on the build that $BULU belongs to.
. "$(dirname "$0")/../lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DEPS=$ROOT/scripts/deps.sh
B=$(dirname "$BULU")
CC=${CC:-cc}

# A tree with a circle in part x (a.c -> b.c -> c.c -> a.c) and a call from
# part y into cli/.
mkdir -p "$T/bad/x" "$T/bad/y" "$T/bad/cli"
printf 'int b(void);\nint a(void) { return b(); }\n' >"$T/bad/x/a.c"
printf 'int c(void);\nint b(void) { return c(); }\n' >"$T/bad/x/b.c"
printf 'int a(void);\nint c(void) { return a() + 1; }\n' >"$T/bad/x/c.c"
printf 'int front(void);\nint y(void) { return front(); }\n' >"$T/bad/y/y.c"
printf 'int front(void) { return 1; }\n' >"$T/bad/cli/main.c"
for f in x/a x/b x/c y/y cli/main; do
	"$CC" -c -o "$T/bad/$f.o" "$T/bad/$f.c" || fail "cc $f.c"
done
export SRC=""    # the made-up tree has no sources beside the objects
expect 1 sh "$DEPS" "$T/bad"
check "a circle is named" grep -q 'circle of files in x/' "$T/err"
check "a call into cli/ is named" grep -q 'y/y.c calls into cli/main.c' "$T/err"

# The same tree with the circle broken (c.c no longer calls back) and the
# helper moved out of cli/ passes.
printf 'int c(void) { return 1; }\n' >"$T/bad/x/c.c"
"$CC" -c -o "$T/bad/x/c.o" "$T/bad/x/c.c" || fail "cc c.c"
mkdir -p "$T/bad/core"
mv "$T/bad/cli/main.o" "$T/bad/core/front.o"
expect 0 sh "$DEPS" "$T/bad"

# bulu itself.
unset SRC
expect 0 sh "$DEPS" "$B"
[ ! -s "$T/err" ] || sed 's/^/    /' "$T/err" >&2
sh "$DEPS" --graph "$B" >"$T/out" 2>/dev/null
check "the graph has the reconcile edges" grep -q '^reconcile/reconcile_cmd.c reconcile/' "$T/out"
finish
