"""Sizes known only at run time (Dask's ``nan`` chunks) and two-phase computation.

An ``UnknownArray`` is a lazy array whose expression cannot be built yet, because its
chunk sizes (or, for lazy integer indices, the index values) depend on data. It holds

- *needs*: known arrays whose computed values it waits for (per-block counts of a mask,
  a lazy index), and a ``build(values...)`` that makes the known expression from them; or
- *deps*: other unknown arrays, and a ``build(arrays...)`` that applies an operation to
  them once they are known (elementwise operations, reductions, indexing on known axes).

Computing resolves the tree in phases: every need whose inputs are known is computed in
one run (phase 1, shared work done once), the builds make known expressions, and the
rest repeats until the roots are known (phase 2 computes them). ``compute_chunk_sizes()``
keeps the known expression. Operations Dask refuses on unknown sizes (reshape, rechunk,
slicing an unknown axis, ...) reach the core expression and raise Dask's ValueError.

What an operation does to chunks is found without knowing the sizes: it is built twice
on stand-in arrays whose unknown chunks are 2 and 3 elements; chunks that differ are
unknown. Only operations whose chunks follow their inputs' are lifted this way.
"""

from __future__ import annotations

import functools
import itertools
import math

import numpy as np

from . import _core
from ._array import Array, _wrap, dtype_name

unknown_chunk_message = (
    "\n\n"
    "A possible solution: "
    "https://docs.dask.org/en/latest/array-chunks.html#unknown-chunks\n"
    "Summary: to compute chunks sizes, use\n\n"
    "   x.compute_chunk_sizes()  # for Dask Array `x`\n"
    "   ddf.to_dask_array(lengths=True)  # for Dask DataFrame `ddf`"
)

_ids = itertools.count()
_FAKES = (2, 3)


def unknown_error(extra=""):
    return ValueError(f"Arrays chunk sizes are unknown. {extra}{unknown_chunk_message}")


def unresolved(v) -> bool:
    return isinstance(v, UnknownArray) and v._known is None


def _known_of(v):
    return v._known if isinstance(v, UnknownArray) and v._known is not None else v


def _isnan(c) -> bool:
    return isinstance(c, float) and math.isnan(c)


