"""NumPy protocol entries (``np.concatenate(x, ...)`` on tessera arrays stays lazy) for the
joining, layout and indexing functions, with NumPy's signatures where they differ from
Dask's; NumPy-only arguments tessera cannot honour raise ``NotImplementedError``."""

from __future__ import annotations

from . import _fancy, _join, _layout, _pad
from ._numpy_api import implements


def _no(op, **kw):
    for k, v in kw.items():
        if v is not None:
            raise NotImplementedError(f"numpy.{op}: {k}= is not supported on tessera arrays")


@implements("concatenate")
def _np_concatenate(arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    _no("concatenate", out=out)
    r = _join.concatenate(list(arrays), axis=axis)
    return r if dtype is None else r.astype(dtype)


@implements("stack")
def _np_stack(arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    _no("stack", out=out)
    r = _join.stack(list(arrays), axis=axis)
    return r if dtype is None else r.astype(dtype)


for _name in ("hstack", "vstack", "dstack"):
    def _make(f, name):
        def g(tup, *, dtype=None, casting="same_kind"):
            r = f(tup)
            return r if dtype is None else r.astype(dtype)
        g.__name__ = f"_np_{name}"
        return g
    implements(_name)(_make(getattr(_join, _name), _name))

implements("block")(_join.block)
implements("append")(_join.append)
implements("broadcast_arrays")(_join.broadcast_arrays)
implements("atleast_1d")(_join.atleast_1d)
implements("atleast_2d")(_join.atleast_2d)
implements("atleast_3d")(_join.atleast_3d)
implements("pad")(_pad.pad)
for _name in ("roll", "rot90", "flip", "fliplr", "flipud", "tile", "repeat", "split", "array_split", "diff",
              "ediff1d", "gradient", "tril", "triu", "diagonal", "trace", "diag", "rollaxis", "choose", "select",
              "piecewise", "take_along_axis"):
    implements(_name)(getattr(_layout, _name, None) or getattr(_fancy, _name))


@implements("take")
def _np_take(a, indices, axis=None, out=None, mode="raise"):
    _no("take", out=out)
    if mode != "raise":
        raise NotImplementedError(f"numpy.take: mode={mode!r} is not supported on tessera arrays")
    return _fancy.take(a, indices, axis=axis)
