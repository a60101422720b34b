"""Module-level functions of ``tessera``: creation, elementwise functions, reductions,
shape functions and ``compute``/``persist``, with ``dask.array``'s names and signatures."""

from __future__ import annotations

import builtins
import math
import numbers
import operator
import warnings

import numpy as np

from . import _core, config
from ._array import (
    REDUCTIONS as _REDUCTION_METHODS,
    Array,
    _wrap,
    as_operand,
    binary,
    dtype_name,
    normalize_axes,
    scalar_op,
    to_array,
    _python_scalar,
    _DTYPES,
)
from ._chunks import to_core
from ._errors import DIAGNOSTICS_ISSUE

# ---------------------------------------------------------------------------------------
# Creation


def _shape(shape, op):
    if shape is None:
        return ()
    if isinstance(shape, (numbers.Integral, np.integer)):
        shape = (shape,)
    try:
        out = tuple(operator.index(s) for s in shape)
    except TypeError:
        raise TypeError(f"{op}: shape must be an integer or a tuple of integers, got {shape!r}") from None
    if builtins.any(s < 0 for s in out):
        raise ValueError(f"{op}: negative dimensions are not allowed, got shape {out}")
    return out


def _native(x: np.ndarray) -> np.ndarray:
    """A NumPy array tessera can read in place: supported dtype, native byte order, aligned,
    strides of whole elements. Copies only byte-swapped, unaligned or oddly strided arrays."""
    kind = x.dtype.kind
    if kind not in "biuf" or x.dtype.name not in _DTYPES and x.dtype.newbyteorder("=").name not in _DTYPES:
        raise TypeError(
            f"from_array: tessera does not support dtype {x.dtype} "
            f"(supported: {', '.join(_DTYPES)}); convert it first, e.g. x.astype(np.float32)"
        )
    if not x.dtype.isnative:
        x = x.astype(x.dtype.newbyteorder("="))
    itemsize = x.dtype.itemsize
    if not x.flags.aligned or builtins.any(s % itemsize for s, d in zip(x.strides, x.shape) if d > 1):
        x = np.array(x, order="C", copy=True)
    return x


def _refuse_masked(x, op):
    if isinstance(x, np.ma.MaskedArray):
        raise TypeError(
            f"{op}: masked arrays are not supported by tessera (the mask would be lost); "
            "fill the masked values first, e.g. x.filled(0), or pass x.data"
        )


def from_array(x, chunks="auto", name=None, lock=False, asarray=None, fancy=True, getitem=None, meta=None,
               inline_array=False):
    """A tessera array over a NumPy array, WITHOUT copying it: tessera reads the NumPy
    memory when it computes, so changing the NumPy array afterwards changes the result
    (Dask copies the array here; ``asarray(x, copy=True)`` or ``array(x)`` take a copy).
    Byte-swapped or unaligned arrays are copied once; complex, float16, object and string
    dtypes and masked arrays raise ``TypeError``.

    ``chunks``: an int (blocks of that size along every axis; -1 for whole axes), a tuple
    with one entry per axis (an int, -1, None for the whole axis, ``"auto"``, or a tuple of
    block sizes), a dict ``{axis: size}`` (other axes whole), ``"auto"`` (about 128 MiB
    chunks, or ``tessera.config.get("array.chunk_size")``), or a byte size such as
    ``"64 MiB"`` (auto chunks of about that size).
    """
    if isinstance(x, Array):
        return x if chunks == "auto" else x.rechunk(chunks)
    _refuse_masked(x, "from_array")
    if not isinstance(x, np.ndarray):
        x = np.asarray(x)
    x = _native(x)
    return _wrap(_core.from_numpy(x, to_core(chunks, x.shape, x.dtype.itemsize, "from_array")))


def asarray(a, allow_unknown_chunksizes=False, dtype=None, order=None, *, like=None, chunks="auto", copy=None,
            **kwargs):
    """``a`` as a tessera array (tessera arrays are returned as they are). NumPy arrays are
    read in place (see ``from_array``) unless ``copy=True``; as in NumPy 2, ``copy=False``
    raises ``ValueError`` where a copy is needed (a dtype change, a list, a byte-swapped
    or unaligned array)."""
    return _asarray(a, dtype, chunks, copy, "asarray")


