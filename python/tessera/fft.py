"""``tessera.fft``: ``numpy.fft``'s transforms on tessera arrays, lazily, for ANY chunking.

Dask needs the transformed axes in one chunk; tessera rechunks them itself. That rechunk is
memory-bounded: along the other axes the chunks shrink so that a block holds about as many
elements as the largest input block (at least one whole line along the axis), so a
transform needs about two input blocks' memory per task. Each block is transformed by a
Rust kernel (rustfft; realfft for the real transforms), so the values agree with NumPy's
pocketfft to rounding (not bit for bit) and are the same bits for any thread count.

dtypes follow NumPy 2: float16/float32/complex64 transform in single precision
(complex64 results), everything else in double (complex128).
"""

from __future__ import annotations

import numbers

import numpy as np

from . import _core
from ._array import Array, _wrap, to_array
from ._errors import named

__all__ = ["fft_wrap", "fft", "fft2", "fftn", "ifft", "ifft2", "ifftn", "rfft", "rfft2", "rfftn", "irfft",
           "irfft2", "irfftn", "hfft", "ihfft", "fftfreq", "rfftfreq", "fftshift", "ifftshift"]

_NORMS = (None, "backward", "ortho", "forward")
_SWAP = {None: "forward", "backward": "forward", "ortho": "ortho", "forward": "backward"}


def _norm(norm, op):
    if norm not in _NORMS:
        raise ValueError(f'{op}: Invalid norm value {norm}; should be "backward","ortho" or "forward".')
    return norm


def _axis(x, axis, op):
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (numbers.Integral, np.integer)):
        raise TypeError(f"{op}: axis must be an integer, got {axis!r}")
    nd = x.ndim
    if not -nd <= axis < nd:
        raise np.exceptions.AxisError(f"{op}: axis {axis} is out of bounds for array of dimension {nd}")
    return int(axis) % nd


def _count(n, op):
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (numbers.Integral, np.integer)):
        raise TypeError(f"{op}: n must be an integer, got {n!r}")
    if n < 1:
        raise ValueError(f"{op}: Invalid number of FFT data points ({n}) specified.")
    return int(n)


def _one(op, kind, a, n, axis, norm):
    x = a if type(a) is Array else to_array(a, op)
    if x.ndim == 0:
        raise ValueError(f"{op}: the input must have at least one dimension, got a 0-d array")
    ax = _axis(x, -1 if axis is None else axis, op)
    m = x.shape[ax]
    if n is None:
        n = 2 * (m - 1) if kind == "c2r" else m
        if n < 1:
            raise ValueError(f"{op}: Invalid number of FFT data points ({n}) specified (axis {ax} has length {m}, "
                             f"chunks {x.chunks[ax]}).")
    n = _count(n, op)
    with named(op):
        r = _wrap(_core.fft_axis(x._c, op, kind, n, ax, _norm(norm, op)))
    # NumPy gives the real inverse of real float16 input in float16.
    return r.astype("float16") if kind == "c2r" and x.dtype == np.float16 else r


def fft(a, n=None, axis=None, norm=None):
    """``numpy.fft.fft`` along ``axis`` (default the last), lazily, for any chunking."""
    return _one("fft", "c2c", a, n, axis, norm)


def ifft(a, n=None, axis=None, norm=None):
    """``numpy.fft.ifft``."""
    return _one("ifft", "c2c_inverse", a, n, axis, norm)


def rfft(a, n=None, axis=None, norm=None):
    """``numpy.fft.rfft``: the ``n // 2 + 1`` non-negative frequencies of real input."""
    return _one("rfft", "r2c", a, n, axis, norm)


def irfft(a, n=None, axis=None, norm=None):
    """``numpy.fft.irfft``: ``n`` (default ``2 * (m - 1)``) real values."""
    return _one("irfft", "c2r", a, n, axis, norm)


def hfft(a, n=None, axis=None, norm=None):
    """``numpy.fft.hfft``: the real spectrum of a Hermitian-symmetric signal."""
    x = a if type(a) is Array else to_array(a, "hfft")
    with named("hfft"):
        return _one("hfft", "c2r", x.conj(), n, axis, _SWAP[_norm(norm, "hfft")])


def ihfft(a, n=None, axis=None, norm=None):
    """``numpy.fft.ihfft``."""
    r = _one("ihfft", "r2c", a, n, axis, _SWAP[_norm(norm, "ihfft")])
    return r.conj()


