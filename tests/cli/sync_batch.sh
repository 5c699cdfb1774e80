# sync_batch.sh - the group commit of `bulu sync import` (docs/sync.md,
# "The merge").
#
# Many bundles merged in one durable commit must keep every promise of one
# bundle per commit: a rejected, salvaged or repeated bundle in the middle
# of a batch does not disturb its neighbours; the lines are those of
# bundles really merged; kill -9 at any point leaves a ledger that is
# consistent (every bundle recorded whole, nothing unrecorded, no "merged"
# line without its bundle) and that a rerun completes into the same ledger
# as one clean import; a full disk loses only the batch being written.
. "$(dirname "$0")/../lib.sh"
: "${TOOLS:?TOOLS must point at the built test tools}"
export BULU_OPERATOR=op1
R=$T/roster.txt
SP=$T/spool

count() { sqlite3 "$1" "SELECT count(*) FROM $2"; }
canon() { sqlite3 "$1" ".dump entries drill_entries heads"; }

# ---- three stations, 30 incremental exports of 3..12 entries each: 90 bundles
# (more than one batch holds), exported into one spool.
for st in B1 B2 B3; do
	t_outage_station "$st" || exit 1
	expect 0 bulu roster add --roster "$R" --from-station "$BULU_HOME"
	x=1 # (t_charge_forms uses i)
	while [ "$x" -le 30 ]; do
		t_charge_forms $((3 + x % 10)) "$T/f.csv"
		"$BULU" capture import "$T/f.csv" >/dev/null 2>&1 || fail "capture import $st $x"
		"$BULU" sync export --out "$SP" >/dev/null 2>&1 || fail "sync export $st $x"
		x=$((x + 1))
	done
done
NB=$(ls "$SP" | grep -c '\.bulu$')
[ "$NB" = 90 ] && ok || fail "90 bundles in the spool, not $NB"
WANT=$(for st in B1 B2 B3; do sqlite3 "$T/$st/journal.db" "SELECT max(seq) FROM entries"; done | awk '{ s += $1 } END { print s }')

# ---- the reference: one bundle per import, one process each
for f in "$SP"/*.bulu; do
	"$BULU" sync import --ledger "$T/ref.db" --roster "$R" "$f" >/dev/null 2>&1 || fail "reference import of $f"
done
[ "$(count "$T/ref.db" entries)" = "$WANT" ] && ok || fail "the reference ledger holds every entry"

# ---- the whole spool in one import: batches of several bundles, the same ledger
expect 0 bulu sync import --ledger "$T/all.db" --roster "$R" "$SP"
[ "$(grep -c '^merged ' "$T/out")" = 90 ] && ok || fail "90 merged lines"
[ "$(canon "$T/all.db")" = "$(canon "$T/ref.db")" ] && ok || fail "batched import = one bundle per import"
[ "$(sqlite3 "$T/all.db" "SELECT count(*), sum(new_entries) FROM imports WHERE result = 'merged'")" = "90|$WANT" ] &&
	ok || fail "every bundle recorded with its new entries"
ls "$SP"/*.bulu | sed 's|^|merged   |' >"$T/order"
sed 's/:.*//' "$T/out" >"$T/got"
[ "$(cat "$T/got")" = "$(cat "$T/order")" ] && ok || fail "the lines come in the order of the files"
[ "$(sqlite3 "$T/all.db" "PRAGMA integrity_check")" = ok ] && ok || fail "integrity_check after a batched import"
[ "$(sqlite3 "$T/all.db" "PRAGMA journal_mode")" = wal ] && ok || fail "the ledger stays in WAL mode"
expect 0 bulu sync import --ledger "$T/all.db" --roster "$R" "$SP"
[ "$(grep -c '^skipped ' "$T/out")" = 90 ] && ok || fail "importing again skips all 90"

