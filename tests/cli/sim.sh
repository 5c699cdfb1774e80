# sim.sh - `bulu sim` and `bulu sim score` (docs/simulator.md): simulated
# outages carried through sync and reconcile, scored against their truth.
#
# Shown: several seeds (and sizes, rates and ordinary traffic) give 100 %
# recall and precision for every finding class; every class is injected at
# the default rate; a seed gives the same forms, HIS exports and truth byte
# for byte, another seed others; the USB trips hold a duplicate, a late and
# a damaged bundle and still make the stations' whole journals; the drill
# stays apart; a perfect back-fill (rate 0) reconciles clean; the scorer
# notices a missed and an invented finding; bad usage exits 2.
. "$(dirname "$0")/../lib.sh"

# journey DIR SIM-ARGS...: simulate into DIR, import every trip into
# DIR/ledger.db, reconcile into DIR/out; leaves reconcile's exit in $RC.
journey() {
	d=$1
	shift
	bulu sim --out "$d" --quiet "$@" >"$T/out" 2>"$T/err" || { fail "sim $*: exit $?"; return 1; }
	for t in "$d"/carry/trip-*; do
		bulu sync import --ledger "$d/ledger.db" --roster "$d/roster.txt" --central "$d/central" "$t" \
			>>"$d/import.out" 2>&1
		[ $? -le 1 ] || { fail "sync import $t"; return 1; }
	done
	RC=0
	bulu reconcile --ledger "$d/ledger.db" --his registrations="$d/his/registrations.csv" \
		--his charges="$d/his/charges.csv" --his orders="$d/his/orders.csv" \
		--his dispenses="$d/his/dispenses.csv" --his invoices="$d/his/invoices.csv" \
		--out "$d/out" --quiet >"$T/out" 2>"$T/err" || RC=$?
}

# refute DESCRIPTION COMMAND...: pass if COMMAND fails.
refute() {
	d=$1
	shift
	if "$@"; then fail "$d"; else ok; fi
}

# scored DIR: sim score exits 0 and its "all" row says 100 % twice.
scored() {
	expect 0 bulu sim score --truth "$1/truth.csv" --findings "$1/out/findings.csv" --verbose
	all=$(grep '^all ' "$T/out")
	case $all in
	*"100.0 %"*"100.0 %"* | "all "*" 0 "*" 0 "*" 0 "*) ok ;;
	*) fail "$1: not 100 %: $all"; sed -n '/missed\|not in/p' "$T/out" | head -5 >&2 ;;
	esac
}

# ---- several seeds, 100 % each
for seed in 1 2 3 5 8; do
	journey "$T/d$seed" --seed "$seed" --size drill || continue
	check "seed $seed: reconcile reports findings (exit 1)" [ "$RC" = 1 ]
	scored "$T/d$seed"
done
journey "$T/small" --seed 11 --size small --his-rows 30000 && scored "$T/small"
check "the charges export holds the ordinary traffic asked for" \
	[ "$(($(wc -l <"$T/small/his/charges.csv") - 1))" -ge 30000 ]
journey "$T/hi" --seed 4 --size drill --rate 0.2 --rate MISSING_IN_HIS=0.3 --hours 3 --cashiers 2 &&
	scored "$T/hi"

# ---- every class is injected at the default rate
for c in MISSING_IN_HIS EXTRA_IN_HIS DUPLICATE_IN_HIS AMOUNT_MISMATCH QTY_MISMATCH ITEM_MISMATCH \
	PATIENT_MISMATCH INVOICE_GAP INVOICE_DUPLICATE INVOICE_UNRECORDED INVOICE_VOID_CHARGED \
	DISPENSE_MISMATCH LATE_BACKFILL VOIDED_IN_HIS DISPENSE_REF_UNKNOWN; do
	n=$(grep -c "^$c," "$T/small/truth.csv")
	check "$c injected in the small outage" [ "$n" -ge 1 ]
	n=$(grep -c "^$c," "$T/small/out/findings.csv")
	check "$c found in the small outage" [ "$n" -ge 1 ]
