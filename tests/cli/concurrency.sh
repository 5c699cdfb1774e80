#!/bin/sh
# concurrency.sh - several writers on one station at once (a cashier saving
# while paper forms are imported): every save succeeds or waits its turn,
# seq stays gapless, no invoice number is given twice, the head record ends
# on the last entry (so the next write is not mistaken for a restored copy),
# and the journal verifies.
. "$(dirname "$0")/../lib.sh"

t_outage_station CC || { finish; exit 1; }
t_charge_forms 2000 "$T/forms.csv"

i=1
while [ $i -le 24 ]; do
	"$BULU" capture charge --operator "op$i" --patient "P$i" --item D001:1 --item D002:2 >"$T/c.$i" 2>&1 &
	i=$((i + 1))
done
"$BULU" capture import "$T/forms.csv" >"$T/imp" 2>&1 &
wait

saved=$(cat "$T"/c.* | grep -c '^saved BL-CC-')
check "all 24 interactive saves reported saved (got $saved)" [ "$saved" -eq 24 ]
check "the import saved its 2000 forms" grep -q '^saved 2000 entries' "$T/imp"
q() { sqlite3 "$BULU_HOME/journal.db" "$1"; }
check "2024 charges in the journal" [ "$(q "SELECT count(*) FROM entries WHERE kind = 'charge'")" -eq 2024 ]
check "seq is gapless" [ "$(q "SELECT max(seq) - count(*) FROM entries")" -eq 0 ]
check "no invoice number given twice" \
	[ "$(q "SELECT count(DISTINCT json_extract(body, '\$.invoice_no')) FROM entries WHERE kind = 'charge'")" -eq 2024 ]
expect 0 bulu journal verify
expect 0 bulu outage end
finish
