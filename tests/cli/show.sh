#!/bin/sh
# show.sh - reading the journal back: `bulu journal show` as a table, CSV
# and JSON (each parsed back with sqlite3 and compared with the journal),
# its filters; and `bulu capture summary`, the cashier's cash-up, with exact
# yuan totals per payment method after charges, a void and a spoiled invoice.
. "$(dirname "$0")/../lib.sh"
D=$(cd "$(dirname "$0")/../data" && pwd)
q() { sqlite3 "$BULU_HOME/journal.db" "$1"; }
# j FILE SQL: evaluate SQL over FILE's text (readfile) in sqlite3.
j() { sqlite3 :memory: "SELECT $2 FROM (SELECT CAST(readfile('$1') AS TEXT) AS d)"; }

t_station S1 cashier
expect 0 bulu catalog load "$D/import-catalog.csv" --operator it
expect 0 bulu invoice add-book --from 0001 --to 0500 --operator it
expect 0 bulu outage start --operator it
expect 0 bulu capture import "$D/import-good.csv"
N=$(q "SELECT count(*) FROM entries")
check "12 entries to show" [ "$N" = 12 ]

# --- table --------------------------------------------------------------
COLUMNS=100 expect 0 bulu journal show
check "table: a header and one line per entry" [ "$(wc -l <"$T/out")" = $((N + 1)) ]
check "table: header" grep -q '^REF  *SEQ  *KIND  *RECORDED_AT  *OPERATOR  *EPISODE  *BODY$' "$T/out"
check "table: a charge row" grep -q '^BL-S1-6  *6  *charge  *20' "$T/out"
check "table: columns aligned (BODY starts at the same column)" \
	[ "$(sed '1d; s/{.*//' "$T/out" | while IFS= read -r l; do printf '%s\n' "$l" | wc -L; done | sort -u | wc -l)" = 1 ]
check "table: long bodies cut to fit" grep -q '…$' "$T/out"
expect 0 bulu journal show --kind charge
check "--kind charge: 2 rows" [ "$(wc -l <"$T/out")" = 3 ]
expect 0 bulu journal show --kind card-issue
check "--kind card-issue (dashed): 1 row" [ "$(sed 1d "$T/out" | cut -c1-8)" = 'BL-S1-10' ]
expect 0 bulu journal show --from 5 --to 7
check "--from 5 --to 7: 3 rows" [ "$(sed 1d "$T/out" | awk '{ print $2 }' | tr '\n' ' ')" = '5 6 7 ' ]
expect 0 bulu journal show --kind exam
check "no match: header only" [ "$(wc -l <"$T/out")" = 1 ]
expect 2 bulu journal show --kind nonsense
expect 2 bulu journal show --format xml
expect 2 bulu journal show --from x
expect 0 bulu journal show --help

# --- csv ------------------------------------------------------------------
expect 0 bulu journal show --format csv
cp "$T/out" "$T/show.csv"
check "csv: header" [ "$(head -1 "$T/show.csv" | tr -d '\r')" = 'ref,station,seq,kind,recorded_at,operator,episode,body,prev_hash,hash,sig' ]
sqlite3 :memory: ".import --csv '$T/show.csv' t" "SELECT count(*) FROM t" >"$T/n" 2>"$T/err"
check "csv: parses back to one row per entry" [ "$(cat "$T/n")" = "$N" ]
sqlite3 :memory: ".import --csv '$T/show.csv' t" "SELECT body FROM t WHERE seq = '6'" >"$T/b6"
q "SELECT body FROM entries WHERE seq = 6" >"$T/want6"
check "csv: a body with commas and quotes comes back byte for byte" cmp -s "$T/b6" "$T/want6"
sqlite3 :memory: ".import --csv '$T/show.csv' t" "SELECT hash FROM t WHERE seq = '9'" >"$T/h9"
check "csv: hash in lower-case hex" [ "$(cat "$T/h9")" = "$(q "SELECT lower(hex(hash)) FROM entries WHERE seq = 9")" ]
expect 0 bulu journal show --format csv --kind void
check "csv --kind void: header + 1 row" [ "$(wc -l <"$T/out")" = 2 ]

# --- json -----------------------------------------------------------------
expect 0 bulu journal show --format json
cp "$T/out" "$T/show.json"
check "json: valid" [ "$(j "$T/show.json" 'json_valid(d)')" = 1 ]
check "json: an array, one object per entry" [ "$(j "$T/show.json" 'json_array_length(d)')" = "$N" ]
check "json: body embedded as an object" [ "$(j "$T/show.json" "json_extract(d, '\$[5].body.total')")" = 4950 ]
check "json: ref and seq" [ "$(j "$T/show.json" "json_extract(d, '\$[5].ref') || ' ' || json_extract(d, '\$[5].seq')")" = 'BL-S1-6 6' ]
check "json: Chinese text intact" [ "$(j "$T/show.json" "json_extract(d, '\$[6].body.patient_name')")" = '李,四' ]
check "json: sig as hex" [ "$(j "$T/show.json" "json_extract(d, '\$[6].sig')")" = "$(q "SELECT lower(hex(sig)) FROM entries WHERE seq = 7")" ]
check "json: prev_hash links" [ "$(j "$T/show.json" "json_extract(d, '\$[6].prev_hash') = json_extract(d, '\$[5].hash')")" = 1 ]
expect 0 bulu journal show --format json --kind exam
check "json: no match is an empty array" [ "$(j "$T/out" 'json_array_length(d)')" = 0 ]

