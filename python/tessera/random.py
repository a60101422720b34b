"""Random arrays, shaped like ``dask.array.random``.

Values come from a counter-based generator (Philox): each element depends only on the
seed, the array's stream number and the element's position, so an array is the same for
any chunking and any number of threads. (The numbers differ from NumPy's and Dask's for
the same seed.)

``default_rng(seed)`` gives a ``Generator`` (``Generator(np.random.PCG64(42))`` as in Dask);
``RandomState(seed)`` the legacy interface; both offer Dask's distributions
(``_random_dists``: transforms of the streams, and per-block samplers whose every element
draws its retries from a stream of its own, so these too are the same for any chunking);
the module-level functions use a process-wide generator (seeded from the clock unless
``seed`` is called). Under a parallel launcher (mpirun, srun) the seeds of unseeded
generators come from the job's identity instead, so every rank draws the same values.
"""

from __future__ import annotations

import math
import numbers
import os

import numpy as np

from . import _core
from ._array import _short, _wrap, dtype_name
from ._chunks import to_core
from ._creation import _shape
from ._errors import named
from ._random_dists import Distributions

__all__ = [
    "Generator", "RandomState", "default_rng", "seed", "normal", "uniform", "random", "random_sample",
    "standard_normal", "integers", "randint", "rand", "randn",
]

_U64 = 2**64


def _seed_int(seed, op="default_rng", legacy=False) -> int:
    """Any seed NumPy takes, as an unsigned 64-bit integer. As NumPy: negative seeds are a
    ValueError; ``legacy`` (RandomState, seed) seeds must be below 2**32."""
    if seed is None:
        # Under mpirun/srun every rank must draw the same values: the job's identity seeds.
        job = _core.random_job_seed()
        return job if job is not None else int.from_bytes(os.urandom(8), "little")
    if isinstance(seed, type) and issubclass(seed, np.random.BitGenerator):
        return _seed_int(None, op, legacy)  # a BitGenerator class (Dask instantiates it): fresh entropy
    if isinstance(seed, (Generator, RandomState)):
        return seed._gen.seed
    if isinstance(seed, np.random.SeedSequence):
        return int(seed.generate_state(2, np.uint64)[0])
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(0, _U64, dtype=np.uint64))
    if isinstance(seed, np.random.BitGenerator):
        # Draws from it (as Dask spawns from it): two Generators over one bit generator differ,
        # and a freshly seeded bit generator always gives the same key.
        return int(seed.random_raw())
    if isinstance(seed, (numbers.Integral, np.integer, np.bool_)):
        _check_seed_range(int(seed), seed, op, legacy)
        return int(seed) % _U64
    arr = None
    if isinstance(seed, (list, tuple, np.ndarray)):
        with named(op):
            arr = np.asarray(seed)
    if arr is not None and arr.dtype.kind in "iu" and arr.ndim <= 1 and arr.size:
        for v in arr.ravel().tolist():
            _check_seed_range(v, seed, op, legacy)
        return int(np.random.SeedSequence(arr.astype(np.uint64).tolist()).generate_state(2, np.uint64)[0])
    raise TypeError(f"{op}: seed must be None, an integer, a sequence of integers, a NumPy BitGenerator or a "
                    f"Generator, got "
                    f"{type(seed).__name__} {_short(seed)}")


def _check_seed_range(v, seed, op, legacy):
    if v < 0:
        raise ValueError(f"{op}: seed must be non-negative, got {_short(seed)}")
    if legacy and v >= 2**32:
        raise ValueError(f"{op}: seed must be between 0 and 2**32 - 1, got {_short(seed)}")


def _size(size, op):
    return list(_shape(size, op, "size", none_ok=True))


