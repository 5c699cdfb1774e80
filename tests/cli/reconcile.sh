# reconcile.sh - `bulu reconcile`: the ledger against the HIS exports
# (docs/reconcile.md, docs/his-profiles.md, CONTRACT.md "HIS exports and
# reconcile").
#
# Four stations capture one outage (2026-11-20 08:00 .. 20:00, Asia/Shanghai)
# with the real tools, carry it on sealed bundles to a ledger, and the HIS
# exports in tests/data/reconcile/his-*.csv (written by hand, default
# profile) are reconciled against it:
#
#   CASH 门诊收费  charges, voids, an invoice void, registrations, an order
#   WARD 内科一病区 orders and requisitions RQ-1..3
#   PHAR 药房      its copies of RQ-1..3, dispenses against them, a
#                  prescription and its dispense
#   XRAY 放射科    exams; later a drill episode
#
# Shown: every finding class at its station/seq/line (and HIS row), states
# (one per journal line, counted from the ledger with sqlite3), a clean
# outage (tests/data/reconcile/clean-*.csv) giving exit 0, the same findings
# from GB18030, BOM, English-header/fen/other-date-format and "¥1,234.50"
# variants, byte-identical re-runs (also with the rows shuffled), the
# back-fill loop, one patient with 3,000 identical lines costing about what
# 3,000 patients do, drills apart, worklists, and a corpus of bad inputs that
# exit 2 naming file/row/column, never a patient, writing nothing.
#
# The seqs named below follow the capture order in this script: change one
# and the HIS files' BL references must follow.
. "$(dirname "$0")/../lib.sh"
TZ=Asia/Shanghai
export TZ
DATA=$(cd "$(dirname "$0")/../data/reconcile" && pwd)
CAT=$(cd "$(dirname "$0")/../data" && pwd)/capture-catalog.csv
R=$T/roster.txt
C=$T/central
L=$T/ledger.db
EP=OUT-20261120-0800

# ---- helpers

# A small CSV tool: psv (CSV to '|'-separated lines, BOM dropped), english,
# yen and shuffle (variants of an HIS export, see below).
cat >"$T/csvtool.py" <<'EOF'
import csv, io, random, sys
def rows(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))
def write(path, rs, bom=False):
    with open(path, "w", encoding="utf-8", newline="") as f:
        if bom:
            f.write("\ufeff")
        csv.writer(f, lineterminator="\r\n").writerows(rs)
cmd = sys.argv[1]
if cmd == "psv":
    for r in rows(sys.argv[2]):
        print("|".join(c.replace("\r", "").replace("\n", " ") for c in r))
elif cmd == "english":
    # charges with English headers in another order, money in fen, dates as
    # 2026/11/20 9:05 (tests/data/reconcile/english.profile)
    rs = rows(sys.argv[2])
    h = rs[0]
    names = {"流水号": "Serial No", "患者编号": "Patient ID", "姓名": "Patient Name",
             "项目编码": "Item Code", "项目名称": "Item Name", "数量": "Quantity",
             "单价": "Unit Price (fen)", "金额": "Amount (fen)", "发生时间": "Service Time",
             "录入时间": "Entry Time", "操作员": "Clerk", "发票号": "Receipt No",
             "科室": "Department", "备注": "Remarks"}
    order = ["备注", "流水号", "科室", "患者编号", "姓名", "项目编码", "项目名称", "数量",
             "单价", "金额", "发生时间", "录入时间", "操作员", "发票号"]
    def fen(v):
        y, _, c = v.partition(".")
        return str(int(y) * 100 + int((c + "00")[:2]))
    def when(v):
        d, t = v.split(" ")
        y, m, dd = d.split("-")
        hh, mm, ss = t.split(":")
        assert ss == "00"
        return "%s/%d/%d %d:%s" % (y, int(m), int(dd), int(hh), mm)
    out = [[names[c] for c in order]]
    for r in rs[1:]:
        v = dict(zip(h, r))
        v["单价"], v["金额"] = fen(v["单价"]), fen(v["金额"])
        v["发生时间"], v["录入时间"] = when(v["发生时间"]), when(v["录入时间"])
        out.append([v[c] for c in order])
    write(sys.argv[3], out)
elif cmd == "yen":
    # money cells as "¥1,234.50" (quoted: the comma is a thousands separator)
    rs = rows(sys.argv[2])
    money = [i for i, c in enumerate(rs[0]) if c in ("单价", "金额", "挂号费")]
    for r in rs[1:]:
        for i in money:
            y, _, c = r[i].partition(".")
            r[i] = "¥{:,}.{}".format(int(y), c)
    write(sys.argv[3], rs)
elif cmd == "shuffle":
    rs = rows(sys.argv[2])
    body = rs[1:]
    random.Random(int(sys.argv[4])).shuffle(body)
    write(sys.argv[3], [rs[0]] + body)
EOF
psv() { python3 "$T/csvtool.py" psv "$1"; }

# at HH:MM: the station clock on the outage day.
at() {
	BULU_NOW="2026-11-20 $1"
	export BULU_NOW
}
# st ID ROLE DEPT OPERATOR: a station in $T/ID with the fixture catalog.
st() {
	t_station "$1" "$2" "$3" || exit 1
	BULU_OPERATOR=$4
	export BULU_OPERATOR
	at 07:00
	bulu catalog load "$CAT" >/dev/null 2>"$T/err" || fail "catalog load at $1"
}
# cap HH:MM KIND ARGS...: capture at that time (station clock and paper time).
cap() {
	at "$1"
	k=$2
	shift 2
	expect 0 bulu capture "$k" "$@" --at "$BULU_NOW"
}
start() { at 08:00 && expect 0 bulu outage start --at '2026-11-20 08:00'; }
end() { at 20:00 && expect 0 bulu outage end --at '2026-11-20 20:00'; }
# lastseq: the current station's highest seq.
lastseq() { sqlite3 "$BULU_HOME/journal.db" "SELECT max(seq) FROM entries"; }
# ship LEDGER STATION...: roster, sealed export, import into LEDGER.
ship() {
	led=$1
	shift
	rm -rf "$T/usb"
	for s in "$@"; do
		bulu roster add --roster "$R" --from-station "$T/$s" >/dev/null 2>&1
		expect 0 bulu sync export --dir "$T/$s" --out "$T/usb" --seal-to "$C/central.pub"
	done
	expect 0 bulu sync import --ledger "$led" --roster "$R" --central "$C" "$T/usb"
}
# tree DIR: names and checksums of everything in DIR (to see it unchanged).
tree() { (cd "$1" 2>/dev/null && find . | LC_ALL=C sort && find . -type f | LC_ALL=C sort | xargs sha256sum); }

