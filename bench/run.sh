#!/bin/sh
# run.sh BUILD: benchmarks B1 and B2 of QUALITY.md, run by `make bench`.
# Each row prints our figure, its floor measured in this same run on this
# same machine, and the ratio against the goal; a markdown table of all rows
# closes the output.  Speed never fails the run: the script exits non-zero
# only when a row could not be measured (a command failed, or the journal
# afterwards did not hold what it should).  See docs/benchmarks.md.
#
#   BENCH_SCALE=0.1   a tenth of the work (10,000 forms for B1, K=10 for B2)
#   BENCH_K=N         runs per command for B2 (default max(10, 30 x scale))
#   KEEP=1            keep the work directory
set -eu
LC_ALL=C.UTF-8
export LC_ALL
unset BULU_HOME BULU_NOW BULU_OPERATOR BULU_PASSPHRASE_FILE BULU_VERBOSE 2>/dev/null || true

B=${1:-build}
B=$(cd "$B" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
BULU=$B/bulu
WALL=$B/bench/wallclock
SIGN=$B/bench/signrate
for f in "$BULU" "$WALL" "$SIGN"; do
	[ -x "$f" ] || { echo "bench: $f is missing; run make bench" >&2; exit 2; }
done
command -v sqlite3 >/dev/null 2>&1 || { echo "bench: the sqlite3 CLI is missing (make deps)" >&2; exit 2; }

SCALE=${BENCH_SCALE:-1}
N=$(awk -v s="$SCALE" 'BEGIN { n = int(100000 * s + 0.5); print (n < 100 ? 100 : n) }')
K=${BENCH_K:-$(awk -v s="$SCALE" 'BEGIN { k = int(30 * s + 0.5); print (k < 10 ? 10 : k) }')}

W=$(mktemp -d "${TMPDIR:-/tmp}/bulu-bench.XXXXXX")
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$W"' EXIT
LOG=$W/log
FAILED=0
ROWS=""

# field KEY LINE: the value of KEY=VALUE in a line of wallclock or signrate.
field() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
# bulu ARGS: run with stdout and stderr to the log; on failure say so.
bulu() {
	st=0
	"$BULU" "$@" >"$W/last" 2>&1 || st=$?
	cat "$W/last" >>"$LOG"
	if [ "$st" -ne 0 ]; then
		echo "bench: bulu $* failed (exit $st):" >&2
		tail -5 "$W/last" | sed 's/^/    /' >&2
		return 1
	fi
}
# timed LABEL WALLCLOCK-ARGS...: print wallclock's line for LABEL, or fail.
timed() {
	if ! "$WALL" "$@" 2>"$W/last" >"$W/wall.out"; then
		cat "$W/last" >>"$LOG"
		echo "bench: timing failed:" >&2
		tail -5 "$W/last" | sed 's/^/    /' >&2
		return 1
	fi
	cat "$W/last" >>"$LOG"
	cat "$W/wall.out"
}
row() { ROWS="$ROWS$1
"; }
unmeasured() {
	FAILED=1
	printf '%s: not measured (%s)\n' "$1" "$2"
	row "| $1 | $3 | not measured | | | $4 | no |"
}

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1)
echo "bulu benchmarks: $("$BULU" --version 2>/dev/null | head -1 || echo bulu)"
echo "machine: $(nproc) cores${cpu:+, $cpu}; work dir $W on $(df -PT "$W" | awk 'NR == 2 { print $2 }'); sqlite3 CLI $(sqlite3 --version | cut -d' ' -f1)"
echo "scale $SCALE: B1 $N forms, B2 K=$K runs per command (interleaved, 1 warm-up round)"
echo

# ---------------------------------------------------------------- B1 ----
b1() {
	export BULU_HOME="$W/b1"
	sh "$HERE/gen.sh" catalog "$W/catalog.csv" || return 1
	sh "$HERE/gen.sh" forms "$N" "$W/forms.csv" || return 1
	bulu station init --station BENCH1 --dept 门诊收费 --role cashier || return 1
	bulu catalog load "$W/catalog.csv" || return 1
	bulu invoice add-book --from 10000001 --to $((10000000 + N + 1000)) || return 1
	bulu outage start --operator 信息科 || return 1

	s1=$("$SIGN" -n "$N") || return 1
	imp=$(timed -l import -- "$BULU" capture import "$W/forms.csv") || return 1
	s2=$("$SIGN" -n "$N") || return 1

	# The floor is the better of the two probes around our run.
	f1=$(printf '%s\n' "$s1" | grep 'threads=1 ' | sed 's/.*per_s=//')
	f2=$(printf '%s\n' "$s2" | grep 'threads=1 ' | sed 's/.*per_s=//')
	floor=$(calc '%d' "($f1 > $f2 ? $f1 : $f2)")
	fmulti=$(printf '%s\n%s\n' "$s1" "$s2" | grep -v 'threads=1 ' | sed 's/.*per_s=//' | sort -n | tail -1)
	nthr=$(printf '%s\n' "$s1" | grep -v 'threads=1 ' | sed 's/.*threads=\([0-9]*\).*/\1/' | head -1)
	secs=$(field median "$imp")
	ours=$(calc '%d' "$N / $secs")
	ratio=$(calc '%.2f' "$ours / $floor")
	met=$(calc '%s' "($ours / $floor >= 0.75 ? \"yes\" : \"no\")")

	charges=$(sqlite3 "$W/b1/journal.db" "SELECT count(*) FROM entries WHERE kind = 'charge'")
	total=$(sqlite3 "$W/b1/journal.db" "SELECT count(*) FROM entries")
	ver=$(timed -l verify -- "$BULU" journal verify) || return 1
	vsecs=$(field median "$ver")

	echo "B1 capture import $N forms: ours $ours entries/s | floor (Ed25519 sign, 1 core) $floor/s | ratio $ratio (goal >= 0.75)"
	echo "   import: $(calc '%.3f' "$secs") s wall, $(calc '%.3f' "$(field cpu_median "$imp")") s cpu, $(calc '%.0f' "$(field maxrss_kb "$imp") / 1024") MB peak RSS"
	echo "   sign probe before/after: $f1/s, $f2/s on 1 core; ${fmulti:-n/a}/s on ${nthr:-1} cores (information)"
	echo "   journal afterwards: $total entries, $charges charges; bulu journal verify passed in $(calc '%.3f' "$vsecs") s ($(calc '%d' "$total / $vsecs") entries/s, information)"
	row "| B1 | \`bulu capture import\`, $N one-line charge forms | $ours entries/s | $floor signatures/s (Ed25519, 1 core) | $ratio | >= 0.75 | $met |"
	if [ "$charges" -ne "$N" ] || [ "$total" -lt $((N + 1)) ]; then
		echo "bench: B1: the journal holds $charges charges ($total entries); expected $N charges" >&2
		return 1
	fi
}

# ---------------------------------------------------------------- B2 ----
b2() {
	export BULU_HOME="$W/b2"
	[ -f "$W/catalog.csv" ] || sh "$HERE/gen.sh" catalog "$W/catalog.csv"
	bulu station init --station BENCH2 --dept 门诊收费 --role cashier || return 1
	bulu catalog load "$W/catalog.csv" || return 1
	bulu invoice add-book --from 20000001 --to $((20000000 + 2 * K + 100)) || return 1
	bulu outage start --operator 信息科 || return 1
	set -- "$BULU" capture charge --operator 张丽 --patient 0012345 --name 李明 --dept 内科 \
		--item GH001:1 --item Y0001:2 --item Y0002:3 --item J0001:1 --item J0002:1 --pay cash
	shift
	bulu "$@" || return 1
	set -- "$BULU" "$@"

	# The floor's row: the same columns, the body our charge just saved,
	# into a plain table (no triggers, no indexes) in its own file.
	sqlite3 "$W/b2/journal.db" "SELECT quote(station), quote(prev_hash), quote(hash), quote(sig), quote(kind),
		quote(recorded_at), quote(operator), quote(episode), quote(body) FROM entries
		WHERE kind = 'charge' ORDER BY seq DESC LIMIT 1" | tr '|' ',' >"$W/row.sql"
	[ -s "$W/row.sql" ] || { echo "bench: B2: no charge entry in the journal" >&2; return 1; }
	ddl="CREATE TABLE entries (station TEXT NOT NULL, seq INTEGER PRIMARY KEY, prev_hash BLOB NOT NULL,
		hash BLOB NOT NULL, sig BLOB NOT NULL, kind TEXT NOT NULL, recorded_at TEXT NOT NULL,
		operator TEXT NOT NULL, episode TEXT NOT NULL, body TEXT NOT NULL);"
	ins="INSERT INTO entries (station, prev_hash, hash, sig, kind, recorded_at, operator, episode, body)
		VALUES ($(cat "$W/row.sql"));"
	sqlite3 "$W/floor-default.db" "$ddl"
	sqlite3 "$W/floor-wal.db" "PRAGMA journal_mode=WAL; $ddl" >/dev/null
	sqlite3 "$W/floor-default.db" "$ins" || { echo "bench: B2: the floor's INSERT failed" >&2; return 1; }

	out=$(timed -k "$K" -w 1 -l ours -l default -l wal -- "$@" \
		::: sqlite3 "$W/floor-default.db" "$ins" \
		::: sqlite3 "$W/floor-wal.db" "PRAGMA synchronous=FULL; $ins") || return 1
	rows=$(sqlite3 "$W/floor-default.db" "SELECT count(*) FROM entries")
	if [ "$rows" -ne $((K + 2)) ]; then
		echo "bench: B2: the floor's table holds $rows rows, expected $((K + 2))" >&2
		return 1
	fi
	o=$(printf '%s\n' "$out" | grep 'label=ours ')
	d=$(printf '%s\n' "$out" | grep 'label=default ')
	w=$(printf '%s\n' "$out" | grep 'label=wal ')
	om=$(field median "$o")
	dm=$(field median "$d")
	wm=$(field median "$w")
	ms() { calc '%.2f' "$1 * 1000"; }
	ratio=$(calc '%.2f' "$om / $dm")
	rwal=$(calc '%.2f' "$om / $wm")
	met=$(calc '%s' "($om / $dm <= 1.5 ? \"yes\" : \"no\")")
	metw=$(calc '%s' "($om / $wm <= 1.5 ? \"yes\" : \"no\")")

	echo "B2 capture charge, 5 lines, whole process: ours $(ms "$om") ms | floor (sqlite3 CLI INSERT, stock defaults) $(ms "$dm") ms | ratio $ratio (goal <= 1.5)"
	echo "   medians of $K interleaved runs; min/max ms: ours $(ms "$(field min "$o")")/$(ms "$(field max "$o")"), stock $(ms "$(field min "$d")")/$(ms "$(field max "$d")"), WAL $(ms "$(field min "$w")")/$(ms "$(field max "$w")")"
	echo "   also against sqlite3 CLI INSERT in WAL + synchronous=FULL (bulu's own durability setting): $(ms "$wm") ms, ratio $rwal"
	echo "   cpu medians: ours $(ms "$(field cpu_median "$o")") ms, stock CLI $(ms "$(field cpu_median "$d")") ms"
	row "| B2 | \`bulu capture charge\`, 5 lines, one durable save (median of $K) | $(ms "$om") ms | $(ms "$dm") ms (\`sqlite3\` CLI INSERT, stock defaults) | $ratio | <= 1.5 | $met |"
	row "| B2w | the same, for information | $(ms "$om") ms | $(ms "$wm") ms (\`sqlite3\` CLI INSERT, WAL + synchronous=FULL) | $rwal | <= 1.5 | $metw |"
}

b1 || unmeasured B1 "a step failed; see above" "\`bulu capture import\`, $N one-line charge forms" ">= 0.75"
echo
b2 || unmeasured B2 "a step failed; see above" "\`bulu capture charge\`, 5 lines, one durable save" "<= 1.5"
echo
echo "| # | work | ours | floor, measured in the same run | ratio | goal | met |"
echo "|---|---|---|---|---|---|---|"
printf '%s' "$ROWS"
exit "$FAILED"
