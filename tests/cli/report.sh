#!/bin/sh
# report.sh - `bulu report incident` (docs/outage.md, "The incident report").
#
# A declared outage at three stations (one started undeclared and joined),
# carried to a ledger and reconciled against an HIS export with gaps; then
# the report.  Shown: report.txt names the outage, cause, levels, due date
# and the undeclared station; its numbers equal the ledger's (counted with
# sqlite3); the back-fill latency per kind (mean, median) in txt, html and
# xlsx equals what this script counts from states.csv's his_entered_at,
# and the progress chart steps once per HIS entry time; report.html opens in headless Chromium with no console error and
# no request but its own file, four SVG charts, and a screenshot kept as
# BUILD/tests/report-incident.png; report.xlsx read back with openpyxl has
# the five sheets, the same numbers as the ledger and report.txt, patient
# ids and invoice numbers as text with their leading zeros, money in yuan;
# bad inputs exit 2 and write nothing.
. "$(dirname "$0")/../lib.sh"
TZ=Asia/Shanghai
export TZ
CAT=$(cd "$(dirname "$0")/../data" && pwd)/capture-catalog.csv
TOOLDIR=$(cd "$(dirname "$0")/../tools" && pwd)
SHOTS=$(dirname "$BULU")/tests
PY=/usr/bin/python3
C=$T/central
R=$T/roster.txt
L=$T/ledger.db
BULU_OPERATOR=张收款
export BULU_OPERATOR
now() { BULU_NOW="$1"; export BULU_NOW; }

now '2026-11-20 07:00'
expect 0 bulu central init --dir "$C"
expect 0 bulu outage declare --central "$C" --cause network --at '2026-11-20 08:00' --level IV --out "$T/n1.notice"
for s in OPD1 OPD2; do
	BULU_HOME=$T/$s
	export BULU_HOME
	expect 0 bulu station init --station $s --dept 门诊收费 --role cashier --central-pubkey "$C/central-sign.pub"
	expect 0 bulu catalog load "$CAT"
done
expect 0 bulu invoice add-book --from 0001 --to 0100
BULU_HOME=$T/OPD1
expect 0 bulu invoice add-book --from 0201 --to 0300
t_station PHAR pharmacy 药房 || exit 1
expect 0 bulu catalog load "$CAT"
expect 0 bulu station trust-central --pubkey "$C/central-sign.pub"
now '2026-11-20 07:40'
expect 0 bulu outage start --at '2026-11-20 07:40'                 # undeclared
now '2026-11-20 07:45'
expect 0 bulu capture prescription --patient 0099001 --item D001:1 --at "$BULU_NOW" --operator 药师甲
now '2026-11-20 08:05'
for s in OPD1 OPD2 PHAR; do
	BULU_HOME=$T/$s
	expect 0 bulu outage start --notice "$T/n1.notice"
done
# captures: patient ids and invoice numbers with leading zeros
i=0
for h in 08 09 10 11; do
	for s in OPD1 OPD2; do
		BULU_HOME=$T/$s
		i=$((i + 1))
		now "2026-11-20 $h:1$i"
		expect 0 bulu capture charge --patient "00123$i" --item D001:2 --item D002:1 --at "$BULU_NOW"
	done
done
BULU_HOME=$T/PHAR
now '2026-11-20 10:30'
expect 0 bulu capture prescription --patient 0099002 --item D003:2 --at "$BULU_NOW" --operator 药师甲
now '2026-11-20 11:00'
expect 0 bulu outage declare --central "$C" --outage OUT-20261120-0800 --level III --at '2026-11-20 11:00' --out "$T/n2.notice"
expect 0 bulu outage declare --central "$C" --outage OUT-20261120-0800 --restore --at '2026-11-20 12:30' --out "$T/n3.notice"
now '2026-11-20 12:35'
for s in OPD1 OPD2 PHAR; do
	BULU_HOME=$T/$s
	expect 0 bulu outage apply --notice "$T/n2.notice"
	expect 0 bulu outage end --notice "$T/n3.notice"
	bulu roster add --roster "$R" --from-station "$T/$s" >/dev/null 2>&1
	mkdir -p "$T/usb"
	expect 0 bulu sync export --out "$T/usb" --seal-to "$C/central.pub"
