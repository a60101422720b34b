"""Reductions against NumPy: every dtype, axes (None, int, negative, tuples), keepdims,
dtype=, ddof, split_every, uneven and size-1 chunks, empty axes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tessera as da
from conftest import DTYPES, arrays, assert_same, axes_for, chunks_for, elements

# Every reduction of the core (keywords beyond axis/keepdims: "dtype", "ddof", "one_axis").
KEYWORDS = dict(da._core.REDUCTIONS)
REDUCTIONS = [op for op, kw in KEYWORDS.items() if "one_axis" not in kw]
ARG_REDUCTIONS = [op for op, kw in KEYWORDS.items() if "one_axis" in kw]


def _base(op):
    """NumPy's nan-functions are their base reduction over the values that are not NaN."""
    return op[3:] if op.startswith("nan") and op[3:] in KEYWORDS else op


def _call(x, op, **kwargs):
    """The method where NumPy's ndarray has one (x.sum(...)), else the function."""
    return getattr(x, op)(**kwargs) if hasattr(np.ndarray, op) else getattr(da, op)(x, **kwargs)


def _tolerances(op, a):
    """Summation order differs from NumPy's pairwise sums: compare with a tolerance scaled
    to the magnitudes involved."""
    op = _base(op)
    if a.dtype == np.float16:
        # NumPy's float16 var/std square and sum in float16; tessera in float64, rounded once.
        finite = np.abs(a.astype(np.float64))[np.isfinite(a)]
        scale = float(np.max(finite)) if finite.size else 1.0
        if op in ("sum", "mean", "prod"):
            return 2e-3, scale * max(a.size, 1) * 1e-3 if op != "prod" else 0.0
        if op in ("var", "std"):
            return 3e-2, scale * scale * 1e-2 if op == "var" else scale * 1e-2
        return None, 0.0
    f32 = a.dtype in (np.float32, np.complex64)
    finite = np.abs(a)[np.isfinite(a)].astype(np.float64)
    scale = float(np.max(finite)) if finite.size else 1.0
    if op in ("sum", "mean"):
        n = max(a.size, 1)
        return (1e-4 if f32 else 1e-9), scale * n * (1e-5 if f32 else 1e-12)
    if op in ("var", "std"):
        return (2e-3 if f32 else 1e-7), scale * scale * (1e-3 if f32 else 1e-9) if op == "var" else scale * (1e-3 if f32 else 1e-9)
    if op == "prod":
        return (1e-4 if f32 else 1e-9), 0.0
    return None, 0.0


def numpy_outcome(f):
    try:
        return f(), None
    except Exception as e:  # noqa: BLE001
        return None, e


@pytest.mark.parametrize("op", REDUCTIONS)
@given(data=st.data())
def test_reduction_matches_numpy(op, data):
    dtype = data.draw(st.sampled_from(DTYPES))
    prod = _base(op) == "prod"
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4 if prod else 6))
    a = data.draw(hnp.arrays(dtype, shape, elements=elements(dtype, small=prod))).copy()
    if a.dtype.kind == "f" and a.size and data.draw(st.booleans(), label="with NaN"):
        a.flat[data.draw(st.lists(st.integers(0, a.size - 1), min_size=1, max_size=3))] = np.nan
    chunks = data.draw(chunks_for(shape))
    axis = data.draw(axes_for(a.ndim))
    keepdims = data.draw(st.booleans())
    split_every = data.draw(st.sampled_from([None, 2, 3, 16]))
    kwargs = {"axis": axis, "keepdims": keepdims}
    if "ddof" in KEYWORDS[op]:
        kwargs["ddof"] = data.draw(st.sampled_from([0, 1]))
    x = da.from_array(a, chunks=chunks)
    exp, err = numpy_outcome(lambda: getattr(np, op)(a, **kwargs))
    if err is not None:
        with pytest.raises(type(err)):
            _call(x, op, split_every=split_every, **kwargs).compute()
        return
    if a.dtype == np.float16 and op in ("var", "std"):
        # NumPy's float16 var/std sum the squared deviations in float16 (inf past 65504, 0
        # for tiny squares); tessera's sum in float32, as documented: that is the reference.
        with np.errstate(all="ignore"):
            exp = getattr(np, op)(a.astype(np.float32), **kwargs).astype(np.float16)
    got = _call(x, op, split_every=split_every, **kwargs).compute()
    rtol, atol = _tolerances(op, a)
    assert_same(got, exp, rtol=rtol, atol=atol)
    # the function form and NumPy's dispatch give the same
    assert_same(getattr(da, op)(x, **kwargs).compute(), got)
    assert_same(getattr(np, op)(x, **kwargs).compute(), got)


