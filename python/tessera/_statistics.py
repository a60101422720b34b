"""Statistics composed of the core's reductions and elementwise operations, with Dask's
signatures: ``count_nonzero``, ``ptp``, ``average``, ``moment``, ``cov``, ``corrcoef``.
Everything stays lazy and fuses: a centred moment is one reduction for the mean and one
over the centred powers, never a materialised intermediate."""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from ._array import to_array
from ._numpy_api import implements
from ._reduction import validate_axis

__all__ = ["count_nonzero", "ptp", "average", "moment", "cov", "corrcoef"]


def _reduced_count(shape, axes) -> int:
    n = 1
    for a in axes:
        n *= shape[a]
    return n


@implements("count_nonzero")
def count_nonzero(a, axis=None, *, keepdims=False):
    """``numpy.count_nonzero``: the number of non-zero values along `axis` (NaN counts),
    as an int64 array (a 0-d one for ``axis=None``, where NumPy returns a Python int)."""
    a = to_array(a, "count_nonzero")
    validate_axis(axis, a.ndim, "count_nonzero")
    return (a != 0).sum(axis=axis, keepdims=keepdims, dtype=np.int64)


@implements("ptp")
def ptp(a, axis=None, keepdims=False):
    """``numpy.ptp``: ``max - min`` along `axis` (integers wrap, as NumPy's)."""
    a = to_array(a, "ptp")
    if a.dtype == np.bool_:
        raise TypeError("ptp: the peak-to-peak of a bool array is not defined (numpy boolean subtract)")
    return a.max(axis=axis, keepdims=keepdims) - a.min(axis=axis, keepdims=keepdims)


def _float_dtype(*dtypes):
    """NumPy's result dtype of a mean: floats keep their type, the rest give float64."""
    d = np.result_type(*dtypes)
    return d if d.kind == "f" else np.result_type(d, np.float64)


@implements("average")
def average(a, axis=None, weights=None, returned=False, *, keepdims=False):
    """``numpy.average``: the mean along `axis`, weighted by `weights` (of `a`'s shape, or
    1-d along one `axis`). With ``returned=True``, also the sum of the weights (broadcast to
    the result's shape). A zero sum of weights gives inf/NaN where NumPy raises
    ``ZeroDivisionError``: the weights' values are not known when the expression is built."""
    op = "average"
    a = to_array(a, op)
    axes = validate_axis(axis, a.ndim, op)
    if weights is None:
        avg = a.mean(axis=axis, keepdims=keepdims)
        scl = np.array(_reduced_count(a.shape, axes), dtype=avg.dtype)
        if returned:
            from ._creation import full

            return avg, full(avg.shape, scl, dtype=avg.dtype, chunks=avg.chunks)
        return avg
    w = to_array(weights, op)
    dt = _float_dtype(a.dtype, w.dtype)
    if w.shape != a.shape:
        if axis is None:
            raise TypeError(f"{op}: axis must be specified when shapes of a {a.shape} and weights {w.shape} differ")
        if w.ndim != len(axes):
            raise TypeError(f"{op}: weights of shape {w.shape} must be 1-d along axis {axis} when shapes of a and weights differ")
        if w.shape != tuple(a.shape[k] for k in axes):
            raise ValueError(f"{op}: weights of shape {w.shape} do not fit axis {axis} of a (shape {a.shape})")
        # weights along `axes` (in their order), broadcast over the other axes
        order = sorted(range(len(axes)), key=lambda i: axes[i])
        w = w.transpose(order) if w.ndim > 1 else w
        index = tuple(slice(None) if k in axes else None for k in range(a.ndim))
        w = w[index]
    from ._creation import broadcast_to

    wsum = broadcast_to(w.astype(dt), a.shape).sum(axis=axis, keepdims=keepdims)
    avg = (a.astype(dt) * w.astype(dt)).sum(axis=axis, keepdims=keepdims) / wsum
    if returned:
        return avg, wsum
    return avg


def _moment_dtype(a, dtype):
    if dtype is not None:
        return np.dtype(dtype)
    return np.var(np.ones((1,), dtype=a.dtype)).dtype