done
expect 0 bulu sync import --ledger "$L" --roster "$R" --central "$C" "$T/usb"

# the HIS: the first charge back-filled, the rest not yet
cat >"$T/charges.csv" <<'EOF'
流水号,患者编号,姓名,项目编码,项目名称,数量,单价,金额,发生时间,录入时间,操作员,发票号,科室,备注
H1,001231,,D001,x,2,3.50,7.00,2026-11-20 08:11:00,2026-11-20 13:00:00,his01,0201,门诊收费,BL-OPD1-5-1
H2,001231,,D002,x,1,12.00,12.00,2026-11-20 08:11:00,2026-11-20 13:00:00,his01,0201,门诊收费,BL-OPD1-5-2
EOF
# OPD2's four charges back-filled 10 min, 1 h, 2.5 h and (late) a day after
# the restore, taken from the ledger
set -- '2026-11-20 12:40:00' '2026-11-20 13:30:00' '2026-11-20 15:00:00' '2026-11-21 10:00:00'
sqlite3 -separator ' ' "$L" "SELECT seq, body->>'patient_id', body->>'invoice_no', substr(recorded_at, 1, 10) || ' ' ||
	substr(recorded_at, 12, 8) FROM entries WHERE station = 'OPD2' AND kind = 'charge' ORDER BY seq" >"$T/opd2"
check "OPD2 has four charges in the ledger" [ "$(wc -l <"$T/opd2")" = 4 ]
while read -r q pid inv d t; do
	printf 'H%s1,%s,,D001,x,2,3.50,7.00,%s %s,%s,his02,%s,门诊收费,BL-OPD2-%s-1\n' "$q" "$pid" "$d" "$t" "$1" "$inv" "$q"
	printf 'H%s2,%s,,D002,x,1,12.80,12.80,%s %s,%s,his02,%s,门诊收费,BL-OPD2-%s-2\n' "$q" "$pid" "$d" "$t" "$1" "$inv" "$q"
	shift
done <"$T/opd2" >>"$T/charges.csv"
cat >"$T/invoices.csv" <<'EOF'
发票号,状态,金额,操作员,发生时间
0201,正常,19.00,his01,2026-11-20 08:11:00
EOF
st=0
bulu reconcile --ledger "$L" --quiet --his charges="$T/charges.csv" --his invoices="$T/invoices.csv" --out "$T/recon" >"$T/out" 2>"$T/err" || st=$?
check "reconcile ran, with findings" [ "$st" = 1 ]
check "reconcile's summary names the station that started undeclared, and when" \
	grep -q '^Episode OUT-20261120-0740: 2026-11-20 07:40:00 .*; started undeclared (未经宣布) at PHAR, joined OUT-20261120-0800$' "$T/recon/summary.txt"
check "a finding names a patient with a leading zero" grep -q ',00123[0-9]' "$T/recon/findings.csv"

# ---- the report
expect 0 bulu report incident --ledger "$L" --reconcile "$T/recon" --out "$T/rep"
check "it prints where the report is" grep -q "$T/rep/report.html" "$T/out"
TXT=$T/rep/report.txt
v() { sed -n "s/^$1 *//p" "$TXT" | head -1; }
check "txt: the outage id" [ "$(v '故障编号 outage id:')" = OUT-20261120-0800 ]
check "txt: the cause, Chinese first" [ "$(v '故障原因 cause:')" = '网络/光纤故障 network' ]
check "txt: declared" grep -q '^宣布 declared: *是 yes' "$TXT"
check "txt: start and restore" [ "$(v '统一启动时间 start:')|$(v '恢复运行 restore:')" = '2026-11-20T08:00:00+08:00|2026-11-20T12:30:00+08:00' ]
check "txt: 4.5 h, level III declared, III by duration" \
	[ "$(v '持续时间 duration:')|$(v '事件级别 level:')" = '4.50 h|III declared (宣布), III by duration (按时长)' ]
