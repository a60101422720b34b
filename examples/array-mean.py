"""The seed program (array-mean.py of the Dask episode), with one line changed:
`import dask.array as da` -> `import tessera as da`. `make demo` runs it.

    python examples/array-mean.py [DIM] [NUM_CHUNKS]
    TESSERA_SCHEDULER=mpi mpirun -n 4 python examples/array-mean.py   # over MPI
"""

import sys
import time

import tessera as da


def elapsed(start):
    return str(time.time() - start) + "s"


def main():
    # about 6G of random numbers
    dim = int(sys.argv[1]) if len(sys.argv) > 1 else 50000000 * 16
    numChunks = int(sys.argv[2]) if len(sys.argv) > 2 else 4

    randomArray = da.random.normal(0.0, 0.1, size=dim, chunks=(int(dim / numChunks)))
    meanDelayed = randomArray.mean()
    rank = da.mpi_rank_size()[0] if da.config.get("scheduler") == "mpi" else 0
    if rank == 0:
        meanDelayed.visualize()  # writes mydask.png

    start = time.time()
    mean = meanDelayed.compute()
    computeTime = elapsed(start)

    if rank == 0:
        print("mean is " + str(mean))
        print()
        print("==================================")
        print("compute time: " + computeTime)
        print("==================================")
        print()


if __name__ == "__main__":
    main()
