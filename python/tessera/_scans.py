"""Cumulative scans, as ``dask.array``'s ``cumreduction``: ``cumsum``, ``cumprod``,
``nancumsum``, ``nancumprod``, the Array API's ``cumulative_sum``/``cumulative_prod``, and
``cumreduction`` with user functions.

Three steps, none of which holds more than a block (plus one small array of block totals):
1. the total of every block along the axis (``preop``, or the last slice of the block's
   scan), one task per block;
2. the carry into every block: an exclusive scan over the totals in block order (one
   small task; ``method="blelloch"`` combines them up and down a tree, as Dask does);
3. every block's own scan combined with its carry, one task per block.
The source of ``x`` is read twice (steps 1 and 3) instead of keeping every block's scan
until the carries are known. Each block's result depends only on its values and the
totals before it, merged in a fixed order: the same bits for any thread count.
"""

from __future__ import annotations

import numbers
import operator

import numpy as np

from . import _core
from ._array import Array, _wrap, dtype_name, to_array
from ._blockwise import _build, funcname
from ._numpy_api import implements

__all__ = ["cumreduction", "cumsum", "cumprod", "nancumsum", "nancumprod", "cumulative_sum", "cumulative_prod"]


def _scan_axis(x, axis, op):
    """`x` and the axis to scan: a flattened `x` and 0 for ``axis=None``."""
    if axis is None:
        return x.ravel() if x.ndim != 1 else x, 0
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (numbers.Integral, np.integer)):
        raise TypeError(f"{op}: axis must be None or an integer, got {axis!r}")
    if not -x.ndim <= axis < max(x.ndim, 1) or x.ndim == 0:
        from numpy.exceptions import AxisError

        raise AxisError(f"{op}: axis {axis} is out of bounds for array of dimension {x.ndim}")
    return x, int(axis) % x.ndim


def _exclusive(totals, binop, ident, axis, method):
    """The carry into every block: binop of the totals of the blocks before it (`ident`
    for the first), along `axis` of the small array of totals, in block order."""
    n = totals.shape[axis]
    take = lambda i: totals[(slice(None),) * axis + (slice(i, i + 1),)]  # noqa: E731
    out = np.empty_like(totals)
    put = lambda i, v: out.__setitem__((slice(None),) * axis + (slice(i, i + 1),), v)  # noqa: E731
    if method == "sequential" or n < 3:
        acc = np.full_like(take(0), ident)
        for i in range(n):
            put(i, acc)
            acc = binop(acc, take(i))
        return out
    # Blelloch: an up-sweep of pairwise partial totals, then a down-sweep of carries.
    levels = [[take(i) for i in range(n)]]
    while len(levels[-1]) > 1:
        prev = levels[-1]
        levels.append([binop(prev[i], prev[i + 1]) if i + 1 < len(prev) else prev[i] for i in range(0, len(prev), 2)])
    carries = [np.full_like(take(0), ident)]
    for level in reversed(levels[:-1]):
        nxt = []
        for j, c in enumerate(carries):
            nxt.append(c)
            if 2 * j + 1 < len(level):
                nxt.append(binop(c, level[2 * j]))
        carries = nxt
    for i in range(n):
        put(i, carries[i])
    return out


def cumreduction(func, binop, ident, x, axis=None, dtype=None, out=None, method="sequential", preop=None):
    """``dask.array.cumreduction``: a cumulative reduction of `x` along `axis` (flattened
    for None). `func(block, axis=axis)` scans one block, `binop(a, b)` combines a carry with
    values, `ident` is its identity; `preop(block, axis=axis, keepdims=True)`, when given,
    gives a block's total (else the last slice of `func`'s scan does)."""
    op = "cumreduction"
    if out is not None:
        raise NotImplementedError(f"{op}: out= is not supported (tessera arrays are immutable)")
    if method not in ("sequential", "blelloch"):
        raise ValueError(f"{op}: method must be 'sequential' or 'blelloch', got {method!r}")
    for name, f in (("func", func), ("binop", binop)):
        if not callable(f):
            raise TypeError(f"{op}: {name} must be callable, not {type(f).__name__}")
    x = to_array(x, op)
    x, axis = _scan_axis(x, axis, op)
    if dtype is None:
        dtype = getattr(func(np.ones((0,), dtype=x.dtype)), "dtype", np.dtype(np.float64))
    dt = np.dtype(dtype_name(dtype, op))
    name = funcname(func)
    ind = tuple(range(x.ndim))

    def scan(b):
        return np.asarray(func(b, axis=axis)).astype(dt, copy=False)

    if x.numblocks[axis] <= 1 or x.size == 0:
        return _build(scan, ind, [(x, ind)], name=name, dtype=dt, new_axes=None, adjust_chunks=None,
                      concatenate=False, align=False, op=op, kwargs={})
    ones = tuple(1 for _ in x.chunks[axis])
    last = (slice(None),) * axis + (slice(-1, None),)

    def total(b):
        if preop is not None:
            return np.asarray(preop(b, axis=axis, keepdims=True)).astype(dt, copy=False)
        return scan(b)[last]

    totals = _build(total, ind, [(x, ind)], name=f"{name}-total", dtype=dt, new_axes=None,
                    adjust_chunks={axis: ones}, concatenate=False, align=False, op=op, kwargs={})
    nb = len(ones)
    carry = _build(lambda t: _exclusive(t, binop, ident, axis, method), ind, [(totals.rechunk({axis: nb}), ind)],
                   name=f"{name}-carry", dtype=dt, new_axes=None, adjust_chunks=None, concatenate=False,
                   align=False, op=op, kwargs={})
    # The carries travel whole along the axis (a contracted label, nb values): each task
    # picks its block's.
    carry_ind = ind[:axis] + (x.ndim,) + ind[axis + 1:]

    def combine(b, c, block_id):
        k = block_id[axis]
        return np.asarray(binop(c[(slice(None),) * axis + (slice(k, k + 1),)], scan(b))).astype(dt, copy=False)

    def block_index(block_id, kw):
        kw["block_id"] = block_id

    return _build(combine, ind, [(x, ind), (carry, carry_ind)], name=name, dtype=dt, new_axes=None,
                  adjust_chunks=None, concatenate=True, align=False, op=op, extra=block_index, kwargs={})


