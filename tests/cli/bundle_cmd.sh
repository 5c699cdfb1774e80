# bundle_cmd.sh - `bulu bundle verify` and `bulu bundle open`: one bundle
# in an auditor's hands.  verify against a station's public key or the
# roster (plain, sealed with and without the central key, damaged, forged,
# signed by another key, not a file), writing nothing; open unseals with the
# central key into a new 0600 file that zcat and sqlite3 read, verifying
# first when given a key, refusing what exists, what is not sealed, another
# central key, and what does not verify.
. "$(dirname "$0")/../lib.sh"
: "${TOOLS:?TOOLS must point at the built test tools}"
export BULU_OPERATOR=op1
R=$T/roster.txt

t_outage_station S1 || exit 1
S1=$BULU_HOME
t_charge_forms 12 "$T/c.csv"
expect 0 bulu capture import "$T/c.csv"
expect 0 bulu roster add --roster "$R" --from-station "$S1"
bulu station pubkey >"$T/s1.pub"
N=$(sqlite3 "$S1/journal.db" "SELECT max(seq) FROM entries")
expect 0 bulu central init --dir "$T/central"
expect 0 bulu sync export --out "$T/plain"
P=$T/plain/S1-1-$N.bulu
expect 0 bulu sync export --all --out "$T/sealed" --seal-to "$T/central/central.pub"
S=$T/sealed/S1-1-$N.bulu

# ---- verify
b2sum "$P" "$P.minisig" >"$T/before"
expect 0 bulu bundle verify "$P" --pubkey "$T/s1.pub"
grep -q "^verified .*station S1, seqs 1-$N, .*every hash, link and signature ($N entries" "$T/out" && ok ||
	fail "verify says what it checked: $(cat "$T/out")"
expect 0 bulu bundle verify "$P" --roster "$R"
b2sum "$P" "$P.minisig" >"$T/after"
cmp -s "$T/before" "$T/after" && ok || fail "verify changed the bundle"
[ "$(ls "$T/plain" | wc -l)" = 2 ] && ok || fail "verify wrote files beside the bundle"
expect 0 bulu bundle verify "$S" --pubkey "$T/s1.pub"
grep -q "sealed: the signature, claim and size only" "$T/out" && ok || fail "sealed, no central key: $(cat "$T/out")"
expect 0 bulu bundle verify "$S" --pubkey "$T/s1.pub" --central "$T/central"
grep -q "sealed, every hash, link and signature" "$T/out" && ok || fail "sealed with the central key: $(cat "$T/out")"
# another station's key
expect 0 bulu station init --dir "$T/S9" --station S9 --dept 门诊 --role cashier
bulu station pubkey --dir "$T/S9" >"$T/s9.pub"
expect 3 bulu bundle verify "$P" --pubkey "$T/s9.pub"
grep -q "unknown station key" "$T/out" && ok || fail "another key: $(cat "$T/out")"
# a damaged copy: its verifiable prefix
mkdir "$T/dmg"
head -c $(($(wc -c <"$P") * 2 / 3)) "$P" >"$T/dmg/S1-1-$N.bulu"
cp "$P.minisig" "$T/dmg/"
expect 1 bulu bundle verify "$T/dmg/S1-1-$N.bulu" --pubkey "$T/s1.pub"
grep -q "^damaged .*damaged copy" "$T/out" && ok || fail "a damaged copy: $(cat "$T/out")"
# a garbled entry signature under a good file signature
zcat "$P" >"$T/bad.db"
sqlite3 "$T/bad.db" "UPDATE entries SET sig = zeroblob(64) WHERE seq = 7"
mkdir "$T/bad"
"$TOOLS/bundle_forge" "$S1" "$T/bad.db" "$T/bad/S1-1-$N.bulu" && ok || fail "forging"
expect 3 bulu bundle verify "$T/bad/S1-1-$N.bulu" --pubkey "$T/s1.pub"
grep -q "signature of entry 7 does not verify" "$T/out" && ok || fail "a garbled entry signature: $(cat "$T/out")"
# not a file
mkfifo "$T/fifo.bulu"
timeout 20 "$BULU" bundle verify "$T/fifo.bulu" --pubkey "$T/s1.pub" >"$T/out" 2>&1
[ $? = 3 ] && grep -q "not a regular file" "$T/out" && ok || fail "a FIFO: $(cat "$T/out")"
expect 3 bulu bundle verify "$P" --pubkey "$T/s1.pub" --max-entry-size 100
expect 2 bulu bundle verify "$P"
expect 2 bulu bundle verify --pubkey "$T/s1.pub"
expect 2 bulu bundle verify "$P" --pubkey "$T/s1.pub" --roster "$R"

# ---- open
expect 0 bulu bundle open "$S" --central "$T/central" --out "$T/open.bulu"
zcat "$T/open.bulu" >"$T/open.db" && ok || fail "zcat reads the opened bundle"
[ "$(sqlite3 "$T/open.db" "SELECT count(*), min(seq), max(seq) FROM entries")" = "$N|1|$N" ] && ok ||
	fail "sqlite3 reads its entries"
zcat "$P" >"$T/plain.db"
[ "$(sqlite3 "$T/open.db" "SELECT hex(hash) FROM entries ORDER BY seq")" = \
	"$(sqlite3 "$T/plain.db" "SELECT hex(hash) FROM entries ORDER BY seq")" ] && ok ||
	fail "the opened bundle holds the plain one's entries"
[ "$(stat -c %a "$T/open.bulu")" = 600 ] && ok || fail "the opened bundle is 0600: $(stat -c %a "$T/open.bulu")"
expect 2 bulu bundle open "$S" --central "$T/central" --out "$T/open.bulu"
grep -q "exists" "$T/err" && ok || fail "an existing output is refused: $(cat "$T/err")"
expect 0 bulu bundle open "$S" --central "$T/central" --out "$T/open2.bulu" --pubkey "$T/s1.pub"
expect 0 bulu bundle open "$S" --central "$T/central" --out "$T/open3.bulu" --roster "$R"
expect 2 bulu bundle open "$P" --central "$T/central" --out "$T/open4.bulu"
grep -q "not sealed" "$T/err" && ok || fail "a plain bundle: $(cat "$T/err")"
expect 0 bulu central init --dir "$T/central2"
expect 3 bulu bundle open "$S" --central "$T/central2" --out "$T/open5.bulu"
[ ! -e "$T/open5.bulu" ] && ok || fail "another central key wrote a file"
# a bundle with a garbled entry, signed by the station: open --pubkey verifies first and refuses it
expect 3 bulu bundle open "$T/bad/S1-1-$N.bulu" --central "$T/central" --out "$T/open6.bulu" --pubkey "$T/s1.pub"
[ ! -e "$T/open6.bulu" ] && ok || fail "a bundle that does not verify was opened"
timeout 20 "$BULU" bundle open "$T/fifo.bulu" --central "$T/central" --out "$T/open7.bulu" >"$T/out" 2>&1
[ $? = 2 ] && grep -q "not a regular file" "$T/out" && ok || fail "open of a FIFO: $(cat "$T/out")"
expect 2 bulu bundle open "$S" --out "$T/open8.bulu"
expect 2 bulu bundle open "$S" --central "$T/central"

finish
