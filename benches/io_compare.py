"""Storage benchmarks, tessera against Dask (+ zarr-python / h5py) in the same run:

  read    Zarr v3 float64 (zstd, 64 MiB chunks): (x - x.mean(axis=0)).std(axis=0) under a
          512 MiB limit (tessera's memory_limit; Dask has no such limit)
  write   to_zarr of a computed array (sin of a range), blosc-lz4
  h5py    from_array(h5py dataset).sum(axis=0)
  xarray  climatology of a synthetic (time, lat, lon) float32 Zarr dataset:
          groupby("time.dayofyear") anomalies and their standard deviation

Each measurement runs in a fresh process, so its peak RSS (ru_maxrss) is its own; the
median of --repeat runs is reported with the ratio Dask/tessera, and the CPU seconds
(user + system) of each, whose ratio means more than wall time on a loaded machine.

    python benches/io_compare.py --gb 4 --h5-gb 2 --repeat 3 [--only read,write,h5py,xarray]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

CHILD = r"""
import json, resource, sys, time
import numpy as np
which, lib, path, extra = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
t0 = time.perf_counter()
ru0 = resource.getrusage(resource.RUSAGE_SELF)
cpu0 = ru0.ru_utime + ru0.ru_stime
if which == "read":
    if lib == "tessera":
        import tessera as da
        x = da.from_zarr(path)
        r = (x - x.mean(axis=0)).std(axis=0).compute(memory_limit="512MiB")
    else:
        import dask.array as da
        x = da.from_zarr(path)
        r = (x - x.mean(axis=0)).std(axis=0).compute()
    out = float(np.asarray(r).sum())
elif which == "write":
    rows, cols, crow = extra["rows"], extra["cols"], extra["crow"]
    if lib == "tessera":
        import tessera as da
        x = da.sin(da.arange(rows * cols, chunks=crow * cols, dtype="f8").reshape(rows, cols))
        da.to_zarr(x.rechunk((crow, cols)), path, overwrite=True, compressors=["blosc-lz4"])
    else:
        import dask.array as da, zarr
        x = da.sin(da.arange(rows * cols, chunks=crow * cols, dtype="f8").reshape(rows, cols))
        da.to_zarr(x.rechunk((crow, cols)), path, overwrite=True,
                   compressors=[zarr.codecs.BloscCodec(cname="lz4", clevel=5, shuffle="shuffle")])
    out = 0.0
elif which == "h5py":
    import h5py
    f = h5py.File(path, "r")
    d = f["x"]
    if lib == "tessera":
        import tessera as da
        r = da.from_array(d).sum(axis=0).compute(memory_limit="512MiB")
    else:
        import dask.array as da
        r = da.from_array(d).sum(axis=0).compute()
    out = float(np.asarray(r).sum())
elif which == "xarray":
    import xarray as xr
    kind = "tessera" if lib == "tessera" else "dask"
    ds = xr.open_zarr(path, chunked_array_type=kind)
    g = ds.t.groupby("time.dayofyear")
    anom = g - g.mean()
    r = anom.std("time").compute()
    out = float(np.asarray(r.values, dtype="f8").sum())
