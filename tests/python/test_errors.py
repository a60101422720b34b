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
        (lambda: da.ones(3).astype("U3"), "astype"),
        (lambda: da.ones(3, dtype="datetime64[s]"), "ones"),
        (lambda: da.from_array(np.ones(3, dtype=object)), "from_array"),
        (lambda: da.floor(da.ones(3) + 1j), "floor"),
        (lambda: da.ones(3, dtype="complex64") & 1, "bitwise_and"),
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


# ---------------------------------------------------------------------------------------
# Issue 13, item 23: an adversarial audit of every public function (tests/audit/api_audit.py)
# found errors that did not name the operation, the argument or the value, the wrong
# exception class, and invalid input accepted with another meaning. Each case: raised when
# the expression is built, of NumPy's class, naming the operation and what is at fault.

def _x():
    return da.from_array(np.arange(6.0).reshape(2, 3), chunks=2)


@pytest.mark.parametrize("call, exc, words", [
    # sizes beyond 64 bits: NumPy's ValueError "Maximum allowed dimension exceeded", not an OverflowError
    (lambda: da.ones(2**70), ValueError, ["ones", "Maximum allowed dimension", str(2**70)]),
    (lambda: da.zeros((3, 2**64)), ValueError, ["zeros", "Maximum allowed dimension", str(2**64)]),
    (lambda: da.full((2**70,), 1), ValueError, ["full", "Maximum allowed dimension"]),
    (lambda: da.zeros_like(_x(), shape=2**70), ValueError, ["zeros_like", "Maximum allowed dimension"]),
    (lambda: da.broadcast_to(_x(), (2**70, 3)), ValueError, ["broadcast_to", "Maximum allowed dimension"]),
    (lambda: da.random.random(2**64), ValueError, ["random_sample", "size", "Maximum allowed dimension"]),
    (lambda: da.random.default_rng(0).standard_normal((2, 2**64)), ValueError, ["standard_normal", "Maximum"]),
    (lambda: _x().reshape(2**64, 0), ValueError, ["reshape", "Maximum allowed dimension"]),
    (lambda: da.linspace(0, 1, 2**70), ValueError, ["linspace", "Maximum allowed size", "num"]),
    # shapes of the wrong type (NumPy: TypeError); None and bools were taken as () and 1
    (lambda: da.zeros(None), TypeError, ["zeros", "shape", "None"]),
    (lambda: da.ones(True), TypeError, ["ones", "shape", "True"]),
    (lambda: da.empty((True, 2)), TypeError, ["empty", "shape"]),
    (lambda: da.full({2: 3}, 1), TypeError, ["full", "shape", "{2: 3}"]),
    (lambda: da.random.default_rng(0).random(size=False), TypeError, ["random", "size", "False"]),
    (lambda: _x().reshape(True, 6), TypeError, ["reshape", "True"]),
    # errors that named another (inner) operation, or none
    (lambda: da.zeros_like(_x(), shape=-1), ValueError, ["zeros_like", "negative dimensions"]),
    (lambda: da.random.standard_normal(-1), ValueError, ["standard_normal", "negative dimensions", "size"]),
    (lambda: da.zeros((4, 6), chunks=((2, 1), (3, 3))), ValueError, ["zeros: chunks", "add up to 3"]),
    (lambda: da.ones(5, chunks=-2**70), ValueError, ["ones", "chunks", str(-2**70)]),
    (lambda: da.sum(None), TypeError, ["sum", "NoneType"]),
    (lambda: da.sqrt({1: 2}), TypeError, ["sqrt", "dict", "{1: 2}"]),
    (lambda: da.add(_x(), np.array(["a"])), TypeError, ["add", "dtype <U1"]),
    (lambda: da.mod(_x(), np.array(["a"])), TypeError, ["mod: ", "dtype <U1"]),
    (lambda: da.abs(np.ma.masked_array([1, 2], mask=[0, 1])), TypeError, ["abs: masked arrays"]),
    (lambda: _x() * "a", TypeError, ["multiply", "'a'"]),
    (lambda: da.clip(_x(), "a", 1), TypeError, ["clip", "'a'"]),
    (lambda: da.sum(_x(), dtype="foo"), TypeError, ["sum", "dtype='foo'"]),
    (lambda: da.random.default_rng(0).random(3, dtype="foo"), TypeError, ["random", "dtype='foo'"]),
    (lambda: da.random.default_rng(0).normal("a", 1), ValueError, ["normal", "loc='a'"]),
    (lambda: da.random.uniform(None, 1), TypeError, ["uniform", "low=None"]),
    (lambda: da.random.default_rng(0).integers("a", 5), ValueError, ["integers", "low='a'"]),
    (lambda: da.random.default_rng(0).integers(0, float("inf")), OverflowError, ["integers", "high=inf"]),
    (lambda: da.random.RandomState(0).standard_normal(2, bogus=1), TypeError, ["standard_normal", "bogus"]),
    (lambda: da.random.default_rng("a"), TypeError, ["default_rng", "seed", "'a'"]),
    (lambda: da.linspace("a", 1), TypeError, ["linspace", "start", "'a'"]),
    (lambda: da.linspace(0, 10**400), TypeError, ["linspace", "stop", "object array"]),
    (lambda: da.linspace(0, [1, 2]), NotImplementedError, ["linspace", "array-valued stop"]),
    (lambda: da.array(_x(), ndmin="2"), TypeError, ["array", "ndmin", "'2'"]),
    (lambda: da.full(3, 2**70, dtype="int8"), OverflowError, ["full", str(2**70), "int8"]),
    (lambda: da.full(3, 10**400, dtype="float64"), OverflowError, ["full", "fill value"]),
    (lambda: _x()[0:1.5], TypeError, ["getitem", "slice indices", "1.5"]),
    (lambda: da.arange(5, dtype=bool), TypeError, ["arange", "dtype=bool"]),
    (lambda: da.parse_bytes(None), TypeError, ["parse_bytes", "None"]),
    (lambda: da.parse_bytes("5 parsecs"), ValueError, ["parse_bytes", "'5 parsecs'"]),
    (lambda: da.ones(3).rechunk(object()), TypeError, ["rechunk", "cannot understand chunks", "object"]),
    # invalid input that was accepted with another meaning
    (lambda: _x().sum(keepdims="x"), TypeError, ["sum", "keepdims", "'x'"]),
    (lambda: da.mean(_x(), keepdims=None), TypeError, ["mean", "keepdims", "None"]),
    (lambda: da.round(_x(), 1.5), TypeError, ["round", "decimals", "1.5"]),
    (lambda: da.round(_x(), "1"), TypeError, ["round", "decimals", "'1'"]),
    (lambda: da.round(_x(), 2**70), OverflowError, ["round", "decimals", str(2**70)]),
    (lambda: da.linspace(0, 1, 5.5), TypeError, ["linspace", "num", "5.5"]),
    (lambda: da.moveaxis(_x(), 0, 2), AxisError, ["moveaxis", "destination", "axis 2"]),
    (lambda: da.moveaxis(_x(), -3, 0), AxisError, ["moveaxis", "source", "axis -3"]),
    (lambda: da.squeeze(_x()[:1], axis=(0, 0)), ValueError, ["squeeze", "repeated axis"]),
    (lambda: da.expand_dims(_x(), None), TypeError, ["expand_dims", "axis", "None"]),
    (lambda: _x().astype(int, casting="bogus"), ValueError, ["astype", "casting", "'bogus'"]),
    (lambda: _x().astype(int, casting=1), TypeError, ["astype", "casting"]),
    (lambda: da.asarray(np.ones(2), copy="x"), ValueError, ["asarray", "copy", "'x'"]),
    (lambda: da.exp(_x(), casting="bogus"), ValueError, ["exp", "casting", "'bogus'"]),
    (lambda: da.add(_x(), 1, order="Q"), ValueError, ["add", "order", "'Q'"]),
    (lambda: da.add(_x(), 1, bogus=1), TypeError, ["add", "bogus"]),
    (lambda: da.absolute(_x(), dtype="int8"), TypeError, ["absolute", "dtype='int8'", "same_kind"]),
    (lambda: da.add(_x(), da.ones(3, dtype="int8"), casting="no"), TypeError, ["add", "casting='no'"]),
    (lambda: da.less(_x(), _x(), dtype="float32"), TypeError, ["less", "dtype='float32'"]),
    (lambda: da.positive(_x(), dtype="int8"), TypeError, ["positive", "dtype='int8'"]),
    (lambda: da.random.default_rng(-1), ValueError, ["default_rng", "seed", "-1"]),
    (lambda: da.random.default_rng([1, -2]), ValueError, ["default_rng", "seed"]),
    (lambda: da.random.RandomState(2**32), ValueError, ["RandomState", "seed", str(2**32)]),
    (lambda: da.random.seed(-5), ValueError, ["seed", "-5"]),
    (lambda: da.random.RandomState(0).random_sample(3, dtype="float32"), TypeError, ["random_sample", "dtype"]),
    (lambda: da.random.RandomState(0).standard_normal(3, dtype="float64"), TypeError, ["standard_normal", "dtype"]),
    (lambda: da.random.default_rng(0).uniform(1, 0, 3), ValueError, ["uniform", "high - low < 0"]),
    (lambda: da.random.uniform(0, float("inf"), 3), OverflowError, ["uniform", "Range exceeds", "inf"]),
    (lambda: da.random.default_rng(0).uniform(-1e308, 1e308, 3), OverflowError, ["uniform", "Range exceeds"]),
    (lambda: da.random.default_rng(0).normal(0, -1, 3), ValueError, ["normal", "scale < 0"]),
    (lambda: da.random.default_rng(0).integers(0, 5, dtype=">i2"), ValueError, ["integers", "byteorder"]),
    (lambda: da.diagnostics.ProgressBar(width=-1), ValueError, ["ProgressBar", "width", "-1"]),
    (lambda: da.diagnostics.ProgressBar(dt=0), ValueError, ["ProgressBar", "dt", "0"]),
    (lambda: da.diagnostics.ProgressBar(minimum="x"), TypeError, ["ProgressBar", "minimum", "'x'"]),
    (lambda: da.diagnostics.ProgressBar(out="file.txt"), TypeError, ["ProgressBar", "out", "'file.txt'"]),
    (lambda: da.diagnostics.visualize(5), TypeError, ["visualize", "Profiler", "5"]),
    (lambda: _x().visualize(rankdir="XX"), ValueError, ["visualize", "rankdir", "'XX'"]),
    (lambda: _x().visualize(color="bogus"), ValueError, ["visualize", "color", "'bogus'"]),
    (lambda: _x().visualize(filename=5), TypeError, ["visualize", "filename", "5"]),
    (lambda: _x().visualize(filename=""), ValueError, ["visualize", "filename"]),
    (lambda: da.config.set({"array.chunk_size": "-5MiB"}), ValueError, ["array.chunk_size", "'-5MiB'"]),
    (lambda: da.config.set(1), TypeError, ["config.set", "1"]),
])
def test_audited_errors(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    for w in words:
        assert w in str(info.value), f"{w!r} not in {str(info.value)!r}"


@pytest.mark.parametrize("call, numpy_call", [
    (lambda: da.ones(2**70), lambda: np.ones(2**70)),
    (lambda: da.zeros(None), lambda: np.zeros(None)),
    (lambda: da.ones(True), lambda: np.ones(True)),
    (lambda: _x().reshape(2**64, 0), lambda: np.ones((2, 3)).reshape(2**64, 0)),
    (lambda: da.zeros(0).reshape((2**32, 2**32, 0)), lambda: np.zeros(0).reshape((2**32, 2**32, 0))),
    (lambda: _x().transpose(2**64, 0), lambda: np.ones((2, 3)).transpose(2**64, 0)),
    (lambda: da.linspace(0, 1, 2**70), lambda: np.linspace(0, 1, 2**70)),
    (lambda: da.linspace("a", 1), lambda: np.linspace("a", 1)),
    (lambda: da.round(_x(), 1.5), lambda: np.round(np.ones((2, 3)), 1.5)),
    (lambda: da.round(_x(), float("nan")), lambda: np.round(np.ones((2, 3)), float("nan"))),
    (lambda: _x().var(ddof="1"), lambda: np.ones((2, 3)).var(ddof="1")),
    (lambda: _x().sum(keepdims="x"), lambda: np.ones((2, 3)).sum(keepdims="x")),
    (lambda: da.moveaxis(_x(), 0, 2), lambda: np.moveaxis(np.ones((2, 3)), 0, 2)),
    (lambda: da.squeeze(_x()[:1], axis=(0, 0)), lambda: np.squeeze(np.ones((1, 3)), axis=(0, 0))),
    (lambda: da.random.default_rng(-1), lambda: np.random.default_rng(-1)),
    (lambda: da.random.RandomState(2**32), lambda: np.random.RandomState(2**32)),
    (lambda: da.random.RandomState(0).random_sample(3, dtype="f4"), lambda: np.random.RandomState(0).random_sample(3, dtype="f4")),
    (lambda: da.random.default_rng(0).uniform(1, 0, 3), lambda: np.random.default_rng(0).uniform(1, 0, 3)),
    (lambda: da.random.uniform(0, float("inf"), 3), lambda: np.random.uniform(0, float("inf"), 3)),
    (lambda: da.random.default_rng(0).integers(0, 5, dtype=">i2"), lambda: np.random.default_rng(0).integers(0, 5, dtype=">i2")),
    (lambda: da.random.default_rng(0).random(3, dtype=">f8"), lambda: np.random.default_rng(0).random(3, dtype=">f8")),
    (lambda: _x().astype(int, casting="bogus"), lambda: np.ones(3).astype(int, casting="bogus")),
    (lambda: da.asarray(np.ones(2), copy="x"), lambda: np.asarray(np.ones(2), copy="x")),
    (lambda: da.exp(_x(), order="Q"), lambda: np.exp(np.ones(3), order="Q")),
    (lambda: da.absolute(_x(), dtype="int8"), lambda: np.absolute(np.ones(3), dtype="int8")),
    (lambda: da.true_divide(da.ones(3, dtype="i1"), 2, dtype="i1"), lambda: np.true_divide(np.ones(3, "i1"), 2, dtype="i1")),
])
def test_audited_errors_have_numpys_class(call, numpy_call):
    with pytest.raises(Exception) as expected:
        numpy_call()
    cls = type(expected.value)
    if cls.__module__.startswith("numpy") and cls is not AxisError:  # UFuncTypeError & co: TypeError
        cls = next(b for b in (TypeError, ValueError, IndexError, OverflowError) if issubclass(cls, b))
    with pytest.raises(cls):
        call()


@pytest.mark.parametrize("other", [None, "a", b"x", object()])
def test_equality_with_other_objects_is_elementwise_like_numpy(other):
    """`x == None` gave Python's False (identity), not NumPy's all-False array."""
    a = np.arange(6.0).reshape(2, 3)
    with np.errstate(all="ignore"):
        assert_eq = (a == other, a != other)
    got = (_x() == other, _x() != other)
    for g, e in zip(got, assert_eq):
        assert isinstance(g, da.Array)
        np.testing.assert_array_equal(g.compute(), e)
    if other is None:
        np.testing.assert_array_equal(da.equal(_x(), None).compute(), np.equal(a, None))
    else:
        with pytest.raises(TypeError):
            da.less(_x(), "a")


def test_valid_numpy_calls_the_audit_found_refused():
    a = np.arange(6.0).reshape(2, 3)
    x = _x()
    # an axis given as a 0-d integer array
    np.testing.assert_array_equal(x.sum(axis=np.array(1)).compute(), a.sum(axis=np.array(1)))
    np.testing.assert_array_equal(x.argmax(axis=np.int8(0)).compute(), a.argmax(axis=np.int8(0)))
    # any negative size is the unknown one
    assert x.reshape(-2, 3).shape == np.reshape(a, (-2, 3)).shape
    # a step of None is 1
    np.testing.assert_array_equal(da.arange(0, 5, None).compute(), np.arange(0, 5, None))
    # a NaN scale gives NaNs
    assert np.isnan(da.random.default_rng(0).normal(0, float("nan"), 4).compute()).all()
    # legacy uniform takes low > high
    u = da.random.RandomState(0).uniform(1, 0, 100).compute()
    assert ((u > 0) & (u <= 1)).all()
    # decimals beyond the float range compute what NumPy computes
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(da.round(x + 0.5, 400).compute(), np.round(a + 0.5, 400))
    # ufunc keywords: dtype picks NumPy's loop, casting checks the casts
    assert da.sqrt(da.ones(3, dtype="int8"), casting="safe").dtype == np.float16  # as NumPy
    r = da.add(da.ones(3, dtype="int8"), 300, dtype="int16")
    np.testing.assert_array_equal(r.compute(), np.add(np.ones(3, dtype="int8"), 300, dtype="int16"))
    np.testing.assert_array_equal(da.absolute(x, dtype="int8", casting="unsafe").compute(),
                                  np.absolute(a, dtype="int8", casting="unsafe"))
    np.testing.assert_array_equal(da.isnan(x, dtype=bool).compute(), np.isnan(a, dtype=bool))
    assert da.positive(x, dtype="float32").dtype == np.float32


@pytest.mark.parametrize("dtype", ["int8", "int64", "uint8", "bool", "float32"])
def test_linspace_with_an_integer_dtype_rounds_down_like_numpy(dtype):
    """NumPy 2 floors before the cast; tessera truncated (-0.5 became 0, not -1)."""
    for args in [(-1, 0, 3), (-5, 7, 9), (0.5, -3.5, 6), (3, 3, 2)]:
        exp = np.linspace(*args, dtype=dtype)
        if dtype.startswith("u") and (np.linspace(*args) < 0).any():
            continue  # negative floats to unsigned integers: undefined in C (NumPy's is x86's)
        np.testing.assert_array_equal(da.linspace(*args, dtype=dtype, chunks=2).compute(), exp)


@pytest.mark.parametrize("op", ["exp", "negative", "sqrt", "add", "less"])
@pytest.mark.parametrize("sig", ["d->d", "f->f", "dd->d", "ff->f", "ii->i", ("f4", None), (None, "f4"), (None, None, "f4"),
                                 "d", "i->i"])
def test_ufunc_signature_like_numpy(op, sig):
    """signature= was ignored; now it picks NumPy's loop (or raises NumPy's error)."""
    a = np.arange(6.0).reshape(2, 3)
    args = (a,) if op in ("exp", "negative", "sqrt") else (a, a)
    try:
        exp = getattr(np, op)(*args, signature=sig)
    except Exception as e:  # noqa: BLE001
        cls = type(e)
        cls = next(b for b in (TypeError, ValueError) if issubclass(cls, b))
        with pytest.raises(cls, match=op):
            getattr(da, op)(*(da.from_array(v, chunks=2) for v in args), signature=sig)
        return
    got = getattr(da, op)(*(da.from_array(v, chunks=2) for v in args), signature=sig)
    np.testing.assert_allclose(got.compute(), exp, rtol=1e-6)
    assert got.dtype == exp.dtype


def test_fix_takes_no_ufunc_keywords():
    with pytest.raises(TypeError, match="fix"):
        da.fix(da.ones(3), dtype="float32")
    with pytest.raises(TypeError):
        np.fix(np.ones(3), dtype="float32")


@pytest.mark.parametrize("call, numpy_call", [
    (lambda: da.ones((2, 3)).var(ddof=True), lambda: np.ones((2, 3)).var(ddof=True)),
    (lambda: da.round(da.arange(6.0) / 7, True), lambda: np.round(np.arange(6.0) / 7, True)),
    (lambda: da.linspace(0, 1, True), lambda: np.linspace(0, 1, True)),
    (lambda: da.array(np.ones(3), ndmin=True), lambda: np.array(np.ones(3), ndmin=True)),
])
def test_bools_count_as_integers_where_numpy_takes_them(call, numpy_call):
    exp = numpy_call()
    got = call().compute()
    np.testing.assert_array_equal(got, exp)
    assert got.shape == exp.shape
