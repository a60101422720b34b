"""The machine's memory bandwidth, and each workload of benches/workloads.py against it.

STREAM-like kernels over arrays far larger than the caches, on all cores (NumPy runs one
thread per slice of the arrays, since its ufuncs release the GIL), and the same kernels in
tessera:

    read   s = a.sum()          bytes: 8 n        (read only)
    copy   b[:] = a             bytes: 16 n       (read + write; NumPy's `out=` reuses b)
    triad  c[:] = a + 3 * b     bytes: 24 n

The bandwidth of the machine is taken as the best of these (bytes / median time). Then each
workload of benches/workloads.py is timed in tessera and reported as a fraction of the time
its unavoidable bytes take at that bandwidth (1.0: at the limit; the issue's target is
within 1.5x, i.e. a fraction of at least 0.67), beside its compute limit where the bytes
are not the bound (sin/cos, the generated arange).

    .venv/bin/python benches/bandwidth.py              # n = 50 M float64 per array
    .venv/bin/python benches/bandwidth.py --n=2e7 --no-workloads
"""

import os
import statistics
import sys
import threading
import time

import numpy as np

import tessera as da

REPS = 5


def med(f, reps=REPS):
    f()
    ts = []
    for _ in range(reps):
        t = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)


def threaded(nthreads, n, body):
    """Runs `body(lo, hi)` on `nthreads` threads over equal slices of range(n)."""
    cuts = [n * i // nthreads for i in range(nthreads + 1)]

    def run():
        ts = [threading.Thread(target=body, args=(cuts[i], cuts[i + 1])) for i in range(nthreads)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()

    return run


def numpy_kernels(n, nthreads):
    a, b, c = (np.random.default_rng(i).random(n) for i in range(3))
    part = [0.0] * nthreads

    def read(lo, hi):
        part[lo * nthreads // n] = a[lo:hi].sum()

    def copy(lo, hi):
        np.copyto(b[lo:hi], a[lo:hi])

    def triad(lo, hi):
        np.multiply(b[lo:hi], 3.0, out=c[lo:hi])
        np.add(a[lo:hi], c[lo:hi], out=c[lo:hi])

    return {
        "read": (threaded(nthreads, n, read), 8 * n),
        "copy": (threaded(nthreads, n, copy), 16 * n),
        # two passes over c in NumPy: 8n more bytes moved than the fused kernel needs
        "triad": (threaded(nthreads, n, triad), 40 * n),
    }


def tessera_kernels(n, nthreads):
    chunk = max(n // (4 * nthreads), 1)
    a, b = (da.from_array(np.random.default_rng(i).random(n), chunks=chunk) for i in range(2))
    return {
        "read": (lambda: a.sum().compute(), 8 * n),
        "copy": (lambda: (a + 0.0).compute(), 16 * n),
        "triad": (lambda: (a + 3.0 * b).compute(), 24 * n),
    }


def workloads():
    """(name, tessera callable, unavoidable bytes, compute-limit note) for benches/workloads.py."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import workloads as w

    # Bytes every implementation must read (inputs once) and write (outputs once).
    nbytes = {
        "sincos_mean_100M": 8 * 100_000_000,
        "transpose_add_sum_8000": 8 * 8000 * 8000,
        # mean and std read x (one pass can give both), the last pass reads it again
        "standardize_sum_20000x2500": 2 * 8 * 20000 * 2500,
        # generated: no input bytes; the bound is the integer work
        "arange_mod7_sum_100M": 0,
    }
    for name, make in w.CASES.items():
        yield name, make()["tessera"], nbytes[name]


def main():
    n, run_workloads = 50_000_000, True
    for arg in sys.argv[1:]:
        if arg.startswith("--n="):
            n = int(float(arg[4:]))
        elif arg == "--no-workloads":
            run_workloads = False
    nthreads = os.cpu_count() or 1
    print(f"n = {n:,} float64 per array ({8 * n / 1e6:.0f} MB), {nthreads} threads, {REPS} repetitions, medians")
    print(f"{'kernel':>8} {'numpy GB/s':>11} {'tessera GB/s':>13}")
    best = 0.0
    npk, tsk = numpy_kernels(n, nthreads), tessera_kernels(n, nthreads)
    for name in npk:
        (fn, nb_np), (ft, nb_t) = npk[name], tsk[name]
        g_np, g_t = nb_np / med(fn) / 1e9, nb_t / med(ft) / 1e9
        best = max(best, g_np, g_t)
        print(f"{name:>8} {g_np:11.2f} {g_t:13.2f}", flush=True)
    del npk, tsk
    print(f"bandwidth limit: {best:.2f} GB/s (best of the above)")
    if not run_workloads:
        return
    print(f"{'workload':>28} {'tessera s':>9} {'bytes MB':>9} {'limit s':>8} {'fraction':>8}")
    for name, f, nb in workloads():
        t = med(f, 3)
        limit = nb / (best * 1e9)
        frac = f"{limit / t:8.2f}" if nb else "   (gen)"
        print(f"{name:>28} {t:9.3f} {nb / 1e6:9.0f} {limit:8.3f} {frac}", flush=True)


if __name__ == "__main__":
    main()