check "txt: due two days after the restore" [ "$(v '报告期限 report due:')" = '2026-11-22 (恢复后2天内)' ]
check "txt: the station that started undeclared, and when" \
	grep -q '^  PHAR  *started 2026-11-20T07:40:00+08:00 (episode OUT-20261120-0740), joined ' "$TXT"
check "txt: the notices in the timeline" grep -q '恢复运行通知 notice #3 restore' "$TXT"
check "txt: each sync in the timeline" [ "$(grep -c 'sync (同步)' "$TXT")" = 3 ]
check "txt: the sign-off block" grep -q '^  医务科 medical affairs' "$TXT"
EPS="('OUT-20261120-0800','OUT-20261120-0740')"
CAPS="('registration','card_issue','charge','prescription','order','requisition','dispense','exam','invoice_void','void')"
N=$(sqlite3 "$L" "SELECT count(*) FROM entries WHERE episode IN $EPS AND kind IN $CAPS")
P=$(sqlite3 "$L" "SELECT count(DISTINCT body->>'patient_id') FROM entries WHERE episode IN $EPS AND kind IN $CAPS")
Y=$(sqlite3 "$L" "SELECT printf('%.2f', sum(body->>'total') / 100.0) FROM entries WHERE episode IN $EPS AND kind = 'charge'")
check "txt: entries = the ledger's ($N)" [ "$(v '录入 entries:')" = "$N" ]
check "txt: patients = the ledger's ($P)" [ "$(v '患者 patients:')" = "$P" ]
check "txt: money = the ledger's ($Y)" [ "$(v '金额 money (yuan):')" = "$Y" ]
NF=$(($(wc -l <"$T/recon/findings.csv") - 1))
check "txt: unresolved = reconcile's findings ($NF)" grep -q "^未解决 unresolved: $NF findings" "$TXT"

# back-fill over time and its latency per kind, from states.csv's
# his_entered_at, counted here from the file
"$PY" - "$T/recon/states.csv" '2026-11-20 12:30:00' >"$T/lat" <<'EOF'
import csv, sys, statistics
from datetime import datetime
f = "%Y-%m-%d %H:%M:%S"
r0 = datetime.strptime(sys.argv[2], f)
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8-sig", newline="")))
by = {}
for r in rows:
    if r["his_entered_at"]:
        by.setdefault(r["kind"], []).append((datetime.strptime(r["his_entered_at"], f) - r0).total_seconds() / 60)
print("N %d %d" % (sum(len(v) for v in by.values()), len(rows)))
for k in sorted(by):
    print("K %s %.1f %.1f %d" % (k, statistics.mean(by[k]), statistics.median(by[k]), len(by[k])))
EOF
check "states.csv: ten charge lines back-filled" grep -q '^K charge 308.0 60.0 10$' "$T/lat"
BF=$(sed -n 's/^N //p' "$T/lat")
grep '^K ' "$T/lat" >"$T/latk"
while read -r _ k mean med n; do
	check "txt: $k's latency is states.csv's (mean $mean, median $med min, $n lines)" \
		grep -q "^    $k  *mean $mean median $med ($n)\$" "$TXT"
	check "html: $k's latency is states.csv's" \
		grep -q "<tr class=\"lat\"><td>$k</td><td class=\"n\">$n</td><td class=\"n\">$mean</td><td class=\"n\">$med</td></tr>" "$T/rep/report.html"
done <"$T/latk"
check "html: the progress chart counts the lines back-filled (${BF% *} of ${BF#* })" \
	grep -q "已补录 back-filled: ${BF% *} / ${BF#* }<" "$T/rep/report.html"
check "html: the progress chart's line steps once per entry time (5, and its two ends)" \
	[ "$(grep -o '<polyline class="progress"[^>]*' "$T/rep/report.html" | grep -o '[0-9.]*,[0-9.]*' | wc -l)" = 7 ]
check_sh "html: the deadlines marked on the progress chart" \
	'[ "$(grep -c "<line class=\"deadline\"" "$T/rep/report.html")" -ge 1 ] && grep -q "重要数据时限 important-data deadline" "$T/rep/report.html"'

