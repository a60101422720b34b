"""Overlapping blocks, as ``dask.array.overlap``: ``map_overlap`` applies a function to
every block grown by its neighbours' edges (and a boundary rule at the array's edges), then
trims the growth off; ``overlap``, ``trim_internal``/``trim_overlap`` and ``boundaries`` are
its parts; ``sliding_window_view`` is built on it.

The growth and the trim are one core operation (a gather of regions of the input): a grown
block is copied once from the input blocks it touches, a trimmed block is a view of the
function's result (no copy), and a slice of the result computes only the blocks it reads.
Depth and boundary take Dask's forms: an int, a tuple (one per axis) or a dict (axis ->
value); a depth per axis may be ``(before, after)`` with ``boundary="none"``; a boundary is
``"none"``, ``"reflect"``, ``"periodic"``, ``"nearest"`` or a constant.
"""

from __future__ import annotations

import numbers
import warnings
from functools import reduce
from operator import mul

import numpy as np

from . import _core
from ._array import Array, _wrap, to_array
from ._gufunc import _calculate_new_chunksizes

__all__ = [
    "add_dummy_padding",
    "boundaries",
    "coerce_boundary",
    "coerce_depth",
    "constant",
    "ensure_minimum_chunksize",
    "map_overlap",
    "nearest",
    "overlap",
    "overlap_internal",
    "periodic",
    "push",
    "reflect",
    "sliding_window_view",
    "trim_internal",
    "trim_overlap",
]

_MODES = ("none", "reflect", "periodic", "nearest")


def coerce_depth(ndim, depth):
    """Depth as a dict with an entry (int, or a ``(before, after)`` tuple) for every axis."""
    default = 0
    if depth is None:
        depth = default
    if isinstance(depth, numbers.Integral):
        depth = (depth,) * ndim
    if isinstance(depth, tuple):
        depth = dict(zip(range(ndim), depth))
    if isinstance(depth, dict):
        depth = {ax: depth.get(ax, default) for ax in range(ndim)}
    return coerce_depth_type(ndim, depth)


def coerce_depth_type(ndim, depth):
    for i in range(ndim):
        if isinstance(depth[i], tuple):
            depth[i] = tuple(int(d) for d in depth[i])
        else:
            depth[i] = int(depth[i])
    return depth


def coerce_boundary(ndim, boundary):
    """Boundary as a dict with an entry for every axis (``"none"`` by default)."""
    default = "none"
    if boundary is None:
        boundary = default
    if not isinstance(boundary, (tuple, dict)):
        boundary = (boundary,) * ndim
    if isinstance(boundary, tuple):
        boundary = dict(zip(range(ndim), boundary))
    if isinstance(boundary, dict):
        boundary = {ax: boundary.get(ax, default) for ax in range(ndim)}
    return boundary


def _pair(d, op):
    lo, hi = d if isinstance(d, tuple) else (d, d)
    if lo < 0 or hi < 0:
        raise ValueError(f"{op}: depth must not be negative, got {d!r}")
    return int(lo), int(hi)


def _is_mode(b, mode):
    return isinstance(b, str) and b == mode


def _core_boundary(b, dtype, op):
    """One axis's boundary as the core takes it: ``(mode, None)`` or ``("constant", value)``
    with the value cast to the array's dtype as Dask's ``full_like`` does."""
    if isinstance(b, str):
        if b in _MODES:
            return (str(b), None)
        raise ValueError(f"{op}: unknown boundary {b!r}: use 'none', 'reflect', 'periodic', 'nearest' or a constant")
    try:
        v = np.full((), b, dtype=dtype)
    except (TypeError, ValueError, OverflowError) as e:
        raise type(e)(f"{op}: the boundary constant {b!r} cannot be a value of dtype {dtype}: {e}") from None
    return ("constant", v.item())


def _depths(x, depth, op):
    depth = coerce_depth(x.ndim, depth)
    return depth, [_pair(depth[i], op) for i in range(x.ndim)]