# ---- a rejected, a salvaged and a repeated bundle in the middle of a batch
mkdir -p "$T/mix"
cp "$SP"/*.bulu "$SP"/*.minisig "$T/mix/"
set -- $(ls "$T/mix"/B2-*.bulu | sort)
BAD=$3 CUT=$5 DUP=$7
size=$(wc -c <"$BAD")
printf 'X' | dd of="$BAD" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
cp "$CUT" "$T/whole.bulu"
head -c $(($(wc -c <"$T/whole.bulu") / 2)) "$T/whole.bulu" >"$CUT"
cp "$DUP" "$T/mix/ZZ-copy.bulu"
cp "$DUP.minisig" "$T/mix/ZZ-copy.bulu.minisig"
expect 3 bulu sync import --ledger "$T/mix.db" --roster "$R" "$T/mix"
grep -q "^rejected $BAD: bad signature" "$T/out" && ok || fail "the changed bundle is rejected: $(grep "$BAD" "$T/out")"
grep -q "^salvaged $CUT: " "$T/out" && ok || fail "the cut bundle is salvaged: $(grep "$CUT" "$T/out")"
grep -q "^skipped  $T/mix/ZZ-copy.bulu: imported before" "$T/out" && ok ||
	fail "a copy of a bundle merged earlier in the same batch is skipped"
[ "$(grep -c '^merged ' "$T/out")" = 88 ] && ok || fail "the 88 other bundles merged: $(grep -c '^merged ' "$T/out")"
[ "$(sqlite3 "$T/mix.db" "SELECT result || ' ' || count(*) FROM imports GROUP BY result ORDER BY result" | tr '\n' ' ')" = \
	"merged 88 rejected 1 salvaged 1 " ] && ok || fail "imports: 88 merged, 1 rejected, 1 salvaged"
bad_range=$(basename "$BAD" .bulu | awk -F- '{ print $2 " AND " $3 }')
[ "$(sqlite3 "$T/mix.db" "SELECT count(*) FROM entries WHERE station = 'B2' AND seq BETWEEN $bad_range")" = 0 ] &&
	ok || fail "nothing of the rejected bundle is merged"
[ "$(sqlite3 "$T/mix.db" "SELECT count(*) FROM entries WHERE station <> 'B2'")" = \
	"$(sqlite3 "$T/ref.db" "SELECT count(*) FROM entries WHERE station <> 'B2'")" ] && ok ||
	fail "the other stations' bundles are all merged"
cp "$SP/$(basename "$BAD")" "$BAD"
cp "$T/whole.bulu" "$CUT"
expect 0 bulu sync import --ledger "$T/mix.db" --roster "$R" "$T/mix"
[ "$(canon "$T/mix.db")" = "$(canon "$T/ref.db")" ] && ok || fail "with good copies, the ledger is complete"

# ---- kill -9 at any point of a batched import, then a rerun
# After the kill: the ledger is consistent, every "merged" line printed has
# its bundle recorded, entries held are exactly those of the bundles
# recorded (no half bundle), and a rerun gives the reference ledger.
k=0
for delay in 0.01 0.03 0.05 0.08 0.1 0.15 0.2 0.3 0.4 0.6; do
	k=$((k + 1))
	rm -f "$T/k.db" "$T/k.db-wal" "$T/k.db-shm"
	"$BULU" sync import --ledger "$T/k.db" --roster "$R" "$SP" >"$T/kout" 2>/dev/null &
	pid=$!
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	[ -f "$T/k.db" ] || continue # killed before the ledger was made
	[ "$(sqlite3 "$T/k.db" "PRAGMA integrity_check")" = ok ] && ok || fail "kill $k: integrity_check"
	if [ "$(sqlite3 "$T/k.db" "SELECT count(*) FROM sqlite_schema WHERE name = 'imports'")" = 0 ]; then
		# killed while the ledger was being made: an empty database, no lines
		[ -s "$T/kout" ] && fail "kill $k: lines printed before the ledger was made" || ok
		expect 0 bulu sync import --ledger "$T/k.db" --roster "$R" "$SP"
		[ "$(canon "$T/k.db")" = "$(canon "$T/ref.db")" ] && ok || fail "kill $k: the rerun makes the ledger"
		continue
	fi
	grep '^merged ' "$T/kout" | sed 's/^merged   \([^:]*\):.*/\1/' | while read -r f; do
		[ "$(sqlite3 "$T/k.db" "SELECT count(*) FROM imports WHERE file = '$f' AND result = 'merged'")" = 1 ] ||
			echo "$f"
	done >"$T/lost"
	[ -s "$T/lost" ] && fail "kill $k: merged lines without their bundle: $(head -3 "$T/lost")" || ok
	[ "$(count "$T/k.db" entries)" = "$(sqlite3 "$T/k.db" "SELECT coalesce(sum(new_entries), 0) FROM imports")" ] &&
		ok || fail "kill $k: entries held are exactly those of the bundles recorded"
	[ "$(sqlite3 "$T/k.db" "SELECT count(*) FROM imports i WHERE result = 'merged' AND entries <>
		(SELECT count(*) FROM entries e WHERE e.station = i.station AND e.seq BETWEEN i.first_seq AND i.last_seq)")" = 0 ] &&
		ok || fail "kill $k: every recorded bundle is held whole"
	expect 0 bulu sync import --ledger "$T/k.db" --roster "$R" "$SP"
	[ "$(canon "$T/k.db")" = "$(canon "$T/ref.db")" ] && ok || fail "kill $k: the rerun completes the ledger"
	[ "$(sqlite3 "$T/k.db" "SELECT count(*) FROM imports WHERE result = 'merged'")" = 90 ] && ok ||
		fail "kill $k: each bundle recorded merged once"
