"""Issue 17's benchmarks: NumPy, Dask and tessera side by side in one run (each measurement
in a fresh subprocess, libraries interleaved), medians and tessera's speed-up ratios.

    .venv/bin/python benches/reductions.py                 # the issue's sizes
    .venv/bin/python benches/reductions.py --scale=0.25    # every size times 0.25
    .venv/bin/python benches/reductions.py topk median     # only these cases
    .venv/bin/python benches/reductions.py --reps=5

Sources are random arrays generated inside the timed computation by each library (NumPy
generates then computes). Results that would be whole arrays (cumsum, sort) are reduced
(a column sum; a strided sample) so that the runs measure the operation, not a copy of
gigabytes into the result.
"""

import json
import os
import statistics
import subprocess
import sys
import time

CASES = {}
SCALE = 1.0


def case(name, libs=("numpy", "dask", "tessera")):
    def deco(fn):
        CASES[name] = (fn, libs)
        return fn
    return deco


def _lib(name):
    if name == "dask":
        import dask
        import dask.array as da
        dask.config.set(scheduler="threads")
        return da
    import tessera as da
    return da


def _n(v):
    return max(int(v * SCALE), 1)


def _timed(f):
    """(wall seconds, CPU seconds of the process: all its threads), f's result."""
    t, c = time.perf_counter(), time.process_time()
    r = f()
    return (time.perf_counter() - t, time.process_time() - c), r


@case("topk_100_of_400M")
def topk(lib):
    n = _n(400_000_000)
    if lib == "numpy":
        import numpy as np
        return _timed(lambda: float(np.sort(np.partition(np.random.default_rng(0).random(n), n - 100)[-100:])[-1]))
    da = _lib(lib)
    x = da.random.random(n, chunks=_n(50_000_000))
    return _timed(lambda: float(da.topk(x, 100).compute()[0]))


