"""Counting: ``histogram``, ``histogram2d``, ``histogramdd``, ``bincount``, ``digitize``,
``isin`` and ``searchsorted`` with Dask's signatures.

``histogram`` and ``bincount`` count each block in a Rust kernel (the source computed in
the same task) and sum the per-block counts up a tree. Output sizes must be known when
the expression is built (tessera has no unknown chunk sizes yet): ``histogram`` with a
number of bins needs ``range=`` (as Dask), and ``bincount`` needs ``minlength=`` (a value
at or above it is an error at compute time).
"""

from __future__ import annotations

import numbers

import numpy as np

from . import _core
from ._array import Array, _wrap, to_array
from ._blockwise import _build, map_blocks
from ._numpy_api import implements

__all__ = ["histogram", "histogram2d", "histogramdd", "bincount", "digitize", "isin", "searchsorted"]


def _is_int(v):
    return isinstance(v, (numbers.Integral, np.integer)) and not isinstance(v, (bool, np.bool_))


def _sum_blocks(counts, nd):
    return counts.sum(axis=tuple(range(nd))) if nd else counts


@implements("histogram")
def histogram(a, bins=None, range=None, normed=False, weights=None, density=None):
    """``numpy.histogram`` as ``dask.array.histogram``: returns ``(hist, bin_edges)``, hist
    lazy, bin_edges a NumPy array. `bins` is a number (with `range`) or increasing edges."""
    op = "histogram"
    if normed:
        raise ValueError(f"{op}: normed= was removed from NumPy; use density=")
    if isinstance(bins, Array) or isinstance(range, Array):
        raise NotImplementedError(f"{op}: bins and range must be known when the expression is built (not tessera arrays)")
    a = to_array(a, op)
    if a.dtype == np.bool_:
        a = a.astype(np.uint8)
    if bins is None or (_is_int(bins) and range is None):
        # Dask's error (the data's extent is not known when the expression is built)
        raise ValueError(f"{op}: dask.array.histogram requires either specifying bins as an iterable or specifying "
                         f"both a range and the number of bins (got bins={bins!r}, range={range!r})")
    if _is_int(bins):
        nbins = int(bins)
        if nbins < 1:
            raise ValueError(f"{op}: bins={bins!r} must be a positive integer")
        edges = np.histogram_bin_edges(np.empty(0, dtype=a.dtype), nbins, range=range)
        kind = "uniform"
    else:
        if range is not None:
            raise ValueError(f"{op}: range= is only used with a number of bins, got bins of shape {np.shape(bins)}")
        edges = np.asarray(bins)
        if edges.ndim != 1 or edges.size < 2:
            raise ValueError(f"{op}: bins must be a number or a 1-d array of at least 2 edges, got {bins!r}")
        if np.any(edges[:-1] > edges[1:]):
            raise ValueError(f"{op}: bins must increase monotonically, when an array (got {bins!r})")
        kind = "edges"
    w = None
    if weights is not None:
        w = to_array(weights, op)
        if w.shape != a.shape:
            raise ValueError(f"{op}: weights should have the same shape as a: {w.shape} and {a.shape}")
    counts = _wrap(_core.block_counts(a._c, None if w is None else w._c, kind, [float(e) for e in edges], 0, op))
    hist = _sum_blocks(counts, a.ndim)
    if w is not None and w.dtype != np.float64:
        hist = hist.astype(w.dtype)
    if density:
        db = np.diff(edges).astype(np.float64)
        hist = hist / db / hist.sum()
    return hist, edges


