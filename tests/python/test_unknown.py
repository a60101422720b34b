"""Sizes known only at run time (Dask's nan chunks): lazy boolean masks, nonzero/argwhere/
flatnonzero, compress/extract, unique and the Array API's unique_*, lazy integer indices;
operations on unknown sizes; compute_chunk_sizes; Dask's errors for what needs sizes."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tessera as da
from conftest import DTYPES, assert_same, chunks_for, elements

SETTINGS = settings(max_examples=40, deadline=None)
shapes = hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=6)


@st.composite
def cases(draw, min_dims=1, dtypes=DTYPES, shape=None):
    dtype = draw(st.sampled_from(dtypes))
    if shape is None:
        shape = draw(hnp.array_shapes(min_dims=min_dims, max_dims=3, min_side=0, max_side=6))
    a = draw(hnp.arrays(dtype, shape, elements=elements(dtype, small=True)))
    return a, draw(chunks_for(shape))


def _unknown_axes(x):
    return [any(math.isnan(c) for c in ax) for ax in x.chunks]


def _check_known(x, expected):
    """compute_chunk_sizes gives known chunks that add up to the NumPy result's shape."""
    y = x.compute_chunk_sizes()
    assert y is x
    assert tuple(sum(c) for c in x.chunks) == expected.shape
    assert x.shape == expected.shape


# -- boolean masks -----------------------------------------------------------------------
@SETTINGS
@given(cases(), st.data())
def test_lazy_mask_over_all_axes_matches_numpy(case, data):
    a, chunks = case
    x = da.from_array(a, chunks=chunks)
    m_np = data.draw(hnp.arrays(bool, a.shape))
    m = da.from_array(m_np, chunks=data.draw(chunks_for(a.shape)))
    y = x[m]
    assert y.ndim == 1 and math.isnan(y.shape[0]) and all(math.isnan(c) for c in y.chunks[0])
    assert y.dtype == a.dtype
    assert_same(y.compute(), a[m_np])
    assert_same(np.asarray(y), a[m_np])
    _check_known(y, a[m_np])
    assert_same(y.compute(), a[m_np])


@SETTINGS
@given(cases(min_dims=1), st.data())
def test_lazy_mask_on_one_axis_with_slices_and_ints(case, data):
    a, chunks = case
    x = da.from_array(a, chunks=chunks)
    axis = data.draw(st.integers(0, a.ndim - 1))
    m_np = data.draw(hnp.arrays(bool, (a.shape[axis],)))
    m = da.from_array(m_np, chunks=data.draw(st.integers(1, max(a.shape[axis], 1))))
    key = []
    for i, n in enumerate(a.shape):
        if i == axis:
            key.append(m)
        elif n and data.draw(st.booleans()):
            key.append(data.draw(st.integers(-n, n - 1)))
        else:
            key.append(data.draw(st.sampled_from([slice(None), slice(1, None), slice(None, None, -1)])))
    np_key = tuple(m_np if k is m else k for k in key)
    y = x[tuple(key)]
    assert any(_unknown_axes(y))
    assert_same(y.compute(), a[np_key])


@SETTINGS
@given(cases(min_dims=2), st.data())
def test_lazy_nd_mask_over_leading_axes(case, data):
    a, chunks = case
    k = data.draw(st.integers(1, a.ndim))
    m_np = data.draw(hnp.arrays(bool, a.shape[:k]))
    x = da.from_array(a, chunks=chunks)
    m = da.from_array(m_np, chunks=2)
    assert_same(x[m].compute(), a[m_np])


