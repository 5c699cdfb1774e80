#!/bin/sh
# print.sh - the printed forms (docs/printing.md): receipt, requisition,
# cash-up sheet as HTML with the Code 128 barcode of their BL reference;
# prints and reprints (重打) recorded in the journal; the text requisition of
# `capture requisition` (form alone on stdout, saved line on stderr, a
# failed print after the save exit 1 "IS SAVED"); the station's time zone
# kept from `station init --tz` and used with TZ unset or TZ=UTC; refusals
# that change nothing; and a real render: headless chromium prints each
# page to PDF, pdftotext finds the reference and the Chinese labels, and
# zbarimg decodes the reference from the bars in pdftoppm's PNG.
#
# The PDFs and PNGs stay in $PRINT_OUT (default BUILD/tests/print) to be
# looked at.
. "$(dirname "$0")/../lib.sh"
OUT=${PRINT_OUT:-$(dirname "$BULU")/tests/print}
rm -rf "$OUT"
mkdir -p "$OUT"
DB() { sqlite3 "$BULU_HOME/journal.db" "$1"; }
last() { DB "SELECT max(seq) FROM entries"; }
export BULU_OPERATOR=张丽
unset TZ

# --- the station's zone, kept from station init
export BULU_HOME="$T/OPD1"
expect 0 env TZ=UTC "$BULU" station init --station OPD1 --dept 门诊收费 --role cashier --tz +8
expect 0 bulu station info
grep_out '^tz: +08:00$' "station info shows the zone, normalised"
check "the zone is in the station record" [ "$(DB "SELECT tz FROM station")" = "+08:00" ]
expect_err 2 "neither an offset" bulu station init --station X --dept d --role r --dir "$T/X" --tz Mars/Olympus
check "a bad zone makes no station" [ ! -e "$T/X/journal.db" ]
expect_err 2 "neither an offset" bulu station init --station X --dept d --role r --dir "$T/X" --tz +25:00
expect 0 bulu station init --station Y --dept d --role r --dir "$T/Y" --tz Asia/Shanghai
check "an IANA zone is kept" [ "$(sqlite3 "$T/Y/journal.db" "SELECT tz FROM station")" = Asia/Shanghai ]
expect 0 env TZ=Asia/Shanghai "$BULU" station init --station Z --dept d --role r --dir "$T/Z"
check "the default zone is the machine's" [ "$(sqlite3 "$T/Z/journal.db" "SELECT tz FROM station")" = Asia/Shanghai ]

expect 0 bulu catalog load tests/data/capture-catalog.csv
expect 0 bulu invoice add-book --from 00120001 --to 00120100
# with TZ unset (the machine's zone is UTC here), the station's clock is +08:00
expect 0 bulu outage start --at "2026-11-21 08:30"
check "a time typed without offset is the station's" \
	[ "$(DB "SELECT json_extract(body, '\$.at') FROM entries WHERE kind = 'outage_start'")" = 2026-11-21T08:30:00+08:00 ]
expect 0 bulu capture note --text 时区
check_sh "recorded_at carries the station's offset with TZ unset" \
	'[ "$(DB "SELECT substr(recorded_at, 20) FROM entries WHERE seq = $(last)")" = +08:00 ]'

# --- a charge and its receipt
export BULU_NOW=2026-11-21T01:05:00Z   # 09:05 at the station
expect 0 bulu capture charge --patient 0012345 --name 王五 --item D001:2 --item F100:1 \
	--pay wechat --doctor 刘医生 --note 皮试阴性
