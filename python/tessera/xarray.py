"""xarray on tessera: a ``ChunkManagerEntrypoint`` registered as ``"tessera"`` (entry
point ``xarray.chunkmanagers`` in the package metadata), so that::

    ds = xr.open_zarr(path, chunked_array_type="tessera")
    ds = ds.chunk({"time": 365}, chunked_array_type="tessera")

hold tessera arrays, and xarray's arithmetic, reductions, ``groupby``, ``where``,
``apply_ufunc(..., dask="parallelized")``, ``.compute()`` and ``to_zarr`` run on tessera.
Importing this module needs xarray; ``import tessera`` does not.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from xarray.namedarray.parallelcompat import ChunkManagerEntrypoint

from . import config
from ._array import Array
from ._chunks import chunk_bytes

__all__ = ["TesseraManager", "normalize_chunks", "unify_chunks"]


def normalize_chunks(chunks, shape=None, limit=None, dtype=None, previous_chunks=None):
    """Dask's ``normalize_chunks``: explicit block sizes per axis (a tuple of tuples) for
    any chunk specification; ``limit`` (bytes or a byte string) is the auto chunk size,
    ``previous_chunks`` the chunks that ``"auto"`` axes become multiples of."""
    from . import _core
    from ._auto_chunks import auto_with_previous
    from ._chunks import to_core

    if shape is None:
        if isinstance(chunks, tuple) and all(isinstance(c, tuple) for c in chunks):
            return tuple(tuple(int(v) for v in c) for c in chunks)
        raise ValueError("normalize_chunks: shape is needed unless chunks are already explicit")
    shape = tuple(int(s) for s in shape)
    dtype = np.dtype(dtype if dtype is not None else float)
    if isinstance(chunks, Mapping):
        chunks = tuple(chunks.get(a, chunks.get(a - len(shape), -1)) for a in range(len(shape)))
    if isinstance(chunks, list):
        chunks = tuple(chunks)
    lim = None if limit is None else chunk_bytes(limit, "normalize_chunks")
    if previous_chunks is not None and 0 not in shape:
        prev = []
        for c, s in zip(previous_chunks, shape):
            if isinstance(c, (tuple, list)):
                prev.append(tuple(int(v) for v in c))
            else:
                c = int(c)
                prev.append((c,) * (s // c) + ((s % c,) if s % c else ()))
        spec = chunks if isinstance(chunks, tuple) else (chunks,) * len(shape)
        if any(isinstance(c, str) for c in spec):
            entries = []
            for c, s in zip(spec, shape):
                if isinstance(c, str) and c != "auto":
                    lim = chunk_bytes(c, "normalize_chunks")
                    c = "auto"
                entries.append(s if c is None or c == -1 else c)
            return auto_with_previous(entries, shape, dtype, tuple(prev), lim)
    ctx = config.set({"array.chunk_size": lim}) if lim is not None else None
    try:
        if ctx is not None:
            ctx.__enter__()
        spec = to_core(chunks, shape, dtype.itemsize, "normalize_chunks")
    finally:
        if ctx is not None:
            ctx.__exit__(None, None, None)
    full = _core.full(list(shape), 0, dtype.name if dtype.kind in "biuf" else "float64", spec)
    return tuple(tuple(c) for c in full.chunks)


def _common_chunks(options):
    """Chunks of one label shared by several arrays: the union of their boundaries."""
    options = [tuple(c) for c in options]
    if all(c == options[0] for c in options):
        return options[0]
    bounds = set()
    for c in options:
        pos = 0
        for v in c:
            pos += v
            bounds.add(pos)
    out, last = [], 0
    for b in sorted(bounds):
        if b > last:
            out.append(b - last)
            last = b
    return tuple(out)


def unify_chunks(*args, **kwargs):
    """Dask's ``unify_chunks(x, "ij", y, "jk", ...)``: (chunks per label, the arrays
    rechunked to them); axes of length 1 broadcast and keep their chunks."""
    from ._array import to_array

    pairs = [(args[i], args[i + 1]) for i in range(0, len(args), 2)]
    per_label = {}
    for a, ind in pairs:
        if ind is None:
            continue
        a = a if isinstance(a, Array) else to_array(a)
        for lab, c, n in zip(ind, a.chunks, a.shape):
            if n != 1:
                per_label.setdefault(lab, []).append(c)
    chunkss = {lab: _common_chunks(cs) for lab, cs in per_label.items()}
    arrays = []
    for a, ind in pairs:
        if ind is None:
            arrays.append(a)
            continue
        a = a if isinstance(a, Array) else to_array(a)
        want = tuple(chunkss.get(lab, c) if n != 1 else c for lab, c, n in zip(ind, a.chunks, a.shape))
        arrays.append(a if want == a.chunks else a.rechunk(want))
    for a, ind in pairs:
        if ind is not None:
            a = a if isinstance(a, Array) else None
            if a is not None:
                for lab, c, n in zip(ind, a.chunks, a.shape):
                    if n == 1:
                        chunkss.setdefault(lab, c)
    return chunkss, arrays


def _claim_tessera_arrays_from_dask():
    """tessera arrays speak Dask's collection protocol, so that ``dask.compute`` accepts them, but
    xarray reads that protocol as "this is a dask.array": its DaskManager claims them next to
    TesseraManager ("Multiple ChunkManagers recognise type") and ~50 code paths would call
    ``dask.array`` on them. xarray asks one function, so for tessera arrays it answers no."""
    from xarray.namedarray import utils

    asks_dask = utils.is_dask_collection
    if getattr(asks_dask, "tessera_aware", False):
        return

    def is_dask_collection(x):
        return not isinstance(x, Array) and asks_dask(x)

    is_dask_collection.tessera_aware = True
    utils.is_dask_collection = is_dask_collection


_claim_tessera_arrays_from_dask()


# The dtypes tessera's zarrs reader decodes.
_ZARRS_DTYPES = {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float32",
                 "float64"}


def _local_zarr(data):
    """(store path, component) when `data`, a variable xarray opened lazily, is a whole
    zarr-python array in a local store, read as stored (no CF decoding, no indexing):
    tessera then reads it with zarrs in its own tasks, without the GIL, instead of through
    zarr-python block by block. None for anything else (the generic from_array path)."""
    from xarray.core import indexing

    d = data
    while True:
        if isinstance(d, (indexing.ImplicitToExplicitIndexingAdapter, indexing.CopyOnWriteArray,
                          indexing.MemoryCachedArray)):
            d = d.array
        elif type(d) is indexing.LazilyIndexedArray:
            key = d.key.tuple
            inner = d.array.shape
            if len(key) != len(inner) or not all(isinstance(k, slice) and k.indices(n) == (0, n, 1)
                                                 for k, n in zip(key, inner)):
                return None
            d = d.array
        else:
            break
    try:
        from xarray.backends.zarr import ZarrArrayWrapper
        from zarr.storage import LocalStore
    except ImportError:
        return None
    if not isinstance(d, ZarrArrayWrapper):
        return None
    z = d.get_array()
    store = getattr(z, "store", None)
    if type(store) is not LocalStore or tuple(z.shape) != tuple(data.shape):
        return None
    dt = np.dtype(z.dtype) if isinstance(z.dtype, np.dtype) else None
    if dt is None or dt != np.dtype(data.dtype) or not dt.isnative or dt.name not in _ZARRS_DTYPES:
        return None
    return str(store.root), z.path


class TesseraManager(ChunkManagerEntrypoint):
    """The chunk manager xarray finds under the name ``"tessera"``."""

    available = True

    def __init__(self):
        self.array_cls = Array

    def is_chunked_array(self, data):
        return isinstance(data, Array)

    def chunks(self, data):
        return data.chunks

    def normalize_chunks(self, chunks, shape=None, limit=None, dtype=None, previous_chunks=None):
        return normalize_chunks(chunks, shape=shape, limit=limit, dtype=dtype, previous_chunks=previous_chunks)

    def from_array(self, data, chunks, **kwargs):
        from ._creation import from_array

        if isinstance(chunks, tuple) and "auto" in chunks and any(s == 0 for s in data.shape):
            chunks = data.shape
        kwargs.pop("meta", None)
        local = _local_zarr(data)
        if local is not None:
            from ._zarr import from_zarr

            return from_zarr(local[0], component=local[1], chunks=chunks)
        return from_array(data, chunks, **kwargs)

    def rechunk(self, data, chunks, **kwargs):
        if any(s == 0 for s in data.shape):
            if isinstance(chunks, tuple) and any(isinstance(c, str) for c in chunks) or \
                    isinstance(chunks, Mapping) and any(isinstance(c, str) for c in chunks.values()):
                chunks = data.shape
        return data.rechunk(chunks, **kwargs)

    def compute(self, *data, **kwargs):
        from ._creation import compute

        return compute(*data, **kwargs)

    def persist(self, *data, **kwargs):
        from ._creation import persist

        return persist(*data, **kwargs)

    @property
    def array_api(self):
        import tessera

        return tessera

    def reduction(self, arr, func, combine_func=None, aggregate_func=None, axis=None, dtype=None, keepdims=False):
        from ._reduction import reduction

        return reduction(arr, chunk=func, combine=combine_func, aggregate=aggregate_func, axis=axis, dtype=dtype,
                         keepdims=keepdims)

    def scan(self, func, binop, ident, arr, axis=None, dtype=None, **kwargs):
        import tessera

        cum = getattr(tessera, "cumreduction", None)
        if cum is None:
            raise NotImplementedError("tessera does not implement cumulative scans (cumreduction) yet")
        return cum(func, binop, ident, arr, axis=axis, dtype=dtype, **kwargs)

    def apply_gufunc(self, func, signature, *args, axes=None, axis=None, keepdims=False, output_dtypes=None,
                     output_sizes=None, vectorize=None, allow_rechunk=False, meta=None, **kwargs):
        from ._gufunc import apply_gufunc

        return apply_gufunc(func, signature, *args, axes=axes, axis=axis, keepdims=keepdims,
                            output_dtypes=output_dtypes, output_sizes=output_sizes, vectorize=vectorize,
                            allow_rechunk=allow_rechunk, meta=meta, **kwargs)

    def map_blocks(self, func, *args, dtype=None, chunks=None, drop_axis=None, new_axis=None, **kwargs):
        from ._blockwise import map_blocks

        return map_blocks(func, *args, dtype=dtype, chunks=chunks, drop_axis=drop_axis, new_axis=new_axis, **kwargs)

    def blockwise(self, func, out_ind, *args, name=None, token=None, dtype=None, adjust_chunks=None, new_axes=None,
                  align_arrays=True, concatenate=None, meta=None, **kwargs):
        from ._blockwise import blockwise

        return blockwise(func, out_ind, *args, name=name, token=token, dtype=dtype, adjust_chunks=adjust_chunks,
                         new_axes=new_axes, align_arrays=align_arrays, concatenate=concatenate, meta=meta, **kwargs)

    def unify_chunks(self, *args, **kwargs):
        return unify_chunks(*args, **kwargs)

    def store(self, sources, targets, **kwargs):
        from ._store import store

        kwargs.pop("flush", None)
        return store(sources, targets, **kwargs)

    def shuffle(self, x, indexer, axis, chunks):
        import tessera

        shuffle = getattr(tessera, "shuffle", None)
        if shuffle is None:
            raise NotImplementedError("tessera does not implement shuffle yet")
        return shuffle(x, indexer, axis, chunks=chunks if chunks is not None else "auto")

    def get_auto_chunk_size(self):
        from ._chunks import _limit

        return _limit("get_auto_chunk_size")
