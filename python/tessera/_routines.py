"""Routines over user functions built on ``map_blocks``, as in ``dask.array``:
``apply_along_axis``, ``apply_over_axes`` and ``coarsen``."""

from __future__ import annotations

import numbers

import numpy as np

from ._array import to_array
from ._blockwise import funcname, map_blocks

__all__ = ["apply_along_axis", "apply_over_axes", "coarsen", "aligned_coarsen_chunks"]


def _axis(axis, ndim, op, what="axis"):
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, numbers.Integral):
        raise TypeError(f"{op}: `{what}` must be an integer, got {axis!r}")
    if not -ndim <= axis < ndim:
        from numpy.exceptions import AxisError

        raise AxisError(f"{op}: {what} {axis} is out of bounds for array of dimension {ndim}")
    return int(axis) % ndim


def _inner_apply_along_axis(arr, func1d, func1d_axis, func1d_args, func1d_kwargs):
    return np.apply_along_axis(func1d, func1d_axis, arr, *func1d_args, **func1d_kwargs)


def apply_along_axis(func1d, axis, arr, *args, dtype=None, shape=None, **kwargs):
    """``numpy.apply_along_axis`` on a chunked array, as ``dask.array.apply_along_axis``:
    `axis` is rechunked into one chunk and every block applies `func1d` to its 1-d slices.

    When `dtype` or `shape` (of `func1d`'s result) is not given, `func1d` is called once on
    a vector of ones as long as `axis` (Dask uses a vector of length 1; the full length
    also gets the shape right for functions such as ``numpy.cumsum`` or ``numpy.sort``,
    whose results are as long as their input).
    """
    op = "apply_along_axis"
    if not callable(func1d):
        raise TypeError(f"{op}: `func1d` must be callable, not {type(func1d).__name__}")
    arr = to_array(arr)
    axis = _axis(axis, arr.ndim, op) if arr.ndim else _axis(axis, 0, op)
    if shape is None or dtype is None:
        with np.errstate(all="ignore"):
            test = np.array(func1d(np.ones((arr.shape[axis],), dtype=arr.dtype), *args, **kwargs))
        if shape is None:
            shape = test.shape
        if dtype is None:
            dtype = test.dtype
    try:
        shape = tuple(int(s) for s in shape)
    except TypeError:
        raise TypeError(f"{op}: `shape` must be a tuple of integers, got {shape!r}") from None
    arr = arr.rechunk(arr.chunks[:axis] + ((arr.shape[axis],),) + arr.chunks[axis + 1:])
    return map_blocks(
        _inner_apply_along_axis,
        arr,
        name=funcname(func1d) + "-along-axis",
        dtype=dtype,
        chunks=arr.chunks[:axis] + shape + arr.chunks[axis + 1:],
        drop_axis=axis,
        new_axis=list(range(axis, axis + len(shape))),
        func1d=func1d,
        func1d_axis=axis,
        func1d_args=args,
        func1d_kwargs=kwargs,
    )


def apply_over_axes(func, a, axes):
    """``numpy.apply_over_axes`` on a chunked array, as ``dask.array.apply_over_axes``:
    ``func(vector, 0)`` along each axis in turn (through ``apply_along_axis``); a result
    with one dimension fewer gets the axis back with length 1."""
    op = "apply_over_axes"
    if not callable(func):
        raise TypeError(f"{op}: `func` must be callable, not {type(func).__name__}")
    a = to_array(a)
    try:
        axes = tuple(axes)
    except TypeError:
        axes = (axes,)
    sl = a.ndim * (slice(None),)
    result = a
    for i in axes:
        _axis(i, a.ndim, op, "axes entry")
        result = apply_along_axis(func, i, result, 0)
        if result.ndim == a.ndim - 1:
            result = result[sl[:i] + (None,)]
        elif result.ndim != a.ndim:
            raise ValueError(f"{op}: func must either preserve dimensionality of the input or reduce it by one.")
    return result


