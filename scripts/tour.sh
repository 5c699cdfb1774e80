#!/bin/sh
# tour.sh BULU: a guided tour of every command: one outpatient cashier station and one ward station through a
# simulated HIS outage, end to end, in a temporary directory: provisioning
# (keys, catalog, invoice book), the breakpoint, captures of every kind, a
# bulk import of transcribed paper forms, a void, the cash-up, the restore
# notice and verification of both journals.
set -eu
# The hospital's time zone (a POSIX TZ string: no tzdata needed), so the
# times typed with --at and the HIS's times agree with the station clocks.
TZ=CST-8
export TZ
BULU=${1:-build/bulu}
BULU=$(cd "$(dirname "$BULU")" && pwd)/$(basename "$BULU")
W=$(mktemp -d "${TMPDIR:-/tmp}/bulu-demo.XXXXXX")
KEEP=${KEEP:-0}
[ "$KEEP" = 1 ] || trap 'rm -rf "$W"' EXIT
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() {
	printf '$ bulu'
	for a in "$@"; do case $a in *' '*) printf " '%s'" "$a" ;; *) printf ' %s' "$a" ;; esac; done
	printf '\n'
	"$BULU" "$@"
}

cat >"$W/catalog.csv" <<'CSV'
code,name,pinyin,unit,price,category,version
GH001,普通门诊挂号费,PTMZGHF,次,10.00,挂号,2026-11
Y0001,阿莫西林胶囊 0.25g*24粒,AMXLJN,盒,18.50,西药,2026-11
Y0002,"0.9%氯化钠注射液 250ml",LHNZSY,瓶,4.20,西药,2026-11
Y0003,"维生素C片,100mg",WSSCP,瓶,"1,234.50",西药,2026-11
J0001,血常规,XCG,次,25.00,检验,2026-11
J0002,胸部正位片 (DR),XBZWP,次,80.00,检查,2026-11
CSV

step "Before the outage: IT provisions the stations"
export BULU_HOME="$W/OPD1"
run station init --station OPD1 --dept 门诊收费 --role cashier
run catalog load "$W/catalog.csv"
run invoice add-book --from 00120001 --to 00120100
BULU_HOME="$W/WARD3" run station init --station WARD3 --dept 内科三病区 --role ward >/dev/null
BULU_HOME="$W/WARD3" run catalog load "$W/catalog.csv" >/dev/null

step "08:30 the HIS is down: IT announces the unified start time"
export BULU_NOW="2026-11-21T08:31:00+08:00"
run outage start --at "2026-11-21 08:30" --operator 信息科王工
BULU_HOME="$W/WARD3" run outage start --at "2026-11-21 08:30" --operator 信息科王工

step "The cashier's window"
export BULU_OPERATOR=张丽
run catalog find amx
run capture registration --patient 0012345 --name 李明 --dept 内科 --doctor 赵医生 --fee 10.00 --pay cash
run capture registration --patient 0099001 --name 新患者 --dept 儿科 --new-card --card 0099001 --fee 10.00 --pay wechat
run capture charge --patient 0012345 --name 李明 --item Y0001:2 --item J0001:1 --pay cash
run capture charge --patient 0099001 --item Y0002:3 --item J0002:1 --pay wechat
run capture invoice-void --invoice 00120005 --reason "打印错位"
run capture void --entry BL-OPD1-8 --reason "患者退费"

step "Paper forms written while the station was busy, typed in afterwards"
cat >"$W/forms.csv" <<'CSV'
form,kind,operator,patient_id,patient_name,dept,doctor,item_code,qty,unit_price,invoice_no,pay_method,fee_type,occurred_at,ref_form,note
P1,charge,张丽,0012777,王芳,内科,赵医生,Y0001,1,,,cash,自费,2026-11-21 09:05,,
P1,charge,张丽,0012777,王芳,内科,赵医生,J0001,1,,,cash,自费,2026-11-21 09:05,,
P2,charge,张丽,0013001,"刘,强",外科,钱医生,Y0003,1,,,alipay,医保,2026-11-21 09:12,,"手写单,已核对"
CSV
run capture import "$W/forms.csv"

step "The ward: a drug requisition in two copies, and the pharmacy's dispense"
export BULU_HOME="$W/WARD3" BULU_OPERATOR=护士陈静
run capture requisition --patient ZY20260088 --name 周建国 --fee-type 医保 --item Y0002:6 --item Y0001:1
run capture dispense --ref 4 --patient ZY20260088 --item Y0002:6 --item Y0001:1 --operator 药师孙伟

step "End of shift: the cashier's cash-up (轧账)"
export BULU_HOME="$W/OPD1"
run capture summary --operator 张丽

step "11:10 the HIS is back: the restore notice"
export BULU_NOW="2026-11-21T11:10:00+08:00"
run outage end --operator 信息科王工
BULU_HOME="$W/WARD3" run outage end --operator 信息科王工 >/dev/null
run invoice list

step "Anyone can check the journals"
run journal verify
BULU_HOME="$W/WARD3" run journal verify
run journal show --kind charge --format table

