"""Closeness of arrays, lazily: ``isclose`` and ``allclose`` as NumPy defines them (and
``dask.array`` exposes them), built from tessera's elementwise operations."""

from __future__ import annotations

import numbers

import numpy as np

from ._array import Array, to_array
from ._creation import UNARY
from ._numpy_api import implements

__all__ = ["isclose", "allclose"]


def _tolerance(v, what, op):
    if isinstance(v, Array):
        return v
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (numbers.Real, np.ndarray, np.generic)):
        raise TypeError(f"{op}: {what} must be a real number, got {v!r}")
    return v


@implements("isclose")
def isclose(arr1, arr2, rtol=1e-05, atol=1e-08, equal_nan=False):
    """``numpy.isclose``: ``|a - b| <= atol + rtol * |b|`` where `b` is finite, ``a == b``
    elsewhere (equal infinities), and NaNs equal when `equal_nan`; `b` is computed in
    floating point, as NumPy does."""
    op = "isclose"
    rtol, atol = _tolerance(rtol, "rtol", op), _tolerance(atol, "atol", op)
    x, y = to_array(arr1, op), to_array(arr2, op)
    if y.dtype.kind != "m":
        y = y.astype(np.result_type(y.dtype, 1.0))
    result = (abs(x - y) <= atol + rtol * abs(y)) & UNARY["isfinite"](y) | (x == y)
    if equal_nan:
        result = result | (UNARY["isnan"](x) & UNARY["isnan"](y))
    return result


@implements("allclose")
def allclose(arr1, arr2, rtol=1e-05, atol=1e-08, equal_nan=False):
    """``numpy.allclose`` as a lazy 0-d boolean array (as ``dask.array.allclose``)."""
    return isclose(arr1, arr2, rtol=rtol, atol=atol, equal_nan=equal_nan).all()
