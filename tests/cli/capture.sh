#!/bin/sh
# capture.sh - every interactive capture kind: saved with the right body
# (read back with sqlite3), the requisition printed in two copies, every
# refusal exit 2 with the journal unchanged and no patient data on stderr,
# --force-outside recorded, and the journal verifying at the end.
. "$(dirname "$0")/../lib.sh"
DATA=$(cd "$(dirname "$0")/../data" && pwd)

t_station CAS cashier 门诊收费 || { finish; exit 1; }
DB=$BULU_HOME/journal.db
q() { sqlite3 "$DB" "$1"; }
last() { q "SELECT max(seq) FROM entries"; }

expect 0 bulu catalog load "$DATA/capture-catalog.csv" --operator it01
expect 0 bulu invoice add-book --from 00000001 --to 00000010 --operator it01

# --- no episode yet: a capture is refused unless forced
t_snapshot "$T/before"
expect 2 bulu capture charge --operator c01 --patient PX900001 --item D001:1
check "outside episode: says how" grep -q 'bulu outage start' "$T/err"
check "outside episode: names --force-outside" grep -q -- '--force-outside' "$T/err"
t_snapshot "$T/after"
check "outside episode: journal unchanged" cmp -s "$T/before" "$T/after"
expect 0 bulu capture charge --operator c01 --patient PX900001 --item D001:1 \
	--force-outside "HIS slow, IT said go manual early"
s=$(last)
check "forced: episode empty" [ "$(q "SELECT episode FROM entries WHERE seq=$s")" = "" ]
check "forced: reason recorded" [ "$(q "SELECT json_extract(body,'$.outside_episode_reason') FROM entries WHERE seq=$s")" = "HIS slow, IT said go manual early" ]
check "forced: takes invoice 1" [ "$(q "SELECT json_extract(body,'$.invoice_no') FROM entries WHERE seq=$s")" = "00000001" ]
expect 0 bulu capture note --operator c01 --text "交班: 等待信息科通知"
check "a note needs no episode" grep -q '^saved BL-CAS-[0-9]* note$' "$T/out"
check "note text" [ "$(q "SELECT json_extract(body,'$.text') FROM entries WHERE seq=$(last)")" = "交班: 等待信息科通知" ]

expect 0 bulu outage start --at "2026-11-21 08:30" --operator it01
EP=OUT-20261121-0830
export BULU_OPERATOR=c01

# --- charge: priced from the catalog, invoice numbers advance
expect 0 bulu capture charge --patient PX900002 --name 王五 --item D001:2 --item F100:1
s=$(last)
check "charge: saved line first" [ "$(head -1 "$T/out")" = "saved BL-CAS-$s charge" ]
check "charge: summary total" grep -q 'total 27.00 yuan' "$T/out"
check "charge: total fen" [ "$(q "SELECT json_extract(body,'$.total') FROM entries WHERE seq=$s")" = 2700 ]
check "charge: 2 lines" [ "$(q "SELECT json_array_length(body,'$.lines') FROM entries WHERE seq=$s")" = 2 ]
check "charge: line amount" [ "$(q "SELECT json_extract(body,'$.lines[0].amount') || '/' || json_extract(body,'$.lines[0].price_source') FROM entries WHERE seq=$s")" = "700/catalog" ]
check "charge: invoice 2" [ "$(q "SELECT json_extract(body,'$.invoice_no') FROM entries WHERE seq=$s")" = "00000002" ]
check "charge: pay cash" [ "$(q "SELECT json_extract(body,'$.pay') FROM entries WHERE seq=$s")" = cash ]
check "charge: episode" [ "$(q "SELECT episode FROM entries WHERE seq=$s")" = "$EP" ]
check "charge: dept default" [ "$(q "SELECT json_extract(body,'$.dept') FROM entries WHERE seq=$s")" = 门诊收费 ]
check "charge: catalog version" [ "$(q "SELECT json_extract(body,'$.catalog_version') FROM entries WHERE seq=$s")" = 2026.11-A ]
CHARGE=$s
expect 0 bulu capture charge --patient PX900003 --item F200:1:60.50 --pay wechat --at "2026-11-21 09:05"
s=$(last)
check "charge: manual price" [ "$(q "SELECT json_extract(body,'$.lines[0].price') || '/' || json_extract(body,'$.lines[0].price_source') FROM entries WHERE seq=$s")" = "6050/manual" ]
check "charge: invoice 3" [ "$(q "SELECT json_extract(body,'$.invoice_no') FROM entries WHERE seq=$s")" = "00000003" ]
check "charge: occurred_at normalised" [ "$(q "SELECT count(*) FROM entries WHERE seq=$s AND json_extract(body,'$.occurred_at') LIKE '2026-11-21T09:05:00%'")" = 1 ]
check "charge: pay wechat" [ "$(q "SELECT json_extract(body,'$.pay') FROM entries WHERE seq=$s")" = wechat ]
expect 0 bulu capture charge --patient PX900004 --item N010:3 --invoice 00000007
check "charge: given invoice" [ "$(q "SELECT json_extract(body,'$.invoice_no') FROM entries WHERE seq=$(last)")" = "00000007" ]

