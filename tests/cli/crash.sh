# crash.sh - R1: kill -9 during capture and sync loses nothing acknowledged.
#
# Runs tests/tools/crashtest (see its header) against a fresh station:
# CRASH_RUNS (default 200) interactive saves, bulk imports, sync exports
# and sync imports into a ledger, each SIGKILLed after a random delay, then
# checks with SQL that every entry bulu reported as saved is in the journal
# with its kind, that no save is partial, that `bulu journal verify` exits 0
# (every 50 runs and at the end), that every bundle an export reported
# verifies and every merge an import reported is held (`bulu ledger verify`
# exits 0), and that the station still writes afterwards.
#
#   CRASH_RUNS=1000 sh tests/cli/crash.sh     the long run of QUALITY.md R1 (make torture)
#   CRASH_SEED=N                              replay a run (the seed is printed)
#
# BULU and TOOLS come from tests/run.sh; run alone:
#   BULU=build/bulu TOOLS=build/tests/tools sh tests/cli/crash.sh
. "$(dirname "$0")/../lib.sh"
TOOLS=${TOOLS:-$(dirname "$BULU")/tests/tools}
RUNS=${CRASH_RUNS:-200}

if [ ! -x "$TOOLS/crashtest" ]; then
	fail "$TOOLS/crashtest is not built (make $TOOLS/crashtest)"
	finish
	exit 1
fi
set -- --bulu "$BULU" --dir "$T/CRASH" --runs "$RUNS" --check-every 50
[ -n "${CRASH_SEED:-}" ] && set -- "$@" --seed "$CRASH_SEED"
"$TOOLS/crashtest" "$@" >"$T/out" 2>"$T/err"
rc=$?
cat "$T/out"
[ -s "$T/err" ] && sed 's/^/    /' "$T/err" | head -40 >&2
if [ $rc -eq 0 ]; then ok; else fail "crashtest exited $rc"; fi
done=$(sed -n 's/^crashtest: runs per command: charge \([0-9]*\), note \([0-9]*\), outage \([0-9]*\), import \([0-9]*\), export \([0-9]*\), sync import \([0-9]*\)$/\1 + \2 + \3 + \4 + \5 + \6/p' "$T/out")
[ "$((${done:-0}))" -eq "$RUNS" ] && ok || fail "crashtest did ${done:-no} runs, not $RUNS"
grep -q 'all present with their kind' "$T/out" && ok || fail "acknowledged entries were lost"
grep -q 'all whole and held' "$T/out" && ok || fail "a reported bundle or merge was lost"
grep -q "the ledger holds exactly the journal's" "$T/out" && ok || fail "a last export and import did not complete the ledger"
# The kills must really have landed all over: some before the commit and
# some after it (between the commit and the report, or after the report),
# or the test proves little (checked from 100 runs).
killed_before=$(sed -n 's/^crashtest: \([0-9]*\) SIGKILLs landed before.*/\1/p' "$T/out")
killed_unreported=$(sed -n 's/.* \([0-9]*\) between the commit and.*/\1/p' "$T/out")
killed_after=$(sed -n 's/.* \([0-9]*\) after the report.*/\1/p' "$T/out")
killed_late=$((${killed_unreported:-0} + ${killed_after:-0}))
[ "$RUNS" -lt 100 ] || { [ "${killed_before:-0}" -gt 0 ] && [ "$killed_late" -gt 0 ]; } && ok ||
	fail "kills did not spread over the save (before the commit: ${killed_before:-?}, after it: $killed_late)"
# And the journal the tool left is one `bulu journal verify` accepts.
BULU_HOME="$T/CRASH"
export BULU_HOME
expect 0 bulu journal verify
finish
