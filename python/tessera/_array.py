"""The tessera ``Array``: a lazy chunked array, shaped like ``dask.array.Array``.

An ``Array`` holds a handle to a node of the Rust expression graph; every operation builds
a new node (checking shapes, dtypes and chunks right away) and nothing runs until
``compute()``.
"""

from __future__ import annotations

import math
import numbers
import operator
import sys

import numpy as np

from . import _core, config
from ._chunks import to_core
from ._errors import DIAGNOSTICS_ISSUE, ScalarOverflowError
from ._repr import html_repr

__all__ = ["Array"]

_CoreArray = _core.CoreArray
_core_compute = _core.compute
from ._run import run as _run  # noqa: E402
_new = object.__new__

SUPPORTED_DTYPES = (
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float16", "float32", "float64", "complex64", "complex128",
)
_DTYPES = {name: np.dtype(name) for name in SUPPORTED_DTYPES}
_COMPARISONS = {"equal", "not_equal", "less", "less_equal", "greater", "greater_equal"}
# `s op x` is `x op' s`
_SWAPPED = {"equal": "equal", "not_equal": "not_equal", "less": "greater", "less_equal": "greater_equal",
            "greater": "less", "greater_equal": "less_equal"}


# Functions (array, key, result) -> result run after basic indexing; sources use one to
# read only the region a slice asks for (tessera._from_array).
_GETITEM_HOOKS: list = []


def _wrap(c) -> "Array":
    a = _new(Array)
    a._c = c
    return a


def dtype_name(dtype, op="astype") -> str:
    """The tessera name of a dtype-like (``float``, ``"f4"``, ``np.int8``...)."""
    try:
        d = np.dtype(dtype)
    except TypeError as e:
        raise TypeError(f"{op}: cannot interpret dtype={dtype!r} as a data type") from e
    name = d.name
    if name not in _DTYPES or d.byteorder not in "=|":
        if d.byteorder not in "=|" and d.newbyteorder("=").name in _DTYPES:
            return d.newbyteorder("=").name
        raise TypeError(
            f"{op}: tessera does not support dtype {d}; supported: {', '.join(SUPPORTED_DTYPES)}"
        )
    return name


def _python_scalar(v):
    """`v` as a plain Python scalar if it is one (or a subclass such as IntEnum), else None."""
    t = type(v)
    if t is int or t is float or t is bool or t is complex:
        return v
    if isinstance(v, np.generic):
        return None
    if isinstance(v, bool):
        return bool(v)
    if isinstance(v, numbers.Integral) and isinstance(v, int):
        return int(v)
    if isinstance(v, float):
        return float(v)
    if isinstance(v, complex):
        return complex(v)
    return None


def as_operand(v, op="from_array"):
    """A non-tessera operand as a tessera Array: NumPy arrays and NumPy scalars (strongly
    typed, unlike Python scalars) are wrapped without a copy. `None` if `v` is none of these.
    Errors (unsupported dtypes, masked or ragged arrays) name `op`."""
    if isinstance(v, Array):
        return v
    if isinstance(v, (np.ndarray, np.generic, list, tuple)):
        from ._creation import numpy_array

        return numpy_array(v, -1, op)
    return None


def to_array(v, op="asarray") -> "Array":
    """Any array-like or scalar as a tessera Array (Python scalars get NumPy's default
    dtypes: bool, int64, float64). Errors name `op`."""
    a = as_operand(v, op)
    if a is not None:
        return a
    s = _python_scalar(v)
    if s is not None or hasattr(v, "__array__"):
        from ._creation import numpy_array

        return numpy_array(v if s is None else s, -1, op)
    raise TypeError(f"{op}: tessera cannot make an array from an object of type {type(v).__name__} ({_short(v)})")


def _short(v) -> str:
    r = repr(v)
    return r if len(r) <= 60 else r[:57] + "..."


def _overflowed_comparison(op, x, s, reflected):
    """NumPy 2 compares arrays with Python integers outside their dtype's range exactly:
    the result is all True or all False."""
    if reflected:
        op = _SWAPPED[op]
    above = s > np.iinfo(_DTYPES[x._c.dtype]).max
    true = {"not_equal": True, "equal": False, "less": above, "less_equal": above,
            "greater": not above, "greater_equal": not above}[op]
    # isfinite / isnan of an integer array: all True / all False, with x's shape and chunks.
    return _wrap(x._c.unary("isfinite" if true else "isnan"))


def _constant(x, value) -> "Array":
    """An all-`value` bool array with x's shape and chunks."""
    return _wrap(_core.full(list(x._c.shape), bool(value), "bool", [list(c) for c in x._c.chunks]))