# --- registration, card issue
expect 0 bulu capture registration --patient PX900005 --name 李四 --sex 女 --doctor 刘医生 --fee 5 --new-card
s=$(last)
check "registration: fee" [ "$(q "SELECT json_extract(body,'$.fee') FROM entries WHERE seq=$s")" = 500 ]
check "registration: invoice 4" [ "$(q "SELECT json_extract(body,'$.invoice_no') FROM entries WHERE seq=$s")" = "00000004" ]
check "registration: new card" [ "$(q "SELECT json_extract(body,'$.new_card') || json_extract(body,'$.card_no') FROM entries WHERE seq=$s")" = "1PX900005" ]
expect 0 bulu capture registration --patient PX900006 --dept 儿科
s=$(last)
check "registration without fee: no invoice" [ "$(q "SELECT json_type(body,'$.invoice_no') IS NULL AND json_type(body,'$.fee') IS NULL FROM entries WHERE seq=$s")" = 1 ]
check "registration: dept given" [ "$(q "SELECT json_extract(body,'$.dept') FROM entries WHERE seq=$s")" = 儿科 ]
expect 0 bulu capture card-issue --card 8800123
check "card_issue: card no" [ "$(q "SELECT kind || ' ' || json_extract(body,'$.card_no') FROM entries WHERE seq=$(last)")" = "card_issue 8800123" ]

# --- prescription, order, exam, requisition, dispense
expect 0 bulu capture prescription --patient PX900002 --doctor 张医生 --item D002:2 --request-no RX-17
PRESC=$(last)
check "prescription: total" [ "$(q "SELECT json_extract(body,'$.total') || ' ' || json_extract(body,'$.request_no') FROM entries WHERE seq=$PRESC")" = "2560 RX-17" ]
expect 0 bulu capture order --patient ZY000101 --item N010:1
check "order saved" [ "$(q "SELECT kind FROM entries WHERE seq=$(last)")" = order ]
expect 0 bulu capture exam --patient PX900002 --item F200:1 --request-no EX-0042
check "exam: stub no" [ "$(q "SELECT json_extract(body,'$.request_no') FROM entries WHERE seq=$(last)")" = EX-0042 ]
expect 0 bulu capture requisition --patient ZY000101 --name 赵六 --fee-type 医保 --dept 内科一病区 \
	--item D001:4 --item D003:1
REQ=$(last)
check "requisition: the saved line on stderr" grep -qx "saved BL-CAS-$REQ requisition" "$T/err"
check "requisition: nothing but the form on the printer's stream" [ "$(grep -c '^saved' "$T/out")" = 0 ]
check "requisition: copy 1" grep -q '第一联 病区医嘱补录联 (ward back-fill copy)' "$T/out"
check "requisition: copy 2" grep -q '第二联 药房发药凭证 (pharmacy dispensing voucher)' "$T/out"
check "requisition: ref on both copies" [ "$(grep -c "BL-CAS-$REQ\$" "$T/out")" = 2 ]
check "requisition: drug name printed" grep -q '0.9%氯化钠注射液 250ml' "$T/out"
check "requisition: signature lines" grep -q '请领护士.*发药药师.*核对' "$T/out"
check "requisition: fee type kept" [ "$(q "SELECT json_extract(body,'$.fee_type') FROM entries WHERE seq=$REQ")" = 医保 ]
# columns line up by display width: the header and every drug row of the
# table end at the same column (quantities right-aligned under 数量 Qty)
grep -E '^(序号| +[0-9]+  )' "$T/out" | while IFS= read -r l; do printf '%s\n' "$l" | wc -L; done | sort -u >"$T/cols"
check "requisition: table rows equally wide" [ "$(wc -l <"$T/cols")" = 1 ]
check "requisition: the name column is padded" grep -q '维生素C片,100mg  *瓶' "$T/out"
expect 0 bulu capture requisition --patient ZY000102 --item D003:2 --no-print
check "--no-print prints no form" [ "$(grep -c 第一联 "$T/out")" = 0 ]
expect 0 bulu capture requisition --patient ZY000103 --item D003:2 --print "$T/req.txt"
check "--print FILE: both copies in the file" [ "$(grep -c '联 ' "$T/req.txt")" = 2 ]
expect 0 bulu capture dispense --ref "BL-CAS-$REQ" --item D001:4 --item D003:1
s=$(last)
check "dispense: ref" [ "$(q "SELECT json_extract(body,'$.ref') || ' ' || json_extract(body,'$.ref_kind') FROM entries WHERE seq=$s")" = "$REQ requisition" ]
expect 0 bulu capture dispense --ref "$PRESC" --item D002:2
check "dispense of a prescription" [ "$(q "SELECT json_extract(body,'$.ref_kind') FROM entries WHERE seq=$(last)")" = prescription ]