# The five exports of a run; variants replace some.
RG=$DATA/his-registrations.csv
CH=$DATA/his-charges.csv
OR=$DATA/his-orders.csv
DI=$DATA/his-dispenses.csv
IV=$DATA/his-invoices.csv
# run STATUS OUT [ARGS...]: reconcile the ledger $L against the five exports.
run() {
	want=$1 out=$2
	shift 2
	expect "$want" bulu reconcile --ledger "$L" --quiet --out "$out" --his registrations="$RG" \
		--his charges="$CH" --his orders="$OR" --his dispenses="$DI" --his invoices="$IV" "$@"
}
# F: the findings of the run being looked at, as '|'-lines (without header);
# S: its states.  look DIR sets both.
look() {
	psv "$1/findings.csv" | tail -n +2 >"$T/F"
	psv "$1/states.csv" | tail -n +2 >"$T/S"
}
# finding CLASS KIND STATION SEQ LINE HIS_ID [DIFF_FEN [WORDS]]: exactly one
# finding with these first six columns, and its diff_fen and explanation.
finding() {
	d="$1 $2 $3/$4/$5 ${6:-(no HIS row)}"
	r=$(awk -F'|' -v c="$1" -v k="$2" -v s="$3" -v q="$4" -v l="$5" -v h="$6" \
		'$1 == c && $2 == k && $3 == s && $4 == q && $5 == l && $6 == h' "$T/F")
	if [ -z "$r" ]; then
		fail "no finding $d"
		return 0
	fi
	if [ "$(printf '%s\n' "$r" | wc -l)" != 1 ]; then
		fail "finding $d more than once"
		return 0
	fi
	if [ -n "${7:-}" ] && [ "$(printf '%s' "$r" | cut -d'|' -f11)" != "$7" ]; then
		fail "finding $d: diff_fen $(printf '%s' "$r" | cut -d'|' -f11), wanted $7"
		return 0
	fi
	if [ -n "${8:-}" ] && ! printf '%s' "$r" | grep -qF -- "$8"; then
		fail "finding $d: no '$8' in: $r"
		return 0
	fi
	ok
}
# field CLASS KIND STATION SEQ LINE HIS_ID N: column N of that finding.
field() {
	awk -F'|' -v c="$1" -v k="$2" -v s="$3" -v q="$4" -v l="$5" -v h="$6" -v n="$7" \
		'$1 == c && $2 == k && $3 == s && $4 == q && $5 == l && $6 == h { print $n; exit }' "$T/F"
}
# state STATION SEQ LINE STATE [HIS_ID]: the line's one state in states.csv.
state() {
	r=$(awk -F'|' -v s="$1" -v q="$2" -v l="$3" '$1 == s && $2 == q && $3 == l' "$T/S")
	got=$(printf '%s' "$r" | cut -d'|' -f7)
	if [ "$got" != "$4" ]; then
		fail "BL-$1-$2-$3 ends $got, wanted $4: $r"
	elif [ -n "${5:-}" ] && [ "$(printf '%s' "$r" | cut -d'|' -f8)" != "$5" ]; then
		fail "BL-$1-$2-$3 matched HIS $(printf '%s' "$r" | cut -d'|' -f8), wanted $5"
	else ok; fi
}

# ---- the outage, captured at four stations
expect 0 bulu central init --dir "$C"

st CASH cashier 门诊收费 cash1
at 07:00
expect 0 bulu invoice add-book --from 00010001 --to 00010100     # seq 3
start                                                             # 4
cap 09:00 charge --patient P001 --name 张一 --item D001:2 --invoice 00010001      # 5  matched + a copy by reference
cap 09:10 charge --patient P002 --name 王二 --item D002:1 --invoice 00010002      # 6  matched + an identical copy
cap 09:20 charge --patient P003 --name 李三 --item D003:1 --invoice 00010003      # 7  missing (the HIS has it in peacetime only)
cap 09:30 charge --patient P004 --name 赵四 --item F100:1 --invoice 00010004      # 8  amount (by reference)
cap 09:40 charge --patient P005 --name 钱五 --item D001:3 --invoice 00010005      # 9  quantity
cap 09:50 charge --patient P006 --name 孙六 --item D002:2 --invoice 00010006      # 10 item; invoice amount
cap 10:00 charge --patient P007 --name 周七 --item F100:1 --invoice 00010007      # 11 patient; HIS voided its invoice
cap 10:10 charge --patient P008 --name 吴八 --item D001:1 --invoice 00010008      # 12 voided, not in the HIS: right
cap 10:15 void --entry 12 --reason '退费: 未取药'                                   # 13
cap 10:20 charge --patient P009 --name 郑九 --item D002:1 --invoice 00010009      # 14 voided, yet in the HIS
cap 10:25 void --entry 14 --reason '退费'                                          # 15
cap 10:30 charge --patient P010 --name 冯十 --item D003:2 --invoice 00010010      # 16 entered late; invoice not in the register
cap 10:40 charge --patient P011 --name 陈十一 --item D001:1 --invoice 00010013    # 17 (00010011-12 a gap, 14 unrecorded)
cap 10:50 invoice-void --invoice 00010015 --reason '打印错位'                        # 18 yet used in the HIS
cap 11:00 registration --patient P030 --name 秦三十 --dept 内科门诊 --fee 5 --invoice 00010016   # 19
cap 11:10 registration --patient P031 --name 尤三一 --dept 内科门诊 --fee 5 --invoice 00010017  # 20 missing
cap 11:30 charge --patient P012 --name 朱十二 --item F200:20 --invoice 00010018  # 21 1,300.00 yuan
cap 11:40 order --patient P013 --name 秦十三 --item N010:1                        # 22 missing, due a day later
end                                                                               # 23
check "CASH holds seqs 1-23" [ "$(lastseq)" = 23 ]

st WARD ward 内科一病区 nurse1
start                                                                             # 3
cap 10:00 order --patient ZY001 --name 尤一 --item N010:1                         # 4 entered the next day: in time
cap 10:10 order --patient ZY002 --name 许二 --item N010:1                         # 5 entered two days later: late
cap 10:20 requisition --patient ZY001 --name 尤一 --item D001:4 --request-no RQ-1 --no-print   # 6
cap 10:30 requisition --patient ZY002 --name 许二 --item D002:2 --request-no RQ-2 --no-print   # 7
cap 10:40 requisition --patient ZY003 --name 吕三 --item D003:3 --request-no RQ-3 --no-print   # 8
cap 10:50 order --patient ZY004 --name 施四 --item N010:2                         # 9 missing
end                                                                               # 10
check "WARD holds seqs 1-10" [ "$(lastseq)" = 10 ]

st PHAR pharmacy 药房 phar1
start                                                                             # 3
cap 10:25 requisition --patient ZY001 --name 尤一 --item D001:4 --request-no RQ-1 --no-print   # 4 the pharmacy's copy
cap 10:35 requisition --patient ZY002 --name 许二 --item D002:2 --request-no RQ-2 --no-print   # 5
cap 10:45 requisition --patient ZY003 --name 吕三 --item D003:3 --request-no RQ-3 --no-print   # 6
cap 11:00 dispense --ref 4 --item D001:4                                          # 7 all three agree
cap 11:05 dispense --ref 5 --item D002:1                                          # 8 the dispense differs
cap 11:10 dispense --ref 6 --item D003:3                                          # 9 the HIS order differs
cap 11:20 prescription --patient P040 --name 何四十 --item D002:2 --request-no RX-1 # 10
cap 11:30 dispense --ref 10 --item D002:2                                         # 11
end                                                                               # 12
check "PHAR holds seqs 1-12" [ "$(lastseq)" = 12 ]

st XRAY exam 放射科 xray1
start                                                                             # 3
cap 11:00 exam --patient P020 --name 卫二十 --item F200:1 --request-no EX-1       # 4 matched by BL-XRAY-4
cap 11:30 exam --patient P021 --name 蒋二一 --item F200:1 --request-no EX-2       # 5 missing
end                                                                               # 6
BULU_NOW='2026-11-25 09:00'
export BULU_NOW
expect 0 bulu outage start --drill --at '2026-11-25 09:00'                       # 7
BULU_NOW='2026-11-25 09:30'
expect 0 bulu capture exam --patient P900 --item F200:1 --at '2026-11-25 09:30'   # 8 a drill's exam
BULU_NOW='2026-11-25 10:00'
expect 0 bulu outage end --at '2026-11-25 10:00'                                 # 9
check "XRAY holds seqs 1-9" [ "$(lastseq)" = 9 ]

ship "$L" CASH WARD PHAR XRAY
check "the drill's entries are kept apart in the ledger" \
	[ "$(sqlite3 "$L" "SELECT count(*) FROM drill_entries WHERE station = 'XRAY'")" = 3 ]