CH=$(last)
REF=BL-OPD1-$CH
INV=$(DB "SELECT json_extract(body, '\$.invoice_no') FROM entries WHERE seq = $CH")
N0=$(last)
expect 0 env TZ=UTC "$BULU" print receipt "$REF" --out "$T/r1.html"
grep_err "recorded as BL-OPD1-$((N0 + 1))" "the print's entry is named"
H=$T/r1.html
check "receipt: the BL reference" grep -q ">$REF<" "$H"
check "receipt: marked a downtime receipt" grep -q '停机手工收据' "$H"
check "receipt: item 1" grep -q '0.9%氯化钠注射液 250ml' "$H"
check "receipt: item 2" grep -q '血常规' "$H"
check "receipt: the line amount" grep -q '>7.00<' "$H"
check "receipt: the total in yuan" grep -q '合计 ¥27.00 元' "$H"
check "receipt: the total in words" grep -q '贰拾柒元整' "$H"
check "receipt: the invoice number" grep -q ">$INV<" "$H"
check "receipt: the payment method in Chinese" grep -q '微信' "$H"
check "receipt: the operator" grep -q '>张丽<' "$H"
check "receipt: the doctor" grep -q '>刘医生<' "$H"
check "receipt: the note" grep -q '皮试阴性' "$H"
check "receipt: local time with TZ=UTC" grep -q '2026-11-21 09:05:00' "$H"
check "receipt: the zone at the foot" grep -q 'UTC+08:00' "$H"
check "receipt: the barcode" grep -q "<svg class=\"barcode\"[^>]*aria-label=\"$REF\"" "$H"
check_sh "receipt: not a reprint" '! grep -q 重打 "$H"'
check_sh "receipt: nothing external (no src, href, url(), @import, link)" \
	'! grep -Eiq "src=|href=|url\(|@import|<link|<script" "$H"'
check_sh "receipt: the only URL is the SVG namespace" \
	'[ "$(grep -o "https\?://[^\"]*" "$H" | sort -u)" = http://www.w3.org/2000/svg ]'
check "the first print is recorded, not as a reprint" \
	[ "$(DB "SELECT kind, body FROM entries WHERE seq = $((N0 + 1))")" = "print|{\"form\":\"receipt\",\"of\":\"$REF\",\"reprint\":false,\"size\":\"a4\"}" ]

# the same receipt again, with TZ unset, at 80 mm: 重打
export BULU_NOW=2026-11-21T02:40:00Z
expect 0 bulu print receipt "$CH" --size 80mm --out "$T/r2.html"
grep_err "(重打 reprint)"
H=$T/r2.html
check "reprint: marked 重打" grep -q '<span class="big">重打</span>' "$H"
check "reprint: counted" grep -q '第 1 次重打' "$H"
check "reprint: the original time" grep -q '原单时间 2026-11-21 09:05:00' "$H"
check "reprint: the reprint time, local with TZ unset" grep -q '重打时间 2026-11-21 10:40:00' "$H"
check "reprint: the 80 mm layout" grep -q '<body class="r80">' "$H"
check "reprint: the 80 mm page" grep -q '@page{size:80mm' "$H"
check "reprint: recorded in the journal" \
	[ "$(DB "SELECT body FROM entries WHERE seq = $(last)")" = "{\"form\":\"receipt\",\"of\":\"$REF\",\"reprint\":true,\"size\":\"80mm\"}" ]
check "reprint: who reprinted" [ "$(DB "SELECT operator FROM entries WHERE seq = $(last)")" = 张丽 ]
expect 0 bulu print receipt "$REF" --operator 李四 --size a5
check "a third print goes to stdout" grep -q '第 2 次重打' "$T/out"
check "stdout holds the page alone" [ "$(head -c 15 "$T/out")" = "<!DOCTYPE html>" ]
check "the reprinter is named" grep -q '重打人 李四' "$T/out"
expect 0 bulu journal verify

# --- refusals change nothing
t_snapshot "$T/before"
expect_err 2 "prints as a receipt, not a requisition" bulu print requisition "$REF"
expect_err 2 "not a reference of this station" bulu print receipt BL-OTHER-5
expect_err 2 "no such entry" bulu print receipt BL-OPD1-999
expect_err 2 "not a back-fill reference" bulu print receipt BL-OPD1-x
expect_err 2 "only a charge or a registration with a fee" bulu print receipt 1
expect_err 2 "records a reprint" bulu print receipt "$(last)"
expect_err 2 "--size is a4, a5 or 80mm" bulu print receipt "$REF" --size letter
expect_err 2 "who prints" env BULU_OPERATOR= "$BULU" print receipt "$REF"
expect_err 2 "give either --cashier" bulu print cashup
t_snapshot "$T/after"
check "refusals append nothing" cmp -s "$T/before" "$T/after"