class UnknownArray(Array):
    """A tessera array whose chunk sizes (some of them ``nan``) or values of an index are
    known only when computed; see the module's docstring."""

    __slots__ = ("_needs", "_deps", "_build", "_uchunks", "_udtype", "_known", "_op", "_uid", "_masked")

    # -- state ---------------------------------------------------------------------------
    @property
    def _c(self):
        if self._known is not None:
            return self._known._c
        raise unknown_error()

    def _meta_or(self, name, value):
        return getattr(self._known, name) if self._known is not None else value

    @property
    def chunks(self):
        return self._meta_or("chunks", self._uchunks)

    @property
    def shape(self):
        return self._meta_or("shape", tuple(math.nan if any(map(_isnan, c)) else sum(c) for c in self._uchunks))

    @property
    def dtype(self):
        return self._udtype

    @property
    def ndim(self):
        return len(self._uchunks)

    @property
    def numblocks(self):
        return self._meta_or("numblocks", tuple(len(c) for c in self._uchunks))

    @property
    def npartitions(self):
        return self._meta_or("npartitions", math.prod(len(c) for c in self._uchunks))

    @property
    def chunksize(self):
        return self._meta_or("chunksize", tuple(math.nan if any(map(_isnan, c)) else max(c, default=0)
                                                for c in self._uchunks))

    @property
    def size(self):
        return self._meta_or("size", math.prod(self.shape))

    @property
    def nbytes(self):
        return self._meta_or("nbytes", self.size * self._udtype.itemsize)

    @property
    def itemsize(self):
        return self._udtype.itemsize

    @property
    def name(self):
        if self._known is not None:
            return self._known.name
        return f"{self._op}-{self._uid:032x}"

    def __len__(self):
        if self._known is not None:
            return len(self._known)
        if not self._uchunks:
            raise TypeError("len() of unsized object")
        if any(map(_isnan, self._uchunks[0])):
            raise ValueError(f"Cannot call len() on object with unknown chunk size.{unknown_chunk_message}")
        return int(sum(self._uchunks[0]))

    def __repr__(self):
        if self._known is not None:
            return repr(self._known)
        return (f"tessera.array<{self._op}, shape={self.shape}, dtype={self._udtype}, chunksize={self.chunksize}, "
                "chunktype=numpy.ndarray>")

    __str__ = __repr__

    def _repr_html_(self):
        return repr(self) if self._known is None else self._known._repr_html_()

    def __hash__(self):
        return id(self)

    # -- computing -----------------------------------------------------------------------
    def compute(self, scheduler=None, num_workers=None, optimize_graph=True, _progress=None, **kwargs):
        """Computes the array: phase 1 computes what its sizes depend on, phase 2 the array."""
        run = dict(scheduler=scheduler, num_workers=num_workers, optimize_graph=optimize_graph, **kwargs)
        known = resolve_all([self], run)[0]
        return known.compute(_progress=_progress, **run)

    def _resolved(self):
        return self._known if self._known is not None else resolve_all([self], {})[0]

    # Converting to a Python scalar computes (as on any array): the sizes first.
    def __bool__(self):
        return self._resolved().__bool__()

    def __int__(self):
        return self._resolved().__int__()

    def __float__(self):
        return self._resolved().__float__()

    def __complex__(self):
        return self._resolved().__complex__()

    def __index__(self):
        return self._resolved().__index__()

    def compute_chunk_sizes(self):
        """Computes the unknown chunk sizes; the array keeps them (in place, as Dask's) and is
        returned. Only sizes are kept, not the values (a mask is applied again when the
        array is computed)."""
        if self._known is None:
            self._known = resolve_all([self], {})[0]
        return self

    def persist(self, **kwargs):
        return resolve_all([self], kwargs)[0].persist(**kwargs)

    def explain(self) -> str:
        """The phases: what phase 1 computes (sizes, index values), then phase 2's plan once
        they are known (``compute_chunk_sizes()`` first to see it)."""
        if self._known is not None:
            return self._known.explain()
        lines, seen = [], set()

        def walk(u, depth):
            if not unresolved(u) or id(u) in seen:
                return
            seen.add(id(u))
            pad = "  " * depth
            if u._needs:
                lines.append(f"{pad}{u._op}: chunks {u._uchunks}; phase 1 computes {len(u._needs)} array(s):")
                for n in u._needs:
                    if unresolved(n):
                        walk(n, depth + 1)
                    else:
                        lines.extend(pad + "    " + s for s in n.explain().splitlines())
            else:
                lines.append(f"{pad}{u._op}: chunks {u._uchunks}; built when its inputs are known")
                for d in u._deps:
                    walk(d, depth + 1)

        walk(self, 0)
        lines.append("phase 2: the expression built from phase 1's results is computed")
        return "\n".join(lines)

    def visualize(self, *args, **kwargs):
        if self._known is not None:
            return self._known.visualize(*args, **kwargs)
        raise unknown_error()

    # -- NumPy protocols -----------------------------------------------------------------
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if kwargs.get("out") is not None:
            raise NotImplementedError(f"{ufunc.__name__}: out= is not supported (tessera arrays are immutable)")
        return lift(getattr(ufunc, method), inputs, kwargs, ufunc.__name__)

    def __array_function__(self, func, types, args, kwargs):
        if func.__name__ in LIFTED_FUNCTIONS:
            return lift(func, args, kwargs, func.__name__)
        return Array.__array_function__(self, func, types, args, kwargs)

    # -- indexing ------------------------------------------------------------------------
    def __getitem__(self, key):
        if self._known is not None:
            return self._known[key]
        return getitem(self, key)

    @property
    def T(self):
        return self.transpose()

    def ravel(self):
        if self._known is not None:
            return self._known.ravel()
        if self.ndim != 1:
            raise unknown_error()
        return self

    flatten = ravel


def _new_unknown(chunks, dtype, op, *, needs=(), deps=(), build):
    u = object.__new__(UnknownArray)
    u._uchunks = tuple(tuple(c) for c in chunks)
    u._udtype = np.dtype(dtype)
    u._needs, u._deps, u._build = tuple(needs), tuple(deps), build
    u._known, u._op, u._uid, u._masked = None, op, next(_ids), None
    return u


def leaf(chunks, dtype, op, needs, build):
    """An unknown array whose expression is ``build(*values)``, ``values`` being the
    computed ``needs`` (known or unknown arrays)."""
    return _new_unknown(chunks, dtype, op, needs=needs, build=build)


DDS_KEY = "array.data-dependent-shapes"


def sizes_computed() -> bool:
    """Whether data-dependent sizes are computed when the operation is built (the Array
    API's integer shapes) rather than left ``nan`` (Dask's unknown chunks, the default)."""
    from . import config

    v = config.get(DDS_KEY, "nan")
    if v not in ("nan", "compute"):
        raise ValueError(f"{config.source_of(config.canonical_name(DDS_KEY), v)} must be 'nan' (Dask's unknown "
                         f"sizes, the default) or 'compute' (sizes computed when the operation is built), got {v!r}")
    return v == "compute"


def settle(result):
    """``result`` (an array or a tuple of them) with its data-dependent sizes computed, in
    one run for all, when the configuration asks for it (``array.data-dependent-shapes``
    set to ``"compute"``); unchanged otherwise. Only sizes are kept, as by
    ``compute_chunk_sizes()``."""
    items = result if isinstance(result, tuple) else (result,)
    todo = [a for a in items if unresolved(a) and any(map(_isnan, itertools.chain(*a._uchunks)))]
    if todo and sizes_computed():
        for a, k in zip(todo, resolve_all(todo, {})):
            a._known = k
    return result


