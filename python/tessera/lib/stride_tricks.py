"""``tessera.lib.stride_tricks``, as ``dask.array.lib.stride_tricks``."""

from ..overlap import sliding_window_view

__all__ = ["sliding_window_view"]
