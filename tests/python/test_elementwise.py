"""Elementwise functions and operators against NumPy: values and dtypes, for every dtype,
broadcasting, chunkings, Python scalars (weak, NEP 50) and NumPy scalars (strong)."""

from __future__ import annotations

import operator

import numpy as np
import pytest
from hypothesis import given, assume
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tessera as da
from conftest import DTYPES, FLOAT_DTYPES, arrays, assert_same, chunks_for, elements

UNARY = list(da._core.UNARY_OPS)
BINARY = list(da._core.BINARY_OPS)


def numpy_unary(op, a):
    """NumPy's result (``real``/``imag``/``angle`` are NumPy functions, not ufuncs)."""
    r = getattr(np, op)(a)
    if op == "expm1" and a.dtype.kind == "c":
        # NumPy's complex expm1 gives inf*sin(0) = nan imaginary parts where the real part
        # overflows; tessera keeps +0, as C99's cexp and NumPy's own exp do (documented).
        r = np.where(np.isinf(r.real) & (a.imag == 0), r.real + 0j, r).astype(r.dtype)
    if op == "reciprocal" and a.dtype.kind in "iu":
        r = np.where(a == 0, 0, r).astype(r.dtype)  # NumPy: C's undefined (int)inf; tessera: 0 (documented)
    return r


def outcome(f):
    try:
        return f(), None
    except Exception as e:  # noqa: BLE001 - compared by type below
        return None, e


def check_same_outcome(got_f, exp_f, rtol=None, atol=0.0):
    exp, exp_err = outcome(exp_f)
    got, got_err = outcome(got_f)
    if exp_err is not None:
        assert got_err is not None, f"NumPy raised {exp_err!r}, tessera returned {got!r}"
        assert isinstance(got_err, type(exp_err)) or isinstance(exp_err, TypeError) and isinstance(got_err, TypeError), (
            f"NumPy raised {exp_err!r}, tessera raised {got_err!r}"
        )
        return
    assert got_err is None, f"tessera raised {got_err!r}, NumPy returned {exp!r}"
    assert_same(got, exp, rtol=rtol, atol=atol)


@pytest.mark.parametrize("op", UNARY + ["abs", "bitwise_not", "fix", "positive"])
@given(data=st.data())
def test_unary_matches_numpy(op, data):
    dtype = data.draw(st.sampled_from(DTYPES))
    a, chunks = data.draw(arrays(dtype))
    x = da.from_array(a, chunks=chunks)
    np_op = {"fix": "trunc"}.get(op, op)
    atol = 1e-5 if dtype in ("float32", "bool", "int8", "uint8", "int16", "uint16") else 1e-12
    check_same_outcome(lambda: getattr(da, op)(x).compute(), lambda: numpy_unary(np_op, a), atol=atol)


def _binary_inputs(data, op):
    d1 = data.draw(st.sampled_from(DTYPES), label="dtype1")
    d2 = data.draw(st.sampled_from(DTYPES), label="dtype2")
    s1, s2 = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=5)).input_shapes
    a = data.draw(hnp.arrays(d1, s1, elements=elements(d1)))
    b = data.draw(hnp.arrays(d2, s2, elements=elements(d2, small=op == "power")))
    if op == "power" and np.dtype(d2).kind in "iu":
        b = np.abs(b).astype(d2)  # NumPy raises for negative integer powers; tessera does not (documented)
    return a, b, data.draw(chunks_for(s1)), data.draw(chunks_for(s2))


def numpy_binary(op, a, b):
    return getattr(np, op)(a, b)


def _mixed_int_float_fn(op, a, b):
    """arctan2/hypot of integer pairs whose common type is wider than each: NumPy picks the
    smallest float both fit (int8, uint16 -> float32), the core float_for(common) (float64)."""
    if op not in ("arctan2", "hypot"):
        return False
    ka, kb = a.dtype.kind, b.dtype.kind
    return ka in "iub" and kb in "iub" and np.result_type(a.dtype, b.dtype) != np.result_type(
        np.result_type(a.dtype, np.float16), np.result_type(b.dtype, np.float16))


