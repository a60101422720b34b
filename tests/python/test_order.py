"""Order statistics against NumPy: topk/argtopk (positive and negative k, any axis, NaN,
ties, dtypes, chunkings with size-1 and uneven blocks), median/nanmedian/percentile/
nanpercentile/quantile/nanquantile (NumPy's methods, axis None/int/tuple, keepdims, q
scalar or array), errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tessera as da
from conftest import assert_same, chunks_for

METHODS = ["linear", "lower", "higher", "midpoint", "nearest", "inverted_cdf", "averaged_inverted_cdf",
           "closest_observation", "interpolated_inverted_cdf", "hazen", "weibull", "median_unbiased",
           "normal_unbiased"]


def _numpy_topk(a, k, axis):
    s = np.sort(a, axis=axis, kind="stable")
    n = a.shape[axis]
    if k > 0:
        return np.flip(np.take(s, range(n - k, n), axis=axis), axis=axis)
    return np.take(s, range(-k), axis=axis)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_topk_argtopk_match_numpy(data):
    dtype = data.draw(st.sampled_from(["float64", "float32", "int16", "uint8", "int64", "bool"]))
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=7))
    elements = st.booleans() if dtype == "bool" else st.integers(0, 6)
    a = data.draw(hnp.arrays(dtype, shape, elements=elements))
    if a.dtype.kind == "f" and data.draw(st.booleans()):
        a.flat[data.draw(st.lists(st.integers(0, a.size - 1), max_size=3))] = np.nan
    axis = data.draw(st.integers(-a.ndim, a.ndim - 1))
    n = a.shape[axis]
    k = data.draw(st.integers(1, n)) * data.draw(st.sampled_from([1, -1]))
    x = da.from_array(a, chunks=data.draw(chunks_for(shape)))
    exp = _numpy_topk(a, k, axis)
    got = da.topk(x, k, axis=axis)
    assert got.shape == exp.shape and got.dtype == a.dtype
    assert_same(got.compute(), exp)
    idx = da.argtopk(x, k, axis=axis).compute()
    assert idx.dtype == np.int64
    assert_same(np.take_along_axis(a, idx, axis=axis), exp)
    # equal values come in index order
    vals = np.take_along_axis(a, idx, axis=axis)
    ties = (np.diff(vals.astype(float), axis=axis) == 0) | (np.isnan(np.take(vals, range(1, abs(k)), axis=axis).astype(float)) & np.isnan(np.take(vals, range(abs(k) - 1), axis=axis).astype(float)))
    assert np.all(np.diff(idx, axis=axis)[ties] > 0)
    # split_every: Dask's merge tree; the same values and indices for any fan-in
    for se in (2, 3, {axis: 2}):
        assert_same(da.topk(x, k, axis=axis, split_every=se).compute(), exp)
        assert_same(da.argtopk(x, k, axis=axis, split_every=se).compute(), idx)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_topk_long_rows_match_numpy(data):
    # rows of hundreds of values per block: the first stage screens runs of 64 against the
    # weakest kept candidate (ties, NaN, -0.0 and the candidate's own NaN decide entry)
    dtype = data.draw(st.sampled_from(["float64", "float32", "int32", "uint8"]))
    n = data.draw(st.integers(1, 1500))
    a = data.draw(hnp.arrays(dtype, n, elements=st.integers(0, 9)))
    if a.dtype.kind == "f":
        a.flat[data.draw(st.lists(st.integers(0, n - 1), max_size=40))] = np.nan
        a.flat[data.draw(st.lists(st.integers(0, n - 1), max_size=10))] = -0.0
    k = data.draw(st.integers(1, min(n, 80))) * data.draw(st.sampled_from([1, -1]))
    x = da.from_array(a, chunks=data.draw(chunks_for((n,))))
    exp = _numpy_topk(a, k, 0)
    assert_same(da.topk(x, k).compute(), exp)
    idx = da.argtopk(x, k).compute()
    assert_same(a[idx], exp)
    if a.dtype.kind != "f":
        # equal values by index: NumPy's stable order of a (smallest) or of -a (largest)
        keys = a.astype(np.int64) if k < 0 else -a.astype(np.int64)
        np.testing.assert_array_equal(idx, np.argsort(keys, kind="stable")[:abs(k)])


def test_topk_method_and_errors():
    a = np.arange(20.0)[::-1]
    x = da.from_array(a, chunks=6)
    assert_same(x.topk(3).compute(), np.array([19.0, 18.0, 17.0]))
    assert_same(x.argtopk(-2).compute(), np.array([19, 18]))
    with pytest.raises(ValueError, match="topk: k=21"):
        da.topk(x, 21)
    with pytest.raises(ValueError, match="argtopk: k=0"):
        da.argtopk(x, 0)
    with pytest.raises(TypeError, match="topk: k must be an integer"):
        da.topk(x, 2.5)
    with pytest.raises(ValueError, match="topk: split_every must be at least 2"):
        da.topk(x, 2, split_every=1)
    with pytest.raises(TypeError, match="argtopk: split_every must be an integer"):
        da.argtopk(x, 2, split_every=2.5)


def test_topk_same_bits_any_threads():
    x = da.random.random(100_000, chunks=7_001)
    r = [da.argtopk(x, -50, split_every=se).compute(num_workers=n) for n in (1, 2, 3) for se in (None, 2, 5)]
    assert all(np.array_equal(r[0], q) for q in r[1:])
    assert_same(da.topk(x, -50).compute(), np.sort(x.compute())[:50])


@pytest.mark.parametrize("op", ["quantile", "nanquantile", "percentile", "nanpercentile"])
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_quantiles_match_numpy(op, data):
    dtype = data.draw(st.sampled_from(["float64", "float32", "int32"]))
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=6))
    a = data.draw(hnp.arrays(dtype, shape, elements=st.integers(-9, 9)))
    if op.startswith("nan") and a.dtype.kind == "f":
        a.flat[data.draw(st.lists(st.integers(0, a.size - 1), max_size=4))] = np.nan
    x = da.from_array(a, chunks=data.draw(chunks_for(shape)))
    scale = 100 if "percentile" in op else 1
    q = data.draw(st.one_of(st.floats(0, 1), st.lists(st.floats(0, 1), min_size=1, max_size=3)))
    q = np.asarray(q) * scale
    axis = data.draw(st.one_of(st.none(), st.integers(-a.ndim, a.ndim - 1),
                               st.lists(st.integers(0, a.ndim - 1), min_size=1, max_size=a.ndim, unique=True).map(tuple)))
    method = data.draw(st.sampled_from(METHODS))
    keepdims = data.draw(st.booleans())
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            exp = getattr(np, op)(a, q, axis=axis, method=method, keepdims=keepdims)
            got = getattr(da, op)(x, q, axis=axis, method=method, keepdims=keepdims)
            assert got.shape == np.shape(exp)
            # NumPy's nanquantile with an all-NaN slice keeps the array's dtype (else it promotes with q)
            all_nan = np.any(np.isnan(np.asarray(exp, dtype=float)))
            assert_same(got.compute(), exp, rtol=1e-6 if a.dtype == np.float32 else 1e-12, atol=1e-12, check_dtype=not all_nan)


@pytest.mark.parametrize("op", ["quantile", "nanquantile", "percentile", "nanpercentile"])
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_weighted_quantiles_match_numpy(op, data):
    """NumPy 2's `weights=` (method "inverted_cdf"): full-shape weights for any axes, 1-d
    weights along one axis; NumPy or tessera weights, chunked apart from the array."""
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=6))
    a = data.draw(hnp.arrays("float64", shape, elements=st.integers(-9, 9)))
    if op.startswith("nan"):
        a.flat[data.draw(st.lists(st.integers(0, a.size - 1), max_size=3))] = np.nan
    x = da.from_array(a, chunks=data.draw(chunks_for(shape)))
    q = np.asarray(data.draw(st.lists(st.floats(0, 1), min_size=1, max_size=3))) * (100 if "percentile" in op else 1)
    one_d = data.draw(st.booleans())
    if one_d:
        axis = data.draw(st.integers(-a.ndim, a.ndim - 1))
        w = data.draw(hnp.arrays("float64", a.shape[axis], elements=st.floats(0.1, 3)))
        full = np.broadcast_to(w.reshape([-1 if k == axis % a.ndim else 1 for k in range(a.ndim)]), a.shape)
    else:
        axis = data.draw(st.one_of(st.none(), st.integers(0, a.ndim - 1)))
        w = full = data.draw(hnp.arrays("float64", a.shape, elements=st.floats(0.1, 3)))
    if data.draw(st.booleans()):
        w = da.from_array(w, chunks=data.draw(chunks_for(w.shape)))
    keepdims = data.draw(st.booleans())
    import warnings

    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        exp = getattr(np, op)(a, q, axis=axis, weights=full, method="inverted_cdf", keepdims=keepdims)
        got = getattr(da, op)(x, q, axis=axis, weights=w, method="inverted_cdf", keepdims=keepdims).compute()
    assert_same(got, exp, check_dtype=not np.isnan(exp).any())


def test_weighted_quantile_errors():
    x = da.ones((3, 4), chunks=2)
    with pytest.raises(ValueError, match="quantile: only method 'inverted_cdf' supports weights"):
        da.quantile(x, 0.5, axis=1, weights=np.ones(4))
    with pytest.raises(ValueError, match=r"weights of shape \(3,\) must have the array's shape \(3, 4\)"):
        da.quantile(x, 0.5, axis=1, weights=np.ones(3), method="inverted_cdf")
    with pytest.raises(ValueError, match="weights must be non-negative"):
        da.percentile(x, 50, axis=1, weights=-np.ones(4), method="inverted_cdf")


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_median_any_axes(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=6))
    a = data.draw(hnp.arrays("float64", shape, elements=st.floats(-5, 5, allow_nan=False)))
    x = da.from_array(a, chunks=data.draw(chunks_for(shape)))
    axis = data.draw(st.one_of(st.none(), st.integers(0, a.ndim - 1)))
    keepdims = data.draw(st.booleans())
    assert_same(da.median(x, axis=axis, keepdims=keepdims).compute(), np.median(a, axis=axis, keepdims=keepdims), rtol=1e-12)
    assert_same(np.median(x, axis=axis).compute(), np.median(a, axis=axis), rtol=1e-12)
    b = a.copy()
    b.flat[0] = np.nan
    assert_same(da.nanmedian(da.from_array(b, chunks=2), axis=axis).compute(), np.nanmedian(b, axis=axis), rtol=1e-12)


def test_quantile_errors():
    x = da.ones((4, 5), chunks=2)
    with pytest.raises(ValueError, match=r"percentile: Percentiles must be in the range \[0, 100\]"):
        da.percentile(x, 101)
    with pytest.raises(ValueError, match=r"quantile: Quantiles must be in the range \[0, 1\]"):
        da.quantile(x, [-0.5])
    with pytest.raises(ValueError, match="quantile: method 'cubic'"):
        da.quantile(x, 0.5, method="cubic")
    with pytest.raises(ValueError, match="median: duplicate value in 'axis'"):
        da.median(x, axis=(0, 0))
    with pytest.raises(ValueError, match="median: cannot take a quantile of an empty"):
        da.median(da.ones((0, 3)), axis=0)
