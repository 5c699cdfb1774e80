#!/bin/sh
# vectors.sh - the journal entry test vectors in every `make check`: the
# independent script tests/vectors/journal-entry-v1.py (docs/journal-format.md
# in Python: hashlib BLAKE2b, the `cryptography` package's Ed25519) prints
# exactly tests/vectors/journal-entry-v1.txt, and every encoding, hash,
# signature and the public key printed there are the ones pinned in
# tests/unit/test_entry.c, which checks bulu's C code against them.
. "$(dirname "$0")/../lib.sh"
need python3 py:cryptography || { finish; exit 1; }
V=tests/vectors
expect 0 python3 "$V/journal-entry-v1.py"
check "the script prints exactly $V/journal-entry-v1.txt" cmp -s "$T/out" "$V/journal-entry-v1.txt"
n=$(grep -c '^\(encoding\|hash\|sig\|public_key\):' "$V/journal-entry-v1.txt")
check "the vectors file holds 3 vectors (encoding, hash, sig) and the key ($n values)" [ "$n" -eq 10 ]
# test_entry.c's adjacent string literals joined, then every value looked up
python3 - "$V/journal-entry-v1.txt" tests/unit/test_entry.c >"$T/missing" <<'PY'
import re, sys
c = re.sub(r'"\s*"', "", open(sys.argv[2], encoding="utf-8").read())
for line in open(sys.argv[1], encoding="utf-8"):
    m = re.match(r"(encoding|hash|sig|public_key): ([0-9a-f]+)$", line.strip())
    if m and m.group(2) not in c:
        print(m.group(1), m.group(2)[:16])
PY
check "every value of the vectors file is pinned in test_entry.c (missing: $(tr '\n' ' ' <"$T/missing"))" [ ! -s "$T/missing" ]
finish
