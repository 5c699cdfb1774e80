# sync.sh - bundles from stations to the central ledger (issue: sync).
#
# Export (names, gzip + SQLite inside, stock minisign verifies, incremental),
# sealing, the importer's checks (every byte flip rejected, unknown key, no
# signature), salvage of truncated copies, the merge laws over 100 random
# orders with duplicates and overlaps, forks, gaps, drills, a LAN spool
# imported again, a station restored from an old copy refusing to export,
# sync status in all formats, bad usage.
. "$(dirname "$0")/../lib.sh"
: "${TOOLS:?TOOLS must point at the built test tools}"
export BULU_OPERATOR=op1
R=$T/roster.txt
L=$T/ledger.db

# count LEDGER TABLE: rows in a ledger table.
count() { sqlite3 "$1" "SELECT count(*) FROM $2"; }
# jdump DIR: seq and hash of a station's journal; ldump LEDGER STATION: the same from a ledger.
jdump() { sqlite3 "$1/journal.db" "SELECT seq, hex(hash) FROM entries ORDER BY seq"; }
ldump() { sqlite3 "$1" "SELECT seq, hex(hash) FROM all_entries WHERE station = '$2' ORDER BY seq"; }
# canon LEDGER: the ledger's data tables, canonically (keyed by content).
canon() { sqlite3 "$1" ".dump entries drill_entries heads"; }
import() { bulu sync import --ledger "$L" --roster "$R" "$@"; }

# ---- a station with a catalog, invoices, an outage and 30 charges
t_outage_station S1 || exit 1
S1=$BULU_HOME
t_charge_forms 30 "$T/c30.csv"
expect 0 bulu capture import "$T/c30.csv"
expect 0 bulu capture charge --patient P900 --name 张三丰 --item D001:1 --pay cash
expect 0 bulu roster add --roster "$R" --from-station "$S1"
N1=$(sqlite3 "$S1/journal.db" "SELECT max(seq) FROM entries")

# ---- export
expect 0 bulu sync export --out "$T/usb"
B1=$T/usb/S1-1-$N1.bulu
[ "$(cat "$T/out")" = "$B1" ] && ok || fail "export prints the bundle path: $(cat "$T/out")"
[ -f "$B1" ] && [ -f "$B1.minisig" ] && ok || fail "bundle and signature written"
ls "$T/usb" | grep -q tmp && fail "temporary files left behind" || ok
zcat "$B1" >"$T/b1.db" && ok || fail "zcat reads the bundle"
[ "$(sqlite3 "$T/b1.db" "SELECT count(*), min(seq), max(seq) FROM entries")" = "$N1|1|$N1" ] && ok ||
	fail "the bundle's entries table holds 1..$N1"
[ "$(sqlite3 "$T/b1.db" "SELECT station, hex(pubkey) FROM bundle")" = \
	"S1|$(sqlite3 "$S1/journal.db" "SELECT hex(pubkey) FROM station")" ] && ok || fail "the bundle holds the station's key"
grep -q 张三丰 "$T/b1.db" && ok || fail "a plain bundle carries the patient's name (the sealed one must not)"
PUB=$(bulu station pubkey | tail -1)
if minisign -Vm "$B1" -P "$PUB" >"$T/ms" 2>&1; then ok; else fail "stock minisign verifies the bundle"; fi
grep -q "Trusted comment: bulu-bundle:1 station:S1 first:1 last:$N1 head:" "$T/ms" && ok ||
	fail "the trusted comment names station, range and head: $(cat "$T/ms")"
HEAD=$(sqlite3 "$S1/journal.db" "SELECT lower(hex(hash)) FROM entries WHERE seq = $N1")
grep -q "head:$HEAD " "$T/ms" && ok || fail "the trusted comment's head is the journal's head hash"
cp "$B1" "$T/changed.bulu"
printf 'X' | dd of="$T/changed.bulu" bs=1 seek=200 conv=notrunc 2>/dev/null
if minisign -Vm "$T/changed.bulu" -x "$B1.minisig" -P "$PUB" >/dev/null 2>&1; then
	fail "stock minisign accepted a changed bundle"
