"""screen.py BULU WORKDIR K: rows S1 and S2 of `make bench` (bench/run.sh).

S1: keystroke to suggestions on a 30,000-item catalog over HTTP from a
local client (a real `bulu station serve`), p99 over every prefix typed of
600 lookups (codes, pinyin initials, parts of names), beside the same
lookup (the same SQL on the station's catalog table) done by SQLite itself
in this process: the floor.
S2: one 5-line charge saved through POST /api/save, durable, median of K,
beside the whole-process `bulu capture charge` of B2 on a twin station,
interleaved in the same run.
Prints one `S1 ...` and one `S2 ...` line of key=value figures for run.sh."""
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request

BULU, W, K = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.makedirs(W, exist_ok=True)
rng = random.Random(13)
HAN = "阿莫西林胶囊氯化钠注射液青霉素钠布洛芬缓释头孢克肟分散片血常规胸部正位维生素葡萄糖甲硝唑庆大霉素地塞米松复方甘草口服溶液硝苯地平二甲双胍阿司匹林肠溶奥美拉唑"
PY = "ABCDEFGHJKLMNPQRSTWXYZ"


def catalog(path):
    with open(path, "w") as f:
        f.write("code,name,pinyin,unit,price,category,version\n")
        f.write("GH001,普通门诊挂号费,PTMZGHF,次,10.00,挂号,S1\nY0001,阿莫西林胶囊 0.25g*24粒,AMXLJN,盒,18.50,西药,S1\n"
                "Y0002,0.9%氯化钠注射液 250ml,LHNZSY,瓶,4.20,西药,S1\nJ0001,血常规,XCG,次,25.00,检验,S1\n"
                "J0002,胸部正位片 (DR),XBZWP,次,80.00,检查,S1\n")
        items = []
        for i in range(30000 - 5):
            n = rng.randint(3, 9)
            name = "".join(rng.choice(HAN) for _ in range(n)) + " %dmg" % rng.randint(1, 500)
            py = "".join(rng.choice(PY) for _ in range(n))
            code = "X%05d" % i
            items.append((code, name, py))
            f.write("%s,%s,%s,盒,%d.%02d,西药,S1\n" % (code, name, py, rng.randint(0, 300), rng.randint(0, 99)))
    return items


def env(home):
    e = {k: v for k, v in os.environ.items() if not k.startswith("BULU_")}
    e["BULU_HOME"] = home
    return e


def run(home, *a):
    subprocess.run([BULU] + list(a), env=env(home), check=True, capture_output=True)


def station(sid, cat):
    home = os.path.join(W, sid)
    run(home, "station", "init", "--station", sid, "--dept", "门诊收费", "--role", "cashier")
    run(home, "catalog", "load", cat)
    run(home, "invoice", "add-book", "--from", "30000001", "--to", "30009999")
    run(home, "outage", "start", "--operator", "信息科")
    pf = os.path.join(W, "pin")
    with open(pf, "w") as f:
        f.write("1234\n")
    run(home, "operator", "add", "--name", "张丽", "--role", "cashier", "--pin-file", pf)
    return home


