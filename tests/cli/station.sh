# station.sh - R6 and the station's command-line promises.
#
# station init prints the public key in minisign's format (and `station
# pubkey` the same), whose key id is BLAKE2b-256(pk)[0..8] and whose key is
# the one in the journal; the stock minisign verifies a signature made with
# the station's secret key against it; secret.key is 0600, and a key readable
# by others stops every write (exit 3, naming the file and "chmod 600",
# journal unchanged); a station is never re-initialised and bad ids are
# refused (exit 2); every command in `bulu help` answers --help; unknown
# commands exit 2; a passphrase-protected key writes only with the right
# passphrase; an old copy restored is refused until `journal accept-restore`.
. "$(dirname "$0")/../lib.sh"

# --- init, the public key -------------------------------------------------
BULU_HOME="$T/ST1"
export BULU_HOME
expect 0 bulu station init --station ST1 --dept 门诊收费 --role cashier
cp "$T/out" "$T/init.pub"
[ "$(wc -l <"$T/init.pub")" -eq 2 ] && ok || fail "init printed $(wc -l <"$T/init.pub") lines, wanted 2"
head -1 "$T/init.pub" | grep -q '^untrusted comment: ' && ok || fail "line 1 is not an untrusted comment"
KEY=$(sed -n 2p "$T/init.pub")
printf '%s' "$KEY" | base64 -d >"$T/pub.bin" 2>/dev/null && ok || fail "line 2 is not base64: $KEY"
[ "$(wc -c <"$T/pub.bin")" -eq 42 ] && ok || fail "the key decodes to $(wc -c <"$T/pub.bin") bytes, wanted 42"
[ "$(head -c 2 "$T/pub.bin")" = "Ed" ] && ok || fail "the key does not start with Ed"
PK=$(tail -c 32 "$T/pub.bin" | od -An -tx1 | tr -d ' \n')
KEYID=$(head -c 10 "$T/pub.bin" | tail -c 8 | od -An -tx1 | tr -d ' \n')
DBPK=$(sqlite3 "$BULU_HOME/journal.db" "SELECT lower(hex(pubkey)) FROM station")
[ "$PK" = "$DBPK" ] && ok || fail "the printed key $PK is not the journal's $DBPK"
sqlite3 "$BULU_HOME/journal.db" "SELECT json_extract(body, '$.pubkey') FROM entries WHERE seq = 1" |
	grep -qx "$PK" && ok || fail "the first entry does not bind the printed key"
if need b2sum; then
	WANT=$(tail -c 32 "$T/pub.bin" | b2sum -l 256 | cut -c1-16)
	[ "$KEYID" = "$WANT" ] && ok || fail "key id $KEYID is not BLAKE2b-256(pk)[0..8] = $WANT"
fi
expect 0 bulu station pubkey
check "station pubkey differs from what init printed" cmp -s "$T/out" "$T/init.pub"
check "public.key differs from what init printed" cmp -s "$BULU_HOME/public.key" "$T/init.pub"
expect 0 bulu station pubkey --dir "$BULU_HOME"
check "station pubkey --dir differs" cmp -s "$T/out" "$T/init.pub"
expect 0 bulu station info
grep -q '^station: ST1$' "$T/out" && grep -q '^last_seq: 1$' "$T/out" && ok || fail "station info: $(cat "$T/out")"

# The stock minisign checks a signature made with the station's secret key
# (an ED prehashed signature, minisign's default) against our public key.
if need minisign python3 py:cryptography; then
	printf 'a file a station signed\n' >"$T/signed.txt"
	if python3 - "$BULU_HOME/secret.key" "$T/signed.txt" "$KEYID" >"$T/signed.txt.minisig" <<'EOF'
