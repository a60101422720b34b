"""map_overlap, overlap, trim_internal/trim_overlap, boundaries and sliding_window_view
against Dask (same chunks, same values) and NumPy (np.pad with the matching mode, then the
function on the whole padded array; sliding windows), over random shapes, chunkings
(uneven, size-1, empty axes), dtypes, depths and boundaries per axis; slices pushed
through the overlap; and the error paths."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tessera as da

dask_array = pytest.importorskip("dask.array")
import dask  # noqa: E402

dask.config.set(scheduler="synchronous")

SETTINGS = settings(derandomize=True, max_examples=40, deadline=None)
MODES = ["none", "reflect", "periodic", "nearest", "constant"]
NP_MODE = {"reflect": "symmetric", "periodic": "wrap", "nearest": "edge", "constant": "constant"}


def split(n, cuts):
    """Chunk sizes of an axis of length n from a list of cut sizes (uneven, size-1)."""
    if n == 0:
        return (0,)
    out, left = [], n
    for c in cuts * (n + 1):
        s = min(c, left)
        out.append(s)
        left -= s
        if left == 0:
            return tuple(out)


@st.composite
def arrays(draw, max_nd=3, max_side=9, min_side=0, dtype=None):
    nd = draw(st.integers(1, max_nd))
    shape = tuple(draw(st.integers(min_side, max_side)) for _ in range(nd))
    chunks = tuple(split(n, draw(st.lists(st.integers(1, 4), min_size=1, max_size=4))) for n in shape)
    dt = dtype or draw(st.sampled_from(["float64", "int32", "int8", "uint16", "float32", "bool"]))
    seed = draw(st.integers(0, 1000))
    rng = np.random.default_rng(seed)
    a = (rng.integers(-50, 50, size=shape)).astype(dt)
    return a, chunks


def per_axis(draw, nd, one):
    """A value for every axis in one of Dask's forms: one for all, a tuple, or a dict."""
    form = draw(st.sampled_from(["one", "tuple", "dict"]))
    if form == "one":
        return one()
    if form == "tuple":
        return tuple(one() for _ in range(nd))
    return {i: one() for i in range(nd) if draw(st.booleans())}


@st.composite
def boundary_st(draw, nd, dtype):
    def one():
        m = draw(st.sampled_from(MODES))
        if m == "constant":
            return draw(st.sampled_from([0, 7, -3, 1.5])) if dtype != "bool" else True
        return m

    return per_axis(draw, nd, one)


@st.composite
def depth_st(draw, nd, allow_tuple=False):
    def one():
        if allow_tuple and draw(st.booleans()):
            return (draw(st.integers(0, 3)), draw(st.integers(0, 3)))
        return draw(st.integers(0, 3))

    return per_axis(draw, nd, one)


def same(t, d):
    """Same chunks and the same values (and dtype) as Dask."""
    assert t.chunks == d.chunks
    tv, dv = t.compute(), d.compute()
    assert tv.dtype == dv.dtype
    np.testing.assert_array_equal(tv, dv)


def both(f, *args, **kwargs):
    """f on tessera and on Dask: both raise the same class, or both give arrays."""
    try:
        d = f(dask_array, *args, **kwargs)
        d = (d, d.compute())
    except Exception as e:  # noqa: BLE001
        with pytest.raises(type(e)):
            f(da, *args, **kwargs).compute()
        return None, None
    t = f(da, *args, **kwargs)
    return t, d


# ---------------------------------------------------------------------------------------
# overlap, trim, boundaries


@SETTINGS
@given(data=st.data(), arr=arrays())
def test_overlap_matches_dask(data, arr):
    a, chunks = arr
    nd = a.ndim
    boundary = data.draw(boundary_st(nd, a.dtype.name))
    depth = data.draw(depth_st(nd))
    allow = data.draw(st.booleans())

    def f(m):
        return m.overlap.overlap(m.from_array(a, chunks=chunks), depth=depth, boundary=boundary, allow_rechunk=allow)

    t, d = both(f)
    if t is not None:
        assert t.chunks == d[0].chunks
        np.testing.assert_array_equal(t.compute(), d[1])


@SETTINGS
@given(data=st.data(), arr=arrays(min_side=1))
def test_asymmetric_overlap_and_trim_match_dask(data, arr):
    a, chunks = arr
    depth = data.draw(depth_st(a.ndim, allow_tuple=True))

    def f(m):
        g = m.overlap.overlap(m.from_array(a, chunks=chunks), depth=depth, boundary="none")
        return m.overlap.trim_overlap(g, depth, boundary="none")

    t, d = both(f)
    if t is not None:
        assert t.chunks == d[0].chunks
        np.testing.assert_array_equal(t.compute(), d[1])
        np.testing.assert_array_equal(d[1], a)


