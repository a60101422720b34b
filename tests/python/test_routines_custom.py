"""apply_along_axis, apply_over_axes, coarsen and frompyfunc against NumPy (the function
applied to the whole array) and Dask, over random shapes, chunkings, dtypes and axes; and
their errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tessera as da
from conftest import DTYPES, assert_same, chunks_for, elements, outcome

PROP = settings(max_examples=40, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
NUMERIC = [d for d in DTYPES if d != "bool"]


def _draw(data, min_dims=1, min_side=0, dtypes=DTYPES):
    dtype = data.draw(st.sampled_from(dtypes))
    shape = data.draw(hnp.array_shapes(min_dims=min_dims, max_dims=3, min_side=min_side, max_side=6))
    a = data.draw(hnp.arrays(dtype, shape, elements=elements(dtype, small=True)))
    return a, da.from_array(a, chunks=data.draw(chunks_for(shape)))


FUNC1D = {
    "sum": np.sum,
    "cumsum": np.cumsum,
    "sort": np.sort,
    "minmax": lambda v: np.stack([v.min(), v.max()]),
    "matrix": lambda v, scale=1: np.ones((2, 3)) * v.sum() * scale,
    "first": lambda v, k: v[:1] * k,
}


@PROP
@given(data=st.data(), fname=st.sampled_from(sorted(FUNC1D)))
def test_apply_along_axis_matches_numpy(data, fname):
    a, x = _draw(data, dtypes=NUMERIC)
    axis = data.draw(st.integers(-a.ndim, a.ndim - 1))
    f = FUNC1D[fname]
    args, kwargs = ((3,), {}) if fname == "first" else ((), {"scale": 2} if fname == "matrix" else {})
    exp, err = outcome(lambda: np.apply_along_axis(f, axis, a, *args, **kwargs))
    if err is not None:  # NumPy refuses empty iteration dimensions; tessera when it computes
        with pytest.raises(type(err)):
            da.apply_along_axis(f, axis, x, *args, **kwargs).compute()
        return
    got = da.apply_along_axis(f, axis, x, *args, **kwargs)
    assert got.shape == exp.shape and got.dtype == exp.dtype
    assert_same(got.compute(), exp)
    assert_same(np.apply_along_axis(f, axis, x, *args, **kwargs).compute(), exp)  # NumPy's dispatch stays lazy


@PROP
@given(data=st.data(), fname=st.sampled_from(["sum", "max", "mean", "cumsum"]))
def test_apply_over_axes_matches_numpy(data, fname):
    a, x = _draw(data, min_side=1, dtypes=NUMERIC)
    axes = data.draw(st.lists(st.integers(-a.ndim, a.ndim - 1), min_size=1, max_size=a.ndim))
    f = getattr(np, fname)
    exp = np.apply_over_axes(f, a, axes)
    got = da.apply_over_axes(f, x, axes)
    assert got.shape == exp.shape
    assert_same(got.compute(), exp, rtol=1e-5, check_dtype=fname != "mean" or a.dtype.kind == "f")


def _coarsened(reduction, a, axes):
    shape = tuple(s for i in range(a.ndim) for s in (a.shape[i] // axes.get(i, 1), axes.get(i, 1)))
    return reduction(a.reshape(shape), axis=tuple(range(1, 2 * a.ndim, 2)))


@PROP
@given(data=st.data(), rname=st.sampled_from(["sum", "mean", "min", "max"]))
def test_coarsen_matches_numpy(data, rname):
    a, x = _draw(data, dtypes=NUMERIC)
    trim = data.draw(st.booleans())
    axes = {}
    for i in data.draw(st.lists(st.integers(0, a.ndim - 1), unique=True, max_size=a.ndim)):
        divisors = [d for d in range(1, 5) if trim or a.shape[i] % d == 0]
        axes[i] = data.draw(st.sampled_from(divisors))
    reduction = getattr(np, rname)
    trimmed = a[tuple(slice(0, a.shape[i] - a.shape[i] % axes.get(i, 1)) for i in range(a.ndim))]
    exp, err = outcome(lambda: _coarsened(reduction, trimmed, axes))
    got = da.coarsen(getattr(da, rname), x, axes, trim_excess=trim)
    if err is not None:  # min/max of empty tiles
        with pytest.raises(type(err)):
            got.compute()
        return
    assert got.shape == exp.shape and got.dtype == exp.dtype
    assert_same(got.compute(), exp, rtol=1e-5)
    assert all(sum(c) == s for c, s in zip(got.chunks, got.shape))


def test_coarsen_chunks_as_dask():
    dda = pytest.importorskip("dask.array")
    from dask.array.routines import aligned_coarsen_chunks as dask_aligned

    from tessera._routines import aligned_coarsen_chunks

    rng = np.random.default_rng(0)
    for _ in range(200):
        chunks = tuple(int(c) for c in rng.integers(1, 30, size=rng.integers(1, 8)))
        multiple = int(rng.integers(1, 12))
        assert aligned_coarsen_chunks(chunks, multiple) == dask_aligned(chunks, multiple)
    a = np.arange(24 * 30).reshape(24, 30)
    for chunks, axes in [((5, 7), {0: 2, 1: 3}), ((24, (4, 9, 7, 10)), {1: 5}), ((1, 30), {0: 4})]:
        got = da.coarsen(np.sum, da.from_array(a, chunks=chunks), axes)
        exp = dda.coarsen(np.sum, dda.from_array(a, chunks=chunks), axes)
        assert got.chunks == exp.chunks
        assert_same(got.compute(), exp.compute())


def test_coarsen_keyword_arguments_reach_the_reduction():
    a = np.arange(12.0).reshape(3, 4)
    got = da.coarsen(np.sum, da.from_array(a, chunks=2), {1: 2}, dtype=np.float32)
    assert got.dtype == np.float32
    assert_same(got.compute(), _coarsened(lambda v, axis: np.sum(v, axis=axis, dtype=np.float32), a, {1: 2}))


@PROP
@given(data=st.data())
def test_frompyfunc_matches_numpy(data):
    a, x = _draw(data, min_dims=0, dtypes=["bool", "int8", "int64", "uint16", "float32", "float64"])
    b = data.draw(hnp.arrays(a.dtype, a.shape[1:], elements=elements(a.dtype.name, small=True)))

    def f(u, v):
        return u * 2 + v if not isinstance(u, bool) else u or v

    uf = da.frompyfunc(f, 2, 1)
    exp = np.frompyfunc(f, 2, 1)(a, b)
    got = uf(x, b)
    one = a.dtype.type(1).item()  # the Python scalar the function sees
    expected_dtype = np.asarray(f(one, one)).dtype
    assert got.dtype == expected_dtype
    assert_same(got.compute(), np.asarray(exp).astype(expected_dtype))
    # a scalar operand; and dtype= in the call
    assert_same(uf(x, 1, dtype=np.float64).compute(), np.asarray(np.frompyfunc(f, 2, 1)(a, 1)).astype(np.float64))


def test_frompyfunc_outer_and_attributes():
    uf = da.frompyfunc(lambda u, v: u - v, 2, 1)
    assert uf.nin == 2 and uf.nout == 1 and "frompyfunc" in uf.__name__ and "lambda" in repr(uf)
    x, y = da.arange(4, chunks=3), da.arange(5, chunks=2)
    got = uf.outer(x, y)
    assert got.shape == (4, 5) and got.chunks == ((3, 1), (2, 2, 1))
    assert_same(got.compute(), np.subtract.outer(np.arange(4), np.arange(5)))
    # without tessera arrays it is NumPy's object ufunc
    assert uf(np.arange(3), 1).dtype == object
    with pytest.raises(ValueError, match="outer product only supported for binary"):
        da.frompyfunc(abs, 1, 1).outer(x, y)


def test_user_exception_reaches_the_caller():
    class Boom(Exception):
        pass

    def f1d(v):
        if v.size > 1:
            raise Boom("along axis")
        return v.sum()

    with pytest.raises(Boom, match="along axis"):
        da.apply_along_axis(f1d, 0, da.ones((4, 3), chunks=2), dtype=float, shape=()).compute()

    def red(v, axis=None):
        if v.size > 1:
            raise Boom("coarsen")
        return v.sum(axis=axis)

    with pytest.raises(Boom, match="coarsen"):
        da.coarsen(red, da.ones(4, chunks=2), {0: 2}).compute()

    def pf(u):
        if u > 1:
            raise Boom("pyfunc")
        return u

    with pytest.raises(Boom, match="pyfunc"):
        da.frompyfunc(pf, 1, 1)(da.arange(4, chunks=2)).compute()


X = da.from_array(np.ones((4, 6)), chunks=(2, 3))


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: da.apply_along_axis(3, 0, X), TypeError, "apply_along_axis: `func1d` must be callable"),
        (lambda: da.apply_along_axis(np.sum, 2, X), np.exceptions.AxisError, "apply_along_axis: axis 2 is out of bounds"),
        (lambda: da.apply_along_axis(np.sum, 0.5, X), TypeError, "apply_along_axis: `axis` must be an integer"),
        (lambda: da.apply_along_axis(np.sum, 0, X, shape=5, dtype=float), TypeError, "apply_along_axis: `shape`"),
        (lambda: da.apply_over_axes("sum", X, 0), TypeError, "apply_over_axes: `func` must be callable"),
        (lambda: da.apply_over_axes(np.sum, X, [3]), np.exceptions.AxisError, "apply_over_axes: axes entry 3"),
        (lambda: da.apply_over_axes(lambda v, axis: np.ones((2, 2)), X, [0]), ValueError,
         "func must either preserve dimensionality"),
        (lambda: da.coarsen(np.sum, X, {0: 3}), ValueError, r"coarsen: Coarsening factors \{0: 3\} do not align"),
        (lambda: da.coarsen(np.sum, X, {2: 2}), np.exceptions.AxisError, "coarsen: axes key 2"),
        (lambda: da.coarsen(np.sum, X, {0: 0}), ValueError, "coarsen: the coarsening factor of axis 0"),
        (lambda: da.coarsen(np.sum, X, [2]), TypeError, "coarsen: `axes` must be a dict"),
        (lambda: da.coarsen(None, X, {0: 2}), TypeError, "coarsen: `reduction` must be callable"),
        (lambda: da.frompyfunc(abs, 1, 2), NotImplementedError, "frompyfunc with more than one output"),
        (lambda: da.frompyfunc(3, 1, 1), TypeError, "frompyfunc: `func` must be callable"),
        (lambda: da.frompyfunc(abs, -1, 1), ValueError, "frompyfunc: `nin`"),
        (lambda: da.frompyfunc(abs, 1, 1)(X, where=True), TypeError, "does not take the following keyword arguments"),
        (lambda: da.frompyfunc(lambda u: str(u), 1, 1)(X), TypeError, "tessera does not support dtype"),
        (lambda: da.frompyfunc(lambda u: u["k"], 1, 1)(X), ValueError, "`dtype` inference failed"),
    ],
)
def test_errors_at_build_time(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
