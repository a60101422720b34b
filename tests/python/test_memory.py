"""The memory limit: its forms, refusal before running, spilling persisted blocks, one
budget per process, spill files that do not outlive their process, same answers, and peak
RSS within the limit (each pipeline in a subprocess)."""

import functools
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import tessera as da
from tessera.diagnostics import Profiler


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


# ---------------------------------------------------------------------------------------
# The memory limit's forms (env and config), num_workers

@pytest.fixture
def env_config():
    """Lets a test read the configuration from a made-up environment."""
    yield lambda env: da.config.refresh(environ=env)
    da.config.refresh()


@pytest.mark.parametrize("value", ["1e9", "1E9", "1000000000", "2GiB", "256MiB", "256 MiB", "1.5GB", "none", "None", "0", "0 B"])
def test_every_documented_memory_limit_form_in_the_environment(env_config, value):
    env_config({"TESSERA_MEMORY_LIMIT": value})
    assert da.ones(10, chunks=5).sum().compute() == 10


@pytest.mark.parametrize("value", ["-1", "-2GiB", "lots", "12 parsecs", "nan", "inf", "0.5"])
def test_a_bad_memory_limit_in_the_environment_names_the_variable(env_config, value):
    env_config({"TESSERA_MEMORY_LIMIT": value})
    with pytest.raises(ValueError, match="TESSERA_MEMORY_LIMIT"):
        da.ones(10).sum().compute()


@pytest.mark.parametrize("value", [1e9, 2**30, np.int64(2**30), "1.5GB", "0 B", 0, "none", 1.5e9])
def test_every_memory_limit_form_as_an_argument_and_in_config(value):
    assert da.ones(10, chunks=5).sum().compute(memory_limit=value) == 10
    with da.config.set(memory_limit=value):
        assert da.ones(10, chunks=5).sum().compute() == 10


@pytest.mark.parametrize("value", [-1, -1.0, "-5MiB", "garbage", True, float("nan"), float("inf"), [1], "12 parsecs"])
def test_a_bad_memory_limit_is_a_value_error_naming_memory_limit(value):
    with pytest.raises(ValueError, match="memory_limit"):
        da.ones(3).compute(memory_limit=value)
    with pytest.raises(ValueError, match="memory_limit"):
        da.config.set(memory_limit=value)