def _cook(op, x, s, axes, real_inverse=False):
    """NumPy's ``_cook_nd_args``: the lengths and axes of an n-d transform."""
    if x.ndim == 0:
        raise ValueError(f"{op}: the input must have at least one dimension, got a 0-d array")
    if axes is not None:
        axes = [axes] if isinstance(axes, (numbers.Integral, np.integer)) else list(axes)
        axes = [_axis(x, a, op) for a in axes]
        if len(set(axes)) != len(axes):
            raise ValueError(f"{op}: repeated axes in {axes}")
    if s is None:
        if axes is None:
            axes = list(range(x.ndim))
        s = [x.shape[a] for a in axes]
        if real_inverse and s:
            s[-1] = 2 * (s[-1] - 1)
    else:
        s = [s] if isinstance(s, (numbers.Integral, np.integer)) else list(s)
        if axes is None:
            if len(s) > x.ndim:
                raise ValueError(f"{op}: s has {len(s)} entries but the array has {x.ndim} dimensions")
            axes = list(range(x.ndim - len(s), x.ndim))
        if len(s) != len(axes):
            raise ValueError(f"{op}: Shape and axes have different lengths.")
        s = [x.shape[a] if v == -1 else v for v, a in zip(s, axes)]
    if len(s) != len(axes):
        raise ValueError(f"{op}: Shape and axes have different lengths.")
    return [_count(v, op) for v in s], axes


def _nd(op, kind, a, s, axes, norm):
    x = a if type(a) is Array else to_array(a, op)
    s, axes = _cook(op, x, s, axes)
    _norm(norm, op)
    for n, ax in reversed(list(zip(s, axes))):
        x = _one(op, kind, x, n, ax, norm)
    return x


def fftn(a, s=None, axes=None, norm=None):
    """``numpy.fft.fftn``."""
    return _nd("fftn", "c2c", a, s, axes, norm)


def ifftn(a, s=None, axes=None, norm=None):
    """``numpy.fft.ifftn``."""
    return _nd("ifftn", "c2c_inverse", a, s, axes, norm)


def fft2(a, s=None, axes=(-2, -1), norm=None):
    """``numpy.fft.fft2``."""
    return _nd("fft2", "c2c", a, s, axes, norm)


def ifft2(a, s=None, axes=(-2, -1), norm=None):
    """``numpy.fft.ifft2``."""
    return _nd("ifft2", "c2c_inverse", a, s, axes, norm)


def rfftn(a, s=None, axes=None, norm=None):
    """``numpy.fft.rfftn``: a real transform along the last axis, complex ones along the others."""
    x = a if type(a) is Array else to_array(a, "rfftn")
    s, axes = _cook("rfftn", x, s, axes)
    _norm(norm, "rfftn")
    if not axes:
        return x
    x = _one("rfftn", "r2c", x, s[-1], axes[-1], norm)
    for n, ax in reversed(list(zip(s[:-1], axes[:-1]))):
        x = _one("rfftn", "c2c", x, n, ax, norm)
    return x


def irfftn(a, s=None, axes=None, norm=None):
    """``numpy.fft.irfftn``."""
    x = a if type(a) is Array else to_array(a, "irfftn")
    s, axes = _cook("irfftn", x, s, axes, real_inverse=True)
    _norm(norm, "irfftn")
    if not axes:
        return x
    for n, ax in zip(s[:-1], axes[:-1]):
        x = _one("irfftn", "c2c_inverse", x, n, ax, norm)
    return _one("irfftn", "c2r", x, s[-1], axes[-1], norm)


def rfft2(a, s=None, axes=(-2, -1), norm=None):
    """``numpy.fft.rfft2``."""
    return rfftn(a, s, axes, norm)


def irfft2(a, s=None, axes=(-2, -1), norm=None):
    """``numpy.fft.irfft2``."""
    return irfftn(a, s, axes, norm)


# ---------------------------------------------------------------------------------------
# Frequencies and shifts


def _d(d, op):
    if isinstance(d, (complex, np.complexfloating)) or not isinstance(d, (numbers.Real, np.number)):
        raise TypeError(f"{op}: d must be a real number, got {d!r}")
    return float(d)


def _freq_dtype(r, dtype, device, op):
    """The Array API's ``dtype=`` (a real floating dtype) and ``device=`` of the frequency
    functions."""
    from ._array_api import check_device

    check_device(device, op)
    if dtype is None:
        return r
    if np.dtype(dtype).kind != "f":
        raise TypeError(f"{op}: dtype must be a real floating dtype, got {np.dtype(dtype)}")
    return r.astype(dtype)


