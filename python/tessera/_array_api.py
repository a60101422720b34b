"""The Python Array API standard's data-type functions, inspection namespace and devices:
``finfo``, ``iinfo``, ``isdtype``, ``result_type``, ``can_cast``, ``astype``,
``__array_namespace_info__``, the dtype objects, ``from_dlpack`` and the device checks the
creation functions share.

tessera computes on the CPU of the machine (or the ranks of an MPI job): there is one
device, ``CPU_DEVICE``, which also compares equal to the string ``"cpu"``.
"""

from __future__ import annotations

import builtins

import numpy as np

from ._array import Array, _DTYPES, _short, _wrap, dtype_name

__array_api_version__ = "2025.12"

# The spec's dtype objects. NumPy's scalar types compare equal to the dtypes tessera arrays
# report (``x.dtype == tessera.float64``) and are what NumPy code passes as ``dtype=``.
bool = np.bool_
int8, int16, int32, int64 = np.int8, np.int16, np.int32, np.int64
uint8, uint16, uint32, uint64 = np.uint8, np.uint16, np.uint32, np.uint64
float32, float64 = np.float32, np.float64
complex64, complex128 = np.complex64, np.complex128

_SPEC_DTYPES = {
    "bool": bool, "int8": int8, "int16": int16, "int32": int32, "int64": int64, "uint8": uint8,
    "uint16": uint16, "uint32": uint32, "uint64": uint64, "float32": float32, "float64": float64,
    "complex64": complex64, "complex128": complex128,
}


class Device:
    """The one device tessera computes on: the CPU cores of this machine (and the other
    ranks of an MPI job). Equal to the string ``"cpu"``, so ``device="cpu"`` works too."""

    __slots__ = ()

    def __eq__(self, other):
        return isinstance(other, Device) or (isinstance(other, str) and other == "cpu")

    def __hash__(self):
        return hash("cpu")

    def __repr__(self):
        return "tessera.Device('cpu')"


CPU_DEVICE = Device()


def check_device(device, op):
    """``device=`` of a creation or conversion function: None or tessera's CPU device
    (``"cpu"``); anything else is a ValueError naming ``op`` and the value."""
    if device is None or device == CPU_DEVICE:
        return
    raise ValueError(f"{op}: tessera computes on one device, {CPU_DEVICE!r} (or 'cpu'); got device={_short(device)}")


def _dtype_of(x, op) -> np.dtype:
    """The dtype of a tessera array, or a dtype-like as a NumPy dtype; TypeError otherwise."""
    if isinstance(x, Array):
        return x.dtype
    if isinstance(x, np.ndarray):
        return x.dtype
    if x is None or isinstance(x, (int, float, complex)) and not isinstance(x, type):
        raise TypeError(f"{op}: expected a dtype or an array, got {_short(x)}")
    try:
        return np.dtype(x)
    except TypeError:
        raise TypeError(f"{op}: expected a dtype or an array, got {_short(x)}") from None


class finfo_object:
    """What ``finfo`` returns: the spec's attributes as Python floats, and ``dtype`` (the
    real floating dtype, also for complex input)."""

    __slots__ = ("bits", "eps", "max", "min", "smallest_normal", "dtype")

    def __init__(self, dtype):
        f = np.finfo(dtype)
        self.bits = int(f.bits)
        self.eps = float(f.eps)
        self.max = float(f.max)
        self.min = float(f.min)
        self.smallest_normal = float(f.smallest_normal)
        self.dtype = f.dtype

    def __repr__(self):
        return (f"finfo(bits={self.bits}, eps={self.eps}, max={self.max}, min={self.min}, "
                f"smallest_normal={self.smallest_normal}, dtype={self.dtype})")


class iinfo_object:
    """What ``iinfo`` returns: ``bits``, ``max``, ``min`` (Python ints) and ``dtype``."""

    __slots__ = ("bits", "max", "min", "dtype")

    def __init__(self, dtype):
        i = np.iinfo(dtype)
        self.bits, self.max, self.min, self.dtype = int(i.bits), int(i.max), int(i.min), i.dtype

    def __repr__(self):
        return f"iinfo(bits={self.bits}, max={self.max}, min={self.min}, dtype={self.dtype})"


def finfo(type, /):
    """Machine limits of a floating-point dtype (or of an array's dtype)."""
    d = _dtype_of(type, "finfo")
    if d.kind not in "fc":
        raise ValueError(f"finfo: {d} is not a floating-point data type (use iinfo for integers)")
    return finfo_object(d)


def iinfo(type, /):
    """Machine limits of an integer dtype (or of an array's dtype)."""
    d = _dtype_of(type, "iinfo")
    if d.kind not in "iu":
        raise ValueError(f"iinfo: {d} is not an integer data type (use finfo for floats)")
    return iinfo_object(d)


