#!/usr/bin/env python3
# head-v2.py - the head record's test vector (docs/journal-format.md, "The
# head record"), computed from the prose alone: Python's BLAKE2b and the
# `cryptography` package's Ed25519.  Prints what tests/vectors/head-v2.txt
# holds; tests/unit/test_entry.c pins the same slot against head_encode_slot.
import hashlib
import struct

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives import serialization

seed = bytes(range(32))
sk = Ed25519PrivateKey.from_private_bytes(seed)
pk = sk.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
key_id = hashlib.blake2b(pk, digest_size=32).digest()[:8]
station = b"MZ_SF01"
counter, seq, invoice_max = 7, 70000, 120057
head_hash = bytes.fromhex("cf0eb2833dfb7f020a3deef71f20462564b87eac2913fc8bd0e3e5d22694b32d")
signed = (b"BULUHEAD" + struct.pack("<II", 2, 0) + struct.pack("<QQ", counter, seq) + head_hash
          + key_id + struct.pack("<qI", invoice_max, len(station)) + station.ljust(32, b"\0")
          + bytes(12))
assert len(signed) == 128
slot = signed + sk.sign(signed)
assert len(slot) == 192
print("seed: " + seed.hex())
print("public_key: " + pk.hex())
print("key_id: " + key_id.hex())
print("station: MZ_SF01, counter: 7, seq: 70000, invoice_max: 120057")
print("hash: " + head_hash.hex())
print("slot: " + slot.hex())
