"""compute / persist / config / schedulers / progress callbacks / Ctrl-C / the GIL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import tessera as da
from conftest import assert_same

ROOT = Path(__file__).resolve().parents[2]


def test_compute_returns_numpy_and_numpy_scalars():
    x = da.arange(10, chunks=3)
    r = x.compute()
    assert type(r) is np.ndarray and r.dtype == np.int64
    s = x.sum().compute()
    assert isinstance(s, np.int64) and s == 45
    assert isinstance(x.mean().compute(), np.float64)
    assert isinstance((x > 3).any().compute(), np.bool_)


def test_compute_many_shares_work_and_keeps_structure():
    x = da.random.default_rng(0).normal(size=10_000, chunks=1000)
    y = x * 2
    a, b, c, d = da.compute(y.sum(), y.mean(), 5, [y.max(), {"k": y.min()}])
    ref = y.compute()
    assert c == 5
    assert np.isclose(a, ref.sum()) and np.isclose(b, ref.mean())
    assert d[0] == ref.max() and d[1]["k"] == ref.min()
    (same,) = da.compute(y.sum(), traverse=False)
    assert np.isclose(same, ref.sum())
    assert da.compute() == ()


@pytest.mark.parametrize("scheduler", ["sync", "synchronous", "single-threaded", "threads", "threading", "processes"])
def test_schedulers(scheduler):
    x = da.random.default_rng(1).random((200, 300), chunks=(50, 70))
    assert_same(x.sum(axis=0).compute(scheduler=scheduler), x.sum(axis=0).compute())


def test_config_set_and_get():
    assert da.config.get("scheduler") == "threads"
    with pytest.raises(KeyError):
        da.config.get("no-such-key")
    assert da.config.get("no-such-key", 3) == 3
    with da.config.set(scheduler="sync", num_workers=2):
        assert da.config.get("scheduler") == "sync"
        assert da.config.get("num_workers") == 2
        with da.config.set({"num-workers": 3}):
            assert da.config.get("num_workers") == 3
        assert da.config.get("num_workers") == 2
        assert da.ones(10, chunks=2).sum().compute() == 10
    assert da.config.get("scheduler") == "threads"
    assert da.config.get("num_workers", None) is None
    da.config.set(num_workers=1)
    try:
        assert da.config.get("num_workers") == 1
    finally:
        da.config.set(num_workers=None)


def _run(code, env=None, timeout=120):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=e,
                          timeout=timeout, cwd=ROOT)


def test_config_defaults_from_environment():
    r = _run(
        """
        import tessera as da
        print(da.config.get("num_workers"), da.config.get("scheduler"), da.config.get("foo.bar_baz"))
        print(da.ones(100, chunks=10).sum().compute())
        """,
        env={"TESSERA_NUM_THREADS": "1", "TESSERA_SCHEDULER": "sync", "TESSERA_FOO__BAR_BAZ": "7"},
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.split("\n")[0] == "1 sync 7"


def test_progress_callback():
    seen = []
    x = da.random.default_rng(2).normal(size=30_000_000, chunks=1_000_000)
    x.mean().compute(_progress=lambda done, total: seen.append((done, total)))
    assert seen, "the callback was never called"
    assert seen[-1][0] == seen[-1][1] > 30
    assert all(d <= t for d, t in seen)


def test_progress_callback_error_cancels():
    x = da.random.default_rng(2).normal(size=400_000_000, chunks=1_000_000)

    def boom(done, total):
        raise RuntimeError("stop here")

    t0 = time.perf_counter()
    with pytest.raises(RuntimeError, match="stop here"):
        x.mean().compute(_progress=boom)
    assert time.perf_counter() - t0 < 1.5


def test_gil_is_released_while_computing():
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(1)
            time.sleep(0.005)

    t = threading.Thread(target=ticker)
    t.start()
    try:
        t0 = time.perf_counter()
        da.random.default_rng(3).normal(size=60_000_000, chunks=5_000_000).std().compute()
        elapsed = time.perf_counter() - t0
    finally:
        stop.set()
        t.join()
    assert len(ticks) > elapsed / 0.005 * 0.3, (len(ticks), elapsed)


CANCEL_SCRIPT = """
import os, sys, threading, time
import tessera as da
x = da.random.default_rng(0).normal(size=20_000_000_000, chunks=10_000_000)
base = len(os.listdir("/proc/self/task"))  # NumPy's BLAS may run threads of its own
print("start", flush=True)
t0 = time.perf_counter()
try:
    x.mean().compute()
except KeyboardInterrupt:
    dt = time.perf_counter() - t0
    # a joined thread can stay listed in /proc for a moment after it ended
    for _ in range(50):
        extra = len(os.listdir("/proc/self/task")) - base
        if extra <= 0:
            break
        time.sleep(0.01)
    print("interrupted", round(dt, 3), "threads", threading.active_count(),
          "extra-os-threads", extra, flush=True)
    sys.exit(3)
print("finished", flush=True)
"""


def test_ctrl_c_cancels_within_a_second():
    p = subprocess.Popen([sys.executable, "-c", CANCEL_SCRIPT], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, cwd=ROOT)
    try:
        assert p.stdout.readline().strip() == "start"
        time.sleep(0.7)
        t0 = time.perf_counter()
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=10)
        waited = time.perf_counter() - t0
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 3, (out, err)
    assert waited < 1.5, waited
    words = out.split()
    assert words[0] == "interrupted" and float(words[1]) < 20
    # no computation threads are left behind
    assert words[words.index("extra-os-threads") + 1] == "0", out


def test_ctrl_c_in_sync_mode():
    script = CANCEL_SCRIPT.replace("x.mean().compute()", "x.mean().compute(scheduler='sync')")
    p = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         cwd=ROOT)
    try:
        assert p.stdout.readline().strip() == "start"
        time.sleep(0.5)
        t0 = time.perf_counter()
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=10)
        waited = time.perf_counter() - t0
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 3, (out, err)
    assert waited < 1.5


def test_explain():
    text = (da.ones(10, chunks=5) + 1).sum().explain()
    assert "plan:" in text and "stages" in text


def test_seed_program_runs():
    r = subprocess.run([sys.executable, str(ROOT / "examples" / "array-mean.py"), "8000000", "4"],
                       capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("mean is ")
    assert abs(float(lines[0].split()[-1])) < 1e-3
    assert any(line.startswith("compute time: ") and line.endswith("s") for line in lines)
