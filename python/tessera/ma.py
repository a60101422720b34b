"""Masked arrays, shaped like ``dask.array.ma`` (``numpy.ma`` semantics).

A tessera ``MaskedArray`` is a pair of lazy tessera arrays, the data and a boolean mask of
the same shape and chunks (the core moves NumPy blocks without masks, so the mask travels as
an array of its own; everything runs in tessera's kernels). ``compute()`` gives a
``numpy.ma.MaskedArray``. Reductions (``sum``, ``prod``, ``mean``, ``var``, ``std``,
``min``, ``max``, ``argmin``, ``argmax``, ``any``, ``all``, ``count``) skip masked values
and are masked where nothing is left, as in NumPy. Arithmetic ORs the masks; division also
masks a zero divisor (NumPy's domain rule for ``/``, ``//``, ``%``); other ufuncs' domains
(``log`` of negatives...) are not masked. The functions of ``tessera`` itself
(``tessera.sum(m)``) take plain arrays: use the methods or this module's functions.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._array import _short

__all__ = [
    "MaskedArray", "masked_array", "masked_where", "masked_equal", "masked_not_equal", "masked_greater",
    "masked_greater_equal", "masked_less", "masked_less_equal", "masked_inside", "masked_outside",
    "masked_values", "masked_invalid", "fix_invalid", "filled", "getdata", "getmaskarray", "set_fill_value",
    "average", "count", "ones_like", "zeros_like", "empty_like", "where", "nonzero",
]


def _arr(v, op):
    from ._creation import asarray

    if isinstance(v, MaskedArray):
        return v.data
    if isinstance(v, np.ma.MaskedArray):
        return asarray(np.ma.getdata(v))
    try:
        return asarray(v)
    except (TypeError, ValueError) as e:
        raise type(e)(f"ma.{op}: {e}") from None


def _mask_of(v, like):
    from ._creation import asarray, zeros

    if isinstance(v, MaskedArray):
        return v.mask
    if isinstance(v, np.ma.MaskedArray):
        return asarray(np.ma.getmaskarray(v))
    return zeros(like.shape, dtype=bool, chunks=like.chunks)


class MaskedArray:
    """Lazy data and mask; see the module docstring."""

    __array_priority__ = 20

    def __init__(self, data, mask, fill_value=None):
        from ._creation import broadcast_to

        if mask.shape != data.shape:
            mask = broadcast_to(mask, data.shape)
        if mask.chunks != data.chunks:
            mask = mask.rechunk(data.chunks)
        self.data, self.mask = data, mask.astype(bool) if mask.dtype != bool else mask
        self._fill_value = None if fill_value is None else _check_fill(fill_value, data.dtype, "masked_array")

    # -- attributes ---------------------------------------------------------------------

    shape = property(lambda self: self.data.shape)
    dtype = property(lambda self: self.data.dtype)
    ndim = property(lambda self: self.data.ndim)
    size = property(lambda self: self.data.size)
    chunks = property(lambda self: self.data.chunks)
    numblocks = property(lambda self: self.data.numblocks)

    @property
    def fill_value(self):
        return self._fill_value if self._fill_value is not None else np.ma.default_fill_value(np.dtype(self.dtype))

    @fill_value.setter
    def fill_value(self, v):
        self._fill_value = _check_fill(v, self.dtype, "set_fill_value")

    def __repr__(self):
        return (f"tessera.ma.MaskedArray<shape={self.shape}, dtype={self.dtype}, chunksize="
                f"{tuple(max(c) if c else 0 for c in self.chunks)}, fill_value={self.fill_value!r}>")

    def __len__(self):
        return len(self.data)

    def _new(self, data, mask):
        out = MaskedArray(data, mask)
        out._fill_value = self._fill_value
        return out

    # -- computing ------------------------------------------------------------------------

    def compute(self, **kwargs):
        from ._creation import compute

        d, m = compute(self.data, self.mask, **kwargs)
        if self.ndim == 0:
            return np.ma.masked if bool(m) else d[()]
        return np.ma.MaskedArray(d, mask=m, fill_value=self.fill_value)

    def __array__(self, dtype=None, copy=None):
        r = self.compute()
        return np.asarray(np.ma.filled(r, self.fill_value), dtype=dtype)

    def filled(self, fill_value=None):
        from ._creation import where

        fv = self.fill_value if fill_value is None else _check_fill(fill_value, self.dtype, "filled")
        return where(self.mask, np.asarray(fv, dtype=self.dtype)[()], self.data)

    # -- shape and chunks -----------------------------------------------------------------

    def __getitem__(self, key):
        if isinstance(key, MaskedArray):
            raise TypeError("ma: indexing with a masked array is not supported by tessera")
        return self._new(self.data[key], self.mask[key])

    def rechunk(self, *args, **kwargs):
        return self._new(self.data.rechunk(*args, **kwargs), self.mask.rechunk(*args, **kwargs))

    def reshape(self, *shape, **kwargs):
        return self._new(self.data.reshape(*shape, **kwargs), self.mask.reshape(*shape, **kwargs))

    def transpose(self, *axes):
        return self._new(self.data.transpose(*axes), self.mask.transpose(*axes))

    T = property(lambda self: self.transpose())

    def astype(self, dtype, **kwargs):
        return self._new(self.data.astype(dtype, **kwargs), self.mask)

    # -- elementwise ----------------------------------------------------------------------

    def _binary(self, other, op, reflected=False):
        import operator

        f = getattr(operator, op)
        od, om = _arr(other, op), _mask_of(other, _arr(other, op))
        a, b = (od, self.data) if reflected else (self.data, od)
        mask = self.mask | om
        if op in ("truediv", "floordiv", "mod"):
            mask = mask | (b == 0)
        return MaskedArray(f(a, b), mask)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method != "__call__" or kwargs.get("out") is not None:
            return NotImplemented
        datas = [_arr(v, ufunc.__name__) for v in inputs]
        mask = None
        for v, d in zip(inputs, datas):
            if isinstance(v, (MaskedArray, np.ma.MaskedArray)):
                m = _mask_of(v, d)
                mask = m if mask is None else mask | m
        out = ufunc(*datas, **kwargs)
        if mask is None:
            return out
        return MaskedArray(out, mask)

    def __neg__(self):
        return self._new(-self.data, self.mask)

    def __abs__(self):
        return self._new(abs(self.data), self.mask)

    def __invert__(self):
        return self._new(~self.data, self.mask)

    # -- reductions -----------------------------------------------------------------------

    def _reduce(self, name, fill, axis, keepdims, **kw):
        from ._creation import where

        filled = where(self.mask, fill, self.data)
        out = getattr(filled, name)(axis=axis, keepdims=keepdims, **kw)
        return MaskedArray(out, self.mask.all(axis=axis, keepdims=keepdims))

    def count(self, axis=None, keepdims=False, split_every=None):
        """Unmasked values along ``axis`` (a plain tessera array, as NumPy)."""
        return (~self.mask).sum(axis=axis, keepdims=keepdims, dtype=np.intp)

    def sum(self, axis=None, dtype=None, keepdims=False, split_every=None, out=None):
        _no_out(out, "sum")
        return self._reduce("sum", 0, axis, keepdims, dtype=dtype)

    def prod(self, axis=None, dtype=None, keepdims=False, split_every=None, out=None):
        _no_out(out, "prod")
        return self._reduce("prod", 1, axis, keepdims, dtype=dtype)

    def min(self, axis=None, keepdims=False, split_every=None, out=None):
        _no_out(out, "min")
        return self._reduce("min", _extreme(self.dtype, True), axis, keepdims).astype(self.dtype)

    def max(self, axis=None, keepdims=False, split_every=None, out=None):
        _no_out(out, "max")
        return self._reduce("max", _extreme(self.dtype, False), axis, keepdims).astype(self.dtype)

    def any(self, axis=None, keepdims=False, split_every=None, out=None):
        _no_out(out, "any")
        return self._reduce("any", False, axis, keepdims)

    def all(self, axis=None, keepdims=False, split_every=None, out=None):
        _no_out(out, "all")
        return self._reduce("all", True, axis, keepdims)

    def argmin(self, axis=None, split_every=None, out=None):
        from ._creation import where

        _no_out(out, "argmin")
        return where(self.mask, _extreme(self.dtype, True), self.data).argmin(axis=axis)

    def argmax(self, axis=None, split_every=None, out=None):
        from ._creation import where

        _no_out(out, "argmax")
        return where(self.mask, _extreme(self.dtype, False), self.data).argmax(axis=axis)

    def mean(self, axis=None, dtype=None, keepdims=False, split_every=None, out=None):
        _no_out(out, "mean")
        from ._creation import where

        total = self.sum(axis=axis, keepdims=keepdims, dtype=dtype if dtype is not None else _acc(self.dtype))
        n = self.count(axis=axis, keepdims=keepdims)
        return MaskedArray(total.data / where(n == 0, 1, n), n == 0)

    def var(self, axis=None, dtype=None, keepdims=False, ddof=0, split_every=None, out=None):
        _no_out(out, "var")
        from ._creation import where

        m = self.mean(axis=axis, keepdims=True, dtype=dtype)
        dev = self.data.astype(_acc(self.dtype)) - m.data
        ss = where(self.mask, 0.0, dev * dev).sum(axis=axis, keepdims=keepdims)
        n = self.count(axis=axis, keepdims=keepdims)
        return MaskedArray(ss / where(n - ddof <= 0, 1, n - ddof), n - ddof <= 0)

    def std(self, axis=None, dtype=None, keepdims=False, ddof=0, split_every=None, out=None):
        v = self.var(axis=axis, dtype=dtype, keepdims=keepdims, ddof=ddof, out=out)
        return MaskedArray(np.sqrt(v.data), v.mask)


def _binop(op, reflected=False):
    def method(self, other):
        return self._binary(other, op, reflected)

    method.__name__ = f"__{'r' if reflected else ''}{op}__"
    return method


for _op in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "and_", "or_", "xor"):
    _name = _op.rstrip("_")
    setattr(MaskedArray, f"__{_name}__", _binop(_op))
    setattr(MaskedArray, f"__r{_name}__", _binop(_op, True))
for _op in ("lt", "le", "gt", "ge", "eq", "ne"):
    setattr(MaskedArray, f"__{_op}__", _binop(_op))
MaskedArray.__hash__ = None


def _no_out(out, op):
    if out is not None:
        raise NotImplementedError(f"ma.{op}: out= is not supported (tessera arrays are immutable)")


def _acc(dtype):
    d = np.dtype(dtype)
    return np.float64 if d.kind in "iub" else d


def _extreme(dtype, high):
    d = np.dtype(dtype)
    if d.kind == "f":
        return np.inf if high else -np.inf
    if d.kind == "b":
        return high
    info = np.iinfo(d)
    return info.max if high else info.min


def _check_fill(v, dtype, op):
    if np.ndim(v):
        raise ValueError(f"ma.{op}: doesn't support array fill values, got {_short(v)}")
    try:
        return np.ma.core._check_fill_value(v, np.dtype(dtype))
    except (TypeError, ValueError) as e:
        raise type(e)(f"ma.{op}: {e}") from None


# -- functions -------------------------------------------------------------------------------


def masked_array(data, mask=np.ma.nomask, fill_value=None, **kwargs):
    """A masked array from data (a tessera or NumPy array, a NumPy masked array) and a mask
    (False, a boolean array broadcastable to the data); ``dtype=`` casts the data."""
    from ._creation import asarray

    chunks = kwargs.pop("chunks", None)
    dtype = kwargs.pop("dtype", None)
    if kwargs:
        raise TypeError(f"ma.masked_array: unexpected keyword argument {next(iter(kwargs))!r}")
    d = asarray(np.ma.getdata(data)) if isinstance(data, np.ma.MaskedArray) else _arr(data, "masked_array")
    if chunks is not None:
        d = d.rechunk(chunks)
    if dtype is not None:
        d = d.astype(dtype)
    m = _mask_of(data, d)
    if mask is not np.ma.nomask and mask is not None:
        extra = mask.mask if isinstance(mask, MaskedArray) else _arr(mask, "masked_array")
        if isinstance(mask, (bool, np.bool_)):
            extra = extra.astype(bool)
        try:
            np.broadcast_shapes(extra.shape, d.shape)
        except ValueError:
            raise np.ma.MaskError(f"ma.masked_array: Mask and data not compatible: data shape is {d.shape}, "
                                  f"mask shape is {extra.shape}") from None
        m = m | extra.astype(bool)
    if fill_value is None and isinstance(data, np.ma.MaskedArray):
        fill_value = data.fill_value
    return MaskedArray(d, m, fill_value)


def _as_masked(a, op):
    return a if isinstance(a, MaskedArray) else masked_array(a)


def masked_where(condition, a):
    a = _as_masked(a, "masked_where")
    cond = _arr(condition, "masked_where")
    if cond.shape != a.shape:
        raise IndexError(f"ma.masked_where: Inconsistent shape between the condition and the input "
                         f"(got {cond.shape} and {a.shape})")
    return a._new(a.data, a.mask | cond.astype(bool))


def _scalar_value(value, op):
    if getattr(value, "shape", ()):
        raise ValueError(f"da.ma.{op} doesn't support array `value`s (got shape {value.shape})")
    return value


def _masked_cmp(name, cmp):
    def f(x, value):
        a = _as_masked(x, name)
        return a._new(a.data, a.mask | cmp(a.data, _arr(value, name) if np.ndim(value) else value))

    f.__name__ = name
    f.__doc__ = f"``numpy.ma.{name}``: masks where the comparison holds (``value`` may be an array, as Dask)."
    return f


masked_greater = _masked_cmp("masked_greater", lambda d, v: d > v)
masked_greater_equal = _masked_cmp("masked_greater_equal", lambda d, v: d >= v)
masked_less = _masked_cmp("masked_less", lambda d, v: d < v)
masked_less_equal = _masked_cmp("masked_less_equal", lambda d, v: d <= v)
masked_not_equal = _masked_cmp("masked_not_equal", lambda d, v: d != v)


def masked_equal(a, value):
    value = _scalar_value(value, "masked_equal")
    out = _masked_cmp("masked_equal", lambda d, v: d == v)(a, value)
    out.fill_value = value  # as numpy.ma.masked_equal
    return out


def masked_inside(x, v1, v2):
    lo, hi = min(v1, v2), max(v1, v2)
    a = _as_masked(x, "masked_inside")
    return a._new(a.data, a.mask | ((a.data >= lo) & (a.data <= hi)))


def masked_outside(x, v1, v2):
    lo, hi = min(v1, v2), max(v1, v2)
    a = _as_masked(x, "masked_outside")
    return a._new(a.data, a.mask | (a.data < lo) | (a.data > hi))


def masked_values(x, value, rtol=1e-05, atol=1e-08, shrink=True):
    """Masks values close to ``value`` (floats: ``isclose``; others: equal); fill value ``value``."""
    value = _scalar_value(value, "masked_values")
    a = _as_masked(x, "masked_values")
    if np.dtype(a.dtype).kind == "f":
        close = abs(a.data - value) <= (atol + rtol * abs(value))
    else:
        close = a.data == value
    out = a._new(a.data, a.mask | close)
    out.fill_value = value
    return out


def masked_invalid(a):
    a = _as_masked(a, "masked_invalid")
    if np.dtype(a.dtype).kind not in "fc":
        return a
    return a._new(a.data, a.mask | ~np.isfinite(a.data))


def fix_invalid(a, fill_value=None):
    """Masks the NaNs and infinities and replaces their data by the fill value."""
    m = masked_invalid(a)
    fv = m.fill_value if fill_value is None else _check_fill(fill_value, m.dtype, "fix_invalid")
    out = MaskedArray(m.filled(fv), m.mask)
    out._fill_value = m._fill_value
    return out


def filled(a, fill_value=None):
    if isinstance(a, MaskedArray):
        return a.filled(fill_value)
    if isinstance(a, np.ma.MaskedArray):
        return _arr(np.ma.filled(a, fill_value), "filled")
    return _arr(a, "filled")


def getdata(a):
    return _arr(a, "getdata")


def getmaskarray(a):
    d = _arr(a, "getmaskarray")
    return _mask_of(a, d)


def set_fill_value(a, fill_value):
    """Sets ``a``'s fill value in place (as Dask and NumPy)."""
    if not isinstance(a, MaskedArray):
        raise TypeError(f"ma.set_fill_value: expected a tessera masked array, got {type(a).__name__}")
    a.fill_value = fill_value


