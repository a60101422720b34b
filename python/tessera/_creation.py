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
    into_out,
    _DTYPES,
)
from ._array import _short
from ._chunks import to_core
from ._errors import DIAGNOSTICS_ISSUE, named
from ._array_api import check_device
from ._dask_protocol import set_name
from ._spec_manipulation import clip, reshape  # noqa: F401 (the Array API's signatures)

# ---------------------------------------------------------------------------------------
# Creation


def _shape(shape, op, what="shape", none_ok=False):
    """A shape as NumPy takes it (an integer or a sequence of integers; NumPy integers and
    0-d integer arrays too, bools not), checked: TypeError for other types, ValueError
    for negative sizes and sizes beyond 64 bits (NumPy's "Maximum allowed dimension
    exceeded"). ``none_ok``: ``None`` means ``()`` (random ``size``)."""
    if shape is None:
        if none_ok:
            return ()
        raise TypeError(f"{op}: {what} must be an integer or a tuple of integers, got None (use () for a 0-d array)")
    entries = (shape,) if _is_index(shape) else shape
    if not isinstance(entries, (tuple, list, range, np.ndarray)) or isinstance(entries, np.ndarray) and entries.ndim != 1:
        raise TypeError(f"{op}: {what} must be an integer or a tuple of integers, got {_short(shape)}")
    out = []
    for s in entries:
        if not _is_index(s):
            raise TypeError(f"{op}: {what} must be an integer or a tuple of integers, got {_short(shape)} "
                            f"(an entry {_short(s)} of type {type(s).__name__})")
        out.append(operator.index(s))
    for s in out:
        if not -(2**63) <= s < 2**63:
            raise ValueError(f"{op}: Maximum allowed dimension exceeded: {what} {tuple(out)} has a size {s} beyond "
                             "the 64-bit range")
    if builtins.any(s < 0 for s in out):
        raise ValueError(f"{op}: negative dimensions are not allowed, got {what} {tuple(out)}")
    return tuple(out)


def _is_index(v) -> bool:
    """An integer as NumPy takes one for a size or an axis: not a bool, not a float."""
    if isinstance(v, (bool, np.bool_)) or isinstance(v, np.ndarray) and v.dtype.kind not in "iu":
        return False
    try:
        operator.index(v)
    except TypeError:
        return False
    return True


def _index(v, op, what):
    """`v` as an int, as NumPy takes a count (``num``, ``ndmin``, ``decimals``: bools too,
    as 0 and 1), or a TypeError naming `op` and `what`."""
    if not isinstance(v, (bool, np.bool_)) and not _is_index(v):
        raise TypeError(f"{op}: {what} must be an integer, got {_short(v)}")
    return operator.index(v)


