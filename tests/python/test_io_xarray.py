"""xarray on tessera through the "tessera" chunk manager: operations on tessera-backed
datasets equal the same operations on NumPy-backed ones."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tessera as ta

xr = pytest.importorskip("xarray")
pd = pytest.importorskip("pandas")
dask_array = pytest.importorskip("dask.array")

from tessera.xarray import TesseraManager, normalize_chunks  # noqa: E402


def dataset(days=40, ny=6, nx=5, seed=0):
    rng = np.random.default_rng(seed)
    t = pd.date_range("2000-01-01", periods=days, freq="D")
    return xr.Dataset(
        {"t": (("time", "y", "x"), rng.standard_normal((days, ny, nx)).astype("f4")),
         "p": (("time", "y", "x"), rng.random((days, ny, nx)))},
        coords={"time": t, "y": np.arange(ny), "x": np.arange(nx)},
    )


def _fancy_indexing():
    try:
        ta.from_array(np.arange(3.0))[np.array([0, 2])]
        return hasattr(ta, "concatenate")
    except NotImplementedError:
        return False


# xarray's skipna reductions call numpy.nanmean & co., and groupby gathers groups with
# integer-array indexing and joins them with concatenate: these come with the reductions
# and joining work (issues 17 and 16); the tests that need them run once tessera has them.
needs_nan_reductions = pytest.mark.skipif(not hasattr(ta, "nanmean"), reason="tessera has no nanmean yet")
needs_fancy_indexing = pytest.mark.skipif(not _fancy_indexing(), reason="tessera has no fancy indexing yet")
# xarray's where, fillna and stack promote dtypes with the array namespace's result_type
# (the Array API work, issue 20).
needs_result_type = pytest.mark.skipif(not hasattr(ta, "result_type"), reason="tessera has no result_type yet")


def test_the_entry_point_is_registered():
    from xarray.namedarray.parallelcompat import list_chunkmanagers

    assert isinstance(list_chunkmanagers()["tessera"], TesseraManager)


def test_only_tessera_claims_tessera_arrays_though_dask_compute_accepts_them():
    import dask
    from xarray.namedarray.parallelcompat import get_chunked_array_type, list_chunkmanagers

    x = ta.arange(10, chunks=3)
    claims = [name for name, m in list_chunkmanagers().items() if m.is_chunked_array(x)]
    assert claims == ["tessera"] and isinstance(get_chunked_array_type(x), TesseraManager)
    assert dask.is_dask_collection(x)
    np.testing.assert_array_equal(dask.compute(x)[0], np.arange(10))


def test_chunk_compute_and_arithmetic():
    ds = dataset()
    c = ds.chunk({"time": 7}, chunked_array_type="tessera")
    assert isinstance(c.t.data, ta.Array) and c.t.chunks[0][0] == 7
    for f in (lambda d: d * 2 + 1, lambda d: d.mean("time", skipna=False), lambda d: d.sum(("y", "x"), skipna=False),
              lambda d: abs(d.t - d.t.mean(skipna=False)).max(skipna=False),
              lambda d: d.t.std("time", skipna=False), lambda d: d.isel(time=slice(3, 20)).min("x", skipna=False),
              lambda d: np.sqrt(d.p) + d.t.astype("f8")):
        got, want = f(c), f(ds)
        xr.testing.assert_allclose(got.compute(), want, rtol=1e-5)
    xr.testing.assert_identical(c.load(), ds)


@needs_result_type
def test_where():
    ds = dataset()
    c = ds.chunk({"time": 7}, chunked_array_type="tessera")
    xr.testing.assert_allclose(c.where(c.t > 0).compute(), ds.where(ds.t > 0))


@needs_nan_reductions
@needs_result_type
def test_skipna_reductions():
    ds = dataset()
    c = ds.chunk({"time": 7}, chunked_array_type="tessera")
    for f in (lambda d: d.mean("time"), lambda d: d.t.std("time"), lambda d: d.max(("y", "x")),
              lambda d: d.t.coarsen(time=4, boundary="trim").mean(), lambda d: d.t.rolling(time=3).mean()):
        xr.testing.assert_allclose(f(c).compute(), f(ds), rtol=1e-5)


@needs_nan_reductions
@needs_fancy_indexing
@needs_result_type
def test_groupby_mean_and_climatology_anomalies():
    ds = dataset(days=60)
    c = ds.chunk({"time": 10}, chunked_array_type="tessera")
    for d in (ds, c):
        g = d.t.groupby("time.month")
        d.attrs["anom_std"] = (g - g.mean()).std("time")
    xr.testing.assert_allclose(c.attrs["anom_std"].compute(), ds.attrs["anom_std"], rtol=1e-5)
    xr.testing.assert_allclose(c.groupby("time.month").mean().compute(), ds.groupby("time.month").mean(), rtol=1e-5)


def test_apply_ufunc_parallelized():
    ds = dataset()
    c = ds.chunk({"time": 9}, chunked_array_type="tessera")
    got = xr.apply_ufunc(np.sin, c.p, dask="parallelized", output_dtypes=[float])
    assert isinstance(got.data, ta.Array)
    xr.testing.assert_allclose(got.compute(), np.sin(ds.p))


def test_open_zarr_and_to_zarr_on_tessera(tmp_path):
    ds = dataset()
    ds.chunk({"time": 10}).to_zarr(tmp_path / "in.zarr", mode="w")
    c = xr.open_zarr(tmp_path / "in.zarr", chunked_array_type="tessera")
    assert isinstance(c.t.data, ta.Array)
    assert c.t.chunks[0] == (10, 10, 10, 10)
    xr.testing.assert_allclose(c.mean("time", skipna=False).compute(), ds.mean("time"), rtol=1e-5)
    (c * 2).to_zarr(tmp_path / "out.zarr", mode="w")
    xr.testing.assert_allclose(xr.open_zarr(tmp_path / "out.zarr").compute(), ds * 2, rtol=1e-6)


def test_open_zarr_reads_plain_variables_with_zarrs(tmp_path):
    """Variables stored as they are decoded read through tessera's zarrs reader (no
    zarr-python per block); CF-encoded ones (scale_factor) go through xarray's decoding."""
    from tessera.xarray import _local_zarr

    ds = dataset()
    ds["i"] = (("time", "y", "x"), (ds.p.values * 1000).astype("i4"))
    ds["s"] = ds.p.copy()
    ds.s.encoding.update({"dtype": "i2", "scale_factor": 0.01})
    ds.chunk({"time": 7}).to_zarr(tmp_path / "in.zarr", mode="w")
    c = xr.open_zarr(tmp_path / "in.zarr", chunked_array_type="tessera")
    n = xr.open_zarr(tmp_path / "in.zarr").compute()
    for v in ("t", "p", "i"):
        np.testing.assert_array_equal(c[v].values, n[v].values)
    np.testing.assert_array_equal(c.s.values, n.s.values)
    raw = xr.open_zarr(tmp_path / "in.zarr", chunks=None)
    assert _local_zarr(raw.t.variable._data) is not None
    assert _local_zarr(raw.s.variable._data) is None  # scaled: decoded by xarray
    assert _local_zarr(raw.t[1:].variable._data) is None  # indexed: xarray indexes
    g = c.t.groupby("time.dayofyear")
    xr.testing.assert_allclose((g - g.mean()).std("time").compute(),
                               (n.t.groupby("time.dayofyear") - n.t.groupby("time.dayofyear").mean()).std("time"),
                               rtol=1e-5)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(1, 300), min_size=1, max_size=3), st.data())
