"""Lazy ``from_array`` over any array-like with ``shape``, ``dtype`` and ``__getitem__``
(h5py datasets, netCDF4 variables, zarr-python arrays, xarray's lazily indexed arrays).

Nothing is read when the array is built: each block is one task of the core's Python task
kind that reads its region, ``x[region]``, when it runs (under ``lock=`` when given, as
Dask's ``getter``). Basic slices of such an array are pushed into the source: ``x[10:20]``
is a new source array over that region of the store, so computing it reads only the
region (not the whole blocks around it).
"""

from __future__ import annotations

import itertools
import numbers
import os
import threading
import weakref

import numpy as np

from . import _core
from ._array import Array, _wrap, _DTYPES, _GETITEM_HOOKS
from ._auto_chunks import previous_chunks_of, source_chunks
from ._blockwise import _as_block
from ._chunks import to_core

__all__ = ["lazy_from_array", "describe", "block_starts"]


def describe(x) -> str:
    """The store and path of a source, for messages: ``h5py dataset /grp/x in data.h5``."""
    try:
        mod = type(x).__module__.split(".")[0]
        if mod == "h5py":
            return f"h5py dataset {x.name} in {x.file.filename}"
        if mod == "netCDF4":
            return f"netCDF4 variable {x.name} in {x.group().filepath()}"
        if mod == "zarr":
            return f"zarr array {x.path or '/'} in {x.store}"
    except Exception:
        pass
    return f"{type(x).__module__}.{type(x).__name__} of shape {tuple(x.shape)}"


def _reraise(e: BaseException, where: str):
    """`e` again with `where` (store, path, block) in its message, keeping its class when it
    can be rebuilt from a message (else as a note)."""
    msg = f"{where}: {e}"
    try:
        new = type(e)(msg)
    except Exception:
        new = None
    if new is None or str(new) != msg:
        if hasattr(e, "add_note"):
            e.add_note(where)
        raise e
    raise new from e


class _View:
    """A region of a source: output axes map to source axes (start, step) or are new axes
    (``None``); source axes indexed by an integer are dropped."""

    __slots__ = ("obj", "lock", "asarray", "getitem", "fixed", "axes", "src_ndim", "what")

    def __init__(self, obj, lock, asarray, getitem, fixed, axes, src_ndim, what):
        self.obj, self.lock, self.asarray, self.getitem = obj, lock, asarray, getitem
        self.fixed, self.axes, self.src_ndim, self.what = fixed, axes, src_ndim, what

    def source_key(self, region):
        """The source index for `region` (a tuple of (start, stop) per output axis)."""
        key = [None] * self.src_ndim
        for a, v in self.fixed.items():
            key[a] = v
        for ax, (lo, hi) in zip(self.axes, region):
            if ax is None:
                continue
            src, start, step = ax
            key[src] = slice(start + lo * step, start + hi * step, step) if step != 1 else \
                slice(start + lo, start + hi)
        return tuple(key)

    def signature(self):
        """What the view reads: equal signatures over the same object read the same data."""
        return id(self.obj), tuple(sorted(self.fixed.items())), tuple(self.axes)

    def read(self, region):
        key = self.source_key(region)
        if self.lock:
            with self.lock:
                out = self.getitem(self.obj, key)
        else:
            out = self.getitem(self.obj, key)
        if not isinstance(out, np.ndarray):
            out = np.asarray(out)
        if any(a is None for a in self.axes):
            out = out[tuple(None if a is None else slice(None) for a in self.axes)]
        return out

    def compose(self, key, shape):
        """The view of ``self[key]`` (basic indexing, positive steps), or None when the
        key is something this does not push down."""
        key = list(key)
        n_ell = sum(k is Ellipsis for k in key)
        if n_ell > 1:
            return None
        used = sum(k is not None and k is not Ellipsis for k in key)
        if used > len(shape):
            return None
        if n_ell:
            i = key.index(Ellipsis)
            key[i:i + 1] = [slice(None)] * (len(shape) - used)
        else:
            key += [slice(None)] * (len(shape) - used)
        fixed = dict(self.fixed)
        axes = []
        d = 0
        for k in key:
            if k is None:
                axes.append(None)
                continue
            ax, n = self.axes[d], shape[d]
            d += 1
            if isinstance(k, slice):
                start, stop, step = k.indices(n)
                if step < 0:
                    return None
                if ax is None:
                    if len(range(start, stop, step)) != 1:
                        return None
                    axes.append(None)
                else:
                    src, s0, st = ax
                    axes.append((src, s0 + start * st, st * step))
                continue
            try:
                i = int(k.__index__())
            except (AttributeError, TypeError):
                return None
            if not -n <= i < n:
                return None
            i %= n
            if ax is not None:
                src, s0, st = ax
                fixed[src] = s0 + i * st
        return _View(self.obj, self.lock, self.asarray, self.getitem, fixed, axes, self.src_ndim, self.what)