@pytest.mark.parametrize("op", BINARY + ["divide", "mod"])
@given(data=st.data())
def test_binary_matches_numpy(op, data):
    a, b, c1, c2 = _binary_inputs(data, op)
    assume(not _mixed_int_float_fn(op, a, b))
    if op in ("less", "less_equal", "greater", "greater_equal", "equal", "not_equal") and {a.dtype.name, b.dtype.name} == {"int64", "uint64"}:
        # NumPy compares int64 with uint64 exactly; tessera in float64 (documented difference)
        a, b = a // 4096, b // 4096
    x, y = da.from_array(a, chunks=c1), da.from_array(b, chunks=c2)
    check_same_outcome(lambda: getattr(da, op)(x, y).compute(), lambda: numpy_binary(op, a, b), atol=1e-5)


def test_arctan2_mixed_integer_dtypes():
    a = np.array([1, 2], dtype=np.int8)
    b = np.array([3, 4], dtype=np.uint16)
    assert da.arctan2(da.from_array(a), da.from_array(b)).dtype == np.arctan2(a, b).dtype


OPERATORS = [operator.add, operator.sub, operator.mul, operator.truediv, operator.floordiv, operator.mod,
             operator.pow, operator.and_, operator.or_, operator.xor, operator.lt, operator.le, operator.gt,
             operator.ge, operator.eq, operator.ne]


def _python_scalar(draw, dtype, kind):
    d = np.dtype(dtype)
    if kind == "bool":
        return draw(st.booleans())
    if kind == "float":
        return draw(st.floats(-100, 100, allow_nan=False))
    if d.kind in "iu":
        info = np.iinfo(d)
        return draw(st.integers(max(int(info.min), -100), min(int(info.max), 100)))
    return draw(st.integers(-100, 100))


@pytest.mark.parametrize("fn", OPERATORS, ids=lambda f: f.__name__)
@given(data=st.data())
def test_python_scalars_are_weak(fn, data):
    dtype = data.draw(st.sampled_from(DTYPES))
    a, chunks = data.draw(arrays(dtype, small=fn is operator.pow))
    kind = data.draw(st.sampled_from(["bool", "int", "float"]))
    s = _python_scalar(data.draw, dtype, kind)
    x = da.from_array(a, chunks=chunks)
    reflected = data.draw(st.booleans())
    if fn is operator.pow:
        # NumPy special-cases `bool_array ** 2` as square (int8); tessera promotes bool with a
        # Python int to int64 as for the other operators (documented difference)
        assume(dtype != "bool")
        if reflected and a.dtype.kind in "iu":
            a = np.abs(a).astype(a.dtype)
            x = da.from_array(a, chunks=chunks)
        if not reflected and isinstance(s, int) and not isinstance(s, bool):
            s = abs(s) % 6
    if reflected:
        check_same_outcome(lambda: np.asarray(fn(s, x).compute()), lambda: fn(s, a), atol=1e-5)
    else:
        check_same_outcome(lambda: np.asarray(fn(x, s).compute()), lambda: fn(a, s), atol=1e-5)


NUMPY_SCALARS = [np.float32(1.5), np.float64(-2.25), np.int8(-3), np.uint8(7), np.int64(5), np.uint16(3), np.bool_(True)]


@pytest.mark.parametrize("s", NUMPY_SCALARS, ids=lambda s: type(s).__name__)
@pytest.mark.parametrize("fn", [operator.add, operator.mul, operator.sub, operator.truediv, operator.lt, operator.eq],
                         ids=lambda f: f.__name__)
@pytest.mark.parametrize("dtype", DTYPES)
def test_numpy_scalars_are_strong(dtype, fn, s):
    a = (np.arange(-3, 5) % 3).astype(dtype)
    x = da.from_array(a, chunks=3)
    check_same_outcome(lambda: fn(x, s).compute(), lambda: fn(a, s))
    # a NumPy scalar on the left goes through __array_ufunc__ and stays lazy
    r, err = outcome(lambda: fn(s, x))
    if err is None:
        assert isinstance(r, da.Array)
    check_same_outcome(lambda: np.asarray(fn(s, x).compute()), lambda: fn(s, a))


