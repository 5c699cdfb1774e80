#!/bin/sh
# run.sh BUILD: benchmarks B1 to B5 of QUALITY.md, run by `make bench`.
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
#   BENCH_R4=N        runs of each command for B4 (default 3)
#   BENCH_R5=N        runs per size for B5 (default 3; at least 5 for the
#                     one-patient pair)
#   BENCH_B5_MAX=ROWS leave out B5's sizes above ROWS HIS rows (default: none)
#   BENCH_ONLY=B4,B5  run only these rows (any of B1 B2 B3 B4 B5 S1 S2 I1; S1
#                     and S2, the station screen, run together)
#   BENCH_RI=N        runs of each command for I1 (default 3)
#   KEEP=1            keep the work directory, and keep B3's generated spool
#                     and B4/B5's ledgers and exports in BENCH_CACHE (default
#                     $TMPDIR/bulu-bench-cache) for the next run with KEEP=1
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
CSVF=$B/bench/csvfloor
for f in "$BULU" "$WALL" "$SIGN" "$CSVF"; do
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
# B4: NH4 HIS rows (a multiple of 10) against NH4 x 30 % journal lines.
NH4=$(awk -v s="$SCALE" 'BEGIN { n = int(100000 * s + 0.5) * 10; print (n < 10000 ? 10000 : n) }')
R4=${BENCH_R4:-3}
R5=${BENCH_R5:-3}
B5_MAX=${BENCH_B5_MAX:-0}
RI=${BENCH_RI:-3}
ONLY=$(printf '%s' "${BENCH_ONLY:-B1,B2,B3,B4,B5,S1,S2,I1}" | tr 'a-z ' 'A-Z,')
# want ROW: whether ROW is to run (BENCH_ONLY).
want() { case ",$ONLY," in *",$1,"*) return 0 ;; esac; return 1; }

W=$(mktemp -d "${TMPDIR:-/tmp}/bulu-bench.XXXXXX")
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$W"' EXIT
LOG=$W/log
# The stations' head mirrors (docs/journal-format.md) stay in the work directory.
XDG_STATE_HOME=$W/state
export XDG_STATE_HOME
# Run copies of the programs: a rebuild in the tree while the benchmarks run
# (make in another shell) must not swap the binary under them half-way.
mkdir "$W/bin"
cp "$BULU" "$WALL" "$SIGN" "$CSVF" "$W/bin/" || { echo "bench: cannot copy the programs to $W/bin" >&2; exit 2; }
BULU=$W/bin/bulu
WALL=$W/bin/wallclock
SIGN=$W/bin/signrate
CSVF=$W/bin/csvfloor
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
	"B3 $B3_STATIONS stations x $B3_PER forms in $((B3_STATIONS * B3_STEPS)) bundles, $R3 runs per command," \
	"B4 $NH4 HIS rows against $((NH4 * 3 / 10)) journal lines, $R4 runs per command," \
	"B5 $((NH4 / 100))..$((NH4 * 10)) HIS rows, $R5 runs per size${BENCH_ONLY:+; only $ONLY}"
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


