"""NumPy, Dask and tessera side by side, in one run on one machine.

Each measurement runs in a fresh subprocess (so peak RSS is per program); the table shows
medians over repetitions and tessera's speed-up over NumPy and Dask from the same run.

    .venv/bin/python benches/compare.py            # everything (NumPy seed takes ~25 s a run)
    .venv/bin/python benches/compare.py --quick    # fewer repetitions, skip slow NumPy runs
    .venv/bin/python benches/compare.py seed_mean  # only cases whose name contains this
    .venv/bin/python benches/compare.py --reps=7 seed_2d   # more repetitions (NumPy seed runs once)

Repetitions interleave the libraries (NumPy, Dask, tessera, NumPy, ...).
"""

import json
import os
import statistics
import sys
import time

CASES = {}


def case(name, reps=3):
    def deco(fn):
        CASES[name] = (fn, reps)
        return fn
    return deco


# Each case function takes the library name and returns (seconds, result summary).

@case("seed_mean", reps=3)
def seed_mean(lib):
    dim, n = 50_000_000 * 16, 4
    if lib == "numpy":
        import numpy as np
        t = time.perf_counter()
        m = np.random.normal(0.0, 0.1, size=dim).mean()
        return time.perf_counter() - t, float(m)
    da = _lib(lib)
    x = da.random.normal(0.0, 0.1, size=dim, chunks=dim // n).mean()
    t = time.perf_counter()
    m = x.compute()
    return time.perf_counter() - t, float(m)


@case("seed_2d_mean_axis0", reps=3)
def seed_2d(lib):
    if lib == "numpy":
        import numpy as np
        t = time.perf_counter()
        y = np.random.normal(10, 0.1, size=(20000, 20000)).mean(axis=0)
        return time.perf_counter() - t, float(y[0])
    da = _lib(lib)
    y = da.random.normal(10, 0.1, size=(20000, 20000), chunks=(1000, 1000)).mean(axis=0)
    t = time.perf_counter()
    r = y.compute()
    return time.perf_counter() - t, float(r[0])


@case("seed_2d_mean_axis0_step100", reps=5)
def seed_2d_step(lib):
    if lib == "numpy":
        import numpy as np
        t = time.perf_counter()
        y = np.random.normal(10, 0.1, size=(20000, 20000)).mean(axis=0)[::100]
        return time.perf_counter() - t, float(y[0])
    da = _lib(lib)
    y = da.random.normal(10, 0.1, size=(20000, 20000), chunks=(1000, 1000)).mean(axis=0)[::100]
    t = time.perf_counter()
    r = y.compute()
    return time.perf_counter() - t, float(r[0])


@case("chain_sum_in_memory_20M", reps=7)
def chain(lib):
    import numpy as np
    a = (np.arange(20_000_000) % 1000) * 0.001
    if lib == "numpy":
        t = time.perf_counter()
        r = (np.sqrt(a * 2 + 1) * a).sum()
        return time.perf_counter() - t, float(r)
    da = _lib(lib)
    x = da.from_array(a, chunks=1_000_000)
    y = (da.sqrt(x * 2 + 1) * x).sum()
    t = time.perf_counter()
    r = y.compute()
    return time.perf_counter() - t, float(r)


@case("overhead_per_task", reps=3)
def overhead(lib):
    # Dask pays hundreds of microseconds a task: give it 20,000 tasks, tessera 1,000,000.
    if lib == "numpy":
        return None, None
    da = _lib(lib)
    n = 20_000 if lib == "dask" else 1_000_000
    x = da.ones(n, chunks=1).sum()
    tasks = n * 1.0667  # chunk tasks plus the tree of combines (split_every=16)
    t = time.perf_counter()
    x.compute()
    return (time.perf_counter() - t) / tasks, n


@case("build_graph_1M_chunks", reps=5)
def build(lib):
    if lib == "numpy":
        return None, None
    da = _lib(lib)
    t = time.perf_counter()
    x = da.random.normal(0, 1, size=1_000_000_000, chunks=1000)
    y = (x + 1).mean()
    return time.perf_counter() - t, y.npartitions if hasattr(y, "npartitions") else 1


@case("tiny_x_plus_1_sum", reps=3)
def tiny(lib):
    import numpy as np
    a = np.ones(1000)
    if lib == "numpy":
        f = lambda: (a + 1).sum()
    else:
        da = _lib(lib)
        x = da.from_array(a, chunks=1000)
        f = lambda: (x + 1).sum().compute()
    n = 2000 if lib != "dask" else 200
    ts = []
    for _ in range(n):
        t = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts), n


@case("map_blocks_overhead_per_task", reps=3)
def map_blocks_overhead(lib):
    # A trivial Python function over 10,000 blocks: the cost of a Python task.
    if lib == "numpy":
        return None, None
    da = _lib(lib)
    n = 10_000
    x = da.ones(n, chunks=1).map_blocks(lambda b: b, dtype=float).sum()
    t = time.perf_counter()
    x.compute()
    return (time.perf_counter() - t) / n, n


