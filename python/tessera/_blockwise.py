"""Functions on whole blocks: ``blockwise`` (index notation), ``map_blocks`` and
``elemwise``, with user Python callables, as in ``dask.array``.

The core runs one task per output block and calls a small Python ``task(block_id, blocks)``
made here, which arranges the arguments as Dask passes them (blocks as read-only NumPy
views, constants, nested lists of blocks along contracted indices, ``block_id`` and
``block_info``), calls the user's function and hands its result back as a NumPy array of
the declared dtype. The user's exception is re-raised unchanged by ``compute()``.
"""

from __future__ import annotations

import functools
import inspect
import numbers

import numpy as np

from . import _core
from ._array import Array, _wrap, dtype_name, to_array

__all__ = ["blockwise", "map_blocks", "elemwise"]


def funcname(func) -> str:
    """The name tasks of `func` show (as Dask's ``funcname``)."""
    while isinstance(func, functools.partial):
        func = func.func
    name = getattr(func, "__name__", None)
    if name is None:
        name = type(func).__name__
    return "lambda" if name == "<lambda>" else name


def has_keyword(func, keyword: str) -> bool:
    try:
        return keyword in inspect.signature(func).parameters
    except (TypeError, ValueError):
        return False


def _nest(blocks, grid):
    """Blocks listed in C order of `grid` as nested lists, one level per contracted index."""
    if len(grid) <= 1:
        return list(blocks)
    step = len(blocks) // grid[0] if grid[0] else 0
    return [_nest(blocks[i * step:(i + 1) * step], grid[1:]) for i in range(grid[0])]


def _as_block(result, dtype: np.dtype, name: str, block_id):
    """The function's result as a NumPy array of `dtype` that the core can hold without a copy."""
    r = result if type(result) is np.ndarray else np.asarray(result)
    if r.dtype != dtype:
        try:
            r = r.astype(dtype)
        except (TypeError, ValueError) as e:
            raise TypeError(
                f"{name}: block {tuple(block_id)} came back as {r.dtype}, which cannot be cast to the "
                f"declared dtype {dtype}: {e}"
            ) from None
    # Now of the (native) declared dtype; the core also needs aligned, whole-element strides.
    f = r.flags
    if not (f.aligned and (f.c_contiguous or all(s % r.itemsize == 0 for s in r.strides))):
        r = np.ascontiguousarray(r)
    return r


def _labels(out_ind, argpairs, op):
    """Index labels (any hashables) as consecutive integers, in order of appearance."""
    ids = {}

    def label(x):
        try:
            return ids.setdefault(x, len(ids))
        except TypeError:
            raise TypeError(f"{op}: index labels must be hashable, got {x!r}") from None

    args = [[label(x) for x in ind] for _, ind in argpairs if ind is not None]
    out = [label(x) for x in out_ind]
    return out, args, label


def _chunk_sizes(v, what, op):
    if isinstance(v, numbers.Integral) and not isinstance(v, bool):
        return [int(v)]
    try:
        sizes = [int(s) for s in v]
    except TypeError:
        raise TypeError(f"{op}: {what} must be an integer or a tuple of integers, got {v!r}") from None
    if any(s < 0 for s in sizes):
        raise ValueError(f"{op}: {what} has a negative chunk size: {v!r}")
    return sizes


def _index(ind, op):
    if ind is None:
        return None
    try:
        return tuple(ind)
    except TypeError:
        raise TypeError(f"{op}: an index must be a string or a tuple of labels (or None), got {ind!r}") from None


def _infer_dtype(func, args, kwargs, op, suggest="dtype"):
    """The dtype `func` returns on one-element arrays of the arguments' dtypes (Dask's
    ``apply_infer_dtype``)."""
    probe = [np.ones((1,) * x.ndim, dtype=x.dtype) if isinstance(x, Array) else x for x in args]
    try:
        with np.errstate(all="ignore"):
            o = func(*probe, **kwargs)
    except Exception as e:
        raise ValueError(
            f"`dtype` inference failed in `{op}`.\n\nPlease specify the dtype explicitly using the "
            f"`{suggest}` kwarg.\n\nOriginal error is below:\n------------------------\n{type(e).__name__}({e})"
        ) from None
    return np.asarray(o).dtype


