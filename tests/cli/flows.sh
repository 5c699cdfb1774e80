#!/bin/sh
# tests/cli/flows.sh - each department's paper flow through the CLI and the
# import CSV, each with the failure it prevents (issue: every department's
# paper flow, end to end):
#
#   registration   the fee priced from the catalog's fee item (--item R001,
#                  item_code), taking an invoice number; --fee and --item
#                  together, and an invoice without a fee, refused
#   dispense       against the ward's voucher BL-WARD-SEQ at the pharmacy,
#                  before the ward's bundle came (CLI and import); a void of
#                  another station's form refused; dispensing more than a
#                  form of this station asks for saved with a warning; at
#                  reconcile, the ward's requisition counted in the three-way
#                  check, a reference no journal holds DISPENSE_REF_UNKNOWN
#   ward charges   a nurse station's charge (记账): priced, no invoice (an
#                  invoice refused), reconciled against the HIS charges
#   exams          requested (pending), performed by the request's number at
#                  the exam department, no request needed for a performed one,
#                  reported (exam-report: the request's number needed, no
#                  lines); the statement shows each one's stage
#   billing office rule 5: every back-fill refused (CLI and import) quoting
#                  the rule; a settlement with its handwritten invoice (once);
#                  a settlement elsewhere refused; the patient's statement
#                  from the journal or the ledger, its columns aligned by
#                  display width, exit 1 while an exam is pending or the
#                  ward has not confirmed none is
#   routing        worklists by the profile's [routing]: a pharmacy's
#                  prescription to the cashier's desk, a requisition's
#                  mismatch to the ward and the pharmacy, each line saying why
#   registers      a receipt to exchange for a machine invoice (--exchange,
#                  flag exchange): receipts.csv, exchanged once the HIS
#                  register holds it; discharge medication (--discharge, flag
#                  discharge): discharge.csv, each line's state; a flag on a
#                  kind it does not fit refused
#   cash-up        shift times, cash counted per payment method against the
#                  net expected, the difference (exit 1), signature lines; once
#                  the station has operators, one not on the list refused with
#                  the list
#
# Every refusal exits 2 and leaves the journal as it was.
. "$(dirname "$0")/../lib.sh"
CAT=$(cd "$(dirname "$0")/../data" && pwd)/capture-catalog.csv
C=$T/central R=$T/roster.txt L=$T/ledger.db

at() {
	BULU_NOW="2026-11-20 $1"
	export BULU_NOW
}
# st ID ROLE DEPT OPERATOR: a station with the fixture catalog.
st() {
	t_station "$1" "$2" "$3" || exit 1
	BULU_OPERATOR=$4
	export BULU_OPERATOR
	at 07:00
	bulu catalog load "$CAT" >/dev/null 2>"$T/err" || fail "catalog load at $1"
}
cap() {
	at "$1"
	k=$2
	shift 2
	expect 0 bulu capture "$k" "$@" --at "$BULU_NOW"
}
start() { at 08:00 && expect 0 bulu outage start --at '2026-11-20 08:00'; }
end() { at 20:00 && expect 0 bulu outage end --at '2026-11-20 20:00'; }
q() { sqlite3 "$BULU_HOME/journal.db" "$1"; }
body() { q "SELECT json_extract(body, '$.$2') FROM entries WHERE seq = $1"; }
last() { q "SELECT max(seq) FROM entries"; }
# refuse PATTERN ARGS...: exit 2, the pattern on stderr, the journal unchanged.
refuse() {
	pat=$1
	shift
	t_snapshot "$T/before"
	expect_err 2 "$pat" "$@"
	t_snapshot "$T/after"
	check "refused '$*': journal unchanged" cmp -s "$T/before" "$T/after"
}
HDR=form,kind,operator,patient_id,patient_name,dept,doctor,item_code,qty,unit_price,invoice_no,pay_method,fee_type,occurred_at,ref_form,note

