"""Dask parity: deterministic ``.name`` tokens (also across processes), ``name=``,
``tokenize``, ``PerformanceWarning``, the Dask collection protocol (``dask.compute``,
``dask.persist``, ``dask.delayed`` arguments, a clear error for a distributed Client), and
errors naming tessera for missing attributes."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tessera as da
from conftest import arrays, assert_same

SCRIPT = """
import numpy as np, tessera as da
x = da.from_array(np.arange(12.0).reshape(3, 4), chunks=2)
y = (da.sin(x) + da.random.default_rng(7).normal(size=(3, 4), chunks=2)).sum(axis=0)
print(x.name, y.name, da.tokenize(y, 3, "a"))
"""


def test_names_are_the_same_across_processes():
    outs = [subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True).stdout
            for _ in range(2)]
    assert outs[0] == outs[1] and len(outs[0].split()) == 3


@settings(max_examples=30, deadline=None)
@given(data=arrays(), other=st.integers(1, 5))
def test_equal_expressions_equal_names(data, other):
    a, chunks = data
    x1, x2 = da.from_array(a, chunks=chunks), da.from_array(a.copy(), chunks=chunks)
    assert x1.name == x2.name and x1.name.startswith("array-")
    if a.dtype != bool:
        assert (x1 + other).name == (x2 + other).name != (x1 + other + 1).name
    if a.size:
        b = a.copy()
        b.flat[0] = not b.flat[0] if a.dtype == bool else b.flat[0] + 1
        assert da.from_array(b, chunks=chunks).name != x1.name  # the data is part of the token
    assert da.tokenize(x1) == da.tokenize(x2)


def test_name_keyword_and_setitem():
    x = da.zeros((4, 4), chunks=2, name="my-zeros")
    assert x.name == "my-zeros"
    assert da.from_array(np.ones(3), name="src").name == "src"
    assert da.ones_like(x, name="o").name == "o" and da.full((2,), 3, name="f").name == "f"
    assert (x + 1).name != "my-zeros"
    old = x.name
    x[0, 0] = 1
    assert x.name != old and x.name == x.name
    with pytest.raises(TypeError, match="name"):
        da.zeros(3, name=5)


def test_random_names_depend_on_seed():
    a = da.random.default_rng(1).random(10, chunks=3)
    b = da.random.default_rng(1).random(10, chunks=3)
    c = da.random.default_rng(2).random(10, chunks=3)
    assert a.name == b.name != c.name


def test_tokenize_numpy_and_containers():
    assert da.tokenize(np.arange(3), [1, 2], {"a": 1}) == da.tokenize(np.arange(3), [1, 2], {"a": 1})
    assert da.tokenize(np.arange(3)) != da.tokenize(np.arange(4))
    assert da.tokenize(1) != da.tokenize(1.0)


def test_performance_warning_is_a_warning():
    assert issubclass(da.PerformanceWarning, Warning)


def test_missing_attributes_name_tessera():
    x = da.arange(3)
    with pytest.raises(AttributeError, match="tessera does not implement dask.array.Array.no_such_thing"):
        x.no_such_thing
    assert not hasattr(x, "__cuda_array_interface__")


dask = pytest.importorskip("dask")


@settings(max_examples=15, deadline=None)
@given(data=arrays())
def test_dask_compute_and_persist(data):
    a, chunks = data
    x = da.from_array(a, chunks=chunks)
    y = x[...] if a.dtype == bool else x * 2
    (got,) = dask.compute(y)
    assert_same(got, a if a.dtype == bool else a * 2)
    got1, got2 = dask.compute(x, y, scheduler="sync")
    assert_same(got1, a)
    (p,) = dask.persist(y)
    assert isinstance(p, da.Array) and p.chunks == y.chunks
    assert_same(p.compute(), got)
    assert dask.base.tokenize(x) == dask.base.tokenize(da.from_array(a.copy(), chunks=chunks))


def test_delayed_arguments():
    x = da.from_array(np.arange(6.0), chunks=4)
    total = dask.delayed(np.sum)(x + 1)
    assert total.compute() == 21.0


@settings(max_examples=10, deadline=None)
@given(data=arrays())
def test_meta_as_dask(data):
    """``_meta``: an empty NumPy array of the dtype and number of axes, as Dask's."""
    dask_array = pytest.importorskip("dask.array")
    a, chunks = data
    for f in (lambda m, x: x, lambda m, x: x[None], lambda m, x: x.sum(axis=-1) if x.ndim else x,
              lambda m, x: m.stack([x, x]), lambda m, x: x.astype("float32")):
        t = f(da, da.from_array(a, chunks=chunks))._meta
        try:
            d = f(dask_array, dask_array.from_array(a, chunks=chunks))._meta
        except ZeroDivisionError:  # Dask's "auto" chunks of an array with a 0-length axis
            d = f(dask_array, dask_array.from_array(a, chunks=-1))._meta
        assert type(t) is type(d) and t.shape == d.shape and t.dtype == d.dtype


