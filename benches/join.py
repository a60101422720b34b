"""Joining, padding and fancy indexing: NumPy, Dask and tessera side by side in one run
(issue 16's targets). Medians over repetitions, libraries interleaved; ratios are
Dask/tessera (and NumPy/tessera) from the same run.

    .venv/bin/python benches/join.py              # every case at the issue's sizes
    .venv/bin/python benches/join.py --small      # compute cases at 1/4 of the rows and columns
    .venv/bin/python benches/join.py fancy        # only cases whose name contains this

Cases:
  concat_build      concatenate of 1,000 arrays of 1,000 blocks: graph build (target < 50 ms)
  slice_100k        a[10:51] and a[N-51] of a 100,000-chunk array: build + compute (< 1 ms)
  fancy_build       Dask's asv FancyIndexing: empty((2e6, 200, 2), i1, chunks=(1e4, 100, 2)),
                    a boolean row mask then 100 sorted columns: graph build (>= 100x Dask)
  vorticity         two 4000x4000x8 float64 arrays, pad(mode='wrap'), rechunk back,
                    dx*u - dy*v, summed (>= 3x Dask)
  double_diff       a[1:, 1:] - b[:-1, :-1] summed (>= 3x Dask)
"""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np

SMALL = "--small" in sys.argv


def _lib(name):
    if name == "dask":
        import dask
        import dask.array as da

        dask.config.set(scheduler="threads")
        return da
    import tessera as da

    return da


def concat_build(lib):
    if lib == "numpy":
        return None
    da = _lib(lib)
    xs = [da.ones((1000,), chunks=1) for _ in range(1000)]
    t = time.perf_counter()
    y = da.concatenate(xs)
    dt = time.perf_counter() - t
    assert y.numblocks == (1_000_000,)
    return dt


def slice_100k(lib):
    n = 100_000
    if lib == "numpy":
        a = np.arange(n, dtype=np.float64)
        t = time.perf_counter()
        r = (a[10:51].copy(), a[n - 51])
        return time.perf_counter() - t
    da = _lib(lib)
    # Dask's asv Slicing suite.
    a = da.empty(shape=(n,), dtype="i1", chunks=[1] * n)
    t = time.perf_counter()
    r1 = a[10:51].compute()
    a[n - 51].compute()
    dt = time.perf_counter() - t
    assert r1.shape == (41,)
    return dt


def fancy_build(lib):
    if lib == "numpy":
        return None
    da = _lib(lib)
    rng = np.random.default_rng(0)
    x = da.empty((2_000_000, 200, 2), dtype="i1", chunks=(10000, 100, 2))
    mask = rng.integers(0, 2, 2_000_000).astype(bool)
    cols = np.sort(rng.choice(200, 100, replace=False))
    t = time.perf_counter()
    y = x[mask][:, cols]
    dt = time.perf_counter() - t
    assert y.shape[1] == 100
    return dt


def _vort_inputs(lib):
    n = 1000 if SMALL else 4000
    shape, chunks = (n, n, 8), (n // 4, n // 4, 8)
    if lib == "numpy":
        rng = np.random.default_rng(1)
        return rng.random(shape), rng.random(shape), chunks
    da = _lib(lib)
    if lib == "dask":
        rs = da.random.RandomState(1)
        return rs.random_sample(shape, chunks=chunks), rs.random_sample(shape, chunks=chunks), chunks
    rng = da.random.default_rng(1)
    return rng.random(shape, chunks=chunks), rng.random(shape, chunks=chunks), chunks


def vorticity(lib):
    u, v, chunks = _vort_inputs(lib)
    pw = ((1, 1), (1, 1), (0, 0))
    t = time.perf_counter()
    if lib == "numpy":
        up, vp = np.pad(u, pw, mode="wrap"), np.pad(v, pw, mode="wrap")
    else:
        da = _lib(lib)
        up = da.pad(u, pw, mode="wrap").rechunk(chunks)
        vp = da.pad(v, pw, mode="wrap").rechunk(chunks)
    dx = up[2:, 1:-1] - up[:-2, 1:-1]
    dy = vp[1:-1, 2:] - vp[1:-1, :-2]
    r = (dx * u - dy * v).sum()
    r = float(r) if lib == "numpy" else float(r.compute())
    return time.perf_counter() - t


def double_diff(lib):
    n = 5000 if SMALL else 20000
    shape, chunks = (n, n), (n // 10, n // 10)
    if lib == "numpy":
        rng = np.random.default_rng(2)
        a, b = rng.random(shape), rng.random(shape)
        t = time.perf_counter()
        float((a[1:, 1:] - b[:-1, :-1]).sum())
        return time.perf_counter() - t
    da = _lib(lib)
    if lib == "dask":
        rs = da.random.RandomState(2)
        a, b = rs.random_sample(shape, chunks=chunks), rs.random_sample(shape, chunks=chunks)
    else:
        rng = da.random.default_rng(2)
        a, b = rng.random(shape, chunks=chunks), rng.random(shape, chunks=chunks)
    t = time.perf_counter()
    float((a[1:, 1:] - b[:-1, :-1]).sum().compute())
    return time.perf_counter() - t


CASES = {"concat_build": (concat_build, 5), "slice_100k": (slice_100k, 7), "fancy_build": (fancy_build, 5),
         "vorticity": (vorticity, 3), "double_diff": (double_diff, 3)}


def main():
    names = [a for a in sys.argv[1:] if not a.startswith("--")]
    print(f"{'case':14} {'numpy':>10} {'dask':>10} {'tessera':>10} {'dask/tess':>10} {'np/tess':>9}")
    for name, (fn, reps) in CASES.items():
        if names and not any(n in name for n in names):
            continue
        times = {"numpy": [], "dask": [], "tessera": []}
        for _ in range(reps):
            for lib in times:
                # NumPy's compute cases hold whole arrays: skip them on small machines' reps.
                if lib == "numpy" and times["numpy"] and name in ("vorticity", "double_diff"):
                    continue
                dt = fn(lib)
                if dt is not None:
                    times[lib].append(dt)
        med = {k: statistics.median(v) if v else None for k, v in times.items()}

        def f(v):
            return "-" if v is None else (f"{v * 1e3:.2f}ms" if v < 1 else f"{v:.2f}s")

        ratio = lambda a, b: "-" if a is None or b is None else f"{a / b:.1f}x"  # noqa: E731
        print(f"{name:14} {f(med['numpy']):>10} {f(med['dask']):>10} {f(med['tessera']):>10} "
              f"{ratio(med['dask'], med['tessera']):>10} {ratio(med['numpy'], med['tessera']):>9}", flush=True)


if __name__ == "__main__":
    main()