# -- resolving: the phases ---------------------------------------------------------------
def resolve_all(roots, run_kwargs):
    """The known arrays of ``roots`` (unknown or not), computing what their sizes depend on
    in as few runs as there are nested levels of unknown sizes."""
    from ._creation import compute

    memo = {}

    def get(v):
        if not unresolved(v):
            return _known_of(v)
        return memo[id(v)][1]

    def ready(v, pending):
        if not unresolved(v):
            return True
        if id(v) in memo:
            r = memo[id(v)][1]
            if unresolved(r):
                if not ready(r, pending):
                    return False
                memo[id(v)] = (v, get(r))
            return True
        if v._needs:
            if all([ready(n, pending) for n in v._needs]):
                pending[id(v)] = v
            return False
        if all([ready(d, pending) for d in v._deps]):
            memo[id(v)] = (v, v._build(*[get(d) for d in v._deps]))
            return ready(v, pending)
        return False

    while True:
        pending = {}
        if all([ready(r, pending) for r in roots]):
            return [get(r) for r in roots]
        leaves = list(pending.values())
        arrays = [get(n) for u in leaves for n in u._needs]
        values = compute(*arrays, traverse=False, **_run_only(run_kwargs))
        i = 0
        for u in leaves:
            k = len(u._needs)
            memo[id(u)] = (u, u._build(*values[i:i + k]))
            i += k


def _run_only(kw):
    return {k: v for k, v in kw.items() if k in ("scheduler", "num_workers", "optimize_graph") and v is not None}


# -- lifting operations whose chunks follow their inputs' -------------------------------
def _substitute(v, f, depth=0):
    if unresolved(v):
        return f(v)
    if isinstance(v, UnknownArray):
        return v._known
    if depth < 2 and isinstance(v, (list, tuple)) and type(v) in (list, tuple):
        return type(v)(_substitute(e, f, depth + 1) for e in v)
    return v


def _find(v, found, depth=0):
    if unresolved(v):
        found.setdefault(id(v), v)
    elif depth < 2 and type(v) in (list, tuple):
        for e in v:
            _find(e, found, depth + 1)


def has_unknown(args, kwargs) -> bool:
    for a in args:
        if isinstance(a, UnknownArray) or (type(a) in (list, tuple) and any(isinstance(e, UnknownArray) for e in a)):
            return True
    return any(isinstance(v, UnknownArray) for v in kwargs.values())


def stand_in(u, fake):
    """A known zero array with `u`'s dtype and chunks, unknown chunks being `fake` long."""
    chunks = [[fake if _isnan(c) else int(c) for c in ax] for ax in u._uchunks]
    shape = [sum(c) for c in chunks]
    return _wrap(_core.full(shape, False if u._udtype == bool else 0, dtype_name(u._udtype), chunks))


def _merged_chunks(a, b, op):
    ca, cb = a.chunks, b.chunks
    if len(ca) != len(cb) or any(len(x) != len(y) for x, y in zip(ca, cb)):
        raise unknown_error(f"{op}: the result's chunks depend on the unknown sizes. ")
    return tuple(tuple(x if x == y else math.nan for x, y in zip(p, q)) for p, q in zip(ca, cb))


def lift(fn, args, kwargs, op):
    """``fn(*args, **kwargs)`` for arguments holding unknown arrays: an unknown array (or a
    tuple of them) built once those are known."""
    found = {}
    _find(list(args), found)
    _find(list(kwargs.values()), found)
    deps = list(found.values())
    if not deps:
        return fn(*[_known_of(a) for a in args], **{k: _known_of(v) for k, v in kwargs.items()})
    outs = []
    for fake in _FAKES:
        stand = {id(u): stand_in(u, fake) for u in deps}
        sub = functools.partial(_substitute, f=lambda u: stand[id(u)])
        try:
            outs.append(fn(*[sub(a) for a in args], **{k: sub(v) for k, v in kwargs.items()}))
        except (ValueError, IndexError, TypeError) as e:
            # The message shows the stand-ins' sizes: say so.
            shapes = ", ".join(str(u.shape) for u in deps)
            raise type(e)(f"{e} (an operand has unknown sizes: {shapes}; the sizes above stand in for them; "
                          "x.compute_chunk_sizes() makes them known)") from None

    def build(*known):
        by_id = {id(u): k for u, k in zip(deps, known)}
        sub = functools.partial(_substitute, f=lambda u: by_id[id(u)])
        return fn(*[sub(a) for a in args], **{k: sub(v) for k, v in kwargs.items()})

    a, b = outs
    if isinstance(a, Array):
        return _new_unknown(_merged_chunks(a, b, op), a.dtype, op, deps=deps, build=build)
    if isinstance(a, tuple) and all(isinstance(e, Array) for e in a):
        whole = _new_unknown(((1,),), np.int8, op, deps=deps, build=lambda *k: _Tuple(build(*k)))
        return tuple(_new_unknown(_merged_chunks(x, y, op), x.dtype, op, deps=[whole],
                                  build=functools.partial(_pick, i=i))
                     for i, (x, y) in enumerate(zip(a, b)))
    raise unknown_error(f"{op}: needs known sizes. ")


