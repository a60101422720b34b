"""NumPy protocols: ``np.sin(x)``, ``np.add(x, 1)``, ``np.sum(x)``... on tessera arrays
stay lazy and return tessera arrays. NumPy functions tessera does not implement raise
``NotImplementedError`` naming the function, rather than computing silently."""

from __future__ import annotations

import numpy as np

from . import _creation as fn

_UFUNCS = {}


def _ufunc_table():
    if not _UFUNCS:
        for name, f in list(fn.UNARY.items()) + list(fn.BINARY.items()):
            u = getattr(np, name, None)
            if isinstance(u, np.ufunc):
                _UFUNCS[u] = f
        _UFUNCS[np.positive] = fn.positive
    return _UFUNCS


def array_ufunc(ufunc, method, inputs, kwargs):
    if method != "__call__":
        raise NotImplementedError(
            f"numpy.{ufunc.__name__}.{method} is not supported on tessera arrays; use the tessera reductions "
            "(tessera.sum, tessera.prod, tessera.min, ...)"
        )
    out = kwargs.get("out")
    outs = out if isinstance(out, tuple) else (out,)
    if any(o is not None for o in outs):
        raise NotImplementedError(f"numpy.{ufunc.__name__}: out= is not supported (tessera arrays are immutable)")
    f = _ufunc_table().get(ufunc)
    if f is None:
        raise NotImplementedError(f"tessera does not implement the ufunc numpy.{ufunc.__name__}")
    kwargs = {k: v for k, v in kwargs.items() if k != "out"}
    return f(*inputs, **kwargs)


def _np_reshape(a, shape=None, order="C", *, newshape=None, copy=None):
    if shape is None:
        shape = newshape
    if order != "C":
        raise NotImplementedError("reshape: only order='C' is supported")
    return fn.reshape(a, shape)


def _np_round(a, decimals=0, out=None):
    return fn.round(a, decimals, out)


def _np_transpose(a, axes=None):
    return fn.transpose(a, axes)


def _np_clip(a, a_min=np._NoValue, a_max=np._NoValue, out=None, *, min=np._NoValue, max=np._NoValue, **kwargs):
    lo = None if a_min is np._NoValue else a_min
    hi = None if a_max is np._NoValue else a_max
    if lo is None and min is not np._NoValue:
        lo = min
    if hi is None and max is not np._NoValue:
        hi = max
    return fn.clip(a, lo, hi, out)


def _np_where(condition, *args):
    return fn.where(condition, *args)


def _np_reduction(f):
    def g(a, axis=None, *args, **kwargs):
        kwargs = {k: v for k, v in kwargs.items() if v is not np._NoValue}
        return f(a, axis, *args, **kwargs)

    return g


def _np_shape(a):
    return a.shape


def _np_ndim(a):
    return a.ndim


def _np_size(a, axis=None):
    return a.size if axis is None else a.shape[axis]


def _np_like(f):
    def g(a, dtype=None, order="K", subok=True, shape=None, **kwargs):
        return f(a, dtype=dtype, shape=shape)

    return g


def _np_full_like(a, fill_value, dtype=None, order="K", subok=True, shape=None, **kwargs):
    return fn.full_like(a, fill_value, dtype=dtype, shape=shape)


def _np_apply_along_axis(func1d, axis, arr, *args, **kwargs):
    from ._routines import apply_along_axis

    return apply_along_axis(func1d, axis, arr, *args, **kwargs)


def _np_apply_over_axes(func, a, axes):
    from ._routines import apply_over_axes

    return apply_over_axes(func, a, axes)


_FUNCTIONS = {}


def _function_table():
    if not _FUNCTIONS:
        t = {
            np.where: _np_where,
            np.transpose: _np_transpose,
            np.reshape: _np_reshape,
            np.clip: _np_clip,
            np.round: _np_round,
            np.around: _np_round,
            np.ravel: lambda a, order="C": fn.ravel(a),
            np.squeeze: lambda a, axis=None: fn.squeeze(a, axis),
            np.expand_dims: fn.expand_dims,
            np.swapaxes: fn.swapaxes,
            np.moveaxis: fn.moveaxis,
            np.broadcast_to: lambda array, shape, subok=False: fn.broadcast_to(array, shape),
            np.shape: _np_shape,
            np.ndim: _np_ndim,
            np.size: _np_size,
            np.zeros_like: _np_like(fn.zeros_like),
            np.ones_like: _np_like(fn.ones_like),
            np.empty_like: _np_like(fn.empty_like),
            np.full_like: _np_full_like,
            np.apply_along_axis: _np_apply_along_axis,
            np.apply_over_axes: _np_apply_over_axes,
        }
        # Every reduction under its NumPy name (sum, amax, nansum, ...), and older aliases.
        for name, f in fn.REDUCTIONS.items():
            if getattr(np, name, None) is not None:
                t[getattr(np, name)] = _np_reduction(f)
        for name in ("round_", "product", "alltrue", "sometrue"):
            f = getattr(np, name, None)
            if f is not None:
                t[f] = {"round_": _np_round, "product": _np_reduction(fn.REDUCTIONS["prod"]),
                        "alltrue": _np_reduction(fn.REDUCTIONS["all"]), "sometrue": _np_reduction(fn.REDUCTIONS["any"])}[name]
        _FUNCTIONS.update(t)
    return _FUNCTIONS


def array_function(func, types, args, kwargs):
    f = _function_table().get(func)
    if f is None:
        mod = getattr(func, "__module__", "numpy") or "numpy"
        mod = "numpy" if mod.startswith("numpy") and mod.count(".") <= 1 and mod != "numpy.linalg" else mod
        raise NotImplementedError(
            f"tessera does not implement {mod}.{func.__name__} for tessera arrays; compute the array first "
            f"(numpy.asarray(x)) to use NumPy's, or use a tessera function"
        )
    return f(*args, **kwargs)
