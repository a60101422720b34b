"""to_dask_array / to_dask_dataframe / from_dask_array: Dask's DataFrames over tessera arrays,
equal to Dask's own from the same data."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tessera as da

dd = pytest.importorskip("dask.dataframe")
dka = pytest.importorskip("dask.array")
pd = pytest.importorskip("pandas")


@given(rows=st.integers(0, 40), cols=st.integers(1, 4), rc=st.integers(1, 15), dtype=st.sampled_from(["f8", "i4", "bool"]))
@settings(max_examples=25, deadline=None)
def test_to_dask_dataframe_matches_dask(rows, cols, rc, dtype):
    a = (np.arange(rows * cols).reshape(rows, cols) % 7).astype(dtype)
    x = da.from_array(a, chunks=(rc, cols)) + 0 if dtype != "bool" else da.from_array(a, chunks=(rc, cols))
    y = dka.from_array(a, chunks=(rc, cols)) + 0 if dtype != "bool" else dka.from_array(a, chunks=(rc, cols))
    cols_names = [f"c{i}" for i in range(cols)]
    ours = x.to_dask_dataframe(columns=cols_names)
    theirs = y.to_dask_dataframe(columns=cols_names)
    assert ours.npartitions == theirs.npartitions
    assert ours.divisions == theirs.divisions
    pd.testing.assert_frame_equal(ours.compute(), theirs.compute())


def test_series_and_module_functions():
    a = np.linspace(0, 1, 11)
    x = da.from_array(a, chunks=4) * 3
    s = da.from_dask_array(x)
    pd.testing.assert_series_equal(s.compute(), pd.Series(a * 3))
    s2 = da.to_dask_dataframe(x, columns="v")
    assert s2.compute().name == "v"
    # Dask arrays pass through
    pd.testing.assert_series_equal(da.from_dask_array(dka.from_array(a, chunks=4)).compute(), pd.Series(a))


def test_to_dask_array_is_lazy_and_blockwise():
    reads = []

    class Src:
        shape, dtype, ndim = (12, 3), np.dtype("f8"), 2

        def __getitem__(self, key):
            reads.append(key)
            return np.ones((12, 3))[key]

    x = da.from_array(Src(), chunks=(4, 3))
    d = x.to_dask_array()
    assert reads == [] and d.chunks == x.chunks and d.dtype == x.dtype
    assert d.name == x.to_dask_array().name  # deterministic
    np.testing.assert_array_equal(d[4:8].compute(), np.ones((4, 3)))
    assert len(reads) == 1  # only the block asked for


def test_errors():
    with pytest.raises(ValueError, match="1- or 2-dimensional"):
        da.ones((2, 2, 2)).to_dask_dataframe()
    with pytest.raises(TypeError, match="tessera array"):
        da.to_dask_array(np.ones(3))
    with pytest.raises(NotImplementedError, match="index="):
        da.ones(3).to_dask_dataframe(index=da.arange(3))
    with pytest.raises(ValueError):
        da.ones((4, 2)).to_dask_dataframe(columns=["a", "b", "c"])
