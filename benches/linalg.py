"""Products and linear algebra: NumPy (OpenBLAS/LAPACK), Dask and tessera side by side, in
one run, each repetition in a fresh process (see compare.py, whose runner this reuses).

    .venv/bin/python benches/linalg.py             # every case
    .venv/bin/python benches/linalg.py matmul      # cases whose name contains this
    .venv/bin/python benches/linalg.py --reps=5 --scale=4 lstsq

The issue's sizes are the defaults of each case; `--scale=N` divides the long dimensions
(rows of X, the side of a @ a.T) by N for a loaded or small machine. Results print
GFLOP/s where the flop count is known, so NumPy's and tessera's rates compare directly.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare  # noqa: E402

compare.CASES.clear()
# compare's runner re-executes its module's file for each repetition: point it at this one.
compare.__file__ = os.path.abspath(__file__)
_CPU = [0.0]


def case(name, reps=3):
    """compare.case, with the timed call's CPU seconds (all threads) after the result: on a
    loaded machine wall-clock ratios drift, CPU-time ratios much less."""
    def wrap(f):
        def g(lib):
            s, r = f(lib)
            return s, f"{r} cpu={_CPU[0]:.2f}s"
        g.__name__ = f.__name__
        return compare.case(name, reps)(g)
    return wrap


SCALE = int(next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--scale=")), os.environ.get("LINALG_SCALE", "1")))
sys.argv = [a for a in sys.argv if not a.startswith("--scale=")]
os.environ["LINALG_SCALE"] = str(SCALE)


def _timed(f):
    t, c = time.perf_counter(), time.process_time()
    r = f()
    _CPU[0] = time.process_time() - c
    return time.perf_counter() - t, r


@case("matmul_4000_f64_chunks1000", reps=3)
def matmul(lib):
    import numpy as np
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((4000, 4000)), rng.standard_normal((4000, 4000))
    flops = 2 * 4000 ** 3
    if lib == "numpy":
        s, c = _timed(lambda: a @ b)
    else:
        da = compare._lib(lib)
        x, y = da.from_array(a, chunks=1000), da.from_array(b, chunks=1000)
        s, c = _timed(lambda: (x @ y).compute())
    return s, f"{flops / s / 1e9:.1f} GFLOP/s, c[0,0]={c[0, 0]:.6f}"


@case("aat_sum_20000_chunks2000", reps=3)
def aat_sum(lib):
    n = 20000 // SCALE
    if lib == "numpy":
        import numpy as np
        a = np.random.default_rng(0).standard_normal((n, n))
        s, v = _timed(lambda: (a @ a.T).sum())
        return s, f"n={n} {float(v):.6e}"
    da = compare._lib(lib)
    if lib == "tessera":
        da.config.set(memory_limit="1GiB")
    a = da.random.default_rng(0).standard_normal((n, n), chunks=2000)
    s, v = _timed(lambda: (a @ a.T).sum().compute())
    return s, f"n={n} {float(v):.6e}"


def _xy(lib, rows):
    if lib == "numpy":
        import numpy as np
        rng = np.random.default_rng(0)
        return rng.standard_normal((rows, 100)), rng.standard_normal(rows)
    da = compare._lib(lib)
    rng = da.random.default_rng(0)
    return rng.standard_normal((rows, 100), chunks=(100000, 100)), rng.standard_normal(rows, chunks=100000)


@case("lstsq_normal_eq_4Mx100", reps=3)
def lstsq(lib):
    rows = 4_000_000 // SCALE
    X, y = _xy(lib, rows)
    if lib == "numpy":
        import numpy as np
        s, b = _timed(lambda: np.linalg.solve(X.T @ X, X.T @ y))
    elif lib == "dask":
        # Dask's solve needs SciPy (not installed here): the 100 x 100 solve is NumPy's, on
        # the products Dask computes; its cost is negligible beside X.T @ X.
        import dask
        import numpy as np
        s, b = _timed(lambda: np.linalg.solve(*dask.compute(X.T @ X, X.T @ y)))
    else:
        da = compare._lib(lib)
        s, b = _timed(lambda: da.linalg.solve(X.T @ X, X.T @ y).compute())
    return s, f"rows={rows} b[0]={float(b[0]):.6e}"


@case("qr_4Mx100", reps=3)
def qr(lib):
    rows = 4_000_000 // SCALE
    X, _ = _xy(lib, rows)
    if lib == "numpy":
        import numpy as np
        s, (q, r) = _timed(lambda: np.linalg.qr(X))
    else:
        da = compare._lib(lib)
        q, r = da.linalg.qr(X)
        s, (q, r) = _timed(lambda: da.compute(q, r))
    return s, f"rows={rows} |r00|={abs(float(r[0, 0])):.6e}"


@case("svd_compressed_100000x1000_k20", reps=3)
def svd_compressed(lib):
    rows = 100_000 // SCALE
    if lib == "numpy":
        import numpy as np
        x = np.random.default_rng(0).standard_normal((rows, 1000))
        # NumPy has no randomized SVD: the same algorithm (one projection, QR, small SVD).
        def run():
            omega = np.random.default_rng(1).standard_normal((1000, 30))
            q, _ = np.linalg.qr(x @ omega)
            u, s, v = np.linalg.svd(q.T @ x, full_matrices=False)
            return q @ u[:, :20], s[:20], v[:20]
        s, (u, sv, v) = _timed(run)
    else:
        da = compare._lib(lib)
        x = da.random.default_rng(0).standard_normal((rows, 1000), chunks=(10000, 1000))
        u, sv, v = da.linalg.svd_compressed(x, k=20, seed=1)
        s, (u, sv, v) = _timed(lambda: da.compute(u, sv, v))
    return s, f"rows={rows} s0={float(sv[0]):.4f}"


if __name__ == "__main__":
    if "--one" not in sys.argv:
        print(f"# {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start, scale {SCALE}")
    compare.main()
