"""store (into NumPy, h5py, zarr-python targets), to_hdf5, and .npy stacks (written by
tessera or by Dask), compared with NumPy bit for bit."""

import os
import re

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tessera as ta

h5py = pytest.importorskip("h5py")
dask_array = pytest.importorskip("dask.array")

DTYPES = ["float64", "float32", "int32", "uint16", "int8", "bool"]


@st.composite
def cases(draw):
    ndim = draw(st.integers(0, 3))
    shape = tuple(draw(st.integers(0, 7)) for _ in range(ndim))
    chunks = tuple(draw(st.integers(1, 4)) for _ in range(ndim))
    dtype = draw(st.sampled_from(DTYPES))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return (rng.standard_normal(shape) * 50).astype(dtype), chunks


@settings(max_examples=30, deadline=None)
@given(cases())
def test_store_into_numpy_equals_the_array(case):
    a, chunks = case
    x = ta.from_array(a, chunks=chunks) + 0 if a.dtype != bool else ta.from_array(a, chunks=chunks)
    out = np.zeros_like(a) if a.ndim else np.zeros((), a.dtype)
    assert ta.store(x, out) is None
    np.testing.assert_array_equal(out, np.asarray(x.compute()))


@settings(max_examples=20, deadline=None)
@given(cases(), st.data())
def test_store_regions_and_return_stored(case, data):
    a, chunks = case
    if a.ndim == 0:
        return
    pad = tuple(data.draw(st.integers(0, 3)) for _ in a.shape)
    target = np.full(tuple(n + p for n, p in zip(a.shape, pad)), 7, dtype=a.dtype)
    region = tuple(slice(p, p + n) for p, n in zip(pad, a.shape))
    x = ta.from_array(a, chunks=chunks)
    stored = ta.store([x], [target], regions=[region], return_stored=True)
    want = np.full_like(target, 7)
    want[region] = a
    np.testing.assert_array_equal(target, want)
    np.testing.assert_array_equal(stored[0].compute(), a)


def test_compute_false_is_lazy():
    a = np.arange(12.0).reshape(3, 4)
    out = np.zeros_like(a)
    acks = ta.store(ta.from_array(a, chunks=2), out, compute=False)
    assert not out.any()
    assert acks.compute().all()
    np.testing.assert_array_equal(out, a)


def test_to_hdf5_and_h5py_targets(tmp_path):
    a = np.arange(60, dtype="f4").reshape(6, 10)
    b = np.arange(7, dtype="i2")
    x, y = ta.from_array(a, chunks=(4, 3)), ta.from_array(b, chunks=3)
    fn = tmp_path / "o.h5"
    ta.to_hdf5(fn, {"/x": x * 2, "/g/y": y})
    with h5py.File(fn, "r") as f:
        np.testing.assert_array_equal(f["x"][:], a * 2)
        assert f["x"].chunks == (4, 3)
        np.testing.assert_array_equal(f["g/y"][:], b)
    x.to_hdf5(fn, "/z")
    with h5py.File(fn, "r") as f:
        np.testing.assert_array_equal(f["z"][:], a)


def test_netcdf4_targets(tmp_path):
    netCDF4 = pytest.importorskip("netCDF4")
    a = np.arange(60, dtype="f4").reshape(6, 10)
    with netCDF4.Dataset(tmp_path / "o.nc", "w") as ds:
        ds.createDimension("y", 6)
        ds.createDimension("x", 10)
        v = ds.createVariable("v", "f4", ("y", "x"), chunksizes=(3, 5))
        w = ds.createVariable("w", "i2", ("y", "x"))
        ta.store([ta.from_array(a, chunks=(3, 5)) * 2, ta.from_array(a.astype("i2"), chunks=(4, 3))], [v, w],
                 lock=True)
    with netCDF4.Dataset(tmp_path / "o.nc") as ds:
        np.testing.assert_array_equal(ds["v"][:].data, a * 2)
        np.testing.assert_array_equal(ds["w"][:].data, a.astype("i2"))
        # And read back through from_array, bit for bit.
        np.testing.assert_array_equal(ta.from_array(ds["v"], lock=True).compute(), a * 2)
    with netCDF4.Dataset(tmp_path / "o.nc") as ds:  # read-only: the block and the file are named
        with pytest.raises(Exception, match=r"block \(0, 0\).*o\.nc"):
            ta.store(ta.from_array(a, chunks=(3, 5)), ds["v"], lock=True)


