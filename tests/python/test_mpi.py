"""scheduler='mpi' under mpirun: same bits as one process, on 1, 2 and 4 ranks; ranks that
disagree (leave early, compute different arrays or a different number of times) end the job
with a message naming the rank and the cause, within seconds."""

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import tessera as da

pytestmark = pytest.mark.skipif(not (da.mpi_available() and shutil.which("mpirun")), reason="no MPI in this build")

PROGRAM = r"""
import os, numpy as np, tessera as da
da.random.seed(3)
x = da.random.normal(0.0, 1.0, size=(300, 200), chunks=(70, 45))
y = da.random.random(200, chunks=30)
# A kernel with several outputs: each output's blocks travel to their own consumers.
lo, mid, n = da.apply_gufunc(lambda v: (v.min(-1), v[..., ::50] * 2, np.int16(v.shape[-1]) + v[..., 0].astype(np.int16) * 0),
                             "(i)->(),(j),()", x.rechunk({1: -1}), output_dtypes=(float, np.float32, np.int16),
                             output_sizes={"j": 4})
stats = (lo, mid.sum(axis=0), (n + lo)[::3])
outs = da.compute(x.mean(), x.sum(axis=0), (x + y)[::-3, 5:].var(ddof=1, axis=1), x.rechunk((300, 7)).max(axis=1),
                  x.T.argmax(axis=1), x.map_blocks(np.sin).sum(axis=1),
                  da.blockwise(np.dot, "ik", x, "ij", x.T, "jk", concatenate=True, dtype=float)[::7, ::5],
                  x.map_blocks(lambda b, block_id=None: b * 0 + block_id[0] + 10 * block_id[1], dtype=float)[::13],
                  *stats)
rank, size = da.mpi_rank_size() if da.config.get("scheduler") == "mpi" else (0, 1)
# One file per rank: mpirun may interleave the ranks' stdout within lines.
with open(os.path.join(os.environ["OUT_DIR"], f"rank{rank}.txt"), "w") as f:
    f.write(" ".join(np.asarray(o).tobytes().hex() + str(np.asarray(o).shape) for o in outs))
"""


# Issue 17's states: nan-reductions, scans, topk, histogram/bincount, sort (both paths).
REDUCTIONS_PROGRAM = r"""
import os, numpy as np, tessera as da
from tessera import _sort
da.random.seed(5)
x = da.random.normal(0.0, 1.0, size=(300, 200), chunks=(70, 45))
xn = da.sqrt(x)
v = da.random.random(5000, chunks=700)
outs = [da.nanmean(xn, axis=0), da.nanvar(xn, axis=1, ddof=1), da.nanmax(xn, axis=1), da.nanargmin(xn, axis=1),
        da.nansum(xn, split_every=2), da.nanstd(xn, axis=0),
        x.cumsum(axis=0), da.cumsum(x, axis=1, method="blelloch"), da.nancumprod(xn, axis=0),
        da.topk(x, 7, axis=0), da.argtopk(x, -5, axis=1, split_every=2), da.topk(v, 20, split_every=3),
        da.histogram(v, bins=10, range=(0, 1))[0], da.bincount((v * 10).astype(int), minlength=10),
        da.sort(v), da.argsort(v, stable=True), da.sort(x, axis=0)]
_sort.SAMPLE_SORT_MIN_BYTES = 0
outs += [da.sort(v), da.argsort(v, stable=True)]
outs = da.compute(*outs)
rank, size = da.mpi_rank_size() if da.config.get("scheduler") == "mpi" else (0, 1)
with open(os.path.join(os.environ["OUT_DIR"], f"rank{rank}.txt"), "w") as f:
    f.write(" ".join(np.asarray(o).tobytes().hex() + str(np.asarray(o).shape) for o in outs))
"""


def run(n, tmp_path, program=PROGRAM):
    out = tmp_path / f"n{n}"
    out.mkdir()
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1", TESSERA_NUM_THREADS="1", OUT_DIR=str(out))
    if n == 0:
        env.pop("TESSERA_SCHEDULER", None)
        cmd = [sys.executable, "-c", program]
    else:
        env["TESSERA_SCHEDULER"] = "mpi"
        cmd = ["mpirun", "-n", str(n), sys.executable, "-c", program]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=240)
    assert r.returncode == 0, r.stderr
    return [p.read_text() for p in sorted(out.iterdir())]


