"""Chunks: tessera's `chunks` attribute equals Dask's for the same specification, and the
chunk-related properties match."""

from __future__ import annotations

import dask.array as dsk
import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tessera as da
from conftest import DTYPES, chunks_for


@given(
    shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=12),
    dtype=st.sampled_from(DTYPES),
    data=st.data(),
)
def test_chunks_match_dask(shape, dtype, data):
    spec = data.draw(chunks_for(shape))
    x = da.zeros(shape, dtype=dtype, chunks=spec)
    try:
        d = dsk.zeros(shape, dtype=dtype, chunks=spec)
    except ZeroDivisionError:  # Dask fails on some empty arrays with auto chunks
        assume(False)
    assert x.chunks == d.chunks
    for attr in ("shape", "numblocks", "npartitions", "chunksize", "ndim", "size", "nbytes", "itemsize", "dtype"):
        assert getattr(x, attr) == getattr(d, attr), attr


@pytest.mark.parametrize(
    "shape, dtype",
    [
        ((800_000_000,), "float64"),
        ((20000, 20000), "float64"),
        ((10, 100_000_000), "float64"),
        ((1_000_000, 10_000), "float32"),
        ((300, 300, 300), "int8"),
        ((5000, 70000), "uint16"),
        ((3, 4, 5, 6), "bool"),
        ((0, 5), "float64"),
    ],
)
@pytest.mark.parametrize("spec", ["auto", ("auto", -1), (-1, "auto"), ("auto", 5000), {0: 1000}, (None, "auto")])
def test_auto_chunks_match_dask(shape, dtype, spec):
    if isinstance(spec, tuple) and len(spec) != len(shape):
        spec = spec[:1] * len(shape)
    if isinstance(spec, dict) and len(shape) == 1:
        spec = {0: 1000}
    x = da.zeros(shape, dtype=dtype, chunks=spec)
    try:
        d = dsk.zeros(shape, dtype=dtype, chunks=spec)
    except ZeroDivisionError:  # Dask fails on empty arrays with a fixed axis and an auto one
        assert x.chunks == ((0,), (5,))
        return
    assert x.chunks == d.chunks


@pytest.mark.parametrize("spec", ["1 MiB", "100kB", "64MiB"])
def test_byte_size_chunks_match_dask_in_1d(spec):
    x = da.ones(10_000_000, chunks=spec)
    d = dsk.ones(10_000_000, chunks=spec)
    assert x.chunks == d.chunks


def test_chunk_size_config():
    with da.config.set({"array.chunk-size": "1MiB"}):
        assert da.ones(1_000_000).chunks[0][0] == 131072
    assert da.ones(1_000_000).chunks == ((1_000_000,),)


@pytest.mark.parametrize(
    "spec, shape",
    [
        (((2, 3),), (5,)),
        ((2, 3), (5,)),
        (((5, 0),), (5,)),
        (((0, 5, 0),), (5,)),
        (2.0, (5,)),
        (np.int64(2), (5,)),
        ({1: 2}, (3, 5)),
        ({-1: 2}, (3, 5)),
        ((None, 2), (3, 5)),
        (((1, 2), (2, 3)), (3, 5)),
        (-1, (3, 5)),
        (((3,), 5), (3, 5)),
    ],
)
def test_explicit_chunk_forms(spec, shape):
    x = da.ones(shape, chunks=spec)
    if spec == {-1: 2}:
        # tessera takes negative axes in dicts; Dask ignores them
        assert x.chunks == ((3,), (2, 2, 1))
        return
    assert x.chunks == dsk.ones(shape, chunks=spec).chunks


@pytest.mark.parametrize(
    "spec, shape, words",
    [
        (((2, 2),), (5,), "add up to 4"),
        ((2,), (3, 5), "same length"),
        (0, (5,), "chunk size 0"),
        ((2.5,), (5,), "integers"),
        ({3: 2}, (3, 5), "out of range"),
        ("lots", (5,), "byte size"),
    ],
)
def test_bad_chunks(spec, shape, words):
    with pytest.raises(ValueError, match=words):
        da.ones(shape, chunks=spec)


@given(data=st.data(), shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=10))
def test_rechunk_matches_dask(data, shape):
    a = np.arange(int(np.prod(shape))).reshape(shape)
    c1 = data.draw(chunks_for(shape))
    c2 = data.draw(chunks_for(shape))
    x = da.from_array(a, chunks=c1).rechunk(c2)
    d = dsk.from_array(a, chunks=c1).rechunk(c2)
    assert x.chunks == d.chunks
    np.testing.assert_array_equal(x.compute(), a)


@given(data=st.data())
def test_elementwise_chunk_unification_matches_dask(data):
    s1, s2 = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=8)).input_shapes
    c1 = data.draw(chunks_for(s1))
    c2 = data.draw(chunks_for(s2))
    x = da.ones(s1, chunks=c1) + da.ones(s2, chunks=c2)
    d = dsk.ones(s1, chunks=c1) + dsk.ones(s2, chunks=c2)
    assert x.shape == d.shape
    assert x.chunks == d.chunks


@given(data=st.data(), shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=8))
def test_reduction_and_transpose_chunks_match_dask(data, shape):
    c = data.draw(chunks_for(shape))
    x, d = da.ones(shape, chunks=c), dsk.ones(shape, chunks=c)
    axis = data.draw(st.integers(0, len(shape) - 1))
    keep = data.draw(st.booleans())
    assert x.sum(axis=axis, keepdims=keep).chunks == d.sum(axis=axis, keepdims=keep).chunks
    assert x.T.chunks == d.T.chunks
    perm = data.draw(st.permutations(range(len(shape))))
    assert x.transpose(perm).chunks == d.transpose(perm).chunks
