"""Lazy from_array over array-likes (h5py, netCDF4, zarr-python, a counting wrapper):
nothing is read at construction, each block reads its region, slices read only their
region, chunks="auto" follows the source's chunks as Dask does, lock is honoured."""

import threading

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tessera as ta

h5py = pytest.importorskip("h5py")
dask_array = pytest.importorskip("dask.array")


class Counting:
    """An array-like that records every index it is asked for."""

    def __init__(self, a, chunks=None):
        self.a, self.shape, self.dtype = a, a.shape, a.dtype
        self.keys = []
        if chunks is not None:
            self.chunks = chunks

    def __getitem__(self, key):
        self.keys.append(key)
        return self.a[key]


DTYPES = ["float64", "float32", "int16", "uint8", "int64", "bool"]


@st.composite
def arrays_and_chunks(draw):
    ndim = draw(st.integers(0, 3))
    shape = tuple(draw(st.integers(0, 7)) for _ in range(ndim))
    chunks = tuple(draw(st.integers(1, 4)) for _ in range(ndim))
    dtype = draw(st.sampled_from(DTYPES))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    a = (rng.standard_normal(shape) * 50).astype(dtype)
    return a, chunks


@settings(max_examples=40, deadline=None)
@given(arrays_and_chunks())
def test_lazy_reads_equal_numpy_and_nothing_at_construction(case):
    a, chunks = case
    src = Counting(a)
    x = ta.from_array(src, chunks=chunks)
    assert src.keys == []  # nothing read when building
    assert x.shape == a.shape and x.dtype == a.dtype
    np.testing.assert_array_equal(x.compute(), a)
    if a.size:
        # One read per block, each exactly its region.
        assert len(src.keys) == int(np.prod(x.numblocks))


@settings(max_examples=40, deadline=None)
@given(arrays_and_chunks(), st.data())
def test_slices_read_only_their_region(case, data):
    a, chunks = case
    if a.ndim == 0:
        return
    key = []
    for n in a.shape:
        lo = data.draw(st.integers(0, n))
        hi = data.draw(st.integers(lo, n))
        step = data.draw(st.integers(1, 3))
        key.append(slice(lo, hi, step))
    if data.draw(st.booleans()) and a.shape[0]:
        key[0] = data.draw(st.integers(-a.shape[0], a.shape[0] - 1))
    key = tuple(key)
    src = Counting(a)
    y = ta.from_array(src, chunks=chunks)[key]
    np.testing.assert_array_equal(y.compute(), a[key])
    want = a[key].size
    got = sum(np.asarray(a[k]).size for k in src.keys)
    assert got == want  # no element outside the region is read


def test_the_same_slice_taken_twice_is_read_once():
    # xarray's groupby slices the source once per group: every group must share one read.
    a = np.arange(60.0).reshape(12, 5)
    src = Counting(a)
    x = ta.from_array(src, chunks=(4, 5))
    assert x[:] is x and x[..., :] is x
    parts = [x[:, 1:4][[i, i + 6]].sum(axis=0)[None] for i in range(6)]
    y = ta.concatenate(parts)
    np.testing.assert_array_equal(y.compute(), np.stack([a[[i, i + 6], 1:4].sum(0) for i in range(6)]))
    assert len(src.keys) == 3  # one read per block of x[:, 1:4], not one per group


def test_auto_chunks_follow_the_source_like_dask(tmp_path):
    with h5py.File(tmp_path / "d.h5", "w") as f:
        f.create_dataset("x", shape=(4000, 3000), dtype="f8", chunks=(100, 250))
        f.create_dataset("y", shape=(1000, 37), dtype="f4", chunks=(7, 37))
    with h5py.File(tmp_path / "d.h5", "r") as f:
        for name in ("x", "y"):
            d = f[name]
            for chunks in ("auto", "8 MiB", (None, "auto"), ("auto", -1)):
                assert ta.from_array(d, chunks=chunks).chunks == dask_array.from_array(d, chunks=chunks).chunks, \
                    (name, chunks)


