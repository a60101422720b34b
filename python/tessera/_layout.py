"""Layout routines with Dask's names and signatures: ``roll``, ``rot90``, ``flip``/``fliplr``/
``flipud``, ``tile``, ``repeat``, ``split``/``array_split``, ``diff``, ``ediff1d``,
``gradient``, ``tril``/``triu``/``tri``/``eye``, ``diag``/``diagonal``/``trace``,
``indices``, ``meshgrid``, ``fromfunction``, ``ravel_multi_index``/``unravel_index``,
``rollaxis``, ``choose``, ``select``, ``piecewise`` and ``shuffle``. Copies are gathers
(``tessera._core.gather_runs``) or views; masks are fused elementwise programs."""

from __future__ import annotations

import numbers

import numpy as np
from numpy.exceptions import AxisError

from . import _core
from ._array import Array, _short, _wrap, to_array
from ._blockwise import elemwise, map_blocks
from ._creation import arange, broadcast_to, where, zeros
from ._errors import named
from ._join import _axis, broadcast_arrays, common_dtype, concatenate, stack


def _int(v, op, what):
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (numbers.Integral, np.integer)):
        raise TypeError(f"{op}: {what} must be an integer, got {_short(v)}")
    return int(v)


def _axes(axis, ndim, op):
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    out = [_axis(a, ndim, op) for a in axes]
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: repeated axis in {_short(axis)}")
    return out


def _runs(name, x, axis, runs, chunks, fill=None):
    with named(name):
        return _wrap(_core.gather_runs(name, [x._c], axis, runs, list(chunks), fill))


def _cut(chunks, at):
    """Block sizes of an axis cut at coordinate ``at``: (before, after)."""
    before, after, pos = [], [], 0
    for c in chunks:
        if pos + c <= at:
            before.append(c)
        elif pos >= at:
            after.append(c)
        else:
            before.append(at - pos)
            after.append(pos + c - at)
        pos += c
    return [c for c in before if c], [c for c in after if c]


def roll(array, shift, axis=None):
    """Rolls elements along axes: one gather per axis (two runs)."""
    x = to_array(array, "roll")
    if axis is None:
        if not isinstance(shift, (numbers.Integral, np.integer)):
            raise ValueError("roll: Must have the same number of shifts as axes")
        return roll(x.reshape(-1), shift, 0).reshape(x.shape)
    shifts = shift if isinstance(shift, (tuple, list)) else (shift,)
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    if len(shifts) == 1 and len(axes) > 1:
        shifts = shifts * len(axes)
    if len(axes) == 1 and len(shifts) > 1:
        axes = axes * len(shifts)
    if len(shifts) != len(axes):
        raise ValueError("roll: Must have the same number of shifts as axes")
    for s, a in zip(shifts, axes):
        a = _axis(a, x.ndim, "roll")
        s = _int(s, "roll", "shift")
        n = x.shape[a]
        if n == 0 or s % n == 0:
            continue
        s %= n
        before, after = _cut(x.chunks[a], n - s)
        x = _runs("roll", x, a, [(0, n - s, 1, s), (0, 0, 1, n - s)], after + before)
    return x


def flip(m, axis=None):
    m = to_array(m, "flip")
    axes = range(m.ndim) if axis is None else _axes(axis, m.ndim, "flip")
    key = [slice(None)] * m.ndim
    for a in axes:
        key[a] = slice(None, None, -1)
    return m[tuple(key)]


def fliplr(m):
    m = to_array(m, "fliplr")
    if m.ndim < 2:
        raise ValueError("fliplr: Input must be >= 2-d.")
    return flip(m, 1)


def flipud(m):
    m = to_array(m, "flipud")
    if m.ndim < 1:
        raise ValueError("flipud: Input must be >= 1-d.")
    return flip(m, 0)


