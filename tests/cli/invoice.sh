#!/bin/sh
# invoice.sh - `bulu invoice add-book` and `bulu invoice list`: books are
# journal entries, overlaps and malformed ranges are refused with exit 2 and
# nothing written, the list counts used, voided and free numbers.  (Taking
# numbers is tested in tests/unit/test_invoice.c.)
. "$(dirname "$0")/../lib.sh"

t_station ST1 cashier

expect 0 bulu invoice list
check "no book: says how to add one" grep -q 'bulu invoice add-book' "$T/err"
check "no book: no table" [ ! -s "$T/out" ]

expect 0 bulu invoice add-book --from 00010001 --to 00010100 --operator it01
check "add message" grep -qx 'saved BL-ST1-2 invoice_book 00010001-00010100 (100 numbers)' "$T/out"
body=$(sqlite3 "$BULU_HOME/journal.db" "SELECT kind || ' ' || body FROM entries WHERE seq = 2")
check "book body" [ "$body" = 'invoice_book {"from":"00010001","to":"00010100","width":8}' ]
expect 0 bulu invoice add-book --from 00020001 --to 00020001
check "a one-number book" grep -q '(1 numbers)' "$T/out"
# Added out of order: the list is sorted by the first number.
expect 0 bulu invoice add-book --from 500 --to 999
expect 0 bulu journal verify

# --- refusals, nothing written
t_snapshot "$T/before"
refuse() { # refuse PATTERN ARGS...
	pat=$1
	shift
	expect 2 bulu invoice add-book "$@"
	check "refused '$*': message '$pat'" grep -q -- "$pat" "$T/err"
	t_snapshot "$T/after"
	check "refused '$*': journal unchanged" cmp -s "$T/before" "$T/after"
}
refuse 'overlaps the station.s book 00010001-00010100 (BL-ST1-2)' --from 00010100 --to 00010200
refuse 'overlaps' --from 00000001 --to 00010001
refuse 'overlaps' --from 00010050 --to 00010060
refuse 'overlaps the station.s book 00020001-00020001' --from 00020001 --to 00020001
refuse 'overlaps the station.s book 500-999' --from 00000990 --to 00001000
refuse '--from and --to must have the same number of digits' --from 1 --to 100
refuse '--from must not be greater than --to' --from 200 --to 100
refuse '--from: digits only' --from 12a --to 123
refuse '--to: digits only' --from 1 --to -
refuse '--from: digits only' --from 1234567890123456789 --to 1234567890123456789
refuse 'at most 1000000 numbers' --from 0000000 --to 1000000
refuse '--from and --to are required' --from 1
refuse 'unexpected argument' --from 1 --to 2 extra
refuse 'unknown option' --form 1 --to 2
# The largest book is accepted.
expect 0 bulu invoice add-book --from 9000000 --to 9999999
check "a full book" grep -q '(1000000 numbers)' "$T/out"

# --- list
expect 0 bulu invoice list
cat >"$T/want" <<'EOF'
from      to        used  voided     free
500       999          0       0      500
  free:   500-999
  voided: -
00010001  00010100     0       0      100
  free:   00010001-00010100
  voided: -
00020001  00020001     0       0        1
  free:   00020001
  voided: -
9000000   9999999      0       0  1000000
  free:   9000000-9999999
  voided: -
EOF
check "list table" cmp -s "$T/want" "$T/out"
expect 0 bulu invoice list --format csv
cat >"$T/want" <<'EOF'
from,to,used,voided,free,free_numbers,voided_numbers,drill
500,999,0,0,500,500-999,,0
00010001,00010100,0,0,100,00010001-00010100,,0
00020001,00020001,0,0,1,00020001,,0
9000000,9999999,0,0,1000000,9000000-9999999,,0
EOF
check "list csv" cmp -s "$T/want" "$T/out"
expect 2 bulu invoice list --format json
expect 0 bulu invoice list --help
expect 0 bulu invoice add-book --help

# Numbers used by charges, voided by invoice_void or by voiding the charge
# that used them.
t_station ST2 cashier
expect 0 bulu invoice add-book --from 0001 --to 0010
expect 0 bulu invoice list --format csv
check "fresh book all free" grep -qx '0001,0010,0,0,10,0001-0010,,0' "$T/out"
printf 'code,name,unit,price,version\nA1,血常规,次,20,V1\n' >"$T/cat.csv"
expect 0 bulu catalog load "$T/cat.csv"
expect 0 bulu outage start
expect 0 bulu capture charge --operator c1 --patient P1 --item A1:1
expect 0 bulu capture charge --operator c1 --patient P2 --item A1:1
expect 0 bulu capture charge --operator c1 --patient P3 --item A1:1 --invoice 5
expect 2 bulu capture charge --operator c1 --patient P4 --item A1:1 --invoice 0005
check "a used number is refused" grep -q 'invoice number 0005 was already used' "$T/err"
expect 2 bulu capture charge --operator c1 --patient P4 --item A1:1 --invoice 11
check "outside the books" grep -q 'invoice number 11 is outside the station.s invoice books' "$T/err"
expect 0 bulu capture invoice-void --operator c1 --invoice 3 --reason spoiled
seq=$(sqlite3 "$BULU_HOME/journal.db" "SELECT seq FROM entries WHERE kind = 'charge' AND json_extract(body, '$.invoice_no') = '0002'")
expect 0 bulu capture void --operator c1 --entry "$seq" --reason refund
expect 0 bulu capture charge --operator c1 --patient P5 --item A1:1
check "the lowest free number is taken" grep -q 'BL-ST2' "$T/out"
n=$(sqlite3 "$BULU_HOME/journal.db" "SELECT json_extract(body, '$.invoice_no') FROM entries WHERE kind = 'charge' ORDER BY seq DESC LIMIT 1")
check "0004 after 0001, 0002 (voided charge), 0003 (voided form)" [ "$n" = 0004 ]
expect 0 bulu invoice list --format csv
check "used, voided, free" grep -qx '0001,0010,3,2,5,0006-0010,0002-0003,0' "$T/out"

# The widest numbers (18 digits) and the last number of a book.
t_station ST3 cashier
expect 0 bulu invoice add-book --from 999999999999999990 --to 999999999999999999
expect 0 bulu catalog load "$T/cat.csv"
expect 0 bulu outage start
expect 0 bulu capture charge --operator c1 --patient P1 --item A1:1 --invoice 999999999999999999
check "the book's last number, 18 digits, is taken" [ "$(sqlite3 "$BULU_HOME/journal.db" "SELECT json_extract(body, '$.invoice_no') FROM entries WHERE kind = 'charge'")" = 999999999999999999 ]
expect_err 2 'at most 18' bulu capture charge --operator c1 --patient P1 --item A1:1 --invoice 1000000000000000000
expect 0 bulu capture charge --operator c1 --patient P2 --item A1:1
check "then the lowest free number" [ "$(sqlite3 "$BULU_HOME/journal.db" "SELECT json_extract(body, '$.invoice_no') FROM entries WHERE kind = 'charge' ORDER BY seq DESC LIMIT 1")" = 999999999999999990 ]

finish