@SETTINGS
@given(cases(dtypes=["float32", "float64", "int32"]))
def test_mask_from_the_array_itself_then_elementwise_and_reductions(case):
    a, chunks = case
    x = da.from_array(a, chunks=chunks)
    y = x[x > 0]
    e = a[a > 0]
    assert_same((y * 2 + 1).compute(), e * 2 + 1)
    assert_same(da.sin(y).compute(), np.sin(e), rtol=1e-5)
    assert_same(np.sin(y).compute(), np.sin(e), rtol=1e-5)
    assert_same((1 - y).compute(), 1 - e)
    assert_same((y - y).compute(), e - e)
    s = y.sum()
    assert s.shape == ()
    assert_same(s.compute(), e.sum(), rtol=1e-4)
    if e.size:
        assert_same(y.max().compute(), e.max())
        assert_same(y.mean().compute(), e.mean(), rtol=1e-4)
    assert_same(y.astype("float64").compute(), e.astype("float64"))
    # a mask of a masked array: two phases
    z = y[y > 1]
    assert_same(z.compute(), e[e > 1])
    assert_same(da.compute(y, z, y.sum())[1], e[e > 1])


def test_chunks_and_shape_are_nan_as_in_dask():
    x = da.from_array(np.arange(10.0), chunks=3)
    y = x[x > 4]
    assert y.chunks == ((math.nan,) * 4,) or all(math.isnan(c) for c in y.chunks[0])
    assert len(y.chunks[0]) == 4
    assert math.isnan(y.shape[0]) and math.isnan(y.size)
    assert y.numblocks == (4,)
    assert "nan" in repr(y)
    assert y.sum().shape == ()
    assert y[None].chunks[0] == (1,)
    r = y.sum(keepdims=True)
    assert r.chunks == ((1,),)
    y.compute_chunk_sizes()
    assert y.chunks == ((0, 1, 3, 1),)
    assert y.shape == (5,)
    assert_same(y[1:3].compute(), np.arange(10.0)[np.arange(10.0) > 4][1:3])
    assert "phase 1" in x[x > 4].explain()


def test_two_dimensional_unknown_keeps_known_axis():
    a = np.arange(24.0).reshape(6, 4)
    x = da.from_array(a, chunks=(2, 3))
    m = x[:, 0] > 5
    y = x[m]
    assert all(math.isnan(c) for c in y.chunks[0]) and y.chunks[1] == (3, 1)
    assert_same(y.compute(), a[a[:, 0] > 5])
    assert_same(y[:, 1].compute(), a[a[:, 0] > 5][:, 1])
    assert_same(y.sum(axis=0).compute(), a[a[:, 0] > 5].sum(axis=0))
    assert y.sum(axis=0).chunks == ((3, 1),)
    assert_same(y.T.compute(), a[a[:, 0] > 5].T)


def test_random_source_mask_mean():
    x = da.random.random(100_000, chunks=10_000)
    a = x.compute()
    assert_same(x[x > 0.5].mean().compute(), a[a > 0.5].mean(), rtol=1e-12)


# -- nonzero, argwhere, flatnonzero, where, compress, extract ---------------------------
@SETTINGS
@given(cases())
def test_nonzero_family_matches_numpy(case):
    a, chunks = case
    x = da.from_array(a, chunks=chunks)
    assert_same(da.argwhere(x).compute(), np.argwhere(a))
    assert_same(da.flatnonzero(x).compute(), np.flatnonzero(a))
    got = da.compute(*da.nonzero(x))
    for g, e in zip(got, np.nonzero(a)):
        assert_same(g, e)
    assert len(got) == a.ndim
    for g, e in zip(x.nonzero(), np.nonzero(a)):
        assert_same(g.compute(), e)
    for g, e in zip(da.where(x), np.where(a)):
        assert_same(g.compute(), e)
    for g, e in zip(np.nonzero(x), np.nonzero(a)):
        assert_same(g.compute(), e)
    assert da.argwhere(x).chunks[1] == (a.ndim,)


