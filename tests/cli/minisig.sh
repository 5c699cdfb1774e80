# minisig.sh - bulu's signatures and gzip streams against the stock tools.
#
# (a) a key and a signature made by the stock minisign are accepted by
#     minisig_parse/minisig_check_trusted/minisig_check with the key read by
#     keys_parse_minisign_pubkey, and refused once the file changes by a byte;
# (b) a signature made by minisig_sign with a key from keys_generate, and the
#     public key from keys_minisign_pubkey, are verified by the stock minisign
#     (-P and -p), which prints the trusted comment; one changed byte of the
#     file, or of the trusted comment, and minisign refuses;
# (c) zcat reads what gz_compress writes, and gz_decompress reads gzip's.
. "$(dirname "$0")/../lib.sh"
: "${TOOLS:?TOOLS must point at the built test tools}"
tool() { "$TOOLS/minisig_tool" "$@"; }

# flip_byte FILE OFFSET: change one byte of FILE in place (xor 0x01).
flip_byte() {
	python3 - "$1" "$2" <<'EOF'
import sys
p, off = sys.argv[1], int(sys.argv[2])
b = bytearray(open(p, "rb").read())
b[off] ^= 1
open(p, "wb").write(bytes(b))
EOF
}

head -c 100000 /dev/urandom >"$T/file.bin"
printf 'the file\n' >>"$T/file.bin"
cp "$T/file.bin" "$T/orig.bin"

if need minisign; then
	# --- (a) the stock minisign signs, we verify ----------------------------
	expect 0 minisign -G -W -p "$T/ms.pub" -s "$T/ms.key"
	expect 0 minisign -S -s "$T/ms.key" -m "$T/file.bin" -t "station:OPD1 seq:1-42 stock"
	[ -s "$T/file.bin.minisig" ] && ok || fail "minisign wrote no signature"
	expect 0 tool verify "$T/ms.pub" "$T/file.bin" "$T/file.bin.minisig"
	grep -qx 'trusted: station:OPD1 seq:1-42 stock' "$T/out" && ok ||
		fail "the trusted comment read back is: $(cat "$T/out")"
	flip_byte "$T/file.bin" 5000
	expect 3 tool verify "$T/ms.pub" "$T/file.bin" "$T/file.bin.minisig"
	grep -q "file's signature is bad" "$T/err" && ok || fail "a changed file: $(cat "$T/err")"
	cp "$T/orig.bin" "$T/file.bin"
	printf 'x' >>"$T/file.bin"
	expect 3 tool verify "$T/ms.pub" "$T/file.bin" "$T/file.bin.minisig"
	cp "$T/orig.bin" "$T/file.bin"
	# The trusted comment altered in the signature file.
	sed 's/seq:1-42/seq:1-43/' "$T/file.bin.minisig" >"$T/altered.minisig"
	expect 3 tool verify "$T/ms.pub" "$T/file.bin" "$T/altered.minisig"
	grep -q "trusted comment's signature is bad" "$T/err" && ok || fail "altered trusted comment: $(cat "$T/err")"
	# A legacy (-l, non-prehashed "Ed") signature is named and refused.
	expect 0 minisign -S -l -s "$T/ms.key" -m "$T/file.bin" -x "$T/legacy.minisig"
	expect 3 tool verify "$T/ms.pub" "$T/file.bin" "$T/legacy.minisig"
	grep -q 'legacy' "$T/err" && ok || fail "legacy signature: $(cat "$T/err")"
	# A signature by another key is refused.
	expect 0 minisign -G -W -p "$T/ms2.pub" -s "$T/ms2.key"
	expect 3 tool verify "$T/ms2.pub" "$T/file.bin" "$T/file.bin.minisig"

	# --- (b) we sign, the stock minisign verifies ---------------------------
	expect 0 tool sign "$T/file.bin" "$T/ours.minisig" "$T/ours.pub" "station:ER1 seq:7-9 ours"
	KEY=$(sed -n 2p "$T/ours.pub")
	expect 0 minisign -Vm "$T/file.bin" -x "$T/ours.minisig" -P "$KEY"
	grep -q 'Signature and comment signature verified' "$T/out" "$T/err" && ok ||
		fail "minisign -P did not verify: $(cat "$T/out" "$T/err")"
	grep -q 'Trusted comment: station:ER1 seq:7-9 ours' "$T/out" && ok ||
		fail "minisign did not print the trusted comment: $(cat "$T/out")"
	expect 0 minisign -Vm "$T/file.bin" -x "$T/ours.minisig" -p "$T/ours.pub"
	expect 0 minisign -V -H -m "$T/file.bin" -x "$T/ours.minisig" -p "$T/ours.pub" # prehashed
	expect 0 tool verify "$T/ours.pub" "$T/file.bin" "$T/ours.minisig"
	flip_byte "$T/file.bin" 0
	expect 1 minisign -Vm "$T/file.bin" -x "$T/ours.minisig" -P "$KEY"
	expect 3 tool verify "$T/ours.pub" "$T/file.bin" "$T/ours.minisig"
	cp "$T/orig.bin" "$T/file.bin"
	sed 's/seq:7-9/seq:7-8/' "$T/ours.minisig" >"$T/ours-altered.minisig"
	expect 1 minisign -Vm "$T/file.bin" -x "$T/ours-altered.minisig" -P "$KEY"
	expect 1 minisign -Vm "$T/file.bin" -x "$T/ours.minisig" -p "$T/ms.pub"
	# An empty file signs and verifies too.
	: >"$T/empty"
	expect 0 tool sign "$T/empty" "$T/empty.minisig" "$T/empty.pub" "empty"
	expect 0 minisign -Vm "$T/empty" -x "$T/empty.minisig" -p "$T/empty.pub"
fi

# --- (c) gzip both ways ---------------------------------------------------------
expect 0 tool gzip "$T/orig.bin" "$T/orig.gz"
zcat "$T/orig.gz" >"$T/zcat.out" 2>"$T/err" && ok || fail "zcat refused gz_compress's output"
check "zcat read back other bytes" cmp -s "$T/zcat.out" "$T/orig.bin"
gzip -t "$T/orig.gz" 2>"$T/err" && ok || fail "gzip -t: $(cat "$T/err")"
gzip -c -9 "$T/orig.bin" >"$T/stock.gz"
expect 0 tool gunzip "$T/stock.gz" "$T/ours.out"
check "gz_decompress read back other bytes" cmp -s "$T/ours.out" "$T/orig.bin"
head -c 5000 "$T/stock.gz" >"$T/cut.gz"
expect 3 tool gunzip "$T/cut.gz" "$T/cut.out"
grep -q 'truncated' "$T/err" && ok || fail "a cut gzip file: $(cat "$T/err")"
[ -s "$T/cut.out" ] && cmp -s -n "$(wc -c <"$T/cut.out")" "$T/cut.out" "$T/orig.bin" && ok ||
	fail "a cut gzip file: what inflated is not a prefix of the original"
finish