def _dd_edges(bins, range, d, op):
    """NumPy's histogramdd edges per dimension, from numbers with a range, or edges."""
    if _is_int(bins) or bins is None:
        bins = [10 if bins is None else int(bins)] * d
    if len(bins) != d:
        raise ValueError(f"{op}: the dimension of bins ({len(bins)}) must equal the dimension of the sample ({d})")
    ranges = [None] * d if range is None else list(range)
    if len(ranges) != d:
        raise ValueError(f"{op}: range must have one entry per dimension ({d}), got {range!r}")
    edges = []
    for i, (b, r) in enumerate(zip(bins, ranges)):
        if _is_int(b):
            if r is None:
                raise ValueError(f"{op}: with bins={b!r} in dimension {i}, range= is needed (the data's extent "
                                 "is not known when the expression is built)")
            lo, hi = float(r[0]), float(r[1])
            if lo > hi:
                raise ValueError(f"{op}: max must be larger than min in range parameter (dimension {i}: {r!r})")
            if lo == hi:
                lo, hi = lo - 0.5, hi + 0.5
            if b < 1:
                raise ValueError(f"{op}: bins[{i}]={b!r} must be a positive integer")
            edges.append(np.linspace(lo, hi, b + 1))
        else:
            e = np.asarray(b, dtype=float)
            if e.ndim != 1 or np.any(e[:-1] > e[1:]):
                raise ValueError(f"{op}: bins[{i}] must be a monotonically increasing 1-d array, got {b!r}")
            edges.append(e)
    return edges


@implements("histogramdd")
def histogramdd(sample, bins, range=None, normed=None, weights=None, density=None):
    """``numpy.histogramdd`` as ``dask.array.histogramdd``: `sample` is an (N, D) array or
    a sequence of D 1-d arrays; returns ``(hist, edges)``. NumPy counts every block with the
    same edges, and the per-block counts are summed."""
    op = "histogramdd"
    if normed:
        raise ValueError(f"{op}: normed= was removed from NumPy; use density=")
    if isinstance(sample, (list, tuple)):
        cols = [to_array(c, op) for c in sample]
        if any(c.ndim != 1 for c in cols) or len({c.shape for c in cols}) != 1:
            raise ValueError(f"{op}: a sequence sample must hold 1-d arrays of one length")
        cols = [c.rechunk(cols[0].chunks) for c in cols]
    else:
        s = to_array(sample, op)
        if s.ndim != 2:
            raise ValueError(f"{op}: sample must be 2-d (N, D) or a sequence of 1-d arrays, got shape {s.shape}")
        cols = [s[:, i] for i in builtins_range(s.shape[1])]
    d = len(cols)
    edges = _dd_edges(bins, range, d, op)
    w = None if weights is None else to_array(weights, op).rechunk(cols[0].chunks)
    nb = len(cols[0].chunks[0])

    def block(*args):
        *xs, wb = args if w is not None else (*args, None)
        h, _ = np.histogramdd(np.stack(xs, axis=-1) if xs[0].size else np.empty((0, d)), bins=edges, weights=wb)
        return h[None]

    arrays = cols + ([w] if w is not None else [])
    new = {k + 1: [len(e) - 1] for k, e in enumerate(edges)}
    out = _build(block, tuple(builtins_range(d + 1)), [(c, (0,)) for c in arrays], name=op, dtype=np.float64,
                 new_axes=new, adjust_chunks={0: [1] * nb}, concatenate=False, align=False, op=op, kwargs={})
    hist = out.sum(axis=0)
    if density:
        size = hist.sum()
        for i, e in enumerate(edges):
            shape = [1] * d
            shape[i] = len(e) - 1
            hist = hist / np.diff(e).reshape(shape)
        hist = hist / size
    return hist, edges


builtins_range = range


@implements("histogram2d")
def histogram2d(x, y, bins=10, range=None, normed=None, weights=None, density=None):
    """``numpy.histogram2d`` as ``dask.array.histogram2d``: ``(H, xedges, yedges)``."""
    hist, edges = histogramdd([x, y], bins if not _is_int(bins) and len(np.shape(bins)) != 1 or _is_int(bins) else [bins, bins],
                              range=range, normed=normed, weights=weights, density=density)
    return hist, edges[0], edges[1]


