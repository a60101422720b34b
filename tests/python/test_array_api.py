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
