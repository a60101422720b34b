"""Creation functions against NumPy, and from_array's zero-copy contract."""

from __future__ import annotations

import gc
import os

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tessera as da
from conftest import DTYPES, arrays, assert_same


@pytest.mark.parametrize("fn", ["zeros", "ones", "empty"])
@pytest.mark.parametrize("dtype", DTYPES + [float, int, bool, "f4", np.int16])
def test_constant_arrays(fn, dtype):
    x = getattr(da, fn)((5, 3), dtype=dtype, chunks=2)
    exp = np.zeros((5, 3), dtype=dtype) if fn != "ones" else np.ones((5, 3), dtype=dtype)
    assert_same(x.compute(), exp)
    assert x.chunks == ((2, 2, 1), (2, 1))


def test_defaults_are_float64_and_shapes_can_be_ints():
    assert da.zeros(4).dtype == np.float64
    assert da.ones(4).shape == (4,)
    assert da.empty(()).compute() == 0.0


@pytest.mark.parametrize("value", [3, -2.5, True, np.float32(1.5), np.uint8(7), 2**40])
def test_full(value):
    x = da.full((2, 3), value, chunks=2)
    assert_same(x.compute(), np.full((2, 3), value))
    assert_same(da.full(4, value, dtype="float32").compute(), np.full(4, value, dtype="float32"))


def test_like_functions_keep_chunks():
    x = da.from_array(np.arange(12, dtype=np.int16).reshape(3, 4), chunks=(2, 3))
    for fn, exp in [(da.zeros_like, 0), (da.ones_like, 1), (da.empty_like, 0)]:
        y = fn(x)
        assert y.chunks == x.chunks and y.dtype == np.int16
        assert_same(y.compute(), np.full((3, 4), exp, dtype=np.int16))
    y = da.full_like(x, 7, dtype=float)
    assert_same(y.compute(), np.full((3, 4), 7.0))
    assert da.zeros_like(np.ones((2, 2), dtype=np.float32)).dtype == np.float32
    assert np.zeros_like(x).chunks == x.chunks  # NumPy dispatches to tessera


@given(
    start=st.one_of(st.integers(-50, 50), st.floats(-50, 50)),
    stop=st.one_of(st.none(), st.integers(-50, 50), st.floats(-50, 50)),
    step=st.one_of(st.integers(-7, 7).filter(bool), st.floats(0.25, 5), st.floats(-5, -0.25)),
    chunks=st.one_of(st.integers(1, 20), st.just("auto")),
)
def test_arange_matches_numpy(start, stop, step, chunks):
    if stop is None:
        exp = np.arange(start)
        got = da.arange(start, chunks=chunks)
    else:
        exp = np.arange(start, stop, step)
        got = da.arange(start, stop, step, chunks=chunks)
    assert got.shape == exp.shape
    assert_same(got.compute(), exp, rtol=1e-12, atol=1e-12)


def test_arange_dtype_and_errors():
    assert da.arange(5).dtype == np.int64
    assert da.arange(5.0).dtype == np.float64
    assert da.arange(0, 5, 0.5).dtype == np.float64
    assert_same(da.arange(5, dtype="uint8").compute(), np.arange(5, dtype="uint8"))
    with pytest.raises(ValueError, match="arange"):
        da.arange(0, 5, 0)


@given(
    start=st.floats(-100, 100),
    stop=st.floats(-100, 100),
    num=st.integers(0, 60),
    endpoint=st.booleans(),
    chunks=st.one_of(st.integers(1, 17), st.just("auto")),
)
def test_linspace_matches_numpy(start, stop, num, endpoint, chunks):
    got = da.linspace(start, stop, num, endpoint=endpoint, chunks=chunks)
    exp = np.linspace(start, stop, num, endpoint=endpoint)
    assert_same(got.compute(), exp, rtol=1e-12, atol=1e-12)


def test_linspace_retstep_and_dtype():
    x, step = da.linspace(0, 1, 5, retstep=True)
    assert step == np.linspace(0, 1, 5, retstep=True)[1]
    assert da.linspace(0, 10, 5, dtype=int).dtype == np.int64


@given(arrays())
def test_from_array_round_trips(arr_chunks):
    a, chunks = arr_chunks
    x = da.from_array(a, chunks=chunks)
    assert x.shape == a.shape and x.dtype == a.dtype
    assert_same(x.compute(), a)
    assert_same(np.asarray(x), a)


