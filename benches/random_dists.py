"""Random distributions: tessera, Dask and NumPy side by side in one run.

    .venv/bin/python benches/random_dists.py                # 100 M values, 3 repetitions
    .venv/bin/python benches/random_dists.py --n=20000000 --reps=5 gamma

Each case draws ``n`` values into a NumPy array (tessera and Dask: build + compute with
their default threads, ``chunks="auto"``; NumPy: one ``default_rng`` call, one thread).
Repetitions interleave the libraries; the table shows wall-clock medians and the ratios.
The values differ between libraries (each has its own streams); tessera's are the same for
any chunking and thread count.
"""

import statistics
import sys
import time

import numpy as np

CASES = {
    "standard_normal": ((), {}),
    "exponential": ((2.0,), {}),
    "gamma": ((2.0,), {}),
    "poisson": ((4.5,), {}),
    "binomial": ((100, 0.3), {}),
}


def run(lib, name, n, seed):
    args, kw = CASES[name]
    t = time.perf_counter()
    if lib == "numpy":
        r = getattr(np.random.default_rng(seed), name)(*args, size=n, **kw)
    elif lib == "dask":
        import dask.array as dk

        r = getattr(dk.random.default_rng(seed), name)(*args, size=n, **kw).compute()
    else:
        import tessera as da

        r = getattr(da.random.default_rng(seed), name)(*args, size=n, **kw).compute()
    dt = time.perf_counter() - t
    assert r.shape == (n,)
    return dt, float(r[: 1_000_000].mean())


def main():
    n, reps = 100_000_000, 3
    only = []
    for a in sys.argv[1:]:
        if a.startswith("--n="):
            n = int(float(a[4:]))
        elif a.startswith("--reps="):
            reps = int(a[7:])
        else:
            only.append(a)
    import dask

    dask.config.set(scheduler="threads")
    libs = ["tessera", "dask", "numpy"]
    print(f"n = {n:,}, {reps} repetitions, medians in seconds")
    print(f"{'case':18s} {'tessera':>9s} {'dask':>9s} {'numpy':>9s} {'dask/tessera':>13s} {'numpy/tessera':>14s}")
    for name in CASES:
        if only and not any(o in name for o in only):
            continue
        times = {lib: [] for lib in libs}
        run("tessera", name, min(n, 1_000_000), 0)  # warm-up (imports, thread pools)
        run("dask", name, min(n, 1_000_000), 0)
        for rep in range(reps):
            for lib in libs:
                times[lib].append(run(lib, name, n, rep)[0])
        med = {lib: statistics.median(v) for lib, v in times.items()}
        print(f"{name:18s} {med['tessera']:9.3f} {med['dask']:9.3f} {med['numpy']:9.3f} "
              f"{med['dask'] / med['tessera']:13.2f} {med['numpy'] / med['tessera']:14.2f}", flush=True)


if __name__ == "__main__":
    main()
