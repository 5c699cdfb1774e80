#!/usr/bin/env python3
"""mutate.py - `make mutate`: does the test suite catch small wrong changes?

Reads tests/mutate/mutations.txt, a list of one-line mutations, each given
by file, the exact original text and its replacement (never a line number:
the code moves under other people's changes).  The tree is copied into
build-mutate/src (only files whose bytes differ are copied again, so the
build there stays incremental), built once, and then, one mutation at a
time: the text replaced in the copy, the copy rebuilt (make rebuilds the
one object and relinks), the suites the mutation names run (fastest first,
each stopping at its first failed check: BULU_FAILFAST=1), and the file
put back.  The working tree is never touched.

Each mutation ends as
  caught      a suite failed (the one named), or timed out
  SURVIVED    every suite passed: a test is missing
  equivalent  listed with "equivalent: WHY" (cannot change behaviour); it is
              still applied and run, and reported SURVIVED if it is caught,
              so that an equivalence claim stays honest
  STALE       the original text is no longer in the file exactly once
  NOBUILD     the mutated copy does not compile (fix the mutation)

The table goes to build-mutate/report.md (and stdout); MUTATE_DOCS=1 also
writes it into docs/testing.md between its mutate markers (with MUTATE_ONLY,
only the rows of the mutations run are replaced).  Exit 0 only
when nothing SURVIVED, nothing is STALE and nothing failed to build.

  MUTATE_ONLY=id,id   run only these mutations
  MUTATE_JOBS=N       make -jN (default 2)
  MUTATE_TIMEOUT=S    seconds per suite run (default 600)
  MUTATE_NO_BASELINE=1  skip the unmutated run of every suite named
"""
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LIST = os.path.join(ROOT, "tests", "mutate", "mutations.txt")
WORK = os.path.join(ROOT, os.environ.get("MUTATE_DIR", "build-mutate"))
SRC = os.path.join(WORK, "src")
JOBS = os.environ.get("MUTATE_JOBS", "2")
TIMEOUT = int(os.environ.get("MUTATE_TIMEOUT", "600"))


class Mutation:
    def __init__(self, mid, path, lineno):
        self.id, self.path, self.lineno = mid, path, lineno
        self.area = mid.split("-")[0]
        self.orig = self.repl = None
        self.suites, self.why, self.equivalent = [], "", ""
        self.result, self.by, self.secs = "", "", 0.0


def parse(path):
    muts, cur = [], None
    for n, raw in enumerate(open(path, encoding="utf-8"), 1):
        line = raw.rstrip("\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = re.match(r"^\[([A-Za-z0-9_-]+)\]\s+(\S+)\s*$", line)
        if m:
            cur = Mutation(m.group(1), m.group(2), n)
            muts.append(cur)
            continue
        if cur is None:
            sys.exit("%s:%d: a mutation starts with [ID] FILE" % (path, n))
        if line.startswith("- "):
            cur.orig = line[2:]
        elif line.startswith("+ "):
            cur.repl = line[2:]
        elif line.startswith("+") and line == "+":
            cur.repl = ""
        elif line.startswith("suites:"):
            cur.suites = line.split(":", 1)[1].split()
        elif line.startswith("why:"):
            cur.why = line.split(":", 1)[1].strip()
        elif line.startswith("equivalent:"):
            cur.equivalent = line.split(":", 1)[1].strip()
        else:
            sys.exit("%s:%d: unknown line: %s" % (path, n, line))
    ids = set()
    for m in muts:
        if m.orig is None or m.repl is None or not m.suites:
            sys.exit("%s:%d: [%s] needs '- ORIGINAL', '+ REPLACEMENT' and 'suites:'" % (path, m.lineno, m.id))
        if m.id in ids:
            sys.exit("%s:%d: [%s] twice" % (path, m.lineno, m.id))
        ids.add(m.id)
    return muts


def tree_files():
    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                         capture_output=True, check=True).stdout
    return [f for f in out.decode().split("\0") if f and not f.startswith("build")]


def sync_tree():
    """Copy the working tree into SRC, rewriting only files that differ."""
    os.makedirs(SRC, exist_ok=True)
    for f in tree_files():
        a, b = os.path.join(ROOT, f), os.path.join(SRC, f)
        if not os.path.isfile(a):
            continue
        data = open(a, "rb").read()
        if os.path.isfile(b) and open(b, "rb").read() == data:
            continue
        os.makedirs(os.path.dirname(b), exist_ok=True)
        with open(b, "wb") as w:
            w.write(data)
        shutil.copymode(a, b)


def targets(suites):
    t = {"build/bulu"}
    for s in suites:
        kind, name = s.split(":", 1)
        if kind == "unit":
            t.add("build/tests/" + name)
        elif kind == "cli":
            for tool in sorted(os.listdir(os.path.join(SRC, "tests", "tools"))):
                if tool.endswith(".c"):
                    t.add("build/tests/tools/" + tool[:-2])
            if name == "fuzz_replay":
                for fz in ("fuzz_csv", "fuzz_import", "fuzz_bundle"):
                    t.add("build/tests/fuzz/" + fz)
    return sorted(t)


