"""complex64, complex128 and float16 end to end against NumPy: creation, casts, NEP 50
promotion with Python complex scalars, the parts of complex values (real, imag, angle,
conj), comparisons, reductions with real results, the NumPy protocols, zero-copy in and out,
and the errors NumPy raises. (The elementwise and reduction property tests cover every
ufunc and reduction over these dtypes too, through conftest.DTYPES.)"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tessera as da
from conftest import COMPLEX_DTYPES, DTYPES, arrays, assert_same

NEW = ["float16", *COMPLEX_DTYPES]


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_astype_between_all_dtypes_like_numpy(data):
    src = data.draw(st.sampled_from(DTYPES))
    dst = data.draw(st.sampled_from(NEW)) if src not in NEW else data.draw(st.sampled_from(DTYPES))
    a, chunks = data.draw(arrays(src, small=True))
    got = da.from_array(a, chunks=chunks).astype(dst).compute()
    with np.errstate(all="ignore"):
        assert_same(got, a.astype(dst), rtol=0)


@pytest.mark.parametrize("dtype", NEW)
def test_creation_functions(dtype):
    for f in (da.zeros, da.ones, da.empty):
        x = f((3, 4), dtype=dtype, chunks=2)
        assert x.dtype == np.dtype(dtype)
        assert_same(x.compute(), getattr(np, f.__name__)((3, 4), dtype=dtype) * (f is not da.empty))
    v = 1.5 - 2j if dtype.startswith("complex") else 1.5
    assert_same(da.full((2, 3), v, dtype=dtype, chunks=2).compute(), np.full((2, 3), v, dtype=dtype))
    assert_same(da.arange(7, dtype=dtype, chunks=3).compute(), np.arange(7, dtype=dtype))
    a = (np.arange(12).reshape(3, 4) * (1 - 1j)).astype(dtype) if dtype != "float16" else np.arange(12, dtype=dtype)
    assert_same(da.asarray(a, chunks=2).compute(), a)
    assert_same(da.from_array(a, chunks=3).compute(), a)
    assert_same(da.ones_like(da.from_array(a)).compute(), np.ones_like(a))


def test_full_infers_complex_from_the_fill_value():
    x = da.full(3, 2 + 1j)
    assert x.dtype == np.complex128
    assert_same(x.compute(), np.full(3, 2 + 1j))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("s", [1j, 2.5 - 1j, complex(0, 0)])
def test_python_complex_scalars_follow_nep50(dtype, s):
    a = np.arange(1, 4).astype(dtype)
    x = da.from_array(a, chunks=2)
    for got, exp in [(x + s, a + s), (s * x, s * a), (x - s, a - s), (s / x, s / a)]:
        assert got.dtype == exp.dtype, (dtype, s, got.dtype, exp.dtype)
        with np.errstate(all="ignore"):
            assert_same(got.compute(), exp)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_parts_of_complex_and_real_values(data):
    dtype = data.draw(st.sampled_from(DTYPES))
    a, chunks = data.draw(arrays(dtype))
    x = da.from_array(a, chunks=chunks)
    with np.errstate(all="ignore"):
        assert_same(da.real(x).compute(), np.real(a))
        assert_same(da.imag(x).compute(), np.imag(a))
        assert_same(x.real.compute(), a.real)
        assert_same(x.imag.compute(), a.imag)
        assert_same(da.angle(x).compute(), np.angle(a), atol=1e-6)
        assert_same(da.angle(x, deg=True).compute(), np.angle(a, deg=True), atol=1e-4)
        if dtype != "bool":
            assert_same(x.conj().compute(), a.conj())
        assert_same(da.conj(x).compute(), np.conj(a))
        assert_same(da.absolute(x).compute(), np.absolute(a))
    assert da.iscomplexobj(x) == np.iscomplexobj(a)


@pytest.mark.parametrize("dtype", COMPLEX_DTYPES)
def test_complex_comparisons_are_numpys_lexicographic_order(dtype):
    a = np.array([1 + 2j, 1 + 3j, 2 - 5j, 1 + 2j, complex(np.nan, 0), complex(1, np.nan)], dtype=dtype)
    b = np.array([1 + 2j, 1 + 2j, 1 + 9j, 2 + 0j, 1 + 0j, 1 + 0j], dtype=dtype)
    x, y = da.from_array(a, chunks=4), da.from_array(b, chunks=3)
    for op in ("equal", "not_equal", "less", "less_equal", "greater", "greater_equal", "maximum", "minimum"):
        assert_same(getattr(da, op)(x, y).compute(), getattr(np, op)(a, b))
    assert_same(x.max().compute(), np.max(a))
    assert_same(da.argmax(x[:4]).compute(), np.argmax(a[:4]))


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_complex_reductions_give_numpys_dtypes(data):
    dtype = data.draw(st.sampled_from(NEW))
    a, chunks = data.draw(arrays(dtype, small=True))
    x = da.from_array(a, chunks=chunks)
    for op in ("sum", "prod", "mean", "var", "std"):
        with np.errstate(all="ignore"):
            exp = getattr(np, op)(a)
        got = getattr(x, op)()
        assert got.dtype == exp.dtype, (op, got.dtype, exp.dtype)
        if not np.isfinite(exp):
            continue  # overflow: NumPy multiplies in the dtype (inf * 0 = nan), tessera in complex128
        rtol = 3e-2 if dtype == "float16" else 1e-4
        assert_same(got.compute(), exp, rtol=rtol, atol=1e-3 * max(1, a.size))


def test_numpy_protocols_stay_lazy_and_zero_copy():
    a = (np.arange(6).reshape(2, 3) + 1j).astype(np.complex64)
    x = da.from_array(a, chunks=2)
    for f in (np.real, np.imag, np.angle, np.conj, np.abs, np.exp, np.sqrt):
        r = f(x)
        assert isinstance(r, da.Array), f
        assert_same(r.compute(), f(a))
    # in: blocks read the NumPy memory in place (a later write shows in results)
    a[0, 0] = 7 - 7j
    assert x.compute()[0, 0] == 7 - 7j
    assert (x * 2).compute().dtype == np.complex64 and np.asarray(x).dtype == np.complex64
    h = da.from_array(np.ones(4, np.float16)) / 3
    assert np.asarray(h).dtype == np.float16
    assert_same(np.asarray(h), np.ones(4, np.float16) / 3, rtol=0)


@pytest.mark.parametrize("make, exc, words", [
    (lambda z: da.floor(z), TypeError, "floor"),
    (lambda z: z // 2, TypeError, "floor_divide"),
    (lambda z: z % 2, TypeError, "remainder"),
    (lambda z: z & 1, TypeError, "bitwise_and"),
    (lambda z: da.arctan2(z, z), TypeError, "arctan2"),
    (lambda z: da.cbrt(z), TypeError, "cbrt"),
    (lambda z: da.from_array(np.ones(2, np.complex64)).astype("complex256"), TypeError, "complex256"),
])
def test_operations_numpy_refuses_for_complex_raise_when_built(make, exc, words):
    z = da.ones(4, dtype="complex128", chunks=2)
    with pytest.raises(exc, match=words):
        make(z)


def test_float16_is_not_float32():
    """float16 results are float16 with NumPy's values (computed in float32, rounded)."""
    a = np.linspace(-3, 3, 41).astype(np.float16)
    x = da.from_array(a, chunks=7)
    for f in (np.sqrt, np.exp, np.sin, lambda v: v * v + 0.1, lambda v: v / 3):
        with np.errstate(all="ignore"):
            assert_same(f(x).compute(), f(a), rtol=0)
    i8 = np.arange(-5, 5, dtype=np.int8)
    assert da.sqrt(da.from_array(i8)).dtype == np.sqrt(i8).dtype == np.float16