else ok; fi
expect 0 bulu sync export --out "$T/usb"
grep -q "nothing new" "$T/err" && ok || fail "a second export says nothing is new"
[ "$(ls "$T/usb" | wc -l)" = 2 ] && ok || fail "nothing new: nothing written"
expect 0 bulu capture charge --patient P901 --item D002:2 --pay cash
expect 0 bulu capture charge --patient P902 --item D001:1 --pay cash
expect 0 bulu sync export --out "$T/usb"
N2=$((N1 + 2))
[ "$(cat "$T/out")" = "$T/usb/S1-$((N1 + 1))-$N2.bulu" ] && ok || fail "the next export starts after the last: $(cat "$T/out")"
expect 0 bulu sync export --out "$T/again" --since 5
[ "$(cat "$T/out")" = "$T/again/S1-6-$N2.bulu" ] && ok || fail "--since 5 exports from seq 6"
expect 0 bulu sync export --out "$T/again" --all
[ "$(cat "$T/out")" = "$T/again/S1-1-$N2.bulu" ] && ok || fail "--all exports from seq 1"
expect 2 bulu sync export --out "$T/again" --all --since 3
expect 2 bulu sync export
expect 2 bulu sync export --out "$T/again" --since -4

# ---- import
expect 0 import "$T/usb"
grep -c '^merged' "$T/out" | grep -qx 2 && ok || fail "two bundles merged: $(cat "$T/out")"
[ "$(jdump "$S1")" = "$(ldump "$L" S1)" ] && ok || fail "the ledger holds exactly the journal's entries"
[ "$(sqlite3 "$L" "SELECT result, entries, new_entries FROM imports ORDER BY id LIMIT 1")" = "merged|$N1|$N1" ] &&
	ok || fail "the import is recorded with its counts"
[ "$(sqlite3 "$L" "SELECT length(file_hash), size > 0 FROM imports LIMIT 1")" = "128|1" ] && ok ||
	fail "the import records the file's hash and size"
canon "$L" >"$T/before"
expect 0 import "$T/usb"
grep -c '^skipped' "$T/out" | grep -qx 2 && ok || fail "importing again skips both: $(cat "$T/out")"
cp "$B1" "$T/renamed.bulu" && cp "$B1.minisig" "$T/renamed.bulu.minisig"
expect 0 import "$T/renamed.bulu"
grep -q '^skipped' "$T/out" && ok || fail "the same content under another name is skipped"
canon "$L" | cmp -s - "$T/before" && ok || fail "importing again changed the ledger"
expect 0 bulu sync status --ledger "$L"
grep -q "S1 .*1-$N2" "$T/out" && ok || fail "status shows S1 holding 1-$N2: $(cat "$T/out")"

