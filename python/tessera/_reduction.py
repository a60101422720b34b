"""``reduction``: a reduction made of user Python functions, as ``dask.array.reduction``.

``chunk`` runs on every block (``keepdims=True``); the partial results then go up a tree:
groups of ``split_every`` neighbouring blocks along the reduced axes are joined into one
block (a rechunk of the small array of partial results, which is Dask's ``partial_reduce``)
and reduced by ``combine``, level after level, until ``aggregate`` reduces the last group.
The tree has Dask's shape for the same ``split_every`` (default 4), so floating-point
results take the same path.

Partial results travel between tasks as NumPy blocks, so ``chunk`` and ``combine`` must
return arrays that keep the reduced axes. Their dtype and their length along the reduced
axes are learned at build time by calling ``chunk`` (and ``combine``) on a one-element
block; when that call fails, the partial results are taken to be of ``dtype`` and
``output_size`` long, as Dask declares them. A function that returns anything else is
stopped with an error naming it and the block.
"""

from __future__ import annotations

import functools
import inspect
import math
import numbers

import numpy as np

from . import config
from ._array import dtype_name, to_array
from ._blockwise import _build, funcname
from ._creation import broadcast_to

__all__ = ["reduction"]

_OP = "reduction"


def validate_axis(axis, ndim, op):
    """`axis` (None, an integer or a sequence) as a tuple of non-negative axes in the given
    order; out-of-range axes raise NumPy's ``AxisError``, repeated ones ``ValueError``."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, numbers.Integral) and not isinstance(axis, bool):
        axis = (axis,)
    try:
        axis = tuple(axis)
    except TypeError:
        raise TypeError(f"{op}: axis must be None, an integer or a tuple of integers, got {axis!r}") from None
    out = []
    for a in axis:
        if isinstance(a, (bool, np.bool_)) or not isinstance(a, numbers.Integral):
            raise TypeError(f"{op}: axis must be None, an integer or a tuple of integers, got {axis!r}")
        if not -ndim <= a < ndim:
            from numpy.exceptions import AxisError

            raise AxisError(f"{op}: axis {a} is out of bounds for array of dimension {ndim}")
        out.append(int(a) % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: duplicate value in 'axis': {axis}")
    return tuple(out)


def _takes_dtype(func) -> bool:
    """Whether `func` has a positional-or-keyword ``dtype`` parameter (Dask passes it then)."""
    while isinstance(func, functools.partial):
        func = func.func
    func = getattr(func, "__wrapped__", func)
    try:
        spec = inspect.getfullargspec(func.__init__ if isinstance(func, type) else func)
    except TypeError:
        return False
    return "dtype" in spec.args


def _split(block, axes, k):
    """The blocks a joined block was made of (each `k[a]` long along the reduced axes), as
    nested lists, one level per reduced axis in increasing order (Dask's layout when
    ``concatenate=False``)."""

    def rec(b, i):
        if i == len(axes):
            return b
        a = axes[i]
        n = b.shape[a] // k[a] if k[a] else 1
        pre = (slice(None),) * a
        return [rec(b[pre + (slice(j * k[a], (j + 1) * k[a]),)], i + 1) for j in range(n)]

    return rec(block, 0)


def _check_split_every(split_every, axes, ndim):
    """Dask's normalisation: a dict ``{axis: fan-in}`` (2 for reduced axes it lacks), or an
    integer spread over the reduced axes (at least 2 each)."""
    if isinstance(split_every, dict):
        # as in Dask, entries for axes that are not reduced are ignored
        norm = {int(k) % ndim: v for k, v in split_every.items()
                if isinstance(k, numbers.Integral) and not isinstance(k, bool) and -ndim <= k < ndim}
        out = {a: norm.get(a, 2) for a in axes}
    elif isinstance(split_every, numbers.Integral) and not isinstance(split_every, bool):
        n = max(int(split_every ** (1 / (len(axes) or 1))), 2)
        out = dict.fromkeys(axes, n)
    else:
        raise ValueError(f"{_OP}: split_every must be a int or a dict, got {split_every!r}")
    for a, v in out.items():
        if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 2:
            raise ValueError(f"{_OP}: `split_every` for axis {a} must be an integer of at least 2, got {v!r}")
        out[a] = int(v)
    return out


def _partial_spec(r, ndim, axes, role, name):
    """The dtype and reduced-axis lengths of a partial result `r` seen on the probe."""
    if not hasattr(r, "shape") or not hasattr(r, "dtype"):
        raise TypeError(
            f"{_OP}({name}): `{role}` returned {type(r).__name__}; tessera passes partial results between tasks as "
            "NumPy arrays, so `chunk` and `combine` must return arrays that keep the reduced axes"
        )
    r = np.asarray(r)
    if r.ndim != ndim:
        raise ValueError(
            f"{_OP}({name}): `{role}` must keep the reduced axes (it is called with keepdims=True), but for a block "
            f"of shape {(1,) * ndim} it returned shape {r.shape}"
        )
    return np.dtype(dtype_name(r.dtype, _OP)), {a: r.shape[a] for a in axes}


def reduction(x, chunk, aggregate, axis=None, keepdims=False, dtype=None, split_every=None, combine=None, name=None,
              out=None, concatenate=True, output_size=1, meta=None, weights=None):
    """A reduction of user functions, as ``dask.array.reduction``.

    ``chunk(x_chunk, [weights_chunk,] axis=, keepdims=True)`` reduces every block;
    ``combine(x, axis=, keepdims=True)`` (default: ``aggregate``) reduces groups of
    ``split_every`` partial results; ``aggregate(x, axis=, keepdims=)`` gives the result,
    ``output_size`` long along each reduced axis when ``keepdims=True``. `axis` reaches the
    functions as a tuple of non-negative axes. With ``concatenate=False`` the functions get
    nested lists of the partial blocks instead of one joined block. ``dtype`` is required:
    the result is cast to it. ``weights`` are broadcast to `x` and passed to ``chunk``.
    """
    for what, f in (("chunk", chunk), ("aggregate", aggregate)):
        if not callable(f):
            raise TypeError(f"{_OP}: `{what}` must be callable, not {type(f).__name__}")
    if combine is not None and not callable(combine):
        raise TypeError(f"{_OP}: `combine` must be callable or None, not {type(combine).__name__}")
    if out is not None:
        raise NotImplementedError(f"{_OP}: out= is not supported (tessera arrays are immutable)")
    if dtype is None:
        raise ValueError(f"{_OP}: Must specify dtype")
    dt = np.dtype(dtype_name(dtype, _OP))
    if isinstance(output_size, bool) or not isinstance(output_size, numbers.Integral) or output_size < 1:
        raise ValueError(f"{_OP}: `output_size` must be a positive integer, got {output_size!r}")
    output_size = int(output_size)
    x = to_array(x)
    ndim = x.ndim
    axes = validate_axis(axis, ndim, _OP)
    reduced = sorted(axes)
    if _takes_dtype(chunk):
        chunk = functools.partial(chunk, dtype=dt)
    if _takes_dtype(aggregate):
        aggregate = functools.partial(aggregate, dtype=dt)
    inds = tuple(range(ndim))
    argpairs = [(x, inds)]
    if weights is not None:
        w = to_array(weights)
        if w.shape != x.shape:
            try:
                w = broadcast_to(w, x.shape)
            except ValueError:
                raise ValueError(
                    f"{_OP}: Weights with shape {w.shape} are not broadcastable to x with shape {x.shape}"
                ) from None
        if w.chunks != x.chunks:
            w = w.rechunk(x.chunks)
        argpairs.append((w, inds))
    sp = _check_split_every(split_every or config.get("split_every", None) or 4, axes, ndim)

    # What partial results look like: ask chunk (and combine) about a one-element block.
    probe = [np.ones((1,) * ndim, dtype=a.dtype) for a, _ in argpairs]
    chunk_dtype, chunk_k = dt, dict.fromkeys(axes, output_size)
    try:
        with np.errstate(all="ignore"):
            r = chunk(*probe, axis=axes, keepdims=True)
    except Exception:
        r = None
    if r is not None:
        chunk_dtype, chunk_k = _partial_spec(r, ndim, axes, "chunk", name or funcname(chunk))
    combine_fn = combine or aggregate
    comb_dtype, comb_k = chunk_dtype, chunk_k
    if r is not None:
        try:
            with np.errstate(all="ignore"):
                c = combine_fn(r if concatenate else _split(np.asarray(r), reduced, chunk_k), axis=axes, keepdims=True)
        except Exception:
            c = None
        if c is not None:
            comb_dtype, comb_k = _partial_spec(c, ndim, axes, "combine" if combine else "aggregate",
                                               name or funcname(combine_fn))

    def step(fn, role, fname, in_k, out_k, keep, split):
        """`fn` on one block (the chunk step) or one joined group of partial blocks, with the
        shape of its result checked."""

        def call(block, *more, **kw):
            arg = _split(block, reduced, in_k) if split else block
            res = fn(arg, *more, **kw)
            r = np.asarray(res)
            want = tuple(
                (out_k[a] if keep else None) if a in axes else s for a, s in enumerate(block.shape)
            )
            want = tuple(s for s in want if s is not None)
            if r.shape != want:
                raise ValueError(
                    f"{_OP}({fname}): `{role}` returned shape {r.shape} for a block of shape {block.shape}, but the "
                    f"partial results are {tuple(out_k[a] for a in reduced)} long along the reduced axes {tuple(reduced)}"
                    + (" (learned by calling chunk/combine on a one-element block, else `output_size`)" if keep else "")
                    + f", so it must have shape {want}"
                )
            return r

        return call

    # chunk on every block
    cname = name or funcname(chunk)
    cur = _build(step(chunk, "chunk", cname, None, chunk_k, True, False), inds, argpairs, name=cname, dtype=chunk_dtype,
                 new_axes=None, adjust_chunks={a: chunk_k[a] for a in axes} or None, concatenate=True, align=False,
                 op=_OP, kwargs={"axis": axes, "keepdims": True})
    cur_k = chunk_k
    depth = 1
    for i, n in enumerate(cur.numblocks):
        if i in sp and sp[i] != 1 and n > 0:
            depth = int(max(depth, math.ceil(math.log(n, sp[i]))))

    def group(a, k, final):
        """`a` with groups of split_every partial blocks joined (all of them when `final`)."""
        spec = list(a.chunks)
        for ax in axes:
            nb = a.numblocks[ax]
            per = nb if final else sp[ax]
            spec[ax] = tuple(k[ax] * min(per, nb - s) for s in range(0, nb, per))
        spec = tuple(spec)
        return a.rechunk(spec) if spec != a.chunks else a

    pname = (name or funcname(combine_fn)) + "-partial"
    for _ in range(depth - 1):
        g = group(cur, cur_k, False)
        cur = _build(step(combine_fn, "combine" if combine else "aggregate", pname, cur_k, comb_k, True, not concatenate),
                     inds, [(g, inds)], name=pname, dtype=comb_dtype, new_axes=None,
                     adjust_chunks={a: comb_k[a] for a in axes} or None, concatenate=True, align=False, op=_OP,
                     kwargs={"axis": axes, "keepdims": True})
        cur_k = comb_k
    aname = (name or funcname(aggregate)) + "-aggregate"
    g = group(cur, cur_k, True)
    out_k = dict.fromkeys(axes, output_size)
    agg = step(aggregate, "aggregate", aname, cur_k, out_k, keepdims, not concatenate)
    if keepdims:
        return _build(agg, inds, [(g, inds)], name=aname, dtype=dt, new_axes=None,
                      adjust_chunks={a: output_size for a in axes} or None, concatenate=True, align=False, op=_OP,
                      kwargs={"axis": axes, "keepdims": True})
    out_ind = tuple(i for i in inds if i not in axes)
    return _build(agg, out_ind, [(g, inds)], name=aname, dtype=dt, new_axes=None, adjust_chunks=None,
                  concatenate=True, align=False, op=_OP, kwargs={"axis": axes, "keepdims": False})
