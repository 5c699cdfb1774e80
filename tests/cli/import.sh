#!/bin/sh
# import.sh - `bulu capture import`: transcribed paper forms in bulk.  A good
# file (several kinds, multi-line forms, quoted commas and quotes, Chinese,
# a dispense and a void referring to forms of the same file) lands as exact
# entries; the same file with a BOM and in GB18030 lands the same; forms
# whose rows are apart are grouped; every bad file is refused with exit 2,
# the row and column named, and the journal unchanged.
. "$(dirname "$0")/../lib.sh"
D=$(cd "$(dirname "$0")/../data" && pwd)

# setup STATION: a station with the catalog, an invoice book, an open outage.
setup() {
	t_station "$1" cashier
	expect 0 bulu catalog load "$D/import-catalog.csv" --operator it
	expect 0 bulu invoice add-book --from 0001 --to 0500 --operator it
	expect 0 bulu outage start --operator it
}
q() { sqlite3 "$BULU_HOME/journal.db" "$1"; }

# --- a good file -------------------------------------------------------
setup S1
t_snapshot "$T/before"
expect 0 bulu capture import "$D/import-good.csv"
check "first line names the saved range" [ "$(head -1 "$T/out")" = 'saved 8 entries BL-S1-5..BL-S1-12' ]
check "counts per kind" grep -q '^  charge  *2$' "$T/out"
check "one dispense counted" grep -q '^  dispense  *1$' "$T/out"
check "nothing on stderr (not a terminal)" [ ! -s "$T/err" ]
check "kinds in order of first appearance" \
	[ "$(q "SELECT group_concat(kind, ' ') FROM (SELECT kind FROM entries WHERE seq >= 5 ORDER BY seq)")" = \
	  'registration charge charge requisition dispense card_issue void note' ]
check "registration fee 5.00 = 500 fen, invoice 0001" \
	[ "$(q "SELECT json_extract(body, '\$.fee') || ' ' || json_extract(body, '\$.invoice_no') FROM entries WHERE seq = 5")" = '500 0001' ]
check "two-line charge: 2 x 12.00 + 3 x 8.50 = 4950 fen" \
	[ "$(q "SELECT json_extract(body, '\$.total') || ' ' || json_array_length(body, '\$.lines') FROM entries WHERE seq = 6")" = '4950 2' ]
check "line amounts" \
	[ "$(q "SELECT group_concat(json_extract(value, '\$.amount'), ',') FROM entries, json_each(body, '\$.lines') WHERE seq = 6")" = '2400,2550' ]
check "a note with a comma and quotes, kept whole" \
	[ "$(q "SELECT json_extract(body, '\$.note') FROM entries WHERE seq = 6")" = '备注,含逗号 "引号"' ]
check "a name with a comma" [ "$(q "SELECT json_extract(body, '\$.patient_name') FROM entries WHERE seq = 7")" = '李,四' ]
check "a given unit price wins: 60.00 = 6000 fen, manual" \
	[ "$(q "SELECT json_extract(body, '\$.total') || ' ' || json_extract(body, '\$.lines[0].price_source') || ' ' || json_extract(body, '\$.pay') FROM entries WHERE seq = 7")" = '6000 manual wechat' ]
check "the requisition keeps its form number" [ "$(q "SELECT json_extract(body, '\$.request_no') FROM entries WHERE seq = 8")" = 'Q1' ]
check "the dispense refers to the requisition's seq" \
	[ "$(q "SELECT json_extract(body, '\$.ref') || ' ' || json_extract(body, '\$.ref_kind') || ' ' || json_extract(body, '\$.total') FROM entries WHERE seq = 9")" = '8 requisition 2250' ]
check "card-issue (dashed kind) records the card" [ "$(q "SELECT kind || ' ' || json_extract(body, '\$.card_no') FROM entries WHERE seq = 10")" = 'card_issue K9001' ]
check "the void cancels the second charge, note as reason" \
	[ "$(q "SELECT json_extract(body, '\$.entry') || ' ' || json_extract(body, '\$.reason') FROM entries WHERE seq = 11")" = '7 开错项目' ]