def _build(func, out_ind, argpairs, *, name, dtype, new_axes, adjust_chunks, concatenate, align, op,
           extra=None, kwargs, more=None):
    """`blockwise` with argument pairs already made (arrays or constants with their index).
    `extra(block_id, call_kwargs)` may add keyword arguments per block. With `more` (a list
    of ``(out_ind, new_axes, dtype)``), `func` returns a tuple: the block of this output,
    then one of each in `more`, all made by one task per block; returns a list of arrays."""
    argpairs = [(to_array(a) if ind is not None and not isinstance(a, Array) else a, ind) for a, ind in argpairs]
    out, arg_labels, label = _labels(out_ind, argpairs, op)
    arrays = [a for a, ind in argpairs if ind is not None]
    for a, ind in zip(arrays, arg_labels):
        if len(ind) != a.ndim:
            raise ValueError(f"{op}: an argument has {a.ndim} dimensions but its index has {len(ind)} labels")
    new = [(label(k), _chunk_sizes(v, f"new_axes[{k!r}]", op)) for k, v in (new_axes or {}).items()]
    adjust = []
    if adjust_chunks:
        known = {}
        for a, ind in zip(arrays, arg_labels):
            for lab, c in zip(ind, a.chunks):
                known.setdefault(lab, c)
        for lab, c in new:
            known.setdefault(lab, tuple(c))
        for k, v in adjust_chunks.items():
            lab = label(k)
            if lab not in out:
                raise ValueError(f"{op}: adjust_chunks names {k!r}, which is not in the output index")
            if callable(v):
                cur = known.get(lab, ())
                adjust.append((lab, [int(v(c)) for c in cur]))
            elif isinstance(v, numbers.Integral):
                adjust.append((lab, [int(v)] * len(known.get(lab, ()))))
            else:
                adjust.append((lab, _chunk_sizes(v, f"adjust_chunks[{k!r}]", op)))
    dt = np.dtype(dtype_name(dtype, op))
    consts = [None if ind is not None else a for a, ind in argpairs]
    is_array = [ind is not None for _, ind in argpairs]
    name = name or funcname(func)

    def task(block_id, blocks):
        it = iter(blocks)
        call = []
        for arr, const in zip(is_array, consts):
            if arr:
                b = next(it)
                call.append(_nest(*b) if isinstance(b, tuple) else b)
            else:
                call.append(const)
        kw = kwargs
        if extra is not None:
            kw = dict(kwargs)
            extra(block_id, kw)
        res = func(*call, **kw)
        if more is None:
            return _as_block(res, dt, name, block_id)
        if not isinstance(res, (tuple, list)) or len(res) != len(dts):
            raise ValueError(
                f"{op}({name}): the function has {len(dts)} outputs, but block {tuple(block_id)} returned "
                + (f"{len(res)}" if isinstance(res, (tuple, list)) else f"a {type(res).__name__}")
            )
        return tuple(_as_block(r, d, name, block_id) for r, d in zip(res, dts))

    core_args = [(a._c, ind) for a, ind in zip(arrays, arg_labels)]
    if more is None:
        c = _core.blockwise(task, name, f"{op}({name})", out, core_args, new, adjust, dt.name, bool(concatenate), bool(align))
        return _wrap(c)
    dts = [dt] + [np.dtype(dtype_name(d, op)) for _, _, d in more]
    more_core = [
        ([label(x) for x in ind], [(label(k), _chunk_sizes(v, f"new_axes[{k!r}]", op)) for k, v in (nax or {}).items()], d.name)
        for (ind, nax, _), d in zip(more, dts[1:])
    ]
    cs = _core.blockwise_many(task, name, f"{op}({name})", out, core_args, new, adjust, dt.name, bool(concatenate),
                              bool(align), more_core)
    return [_wrap(c) for c in cs]