# ------------------------------------------------------------------ I1 ----
# I1: `bulu report incident` on B4's ledger with its reconcile, against
# `bulu sync status` + `bulu reconcile` on the same inputs (QUALITY.md: <= 2).
# The reconcile directory the report reads is made once, not timed.
i1() {
	TZ=Asia/Shanghai
	export TZ
	b45_dir
	b45_make "n$NH4" $((NH4 / 10)) 3 $((NH4 / 50)) "$NH4" || return 1
	d=$B45_IN/n$NH4
	mkdir -p "$W/i1"
	st=0
	"$BULU" reconcile --ledger "$d/ledger.db" --his charges="$d/his.csv" --out "$W/i1/rec" --quiet \
		>>"$LOG" 2>&1 || st=$?
	[ "$st" -le 1 ] || { echo "bench: I1: bulu reconcile exited $st" >&2; return 1; }
	rep_sh='rm -rf "$3"; "$0" report incident --ledger "$1" --reconcile "$2" --out "$3" >/dev/null'
	peer_sh='"$0" sync status --ledger "$1" >/dev/null; s=0; rm -rf "$3"
"$0" reconcile --ledger "$1" --his charges="$2" --out "$3" --quiet || s=$?; [ "$s" -le 1 ]'
	sync
	out=$(timed -k "$RI" -l ours -l peer -- sh -c "$rep_sh" "$BULU" "$d/ledger.db" "$W/i1/rec" "$W/i1/rep" \
		::: sh -c "$peer_sh" "$BULU" "$d/ledger.db" "$d/his.csv" "$W/i1/peer") || return 1
	[ -s "$W/i1/rep/report.xlsx" ] || { echo "bench: I1: no report.xlsx" >&2; return 1; }
	os=$(field median "$(printf '%s\n' "$out" | grep 'label=ours ')")
	ps=$(field median "$(printf '%s\n' "$out" | grep 'label=peer ')")
	ra=$(calc '%.2f' "$os / $ps")
	met=$(calc '%s' "($os / $ps <= 2 ? \"yes\" : \"no\")")
	work="\`bulu report incident\` on B4's ledger ($((NH4 * 3 / 10)) journal lines) and its reconcile (median of $RI)"
	echo "I1 report incident on B4's inputs ($NH4 HIS rows), medians of $RI interleaved runs:"
	echo "   ours $(calc '%.3f' "$os") s | peer (sync status + reconcile) $(calc '%.3f' "$ps") s | ratio $ra (goal <= 2)"
	row "| I1 | $work | $(calc '%.2f' "$os") s | $(calc '%.2f' "$ps") s (\`sync status\` + \`reconcile\`) | $ra | <= 2 | $met |"
}

