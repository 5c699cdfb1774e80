# hostile_cells.sh - what bulu writes for people stays harmless and true when
# the data is hostile or absurd:
#
#  - a cell a spreadsheet would run as a formula (=, +, -, @, tab, CR in
#    front) is written with a "'" in front, quoted, in findings.csv,
#    states.csv, the worklists and `journal show --format csv`; plain
#    numbers (-3.50, diff_fen -350) stay numbers (core/cmd.c, cli_csv_cell);
#  - amounts at the ends of int64 (a ledger line of -9223372036854775808 fen,
#    made with sqlite3 since capture refuses such a line) never come out
#    with their sign flipped: differences saturate at the int64 bounds with
#    the right sign (reconcile/recon.c, recon_sub), and so do the incident
#    report's sums of them (report/gather.c, money_add_sat).
. "$(dirname "$0")/../lib.sh"
TZ=Asia/Shanghai
export TZ
CAT=$(cd "$(dirname "$0")/../data" && pwd)/capture-catalog.csv
R=$T/roster.txt
C=$T/central
L=$T/ledger.db
HDR='流水号,患者编号,姓名,项目编码,项目名称,数量,单价,金额,发生时间,录入时间,操作员,发票号,科室,备注'

# One station, one outage, three one-line charges of D001 (3.50).
BULU_NOW='2026-11-20 07:00'
export BULU_NOW BULU_OPERATOR=cashier1
t_station ST1 cashier 门诊收费 || exit 1
expect 0 bulu catalog load "$CAT"
expect 0 bulu invoice add-book --from 00010001 --to 00010100
expect 0 bulu outage start --at '2026-11-20 08:00'
BULU_NOW='2026-11-20 09:00'
expect 0 bulu capture charge --patient P001 --name 甲 --item D001:1 --invoice 00010001
expect 0 bulu capture charge --patient '=1+1' --name '@SUM(A1)' --item D001:1 --invoice 00010002
expect 0 bulu capture charge --patient P003 --name 丙 --item D001:1 --invoice 00010003
BULU_NOW='2026-11-20 20:00'
expect 0 bulu outage end --at '2026-11-20 20:00'

# journal show --format csv: the patient "=1+1" inside the body's JSON cell
# is not at the cell's start, so nothing changes there; the CSV is still
# RFC 4180 (python's csv module reads it back).
expect 0 bulu journal show --format csv
grep_out '"=1+1"' "journal show keeps the body's text"
check_sh "journal show --format csv has no cell starting with =" \
	'python3 -c "import csv,sys; sys.exit(any(c and c[0] in \"=+-@\" and c not in (\"-\",) for r in csv.reader(open(sys.argv[1], newline=\"\")) for c in r))" "$T/out"'

expect 0 bulu central init --dir "$C"
bulu roster add --roster "$R" --from-station "$T/ST1" >/dev/null 2>&1 || fail "roster add"
expect 0 bulu sync export --dir "$T/ST1" --out "$T/usb" --seal-to "$C/central.pub"
expect 0 bulu sync import --ledger "$L" --roster "$R" --central "$C" "$T/usb"

