"""The seed program: the mean of 800 million normal random numbers in 4 chunks.

It was written for Dask; the only change is the import (`import dask.array as da` ->
`import tessera as da`). `make demo` runs it.

    python examples/array-mean.py [DIM] [NUM_CHUNKS]
"""

import sys
import time

import tessera as da

dim = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000_000 * 16
num_chunks = int(sys.argv[2]) if len(sys.argv) > 2 else 4

start = time.time()
randomArray = da.random.normal(0.0, 0.1, size=dim, chunks=(int(dim / num_chunks)))
meanDelayed = randomArray.mean()
if hasattr(da._core, "visualize"):  # the task-graph picture, where this build has it
    meanDelayed.visualize()
mean = meanDelayed.compute()
computeTime = time.time() - start

print(f"mean is {mean}")
print()
print("==================================")
print(f"compute time: {computeTime}s")
print("==================================")
