"""Writing arrays into objects with ``__setitem__`` (NumPy arrays, h5py datasets, netCDF4
variables, zarr-python arrays): ``store`` and ``to_hdf5``, as in ``dask.array``.

A write is a lazy array of acknowledgements, one element per block: each block's task
writes ``target[region] = block`` when it runs (under ``lock``) and returns ``True``.
``compute=True`` runs it; ``compute=False`` returns it (computing it writes).
"""

from __future__ import annotations

import threading

import numpy as np

from . import _core
from ._array import Array, _wrap, to_array
from ._from_array import _reraise, block_starts, describe

__all__ = ["store", "to_hdf5", "write_blocks"]


def write_blocks(x: Array, write, name: str, op: str) -> Array:
    """The lazy array of acknowledgements of calling ``write(block_id, region, block)`` for
    every block of `x` (`region`: (start, stop) per axis)."""
    starts = block_starts(x.chunks)

    def task(block_id, blocks):
        block = blocks[0]
        region = tuple((s[b], s[b + 1]) for s, b in zip(starts, block_id))
        write(tuple(block_id), region, block)
        return np.ones((1,) * len(block_id), dtype=bool)

    labels = list(range(x.ndim))
    adjust = [(lab, [1] * len(c)) for lab, c in zip(labels, x.chunks)]
    return _wrap(_core.blockwise(task, name, f"{op}({name})", labels, [(x._c, labels)], [], adjust, "bool", True,
                                 False))


def written_text(written, shown=32):
    """What a failed write left written, for its message."""
    if not written:
        return "no block was written before this failure"
    ids = ", ".join(str(b) for b in written[:shown]) + (f", and {len(written) - shown} more" if len(written) > shown
                                                         else "")
    return (f"{len(written)} block(s) were written before this failure and hold the new values: {ids}; "
            "the others hold what they held before")


def _region_offsets(region, target_shape, shape, what, op):
    """The start of `region` (a tuple of slices with step 1, or None) in the target."""
    if region is None:
        return (0,) * len(shape)
    if not isinstance(region, tuple):
        region = (region,)
    if len(region) > len(target_shape):
        raise ValueError(f"{op}: region {region} has more entries than {what} has axes ({len(target_shape)})")
    region = region + (slice(None),) * (len(target_shape) - len(region))
    offs = []
    for a, (r, n, m) in enumerate(zip(region, target_shape, shape)):
        if not isinstance(r, slice):
            raise TypeError(f"{op}: regions must be tuples of slices, got {r!r} along axis {a}")
        start, stop, step = r.indices(n)
        if step != 1:
            raise ValueError(f"{op}: region {region} has a step along axis {a}; only steps of 1 are supported")
        if stop - start != m:
            raise ValueError(f"{op}: region {region} of {what} has {max(stop - start, 0)} elements along axis {a}, "
                             f"but the array has {m}")
        offs.append(start)
    return tuple(offs)


def _store_one(x: Array, target, lock, region, op):
    what = describe(target) if hasattr(target, "shape") else type(target).__name__
    if not hasattr(target, "__setitem__"):
        raise TypeError(f"{op}: the target {what} has no __setitem__; store writes into array-likes "
                        "(NumPy arrays, h5py datasets, zarr arrays)")
    tshape = tuple(getattr(target, "shape", x.shape))
    if region is None and tshape != tuple(x.shape):
        raise ValueError(f"{op}: the array of shape {x.shape} does not match the target {what} of shape {tshape}")
    offs = _region_offsets(region, tshape, x.shape, what, op)
    tdt = getattr(target, "dtype", None)
    if tdt is not None and not np.can_cast(x.dtype, np.dtype(tdt), casting="same_kind"):
        raise TypeError(f"{op}: cannot store {x.dtype} values into the {np.dtype(tdt)} target {what}")

    written = []  # blocks written so far, for the message of a failed write

    def write(block_id, reg, block):
        key = tuple(slice(o + lo, o + hi) for o, (lo, hi) in zip(offs, reg))
        try:
            if lock:
                with lock:
                    target[key] = block
            else:
                target[key] = block
        except Exception as e:
            _reraise(e, f"{op}: writing block {block_id} (region {key}) of {what}; {written_text(written)}")
        written.append(block_id)

    return write_blocks(x, write, "store", op)