def _asarray(a, dtype, chunks, copy, op):
    if isinstance(a, Array):
        return a if dtype is None else a.astype(dtype)
    _refuse_masked(a, op)
    if copy is False:
        if not isinstance(a, np.ndarray):
            raise ValueError(f"{op}: unable to avoid a copy of a {type(a).__name__} with copy=False")
        if dtype is not None and np.dtype(dtype) != a.dtype:
            raise ValueError(f"{op}: unable to avoid a copy converting {a.dtype} to {np.dtype(dtype)} with copy=False")
        if _native(a) is not a:
            raise ValueError(f"{op}: unable to avoid a copy of a byte-swapped, unaligned or oddly strided array "
                             "with copy=False")
    if copy:
        a = np.array(a, dtype=dtype, copy=True)
    elif not isinstance(a, np.ndarray):
        a = np.asarray(a)
    out = from_array(a, chunks=chunks)
    if dtype is not None:
        out = out.astype(dtype)
    return out


def asanyarray(a, dtype=None, order=None, *, like=None, chunks="auto", copy=None, **kwargs):
    """Like ``asarray``."""
    return _asarray(a, dtype, chunks, copy, "asanyarray")


def array(x, dtype=None, ndmin=None, *, like=None, copy=True, chunks="auto"):
    """Like ``numpy.array``: a tessera array of ``x``; NumPy arrays are copied unless
    ``copy=None`` (copy only if needed) or ``copy=False`` (never)."""
    out = _asarray(x, dtype, chunks, copy, "array")
    if ndmin is not None and out.ndim < ndmin:
        out = out[(None,) * (ndmin - out.ndim)]
    return out


def _fill_dtype(fill_value):
    if isinstance(fill_value, Array):
        return fill_value.dtype
    return np.asarray(fill_value).dtype


def _fill_value(fill_value, name, op):
    """``fill_value`` in dtype ``name`` as NumPy converts it (``np.full``'s unsafe cast, but
    a Python integer the dtype cannot hold raises ``OverflowError``), as a Python scalar."""
    if isinstance(fill_value, (complex, np.complexfloating)):
        raise TypeError(f"{op}: tessera does not support complex numbers")
    buf = np.empty((), dtype=name)
    try:
        np.copyto(buf, fill_value, casting="unsafe")
    except OverflowError as e:
        raise OverflowError(f"{op}: {e}") from None
    except (TypeError, ValueError) as e:
        raise type(e)(f"{op}: cannot use {fill_value!r} as a fill value: {e}") from None
    return buf.item()


def _full(shape, fill_value, dtype, chunks, op):
    if np.ndim(fill_value) != 0:
        raise ValueError(f"{op}: fill_value must be a scalar, got an array of shape {np.shape(fill_value)}")
    if dtype is None:
        dtype = _fill_dtype(fill_value)
    name = dtype_name(dtype, op)
    shape = _shape(shape, op)
    v = _fill_value(fill_value, name, op)
    return _wrap(_core.full(list(shape), v, name, to_core(chunks, shape, _DTYPES[name].itemsize, op)))


def full(shape, fill_value, *args, dtype=None, chunks="auto", **kwargs):
    """An array of ``shape`` filled with ``fill_value`` (dtype: ``fill_value``'s by default)."""
    if args:
        dtype = args[0]
    return _full(shape, fill_value, dtype, chunks, "full")


def zeros(shape, dtype=float, chunks="auto", **kwargs):
    """An array of zeros."""
    return _full(shape, 0, dtype, chunks, "zeros")


def ones(shape, dtype=float, chunks="auto", **kwargs):
    """An array of ones."""
    return _full(shape, 1, dtype, chunks, "ones")


def empty(shape, dtype=float, chunks="auto", **kwargs):
    """Like ``numpy.empty``, but tessera fills it with zeros (which costs nothing)."""
    return _full(shape, 0, dtype, chunks, "empty")


