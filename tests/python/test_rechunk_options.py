"""rechunk(balance=, block_size_limit=, method=, threshold=) and the config keys Dask users
set, against dask.array's behaviour."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tessera as da

dask = pytest.importorskip("dask")
dka = pytest.importorskip("dask.array")


@given(n=st.integers(1, 3000), old=st.integers(1, 400), new=st.integers(1, 400), m=st.integers(1, 5))
@settings(max_examples=60, deadline=None)
def test_balance_matches_dask(n, old, new, m):
    a = np.arange(n * m, dtype=np.float64).reshape(n, m)
    ours = da.from_array(a, chunks=(old, m))
    theirs = dka.from_array(a, chunks=(old, m))
    with warnings.catch_warnings(record=True) as w1:
        warnings.simplefilter("always")
        x = ours.rechunk((new, -1), balance=True)
    with warnings.catch_warnings(record=True) as w2:
        warnings.simplefilter("always")
        y = theirs.rechunk((new, -1), balance=True)
    assert x.chunks == y.chunks
    assert len(w1) == len(w2)
    np.testing.assert_array_equal(x.compute(), a)


def test_balance_doc_example():
    x = da.ones((1000, 1000), chunks=(100, 100))
    assert x.rechunk(chunks=(400, -1), balance=True).chunks == ((500, 500), (1000,))
    assert da.rechunk(x, (400, -1), balance=True).chunks == ((500, 500), (1000,))


@pytest.mark.parametrize("limit", [1e5, 100_000, "100kB", "1 MiB", 8_000])
@pytest.mark.parametrize("spec", [{0: -1, 1: "auto"}, "auto", (50, "auto")])
def test_block_size_limit_matches_dask(limit, spec):
    x = da.ones((1000, 700), chunks=(100, 100)).rechunk(spec, block_size_limit=limit)
    y = dka.ones((1000, 700), chunks=(100, 100)).rechunk(spec, block_size_limit=limit)
    nbytes = max(np.prod([max(c) for c in x.chunks]) * 8, 1)
    lim = dask.utils.parse_bytes(limit) if isinstance(limit, str) else limit
    assert nbytes <= lim
    if spec == {0: -1, 1: "auto"} and lim < 800_000:
        # (Dask rounds "auto" down to multiples of the previous chunks when they fit,
        # tessera's "auto" does not: equal while the limit is under one previous chunk row)
        assert x.chunks == y.chunks


def test_rechunk_method_and_threshold():
    x = da.ones((10, 10), chunks=5)
    assert x.rechunk(2, method="tasks").chunks == ((2,) * 5,) * 2
    assert x.rechunk(2, threshold=4).chunks == ((2,) * 5,) * 2
    with pytest.raises(NotImplementedError, match="p2p"):
        x.rechunk(2, method="p2p")
    with pytest.raises(NotImplementedError, match="Unknown rechunking method"):
        x.rechunk(2, method="magic")
    with da.config.set({"array.rechunk.method": "p2p"}):
        with pytest.raises(NotImplementedError, match="p2p"):
            x.rechunk(2)
    with pytest.raises(ValueError, match="threshold"):
        x.rechunk(2, threshold=-1)
    with pytest.raises(ValueError, match="block_size_limit"):
        x.rechunk("auto", block_size_limit=0)
    with pytest.raises(ValueError, match="array.rechunk.method"):
        da.config.set({"array.rechunk.method": "magic"})


def test_chunk_size_config_key_as_dask_spells_it():
    with da.config.set({"array.chunk-size": "1MiB"}), dask.config.set({"array.chunk-size": "1MiB"}):
        x = da.ones((4000, 4000))
        y = dka.ones((4000, 4000))
        assert max(x.chunks[0]) * max(x.chunks[1]) * 8 <= 2**20
        assert x.chunks == y.chunks
    assert da.config.get("array.chunk-size") == "128MiB"


@pytest.mark.parametrize("value", [None, True, False])
def test_split_large_chunks_key(value):
    a = np.arange(4 * 128 * 128).reshape(4, 128, 128)
    idx = [0, 1] + [2] * 10 + [3]
    with da.config.set({"array.slicing.split-large-chunks": value, "array.chunk-size": "100KiB"}), \
            dask.config.set({"array.slicing.split-large-chunks": value, "array.chunk-size": "100KiB"}):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            x = da.from_array(a, chunks=(1, 128, 128))[idx]
            y = dka.from_array(a, chunks=(1, 128, 128))[idx]
        assert x.chunks == y.chunks
        np.testing.assert_array_equal(x.compute(), a[idx])
    with pytest.raises(ValueError, match="split-large-chunks"):
        da.config.set({"array.slicing.split-large-chunks": "yes"})
