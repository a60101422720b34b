"""``from_zarr`` and ``to_zarr`` as in ``dask.array``, on local Zarr v2 and v3 stores
through zarrs (Rust; no Python per block): reads and writes run in tessera's tasks
without the GIL. zarr-python arrays given instead of a path go through ``from_array`` and
``store``.

``to_zarr`` creates the array with the metadata zarr-python 3 writes (``zarr.json`` for
v3, ``.zarray``/``.zattrs`` for v2), from keyword arguments named as in
``zarr.create_array``: ``zarr_format``, ``chunks`` (storage chunks; default: the
array's chunks), ``shards``, ``compressors`` (v2: ``compressor``), ``filters``,
``fill_value``, ``attributes``, ``dimension_names``. Codecs are given as zarr-python codec
objects, as their JSON dicts, or by name: ``"zstd"``, ``"gzip"``, ``"blosc"`` (lz4),
``"blosc-lz4"``, ``"blosc-zstd"``, ``"crc32c"``.
"""

from __future__ import annotations

import json
import math
import os

import numpy as np

from . import _core
from ._array import Array, _wrap
from ._auto_chunks import source_chunks
from ._chunks import to_core

__all__ = ["from_zarr", "to_zarr"]


def _local_path(url, op):
    """A local path from a path or ``file://`` URL; other URLs are refused by name."""
    p = os.fspath(url)
    if isinstance(p, bytes):
        p = p.decode()
    if p.startswith("file://"):
        p = p[len("file://"):]
    elif "://" in p:
        raise NotImplementedError(f"{op}: only local filesystem stores are supported by tessera, got {p!r}; "
                                  "open it with zarr-python and pass the zarr array instead")
    return p


def _is_path(url):
    return isinstance(url, (str, bytes, os.PathLike))


def _explicit_chunks(chunks, shape, dtype, storage, op):
    """Block sizes per axis: the storage chunks when `chunks` is None, Dask's rules else."""
    if chunks is None:
        chunks = tuple(storage)
    prev = tuple(tuple(c for _ in range(max(math.ceil(n / c), 1) if c else 1)) for c, n in zip(storage, shape))
    explicit = source_chunks(chunks, shape, dtype, prev if all(shape) else None, op)
    spec = [list(c) for c in explicit] if explicit is not None else to_core(chunks, shape, dtype.itemsize, op)
    full = _core.full(list(shape), 0, dtype.name, spec)
    return [list(c) for c in full.chunks]


def from_zarr(url, component=None, storage_options=None, chunks=None, name=None, inline_array=False, **kwargs):
    """The lazy array of a Zarr array (v2 or v3) at a local path (``component``: the
    array's path inside the store), as ``dask.array.from_zarr``. ``chunks`` defaults to the
    store's chunks (for sharded arrays, the shards); nothing is read until computing. A
    zarr-python array may be passed instead of a path."""
    op = "from_zarr"
    if not _is_path(url):
        if not all(hasattr(url, a) for a in ("shape", "dtype", "__getitem__")):
            raise TypeError(f"{op}: url must be a path or a zarr array, got {type(url).__name__}")
        from ._creation import from_array

        return from_array(url, chunks=url.chunks if chunks is None else chunks, name=name,
                          inline_array=inline_array)
    if storage_options:
        raise NotImplementedError(f"{op}: storage_options are not supported (local stores only)")
    path = _local_path(url, op)
    if not os.path.exists(path):
        raise FileNotFoundError(f"{op}: no such store: {path}")
    h = _core.zarr_open(path, (component or "").strip("/"))
    shape, dtype = tuple(h.shape), np.dtype(h.dtype)
    return _wrap(_core.zarr_read(h, _explicit_chunks(chunks, shape, dtype, h.chunk_shape, op)))


# -- metadata ------------------------------------------------------------------------------

_BLOSC_SHUFFLE = {0: "noshuffle", 1: "shuffle", 2: "bitshuffle"}


