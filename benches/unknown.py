"""Sizes known only at run time: NumPy, Dask and tessera side by side in one run. Medians
over repetitions, libraries interleaved; ratios are Dask/tessera and NumPy/tessera.

    .venv/bin/python benches/unknown.py            # N = 100 M
    .venv/bin/python benches/unknown.py --n=20000000

Cases:
  mask_sum    x[x > 0.5].sum() of N float64 from a uniform random source (chunks of N/8)
  mask_mean   x[x > t].mean() with t the median (0.5), from an in-memory array
  mask_max    x[x > 0.5].max() from the random source: two phases (counts, then compress)
  mask_values x[x > 0.5] computed (values) from an in-memory array: two phases
  unique      unique of N int64 in [0, 1000) in memory (chunks of N/8)
  nonzero     flatnonzero(x > 0.9) of N float64 in memory
"""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np

N = next((int(a.split("=", 1)[1]) for a in sys.argv if a.startswith("--n=")), 100_000_000)
REPEAT = 3
CH = N // 8


def _lib(name):
    if name == "dask":
        import dask
        import dask.array as da

        dask.config.set(scheduler="threads")
        return da
    import tessera as da

    return da


_DATA = {}


def _floats():
    if "f" not in _DATA:
        _DATA["f"] = np.random.default_rng(1).random(N)
    return _DATA["f"]


def _ints():
    if "i" not in _DATA:
        _DATA["i"] = np.random.default_rng(2).integers(0, 1000, N)
    return _DATA["i"]


def mask_sum(lib):
    if lib == "numpy":
        x = np.random.default_rng(0).random(N)
        return float(x[x > 0.5].sum())
    da = _lib(lib)
    x = da.random.random(N, chunks=CH)
    return float(x[x > 0.5].sum().compute())


def mask_mean(lib):
    a = _floats()
    if lib == "numpy":
        return float(a[a > 0.5].mean())
    da = _lib(lib)
    x = da.from_array(a, chunks=CH)
    return float(x[x > 0.5].mean().compute())


def mask_max(lib):
    if lib == "numpy":
        x = np.random.default_rng(0).random(N)
        return float(x[x > 0.5].max())
    da = _lib(lib)
    x = da.random.random(N, chunks=CH)
    return float(x[x > 0.5].max().compute())


def mask_values(lib):
    a = _floats()
    if lib == "numpy":
        return float(a[a > 0.5][-1])
    da = _lib(lib)
    x = da.from_array(a, chunks=CH)
    return float(x[x > 0.5].compute()[-1])


def unique(lib):
    a = _ints()
    if lib == "numpy":
        return np.unique(a).size
    da = _lib(lib)
    return da.unique(da.from_array(a, chunks=CH)).compute().size


def nonzero(lib):
    a = _floats()
    if lib == "numpy":
        return np.flatnonzero(a > 0.9).size
    da = _lib(lib)
    return da.flatnonzero(da.from_array(a, chunks=CH) > 0.9).compute().size


CASES = [mask_sum, mask_mean, mask_max, mask_values, unique, nonzero]


def main():
    only = [a for a in sys.argv[1:] if not a.startswith("--")]
    print(f"N = {N:,}, chunks of {CH:,}, median of {REPEAT}")
    for case in CASES:
        if only and not any(o in case.__name__ for o in only):
            continue
        times = {"numpy": [], "dask": [], "tessera": []}
        results = {}
        for _ in range(REPEAT):
            for lib in times:
                t = time.perf_counter()
                results[lib] = case(lib)
                times[lib].append(time.perf_counter() - t)
        med = {k: statistics.median(v) for k, v in times.items()}
        if case.__name__ not in ("mask_sum", "mask_max"):  # the random streams differ between libraries
            assert results["tessera"] == results["dask"] or abs(results["tessera"] - results["dask"]) < 1e-6 * abs(
                results["dask"]), results
        print(f"{case.__name__:10s} numpy {med['numpy']:8.3f} s  dask {med['dask']:8.3f} s  tessera "
              f"{med['tessera']:8.3f} s   dask/tessera {med['dask'] / med['tessera']:5.2f}x  "
              f"numpy/tessera {med['numpy'] / med['tessera']:5.2f}x")


if __name__ == "__main__":
    main()
