"""``pad`` with every NumPy mode Dask supports. Axes are padded one after the other, as
NumPy does, so corners come out as NumPy's. The copying modes (edge, reflect, symmetric,
wrap) are one gather per axis whose runs read the input forwards, backwards or repeated
(any pad width, also wider than the axis); constant and empty add constant blocks; the
statistic modes and linear_ramp join lazily computed edge values; a callable runs NumPy's
``pad`` per 1-d line on blocks whole along the padded axis, as Dask's ``pad_udf`` does."""

from __future__ import annotations

import numbers

import numpy as np

from . import _core
from ._array import Array, _short, _wrap, to_array
from ._creation import UNARY, broadcast_to, full
from ._errors import named
from ._join import concatenate

_MODES = ("constant", "edge", "linear_ramp", "maximum", "mean", "median", "minimum", "reflect", "symmetric",
          "wrap", "empty")


def _pairs(value, ndim, name, integral=True, allow_none=False):
    """NumPy's ``_as_pairs``: one (before, after) pair per axis."""
    if value is None and allow_none:
        return [(None, None)] * ndim
    arr = np.asarray(value)
    if integral:
        if arr.dtype.kind not in "iu" and not (arr.dtype.kind == "f" and np.all(np.round(arr) == arr)):
            raise TypeError(f"pad: `{name}` must be of integral type, got {_short(value)}")
        if np.any(arr < 0):
            raise ValueError(f"pad: index can't contain negative values ({name}={_short(value)})")
        arr = arr.astype(np.int64)
    try:
        b = np.broadcast_to(arr, (ndim, 2))
    except ValueError:
        raise ValueError(f"pad: unable to create correctly shaped tuple from {name}={_short(value)} "
                         f"for an array of {ndim} dimensions") from None
    return [(b[a, 0].item(), b[a, 1].item()) for a in range(ndim)]


def _runs_of(index_of, total):
    """Runs ``(0, start, step, len)`` for output coordinates ``0..total`` whose input
    coordinate ``index_of(i)`` is piecewise linear with step 1 or -1."""
    runs = []
    i = 0
    while i < total:
        s = index_of(i)
        step = 1 if i + 1 >= total else index_of(i + 1) - s
        if step not in (1, -1, 0):
            step = 1
        n = 1
        while i + n < total and index_of(i + n) == s + step * n:
            n += 1
        runs.append((0, s, step if n > 1 else 1, n))
        i += n
    return runs


def _index_fn(mode, n, before):
    if mode == "edge":
        return lambda i: min(max(i - before, 0), n - 1)
    if mode == "wrap":
        return lambda i: (i - before) % n
    if mode == "symmetric":
        def f(i):
            j = (i - before) % (2 * n)
            return j if j < n else 2 * n - 1 - j
        return f
    # reflect
    if n == 1:
        return lambda i: 0
    def g(i):
        j = (i - before) % (2 * n - 2)
        return j if j < n else 2 * n - 2 - j
    return g


def _pad_chunks(x, axis, before, after):
    c = list(x.chunks[axis])
    if sum(c) == 0:
        c = []
    out = ([before] if before else []) + c + ([after] if after else [])
    return out or [0]


def _copy_pad(x, axis, before, after, mode):
    n = x.shape[axis]
    total = n + before + after
    runs = _runs_of(_index_fn(mode, n, before), total)
    with named("pad"):
        return _wrap(_core.gather_runs("pad", [x._c], axis, runs, _pad_chunks(x, axis, before, after)))


def _side_shape(x, axis, width):
    s = list(x.shape)
    s[axis] = width
    return tuple(s)


def _side_chunks(x, axis, width):
    c = list(x.chunks)
    c[axis] = (width,)
    return tuple(c)


def _constant_pad(x, axis, before, after, values):
    parts = []
    dt = x.dtype
    for width, v in ((before, values[0]), (after, values[1])):
        if width == 0:
            parts.append(None)
            continue
        v = np.asarray(v).astype(dt).item() if dt != bool else bool(np.asarray(v).astype(dt))
        parts.append(full(_side_shape(x, axis, width), v, dtype=dt, chunks=_side_chunks(x, axis, width)))
    seq = [p for p in (parts[0], x, parts[1]) if p is not None]
    return concatenate(seq, axis=axis) if len(seq) > 1 else x


def _edge_slice(x, axis, lo, hi):
    key = [slice(None)] * x.ndim
    key[axis] = slice(lo, hi)
    return x[tuple(key)]


def _round_if_needed(stat, dt):
    return stat.round() if np.issubdtype(dt, np.integer) else stat


def _median_keepdims(block, axis):
    return np.median(block, axis=axis, keepdims=True)


def _stat(side, mode, axis, dt):
    if mode == "maximum":
        s = side.max(axis=axis, keepdims=True)
    elif mode == "minimum":
        s = side.min(axis=axis, keepdims=True)
    elif mode == "mean":
        s = _round_if_needed(side.mean(axis=axis, keepdims=True), dt)
    else:
        chunks = list(side.chunks)
        chunks[axis] = (side.shape[axis],)
        whole = side.rechunk(tuple(chunks))
        out_chunks = list(chunks)
        out_chunks[axis] = (1,)
        s = whole.map_blocks(_median_keepdims, axis=axis, chunks=tuple(out_chunks), dtype=np.float64 if not np.issubdtype(dt, np.floating) else dt)
        s = _round_if_needed(s, dt)
    return s.astype(dt) if s.dtype != dt else s