@SETTINGS
@given(cases(), st.data())
def test_compress_and_extract_match_numpy(case, data):
    a, chunks = case
    x = da.from_array(a, chunks=chunks)
    axis = data.draw(st.one_of(st.none(), st.integers(-a.ndim, a.ndim - 1)))
    n = a.size if axis is None else a.shape[axis]
    cond = data.draw(hnp.arrays(bool, (data.draw(st.integers(0, n)),)))
    lazy = data.draw(st.booleans())
    c = da.from_array(cond, chunks=max(1, len(cond) // 2 or 1)) if lazy else cond
    assert_same(da.compress(c, x, axis=axis).compute(), np.compress(cond, a, axis=axis))
    full = data.draw(hnp.arrays(bool, a.shape))
    cc = da.from_array(full, chunks=chunks) if lazy else full
    assert_same(da.extract(cc, x).compute(), np.extract(full, a))


def test_compress_errors():
    x = da.ones((4, 3), chunks=2)
    with pytest.raises(ValueError, match="one dimensional"):
        da.compress(da.ones((2, 2), dtype=bool), x)
    with pytest.raises(IndexError, match="longer"):
        da.compress(np.ones(5, bool), x, axis=0)
    with pytest.raises(np.exceptions.AxisError):
        da.compress(np.ones(2, bool), x, axis=2)


def test_nonzero_of_0d_raises_as_numpy():
    with pytest.raises(ValueError, match="0d"):
        da.nonzero(da.from_array(np.array(3)))


# -- unique ------------------------------------------------------------------------------
@SETTINGS
@given(cases(), st.booleans(), st.booleans(), st.booleans())
def test_unique_matches_numpy(case, ri, rv, rc):
    a, chunks = case
    x = da.from_array(a, chunks=chunks)
    got = da.unique(x, return_index=ri, return_inverse=rv, return_counts=rc)
    exp = np.unique(a, return_index=ri, return_inverse=rv, return_counts=rc)
    if not isinstance(exp, tuple):
        got, exp = (got,), (exp,)
    assert math.isnan(got[0].shape[0])
    for g, e in zip(da.compute(*got), exp):
        assert_same(g, e)


@SETTINGS
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=2, max_side=6),
                  elements=st.sampled_from([0.0, -0.0, 1.0, 2.5, np.nan])), st.integers(1, 4))
def test_unique_with_nans_and_array_api_functions(a, c):
    x = da.from_array(a, chunks=c)
    assert_same(da.unique(x).compute(), np.unique(a))
    for name in ("unique_values", "unique_counts", "unique_inverse", "unique_all"):
        got = getattr(da, name)(x)
        exp = getattr(np, name)(a)
        if name == "unique_values":
            got, exp = (got,), (exp,)
        else:
            assert type(got).__name__ == type(exp).__name__
        got = da.compute(*got)
        if name in ("unique_inverse", "unique_all") and np.isnan(a).any():
            # NumPy numbers distinct NaNs in its sort's order; tessera in C order.
            inv = got[-2 if name == "unique_all" else -1]
            assert_same(got[0][inv], a)
            e_inv = exp[-2 if name == "unique_all" else -1]
            assert_same(inv[~np.isnan(a)], e_inv[~np.isnan(a)])
            got = tuple(g for g in got if g is not inv)
            exp = tuple(e for e in exp if e is not e_inv)
        for g, e in zip(got, exp):
            assert_same(g, e)


def test_unique_of_unknown_and_of_large_blocks():
    a = np.random.default_rng(0).integers(0, 50, 10_000)
    x = da.from_array(a, chunks=999)
    assert_same(da.unique(x[x > 10]).compute(), np.unique(a[a > 10]))
    v, c = da.unique(x, return_counts=True)
    assert_same((v * c).sum().compute(), (np.unique(a, return_counts=True)[0] * np.unique(a, return_counts=True)[1]).sum())


# -- lazy integer indices ----------------------------------------------------------------
@SETTINGS
@given(cases(min_dims=1), st.data())
def test_lazy_integer_index_matches_numpy(case, data):
    a, chunks = case
    axis = data.draw(st.integers(0, a.ndim - 1))
    n = a.shape[axis]
    ishape = data.draw(hnp.array_shapes(min_dims=1, max_dims=2, min_side=0, max_side=4)) if n else (0,)
    idx = data.draw(hnp.arrays(np.int64, ishape, elements=st.integers(-n, n - 1))) if n else np.zeros(0, np.int64)
    i = da.from_array(idx, chunks=2)
    x = da.from_array(a, chunks=chunks)
    key = (slice(None),) * axis + (i,)
    y = x[key]
    e = a[(slice(None),) * axis + (idx,)]
    assert y.shape == e.shape
    assert tuple(y.chunks[axis:axis + idx.ndim]) == i.chunks
    assert_same(y.compute(), e)
    if a.ndim == 1:
        assert_same(x.vindex[i].compute(), e)
        assert_same(x[i + 0].compute(), e)


