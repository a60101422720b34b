"""Cost of ProgressBar and Profiler on the seed programs: medians of alternating runs."""

import io
import statistics
import sys
import time

import tessera as da
from tessera.diagnostics import ProgressBar, Profiler

REPS = int(sys.argv[1]) if len(sys.argv) > 1 else 7


def seed_1d():
    return da.random.normal(0.0, 0.1, size=800_000_000, chunks=200_000_000).mean()


def seed_2d():
    return da.random.normal(10, 0.1, size=(20000, 20000), chunks=(1000, 1000)).mean(axis=0)


def timed(x, mode):
    t = time.perf_counter()
    if mode == "plain":
        x.compute()
    elif mode == "progress":
        with ProgressBar(out=io.StringIO()):
            x.compute()
    else:
        with Profiler():
            x.compute()
    return time.perf_counter() - t


for name, make in [("seed 1-d mean", seed_1d), ("seed 2-d mean(axis=0)", seed_2d)]:
    x = make()
    times = {m: [] for m in ("plain", "progress", "profiler")}
    for _ in range(REPS):
        for m in times:
            times[m].append(timed(x, m))
    base = statistics.median(times["plain"])
    for m in ("progress", "profiler"):
        med = statistics.median(times[m])
        print(f"{name:24} {m:9} median {med:.4f} s vs {base:.4f} s plain: {100 * (med / base - 1):+.2f}%")