@SETTINGS
@given(data=st.data(), arr=arrays(min_side=1))
def test_boundaries_and_trim_internal_match_dask(data, arr):
    a, chunks = arr
    nd = a.ndim
    boundary = data.draw(boundary_st(nd, a.dtype.name))
    d = data.draw(st.integers(0, 3))

    kind = da.overlap.coerce_boundary(nd, boundary)

    def pad(m):
        return m.overlap.boundaries(m.from_array(a, chunks=chunks), d, kind)

    t, dd = both(pad)
    if t is not None:
        same(t, dd[0])
    axis = data.draw(st.integers(0, nd - 1))
    for name, extra in [("periodic", ()), ("reflect", ()), ("nearest", ()), ("constant", (5,))]:
        if d == 0 or d > a.shape[axis]:
            continue

        def one(m):
            return getattr(m.overlap, name)(m.from_array(a, chunks=chunks), axis, d, *extra)

        t, dd = both(one)
        if t is not None:
            same(t, dd[0])
    # trim_internal of any array with small enough chunks.
    depth = {i: data.draw(st.integers(0, 1)) for i in range(nd)}

    def trim(m):
        x = m.from_array(a, chunks=tuple((c if len(c) == 1 else c) for c in chunks))
        return m.overlap.trim_internal(x, depth, boundary=boundary)

    if all(min(c) >= 2 * depth[i] for i, c in enumerate(chunks)):
        t, dd = both(trim)
        if t is not None:
            same(t, dd[0])


# ---------------------------------------------------------------------------------------
# map_overlap against Dask and NumPy


def stencil(b):
    """A 3-point sum along every axis (reads one neighbour on each side)."""
    out = b.astype(np.float64)
    for ax in range(b.ndim):
        out = out + np.roll(b, 1, axis=ax) + np.roll(b, -1, axis=ax)
    return out


def np_pad(a, depth, boundary):
    """`a` padded axis by axis as Dask's `boundaries` pads."""
    for ax in range(a.ndim):
        b = boundary[ax]
        if depth[ax] == 0 or (isinstance(b, str) and b == "none"):
            continue
        width = [(0, 0)] * a.ndim
        width[ax] = (depth[ax], depth[ax])
        if isinstance(b, str):
            a = np.pad(a, width, mode=NP_MODE[b])
        else:
            a = np.pad(a, width, mode="constant", constant_values=np.full((), b, dtype=a.dtype))
    return a


@SETTINGS
@given(data=st.data(), arr=arrays(min_side=1))
def test_map_overlap_matches_dask_and_numpy(data, arr):
    a, chunks = arr
    nd = a.ndim
    mode = data.draw(st.sampled_from(MODES[1:]))
    boundary = {i: (mode if mode != "constant" else 3) for i in range(nd)}
    for i in range(nd):
        if data.draw(st.booleans()):
            boundary[i] = data.draw(st.sampled_from(MODES[1:4]))
    depth = {i: data.draw(st.integers(1, 2)) for i in range(nd)}

    def f(m):
        return m.from_array(a, chunks=chunks).map_overlap(stencil, depth=depth, boundary=boundary, dtype=np.float64)

    t, d = both(f)
    if t is None:
        return
    same(t, d[0])
    # The stencil over the whole padded array, cropped: the same (no 'none' axes here).
    p = np_pad(a, [depth[i] for i in range(nd)], boundary)
    want = stencil(p)[tuple(slice(depth[i], depth[i] + a.shape[i]) for i in range(nd))]
    np.testing.assert_array_equal(t.compute(), want)


@SETTINGS
@given(data=st.data(), arr=arrays(max_nd=2, min_side=1))
def test_map_overlap_block_info_and_none_edges_match_dask(data, arr):
    a, chunks = arr
    boundary = data.draw(boundary_st(a.ndim, a.dtype.name))
    depth = data.draw(depth_st(a.ndim))

    def g(b, block_info=None, block_id=None):
        # Depends on the block: its position, size and location in the grown array.
        loc = block_info[0]["array-location"]
        return b.astype(np.float64) + 1000 * block_id[0] + 7 * b.size + loc[0][0]

    def f(m):
        return m.map_overlap(g, m.from_array(a, chunks=chunks), depth=depth, boundary=boundary, dtype=np.float64)

    t, d = both(f)
    if t is not None:
        same(t, d[0])
        # Slices of it, pushed through the trim, the kernel and the overlap.
        idx = tuple(slice(data.draw(st.integers(0, n)), None) for n in a.shape)
        np.testing.assert_array_equal(t[idx].compute(), d[1][idx])