def test_python_int_out_of_range_comparisons_follow_numpy():
    a = np.array([0, 1, 255], dtype=np.uint8)
    x = da.from_array(a)
    for expr in ["x < 300", "x == 300", "x != -1", "x > -5", "300 > x", "-1 < x", "x >= 1000", "x <= -1"]:
        got = eval(expr, {"x": x}).compute()
        exp = eval(expr, {"x": a})
        assert_same(got, exp)


def test_true_divide_by_negative_python_int_on_unsigned():
    a = np.array([1, 2, 250], dtype=np.uint8)
    assert_same((da.from_array(a) / -2).compute(), a / -2)


@pytest.mark.parametrize("dtype", DTYPES)
def test_unary_operators(dtype):
    a = (np.arange(-4, 5) % 7).astype(dtype)
    x = da.from_array(a, chunks=4)
    for fn in (operator.neg, operator.invert, abs, operator.pos):
        check_same_outcome(lambda: fn(x).compute(), lambda: fn(a))


def test_inplace_operators_rebind():
    a = np.arange(6.0)
    x = da.from_array(a, chunks=4)
    y = x
    x += 1
    x *= 2
    x -= 1
    x /= 4
    x **= 2
    x //= 1
    x %= 5
    assert y is not x
    assert_same(y.compute(), a)
    assert_same(x.compute(), ((((a + 1) * 2 - 1) / 4) ** 2 // 1) % 5)
    b = np.arange(6)
    z = da.from_array(b)
    z &= 3
    z |= 8
    z ^= 1
    assert_same(z.compute(), ((b & 3) | 8) ^ 1)


def test_divmod():
    a = np.arange(-5, 6)
    x = da.from_array(a, chunks=4)
    q, r = divmod(x, 3)
    assert_same(q.compute(), a // 3)
    assert_same(r.compute(), a % 3)
    q, r = divmod(7, x[6:])
    assert_same(q.compute(), 7 // a[6:])


@given(data=st.data())
def test_where_matches_numpy(data):
    s1, s2, s3 = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=4)).input_shapes
    d1 = data.draw(st.sampled_from(DTYPES))
    d2 = data.draw(st.sampled_from(DTYPES))
    c = data.draw(hnp.arrays(bool, s1))
    a = data.draw(hnp.arrays(d1, s2, elements=elements(d1, small=True)))
    b = data.draw(hnp.arrays(d2, s3, elements=elements(d2, small=True)))
    r = da.where(da.from_array(c, chunks=2), da.from_array(a, chunks=3), da.from_array(b, chunks=1))
    assert_same(r.compute(), np.where(c, a, b))
    # a Python scalar on either side is weak
    s = data.draw(st.sampled_from([0, 1, 2.5, True]))
    assert_same(da.where(da.from_array(c), da.from_array(a), s).compute(), np.where(c, a, s))
    assert_same(da.where(da.from_array(c), s, da.from_array(a)).compute(), np.where(c, s, a))


def test_where_one_argument_is_nonzero():
    (i,) = da.where(da.arange(5) > 2)
    assert_same(i.compute(), np.array([3, 4]))


@pytest.mark.parametrize("dtype", DTYPES)
def test_clip_and_round(dtype):
    a = (np.arange(-6, 7) * 1.75).astype(dtype) if np.dtype(dtype).kind == "f" else (np.arange(-6, 7) % 5).astype(dtype)
    x = da.from_array(a, chunks=5)
    if dtype != "bool":
        assert_same(x.clip(1, 3).compute(), a.clip(1, 3))
        assert_same(da.clip(x, None, 2).compute(), np.clip(a, None, 2))
        assert_same(np.clip(x, 0, 2).compute(), np.clip(a, 0, 2))
        assert_same(da.clip(x, min=1).compute(), np.clip(a, min=1))
    assert_same(x.round().compute(), np.round(a))
    if dtype == "bool":
        return
    assert_same(da.round(x, 1).compute(), np.round(a, 1), rtol=1e-6)
    assert_same(da.around(x, -1).compute(), np.round(a, -1), rtol=1e-6)


def test_square_of_bool_is_int8_like_numpy():
    a = np.array([True, False])
    assert_same(da.square(da.from_array(a)).compute(), np.square(a))