# ---- the HTML in a real browser
if "$PY" "$TOOLDIR/report_browser.py" "$T/rep/report.html" "$T/shot.png" >"$T/browser.json" 2>"$T/err"; then
	ok
	mkdir -p "$SHOTS" && cp "$T/shot.png" "$SHOTS/report-incident.png"
	j() { "$PY" -c "import json,sys; d=json.load(open('$T/browser.json')); print($1)"; }
	check "html: no console error or warning" [ "$(j 'len(d["console"])')" = 0 ]
	check "html: no request but its own file" [ "$(j '",".join(d["requests"])')" = "file://$T/rep/report.html" ]
	check "html: four SVG charts" [ "$(j 'd["svgs"]')" = 4 ]
	check "html: the title names the outage" [ "$(j 'd["title"]')" = '故障报告 OUT-20261120-0800' ]
	check "html: a screenshot was taken" test -s "$SHOTS/report-incident.png"
else
	fail "the report did not open in headless chromium"
fi
check "html: nothing external referenced" sh -c "! grep -E -q '(src|href)=\"(https?:)?//' '$T/rep/report.html'"
check "html: a print stylesheet" grep -q '@media print' "$T/rep/report.html"

# ---- the workbook, read back
"$PY" - "$T/rep/report.xlsx" "$N" "$P" "$Y" "$NF" "$TXT" "$T/lat" >"$T/py" 2>&1 <<'EOF' && ok || fail "report.xlsx: $(cat "$T/py")"
import sys, re, openpyxl
path, n, p, y, nf, txt = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), sys.argv[6]
wb = openpyxl.load_workbook(path)
assert wb.sheetnames == ["summary", "timeline", "volumes", "findings", "KPIs"], wb.sheetnames
s = {r[0]: r[1] for r in wb["summary"].iter_rows(values_only=True) if r and r[0]}
assert s["录入 entries"] == n, (s["录入 entries"], n)
assert s["患者 patients"] == p, s["患者 patients"]
assert "%.2f" % s["金额 money"] == y, (s["金额 money"], y)
assert s["未解决 unresolved findings"] == nf
t = open(txt, encoding="utf-8").read()
assert ("录入 entries:              %d" % n) in t
assert s["故障编号 outage id"] == "OUT-20261120-0800"
money_fmt = [r[1].number_format for r in wb["summary"].iter_rows() if r[0].value == "金额 money"][0]
assert "¥" in money_fmt, money_fmt
# volumes: the total row equals the ledger, the rows add up to it
vol = list(wb["volumes"].iter_rows(min_row=2, values_only=True))
assert vol[-1][0] == "合计 total" and vol[-1][3] == n
assert sum(r[3] for r in vol[:-1]) == n
# findings: ids and invoice numbers as text, leading zeros kept
f = list(wb["findings"].iter_rows(min_row=2, values_only=True))
assert len(f) == nf, (len(f), nf)
pids = [r[8] for r in f if r[8]]
assert pids and all(isinstance(v, str) for v in pids), pids
assert any(v.startswith("00") for v in pids), pids
inv = [r[10] for r in f if r[0] == "MISSING_IN_HIS" and r[2] == "invoices"]
assert inv and all(isinstance(v, str) and v.startswith("0") for v in inv), inv
cell = wb["findings"].cell(row=2, column=9)
assert cell.data_type == "s", cell.data_type
# KPIs: one outage in the ledger, its entries as in the summary
k = list(wb["KPIs"].iter_rows(values_only=True))
assert k[0][1] == 1, k[0]
row = [r for r in k if r[0] == "OUT-20261120-0800"]
assert row and row[0][5] == n, row
h = [i for i, r in enumerate(k) if r[0] == "补录时长 back-fill latency, kind"]
assert h, "no latency table in KPIs"
lat = {}
for r in k[h[0] + 1:]:
    if not r[0]:
        break
    lat[r[0]] = r[1:4]
for l in open(sys.argv[7]):
    if l.startswith("K "):
        _, kind, mean, med, cnt = l.split()
        got = lat.get(kind)
        assert got and got[0] == int(cnt) and "%.1f" % got[1] == mean and "%.1f" % got[2] == med, (kind, got, l)
