"""``sort`` and ``argsort`` along any axis at any chunking (Dask has neither: dask#4368).

Every block is first sorted along the axis on its own (NumPy's sort, in parallel: it
releases the GIL); when the axis has several chunks, each row of blocks is then joined
whole along the axis and merged by NumPy's stable sort, which finds the sorted runs and
merges them (timsort for floats, radix sort for small integers); the result has the
input's chunks. ``argsort`` sorts (value, index) the same way, stable when asked, so its
ties are NumPy's stable order.

Known limit: the merge holds a whole row along the axis in one task (for a 1-d array,
the whole array). A sample sort (splitters from a sample, per-block partition, one task
per bucket) needs bucket sizes known only at run time, which the core does not have yet.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._array import Array, to_array
from ._blockwise import map_blocks
from ._numpy_api import implements

__all__ = ["sort", "argsort"]

_KINDS = (None, "quicksort", "mergesort", "heapsort", "stable")


def _args(a, axis, kind, order, stable, op):
    if order is not None:
        raise ValueError(f"{op}: order= needs a structured dtype, which tessera does not have")
    if kind not in _KINDS:
        raise ValueError(f"{op}: kind must be one of {_KINDS[1:]}, got {kind!r}")
    if stable is not None:
        if kind is not None:
            raise ValueError(f"{op}: `kind` and `stable` parameters can't be provided at the same time (kind={kind!r}, stable={stable!r})")
        kind = "stable" if stable else None
    a = to_array(a, op)
    if axis is None:
        a, axis = a.ravel(), 0
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (numbers.Integral, np.integer)):
        raise TypeError(f"{op}: axis must be None or an integer, got {axis!r}")
    if a.ndim == 0 or not -a.ndim <= axis < a.ndim:
        from numpy.exceptions import AxisError

        raise AxisError(f"{op}: axis {axis} is out of bounds for array of dimension {a.ndim}")
    return a, int(axis) % a.ndim, kind


def _whole_along(a, axis):
    return a.rechunk({axis: -1, **{k: "auto" for k in range(a.ndim) if k != axis}})


def _descending(descending, op):
    if not isinstance(descending, (bool, np.bool_)):
        raise TypeError(f"{op}: descending must be a bool, got {descending!r}")
    return bool(descending)


@implements("sort")
def sort(a, axis=-1, kind=None, order=None, *, stable=None, descending=False):
    """``numpy.sort`` along `axis` (flattened for None); ``descending`` (the Array API's)
    reverses the order."""
    if _descending(descending, "sort"):
        from ._layout import flip

        a, axis, _ = _args(a, axis, kind, order, stable, "sort")
        return flip(sort(a, axis, kind, order, stable=stable), axis)
    a, axis, kind = _args(a, axis, kind, order, stable, "sort")
    if a.numblocks[axis] <= 1:
        return map_blocks(np.sort, a, axis=axis, kind=kind, dtype=a.dtype, name="sort")
    runs = map_blocks(np.sort, a, axis=axis, kind=kind, dtype=a.dtype, name="sort-block")
    merged = map_blocks(np.sort, _whole_along(runs, axis), axis=axis, kind="stable", dtype=a.dtype, name="sort-merge")
    return merged.rechunk(a.chunks)


@implements("argsort")
def argsort(a, axis=-1, kind=None, order=None, *, stable=None, descending=False):
    """``numpy.argsort`` along `axis` (flattened for None): int64 indices. ``descending``
    (the Array API's) keeps ties in their original order: the reversed input sorted
    stably, reversed, its indices mapped back."""
    if _descending(descending, "argsort"):
        from ._layout import flip

        a, axis, _ = _args(a, axis, kind, order, stable, "argsort")
        r = flip(argsort(flip(a, axis), axis, kind, order, stable=stable), axis)
        return (a.shape[axis] - 1) - r
    a, axis, kind = _args(a, axis, kind, order, stable, "argsort")
    if kind is None and stable is None:
        # Stable by default: the Array API's default, and one of the orders NumPy's
        # unstable default may give (ties in input order).
        kind = "stable"
    whole = a if a.numblocks[axis] <= 1 else _whole_along(a, axis)
    r = map_blocks(np.argsort, whole, axis=axis, kind=kind, dtype=np.int64, name="argsort")
    return r if whole is a else r.rechunk(a.chunks)


Array.argsort = lambda self, axis=-1, kind=None, order=None, *, stable=None, descending=False: argsort(
    self, axis, kind, order, stable=stable, descending=descending)