# --- summary (轧账) ---------------------------------------------------------
# More for the same cashier: a card charge (2 x 8.50, next invoice 0004) and a
# spoiled invoice 0005.
printf 'form,kind,operator,patient_id,item_code,qty,pay_method,invoice_no,note\n' >"$T/more.csv"
printf 'G1,charge,张收款,C9,X0003,2,card,,\nS1,invoice_void,张收款,,,,,0005,打印错误\n' >>"$T/more.csv"
expect 0 bulu capture import "$T/more.csv"

expect 0 bulu capture summary --operator 张收款
cp "$T/out" "$T/sum.txt"
check "summary: cash: 1 charge 49.50, 1 registration 5.00, net 54.50" \
	grep -q '^  cash  *1  *49.50  *1  *5.00  *0  *0.00  *54.50$' "$T/sum.txt"
check "summary: wechat: the voided 60.00 charge refunded, net 0.00" \
	grep -q '^  wechat  *1  *60.00  *0  *0.00  *1  *60.00  *0.00$' "$T/sum.txt"
check "summary: card 17.00" grep -q '^  card  *1  *17.00  *0  *0.00  *0  *0.00  *17.00$' "$T/sum.txt"
check "summary: the void listed" grep -q 'BL-S1-11 cancels BL-S1-7  *charge  *wechat  *60.00' "$T/sum.txt"
check "summary: invoices used as ranges" grep -q '^invoices used (3): *0001-0002, 0004$' "$T/sum.txt"
check "summary: invoices voided" grep -q '^invoices voided (2): *0003, 0005$' "$T/sum.txt"
check "summary: net total" grep -q '^gross 131.50  refunds 60.00  net total 71.50$' "$T/sum.txt"
check "summary: entries per kind" grep -q '^  charge  *3$' "$T/sum.txt"
check "summary: no patient data" sh -c "! grep -q -e 王小明 -e C1001 '$T/sum.txt'"

expect 0 bulu capture summary --operator 张收款 --format csv
tr -d '\r' <"$T/out" >"$T/sum.csv"
check "summary csv: header" [ "$(head -1 "$T/sum.csv")" = 'section,key,count,amount_yuan' ]
check "summary csv: cash charges" grep -qx 'charges,cash,1,49.50' "$T/sum.csv"
check "summary csv: wechat voided" grep -qx 'voided,wechat,1,60.00' "$T/sum.csv"
check "summary csv: net" grep -qx 'total,net,,71.50' "$T/sum.csv"

expect 0 bulu capture summary --operator 张收款 --format json
check "summary json: valid" [ "$(j "$T/out" 'json_valid(d)')" = 1 ]
check "summary json: net in fen" [ "$(j "$T/out" "json_extract(d, '\$.net_fen')")" = 7150 ]
check "summary json: cash registrations" \
	[ "$(j "$T/out" "(SELECT json_extract(value, '\$.registrations_fen') FROM json_each(d, '\$.payments') WHERE json_extract(value, '\$.pay_method') = 'cash')")" = 500 ]
check "summary json: invoices voided" [ "$(j "$T/out" "json_extract(d, '\$.invoices_voided')")" = '["0003","0005"]' ]

EP=$(q "SELECT episode FROM entries WHERE kind = 'outage_start'")
expect 0 bulu capture summary --operator 张收款 --episode "$EP" --format json
check "summary --episode: same net" [ "$(j "$T/out" "json_extract(d, '\$.net_fen')")" = 7150 ]
expect 0 bulu capture summary --operator 张收款 --episode OUT-19990101-0000 --format json
check "summary of another episode: nothing" [ "$(j "$T/out" "json_extract(d, '\$.net_fen') || json_array_length(d, '\$.payments')")" = 00 ]
expect 0 bulu capture summary --operator 陈药师
check "summary of a pharmacist: one dispense, no money" grep -q '^  dispense  *1$' "$T/out"
check "summary of a pharmacist: net 0.00" grep -q 'net total 0.00$' "$T/out"
expect 2 bulu capture summary
check "summary: --operator required" grep -q 'operator' "$T/err"
expect 2 bulu capture summary --operator x --format pdf
expect 0 bulu capture summary --help

finish