print("ok")
EOF

# the report of an outage given by id is the same; bad inputs
expect 0 bulu report incident --ledger "$L" --reconcile "$T/recon" --episode OUT-20261120-0800 --out "$T/rep2"
check "the same report by id" cmp -s "$T/rep/report.txt" "$T/rep2/report.txt"
expect 2 bulu report incident --ledger "$L" --episode OUT-20261120-0740 --out "$T/rep3"
check "a joined undeclared episode is reported with its outage" grep -q 'reported with it' "$T/err"
check "nothing written" test ! -e "$T/rep3"
expect 2 bulu report incident --ledger "$T/none.db" --out "$T/rep4"
expect 2 bulu report incident --ledger "$L"
expect 0 bulu report incident --help

# a live drill (an unannounced cut on live patients) is a real episode,
# flagged as a drill in the report
now '2026-11-25 09:00'
BULU_HOME=$T/OPD1
expect 0 bulu outage start --live-drill --at '2026-11-25 09:00'
now '2026-11-25 09:10'
expect 0 bulu capture charge --patient 0077001 --item D001:1 --at "$BULU_NOW"
check "a live drill takes real invoice numbers" \
	[ "$(sqlite3 "$BULU_HOME/journal.db" "SELECT body->>'invoice_no' FROM entries WHERE kind = 'charge' ORDER BY seq DESC LIMIT 1")" = 0205 ]
now '2026-11-25 09:40'
expect 0 bulu outage end --at '2026-11-25 09:40'
rm -rf "$T/usb" && mkdir -p "$T/usb"
expect 0 bulu sync export --out "$T/usb" --seal-to "$C/central.pub"
expect 0 bulu sync import --ledger "$L" --roster "$R" --central "$C" "$T/usb"
check "the live drill's entries are real ones" \
	[ "$(sqlite3 "$L" "SELECT count(*) FROM entries WHERE episode = 'OUT-20261125-0900'")" -gt 0 ]
expect 0 bulu report incident --ledger "$L" --out "$T/live"
check "the latest outage is reported by default" grep -q '^故障编号 outage id: *OUT-20261125-0900' "$T/live/report.txt"
check "shown as a live drill" grep -q '^性质 kind: *实战演练 live drill' "$T/live/report.txt"
check "the trend holds both outages" [ "$(grep -c '^    OUT-2026112' "$T/live/report.txt")" = 2 ]
check "no reconcile: said so" grep -q 'no reconcile given' "$T/live/report.txt"
# the share late per outage: the reconcile's lines are all of the first
# outage (its joined undeclared episode's too); the live drill has none
LS=$("$PY" -c "
import csv, sys
s = [r['state'] for r in csv.DictReader(open(sys.argv[1], encoding='utf-8-sig', newline=''))]
late, m = s.count('LATE_BACKFILL'), s.count('MATCHED')
print('%.1f%%' % (100.0 * late / (late + m)))" "$T/recon/states.csv")
expect 0 bulu report incident --ledger "$L" --reconcile "$T/recon" --out "$T/live2"
check "txt: the first outage's share late in the trend is states.csv's ($LS)" \
	grep -q "^    OUT-20261120-0800 .* $LS\$" "$T/live2/report.txt"
check "txt: the live drill, not reconciled, has no share late" grep -q '^    OUT-20261125-0900 .* - live drill$' "$T/live2/report.txt"
check "html: the first outage's share late in the trend" grep -q "<td class=\"n\">$LS</td></tr>" "$T/live2/report.html"
check "xlsx: the share late per outage in the KPIs' trend" "$PY" -c "
import openpyxl, sys
k = {r[0]: r for r in openpyxl.load_workbook(sys.argv[1])['KPIs'].iter_rows(values_only=True) if r and r[0]}
a, b = k['OUT-20261120-0800'], k['OUT-20261125-0900']
assert '%.1f%%' % (100 * a[8]) == sys.argv[2] and b[8] is None, (a, b)" "$T/live2/report.xlsx" "$LS"
finish