def _getter(a, b):
    # Dask's getter; tessera's tasks index with slices and integers only, so `fancy=` does
    # not change how a source is read.
    return a[b]


# Arrays built here, by id, with the view they read and the slices taken of them so far
# (weak: forgotten with the array). Slicing a source the same way twice, as xarray does for
# every group of a groupby, gives the same array, read once, not one source node per slice.
_SOURCES: dict[int, tuple] = {}


def _remember(arr: Array, view: _View):
    k = id(arr)
    _SOURCES[k] = (weakref.ref(arr, lambda _r, k=k: _SOURCES.pop(k, None)), view, {})


def block_starts(chunks):
    """Per axis, the start of every block and the axis' end."""
    out = []
    for c in chunks:
        s = [0]
        for v in c:
            s.append(s[-1] + v)
        out.append(s)
    return out


def _build(view: _View, shape, dtype: np.dtype, chunks, name: str) -> Array:
    """The array over `view` with explicit `chunks` (tuples of block sizes per axis)."""
    starts = block_starts(chunks)
    what = view.what

    def task(block_id, _blocks):
        region = tuple((s[b], s[b + 1]) for s, b in zip(starts, block_id))
        try:
            out = view.read(region)
        except Exception as e:
            _reraise(e, f"from_array: reading block {tuple(block_id)} (region "
                        f"{view.source_key(region)}) of {what}")
        want = tuple(hi - lo for lo, hi in region)
        if out.shape != want:
            raise ValueError(f"from_array: block {tuple(block_id)} of {what} read as shape {out.shape}, "
                             f"expected {want}")
        return _as_block(out, dtype, name, block_id)

    labels = list(range(len(shape)))
    new_axes = [(lab, list(c)) for lab, c in zip(labels, chunks)]
    c = _core.blockwise(task, name, f"from_array({name})", labels, [], new_axes, [], dtype.name, True, False,
                        rereadable=True)
    out = _wrap(c)
    _remember(out, view)
    return out


def _pushdown(arr, key, plain):
    """`arr[key]` reading only the region when `arr` is a source array (see above)."""
    entry = _SOURCES.get(id(arr))
    if entry is None or entry[0]() is not arr:
        return plain
    view = entry[1].compose(key, arr.shape)
    if view is None:
        return plain
    if view.signature() == entry[1].signature() and plain.chunks == arr.chunks:
        return arr
    slices = entry[2]
    k = (view.signature(), plain.chunks)
    if k not in slices:
        slices[k] = _build(view, plain.shape, plain.dtype, plain.chunks, "array")
    return slices[k]


_GETITEM_HOOKS.append(_pushdown)


class _H5Chunks:
    """Reads regions of an uncompressed, chunked h5py dataset from the file's bytes: the
    chunk index through h5py, the chunks with ``os.preadv``, which releases the GIL, so
    blocks are read in parallel (every h5py call, reads included, runs under h5py's one
    global lock). Regions with steps go through h5py."""

    def __init__(self, x, fd):
        self.dsid, self.fd, self.dtype = x.id, fd, np.dtype(x.dtype)
        self.cshape, self.fill = tuple(x.chunks), np.asarray(x.fillvalue, dtype=x.dtype)
        self.nbytes = int(np.prod(self.cshape)) * self.dtype.itemsize

    def __del__(self):
        os.close(self.fd)

    def __call__(self, obj, key):
        box, drop = [], []
        for k, n in zip(key, obj.shape):
            if isinstance(k, slice):
                start, stop, step = k.indices(n)
                if step != 1:
                    return obj[key]
                box.append((start, max(stop, start)))
                drop.append(slice(None))
            else:
                box.append((int(k), int(k) + 1))
                drop.append(0)
        out = np.empty(tuple(hi - lo for lo, hi in box), self.dtype)
        buf = np.empty(self.cshape, self.dtype)
        grid = [range(lo - lo % c, hi, c) for (lo, hi), c in zip(box, self.cshape)]
        for coord in itertools.product(*grid):
            src = tuple(slice(max(lo, c0) - c0, min(hi, c0 + c) - c0) for (lo, hi), c0, c in zip(box, coord, self.cshape))
            dst = tuple(slice(max(lo, c0) - lo, min(hi, c0 + c) - lo) for (lo, hi), c0, c in zip(box, coord, self.cshape))
            info = self.dsid.get_chunk_info_by_coord(coord)
            if info.byte_offset is None:  # never written: the fill value, as h5py reads it
                out[dst] = self.fill
                continue
            if info.size != self.nbytes or os.preadv(self.fd, [buf], info.byte_offset) != self.nbytes:
                return obj[key]
            out[dst] = buf[src]
        return out[tuple(drop)]