def _like(a, dtype, chunks, shape):
    if dtype is None:
        dtype = a.dtype if hasattr(a, "dtype") else np.asarray(a).dtype
    if shape is None:
        shape = np.shape(a) if not isinstance(a, Array) else a.shape
        if chunks is None:
            chunks = a.chunks if isinstance(a, Array) else "auto"
    if chunks is None:
        chunks = "auto"
    return dtype, chunks, shape


def full_like(a, fill_value, dtype=None, order="C", chunks=None, name=None, shape=None):
    _refuse_masked(a, "full_like")
    dtype, chunks, shape = _like(a, dtype, chunks, shape)
    return _full(shape, fill_value, dtype, chunks, "full_like")


def zeros_like(a, dtype=None, order="C", chunks=None, name=None, shape=None):
    return full_like(a, 0, dtype=dtype, chunks=chunks, shape=shape)


def ones_like(a, dtype=None, order="C", chunks=None, name=None, shape=None):
    return full_like(a, 1, dtype=dtype, chunks=chunks, shape=shape)


def empty_like(a, dtype=None, order="C", chunks=None, name=None, shape=None):
    return full_like(a, 0, dtype=dtype, chunks=chunks, shape=shape)


class ArangeStepError(ZeroDivisionError, ValueError):
    """``arange`` with step 0: NumPy raises ``ZeroDivisionError``; tessera's errors for bad
    values are ``ValueError``, so this is both."""


def arange(start=None, /, stop=None, step=1, *, chunks="auto", like=None, dtype=None, **kwargs):
    """``arange([start,] stop[, step])`` as NumPy computes it: ``ceil((stop - start) / step)``
    values ``first + i * delta``, where ``first`` and ``first + delta`` are ``start`` and
    ``start + step`` in the result dtype (integers in exact 64-bit arithmetic, wrapping as
    NumPy's do). The default dtype is NumPy's: int64 for integers that fit it, else float64."""
    if start is None:
        raise TypeError("arange() requires stop to be specified.")
    if stop is None:
        start, stop = 0, start
    start, stop, step = (v[()] if isinstance(v, np.ndarray) and v.ndim == 0 else v for v in (start, stop, step))
    args = (start, stop, step)
    for v in args:
        if isinstance(v, (complex, np.complexfloating)):
            raise TypeError("arange: tessera does not support complex numbers")
        if not isinstance(v, (numbers.Real, np.number, np.bool_)):
            raise TypeError(f"arange: start, stop and step must be real numbers, got {v!r}")
    n = _arange_length(start, stop, step)
    dt = _arange_dtype(args) if dtype is None else np.dtype(dtype_name(dtype, "arange"))
    name = dtype_name(dt, "arange")
    if dt.kind == "b" and n > 2:
        raise TypeError("arange() is only supported for booleans when the result has at most length 2.")
    first, second = _arange_first_two(start, step, n, dt)
    spec = to_core(chunks, (n,), dt.itemsize, "arange")
    if dt.kind == "f":
        return _wrap(_core.arange(float(first), float(second - first), n, name, spec))
    # Integers: first + i * delta modulo 2**64, then cast (NumPy's wrapping fill).
    w, dw = _wrap64(int(first)), _wrap64(int(second) - int(first))
    if float(w) == w and float(dw) == dw:
        return _wrap(_core.arange(float(w), float(dw), n, name, spec))
    # Not exact in float64: i * delta + first in int64 arithmetic.
    i = _core.arange(0.0, 1.0, n, "int64", spec)
    return _wrap(i.binary_scalar("multiply", dw).binary_scalar("add", w).astype(name))


def _wrap64(v: int) -> int:
    return (v + 2**63) % 2**64 - 2**63


def _arange_dtype(args) -> np.dtype:
    """NumPy's: int64 promoted with each argument's dtype (a Python int that does not fit
    int64 is uint64, one beyond 64 bits needs NumPy's object dtype)."""
    dt = np.dtype(np.int64)
    for v in args:
        if isinstance(v, (bool, np.bool_)):
            d = np.dtype(bool)
        elif isinstance(v, int) and not isinstance(v, np.integer):
            if -(2**63) <= v < 2**63:
                d = np.dtype(np.int64)
            elif 0 <= v < 2**64:
                d = np.dtype(np.uint64)
            else:
                raise TypeError(
                    f"arange: {v} does not fit a 64-bit integer, so NumPy would make an object array, which tessera "
                    "does not support; pass dtype=float64"
                )
        elif isinstance(v, float):
            d = np.dtype(np.float64)
        else:
            d = np.asarray(v).dtype
        dt = np.promote_types(dt, d)
    return dt