def _nan_square(lib, n):
    da = _lib(lib)
    x = da.random.random((n, n), chunks=(max(n // 8, 1), n))
    return da, da.where(x < 0.1, float("nan"), x)


def _nan_case(op):
    def run(lib):
        n = _n(20000)
        if lib == "numpy":
            import numpy as np

            def f():
                a = np.random.default_rng(0).random((n, n))
                a[a < 0.1] = np.nan
                return float(getattr(np, op)(a, axis=0)[0])
            return _timed(f)
        da, x = _nan_square(lib, n)
        return _timed(lambda: float(getattr(da, op)(x, axis=0).compute()[0]))
    return run


case("nanmean_axis0_20000sq")(_nan_case("nanmean"))
case("nanstd_axis0_20000sq")(_nan_case("nanstd"))


@case("cumsum_axis0_20000sq_colsum")
def cumsum(lib):
    n = _n(20000)
    if lib == "numpy":
        import numpy as np
        return _timed(lambda: float(np.cumsum(np.random.default_rng(0).random((n, n)), axis=0).sum(axis=0)[0]))
    da = _lib(lib)
    x = da.random.random((n, n), chunks=(max(n // 8, 1), n))
    return _timed(lambda: float(x.cumsum(axis=0).sum(axis=0).compute()[0]))


@case("median_axis0_20000x5000")
def median(lib):
    n, m = _n(20000), _n(5000)
    if lib == "numpy":
        import numpy as np
        return _timed(lambda: float(np.median(np.random.default_rng(0).random((n, m)), axis=0)[0]))
    da = _lib(lib)
    x = da.random.random((n, m), chunks=(max(n // 20, 1), m))
    return _timed(lambda: float(da.median(x, axis=0).compute()[0]))


@case("histogram_100bins_1G")
def histogram(lib):
    n = _n(1_000_000_000)
    if lib == "numpy":
        import numpy as np
        return _timed(lambda: int(np.histogram(np.random.default_rng(0).random(n), bins=100, range=(0, 1))[0][0]))
    da = _lib(lib)
    x = da.random.random(n, chunks=_n(100_000_000))
    return _timed(lambda: int(da.histogram(x, bins=100, range=(0, 1))[0].compute()[0]))


def _sort_case(nchunks, limit_share):
    def run(lib):
        n = _n(200_000_000)
        if lib == "numpy":
            import numpy as np
            return _timed(lambda: float(np.sort(np.random.default_rng(0).random(n))[::1000].sum()))
        if lib == "dask":
            raise NotImplementedError("dask cannot sort (dask#4368)")
        da = _lib(lib)
        x = da.random.random(n, chunks=max(n // nchunks, 1))
        # the bound: a memory limit of a share of the data (the sorted runs spill)
        da.config.set(memory_limit=int(n * 8 * limit_share))
        return _timed(lambda: float(da.sort(x)[::1000].sum().compute()))
    return run


# 8 chunks under a quarter of the data cannot run: one task holds an input and an output
# chunk (an eighth each), over the limit with its overhead; so a third, and 16 chunks.
case("sort_200M_8chunks_limit_third")(_sort_case(8, 1 / 3))
case("sort_200M_16chunks_limit_quarter")(_sort_case(16, 1 / 4))


def run_one(name, lib, scale):
    global SCALE
    SCALE = scale
    import resource
    fn, _ = CASES[name]
    try:
        (secs, cpu), result = fn(lib)
    except NotImplementedError as e:
        print(json.dumps({"skip": str(e)}))
        return
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": secs, "cpu": cpu, "result": result, "rss_mib": rss}))


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    opts = dict(a[2:].split("=", 1) for a in sys.argv[1:] if a.startswith("--") and "=" in a)
    scale = float(opts.get("scale", 1.0))
    reps = int(opts.get("reps", 3))
    names = [n for n in CASES if not args or any(a in n for a in args)]
    print(f"scale {scale}, {reps} repetitions, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    print(f"{'case':32} {'numpy s':>9} {'dask s':>9} {'tessera s':>9} {'vs numpy':>9} {'vs dask':>8} {'RSS MiB n/d/t':>16}")
    for name in names:
        _, libs = CASES[name]
        times = {lib: [] for lib in libs}
        cpus = {lib: [] for lib in libs}
        rss = {lib: 0.0 for lib in libs}
        skipped = set()
        for _ in range(reps):
            for lib in libs:
                if lib in skipped:
                    continue
                out = subprocess.run([sys.executable, __file__, "--one", name, lib, str(scale)], capture_output=True, text=True)
                if out.returncode != 0:
                    print(f"  {name} {lib} failed: {out.stderr.strip().splitlines()[-1:]}")
                    skipped.add(lib)
                    continue
                r = json.loads(out.stdout.strip().splitlines()[-1])
                if "skip" in r:
                    skipped.add(lib)
                    continue
                times[lib].append(r["seconds"])
                cpus[lib].append(r["cpu"])
                rss[lib] = max(rss[lib], r["rss_mib"])
        med = {lib: statistics.median(t) if t else float("nan") for lib, t in times.items()}
        cmed = {lib: statistics.median(t) if t else float("nan") for lib, t in cpus.items()}
        t = med.get("tessera", float("nan"))
        ct = cmed.get("tessera", float("nan"))
        print(f"{name:32} {med.get('numpy', float('nan')):9.2f} {med.get('dask', float('nan')):9.2f} {t:9.2f} "
              f"{med.get('numpy', float('nan')) / t:9.2f} {med.get('dask', float('nan')) / t:8.2f} "
              f"{rss.get('numpy', 0):5.0f}/{rss.get('dask', 0):4.0f}/{rss.get('tessera', 0):4.0f}"
              f"   CPU s n/d/t {cmed.get('numpy', float('nan')):.2f}/{cmed.get('dask', float('nan')):.2f}/{ct:.2f},"
              f" CPU vs numpy {cmed.get('numpy', float('nan')) / ct:.2f}, vs dask {cmed.get('dask', float('nan')) / ct:.2f}")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")



if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        run_one(sys.argv[2], sys.argv[3], float(sys.argv[4]))
    else:
        main()
