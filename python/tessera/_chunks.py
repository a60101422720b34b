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

_UNITS = {
    "": 1, "b": 1,
    "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12, "pb": 10**15,
    "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40, "pib": 2**50,
    "k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12,
}


def parse_bytes(text) -> int:
    """``"128 MiB"`` -> 134217728, like ``dask.utils.parse_bytes``."""
    if isinstance(text, numbers.Number):
        return int(text)
    m = re.fullmatch(r"\s*([0-9.eE+-]*)\s*([a-zA-Z]*)\s*", str(text))
    if not m or m.group(2).lower() not in _UNITS:
        raise ValueError(f"chunks: cannot parse byte size {text!r}")
    num = float(m.group(1)) if m.group(1) else 1.0
    return int(num * _UNITS[m.group(2).lower()])


def _limit() -> int:
    v = config.get("array.chunk_size", None)
    if v is None:
        return DEFAULT_CHUNK_BYTES
    return parse_bytes(v)


def _int(v, what="chunks"):
    if isinstance(v, (bool, np.bool_)):
        return int(v)
    if isinstance(v, numbers.Integral):
        return int(v)
    if isinstance(v, numbers.Real) and float(v).is_integer():
        return int(v)
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


def to_core(chunks, shape, itemsize, what="chunks"):
    """Dask chunk spec -> the core's spec (see the module docstring)."""
    ndim = len(shape)
    limit = None
    if chunks is None or (isinstance(chunks, str) and chunks == "auto"):
        lim = _limit()
        return "auto" if lim == DEFAULT_CHUNK_BYTES else _with_limit(["auto"] * ndim, shape, itemsize, lim)
    if isinstance(chunks, str):
        return _with_limit(["auto"] * ndim, shape, itemsize, parse_bytes(chunks))
    if isinstance(chunks, (numbers.Number, np.bool_)) and not isinstance(chunks, (tuple, list)):
        return _int(chunks, what)
    if isinstance(chunks, dict):
        entries = [-1] * ndim
        for k, v in chunks.items():
            k = _int(k, what)
            if not -ndim <= k < ndim:
                raise ValueError(f"{what}: axis {k} in chunks {chunks!r} is out of range for an array of {ndim} dimensions")
            entries[k % ndim] = v
    elif isinstance(chunks, (tuple, list)):
        entries = list(chunks)
        if ndim == 1 and len(entries) > 1 and all(isinstance(e, numbers.Integral) for e in entries):
            entries = [tuple(entries)]
    else:
        raise ValueError(f"{what}: cannot understand chunks {chunks!r}")
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
                limit = parse_bytes(e)
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
        lim = limit if limit is not None else _limit()
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
