# integrity_sync.sh - the central side of "integrity an auditor can check
# without trusting us": each failure found by attacking sync, reproduced.
#
#  F3  a journal with a garbled signature at one seq: export refuses it; a
#      bundle a station signed holding such an entry is rejected at import,
#      so the ledger is the same whichever copy (bad or good) came first;
#      sync status exits 3 after a body byte is flipped in the ledger.
#  F6  a symlink planted at the old predictable NAME.tmp.PID is not followed
#      (sync export, reconcile's outputs); a FIFO, a link to /dev/zero or a
#      directory named *.bulu is refused at once, unread; limits on the
#      bundle, its inflated database and one entry (a huge entry, a gzip
#      bomb); the signed size claim enforced.
#  F8  a bundle file name holding a newline cannot forge a line of the log.
# ledger verify has its own script (ledger_verify.sh).
. "$(dirname "$0")/../lib.sh"
: "${TOOLS:?TOOLS must point at the built test tools}"
export BULU_OPERATOR=op1
R=$T/roster.txt
canon() { sqlite3 "$1" ".dump entries drill_entries heads"; }
forge() { "$TOOLS/bundle_forge" "$@"; }

t_outage_station S1 || exit 1
S1=$BULU_HOME
t_charge_forms 80 "$T/c80.csv"
expect 0 bulu capture import "$T/c80.csv"
expect 0 bulu roster add --roster "$R" --from-station "$S1"
N=$(sqlite3 "$S1/journal.db" "SELECT max(seq) FROM entries")
expect 0 bulu sync export --out "$T/good"
GOOD=$T/good/S1-1-$N.bulu

# ---- F3: a garbled signature at seq 70 of the journal
cp -r "$S1" "$T/S1bad"
sqlite3 "$T/S1bad/journal.db" "DROP TRIGGER IF EXISTS entries_no_update;
	UPDATE entries SET sig = zeroblob(64) WHERE seq = 70;
	CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
BEGIN SELECT RAISE(ABORT, 'journal entries are append-only: a correction is a new entry (bulu capture void)'); END;" 2>"$T/err" || fail "garbling the journal: $(cat "$T/err")"
expect 3 bulu sync export --dir "$T/S1bad" --out "$T/badexp" --all
grep -q "entry 70 .*signature" "$T/err" && ok || fail "export names entry 70's signature: $(cat "$T/err")"
[ ! -e "$T/badexp" ] || [ -z "$(ls "$T/badexp")" ] && ok || fail "a refused export wrote files"

# The same entry signed into a bundle anyway (what an older exporter, or a
# lying one, would send): the station's signature over the file is good.
zcat "$GOOD" >"$T/bad.db"
sqlite3 "$T/bad.db" "UPDATE entries SET sig = zeroblob(64) WHERE seq = 70"
mkdir -p "$T/badb"
forge "$S1" "$T/bad.db" "$T/badb/S1-1-$N.bulu" && ok || fail "forging the garbled bundle"
expect 3 bulu sync import --ledger "$T/l1.db" --roster "$R" "$T/badb/S1-1-$N.bulu"
grep -q "rejected.*signature of entry 70 does not verify" "$T/out" && ok || fail "import names entry 70: $(cat "$T/out")"
[ "$(sqlite3 "$T/l1.db" "SELECT count(*) FROM entries")" = 0 ] && ok || fail "nothing of the bad copy entered"
expect 0 bulu sync import --ledger "$T/l1.db" --roster "$R" "$GOOD"
# the other order: good first, then the bad copy
expect 0 bulu sync import --ledger "$T/l2.db" --roster "$R" "$GOOD"
expect 3 bulu sync import --ledger "$T/l2.db" --roster "$R" "$T/badb/S1-1-$N.bulu"
[ "$(canon "$T/l1.db")" = "$(canon "$T/l2.db")" ] && ok || fail "the ledger depends on which copy came first"
expect 0 bulu ledger verify --ledger "$T/l1.db" --roster "$R"
expect 0 bulu ledger verify --ledger "$T/l2.db"