# ---- the importer refuses what it cannot trust; nothing merged
rm -f "$T/l2.db"
cp "$T/again/S1-6-$N2.bulu" "$T/nosig.bulu"
expect 3 bulu sync import --ledger "$T/l2.db" --roster "$R" "$T/nosig.bulu"
grep -q "no signature" "$T/out" && ok || fail "a bundle without its .minisig is rejected"
[ "$(count "$T/l2.db" entries)" = 0 ] && ok || fail "a rejected bundle merges nothing"
[ "$(sqlite3 "$T/l2.db" "SELECT result FROM imports")" = rejected ] && ok || fail "the rejection is recorded"
expect 3 bulu sync import --ledger "$T/l2.db" --roster "$R" "$T/changed.bulu"
cp "$B1.minisig" "$T/changed.bulu.minisig"
expect 3 bulu sync import --ledger "$T/l2.db" --roster "$R" "$T/changed.bulu"
grep -q "changed after S1 signed it" "$T/out" && ok || fail "a changed byte is named as a change: $(cat "$T/out")"
[ "$(count "$T/l2.db" entries)" = 0 ] && ok || fail "nothing of a changed bundle is merged"
# Every single-byte change of a small bundle (and of its signature's signed
# lines): rejected, in process; and a sample through the command, exit 3.
t_station S9 cashier
S9=$BULU_HOME
expect 0 bulu capture note --text small
expect 0 bulu roster add --roster "$R" --from-station "$S9"
expect 0 bulu sync export --out "$T/small"
SB=$(cat "$T/out")
"$TOOLS/bundle_flip" "$R" "$SB" >"$T/flip" 2>&1 && ok || fail "bundle_flip: $(cat "$T/flip")"
grep -q " 0 not$" "$T/flip" && ok || fail "every byte change rejected: $(cat "$T/flip")"
size=$(stat -c %s "$SB")
mkdir -p "$T/flip.d"
for off in 0 1 2 10 11 40 100 $((size / 3)) $((size / 2)) $((size - 9)) $((size - 5)) $((size - 1)); do
	cp "$SB" "$T/flip.d/x.bulu" && cp "$SB.minisig" "$T/flip.d/x.bulu.minisig"
	python3 -c "import sys; p=sys.argv[1]; o=int(sys.argv[2]); b=bytearray(open(p,'rb').read()); b[o]^=0xff; open(p,'wb').write(b)" \
		"$T/flip.d/x.bulu" "$off"
	expect 3 bulu sync import --ledger "$T/l2.db" --roster "$R" "$T/flip.d/x.bulu"
done
[ "$(count "$T/l2.db" entries)" = 0 ] && ok || fail "no flipped bundle merged anything"

# Unknown station key: rejected until the roster trusts it, then merged.
t_station S2 cashier
S2=$BULU_HOME
expect 0 bulu capture note --text unknown
expect 0 bulu sync export --out "$T/s2"
S2B=$(cat "$T/out")
expect 3 import "$S2B"
grep -q "unknown station key" "$T/out" && ok || fail "an unknown key is named: $(cat "$T/out")"
[ "$(sqlite3 "$L" "SELECT count(*) FROM entries WHERE station = 'S2'")" = 0 ] && ok || fail "nothing of S2 merged"
expect 0 bulu roster add --roster "$R" --from-station "$S2"
expect 0 import "$S2B"
grep -q '^merged' "$T/out" && ok || fail "once trusted, the same file merges (a rejection is not 'imported')"

# ---- sealed bundles open only with the central key
expect 0 bulu central init --dir "$T/central"
expect 0 bulu central init --dir "$T/other"
BULU_HOME=$S1
expect 0 bulu capture charge --patient P903 --name 张三丰 --item D001:1 --pay cash
expect 0 bulu sync export --out "$T/sealed" --seal-to "$T/central/central.pub" --all
SEALED=$(cat "$T/out")
if zcat "$SEALED" >/dev/null 2>&1; then fail "zcat read a sealed bundle"; else ok; fi
grep -q 张三丰 "$SEALED" && fail "the sealed bundle shows a patient's name" || ok
minisign -Vm "$SEALED" -P "$PUB" >/dev/null 2>&1 && ok || fail "minisign verifies the sealed file"
grep -q "sealed:1" "$SEALED.minisig" && ok || fail "the signature says sealed"
expect 3 import "$SEALED"
grep -q "no central key" "$T/out" && ok || fail "sealed, no key: says so"
expect 3 import --central "$T/other" "$SEALED"
grep -q "different central key" "$T/out" && ok || fail "sealed to another key: says so: $(cat "$T/out")"
expect 0 import --central "$T/central" "$SEALED"
grep -q '^merged' "$T/out" && ok || fail "the central key opens it"
[ "$(jdump "$S1")" = "$(ldump "$L" S1)" ] && ok || fail "after the sealed import the ledger matches the journal"
"$TOOLS/bundle_flip" "$R" "$SEALED" "$T/central" >"$T/flip" 2>&1 && ok || fail "sealed flips: $(cat "$T/flip")"