# ---- formulas in the HIS export's cells
# seq 5 (P001) matched by reference from a row whose 流水号 is a formula;
# an extra row nobody captured, every text cell a formula; seq 7 (P003)
# typed with a wrong amount.
{
	echo "$HDR"
	echo '"=HYPERLINK(""http://x"",""y"")",P001,甲,D001,x,1,3.50,3.50,2026-11-20 09:00:00,2026-11-21 09:00:00,his01,,门诊收费,BL-ST1-5-1'
	echo '-2+3,P002,乙,D001,x,1,3.50,3.50,2026-11-20 09:00:00,2026-11-21 09:00:00,his01,,门诊收费,BL-ST1-6-1'
	echo '+cmd,@P9,"=x",D001,x,1,3.50,3.50,2026-11-20 10:00:00,2026-11-21 09:00:00,"-op",,门诊收费,'
	echo 'H7,P003,丙,D001,x,1,4.00,4.00,2026-11-20 09:00:00,2026-11-21 09:00:00,his01,,门诊收费,BL-ST1-7-1'
} >"$T/charges.csv"
expect 1 bulu reconcile --ledger "$L" --quiet --his charges="$T/charges.csv" --out "$T/r1"
F=$T/r1/findings.csv
check "findings.csv: the 流水号 formula neutralised" grep -q "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"" "$F"
check "findings.csv: +cmd neutralised" grep -q "\"'+cmd\"" "$F"
check "findings.csv: @P9 neutralised" grep -q "\"'@P9\"" "$F"
check "findings.csv: the journal's patient =1+1 neutralised" grep -q "\"'=1+1\"" "$F"
check "findings.csv: the operator -op neutralised" grep -q "\"'-op\"" "$F"
check "findings.csv: diff_fen 350 of the extra row a number" grep -q '^EXTRA_IN_HIS,.*,3.50,350,' "$F"
check_sh "findings.csv: diff_fen 50 (4.00 - 3.50) a number" 'grep -q "AMOUNT_MISMATCH,charges,ST1,7,1,H7,P003,D001,3.50,4.00,50," "$F"'
check "states.csv: a matched row's formula 流水号 neutralised" grep -q "\"'=HYPERLINK(" "$T/r1/states.csv"
check "states.csv: -2+3 neutralised" grep -q "\"'-2+3\"" "$T/r1/states.csv"
check_sh "a worklist neutralises the patient =1+1" 'grep -q "\"'"'"'=1+1\"" "$T/r1/worklists/"*.csv'
check_sh "no cell of any CSV written starts with = + - @ but a number or a dash" \
	'python3 - "$T/r1" <<"PY"
import csv, glob, re, sys
bad = []
for p in glob.glob(sys.argv[1] + "/**/*.csv", recursive=True):
    for r in csv.reader(open(p, encoding="utf-8-sig", newline="")):
        for c in r:
            if c and c[0] in "=+-@\t\r" and c != "-" and not re.fullmatch(r"[-+]?[0-9]+(\.[0-9]+)?", c):
                bad.append((p, c))
if bad: print(bad, file=sys.stderr)
sys.exit(bool(bad))
PY'

# ---- int64 extremes in the ledger
# A line of -9223372036854775808 fen: capture refuses it, so it is written
# straight into a copy of the ledger (its triggers dropped first).
cp "$L" "$T/big.db"
sqlite3 "$T/big.db" "DROP TRIGGER entries_no_update;
UPDATE entries SET body = replace(replace(body, '\"amount\":350', '\"amount\":-9223372036854775808'),
	'\"total\":350', '\"total\":-9223372036854775808') WHERE seq = 5;
UPDATE entries SET body = replace(replace(body, '\"amount\":350', '\"amount\":9223372036854775807'),
	'\"total\":350', '\"total\":9223372036854775807') WHERE seq = 7;" ||
	fail "sqlite3 could not make the crafted ledger"
check "the crafted ledger holds the extreme amounts" \
	[ "$(sqlite3 "$T/big.db" "SELECT count(*) FROM entries WHERE body LIKE '%922337203685477580%'")" = 2 ]
# seq 5 matched by reference to a row of 3.50: HIS minus journal is
# 3.50 + 92233720368547758.08, beyond int64: saturates, positive.
# seq 7 against a row of 4.00: 4.00 - 92233720368547758.07, negative.
# Missing from the HIS (an export of other lines only): diff is minus the
# line's amount: +92233720368547758.08 saturates positive.
expect 1 bulu reconcile --ledger "$T/big.db" --quiet --his charges="$T/charges.csv" --out "$T/r2"
F=$T/r2/findings.csv
check_sh "seq 5: AMOUNT_MISMATCH with a positive, saturated diff" \
	'grep -q "^AMOUNT_MISMATCH,charges,ST1,5,1,.*,-92233720368547758.08,3.50,9223372036854775807," "$F"'