check "operators per form" [ "$(q "SELECT operator FROM entries WHERE seq = 9")" = '陈药师' ]
check "every entry in the episode" [ "$(q "SELECT count(*) FROM entries WHERE seq >= 5 AND episode = (SELECT episode FROM entries WHERE seq = 4)")" = 8 ]
check "occurred_at normalised" [ "$(q "SELECT substr(json_extract(body, '\$.occurred_at'), 1, 16) FROM entries WHERE seq = 7")" = '2026-11-21T09:10' ]
expect 0 bulu journal verify

# --- the same file with a BOM, and in GB18030 -------------------------
setup S2
expect 0 bulu capture import "$D/import-bom.csv"
check "BOM: same first line" [ "$(head -1 "$T/out")" = 'saved 8 entries BL-S2-5..BL-S2-12' ]
check "BOM: header read (kind of the first entry)" [ "$(q "SELECT kind FROM entries WHERE seq = 5")" = registration ]
check "BOM: total" [ "$(q "SELECT sum(json_extract(body, '\$.total')) FROM entries WHERE kind = 'charge'")" = 10950 ]

setup S3
iconv -f UTF-8 -t GB18030 "$D/import-good.csv" >"$T/good-gb.csv"
check "GB18030 copy differs from UTF-8" sh -c "! cmp -s '$T/good-gb.csv' '$D/import-good.csv'"
expect 0 bulu capture import "$T/good-gb.csv"
check "GB18030 auto: saved" [ "$(head -1 "$T/out")" = 'saved 8 entries BL-S3-5..BL-S3-12' ]
check "GB18030: names decoded to UTF-8" [ "$(q "SELECT json_extract(body, '\$.patient_name') FROM entries WHERE seq = 5")" = '王小明' ]
check "GB18030: operator decoded" [ "$(q "SELECT count(*) FROM entries WHERE operator = '张收款'")" = 6 ]
check "GB18030: totals" [ "$(q "SELECT sum(json_extract(body, '\$.total')) FROM entries WHERE kind = 'charge'")" = 10950 ]
setup S4
expect 0 bulu capture import --encoding gb18030 "$T/good-gb.csv"
check "--encoding gb18030" [ "$(q "SELECT json_extract(body, '\$.patient_name') FROM entries WHERE seq = 7")" = '李,四' ]
setup S5
expect 2 bulu capture import --encoding utf-8 "$T/good-gb.csv"
check "--encoding utf-8 on GB18030 bytes: refused" grep -q 'good-gb.csv' "$T/err"
expect 2 bulu capture import --encoding latin1 "$D/import-good.csv"

# --- rows of a form apart, numeric refs, dry run, stdin ----------------
expect 0 bulu capture import "$D/import-interleaved.csv"
check "rows apart: grouped into 2 entries" [ "$(head -1 "$T/out")" = 'saved 2 entries BL-S5-5..BL-S5-6' ]
check "form A first, with both lines: 2 x 3.50 + 1 x 1.50" \
	[ "$(q "SELECT json_array_length(body, '\$.lines') || ' ' || json_extract(body, '\$.total') FROM entries WHERE seq = 5")" = '2 850' ]
check "form B second, paid by card" [ "$(q "SELECT json_extract(body, '\$.pay') || ' ' || json_extract(body, '\$.total') FROM entries WHERE seq = 6")" = 'card 1200' ]
printf 'form,kind,operator,ref_form,note\nV1,void,张收款,BL-S5-6,退费\nV2,void,张收款,5,退费\n' >"$T/voids.csv"
t_snapshot "$T/before"
expect 0 bulu capture import --dry-run "$T/voids.csv"
check "dry run says so" grep -q '^dry run: 2 entries would be saved' "$T/out"
t_snapshot "$T/after"
check "dry run: journal unchanged" cmp -s "$T/before" "$T/after"
expect 0 bulu capture import - <"$T/voids.csv"
check "refs by BL-STATION-SEQ and by seq, from stdin" \
	[ "$(q "SELECT group_concat(json_extract(body, '\$.entry'), ',') FROM entries WHERE kind = 'void'")" = '6,5' ]
