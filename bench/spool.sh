#!/bin/sh
# spool.sh BULU PER_STATION DIR [STATIONS [STEPS]]: the input of benchmark
# B3, a LAN spool of signed bundles from many stations, as the central
# office would find it after an outage.
#
# Makes STATIONS stations (default 20: S01, S02, ...; department 门诊, role
# cashier), each in an outage with the catalog of gen.sh and an invoice book,
# and registers each in DIR/roster (`bulu roster add --from-station`).  Then
# every station captures PER_STATION one-line charge forms (gen.sh forms) in
# STEPS steps (default 10) of `bulu capture import`, and after each step
# exports what is new with `bulu sync export --out DIR/spool` (incremental).
# That makes STATIONS x STEPS bundles; the first of each station also holds
# its few set-up entries.  Stations run in parallel, one per core.
#
# Writes DIR/spool/*.bulu(.minisig), DIR/roster, DIR/entries (how many
# entries the bundles hold in all, from their names, checked against the
# journals) and last DIR/done; the stations themselves are removed.  The
# log of every command is DIR/log.  Exits non-zero when a step failed.
set -eu
LC_ALL=C.UTF-8
export LC_ALL
unset BULU_HOME BULU_NOW BULU_OPERATOR BULU_PASSPHRASE_FILE BULU_VERBOSE BULU_ROSTER 2>/dev/null || true

[ $# -ge 3 ] && [ $# -le 5 ] || { echo "usage: spool.sh BULU PER_STATION DIR [STATIONS [STEPS]]" >&2; exit 2; }
BULU=$1
PER=$2
D=$3
NST=${4:-20}
STEPS=${5:-10}
HERE=$(cd "$(dirname "$0")" && pwd)
[ "$PER" -ge "$STEPS" ] || { echo "spool.sh: PER_STATION must be at least STEPS" >&2; exit 2; }

ME=spool.sh
. "$HERE/lib.sh"

sh "$HERE/gen.sh" catalog "$D/catalog.csv"

# Set-up, one station after the other (the roster is one file).
i=1
while [ "$i" -le "$NST" ]; do
	id=$(printf 'S%02d' "$i")
	s=$D/stations/$id
	bulu station init --dir "$s" --station "$id" --dept 门诊 --role cashier
	bulu catalog load --dir "$s" "$D/catalog.csv"
	bulu invoice add-book --dir "$s" --from $((10000000 * i + 1)) --to $((10000000 * i + PER + 1000))
	bulu outage start --dir "$s" --operator 信息科
	bulu roster add --roster "$D/roster" --from-station "$s"
	i=$((i + 1))
done

# capture ID: the steps of one station; ID.ok when all went well.
capture() {
	s=$D/stations/$1
	k=1
	while [ "$k" -le "$STEPS" ]; do
		from=$(((k - 1) * PER / STEPS))
		to=$((k * PER / STEPS))
		sh "$HERE/gen.sh" forms $((to - from)) "$s/forms.csv" $((from + 1)) || return 1
		bulu capture import --dir "$s" "$s/forms.csv" || return 1
		bulu sync export --dir "$s" --out "$D/spool" || return 1
		k=$((k + 1))
	done
	rm -f "$s/forms.csv"
	: >"$D/stations/$1.ok"
}

cores=$(nproc 2>/dev/null || echo 1)
i=1
while [ "$i" -le "$NST" ]; do
	j=0
	while [ "$j" -lt "$cores" ] && [ "$i" -le "$NST" ]; do
		capture "$(printf 'S%02d' "$i")" &
		i=$((i + 1))
		j=$((j + 1))
	done
	wait
done
i=1
while [ "$i" -le "$NST" ]; do
	[ -f "$D/stations/$(printf 'S%02d' "$i").ok" ] || { echo "spool.sh: station $i failed; see above" >&2; exit 1; }
	i=$((i + 1))
done

# What the spool holds, from the bundles' names (STATION-FIRST-LAST.bulu),
# must be every entry of every journal.
n=$(ls "$D/spool" | sed -n 's/^S[0-9]*-\([0-9]*\)-\([0-9]*\)\.bulu$/\1 \2/p' |
	awk '{ n += $2 - $1 + 1 } END { print n + 0 }')
held=0
for s in "$D"/stations/S*; do
	[ -d "$s" ] || continue
	held=$((held + $(sqlite3 "$s/journal.db" "SELECT count(*) FROM entries")))
done
if [ "$n" -ne "$held" ]; then
	echo "spool.sh: the bundles hold $n entries, the journals $held" >&2
	exit 1
fi
echo "$n" >"$D/entries"
rm -rf "$D/stations" "$D/catalog.csv"
: >"$D/done"
