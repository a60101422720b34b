"""nan-reductions against NumPy: NaN placements (none, some, all-NaN slices), float and
integer dtypes, axes (None, int, negative, tuples), keepdims, dtype=, ddof and correction=,
split_every, uneven/size-1/empty chunks; nanargmin/nanargmax's ValueError on all-NaN slices."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tessera as da
from conftest import assert_same, axes_for, chunks_for

NAN_OPS = ["nansum", "nanprod", "nanmin", "nanmax", "nanmean", "nanvar", "nanstd"]


def _nan_array(data, dtype, min_side=0, max_side=6):
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=min_side, max_side=max_side))
    lo = 0 if dtype[0] == "u" else -4
    a = data.draw(hnp.arrays(dtype, shape, elements=st.integers(lo, 4)))
    if a.dtype.kind == "f" and a.size:
        placement = data.draw(st.sampled_from(["none", "some", "most", "slice"]))
        if placement == "some":
            a.flat[data.draw(st.lists(st.integers(0, a.size - 1), min_size=1, max_size=3))] = np.nan
        elif placement == "most":
            a[np.random.default_rng(a.size).random(a.shape) < 0.8] = np.nan
        elif placement == "slice" and a.ndim:
            a[(slice(None),) * (a.ndim - 1) + (0,)] = np.nan
    return a


def _numpy(f):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            return f(), None
        except Exception as e:  # noqa: BLE001
            return None, e


@pytest.mark.parametrize("op", NAN_OPS)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_nan_reductions_match_numpy(op, data):
    dtype = data.draw(st.sampled_from(["float64", "float32", "int32", "uint8"]))
    a = _nan_array(data, dtype)
    x = da.from_array(a, chunks=data.draw(chunks_for(a.shape)))
    kwargs = {"axis": data.draw(axes_for(a.ndim)), "keepdims": data.draw(st.booleans())}
    if op in ("nanvar", "nanstd"):
        kwargs["ddof"] = data.draw(st.sampled_from([0, 1, 2, -1, 0.5]))
    exp, err = _numpy(lambda: getattr(np, op)(a, **kwargs))
    se = data.draw(st.sampled_from([None, 2, 3]))
    if err is not None:
        with pytest.raises(type(err)):
            getattr(da, op)(x, split_every=se, **kwargs).compute()
        return
    got = getattr(da, op)(x, split_every=se, **kwargs).compute()
    f32 = a.dtype == np.float32
    scale = float(np.nanmax(np.abs(a))) if a.size and not np.isnan(a).all() else 1.0
    rtol = 1e-4 if f32 else 1e-9
    atol = {"nanvar": scale * scale, "nanstd": scale}.get(op, scale * max(a.size, 1)) * (1e-4 if f32 else 1e-9)
    if op == "nanprod":
        atol = 0.0
    assert_same(got, exp, rtol=rtol, atol=atol)
    assert_same(np.asarray(getattr(np, op)(x, **kwargs)), got)


@pytest.mark.parametrize("op", ["nanargmin", "nanargmax"])
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_nan_arg_reductions_match_numpy(op, data):
    dtype = data.draw(st.sampled_from(["float64", "float32", "int16"]))
    a = _nan_array(data, dtype, min_side=1)
    axis = data.draw(st.one_of(st.none(), st.integers(-max(a.ndim, 1), max(a.ndim, 1) - 1))) if a.ndim else None
    x = da.from_array(a, chunks=data.draw(chunks_for(a.shape)))
    exp, err = _numpy(lambda: getattr(np, op)(a, axis=axis))
    lazy = getattr(da, op)(x, axis=axis, split_every=data.draw(st.sampled_from([None, 2])))
    if err is not None:
        with pytest.raises(type(err), match=op if isinstance(err, ValueError) else None):
            lazy.compute()
        return
    assert_same(lazy.compute(), exp)


def test_all_nan_values_and_errors():
    a = np.full((3, 4), np.nan)
    a[1, 2] = 5.0
    x = da.from_array(a, chunks=2)
    assert_same(da.nanmin(x, axis=0).compute(), np.array([np.nan, np.nan, 5.0, np.nan]))
    assert_same(da.nanmax(x, axis=1).compute(), np.array([np.nan, 5.0, np.nan]))
    assert_same(da.nansum(x, axis=0).compute(), np.array([0.0, 0.0, 5.0, 0.0]))
    assert_same(da.nanprod(x, axis=0).compute(), np.array([1.0, 1.0, 5.0, 1.0]))
    assert np.isnan(da.nanmean(x, axis=0).compute()[0])
    assert_same(da.nanvar(x, axis=0).compute(), np.array([np.nan, np.nan, 0.0, np.nan]))
    assert_same(da.nanargmax(x).compute(), np.int64(6))
    with pytest.raises(ValueError, match="nanargmin: All-NaN slice encountered"):
        da.nanargmin(x, axis=0).compute()
    with pytest.raises(ValueError, match="nanargmin"):
        da.nanargmin(da.zeros((0, 3)), axis=0)


def test_nan_reduction_dtype_and_float32():
    a = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.int16)
    x = da.from_array(a, chunks=1)
    assert_same(da.nanmean(x, axis=0, dtype="float32").compute(), np.nanmean(a, axis=0, dtype="float32"))
    assert_same(da.nanprod(x, axis=1, dtype="int8").compute(), np.nanprod(a, axis=1, dtype="int8"))
    f = np.array([1.5, np.nan, 2.5], dtype=np.float32)
    assert da.nanmean(da.from_array(f, chunks=1)).dtype == np.float32
    assert_same(da.nanstd(da.from_array(f, chunks=2)).compute(), np.nanstd(f), rtol=1e-6)


@pytest.mark.parametrize("op", ["var", "std", "nanvar", "nanstd"])
def test_correction_is_ddof(op):
    a = np.arange(24.0).reshape(4, 6) ** 1.5
    a[0, 0] = np.nan if op.startswith("nan") else a[0, 0]
    x = da.from_array(a, chunks=(3, 4))
    for c in [0, 1, 1.5]:
        assert_same(getattr(da, op)(x, axis=0, correction=c).compute(), getattr(np, op)(a, axis=0, correction=c), rtol=1e-12)
    if hasattr(np.ndarray, op):
        assert_same(getattr(x, op)(correction=1).compute(), getattr(a, op)(ddof=1), rtol=1e-12)
    with pytest.raises(ValueError, match=f"{op}: ddof and correction"):
        getattr(da, op)(x, ddof=1, correction=1)


def test_nan_reductions_same_bits_for_any_thread_count():
    rng = np.random.default_rng(7)
    a = rng.standard_normal((300, 200))
    a[rng.random(a.shape) < 0.2] = np.nan
    x = da.from_array(a, chunks=(37, 51))
    for op in ["nanmean", "nanvar", "nanstd", "nansum", "nanmin", "nanargmax"]:
        r = [getattr(da, op)(x, axis=0).compute(num_workers=n) for n in (1, 2, 4)]
        assert all(np.array_equal(r[0], q, equal_nan=True) for q in r[1:]), op


@pytest.mark.parametrize("op", NAN_OPS)
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_nan_reductions_of_float16_and_complex_match_numpy(op, data):
    """float16 nanmean/nanvar/nanstd stay in float16 as NumPy's do (so overflow to inf where
    NumPy's do); complex ones keep both parts (variances are real)."""
    dtype = data.draw(st.sampled_from(["float16", "complex64", "complex128"]))
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=6))
    # products stay small: NumPy multiplies float16 in float16 (overflowing), tessera in float64
    lim = 4 if op == "nanprod" else 1000
    part = st.floats(-lim, lim, width=16) if dtype == "float16" else st.integers(-4, 4).map(float)
    elems = part if dtype == "float16" else st.builds(complex, part, part)
    a = data.draw(hnp.arrays(dtype, shape, elements=elems))
    if a.size:
        a.flat[data.draw(st.lists(st.integers(0, a.size - 1), max_size=3))] = np.nan
    x = da.from_array(a, chunks=data.draw(chunks_for(a.shape)))
    kwargs = {"axis": data.draw(axes_for(a.ndim)), "keepdims": data.draw(st.booleans())}
    if op in ("nanvar", "nanstd"):
        kwargs["ddof"] = data.draw(st.sampled_from([0, 1, 2.5]))
    exp, err = _numpy(lambda: getattr(np, op)(a, **kwargs))
    if err is not None:
        with pytest.raises(type(err)):
            getattr(da, op)(x, **kwargs).compute()
        return
    got = getattr(da, op)(x, split_every=data.draw(st.sampled_from([None, 2])), **kwargs).compute()
    # float16 sums round once here, NumPy's pairwise in float32 then once: equal but for ties
    rtol = 2e-3 if dtype == "float16" else 1e-5
    assert_same(got, exp, rtol=rtol, atol=1e-2 if dtype == "float16" else 1e-9)