check_sh "seq 7: AMOUNT_MISMATCH with a negative diff" \
	'grep -q "^AMOUNT_MISMATCH,charges,ST1,7,1,H7,P003,D001,92233720368547758.07,4.00,-9223372036854775407," "$F"'
# the summary's sums saturate too (in the findings' order), never wrap
check_sh "the summary's AMOUNT_MISMATCH net: the two diffs' sum, 4.00" \
	'grep -q "^  AMOUNT_MISMATCH  *2  *4.00$" "$T/r2/summary.txt"'
{
	echo "$HDR"
	echo 'H9,P009,丁,D001,x,1,3.50,3.50,2026-11-20 09:00:00,2026-11-21 09:00:00,his01,,门诊收费,'
} >"$T/other.csv"
expect 1 bulu reconcile --ledger "$T/big.db" --quiet --his charges="$T/other.csv" --out "$T/r3"
F=$T/r3/findings.csv
check_sh "seq 5 missing: diff is +int64 max, not the amount's own sign" \
	'grep -q "^MISSING_IN_HIS,charges,ST1,5,1,.*,9223372036854775807," "$F"'
check_sh "seq 6 missing: its negative amounts stay numbers, its patient neutralised" \
	'grep -q "^MISSING_IN_HIS,charges,ST1,6,1,,\"'"'"'=1+1\",D001,3.50,,-350," "$F"'
check_sh "seq 7 missing: diff -9223372036854775807" \
	'grep -q "^MISSING_IN_HIS,charges,ST1,7,1,.*,-9223372036854775807," "$F"'

# ---- the incident report's sums of int64 extremes
# Two lines of +int64 max fen in departments of their own (甲科, 乙科) and
# one of 3.50: the volumes' total, and the missing lines' sum (-max, -max,
# -3.50), saturate with their sign instead of wrapping round to 3.48 and
# -3.48.
cp "$L" "$T/big2.db"
sqlite3 "$T/big2.db" "DROP TRIGGER entries_no_update;
UPDATE entries SET body = replace(replace(replace(body, '\"amount\":350', '\"amount\":9223372036854775807'),
	'\"total\":350', '\"total\":9223372036854775807'), '\"dept\":\"门诊收费\"', '\"dept\":\"甲科\"') WHERE seq = 5;
UPDATE entries SET body = replace(replace(replace(body, '\"amount\":350', '\"amount\":9223372036854775807'),
	'\"total\":350', '\"total\":9223372036854775807'), '\"dept\":\"门诊收费\"', '\"dept\":\"乙科\"') WHERE seq = 7;" ||
	fail "sqlite3 could not make the second crafted ledger"
check "the second crafted ledger holds two lines of int64 max in two departments" \
	[ "$(sqlite3 "$T/big2.db" "SELECT count(*) FROM entries WHERE body LIKE '%9223372036854775807%' AND (body LIKE '%甲科%' OR body LIKE '%乙科%')")" = 2 ]
expect 1 bulu reconcile --ledger "$T/big2.db" --quiet --his charges="$T/other.csv" --out "$T/r4"
expect 0 bulu report incident --ledger "$T/big2.db" --reconcile "$T/r4" --out "$T/rep"
check_sh "report: the money captured saturates positive" \
	'grep -q "^金额 money (yuan): *92233720368547758.07$" "$T/rep/report.txt"'
check_sh "report: the volumes' total saturates positive" \
	'grep -q "^  total  .* 92233720368547758.07$" "$T/rep/report.txt"'
check_sh "report: the missing lines' sum saturates negative" \
	'grep -q "^  MISSING_IN_HIS .* -92233720368547758.08$" "$T/rep/report.txt"'
# (the extra row's +3.50 then moves the held bound: -92233720368547754.58)
check_sh "report: the findings' total stays negative, at the bound" \
	'grep -q "^  total  .* -922337203685477[0-9][0-9]\.[0-9][0-9]$" "$T/rep/report.txt"'
finish