# ---- F3: sync status after a body byte is flipped in the ledger file
cp "$T/l1.db" "$T/flip.db"
off=$(grep -obUa 'P77' "$T/flip.db" | head -1 | cut -d: -f1)
if [ -n "$off" ]; then
	printf 'Q' | dd of="$T/flip.db" bs=1 seek="$off" conv=notrunc 2>/dev/null
	expect 3 bulu sync status --ledger "$T/flip.db"
	grep -q "does not match its hash" "$T/err" && ok || fail "status names the changed entry: $(cat "$T/err")"
	expect 3 bulu ledger verify --ledger "$T/flip.db"
else
	fail "the patient id P77 is not in the ledger file"
fi
expect 0 bulu sync status --ledger "$T/l1.db"

# ---- F6: a symlink planted at the old predictable temporary name
echo "precious" >"$T/target"
expect 0 bulu capture charge --patient P900 --item D001:1 --pay cash
N2=$(sqlite3 "$S1/journal.db" "SELECT max(seq) FROM entries")
mkdir -p "$T/usb2"
# exec keeps the shell's pid: the link is where the old code wrote.
sh -c 'ln -s "$1" "$2/S1-1-$3.bulu.tmp.$$"; ln -s "$1" "$2/S1-1-$3.bulu.minisig.tmp.$$";
	exec "$4" sync export --all --out "$2"' _ "$T/target" "$T/usb2" "$N2" "$BULU" >"$T/out" 2>"$T/err"
[ $? = 0 ] && ok || fail "export with planted links: $(cat "$T/err")"
[ "$(cat "$T/target")" = precious ] && ok || fail "the planted symlink's target was overwritten"
[ -f "$T/usb2/S1-1-$N2.bulu" ] && [ ! -L "$T/usb2/S1-1-$N2.bulu" ] && ok || fail "the bundle is a file of its own"
[ "$(ls "$T/usb2" | grep -c '\.tmp\.[0-9a-f]\{16\}$')" = 0 ] && ok || fail "a temporary file was left behind"
expect 0 bulu sync import --ledger "$T/l3.db" --roster "$R" "$T/usb2"

# reconcile's outputs are written the same way
mkdir -p "$T/rec"
sh -c 'for f in findings.csv summary.txt; do ln -s "$1" "$2/$f.tmp.$$"; done;
	exec "$3" reconcile --ledger "$4" --quiet --his charges="$5" --out "$2"' _ "$T/target" "$T/rec" "$BULU" \
	"$T/l3.db" tests/data/reconcile/his-charges.csv >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" -le 1 ] && ok || fail "reconcile with planted links exited $rc: $(head -3 "$T/err")"
[ "$(cat "$T/target")" = precious ] && ok || fail "reconcile followed a planted symlink"
[ -f "$T/rec/findings.csv" ] && [ ! -L "$T/rec/findings.csv" ] && ok || fail "findings.csv written as a file"

# ---- F6: inputs that are not regular files, refused without reading
mkdir -p "$T/spool"
mkfifo "$T/spool/fifo.bulu"
ln -s /dev/zero "$T/spool/zero.bulu"
mkdir "$T/spool/dir.bulu"
start=$(date +%s)
timeout 20 "$BULU" sync import --ledger "$T/l4.db" --roster "$R" "$T/spool" >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" = 3 ] && ok || fail "a spool of non-files: exit $rc, wanted 3: $(cat "$T/out" "$T/err")"
[ $(($(date +%s) - start)) -lt 10 ] && ok || fail "non-files took too long (read?)"
[ "$(grep -c 'not a regular file' "$T/out")" = 3 ] && ok || fail "each named as not a regular file: $(cat "$T/out")"
timeout 20 "$BULU" sync import --ledger "$T/l4.db" --roster "$R" "$T/spool/fifo.bulu" >"$T/out" 2>&1
[ $? = 3 ] && ok || fail "a FIFO named on the command line: $(cat "$T/out")"