# ---- 1. every finding class, once at least
run 1 "$T/r1"
check "--quiet: nothing on stdout" [ ! -s "$T/out" ]
look "$T/r1"
finding MISSING_IN_HIS charges CASH 7 1 "" -200 BL-CASH-7-1
finding MISSING_IN_HIS charges XRAY 5 1 "" -6500
finding MISSING_IN_HIS registrations CASH 20 "" "" -500
finding MISSING_IN_HIS orders CASH 22 1 "" -1800
finding MISSING_IN_HIS orders WARD 9 1 "" -3600
finding MISSING_IN_HIS invoices CASH 16 "" "" "" 00010010
finding EXTRA_IN_HIS charges "" "" "" H112 1000
finding EXTRA_IN_HIS charges "" "" "" H117 1400 BL-CASH-99-1
finding DUPLICATE_IN_HIS charges CASH 5 1 H102 700 BL-CASH-5-1
finding DUPLICATE_IN_HIS charges CASH 6 1 H104 1280
finding AMOUNT_MISMATCH charges CASH 8 1 H105 500
finding AMOUNT_MISMATCH invoices CASH 10 "" "" -60 00010006
finding QTY_MISMATCH charges CASH 9 1 H106 -350
finding ITEM_MISMATCH charges CASH 10 1 H107 -2160 D003
finding PATIENT_MISMATCH charges CASH 11 1 H108 0
finding VOIDED_IN_HIS charges CASH 14 1 H109 1280
finding INVOICE_GAP invoices CASH 3 "" "" "" 00010011-00010012
finding INVOICE_DUPLICATE invoices CASH 5 "" "" "" 00010001
finding INVOICE_UNRECORDED invoices CASH 3 "" "" "" 00010014
finding INVOICE_VOID_CHARGED invoices CASH 11 "" "" "" 00010007
finding INVOICE_VOID_CHARGED invoices CASH 18 "" "" "" 00010015
finding INVOICE_VOID_CHARGED charges CASH 18 "" H112 "" 00010015
finding DISPENSE_MISMATCH drugs PHAR 5 1 "" "" "the pharmacy's dispense"
finding DISPENSE_MISMATCH drugs PHAR 6 1 "" "" "the HIS order"
finding LATE_BACKFILL charges CASH 16 1 H110
finding LATE_BACKFILL orders WARD 5 1 O2
# nothing else: 26 findings, these
cut -d'|' -f1-6 "$T/F" | LC_ALL=C sort >"$T/got"
LC_ALL=C sort >"$T/want" <<'EOF'
AMOUNT_MISMATCH|charges|CASH|8|1|H105
AMOUNT_MISMATCH|invoices|CASH|10||
DISPENSE_MISMATCH|drugs|PHAR|5|1|
DISPENSE_MISMATCH|drugs|PHAR|6|1|
DUPLICATE_IN_HIS|charges|CASH|5|1|H102
DUPLICATE_IN_HIS|charges|CASH|6|1|H104
EXTRA_IN_HIS|charges||||H112
EXTRA_IN_HIS|charges||||H117
INVOICE_DUPLICATE|invoices|CASH|5||
INVOICE_GAP|invoices|CASH|3||
INVOICE_UNRECORDED|invoices|CASH|3||
INVOICE_VOID_CHARGED|charges|CASH|18||H112
INVOICE_VOID_CHARGED|invoices|CASH|11||
INVOICE_VOID_CHARGED|invoices|CASH|18||
ITEM_MISMATCH|charges|CASH|10|1|H107
LATE_BACKFILL|charges|CASH|16|1|H110
LATE_BACKFILL|orders|WARD|5|1|O2
MISSING_IN_HIS|charges|CASH|7|1|
MISSING_IN_HIS|charges|XRAY|5|1|
MISSING_IN_HIS|invoices|CASH|16||
MISSING_IN_HIS|orders|CASH|22|1|
MISSING_IN_HIS|orders|WARD|9|1|
MISSING_IN_HIS|registrations|CASH|20||
PATIENT_MISMATCH|charges|CASH|11|1|H108
QTY_MISMATCH|charges|CASH|9|1|H106
VOIDED_IN_HIS|charges|CASH|14|1|H109
EOF
if cmp -s "$T/got" "$T/want"; then ok; else
	fail "the findings are not exactly the 26 expected: $(diff "$T/want" "$T/got" | grep '^[<>]' | tr '\n' ' ')"
fi
# the values and words of a few
check "AMOUNT_MISMATCH shows both amounts" [ "$(field AMOUNT_MISMATCH charges CASH 8 1 H105 9)/$(field AMOUNT_MISMATCH charges CASH 8 1 H105 10)" = "20.00/25.00" ]
check "QTY_MISMATCH shows both quantities" [ "$(field QTY_MISMATCH charges CASH 9 1 H106 9)/$(field QTY_MISMATCH charges CASH 9 1 H106 10)" = "3/2" ]
check "ITEM_MISMATCH shows both items" [ "$(field ITEM_MISMATCH charges CASH 10 1 H107 9)/$(field ITEM_MISMATCH charges CASH 10 1 H107 10)" = "D002/D003" ]
check "PATIENT_MISMATCH names the journal's patient and the HIS's" \
	[ "$(field PATIENT_MISMATCH charges CASH 11 1 H108 7)|$(field PATIENT_MISMATCH charges CASH 11 1 H108 9)|$(field PATIENT_MISMATCH charges CASH 11 1 H108 10)" = "P007|P007|P070" ]
check "the gap is one finding for the run 00010011-00010012" [ "$(field INVOICE_GAP invoices CASH 3 "" "" 9)" = 00010011-00010012 ]
check "a finding carries its department and operator" \
	[ "$(field MISSING_IN_HIS charges CASH 7 1 "" 12)/$(field MISSING_IN_HIS charges CASH 7 1 "" 13)" = 门诊收费/cash1 ]
check "a three-way finding carries its requisition line's department" [ "$(field DISPENSE_MISMATCH drugs PHAR 5 1 "" 12)" = 药房 ]
check "an invoice gap belongs to its book's department" [ "$(field INVOICE_GAP invoices CASH 3 "" "" 12)" = 门诊收费 ]
check "an unrecorded invoice belongs to its book's department" [ "$(field INVOICE_UNRECORDED invoices CASH 3 "" "" 12)" = 门诊收费 ]
check "a voided invoice's finding is the voiding cashier's, not the HIS register's" \
	[ "$(field INVOICE_VOID_CHARGED invoices CASH 18 "" "" 12)/$(field INVOICE_VOID_CHARGED invoices CASH 18 "" "" 13)" = 门诊收费/cash1 ]
check "LATE_BACKFILL of a charge shows its deadline (the restore day's end) and the entry time" \
	[ "$(field LATE_BACKFILL charges CASH 16 1 H110 9)/$(field LATE_BACKFILL charges CASH 16 1 H110 10)" = "2026-11-20 23:59:59/2026-11-21 09:00:00" ]
# what is not reported
grep -q '|H100|' "$T/F" && fail "a peacetime row (before the window) was reported" || ok
for h in H114 H115; do
	grep -q "|$h|" "$T/F" && fail "$h: EXTRA_IN_HIS for a department that captured no charges" || ok
