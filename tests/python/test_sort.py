"""sort/argsort against NumPy: any axis (None included) at any chunking (uneven, size-1,
empty), dtypes, NaN; argsort's stable ties; errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tessera as da
from conftest import assert_same, chunks_for


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_sort_argsort_match_numpy(data):
    dtype = data.draw(st.sampled_from(["float64", "float32", "int8", "uint32", "int64", "bool"]))
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=7))
    elements = st.booleans() if dtype == "bool" else st.integers(0, 5)
    a = data.draw(hnp.arrays(dtype, shape, elements=elements))
    if a.dtype.kind == "f" and a.size and data.draw(st.booleans()):
        a.flat[data.draw(st.lists(st.integers(0, a.size - 1), max_size=3))] = np.nan
    x = da.from_array(a, chunks=data.draw(chunks_for(shape)))
    axis = data.draw(st.one_of(st.none(), st.integers(-a.ndim, a.ndim - 1)))
    kind = data.draw(st.sampled_from([None, "stable", "quicksort"]))
    got = da.sort(x, axis=axis, kind=kind)
    assert_same(got.compute(), np.sort(a, axis=axis))
    assert_same(np.sort(x, axis=axis).compute(), np.sort(a, axis=axis))
    idx = da.argsort(x, axis=axis, stable=True)
    assert_same(idx.compute(), np.argsort(a, axis=axis, stable=True).astype(np.int64))


def test_sort_errors_and_threads():
    x = da.random.random(50_000, chunks=7_001)
    r = [da.argsort(x, kind="stable").compute(num_workers=n) for n in (1, 3)]
    assert np.array_equal(r[0], r[1])
    assert_same(da.sort(x).compute(), np.sort(x.compute()))
    with pytest.raises(ValueError, match="sort: kind"):
        da.sort(x, kind="bogo")
    with pytest.raises(ValueError, match="argsort: `kind` and `stable`"):
        da.argsort(x, kind="stable", stable=True)
    from numpy.exceptions import AxisError

    with pytest.raises(AxisError, match="sort: axis 1"):
        da.sort(x, axis=1)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_descending_sort_argsort_keep_ties_in_order(data):
    """The Array API's descending=: values reversed, ties of argsort in their original order
    (the reference is array_api_strict's: the reversed input sorted stably, reversed)."""
    dtype = data.draw(st.sampled_from(["float64", "int8", "uint32", "bool"]))
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=7))
    a = data.draw(hnp.arrays(dtype, shape, elements=st.booleans() if dtype == "bool" else st.integers(0, 3)))
    x = da.from_array(a, chunks=data.draw(chunks_for(shape)))
    axis = data.draw(st.integers(-a.ndim, a.ndim - 1))
    assert_same(da.sort(x, axis=axis, descending=True).compute(), np.flip(np.sort(a, axis=axis), axis=axis))
    exp = (a.shape[axis] - 1) - np.flip(np.argsort(np.flip(a, axis=axis), axis=axis, kind="stable"), axis=axis)
    assert_same(da.argsort(x, axis=axis, descending=True, stable=True).compute(), exp.astype(np.int64))
    assert_same(x.argsort(axis=axis, stable=True, descending=False).compute(), np.argsort(a, axis=axis, kind="stable"))
    with pytest.raises(TypeError, match="sort: descending must be a bool"):
        da.sort(x, descending="yes")


def test_concat_is_concatenate_with_axis_none():
    a, b = np.arange(6).reshape(2, 3), np.arange(4.0).reshape(2, 2)
    x, y = da.from_array(a, chunks=2), da.from_array(b, chunks=1)
    assert_same(da.concat((x, y), axis=1).compute(), np.concatenate((a, b), axis=1))
    assert_same(da.concat([x, y], axis=None).compute(), np.concatenate([a, b], axis=None))
    with pytest.raises(ValueError, match="concatenate"):
        da.concat([x, y], axis=0)
