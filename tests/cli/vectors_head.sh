#!/bin/sh
# vectors_head.sh - the head record's test vector in every `make check`: the
# independent script tests/vectors/head-v2.py (docs/journal-format.md in
# Python) prints exactly tests/vectors/head-v2.txt, and its slot is the one
# tests/unit/test_entry.c pins against bulu's head_encode_slot.
. "$(dirname "$0")/../lib.sh"
need python3 py:cryptography || { finish; exit 1; }
V=tests/vectors
expect 0 python3 "$V/head-v2.py"
check "the script prints exactly $V/head-v2.txt" cmp -s "$T/out" "$V/head-v2.txt"
slot=$(sed -n 's/^slot: //p' "$V/head-v2.txt")
check "the slot is 192 bytes" [ "${#slot}" -eq 384 ]
python3 - "$slot" tests/unit/test_entry.c <<'PY' >"$T/missing"
import re, sys
c = re.sub(r'"\s*"', "", open(sys.argv[2], encoding="utf-8").read())
if sys.argv[1] not in c:
    print("slot")
PY
check "the slot is pinned in test_entry.c" [ ! -s "$T/missing" ]
finish
