"""Random arrays, shaped like ``dask.array.random``.

Values come from a counter-based generator (Philox): each element depends only on the
seed, the array's stream number and the element's position, so an array is the same for
any chunking and any number of threads. (The numbers differ from NumPy's and Dask's for
the same seed.)

``default_rng(seed)`` gives a ``Generator``; ``RandomState(seed)`` the legacy interface;
the module-level functions use a process-wide generator (seeded from the clock unless
``seed`` is called). Under a parallel launcher (mpirun, srun) the seeds of unseeded
generators come from the job's identity instead, so every rank draws the same values.
"""

from __future__ import annotations

import numbers
import operator
import os

import numpy as np

from . import _core
from ._array import _wrap, dtype_name
from ._chunks import to_core

__all__ = [
    "Generator", "RandomState", "default_rng", "seed", "normal", "uniform", "random", "random_sample",
    "standard_normal", "integers", "randint", "rand", "randn",
]

_U64 = 2**64


def _seed_int(seed) -> int:
    """Any seed NumPy takes, as an unsigned 64-bit integer."""
    if seed is None:
        # Under mpirun/srun every rank must draw the same values: the job's identity seeds.
        job = _core.random_job_seed()
        return job if job is not None else int.from_bytes(os.urandom(8), "little")
    if isinstance(seed, (Generator, RandomState)):
        return seed._gen.seed
    if isinstance(seed, np.random.SeedSequence):
        return int(seed.generate_state(2, np.uint64)[0])
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(0, _U64, dtype=np.uint64))
    if isinstance(seed, (numbers.Integral, np.integer)):
        return int(seed) % _U64
    arr = np.asarray(seed)
    if arr.dtype.kind in "iu":
        return int(np.random.SeedSequence(arr.astype(np.uint64).tolist()).generate_state(2, np.uint64)[0])
    raise TypeError(f"seed must be None, an integer, a sequence of integers or a Generator, got {type(seed).__name__}")


def _size(size):
    if size is None:
        return []
    if isinstance(size, (numbers.Integral, np.integer)):
        size = (size,)
    try:
        out = [operator.index(s) for s in size]
    except TypeError:
        raise TypeError(f"size must be an integer or a tuple of integers, got {size!r}") from None
    if any(s < 0 for s in out):
        raise ValueError(f"negative dimensions are not allowed, got size {tuple(out)}")
    return out


def _float(v, name, op):
    if np.ndim(v) != 0:
        raise NotImplementedError(f"{op}: array-valued {name} is not supported by tessera; pass a scalar")
    return float(v)


def _check_kwargs(op, kwargs):
    if kwargs:
        raise TypeError(f"{op}: unexpected keyword arguments {sorted(kwargs)}")


def _int_bounds(low, high, dtype, endpoint, op):
    if high is None:
        low, high = 0, low
    if np.ndim(low) != 0 or np.ndim(high) != 0:
        raise NotImplementedError(f"{op}: array-valued bounds are not supported by tessera; pass scalars")
    low, high = int(low), int(high)
    if endpoint:
        high += 1
    name = _method_dtype(dtype, op, "biu")
    info = np.iinfo(name) if name != "bool" else np.iinfo(np.uint8)
    if name == "bool" and high > 2:
        raise ValueError(f"{op}: high is out of bounds for bool")
    if low < info.min:
        raise ValueError(f"{op}: low is out of bounds for {name}")
    if high - 1 > info.max:
        raise ValueError(f"{op}: high is out of bounds for {name}")
    if high <= low:
        raise ValueError(f"{op}: low >= high ({low} >= {high})")
    if not (-(2**63) <= low and high <= 2**63 - 1):
        raise NotImplementedError(f"{op}: bounds beyond the int64 range are not supported by tessera")
    return low, high, name


def _method_dtype(dtype, op, kinds):
    """The dtype name a random method takes (NumPy's ``TypeError`` for others)."""
    d = np.dtype(dtype)
    if d.kind not in kinds or not d.isnative or d.name == "float16":
        raise TypeError(f"{op}: Unsupported dtype {d!r} for {op}")
    return dtype_name(d, op)


# The largest float32 below 1: float64 values in [1 - 2**-25, 1) round to 1.0 in float32.
_BELOW_ONE_F32 = 1.0 - 2.0**-24


def _as_float(r, name):
    return r if name == "float64" else r.astype(name)


def _integers(make, low, high, size, dtype, endpoint, chunks, op):
    """Random integers from `make` (a core generator's ``integers``); bools as int8 0/1."""
    low, high, name = _int_bounds(low, high, dtype, endpoint, op)
    shape = _size(size)
    gen = "int8" if name == "bool" else name
    r = _wrap(make(low, high, shape, gen, to_core(chunks, shape, np.dtype(name).itemsize, op)))
    return r if gen == name else r.astype(name)


