"""Joining arrays: ``concatenate``, ``stack``, ``block``, ``hstack``/``vstack``/``dstack``,
``append``, ``broadcast_arrays``/``broadcast_shapes`` and ``atleast_1d/2d/3d``, with Dask's
signatures. Joins are one gather node (``tessera._core.concatenate``): output blocks are
the inputs' blocks, passed through without a copy."""

from __future__ import annotations

import numpy as np
from numpy.exceptions import AxisError

from . import _core
from ._array import Array, _short, _wrap, to_array
from ._creation import broadcast_to
from ._errors import named


def _arrays(seq, op):
    if isinstance(seq, Array) or not isinstance(seq, (list, tuple)):
        if isinstance(seq, (Array, np.ndarray)) and np.ndim(seq) > 0:
            return [to_array(a, op) for a in seq]
        raise TypeError(f"{op}: expected a sequence of arrays, got {_short(seq)}")
    if len(seq) == 0:
        raise ValueError(f"{op}: need at least one array to {op.split('_')[0]}")
    return [to_array(a, op) for a in seq]


def common_dtype(arrays):
    """NumPy's result dtype of joining ``arrays`` (arrays, not weak scalars)."""
    return np.result_type(*[a.dtype for a in arrays])


def _promoted(arrays, op):
    dt = common_dtype(arrays)
    return [a if a.dtype == dt else a.astype(dt) for a in arrays]


def _axis(axis, ndim, op):
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{op}: axis must be an integer, got {_short(axis)}")
    axis = int(axis)
    if not -ndim <= axis < ndim:
        raise AxisError(f"{op}: axis {axis} is out of bounds for array of dimension {ndim}")
    return axis % ndim


def concatenate(seq, axis=0, allow_unknown_chunksizes=False):
    """Joins arrays along an existing axis (``axis=None`` joins them flattened)."""
    arrays = _arrays(seq, "concatenate")
    if axis is None:
        arrays = [a.reshape(-1) for a in arrays]
        axis = 0
    nd = arrays[0].ndim
    if nd == 0:
        raise ValueError("concatenate: zero-dimensional arrays cannot be concatenated")
    for k, a in enumerate(arrays):
        if a.ndim != nd:
            raise ValueError(
                "concatenate: all the input arrays must have same number of dimensions, but the array at index 0 "
                f"has {nd} dimension(s) and the array at index {k} has {a.ndim} dimension(s)"
            )
    axis = _axis(axis, nd, "concatenate")
    arrays = _promoted(arrays, "concatenate")
    with named("concatenate"):
        return _wrap(_core.concatenate([a._c for a in arrays], axis))


def stack(seq, axis=0, allow_unknown_chunksizes=False):
    """Joins arrays of one shape along a new axis."""
    arrays = _arrays(seq, "stack")
    shape = arrays[0].shape
    for k, a in enumerate(arrays):
        if a.shape != shape:
            raise ValueError(f"stack: all input arrays must have the same shape, but the array at index 0 has shape "
                             f"{shape} and the array at index {k} has shape {a.shape}")
    axis = _axis(axis, len(shape) + 1, "stack")
    key = (slice(None),) * axis + (None,)
    return concatenate([a[key] for a in arrays], axis=axis)


def _list_depth(x, op, path="arrays"):
    if type(x) is tuple:
        raise TypeError(f"{op}: {path} is a tuple. Only lists can be used to arrange blocks, and np.block does "
                        "not allow implicit conversion from tuple to ndarray.")
    if type(x) is not list:
        return 0
    if len(x) == 0:
        raise ValueError(f"{op}: List at {path} cannot be empty")
    depths = [_list_depth(v, op, f"{path}[{i}]") for i, v in enumerate(x)]
    if any(d != depths[0] for d in depths):
        raise ValueError(f"{op}: List depths are mismatched. First element was at depth {depths[0] + 1}, "
                         f"but there is an element at depth {min(depths) + 1} ({path})")
    return depths[0] + 1


def block(arrays, allow_unknown_chunksizes=False):
    """Assembles an array from nested lists of blocks (NumPy's ``block``)."""
    depth = _list_depth(arrays, "block")

    def leaves(x):
        return [v for item in x for v in leaves(item)] if type(x) is list else [x]

    ndim = max([depth] + [np.ndim(v) if not isinstance(v, Array) else v.ndim for v in leaves(arrays)])

    def join(x, d):
        if type(x) is not list:
            a = to_array(x, "block")
            return a[(None,) * (ndim - a.ndim)] if a.ndim < ndim else a
        parts = [join(v, d + 1) for v in x]
        return concatenate(parts, axis=ndim - depth + d)

    return join(arrays, 0)


def atleast_1d(*arys):
    out = []
    for a in arys:
        a = to_array(a, "atleast_1d")
        out.append(a[None] if a.ndim == 0 else a)
    return out[0] if len(out) == 1 else out


def atleast_2d(*arys):
    out = []
    for a in arys:
        a = to_array(a, "atleast_2d")
        out.append(a[None, None] if a.ndim == 0 else a[None] if a.ndim == 1 else a)
    return out[0] if len(out) == 1 else out


def atleast_3d(*arys):
    out = []
    for a in arys:
        a = to_array(a, "atleast_3d")
        if a.ndim == 0:
            a = a[None, None, None]
        elif a.ndim == 1:
            a = a[None, :, None]
        elif a.ndim == 2:
            a = a[:, :, None]
        out.append(a)
    return out[0] if len(out) == 1 else out


def _as_list(tup, op):
    if isinstance(tup, Array) or not isinstance(tup, (list, tuple)):
        raise TypeError(f"{op}: arrays to stack must be passed as a sequence type such as list or tuple, "
                        f"got {_short(tup)}")
    return list(tup)


def hstack(tup, allow_unknown_chunksizes=False):
    arrs = [atleast_1d(a) for a in _as_list(tup, "hstack")]
    if not arrs:
        raise ValueError("hstack: need at least one array to concatenate")
    return concatenate(arrs, axis=0 if arrs[0].ndim == 1 else 1)


def vstack(tup, allow_unknown_chunksizes=False):
    arrs = [atleast_2d(a) for a in _as_list(tup, "vstack")]
    if not arrs:
        raise ValueError("vstack: need at least one array to concatenate")
    return concatenate(arrs, axis=0)


def dstack(tup, allow_unknown_chunksizes=False):
    arrs = [atleast_3d(a) for a in _as_list(tup, "dstack")]
    if not arrs:
        raise ValueError("dstack: need at least one array to concatenate")
    return concatenate(arrs, axis=2)


def append(arr, values, axis=None):
    arr = to_array(arr, "append")
    values = to_array(values, "append")
    if axis is None:
        return concatenate([arr.reshape(-1), values.reshape(-1)], axis=0)
    return concatenate([arr, values], axis=axis)


def broadcast_shapes(*shapes):
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError as e:
        raise ValueError(f"broadcast_shapes: {e}") from None


def broadcast_arrays(*args, subok=False):
    arrays = [to_array(a, "broadcast_arrays") for a in args]
    shape = broadcast_shapes(*[a.shape for a in arrays])
    # a tuple, as NumPy 2's and the Array API's (Dask's is a list)
    return tuple(a if a.shape == shape else broadcast_to(a, shape) for a in arrays)
