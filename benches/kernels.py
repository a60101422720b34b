"""Per-function kernel speed: tessera on one thread against NumPy on one thread.

For every floating ufunc and for float32 and float64, times `f(x).compute()` on one chunk
(tessera, TESSERA_NUM_THREADS=1) and `f(x)` (NumPy, which runs ufuncs on one thread),
interleaved, and prints medians and the ratio NumPy time / tessera time (> 1: tessera is
faster). Inputs are random values in each function's usual domain.

    .venv/bin/python benches/kernels.py                  # 4 M elements, 5 repetitions
    .venv/bin/python benches/kernels.py --n=20000000 --reps=7 sin cos   # chosen functions
    .venv/bin/python benches/kernels.py --cpu     # process CPU time instead of wall time

`--cpu` times with `time.process_time` (the CPU time of all the process's threads), which
stays meaningful on a machine loaded by other work, where wall time does not.
"""

import os
import statistics
import sys
import time

os.environ["TESSERA_NUM_THREADS"] = "1"
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import tessera as da  # noqa: E402

# name -> (low, high) of the uniform inputs (second operand's range for binary functions)
UNARY = {
    "exp": (-50, 50), "exp2": (-70, 70), "expm1": (-5, 5), "log": (1e-3, 1e3), "log2": (1e-3, 1e3),
    "log10": (1e-3, 1e3), "log1p": (-0.5, 1e3), "sin": (-100, 100), "cos": (-100, 100),
    "tan": (-100, 100), "arcsin": (-1, 1), "arccos": (-1, 1), "arctan": (-100, 100),
    "sinh": (-20, 20), "cosh": (-20, 20), "tanh": (-5, 5), "arcsinh": (-100, 100),
    "arccosh": (1, 100), "arctanh": (-1, 1), "cbrt": (-1e3, 1e3), "sqrt": (0, 1e3),
    "floor": (-1e3, 1e3), "ceil": (-1e3, 1e3), "trunc": (-1e3, 1e3), "rint": (-1e3, 1e3),
    "negative": (-1e3, 1e3), "absolute": (-1e3, 1e3),
}
BINARY = {
    "power": ((0.1, 10), (-10, 10)), "arctan2": ((-10, 10), (-10, 10)), "hypot": ((-10, 10), (-10, 10)),
    "add": ((-1, 1), (-1, 1)), "multiply": ((-1, 1), (-1, 1)), "divide": ((-1, 1), (0.5, 1)),
    "less": ((-1, 1), (-1, 1)), "maximum": ((-1, 1), (-1, 1)),
}


CLOCK = time.perf_counter


def timeit(fn, reps):
    fn()  # warm up (and page in the output)
    ts = []
    for _ in range(reps):
        t = CLOCK()
        fn()
        ts.append(CLOCK() - t)
    return statistics.median(ts)


def main():
    global CLOCK
    n, reps, only = 4_000_000, 5, []
    for a in sys.argv[1:]:
        if a == "--cpu":
            CLOCK = time.process_time
            continue
        if a.startswith("--n="):
            n = int(float(a[4:]))
        elif a.startswith("--reps="):
            reps = int(a[7:])
        else:
            only.append(a)
    rng = np.random.default_rng(0)
    rows = []
    print(f"n = {n:,} elements, {reps} repetitions, medians; ratio = NumPy time / tessera time "
          f"(one thread each; {'CPU' if CLOCK is time.process_time else 'wall'} time); simd path: {da.simd_path() if hasattr(da, 'simd_path') else '?'}")
    print(f"{'function':>10} {'dtype':>8} {'numpy ms':>9} {'tessera ms':>10} {'ratio':>6}")
    for name in list(UNARY) + list(BINARY):
        if only and name not in only:
            continue
        npf = getattr(np, name)
        try:
            daf = getattr(da, name)
        except AttributeError:
            print(f"{name:>10}: not in tessera")
            continue
        for dt in ("float32", "float64"):
            if name in UNARY:
                lo, hi = UNARY[name]
                x = rng.uniform(lo, hi, n).astype(dt)
                tx = da.from_array(x, chunks=n)
                f_np = lambda: npf(x)  # noqa: E731
                f_da = lambda: daf(tx).compute()  # noqa: E731
                check = (npf(x), daf(tx).compute())
            else:
                (lo, hi), (lo2, hi2) = BINARY[name]
                x = rng.uniform(lo, hi, n).astype(dt)
                y = rng.uniform(lo2, hi2, n).astype(dt)
                tx, ty = da.from_array(x, chunks=n), da.from_array(y, chunks=n)
                f_np = lambda: npf(x, y)  # noqa: E731
                f_da = lambda: daf(tx, ty).compute()  # noqa: E731
                check = (npf(x, y), daf(tx, ty).compute())
            assert check[0].dtype == check[1].dtype, (name, dt, check[0].dtype, check[1].dtype)
            t_np, t_da = [], []
            for _ in range(2):  # interleave: two rounds of each
                t_np.append(timeit(f_np, max(1, reps // 2)))
                t_da.append(timeit(f_da, max(1, reps // 2)))
            a, b = min(t_np), min(t_da)
            rows.append((name, dt, a / b))
            print(f"{name:>10} {dt:>8} {a * 1e3:9.2f} {b * 1e3:10.2f} {a / b:6.2f}", flush=True)
    for dt in ("float32", "float64"):
        r = [q for _, d, q in rows if d == dt]
        if r:
            gm = float(np.exp(np.mean(np.log(r))))
            print(f"{dt}: geometric mean ratio {gm:.2f}, min {min(r):.2f} over {len(r)} functions")


if __name__ == "__main__":
    main()