# ---- a truncated copy: its verifiable prefix salvaged, the rest a gap
t_outage_station S3 || exit 1
S3=$BULU_HOME
t_charge_forms 3000 "$T/c3000.csv"
expect 0 bulu capture import "$T/c3000.csv"
expect 0 bulu roster add --roster "$R" --from-station "$S3"
expect 0 bulu sync export --out "$T/big"
BIG=$(cat "$T/out")
N3=$(sqlite3 "$S3/journal.db" "SELECT max(seq) FROM entries")
size=$(stat -c %s "$BIG")
prev=0
for frac in 3 2 1; do
	cut=$((size * frac / 4))
	mkdir -p "$T/cut$frac"
	head -c "$cut" "$BIG" >"$T/cut$frac/x.bulu" && cp "$BIG.minisig" "$T/cut$frac/x.bulu.minisig"
	rm -f "$T/l3.db"*
	expect 1 bulu sync import --ledger "$T/l3.db" --roster "$R" "$T/cut$frac/x.bulu"
	k=$(sqlite3 "$T/l3.db" "SELECT coalesce(max(seq), 0) FROM entries WHERE station = 'S3'")
	n=$(sqlite3 "$T/l3.db" "SELECT count(*) FROM entries WHERE station = 'S3'")
	{ [ "$k" -gt 0 ] && [ "$n" = "$k" ] && [ "$k" -lt "$N3" ]; } && ok ||
		fail "cut at $frac/4: a prefix 1..k salvaged (k=$k n=$n of $N3)"
	{ [ "$frac" != 3 ] || [ "$k" -gt "$((N3 / 2))" ]; } && ok || fail "3/4 of the file keeps most entries (k=$k)"
	[ "$(ldump "$T/l3.db" S3)" = "$(jdump "$S3" | head -n "$k")" ] && ok || fail "the salvaged prefix is the journal's"
	grep -q "^salvaged .*$((k + 1))-$N3 reported as a gap" "$T/out" && ok || fail "the rest is reported as a gap: $(cat "$T/out")"
	expect 1 bulu sync status --ledger "$T/l3.db" --format csv
	grep -q "^S3,.*,$((k + 1))-$N3," "$T/out" && ok || fail "status shows the gap $((k + 1))-$N3: $(cat "$T/out")"
	[ "$prev" = 0 ] || [ "$k" -lt "$prev" ] && ok || fail "a shorter copy salvages less ($k vs $prev)"
	prev=$k
done
expect 0 bulu sync import --ledger "$T/l3.db" --roster "$R" "$BIG"
expect 0 bulu sync status --ledger "$T/l3.db"
[ "$(ldump "$T/l3.db" S3)" = "$(jdump "$S3")" ] && ok || fail "the whole copy fills the gap"
# A truncated sealed copy salvages too.
expect 0 bulu sync export --out "$T/bigsealed" --all --seal-to "$T/central/central.pub"
BS=$(cat "$T/out")
mkdir -p "$T/cuts"
head -c "$(($(stat -c %s "$BS") / 2))" "$BS" >"$T/cuts/x.bulu" && cp "$BS.minisig" "$T/cuts/x.bulu.minisig"
rm -f "$T/l3.db"*
expect 1 bulu sync import --ledger "$T/l3.db" --roster "$R" --central "$T/central" "$T/cuts/x.bulu"
k=$(sqlite3 "$T/l3.db" "SELECT count(*) FROM entries")
[ "$k" -gt 0 ] && [ "$k" -lt "$N3" ] && ok || fail "a truncated sealed copy salvages a prefix ($k)"