dt = time.perf_counter() - t0
ru = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"s": dt, "cpu": ru.ru_utime + ru.ru_stime - cpu0, "rss": ru.ru_maxrss * 1024, "out": out}))
"""


def run(which, lib, path, extra=None):
    p = subprocess.run([sys.executable, "-c", CHILD, which, lib, path, json.dumps(extra or {})],
                       capture_output=True, text=True)
    if p.returncode:
        raise RuntimeError(f"{which}/{lib} failed:\n{p.stderr[-3000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def measure(which, path, repeat, extra=None):
    rows = {}
    for lib in ("tessera", "dask"):
        rs = [run(which, lib, path, extra) for _ in range(repeat)]
        rows[lib] = {"s": statistics.median(r["s"] for r in rs), "cpu": statistics.median(r["cpu"] for r in rs),
                     "rss": max(r["rss"] for r in rs), "out": rs[0]["out"], "all": [round(r["s"], 2) for r in rs]}
    t, d = rows["tessera"], rows["dask"]
    same = abs(t["out"] - d["out"]) <= 1e-6 * max(abs(d["out"]), 1.0)
    print(f"{which:7s} tessera {t['s']:7.2f} s  peak {t['rss'] / 2**20:7.0f} MiB | dask {d['s']:7.2f} s  "
          f"peak {d['rss'] / 2**20:7.0f} MiB | dask/tessera {d['s'] / t['s']:5.2f}x | same result: {same}",
          flush=True)
    print(f"        runs: tessera {t['all']} dask {d['all']} | CPU s tessera {t['cpu']:.2f} dask {d['cpu']:.2f} "
          f"(dask/tessera {d['cpu'] / t['cpu']:.2f}x) | load {os.getloadavg()[0]:.1f}", flush=True)
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gb", type=float, default=4.0, help="size of the Zarr arrays (read, write)")
    ap.add_argument("--h5-gb", type=float, default=2.0)
    ap.add_argument("--days", type=int, default=3650, help="time steps of the xarray dataset")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", default="read,write,h5py,xarray")
    ap.add_argument("--dir", default=None)
    ap.add_argument("--prepare", action="store_true", help="only write the input data sets")
    a = ap.parse_args()
    only = set(a.only.split(","))
    base = a.dir or tempfile.mkdtemp(prefix="tessera-io-bench-")
    os.makedirs(base, exist_ok=True)
    import numpy as np
    import tessera as ta

    print(f"machine load (1/5/15 min): {os.getloadavg()}, cores: {os.cpu_count()}, dir: {base}", flush=True)
    cols = 2048
    crow = 64 * 2**20 // 8 // cols  # 64 MiB chunks
    rows = max(int(a.gb * 1e9 / 8 / cols) // crow * crow, crow)
    if "read" in only:
        path = os.path.join(base, "read.zarr")
        if not os.path.exists(path):
            t = time.perf_counter()
            x = ta.random.default_rng(0).standard_normal((rows, cols), chunks=(crow, cols))
            ta.to_zarr(x, path, compressors=["zstd"])
            print(f"  made {path}: {rows}x{cols} float64 ({rows * cols * 8 / 1e9:.2f} GB) in "
                  f"{time.perf_counter() - t:.1f} s", flush=True)
        if not a.prepare:
            measure("read", path, a.repeat)
    if "write" in only and not a.prepare:
        measure("write", os.path.join(base, "write.zarr"), a.repeat, {"rows": rows, "cols": cols, "crow": crow})
    if "h5py" in only:
        import h5py

        path = os.path.join(base, "data.h5")
        hrows = max(int(a.h5_gb * 1e9 / 8 / 1024), 1)
        if not os.path.exists(path):
            with h5py.File(path, "w") as f:
                d = f.create_dataset("x", shape=(hrows, 1024), dtype="f8", chunks=(4096, 256))
                step = 65536
                for i in range(0, hrows, step):
                    n = min(step, hrows - i)
                    d[i:i + n] = np.random.default_rng(i).standard_normal((n, 1024))
            print(f"  made {path}: {hrows}x1024 float64 ({hrows * 1024 * 8 / 1e9:.2f} GB)", flush=True)
        if not a.prepare:
            measure("h5py", path, a.repeat)
    if "xarray" in only:
        import pandas as pd
        import xarray as xr

        path = os.path.join(base, f"clim-{a.days}.zarr")
        if not os.path.exists(path):
            time_ = pd.date_range("2000-01-01", periods=a.days, freq="D")
            t = ta.random.default_rng(1).standard_normal((a.days, 180, 360), chunks=(365, 180, 360)).astype("f4")
            ds = xr.Dataset({"t": (("time", "lat", "lon"), np.asarray(t.compute()))},
                            coords={"time": time_, "lat": np.arange(180.0), "lon": np.arange(360.0)})
            ds.chunk({"time": 365}).to_zarr(path, mode="w")
            print(f"  made {path}: (time={a.days}, lat=180, lon=360) float32", flush=True)
        if not a.prepare:
            measure("xarray", path, a.repeat)


if __name__ == "__main__":
    main()