class _Tuple:
    """Several results of one lifted call, built once and shared by its outputs."""

    __slots__ = ("items",)

    def __init__(self, items):
        self.items = items


def _pick(whole, i):
    return whole.items[i]


_FUSED = ("sum", "mean")
_REDUCE_ARGS = ("axis", "dtype", "keepdims", "split_every")


def fused_reduction(name, y, args, kwargs):
    """``sum``/``mean`` of ``x[m]`` along the masked axis (and others) as one pass over
    ``where(m, x, 0)``: a known expression, no phase 1. None where it does not apply."""
    if not isinstance(y, UnknownArray) or y._known is not None or y._masked is None or len(args) > 4:
        return None
    kw = dict(zip(_REDUCE_ARGS, args))
    for k, v in kwargs.items():
        if k in kw or (k not in _REDUCE_ARGS and not (k in ("out", "initial") and v is None)
                       and not (k == "where" and v is True)):
            return None
        if k in _REDUCE_ARGS:
            kw[k] = v
    x, m, axis = y._masked
    axes = kw.get("axis")
    if axes is None:
        axes = tuple(range(x.ndim))
    elif isinstance(axes, (int, np.integer)) and not isinstance(axes, (bool, np.bool_)):
        axes = (int(axes),)
    if not isinstance(axes, tuple) or any(not isinstance(a, (int, np.integer)) or not -x.ndim <= a < x.ndim
                                          for a in axes):
        return None
    axes = tuple(int(a) % x.ndim for a in axes)
    if axis not in axes or len(set(axes)) != len(axes):
        return None
    from ._creation import where

    mb = m[(None,) * axis + (slice(None),) + (None,) * (x.ndim - axis - 1)]
    zero = False if x.dtype == bool else 0
    opts = dict(axis=axes, keepdims=bool(kw.get("keepdims", False)), split_every=kw.get("split_every"))
    if name == "sum":
        return where(mb, x, zero).sum(dtype=kw.get("dtype"), **opts)
    dt = kw.get("dtype")
    out_dt = np.dtype(dt) if dt is not None else np.mean(np.zeros(1, x.dtype)).dtype
    total = where(mb, x, zero).sum(dtype=np.float64 if out_dt.kind == "f" else out_dt, **opts)
    count = m.astype(np.int64).sum() * math.prod(x.shape[a] for a in axes if a != axis)
    return (total / count).astype(out_dt)


def lifting(fn, op=None):
    """`fn` lifted over unknown arrays among its arguments (a plain call otherwise)."""
    name = op or getattr(fn, "__name__", "op")

    @functools.wraps(fn)
    def f(*args, **kwargs):
        if has_unknown(args, kwargs):
            if name in _FUSED and args:
                r = fused_reduction(name, args[0], args[1:], kwargs)
                if r is not None:
                    return r
            return lift(fn, args, kwargs, name)
        return fn(*args, **kwargs)

    return f


# Array methods and NumPy functions that work on unknown sizes (as in Dask): elementwise
# operations and reductions. nanmin/nanmax are left out: Dask refuses them.
_OPERATORS = ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "and", "or", "xor", "lshift", "rshift",
              "divmod")
LIFTED_METHODS = tuple(f"__{p}{o}__" for o in _OPERATORS for p in ("", "r")) + (
    "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__neg__", "__pos__", "__abs__", "__invert__",
    "astype", "sum", "prod", "mean", "var", "std", "min", "max", "any", "all", "round", "clip", "map_blocks",
    "transpose", "swapaxes", "conj", "copy", "cumsum", "cumprod",
)
LIFTED_FUNCTIONS = set()


def install(namespace):
    """Lifts the Array methods and the module's elementwise functions and reductions."""
    for m in LIFTED_METHODS:
        base = getattr(Array, m, None)
        if base is not None:
            setattr(UnknownArray, m, _lifted_method(base, m))
    for table in ("_UNARY", "_BINARY", "_REDUCTIONS"):
        for name, fn in namespace[table].items():
            if name in ("nanmin", "nanmax"):
                continue
            LIFTED_FUNCTIONS.add(name)
            # What the namespace exposes under the name (``real``/``angle`` are NumPy's
            # functions over the ufunc rows).
            namespace[name] = lifting(namespace.get(name, fn), name)
    for name in ("where", "astype", "clip", "around", "round", "transpose", "count_nonzero", "isin", "concatenate",
                 "stack", "cumsum", "cumprod", "nancumsum", "nancumprod"):
        LIFTED_FUNCTIONS.add(name)
        namespace[name] = lifting(namespace[name], name)


def _lifted_method(base, name):
    def method(self, *args, **kwargs):
        if self._known is not None:
            return base(self._known, *args, **kwargs)
        if name in _FUSED:
            r = fused_reduction(name, self, args, kwargs)
            if r is not None:
                return r
        return lift(base, (self,) + args, kwargs, name.strip("_"))

    method.__name__ = name
    return method