def _stat_pad(x, axis, before, after, mode, lengths):
    n = x.shape[axis]
    if n == 0 and (before or after):
        raise ValueError(f"pad: can't extend empty axis {axis} using modes other than 'constant' or 'empty'")
    parts = []
    for k, width in enumerate((before, after)):
        if width == 0:
            parts.append(None)
            continue
        length = lengths[k]
        length = n if length is None else min(int(length), n)
        if length == 0:
            raise ValueError("pad: stat_length of 0 yields no value for padding")
        side = _edge_slice(x, axis, 0, length) if k == 0 else _edge_slice(x, axis, n - length, n)
        s = _stat(side, mode, axis, x.dtype)
        parts.append(broadcast_to(s, _side_shape(x, axis, width)).rechunk(_side_chunks(x, axis, width)))
    seq = [p for p in (parts[0], x, parts[1]) if p is not None]
    return concatenate(seq, axis=axis) if len(seq) > 1 else x


def _ramp_side(x, axis, width, end, edge_at, reverse):
    """NumPy's ``linspace(end, edge, width, endpoint=False)`` along ``axis`` (reversed on the
    right), in the array's dtype (integers rounded down, as linspace does)."""
    dt = x.dtype
    edge = _edge_slice(x, axis, edge_at, edge_at + 1).astype(np.float64)
    k = np.arange(width, dtype=np.float64)
    if reverse:
        k = k[::-1].copy()
    shape = [1] * x.ndim
    shape[axis] = width
    kk = to_array(k.reshape(shape))
    step = (edge - float(end)) / width
    ramp = kk * step + float(end)
    if np.issubdtype(dt, np.integer):
        ramp = UNARY["floor"](ramp)
    return ramp.astype(dt).rechunk(_side_chunks(x, axis, width))


def _ramp_pad(x, axis, before, after, ends):
    n = x.shape[axis]
    if n == 0 and (before or after):
        raise ValueError(f"pad: can't extend empty axis {axis} using modes other than 'constant' or 'empty'")
    seq = []
    if before:
        seq.append(_ramp_side(x, axis, before, ends[0], 0, False))
    seq.append(x)
    if after:
        seq.append(_ramp_side(x, axis, after, ends[1], n - 1, True))
    return concatenate(seq, axis=axis) if len(seq) > 1 else x


def _udf_block(block, pad_func, iaxis_pad_width, iaxis, kwargs):
    block = np.array(block)
    np.apply_along_axis(pad_func, iaxis, block, iaxis_pad_width, iaxis, kwargs)
    return block


def _udf_pad(x, widths, func, kwargs):
    x = pad(x, widths, mode="constant", constant_values=0)
    chunks = x.chunks
    for a in range(x.ndim):
        whole = list(x.chunks)
        whole[a] = (x.shape[a],)
        x = x.rechunk(tuple(whole)).map_blocks(
            _udf_block, dtype=x.dtype, pad_func=func, iaxis_pad_width=widths[a], iaxis=a, kwargs=kwargs)
    return x.rechunk(chunks)


def pad(array, pad_width, mode="constant", **kwargs):
    """Pads an array (NumPy's ``pad``; every mode of it, and callables)."""
    x = to_array(array, "pad")
    widths = _pairs(pad_width, x.ndim, "pad_width")
    if callable(mode):
        return _udf_pad(x, widths, mode, kwargs)
    if not isinstance(mode, str) or mode not in _MODES:
        raise ValueError(f"pad: mode {_short(mode)} is not supported; use one of {', '.join(_MODES)} or a function")
    allowed = {
        "constant": {"constant_values"}, "empty": set(), "edge": set(), "wrap": set(),
        "linear_ramp": {"end_values"}, "maximum": {"stat_length"}, "mean": {"stat_length"},
        "median": {"stat_length"}, "minimum": {"stat_length"}, "reflect": {"reflect_type"},
        "symmetric": {"reflect_type"},
    }[mode]
    bad = set(kwargs) - allowed
    if bad:
        raise ValueError(f"pad: unsupported keyword arguments for mode {mode!r}: {sorted(bad)}")
    if kwargs.get("reflect_type", "even") != "even":
        if kwargs["reflect_type"] != "odd":
            raise ValueError(f"pad: reflect_type must be 'even' or 'odd', got {_short(kwargs['reflect_type'])}")
        raise NotImplementedError("pad: reflect_type='odd' is not implemented by tessera (nor by Dask)")
    if mode in ("constant", "empty"):
        values = _pairs(kwargs.get("constant_values", 0), x.ndim, "constant_values", integral=False)
    elif mode == "linear_ramp":
        values = _pairs(kwargs.get("end_values", 0), x.ndim, "end_values", integral=False)
    elif mode in ("maximum", "mean", "median", "minimum"):
        values = _pairs(kwargs.get("stat_length"), x.ndim, "stat_length", allow_none=True)
    for axis, (before, after) in enumerate(widths):
        if before == 0 and after == 0:
            continue
        if mode in ("constant", "empty"):
            x = _constant_pad(x, axis, before, after, values[axis] if mode == "constant" else (0, 0))
        elif mode in ("edge", "reflect", "symmetric", "wrap"):
            if x.shape[axis] == 0:
                raise ValueError(f"pad: can't extend empty axis {axis} using modes other than 'constant' or 'empty'")
            x = _copy_pad(x, axis, before, after, mode)
        elif mode == "linear_ramp":
            x = _ramp_pad(x, axis, before, after, values[axis])
        else:
            x = _stat_pad(x, axis, before, after, mode, values[axis])
    return x
