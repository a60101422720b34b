"""Expressions far deeper than the stack: build, compute, picture and drop without a crash.
Each case runs in a subprocess, so that a stack overflow fails the test instead of pytest."""

import subprocess
import sys

import pytest

CASES = {
    # 100,000 chained operations (the seed's iterative-update pattern).
    "chain": "x = da.ones(1000, chunks=100)\nfor i in range(50_000): x = x * 0.99 + 0.01\n"
             "assert x.mean().compute() == 1.0",
    "views": "x = da.ones((40, 30), chunks=(7, 9))\nfor i in range(5_000): x = x[::-1] + 1\n"
             "assert x.sum().compute() == 1200 * 5001",
    "reductions": "x = da.ones((40, 30), chunks=(7, 9))\n"
                  "for i in range(3_000): x = x - x.max(axis=0, keepdims=True) + 1\n"
                  "assert x.sum().compute() == 1200",
    "drop": "x = da.ones(4, chunks=2)\nfor i in range(1_000_000): x = x + 1\ndel x",
    "picture": "x = da.ones(100, chunks=10)\nfor i in range(20_000): x = x + 1\n"
               "x.visualize(filename=sys.argv[1]); x.visualize(filename=sys.argv[1], optimize_graph=True)",
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_deep_expression(case, tmp_path):
    code = "import sys, tessera as da\n" + CASES[case]
    r = subprocess.run([sys.executable, "-c", code, str(tmp_path / "g.svg")], capture_output=True, text=True, timeout=240)
    assert r.returncode == 0, (r.returncode, r.stderr[-2000:])