# --- the requisition: text at capture, HTML reprint
export BULU_NOW="2026-11-21 09:30"
expect 0 env TZ=UTC "$BULU" capture requisition --patient ZY000101 --name 赵六 --fee-type 医保 \
	--dept 内科一病区 --doctor 陈医生 --note 急用 --request-no Q-7 --item D001:4 --item D003:1
RQ=$(last)
RREF=BL-OPD1-$RQ
grep_err "^saved $RREF requisition\$" "the saved line is on stderr"
check_sh "the printer's stream holds the form alone" '! grep -q "^saved" "$T/out"'
grep_out '站点时间 Station time: 2026-11-21 09:30:00 +08:00' "text requisition: local time with TZ=UTC"
grep_out '医生 Doctor: *陈医生' "text requisition: the doctor"
grep_out '床号 Bed: *____' "text requisition: a bed line to fill"
grep_out '备注 Note: 急用' "text requisition: the note"
expect 0 bulu print requisition "$RREF" --out "$T/q1.html"
H=$T/q1.html
check "requisition: copy 1" grep -q '第一联 病区留存' "$H"
check "requisition: copy 2" grep -q '第二联 药房' "$H"
check "requisition: two barcodes" [ "$(grep -o "<svg class=\"barcode\"[^>]*aria-label=\"$RREF\"" "$H" | wc -l)" = 2 ]
check "requisition: the drug" grep -q '维生素C片,100mg' "$H"
check "requisition: the form no." grep -q '>Q-7<' "$H"
check "requisition: the bed, a blank to fill" grep -q '<div class="k">床号</div><div class="v"><span class="blank"></span>' "$H"
check "requisition: signature lines" grep -q '请领护士<span></span></div><div>发药药师<span></span></div><div>核对' "$H"
check "requisition: every later print is a reprint" grep -q '<span class="big">重打</span>' "$H"
check "requisition: recorded" [ "$(DB "SELECT json_extract(body, '\$.reprint') FROM entries WHERE seq = $(last)")" = 1 ]
expect 0 bulu print requisition "$RREF" --size a5 --out "$T/q2.html"
check "requisition at A5: the copies on two pages" grep -q 'body.a5 .copybreak' "$T/q2.html"

# a print that fails after the save: the form IS saved, exit 1
N1=$(last)
expect_err 1 "IS SAVED" bulu capture requisition --patient ZY000102 --item D003:2 --print "$T/no/such/dir/r.txt"
check "the requisition is saved although its print failed" [ "$(last)" = $((N1 + 1)) ]
grep_err "bulu print requisition BL-OPD1-$((N1 + 1))" "the message tells how to print it"
expect_err 1 "the print is recorded as" bulu print receipt "$REF" --out "$T/no/such/dir/r.html"
check "the page that failed was still recorded" [ "$(DB "SELECT kind FROM entries WHERE seq = $(last)")" = print ]

# --- the cash-up sheet
export BULU_NOW="2026-11-21 11:00"
expect 0 bulu capture charge --patient 0012346 --item D002:1 --pay cash
expect 0 bulu capture charge --patient 0012347 --item D003:3 --pay cash
VOIDED=$(last)
expect 0 bulu capture void --entry "$VOIDED" --reason 退费
expect 0 bulu capture invoice-void --invoice 00120050 --reason 污损
expect 0 bulu capture charge --patient 0012348 --item D001:1 --pay wechat --operator 王芳
expect 0 bulu print cashup --cashier 张丽 --out "$T/c1.html"
CU=$(last)
CREF=BL-OPD1-$CU
H=$T/c1.html
check "cash-up: titled" grep -q '<h1>轧账单</h1>' "$H"
check "cash-up: its own reference and barcode" grep -q "aria-label=\"$CREF\"" "$H"
check "cash-up: cash row (2 charges, 18.80 in, 1 void, 6.00 refunded, 12.80 net)" \
	grep -q '现金 <small>cash</small></td><td class="n">2</td><td class="n">18.80</td><td class="n">1</td><td class="n">6.00</td><td class="n">12.80</td>' "$H"
