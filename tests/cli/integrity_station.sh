# integrity_station.sh - the station's side of integrity an auditor can check.
#
# A whole station directory restored from a copy is refused before its first
# new save (the head's mirror outside the directory), and after IT accepts
# the restore the invoice numbers used after the copy are never handed out
# again; the head record is signed, and a missing, damaged or forged one is
# an integrity failure for verify and capture alike; capture refuses a
# journal whose quick checks fail (triggers, station row, last entry);
# verify covers the station row and the catalog snapshots; a station made in
# an existing 0755 directory is private.
. "$(dirname "$0")/../lib.sh"

t_outage_station S1 || { finish; exit 1; }
S1=$BULU_HOME
charge() { bulu capture charge --operator 张丽 --patient P1 --item D001:1 --pay cash "$@"; }
invoice_of() { sed -n 's/^  invoice \([0-9]*\),.*/\1/p' "$T/out"; }

# ---- a whole directory restored from a copy (issue 12, item 1)
expect 0 charge
[ "$(invoice_of)" = 000001 ] && ok || fail "first charge takes 000001: $(cat "$T/out")"
cp -a "$S1" "$T/S1.copy"                        # the backup
expect 0 charge
expect 0 charge
[ "$(invoice_of)" = 000003 ] && ok || fail "third charge takes 000003"
LOST_SEQ=$(sqlite3 "$S1/journal.db" "SELECT max(seq) FROM entries")
rm -rf "$S1" && mv "$T/S1.copy" "$S1"           # the restore, head and all
expect 3 charge
grep -q "restored from an old copy" "$T/err" && grep -q "mirror" "$T/err" && grep -q "seq $LOST_SEQ" "$T/err" &&
	ok || fail "capture after a whole-directory restore names the mirror and the lost seq: $(cat "$T/err")"
[ "$(sqlite3 "$S1/journal.db" "SELECT max(seq) FROM entries")" -lt "$LOST_SEQ" ] && ok ||
	fail "nothing was written to the restored copy"
expect 3 bulu journal verify
grep -q "already saved seq $LOST_SEQ" "$T/err" && ok || fail "verify names the lost head: $(cat "$T/err")"
expect 0 bulu journal accept-restore --operator IT --reason "disk replaced, Monday's copy"
[ "$(sqlite3 "$S1/journal.db" "SELECT json_extract(body, '$.invoice_no_max') || ' ' ||
	json_extract(body, '$.lost_head_seq') FROM entries WHERE kind = 'note' ORDER BY seq DESC LIMIT 1")" = "3 $LOST_SEQ" ] &&
	ok || fail "the restore note records the lost head and invoice numbers"
expect 0 charge
[ "$(invoice_of)" = 000004 ] && ok || fail "after the restore the next invoice is 000004, not a lost one: $(cat "$T/out")"
expect 2 charge --invoice 000002
grep -q "lost" "$T/err" && ok || fail "a lost invoice number given by hand is refused: $(cat "$T/err")"
expect 0 bulu journal verify

# A station moved to another machine has no mirror there: it goes on, and
# the next save makes one.
XDG_STATE_HOME=$T/other expect 0 charge
ls "$T/other/bulu/heads/S1-"*.head >/dev/null 2>&1 && ok || fail "the mirror is made on the new machine"
# `mirror = none` in station.conf turns it off; a bad setting is refused.
printf 'mirror = relative/path\n' >"$S1/station.conf"
expect 2 charge
grep -q "station.conf: line 1" "$T/err" && ok || fail "a bad setting names file and line: $(cat "$T/err")"
printf '# no mirror\nmirror = none\n' >"$S1/station.conf"
XDG_STATE_HOME=$T/third expect 0 charge
[ ! -d "$T/third" ] && ok || fail "mirror = none writes no mirror"
rm -f "$S1/station.conf"
expect 0 bulu journal verify

# station init --mirror DIR keeps the mirror where IT says.
expect 0 bulu station init --dir "$T/M1" --station M1 --dept 药房 --role pharmacy --mirror "$T/usbmirror"
ls "$T/usbmirror/M1-"*.head >/dev/null 2>&1 && ok || fail "station init --mirror puts the mirror there"
grep -q "^mirror = $T/usbmirror" "$T/M1/station.conf" && ok || fail "station.conf records the mirror"

# ---- the head record (issue 12, item 2)
fresh() { rm -rf "$T/H"; cp -a "$S1" "$T/H"; }
fresh
rm "$T/H/head"
expect 3 bulu journal verify --dir "$T/H"
grep -q "head record .* is missing" "$T/err" && ok || fail "verify: a missing head is an integrity failure: $(cat "$T/err")"
expect 3 charge --dir "$T/H"
fresh
# Rewrite the head to an earlier seq with a valid-looking checksum: without
# the key its signature cannot be made.
printf 'BULUHEAD' | dd of="$T/H/head" bs=1 seek=192 conv=notrunc 2>/dev/null
dd if=/dev/zero of="$T/H/head" bs=1 seek=24 count=8 conv=notrunc 2>/dev/null
dd if=/dev/zero of="$T/H/head" bs=1 seek=216 count=8 conv=notrunc 2>/dev/null
expect 3 bulu journal verify --dir "$T/H"
grep -q "head record" "$T/err" && ok || fail "verify: a rewritten head is refused: $(cat "$T/err")"
expect 3 charge --dir "$T/H"
# The newest entries deleted (triggers dropped) with the head left: caught.
fresh
sqlite3 "$T/H/journal.db" "DROP TRIGGER entries_no_delete; DELETE FROM entries WHERE seq = (SELECT max(seq) FROM entries)"
expect 3 bulu journal verify --dir "$T/H"
expect 3 charge --dir "$T/H"