def _scan_dtype(x, dtype, op):
    """NumPy's accumulator dtype for sums and products (integers and bools widen)."""
    if dtype is not None:
        return np.dtype(dtype_name(dtype, op))
    d = x.dtype
    if d == np.bool_ or d.kind == "i":
        return np.dtype(np.int64)
    if d.kind == "u":
        return np.dtype(np.uint64)
    return d


def _nan_to(value):
    def f(b):
        return np.where(np.isnan(b), value, b) if b.dtype.kind == "f" else b

    return f


def _make_scan(op, np_scan, total, binop, ident, nan_value=None):
    def scan(x, axis=None, dtype=None, out=None, *, method="sequential"):
        x = to_array(x, op)
        dt = _scan_dtype(x, dtype, op)
        if out is not None:
            raise NotImplementedError(f"{op}: out= is not supported (tessera arrays are immutable)")
        if method not in ("sequential", "blelloch"):
            raise ValueError(f"{op}: method must be 'sequential' or 'blelloch', got {method!r}")
        if dt.kind in "iuf":
            # numeric dtypes: Rust block kernels (tessera.scan)
            y, a = _scan_axis(x, axis, op)
            return _wrap(_core.cumulative(y._c, a, op.endswith("prod"), nan_value is not None, dt.name, method == "blelloch", op))
        clean = _nan_to(nan_value) if nan_value is not None else (lambda b: b)

        def func(b, axis):
            return np_scan(clean(b), axis=axis, dtype=dt)

        def preop(b, axis, keepdims):
            return total(clean(b), axis=axis, keepdims=keepdims, dtype=dt)

        func.__name__ = preop.__name__ = op
        return cumreduction(func, binop, ident, x, axis=axis, dtype=dt, out=out, method=method, preop=preop)

    scan.__name__ = scan.__qualname__ = op
    scan.__doc__ = f"``numpy.{op}`` along `axis` (flattened for None), as ``dask.array.{op}``."
    return implements(op)(scan)


cumsum = _make_scan("cumsum", np.cumsum, np.sum, operator.add, 0)
cumprod = _make_scan("cumprod", np.cumprod, np.prod, operator.mul, 1)
nancumsum = _make_scan("nancumsum", np.cumsum, np.sum, operator.add, 0, nan_value=0)
nancumprod = _make_scan("nancumprod", np.cumprod, np.prod, operator.mul, 1, nan_value=1)


def _cumulative(op, scan, ident):
    def f(x, /, *, axis=None, dtype=None, include_initial=False):
        x = to_array(x, op)
        if axis is None:
            if x.ndim > 1:
                raise ValueError(f"{op}: axis must be given for arrays of more than one dimension (ndim {x.ndim})")
            if x.ndim == 0:
                raise ValueError(f"{op}: a 0-d array has no axis to scan")
            axis = 0
        r = scan(x, axis=axis, dtype=dtype)
        if include_initial:
            from . import _creation

            a = int(axis) % x.ndim
            shape = list(r.shape)
            shape[a] = 1
            first = _creation.full(tuple(shape), ident, dtype=r.dtype, chunks=tuple(1 if k == a else r.chunks[k] for k in range(r.ndim)))
            import tessera

            concatenate = getattr(tessera, "concatenate", None)
            if concatenate is None:
                raise NotImplementedError(f"{op}: include_initial=True needs concatenate, which this tessera build lacks")
            r = concatenate([first, r], axis=a)
        return r

    f.__name__ = f.__qualname__ = op
    f.__doc__ = f"The Array API's ``{op}``: ``{scan.__name__}`` along `axis`, with the identity first if ``include_initial``."
    return implements(op)(f)


cumulative_sum = _cumulative("cumulative_sum", cumsum, 0)
cumulative_prod = _cumulative("cumulative_prod", cumprod, 1)


def _method(name, f):
    def m(self, axis=None, dtype=None, out=None, *, method="sequential"):
        return f(self, axis=axis, dtype=dtype, out=out, method=method)

    m.__name__ = name
    m.__qualname__ = f"Array.{name}"
    m.__doc__ = f.__doc__
    return m


Array.cumsum = _method("cumsum", cumsum)
Array.cumprod = _method("cumprod", cumprod)