# -- the leaves: selections whose sizes depend on data ----------------------------------
def block_counts(m, name):
    """Nonzero elements per block of a 1-d known array: a known array of one int64 per block
    (a Rust block kernel)."""
    return _wrap(_core.mask_block_counts(m._c, f"{name}-count"))


def select(x, m, axis, op="getitem"):
    """``x`` where the 1-d bool array ``m`` is True along ``axis``: that axis's chunks become
    unknown (one per block of ``x``)."""
    if unresolved(x) or unresolved(m):
        return lift(lambda xx, mm: select(xx, mm, axis, op), (x, m), {}, op)
    x, m = _known_of(x), _known_of(m)
    if m.shape[0] != x.shape[axis]:
        raise IndexError(f"{op}: boolean index did not match indexed array along axis {axis}; size of axis is "
                         f"{x.shape[axis]} but size of corresponding boolean axis is {m.shape[0]}")
    if m.chunks[0] != x.chunks[axis]:
        m = m.rechunk((x.chunks[axis],))
    counts = block_counts(m, op)

    def build(n):
        return _wrap(_core.compress_blocks(x._c, m._c, axis, [int(c) for c in n], op))

    chunks = tuple((math.nan,) * len(c) if i == axis else c for i, c in enumerate(x.chunks))
    u = leaf(chunks, x.dtype, op, (counts,), build)
    u._masked = (x, m, axis)
    return u


def _flat_positions(b, starts, block_id=None):
    return np.flatnonzero(b) + starts[block_id[0]]


def _coords(b, starts, shape, block_id=None):
    flat = np.flatnonzero(b) + starts[block_id[0]]
    if not shape:
        return np.zeros((flat.size, 0), np.int64)
    return np.stack(np.unravel_index(flat, shape), axis=1).astype(np.int64, copy=False)


def _ragged_positions(a, op, coords):
    """Flat positions (``coords=False``, 1-d) or coordinates (n x ndim) of the nonzero
    elements of ``a``, in C order."""
    if unresolved(a):
        return lift(lambda aa: _ragged_positions(aa, op, coords), (a,), {}, op)
    a = _known_of(a)
    shape = a.shape
    a1 = a.ravel()
    counts = block_counts(a1, op)
    starts = np.concatenate([[0], np.cumsum(a1.chunks[0])[:-1]]).astype(np.int64)

    def build(n):
        sizes = tuple(int(c) for c in n)
        if coords:
            return a1.map_blocks(_coords, starts, shape, chunks=(sizes, (len(shape),)), new_axis=1,
                                 dtype=np.int64, name=op)
        return a1.map_blocks(_flat_positions, starts, chunks=(sizes,), dtype=np.int64, name=op)

    nb = len(a1.chunks[0])
    chunks = ((math.nan,) * nb, (len(shape),)) if coords else ((math.nan,) * nb,)
    return settle(leaf(chunks, np.int64, op, (counts,), build))


# -- indexing with lazy arrays -----------------------------------------------------------
def _expand_ellipsis(key, ndim):
    consumed = sum(0 if (k is None or k is Ellipsis) else (k.ndim if isinstance(k, Array) and k.dtype == bool else 1)
                   for k in key)
    if sum(k is Ellipsis for k in key) > 1:
        raise IndexError("getitem: an index can only have a single ellipsis ('...')")
    out = []
    for k in key:
        if k is Ellipsis:
            out.extend([slice(None)] * max(ndim - consumed, 0))
        else:
            out.append(k)
    if not any(k is Ellipsis for k in key):
        out.extend([slice(None)] * max(ndim - consumed, 0))
    return out


def _check_unknown_axes(x, key):
    """Dask's rule: an axis of unknown size may only be taken whole."""
    axis = 0
    for k in key:
        if k is None:
            continue
        n = k.ndim if isinstance(k, Array) and k.dtype == bool else 1
        if isinstance(k, Array):  # lazy indices are applied once the sizes are known
            axis += n
            continue
        for a in range(axis, axis + n):
            if a < x.ndim and any(map(_isnan, x.chunks[a])) and not (isinstance(k, slice) and k == slice(None)):
                raise ValueError(f"Arrays chunk sizes are unknown: {x.shape}{unknown_chunk_message}")
        axis += n


def getitem(x, key, vindex=False):
    """``x[key]`` (``x.vindex[key]``) where ``x`` has unknown sizes or ``key`` holds lazy
    tessera arrays: a boolean mask gives unknown sizes, integer arrays a known shape whose
    values are read in phase 1."""
    return settle(_getitem(x, key, vindex))


