#!/bin/sh
# tests/run.sh BUILD: run every unit test, every CLI test and the station
# screen's HTTP and browser tests against BUILD/bulu,
# then print one closing line "N passed, N failed".
set -u
BUILD=${1:-build}
BULU=$(cd "$BUILD" && pwd)/bulu
TOOLS=$(cd "$BUILD" && pwd)/tests/tools
FUZZ=$(cd "$BUILD" && pwd)/tests/fuzz
export BULU TOOLS FUZZ
pass=0 failn=0
for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	if "$t" >"$BUILD/tests/$(basename "$t").log" 2>&1; then
		pass=$((pass + 1)); echo "PASS unit $(basename "$t")"
	else
		failn=$((failn + 1)); echo "FAIL unit $(basename "$t")"; tail -20 "$BUILD/tests/$(basename "$t").log"
	fi
done
for t in tests/cli/*.sh; do
	[ -f "$t" ] || continue
	if sh "$t" >"$BUILD/tests/$(basename "$t" .sh).log" 2>&1; then
		pass=$((pass + 1)); echo "PASS cli  $(basename "$t" .sh): $(tail -1 "$BUILD/tests/$(basename "$t" .sh).log")"
	else
		failn=$((failn + 1)); echo "FAIL cli  $(basename "$t" .sh)"; tail -20 "$BUILD/tests/$(basename "$t" .sh).log"
	fi
done
# The station screen: HTTP tests and a headless chromium (tests/browser/),
# with Debian's python3 (python3-selenium); screenshots in BUILD/tests/browser/.
PY=python3
/usr/bin/python3 -c 'import selenium' 2>/dev/null && PY=/usr/bin/python3
for t in tests/browser/*.py; do
	[ -f "$t" ] || continue
	n=$(basename "$t" .py)
	[ "$n" = screenlib ] && continue
	if BROWSER_OUT="$BUILD/tests/browser/$n" timeout 600 "$PY" "$t" >"$BUILD/tests/$n.log" 2>&1; then
		pass=$((pass + 1)); echo "PASS web  $n: $(tail -1 "$BUILD/tests/$n.log")"
	else
		failn=$((failn + 1)); echo "FAIL web  $n"; tail -20 "$BUILD/tests/$n.log"
	fi
done
echo "$pass passed, $failn failed"
[ "$failn" -eq 0 ]
