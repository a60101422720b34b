"""Indexing with NumPy integer arrays, lists and boolean masks against NumPy: one or several
axes at once (broadcast, adjacent or not), mixed with slices, integers, None and ...;
negative, out-of-order and repeated indices; take, take_along_axis, vindex, blocks; errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tessera as da
from conftest import DTYPES, assert_same, chunks_for, elements

SETTINGS = settings(max_examples=50, deadline=None)


@st.composite
def array_and_chunks(draw, min_dims=1, min_side=0):
    dtype = draw(st.sampled_from(DTYPES))
    shape = draw(hnp.array_shapes(min_dims=min_dims, max_dims=3, min_side=min_side, max_side=6))
    a = draw(hnp.arrays(dtype, shape, elements=elements(dtype, small=True)))
    return a, draw(chunks_for(shape))


@st.composite
def index_item(draw, n, arrays_ok=True, bshape=None):
    kinds = ["slice", "int", "array", "list", "none"] if arrays_ok else ["slice", "int", "none"]
    if n == 0:
        kinds = [k for k in kinds if k not in ("int",)]
    kind = draw(st.sampled_from(kinds))
    if kind == "slice":
        return slice(draw(st.one_of(st.none(), st.integers(-n - 1, n + 1))), draw(st.one_of(st.none(), st.integers(-n - 1, n + 1))),
                     draw(st.sampled_from([None, 1, 2, -1, -2])))
    if kind == "int":
        return draw(st.integers(-n, n - 1))
    if kind == "none":
        return None
    if n == 0:
        return np.zeros(bshape or (0,), np.int64)
    shape = bshape if bshape is not None else (draw(st.integers(0, 5)),)
    idx = draw(hnp.arrays(np.int64, shape, elements=st.integers(-n, n - 1)))
    return idx.tolist() if kind == "list" and idx.ndim == 1 else idx


@SETTINGS
@given(array_and_chunks(), st.data())
def test_getitem_with_integer_arrays_matches_numpy(case, data):
    a, chunks = case
    x = da.from_array(a, chunks=chunks)
    # One broadcast shape shared by all array indices (some 1-d, some broadcastable).
    bshape = data.draw(st.sampled_from([None, (3,), (2, 1), (1, 3)]))
    key = []
    axis = 0
    for n in a.shape:
        item = data.draw(index_item(n, bshape=bshape))
        while item is None:
            key.append(None)
            item = data.draw(index_item(n, bshape=bshape))
        key.append(item)
        axis += 1
    if data.draw(st.booleans()) and len(key) > 1:
        key = key[: data.draw(st.integers(1, len(key)))]
    key = tuple(key)
    try:
        want = a[key]
    except IndexError:
        with pytest.raises(IndexError):
            x[key]
        return
    got = x[key]
    assert got.shape == want.shape
    assert_same(got.compute(), want)


@SETTINGS
@given(array_and_chunks(), st.data())
def test_boolean_masks_match_numpy(case, data):
    a, chunks = case
    x = da.from_array(a, chunks=chunks)
    k = data.draw(st.integers(1, a.ndim))
    mask = data.draw(hnp.arrays(bool, a.shape[:k]))
    assert_same(x[mask].compute(), a[mask])
    if a.ndim > 1:
        m1 = data.draw(hnp.arrays(bool, a.shape[1:2]))
        assert_same(x[:, m1].compute(), a[:, m1])
        if a.ndim == 2:
            assert_same(x[..., m1].compute(), a[..., m1])


@SETTINGS
@given(array_and_chunks(min_side=1), st.data())
def test_take_and_take_along_axis(case, data):
    a, chunks = case
    x = da.from_array(a, chunks=chunks)
    axis = data.draw(st.integers(-a.ndim, a.ndim - 1))
    n = a.shape[axis]
    idx = data.draw(hnp.arrays(np.int64, data.draw(st.sampled_from([(4,), (2, 3), ()])), elements=st.integers(-n, n - 1)))
    assert_same(da.take(x, idx, axis=axis).compute(), np.take(a, idx, axis=axis))
    shape = list(a.shape)
    shape[axis] = data.draw(st.integers(0, 4))
    ind = data.draw(hnp.arrays(np.int64, tuple(shape), elements=st.integers(-n, n - 1)))
    assert_same(da.take_along_axis(x, ind, axis).compute(), np.take_along_axis(a, ind, axis))


@SETTINGS
@given(array_and_chunks(min_dims=2, min_side=1), st.data())
def test_vindex_is_pointwise(case, data):
    a, chunks = case
    x = da.from_array(a, chunks=chunks)
    k = 3
    i = data.draw(hnp.arrays(np.int64, (k,), elements=st.integers(-a.shape[0], a.shape[0] - 1)))
    j = data.draw(hnp.arrays(np.int64, (k,), elements=st.integers(-a.shape[1], a.shape[1] - 1)))
    assert_same(x.vindex[i, j].compute(), a[i, j])
    if a.ndim == 3:
        # Broadcast axes come first with vindex (NumPy keeps adjacent ones in place).
        p = data.draw(hnp.arrays(np.int64, (k,), elements=st.integers(-a.shape[1], a.shape[1] - 1)))
        q = data.draw(hnp.arrays(np.int64, (k,), elements=st.integers(-a.shape[2], a.shape[2] - 1)))
        assert_same(x.vindex[:, p, q].compute(), np.moveaxis(a[:, p, q], -1, 0))
        assert_same(x[:, p, q].compute(), a[:, p, q])


def test_blocks_and_partitions():
    a = np.arange(60).reshape(6, 10)
    x = da.from_array(a, chunks=(2, 3))
    assert x.blocks.shape == (3, 4)
    assert_same(x.blocks[1, 2].compute(), a[2:4, 6:9])
    assert_same(x.blocks[:, -1].compute(), a[:, 9:])
    assert_same(x.blocks[[2, 0], 1:3].compute(), np.concatenate([a[4:6], a[0:2]])[:, 3:9])
    assert_same(x.partitions[0].compute(), a[0:2])
    assert len(x.blocks.ravel()) == 12
    with pytest.raises(IndexError, match="blocks: index 3 is out of bounds"):
        x.blocks[3]


def test_fancy_errors_and_pushdown():
    x = da.arange(100, chunks=10)
    with pytest.raises(IndexError, match="getitem: index 100 is out of bounds for axis 0 with size 100"):
        x[[1, 100]]
    with pytest.raises(IndexError, match="boolean index did not match"):
        x[np.ones(5, bool)]
    with pytest.raises(IndexError, match="shape mismatch"):
        da.ones((4, 4))[[0, 1], [0, 1, 2]]
    with pytest.raises(IndexError, match="integer"):
        x[np.array([1.5])]
    # A lazy mask gives unknown sizes (tests/python/test_unknown.py).
    assert_same(x[x > 5].compute(), np.arange(100)[np.arange(100) > 5])
    with pytest.raises(IndexError, match="too many indices"):
        x[[1], [2]]
    # Sorted indices within one block read only that block.
    y = x[[12, 15, 11]]
    assert_same(y.compute(), np.arange(100)[[12, 15, 11]])


def test_a_block_of_a_persisted_array_runs_only_the_tasks_it_reads():
    """x.blocks[i] of a persisted array of many blocks runs the one persisted block it
    reads, not the blocks before it (iterating the blocks was quadratic)."""
    import tessera.diagnostics as diag

    a = np.arange(20_000.0)
    x = da.from_array(a, chunks=2).persist()
    for i in (0, 5_000, 9_999, -1):
        with diag.Profiler() as prof:
            got = x.blocks[i].compute()
        np.testing.assert_array_equal(got, a[2 * (i % 10_000):2 * (i % 10_000) + 2])
        assert len(prof.results) <= 2, len(prof.results)
    with diag.Profiler() as prof:
        got = x.blocks[100:103].compute()
    np.testing.assert_array_equal(got, a[200:206])
    assert len(prof.results) <= 6  # three persisted blocks and three views of them
