#!/bin/sh
# diskfull.sh - QUALITY.md R5 at the station: a bulk import that runs out of
# room (a file-size limit stands in for a full disk) fails with exit 4 and a
# plain message, saves nothing, leaves a journal that verifies, and the same
# import succeeds once there is room again.
. "$(dirname "$0")/../lib.sh"

t_outage_station DF || { finish; exit 1; }
t_charge_forms 4000 "$T/big.csv"
t_snapshot "$T/before"

# The limit applies to this subshell only; SIGXFSZ ignored so writes fail
# with an error instead of killing the process.
(trap '' XFSZ; ulimit -f 200; exec "$BULU" capture import "$T/big.csv") >"$T/out" 2>"$T/err"
rc=$?
check "import past the size limit exits 4 (got $rc)" [ "$rc" -eq 4 ]
check "the message says nothing was saved" grep -q "nothing was saved" "$T/err"
check "no 'saved' report on stdout" sh -c "! grep -q '^saved' '$T/out'"
t_snapshot "$T/after"
check "journal unchanged" cmp -s "$T/before" "$T/after"
expect 0 bulu journal verify

expect 0 bulu capture import "$T/big.csv"
check "with room again, all 4000 forms are saved" grep -q '^saved 4000 entries' "$T/out"
expect 0 bulu journal verify
finish