# --- invoice_void and void
expect 0 bulu capture invoice-void --invoice 00000005 --reason "printer jam"
check "invoice_void body" [ "$(q "SELECT json_extract(body,'$.invoice_no') || ' ' || json_extract(body,'$.reason') FROM entries WHERE seq=$(last)")" = "00000005 printer jam" ]
expect 0 bulu capture charge --patient PX900007 --item D003:1
check "next invoice skips used and voided numbers" [ "$(q "SELECT json_extract(body,'$.invoice_no') FROM entries WHERE seq=$(last)")" = "00000006" ]
expect 0 bulu capture void --entry "$CHARGE" --reason "patient refund 退费"
VOID=$(last)
check "void body" [ "$(q "SELECT json_extract(body,'$.entry') || ' ' || json_extract(body,'$.entry_kind') || ' ' || json_extract(body,'$.reason') FROM entries WHERE seq=$VOID")" = "$CHARGE charge patient refund 退费" ]
check "void body has no invoice_no" [ "$(q "SELECT json_type(body,'$.invoice_no') IS NULL FROM entries WHERE seq=$VOID")" = 1 ]
check "void keeps the episode" [ "$(q "SELECT episode FROM entries WHERE seq=$VOID")" = "$EP" ]

# --- every refusal: exit 2, journal unchanged, no patient data on stderr
t_snapshot "$T/before"
refuse() { # refuse PATTERN ARGS...
	pat=$1
	shift
	expect 2 bulu capture "$@"
	check "refused '$*': message '$pat'" grep -q -- "$pat" "$T/err"
	check "refused '$*': no patient id in stderr" sh -c "! grep -q 'PX9\|ZY0\|王五' '$T/err'"
	t_snapshot "$T/after"
	check "refused '$*': journal unchanged" cmp -s "$T/before" "$T/after"
}
refuse 'bulu capture charge: --item 2: unknown item code X1234' charge --patient PX900008 --item D001:1 --item X1234:1
refuse '--invoice: invoice number 00000002 was already used' charge --patient PX900008 --item D001:1 --invoice 00000002
refuse '--invoice: invoice number 00000099 is outside' charge --patient PX900008 --item D001:1 --invoice 00000099
refuse '--item 1: quantity must be a whole number above 0' charge --patient PX900008 --item D001:0
refuse '--item 1: quantity must be a whole number above 0' charge --patient PX900008 --item D001:-1
refuse '--item 1: price must not be negative' charge --patient PX900008 --item D001:1:-2
refuse '--item 1: the quantity must be a whole number' charge --patient PX900008 --item D001:x
refuse '--patient' charge --item D001:1
refuse '--item' charge --patient PX900008
refuse '--patient' requisition --item D001:1
refuse '--entry' void --entry "$VOID" --reason again
refuse 'itself a void' void --entry "$VOID" --reason again
refuse 'voided already' void --entry "$CHARGE" --reason twice
refuse 'no entry 9999' void --entry 9999 --reason missing
refuse '--reason' void --entry "$PRESC"
refuse 'only captured forms' void --entry 2 --reason "not a form"
refuse 'a dispense refers to a prescription or requisition' dispense --ref "$CHARGE" --item D001:1
refuse 'BL-OTHER-3 is a form of station OTHER; this is station CAS' void --entry BL-OTHER-3 --reason "not ours"
refuse '--at' charge --patient PX900008 --item D001:1 --at "2026-13-45 99:00"
refuse '--fee' registration --patient PX900008 --fee -5
refuse '--invoice' registration --patient PX900008 --invoice 00000008
refuse '--card' card-issue --patient PX900008
refuse '--fee: a registration fee is either priced' registration --patient PX900008 --item D001:1 --fee 5
refuse '--fee does not apply' prescription --patient PX900008 --item D001:1 --fee 5
refuse '--text' note
refuse '--invoice: invoice number 00000003 was used' invoice-void --invoice 00000003 --reason spoiled
BULU_OPERATOR=""
refuse '--operator is required' charge --patient PX900008 --item D001:1
BULU_OPERATOR=c01
expect 0 bulu capture charge --help
check "--help on stdout" grep -q 'usage: bulu capture charge' "$T/out"

# --- after the episode ends, forced again
expect 0 bulu outage end --at "2026-11-21 12:00"
t_snapshot "$T/before"
refuse 'bulu outage start' void --entry "$PRESC" --reason late
expect 0 bulu capture void --entry "$PRESC" --reason "prescription cancelled" --force-outside "found after restore"
check "forced void: reason recorded" [ "$(q "SELECT episode || '|' || json_extract(body,'$.outside_episode_reason') FROM entries WHERE seq=$(last)")" = "|found after restore" ]

expect 0 bulu journal verify
finish