done
grep -q '|H116|' "$T/F" && fail "H116: EXTRA_IN_HIS for a row after the window" || ok
grep -q '^[A-Z_]*|[a-z]*|CASH|12|' "$T/F" && fail "the voided charge not in the HIS gave a finding" || ok
grep -q '|O[456]|' "$T/F" && fail "an HIS order of a requisitioned drug was reported by the order matching" || ok
grep -q '^[A-Z_]*|[a-z]*|XRAY|8|' "$T/F" && fail "the drill's exam was reconciled in a real run" || ok
# states
state CASH 5 1 MATCHED H101
# his_entered_at, the last column: the HIS row's entry time, none without a row
check "states.csv: BL-CASH-16-1's his_entered_at is H110's entry time" \
	[ "$(awk -F'|' '$1 == "CASH" && $2 == 16 && $3 == 1 { print $11 }' "$T/S")" = "2026-11-21 09:00:00" ]
check "states.csv: BL-CASH-7-1 (missing in the HIS) has no his_entered_at" \
	[ "$(awk -F'|' '$1 == "CASH" && $2 == 7 && $3 == 1 { print NF "/" $11 }' "$T/S")" = "11/" ]
check "states.csv: his_entered_at is the last of eleven columns" \
	[ "$(psv "$T/r1/states.csv" | head -1)" = "station|seq|line|bl_ref|kind|his_kind|state|his_id|deadline|explanation|his_entered_at" ]
state CASH 6 1 MATCHED H103
state CASH 7 1 MISSING_IN_HIS
state CASH 12 1 VOIDED
state CASH 14 1 VOIDED_IN_HIS H109
state CASH 16 1 LATE_BACKFILL H110
state CASH 17 1 MATCHED H111
state CASH 19 0 MATCHED R1
state CASH 21 1 MATCHED H118
state XRAY 4 1 MATCHED H113
state WARD 4 1 MATCHED O1
state WARD 5 1 LATE_BACKFILL O2
state PHAR 10 1 MATCHED O3
state PHAR 7 1 MATCHED D1
state PHAR 8 1 MATCHED D2
state PHAR 11 1 MATCHED D4
state PHAR 4 1 MATCHED
state WARD 6 1 MATCHED
state PHAR 5 1 DISPENSE_MISMATCH
state WARD 7 1 DISPENSE_MISMATCH
state WARD 8 1 DISPENSE_MISMATCH
check "a charge is due at the end of the restore day" \
	[ "$(awk -F'|' '$1 == "CASH" && $2 == 7 { print $9 }' "$T/S")" = "2026-11-20 23:59:59" ]
check "an order is due at the end of the next day" \
	[ "$(awk -F'|' '$1 == "WARD" && $2 == 9 { print $9 }' "$T/S")" = "2026-11-21 23:59:59" ]
grep -q '^XRAY|8|' "$T/S" && fail "the drill's exam is in a real run's states" || ok
check "a remark naming a line of another kind (BL-WARD-4-1 on a charge) is ignored: matched by its keys" \
	[ "$(awk -F'|' '$1 == "CASH" && $2 == 17 { print $10 }' "$T/S" | grep -c 'patient, item, quantity and amount')" = 1 ]
# --episode and --window naming the same outage reconcile the same lines the same way
run 1 "$T/rep" --episode "$EP"
check "--episode $EP: the same findings.csv" cmp "$T/r1/findings.csv" "$T/rep/findings.csv"
check "--episode $EP: the same states.csv" cmp "$T/r1/states.csv" "$T/rep/states.csv"
run 1 "$T/rwin" --window '2026-11-20 08:00..2026-11-20 20:00'
check "--window of the outage: the same findings.csv" cmp "$T/r1/findings.csv" "$T/rwin/findings.csv"
check "--window of the outage: the same states.csv" cmp "$T/r1/states.csv" "$T/rwin/states.csv"

# ---- 3. every journal line in scope ends in exactly one state
sqlite3 "$L" "SELECT e.station || '|' || e.seq || '|' || coalesce(l.value->>'line', 0)
	FROM entries e LEFT JOIN json_each(e.body, '\$.lines') l
	WHERE e.episode = '$EP' AND e.kind IN ('registration', 'card_issue', 'charge', 'prescription',
		'order', 'requisition', 'dispense', 'exam')" | LC_ALL=C sort >"$T/lines"
n=$(wc -l <"$T/lines")
check "the ledger holds 31 journal lines in scope ($n)" [ "$n" = 31 ]
check "states.csv has one row per journal line ($(wc -l <"$T/S") rows for $n lines)" [ "$(wc -l <"$T/S")" = "$n" ]
cut -d'|' -f1-3 "$T/S" | LC_ALL=C sort >"$T/slines"
check "states.csv holds exactly the ledger's lines" cmp -s "$T/lines" "$T/slines"
check "no line twice in states.csv" [ -z "$(uniq -d "$T/slines")" ]
bad=$(cut -d'|' -f7 "$T/S" | grep -cvxE 'MATCHED|VOIDED|NOT_CHECKED|NO_EXPORT|MISSING_IN_HIS|DUPLICATE_IN_HIS|AMOUNT_MISMATCH|QTY_MISMATCH|ITEM_MISMATCH|PATIENT_MISMATCH|VOIDED_IN_HIS|DISPENSE_MISMATCH|LATE_BACKFILL')
check "every line's state is one state ($bad others)" [ "$bad" = 0 ]
check "states.csv gives every line its BL reference" \
	[ -z "$(awk -F'|' '$4 != ($3 ? "BL-" $1 "-" $2 "-" $3 : "BL-" $1 "-" $2)' "$T/S")" ]