def _codec_v3(c, dtype, op):
    """A v3 codec's JSON dict from a name, a dict or a zarr-python codec object."""
    if isinstance(c, dict):
        return c
    if isinstance(c, str):
        name = c.lower()
        if name == "zstd":
            return {"name": "zstd", "configuration": {"level": 0, "checksum": False}}
        if name == "gzip":
            return {"name": "gzip", "configuration": {"level": 5}}
        if name == "crc32c":
            return {"name": "crc32c"}
        if name in ("blosc", "blosc-lz4", "lz4", "blosc-zstd"):
            cname = "zstd" if name == "blosc-zstd" else "lz4"
            return {"name": "blosc", "configuration": {"cname": cname, "clevel": 5, "shuffle": "shuffle",
                                                        "typesize": dtype.itemsize, "blocksize": 0}}
        raise ValueError(f"{op}: unknown codec {c!r}; use zstd, gzip, blosc, blosc-lz4, blosc-zstd or crc32c, "
                         "a codec's JSON dict or a zarr codec object")
    if hasattr(c, "to_dict"):
        d = c.to_dict()
        if d.get("name") == "blosc":  # zarr-python leaves typesize/shuffle to be filled per array
            conf = dict(d.get("configuration", {}))
            if conf.get("typesize") is None:
                conf["typesize"] = dtype.itemsize
            if conf.get("shuffle") is None:
                conf["shuffle"] = "bitshuffle" if dtype.itemsize == 1 else "shuffle"
            d = {"name": "blosc", "configuration": conf}
        return d
    raise TypeError(f"{op}: a codec must be a name, a dict or a zarr codec object, got {type(c).__name__}")


def _codec_v2(c, dtype, op):
    """A v2 compressor's JSON dict (numcodecs' config)."""
    if c is None or isinstance(c, dict):
        return c
    if hasattr(c, "get_config"):
        return c.get_config()
    if isinstance(c, str):
        name = c.lower()
        if name == "zstd":
            return {"id": "zstd", "level": 0, "checksum": False}
        if name == "gzip":
            return {"id": "gzip", "level": 5}
        if name in ("blosc", "blosc-lz4", "lz4", "blosc-zstd"):
            return {"id": "blosc", "cname": "zstd" if name == "blosc-zstd" else "lz4", "clevel": 5, "shuffle": 1,
                    "blocksize": 0}
        raise ValueError(f"{op}: unknown zarr v2 compressor {c!r}; use zstd, gzip or blosc, or a numcodecs codec")
    raise TypeError(f"{op}: a v2 compressor must be a name, a dict or a numcodecs codec, got {type(c).__name__}")


def _fill(dtype, fill_value):
    if fill_value is None:
        fill_value = False if dtype.kind == "b" else 0
    v = np.array(fill_value).astype(dtype).item()
    if isinstance(v, float):
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
    return v


def zarr_metadata(shape, dtype, chunks, *, zarr_format=3, shards=None, compressors="auto", compressor="auto",
                  filters=None, codecs=None, fill_value=None, attributes=None, dimension_names=None, op="to_zarr"):
    """The JSON text of a new array's metadata (zarr.json, or .zarray with attributes)."""
    dtype = np.dtype(dtype)
    shape, chunks = [int(s) for s in shape], [max(int(c), 1) for c in chunks]
    if zarr_format == 2:
        if shards is not None or codecs is not None:
            raise ValueError(f"{op}: shards and codecs need zarr_format=3")
        if compressor == "auto":
            compressor = compressors[0] if isinstance(compressors, (list, tuple)) and compressors else \
                (compressors if compressors not in ("auto", None) else "zstd")
        meta = {"zarr_format": 2, "shape": shape, "chunks": chunks, "dtype": dtype.newbyteorder("<").str
                if dtype.itemsize > 1 else dtype.str, "compressor": _codec_v2(compressor, dtype, op),
                "fill_value": _fill(dtype, fill_value), "order": "C",
                "filters": [_codec_v2(f, dtype, op) for f in filters] if filters else None,
                "dimension_separator": "."}
        if attributes:
            meta["attributes"] = dict(attributes)
        return json.dumps(meta)
    if zarr_format != 3:
        raise ValueError(f"{op}: zarr_format must be 2 or 3, got {zarr_format!r}")
    if codecs is None:
        if compressors == "auto":
            compressors = ["zstd"]
        elif compressors is None:
            compressors = []
        elif not isinstance(compressors, (list, tuple)):
            compressors = [compressors]
        inner = [_codec_v3(f, dtype, op) for f in (filters or [])]
        inner.append({"name": "bytes", "configuration": {"endian": "little"}} if dtype.itemsize > 1
                     else {"name": "bytes"})
        inner += [_codec_v3(c, dtype, op) for c in compressors]
    else:
        inner = [_codec_v3(c, dtype, op) for c in codecs]
    grid = chunks
    if shards is not None:
        shards = [int(s) for s in shards]
        if len(shards) != len(shape) or any(s % c for s, c in zip(shards, chunks)):
            raise ValueError(f"{op}: shards {tuple(shards)} must be whole multiples of the chunks {tuple(chunks)}")
        inner = [{"name": "sharding_indexed", "configuration": {
            "chunk_shape": chunks, "codecs": inner,
            "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "crc32c"}],
            "index_location": "end"}}]
        grid = shards
    meta = {"zarr_format": 3, "node_type": "array", "shape": shape, "data_type": dtype.name,
            "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": grid}},
            "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
            "fill_value": _fill(dtype, fill_value), "codecs": inner, "attributes": dict(attributes or {})}
    if dimension_names is not None:
        if len(dimension_names) != len(shape):
            raise ValueError(f"{op}: {len(dimension_names)} dimension names for a {len(shape)}-d array")
        meta["dimension_names"] = [None if d is None else str(d) for d in dimension_names]
    return json.dumps(meta)