printf 'form,kind,patient_id,item_code,qty\nA,charge,C1,X0001,1\n' >"$T/noop.csv"
BULU_OPERATOR=夜班
expect 0 bulu capture import "$T/noop.csv"
BULU_OPERATOR=
check "operator from the environment when the file has none" [ "$(q "SELECT operator FROM entries ORDER BY seq DESC LIMIT 1")" = '夜班' ]
expect 0 bulu capture import --operator 白班 "$T/noop.csv"
check "--operator fills an empty operator" [ "$(q "SELECT operator FROM entries ORDER BY seq DESC LIMIT 1")" = '白班' ]

# --- bad files: exit 2, row and column named, nothing written ----------
cd "$D" || exit 1
t_station S6 cashier
expect 0 bulu catalog load import-catalog.csv --operator it
expect 0 bulu invoice add-book --from 0001 --to 0500 --operator it
expect 0 bulu outage start --operator it
expect 0 bulu capture import import-good.csv
t_snapshot "$T/before"
refuse() { # refuse FILE PATTERN
	expect 2 bulu capture import "$1"
	check "$1: message '$2'" grep -q -- "$2" "$T/err"
	check "$1: no patient name in the message" sh -c "! grep -q '王小明' '$T/err'"
	t_snapshot "$T/after"
	check "$1: journal unchanged" cmp -s "$T/before" "$T/after"
}
refuse import-bad-unknown-item.csv 'bulu: import-bad-unknown-item.csv:3:8 (item_code): unknown item code NOPE9'
refuse import-bad-qty-zero.csv 'import-bad-qty-zero.csv:2:9 (qty): must be above 0'
refuse import-bad-qty-text.csv 'import-bad-qty-text.csv:4:9 (qty): not a whole number'
refuse import-bad-negative-price.csv 'import-bad-negative-price.csv:2:10 (unit_price): must not be negative'
refuse import-bad-invoice-reused.csv 'import-bad-invoice-reused.csv:3:11 (invoice_no): .*0100'
refuse import-bad-unknown-column.csv 'import-bad-unknown-column.csv:1:5: unknown column "amount"'
refuse import-bad-missing-column.csv 'import-bad-missing-column.csv:1: missing column "kind"'
refuse import-bad-kind-conflict.csv 'import-bad-kind-conflict.csv:3:2 (kind): differs from row 2'
refuse import-bad-ref-unknown.csv 'import-bad-ref-unknown.csv:3:15 (ref_form): no form of this file'
refuse import-bad-ref-later.csv 'import-bad-ref-later.csv:2:15 (ref_form): names the form first seen at row 3, later'
refuse import-bad-ragged.csv 'import-bad-ragged.csv:3:17: the row has 17 cells, the header 16'
refuse import-bad-void-no-reason.csv 'import-bad-void-no-reason.csv:3:16 (note): a void needs a reason'
refuse import-bad-unterminated.csv 'import-bad-unterminated.csv:3: .*quoted field not closed'
refuse import-bad-empty.csv 'import-bad-empty.csv'
refuse import-bad-header-only.csv 'import-bad-header-only.csv:2: no forms'
refuse no-such-file.csv 'no-such-file.csv'
refuse import-good.csv 'import-good.csv:2:11 (invoice_no)'
expect 2 bulu capture import
expect 2 bulu capture import a.csv b.csv
expect 0 bulu capture import --help
check "--help names the columns" grep -q 'ref_form' "$T/out"
# A refused file consumed no invoice number: the next free one is 0004.
printf 'form,kind,operator,patient_id,item_code,qty\nA,charge,张收款,C1,X0001,1\n' >"$T/one.csv"
expect 0 bulu capture import "$T/one.csv"
check "refusals took no invoice number" [ "$(q "SELECT json_extract(body, '\$.invoice_no') FROM entries ORDER BY seq DESC LIMIT 1")" = 0004 ]
expect 0 bulu journal verify

# --- outside an episode: refused unless forced -------------------------
expect 0 bulu outage end --operator it
expect 2 bulu capture import "$T/one.csv"
check "no episode: says so" grep -q 'outage' "$T/err"
expect 0 bulu capture import --force-outside '系统恢复后补记' "$T/one.csv"
check "forced: reason recorded" [ "$(q "SELECT json_extract(body, '\$.outside_episode_reason') FROM entries ORDER BY seq DESC LIMIT 1")" = '系统恢复后补记' ]

finish