def test_a_failed_store_says_which_blocks_were_written(tmp_path):
    class Flaky:
        def __init__(self):
            self.a, self.shape, self.dtype = np.zeros(8), (8,), np.dtype("f8")

        def __setitem__(self, key, value):
            if key == (slice(4, 6),):
                raise OSError("disk full")
            self.a[key] = value

    t = Flaky()
    with pytest.raises(OSError, match=r"writing block \(2,\).*disk full") as e:
        ta.store(ta.from_array(np.arange(8.0) + 1, chunks=2), t, num_workers=1)
    written = [int(b) for b in re.findall(r"\((\d+),\)", str(e.value).split("failure")[-1])]
    assert written and 2 not in written
    for b in range(4):
        want = np.arange(2 * b, 2 * b + 2) + 1.0 if b in written else np.zeros(2)
        np.testing.assert_array_equal(t.a[2 * b:2 * b + 2], want)


def test_store_errors_name_the_target(tmp_path):
    x = ta.from_array(np.zeros((4, 4)), chunks=2)
    with pytest.raises(ValueError, match="shape"):
        ta.store(x, np.zeros((3, 4)))
    with pytest.raises(TypeError, match="__setitem__"):
        ta.store(x, object())
    with pytest.raises(ValueError, match="region"):
        ta.store(x, np.zeros((5, 5)), regions=(slice(0, 3), slice(0, 4)))
    with h5py.File(tmp_path / "r.h5", "w") as f:
        f.create_dataset("d", shape=(4, 4), dtype="f8")
    with h5py.File(tmp_path / "r.h5", "r") as f:  # read-only
        with pytest.raises(Exception, match=r"block \(0, 0\).*r\.h5"):
            ta.store(x, f["d"])


@settings(max_examples=20, deadline=None)
@given(cases(), st.data())
def test_npy_stack_round_trip(tmp_path_factory, case, data):
    a, chunks = case
    if a.ndim == 0:
        return
    d = tmp_path_factory.mktemp("stack")
    axis = data.draw(st.integers(0, a.ndim - 1))
    x = ta.from_array(a, chunks=chunks)
    ta.to_npy_stack(d, x, axis=axis)
    y = ta.from_npy_stack(d)
    assert y.chunks[axis] == x.chunks[axis]
    np.testing.assert_array_equal(y.compute(), a)
    # Dask reads what tessera wrote, and tessera reads what Dask wrote.
    np.testing.assert_array_equal(dask_array.from_npy_stack(str(d)).compute(), a)
    d2 = tmp_path_factory.mktemp("dask-stack")
    dask_array.to_npy_stack(str(d2), dask_array.from_array(a, chunks=chunks), axis=axis)
    z = ta.from_npy_stack(d2)
    assert z.chunks == dask_array.from_npy_stack(str(d2)).chunks
    np.testing.assert_array_equal(z.compute(), a)


def test_npy_stack_files_and_errors(tmp_path):
    a = np.arange(20.0).reshape(4, 5)
    ta.to_npy_stack(tmp_path, ta.from_array(a, chunks=(2, 5)))
    assert os.path.exists(tmp_path / "1.npy")
    np.testing.assert_array_equal(ta.from_npy_stack(tmp_path, mmap_mode=None).compute(), a)
    with pytest.raises(FileNotFoundError, match="info"):
        ta.from_npy_stack(tmp_path / "nowhere")
