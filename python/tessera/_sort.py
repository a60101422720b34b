"""``sort`` and ``argsort`` along any axis at any chunking (Dask has neither: dask#4368).

Every block is first sorted along the axis on its own (NumPy's sort, in parallel: it
releases the GIL); when the axis has several chunks, each row of blocks is then joined
whole along the axis and merged by NumPy's stable sort, which finds the sorted runs and
merges them (timsort for floats, radix sort for small integers); the result has the
input's chunks. ``argsort`` sorts (value, index) the same way, stable when asked, so its
ties are NumPy's stable order.

A 1-d array (``axis=None`` included) larger than ``SAMPLE_SORT_MIN_BYTES`` or a quarter
of the memory limit is sorted by a sample sort instead (``_sample_sort``): no task holds
more than about 2.5 blocks, and the sorted runs are kept under the memory limit
(spilled). Its split positions are found at compute time, so the result is
an array of known chunks resolved in phases (see ``_unknown``). Rows of n-d arrays use
the whole-row merge (the other axes' chunks bound their size).
"""

from __future__ import annotations

import numbers

import numpy as np

from ._array import Array, to_array
from ._blockwise import map_blocks
from ._numpy_api import implements

__all__ = ["sort", "argsort"]

_KINDS = (None, "quicksort", "mergesort", "heapsort", "stable")


def _args(a, axis, kind, order, stable, op):
    if order is not None:
        raise ValueError(f"{op}: order= needs a structured dtype, which tessera does not have")
    if kind not in _KINDS:
        raise ValueError(f"{op}: kind must be one of {_KINDS[1:]}, got {kind!r}")
    if stable is not None:
        if kind is not None:
            raise ValueError(f"{op}: `kind` and `stable` parameters can't be provided at the same time (kind={kind!r}, stable={stable!r})")
        kind = "stable" if stable else None
    a = to_array(a, op)
    if axis is None:
        a, axis = a.ravel(), 0
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (numbers.Integral, np.integer)):
        raise TypeError(f"{op}: axis must be None or an integer, got {axis!r}")
    if a.ndim == 0 or not -a.ndim <= axis < a.ndim:
        from numpy.exceptions import AxisError

        raise AxisError(f"{op}: axis {axis} is out of bounds for array of dimension {a.ndim}")
    return a, int(axis) % a.ndim, kind


def _whole_along(a, axis):
    return a.rechunk({axis: -1, **{k: "auto" for k in range(a.ndim) if k != axis}})


def _descending(descending, op):
    if not isinstance(descending, (bool, np.bool_)):
        raise TypeError(f"{op}: descending must be a bool, got {descending!r}")
    return bool(descending)


@implements("sort")
def sort(a, axis=-1, kind=None, order=None, *, stable=None, descending=False):
    """``numpy.sort`` along `axis` (flattened for None); ``descending`` (the Array API's)
    reverses the order."""
    if _descending(descending, "sort"):
        from ._layout import flip

        a, axis, _ = _args(a, axis, kind, order, stable, "sort")
        if _use_sample_sort(a):
            return _sample_sort(a, kind, False, descending=True)
        return flip(sort(a, axis, kind, order, stable=stable), axis)
    a, axis, kind = _args(a, axis, kind, order, stable, "sort")
    if _use_sample_sort(a):
        return _sample_sort(a, kind, False)
    if a.numblocks[axis] <= 1:
        return map_blocks(np.sort, a, axis=axis, kind=kind, dtype=a.dtype, name="sort")
    runs = map_blocks(np.sort, a, axis=axis, kind=kind, dtype=a.dtype, name="sort-block")
    merged = map_blocks(np.sort, _whole_along(runs, axis), axis=axis, kind="stable", dtype=a.dtype, name="sort-merge")
    return merged.rechunk(a.chunks)


@implements("argsort")
def argsort(a, axis=-1, kind=None, order=None, *, stable=None, descending=False):
    """``numpy.argsort`` along `axis` (flattened for None): int64 indices. ``descending``
    (the Array API's) keeps ties in their original order: the reversed input sorted
    stably, reversed, its indices mapped back."""
    if _descending(descending, "argsort"):
        from ._layout import flip

        a, axis, _ = _args(a, axis, kind, order, stable, "argsort")
        if _use_sample_sort(flip(a, 0)):  # (flip drops empty chunks)
            return _sample_sort(flip(a, 0), kind, True, descending=True)
        r = flip(argsort(flip(a, axis), axis, kind, order, stable=stable), axis)
        return (a.shape[axis] - 1) - r
    a, axis, kind = _args(a, axis, kind, order, stable, "argsort")
    if kind is None and stable is None:
        # Stable by default: the Array API's default, and one of the orders NumPy's
        # unstable default may give (ties in input order).
        kind = "stable"
    if _use_sample_sort(a):
        return _sample_sort(a, kind, True)
    whole = a if a.numblocks[axis] <= 1 else _whole_along(a, axis)
    r = map_blocks(np.argsort, whole, axis=axis, kind=kind, dtype=np.int64, name="argsort")
    return r if whole is a else r.rechunk(a.chunks)


