"""NumPy protocols: ``np.sin(x)``, ``np.add(x, 1)``, ``np.sum(x)``... on tessera arrays
stay lazy and return tessera arrays. NumPy functions tessera does not implement raise
``NotImplementedError`` naming the function, rather than computing silently."""

from __future__ import annotations

import numpy as np

from . import _creation as fn
from ._array import into_out

_UFUNCS = {}
# Ufuncs implemented outside the elementwise tables (matmul, vecdot), registered by their
# family modules with `implements_ufunc`.
_OTHER_UFUNCS = {}


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
    f = _ufunc_table().get(ufunc) or _OTHER_UFUNCS.get(ufunc)
    if f is None:
        raise NotImplementedError(f"tessera does not implement the ufunc numpy.{ufunc.__name__}")
    out = kwargs.get("out")
    rest = {k: v for k, v in kwargs.items() if k != "out"}
    if out is not None and any(o is not None for o in (out if isinstance(out, tuple) else (out,))):
        if rest.get("where", True) is not True:  # the function keeps `out` where the mask is False
            return f(*inputs, **kwargs)
        return into_out(f"numpy.{ufunc.__name__}", f(*inputs, **rest), out)
    return f(*inputs, **rest)


_FUNCTIONS = {}


def implements_ufunc(*names):
    """Registers the decorated function as tessera's version of the NumPy ufuncs called
    `names` (those this NumPy has), for ``np.matmul(x, y)`` and ``numpy_array @ x``."""

    def deco(f):
        for name in names:
            u = getattr(np, name, None)
            if isinstance(u, np.ufunc):
                _OTHER_UFUNCS[u] = f
        return f

    return deco


def implements(*names):
    """Registers the decorated function as tessera's version of the NumPy functions called
    `names` (those this NumPy has), for ``np.f(tessera_array)``. Family modules register
    their own functions where the signatures agree; the adapters below bridge the others."""

    def deco(f):
        for name in names:
            g = getattr(np, name, None)
            if g is not None:
                _FUNCTIONS[g] = f
        return f

    return deco


@implements("reshape")
def _np_reshape(a, shape=None, order="C", *, newshape=None, copy=None):
    if shape is None:
        shape = newshape
    if order != "C":
        raise NotImplementedError("reshape: only order='C' is supported")
    return fn.reshape(a, shape)


@implements("round", "around", "round_")
def _np_round(a, decimals=0, out=None):
    return fn.round(a, decimals, out)


@implements("transpose")
def _np_transpose(a, axes=None):
    return fn.transpose(a, axes)


@implements("clip")
def _np_clip(a, a_min=np._NoValue, a_max=np._NoValue, out=None, *, min=np._NoValue, max=np._NoValue, **kwargs):
    lo = None if a_min is np._NoValue else a_min
    hi = None if a_max is np._NoValue else a_max
    if lo is None and min is not np._NoValue:
        lo = min
    if hi is None and max is not np._NoValue:
        hi = max
    return fn.clip(a, lo, hi, out=out)


@implements("where")
def _np_where(condition, *args):
    return fn.where(condition, *args)


@implements("ravel")
def _np_ravel(a, order="C"):
    return fn.ravel(a)


@implements("squeeze")
def _np_squeeze(a, axis=None):
    return fn.squeeze(a, axis)


@implements("broadcast_to")
def _np_broadcast_to(array, shape, subok=False):
    return fn.broadcast_to(array, shape)


@implements("shape")
def _np_shape(a):
    return a.shape


@implements("ndim")
def _np_ndim(a):
    return a.ndim


@implements("size")
def _np_size(a, axis=None):
    return a.size if axis is None else a.shape[axis]


def _np_like(f):
    def g(a, dtype=None, order="K", subok=True, shape=None, **kwargs):
        return f(a, dtype=dtype, shape=shape)

    return g


@implements("full_like")
def _np_full_like(a, fill_value, dtype=None, order="K", subok=True, shape=None, **kwargs):
    return fn.full_like(a, fill_value, dtype=dtype, shape=shape)


def _np_reduction(f):
    def g(a, axis=None, *args, **kwargs):
        kwargs = {k: v for k, v in kwargs.items() if v is not np._NoValue}
        return f(a, axis, *args, **kwargs)

    return g


implements("expand_dims")(fn.expand_dims)
implements("swapaxes")(fn.swapaxes)
implements("moveaxis")(fn.moveaxis)
for _name in ("zeros", "ones", "empty"):
    implements(f"{_name}_like")(_np_like(getattr(fn, f"{_name}_like")))
# Every reduction under its NumPy name (sum, amax, nansum, ...), and NumPy's older aliases.
for _name, _f in fn.REDUCTIONS.items():
    implements(_name)(_np_reduction(_f))
for _old, _name in (("product", "prod"), ("alltrue", "all"), ("sometrue", "any")):
    implements(_old)(_np_reduction(fn.REDUCTIONS[_name]))


def array_function(func, types, args, kwargs):
    f = _FUNCTIONS.get(func)
    if f is None:
        mod = getattr(func, "__module__", "numpy") or "numpy"
        mod = "numpy" if mod.startswith("numpy") and mod.count(".") <= 1 and mod != "numpy.linalg" else mod
        raise NotImplementedError(
            f"tessera does not implement {mod}.{func.__name__} for tessera arrays; compute the array first "
            f"(numpy.asarray(x)) to use NumPy's, or use a tessera function"
        )
    return f(*args, **kwargs)