def rot90(m, k=1, axes=(0, 1)):
    m = to_array(m, "rot90")
    axes = tuple(axes)
    if len(axes) != 2:
        raise ValueError("rot90: len(axes) must be 2.")
    if m.ndim < 2:
        raise ValueError(f"rot90: Axes must be different, and the array must have at least 2 dimensions (got {m.ndim})")
    a0, a1 = _axis(axes[0], m.ndim, "rot90"), _axis(axes[1], m.ndim, "rot90")
    if a0 == a1:
        raise ValueError("rot90: Axes must be different.")
    k = _int(k, "rot90", "k") % 4
    if k == 0:
        return m
    if k == 2:
        return flip(flip(m, a0), a1)
    perm = list(range(m.ndim))
    perm[a0], perm[a1] = perm[a1], perm[a0]
    if k == 1:
        return flip(m, a1).transpose(perm)
    return flip(m.transpose(perm), a1)


def tile(A, reps):
    x = to_array(A, "tile")
    reps = tuple(reps) if isinstance(reps, (tuple, list)) else (reps,)
    reps = tuple(_int(r, "tile", "reps") for r in reps)
    if any(r < 0 for r in reps):
        raise ValueError(f"tile: negative dimensions are not allowed (reps={reps})")
    d = max(len(reps), x.ndim)
    if x.ndim < d:
        x = x[(None,) * (d - x.ndim)]
    reps = (1,) * (d - len(reps)) + reps
    for a, r in enumerate(reps):
        n = x.shape[a]
        if r == 1:
            continue
        if r == 0 or n == 0:
            key = [slice(None)] * x.ndim
            key[a] = slice(0, 0)
            x = x[tuple(key)]
            continue
        x = _runs("tile", x, a, [(0, 0, 1, n)] * r, list(x.chunks[a]) * r)
    return x


def repeat(a, repeats, axis=None):
    """Dask's ``repeat``, and the Array API's: ``repeats`` an integer, or an integer array
    (NumPy's or tessera's, Dask refuses both) of one count per element along ``axis`` or of
    one count for all. A lazy tessera array of counts gives a size known only when computed
    (``nan``, as other data-dependent sizes)."""
    x = to_array(a, "repeat")
    if axis is None:
        x = x.reshape(-1)
        axis = 0
    axis = _axis(axis, x.ndim, "repeat")
    n = x.shape[axis]
    if isinstance(repeats, Array):
        return _lazy_repeat(x, repeats, axis)
    if not isinstance(repeats, (numbers.Integral, np.integer)) or isinstance(repeats, (bool, np.bool_)):
        r = np.asarray(repeats)
        if r.dtype.kind not in "iu" and not (r.dtype == object and r.size == 0) and not (r.size == 0 and r.dtype.kind == "f"):
            raise TypeError(f"repeat: repeats must be an integer or an array of integers, got {_short(repeats)}")
        if r.ndim > 1 or (r.ndim == 1 and r.shape[0] not in (1, n)):
            raise ValueError(f"repeat: repeats of shape {r.shape} do not broadcast to axis {axis} of size {n} "
                             f"(array shape {x.shape})")
        if r.ndim == 0 or r.shape[0] == 1:
            return repeat(x, int(r.reshape(-1)[0]), axis)
        counts = r.astype(np.int64)
        if (counts < 0).any():
            raise ValueError(f"repeat: negative dimensions are not allowed (repeats={int(counts.min())})")
        return _repeat_each(x, counts, axis)
    r = int(repeats)
    if r < 0:
        raise ValueError(f"repeat: negative dimensions are not allowed (repeats={r})")
    if r == 1:
        return x
    if r == 0 or n == 0:
        return _empty_along(x, axis)
    return _runs("repeat", x, axis, [(0, i, 0, r) for i in range(n)], [c * r for c in x.chunks[axis]])


def _empty_along(x, axis):
    key = [slice(None)] * x.ndim
    key[axis] = slice(0, 0)
    return x[tuple(key)]


def _repeat_each(x, counts, axis):
    """Element ``i`` along ``axis`` repeated ``counts[i]`` times: one gather, each input
    block's repeats making one output block."""
    if not counts.sum():
        return _empty_along(x, axis)
    bounds = np.cumsum((0,) + x.chunks[axis])
    chunks = [int(counts[lo:hi].sum()) for lo, hi in zip(bounds[:-1], bounds[1:])]
    return _runs("repeat", x, axis, [(0, i, 0, int(c)) for i, c in enumerate(counts) if c],
                 [c for c in chunks if c])


