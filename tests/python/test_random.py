"""Random arrays: reproducible for any chunking and thread count, NumPy's names and
signatures, sane distributions."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tessera as da


@given(
    seed=st.integers(0, 2**64 - 1),
    n=st.integers(0, 3000),
    c1=st.integers(1, 3000),
    c2=st.integers(1, 3000),
    method=st.sampled_from(["normal", "uniform", "random", "standard_normal", "integers"]),
)
@settings(max_examples=25)
def test_same_values_for_any_chunking(seed, n, c1, c2, method):
    args = {"integers": (-5, 100)}.get(method, ())

    def make(chunks):
        return getattr(da.random.default_rng(seed), method)(*args, size=n, chunks=chunks)

    a, b = make(c1).compute(), make(c2).compute()
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_same_values_for_any_thread_count(threads):
    x = da.random.default_rng(7).normal(size=(300, 200), chunks=(70, 60))
    ref = x.compute(scheduler="sync")
    np.testing.assert_array_equal(x.compute(num_workers=threads), ref)
    with da.config.set(num_workers=threads):
        np.testing.assert_array_equal(x.compute(), ref)
    np.testing.assert_array_equal(x[17:250:3, ::-7].compute(), ref[17:250:3, ::-7])


def test_generator_streams_and_seeds():
    g = da.random.default_rng(3)
    a, b = g.normal(size=100), g.normal(size=100)
    assert not np.array_equal(a.compute(), b.compute())
    g2 = da.random.default_rng(3)
    np.testing.assert_array_equal(g2.normal(size=100).compute(), a.compute())
    assert da.random.default_rng(g) is g
    da.random.default_rng(np.random.SeedSequence(5)).random(3).compute()
    da.random.default_rng(np.random.default_rng(5)).random(3).compute()
    da.random.default_rng([1, 2, 3]).random(3).compute()
    with pytest.raises(ValueError, match="default_rng: seed must be non-negative"):
        da.random.default_rng(-1)  # as NumPy: ValueError


def test_module_level_seed():
    da.random.seed(11)
    a = da.random.normal(size=50).compute()
    da.random.seed(11)
    b = da.random.normal(size=50).compute()
    np.testing.assert_array_equal(a, b)
    da.random.seed()
    assert da.random.random_sample(3).dtype == np.float64


def test_distributions():
    g = da.random.default_rng(0)
    x = g.normal(10.0, 2.0, size=200_000, chunks=50_000).compute()
    assert abs(x.mean() - 10) < 0.05 and abs(x.std() - 2) < 0.05
    u = g.uniform(-3, 5, size=100_000).compute()
    assert u.min() >= -3 and u.max() < 5 and abs(u.mean() - 1) < 0.05
    r = g.random(size=(100, 100)).compute()
    assert r.min() >= 0 and r.max() < 1
    i = g.integers(-4, 9, size=100_000, dtype="int16").compute()
    assert i.dtype == np.int16 and i.min() == -4 and i.max() == 8
    e = g.integers(1, 6, size=10_000, endpoint=True).compute()
    assert e.max() == 6
    s = g.standard_normal(size=4, dtype=np.float32)
    assert s.dtype == np.float32
    assert g.normal().shape == ()


def test_legacy_interface():
    rs = da.random.RandomState(42)
    x = rs.randint(10, size=1000, chunks=100).compute()
    assert x.dtype == np.int64 and x.min() >= 0 and x.max() < 10
    assert rs.random_sample((3, 4)).shape == (3, 4)
    assert rs.random((2,)).shape == (2,)
    assert rs.standard_normal(5).shape == (5,)
    assert rs.uniform(size=3).shape == (3,)
    assert rs.normal(1, 2, size=(2, 2), chunks=1).chunks == ((1, 1), (1, 1))
    assert rs.rand(2, 3).shape == (2, 3) and rs.randn(4).shape == (4,)
    rs2 = da.random.RandomState(42)
    np.testing.assert_array_equal(rs2.randint(10, size=1000, chunks=7).compute(), x)
    y = da.random.randint(3, 7, size=500).compute()
    assert y.min() >= 3 and y.max() <= 6


def test_random_errors():
    g = da.random.default_rng(0)
    with pytest.raises(ValueError, match="low >= high"):
        g.integers(5, 5, size=3)
    with pytest.raises(ValueError, match="out of bounds"):
        g.integers(0, 300, size=3, dtype="uint8")
    with pytest.raises(TypeError, match="integer"):
        g.integers(0, 3, size=3, dtype="float64")
    with pytest.raises(ValueError, match="scale"):
        g.normal(0, -1, size=3)
    with pytest.raises(ValueError, match="negative"):
        g.normal(size=-3)
    with pytest.raises(NotImplementedError, match="array-valued"):
        g.integers(np.zeros(3, dtype=int), 1, size=3)


def test_seed_program_shape():
    x = da.random.normal(0.0, 0.1, size=1_000_000, chunks=250_000)
    assert x.chunks == ((250_000,) * 4,)
    assert abs(x.mean().compute()) < 1e-3