def test_h5py_and_netcdf_sources(tmp_path):
    a = np.arange(6 * 5 * 4, dtype=">f8").reshape(6, 5, 4)  # big-endian on disk
    with h5py.File(tmp_path / "a.h5", "w") as f:
        f.create_dataset("g/x", data=a, chunks=(2, 5, 4))
    with h5py.File(tmp_path / "a.h5", "r") as f:
        x = ta.from_array(f["g/x"])
        assert x.chunks == dask_array.from_array(f["g/x"]).chunks
        assert ta.from_array(f["g/x"], chunks=(2, -1, 2)).chunks == ((2, 2, 2), (5,), (2, 2))
        np.testing.assert_array_equal(x.compute(), a)
        np.testing.assert_array_equal((x[1:5, ::2] * 2).sum(axis=0).compute(), (a[1:5, ::2] * 2).sum(axis=0))
    netCDF4 = pytest.importorskip("netCDF4")
    with netCDF4.Dataset(tmp_path / "a.nc", "w") as ds:
        for n, s in zip("tyx", a.shape):
            ds.createDimension(n, s)
        v = ds.createVariable("v", "f4", ("t", "y", "x"), chunksizes=(3, 5, 4))
        v[:] = a.astype("f4")
    with netCDF4.Dataset(tmp_path / "a.nc") as ds:
        x = ta.from_array(ds["v"], lock=True)
        assert x.chunks == dask_array.from_array(ds["v"]).chunks
        np.testing.assert_array_equal(x.compute(), a.astype("f4"))


def test_zarr_python_source(tmp_path):
    zarr = pytest.importorskip("zarr")
    z = zarr.create_array(str(tmp_path / "z.zarr"), shape=(9, 7), chunks=(4, 3), dtype="i4")
    z[:] = np.arange(63, dtype="i4").reshape(9, 7)
    x = ta.from_array(z, chunks=(4, 3))
    np.testing.assert_array_equal(x[2:, 1:6].compute(), z[2:, 1:6])


def test_lock_is_held_while_reading():
    lock = threading.Lock()
    held = []

    class Probe(Counting):
        def __getitem__(self, key):
            held.append(lock.locked())
            return super().__getitem__(key)

    a = np.arange(100.0)
    np.testing.assert_array_equal(ta.from_array(Probe(a), chunks=10, lock=lock).compute(), a)
    assert held and all(held)


def test_bad_sources_are_named():
    with pytest.raises(TypeError, match="shape"):
        ta.from_array(object())

    class Broken(Counting):
        def __getitem__(self, key):
            raise OSError("disk on fire")

    x = ta.from_array(Broken(np.zeros((4, 4))), chunks=2)
    with pytest.raises(OSError, match=r"block \(\d, \d\).*disk on fire"):
        x.compute()
    with pytest.raises(TypeError, match="U3"):
        ta.from_array(Counting(np.zeros(3, "U3")))


def test_numpy_stays_zero_copy():
    a = np.arange(10.0)
    x = ta.from_array(a, chunks=5)
    a[0] = 42.0
    assert x.compute()[0] == 42.0


