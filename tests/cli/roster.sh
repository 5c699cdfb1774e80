# roster.sh - the central office's roster of trusted station keys.
#
# `roster add` trusts a key from a minisign public key file (or stdin) or
# from a station directory (whose journal must verify), writing a roster
# with its header comment, sorted by station, mode 0644; the printed key id
# is minisign's; `roster list` shows it as a table, CSV and JSON with
# Chinese text intact; a station already there is refused (exit 2) unless
# --replace, a key of another station always; `roster remove` removes, and
# refuses an unknown station (exit 2); a hand-corrupted roster (bad base64,
# a missing field, a tab in the wrong place, invalid UTF-8) is refused with
# exit 2 naming the file and line; no failed command changes the file.
. "$(dirname "$0")/../lib.sh"

R="$T/central/roster.txt"
mkdir -p "$T/central"
HEADER='# bulu roster: trusted station keys (bulu roster add|remove)'
TAB=$(printf '\t')

sum() { cksum <"$R"; }
# unchanged WHAT: the roster is byte for byte what $SUM recorded.
unchanged() { [ "$(sum)" = "$SUM" ] && ok || fail "$1 changed the roster"; }
# keyid PUBKEYFILE: minisign's key id of the key: bytes 2..9 of the base64
# line, read little-endian, upper-case hex.
keyid() {
	sed -n 2p "$1" | base64 -d | head -c 10 | tail -c 8 | od -An -tx1 |
		tr -d '\n' | awk '{ for (i = NF; i >= 1; i--) printf "%s", toupper($i); print "" }'
}

# --- help and usage ------------------------------------------------------------
for c in add list remove; do
	expect 0 bulu roster $c --help
	grep -q "^usage: bulu roster $c" "$T/out" && ok || fail "roster $c --help: $(head -1 "$T/out")"
done
bulu help >"$T/out" 2>&1
grep -q 'bulu roster add' "$T/out" && grep -q 'bulu roster remove' "$T/out" && ok ||
	fail "bulu help does not list the roster commands"
expect 2 bulu roster list
grep -q 'BULU_ROSTER' "$T/err" && ok || fail "no roster file: $(cat "$T/err")"
expect 2 bulu roster add --station X --dept d --role r --pubkey /dev/null
grep -q -- '--roster FILE or set BULU_ROSTER' "$T/err" && ok || fail "add without roster: $(cat "$T/err")"
[ ! -e "$R" ] && ok || fail "a usage error made the roster"