# ---- forks, gaps, drills, and a station restored from an old copy
t_station S4 nurse 病区
S4=$BULU_HOME
expect 0 bulu roster add --roster "$R" --from-station "$S4"
expect 0 bulu outage start --at "2026-11-20 08:00"
expect 0 bulu capture note --text a1
expect 0 bulu sync export --out "$T/s4"          # S4-1-3
cp -a "$S4" "$T/S4copy"                          # an old copy, taken now
expect 0 bulu capture note --text a2
expect 0 bulu capture note --text a3
expect 0 bulu sync export --out "$T/s4"          # S4-4-5
# The copy is behind the bundle already on the stick: it refuses to export.
expect 3 bulu sync export --dir "$T/S4copy" --out "$T/s4"
grep -q "restored from an old copy" "$T/err" && ok || fail "a station behind its exported head says so: $(cat "$T/err")"
# On this machine the head's mirror stops the copy writing; moved to another
# machine (no mirror there) it writes on (a fork), then must still refuse
# that stick.
expect 3 bulu capture note --dir "$T/S4copy" --text b2
XDG_STATE_HOME=$T/elsewhere expect 0 bulu capture note --dir "$T/S4copy" --text b2
XDG_STATE_HOME=$T/elsewhere expect 0 bulu capture note --dir "$T/S4copy" --text b3
XDG_STATE_HOME=$T/elsewhere expect 3 bulu sync export --dir "$T/S4copy" --out "$T/s4"
grep -q "forked" "$T/err" && ok || fail "a forked station refuses to export beside its other branch: $(cat "$T/err")"
XDG_STATE_HOME=$T/elsewhere expect 0 bulu sync export --dir "$T/S4copy" --out "$T/s4fork"
FORKB=$(cat "$T/out")
# A drill episode, then a gap: export 6-9 (drill), 10, 11; skip 10.
expect 0 bulu outage end
expect 0 bulu outage start --drill --at "2026-11-21 09:00"
expect 0 bulu capture note --text drill
expect 0 bulu outage end
expect 0 bulu sync export --out "$T/s4"          # S4-6-9
expect 0 bulu capture note --text later
expect 0 bulu sync export --out "$T/s4gap"       # S4-10-10
expect 0 bulu capture note --text latest
expect 0 bulu sync export --out "$T/s4"          # S4-11-11
rm -f "$L"*
expect 0 import "$T/s4"
[ "$(sqlite3 "$L" "SELECT count(*) FROM drill_entries WHERE station = 'S4'")" = 3 ] && ok ||
	fail "the drill's three entries are kept apart"
[ "$(sqlite3 "$L" "SELECT count(*) FROM entries WHERE episode GLOB 'DRILL-*'")" = 0 ] && ok ||
	fail "no drill entry among the real ones"
expect 1 bulu sync status --ledger "$L" --format json
grep -q '"gaps":"10"' "$T/out" && ok || fail "status shows the gap at 10: $(cat "$T/out")"
grep -q '"drill_entries":3' "$T/out" && ok || fail "status counts drill entries apart"
expect 0 import "$T/s4gap"
expect 0 bulu sync status --ledger "$L"
expect 1 import "$FORKB"
grep -q "FORK: 2 seqs" "$T/out" && ok || fail "a fork is flagged on import: $(cat "$T/out")"
[ "$(sqlite3 "$L" "SELECT group_concat(seq) FROM forks WHERE station = 'S4'")" = "4,5" ] && ok ||
	fail "both versions of seqs 4 and 5 are kept"
[ "$(sqlite3 "$L" "SELECT count(*) FROM entries WHERE station = 'S4' AND seq IN (4, 5)")" = 4 ] && ok ||
	fail "the fork's entries are all held"
expect 1 bulu sync status --ledger "$L" --format csv
grep -q '^S4,病区,nurse,.*,4-5,' "$T/out" && ok || fail "status lists the forked seqs: $(cat "$T/out")"