def store(sources, targets, lock=True, regions=None, compute=True, return_stored=False, **kwargs):
    """Stores arrays into array-likes with ``__setitem__``, block by block, as
    ``dask.array.store``: ``store(x, h5py_dataset)`` or ``store([x, y], [t1, t2])``.

    ``lock``: True (one lock for the call), False, or a lock object. ``regions``: a tuple
    of slices (or one per source) where each source goes in its target. ``compute=False``
    returns the lazy acknowledgements (one array, or a list for several sources): computing
    them writes. ``return_stored=True`` returns lazy arrays reading back what was stored.
    """
    op = "store"
    single = isinstance(sources, (Array, np.ndarray))
    if single:
        sources, targets = [sources], [targets]
    sources = [to_array(s) if not isinstance(s, Array) else s for s in sources]
    targets = list(targets)
    if len(sources) != len(targets):
        raise ValueError(f"{op}: different number of sources ({len(sources)}) and targets ({len(targets)})")
    if regions is None or isinstance(regions, (tuple, slice)) and not (
            isinstance(regions, tuple) and regions and isinstance(regions[0], tuple)):
        regions = [regions] * len(sources)
    regions = list(regions)
    if len(regions) != len(sources):
        raise ValueError(f"{op}: different number of regions ({len(regions)}) and sources ({len(sources)})")
    if lock is True:
        lock = threading.Lock()
    elif lock is False or lock is None:
        lock = None
    acks = [_store_one(x, t, lock, r, op) for x, t, r in zip(sources, targets, regions)]
    if not compute:
        if return_stored:
            raise NotImplementedError(f"{op}: return_stored=True with compute=False is not supported by tessera; "
                                      "compute the store first")
        return acks[0] if single else acks
    from ._creation import compute as _compute

    _compute(*acks, **kwargs)
    if not return_stored:
        return None
    from ._creation import from_array

    out = []
    for x, t, r in zip(sources, targets, regions):
        y = from_array(t, chunks=x.chunks) if r is None else \
            from_array(t)[r if isinstance(r, tuple) else (r,)].rechunk(x.chunks)
        out.append(y)
    return out[0] if single else out


def to_hdf5(filename, *args, chunks=True, **kwargs):
    """Stores arrays in an HDF5 file (h5py), as ``dask.array.to_hdf5``::

        to_hdf5("out.h5", "/x", x)
        to_hdf5("out.h5", {"/x": x, "/y": y})

    Datasets are created (``require_dataset``) with the arrays' chunks as HDF5 chunks when
    ``chunks=True``; other keyword arguments go to h5py (``compression="gzip"``, ...)."""
    op = "to_hdf5"
    if len(args) == 1 and isinstance(args[0], dict):
        data = args[0]
    elif len(args) == 2 and isinstance(args[0], str) and isinstance(args[1], Array):
        data = {args[0]: args[1]}
    else:
        raise ValueError(f"{op}: please provide {{'/data/path': array}} dictionary or '/data/path', array")
    try:
        import h5py
    except ImportError:
        raise ImportError(f"{op} needs h5py, which is not installed: `pip install h5py`") from None
    with h5py.File(filename, mode="a") as f:
        dsets = []
        for dp, x in data.items():
            if not isinstance(x, Array):
                raise TypeError(f"{op}: {dp!r} must map to a tessera array, got {type(x).__name__}")
            ch = tuple(c[0] for c in x.chunks) if chunks is True else chunks
            if ch is not None and ch is not False and 0 in (ch or ()):
                ch = None
            dsets.append(f.require_dataset(dp, shape=x.shape, dtype=x.dtype, chunks=ch or None, **kwargs))
        store(list(data.values()), dsets)


def _store_method(self, target, **kwargs):
    return store([self], [target], **kwargs)


def _to_hdf5_method(self, filename, datapath, **kwargs):
    return to_hdf5(filename, datapath, self, **kwargs)


Array.store = _store_method
Array.to_hdf5 = _to_hdf5_method