def ensure_minimum_chunksize(size, chunks):
    """Chunks of one axis with every chunk at least `size` long (too small ones merged into
    their neighbours), as Dask's; ``ValueError`` when the axis is shorter than `size`."""
    return tuple(_core.ensure_minimum_chunksize(int(size), [int(c) for c in chunks]))


def overlap(x, depth, boundary, *, allow_rechunk=True):
    """Every block grown by `depth` elements from its neighbours along each axis, and at the
    array's edges by `boundary` (``"none"``: the edges do not grow). Chunks shorter than the
    depth are merged first (``allow_rechunk``; else ``ValueError``)."""
    if not isinstance(x, Array):
        raise TypeError(f"overlap: expected a tessera Array, got {type(x).__name__}")
    depth, pairs = _depths(x, depth, "overlap")
    boundary = coerce_boundary(x.ndim, boundary)
    for i, (lo, hi) in enumerate(pairs):
        if lo != hi and not _is_mode(boundary[i], "none"):
            raise NotImplementedError(
                "Asymmetric overlap is currently only implemented for boundary='none', however "
                f"boundary for dimension {i} is {boundary[i]}"
            )
    bd = [_core_boundary(boundary[i], x.dtype, "overlap") for i in range(x.ndim)]
    return _wrap(_core.overlap(x._c, pairs, bd, bool(allow_rechunk)))


def overlap_internal(x, axes):
    """Blocks grown by their neighbours' edges only (no boundary, no rechunk): Dask's
    ``overlap_internal``; chunks must be at least as long as the depth."""
    return overlap(x, axes, "none", allow_rechunk=False)


def trim_internal(x, axes, boundary=None):
    """Every block shrunk by `axes` (depth per axis) on both sides, except the array's outer
    edges along axes whose boundary is ``"none"`` (which an overlap did not grow). Each block
    is a view of `x`'s."""
    if not isinstance(x, Array):
        raise TypeError(f"trim_internal: expected a tessera Array, got {type(x).__name__}")
    boundary = coerce_boundary(x.ndim, boundary)
    pairs = [_pair(axes.get(i, 0), "trim_internal") for i in range(x.ndim)]
    edges = [not _is_mode(boundary.get(i, "none"), "none") for i in range(x.ndim)]
    return _wrap(_core.trim_internal(x._c, pairs, edges))


def trim_overlap(x, depth, boundary=None):
    """``trim_internal`` with Dask's forms of `depth`."""
    return trim_internal(x, coerce_depth(x.ndim, depth), boundary=boundary)


def boundaries(x, depth=None, kind=None):
    """The array grown by `depth` on both sides of each axis by the boundary rule `kind`, in
    blocks of their own (chunks ``(d, ..., d)``); ``"none"`` axes do not grow."""
    if not isinstance(kind, dict):
        kind = dict.fromkeys(range(x.ndim), kind)
    if not isinstance(depth, dict):
        depth = dict.fromkeys(range(x.ndim), depth)
    ds, bd = [], []
    for i in range(x.ndim):
        d = depth.get(i, 0) or 0
        if isinstance(d, tuple):
            raise NotImplementedError("boundaries: a (before, after) depth is only implemented for boundary='none'")
        k = kind.get(i, "none")
        ds.append(_pair(int(d), "boundaries")[0])
        bd.append(("none", None) if k is None or ds[-1] == 0 else _core_boundary(k, x.dtype, "boundaries"))
    return _wrap(_core.boundaries(x._c, ds, bd))


def _one_axis(x, axis, depth, kind):
    axis = int(axis) % x.ndim if x.ndim else int(axis)
    return boundaries(x, {axis: depth}, {axis: kind})


def periodic(x, axis, depth):
    """`depth` elements of each end copied around to the other side of `axis`."""
    return _one_axis(x, axis, depth, "periodic")


def reflect(x, axis, depth):
    """Each end of `axis` mirrored outwards (the edge element repeated)."""
    return _one_axis(x, axis, depth, "reflect")


def nearest(x, axis, depth):
    """Each end element of `axis` repeated `depth` times outwards."""
    return _one_axis(x, axis, depth, "nearest")


def constant(x, axis, depth, value):
    """`depth` elements of `value` added on both sides of `axis`."""
    return _one_axis(x, axis, depth, value)