@pytest.mark.parametrize("op", [op for op, kw in KEYWORDS.items() if "dtype" in kw])
@pytest.mark.parametrize("dtype", ["int8", "uint8", "int32", "float32", "float64"])
def test_reduction_dtype_argument(op, dtype):
    if "ddof" in KEYWORDS[op] and dtype[0] in "iu":
        pytest.skip("NumPy's integer var/std accumulate in the integer dtype; tessera casts the float result")
    a = (np.arange(24).reshape(4, 6) % 5).astype(np.int16)
    x = da.from_array(a, chunks=(3, 4))
    got = _call(x, op, axis=1, dtype=dtype).compute()
    exp = getattr(np, op)(a, axis=1, dtype=dtype)
    assert_same(got, exp, rtol=1e-5)


@pytest.mark.parametrize("op", ARG_REDUCTIONS)
@given(data=st.data())
def test_arg_reductions_match_numpy(op, data):
    dtype = data.draw(st.sampled_from(DTYPES))
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=6))
    # few distinct values, so that ties (first occurrence wins) are common
    a = data.draw(hnp.arrays(dtype, shape, elements=elements(dtype, small=True)))
    axis = data.draw(st.one_of(st.none(), st.integers(-a.ndim, a.ndim - 1)))
    keepdims = data.draw(st.booleans())
    x = da.from_array(a, chunks=data.draw(chunks_for(shape)))
    got = _call(x, op, axis=axis, keepdims=keepdims, split_every=data.draw(st.sampled_from([None, 2, 4])))
    assert_same(got.compute(), getattr(np, op)(a, axis=axis, keepdims=keepdims))
    assert_same(getattr(np, op)(x, axis=axis).compute(), getattr(np, op)(a, axis=axis))


def test_arg_reduction_rejects_tuple_axis():
    with pytest.raises(TypeError, match="argmax"):
        da.ones((2, 3)).argmax(axis=(0, 1))


def test_nan_propagation_like_numpy():
    a = np.array([1.0, np.nan, -3.0, 2.0, np.inf, -np.inf])
    x = da.from_array(a, chunks=2)
    for op in ["min", "max", "argmin", "argmax", "sum", "mean", "var", "std", "any", "all", "prod"]:
        assert_same(getattr(x, op)().compute(), getattr(np, op)(a))


def test_empty_reductions():
    a = np.zeros((0, 3))
    x = da.from_array(a)
    assert_same(x.sum(axis=0).compute(), a.sum(axis=0))
    assert_same(x.mean().compute(), np.float64("nan"))
    assert_same(x.prod(axis=1).compute(), a.prod(axis=1))
    with pytest.raises(ValueError, match="zero-size"):
        x.max()
    with pytest.raises(ValueError, match="zero-size"):
        x.argmin()


def test_reductions_of_generated_arrays():
    x = da.arange(1000, chunks=33)
    assert x.sum().compute() == np.arange(1000).sum()
    assert x.astype("float32").mean().dtype == np.float32
    assert da.ones((7, 9), chunks=(2, 4)).sum(axis=(0, 1), keepdims=True).compute().shape == (1, 1)


def test_bad_ddof():
    with pytest.raises(TypeError, match="var: ddof"):
        da.ones(3).var(ddof="1")
    with pytest.raises(TypeError, match="std: ddof"):
        da.ones(3).std(ddof=None)


@pytest.mark.parametrize("ddof", [-1, -2.5, 0.5, 1.5, 2, 3, 4, 100, float("inf"), float("nan"), np.float32(0.25)])
@pytest.mark.parametrize("axis", [None, 0, 1])
def test_any_real_ddof_like_numpy(ddof, axis):
    """NumPy divides by max(n - ddof, 0) for any real ddof (negative and fractional too)."""
    a = np.arange(12.0).reshape(3, 4) ** 1.5
    x = da.from_array(a, chunks=2)
    for op in ("var", "std"):
        with np.errstate(all="ignore"):
            exp = getattr(np, op)(a, axis=axis, ddof=ddof)
        assert_same(getattr(x, op)(axis=axis, ddof=ddof).compute(), exp, rtol=1e-13)
    with np.errstate(all="ignore"):
        exp = np.var(np.zeros((0, 3)), axis=0, ddof=ddof)
    assert_same(da.zeros((0, 3)).var(axis=0, ddof=ddof).compute(), exp)


def test_out_is_rejected():
    with pytest.raises(NotImplementedError, match="out="):
        da.ones(3).sum(out=np.zeros(()))
