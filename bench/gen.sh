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
# The stations and bundles of B3 are made by bench/spool.sh.
set -eu
LC_ALL=C.UTF-8
export LC_ALL

usage() { echo "usage: gen.sh catalog FILE | gen.sh forms N FILE [FIRST]" >&2; exit 2; }

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
*) usage ;;
esac
