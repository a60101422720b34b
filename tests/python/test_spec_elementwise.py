"""The Array API's elementwise names and the ufuncs added for them (acosh, asinh, atanh,
exp2, signbit, reciprocal, copysign, logaddexp, nextafter, shifts and << >>) against
NumPy, over random shapes, chunkings and dtypes, with the special values."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tessera as da
from conftest import FLOAT_DTYPES, INT_DTYPES, arrays, assert_same, chunks_for, shapes

SPECIALS = [0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 0.5, 2.0, 1e-300, 1e300, 5e-324]

UNARY = {"acos": "arccos", "asin": "arcsin", "atan": "arctan", "acosh": "arccosh", "asinh": "arcsinh",
         "atanh": "arctanh", "exp2": "exp2", "signbit": "signbit", "reciprocal": "reciprocal"}
BINARY = {"atan2": "arctan2", "pow": "power", "copysign": "copysign", "logaddexp": "logaddexp",
          "nextafter": "nextafter", "hypot": "hypot"}


def _float_array(dtype):
    lim = 6e4 if dtype == "float16" else 1e6
    return st.one_of(st.floats(-lim, lim, width=np.dtype(dtype).itemsize * 8),
                     st.sampled_from(SPECIALS).map(lambda v: np.dtype(dtype).type(v)))


@st.composite
def float_arrays(draw, dtype=None, shape=None):
    dtype = dtype or draw(st.sampled_from(FLOAT_DTYPES))
    shape = draw(shapes) if shape is None else shape
    a = draw(hnp.arrays(dtype, shape, elements=_float_array(dtype)))
    return a, draw(chunks_for(shape))


def _close(got, exp, dtype):
    # libm differences: a few ulps in float32, exact where NumPy is exact (NaN, inf, signs of 0)
    got, exp = np.asarray(got), np.asarray(exp)
    assert got.dtype == exp.dtype and got.shape == exp.shape
    if exp.dtype.kind == "f":
        np.testing.assert_array_equal(np.isnan(got), np.isnan(exp))
        fin = np.isfinite(exp)
        np.testing.assert_array_equal(got[~fin & ~np.isnan(exp)], exp[~fin & ~np.isnan(exp)])
        np.testing.assert_allclose(got[fin], exp[fin], rtol=4 * np.finfo(exp.dtype).eps, atol=0)
    else:
        np.testing.assert_array_equal(got, exp)


@settings(max_examples=25, deadline=None)
@given(name=st.sampled_from(sorted(UNARY)), data=float_arrays())
def test_unary_spec_names_match_numpy(name, data):
    a, chunks = data
    got = getattr(da, name)(da.from_array(a, chunks=chunks)).compute()
    with np.errstate(all="ignore"):
        exp = getattr(np, UNARY[name])(a)
    _close(got, exp, a.dtype)


@settings(max_examples=25, deadline=None)
@given(name=st.sampled_from(sorted(BINARY)), dtype=st.sampled_from(FLOAT_DTYPES), shape=shapes, data=st.data())
def test_binary_spec_names_match_numpy(name, dtype, shape, data):
    a, ca = data.draw(float_arrays(dtype, shape))
    b, cb = data.draw(float_arrays(dtype, shape))
    got = getattr(da, name)(da.from_array(a, chunks=ca), da.from_array(b, chunks=cb)).compute()
    with np.errstate(all="ignore"):
        exp = getattr(np, BINARY[name])(a, b)
    if name in ("nextafter", "copysign", "logaddexp"):
        assert_same(got, exp, rtol=0)  # exact operations; logaddexp is NumPy's algorithm, bit for bit
    else:
        _close(got, exp, dtype)


def test_special_values_exact():
    v = np.array(SPECIALS)
    x = da.from_array(v, chunks=5)
    a, b = np.meshgrid(v, v)
    xa, xb = da.from_array(a, chunks=4), da.from_array(b, chunks=(3, 5))
    assert_same(da.copysign(xa, xb).compute(), np.copysign(a, b))
    assert_same(da.nextafter(xa, xb).compute(), np.nextafter(a, b))
    assert_same(da.signbit(x).compute(), np.signbit(v))
    with np.errstate(all="ignore"):
        assert_same(da.logaddexp(xa, xb).compute(), np.logaddexp(a, b))
        assert_same(da.reciprocal(x).compute(), np.reciprocal(v))
        # remainder / pow special cases are NumPy's (and the spec's)
        for f in ("remainder", "pow"):
            assert_same(getattr(da, f)(xa, xb).compute(), getattr(np, {"pow": "power"}.get(f, f))(a, b))
        assert_same(da.floor_divide(xa, xb).compute(), spec_floor_divide(a, b))
        assert_same((xa // xb).compute(), spec_floor_divide(a, b))


def spec_floor_divide(a, b):
    """NumPy's floor_divide with the Array API's special cases where they differ: an infinite
    dividend over a finite nonzero divisor is an infinity, a finite nonzero dividend over an
    infinity of the other sign is -0."""
    with np.errstate(all="ignore"):
        r = np.floor_divide(a, b)
    same = (a > 0) == (b > 0)
    inf_num = np.isinf(a) & np.isfinite(b) & (b != 0)
    r = np.where(inf_num, np.where(same, np.inf, -np.inf), r)
    return np.where(np.isinf(b) & np.isfinite(a) & (a != 0) & ~same, -0.0, r)
    f32 = np.array(SPECIALS, dtype=np.float32)
    assert_same(da.nextafter(da.asarray(f32), np.float32(1)).compute(), np.nextafter(f32, np.float32(1)))


@settings(max_examples=40, deadline=None)
@given(dtype=st.sampled_from(INT_DTYPES), shape=shapes, data=st.data())
def test_shifts_match_numpy(dtype, shape, data):
    info = np.iinfo(dtype)
    a = data.draw(hnp.arrays(dtype, shape, elements=st.integers(int(info.min), int(info.max))))
    lo = 0 if info.min == 0 else -2
    s = data.draw(hnp.arrays(dtype, shape, elements=st.integers(lo, min(int(info.max), info.bits + 3))))
    ca, cs = data.draw(chunks_for(shape)), data.draw(chunks_for(shape))
    x, y = da.from_array(a, chunks=ca), da.from_array(s, chunks=cs)
    assert_same(da.bitwise_left_shift(x, y).compute(), np.left_shift(a, s))
    assert_same(da.bitwise_right_shift(x, y).compute(), np.right_shift(a, s))
    assert_same((x << y).compute(), a << s)
    assert_same((x >> y).compute(), a >> s)
    assert_same((x >> 1).compute(), a >> 1)
    assert_same((3 << y).compute(), np.left_shift(np.array(3, dtype), s))


def test_shift_errors_are_raised_when_built():
    x = da.arange(4.0)
    with pytest.raises(TypeError, match="left_shift"):
        x << 1
    with pytest.raises(TypeError, match="bitwise_right_shift"):
        da.bitwise_right_shift(da.arange(3), 1.5)


@settings(max_examples=30, deadline=None)
@given(data=arrays(), use_arrays=st.booleans(), bounds=st.tuples(st.integers(-5, 5), st.integers(-5, 5)))
def test_clip_keeps_dtype_and_takes_array_bounds(data, use_arrays, bounds):
    a, chunks = data
    if a.dtype == bool:
        return
    lo, hi = (np.full(a.shape, b, dtype=a.dtype) if use_arrays and a.dtype.kind != "u" else b for b in bounds)
    if a.dtype.kind == "u":
        lo, hi = abs(bounds[0]), abs(bounds[1])
    got = da.clip(da.from_array(a, chunks=chunks), lo, hi)
    assert got.dtype == a.dtype
    assert_same(got.compute(), np.clip(a, lo, hi).astype(a.dtype))
    assert_same(da.clip(da.from_array(a, chunks=chunks), max=hi).compute(), np.minimum(a, hi).astype(a.dtype))


def test_clip_bad_bound_shape_raises_naming_clip():
    with pytest.raises(ValueError, match="clip: min of shape \\(4,\\) does not broadcast"):
        da.clip(da.zeros(3), da.zeros(4))


@pytest.mark.parametrize("xs, ls, hs", [((), (0,), None), ((3,), (2, 1), ()), ((1, 3), None, (4, 1)), ((2, 1), (3,), (1, 3))])
def test_clip_bounds_broadcast_with_x_as_numpy(xs, ls, hs):
    a = np.arange(int(np.prod(xs)), dtype=np.int16).reshape(xs)
    lo = None if ls is None else np.ones(ls, np.int16)
    hi = None if hs is None else np.full(hs, 2, np.int16)
    exp = np.clip(a, lo, hi)
    for lazy in (False, True):
        wrap = (lambda b: b if b is None else da.asarray(b)) if lazy else (lambda b: b)
        got = da.clip(da.asarray(a), wrap(lo), wrap(hi))
        assert got.shape == exp.shape
        assert_same(got.compute(), exp)


COMPLEX_UNARY = ["acosh", "asinh", "atanh", "exp2", "reciprocal"]


@settings(max_examples=25, deadline=None)
@given(name=st.sampled_from(COMPLEX_UNARY), dtype=st.sampled_from(["complex64", "complex128"]), shape=shapes,
       data=st.data())
def test_complex_spec_names_match_numpy(name, dtype, shape, data):
    parts = st.floats(-50, 50, width=np.dtype(dtype).itemsize * 4)
    a = data.draw(hnp.arrays(dtype, shape, elements=st.builds(complex, parts, parts)))
    got = getattr(da, name)(da.from_array(a, chunks=data.draw(chunks_for(shape)))).compute()
    with np.errstate(all="ignore"):
        exp = getattr(np, UNARY[name])(a)
    assert got.dtype == exp.dtype and got.shape == exp.shape
    tol = 1e-5 if dtype == "complex64" else 1e-12
    np.testing.assert_allclose(got, exp, rtol=tol, atol=tol * np.abs(exp).max(initial=1.0))


@pytest.mark.parametrize("name", ["signbit", "copysign", "logaddexp", "nextafter", "atan2", "hypot"])
def test_real_only_spec_names_refuse_complex_like_numpy(name):
    z = np.array([1 + 2j, -0.5j])
    args = (z,) if name == "signbit" else (z, z)
    with pytest.raises(TypeError):
        getattr(np, UNARY.get(name) or BINARY[name])(*args)
    with pytest.raises(TypeError, match=name if name not in ("atan2",) else "arctan2|atan2"):
        getattr(da, name)(*(da.from_array(a, chunks=1) for a in args))
