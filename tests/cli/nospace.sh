#!/bin/sh
# nospace.sh - QUALITY.md R5 beyond the bulk import (diskfull.sh): a system
# failure exits 4 with a plain message and leaves what was there as it was.
#
#   - an interactive capture on a full disk: nothing saved, no "saved" line,
#     the journal unchanged and verifying; with room again it is saved;
#   - `bulu reconcile` on a full disk: exit 4, and the previous run's files
#     in --out exactly as they were (no half-written file, none removed);
#   - `bulu sync export` to a full stick and to a read-only one: exit 4, no
#     bundle or temporary file left there, and the next export with room
#     still carries the same entries (nothing counted as exported).
#
# A file-size limit (ulimit -f, SIGXFSZ ignored) stands in for a full disk; a
# tmpfs of 64 KiB is a real one where this machine lets the test mount it.  A
# read-only stick is a directory without write permission, or, for root
# (whom permissions do not stop), a read-only tmpfs.
. "$(dirname "$0")/../lib.sh"
MNT=
cleanup() {
	for m in $MNT; do umount "$m" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
export BULU_OPERATOR=op1
# limited BLOCKS CMD...: CMD with a file-size limit of BLOCKS 512-byte blocks.
limited() {
	_b=$1
	shift
	(trap '' XFSZ; ulimit -f "$_b"; exec "$@") >"$T/out" 2>"$T/err"
	rc=$?
}
# tree DIR: names and checksums of everything in DIR.
tree() { (cd "$1" && find . | LC_ALL=C sort && find . -type f | LC_ALL=C sort | xargs sha256sum); }

# ---- an interactive capture
t_outage_station NS || { finish; exit 1; }
S=$BULU_HOME
expect 0 bulu capture charge --patient P1 --item D001:1 --pay cash
t_snapshot "$T/before"
limited 1 "$BULU" capture charge --patient P2 --name 王五 --item D001:2 --pay cash
check "capture on a full disk: exit 4 (got $rc)" [ "$rc" = 4 ]
check "capture on a full disk: the message says nothing was saved" grep -q 'nothing was saved' "$T/err"
check "capture on a full disk: no patient in the message" sh -c "! grep -q '王五\|P2' '$T/err'"
check "capture on a full disk: no 'saved' line" sh -c "! grep -q '^saved' '$T/out'"
t_snapshot "$T/after"
check "capture on a full disk: the journal unchanged" cmp -s "$T/before" "$T/after"
expect 0 bulu journal verify
expect 0 bulu capture charge --patient P2 --item D001:2 --pay cash
grep_out '^saved BL-NS-6 charge' "with room again the charge is saved as seq 6: $(cat "$T/out")"
limited 1 "$BULU" capture void --entry 6 --reason 'wrong patient'
check "a void on a full disk: exit 4 (got $rc)" [ "$rc" = 4 ]
t_snapshot "$T/after2"
check "a void on a full disk: nothing saved" [ "$(wc -l <"$T/after2")" = 6 ]
expect 0 bulu journal verify

# ---- sync export to a full stick
t_charge_forms 600 "$T/c.csv"
expect 0 bulu capture import "$T/c.csv"
N=$(sqlite3 "$S/journal.db" "SELECT max(seq) FROM entries")
mkdir "$T/full"
limited 8 "$BULU" sync export --out "$T/full"
check "export to a full stick: exit 4 (got $rc)" [ "$rc" = 4 ]
check "export to a full stick: a message" [ -s "$T/err" ]
check "export to a full stick: nothing left there ($(ls -A "$T/full" | tr '\n' ' '))" [ -z "$(ls -A "$T/full")" ]
# a real full file system, where one can be mounted here
mkdir "$T/tmpfs"
if mount -t tmpfs -o size=64k tmpfs "$T/tmpfs" 2>/dev/null; then
	MNT="$T/tmpfs $MNT"
	expect 4 bulu sync export --out "$T/tmpfs"
	check "export to a full tmpfs: nothing left there ($(ls -A "$T/tmpfs" | tr '\n' ' '))" [ -z "$(ls -A "$T/tmpfs")" ]
else
	echo "nospace: no tmpfs could be mounted here: the file-size limit stands for a full stick alone" >&2
fi

# ---- sync export to a read-only stick
mkdir "$T/ro"
chmod 555 "$T/ro"
if touch "$T/ro/probe" 2>/dev/null; then
	rm -f "$T/ro/probe"
	# root: permissions do not stop it; a read-only mount does
	if mount -t tmpfs -o ro,size=1m tmpfs "$T/ro" 2>/dev/null; then
		MNT="$T/ro $MNT"
	else
		fail "no read-only directory can be made here (root, and mount refused)"
	fi
fi
expect 4 bulu sync export --out "$T/ro"
check "export to a read-only stick: a message naming it" grep -q "$T/ro" "$T/err"
check "export to a read-only stick: nothing there" [ -z "$(ls -A "$T/ro")" ]

# nothing counted as exported: the next export carries everything
expect 0 bulu sync export --out "$T/usb"
check "with room, the export holds 1-$N" [ -f "$T/usb/NS-1-$N.bulu" ]
check "with room, its signature too" [ -f "$T/usb/NS-1-$N.bulu.minisig" ]

# ---- reconcile on a full disk: the previous run's files untouched
R=$T/roster.txt
expect 0 bulu roster add --roster "$R" --from-station "$S"
expect 0 bulu sync import --ledger "$T/l.db" --roster "$R" "$T/usb"
HDR='流水号,患者编号,姓名,项目编码,项目名称,数量,单价,金额,发生时间,录入时间,操作员,发票号,科室,备注'
printf '%s\n' "$HDR" >"$T/none.csv"
printf '%s\n%s\n' "$HDR" "H1,P1,,D001,,1,3.50,3.50,,,his01,,门诊收费," >"$T/one.csv"
expect 1 bulu reconcile --ledger "$T/l.db" --quiet --his charges="$T/none.csv" --out "$T/r"
tree "$T/r" >"$T/r.before"
check "the first run wrote its files" grep -q 'findings.csv' "$T/r.before"
limited 4 "$BULU" reconcile --ledger "$T/l.db" --quiet --his charges="$T/one.csv" --out "$T/r"
check "reconcile on a full disk: exit 4 (got $rc)" [ "$rc" = 4 ]
check "reconcile on a full disk: a message" [ -s "$T/err" ]
tree "$T/r" >"$T/r.after"
check "reconcile on a full disk: the previous run's files untouched, none added" cmp -s "$T/r.before" "$T/r.after"
# the same run with room changes them
expect 1 bulu reconcile --ledger "$T/l.db" --quiet --his charges="$T/one.csv" --out "$T/r"
tree "$T/r" >"$T/r.after"
check "with room, the run replaces them" sh -c "! cmp -s '$T/r.before' '$T/r.after'"
finish
