"""roll, rot90, flip/fliplr/flipud, tile, repeat, split/array_split, diff, ediff1d,
gradient, tril/triu/tri/eye, diag/diagonal/trace, indices, meshgrid, fromfunction,
ravel_multi_index/unravel_index, rollaxis, choose, select, piecewise and shuffle against
NumPy over random shapes, chunkings (uneven, size-1, empty) and dtypes; errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tessera as da
from conftest import DTYPES, assert_same, chunks_for, elements

SETTINGS = settings(max_examples=30, deadline=None)
NUM = [d for d in DTYPES if d != "bool"]


@st.composite
def array_and_chunks(draw, min_dims=1, max_dims=3, min_side=0, dtypes=DTYPES):
    dtype = draw(st.sampled_from(dtypes))
    shape = draw(hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=6))
    a = draw(hnp.arrays(dtype, shape, elements=elements(dtype, small=True)))
    return a, draw(chunks_for(shape))


@SETTINGS
@given(array_and_chunks(), st.data())
def test_roll_flip_rot90(case, data):
    a, chunks = case
    x = da.from_array(a, chunks=chunks)
    shift = data.draw(st.integers(-15, 15))
    axis = data.draw(st.one_of(st.none(), st.integers(-a.ndim, a.ndim - 1)))
    assert_same(da.roll(x, shift, axis).compute(), np.roll(a, shift, axis))
    if a.ndim >= 2:
        assert_same(da.roll(x, (shift, 1), (0, 1)).compute(), np.roll(a, (shift, 1), (0, 1)))
        k = data.draw(st.integers(-5, 5))
        assert_same(da.rot90(x, k).compute(), np.rot90(a, k))
        assert_same(da.rot90(x, k, axes=(1, 0)).compute(), np.rot90(a, k, axes=(1, 0)))
        assert_same(da.fliplr(x).compute(), np.fliplr(a))
    assert_same(da.flip(x, axis).compute(), np.flip(a, axis))
    assert_same(da.flipud(x).compute(), np.flipud(a))


@SETTINGS
@given(array_and_chunks(), st.data())
def test_tile_repeat_split(case, data):
    a, chunks = case
    x = da.from_array(a, chunks=chunks)
    reps = data.draw(st.one_of(st.integers(0, 3), st.lists(st.integers(0, 3), min_size=1, max_size=4).map(tuple)))
    assert_same(da.tile(x, reps).compute(), np.tile(a, reps))
    r = data.draw(st.integers(0, 3))
    axis = data.draw(st.one_of(st.none(), st.integers(-a.ndim, a.ndim - 1)))
    assert_same(da.repeat(x, r, axis=axis).compute(), np.repeat(a, r, axis=axis))
    sections = data.draw(st.integers(1, 4))
    for g, w in zip(da.array_split(x, sections, axis=0), np.array_split(a, sections, axis=0)):
        assert_same(g.compute(), w)
    cuts = sorted(data.draw(st.lists(st.integers(0, a.shape[0]), max_size=3)))
    for g, w in zip(da.split(x, cuts), np.split(a, cuts)):
        assert_same(g.compute(), w)


@SETTINGS
@given(array_and_chunks(dtypes=NUM + ["bool"]), st.data())
def test_diff_and_ediff1d(case, data):
    a, chunks = case
    x = da.from_array(a, chunks=chunks)
    n = data.draw(st.integers(0, 3))
    axis = data.draw(st.integers(-a.ndim, a.ndim - 1))
    pre = data.draw(st.sampled_from([None, 0, "array"]))
    pre = a.take([0], axis=axis) if pre == "array" and a.shape[axis] else (None if pre == "array" else pre)
    app = data.draw(st.sampled_from([None, 1]))
    kw = {k: v for k, v in (("prepend", pre), ("append", app)) if v is not None}
    if a.dtype == bool and kw:
        kw = {}
    assert_same(da.diff(x, n=n, axis=axis, **kw).compute(), np.diff(a, n=n, axis=axis, **kw))
    if a.dtype != bool:
        tb = np.array([7], a.dtype)
        assert_same(da.ediff1d(x, to_begin=tb, to_end=tb).compute(), np.ediff1d(a, to_begin=tb, to_end=tb))


@SETTINGS
@given(array_and_chunks(min_side=3, dtypes=["float64", "float32", "int32"]), st.data())
def test_gradient(case, data):
    a, chunks = case
    x = da.from_array(a, chunks=chunks)
    edge = data.draw(st.sampled_from([1, 2]))
    dx = data.draw(st.sampled_from([1.0, 0.5, "coords"]))
    axis = data.draw(st.integers(0, a.ndim - 1))
    if dx == "coords":
        dx = np.cumsum(np.arange(1, a.shape[axis] + 1) * 0.5)
    got = da.gradient(x, dx, axis=axis, edge_order=edge)
    assert_same(got.compute(), np.gradient(a, dx, axis=axis, edge_order=edge), rtol=1e-4 if a.dtype == np.float32 else 1e-9)
    for g, w in zip(da.gradient(x) if a.ndim > 1 else [da.gradient(x)], np.gradient(a) if a.ndim > 1 else [np.gradient(a)]):
        assert_same(g.compute(), w, rtol=1e-4 if a.dtype == np.float32 else 1e-9)


@SETTINGS
@given(array_and_chunks(min_dims=2), st.integers(-4, 4))
def test_triangles_and_diagonals(case, k):
    a, chunks = case
    x = da.from_array(a, chunks=chunks)
    assert_same(da.tril(x, k).compute(), np.tril(a, k))
    assert_same(da.triu(x, k).compute(), np.triu(a, k))
    assert_same(da.diagonal(x, k).compute(), np.diagonal(a, k))
    if a.ndim == 3:
        assert_same(da.diagonal(x, k, 2, 0).compute(), np.diagonal(a, k, 2, 0))
    if a.ndim == 2:
        assert_same(da.diag(x, k).compute(), np.diag(a, k))
        if a.dtype.kind in "iuf":
            assert_same(da.trace(x, k).compute(), np.trace(a, k))
    v = a.reshape(-1)[:5]
    assert_same(da.diag(da.from_array(v, chunks=2), k).compute(), np.diag(v, k))


@SETTINGS
@given(st.integers(0, 7), st.one_of(st.none(), st.integers(0, 7)), st.integers(-4, 4), st.sampled_from(["float64", "int32", "bool"]),
       st.integers(1, 4))
def test_tri_eye_indices(n, m, k, dtype, c):
    assert_same(da.tri(n, m, k, dtype=dtype, chunks=c).compute(), np.tri(n, m, k, dtype=dtype))
    assert_same(da.eye(n, chunks=c, M=m, k=k, dtype=dtype).compute(), np.eye(n, m, k, dtype=dtype))
    dims = (n, m or 2)
    assert_same(da.indices(dims, chunks=c).compute(), np.indices(dims))


def test_meshgrid_fromfunction_ravel_unravel():
    x, y, z = np.arange(3), np.arange(4.0), np.arange(2)
    for indexing in ("xy", "ij"):
        for sparse in (False, True):
            got = da.meshgrid(da.from_array(x), da.from_array(y, chunks=3), z, indexing=indexing, sparse=sparse)
            assert type(got) is tuple  # NumPy 2's and the Array API's
            for g, w in zip(got, np.meshgrid(x, y, z, indexing=indexing, sparse=sparse)):
                assert_same(g.compute(), w)
    f = lambda i, j: i * 10 + j  # noqa: E731
    assert_same(da.fromfunction(f, (5, 4), chunks=2, dtype=int).compute(), np.fromfunction(f, (5, 4), dtype=int))
    idx = np.array([[3, 6, 6], [4, 5, 1]])
    assert_same(da.ravel_multi_index(da.from_array(idx, chunks=(2, 2)), (7, 6)).compute(), np.ravel_multi_index(idx, (7, 6)))
    flat = np.array([22, 41, 37])
    for g, w in zip(da.unravel_index(da.from_array(flat, chunks=2), (7, 6)), np.unravel_index(flat, (7, 6))):
        assert_same(g.compute(), w)


@SETTINGS
@given(array_and_chunks(min_dims=1, dtypes=NUM), st.data())
def test_choose_select_piecewise_rollaxis(case, data):
    a, chunks = case
    x = da.from_array(a, chunks=chunks)
    idx = data.draw(hnp.arrays(np.int64, a.shape, elements=st.integers(0, 2)))
    choices = [a, a * 2, np.zeros_like(a)]
    assert_same(da.choose(da.from_array(idx, chunks=chunks), [da.from_array(c, chunks=chunks) for c in choices]).compute(),
                np.choose(idx, choices))
    conds = [a > 0, a < -2]
    vals = [a, a - 1]
    assert_same(da.select([x > 0, x < -2], [x, x - 1], default=5).compute(), np.select(conds, vals, default=5))
    fl = [lambda v: v * 2, lambda v: v - 1]
    assert_same(da.piecewise(x, [x > 0, x <= 0], fl).compute(), np.piecewise(a, [a > 0, a <= 0], fl))
    ax = data.draw(st.integers(-a.ndim, a.ndim - 1))
    start = data.draw(st.integers(-a.ndim, a.ndim))
    assert_same(da.rollaxis(x, ax, start).compute(), np.rollaxis(a, ax, start))


def test_shuffle_groups():
    a = np.arange(40).reshape(10, 4)
    x = da.from_array(a, chunks=(3, 2))
    groups = [[1, 3], [0, 9, 9], [5], [2, 4, 6, 8]]
    got = da.shuffle(x, groups, axis=0)
    flat = [i for g in groups for i in g]
    assert_same(got.compute(), a[flat])
    # Groups are never split across blocks.
    bounds = np.cumsum((0,) + got.chunks[0])
    ends = np.cumsum([len(g) for g in groups])
    assert set(bounds[1:]) <= set(ends)


def test_layout_errors():
    x = da.ones((3, 4), chunks=2)
    with pytest.raises(ValueError, match="diff: order must be non-negative"):
        da.diff(x, n=-1)
    with pytest.raises(ValueError, match="rot90: Axes must be different"):
        da.rot90(x, axes=(0, 0))
    with pytest.raises(ValueError, match="tile: negative"):
        da.tile(x, -1)
    with pytest.raises(ValueError, match="select: list of cases must be same length"):
        da.select([x > 0], [x, x])
    with pytest.raises(TypeError, match="select: invalid entry 0"):
        da.select([x], [x])
    with pytest.raises(ValueError, match="diagonal: axis1 and axis2 cannot be the same"):
        da.diagonal(x, 0, 1, 1)
    with pytest.raises(ValueError, match="split: array split does not result in an equal division"):
        da.split(x, 2, axis=0)
    with pytest.raises(np.exceptions.AxisError, match="roll: axis 2 is out of bounds"):
        da.roll(x, 1, axis=2)


@pytest.mark.parametrize("k", [2**63, -(2**63), 2**70, -(2**70), 5, -5])
def test_tri_and_eye_with_diagonals_beyond_the_array(k):
    for n, m in [(0, None), (2, 3), (3, 2)]:
        # NumPy overflows past int64; clamped to the array, k selects the same diagonals.
        kk = max(-n, min(k, n if m is None else m))
        assert_same(da.eye(n, M=m, k=k).compute(), np.eye(n, m, k=kk))
        assert_same(da.tri(n, m, k=k).compute(), np.tri(n, m, k=kk))