def moment(a, order, axis=None, dtype=None, keepdims=False, ddof=0, split_every=None, out=None):
    """``dask.array.moment``: the `order`-th central moment along `axis`,
    ``sum((a - mean) ** order) / (n - ddof)``. Orders 0 and 1 are ones and zeros."""
    op = "moment"
    if out is not None:
        raise NotImplementedError(f"{op}: out= is not supported (tessera arrays are immutable)")
    a = to_array(a, op)
    if isinstance(order, (bool, np.bool_)) or not isinstance(order, numbers.Integral) or order < 0:
        raise ValueError(f"{op}: order must be an integer >= 0, got {order!r}")
    axes = validate_axis(axis, a.ndim, op)
    dt = _moment_dtype(a, dtype)
    if order < 2:
        from ._creation import full

        r = a.sum(axis=axis, keepdims=keepdims)
        return full(r.shape, 1.0 if order == 0 else 0.0, dtype=dt, chunks=r.chunks)
    x = a.astype(np.float64)
    centred = x - x.mean(axis=axis, keepdims=True, split_every=split_every)
    n = _reduced_count(a.shape, axes)
    s = (centred ** int(order)).sum(axis=axis, keepdims=keepdims, split_every=split_every)
    return (s / (n - ddof)).astype(dt)


def _as_variables(m, rowvar, op, what):
    """`m` as a 2-d array of variables (rows) by observations, as NumPy's cov reads it."""
    m = to_array(m, op)
    if m.ndim > 2:
        raise ValueError(f"{op}: {what} has more than 2 dimensions (shape {m.shape})")
    if m.ndim < 2:
        m = m[None, :] if m.ndim == 1 else m[None, None]
    if not rowvar and m.shape[0] != 1:
        m = m.T
    return m


def _concatenate_rows(x, y, op):
    import tessera

    concatenate = getattr(tessera, "concatenate", None)
    if concatenate is None:
        raise NotImplementedError(f"{op}: y= needs concatenate, which this tessera build lacks")
    return concatenate([x, y], axis=0)


@implements("cov")
def cov(m, y=None, rowvar=True, bias=False, ddof=None, *, dtype=None):
    """``numpy.cov``: the covariance matrix of the variables in `m` (rows, or columns with
    ``rowvar=False``) and `y`. The products of centred variables are summed by a fused
    reduction over the observations (no matrix product is needed)."""
    op = "cov"
    if ddof is not None and (isinstance(ddof, (bool, np.bool_)) or not isinstance(ddof, numbers.Integral)):
        raise ValueError(f"{op}: ddof must be an integer, got {ddof!r}")
    x = _as_variables(m, rowvar, op, "m")
    if y is not None:
        x = _concatenate_rows(x, _as_variables(y, rowvar, op, "y"), op)
    dt = np.dtype(dtype) if dtype is not None else _float_dtype(x.dtype, np.float64)
    if ddof is None:
        ddof = 0 if bias else 1
    x = x.astype(dt)
    fact = x.shape[1] - ddof
    if fact <= 0:
        warnings.warn(f"{op}: degrees of freedom <= 0 for slice", RuntimeWarning, stacklevel=2)
        fact = 0.0
    xc = x - x.mean(axis=1, keepdims=True)
    c = (xc[:, None, :] * xc[None, :, :]).sum(axis=2)
    c = c * (1.0 / fact) if fact else c / 0.0
    return c.squeeze() if c.shape == (1, 1) else c


@implements("corrcoef")
def corrcoef(x, y=None, rowvar=True, *, dtype=None):
    """``numpy.corrcoef``: the covariance matrix scaled by the standard deviations, clipped
    to [-1, 1]."""
    c = cov(x, y, rowvar, dtype=dtype)
    if c.ndim == 0:
        return c / c
    # the diagonal of c, computed as the covariance's own products
    xv = _as_variables(x, rowvar, "corrcoef", "x")
    if y is not None:
        xv = _concatenate_rows(xv, _as_variables(y, rowvar, "corrcoef", "y"), "corrcoef")
    xv = xv.astype(c.dtype)
    xc = xv - xv.mean(axis=1, keepdims=True)
    d = (xc * xc).sum(axis=1) * (1.0 / (xv.shape[1] - 1)) if xv.shape[1] > 1 else (xc * xc).sum(axis=1) / 0.0
    std = d ** 0.5
    r = c / std[:, None] / std[None, :]
    from ._creation import clip

    return clip(r, -1, 1)