def _lazy_repeat(x, repeats, axis):
    from ._unknown import _isnan, leaf, settle

    if repeats.dtype.kind not in "iu":
        raise TypeError(f"repeat: repeats must be an array of integers, got dtype {repeats.dtype}")
    n = x.shape[axis]
    if repeats.ndim > 1 or (repeats.ndim == 1 and not _isnan(repeats.shape[0]) and repeats.shape[0] not in (1, n)):
        raise ValueError(f"repeat: repeats of shape {repeats.shape} do not broadcast to axis {axis} of size {n} "
                         f"(array shape {x.shape})")

    def build(counts):
        return repeat(x, np.asarray(counts), axis)

    chunks = tuple((float("nan"),) * max(len(c), 1) if i == axis else c for i, c in enumerate(x.chunks))
    return settle(leaf(chunks, x.dtype, "repeat", (repeats,), build))


def array_split(ary, indices_or_sections, axis=0):
    x = to_array(ary, "array_split")
    axis = _axis(axis, x.ndim, "array_split")
    n = x.shape[axis]
    if isinstance(indices_or_sections, (numbers.Integral, np.integer)):
        k = int(indices_or_sections)
        if k <= 0:
            raise ValueError("array_split: number sections must be larger than 0.")
        each, extra = divmod(n, k)
        sizes = [each + 1] * extra + [each] * (k - extra)
        bounds = np.cumsum([0] + sizes)
    else:
        bounds = [0] + [int(i) for i in indices_or_sections] + [n]
    out = []
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        key = [slice(None)] * x.ndim
        key[axis] = slice(int(lo), int(hi))
        out.append(x[tuple(key)])
    return out


def split(ary, indices_or_sections, axis=0):
    x = to_array(ary, "split")
    if isinstance(indices_or_sections, (numbers.Integral, np.integer)):
        ax = _axis(axis, x.ndim, "split")
        if int(indices_or_sections) <= 0 or x.shape[ax] % int(indices_or_sections):
            raise ValueError("split: array split does not result in an equal division")
    return array_split(x, indices_or_sections, axis)


def _slice_axis(x, axis, s):
    key = [slice(None)] * x.ndim
    key[axis] = s
    return x[tuple(key)]


def _side(v, x, axis, op):
    v = to_array(v, op)
    if v.ndim == 0:
        shape = list(x.shape)
        shape[axis] = 1
        v = broadcast_to(v, tuple(shape))
    return v


def diff(a, n=1, axis=-1, prepend=None, append=None):
    x = to_array(a, "diff")
    n = _int(n, "diff", "n")
    if n < 0:
        raise ValueError(f"diff: order must be non-negative but got {n}")
    if n == 0:
        return x
    if x.ndim == 0:
        raise ValueError("diff: diff requires input that is at least one dimensional")
    axis = _axis(axis, x.ndim, "diff")
    parts = []
    if prepend is not None:
        parts.append(_side(prepend, x, axis, "diff"))
    parts.append(x)
    if append is not None:
        parts.append(_side(append, x, axis, "diff"))
    if len(parts) > 1:
        x = concatenate(parts, axis=axis)
    for _ in range(n):
        if x.dtype == bool:
            x = _slice_axis(x, axis, slice(1, None)) != _slice_axis(x, axis, slice(None, -1))
        else:
            x = _slice_axis(x, axis, slice(1, None)) - _slice_axis(x, axis, slice(None, -1))
    return x


def ediff1d(ary, to_end=None, to_begin=None):
    x = to_array(ary, "ediff1d").reshape(-1)
    d = x[1:] - x[:-1]
    parts = []
    for name, v in (("to_begin", to_begin), ("to_end", to_end)):
        if v is None:
            parts.append(None)
            continue
        v = to_array(v, "ediff1d").reshape(-1)
        if not np.can_cast(v.dtype, x.dtype, casting="same_kind"):
            raise TypeError(f"ediff1d: dtype of `{name}` ({v.dtype}) must be compatible with input `ary` "
                            f"({x.dtype}) under the `same_kind` rule.")
        parts.append(v.astype(d.dtype))
    seq = [p for p in (parts[0], d, parts[1]) if p is not None]
    return concatenate(seq) if len(seq) > 1 else d


