"""Storage under a memory limit: reading a 256 MB HDF5 dataset through from_array, and
writing then reading a 256 MB Zarr array, under a 48 MiB limit; the peak RSS grows by
far less than the data (each pipeline in its own process, so the peak is its own)."""

import json
import subprocess
import sys

import pytest

pytest.importorskip("h5py")

MB = 10**6
DATA = 256 * MB

CHILD = r"""
import json, resource, sys
import numpy as np
import h5py
import tessera as ta
path = sys.argv[1]
rows = %(rows)d
# Build the inputs in slices (h5py), then note the footprint before tessera computes.
with h5py.File(path + "/d.h5", "w") as f:
    d = f.create_dataset("x", shape=(rows, 1024), dtype="f8", chunks=(1024, 256))
    for i in range(0, rows, 4096):
        d[i:i + 4096] = np.random.default_rng(i).standard_normal((min(4096, rows - i), 1024))
idle = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
lim = "48MiB"
with h5py.File(path + "/d.h5", "r") as f:
    s1 = ta.from_array(f["x"], chunks=(2048, 1024)).sum(axis=0).compute(memory_limit=lim)
    ref = sum(f["x"][i:i + 8192].sum(axis=0) for i in range(0, rows, 8192))
x = ta.random.default_rng(0).standard_normal((rows, 1024), chunks=(2048, 1024))
ta.compute(ta.to_zarr(x, path + "/z.zarr", compressors=["blosc-lz4"], compute=False), memory_limit=lim)
s2 = ta.from_zarr(path + "/z.zarr").sum(axis=0).compute(memory_limit=lim)
s3 = x.sum(axis=0).compute()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"idle": idle, "peak": peak, "h5": bool(np.allclose(s1, ref)), "zarr": bool(np.array_equal(s2, s3))}))
"""


def test_peak_rss_does_not_grow_with_the_data(tmp_path):
    rows = DATA // 8 // 1024
    p = subprocess.run([sys.executable, "-c", CHILD % {"rows": rows}, str(tmp_path)], capture_output=True, text=True,
                       timeout=300)
    assert p.returncode == 0, p.stderr[-3000:]
    r = json.loads(p.stdout.strip().splitlines()[-1])
    assert r["h5"] and r["zarr"]
    grown = r["peak"] - r["idle"]
    # 48 MiB of blocks, plus codec buffers and thread stacks: well under the 256 MB of data.
    assert grown < 96 * MB, f"peak RSS grew by {grown / MB:.0f} MB reading/writing {DATA / MB:.0f} MB"
