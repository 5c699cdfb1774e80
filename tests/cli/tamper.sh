# tamper.sh - R2, the journal part: SQL edits of a station journal.
#
# With the append-only triggers in place, the stock sqlite3 CLI cannot
# UPDATE, DELETE, INSERT OR REPLACE / REPLACE INTO / INSERT OR IGNORE over an
# entry, insert after a gap or off the chain, and the journal stays byte for
# byte as it was.  With the triggers dropped, every edit -- a body, a time,
# an operator, two rows' bodies swapped, the last entry or a middle one
# deleted, a signature swapped, a forged entry appended, an edit with every
# hash and link recomputed, another key put in the station record, or just
# the triggers gone -- makes `bulu journal verify` exit 3 with a message
# naming the seq.  Each case works on a fresh copy of one pristine station.
. "$(dirname "$0")/../lib.sh"

t_station ST1 cashier || { finish; exit 1; }
PRISTINE=$BULU_HOME
bulu outage start --at "2026-11-21 08:30" --note "系统宕机 HIS down" >/dev/null 2>"$T/err" || fail "outage start"
bulu outage end --note "恢复运行" >/dev/null 2>"$T/err" || fail "outage end"
bulu outage start --at "2026-11-22 14:00" --operator 王五 >/dev/null 2>"$T/err" || fail "outage start 2"
bulu outage end --operator 王五 >/dev/null 2>"$T/err" || fail "outage end 2"
bulu outage start --at "2026-11-23 07:45" --drill >/dev/null 2>"$T/err" || fail "outage start 3"
LAST=6
n=$(sqlite3 "$PRISTINE/journal.db" "SELECT count(*) FROM entries")
[ "$n" = "$LAST" ] && ok || fail "the pristine journal holds $n entries, wanted $LAST"
expect 0 bulu journal verify