def _arange_length(start, stop, step) -> int:
    """``ceil((stop - start) / step)``, computed on the arguments as NumPy does."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            delta = stop - start
            val = delta / step
        except ZeroDivisionError:
            raise ArangeStepError("arange: step must not be zero (division by zero computing the length)") from None
        except OverflowError as e:
            raise ValueError(f"arange: Maximum allowed size exceeded ({e})") from None
    val = float(val)
    if val == 0.0 and delta != 0:
        # NumPy's underflow and divide-by-inf rule: one value unless the quotient is -0.0
        return 0 if math.copysign(1.0, val) < 0 else 1
    if math.isnan(val):
        raise ValueError(f"arange: cannot compute length of arange({start!r}, {stop!r}, {step!r})")
    if val > 2**63 - 1:
        raise ValueError(f"arange: Maximum allowed size exceeded (arange({start!r}, {stop!r}, {step!r}))")
    return builtins.max(math.ceil(val), 0)


def _arange_first_two(start, step, n, dt):
    """``start`` and ``start + step`` in dtype ``dt`` as NumPy's arange stores them: in an
    integer dtype as exact integers (truncating floats) that must fit it."""
    vals = [start, start + step if n > 1 else start] if n > 0 else [0, 0]
    if dt.kind == "b":
        return [bool(v) for v in vals]
    if dt.kind in "iu":
        info = np.iinfo(dt)
        out = []
        for v in vals:
            i = int(v)
            if not info.min <= i <= info.max:
                raise OverflowError(f"arange: Python integer {i} out of bounds for {dt}")
            out.append(i)
        return out
    try:
        buf = np.array(vals[:1] * 2, dtype=dt)
        buf[1] = vals[1]
    except OverflowError as e:
        raise OverflowError(f"arange: {e}") from None
    return buf[0], buf[1]


def linspace(start, stop, num=50, endpoint=True, retstep=False, chunks="auto", dtype=None):
    """``num`` evenly spaced values from ``start`` to ``stop`` (float64 unless ``dtype``)."""
    num = operator.index(num)
    if num < 0:
        raise ValueError(f"linspace: number of samples, {num}, must be non-negative")
    out = _wrap(_core.linspace(float(start), float(stop), num, bool(endpoint), to_core(chunks, (num,), 8, "linspace")))
    if dtype is not None:
        out = out.astype(dtype)
    if retstep:
        div = (num - 1) if endpoint else num
        step = (float(stop) - float(start)) / div if div > 0 else float("nan")
        return out, step
    return out


# ---------------------------------------------------------------------------------------
# Elementwise functions

_UNARY_ALIASES = {"abs": "absolute", "bitwise_not": "invert", "fix": "trunc"}
_BINARY_ALIASES = {"divide": "true_divide", "mod": "remainder"}


def _check_ufunc_kwargs(name, kwargs):
    out = kwargs.pop("out", None)
    if out is not None:
        raise NotImplementedError(f"{name}: out= is not supported (tessera arrays are immutable)")
    dtype = kwargs.pop("dtype", None)
    for k in ("casting", "order", "subok", "signature"):
        kwargs.pop(k, None)
    where = kwargs.pop("where", True)
    if where is not True:
        raise NotImplementedError(f"{name}: where= is not supported; use tessera.where")
    if kwargs:
        raise TypeError(f"{name}: unexpected keyword arguments {sorted(kwargs)}")
    return dtype


def _make_unary(op, public):
    def f(x, /, **kwargs):
        dtype = _check_ufunc_kwargs(public, kwargs) if kwargs else None
        a = x if type(x) is Array else to_array(x)
        if dtype is not None:
            a = a.astype(dtype)
        return _wrap(a._c.unary(op))

    f.__name__ = f.__qualname__ = public
    f.__doc__ = f"Elementwise ``numpy.{op}``, lazily."
    return f


def _make_binary_fn(op, public):
    def f(x1, x2, /, **kwargs):
        dtype = _check_ufunc_kwargs(public, kwargs) if kwargs else None
        if dtype is not None:
            x1, x2 = to_array(x1).astype(dtype), to_array(x2).astype(dtype)
        if isinstance(x1, Array):
            r = binary(op, x1, x2)
        elif isinstance(x2, Array):
            r = binary(op, x2, x1, reflected=True)
        else:
            r = binary(op, to_array(x1), x2)
        if r is NotImplemented:
            raise TypeError(f"{public}: unsupported operand types {type(x1).__name__} and {type(x2).__name__}")
        return r

    f.__name__ = f.__qualname__ = public
    f.__doc__ = f"Elementwise ``numpy.{op}``, lazily; Python scalars are weak (NEP 50)."
    return f


UNARY = {}
for _op in _core.UNARY_OPS:
    UNARY[_op] = _make_unary(_op, _op)
for _alias, _op in _UNARY_ALIASES.items():
    UNARY[_alias] = _make_unary(_op, _alias)
BINARY = {}
for _op in _core.BINARY_OPS:
    BINARY[_op] = _make_binary_fn(_op, _op)
for _alias, _op in _BINARY_ALIASES.items():
    BINARY[_alias] = _make_binary_fn(_op, _alias)


def positive(x, /, **kwargs):
    a = to_array(x)
    return +a


def _where_scalar(s, dt: np.dtype):
    """A Python scalar beside an array of dtype `dt` in ``where``, as NumPy 2 does it: the
    weak result dtype (NEP 50); integers that fit 64 bits are cast to it unsafely, others
    raise ``OverflowError``."""
    rt = np.result_type(dt, s)
    if isinstance(s, int) and not isinstance(s, bool) and rt.kind in "iub":
        if not -(2**63) <= s < 2**64:
            raise OverflowError(f"where: Python integer {s} is too large to convert to a 64-bit integer")
        s = np.array(s, dtype=np.int64 if s < 2**63 else np.uint64).astype(rt)
    return full((), s, dtype=rt)


def where(condition, x=None, y=None, /):
    """``where(condition, x, y)``: elements of ``x`` where ``condition``, else of ``y``."""
    if x is None and y is None:
        raise NotImplementedError("where(condition) with one argument (nonzero) is not supported by tessera")
    if x is None or y is None:
        raise ValueError("where: either both or neither of x and y should be given")
    cond = to_array(condition)
    sx, sy = _python_scalar(x), _python_scalar(y)
    if sx is not None and sy is None:
        ay = to_array(y)
        ax = _where_scalar(sx, ay.dtype)
    elif sy is not None and sx is None:
        ax = to_array(x)
        ay = _where_scalar(sy, ax.dtype)
    else:
        ax, ay = to_array(x), to_array(y)
    return _wrap(_core.where(cond._c, ax._c, ay._c))


def clip(a, a_min=None, a_max=None, out=None, *, min=None, max=None, **kwargs):
    """Limits values to ``[a_min, a_max]`` (either may be None)."""
    if out is not None:
        raise NotImplementedError("clip: out= is not supported (tessera arrays are immutable)")
    lo = a_min if a_min is not None else min
    hi = a_max if a_max is not None else max
    x = to_array(a)
    if lo is not None:
        x = BINARY["maximum"](x, lo)
    if hi is not None:
        x = BINARY["minimum"](x, hi)
    return x


def round(a, decimals=0, out=None):
    """Rounds half to even, like ``numpy.round``."""
    if out is not None:
        raise NotImplementedError("round: out= is not supported (tessera arrays are immutable)")
    x = to_array(a)
    decimals = int(decimals)
    k = x.dtype.kind
    if k in "iu":
        if decimals >= 0:
            return x
        f = 10.0 ** (-decimals)
        return (x / f).round().__mul__(f).astype(x.dtype)
    if k == "b":
        return x.astype("float32") if decimals >= 0 else x.astype("float32").round(decimals)
    if decimals == 0:
        return _wrap(x._c.unary("rint"))
    f = 10.0 ** decimals
    return _wrap(((x * f)._c.unary("rint"))) / f


around = round


# ---------------------------------------------------------------------------------------
# Reductions as functions


def _reject(name, initial=None, where=True):
    if initial is not None:
        raise NotImplementedError(f"{name}: initial= is not supported")
    if where is not True:
        raise NotImplementedError(f"{name}: where= is not supported")


def _reduction_function(name, kw):
    """The function of reduction ``name`` of ``_core.REDUCTIONS``: the method's signature with
    ``a`` first and NumPy's ``initial``/``where`` (refused unless left at their defaults)."""
    method = _REDUCTION_METHODS[name]
    if "one_axis" in kw:
        def f(a, axis=None, *, keepdims=False, split_every=None, out=None):
            return method(to_array(a), axis, keepdims=keepdims, split_every=split_every, out=out)
    elif "ddof" in kw:
        def f(a, axis=None, dtype=None, keepdims=False, ddof=0, split_every=None, out=None, where=True, **kwargs):
            _reject(name, None, where)
            return method(to_array(a), axis, dtype, keepdims, ddof, split_every, out)
    elif "dtype" in kw:
        def f(a, axis=None, dtype=None, keepdims=False, split_every=None, out=None, initial=None, where=True):
            _reject(name, initial, where)
            return method(to_array(a), axis, dtype, keepdims, split_every, out)
    else:
        def f(a, axis=None, keepdims=False, split_every=None, out=None, initial=None, where=True):
            _reject(name, initial, where)
            return method(to_array(a), axis, keepdims, split_every, out)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = method.__doc__
    return f