@SETTINGS
@given(data=st.data(), arr=arrays(max_nd=2, min_side=2, dtype="float64"))
def test_map_overlap_several_arrays_drop_and_new_axes_match_dask(data, arr):
    a, chunks = arr
    b = (a[-1] if a.ndim == 2 else a) * 2 + 1
    bchunks = chunks[-1]
    boundary = data.draw(st.sampled_from(["reflect", "none", "periodic", 0]))

    def add(m):
        return m.map_overlap(lambda x, y: x + y, m.from_array(a, chunks=chunks), m.from_array(b, chunks=bchunks),
                             depth=1, boundary=boundary)

    t, d = both(add)
    if t is not None:
        same(t, d[0])

    def drop(m):
        return m.map_overlap(lambda x: x.sum(axis=0), m.from_array(a, chunks=chunks), depth=1, boundary=boundary,
                             drop_axis=0, dtype=np.float64)

    def new(m):
        # (new_axis=ndim breaks Dask's trim: it takes the axis modulo ndim)
        return m.map_overlap(lambda x: x[None] * 2, m.from_array(a, chunks=chunks), depth=1, boundary=boundary,
                             new_axis=0, dtype=np.float64)

    for f in (drop, new):
        t, d = both(f)
        if t is not None:
            same(t, d[0])


def test_map_overlap_trim_false_with_chunks_matches_dask():
    a = np.arange(40.0).reshape(5, 8)
    for m in (da, dask_array):
        x = m.from_array(a, chunks=(2, 3))
        r = m.map_overlap(lambda b: b[1:-1, 1:-1] * 2, x, depth=1, boundary="reflect", trim=False)
        if m is da:
            t = r
        else:
            d = r
    same(t, d)


def test_map_overlap_docstring_examples():
    x = da.from_array(np.array([1, 1, 2, 3, 3, 3, 2, 1, 1]), chunks=5)
    y = x.map_overlap(lambda x: x - np.roll(x, 1), depth=1, boundary=0)
    np.testing.assert_array_equal(y.compute(), [1, 0, 1, 1, 0, 0, -1, -1, 0])
    d = da.from_array(np.arange(16).reshape((4, 4)), chunks=(2, 2))
    np.testing.assert_array_equal(d.map_overlap(lambda x: x + x.size, depth=1, boundary="reflect").compute(),
                                  np.arange(16).reshape(4, 4) + 16)
    np.testing.assert_array_equal(
        d.map_overlap(lambda x: x + x.size, {0: 1, 1: 1}, {0: "reflect", 1: "none"}).compute(),
        np.arange(16).reshape(4, 4) + 12)
    x = da.ones(10, dtype="int")
    assert da.map_overlap(lambda x: x.sum(), x, chunks=(), drop_axis=0, boundary="reflect").compute() == 10
    assert da.map_overlap(lambda x: x.sum(), x, chunks=(), drop_axis=0, depth=1, boundary="reflect").compute() == 12
    # Depth 0 is map_blocks: no boundary, no rechunk.
    z = da.from_array(np.arange(10), chunks=3).map_overlap(lambda b: b * 2, depth=0, boundary="periodic")
    assert z.chunks == ((3, 3, 3, 1),)


@pytest.mark.parametrize("boundary", ["none", "reflect", "periodic", "nearest", 0, -2.5])
@pytest.mark.parametrize("dtype", ["bool", "int8", "uint64", "float32", "float64"])
def test_dtypes_and_constants_match_dask(boundary, dtype):
    a = (np.arange(60).reshape(6, 10) % 7 - 3).astype(dtype)
    if dtype == "bool" and not isinstance(boundary, str):
        boundary = True

    def f(m):
        return m.overlap.overlap(m.from_array(a, chunks=(4, 3)), depth={0: 2, 1: 1}, boundary=boundary)

    t, d = both(f)
    if t is not None:
        assert t.dtype == d[0].dtype
        same(t, d[0])


# ---------------------------------------------------------------------------------------
# sliding_window_view