step "The central office: its key, and the stations it trusts"
unset BULU_HOME
run central init --dir "$W/central"
run roster add --roster "$W/roster.txt" --from-station "$W/OPD1"
run roster add --roster "$W/roster.txt" --from-station "$W/WARD3"

step "Each station's journal onto the USB stick, sealed to the central key"
run sync export --dir "$W/OPD1" --out "$W/usb" --seal-to "$W/central/central.pub"
run sync export --dir "$W/WARD3" --out "$W/usb" --seal-to "$W/central/central.pub"
ls -l "$W/usb"

step "At the central office: verified and merged, in any order, as often as the stick comes"
run sync import --ledger "$W/ledger.db" --roster "$W/roster.txt" --central "$W/central" "$W/usb"
run sync import --ledger "$W/ledger.db" --roster "$W/roster.txt" --central "$W/central" "$W/usb"
run sync status --ledger "$W/ledger.db"

printf '\nThe stations, the stick and the ledger are in %s%s.\n' "$W" "$([ "$KEEP" = 1 ] && echo '' || echo ' (removed on exit; KEEP=1 keeps them)')"
step "12:00 the HIS is back; the cashiers have back-filled part of the morning"
# What the HIS exports after an imperfect back-fill: a charge line not typed
# in yet, one typed twice, a registration fee mistyped, an invoice not in the
# register, and a ward order that differs from the requisition.
cat >"$W/his-charges.csv" <<'CSV'
流水号,患者编号,姓名,项目编码,项目名称,数量,单价,金额,发生时间,录入时间,操作员,发票号,科室,备注
H1001,0012345,李明,Y0001,阿莫西林胶囊 0.25g*24粒,2,18.50,37.00,2026-11-21 08:40:00,2026-11-21 11:30:00,张丽,00120003,门诊收费,补录 BL-OPD1-7-1
H1002,0012345,李明,J0001,血常规,1,25.00,25.00,2026-11-21 08:40:00,2026-11-21 11:30:00,张丽,00120003,门诊收费,补录 BL-OPD1-7-2
H1003,0012777,王芳,Y0001,阿莫西林胶囊 0.25g*24粒,1,18.50,18.50,2026-11-21 09:05:00,2026-11-21 11:35:00,张丽,00120006,内科,
H1004,0012777,王芳,J0001,血常规,1,25.00,25.00,2026-11-21 09:05:00,2026-11-21 11:35:00,张丽,00120006,内科,
H1005,0012777,王芳,J0001,血常规,1,25.00,25.00,2026-11-21 09:05:00,2026-11-21 11:36:00,张丽,00120006,内科,
CSV
cat >"$W/his-registrations.csv" <<'CSV'
流水号,患者编号,姓名,性别,科室,医生,挂号费,发生时间,录入时间,操作员,发票号,备注
R2001,0012345,李明,男,内科,赵医生,10.00,2026-11-21 08:35:00,2026-11-21 11:20:00,张丽,00120001,BL-OPD1-5
R2002,0099001,新患者,女,儿科,,1.00,2026-11-21 08:38:00,2026-11-21 11:21:00,张丽,00120002,
CSV
cat >"$W/his-orders.csv" <<'CSV'
流水号,患者编号,姓名,项目编码,项目名称,数量,发生时间,录入时间,操作员,科室,备注
O3001,ZY20260088,周建国,Y0002,0.9%氯化钠注射液 250ml,5,2026-11-21 09:30:00,2026-11-21 14:00:00,护士陈静,内科三病区,
O3002,ZY20260088,周建国,Y0001,阿莫西林胶囊 0.25g*24粒,1,2026-11-21 09:30:00,2026-11-21 14:00:00,护士陈静,内科三病区,
CSV
cat >"$W/his-invoices.csv" <<'CSV'
发票号,状态,金额,操作员,发生时间
00120001,正常,10.00,张丽,2026-11-21 08:35:00
00120002,正常,10.00,张丽,2026-11-21 08:38:00
00120003,正常,62.00,张丽,2026-11-21 08:40:00
00120004,作废,92.60,张丽,2026-11-21 08:50:00
00120005,作废,0.00,张丽,2026-11-21 08:55:00
00120006,正常,43.50,张丽,2026-11-21 09:05:00
CSV

step "Finance reconciles the ledger against the HIS exports"
st=0
run reconcile --ledger "$W/ledger.db" --his charges="$W/his-charges.csv" \
	--his registrations="$W/his-registrations.csv" --his orders="$W/his-orders.csv" \
	--his invoices="$W/his-invoices.csv" --out "$W/对账" || st=$?
[ "$st" -le 1 ] || exit "$st"
printf '\n$ cat 对账/findings.csv\n'
cat "$W/对账/findings.csv"
for f in "$W/对账/worklists/"*.txt; do
	printf '\n$ cat 对账/worklists/%s\n' "$(basename "$f")"
	cat "$f"
done
printf '\nBack-fill what the worklists say, export the HIS again, reconcile again: it exits 0 when nothing is left.\n'
