"""The options of ``rechunk`` beyond the chunks, as ``dask.array.rechunk`` takes them."""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from . import config


def rechunk_options(threshold, block_size_limit, method):
    """Checks the options; returns the byte limit for "auto" axes (None: the configured one)."""
    if method is None:
        method = config.get("array.rechunk.method", None)
    if method not in (None, "tasks"):
        if method == "p2p":
            raise NotImplementedError(
                "rechunk: method='p2p' is dask.distributed's peer-to-peer shuffle; tessera rechunks in its own "
                "scheduler (method='tasks', the default)")
        raise NotImplementedError(f"rechunk: Unknown rechunking method {method!r} (tessera has 'tasks')")
    if threshold is not None and (isinstance(threshold, bool) or not isinstance(threshold, numbers.Real)
                                  or not threshold > 0):
        raise ValueError(f"rechunk: threshold must be a positive number, got {threshold!r}")
    if block_size_limit is None:
        return None
    from ._chunks import chunk_bytes

    if isinstance(block_size_limit, numbers.Real) and not isinstance(block_size_limit, bool):
        if not block_size_limit >= 1:
            raise ValueError(f"rechunk: block_size_limit must be at least one byte, got {block_size_limit!r}")
        return int(block_size_limit)
    return chunk_bytes(block_size_limit, "rechunk: block_size_limit")


def _sizes(n, size):
    k, rest = divmod(n, size)
    return (size,) * k + ((rest,) if rest else ())


def balance_chunks(chunks):
    """Dask's ``_balance_chunksizes``: the most even chunks of about the median size, one fewer
    when the last is small; the chunks unchanged (with Dask's warning) when none fits."""
    chunks = tuple(int(c) for c in chunks)
    if len(chunks) <= 1:
        return chunks
    median = int(np.median(chunks))
    n = len(chunks) - (1 if min(chunks) <= 0.5 * max(chunks) else 0)
    eps = median // 2
    possible = [c for c in (_sizes(sum(chunks), m) for m in range(max(median - eps, 1), median + eps + 1))
                if len(c) == n]
    if not possible:
        warnings.warn("chunk size balancing not possible with given chunks. Try increasing the chunk size.",
                      stacklevel=3)
        return chunks
    return min(possible, key=lambda c: max(c) - min(c))
