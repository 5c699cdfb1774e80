# ledger_verify.sh - `bulu ledger verify`: a central ledger checked as an
# auditor would, reading only.  A clean ledger of two stations (drill
# entries among them) verifies with the stations' own keys and with the
# roster's; the ledger, its -wal and -shm are byte-identical afterwards (a
# ledger closed cleanly, and one with a WAL beside it); each kind of
# tampering exits 3 naming the first problem: a body byte, a signature
# byte, a real entry among the drill entries, an entry no import accounts
# for, a head no import names, a dropped trigger, another key in the
# roster, no key at all; bad usage exits 2.
. "$(dirname "$0")/../lib.sh"
: "${TOOLS:?TOOLS must point at the built test tools}"
export BULU_OPERATOR=op1
R=$T/roster.txt
L=$T/ledger.db
sums() { for f in "$1" "$1-wal" "$1-shm"; do if [ -e "$f" ]; then b2sum "$f"; else echo "no $f"; fi; done; }
# flip FILE HEX: change the first byte of the first occurrence of bytes HEX in FILE.
flip() {
	python3 - "$1" "$2" <<'EOF'
import sys
p, h = sys.argv[1], bytes.fromhex(sys.argv[2])
b = bytearray(open(p, 'rb').read())
i = b.find(h)
if i < 0:
    sys.exit(1)
b[i] ^= 0x01
open(p, 'wb').write(b)
EOF
}

t_outage_station S1 || exit 1
S1=$BULU_HOME
t_charge_forms 20 "$T/c20.csv"
expect 0 bulu capture import "$T/c20.csv"
expect 0 bulu roster add --roster "$R" --from-station "$S1"
expect 0 bulu sync export --out "$T/usb"
t_station S2 nurse 内科病房 || exit 1
S2=$BULU_HOME
expect 0 bulu outage start --drill
expect 0 bulu capture note --text "drill note one"
expect 0 bulu capture note --text "drill note two"
expect 0 bulu outage end
expect 0 bulu capture note --text "a real note"
expect 0 bulu roster add --roster "$R" --from-station "$S2"
expect 0 bulu sync export --out "$T/usb"
expect 0 bulu sync import --ledger "$L" --roster "$R" "$T/usb"
[ "$(sqlite3 "$L" "SELECT count(*) FROM drill_entries")" -ge 2 ] && ok || fail "the drill entries are kept apart"

# ---- a clean ledger verifies, reading only
[ ! -e "$L-wal" ] && ok || fail "the importer left a WAL behind"
sums "$L" >"$T/before"
expect 0 bulu ledger verify --ledger "$L"
grep -q "verified: 2 stations" "$T/out" && ok || fail "verify says what it checked: $(cat "$T/out")"
expect 0 bulu ledger verify --ledger "$L" --roster "$R"
sums "$L" >"$T/after"
cmp -s "$T/before" "$T/after" && ok || fail "verify changed the ledger's files: $(diff "$T/before" "$T/after")"

# a ledger with a WAL beside it (an import killed, say): copied while a
# writer holds it open with its last commit still in the WAL
cp "$L" "$T/w.db"
(printf "PRAGMA wal_autocheckpoint = 0;\nINSERT INTO imports (imported_at, file, file_hash, size, result) VALUES ('x', 'y', 'z', 0, 'rejected');\n"; sleep 3) |
	sqlite3 "$T/w.db" >/dev/null &
sleep 1.5
mkdir "$T/walcopy"
cp "$T/w.db" "$T/w.db-wal" "$T/w.db-shm" "$T/walcopy/" 2>/dev/null
wait
if [ -s "$T/walcopy/w.db-wal" ]; then
	sums "$T/walcopy/w.db" >"$T/before"
	expect 0 bulu ledger verify --ledger "$T/walcopy/w.db"
	sums "$T/walcopy/w.db" >"$T/after"
	cmp -s "$T/before" "$T/after" && ok || fail "verify changed a ledger with a WAL: $(diff "$T/before" "$T/after")"
	[ "$(sqlite3 "$T/walcopy/w.db" "SELECT count(*) FROM imports WHERE file = 'y'")" = 1 ] && ok ||
		fail "the WAL's commit is part of the ledger"
else
	fail "could not catch the ledger with a WAL"
fi

