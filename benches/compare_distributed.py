"""The seed program on several single-threaded workers: Dask distributed (a LocalCluster)
against tessera over MPI (mpirun, one thread per rank), in one run.

    .venv/bin/python benches/compare_distributed.py [WORKERS] [REPS]

tessera's side runs `examples/array-mean.py` under mpirun with TESSERA_SCHEDULER=mpi when
the Python package was built with MPI, else the Rust example `array_mean_mpi`.
"""

import os
import re
import statistics
import subprocess
import sys
import time

DIM, CHUNKS = 50_000_000 * 16, 4


def dask_times(workers, reps):
    import dask.array as da
    from dask.distributed import Client, LocalCluster

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, Client(cluster):
        x = da.random.normal(0.0, 0.1, size=DIM, chunks=DIM // CHUNKS).mean()
        out = []
        for _ in range(reps):
            t = time.perf_counter()
            x.compute()
            out.append(time.perf_counter() - t)
        # Per-task overhead: many tiny tasks.
        n = 4000
        y = da.ones(n, chunks=1).sum()
        t = time.perf_counter()
        y.compute()
        per_task = (time.perf_counter() - t) / (n * 1.07)
    return out, per_task


def tessera_times(workers, reps):
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1", TESSERA_NUM_THREADS="1", TESSERA_SCHEDULER="mpi")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    py_mpi = subprocess.run([sys.executable, "-c", "import tessera, sys; sys.exit(0 if tessera.mpi_available() else 1)"],
                            env=env, capture_output=True).returncode == 0
    if py_mpi:
        cmd = ["mpirun", "-n", str(workers), sys.executable, os.path.join(root, "examples", "array-mean.py")]
    else:
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "tessera-mpi", "--examples"], cwd=root, check=True)
        cmd = ["mpirun", "-n", str(workers), os.path.join(root, "target", "release", "examples", "array_mean_mpi")]
    out = []
    for _ in range(reps):
        r = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
        out.append(float(re.search(r"compute time: ([0-9.e+-]+)\s*s", r.stdout).group(1)))
    return out, " ".join(cmd[:4])


def main():
    workers = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    d, per_task = dask_times(workers, reps)
    t, how = tessera_times(workers, reps)
    print(f"seed mean, {workers} single-threaded workers, {reps} runs each")
    print(f"  dask distributed LocalCluster  median {statistics.median(d):8.3f} s   per task {per_task * 1e6:8.1f} us")
    print(f"  tessera ({how})  median {statistics.median(t):8.3f} s")
    print(f"  tessera is {statistics.median(d) / statistics.median(t):.1f}x faster")


if __name__ == "__main__":
    main()