# ---- quick checks before a save (issue 12, item 8: a tampered journal still accepted captures)
fresh
sqlite3 "$T/H/journal.db" "DROP TRIGGER entries_no_update"
expect 3 charge --dir "$T/H"
grep -q "triggers" "$T/err" && ok || fail "capture refuses a journal without its triggers: $(cat "$T/err")"
fresh
sqlite3 "$T/H/journal.db" "DROP TRIGGER entries_no_update; UPDATE entries SET body = replace(body, '350', '351')
	WHERE seq = (SELECT max(seq) FROM entries); CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
BEGIN SELECT RAISE(ABORT, 'journal entries are append-only: a correction is a new entry (bulu capture void)'); END;"
expect 3 charge --dir "$T/H"
grep -q "edited" "$T/err" && ok || fail "capture refuses an edited last entry: $(cat "$T/err")"

# ---- the station row and the catalog are covered (issue 12, item 4)
fresh
sqlite3 "$T/H/journal.db" "DROP TRIGGER station_no_update; UPDATE station SET dept = '药房';
CREATE TRIGGER station_no_update BEFORE UPDATE ON station
BEGIN SELECT RAISE(ABORT, 'the station record is fixed at bulu station init'); END;"
expect 3 bulu journal verify --dir "$T/H"
grep -q "station row's dept" "$T/err" && ok || fail "verify: an edited department: $(cat "$T/err")"
expect 3 charge --dir "$T/H"
fresh
sqlite3 "$T/H/journal.db" "DROP TRIGGER catalog_no_update; UPDATE catalog_items SET price_fen = 1 WHERE code = 'D001';
CREATE TRIGGER catalog_no_update BEFORE UPDATE ON catalog_items
BEGIN SELECT RAISE(ABORT, 'catalog snapshots are kept as loaded'); END;"
expect 3 bulu journal verify --dir "$T/H"
grep -q "catalog snapshot of seq 2" "$T/err" && ok || fail "verify: an edited catalog price: $(cat "$T/err")"
fresh
sqlite3 "$T/H/journal.db" "CREATE TRIGGER sneaky AFTER INSERT ON entries BEGIN SELECT 1; END;"
expect 3 bulu journal verify --dir "$T/H"
grep -q "triggers" "$T/err" && ok || fail "verify: an added trigger: $(cat "$T/err")"

# ---- verify reads only (issue 12, item 5: it checkpointed the WAL into journal.db)
expect 0 charge                                 # leaves entries in the -wal
[ -s "$S1/journal.db-wal" ] && ok || fail "the newest entries sit in journal.db-wal"
b2sum "$S1"/journal.db* >"$T/before"
expect 0 bulu journal verify
b2sum "$S1"/journal.db* | cmp -s - "$T/before" && ok || fail "verify changed journal.db, -wal or -shm"
# An auditor's copy without its -shm: read through a private copy, unchanged.
fresh
rm -f "$T/H/journal.db-shm"
b2sum "$T/H"/journal.db* >"$T/before"
expect 0 bulu journal verify --dir "$T/H"
b2sum "$T/H"/journal.db* | cmp -s - "$T/before" && ok || fail "verify of a copy without -shm changed it"
[ ! -e "$T/H/journal.db-shm" ] && ok || fail "verify made a -shm"

# ---- the key is checked against a copy kept elsewhere (issue 12, item 4)
bulu station pubkey >"$T/s1.pub"
expect 0 bulu journal verify --pubkey "$T/s1.pub"
grep -q "(as given)" "$T/out" && ok || fail "verify --pubkey says the key was checked"
# Another station's whole directory, key and all, passed off as S1's: only
# the outside copy of the key tells.
OTHER=$T/other-S1
expect 0 bulu station init --dir "$OTHER" --station S1 --dept 门诊收费 --role cashier
expect 0 bulu journal verify --dir "$OTHER"
expect 3 bulu journal verify --dir "$OTHER" --pubkey "$T/s1.pub"
grep -q "not with the key of" "$T/err" && ok || fail "verify --pubkey names the other key: $(cat "$T/err")"
printf 'S1\t门诊收费\tcashier\t%s\n' "$(sed -n 2p "$T/s1.pub")" >"$T/roster.txt"
expect 0 bulu journal verify --roster "$T/roster.txt"
expect 3 bulu journal verify --dir "$OTHER" --roster "$T/roster.txt"
grep -q "roster .* trusts key" "$T/err" && ok || fail "verify --roster names the trusted key: $(cat "$T/err")"
# public.key and secret.key must be the journal's key.
fresh
cp "$OTHER/public.key" "$T/H/public.key"
expect 3 bulu journal verify --dir "$T/H"
grep -q "public.key is not the key" "$T/err" && ok || fail "verify compares public.key: $(cat "$T/err")"
fresh
cp "$OTHER/secret.key" "$T/H/secret.key"
expect 3 bulu journal verify --dir "$T/H"
grep -q "secret.key is not the secret half" "$T/err" && ok || fail "verify compares secret.key: $(cat "$T/err")"
expect 3 charge --dir "$T/H"

