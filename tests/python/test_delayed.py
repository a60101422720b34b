"""from_delayed and Array.to_delayed with dask.delayed: values and chunks over random arrays
and chunkings, round trips, nested computes under every scheduler, errors, and the
ImportError naming the function when Dask is missing."""

from __future__ import annotations

import itertools
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

import tessera as da
from conftest import arrays, assert_same

dask = pytest.importorskip("dask")

PROP = settings(max_examples=25, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))


def _blocks(x):
    starts = [np.cumsum((0,) + c) for c in x.chunks]
    for idx in itertools.product(*(range(len(c)) for c in x.chunks)):
        yield idx, tuple(slice(s[i], s[i + 1]) for s, i in zip(starts, idx))


@PROP
@given(ac=arrays())
def test_to_delayed_gives_every_block(ac):
    a, chunks = ac
    x = da.from_array(a, chunks=chunks) * 2
    d = x.to_delayed()
    assert d.shape == x.numblocks and d.dtype == object
    values = dask.compute(*d.ravel().tolist())
    for (idx, sl), v in zip(_blocks(x), values):
        assert_same(v, (a * 2)[sl])
    if d.size:
        idx, sl = next(_blocks(x))
        assert_same(d[idx].compute(), (a * 2)[sl])


@PROP
@given(ac=arrays())
def test_from_delayed_round_trip(ac):
    a, chunks = ac
    x = da.from_array(a, chunks=chunks)
    for idx, sl in _blocks(x):
        block = a[sl]
        y = da.from_delayed(x.to_delayed()[idx], block.shape, dtype=a.dtype)
        assert y.chunks == tuple((s,) for s in block.shape)
        assert_same(y.compute(), block)
        break
    v = dask.delayed(np.asarray)(a)
    y = da.from_delayed(v, a.shape, meta=np.empty((0,) * a.ndim, dtype=a.dtype))
    assert y.dtype == a.dtype and y.shape == a.shape
    assert_same(y.compute(), a)


def test_from_delayed_as_dask_documents():
    value = dask.delayed(np.ones)(5)
    x = da.from_delayed(value, (5,), dtype=float)
    assert x.chunks == ((5,),) and x.dtype == np.float64
    assert_same(x.compute(), np.ones(5))
    assert_same((x + da.arange(5)).sum().compute(), np.float64(15))
    # cast to the declared dtype
    assert_same(da.from_delayed(value, (5,), dtype=np.int32).compute(), np.ones(5, dtype=np.int32))


@pytest.mark.parametrize("scheduler", ["sync", "threads"])
@pytest.mark.parametrize("workers", [1, 2])
def test_nested_computes(scheduler, workers):
    """A tessera compute whose task computes a Delayed that persists another tessera array."""
    a = np.arange(24.0).reshape(4, 6)
    d = da.from_array(a, chunks=(3, 4)).to_delayed()
    with da.config.set(scheduler=scheduler, num_workers=workers):
        y = da.from_delayed(d[1, 0], (1, 4), dtype=float) + da.from_delayed(d[0, 1], (3, 2), dtype=float)[:1, :1]
        assert_same(y.compute(), a[3:, :4] + a[:1, 4:5])


def test_delayed_that_raises():
    class Boom(Exception):
        pass

    @dask.delayed
    def bad():
        raise Boom("delayed failed")

    with pytest.raises(Boom, match="delayed failed"):
        da.from_delayed(bad(), (2,), dtype=float).compute()


def test_value_of_the_wrong_shape():
    x = da.from_delayed(dask.delayed(np.ones)(4), (5,), dtype=float)
    with pytest.raises(ValueError, match=r"from-value: block \[0\] came back with shape \[4\]"):
        x.compute()


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: da.from_delayed(dask.delayed(np.ones)(5), (5,)), ValueError, "from_delayed: You must specify the meta or dtype"),
        (lambda: da.from_delayed(np.ones(5), (5,), dtype=float), TypeError, "from_delayed: `value` must be a dask.delayed"),
        (lambda: da.from_delayed(dask.delayed(np.ones)(5), (-5,), dtype=float), ValueError, "from_delayed: `shape`"),
        (lambda: da.from_delayed(dask.delayed(np.ones)(5), "5", dtype=float), ValueError, "from_delayed: `shape`"),
        (lambda: da.from_delayed(dask.delayed(np.ones)(5), (5,), dtype=object), TypeError, "from_delayed: tessera does not support"),
    ],
)
def test_errors_at_build_time(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_without_dask_the_error_names_the_function():
    code = (
        "import sys; sys.modules['dask'] = None\n"
        "import tessera as da\n"
        "for f in (lambda: da.from_delayed(None, (1,), dtype=float), lambda: da.ones(3).to_delayed()):\n"
        "    try:\n"
        "        f()\n"
        "    except ImportError as e:\n"
        "        print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert lines[0].startswith("from_delayed needs Dask") and lines[1].startswith("to_delayed needs Dask")
