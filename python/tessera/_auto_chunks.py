"""``chunks="auto"`` that follows a source's own chunking (Dask's ``normalize_chunks(...,
previous_chunks=)``): auto axes become whole multiples of the source's chunks, so that a
task reads whole storage chunks (an HDF5 or Zarr chunk is never decoded by two tasks).

This is a port of ``dask.array.core.auto_chunks`` (the ``previous_chunks`` branch), kept
so that ``from_array(h5py_dataset)`` and ``from_zarr`` give Dask's chunks. Without
previous chunks the core's own auto rule applies (``_chunks.to_core``).
"""

from __future__ import annotations

import math
import numbers
from collections import Counter

import numpy as np

from ._chunks import _limit, chunk_bytes

# dask's config "array.chunk-size-tolerance".
_TOLERANCE = 1.25


def _blockdims(size, c):
    """(c, c, ..., remainder) along an axis of `size`."""
    c = int(c)
    if size == 0:
        return (0,)
    if c <= 0:
        c = size
    return (c,) * (size // c) + ((size % c,) if size % c else ())


def _round_to(c, s):
    """Dask's ``round_to``: a multiple of `s` close to `c` (or `c` when smaller than `s`)."""
    if c <= s:
        return max(1, int(c))
    return c // s * s


def _multiplier(limit, itemsize, largest_block, result):
    prod = 1
    for r in result.values():
        if r:
            prod *= max(r) if isinstance(r, tuple) else r
    return limit / itemsize / largest_block / prod


def previous_chunks_of(x, shape):
    """The source's storage chunks as a tuple of ints (h5py/zarr ``chunks``, netCDF4
    ``chunking()``, xarray's ``encoding["chunks"]``/``preferred_chunks``), or None."""
    prev = getattr(x, "chunks", None)
    if prev is None and hasattr(x, "chunking"):
        try:
            c = x.chunking()
            prev = None if isinstance(c, str) else c  # "contiguous"
        except Exception:
            prev = None
    if prev is None:
        enc = getattr(x, "encoding", None)
        if isinstance(enc, dict):
            prev = enc.get("chunks") or enc.get("preferred_chunks")
    if prev is None or isinstance(prev, str):
        return None
    try:
        prev = tuple(prev)
    except TypeError:
        return None
    if len(prev) != len(shape):
        return None
    out = []
    for c, s in zip(prev, shape):
        if isinstance(c, (tuple, list)):
            out.append(tuple(int(v) for v in c))
        elif isinstance(c, numbers.Integral) and not isinstance(c, bool):
            out.append(_blockdims(s, c))
        else:
            return None
    return tuple(out)


def auto_with_previous(chunks, shape, dtype, previous, limit=None):
    """`chunks` (a list with ``"auto"`` entries and fixed entries: ints or tuples) made
    explicit as Dask does with ``previous_chunks``; returns one entry per axis (an int or
    a tuple of block sizes)."""
    chunks = list(chunks)
    autos = {i for i, c in enumerate(chunks) if isinstance(c, str) and c == "auto"}
    if not autos:
        return tuple(chunks)
    limit = _limit() if limit is None else limit
    itemsize = np.dtype(dtype).itemsize
    limit = max(1, limit)
    largest_block = math.prod(c if isinstance(c, numbers.Number) else max(c) for c in chunks
                              if not (isinstance(c, str) and c == "auto"))
    median = {a: float(np.median(previous[a])) for a in autos}
    result = {}
    multiplier = _multiplier(limit, itemsize, largest_block, median)
    if multiplier < 1:
        result = median
    ideal = []
    for i, s in enumerate(shape):
        mode, count = max(Counter(previous[i]).items(), key=lambda kv: kv[1])
        ideal.append(mode if mode > 1 and count >= len(previous[i]) / 2 else s)
    remaining = True
    reduce_case = multiplier < 1
    while remaining:
        last = set(autos)
        remaining = False
        for a in sorted(autos):
            m = multiplier ** (1 / len(last))
            proposed = median[a] * m
            max_size = proposed * _TOLERANCE ** (1 / len(last))
            if proposed > shape[a]:
                chunks[a] = shape[a]
                autos.remove(a)
                del median[a]
                remaining = True
                largest_block *= shape[a]
                result[a] = (shape[a],)
                continue
            if reduce_case or max(previous[a]) > max_size:
                result[a] = _round_to(proposed, ideal[a])
                if proposed < 1:
                    remaining = True
                    autos.discard(a)
                continue
            dim, new = [], 0
            for c in previous[a]:
                if c + new <= proposed:
                    new += c
                else:
                    if new > 0:
                        dim.append(new)
                    new = c
            if new > 0:
                dim.append(new)
            result[a] = tuple(dim)
        if remaining or reduce_case:
            lastm = multiplier
            multiplier = _multiplier(limit, itemsize, largest_block, median)
            if multiplier != lastm:
                remaining = True
    for k, v in result.items():
        chunks[k] = v or 0
    out = []
    for c, s in zip(chunks, shape):
        out.append(tuple(int(v) for v in c) if isinstance(c, tuple) else _blockdims(s, int(c)) if s else (0,))
    return tuple(out)


def source_chunks(chunks, shape, dtype, previous, what="from_array"):
    """Explicit per-axis block sizes for `chunks` when it asks for automatic chunks and the
    source has storage chunks; None when the core's own rule applies."""
    if previous is None or any(s == 0 for s in shape) or not shape:
        return None
    limit = None
    if chunks is None or isinstance(chunks, str):
        if chunks not in (None, "auto"):
            limit = chunk_bytes(chunks, what)
        spec = ["auto"] * len(shape)
    elif isinstance(chunks, (tuple, list)) and len(chunks) == len(shape) and \
            any(isinstance(c, str) and c == "auto" for c in chunks):
        spec = []
        for c, s in zip(chunks, shape):
            if isinstance(c, str) and c == "auto":
                spec.append("auto")
            elif c is None or isinstance(c, numbers.Integral) and not isinstance(c, bool) and c == -1:
                spec.append(s)
            elif isinstance(c, numbers.Integral) and not isinstance(c, bool):
                spec.append(int(c))
            elif isinstance(c, (tuple, list)):
                spec.append(tuple(int(v) for v in c))
            else:
                return None
    else:
        return None
    return auto_with_previous(spec, shape, dtype, previous, limit)