# ---- the merge laws: 100 random orders, duplicates and overlaps, one ledger
BULU_HOME=$S4
expect 0 bulu sync export --out "$T/laws" --all  # S4-1-11, overlapping all
expect 0 bulu sync export --out "$T/laws" --since 2
mkdir -p "$T/lawcut"
head -c "$(($(stat -c %s "$T/laws/S4-1-11.bulu") * 2 / 3))" "$T/laws/S4-1-11.bulu" >"$T/lawcut/S4-1-11.bulu"
cp "$T/laws/S4-1-11.bulu.minisig" "$T/lawcut/"
set -- "$T"/s4/*.bulu "$T/s4gap/S4-10-10.bulu" "$FORKB" "$T"/laws/*.bulu "$T/lawcut/S4-1-11.bulu" \
	"$T/usb/S1-1-$N1.bulu" "$T/again/S1-6-$N2.bulu"
printf '%s\n' "$@" >"$T/bundles"
rm -f "$T/ref.db"*
bulu sync import --ledger "$T/ref.db" --roster "$R" "$@" >/dev/null 2>&1
canon "$T/ref.db" >"$T/ref.dump"
[ "$(sqlite3 "$T/ref.db" "SELECT count(*) FROM all_entries")" -gt 20 ] && ok || fail "the reference ledger holds the bundles"
same=0
i=1
while [ "$i" -le 100 ]; do
	# a random order of the bundles, each once, and some of them twice
	awk -v seed="$i" 'BEGIN { srand(seed) } { print rand() "\t" $0; if (rand() < 0.3) print rand() "\t" $0 }' \
		"$T/bundles" | sort -n | cut -f2 >"$T/order"
	rm -f "$T/law.db"*
	# shellcheck disable=SC2046
	bulu sync import --ledger "$T/law.db" --roster "$R" $(cat "$T/order") >/dev/null 2>&1
	canon "$T/law.db" | cmp -s - "$T/ref.dump" && same=$((same + 1)) ||
		fail "order $i gives another ledger: $(tr '\n' ' ' <"$T/order")"
	i=$((i + 1))
done
[ "$same" = 100 ] && ok || fail "only $same of 100 orders gave the reference ledger"

# ---- a LAN spool imported again and again
mkdir -p "$T/spool"
cp "$T"/usb/*.bulu* "$T"/s4/*.bulu* "$T/spool/"
: >"$T/spool/S1-99-100.bulu.tmp.123"
rm -f "$L"*
expect 0 import "$T/spool"
n=$(grep -c '^merged' "$T/out")
[ "$n" = "$(ls "$T"/spool/*.bulu | wc -l)" ] && ok || fail "every bundle of the spool merged once ($n)"
expect 0 import "$T/spool"
[ "$(grep -c '^skipped' "$T/out")" = "$n" ] && ok || fail "a second pass over the spool skips every bundle"
grep -q "bulu.tmp" "$T/out" && fail "a temporary file was taken for a bundle" || ok

# ---- bad usage: exit 2, nothing created
rm -f "$T/none.db"
expect 2 bulu sync import --ledger "$T/none.db" --roster "$R" "$T/no-such.bulu"
[ -e "$T/none.db" ] && fail "a bad import created the ledger" || ok
expect 2 bulu sync import --roster "$R" "$B1"
expect 2 bulu sync import --ledger "$T/none.db" --roster "$T/no-roster" "$B1"
expect 2 bulu sync import --ledger "$T/none.db" --roster "$R"
expect 2 bulu sync status --ledger "$T/none.db"
expect 2 bulu sync status
echo "not a ledger" >"$T/junk.db"
expect 2 bulu sync status --ledger "$T/junk.db"
expect 2 bulu sync status --ledger "$L" --format xml
expect 0 bulu sync import --help
grep -q "usage: bulu sync import" "$T/out" && ok || fail "import --help"
finish