@case("map_blocks_sin_100M", reps=3)
def map_blocks_sin(lib):
    import numpy as np
    n = 100_000_000
    if lib == "numpy":
        a = np.random.random(n)
        t = time.perf_counter()
        m = np.sin(a).sum()
        return time.perf_counter() - t, float(m)
    da = _lib(lib)
    x = da.random.random(n, chunks=n // 100)
    y = da.map_blocks(np.sin, x).sum()
    t = time.perf_counter()
    m = y.compute()
    return time.perf_counter() - t, float(m)


@case("block_info_blockwise_build_compute", reps=3)
def block_info_blockwise(lib):
    # After Dask's asv BlockInfoBlockwise: 4 arrays of 9,000 chunks, map_blocks with block_id.
    if lib == "numpy":
        return None, None
    import numpy as np
    da = _lib(lib)

    def f(a, b, c, d, block_id=None):
        return a + b + c + d + block_id[0]

    t = time.perf_counter()
    xs = [da.ones(9000, chunks=1) for _ in range(4)]
    y = da.map_blocks(f, *xs, dtype=float).sum()
    m = y.compute()
    return time.perf_counter() - t, float(m)


def _lib(name):
    if name == "dask":
        import dask
        import dask.array as da
        dask.config.set(scheduler="threads")
        return da
    import tessera as da
    return da


def run_one(name, lib):
    fn, _ = CASES[name]
    secs, result = fn(lib)
    print(json.dumps({"seconds": secs, "result": result}))


def main():
    args = sys.argv[1:]
    if args[:1] == ["--one"]:
        return run_one(args[1], args[2])
    quick = "--quick" in args
    reps_arg = next((int(a.split("=", 1)[1]) for a in args if a.startswith("--reps=")), None)
    names = [a for a in args if not a.startswith("--")]
    libs = ["numpy", "dask", "tessera"]
    print(f"{'case':34} {'lib':8} {'median':>12} {'peak RSS':>10}  result")
    rows = {}
    for name, (fn, reps) in CASES.items():
        if names and not any(n in name for n in names):
            continue
        def n_reps(lib, reps=reps):
            if lib == "numpy" and name.startswith("seed"):
                return 0 if quick else 1
            return reps_arg or (1 if quick else reps)

        # Repetitions interleave the libraries, so that the machine's drifts hit all alike.
        times = {lib: [] for lib in libs}
        rss = {lib: 0.0 for lib in libs}
        result = {lib: None for lib in libs}
        for rep in range(max(n_reps(lib) for lib in libs)):
            for lib in libs:
                if rep >= n_reps(lib) or (rep > 0 and not times[lib]):
                    continue
                t, m, result[lib] = measure_isolated(name, lib)
                if t is not None:
                    times[lib].append(t)
                    rss[lib] = max(rss[lib], m)
        for lib in libs:
            if not times[lib]:
                continue
            med = statistics.median(times[lib])
            rows[(name, lib)] = med
            shown = f"{med * 1e6:10.2f}us" if (name.startswith("overhead") or name.startswith("tiny") or name.startswith("build") or "overhead" in name) else f"{med:11.4f}s"
            print(f"{name:34} {lib:8} {shown:>12} {rss[lib]:8.0f}MiB  {result[lib]}  (n={len(times[lib])})", flush=True)
        tn = rows.get((name, "tessera"))
        for ref in ("numpy", "dask"):
            if tn and rows.get((name, ref)):
                r = rows[(name, ref)] / tn
                word = f"{r:7.1f}x faster than" if r >= 1 else f"{1 / r:7.1f}x slower than"
                # Repetitions ran side by side, so their ratios cancel the machine's drifts.
                pairs = [a / b for a, b in zip(times[ref], times["tessera"])]
                paired = f" (median of {len(pairs)} paired ratios: {statistics.median(pairs):.1f}x)" if len(pairs) > 1 else ""
                print(f"{'':34} tessera is {word} {ref}{paired}")


def measure_isolated(name, lib):
    """One repetition in a fresh process, with that process's own peak RSS."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        os.dup2(w, 1)
        os.execv(sys.executable, [sys.executable, __file__, "--one", name, lib])
    os.close(w)
    out = b""
    while True:
        chunk = os.read(r, 65536)
        if not chunk:
            break
        out += chunk
    os.close(r)
    _, status, usage = os.wait4(pid, 0)
    if status != 0:
        return None, None, "failed"
    data = json.loads(out.decode().strip().splitlines()[-1])
    return data["seconds"], usage.ru_maxrss / 1024, data["result"]


if __name__ == "__main__":
    main()
