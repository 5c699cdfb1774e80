"""screenlib.py - what the station screen's tests share: a real station made
with the real `bulu`, a real `bulu station serve` on a free 127.0.0.1 port,
plain HTTP helpers (urllib), and a headless Debian chromium through
chromedriver.  Each test script ends with finish(), printing
"NAME: N passed, N failed" like tests/lib.sh.
"""
import atexit
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

BULU = os.environ.get("BULU") or sys.exit("BULU must point at the bulu binary")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NAME = os.path.splitext(os.path.basename(sys.argv[0]))[0]
OUT = os.environ.get("BROWSER_OUT") or tempfile.mkdtemp(prefix="bulu-" + NAME + ".")
os.makedirs(OUT, exist_ok=True)
TMP = tempfile.mkdtemp(prefix="bulu-test.")
PASS = 0
FAIL = 0
_servers = []


def ok(what=""):
    global PASS
    PASS += 1


def fail(what):
    global FAIL
    FAIL += 1
    print("%s: FAIL: %s" % (NAME, what), file=sys.stderr)


def check(cond, what):
    ok(what) if cond else fail(what)
    return cond


def _stop_all():
    for p in list(_servers):
        stop(p)


# A test that dies half-way (an exception) still stops its servers.
atexit.register(_stop_all)


def finish():
    _stop_all()
    shutil.rmtree(TMP, ignore_errors=True)
    print("%s: %d passed, %d failed" % (NAME, PASS, FAIL))
    sys.exit(1 if FAIL else 0)


def env(home):
    e = dict(os.environ)
    for k in ("BULU_NOW", "BULU_OPERATOR", "BULU_VERBOSE", "BULU_PASSPHRASE_FILE"):
        e.pop(k, None)
    e["BULU_HOME"] = home
    e["LC_ALL"] = "C.UTF-8"
    return e


def bulu(home, *args, want=0, stdin=None):
    r = subprocess.run([BULU] + list(args), env=env(home), capture_output=True, text=True,
                       input=stdin)
    if want is not None and r.returncode != want:
        fail("exit %d, wanted %d: bulu %s: %s" % (r.returncode, want, " ".join(args), r.stderr.strip()))
    return r


def station(sid, role="cashier", dept="门诊收费", operators=(("张丽", "cashier", "1234"),),
            drill=False, catalog=None, outage=True):
    """A station ready to capture: catalog, invoice book, outage, operators."""
    home = os.path.join(TMP, sid)
    bulu(home, "station", "init", "--station", sid, "--dept", dept, "--role", role)
    bulu(home, "catalog", "load", catalog or os.path.join(ROOT, "tests/data/screen-catalog.csv"))
    bulu(home, "invoice", "add-book", "--from", "00120001", "--to", "00120999")
    bulu(home, "invoice", "add-book", "--drill", "--from", "90120001", "--to", "90120999")
    if outage:
        bulu(home, "outage", "start", *(["--drill"] if drill else []))
    for name, r, pin in operators:
        pf = os.path.join(TMP, "pin-" + sid)
        with open(pf, "w") as f:
            f.write(pin + "\n")
        bulu(home, "operator", "add", "--name", name, "--role", r, "--pin-file", pf)
    return home


def serve(home, *extra):
    """`bulu station serve` on a free loopback port; returns (process, base URL)."""
    p = subprocess.Popen([BULU, "station", "serve", "--listen", "127.0.0.1:0"] + list(extra),
                         env=env(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = p.stdout.readline().strip()
    if not line.startswith("http://"):
        fail("station serve did not print its URL: " + p.stderr.read())
        return p, None
    _servers.append(p)
    return p, line.rstrip("/")


def stop(p):
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    if p in _servers:
        _servers.remove(p)
    return p.returncode


class Session:
    """A browser-less client: a cookie jar, the CSRF token, JSON in and out."""

    def __init__(self, base):
        self.base = base
        self.cookie = None
        self.csrf = None

    def req(self, method, path, body=None, headers=None, raw=None):
        h = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        if raw is not None:
            data = raw
        if self.cookie:
            h["Cookie"] = self.cookie
        if self.csrf and method == "POST":
            h["X-CSRF-Token"] = self.csrf
        h.update(headers or {})
        rq = urllib.request.Request(self.base + path, data=data, headers=h, method=method)
        try:
            with urllib.request.urlopen(rq, timeout=30) as r:
                status, text, hdrs = r.status, r.read().decode(), r.headers
        except urllib.error.HTTPError as e:
            status, text, hdrs = e.code, e.read().decode(), e.headers
        sc = hdrs.get("Set-Cookie")
        if sc and sc.startswith("bulu_session="):
            v = sc.split(";")[0]
            self.cookie = None if v == "bulu_session=" else v
        try:
            j = json.loads(text)
        except ValueError:
            j = {"text": text}
        return status, j, hdrs

    def signin(self, name="张丽", pin="1234"):
        s, j, _ = self.req("POST", "/api/signin", {"name": name, "pin": pin})
        if s == 200:
            self.csrf = j["csrf"]
        return s, j

    def save(self, form):
        return self.req("POST", "/api/save", form)


def count(home, kind=None):
    import sqlite3
    db = sqlite3.connect(os.path.join(home, "journal.db"))
    q = "SELECT count(*) FROM entries" + (" WHERE kind = ?" if kind else "")
    n = db.execute(q, (kind,) if kind else ()).fetchone()[0]
    db.close()
    return n


def browser():
    """Headless chromium with a performance log (every network request)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    o = webdriver.ChromeOptions()
    o.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--window-size=1366,860", "--lang=zh-CN", "--no-first-run",
              "--disable-background-networking", "--disable-component-update",
              "--disable-sync", "--disable-default-apps", "--force-device-scale-factor=1",
              "--user-data-dir=" + tempfile.mkdtemp(prefix="chromium.", dir=TMP)):
        o.add_argument(a)
    o.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    drv = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    return webdriver.Chrome(service=Service(drv), options=o)


def requested_urls(d):
    """Every URL the page asked for (DevTools network log)."""
    urls = []
    for entry in d.get_log("performance"):
        m = json.loads(entry["message"])["message"]
        if m.get("method") == "Network.requestWillBeSent":
            urls.append(m["params"]["request"]["url"])
    return urls


def wait_for(fn, timeout=10.0):
    end = time.time() + timeout
    while time.time() < end:
        try:
            v = fn()
            if v:
                return v
        except Exception:
            pass
        time.sleep(0.05)
    return None