def _float(v, name, op):
    if np.ndim(v) != 0 and not isinstance(v, (str, bytes)):
        raise NotImplementedError(f"{op}: array-valued {name} is not supported by tessera; pass a scalar")
    if isinstance(v, (complex, np.complexfloating)):
        raise TypeError(f"{op}: {name} must be a real number, got {v!r}")
    try:
        return float(v)
    except (TypeError, ValueError, OverflowError) as e:
        raise type(e)(f"{op}: {name}={_short(v)}: {e}") from None


def _int(v, name, op) -> int:
    """A bound of ``integers``: an integer, or a float with an integer value (NumPy's
    legacy functions truncate floats)."""
    if np.ndim(v) != 0 and not isinstance(v, (str, bytes)):
        raise NotImplementedError(f"{op}: array-valued bounds are not supported by tessera; pass scalars")
    try:
        return int(v)
    except (TypeError, ValueError, OverflowError) as e:
        raise type(e)(f"{op}: {name}={_short(v)}: {e}") from None


def _check_kwargs(op, kwargs):
    if kwargs:
        raise TypeError(f"{op}() got an unexpected keyword argument {next(iter(kwargs))!r}")


def _int_bounds(low, high, dtype, endpoint, op):
    if high is None:
        low, high = 0, low
    low, high = _int(low, "low", op), _int(high, "high", op)
    if endpoint:
        high += 1
    name = _method_dtype(dtype, op, "biu")
    info = np.iinfo(name) if name != "bool" else np.iinfo(np.uint8)
    if name == "bool" and high > 2:
        raise ValueError(f"{op}: high is out of bounds for bool (high={high})")
    if low < info.min:
        raise ValueError(f"{op}: low is out of bounds for {name} (low={low})")
    if high - 1 > info.max:
        raise ValueError(f"{op}: high is out of bounds for {name} (high={high})")
    if high <= low:
        raise ValueError(f"{op}: low >= high ({low} >= {high})")
    if not (-(2**63) <= low and high <= 2**63 - 1):
        raise NotImplementedError(f"{op}: bounds beyond the int64 range are not supported by tessera")
    return low, high, name


def _method_dtype(dtype, op, kinds):
    """The dtype name a random method takes (NumPy's ``TypeError`` for others)."""
    try:
        d = np.dtype(dtype)
    except TypeError as e:
        raise TypeError(f"{op}: cannot interpret dtype={dtype!r} as a data type ({e})") from None
    if not d.isnative and "i" in kinds:
        raise ValueError(f"{op}: providing a dtype with a non-native byteorder is not supported, got {d!r}")
    if d.kind not in kinds or d.name == "float16" or not d.isnative:
        raise TypeError(f"{op}: Unsupported dtype {d!r} for {op}")
    return dtype_name(d, op)


def _uniform_bounds(low, high, op, legacy):
    low, high = _float(low, "low", op), _float(high, "high", op)
    if not legacy and high < low:
        raise ValueError(f"{op}: high - low < 0 (low={low}, high={high})")
    if not math.isfinite(high - low):
        raise OverflowError(f"{op}: Range exceeds valid bounds (low={low}, high={high})")
    return low, high


def _arrays(*vs):
    return any(np.ndim(v) != 0 or hasattr(v, "_c") for v in vs if not isinstance(v, (str, bytes)))


def _normal(make, loc, scale, size, chunks, op):
    if _arrays(loc, scale):
        return _owner(make)._array_normal(loc, scale, size, chunks, op)
    loc, scale = _float(loc, "loc", op), _float(scale, "scale", op)
    if scale < 0:
        raise ValueError(f"{op}: scale < 0 (scale={scale})")
    shape = _size(size, op)
    with named(op):
        r = make(loc, 1.0 if math.isnan(scale) else scale, shape, to_core(chunks, shape, 8, op))
    # NumPy takes a NaN scale: every value is NaN
    return _wrap(r.binary_scalar("multiply", math.nan) if math.isnan(scale) else r)


# The largest float32 below 1: float64 values in [1 - 2**-25, 1) round to 1.0 in float32.
_BELOW_ONE_F32 = 1.0 - 2.0**-24