# ---- 10. worklists
W=$T/r1/worklists
for dept in 门诊收费 放射科 内科一病区 药房; do
	check "worklists/$dept.csv exists" [ -f "$W/$dept.csv" ]
	check "worklists/$dept.txt exists" [ -f "$W/$dept.txt" ]
	check "worklists/$dept.csv starts with a BOM" [ "$(head -c 3 "$W/$dept.csv" | od -An -tx1 | tr -d ' ')" = efbbbf ]
	psv "$W/$dept.csv" | tail -n +2 >"$T/wl"
	nf=$(awk -F'|' -v d="$dept" '$12 == d' "$T/F" | wc -l)
	# routed in ([routing]): a line of another department's finding, saying why
	nin=$(awk -F'|' 'NR == FNR { if ($5 != "") d["BL-" $3 "-" $4 "-" $5] = $12; next }
		$4 in d && d[$4] != dept && $14 !~ /^本科室/' dept="$dept" "$T/F" "$T/wl" | wc -l)
	check "worklists/$dept.csv: one row per finding of $dept, and $nin routed in ($(wc -l <"$T/wl") rows, $nf findings)" \
		[ "$(wc -l <"$T/wl")" = "$((nf + nin))" ]
	# sorted by deadline, those without one last
	check "worklists/$dept.csv is sorted by deadline" \
		[ -z "$(awk -F'|' '{ k = $1 == "" ? "9999" : $1; if (k < p) print; p = k }' "$T/wl")" ]
	# every finding on a journal line is there with its BL reference
	for ref in $(awk -F'|' -v d="$dept" '$12 == d && $5 != "" { print "BL-" $3 "-" $4 "-" $5 }' "$T/F" | sort -u); do
		grep -q "|$ref|" "$T/wl" && ok || fail "worklists/$dept.csv lacks $ref"
	done
done
check "no worklist for an unknown department" [ ! -e "$W/未知科室.csv" ]
# the printable page: one row per finding, each reference with its barcode
check "worklists/门诊收费.html exists" [ -f "$W/门诊收费.html" ]
check_sh "worklists/门诊收费.html: an item per finding" \
	'[ "$(grep -c "^<div class=\"it\">" "$W/门诊收费.html")" = "$(psv "$W/门诊收费.csv" | tail -n +2 | wc -l)" ]'
check "worklists/门诊收费.html: BL-CASH-7-1's barcode" grep -q '<svg class="barcode"[^>]*aria-label="BL-CASH-7-1"' "$W/门诊收费.html"
check "worklists/门诊收费.html: what to do" grep -q '<b>补录 back-fill</b>MISSING_IN_HIS' "$W/门诊收费.html"
check_sh "worklists/门诊收费.html: nothing external" '! grep -Eiq "src=|href=|url\(|<link|<script" "$W/门诊收费.html"'
# printed by a real browser, the first page's barcodes decode to the worklist's
# first references (PDF and PNG kept in BUILD/tests/worklist to be looked at)
WO=$(dirname "$BULU")/tests/worklist
rm -rf "$WO"
mkdir -p "$WO"
if need chromium pdftoppm zbarimg; then
	cp "$W/门诊收费.html" "$WO/worklist.html"
	chromium --headless --no-sandbox --disable-gpu --no-pdf-header-footer --user-data-dir="$T/chromium" \
		--print-to-pdf="$WO/worklist.pdf" "$WO/worklist.html" >/dev/null 2>&1
	pdftoppm -png -r 150 -f 1 -l 1 "$WO/worklist.pdf" "$WO/worklist"
	zbarimg -q --raw "$WO"/worklist-*.png 2>/dev/null | sort >"$WO/codes"
	psv "$W/门诊收费.csv" | tail -n +2 | awk -F'|' '{ print $4 }' | head -n "$(wc -l <"$WO/codes")" | sort >"$WO/refs"
	check "the printed worklist's barcodes decode ($(wc -l <"$WO/codes") on page 1)" [ "$(wc -l <"$WO/codes")" -ge 5 ]
	check "each decoded barcode is one of the worklist's first references" cmp -s "$WO/codes" "$WO/refs"
fi
psv "$W/门诊收费.csv" >"$T/wl.cash"
grep -q '|补录 back-fill|MISSING_IN_HIS|BL-CASH-7-1|' "$T/wl.cash" && ok || fail "the 门诊收费 worklist asks to back-fill BL-CASH-7-1"
check "the 门诊收费 worklist puts the charges due on the 20th before the order due on the 21st" \
	[ "$(grep -n 'BL-CASH-8-1' "$T/wl.cash" | cut -d: -f1)" -lt "$(grep -n 'BL-CASH-22-1' "$T/wl.cash" | cut -d: -f1)" ]
grep -q 'BL-XRAY-5-1' "$W/放射科.txt" && ok || fail "the printable worklist shows the BL reference"
grep -q '\[ \]' "$W/放射科.txt" && ok || fail "the printable worklist has boxes to tick"

# ---- 6. byte-identical re-runs, also with the rows shuffled
cp -R "$T/r1" "$T/r1.first"
run 1 "$T/r1"
check "the same inputs again give byte-identical files" diff -r "$T/r1.first" "$T/r1"
python3 "$T/csvtool.py" shuffle "$CH" "$T/shuf-charges.csv" 7
python3 "$T/csvtool.py" shuffle "$OR" "$T/shuf-orders.csv" 8
python3 "$T/csvtool.py" shuffle "$IV" "$T/shuf-invoices.csv" 9
CH=$T/shuf-charges.csv OR=$T/shuf-orders.csv IV=$T/shuf-invoices.csv run 1 "$T/r1"
check "shuffled rows (distinct times) give byte-identical files" diff -r "$T/r1.first" "$T/r1"
CH=$DATA/his-charges.csv OR=$DATA/his-orders.csv IV=$DATA/his-invoices.csv
run 1 "$T/r1"
run 1 "$T/r1" --tolerance 2h --due-important 0 --due-all 1
check "the documented defaults change nothing" diff -r "$T/r1.first" "$T/r1"

# ---- 4. profile variants give the same findings.csv
for f in registrations charges orders dispenses invoices; do
	iconv -f UTF-8 -t GB18030 "$DATA/his-$f.csv" >"$T/gb-$f.csv"
	{ printf '\357\273\277' && cat "$DATA/his-$f.csv"; } >"$T/bom-$f.csv"
done
cmp -s "$T/gb-charges.csv" "$CH" && fail "iconv made no GB18030 file" || ok
RG=$T/gb-registrations.csv CH=$T/gb-charges.csv OR=$T/gb-orders.csv DI=$T/gb-dispenses.csv IV=$T/gb-invoices.csv run 1 "$T/rgb"
check "GB18030 exports: the same findings.csv" cmp "$T/r1/findings.csv" "$T/rgb/findings.csv"
check "GB18030 exports: the same states.csv" cmp "$T/r1/states.csv" "$T/rgb/states.csv"
grep -q 'gb18030' "$T/rgb/summary.txt" && ok || fail "the summary says the files were read as GB18030"
RG=$T/bom-registrations.csv CH=$T/bom-charges.csv OR=$T/bom-orders.csv DI=$T/bom-dispenses.csv IV=$T/bom-invoices.csv run 1 "$T/rbom"
check "UTF-8 exports with BOM: the same findings.csv" cmp "$T/r1/findings.csv" "$T/rbom/findings.csv"
python3 "$T/csvtool.py" english "$DATA/his-charges.csv" "$T/en-charges.csv"
grep -q '^Remarks,Serial No,' "$T/en-charges.csv" && grep -q ',2026/11/20 9:00,' "$T/en-charges.csv" &&
	grep -q ',130000,' "$T/en-charges.csv" && ok || fail "the English export was not made: $(head -3 "$T/en-charges.csv")"
CH=$T/en-charges.csv run 1 "$T/ren" --profile "$DATA/english.profile"
check "English headers in another order, fen, YYYY/M/D h:mm: the same findings.csv" cmp "$T/r1/findings.csv" "$T/ren/findings.csv"
CH=$T/en-charges.csv run 2 "$T/ren2"
grep -q 'en-charges.csv' "$T/err" && ok || fail "the English export without its profile: the file is named"
for f in registrations charges invoices; do python3 "$T/csvtool.py" yen "$DATA/his-$f.csv" "$T/yen-$f.csv"; done
grep -q '"¥1,300.00"' "$T/yen-charges.csv" && ok || fail "the ¥ export holds a thousands separator: $(grep H118 "$T/yen-charges.csv")"
RG=$T/yen-registrations.csv CH=$T/yen-charges.csv IV=$T/yen-invoices.csv run 1 "$T/ryen"
check "\"¥1,300.00\" money cells: the same findings.csv" cmp "$T/r1/findings.csv" "$T/ryen/findings.csv"
# A custom pattern with the date run together, per kind, GB18030 declared.
sed -e 's/^date_format = .*/date_format = YYYYMMDDhhmmss/' -e 's/^encoding = auto/encoding = gb18030/' \
	"$DATA/english.profile" >"$T/compact.profile"
python3 - "$T/en-charges.csv" "$T/compact.csv" <<'EOF'
import csv, sys
rs = list(csv.reader(open(sys.argv[1], encoding="utf-8", newline="")))
def c(v):
    d, t = v.split(" ")
    y, m, dd = d.split("/")
    h, mi = t.split(":")
    return "%s%02d%02d%02d%s00" % (y, int(m), int(dd), int(h), mi)
for r in rs[1:]:
    r[10], r[11] = c(r[10]), c(r[11])
csv.writer(open(sys.argv[2], "w", encoding="gb18030", newline=""), lineterminator="\n").writerows(rs)
EOF
RG=$T/gb-registrations.csv CH=$T/compact.csv OR=$T/gb-orders.csv DI=$T/gb-dispenses.csv IV=$T/gb-invoices.csv \
	run 1 "$T/rcompact" --profile "$T/compact.profile"
check "YYYYMMDDhhmmss dates in a declared GB18030 file: the same findings.csv" cmp "$T/r1/findings.csv" "$T/rcompact/findings.csv"

# ---- 9. drills: reconciled only with --drill, against the drill's exports
cat >"$T/drill-charges.csv" <<'EOF'
流水号,患者编号,姓名,项目编码,项目名称,数量,单价,金额,发生时间,录入时间,操作员,发票号,科室,备注
HD1,P900,演练,F200,胸部X线摄片,1,65.00,65.00,2026-11-25 09:30:00,2026-11-25 11:00:00,his03,,放射科,BL-XRAY-8-1
EOF
expect 0 bulu reconcile --ledger "$L" --drill --quiet --his charges="$T/drill-charges.csv" --out "$T/rdrill"
look "$T/rdrill"
check "a drill run holds the drill's line only" [ "$(cut -d'|' -f1-3 "$T/S")" = "XRAY|8|1" ]
state XRAY 8 1 MATCHED HD1
check "a clean drill has no findings" [ ! -s "$T/F" ]
expect 0 bulu reconcile --ledger "$L" --drill --quiet --his charges="$T/drill-charges.csv" --his orders="$OR" \
	--out "$T/rdrill2"
look "$T/rdrill2"
grep -q '^XRAY|8|1|' "$T/S" && ok || fail "the drill's exam in the drill run"
grep -qE '^(CASH|WARD|PHAR)\|' "$T/S" && fail "a real line in a drill run" || ok
expect 2 bulu reconcile --ledger "$L" --episode DRILL-20261125-0900 --quiet --his charges="$T/drill-charges.csv" --out "$T/rdrill3"
grep -q 'drill' "$T/err" && ok || fail "--episode of a drill without --drill says why: $(cat "$T/err")"

# ---- 7. back-fill more, run again: the missing findings go, the worklists shrink
cp -R "$T/r1.first" "$T/loop"
fbefore=$(psv "$T/loop/findings.csv" | tail -n +2 | wc -l)
nbefore=$(psv "$T/loop/worklists/门诊收费.csv" | tail -n +2 | wc -l)
cp "$DATA/his-charges.csv" "$T/more-charges.csv"
cat >>"$T/more-charges.csv" <<'EOF'
H119,P003,李三,D003,"维生素C片,100mg",1,2.00,2.00,2026-11-20 09:20:00,2026-11-20 23:00:00,his01,00010003,门诊收费,BL-CASH-7-1
H120,P021,蒋二一,F200,胸部X线摄片,1,65.00,65.00,2026-11-20 11:30:00,2026-11-20 23:01:00,his03,,放射科,BL-XRAY-5-1
EOF
cp "$DATA/his-registrations.csv" "$T/more-registrations.csv"
echo 'R2,P031,尤三一,男,内科门诊,刘医生,5.00,2026-11-20 11:10:00,2026-11-20 23:02:00,his01,00010017,BL-CASH-20' >>"$T/more-registrations.csv"
cp "$DATA/his-orders.csv" "$T/more-orders.csv"
cat >>"$T/more-orders.csv" <<'EOF'
O7,P013,秦十三,N010,一级护理,1,2026-11-20 11:40:00,2026-11-21 09:00:00,his01,门诊收费,BL-CASH-22-1
O8,ZY004,施四,N010,一级护理,2,2026-11-20 10:50:00,2026-11-21 09:01:00,his05,内科一病区,BL-WARD-9-1
EOF
RG=$T/more-registrations.csv CH=$T/more-charges.csv OR=$T/more-orders.csv run 1 "$T/loop"
look "$T/loop"
check "after the back-fill only the register's missing invoice is left missing" \
	[ "$(grep '^MISSING_IN_HIS|' "$T/F" | cut -d'|' -f1-4)" = "MISSING_IN_HIS|invoices|CASH|16" ]
state CASH 7 1 MATCHED H119
state XRAY 5 1 MATCHED H120
state CASH 20 0 MATCHED R2
state CASH 22 1 MATCHED O7
state WARD 9 1 MATCHED O8
check "the 放射科 worklist is gone: nothing is left to do there (.csv)" [ ! -e "$T/loop/worklists/放射科.csv" ]
check "the 放射科 worklist is gone: nothing is left to do there (.txt)" [ ! -e "$T/loop/worklists/放射科.txt" ]
check "the 放射科 worklist is gone: nothing is left to do there (.html)" [ ! -e "$T/loop/worklists/放射科.html" ]
nafter=$(psv "$T/loop/worklists/门诊收费.csv" | tail -n +2 | wc -l)
check "the 门诊收费 worklist shrank ($nbefore -> $nafter rows)" [ "$nafter" -lt "$nbefore" ]
check "the findings went down by the 5 missing lines ($fbefore -> $(wc -l <"$T/F"))" [ "$(wc -l <"$T/F")" = $((fbefore - 5)) ]

# ---- 2. a clean outage, fully and correctly back-filled
st KC cashier 门诊收费 kc1
expect 0 bulu invoice add-book --from 00020001 --to 00020010                        # 3
start                                                                               # 4
cap 09:00 registration --patient Q001 --name 甲一 --dept 内科门诊 --fee 5 --invoice 00020001  # 5
cap 09:01 card-issue --card 8800001 --patient Q001                                   # 6 no export: NO_EXPORT
cap 09:10 charge --patient Q001 --name 甲一 --item D001:2 --item F100:1 --invoice 00020002   # 7
cap 09:20 charge --patient Q002 --name 乙二 --item D003:1 --invoice 00020003        # 8
cap 09:25 void --entry 8 --reason '退费'                                             # 9
cap 09:30 invoice-void --invoice 00020004 --reason '打印错位'                          # 10
cap 09:40 charge --patient Q003 --name 丙三 --item F200:1 --invoice 00020005        # 11
end
st KW ward 内科一病区 kw1
start
cap 10:00 order --patient ZY101 --name 乙一 --item N010:1                           # 4
cap 10:10 requisition --patient ZY101 --name 乙一 --item D001:2 --request-no RQ-9 --no-print  # 5
end
st KP pharmacy 药房 kp1
start
cap 10:20 requisition --patient ZY101 --name 乙一 --item D001:2 --request-no RQ-9 --no-print  # 4
cap 10:30 dispense --ref 4 --item D001:2                                              # 5
cap 10:40 prescription --patient Q004 --name 丁四 --item D002:1 --request-no RX-9    # 6
cap 10:50 dispense --ref 6 --item D002:1                                              # 7
end
LC=$T/clean.db
ship "$LC" KC KW KP
expect 0 bulu reconcile --ledger "$LC" --out "$T/rclean" --his registrations="$DATA/clean-registrations.csv" \
	--his charges="$DATA/clean-charges.csv" --his orders="$DATA/clean-orders.csv" \
	--his dispenses="$DATA/clean-dispenses.csv" --his invoices="$DATA/clean-invoices.csv"
grep -q 'Net difference, HIS minus journals: 0.00 yuan' "$T/out" && ok || fail "the clean run prints its summary: $(tail -5 "$T/out")"
look "$T/rclean"
check "a clean outage: findings.csv has only its header ($(wc -l <"$T/F") findings)" [ ! -s "$T/F" ]
check "a clean outage: findings.csv is the header, BOM and CRLF" \
	[ "$(od -An -c "$T/rclean/findings.csv" | tr -d ' \n')" = "$(printf '\357\273\277class,kind,station,seq,line,his_id,patient_id,item_code,journal_value,his_value,diff_fen,dept,operator,explanation\r\n' | od -An -c | tr -d ' \n')" ]
check "a clean outage: 12 lines in states.csv ($(wc -l <"$T/S"))" [ "$(wc -l <"$T/S")" = 12 ]
bad=$(cut -d'|' -f7 "$T/S" | grep -cvxE 'MATCHED|VOIDED|NO_EXPORT')
check "a clean outage: every line MATCHED, VOIDED or NO_EXPORT ($bad not: $(cut -d'|' -f1-3,7 "$T/S" | grep -vE 'MATCHED|VOIDED|NO_EXPORT' | tr '\n' ' '))" [ "$bad" = 0 ]
state KC 8 1 VOIDED
state KC 6 0 NO_EXPORT
state KC 7 2 MATCHED CH2
check "BL-KC-7 (no line) on a two-line form takes the line of its item" \
	[ "$(awk -F'|' '$1 == "KC" && $2 == 7 && $3 == 2 { print $10 }' "$T/S" | grep -c 'reference')" = 1 ]
check "a clean outage: no worklist" [ -z "$(ls "$T/rclean/worklists" 2>/dev/null)" ]
# and when it was not clean before: the worklists of the earlier run are removed
mkdir -p "$T/rclean2" && cp -R "$T/r1.first/worklists" "$T/rclean2/"
expect 0 bulu reconcile --ledger "$LC" --quiet --out "$T/rclean2" --his registrations="$DATA/clean-registrations.csv" \
	--his charges="$DATA/clean-charges.csv" --his orders="$DATA/clean-orders.csv" \
	--his dispenses="$DATA/clean-dispenses.csv" --his invoices="$DATA/clean-invoices.csv"
check "a clean run removes the worklists left over" [ -z "$(ls "$T/rclean2/worklists" 2>/dev/null)" ]

# ---- 8. one patient with 3,000 identical lines costs about what 3,000 patients do
# Identical lines and rows pair in any order, so one patient's export cannot
# show a missing line and a duplicate row at once (N-1+1 rows pair all N):
# one row fewer gives the MISSING_IN_HIS, one row more the DUPLICATE_IN_HIS.
# The 3,000 patients' export has both.  Times: best of three runs each.
N=3000
BULU_NOW='2026-11-20 08:00'
export BULU_NOW BULU_OPERATOR=op
t_outage_station ONE || exit 1
awk -v n=$N 'BEGIN { print "form,kind,patient_id,item_code,qty"; for (i = 1; i <= n; i++) print "F" i ",charge,PONE,D001,1" }' >"$T/one.csv"
BULU_NOW='2026-11-20 09:00'
expect 0 bulu capture import "$T/one.csv"
BULU_NOW='2026-11-20 20:00'
expect 0 bulu outage end
BULU_NOW='2026-11-20 08:00'
t_outage_station MANY || exit 1
t_charge_forms $N "$T/many.csv"
BULU_NOW='2026-11-20 09:00'
expect 0 bulu capture import "$T/many.csv"
BULU_NOW='2026-11-20 20:00'
expect 0 bulu outage end
ship "$T/one.db" ONE
ship "$T/many.db" MANY
HDR='流水号,患者编号,姓名,项目编码,项目名称,数量,单价,金额,发生时间,录入时间,操作员,发票号,科室,备注'
# one patient: N-1 rows (one line missing), N+1 rows (one row twice)
awk -v n=$((N - 1)) -v h="$HDR" 'BEGIN { print h; for (i = 1; i <= n; i++)
	print "B" i ",PONE,,D001,,1,3.50,3.50,2026-11-20 09:00:00,2026-11-20 21:00:00,his01,,门诊收费," }' >"$T/one-missing.csv"
