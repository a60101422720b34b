"""tessera.ma against numpy.ma (and dask.array.ma's names): masks, fills, masked reductions
over random shapes, chunkings, dtypes and axes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tessera as da


@st.composite
def masked_case(draw):
    ndim = draw(st.integers(1, 3))
    shape = tuple(draw(st.integers(0, 6)) for _ in range(ndim))
    chunks = tuple(draw(st.integers(1, max(n, 1))) for n in shape)
    dtype = draw(st.sampled_from(["float64", "float32", "int64", "int32"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    data = (rng.integers(-20, 20, size=shape)).astype(dtype)
    density = draw(st.sampled_from([0.0, 0.3, 0.8, 1.0]))
    mask = rng.random(shape) < density
    axis = draw(st.sampled_from([None] + list(range(-ndim, ndim))))
    return data, mask, chunks, axis


def _eq(ours, ref):
    if ref is np.ma.masked:
        assert ours is np.ma.masked
        return
    ours_m, ref_m = np.ma.getmaskarray(ours), np.ma.getmaskarray(ref)
    np.testing.assert_array_equal(ours_m, ref_m)
    np.testing.assert_allclose(np.ma.getdata(ours)[~ours_m], np.ma.getdata(ref)[~ref_m], rtol=1e-5, atol=1e-6)


@given(masked_case(), st.sampled_from(["sum", "prod", "mean", "min", "max", "var", "std", "any", "all", "count"]),
       st.booleans())
@settings(max_examples=150, deadline=None)
def test_reductions_match_numpy_ma(case, name, keepdims):
    data, mask, chunks, axis = case
    if name == "prod":
        data = np.clip(data, -2, 2)
    ref_in = np.ma.masked_array(data, mask)
    x = da.ma.masked_array(da.from_array(data, chunks=chunks), mask=da.from_array(mask, chunks=chunks))
    kw = {"keepdims": keepdims}
    with np.errstate(all="ignore"):
        try:
            ref = getattr(ref_in, name)(axis=axis, **kw)
        except ValueError:  # min/max of nothing, as NumPy
            with pytest.raises(ValueError):
                getattr(x, name)(axis=axis, **kw).compute()
            return
    ours = getattr(x, name)(axis=axis, **kw).compute()
    if name == "count":
        np.testing.assert_array_equal(ours, ref)
    else:
        _eq(ours, ref)


@given(masked_case())
@settings(max_examples=60, deadline=None)
def test_compute_filled_and_masking_functions(case):
    data, mask, chunks, _ = case
    x = da.from_array(data, chunks=chunks)
    m = da.ma.masked_array(x, mask=mask)
    r = m.compute()
    assert isinstance(r, np.ma.MaskedArray)
    _eq(r, np.ma.masked_array(data, mask))
    np.testing.assert_array_equal(da.ma.filled(m, 7).compute(), np.ma.filled(np.ma.masked_array(data, mask), 7))
    np.testing.assert_array_equal(da.ma.getmaskarray(m).compute(), mask)
    np.testing.assert_array_equal(da.ma.getdata(m).compute(), data)
    for f, args in [("masked_greater", (3,)), ("masked_greater_equal", (3,)), ("masked_less", (-2,)),
                    ("masked_less_equal", (0,)), ("masked_not_equal", (1,)), ("masked_equal", (1,)),
                    ("masked_inside", (-3, 4)), ("masked_outside", (4, -3)), ("masked_values", (2,))]:
        ours = getattr(da.ma, f)(x, *args).compute()
        ref = getattr(np.ma, f)(data, *args)
        _eq(ours, ref)
        assert np.asarray(ours.fill_value, data.dtype) == np.asarray(ref.fill_value, data.dtype), f
    _eq(da.ma.masked_where(x > 0, x).compute(), np.ma.masked_where(data > 0, data))
    # a masked array's own mask is kept
    _eq(da.ma.masked_less(m, 0).compute(), np.ma.masked_less(np.ma.masked_array(data, mask), 0))


def test_invalid_values():
    a = np.array([[1.0, np.nan, 3.0], [np.inf, 5.0, -np.inf]])
    x = da.from_array(a, chunks=(1, 2))
    _eq(da.ma.masked_invalid(x).compute(), np.ma.masked_invalid(a))
    f = da.ma.fix_invalid(x, fill_value=-9).compute()
    ref = np.ma.fix_invalid(a, fill_value=-9)
    _eq(f, ref)
    np.testing.assert_array_equal(f.data, ref.data)
    assert da.ma.masked_invalid(da.arange(3)).compute().mask.sum() == 0


def test_arithmetic_and_ufuncs():
    a = np.arange(12.0).reshape(3, 4) - 5
    mask = a > 4
    ref = np.ma.masked_array(a, mask)
    m = da.ma.masked_array(da.from_array(a, chunks=2), mask)
    other = np.ma.masked_array(np.ones((3, 4)) * 2, np.eye(3, 4, dtype=bool))
    for op in [lambda p, q: p + q, lambda p, q: p * q, lambda p, q: p - q, lambda p, q: p < q, lambda p, q: q / p,
               lambda p, q: p // q, lambda p, q: 3 - p]:
        with np.errstate(all="ignore"):
            _eq(op(m, da.ma.masked_array(other)).compute(), op(ref, other))
    with np.errstate(all="ignore"):
        _eq((m / 0).compute(), ref / 0)
        _eq(np.exp(m).compute(), np.exp(ref))
        _eq((-m).compute(), -ref)
        _eq(np.add(m, np.ones(4)).compute(), np.add(ref, np.ones(4)))
    _eq(m[1:, ::2].compute(), ref[1:, ::2])
    _eq(m.T.compute(), ref.T)
    _eq(m.reshape(4, 3).compute(), ref.reshape(4, 3))
    _eq(m.rechunk(3).compute(), ref)


def test_average_and_where():
    a = np.arange(20.0).reshape(4, 5)
    mask = (a % 3) == 0
    ref = np.ma.masked_array(a, mask)
    m = da.ma.masked_array(da.from_array(a, chunks=(3, 2)), mask)
    w = np.arange(1.0, 6.0)
    _eq(da.ma.average(m).compute(), np.ma.average(ref))
    _eq(da.ma.average(m, axis=1, weights=w).compute(), np.ma.average(ref, axis=1, weights=w))
    avg, ws = da.ma.average(m, axis=0, returned=True)
    ravg, rws = np.ma.average(ref, axis=0, returned=True)
    _eq(avg.compute(), ravg)
    np.testing.assert_allclose(ws.compute(), rws)
    full = np.ma.masked_array(a, np.ones_like(mask))
    assert da.ma.average(da.ma.masked_array(da.from_array(a), np.ones_like(mask))).compute() is np.ma.masked
    assert np.ma.average(full) is np.ma.masked
    _eq(da.ma.where(a > 8, m, -m).compute(), np.ma.where(a > 8, ref, -ref))
    np.testing.assert_array_equal(da.ma.count(m, axis=0).compute(), np.ma.count(ref, axis=0))
    _eq(da.ma.zeros_like(m).compute(), np.ma.zeros_like(ref))
    with pytest.raises(TypeError, match="Axis must be specified"):
        da.ma.average(m, weights=w)
    with pytest.raises(ValueError, match="Length of weights"):
        da.ma.average(m, axis=0, weights=w)


def test_fill_values_and_errors():
    m = da.ma.masked_array(da.arange(5), mask=[0, 1, 0, 1, 0])
    assert m.fill_value == np.ma.masked_array(np.arange(5)).fill_value
    da.ma.set_fill_value(m, 99)
    assert m.fill_value == 99 and m.compute().fill_value == 99
    np.testing.assert_array_equal(m.filled().compute(), [0, 99, 2, 99, 4])
    with pytest.raises(ValueError, match="array"):
        da.ma.set_fill_value(m, np.ones(2))
    with pytest.raises(TypeError):
        da.ma.set_fill_value(m, "text")
    with pytest.raises(ValueError, match="array `value`s"):
        da.ma.masked_equal(da.arange(3), np.arange(3))
    with pytest.raises(np.ma.MaskError, match="not compatible"):
        da.ma.masked_array(da.arange(3), mask=[True, False])
    with pytest.raises(IndexError, match="Inconsistent shape"):
        da.ma.masked_where(da.ones(2, dtype=bool), da.arange(3))
    with pytest.raises(NotImplementedError, match="out="):
        m.sum(out=np.zeros(()))
    # a NumPy masked array in, its mask and fill value kept
    src = np.ma.masked_array([1.0, 2.0, 3.0], [False, True, False], fill_value=-5.0)
    mm = da.ma.masked_array(src)
    _eq(mm.compute(), src)
    assert mm.fill_value == -5.0
    assert mm.sum().compute() == 4.0
    assert da.ma.masked_array(da.ones(3), mask=True).sum().compute() is np.ma.masked


def test_names_of_dask_ma():
    dma = pytest.importorskip("dask.array.ma")
    import inspect

    names = [n for n, v in vars(dma).items() if inspect.isfunction(v) and not n.startswith("_")
             and v.__module__ == "dask.array.ma" and n != "normalize_masked_array"]
    names += ["masked_greater", "masked_greater_equal", "masked_less", "masked_less_equal", "masked_not_equal"]
    missing = [n for n in names if not hasattr(da.ma, n)]
    assert missing == [], missing
