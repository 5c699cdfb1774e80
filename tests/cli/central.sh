# central.sh - `bulu central init` and the central key files.
#
# init makes DIR (0700), central.key (0600) and central.pub, and says where
# they are and how stations use the public key; a second init is refused
# (exit 2) and changes nothing; usage errors exit 2; a key readable by
# group or others is refused by everything that loads it (exit 3, naming
# the file and "chmod 600"); a station's key given as central.pub is named
# for what it is; a file sealed to central.pub opens with central.key and
# with no other, and a truncated one gives back only what authenticated.
. "$(dirname "$0")/../lib.sh"
: "${TOOLS:?TOOLS must point at the built test tools}"
tool() { "$TOOLS/minisig_tool" "$@"; }

C="$T/office/keys"
expect 0 bulu central init --dir "$C"
[ "$(stat -c %a "$C")" = 700 ] && ok || fail "the key directory's mode is $(stat -c %a "$C")"
[ "$(stat -c %a "$C/central.key")" = 600 ] && ok || fail "central.key mode is $(stat -c %a "$C/central.key")"
[ -s "$C/central.pub" ] && ok || fail "no central.pub"
grep -qF "$C/central.key" "$T/out" && ok || fail "init does not say where central.key is: $(cat "$T/out")"
grep -qF "bulu sync export --seal-to $C/central.pub" "$T/out" && ok ||
	fail "init does not say how stations use central.pub: $(cat "$T/out")"
ID=$(sed -n 's/.*key id \([0-9A-F]\{16\}\).*/\1/p' "$T/out")
[ -n "$ID" ] && ok || fail "init printed no key id"
for f in central.key central.pub; do
	[ "$(wc -l <"$C/$f")" -eq 2 ] && head -1 "$C/$f" | grep -q '^untrusted comment: ' && ok ||
		fail "$f is not a comment line and a base64 line"
	sed -n 2p "$C/$f" | base64 -d >"$T/$f.bin" 2>/dev/null && ok || fail "$f: line 2 is not base64"
done
[ "$(head -c 5 "$T/central.key.bin" | od -An -c | tr -d ' ')" = 'BUCS001' ] && ok ||
	fail "central.key's record does not start BUCS 1"
[ "$(head -c 5 "$T/central.pub.bin" | od -An -c | tr -d ' ')" = 'BUCP001' ] && ok ||
	fail "central.pub's record does not start BUCP 1"
[ "$(wc -c <"$T/central.key.bin")" -eq 77 ] && [ "$(wc -c <"$T/central.pub.bin")" -eq 45 ] && ok ||
	fail "record sizes $(wc -c <"$T/central.key.bin") and $(wc -c <"$T/central.pub.bin"), wanted 77 and 45"
expect 0 tool central-load "$C"
grep -qx "$ID" "$T/out" && ok || fail "central.key's key id is $(cat "$T/out"), init said $ID"
expect 0 tool central-pub "$C/central.pub"
grep -qx "$ID" "$T/out" && ok || fail "central.pub's key id is $(cat "$T/out"), init said $ID"

# --- never replaced; usage ----------------------------------------------------
cp "$C/central.key" "$T/key.before"
cp "$C/central.pub" "$T/pub.before"
expect 2 bulu central init --dir "$C"
grep -q 'already exists' "$T/err" && ok || fail "second init: $(cat "$T/err")"
[ -s "$T/out" ] && fail "second init printed on stdout" || ok
check "second init changed central.key" cmp -s "$T/key.before" "$C/central.key"
check "second init changed central.pub" cmp -s "$T/pub.before" "$C/central.pub"
expect 2 bulu central init
expect 2 bulu central init --dir "$T/x" extra
expect 2 bulu central init --dir "$T/x" --bogus
[ -e "$T/x" ] && fail "a refused init made its directory" || ok
expect 0 bulu central init --help
grep -q '^usage: bulu central init --dir DIR' "$T/out" && ok || fail "--help: $(cat "$T/out")"
[ -s "$T/err" ] && fail "--help wrote to stderr" || ok
expect 0 bulu help central
grep -q 'bulu central init' "$T/out" && ok || fail "bulu help central lists nothing"

# --- sealed to central.pub, opened with central.key ----------------------------
head -c 200000 /dev/urandom >"$T/bundle.gz"
expect 0 tool seal "$C/central.pub" "$T/bundle.gz" "$T/bundle.sealed"
[ "$(head -c 8 "$T/bundle.sealed")" = BULUSEAL ] && ok || fail "the sealed file does not start BULUSEAL"
[ "$(wc -c <"$T/bundle.sealed")" -eq $((113 + 200000 + 4 * 17)) ] && ok ||
	fail "sealed size $(wc -c <"$T/bundle.sealed")"
expect 0 tool open "$C" "$T/bundle.sealed" "$T/opened"
check "the opened file differs" cmp -s "$T/opened" "$T/bundle.gz"
expect 0 bulu central init --dir "$T/other"
expect 3 tool open "$T/other" "$T/bundle.sealed" "$T/opened"
grep -q 'different central key' "$T/err" && ok || fail "wrong key: $(cat "$T/err")"
[ -s "$T/opened" ] && fail "the wrong key let plaintext out" || ok
head -c $((113 + 65553 + 65553 + 100)) "$T/bundle.sealed" >"$T/cut.sealed"
expect 3 tool open "$C" "$T/cut.sealed" "$T/opened"
[ "$(wc -c <"$T/opened")" -eq 131072 ] && cmp -s -n 131072 "$T/opened" "$T/bundle.gz" && ok ||
	fail "a cut sealed file gave back $(wc -c <"$T/opened") bytes, wanted the first two chunks"

# --- the wrong files --------------------------------------------------------
expect 0 bulu station init --dir "$T/ST" --station ST1 --dept 门诊收费 --role cashier
expect 2 tool seal "$T/ST/public.key" "$T/bundle.gz" "$T/x.sealed"
grep -q "station's public key" "$T/err" && ok || fail "station public key as central.pub: $(cat "$T/err")"
expect 2 tool central-pub "$C/central.key"
grep -q 'SECRET' "$T/err" && ok || fail "central.key as central.pub: $(cat "$T/err")"
expect 2 tool central-pub "$T/ST/secret.key"
grep -q "station's secret key" "$T/err" && ok || fail "station secret key as central.pub: $(cat "$T/err")"
expect 2 tool central-load "$T/ST"
grep -q 'central init' "$T/err" && ok || fail "no central.key: $(cat "$T/err")"

# --- a key others may read -------------------------------------------------
for mode in 644 640 604; do
	chmod $mode "$C/central.key"
	expect 3 tool central-load "$C"
	grep -qF "$C/central.key" "$T/err" && grep -q 'chmod 600' "$T/err" && ok ||
		fail "mode $mode: the message does not name the key file and chmod 600: $(cat "$T/err")"
	expect 3 tool open "$C" "$T/bundle.sealed" "$T/opened"
	[ -s "$T/opened" ] && fail "mode $mode: opened with a key others may read" || ok
done
chmod 600 "$C/central.key"
expect 0 tool central-load "$C"
finish