done

# ---- a full disk in the middle: exit 4, what was committed stays whole, a rerun completes
# B1's bundles are imported first with room; then the files may not grow
# past the ledger's size at that point, so the rest of the spool (twice as
# much) cannot be made durable: neither in the WAL nor copied into the
# ledger.  Whether some batch of the second run still commits depends on
# how the checkers keep up (a smaller batch fits): the checks hold either way.
rm -f "$T/full.db" "$T/full.db-wal" "$T/full.db-shm"
expect 0 bulu sync import --ledger "$T/full.db" --roster "$R" $(ls "$SP"/B1-*.bulu)
B1N=$(count "$T/full.db" entries)
blocks=$(($(wc -c <"$T/full.db") / 512)) # dash's ulimit -f counts 512-byte blocks
(trap '' XFSZ; ulimit -f "$blocks"; exec "$BULU" sync import --ledger "$T/full.db" --roster "$R" "$SP") >"$T/out" 2>"$T/err"
rc=$?
check "an import past the size limit exits 4 (got $rc)" [ "$rc" -eq 4 ]
grep -q "disk" "$T/err" && ok || fail "the message says what failed: $(cat "$T/err")"
[ "$(sqlite3 "$T/full.db" "PRAGMA integrity_check")" = ok ] && ok || fail "integrity_check after a full disk"
[ "$(sqlite3 "$T/full.db" "SELECT count(*) FROM entries WHERE station = 'B1'")" = "$B1N" ] && ok ||
	fail "after a full disk, the bundles committed before are all kept"
[ "$(count "$T/full.db" entries)" = "$(sqlite3 "$T/full.db" "SELECT coalesce(sum(new_entries), 0) FROM imports")" ] &&
	ok || fail "after a full disk, entries held are those of the bundles recorded"
[ "$(grep -c '^merged ' "$T/out")" = "$(sqlite3 "$T/full.db" "SELECT count(*) - 30 FROM imports WHERE result = 'merged'")" ] &&
	ok || fail "after a full disk, one merged line per bundle recorded"
expect 0 bulu sync import --ledger "$T/full.db" --roster "$R" "$SP"
[ "$(canon "$T/full.db")" = "$(canon "$T/ref.db")" ] && ok || fail "with room again, the rerun completes the ledger"

finish
