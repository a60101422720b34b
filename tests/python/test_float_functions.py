"""nan_to_num, sinc, isreal, isposinf, isneginf, logaddexp2 and ufuncs' where= against
NumPy, over random shapes, chunkings and special values."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tessera as da
from conftest import assert_same, chunks_for

SPECIAL = st.sampled_from([0.0, -0.0, 1.0, -2.5, np.nan, np.inf, -np.inf, 1e-300, 1e300, 5e-324])
FLOATS = st.one_of(st.floats(allow_nan=True, allow_infinity=True, width=64), SPECIAL)


@st.composite
def float_arrays(draw, dtype=None):
    dtype = dtype or draw(st.sampled_from(["float64", "float32", "complex128"]))
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5))
    elems = FLOATS if dtype != "float32" else st.one_of(st.floats(width=32), st.sampled_from([np.nan, np.inf, -np.inf]))
    if dtype == "complex128":
        re = draw(hnp.arrays("float64", shape, elements=FLOATS))
        im = draw(hnp.arrays("float64", shape, elements=FLOATS))
        a = re + 1j * im
    else:
        a = draw(hnp.arrays(dtype, shape, elements=elems))
    return a, draw(chunks_for(shape))


def _same(got, exp):
    got, exp = np.asarray(got), np.asarray(exp)
    assert got.dtype == exp.dtype and got.shape == exp.shape
    if exp.dtype.kind in "fc":
        np.testing.assert_array_equal(got, exp)  # NaNs in the same places, values bit-equal or equal
    else:
        assert np.array_equal(got, exp)


@settings(max_examples=60, deadline=None)
@given(data=float_arrays(), nan=st.sampled_from([0.0, 7.0]), posinf=st.sampled_from([None, 1e10]),
       neginf=st.sampled_from([None, -3.0]))
def test_nan_to_num_matches_numpy(data, nan, posinf, neginf):
    a, chunks = data
    x = da.from_array(a, chunks=chunks)
    _same(da.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf).compute(),
          np.nan_to_num(a, nan=nan, posinf=posinf, neginf=neginf))
    _same(np.nan_to_num(x).compute(), np.nan_to_num(a))


@settings(max_examples=60, deadline=None)
@given(data=float_arrays())
def test_sinc_isreal_and_infinity_tests_match_numpy(data):
    a, chunks = data
    x = da.from_array(a, chunks=chunks)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert_same(da.sinc(x).compute(), np.sinc(a), rtol=1e-12)
    _same(da.isreal(x).compute(), np.isreal(a))
    _same(np.isreal(x).compute(), np.isreal(a))
    if a.dtype.kind == "f":
        _same(da.isposinf(x).compute(), np.isposinf(a))
        _same(np.isneginf(x).compute(), np.isneginf(a))
    else:
        with pytest.raises(TypeError, match="isposinf"):
            da.isposinf(x)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_logaddexp2_matches_numpy(data):
    a, chunks = data.draw(float_arrays(dtype=data.draw(st.sampled_from(["float64", "float32"]))))
    b = data.draw(hnp.arrays(a.dtype, a.shape, elements=FLOATS if a.dtype == np.float64 else st.floats(width=32)))
    x, y = da.from_array(a, chunks=chunks), da.from_array(b, chunks=data.draw(chunks_for(a.shape)))
    with np.errstate(all="ignore"):
        exp = np.logaddexp2(a, b)
    assert_same(da.logaddexp2(x, y).compute(), exp, rtol=4e-16 if a.dtype == np.float64 else 2e-7)
    assert_same(np.logaddexp2(x, b).compute(), exp, rtol=4e-16 if a.dtype == np.float64 else 2e-7)


@settings(max_examples=40, deadline=None)
@given(data=float_arrays(dtype="float64"), with_out=st.booleans(), lazy_mask=st.booleans())
def test_ufunc_where_matches_numpy(data, with_out, lazy_mask):
    """NumPy's where=: the result where the mask is True, `out`'s values elsewhere (tessera
    gives zeros where NumPy leaves memory uninitialized, so those places are not compared
    without `out`)."""
    a, chunks = data
    m = (np.arange(a.size).reshape(a.shape) % 3) != 1
    mask = da.from_array(m, chunks=chunks) if lazy_mask else m
    x = da.from_array(a, chunks=chunks)
    with np.errstate(all="ignore"):
        if with_out:
            o = np.full(a.shape, -7.0)
            xo = da.from_array(o.copy(), chunks=chunks)
            assert np.add(x, 1.5, where=mask, out=xo) is xo
            _same(xo.compute(), np.add(a, 1.5, where=m, out=o.copy()))
            xo2 = da.from_array(o.copy(), chunks=chunks)
            da.sqrt(x, where=mask, out=(xo2,))
            _same(xo2.compute(), np.sqrt(a, where=m, out=o.copy()))
        else:
            got = da.multiply(x, 2.0, where=mask).compute()
            _same(got[m], (a * 2.0)[m])
            assert (got[~m] == 0).all()