def test_lazy_integer_index_from_nonzero_and_out_of_bounds():
    a = np.arange(20.0)
    x = da.from_array(a, chunks=6)
    idx = da.flatnonzero(x > 12)
    assert_same(x[idx].compute(), a[np.flatnonzero(a > 12)])
    bad = da.from_array(np.array([1, 25]), chunks=1)
    y = x[bad]
    assert y.shape == (2,)
    with pytest.raises(IndexError, match="25"):
        y.compute()
    with pytest.raises(IndexError, match="integer"):
        x[da.ones(3, chunks=1)]


# -- errors: Dask's for what needs known sizes -------------------------------------------
MESSAGE = "Arrays chunk sizes are unknown"


@pytest.mark.parametrize("op", [
    lambda y: y.reshape((2, -1)),
    lambda y: y.rechunk(2),
    lambda y: y[1:3],
    lambda y: y[0],
    lambda y: y[np.array([0])],
    lambda y: y.argmax(),
    lambda y: da.nanmax(y),
    lambda y: y.visualize(),
])
def test_operations_needing_sizes_raise_dasks_error(op):
    x = da.from_array(np.arange(10.0), chunks=3)
    y = x[x > 4]
    with pytest.raises(ValueError, match=MESSAGE):
        op(y)


def test_concatenate_stack_and_scans_of_unknown_sizes_as_dask():
    a = np.arange(10.0)
    x = da.from_array(a, chunks=3)
    y = x[x > 4]
    e = a[a > 4]
    c = da.concatenate([y, x, y])
    assert len(c.chunks[0]) == 4 + 4 + 4 and math.isnan(c.shape[0])
    assert_same(c.compute(), np.concatenate([e, a, e]))
    assert_same(da.stack([y, y]).compute(), np.stack([e, e]))
    assert_same(y.cumsum(axis=0).compute(), np.cumsum(e))
    assert_same(da.cumprod(y, axis=0).compute(), np.cumprod(e))


def test_mismatched_operand_names_the_unknown_sizes():
    x = da.from_array(np.arange(10.0), chunks=3)
    with pytest.raises(ValueError, match=r"unknown sizes: \(nan,\)"):
        x[x > 4] + np.arange(5)


def test_len_and_mask_shape_errors():
    x = da.from_array(np.arange(10.0), chunks=3)
    y = x[x > 4]
    with pytest.raises(ValueError, match="Cannot call len"):
        len(y)
    with pytest.raises(IndexError, match="boolean index did not match"):
        x[da.ones(4, dtype=bool, chunks=2)]
    z = da.ones((4, 5), chunks=2)
    with pytest.raises(IndexError, match="boolean index did not match"):
        z[da.ones((4, 4), dtype=bool, chunks=2)]
    with pytest.raises(NotImplementedError, match="lazy boolean mask"):
        z[da.ones(4, dtype=bool, chunks=2), np.array([1, 2])]
    with pytest.raises(NotImplementedError):
        z.vindex[da.ones(4, dtype=bool, chunks=2)]


def test_dask_parity_of_chunks():
    dask = pytest.importorskip("dask.array")
    a = np.arange(30.0).reshape(5, 6)
    for lib in (da, dask):
        x = lib.from_array(a, chunks=(2, 3))
        assert all(math.isnan(c) for c in x[x > 3].chunks[0])
        assert len(x[x[:, 0] > 3].chunks[0]) == 3
        assert x[x[:, 0] > 3].chunks[1] == (3, 3)


