"""Basic indexing against NumPy (values) and Dask (chunks): ints, slices with any step,
None, Ellipsis; and clear errors for what tessera does not support."""

from __future__ import annotations

import dask.array as dsk
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tessera as da
from conftest import arrays, assert_same, chunks_for, drop_empty_chunks, nonempty_shapes, shapes


@st.composite
def index_for(draw, shape):
    """A basic index expression for an array of `shape`."""
    items = []
    for d in shape:
        kind = draw(st.sampled_from(["int", "slice", "slice", "full", "stop"] if d > 0 else ["slice", "full"]))
        if kind == "int":
            items.append(draw(st.integers(-d, d - 1)))
        elif kind == "full":
            items.append(slice(None))
        elif kind == "stop":
            items.append(slice(None, draw(st.integers(-d - 2, d + 2))))
        else:
            lim = d + 3
            start = draw(st.one_of(st.none(), st.integers(-lim, lim)))
            stop = draw(st.one_of(st.none(), st.integers(-lim, lim)))
            step = draw(st.one_of(st.none(), st.integers(-4, 4).filter(lambda s: s != 0)))
            items.append(slice(start, stop, step))
    # drop trailing items sometimes (implicit full slices), insert None and one Ellipsis
    if items and draw(st.booleans()):
        items = items[: draw(st.integers(0, len(items)))]
    for _ in range(draw(st.integers(0, 2))):
        items.insert(draw(st.integers(0, len(items))), None)
    if draw(st.booleans()):
        # an Ellipsis replaces a run of full slices
        k = draw(st.integers(0, len(items)))
        items.insert(k, Ellipsis)
    if len(items) == 1 and draw(st.booleans()):
        return items[0]
    return tuple(items)


@given(data=st.data())
def test_getitem_matches_numpy_and_dask_chunks(data):
    a, chunks = data.draw(arrays(shape=data.draw(shapes)))
    key = data.draw(index_for(a.shape))
    x = da.from_array(a, chunks=chunks)
    try:
        exp = a[key]
    except IndexError:
        with pytest.raises(IndexError, match="getitem"):
            x[key]
        return
    y = x[key]
    assert y.shape == exp.shape
    assert_same(y.compute(), exp)
    dc = dsk.from_array(a, chunks=x.chunks)[key].chunks
    if tuple(sum(c) for c in dc) == exp.shape:  # Dask gets some empty negative-step slices wrong: x[-2::-1] of 1 element
        assert y.chunks == drop_empty_chunks(dc)


@given(data=st.data())
def test_chained_views(data):
    a, chunks = data.draw(arrays(shape=data.draw(nonempty_shapes)))
    x = da.from_array(a, chunks=chunks)
    k1 = data.draw(index_for(a.shape))
    try:
        b = a[k1]
    except IndexError:  # the drawn index can be out of bounds (an Ellipsis shifts the axes)
        with pytest.raises(IndexError, match="getitem"):
            x[k1]
        return
    y = x[k1]
    k2 = data.draw(index_for(b.shape))
    try:
        exp = b[k2]
    except IndexError:
        with pytest.raises(IndexError, match="getitem"):
            y[k2]
        return
    assert_same(y[k2].compute(), exp)
    assert_same(y.T.compute(), b.T)


def test_numpy_integers_and_index_objects():
    a = np.arange(24).reshape(4, 6)
    x = da.from_array(a, chunks=(3, 4))
    assert_same(x[np.int64(2), np.uint8(1)].compute(), a[2, 1])
    assert_same(x[np.int32(-1)].compute(), a[-1])
    assert_same(x[np.array(1)].compute(), a[np.array(1)])
    assert_same(x[1:np.int64(3), ::np.int8(-2)].compute(), a[1:3, ::-2])


def test_iteration_and_len():
    a = np.arange(12).reshape(3, 4)
    x = da.from_array(a, chunks=2)
    assert len(x) == 3
    rows = list(x)
    assert all(isinstance(r, da.Array) for r in rows)
    for r, e in zip(rows, a):
        assert_same(r.compute(), e)
    with pytest.raises(TypeError, match="unsized"):
        len(x.sum())
    with pytest.raises(TypeError, match="0-d"):
        iter(x.sum()).__next__()


@pytest.mark.parametrize(
    "key, exc, words",
    [
        ([0, 5], IndexError, "index 5 is out of bounds for axis 0 with size 5"),
        (np.array([True, False, True]), IndexError, "boolean index did not match"),
        ("a", IndexError, "valid indices"),
        (1.5, IndexError, "valid indices"),
        ((0, 0, 0), IndexError, "too many indices"),
        (5, IndexError, "out of bounds"),
        (-6, IndexError, "out of bounds"),
        ((Ellipsis, Ellipsis), IndexError, "single ellipsis"),
        (slice(None, None, 0), ValueError, "step"),
    ],
)
def test_unsupported_and_bad_indices(key, exc, words):
    x = da.from_array(np.arange(15).reshape(5, 3), chunks=2)
    with pytest.raises(exc, match=words) as info:
        x[key]
    assert "getitem" in str(info.value)


def test_tessera_array_as_index():
    x = da.arange(5)
    np.testing.assert_array_equal(x[x > 2].compute(), [3, 4])
    np.testing.assert_array_equal(x[da.arange(3)[::-1]].compute(), [2, 1, 0])


# Item assignment: tests/python/test_setitem.py