import base64, hashlib, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
rec = base64.b64decode(open(sys.argv[1]).read().splitlines()[1])
assert rec[:2] == b"BK" and rec[2] == 0, "not an unprotected bulu secret key"
keyid = rec[3:11]
assert keyid.hex() == sys.argv[3], "secret.key's key id differs from public.key's"
sk = Ed25519PrivateKey.from_private_bytes(rec[67:67 + 32])
sig = sk.sign(hashlib.blake2b(open(sys.argv[2], "rb").read(), digest_size=64).digest())
trusted = b"file:signed.txt"
glob = sk.sign(sig + trusted)
print("untrusted comment: signature from a bulu station key")
print(base64.b64encode(b"ED" + keyid + sig).decode())
print("trusted comment: " + trusted.decode())
print(base64.b64encode(glob).decode())
EOF
	then
		expect 0 minisign -Vm "$T/signed.txt" -P "$KEY"
		grep -q 'Signature and comment signature verified' "$T/out" "$T/err" && ok ||
			fail "minisign did not verify: $(cat "$T/out" "$T/err")"
		printf 'changed\n' >>"$T/signed.txt"
		expect 1 minisign -Vm "$T/signed.txt" -P "$KEY"
	else
		fail "could not sign with the station's secret key"
	fi
fi

# --- the secret key file ----------------------------------------------------
[ "$(stat -c %a "$BULU_HOME/secret.key")" = 600 ] && ok || fail "secret.key mode is $(stat -c %a "$BULU_HOME/secret.key")"
[ "$(stat -c %a "$BULU_HOME/head")" = 600 ] && ok || fail "head mode is $(stat -c %a "$BULU_HOME/head")"
expect 0 bulu outage start --at "2026-11-21 08:30"
grep -q '^saved BL-ST1-2 outage_start' "$T/out" && ok || fail "outage start said: $(cat "$T/out")"
for mode in 644 640 604; do
	chmod $mode "$BULU_HOME/secret.key"
	t_snapshot "$T/before"
	expect 3 bulu outage end
	grep -q "$BULU_HOME/secret.key" "$T/err" && grep -q 'chmod 600' "$T/err" && ok ||
		fail "mode $mode: the message does not name the key file and chmod 600"
	[ -s "$T/out" ] && fail "mode $mode: something was printed on stdout" || ok
	t_snapshot "$T/after"
	check "mode $mode: the journal changed" cmp -s "$T/before" "$T/after"
done
expect 0 bulu journal verify # reading needs no secret key
chmod 600 "$BULU_HOME/secret.key"
expect 0 bulu outage end

# --- init refusals ------------------------------------------------------------
t_snapshot "$T/before"
cp "$BULU_HOME/secret.key" "$T/key.before"
expect 2 bulu station init --station ST1 --dept 门诊收费 --role cashier
expect 2 bulu station init --station OTHER --dept 药房 --role pharmacy
t_snapshot "$T/after"
check "re-init changed the journal" cmp -s "$T/before" "$T/after"
check "re-init changed the key" cmp -s "$T/key.before" "$BULU_HOME/secret.key"
for bad in "ST-1" "ST 1" "" "站一" "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456" "../x"; do
	expect 2 bulu station init --dir "$T/bad" --station "$bad" --dept d --role r
	[ -e "$T/bad/journal.db" ] && fail "bad id '$bad' made a journal" || ok
done
expect 2 bulu station init --dir "$T/bad" --station OK1 --dept d
expect 2 bulu station init --dir "$T/bad" --station OK1 --dept d --role r --bogus
[ -e "$T/bad/journal.db" ] && fail "a refused init made a journal" || ok
# 32 characters is the longest id allowed.
expect 0 bulu station init --dir "$T/long" --station ABCDEFGHIJKLMNOPQRSTUVWXYZ012345 --dept d --role r

# The default directory: $BULU_HOME, else $XDG_DATA_HOME/bulu/station.
(
	unset BULU_HOME
	XDG_DATA_HOME="$T/xdg" HOME="$T/home" "$BULU" station init --station XDG1 --dept d --role r
) >/dev/null 2>&1
[ -f "$T/xdg/bulu/station/journal.db" ] && ok || fail "no station made under \$XDG_DATA_HOME/bulu/station"
(
	unset BULU_HOME XDG_DATA_HOME
	HOME="$T/home" "$BULU" station init --station HOME1 --dept d --role r
) >/dev/null 2>&1
[ -f "$T/home/.local/share/bulu/station/journal.db" ] && ok || fail "no station made under ~/.local/share/bulu/station"

