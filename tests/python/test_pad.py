"""pad in every NumPy mode (constant, edge, linear_ramp, maximum, mean, median, minimum,
reflect, symmetric, wrap, empty, a callable) against numpy.pad over random shapes,
chunkings (uneven, size-1, empty axes), dtypes and pad widths (also wider than the axis);
slices of a padded array; errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tessera as da
from conftest import assert_same, chunks_for, elements

SETTINGS = settings(max_examples=30, deadline=None)
COPY_MODES = ["edge", "reflect", "symmetric", "wrap"]
DT = ["int16", "uint8", "int64", "float32", "float64"]


@st.composite
def padded(draw, modes, min_side=0, wide=True):
    dtype = draw(st.sampled_from(DT))
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=min_side, max_side=5))
    a = draw(hnp.arrays(dtype, shape, elements=elements(dtype, small=True)))
    hi = 12 if wide else 3
    width = draw(st.one_of(st.integers(0, hi), st.tuples(st.integers(0, hi), st.integers(0, hi)),
                           st.tuples(*[st.tuples(st.integers(0, hi), st.integers(0, hi)) for _ in shape])))
    return a, draw(chunks_for(shape)), width, draw(st.sampled_from(modes))


@SETTINGS
@given(padded(COPY_MODES, min_side=1))
def test_copy_modes_match_numpy(case):
    a, chunks, width, mode = case
    got = da.pad(da.from_array(a, chunks=chunks), width, mode=mode)
    assert_same(got.compute(), np.pad(a, width, mode=mode))


@SETTINGS
@given(padded(["constant", "empty"]), st.integers(-3, 3))
def test_constant_matches_numpy(case, value):
    a, chunks, width, mode = case
    kw = {"constant_values": value} if mode == "constant" else {}
    got = da.pad(da.from_array(a, chunks=chunks), width, mode=mode, **kw).compute()
    want = np.pad(a, width, mode=mode, **kw)
    if mode == "empty":
        want = np.pad(a, width, mode="constant")  # tessera's empty is zero-filled
    assert_same(got, want)


@SETTINGS
@given(padded(["maximum", "minimum", "mean", "median"], min_side=1, wide=False), st.one_of(st.none(), st.integers(1, 4)))
def test_stat_modes_match_numpy(case, stat_length):
    a, chunks, width, mode = case
    got = da.pad(da.from_array(a, chunks=chunks), width, mode=mode, stat_length=stat_length)
    assert_same(got.compute(), np.pad(a, width, mode=mode, stat_length=stat_length))


@SETTINGS
@given(padded(["linear_ramp"], min_side=1, wide=False), st.integers(-5, 5))
def test_linear_ramp_matches_numpy(case, end):
    a, chunks, width, mode = case
    if a.dtype.kind == "u":
        end = abs(end)  # NumPy wraps a negative ramp around in unsigned types (a float cast)
    got = da.pad(da.from_array(a, chunks=chunks), width, mode=mode, end_values=end)
    assert_same(got.compute(), np.pad(a, width, mode=mode, end_values=end))


def test_asymmetric_constants_and_callable():
    a = np.arange(12.0).reshape(3, 4)
    x = da.from_array(a, chunks=2)
    cv = ((1, 2), (3, 4))
    assert_same(da.pad(x, ((1, 2), (2, 1)), constant_values=cv).compute(), np.pad(a, ((1, 2), (2, 1)), constant_values=cv))

    def f(vector, pad_width, iaxis, kwargs):
        vector[: pad_width[0]] = kwargs.get("v", 10)
        if pad_width[1]:
            vector[-pad_width[1]:] = -1

    assert_same(da.pad(x, 2, mode=f, v=7).compute(), np.pad(a, 2, mode=f, v=7))


def test_slice_of_pad_reads_only_what_it_needs():
    a = np.arange(100.0)
    x = da.from_array(a, chunks=10)
    y = da.pad(x, 5, mode="wrap")
    assert_same(y[3:8].compute(), np.pad(a, 5, mode="wrap")[3:8])
    assert_same(y[50:60].compute(), np.pad(a, 5, mode="wrap")[50:60])


def test_pad_errors():
    x = da.ones((3, 4), chunks=2)
    with pytest.raises(ValueError, match="pad: index can't contain negative values"):
        da.pad(x, -1)
    with pytest.raises(ValueError, match="pad: mode 'bogus' is not supported"):
        da.pad(x, 1, mode="bogus")
    with pytest.raises(ValueError, match="unable to create correctly shaped tuple"):
        da.pad(x, ((1, 2, 3),))
    with pytest.raises(ValueError, match="can't extend empty axis"):
        da.pad(da.ones((0, 3)), 1, mode="edge")
    with pytest.raises(ValueError, match="unsupported keyword"):
        da.pad(x, 1, mode="edge", constant_values=3)
    with pytest.raises(TypeError, match="integral"):
        da.pad(x, 1.5)