def _h5_direct(x):
    """The reader of `x` that bypasses h5py's decoding where the file holds the values as
    they are (a memory map of a contiguous dataset, `_H5Chunks` of an unfiltered chunked
    one; native byte order, read-only file, default driver), else None."""
    try:
        import h5py

        if not isinstance(x, h5py.Dataset) or x.ndim == 0 or x.is_virtual:
            return None
        f, dt = x.file, np.dtype(x.dtype)
        if f.mode != "r" or f.driver != "sec2" or f.userblock_size or not dt.isnative or dt.kind not in "biuf":
            return None
        plist = x.id.get_create_plist()
        if plist.get_nfilters() or plist.get_external_count():
            return None
        layout = plist.get_layout()
        if layout == h5py.h5d.CONTIGUOUS:
            off = x.id.get_offset()
            if off is None:
                return None
            mm = np.memmap(f.filename, dtype=dt, mode="r", offset=off, shape=x.shape)
            return lambda _obj, key: mm[key]
        if layout != h5py.h5d.CHUNKED:
            return None
        x.id.get_chunk_info_by_coord((0,) * x.ndim)  # HDF5 >= 1.10.5
        return _H5Chunks(x, os.open(f.filename, os.O_RDONLY))
    except Exception:
        return None


def _native_dtype(dt, op, what):
    dt = np.dtype(dt)
    nat = dt.newbyteorder("=") if not dt.isnative else dt
    if dt.kind not in "biuf" or nat.name not in _DTYPES:
        raise TypeError(f"{op}: tessera does not support dtype {dt} of {what} "
                        f"(supported: {', '.join(_DTYPES)})")
    return nat


def lazy_from_array(x, chunks="auto", name=None, lock=False, asarray=None, fancy=True, getitem=None, meta=None,
                    inline_array=False):
    """``from_array`` over a non-NumPy array-like (see the module documentation)."""
    op = "from_array"
    missing = [a for a in ("shape", "dtype", "__getitem__") if not hasattr(x, a)]
    if missing:
        raise TypeError(f"{op}: {type(x).__name__} object is not array-like: it has no "
                        f"{', '.join(missing)} (from_array needs shape, dtype and __getitem__)")
    what = describe(x)
    try:
        shape = tuple(int(s) for s in x.shape)
    except Exception as e:
        raise TypeError(f"{op}: the shape of {what} is not a tuple of integers: {x.shape!r}") from e
    dtype = _native_dtype(x.dtype, op, what)
    if lock is True:
        lock = threading.Lock()
    elif lock is False or lock is None:
        lock = None
    elif not (hasattr(lock, "__enter__") and hasattr(lock, "__exit__")):
        raise TypeError(f"{op}: lock must be a bool or a lock object, got {lock!r}")
    if getitem is None:
        getitem = _h5_direct(x) or _getter
    explicit = source_chunks(chunks, shape, dtype, previous_chunks_of(x, shape), op)
    spec = [list(c) for c in explicit] if explicit is not None else to_core(chunks, shape, dtype.itemsize, op)
    # The core's chunk normalisation, on an array that holds no data.
    full = _core.full(list(shape), 0, dtype.name, spec)
    chunks = tuple(tuple(c) for c in full.chunks)
    if 0 in shape:
        return _wrap(full)
    label = name if isinstance(name, str) and name else "array"
    view = _View(x, lock, asarray, getitem, {}, [(a, 0, 1) for a in range(len(shape))], len(shape), what)
    return _build(view, shape, dtype, chunks, label)