# --- help and usage -----------------------------------------------------------
expect 0 bulu help
cp "$T/out" "$T/help"
grep -q '^usage: bulu' "$T/help" && ok || fail "bulu help prints no usage line"
# `bulu reconcile` and `bulu sim` are commands of their own, without a
# second word (help pads them, where GROUP NAME has one space); `bulu sim`
# has a subcommand too, `bulu sim score`
STANDALONE="reconcile sim"
grep '^  bulu ' "$T/help" |
	awk -v s=" $STANDALONE " '!(index(s, " " $2 " ") && $0 ~ ("^  bulu " $2 "  ")) {print $2, $3}' >"$T/commands"
for cmd in $STANDALONE; do
	grep -q "^  bulu $cmd " "$T/help" && ok || fail "bulu help does not list bulu $cmd"
	expect 0 bulu "$cmd" --help
	grep -q "^usage: bulu $cmd " "$T/out" && ok || fail "bulu $cmd --help prints no usage line"
	expect 2 bulu "$cmd"
	expect 2 bulu "$cmd" frobnicate
	grep -q "unexpected argument 'frobnicate'" "$T/err" && ok || fail "bulu $cmd frobnicate: $(cat "$T/err")"
done
[ "$(wc -l <"$T/commands")" -ge 20 ] && ok || fail "bulu help lists only $(wc -l <"$T/commands") commands"
grep -qx 'capture import' "$T/commands" && grep -qx 'journal verify' "$T/commands" && ok ||
	fail "bulu help misses capture import or journal verify"
while read -r group name; do
	expect 0 bulu "$group" "$name" --help
	grep -q "usage: bulu $group $name" "$T/out" && ok || fail "bulu $group $name --help prints no usage line"
	[ -s "$T/err" ] && fail "bulu $group $name --help wrote to stderr" || ok
done <"$T/commands"
for group in $(awk '{print $1}' "$T/commands" | uniq); do
	expect 0 bulu "$group" --help
	expect 0 bulu help "$group"
	grep -q "bulu $group " "$T/out" && ok || fail "bulu help $group lists nothing"
	expect 2 bulu "$group"
	expect 2 bulu "$group" frobnicate
	# (a group that is also a command, bulu sim, takes it as its argument)
	grep -q "unknown command\|unexpected argument 'frobnicate'" "$T/err" && ok ||
		fail "bulu $group frobnicate: no 'unknown command' message"
done
expect 0 bulu --help
expect 0 bulu version
expect 2 bulu
expect 2 bulu frobnicate
grep -q "unknown command 'frobnicate'" "$T/err" && ok || fail "bulu frobnicate: message: $(cat "$T/err")"
expect 2 bulu journal verify --bogus
expect 2 bulu journal verify extra
expect 2 bulu station pubkey --dir "$T/nowhere"
grep -q 'station init' "$T/err" && ok || fail "no station: the message does not say how to make one"

# --- a passphrase-protected key -----------------------------------------------
printf '山高水长 horse battery\n' >"$T/pass"
printf 'wrong horse\n' >"$T/wrong"
chmod 600 "$T/pass" "$T/wrong"
BULU_HOME="$T/LOCKED"
expect 0 bulu station init --station LOCKED --dept 药房 --role pharmacy --passphrase-file "$T/pass"
grep -q '山高水长' "$BULU_HOME/secret.key" && fail "the passphrase is in the key file" || ok
REC=$(sed -n 2p "$BULU_HOME/secret.key" | base64 -d | head -c 3 | od -An -tx1 | tr -d ' \n')
[ "$REC" = "424b01" ] && ok || fail "the key record does not say Argon2id (BK 01): $REC"
t_snapshot "$T/before"
BULU_PASSPHRASE_FILE="$T/wrong" expect 2 bulu outage start --at "2026-11-21 08:30"
grep -q 'passphrase' "$T/err" && ok || fail "wrong passphrase: message: $(cat "$T/err")"
[ -s "$T/out" ] && fail "wrong passphrase: something was reported saved" || ok
BULU_PASSPHRASE_FILE="$T/nonexistent" expect 2 bulu outage start --at "2026-11-21 08:30"
if need setsid; then
	# No passphrase file and no terminal: refused, not hung.
	expect 2 setsid -w "$BULU" outage start --at "2026-11-21 08:30" </dev/null