# The whole table, every column, as hex: what "unchanged" means.
dump() { sqlite3 "$1/journal.db" "SELECT seq, station, hex(prev_hash), hex(hash), hex(sig), kind,
	recorded_at, operator, episode, hex(body) FROM entries ORDER BY seq; SELECT * FROM station"; }
dump "$PRISTINE" >"$T/pristine.dump"

CASE=0
# fresh: a new copy of the pristine station in $D, BULU_HOME pointing at it.
fresh() {
	CASE=$((CASE + 1))
	D="$T/case$CASE"
	cp -a "$PRISTINE" "$D"
	BULU_HOME=$D
	export BULU_HOME
}
sql() { sqlite3 "$D/journal.db" "$@" >"$T/sql.out" 2>"$T/sql.err"; }

# blocked WHAT SQL: sqlite3 must fail (a trigger says no), and the journal
# stay exactly as it was.
blocked() {
	what=$1
	shift
	fresh
	if sql "$@"; then fail "$what: sqlite3 accepted it"; else ok; fi
	# refused by a trigger, not by a typo in this script
	grep -q "append\|fixed at bulu station init" "$T/sql.err" && ok ||
		fail "$what: not refused by a trigger: $(cat "$T/sql.err")"
	dump "$D" >"$T/after.dump"
	check "$what: journal changed" cmp -s "$T/pristine.dump" "$T/after.dump"
	expect 0 bulu journal verify
}

COLS="station, seq, prev_hash, hash, sig, kind, recorded_at, operator, episode, body"
blocked "UPDATE body" "UPDATE entries SET body = '{\"total_fen\":1}' WHERE seq = 3"
blocked "UPDATE recorded_at" "UPDATE entries SET recorded_at = '2020-01-01T00:00:00+08:00'"
blocked "DELETE one" "DELETE FROM entries WHERE seq = $LAST"
blocked "DELETE all" "DELETE FROM entries"
blocked "INSERT OR REPLACE existing seq" \
	"INSERT OR REPLACE INTO entries ($COLS) SELECT station, seq, prev_hash, hash, sig, kind,
	 recorded_at, 'mallory', episode, body FROM entries WHERE seq = 3"
blocked "REPLACE INTO existing seq" \
	"REPLACE INTO entries ($COLS) SELECT station, seq, prev_hash, hash, sig, kind,
	 recorded_at, operator, episode, '{}' FROM entries WHERE seq = 2"
blocked "INSERT OR IGNORE existing seq" \
	"INSERT OR IGNORE INTO entries ($COLS) SELECT station, seq, prev_hash, hash, sig, kind,
	 recorded_at, operator, episode, '{}' FROM entries WHERE seq = 2"
blocked "INSERT after a gap" \
	"INSERT INTO entries ($COLS) SELECT station, seq + 2, hash, hash, sig, kind,
	 recorded_at, operator, episode, body FROM entries WHERE seq = $LAST"
blocked "INSERT with a wrong prev_hash" \
	"INSERT INTO entries ($COLS) SELECT station, seq + 1, prev_hash, hash, sig, kind,
	 recorded_at, operator, episode, body FROM entries WHERE seq = $LAST"
blocked "INSERT for another station" \
	"INSERT INTO entries ($COLS) SELECT 'ST2', seq + 1, hash, hash, sig, kind,
	 recorded_at, operator, episode, body FROM entries WHERE seq = $LAST"
blocked "UPDATE the station record" "UPDATE station SET pubkey = zeroblob(32)"

# tampered WHAT SEQ SQL: with the triggers dropped the edit goes in, and
# the triggers are put back as they were (tracks covered), so what catches
# the edit is the chain, not the missing triggers; verify must exit 3 naming
# SEQ.  SEQ "-": no entry changed, nothing to name, triggers left as SQL says.
DROP="DROP TRIGGER entries_no_update; DROP TRIGGER entries_no_delete; DROP TRIGGER entries_append_next;"
RESTORE=$(sqlite3 "$PRISTINE/journal.db" "SELECT sql || ';' FROM sqlite_master WHERE type = 'trigger'
	AND name IN ('entries_no_update', 'entries_no_delete', 'entries_append_next')")
tampered() {
	what=$1 seq=$2
	shift 2
	fresh
	if [ "$seq" = - ]; then again=""; else again=$RESTORE; fi
	sql "$DROP $* ; $again" || fail "$what: sqlite3: $(cat "$T/sql.err")"
	dump "$D" >"$T/after.dump"
	if [ "$seq" != - ] && cmp -s "$T/pristine.dump" "$T/after.dump"; then
		fail "$what: the edit did not change the journal"
	fi
	expect 3 bulu journal verify
	if [ "$seq" = - ] || grep -q "seq $seq\b" "$T/err"; then ok; else fail "$what: message does not name seq $seq"; fi
	if [ -s "$T/out" ] && grep -q '^ok' "$T/out"; then fail "$what: verify printed ok"; else ok; fi
}

tampered "edit a body" 3 "UPDATE entries SET body = replace(body, '恢复运行', '恢复运行!') WHERE seq = 3"
tampered "edit recorded_at" 4 "UPDATE entries SET recorded_at = '2026-11-22T13:59:59+08:00' WHERE seq = 4"
tampered "edit operator" 5 "UPDATE entries SET operator = 'mallory' WHERE seq = 5"
tampered "edit episode" 2 "UPDATE entries SET episode = 'OUT-20261121-0831' WHERE seq = 2"
tampered "edit kind" 6 "UPDATE entries SET kind = 'note' WHERE seq = 6"
tampered "swap two rows' bodies" 2 "
	CREATE TEMP TABLE b AS SELECT seq, body FROM entries WHERE seq IN (2, 4);
	UPDATE entries SET body = (SELECT body FROM b WHERE b.seq = 4) WHERE seq = 2;
	UPDATE entries SET body = (SELECT body FROM b WHERE b.seq = 2) WHERE seq = 4;"
tampered "swap two whole rows' contents" 3 "
	CREATE TEMP TABLE r AS SELECT * FROM entries WHERE seq IN (3, 5);
	DELETE FROM entries WHERE seq IN (3, 5);
	INSERT INTO entries ($COLS) SELECT station, 8 - seq, prev_hash, hash, sig, kind, recorded_at,
		operator, episode, body FROM r;"
tampered "delete the last entry" $LAST "DELETE FROM entries WHERE seq = $LAST"
grep -q "old copy" "$T/err" && ok || fail "delete the last entry: message does not say the journal is behind"
tampered "delete a middle entry" 3 "DELETE FROM entries WHERE seq = 3"
grep -q "missing" "$T/err" && ok || fail "delete a middle entry: message does not say missing"
tampered "delete the first entry" 1 "DELETE FROM entries WHERE seq = 1"
tampered "renumber to close a gap" 3 "DELETE FROM entries WHERE seq = 3;
	UPDATE entries SET seq = seq - 1 WHERE seq > 3"
tampered "replace a signature with another entry's" 4 \
	"UPDATE entries SET sig = (SELECT sig FROM entries WHERE seq = 5) WHERE seq = 4"
tampered "flip one bit of a signature" 2 \
	"UPDATE entries SET sig = CAST((CASE WHEN substr(sig, 1, 1) = x'00' THEN x'01' ELSE x'00' END)
	 || substr(sig, 2) AS BLOB) WHERE seq = 2"
tampered "a forged entry appended" $((LAST + 1)) \
	"INSERT INTO entries ($COLS) SELECT station, seq + 1, hash, hash, sig, 'note',
	 recorded_at, operator, episode, '{\"text\":\"forged\"}' FROM entries WHERE seq = $LAST"
tampered "triggers dropped" - ""
grep -q "trigger" "$T/err" && ok || fail "triggers dropped: message does not name the triggers"
tampered "one trigger replaced by a harmless one" - \
	"CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries BEGIN SELECT 1; END;
	 CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries BEGIN SELECT RAISE(ABORT, 'no'); END;
	 CREATE TRIGGER entries_append_next BEFORE INSERT ON entries BEGIN SELECT RAISE(ABORT, 'no'); END;"

# The station's key swapped for another station's: the first entry no
# longer binds it (and no signature verifies under it).
fresh
t_station ST9 cashier >/dev/null 2>&1
OTHER=$BULU_HOME
BULU_HOME=$D
sql "ATTACH '$OTHER/journal.db' AS other; DROP TRIGGER main.station_no_update;
	UPDATE main.station SET pubkey = (SELECT pubkey FROM other.station)" ||
	fail "key swap: $(cat "$T/sql.err")"
expect 3 bulu journal verify
grep -q "seq 1\b" "$T/err" && ok || fail "key swap: message does not name seq 1"

# An edit with every hash and link recomputed (BLAKE2b is public): only
# the signatures, which need the station's secret key, catch it.
if need python3; then
fresh
if python3 - "$D/journal.db" 3 <<'EOF'
import hashlib, sqlite3, struct, sys
db = sqlite3.connect(sys.argv[1])
db.executescript("DROP TRIGGER entries_no_update;")
start = int(sys.argv[2])
lp = lambda b: struct.pack("<I", len(b)) + b
rows = db.execute("SELECT station, seq, prev_hash, kind, recorded_at, operator, episode, CAST(body AS BLOB) "
                  "FROM entries ORDER BY seq").fetchall()
prev = None
for station, seq, prev_hash, kind, at, op, ep, body in rows:
    if seq < start:
        prev = db.execute("SELECT hash FROM entries WHERE seq = ?", (seq,)).fetchone()[0]
        continue
    if seq == start:
        body = body.replace(b'"note":"', b'"note":"X')
    enc = (lp(b"bulu/journal-entry/v1") + lp(station.encode()) + struct.pack("<Q", seq) + lp(prev) +
           lp(kind.encode()) + lp(at.encode()) + lp(op.encode()) + lp(ep.encode()) + lp(body))
    h = hashlib.blake2b(enc, digest_size=32).digest()
    db.execute("UPDATE entries SET prev_hash = ?, hash = ?, body = ? WHERE seq = ?",
               (prev, h, body.decode(), seq))
    prev = h
db.execute("""CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
BEGIN SELECT RAISE(ABORT, 'journal entries are append-only: a correction is a new entry (bulu capture void)'); END;""")
db.commit()
EOF
then ok; else fail "rehash: python3 failed"; fi
dump "$D" >"$T/after.dump"
cmp -s "$T/pristine.dump" "$T/after.dump" && fail "rehash: nothing changed" || ok
expect 3 bulu journal verify
grep -q "seq 3\b" "$T/err" && grep -q "signature" "$T/err" && ok ||
	fail "rehash: message does not name seq 3 and its signature"
fi

# The pristine station was never touched by any of this.
BULU_HOME=$PRISTINE
dump "$PRISTINE" >"$T/after.dump"
check "pristine journal changed" cmp -s "$T/pristine.dump" "$T/after.dump"
expect 0 bulu journal verify
finish