def _common_chunks(cands):
    """Dask's ``common_blockdim``: chunks that every candidate's boundaries divide."""
    if all(c == cands[0] for c in cands):
        return cands[0]
    non_trivial = {c for c in cands if len(c) > 1}
    if len(non_trivial) == 1:
        return next(iter(non_trivial))
    if not non_trivial:
        return max(cands, key=lambda c: c[0])
    if len({sum(c) for c in non_trivial}) > 1:
        raise ValueError("Chunks do not add up to same value", cands)
    bounds = sorted({s for c in non_trivial for s in np.cumsum((0,) + c).tolist()})
    return tuple(b - a for a, b in zip(bounds, bounds[1:]))


def _unify(arrays):
    """The arrays rechunked to common chunks along each (trailing-aligned) axis, as Dask's
    ``unify_chunks`` with reversed indices does; length-1 axes broadcast."""
    nd = max(a.ndim for a in arrays)
    common = {}
    for k in range(1, nd + 1):
        cands = [a.chunks[-k] for a in arrays if a.ndim >= k and a.chunks[-k] != (1,)]
        if cands:
            lens = {sum(c) for c in cands}
            if len(lens) > 1:
                raise ValueError(f"map_overlap: shapes do not align along axis {nd - k}: lengths {sorted(lens)}")
            common[k] = _common_chunks(cands)
    out = []
    for a in arrays:
        chunks = tuple(common.get(a.ndim - i, c) if a.shape[i] > 1 else (a.shape[i],) for i, c in enumerate(a.chunks))
        out.append(a.rechunk(chunks) if chunks != a.chunks and all(a.chunks) else a)
    return out