# --- stations ------------------------------------------------------------------
t_station OPD1 cashier 门诊收费 || { finish; exit 1; }
bulu station pubkey >"$T/opd1.pub" 2>"$T/err" || fail "station pubkey OPD1"
t_station PH2 pharmacy 中药房 || { finish; exit 1; }
bulu station pubkey >"$T/ph2.pub" 2>"$T/err" || fail "station pubkey PH2"
t_station LAB_3 lab "检验科, 2楼" || { finish; exit 1; }
bulu station pubkey >"$T/lab3.pub" 2>"$T/err" || fail "station pubkey LAB_3"
t_station ER4 cashier 急诊 || { finish; exit 1; }
bulu station pubkey >"$T/er4.pub" 2>"$T/err" || fail "station pubkey ER4"
unset BULU_HOME
K1=$(keyid "$T/opd1.pub") K2=$(keyid "$T/ph2.pub") K3=$(keyid "$T/lab3.pub") K4=$(keyid "$T/er4.pub")
B1=$(sed -n 2p "$T/opd1.pub") B2=$(sed -n 2p "$T/ph2.pub") B3=$(sed -n 2p "$T/lab3.pub")
B4=$(sed -n 2p "$T/er4.pub")
[ ${#K1} -eq 16 ] && ok || fail "key id of OPD1 is '$K1'"

# The key id we compute is minisign's: minisign names it when a signature
# made with another key is checked against this public key.
if need minisign; then
	if minisign -G -W -p "$T/other.pub" -s "$T/other.key" >/dev/null 2>&1 &&
		printf 'x\n' >"$T/x.txt" && minisign -S -W -s "$T/other.key" -m "$T/x.txt" >/dev/null 2>&1; then
		minisign -V -p "$T/opd1.pub" -m "$T/x.txt" >"$T/out" 2>&1
		# (minisign prints the id as a number: no leading zeros)
		grep -qi "key id in the public key is $(printf '%s' "$K1" | sed 's/^0*//')\b" "$T/out" && ok ||
			fail "minisign does not name key id $K1: $(cat "$T/out")"
	else
		fail "could not make a minisign key and signature"
	fi
fi

# --- add from a public key file ---------------------------------------------------
expect 0 bulu roster add --roster "$R" --station OPD1 --dept 门诊收费 --role cashier --pubkey "$T/opd1.pub"
[ "$(cat "$T/out")" = "trusted OPD1 (门诊收费, cashier) key $K1" ] && ok || fail "add said: $(cat "$T/out")"
[ "$(head -1 "$R")" = "$HEADER" ] && ok || fail "first line: $(head -1 "$R")"
[ "$(sed -n 2p "$R")" = "OPD1${TAB}门诊收费${TAB}cashier${TAB}$B1" ] && ok || fail "line 2: $(sed -n 2p "$R")"
[ "$(wc -l <"$R")" -eq 2 ] && ok || fail "the roster has $(wc -l <"$R") lines, wanted 2"
[ "$(stat -c %a "$R")" = 644 ] && ok || fail "roster mode $(stat -c %a "$R")"

# --- add from a station directory, and from stdin -----------------------------------
export BULU_ROSTER="$R"
expect 0 bulu roster add --from-station "$T/PH2"
[ "$(cat "$T/out")" = "trusted PH2 (中药房, pharmacy) key $K2" ] && ok || fail "add --from-station said: $(cat "$T/out")"
expect 0 bulu roster add --station LAB_3 --dept "检验科, 2楼" --role lab --pubkey - <"$T/lab3.pub"
grep -qx "trusted LAB_3 (检验科, 2楼, lab) key $K3" "$T/out" && ok || fail "add from stdin said: $(cat "$T/out")"
# The base64 line alone is a key too.
sed -n 2p "$T/er4.pub" >"$T/er4.line"
expect 0 bulu roster add --roster "$R" --station ER4 --dept 急诊 --role cashier --pubkey "$T/er4.line"
# Sorted by station, header first, every field as given.
printf '%s\nER4\t急诊\tcashier\t%s\nLAB_3\t检验科, 2楼\tlab\t%s\nOPD1\t门诊收费\tcashier\t%s\nPH2\t中药房\tpharmacy\t%s\n' \
	"$HEADER" "$B4" "$B3" "$B1" "$B2" >"$T/want"
check "the roster is not the sorted four lines: $(cat "$R")" cmp -s "$R" "$T/want"

# --- list ----------------------------------------------------------------------
expect 0 bulu roster list
head -1 "$T/out" | grep -q '^STATION  *DEPT  *ROLE  *KEY_ID  *PUBKEY$' && ok || fail "table head: $(head -1 "$T/out")"
[ "$(wc -l <"$T/out")" -eq 5 ] && ok || fail "table has $(wc -l <"$T/out") lines"
grep -q "^OPD1  *门诊收费  *cashier  *$K1  *$B1\$" "$T/out" && ok || fail "table row OPD1: $(cat "$T/out")"
grep -q "^PH2  *中药房  *pharmacy  *$K2  *$B2\$" "$T/out" && ok || fail "table row PH2: $(cat "$T/out")"
# Aligned by display width (CJK counts two): every row is as wide.
[ "$(sed 1d "$T/out" | while IFS= read -r l; do printf '%s\n' "$l" | wc -L; done | sort -u | wc -l)" -eq 1 ] &&
	ok || fail "table rows differ in display width: $(cat "$T/out")"
[ "$(sed -n 2p "$T/out" | cut -c1-8)" = "ER4     " ] && ok || fail "table not sorted: $(cat "$T/out")"

expect 0 bulu roster list --format csv
printf 'station,dept,role,key_id,pubkey\r\nER4,急诊,cashier,%s,%s\r\nLAB_3,"检验科, 2楼",lab,%s,%s\r\nOPD1,门诊收费,cashier,%s,%s\r\nPH2,中药房,pharmacy,%s,%s\r\n' \
	"$K4" "$B4" "$K3" "$B3" "$K1" "$B1" "$K2" "$B2" >"$T/want.csv"
check "csv: $(cat "$T/out")" cmp -s "$T/out" "$T/want.csv"

expect 0 bulu roster list --format json
jq -e --arg k1 "$K1" --arg b1 "$B1" --arg k3 "$K3" '
	length == 4 and
	(map(.station) == ["ER4", "LAB_3", "OPD1", "PH2"]) and
	(.[2] == {station: "OPD1", dept: "门诊收费", role: "cashier", key_id: $k1, pubkey: $b1}) and
	(.[1].dept == "检验科, 2楼") and (.[1].key_id == $k3) and (.[3].dept == "中药房")' \
	"$T/out" >/dev/null && ok || fail "json: $(cat "$T/out")"
# Canonical objects: keys in byte order, no spaces.
grep -q '^{"dept":"门诊收费","key_id":"'"$K1"'","pubkey":"'"$B1"'","role":"cashier","station":"OPD1"},$' "$T/out" &&
	ok || fail "json object not canonical: $(cat "$T/out")"
expect 2 bulu roster list --format xml
grep -q 'table|csv|json' "$T/err" && ok || fail "--format xml: $(cat "$T/err")"

# --- refusals that leave the roster alone --------------------------------------------
SUM=$(sum)
expect 2 bulu roster add --station OPD1 --dept 门诊收费 --role cashier --pubkey "$T/opd1.pub"
grep -q 'station OPD1 is already in the roster.*--replace' "$T/err" && ok || fail "duplicate: $(cat "$T/err")"
unchanged "a duplicate station"
expect 2 bulu roster add --from-station "$T/PH2"
grep -q -- '--replace' "$T/err" && ok || fail "duplicate from station: $(cat "$T/err")"
unchanged "a duplicate station from its directory"
# OPD1's key under another station: refused, --replace or not.
expect 2 bulu roster add --station OPD9 --dept x --role y --pubkey - <"$T/opd1.pub"
grep -q 'public key of station OPD1, not of OPD9' "$T/err" && ok || fail "other station's file: $(cat "$T/err")"
sed -n 2p "$T/opd1.pub" >"$T/opd1.line"
expect 2 bulu roster add --station OPD9 --dept x --role y --pubkey "$T/opd1.line"
grep -q "key $K1 is already trusted for station OPD1" "$T/err" && ok || fail "same key: $(cat "$T/err")"
expect 2 bulu roster add --station OPD9 --dept x --role y --pubkey "$T/opd1.line" --replace
grep -q "already trusted for station OPD1" "$T/err" && ok || fail "same key, --replace: $(cat "$T/err")"
# ... and PH2's key put under OPD1 with --replace: still another station's key.
sed -n 2p "$T/ph2.pub" >"$T/ph2.line"
expect 2 bulu roster add --station OPD1 --dept x --role y --pubkey "$T/ph2.line" --replace
grep -q "already trusted for station PH2" "$T/err" && ok || fail "PH2's key for OPD1: $(cat "$T/err")"
unchanged "a key of another station"
# Bad usage and bad input.
expect 2 bulu roster add --station OPD5 --dept x --role y
grep -q -- '--pubkey are required' "$T/err" && ok || fail "missing --pubkey: $(cat "$T/err")"
expect 2 bulu roster add --from-station "$T/PH2" --station PH2
expect 2 bulu roster add --station OPD-5 --dept x --role y --pubkey "$T/opd1.line"
grep -q 'letters, digits' "$T/err" && ok || fail "bad id: $(cat "$T/err")"
expect 2 bulu roster add --station OPD5 --dept "a${TAB}b" --role y --pubkey "$T/opd1.line"
grep -q -- '--dept: holds a tab' "$T/err" && ok || fail "tab in dept: $(cat "$T/err")"
expect 2 bulu roster add --station OPD5 --dept x --role "a
b" --pubkey "$T/opd1.line"
grep -q -- '--role: holds a line break' "$T/err" && ok || fail "newline in role: $(cat "$T/err")"
printf 'untrusted comment: not a key\nnot base64 at all\n' >"$T/junk.pub"
expect 2 bulu roster add --station OPD5 --dept x --role y --pubkey "$T/junk.pub"
grep -q "$T/junk.pub: not a minisign" "$T/err" && ok || fail "junk key: $(cat "$T/err")"
expect 2 bulu roster add --station OPD5 --dept x --role y --pubkey "$T/no-such.pub"
grep -q "no-such.pub" "$T/err" && ok || fail "missing key file: $(cat "$T/err")"
expect 2 bulu roster add --from-station "$T/nowhere"
grep -q "no station in $T/nowhere" "$T/err" && ok || fail "no station dir: $(cat "$T/err")"
expect 2 bulu roster add --station OPD5 --dept x --role y --pubkey "$T/opd1.line" extra
unchanged "bad usage"

# A station whose journal does not verify (another key put in its station
# record) is not trusted: exit 3.
cp -a "$T/ER4" "$T/EVIL"
sqlite3 "$T/EVIL/journal.db" "ATTACH '$T/OPD1/journal.db' AS other; DROP TRIGGER main.station_no_update;
	UPDATE main.station SET id = 'EVIL', pubkey = (SELECT pubkey FROM other.station)" 2>"$T/err" ||
	fail "could not tamper with the EVIL station"
expect 3 bulu roster add --from-station "$T/EVIL" --replace
grep -q "not trusting the station in $T/EVIL" "$T/err" && ok || fail "tampered station: $(cat "$T/err")"
unchanged "a tampered station"

# --- --replace --------------------------------------------------------------------
expect 0 bulu roster add --station OPD1 --dept 门诊一楼 --role cashier --pubkey "$T/opd1.pub" --replace
grep -q "^OPD1${TAB}门诊一楼${TAB}cashier${TAB}$B1\$" "$R" && ok || fail "replace: $(cat "$R")"
[ "$(grep -c . "$R")" -eq 5 ] && ok || fail "replace added a line: $(cat "$R")"
# A station re-keyed: a new station directory under the old id.
BULU_HOME="$T/OPD1b" bulu station init --station OPD1 --dept 门诊收费 --role cashier >"$T/opd1b.pub" 2>"$T/err" ||
	fail "station init OPD1b"
K1b=$(keyid "$T/opd1b.pub")
expect 0 bulu roster add --from-station "$T/OPD1b" --replace
[ "$(cat "$T/out")" = "trusted OPD1 (门诊收费, cashier) key $K1b, replacing key $K1" ] && ok ||
	fail "re-key said: $(cat "$T/out")"
grep -q "$B1" "$R" && fail "the old key of OPD1 is still trusted" || ok
# The old key is free now: it may be added under another id.
expect 0 bulu roster add --station OLD1 --dept 门诊收费 --role cashier --pubkey "$T/opd1.line"

# --- remove -----------------------------------------------------------------------
expect 0 bulu roster remove --station OLD1
[ "$(cat "$T/out")" = "removed OLD1 (门诊收费, cashier) key $K1" ] && ok || fail "remove said: $(cat "$T/out")"
grep -q '^OLD1' "$R" && fail "OLD1 still in the roster" || ok
[ "$(head -1 "$R")" = "$HEADER" ] && ok || fail "header lost on remove"
expect 0 bulu roster list --format csv
grep -q '^OLD1,' "$T/out" && fail "list still shows OLD1" || ok
[ "$(grep -c . "$T/out")" -eq 5 ] && ok || fail "csv after remove: $(cat "$T/out")"
SUM=$(sum)
expect 2 bulu roster remove --station OLD1
grep -q "station OLD1 is not in the roster $R" "$T/err" && ok || fail "remove unknown: $(cat "$T/err")"
unchanged "removing an unknown station"
expect 2 bulu roster remove
expect 2 bulu roster remove --roster "$T/central/none.txt" --station OPD1
[ ! -e "$T/central/none.txt" ] && ok || fail "remove made a roster"

# --- hand-corrupted rosters ------------------------------------------------------
# corrupt NAME LINE SED-SCRIPT: a copy of the roster edited on LINE; every
# command refuses it (exit 2) naming the file and the line, and leaves it.
corrupt() {
	f="$T/central/$1.txt"
	sed "$3" "$R" >"$f"
	cmp -s "$f" "$R" && { fail "$1: the edit changed nothing"; return; }
	s=$(cksum <"$f")
	expect 2 bulu roster list --roster "$f"
	grep -q "^bulu: $f:$2[:]" "$T/err" && ok || fail "$1: list said $(cat "$T/err")"
	cp "$T/err" "$T/err.$1"
	expect 2 bulu roster add --roster "$f" --station NEW1 --dept x --role y --pubkey "$T/opd1.line"
	grep -q "^bulu: $f:$2[:]" "$T/err" && ok || fail "$1: add said $(cat "$T/err")"
	expect 2 bulu roster remove --roster "$f" --station PH2
	grep -q "^bulu: $f:$2[:]" "$T/err" && ok || fail "$1: remove said $(cat "$T/err")"
	[ "$(cksum <"$f")" = "$s" ] && ok || fail "$1: a refused command changed the file"
}
# Lines: 1 header, 2 ER4, 3 LAB_3, 4 OPD1, 5 PH2.
corrupt badb64 4 '4s/\t\([^\t]*\)$/\tRWS!!!notbase64/'
grep -q ':4:4 (pubkey): not a minisign' "$T/err.badb64" && ok || fail "bad base64: $(cat "$T/err.badb64")"
corrupt shortkey 2 '2s/.\{8\}$//'
grep -q ':2:4 (pubkey)' "$T/err.shortkey" && ok || fail "short key: $(cat "$T/err.shortkey")"
corrupt nofield 3 '3s/\tlab\t/\t/'
grep -q ':3:4 (pubkey): missing' "$T/err.nofield" && ok || fail "missing field: $(cat "$T/err.nofield")"
corrupt spacesep 5 '5s/\tpharmacy\t/\tpharmacy /'
grep -q ':5:4 (pubkey): missing' "$T/err.spacesep" && ok || fail "space for a tab: $(cat "$T/err.spacesep")"
corrupt tabinside 3 '3s/检验科, 2楼/检验科\t2楼/'
grep -q ':3: more than 4 tab-separated fields' "$T/err.tabinside" && ok || fail "tab inside: $(cat "$T/err.tabinside")"
corrupt badutf8 5 "5s/中药房/$(printf '\344\270')x/"
grep -q ':5:2 (dept): not valid UTF-8' "$T/err.badutf8" && ok || fail "bad UTF-8: $(cat "$T/err.badutf8")"
corrupt gbk 2 "2s/急诊/$(printf '\274\261\325\357')/"
grep -q ':2:2 (dept): not valid UTF-8' "$T/err.gbk" && ok || fail "GBK dept: $(cat "$T/err.gbk")"
corrupt dupstation 5 '5s/^PH2/ER4/'
grep -q ':5:1 (station): station ER4 is listed twice (also line 2)' "$T/err.dupstation" && ok ||
	fail "duplicate station: $(cat "$T/err.dupstation")"
corrupt dupkey 5 "5s|\\t[^\\t]*\$|\\t$B4|"
grep -q ":5:4 (pubkey): key $K4 is also listed for station ER4 (line 2)" "$T/err.dupkey" && ok ||
	fail "duplicate key: $(cat "$T/err.dupkey")"
corrupt badid 4 '4s/^OPD1/OPD-1/'
grep -q ':4:1 (station)' "$T/err.badid" && ok || fail "bad id: $(cat "$T/err.badid")"
# A comment line and a blank line are fine, and counted.
{ cat "$R"; printf '\n# added by hand\n'; } >"$T/central/comments.txt"
expect 0 bulu roster list --roster "$T/central/comments.txt" --format csv
[ "$(grep -c . "$T/out")" -eq 5 ] && ok || fail "comments: $(cat "$T/out")"

# The good roster is still as it was, and still loads.
expect 0 bulu roster list
[ "$(grep -c . "$T/out")" -eq 5 ] && ok || fail "final list: $(cat "$T/out")"

finish