def test_name_keyword_as_dask():
    dask_array = pytest.importorskip("dask.array")
    for f in (lambda m: m.zeros((4,), chunks=2, name="z"), lambda m: m.from_array(np.ones(3), name="src"),
              lambda m: m.full((2,), 3, name="f"), lambda m: m.ones_like(m.zeros(3), name="o")):
        assert f(da).name == f(dask_array).name
    # Unnamed: a deterministic token, equal for equal expressions in both libraries.
    for m in (da, dask_array):
        assert m.from_array(np.arange(4.0), chunks=2).name == m.from_array(np.arange(4.0), chunks=2).name
        assert (m.ones(4, chunks=2) + 1).name == (m.ones(4, chunks=2) + 1).name != (m.ones(4, chunks=2) + 2).name


def test_performance_warning_as_dasks():
    import warnings

    dask_array = pytest.importorskip("dask.array")
    assert da.PerformanceWarning.__name__ == dask_array.PerformanceWarning.__name__
    assert issubclass(da.PerformanceWarning, Warning) and issubclass(dask_array.PerformanceWarning, Warning)
    with warnings.catch_warnings():
        warnings.simplefilter("error", da.PerformanceWarning)
        with pytest.raises(da.PerformanceWarning):
            warnings.warn("slow", da.PerformanceWarning)


def test_distributed_client_in_process_computes_as_dask():
    """A Client with ``processes=False`` runs the tessera array as one task, giving what it
    gives for the Dask array with the same expression (compute, persist, delayed, gather)."""
    distributed = pytest.importorskip("distributed")
    dask_array = pytest.importorskip("dask.array")
    from tessera import _dask_protocol

    a = np.arange(12.0).reshape(3, 4)
    t = da.from_array(a, chunks=2) * 2 + 1
    d = dask_array.from_array(a, chunks=2) * 2 + 1
    with distributed.Client(processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None) as c:
        assert_same(c.compute(t).result(), c.compute(d).result())
        assert_same(c.compute(t.sum(axis=0)).result(), c.compute(d.sum(axis=0)).result())
        (gt, gd) = c.gather(c.compute([t[1], d[1]]))
        assert_same(gt, gd)
        p = c.persist(t)
        assert isinstance(p, da.Array) and p.chunks == d.chunks and p.name == t.name
        assert_same(p.compute(), d.compute())
        assert_same(dask.compute(t, scheduler=c.get)[0], a * 2 + 1)
        assert dask.delayed(np.sum)(t).compute() == dask.delayed(np.sum)(d).compute()
    assert not _dask_protocol._SENT  # every task pickled was taken back


def test_distributed_worker_processes_get_a_clear_error():
    """A task sent to another process (a Client's worker processes) cannot carry the
    expression: unpickling it there raises a TypeError naming tessera and what to do."""
    import pickle

    x = da.arange(5, chunks=2) * 2
    blob = pickle.dumps(x.__dask_graph__())
    r = subprocess.run([sys.executable, "-c", "import pickle, sys; pickle.loads(sys.stdin.buffer.read())"],
                       input=blob, capture_output=True, check=False)
    assert r.returncode != 0
    err = r.stderr.decode()
    assert "TypeError: tessera array multiply-" in err and "cannot be sent to another process" in err
    assert "processes=False" in err
    # In this process the pickled task is the same computation.
    (task,) = pickle.loads(blob).values()
    assert_same(task[0](), np.arange(5) * 2)


@settings(max_examples=15, deadline=None)
@given(data=arrays())
def test_persisted_arrays_show_their_blocks_to_dask(data):
    """As Dask's persisted arrays: `x.dask` holds one entry per block (its data), which
    Dask's own `assert_eq` reads; dask.compute/persist of them give the same values."""
    from dask.array.utils import assert_eq

    a, chunks = data
    p = da.from_array(a, chunks=chunks).persist()
    assert isinstance(p.dask, dask.highlevelgraph.HighLevelGraph)
    if p.ndim:
        assert len(p.dask) == int(np.prod(p.numblocks))
        for key in p.dask:
            assert p.dask[key].shape == tuple(c[i] for c, i in zip(p.chunks, key[1:]))
    (got,) = dask.compute(p)
    assert_same(got, a)
    assert_same(dask.persist(p)[0].compute(), a)
    assert_eq(p, a)
    assert_eq(da.from_array(a, chunks=chunks) + 0 if a.dtype != bool else p, a if a.dtype != bool else a)


