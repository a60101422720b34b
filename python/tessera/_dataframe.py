"""Bridges to Dask DataFrames (where pandas and dask.dataframe are installed).

``to_dask_array(x)``: a Dask array with x's chunks whose every block, when Dask computes it,
computes that region of ``x`` with tessera (slices of tessera arrays read only their region).
``to_dask_dataframe(x, columns, index, meta)`` / ``from_dask_array(x, ...)``: Dask's
``dask.dataframe.from_dask_array`` over it (one partition per row block), for 1-d and 2-d
arrays, with Dask's arguments and errors.
"""

from __future__ import annotations

from ._array import Array, _short


class _Region:
    """x as the array-like dask.array.from_array reads: each x[key] computed to NumPy."""

    def __init__(self, x):
        self.x, self.shape, self.dtype, self.ndim = x, x.shape, x.dtype, x.ndim

    def __dask_tokenize__(self):
        return ("tessera", self.x.name)

    def __getitem__(self, key):
        import numpy as np

        return np.asarray(self.x[key].compute())


def to_dask_array(x):
    """A lazy ``dask.array.Array`` over the tessera array ``x``, block for block."""
    if not isinstance(x, Array):
        raise TypeError(f"to_dask_array: expected a tessera array, got {type(x).__name__} {_short(x)}")
    import dask.array as dka

    return dka.from_array(_Region(x), chunks=x.chunks, lock=False, inline_array=True, name=f"tessera-{x.name}",
                          meta=__import__("numpy").empty((0,) * x.ndim, dtype=x.dtype))


def _dd(op):
    try:
        import dask.dataframe as dd
    except ImportError as e:
        raise ImportError(f"{op}: needs pandas and dask.dataframe (pip install 'dask[dataframe]'): {e}") from None
    return dd


def from_dask_array(x, columns=None, index=None, meta=None):
    """``dask.dataframe.from_dask_array`` accepting tessera arrays (and Dask arrays as they are)."""
    dd = _dd("from_dask_array")
    if isinstance(x, Array):
        if x.ndim > 2:
            raise ValueError(f"from_dask_array: tessera array must be 1- or 2-dimensional, got shape {x.shape}")
        x = to_dask_array(x)
    if isinstance(index, Array):
        raise NotImplementedError("from_dask_array: a tessera array as index= is not supported; pass a Dask Index "
                                  "(dask.dataframe.from_dask_array(tessera.to_dask_array(i)).values...) or None")
    return dd.from_dask_array(x, columns=columns, index=index, meta=meta)


def to_dask_dataframe(x, columns=None, index=None, meta=None):
    """``x.to_dask_dataframe()`` as Dask's ``Array.to_dask_dataframe``."""
    return from_dask_array(x, columns=columns, index=index, meta=meta)
