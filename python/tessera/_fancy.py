"""Indexing with NumPy integer arrays, lists and boolean masks (known when the expression
is built), with NumPy's semantics: on any axis, on several axes at once (broadcast
together, the result's axes placed as NumPy places them), mixed with slices, integers,
``None`` and ``...``; negative, out-of-order and repeated indices. Also ``take``,
``take_along_axis``, ``.vindex`` (pointwise) and ``.blocks``/``.partitions``.

Every form becomes basic indexing (views, which push down to sources) followed by gathers
along one axis (``tessera._core.take``): one array index is one gather; several are first
narrowed to the distinct indices per axis, then merged into one axis and gathered
pointwise. Indices are checked when the expression is built (IndexError naming the index,
the axis and its size)."""

from __future__ import annotations

import numbers

import numpy as np

from . import _core
from ._array import Array, _short, _wrap
from ._errors import named


def _is_advanced(k):
    if isinstance(k, Array):
        return True
    if isinstance(k, (list, tuple)):
        return True
    return isinstance(k, np.ndarray) and not (k.ndim == 0 and k.dtype.kind in "iu")


def is_fancy(key) -> bool:
    return any(_is_advanced(k) or isinstance(k, (bool, np.bool_)) for k in key)


def _as_index_array(k, op):
    if isinstance(k, Array):
        raise NotImplementedError(
            f"{op}: indexing with a lazy tessera array ({'boolean mask' if k.dtype == bool else 'integer array'}) "
            "is not supported yet (its values, and for masks the result's size, are known only when computed); "
            "compute it first (np.asarray(index)) to index with a NumPy array"
        )
    a = np.asarray(k)
    if a.dtype == object or (a.size == 0 and a.dtype.kind == "f"):
        a = a.astype(np.int64) if a.size == 0 else a
    if a.dtype.kind not in "iub":
        raise IndexError(f"{op}: arrays used as indices must be of integer (or boolean) type, got {a.dtype} "
                         f"{_short(k)}")
    return a


def _expand(key, ndim, op):
    """The key with booleans turned into integer arrays and ``...`` expanded: a list of
    ``(kind, value)`` with kind in int/slice/none/array."""
    items = []
    for k in key:
        if k is None or k is Ellipsis or isinstance(k, slice):
            items.append(k)
        elif isinstance(k, (bool, np.bool_)):
            items.append(np.asarray(k))
        elif _is_advanced(k):
            items.append(_as_index_array(k, op))
        elif isinstance(k, np.ndarray):
            items.append(int(k))
        elif hasattr(k, "__index__"):
            items.append(int(k.__index__()))
        else:
            raise IndexError(f"{op}: only integers, slices (`:`), ellipsis (`...`), None (`numpy.newaxis`) and "
                             f"integer or boolean arrays are valid indices, got {type(k).__name__} {_short(k)}")
    consumed = sum(0 if (k is None or k is Ellipsis) else (k.ndim if isinstance(k, np.ndarray) and k.dtype == bool else 1)
                   for k in items)
    has_ellipsis = any(k is Ellipsis for k in items)
    if sum(k is Ellipsis for k in items) > 1:
        raise IndexError(f"{op}: an index can only have a single ellipsis ('...')")
    if consumed > ndim:
        raise IndexError(f"{op}: too many indices for array: array is {ndim}-dimensional, but {consumed} were indexed")
    out = []
    for k in items:
        if k is Ellipsis:
            out.extend([slice(None)] * (ndim - consumed))
        else:
            out.append(k)
    if not has_ellipsis:
        out.extend([slice(None)] * (ndim - consumed))
    return out


def _normalized(idx, n, axis, op):
    idx = idx.astype(np.int64, copy=False)
    bad = (idx < -n) | (idx >= n)
    if bad.any():
        v = idx[bad].flat[0]
        raise IndexError(f"{op}: index {v} is out of bounds for axis {axis} with size {n}")
    return np.where(idx < 0, idx + n, idx)


