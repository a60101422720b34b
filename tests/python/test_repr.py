"""Reprs: Dask's text repr with a tessera prefix, the HTML table and SVG chunk pictures."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import dask.array as dsk
import numpy as np
import pytest

import tessera as da


def dask_repr(d):
    return repr(d).replace("dask.array<", "tessera.array<")


def test_repr_matches_dask():
    x = da.random.normal(0.0, 0.1, size=800000000, chunks=200000000)
    assert repr(x) == "tessera.array<normal, shape=(800000000,), dtype=float64, chunksize=(200000000,), chunktype=numpy.ndarray>"
    assert repr(x) == dask_repr(dsk.random.normal(0.0, 0.1, size=800000000, chunks=200000000))
    assert str(x) == repr(x)


@pytest.mark.parametrize(
    "make",
    [
        lambda m: m.ones((3, 4), chunks=2) + 1,
        lambda m: m.arange(10, chunks=3),
        lambda m: m.ones((5, 6, 7), chunks=(2, 3, 4), dtype="int8") > 0,
        lambda m: m.ones((2, 2)).astype("uint16"),
    ],
)
def test_repr_fields_match_dask(make):
    x, d = make(da), make(dsk)
    strip = lambda r: r.split(",", 1)[1]  # the operation names differ (Dask: "gt", tessera: "greater")
    assert strip(repr(x)) == strip(dask_repr(d))


def test_zero_d_repr():
    s = da.ones(3).sum()
    assert repr(s) == "tessera.array<sum, shape=(), dtype=float64, chunksize=(), chunktype=numpy.ndarray>"


def test_html_repr_has_table_and_picture():
    x = da.ones((1000, 2000), chunks=(300, 500))
    h = x._repr_html_()
    for words in ["<table", "Array", "Chunk", "Bytes", "15.26 MiB", "1.14 MiB", "(1000, 2000)", "(300, 500)",
                  "16 chunks", "float64", "numpy.ndarray", "<svg"]:
        assert words in h, words
    d = dsk.ones((1000, 2000), chunks=(300, 500))._repr_html_()
    assert "15.26 MiB" in d and "1.14 MiB" in d  # the same byte formatting as Dask


@pytest.mark.parametrize(
    "shape, chunks",
    [
        ((10,), 3),
        ((800_000_000,), 200_000_000),
        ((1000, 2000), (300, 500)),
        ((5, 10_000), (5, 100)),
        ((4, 6, 8), (2, 3, 4)),
        ((2, 3, 4, 5), 2),
        ((2, 3, 4, 5, 6), 3),
        ((0, 3), 1),
        ((), ()),
    ],
)
def test_svg_is_valid_xml(shape, chunks):
    x = da.zeros(shape, chunks=chunks)
    s = da._repr.svg(x.chunks)
    if not shape:
        assert s == ""
        return
    root = ET.fromstring(s)
    assert root.tag == "svg"
    lines = root.findall("line")
    assert len(lines) >= 4
    assert float(root.get("width")) > 0 and float(root.get("height")) > 0
    assert x._repr_html_().count("<svg") == 1


def test_format_bytes():
    assert da.format_bytes(100) == "100 B"
    assert da.format_bytes(1234567) == "1.18 MiB"
    assert da.format_bytes(6.4e9) == "5.96 GiB"


def test_metadata_properties():
    x = da.ones((10, 7), chunks=(4, 3), dtype="int16")
    assert x.shape == (10, 7) and x.ndim == 2 and x.size == 70
    assert x.dtype == np.dtype("int16") and x.itemsize == 2 and x.nbytes == 140
    assert x.chunks == ((4, 4, 2), (3, 3, 1))
    assert x.numblocks == (3, 3) and x.npartitions == 9 and x.chunksize == (4, 3)
    assert x.T.shape == (7, 10)
    assert x.name.startswith("ones-")
    assert (x + 1).name == (x + 1).name != (x + 2).name  # deterministic tokens, as Dask's
