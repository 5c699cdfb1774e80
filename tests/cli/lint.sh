#!/bin/sh
# lint.sh - the test scripts themselves: a `check` or `expect` line followed by
# `&&`, `||`, `|` or `;` on the same logical line leaves what follows
# uncounted (the shell runs it after the helper has already counted), so
# no script in tests/cli may have one; a compound condition is written with
# check_sh, a message test with expect_err or grep_err (tests/lib.sh).  The
# lint is shown to catch each shape on a sample of its own.
. "$(dirname "$0")/../lib.sh"
need python3 || { finish; exit 1; }

lint() {
	python3 - "$@" <<'PY'
import re, sys

def top_ops(line):
    """The control operators of LINE outside quotes and $(...)/`...`."""
    ops, stack, i = [], [], 0
    while i < len(line):
        c = line[i]
        top = stack[-1] if stack else None
        if c == "\\" and top != "'":
            i += 2
            continue
        if top == "'":
            if c == "'":
                stack.pop()
        elif top == '"':
            if c == '"':
                stack.pop()
            elif line.startswith("$(", i):
                stack.append("("); i += 1
            elif line.startswith("${", i):
                stack.append("{"); i += 1
            elif c == "`":
                stack.append("`")
        elif top == "{":
            if c == "}":
                stack.pop()
        elif top == "`":
            if c == "`":
                stack.pop()
        else:
            if c == "'":
                stack.append("'")
            elif c == '"':
                stack.append('"')
            elif c == "`":
                stack.append("`")
            elif line.startswith("$(", i):
                stack.append("("); i += 1
            elif line.startswith("${", i):
                stack.append("{"); i += 1
            elif c == "(" and top == "(":
                stack.append("(")
            elif c == ")" and top == "(":
                stack.pop()
            elif top is None and c == "#" and (i == 0 or line[i - 1] in " \t"):
                break
            elif top is None and c in "|&;":
                op = line[i:i + 2] if line[i:i + 2] in ("&&", "||", ";;") else c
                ops.append(op)
                i += len(op)
                continue
        i += 1
    return ops

bad = 0
for path in sys.argv[1:]:
    lines = open(path, encoding="utf-8").read().split("\n")
    i, heredoc = 0, None
    while i < len(lines):
        start, line = i, lines[i]
        i += 1
        if heredoc is not None:
            if line.strip() == heredoc:
                heredoc = None
            continue
        while line.endswith("\\") and i < len(lines):
            line = line[:-1] + " " + lines[i]
            i += 1
        h = re.search(r"<<-?\s*['\"]?([A-Za-z_]+)['\"]?", line)
        if h:
            heredoc = h.group(1)
        m = re.match(r"\s*(?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)*(check|check_sh|expect|expect_err)\s", line)
        if not m:
            continue
        ops = top_ops(line)
        if ops:
            print("%s:%d: %s followed by '%s': the rest is not counted" % (path, start + 1, m.group(1), ops[0]))
            bad += 1
sys.exit(1 if bad else 0)
PY
}

if lint tests/cli/*.sh >"$T/out" 2>"$T/err"; then ok; else fail "uncounted conditions: $(cat "$T/out" "$T/err")"; fi

# The lint finds each shape it names, and passes the right ones.
cat >"$T/bad.sh" <<'S'
check "a" [ -f x ] && [ -f y ]
check "b" q "SELECT 1" | grep -q 1
expect 2 bulu x && grep -q 'row 3' "$T/err"
	check "d" [ "$(grep -c x f)" = 1 ] && \
		[ "$(grep -c y g)" = 1 ]
expect 0 bulu y || true
S
lint "$T/bad.sh" >"$T/out" 2>&1
check "the lint finds all five bad shapes ($(wc -l <"$T/out") found)" [ "$(wc -l <"$T/out")" -eq 5 ]
cat >"$T/good.sh" <<'S'
check "a" [ "$(q "SELECT 1 || 2 FROM t")" = 12 ]
check_sh "b" '[ -f x ] && [ -f y ]'
X=${a%|*} expect 0 bulu "${b#*|}"
expect_err 2 'row 3' bulu x
[ -f x ] && ok || fail "x"
S
if lint "$T/good.sh" >"$T/out" 2>&1; then ok; else fail "the lint refuses right shapes: $(cat "$T/out")"; fi
finish
