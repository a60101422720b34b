"""The memory limit: refusal before running, spilling persisted blocks, same answers."""

import os

import numpy as np
import pytest

import tessera as da


def test_a_chunk_that_cannot_fit_is_refused_up_front():
    x = da.random.random((8192, 8192), chunks=(8192, 8192)) + 1  # one 512 MiB chunk
    with pytest.raises(MemoryError) as e:
        x.compute(memory_limit="64MiB")
    msg = str(e.value)
    assert "[8192, 8192]" in msg and "512.0 MiB" in msg and "64.0 MiB" in msg and "use chunks of at most" in msg


def test_persist_spills_and_sums_right(tmp_path, monkeypatch):
    monkeypatch.setenv("TESSERA_SPILL_DIR", str(tmp_path))
    x = da.random.random((2048, 2048), chunks=(512, 512)) + 1
    expect = x.sum().compute(memory_limit=0)
    p = x.persist(memory_limit="6MiB")
    spilled = [f for d in tmp_path.iterdir() for f in d.iterdir()]
    assert len(spilled) >= 10
    assert p.sum().compute(memory_limit="6MiB") == expect
    del p
    assert list(tmp_path.iterdir()) == []


def test_config_memory_limit():
    x = da.random.random((4096, 4096), chunks=(4096, 4096)) + 1
    with da.config.set(memory_limit="16MiB"):
        with pytest.raises(MemoryError):
            x.compute()
    assert x[:2, :2].compute().shape == (2, 2)


def test_bad_memory_limit_is_a_value_error():
    with pytest.raises(ValueError, match="memory_limit"):
        da.ones(3).compute(memory_limit="lots")
