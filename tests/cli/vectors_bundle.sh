#!/bin/sh
# vectors_bundle.sh - the bundle test vectors in every `make check`
# (tests/vectors/bundle-v1/, made once by tests/tools/bundle_vector.c from
# the journal vectors' first two entries, key seed 00..1f): the independent
# script tests/vectors/bundle-v1.py (docs/bundle-format.md in Python) prints
# exactly tests/vectors/bundle-v1.txt; bulu verifies the plain and the
# sealed bundle, opens the sealed one into exactly the plain one, and
# imports them into a ledger holding the journal vectors' hashes; the stock
# minisign verifies the plain one.
. "$(dirname "$0")/../lib.sh"
need python3 py:cryptography || { finish; exit 1; }
V=tests/vectors
B=$V/bundle-v1
expect 0 python3 "$V/bundle-v1.py"
check "the script prints exactly $V/bundle-v1.txt" cmp -s "$T/out" "$V/bundle-v1.txt"
# the entry hashes are the journal vectors' 1 and 2
for n in 1 2; do
	h=$(sed -n "/^vector $n:/,/^hash:/p" "$V/journal-entry-v1.txt" | sed -n 's/^hash: //p')
	check "bundle entry $n has journal vector $n's hash" grep -q "^entry $n: .* hash $h\$" "$V/bundle-v1.txt"
done
mkdir "$T/central"
cp "$B/central/central.key" "$B/central/central.pub" "$T/central/"
chmod 600 "$T/central/central.key"
expect 0 bulu bundle verify "$B/MZ_SF01-1-2.bulu" --pubkey "$B/station.pub"
expect 0 bulu bundle verify "$B/sealed/MZ_SF01-1-2.bulu" --pubkey "$B/station.pub" --central "$T/central"
check "the sealed vector's entries were read" grep -q "sealed, every hash, link and signature (2 entries" "$T/out"
expect 0 bulu bundle open "$B/sealed/MZ_SF01-1-2.bulu" --central "$T/central" --out "$T/opened.bulu"
check "the sealed vector opens into exactly the plain one" cmp -s "$T/opened.bulu" "$B/MZ_SF01-1-2.bulu"
need minisign && expect 0 minisign -Vm "$B/MZ_SF01-1-2.bulu" -p "$B/station.pub"
# a ledger of the vectors
echo "MZ_SF01	门诊收费	cashier	$(tail -1 "$B/station.pub")" >"$T/roster"
expect 0 bulu sync import --ledger "$T/l.db" --roster "$T/roster" --central "$T/central" "$B/MZ_SF01-1-2.bulu" \
	"$B/sealed/MZ_SF01-1-2.bulu"
check "the ledger holds the two vector entries" \
	[ "$(sqlite3 "$T/l.db" "SELECT group_concat(lower(hex(hash)), ' ') FROM (SELECT hash FROM entries ORDER BY seq)")" = \
	"$(sed -n 's/^entry [12]: .* hash //p' "$V/bundle-v1.txt" | tr '\n' ' ' | sed 's/ $//')" ]
expect 0 bulu ledger verify --ledger "$T/l.db" --roster "$T/roster"
finish
