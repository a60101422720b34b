"""Dask's own array tests run against tessera: how much of Dask's test suite a user's code
would find working. Not a test of ours; a measure of parity (issue 20) and a list of gaps.

    .venv/bin/python tests/audit/dask_suite.py [--timeout=900] [--json=out.json] [name...]

Each of Dask's ``dask/array/tests/test_*.py`` (from the installed Dask) is copied to a
scratch directory and run by pytest in a process of its own, with a plugin that makes
``import dask.array as da`` give tessera. Dask's private names (``da._x``) and submodules
tessera lacks (``da.core``, ``da.utils``...) stay Dask's: they are Dask's internals, and
Dask's ``assert_eq`` compares values through ``compute()``. Files for other backends
(cupy, sparse) and for Dask's expression internals are left out. The table shows passed /
(passed + failed + errors) per file and the most frequent first lines of the failures.
"""

from __future__ import annotations

import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

SKIP = ("cupy", "sparse", "array_expr", "test_dispatch", "test_svg", "test_testing")

PLUGIN = '''
import sys, types
import dask
import dask.array as _real
import dask.array.utils  # noqa: F401
import tessera


class _Shim(types.ModuleType):
    def __getattr__(self, name):
        real = getattr(_real, name, None)
        if name.startswith("_") or (isinstance(real, types.ModuleType) and not hasattr(tessera, name)):
            return getattr(_real, name)
        return getattr(tessera, name)


shim = _Shim("dask.array")
shim.__path__ = _real.__path__
sys.modules["dask.array"] = shim
dask.array = shim
'''


def run_file(path, scratch, timeout):
    report = os.path.join(scratch, os.path.basename(path) + ".json")
    cmd = [sys.executable, "-m", "pytest", "-p", "tessera_as_dask", os.path.basename(path), "-q", "-p", "no:cacheprovider",
           "--json-report", f"--json-report-file={report}", "--json-report-omit=collectors,log,streams,warnings",
           "-W", "ignore"]
    env = dict(os.environ, PYTHONPATH=scratch, OMP_NUM_THREADS="1")
    try:
        subprocess.run(cmd, cwd=scratch, env=env, timeout=timeout, capture_output=True)
    except subprocess.TimeoutExpired:
        return None
    if not os.path.exists(report):
        return None
    with open(report) as f:
        return json.load(f)


def first_line(test):
    for phase in ("setup", "call", "teardown"):
        crash = (test.get(phase) or {}).get("crash")
        if crash:
            msg = crash.get("message", "").splitlines()[0] if crash.get("message") else "?"
            msg = re.sub(r"0x[0-9a-f]+", "0x…", msg)
            return msg[:140]
    return "?"


def main():
    args = sys.argv[1:]
    timeout = next((int(a.split("=", 1)[1]) for a in args if a.startswith("--timeout=")), 900)
    out_json = next((a.split("=", 1)[1] for a in args if a.startswith("--json=")), None)
    names = [a for a in args if not a.startswith("--")]
    import dask

    src = os.path.join(os.path.dirname(dask.__file__), "array", "tests")
    scratch = tempfile.mkdtemp(prefix="dask-suite-")
    with open(os.path.join(scratch, "tessera_as_dask.py"), "w") as f:
        f.write(PLUGIN)
    conftest = os.path.join(os.path.dirname(dask.__file__), "conftest.py")
    if os.path.exists(conftest):  # Dask's fixtures (`xfail`, ...)
        shutil.copy(conftest, scratch)
    files = sorted(p for p in os.listdir(src) if p.startswith("test_") and p.endswith(".py")
                   and not any(s in p for s in SKIP) and (not names or any(n in p for n in names)))
    totals = collections.Counter()
    reasons = collections.Counter()
    rows = {}
    print(f"dask {dask.__version__}; {len(files)} files; scratch {scratch}", flush=True)
    for p in files:
        shutil.copy(os.path.join(src, p), scratch)
        rep = run_file(os.path.join(scratch, p), scratch, timeout)
        if rep is None:
            print(f"{p:32} timed out or crashed", flush=True)
            rows[p] = None
            continue
        c = collections.Counter(t["outcome"] for t in rep.get("tests", []))
        ran = c["passed"] + c["failed"] + c["error"]
        if not rep.get("tests") and rep.get("exitcode") not in (0, 5):
            c["error"] += 1
            ran = 1
        totals.update(c)
        rows[p] = dict(c)
        for t in rep.get("tests", []):
            if t["outcome"] in ("failed", "error"):
                reasons[first_line(t)] += 1
        print(f"{p:32} {c['passed']:5} / {ran:5}  ({100 * c['passed'] / max(ran, 1):5.1f}%)  skipped {c['skipped']}, xfail {c['xfailed']}", flush=True)
    ran = totals["passed"] + totals["failed"] + totals["error"]
    print(f"{'all':32} {totals['passed']:5} / {ran:5}  ({100 * totals['passed'] / max(ran, 1):5.1f}%)")
    print("\nmost frequent failures:")
    for msg, n in reasons.most_common(40):
        print(f"{n:6}  {msg}")
    if out_json:
        with open(out_json, "w") as f:
            json.dump({"files": rows, "totals": dict(totals), "reasons": reasons.most_common()}, f, indent=1)
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