def _as_float(r, name):
    return r if name == "float64" else r.astype(name)


def _integers(make, low, high, size, dtype, endpoint, chunks, op):
    """Random integers from `make` (a core generator's ``integers``); bools as int8 0/1."""
    low, high, name = _int_bounds(low, high, dtype, endpoint, op)
    shape = _size(size, op)
    gen = "int8" if name == "bool" else name
    with named(op):
        r = _wrap(make(low, high, shape, gen, to_core(chunks, shape, np.dtype(name).itemsize, op)))
    return r if gen == name else r.astype(name)


def _uniform(make, low, high, size, chunks, op, legacy):
    if _arrays(low, high):
        return _owner(make)._array_uniform(low, high, size, chunks, op, legacy)
    low, high = _uniform_bounds(low, high, op, legacy)
    shape = _size(size, op)
    with named(op):
        return _wrap(make(low, high, shape, to_core(chunks, shape, 8, op)))


def _random(make, size, chunks, op):
    shape = _size(size, op)
    with named(op):
        return _wrap(make(shape, to_core(chunks, shape, 8, op)))


def _legacy_ints(make, low, high, size, chunks, kwargs):
    """``random_integers``: integers in ``[low, high]`` (``[1, low]`` when ``high`` is None),
    deprecated in NumPy."""
    _check_kwargs("random_integers", kwargs)
    import warnings

    warnings.warn("random_integers is deprecated (as in NumPy); use randint(low, high + 1)",
                  DeprecationWarning, stacklevel=3)
    if high is None:
        low, high = 1, low
    return _integers(make, low, high, size, np.int64, True, chunks, "random_integers")


def _owner(make):
    """The generator whose core function `make` is (for array parameters)."""
    gen = getattr(make, "__self__", None)
    return Generator(gen) if isinstance(gen, _core.CoreGenerator) else _process


class Generator(Distributions):
    """Like ``numpy.random.Generator`` / ``dask.array.random.Generator``: each array it
    makes gets the next stream of its seed. ``bit_generator``: a NumPy bit generator
    (``np.random.PCG64(42)``, whose next 64 bits become the key, so a fresh one seeded alike
    gives the same arrays), a NumPy ``Generator``, ``SeedSequence``, an integer or None."""

    def __init__(self, bit_generator=None):
        if isinstance(bit_generator, _core.CoreGenerator):
            self._gen = bit_generator
        else:
            self._gen = _core.CoreGenerator(_seed_int(bit_generator, "Generator"))

    def _make(self, kind):
        return getattr(self._gen, kind)

    def __repr__(self):
        return f"{type(self).__name__}(Philox) with seed {self._gen.seed}"

    def normal(self, loc=0.0, scale=1.0, size=None, chunks="auto", **kwargs):
        _check_kwargs("normal", kwargs)
        return _normal(self._gen.normal, loc, scale, size, chunks, "normal")

    def standard_normal(self, size=None, dtype=np.float64, chunks="auto", **kwargs):
        _check_kwargs("standard_normal", kwargs)
        name = _method_dtype(dtype, "standard_normal", "f")
        return _as_float(_normal(self._gen.normal, 0.0, 1.0, size, chunks, "standard_normal"), name)

    def uniform(self, low=0.0, high=1.0, size=None, chunks="auto", **kwargs):
        _check_kwargs("uniform", kwargs)
        return _uniform(self._gen.uniform, low, high, size, chunks, "uniform", legacy=False)

    def random(self, size=None, dtype=np.float64, out=None, chunks="auto", **kwargs):
        _check_kwargs("random", kwargs)
        if out is not None:
            raise NotImplementedError("random: out= is not supported (tessera arrays are immutable)")
        name = _method_dtype(dtype, "random", "f")
        r = _as_float(_random(self._gen.random, size, chunks, "random"), name)
        # keep [0, 1) in float32, where the largest float64 values would round up to 1.0
        return r if name == "float64" else r.clip(None, _BELOW_ONE_F32)

    def integers(self, low, high=None, size=None, dtype=np.int64, endpoint=False, chunks="auto", **kwargs):
        _check_kwargs("integers", kwargs)
        return _integers(self._gen.integers, low, high, size, dtype, endpoint, chunks, "integers")