check "cash-up: wechat row" grep -q '微信 <small>wechat</small></td><td class="n">1</td><td class="n">27.00</td>' "$H"
check "cash-up: the net" grep -q '应交净额 ¥39.80 元' "$H"
check "cash-up: in words" grep -q '叁拾玖元捌角整' "$H"
check "cash-up: invoices used as a range" grep -q '00120001–00120002' "$H"
check "cash-up: the voided invoices" grep -q '作废</div><div class="v full">00120003，00120050' "$H"
check "cash-up: the void and what it cancels" grep -q "<td>BL-OPD1-$((VOIDED + 1))</td><td>BL-OPD1-$VOIDED</td>" "$H"
check "cash-up: signature lines" grep -q '收款员<span></span></div><div>复核人<span></span>' "$H"
check_sh "cash-up: another cashier's charge is not counted" '! grep -q "0012348\|王芳" "$H"'
check "cash-up: recorded with its figures" \
	[ "$(DB "SELECT json_extract(body, '\$.gross') || ' ' || json_extract(body, '\$.refunds') || ' ' || json_extract(body, '\$.net') || ' ' || json_extract(body, '\$.through') FROM entries WHERE seq = $CU")" = "4580 600 3980 $((CU - 1))" ]
# later money does not change a reprint's figures
expect 0 bulu capture charge --patient 0012349 --item F100:1 --pay cash
expect 0 bulu print cashup "$CREF" --out "$T/c2.html"
check "cash-up reprint: 重打" grep -q '<span class="big">重打</span>' "$T/c2.html"
check "cash-up reprint: the same net" grep -q '应交净额 ¥39.80 元' "$T/c2.html"
check_sh "cash-up reprint: the same tables" \
	'[ "$(grep -o "<table class=\"items\">.*" "$T/c1.html" | sed "s/<svg.*//")" = "$(grep -o "<table class=\"items\">.*" "$T/c2.html" | sed "s/<svg.*//")" ]'
expect 0 bulu print cashup --cashier 张丽 --out "$T/c3.html"
check "a new cash-up sheet counts the later charge" grep -q '应交净额 ¥59.80 元' "$T/c3.html"
expect 0 bulu journal verify
check "the journal holds the prints" [ "$(DB "SELECT count(*) FROM entries WHERE kind = 'print'")" = 9 ]

# --- a registration's fee prints as a receipt; a drill's paper says 演练
export BULU_HOME="$T/DR"
expect 0 bulu station init --station DR --dept 挂号处 --role registration --tz Asia/Shanghai
expect 0 bulu invoice add-book --from 000001 --to 000050 --drill
expect 0 bulu outage start --drill
expect 0 bulu capture registration --patient 0099001 --name 吴一 --fee 5 --dept 内科门诊
expect 0 bulu print receipt "BL-DR-$(last)" --size a5 --out "$T/g.html"
check "registration receipt: the fee as its line" grep -q '挂号费 (内科门诊)' "$T/g.html"
check "registration receipt: 5.00 in words" grep -q '伍元整' "$T/g.html"
check "a drill's receipt carries the 演练 banner" grep -q 'class="banner drill">演练' "$T/g.html"
expect 0 bulu capture registration --patient 0099002
expect_err 2 "only a charge or a registration with a fee" bulu print receipt "BL-DR-$(last)"
export BULU_HOME="$T/OPD1"

# the station's own payment-method labels (DIR/pay-methods.csv) are printed
printf 'cash,现金\nwechat,微信支付,wx\n' >"$BULU_HOME/pay-methods.csv"
expect 0 bulu print receipt "$REF" --out "$T/r4.html"
check "the station's label for its payment method" grep -q '微信支付 <small>wechat</small>' "$T/r4.html"
rm -f "$BULU_HOME/pay-methods.csv"

