#!/bin/sh
# drill.sh - drills never touch real data (docs/outage.md, "Drills").
#
# The issue's sequence at one cashier station: real charge (invoice 7001),
# a drill charge, real charge.  Shown: the drill cannot take a real invoice
# number nor hand out a real card number (drill books and DRILL- cards only),
# a real episode cannot take a drill number or card; the second real charge
# takes 7002, so the real reconcile has no INVOICE_GAP; the cashier's cash-up
# reports the current episode and never adds drill money to real money; and
# reconcile without --drill writes byte-identical outputs with and without
# the drill's bundles (of this station, and of a station that only drilled).
. "$(dirname "$0")/../lib.sh"
TZ=Asia/Shanghai
export TZ
CAT=$(cd "$(dirname "$0")/../data" && pwd)/capture-catalog.csv
R=$T/roster.txt
C=$T/central
BULU_OPERATOR=张收款
export BULU_OPERATOR
now() { BULU_NOW="$1"; export BULU_NOW; }
q() { sqlite3 "$BULU_HOME/journal.db" "$1"; }
exp_() { mkdir -p "$T/$1"; expect 0 bulu sync export --out "$T/$1" --seal-to "$C/central.pub"; }

expect 0 bulu central init --dir "$C"

# ---- CASH: real / drill / real
now '2026-11-20 07:00'
t_station CASH cashier 门诊收费 || exit 1
expect 0 bulu catalog load "$CAT"
expect 0 bulu invoice add-book --from 7001 --to 7100
expect 0 bulu invoice add-book --from 9001 --to 9050 --drill
check "the drill book is marked in the list" grep -q '^9001  *9050 .*drill (演练)$' "$(bulu invoice list >"$T/l"; echo "$T/l")"
now '2026-11-20 08:00'
expect 0 bulu outage start --at '2026-11-20 08:00'
now '2026-11-20 08:10'
expect 2 bulu capture charge --patient P1 --item D001:1 --invoice 9001 --at "$BULU_NOW"
check "a real episode refuses a drill number" grep -q 'belongs to a drill book' "$T/err"
expect 2 bulu capture card-issue --card DRILL-0001 --at "$BULU_NOW"
check "a real episode refuses a drill card" grep -q 'DRILL- card number belongs to drills' "$T/err"
expect 0 bulu capture charge --patient P1 --item D001:2 --at "$BULU_NOW"                  # 7001, 7.00
check "the first real charge takes 7001" [ "$(q "SELECT body->>'invoice_no' FROM entries WHERE kind = 'charge'")" = 7001 ]
now '2026-11-20 09:00'
expect 0 bulu outage end --at '2026-11-20 09:00'
exp_ usb1                                                                                  # real part one

now '2026-11-20 10:00'
expect 0 bulu outage start --drill --at '2026-11-20 10:00'
now '2026-11-20 10:05'
expect 2 bulu capture charge --patient D-P1 --item D001:1 --invoice 7002 --at "$BULU_NOW"
check "a drill refuses a real invoice number" grep -q '7002 is a real invoice number' "$T/err"
expect 2 bulu capture card-issue --card 0012345 --at "$BULU_NOW"
check "a drill refuses a real card number" grep -q 'drill cards only' "$T/err"
expect 2 bulu capture registration --patient 0012346 --new-card --fee 5 --at "$BULU_NOW"
check "a drill's new card must be a drill card" grep -q 'drill cards only' "$T/err"
expect 0 bulu capture card-issue --card DRILL-0001 --at "$BULU_NOW"
expect 0 bulu capture charge --patient D-P1 --item D002:10 --at "$BULU_NOW"              # drill 9001
check "the drill charge takes a drill number" \
	[ "$(q "SELECT body->>'invoice_no' FROM entries WHERE kind = 'charge' AND episode LIKE 'DRILL-%'")" = 9001 ]
expect 0 bulu capture summary
check "the drill's cash-up is marked as a drill" grep -q '^演练 drill: not real money' "$T/out"
DRILL_NET=$(sed -n 's/^gross .* net total //p' "$T/out")
now '2026-11-20 10:30'
expect 0 bulu outage end --at '2026-11-20 10:30'
exp_ usb2                                                                                  # the drill

now '2026-11-20 11:00'
expect 0 bulu outage start --at '2026-11-20 11:00'
now '2026-11-20 11:10'
expect 0 bulu capture charge --patient P2 --item D003:3 --at "$BULU_NOW"                  # 7002
check "the next real charge takes 7002: the drill spent no real number" \
	[ "$(q "SELECT group_concat(body->>'invoice_no', ' ') FROM (SELECT body FROM entries WHERE kind = 'charge' AND episode NOT LIKE 'DRILL-%' ORDER BY seq)")" = '7001 7002' ]
expect 0 bulu capture summary --format json
check "the cash-up reports the current episode by default" \
	[ "$(sqlite3 :memory: "SELECT json_extract(readfile('$T/out'), '\$.episode')")" = OUT-20261120-1100 ]
