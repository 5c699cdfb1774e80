#!/bin/sh
# gen.sh: writes the input files of the benchmarks, so every run measures
# the same work.
#
#   sh bench/gen.sh catalog FILE    a small price catalog (CSV for `bulu catalog load`)
#   sh bench/gen.sh forms N FILE [FIRST]
#                                   N one-line charge forms for `bulu capture import`
#                                   (B1, B3): distinct form ids (from F<FIRST>, default
#                                   1), one catalog item, one operator, 1,000 patient
#                                   ids, cash or WeChat; invoice_no and unit_price
#                                   empty, so the station prices from its catalog and
#                                   numbers from its book.
#
# For B4 and B5 (reconcile; the ledgers are made by bench/ledger.sh):
#
#   sh bench/gen.sh his-catalog FILE
#                                   the 12-item catalog of the reconcile benchmarks, with
#                                   awkward names (commas, quotes, brackets) so that CSV
#                                   quoting is exercised on both sides
#   sh bench/gen.sh charges N LINES PATIENTS FILE [FIRST [uniform]]
#                                   N charge forms of LINES lines each (rows sharing a
#                                   `form` value) for `bulu capture import`: patient ids
#                                   P000001.. spread over PATIENTS, items and quantities
#                                   varying by line, occurred_at spread over 2026-11-20
#                                   08:00-20:00 (local time).  With "uniform", every line
#                                   is Y0001 x 1 at 12:00:00 (B5's one-patient and
#                                   spread-out cases: only the patient differs).
#   sh bench/gen.sh his LINES.tsv ROWS DEPTS FILE [plain]
#                                   a HIS charges export (default profile headers,
#                                   UTF-8 with BOM) of exactly ROWS data rows, from the
#                                   journal lines dumped by bench/ledger.sh (LINES.tsv)
#                                   and the outage departments (DEPTS, one per line);
#                                   see docs/benchmarks.md, "B4" for what it holds.  With
#                                   "plain": one row per journal line, no reference, no
#                                   discrepancy, no other traffic, no invoice number.
#   sh bench/gen.sh ledger-lines LINES.tsv FILE
#                                   the journal lines as CSV for the peers of B4
#                                   (station,seq,line,ref,患者编号,项目编码,数量,金额),
#                                   money in yuan as the HIS writes it
#
# The stations and bundles of B3 are made by bench/spool.sh.
set -eu
LC_ALL=C.UTF-8
export LC_ALL

usage() {
	echo "usage: gen.sh catalog FILE | gen.sh forms N FILE [FIRST] | gen.sh his-catalog FILE" >&2
	echo "       gen.sh charges N LINES PATIENTS FILE [FIRST [uniform]]" >&2
	echo "       gen.sh his LINES.tsv ROWS DEPTS FILE [plain] | gen.sh ledger-lines LINES.tsv FILE" >&2
	exit 2
}

# The reconcile benchmarks' items: code, name, price in fen (tab-separated).
# Names with commas and quotes make CSV quoting matter.  WRONG maps each
# code to the one a "wrong item" discrepancy writes instead.
ITEMS='GH001	普通门诊挂号费	1000
Y0001	阿莫西林胶囊 0.25g*24粒	1850
Y0002	0.9%氯化钠注射液, 250ml	420
Y0003	"精蛋白"锌胰岛素注射液 10ml:400单位	6130
Y0004	头孢克肟分散片 100mg*6片	3280
Y0005	5%葡萄糖注射液 500ml	560
J0001	血常规	2500
J0002	胸部正位片 (DR)	8000
J0003	肝功能, 十一项 ("套餐")	12000
Z0001	静脉输液 (第一组)	800
Z0002	肌肉注射	350
C0001	一次性输液器 "双翼", 7#	280'

[ $# -ge 2 ] || usage
case $1 in
catalog)
	cat >"$2" <<'CSV'
code,name,pinyin,unit,price,category,version
GH001,普通门诊挂号费,PTMZGHF,次,10.00,挂号,BENCH
Y0001,阿莫西林胶囊 0.25g*24粒,AMXLJN,盒,18.50,西药,BENCH
Y0002,0.9%氯化钠注射液 250ml,LHNZSY,瓶,4.20,西药,BENCH
J0001,血常规,XCG,次,25.00,检验,BENCH
J0002,胸部正位片 (DR),XBZWP,次,80.00,检查,BENCH
CSV
	;;
