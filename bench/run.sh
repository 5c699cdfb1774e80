#!/bin/sh
# run.sh BUILD: benchmarks B1, B2 and B3 of QUALITY.md, run by `make bench`.
# Each row prints our figure, its floor measured in this same run on this
# same machine, and the ratio against the goal; a markdown table of all rows
# closes the output.  Speed never fails the run: the script exits non-zero
# only when a row could not be measured (a command failed, or the journal
# afterwards did not hold what it should).  See docs/benchmarks.md.
#
#   BENCH_SCALE=0.1   a tenth of the work (10,000 forms for B1, K=10 for B2,
#                     100,000 entries in B3's 200 bundles)
#   BENCH_K=N         runs per command for B2 (default max(10, 30 x scale))
#   BENCH_R3=N        runs of each command for B3 (default 3)
#   KEEP=1            keep the work directory, and keep B3's generated spool
#                     in BENCH_CACHE (default $TMPDIR/bulu-bench-cache) for
#                     the next run with KEEP=1
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
# B3: 20 stations x 10 exports = 200 bundles at any scale; entries per station scale.
B3_STATIONS=20
B3_STEPS=10
R3=${BENCH_R3:-3}
B3_PER=$(awk -v s="$SCALE" 'BEGIN { n = int(50000 * s + 0.5); print (n < 100 ? 100 : n) }')

W=$(mktemp -d "${TMPDIR:-/tmp}/bulu-bench.XXXXXX")
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$W"' EXIT
LOG=$W/log
# Run copies of the programs: a rebuild in the tree while the benchmarks run
# (make in another shell) must not swap the binary under them half-way.
mkdir "$W/bin"
cp "$BULU" "$WALL" "$SIGN" "$W/bin/" || { echo "bench: cannot copy the programs to $W/bin" >&2; exit 2; }
BULU=$W/bin/bulu
WALL=$W/bin/wallclock
SIGN=$W/bin/signrate
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
echo "scale $SCALE: B1 $N forms, B2 K=$K runs per command (interleaved, 1 warm-up round)," \
	"B3 $B3_STATIONS stations x $B3_PER forms in $((B3_STATIONS * B3_STEPS)) bundles, $R3 runs per command"
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