# ---- 1. registrations priced from the catalog's fee items
st OPD cashier 门诊收费 cash1
expect 0 bulu invoice add-book --from 00010001 --to 00010100
start
cap 09:00 registration --patient P030 --name 秦三十 --dept 内科门诊 --item R001                   # 5
grep_out 'invoice 00010001' "a fee item takes the next invoice number"
check "--item R001: quantity 1, the catalog's price as the fee" [ "$(body 5 fee)/$(body 5 total)/$(body 5 'lines[0].qty')/$(body 5 'lines[0].price_source')" = "500/500/1/catalog" ]
check "the fee item's name and version are kept" [ "$(body 5 'lines[0].name')/$(body 5 catalog_version)" = "挂号费/2026.11-A" ]
cap 09:10 registration --patient P031 --dept 内科门诊 --item R001:2 --invoice 00010005 --pay wechat # 6
check "--item R001:2 with --invoice: fee 10.00 on 00010005" [ "$(body 6 fee)/$(body 6 invoice_no)/$(body 6 pay)" = "1000/00010005/wechat" ]
cap 09:20 registration --patient P032 --dept 内科门诊 --fee 7                                  # 7
check "--fee stays for a fee the catalog lacks (no lines)" [ "$(body 7 fee)/$(body 7 lines)" = "700/" ]
refuse '--fee: a registration fee is either priced from the catalog' \
	bulu capture registration --patient P033 --item R001 --fee 5
refuse '--invoice: a registration takes an invoice number only with a fee' \
	bulu capture registration --patient P033 --invoice 00010009
refuse '--item 1: unknown item code GH999' bulu capture registration --patient P033 --item GH999
refuse '--item 1: quantity must be a whole number above 0' bulu capture registration --patient P033 --item R001:0
# receipts the patients will exchange for machine invoices (换票)
cap 09:25 charge --patient P036 --item D001:1 --pay card --exchange                              # 8: 00010003
check "--exchange: the receipt is to be exchanged" [ "$(body 8 exchange)/$(body 8 invoice_no)" = "1/00010003" ]
cap 09:28 charge --patient P037 --item D003:1 --pay card --exchange --invoice 00010004           # 9
refuse '--exchange does not apply' bulu capture prescription --patient P037 --item D003:1 --exchange
refuse '--discharge does not apply' bulu capture charge --patient P037 --item D003:1 --discharge
printf 'form,kind,operator,patient_id,item_code,qty,flag\nF1,charge,cash1,P038,D001,1,换票期\n' >"$T/flag-bad.csv"
refuse 'flag-bad.csv:2:7 (flag): not a flag: exchange (换票) or discharge (出院带药)' bulu capture import "$T/flag-bad.csv"
printf 'form,kind,operator,patient_id,item_code,qty,flag\nF1,charge,cash1,P038,D001,1,discharge\n' >"$T/flag-kind.csv"
refuse 'flag-kind.csv:2:7 (flag): discharge medication (出院带药) is a prescription' bulu capture import "$T/flag-kind.csv"
# the import: a registration row naming the fee item with an invoice number
printf '%s\nR1,registration,cash1,P034,,内科门诊,,R001,1,,00010010,cash,,2026-11-20 09:30,,\n' "$HDR" >"$T/reg.csv"
at 09:30
expect 0 bulu capture import "$T/reg.csv"
s=$(last)
check "import: a fee item row with its invoice number is a priced registration" \
	[ "$(body "$s" fee)/$(body "$s" invoice_no)/$(body "$s" 'lines[0].code')" = "500/00010010/R001" ]