class RandomState(Distributions):
    """The legacy interface (``numpy.random.RandomState`` names) over tessera's generator:
    as NumPy's, seeds are below 2**32, ``uniform`` takes ``low > high``, and the methods
    take no ``dtype``."""

    _legacy = True

    def __init__(self, seed=None, RandomState=None):
        if RandomState is not None and RandomState is not np.random.RandomState:
            raise NotImplementedError("RandomState: tessera draws from its own counter-based streams; a "
                                      f"RandomState class ({_short(RandomState)}) cannot be plugged in")
        self._seed(seed, "RandomState")

    def _make(self, kind):
        return getattr(self._gen, kind)

    def seed(self, seed=None):
        self._seed(seed, "seed")

    def _seed(self, seed, op):
        self._gen = _core.CoreGenerator(_seed_int(seed, op, legacy=True))
        self._g = Generator(self._gen)

    def normal(self, loc=0.0, scale=1.0, size=None, chunks="auto", **kwargs):
        _check_kwargs("normal", kwargs)
        return _normal(self._gen.normal, loc, scale, size, chunks, "normal")

    def standard_normal(self, size=None, chunks="auto", **kwargs):
        _check_kwargs("standard_normal", kwargs)
        return _normal(self._gen.normal, 0.0, 1.0, size, chunks, "standard_normal")

    def uniform(self, low=0.0, high=1.0, size=None, chunks="auto", **kwargs):
        _check_kwargs("uniform", kwargs)
        return _uniform(self._gen.uniform, low, high, size, chunks, "uniform", legacy=True)

    def random_sample(self, size=None, chunks="auto", **kwargs):
        _check_kwargs("random_sample", kwargs)
        return _random(self._gen.random, size, chunks, "random_sample")

    random = random_sample

    def randint(self, low, high=None, size=None, chunks="auto", dtype=np.int64, **kwargs):
        _check_kwargs("randint", kwargs)
        return _integers(self._gen.integers, low, high, size, dtype, False, chunks, "randint")

    def random_integers(self, low, high=None, size=None, chunks="auto", **kwargs):
        return _legacy_ints(self._gen.integers, low, high, size, chunks, kwargs)

    def tomaxint(self, size=None, chunks="auto", **kwargs):
        """Integers in ``[0, 2**63 - 2]`` (NumPy's top value, 2**63 - 1, is beyond tessera's int64 bounds)."""
        _check_kwargs("tomaxint", kwargs)
        return _integers(self._gen.integers, 0, 2**63 - 1, size, np.int64, False, chunks, "tomaxint")

    def rand(self, *shape, chunks="auto"):
        return _random(self._gen.random, shape, chunks, "rand")

    def randn(self, *shape, chunks="auto"):
        return _normal(self._gen.normal, 0.0, 1.0, shape, chunks, "randn")


class _ProcessState(Distributions):
    """The process-wide generator behind the module-level functions."""

    _legacy = True

    def _make(self, kind):
        return getattr(_core, "random_" + kind)

    def random_integers(self, low, high=None, size=None, chunks="auto", **kwargs):
        return _legacy_ints(_core.random_integers, low, high, size, chunks, kwargs)

    def tomaxint(self, size=None, chunks="auto", **kwargs):
        _check_kwargs("tomaxint", kwargs)
        return _integers(_core.random_integers, 0, 2**63 - 1, size, np.int64, False, chunks, "tomaxint")


_process = _ProcessState()