def test_zero_d_chunks_and_array_chunks_as_dask():
    assert da.from_array(np.int_(3), chunks=(1,)).chunks == ()
    assert da.ones((8, 8), chunks=np.array([4, 4])).chunks == ((4, 4), (4, 4))


@settings(max_examples=30, deadline=None)
@given(data=arrays(dtype=np.float64), other=arrays(dtype=np.float64), equal_nan=st.booleans(),
       rtol=st.sampled_from([0.0, 1e-5, 0.1]), atol=st.sampled_from([0.0, 1e-8, 1.0]))
def test_isclose_allclose_match_numpy(data, other, equal_nan, rtol, atol):
    a, chunks = data
    b = other[0].ravel()[: a.size].reshape(a.shape) if other[0].size >= a.size else a * (1 + 1e-6)
    b = np.where(np.arange(b.size).reshape(b.shape) % 3 == 0, a, b) if a.size else b
    x = da.from_array(a, chunks=chunks)
    kw = dict(rtol=rtol, atol=atol, equal_nan=equal_nan)
    assert_same(da.isclose(x, b, **kw).compute(), np.isclose(a, b, **kw))
    assert_same(np.isclose(x, b, **kw).compute(), np.isclose(a, b, **kw))
    assert bool(da.allclose(x, b, **kw).compute()) == np.allclose(a, b, **kw)
    assert bool(np.allclose(x, x, **kw).compute()) == np.allclose(a, a, **kw)


def test_isclose_ints_and_bad_tolerance():
    x = da.arange(5, chunks=2)
    assert_same(da.isclose(x, np.arange(5) + 1e-9).compute(), np.isclose(np.arange(5), np.arange(5) + 1e-9))
    with pytest.raises(TypeError, match="isclose: rtol"):
        da.isclose(x, x, rtol="a")


def test_out_parameter_as_dask():
    """`out=` rebinds a tessera array to the result (Dask's `handle_out`), casting to its
    dtype by NumPy's same_kind rule; wrong shapes, impossible casts and NumPy `out`s raise."""
    x, y = da.arange(10, chunks=3), da.ones(10, chunks=5)
    z = da.zeros(10, chunks=4, name="zeros-given")
    assert np.add(x, y, out=z) is z
    assert_same(z.compute(), np.arange(10) + 1.0)
    assert z.name != "zeros-given"
    assert da.multiply(x, 2, out=(z,)) is z
    assert_same(z.compute(), np.arange(10) * 2.0)
    s = da.zeros((), dtype=np.float32)
    x.sum(out=s)
    assert_same(s.compute(), np.float32(45))
    m = da.zeros((), dtype=np.int64)
    np.argmax(x, out=m)
    assert_same(m.compute(), np.int64(9))
    with pytest.raises(TypeError, match="sin: cannot cast the result from dtype float64 to out's dtype int64"):
        np.sin(x, out=da.zeros(10, dtype=int))
    with pytest.raises(ValueError, match=r"add: mismatched shapes .* out=\(5,\), result=\(10,\)"):
        da.add(x, 1, out=da.zeros(5))
    with pytest.raises(NotImplementedError, match="out= must be a tessera array"):
        da.add(x, 1, out=np.zeros(10))


def test_random_docs_and_bit_generator_classes_as_dask():
    assert "mean" in da.random.RandomState(5).normal.__doc__
    assert "exponential" in da.random.default_rng().exponential.__doc__
    assert "exponential" in da.random.exponential.__doc__
    g = da.random.Generator(np.random.PCG64)  # a class: Dask instantiates it (fresh entropy)
    v = g.random(5, chunks=2).compute()
    assert v.shape == (5,) and ((0 <= v) & (v < 1)).all()
    assert da.random.default_rng(np.random.PCG64).normal(size=3).compute().shape == (3,)


def test_creation_names_start_with_the_function_as_dask():
    dask_array = pytest.importorskip("dask.array")
    for f in ("zeros", "ones", "empty", "full", "zeros_like", "ones_like", "empty_like", "full_like"):
        args = (np.ones(3),) if f.endswith("_like") else (3,)
        if f.startswith("full"):
            args = args + (2.0,)
        t, d = getattr(da, f)(*args), getattr(dask_array, f)(*args)
        assert t.name.startswith(f + "-") and f.split("_")[0] in d.name
        assert t.name == getattr(da, f)(*args).name  # deterministic
    assert da.zeros(3).name != da.ones(3).name


def test_numpy_result_type_of_tessera_arrays():
    x = da.ones(3, dtype="f4")
    for others in ([1.0], [np.float64(1)], ["i8"], [np.ones(2, "f2")], [da.ones(2, dtype="i2")]):
        ref = [np.ones(1, "i2") if isinstance(o, da.Array) else o for o in others]
        assert np.result_type(x, *others) == np.result_type(np.ones(3, "f4"), *ref)
