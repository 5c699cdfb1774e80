# bench/lib.sh - sourced by the input builders (spool.sh, ledger.sh) after
# they set BULU (the program), D (their work directory) and ME (their name).
# Makes D/spool and D/stations afresh, and defines bulu(): run the program
# with its output appended to D/log, or say on stderr what failed.
rm -rf "$D"
mkdir -p "$D/spool" "$D/stations"
LOG=$D/log
: >"$LOG"

bulu() {
	out=$("$BULU" "$@" 2>&1) || {
		st=$?
		printf '%s\n' "$out" >>"$LOG"
		echo "$ME: bulu $* failed (exit $st):" >&2
		printf '%s\n' "$out" | tail -5 | sed 's/^/    /' >&2
		return 1
	}
	printf '%s\n' "$out" >>"$LOG"
}