# ---- F6: limits
expect 3 bulu sync import --ledger "$T/l5.db" --roster "$R" --max-entry-size 200 "$GOOD"
grep -q "over the limit of 200 bytes for one entry" "$T/out" && ok || fail "entry limit named: $(cat "$T/out")"
expect 3 bulu sync import --ledger "$T/l5.db" --roster "$R" --max-db-size 64K "$GOOD"
grep -q "larger than 65536 bytes once inflated" "$T/out" && ok || fail "inflated limit named: $(cat "$T/out")"
expect 3 bulu sync import --ledger "$T/l5.db" --roster "$R" --max-bundle-size 1K "$GOOD"
grep -q "over the limit of 1024" "$T/out" && ok || fail "bundle limit named: $(cat "$T/out")"
expect 2 bulu sync import --ledger "$T/l5.db" --roster "$R" --max-entry-size lots "$GOOD"
# a trusted station sends a 2 MB entry (a well-formed, signed chain)
zcat "$GOOD" >"$T/big.db"
sqlite3 "$T/big.db" "UPDATE entries SET body = '{\"note\":\"' || hex(zeroblob(1048576)) || '\"}' WHERE seq = 5"
mkdir -p "$T/bigb"
forge "$S1" "$T/big.db" "$T/bigb/S1-1-$N.bulu" --rehash && ok || fail "forging the big entry"
expect 3 bulu sync import --ledger "$T/l5.db" --roster "$R" "$T/bigb/S1-1-$N.bulu"
grep -q "entry 5 is .* bytes, over the limit" "$T/out" && ok || fail "the 2 MB entry refused: $(cat "$T/out")"
expect 0 bulu sync import --ledger "$T/l5.db" --roster "$R" --max-entry-size 4M "$T/bigb/S1-1-$N.bulu"
# a gzip bomb signed by the station: 64 MB of zeros after the database
zcat "$GOOD" >"$T/bomb.db"
head -c 67108864 /dev/zero >>"$T/bomb.db"
mkdir -p "$T/bomb"
forge "$S1" "$T/bomb.db" "$T/bomb/S1-1-$N.bulu" && ok || fail "forging the bomb"
expect 3 bulu sync import --ledger "$T/l6.db" --roster "$R" --max-db-size 16M "$T/bomb/S1-1-$N.bulu"
grep -q "larger than 16777216 bytes once inflated" "$T/out" && ok || fail "the bomb stops at the limit: $(cat "$T/out")"

# ---- F6: the signed size claim
zcat "$GOOD" >"$T/sz.db"
mkdir -p "$T/sz1" "$T/sz2"
forge "$S1" "$T/sz.db" "$T/sz1/S1-1-$N.bulu" --size-delta 7 && ok || fail "forging a claim 7 bytes long"
expect 3 bulu sync import --ledger "$T/l7.db" --roster "$R" "$T/sz1/S1-1-$N.bulu"
grep -q "bytes but its signature says" "$T/out" && ok || fail "the size claim is enforced: $(cat "$T/out")"
forge "$S1" "$T/sz.db" "$T/sz2/S1-1-$N.bulu" --size-delta -7 && ok || fail "forging a claim 7 bytes short"
expect 3 bulu sync import --ledger "$T/l7.db" --roster "$R" "$T/sz2/S1-1-$N.bulu"
[ "$(sqlite3 "$T/l7.db" "SELECT count(*) FROM entries")" = 0 ] && ok || fail "a wrong size claim merged entries"

# ---- F8: a newline in a bundle's file name
mkdir -p "$T/nl"
NL='x
merged   FORGED.bulu: S9 1-9, 9 entries, 9 new'
cp "$GOOD" "$T/nl/$NL.bulu"
cp "$GOOD.minisig" "$T/nl/$NL.bulu.minisig"
expect 0 bulu sync import --ledger "$T/l8.db" --roster "$R" "$T/nl"
[ "$(wc -l <"$T/out")" = 1 ] && ok || fail "one bundle, one line: $(cat "$T/out")"
grep -q '^merged   FORGED' "$T/out" && fail "a file name forged a log line" || ok
grep -q 'x\\nmerged   FORGED' "$T/out" && ok || fail "the newline is shown escaped: $(cat "$T/out")"
printf '\033[2J' >"$T/esc"
ESC=$(cat "$T/esc")
mkdir -p "$T/esc.d"
cp "$GOOD" "$T/esc.d/a${ESC}b.bulu"
expect 3 bulu sync import --ledger "$T/l9.db" --roster "$R" "$T/esc.d"
grep -q 'a\\x1b\[2Jb' "$T/out" && ok || fail "an escape character is shown escaped: $(cat -v "$T/out")"

finish