def blockwise(func, out_ind, *args, name=None, token=None, dtype=None, adjust_chunks=None, new_axes=None,
              align_arrays=True, concatenate=None, meta=None, **kwargs):
    """Applies `func` across blocks with index notation, as ``dask.array.blockwise``.

    ``blockwise(np.add, 'ij', x, 'ij', y, 'ij')`` adds block for block;
    ``blockwise(f, 'ik', x, 'ij', y, 'jk')`` passes `f` every block along the contracted
    index ``j`` (lists of blocks, or one block joined along it with ``concatenate=True``).
    Arguments with index ``None`` are passed as they are.
    """
    if not callable(func):
        raise TypeError(f"blockwise: the first argument must be callable, not {type(func).__name__}")
    if len(args) % 2:
        raise ValueError("blockwise: arguments must come in (array, index) pairs")
    out_ind = _index(out_ind, "blockwise")
    argpairs = [(args[i], _index(args[i + 1], "blockwise")) for i in range(0, len(args), 2)]
    if dtype is None:
        if meta is not None and hasattr(meta, "dtype"):
            dtype = meta.dtype
        else:
            dtype = _infer_dtype(func, [to_array(a) if i is not None and not isinstance(a, Array) else a
                                        for a, i in argpairs], kwargs, "blockwise")
    return _build(func, out_ind, argpairs, name=name or token, dtype=dtype, new_axes=new_axes,
                  adjust_chunks=adjust_chunks, concatenate=concatenate, align=align_arrays, op="blockwise",
                  kwargs=kwargs)


def map_blocks(func, *args, name=None, token=None, dtype=None, chunks=None, drop_axis=None, new_axis=None,
               enforce_ndim=False, meta=None, **kwargs):
    """Applies `func` to every block, as ``dask.array.map_blocks``: several arrays are passed
    block for block (one-block arrays are broadcast); ``chunks=`` declares the output's
    chunks when `func` changes block shapes; ``drop_axis``/``new_axis`` remove or add axes
    (a dropped axis is passed whole). `func` receives ``block_id=``/``block_info=`` when it
    takes them. Blocks are read-only NumPy arrays.
    """
    if not callable(func):
        raise TypeError(
            f"map_blocks: the first argument must be a callable function, not {type(func).__name__}\n"
            "Usage:   da.map_blocks(function, x)\n   or:   da.map_blocks(function, x, y, z)"
        )
    op = "map_blocks"
    args = [to_array(a) if isinstance(a, np.ndarray) else a for a in args]
    arrays = [a for a in args if isinstance(a, Array)]
    argpairs = [(a, tuple(range(a.ndim))[::-1]) if isinstance(a, Array) else (a, None) for a in args]
    out_ind = tuple(range(max(a.ndim for a in arrays)))[::-1] if arrays else ()
    if dtype is None:
        if meta is not None and hasattr(meta, "dtype"):
            dtype = meta.dtype
        else:
            dtype = _infer_dtype(func, args, kwargs, op)
    drop_axis = _axes_arg(drop_axis, "drop_axis")
    new_axis = None if new_axis is None else _axes_arg(new_axis, "new_axis")
    if chunks is not None and not isinstance(chunks, (tuple, list)):
        raise TypeError(f"map_blocks: chunks must be a tuple with one entry per output dimension, got {chunks!r}")
    if drop_axis:
        n = len(out_ind)
        if any(not isinstance(i, numbers.Integral) or i < -n or i >= n for i in drop_axis):
            raise ValueError(f"map_blocks: drop_axis out of range (drop_axis={drop_axis}, but output is {n}d).")
        drop_axis = [i % n for i in drop_axis]
        out_ind = tuple(x for i, x in enumerate(out_ind) if i not in drop_axis)
    if new_axis is None and chunks is not None and len(out_ind) < len(chunks):
        new_axis = range(len(chunks) - len(out_ind))
    new_axes = {}
    if new_axis:
        out_ind = list(out_ind)
        for ax in sorted(new_axis):
            n = len(out_ind) + len(drop_axis)
            out_ind.insert(ax, n)
            new_axes[n] = chunks[ax] if chunks is not None else 1
        out_ind = tuple(out_ind)
    adjust = None
    if chunks is not None:
        if len(chunks) != len(out_ind):
            raise ValueError(f"map_blocks: provided chunks have {len(chunks)} dims; expected {len(out_ind)} dims")
        adjust = dict(zip(out_ind, chunks))
    name = name or token or funcname(func)
    extra = None
    want_id, want_info = has_keyword(func, "block_id"), has_keyword(func, "block_info")
    if want_id or want_info:
        extra = _block_info_maker(argpairs, out_ind, drop_axis, want_id, want_info)
    if enforce_ndim:
        ndim = len(out_ind)
        inner = func

        def func(*a, **k):
            r = inner(*a, **k)
            if np.ndim(r) != ndim:
                raise ValueError(f"Dimension mismatch: expected output of {inner} to have dims = {ndim}.  "
                                 f"Got {np.ndim(r)} instead.")
            return r
    out = _build(func, out_ind, argpairs, name=name, dtype=dtype, new_axes=new_axes, adjust_chunks=adjust,
                 concatenate=True, align=False, op=op, extra=extra, kwargs=kwargs)
    if extra is not None:
        extra.out = out
    return out