# ------------------------------------------------------------- B4, B5 ----
# b45_dir: set B45_IN to the directory of B4/B5's inputs; with KEEP=1 the
# cache, keyed like B3's by what shapes them (ledger.sh, gen.sh, schemas).
b45_dir() {
	[ -z "${B45_IN:-}" ] || return 0
	if [ "${KEEP:-0}" = 1 ]; then
		key=$(cat "$HERE/ledger.sh" "$HERE/gen.sh" "$HERE"/../schemas/*.sql | cksum | cut -d' ' -f1)
		B45_IN=${BENCH_CACHE:-${TMPDIR:-/tmp}/bulu-bench-cache}/b45-$key
	else
		B45_IN=$W/b45
	fi
	mkdir -p "$B45_IN"
}

# b45_make NAME FORMS LINES PATIENTS ROWS [uniform]: the input NAME in
# $B45_IN/NAME (not timed): a ledger of FORMS charge forms of LINES lines
# (bench/ledger.sh), a HIS export of ROWS rows (his.csv; "plain" when
# uniform) and the ledger lines for the peers (ll.csv).  Reused when a
# cached copy is complete (KEEP=1).
b45_make() {
	d=$B45_IN/$1
	if [ -f "$d/ready" ]; then
		echo "   input $1: cached in $d ($(sed -n 's/^his //p' "$d/his.info"))"
		return 0
	fi
	t0=$(date +%s)
	sh "$HERE/ledger.sh" "$BULU" "$d" "$2" "$3" "$4" 4 ${6:-} || return 1
	t1=$(date +%s)
	sh "$HERE/gen.sh" his "$d/lines.tsv" "$5" "$d/depts" "$d/his.csv" ${6:+plain} >"$d/his.info" || return 1
	sh "$HERE/gen.sh" ledger-lines "$d/lines.tsv" "$d/ll.csv" || return 1
	t2=$(date +%s)
	: >"$d/ready"
	echo "   input $1: ledger of $2 forms x $3 lines ($4 patients) made in $((t1 - t0)) s;" \
		"HIS export of $5 rows ($(calc '%.1f' "$(wc -c <"$d/his.csv") / 1048576") MB) in $((t2 - t1)) s (not timed)"
}

# The timed command of ours, as one process for wallclock: a fresh --out
# directory, then `bulu reconcile`; exit 0 (clean) and 1 (findings) are
# both runs, the status is kept in OUT.status.  The shell costs ~1 ms.
OURS_SH='rm -rf "$3"; "$0" reconcile --ledger "$1" --his charges="$2" --out "$3"; s=$?; echo "$s" >"$3.status"
[ "$s" -le 1 ] || { echo "bench: bulu reconcile exited $s" >&2; exit 1; }'
have_reconcile() { "$BULU" reconcile --help >/dev/null 2>&1; }
# findings DIR: "CLASS N, ..." from DIR/findings.csv (its first column).
findings() {
	[ -f "$1/findings.csv" ] || { echo "no findings.csv"; return 0; }
	awk -F, 'NR > 1 { gsub(/"/, "", $1); c[$1]++; n++ }
		END { printf "%d rows", n; for (k in c) printf ", %s %d", k, c[k]; print "" }' "$1/findings.csv"
}
# peer_install: the peers of B4 (sqlite3, mlr from Debian's miller), installed
# quietly when missing and we are root; otherwise they are skipped.
peer_install() {
	miss=""
	command -v sqlite3 >/dev/null 2>&1 || miss="$miss sqlite3"
	command -v mlr >/dev/null 2>&1 || miss="$miss miller"
	[ -n "$miss" ] || return 0
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "   installing the peers:$miss"
		# shellcheck disable=SC2086
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $miss >/dev/null 2>&1 ||
			{ DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 &&
				DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $miss >/dev/null 2>&1; } || true
	fi
	command -v sqlite3 >/dev/null 2>&1 || echo "   the sqlite3 CLI is missing (apt-get install sqlite3): its ratio is skipped"
	command -v mlr >/dev/null 2>&1 || echo "   mlr is missing (apt-get install miller): its ratio is skipped"
}
ms() { calc '%.1f' "$1 * 1000"; }
mb() { calc '%.0f' "$1 / 1024"; }

B4_SECS=""
b4() {
	TZ=Asia/Shanghai
	export TZ
	b45_dir
	nl4=$((NH4 * 3 / 10))
	b45_make "n$NH4" $((NH4 / 10)) 3 $((NH4 / 50)) "$NH4" || return 1
	d=$B45_IN/n$NH4
	his=$d/his.csv
	size=$(wc -c <"$his")
	peer_install
	mkdir -p "$W/b4"
	fl=$("$CSVF" "$his") || return 1
	if [ "$(field rows "$fl")" -ne $((NH4 + 1)) ]; then
		echo "bench: B4: csvfloor read $(field rows "$fl") records, expected $((NH4 + 1))" >&2
		return 1
	fi

	# Peer (b): one sqlite3 process, in memory: both files imported, the
	# reference cut out of 备注 (from "BL-" to the next space), indexes,
	# then the anti-joins (missing: journal lines with no HIS row by
	# reference nor by patient + item + qty + amount; extra: HIS rows of the
	# outage departments in the window with no journal line either way).
	depts=$(sed "s/.*/'&'/" "$d/depts" | paste -sd, -)
	cat >"$W/b4/peer.sql" <<SQL
.bail on
.import --csv '$his' his
.import --csv '$d/ll.csv' ll
ALTER TABLE his ADD COLUMN ref TEXT;
UPDATE his SET ref = substr(备注, instr(备注, 'BL-'),
	CASE WHEN instr(substr(备注, instr(备注, 'BL-')), ' ') > 0
	THEN instr(substr(备注, instr(备注, 'BL-')), ' ') - 1 ELSE length(备注) END)
	WHERE instr(备注, 'BL-') > 0;
CREATE INDEX his_ref ON his (ref);
CREATE INDEX his_key ON his (患者编号, 项目编码, 数量, 金额);
CREATE INDEX ll_ref ON ll (ref);
CREATE INDEX ll_key ON ll (患者编号, 项目编码, 数量, 金额);
.headers on
.mode csv
.once '$W/b4/sqlite-missing.csv'
SELECT ll.* FROM ll
	WHERE NOT EXISTS (SELECT 1 FROM his h WHERE h.ref = ll.ref)
	AND NOT EXISTS (SELECT 1 FROM his h WHERE h.患者编号 = ll.患者编号 AND h.项目编码 = ll.项目编码
		AND h.数量 = ll.数量 AND h.金额 = ll.金额);
.once '$W/b4/sqlite-extra.csv'
SELECT his.* FROM his
	WHERE 科室 IN ($depts) AND 发生时间 BETWEEN '2026-11-20 08:00:00' AND '2026-11-20 20:00:00'
	AND NOT EXISTS (SELECT 1 FROM ll WHERE ll.ref = his.ref)
	AND NOT EXISTS (SELECT 1 FROM ll WHERE ll.患者编号 = his.患者编号 AND ll.项目编码 = his.项目编码
		AND ll.数量 = his.数量 AND ll.金额 = his.金额);
SQL
	# Peer (c): mlr joins the ledger lines (left) with the export on
	# patient + item + qty + amount and writes both unpaired sides.
	mlr_sh='mlr --icsv --ocsv join --np --ul --ur -j 患者编号,项目编码,数量,金额 -f "$0" "$1" >"$2"'

	# One wallclock run, interleaved: ours (when it exists), floor, peers;
	# after a sync, so that no run pays for the generation's writeback.
	sync
	set -- -k "$R4"
	have_reconcile && set -- "$@" -l ours
	set -- "$@" -l floor
	command -v sqlite3 >/dev/null 2>&1 && set -- "$@" -l sqlite3
	command -v mlr >/dev/null 2>&1 && set -- "$@" -l mlr
	set -- "$@" --
	sep=""
	if have_reconcile; then
		set -- "$@" sh -c "$OURS_SH" "$BULU" "$d/ledger.db" "$his" "$W/b4/out"
		sep=":::"
	fi
	set -- "$@" $sep "$CSVF" "$his"
	command -v sqlite3 >/dev/null 2>&1 && set -- "$@" ::: sqlite3 -bail :memory: ".read $W/b4/peer.sql"
	command -v mlr >/dev/null 2>&1 && set -- "$@" ::: sh -c "$mlr_sh" "$d/ll.csv" "$his" "$W/b4/mlr.csv"
	out=$(timed "$@") || return 1
	if have_reconcile && [ ! -f "$W/b4/out/findings.csv" ]; then
		echo "bench: B4: bulu reconcile wrote no findings.csv" >&2
		return 1
	fi

	f=$(printf '%s\n' "$out" | grep 'label=floor ')
	fs=$(field median "$f")
	o=$(printf '%s\n' "$out" | grep 'label=ours ' || true)
	q=$(printf '%s\n' "$out" | grep 'label=sqlite3 ' || true)
	m=$(printf '%s\n' "$out" | grep 'label=mlr ' || true)
	csvmb=$(calc '%.0f' "$size / 1048576")
	work="\`bulu reconcile\`, $NH4-row HIS charges export, $nl4 journal lines (median of $R4)"
	echo "B4 reconcile $NH4 HIS rows ($csvmb MB) against $nl4 journal lines, medians of $R4 interleaved runs:"
	if [ -n "$o" ]; then
		os=$(field median "$o")
		B4_SECS=$os
		B4_RSS=$(field maxrss_kb "$o")
		ra=$(calc '%.2f' "$os / $fs")
		meta=$(calc '%s' "($os / $fs <= 3 ? \"yes\" : \"no\")")
		echo "   ours $(calc '%.3f' "$os") s | floor (a) (libcsv parse-only pass) $(calc '%.3f' "$fs") s | ratio $ra (goal <= 3)"
		row "| B4 | $work | $(calc '%.2f' "$os") s | $(calc '%.2f' "$fs") s (libcsv parse-only pass, \`bench/csvfloor\`) | $ra | <= 3 | $meta |"
	else
		echo "   ours: not measured (\`bulu reconcile\` is not in this build) | floor (a) (libcsv parse-only pass) $(calc '%.3f' "$fs") s"
		FAILED=1
		row "| B4 | $work | not measured | $(calc '%.2f' "$fs") s (libcsv parse-only pass, \`bench/csvfloor\`) | | <= 3 | no |"
	fi
	if [ -n "$q" ]; then
		qs=$(field median "$q")
		if [ -n "$o" ]; then
			rb=$(calc '%.2f' "$qs / $os")
			metb=$(calc '%s' "($qs / $os >= 5 ? \"yes\" : \"no\")")
			echo "   peer (b) (sqlite3 CLI: .import both + anti-joins) $(calc '%.3f' "$qs") s: ours ${rb}x faster (goal >= 5)"
			row "| B4b | the same | $(calc '%.2f' "$os") s | $(calc '%.2f' "$qs") s (\`sqlite3\` CLI: \`.import\` both sides + anti-joins) | ${rb}x faster | >= 5x faster | $metb |"
		else
			echo "   peer (b) (sqlite3 CLI: .import both + anti-joins) $(calc '%.3f' "$qs") s"
		fi
	else
		row "| B4b | the same | | not measured: no \`sqlite3\` CLI | | >= 5x faster | |"
	fi
	if [ -n "$m" ]; then
		mt=$(field median "$m")
		if [ -n "$o" ]; then
			rc=$(calc '%.2f' "$mt / $os")
			metc=$(calc '%s' "($mt / $os >= 3 ? \"yes\" : \"no\")")
			echo "   peer (c) (mlr join --np --ul --ur on patient + item + qty + amount) $(calc '%.3f' "$mt") s: ours ${rc}x faster (goal >= 3)"
			row "| B4c | the same | $(calc '%.2f' "$os") s | $(calc '%.2f' "$mt") s (\`mlr join --np --ul --ur\`) | ${rc}x faster | >= 3x faster | $metc |"
		else
			echo "   peer (c) (mlr join --np --ul --ur on patient + item + qty + amount) $(calc '%.3f' "$mt") s"
		fi
	else
		row "| B4c | the same | | not measured: no \`mlr\` (Debian: miller) | | >= 3x faster | |"
	fi
	if [ -n "$o" ]; then
		rm4=$(calc '%.2f' "$B4_RSS * 1024 / $size")
		metm=$(calc '%s' "($B4_RSS * 1024 / $size <= 2 ? \"yes\" : \"no\")")
		echo "   memory: ours $(mb "$B4_RSS") MB peak RSS, $rm4 x the CSV's $csvmb MB (goal <= 2)"
		row "| B4m | the same, peak memory | $(mb "$B4_RSS") MB | $csvmb MB (the HIS CSV's size) | $rm4 | <= 2 | $metm |"
	fi
	minmax() { printf '%s\n' "$1" | sed 's/.*min=\([0-9.]*\).*max=\([0-9.]*\).*/\1\/\2/'; }
	printf '   min/max s:'
	[ -z "$o" ] || printf ' ours %s,' "$(minmax "$o")"
	printf ' floor %s' "$(minmax "$f")"
	[ -z "$q" ] || printf ', sqlite3 %s' "$(minmax "$q")"
	[ -z "$m" ] || printf ', mlr %s' "$(minmax "$m")"
	echo
	printf '   cpu medians s:'
	[ -z "$o" ] || printf ' ours %.3f,' "$(field cpu_median "$o")"
	printf ' floor %.3f' "$(field cpu_median "$f")"
	[ -z "$q" ] || printf ', sqlite3 %.3f' "$(field cpu_median "$q")"
	[ -z "$m" ] || printf ', mlr %.3f' "$(field cpu_median "$m")"
	echo
	printf '   peak RSS MB:'
	[ -z "$o" ] || printf ' ours %s,' "$(mb "$(field maxrss_kb "$o")")"
	printf ' floor %s' "$(mb "$(field maxrss_kb "$f")")"
	[ -z "$q" ] || printf ', sqlite3 %s' "$(mb "$(field maxrss_kb "$q")")"
	[ -z "$m" ] || printf ', mlr %s' "$(mb "$(field maxrss_kb "$m")")"
	echo
	echo "   injected: $(sed -n 's/^his //p' "$d/his.info")"
	[ -z "$o" ] || echo "   ours: exit $(cat "$W/b4/out.status"), findings.csv: $(findings "$W/b4/out")"
	[ -z "$q" ] || echo "   sqlite3 CLI: $(($(wc -l <"$W/b4/sqlite-missing.csv") - 1)) missing, $(($(wc -l <"$W/b4/sqlite-extra.csv") - 1)) extra rows written"
	[ -z "$m" ] || echo "   mlr: $(grep -c '' "$W/b4/mlr.csv") lines written (unpaired ledger lines and HIS rows, with their header blocks)"
	rm -f "$W/b4/mlr.csv" "$W/b4/sqlite-"*.csv
}

b5() {
	TZ=Asia/Shanghai
	export TZ
	b45_dir
	if ! have_reconcile; then
		echo "B5: not measured (\`bulu reconcile\` is not in this build)"
		FAILED=1
		row "| B5 | \`bulu reconcile\` per HIS row at 4 sizes | not measured | | | within +-30 % of the median | no |"
		row "| B5b | one patient with 10000 identical lines | not measured | | | <= 2 | no |"
		return 0
	fi
	mkdir -p "$W/b5"
	us="" sizes="" skipped=""
	for nh in $((NH4 / 100)) $((NH4 / 10)) "$NH4" $((NH4 * 10)); do
		if [ "$B5_MAX" -gt 0 ] && [ "$nh" -gt "$B5_MAX" ]; then
			skipped="$skipped $nh"
			continue
		fi
		if [ "$nh" -eq "$NH4" ] && [ -n "$B4_SECS" ]; then
			secs=$B4_SECS
			rss=$B4_RSS
			how="B4's run"
		else
			b45_make "n$nh" $((nh / 10)) 3 $(((nh / 50) < 1 ? 1 : nh / 50)) "$nh" || return 1
			d=$B45_IN/n$nh
			# One warm-up run below B4's size (it costs little there).
			sync
			o=$(timed -k "$R5" -w $((nh < NH4 ? 1 : 0)) -l ours -- sh -c "$OURS_SH" "$BULU" "$d/ledger.db" "$d/his.csv" "$W/b5/out") || return 1
			secs=$(field median "$o")
			rss=$(field maxrss_kb "$o")
			how="median of $R5, min/max $(calc '%.3f' "$(field min "$o")")/$(calc '%.3f' "$(field max "$o")") s; exit $(cat "$W/b5/out.status"), findings.csv: $(findings "$W/b5/out")"
			[ "${KEEP:-0}" = 1 ] || [ "$nh" -le "$NH4" ] || rm -rf "$d"
		fi
		u=$(calc '%.4f' "$secs * 1000000 / $nh")
		echo "   $nh HIS rows, $((nh * 3 / 10)) journal lines: $(calc '%.3f' "$secs") s, $(calc '%.3f' "$u") us/row, $(mb "$rss") MB peak RSS ($how)"
		us="$us$u "
		sizes="$sizes$nh "
		if [ -n "${prev_nh:-}" ]; then
			marg="${marg:-}$(calc '%.3f' "($secs - $prev_s) * 1000000 / ($nh - $prev_nh)") "
		fi
		prev_nh=$nh
		prev_s=$secs
	done
	[ -z "$skipped" ] || echo "   left out (BENCH_B5_MAX=$B5_MAX):$skipped HIS rows"
	# For information: the time each further row costs between two sizes,
	# which the fixed cost of a run (process start, opening the ledger) does
	# not blur.
	[ -z "${marg:-}" ] || echo "   marginal us per added row between consecutive sizes: $marg(information)"
	med=$(median "$(printf '%s\n' $us)")
	mx=$(printf '%s\n' $us | sort -g | tail -1)
	mn=$(printf '%s\n' $us | sort -g | head -1)
	up=$(calc '%+.0f' "($mx / $med - 1) * 100")
	down=$(calc '%+.0f' "($mn / $med - 1) * 100")
	spread=$(calc '%.2f' "$mx / $mn - 1")
	met=$(calc '%s' "($mx / $med <= 1.3 && $mn / $med >= 0.7 ? \"yes\" : \"no\")")
	echo "B5 growth: per-row time $(for x in $us; do printf '%.3f ' "$x"; done)us at $(printf '%s\n' $sizes | paste -sd/ -) HIS rows;" \
		"median $(calc '%.3f' "$med") us, deviation $down % .. $up % (goal within +-30 %); max/min - 1 = $spread"
	row "| B5 | \`bulu reconcile\` per HIS row at $(printf '%s\n' $sizes | paste -sd/ -) rows | $(for x in $us; do printf '%.2f/' "$x"; done | sed 's,/$,,') us | median $(calc '%.2f' "$med") us (itself) | $down % .. $up % | within +-30 % of the median | $met |"

	# The one-patient case against the spread-out case, same sizes.
	b45_make one 10000 1 1 10000 uniform || return 1
	b45_make spread 10000 1 10000 10000 uniform || return 1
	k5=$((R5 < 5 ? 5 : R5))
	sync
	o=$(timed -k "$k5" -w 1 -l one -l spread -- sh -c "$OURS_SH" "$BULU" "$B45_IN/one/ledger.db" "$B45_IN/one/his.csv" "$W/b5/one" \
		::: sh -c "$OURS_SH" "$BULU" "$B45_IN/spread/ledger.db" "$B45_IN/spread/his.csv" "$W/b5/spread") || return 1
	a=$(printf '%s\n' "$o" | grep 'label=one ')
	b=$(printf '%s\n' "$o" | grep 'label=spread ')
	as=$(field median "$a")
	bs=$(field median "$b")
	r=$(calc '%.2f' "$as / $bs")
	metb=$(calc '%s' "($as / $bs <= 2 ? \"yes\" : \"no\")")
	echo "B5 one patient, 10000 identical lines and HIS rows: $(ms "$as") ms | spread out over 10000 patients $(ms "$bs") ms | ratio $r (goal <= 2)"
	echo "   medians of $k5 interleaved runs; min/max ms: one $(ms "$(field min "$a")")/$(ms "$(field max "$a")"), spread $(ms "$(field min "$b")")/$(ms "$(field max "$b")")"
	echo "   one: exit $(cat "$W/b5/one.status"), findings.csv: $(findings "$W/b5/one"); spread: exit $(cat "$W/b5/spread.status"), findings.csv: $(findings "$W/b5/spread")"
	row "| B5b | \`bulu reconcile\`, one patient with 10000 identical lines and HIS rows (median of $k5) | $(ms "$as") ms | $(ms "$bs") ms (the same over 10000 patients) | $r | <= 2 | $metb |"
}

# ---------------------------------------------------------------- S1, S2 ----
# The station screen (bench/screen.py): suggestions over HTTP against the
# same SQL in SQLite; a charge saved over HTTP against B2's whole process.
s12() {
	PY=python3
	out=$("$PY" "$HERE/screen.py" "$BULU" "$W/screen" "$K" 2>"$W/last") || {
		cat "$W/last" >>"$LOG"; echo "bench: S1/S2:" >&2; tail -5 "$W/last" | sed 's/^/    /' >&2; return 1; }
	s1=$(printf '%s\n' "$out" | grep '^S1 ')
	s2=$(printf '%s\n' "$out" | grep '^S2 ')
	ms() { calc '%.2f' "$1 * 1000"; }
	hp=$(field http_p99 "$s1"); sp=$(field sql_p99 "$s1")
	echo "S1 suggestions, 30,000-item catalog, over HTTP: p99 $(ms "$hp") ms (median $(ms "$(field http_median "$s1")") ms) over $(field lookups "$s1") keystrokes | the same SQL in SQLite: p99 $(ms "$sp") ms (median $(ms "$(field sql_median "$s1")") ms) | goal p99 <= 20 ms"
	met=$(calc '%s' "($hp <= 0.020 ? \"yes\" : \"no\")")
	row "| S1 | station screen: keystroke to suggestions, 30,000-item catalog, over HTTP (p99 of $(field lookups "$s1")) | $(ms "$hp") ms | $(ms "$sp") ms (the same SQL in SQLite, p99) | $(calc '%.1f' "$hp / $sp") | p99 <= 20 ms | $met |"
	hm=$(field http_median "$s2"); cm=$(field cli_median "$s2")
	r=$(calc '%.2f' "$hm / $cm")
	met=$(calc '%s' "($hm / $cm <= 1.2 ? \"yes\" : \"no\")")
	echo "S2 charge, 5 lines, saved over HTTP: median $(ms "$hm") ms | B2's whole-process bulu capture charge $(ms "$cm") ms (interleaved, $(field runs "$s2") each) | ratio $r (goal <= 1.2)"
	row "| S2 | station screen: a 5-line charge saved over HTTP, durable (median of $(field runs "$s2")) | $(ms "$hm") ms | $(ms "$cm") ms (\`bulu capture charge\`, whole process, as B2) | $r | <= 1.2 | $met |"
}

if want B1; then
	b1 || unmeasured B1 "a step failed; see above" "\`bulu capture import\`, $N one-line charge forms" ">= 0.75"
	echo
fi
if want B2; then
	b2 || unmeasured B2 "a step failed; see above" "\`bulu capture charge\`, 5 lines, one durable save" "<= 1.5"
	echo
fi
if want B3; then
	b3 || unmeasured B3 "a step failed; see above" "\`bulu sync import\`, $((B3_STATIONS * B3_STEPS)) bundles, into an empty ledger" ">= 20 (verify rate), <= 1.5 (sqlite3 CLI time)"
	echo
fi
if want B4; then
	b4 || { unmeasured B4 "a step failed; see above" "\`bulu reconcile\`, $NH4-row HIS charges export" "<= 3 (floor), >= 5x (sqlite3), >= 3x (mlr), <= 2 (memory)"; }
	echo
fi
if want B5; then
	b5 || unmeasured B5 "a step failed; see above" "\`bulu reconcile\` per HIS row at 4 sizes; one patient" "within +-30 %; <= 2"
	echo
fi
if want S1 || want S2; then
	s12 || unmeasured S1/S2 "a step failed; see above" "the station screen: suggestions; a charge over HTTP" "p99 <= 20 ms; <= 1.2"
	echo
fi
if want I1; then
	i1 || unmeasured I1 "a step failed; see above" "\`bulu report incident\` on B4's ledger and reconcile" "<= 2"
	echo
fi
echo "| # | work | ours | floor, measured in the same run | ratio | goal | met |"
echo "|---|---|---|---|---|---|---|"
printf '%s' "$ROWS"
exit "$FAILED"
