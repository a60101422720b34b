"""Dask parity for names and collections: ``.name`` as a deterministic token of the
expression, ``tokenize``, and the Dask collection protocol (``__dask_graph__`` and
friends), so that ``dask.compute(x)``, ``dask.persist(x)`` and ``dask.delayed`` arguments
accept tessera arrays.

To Dask a tessera array is a graph of one task, which runs the whole tessera computation
(tessera's own threads, fused and memory-bounded) and returns the NumPy result. The task
holds the expression in memory and is pickled by reference: a ``distributed.Client`` in
this process (``processes=False``) computes it; another process gets a ``TypeError`` naming
tessera and what to do instead (compute with tessera and pass the NumPy result).
"""

from __future__ import annotations

import hashlib
import itertools
import math
import os
import pickle
import threading
from collections.abc import Mapping

import numpy as np

from ._array import Array, _short


def name_of(x) -> str:
    """``x.name``: ``name=`` given to a creation function, else ``<operation>-<token>``,
    where the token is a hash of the whole expression (``tessera_core::token``): the same
    expression has the same name in every process; arrays of in-memory data hash the data.
    Arrays built with your functions (``map_blocks``...) or persisted are named uniquely
    within the process only."""
    given = getattr(x, "_name", None)
    if given is not None:
        return given
    return f"{x._c.op_name}-{x._c.token}"


def set_name(x, name, op, prefix=None):
    """Honours ``name=`` of a creation function: a string, or None/False for the token
    (after `prefix`, as Dask's ``zeros``... are named after themselves, when given)."""
    if name is None or name is False:
        if prefix is not None:
            x._name = f"{prefix}-{x._c.token}"
        return x
    if not isinstance(name, str):
        raise TypeError(f"{op}: name must be a string, got {_short(name)}")
    x._name = name
    return x


def _normalize(v):
    """Bytes for one argument of ``tokenize``: tessera arrays by their name, NumPy arrays by
    dtype, shape and data, containers element by element, other values by pickle (or repr)."""
    if isinstance(v, Array):
        return b"tessera:" + name_of(v).encode()
    if isinstance(v, np.ndarray):
        a = np.ascontiguousarray(v)
        return b"ndarray:" + str((a.dtype.str, a.shape)).encode() + (a.tobytes() if a.dtype != object else
                                                                     repr(a.tolist()).encode())
    if isinstance(v, (list, tuple)):
        return type(v).__name__.encode() + b"[" + b",".join(_normalize(e) for e in v) + b"]"
    if isinstance(v, dict):
        items = sorted(((repr(k), _normalize(e)) for k, e in v.items()), key=lambda t: t[0])
        return b"dict{" + b",".join(k.encode() + b":" + e for k, e in items) + b"}"
    try:
        return b"pickle:" + pickle.dumps(v, protocol=4)
    except Exception:  # noqa: BLE001 - unpicklable objects: their repr
        return b"repr:" + repr(v).encode()


def tokenize(*args, **kwargs) -> str:
    """A deterministic hex token of the arguments, like ``dask.base.tokenize``: equal
    arguments (tessera arrays of equal expressions, NumPy arrays of equal data) give equal
    tokens."""
    h = hashlib.md5(usedforsecurity=False)
    for a in args:
        h.update(_normalize(a))
        h.update(b"\x00")
    if kwargs:
        h.update(_normalize(kwargs))
    return h.hexdigest()


# Arrays whose task was pickled, until unpickled: a task travels by reference, so that a
# Client in this process (``processes=False``) gets the array back; another process finds no
# entry and raises. Each pickle adds one reference, each unpickle takes one.
_SENT: dict = {}
_sent_lock = threading.Lock()


def _cross_process_error(name):
    return TypeError(
        f"tessera array {name} cannot be sent to another process (a distributed Client with worker processes): "
        "its expression lives in the process that built it. Use Client(processes=False), compute it with tessera "
        "(x.compute(), tessera.compute(...)) and pass the NumPy result, or use tessera's own scheduler='mpi' for "
        "many nodes")


def _received(pid, key, name):
    with _sent_lock:
        entry = _SENT.get(key) if pid == os.getpid() else None
        if entry is None:
            raise _cross_process_error(name)
        array, count = entry
        if count > 1:
            _SENT[key] = (array, count - 1)
        else:
            del _SENT[key]
    return _Compute(array)


class _Compute:
    """The one task of a tessera array in a Dask graph: computes it with tessera."""

    __slots__ = ("array",)

    def __init__(self, array):
        self.array = array

    def __call__(self):
        return np.asarray(self.array.compute())

    def __reduce__(self):
        key = id(self.array)
        with _sent_lock:
            _, count = _SENT.get(key, (None, 0))
            _SENT[key] = (self.array, count + 1)
        return _received, (os.getpid(), key, name_of(self.array))


