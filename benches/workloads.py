"""The elementwise workloads of issue 14: tessera, Dask and NumPy in one run, on 2 cores.

    .venv/bin/python benches/workloads.py            # all cases, 3 repetitions, medians
    .venv/bin/python benches/workloads.py sincos     # cases whose name contains this

Inputs are in-memory NumPy arrays given to tessera and Dask with `from_array` (the same
chunks), so the figures time the computation itself. Dask runs its threaded scheduler
with 2 workers; tessera its default thread count (all cores).
"""

import statistics
import sys
import time

import dask
import dask.array as dsk
import numpy as np

import tessera as da

REPS = 3


def med(f, reps=REPS):
    f()
    ts = []
    for _ in range(reps):
        t = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)


def sincos():
    n = 100_000_000
    x = np.random.default_rng(0).random(n)
    c = 10_000_000
    tx, dx = da.from_array(x, chunks=c), dsk.from_array(x, chunks=c)
    return {
        "numpy": lambda: (np.sin(x) ** 2 + np.cos(x) ** 2).mean(),
        "dask": lambda: (dsk.sin(dx) ** 2 + dsk.cos(dx) ** 2).mean().compute(),
        "tessera": lambda: (da.sin(tx) ** 2 + da.cos(tx) ** 2).mean().compute(),
    }


def transpose_add():
    x = np.random.default_rng(1).random((8000, 8000))
    c = (2000, 2000)
    tx, dx = da.from_array(x, chunks=c), dsk.from_array(x, chunks=c)
    return {
        "numpy": lambda: (x.T + x).sum(axis=1),
        "dask": lambda: (dx.T + dx).sum(axis=1).compute(),
        "tessera": lambda: (tx.T + tx).sum(axis=1).compute(),
    }


def standardize():
    x = np.random.default_rng(2).random((20000, 2500))
    c = (5000, 2500)
    tx, dx = da.from_array(x, chunks=c), dsk.from_array(x, chunks=c)
    return {
        "numpy": lambda: ((x - x.mean(0)) / x.std(0)).sum(),
        "dask": lambda: ((dx - dx.mean(0)) / dx.std(0)).sum().compute(),
        "tessera": lambda: ((tx - tx.mean(0)) / tx.std(0)).sum().compute(),
    }


def arange_mod():
    n = 100_000_000
    c = 10_000_000
    return {
        "numpy": lambda: (np.arange(n) % 7).sum(),
        "dask": lambda: (dsk.arange(n, chunks=c) % 7).sum().compute(),
        "tessera": lambda: (da.arange(n, chunks=c) % 7).sum().compute(),
    }


CASES = {"sincos_mean_100M": sincos, "transpose_add_sum_8000": transpose_add,
         "standardize_sum_20000x2500": standardize, "arange_mod7_sum_100M": arange_mod}


def main():
    only = sys.argv[1:]
    dask.config.set(scheduler="threads", num_workers=2)
    print(f"{'case':>28} {'numpy s':>8} {'dask s':>8} {'tessera s':>9} {'vs numpy':>8} {'vs dask':>8}")
    for name, make in CASES.items():
        if only and not any(o in name for o in only):
            continue
        fs = make()
        t = {lib: med(f) for lib, f in fs.items()}
        print(f"{name:>28} {t['numpy']:8.3f} {t['dask']:8.3f} {t['tessera']:9.3f} "
              f"{t['numpy'] / t['tessera']:8.2f} {t['dask'] / t['tessera']:8.2f}", flush=True)
        del fs


if __name__ == "__main__":
    main()