fi
t_snapshot "$T/after"
check "a refused passphrase changed the journal" cmp -s "$T/before" "$T/after"
BULU_PASSPHRASE_FILE="$T/pass" expect 0 bulu outage start --at "2026-11-21 08:30"
grep -q '^saved BL-LOCKED-2 outage_start' "$T/out" && ok || fail "right passphrase: $(cat "$T/out")"
expect 0 bulu journal verify
expect 2 bulu station init --dir "$T/empty" --station E1 --dept d --role r --passphrase-file /dev/null
[ -e "$T/empty/journal.db" ] && fail "an empty passphrase made a station" || ok

# --- an old copy restored -----------------------------------------------------
BULU_HOME="$T/ST1"
expect 0 bulu outage start --at "2026-11-22 08:00"
expect 0 bulu outage end
# A backup as docs/journal-format.md says: journal.db with its -wal file
# (writers keep the WAL, so the newest entries may live only there).
mkdir "$T/backup"
cp "$BULU_HOME/journal.db" "$T/backup/"
[ -e "$BULU_HOME/journal.db-wal" ] && cp "$BULU_HOME/journal.db-wal" "$T/backup/"
N_OLD=$(sqlite3 "$T/backup/journal.db" "SELECT max(seq) FROM entries")
[ "$N_OLD" = 5 ] && ok || fail "the backup holds $N_OLD entries, wanted 5"
expect 0 bulu outage start --at "2026-11-23 08:00"
expect 0 bulu outage end
N_NEW=$(sqlite3 "$BULU_HOME/journal.db" "SELECT max(seq) FROM entries")
rm -f "$BULU_HOME/journal.db-wal" "$BULU_HOME/journal.db-shm"
cp "$T/backup/"* "$BULU_HOME/"
t_snapshot "$T/before"
expect 3 bulu outage start --at "2026-11-24 08:00"
grep -q 'old copy' "$T/err" && ok || fail "restored copy: the message does not say an old copy was restored"
grep -q "seq $N_NEW\b" "$T/err" && ok || fail "restored copy: the message does not name seq $N_NEW"
grep -q 'accept-restore' "$T/err" && ok || fail "restored copy: the message does not name the way on"
[ -s "$T/out" ] && fail "restored copy: something was reported saved" || ok
t_snapshot "$T/after"
check "restored copy: a refused write changed the journal" cmp -s "$T/before" "$T/after"
expect 3 bulu journal verify
grep -q 'old copy' "$T/err" && ok || fail "verify of a restored copy: $(cat "$T/err")"
expect 2 bulu journal accept-restore
expect 0 bulu journal accept-restore --reason "USB 备份恢复，IT 已确认" --operator it_li
expect 0 bulu journal verify
R=$(sqlite3 "$BULU_HOME/journal.db" "SELECT seq FROM entries WHERE kind = 'note' AND
	json_extract(body, '$.event') = 'restore_accepted' AND json_extract(body, '$.lost_head_seq') = $N_NEW
	AND json_extract(body, '$.reason') = 'USB 备份恢复，IT 已确认' AND operator = 'it_li'")
[ "$R" = $((N_OLD + 1)) ] && ok || fail "no restore_accepted note at seq $((N_OLD + 1)) (found '$R')"
expect 0 bulu outage start --at "2026-11-24 08:00"
grep -q "^saved BL-ST1-$((N_OLD + 2)) outage_start" "$T/out" && ok || fail "after accept-restore: $(cat "$T/out")"
expect 0 bulu journal verify
finish
