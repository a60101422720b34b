"""apply_gufunc, gufunc and as_gufunc against NumPy (the function applied to the whole
array) and Dask: core and loop dimensions, broadcasting, axes/axis/keepdims, several
outputs, new output dimensions, vectorize, allow_rechunk, and the errors at build time."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tessera as da
from conftest import DTYPES, assert_same, axis_chunks, chunks_for, elements

PROP = settings(max_examples=40, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
NUMERIC = [d for d in DTYPES if d != "bool"]


def _array(data, shape, dtype=None, dtypes=DTYPES):
    dtype = dtype or data.draw(st.sampled_from(dtypes))
    return data.draw(hnp.arrays(dtype, shape, elements=elements(dtype, small=True)))


def _loop_chunks(data, shape):
    """Explicit chunks (tuples of block sizes) for `shape`, uneven, size-1 or whole."""
    x = da.from_array(np.zeros(shape, dtype=np.uint8), chunks=tuple(data.draw(axis_chunks(d)) for d in shape))
    return x.chunks


def _sum_last(v):
    return v.sum(axis=-1)


@PROP
@given(data=st.data())
def test_core_reduction_matches_numpy(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=5))
    a = _array(data, shape)
    ax = data.draw(st.integers(-a.ndim, a.ndim - 1))
    keepdims = data.draw(st.booleans())
    allow = data.draw(st.booleans())
    x = da.from_array(a, chunks=data.draw(chunks_for(shape)))
    if not allow:
        x = x.rechunk({ax: -1})
    y = da.apply_gufunc(_sum_last, "(i)->()", x, axis=ax, keepdims=keepdims, allow_rechunk=allow)
    exp = _sum_last(np.moveaxis(a, ax, -1))
    if keepdims:
        exp = np.expand_dims(exp, ax)
    assert y.shape == exp.shape and y.dtype == exp.dtype
    assert_same(y.compute(), exp)


@PROP
@given(data=st.data())
def test_inner_product_broadcasts_loop_dimensions(data):
    loop = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4))
    n = data.draw(st.integers(0, 5))
    dtype = data.draw(st.sampled_from(NUMERIC))
    a = _array(data, loop + (n,), dtype)
    # b: some loop dimensions of length 1, maybe fewer leading dimensions
    drop = data.draw(st.integers(0, len(loop)))
    bloop = tuple(1 if data.draw(st.booleans()) else d for d in loop[drop:])
    b = _array(data, bloop + (n,), dtype)
    lc = _loop_chunks(data, loop)
    x = da.from_array(a, chunks=lc + ((n,),))
    y = da.from_array(b, chunks=tuple((1,) if d == 1 else c for d, c in zip(bloop, lc[drop:])) + ((n,),))

    def inner(u, v):
        return (u * v).sum(axis=-1)

    got = da.apply_gufunc(inner, "(i),(i)->()", x, y)
    exp = inner(a, b)
    assert got.shape == exp.shape and got.chunks == tuple(lc)
    assert_same(got.compute(), exp)


@PROP
@given(data=st.data())
def test_core_to_core_with_axes(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=5))
    a = _array(data, shape, dtypes=NUMERIC)
    ax = data.draw(st.integers(-a.ndim, a.ndim - 1))
    x = da.from_array(a, chunks=data.draw(chunks_for(shape)))
    y = da.apply_gufunc(lambda v: np.cumsum(v, axis=-1), "(i)->(i)", x, axes=[(ax,), (ax,)], allow_rechunk=True)
    exp = np.cumsum(a, axis=ax)
    assert y.shape == exp.shape and y.dtype == exp.dtype
    assert_same(y.compute(), exp)


@PROP
@given(data=st.data())
def test_matmul_signature(data):
    loop = data.draw(hnp.array_shapes(min_dims=0, max_dims=2, min_side=0, max_side=3))
    m, n, p = (data.draw(st.integers(0, 4)) for _ in range(3))
    dtype = data.draw(st.sampled_from(["int32", "int64", "float32", "float64"]))
    a = _array(data, loop + (m, n), dtype)
    b = _array(data, loop + (n, p), dtype)
    lc = _loop_chunks(data, loop)
    x = da.from_array(a, chunks=lc + ((m,), (n,)))
    y = da.from_array(b, chunks=lc + ((n,), (p,)))
    got = da.apply_gufunc(np.matmul, "(m,n),(n,p)->(m,p)", x, y, output_dtypes=dtype)
    exp = np.matmul(a, b)
    assert got.shape == exp.shape and got.chunks == tuple(lc) + ((m,), (p,))
    assert_same(got.compute(), exp, rtol=1e-5)


@PROP
@given(data=st.data())
def test_several_outputs_of_mixed_dtypes(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5))
    a = _array(data, shape, dtypes=NUMERIC)
    x = da.from_array(a, chunks=data.draw(chunks_for(shape))).rechunk({-1: -1})
    calls = []

    def stats(v):
        calls.append(v.shape)
        return v.min(axis=-1), v.mean(axis=-1), (v > 0), np.full(v.shape[:-1], v.shape[-1])

    lo, mean, pos, n = da.apply_gufunc(stats, "(i)->(),(),(i),()", x)
    assert (lo.dtype, mean.dtype, pos.dtype, n.dtype) == (a.dtype, np.mean(a, axis=-1).dtype, np.bool_, np.int64)
    calls.clear()
    glo, gmean, gpos, gn = da.compute(lo, mean, pos, n)
    assert len(calls) == np.prod(x.numblocks[:-1])  # the function ran once per block for all four outputs
    assert_same(glo, a.min(axis=-1))
    assert_same(gmean, a.mean(axis=-1))
    assert_same(gpos, a > 0)
    assert_same(gn, np.full(a.shape[:-1], a.shape[-1]))
    assert_same(mean.compute(), gmean)  # one output alone


# Dtypes of different itemsizes (1, 2, 4, 8, 16 bytes) for the outputs of one kernel.
MIXED = ["bool", "int8", "float16", "int32", "float32", "int64", "float64", "complex128"]


@PROP
@given(data=st.data())
def test_several_outputs_are_one_task_per_block(data):
    """Every output of a several-output gufunc against NumPy: one call per block makes all
    of them, each output computed alone or with the others, empty and size-1 axes, outputs
    of different itemsizes, and the same bits for 1, 2 and 4 threads."""
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=5))
    a = _array(data, shape, dtypes=["float64", "float32", "int32", "int16"])
    x = da.from_array(a, chunks=data.draw(chunks_for(shape))).rechunk({-1: -1})
    d1, d2 = data.draw(st.sampled_from(MIXED)), data.draw(st.sampled_from(MIXED))
    k = data.draw(st.integers(0, 3))
    calls = []

    def f(v):
        calls.append(v.shape)
        return v.sum(axis=-1), v[..., None] * np.ones(k, dtype=v.dtype), v[..., :1] > 0

    exp = [r.astype(d) for r, d in zip(f(a), (d1, d2, "bool"))]
    outs = da.apply_gufunc(f, "(i)->(),(i,k),(j)", x, output_dtypes=(d1, d2, bool),
                           output_sizes={"k": k, "j": min(1, a.shape[-1])})
    assert [o.dtype for o in outs] == [np.dtype(d1), np.dtype(d2), np.dtype(bool)]
    assert [o.shape for o in outs] == [e.shape for e in exp]
    calls.clear()
    got = da.compute(*outs)
    assert len(calls) == np.prod(x.numblocks[:-1])  # one call per block for all three outputs
    for g, e in zip(got, exp):
        assert_same(g, e)
    for o, e in zip(outs, exp):  # each output alone
        assert_same(o.compute(), e)
    for n in (1, 2, 4):  # same bits for any thread count
        for g, e in zip(da.compute(*outs, num_workers=n), got):
            assert g.tobytes() == e.tobytes()


@PROP
@given(data=st.data())
def test_several_outputs_vectorized_and_persisted(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=4))
    a = _array(data, shape, dtypes=["float64", "int64"])
    x = da.from_array(a, chunks=data.draw(chunks_for(shape))).rechunk({-1: -1})

    def lohi(v):  # of one vector only
        assert v.ndim == 1
        return np.int8(v.argmin()), float(v.max())

    lo, hi = da.apply_gufunc(lohi, "(i)->(),()", x, vectorize=True, output_dtypes=(np.int8, np.float64))
    plo, phi = da.persist(lo, hi)
    assert_same(plo.compute(), a.argmin(axis=-1).astype(np.int8))
    assert_same(phi.compute(), a.max(axis=-1).astype(np.float64))
    assert_same((lo + hi).compute(), a.argmin(axis=-1).astype(np.int8) + a.max(axis=-1).astype(np.float64))


def test_several_outputs_plan_has_one_task_stage():
    x = da.from_array(np.arange(24.0).reshape(6, 4), chunks=(2, 4))

    def moments(v):
        return v.mean(axis=-1), v.std(axis=-1)

    mean, std = da.apply_gufunc(moments, "(i)->(),()", x, output_dtypes=(float, float))
    text = std.explain()
    lines = [ln for ln in text.splitlines() if "moments" in ln]
    assert any("blockwise(moments)" in ln and "tasks=3" in ln for ln in lines), text
    assert any("output 1 of" in ln and "tasks=0" in ln for ln in lines), text
    assert "uint8" not in text  # nothing packed into bytes


def test_several_outputs_under_a_memory_limit_spill_per_block():
    a = np.random.default_rng(0).standard_normal((256, 1000))
    x = da.from_array(a, chunks=(4, 1000))
    s, m = da.apply_gufunc(lambda v: (v * 2, v.max(-1)), "(i)->(i),()", x, output_dtypes=(float, float))
    # `s` (2 MiB) cannot stay in memory under the limit: its blocks spill one by one, and
    # `m`'s stay.
    ps, pm = da.persist(s, m, memory_limit="1MiB")
    assert_same(ps.compute(), a * 2)
    assert_same(pm.compute(), a.max(-1))
    y = s.sum(axis=0) + m.sum()
    np.testing.assert_allclose(y.compute(memory_limit="2MiB"), (a * 2).sum(axis=0) + a.max(-1).sum())


@PROP
@given(data=st.data())
def test_new_output_dimension(data):
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4))
    a = _array(data, shape, dtypes=NUMERIC)
    k = data.draw(st.integers(0, 4))
    x = da.from_array(a, chunks=data.draw(chunks_for(shape)))

    def spread(v):
        return v[..., None] * np.arange(k, dtype=v.dtype)

    got = da.apply_gufunc(spread, "()->(k)", x, output_sizes={"k": k})
    exp = spread(a)
    assert got.shape == exp.shape and got.dtype == exp.dtype and got.chunks == x.chunks + ((k,),)
    assert_same(got.compute(), exp)


@PROP
@given(data=st.data())
def test_vectorize(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    a = _array(data, shape, dtypes=["int16", "int64", "float64"])
    x = da.from_array(a, chunks=data.draw(chunks_for(shape))).rechunk({-1: -1})

    def spread(v):  # of one vector only
        assert v.ndim == 1
        return float(v.max()) - float(v.min())

    got = da.apply_gufunc(spread, "(i)->()", x, vectorize=True)
    assert got.dtype == np.float64
    assert_same(got.compute(), (a.max(axis=-1).astype(float) - a.min(axis=-1).astype(float)))


def test_outer_product_vectorized_as_dask_documents():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(20, 30)), rng.normal(size=(10, 1, 40))
    x, y = da.from_array(a, chunks=(10, 30)), da.from_array(b, chunks=(5, 1, 40))
    c = da.apply_gufunc(lambda u, v: np.einsum("i,j->ij", u, v), "(i),(j)->(i,j)", x, y, vectorize=True)
    assert c.shape == (10, 20, 30, 40) and c.chunks == ((5, 5), (10, 10), (30,), (40,))
    assert_same(c.compute(), np.einsum("...i,...j->...ij", a, b))


def test_repeated_core_dimension():
    a = np.random.default_rng(1).normal(size=(6, 3, 3))
    x = da.from_array(a, chunks=(4, 3, 3))
    assert_same(da.apply_gufunc(np.linalg.det, "(m,m)->()", x).compute(), np.linalg.det(a))
    diag = da.apply_gufunc(lambda v: v[..., :, None] * np.eye(v.shape[-1]), "(n)->(n,n)", x[:, 0])
    assert diag.shape == (6, 3, 3)
    assert_same(diag.compute(), a[:, 0, :, None] * np.eye(3))


def test_keepdims_and_output_axes():
    a = np.arange(60.0).reshape(3, 4, 5)
    x = da.from_array(a, chunks=(2, -1, 3))
    got = da.apply_gufunc(_sum_last, "(i)->()", x, axes=[(1,)], keepdims=True)
    assert got.chunks == ((2, 1), (1,), (3, 2))
    assert_same(got.compute(), a.sum(axis=1, keepdims=True))
    # output core axis placed first
    got = da.apply_gufunc(lambda v: v * 2, "(i)->(i)", x, axes=[(1,), (0,)])
    assert_same(got.compute(), np.moveaxis(a * 2, 1, 0))


def test_same_results_and_chunks_as_dask():
    dda = pytest.importorskip("dask.array")
    a = np.random.default_rng(2).normal(size=(12, 10, 7))
    for chunks, kw in [((5, 3, 2), {"axis": 1, "allow_rechunk": True}), ((12, 10, 7), {}),
                       ((4, 10, 7), {"axes": [(1,), ()]}), ((3, 2, 7), {"axis": 0, "keepdims": True, "allow_rechunk": True})]:
        got = da.apply_gufunc(_sum_last, "(i)->()", da.from_array(a, chunks=chunks), **kw)
        exp = dda.apply_gufunc(_sum_last, "(i)->()", dda.from_array(a, chunks=chunks), **kw)
        assert got.chunks == exp.chunks
        assert_same(got.compute(), exp.compute())
    g = da.apply_gufunc(lambda v: (v.mean(-1), v.std(-1)), "(i)->(),()", da.from_array(a, chunks=(5, 3, 7)))
    e = dda.apply_gufunc(lambda v: (v.mean(-1), v.std(-1)), "(i)->(),()", dda.from_array(a, chunks=(5, 3, 7)))
    for u, v in zip(g, e):
        assert u.chunks == v.chunks
        assert_same(u.compute(), v.compute())


def test_gufunc_and_as_gufunc():
    a = np.random.default_rng(3).normal(size=(10, 20, 30))
    x = da.from_array(a, chunks=(5, 10, 30))

    @da.as_gufunc("(i)->(),()", output_dtypes=(float, float))
    def stats(v):
        return np.mean(v, axis=-1), np.std(v, axis=-1)

    m, s = stats(x)
    assert m.shape == (10, 20)
    assert_same(m.compute(), a.mean(-1))
    assert_same(s.compute(), a.std(-1))
    g = da.gufunc(_sum_last, signature="(i)->()", output_dtypes=float)
    assert "_sum_last" in repr(g) and "(i)->()" in g.__doc__
    with pytest.raises(ValueError, match="multiple chunks"):
        g(x.rechunk({2: 7}))
    assert_same(g(x.rechunk({2: 7}), allow_rechunk=True).compute(), a.sum(-1))
    assert_same(g(x).compute(), a.sum(-1))


def test_zero_size_and_zero_dimensional():
    for shape in [(0, 3), (3, 0), (0,), ()]:
        a = np.ones(shape)
        x = da.from_array(a)
        if len(shape):
            assert_same(da.apply_gufunc(_sum_last, "(i)->()", x).compute(), a.sum(-1))
        assert_same(da.apply_gufunc(lambda v: v + 1, "()->()", x).compute(), a + 1)
        lo, hi = da.apply_gufunc(lambda v: (v - 1, v + 1), "()->(),()", x)
        assert_same(hi.compute(), a + 1)


def test_scalar_arguments():
    x = da.from_array(np.arange(6.0).reshape(2, 3), chunks=(1, 3))
    got = da.apply_gufunc(lambda v, s: v.sum(-1) * s, "(i),()->()", x, 2.5)
    assert_same(got.compute(), np.arange(6.0).reshape(2, 3).sum(-1) * 2.5)
    got = da.apply_gufunc(lambda v, scale=1: v * scale, "(i)->(i)", x, scale=3)
    assert_same(got.compute(), np.arange(6.0).reshape(2, 3) * 3)


def test_user_exception_reaches_the_caller():
    class Boom(Exception):
        pass

    def f(v):
        if v.size > 1:
            raise Boom("from the function")
        return v

    x = da.from_array(np.ones((4, 3)), chunks=(2, 3))
    y = da.apply_gufunc(f, "(i)->(i)", x)  # dtype inference sees a one-element array
    with pytest.raises(Boom, match="from the function"):
        y.compute()
    a, b = da.apply_gufunc(lambda v: (v.sum(-1), v.sum(-1)) if v.size == 1 else (v.sum(-1),), "(i)->(),()", x)
    with pytest.raises(ValueError, match=r"apply_gufunc\(lambda\).*2 outputs.*block"):
        a.compute()
    c = da.apply_gufunc(lambda v: (v.sum(-1), v), "(i)->(),()", x, output_dtypes=(float, float))
    with pytest.raises(ValueError, match=r"lambda: block \[0\] came back with shape \[2, 3\], but output 1's chunks give it shape \[2\]"):
        c[1].compute()


X = da.from_array(np.ones((4, 6)), chunks=(2, 3))


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: da.apply_gufunc(3, "(i)->()", X), TypeError, "apply_gufunc: `func` must be callable"),
        (lambda: da.apply_gufunc(_sum_last, 5, X), TypeError, "`signature` has to be of type string"),
        (lambda: da.apply_gufunc(_sum_last, "(i)->", X), ValueError, "Not a valid gufunc signature"),
        (lambda: da.apply_gufunc(_sum_last, "i->()", X), ValueError, "Not a valid gufunc signature"),
        (lambda: da.apply_gufunc(_sum_last, "(i)(j)->()", X), ValueError, "Not a valid gufunc signature"),
        (lambda: da.apply_gufunc(_sum_last, "(i->()", X), ValueError, "Not a valid gufunc signature"),
        (lambda: da.apply_gufunc(lambda u, v: u, "(i),(i)->()", X), ValueError, "requires 2 arguments, but 1 given"),
        (lambda: da.apply_gufunc(_sum_last, "(i)->()", X), ValueError, "Core dimension `'i'` consists of multiple"),
        (lambda: da.apply_gufunc(_sum_last, "(i,j,k)->()", X), ValueError, "argument #0 has 2 dimensions"),
        (lambda: da.apply_gufunc(lambda u, v: u, "(i),(i)->(i)", X.rechunk({1: -1}), da.ones((4, 5), chunks=(2, 5))),
         ValueError, "Dimension `'i'` with different lengths"),
        (lambda: da.apply_gufunc(lambda u, v: u, "(),()->()", X, da.ones((4, 6), chunks=(4, 3))),
         ValueError, "Dimension `'__loopdim0__'` with different chunksize"),
        (lambda: da.apply_gufunc(lambda v: v, "(i)->(j)", X.rechunk({1: -1})), ValueError, "`'j'`.*output_sizes"),
        (lambda: da.apply_gufunc(_sum_last, "(i)->()", X, axis=0, axes=[(0,)]), ValueError, "Only one of `axis` or `axes`"),
        (lambda: da.apply_gufunc(_sum_last, "(i)->()", X, axis=5, allow_rechunk=True), np.exceptions.AxisError,
         "axis 5 of argument #0 is out of bounds"),
        (lambda: da.apply_gufunc(_sum_last, "(i)->()", X, axes=(0,)), ValueError, "`axes` has to be of type list"),
        (lambda: da.apply_gufunc(_sum_last, "(i)->()", X, axes=[(0, 1)]), ValueError, "number of `axes` entries for argument #0"),
        (lambda: da.apply_gufunc(lambda v: v, "(i)->(i)", X, keepdims=True), ValueError, "`keepdims` can only be used for scalar"),
        (lambda: da.apply_gufunc(_sum_last, "(i)->()", X, output_dtypes=float, meta=np.empty(0)), ValueError,
         "Only one of `meta` and `output_dtypes`"),
        (lambda: da.apply_gufunc(_sum_last, "(i)->(),()", X, output_dtypes=float), ValueError,
         "For a function with 2 outputs, must give a tuple or list"),
        (lambda: da.apply_gufunc(_sum_last, "(i)->(),()", X, output_dtypes=(float,)), ValueError,
         "must give a tuple or list of 2 items"),
        (lambda: da.apply_gufunc(_sum_last, "(i)->()", X, output_dtypes=(float, float)), ValueError,
         "For a function with one output, must give a single item"),
        (lambda: da.apply_gufunc(_sum_last, "(i)->(),()", X.rechunk({1: -1})), ValueError, "has 2 outputs but `func` returned"),
        (lambda: da.apply_gufunc(lambda v: v["x"], "(i)->()", X), ValueError, "`dtype` inference failed in `apply_gufunc`"),
        (lambda: da.apply_gufunc(_sum_last, "(i)->()", X, output_dtypes=object), TypeError, "apply_gufunc: tessera does not support dtype object"),
        (lambda: da.apply_gufunc(lambda v: v, "()->(k)", X, output_sizes={"k": -1}), ValueError, r"`output_sizes\['k'\]`"),
        (lambda: da.as_gufunc("(i)->()", signature2=1), TypeError, "Unsupported keyword argument"),
        (lambda: da.gufunc("f", signature="(i)->()"), TypeError, "gufunc: `pyfunc` must be callable"),
    ],
)
def test_errors_at_build_time(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
