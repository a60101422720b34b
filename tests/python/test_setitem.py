"""Item assignment against NumPy: basic indices and boolean masks, scalar and array values,
random shapes and chunkings; the source data is never written; errors at the assignment."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tessera as da
from conftest import arrays, assert_same, chunks_for, elements

nonempty = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=6)


@st.composite
def basic_index(draw, shape):
    """A basic index: per axis an int, a slice (any step) or nothing, maybe None and ..."""
    key = []
    for n in shape:
        kind = draw(st.sampled_from(["int", "slice", "slice", "full"]))
        if kind == "int":
            key.append(draw(st.integers(-n, n - 1)))
        elif kind == "slice":
            start = draw(st.none() | st.integers(-n - 1, n + 1))
            stop = draw(st.none() | st.integers(-n - 1, n + 1))
            step = draw(st.none() | st.sampled_from([1, 2, 3, -1, -2]))
            key.append(slice(start, stop, step))
        else:
            key.append(slice(None))
    if key and draw(st.booleans()):
        key = key[: draw(st.integers(0, len(key)))] + [Ellipsis]
    if draw(st.booleans()):
        key.insert(draw(st.integers(0, len(key))), None)
    return tuple(key)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), shape=nonempty)
def test_scalar_assignment_matches_numpy(data, shape):
    dtype = data.draw(st.sampled_from(["int16", "uint8", "float64", "float32", "bool"]))
    a = data.draw(hnp.arrays(dtype, shape, elements=elements(dtype, small=True)))
    chunks = data.draw(chunks_for(shape))
    key = data.draw(basic_index(shape))
    v = data.draw(elements(dtype, small=True))
    src = a.copy()
    x = da.from_array(a, chunks=chunks)
    before = x[...]  # built before the assignment: keeps the old values
    x[key] = v
    exp = a.copy()
    exp[key] = v
    assert_same(x.compute(), exp)
    assert x.chunks == da.from_array(a, chunks=chunks).chunks
    assert_same(a, src)  # the source array is never written
    assert_same(before.compute(), src)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), shape=nonempty)
def test_array_values_over_whole_axes_match_numpy(data, shape):
    """Values that vary only along axes the index takes whole (x[i] = row, x[:, j] = col,
    x[..., ::-1] = v), scalars broadcast elsewhere."""
    a = data.draw(hnp.arrays("float64", shape, elements=elements("float64")))
    chunks = data.draw(chunks_for(shape))
    key = []
    for n in shape:
        key.append(data.draw(st.sampled_from([slice(None), slice(None, None, -1), 0, n - 1, slice(0, 1)])))
    key = tuple(key)
    region = a[key].shape
    vshape = tuple(d if data.draw(st.booleans()) else 1 for d in region)
    vshape = vshape[data.draw(st.integers(0, len(vshape))):]
    v = data.draw(hnp.arrays("float64", vshape, elements=elements("float64")))
    value = da.from_array(v, chunks=data.draw(chunks_for(vshape))) if data.draw(st.booleans()) else v
    x = da.from_array(a, chunks=chunks)
    x[key] = value
    exp = a.copy()
    exp[key] = v
    assert_same(x.compute(), exp)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), shape=nonempty)
def test_array_values_over_any_basic_index_match_numpy(data, shape):
    """Values varying along axes the index selects in part (x[1:3] = rows, x[::2, 1:] = v):
    gathered into x's frame."""
    dtype = data.draw(st.sampled_from(["int16", "float64", "bool"]))
    a = data.draw(hnp.arrays(dtype, shape, elements=elements(dtype, small=True)))
    chunks = data.draw(chunks_for(shape))
    key = data.draw(basic_index(shape))
    region = a[key].shape
    vshape = tuple(d if data.draw(st.booleans()) else 1 for d in region)
    vshape = vshape[data.draw(st.integers(0, len(vshape))):]
    v = data.draw(hnp.arrays(dtype, vshape, elements=elements(dtype, small=True)))
    value = da.from_array(v, chunks=data.draw(chunks_for(vshape))) if data.draw(st.booleans()) else v
    x = da.from_array(a, chunks=chunks)
    x[key] = value
    exp = a.copy()
    exp[key] = v
    assert_same(x.compute(), exp)
    assert x.chunks == da.from_array(a, chunks=chunks).chunks


@settings(max_examples=40, deadline=None)
@given(data=arrays(), lazy=st.booleans(), leading=st.booleans())
def test_mask_assignment_matches_numpy(data, lazy, leading):
    a, chunks = data
    if a.ndim == 0:
        return
    rng = np.random.default_rng(a.size)
    mshape = a.shape[:1] if leading else a.shape
    mask = rng.random(mshape) < 0.5
    v = np.zeros((), a.dtype) + (1 if a.dtype != bool else True)
    x = da.from_array(a, chunks=chunks)
    m = da.from_array(mask, chunks=chunks if not leading and not isinstance(chunks, tuple) else "auto") if lazy else mask
    x[m] = v
    exp = a.copy()
    exp[mask] = v
    assert_same(x.compute(), exp)
    y = da.from_array(a, chunks=chunks)
    y[y > 0] = 0 if a.dtype != bool else False
    exp = a.copy()
    exp[a > 0] = 0
    assert_same(y.compute(), exp)


def test_copies_are_not_rebound():
    """copy(), asarray(copy=True) and astype(copy=True) are new objects: assigning into x
    rebinds x only (the Array API's copy semantics; nothing is copied until computed)."""
    import copy

    x = da.arange(4, chunks=3)
    snaps = [x.copy(), da.asarray(x, copy=True), da.astype(x, x.dtype, copy=True), copy.copy(x), copy.deepcopy(x)]
    same = da.asarray(x)
    x[0] = 9
    for s in snaps:
        assert_same(s.compute(), np.arange(4))
    assert same is x and same.compute()[0] == 9
    with pytest.raises(ValueError, match="asarray: unable to avoid a copy"):
        da.asarray(x, dtype="float32", copy=False)


def test_zero_dim_and_whole_array():
    x = da.asarray(np.float32(3.5))
    x[()] = 2
    assert x.compute() == np.float32(2) and x.dtype == np.float32
    y = da.ones((3, 4), chunks=2)
    y[...] = np.arange(4.0)
    assert_same(y.compute(), np.broadcast_to(np.arange(4.0), (3, 4)))
    z = da.zeros(5, dtype="int8", chunks=2)
    z[1:4] = da.asarray(7)  # a lazy 0-d value
    assert_same(z.compute(), np.array([0, 7, 7, 7, 0], dtype="int8"))


def test_errors_at_assignment():
    x = da.zeros((4, 5), chunks=2)
    with pytest.raises(IndexError, match="setitem.*shape \\(4, 5\\)"):
        x[4] = 1
    with pytest.raises(ValueError, match="setitem.*\\(3,\\).*\\(2, 5\\)"):
        x[:2] = np.ones(3)
    with pytest.raises(IndexError, match="setitem: the boolean mask of shape \\(3,\\)"):
        x[np.ones(3, bool)] = 1
    with pytest.raises(NotImplementedError, match="integer-array"):
        x[np.array([0, 2])] = 1
    with pytest.raises(NotImplementedError, match="through a boolean mask"):
        x[x > 0] = np.ones(3)
    with pytest.raises(OverflowError, match="setitem"):
        da.zeros(3, dtype="int8")[0] = 300
    with pytest.raises(IndexError, match="valid indices"):
        x["a"] = 1
    assert_same(x.compute(), np.zeros((4, 5)))  # failed assignments change nothing
