"""NumPy protocols: ufuncs and array functions stay lazy; unsupported ones fail loudly."""

from __future__ import annotations

import numpy as np
import pytest

import tessera as da
from conftest import assert_same

A = np.arange(12, dtype=np.float64).reshape(3, 4)


def x():
    return da.from_array(A, chunks=2)


UFUNCS_1 = [np.sin, np.cos, np.sqrt, np.exp, np.log1p, np.negative, np.absolute, np.abs, np.floor, np.isnan,
            np.isfinite, np.logical_not, np.square, np.sign, np.rint, np.tanh, np.positive, np.trunc]
UFUNCS_2 = [np.add, np.subtract, np.multiply, np.divide, np.true_divide, np.floor_divide, np.power, np.maximum,
            np.minimum, np.greater, np.equal, np.logical_and, np.arctan2, np.hypot, np.remainder, np.mod]


@pytest.mark.parametrize("u", UFUNCS_1, ids=lambda u: u.__name__)
def test_unary_ufuncs_stay_lazy(u):
    r = u(x())
    assert isinstance(r, da.Array)
    assert_same(r.compute(), u(A))


@pytest.mark.parametrize("u", UFUNCS_2, ids=lambda u: u.__name__)
def test_binary_ufuncs_stay_lazy(u):
    for other in (x(), 2, 1.5, np.float32(2), A[0], A):
        r = u(x(), other)
        assert isinstance(r, da.Array), (u, other)
        assert_same(r.compute(), u(A, other))
        r = u(other, x())
        assert isinstance(r, da.Array), (u, other)
        assert_same(r.compute(), u(other, A))


def test_numpy_operands_in_operators():
    assert isinstance(A + x(), da.Array)
    assert_same((A + x()).compute(), A + A)
    assert_same((x() + np.float32(1)).compute(), A + np.float32(1))
    assert (da.ones(3, dtype="float32") + np.float32(1)).dtype == np.float32
    assert (da.ones(3, dtype="float32") + np.float64(1)).dtype == np.float64  # NumPy scalars are strong
    assert (da.ones(3, dtype="float32") + 1.0).dtype == np.float32  # Python scalars are weak
    assert isinstance(np.float32(1) + x(), da.Array)
    assert (np.int8(1) + da.ones(3, dtype="int16")).dtype == np.int16


def test_ufunc_dtype_keyword():
    assert np.add(x(), 1, dtype="float32").dtype == np.float32
    assert np.sqrt(x(), dtype="float32").dtype == np.float32


@pytest.mark.parametrize(
    "call",
    [
        lambda t: np.add.reduce(t),
        lambda t: np.add.accumulate(t),
        lambda t: np.multiply.outer(t, t),
        lambda t: np.add(t, 1, out=np.zeros((3, 4))),
        lambda t: np.fmod(t, 2),
        lambda t: np.ldexp(t, 2),
    ],
)
def test_unsupported_ufunc_uses_fail_loudly(call):
    with pytest.raises((NotImplementedError, TypeError)) as info:
        call(x())
    assert "tessera" in str(info.value) or "not supported" in str(info.value)


FUNCTIONS = [
    (np.sum, {}), (np.sum, {"axis": 0}), (np.mean, {"axis": (0, 1)}), (np.var, {"ddof": 1}), (np.std, {}),
    (np.min, {}), (np.max, {"axis": 1}), (np.amin, {}), (np.amax, {"keepdims": True}), (np.prod, {"axis": -1}),
    (np.any, {}), (np.all, {"axis": 0}), (np.argmin, {}), (np.argmax, {"axis": 1}), (np.round, {"decimals": 1}),
    (np.around, {}), (np.transpose, {}), (np.ravel, {}), (np.squeeze, {}),
]


@pytest.mark.parametrize("f, kw", FUNCTIONS, ids=lambda v: getattr(v, "__name__", str(v)))
def test_array_functions_stay_lazy(f, kw):
    r = f(x(), **kw)
    assert isinstance(r, da.Array)
    assert_same(r.compute(), f(A, **kw))


def test_more_array_functions():
    assert_same(np.where(x() > 4, x(), 0).compute(), np.where(A > 4, A, 0))
    assert_same(np.reshape(x(), (4, 3)).compute(), np.reshape(A, (4, 3)))
    assert_same(np.clip(x(), 2, 5).compute(), np.clip(A, 2, 5))
    assert_same(np.transpose(x(), (1, 0)).compute(), A.T)
    assert_same(np.broadcast_to(x()[0], (2, 4)).compute(), np.broadcast_to(A[0], (2, 4)))
    assert_same(np.expand_dims(x(), 1).compute(), np.expand_dims(A, 1))
    assert_same(np.swapaxes(x(), 0, 1).compute(), A.T)
    assert_same(np.moveaxis(x()[None], 0, -1).compute(), np.moveaxis(A[None], 0, -1))
    assert np.shape(x()) == (3, 4) and np.ndim(x()) == 2 and np.size(x()) == 12


# Functions tessera does not implement (none planned): the refusal names the function.
@pytest.mark.parametrize("f", [np.packbits, np.unpackbits, np.busday_count, np.fill_diagonal, np.polyval])
def test_unimplemented_array_functions_name_themselves(f):
    args = (x(), x()) if f in (np.busday_count, np.fill_diagonal, np.polyval) else (x(),)
    with pytest.raises(NotImplementedError, match=f.__name__):
        f(*args)


def test_array_protocol_computes():
    r = np.asarray(x())
    assert type(r) is np.ndarray
    assert_same(r, A)
    assert np.asarray(x(), dtype=np.float32).dtype == np.float32
    assert np.array(x().sum()).shape == ()
    assert_same(np.array(x()[0]), A[0])


def test_array_namespace():
    assert x().__array_namespace__() is da
    xp = x().__array_namespace__()
    assert_same(xp.sum(xp.sqrt(x())).compute(), np.sqrt(A).sum())


def test_scalar_conversions_compute():
    s = x().sum()
    assert float(s) == A.sum()
    assert int(s) == int(A.sum())
    assert complex(s) == complex(A.sum())
    assert bool(x()[0, 1]) is True and bool(x()[0, 0]) is False
    assert [10, 20, 30][da.arange(3)[1]] == 20
    assert int(x()[1:2, 2:3]) == 6
    with pytest.raises(TypeError, match="scalar index"):
        [1, 2][s]
    with pytest.raises(ValueError, match="ambiguous"):
        bool(x())
    with pytest.raises(TypeError, match="length-1"):
        float(x())
