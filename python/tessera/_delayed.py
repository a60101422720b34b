"""``from_delayed`` and ``Array.to_delayed``: passing arrays to and from ``dask.delayed``
(Dask is an optional dependency, imported only here).

``from_delayed(value, shape, dtype=)`` is an array of one block whose task computes the
delayed value (with Dask's default scheduler) when the array is computed.

``x.to_delayed()`` is a NumPy object array (``x.numblocks`` in shape) of ``Delayed``
values, one per block, as Dask's. They share one ``Delayed`` that persists `x` in tessera
(every block in one parallel compute, kept in memory or spilled under the memory limit):
computing them together does the work once; computing one of them computes all of `x`.
"""

from __future__ import annotations

import functools
import itertools
import numbers
import uuid

import numpy as np

from ._array import Array, dtype_name
from ._blockwise import _build

__all__ = ["from_delayed", "to_delayed"]


def _need_dask(op):
    try:
        import dask  # noqa: F401
        import dask.delayed  # noqa: F401
    except ImportError:
        raise ImportError(
            f"{op} needs Dask, which is not installed: `pip install dask` (tessera itself does not need it)"
        ) from None


def from_delayed(value, shape, dtype=None, meta=None, name=None):
    """An array of one block holding a ``dask.delayed`` value, as
    ``dask.array.from_delayed``::

        value = dask.delayed(np.ones)(5)
        x = tessera.from_delayed(value, (5,), dtype=float)

    The value is computed when the array is, and must have `shape` (it is cast to the dtype,
    which ``dtype=`` or ``meta=`` gives)."""
    op = "from_delayed"
    _need_dask(op)
    from dask.delayed import Delayed, delayed

    if not isinstance(value, Delayed) and hasattr(value, "key"):
        value = delayed(value)
    if not isinstance(value, Delayed):
        raise TypeError(f"{op}: `value` must be a dask.delayed.Delayed (or a Dask future), not {type(value).__name__}")
    if isinstance(shape, numbers.Integral) and not isinstance(shape, bool):
        shape = (shape,)
    try:
        shape = tuple(shape)
    except TypeError:
        raise TypeError(f"{op}: `shape` must be a tuple of integers, got {shape!r}") from None
    if any(isinstance(s, bool) or not isinstance(s, numbers.Integral) or s < 0 for s in shape):
        raise ValueError(f"{op}: `shape` must be a tuple of non-negative integers, got {shape!r}")
    shape = tuple(int(s) for s in shape)
    if dtype is None:
        if meta is None:
            raise ValueError(f"{op}: You must specify the meta or dtype of the array")
        dtype = getattr(meta, "dtype", None)
        if dtype is None:
            dtype = np.asarray(meta).dtype
    dt = np.dtype(dtype_name(dtype, op))
    labels = tuple(range(len(shape)))

    def compute_value():
        return value.compute()

    compute_value.__name__ = name or "from-value"
    return _build(compute_value, labels, [], name=name or "from-value", dtype=dt,
                  new_axes=dict(zip(labels, shape)), adjust_chunks=None, concatenate=True, align=False, op=op,
                  kwargs={})


def _persist(x, optimize_graph):
    return x.persist(optimize_graph=optimize_graph)


def _block(slices, persisted):
    return persisted[slices].compute()


def to_delayed(x, optimize_graph=True):
    """`x`'s blocks as ``dask.delayed`` values: a NumPy object array shaped like
    ``x.numblocks`` (see the module documentation)."""
    op = "to_delayed"
    if not isinstance(x, Array):
        raise TypeError(f"{op}: expected a tessera array, got {type(x).__name__}")
    _need_dask(op)
    from dask.delayed import Delayed
    from dask.highlevelgraph import HighLevelGraph

    name = f"{x.name}-{uuid.uuid4().hex[:12]}"
    whole = (f"persist-{name}",)
    dsk = {whole: (functools.partial(_persist, x, bool(optimize_graph)),)}
    starts = []
    for c in x.chunks:
        s = [0]
        for n in c:
            s.append(s[-1] + n)
        starts.append(s)
    out = np.empty(x.numblocks, dtype=object)
    keys = []
    for idx in itertools.product(*(range(len(c)) for c in x.chunks)):
        slices = tuple(slice(s[i], s[i + 1]) for s, i in zip(starts, idx))
        key = (name,) + idx
        dsk[key] = (functools.partial(_block, slices), whole)
        keys.append((idx, key))
    graph = HighLevelGraph.from_collections(name, dsk, dependencies=())
    for idx, key in keys:
        out[idx] = Delayed(key, graph, layer=name)
    return out
