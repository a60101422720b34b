"""Counting against NumPy: histogram (number of bins with range, edges, weights, density),
histogram2d/histogramdd, bincount (weights, minlength), digitize, isin, searchsorted;
random shapes, chunkings (uneven, size-1, empty), dtypes, NaN; errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tessera as da
from conftest import assert_same, chunks_for


def _arr(data, dtype, min_dims=1, max_dims=3, min_side=0, max_side=7, lo=-5, hi=5):
    shape = data.draw(hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side))
    el = st.floats(lo, hi, allow_nan=False, width=32) if np.dtype(dtype).kind == "f" else st.integers(max(lo, 0) if dtype[0] == "u" else lo, hi)
    a = data.draw(hnp.arrays(dtype, shape, elements=el))
    return a, da.from_array(a, chunks=data.draw(chunks_for(shape)))


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_histogram_matches_numpy(data):
    dtype = data.draw(st.sampled_from(["float64", "float32", "int32", "uint8"]))
    a, x = _arr(data, dtype)
    if a.dtype.kind == "f" and a.size and data.draw(st.booleans()):
        a.flat[0] = np.nan
        x = da.from_array(a, chunks=x.chunks)
    if data.draw(st.booleans()):
        lo = data.draw(st.integers(-6, 4))
        kw = {"bins": data.draw(st.integers(1, 12)), "range": (lo, lo + data.draw(st.sampled_from([0, 1, 3, 7])))}
    else:
        edges = sorted(data.draw(st.lists(st.integers(-6, 6), min_size=2, max_size=6)))
        kw = {"bins": np.array(edges, dtype=float)}
    weighted = data.draw(st.booleans())
    w = np.arange(a.size, dtype=float).reshape(a.shape) % 3 if weighted else None
    density = data.draw(st.sampled_from([None, True]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        he, ee = np.histogram(a, weights=w, density=density, **kw)
        h, e = da.histogram(x, weights=None if w is None else da.from_array(w, chunks=x.chunks), density=density, **kw)
        assert_same(e, ee)
        assert_same(h.compute(), he, rtol=1e-12, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_histogramdd_and_2d(data):
    n = data.draw(st.integers(0, 30))
    d = data.draw(st.integers(1, 3))
    rng = np.random.default_rng(data.draw(st.integers(0, 1000)))
    s = rng.random((n, d)) * 4 - 1
    x = da.from_array(s, chunks=(data.draw(st.integers(1, max(n, 1))), d))
    bins = data.draw(st.one_of(st.integers(1, 5), st.lists(st.integers(1, 4), min_size=d, max_size=d)))
    rng_ = [(0, 2)] * d
    w = rng.random(n) if data.draw(st.booleans()) else None
    density = data.draw(st.sampled_from([None, True]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        he, ee = np.histogramdd(s, bins=bins, range=rng_, weights=w, density=density)
        h, e = da.histogramdd(x, bins=bins, range=rng_, weights=None if w is None else da.from_array(w, chunks=x.chunks[0]), density=density)
        assert_same(h.compute(), he, rtol=1e-12, atol=1e-12)
    for got, exp in zip(e, ee):
        assert_same(got, exp)
    if d == 2:
        he, xe, ye = np.histogram2d(s[:, 0], s[:, 1], bins=3, range=rng_)
        h, xe2, ye2 = da.histogram2d(x[:, 0], x[:, 1], bins=3, range=rng_)
        assert_same(h.compute(), he)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_bincount_digitize_isin_searchsorted(data):
    a, x = _arr(data, data.draw(st.sampled_from(["int64", "uint8", "int16"])), max_dims=1, lo=0, hi=9)
    minlength = data.draw(st.integers(10, 14))
    assert_same(da.bincount(x, minlength=minlength).compute(), np.bincount(a, minlength=minlength))
    w = (np.arange(a.size) % 4) * 0.5
    assert_same(da.bincount(x, weights=da.from_array(w, chunks=x.chunks), minlength=minlength).compute(),
                np.bincount(a, weights=w, minlength=minlength))
    # without minlength: max(x) + 1 long, known when computed (as Dask's nan chunks)
    got = da.bincount(x)
    assert np.isnan(got.shape[0]) if a.size else got.shape == (0,)
    assert_same(got.compute(), np.bincount(a))
    assert_same(da.bincount(x, weights=da.from_array(w, chunks=x.chunks)).compute(), np.bincount(a, weights=w))
    f, y = _arr(data, "float64", max_dims=2)
    bins = np.array(sorted(set(data.draw(st.lists(st.integers(-5, 5), min_size=1, max_size=5)))), dtype=float)
    if data.draw(st.booleans()):
        bins = bins[::-1].copy()
    right = data.draw(st.booleans())
    assert_same(da.digitize(y, bins, right=right).compute(), np.digitize(f, bins, right=right).astype(np.int64))
    test = data.draw(st.lists(st.integers(0, 9), max_size=5))
    invert = data.draw(st.booleans())
    assert_same(da.isin(x, test, invert=invert).compute(), np.isin(a, test, invert=invert))
    t = np.array(test + [0], dtype=np.int64)
    assert_same(da.isin(x, da.from_array(t, chunks=2), invert=invert).compute(), np.isin(a, t, invert=invert))
    s = np.sort(data.draw(hnp.arrays("float64", data.draw(st.integers(1, 12)), elements=st.integers(-5, 5).map(float))))
    side = data.draw(st.sampled_from(["left", "right"]))
    sa = da.from_array(s, chunks=data.draw(st.integers(1, 12)))
    assert_same(da.searchsorted(sa, y, side=side).compute(), np.searchsorted(s, f, side=side).astype(np.int64))


def test_counting_errors():
    x = da.from_array(np.arange(10), chunks=3)
    for kw in ({"bins": 10}, {}, {"range": (0, 1)}):
        with pytest.raises(ValueError, match="histogram requires either specifying bins as an iterable or specifying "
                                             "both a range and the number of bins"):
            da.histogram(x, **kw)
    with pytest.raises(ValueError, match="histogram: bins must increase monotonically"):
        da.histogram(x, bins=[0, 3, 1])
    with pytest.raises(ValueError, match="max must be larger than min"):
        da.histogram(x, bins=3, range=(5, 1))
    with pytest.raises(ValueError, match="no negative elements"):
        da.bincount(x - 3).compute()
    with pytest.raises(ValueError, match=r"bincount: value \d+ is not below minlength=5"):
        da.bincount(x, minlength=5).compute()
    with pytest.raises(ValueError, match="no negative elements"):
        da.bincount(x - 3, minlength=20).compute()
    with pytest.raises(TypeError, match="bincount: cannot cast"):
        da.bincount(x * 1.0, minlength=20)
    with pytest.raises(ValueError, match="monotonically"):
        da.digitize(x, [1, 3, 2])
    with pytest.raises(ValueError, match="searchsorted: side"):
        da.searchsorted(x, x, side="middle")


def test_histogram_same_counts_any_threads_and_chunking():
    x = da.random.random(200_000, chunks=30_001)
    y = x.rechunk(7_777)
    r = [da.histogram(v, bins=37, range=(0.1, 0.9))[0].compute(num_workers=n) for v in (x, y) for n in (1, 3)]
    assert all(np.array_equal(r[0], q) for q in r[1:])
    assert_same(r[0], np.histogram(x.compute(), bins=37, range=(0.1, 0.9))[0])


@settings(max_examples=40, deadline=None)
@given(hnp.arrays("int16", st.integers(0, 12), elements=st.integers(-5, 5)),
       hnp.arrays("int16", st.integers(0, 6), elements=st.integers(-7, 7)), st.sampled_from(["left", "right"]),
       st.integers(1, 13), st.sampled_from(["numpy", "list", "lazy"]))
def test_searchsorted_with_a_sorter_as_numpy(a, v, side, c, kind):
    """``sorter=`` as NumPy, the sorter a NumPy array, a list or a lazy tessera argsort."""
    srt = np.argsort(a, kind="stable")
    sorter = {"numpy": srt, "list": list(srt), "lazy": da.argsort(da.from_array(a, chunks=c))}[kind]
    got = da.searchsorted(da.from_array(a, chunks=c), da.from_array(v, chunks=c), side=side, sorter=sorter)
    assert_same(got.compute(), np.searchsorted(a, v, side=side, sorter=srt))


def test_take_along_axis_defaults_to_the_last_axis():
    a = np.arange(12).reshape(3, 4)
    idx = np.argsort(-a, axis=-1)
    assert_same(da.take_along_axis(da.from_array(a, chunks=2), idx).compute(), np.take_along_axis(a, idx, -1))
    assert_same(da.take_along_axis(da.from_array(a, chunks=2), da.asarray(idx)).compute(),
                np.take_along_axis(a, idx, -1))