@implements("bincount")
def bincount(x, weights=None, minlength=0, split_every=None):
    """``numpy.bincount``: counts of each non-negative integer of 1-d `x` (weighted sums
    with `weights`). With `minlength` the output's length is `minlength` (a value at or
    above it is a ValueError when computing, where NumPy would lengthen the output);
    without it, ``max(x) + 1``, known when computed (an unknown size, as Dask's)."""
    op = "bincount"
    x = to_array(x, op)
    if x.ndim != 1:
        raise ValueError(f"{op}: x must be 1-d, got shape {x.shape}")
    if x.dtype.kind not in "iub":
        raise TypeError(f"{op}: cannot cast array data from dtype('{x.dtype}') to dtype('int64') according to the rule 'safe'")
    if not _is_int(minlength) or minlength < 0:
        raise ValueError(f"{op}: minlength must be a non-negative integer, got {minlength!r}")
    w = None
    if weights is not None:
        w = to_array(weights, op)
        if w.shape != x.shape:
            raise ValueError(f"{op}: the weights and list don't have the same length ({w.shape} and {x.shape})")
    if minlength == 0 and x.size:
        # As Dask: the length (max(x) + 1) is known when computed (phase 1 computes max(x)).
        import math

        from ._unknown import leaf

        dtype = np.int64 if w is None else np.result_type(w.dtype, np.float64)
        return leaf(((math.nan,),), dtype, op, (x.max(),),
                    lambda m: bincount(x, weights, max(int(m) + 1, 1), split_every))
    if minlength == 0:
        from ._creation import zeros

        return zeros(0, dtype=np.int64)  # NumPy's bincount of nothing, weighted or not
    counts = _wrap(_core.block_counts(x._c, None if w is None else w._c, "int", [], int(minlength), op))
    # NumPy's weighted bincount of nothing is int64 zeros (float64 otherwise)
    return counts.sum(axis=0).astype(np.int64) if x.size == 0 else counts.sum(axis=0)


@implements("digitize")
def digitize(a, bins, right=False):
    """``numpy.digitize`` with `bins` known when the expression is built (as Dask)."""
    op = "digitize"
    if isinstance(bins, Array):
        raise NotImplementedError(f"{op}: bins must be a NumPy array or a list, not a tessera array")
    bins = np.asarray(bins)
    np.digitize(np.empty(0), bins, right=right)  # NumPy's checks of bins (ValueError)
    a = to_array(a, op)
    return map_blocks(np.digitize, a, bins=bins, right=right, dtype=np.int64, name=op)


def _pairwise(op, f, a, b, reduce):
    """`f(block of a, block of b)` for every pair (a's blocks by b's blocks along a new
    last axis), reduced over b's blocks by `reduce` ("sum" or "any")."""
    nd = a.ndim
    out = _build(lambda x, y: np.asarray(f(x, y))[..., None], tuple(builtins_range(nd + 1)),
                 [(a, tuple(builtins_range(nd))), (b, (nd,))], name=op, dtype=np.int64 if reduce == "sum" else np.bool_,
                 new_axes=None, adjust_chunks={nd: [1] * len(b.chunks[0])}, concatenate=False, align=False,
                 op=op, kwargs={})
    return out.sum(axis=nd) if reduce == "sum" else out.any(axis=nd)


@implements("isin")
def isin(element, test_elements, assume_unique=False, invert=False, *, kind=None):
    """``numpy.isin``: whether each element is in `test_elements` (a tessera array's
    blocks are each tested and the answers combined with ``any``)."""
    op = "isin"
    element = to_array(element, op)
    if isinstance(test_elements, Array):
        t = test_elements.ravel()
        r = _pairwise(op, lambda x, y: np.isin(x, y, assume_unique=assume_unique, kind=kind), element, t, "any")
    else:
        t = np.asarray(test_elements)
        r = map_blocks(np.isin, element, test_elements=t, assume_unique=assume_unique, kind=kind, dtype=np.bool_, name=op)
    return ~r if invert else r


@implements("searchsorted")
def searchsorted(a, v, side="left", sorter=None):
    """``numpy.searchsorted`` of `v` into sorted 1-d `a`: every block of `a` answers for
    every block of `v`, and the answers (counts before `v` in each block) are summed."""
    op = "searchsorted"
    if side not in ("left", "right"):
        raise ValueError(f"{op}: side must be 'left' or 'right', got {side!r}")
    a = to_array(a, op)
    if a.ndim != 1:
        raise ValueError(f"{op}: a must be 1-d, got shape {a.shape}")
    if sorter is not None:
        from ._fancy import take
        from ._unknown import lift, unresolved

        a = take(a, sorter)  # a lazy sorter (argsort's) is read when computed
        if unresolved(a):
            return lift(lambda sa: searchsorted(sa, v, side), (a,), {}, op)
    v = to_array(v, op)
    return _pairwise(op, lambda x, y: np.searchsorted(y, x, side=side), v, a, "sum")
