#!/bin/sh
# catalog.sh - `bulu catalog load` and `bulu catalog find`: good catalogs in
# UTF-8, UTF-8 with BOM and GB18030; every refusal exits 2 naming
# FILE:ROW:COLUMN and leaves the journal as it was; a reload makes a newer
# snapshot that prices.
. "$(dirname "$0")/../lib.sh"
D=$(cd "$(dirname "$0")/../data" && pwd)

t_station ST1 cashier

# Nothing loaded yet.
expect 2 bulu catalog find X0001
check "no catalog: says to load one" grep -q 'no price catalog loaded: run `bulu catalog load FILE.csv`' "$T/err"

# --- a good UTF-8 catalog with quoted commas and quotes
expect 0 bulu catalog load "$D/catalog-utf8.csv" --operator it01
check "load message" grep -qx 'saved BL-ST1-2 catalog_load 2026.11: 6 items' "$T/out"
n=$(sqlite3 "$BULU_HOME/journal.db" "SELECT count(*) FROM catalog_items WHERE load_seq = 2")
check "6 items stored under the entry's seq" [ "$n" = 6 ]
body=$(sqlite3 "$BULU_HOME/journal.db" "SELECT body FROM entries WHERE seq = 2")
case $body in
'{"digest":"'*'","file":"catalog-utf8.csv","items":6,"version":"2026.11"}') ok ;;
*) fail "catalog_load body: $body" ;;
esac
check "operator recorded" [ "$(sqlite3 "$BULU_HOME/journal.db" "SELECT operator FROM entries WHERE seq = 2")" = it01 ]
v=$(sqlite3 "$BULU_HOME/journal.db" "SELECT name || '|' || price_fen FROM catalog_items WHERE code = 'X0003'")
check "quotes inside a name kept" [ "$v" = '阿莫西林胶囊 "0.25g"|850' ]
v=$(sqlite3 "$BULU_HOME/journal.db" "SELECT price_fen FROM catalog_items WHERE code = 'X0001'")
check "1,234.50 yuan is 123450 fen" [ "$v" = 123450 ]
expect 0 bulu journal verify

# The digest is BLAKE2b-256 over the documented canonical item list.
if need b2sum; then
	sqlite3 "$BULU_HOME/journal.db" "SELECT json_group_array(json_object('category', category, 'code', code, 'name', name, 'pinyin', pinyin, 'price_fen', price_fen, 'unit', unit)) FROM (SELECT * FROM catalog_items WHERE load_seq = 2 ORDER BY code)" |
		tr -d '\n' >"$T/list.json"
	want=$(b2sum -l 256 "$T/list.json" | cut -d' ' -f1)
	case $body in *"\"digest\":\"$want\""*) ok ;; *) fail "digest is not BLAKE2b-256 of the item list" ;; esac
fi

# --- find: by code, code prefix, pinyin (any case), name part
expect 0 bulu catalog find X0002
check "find by code" grep -q '维生素C片,100mg' "$T/out"
check "table header" grep -q '^编码' "$T/out"
check "price as yuan" grep -q '12.00' "$T/out"
expect 0 bulu catalog find lhnz
check "find by pinyin prefix, lower case" grep -q 'X0001' "$T/out"
check "pinyin price" grep -q '1234.50' "$T/out"
expect 0 bulu catalog find 氯化钠
check "find by part of the name" grep -q '0.9%氯化钠注射液 250ml' "$T/out"
expect 0 bulu catalog find X --format csv
tr -d '\r' <"$T/out" >"$T/out.lf" # CSV rows end in CRLF (RFC 4180)
check "csv header" [ "$(head -1 "$T/out.lf")" = 'code,name,unit,price,category' ]
check "csv quotes a comma" grep -qx 'X0002,"维生素C片,100mg",盒,12.00,西药' "$T/out.lf"
check "csv quotes a quote" grep -qx 'X0003,"阿莫西林胶囊 ""0.25g""",盒,8.50,西药' "$T/out.lf"
check "X: 3 code prefixes, then 2 pinyin prefixes" [ "$(cut -d, -f1 "$T/out" | tr '\n' ' ')" = 'code X0001 X0002 X0003 F1001 F1002 ' ]
expect 0 bulu catalog find X --limit 1 --format csv
check "--limit" [ "$(wc -l <"$T/out")" = 2 ]
# Ranking: an exact code first, then code prefixes, pinyin, names.
printf 'code,name,pinyin,unit,price\nXC1,血常规复查,AAA,次,1\nA1,胸片,XCG,次,2\nB1,XC 试剂,BBB,盒,3\n' >"$T/rank.csv"
expect 0 bulu catalog load "$T/rank.csv" --version R1
expect 0 bulu catalog find xc --format csv
check "code prefix, then pinyin, then name" [ "$(cut -d, -f1 "$T/out" | tr '\n' ' ')" = 'code XC1 A1 B1 ' ]
# % and _ are literal, not wildcards.
expect 0 bulu catalog load "$D/catalog-utf8.csv"
expect 0 bulu catalog find '_' --format csv
check "underscore is literal" [ "$(cut -d, -f1 "$T/out" | tail -n +2)" = 'F_100%' ]
expect 0 bulu catalog find 'F_1' --format csv
check "underscore in a code prefix" [ "$(wc -l <"$T/out")" = 2 ]
expect 1 bulu catalog find 'F%1'
check "percent is literal: no match" grep -q 'matches' "$T/err"
# The table is aligned by display width: with the last column (category)
# cut off, every line ends where the right-aligned prices end.
expect 0 bulu catalog find X
sed 's/  [^ ]*$//' "$T/out" >"$T/cut"
widths=$(while IFS= read -r line; do printf '%s\n' "$line" | wc -L; done <"$T/cut" | sort -u | wc -l)
check "table aligned by display width" [ "$widths" = 1 ]
check "table has 6 lines" [ "$(wc -l <"$T/cut")" = 6 ]