def _aligned(x: Array, storage, offset):
    """`x` rechunked (only where needed) so that block boundaries fall on storage chunks."""
    new = []
    changed = False
    for c, s, o in zip(x.chunks, storage, offset):
        bounds, pos = [], o
        for v in c[:-1]:
            pos += v
            bounds.append(pos)
        if all(b % s == 0 for b in bounds):
            new.append(c)
            continue
        changed = True
        # Blocks of whole storage chunks, about as large as the current ones.
        want = max(max(c) // s, 1) * s
        sizes, pos, end = [], o, o + sum(c)
        first = min(end, (o // s + 1) * s) if o % s else min(end, o + want)
        sizes.append(first - o)
        pos = first
        while pos < end:
            step = min(want, end - pos)
            sizes.append(step)
            pos += step
        new.append(tuple(sizes))
    return x.rechunk(tuple(new)) if changed else x


def to_zarr(arr, url, component=None, storage_options=None, overwrite=False, region=None, compute=True,
            return_stored=False, **kwargs):
    """Writes `arr` to a Zarr array, as ``dask.array.to_zarr``: a new array at a local path
    (``component`` inside the store; an existing one is an error unless
    ``overwrite=True``), or the ``region`` (a tuple of slices) of an existing array. Blocks
    are rechunked where needed so that no two tasks write one storage chunk.

    ``compute=False`` returns the lazy write (an array of acknowledgements: computing it
    writes); ``return_stored=True`` returns the stored array, read lazily from the store.
    Keyword arguments describe a new array (see the module documentation)."""
    op = "to_zarr"
    if not isinstance(arr, Array):
        raise TypeError(f"{op}: expected a tessera array, got {type(arr).__name__}")
    if not _is_path(url):
        if kwargs:
            raise ValueError(f"{op}: keyword arguments {sorted(kwargs)} only apply when creating a new array at a path")
        from ._store import store

        out = store([arr], [url], lock=False, regions=region, compute=compute, return_stored=return_stored)
        return out[0] if isinstance(out, list) else out
    if storage_options:
        raise NotImplementedError(f"{op}: storage_options are not supported (local stores only)")
    path = _local_path(url, op)
    comp = (component or "").strip("/")
    if region is not None:
        if kwargs:
            raise ValueError(f"{op}: keyword arguments {sorted(kwargs)} cannot be used with region=")
        h = _core.zarr_open(path, comp)
        from ._store import _region_offsets

        offset = _region_offsets(region, tuple(h.shape), arr.shape, h.describe, op)
    else:
        storage = kwargs.pop("chunks", None)
        if storage is None:
            storage = [max(c) if c else 1 for c in arr.chunks]
        meta = zarr_metadata(arr.shape, arr.dtype, storage, op=op, **kwargs)
        h = _core.zarr_create(path, comp, meta, bool(overwrite))
        offset = (0,) * arr.ndim
    tdt = np.dtype(h.dtype)
    if arr.dtype != tdt and np.can_cast(arr.dtype, tdt, casting="safe"):
        arr = arr.astype(tdt)  # as zarr-python's __setitem__ would
    x = _aligned(arr, h.chunk_shape, offset)
    acks = _wrap(_core.zarr_write(x._c, h, list(offset)))
    if not compute:
        return acks
    from ._creation import compute as _compute

    _compute(acks)
    if return_stored:
        out = from_zarr(path, component=comp, chunks=None)
        if region is not None:
            out = out[tuple(region) if isinstance(region, tuple) else (region,)]
        return out.rechunk(arr.chunks)
    return None


def _to_zarr_method(self, *args, **kwargs):
    return to_zarr(self, *args, **kwargs)


Array.to_zarr = _to_zarr_method