# ---- tampering, each exit 3 naming the first problem
tamper() { # NAME SQL-or-empty: a fresh copy in $T/t.db, changed by SQL
	cp "$L" "$T/t.db"
	[ -z "$2" ] || sqlite3 "$T/t.db" "$2" || fail "tampering: $1"
}
tamper body ""
flip "$T/t.db" "$(printf 'P17' | od -An -tx1 | tr -d ' \n')" || fail "P17 not found"
expect 3 bulu ledger verify --ledger "$T/t.db"
grep -q "station S1 seq .*does not match its hash" "$T/err" && ok || fail "a body byte: $(cat "$T/err")"

tamper sig ""
SIG=$(sqlite3 "$L" "SELECT hex(sig) FROM entries WHERE station = 'S1' AND seq = 9")
flip "$T/t.db" "$SIG" || fail "the signature of seq 9 not found"
expect 3 bulu ledger verify --ledger "$T/t.db"
grep -q "station S1 seq 9: its signature does not verify" "$T/err" && ok || fail "a signature byte: $(cat "$T/err")"
expect 0 bulu sync status --ledger "$T/t.db" # status checks hashes only: ledger verify is the full check

tamper drill "INSERT INTO drill_entries SELECT * FROM entries WHERE station = 'S1' AND seq = 5"
expect 3 bulu ledger verify --ledger "$T/t.db"
grep -q "station S1 seq 5: a real entry in drill_entries" "$T/err" && ok || fail "a real entry among drills: $(cat "$T/err")"

tamper imports "DELETE FROM imports WHERE station = 'S2'"
expect 3 bulu ledger verify --ledger "$T/t.db"
grep -q "station S2 seq 1: no merged or salvaged import accounts for this entry" "$T/err" && ok ||
	fail "entries no import accounts for: $(cat "$T/err")"

tamper heads "INSERT INTO heads VALUES ('S1', 999, zeroblob(32))"
expect 3 bulu ledger verify --ledger "$T/t.db"
grep -q "station S1 signed head at seq 999: names no import" "$T/err" && ok || fail "a stray head: $(cat "$T/err")"

tamper counts "UPDATE imports SET new_entries = entries + 1 WHERE station = 'S1'"
expect 3 bulu ledger verify --ledger "$T/t.db"
grep -q "counts that cannot be" "$T/err" && ok || fail "impossible counts: $(cat "$T/err")"

tamper trigger "DROP TRIGGER entries_no_update"
expect 3 bulu ledger verify --ledger "$T/t.db"
grep -q "schema" "$T/err" && ok || fail "a dropped trigger: $(cat "$T/err")"

# another key for S1 in the roster
OTHER=$T/other-S1
expect 0 bulu station init --dir "$OTHER" --station S1 --dept 门诊收费 --role cashier
sed "/^S1	/d" "$R" >"$T/r2.txt"
expect 0 bulu roster add --roster "$T/r2.txt" --from-station "$OTHER"
expect 3 bulu ledger verify --ledger "$L" --roster "$T/r2.txt"
grep -q "station S1 seq 1 binds another key than the roster's" "$T/err" && ok || fail "another key: $(cat "$T/err")"
sed "/^S2	/d" "$R" >"$T/r3.txt"
expect 3 bulu ledger verify --ledger "$L" --roster "$T/r3.txt"
grep -q "station S2 is not in the roster" "$T/err" && ok || fail "a station not in the roster: $(cat "$T/err")"

# no key: a ledger without S1's seq 1 and no roster
expect 0 bulu capture charge --dir "$S1" --patient P99 --item D001:1 --pay cash
expect 0 bulu sync export --dir "$S1" --out "$T/usb3"
expect 0 bulu sync import --ledger "$T/nokey.db" --roster "$R" "$T/usb3"
expect 3 bulu ledger verify --ledger "$T/nokey.db"
grep -q "station S1: no key to check its signatures with" "$T/err" && ok || fail "no key: $(cat "$T/err")"
expect 0 bulu ledger verify --ledger "$T/nokey.db" --roster "$R"

# ---- bad usage
expect 2 bulu ledger verify
expect 2 bulu ledger verify --ledger "$T/missing.db"
[ ! -e "$T/missing.db" ] && ok || fail "verify created a ledger"
echo "not a ledger" >"$T/junk.db"
expect 2 bulu ledger verify --ledger "$T/junk.db"

finish
