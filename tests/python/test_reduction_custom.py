"""da.reduction with Python chunk/combine/aggregate functions against NumPy and Dask:
sum, max, a mean carried as (sum, count) pairs, weighted sums, output_size, concatenate=False,
split_every trees, every dtype, axes and keepdims, uneven/size-1/empty chunks; and its errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tessera as da
from conftest import DTYPES, assert_same, axes_for, chunks_for, elements, outcome

PROP = settings(max_examples=40, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
SPLITS = st.sampled_from([None, 2, 3, 16, {0: 2}, {-1: 3}])


def _draw(data, min_side=0, dtypes=DTYPES):
    dtype = data.draw(st.sampled_from(dtypes))
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=min_side, max_side=6))
    a = data.draw(hnp.arrays(dtype, shape, elements=elements(dtype, small=True)))
    x = da.from_array(a, chunks=data.draw(chunks_for(shape)))
    return a, x, data.draw(axes_for(a.ndim)), data.draw(st.booleans()), data.draw(SPLITS)


def _np_axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


@PROP
@given(data=st.data())
def test_sum_and_max_match_numpy(data):
    a, x, axis, keepdims, split_every = _draw(data)
    concatenate = data.draw(st.booleans())
    join = (lambda f: f) if concatenate else (lambda f: lambda parts, axis, keepdims: f(_block(parts, axis), axis=axis, keepdims=keepdims))
    dt = np.sum(a).dtype
    got = da.reduction(x, np.sum, join(np.sum), axis=axis, keepdims=keepdims, dtype=dt, split_every=split_every,
                       concatenate=concatenate)
    exp = np.sum(a, axis=axis, keepdims=keepdims)
    assert got.shape == exp.shape and got.dtype == exp.dtype
    assert_same(got.compute(), exp, rtol=1e-4 if a.dtype == np.float32 else 1e-9, atol=1e-3)
    exp, err = outcome(lambda: np.max(a, axis=axis, keepdims=keepdims))
    got = da.reduction(x, np.max, join(np.max), axis=axis, keepdims=keepdims, dtype=a.dtype, split_every=split_every,
                       concatenate=concatenate)
    if err is not None:  # max of nothing: NumPy's error, when the blocks are reduced
        with pytest.raises(type(err)):
            got.compute()
        return
    assert_same(got.compute(), exp)


def _block(parts, axis):
    """Nested lists of blocks (concatenate=False: one level per reduced axis, in increasing
    order) joined back into one array."""

    def join(p, level):
        if not isinstance(p, list):
            return p
        return np.concatenate([join(q, level + 1) for q in p], axis=sorted(axis)[level])

    return join(parts, 0)


def _mean_chunk(x, axis, keepdims):
    s = x.sum(axis=axis, keepdims=True, dtype=np.float64)
    n = np.full(s.shape, float(np.prod([x.shape[i] for i in axis])))
    return np.concatenate([s, n], axis=axis[0])


def _pairs(x, axis):
    ax = axis[0]
    return x.take(range(0, x.shape[ax], 2), axis=ax), x.take(range(1, x.shape[ax], 2), axis=ax)


def _mean_combine(x, axis, keepdims):
    s, n = _pairs(x, axis)
    return np.concatenate([s.sum(axis=axis, keepdims=True), n.sum(axis=axis, keepdims=True)], axis=axis[0])


def _mean_aggregate(x, axis, keepdims):
    s, n = _pairs(x, axis)
    return s.sum(axis=axis, keepdims=keepdims) / n.sum(axis=axis, keepdims=keepdims)


@PROP
@given(data=st.data())
def test_mean_as_sum_count_pairs(data):
    """Partial results two long along the reduced axis (learned from the probe)."""
    a, x, _, keepdims, split_every = _draw(data, dtypes=["int16", "uint8", "int64", "float32", "float64"])
    if a.ndim == 0:
        return
    axis = data.draw(st.integers(-a.ndim, a.ndim - 1))
    got = da.reduction(x, _mean_chunk, _mean_aggregate, combine=_mean_combine, axis=axis, keepdims=keepdims,
                       dtype=np.float64, split_every=split_every)
    exp = np.mean(a, axis=axis, keepdims=keepdims, dtype=np.float64)
    assert got.shape == exp.shape
    assert_same(got.compute(), exp, rtol=1e-9, atol=1e-9)


@PROP
@given(data=st.data())
def test_weighted_sum(data):
    a, x, axis, keepdims, split_every = _draw(data, dtypes=["int32", "float64"])
    # weights of a shape that broadcasts to a's
    wshape = data.draw(st.sampled_from([a.shape, a.shape[1:], ()] + ([(1,) + a.shape[1:]] if a.ndim else [])))
    w = data.draw(hnp.arrays(np.float64, wshape, elements=elements("float64", small=True)))

    def chunk(c, wc=None, axis=None, keepdims=False):
        return np.sum(c * wc, axis=axis, keepdims=keepdims)

    got = da.reduction(x, chunk, np.sum, axis=axis, keepdims=keepdims, dtype=np.float64, weights=w,
                       split_every=split_every)
    exp = np.sum(a * w, axis=axis, keepdims=keepdims)
    assert_same(got.compute(), exp, rtol=1e-9, atol=1e-9)


@PROP
@given(data=st.data())
def test_output_size_min_max(data):
    """keepdims=True with output_size=2: [min, max] along the reduced axis."""
    a, x, _, _, split_every = _draw(data, min_side=1, dtypes=["int8", "uint32", "float32", "float64"])
    if a.ndim == 0:
        return
    axis = data.draw(st.integers(0, a.ndim - 1))

    def chunk(v, axis, keepdims):
        return np.concatenate([v.min(axis=axis, keepdims=True), v.max(axis=axis, keepdims=True)], axis=axis[0])

    def aggregate(v, axis, keepdims):
        r = chunk(v, axis, True)
        return r if keepdims else (r.take([1], axis=axis[0]) - r.take([0], axis=axis[0])).squeeze(axis[0])

    got = da.reduction(x, chunk, aggregate, axis=axis, keepdims=True, dtype=a.dtype, split_every=split_every,
                       output_size=2)
    assert got.chunks[axis] == (2,)
    assert_same(got.compute(), np.concatenate([a.min(axis=axis, keepdims=True), a.max(axis=axis, keepdims=True)],
                                              axis=axis))
    got = da.reduction(x, chunk, aggregate, axis=axis, dtype=a.dtype, split_every=split_every, output_size=2)
    assert_same(got.compute(), (a.max(axis=axis) - a.min(axis=axis)).astype(a.dtype))


@PROP
@given(data=st.data())
def test_bits_and_tree_as_dask(data):
    """Same split_every, same tree: floating-point sums are the same bits as Dask's."""
    dda = pytest.importorskip("dask.array")
    dtype = data.draw(st.sampled_from(["float32", "float64"]))
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=12))
    a = data.draw(hnp.arrays(dtype, shape, elements=elements(dtype)))
    chunks = da.from_array(a, chunks=data.draw(chunks_for(shape))).chunks
    axis = data.draw(axes_for(a.ndim))
    split_every = data.draw(st.sampled_from([None, 2, 3, {0: 2}]))
    kw = dict(axis=axis, dtype=a.dtype, split_every=split_every)
    got = da.reduction(da.from_array(a, chunks=chunks), np.sum, np.sum, **kw).compute()
    exp = dda.reduction(dda.from_array(a, chunks=chunks), np.sum, np.sum, **kw).compute()
    np.testing.assert_array_equal(got, exp)