printf '%s\nR2,registration,cash1,P035,,,,R001,1,,,,,,,\nR2,registration,cash1,P035,,,,,,5.00,,,,,,\n' "$HDR" >"$T/reg-both.csv"
refuse 'reg-both.csv:2:10 (unit_price): a registration fee is either priced' bulu capture import "$T/reg-both.csv"
end
# the cash-up: cash 5.00 + 7.00 + 5.00 expected, wechat 10.00
expect 0 bulu capture summary --operator cash1 --counted cash=17.00 --counted wechat=10
grep_out '班次 shift: 2026-11-20T09:00:00[^ ]* \.\. 2026-11-20T09:30:00' "the shift: its first and last form"
grep_out '^  cash  .* 17.00 .* 17.00 .* 0.00$' "cash counted as expected"
grep_out '收款员 Cashier: ____' "signature lines"
expect_err 1 'the cash counted differs' bulu capture summary --operator cash1 --counted cash=16.50
grep_out '^  cash  .* 17.00 .* 16.50 .* -0.50  短款 short$' "short by 0.50"
grep_out 'wechat: not counted' "a method not counted is named"
expect 0 bulu capture summary --operator cash1 --counted cash=17 --counted wechat=10 --format json
check_sh "json: expected, counted, difference in fen" 'grep -q "\"pay_method\":\"wechat\",\"expected_fen\":1000,\"counted_fen\":1000,\"difference_fen\":0" "$T/out"'
expect_err 2 '--counted: write METHOD=YUAN' bulu capture summary --operator cash1 --counted 17
expect_err 2 '--counted cash given twice' bulu capture summary --operator cash1 --counted cash=1 --counted cash=2
expect_err 2 '--counted cash given twice' bulu capture summary --operator cash1 --counted cash=1 --counted 现金=2
expect_err 2 '--counted 金条: not a payment method of this station (现金 cash' bulu capture summary --operator cash1 --counted 金条=1
expect 0 bulu capture summary --operator cash1 --counted 现金=17 --counted 微信=10
grep_out '^  cash  .* 17.00 .* 17.00 .* 0.00$' "现金 counted as cash"
# once the station has operators, a name not on the list is refused with the list
expect 0 bulu capture summary --operator cash9
printf '1234\n' >"$T/pin"
expect 0 bulu operator add --name cash1 --role cashier --pin-file "$T/pin" --operator it1
expect 0 bulu operator add --name cash2 --role cashier --pin-file "$T/pin" --operator it1
expect_err 2 '--operator: not an operator of this station; the operators are: cash1, cash2' \
	bulu capture summary --operator cash9 --counted cash=17
check "the misspelled name: no cash-up printed" [ ! -s "$T/out" ]
expect 0 bulu capture summary --operator cash1 --counted cash=17
grep_out '^  cash  .* 17.00 .* 17.00 .* 0.00$' "an operator on the list: the cash-up as before"

# ---- 2. the pharmacy dispenses against the ward's voucher
st W1 ward 内科一病区 nurse1
start                                                                                            # 3
cap 10:00 requisition --patient ZY001 --name 尤一 --item D001:4 --item D002:2 --request-no RQ-1 --no-print  # 4
cap 10:05 order --patient ZY001 --item N010:1                                                    # 5
cap 10:10 ward-charge --patient ZY001 --name 尤一 --item N010:1                                   # 6
check "a ward charge: priced from the catalog, no invoice, no payment" \
	[ "$(body 6 total)/$(body 6 'lines[0].price_source')/$(body 6 invoice_no)/$(body 6 pay)" = "1800/catalog//" ]
cap 10:15 ward-charge --patient ZY001 --item N010:2                                              # 7: never back-filled
refuse '--invoice does not apply' bulu capture ward-charge --patient ZY001 --item N010:1 --invoice 1
refuse '--patient: a ward_charge needs the patient id' bulu capture ward-charge --item N010:1
cap 10:20 exam-request --patient ZY001 --item F200:1 --request-no EX-1                           # 8
cap 10:25 exam-request --patient ZY001 --item F100:1 --request-no EX-2                           # 9: never performed
refuse '--request-no: an exam_request needs its request form' bulu capture exam-request --patient ZY001 --item F100:1
printf '%s\nWC1,ward-charge,nurse1,ZY002,,,,N010,1,,,,,,,\nEX-9,exam-request,nurse1,ZY002,,,,F100,1,,,,,,,\nEX-9P,exam,nurse1,ZY002,,,,F100,1,,,,,,,\n' "$HDR" >"$T/ward.csv"
at 10:30
expect 0 bulu capture import "$T/ward.csv"                                                       # 10 11 12
check "import: a ward-charge row, an exam request keeping its form id" \
	[ "$(q "SELECT kind FROM entries WHERE seq = 10")/$(body 11 request_no)" = "ward_charge/EX-9" ]