@SETTINGS
@given(cases(min_dims=1, dtypes=["bool", "int8", "int32", "uint16", "float32", "float64"]), st.data())
def test_sum_and_mean_of_a_masked_selection_in_one_pass(case, data):
    a, chunks = case
    x = da.from_array(a, chunks=chunks)
    axis = data.draw(st.integers(0, a.ndim - 1))
    m_np = data.draw(hnp.arrays(bool, (a.shape[axis],)))
    m = da.from_array(m_np, chunks=2)
    y = x[(slice(None),) * axis + (m,)]
    e = a[(slice(None),) * axis + (m_np,)]
    red = data.draw(st.sampled_from([None, axis, (axis,), tuple(range(a.ndim))]))
    keepdims = data.draw(st.booleans())
    s = y.sum(axis=red, keepdims=keepdims)
    assert not any(math.isnan(c) for ax in s.chunks for c in ax)  # known: no phase 1
    assert_same(s.compute(), e.sum(axis=red, keepdims=keepdims), rtol=1e-4)
    assert_same(da.sum(y, axis=red).compute(), e.sum(axis=red), rtol=1e-4)
    if e.size:
        assert_same(y.mean(axis=red, keepdims=keepdims).compute(), e.mean(axis=red, keepdims=keepdims), rtol=1e-4)
    if a.ndim > 1:  # not over the masked axis: unknown sizes stay
        other = (axis + 1) % a.ndim
        r = y.sum(axis=other)
        assert any(math.isnan(c) for ax in r.chunks for c in ax)
        assert_same(r.compute(), e.sum(axis=other), rtol=1e-4)


def test_vindex_with_two_lazy_index_arrays_and_thread_counts():
    a = np.arange(42.0).reshape(6, 7)
    x = da.from_array(a, chunks=(4, 3))
    i = da.from_array(np.array([5, 0, 3, 3]), chunks=3)
    j = da.from_array(np.array([6, 1, 0, -1]), chunks=3)
    assert_same(x.vindex[i, j].compute(), a[[5, 0, 3, 3], [6, 1, 0, -1]])
    assert_same(x[i, 2:].compute(), a[[5, 0, 3, 3], 2:])
    assert_same(x[1:, i[:2]].compute(), a[1:, [5, 0]])
    y = da.random.random(10_000, chunks=999)
    z = y[y > 0.3] * 2
    one = z.compute(scheduler="sync")
    assert np.array_equal(one, z.compute(num_workers=2))
    assert one.tobytes() == z.compute(num_workers=3).tobytes()


# -- the Array API's integer sizes (array.data-dependent-shapes = "compute") ----------------
COMPUTE = {"array.data-dependent-shapes": "compute"}


@SETTINGS
@given(cases(), st.data())
def test_computed_sizes_are_integers_and_values_match_numpy(case, data):
    a, chunks = case
    x = da.from_array(a, chunks=chunks)
    m = a != 0 if a.dtype != bool else a
    with da.config.set(COMPUTE):
        sel = x[da.from_array(m, chunks=chunks)]
        nz = da.nonzero(x)
        uv = da.unique_values(x)
        ua = da.unique_all(x)
    assert sel.shape == a[m].shape and all(isinstance(n, int) for n in sel.shape)
    assert_same(sel.compute(), a[m])
    for got, exp in zip(nz, np.nonzero(a)):
        assert got.shape == exp.shape
        assert_same(got.compute(), exp.astype(np.int64))
    exp = np.unique_all(a) if hasattr(np, "unique_all") else None
    assert uv.shape == np.unique(a, equal_nan=False).shape
    assert ua.values.shape == ua.counts.shape == ua.indices.shape and ua.inverse_indices.shape == a.shape
    if exp is not None and a.dtype.kind != "f":
        assert_same(ua.values.compute(), exp.values)
        assert_same(ua.counts.compute(), exp.counts.astype(np.int64))
    # The default stays Dask's: nan.
    assert math.isnan(da.unique_values(x).shape[0]) and math.isnan(da.nonzero(x)[0].shape[0])


def test_computed_sizes_config_and_capabilities():
    caps = da.__array_namespace_info__().capabilities()
    assert caps["data-dependent shapes"] is False and caps["boolean indexing"] is False
    with da.config.set(COMPUTE):
        caps = da.__array_namespace_info__().capabilities()
        assert caps["data-dependent shapes"] is True and caps["boolean indexing"] is True
        x = da.arange(6, chunks=4)
        y = x[x > 2]
        assert y.shape == (3,) and y.chunks == ((1, 2),)
        assert y.name == y.name  # stable once known
    with da.config.set({"array.data-dependent-shapes": "yes"}):
        with pytest.raises(ValueError, match="array.data_dependent_shapes must be 'nan'.*'compute'.*'yes'"):
            da.unique_values(da.arange(3))