def _axes_arg(v, what):
    """`drop_axis`/`new_axis` as a list of integers."""
    if v is None:
        return []
    items = [v] if isinstance(v, numbers.Integral) or not hasattr(v, "__iter__") else list(v)
    for i in items:
        if isinstance(i, bool) or not isinstance(i, numbers.Integral):
            raise TypeError(f"map_blocks: {what} must be an integer or a sequence of integers, got {v!r}")
    return [int(i) for i in items]


def _block_info_maker(argpairs, out_ind, drop_axis, want_id, want_info):
    """Adds ``block_id``/``block_info`` (Dask's layout) to a block's keyword arguments."""

    def starts(chunks):
        s = [0]
        for c in chunks:
            s.append(s[-1] + c)
        return s

    def extra(block_id, kw):
        if want_id:
            kw["block_id"] = tuple(block_id)
        if not want_info:
            return
        out = extra.out
        info = {}
        for i, (a, ind) in enumerate(argpairs):
            if ind is None:
                continue
            loc, num, where = [], [], []
            for ax, lab in enumerate(ind):
                c = a.chunks[ax]
                if lab in out_ind and len(c) > 1:
                    b = block_id[out_ind.index(lab)]
                    s = starts(c)
                    loc.append(b)
                    num.append(len(c))
                    where.append((s[b], s[b + 1]))
                else:
                    loc.append(0)
                    num.append(1 if lab not in out_ind else len(c))
                    where.append((0, a.shape[ax]))
            info[i] = {"shape": a.shape, "num-chunks": tuple(num), "chunk-location": tuple(loc),
                       "array-location": where}
        ostarts = [starts(c) for c in out.chunks]
        info[None] = {
            "shape": out.shape,
            "num-chunks": out.numblocks,
            "chunk-location": tuple(block_id),
            "array-location": [(s[b], s[b + 1]) for s, b in zip(ostarts, block_id)],
            "chunk-shape": tuple(s[b + 1] - s[b] for s, b in zip(ostarts, block_id)),
            "dtype": out.dtype,
        }
        kw["block_info"] = info

    extra.out = None
    return extra


def elemwise(op, *args, dtype=None, name=None, **kwargs):
    """Applies the elementwise function `op` block for block after broadcasting the
    arguments against each other (``dask.array.elemwise``)."""
    if not callable(op):
        raise TypeError(f"elemwise: the first argument must be callable, not {type(op).__name__}")
    arrays = [to_array(a) for a in args if isinstance(a, (Array, np.ndarray))]
    shapes = [a.shape for a in arrays] + [np.shape(a) for a in args if not isinstance(a, (Array, np.ndarray))]
    try:
        shape = np.broadcast_shapes(*shapes)
    except ValueError:
        raise ValueError(f"elemwise: operands could not be broadcast together with shapes "
                         f"{' '.join(str(s) for s in shapes)}") from None
    nd = len(shape)
    argpairs = [(to_array(a), tuple(range(nd - np.ndim(a), nd))) if isinstance(a, (Array, np.ndarray)) else (a, None)
                for a in args]
    if dtype is None:
        dtype = _infer_dtype(op, [a for a, _ in argpairs], kwargs, "elemwise")
    # Arguments broadcast along axes where they have length 1 (one block, passed to every task).
    return _build(op, tuple(range(nd)), argpairs, name=name, dtype=dtype, new_axes=None, adjust_chunks=None,
                  concatenate=True, align=True, op="elemwise", kwargs=kwargs)
