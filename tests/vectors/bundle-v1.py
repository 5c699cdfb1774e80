#!/usr/bin/env python3
# bundle-v1.py - checks the bundle test vectors in tests/vectors/bundle-v1/
# from the prose of docs/bundle-format.md and docs/journal-format.md alone
# (hashlib BLAKE2b, gzip, sqlite3, Ed25519 from the `cryptography` package),
# independently of bulu's C code, and prints what it found; the output must
# be tests/vectors/bundle-v1.txt exactly (tests/cli/vectors_bundle.sh).
#
#   python3 tests/vectors/bundle-v1.py [DIR]
#
# Checked: the station's minisign public key (key id = BLAKE2b-256(pk)[0..8],
# shown as minisign does: a little-endian 64-bit number in hex); the
# .minisig of the plain bundle recomputed byte for byte from the seed (the
# signature is deterministic); the claim; the gzip file; the database's two
# tables, their columns and storage classes; every entry's encoding, hash,
# link and signature; the first entry binding the key; the head; the sealed
# copy's header layout and signature (its contents need the central key:
# bulu bundle open, checked by vectors_bundle.sh).
import base64
import gzip
import hashlib
import os
import sqlite3
import struct
import sys
import tempfile

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

D = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "bundle-v1")
TAG = b"bulu/journal-entry/v1"
SEED = bytes(range(32))


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def lp(b):
    return struct.pack("<I", len(b)) + b


def read(p):
    with open(os.path.join(D, p), "rb") as f:
        return f.read()


def keyid_shown(kid):
    return "%016X" % struct.unpack("<Q", kid)[0]


# ---- the station's public key (minisign format)
pub = read("station.pub").decode().splitlines()
raw = base64.b64decode(pub[1], validate=True)
if len(raw) != 42 or raw[:2] != b"Ed":
    fail("station.pub: not an Ed25519 minisign key")
kid, pk = raw[2:10], raw[10:]
if hashlib.blake2b(pk, digest_size=32).digest()[:8] != kid:
    fail("key id is not BLAKE2b-256(pk)[0..8]")
sk = Ed25519PrivateKey.from_private_bytes(SEED)
if sk.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw) != pk:
    fail("station.pub is not the key of seed 00..1f")
print("# bulu bundle test vectors, format v1 (docs/bundle-format.md)")
print("public_key:", pk.hex())
print("key_id_bytes:", kid.hex())
print("key_id_shown:", keyid_shown(kid))


def parse_minisig(text):
    lines = text.decode().split("\n")
    if lines[-1] == "":
        lines = lines[:-1]
    if len(lines) != 4 or not lines[0].startswith("untrusted comment: ") or \
            not lines[2].startswith("trusted comment: "):
        fail("not a four-line minisig")
    sig = base64.b64decode(lines[1], validate=True)
    gsig = base64.b64decode(lines[3], validate=True)
    if len(sig) != 74 or sig[:2] != b"ED" or len(gsig) != 64:
        fail("not a prehashed (ED) minisign signature")
    return lines, sig[2:10], sig[10:], lines[2][len("trusted comment: "):], gsig


def check_sig(name):
    data = read(name)
    text = read(name + ".minisig")
    lines, skid, sig, trusted, gsig = parse_minisig(text)
    if skid != kid:
        fail(name + ": signed by another key")
    pre = hashlib.blake2b(data).digest()  # BLAKE2b-512 of the file
    pkey = Ed25519PublicKey.from_public_bytes(pk)
    pkey.verify(sig, pre)
    pkey.verify(gsig, sig + trusted.encode())
    f = dict(kv.split(":", 1) for kv in trusted.split(" "))
    if not trusted.startswith("bulu-bundle:1 station:") or list(f) != \
            ["bulu-bundle", "station", "first", "last", "head", "size", "sealed"]:
        fail(name + ": not a bulu claim in order")
    if int(f["size"]) != len(data):
        fail(name + ": size claim")
    # the signature is deterministic: recompute the whole .minisig
    again = ("%s\n%s\ntrusted comment: %s\n%s\n" % (
        lines[0], base64.b64encode(b"ED" + kid + sk.sign(pre)).decode(), trusted,
        base64.b64encode(sk.sign(sk.sign(pre) + trusted.encode())).decode())).encode()
    if again != text:
        fail(name + ".minisig is not the one the seed makes")
    return data, f, pre