# --- BOM + Chinese headers + an unknown column; GB18030
expect 0 bulu catalog load "$D/catalog-bom-zh.csv" --version 2026.12
check "BOM and Chinese headers" grep -qx 'saved BL-ST1-5 catalog_load 2026.12: 3 items' "$T/out"
expect 0 bulu catalog find WSSCP --format csv
tr -d '\r' <"$T/out" >"$T/out.lf" # CSV rows end in CRLF (RFC 4180)
check "newest snapshot prices" grep -qx 'X0002,"维生素C片,100mg",盒,12.50,西药' "$T/out.lf"
expect 1 bulu catalog find F1001
expect 0 bulu catalog load "$D/catalog-gb18030.csv"
check "GB18030 load" grep -qx 'saved BL-ST1-6 catalog_load GB-1: 2 items' "$T/out"
expect 0 bulu catalog find 氯化钠 --format csv
tr -d '\r' <"$T/out" >"$T/out.lf" # CSV rows end in CRLF (RFC 4180)
check "GB18030 decoded" grep -qx 'G0001,0.9%氯化钠注射液 250ml,瓶,2.40,西药' "$T/out.lf"
expect 0 bulu catalog load "$D/catalog-gb18030.csv" --encoding gb18030 --version GB-1
expect 2 bulu catalog load "$D/catalog-gb18030.csv" --encoding utf-8
n=$(sqlite3 "$BULU_HOME/journal.db" "SELECT count(DISTINCT load_seq) FROM catalog_items")
check "every snapshot kept" [ "$n" = 6 ]
expect 0 bulu journal verify

# --- refusals: exit 2, FILE:ROW:COL, nothing written
t_snapshot "$T/before"
cat_n=$(sqlite3 "$BULU_HOME/journal.db" "SELECT count(*) FROM catalog_items")
refuse() { # refuse NAME PATTERN [ARGS...]: the CSV is on stdin
	name=$1 pat=$2
	shift 2
	cat >"$T/$name.csv"
	expect 2 bulu catalog load "$T/$name.csv" "$@"
	check "$name: message '$pat'" grep -q -- "$pat" "$T/err"
	t_snapshot "$T/after"
	check "$name: journal unchanged" cmp -s "$T/before" "$T/after"
	check "$name: catalog unchanged" [ "$(sqlite3 "$BULU_HOME/journal.db" "SELECT count(*) FROM catalog_items")" = "$cat_n" ]
}
printf 'code,name,unit,version\nA,a,x,1\n' | refuse noprice "noprice.csv:1: no price column"
printf 'name,price,unit,version\na,1,x,1\n' | refuse nocode "nocode.csv:1: no code column"
printf 'code,name,unit,price,version\nA,a,x,1,V\n,b,x,2,V\n' | refuse emptycode "emptycode.csv:3:1: empty code"
printf 'code,unit,price,name,version\nA,x,1,a,V\nB,x,2,,V\n' | refuse emptyname "emptyname.csv:3:4: empty name"
printf 'code,name,unit,price,version\nA,a,x,1,V\nB,b,x,abc,V\n' | refuse badprice "badprice.csv:3:4: price is not"
printf 'code,name,unit,price,version\nA,a,x,1.234,V\n' | refuse decimals "decimals.csv:2:4: price is not"
printf 'code,name,unit,price,version\nA,a,x,-1.00,V\n' | refuse negprice "negprice.csv:2:4: negative price"
printf 'code,name,unit,price,version\nA,a,x,1,V\nB,b,x,2,V\nA,c,x,3,V\n' | refuse dupcode "dupcode.csv:4:1: duplicate code (first on row 2)"
printf '' | refuse empty "empty.csv:1: empty file"
printf 'code,name,unit,price,version\n' | refuse headeronly "headeronly.csv:2: no items"
printf 'code,name,unit,price,version\nA,a,x,1,V1\nB,b,x,2,V2\n' | refuse twoversions 'twoversions.csv:3:5: version "V2" differs'
printf 'code,name,unit,price,version\nA,a,x,1,V1\n' | refuse flagversion 'flagversion.csv:2:5: version "V1" differs from --version' --version V9
printf 'code,name,unit,price\nA,a,x,1\n' | refuse noversion "noversion.csv:1: no version column"
printf 'code,code,name,unit,price,version\nA,A,a,x,1,V\n' | refuse twice "twice.csv:1:2: column"
printf 'code,name,unit,price,version\nA,"a\nb",x,1,V\n' | refuse control "control.csv:2:2: name holds a control"
printf 'code,name,unit,price,version\nA,"unclosed,x,1,V\n' | refuse badcsv "badcsv.csv"
printf 'code,name,unit,price,version\nA,a,x,1,V\n' >"$T/ok.csv"
expect 2 bulu catalog load "$T/ok.csv" --encoding latin1
check "bad --encoding names the flag" grep -q -- '--encoding' "$T/err"
expect 2 bulu catalog load "$T/missing.csv"
check "missing file named" grep -q 'missing.csv' "$T/err"
expect 2 bulu catalog load
expect 2 bulu catalog find
expect 2 bulu catalog find X --limit 0
expect 2 bulu catalog find X --format json
t_snapshot "$T/after"
check "journal unchanged after all refusals" cmp -s "$T/before" "$T/after"
expect 0 bulu catalog load --help
expect 0 bulu catalog find --help

finish
