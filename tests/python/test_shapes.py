"""Shape functions against NumPy (values) and Dask (chunks where tessera follows it)."""

from __future__ import annotations

import dask.array as dsk
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tessera as da
from conftest import DTYPES, arrays, assert_same, chunks_for, elements, nonempty_shapes


def _factorizations(n, max_dims=4):
    """Shapes with `n` elements."""
    out = [(n,)]
    for a in range(1, n + 1):
        if n % a == 0:
            out.append((a, n // a))
            for b in range(1, n // a + 1):
                if (n // a) % b == 0:
                    out.append((a, b, n // a // b))
                    out.append((a, 1, b, n // a // b))
    return [s for s in out if len(s) <= max_dims]


@given(data=st.data())
def test_reshape_matches_numpy(data):
    a, chunks = data.draw(arrays(shape=data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=6))))
    x = da.from_array(a, chunks=chunks)
    new = list(data.draw(st.sampled_from(_factorizations(a.size))))
    if data.draw(st.booleans()):
        new[data.draw(st.integers(0, len(new) - 1))] = -1
    y = x.reshape(new)
    assert_same(y.compute(), a.reshape(new))
    assert sum(y.chunks[0]) == a.reshape(new).shape[0]
    assert_same(da.reshape(x, tuple(new)).compute(), a.reshape(new))
    assert_same(x.reshape(*new).compute(), a.reshape(new))


def test_reshape_chunks_differ_from_dask_by_design():
    """tessera reshapes blockwise after making the inner axes of each merged or split group
    whole (fewer, larger chunks); Dask (2024+) keeps the leading axis's chunks and splits the
    others small. Values are the same; chunks differ (documented)."""
    a = np.arange(24.0).reshape(6, 4)
    x = da.from_array(a, chunks=2).reshape(24)
    assert x.chunks == ((8, 8, 8),)
    assert dsk.from_array(a, chunks=2).reshape(24).chunks == ((4,) * 6,)
    assert_same(x.compute(), a.reshape(24))


@given(data=st.data())
def test_transpose_matches_numpy(data):
    a, chunks = data.draw(arrays())
    x = da.from_array(a, chunks=chunks)
    perm = data.draw(st.permutations(range(a.ndim)))
    perm = [p - a.ndim if data.draw(st.booleans()) else p for p in perm]
    assert_same(x.transpose(perm).compute(), a.transpose(perm))
    assert_same(x.transpose(*perm).compute() if perm else x.transpose().compute(), a.transpose(perm))
    assert_same(da.transpose(x).compute(), a.T)
    assert_same(x.T.compute(), a.T)


@given(data=st.data())
def test_broadcast_to_matches_numpy(data):
    a, chunks = data.draw(arrays(shape=data.draw(hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=4))))
    target = data.draw(hnp.array_shapes(min_dims=a.ndim, max_dims=a.ndim + 2, min_side=1, max_side=4))
    target = tuple(target[: len(target) - a.ndim]) + tuple(
        d if d != 1 else data.draw(st.integers(1, 4)) for d in a.shape
    )
    x = da.from_array(a, chunks=chunks)
    assert_same(da.broadcast_to(x, target).compute(), np.broadcast_to(a, target))
    d = dsk.broadcast_to(dsk.from_array(a, chunks=x.chunks), target)
    assert da.broadcast_to(x, target).chunks == d.chunks


@given(data=st.data())
def test_rechunk_keeps_values(data):
    a, c1 = data.draw(arrays())
    c2 = data.draw(chunks_for(a.shape))
    x = da.from_array(a, chunks=c1).rechunk(c2)
    assert_same(x.compute(), a)
    assert_same((x + x).sum(axis=0).compute() if a.ndim else (x + x).compute(), (a + a).sum(axis=0) if a.ndim else a + a)


def test_rechunk_none_and_dict_keep_axes():
    x = da.ones((6, 8), chunks=(2, 3))
    assert x.rechunk((None, 4)).chunks == ((2, 2, 2), (4, 4))
    assert x.rechunk({1: 4}).chunks == ((2, 2, 2), (4, 4))
    assert x.rechunk({-2: 3}).chunks == ((3, 3), (3, 3, 2))
    assert da.rechunk(x, 5).chunks == dsk.rechunk(dsk.ones((6, 8), chunks=(2, 3)), 5).chunks


def test_squeeze_expand_dims_ravel_swapaxes_moveaxis():
    a = np.arange(24.0).reshape(1, 2, 1, 3, 4)
    x = da.from_array(a, chunks=2)
    assert_same(x.squeeze().compute(), a.squeeze())
    assert_same(da.squeeze(x, axis=(0, 2)).compute(), a.squeeze(axis=(0, 2)))
    with pytest.raises(ValueError, match="squeeze"):
        x.squeeze(axis=1)
    assert_same(da.expand_dims(x, (0, -1)).compute(), np.expand_dims(a, (0, -1)))
    assert_same(x.ravel().compute(), a.ravel())
    assert_same(x.flatten().compute(), a.ravel())
    assert_same(da.ravel(x).compute(), a.ravel())
    assert_same(x.swapaxes(1, -1).compute(), a.swapaxes(1, -1))
    assert_same(da.moveaxis(x, [0, 1], [-1, -2]).compute(), np.moveaxis(a, [0, 1], [-1, -2]))
    y = x.copy()  # a new object over the same expression: assignments to x do not show in it
    assert y is not x and y.name == x.name


@pytest.mark.parametrize("dtype", DTYPES)
def test_astype_matches_numpy(dtype):
    a = np.array([0, 1, -1, 2.5, -2.5, 100.7, 127, -128, 255, 256, -129, 1e6, 2**40, -(2**40), 3e9, -3e9,
                  2.0**63, 2.0**64, -(2.0**63), 1e20, -1e20, np.nan, np.inf, -np.inf])
    for src in DTYPES:
        with np.errstate(all="ignore"):
            b = a.astype(src)
        if b.dtype.kind in "fc" and b.dtype != np.float16 and dtype == "uint32":
            # NumPy's SIMD float -> uint32 loop answers out-of-range values by their position
            # in the array (README); every other float -> int cast is NumPy's, wrapping included
            b = b[(b.real > -(2**31)) & (b.real < 2**32)]
        got = da.from_array(b, chunks=3).astype(dtype).compute()
        with np.errstate(all="ignore"):
            assert_same(got, b.astype(dtype))