def _never_equal(other, from_operator) -> bool:
    """NumPy compares arrays with None and other plain objects elementwise (an object loop):
    never equal. Strings too, with `==` and `!=` (the functions raise). Objects with array
    protocols of their own are left to answer."""
    if other is None:
        return True
    if isinstance(other, (str, bytes)):
        return from_operator
    return not any(hasattr(other, a) for a in ("__array__", "__array_ufunc__", "__array_function__",
                                                 "__array_priority__", "__array_interface__"))


def scalar_op(op, x, s, reflected=False):
    try:
        return _wrap(x._c.binary_scalar(op, s, reflected))
    except ScalarOverflowError:
        # NumPy compares integer arrays (not bool ones) with any Python integer exactly
        if op in _COMPARISONS and type(s) is int and _DTYPES[x._c.dtype].kind in "iu":
            return _overflowed_comparison(op, x, s, reflected)
        raise


def binary(op, x, other, reflected=False, from_operator=False):
    """`x op other` (or `other op x` when `reflected`) for a tessera array `x`;
    NotImplemented for operands tessera does not take. `from_operator`: called for `==`/`!=`,
    which NumPy answers for any operand."""
    if type(other) is Array:
        if reflected:
            return _wrap(other._c.binary(op, x._c))
        return _wrap(x._c.binary(op, other._c))
    s = _python_scalar(other)
    if s is not None:
        return scalar_op(op, x, s, reflected)
    o = as_operand(other, op)
    if o is None:
        if op in ("equal", "not_equal") and _never_equal(other, from_operator):
            return _constant(x, op == "not_equal")
        if isinstance(other, (str, bytes)):
            raise TypeError(f"{op}: tessera does not support strings, got {_short(other)}")
        return NotImplemented
    if op == "power" and not reflected:
        _check_int_power(x, other)
    if reflected:
        return _wrap(o._c.binary(op, x._c))
    return _wrap(x._c.binary(op, o._c))


def _check_int_power(x, exponent):
    """NumPy refuses integers to negative integer powers. The values of a NumPy exponent are
    known when the expression is built; those of a lazy tessera exponent are not (README)."""
    if x._c.dtype.startswith(("float", "complex")):
        return
    e = np.asarray(exponent)
    if e.dtype.kind == "i" and e.size and e.min() < 0:
        raise ValueError(f"power: Integers to negative integer powers are not allowed (exponent {e.min()}); "
                         "use a float exponent")


def _make_binary(op):
    def method(self, other):
        t = type(other)
        if t is Array:
            return _wrap(self._c.binary(op, other._c))
        if t is int or t is float:
            return scalar_op(op, self, other)
        return binary(op, self, other, from_operator=True)

    method.__name__ = f"__{op}__"
    return method


def _make_rbinary(op):
    def method(self, other):
        t = type(other)
        if t is int or t is float:
            return scalar_op(op, self, other, True)
        return binary(op, self, other, reflected=True, from_operator=True)

    method.__name__ = f"__r{op}__"
    return method


def normalize_axes(axis, op):
    if axis is None:
        return None
    if isinstance(axis, (tuple, list)):
        return [_axis_int(a, op) for a in axis]
    return [_axis_int(axis, op)]


def _axis_int(a, op, overflow=OverflowError):
    """An axis as an int: integers, NumPy integers and 0-d integer arrays; a TypeError for
    bools, floats and others, `overflow` (NumPy's class, which depends on the function) for
    integers beyond 64 bits."""
    i = None
    if not isinstance(a, (bool, np.bool_)) and not (isinstance(a, np.ndarray) and a.dtype == bool):
        try:
            i = operator.index(a)
        except TypeError:
            pass
    if i is None:
        raise TypeError(f"{op}: axis must be an integer or a tuple of integers, got {_short(a)}")
    if not -(2**63) <= i < 2**63:
        raise overflow(f"{op}: axis {i} is out of the int64 range")
    return i


def _split_every(split_every, axes, ndim, op):
    """Dask's ``split_every`` (an int, or a dict ``{axis: fan-in}``) as the core's fan-in:
    at least 2 per combine, checked when the reduction is built."""
    if split_every is None:
        return None

    def fan_in(v, what):
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (numbers.Integral, np.integer)):
            raise TypeError(f"{op}: split_every{what} must be an integer, got {v!r}")
        if v < 1:
            raise ValueError(f"{op}: split_every{what} must be a positive integer, got {v!r}")
        return min(int(v), 2**62)

    if isinstance(split_every, dict):
        reduced = range(ndim) if axes is None else [a % max(ndim, 1) for a in axes]
        per_axis = {}
        for k, v in split_every.items():
            k = _axis_int(k, f"{op}: split_every")
            if not -ndim <= k < ndim:
                raise ValueError(f"{op}: split_every has axis {k}, out of range for an array of {ndim} dimensions")
            per_axis[k % max(ndim, 1)] = fan_in(v, f"[{k}]")
        n = 1
        for a in reduced:
            n = min(n * per_axis.get(a, 1), 2**62)
        return max(n, 2)
    n = fan_in(split_every, "")
    if n < 2:
        raise ValueError(f"{op}: split_every must be at least 2, got {split_every}")
    return n