def _gradient_axis(f, axis, dx, edge_order):
    n = f.shape[axis]
    if n < edge_order + 1:
        raise ValueError("gradient: Shape of array too small to calculate a numerical gradient, "
                         "at least (edge_order + 1) elements are required.")
    s = lambda lo, hi: _slice_axis(f, axis, slice(lo, hi))  # noqa: E731
    if np.ndim(dx) == 0:
        dx = float(dx)
        interior = (s(2, None) - s(None, -2)) / (2.0 * dx)
        if edge_order == 1:
            first = (s(1, 2) - s(0, 1)) / dx
            last = (s(n - 1, n) - s(n - 2, n - 1)) / dx
        else:
            a, b, c = -1.5 / dx, 2.0 / dx, -0.5 / dx
            first = a * s(0, 1) + b * s(1, 2) + c * s(2, 3)
            a, b, c = 0.5 / dx, -2.0 / dx, 1.5 / dx
            last = a * s(n - 3, n - 2) + b * s(n - 2, n - 1) + c * s(n - 1, n)
    else:
        x = np.asarray(dx, dtype=np.float64)
        if x.ndim != 1 or len(x) != n:
            raise ValueError("gradient: when 1d, distances must match the length of the corresponding dimension")
        d = np.diff(x)
        dx1, dx2 = d[:-1], d[1:]
        shape = [1] * f.ndim
        shape[axis] = n - 2

        def coef(v):
            return to_array(np.asarray(v).reshape(shape))
        a = -(dx2) / (dx1 * (dx1 + dx2))
        b = (dx2 - dx1) / (dx1 * dx2)
        c = dx1 / (dx2 * (dx1 + dx2))
        interior = coef(a) * s(None, -2) + coef(b) * s(1, -1) + coef(c) * s(2, None)
        if edge_order == 1:
            # NumPy divides by float64 scalars (strong types): float64 results.
            first = (s(1, 2) - s(0, 1)) / d[0]
            last = (s(n - 1, n) - s(n - 2, n - 1)) / d[-1]
        else:
            d1, d2 = d[0], d[1]
            a, b, c = -(2.0 * d1 + d2) / (d1 * (d1 + d2)), (d1 + d2) / (d1 * d2), -d1 / (d2 * (d1 + d2))
            first = a * s(0, 1) + b * s(1, 2) + c * s(2, 3)
            d1, d2 = d[-2], d[-1]
            a, b, c = d2 / (d1 * (d1 + d2)), -(d2 + d1) / (d1 * d2), (2.0 * d2 + d1) / (d2 * (d1 + d2))
            last = a * s(n - 3, n - 2) + b * s(n - 2, n - 1) + c * s(n - 1, n)
    out = concatenate([first, interior, last], axis=axis)
    # NumPy writes into an array of f's (float) dtype.
    return out if out.dtype == f.dtype else out.astype(f.dtype)


def gradient(f, *varargs, axis=None, edge_order=1, **kwargs):
    f = to_array(f, "gradient")
    axes = list(range(f.ndim)) if axis is None else _axes(axis, f.ndim, "gradient")
    if edge_order not in (1, 2):
        raise ValueError(f"gradient: 'edge_order' greater than 2 not supported (got {_short(edge_order)})")
    if len(varargs) == 0:
        spacing = [1.0] * len(axes)
    elif len(varargs) == 1 and np.ndim(varargs[0]) == 0:
        spacing = [varargs[0]] * len(axes)
    elif len(varargs) == len(axes):
        spacing = list(varargs)
    else:
        raise TypeError("gradient: invalid number of arguments")
    if f.dtype.kind in "iub":
        f = f.astype(np.float64)
    out = [_gradient_axis(f, a, dx, edge_order) for a, dx in zip(axes, spacing)]
    return out[0] if len(out) == 1 else out


