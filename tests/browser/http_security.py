"""http_security.py - the station screen over plain HTTP, a real
`bulu station serve` on 127.0.0.1: what may not change the journal does
not; sizes, paths, a request cut off half-way, 50 concurrent saves from 5
sessions, one idempotency key saving once, a clean stop on SIGTERM."""
import os
import signal
import socket
import subprocess
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import screenlib as L  # noqa: E402

OPS = [("张丽", "cashier", "1234"), ("王芳", "cashier", "2345"), ("李娜", "cashier", "3456"),
       ("赵敏", "cashier", "4567"), ("陈静", "cashier", "5678"), ("刘洋", "nurse", "6789")]
home = L.station("OPD1", operators=OPS)
p, base = L.serve(home)
host, port = base[len("http://"):].split(":")
port = int(port)


def charge(key, qty="2", code="Y0001", **kw):
    f = {"kind": "charge", "key": key, "patient_id": "0012345", "pay": "现金",
         "lines": [{"code": code, "qty": qty}]}
    f.update(kw)
    return f


before = L.count(home)

# Not signed in: refused, nothing changes.
anon = L.Session(base)
s, j, _ = anon.save(charge("anon-key-0001"))
L.check(s == 401, "an unauthenticated save is 401, got %d" % s)
s, j, _ = anon.req("GET", "/api/items?q=amx")
L.check(s == 401, "suggestions need sign-in")
# A wrong PIN, then the right one.
s, j = anon.signin("张丽", "9999")
L.check(s == 401 and j.get("error") == "wrong_pin", "a wrong PIN is refused")
s, j = anon.signin("无名氏", "1234")
L.check(s == 401, "an unknown name is refused the same way")
a = L.Session(base)
s, j = a.signin("张丽", "１２３４")
L.check(s == 200 and j.get("role") == "cashier", "sign-in with a full-width PIN")
# Signed in, but no CSRF token, or the wrong one: refused.
csrf, a.csrf = a.csrf, None
s, j, _ = a.save(charge("no-csrf-0001"))
L.check(s == 403 and j.get("error") == "csrf", "a save without the CSRF token is 403")
a.csrf = "0" * 64
s, j, _ = a.save(charge("bad-csrf-0001"))
L.check(s == 403, "a save with a wrong CSRF token is 403")
a.csrf = csrf
# A cross-site sign-in attempt (another Origin) is refused.
x = L.Session(base)
s, j, _ = x.req("POST", "/api/signin", {"name": "张丽", "pin": "1234"},
                headers={"Origin": "http://evil.example"})
L.check(s == 403, "a sign-in from another origin is refused")
L.check(L.count(home) == before, "nothing was saved by refused requests")

# Cookies: HttpOnly, SameSite=Strict.
s, j, h = L.Session(base).req("POST", "/api/signin", {"name": "王芳", "pin": "2345"})
sc = h.get("Set-Cookie", "")
L.check("HttpOnly" in sc and "SameSite=Strict" in sc, "the session cookie is HttpOnly, SameSite=Strict: " + sc)
# Security headers on the page.
s, j, h = anon.req("GET", "/")
L.check(s == 200 and "default-src 'self'" in h.get("Content-Security-Policy", ""), "the page has a same-origin CSP")
L.check(h.get("X-Frame-Options") == "DENY", "the page may not be framed")

# Suggestions: the same items in the same order as `bulu catalog find`,
# whatever the case or width typed.
for q in ["y", "Y000", "amx", "AMX", "l", "注射", "0.25", "f0001", "ｘｃｇ", "%", "_", "zzz"]:
    s, j, _ = a.req("GET", "/api/items?q=" + __import__("urllib.parse").parse.quote(q))
    got = [i["code"] for i in j.get("items", [])]
    r = L.bulu(home, "catalog", "find", q.replace("ｘｃｇ", "xcg"), "--format", "csv", want=None)
    want = [line.split(",")[0] for line in r.stdout.splitlines()[1:] if line][:20]
    L.check(s == 200 and got == want, "suggestions for %r are catalog find's: %s vs %s" % (q, got, want))

