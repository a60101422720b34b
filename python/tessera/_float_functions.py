"""NumPy's floating-point helpers that are not tessera ufuncs, built from tessera's
elementwise operations with NumPy's own formulas (so the values are NumPy's):
``nan_to_num``, ``sinc``, ``isreal``, ``isposinf``, ``isneginf``, ``logaddexp2``."""

from __future__ import annotations

import numpy as np

from ._array import to_array
from ._creation import BINARY, UNARY, full_like, where
from ._numpy_api import implements, implements_ufunc

__all__ = ["nan_to_num", "sinc", "isreal", "isposinf", "isneginf", "logaddexp2"]


@implements("isposinf")
def isposinf(x, out=None):
    """``numpy.isposinf``: True where ``x`` is +inf."""
    x = to_array(x, "isposinf")
    if x.dtype.kind == "c":
        raise TypeError("isposinf: this operation is not supported for complex values because it would be ambiguous")
    return UNARY["isinf"](x) & ~UNARY["signbit"](x) if x.dtype.kind == "f" else UNARY["isinf"](x)


@implements("isneginf")
def isneginf(x, out=None):
    """``numpy.isneginf``: True where ``x`` is -inf."""
    x = to_array(x, "isneginf")
    if x.dtype.kind == "c":
        raise TypeError("isneginf: this operation is not supported for complex values because it would be ambiguous")
    return UNARY["isinf"](x) & UNARY["signbit"](x) if x.dtype.kind == "f" else UNARY["isinf"](x)


def _replace_nonfinite(x, nan, posinf, neginf):
    info = np.finfo(x.dtype)
    big = info.max if posinf is None else posinf
    small = info.min if neginf is None else neginf
    x = where(UNARY["isnan"](x), np.asarray(nan).astype(x.dtype)[()], x)
    x = where(isposinf(x), np.asarray(big).astype(x.dtype)[()], x)
    return where(isneginf(x), np.asarray(small).astype(x.dtype)[()], x)


@implements("nan_to_num")
def nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    """``numpy.nan_to_num``: NaN to ``nan``, infinities to ``posinf``/``neginf`` (the
    dtype's largest and smallest finite values by default); real and imaginary parts alike."""
    x = to_array(x, "nan_to_num")
    if x.dtype.kind == "f":
        return _replace_nonfinite(x, nan, posinf, neginf)
    if x.dtype.kind == "c":
        re = _replace_nonfinite(x.real, nan, posinf, neginf).astype(x.dtype)
        im = _replace_nonfinite(x.imag, nan, posinf, neginf).astype(x.dtype)
        return re + im * np.asarray(1j, dtype=x.dtype)[()]
    return x


@implements("sinc")
def sinc(x):
    """``numpy.sinc``: ``sin(pi x) / (pi x)``, 1 at 0 (NumPy's formula: 0 is replaced by 1e-20)."""
    x = to_array(x, "sinc")
    if x.dtype.kind not in "fc":
        x = x.astype(np.float64)
    y = np.pi * where(x == 0, np.asarray(1.0e-20, dtype=x.dtype)[()], x)
    return UNARY["sin"](y) / y


@implements("isreal")
def isreal(x):
    """``numpy.isreal``: True where the imaginary part is 0 (everywhere for real arrays)."""
    x = to_array(x, "isreal")
    return (x.imag == 0) if x.dtype.kind == "c" else full_like(x, True, dtype=bool)


@implements_ufunc("logaddexp2")
def logaddexp2(x1, x2, **kwargs):
    """``numpy.logaddexp2``: ``log2(2**x1 + 2**x2)`` without overflow, by NumPy's formula
    (the larger plus ``log2(1 + 2**-|x1 - x2|)``; equal arguments give ``x + 1``)."""
    if kwargs:
        raise NotImplementedError(f"logaddexp2: the keywords {sorted(kwargs)} are not supported")
    a, b = to_array(x1, "logaddexp2"), to_array(x2, "logaddexp2")
    dt = np.result_type(a.dtype, b.dtype, np.float16)
    if dt.kind not in "f":
        raise TypeError(f"logaddexp2: ufunc 'logaddexp2' not supported for the input types ({a.dtype}, {b.dtype})")
    a, b = a.astype(dt), b.astype(dt)
    big = BINARY["maximum"](a, b)
    rest = UNARY["log1p"](UNARY["exp2"](-abs(a - b))) * np.asarray(np.log2(np.e), dtype=dt)[()]
    return where(a == b, a + np.asarray(1, dtype=dt)[()], big + rest)