def _grid(n, m, k, chunks, like=None):
    """Boolean-ready coordinates ``i`` (rows) and ``j - k`` (columns), chunked like ``like``'s
    last two axes (else ``chunks``)."""
    rc, cc = (like.chunks[-2], like.chunks[-1]) if like is not None else (chunks, chunks)
    i = arange(n, chunks=rc, dtype=np.int64)[:, None]
    j = arange(m, chunks=cc, dtype=np.int64)[None, :]
    return i, j - k if k else j


def _tri_mask(m, k, lower):
    if m.ndim < 2:
        raise ValueError(f"{'tril' if lower else 'triu'}: input must be at least 2-d (got {m.ndim}-d)")
    i, jk = _grid(m.shape[-2], m.shape[-1], k, None, m)
    return i >= jk if lower else i <= jk


def tril(m, k=0):
    m = to_array(m, "tril")
    k = _int(k, "tril", "k")
    return where(_tri_mask(m, k, True), m, np.zeros((), m.dtype))


def triu(m, k=0):
    m = to_array(m, "triu")
    k = _int(k, "triu", "k")
    return where(_tri_mask(m, k, False), m, np.zeros((), m.dtype))


def _tri_grid(N, M, k, dtype, chunks, op):
    """Row coordinates ``i`` and shifted column coordinates ``j - k`` of an N x M array,
    chunked as ``zeros((N, M), chunks=chunks)`` is."""
    N = _int(N, op, "N")
    M = N if M is None else _int(M, op, "M")
    # Diagonals beyond the array select all or nothing: the same for k clamped (no overflow).
    k = max(-N, min(_int(k, op, "k"), M))
    dt = np.dtype(dtype)
    ch = zeros((N, M), dtype=dt, chunks=chunks).chunks
    i = arange(N, chunks=ch[0], dtype=np.int64)[:, None]
    j = arange(M, chunks=ch[1], dtype=np.int64)[None, :]
    return i, j - k, dt


def tri(N, M=None, k=0, dtype=float, chunks="auto", **kwargs):
    i, jk, dt = _tri_grid(N, M, k, dtype, chunks, "tri")
    return (i >= jk).astype(dt)


def eye(N, *args, chunks="auto", M=None, k=0, dtype=float, device=None):
    """Dask's ``eye(N, chunks="auto", M=None, k=0, dtype=float)``, with one divergence: a
    lone integer second positional argument is the number of columns (NumPy's ``M``, the
    Array API's ``n_cols``), not ``chunks`` (``eye(4, 3)`` is 4 x 3, as in NumPy). Chunks
    given by keyword, or with further positional arguments (``eye(4, 2, 3)``: Dask's
    ``chunks, M``), keep Dask's meaning. ``device=`` as the Array API's creation functions."""
    from ._array_api import check_device

    if len(args) > 4:
        raise TypeError(f"eye: takes at most 5 positional arguments ({1 + len(args)} given)")
    if len(args) == 1 and (args[0] is None or isinstance(args[0], (numbers.Integral, np.integer))) \
            and not isinstance(args[0], (bool, np.bool_)):
        M = args[0]
    elif args:
        given = dict(zip(("chunks", "M", "k", "dtype"), args))
        chunks, M, k, dtype = given.get("chunks", chunks), given.get("M", M), given.get("k", k), given.get("dtype", dtype)
    check_device(device, "eye")
    i, jk, dt = _tri_grid(N, M, k, float if dtype is None else dtype, chunks, "eye")
    return (i == jk).astype(dt)


def diagonal(a, offset=0, axis1=0, axis2=1):
    a = to_array(a, "diagonal")
    offset = _int(offset, "diagonal", "offset")
    if a.ndim < 2:
        raise ValueError("diagonal: diag requires an array of at least two dimensions")
    ax1, ax2 = _axis(axis1, a.ndim, "diagonal"), _axis(axis2, a.ndim, "diagonal")
    with named("diagonal"):
        return _wrap(_core.diagonal(a._c, offset, ax1, ax2))


def trace(a, offset=0, axis1=0, axis2=1, dtype=None):
    return diagonal(a, offset, axis1, axis2).sum(axis=-1, dtype=dtype)


