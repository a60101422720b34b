"""Scans against NumPy: cumsum, cumprod, nancumsum, nancumprod (both methods, any axis and
None, dtype=), cumulative_sum/cumulative_prod, cumreduction with user functions; random
shapes, chunkings (uneven, size-1, empty), dtypes and NaN placements; same bits for any
thread count."""

from __future__ import annotations

import operator

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tessera as da
from conftest import assert_same, chunks_for

SCANS = ["cumsum", "cumprod", "nancumsum", "nancumprod"]


@pytest.mark.parametrize("op", SCANS)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_scans_match_numpy(op, data):
    dtype = data.draw(st.sampled_from(["float64", "float32", "int8", "uint16", "int64", "bool"]))
    prod = op.endswith("prod")
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4 if prod else 7))
    lo = 0 if dtype[0] in "ub" else -3
    elements = st.booleans() if dtype == "bool" else st.integers(lo, 3)
    a = data.draw(hnp.arrays(dtype, shape, elements=elements))
    dtype_arg = data.draw(st.sampled_from([None, "float64", "int32"]))
    # NaN cast to an integer is undefined in NumPy (INT_MIN on x86): no NaN with an int dtype=
    if a.dtype.kind == "f" and a.size and dtype_arg != "int32" and data.draw(st.booleans()):
        a.flat[data.draw(st.lists(st.integers(0, a.size - 1), max_size=3))] = np.nan
    x = da.from_array(a, chunks=data.draw(chunks_for(shape)))
    axis = data.draw(st.one_of(st.none(), st.integers(-a.ndim, a.ndim - 1))) if a.ndim else None
    method = data.draw(st.sampled_from(["sequential", "blelloch"]))
    exp = getattr(np, op)(a, axis=axis, dtype=dtype_arg)
    got = getattr(da, op)(x, axis=axis, dtype=dtype_arg, method=method)
    assert got.shape == exp.shape and got.dtype == exp.dtype
    # small integers: float sums and products are exact in any order
    assert_same(got.compute(), exp)


def test_scan_methods_and_errors():
    x = da.ones((4, 5), chunks=2)
    assert_same(x.cumsum(axis=1).compute(), np.ones((4, 5)).cumsum(axis=1))
    assert_same(np.cumsum(x, axis=0).compute(), np.ones((4, 5)).cumsum(axis=0))
    with pytest.raises(ValueError, match="cumsum: method"):
        da.cumsum(x, axis=0, method="parallel")
    from numpy.exceptions import AxisError

    with pytest.raises(AxisError, match="cumprod: axis 2"):
        da.cumprod(x, axis=2)
    with pytest.raises(TypeError, match="cumsum: axis"):
        da.cumsum(x, axis=1.5)


def test_scans_same_bits_for_any_thread_count():
    rng = np.random.default_rng(3)
    a = rng.standard_normal((500, 300))
    x = da.from_array(a, chunks=(37, 41))
    for op in SCANS:
        for axis in (0, 1, None):
            r = [getattr(da, op)(x, axis=axis).compute(num_workers=n) for n in (1, 2, 4)]
            assert all(np.array_equal(r[0], q, equal_nan=True) for q in r[1:]), (op, axis)
            assert np.allclose(r[0], getattr(np, op)(a, axis=axis), rtol=1e-9, atol=1e-9)


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_cumulative_sum_prod(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=1, min_side=0, max_side=9))
    a = data.draw(hnp.arrays("int32", shape, elements=st.integers(-3, 3)))
    x = da.from_array(a, chunks=data.draw(chunks_for(shape)))
    for op in ("cumulative_sum", "cumulative_prod"):
        got = getattr(da, op)(x)
        assert_same(got.compute(), getattr(np, op)(a))
        if hasattr(da, "concatenate"):
            assert_same(getattr(da, op)(x, include_initial=True).compute(), getattr(np, op)(a, include_initial=True))


def test_cumulative_needs_axis_for_nd():
    with pytest.raises(ValueError, match="cumulative_sum: axis"):
        da.cumulative_sum(da.ones((2, 3)))
    b = np.arange(12).reshape(3, 4)
    assert_same(da.cumulative_prod(da.from_array(b, chunks=2), axis=1).compute(), np.cumulative_prod(b, axis=1))


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_cumreduction_user_functions(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=8))
    a = data.draw(hnp.arrays("float64", shape, elements=st.integers(-5, 5).map(float)))
    x = da.from_array(a, chunks=data.draw(chunks_for(shape)))
    axis = data.draw(st.integers(0, a.ndim - 1))
    method = data.draw(st.sampled_from(["sequential", "blelloch"]))
    use_preop = data.draw(st.booleans())
    # a running maximum (xarray's scan pattern)
    got = da.cumreduction(np.maximum.accumulate, np.maximum, -np.inf, x, axis=axis, dtype=np.float64,
                          method=method, preop=np.max if use_preop else None)
    assert_same(got.compute(), np.maximum.accumulate(a, axis=axis))
    got = da.cumreduction(np.cumsum, operator.add, 0, x, axis=axis, method=method)
    assert_same(got.compute(), np.cumsum(a, axis=axis))
