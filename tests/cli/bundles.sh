#!/bin/sh
# bundles.sh - bundle import's integrity checks, each met by a bundle the
# station really signed (tests/tools/bundle_craft: the content broken in one
# way, then the claim and the file signed again with the station's key), so
# that only the check named can refuse it (docs/sync.md, sync/check.c):
#
#   whole file   the chain breaks (a link, a seq), another station, an edited
#                entry, the last entry is not the signed head, the range ends
#                before or after the signed one, a bad head signature, a first
#                entry binding another key, a bad signature on any entry, a
#                signature of the wrong length, a bundle record that
#                disagrees with the claim or names another format, an extra
#                table, a claim saying sealed, naming another station or not
#                a claim at all: exit 3, nothing merged
#   damaged copy each of those breaks at entry 100: exactly entries 1-99 kept,
#                100-604 a gap
#   sync status  a bundle whose first entry does not link to the seq before
#                it: that seq is reported unlinked (exit 1, all formats)
. "$(dirname "$0")/../lib.sh"
: "${TOOLS:?TOOLS must point at the built test tools}"
export BULU_OPERATOR=op1
R=$T/roster.txt
t_outage_station S || { finish; exit 1; }
S=$BULU_HOME
t_charge_forms 600 "$T/c.csv"
expect 0 bulu capture import "$T/c.csv"
N=$(sqlite3 "$S/journal.db" "SELECT max(seq) FROM entries")
check "S holds 604 entries" [ "$N" = 604 ]
expect 0 bulu sync export --all --out "$T/all"
B=$T/all/S-1-$N.bulu
expect 0 bulu roster add --roster "$R" --from-station "$S"
jdump() { sqlite3 "$S/journal.db" "SELECT seq, hex(hash) FROM entries WHERE seq <= $1 ORDER BY seq"; }
ldump() { sqlite3 "$1" "SELECT seq, hex(hash) FROM all_entries WHERE station = 'S' ORDER BY seq"; }

# craft NAME MODE K [CUT]: $T/NAME/ holds the crafted bundle; $CB its path.
craft() {
	rm -rf "${T:?}/$1"
	mkdir -p "$T/$1"
	if CB=$("$TOOLS/bundle_craft" "$S" "$B" "$2" "$3" "$T/$1" ${4:+"$4"} 2>"$T/err"); then ok; else
		fail "bundle_craft $2 $3 ${4:-}: $(cat "$T/err")"
	fi
}
# imp NAME: import $T/NAME into a fresh ledger $T/NAME.db.
imp() {
	rm -f "$T/$1.db"*
	bulu sync import --ledger "$T/$1.db" --roster "$R" "$T/$1" >"$T/out" 2>"$T/err"
	rc=$?
}

# ---- the control: signed again unchanged, it merges whole
craft none none 1
imp none
check "unchanged: exit 0 (got $rc)" [ "$rc" = 0 ]
check "unchanged: merged 1-$N" grep -q "merged .*S 1-$N, $N entries, $N new" "$T/out"
ldump "$T/none.db" >"$T/got"
jdump "$N" >"$T/want"
check "unchanged: the ledger holds the journal" cmp -s "$T/got" "$T/want"

# ---- whole files: each rejected with its message, nothing merged
# rejected NAME MODE K MESSAGE
rejected() {
	craft "$1" "$2" "$3"
	imp "$1"
	check "$2 $3: exit 3 (got $rc)" [ "$rc" = 3 ]
	check "$2 $3: says '$4' ($(head -1 "$T/out"))" grep -qF "rejected $CB: $4" "$T/out"
	check "$2 $3: the summary says nothing was merged" grep -q 'nothing of them was merged' "$T/err"
	check "$2 $3: nothing merged" [ "$(sqlite3 "$T/$1.db" "SELECT count(*) FROM all_entries")" = 0 ]
}
rejected link link 100 "the chain breaks: entry 100 does not link to entry 99"
rejected link2 link 2 "the chain breaks: entry 2 does not link to entry 1"
rejected linkl link $N "the chain breaks: entry $N does not link to entry $((N - 1))"
rejected gap gap 100 "the chain breaks: seq 101 follows 99"
rejected station station 100 "entry 100 names another station"
rejected hash hash 100 "entry 100's hash does not match its fields"
rejected hashl hash $N "entry $N's hash does not match its fields"
rejected head head $((N - 1)) "its last entry is not the head its signature names"
rejected head1 head 1 "its last entry is not the head its signature names"
rejected short short 1 "it ends at seq $N, not at $((N + 1)) as signed"
rejected long long 1 "it ends at seq $N, not at $((N - 1)) as signed"
rejected long5 long 5 "it ends at seq $N, not at $((N - 5)) as signed"
rejected headsig headsig 3 "the signature of entry $N does not verify under S's key"
rejected sig sig 100 "the signature of entry 100 does not verify under S's key"
rejected bind bind 1 "its first entry does not bind the roster's key for S"
rejected shape shape 100 "entry 100 has a hash or signature of the wrong length"
rejected meta meta 1 "its bundle record disagrees with its signature"
rejected format format 1 "it is not a bulu/bundle/v1 database"
rejected table table 1 "it is not a bulu bundle database (unexpected tables)"
rejected sealed sealed 1 "its signature says sealed but the file is not"
rejected claimst claimst 1 "signed with S's key but names station OTHER"
rejected notclaim notclaim 1 "signed by S, but not as a bulu bundle"
craft size size 10
SZ=$(stat -c %s "$CB")
imp size
check "a claim 10 bytes too long: exit 3 (got $rc)" [ "$rc" = 3 ]
check "a claim 10 bytes too long: says so" grep -qF "rejected $CB: it is $SZ bytes but its signature says $((SZ + 10))" "$T/out"
craft size2 size -10
SZ=$(stat -c %s "$CB")
imp size2
check "a claim 10 bytes too short: says so" grep -qF "rejected $CB: it is $SZ bytes but its signature says $((SZ - 10))" "$T/out"
check "a claim 10 bytes too short: nothing merged" [ "$(sqlite3 "$T/size2.db" "SELECT count(*) FROM all_entries")" = 0 ]
check "the short claim names 1-$((N + 1))" [ -f "$T/short/S-1-$((N + 1)).bulu" ]

