"""map_blocks, blockwise and elemwise with Python functions, against NumPy (the function
applied to the whole array where that is the definition) and Dask (block ids, block_info,
chunks): random shapes, chunkings (uneven, size-1, empty) and dtypes; errors at build
time; the user's exception re-raised unchanged."""

from __future__ import annotations

import threading

import dask.array as dd
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tessera as da

from conftest import DTYPES, arrays, assert_same


def _dask(a, chunks_of):
    return dd.from_array(a, chunks=chunks_of)


@given(arrays(), st.sampled_from(["neg", "square", "sin", "cast"]))
def test_map_blocks_elementwise_functions_match_numpy(ac, which):
    a, chunks = ac
    f = {"neg": lambda b: -b if b.dtype != bool else ~b, "square": lambda b: b * b, "sin": np.sin,
         "cast": lambda b: b.astype(np.float32)}[which]
    x = da.from_array(a, chunks=chunks)
    with np.errstate(all="ignore"):
        want = f(a)
    y = x.map_blocks(f)
    assert y.dtype == want.dtype and y.chunks == x.chunks
    assert_same(y.compute(), want)


@given(arrays(dtype="int64", small=True))
def test_block_id_and_block_info_match_dask(ac):
    a, chunks = ac
    x = da.from_array(a, chunks=chunks)
    xd = dd.from_array(a, chunks=x.chunks)

    def f(b, block_id=None, block_info=None):
        # Each element records its block and where the block starts in the array.
        loc = block_info[0]["array-location"]
        assert block_info[None]["chunk-shape"] == b.shape
        assert block_info[0]["chunk-location"] == block_id
        code = sum(i * 10 ** (2 * k) for k, i in enumerate(block_id)) + sum(s for s, _ in loc) * 1000
        return np.full(b.shape, code, dtype=np.int64)

    got = x.map_blocks(f, dtype=np.int64).compute()
    want = xd.map_blocks(f, dtype=np.int64).compute()
    np.testing.assert_array_equal(got, want)


@given(st.tuples(st.integers(1, 7), st.integers(0, 7)).flatmap(lambda s: arrays(dtype="float64", shape=s)))
def test_drop_axis_and_new_axis_match_numpy(ac):
    a, chunks = ac
    x = da.from_array(a, chunks=chunks)
    # A dropped axis reaches the function whole.
    s = x.map_blocks(lambda b: b.sum(axis=1), drop_axis=1)
    assert_same(s.compute(), a.sum(axis=1))
    e = x.map_blocks(lambda b: b[:, None, :], new_axis=1)
    assert e.shape == (a.shape[0], 1, a.shape[1])
    assert_same(e.compute(), a[:, None, :])


@given(st.tuples(st.integers(0, 9)).flatmap(lambda s: arrays(dtype="float64", shape=s)))
def test_chunks_declares_new_block_sizes(ac):
    a, chunks = ac
    x = da.from_array(a, chunks=chunks)
    # Keep the first element of every block (empty blocks stay empty).
    n = tuple(min(c, 1) for c in x.chunks[0])
    y = x.map_blocks(lambda b: b[:1], chunks=(n,))
    starts = np.cumsum((0,) + x.chunks[0])[:-1]
    want = np.array([a[s] for s, c in zip(starts, x.chunks[0]) if c], dtype=a.dtype)
    assert_same(y.compute(), want)


@given(st.integers(0, 6), st.integers(0, 6), st.integers(0, 6), st.data())
def test_blockwise_contraction_is_a_matrix_product(n, k, m, data):
    a = data.draw(arrays(dtype="float64", shape=(n, k), small=True))[0]
    b = data.draw(arrays(dtype="float64", shape=(k, m), small=True))[0]
    ca = (data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4)))
    cb = (data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4)))
    x, y = da.from_array(a, chunks=ca), da.from_array(b, chunks=cb)
    joined = da.blockwise(np.dot, "ik", x, "ij", y, "jk", concatenate=True, dtype=float)
    assert_same(joined.compute(), a @ b)

    def listed(xs, ys):
        return sum((np.dot(p, q) for p, q in zip(xs, ys)), np.zeros((xs[0].shape[0], ys[0].shape[1])))

    lst = da.blockwise(listed, "ik", x, "ij", y, "jk", dtype=float)
    assert_same(lst.compute(), a @ b)