@pytest.mark.parametrize(
    "view",
    [
        lambda a: a[::2, 1::3],
        lambda a: a[::-1, ::-2],
        lambda a: a.T,
        lambda a: np.asfortranarray(a),
        lambda a: a[:, 3],
        lambda a: a[2:3, :][:, ::-1],
        lambda a: np.broadcast_to(a[0], (4, 9)),
        lambda a: a.reshape(9, 6)[::4],
    ],
)
def test_from_array_of_views_without_copy(view):
    a = np.arange(54, dtype=np.float64).reshape(6, 9)
    v = view(a)
    x = da.from_array(v, chunks=2)
    assert_same(x.compute(), v)
    assert_same((x * 2).sum(axis=0).compute(), (v * 2).sum(axis=0))


def test_from_array_reads_numpy_memory_lazily():
    """from_array does not copy (Dask's does): later changes to the NumPy array show up
    (README, "What differs")."""
    a = np.arange(10.0)
    x = da.from_array(a, chunks=3)
    a[0] = 100.0
    assert x.compute()[0] == 100.0


def test_from_array_keeps_the_numpy_array_alive():
    x = da.from_array(np.arange(1000.0) * 2, chunks=100)
    gc.collect()
    assert_same(x.sum().compute(), np.float64(999000.0))


def test_byteswapped_and_unaligned_arrays_are_copied():
    a = np.arange(10, dtype=">i4")
    assert_same(da.from_array(a, chunks=3).compute(), np.arange(10, dtype=np.int32))
    buf = np.zeros(8 * 10 + 1, dtype=np.uint8)
    u = np.frombuffer(buf.data, dtype=np.float64, count=10, offset=1)
    assert not u.flags.aligned
    assert_same(da.from_array(u).compute(), np.zeros(10))
    # a structured field: strides are not a multiple of the item size
    s = np.zeros(5, dtype=[("a", "i1"), ("b", "<f8")])
    s["b"] = np.arange(5)
    assert_same(da.from_array(s["b"]).compute(), np.arange(5.0))


@pytest.mark.parametrize("dtype", ["object", "U3", "datetime64[s]", "complex256"])
def test_unsupported_dtypes_raise_type_error(dtype):
    with pytest.raises(TypeError, match="dtype"):
        da.from_array(np.zeros(3, dtype=dtype))
    with pytest.raises(TypeError):
        da.zeros(3, dtype=dtype)


def _rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def test_compute_result_owns_rust_buffer_without_copy():
    x = da.ones((1000, 100), chunks=(250, 100)) + 1
    r = x.compute()
    assert type(r) is np.ndarray
    # the NumPy array wraps the Rust buffer: no NumPy-owned copy
    assert not r.flags.owndata
    assert type(r.base).__name__ == "BlockOwner"  # hands the buffer back to tessera's pool when freed
    assert r.flags.c_contiguous and r.flags.writeable
    r[0, 0] = 5  # and it is the caller's to change
    assert (r == 2).sum() == r.size - 1


def test_from_array_of_large_array_does_not_copy():
    a = np.ones(25_000_000)  # 200 MB
    a[::1000] = 2.0  # touch the pages
    before = _rss()
    x = da.from_array(a, chunks=-1)
    y = da.from_array(a, chunks=1_000_000)
    after = _rss()
    assert after - before < 20_000_000, f"from_array grew RSS by {(after - before) / 1e6:.0f} MB"
    assert y[::1000].sum().compute() == 2.0 * 25_000
    del x, y


def test_compute_of_large_array_does_not_double_memory():
    x = da.ones(25_000_000, chunks=5_000_000) * 3  # 200 MB result
    before = _rss()
    r = x.compute()
    after = _rss()
    assert r[0] == 3.0
    assert after - before < 300_000_000, f"compute grew RSS by {(after - before) / 1e6:.0f} MB"


def test_asarray_and_array():
    x = da.asarray([[1, 2], [3, 4]])
    assert x.dtype == np.int64 and x.shape == (2, 2)
    assert da.asarray(x) is x
    assert da.asarray(x, dtype="float32").dtype == np.float32
    assert_same(da.array([1.5, 2.5]).compute(), np.array([1.5, 2.5]))
    assert da.array(3.0, ndmin=2).shape == (1, 1)
    assert_same(da.asarray(np.float32(2)).compute(), np.asarray(np.float32(2)))
    assert da.from_array(x) is x


def test_persist_keeps_chunks_and_values():
    x = da.random.default_rng(1).normal(size=(20, 30), chunks=(7, 11))
    p = x.persist()
    assert p.chunks == x.chunks
    assert_same(p.compute(), x.compute())
    q, s = da.persist(x + 1, 5)
    assert s == 5 and isinstance(q, da.Array)