# --- a real render: chromium prints each page, pdftotext reads it, zbarimg
# decodes the barcode from the PNG
render() { # NAME HTML: $OUT/NAME.pdf and $OUT/NAME-1.png
	cp "$2" "$OUT/$1.html"
	chromium --headless --no-sandbox --disable-gpu --no-pdf-header-footer \
		--user-data-dir="$T/chromium" --print-to-pdf="$OUT/$1.pdf" "$OUT/$1.html" >/dev/null 2>&1
	pdftoppm -png -r 150 "$OUT/$1.pdf" "$OUT/$1"
}
if need chromium pdftotext pdftoppm zbarimg; then
	for f in receipt-a4:r1 receipt-80mm:r2 requisition-a4:q1 requisition-a5:q2 cashup-a4:c1 cashup-reprint:c2; do
		name=${f%%:*}
		render "$name" "$T/${f#*:}.html"
		check "$name: chromium made a PDF" [ -s "$OUT/$name.pdf" ]
		pdftotext "$OUT/$name.pdf" "$OUT/$name.txt"
		zbarimg -q --raw "$OUT/$name"-*.png >"$OUT/$name.codes" 2>/dev/null
	done
	check "receipt PDF: the reference" grep -q "$REF" "$OUT/receipt-a4.txt"
	check "receipt PDF: the Chinese title" grep -q '停机手工收据' "$OUT/receipt-a4.txt"
	check "receipt PDF: the labels" grep -q '发票号' "$OUT/receipt-a4.txt"
	check "receipt PDF: the total" grep -q '合计 ¥27.00 元' "$OUT/receipt-a4.txt"
	check "receipt PDF: the barcode decodes to the reference" [ "$(sort -u "$OUT/receipt-a4.codes")" = "$REF" ]
	check "80 mm PDF: 重打" grep -q '重' "$OUT/receipt-80mm.txt"
	check "80 mm PDF: the barcode decodes" [ "$(sort -u "$OUT/receipt-80mm.codes")" = "$REF" ]
	check_sh "80 mm PDF: the page is 80 mm (226.8 pt) wide" \
		'pdfinfo "$OUT/receipt-80mm.pdf" | awk "/^Page size:/ { exit !(\$3 > 225 && \$3 < 229) }"'
	check "80 mm PDF: nothing cut off at the foot" grep -q '收款员签章' "$OUT/receipt-80mm.txt"
	check "requisition PDF: copy 1" grep -q '第一联 病区留存' "$OUT/requisition-a4.txt"
	check "requisition PDF: copy 2" grep -q '第二联 药房' "$OUT/requisition-a4.txt"
	# one copy a half page: each half's bars decode on their own
	pdftoppm -png -r 150 -f 1 -l 1 -x 0 -y 0 -W 1240 -H 877 "$OUT/requisition-a4.pdf" "$OUT/requisition-a4-top"
	pdftoppm -png -r 150 -f 1 -l 1 -x 0 -y 877 -W 1240 -H 877 "$OUT/requisition-a4.pdf" "$OUT/requisition-a4-bottom"
	check "requisition PDF: both copies on one A4 page" [ "$(pdfinfo "$OUT/requisition-a4.pdf" | sed -n 's/^Pages: *//p')" = 1 ]
	check "requisition PDF: copy 1's barcode decodes" [ "$(zbarimg -q --raw "$OUT"/requisition-a4-top*.png 2>/dev/null)" = "$RREF" ]
	check "requisition PDF: copy 2's barcode decodes" [ "$(zbarimg -q --raw "$OUT"/requisition-a4-bottom*.png 2>/dev/null)" = "$RREF" ]
	check "requisition A5 PDF: two pages" [ "$(pdfinfo "$OUT/requisition-a5.pdf" | sed -n 's/^Pages: *//p')" = 2 ]
	check "requisition A5 PDF: a barcode on each page" [ "$(grep -c "^$RREF\$" "$OUT/requisition-a5.codes")" = 2 ]
	check "cash-up PDF: the title" grep -q '轧账单' "$OUT/cashup-a4.txt"
	check "cash-up PDF: the signature lines" grep -q '复核人' "$OUT/cashup-a4.txt"
	check "cash-up PDF: the barcode decodes" [ "$(sort -u "$OUT/cashup-a4.codes")" = "$CREF" ]
	check "cash-up reprint PDF: the barcode is the sheet's" [ "$(sort -u "$OUT/cashup-reprint.codes")" = "$CREF" ]
fi
finish