# Oversized bodies: 413, declared or not.
big = b'{"kind":"charge","key":"big-body-0001","note":"' + b"x" * (300 * 1024) + b'"}'
s, j, _ = a.req("POST", "/api/save", raw=big, headers={"Content-Type": "application/json"})
L.check(s == 413, "an oversized body is 413, got %d" % s)


def raw_http(data, read=True):
    c = socket.create_connection((host, port), timeout=10)
    c.sendall(data)
    out = b""
    if read:
        while True:
            b = c.recv(65536)
            if not b:
                break
            out += b
    c.close()
    return out


r = raw_http(b"POST /api/save HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nCookie: " +
             a.cookie.encode() + b"\r\nX-CSRF-Token: " + a.csrf.encode() +
             b"\r\nConnection: close\r\n\r\n" +
             b"".join(b"10000\r\n" + b"y" * 0x10000 + b"\r\n" for _ in range(6)) + b"0\r\n\r\n")
L.check(r.startswith(b"HTTP/1.1 413"), "a chunked body over the limit is 413: %r" % r[:40])

# Paths: traversal and unknown files are 404.
for path in ["/../journal.db", "/%2e%2e/secret.key", "/assets/../../etc/passwd", "//etc/passwd",
             "/secret.key", "/journal.db", "/app.js/..", "/..%2fsecret.key"]:
    r = raw_http(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    L.check(r.startswith(b"HTTP/1.1 404") or r.startswith(b"HTTP/1.1 400"), "%s is refused: %r" % (path, r[:30]))
    L.check(b"secret" not in r[r.find(b"\r\n\r\n"):] or b"not_found" in r, "%s leaks nothing" % path)

# A request cut off half-way saves nothing.
n0 = L.count(home)
body = ('{"kind":"charge","key":"cut-off-0001","patient_id":"1","lines":[{"code":"Y0001","qty":"1"}]}').encode()
raw_http(b"POST /api/save HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nCookie: " +
         a.cookie.encode() + b"\r\nX-CSRF-Token: " + a.csrf.encode() +
         b"\r\nContent-Length: %d\r\n\r\n" % len(body) + body[:len(body) // 2], read=False)
s, j, _ = a.req("GET", "/api/status")
L.check(L.count(home) == n0, "a request killed half-way saved nothing")

# One idempotency key saves once, even sent twice at once.
res = []
def dup():
    res.append(a.save(charge("double-click-0001")))
ts = [threading.Thread(target=dup) for _ in range(2)]
[t.start() for t in ts]
[t.join() for t in ts]
refs = {r[1].get("ref") for r in res}
L.check(all(r[0] == 200 for r in res) and len(refs) == 1, "a double submit answers one reference: %s" % refs)
L.check(L.count(home) == n0 + 1, "a double submit saved once")
L.check(sorted(r[1].get("again") for r in res) == [False, True], "the second answer says it was saved before")
s, j, _ = a.save(charge("double-click-0001", qty="5"))
L.check(j.get("ref") in refs and L.count(home) == n0 + 1, "a resent key later still saves nothing new")

# Refusals change nothing and say why, in Chinese, beside the field.
n1 = L.count(home)
s, j, _ = a.save(charge("bad-qty-000001", qty="0"))
L.check(s == 422 and j.get("field") == "qty" and "数量" in j.get("zh", ""), "a zero quantity is refused on qty")
s, j, _ = a.save(charge("bad-qty-000002", qty="abc"))
L.check(s == 422 and j.get("code") == "qty_bad", "a quantity in letters is refused")
s, j, _ = a.save(charge("reused-inv-001", invoice_no="00120001"))
L.check(s == 422 and j.get("code") == "invoice_used" and "发票" in j.get("zh", ""), "a reused invoice is refused")
s, j, _ = a.save(charge("bad-pay-000001", pay="bitcoin"))
L.check(s == 422 and j.get("field") == "pay_method", "an unknown payment method is refused")
s, j, _ = a.save(charge("bad-code-00001", code="NOPE"))
L.check(s == 422 and j.get("code") == "item_unknown", "an unknown item is refused")
s, j, _ = a.save({"kind": "requisition", "key": "role-check-001", "patient_id": "Z1",
                  "lines": [{"code": "Y0002", "qty": "1"}]})
L.check(s == 403 and j.get("error") == "role", "a cashier may not save a requisition")
L.check(L.count(home) == n1, "refused forms changed nothing")
# Full-width digits and the Chinese payment label are the stored code.
s, j, _ = a.save(charge("full-width-001", qty="２", patient_id="００１２", pay="微信"))
L.check(s == 200 and j.get("pay") == "wechat" and j.get("total") == "25.60", "full-width quantity, 微信 stored as wechat: %s" % j)

# 50 concurrent saves from 5 sessions: 50 entries, a journal that verifies.
sess = []
for name, role, pin in OPS[:5]:
    ss = L.Session(base)
    ss.signin(name, pin)
    sess.append(ss)
n2 = L.count(home)
results = []
lock = threading.Lock()


def worker(k):
    ss = sess[k % 5]
    r = ss.save(charge("conc-%04d-key" % k, qty=str(1 + k % 3)))
    with lock:
        results.append(r)


ts = [threading.Thread(target=worker, args=(k,)) for k in range(50)]
[t.start() for t in ts]
[t.join() for t in ts]
L.check(sum(1 for r in results if r[0] == 200) == 50, "50 concurrent saves answered saved")
L.check(len({r[1].get("ref") for r in results}) == 50, "50 different references")
L.check(len({r[1].get("invoice_no") for r in results}) == 50, "50 different invoice numbers")
L.check(L.count(home) == n2 + 50, "50 entries more in the journal")
# A CLI capture while the screen runs is safe.
r = L.bulu(home, "capture", "charge", "--operator", "张丽", "--patient", "1", "--item", "Ｙ０００２：３", "--pay", "现金")
L.check(r.returncode == 0 and "saved BL-OPD1-" in r.stdout, "a CLI capture beside the screen, with Y0002：3")
r = L.bulu(home, "capture", "charge", "--operator", "张三", "--patient", "1", "--item", "Y0002:1", want=2)
L.check(r.returncode == 2 and "张丽" in r.stderr, "the CLI refuses an operator the station does not have, listing them")
r = L.bulu(home, "journal", "verify")
L.check(r.returncode == 0, "the journal verifies: " + r.stdout.strip())
import sqlite3  # noqa: E402
db = sqlite3.connect(os.path.join(home, "journal.db"))
ops_seen = {r[0] for r in db.execute("SELECT operator FROM entries WHERE kind = 'charge'")}
db.close()
L.check({"张丽", "王芳", "李娜", "赵敏", "陈静"} == ops_seen, "entries carry their signed-in operators: %s" % ops_seen)
# Cash-up: one row per method whatever was typed.
r = L.bulu(home, "capture", "summary", "--operator", "张丽", "--format", "csv")
L.check(r.stdout.count("cash") >= 1 and "现金" not in r.stdout, "the cash-up has the stored code, not the label")

# Operators: list, disable, sign-in refused afterwards; operator entries in the journal.
r = L.bulu(home, "operator", "list")
L.check("刘洋\tnurse\t启用" in r.stdout, "operator list shows name, role and state")
r = L.bulu(home, "operator", "disable", "--name", "陈静", "--reason", "调岗")
s, j = L.Session(base).signin("陈静", "5678")
L.check(s == 401, "a disabled operator cannot sign in")
L.check(L.count(home, "operator") == 7, "every operator change is a journal entry")
r = L.bulu(home, "journal", "show", "--kind", "operator", "--format", "json")
L.check("pin" not in r.stdout.lower() and "argon" not in r.stdout.lower(), "no PIN hash in the journal")

# Every kind of form through the screen, by an "it" operator (every form).
with open(os.path.join(L.TMP, "pin-it"), "w") as f:
    f.write("7777\n")
L.bulu(home, "operator", "add", "--name", "信息科", "--role", "it", "--pin-file", os.path.join(L.TMP, "pin-it"))
it = L.Session(base)
it.signin("信息科", "7777")
kinds = {}
def saved(form, what):
    st, j, _ = it.save(form)
    L.check(st == 200 and j.get("ok"), "%s saved: %s" % (what, j))
    kinds[form["kind"]] = j.get("ref")
    return j
saved({"kind": "registration", "key": "kind-reg-0001", "patient_id": "0012399", "fee": "１５", "pay": "医保", "new_card": True, "card_no": "C0099"}, "a registration with a fee and a new card")
saved({"kind": "card_issue", "key": "kind-card-001", "card_no": "C0100", "patient_id": "0012400"}, "a card issue")
saved({"kind": "invoice_void", "key": "kind-ivd-0001", "invoice_no": "00120900", "reason": "打印错位"}, "a spoiled invoice")
rq = saved({"kind": "requisition", "key": "kind-req-0001", "patient_id": "Z0088", "doctor": "陈医生", "lines": [{"code": "Y0003", "qty": "4"}]}, "a requisition")
saved({"kind": "ward_charge", "key": "kind-ward-001", "patient_id": "Z0088", "lines": [{"code": "F0003", "qty": "2"}]}, "a ward charge")
saved({"kind": "order", "key": "kind-ord-0001", "patient_id": "Z0088", "lines": [{"code": "F0003", "qty": "1"}]}, "an order")
rx = saved({"kind": "prescription", "key": "kind-rx-00001", "patient_id": "0012345", "lines": [{"code": "Y0004", "qty": "1"}]}, "a prescription")
saved({"kind": "dispense", "key": "kind-dsp-0001", "ref": rq["ref"], "lines": [{"code": "Y0003", "qty": "4"}]}, "a dispense against the requisition")
saved({"kind": "dispense", "key": "kind-dsp-0002", "ref": str(rx["seq"]), "lines": [{"code": "Y0004", "qty": "1"}]}, "a dispense against a bare seq")
saved({"kind": "exam", "key": "kind-exam-001", "patient_id": "0012345", "request_no": "JY-7", "lines": [{"code": "F0001", "qty": "1"}]}, "an exam")
saved({"kind": "note", "key": "kind-note-001", "note": "交班：收款箱已清点"}, "a note")
saved({"kind": "void", "key": "kind-void-001", "ref": kinds["order"], "reason": "医嘱取消"}, "a void of the order")
st, j, _ = it.save({"kind": "void", "key": "kind-void-002", "ref": kinds["order"], "reason": "again"})
L.check(st == 422 and j.get("code") == "ref_voided", "a second void of it is refused: %s" % j.get("code"))
st, j, _ = it.save({"kind": "dispense", "key": "kind-dsp-0003", "ref": "BL-WARD9-3", "lines": [{"code": "Y0003", "qty": "1"}]})
L.check(st == 200 and j.get("ok"), "a dispense by another station's requisition reference is saved: %s" % j)
st, j, _ = it.save({"kind": "void", "key": "kind-void-003", "ref": "BL-WARD9-3", "reason": "x"})
L.check(st == 422 and j.get("code") == "ref_other_station" and "其他站点" in j.get("zh", ""), "a void of another station's form is refused in words: %s" % j)
st, j, _ = it.req("GET", "/api/entry?ref=BL-WARD9-3")
L.check(st == 200 and j.get("other_station") == "WARD9", "looking up another station's reference says whose it is")
r = L.bulu(home, "journal", "verify")
L.check(r.returncode == 0, "the journal verifies after every kind")

# Printing: only signed in, recorded first, the page with its own strict CSP.
ref = res[0][1]["ref"]
s, j, _ = anon.req("GET", "/print?form=receipt&ref=" + ref + "&size=80mm")
L.check(s == 401, "a printed page needs sign-in")
n3 = L.count(home, "print")
a.csrf, c0 = None, a.csrf
s, j, _ = a.req("POST", "/api/print", {"form": "receipt", "ref": ref, "size": "80mm"})
L.check(s == 403 and L.count(home, "print") == n3, "a print without the CSRF token records nothing")
a.csrf = c0
s, j, _ = a.req("POST", "/api/print", {"form": "receipt", "ref": ref, "size": "80mm"})
L.check(s == 200 and j["url"].startswith("/print?form=receipt") and L.count(home, "print") == n3 + 1, "a print is recorded: %s" % j)
s, page, h = a.req("GET", j["url"])
html = page.get("text", "")
L.check(s == 200 and ref in html and "<svg" in html, "the receipt page carries the reference and a barcode")
L.check("frame-ancestors 'self'" in h.get("Content-Security-Policy", "") and "script-src" not in h.get("Content-Security-Policy", ""), "the page may run no script")
s, j, _ = a.req("GET", "/print?form=receipt&ref=" + ref + "&size=80mm")
L.check(s == 400, "a receipt is printed only as a recorded print")
s, j, _ = a.req("POST", "/api/print", {"form": "receipt", "ref": ref, "size": "80mm"})
L.check(j.get("reprint") is True, "the second print is a reprint (重打)")

# A clean stop: SIGTERM, exit 0, and the journal still verifies.
rc = L.stop(p)
L.check(rc == 0, "station serve stops with 0 on SIGTERM, got %s" % rc)
L.check(L.bulu(home, "journal", "verify").returncode == 0, "the journal verifies after the stop")
# Listening beyond loopback needs a certificate.
r = L.bulu(home, "station", "serve", "--listen", "0.0.0.0:0", want=2)
L.check("--cert" in r.stderr, "a LAN address without TLS is refused")

# The idle lock: a session unused for longer than --idle-lock is gone.
p2, base2 = L.serve(home, "--idle-lock", "2s")
b = L.Session(base2)
s, j = b.signin("张丽", "1234")
s, j, _ = b.req("GET", "/api/items?q=amx")
L.check(s == 200, "a fresh session works")
import time  # noqa: E402
time.sleep(3.2)
s, j, _ = b.save(charge("idle-locked-01"))
L.check(s == 401, "after the idle lock a save is refused (401), got %d" % s)
s, j, _ = b.req("GET", "/api/status")
L.check(j.get("signed_in") is False, "the status says signed out")
L.stop(p2)

# HTTPS: with a certificate the screen serves TLS (here on loopback too).
import datetime  # noqa: E402
import ssl  # noqa: E402
from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402
k = ec.generate_private_key(ec.SECP256R1())
nm = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
now = datetime.datetime.now(datetime.timezone.utc)
cert = (x509.CertificateBuilder().subject_name(nm).issuer_name(nm).public_key(k.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30)).sign(k, hashes.SHA256()))
cf, kf = os.path.join(L.TMP, "cert.pem"), os.path.join(L.TMP, "key.pem")
with open(cf, "wb") as f:
    f.write(cert.public_bytes(serialization.Encoding.PEM))
with open(kf, "wb") as f:
    f.write(k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                            serialization.NoEncryption()))
p3 = subprocess.Popen([L.BULU, "station", "serve", "--listen", "127.0.0.1:0", "--cert", cf, "--key", kf],
                      env=L.env(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
url = p3.stdout.readline().strip()
L.check(url.startswith("https://127.0.0.1:"), "with --cert/--key the URL is https: " + url)
ctx = ssl.create_default_context(cafile=cf)
ctx.check_hostname = False
import urllib.request  # noqa: E402
import json as _json  # noqa: E402
try:
    rq = urllib.request.Request(url + "api/signin", data=_json.dumps({"name": "张丽", "pin": "1234"}).encode(),
                                headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(rq, context=ctx, timeout=20) as r:
        sc = r.headers.get("Set-Cookie", "")
        L.check(r.status == 200 and "Secure" in sc, "sign-in over HTTPS, the cookie marked Secure: " + sc)
except Exception as ex:  # noqa: BLE001
    L.fail("HTTPS sign-in failed: %s" % ex)
try:
    urllib.request.urlopen(url.replace("https:", "http:") + "api/status", timeout=5)
    L.fail("plain HTTP answered on the HTTPS port")
except Exception:
    L.ok()
p3.send_signal(signal.SIGTERM)
L.check(p3.wait(10) == 0, "the HTTPS server stops cleanly")
L.finish()
