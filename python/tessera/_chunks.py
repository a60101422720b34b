"""Chunk specifications as Dask accepts them, turned into the core's form.

The core takes ``"auto"``, an int (``-1``: whole axes) or one entry per axis, each
``"auto"``, an int or a list of block sizes; it normalises them exactly as Dask does for
these forms. Here: dicts ``{axis: size}``, ``None`` entries (whole axis), 1-d tuples of
block sizes, NumPy integers, and byte sizes (``"64 MiB"``: auto chunks aiming at that
size; ``"auto"`` aims at ``tessera.config.get("array.chunk_size")``, 128 MiB by default).
"""

from __future__ import annotations

import math
import numbers
import re

import numpy as np

from . import config

DEFAULT_CHUNK_BYTES = 128 * 1024 * 1024
# Larger chunk sizes mean the same as this one (whole axes) and stay within the core's i64.
MAX_CHUNK = 2**62

_UNITS = {
    "": 1, "b": 1,
    "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12, "pb": 10**15,
    "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40, "pib": 2**50,
    "k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12,
}


def parse_bytes(text) -> int:
    """``"128 MiB"`` -> 134217728, like ``dask.utils.parse_bytes``."""
    if isinstance(text, numbers.Number) and not isinstance(text, complex):
        try:
            return int(text)
        except (ValueError, OverflowError) as e:
            raise ValueError(f"parse_bytes: cannot parse byte size {text!r}: {e}") from None
    if not isinstance(text, str):
        raise TypeError(f"parse_bytes: a byte size must be a string or a number, got {text!r}")
    m = re.fullmatch(r"\s*([0-9.eE+-]*)\s*([a-zA-Z]*)\s*", str(text))
    if not m or m.group(2).lower() not in _UNITS or not (m.group(1) or m.group(2)):
        raise ValueError(f"parse_bytes: cannot parse byte size {text!r}")
    try:
        num = float(m.group(1)) if m.group(1) else 1.0
    except ValueError:
        raise ValueError(f"parse_bytes: cannot parse byte size {text!r}") from None
    size = num * _UNITS[m.group(2).lower()]
    if not math.isfinite(size):
        raise ValueError(f"parse_bytes: cannot parse byte size {text!r}: not finite")
    return int(size)


def chunk_bytes(text, what="chunks") -> int:
    """A chunk size in bytes (``"64 MiB"``, or a number): positive, or ``ValueError``."""
    if isinstance(text, (bool, np.bool_)) or not isinstance(text, (str, numbers.Real)):
        raise TypeError(f"{what}: chunks must be a byte size, a number or a string such as '64 MiB', got {text!r}")
    try:
        size = parse_bytes(text)
    except (ValueError, OverflowError) as e:
        raise ValueError(f"{what}: chunks of {text!r}: {str(e).removeprefix('parse_bytes: ')}") from None
    if size < 1:
        raise ValueError(f"{what}: chunks of {text!r}: a chunk byte size must be positive")
    return min(size, MAX_CHUNK)


def _limit(what="chunks") -> int:
    v = config.get("array.chunk_size", None)
    if v is None:
        return DEFAULT_CHUNK_BYTES
    return chunk_bytes(v, f"{what} (array.chunk_size)")


def _int(v, what="chunks"):
    if isinstance(v, (bool, np.bool_)):
        raise TypeError(f"{what}: chunks must be integers, 'auto', None or byte sizes, got the bool {v!r}")
    if isinstance(v, numbers.Integral) or isinstance(v, numbers.Real) and float(v).is_integer():
        if v < -1:
            raise ValueError(f"{what}: chunks: size {v} is invalid: sizes must be positive, or -1 for a whole axis")
        return min(int(v), MAX_CHUNK)
    raise ValueError(f"{what}: chunks can only contain integers, 'auto' or None, got {v!r}")