forms)
	[ $# -eq 3 ] || [ $# -eq 4 ] || usage
	awk -v n="$2" -v first="${4:-1}" 'BEGIN {
		print "form,kind,operator,patient_id,patient_name,dept,doctor,item_code,qty,unit_price,invoice_no,pay_method,fee_type,occurred_at,ref_form,note"
		for (i = first; i < first + n; i++)
			printf "F%07d,charge,张丽,P%06d,患者%d,内科,赵医生,Y0001,1,,,%s,自费,,,\n",
				i, i % 1000, i % 1000, (i % 3 ? "cash" : "wechat")
	}' >"$3"
	;;
his-catalog)
	[ $# -eq 2 ] || usage
	printf '%s\n' "$ITEMS" | awk -F '\t' '
	function q(s) { if (s ~ /[",]/) { gsub(/"/, "\"\"", s); return "\"" s "\"" } return s }
	BEGIN { print "code,name,pinyin,unit,price,category,version" }
	{ printf "%s,%s,%s,%s,%d.%02d,%s,B4\n", $1, q($2), "PY" $1, "次", int($3 / 100), $3 % 100,
		substr($1, 1, 1) == "J" ? "检验" : (substr($1, 1, 1) == "Y" ? "西药" : "其他") }' >"$2"
	;;
charges)
	[ $# -ge 5 ] && [ $# -le 7 ] || usage
	[ "${7:-}" = "" ] || [ "${7:-}" = uniform ] || usage
	printf '%s\n' "$ITEMS" | awk -F '\t' -v n="$2" -v lines="$3" -v pats="$4" -v first="${6:-1}" \
		-v uniform="${7:-}" -v out="$5" '
	{ code[NR - 1] = $1; ni = NR }
	END {
		print "form,kind,operator,patient_id,patient_name,item_code,qty,pay_method,occurred_at" >out
		split("张丽 王芳 刘洋", op, " ")
		split("cash wechat card insurance", pay, " ")
		for (i = first; i < first + n; i++) {
			if (uniform != "") {
				p = pats == 1 ? 1 : 1 + (i - 1) % pats
				t = 12 * 3600
			} else {
				p = 1 + (i * 7919) % pats
				t = 8 * 3600 + int((i - first) * 43199 / n)
			}
			head = sprintf("F%07d,charge,%s,P%06d,患者%d,", i, op[1 + i % 3], p, p)
			tail = sprintf(",%s,2026-11-20 %02d:%02d:%02d", pay[1 + i % 4], int(t / 3600), int(t / 60) % 60, t % 60)
			for (j = 0; j < lines; j++) {
				if (uniform != "")
					printf "%sY0001,1%s\n", head, tail >out
				else
					printf "%s%s,%d%s\n", head, code[(i * 7 + j * 5) % ni], 1 + (i + j) % 3, tail >out
			}
		}
	}'
	;;
ledger-lines)
	[ $# -eq 3 ] || usage
	awk -F '\t' 'BEGIN { print "station,seq,line,ref,患者编号,项目编码,数量,金额" }
	{ printf "%s,%s,%s,BL-%s-%s-%s,%s,%s,%s,%d.%02d\n", $1, $2, $3, $1, $2, $3, $4, $6, $8, int($10 / 100), $10 % 100 }' "$2" >"$3"
	;;
his)
	[ $# -ge 5 ] && [ $# -le 6 ] || usage
	[ "${6:-}" = "" ] || [ "${6:-}" = plain ] || usage
	nl=$(wc -l <"$2")
	# The items first (ITEMS, then "--"), the departments, then the journal lines.
	{ printf '%s\n' "$ITEMS"; echo "--"; cat "$4"; echo "--"; cat "$2"; } | awk -F '\t' \
		-v rows="$3" -v nl="$nl" -v plain="${6:-}" -v out="$5" '
	function q(s) { if (s ~ /[",]/) { gsub(/"/, "\"\"", s); return "\"" s "\"" } return s }
	function yuan(f) { return sprintf("%d.%02d", int(f / 100), f % 100) }
	function hms(t) { return sprintf("%02d:%02d:%02d", int(t / 3600), int(t / 60) % 60, t % 60) }
	# One HIS row; the id is the next 流水号.
	function emit(pid, pname, code, name, qty, price, amount, at, entered, oper, inv, dept, remark) {
		printf "H%09d,%s,%s,%s,%s,%d,%s,%s,%s,%s,%s,%s,%s,%s\n", ++hid, pid, pname, code, name, qty,
			yuan(price), yuan(amount), at, entered, oper, inv, dept, remark >out
		emitted++
	}
	# Ordinary traffic, row r: 70 % other departments inside the window, 30 %
	# the outage departments outside it (the day before, the night, the day after).
	function noise(r,    h, k, pid, qty, t, day, dept) {
		h = (r * 16807) % 2147483647
		k = int(h / 10) % ni
		qty = 1 + int(h / 7) % 3
		pid = 1000000 + h % 1000000
		t = int(h / 3) % 86400
		if (h % 10 < 7) {
			dept = other[1 + int(h / 11) % nother]
			day = "2026-11-20 " hms(8 * 3600 + t % 43200)
		} else {
			dept = odept[1 + int(h / 11) % nodept]
			if (h % 3 == 0) day = "2026-11-19 " hms(t)
			else if (h % 3 == 1) day = "2026-11-21 " hms(t)
			else day = "2026-11-20 " hms(t < 28800 ? t : 72001 + t % 14398)
		}
		emit("P" pid, "患者" pid, code[k], qname[k], qty, price[k], qty * price[k], day,
			day, noper[1 + h % 4], sprintf("9%07d", r % 10000000), dept, nrem[1 + int(h / 13) % 8])
	}
	BEGIN {
		split("眼科 口腔科 皮肤科 儿科 妇产科 检验科 放射科 康复科", other, " "); nother = 8
		split("陈静 赵敏 孙磊 周婷", noper, " ")
		split("王芳 李强", boper, " ")
		# Remarks of ordinary rows: mostly empty, some quoted.
		nrem[1] = ""; nrem[2] = ""; nrem[3] = ""; nrem[4] = ""; nrem[5] = "门诊"
		nrem[6] = "\"自费, 已结\""; nrem[7] = "\"医保 \"\"甲类\"\"\""; nrem[8] = "复诊"
		printf "\357\273\277流水号,患者编号,姓名,项目编码,项目名称,数量,单价,金额,发生时间,录入时间,操作员,发票号,科室,备注\n" >out
		part = 0; ni = 0; nodept = 0
	}
	$0 == "--" { part++; next }
	part == 0 { code[ni] = $1; qname[ni] = q($2); price[ni] = $3; idx[$1] = ni; ni++; next }
	part == 1 { if ($0 != "") odept[++nodept] = $0; next }
	# A journal line: station seq line patient_id patient_name code name qty
	# price amount occurred_at invoice_no dept operator
	{
		n++
		at = substr($11, 1, 10) " " substr($11, 12, 8)
		if (plain != "") {
			emit($4, q($5), $6, q($7), $8, $9, $10, at, "2026-11-20 21:00:00", boper[1], "", q($13), "")
			next
		}
		h = (n * 48271) % 2147483647
		c = h % 1000
		ref = "BL-" $1 "-" $2 "-" $3
		v = int(h / 2000) % 4
		if (int(h / 1000) % 2)
			remark = v == 0 ? "" : (v == 1 ? "停机补录" : (v == 2 ? "\"手工单, 已补\"" : "补录"))
		else
			remark = v == 0 ? ref : (v == 1 ? "补录 " ref : (v == 2 ? "\"停机补录, " ref "\"" : ref " 手工单"))
		# Back-filled the evening of the restore day: on time for a charge.
		e = 20 * 3600 + (n * 37) % 14400
		entered = "2026-11-20 " hms(e)
		oper = boper[1 + n % 2]
		qty = $8; up = $9; amount = $10; cd = $6; nm = q($7)
		if (c < 2) { missing++ }
		else {
			if (c >= 4 && c < 6) { up += 50; amount = qty * up; amt++ }
			else if (c >= 6 && c < 8) { qty++; amount = qty * up; qtyd++ }
			else if (c >= 8 && c < 10) { k = (idx[cd] + 1) % ni; cd = code[k]; item++ }
			emit($4, q($5), cd, nm, qty, up, amount, at, entered, oper, $12, q($13), remark)
			if (c >= 2 && c < 4) { emit($4, q($5), cd, nm, qty, up, amount, at, entered, oper, $12, q($13), remark); dup++ }
		}
		# Ordinary traffic in between, in proportion, so the file is mixed.
		want = int(n * (rows - nl) / nl)
		while (nn < want && emitted < rows) noise(++nn)
	}
	END {
		while (emitted < rows) noise(++nn)
		printf "his rows=%d journal_lines=%d missing=%d duplicate=%d amount=%d qty=%d item=%d other=%d\n",
			emitted, n, missing, dup, amt, qtyd, item, nn
	}'
	;;
*) usage ;;
esac
