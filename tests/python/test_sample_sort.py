"""The sample sort (1-d rows over a share of memory): against NumPy at any chunking
(uneven, size-1, empty chunks), dtypes with NaN, inf and -0.0, descending and argsort's
stable ties; its memory bound under a memory limit."""

from __future__ import annotations

import contextlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tessera as da
from tessera import _sort
from conftest import assert_same


@contextlib.contextmanager
def sample_sort_always(samples=None):
    old = (_sort.SAMPLE_SORT_MIN_BYTES, _sort._SAMPLES)
    _sort.SAMPLE_SORT_MIN_BYTES = 0
    if samples is not None:
        _sort._SAMPLES = samples
    try:
        yield
    finally:
        _sort.SAMPLE_SORT_MIN_BYTES, _sort._SAMPLES = old


@st.composite
def uneven_chunks(draw, n):
    """2 to 6 chunks of any sizes summing to n (empty and size-1 chunks included)."""
    cuts = sorted(draw(st.lists(st.integers(0, n), min_size=1, max_size=5)))
    return tuple(int(b - a) for a, b in zip([0] + cuts, cuts + [n]))


@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_sample_sort_matches_numpy(data):
    dtype = data.draw(st.sampled_from(["float64", "float32", "int8", "uint32", "int64", "bool"]))
    n = data.draw(st.integers(1, 60))
    if dtype == "bool":
        elements = st.booleans()
    elif dtype.startswith("float"):
        elements = st.sampled_from([0.0, -0.0, 1.0, 2.5, -3.0, np.inf, -np.inf, np.nan]) | st.floats(-5, 5, width=32)
    else:
        elements = st.integers(0, data.draw(st.sampled_from([2, 100])))
    a = data.draw(hnp.arrays(dtype, n, elements=elements))
    chunks = data.draw(uneven_chunks(n))
    x = da.from_array(a, chunks=(chunks,))
    with sample_sort_always(data.draw(st.sampled_from([2, 3, 1024]))):
        got = da.sort(x)
        assert type(got).__name__ == "UnknownArray" and got.chunks == x.chunks
        assert_same(got.compute(), np.sort(a))
        assert_same(da.argsort(x, stable=True).compute(), np.argsort(a, stable=True).astype(np.int64))
        assert_same(da.sort(x, descending=True).compute(), np.sort(a)[::-1])
        exp = (n - 1) - np.argsort(a[::-1], kind="stable")[::-1]
        assert_same(da.argsort(x, descending=True, stable=True).compute(), exp.astype(np.int64))
        # axis=None of an n-d array sorts it flattened
        b = a[: (n // 2) * 2].reshape(-1, 2)
        if b.size:
            y = da.from_array(b, chunks=(max(1, b.shape[0] // 3), 1))
            assert_same(da.sort(y, axis=None).compute(), np.sort(b, axis=None))


def test_sample_sort_results_compose_and_same_bits_any_threads():
    x = da.random.random(30_000, chunks=4_001)
    with sample_sort_always():
        s = da.sort(x)
        r = [da.argsort(x, kind="stable").compute(num_workers=n) for n in (1, 3)]
    ref = np.sort(x.compute())
    assert np.array_equal(r[0], r[1])
    assert_same((s[::100] * 2).compute(), ref[::100] * 2)
    assert_same(s.sum().compute(), ref.sum())


def test_sample_sort_chosen_by_memory_limit():
    x = da.random.random(200_000, chunks=25_000)  # 1.6 MB
    assert type(da.sort(x)).__name__ != "UnknownArray"
    with da.config.set(memory_limit="4MB"):
        s = da.sort(x)
        assert type(s).__name__ == "UnknownArray"
        assert_same(s.compute(), np.sort(x.compute()))
    y = da.random.random((400, 500), chunks=100)
    with da.config.set(memory_limit="4MB"):
        assert type(da.sort(y, axis=0)).__name__ != "UnknownArray"  # rows of n-d arrays: the whole-row merge