def build(suites):
    r = subprocess.run(["make", "-j" + JOBS, "--no-print-directory"] + targets(suites), cwd=SRC,
                       capture_output=True, text=True)
    return r.returncode == 0, r.stdout + r.stderr


def run_suite(s):
    """True when the suite passes."""
    kind, name = s.split(":", 1)
    env = dict(os.environ, BULU=os.path.join(SRC, "build", "bulu"),
               TOOLS=os.path.join(SRC, "build", "tests", "tools"),
               FUZZ=os.path.join(SRC, "build", "tests", "fuzz"), BULU_FAILFAST="1")
    cmd = [os.path.join(SRC, "build", "tests", name)] if kind == "unit" else \
        ["sh", os.path.join("tests", "cli", name + ".sh")]
    try:
        r = subprocess.run(cmd, cwd=SRC, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return False
    return r.returncode == 0


def table(muts):
    rows = ["| id | file | mutation | result | caught by |", "|---|---|---|---|---|"]
    for m in muts:
        what = m.why or ("`%s` -> `%s`" % (m.orig.strip(), m.repl.strip()))
        res = m.result + (" (%s)" % m.equivalent if m.result == "equivalent" else "")
        rows.append("| %s | `%s` | %s | %s | %s |" % (m.id, m.path, what.replace("|", "\\|"),
                                                    res.replace("|", "\\|"), m.by))
    counts = {}
    for m in muts:
        counts[m.result] = counts.get(m.result, 0) + 1
    summary = ", ".join("%d %s" % (v, k) for k, v in sorted(counts.items()))
    return "\n".join(rows) + "\n\n%d mutations: %s.\n" % (len(muts), summary)


def main():
    muts = parse(LIST)
    only = [x for x in os.environ.get("MUTATE_ONLY", "").split(",") if x]
    if only:
        muts = [m for m in muts if m.id in only]
    t0 = time.time()
    print("mutate: %d mutations; copying the tree into %s" % (len(muts), SRC), flush=True)
    sync_tree()
    suites = []
    for m in muts:
        for s in m.suites:
            if s not in suites:
                suites.append(s)
    ok, log = build(suites)
    if not ok:
        print(log[-3000:])
        sys.exit("mutate: the unmutated tree does not build")
    if not os.environ.get("MUTATE_NO_BASELINE"):
        for s in suites:
            if not run_suite(s):
                sys.exit("mutate: %s fails without any mutation: fix it first" % s)
        print("mutate: baseline: %d suites pass unmutated (%.0f s)" % (len(suites), time.time() - t0), flush=True)
    for m in muts:
        path = os.path.join(SRC, m.path)
        t1 = time.time()
        try:
            text = open(path, encoding="utf-8").read()
        except OSError:
            text = ""
        n = text.count(m.orig)
        if n != 1:
            m.result = "STALE"
            m.by = "original text found %d times" % n
        else:
            open(path, "w", encoding="utf-8").write(text.replace(m.orig, m.repl, 1))
            try:
                ok, log = build(m.suites)
                if not ok:
                    m.result, m.by = "NOBUILD", log.strip().splitlines()[-1][:80] if log.strip() else ""
                else:
                    for s in m.suites:
                        if not run_suite(s):
                            m.result, m.by = "caught", s
                            break
                    else:
                        m.result = "equivalent" if m.equivalent else "SURVIVED"
                    if m.equivalent and m.result == "caught":
                        m.result, m.by = "SURVIVED", "claimed equivalent, yet caught by " + m.by
            finally:
                open(path, "w", encoding="utf-8").write(text)
        m.secs = time.time() - t1
        print("mutate: %-12s %-10s %5.1f s  %s" % (m.id, m.result, m.secs, m.by), flush=True)
    build(suites)  # leave the copy built unmutated
    out = table(muts)
    with open(os.path.join(WORK, "report.md"), "w", encoding="utf-8") as f:
        f.write(out)
    print("\n" + out)
    print("mutate: %.0f s in all" % (time.time() - t0))
    if os.environ.get("MUTATE_DOCS"):
        doc = os.path.join(ROOT, "docs", "testing.md")
        d = open(doc, encoding="utf-8").read()
        a, b = "<!-- mutate:begin -->\n", "<!-- mutate:end -->"
        if a in d and b in d:
            if only:  # replace the rows of the mutations run, keep the rest
                old = d[d.index(a) + len(a):d.index(b)].split("\n")
                new = {r.split(" | ")[0]: r for r in out.split("\n") if r.startswith("| ")}
                rows = [new.get(r.split(" | ")[0], r) if r.startswith("| ") else r for r in old]
                counts = {}
                for r in rows:
                    if r.startswith("| ") and not r.startswith("| id ") and not r.startswith("|---"):
                        res = r.split(" | ")[3].split(" (")[0]
                        counts[res] = counts.get(res, 0) + 1
                total = sum(counts.values())
                rows = [("%d mutations: %s." % (total, ", ".join("%d %s" % (v, k) for k, v in sorted(counts.items())))
                         if re.match(r"^\d+ mutations: ", r) else r) for r in rows]
                out = "\n".join(rows)
            d = d[:d.index(a) + len(a)] + out + d[d.index(b):]
            open(doc, "w", encoding="utf-8").write(d)
    bad = [m for m in muts if m.result in ("SURVIVED", "STALE", "NOBUILD")]
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
