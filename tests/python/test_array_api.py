"""The Array API namespace: data-type functions, the inspection namespace, devices, DLPack,
0-d conversions, permute_dims/unstack/mT and the spec's creation defaults, against NumPy
and the spec's text."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tessera as da
from conftest import DTYPES, arrays, assert_same

SPEC_DTYPES = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float32",
               "float64"]


def test_version_and_dtype_objects():
    assert da.__array_api_version__ == "2025.12"
    for name in SPEC_DTYPES + ["complex64", "complex128"]:
        assert getattr(da, name) == np.dtype(name)
    assert da.zeros(3, dtype=da.bool).dtype == da.bool
    assert da.arange(3).__array_namespace__() is da
    assert da.arange(3).__array_namespace__(api_version="2023.12") is da
    with pytest.raises(ValueError, match="api_version"):
        da.arange(3).__array_namespace__(api_version="1999.01")


@pytest.mark.parametrize("name", ["float32", "float64"])
def test_finfo(name):
    f, n = da.finfo(getattr(da, name)), np.finfo(name)
    assert (f.bits, f.eps, f.max, f.min, f.smallest_normal) == (n.bits, n.eps, n.max, n.min, n.smallest_normal)
    assert all(type(v) is float for v in (f.eps, f.max, f.min, f.smallest_normal))
    assert f.dtype == np.dtype(name)
    assert da.finfo(da.zeros(2, dtype=name)).bits == n.bits
    with pytest.raises(ValueError, match="finfo"):
        da.finfo(da.int8)


@pytest.mark.parametrize("name", [d for d in SPEC_DTYPES if d[0] in "iu"])
def test_iinfo(name):
    i, n = da.iinfo(getattr(da, name)), np.iinfo(name)
    assert (i.bits, i.max, i.min, i.dtype) == (n.bits, n.max, n.min, np.dtype(name))
    assert type(i.max) is int
    with pytest.raises(ValueError, match="iinfo"):
        da.iinfo(da.float32)
    with pytest.raises(TypeError, match="iinfo"):
        da.iinfo("not a dtype")


KINDS = ["bool", "signed integer", "unsigned integer", "integral", "real floating", "complex floating", "numeric"]


@pytest.mark.parametrize("name", SPEC_DTYPES)
def test_isdtype_matches_numpy(name):
    for kind in KINDS + [("bool", "real floating"), da.int8]:
        assert da.isdtype(getattr(da, name), kind) == np.isdtype(np.dtype(name), kind)
    with pytest.raises(ValueError, match="isdtype: kind"):
        da.isdtype(da.int8, "integer")
    with pytest.raises(TypeError, match="isdtype"):
        da.isdtype(da.zeros(2), "numeric")


@settings(max_examples=50, deadline=None)
@given(a=st.sampled_from(SPEC_DTYPES), b=st.sampled_from(SPEC_DTYPES), scalar=st.sampled_from([None, 1, 1.5, True]))
def test_result_type_and_can_cast_match_numpy(a, b, scalar):
    x = da.zeros(2, dtype=a)
    args = [x, np.dtype(b)] + ([] if scalar is None else [scalar])
    assert da.result_type(*args) == np.result_type(np.dtype(a), np.dtype(b), *([] if scalar is None else [scalar]))
    assert da.can_cast(x, b) == np.can_cast(a, b)
    assert da.can_cast(getattr(da, a), getattr(da, b)) == np.can_cast(a, b)


def test_result_type_needs_an_array_or_dtype():
    with pytest.raises(ValueError, match="result_type"):
        da.result_type()
    with pytest.raises(ValueError, match="result_type"):
        da.result_type(1, 2.0)


@settings(max_examples=40, deadline=None)
@given(data=arrays(), to=st.sampled_from(DTYPES), copy=st.booleans())
def test_astype_function(data, to, copy):
    a, chunks = data
    x = da.from_array(a, chunks=chunks)
    with np.errstate(all="ignore"):
        exp = a.astype(to)
    # out-of-range float -> uint32 only differs (NumPy's answer there depends on position)
    if a.dtype.kind not in "fc" or to != "uint32" or bool(np.all(np.abs(a.real) < 2**31)):
        assert_same(da.astype(x, to, copy=copy, device="cpu").compute(), exp)
    if np.dtype(to) == a.dtype and not copy:
        assert da.astype(x, to, copy=False) is x
    with pytest.raises(ValueError, match="astype: tessera computes on one device"):
        da.astype(x, to, device="gpu")


def test_namespace_info():
    info = da.__array_namespace_info__()
    caps = info.capabilities()
    assert set(caps) >= {"boolean indexing", "data-dependent shapes", "max dimensions"}
    assert info.default_device() in info.devices() and info.default_device() == "cpu"
    d = info.default_dtypes()
    assert d["real floating"] == np.float64 and d["integral"] == np.int64 and d["indexing"] == np.int64
    assert d["complex floating"] == np.complex128
    assert list(info.dtypes()) == SPEC_DTYPES + ["complex64", "complex128"]
    assert list(info.dtypes(kind="complex floating")) == ["complex64", "complex128"]
    assert list(info.dtypes(kind="unsigned integer")) == ["uint8", "uint16", "uint32", "uint64"]
    assert list(info.dtypes(kind=("bool", "real floating"))) == ["bool", "float32", "float64"]
    with pytest.raises(ValueError, match="dtypes: tessera computes on one device"):
        info.dtypes(device="cuda:0")


@pytest.mark.parametrize("fn,args", [("zeros", ((2, 3),)), ("ones", ((2,),)), ("empty", ((),)),
                                     ("full", ((2,), 1.5)), ("arange", (4,)), ("linspace", (0, 1, 5)),
                                     ("asarray", ([1, 2],)), ("zeros_like", (np.ones(2),)),
                                     ("ones_like", (np.ones(2),)), ("empty_like", (np.ones(2),)),
                                     ("full_like", (np.ones(2), 3))])
def test_creation_takes_device(fn, args):
    f = getattr(da, fn)
    x = f(*args, device=da.__array_namespace_info__().default_device())
    assert x.device == "cpu"
    assert f(*args, device="cpu").device == x.device
    with pytest.raises(ValueError, match=f"{fn}: tessera computes on one device"):
        f(*args, device="cuda")


def test_spec_default_dtypes():
    assert da.zeros(()).dtype == np.float64
    assert da.ones((2,)).dtype == np.float64
    assert da.full((2,), 1).dtype == np.int64 and da.full((2,), True).dtype == np.bool_
    assert da.asarray(1.0).dtype == np.float64 and da.asarray(1).dtype == np.int64
    assert da.arange(3).dtype == np.int64 and da.arange(3.0).dtype == np.float64
    assert da.linspace(0, 1, 3).dtype == np.float64


def test_device_and_to_device():
    x = da.arange(5, chunks=2)
    assert x.device == da.CPU_DEVICE and x.to_device("cpu") is x and x.to_device(x.device) is x
    with pytest.raises(ValueError, match="to_device"):
        x.to_device("cuda:0")


def test_zero_d_conversions_compute():
    assert int(da.asarray(np.int8(-7))) == -7
    assert float(da.asarray(2.5)) == 2.5
    assert complex(da.asarray(2.5)) == 2.5 + 0j
    assert bool(da.asarray(True)) is True
    assert [10, 20, 30][da.asarray(np.int64(2))] == 30
    with pytest.raises(TypeError):
        [1][da.asarray(1.0)]
    with pytest.raises(TypeError):
        int(da.arange(3))


@settings(max_examples=30, deadline=None)
@given(data=arrays())
def test_dlpack_round_trip(data):
    a, chunks = data
    x = da.from_array(a, chunks=chunks)
    assert x.__dlpack_device__() == (1, 0)
    assert_same(np.from_dlpack(x), a)
    y = da.from_dlpack(a)
    assert_same(y.compute(), a)
    assert da.from_dlpack(x) is x


@settings(max_examples=30, deadline=None)
@given(data=arrays(), seed=st.integers(0, 2**32 - 1))
def test_permute_dims_unstack_mT(data, seed):
    a, chunks = data
    x = da.from_array(a, chunks=chunks)
    perm = tuple(np.random.default_rng(seed).permutation(a.ndim).tolist())
    assert_same(da.permute_dims(x, perm).compute(), np.permute_dims(a, perm))
    if a.ndim >= 1:
        axis = seed % a.ndim
        got = da.unstack(x, axis=axis)
        exp = np.unstack(a, axis=axis)
        assert len(got) == len(exp)
        for g, e in zip(got, exp):
            assert_same(g.compute(), e)
    if a.ndim >= 2:
        assert_same(x.mT.compute(), np.matrix_transpose(a))
        assert_same(da.matrix_transpose(x).compute(), np.matrix_transpose(a))
    else:
        with pytest.raises(ValueError, match="mT"):
            x.mT
    with pytest.raises(ValueError, match="permute_dims"):
        da.permute_dims(x, tuple(range(a.ndim + 1)))


def test_reshape_copy_keyword():
    x = da.arange(6, chunks=4)
    for copy in (None, True, False):
        assert_same(da.reshape(x, (2, 3), copy=copy).compute(), np.arange(6).reshape(2, 3))
    with pytest.raises(ValueError, match="reshape"):
        da.reshape(x, (2, 3), copy="yes")


def test_eye_takes_device_and_dtype_none():
    assert_same(da.eye(3, M=4, k=1, dtype=None, device="cpu").compute(), np.eye(3, 4, k=1))
    with pytest.raises(ValueError, match="eye"):
        da.eye(3, device="gpu")


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 6), st.one_of(st.none(), st.integers(0, 6)), st.integers(-7, 7),
       st.sampled_from([None, "int32", "bool", "float32", "complex64"]))
def test_eye_n_cols_positional_as_numpy(n, m, k, dtype):
    """An integer second positional argument is the Array API's n_cols (NumPy's M)."""
    exp = np.eye(n, m, k=k, dtype=dtype or "float64")
    assert_same(da.eye(n, m, k=k, dtype=dtype).compute(), exp)
    assert_same(da.eye(n, m, k=k, dtype=dtype, chunks=2).compute(), exp)


def test_eye_keeps_dasks_chunks_where_unambiguous():
    dask_array = pytest.importorskip("dask.array")
    for args, kw in [((4,), {"chunks": 3}), ((5, 2, 3), {}), ((5, 2), {"M": 3}), ((4, "auto"), {}),
                     ((5, 2, 3, 1, "int8"), {})]:
        if kw.get("M") is not None and len(args) == 2:
            # Dask's meaning when M= is given too: the second positional is chunks.
            args, kw = (args[0],), {"chunks": args[1], **kw}
        d, t = dask_array.eye(*args, **kw), da.eye(*args, **kw)
        assert t.chunks == d.chunks and t.dtype == d.dtype
        assert_same(t.compute(), d.compute())
    assert da.eye(4, 3).shape == (4, 3)  # Dask: a 4 x 4 array of chunks 3 (the divergence)
    with pytest.raises(TypeError, match="eye: takes at most 5 positional"):
        da.eye(2, 2, 2, 0, float, 1)


@settings(max_examples=60, deadline=None)
@given(arrays(dtype=None), st.data())
def test_repeat_with_an_array_of_counts_as_numpy(data, d):
    a, chunks = data
    axis = d.draw(st.one_of(st.none(), st.integers(-max(a.ndim, 1), max(a.ndim, 1) - 1))) if a.ndim else None
    n = a.size if axis is None else a.shape[axis]
    counts = d.draw(st.lists(st.integers(0, 3), min_size=n, max_size=n) | st.lists(st.integers(0, 3), min_size=1,
                                                                                    max_size=1))
    r = np.array(counts, dtype=d.draw(st.sampled_from(["int8", "uint16", "int64"])))
    exp = np.repeat(a, r, axis=axis)
    x = da.from_array(a, chunks=chunks)
    for reps in (r, list(counts), da.from_array(r)):
        got = da.repeat(x, reps, axis=axis)
        assert_same(got.compute(), exp)
    with da.config.set({"array.data-dependent-shapes": "compute"}):
        assert da.repeat(x, da.from_array(r), axis=axis).shape == exp.shape


def test_repeat_errors():
    x = da.arange(6, chunks=4).reshape(2, 3)
    with pytest.raises(ValueError, match=r"repeat: repeats of shape \(2,\) do not broadcast to axis 1 of size 3"):
        da.repeat(x, np.array([1, 2]), axis=1)
    with pytest.raises(ValueError, match="repeat: repeats of shape"):
        da.repeat(x, da.asarray(np.array([1, 2])), axis=1)
    with pytest.raises(ValueError, match="negative dimensions"):
        da.repeat(x, np.array([1, -1]), axis=0)
    with pytest.raises(TypeError, match="repeat: repeats must be an integer or an array of integers"):
        da.repeat(x, np.array([1.5, 2.0]), axis=0)
    with pytest.raises(TypeError, match="repeat: repeats must be an array of integers"):
        da.repeat(x, da.asarray(np.array([1.5, 2.0])), axis=0)
    assert np.isnan(da.repeat(x, da.asarray(np.array([1, 2])), axis=0).shape[0])  # Dask's unknown size


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 6), st.integers(1, 6), st.sampled_from(["complex64", "complex128"]), st.integers(1, 4),
       st.integers(0, 2**32 - 1), st.booleans())
def test_pinv_of_complex_matrices(m, n, dtype, c, seed, rank_deficient):
    rng = np.random.default_rng(seed)
    a = (rng.standard_normal((m, n)) + 1j * rng.standard_normal((m, n))).astype(dtype)
    if rank_deficient and min(m, n) > 1:
        a[-1] = a[0]
    # NumPy's default cutoff (1e-15) is below float32 rounding: a rank-deficient matrix's
    # zero singular value comes out as noise that both libraries would invert differently.
    kw = {"rcond": 1e-4 if dtype == "complex64" else 1e-10} if rank_deficient else {}
    got = da.linalg.pinv(da.from_array(a, chunks=c), **kw)
    assert got.dtype == np.linalg.pinv(a).dtype == np.dtype(dtype)
    tol = 1e-3 if dtype == "complex64" else 1e-9
    assert_same(got.compute(), np.linalg.pinv(a, **kw), rtol=tol, atol=tol)
    assert_same(da.linalg.pinv(da.from_array(np.stack([a, a]), chunks=c), **kw).compute(),
                np.linalg.pinv(np.stack([a, a]), **kw), rtol=tol, atol=tol)


@pytest.mark.parametrize("copy", [None, False, True])
def test_asarray_of_an_array_with_its_own_dtype(copy):
    """No conversion: ``x`` itself unless copy=True (as NumPy), so item assignments to ``x``
    show in the result exactly when NumPy's would."""
    a = np.arange(4, dtype=np.uint8)
    x = da.asarray(a.copy())
    out = da.asarray(x, dtype=np.uint8, copy=copy)
    ref = np.asarray(a, dtype=np.uint8, copy=copy)
    assert (out is x) == (ref is a)
    x[0] = 9
    a[0] = 9
    assert_same(out.compute(), ref)