def test_concatenate_false_passes_nested_lists_as_dask():
    dda = pytest.importorskip("dask.array")
    a = np.arange(35.0).reshape(5, 7)
    seen = {"tessera": [], "dask": []}

    def spy(who):
        def f(parts, axis, keepdims):
            shape = []
            p = parts
            while isinstance(p, list):
                shape.append(len(p))
                p = p[0]
            seen[who].append((tuple(shape), p.shape))
            return np.sum(_block(parts, axis), axis=axis, keepdims=keepdims)

        return f

    for axis in [None, 0, 1]:
        seen = {"tessera": [], "dask": []}
        got = da.reduction(da.from_array(a, chunks=(2, 3)), np.sum, spy("tessera"), axis=axis, dtype=float,
                           concatenate=False, split_every=2).compute()
        exp = dda.reduction(dda.from_array(a, chunks=(2, 3)), np.sum, spy("dask"), axis=axis, dtype=float,
                            concatenate=False, split_every=2).compute()
        assert_same(got, exp)
        # tessera probes the functions once when building; then every call matches Dask's
        assert sorted(seen["tessera"][1:]) == sorted(x for x in seen["dask"] if x[0])  # Dask probes with bare arrays


def test_no_axes_and_zero_dimensional():
    a = np.arange(6.0).reshape(2, 3)
    x = da.from_array(a, chunks=(1, 2))
    assert_same(da.reduction(x, np.sum, np.sum, axis=(), dtype=float).compute(), a)
    assert_same(da.reduction(da.from_array(np.float64(3.5)), np.sum, np.sum, dtype=float).compute(), np.float64(3.5))
    assert_same(da.reduction(np.arange(10), np.sum, np.sum, dtype=np.int64, split_every=2).compute(), np.int64(45))