def fftfreq(n, d=1.0, chunks="auto", *, dtype=None, device=None):
    """``numpy.fft.fftfreq(n, d)``: ``[0, 1, ..., (n-1)//2, -(n//2), ..., -1] / (d * n)``,
    lazily, with ``chunks`` as Dask takes them."""
    from ._creation import arange, where

    n = _count(n, "fftfreq")
    val = 1.0 / (n * _d(d, "fftfreq"))
    i = arange(n, chunks=chunks)
    return _freq_dtype(where(i < (n - 1) // 2 + 1, i, i - n) * val, dtype, device, "fftfreq")


def rfftfreq(n, d=1.0, chunks="auto", *, dtype=None, device=None):
    """``numpy.fft.rfftfreq(n, d)``: ``[0, 1, ..., n//2] / (d * n)``, lazily."""
    from ._creation import arange

    n = _count(n, "rfftfreq")
    return _freq_dtype(arange(n // 2 + 1, chunks=chunks) * (1.0 / (n * _d(d, "rfftfreq"))), dtype, device, "rfftfreq")


def _shift(op, x, axes, inverse):
    x = x if type(x) is Array else to_array(x, op)
    if axes is None:
        axes = list(range(x.ndim))
    elif isinstance(axes, (numbers.Integral, np.integer)):
        axes = [axes]
    f = np.fft.ifftshift if inverse else np.fft.fftshift
    for ax in [_axis(x, a, op) for a in axes]:
        if x.shape[ax] < 2:
            continue
        # A roll along one axis: that axis in one chunk (memory-bounded), then NumPy's
        # shift on each block.
        whole = _wrap(_core.whole_along(x._c, ax))
        with named(op):
            x = whole.map_blocks(f, axes=ax, dtype=x.dtype, name=op)
    return x


def fftshift(x, axes=None):
    """``numpy.fft.fftshift``: the zero frequency to the centre, lazily."""
    return _shift("fftshift", x, axes, False)


def ifftshift(x, axes=None):
    """``numpy.fft.ifftshift``: the inverse of ``fftshift``."""
    return _shift("ifftshift", x, axes, True)


# ---------------------------------------------------------------------------------------
# fft_wrap

_KINDS = {"fft": "n", "ifft": "n", "rfft": "rn", "irfft": "irn", "hfft": "irn", "ihfft": "rn",
          "fft2": "s", "ifft2": "s", "fftn": "s", "ifftn": "s", "rfft2": "rs", "irfft2": "irs",
          "rfftn": "rs", "irfftn": "irs"}


def fft_wrap(fft_func, kind=None, dtype=None, allow_fftpack=False):
    """Dask's ``fft_wrap``: ``fft_func`` (a NumPy-style FFT, e.g. from ``scipy.fft``)
    applied block by block, after rechunking the transformed axes to one chunk each
    (memory-bounded, as in the rest of ``tessera.fft``). ``kind`` is the name of the
    ``numpy.fft`` function it behaves like (by default, ``fft_func``'s own name)."""
    if kind is None:
        kind = getattr(fft_func, "__name__", None)
    if kind not in _KINDS:
        raise ValueError(f"fft_wrap: given unknown `kind` {kind!r}; pass one of {sorted(_KINDS)}")
    form = _KINDS[kind]
    nd = "s" in form

    def func(a, s=None, axes=None, norm=None):
        x = a if type(a) is Array else to_array(a, kind)
        if nd:
            if axes is None and kind.endswith("2"):
                axes = (-2, -1)
            lens, axes_ = _cook(kind, x, s, axes, real_inverse=form.startswith("i"))
        else:
            axes_ = [_axis(x, -1 if axes is None else axes, kind)]
            m = x.shape[axes_[0]]
            lens = [s if s is not None else (2 * (m - 1) if form.startswith("i") else m)]
        out_dtype = dtype
        if out_dtype is None:
            sample = np.ones((8,) * x.ndim, dtype=x.dtype)
            out_dtype = fft_func(sample, **({"axes": tuple(axes_)} if nd else {"axis": axes_[0]})).dtype
        if len(axes_) == 1:
            x = _wrap(_core.whole_along(x._c, axes_[0]))
        else:  # every transformed axis in one chunk at once
            x = x.rechunk(tuple(-1 if i in axes_ else max(c) for i, c in enumerate(x.chunks)))
        chunks = [list(c) for c in x.chunks]
        for i, (n, ax) in enumerate(zip(lens, axes_)):
            last = i == len(axes_) - 1
            chunks[ax] = [n // 2 + 1 if (last and form.startswith("r")) else n]
        kw = {"norm": norm} if norm is not None else {}
        if nd:
            kw.update(s=tuple(lens), axes=tuple(axes_))
        else:
            kw.update(n=lens[0], axis=axes_[0])
        with named(kind):
            return x.map_blocks(fft_func, chunks=tuple(tuple(c) for c in chunks), dtype=out_dtype, **kw)

    if nd:
        def wrapped(a, s=None, axes=None, norm=None):
            return func(a, s, axes, norm)
    else:
        def wrapped(a, n=None, axis=None, norm=None):
            return func(a, n, axis, norm)
    wrapped.__name__ = wrapped.__qualname__ = kind
    wrapped.__doc__ = f"``{kind}`` by ``{getattr(fft_func, '__module__', '?')}.{getattr(fft_func, '__name__', '?')}``, block by block."
    return wrapped


def _register():
    """``np.fft.fft(tessera_array)`` and the rest dispatch here (NumPy's array protocol)."""
    from ._numpy_api import _FUNCTIONS

    for name in __all__:
        g = getattr(np.fft, name, None)
        if g is not None and name != "fft_wrap":
            _FUNCTIONS[g] = globals()[name]


_register()