def diag(v, k=0):
    v = to_array(v, "diag")
    k = _int(k, "diag", "k")
    if v.ndim == 2:
        return diagonal(v, k)
    if v.ndim != 1:
        raise ValueError("diag: Input must be 1- or 2-d.")
    n = v.shape[0] + abs(k)
    z = np.zeros((), v.dtype)
    pad = [v, zeros(abs(k), dtype=v.dtype, chunks=max(abs(k), 1))] if k else [v]
    vv = concatenate(pad) if k else v
    ch = vv.chunks[0]
    i = arange(n, chunks=ch, dtype=np.int64)[:, None]
    j = arange(n, chunks=ch, dtype=np.int64)[None, :]
    if k >= 0:
        return where(j - i == k, vv[:, None], z)
    return where(i - j == -k, vv[None, :], z)


def indices(dimensions, dtype=int, chunks="auto"):
    dims = tuple(_int(d, "indices", "dimensions") for d in dimensions)
    dt = np.dtype(dtype)
    if not dims:
        return zeros((0,), dtype=dt, chunks=1)
    ch = zeros(dims, dtype=dt, chunks=chunks).chunks
    grids = []
    for a, n in enumerate(dims):
        key = [None] * len(dims)
        key[a] = slice(None)
        g = arange(n, chunks=ch[a], dtype=dt)[tuple(key)]
        grids.append(broadcast_to(g, dims, chunks=ch))
    return stack(grids)


def meshgrid(*xi, sparse=False, indexing="xy", **kwargs):
    if indexing not in ("xy", "ij"):
        raise ValueError("meshgrid: Valid values for `indexing` are 'xy' and 'ij'.")
    xs = [to_array(x, "meshgrid").reshape(-1) for x in xi]
    nd = len(xs)
    out = []
    for a, x in enumerate(xs):
        key = [None] * nd
        key[a] = slice(None)
        out.append(x[tuple(key)])
    if indexing == "xy" and nd > 1:
        out = [o.swapaxes(0, 1) for o in out]
    # a tuple, as NumPy 2's and the Array API's (Dask's is a list)
    return broadcast_arrays(*out) if not sparse else tuple(out)


def _fromfunction_block(block, function, index_dtype, kwargs, block_info=None):
    loc = block_info[None]["array-location"]
    idx = np.meshgrid(*[np.arange(lo, hi, dtype=index_dtype) for lo, hi in loc], indexing="ij")
    return function(*idx, **kwargs)


def fromfunction(function, shape, *, dtype=float, chunks="auto", **kwargs):
    dt = np.dtype(dtype)
    shape = tuple(_int(s, "fromfunction", "shape") for s in shape)
    template = zeros(shape, dtype=dt, chunks=chunks)
    return template.map_blocks(_fromfunction_block, function=function, index_dtype=dt, kwargs=kwargs, dtype=dt)


def _ravel_block(block, dims, mode, order):
    return np.ravel_multi_index(tuple(block), dims, mode=mode, order=order)


def ravel_multi_index(multi_index, dims, mode="raise", order="C"):
    dims = tuple(_int(d, "ravel_multi_index", "dims") for d in dims)
    if isinstance(multi_index, (tuple, list)) and not isinstance(multi_index, Array):
        idx = stack([to_array(i, "ravel_multi_index") for i in broadcast_arrays(*multi_index)])
    else:
        idx = to_array(multi_index, "ravel_multi_index")
    if idx.ndim == 0 or idx.shape[0] != len(dims):
        raise ValueError(f"ravel_multi_index: parameter multi_index must be a sequence of length {len(dims)}")
    if idx.dtype.kind not in "iu":
        raise TypeError(f"ravel_multi_index: only int indices permitted, got {idx.dtype}")
    idx = idx.rechunk({0: len(dims)})
    return idx.map_blocks(_ravel_block, dims=dims, mode=mode, order=order, drop_axis=0, dtype=np.intp)


def _unravel_block(block, shape, order, k):
    return np.unravel_index(block, shape, order=order)[k]