def _getitem(x, key, vindex):
    op = "vindex" if vindex else "getitem"
    if type(key) is not tuple:
        key = (key,)
    lazy = [k for k in key if isinstance(k, Array)]
    if unresolved(x):
        _check_unknown_axes(x, _expand_ellipsis(list(key), x.ndim))
    if not lazy:
        return lift(Array.__getitem__, (x, key), {}, op)
    masks = [k for k in lazy if k.dtype == bool]
    if masks:
        if len(lazy) > 1 or vindex or any(isinstance(k, (np.ndarray, list)) for k in key):
            raise NotImplementedError(f"{op}: a lazy boolean mask can only be combined with integers, slices, None "
                                      f"and ... (got {len(lazy)} lazy arrays{' in vindex' if vindex else ''})")
        return _mask_getitem(x, key, masks[0], op)
    for k in lazy:
        if k.dtype.kind not in "iu":
            raise IndexError(f"{op}: arrays used as indices must be of integer (or boolean) type, got {k.dtype}")
    if unresolved(x) or any(unresolved(k) for k in lazy):
        pos = [i for i, k in enumerate(key) if isinstance(k, Array)]

        def again(xx, *ks):
            kk = list(key)
            for i, k in zip(pos, ks):
                kk[i] = k
            return _getitem(xx, tuple(kk), vindex)

        return lift(again, (x,) + tuple(key[i] for i in pos), {}, op)
    return _lazy_int_getitem(x, key, vindex, op)


def _index_numpy(x, key, vindex):
    return x.vindex[key] if vindex else x[key]


def _lazy_int_getitem(x, key, vindex, op):
    pos = [i for i, k in enumerate(key) if isinstance(k, Array)]
    fake = list(key)
    for i in pos:
        fake[i] = np.zeros(key[i].shape, np.int64)
    out = _index_numpy(x, tuple(fake), vindex)
    chunks = list(out.chunks)
    if len(pos) == 1 and not any(isinstance(k, (np.ndarray, list)) for k in key):
        # Dask's: the index's chunks along the axes it makes.
        k = key[pos[0]]
        expanded = _expand_ellipsis(list(key), x.ndim)
        at = next(i for i, j in enumerate(expanded) if j is k)
        start = 0 if vindex else sum(1 for j in expanded[:at] if j is None or isinstance(j, slice))
        chunks[start:start + k.ndim] = k.chunks
    chunks = tuple(tuple(c) for c in chunks)

    def build(*values):
        kk = list(key)
        for i, v in zip(pos, values):
            kk[i] = np.asarray(v)
        r = _index_numpy(x, tuple(kk), vindex)
        return r if r.chunks == chunks else r.rechunk(chunks)

    return leaf(chunks, out.dtype, op, tuple(key[i] for i in pos), build)


def _mask_getitem(x, key, m, op):
    key = _expand_ellipsis(list(key), x.ndim)
    p = next(i for i, k in enumerate(key) if k is m)
    basic = tuple(k for i, k in enumerate(key) if i != p)
    # A 0-d mask (NumPy's x[True], x[False]) selects along a new axis of length 1.
    basic = basic[:p] + ((slice(None),) * m.ndim if m.ndim else (None,)) + basic[p:]
    y = x[basic] if any(not (isinstance(k, slice) and k == slice(None)) for k in basic) else x
    axis = sum(1 for k in key[:p] if k is None or isinstance(k, slice))
    if m.ndim and not unresolved(m) and m.size == 0 and not unresolved(y) \
            and tuple(m.shape) != tuple(y.shape[axis:axis + m.ndim]):
        # Only where NumPy's 0-for-any-size applies; a matching empty mask keeps Dask's nan.
        out = _empty_mask(y, m, axis, op)
    elif m.ndim == 0:
        m1 = lift(lambda mm: mm.reshape((1,)), (m,), {}, op) if unresolved(m) else m.reshape((1,))
        out = select(y, m1, axis, op)
    elif m.ndim == 1:
        out = select(y, m, axis, op)
    elif unresolved(y) or unresolved(m):
        out = lift(lambda yy, mm: _mask_nd(yy, mm, axis, op), (y, m), {}, op)
    else:
        out = _mask_nd(y, m, axis, op)
    # NumPy: integers are advanced indices too; apart from the mask, the result's axis goes first.
    adv = [i for i, k in enumerate(key) if k is m or not (k is None or isinstance(k, slice))]
    if axis and adv != list(range(adv[0], adv[-1] + 1)):
        out = out.transpose((axis,) + tuple(i for i in range(out.ndim) if i != axis))
    return out


def _empty_mask(y, m, axis, op):
    """``y`` through an empty mask: NumPy lets an axis of 0 stand for any size."""
    k = m.ndim
    ax = tuple(y.shape[axis:axis + k])
    if len(ax) < k or any(ms not in (n, 0) for ms, n in zip(m.shape, ax)):
        raise IndexError(f"{op}: boolean index did not match indexed array along axis {axis}; mask shape "
                         f"{tuple(m.shape)}, indexed axes {ax} (array shape {y.shape})")
    empty = y[(slice(None),) * axis + (slice(0, 0),) * k]
    return empty.reshape(tuple(y.shape[:axis]) + (0,) + tuple(y.shape[axis + k:]))