def take_axis(x, idx, axis, op="take", chunks=None):
    """``x`` gathered along ``axis`` at the 1-d in-bounds non-negative ``idx``."""
    idx = np.ascontiguousarray(idx, dtype=np.int64).reshape(-1)
    if len(idx) == x.shape[axis] and len(idx) and (idx == np.arange(len(idx))).all():
        return x
    with named(op):
        return _wrap(_core.take(x._c, idx, axis, chunks))


def _split_axis(y, axis, shape):
    """Axis ``axis`` of ``y`` reshaped into ``shape``."""
    if len(shape) == 1:
        return y
    return y.reshape(y.shape[:axis] + tuple(shape) + y.shape[axis + 1:])


def getitem(x, key, op="getitem", vindex=False):
    items = _expand(key, x.ndim, op)
    arrays_in = [k for k in items if isinstance(k, np.ndarray)]
    if len(arrays_in) == 1 and arrays_in[0].dtype == bool and arrays_in[0].ndim == 1 and arrays_in[0].size \
            and not vindex \
            and all(k is None or isinstance(k, (slice, np.ndarray)) for k in items):
        # A 1-d mask with slices: the slices first (views), then the mask as one gather
        # whose runs are found when the plan is made (building costs a count per block).
        p = next(i for i, k in enumerate(items) if isinstance(k, np.ndarray))
        y = x[tuple(slice(None) if i == p else k for i, k in enumerate(items))]
        axis = sum(1 for k in items[:p] if k is None or isinstance(k, slice))
        with named(op):
            return _wrap(_core.take_mask(y._c, arrays_in[0], axis))
    if arrays_in:
        # Beside arrays, integers are advanced indices too (they decide where NumPy puts
        # the broadcast axes).
        items = [np.asarray(k, np.int64) if type(k) is int else k for k in items]
    # Basic part first (views); record each array index's axis in the viewed array.
    basic, arrays, axis_in_x, pos = [], [], 0, 0
    for k in items:
        if isinstance(k, np.ndarray):
            if k.dtype == bool:
                # NumPy lets an axis of 0 of an empty mask stand for any size.
                ax = x.shape[axis_in_x:axis_in_x + k.ndim]
                if len(ax) != k.ndim or any(ms != n and not (k.size == 0 and ms == 0) for ms, n in zip(k.shape, ax)):
                    raise IndexError(f"{op}: boolean index did not match indexed array along axis {axis_in_x}; "
                                     f"size of axis is {x.shape[axis_in_x] if k.ndim else 1} but size of corresponding "
                                     f"boolean axis is {k.shape[0] if k.ndim else 1} (mask shape {k.shape}, array "
                                     f"shape {x.shape})")
                if k.ndim == 0:
                    # x[True] adds an axis of 1, x[False] an empty one.
                    basic.append(None)
                    arrays.append((pos, np.zeros(1 if k else 0, np.int64)))
                    pos += 1
                    continue
                for d, nz in enumerate(np.nonzero(k)):
                    basic.append(slice(None))
                    arrays.append((pos, nz.astype(np.int64)))
                    pos += 1
                    axis_in_x += 1
                continue
            n = x.shape[axis_in_x]
            arrays.append((pos, _normalized(k, n, axis_in_x, op)))
            basic.append(slice(None))
            pos += 1
            axis_in_x += 1
        elif k is None:
            basic.append(None)
            pos += 1
        elif isinstance(k, slice):
            basic.append(k)
            pos += 1
            axis_in_x += 1
        else:
            basic.append(k)
            axis_in_x += 1
    y = x[tuple(basic)] if any(not (isinstance(b, slice) and b == slice(None)) for b in basic) else x
    if not arrays:
        return y
    positions = [p for p, _ in arrays]
    try:
        idxs = np.broadcast_arrays(*[a for _, a in arrays])
    except ValueError:
        shapes = " ".join(str(a.shape) for _, a in arrays)
        raise IndexError(f"{op}: shape mismatch: indexing arrays could not be broadcast together with shapes {shapes}") from None
    bshape = idxs[0].shape
    if len(arrays) == 1:
        p = positions[0]
        out = take_axis(y, idxs[0], p, op)
        out = _split_axis(out, p, bshape)
        if vindex and p != 0:
            out = _front(out, p, len(bshape))
        return out
    adjacent = positions == list(range(positions[0], positions[0] + len(positions)))
    # Advanced axes first, in order; narrowed to their distinct indices.
    rest = [a for a in range(y.ndim) if a not in positions]
    y = y.transpose(positions + rest)
    remapped = []
    for k, idx in enumerate(idxs):
        u, inv = np.unique(idx, return_inverse=True)
        y = take_axis(y, u, k, op)
        remapped.append(inv.reshape(bshape))
    m = len(idxs)
    dims = y.shape[:m]
    merged = y.rechunk({k: -1 for k in range(1, m)}).reshape((int(np.prod(dims)),) + y.shape[m:])
    flat = np.ravel_multi_index(tuple(remapped), dims) if merged.shape[0] else np.zeros(bshape, np.int64)
    out = take_axis(merged, flat, 0, op)
    out = _split_axis(out, 0, bshape)
    if adjacent and not vindex and positions[0] != 0:
        out = _to(out, len(bshape), positions[0])
    return out