def unravel_index(indices, shape, order="C"):
    shape = tuple(_int(d, "unravel_index", "shape") for d in shape)
    x = to_array(indices, "unravel_index")
    if x.dtype.kind not in "iu":
        raise TypeError(f"unravel_index: only int indices permitted, got {x.dtype}")
    if order not in ("C", "F"):
        raise ValueError("unravel_index: only 'C' or 'F' order is permitted")
    return tuple(x.map_blocks(_unravel_block, shape=shape, order=order, k=k, dtype=np.intp) for k in range(len(shape)))


def rollaxis(a, axis, start=0):
    a = to_array(a, "rollaxis")
    n = a.ndim
    axis = _axis(axis, n, "rollaxis")
    start = _int(start, "rollaxis", "start")
    if start < 0:
        start += n
    if not 0 <= start < n + 1:
        raise AxisError(f"rollaxis: 'start' arg requires {-n} <= start < {n + 1}, but {start} was passed in")
    if axis < start:
        start -= 1
    if axis == start:
        return a
    axes = [i for i in range(n) if i != axis]
    axes.insert(start, axis)
    return a.transpose(axes)


def _choose(a, *choices):
    return np.choose(a, choices)


def choose(a, choices):
    a = to_array(a, "choose")
    choices = [to_array(c, "choose") for c in choices]
    if a.dtype.kind not in "iu":
        raise TypeError(f"choose: the index array must be of an integer type, got {a.dtype}")
    dt = common_dtype(choices)
    return elemwise(_choose, a, *[c.astype(dt) for c in choices], dtype=dt)


def select(condlist, choicelist, default=0):
    if len(condlist) != len(choicelist):
        raise ValueError("select: list of cases must be same length as list of conditions")
    if len(choicelist) == 0:
        raise ValueError("select: select with an empty condition list is not possible")
    conds = [to_array(c, "select") for c in condlist]
    for i, c in enumerate(conds):
        if c.dtype != bool:
            raise TypeError(f"select: invalid entry {i} in condlist: should be boolean ndarray")
    choices = [to_array(c, "select") for c in choicelist]
    # NumPy promotes the choices with each other, then with the default as given (a Python
    # scalar default is weak).
    dt = np.result_type(np.result_type(*[c.dtype for c in choices]),
                        default.dtype if isinstance(default, (Array, np.ndarray)) else default)
    default = to_array(np.asarray(default, dtype=dt) if not isinstance(default, Array) else default, "select")
    out = default.astype(dt)
    for c, v in zip(reversed(conds), reversed(choices)):
        out = where(c, v.astype(dt), out)
    shape = np.broadcast_shapes(*[c.shape for c in conds], *[v.shape for v in choices], default.shape)
    return out if out.shape == shape else broadcast_to(out, shape)


def _piecewise(x, *conds, funclist, args, kw):
    return np.piecewise(x, list(conds), funclist, *args, **kw)


def piecewise(x, condlist, funclist, *args, **kw):
    x = to_array(x, "piecewise")
    if isinstance(condlist, (Array, np.ndarray)) and np.ndim(condlist) == x.ndim or not isinstance(condlist, (list, tuple)):
        condlist = [condlist]
    conds = [to_array(c, "piecewise") for c in condlist]
    return map_blocks(_piecewise, x, *conds, funclist=funclist, args=args, kw=kw, dtype=x.dtype)


def shuffle(x, indexer, axis, chunks="auto"):
    """Dask's ``shuffle``: ``x`` reordered along ``axis`` so that each group of indices in
    ``indexer`` (a list of lists) is contiguous, groups kept whole in output chunks about as
    large as the input's."""
    x = to_array(x, "shuffle")
    axis = _axis(axis, x.ndim, "shuffle")
    groups = [np.asarray(g, dtype=np.int64).reshape(-1) for g in indexer]
    flat = np.concatenate(groups) if groups else np.zeros(0, np.int64)
    if chunks != "auto":
        raise NotImplementedError("shuffle: only chunks='auto' is supported")
    limit = max(max(x.chunks[axis]), 1)
    sizes, cur = [], 0
    for g in groups:
        if cur and cur + len(g) > limit:
            sizes.append(cur)
            cur = 0
        cur += len(g)
    if cur or not sizes:
        sizes.append(cur)
    with named("shuffle"):
        return _wrap(_core.take(x._c, flat, axis, sizes))