# -- the sample sort: 1-d rows larger than a memory share ---------------------------------
# A row at least this large, or at least a quarter of the memory limit when one is set,
# is sorted by the sample sort; smaller rows by the whole-row merge, which stays one
# known expression (no phases) and is as fast where a row fits in memory.
SAMPLE_SORT_MIN_BYTES = 256 << 20
_SAMPLES = 1024


def _use_sample_sort(a):
    from . import config

    if a.ndim != 1 or a.numblocks[0] < 2 or a.size == 0 or a.dtype.kind not in "biuf":
        return False
    limit = config.compute_memory_limit()
    threshold = SAMPLE_SORT_MIN_BYTES if not limit else min(SAMPLE_SORT_MIN_BYTES, limit // 4)
    return a.nbytes >= threshold


def _sorted_run(b, kind):
    return np.sort(b, kind=kind)


def _run_indices(b, starts, block_id=None):
    return np.argsort(b, kind="stable") + starts[block_id[0]]


def _run_values(b, idx, starts, block_id=None):
    return b[idx - starts[block_id[0]]]


def _positions(n):
    """The regular sample's positions in a run of n (its first and last element included)."""
    return np.unique(np.linspace(0, n - 1, min(_SAMPLES, n)).astype(np.int64)) if n else np.zeros(0, np.int64)


def _brackets(sizes, samples, ranks):
    """Per rank R, values (lo, hi) between which the element of rank R lies, from every run's
    regular samples: count(< lo) <= R is certain (upper bounds), so is count(<= hi) > R."""
    cand = np.sort(np.concatenate([s for s in samples if s.size]))
    upper_lt = np.zeros(cand.size, np.int64)
    lower_le = np.zeros(cand.size, np.int64)
    for n, s in zip(sizes, samples):
        if not n:
            continue
        pos = _positions(n)
        c = np.searchsorted(s, cand, "left")
        upper_lt += np.where(c < s.size, pos[np.minimum(c, s.size - 1)], n)
        c = np.searchsorted(s, cand, "right")
        lower_le += np.where(c > 0, pos[np.maximum(c - 1, 0)] + 1, 0)
    lo = np.searchsorted(upper_lt, ranks, "right") - 1  # both are non-decreasing
    hi = np.searchsorted(lower_le, ranks, "right")
    return cand[np.maximum(lo, 0)], lo >= 0, cand[np.minimum(hi, cand.size - 1)], hi < cand.size


def _counts(b, lo, has_lo, hi, has_hi):
    """count(< lo), count(<= lo), count(< hi), count(<= hi) per boundary in a sorted run."""
    n = b.size
    out = [np.where(has_lo, np.searchsorted(b, lo, "left"), 0), np.where(has_lo, np.searchsorted(b, lo, "right"), 0),
           np.where(has_hi, np.searchsorted(b, hi, "left"), n), np.where(has_hi, np.searchsorted(b, hi, "right"), n)]
    return np.stack(out, axis=1).astype(np.int64).ravel()


def _same(x, y):
    return x == y or (x != x and y != y)


def _split(q, r, lo, hi, has_lo, has_hi, counts, between):
    """Exact split positions in every run for rank r: the element of rank r has value v
    (count(< v) <= r < count(<= v)); runs earlier in order take their ties of v first."""
    per = []
    for i, c in enumerate(counts):
        lt_lo, le_lo, lt_hi, le_hi = (int(x) for x in c[q])
        vals, cnt = [], []
        if has_lo[q]:
            vals.append(lo[q:q + 1]), cnt.append([le_lo - lt_lo])
        u, uc = np.unique(between[i][q], return_counts=True)
        vals.append(u), cnt.append(uc)
        if has_hi[q] and not (has_lo[q] and _same(lo[q], hi[q])):
            vals.append(hi[q:q + 1]), cnt.append([le_hi - lt_hi])
        per.append((lt_lo, np.concatenate(vals), np.concatenate(cnt).astype(np.int64)))
    allv = np.unique(np.concatenate([v for _, v, _ in per]))
    lt = np.zeros((len(per), allv.size + 1), np.int64)
    for i, (base, v, c) in enumerate(per):
        cnt = np.zeros(allv.size, np.int64)
        np.add.at(cnt, np.searchsorted(allv, v), c)
        lt[i] = base + np.concatenate([[0], np.cumsum(cnt)])
    t = int(np.searchsorted(lt.sum(axis=0)[1:], r, "right"))  # the first value with count(<= v) > r
    below, eq = lt[:, t], lt[:, t + 1] - lt[:, t]
    before = np.concatenate([[0], np.cumsum(eq)[:-1]])
    return below + np.clip(r - int(below.sum()) - before, 0, eq)


def _split_table(sizes, ranks, bounds, counts, between):
    """Split positions of every run at every output boundary (0 and the sizes at the ends)."""
    full = np.array(sizes, np.int64)
    out = [np.zeros(len(sizes), np.int64)]
    for q, r in enumerate(ranks):
        out.append(np.zeros_like(full) if r == 0 else full if r == full.sum() else _split(q, r, *bounds, counts, between))
    return out + [full]


def _merge_values(b, descending):
    s = np.sort(b, kind="stable")
    return s[::-1] if descending else s


def _merge_indices(v, i, descending, n):
    # descending (of the reversed input, see argsort): reversed, indices mapped back
    r = i[np.argsort(v, kind="stable")]
    return (n - 1) - r[::-1] if descending else r


def _sample_sort(a, kind, arg, descending=False):
    """Sorts 1-d ``a`` (several chunks) in bounded memory, resolved at compute time:

    1. every block is sorted (argsort: stably, with global indices) and kept (persisted:
       spilled to disk under the memory limit), with a regular sample of each run;
    2. from the samples, a value bracket for every output boundary (the output has the
       input's chunks); each run sends the distinct values of its bracket with counts;
    3. exact split positions (co-ranking: ties go to earlier runs, so argsort is stable by
       global index), then output block j merges its slice of every run.

    The runs are kept in 4k sub-blocks each, so that a slice reads (from disk, when
    spilled) about its own size, not its whole run: a run is read about 1.5 times in all,
    not k times, and an output task holds about 2.5 output blocks.
    """
    from ._creation import compute, persist
    from ._unknown import leaf

    sizes = [int(c) for c in a.chunks[0]]
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    # output block j is the ascending block j (descending: k - 1 - j, reversed)
    ranks = [int(r) for r in np.cumsum(sizes[::-1] if descending else sizes)[:-1]]

    def build():
        k = len(sizes)
        subs = [[len(p) for p in np.array_split(np.empty(n, np.int8), 4 * k) if len(p)] for n in sizes]
        sub = (tuple(c for s in subs for c in s),)
        if arg:
            idx = map_blocks(_run_indices, a, starts, dtype=np.int64, name="argsort-run")
            vals = map_blocks(_run_values, a, idx, starts, dtype=a.dtype, name="argsort-run")
            runs = persist(vals.rechunk(sub), idx.rechunk(sub))
        else:
            runs = persist(map_blocks(_sorted_run, a, kind, dtype=a.dtype, name="sort-run").rechunk(sub))
        vals = runs[0]
        samples = compute(*[vals[starts[i] + _positions(n)] for i, n in enumerate(sizes)])
        lo, has_lo, hi, has_hi = _brackets(sizes, samples, ranks)
        # per sub-block, then summed per run (a run's sub-blocks are sorted runs too)
        per_sub = map_blocks(_counts, vals, lo, has_lo, hi, has_hi, chunks=((4 * (k - 1),) * len(sub[0]),),
                             dtype=np.int64, name="sort-count").compute().reshape(-1, k - 1, 4)
        owner = np.repeat(np.arange(k), [len(s) for s in subs])
        counts = np.zeros((k, k - 1, 4), np.int64)
        np.add.at(counts, owner, per_sub)
        # the distinct values strictly inside each bracket: few (the samples bound them)
        between = compute(*[vals[starts[i] + int(counts[i, q, 1]):starts[i] + int(counts[i, q, 2])]
                            for i in range(k) for q in range(k - 1)])
        between = [between[i * (k - 1):(i + 1) * (k - 1)] for i in range(k)]
        splits = _split_table(sizes, ranks, (lo, hi, has_lo, has_hi), counts, between)
        return _assemble(runs, splits, starts, a.chunks, arg, descending)

    return leaf(a.chunks, np.int64 if arg else a.dtype, "argsort" if arg else "sort", (), build)


def _assemble(runs, splits, starts, chunks, arg, descending):
    """Output block j merges run i's slice splits[j][i]:splits[j + 1][i], for every i (each
    task reads the runs' sub-blocks that its slices overlap)."""
    from ._join import concatenate

    k = len(chunks[0])

    def pieces(r):
        out = []
        for j in (range(k - 1, -1, -1) if descending else range(k)):
            for i in range(k):
                s, e = int(splits[j][i]), int(splits[j + 1][i])
                if e > s:
                    out.append(r[starts[i] + s:starts[i] + e])
        return concatenate(out).rechunk(chunks)

    if arg:
        return map_blocks(_merge_indices, pieces(runs[0]), pieces(runs[1]), descending, sum(chunks[0]), dtype=np.int64,
                          name="argsort-merge")
    return map_blocks(_merge_values, pieces(runs[0]), descending, dtype=runs[0].dtype, name="sort-merge")


Array.argsort = lambda self, axis=-1, kind=None, order=None, *, stable=None, descending=False: argsort(
    self, axis, kind, order, stable=stable, descending=descending)