_REDUCTION_ALIASES = {"amin": "min", "amax": "max"}
REDUCTIONS = {name: _reduction_function(name, kw) for name, kw in _core.REDUCTIONS}
REDUCTIONS.update({alias: REDUCTIONS[name] for alias, name in _REDUCTION_ALIASES.items()})


# ---------------------------------------------------------------------------------------
# Shapes


def transpose(a, axes=None):
    a = to_array(a)
    return a.transpose(axes)


def reshape(x, shape, merge_chunks=True, limit=None):
    return to_array(x).reshape(shape)


def rechunk(x, chunks="auto", threshold=None, block_size_limit=None, balance=False, method=None):
    return to_array(x).rechunk(chunks)


def broadcast_to(x, shape, chunks=None, meta=None):
    x = to_array(x)
    out = _wrap(x._c.broadcast_to(list(_shape(shape, "broadcast_to"))))
    if chunks is not None:
        out = out.rechunk(chunks)
    return out


def ravel(a):
    return to_array(a).reshape(-1)


def squeeze(a, axis=None):
    a = to_array(a)
    if axis is None:
        axes = [i for i, d in enumerate(a.shape) if d == 1]
    else:
        axes = [ax % builtins.max(a.ndim, 1) if -a.ndim <= ax < a.ndim else ax for ax in normalize_axes(axis, "squeeze")]
        for ax in axes:
            if not 0 <= ax < a.ndim:
                from numpy.exceptions import AxisError

                raise AxisError(f"squeeze: axis {ax} is out of bounds for array of dimension {a.ndim}")
            if a.shape[ax] != 1:
                raise ValueError(f"squeeze: cannot select an axis to squeeze out which has size not equal to one (axis {ax})")
    return a[tuple(0 if i in axes else slice(None) for i in range(a.ndim))]