def _mask_nd(y, m, axis, op):
    k = m.ndim
    if tuple(m.shape) != tuple(y.shape[axis:axis + k]):
        raise IndexError(f"{op}: boolean index did not match indexed array along axis {axis}; mask shape "
                         f"{tuple(m.shape)}, indexed axes {tuple(y.shape[axis:axis + k])} (array shape {y.shape})")
    m = m.rechunk(tuple(y.chunks[axis:axis + k]))
    y2 = y.reshape(tuple(y.shape[:axis]) + (math.prod(m.shape),) + tuple(y.shape[axis + k:]))
    return select(y2, m.ravel(), axis, op)


# -- functions ---------------------------------------------------------------------------
def _operand(a, op):
    from ._array import to_array

    return a if isinstance(a, Array) else to_array(a, op)


def argwhere(a):
    """Coordinates of the nonzero elements, one row each (C order): shape ``(nan, a.ndim)``."""
    return _ragged_positions(_operand(a, "argwhere"), "argwhere", True)


def flatnonzero(a):
    """Flat positions of the nonzero elements: shape ``(nan,)``."""
    return _ragged_positions(_operand(a, "flatnonzero"), "flatnonzero", False)


def nonzero(a):
    """A tuple of index arrays, one per axis, of unknown length (NumPy's ``nonzero``)."""
    a = _operand(a, "nonzero")
    if a.ndim == 0:
        raise ValueError("nonzero: Calling nonzero on 0d arrays is not allowed. Use np.atleast_1d(scalar).nonzero() "
                         "instead. If the context of this error is of the form `arr[nonzero(cond)]`, just use "
                         "`arr[cond]`.")
    if a.ndim == 1:
        return (flatnonzero(a),)
    ind = argwhere(a)
    return tuple(ind[:, i] for i in range(a.ndim))


def compress(condition, a, axis=None):
    """Elements of ``a`` along ``axis`` (flattened when None) where the 1-d ``condition`` is
    True; a shorter condition counts as False beyond its end, as in NumPy. A lazy condition
    gives unknown sizes."""
    op = "compress"
    if not isinstance(condition, Array):
        condition = np.asarray(condition)
    if condition.ndim != 1:
        raise ValueError(f"{op}: condition must be one dimensional, got shape {tuple(condition.shape)}")
    condition = condition.astype(bool)
    a = _operand(a, op)
    if axis is None:
        a = a.ravel()
        axis = 0
    from ._array import _axis_int

    ax = _axis_int(axis, op)
    if not -a.ndim <= ax < a.ndim:
        from numpy.exceptions import AxisError

        raise AxisError(f"{op}: axis {axis} is out of bounds for array of dimension {a.ndim}")
    ax %= a.ndim
    n = condition.shape[0]
    if not _isnan(n) and not _isnan(a.shape[ax]):
        if n > a.shape[ax]:
            raise IndexError(f"{op}: condition of length {n} is longer than axis {ax} of size {a.shape[ax]}")
        if n < a.shape[ax]:
            a = a[(slice(None),) * ax + (slice(0, n),)]
    return a[(slice(None),) * ax + (condition,)]


def extract(condition, arr):
    """``compress(ravel(condition), ravel(arr))``."""
    if not isinstance(condition, Array):
        condition = np.asarray(condition)
    condition = condition.astype(bool)
    return compress(condition.ravel(), _operand(arr, "extract").ravel())


def where_nonzero(condition):
    return nonzero(condition)


# -- unique: per-block unique, then one combine ------------------------------------------
def _unique_block(b, stash, ri, rc, equal_nan, block_id=None):
    r = np.unique(b, return_index=ri, return_counts=rc, equal_nan=equal_nan)
    stash.pop("combined", None)
    stash[block_id[0]] = r if isinstance(r, tuple) else (r,)
    return np.zeros(1, np.int8)


def _combine(stash, nb, starts, ri, rc, equal_nan):
    got = stash.get("combined")
    if got is not None:
        return got
    if any(i not in stash for i in range(nb)):
        # Blocks computed in other processes (the MPI scheduler) leave no result here.
        raise NotImplementedError("unique: the per-block results were not computed in this process "
                                  "(unique does not run under the MPI scheduler yet)")
    parts = [stash.pop(i) for i in range(nb)]
    vals = np.concatenate([p[0] for p in parts])
    u, first, inv = np.unique(vals, return_index=True, return_inverse=True, equal_nan=equal_nan)
    out = {"values": u}
    if ri:
        out["indices"] = np.concatenate([p[1].astype(np.int64) + s for p, s in zip(parts, starts)])[first]
    if rc:
        cnt = np.concatenate([p[-1] for p in parts]).astype(np.float64)
        out["counts"] = np.bincount(inv.ravel(), weights=cnt, minlength=len(u)).astype(np.int64)
    stash["combined"] = out
    return out