def _persisted(x) -> bool:
    """Persisted arrays hold their blocks, so Dask sees them as Dask's persisted arrays do:
    one graph entry per block, holding the block's NumPy data."""
    return x._c.op_name == "persisted"


def _block_keys(x):
    name = name_of(x)
    if x.ndim == 0:
        return [(name,)]

    def nest(prefix):
        if len(prefix) == x.ndim:
            return (name, *prefix)
        return [nest(prefix + (i,)) for i in range(len(x.chunks[len(prefix)]))]

    return nest(())


def _finalize(results):
    return results[0]


def _finalize_blocks(results):
    from dask.array.core import finalize

    return finalize(results)


class _Pending:
    """A persisted result still held by a distributed Client (a Future): read, as the source
    of a lazy ``from_array``, when the array is computed, so ``persist`` does not wait."""

    __slots__ = ("future", "shape", "dtype")

    def __init__(self, future, shape, dtype):
        self.future, self.shape, self.dtype = future, shape, dtype

    @property
    def ndim(self):
        return len(self.shape)

    def __getitem__(self, key):
        return np.asarray(self.future.result())[key]


def _rebuild(dsk, key, chunks, dtype=None, name=None, rename=None):
    from ._creation import from_array

    if rename:
        key = rename.get(key, key)
    v = dsk[key]
    if not isinstance(v, np.ndarray) and hasattr(v, "result") and dtype is not None:
        v = _Pending(v, tuple(sum(c) for c in chunks), np.dtype(dtype))
    out = from_array(v, chunks=chunks)
    return set_name(out, name, "persist") if name else out


def _rebuild_blocks(dsk, keys, chunks, name=None, rename=None):
    from ._creation import from_array

    def data(k):
        if isinstance(k, list):
            return [data(e) for e in k]
        return np.asarray(dsk[rename.get(k, k) if rename else k])

    blocks = data(keys)
    out = from_array(blocks[0] if not chunks else np.block(blocks), chunks=chunks)
    return set_name(out, name, "persist") if name else out


class _PersistedBlocks(Mapping):
    """A persisted array's blocks as graph entries ``(name, i, j, ...) -> ndarray``, each
    fetched when asked for (Dask's `assert_eq` reads them one by one)."""

    def __init__(self, x):
        self.x, self.name = x, name_of(x)

    def __getitem__(self, key):
        if not (isinstance(key, tuple) and key[:1] == (self.name,) and len(key) == self.x.ndim + 1
                and all(isinstance(i, int) and 0 <= i < len(c) for i, c in zip(key[1:], self.x.chunks))):
            raise KeyError(key)
        return np.asarray((self.x.blocks[key[1:]] if self.x.ndim else self.x).compute())

    def __iter__(self):
        return ((self.name, *idx) for idx in itertools.product(*(range(len(c)) for c in self.x.chunks)))

    def __len__(self):
        return math.prod(len(c) for c in self.x.chunks)


def _dask_graph(self):
    dsk = _PersistedBlocks(self) if _persisted(self) else {(name_of(self),): (_Compute(self),)}
    try:  # Dask's own arrays give a HighLevelGraph (`x.dask.layers`); a dict without Dask
        from dask.highlevelgraph import HighLevelGraph
    except ImportError:
        return dsk
    return HighLevelGraph.from_collections(name_of(self), dsk, dependencies=())


def _dask_keys(self):
    return _block_keys(self) if _persisted(self) else [(name_of(self),)]


def _dask_layers(self):
    return (name_of(self),)


def _dask_postcompute(self):
    return (_finalize_blocks if _persisted(self) else _finalize), ()


def _dask_postpersist(self):
    if _persisted(self):
        return _rebuild_blocks, (_block_keys(self), self.chunks, name_of(self))
    return _rebuild, ((name_of(self),), self.chunks, self.dtype, name_of(self))


def _dask_tokenize(self):
    return name_of(self)


def _dask_optimize(dsk, keys, **kwargs):
    return dsk


def _dask_scheduler(dsk, keys, **kwargs):
    # tessera computes in parallel itself: one task needs no more than Dask's sync scheduler
    from dask.local import get_sync

    return get_sync(dsk, keys, **kwargs)


def install():
    Array.__dask_graph__ = _dask_graph
    Array.dask = property(_dask_graph, doc="The array's Dask graph: one task computing it with tessera.")
    Array.__dask_keys__ = _dask_keys
    Array.__dask_layers__ = _dask_layers
    Array.__dask_postcompute__ = _dask_postcompute
    Array.__dask_postpersist__ = _dask_postpersist
    Array.__dask_tokenize__ = _dask_tokenize
    Array.__dask_optimize__ = staticmethod(_dask_optimize)
    Array.__dask_scheduler__ = staticmethod(_dask_scheduler)
