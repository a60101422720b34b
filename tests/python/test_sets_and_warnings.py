"""union1d/intersect1d (unknown sizes) against NumPy; the nan-reductions' RuntimeWarnings
for all-NaN slices, given at compute time with NumPy's text."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tessera as da
from conftest import assert_same, chunks_for


@settings(max_examples=50, deadline=None)
@given(data=st.data())
def test_union1d_intersect1d_match_numpy(data):
    dtype = data.draw(st.sampled_from(["float64", "int16", "uint8", "bool"]))
    elements = st.booleans() if dtype == "bool" else st.integers(0, 6)
    arrs = []
    for _ in range(2):
        shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=2, min_side=0, max_side=6))
        a = data.draw(hnp.arrays(dtype, shape, elements=elements))
        if a.dtype.kind == "f" and a.size and data.draw(st.booleans()):
            a.flat[0] = np.nan
        arrs.append((a, da.from_array(a, chunks=data.draw(chunks_for(shape)))))
    (a, x), (b, y) = arrs
    u = da.union1d(x, y)
    assert np.isnan(u.shape[0])
    assert_same(u.compute(), np.union1d(a, b))
    got = da.intersect1d(x, y, return_indices=True)
    for g, e in zip(got, np.intersect1d(a, b, return_indices=True)):
        assert_same(g.compute(), e.astype(g.dtype))
    assert_same(da.intersect1d(x, y).compute(), np.intersect1d(a, b))
    ua, ub = np.unique(a), np.unique(b)
    xu, yu = da.from_array(ua, chunks=3), da.from_array(ub, chunks=2)
    for g, e in zip(da.intersect1d(xu, yu, assume_unique=True, return_indices=True),
                    np.intersect1d(ua, ub, assume_unique=True, return_indices=True)):
        assert_same(g.compute(), e.astype(g.dtype))
    # of unknown sizes (a mask)
    assert_same(da.union1d(x[x > 2], y).compute(), np.union1d(a[a > 2], b))


WARNS = {"nanmin": "All-NaN slice encountered", "nanmax": "All-NaN slice encountered",
         "nanmean": "Mean of empty slice", "nanvar": "Degrees of freedom <= 0 for slice.",
         "nanstd": "Degrees of freedom <= 0 for slice.", "nanmedian": "All-NaN slice encountered"}


def _record(f):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        r = f()
    return r, [(x.category, str(x.message)) for x in w]


@pytest.mark.parametrize("op", sorted(WARNS))
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_all_nan_slices_warn_as_numpy_at_compute(op, data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=5))
    a = data.draw(hnp.arrays("float64", shape, elements=st.sampled_from([np.nan, 1.0, 2.0])))
    axis = data.draw(st.sampled_from([None] + list(range(a.ndim))))
    x = da.from_array(a, chunks=data.draw(chunks_for(shape)))
    r, at_build = _record(lambda: getattr(da, op)(x, axis=axis))
    assert not at_build
    got, w = _record(r.compute)
    exp, ew = _record(lambda: getattr(np, op)(a, axis=axis))
    assert_same(got, exp)
    expected = {(RuntimeWarning, WARNS[op])} if any(m == WARNS[op] for _, m in ew) else set()
    assert {x for x in w if x[0] is RuntimeWarning} == expected


def test_nanvar_ddof_warns_and_argmin_raises():
    a = np.array([[1.0, np.nan], [2.0, 3.0]])
    x = da.from_array(a, chunks=1)
    with pytest.warns(RuntimeWarning, match="Degrees of freedom <= 0 for slice."):
        assert_same(da.nanvar(x, axis=0, ddof=1).compute(), np.array([0.5, np.nan]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        da.nanvar(x, axis=1, ddof=0).compute()
        da.nanmin(x, axis=0).compute()
    with pytest.raises(ValueError, match="All-NaN slice encountered"):
        da.nanargmin(da.from_array(np.full((2, 2), np.nan), chunks=1), axis=0).compute()
