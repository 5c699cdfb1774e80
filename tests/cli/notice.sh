#!/bin/sh
# notice.sh - the IT office's signed outage notices (docs/outage.md):
# `bulu central init` makes the signing key, `bulu outage declare` writes
# notices, stations trust the key (`station init --central-pubkey`,
# `station trust-central`) and apply notices (`outage start|end|apply
# --notice`).  Shown: one notice applied at three stations gives one episode
# in the ledger; a station that started undeclared joins; level changes and
# the restore become entries; a forged, an altered or a re-signed notice is
# refused with exit 3 and changes nothing; notices applied again change
# nothing; the entries carry the signed text, which verifies later.
. "$(dirname "$0")/../lib.sh"
TZ=Asia/Shanghai
export TZ
CAT=$(cd "$(dirname "$0")/../data" && pwd)/capture-catalog.csv
C=$T/central
R=$T/roster.txt
BULU_OPERATOR=信息科
export BULU_OPERATOR
now() { BULU_NOW="$1"; export BULU_NOW; }
q() { sqlite3 "$BULU_HOME/journal.db" "$1"; }

now '2026-11-20 07:00'
expect 0 bulu central init --dir "$C"
check "the signing key beside the sealing key" test -f "$C/central-sign.key" -a -f "$C/central-sign.pub"
check "the signing key is 0600" [ "$(stat -c %a "$C/central-sign.key")" = 600 ]
expect 2 bulu central init --dir "$C"
check "an existing key is never replaced" grep -q 'made once' "$T/err"

# an older central directory without a signing key gets one
mkdir -p "$T/old" && expect 0 bulu central init --dir "$T/old" && rm "$T/old/central-sign.key" "$T/old/central-sign.pub"
expect 0 bulu central init --dir "$T/old"
check "central init adds the signing key alone" test -f "$T/old/central-sign.key"

# ---- declare
expect 2 bulu outage declare --central "$C" --cause flood --out "$T/x.notice"
check "an unknown cause is refused" grep -q 'cause' "$T/err"
expect 0 bulu outage declare --central "$C" --cause network --at '2026-11-20 08:00' --level III --out "$T/n1.notice"
check "notice #1 names its id" grep -q 'OUT-20261120-0800 #1 start' "$T/out"
check "the notice is kept at the central office" test -f "$C/notices/OUT-20261120-0800-1.notice"
expect 2 bulu outage declare --central "$C" --cause network --at '2026-11-20 08:00' --out "$T/x.notice"
check "an outage is declared once" grep -q 'declared already' "$T/err"

# ---- three stations: two trust the key at init, one later and starts undeclared
for s in OPD1 OPD2; do
	BULU_HOME=$T/$s
	export BULU_HOME
	expect 0 bulu station init --station $s --dept 门诊收费 --role cashier --central-pubkey "$C/central-sign.pub"
	expect 0 bulu catalog load "$CAT"
	expect 0 bulu invoice add-book --from 0001 --to 0100
done
t_station PHAR pharmacy 药房 || exit 1
expect 0 bulu catalog load "$CAT"
expect 2 bulu outage apply --notice "$T/n1.notice"
check "no trusted key: refused, naming the command" grep -q 'station trust-central' "$T/err"
now '2026-11-20 07:45'
expect 0 bulu outage start --at '2026-11-20 07:45'
check "a start without a notice is undeclared" grep -q 'started undeclared' "$T/err"
now '2026-11-20 07:50'
expect 0 bulu capture prescription --patient P9 --item D001:1 --at "$BULU_NOW"
expect 0 bulu station trust-central --pubkey "$C/central-sign.pub"

# forged, altered, re-signed: exit 3, nothing written
for s in OPD1 PHAR; do
	BULU_HOME=$T/$s
	before=$(q "SELECT max(seq) FROM entries")
	sed 's/"level":"III"/"level":"IV"/' "$T/n1.notice" >"$T/altered.notice"
	expect 3 bulu outage apply --notice "$T/altered.notice"
	check "$s: an altered notice does not verify" grep -q 'does not verify' "$T/err"
	mkdir -p "$T/evil" && rm -rf "$T/evil/c"
	bulu central init --dir "$T/evil/c" >/dev/null 2>&1
	bulu outage declare --central "$T/evil/c" --cause network --at '2026-11-20 08:00' --level III --out "$T/resigned.notice" >/dev/null 2>&1
	expect 3 bulu outage start --notice "$T/resigned.notice"
	check "$s: a notice re-signed by another key is refused" grep -q 'not by the trusted central key' "$T/err"
	awk 'NR == 3 { print "signature: " substr($2, 1, 20) "AAAA" substr($2, 25); next } { print }' "$T/n1.notice" >"$T/forged.notice"
	expect 3 bulu outage start --notice "$T/forged.notice"
	check "$s: nothing was written" [ "$(q "SELECT max(seq) FROM entries")" = "$before" ]
done
printf 'not a notice\n' >"$T/junk.notice"
expect 2 bulu outage apply --notice "$T/junk.notice"
check "a file that is no notice: exit 2, naming the line" grep -q 'junk.notice: line 1' "$T/err"

# apply the real notice everywhere
now '2026-11-20 08:05'
for s in OPD1 OPD2 PHAR; do
	BULU_HOME=$T/$s
	expect 2 bulu outage end --notice "$T/n1.notice"
	check "$s: a start notice is not a restore" grep -q 'apply it with `bulu outage start' "$T/err"
	expect 0 bulu outage start --notice "$T/n1.notice"
	check "$s: the episode is the notice's" [ "$(bulu station info | sed -n 's/^episode: //p' | cut -d' ' -f1)" = OUT-20261120-0800 ]
	expect 0 bulu outage apply --notice "$T/n1.notice"
	check "$s: applied again, nothing changed" grep -q 'applied at this station before' "$T/out"
