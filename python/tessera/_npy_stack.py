"""Stacks of ``.npy`` files, one per block along an axis, in Dask's layout: a directory
with ``0.npy``, ``1.npy``, ... and an ``info`` file (a pickled dict of ``chunks``,
``dtype`` and ``axis``). ``from_npy_stack`` memory-maps each file when its task runs (no
copy: the block is the memory map); ``to_npy_stack`` writes one file per block.
"""

from __future__ import annotations

import os
import pickle

import numpy as np

from . import _core
from ._array import Array, _wrap
from ._blockwise import _as_block
from ._store import write_blocks

__all__ = ["from_npy_stack", "to_npy_stack"]


def to_npy_stack(dirname, x, axis=0):
    """Writes `x` as a stack of ``.npy`` files along `axis` in `dirname` (created if
    needed), as ``dask.array.to_npy_stack``: other axes are joined into whole blocks."""
    op = "to_npy_stack"
    if not isinstance(x, Array):
        raise TypeError(f"{op}: expected a tessera array, got {type(x).__name__}")
    if not -x.ndim <= axis < max(x.ndim, 1):
        raise ValueError(f"{op}: axis {axis} is out of range for a {x.ndim}-d array")
    axis %= max(x.ndim, 1)
    chunks = tuple(c if i == axis else (sum(c),) for i, c in enumerate(x.chunks))
    xx = x.rechunk(chunks)
    os.makedirs(dirname, exist_ok=True)
    with open(os.path.join(dirname, "info"), "wb") as f:
        pickle.dump({"chunks": chunks, "dtype": x.dtype, "axis": axis}, f)

    def write(block_id, region, block):
        path = os.path.join(dirname, f"{block_id[axis] if block_id else 0}.npy")
        try:
            np.save(path, block)
        except OSError as e:
            raise OSError(f"{op}: writing block {block_id} to {path}: {e}") from e

    from ._creation import compute

    compute(write_blocks(xx, write, "to-npy-stack", op))


def from_npy_stack(dirname, mmap_mode="r"):
    """The array stored by ``to_npy_stack`` (tessera's or Dask's) in `dirname`: each
    block is ``np.load(dirname/i.npy, mmap_mode=mmap_mode)`` when its task runs."""
    op = "from_npy_stack"
    info = os.path.join(dirname, "info")
    try:
        with open(info, "rb") as f:
            meta = pickle.load(f)
    except FileNotFoundError:
        raise FileNotFoundError(f"{op}: {dirname} has no 'info' file; is it a directory written by to_npy_stack?") \
            from None
    try:
        chunks, dtype, axis = tuple(tuple(int(v) for v in c) for c in meta["chunks"]), np.dtype(meta["dtype"]), \
            int(meta["axis"])
    except (KeyError, TypeError, ValueError) as e:
        raise ValueError(f"{op}: {info} is not a to_npy_stack info file: {e}") from None
    native = dtype.newbyteorder("=")
    shape = tuple(sum(c) for c in chunks)

    def task(block_id, _blocks):
        path = os.path.join(dirname, f"{block_id[axis] if block_id else 0}.npy")
        try:
            a = np.load(path, mmap_mode=mmap_mode)
        except (OSError, ValueError) as e:
            raise type(e)(f"{op}: reading block {tuple(block_id)} from {path}: {e}") from e
        want = tuple(c[b] for c, b in zip(chunks, block_id))
        if a.shape != want:
            raise ValueError(f"{op}: {path} holds shape {a.shape}, but the info file says block "
                             f"{tuple(block_id)} has shape {want}")
        return _as_block(a, native, "from-npy-stack", block_id)

    labels = list(range(len(shape)))
    c = _core.blockwise(task, "from-npy-stack", op, labels, [], [(lab, list(ch)) for lab, ch in zip(labels, chunks)],
                        [], native.name, True, False, rereadable=True)
    return _wrap(c)