done
# ---- every department's paper flow is in the simulated outage
need sqlite3 && {
	lq() { sqlite3 "$T/small/ledger.db" "$1"; }
	check "ward charges (记账) captured and back-filled" [ "$(lq "SELECT count(*) > 0 FROM entries WHERE kind = 'ward_charge'")" = 1 ]
	check "registrations priced from fee items" \
		[ "$(lq "SELECT count(*) > 0 FROM entries WHERE kind = 'registration' AND json_extract(body, '$.lines[0].code') LIKE 'G00_'")" = 1 ]
	check "registrations with the fee in yuan as well" \
		[ "$(lq "SELECT count(*) > 0 FROM entries WHERE kind = 'registration' AND json_extract(body, '$.lines') IS NULL")" = 1 ]
	check "the pharmacy dispenses against wards' vouchers" \
		[ "$(lq "SELECT count(*) > 0 FROM entries WHERE kind = 'dispense' AND json_extract(body, '$.ref_station') LIKE 'BQ%'")" = 1 ]
	check "exam requests performed (an exam names the request)" [ "$(lq "SELECT count(*) > 0 FROM entries r WHERE r.kind = 'exam_request' AND EXISTS (SELECT 1 FROM entries x WHERE x.kind = 'exam' AND json_extract(x.body, '$.request_no') = json_extract(r.body, '$.request_no'))")" = 1 ]
	check "exam requests still pending" [ "$(lq "SELECT count(*) > 0 FROM entries r WHERE r.kind = 'exam_request' AND NOT EXISTS (SELECT 1 FROM entries x WHERE x.kind = 'exam' AND json_extract(x.body, '$.request_no') = json_extract(r.body, '$.request_no'))")" = 1 ]
	check "a billing office that settles by hand and captures nothing else (rule 5)" \
		[ "$(lq "SELECT group_concat(DISTINCT kind) FROM entries WHERE station = 'ZYC01' AND kind NOT IN ('station_init', 'catalog_load', 'outage_start', 'outage_end')")" = settlement ]
	check "the ward confirms no exam is pending" [ "$(lq "SELECT count(*) > 0 FROM entries WHERE kind = 'exam_clear'")" = 1 ]
	check "receipts to exchange for machine invoices, in the register after recovery" \
		grep -q ',已换票 exchanged,' "$T/small/out/receipts.csv"
}
check "the higher rate injects more missing lines" \
	[ "$(grep -c '^MISSING_IN_HIS,' "$T/hi/truth.csv")" -gt "$(grep -c '^MISSING_IN_HIS,' "$T/d5/truth.csv")" ]

# ---- determinism: the same seed, the same outage; another seed, another
bulu sim --out "$T/again" --quiet --seed 1 --size drill >/dev/null 2>&1 || fail "sim again"
for f in truth.csv his/charges.csv his/registrations.csv his/orders.csv his/dispenses.csv \
	his/invoices.csv catalog.csv; do
	check "seed 1 twice: $f byte-identical" cmp -s "$T/d1/$f" "$T/again/$f"
done
for f in "$T/d1"/.work/forms/*.csv; do
	check "seed 1 twice: the forms $(basename "$f") byte-identical" cmp -s "$f" "$T/again/.work/forms/$(basename "$f")"
done
refute "seed 2 is another outage" cmp -s "$T/d1/his/charges.csv" "$T/d2/his/charges.csv"
check "the trips hold the same bundle names for the same seed" \
	[ "$(cd "$T/d1/carry" && ls -R)" = "$(cd "$T/again/carry" && ls -R)" ]

# ---- the journey's mishaps, and the ledger complete after them
S=$T/small
names=$(cd "$S/carry" && ls trip-*/*.bulu | sed 's|.*/||' | sort)
check "a bundle reaches the office twice" [ -n "$(printf '%s\n' "$names" | uniq -d)" ]
damaged=0
for f in $(printf '%s\n' "$names" | uniq -d); do
	sizes=$(ls -l "$S"/carry/trip-*/"$f" | awk '{print $5}' | sort -u | wc -l)
	[ "$sizes" -gt 1 ] && damaged=$((damaged + 1))