@SETTINGS
@given(data=st.data(), arr=arrays(max_nd=2, min_side=1, dtype="float64"))
def test_sliding_window_view_matches_numpy_and_dask(data, arr):
    a, chunks = arr
    nd = a.ndim
    axis = data.draw(st.one_of(st.none(), st.lists(st.integers(-nd, nd - 1), min_size=1, max_size=2)))
    n_win = nd if axis is None else len(axis)
    window = tuple(data.draw(st.integers(1, 4)) for _ in range(n_win))
    rechunk = data.draw(st.booleans())
    ax = None if axis is None else tuple(axis)
    try:
        want = np.lib.stride_tricks.sliding_window_view(a, window, axis=ax)
    except ValueError:
        with pytest.raises(ValueError):
            da.lib.stride_tricks.sliding_window_view(da.from_array(a, chunks=chunks), window, axis=ax,
                                                     automatic_rechunk=rechunk).compute()
        return
    t = da.lib.stride_tricks.sliding_window_view(da.from_array(a, chunks=chunks), window, axis=ax,
                                                 automatic_rechunk=rechunk)
    d = dask_array.lib.stride_tricks.sliding_window_view(dask_array.from_array(a, chunks=chunks), window, axis=ax,
                                                         automatic_rechunk=rechunk)
    assert t.chunks == d.chunks
    np.testing.assert_array_equal(t.compute(), want)
    assert da.overlap.sliding_window_view is da.lib.stride_tricks.sliding_window_view


# ---------------------------------------------------------------------------------------
# Slices computed through the overlap


def test_slice_of_a_large_map_overlap_computes_one_block():
    calls = []

    def f(b, block_id=None):
        calls.append(block_id)
        return b * 2

    x = da.random.random((10000, 10000), chunks=(50, 50))
    y = x.map_overlap(f, depth=1, dtype=np.float64)
    r = y[5000:5010, 5000:5010].compute()
    np.testing.assert_array_equal(r, x[5000:5010, 5000:5010].compute() * 2)
    # Only block (100, 100) was computed, with the id it has in the whole array.
    assert [tuple(c) for c in calls if c is not None and c != (0, 0)] == [(100, 100)]


@pytest.mark.parametrize("boundary", ["none", "reflect", "periodic", "nearest", 9])
def test_slices_at_the_edges_use_the_boundary(boundary):
    a = np.arange(100.0).reshape(10, 10)

    def f(m):
        return m.from_array(a, chunks=3).map_overlap(stencil, depth=1, boundary=boundary, dtype=np.float64)

    t, d = f(da), f(dask_array).compute()
    for idx in [(slice(0, 2), slice(None)), (slice(-1, None), slice(8, None)), (0, slice(None, None, -3)),
                (slice(4, 7), 9), (slice(None), slice(None))]:
        np.testing.assert_array_equal(t[idx].compute(), d[idx])


# ---------------------------------------------------------------------------------------
# Errors


def test_errors():
    x = da.from_array(np.arange(10.0), chunks=(4, 4, 2))
    with pytest.raises(ValueError, match="allow_rechunk=True"):
        da.overlap.overlap(x, depth=3, boundary="reflect", allow_rechunk=False)
    with pytest.raises(ValueError, match="allow_rechunk=True"):
        x.map_overlap(lambda b: b, depth=3, allow_rechunk=False)
    with pytest.raises(ValueError, match="larger than your array 10"):
        x.map_overlap(lambda b: b, depth=11, boundary="reflect")
    with pytest.raises(NotImplementedError, match="Asymmetric overlap"):
        x.map_overlap(lambda b: b, depth={0: (1, 2)}, boundary="reflect")
    with pytest.raises(NotImplementedError, match="Asymmetric overlap"):
        da.overlap.overlap(x, depth={0: (1, 2)}, boundary="periodic")
    with pytest.raises(ValueError, match="unknown boundary 'wrap'"):
        x.map_overlap(lambda b: b, depth=1, boundary="wrap")
    with pytest.raises(ValueError, match="negative"):
        x.map_overlap(lambda b: b, depth=-1)
    with pytest.raises(OverflowError):
        da.overlap.overlap(x.astype("int8"), depth=1, boundary=300)
    with pytest.raises(TypeError, match="First argument must be callable"):
        da.map_overlap(x, 1)
    with pytest.raises(TypeError, match="All variadic arguments must be arrays"):
        da.map_overlap(lambda b: b, x, np.ones(10))
    with pytest.raises(ValueError, match="window_shape"):
        da.lib.stride_tricks.sliding_window_view(x, (0,))
    with pytest.raises(ValueError, match="chunked"):
        da.map_overlap(lambda a, b: a + b, x, da.arange(10, chunks=2), depth=1, align_arrays=False)
    # trim=False without the chunks the function returns: the block named at compute.
    y = x.map_overlap(lambda b: b, depth=1, trim=False)
    with pytest.raises(ValueError, match=r"lambda: block \[0\] came back with shape \[5\]"):
        y.compute()