def _keepdims(keepdims, op) -> bool:
    """NumPy's reductions take keepdims as an integer (bools and NumPy bools included)."""
    if isinstance(keepdims, (bool, np.bool_, numbers.Integral, np.integer)):
        return bool(keepdims)
    raise TypeError(f"{op}: keepdims must be a bool, got {_short(keepdims)}")


def _ddof(ddof, op):
    """ddof as NumPy takes it: any real number (NumPy divides by max(count - ddof, 0)).
    Returns (int for the core, or None), (the float, for the other cases)."""
    if not isinstance(ddof, (numbers.Real, np.number, np.bool_)) or isinstance(ddof, (complex, np.complexfloating)):
        raise TypeError(f"{op}: ddof must be a number, got {_short(ddof)}")
    if isinstance(ddof, (numbers.Integral, np.integer)):
        d = int(ddof)
        if not -(2**63) <= d < 2**63:
            raise OverflowError(f"{op}: ddof={d} is out of the int64 range")
        # any ddof >= the count gives the same result as 2**32 - 1
        return (min(d, 2**32 - 1), None) if d >= 0 else (None, float(d))
    d = float(ddof)
    if d.is_integer() and 0 <= d:
        return min(int(d), 2**32 - 1), None
    return None, d


def into_out(op, result, out):
    """``out=`` as Dask's ``handle_out``: `out` (a tessera array, or a 1-tuple of one) becomes
    the result, which must have its shape; its dtype is kept if NumPy's same_kind rule casts
    the result to it. The array object is rebound, as ``__setitem__`` does: nothing is
    computed. NumPy arrays as `out` are refused (they cannot hold a lazy result)."""
    if isinstance(out, tuple):
        if len(out) != 1:
            raise ValueError(f"{op}: out= must be one array, got a tuple of {len(out)}")
        out = out[0]
    if out is None:
        return result
    if not isinstance(out, Array):
        raise NotImplementedError(f"{op}: out= must be a tessera array (a lazy result cannot be written into "
                                  f"{type(out).__name__}); got {_short(out)}")
    if out.shape != result.shape:
        raise ValueError(f"{op}: mismatched shapes between result and out parameter: out={out.shape}, "
                         f"result={result.shape}")
    if out.dtype != result.dtype:
        if not np.can_cast(result.dtype, out.dtype, "same_kind"):
            raise TypeError(f"{op}: cannot cast the result from dtype {result.dtype} to out's dtype {out.dtype} "
                            "with casting rule 'same_kind'")
        result = result.astype(out.dtype)
    out._c = result._c
    forget_name(out)
    return out


def forget_name(x):
    """Drops a ``name=`` given at creation: a rebound array has a new expression, so its own token."""
    try:
        del x._name
    except AttributeError:
        pass


def reduce(x, op, axis=None, keepdims=False, split_every=None, dtype=None, ddof=0, out=None):
    if out is not None:
        return into_out(op, reduce(x, op, axis, keepdims, split_every, dtype, ddof), out)
    axes = normalize_axes(axis, op)
    keepdims = _keepdims(keepdims, op)
    if op in ("nanvar", "nanstd") and x.dtype.kind not in "fc":
        # NumPy: an array without NaN (integers, bools) gets var/std, which divide by zero
        # where nanvar would give NaN
        op = op[3:]
    c = x._c
    name = None
    if dtype is not None:
        name = dtype_name(dtype, op)
        c = c.astype(name)
    core_ddof, other_ddof = _ddof(ddof, op) if op in ("var", "std", "nanvar", "nanstd") else (0, None)
    se = _split_every(split_every, axes, x.ndim, op)
    if (c.dtype == "float16" or c.dtype.startswith("complex")) and op in ("nanmean", "nanvar", "nanstd"):
        r = _composed_nan_moments(c, op, axes, keepdims, se, core_ddof if other_ddof is None else other_ddof)
    elif other_ddof is not None and op.startswith("nan"):
        r = _scaled_nanvar(c, op, axes, keepdims, se, other_ddof)
    elif other_ddof is not None:
        r = _scaled_var(c, op, axes, keepdims, se, other_ddof)
    else:
        r = c.reduce(op, axes, keepdims, se, core_ddof)
    if name is not None and r.dtype != name:
        r = r.astype(name)
    if op in _NAN_WARNINGS and x.dtype.kind in "fc":
        from ._blockwise import map_blocks

        return map_blocks(_warn_nan, _wrap(r), _NAN_WARNINGS[op], dtype=r.dtype, name=f"{op}-check")
    return _wrap(r)