def _front(y, p, nb):
    """Axes ``p..p+nb`` of ``y`` moved to the front."""
    order = list(range(p, p + nb)) + [a for a in range(y.ndim) if not p <= a < p + nb]
    return y.transpose(order)


def _to(y, nb, p):
    """The leading ``nb`` axes of ``y`` moved to position ``p``."""
    rest = list(range(nb, y.ndim))
    order = rest[:p] + list(range(nb)) + rest[p:]
    return y.transpose(order)


def take(a, indices, axis=0):
    from ._array import to_array

    x = to_array(a, "take")
    if axis is None:
        x = x.reshape(-1)
        axis = 0
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (numbers.Integral, np.integer)):
        raise TypeError(f"take: axis must be an integer, got {_short(axis)}")
    nd = x.ndim
    if not -nd <= axis < nd:
        from numpy.exceptions import AxisError

        raise AxisError(f"take: axis {axis} is out of bounds for array of dimension {nd}")
    axis %= nd
    if isinstance(indices, Array) and indices.dtype != bool:
        from ._unknown import getitem as lazy_getitem

        return lazy_getitem(x, (slice(None),) * axis + (indices,))
    idx = _as_index_array(indices, "take")
    if idx.dtype == bool:
        raise IndexError("take: indices must be integers, got a boolean array")
    key = [slice(None)] * nd
    key[axis] = idx if idx.ndim else int(idx)
    return getitem(x, tuple(key), "take")


def take_along_axis(arr, indices, axis=-1):
    from ._array import to_array

    x = to_array(arr, "take_along_axis")
    lazy = isinstance(indices, Array)
    idx = indices if lazy else _as_index_array(indices, "take_along_axis")
    if idx.dtype.kind not in "iu":
        raise IndexError("take_along_axis: `indices` must be an integer array")
    if axis is None:
        x = x.reshape(-1)
        axis = 0
    nd = x.ndim
    if idx.ndim != nd:
        raise ValueError(f"take_along_axis: `indices` and `arr` must have the same number of dimensions "
                         f"({idx.ndim} and {nd})")
    if not -nd <= axis < nd:
        from numpy.exceptions import AxisError

        raise AxisError(f"take_along_axis: axis {axis} is out of bounds for array of dimension {nd}")
    axis %= nd
    key = []
    for a in range(nd):
        if a == axis:
            key.append(idx)
        else:
            shape = [1] * nd
            shape[a] = x.shape[a]
            key.append(np.arange(x.shape[a]).reshape(shape))
    try:
        np.broadcast_shapes(*[k.shape for k in key])
    except ValueError:
        raise ValueError(f"take_along_axis: shape mismatch: indices of shape {idx.shape} do not broadcast "
                         f"against array of shape {x.shape}") from None
    if lazy:
        # The index values are read when computed (phase 1), as for x[lazy_int_array].
        from ._unknown import getitem as lazy_getitem

        return lazy_getitem(x, tuple(key))
    return getitem(x, tuple(key), "take_along_axis")