def test_every_rank_gets_the_single_process_bits(tmp_path):
    want = run(0, tmp_path)[0]
    for n in (1, 2, 4):
        got = run(n, tmp_path)
        assert len(got) == n
        assert all(g == want for g in got), (n, got, want)


def test_reductions_scans_topk_histogram_sort_same_bits_on_every_rank(tmp_path):
    want = run(0, tmp_path, REDUCTIONS_PROGRAM)[0]
    for n in (1, 2, 4):
        got = run(n, tmp_path, REDUCTIONS_PROGRAM)
        assert len(got) == n
        assert all(g == want for g in got), n


def test_an_error_on_one_rank_aborts_the_job():
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1", TESSERA_NUM_THREADS="1", TESSERA_SCHEDULER="mpi")
    script = ('if [ "$OMPI_COMM_WORLD_RANK" = 1 ]; then export TESSERA_MEMORY_LIMIT=1KiB; fi; exec "$0" -c "$1"')
    prog = "import tessera as da; print(da.random.normal(0, 1, size=10**6, chunks=10**5).mean().compute())"
    r = subprocess.run(["mpirun", "-n", "2", "sh", "-c", script, sys.executable, prog], env=env,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0
    assert "rank 1 of 2 failed" in r.stderr and "memory limit" in r.stderr


# Every failure scenario must end (abort with a message, or a correct result) within this.
LIMIT_S = 30


def mpirun(n, program, out_dir=None, **env_extra):
    """Runs `program` on `n` ranks; (returncode, stderr, seconds). Kills the whole job (not
    just mpirun) when it runs past LIMIT_S, and fails the test then."""
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1", TESSERA_NUM_THREADS="1", TESSERA_SCHEDULER="mpi",
               OUT_DIR=str(out_dir or ""), **env_extra)
    prelude = "import os, sys, numpy as np, tessera as da\nRANK = int(os.environ['OMPI_COMM_WORLD_RANK'])\n"
    t0 = time.monotonic()
    p = subprocess.Popen(["mpirun", "-n", str(n), sys.executable, "-c", prelude + textwrap.dedent(program)], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = p.communicate(timeout=LIMIT_S)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        pytest.fail(f"the job did not end within {LIMIT_S} s (hang); stderr:\n{err}")
    return p.returncode, err + out, time.monotonic() - t0


def assert_aborted(result, *expected):
    rc, err, _ = result
    assert rc != 0, err
    for e in expected:
        assert e in err, (e, err)


@pytest.mark.parametrize("before", [0, 1])
def test_an_exception_on_one_rank_outside_a_compute_aborts_the_job(before):
    """Rank 1 raises after `before` computes, while rank 0 starts the next one."""
    r = mpirun(2, f"""
        x = da.random.normal(0, 1, size=1000, chunks=100)
        for _ in range({before}):
            x.sum().compute()
        if RANK == 1:
            raise ValueError("boom")
        x.mean().compute()
        """)
    assert_aborted(r, f"rank 1 of 2: left the program (an uncaught ValueError: boom) after {before} compute",
                   f"rank 0 of 2: started compute {before + 1}")


def test_sys_exit_0_on_one_rank_aborts_the_job():
    r = mpirun(3, """
        x = da.random.normal(0, 1, size=1000, chunks=100)
        x.sum().compute()
        if RANK == 2:
            sys.exit(0)
        x.max().compute()
        """)
    assert_aborted(r, "rank 2 of 3: left the program (the end of the program or sys.exit()) after 1 compute",
                   "ranks 0, 1 of 3: started compute 2")


def test_a_different_number_of_computes_aborts_the_job():
    r = mpirun(2, """
        x = da.arange(1000, chunks=100)
        for _ in range(3 if RANK == 0 else 2):
            x.sum().compute()
        """)
    assert_aborted(r, "rank 1 of 2: left the program (the end of the program or sys.exit()) after 2 computes",
                   "rank 0 of 2: started compute 3")


def test_different_array_sizes_on_different_ranks_abort_the_job():
    r = mpirun(2, """
        x = da.random.normal(0, 1, size=1000 + RANK, chunks=100)
        x.sum().compute()
        """)
    assert_aborted(r, "disagree", "rank 0 of 2: started compute 1", "(1000,)", "rank 1 of 2: started compute 1",
                   "(1001,)")


def test_different_seeds_on_different_ranks_abort_the_job():
    r = mpirun(2, """
        da.random.default_rng(RANK).random(100, chunks=10).compute()
        """)
    assert_aborted(r, "disagree", "rank 0 of 2: started compute 1", "rank 1 of 2: started compute 1")


def test_a_timeout_ends_a_wait_for_a_rank_that_never_comes():
    r = mpirun(2, """
        import time
        x = da.ones(10, chunks=5).sum()
        x.compute()
        if RANK == 1:
            time.sleep(60)
        x.compute()
        """, TESSERA_MPI_TIMEOUT="2")
    assert_aborted(r, "rank 0 of 2 failed: the other ranks did not reach the start of compute 2 within 2.0 s")


ROOT_ONLY = """
da.config.set({"mpi.root_only": True})
x = da.random.default_rng(5).normal(0, 1, size=(300, 200), chunks=(70, 45))
s0 = x.sum(axis=0)
outs = [x.sum().compute(), x.mean(axis=1).compute(), x[::-2].var(ddof=1).compute()]
together = da.compute(s0, s0.sum(), x.rechunk((300, 7)).max(axis=1), x.T.argmax(axis=1))
outs += [None] * 4 if together is None else list(together)
outs.append((x - 1).persist().std().compute())
if RANK == 0:
    np.save(os.path.join(os.environ["OUT_DIR"], "root.npy"), np.array([np.asarray(o).tobytes().hex() for o in outs]))
else:
    assert all(o is None for o in outs), outs
"""


@pytest.mark.parametrize("n", [2, 3])
def test_root_only_gives_rank_0_the_results_and_the_others_none(tmp_path, n):
    rc, err, _ = mpirun(n, ROOT_ONLY, out_dir=tmp_path)
    assert rc == 0, err
    local = tmp_path / "local"
    local.mkdir()
    program = "import os, numpy as np, tessera as da\nRANK = 0\n" + ROOT_ONLY.replace('"mpi.root_only": True',
                                                                                         '"scheduler": "threads"')
    r = subprocess.run([sys.executable, "-c", program], env=dict(os.environ, OUT_DIR=str(local)), capture_output=True,
                       text=True, timeout=LIMIT_S)
    assert r.returncode == 0, r.stderr
    assert (np.load(tmp_path / "root.npy") == np.load(local / "root.npy")).all()


UNSEEDED = """
out = []
x = da.random.default_rng().normal(0, 1, size=1000, chunks=100)
y = da.random.RandomState().random_sample(size=500, chunks=64)
z = da.random.default_rng().random(200, chunks=50)
da.random.seed()
w = da.random.random(300, chunks=70)
for a in (x, y, z, w):
    first = a.compute()
    assert (first == a[::-1].compute()[::-1]).all(), "two computes of one array differ"
    assert (first == da.compute(a + 0)[0]).all(), "two computes of one array differ"
    out.append(first)
assert not (out[0][:200] == out[2]).any()
with open(os.path.join(os.environ["OUT_DIR"], f"rank{RANK}.txt"), "w") as f:
    f.write(" ".join(o.tobytes().hex() for o in out))
"""


def test_unseeded_generators_draw_the_same_values_on_every_rank(tmp_path):
    rc, err, _ = mpirun(3, UNSEEDED, out_dir=tmp_path)
    assert rc == 0, err
    got = [p.read_text() for p in sorted(tmp_path.iterdir())]
    assert len(got) == 3 and got[0] == got[1] == got[2]
    # A new job draws new values.
    again = tmp_path / "again"
    again.mkdir()
    rc, err, _ = mpirun(2, UNSEEDED, out_dir=again)
    assert rc == 0, err
    assert (again / "rank0.txt").read_text() != got[0]


def test_a_normal_end_after_the_same_computes_exits_0():
    rc, err, _ = mpirun(3, """
        x = da.random.normal(0, 1, size=1000, chunks=100)
        for _ in range(5):
            x.sum().compute()
        if RANK == 1:
            try:
                raise ValueError("handled")
            except ValueError:
                pass
        """)
    assert rc == 0, err
