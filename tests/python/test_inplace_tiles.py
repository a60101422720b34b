"""Fused tiles that read inputs in place and write results in place (issue 14), results
served from the pool of freed buffers, and integer division by arrays through float64.

Each against NumPy over random shapes, chunkings (uneven last chunks, size-1 axes, empty
arrays) and memory layouts (C order, Fortran order, strided and reversed views), exactly:
none of these paths may change a value or depend on the thread count.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tessera as da

from conftest import INT_DTYPES, chunks_for, elements, shapes


@st.composite
def laid_out(draw, dtype):
    """A NumPy array in C order, Fortran order or as a strided/reversed view, and chunks."""
    shape = draw(shapes)
    a = draw(hnp.arrays(dtype, shape, elements=elements(dtype, small=True)))
    layout = draw(st.sampled_from(["c", "f", "view"]))
    if layout == "f":
        a = np.asfortranarray(a)
    elif layout == "view" and a.ndim:
        big = np.repeat(a, 2, axis=-1)
        a = big[..., ::-2]
    return a, draw(chunks_for(a.shape))


@given(data=st.data(), dtype=st.sampled_from(["float64", "float32", "int32", "uint8", "bool"]))
def test_elementwise_chains_same_as_numpy(data, dtype):
    a, chunks = data.draw(laid_out(dtype))
    x = da.from_array(a, chunks=chunks)
    if dtype == "bool":
        got, want = (x ^ ~x).compute(), a ^ ~a
    else:
        got, want = (x * 2 + x - 1).compute(), a * 2 + a - 1
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)
    # A reduction reads its input in place too.
    np.testing.assert_array_equal(x.astype("float64").sum(axis=-1).compute() if a.ndim else x.astype("float64").sum().compute(),
                                  a.astype("float64").sum(axis=-1) if a.ndim else a.astype("float64").sum())


@given(data=st.data())
def test_single_leaf_and_casts_write_in_place(data):
    a, chunks = data.draw(laid_out("float64"))
    x = da.from_array(a, chunks=chunks)
    np.testing.assert_array_equal(x.astype("int16").compute(), a.astype("int16"))
    np.testing.assert_array_equal(da.where(x > 0, x, -2 * x).compute(), np.where(a > 0, a, -2 * a))
    np.testing.assert_array_equal(da.sqrt(abs(x)).compute(), np.sqrt(abs(a)))


@pytest.mark.parametrize("threads", [1, 2, 4])
def test_same_bits_for_any_thread_count(threads):
    a = np.random.default_rng(3).standard_normal((301, 77))
    x = da.from_array(a, chunks=(50, 30))
    ref = (da.sin(x) * 3 + x).compute(num_workers=1)
    got = (da.sin(x) * 3 + x).compute(num_workers=threads)
    assert got.tobytes() == ref.tobytes()


def test_results_are_writeable_and_independent():
    a = np.arange(1_000_000, dtype=np.float64)
    x = da.from_array(a, chunks=250_000)
    r1 = (x + 1).compute()
    r1[:10] = -5  # a writeable array of its own
    r2 = (x + 1).compute()
    np.testing.assert_array_equal(r2, a + 1)
    assert r1.flags.writeable and r1.flags.c_contiguous and r1.flags.owndata is False
    np.testing.assert_array_equal(a, np.arange(1_000_000, dtype=np.float64))  # the input untouched


def test_reused_buffers_hold_only_new_values():
    """A freed result's buffer serves the next result of the same dtype and length: every
    element must be written again (one block and several, with a NaN-filled predecessor)."""
    n = 600_000
    for chunks in (n, 100_000, 170_000):
        old = da.full(n, np.nan, chunks=chunks).compute()
        del old
        got = (da.arange(n, chunks=chunks) * 2.0).compute()
        np.testing.assert_array_equal(got, np.arange(n) * 2.0)
        del got
        got = da.ones((n // 1000, 1000), chunks=(chunks // 1000, 300)).compute()
        np.testing.assert_array_equal(got, np.ones((n // 1000, 1000)))


def test_several_outputs_of_one_graph():
    a = np.random.default_rng(4).random((90, 40))
    x = da.from_array(a, chunks=(25, 40))
    y = x * 3
    r1, r2, r3 = da.compute(y, y + 1, y)
    np.testing.assert_array_equal(r1, a * 3)
    np.testing.assert_array_equal(r2, a * 3 + 1)
    np.testing.assert_array_equal(r3, a * 3)


@given(data=st.data(), dtype=st.sampled_from(INT_DTYPES))
def test_integer_division_by_arrays(data, dtype):
    shape = data.draw(shapes)
    info = np.iinfo(dtype)
    edge = st.sampled_from([0, 1, -1, 7, -7, int(info.min), int(info.max)]).filter(lambda v: info.min <= v <= info.max)
    vals = st.one_of(elements(dtype), edge)
    a = data.draw(hnp.arrays(dtype, shape, elements=vals))
    b = data.draw(hnp.arrays(dtype, shape, elements=vals))
    chunks = data.draw(chunks_for(shape))
    x, y = da.from_array(a, chunks=chunks), da.from_array(b, chunks=chunks)
    with np.errstate(all="ignore"):
        want_q, want_r = a // b, a % b
    got_q, got_r = (x // y).compute(), (x % y).compute()
    assert got_q.dtype == want_q.dtype and got_r.dtype == want_r.dtype
    np.testing.assert_array_equal(got_q, want_q)
    np.testing.assert_array_equal(got_r, want_r)


@pytest.mark.parametrize("dtype", ["int64", "uint64"])
def test_integer_division_by_arrays_beyond_2_53(dtype):
    """64-bit tiles with magnitudes of 2^51 and more take the hardware divider."""
    info = np.iinfo(dtype)
    a = np.array([info.max, info.max - 1, 2**60 + 3, 2**53 + 1, 5, 0], dtype=dtype)
    b = np.array([3, 7, 2**31 + 1, 3, 2, 9], dtype=dtype)
    x, y = da.from_array(a, chunks=4), da.from_array(b, chunks=4)
    np.testing.assert_array_equal((x // y).compute(), a // b)
    np.testing.assert_array_equal((x % y).compute(), a % b)
