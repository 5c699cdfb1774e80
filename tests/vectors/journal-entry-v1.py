#!/usr/bin/env python3
# journal-entry-v1.py - computes the journal entry test vectors from the prose
# of docs/journal-format.md alone (hashlib BLAKE2b, Ed25519 from the Python
# `cryptography` package), independently of bulu's C code.  Its output is
# tests/vectors/journal-entry-v1.txt; tests/unit/test_entry.c pins the same
# values in its source.
#
#   python3 tests/vectors/journal-entry-v1.py > tests/vectors/journal-entry-v1.txt
import hashlib
import struct

try:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives import serialization
except ImportError:  # the hashes can still be checked without it
    Ed25519PrivateKey = None

TAG = b"bulu/journal-entry/v1"
SEED = bytes(range(32))


def lp(b):
    return struct.pack("<I", len(b)) + b


def encode(station, seq, prev, kind, recorded_at, operator, episode, body):
    assert len(prev) == 32
    return (lp(TAG) + lp(station.encode()) + struct.pack("<Q", seq) + lp(prev) +
            lp(kind.encode()) + lp(recorded_at.encode()) + lp(operator.encode()) +
            lp(episode.encode()) + lp(body.encode()))


if Ed25519PrivateKey:
    sk = Ed25519PrivateKey.from_private_bytes(SEED)
    pk = sk.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
else:
    sk = None
    # the public key of seed 00..1f (RFC 8032 derivation), for the genesis body
    pk = bytes.fromhex("03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8")

g = encode("MZ_SF01", 1, bytes(32), "station_init", "2026-11-21T08:00:00+08:00", "", "",
           '{"dept":"门诊收费","pubkey":"%s","role":"cashier","station":"MZ_SF01"}' % pk.hex())
gh = hashlib.blake2b(g, digest_size=32).digest()
c = encode("MZ_SF01", 2, gh, "charge", "2026-11-21T09:15:42+08:00", "收费员张三",
           "OUT-20261121-0830",
           '{"fee_type":"医保","invoice_no":"0012345","lines":[{"amount_fen":2500,"code":"250101001",'
           '"name":"血常规","qty":1,"unit_price_fen":2500}],"pay_method":"现金",'
           '"patient_id":"P0001","patient_name":"李四","total_fen":2500}')
ch = hashlib.blake2b(c, digest_size=32).digest()
n = encode("MZ_SF01", 70000, bytes(range(0xa0, 0xc0)), "note", "2026-11-22T23:59:59-05:00", "", "",
           '{"text":"a \\"quoted\\" line\\nand a tab\\t"}')

vectors = [("genesis (station_init, seq 1, zero prev_hash)", g),
           ("charge (seq 2, Chinese operator and body, chained to the genesis entry)", c),
           ("note (seq 70000, empty operator and episode, escapes in the body)", n)]

print("# bulu journal entry test vectors, format v1 (docs/journal-format.md)")
print("# key: Ed25519 seed 000102...1f (crypto_sign_seed_keypair); sig = Ed25519(secret key, hash)")
print("seed:", SEED.hex())
print("public_key:", pk.hex())
for i, (name, enc) in enumerate(vectors, 1):
    h = hashlib.blake2b(enc, digest_size=32).digest()
    print()
    print("vector %d: %s" % (i, name))
    print("encoding:", enc.hex())
    print("hash:", h.hex())
    if sk:
        print("sig:", sk.sign(h).hex())
