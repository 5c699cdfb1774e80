#!/bin/sh
# ledger.sh BULU DIR FORMS LINES PATIENTS [STATIONS [uniform]]: a central
# ledger after an outage, the input of benchmarks B4 and B5, made with the
# real tools as the hospital would make it.
#
# STATIONS cashier stations (default 4: C01, C02, ...; departments 门诊收费,
# 急诊收费, 住院收费, 体检中心, in turn) each load the catalog of
# `gen.sh his-catalog`, get invoice books, and go through one outage,
# 2026-11-20 08:00-20:00 (TZ=Asia/Shanghai, BULU_NOW fixed, so the same
# arguments give the same ledger contents): `outage start`, `capture import`
# of their share of FORMS charge forms of LINES lines each (`gen.sh
# charges`, PATIENTS patients; "uniform" as there), `outage end`, `sync
# export`.  Each is trusted with `roster add --from-station`, and every
# bundle is merged with `sync import` into DIR/ledger.db.  Stations run in
# parallel, one per core.
#
# Writes DIR/ledger.db, DIR/roster, DIR/depts (the stations' departments,
# one a line: the outage departments), DIR/lines.tsv (every charge line of
# the ledger, tab-separated: station seq line patient_id patient_name code
# name qty price amount occurred_at invoice_no dept operator, ordered by
# station, seq, line; checked to hold FORMS x LINES lines) and last
# DIR/done; the stations and bundles are removed.  The log of every
# command is DIR/log.  Exits non-zero when a step failed.
set -eu
LC_ALL=C.UTF-8
TZ=Asia/Shanghai
export LC_ALL TZ
unset BULU_HOME BULU_NOW BULU_OPERATOR BULU_PASSPHRASE_FILE BULU_VERBOSE BULU_ROSTER BULU_CENTRAL 2>/dev/null || true

usage() { echo "usage: ledger.sh BULU DIR FORMS LINES PATIENTS [STATIONS [uniform]]" >&2; exit 2; }
[ $# -ge 5 ] && [ $# -le 7 ] || usage
BULU=$1
D=$2
FORMS=$3
LINES=$4
PATS=$5
NST=${6:-4}
UNIFORM=${7:-}
[ "$UNIFORM" = "" ] || [ "$UNIFORM" = uniform ] || usage
[ "$NST" -ge 1 ] && [ "$NST" -le 9 ] || { echo "ledger.sh: 1 to 9 stations" >&2; exit 2; }
[ "$FORMS" -ge "$NST" ] || { echo "ledger.sh: FORMS must be at least STATIONS" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)

ME=ledger.sh
. "$HERE/lib.sh"

sh "$HERE/gen.sh" his-catalog "$D/catalog.csv"
dept() { k=$((($1 - 1) % 4)); set -- 门诊收费 急诊收费 住院收费 体检中心; shift "$k"; echo "$1"; }
i=1
: >"$D/depts"
while [ "$i" -le "$NST" ] && [ "$i" -le 4 ]; do
	dept "$i" >>"$D/depts"
	i=$((i + 1))
done

# station I: one station's whole outage, and its bundle; I.ok when all went well.
station() {
	id=$(printf 'C%02d' "$1")
	s=$D/stations/$id
	first=$((($1 - 1) * FORMS / NST + 1))
	n=$(($1 * FORMS / NST - first + 1))
	export BULU_NOW=2026-11-20T07:30:00+08:00
	bulu station init --dir "$s" --station "$id" --dept "$(dept "$1")" --role cashier || return 1
	bulu catalog load --dir "$s" "$D/catalog.csv" || return 1
	# Books of at most 999,999 numbers (bulu's limit), from I0000001 on.
	from=$(($1 * 10000000 + 1))
	left=$((n + 10))
	while [ "$left" -gt 0 ]; do
		k=$((left < 999999 ? left : 999999))
		bulu invoice add-book --dir "$s" --from "$(printf '%08d' "$from")" --to "$(printf '%08d' $((from + k - 1)))" || return 1
		from=$((from + k))
		left=$((left - k))
	done
	BULU_NOW=2026-11-20T08:00:00+08:00 bulu outage start --dir "$s" --at '2026-11-20 08:00' --operator 信息科 || return 1
	sh "$HERE/gen.sh" charges "$n" "$LINES" "$PATS" "$s/forms.csv" "$first" $UNIFORM || return 1
	BULU_NOW=2026-11-20T19:00:00+08:00 bulu capture import --dir "$s" "$s/forms.csv" || return 1
	rm -f "$s/forms.csv"
	BULU_NOW=2026-11-20T20:00:00+08:00 bulu outage end --dir "$s" --at '2026-11-20 20:00' --operator 信息科 || return 1
	BULU_NOW=2026-11-20T20:30:00+08:00 bulu sync export --dir "$s" --out "$D/spool" || return 1
	: >"$D/stations/$id.ok"
}

cores=$(nproc 2>/dev/null || echo 1)
i=1
while [ "$i" -le "$NST" ]; do
	j=0
	while [ "$j" -lt "$cores" ] && [ "$i" -le "$NST" ]; do
		station "$i" &
		i=$((i + 1))
		j=$((j + 1))
	done
	wait
done
i=1
while [ "$i" -le "$NST" ]; do
	id=$(printf 'C%02d' "$i")
	[ -f "$D/stations/$id.ok" ] || { echo "ledger.sh: station $id failed; see above" >&2; exit 1; }
	bulu roster add --roster "$D/roster" --from-station "$D/stations/$id"
	i=$((i + 1))
done
BULU_NOW=2026-11-21T08:00:00+08:00 bulu sync import --ledger "$D/ledger.db" --roster "$D/roster" "$D/spool"

tab=$(printf '\t')
sqlite3 -separator "$tab" "$D/ledger.db" "SELECT e.station, e.seq, l.value->>'line', e.body->>'patient_id',
	e.body->>'patient_name', l.value->>'code', l.value->>'name', l.value->>'qty', l.value->>'price',
	l.value->>'amount', e.body->>'occurred_at', e.body->>'invoice_no', e.body->>'dept', e.operator
	FROM entries e, json_each(e.body, '\$.lines') l WHERE e.kind = 'charge'
	ORDER BY e.station, e.seq, l.value->>'line'" >"$D/lines.tsv"
n=$(wc -l <"$D/lines.tsv")
if [ "$n" -ne $((FORMS * LINES)) ]; then
	echo "ledger.sh: the ledger holds $n charge lines, expected $((FORMS * LINES))" >&2
	exit 1
fi
rm -rf "$D/stations" "$D/spool" "$D/catalog.csv"
: >"$D/done"
