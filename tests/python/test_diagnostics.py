"""visualize, ProgressBar, Profiler, ResourceProfiler and explain."""

import io
import json
import re
import struct
import zlib

import numpy as np
import pytest

import tessera as da
from tessera.diagnostics import ProgressBar, Profiler, ResourceProfiler


def seed_mean(n=800_000, chunks=4):
    return da.random.normal(0.0, 0.1, size=n, chunks=n // chunks).mean()


def png_size(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    w, h = struct.unpack(">II", data[16:24])
    # Every chunk's CRC is right and the image data inflates.
    pos, idat = 8, b""
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        assert struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])[0] == zlib.crc32(kind + body) & 0xFFFFFFFF
        if kind == b"IDAT":
            idat += body
        pos += 12 + n
    assert len(zlib.decompress(idat)) > w * h
    return w, h, len(data)


def test_seed_visualize_writes_the_dask_picture(tmp_path, monkeypatch):
    monkeypatch.setenv("TESSERA_NO_GRAPHVIZ", "1")
    m = seed_mean()
    path = m.visualize(filename=str(tmp_path / "mydask"))
    assert path.endswith("mydask.png")
    w, h, size = png_size(path)
    assert 300 < w < 2000 and 300 < h < 2000 and size > 2000
    dot = open(m.visualize(filename=str(tmp_path / "g"), format="dot")).read()
    assert dot.count('label="normal"') == 4
    assert dot.count('label="mean_chunk"') == 4
    assert dot.count('label="mean_agg"') == 1
    assert dot.count("shape=box") == 9


def test_visualize_optimized_and_order_and_formats(tmp_path):
    m = seed_mean()
    dot = open(m.visualize(filename=str(tmp_path / "o.dot"), optimize_graph=True, color="order")).read()
    assert dot.count('label="normal-mean_chunk"') == 4 and "fillcolor" in dot
    svg = open(da.visualize(m, m + 1, filename=str(tmp_path / "two.svg"))).read()
    assert svg.count("<circle") >= 9
    assert open(m.visualize(filename=str(tmp_path / "p"), format="pdf"), "rb").read()[:5] == b"%PDF-"
    with pytest.raises(ValueError, match="unknown format"):
        m.visualize(filename=str(tmp_path / "x"), format="gif")


def test_big_graphs_are_drawn_per_operation(tmp_path):
    x = da.ones(100_000, chunks=10).sum()
    dot = open(x.visualize(filename=str(tmp_path / "big"), format="dot")).read()
    assert "one node per operation" in dot


def test_progress_bar_ends_at_100_percent():
    out = io.StringIO()
    with ProgressBar(out=out):
        seed_mean(4_000_000, 8).compute()
    text = out.getvalue()
    assert re.search(r"\[#{40}\] \| 100% Completed \|\s+[0-9.]+ s\n$", text), text


def test_profiler_records_every_task(tmp_path):
    m = seed_mean(4_000_000, 8)
    with Profiler() as prof, ResourceProfiler(dt=0.01) as rprof:
        m.compute()
    names = [r.name for r in prof.results]
    assert names.count("normal-mean_chunk") == 8 and names.count("mean_agg") == 1
    assert all(r.end_time >= r.start_time for r in prof.results)
    page = open(prof.visualize(str(tmp_path / "profile.html"), resources=rprof)).read()
    assert page.count('<rect class="task"') == 9
    assert "src=" not in page and "href=" not in page  # self-contained
    trace = json.load(open(prof.to_chrome_trace(str(tmp_path / "trace.json"))))
    assert len(trace["traceEvents"]) == 9
    assert all(s.mem > 0 for s in rprof.results)


def test_explain_shows_fused_plan_and_bytes():
    text = seed_mean().explain()
    assert "normal-mean_chunk" in text and "tasks=4" in text and "bytes/task=" in text
    assert "memory limit" in text


@pytest.mark.skipif(__import__("shutil").which("chromium") is None, reason="no headless Chromium here")
def test_profile_page_renders_in_headless_chromium(tmp_path):
    import subprocess

    m = seed_mean(4_000_000, 8)
    with Profiler() as prof:
        m.compute()
    page = prof.visualize(str(tmp_path / "profile.html"))
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'chrome'}"]
    # The page counts its own task bars once loaded; the DOM dump shows the count.
    html = open(page).read().replace("</body>", "<script>document.title = 'bars=' + "
                                     "document.querySelectorAll('rect.task').length;</script></body>")
    open(page, "w").write(html)
    r = subprocess.run(["chromium", *flags, "--dump-dom", f"file://{page}"], capture_output=True, text=True, timeout=120)
    assert "<title>bars=9</title>" in r.stdout, r.stderr[-2000:]