awk -v n=$((N + 1)) -v h="$HDR" 'BEGIN { print h; for (i = 1; i <= n; i++)
	print "B" i ",PONE,,D001,,1,3.50,3.50,2026-11-20 09:00:00,2026-11-20 21:00:00,his01,,门诊收费," }' >"$T/one-dup.csv"
# N patients: P17 missing, P42 twice
awk -v n=$N -v h="$HDR" 'BEGIN { print h; for (i = 1; i <= n; i++) if (i != 17)
	print "B" i ",P" i ",,D001,,1,3.50,3.50,2026-11-20 09:00:00,2026-11-20 21:00:00,his01,,门诊收费,";
	print "B0,P42,,D001,,1,3.50,3.50,2026-11-20 09:30:00,2026-11-20 21:00:00,his01,,门诊收费," }' >"$T/many-his.csv"
expect 1 bulu reconcile --ledger "$T/one.db" --quiet --his charges="$T/one-missing.csv" --out "$T/rone1"
look "$T/rone1"
check "one patient, one row fewer: exactly 1 finding, MISSING_IN_HIS ($(cut -d'|' -f1 "$T/F" | tr '\n' ' '))" \
	[ "$(cut -d'|' -f1 "$T/F")" = MISSING_IN_HIS ]
check "one patient: $((N - 1)) lines MATCHED" [ "$(grep -c '|MATCHED|' "$T/S")" = $((N - 1)) ]
expect 1 bulu reconcile --ledger "$T/one.db" --quiet --his charges="$T/one-dup.csv" --out "$T/rone2"
look "$T/rone2"
check "one patient, one row more: exactly 1 finding, DUPLICATE_IN_HIS ($(cut -d'|' -f1 "$T/F" | tr '\n' ' '))" \
	[ "$(cut -d'|' -f1 "$T/F")" = DUPLICATE_IN_HIS ]