def test_zero_d_lazy_mask_as_numpy():
    a = np.arange(12).reshape(3, 4)
    for key in [(True,), (False,), (1, True), (Ellipsis, True), (slice(None), True, 2), (True, slice(1, 3))]:
        lazy = tuple(da.asarray(np.bool_(k)) if isinstance(k, bool) else k for k in key)
        got = da.asarray(a)[lazy]
        assert sum(map(math.isnan, got.shape)) == 1
        assert_same(got.compute(), a[key])
    with da.config.set(COMPUTE):
        assert da.asarray(np.float64(3))[da.asarray(True)].shape == (1,)
        assert da.asarray(np.float64(3))[da.asarray(False)].shape == (0,)


def test_scalar_conversions_of_unknown_arrays_compute():
    a = np.arange(5).reshape(1, 5)
    out = da.asarray(a)[0, da.asarray(np.array([3, 1], np.int32))]
    assert bool(out[0] == 3) and int(out[1]) == 1 and float(out[1]) == 1.0 and complex(out[0]) == 3
    assert [10, 20, 30, 40][out[1]] == 20  # __index__
    x = da.arange(6, chunks=4)
    s = x[x > 3].sum()
    assert int(s) == 9
    with pytest.raises(TypeError, match="only length-1"):
        int(x[x > 3])


@SETTINGS
@given(cases(min_dims=1), st.data())
def test_take_along_axis_with_lazy_indices(case, data):
    a, chunks = case
    axis = data.draw(st.integers(-a.ndim, a.ndim - 1))
    n = a.shape[axis]
    ishape = list(a.shape)
    ishape[axis] = data.draw(st.integers(0 if n else 0, 4))
    if n == 0:
        ishape[axis] = 0
    idx = data.draw(hnp.arrays(np.int64, tuple(ishape), elements=st.integers(-n, max(n - 1, 0)) if n else st.just(0)))
    got = da.take_along_axis(da.from_array(a, chunks=chunks), da.from_array(idx), axis)
    assert got.shape == idx.shape
    assert_same(got.compute(), np.take_along_axis(a, idx, axis))


def test_take_along_axis_lazy_errors():
    x = da.arange(6).reshape(2, 3)
    with pytest.raises(IndexError, match="out of bounds"):
        da.take_along_axis(x, da.asarray(np.array([[0], [3]])), axis=1).compute()
    with pytest.raises(IndexError, match="take_along_axis: `indices` must be an integer array"):
        da.take_along_axis(x, da.asarray(np.array([[0.5]])), axis=1)
    with pytest.raises(ValueError, match="same number of dimensions"):
        da.take_along_axis(x, da.asarray(np.array([0])), axis=1)


@pytest.mark.parametrize("xs, ms", [((0, 1), (0, 0)), ((2, 3), (2, 0)), ((2, 3), (0, 3)), ((2, 3), (0,)),
                                    ((2, 3, 4), (0, 3)), ((2, 3), (0, 5)), ((2, 3), (3, 0)), ((2, 3), (3,))])
def test_empty_masks_as_numpy(xs, ms):
    """NumPy lets an axis of 0 of an empty mask stand for any size (the Array API suite too)."""
    a = np.arange(math.prod(xs)).reshape(xs)
    m = np.zeros(ms, bool)
    try:
        exp = a[m]
    except IndexError:
        for key in (m, da.asarray(m)):
            with pytest.raises(IndexError, match="boolean index did not match"):
                da.asarray(a)[key]
        return
    assert_same(da.asarray(a)[m].compute(), exp)
    got = da.asarray(a)[da.asarray(m)]
    assert got.shape == exp.shape  # no data-dependent size: the mask is empty
    assert_same(got.compute(), exp)
