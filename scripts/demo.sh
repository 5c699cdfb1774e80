#!/bin/sh
# demo.sh BULU: the whole journey on a simulated outage, in about a minute.
#   1. `bulu sim` simulates a small hospital's outage with the real tools:
#      stations of seven departments provisioned the day before, a drill,
#      four hours of captured forms, a sealed export every hour, and the
#      HIS exports after an imperfect back-fill (truth.csv says what is
#      wrong with them);
#   2. the USB trips reach the central office, out of order, one bundle
#      twice, one copy damaged: `bulu sync import`, trip by trip;
#   3. finance reconciles the ledger against the HIS exports;
#   4. `bulu sim score` checks the findings against the truth;
#   5. `bulu report incident` writes the incident report of the outage.
# SEED=N picks another outage; SIZE=drill|small|medium|large another size;
# KEEP=1 keeps the directory.
set -eu
BULU=${1:-build/bulu}
BULU=$(cd "$(dirname "$BULU")" && pwd)/$(basename "$BULU")
W=$(mktemp -d "${TMPDIR:-/tmp}/bulu-demo.XXXXXX")
KEEP=${KEEP:-0}
[ "$KEEP" = 1 ] || trap 'rm -rf "$W"' EXIT
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
say() {
	printf '$ bulu'
	for a in "$@"; do case $a in *' '*) printf " '%s'" "$a" ;; *) printf ' %s' "$a" ;; esac; done
	printf '\n'
}
start=$(date +%s)

step "1. An outage, simulated with the real tools (seed ${SEED:-7}, size ${SIZE:-small})"
say sim --out "$W/outage" --seed "${SEED:-7}" --size "${SIZE:-small}"
"$BULU" sim --out "$W/outage" --seed "${SEED:-7}" --size "${SIZE:-small}" | sed -n '1,5p'
S=$W/outage
echo "   stations: $(ls "$S/stations" | tr '\n' ' ')"
say journal show --dir stations/ZYYF01 --kind dispense --format json
"$BULU" journal show --dir "$S/stations/ZYYF01" --kind dispense --format json |
	grep -o '"ref":[0-9]*,"ref_station":"[A-Z0-9_]*"' | grep -v '"ref":9[0-9][0-9][0-9][0-9],' | head -1 |
	sed 's/"ref":\([0-9]*\),"ref_station":"\(.*\)"/   the inpatient pharmacy dispensed against the ward'"'"'s voucher BL-\2-\1 (checked at reconcile)/'

step "2. The central office imports each USB trip as it arrives"
for t in "$S"/carry/trip-*; do
	say sync import --ledger ledger.db --roster roster.txt --central central "carry/$(basename "$t")"
	st=0
	"$BULU" sync import --ledger "$W/ledger.db" --roster "$S/roster.txt" --central "$S/central" "$t" \
		>"$W/import.out" 2>&1 || st=$?
	# a damaged copy is salvaged (exit 1) and made whole by a later trip
	[ "$st" -le 1 ] || { cat "$W/import.out"; exit "$st"; }
	sed "s|$S/||" "$W/import.out" | awk '{ n[$1]++; if ($1 != "merged") print "   " $0 }
		END { printf "   %d merged, %d skipped, %d salvaged\n", n["merged"], n["skipped"], n["salvaged"] }'
done
say sync status --ledger ledger.db
"$BULU" sync status --ledger "$W/ledger.db"

step "3. The HIS is back and the departments have back-filled; finance reconciles"
say reconcile --ledger ledger.db --his registrations=his/registrations.csv --his charges=his/charges.csv \
	--his orders=his/orders.csv --his dispenses=his/dispenses.csv --his invoices=his/invoices.csv --out 对账
st=0
"$BULU" reconcile --ledger "$W/ledger.db" --his registrations="$S/his/registrations.csv" \
	--his charges="$S/his/charges.csv" --his orders="$S/his/orders.csv" \
	--his dispenses="$S/his/dispenses.csv" --his invoices="$S/his/invoices.csv" \
	--out "$W/对账" || st=$?
[ "$st" -le 1 ] || exit "$st"

step "4. Did reconcile find exactly what the simulator injected?"
say sim score --truth truth.csv --findings 对账/findings.csv
"$BULU" sim score --truth "$S/truth.csv" --findings "$W/对账/findings.csv"

step "5. The IT office's incident report (故障报告), due two days after the restore"
say report incident --ledger ledger.db --reconcile 对账 --out 故障报告
"$BULU" report incident --ledger "$W/ledger.db" --reconcile "$W/对账" --out "$W/故障报告" | sed "s|$W/||"

step "Where everything is"
cat <<TXT
   findings (Excel):     $W/对账/findings.csv
   every line's state:   $W/对账/states.csv
   summary:              $W/对账/summary.txt
   worklists to print:   $W/对账/worklists/ ($(ls "$W/对账/worklists" | grep -c '\.txt$') departments)
   the ledger (sqlite3): $W/ledger.db
   incident report:      $W/故障报告/report.html (and report.xlsx, report.txt)
   the outage:           $S (stations, USB trips, HIS exports, truth.csv, README.txt)
TXT
echo "   done in $(( $(date +%s) - start )) s$([ "$KEEP" = 1 ] || echo '; removed on exit (KEEP=1 keeps it)')"