# NumPy's warnings for the nan-reductions' NaN results (all-NaN slices; for nanvar/nanstd
# also count <= ddof), given when the result is computed, as NumPy's. A NaN made of
# infinities (inf - inf) warns too, where NumPy warns "invalid value encountered".
_NAN_WARNINGS = {"nanmin": "All-NaN slice encountered", "nanmax": "All-NaN slice encountered",
                 "nanmean": "Mean of empty slice", "nanvar": "Degrees of freedom <= 0 for slice.",
                 "nanstd": "Degrees of freedom <= 0 for slice."}


def _warn_nan(b, text):
    if np.isnan(b).any():
        import warnings

        warnings.warn(text, RuntimeWarning, stacklevel=2)
    return b


def _scaled_var(c, op, axes, keepdims, split_every, ddof):
    """var/std with a ddof the core does not take (negative or fractional): the ddof=0
    variance times n / max(n - ddof, 0), n being the count of reduced elements (known from
    the shape), as NumPy's division by max(n - ddof, 0)."""
    v = c.reduce("var", axes, keepdims, split_every, 0)
    reduced = range(c.ndim) if axes is None else {a % max(c.ndim, 1) for a in axes}
    n = 1
    for a in reduced:
        n *= c.shape[a]
    denom = max(n - ddof, 0.0) if not math.isnan(ddof) else math.nan
    if n == 0:
        # NumPy: a sum of no squares (0) over max(-ddof, 0)
        v = _core.full(list(v.shape), 0.0 if denom > 0 else math.nan, v.dtype, [list(b) for b in v.chunks])
    else:
        v = v.binary_scalar("multiply", n / denom if denom != 0 else math.inf)
    return v.unary("sqrt") if op == "std" else v


def _composed_nan_moments(c, op, axes, keepdims, split_every, ddof):
    """nanmean/nanvar/nanstd of float16 and complex as NumPy computes them: the NaNs
    replaced by 0, the sum over the count rounded to the input's dtype (float16 overflows
    there: unlike mean/var, NumPy's nan-functions stay in float16), then the squared
    deviations (|x - mean|^2 for complex) in that dtype, summed, over the count - ddof."""
    dt = c.dtype
    isnan = c.unary("isnan")
    zeros = _core.full(list(c.shape), 0, dt, [list(b) for b in c.chunks])
    arr = _core.where(isnan, zeros, c)
    valid = isnan.unary("logical_not")

    def mean(keep):
        # the division is NumPy's true_divide(total, count, out=total): rounded to `dt`
        cnt = valid.reduce("sum", axes, keep, split_every, 0)
        return arr.reduce("sum", axes, keep, split_every, 0).binary("divide", cnt).astype(dt)

    if op == "nanmean":
        return mean(keepdims)
    dev = _core.where(isnan, zeros, arr.binary("subtract", mean(True)))
    sq = dev.binary("multiply", dev.unary("conjugate")).unary("real") if dt.startswith("complex") else dev.binary("multiply", dev)
    ssq = sq.reduce("sum", axes, keepdims, split_every, 0)
    dof = valid.reduce("sum", axes, keepdims, split_every, 0).astype("float64").binary_scalar("subtract", float(ddof), False)
    var = ssq.binary("divide", dof).astype(ssq.dtype)
    nans = _core.full(list(var.shape), math.nan, var.dtype, [list(b) for b in var.chunks])
    var = _core.where(dof.binary_scalar("greater", 0.0, False), var, nans)
    return var.unary("sqrt") if op == "nanstd" else var


def _scaled_nanvar(c, op, axes, keepdims, split_every, ddof):
    """nanvar/nanstd with a negative or fractional ddof: the ddof=0 variance times
    n / (n - ddof), n being each cell's count of values that are not NaN; NaN where
    n - ddof <= 0, as NumPy's nanvar."""
    v = c.reduce("nanvar", axes, keepdims, split_every, 0)
    n = c.unary("isnan").unary("logical_not").reduce("sum", axes, keepdims, split_every, 0).astype("float64")
    dof = n.binary_scalar("subtract", ddof, False)
    scale = n.binary("divide", dof)
    scale = _core.where(dof.binary_scalar("greater", 0.0, False), scale, _core.full(list(scale.shape), math.nan, "float64", [list(b) for b in scale.chunks]))
    # A cell without values has no squares (0), NaN only where n - ddof <= 0.
    zeros = _core.full(list(v.shape), 0.0, "float64", [list(b) for b in v.chunks])
    v = _core.where(n.binary_scalar("greater", 0.0, False), v.astype("float64"), zeros)
    r = v.binary("multiply", scale).astype(c.reduce("nanvar", axes, keepdims, split_every, 0).dtype)
    return r.unary("sqrt") if op == "nanstd" else r


def arg_reduce(x, op, axis=None, keepdims=False, split_every=None, out=None):
    if out is not None:
        return into_out(op, arg_reduce(x, op, axis, keepdims, split_every), out)
    if isinstance(axis, (tuple, list)):
        raise TypeError(f"{op}: axis must be None or an integer, got {_short(axis)}")
    axes = None if axis is None else [_axis_int(axis, op)]
    return _wrap(x._c.reduce(op, axes, bool(keepdims), _split_every(split_every, axes, x.ndim, op), 0))