class VIndex:
    """``x.vindex[...]``: pointwise indexing; the broadcast index arrays' axes come first."""

    __slots__ = ("_x",)

    def __init__(self, x):
        self._x = x

    def __getitem__(self, key):
        if type(key) is not tuple:
            key = (key,)
        if not any(_is_advanced(k) for k in key):
            raise IndexError("vindex: vindex requires at least one non-slice to vectorize over; use normal "
                             f"slicing instead when only using slices. Got: {_short(key)}")
        if any(isinstance(k, Array) for k in key):
            from ._unknown import getitem as lazy_getitem

            return lazy_getitem(self._x, key, vindex=True)
        if any(isinstance(k, np.ndarray) and k.dtype == bool for k in key):
            raise IndexError("vindex: vindex does not support boolean indices; use the mask's nonzero()")
        return getitem(self._x, key, "vindex", vindex=True)


class Blocks:
    """``x.blocks[i, j]``: the array made of those blocks (integers, slices, or lists of them)."""

    __slots__ = ("_x",)

    def __init__(self, x):
        self._x = x

    @property
    def shape(self):
        return self._x.numblocks

    @property
    def size(self):
        return int(np.prod(self._x.numblocks))

    @property
    def ndim(self):
        return self._x.ndim

    def __getitem__(self, key):
        x = self._x
        if type(key) is not tuple:
            key = (key,)
        items = _expand(key, x.ndim, "blocks")
        if any(k is None for k in items):
            raise IndexError("blocks: slicing with newaxis (None) is not supported")
        from ._join import concatenate

        out = x
        numblocks = x.numblocks
        for a in range(x.ndim - 1, -1, -1):
            k = items[a]
            nb = numblocks[a]
            if isinstance(k, slice):
                sel = range(nb)[k]
                if not sel:
                    raise IndexError(f"blocks: slice {k} selects no blocks of axis {a} ({nb} blocks)")
            elif isinstance(k, np.ndarray):
                if k.ndim != 1 or k.dtype == bool:
                    raise IndexError("blocks: only 1-d integer lists of blocks are supported")
                sel = [int(b) for b in _normalized(k, nb, a, "blocks")]
            else:
                b = int(k)
                if not -nb <= b < nb:
                    raise IndexError(f"blocks: index {b} is out of bounds for axis {a} with {nb} blocks")
                sel = [b % nb]
            def piece(arr, b0, b1):
                # Block bounds from the core: no list of the axis's chunks (many blocks).
                kk = [slice(None)] * arr.ndim
                kk[a] = slice(x._c.block_start(a, b0), x._c.block_start(a, b1))
                return arr[tuple(kk)]
            # Runs of consecutive blocks are one slice.
            runs, s0 = [], sel[0]
            if isinstance(sel, range) and sel.step == 1:
                runs, sel = [(sel.start, sel.stop)], ()
            for i in range(1, len(sel) + 1):
                if i == len(sel) or sel[i] != sel[i - 1] + 1:
                    runs.append((s0, sel[i - 1] + 1))
                    if i < len(sel):
                        s0 = sel[i]
            parts = [piece(out, b0, b1) for b0, b1 in runs]
            out = parts[0] if len(parts) == 1 else concatenate(parts, axis=a)
        return out

    def ravel(self):
        return [self[idx] for idx in np.ndindex(*self.shape)]