SPECIAL = [0.0, -0.0, 1.0, -1.0, 2.5, -0.5, np.inf, -np.inf, np.nan]


@pytest.mark.parametrize("f", ["exp", "sinh", "cosh", "tanh", "arcsinh", "arccosh", "arctanh", "arccos", "arcsin",
                               "arctan", "tan", "sqrt", "log", "exp2", "reciprocal", "log1p", "expm1", "sin", "cos"])
def test_complex_special_values_are_c99s(f):
    """Signed zeros, infinities and NaNs in either part give NumPy's (C99 Annex G's) values.
    Where C99 leaves the sign unspecified (an infinite part next to NaN) only the modulus is
    compared. Non-finite expm1 follows the Array API's table (NumPy's own loop gives NaN
    there; the conformance suite checks it); non-finite sin/cos (but on the real axis) are
    not C99's (README)."""
    z = np.array([complex(a, b) for a in SPECIAL for b in SPECIAL])
    if f in ("sin", "cos", "expm1"):
        z = z[np.isfinite(z.real) & np.isfinite(z.imag) | (z.imag == 0) & (f != "expm1")]
    with np.errstate(all="ignore"):
        want = getattr(np, f)(z)
    got = getattr(da, f)(da.from_array(z, chunks=7)).compute()
    assert got.dtype == want.dtype
    for part in ("real", "imag"):
        g, w = getattr(got, part), getattr(want, part)
        np.testing.assert_array_equal(np.isnan(g), np.isnan(w), err_msg=f"{f} {part} NaN at {z[np.isnan(g) != np.isnan(w)]}")
        other_nan = np.isnan(getattr(want, "imag" if part == "real" else "real"))
        g, w = np.where(other_nan & np.isinf(w), np.abs(g), g), np.where(other_nan & np.isinf(w), np.abs(w), w)
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=0, equal_nan=True, err_msg=f"{f} {part}")


@pytest.mark.parametrize("dt", ["complex64", "complex128"])
@pytest.mark.parametrize("op", ["log", "log2", "log10"])
def test_logs_of_subnormal_complex_keep_their_precision(op, dt):
    tiny = np.finfo(dt).smallest_subnormal
    a = np.array([tiny + tiny * 1j, 3 * tiny - 2 * tiny * 1j, tiny * 1j, np.finfo(dt).tiny * (1 + 1j)], dtype=dt)
    got = getattr(da, op)(da.from_array(a, chunks=2)).compute()
    np.testing.assert_allclose(got, getattr(np, op)(a), rtol=1e-5 if dt == "complex64" else 1e-12)


@pytest.mark.parametrize("dt", ["complex64", "complex128"])
@pytest.mark.parametrize("op", ["arctan", "arctanh"])
def test_inverse_tangents_near_their_branch_points(op, dt):
    """arctanh near -1 (arctan near +i) computed its log1p of nearly -1: complex64
    arctan(0.99999j) was inf (NumPy: 6.10j), complex128 lost digits. Both sides now agree."""
    eps = np.finfo(dt).eps
    near = [1 - 1e-5, 1 - 1e-7, 1 - 4 * eps, 1 + 1e-5]
    z = np.array([s * (r if op == "arctanh" else r * 1j) + o for r in near for s in (1, -1)
                  for o in (0, 1e-3j, -1e-3j, 1e-3)], dtype=dt)
    got = getattr(da, op)(da.from_array(z, chunks=5)).compute()
    want = getattr(np, op)(z)
    np.testing.assert_allclose(got, want, rtol=2e-5 if dt == "complex64" else 1e-11)