expect 1 bulu reconcile --ledger "$T/many.db" --quiet --his charges="$T/many-his.csv" --out "$T/rmany"
look "$T/rmany"
check "$N patients: exactly MISSING_IN_HIS for P17 and DUPLICATE_IN_HIS for P42" \
	[ "$(cut -d'|' -f1,7 "$T/F" | tr '\n' ' ')" = "MISSING_IN_HIS|P17 DUPLICATE_IN_HIS|P42 " ]
# How long the one patient's lines take against the spread-out case is a
# figure, not a check (a busy machine would fail it): `make bench`, row B5b
# (BENCH_ONLY=B5 sh bench/run.sh build).

# ---- 11. two departments whose names make one file name get a worklist each
st DA cashier '内科/一' da1
expect 0 bulu invoice add-book --from 00020001 --to 00020010
start
cap 09:00 charge --patient P901 --name 甲一 --item D001:1 --invoice 00020001
st DB cashier '内科_一' db1
expect 0 bulu invoice add-book --from 00030001 --to 00030010
start
cap 09:05 charge --patient P902 --name 乙二 --item D002:1 --invoice 00030001
L2=$T/ledger-dept.db
ship "$L2" DA DB
head -1 "$CH" >"$T/ch-header.csv"
expect 1 bulu reconcile --ledger "$L2" --quiet --out "$T/rdept" --his charges="$T/ch-header.csv"
ls "$T/rdept/worklists" | LC_ALL=C sort >"$T/wls"
check "two worklists, the second with -2: $(tr '\n' ' ' <"$T/wls")" \
	[ "$(tr '\n' ' ' <"$T/wls")" = "内科_一-2.csv 内科_一-2.html 内科_一-2.txt 内科_一.csv 内科_一.html 内科_一.txt " ]
check "内科_一.csv holds 内科/一's line" grep -q 'BL-DA-' "$T/rdept/worklists/内科_一.csv"
check "内科_一-2.csv holds 内科_一's line" grep -q 'BL-DB-' "$T/rdept/worklists/内科_一-2.csv"
check "内科_一.csv holds one line" [ "$(grep -c 'BL-D' "$T/rdept/worklists/内科_一.csv")" = 1 ]
check "内科_一-2.csv holds one line" [ "$(grep -c 'BL-D' "$T/rdept/worklists/内科_一-2.csv")" = 1 ]