done
check "PHAR joined: its undeclared episode ended, joined" \
	[ "$(q "SELECT body->>'joined' FROM entries WHERE kind = 'outage_end' AND episode = 'OUT-20261120-0745'")" = OUT-20261120-0800 ]
check "PHAR joined: the declared start names what it joins" \
	[ "$(q "SELECT body->>'joins' FROM entries WHERE kind = 'outage_start' AND episode = 'OUT-20261120-0800'")" = OUT-20261120-0745 ]
check "the start carries cause, level and tier" \
	[ "$(q "SELECT body->>'cause' || ' ' || (body->>'level') || ' ' || (body->>'tier') FROM entries WHERE kind = 'outage_start' AND episode = 'OUT-20261120-0800'")" = 'network III 30min' ]

now '2026-11-20 09:00'
for s in OPD1 OPD2; do
	BULU_HOME=$T/$s
	expect 0 bulu capture charge --patient P1 --item D001:1 --at "$BULU_NOW"
done

# a level change, the restore
now '2026-11-20 10:00'
expect 0 bulu outage declare --central "$C" --outage OUT-20261120-0800 --level II --at '2026-11-20 10:00' --out "$T/n2.notice"
expect 2 bulu outage declare --central "$C" --outage OUT-20261120-0800 --level I --tier 24h --out "$T/x.notice"
check "a later notice does one thing" grep -q 'does one thing' "$T/err"
expect 0 bulu outage declare --central "$C" --outage OUT-20261120-0800 --restore --at '2026-11-20 14:00' --out "$T/n3.notice"
expect 2 bulu outage declare --central "$C" --outage OUT-20261120-0800 --tier 6h --out "$T/x.notice"
check "nothing follows the restore" grep -q 'nothing follows' "$T/err"
now '2026-11-20 14:05'
for s in OPD1 OPD2 PHAR; do
	BULU_HOME=$T/$s
	[ $s = OPD2 ] || expect 0 bulu outage apply --notice "$T/n2.notice"
	expect 0 bulu outage end --notice "$T/n3.notice"
	check "$s: the episode is closed" [ "$(bulu station info | sed -n 's/^episode: //p')" = '(none)' ]
done
BULU_HOME=$T/OPD1
check "the level change is an outage_notice entry" \
	[ "$(q "SELECT body->>'level' FROM entries WHERE kind = 'outage_notice'")" = II ]
check "the restore is an outage_end at the notice's time" \
	[ "$(q "SELECT body->>'at' FROM entries WHERE kind = 'outage_end'")" = 2026-11-20T14:00:00+08:00 ]
expect 0 bulu journal verify

# the signed text kept in the journal verifies later: each entry's notice,
# rebuilt into a file, is applied at a fresh station that trusts the key
rebuild() {
	q "SELECT 'untrusted comment: rebuilt from BL-OPD1-' || seq, body->>'notice', 'signature: ' || (body->>'notice_sig') FROM entries WHERE body->>'notice_n' = $1" |
		tr '|' '\n' >"$T/re$1.notice"
}
for n in 1 2 3; do rebuild $n; done
check "three notices kept in OPD1's journal" test -s "$T/re3.notice"
V=$T/VERIFY
expect 0 bulu station init --dir "$V" --station V --dept 信息科 --role it --central-pubkey "$C/central-sign.pub"
for n in 1 2 3; do
	expect 0 bulu outage apply --dir "$V" --notice "$T/re$n.notice"
done
check "the rebuilt restore closed the checking station's episode" \
	[ "$(sqlite3 "$V/journal.db" "SELECT count(*) FROM entries WHERE body->>'notice' IS NOT NULL")" = 3 ]
sed 's/"level":"II"/"level":"I"/' "$T/re2.notice" >"$T/re2x.notice"
check "the altered copy differs" sh -c "! cmp -s \"$T/re2.notice\" \"$T/re2x.notice\""
expect 3 bulu outage apply --dir "$V" --notice "$T/re2x.notice"

# ---- the ledger: one declared episode for the three stations
for s in OPD1 OPD2 PHAR; do
	bulu roster add --roster "$R" --from-station "$T/$s" >/dev/null 2>&1
	mkdir -p "$T/usb"
	expect 0 bulu sync export --dir "$T/$s" --out "$T/usb" --seal-to "$C/central.pub"
done
expect 0 bulu sync import --ledger "$T/ledger.db" --roster "$R" --central "$C" "$T/usb"
L=$T/ledger.db
check "one declared episode in the ledger" \
	[ "$(sqlite3 "$L" "SELECT count(DISTINCT episode) FROM entries WHERE kind = 'outage_start' AND body->>'notice' IS NOT NULL")" = 1 ]
check "all three stations in it" \
	[ "$(sqlite3 "$L" "SELECT group_concat(station, ' ') FROM (SELECT DISTINCT station FROM entries WHERE episode = 'OUT-20261120-0800' ORDER BY station)")" = 'OPD1 OPD2 PHAR' ]
check "the undeclared start is in the ledger, joined" \
	[ "$(sqlite3 "$L" "SELECT station FROM entries WHERE kind = 'outage_end' AND body->>'joined' IS NOT NULL")" = PHAR ]
finish
