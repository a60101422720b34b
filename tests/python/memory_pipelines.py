"""Pipelines whose peak memory test_memory.py measures, one per subprocess.

``python memory_pipelines.py NAME`` imports tessera, records the peak RSS so far (the idle
footprint: interpreter, NumPy, tessera), runs pipeline NAME under ``TESSERA_MEMORY_LIMIT``
from the environment and prints one JSON line: the idle and final peak RSS (bytes, from
``getrusage(RUSAGE_SELF).ru_maxrss``), the seconds taken and a digest of the results.
Every array is seeded, so an unlimited run gives the same digest when the results are the
same bits.
"""

from __future__ import annotations

import hashlib
import json
import resource
import sys
import threading
import time

import numpy as np

import tessera as da

MiB = 1 << 20


def rng(seed=0):
    return da.random.default_rng(seed)


def data(shape, chunks, seed=0):
    """Computed (not generated) data: a rechunk of it cannot be folded into the generator."""
    return rng(seed).random(shape, chunks=chunks) * 2 - 1


def rechunk_all_to_all():
    # 256 MiB of row blocks to column blocks: every output block needs every input block.
    x = data((4096, 8192), (256, 8192))
    return [x.rechunk((4096, 512)).sum(axis=0).compute()]


def rechunk_twice():
    x = data((4096, 16384), (512, 4096), seed=1)
    y = x.rechunk((4096, 256)).rechunk((256, 8192))
    return [(y * y).sum(axis=1).compute()]


def transpose_add():
    # A computed, rechunked array used twice (as itself and transposed) must be kept.
    x = data((8192, 8192), (256, 8192), seed=2).rechunk((1024, 1024))
    return [(x + x.T).sum(axis=0).compute()]


def reshape_rechunk():
    # (4096, 16384) in 256x512 blocks to (8192, 8192): rows must be whole first.
    x = data((4096, 16384), (256, 512), seed=3)
    return [x.reshape((8192, 8192)).sum(axis=0).compute()]


def persist_larger_than_limit():
    x = data((4096, 16384), (512, 2048), seed=4)
    p = x.persist()
    a = p.sum(axis=0).compute()
    b = (p * 2).max(axis=1).compute()
    del p
    return [a, b]


def many_consumers():
    x = data((4096, 16384), (512, 1024), seed=5)
    return list(da.compute(x.sum(axis=0), x.max(axis=1), (x * 3).mean(axis=0), x.std(), x.rechunk((4096, 256)).min(axis=0)))


def concurrent_threads():
    out = [None] * 4

    def work(k):
        x = data((2048, 8192), (256, 2048), seed=10 + k)
        out[k] = x.rechunk((2048, 512)).sum(axis=0).compute()

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def big_blocks_rechunk():
    # The tester's shape: 1000x16000 float64 blocks (122 MiB each) rechunked.
    x = data((4000, 16000), (1000, 16000), seed=6)
    return [x.rechunk((4000, 2000)).sum(axis=0).compute()]


def result_near_limit():
    # A 64 MiB result assembled from 8 MiB blocks.
    x = data((2048, 4096), (512, 2048), seed=7)
    return [(x * x + 1).compute()]


def streaming_reduction():
    x = data((4096, 8192), (512, 1024), seed=8)
    return [(da.sin(x) + x**2).mean(axis=0).compute()]


def slice_and_stack_axes():
    x = data((4096, 16384), (256, 16384), seed=9).rechunk((1024, 1024))
    y = x[::2, ::-1] + x[1::2, :]
    return [y.T.rechunk((1024, 512)).sum(axis=1).compute()]


PIPELINES = {f.__name__: f for f in [
    rechunk_all_to_all, rechunk_twice, transpose_add, reshape_rechunk, persist_larger_than_limit, many_consumers,
    concurrent_threads, big_blocks_rechunk, result_near_limit, streaming_reduction, slice_and_stack_axes,
]}


def peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def main(name: str) -> None:
    idle = peak_rss()
    t0 = time.perf_counter()
    results = PIPELINES[name]()
    seconds = time.perf_counter() - t0
    peak = peak_rss()
    h = hashlib.sha256()
    for r in results:
        r = np.asarray(r)
        h.update(f"{r.dtype}{r.shape}".encode())
        h.update(np.ascontiguousarray(r).tobytes())
    held = da._core.memory_held()[1]
    print(json.dumps({"idle": idle, "peak": peak, "held": held, "seconds": round(seconds, 2), "digest": h.hexdigest()}))


if __name__ == "__main__":
    main(sys.argv[1])
