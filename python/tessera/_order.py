"""Order statistics: ``topk``/``argtopk`` (Rust block kernels and a merge), and the
quantile family ``median``, ``nanmedian``, ``percentile``, ``nanpercentile``,
``quantile``, ``nanquantile`` with NumPy's signatures and methods, over any axes
(``axis=None`` included, which Dask refuses for ``median``).

Quantiles are exact: the reduced axes are moved last and merged, rechunked into one
chunk, and NumPy's function runs on every block (NumPy's partition releases the GIL, so
blocks run in parallel). Memory is the array's share of one row of blocks, and for
``axis=None`` the whole array (in one task).
"""

from __future__ import annotations

import numbers

import numpy as np

from . import _core
from ._array import Array, _wrap, into_out, to_array
from ._creation import broadcast_to
from ._blockwise import map_blocks
from ._numpy_api import implements
from ._array import _split_every
from ._reduction import validate_axis

__all__ = ["topk", "argtopk", "median", "nanmedian", "percentile", "nanpercentile", "quantile", "nanquantile"]

_METHODS = (
    "inverted_cdf", "averaged_inverted_cdf", "closest_observation", "interpolated_inverted_cdf", "hazen",
    "weibull", "linear", "median_unbiased", "normal_unbiased", "lower", "higher", "midpoint", "nearest",
)


def _k(k, op):
    if isinstance(k, (bool, np.bool_)) or not isinstance(k, (numbers.Integral, np.integer)):
        raise TypeError(f"{op}: k must be an integer, got {k!r}")
    return int(k)


def _one_axis(a, axis, op):
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (numbers.Integral, np.integer)):
        raise TypeError(f"{op}: axis must be an integer, got {axis!r}")
    return validate_axis(int(axis), a.ndim, op)[0]


def topk(a, k, axis=-1, split_every=None):
    """``dask.array.topk``: the k largest values along `axis`, largest first (k > 0), or
    the -k smallest, smallest first (k < 0). NaN counts as the largest value.
    ``split_every``: the merge tree's fan-in, as Dask's (None: one merge of every block's
    candidates, which are small)."""
    a = to_array(a, "topk")
    ax = _one_axis(a, axis, "topk")
    return _wrap(_core.topk(a._c, _k(k, "topk"), ax, False, _split_every(split_every, [ax], a.ndim, "topk")))


def argtopk(a, k, axis=-1, split_every=None):
    """``dask.array.argtopk``: the indices along `axis` of ``topk(a, k, axis)``'s values
    (equal values in index order)."""
    a = to_array(a, "argtopk")
    ax = _one_axis(a, axis, "argtopk")
    return _wrap(_core.topk(a._c, _k(k, "argtopk"), ax, True, _split_every(split_every, [ax], a.ndim, "argtopk")))


Array.topk = lambda self, k, axis=-1, split_every=None: topk(self, k, axis, split_every)
Array.argtopk = lambda self, k, axis=-1, split_every=None: argtopk(self, k, axis, split_every)