expect 1 bulu patient statement ZY002
grep_out '检查申请 exams requested' "the statement lists the exams requested"
grep_out '申请单 EX-9 .*待检 requested, not performed$' "EX-9 is pending: the exam performed was named EX-9P"
grep_out '^待检 exams pending: 1$' "one exam pending"
grep_err 'do not settle yet: an exam is still pending'
cap 10:40 exam --patient ZY002 --item F100:1 --request-no EX-9                                   # 13
expect 1 bulu patient statement ZY002
grep_err 'the ward has not confirmed that no exam is pending'
cap 10:45 exam-clear --patient ZY002                                                             # 14
expect 0 bulu patient statement ZY002
grep_out '申请单 EX-9 .*已检查 performed, not reported$' "EX-9 performed, its report not yet issued"
grep_out '^待检 exams pending: 0$' "no pending exam once performed"
grep_out 'BL-W1-14' "the ward's confirmation is named"
grep_out '应结算 to settle (记账, 检查, 药品): 58.00 yuan' "a ward charge 18.00 and two exams of 20.00"
# the columns line up by display width (a CJK character is two columns): in
# the header and every line, the code and quantity columns start at the same
# display column, and every line is as wide as the header
cat >"$T/cols.py" <<'PY'
import re, sys, unicodedata
def w(s): return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
rows = [l.rstrip("\n") for l in open(sys.argv[1], encoding="utf-8") if re.match(r"BL[ -]", l)]
def at(l, word): return w(l[:l.index(word)])
head, lines = rows[0], rows[1:]
ok = len(lines) >= 3 and all(w(l) == w(head) for l in lines)
ok = ok and all(at(l, re.search(r" ([NF]\d{3}) ", l).group(1)) == at(head, "编码") for l in lines)
sys.exit(0 if ok else 1)
PY
check_sh "statement: the columns line up by display width" 'python3 "$T/cols.py" "$T/out"'
grep_out '^BL-W1-10-1 .* 记账           N010     一级护理                     1        18.00$' \
	"the kind and name cells padded by display width"
end
st XR exam 放射科 xray1
start                                                                                            # 3
cap 11:00 exam --patient ZY001 --item F200:1 --request-no EX-1                                   # 4: EX-1 performed
cap 11:05 exam --patient P050 --item F200:1 --request-no EX-50                                   # 5: an outpatient's stub, never requested
cap 11:30 exam-report --patient ZY001 --request-no EX-1                                          # 6: EX-1 reported
check "an exam report: the request's number, no lines, no amount" \
	[ "$(body 6 request_no)/$(body 6 lines)/$(body 6 total)" = "EX-1//" ]
refuse '--request-no: an exam_report needs the request form' bulu capture exam-report --patient ZY001
refuse '--item does not apply' bulu capture exam-report --patient ZY001 --request-no EX-1 --item F200:1
printf '%s\nEX-50,exam-report,xray1,P050,,,,,,,,,,,,\n' "$HDR" >"$T/rep.csv"
at 11:40
expect 0 bulu capture import "$T/rep.csv"                                                        # 7
check "import: an exam-report row keeps its form id as the request's number" \
	[ "$(q "SELECT kind FROM entries WHERE seq = 7")/$(body 7 request_no)" = "exam_report/EX-50" ]
end
# the inpatient billing office: no back-fill (rule 5), a settlement by hand
st ZYC billing 住院处 billing1
start
refuse 'Rule 5: "No back-fill at the inpatient billing office' bulu capture charge --patient ZY001 --item N010:1
refuse 'no ward_charge is captured here' bulu capture ward-charge --patient ZY001 --item N010:1
printf '%s\nA,order,billing1,ZY001,,,,N010,1,,,,,,,\n' "$HDR" >"$T/bill.csv"
refuse 'bill.csv:2:2 (kind): this is the inpatient billing office' bulu capture import "$T/bill.csv"
cap 15:00 settlement --patient ZY001 --amount 1234.50 --invoice ZS-0001                          # 4
check "a settlement: amount in fen, the handwritten invoice as written" \
	[ "$(body 4 amount)/$(body 4 invoice_no)/$(body 4 pay)" = "123450/ZS-0001/cash" ]