def _validate_index(key):
    """Checks an index expression; tessera supports basic indexing only."""
    for k in key:
        if k is None or k is Ellipsis:
            continue
        t = type(k)
        if t is int or t is slice:
            continue
        if isinstance(k, (bool, np.bool_)):
            raise NotImplementedError("getitem: boolean scalar indices are not supported by tessera (basic indexing only)")
        if isinstance(k, Array):
            raise NotImplementedError(
                "getitem: indexing with a tessera array (a boolean mask or integer array) is not supported; "
                "tessera supports basic indexing: integers, slices, None and Ellipsis"
            )
        if isinstance(k, np.ndarray):
            if k.ndim == 0 and k.dtype.kind in "iu":
                continue
            raise NotImplementedError(
                f"getitem: indexing with a NumPy array ({'boolean mask' if k.dtype == bool else 'integer array'}) is not supported; "
                "tessera supports basic indexing: integers, slices, None and Ellipsis"
            )
        if isinstance(k, (list, tuple)):
            raise NotImplementedError(
                "getitem: fancy indexing with lists is not supported; tessera supports basic indexing: "
                "integers, slices, None and Ellipsis"
            )
        if hasattr(k, "__index__"):
            continue
        raise IndexError(
            "getitem: only integers, slices (`:`), ellipsis (`...`) and None (`numpy.newaxis`) are valid indices, "
            f"got {type(k).__name__} {_short(k)}"
        )