def unique(ar, return_index=False, return_inverse=False, return_counts=False, *, equal_nan=True):
    """NumPy's ``unique`` as Dask's: ``np.unique`` of every block (in parallel), then one
    combine of their results. Results have unknown sizes except the inverse (``ar``'s
    shape), which phase 1 makes known."""
    ar = _operand(ar, "unique")
    if unresolved(ar):
        return lift(lambda a: unique(a, return_index, return_inverse, return_counts, equal_nan=equal_nan),
                    (ar,), {}, "unique")
    ar = _known_of(ar)
    a1 = ar.ravel()
    nb = len(a1.chunks[0])
    starts = np.concatenate([[0], np.cumsum(a1.chunks[0])[:-1]]).astype(np.int64)
    stash = {}
    trigger = a1.map_blocks(_unique_block, stash, bool(return_index), bool(return_counts), bool(equal_nan),
                            chunks=((1,) * nb,), dtype=np.int8, name="unique-chunk")

    def part(name):
        def build(_):
            from ._creation import numpy_array

            return numpy_array(_combine(stash, nb, starts, return_index, return_counts, equal_nan)[name], -1, "unique")
        return build

    values = leaf(((math.nan,),), ar.dtype, "unique", (trigger,), part("values"))
    result = [values]
    if return_index:
        result.append(leaf(((math.nan,),), np.int64, "unique", (trigger,), part("indices")))
    if return_inverse:
        def inverse(_):
            u = _combine(stash, nb, starts, return_index, return_counts, equal_nan)["values"]
            return _inverse(ar, u, equal_nan)

        result.append(leaf(ar.chunks, np.int64, "unique", (trigger,), inverse))
    if return_counts:
        result.append(leaf(((math.nan,),), np.int64, "unique", (trigger,), part("counts")))
    settle(tuple(result))
    return result[0] if len(result) == 1 else tuple(result)


def _inverse(ar, u, equal_nan):
    """Positions of ``ar``'s elements in the sorted unique values ``u`` (``ar``'s shape)."""
    from ._counting import searchsorted

    inv = searchsorted(u, ar.ravel()).reshape(ar.shape)
    if inv.chunks != ar.chunks:
        inv = inv.rechunk(ar.chunks)
    if not equal_nan and ar.dtype.kind == "f" and u.size and np.isnan(u[-1]):
        # NaNs are distinct: the k-th NaN (C order) is the k-th NaN of `u`.
        from . import _creation, _scans

        nan = _creation.UNARY["isnan"](ar)
        rank = _scans.cumsum(nan.ravel().astype(np.int64)).reshape(ar.shape).rechunk(ar.chunks)
        first = int(np.searchsorted(u, np.nan))
        inv = _creation.where(nan, rank + (first - 1), inv)
    return inv.astype(np.int64)


def _namedtuple(name, fields):
    import collections

    return collections.namedtuple(name, fields)


UniqueAllResult = _namedtuple("UniqueAllResult", ["values", "indices", "inverse_indices", "counts"])
UniqueCountsResult = _namedtuple("UniqueCountsResult", ["values", "counts"])
UniqueInverseResult = _namedtuple("UniqueInverseResult", ["values", "inverse_indices"])


def unique_values(x):
    """The Array API's ``unique_values``: NaNs are distinct (as NumPy's)."""
    return unique(x, equal_nan=False)


def unique_counts(x):
    return UniqueCountsResult(*unique(x, return_counts=True, equal_nan=False))


def unique_inverse(x):
    return UniqueInverseResult(*unique(x, return_inverse=True, equal_nan=False))


def unique_all(x):
    return UniqueAllResult(*unique(x, return_index=True, return_inverse=True, return_counts=True, equal_nan=False))


def union1d(ar1, ar2):
    """Dask's ``union1d``: the unique values of both arrays, flattened (unknown size)."""
    from ._join import concatenate

    a, b = _operand(ar1, "union1d"), _operand(ar2, "union1d")
    return unique(lift(lambda x, y: concatenate((x.ravel(), y.ravel())), (a, b), {}, "union1d"))


def intersect1d(ar1, ar2, assume_unique=False, return_indices=False):
    """NumPy's ``intersect1d`` (Dask has none): the sorted values in both arrays, with the
    indices of their first occurrences in the flattened arrays. Phase 1 computes the
    unique values of each array (with ``assume_unique``, the arrays themselves); the
    intersection of those is one NumPy call."""
    from ._creation import numpy_array

    a, b = _operand(ar1, "intersect1d"), _operand(ar2, "intersect1d")
    if assume_unique:
        needs = (a.ravel(), b.ravel())
    else:
        needs = (*unique(a, return_index=True), *unique(b, return_index=True))
    dtype = np.result_type(a.dtype, b.dtype)
    cache = {}

    def result(*values):
        if "r" not in cache:
            if assume_unique:
                cache["r"] = np.intersect1d(*values, assume_unique=True, return_indices=True)
            else:
                u1, i1, u2, i2 = values
                c, p1, p2 = np.intersect1d(u1, u2, assume_unique=True, return_indices=True)
                cache["r"] = (c, i1[p1], i2[p2])
        return cache["r"]

    def part(i):
        return lambda *values: numpy_array(np.asarray(result(*values)[i]), -1, "intersect1d")

    out = tuple(leaf(((math.nan,),), dtype if i == 0 else np.int64, "intersect1d", needs, part(i))
                for i in range(3 if return_indices else 1))
    return out if return_indices else out[0]
