"""Products and contractions, as in ``dask.array``: ``matmul`` (and ``@``), ``dot``,
``vdot``, ``inner``, ``outer``, ``tensordot``, ``einsum``, ``vecdot``,
``matrix_transpose`` (``.mT``); ``diagonal``/``trace`` are _layout's views.

Each task multiplies one block of each operand (a GEMM on faer, sequential inside the task
so the bits never depend on the thread count) into a partial product of one output block;
the partial products are added in the fixed tree of a ``sum``. Memory stays a few output
blocks per worker, never the operands concatenated along the contracted axis."""

from __future__ import annotations

import itertools
import numbers

import numpy as np

from . import _core
from ._array import Array, _wrap, dtype_name, to_array
from ._numpy_api import implements, implements_ufunc

__all__ = ["matmul", "dot", "vdot", "inner", "outer", "tensordot", "einsum", "vecdot",
           "matrix_transpose"]


def _two(a, b, op):
    return to_array(a, op), to_array(b, op)


def _by_parts(product, arrays, conj=()):
    """A product that is linear in each operand, of complex operands: the GEMM kernels are
    real, so each complex operand is split into its real and imaginary parts and the real
    products are combined (``i**k`` for ``k`` imaginary parts). ``conj``: the positions of
    operands taken conjugated (``vdot``, ``vecdot``)."""
    kinds = [np.dtype(a.dtype).kind == "c" for a in arrays]
    if not any(kinds):
        return product(*arrays)
    dt = np.result_type(*[a.dtype for a in arrays])
    re = im = None
    for pick in itertools.product(*[(0, 1) if c else (0,) for c in kinds]):
        parts = [a if not c else a.real if k == 0 else (-a.imag if i in conj else a.imag)
                 for i, (a, c, k) in enumerate(zip(arrays, kinds, pick))]
        t = product(*parts)
        q = sum(pick) % 4
        t = -t if q >= 2 else t
        if q % 2 == 0:
            re = t if re is None else re + t
        else:
            im = t if im is None else im + t
    out = re.astype(dt)
    return out if im is None else out + im.astype(dt.type(0).real.dtype) * dt.type(1j)


@implements_ufunc("matmul")
@implements("matmul")
def matmul(a, b):
    """``a @ b`` with NumPy's rules (stacks of matrices broadcast; 1-d operands are
    vectors). The contracted axis may be chunked any way: both operands are rechunked to
    common chunks along it."""
    a, b = _two(a, b, "matmul")
    return _by_parts(lambda a, b: _wrap(_core.product("matmul", a._c, b._c)), [a, b])


def _product(name, doc):
    """One of NumPy's two-operand products, registered for ``np.<name>``."""

    def f(a, b):
        a, b = _two(a, b, name)
        return _by_parts(lambda a, b: _wrap(_core.product(name, a._c, b._c)), [a, b], (0,) if name == "vdot" else ())

    f.__name__ = f.__qualname__ = name
    f.__doc__ = doc
    return implements(name)(f)


dot = _product("dot", """``numpy.dot``: the sum product over the last axis of `a` and the second-to-last of
    `b`; 0-d operands multiply.""")
vdot = _product("vdot", "``numpy.vdot``: the dot product of the flattened arrays, the first conjugated.")
inner = _product("inner", "``numpy.inner``: the sum product over the last axes.")
outer = _product("outer", "``numpy.outer``: every product of the flattened arrays.")


def _int(v, op, what):
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Integral):
        raise TypeError(f"{op}: {what} must be integers, got {v!r}")
    return int(v)


@implements("tensordot")
def tensordot(lhs, rhs, axes=2):
    """``numpy.tensordot``: `axes` is a count N (the last N axes of `lhs` with the first N
    of `rhs`) or a pair of axis sequences."""
    op = "tensordot"
    lhs, rhs = _two(lhs, rhs, op)
    if isinstance(axes, numbers.Integral) and not isinstance(axes, (bool, np.bool_)):
        n = int(axes)
        if n < 0 or n > lhs.ndim or n > rhs.ndim:
            raise ValueError(f"{op}: axes={n} does not fit operands of shapes {lhs.shape} and {rhs.shape}")
        left, right = list(range(lhs.ndim - n, lhs.ndim)), list(range(n))
    else:
        try:
            left, right = axes
        except (TypeError, ValueError):
            raise TypeError(f"{op}: axes must be an integer or a pair of axis sequences, got {axes!r}") from None
        left = [left] if isinstance(left, numbers.Integral) else list(left)
        right = [right] if isinstance(right, numbers.Integral) else list(right)
        left = [_int(x, op, "axes") for x in left]
        right = [_int(x, op, "axes") for x in right]
    return _by_parts(lambda a, b: _wrap(_core.tensordot(a._c, b._c, left, right)), [lhs, rhs])


@implements_ufunc("vecdot")
@implements("vecdot")
def vecdot(x1, x2, /, *, axis=-1):
    """``numpy.vecdot`` (Array API): the sum product along `axis` (``x1`` conjugated),
    other axes broadcast."""
    x1, x2 = _two(x1, x2, "vecdot")
    axis = _int(axis, "vecdot", "axis")
    return _by_parts(lambda a, b: _wrap(_core.vecdot(a._c, b._c, axis)), [x1, x2], (0,))