def aligned_coarsen_chunks(chunks, multiple):
    """Chunks of the same total whose sizes are multiples of `multiple` (Dask's rule: the
    excess of each chunk moves to the smallest ones, any remainder to a last chunk)::

        aligned_coarsen_chunks((20, 10, 15, 23, 24), 10) == (20, 10, 20, 20, 20, 2)
    """
    chunks = np.asarray(chunks, dtype=np.int64)
    overflow = chunks % multiple
    excess = int(overflow.sum())
    new = chunks - overflow
    valid = new == chunks
    valid_inds, invalid_inds = np.where(valid)[0], np.where(~valid)[0]
    order = [*invalid_inds[np.argsort(new[invalid_inds])], *valid_inds[np.argsort(new[valid_inds])]]
    for idx in range(excess // multiple):
        new[order[idx]] += multiple
    remainder = [excess % multiple] if excess % multiple else []
    new = np.array([*new, *remainder], dtype=np.int64)
    return tuple(int(c) for c in new[new > 0])


def _coarsen_block(block, reduction, axes, kwargs):
    newshape = tuple(s for i in range(block.ndim) for s in (block.shape[i] // axes.get(i, 1), axes.get(i, 1)))
    return reduction(block.reshape(newshape), axis=tuple(range(1, block.ndim * 2, 2)), **kwargs)


def coarsen(reduction, x, axes, trim_excess=False, **kwargs):
    """Reduces fixed-size neighbourhoods, as ``dask.array.coarsen``: ``coarsen(np.sum, x,
    {0: 2, 1: 3})`` sums 2x3 tiles. ``reduction`` must take ``axis=`` (a tuple); axis
    lengths must be multiples of their factors unless ``trim_excess=True`` drops the excess
    at the end. A tessera reduction (``tessera.sum``) stands for NumPy's of the same name."""
    op = "coarsen"
    if not callable(reduction):
        raise TypeError(f"{op}: `reduction` must be callable, not {type(reduction).__name__}")
    x = to_array(x)
    if not isinstance(axes, dict):
        raise TypeError(f"{op}: `axes` must be a dict of axis to coarsening factor, got {axes!r}")
    norm = {}
    for i, div in axes.items():
        i = _axis(i, x.ndim, op, "axes key")
        if isinstance(div, (bool, np.bool_)) or not isinstance(div, numbers.Integral) or div < 1:
            raise ValueError(f"{op}: the coarsening factor of axis {i} must be a positive integer, got {div!r}")
        norm[i] = int(div)
    if not trim_excess and not all(x.shape[i] % div == 0 for i, div in norm.items()):
        raise ValueError(f"{op}: Coarsening factors {axes} do not align with array shape {x.shape}.")
    mod = getattr(reduction, "__module__", None) or ""
    if (mod.startswith("dask.") or mod.startswith("tessera")) and hasattr(np, getattr(reduction, "__name__", "")):
        reduction = getattr(np, reduction.__name__)
    if trim_excess and any(x.shape[i] % div for i, div in norm.items()):
        x = x[tuple(slice(0, x.shape[i] - x.shape[i] % norm[i]) if i in norm else slice(None) for i in range(x.ndim))]
    new_chunks = list(x.chunks)
    for i, div in norm.items():
        if x.shape[i]:
            new_chunks[i] = aligned_coarsen_chunks(x.chunks[i], div)
    if tuple(new_chunks) != x.chunks:
        x = x.rechunk(tuple(new_chunks))
    out_chunks = tuple(
        tuple(c // norm.get(i, 1) for c in cs) if x.shape[i] else cs for i, cs in enumerate(x.chunks)
    )
    with np.errstate(all="ignore"):
        dtype = np.asarray(reduction(np.ones((1,) * x.ndim, dtype=x.dtype), **kwargs)).dtype
    return map_blocks(_coarsen_block, x, name="coarsen-" + funcname(reduction), dtype=dtype, chunks=out_chunks,
                      reduction=reduction, axes=norm, kwargs=kwargs)