for _name in ("beta", "binomial", "chisquare", "choice", "exponential", "f", "gamma", "geometric", "gumbel",
              "laplace", "logistic", "lognormal", "negative_binomial", "pareto", "permutation", "poisson", "power",
              "rayleigh", "shuffle", "standard_cauchy", "standard_exponential", "standard_gamma", "standard_t",
              "triangular", "wald", "weibull", "hypergeometric", "logseries", "multinomial", "noncentral_chisquare",
              "noncentral_f", "vonmises", "zipf", "multivariate_hypergeometric", "random_integers", "tomaxint"):
    globals()[_name] = getattr(_process, _name)
    __all__.append(_name)
del _name


def default_rng(seed=None) -> Generator:
    """A ``Generator`` seeded with ``seed`` (an int, None for a fresh seed, a NumPy
    ``SeedSequence`` or ``Generator``, or a tessera ``Generator``, returned as it is)."""
    if isinstance(seed, Generator):
        return seed
    return Generator(_core.CoreGenerator(_seed_int(seed, "default_rng")))


def seed(seed=None):
    """Reseeds the process-wide generator the module-level functions use (as
    ``numpy.random.seed``: an integer below 2**32, a sequence of them, or None)."""
    _core.random_seed(_seed_int(seed, "seed", legacy=True))


def normal(loc=0.0, scale=1.0, size=None, chunks="auto", **kwargs):
    _check_kwargs("normal", kwargs)
    return _normal(_core.random_normal, loc, scale, size, chunks, "normal")


def standard_normal(size=None, chunks="auto", **kwargs):
    _check_kwargs("standard_normal", kwargs)
    return _normal(_core.random_normal, 0.0, 1.0, size, chunks, "standard_normal")


def uniform(low=0.0, high=1.0, size=None, chunks="auto", **kwargs):
    _check_kwargs("uniform", kwargs)
    return _uniform(_core.random_uniform, low, high, size, chunks, "uniform", legacy=True)


def random_sample(size=None, chunks="auto", **kwargs):
    _check_kwargs("random_sample", kwargs)
    return _random(_core.random_random, size, chunks, "random_sample")


random = random_sample


def integers(low, high=None, size=None, dtype=np.int64, endpoint=False, chunks="auto", **kwargs):
    _check_kwargs("integers", kwargs)
    return _integers(_core.random_integers, low, high, size, dtype, endpoint, chunks, "integers")


def randint(low, high=None, size=None, chunks="auto", dtype=np.int64, **kwargs):
    """Integers in ``[low, high)`` (``[0, low)`` when ``high`` is None), like NumPy's legacy ``randint``."""
    _check_kwargs("randint", kwargs)
    return _integers(_core.random_integers, low, high, size, dtype, False, chunks, "randint")


def rand(*shape, chunks="auto"):
    return _random(_core.random_random, shape, chunks, "rand")


def randn(*shape, chunks="auto"):
    return _normal(_core.random_normal, 0.0, 1.0, shape, chunks, "randn")


def _numpy_docs():
    """Methods and functions without a docstring of their own take NumPy's, as Dask's do."""
    note = ("NumPy's documentation follows; tessera draws from its own counter-based streams "
            "(docs/random-stream.md) and every function also takes ``chunks=``.\n\n")
    places = [(Generator, np.random.Generator), (RandomState, np.random.RandomState),
              (Distributions, np.random.Generator), (Distributions, np.random.RandomState)]
    for cls, ref in places:
        for name, f in vars(cls).items():
            src = getattr(ref, name, None)
            if callable(f) and not name.startswith("_") and not f.__doc__ and src is not None and src.__doc__:
                f.__doc__ = note + src.__doc__
    for name in __all__:
        f, src = globals().get(name), getattr(np.random, name, None)
        if callable(f) and not isinstance(f, type) and src is not None and src.__doc__:
            try:
                if not f.__doc__:
                    f.__doc__ = note + src.__doc__
            except AttributeError:  # bound methods of the process-wide state share their function's
                pass


_numpy_docs()