def expand_dims(a, axis):
    a = to_array(a)
    axes = normalize_axes(axis, "expand_dims")
    nd = a.ndim + len(axes)
    norm = []
    for ax in axes:
        if not -nd <= ax < nd:
            from numpy.exceptions import AxisError

            raise AxisError(f"expand_dims: axis {ax} is out of bounds for array of dimension {nd}")
        norm.append(ax % nd)
    if len(set(norm)) != len(norm):
        raise ValueError("expand_dims: repeated axis")
    key = []
    for i in range(nd):
        key.append(None if i in norm else slice(None))
    return a[tuple(key)]


def swapaxes(a, axis1, axis2):
    a = to_array(a)
    perm = list(range(a.ndim))
    axis1, axis2 = normalize_axes((axis1, axis2), "swapaxes")
    i, j = (axis1 % builtins.max(a.ndim, 1), axis2 % builtins.max(a.ndim, 1))
    if not (-a.ndim <= axis1 < a.ndim and -a.ndim <= axis2 < a.ndim):
        from numpy.exceptions import AxisError

        raise AxisError(f"swapaxes: axes ({axis1}, {axis2}) out of bounds for array of dimension {a.ndim}")
    perm[i], perm[j] = perm[j], perm[i]
    return a.transpose(perm)


def moveaxis(a, source, destination):
    a = to_array(a)
    src = [s % builtins.max(a.ndim, 1) for s in normalize_axes(source, "moveaxis")]
    dst = [d % builtins.max(a.ndim, 1) for d in normalize_axes(destination, "moveaxis")]
    if len(src) != len(dst):
        raise ValueError("moveaxis: `source` and `destination` arguments must have the same number of elements")
    order = [n for n in range(a.ndim) if n not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return a.transpose(order)


def shape(a):
    return to_array(a).shape if not isinstance(a, Array) else a.shape


def ndim(a):
    return a.ndim if isinstance(a, Array) else np.ndim(a)


# ---------------------------------------------------------------------------------------
# Computing


def _collect(args, traverse):
    """The tessera arrays in `args` (and, when `traverse`, in lists, tuples, sets and dict values)."""
    found = []

    def walk(v, depth):
        if isinstance(v, Array):
            found.append(v)
        elif traverse and depth < 3 and isinstance(v, (list, tuple, set)):
            for e in v:
                walk(e, depth + 1)
        elif traverse and depth < 3 and isinstance(v, dict):
            for e in v.values():
                walk(e, depth + 1)

    for a in args:
        walk(a, 0)
    return found


def _rebuild(v, results, depth, traverse):
    if isinstance(v, Array):
        return results[id(v)]
    if traverse and depth < 3 and isinstance(v, (list, tuple, set)):
        return type(v)(_rebuild(e, results, depth + 1, traverse) for e in v)
    if traverse and depth < 3 and isinstance(v, dict):
        return {k: _rebuild(e, results, depth + 1, traverse) for k, e in v.items()}
    return v


def compute(*args, traverse=True, optimize_graph=True, scheduler=None, get=None, num_workers=None, _progress=None,
            **kwargs):
    """Computes several arrays at once, doing shared work once; returns a tuple with each
    tessera array replaced by its NumPy result (other arguments are returned as they are)."""
    from ._run import run

    arrays = _collect(args, traverse)
    unique = list({id(a): a for a in arrays}.values())
    results = {}
    if unique:
        values = run([a._c for a in unique], scheduler, num_workers, optimize_graph, _progress, **kwargs)
        if not values:  # an MPI rank other than 0 with mpi.root_only
            return None
        results = {id(a): v for a, v in zip(unique, values)}
    return tuple(_rebuild(a, results, 0, traverse) for a in args)


def persist(*args, traverse=True, optimize_graph=True, scheduler=None, num_workers=None, **kwargs):
    """Computes the arrays and returns arrays over their kept blocks (same chunks): in
    memory, or spilled to disk where the memory limit requires."""
    from ._run import run

    arrays = _collect(args, traverse)
    unique = list({id(a): a for a in arrays}.values())
    results = {}
    if unique:
        values = run([a._c for a in unique], scheduler, num_workers, optimize_graph, None, persist=True, **kwargs)
        for a, v in zip(unique, values):
            results[id(a)] = Array(v)
    return tuple(_rebuild(a, results, 0, traverse) for a in args)


def visualize(*args, filename="mydask", format=None, optimize_graph=False, **kwargs):
    """Writes a picture of the task graph of the arrays (see ``Array.visualize``)."""
    arrays = _collect(args, True)
    return _core.visualize([a._c for a in arrays], filename=filename, format=format, optimize_graph=optimize_graph,
                           rankdir=kwargs.get("rankdir", "BT"), color=kwargs.get("color"))