def map_overlap(func, *args, depth=None, boundary=None, trim=True, align_arrays=True, allow_rechunk=True, **kwargs):
    """Applies `func` to every block grown by `depth` (from its neighbours, and at the
    array's edges by `boundary`), then trims the growth off its result (``trim=True``), as
    ``dask.array.map_overlap``. Several arrays are aligned (``align_arrays``) and passed
    block for block; other keyword arguments go to ``map_blocks`` (``dtype``, ``chunks``,
    ``drop_axis``, ``new_axis``, ``meta``, ``block_id``/``block_info``) or to `func`.

    ``x.map_overlap(f, depth=1, boundary="reflect")`` is a stencil on each block with one
    element of its neighbours around it. With ``trim=False`` `func` must return blocks of
    the declared ``chunks`` (by default the input's).
    """
    from ._blockwise import map_blocks

    if isinstance(func, Array) and args and callable(args[0]):
        warnings.warn(
            "The use of map_overlap(array, func, **kwargs) is deprecated since dask 2.17.0 and will be an "
            "error in a future release. To silence this warning, use the syntax "
            "map_overlap(func, array0,[ array1, ...,] **kwargs) instead.",
            FutureWarning,
            stacklevel=2,
        )
        sig = ["func", "depth", "boundary", "trim"]
        depth = args[sig.index("depth")] if len(args) > sig.index("depth") else depth
        boundary = args[sig.index("boundary")] if len(args) > sig.index("boundary") else boundary
        trim = args[sig.index("trim")] if len(args) > sig.index("trim") else trim
        func, args = args[0], [func]
    if not callable(func):
        raise TypeError(
            f"First argument must be callable function, not {type(func).__name__}\n"
            "Usage:   da.map_overlap(function, x)\n   or:   da.map_overlap(function, x, y, z)"
        )
    if not all(isinstance(x, Array) for x in args):
        raise TypeError(
            f"All variadic arguments must be arrays, not {[type(x).__name__ for x in args]}\n"
            "Usage:   da.map_overlap(function, x)\n   or:   da.map_overlap(function, x, y, z)"
        )

    def coerce(xs, arg, fn):
        if not isinstance(arg, list):
            arg = [arg] * len(xs)
        return [fn(x.ndim, a) for x, a in zip(xs, arg)]

    depth = coerce(args, depth, coerce_depth)
    boundary = coerce(args, boundary, coerce_boundary)
    if align_arrays and len(args) > 1:
        args = _unify(list(args))
    if all(all(v == 0 for v in d.values()) for d in depth):
        return map_blocks(func, *args, **kwargs)
    for i, x in enumerate(args):
        for j in range(x.ndim):
            if isinstance(depth[i][j], tuple) and not _is_mode(boundary[i][j], "none"):
                raise NotImplementedError(
                    "Asymmetric overlap is currently only implemented for boundary='none', however "
                    f"boundary for dimension {j} in array argument {i} is {boundary[i][j]}"
                )
    if not trim and "chunks" not in kwargs:
        if allow_rechunk:
            d0 = [max(_pair(depth[0][j], "map_overlap")) for j in range(args[0].ndim)]
            kwargs["chunks"] = tuple(ensure_minimum_chunksize(d, c) for d, c in zip(d0, args[0].chunks))
        else:
            kwargs["chunks"] = args[0].chunks
    grown = [overlap(x, depth=d, boundary=b, allow_rechunk=allow_rechunk) for x, d, b in zip(args, depth, boundary)]
    x = map_blocks(func, *grown, **kwargs)
    if not trim:
        return x
    # Trim with the depth and boundary of the argument of highest rank (the first such).
    i = sorted(enumerate(grown), key=lambda v: (v[1].ndim, -v[0]))[-1][0]
    depth, boundary = dict(depth[i]), dict(boundary[i])
    ndim_out = max(a.ndim for a in grown)
    drop_axis = kwargs.pop("drop_axis", None)
    if drop_axis is not None:
        if isinstance(drop_axis, numbers.Number):
            drop_axis = [drop_axis]
        drop_axis = [d % ndim_out for d in drop_axis]
        kept = tuple(ax for ax in range(grown[i].ndim) if ax not in drop_axis)
        depth = {n: depth[ax] for n, ax in enumerate(kept)}
        boundary = {n: boundary[ax] for n, ax in enumerate(kept)}
    new_axis = kwargs.pop("new_axis", None)
    if new_axis is not None:
        if isinstance(new_axis, numbers.Number):
            new_axis = [new_axis]
        new_axis = [d % ndim_out for d in new_axis]
        # Dask's loop, kept as it is (in key order, so later axes may take an earlier depth).
        for axis in new_axis:
            for existing in list(depth.keys()):
                if existing >= axis:
                    depth[existing + 1] = depth[existing]
                    boundary[existing + 1] = boundary[existing]
            depth[axis] = 0
            boundary[axis] = "none"
    return trim_internal(x, depth, boundary)


def sliding_window_view(x, window_shape, axis=None, automatic_rechunk=True):
    """Windows of `window_shape` sliding over `x` along `axis` (all axes by default), as
    ``numpy.lib.stride_tricks.sliding_window_view``: the result has the window axes last.
    Each block's windows are a strided view of its block grown by ``window - 1``."""
    window_shape = tuple(window_shape) if np.iterable(window_shape) else (window_shape,)
    if any(w <= 0 for w in window_shape):
        raise ValueError("`window_shape` must contain values > 0")
    if axis is None:
        axis = tuple(range(x.ndim))
        if len(window_shape) != len(axis):
            raise ValueError(
                f"Since axis is `None`, must provide window_shape for all dimensions of `x`; got "
                f"{len(window_shape)} window_shape elements and `x.ndim` is {x.ndim}."
            )
    else:
        from numpy.lib.array_utils import normalize_axis_tuple

        axis = normalize_axis_tuple(axis, x.ndim, allow_duplicate=True)
        if len(window_shape) != len(axis):
            raise ValueError(
                f"Must provide matching length window_shape and axis; got {len(window_shape)} window_shape "
                f"elements and {len(axis)} axes elements."
            )
    depths = [0] * x.ndim
    for ax, window in zip(axis, window_shape):
        depths[ax] += window - 1
    # Each chunk big enough to leave at least one window (this matters for the last one).
    safe = [ensure_minimum_chunksize(d + 1, c) for d, c in zip(depths, x.chunks)]
    if automatic_rechunk:
        safe = [s if d != 0 else c for d, c, s in zip(depths, x.chunks, safe)]
        safe.extend([(w,) for w in window_shape])
        max_chunk = reduce(mul, map(max, x.chunks), 1)
        new = _calculate_new_chunksizes(x.chunks, safe.copy(), {i for i, d in enumerate(depths) if d == 0}, max_chunk)
        x = x.rechunk(tuple(new[: x.ndim]))
    else:
        x = x.rechunk(tuple(safe))
    newchunks = tuple(c[:-1] + (c[-1] - d,) for d, c in zip(depths, x.chunks)) + tuple((w,) for w in window_shape)
    return map_overlap(
        np.lib.stride_tricks.sliding_window_view,
        x,
        depth=tuple((0, d) for d in depths),
        boundary="none",
        dtype=x.dtype,
        new_axis=range(x.ndim, x.ndim + len(axis)),
        chunks=newchunks,
        trim=False,
        align_arrays=False,
        window_shape=window_shape,
        axis=axis,
    )