# ---- damaged copies (the last 8 bytes lost): the verifiable prefix only
salvaged() {
	craft "$1" "$2" "$3" -8
	imp "$1"
	case $4 in
	0) kept="nothing could be salvaged" held= ;;
	1) kept="entries 1-1 salvaged" held=1 ;;
	*) kept="entries 1-$4 salvaged" held=1-$4 ;;
	esac
	check "damaged, $2 at $3: exit 1 (got $rc)" [ "$rc" = 1 ]
	check "damaged, $2 at $3: says $kept ($(head -1 "$T/out"))" \
		grep -q "salvaged $CB: S: damaged copy .*$kept; $(($4 + 1))-$N reported as a gap" "$T/out"
	ldump "$T/$1.db" >"$T/got"
	jdump "$4" >"$T/want"
	check "damaged, $2 at $3: the ledger holds exactly the journal's first $4" cmp -s "$T/got" "$T/want"
	expect 1 bulu sync status --ledger "$T/$1.db" --format csv
	check "damaged, $2 at $3: status shows the gap $(($4 + 1))-$N" grep -q "^S,.*,$held,$(($4 + 1))-$N," "$T/out"
}
craft dnone none 1 -8
imp dnone
check "damaged unchanged copy: all $N entries salvaged" grep -q "entries 1-$N salvaged, $N new" "$T/out"
salvaged dlink link 100 99
salvaged dlink2 link 2 1
salvaged dgap gap 100 99
salvaged dstation station 100 99
salvaged dhash hash 100 99
salvaged dsig sig 100 99
salvaged dsig1 sig 1 0
salvaged dbind bind 1 0

# ---- sync status: unlinked seqs.  Station U exports 1-7, then 8-12; the
# second bundle, signed again with entry 8 linked elsewhere (the first entry
# of a bundle has nothing before it inside the bundle to link to), merges, and
# status reports 8 unlinked: its predecessor is held, but not the one it
# chains to.
t_outage_station U || { finish; exit 1; }
U=$BULU_HOME
t_charge_forms 3 "$T/u3.csv"
expect 0 bulu capture import "$T/u3.csv"
expect 0 bulu sync export --out "$T/u1"
t_charge_forms 5 "$T/u5.csv"
expect 0 bulu capture import "$T/u5.csv"
expect 0 bulu sync export --out "$T/u2"
expect 0 bulu roster add --roster "$R" --from-station "$U"
check "U exported 1-7" [ -f "$T/u1/U-1-7.bulu" ]
check "U exported 8-12" [ -f "$T/u2/U-8-12.bulu" ]
for m in none link; do
	rm -rf "$T/u$m"
	mkdir "$T/u$m"
	"$TOOLS/bundle_craft" "$U" "$T/u2/U-8-12.bulu" "$m" 8 "$T/u$m" >/dev/null 2>"$T/err" || fail "bundle_craft $m: $(cat "$T/err")"
	rm -f "$T/u$m.db"*
	expect 0 bulu sync import --ledger "$T/u$m.db" --roster "$R" "$T/u1" "$T/u$m"
done
expect 0 bulu sync status --ledger "$T/unone.db" --format csv
check "linked: no unlinked seq" grep -q '^U,.*,1-12,,0,,,' "$T/out"
expect 1 bulu sync status --ledger "$T/ulink.db" --format csv
check "unlinked: csv shows seq 8 unlinked, no gap, no fork ($(grep '^U' "$T/out"))" grep -q '^U,.*,1-12,,0,,8,' "$T/out"
expect 1 bulu sync status --ledger "$T/ulink.db" --format json
check "unlinked: json" grep -q '"unlinked":"8"' "$T/out"
expect 1 bulu sync status --ledger "$T/ulink.db"
check "unlinked: the table shows ~8" grep -q '^U .*~8' "$T/out"
# the other order gives the same
rm -f "$T/ulink2.db"*
expect 0 bulu sync import --ledger "$T/ulink2.db" --roster "$R" "$T/ulink"
expect 0 bulu sync import --ledger "$T/ulink2.db" --roster "$R" "$T/u1"
expect 1 bulu sync status --ledger "$T/ulink2.db" --format csv
check "unlinked, imported the other way round: seq 8 unlinked" grep -q '^U,.*,1-12,,0,,8,' "$T/out"
finish