class Array:
    """A lazy, chunked N-d array. Build it with ``from_array``, ``zeros``, ``arange``,
    ``tessera.random``...; combine with operators and functions; ``compute()`` runs it and
    returns a NumPy array."""

    # _name: a name given with name= (tessera._dask_protocol), unset otherwise
    __slots__ = ("_c", "_name", "__weakref__")
    __array_priority__ = 11

    def __new__(cls, core=None):
        if not isinstance(core, _CoreArray):
            raise TypeError(
                "tessera.Array is not built directly; use tessera.from_array, tessera.asarray, tessera.zeros, ..."
            )
        a = _new(cls)
        a._c = core
        return a

    # -- metadata -----------------------------------------------------------------------
    @property
    def shape(self):
        return self._c.shape

    @property
    def dtype(self):
        return _DTYPES[self._c.dtype]

    @property
    def chunks(self):
        return self._c.chunks

    @property
    def numblocks(self):
        return self._c.numblocks

    @property
    def npartitions(self):
        return self._c.npartitions

    @property
    def chunksize(self):
        return self._c.chunksize

    @property
    def ndim(self):
        return self._c.ndim

    @property
    def size(self):
        return self._c.size

    @property
    def nbytes(self):
        return self._c.nbytes

    @property
    def itemsize(self):
        return self._c.itemsize

    @property
    def name(self):
        """A deterministic token of the expression, as Dask's (see ``tessera._dask_protocol``)."""
        from ._dask_protocol import name_of

        return name_of(self)

    @property
    def T(self):
        return _wrap(self._c.transpose(None))

    @property
    def _meta(self):
        return np.empty((0,) * self.ndim, dtype=self.dtype)

    def __len__(self):
        if self._c.ndim == 0:
            raise TypeError("len() of unsized object")
        return self._c.shape[0]

    def __iter__(self):
        if self._c.ndim == 0:
            raise TypeError("iteration over a 0-d array")
        for i in range(self._c.shape[0]):
            yield _wrap(self._c.getitem((i,)))

    # -- reprs ---------------------------------------------------------------------------
    def __repr__(self):
        c = self._c
        return (
            f"tessera.array<{c.op_name}, shape={c.shape}, dtype={c.dtype}, chunksize={c.chunksize}, "
            "chunktype=numpy.ndarray>"
        )

    __str__ = __repr__

    def _repr_html_(self):
        return html_repr(self)

    def explain(self) -> str:
        """The optimized expression and the plan of stages and tasks ``compute`` would run."""
        return self._c.explain()

    # -- computing -----------------------------------------------------------------------
    def compute(self, scheduler=None, num_workers=None, optimize_graph=True, _progress=None, **kwargs):
        """Computes the array: a NumPy array (a NumPy scalar for 0-d arrays).

        ``scheduler="sync"`` (or ``"synchronous"``, ``"single-threaded"``) runs on one
        thread; ``num_workers=N`` on N threads; defaults from ``tessera.config``. The GIL is
        released while computing, and Ctrl-C cancels the computation (KeyboardInterrupt).
        ``_progress``: a private hook, ``callback(done_tasks, total_tasks)`` called about
        every 100 ms (for progress bars)."""
        out = _run(((self._c,)), scheduler, num_workers, optimize_graph, _progress, **kwargs)
        return out[0] if out else None

    def persist(self, **kwargs):
        """Computes the array and keeps the result in memory, with the same chunks."""
        from ._creation import persist

        return persist(self, **kwargs)[0]

    def visualize(self, filename="mydask", format=None, optimize_graph=False, rankdir="BT", color=None, **kwargs):
        """Writes a picture of the chunk-level task graph, like Dask's (``mydask.png``):
        operations as circles, data as boxes. ``optimize_graph=True`` shows the fused tasks
        that run; ``color="order"`` colours by execution order; ``format`` png (default),
        svg, pdf or dot. Needs no Graphviz (uses ``dot`` when it is on PATH). Returns the
        path written."""
        from ._creation import visualize_arrays

        return visualize_arrays(self._c, filename, format, optimize_graph, rankdir, color)

    def __array__(self, dtype=None, copy=None):
        r = np.asarray(self.compute())
        if dtype is not None:
            r = r.astype(dtype, copy=False)
        return r

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        from ._numpy_api import array_ufunc

        return array_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        from ._numpy_api import array_function

        return array_function(func, types, args, kwargs)

    def __array_namespace__(self, *, api_version=None):
        return sys.modules["tessera"]

    def _scalar(self, cast, what):
        if self._c.size != 1:
            raise TypeError(f"only length-1 arrays can be converted to Python scalars (converting to {what})")
        return cast(np.asarray(self.compute()).item())

    def __bool__(self):
        if self._c.size != 1:
            raise ValueError(
                "The truth value of an array with more than one element (or none) is ambiguous. Use a.any() or a.all()"
            )
        return bool(np.asarray(self.compute()).item())

    def __float__(self):
        return self._scalar(float, "float")

    def __int__(self):
        return self._scalar(int, "int")

    def __complex__(self):
        return self._scalar(complex, "complex")

    def __index__(self):
        if self._c.dtype == "bool" or self._c.dtype.startswith("float"):
            raise TypeError("only integer scalar arrays can be converted to a scalar index")
        return self._scalar(int, "index")

    # -- indexing ------------------------------------------------------------------------
    def __getitem__(self, key):
        if type(key) is not tuple:
            key = (key,)
        if _fancy.is_fancy(key):
            if any(isinstance(k, Array) for k in key):
                from ._unknown import getitem

                return getitem(self, key)
            return _fancy.getitem(self, key)
        _validate_index(key)
        out = _wrap(self._c.getitem(key))
        for hook in _GETITEM_HOOKS:
            out = hook(self, key, out)
        return out

    @property
    def vindex(self):
        """Pointwise indexing with broadcast integer arrays (Dask's ``vindex``)."""
        return _fancy.VIndex(self)

    @property
    def blocks(self):
        """The array made of some blocks: ``x.blocks[0, 1:3]`` (Dask's ``blocks``)."""
        return _fancy.Blocks(self)

    partitions = blocks

    def nonzero(self):
        """Indices of the nonzero elements, one array per axis, of unknown length."""
        from ._unknown import nonzero

        return nonzero(self)

    def compute_chunk_sizes(self):
        """Makes unknown chunk sizes known (Dask's); an array with known sizes is returned as it is."""
        return self

    def __setitem__(self, key, value):
        """``x[key] = value`` rebinds ``x`` to a new lazy expression (see ``tessera._setitem``)."""
        from ._setitem import setitem

        setitem(self, key, value)

    # -- operators -----------------------------------------------------------------------
    __add__ = _make_binary("add")
    __radd__ = _make_rbinary("add")
    __sub__ = _make_binary("subtract")
    __rsub__ = _make_rbinary("subtract")
    __mul__ = _make_binary("multiply")
    __rmul__ = _make_rbinary("multiply")
    __truediv__ = _make_binary("true_divide")
    __rtruediv__ = _make_rbinary("true_divide")
    __floordiv__ = _make_binary("floor_divide")
    __rfloordiv__ = _make_rbinary("floor_divide")
    __mod__ = _make_binary("remainder")
    __rmod__ = _make_rbinary("remainder")
    __and__ = _make_binary("bitwise_and")
    __rand__ = _make_rbinary("bitwise_and")
    __or__ = _make_binary("bitwise_or")
    __ror__ = _make_rbinary("bitwise_or")
    __xor__ = _make_binary("bitwise_xor")
    __rxor__ = _make_rbinary("bitwise_xor")
    __eq__ = _make_binary("equal")
    __ne__ = _make_binary("not_equal")
    __lt__ = _make_binary("less")
    __le__ = _make_binary("less_equal")
    __gt__ = _make_binary("greater")
    __ge__ = _make_binary("greater_equal")
    # In-place operators build new arrays (tessera arrays are immutable): `x += 1` rebinds x.
    __iadd__ = __add__
    __isub__ = __sub__
    __imul__ = __mul__
    __itruediv__ = __truediv__
    __ifloordiv__ = __floordiv__
    __imod__ = __mod__
    __iand__ = __and__
    __ior__ = __or__
    __ixor__ = __xor__
    __hash__ = None

    _pow = _make_binary("power")
    _rpow = _make_rbinary("power")

    def __pow__(self, other, modulo=None):
        if modulo is not None:
            raise NotImplementedError("pow: three-argument pow is not supported")
        return self._pow(other)

    def __rpow__(self, other):
        return self._rpow(other)

    __ipow__ = __pow__

    def __divmod__(self, other):
        return self // other, self % other

    def __rdivmod__(self, other):
        return other // self, other % self

    def _unsupported_op(name):
        def method(self, *args):
            raise NotImplementedError(f"tessera does not implement the {name} operator yet")

        return method

    __lshift__ = __rlshift__ = __ilshift__ = _unsupported_op("left shift (<<)")
    __rshift__ = __rrshift__ = __irshift__ = _unsupported_op("right shift (>>)")
    del _unsupported_op

    def __neg__(self):
        return _wrap(self._c.unary("negative"))

    def __pos__(self):
        if self._c.dtype == "bool":
            raise TypeError("positive: the + operator is not supported for bool arrays")
        return self

    def __abs__(self):
        return _wrap(self._c.unary("absolute"))

    def __invert__(self):
        return _wrap(self._c.unary("invert"))

    # -- methods -------------------------------------------------------------------------
    def astype(self, dtype, casting="unsafe", copy=True, **kwargs):
        """A cast to ``dtype`` (NumPy's ``astype`` semantics: float to int truncates)."""
        name = dtype_name(dtype)
        if casting != "unsafe":
            if not isinstance(casting, str):
                raise TypeError(f"astype: casting must be a string, got {casting!r}")
            if casting not in ("no", "equiv", "safe", "same_kind"):
                raise ValueError(f"astype: casting must be one of 'no', 'equiv', 'safe', 'same_kind', or 'unsafe' "
                                 f"(got {casting!r})")
            src, dst = self.dtype, np.dtype(name)
            if not np.can_cast(src, dst, casting=casting):
                raise TypeError(f"astype: cannot cast array data from {src} to {dst} according to the rule {casting!r}")
        return _wrap(self._c.astype(name))

    def map_blocks(self, func, *args, **kwargs):
        """``tessera.map_blocks(func, self, *args, **kwargs)``."""
        from ._blockwise import map_blocks

        return map_blocks(func, self, *args, **kwargs)

    def to_delayed(self, optimize_graph=True):
        """The blocks as ``dask.delayed`` values (needs Dask; see ``tessera._delayed``)."""
        from ._delayed import to_delayed

        return to_delayed(self, optimize_graph)

    def to_dask_array(self):
        """A lazy Dask array over this one, block for block (``tessera.to_dask_array``)."""
        from ._dataframe import to_dask_array

        return to_dask_array(self)

    def to_dask_dataframe(self, columns=None, index=None, meta=None):
        """A Dask DataFrame over this 1-d or 2-d array, as Dask's ``Array.to_dask_dataframe``."""
        from ._dataframe import to_dask_dataframe

        return to_dask_dataframe(self, columns=columns, index=index, meta=meta)

    def map_overlap(self, func, depth, boundary=None, trim=True, **kwargs):
        """``tessera.map_overlap(func, self, depth=depth, boundary=boundary, trim=trim, **kwargs)``."""
        from .overlap import map_overlap

        return map_overlap(func, self, depth=depth, boundary=boundary, trim=trim, **kwargs)

    def rechunk(self, chunks="auto", threshold=None, block_size_limit=None, balance=False, method=None):
        """The same values in other chunks (any form Dask accepts; see ``tessera.from_array``).
        As in Dask, ``None`` for an axis, or an axis missing from a dict, keeps its chunks;
        ``block_size_limit`` (bytes) is what ``"auto"`` axes aim at instead of
        ``array.chunk-size``; ``balance=True`` evens the chunks out (Dask's rule: no small
        leftover chunk); ``method``: ``"tasks"`` (or the ``array.rechunk.method`` key), others
        are refused; ``threshold`` is checked and has nothing to bound: tessera's rechunk is one
        step, each output block reading the input blocks it overlaps, with no intermediate
        stages planned from a graph-growth factor."""
        nd = self._c.ndim
        if isinstance(chunks, dict):
            old = self._c.chunks
            spec = list(old)
            for k, v in chunks.items():
                k = _axis_int(k, "rechunk")
                if not -nd <= k < nd:
                    from numpy.exceptions import AxisError

                    raise AxisError(f"rechunk: axis {k} is out of bounds for array of dimension {nd}")
                spec[k % nd] = old[k % nd] if v is None else v
            chunks = tuple(spec)
        elif isinstance(chunks, (tuple, list)) and len(chunks) == nd and any(c is None for c in chunks):
            old = self._c.chunks
            chunks = tuple(old[i] if c is None else c for i, c in enumerate(chunks))
        from ._rechunk import rechunk_options

        limit = rechunk_options(threshold, block_size_limit, method)
        out = _wrap(self._c.rechunk(to_core(chunks, self._c.shape, self._c.itemsize, "rechunk", limit)))
        if balance:
            from ._rechunk import balance_chunks

            out = _wrap(self._c.rechunk([list(balance_chunks(c)) for c in out.chunks]))
        return out

    def reshape(self, *shape, merge_chunks=True, limit=None):
        """The same values in another shape (C order); one size may be -1 (NumPy takes any
        negative size as the unknown one)."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list, range, np.ndarray)):
            shape = shape[0]
        from ._creation import _is_index

        if not isinstance(shape, (tuple, list, range, np.ndarray)) or not all(_is_index(s) for s in shape):
            raise TypeError(f"reshape: the shape must be integers, got {_short(shape)}")
        shape = [operator.index(s) for s in shape]
        for s in shape:
            if not -(2**63) <= s < 2**63:
                raise ValueError(f"reshape: Maximum allowed dimension exceeded: shape {tuple(shape)} has a size {s} "
                                 "beyond the 64-bit range")
        if sum(s < 0 for s in shape) > 1:
            raise ValueError(f"reshape: can only specify one unknown dimension (a negative size), got shape {tuple(shape)}")
        return _wrap(self._c.reshape([-1 if s < 0 else s for s in shape]))

    def transpose(self, *axes):
        if len(axes) == 1 and (axes[0] is None or isinstance(axes[0], (tuple, list))):
            axes = axes[0]
        if axes is None or len(axes) == 0:
            return _wrap(self._c.transpose(None))
        from numpy.exceptions import AxisError

        return _wrap(self._c.transpose([_axis_int(a, "transpose", AxisError) for a in axes]))

    def swapaxes(self, axis1, axis2):
        from ._creation import swapaxes

        return swapaxes(self, axis1, axis2)

    def squeeze(self, axis=None):
        from ._creation import squeeze

        return squeeze(self, axis)

    def ravel(self):
        return _wrap(self._c.reshape([-1]))

    flatten = ravel

    def clip(self, min=None, max=None):
        from ._creation import clip

        return clip(self, min, max)

    def round(self, decimals=0):
        from ._creation import round

        return round(self, decimals)

    def copy(self):
        """A new array object over the same expression (nothing is copied): item assignments
        to either rebind only that one."""
        return _wrap(self._c)

    def __deepcopy__(self, memo):
        return _wrap(self._c)

    def __copy__(self):
        return _wrap(self._c)

    def __reduce__(self):
        raise TypeError("tessera arrays cannot be pickled yet; compute them first")


def _correction(ddof, correction, op):
    """The Array API's ``correction=`` is ``ddof`` (NumPy refuses both at once)."""
    if correction is None:
        return ddof
    if isinstance(ddof, (bool, np.bool_)) or not (isinstance(ddof, (numbers.Integral, np.integer)) and int(ddof) == 0):
        raise ValueError(f"{op}: ddof and correction can't be provided simultaneously (ddof={_short(ddof)}, correction={_short(correction)})")
    return correction


