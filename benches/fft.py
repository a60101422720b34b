"""FFT and complex elementwise speed: tessera, NumPy and Dask side by side in one run
(issue 18's targets).

    .venv/bin/python benches/fft.py              # every case, 3 repetitions
    .venv/bin/python benches/fft.py --reps=5 fft # more repetitions, cases containing "fft"
    .venv/bin/python benches/fft.py --n=4096     # a smaller FFT array (default 8192)

Cases:

- ``fft_axis0``: ``fft(x, axis=0)`` of an n x n complex128 array in (1024, 1024) chunks,
  from the in-memory NumPy array to the NumPy result. tessera rechunks internally
  (memory-bounded); Dask must rechunk first (to ``{0: -1, 1: 'auto'}``), NumPy is one
  ``np.fft.fft(a, axis=0)`` call (pocketfft, one thread). Targets: at least 2x Dask, and
  tessera's time times the cores it used within 2x of NumPy's time.
- ``mul_add``, ``exp``, ``abs``: ``x * y + 1j``, ``exp(x)``, ``abs(x)`` of 2**24 complex128
  values in 8 chunks against the same NumPy expression.

Each library runs in a process of its own (memory and allocator state apart); the table
shows medians of wall-clock seconds and the ratios.
"""

import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

CHUNK = 1024


def _data_fft(n):
    rng = np.random.default_rng(0)
    return rng.standard_normal((n, 2 * n)).view(np.complex128)


def _data_ew():
    rng = np.random.default_rng(1)
    m = 1 << 24
    return rng.standard_normal(2 * m).view(np.complex128), rng.standard_normal(2 * m).view(np.complex128)


def run_one(lib, case, n, reps):
    """Times `case` in this process with `lib`; prints a JSON list of seconds."""
    times, cpu = [], []
    if case == "fft_axis0":
        a = _data_fft(n)
        for _ in range(reps + 1):
            t, c = time.perf_counter(), time.process_time()
            if lib == "numpy":
                r = np.fft.fft(a, axis=0)
            elif lib == "tessera":
                import tessera as da

                r = da.fft.fft(da.from_array(a, chunks=(CHUNK, CHUNK)), axis=0).compute()
            else:
                import dask
                import dask.array as dd

                dask.config.set(scheduler="threads")
                x = dd.from_array(a, chunks=(CHUNK, CHUNK)).rechunk({0: -1, 1: "auto"})
                r = dd.fft.fft(x, axis=0).compute()
            times.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
            del r
    else:
        x, y = _data_ew()
        exprs = {"mul_add": lambda m, p, q: p * q + 1j, "exp": lambda m, p, q: m.exp(p), "abs": lambda m, p, q: abs(p)}
        f = exprs[case]
        for _ in range(reps + 1):
            t, c = time.perf_counter(), time.process_time()
            if lib == "numpy":
                r = f(np, x, y)
            else:
                import tessera as da

                p, q = da.from_array(x, chunks=len(x) // 8), da.from_array(y, chunks=len(y) // 8)
                r = f(da, p, q).compute()
            times.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
            del r
    print(json.dumps([times[1:], cpu[1:]]))  # the first is a warm-up


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    opts = dict(a[2:].split("=", 1) for a in sys.argv[1:] if a.startswith("--") and "=" in a)
    if "run" in opts:
        return run_one(opts["run"], opts["case"], int(opts.get("n", 8192)), int(opts.get("reps", 3)))
    n, reps = int(opts.get("n", 8192)), int(opts.get("reps", 3))
    cases = {"fft_axis0": ["tessera", "numpy", "dask"], "mul_add": ["tessera", "numpy"],
             "exp": ["tessera", "numpy"], "abs": ["tessera", "numpy"]}
    cores = os.cpu_count()
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = float("nan")
    print(f"# {cores} cores, load average {load:.1f} at start; n={n}, reps={reps}")
    for case, libs in cases.items():
        if args and not any(s in case for s in args):
            continue
        med, cpu = {}, {}
        for lib in libs:
            out = subprocess.run([sys.executable, __file__, f"--run={lib}", f"--case={case}", f"--n={n}",
                                  f"--reps={reps}"], capture_output=True, text=True)
            if out.returncode != 0:
                print(f"{case} {lib}: failed\n{out.stderr[-2000:]}")
                continue
            walls, cpus = json.loads(out.stdout.strip().splitlines()[-1])
            med[lib], cpu[lib] = statistics.median(walls), statistics.median(cpus)
        line = "  ".join(f"{lib} {t:.3f}s (cpu {cpu[lib]:.3f}s)" for lib, t in med.items())
        if "tessera" in med and "numpy" in med:
            line += f"  | tessera/numpy {med['tessera'] / med['numpy']:.2f}"
            line += f"  tessera*cores/numpy {med['tessera'] * cores / med['numpy']:.2f}"
            # Under load: the CPU seconds tessera's threads used over NumPy's (one thread).
            line += f"  tessera cpu/numpy cpu {cpu['tessera'] / cpu['numpy']:.2f}"
        if "tessera" in med and "dask" in med:
            line += f"  dask/tessera {med['dask'] / med['tessera']:.2f}  cpu {cpu['dask'] / cpu['tessera']:.2f}"
        print(f"{case:10s} {line}")


if __name__ == "__main__":
    main()