cat = os.path.join(W, "catalog30k.csv")
items = catalog(cat)
web = station("S_WEB", cat)
cli = station("S_CLI", cat)
p = subprocess.Popen([BULU, "station", "serve", "--listen", "127.0.0.1:0"], env=env(web),
                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
base = p.stdout.readline().strip().rstrip("/")
cookie = csrf = None


def req(method, path, body=None):
    global cookie
    h = {}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    if cookie:
        h["Cookie"] = cookie
    if csrf:
        h["X-CSRF-Token"] = csrf
    r = urllib.request.urlopen(urllib.request.Request(base + path, data=data, headers=h, method=method))
    sc = r.headers.get("Set-Cookie")
    if sc:
        cookie = sc.split(";")[0]
    return json.loads(r.read())


try:
    csrf = req("POST", "/api/signin", {"name": "张丽", "pin": "1234"})["csrf"]
    # What a person types: each prefix of a code, pinyin initials or a name part.
    words = []
    for _ in range(200):
        c, n, py = rng.choice(items)
        words += [c[:5], py[:4].lower(), n[:3]]
    queries = [w[:k] for w in words for k in range(1, len(w) + 1)]
    db = sqlite3.connect(os.path.join(web, "journal.db"))
    load = db.execute("SELECT max(load_seq) FROM catalog_items").fetchone()[0]
    sql = ("SELECT code, name, unit, price_fen, category, pinyin FROM ("
           " SELECT *, CASE WHEN code = ?2 COLLATE NOCASE THEN 0"
           "  WHEN code LIKE ?3 ESCAPE '\\' THEN 1"
           "  WHEN pinyin <> '' AND pinyin LIKE ?3 ESCAPE '\\' THEN 2"
           "  WHEN name LIKE ?4 ESCAPE '\\' THEN 3 END AS rank"
           " FROM catalog_items WHERE load_seq = ?1)"
           " WHERE rank IS NOT NULL ORDER BY rank, code LIMIT 20")
    for q in queries[:50]:  # warm both
        req("GET", "/api/items?q=" + urllib.parse.quote(q))
        db.execute(sql, (load, q, q + "%", "%" + q + "%")).fetchall()
    http_t, sql_t = [], []
    for q in queries:
        t0 = time.perf_counter()
        j = req("GET", "/api/items?q=" + urllib.parse.quote(q))
        http_t.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        rows = db.execute(sql, (load, q, q + "%", "%" + q + "%")).fetchall()
        sql_t.append(time.perf_counter() - t0)
        if len(rows) != len(j["items"]):
            raise SystemExit("S1: the screen and sqlite disagree on %r" % q)
    db.close()

    def p99(v):
        v = sorted(v)
        return v[min(len(v) - 1, int(len(v) * 0.99))]
    print("S1 lookups=%d http_p99=%.6f http_median=%.6f sql_p99=%.6f sql_median=%.6f" %
          (len(queries), p99(http_t), statistics.median(http_t), p99(sql_t), statistics.median(sql_t)))

    lines = [{"code": c, "qty": q} for c, q in
             (("GH001", "1"), ("Y0001", "2"), ("Y0002", "3"), ("J0001", "1"), ("J0002", "1"))]
    cli_cmd = [BULU, "capture", "charge", "--operator", "张丽", "--patient", "0012345", "--name", "李明",
               "--dept", "内科", "--item", "GH001:1", "--item", "Y0001:2", "--item", "Y0002:3",
               "--item", "J0001:1", "--item", "J0002:1", "--pay", "cash"]
    web_t, cli_t = [], []
    for i in range(K + 1):  # one warm-up round, interleaved
        t0 = time.perf_counter()
        j = req("POST", "/api/save", {"kind": "charge", "key": "bench-s2-%06d" % i, "patient_id": "0012345",
                                      "patient_name": "李明", "dept": "内科", "pay": "cash", "lines": lines})
        t1 = time.perf_counter()
        if not j.get("ok"):
            raise SystemExit("S2: a save was refused: %s" % j)
        subprocess.run(cli_cmd, env=env(cli), check=True, capture_output=True)
        t2 = time.perf_counter()
        if i:
            web_t.append(t1 - t0)
            cli_t.append(t2 - t1)
    n = sqlite3.connect(os.path.join(web, "journal.db")).execute(
        "SELECT count(*) FROM entries WHERE kind = 'charge'").fetchone()[0]
    if n != K + 1:
        raise SystemExit("S2: %d charges saved through the screen, expected %d" % (n, K + 1))
    print("S2 runs=%d http_median=%.6f cli_median=%.6f http_min=%.6f http_max=%.6f" %
          (K, statistics.median(web_t), statistics.median(cli_t), min(web_t), max(web_t)))
finally:
    p.terminate()
    p.wait()