# ---- money and quantity bounds at every way in (issue 12, item 7)
expect 2 charge --item D001:9223372036854775807:0.01
grep -q "max_qty" "$T/err" && ok || fail "an absurd quantity is refused: $(cat "$T/err")"
expect 2 bulu capture charge --operator 张丽 --patient P1 --item D001:1:1000000.01 --pay cash
grep -q "max_line_fen" "$T/err" && ok || fail "an absurd price is refused: $(cat "$T/err")"
t_charge_forms 2 "$T/forms.csv"
sed -i '3s/,D001,1,/,D001,100001,/' "$T/forms.csv"
before=$(sqlite3 "$S1/journal.db" "SELECT count(*) FROM entries")
expect 2 bulu capture import "$T/forms.csv"
grep -q "forms.csv:3:9 (qty)" "$T/err" && ok || fail "import names row and column of a bound: $(cat "$T/err")"
[ "$(sqlite3 "$S1/journal.db" "SELECT count(*) FROM entries")" = "$before" ] && ok || fail "a refused import saved nothing"
printf 'max_qty = 200000\nmax_line_fen = 100000000000\nmax_form_fen = 100000000000\n' >"$S1/station.conf"
expect 0 bulu capture import "$T/forms.csv"
printf 'max_form_fen = 300\n' >"$S1/station.conf"
expect 2 charge
grep -q "max_form_fen 300" "$T/err" && ok || fail "max_form_fen from station.conf: $(cat "$T/err")"
rm -f "$S1/station.conf"

# The cash-up never fails on stored data: an absurd amount (an old journal)
# is reported and left out, and the shift still closes.
fresh
sqlite3 "$T/H/journal.db" "DROP TRIGGER entries_no_update; UPDATE entries SET body = json_set(body, '$.total', 9223372036854775807)
	WHERE seq IN (SELECT seq FROM entries WHERE kind = 'charge' ORDER BY seq LIMIT 2)"
expect 1 bulu capture summary --dir "$T/H" --operator 张丽 --all
grep -q "未计入 not added: 2 entries" "$T/out" && ok || fail "the cash-up lists what it cannot add: $(cat "$T/out")"
grep -q "net total" "$T/out" && ok || fail "the cash-up still closes with a net total"
expect 1 bulu capture summary --dir "$T/H" --operator 张丽 --all --format json
grep -q '"not_added":\[{"entry":' "$T/out" && ok || fail "json lists not_added"

# ---- smaller items (issue 12, item 8)
# catalog load refuses a row with an extra cell (an unquoted comma in a price).
{ echo "code,name,pinyin,unit,price,category,version"; echo "X001,甲,J,盒,12,345.00,西药,V9"; } >"$T/cat-extra.csv"
expect 2 bulu catalog load "$T/cat-extra.csv"
grep -q "cat-extra.csv:2:8: a cell more than the header's 7 columns" "$T/err" && ok ||
	fail "an extra cell is named by file, row and column: $(cat "$T/err")"
# capture import of a device or a FIFO is refused without reading.
expect 2 timeout 10 "$BULU" capture import /dev/zero
grep -q "not a regular file" "$T/err" && ok || fail "capture import /dev/zero is refused: $(cat "$T/err")"
mkfifo "$T/fifo"
expect 2 timeout 10 "$BULU" capture import "$T/fifo"
# Past ulimit -f: a clear message and exit 4, not a silent death by SIGXFSZ.
expect 4 sh -c "ulimit -f 1; \"\$BULU\" station init --dir '$T/tiny' --station T9 --dept 门诊 --role cashier"
grep -q "file size limit" "$T/err" && ok || fail "SIGXFSZ becomes a message: $(cat "$T/err")"

# ---- a station made in an existing 0755 directory is private (issue 12, item 8)
mkdir -m 0755 "$T/open"
: >"$T/open/station.conf"
chmod 0644 "$T/open/station.conf"
expect 0 bulu station init --dir "$T/open" --station P1 --dept 门诊 --role cashier
[ "$(stat -c %a "$T/open")" = 700 ] && ok || fail "the station directory is 0700: $(stat -c %a "$T/open")"
bad=$(find "$T/open" -type f ! -perm 0600 | head -3)
[ -z "$bad" ] && ok || fail "every file is 0600: $bad"

finish