def test_the_environment_form_that_failed_with_a_type_error():
    """The tester's reproduction: TESSERA_MEMORY_LIMIT=1e9 in the real environment."""
    env = dict(os.environ, TESSERA_MEMORY_LIMIT="1e9")
    out = subprocess.run([sys.executable, "-c", "import tessera as da; print(da.ones(8, chunks=4).sum().compute())"],
                         env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "8.0"


@pytest.mark.parametrize("n", [0, -1, 2.5, "4", True, "four"])
def test_num_workers_must_be_a_positive_integer(n):
    with pytest.raises(ValueError, match="num_workers"):
        da.ones(4).sum().compute(num_workers=n)


def test_num_workers_from_the_environment_is_checked_too(env_config):
    env_config({"TESSERA_NUM_THREADS": "many"})
    with pytest.raises(ValueError, match="TESSERA_NUM_THREADS"):
        da.ones(4).sum().compute()


def test_num_workers_is_capped_at_a_multiple_of_the_cores():
    x = da.random.default_rng(0).random(4096, chunks=1) + 1  # 4096 blocks
    with Profiler() as prof:
        got = x.sum().compute(num_workers=10_000)
    assert max(r.worker_id for r in prof.results) < da._core.max_threads()
    assert got == x.sum().compute(num_workers=1)
    assert x.sum().compute(num_workers=10**30) == got  # beyond any machine: capped, not an error


# ---------------------------------------------------------------------------------------
# Results bigger than the limit, one budget per process

def test_a_result_bigger_than_the_limit_is_refused_up_front():
    x = da.random.default_rng(1).random((8000, 8000), chunks=(1000, 1000)) + 1  # 488 MiB
    t = time.perf_counter()
    with pytest.raises(MemoryError) as e:
        x.compute(memory_limit="128MiB")
    assert time.perf_counter() - t < 1.0, "refused before running"
    msg = str(e.value)
    assert "(8000, 8000)" in msg or "[8000, 8000]" in msg
    assert "488.3 MiB" in msg and "128.0 MiB" in msg and "persist()" in msg
    assert x.sum(axis=0).compute(memory_limit="128MiB").shape == (8000,)


def test_concurrent_computations_share_one_budget():
    limit = 16 << 20
    arrays = [(da.random.default_rng(k).random((1024, 2048), chunks=(64, 2048)) * 2).rechunk((1024, 64)).sum(axis=0)
              for k in range(4)]
    # Unoptimized: the optimizer would move the rechunk onto the random source (free).
    expect = [a.compute(memory_limit=0, optimize_graph=False) for a in arrays]
    da._core.memory_held()  # resets the peak
    got = [None] * 4

    def work(k):
        got[k] = arrays[k].compute(memory_limit=limit, num_workers=2, optimize_graph=False)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    held, peak = da._core.memory_held()
    assert all((g == e).all() for g, e in zip(got, expect))
    assert held == 0
    # Alone, each would hold close to the limit (4x it together). When every computation is
    # stuck on blocks its next task needs, a small task starts over the limit.
    assert limit // 2 < peak <= limit + limit // 2, f"the process held {peak} bytes at once under {limit}"


# ---------------------------------------------------------------------------------------
# Spill directories do not outlive their process

SPILLER = """
import os, signal, sys, time
{before}
import tessera as da
x = da.random.default_rng(0).random((1024, 1024), chunks=(256, 256)) + 1
p = x.persist(memory_limit="3MiB")
print("ready", flush=True)
{after}
"""


def spiller(tmp_path, before="", after="time.sleep(60)"):
    env = dict(os.environ, TESSERA_SPILL_DIR=str(tmp_path))
    proc = subprocess.Popen([sys.executable, "-c", SPILLER.format(before=before, after=after)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
    assert spill_dirs(tmp_path), "the persisted blocks spilled"
    return proc


def spill_dirs(path):
    return [d for d in path.iterdir() if d.name.startswith("tessera-spill-")]


def start_tessera(tmp_path):
    env = dict(os.environ, TESSERA_SPILL_DIR=str(tmp_path))
    subprocess.run([sys.executable, "-c", "import tessera"], env=env, check=True, timeout=60)


def test_sigterm_removes_spill_files_and_still_ends_the_process(tmp_path):
    proc = spiller(tmp_path)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == -signal.SIGTERM
    assert spill_dirs(tmp_path) == []


def test_sigterm_chains_to_the_handler_that_was_there(tmp_path):
    before = "signal.signal(signal.SIGTERM, lambda s, f: (print('theirs', flush=True), sys.exit(3)))"
    proc = spiller(tmp_path, before=before)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 3
    assert proc.stdout.read().strip() == "theirs"
    assert spill_dirs(tmp_path) == []


@pytest.mark.parametrize("how", ["os._exit", "SIGKILL"])
def test_spill_files_of_dead_processes_are_removed_at_the_next_start(tmp_path, how):
    alive = spiller(tmp_path)
    proc = spiller(tmp_path, after="os._exit(0)" if how == "os._exit" else "time.sleep(60)")
    if how == "SIGKILL":
        proc.kill()
    proc.wait(timeout=30)
    assert len(spill_dirs(tmp_path)) == 2, "left behind"
    start_tessera(tmp_path)
    assert len(spill_dirs(tmp_path)) == 1, "the dead process's directory went, the live one's stayed"
    alive.kill()
    alive.wait(timeout=30)
    start_tessera(tmp_path)
    assert spill_dirs(tmp_path) == []


# ---------------------------------------------------------------------------------------
# Peak RSS within the limit, each pipeline in a subprocess (tests/python/memory_pipelines.py)

PIPELINES = Path(__file__).with_name("memory_pipelines.py")
MiB = 1 << 20
#: Peak RSS may exceed the limit plus the idle footprint (interpreter, NumPy, tessera) by
#: this much: thread stacks, tiles, allocator slack.
SLACK = 32 * MiB
# big_blocks_rechunk has 122 MiB blocks: refused under 128 MiB (a task needs 138 MiB).
CASES = [(name, limit) for limit in (128, 256) for name in
         ["rechunk_all_to_all", "rechunk_twice", "transpose_add", "reshape_rechunk", "persist_larger_than_limit",
          "many_consumers", "concurrent_threads", "result_near_limit", "streaming_reduction", "slice_and_stack_axes"]
         + (["big_blocks_rechunk"] if limit == 256 else [])]


def run_pipeline(name, limit):
    env = dict(os.environ, TESSERA_MEMORY_LIMIT=limit, TESSERA_NUM_THREADS="2")
    env.pop("TESSERA_SPILL_DIR", None)
    out = subprocess.run([sys.executable, str(PIPELINES), name], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@functools.lru_cache(maxsize=None)
def unlimited_digest(name):
    return run_pipeline(name, "none")["digest"]


@pytest.mark.parametrize("name,limit_mib", CASES)
def test_peak_rss_stays_within_the_limit(name, limit_mib):
    r = run_pipeline(name, f"{limit_mib}MiB")
    growth = r["peak"] - r["idle"]
    assert growth <= limit_mib * MiB + SLACK, (
        f"{name}: peak RSS {r['peak'] / MiB:.0f} MiB is {growth / MiB:.0f} MiB over the idle "
        f"{r['idle'] / MiB:.0f} MiB, under a {limit_mib} MiB limit")
    assert r["digest"] == unlimited_digest(name), "the same bits as without a limit"