def add_dummy_padding(x, depth, boundary):
    """Dask's ``add_dummy_padding``: on each axis whose boundary is ``"none"``, `depth`
    uninitialised elements before and after, joined onto the first and last blocks."""
    from ._creation import empty
    from ._join import concatenate

    for k, b in boundary.items():
        d = depth.get(k, 0)
        if _is_mode(b, "none") and d > 0:
            shape, chunks = list(x.shape), list(x.chunks)
            shape[k], chunks[k] = d, (d,)
            pad = empty(tuple(shape), chunks=tuple(chunks), dtype=x.dtype)
            out_chunks = list(x.chunks)
            sizes = list(out_chunks[k]) or [0]
            sizes[0] += d
            sizes[-1] += d
            out_chunks[k] = tuple(sizes)
            x = concatenate([pad, x, pad], axis=k).rechunk(tuple(out_chunks))
    return x


def _push_block(b, axis=-1):
    """Forward-fill NaNs along `axis` (``bottleneck.push`` with no limit), in NumPy."""
    b = np.asarray(b)
    if b.dtype.kind not in "fc" or b.size == 0:
        return b
    b = np.moveaxis(b, axis, -1)
    last_valid = np.where(np.isnan(b), 0, np.arange(b.shape[-1]))
    np.maximum.accumulate(last_valid, axis=-1, out=last_valid)
    return np.moveaxis(np.take_along_axis(b, last_valid, axis=-1), -1, axis)


def _fill_with_last_one(a, b):
    return np.where(np.isnan(b), a, b)


def push(array, n, axis):
    """Dask's ``push`` (``bottleneck.push`` over blocks): NaNs take the last valid value
    before them along `axis`, at most `n` steps back (None: any distance). tessera needs no
    bottleneck: a block is filled with NumPy and the last values carry across blocks by
    ``cumreduction``."""
    from ._creation import arange, broadcast_to, where
    from ._scans import cumreduction

    array = to_array(array, "push")
    if not isinstance(axis, numbers.Integral) or not -array.ndim <= axis < max(array.ndim, 1):
        raise ValueError(f"push: axis {axis!r} is out of range for an array of {array.ndim} dimensions")
    axis = int(axis) % array.ndim
    if n is not None and (not isinstance(n, numbers.Integral) or n < 0):
        raise ValueError(f"push: n must be None or a non-negative integer, got {n!r}")
    if n == 0 or array.dtype.kind not in "fc":  # n=0: bottleneck's meaning (Dask fills all)
        return array
    if n is not None and n < array.shape[axis] - 1:
        pos = arange(array.shape[axis], chunks=array.chunks[axis], dtype=array.dtype)
        pos = broadcast_to(pos.reshape(tuple(s if i == axis else 1 for i, s in enumerate(array.shape))),
                           array.shape, chunks=array.chunks)
        valid_pos = where(~np.isnan(array), pos, np.nan)
        within = (pos - push(valid_pos, None, axis)) <= n
        return where(within, push(array, None, axis), np.nan)
    return cumreduction(func=_push_block, binop=_fill_with_last_one, ident=np.nan, x=array, axis=axis,
                        dtype=array.dtype)
