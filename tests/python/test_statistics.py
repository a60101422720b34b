"""count_nonzero, ptp, average, moment, cov, corrcoef against NumPy, and tessera.stats
against scipy.stats (where scipy is installed): random shapes, chunkings (uneven, size-1),
dtypes and axes."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tessera as da
from conftest import assert_same, chunks_for

FLOATS = st.floats(-100, 100, allow_nan=False, width=64)


def _array(data, dtype="float64", min_dims=1, max_dims=3, min_side=1, max_side=6):
    shape = data.draw(hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side))
    elements = FLOATS if np.dtype(dtype).kind == "f" else st.integers(0 if dtype[0] == "u" else -20, 20)
    a = data.draw(hnp.arrays(dtype, shape, elements=elements))
    return a, da.from_array(a, chunks=data.draw(chunks_for(shape)))


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_count_nonzero_and_ptp(data):
    dtype = data.draw(st.sampled_from(["float64", "int8", "uint16", "int64"]))
    a, x = _array(data, dtype, min_dims=0, min_side=0)
    axis = data.draw(st.one_of(st.none(), st.integers(0, max(a.ndim - 1, 0)))) if a.ndim else None
    keepdims = data.draw(st.booleans())
    assert_same(da.count_nonzero(x, axis=axis, keepdims=keepdims).compute(),
                np.asarray(np.count_nonzero(a, axis=axis, keepdims=keepdims), dtype=np.int64))
    if a.size and (axis is None or a.shape[axis]):
        assert_same(da.ptp(x, axis=axis, keepdims=keepdims).compute(), np.ptp(a, axis=axis, keepdims=keepdims))


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_average_matches_numpy(data):
    dtype = data.draw(st.sampled_from(["float64", "float32", "int32"]))
    a, x = _array(data, dtype)
    axis = data.draw(st.one_of(st.none(), st.integers(-a.ndim, a.ndim - 1)))
    kind = data.draw(st.sampled_from(["none", "full", "1d"] if axis is not None else ["none", "full"]))
    w = None
    if kind == "full":
        w = data.draw(hnp.arrays("float64", a.shape, elements=st.floats(0.5, 3)))
    elif kind == "1d":
        w = data.draw(hnp.arrays("float64", (a.shape[axis],), elements=st.floats(0.5, 3)))
    returned = data.draw(st.booleans())
    got = da.average(x, axis=axis, weights=w if w is None else da.from_array(w, chunks=2), returned=returned)
    exp = np.average(a, axis=axis, weights=w, returned=returned)
    rtol = 1e-5 if a.dtype == np.float32 else 1e-10
    if returned:
        assert_same(got[0].compute(), exp[0], rtol=rtol, atol=1e-9)
        assert_same(got[1].compute(), exp[1], rtol=rtol)
    else:
        assert_same(got.compute(), exp, rtol=rtol, atol=1e-9)


def test_average_errors():
    x = da.ones((3, 4), chunks=2)
    with pytest.raises(TypeError, match="average: axis must be specified"):
        da.average(x, weights=np.ones(4))
    with pytest.raises(ValueError, match="average: weights of shape"):
        da.average(x, axis=1, weights=np.ones(3))
    with pytest.raises(ValueError, match="moment: order"):
        da.moment(x, -1)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_moment_matches_definition(data):
    a, x = _array(data, data.draw(st.sampled_from(["float64", "int16"])))
    order = data.draw(st.integers(0, 4))
    axis = data.draw(st.one_of(st.none(), st.integers(0, a.ndim - 1)))
    ddof = data.draw(st.sampled_from([0, 1])) if a.size > 1 else 0
    n = a.size if axis is None else a.shape[axis]
    af = a.astype(np.float64)
    exp = ((af - af.mean(axis=axis, keepdims=True)) ** order).sum(axis=axis) / (n - ddof)
    if order == 0:
        exp = np.ones_like(exp)
    elif order == 1:
        exp = np.zeros_like(exp)
    got = da.moment(x, order, axis=axis, ddof=ddof).compute()
    assert_same(got, exp, rtol=1e-9, atol=1e-9 * 100.0**order)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_cov_corrcoef_match_numpy(data):
    a, x = _array(data, data.draw(st.sampled_from(["float64", "int32"])), min_dims=1, max_dims=2, min_side=2)
    rowvar = data.draw(st.booleans())
    bias = data.draw(st.booleans())
    ddof = data.draw(st.sampled_from([None, 0, 1]))
    assert_same(da.cov(x, rowvar=rowvar, bias=bias, ddof=ddof).compute(), np.cov(a, rowvar=rowvar, bias=bias, ddof=ddof), rtol=1e-9, atol=1e-9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with np.errstate(all="ignore"):
            exp = np.corrcoef(a, rowvar=rowvar)
        got = da.corrcoef(x, rowvar=rowvar).compute()
    assert_same(got, exp, rtol=1e-9, atol=1e-9)


def test_numpy_dispatch_stays_lazy():
    a = np.arange(12.0).reshape(3, 4)
    x = da.from_array(a, chunks=2)
    for f in (np.average, np.count_nonzero, np.ptp, np.cov, np.corrcoef):
        r = f(x)
        assert isinstance(r, da.Array), f
        assert_same(np.asarray(r), np.asarray(f(a), dtype=np.asarray(r).dtype), rtol=1e-12)


# --- tessera.stats against scipy.stats ------------------------------------------------------


def _scipy():
    return pytest.importorskip("scipy.stats")


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_stats_skew_kurtosis_moment(data):
    ss = _scipy()
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=2, min_side=4, max_side=9))
    a = data.draw(hnp.arrays("float64", shape, elements=st.floats(-10, 10, allow_nan=False).filter(lambda v: abs(v) > 1e-3), unique=True))
    x = da.from_array(a, chunks=data.draw(chunks_for(shape)))
    axis = data.draw(st.integers(0, a.ndim - 1))
    bias = data.draw(st.booleans())
    assert_same(da.stats.skew(x, axis=axis, bias=bias).compute(), ss.skew(a, axis=axis, bias=bias), rtol=1e-7, atol=1e-9)
    for fisher in (True, False):
        assert_same(da.stats.kurtosis(x, axis=axis, fisher=fisher, bias=bias).compute(),
                    ss.kurtosis(a, axis=axis, fisher=fisher, bias=bias), rtol=1e-7, atol=1e-9)
    order = data.draw(st.integers(0, 4))
    assert_same(da.stats.moment(x, order, axis=axis).compute(), ss.moment(a, order, axis=axis), rtol=1e-7, atol=1e-7)


@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_stats_tests_match_scipy(data):
    ss = _scipy()
    n = data.draw(st.integers(8, 30))
    cols = data.draw(st.integers(1, 3))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    a, b = rng.random((n, cols)) * 10 + 1, rng.random((n, cols)) * 10 + 1
    ch = data.draw(st.integers(1, n))
    x, y = da.from_array(a, chunks=(ch, 1)), da.from_array(b, chunks=(ch, 2))

    def same(got, exp):
        got = got.compute()
        assert type(got).__name__ == type(exp).__name__ or len(got) == 2
        assert_same(np.asarray(got[0]), np.asarray(exp[0]), rtol=1e-8, atol=1e-10)
        assert_same(np.asarray(got[1]), np.asarray(exp[1]), rtol=1e-7, atol=1e-12)

    same(da.stats.ttest_ind(x, y), ss.ttest_ind(a, b))
    same(da.stats.ttest_ind(x, y, equal_var=False), ss.ttest_ind(a, b, equal_var=False))
    same(da.stats.ttest_1samp(x, 5.0), ss.ttest_1samp(a, 5.0))
    same(da.stats.ttest_rel(x, y), ss.ttest_rel(a, b))
    same(da.stats.chisquare(x), ss.chisquare(a))
    lam = data.draw(st.sampled_from(["pearson", "log-likelihood", "freeman-tukey", "mod-log-likelihood", "neyman", "cressie-read", 1.5]))
    same(da.stats.power_divergence(x, lambda_=lam), ss.power_divergence(a, lambda_=lam))
    same(da.stats.f_oneway(x[:, 0], y[:, 0], x[: n // 2, -1]), ss.f_oneway(a[:, 0], b[:, 0], a[: n // 2, -1]))
    same(da.stats.skewtest(x), ss.skewtest(a))
    if n >= 20:
        same(da.stats.kurtosistest(x), ss.kurtosistest(a))
        same(da.stats.normaltest(x), ss.normaltest(a))
    stat, p = da.stats.ttest_ind(x, y)  # the tuple unpacks into lazy arrays
    assert isinstance(stat, da.Array) and isinstance(p, da.Array)


def test_stats_errors():
    x = da.ones((5,), chunks=2)
    with pytest.raises(NotImplementedError, match="skew: nan_policy"):
        da.stats.skew(x, nan_policy="omit")
    with pytest.raises(ValueError, match="invalid string for lambda_"):
        _scipy()
        da.stats.power_divergence(x, lambda_="nope")
    with pytest.raises(ValueError, match="skewtest is not valid with less than 8 samples"):
        _scipy()
        da.stats.skewtest(x)