def test_user_exception_is_reraised_unchanged():
    class Boom(Exception):
        pass

    def f(b):
        raise Boom("no")

    x = da.from_array(np.arange(10.0), chunks=3)
    with pytest.raises(Boom, match="no"):
        x.map_overlap(f, depth=1, boundary="periodic", dtype=float).compute()


def test_deprecated_signature_warns():
    x = da.from_array(np.arange(10.0), chunks=5)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        y = da.map_overlap(x, lambda b: b + 1, 1, "reflect")
    assert any(issubclass(i.category, FutureWarning) for i in w)
    np.testing.assert_array_equal(y.compute(), np.arange(10.0) + 1)


def test_public_names_match_dask():
    for name in ["overlap", "map_overlap", "trim_internal", "trim_overlap", "boundaries", "periodic", "reflect",
                 "nearest", "constant", "ensure_minimum_chunksize", "coerce_depth", "coerce_boundary",
                 "sliding_window_view", "overlap_internal"]:
        assert callable(getattr(da.overlap, name)), name
    assert da.overlap.ensure_minimum_chunksize(10, (20, 20, 1)) == (20, 11, 10)
    assert da.overlap.ensure_minimum_chunksize(3, (1, 1, 3)) == (5,)
    assert da.map_overlap is da.overlap.map_overlap


def test_persist_owns_its_blocks():
    # Blocks grown without a boundary over in-memory data are views of it; persisted, they
    # are copies (later writes to the data do not show), as from_array's blocks are.
    a = np.arange(100.0).reshape(10, 10)
    g = da.overlap.overlap(da.from_array(a, chunks=5), depth=1, boundary="none")
    p = g.persist()
    want = g.compute()
    a[:] = -1
    np.testing.assert_array_equal(p.compute(), want)
    assert (g.compute() == -1).all()


def _push_reference(a, n, axis):
    """bottleneck.push by a loop: a NaN takes the last valid value at most n steps back."""
    b = np.moveaxis(a.copy(), axis, -1)
    for idx in np.ndindex(b.shape[:-1]):
        last, at = np.nan, None
        for i in range(b.shape[-1]):
            if not np.isnan(b[idx + (i,)]):
                last, at = b[idx + (i,)], i
            elif at is not None and (n is None or i - at <= n):
                b[idx + (i,)] = last
    return np.moveaxis(b, -1, axis)


@SETTINGS
@given(arrays(min_side=0, dtype="float64"), st.data())
def test_push_forward_fills_like_bottleneck(case, data):
    a, chunks = case
    a = np.where(a % 3 == 0, np.nan, a)
    axis = data.draw(st.integers(-a.ndim, a.ndim - 1))
    n = data.draw(st.sampled_from([None, 0, 1, 2, 5]))
    got = da.overlap.push(da.from_array(a, chunks=chunks), n, axis).compute()
    np.testing.assert_array_equal(got, _push_reference(a, n, axis % a.ndim))


def test_push_bad_input_is_named():
    x = da.ones((4, 3), chunks=2)
    with pytest.raises(ValueError, match="push: axis 2"):
        da.overlap.push(x, None, 2)
    with pytest.raises(ValueError, match="push: n must be"):
        da.overlap.push(x, -1, 0)


@SETTINGS
@given(arrays(max_nd=2), st.data())
def test_add_dummy_padding_is_dasks(case, data):
    a, chunks = case
    depth = {i: data.draw(st.integers(0, 2)) for i in range(a.ndim)}
    boundary = {i: data.draw(st.sampled_from(["none", "reflect"])) for i in range(a.ndim)}
    got = da.overlap.add_dummy_padding(da.from_array(a, chunks=chunks), depth, boundary)
    want = dask_array.overlap.add_dummy_padding(dask_array.from_array(a, chunks=chunks), depth, boundary)
    assert got.shape == want.shape and got.chunks == want.chunks and got.dtype == want.dtype
    inner = tuple(slice(depth[i], depth[i] + a.shape[i]) if boundary[i] == "none" else slice(None)
                  for i in range(a.ndim))
    np.testing.assert_array_equal(got.compute()[inner], a)