REAL2=$(sqlite3 :memory: "SELECT json_extract(readfile('$T/out'), '\$.net_fen')")
check "the current episode's money only (3 x D003)" [ "$REAL2" = "$(q "SELECT body->>'total' FROM entries WHERE kind = 'charge' AND body->>'invoice_no' = '7002'")" ]
expect 0 bulu capture summary --all --format json
ALL=$(sqlite3 :memory: "SELECT json_extract(readfile('$T/out'), '\$.net_fen')")
WANT=$(q "SELECT sum(body->>'total') FROM entries WHERE kind = 'charge' AND episode NOT LIKE 'DRILL-%'")
check "--all: every real charge, no drill money ($ALL = $WANT)" [ "$ALL" = "$WANT" ]
check "--all: the drill's money is not in it" \
	[ "$ALL" != "$(q "SELECT sum(body->>'total') FROM entries WHERE kind = 'charge'")" ]
check "the drill's invoice is not in the real cash-up" sh -c "! grep -q 9001 '$T/out'"
expect 0 bulu capture summary --episode DRILL-20261120-1000
check "the drill asked for by name: its own money ($DRILL_NET)" grep -q "net total $DRILL_NET\$" "$T/out"
now '2026-11-20 12:00'
expect 0 bulu outage end --at '2026-11-20 12:00'
exp_ usb3                                                                                  # real part two

# ---- DRL: a station that only drilled (its set-up travels in a bundle of its own)
now '2026-11-20 07:00'
t_station DRL cashier 门诊收费 || exit 1
expect 0 bulu catalog load "$CAT"
exp_ usb4
now '2026-11-20 10:00'
expect 0 bulu outage start --drill --at '2026-11-20 10:00'
expect 0 bulu invoice add-book --from 8001 --to 8010 --drill
now '2026-11-20 10:10'
expect 0 bulu capture charge --patient D-P9 --item D001:1 --at "$BULU_NOW"
expect 0 bulu outage end --at '2026-11-20 10:30'
exp_ usb5

# ---- two ledgers: with and without the drill's bundles
bulu roster add --roster "$R" --from-station "$T/CASH" >/dev/null 2>&1
bulu roster add --roster "$R" --from-station "$T/DRL" >/dev/null 2>&1
expect 0 bulu sync import --ledger "$T/with.db" --roster "$R" --central "$C" "$T/usb1" "$T/usb2" "$T/usb3" "$T/usb4" "$T/usb5"
expect 0 bulu sync import --ledger "$T/without.db" --roster "$R" --central "$C" "$T/usb1" "$T/usb3" "$T/usb4"
check "the ledger keeps the drills apart" [ "$(sqlite3 "$T/with.db" "SELECT count(*) FROM drill_entries")" -gt 0 ]
check "the other ledger holds no drill" [ "$(sqlite3 "$T/without.db" "SELECT count(*) FROM drill_entries")" = 0 ]

cat >"$T/charges.csv" <<'EOF'
流水号,患者编号,姓名,项目编码,项目名称,数量,单价,金额,发生时间,录入时间,操作员,发票号,科室,备注
H1,P1,,D001,0.9%氯化钠注射液 250ml,2,3.50,7.00,2026-11-20 08:10:00,2026-11-20 13:00:00,his01,7001,门诊收费,补录 BL-CASH-6
EOF
cat >"$T/invoices.csv" <<'EOF'
发票号,状态,金额,操作员,发生时间
7001,正常,7.00,his01,2026-11-20 08:10:00
EOF
# each run writes ./r in a directory of its own: summary.txt names its folder
for w in with without; do
	mkdir -p "$T/$w"
	(cd "$T/$w" && "$BULU" reconcile --ledger "$T/$w.db" --quiet --his charges="$T/charges.csv" \
		--his invoices="$T/invoices.csv" --out r >"$T/out" 2>"$T/err"; echo $? >"$T/rc")
	check "reconcile ($w the drill): exit 1, findings" [ "$(cat "$T/rc")" = 1 ]
	mv "$T/$w/r" "$T/r-$w"
done
check "no INVOICE_GAP in the real reconcile" sh -c "! grep -q INVOICE_GAP '$T/r-with/findings.csv'"
check "the second real charge is found missing (the run sees it)" grep -q '^MISSING_IN_HIS,charges,CASH,13,' "$T/r-with/findings.csv"
check "no drill line in the real run" sh -c "! grep -q -e ',DRL,' -e 9001 -e 8001 '$T/r-with/findings.csv'"
if diff -r "$T/r-with" "$T/r-without" >"$T/diff"; then ok; else fail "reconcile outputs differ with the drill's bundles"; head -20 "$T/diff" >&2; fi
check "the outputs compared are there" test -s "$T/r-with/summary.txt" -a -s "$T/r-with/findings.csv"
# the drills, reconciled on their own, see their own books only
expect 1 bulu reconcile --ledger "$T/with.db" --drill --quiet --his charges="$T/charges.csv" --out "$T/r-drill"
check "a drill run: no INVOICE_GAP either" sh -c "! grep -q INVOICE_GAP '$T/r-drill/findings.csv'"
check "a drill run: its lines are the drills'" sh -c "! grep -q ',CASH,6,' '$T/r-drill/findings.csv'"

# add-book during a drill must say it is a drill book
BULU_HOME=$T/DRL
expect 0 bulu outage start --drill --at '2026-11-21 10:00'
expect 2 bulu invoice add-book --from 8101 --to 8110
check "a book added in a drill must be a drill book" grep -q 'give --drill' "$T/err"
finish