def _native(x: np.ndarray, op="from_array") -> np.ndarray:
    """A NumPy array tessera can read in place: supported dtype, native byte order, aligned,
    strides of whole elements. Copies only byte-swapped, unaligned or oddly strided arrays."""
    kind = x.dtype.kind
    if kind not in "biufc" or x.dtype.name not in _DTYPES and x.dtype.newbyteorder("=").name not in _DTYPES:
        raise TypeError(
            f"{op}: tessera does not support dtype {x.dtype} "
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


def numpy_array(x, chunks, op):
    """A tessera array over (NumPy's conversion of) `x`, read in place; errors name `op`."""
    _refuse_masked(x, op)
    if not isinstance(x, np.ndarray):
        with named(op):
            x = np.asarray(x)
    x = _native(x, op)
    with named(op):
        return _wrap(_core.from_numpy(x, to_core(chunks, x.shape, x.dtype.itemsize, op)))


def from_array(x, chunks="auto", name=None, lock=False, asarray=None, fancy=True, getitem=None, meta=None,
               inline_array=False):
    """A lazy tessera array over `x`.

    Any array-like with ``shape``, ``dtype`` and ``__getitem__`` (h5py datasets, netCDF4
    variables, zarr arrays, xarray's lazy arrays) is read when computing, one task per
    block reading ``x[region]`` (under ``lock``: ``True`` for a new lock, or a lock
    object); nothing is read here. For in-memory data (NumPy arrays, lists) ``lock`` is checked
    and has nothing to guard: the core reads the memory itself, with no Python call to
    serialise. ``chunks="auto"`` follows the source's own chunks
    (``x.chunks``) as Dask does, and slices of the result read only their region.
    ``asarray``, ``fancy``, ``inline_array`` and ``meta`` are accepted for Dask's
    signature: blocks are always NumPy arrays, read with slices and integers.

    A NumPy array is read in place, WITHOUT copying it: tessera reads the NumPy
    memory when it computes, so changing the NumPy array afterwards changes the result
    (Dask copies the array here; ``asarray(x, copy=True)`` or ``array(x)`` take a copy).
    Byte-swapped or unaligned arrays are copied once; object, string and other dtypes
    tessera lacks, and masked arrays, raise ``TypeError``.

    ``chunks``: an int (blocks of that size along every axis; -1 for whole axes), a tuple
    with one entry per axis (an int, -1, None for the whole axis, ``"auto"``, or a tuple of
    block sizes), a dict ``{axis: size}`` (other axes whole), ``"auto"`` (about 128 MiB
    chunks, or ``tessera.config.get("array.chunk_size")``), or a byte size such as
    ``"64 MiB"`` (auto chunks of about that size).
    """
    if isinstance(x, Array):
        return x if isinstance(chunks, str) and chunks == "auto" else x.rechunk(chunks)
    array_like = builtins.all(hasattr(x, a) for a in ("shape", "dtype", "__getitem__"))
    if not isinstance(x, (np.ndarray, list, tuple, memoryview, numbers.Number, np.generic)) and \
            (array_like or not hasattr(x, "__array__")):
        # Any other array-like (h5py, netCDF4, zarr, xarray) is read lazily, region by region.
        from ._from_array import lazy_from_array

        return lazy_from_array(x, chunks, name=name, lock=lock, asarray=asarray, fancy=fancy, getitem=getitem,
                               meta=meta, inline_array=inline_array)
    if not (lock is None or isinstance(lock, bool) or (hasattr(lock, "__enter__") and hasattr(lock, "__exit__"))):
        raise TypeError(f"from_array: lock must be a bool or a lock object, got {lock!r}")
    return set_name(numpy_array(x, chunks, "from_array"), name, "from_array")


def asarray(a, allow_unknown_chunksizes=False, dtype=None, order=None, *, like=None, chunks="auto", copy=None,
            device=None, **kwargs):
    """``a`` as a tessera array (tessera arrays are returned as they are). NumPy arrays are
    read in place (see ``from_array``) unless ``copy=True``; as in NumPy 2, ``copy=False``
    raises ``ValueError`` where a copy is needed (a dtype change, a list, a byte-swapped
    or unaligned array). ``device``: None or ``"cpu"`` (tessera's one device)."""
    check_device(device, "asarray")
    return _asarray(a, dtype, chunks, copy, "asarray")


def _copy_flag(copy, op):
    """NumPy 2's ``copy=``: True, False or None (NumPy's ``_CopyMode`` values too)."""
    if copy is None or isinstance(copy, (bool, np.bool_)):
        return copy
    mode = getattr(np, "_CopyMode", None)
    if mode is not None and isinstance(copy, mode):
        return {mode.ALWAYS: True, mode.IF_NEEDED: None, mode.NEVER: False}[copy]
    if isinstance(copy, str):
        raise ValueError(f"{op}: strings are not allowed for 'copy' keyword, got copy={copy!r}; use True/False/None")
    return bool(copy)


def _asarray(a, dtype, chunks, copy, op):
    copy = _copy_flag(copy, op)
    if isinstance(a, Array):
        if dtype is not None and np.dtype(dtype_name(dtype, op)) != a.dtype:
            if copy is False:
                raise ValueError(f"{op}: unable to avoid a copy converting {a.dtype} to {np.dtype(dtype)} with "
                                 "copy=False")
            return _astype(a, dtype, op)
        # The same dtype is no conversion: `a` itself unless copy=True (as NumPy). A copy is
        # a new array object: later item assignments to `a` (which rebind it) do not show.
        return _wrap(a._c) if copy else a
    _refuse_masked(a, op)
    if dtype is not None:
        dtype = np.dtype(dtype_name(dtype, op))
    if copy is False:
        if not isinstance(a, np.ndarray):
            raise ValueError(f"{op}: unable to avoid a copy of a {type(a).__name__} with copy=False")
        if dtype is not None and dtype != a.dtype:
            raise ValueError(f"{op}: unable to avoid a copy converting {a.dtype} to {dtype} with copy=False")
        if _native(a, op) is not a:
            raise ValueError(f"{op}: unable to avoid a copy of a byte-swapped, unaligned or oddly strided array "
                             "with copy=False")
    if copy:
        with named(op):
            a = np.array(a, dtype=dtype, copy=True)
    out = numpy_array(a, chunks, op)
    if dtype is not None:
        out = _astype(out, dtype, op)
    return out


def _astype(a, dtype, op):
    return _wrap(a._c.astype(dtype_name(dtype, op)))


def asanyarray(a, dtype=None, order=None, *, like=None, chunks="auto", copy=None, **kwargs):
    """Like ``asarray``."""
    return _asarray(a, dtype, chunks, copy, "asanyarray")


def array(x, dtype=None, ndmin=None, *, like=None, copy=True, chunks="auto"):
    """Like ``numpy.array``: a tessera array of ``x``; NumPy arrays are copied unless
    ``copy=None`` (copy only if needed) or ``copy=False`` (never)."""
    if ndmin is not None:
        ndmin = _index(ndmin, "array", "ndmin")
        if ndmin > 32:
            raise ValueError(f"array: ndmin bigger than allowable number of dimensions 32, got ndmin={ndmin}")
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
    buf = np.empty((), dtype=name)
    if type(fill_value) is int and buf.dtype.kind in "iu":
        info = np.iinfo(buf.dtype)
        if not info.min <= fill_value <= info.max:
            raise OverflowError(f"{op}: Python integer {fill_value} out of bounds for {name} (the fill value)")
    try:
        np.copyto(buf, fill_value, casting="unsafe")
    except OverflowError as e:
        raise OverflowError(f"{op}: the fill value {_short(fill_value)} does not fit {name}: {e}") from None
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
    with named(op):
        return _wrap(_core.full(list(shape), v, name, to_core(chunks, shape, _DTYPES[name].itemsize, op)))


def full(shape, fill_value, *args, dtype=None, chunks="auto", device=None, **kwargs):
    """An array of ``shape`` filled with ``fill_value`` (dtype: ``fill_value``'s by default)."""
    check_device(device, "full")
    return set_name(_full(shape, fill_value, dtype if not args else args[0], chunks, "full"), kwargs.get("name"),
                    "full", prefix="full")


def zeros(shape, dtype=float, chunks="auto", device=None, **kwargs):
    """An array of zeros."""
    check_device(device, "zeros")
    return set_name(_full(shape, 0, dtype if dtype is not None else float, chunks, "zeros"), kwargs.get("name"),
                    "zeros", prefix="zeros")


def ones(shape, dtype=float, chunks="auto", device=None, **kwargs):
    """An array of ones."""
    check_device(device, "ones")
    return set_name(_full(shape, 1, dtype if dtype is not None else float, chunks, "ones"), kwargs.get("name"),
                    "ones", prefix="ones")


def empty(shape, dtype=float, chunks="auto", device=None, **kwargs):
    """Like ``numpy.empty``, but tessera fills it with zeros (which costs nothing)."""
    check_device(device, "empty")
    return set_name(_full(shape, 0, dtype if dtype is not None else float, chunks, "empty"), kwargs.get("name"),
                    "empty", prefix="empty")


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


def full_like(a, fill_value, dtype=None, order="C", chunks=None, name=None, shape=None, *, device=None):
    check_device(device, "full_like")
    return set_name(_full_like(a, fill_value, dtype, chunks, shape, "full_like"), name, "full_like", prefix="full_like")


def _full_like(a, fill_value, dtype, chunks, shape, op):
    _refuse_masked(a, op)
    dtype, chunks, shape = _like(a, dtype, chunks, shape)
    return _full(shape, fill_value, dtype, chunks, op)


def zeros_like(a, dtype=None, order="C", chunks=None, name=None, shape=None, *, device=None):
    check_device(device, "zeros_like")
    return set_name(_full_like(a, 0, dtype, chunks, shape, "zeros_like"), name, "zeros_like", prefix="zeros_like")


def ones_like(a, dtype=None, order="C", chunks=None, name=None, shape=None, *, device=None):
    check_device(device, "ones_like")
    return set_name(_full_like(a, 1, dtype, chunks, shape, "ones_like"), name, "ones_like", prefix="ones_like")


def empty_like(a, dtype=None, order="C", chunks=None, name=None, shape=None, *, device=None):
    check_device(device, "empty_like")
    return set_name(_full_like(a, 0, dtype, chunks, shape, "empty_like"), name, "empty_like", prefix="empty_like")


class ArangeStepError(ZeroDivisionError, ValueError):
    """``arange`` with step 0: NumPy raises ``ZeroDivisionError``; tessera's errors for bad
    values are ``ValueError``, so this is both."""


def arange(start=None, /, stop=None, step=1, *, chunks="auto", like=None, dtype=None, device=None, **kwargs):
    """``arange([start,] stop[, step])`` as NumPy computes it: ``ceil((stop - start) / step)``
    values ``first + i * delta``, where ``first`` and ``first + delta`` are ``start`` and
    ``start + step`` in the result dtype (integers in exact 64-bit arithmetic, wrapping as
    NumPy's do). The default dtype is NumPy's: int64 for integers that fit it, else float64."""
    check_device(device, "arange")
    if start is None:
        raise TypeError("arange() requires stop to be specified.")
    if stop is None:
        start, stop = 0, start
    if step is None:
        step = 1
    start, stop, step = (v[()] if isinstance(v, np.ndarray) and v.ndim == 0 else v for v in (start, stop, step))
    args = (start, stop, step)
    for v in args:
        if isinstance(v, (complex, np.complexfloating)):
            raise TypeError(f"arange: tessera does not support complex numbers, got {v!r}")
        if not isinstance(v, (numbers.Real, np.number, np.bool_)):
            raise TypeError(f"arange: start, stop and step must be real numbers, got {_short(v)}")
    n = _arange_length(start, stop, step)
    dt = _arange_dtype(args) if dtype is None else np.dtype(dtype_name(dtype, "arange"))
    name = dtype_name(dt, "arange")
    if dt.kind == "b" and n > 2:
        raise TypeError(f"arange: dtype=bool is only supported when the result has at most length 2, not {n}")
    spec = to_core(chunks, (n,), dt.itemsize, "arange")
    if dt.kind == "c":
        # NumPy's complex fill with real start and step: the parts' float fill, imaginary 0.
        part = np.dtype(np.float32 if dt == np.complex64 else np.float64)
        first, second = _arange_first_two(start, step, n, part)
        with named("arange"):
            return _arange_float(first, second, n, part, spec).astype(name)
    first, second = _arange_first_two(start, step, n, dt)
    if dt.kind == "f":
        with named("arange"):
            return _arange_float(first, second, n, dt, spec)
    # Integers: first + i * delta modulo 2**64, then cast (NumPy's wrapping fill).
    w, dw = _wrap64(int(first)), _wrap64(int(second) - int(first))
    with named("arange"):
        if float(w) == w and float(dw) == dw:
            return _wrap(_core.arange(float(w), float(dw), n, name, spec))
        # Not exact in float64: i * delta + first in int64 arithmetic.
        i = _core.arange(0.0, 1.0, n, "int64", spec)
        return _wrap(i.binary_scalar("multiply", dw).binary_scalar("add", w).astype(name))


def _arange_float(first, second, n, dt, spec):
    """NumPy's float fill: ``a[0] = start`` and ``a[1] = start + step`` as stored (rounded to
    the dtype), then ``a[i] = a[0] + i * (a[1] - a[0])`` computed in the dtype (float32
    arithmetic for float32, with ``i`` rounded to float32)."""
    if dt == np.float16:
        # NumPy's half fill: the two stored values, then the rest in float32, rounded.
        f, s = np.float32(np.float16(first)), np.float32(np.float16(second))
        return _arange_float(f, s, n, np.dtype(np.float32), spec).astype("float16")
    name = dt.name
    first, second = dt.type(first), dt.type(second)
    with np.errstate(all="ignore"):
        delta = dt.type(second - first)
        at1 = dt.type(first + delta)
    if dt == np.float64:
        out = _core.arange(float(first), float(delta), n, name, spec)
    else:
        i = _core.arange(0.0, 1.0, n, name, spec)
        out = i.binary_scalar("multiply", float(delta)).binary_scalar("add", float(first))
    # Where first + i * delta does not give the stored values (a -0.0 start, a second
    # value rounded on its own), put them in.
    fixes = {}
    if n > 0 and (math.copysign(1.0, first) < 0 and first == 0 or not np.isfinite(delta)):
        fixes[0] = first  # a -0.0 start, or 0 * inf
    if n > 1 and at1.tobytes() != second.tobytes():
        fixes[1] = second
    if fixes:
        i = _core.arange(0.0, 1.0, n, "int64", spec)
        for k, v in fixes.items():
            value = _core.full([], float(v), name, [])
            out = _core.where(i.binary_scalar("equal", k), value, out)
    return _wrap(out)


def _real(v, op, what) -> float:
    """A real scalar argument as a float: NumPy 0-d arrays and scalars too; TypeError for
    complex numbers, strings and other types, NotImplementedError for arrays, TypeError for
    Python integers beyond 64 bits (NumPy would make an object array)."""
    if isinstance(v, np.ndarray) and v.ndim == 0:
        v = v[()]
    if isinstance(v, (complex, np.complexfloating)):
        raise TypeError(f"{op}: tessera does not support complex numbers, got {what}={v!r}")
    if np.ndim(v) != 0 and not isinstance(v, (str, bytes)):
        raise NotImplementedError(f"{op}: array-valued {what} is not supported by tessera; pass a scalar")
    if not isinstance(v, (numbers.Real, np.number, np.bool_)):
        raise TypeError(f"{op}: {what} must be a real number, got {_short(v)}")
    if type(v) is int and not -(2**63) <= v < 2**64:
        raise TypeError(f"{op}: {what}={v} does not fit a 64-bit integer, so NumPy would make an object array, "
                        "which tessera does not support; pass a float")
    return float(v)


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


def linspace(start, stop, num=50, endpoint=True, retstep=False, chunks="auto", dtype=None, *, device=None):
    """``num`` evenly spaced values from ``start`` to ``stop`` (float64 unless ``dtype``)."""
    check_device(device, "linspace")
    num = _index(num, "linspace", "num")
    if num < 0:
        raise ValueError(f"linspace: number of samples, {num}, must be non-negative")
    if num > 2**63 - 1:
        raise ValueError(f"linspace: Maximum allowed size exceeded (num={num})")
    start, stop = _real(start, "linspace", "start"), _real(stop, "linspace", "stop")
    with named("linspace"):
        out = _wrap(_core.linspace(start, stop, num, bool(endpoint), to_core(chunks, (num,), 8, "linspace")))
    if dtype is not None:
        name = dtype_name(dtype, "linspace")
        if _DTYPES[name].kind in "iu":
            out = _wrap(out._c.unary("floor"))  # NumPy 2 rounds towards -inf for integer dtypes
        out = _astype(out, name, "linspace")
    if retstep:
        div = (num - 1) if endpoint else num
        step = (float(stop) - float(start)) / div if div > 0 else float("nan")
        return out, step
    return out


# ---------------------------------------------------------------------------------------
# Elementwise functions

_UNARY_ALIASES = {"abs": "absolute", "bitwise_not": "invert", "fix": "trunc"}
_BINARY_ALIASES = {"divide": "true_divide", "mod": "remainder"}
# The Array API standard's names for NumPy's ufuncs.
_UNARY_ALIASES.update({"acos": "arccos", "asin": "arcsin", "atan": "arctan", "acosh": "arccosh", "asinh": "arcsinh",
                       "atanh": "arctanh", "bitwise_invert": "invert"})
_BINARY_ALIASES.update({"atan2": "arctan2", "pow": "power", "bitwise_left_shift": "left_shift",
                        "bitwise_right_shift": "right_shift"})


_CASTINGS = ("no", "equiv", "safe", "same_kind", "unsafe")


def _ufunc_kwargs(name, kwargs):
    """NumPy's ufunc keywords, checked: returns (dtype, casting). ``order`` and ``subok``
    change nothing for tessera arrays; ``out``, ``where`` and ``signature`` are not
    supported."""
    kwargs = dict(kwargs)
    out = kwargs.pop("out", None)
    if out is not None and not (isinstance(out, tuple) and builtins.all(o is None for o in out)):
        raise NotImplementedError(f"{name}: out= is not supported (tessera arrays are immutable)")
    casting = kwargs.pop("casting", "same_kind")
    if not isinstance(casting, str):
        raise TypeError(f"{name}: casting must be a string, got {_short(casting)}")
    if casting not in _CASTINGS:
        raise ValueError(f"{name}: casting must be one of {', '.join(map(repr, _CASTINGS))} (got {casting!r})")
    order = kwargs.pop("order", "K")
    if order is not None and (not isinstance(order, str) or order.upper() not in ("C", "F", "A", "K")):
        raise ValueError(f"{name}: order must be one of 'C', 'F', 'A', or 'K' (got {_short(order)})")
    kwargs.pop("subok", None)
    signature = kwargs.pop("signature", None)
    dtype = kwargs.pop("dtype", None)
    if kwargs:
        raise TypeError(f"{name}() got an unexpected keyword argument {next(iter(kwargs))!r}")
    if signature is not None and dtype is not None:
        raise TypeError(f"{name}: cannot specify both 'signature' and 'dtype'")
    return (dtype if signature is None else _Signature(signature)), casting


class _Signature:
    """A ufunc ``signature=`` (``"dd->d"``, ``"d"``, or a tuple of dtypes and Nones)."""

    def __init__(self, sig):
        self.sig = sig

    def __repr__(self):
        return repr(self.sig)

    def dtypes(self, public, nin):
        sig = self.sig
        if isinstance(sig, str):
            ins, arrow, outs = sig.replace(",", "").partition("->")
            if not arrow:
                raise TypeError(f"{public}: a signature string must have the form 'dd->d', got {sig!r}")
            sig = tuple(ins + outs)
        if not isinstance(sig, (tuple, list)):
            raise TypeError(f"{public}: the signature must be a string or a tuple, got {_short(sig)}")
        if len(sig) != nin + 1:
            raise ValueError(f"{public}: a signature must give {nin + 1} dtypes (inputs and output), got {self.sig!r}")
        out = []
        for d in sig:
            if d is None:
                out.append(None)
            else:
                name = dtype_name(d, public)  # unsupported dtypes raise
                out.append(np.dtype(name))
        return tuple(out)


def _operand_dtype(v):
    """What NumPy's type resolution sees of an operand: its dtype, or the Python type of a
    weak Python scalar."""
    if isinstance(v, Array):
        return v.dtype
    s = _python_scalar(v)
    if s is not None:
        return np.dtype(bool) if type(s) is bool else type(s)
    return np.asarray(v).dtype


def _loop(public, np_name, operands, dtype, casting):
    """The loop NumPy picks for ``public(*operands, dtype=dtype, casting=casting)``: the
    dtypes the operands are cast to, then the result's. NumPy's errors (no such loop, a cast the casting rule refuses), naming
    ``public``."""
    u = getattr(np, np_name)
    kw = {"casting": casting}
    if isinstance(dtype, _Signature):
        kw["signature"] = dtype.dtypes(public, u.nin)
    elif dtype is not None:
        kw["signature"] = (None,) * u.nin + (np.dtype(dtype_name(dtype, public)),)
    dts = tuple(_operand_dtype(v) for v in operands)
    try:
        loop = u.resolve_dtypes(dts + (None,), **kw)
    except TypeError as e:
        what = f"signature={dtype!r}" if isinstance(dtype, _Signature) else f"dtype={dtype!r}"
        raise TypeError(f"{public}: {what}, casting={casting!r}: {e}") from None
    return list(loop)


def _weak_fits(s, d) -> bool:
    """Whether a weak Python scalar stays weak in a loop of dtype `d`: its kind is at most
    d's (bool < int < float < complex). Otherwise it is cast to `d` like an array."""
    rank = {"b": 0, "i": 1, "u": 1, "f": 2, "c": 3}
    return {bool: 0, int: 1, float: 2, complex: 3}[type(s)] <= rank.get(d.kind, 3)


def _with_loop(public, np_name, operands, kwargs, apply):
    """``apply(*operands)`` under NumPy's ufunc keywords: without ``dtype`` or a casting
    rule other than the default, as it is; else with the operands cast to NumPy's loop
    dtypes (Python scalars stay weak) and the result cast to the loop's."""
    if "out" in kwargs or "where" in kwargs:
        kwargs = dict(kwargs)
        out, mask = kwargs.pop("out", None), kwargs.pop("where", True)
        r = _with_loop(public, np_name, operands, kwargs, apply) if kwargs else apply(*operands)
        if mask is not True:
            # NumPy keeps `out` where the mask is False (and leaves memory uninitialized
            # without one: tessera gives zeros there, as Dask's blocks would hold garbage).
            o = out[0] if isinstance(out, tuple) and len(out) == 1 else out
            r = where(mask, r, o if isinstance(o, Array) else zeros_like(r))
        return into_out(public, r, out)
    dtype, casting = _ufunc_kwargs(public, kwargs)
    if dtype is None and casting == "same_kind":
        return apply(*operands)
    loop = _loop(public, np_name, operands, dtype, casting)
    cast = [v if _python_scalar(v) is not None and _weak_fits(v, d) else _astype(to_array(v, public), d, public)
            for v, d in zip(operands, loop)]
    if builtins.all(_python_scalar(v) is not None for v in cast):
        cast[0] = _astype(to_array(cast[0], public), loop[0], public)
    r = apply(*cast)
    return r if r.dtype == loop[-1] else _astype(r, loop[-1], public)


def _make_unary(op, public):
    np_name = {"fix": "trunc"}.get(public, public)
    if op != public:  # an alias (abs, bitwise_not, fix): errors name it
        g = _make_unary(op, op)

        def f(x, /, **kwargs):
            extra = set(kwargs) - {"out"} if public == "fix" else ()
            if extra:  # numpy.fix is a function, not a ufunc: out= is its only keyword
                raise TypeError(f"fix() got an unexpected keyword argument {sorted(extra)[0]!r}")
            with named(public):
                return g(x, **kwargs)

        f.__name__ = f.__qualname__ = public
        f.__doc__ = g.__doc__
        return f

    def f(x, /, **kwargs):
        if kwargs:
            return _with_loop(public, np_name, (x,), kwargs, lambda a: f(a))
        a = x if type(x) is Array else to_array(x, public)
        return _wrap(a._c.unary(op))

    f.__name__ = f.__qualname__ = public
    f.__doc__ = f"Elementwise ``numpy.{op}``, lazily."
    return f


def _make_binary_fn(op, public):
    if op != public:  # an alias (divide, mod): errors name it
        g = _make_binary_fn(op, op)

        def f(x1, x2, /, **kwargs):
            with named(public):
                return g(x1, x2, **kwargs)

        f.__name__ = f.__qualname__ = public
        f.__doc__ = g.__doc__
        return f

    def f(x1, x2, /, **kwargs):
        if kwargs:
            return _with_loop(public, public, (x1, x2), kwargs, lambda a, b: f(a, b))
        if isinstance(x1, Array):
            r = binary(op, x1, x2)
        elif isinstance(x2, Array):
            r = binary(op, x2, x1, reflected=True)
        else:
            r = binary(op, to_array(x1, public), x2)
        if r is NotImplemented:
            raise TypeError(f"{public}: unsupported operand types {type(x1).__name__} and {type(x2).__name__} "
                            f"({_short(x1)}, {_short(x2)})")
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
    if kwargs:
        return _with_loop("positive", "positive", (x,), kwargs, positive)
    return +to_array(x, "positive")


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


_MISSING = object()


def where(condition, x=_MISSING, y=_MISSING, /):
    """``where(condition, x, y)``: elements of ``x`` where ``condition``, else of ``y``."""
    if x is _MISSING and y is _MISSING:
        from ._unknown import nonzero

        return nonzero(condition)
    if x is _MISSING or y is _MISSING:
        raise ValueError("where: either both or neither of x and y should be given")
    cond = to_array(condition, "where")
    sx, sy = _python_scalar(x), _python_scalar(y)
    if sx is not None and sy is None:
        ay = to_array(y, "where")
        ax = _where_scalar(sx, ay.dtype)
    elif sy is not None and sx is None:
        ax = to_array(x, "where")
        ay = _where_scalar(sy, ax.dtype)
    else:
        ax, ay = to_array(x, "where"), to_array(y, "where")
    with named("where"):
        return _wrap(_core.where(cond._c, ax._c, ay._c))


def _pow10(n: int) -> float:
    """10.0 ** n as C's pow gives it: inf beyond the float range, not an OverflowError."""
    try:
        return 10.0 ** n
    except OverflowError:
        return math.inf


def round(a, decimals=0, out=None):
    """Rounds half to even, like ``numpy.round``."""
    if out is not None:
        raise NotImplementedError("round: out= is not supported (tessera arrays are immutable)")
    x = to_array(a, "round")
    decimals = _index(decimals, "round", "decimals")
    if not -(2**63) <= decimals < 2**63:
        raise OverflowError(f"round: decimals={decimals} does not fit a C long")
    k = x.dtype.kind
    if k in "iu":
        if decimals >= 0:
            return x
        f = _pow10(-decimals)
        return (x / f).round().__mul__(f).astype(x.dtype)
    if k == "b":
        return x.astype("float16") if decimals >= 0 else x.astype("float16").round(decimals)
    if decimals == 0:
        return _wrap(x._c.unary("rint"))
    f = _pow10(decimals)
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
            return method(to_array(a, name), axis, keepdims=keepdims, split_every=split_every, out=out)
    elif "ddof" in kw:
        def f(a, axis=None, dtype=None, keepdims=False, ddof=0, split_every=None, out=None, where=True, correction=None, **kwargs):
            _reject(name, None, where)
            return method(to_array(a, name), axis, dtype, keepdims, ddof, split_every, out, correction=correction)
    elif "dtype" in kw:
        def f(a, axis=None, dtype=None, keepdims=False, split_every=None, out=None, initial=None, where=True):
            _reject(name, initial, where)
            return method(to_array(a, name), axis, dtype, keepdims, split_every, out)
    else:
        def f(a, axis=None, keepdims=False, split_every=None, out=None, initial=None, where=True):
            _reject(name, initial, where)
            return method(to_array(a, name), axis, keepdims, split_every, out)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = method.__doc__
    return f


_REDUCTION_ALIASES = {"amin": "min", "amax": "max"}
REDUCTIONS = {name: _reduction_function(name, kw) for name, kw in _core.REDUCTIONS}
REDUCTIONS.update({alias: REDUCTIONS[name] for alias, name in _REDUCTION_ALIASES.items()})


# ---------------------------------------------------------------------------------------
# Shapes


def transpose(a, axes=None):
    return to_array(a, "transpose").transpose(axes)


def rechunk(x, chunks="auto", threshold=None, block_size_limit=None, balance=False, method=None):
    return to_array(x, "rechunk").rechunk(chunks, threshold=threshold, block_size_limit=block_size_limit,
                                          balance=balance, method=method)


def broadcast_to(x, shape, chunks=None, meta=None):
    x = to_array(x, "broadcast_to")
    with named("broadcast_to"):
        out = _wrap(x._c.broadcast_to(list(_shape(shape, "broadcast_to"))))
    if chunks is not None:
        out = out.rechunk(chunks)
    return out


def ravel(a):
    return to_array(a, "ravel").reshape(-1)


def _axes_in(axis, ndim, op, what="axis"):
    """Axes (an int or a sequence of ints) normalised to 0..ndim-1: AxisError for axes out
    of range, ValueError for repeated ones, as NumPy's ``normalize_axis_tuple``."""
    from numpy.exceptions import AxisError

    if axis is None:
        raise TypeError(f"{op}: {what} must be an integer or a tuple of integers, got None")
    out = []
    for ax in normalize_axes(axis, op):
        if not -ndim <= ax < ndim:
            raise AxisError(f"{op}: {what}: axis {ax} is out of bounds for array of dimension {ndim}")
        out.append(ax % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: repeated axis in {what} {_short(axis)}")
    return out


def squeeze(a, axis=None):
    a = to_array(a, "squeeze")
    if axis is None:
        axes = [i for i, d in enumerate(a.shape) if d == 1]
    else:
        axes = _axes_in(axis, a.ndim, "squeeze")
        for ax in axes:
            if a.shape[ax] != 1:
                raise ValueError(f"squeeze: cannot select an axis to squeeze out which has size not equal to one "
                                 f"(axis {ax} of shape {a.shape})")
    return a[tuple(0 if i in axes else slice(None) for i in range(a.ndim))]


def expand_dims(a, axis):
    a = to_array(a, "expand_dims")
    if axis is None:
        raise TypeError("expand_dims: axis must be an integer or a tuple of integers, got None")
    nd = a.ndim + len(normalize_axes(axis, "expand_dims"))
    norm = _axes_in(axis, nd, "expand_dims")
    return a[tuple(None if i in norm else slice(None) for i in range(nd))]


def swapaxes(a, axis1, axis2):
    a = to_array(a, "swapaxes")
    perm = list(range(a.ndim))
    i, = _axes_in(_single_axis(axis1, "swapaxes", "axis1"), a.ndim, "swapaxes", "axis1")
    j, = _axes_in(_single_axis(axis2, "swapaxes", "axis2"), a.ndim, "swapaxes", "axis2")
    perm[i], perm[j] = perm[j], perm[i]
    return a.transpose(perm)


def _single_axis(ax, op, what):
    if isinstance(ax, (tuple, list)):
        raise TypeError(f"{op}: {what} must be an integer, got {_short(ax)}")
    return ax


def moveaxis(a, source, destination):
    a = to_array(a, "moveaxis")
    src = _axes_in(source, a.ndim, "moveaxis", "source")
    dst = _axes_in(destination, a.ndim, "moveaxis", "destination")
    if len(src) != len(dst):
        raise ValueError("moveaxis: `source` and `destination` arguments must have the same number of elements, "
                         f"got {_short(source)} and {_short(destination)}")
    order = [n for n in range(a.ndim) if n not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return a.transpose(order)


def shape(a):
    return to_array(a, "shape").shape if not isinstance(a, Array) else a.shape


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


def _resolved(arrays, scheduler, num_workers, optimize_graph):
    """The arrays with unknown sizes made known (phase 1 of tessera._unknown)."""
    from ._unknown import UnknownArray, resolve_all

    if not any(isinstance(a, UnknownArray) for a in arrays):
        return arrays
    return resolve_all(arrays, dict(scheduler=scheduler, num_workers=num_workers, optimize_graph=optimize_graph))


def compute(*args, traverse=True, optimize_graph=True, scheduler=None, get=None, num_workers=None, _progress=None,
            **kwargs):
    """Computes several arrays at once, doing shared work once; returns a tuple with each
    tessera array replaced by its NumPy result (other arguments are returned as they are)."""
    from ._run import run

    arrays = _collect(args, traverse)
    unique = list({id(a): a for a in arrays}.values())
    results = {}
    if unique:
        values = run([c._c for c in _resolved(unique, scheduler, num_workers, optimize_graph)], scheduler,
                     num_workers, optimize_graph, _progress, **kwargs)
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
        values = run([c._c for c in _resolved(unique, scheduler, num_workers, optimize_graph)], scheduler,
                     num_workers, optimize_graph, None, persist=True, **kwargs)
        for a, v in zip(unique, values):
            results[id(a)] = Array(v)
    return tuple(_rebuild(a, results, 0, traverse) for a in args)


def visualize(*args, filename="mydask", format=None, optimize_graph=False, **kwargs):
    """Writes a picture of the task graph of the arrays (see ``Array.visualize``)."""
    arrays = _collect(args, True)
    return visualize_arrays([a._c for a in arrays], filename, format, optimize_graph, kwargs.get("rankdir", "BT"),
                            kwargs.get("color"))


def visualize_arrays(core_arrays, filename, format, optimize_graph, rankdir, color):
    """Checks ``visualize``'s arguments and writes the picture; returns the path."""
    import os

    try:
        filename = os.fspath(filename)
    except TypeError:
        raise TypeError(f"visualize: filename must be a string or a path, got {_short(filename)}") from None
    if not isinstance(filename, str) or not filename:
        raise ValueError(f"visualize: filename must be a non-empty path, got {filename!r}")
    if format is not None and not isinstance(format, str):
        raise TypeError(f"visualize: format must be a string such as 'png', got {_short(format)}")
    if not isinstance(rankdir, str) or rankdir.upper() not in ("TB", "BT", "LR", "RL"):
        raise ValueError(f"visualize: rankdir must be one of 'TB', 'BT', 'LR', 'RL', got {_short(rankdir)}")
    if color is not None and color != "order":
        raise ValueError(f"visualize: color must be None or 'order' (tessera colours by execution order only), "
                         f"got {_short(color)}")
    return _core.visualize(core_arrays, filename=filename, format=format, optimize_graph=bool(optimize_graph),
                           rankdir=rankdir, color=color)
