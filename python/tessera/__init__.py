"""tessera: chunked, lazy, parallel N-d arrays with a Rust core, shaped like ``dask.array``.

Change ``import dask.array as da`` to ``import tessera as da``::

    import tessera as da
    x = da.random.normal(0.0, 0.1, size=800_000_000, chunks=200_000_000)
    print(x.mean().compute())

Arrays are lazy: operations build an expression graph (checking shapes, dtypes and chunks
at once) and ``compute()`` runs it on all cores with the GIL released, returning NumPy
arrays. Ctrl-C cancels a computation within a fraction of a second.
"""

from __future__ import annotations

import math as _math

import numpy as _np

import atexit as _atexit

from . import _cleanup, _core, _numpy_api, config, diagnostics, lib, overlap, random
from ._array import Array
from ._blockwise import blockwise, elemwise, map_blocks
from ._gufunc import apply_gufunc, as_gufunc, gufunc
from ._delayed import from_delayed
from ._store import store, to_hdf5
from ._npy_stack import from_npy_stack, to_npy_stack
from ._zarr import from_zarr, to_zarr
from ._reduction import reduction
from ._routines import apply_along_axis, apply_over_axes, coarsen
from ._compare import allclose, isclose
from ._float_functions import isneginf, isposinf, isreal, logaddexp2, nan_to_num, sinc
from ._statistics import average, corrcoef, count_nonzero, cov, moment, ptp
from . import stats
from ._order import argtopk, median, nanmedian, nanpercentile, nanquantile, percentile, quantile, topk
from ._counting import bincount, digitize, histogram, histogram2d, histogramdd, isin, searchsorted
from ._sort import argsort, sort
from ._scans import cumprod, cumreduction, cumsum, cumulative_prod, cumulative_sum, nancumprod, nancumsum
from ._products import dot, einsum, inner, matmul, matrix_transpose, outer, tensordot, vdot, vecdot
from . import linalg
from ._ufunc import frompyfunc
from .overlap import map_overlap
from ._chunks import parse_bytes
from ._creation import (
    BINARY as _BINARY,
    REDUCTIONS as _REDUCTIONS,
    UNARY as _UNARY,
    arange,
    around,
    array,
    asanyarray,
    asarray,
    broadcast_to,
    clip,
    compute,
    empty,
    empty_like,
    expand_dims,
    from_array,
    full,
    full_like,
    linspace,
    moveaxis,
    ndim,
    ones,
    ones_like,
    persist,
    positive,
    ravel,
    rechunk,
    reshape,
    round,
    shape,
    squeeze,
    swapaxes,
    transpose,
    visualize,
    where,
    zeros,
    zeros_like,
)
from ._errors import ScalarOverflowError
from ._join import (
    append,
    atleast_1d,
    atleast_2d,
    atleast_3d,
    block,
    broadcast_arrays,
    broadcast_shapes,
    concatenate,
    dstack,
    hstack,
    stack,
    vstack,
)
from ._pad import pad
from ._layout import (
    array_split,
    choose,
    diag,
    diagonal,
    diff,
    ediff1d,
    eye,
    flip,
    fliplr,
    flipud,
    fromfunction,
    gradient,
    indices,
    meshgrid,
    piecewise,
    ravel_multi_index,
    repeat,
    roll,
    rollaxis,
    rot90,
    select,
    shuffle,
    split,
    tile,
    trace,
    tri,
    tril,
    triu,
    unravel_index,
)
from ._fancy import take, take_along_axis
from . import _numpy_join  # noqa: F401 (NumPy protocol entries)
from ._errors import PerformanceWarning
from ._array_api import (
    CPU_DEVICE,
    Device,
    __array_api_version__,
    __array_namespace_info__,
    astype,
    can_cast,
    finfo,
    from_dlpack,
    iinfo,
    isdtype,
    result_type,
)
from ._spec_manipulation import concat, matrix_transpose, permute_dims, unstack
from . import _array_api_methods
from . import _dask_protocol
from ._dask_protocol import tokenize
from ._dataframe import from_dask_array, to_dask_array, to_dask_dataframe
from . import ma
from ._repr import format_bytes

__version__ = "0.1.0"


def mpi_available() -> bool:
    """Whether this build can compute over MPI (``scheduler="mpi"``)."""
    return _core.mpi_available()


def mpi_rank_size():
    """(rank, size) of this process in MPI_COMM_WORLD (starts MPI); (0, 1) without MPI."""
    return _core.mpi_rank_size()


def _mpi_exit():
    """At exit: finalise MPI (mpirun reports a failure otherwise), after checking with the
    other ranks that they end too (see ``_core.mpi_finalize``). Under the MPI scheduler this
    starts MPI if no compute did, so that a rank leaving before its first compute is seen."""
    import sys

    from . import _run

    exc = getattr(sys, "last_exc", None) or getattr(sys, "last_value", None)
    cause = f"an uncaught {type(exc).__name__}: {exc}" if exc is not None else None
    _core.mpi_finalize(_run.is_mpi(), cause)


_atexit.register(_mpi_exit)

# Spill directories go away on SIGTERM and at exit; those of ended processes on import.
_cleanup.install()

# Elementwise functions and reductions by their NumPy names: sqrt, add, isnan, sum, argmax, ...
globals().update(_UNARY)
globals().update(_BINARY)
globals().update(_REDUCTIONS)
from ._complex import real, imag, angle, iscomplexobj, isrealobj  # noqa: E402  (NumPy functions, not ufuncs)
from . import fft  # noqa: E402
conj = _UNARY["conjugate"]

# dtypes and constants, for code that uses the module as an array namespace
bool_ = _np.bool_
int8, int16, int32, int64 = _np.int8, _np.int16, _np.int32, _np.int64
uint8, uint16, uint32, uint64 = _np.uint8, _np.uint16, _np.uint32, _np.uint64
float32, float64 = _np.float32, _np.float64
float16, complex64, complex128 = _np.float16, _np.complex64, _np.complex128
newaxis = None
# The Array API's dtype objects (complex ones name dtypes for code that asks; see _array_api)
from ._array_api import bool, complex64, complex128  # noqa: E402
_array_api_methods.install()
# Sizes known only at run time; elementwise functions and reductions lifted over them.
from ._unknown import (  # noqa: E402
    argwhere,
    compress,
    extract,
    flatnonzero,
    intersect1d,
    nonzero,
    union1d,
    unique,
    unique_all,
    unique_counts,
    unique_inverse,
    unique_values,
)
from . import _unknown  # noqa: E402

_unknown.install(globals())
for _f in (argwhere, compress, extract, flatnonzero, nonzero, unique, unique_all, unique_counts, unique_inverse,
           unique_values, result_type):
    _numpy_api.implements(_f.__name__)(_f)
_dask_protocol.install()
pi, e, inf, nan = _math.pi, _math.e, _math.inf, _math.nan

__all__ = sorted(
    n for n in globals() if not n.startswith("_") and n not in ("annotations",)
)


def __getattr__(name):
    # `import tessera as da` in a Dask script: say clearly what is missing.
    if name.startswith("__"):
        raise AttributeError(name)
    raise AttributeError(
        f"module 'tessera' has no attribute {name!r}: tessera does not implement dask.array.{name} "
        f"(or numpy.{name}) yet"
    )
