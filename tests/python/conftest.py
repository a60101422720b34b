"""Shared strategies and helpers for the differential tests against NumPy."""

from __future__ import annotations

import os
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

settings.register_profile(
    "default",
    max_examples=int(os.environ.get("TESSERA_HYPOTHESIS_EXAMPLES", "100")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
settings.register_profile("ci", max_examples=int(os.environ.get("TESSERA_HYPOTHESIS_EXAMPLES", "100")), deadline=None, derandomize=True,
                          suppress_health_check=list(HealthCheck))
settings.load_profile("ci" if os.environ.get("CI") else "default")

DTYPES = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float16", "float32",
          "float64", "complex64", "complex128"]
INT_DTYPES = [d for d in DTYPES if d[0] in "iu"]
FLOAT_DTYPES = ["float16", "float32", "float64"]
COMPLEX_DTYPES = ["complex64", "complex128"]
# NumPy computes float functions of 8-bit and bool inputs in float16 (as tessera does).
F16_INPUTS = {"bool", "int8", "uint8"}


@pytest.fixture(autouse=True)
def _quiet_numpy():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with np.errstate(all="ignore"):
            yield


# Storage tests (test_io_*) run under a memory limit, and each asserts its peak RSS: when a
# test raises the process' high-water mark, the new mark may exceed the RSS at its start by
# at most STORAGE_RSS_GROWTH (the blocks of its small arrays, codec buffers, first imports).
STORAGE_MEMORY_LIMIT = "64MiB"
STORAGE_RSS_GROWTH = 256 * 2**20


def _rss_now():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.fixture(autouse=True)
def _storage_memory_limit(request):
    if not request.module.__name__.rpartition(".")[2].startswith("test_io_") or not os.path.exists("/proc/self/statm"):
        yield
        return
    import resource

    import tessera

    peak_before, start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, _rss_now()
    with tessera.config.set(memory_limit=STORAGE_MEMORY_LIMIT):
        yield
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    if peak > peak_before:
        assert peak - start <= STORAGE_RSS_GROWTH, \
            f"{request.node.name}: peak RSS {peak / 2**20:.0f} MiB, {(peak - start) / 2**20:.0f} MiB above its start"


def elements(dtype, small=False):
    d = np.dtype(dtype)
    if d.kind == "b":
        return st.booleans()
    if d.kind == "f":
        lim = 8.0 if small else 1000.0
        return st.floats(-lim, lim, allow_nan=False, allow_infinity=False, width=d.itemsize * 8)
    if d.kind == "c":
        lim = 8.0 if small else 1000.0
        return st.complex_numbers(max_magnitude=lim, allow_nan=False, allow_infinity=False, width=d.itemsize * 8)
    info = np.iinfo(d)
    if small:
        return st.integers(max(info.min, -8), min(info.max, 8))
    return st.integers(int(info.min), int(info.max))


shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=6)
nonempty_shapes = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=6)


@st.composite
def axis_chunks(draw, dim):
    """One axis's chunks in any form Dask takes: size, -1, None, 'auto' or explicit blocks."""
    kind = draw(st.sampled_from(["size", "size1", "whole", "none", "auto", "blocks"]))
    if kind == "size":
        return draw(st.integers(1, max(dim, 1) + 1))
    if kind == "size1":
        return 1
    if kind == "whole":
        return -1
    if kind == "none":
        return None
    if kind == "auto":
        return "auto"
    if dim == 0:
        return (0,)
    cuts = sorted(draw(st.sets(st.integers(1, dim - 1), max_size=min(dim - 1, 4)))) if dim > 1 else []
    bounds = [0, *cuts, dim]
    return tuple(b - a for a, b in zip(bounds, bounds[1:]))


@st.composite
def chunks_for(draw, shape):
    form = draw(st.sampled_from(["per-axis", "int", "auto"]))
    if form == "int":
        return draw(st.integers(1, max(shape, default=1) + 1))
    if form == "auto":
        return "auto"
    return tuple(draw(axis_chunks(d)) for d in shape)


@st.composite
def arrays(draw, dtype=None, shape=None, small=False):
    """A NumPy array and a chunk specification for it."""
    if dtype is None:
        dtype = draw(st.sampled_from(DTYPES))
    if shape is None:
        shape = draw(shapes)
    a = draw(hnp.arrays(dtype, shape, elements=elements(dtype, small)))
    return a, draw(chunks_for(shape))


@st.composite
def axes_for(draw, ndim, allow_tuple=True):
    if ndim == 0:
        return None
    kind = draw(st.sampled_from(["none", "int", "neg", "tuple"] if allow_tuple else ["none", "int", "neg"]))
    if kind == "none":
        return None
    if kind == "int":
        return draw(st.integers(0, ndim - 1))
    if kind == "neg":
        return draw(st.integers(-ndim, -1))
    axes = draw(st.lists(st.integers(0, ndim - 1), min_size=0, max_size=ndim, unique=True))
    return tuple(a - ndim if draw(st.booleans()) else a for a in axes)


def assert_same(got, expected, rtol=None, atol=0.0, check_dtype=True):
    """Values (exact for ints and bools, close for floats) and dtypes equal."""
    got = np.asarray(got)
    expected = np.asarray(expected)
    assert got.shape == expected.shape, f"shape {got.shape} != {expected.shape}"
    if check_dtype:
        assert got.dtype == expected.dtype, f"dtype {got.dtype} != {expected.dtype}"
    if expected.dtype.kind in "fc" or got.dtype.kind in "fc":
        if rtol is None:
            dts = (got.dtype, expected.dtype)
            rtol = 2e-3 if np.float16 in dts else 1e-5 if (np.float32 in dts or np.complex64 in dts) else 1e-12
        if "c" in (got.dtype.kind, expected.dtype.kind):
            # Finite values: |got - expected| within rtol of |expected| (a part may cancel, as
            # in x*x - y*y). Others part by part (two equal complex infinities differ by NaN).
            g, e = got.astype(np.complex128), expected.astype(np.complex128)
            fin = np.isfinite(g) & np.isfinite(e)
            bad = fin & ~(np.abs(g - e) <= atol + rtol * np.abs(e))
            assert not bad.any(), f"complex values differ beyond rtol={rtol}: {g[bad][:5]} vs {e[bad][:5]}"
            for part in (np.real, np.imag):
                np.testing.assert_allclose(part(g[~fin]), part(e[~fin]), rtol=rtol, atol=atol, equal_nan=True)
        else:
            np.testing.assert_allclose(got.astype(np.float64), expected.astype(np.float64), rtol=rtol, atol=atol,
                                       equal_nan=True)
    else:
        np.testing.assert_array_equal(got, expected)


def drop_empty_chunks(chunks):
    """Dask keeps zero-length chunks after some slices of irregular chunks (x[1:5:2] with
    chunks (3, 1, 2, 4) gives (1, 1, 0)); tessera never makes them (documented difference)."""
    return tuple(tuple(c for c in ax if c) or (0,) for ax in chunks)


def outcome(f):
    """(f(), None), or (None, the exception f raised): what NumPy does with the same input."""
    try:
        return f(), None
    except Exception as e:  # noqa: BLE001
        return None, e
