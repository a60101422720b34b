"""The Array API standard's attributes and methods of ``Array`` beyond Dask's: ``device``,
``to_device``, ``mT``, ``__dlpack__``/``__dlpack_device__``, the shift operators and
``__array_namespace__(api_version=)``. Attached to ``Array`` when the package is imported.
"""

from __future__ import annotations

import sys

import numpy as np

from ._array import Array, _make_binary, _make_rbinary, _short, _wrap
from ._array_api import CPU_DEVICE, check_device

# The spec versions whose semantics tessera's namespace follows (it is one namespace).
_API_VERSIONS = ("2021.12", "2022.12", "2023.12", "2024.12", "2025.12")


def _device(self):
    """The device the array lives on: tessera's CPU device."""
    return CPU_DEVICE


def _to_device(self, device, /, *, stream=None):
    """The array on ``device``: tessera has one device, so this is the array itself."""
    check_device(device, "to_device")
    if stream is not None:
        raise ValueError(f"to_device: tessera has no streams; stream must be None, got {_short(stream)}")
    return self


def _mT(self):
    """The matrix transpose: the last two axes swapped (at least 2 dimensions)."""
    nd = self.ndim
    if nd < 2:
        raise ValueError(f"mT: the array must have at least 2 dimensions, got shape {self.shape}")
    axes = list(range(nd))
    axes[-1], axes[-2] = axes[-2], axes[-1]
    return _wrap(self._c.transpose(axes))


def _dlpack(self, *, stream=None, max_version=None, dl_device=None, copy=None):
    """The array's values as a DLPack capsule. DLPack hands over memory, so this computes
    the array (as ``__array__`` does); the capsule owns the computed NumPy buffer."""
    if stream is not None:
        raise BufferError(f"__dlpack__: tessera arrays live on the CPU; stream must be None, got {_short(stream)}")
    if dl_device is not None and tuple(dl_device) != (1, 0):
        raise BufferError(f"__dlpack__: tessera can export to the CPU (1, 0) only, got dl_device={dl_device!r}")
    a = np.array(self.compute(), copy=True)  # a fresh, writable buffer the capsule may own
    kwargs = {"stream": None}
    if max_version is not None:
        kwargs["max_version"] = max_version
    if copy is not None:
        kwargs["copy"] = copy
    return a.__dlpack__(**kwargs)


def _dlpack_device(self):
    """(kDLCPU, 0): tessera's arrays are computed into CPU memory."""
    return (1, 0)


def _array_namespace(self, *, api_version=None):
    if api_version is not None and api_version not in _API_VERSIONS:
        raise ValueError(f"__array_namespace__: tessera does not support api_version={api_version!r} "
                         f"(supported: {', '.join(_API_VERSIONS)})")
    return sys.modules["tessera"]


def _missing_attribute(self, name):
    """Attributes tessera lacks: an AttributeError (so ``hasattr`` stays False) that names
    tessera and what is missing, instead of Python's bare message."""
    if name.startswith("_"):  # private and protocol names: Python's plain error, cheaply
        raise AttributeError(f"'Array' object has no attribute {name!r}")
    where = "dask.array.Array" if not hasattr(np.ndarray, name) else "dask.array.Array / numpy.ndarray"
    raise AttributeError(f"'Array' object has no attribute {name!r}: tessera does not implement {where}.{name} "
                         "(yet); compute() the array for NumPy's, or see the README for what tessera supports")


def install():
    Array.__getattr__ = _missing_attribute
    Array.device = property(_device)
    Array.to_device = _to_device
    Array.mT = property(_mT)
    Array.__dlpack__ = _dlpack
    Array.__dlpack_device__ = _dlpack_device
    Array.__array_namespace__ = _array_namespace
    Array.__lshift__ = _make_binary("left_shift")
    Array.__rlshift__ = _make_rbinary("left_shift")
    Array.__rshift__ = _make_binary("right_shift")
    Array.__rrshift__ = _make_rbinary("right_shift")
    # in-place operators build new arrays, as the others do (tessera arrays are immutable)
    Array.__ilshift__ = Array.__lshift__
    Array.__irshift__ = Array.__rshift__
