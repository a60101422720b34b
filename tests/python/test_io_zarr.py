"""Zarr through zarrs: tessera <-> zarr-python 3, both ways, v2 and v3, every codec
(bytes, blosc lz4/zstd, zstd, gzip, crc32c, sharding), fill values, attributes and
dimension names, bit-exact; regions, alignment, overwrite and bad input."""

import json
import os
import re
import shutil

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tessera as ta

zarr = pytest.importorskip("zarr")
dask_array = pytest.importorskip("dask.array")

DTYPES = ["float64", "float32", "int64", "int16", "uint8", "uint32", "bool"]
CODECS = ["zstd", "gzip", "blosc-lz4", "blosc-zstd", None]


@st.composite
def cases(draw):
    ndim = draw(st.integers(0, 3))
    shape = tuple(draw(st.integers(0, 9)) for _ in range(ndim))
    chunks = tuple(draw(st.integers(1, 4)) for _ in range(ndim))
    dtype = draw(st.sampled_from(DTYPES))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    a = (rng.standard_normal(shape) * 100).astype(dtype)
    if dtype.startswith("float") and a.size:
        a.flat[0] = np.nan
    return a, chunks


@settings(max_examples=40, deadline=None)
@given(cases(), st.sampled_from(CODECS), st.sampled_from([2, 3]), st.booleans(), st.data())
def test_tessera_writes_zarr_python_reads(tmp_path_factory, case, codec, fmt, crc, data):
    a, chunks = case
    path = str(tmp_path_factory.mktemp("w") / "s.zarr")
    kw = {"zarr_format": fmt}
    if fmt == 3:
        kw["compressors"] = ([codec] if codec else []) + (["crc32c"] if crc else [])
        kw["attributes"] = {"units": "K", "n": 3}
        kw["dimension_names"] = [f"d{i}" for i in range(a.ndim)]
        if a.ndim and data.draw(st.booleans()):
            kw["chunks"] = chunks
            kw["shards"] = tuple(c * 2 for c in chunks)
    else:
        kw["compressor"] = codec
        kw["attributes"] = {"units": "K"}
    kw["fill_value"] = 3 if a.dtype != bool else True
    x = ta.from_array(a, chunks=chunks)
    assert ta.to_zarr(x, path, component="grp/arr", **kw) is None
    z = zarr.open_array(path, path="grp/arr", mode="r")
    assert z.shape == a.shape and z.dtype == a.dtype
    np.testing.assert_array_equal(z[...], a)
    assert z.attrs["units"] == "K"
    if fmt == 3:
        assert z.metadata.dimension_names == tuple(kw["dimension_names"]) or a.ndim == 0
    # And tessera reads it back, in other chunks too.
    np.testing.assert_array_equal(ta.from_zarr(path, component="grp/arr").compute(), a)
    if a.ndim:
        np.testing.assert_array_equal(ta.from_zarr(path, "grp/arr", chunks=3).compute(), a)