def _reduction(name, kw):
    """The method of reduction ``name`` of ``_core.REDUCTIONS``, whose keywords ``kw`` (beyond
    axis, keepdims, split_every and out) give its signature."""
    if "one_axis" in kw:
        def method(self, axis=None, *, keepdims=False, split_every=None, out=None):
            return arg_reduce(self, name, axis, keepdims, split_every, out)
    elif "ddof" in kw:
        def method(self, axis=None, dtype=None, keepdims=False, ddof=0, split_every=None, out=None, *, correction=None):
            ddof = _correction(ddof, correction, name)
            return reduce(self, name, axis, keepdims, split_every, dtype, ddof, out=out)
    elif "dtype" in kw:
        def method(self, axis=None, dtype=None, keepdims=False, split_every=None, out=None):
            return reduce(self, name, axis, keepdims, split_every, dtype, out=out)
    else:
        def method(self, axis=None, keepdims=False, split_every=None, out=None):
            return reduce(self, name, axis, keepdims, split_every, out=out)
    method.__name__ = name
    method.__qualname__ = f"Array.{name}"
    method.__doc__ = (f"``numpy.{name}`` over ``axis`` (all axes when None), lazily; ``split_every`` is the "
                      "fan-in of the reduction tree, as in Dask.")
    return method


# Every reduction of the core, by name; methods of Array where NumPy's ndarray has them.
REDUCTIONS = {name: _reduction(name, kw) for name, kw in _core.REDUCTIONS}
for _name, _method in REDUCTIONS.items():
    if hasattr(np.ndarray, _name):
        setattr(Array, _name, _method)


# Fancy indexing builds on Array (imported last: it imports this module).
from . import _fancy  # noqa: E402