def test_dtype_is_passed_to_functions_that_take_it():
    a = np.full(300, 100, dtype=np.int8)
    got = da.reduction(da.from_array(a, chunks=7), np.sum, np.sum, dtype=np.int64).compute()
    assert got == 30000 and got.dtype == np.int64


def test_names_of_the_stages():
    x = da.from_array(np.ones((8, 8)), chunks=2)

    def my_chunk(v, axis, keepdims):
        return v.sum(axis=axis, keepdims=True)

    def my_agg(v, axis, keepdims):
        return v.sum(axis=axis, keepdims=keepdims)

    plan = da.reduction(x, my_chunk, my_agg, dtype=float, split_every=2).explain()
    for name in ["my_chunk", "my_agg-partial", "my_agg-aggregate"]:
        assert name in plan
    assert "total-aggregate" in da.reduction(x, my_chunk, my_agg, dtype=float, name="total").explain()


def test_user_exception_and_bad_partial_shape_at_compute():
    class Boom(Exception):
        pass

    def chunk(v, axis, keepdims):
        if v.size > 1:
            raise Boom("chunk failed")
        return v.sum(axis=axis, keepdims=True)

    x = da.from_array(np.ones((4, 6)), chunks=(2, 3))
    with pytest.raises(Boom, match="chunk failed"):
        da.reduction(x, chunk, np.sum, dtype=float).compute()

    def varying(v, axis, keepdims):  # one long on the probe, two long on real blocks
        return np.repeat(v.sum(axis=axis, keepdims=True), min(v.shape[axis[0]], 2), axis=axis[0])

    with pytest.raises(ValueError, match=r"reduction\(varying\): `chunk` returned shape \(2, 3\) for a block of shape"):
        da.reduction(x, varying, np.sum, axis=0, dtype=float).compute()


X = da.from_array(np.ones((4, 6)), chunks=(2, 3))


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: da.reduction(X, np.sum, np.sum), ValueError, "reduction: Must specify dtype"),
        (lambda: da.reduction(X, "sum", np.sum, dtype=float), TypeError, "reduction: `chunk` must be callable"),
        (lambda: da.reduction(X, np.sum, None, dtype=float), TypeError, "reduction: `aggregate` must be callable"),
        (lambda: da.reduction(X, np.sum, np.sum, combine=1, dtype=float), TypeError, "`combine` must be callable"),
        (lambda: da.reduction(X, np.sum, np.sum, axis=2, dtype=float), np.exceptions.AxisError, "reduction: axis 2"),
        (lambda: da.reduction(X, np.sum, np.sum, axis=(0, -2), dtype=float), ValueError, "duplicate value in 'axis'"),
        (lambda: da.reduction(X, np.sum, np.sum, axis=1.5, dtype=float), TypeError, "reduction: axis must be"),
        (lambda: da.reduction(X, np.sum, np.sum, split_every="x", dtype=float), ValueError, "split_every must be a int"),
        (lambda: da.reduction(X, np.sum, np.sum, split_every={0: 1}, dtype=float), ValueError, "`split_every` for axis 0"),
        (lambda: da.reduction(X, np.sum, np.sum, output_size=0, dtype=float), ValueError, "`output_size` must be"),
        (lambda: da.reduction(X, np.sum, np.sum, out=X, dtype=float), NotImplementedError, "out= is not supported"),
        (lambda: da.reduction(X, np.sum, np.sum, dtype=object), TypeError, "reduction: tessera does not support"),
        (lambda: da.reduction(X, lambda v, axis, keepdims: {"n": v.size}, np.sum, dtype=float), TypeError,
         r"`chunk` returned dict; tessera passes partial results between tasks as NumPy arrays"),
        (lambda: da.reduction(X, lambda v, axis, keepdims: v.sum(axis=axis), np.sum, dtype=float), ValueError,
         r"`chunk` must keep the reduced axes.*returned shape \(\)"),
        (lambda: da.reduction(X, np.sum, np.sum, dtype=float, weights=np.ones(4)), ValueError,
         r"Weights with shape \(4,\) are not broadcastable to x with shape \(4, 6\)"),
    ],
)
def test_errors_at_build_time(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