def test_lock_on_numpy_data_is_checked():
    a = np.arange(10.0)
    for lock in (True, False, None, threading.Lock()):
        np.testing.assert_array_equal(ta.from_array(a, chunks=3, lock=lock).compute(), a)
    with pytest.raises(TypeError, match="lock must be a bool or a lock object"):
        ta.from_array(a, lock="yes")


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_uncompressed_h5py_datasets_are_read_from_the_file_bit_exact(tmp_path_factory, data):
    """Unfiltered datasets are read from the file's bytes (a memory map, or chunks with
    os.preadv outside h5py's lock): the same values as h5py, unwritten chunks included."""
    from tessera._from_array import _h5_direct

    ndim = data.draw(st.integers(1, 3))
    shape = tuple(data.draw(st.integers(1, 9)) for _ in range(ndim))
    dtype = data.draw(st.sampled_from(DTYPES + ["uint32", "int8"]))
    layout = data.draw(st.sampled_from(["chunked", "contiguous", "gzip"]))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    a = (rng.standard_normal(shape) * 50).astype(dtype)
    fn = tmp_path_factory.mktemp("h5") / "d.h5"
    fill = np.array(3, dtype=dtype)
    with h5py.File(fn, "w") as f:
        if layout == "contiguous":
            f.create_dataset("x", data=a)
            want = a
        else:
            hch = tuple(data.draw(st.integers(1, min(n, 4))) for n in shape)
            d = f.create_dataset("x", shape=shape, dtype=dtype, chunks=hch, fillvalue=fill,
                                 compression="gzip" if layout == "gzip" else None)
            part = tuple(slice(0, max(n // 2, 1)) for n in shape)  # the rest is never written
            d[part] = a[part]
            want = np.full(shape, fill, dtype=dtype)
            want[part] = a[part]
    with h5py.File(fn, "r") as f:
        d = f["x"]
        assert (_h5_direct(d) is None) == (layout == "gzip")
        chunks = tuple(data.draw(st.integers(1, 5)) for _ in range(ndim))
        x = ta.from_array(d, chunks=chunks)
        np.testing.assert_array_equal(x.compute(), want)
        key = tuple(data.draw(st.sampled_from([slice(1, None), slice(None, None, 2), 0, slice(None)]))
                    for _ in range(ndim))
        np.testing.assert_array_equal(x[key].compute(), want[key])
    with h5py.File(fn, "r+") as f:  # writable: h5py may hold unflushed chunks, so it reads
        assert _h5_direct(f["x"]) is None
        np.testing.assert_array_equal(ta.from_array(f["x"]).compute(), want)


def test_h5py_source_peak_rss_under_a_limit(tmp_path):
    """A 64 MB chunked dataset summed under a 16 MiB limit: the peak RSS grows by far less
    than the dataset (in its own process, so the peak is its own)."""
    import json
    import subprocess
    import sys

    child = r"""
import json, resource, sys
import numpy as np, h5py, tessera as ta
fn = sys.argv[1]
with h5py.File(fn, "w") as f:
    d = f.create_dataset("x", shape=(8192, 1024), dtype="f8", chunks=(256, 256))
    for i in range(0, 8192, 512):
        d[i:i + 512] = np.random.default_rng(i).standard_normal((512, 1024))
idle = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
with h5py.File(fn, "r") as f:
    s = ta.from_array(f["x"], chunks=(512, 1024)).sum(axis=0).compute(memory_limit="16MiB")
    ref = sum(f["x"][i:i + 512].sum(axis=0) for i in range(0, 8192, 512))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"grown": peak - idle, "ok": bool(np.allclose(s, ref))}))
"""
    p = subprocess.run([sys.executable, "-c", child, str(tmp_path / "m.h5")], capture_output=True, text=True,
                       timeout=300)
    assert p.returncode == 0, p.stderr[-3000:]
    r = json.loads(p.stdout.strip().splitlines()[-1])
    assert r["ok"] and r["grown"] < 40 * 2**20, r


def test_a_source_needed_twice_under_a_small_limit_keeps_its_bits():
    # 16 blocks of 128 KiB; the std needs each block again after the mean has seen them all,
    # and a 640 KiB limit holds 5 of them: the others are spilled, or dropped and read again
    # (whichever the scheduler measured cheaper); any thread count gives the same bits.
    a = np.random.default_rng(5).standard_normal((1024, 128))
    want = (a - a.mean(axis=0)).std(axis=0)
    results = []
    for workers in (1, 2, 4):
        src = Counting(a)
        x = ta.from_array(src, chunks=(64, 128))
        results.append(np.asarray((x - x.mean(axis=0)).std(axis=0).compute(memory_limit="640KiB",
                                                                           num_workers=workers)))
        assert len(src.keys) >= 16
    np.testing.assert_allclose(results[0], want, rtol=1e-12)
    for r in results[1:]:
        assert r.tobytes() == results[0].tobytes()