refuse 'invoice number ZS-0001 was already used by the settlement BL-ZYC-4' bulu capture settlement --patient ZY003 --amount 5 --invoice ZS-0001
refuse '--invoice: a settlement needs the number of its handwritten invoice' bulu capture settlement --patient ZY003 --amount 5
refuse '--amount: a settlement needs the amount' bulu capture settlement --patient ZY003 --invoice ZS-0002
end
BULU_HOME=$T/W1
refuse 'a settlement is recorded by the inpatient billing office' bulu capture settlement --patient ZY001 --amount 5 --invoice X1
st PH pharmacy 药房 phar1
start                                                                                            # 3
# the ward's bundle has not come: the pharmacist types the voucher's reference
cap 11:00 dispense --ref BL-W1-4 --item D001:4 --item D002:2                                     # 4
grep_out 'for BL-W1-4' "the saved line names the ward's form"
check "a dispense of the ward's voucher: ref and ref_station, kind not known here" \
	[ "$(body 4 ref)/$(body 4 ref_station)/$(body 4 ref_kind)" = "4/W1/" ]
check "no warning against a form the station cannot see" [ ! -s "$T/err" ]
refuse '--entry: BL-W1-4 is a form of station W1' bulu capture void --entry BL-W1-4 --reason "not ours"
refuse '--ref: write SEQ or BL-STATION-SEQ' bulu capture dispense --ref BL--4 --item D001:1
# a form of this station: over-dispensing is saved, with a warning
cap 11:10 prescription --patient P040 --item D002:2 --request-no RX-1                            # 5
cap 11:20 dispense --ref 5 --item D002:1                                                         # 6
check "within the form: no warning" [ ! -s "$T/err" ]
cap 11:25 dispense --ref 5 --item D002:2                                                         # 7
grep_err 'warning: over-dispensing: D002 dispensed 3 in all against BL-PH-5, which asks for 2' "the second dispense over-dispenses"
cap 11:26 void --entry 7 --reason "发错"                                                         # 8
cap 11:27 dispense --ref 5 --item D002:1 --item D003:1                                           # 9
grep_err 'D003 is not on BL-PH-5' "a drug the form does not ask for warns"
# the import: a voucher of another station, and a prescription over-dispensed in the same file
at 11:40
printf '%s\nX1,dispense,phar1,,,,,D001,1,,,,,,BL-W1-99,\nP2,prescription,phar1,P041,,,,D001,1,,,,,,,\nD2,dispense,phar1,,,,,D001,2,,,,,,P2,\n' "$HDR" >"$T/disp.csv"
expect 0 bulu capture import "$T/disp.csv"                                                       # 10 11 12
check "import: ref_form BL-W1-99 kept as the ward's" [ "$(body 10 ref)/$(body 10 ref_station)" = "99/W1" ]
grep_err 'disp.csv:4: warning: over-dispensing: D001 dispensed 2 in all against BL-PH-11, which asks for 1' "import warns on the form's row"
printf '%s\nV1,void,phar1,,,,,,,,,,,,BL-W1-4,错\n' "$HDR" >"$T/void.csv"
refuse 'void.csv:2:15 (ref_form): BL-W1-4 is a form of station W1: a void cancels a form of this station (PH) only' \
	bulu capture import "$T/void.csv"
cap 11:50 dispense --ref BL-W1-5 --item N010:1                                                   # 13: an order, not a voucher
cap 11:55 prescription --patient P042 --item D001:1 --item D003:1 --request-no RX-2 --discharge  # 14
check "--discharge: discharge medication" [ "$(body 14 discharge)" = 1 ]
printf 'form,kind,operator,patient_id,item_code,qty,flag\nRX-3,prescription,phar1,P043,D001,1,出院带药\n' >"$T/dis.csv"
at 11:58
expect 0 bulu capture import "$T/dis.csv"                                                        # 15
check "import: flag 出院带药 on a prescription" [ "$(body 15 discharge)" = 1 ]
end

# ---- reconcile: the ward's requisition against the pharmacy's dispense
expect 0 bulu central init --dir "$C"
rm -rf "$T/usb"
for s in OPD W1 PH XR ZYC; do
	bulu roster add --roster "$R" --from-station "$T/$s" >/dev/null 2>&1
	expect 0 bulu sync export --dir "$T/$s" --out "$T/usb" --seal-to "$C/central.pub"