# ---------------------------------------------------------------- B3 ----
# b3_input: make B3's spool and roster (bench/spool.sh) and set B3_IN to
# their directory; with KEEP=1 reuse the ones a previous run left in the
# cache.  The cache key covers what shapes the bundles: the scale, the
# generators and the schemas (not the bulu binary).
b3_input() {
	if [ "${KEEP:-0}" = 1 ]; then
		key=$(cat "$HERE/spool.sh" "$HERE/gen.sh" "$HERE"/../schemas/*.sql | cksum | cut -d' ' -f1)
		B3_IN=${BENCH_CACHE:-${TMPDIR:-/tmp}/bulu-bench-cache}/b3-$B3_STATIONS-$B3_PER-$key
		if [ -f "$B3_IN/done" ]; then
			echo "   input: the spool cached in $B3_IN (KEEP=1; delete it to make a new one)"
			return 0
		fi
	else
		B3_IN=$W/b3/input
	fi
	echo "   input: making $B3_STATIONS stations x $B3_STEPS exports in $B3_IN (not timed) ..."
	t0=$(date +%s)
	sh "$HERE/spool.sh" "$BULU" "$B3_PER" "$B3_IN" "$B3_STATIONS" "$B3_STEPS" || return 1
	echo "   input: made in $(($(date +%s) - t0)) s"
}

# b3_fresh FILE: no ledger FILE (nor its WAL), for the next round.
b3_fresh() { rm -f "$1" "$1-wal" "$1-shm" "$1-journal"; }
# median of the numbers in $1 (one per line)
median() { printf '%s\n' "$1" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

b3() {
	mkdir -p "$W/b3/db" "$W/b3/none"
	b3_input || return 1
	spool=$B3_IN/spool
	roster=$B3_IN/roster
	want=$(cat "$B3_IN/entries")
	nb=$(ls "$spool" | grep -c '\.bulu$')
	if [ "$nb" -ne $((B3_STATIONS * B3_STEPS)) ]; then
		echo "bench: B3: the spool holds $nb bundles, expected $((B3_STATIONS * B3_STEPS))" >&2
		return 1
	fi

	# Floor (b)'s input, not timed: every bundle unpacked with zcat, and
	# one script for one sqlite3 process, a transaction per bundle.
	for f in "$spool"/*.bulu; do
		zcat "$f" >"$W/b3/db/$(basename "$f" .bulu).db" || { echo "bench: B3: zcat $f failed" >&2; return 1; }
	done
	{
		echo "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
		for f in "$W"/b3/db/*.db; do
			echo "ATTACH '$f' AS b; INSERT OR IGNORE INTO entries SELECT station, seq, prev_hash, hash, sig, kind, recorded_at, operator, episode, body FROM b.entries; DETACH b;"
		done
	} >"$W/b3/merge.sql"

	nv=$(awk -v s="$SCALE" 'BEGIN { n = int(50000 * s + 0.5); print (n < 10000 ? 10000 : n) }')
	v1=$("$SIGN" -v -t 1 -n "$nv") || return 1
	# R rounds of (ours, CLI), each into a fresh ledger, after a sync so
	# that neither pays for the other's writeback.
	walls="" cwalls="" cpus="" ccpus="" rss=0 crss=0 r=1
	while [ "$r" -le "$R3" ]; do
		b3_fresh "$W/b3/ledger.db"
		b3_fresh "$W/b3/floor.db"
		# The CLI's empty ledger is made by bulu itself (an import of no
		# bundles), so schema, page size and WAL mode are bulu's.
		bulu sync import --ledger "$W/b3/floor.db" --roster "$roster" "$W/b3/none" || return 1
		if [ "$(sqlite3 "$W/b3/floor.db" "PRAGMA journal_mode; PRAGMA application_id; PRAGMA user_version" | tr '\n' ' ')" \
			!= "wal 1112886348 1 " ]; then
			echo "bench: B3: the empty ledger for the sqlite3 CLI is not a WAL bulu ledger" >&2
			return 1
		fi
		sync
		imp=$(timed -l import -- "$BULU" sync import --ledger "$W/b3/ledger.db" --roster "$roster" "$spool") || return 1
		sync
		cli=$(timed -l sqlite3 -- sqlite3 -bail "$W/b3/floor.db" ".read $W/b3/merge.sql") || return 1
		# A broken import (or floor) must not look fast: no rows then.
		held=$(sqlite3 "$W/b3/ledger.db" "SELECT count(*) FROM entries")
		merged=$(sqlite3 "$W/b3/ledger.db" "SELECT count(*) FROM imports WHERE result = 'merged'")
		cheld=$(sqlite3 "$W/b3/floor.db" "SELECT count(*) FROM entries")
		if [ "$held" -ne "$want" ] || [ "$merged" -ne "$nb" ]; then
			echo "bench: B3: our ledger holds $held entries from $merged merged bundles; expected $want from $nb" >&2
			return 1
		fi
		if [ "$cheld" -ne "$want" ]; then
			echo "bench: B3: the sqlite3 CLI's ledger holds $cheld entries; expected $want" >&2
			return 1
		fi
		walls="$walls$(field median "$imp") "
		cwalls="$cwalls$(field median "$cli") "
		cpus="$cpus$(field cpu_median "$imp") "
		ccpus="$ccpus$(field cpu_median "$cli") "
		rss=$(calc '%d' "($(field maxrss_kb "$imp") > $rss ? $(field maxrss_kb "$imp") : $rss)")
		crss=$(calc '%d' "($(field maxrss_kb "$cli") > $crss ? $(field maxrss_kb "$cli") : $crss)")
		r=$((r + 1))
	done
	v2=$("$SIGN" -v -t 1 -n "$nv") || return 1

	f1=$(printf '%s\n' "$v1" | grep 'threads=1 ' | sed 's/.*per_s=//')
	f2=$(printf '%s\n' "$v2" | grep 'threads=1 ' | sed 's/.*per_s=//')
	floor=$(calc '%d' "($f1 > $f2 ? $f1 : $f2)")
	secs=$(median "$(printf '%s\n' $walls)")
	csecs=$(median "$(printf '%s\n' $cwalls)")
	ours=$(calc '%d' "$want / $secs")
	ra=$(calc '%.2f' "$ours / $floor")
	meta=$(calc '%s' "($ours / $floor >= 20 ? \"yes\" : \"no\")")
	rb=$(calc '%.2f' "$secs / $csecs")
	metb=$(calc '%s' "($secs / $csecs <= 1.5 ? \"yes\" : \"no\")")
	list() { for x in $1; do printf ' %.2f' "$x"; done; }

	echo "B3 sync import $nb bundles, $want entries: ours $ours entries/s | floor (a) (Ed25519 verify, 1 core) $floor/s | ratio $ra (goal >= 20)"
	echo "   ours $(calc '%.3f' "$secs") s | floor (b) (sqlite3 CLI, ATTACH + INSERT OR IGNORE per bundle, no verification) $(calc '%.3f' "$csecs") s | ratio $rb (goal <= 1.5)"
	echo "   medians of $R3 interleaved runs, each into a fresh ledger; wall s: ours$(list "$walls"), sqlite3 CLI$(list "$cwalls")"
	echo "   import: $(calc '%.3f' "$(median "$(printf '%s\n' $cpus)")") s cpu, $(calc '%.0f' "$rss / 1024") MB peak RSS;" \
		"sqlite3 CLI: $(calc '%.3f' "$(median "$(printf '%s\n' $ccpus)")") s cpu, $(calc '%.0f' "$crss / 1024") MB peak RSS"
	echo "   verify probe before/after: $f1/s, $f2/s on 1 core ($nv verifications each)"
	echo "   ledgers afterwards, every run: ours $held entries, $merged bundles merged; the sqlite3 CLI's $cheld entries"
	row "| B3 | \`bulu sync import\`, $nb bundles, $want entries, into an empty ledger (median of $R3) | $ours entries/s | $floor verifications/s (Ed25519, 1 core) | $ra | >= 20 | $meta |"
	row "| B3b | the same, whole run | $(calc '%.2f' "$secs") s | $(calc '%.2f' "$csecs") s (\`sqlite3\` CLI: ATTACH + INSERT OR IGNORE per bundle, no verification) | $rb | <= 1.5 | $metb |"
	# Space: the two ledgers and the unpacked bundles are large at scale 1.
	[ "${KEEP:-0}" = 1 ] || rm -rf "$W/b3"
}

b1 || unmeasured B1 "a step failed; see above" "\`bulu capture import\`, $N one-line charge forms" ">= 0.75"
echo
b2 || unmeasured B2 "a step failed; see above" "\`bulu capture charge\`, 5 lines, one durable save" "<= 1.5"
echo
b3 || unmeasured B3 "a step failed; see above" "\`bulu sync import\`, $((B3_STATIONS * B3_STEPS)) bundles, into an empty ledger" ">= 20 (verify rate), <= 1.5 (sqlite3 CLI time)"
echo
echo "| # | work | ours | floor, measured in the same run | ratio | goal | met |"
echo "|---|---|---|---|---|---|---|"
printf '%s' "$ROWS"
exit "$FAILED"
