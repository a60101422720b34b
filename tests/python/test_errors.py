"""Every error path raises the exception a NumPy or Dask user expects, and its message
names the operation."""

from __future__ import annotations

import numpy as np
import pytest

import tessera as da

try:
    from numpy.exceptions import AxisError
except ImportError:  # NumPy < 1.25
    from numpy import AxisError


def test_broadcast_error():
    with pytest.raises(ValueError, match=r"add: operands could not be broadcast together with shapes \(2, 3\) \(4,\)"):
        da.ones((2, 3)) + da.ones(4)
    with pytest.raises(ValueError, match="broadcast_to"):
        da.broadcast_to(da.ones(3), (2, 4))
    with pytest.raises(ValueError, match="where"):
        da.where(da.ones(2) > 0, da.ones(3), 0)


@pytest.mark.parametrize("op", ["sum", "mean", "max", "var", "argmin", "any"])
def test_axis_errors_are_numpy_axis_errors(op):
    x = da.ones((2, 3))
    with pytest.raises(AxisError) as info:
        getattr(x, op)(axis=2)
    assert isinstance(info.value, ValueError) and isinstance(info.value, IndexError)
    assert op in str(info.value) and "axis 2 is out of bounds" in str(info.value)
    if op != "argmin":
        with pytest.raises(AxisError, match="repeated axis"):
            getattr(x, op)(axis=(0, -2))


def test_transpose_axis_errors():
    with pytest.raises(AxisError, match="transpose"):
        da.ones((2, 3)).transpose(0, 2)
    with pytest.raises(AxisError, match="transpose"):
        da.ones((2, 3)).transpose(0)


def test_index_errors():
    x = da.ones((4, 5), chunks=2)
    with pytest.raises(IndexError, match="getitem: index 4 is out of bounds for axis 0 with size 4"):
        x[4]
    with pytest.raises(IndexError, match="getitem: too many indices"):
        x[0, 0, 0]


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda: da.ones(5, chunks=((2, 2),)), "chunks: block sizes"),
        (lambda: da.ones((5, 5), chunks=(2,)), "chunks"),
        (lambda: da.ones(5, chunks=-2), "chunks"),
        (lambda: da.ones(5).rechunk(((1, 1),)), "rechunk"),
        (lambda: da.ones(6).reshape(4, 2), "reshape"),
        (lambda: da.ones(6).reshape(-1, -1), "reshape"),
        (lambda: da.ones(3).sum(split_every=1), "sum: split_every"),
        (lambda: da.zeros((0,)).max(), "max: zero-size"),
        (lambda: da.arange(0, 1, 0), "arange"),
        (lambda: da.ones(-1), "negative dimensions"),
    ],
)
def test_value_errors(make, words):
    with pytest.raises(ValueError, match=words):
        make()


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda: ~da.ones(3), "invert"),
        (lambda: da.ones(3) & 1, "bitwise_and"),
        (lambda: da.ones(3, dtype=bool) - da.ones(3, dtype=bool), "subtract"),
        (lambda: -da.ones(3, dtype=bool), "negative"),
        (lambda: da.ones(3).astype("complex64"), "astype"),
        (lambda: da.ones(3, dtype="float16"), "ones"),
        (lambda: da.from_array(np.ones(3, dtype=complex)), "from_array"),
        (lambda: da.ones(3) + 1j, "complex"),
        (lambda: da.ones(3).astype(int, casting="safe"), "astype"),
    ],
)
def test_dtype_errors_are_type_errors(make, words):
    with pytest.raises(TypeError, match=words):
        make()


@pytest.mark.parametrize("dtype, value", [("uint8", 300), ("uint8", -1), ("int8", 128), ("int16", -40000),
                                          ("uint64", -1), ("int64", 2**63), ("uint64", 2**64)])
def test_python_int_out_of_range(dtype, value):
    x = da.ones(3, dtype=dtype)
    with pytest.raises(OverflowError, match=r"add: Python integer -?\d+ out of bounds for") as info:
        x + value
    assert isinstance(info.value, ValueError)  # tessera's errors for bad values are ValueErrors
    with pytest.raises(OverflowError):
        np.ones(3, dtype=dtype) + value  # as NumPy does


def test_unknown_scheduler():
    with pytest.raises(ValueError, match="unknown scheduler 'mpi-please'"):
        da.ones(3).compute(scheduler="mpi-please")
    with pytest.raises(ValueError, match="scheduler"):
        da.config.set(scheduler="nope")


def test_bad_num_workers():
    with pytest.raises(ValueError, match="num_workers"):
        da.ones(3).compute(num_workers=0)


def test_no_panic_crosses_into_python():
    with pytest.raises(RuntimeError, match="panic"):
        da._core._panic_for_tests()


def test_array_cannot_be_built_directly():
    with pytest.raises(TypeError, match="from_array"):
        da.Array()


def test_visualize_without_backend_names_the_issue():
    if hasattr(da._core, "visualize"):
        pytest.skip("this build has visualize")
    with pytest.raises(NotImplementedError, match="diagnostics"):
        da.ones(3).visualize()