def count(a, axis=None, keepdims=False, split_every=None):
    return _as_masked(a, "count").count(axis=axis, keepdims=keepdims)


def average(a, axis=None, weights=None, returned=False, keepdims=False):
    """``numpy.ma.average``: the weighted mean of the unmasked values (masked where their
    weights sum to zero); ``returned=True`` also gives the sums of weights."""
    from ._creation import broadcast_to, where

    a = _as_masked(a, "average")
    if weights is None:
        w = where(a.mask, 0.0, 1.0)
    else:
        w = _arr(weights, "average").astype(np.float64)
        if w.shape != a.shape:
            if axis is None or w.ndim != 1 or not isinstance(axis, numbers.Integral):
                raise TypeError(f"ma.average: Axis must be specified when shapes of a and weights differ "
                                f"(a {a.shape}, weights {w.shape})")
            ax = axis % a.ndim
            if w.shape[0] != a.shape[ax]:
                raise ValueError(f"ma.average: Length of weights not compatible with specified axis "
                                 f"({w.shape[0]} and {a.shape[ax]})")
            w = broadcast_to(w.reshape((-1,) + (1,) * (a.ndim - 1 - ax)), a.shape).rechunk(a.chunks)
        w = where(a.mask, 0.0, w)
    wsum = w.sum(axis=axis, keepdims=keepdims)
    total = where(a.mask, 0.0, a.data * w).sum(axis=axis, keepdims=keepdims)
    avg = MaskedArray(total / where(wsum == 0, 1.0, wsum), wsum == 0)
    if returned:
        return avg, wsum
    return avg


def _like(name):
    def f(a, **kwargs):
        from . import _creation

        a = _as_masked(a, name)
        return a._new(getattr(_creation, name)(a.data, **kwargs), a.mask)

    f.__name__ = name
    f.__doc__ = f"``numpy.ma.{name}``: keeps the mask of ``a``."
    return f


ones_like, zeros_like, empty_like = _like("ones_like"), _like("zeros_like"), _like("empty_like")


def nonzero(a):
    a = _as_masked(a, "nonzero")
    from ._creation import where as _where

    return _where(a.mask, False, a.data.astype(bool)).nonzero()


def where(condition, x=None, y=None):
    """``numpy.ma.where``: masked where the chosen value is masked (and where the condition is)."""
    from ._creation import where as _where

    if (x is None) != (y is None):
        raise ValueError("ma.where: either both or neither of x and y should be given")
    if x is None:
        return nonzero(condition)
    cd = _arr(condition, "where")
    xd, yd = _arr(x, "where"), _arr(y, "where")
    xm, ym = _mask_of(x, xd), _mask_of(y, yd)
    cm = _mask_of(condition, cd)
    c = cd.astype(bool) & ~cm
    return MaskedArray(_where(c, xd, yd), _where(c, xm, ym) | cm)