def test_blockwise_new_axes_constants_and_adjust_chunks():
    x = da.arange(6, chunks=2)
    y = da.blockwise(lambda b, k: np.repeat(b[:, None], 3, axis=1) * k, "ij", x, "i", 10, None,
                     new_axes={"j": 3}, dtype=x.dtype)
    np.testing.assert_array_equal(y.compute(), np.repeat(np.arange(6)[:, None], 3, axis=1) * 10)
    z = da.blockwise(lambda b: b[::2], "i", x, "i", adjust_chunks={"i": lambda c: c // 2}, dtype=x.dtype)
    assert z.chunks == ((1, 1, 1),)
    np.testing.assert_array_equal(z.compute(), [0, 2, 4])
    xd = dd.arange(6, chunks=2)
    zd = dd.blockwise(lambda b: b[::2], "i", xd, "i", adjust_chunks={"i": lambda c: c // 2}, dtype=x.dtype)
    np.testing.assert_array_equal(z.compute(), zd.compute())


@given(st.tuples(st.integers(1, 5), st.integers(1, 5)).flatmap(lambda s: arrays(dtype="float64", shape=s)), st.integers(1, 5))
def test_map_blocks_of_several_arrays_broadcasts_one_block_arrays(ac, c):
    a, chunks = ac
    x = da.from_array(a, chunks=(c, c))
    row = da.from_array(np.arange(a.shape[1], dtype=float), chunks=c)
    assert_same(da.map_blocks(np.add, x, row).compute(), a + np.arange(a.shape[1]))
    one = da.from_array(np.array([[2.0]]), chunks=1)
    assert_same(da.map_blocks(np.multiply, x, one).compute(), a * 2.0)


@given(arrays(dtype="int32", small=True), arrays(dtype="int32", small=True))
def test_elemwise_broadcasts_like_numpy(ac, bc):
    (a, ca), (b, cb) = ac, bc
    try:
        want = np.add(a, b)
    except ValueError:
        with pytest.raises(ValueError, match="elemwise"):
            da.elemwise(np.add, da.from_array(a, chunks=ca), da.from_array(b, chunks=cb))
        return
    got = da.elemwise(np.add, da.from_array(a, chunks=ca), da.from_array(b, chunks=cb))
    assert got.shape == want.shape
    assert_same(got.compute(), want)


def test_map_blocks_source_without_arrays():
    y = da.map_blocks(lambda block_id=None: np.full((2,), block_id[0]), chunks=((2, 2, 2),), dtype=int)
    np.testing.assert_array_equal(y.compute(), [0, 0, 1, 1, 2, 2])


def test_user_exception_is_reraised_with_its_type():
    class Boom(Exception):
        pass

    def f(b):
        if b.shape[0] and b[0] >= 5:
            raise Boom("block starting at 5 or later")
        return b

    x = da.arange(10, chunks=2).map_blocks(f, dtype=int)
    with pytest.raises(Boom, match="block starting"):
        x.compute()
    # Nothing is left running: the next compute works and no worker threads linger.
    before = threading.active_count()
    np.testing.assert_array_equal(da.arange(4, chunks=2).map_blocks(lambda b: b, dtype=int).compute(), np.arange(4))
    assert threading.active_count() <= before


def test_wrong_block_shape_names_function_and_block():
    x = da.ones(6, chunks=3)
    with pytest.raises(ValueError, match=r"shrink: block \[0\] came back with shape \[2\]"):
        def shrink(b):
            return b[:-1]
        x.map_blocks(shrink).compute()


def test_results_are_cast_to_the_declared_dtype():
    x = da.arange(4, chunks=2)
    y = x.map_blocks(lambda b: b * 1.5, dtype=np.int16)
    assert y.dtype == np.int16
    np.testing.assert_array_equal(y.compute(), (np.arange(4) * 1.5).astype(np.int16))
    with pytest.raises(TypeError, match="cannot be cast"):
        x.map_blocks(lambda b: np.array(["a"] * len(b)), dtype=int).compute()


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda x: da.map_blocks(3, x), TypeError, "callable"),
        (lambda x: x.map_blocks(lambda b: b, drop_axis=3), ValueError, "drop_axis out of range"),
        (lambda x: x.map_blocks(lambda b: b, chunks=((1,), (1,))), ValueError, "adjust_chunks gives 1 chunks"),
        (lambda x: x.map_blocks(lambda b: b, chunks=((1,), (1,)), new_axis=[]), ValueError, "expected 1 dims"),
        (lambda x: x.map_blocks(lambda b: b, chunks=((2, 2, 2),)), ValueError, "adjust_chunks gives 3 chunks"),
        (lambda x: da.blockwise(np.add, "i", x, "ij", dtype=float), ValueError, "index"),
        (lambda x: da.blockwise(np.add, "j", x, "i", dtype=float), ValueError, "output label"),
        (lambda x: da.blockwise(np.add, "i", x, dtype=float), ValueError, "pairs"),
        (lambda x: da.blockwise(np.add, "i", x, "i", da.ones(7, chunks=3), "i", dtype=float), ValueError, "length"),
        (lambda x: da.map_blocks(lambda b: b["x"], x), ValueError, "dtype` inference failed"),
        (lambda x: x.map_blocks(lambda b: b, dtype="datetime64[s]"), TypeError, "datetime64"),
        (lambda x: x.map_blocks(lambda b: b, chunks=-5), TypeError, "map_blocks: chunks must be a tuple"),
        (lambda x: x.map_blocks(lambda b: b, new_axis=1.5), TypeError, "map_blocks: new_axis must be an integer"),
        (lambda x: x.map_blocks(lambda b: b, drop_axis="a"), TypeError, "map_blocks: drop_axis must be an integer"),
    ],
)
def test_bad_input_fails_at_build(call, exc, match):
    x = da.ones(6, chunks=3)
    with pytest.raises(exc, match=match):
        call(x)


def test_functions_are_named_in_plans():
    def smooth(b):
        return b

    y = da.ones(4, chunks=2).map_blocks(smooth)
    assert "smooth" in y.explain() and "blockwise(smooth)" in y.explain()
    assert "lambda" in da.ones(4, chunks=2).map_blocks(lambda b: b).explain()
    assert "inc" in da.ones(4, chunks=2).map_blocks(lambda b: b, name="inc").explain()


@given(st.sampled_from(DTYPES), st.integers(1, 30))
def test_blocks_are_read_only_views_and_results_zero_copy(dtype, n):
    a = np.arange(n).astype(dtype)
    seen = []

    def f(b):
        seen.append(b.flags.writeable)
        return b

    np.testing.assert_array_equal(da.from_array(a, chunks=7).map_blocks(f, dtype=a.dtype).compute(), a)
    assert seen and not any(seen)


def test_a_raising_function_stops_the_computation_soon():
    import time

    calls = []

    def f(b, block_id=None):
        calls.append(block_id)
        if block_id == (3,):
            raise RuntimeError("stop here")
        time.sleep(0.01)
        return b

    x = da.ones(2000, chunks=1).map_blocks(f, dtype=float)
    with pytest.raises(RuntimeError, match="stop here"):
        x.compute(num_workers=2)
    # No new block starts after the failing one (the other worker finishes its call).
    assert len(calls) <= 6


@given(arrays(dtype="float64", small=True), st.sampled_from(["sum", "mean", "max", "argmin", "var"]), st.data())
def test_reductions_of_a_function_run_in_its_tasks_and_match_numpy(ac, op, data):
    a, chunks = ac
    x = da.from_array(a, chunks=chunks)
    y = x.map_blocks(lambda b: b * 2 - 1)
    axis = data.draw(st.sampled_from([None] + list(range(a.ndim))))
    if a.size == 0 and op in ("max", "argmin"):
        return
    if op == "argmin" and axis is None and a.ndim > 1:
        return
    want = getattr(np, op)(a * 2 - 1, axis=axis)
    got = getattr(da, op)(y, axis=axis)
    assert "blockwise(lambda) -> " + op + "_chunk" in got.explain()
    # var of equal values: 0 here, NumPy's two-pass rounding leaves ~1e-30.
    assert_same(got.compute(), want, atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(sizes=st.lists(st.integers(0, 3), min_size=1, max_size=5), data=st.data())
def test_slices_of_map_blocks_over_empty_chunks(sizes, data):
    """Slices pushed into a kernel restricted to some blocks: its argument is restricted to
    the same blocks, empty ones included (a leading empty chunk had shifted them by one)."""
    n = sum(sizes)
    a = np.arange(n, dtype=float)
    x = da.map_blocks(lambda b: b * 2, da.from_array(a, chunks=(tuple(sizes),)), dtype=float)
    start = data.draw(st.integers(-n - 1, n + 1))
    stop = data.draw(st.integers(-n - 1, n + 1))
    step = data.draw(st.sampled_from([1, 2, -1, -2]))
    key = slice(start, stop, step)
    np.testing.assert_array_equal(x[key].compute(), (a * 2)[key])
    np.testing.assert_array_equal(da.flip(x, 0).compute(), (a * 2)[::-1])
