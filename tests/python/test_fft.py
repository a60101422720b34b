"""tessera.fft against numpy.fft: every transform over random shapes, chunkings (uneven,
size-1 and whole-axis chunks), axes, lengths n/s (cut and padded), norms and dtypes;
frequencies, shifts, fft_wrap, the NumPy protocol and the errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tessera as da
from conftest import assert_same, chunks_for

NORMS = [None, "backward", "ortho", "forward"]
DTYPES = ["float64", "float32", "complex128", "complex64", "int16", "float16"]


def _tol(a, b):
    # float16 results round float32 transforms whose summation order differs from NumPy's
    # pocketfft: a float16 ulp or two apart.
    if np.float16 in (a.dtype, b.dtype):
        return 2e-3
    return 1e-4 if np.complex64 in (a.dtype, b.dtype) or np.float32 in (a.dtype, b.dtype) else 1e-9


def _same(got, exp):
    got, exp = np.asarray(got), np.asarray(exp)
    assert got.dtype == exp.dtype and got.shape == exp.shape, (got.dtype, exp.dtype, got.shape, exp.shape)
    scale = max(1.0, float(np.max(np.abs(exp)))) if exp.size else 1.0
    np.testing.assert_allclose(got, exp, rtol=_tol(got, exp), atol=_tol(got, exp) * scale)


@st.composite
def inputs(draw, min_dims=1):
    dtype = draw(st.sampled_from(DTYPES))
    shape = draw(hnp.array_shapes(min_dims=min_dims, max_dims=3, min_side=1, max_side=7))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    a = rng.standard_normal(shape) * 3
    if dtype.startswith("complex"):
        a = a + 1j * rng.standard_normal(shape)
    a = a.astype(dtype)
    return a, draw(chunks_for(shape))


ONE_D = {"fft": np.fft.fft, "ifft": np.fft.ifft, "rfft": np.fft.rfft, "irfft": np.fft.irfft,
         "hfft": np.fft.hfft, "ihfft": np.fft.ihfft}
N_D = {"fftn": np.fft.fftn, "ifftn": np.fft.ifftn, "rfftn": np.fft.rfftn, "irfftn": np.fft.irfftn,
       "fft2": np.fft.fft2, "ifft2": np.fft.ifft2, "rfft2": np.fft.rfft2, "irfft2": np.fft.irfft2}


@pytest.mark.parametrize("name", list(ONE_D))
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_one_dimensional_transforms_match_numpy(name, data):
    a, chunks = data.draw(inputs())
    if name in ("rfft", "ihfft") and a.dtype.kind == "c":
        a = a.real.copy()
    axis = data.draw(st.integers(-a.ndim, a.ndim - 1))
    n = data.draw(st.one_of(st.none(), st.integers(1, 12)))
    norm = data.draw(st.sampled_from(NORMS))
    if name in ("irfft", "hfft") and n is None and a.shape[axis] == 1:
        with pytest.raises(ValueError, match="Invalid number of FFT data points"):
            getattr(da.fft, name)(da.from_array(a, chunks=chunks), n=n, axis=axis, norm=norm)
        return
    exp = ONE_D[name](a, n=n, axis=axis, norm=norm)
    got = getattr(da.fft, name)(da.from_array(a, chunks=chunks), n=n, axis=axis, norm=norm)
    assert got.shape == exp.shape and got.dtype == exp.dtype
    _same(got.compute(), exp)


@pytest.mark.parametrize("name", list(N_D))
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_n_dimensional_transforms_match_numpy(name, data):
    two = name.endswith("2")
    a, chunks = data.draw(inputs(min_dims=2 if two else 1))
    if name.startswith("rfft") and a.dtype.kind == "c":
        a = a.real.copy()
    kw = {"norm": data.draw(st.sampled_from(NORMS))}
    if not two and data.draw(st.booleans()):
        axes = data.draw(st.lists(st.integers(0, a.ndim - 1), min_size=1, max_size=a.ndim, unique=True))
        kw["axes"] = axes
        if data.draw(st.booleans()):
            kw["s"] = [data.draw(st.integers(2, 9)) for _ in axes]
    elif two and data.draw(st.booleans()):
        kw["s"] = [data.draw(st.integers(2, 9)) for _ in range(2)]
    if name.startswith("irfft") and "s" not in kw:
        last = kw.get("axes", [a.ndim - 1])[-1]
        if a.shape[last] == 1:
            return  # n = 0 along the last axis: NumPy's error, tested below
    exp = N_D[name](a, **kw)
    got = getattr(da.fft, name)(da.from_array(a, chunks=chunks), **kw)
    _same(got.compute(), exp)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 40), d=st.floats(0.1, 10), chunks=st.integers(1, 9))
def test_frequencies_match_numpy(n, d, chunks):
    assert_same(da.fft.fftfreq(n, d, chunks=chunks).compute(), np.fft.fftfreq(n, d), rtol=1e-15)
    assert_same(da.fft.rfftfreq(n, d, chunks=chunks).compute(), np.fft.rfftfreq(n, d), rtol=1e-15)


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_shifts_match_numpy(data):
    a, chunks = data.draw(inputs())
    axes = data.draw(st.one_of(st.none(), st.integers(0, a.ndim - 1),
                               st.lists(st.integers(0, a.ndim - 1), min_size=1, max_size=a.ndim, unique=True)))
    x = da.from_array(a, chunks=chunks)
    np.testing.assert_array_equal(da.fft.fftshift(x, axes=axes).compute(), np.fft.fftshift(a, axes=axes))
    np.testing.assert_array_equal(da.fft.ifftshift(x, axes=axes).compute(), np.fft.ifftshift(a, axes=axes))


def test_fft_wrap_and_numpy_protocol():
    a = np.random.default_rng(0).standard_normal((6, 10)) + 1j
    x = da.from_array(a, chunks=(4, 3))
    for f in (np.fft.fft, np.fft.ifft, np.fft.rfft):
        src = a.real if f is np.fft.rfft else a
        w = da.fft.fft_wrap(f)
        _same(w(da.from_array(src, chunks=(4, 3)), axis=0).compute(), f(src, axis=0))
    _same(da.fft.fft_wrap(np.fft.fft2)(x).compute(), np.fft.fft2(a))
    r = np.fft.fft(x, axis=0)
    assert isinstance(r, da.Array)
    _same(r.compute(), np.fft.fft(a, axis=0))
    with pytest.raises(ValueError, match="kind"):
        da.fft.fft_wrap(lambda v: v)


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_transforms_of_strided_views_match_numpy(data):
    # In-memory data cut into strips along the axis (blocks that are strided views, read in
    # place), transposed and stepped arrays, complex64/complex128, uneven chunks; results
    # written straight into the computed array (4-d blocks whose places there do not merge
    # into three strides take the copy instead).
    dtype = data.draw(st.sampled_from(["complex128", "complex64"]))
    shape = data.draw(st.lists(st.integers(1, 7), min_size=2, max_size=4))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    a = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)
    a = data.draw(st.sampled_from([lambda v: v, lambda v: v.T, lambda v: v[..., ::2], lambda v: v[::-1]]))(a)
    if a.size == 0:
        return
    axis = data.draw(st.integers(-a.ndim, a.ndim - 1))
    n = data.draw(st.one_of(st.none(), st.integers(1, 12)))
    inverse = data.draw(st.booleans())
    x = da.from_array(a, chunks=data.draw(chunks_for(a.shape)))
    f, g = (da.fft.ifft, np.fft.ifft) if inverse else (da.fft.fft, np.fft.fft)
    _same(f(x, n=n, axis=axis).compute(), g(a, n=n, axis=axis))


def test_any_chunking_is_rechunked_within_the_memory_of_a_block():
    x = da.ones((64, 64), dtype="complex128", chunks=(8, 16))
    y = da.fft.fft(x, axis=0)
    assert y.chunks[0] == (64,)
    assert max(y.chunks[1]) * 64 <= 8 * 16 * 4  # about one input block (one line at least)
    _same(y.compute(), np.fft.fft(np.ones((64, 64), complex), axis=0))


@pytest.mark.parametrize("make, exc, words", [
    (lambda x: da.fft.fft(x, n=0), ValueError, "Invalid number of FFT data points"),
    (lambda x: da.fft.fft(x, n=-3), ValueError, "Invalid number of FFT data points"),
    (lambda x: da.fft.fft(x, axis=2), np.exceptions.AxisError, "axis 2"),
    (lambda x: da.fft.fft(x, norm="bad"), ValueError, "Invalid norm value bad"),
    (lambda x: da.fft.irfft(x[:, :1]), ValueError, "Invalid number of FFT data points"),
    (lambda x: da.fft.rfft(x.astype("complex128")), TypeError, "rfft"),
    (lambda x: da.fft.fftn(x, s=(3, 4), axes=(0,)), ValueError, "Shape and axes"),
    (lambda x: da.fft.fft(x, n=2.5), TypeError, "n must be an integer"),
    (lambda x: da.fft.fft(x.sum()), ValueError, "at least one dimension"),
])
def test_bad_input_raises_when_built(make, exc, words):
    x = da.ones((4, 6), chunks=2)
    with pytest.raises(exc, match=words):
        make(x)


@pytest.mark.parametrize("f", ["fftfreq", "rfftfreq"])
@pytest.mark.parametrize("n", [1, 4, 7])
def test_freq_functions_take_array_api_dtype_and_device(f, n):
    got = getattr(da.fft, f)(n, 0.5, dtype=np.float32, device="cpu")
    assert got.dtype == np.float32
    assert_same(got.compute(), getattr(np.fft, f)(n, 0.5).astype(np.float32))
    with pytest.raises(TypeError, match=f"{f}: dtype must be a real floating dtype"):
        getattr(da.fft, f)(n, dtype=np.int32)
    with pytest.raises(ValueError, match=f):
        getattr(da.fft, f)(n, device="gpu")
