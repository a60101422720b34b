"""scheduler='mpi' under mpirun: same bits as one process, on 1, 2 and 4 ranks."""

import os
import shutil
import subprocess
import sys

import pytest

import tessera as da

pytestmark = pytest.mark.skipif(not (da.mpi_available() and shutil.which("mpirun")), reason="no MPI in this build")

PROGRAM = r"""
import os, numpy as np, tessera as da
da.random.seed(3)
x = da.random.normal(0.0, 1.0, size=(300, 200), chunks=(70, 45))
y = da.random.random(200, chunks=30)
outs = da.compute(x.mean(), x.sum(axis=0), (x + y)[::-3, 5:].var(ddof=1, axis=1), x.rechunk((300, 7)).max(axis=1),
                  x.T.argmax(axis=1))
rank, size = da.mpi_rank_size() if da.config.get("scheduler") == "mpi" else (0, 1)
# One file per rank: mpirun may interleave the ranks' stdout within lines.
with open(os.path.join(os.environ["OUT_DIR"], f"rank{rank}.txt"), "w") as f:
    f.write(" ".join(np.asarray(o).tobytes().hex() + str(np.asarray(o).shape) for o in outs))
"""


def run(n, tmp_path):
    out = tmp_path / f"n{n}"
    out.mkdir()
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1", TESSERA_NUM_THREADS="1", OUT_DIR=str(out))
    if n == 0:
        env.pop("TESSERA_SCHEDULER", None)
        cmd = [sys.executable, "-c", PROGRAM]
    else:
        env["TESSERA_SCHEDULER"] = "mpi"
        cmd = ["mpirun", "-n", str(n), sys.executable, "-c", PROGRAM]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=240)
    assert r.returncode == 0, r.stderr
    return [p.read_text() for p in sorted(out.iterdir())]


def test_every_rank_gets_the_single_process_bits(tmp_path):
    want = run(0, tmp_path)[0]
    for n in (1, 2, 4):
        got = run(n, tmp_path)
        assert len(got) == n
        assert all(g == want for g in got), (n, got, want)


def test_an_error_on_one_rank_aborts_the_job():
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1", TESSERA_NUM_THREADS="1", TESSERA_SCHEDULER="mpi")
    script = ('if [ "$OMPI_COMM_WORLD_RANK" = 1 ]; then export TESSERA_MEMORY_LIMIT=1KiB; fi; exec "$0" -c "$1"')
    prog = "import tessera as da; print(da.random.normal(0, 1, size=10**6, chunks=10**5).mean().compute())"
    r = subprocess.run(["mpirun", "-n", "2", "sh", "-c", script, sys.executable, prog], env=env,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0
    assert "rank 1 of 2 failed" in r.stderr and "memory limit" in r.stderr
