"""map_overlap: tessera and Dask side by side in one run (issue 15's targets).

    .venv/bin/python benches/overlap.py            # every case, 6 repetitions
    .venv/bin/python benches/overlap.py --reps=12  # more repetitions (in rounds of 3)
    .venv/bin/python benches/overlap.py stencil    # only cases whose name contains this

Cases (each timed from the NumPy data or the random source to the NumPy result: building
the expression plus computing it, default threads for both libraries; repetitions
interleave the libraries; the table shows medians and Dask / tessera):

- ``identity_<boundary>``: ``map_overlap(lambda b: b, depth=1, boundary=...)`` of a
  (50, 512, 512) float64 array in (25, 256, 256) chunks, every boundary mode
  (target: at least 3x Dask).
- ``slice_of_40k_blocks``: ``map_overlap(f, depth=1)`` of a 10000 x 10000 random array in
  (50, 50) chunks, then ``[5000:5010, 5000:5010].compute()`` (target: at most 50 ms).

Wall-clock medians are what the targets mean; CPU seconds (all threads of the process,
median) are shown beside them because they move much less on a shared, loaded machine.
Each library runs in processes of its own (tessera sets glibc's mmap threshold, which
would otherwise slow NumPy's allocations in Dask's runs), rounds of 3 repetitions after a
warm-up, alternating.
"""

import statistics
import sys
import time

import numpy as np

BOUNDARIES = ["none", "reflect", "periodic", "nearest", 0]
CASES = {}


def case(name, reps=6):
    def deco(fn):
        CASES[name] = (fn, reps)
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


_DATA = {}


def _cube():
    if "cube" not in _DATA:
        _DATA["cube"] = np.random.default_rng(0).random((50, 512, 512))
    return _DATA["cube"]


def _identity(boundary):
    def run(lib):
        da = _lib(lib)
        a = _cube()
        t, c = time.perf_counter(), time.process_time()
        x = da.from_array(a, chunks=(25, 256, 256))
        r = x.map_overlap(lambda b: b, depth=1, boundary=boundary, dtype=a.dtype).compute()
        dt, dc = time.perf_counter() - t, time.process_time() - c
        assert r.shape == a.shape and np.array_equal(r, a)
        return dt, dc

    return run


for _b in BOUNDARIES:
    case(f"identity_{_b if isinstance(_b, str) else 'constant'}")(_identity(_b))


@case("slice_of_40k_blocks", reps=6)
def slice_of_40k_blocks(lib):
    da = _lib(lib)
    t, c = time.perf_counter(), time.process_time()
    x = da.random.random((10000, 10000), chunks=(50, 50))
    y = x.map_overlap(lambda b: b * 2 + 1, depth=1, dtype=np.float64)
    r = y[5000:5010, 5000:5010].compute()
    dt, dc = time.perf_counter() - t, time.process_time() - c
    assert r.shape == (10, 10)
    return dt, dc


def _run_one(name, lib, reps):
    """Runs case `name` with `lib` `reps` times (after a warm-up) in this process."""
    fn, _ = CASES[name]
    fn(lib)
    return [fn(lib) for _ in range(reps)]


def main(argv):
    import json
    import subprocess

    if argv and argv[0] == "--one":
        print(json.dumps(_run_one(argv[1], argv[2], int(argv[3]))))
        return
    reps_override = None
    names = []
    for a in argv:
        if a.startswith("--reps="):
            reps_override = int(a.split("=", 1)[1])
        else:
            names.append(a)
    selected = [n for n in CASES if not names or any(s in n for s in names)]
    import dask
    import tessera

    print(f"tessera {tessera.__version__} ({tessera._core.default_threads()} threads), dask {dask.__version__}; "
          "each library in its own process")
    print(f"{'case':24} {'tessera (s)':>12} {'dask (s)':>10} {'dask / tessera':>15}   "
          f"{'CPU: tessera (s)':>16} {'dask (s)':>9} {'ratio':>6}")
    for name in selected:
        reps = reps_override or CASES[name][1]
        times = {"tessera": [], "dask": []}
        cpu = {"tessera": [], "dask": []}
        # Rounds alternate the libraries, each round a fresh process (tessera's allocator
        # settings stay out of Dask's process).
        for _ in range(max(1, reps // 3)):
            for lib in ("tessera", "dask"):
                out = subprocess.run([sys.executable, __file__, "--one", name, lib, "3"], capture_output=True, text=True,
                                     check=True)
                for wall, c in json.loads(out.stdout.strip().splitlines()[-1]):
                    times[lib].append(wall)
                    cpu[lib].append(c)
        t, d = statistics.median(times["tessera"]), statistics.median(times["dask"])
        ct, cd = statistics.median(cpu["tessera"]), statistics.median(cpu["dask"])
        print(f"{name:24} {t:12.4f} {d:10.4f} {d / t:14.1f}x   {ct:16.4f} {cd:9.4f} {cd / ct:5.1f}x", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