done
check "one copy is damaged (two copies of different sizes)" [ "$damaged" -ge 1 ]
grep -q '^salvaged' "$S/import.out" && ok || fail "the damaged copy was not reported as salvaged"
last=$(ls -d "$S"/carry/trip-* | tail -1)
late=0
for f in "$last"/*.bulu; do
	b=$(basename "$f" .bulu)
	st=${b%%-*}
	lastseq=${b##*-}
	# a bundle in the last trip that ends before its station's last export
	maxseq=$(ls "$S"/carry/trip-*/"$st"-*.bulu | sed 's|.*-||; s|\.bulu||' | sort -n | tail -1)
	[ "$lastseq" -lt "$maxseq" ] && late=$((late + 1))
done
check "a stick left in a drawer: an early bundle arrives with the last trip" [ "$late" -ge 1 ]
for st in "$S"/stations/*; do
	id=$(basename "$st")
	want=$(sqlite3 "$st/journal.db" "SELECT count(*) FROM entries")
	got=$(sqlite3 "$S/ledger.db" "SELECT (SELECT count(*) FROM entries WHERE station='$id') +
		(SELECT count(*) FROM drill_entries WHERE station='$id')")
	check "$id: the ledger holds all $want entries after the trips" [ "$got" = "$want" ]
done
bulu sync status --ledger "$S/ledger.db" >"$T/out" 2>&1
check "no gap is left once every trip is in" [ -z "$(awk 'NR > 1 && $6 != "-"' "$T/out")" ]
check "the drill is kept apart in the ledger" [ "$(sqlite3 "$S/ledger.db" "SELECT count(*) FROM drill_entries")" -ge 5 ]
refute "the drill appears in no finding" grep -q ',JYK01,[1-9],' "$S/out/findings.csv"
check "patient names with commas survive the journey" grep -q '"[^",]*,[^",]*"' "$S/his/charges.csv"

# ---- a perfect back-fill reconciles clean
journey "$T/clean" --seed 3 --size drill --rate 0
check "rate 0: nothing injected" [ "$(wc -l <"$T/clean/truth.csv")" = 1 ]
check "rate 0: reconcile exits 0" [ "$RC" = 0 ]
scored "$T/clean"

# ---- the scorer notices what is wrong
F=$T/d3/out/findings.csv
head -1 "$F" >"$T/less.csv"
sed 1d "$F" | sed 1d >>"$T/less.csv"
expect 1 bulu sim score --truth "$T/d3/truth.csv" --findings "$T/less.csv"
check "a finding left out lowers recall" grep -q '^all .* 9[0-9]\.[0-9] %.*100.0 %' "$T/out"
cp "$F" "$T/more.csv"
printf 'EXTRA_IN_HIS,charges,,,,SF99999999,,,,,0,,,invented\r\n' >>"$T/more.csv"
expect 1 bulu sim score --truth "$T/d3/truth.csv" --findings "$T/more.csv"
check "an invented finding lowers precision" grep -q '^EXTRA_IN_HIS .*100.0 %  *[0-9][0-9]\.[0-9] %' "$T/out"
printf 'class,kind\r\n' >"$T/bad.csv"
expect 2 bulu sim score --truth "$T/d3/truth.csv" --findings "$T/bad.csv"
check "a findings file without its columns is named" grep -q 'bad.csv:1: missing column "station"' "$T/err"

# ---- bad usage: exit 2, nothing written
expect 2 bulu sim --out "$T/d1"
check "a directory in use is refused" grep -q 'not empty' "$T/err"
expect 2 bulu sim --out "$T/x" --size huge
expect 2 bulu sim --out "$T/x" --rate NO_SUCH_CLASS=0.1
expect 2 bulu sim --out "$T/x" --rate 1.5
expect 2 bulu sim --out "$T/x" --hours 13
expect 2 bulu sim --seed 1
check "nothing was written on bad usage" [ ! -e "$T/x" ]
expect 0 bulu sim --help
check "--help names the sizes" grep -q 'drill, small, medium or large\|drill: 100 forms' "$T/out"
expect 0 bulu sim score --help

finish