_KINDS = {
    "bool": "b", "signed integer": "i", "unsigned integer": "u", "integral": "iu",
    "real floating": "f", "complex floating": "c", "numeric": "iufc",
}


def isdtype(dtype, kind):
    """Whether ``dtype`` is of ``kind``: a dtype, one of the spec's kind names ("bool",
    "signed integer", "unsigned integer", "integral", "real floating", "complex floating",
    "numeric"), or a tuple of these."""
    if isinstance(dtype, Array) or not isinstance(dtype, (np.dtype, type)):
        raise TypeError(f"isdtype: dtype must be a data type object, got {_short(dtype)}")
    d = _dtype_of(dtype, "isdtype")
    if isinstance(kind, tuple):
        return any(isdtype(d, k) for k in kind)
    if isinstance(kind, str):
        if kind not in _KINDS:
            raise ValueError(f"isdtype: kind must be a dtype, a tuple or one of {', '.join(map(repr, _KINDS))}; "
                             f"got {kind!r}")
        return d.kind in _KINDS[kind]
    return d == _dtype_of(kind, "isdtype")


def result_type(*arrays_and_dtypes):
    """The dtype of an operation on these arrays, dtypes and Python scalars (the spec's
    promotion; Python scalars are weak, as in NumPy 2)."""
    if not arrays_and_dtypes:
        raise ValueError("result_type: at least one array or dtype is required")
    args = []
    for a in arrays_and_dtypes:
        if isinstance(a, (Array, np.generic)):  # np.float64 is a Python float, but not weak
            args.append(a.dtype)
        elif isinstance(a, (builtins.bool, int, float, complex)):
            args.append(a)
        else:
            args.append(_dtype_of(a, "result_type"))
    if all(isinstance(a, (builtins.bool, int, float, complex)) for a in args):
        raise ValueError("result_type: at least one array or dtype is required (got only Python scalars)")
    try:
        return np.result_type(*args)
    except TypeError as e:
        raise TypeError(f"result_type: no common dtype for {', '.join(map(_short, arrays_and_dtypes))}: {e}") from None


def can_cast(from_, to, /):
    """Whether ``from_`` (a dtype or an array) casts to ``to`` under the spec's promotion
    rules (NumPy's "safe" casting)."""
    src = _dtype_of(from_, "can_cast")
    dst = _dtype_of(to, "can_cast")
    return builtins.bool(np.can_cast(src, dst, casting="safe"))


def astype(x, dtype, /, *, copy=True, device=None):
    """``x`` cast to ``dtype``. Nothing is copied until computed: ``copy=False`` with the
    same dtype returns ``x`` itself, ``copy=True`` a new array object over the same
    expression; ``device``: see ``check_device``."""
    if not isinstance(x, Array):
        raise TypeError(f"astype: x must be a tessera array, got {_short(x)}")
    check_device(device, "astype")
    name = dtype_name(dtype, "astype")
    if name == x._c.dtype:
        # copy=True: a new array object (item assignments to x do not show in it)
        return _wrap(x._c) if copy else x
    return _wrap(x._c.astype(name))


class __array_namespace_info__:
    """The spec's inspection namespace: ``capabilities``, ``default_device``,
    ``default_dtypes``, ``devices`` and ``dtypes``."""

    __module__ = "tessera"

    def capabilities(self):
        # Masks, unique, nonzero and repeat by an array give Dask's nan sizes (not the spec's
        # integers or None) unless array.data-dependent-shapes is "compute".
        from ._unknown import sizes_computed

        dds = sizes_computed()
        return {"boolean indexing": dds, "data-dependent shapes": dds, "max dimensions": 64}

    def default_device(self):
        return CPU_DEVICE

    def devices(self):
        return (CPU_DEVICE,)

    def default_dtypes(self, *, device=None):
        check_device(device, "default_dtypes")
        return {"real floating": np.dtype(float64), "complex floating": np.dtype(complex128),
                "integral": np.dtype(int64), "indexing": np.dtype(int64)}

    def dtypes(self, *, device=None, kind=None):
        check_device(device, "dtypes")
        names = [n for n in _SPEC_DTYPES if n in _DTYPES]
        if kind is not None:
            names = [n for n in names if isdtype(np.dtype(n), kind)]
        return {n: np.dtype(n) for n in names}


def from_dlpack(x, /, *, device=None, copy=None):
    """A tessera array over the data of any DLPack producer (NumPy, PyTorch, ...) on the
    CPU; as with ``asarray``, the memory is read in place unless ``copy=True``."""
    check_device(device, "from_dlpack")
    if isinstance(x, Array):
        return x
    from ._creation import asarray

    try:
        a = np.from_dlpack(x, copy=copy)
    except (TypeError, BufferError, RuntimeError) as e:
        raise type(e)(f"from_dlpack: cannot read {type(x).__name__} through DLPack: {e}") from None
    return asarray(a)