@implements("matrix_transpose")
def matrix_transpose(x, /):
    """The last two axes swapped (Array API ``matrix_transpose``, NumPy's ``.mT``)."""
    x = to_array(x, "matrix_transpose")
    if x.ndim < 2:
        raise ValueError(f"matrix_transpose: needs an array of at least 2 dimensions, got shape {x.shape}")
    return x.swapaxes(-1, -2)


def _letters(sub, op):
    out = []
    for s in sub:
        if s is Ellipsis:
            out.append("...")
        else:
            s = _int(s, op, "sublist entries")
            if not 0 <= s < 52:
                raise ValueError(f"{op}: sublist entries must be in [0, 52), got {s}")
            out.append("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"[s])
    return "".join(out)


def _einsum_input(operands, op):
    """(subscripts, arrays) from NumPy's two calling forms: a subscripts string, or
    operands interleaved with sublists."""
    if not operands:
        raise TypeError(f"{op}: no subscripts or operands given")
    if isinstance(operands[0], str):
        return operands[0], [to_array(x, op) for x in operands[1:]]
    ops = list(operands)
    out = None
    if len(ops) % 2 == 1:
        out = ops.pop()
    arrays, subs = ops[0::2], ops[1::2]
    s = ",".join(_letters(x, op) for x in subs)
    if out is not None:
        s += "->" + _letters(out, op)
    return s, [to_array(x, op) for x in arrays]


def _path(subscripts, arrays, optimize, op):
    """The contraction order: None (left to right) unless `optimize` asks NumPy's
    ``einsum_path`` (on zero-strided stand-ins of the operands' shapes: no data)."""
    if isinstance(optimize, (list, tuple)):
        steps = list(optimize)
        if steps and steps[0] == "einsum_path":
            steps = steps[1:]
        return [[int(i) for i in s] for s in steps]
    if not optimize or len(arrays) < 3:
        return None
    stand_ins = [np.lib.stride_tricks.as_strided(np.zeros(1, dtype=a.dtype), shape=a.shape, strides=(0,) * a.ndim)
                 for a in arrays]
    try:
        path, _ = np.einsum_path(subscripts, *stand_ins, optimize=optimize)
    except ValueError as e:
        raise ValueError(f"{op}: {e} (subscripts {subscripts!r}, shapes {[a.shape for a in arrays]})") from None
    return [list(s) for s in path[1:]]


@implements("einsum")
def einsum(*operands, dtype=None, optimize=False, split_every=None, **kwargs):
    """``numpy.einsum`` on chunked arrays (Dask's signature): any subscripts, implicit or
    explicit output, ``...``, repeated labels (diagonals), sublist form. Operands are
    contracted two at a time, in the order ``numpy.einsum_path`` chooses when `optimize`
    is true or a path, else left to right. ``casting`` and ``order`` are accepted as in
    NumPy (``order`` has no effect on a chunked result)."""
    op = "einsum"
    casting = kwargs.pop("casting", "safe")
    kwargs.pop("order", None)
    if kwargs:
        raise TypeError(f"{op}: unexpected keyword arguments {sorted(kwargs)}")
    if split_every is not None:
        split_every = _int(split_every, op, "split_every")
    subscripts, arrays = _einsum_input(operands, op)
    dt = None
    if dtype is not None:
        dt = dtype_name(dtype, op)
        common = np.result_type(*[a.dtype for a in arrays]) if arrays else None
        if common is not None and not np.can_cast(common, dt, casting=casting):
            raise TypeError(f"{op}: cannot cast the operands' dtype {common} to dtype={np.dtype(dt)} under casting={casting!r}")
    path = _path(subscripts, arrays, optimize, op)
    if any(np.dtype(a.dtype).kind == "c" for a in arrays):
        r = _by_parts(lambda *xs: _wrap(_core.einsum(subscripts, [x._c for x in xs], path, None, split_every)), arrays)
        return r if dt is None else r.astype(dt)
    return _wrap(_core.einsum(subscripts, [a._c for a in arrays], path, dt, split_every))


def _matmul(self, other):
    if not isinstance(other, Array) and not hasattr(other, "__array__") and not isinstance(other, (list, tuple)):
        return NotImplemented
    return matmul(self, other)


def _rmatmul(self, other):
    if not hasattr(other, "__array__") and not isinstance(other, (list, tuple)):
        return NotImplemented
    return matmul(other, self)


# The operators and methods of Array that are products.
Array.__matmul__ = _matmul
Array.__rmatmul__ = _rmatmul
Array.dot = lambda self, b: dot(self, b)
Array.dot.__doc__ = dot.__doc__
Array.mT = property(matrix_transpose, doc=matrix_transpose.__doc__)
from ._layout import diagonal, trace  # noqa: E402  (join's views, shared with linalg)
Array.diagonal = lambda self, offset=0, axis1=0, axis2=1: diagonal(self, offset, axis1, axis2)
Array.trace = lambda self, offset=0, axis1=0, axis2=1, dtype=None: trace(self, offset, axis1, axis2, dtype)