def _quantile(op, a, q, axis, method, keepdims, nan, scale, out=None, weights=None, interpolation=None):
    if out is not None:
        return into_out(op, _quantile(op, a, q, axis, method, keepdims, nan, scale, None, weights, interpolation), out)
    if interpolation is not None:
        method = interpolation
    if method not in _METHODS:
        raise ValueError(f"{op}: method {method!r} is not one of {', '.join(_METHODS)}")
    a = to_array(a, op)
    if weights is not None:
        weights = _weights(op, a, weights, axis, method)
    qa = np.asarray(q)
    if qa.dtype.kind not in "iuf" or qa.dtype == np.bool_:
        raise TypeError(f"{op}: q must be real numbers, got {q!r}")
    qa = qa.astype(np.float64) / scale
    if not (np.all(qa >= 0) and np.all(qa <= 1)):
        what = "Percentiles must be in the range [0, 100]" if scale == 100 else "Quantiles must be in the range [0, 1]"
        raise ValueError(f"{op}: {what}, got {q!r}")
    axes = validate_axis(axis, a.ndim, op)
    if a.dtype == np.bool_ and not nan:
        raise TypeError(f"{op}: boolean arrays are not supported (numpy's subtract of bools)")
    if a.size == 0 or any(a.shape[k] == 0 for k in axes):
        raise ValueError(f"{op}: cannot take a quantile of an empty array or axis (shape {a.shape}, axis {axis})")
    kept = [k for k in range(a.ndim) if k not in axes]
    # NumPy's own function with the caller's q (its dtype promotes with the array's)
    f = getattr(np, ("nan" if nan else "") + ("percentile" if scale == 100 else "quantile"))
    q = q if np.ndim(q) == 0 and not isinstance(q, np.ndarray) else np.asarray(q)
    dt = f(np.ones((1,), dtype=a.dtype), q, method=method).dtype

    def rows(v):
        """`v` with the kept axes first and the reduced ones as one last axis, whole."""
        v = v.transpose(kept + list(axes)) if kept + list(axes) != list(range(a.ndim)) else v
        if len(axes) != 1:
            v = v.reshape(tuple(a.shape[k] for k in kept) + (-1,))
        return v.rechunk({v.ndim - 1: -1, **{k: "auto" for k in range(v.ndim - 1)}}) if v.ndim > 1 else v.rechunk(-1)

    y = rows(a)
    args = [y] if weights is None else [y, rows(weights).rechunk(y.chunks)]

    def block(b, w=None):
        kw = {} if w is None else {"weights": w}
        return np.asarray(f(b, q, axis=-1, method=method, **kw), dtype=dt)

    r = map_blocks(block, *args, name=op, dtype=dt, drop_axis=y.ndim - 1, new_axis=list(range(qa.ndim)),
                   chunks=tuple((s,) for s in qa.shape) + y.chunks[:-1])
    if keepdims:
        r = r[(slice(None),) * qa.ndim + tuple(None if k in axes else slice(None) for k in range(a.ndim))]
    return r


def _weights(op, a, weights, axis, method):
    """NumPy's `weights=` of the quantile functions: `a`'s shape, or 1-d along one `axis`;
    broadcast to `a`'s shape. Only ``method="inverted_cdf"`` takes them (NumPy's rule)."""
    if method != "inverted_cdf":
        raise ValueError(f"{op}: only method 'inverted_cdf' supports weights, got method {method!r}")
    if not isinstance(weights, Array) and np.any(np.asarray(weights) < 0):
        raise ValueError(f"{op}: weights must be non-negative")
    w = to_array(weights, op)
    if w.shape == a.shape:
        return w
    if w.ndim == 1 and isinstance(axis, (numbers.Integral, np.integer)) and not isinstance(axis, (bool, np.bool_)):
        ax = validate_axis(axis, a.ndim, op)[0]
        if w.shape[0] == a.shape[ax]:
            return broadcast_to(w.reshape(tuple(-1 if k == ax else 1 for k in range(a.ndim))), a.shape)
    raise ValueError(f"{op}: weights of shape {w.shape} must have the array's shape {a.shape}, or be 1-d as long "
                     f"as its axis (axis={axis!r})")


def _quantile_function(op, nan, scale):
    def f(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, *,
          weights=None, interpolation=None, internal_method="default"):
        return _quantile(op, a, q, axis, method, keepdims, nan, scale, out, weights, interpolation)

    f.__name__ = f.__qualname__ = op
    f.__doc__ = (f"``numpy.{op}`` (exact, any of NumPy's methods, any axes including None): the reduced "
                 "axes are rechunked whole and NumPy's function runs per block.")
    return implements(op)(f)


quantile = _quantile_function("quantile", False, 1)
nanquantile = _quantile_function("nanquantile", True, 1)
percentile = _quantile_function("percentile", False, 100)
nanpercentile = _quantile_function("nanpercentile", True, 100)


@implements("median")
def median(a, axis=None, keepdims=False, out=None, overwrite_input=False):
    """``numpy.median`` over any axes (None included: Dask refuses it)."""
    return _quantile("median", a, 0.5, axis, "linear", keepdims, False, 1, out)  # median is quantile 0.5, bit for bit


@implements("nanmedian")
def nanmedian(a, axis=None, keepdims=False, out=None, overwrite_input=False):
    """``numpy.nanmedian`` over any axes."""
    return _quantile("nanmedian", a, 0.5, axis, "linear", keepdims, True, 1, out)