data, claim, pre = check_sig("MZ_SF01-1-2.bulu")
print("plain_file_blake2b512:", pre.hex())
print("plain_claim:", " ".join("%s:%s" % kv for kv in claim.items()))
if data[:4] != b"\x1f\x8b\x08\x00":
    fail("not a plain gzip member (no name, comment or extra field)")
db = gzip.decompress(data)
ps = struct.unpack(">H", db[16:18])[0]
print("database_bytes:", len(db), "page_size:", 65536 if ps == 1 else ps)

# ---- the database
with tempfile.TemporaryDirectory() as t:
    p = os.path.join(t, "b.db")
    with open(p, "wb") as f:
        f.write(db)
    c = sqlite3.connect(p)
    c.text_factory = bytes
    tables = sorted(r[0].decode() for r in c.execute("SELECT name FROM sqlite_schema"))
    if tables != ["bundle", "entries"]:
        fail("schema objects: %s" % tables)
    types = c.execute("SELECT typeof(one), typeof(format), typeof(station), typeof(dept), typeof(role), "
                      "typeof(pubkey), typeof(first_seq), typeof(last_seq), typeof(head_hash) FROM bundle").fetchall()
    print("bundle_types:", ",".join(x.decode() for x in types[0]))
    b = c.execute("SELECT format, station, dept, role, pubkey, first_seq, last_seq, head_hash FROM bundle").fetchall()
    if len(b) != 1:
        fail("one bundle row")
    fmt, st, dept, role, bpk, first, last, head = b[0]
    if fmt != b"bulu/bundle/v1" or st.decode() != claim["station"] or bpk != pk or \
            first != int(claim["first"]) or last != int(claim["last"]) or head.hex() != claim["head"]:
        fail("the bundle row disagrees with the claim")
    print("bundle_row: station %s dept %s role %s first %d last %d" % (st.decode(), dept.decode(), role.decode(),
                                                                        first, last))
    prev = bytes(32)
    for row in c.execute("SELECT station, seq, prev_hash, hash, sig, kind, recorded_at, operator, episode, body, "
                         "typeof(station)||','||typeof(seq)||','||typeof(prev_hash)||','||typeof(hash)||','||"
                         "typeof(sig)||','||typeof(kind)||','||typeof(recorded_at)||','||typeof(operator)||','||"
                         "typeof(episode)||','||typeof(body) FROM entries ORDER BY seq"):
        station, seq, ph, h, sg, kind, at, op, ep, body, ty = row
        enc = (lp(TAG) + lp(station) + struct.pack("<Q", seq) + lp(ph) + lp(kind) + lp(at) + lp(op) + lp(ep) +
               lp(body))
        if ph != prev or hashlib.blake2b(enc, digest_size=32).digest() != h:
            fail("entry %d: link or hash" % seq)
        Ed25519PublicKey.from_public_bytes(pk).verify(sg, h)
        if seq == 1 and (kind != b"station_init" or ('"pubkey":"%s"' % pk.hex()).encode() not in body):
            fail("the first entry does not bind the key")
        print("entry %d: types %s hash %s" % (seq, ty.decode(), h.hex()))
        prev = h
    if prev != head:
        fail("the last entry is not the head")
    c.close()

# ---- the sealed copy: header layout and signature
sdata, sclaim, spre = check_sig("sealed/MZ_SF01-1-2.bulu")
if sdata[:8] != b"BULUSEAL" or sdata[8] != 1 or sclaim["sealed"] != "1":
    fail("sealed header")
body = len(sdata) - (8 + 1 + 80 + 24)
chunks = (len(data) + 65535) // 65536 or 1
if body != len(data) + 17 * chunks:
    fail("sealed length: %d bytes of chunks for %d plain bytes" % (body, len(data)))
print("sealed_claim:", " ".join("%s:%s" % kv for kv in sclaim.items()))
print("sealed_layout: magic BULUSEAL, version 1, sealed key 80, stream header 24, %d chunk(s) of +17" % chunks)
print("ok")