# ---- 5. bad input: exit 2, the file (and row, column) named, no patient, nothing written
tree "$T/r1" >"$T/r1.tree"
HDR='流水号,患者编号,姓名,项目编码,项目名称,数量,单价,金额,发生时间,录入时间,操作员,发票号,科室,备注'
GOOD='G1,P001,张一,D001,氯化钠,2,3.50,7.00,2026-11-20 09:00:00,2026-11-20 21:00:00,his01,,门诊收费,'
mkdir -p "$T/bad"
printf '%s\n%s\n%s\n' "$HDR" "$GOOD" 'X1,PSECRET9,秘密患者,D001,氯化钠,2,3.50,3.5O,2026-11-20 09:00:00,2026-11-20 21:00:00,his01,,门诊收费,' >"$T/bad/money.csv"
printf '%s\n%s\n%s\n' "$HDR" "$GOOD" 'X1,PSECRET9,秘密患者,D001,氯化钠,2,3.50,7.00,2026-11-31 09:00:00,2026-11-20 21:00:00,his01,,门诊收费,' >"$T/bad/date.csv"
printf '%s\n%s\n%s\n' "$HDR" "$GOOD" 'X1,PSECRET9,秘密患者,D001,氯化钠,两,3.50,7.00,2026-11-20 09:00:00,2026-11-20 21:00:00,his01,,门诊收费,' >"$T/bad/qty.csv"
printf '%s\n%s\n' '流水号,患者编号,姓名,项目名称,数量,单价,金额,发生时间,录入时间,操作员,发票号,科室,备注' \
	'X1,PSECRET9,秘密患者,氯化钠,2,3.50,7.00,2026-11-20 09:00:00,2026-11-20 21:00:00,his01,,门诊收费,' >"$T/bad/nocolumn.csv"
printf '%s\n%s\n%s\n' "$HDR" "$GOOD" 'X1,PSECRET9,"秘密患者,D001,氯化钠,2,3.50,7.00,2026-11-20 09:00:00,2026-11-20 21:00:00,his01,,门诊收费,' >"$T/bad/quote.csv"
printf '%s\n%s\n%s\n' "$HDR" "$GOOD" 'X1,PSECRET9,秘密"患者",D001,氯化钠,2,3.50,7.00,2026-11-20 09:00:00,2026-11-20 21:00:00,his01,,门诊收费,' >"$T/bad/innerquote.csv"
printf '%s\n%s\n%s\n' "$HDR" "$GOOD" 'X1,PSECRET9,秘密患者,D001,氯化钠,2,3.50,7.00,2026-11-20 09:00:00' >"$T/bad/short.csv"
: >"$T/bad/empty.csv"
printf '[profile]\nname = broken\n[charges]\npatient_id 患者编号\n' >"$T/bad/noequals.profile"
printf '[charges]\npatient_id = 患者编号\nitem_code = 项目编码\nqty = 数量\namount = 金额\nflavour = 甜\n' >"$T/bad/unknownkey.profile"
printf '[charges]\nmoney_unit = dollars\n' >"$T/bad/money.profile"
echo 'not a ledger' >"$T/bad/ledger.txt"
# bad NAME PATTERN ARGS...: reconcile with ARGS into an existing run's
# directory and into a new one: exit 2 both times, PATTERN (file, row,
# column) in the message, no patient in it, nothing written.
bad() {
	name=$1 pat=$2
	shift 2
	expect 2 bulu reconcile "$@" --out "$T/r1"
	grep -qE -- "$pat" "$T/err" && ok || fail "$name: the message does not say '$pat': $(cat "$T/err")"
	grep -qE 'PSECRET9|秘密患者|张一|P001' "$T/err" && fail "$name: the message shows a patient: $(cat "$T/err")" || ok
	[ "$(wc -l <"$T/err")" -le 3 ] && ok || fail "$name: more than 3 lines of message"
	[ ! -s "$T/out" ] && ok || fail "$name: something on stdout: $(head -3 "$T/out")"
	tree "$T/r1" | cmp -s - "$T/r1.tree" && ok || fail "$name: the previous run's files changed"
	expect 2 bulu reconcile "$@" --out "$T/never/out"
	[ ! -e "$T/never" ] && ok || fail "$name: the --out directory was created"
}
for f in money date qty; do
	case $f in money) col=8 ;; date) col=9 ;; qty) col=6 ;; esac
	bad "a bad $f cell" "$f\.csv:3:$col" --ledger "$L" --his charges="$T/bad/$f.csv"
done
bad "a missing required column" 'nocolumn\.csv' --ledger "$L" --his charges="$T/bad/nocolumn.csv"
grep -q 'item_code\|项目编码' "$T/err" && ok || fail "the missing column is named: $(cat "$T/err")"
bad "an unclosed quote" 'quote\.csv' --ledger "$L" --his charges="$T/bad/quote.csv"
bad "a quote inside a field" 'innerquote\.csv:3' --ledger "$L" --his charges="$T/bad/innerquote.csv"
bad "a short row" 'short\.csv:3' --ledger "$L" --his charges="$T/bad/short.csv"
bad "an empty file" 'empty\.csv' --ledger "$L" --his charges="$T/bad/empty.csv"
bad "a file that does not exist" 'no-such\.csv' --ledger "$L" --his charges="$T/bad/no-such.csv"
bad "a bad file among good ones" 'money\.csv:3:8' --ledger "$L" --his registrations="$RG" --his charges="$CH" \
	--his charges="$T/bad/money.csv" --his invoices="$IV"
bad "an unknown --his kind" 'refunds' --ledger "$L" --his refunds="$CH"
bad "--his without a file" 'his' --ledger "$L" --his charges
bad "a reversed --window" 'window' --ledger "$L" --his charges="$CH" --window '2026-11-20 20:00..2026-11-20 08:00'
bad "a --window that is no window" 'window' --ledger "$L" --his charges="$CH" --window 'yesterday..today'
bad "a bad --tolerance" 'tolerance' --ledger "$L" --his charges="$CH" --tolerance 2x
bad "a ledger that is a text file" 'ledger\.txt' --ledger "$T/bad/ledger.txt" --his charges="$CH"
bad "a station journal for a ledger" 'journal\.db' --ledger "$T/CASH/journal.db" --his charges="$CH"
bad "a ledger that does not exist" 'none\.db' --ledger "$T/bad/none.db" --his charges="$CH"
check "a ledger that does not exist is not created" [ ! -e "$T/bad/none.db" ]
# the exports are read while the ledger is opened: its error still comes first
bad "a ledger that does not exist and a bad export" 'none\.db' --ledger "$T/bad/none.db" --his charges="$T/bad/money.csv"
bad "a text file for a ledger and a bad export" 'ledger\.txt' --ledger "$T/bad/ledger.txt" --his charges="$T/bad/short.csv"
bad "a profile line without '='" 'noequals\.profile:4' --ledger "$L" --his charges="$CH" --profile "$T/bad/noequals.profile"
bad "a profile with an unknown key" 'unknownkey\.profile:6' --ledger "$L" --his charges="$CH" --profile "$T/bad/unknownkey.profile"
bad "a profile with a bad money unit" 'money\.profile:2' --ledger "$L" --his charges="$CH" --profile "$T/bad/money.profile"
bad "a profile file that does not exist" 'nothere\.profile' --ledger "$L" --his charges="$CH" --profile "$T/bad/nothere.profile"
bad "an unknown episode" 'OUT-19990101-0000' --ledger "$L" --his charges="$CH" --episode OUT-19990101-0000
expect 2 bulu reconcile --ledger "$L" --his charges="$CH"
expect 2 bulu reconcile --ledger "$L" --out "$T/never"
expect 2 bulu reconcile --his charges="$CH" --out "$T/never"
check "bad usage creates no --out directory" [ ! -e "$T/never" ]
expect 0 bulu reconcile --help
grep -q 'usage: bulu reconcile' "$T/out" && ok || fail "reconcile --help"
finish
