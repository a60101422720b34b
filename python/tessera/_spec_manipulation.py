"""The Array API standard's manipulation functions that are views of what tessera has:
``permute_dims``, ``matrix_transpose``, ``unstack``, and the spec's ``clip`` (array bounds,
``x``'s dtype kept) and ``reshape(copy=)``. All lazy. (``eye``, ``tril``, ``triu``,
``meshgrid``, ``broadcast_arrays`` and ``flip`` are the joining work's, in ``_layout``.)"""

from __future__ import annotations

import numpy as np

from ._array import Array, _short, to_array


def permute_dims(x, /, axes):
    """``x`` with its axes in the order ``axes`` (a permutation of all of them)."""
    x = to_array(x, "permute_dims")
    if not isinstance(axes, (tuple, list)):
        raise TypeError(f"permute_dims: axes must be a tuple of integers, got {_short(axes)}")
    if len(axes) != x.ndim:
        raise ValueError(f"permute_dims: axes {tuple(axes)} do not match an array of {x.ndim} dimensions")
    return x.transpose(tuple(axes))


def concat(arrays, /, *, axis=0):
    """The Array API's name for ``concatenate`` (``axis=None`` joins the arrays flattened)."""
    from ._join import concatenate

    return concatenate(arrays, axis=axis)


def matrix_transpose(x, /):
    """The last two axes swapped (``x.mT``)."""
    return to_array(x, "matrix_transpose").mT


def unstack(x, /, *, axis=0):
    """The slices of ``x`` along ``axis``, as a tuple of arrays (views, nothing copied)."""
    x = to_array(x, "unstack")
    from ._creation import _axes_in

    if x.ndim == 0:
        raise ValueError("unstack: x must have at least one dimension, got a 0-d array")
    (ax,) = _axes_in(axis, x.ndim, "unstack")
    lead = (slice(None),) * ax
    return tuple(x[lead + (i,)] for i in range(x.shape[ax]))


def clip(x, /, min=None, max=None, *, a_min=None, a_max=None, out=None, **kwargs):
    """``x`` limited to ``[min, max]`` (scalars or arrays that broadcast against ``x``;
    either may be None). The result has ``x``'s shape, and its dtype for bounds of the same
    kind, as the Array API specifies; NumPy's ``a_min``/``a_max`` names are taken too."""
    from ._creation import BINARY
    from ._errors import named

    if out is not None:
        raise NotImplementedError("clip: out= is not supported (tessera arrays are immutable)")
    if kwargs:
        raise TypeError(f"clip() got an unexpected keyword argument {next(iter(kwargs))!r}")
    lo = a_min if a_min is not None else min
    hi = a_max if a_max is not None else max
    x = to_array(x, "clip")
    r = x
    for bound, fn in ((lo, "maximum"), (hi, "minimum")):
        if bound is None:
            continue
        # Array bounds broadcast with x (NumPy's rule; the result may be larger than x).
        if isinstance(bound, Array) or np.ndim(bound) > 0:
            b = to_array(bound, "clip")
            try:
                np.broadcast_shapes(b.shape, r.shape)
            except ValueError:
                raise ValueError(f"clip: {'min' if fn == 'maximum' else 'max'} of shape {b.shape} does not "
                                 f"broadcast with x's shape {r.shape}") from None
        with named("clip"):
            r = BINARY[fn](r, bound)
    # The spec keeps x's dtype for bounds of its kind (int16 bounds of int8 x: int8); bounds
    # of another kind (unspecified there) promote as in NumPy and Dask.
    if r.dtype != x.dtype and r.dtype.kind == x.dtype.kind:
        r = r.astype(x.dtype)
    return r


def reshape(x, /, shape, *, copy=None, merge_chunks=True, limit=None):
    """``x`` in another shape (C order). ``copy``: tessera arrays are immutable and a
    reshape never writes memory, so every value is honoured as is."""
    from ._creation import _copy_flag

    _copy_flag(copy, "reshape")
    return to_array(x, "reshape").reshape(shape)