class Generator:
    """Like ``numpy.random.Generator`` / ``dask.array.random.Generator``: each array it
    makes gets the next stream of its seed."""

    def __init__(self, seed=None):
        if isinstance(seed, _core.CoreGenerator):
            self._gen = seed
        else:
            self._gen = _core.CoreGenerator(_seed_int(seed))

    def __repr__(self):
        return f"{type(self).__name__}(Philox) with seed {self._gen.seed}"

    def normal(self, loc=0.0, scale=1.0, size=None, chunks="auto", **kwargs):
        _check_kwargs("normal", kwargs)
        shape = _size(size)
        return _wrap(self._gen.normal(_float(loc, "loc", "normal"), _float(scale, "scale", "normal"), shape,
                                      to_core(chunks, shape, 8, "normal")))

    def standard_normal(self, size=None, dtype=np.float64, chunks="auto", **kwargs):
        _check_kwargs("standard_normal", kwargs)
        name = _method_dtype(dtype, "standard_normal", "f")
        return _as_float(self.normal(0.0, 1.0, size, chunks), name)

    def uniform(self, low=0.0, high=1.0, size=None, chunks="auto", **kwargs):
        _check_kwargs("uniform", kwargs)
        shape = _size(size)
        return _wrap(self._gen.uniform(_float(low, "low", "uniform"), _float(high, "high", "uniform"), shape,
                                       to_core(chunks, shape, 8, "uniform")))

    def random(self, size=None, dtype=np.float64, out=None, chunks="auto", **kwargs):
        _check_kwargs("random", kwargs)
        if out is not None:
            raise NotImplementedError("random: out= is not supported (tessera arrays are immutable)")
        name = _method_dtype(dtype, "random", "f")
        shape = _size(size)
        r = _as_float(_wrap(self._gen.random(shape, to_core(chunks, shape, 8, "random"))), name)
        # keep [0, 1) in float32, where the largest float64 values would round up to 1.0
        return r if name == "float64" else r.clip(None, _BELOW_ONE_F32)

    def integers(self, low, high=None, size=None, dtype=np.int64, endpoint=False, chunks="auto", **kwargs):
        _check_kwargs("integers", kwargs)
        return _integers(self._gen.integers, low, high, size, dtype, endpoint, chunks, "integers")


class RandomState:
    """The legacy interface (``numpy.random.RandomState`` names) over tessera's generator."""

    def __init__(self, seed=None):
        self.seed(seed)

    def seed(self, seed=None):
        self._gen = _core.CoreGenerator(_seed_int(seed))
        self._g = Generator(self._gen)

    def normal(self, loc=0.0, scale=1.0, size=None, chunks="auto", **kwargs):
        return self._g.normal(loc, scale, size, chunks, **kwargs)

    def standard_normal(self, size=None, chunks="auto", **kwargs):
        return self._g.standard_normal(size, chunks=chunks, **kwargs)

    def uniform(self, low=0.0, high=1.0, size=None, chunks="auto", **kwargs):
        return self._g.uniform(low, high, size, chunks, **kwargs)

    def random_sample(self, size=None, chunks="auto", **kwargs):
        return self._g.random(size, chunks=chunks, **kwargs)

    random = random_sample

    def randint(self, low, high=None, size=None, chunks="auto", dtype=np.int64, **kwargs):
        _check_kwargs("randint", kwargs)
        return _integers(self._gen.integers, low, high, size, dtype, False, chunks, "randint")

    def rand(self, *shape, chunks="auto"):
        return self.random_sample(shape, chunks=chunks)

    def randn(self, *shape, chunks="auto"):
        return self.standard_normal(shape, chunks=chunks)


def default_rng(seed=None) -> Generator:
    """A ``Generator`` seeded with ``seed`` (an int, None for a fresh seed, a NumPy
    ``SeedSequence`` or ``Generator``, or a tessera ``Generator``, returned as it is)."""
    if isinstance(seed, Generator):
        return seed
    return Generator(seed)


def seed(seed=None):
    """Reseeds the process-wide generator the module-level functions use."""
    _core.random_seed(_seed_int(seed))


def normal(loc=0.0, scale=1.0, size=None, chunks="auto", **kwargs):
    _check_kwargs("normal", kwargs)
    shape = _size(size)
    return _wrap(_core.random_normal(_float(loc, "loc", "normal"), _float(scale, "scale", "normal"), shape,
                                     to_core(chunks, shape, 8, "normal")))


def standard_normal(size=None, chunks="auto", **kwargs):
    return normal(0.0, 1.0, size, chunks, **kwargs)


def uniform(low=0.0, high=1.0, size=None, chunks="auto", **kwargs):
    _check_kwargs("uniform", kwargs)
    shape = _size(size)
    return _wrap(_core.random_uniform(_float(low, "low", "uniform"), _float(high, "high", "uniform"), shape,
                                      to_core(chunks, shape, 8, "uniform")))


def random_sample(size=None, chunks="auto", **kwargs):
    _check_kwargs("random_sample", kwargs)
    shape = _size(size)
    return _wrap(_core.random_random(shape, to_core(chunks, shape, 8, "random_sample")))


random = random_sample


def integers(low, high=None, size=None, dtype=np.int64, endpoint=False, chunks="auto", **kwargs):
    _check_kwargs("integers", kwargs)
    return _integers(_core.random_integers, low, high, size, dtype, endpoint, chunks, "integers")


def randint(low, high=None, size=None, chunks="auto", dtype=np.int64, **kwargs):
    """Integers in ``[low, high)`` (``[0, low)`` when ``high`` is None), like NumPy's legacy ``randint``."""
    _check_kwargs("randint", kwargs)
    return _integers(_core.random_integers, low, high, size, dtype, False, chunks, "randint")


def rand(*shape, chunks="auto"):
    return random_sample(shape, chunks=chunks)


def randn(*shape, chunks="auto"):
    return standard_normal(shape, chunks=chunks)