@settings(max_examples=40, deadline=None)
@given(cases(), st.sampled_from(CODECS), st.sampled_from([2, 3]), st.booleans(), st.data())
def test_zarr_python_writes_tessera_reads(tmp_path_factory, case, codec, fmt, shard, data):
    a, chunks = case
    path = str(tmp_path_factory.mktemp("r") / "s.zarr")
    if fmt == 3:
        comp = {"zstd": zarr.codecs.ZstdCodec(level=3), "gzip": zarr.codecs.GzipCodec(),
                "blosc-lz4": zarr.codecs.BloscCodec(cname="lz4"), "blosc-zstd": zarr.codecs.BloscCodec(cname="zstd"),
                None: None}[codec]
        kw = {"compressors": comp, "shards": tuple(c * 2 for c in chunks) if shard and a.ndim else None}
    else:
        import numcodecs

        comp = {"zstd": numcodecs.Zstd(), "gzip": numcodecs.GZip(), "blosc-lz4": numcodecs.Blosc("lz4"),
                "blosc-zstd": numcodecs.Blosc("zstd"), None: None}[codec]
        kw = {"compressors": comp}
    fill = data.draw(st.sampled_from([0, 5]))
    z = zarr.create_array(path, shape=a.shape, chunks=chunks if a.ndim else (), dtype=a.dtype, zarr_format=fmt,
                          fill_value=fill if a.dtype != bool else False, **kw)
    if a.size and data.draw(st.booleans()):
        # Part written: the rest is the fill value.
        part = tuple(slice(0, max(n // 2, 1)) for n in a.shape)
        z[part] = a[part]
        want = np.full(a.shape, fill if a.dtype != bool else False, dtype=a.dtype)
        want[part] = a[part]
    else:
        if a.size or a.ndim == 0:
            z[...] = a
        want = a
    x = ta.from_zarr(path)
    assert x.dtype == a.dtype and x.shape == a.shape
    np.testing.assert_array_equal(x.compute(), want)
    if a.ndim:
        key = tuple(slice(n // 3, None) for n in a.shape)
        np.testing.assert_array_equal(x[key].compute(), want[key])


def test_default_chunks_are_the_stores_and_match_dask(tmp_path):
    path = str(tmp_path / "c.zarr")
    z = zarr.create_array(path, shape=(100, 50), chunks=(30, 20), dtype="f4")
    z[:] = 1
    assert ta.from_zarr(path).chunks == dask_array.from_zarr(path).chunks
    assert ta.from_zarr(path, chunks=(50, 50)).chunks == ((50, 50), (50,))
    # A zarr-python array is read through from_array.
    np.testing.assert_array_equal(ta.from_zarr(z).compute(), z[:])


def test_region_writes_and_alignment(tmp_path):
    path = str(tmp_path / "r.zarr")
    a = np.arange(100, dtype="i4").reshape(10, 10)
    ta.to_zarr(ta.from_array(a, chunks=5), path)
    # Misaligned blocks are rechunked onto the storage chunks: the result is exact.
    b = -np.arange(30, dtype="i4").reshape(3, 10)
    ta.to_zarr(ta.from_array(b, chunks=(2, 3)), path, region=(slice(5, 8), slice(None)))
    want = a.copy()
    want[5:8] = b
    np.testing.assert_array_equal(zarr.open_array(path, mode="r")[:], want)
    stored = ta.to_zarr(ta.from_array(a, chunks=(3, 7)), str(tmp_path / "s.zarr"), return_stored=True)
    np.testing.assert_array_equal(stored.compute(), a)
    lazy = ta.to_zarr(ta.from_array(a, chunks=5), str(tmp_path / "t.zarr"), compute=False)
    assert not os.path.exists(tmp_path / "t.zarr" / "c")
    lazy.compute()
    np.testing.assert_array_equal(ta.from_zarr(str(tmp_path / "t.zarr")).compute(), a)


def test_bad_input_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere"):
        ta.from_zarr(str(tmp_path / "nowhere.zarr"))
    path = str(tmp_path / "b.zarr")
    a = np.arange(20.0)
    ta.to_zarr(ta.from_array(a, chunks=5), path)
    with pytest.raises(ValueError, match="overwrite"):
        ta.to_zarr(ta.from_array(a, chunks=5), path)
    ta.to_zarr(ta.from_array(a * 2, chunks=5), path, overwrite=True)
    np.testing.assert_array_equal(ta.from_zarr(path).compute(), a * 2)
    with pytest.raises(ValueError, match="region"):
        ta.to_zarr(ta.from_array(a, chunks=5), path, region=(slice(0, 10),))
    ta.to_zarr(ta.from_array(np.arange(20, dtype="i2"), chunks=5), path, component="i")
    with pytest.raises(TypeError, match="float64.*int16"):
        ta.to_zarr(ta.from_array(a, chunks=5), path, component="i", region=(slice(0, 20),))
    ta.to_zarr(ta.from_array(np.arange(20, dtype="i2"), chunks=5), path, region=(slice(0, 20),))  # safe cast
    np.testing.assert_array_equal(ta.from_zarr(path).compute(), np.arange(20.0))
    with pytest.raises(OSError, match="no readable zarr array"):
        ta.from_zarr(path, component="missing")
    # A corrupt chunk names the store, the chunk region and the block.
    with open(os.path.join(path, "c", "1"), "wb") as f:
        f.write(b"garbage")
    with pytest.raises(OSError, match=r"reading block \(1,\) of zarr array .*b\.zarr \(region \[5\.\.10\]\)"):
        ta.from_zarr(path).compute()
    with pytest.raises(NotImplementedError, match="local"):
        ta.from_zarr("s3://bucket/x.zarr")


def test_metadata_is_zarr_pythons(tmp_path):
    path = str(tmp_path / "m.zarr")
    ta.to_zarr(ta.ones((4, 6), chunks=(2, 3), dtype="f8"), path, dimension_names=["y", "x"],
               attributes={"title": "t"})
    meta = json.load(open(os.path.join(path, "zarr.json")))
    assert meta["dimension_names"] == ["y", "x"] and meta["attributes"] == {"title": "t"}
    assert meta["chunk_grid"]["configuration"]["chunk_shape"] == [2, 3]


def test_a_failed_to_zarr_says_which_blocks_were_written_and_they_stay_valid(tmp_path):
    path = str(tmp_path / "f.zarr")
    old = np.full((8, 4), 7.0)
    ta.to_zarr(ta.from_array(old, chunks=(2, 4)), path)
    # A file where the directory of chunk row 2 must go: block (2, 0) cannot be written.
    shutil.rmtree(os.path.join(path, "c", "2"), ignore_errors=True)
    with open(os.path.join(path, "c", "2"), "w") as f:
        f.write("in the way")
    new = np.arange(32.0).reshape(8, 4) + 1
    acks = ta.to_zarr(ta.from_array(new, chunks=(2, 4)), path, region=(slice(None), slice(None)), compute=False)
    with pytest.raises(OSError) as e:
        acks.compute(num_workers=1)
    msg = str(e.value)
    assert "writing block (2, 0) of zarr array" in msg and "f.zarr" in msg, msg
    written = {tuple(int(v) for v in m.split(", ")) for m in re.findall(r"\((\d+, \d+)\)", msg.split("failure")[-1])}
    assert written, msg
    os.remove(os.path.join(path, "c", "2"))
    got = zarr.open_array(path, mode="r")[:]
    for b in range(4):
        rows = slice(2 * b, 2 * b + 2)
        # Block 2's chunk was removed with its directory: it reads as the fill value.
        want = new[rows] if (b, 0) in written else (old[rows] if b != 2 else np.zeros((2, 4)))
        np.testing.assert_array_equal(got[rows], want, err_msg=f"block ({b}, 0)")
    # No partial chunk is left beside the written ones.
    leftovers = [f for _, _, fs in os.walk(path) for f in fs if "partial" in f]
    assert not leftovers


def test_truncated_chunks_and_unsupported_codecs_are_named(tmp_path):
    a = np.arange(40.0).reshape(8, 5)
    for codec in ("zstd", None):
        path = str(tmp_path / f"t-{codec}.zarr")
        ta.to_zarr(ta.from_array(a, chunks=(4, 5)), path, compressors=[codec] if codec else None)
        chunk = os.path.join(path, "c", "1", "0")
        raw = open(chunk, "rb").read()
        with open(chunk, "wb") as f:
            f.write(raw[: len(raw) // 2])
        with pytest.raises(OSError, match=r"reading block \(1, 0\) of zarr array .*t-.*\.zarr \(region \[4\.\.8, 0\.\.5\]\)"):
            ta.from_zarr(path).compute()
        # The other block still reads.
        np.testing.assert_array_equal(ta.from_zarr(path)[:4].compute(), a[:4])
    path = str(tmp_path / "u.zarr")
    ta.to_zarr(ta.from_array(a, chunks=(4, 5)), path)
    meta = json.load(open(os.path.join(path, "zarr.json")))
    meta["codecs"].append({"name": "no-such-codec", "configuration": {}})
    json.dump(meta, open(os.path.join(path, "zarr.json"), "w"))
    with pytest.raises(OSError, match=r"u\.zarr.*no-such-codec"):
        ta.from_zarr(path)
    with pytest.raises(ValueError, match="unknown codec 'lzma'"):
        ta.to_zarr(ta.from_array(a), str(tmp_path / "v.zarr"), compressors=["lzma"])


def test_targets_that_do_not_fit_are_named(tmp_path):
    path = str(tmp_path / "n.zarr")
    ta.to_zarr(ta.from_array(np.arange(20.0), chunks=5), path)
    x = ta.from_array(np.arange(10.0), chunks=5)
    with pytest.raises(ValueError, match=r"region .*n\.zarr has 5 elements along axis 0, but the array has 10"):
        ta.to_zarr(x, path, region=(slice(15, 25),))
    with pytest.raises(ValueError, match=r"more entries than .*n\.zarr"):
        ta.to_zarr(x, path, region=(slice(0, 10), slice(0, 1)))
    with pytest.raises(ValueError, match=r"n\.zarr.*has 20 elements along axis 0, but the array has 10|region"):
        ta.to_zarr(x, path, region=(slice(None),))
    # A store inside a file cannot be created: the path is named.
    open(tmp_path / "file", "w").close()
    with pytest.raises(OSError, match=r"file"):
        ta.to_zarr(x, str(tmp_path / "file" / "s.zarr"))
    # A zarr-python array opened read-only as the target: the block and the array are named.
    ro = zarr.open_array(path, mode="r")
    with pytest.raises(Exception, match=r"writing block \(0,\).*zarr array"):
        ta.to_zarr(ta.from_array(np.arange(20.0), chunks=5), ro)
    np.testing.assert_array_equal(ro[:], np.arange(20.0))


@settings(max_examples=15, deadline=None)
@given(cases(), st.sampled_from(["zstd", "gzip", "blosc-lz4", None]), st.data())
def test_zarr_python_checksummed_chunks_tessera_reads(tmp_path_factory, case, codec, data):
    a, chunks = case
    path = str(tmp_path_factory.mktemp("c") / "s.zarr")
    comp = {"zstd": zarr.codecs.ZstdCodec(), "gzip": zarr.codecs.GzipCodec(),
            "blosc-lz4": zarr.codecs.BloscCodec(cname="lz4"), None: None}[codec]
    comps = ([comp] if comp is not None else []) + [zarr.codecs.Crc32cCodec()]
    z = zarr.create_array(path, shape=a.shape, chunks=chunks if a.ndim else (), dtype=a.dtype, compressors=comps,
                          shards=tuple(c * 2 for c in chunks) if a.ndim and data.draw(st.booleans()) else None)
    if a.size or a.ndim == 0:
        z[...] = a
    np.testing.assert_array_equal(ta.from_zarr(path).compute(), a)
    # And a corrupted checksum is an error naming the block, not wrong numbers.
    if a.size and not z.shards:
        key = os.path.join(path, "c", *(["0"] * a.ndim)) if a.ndim else os.path.join(path, "c")
        raw = bytearray(open(key, "rb").read())
        raw[-1] ^= 0xFF
        open(key, "wb").write(bytes(raw))
        with pytest.raises(OSError, match=r"reading block \(.*\) of zarr array"):
            ta.from_zarr(path).compute()