def _auto_sizes(shape, itemsize, limit, fixed_sizes):
    """The core's auto rule with another byte budget: auto axes share what the fixed axes
    leave equally; axes smaller than their share take the whole axis."""
    out = {}
    autos = [a for a in range(len(shape)) if a not in fixed_sizes]
    fixed = 1
    for s in fixed_sizes.values():
        fixed *= max(s, 1)
    budget = float(max(limit // max(itemsize, 1) // fixed, 1))
    left = autos
    while left:
        share = budget ** (1.0 / len(left))
        small = [a for a in left if shape[a] <= share]
        if not small:
            for a in left:
                out[a] = max(int(math.floor(share)), 1)
            break
        for a in small:
            out[a] = -1
            budget /= max(shape[a], 1)
        left = [a for a in left if a not in small]
    return out


def to_core(chunks, shape, itemsize, what="chunks", auto_limit=None):
    """Dask chunk spec -> the core's spec (see the module docstring). ``auto_limit``: the
    bytes "auto" aims at instead of ``array.chunk_size`` (``rechunk(block_size_limit=)``)."""
    ndim = len(shape)
    limit = auto_limit
    if chunks is None or (isinstance(chunks, str) and chunks == "auto"):
        lim = _limit(what) if auto_limit is None else auto_limit
        return "auto" if lim == DEFAULT_CHUNK_BYTES else _with_limit(["auto"] * ndim, shape, itemsize, lim)
    if isinstance(chunks, str):
        return _with_limit(["auto"] * ndim, shape, itemsize, chunk_bytes(chunks, what))
    if isinstance(chunks, (numbers.Number, np.bool_)) and not isinstance(chunks, (tuple, list)):
        return _int(chunks, what)
    if isinstance(chunks, np.ndarray) and chunks.ndim == 1:
        chunks = tuple(chunks.tolist())
    if ndim == 0 and isinstance(chunks, (tuple, list)):
        chunks = ()  # as Dask: a 0-d array has no axes to chunk, whatever the tuple says
    if isinstance(chunks, dict):
        entries = [-1] * ndim
        for k, v in chunks.items():
            if isinstance(k, (bool, np.bool_)) or not isinstance(k, (numbers.Integral, np.integer)):
                raise TypeError(f"{what}: the axes in a chunks dict must be integers, got {k!r}")
            k = int(k)
            if not -ndim <= k < ndim:
                raise ValueError(f"{what}: axis {k} in chunks {chunks!r} is out of range for an array of {ndim} dimensions")
            entries[k % ndim] = v
    elif isinstance(chunks, (tuple, list)):
        entries = list(chunks)
        if ndim == 1 and len(entries) > 1 and all(isinstance(e, numbers.Integral) for e in entries):
            entries = [tuple(entries)]
    else:
        raise TypeError(f"{what}: cannot understand chunks {chunks!r} (of type {type(chunks).__name__}); give an int, "
                        "a tuple, a dict, 'auto' or a byte size")
    if len(entries) != ndim:
        raise ValueError(
            f"{what}: chunks and shape must be of the same length/dimension, got chunks={chunks!r} for shape {tuple(shape)}"
        )
    out = []
    for e in entries:
        if e is None:
            out.append(-1)
        elif isinstance(e, str):
            if e == "auto":
                out.append("auto")
            else:
                limit = chunk_bytes(e, what)
                out.append("auto")
        elif isinstance(e, (tuple, list, np.ndarray)):
            sizes = [_int(s, what) for s in e]
            out.append(sizes)
        else:
            v = e
            if isinstance(v, float) and math.isnan(v):
                raise ValueError(f"{what}: unknown (nan) chunk sizes are not supported")
            out.append(_int(v, what))
    if "auto" in out:
        lim = limit if limit is not None else _limit(what)
        if lim != DEFAULT_CHUNK_BYTES:
            return _with_limit(out, shape, itemsize, lim)
    return out


def _with_limit(entries, shape, itemsize, limit):
    fixed = {}
    for a, e in enumerate(entries):
        if e == "auto":
            continue
        if isinstance(e, list):
            fixed[a] = max(e) if e else 0
        elif e == -1:
            fixed[a] = shape[a]
        else:
            fixed[a] = min(e, shape[a]) if e > 0 else e
    sizes = _auto_sizes(shape, itemsize, limit, fixed)
    return [sizes[a] if e == "auto" else e for a, e in enumerate(entries)]
