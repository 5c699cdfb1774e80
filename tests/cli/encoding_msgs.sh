#!/bin/sh
# encoding_msgs.sh - the encoding of a CSV given to bulu (capture import,
# catalog load): a UTF-16 file, with a BOM either way round or without one,
# is refused as UTF-16 with what to do about it (never "NUL byte in field");
# an undecodable byte is named by FILE:ROW:COLUMN and the encoding the file
# was read as, never by a byte offset.  Every refusal exits 2 and leaves the
# journal as it was.
. "$(dirname "$0")/../lib.sh"
D=$(cd "$(dirname "$0")/../data" && pwd)
not_in_err() { ! grep -q -- "$1" "$T/err"; }

setup() {
	t_station "$1" cashier
	expect 0 bulu catalog load "$D/import-catalog.csv" --operator it
	expect 0 bulu invoice add-book --from 0001 --to 0500 --operator it
	expect 0 bulu outage start --operator it
}

setup S1
t_snapshot "$T/before"
U16='this file is UTF-16; save it as UTF-8 or GB18030 (Excel: CSV UTF-8)'

# --- UTF-16 capture imports: BOM FF FE, BOM FE FF, no BOM (LE and BE)
if need iconv; then
	iconv -f UTF-8 -t UTF-16LE "$D/import-good.csv" >"$T/le.csv"
	iconv -f UTF-8 -t UTF-16BE "$D/import-good.csv" >"$T/be.csv"
	{ printf '\377\376'; cat "$T/le.csv"; } >"$T/bom-le.csv"
	{ printf '\376\377'; cat "$T/be.csv"; } >"$T/bom-be.csv"
	for f in bom-le bom-be le be; do
		expect_err 2 "^bulu: $T/$f.csv: $U16\$" bulu capture import "$T/$f.csv"
		check "$f: not reported as a NUL byte" not_in_err 'NUL byte'
	done
	# --encoding does not hide it either
	expect_err 2 "$T/le.csv: $U16" bulu capture import --encoding utf-8 "$T/le.csv"
	expect_err 2 "$T/bom-be.csv: $U16" bulu capture import --encoding gb18030 "$T/bom-be.csv"

	# --- a UTF-16 catalog
	iconv -f UTF-8 -t UTF-16 "$D/import-catalog.csv" >"$T/cat16.csv"
	expect_err 2 "$T/cat16.csv: $U16" bulu catalog load "$T/cat16.csv" --operator it
	iconv -f UTF-8 -t UTF-16LE "$D/import-catalog.csv" >"$T/cat16le.csv"
	expect_err 2 "$T/cat16le.csv: $U16" bulu catalog load "$T/cat16le.csv" --operator it
fi

# A lone NUL in an otherwise UTF-8 file is still a NUL byte, by row and column.
printf 'code,name,pinyin,unit,price,category\nX1,a\000b,AB,box,1.00,c\n' >"$T/nul.csv"
expect_err 2 "$T/nul.csv:2:2: NUL byte in field" bulu catalog load "$T/nul.csv" --version V1 --operator it

# --- undecodable bytes: row and column, and the encoding read as
hdr='form,kind,operator,patient_id,patient_name,dept,doctor,item_code,qty,unit_price,invoice_no,pay_method,fee_type,occurred_at,ref_form,note'
# UTF-8 BOM, then a byte that is not UTF-8 in row 3, column 5 (a quoted
# comma and a quoted line break before it do not count).
printf '\357\273\277%s\nF1,charge,op,P1,"a,\nb",,,D001,1,,,cash,,,,\nF2,charge,op,P2,x\377y,,,D001,1,,,cash,,,,\n' "$hdr" >"$T/bad8.csv"
expect_err 2 "^bulu: $T/bad8.csv:3:5: not valid UTF-8 (the file was read as UTF-8)\$" bulu capture import "$T/bad8.csv"
check "no byte offset in the message" not_in_err 'byte [0-9]'
# --encoding utf-8 on GB18030 bytes (李 is C0 EE): row 2, column 5
printf '%s\r\nF1,charge,op,P1,\300\356,,,D001,1,,,cash,,,,\r\n' "$hdr" >"$T/gb.csv"
expect_err 2 "^bulu: $T/gb.csv:2:5: not valid UTF-8 (the file was read as UTF-8)\$" bulu capture import --encoding utf-8 "$T/gb.csv"
# --encoding gb18030 with a byte GB18030 has no use for (FF): row 2, column 8
printf '%s\nF1,charge,op,P1,\300\356,,,D\377,1,,,cash,,,,\n' "$hdr" >"$T/badgb.csv"
expect_err 2 "^bulu: $T/badgb.csv:2:8: not valid GB18030 (the file was read as GB18030)\$" bulu capture import --encoding gb18030 "$T/badgb.csv"
# auto: neither; both places named
expect_err 2 "^bulu: $T/badgb.csv:2:8: neither UTF-8 nor GB18030 (the file was read as GB18030, since it is not UTF-8 from row 2 column 5)\$" bulu capture import "$T/badgb.csv"
check "no byte offset in the message" not_in_err 'byte [0-9]'
# a catalog too
printf 'code,name,pinyin,unit,price,category\nX1,ok,OK,box,1.00,c\nX2,bad\377,BAD,box,1.00,c\n' >"$T/badcat.csv"
expect_err 2 "^bulu: $T/badcat.csv:3:2: " bulu catalog load "$T/badcat.csv" --encoding utf-8 --operator it
grep_err 'not valid UTF-8 (the file was read as UTF-8)'

# Nothing was written by any refusal.
t_snapshot "$T/after"
check "journal unchanged" cmp -s "$T/before" "$T/after"
expect 0 bulu journal verify
finish