done
expect 0 bulu sync import --ledger "$L" --roster "$R" --central "$C" "$T/usb"
cat >"$T/reg-his.csv" <<'EOF'
流水号,患者编号,姓名,性别,科室,医生,挂号费,发生时间,录入时间,操作员,发票号,备注
R1,P030,秦三十,男,内科门诊,,5.00,2026-11-20 09:00:00,2026-11-20 21:00:00,his01,00010001,
R2,P031,,,内科门诊,,10.00,2026-11-20 09:10:00,2026-11-20 21:00:00,his01,00010005,
R3,P032,,,内科门诊,,7.00,2026-11-20 09:20:00,2026-11-20 21:00:00,his01,00010002,
R4,P034,,,内科门诊,,5.00,2026-11-20 09:30:00,2026-11-20 21:00:00,his01,00010010,
EOF
cat >"$T/ord-his.csv" <<'EOF'
流水号,患者编号,姓名,项目编码,项目名称,数量,发生时间,录入时间,操作员,科室,备注
O1,ZY001,尤一,D001,x,4,2026-11-20 10:00:00,2026-11-20 21:00:00,his02,内科一病区,
O2,ZY001,尤一,D002,x,3,2026-11-20 10:00:00,2026-11-20 21:00:00,his02,内科一病区,
O3,ZY001,尤一,N010,x,1,2026-11-20 10:05:00,2026-11-20 21:00:00,his02,内科一病区,
O4,P042,,D001,x,1,2026-11-20 11:55:00,2026-11-20 21:00:00,his02,药房,BL-PH-14-1
EOF
cat >"$T/chg-his.csv" <<'EOF'
流水号,患者编号,姓名,项目编码,项目名称,数量,单价,金额,发生时间,录入时间,操作员,发票号,科室,备注
C1,ZY001,尤一,N010,一级护理,1,18.00,18.00,2026-11-20 10:10:00,2026-11-20 21:00:00,his03,,内科一病区,BL-W1-6
C2,ZY002,,N010,一级护理,1,18.00,18.00,2026-11-20 10:30:00,2026-11-20 21:00:00,his03,,内科一病区,
C3,ZY002,,F100,血常规,1,20.00,20.00,2026-11-20 10:30:00,2026-11-20 21:00:00,his03,,内科一病区,
C4,ZY001,尤一,F200,胸部X线摄片,1,65.00,65.00,2026-11-20 11:00:00,2026-11-20 21:00:00,his04,,放射科,
C5,P050,,F200,胸部X线摄片,1,65.00,65.00,2026-11-20 11:05:00,2026-11-20 21:00:00,his04,,放射科,
C6,ZY002,,F100,血常规,1,20.00,20.00,2026-11-20 10:40:00,2026-11-20 21:00:00,his03,,内科一病区,
C7,ZY002,,N010,一级护理,1,18.00,18.00,2026-11-20 10:31:00,2026-11-20 21:00:00,his03,,内科一病区,
EOF
cat >"$T/inv-his.csv" <<'EOF'
发票号,状态,金额,操作员,发生时间
00010003,正常,3.50,his01,2026-11-20 09:25:00
EOF
at 22:00
BULU_HOME=$T/ZYC
expect 1 bulu patient statement ZY001 --ledger "$L"
grep_out 'BL-W1-6-1 .*记账' "the ledger's statement has the ward's charge"
grep_out 'BL-XR-4-1 .*检查' "... and the exam performed at another station"
grep_out '申请单 EX-2 .*待检 requested, not performed$' "EX-2, requested and never performed, is pending"
grep_out '申请单 EX-1 .*已报告 reported$' "EX-1: requested at the ward, performed and reported at the exam department"
grep_out '已手工结算 settled by hand: BL-ZYC-4' "the settlement is shown"
expect 1 bulu reconcile --ledger "$L" --quiet --out "$T/r" --his registrations="$T/reg-his.csv" --his orders="$T/ord-his.csv" --his charges="$T/chg-his.csv" --his invoices="$T/inv-his.csv"
F=$T/r/findings.csv
check "registrations priced from fee items match the HIS's fees: no registration finding" \
	sh -c "! grep -q ',registrations,' '$F'"
check "the ward's requisition, dispensed against at the pharmacy: D001 agrees three ways" \
	sh -c "! grep -q 'DISPENSE_MISMATCH,.*,D001,' '$F'"