def test_normalize_chunks_is_dasks(shape, data):
    shape = tuple(shape)
    dt = np.dtype(data.draw(st.sampled_from(["f8", "f4", "i2"])))
    limit = data.draw(st.sampled_from([None, 2000, "4kB", 10**5]))
    prev = data.draw(st.one_of(st.none(), st.just(tuple(max(1, s // 3) for s in shape))))
    chunks = data.draw(st.sampled_from(["auto", tuple("auto" for _ in shape), tuple(-1 for _ in shape)]))
    from dask.array.core import normalize_chunks as dn

    assert normalize_chunks(chunks, shape, limit=limit, dtype=dt, previous_chunks=prev) == \
        dn(chunks, shape, limit=limit, dtype=dt, previous_chunks=prev)


def test_auto_chunk_size():
    assert TesseraManager().get_auto_chunk_size() == 128 * 2**20


def test_resample_concat_and_cumsum():
    ds = dataset(days=50)
    c = ds.chunk({"time": 8}, chunked_array_type="tessera")
    cases = (lambda d: d.resample(time="7D").mean(),
             lambda d: xr.concat([d.isel(time=slice(0, 20)), d.isel(time=slice(30, 50))], dim="time"),
             lambda d: d.t.cumsum("time"),
             lambda d: d.fillna(0.5).where(d.p > 0.3, -1.0),
             lambda d: (d.t - d.t.mean("time")).std(("y", "x")))
    for f in cases:
        got = f(c)
        assert all(isinstance(v.data, ta.Array) for v in (got.data_vars.values() if hasattr(got, "data_vars") else [got]))
        xr.testing.assert_allclose(got.compute(), f(ds), rtol=1e-5, atol=1e-5)


def test_open_dataset_netcdf_with_tessera_chunks(tmp_path):
    pytest.importorskip("netCDF4")
    ds = dataset()
    ds.to_netcdf(tmp_path / "d.nc", engine="netcdf4")
    with xr.open_dataset(tmp_path / "d.nc", engine="netcdf4", chunks={"time": 16},
                         chunked_array_type="tessera") as c:
        assert isinstance(c.t.data, ta.Array) and c.t.chunks[0] == (16, 16, 8)
        xr.testing.assert_allclose(c.groupby("time.month").mean().compute(), ds.groupby("time.month").mean(), rtol=1e-5)
