"""concatenate, stack, block, hstack/vstack/dstack, append, broadcast_arrays/shapes and
atleast_1d/2d/3d against NumPy over random shapes, chunkings (uneven, size-1, empty),
dtypes (mixed: NumPy's promotion) and axes; blocks pass through without a copy; errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tessera as da
from conftest import DTYPES, assert_same, chunks_for, elements

SETTINGS = settings(max_examples=40, deadline=None)


@st.composite
def joinable(draw, same_shape=False):
    """2-4 arrays that agree except along `axis`, of maybe different dtypes and chunks."""
    nd = draw(st.integers(1, 3))
    base = list(draw(hnp.array_shapes(min_dims=nd, max_dims=nd, min_side=0, max_side=5)))
    axis = draw(st.integers(-nd, nd - 1))
    out = []
    for _ in range(draw(st.integers(1, 4))):
        shape = list(base)
        if not same_shape:
            shape[axis] = draw(st.integers(0, 5))
        dtype = draw(st.sampled_from(DTYPES))
        a = draw(hnp.arrays(dtype, tuple(shape), elements=elements(dtype, small=True)))
        out.append((a, draw(chunks_for(tuple(shape)))))
    return out, axis


@SETTINGS
@given(joinable())
def test_concatenate_matches_numpy(case):
    arrays, axis = case
    xs = [da.from_array(a, chunks=c) for a, c in arrays]
    got = da.concatenate(xs, axis=axis)
    want = np.concatenate([a for a, _ in arrays], axis=axis)
    assert got.shape == want.shape
    assert_same(got.compute(), want)
    # Dask's chunks: the inputs' blocks laid end to end (empty inputs add none).
    ax = axis % want.ndim
    blocks = tuple(c for x in xs if x.shape[ax] for c in x.chunks[ax]) or (0,)
    assert got.chunks[ax] == blocks


@SETTINGS
@given(joinable(same_shape=True), st.data())
def test_stack_matches_numpy(case, data):
    arrays, _ = case
    nd = arrays[0][0].ndim
    axis = data.draw(st.integers(-nd - 1, nd))
    got = da.stack([da.from_array(a, chunks=c) for a, c in arrays], axis=axis)
    assert_same(got.compute(), np.stack([a for a, _ in arrays], axis=axis))


@SETTINGS
@given(joinable(), st.sampled_from(["hstack", "vstack", "dstack"]))
def test_hvdstack_match_numpy(case, fn):
    arrays, _ = case
    want, err = None, None
    try:
        want = getattr(np, fn)([a for a, _ in arrays])
    except ValueError as e:
        err = e
    xs = [da.from_array(a, chunks=c) for a, c in arrays]
    if err is not None:
        with pytest.raises(ValueError):
            getattr(da, fn)(xs)
        return
    assert_same(getattr(da, fn)(xs).compute(), want)


@SETTINGS
@given(joinable(), st.booleans())
def test_append_matches_numpy(case, flat):
    arrays, axis = case
    (a, ca), (b, cb) = arrays[0], arrays[-1]
    ax = None if flat else axis
    got = da.append(da.from_array(a, chunks=ca), da.from_array(b, chunks=cb), axis=ax)
    assert_same(got.compute(), np.append(a, b, axis=ax))


def test_block_matches_numpy():
    a = np.arange(6).reshape(2, 3)
    b = np.arange(4.0).reshape(2, 2)
    c = np.ones((1, 5), np.int8)
    A, B, C = (da.from_array(v, chunks=1) for v in (a, b, c))
    assert_same(da.block([[A, B], [C]]).compute(), np.block([[a, b], [c]]))
    assert_same(da.block([A, A]).compute(), np.block([a, a]))
    assert_same(da.block([[[A]], [[A]]]).compute(), np.block([[[a]], [[a]]]))
    assert_same(da.block([1, 2, da.from_array(np.array([3]))]).compute(), np.block([1, 2, np.array([3])]))
    with pytest.raises(ValueError, match="depths are mismatched"):
        da.block([A, [A]])
    with pytest.raises(TypeError, match="tuple"):
        da.block((A, A))
    with pytest.raises(ValueError, match="cannot be empty"):
        da.block([])


@SETTINGS
@given(st.lists(hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4), min_size=1, max_size=3), st.data())
def test_broadcast_arrays_and_atleast(shapes, data):
    shapes = [tuple(1 if data.draw(st.booleans()) else s for s in sh) for sh in shapes]
    arrs = [np.arange(int(np.prod(s))).reshape(s) for s in shapes]
    try:
        want = np.broadcast_arrays(*arrs)
    except ValueError:
        with pytest.raises(ValueError):
            da.broadcast_arrays(*[da.from_array(a) for a in arrs])
        with pytest.raises(ValueError, match="broadcast_shapes"):
            da.broadcast_shapes(*shapes)
        return
    assert da.broadcast_shapes(*shapes) == np.broadcast_shapes(*shapes)
    assert type(da.broadcast_arrays(*[da.from_array(a) for a in arrs])) is tuple
    for g, w in zip(da.broadcast_arrays(*[da.from_array(a, chunks=2) for a in arrs]), want):
        assert_same(g.compute(), w)
    for fn in ("atleast_1d", "atleast_2d", "atleast_3d"):
        got = getattr(da, fn)(*[da.from_array(a) for a in arrs])
        want = getattr(np, fn)(*arrs)
        if len(arrs) == 1:
            got, want = [got], [want]
        for g, w in zip(got, want):
            assert_same(g.compute(), w)


def test_concatenate_passes_blocks_through_and_builds_fast():
    import time

    x = da.ones((10,), chunks=1)
    t = time.perf_counter()
    y = da.concatenate([x] * 1000)
    assert time.perf_counter() - t < 1.0
    assert y.numblocks == (10000,)
    assert y.sum().compute() == 10000
    plan = y.explain()
    assert "gather(axis=0, runs=1000)" in plan


def test_concatenate_errors():
    x = da.ones((2, 3), chunks=1)
    with pytest.raises(ValueError, match="concatenate: .*dimension 1.*size 3.*size 4"):
        da.concatenate([x, da.ones((2, 4))], axis=0)
    with pytest.raises(ValueError, match="concatenate: all the input arrays must have same number of dimensions"):
        da.concatenate([x, da.ones(3)])
    with pytest.raises(np.exceptions.AxisError, match="concatenate: axis 2 is out of bounds"):
        da.concatenate([x, x], axis=2)
    with pytest.raises(ValueError, match="need at least one array"):
        da.concatenate([])
    with pytest.raises(ValueError, match="zero-dimensional"):
        da.concatenate([da.ones(()), da.ones(())])
    with pytest.raises(ValueError, match="stack: all input arrays must have the same shape"):
        da.stack([x, da.ones((3, 2))])


def test_numpy_functions_stay_lazy():
    a = np.arange(12.0).reshape(3, 4)
    x = da.from_array(a, chunks=2)
    for f, args in [(np.concatenate, ([x, x],)), (np.stack, ([x, x], 1)), (np.vstack, ([x, x],)), (np.pad, (x, 1)),
                    (np.roll, (x, 2)), (np.tile, (x, 2)), (np.take, (x, [2, 0], 1)), (np.diff, (x,)), (np.tril, (x,))]:
        got = f(*args)
        assert isinstance(got, da.Array), f
        want = f(*[a if v is x else [a if w is x else w for w in v] if isinstance(v, list) else v for v in args])
        assert_same(got.compute(), want)