check_sh "... and D002's HIS order differs from the requisition and the dispense (which counted)" \
	'grep -q "^DISPENSE_MISMATCH,drugs,W1,4,2,.*the HIS order differs" "$F"'
W=$T/r/worklists
check_sh "routing: the pharmacy's prescription is on the cashier's worklist, saying why" \
	'grep -q "BL-PH-5-1.*门诊手工处方统一交收费处补录" "$W/门诊收费.csv"'
check "routing: ... and not on the pharmacy's" sh -c "! grep -q 'BL-PH-5-1' '$W/药房.csv'"
check_sh "routing: the requisition's mismatch on the ward's worklist" \
	'grep -q "BL-W1-4-2.*病区补录医嘱, 药房确认发药" "$W/内科一病区.csv"'
check_sh "routing: ... and on the pharmacy's, which dispensed against it" \
	'grep -q "BL-W1-4-2.*病区补录医嘱, 药房确认发药" "$W/药房.csv"'
check_sh "a line not routed says it was captured here" 'grep -q "BL-W1-7-1.*本科室录入 captured here" "$W/内科一病区.csv"'
check "the printed worklist says why too" grep -q '为何在此 why here: 门诊手工处方' "$W/门诊收费.txt"
printf '[profile]\nname = x\n[routing]\nprescription = @nobody\n' >"$T/bad.profile"
expect_err 2 'bad.profile:4:16: a destination is a department' bulu reconcile --ledger "$L" --quiet --out "$T/r2" --profile "$T/bad.profile" --his charges="$T/chg-his.csv"
check_sh "a voucher no journal holds: DISPENSE_REF_UNKNOWN on the pharmacy's dispense" \
	'grep -q "^DISPENSE_REF_UNKNOWN,dispenses,PH,10,1,.*BL-W1-99" "$F"'
check_sh "a reference to the ward's order, not a voucher: DISPENSE_REF_UNKNOWN" \
	'grep -q "^DISPENSE_REF_UNKNOWN,dispenses,PH,13,1,.*BL-W1-5" "$F"'
check "exactly those two" [ "$(grep -c '^DISPENSE_REF_UNKNOWN' "$F")" = 2 ]
check_sh "a ward charge matched by its reference" 'grep -q "^W1,6,1,.*MATCHED" "$T/r/states.csv"'
check_sh "a ward charge never back-filled: MISSING_IN_HIS charges" 'grep -q "^MISSING_IN_HIS,charges,W1,7,1," "$F"'
check_sh "a ward charge typed twice: DUPLICATE_IN_HIS" 'grep -q "^DUPLICATE_IN_HIS,charges,W1,10,1,C7" "$F"'
check "an exam requested is not billed: NO_EXPORT" grep -q '^W1,8,1,.*NO_EXPORT' "$T/r/states.csv"
check "an exam performed without a request matches like any" grep -q '^XR,5,1,.*MATCHED' "$T/r/states.csv"
check_sh "receipts.csv: 00010003 exchanged (the HIS register holds it)" 'grep -q "^BL-OPD-8,00010003,P036,,3.50,.*,已换票 exchanged," "$T/r/receipts.csv"'
check_sh "receipts.csv: 00010004 still to exchange" 'grep -q "^BL-OPD-9,00010004,P037,,2.00,.*,待换票 to exchange," "$T/r/receipts.csv"'
check "receipts.csv: only the receipts marked --exchange" [ "$(($(wc -l <"$T/r/receipts.csv") - 1))" = 2 ]
check_sh "discharge.csv: the back-filled line confirmed" 'grep -q "^BL-PH-14-1,RX-2,P042,,D001,.*,MATCHED,已确认" "$T/r/discharge.csv"'
check_sh "discharge.csv: the line not back-filled to confirm" 'grep -q "^BL-PH-14-2,RX-2,P042,,D003,.*,MISSING_IN_HIS,待确认" "$T/r/discharge.csv"'
check_sh "discharge.csv: the imported one" 'grep -q "^BL-PH-15-1,RX-3,P043," "$T/r/discharge.csv"'
check "the pharmacy's worklist says to trace the voucher" grep -q '追查凭证' "$T/r/worklists/药房.csv"
finish
