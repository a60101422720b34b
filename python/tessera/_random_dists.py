"""The distributions of ``dask.array.random`` beyond uniform, normal and integers, shared by
``Generator``, ``RandomState`` and the module-level functions.

Those that are one transform of tessera's uniform or normal streams are built as lazy
elementwise expressions (the Rust kernels compute them, chunking-independent like the
streams); the rejection samplers (gamma and what builds on it, Poisson, binomial) run per
block in NumPy on 64-bit keys from a stream (``_random_blocks``). Parameters are scalars,
NumPy arrays or tessera arrays, broadcast with ``size`` as Dask does; bad values are a
ValueError when the array is built (for tessera-array parameters, at compute, as Dask).
NaN parameters are refused where a rejection sampler takes them.
"""

from __future__ import annotations

import numpy as np

from . import _random_blocks as rb
from ._array import Array, _short, _wrap
from ._chunks import to_core
from ._creation import _shape
from ._errors import named

_PIECE = 1 << 18  # elements a block sampler works on at a time
_TINY = 2.0**-54  # stands in for a uniform of exactly 0 where a logarithm needs (0, 1)


def _param(v, name, op):
    """A parameter as a float or an array (NumPy float64, or a tessera Array)."""
    if isinstance(v, Array):
        return v
    if isinstance(v, (str, bytes, complex, np.complexfloating)):
        raise TypeError(f"{op}: {name} must be real numbers, got {_short(v)}")
    try:
        a = np.asarray(v, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{op}: {name}={_short(v)} is not a number or an array of numbers ({e})") from None
    return float(a) if a.ndim == 0 else a


_RULES = {
    "nonneg": (lambda v: v >= 0, "{name} < 0"),
    "pos": (lambda v: v > 0, "{name} <= 0"),
    "unit": (lambda v: (v >= 0) & (v <= 1), "{name} < 0, {name} > 1 or {name} is NaN"),
    "unit_open0": (lambda v: (v > 0) & (v <= 1), "{name} <= 0, {name} > 1 or {name} is NaN"),
}


def _rule_ok(rule, v):
    return _RULES[rule][0](v) | (np.isnan(v) if rule in ("nonneg", "pos") else False)


def _checked(v, name, op, rule):
    """`v` after NumPy's check `rule` (NaN passes where NumPy lets it pass): eagerly for
    numbers and NumPy arrays, per block at compute for tessera arrays."""
    msg = f"{op}: " + _RULES[rule][1].format(name=name)
    if isinstance(v, Array):
        def check(b):
            if not np.all(_rule_ok(rule, b)):
                raise ValueError(msg)
            return b
        return v.astype("float64").map_blocks(check, dtype=np.float64, name=f"check-{op}")
    if not np.all(_rule_ok(rule, np.asarray(v))):
        raise ValueError(f"{msg} (got {_short(v)})")
    return v


def _out_shape(size, params, op):
    shapes = [np.shape(p) if not isinstance(p, Array) else p.shape for p in params
              if isinstance(p, (np.ndarray, Array))]
    if size is not None:
        shapes.append(_shape(size, op, "size", none_ok=True))
    try:
        return tuple(np.broadcast_shapes(*shapes)) if shapes else ()
    except ValueError:
        raise ValueError(f"{op}: shape mismatch: the parameters' shapes {shapes[:-1] if size is not None else shapes} "
                         f"do not broadcast{' with size ' + str(tuple(shapes[-1])) if size is not None else ''}") from None


def _block_arg(p, shape, chunks):
    """An array parameter broadcast to the output and cut like it (a block argument)."""
    from ._creation import asarray, broadcast_to

    return broadcast_to(asarray(p) if not isinstance(p, Array) else p, shape).rechunk(chunks)


class Distributions:
    """The methods; a subclass gives ``_make(kind)``: the core function making ``random``,
    ``normal`` or ``integers`` arrays from its next stream."""

    _legacy = False

    # -- sources ------------------------------------------------------------------------

    def _legacy_args(self, op, dtype, out, method="zig"):
        """RandomState's methods take no dtype/out/method (NumPy's TypeError)."""
        if self._legacy:
            for k, v, default in (("dtype", dtype, np.float64), ("out", out, None), ("method", method, "zig")):
                if v is not default:
                    raise TypeError(f"{op}() got an unexpected keyword argument {k!r}")

    def _unit(self, shape, chunks, op):
        with named(op):
            return _wrap(self._make("random")(list(shape), to_core(chunks, shape, 8, op)))

    def _std_normal(self, shape, chunks, op):
        with named(op):
            return _wrap(self._make("normal")(0.0, 1.0, list(shape), to_core(chunks, shape, 8, op)))

    def _std_exp(self, shape, chunks, op):
        """Standard exponentials, -log(1 - U): finite, >= 0."""
        return -np.log1p(-self._unit(shape, chunks, op))

    def _open_unit(self, shape, chunks, op):
        from ._creation import where

        u = self._unit(shape, chunks, op)
        return where(u == 0, _TINY, u)

    def _prepare(self, op, size, **params):
        """(shape, {name: checked parameter}) for params given as name=(value, rule)."""
        vals = {k: _checked(_param(v, k, op), k, op, rule) if rule else _param(v, k, op)
                for k, (v, rule) in params.items()}
        return _out_shape(size, list(vals.values()), op), vals

    def _blocks(self, op, func, shape, chunks, dtype, params, first=""):
        """A sampler of ``_random_blocks`` over keys from the next stream, and for each letter
        of `first` a normal ("z") or uniform ("u") array from the following streams (the
        first try of the rejection loop)."""
        with named(op):
            keys = _wrap(self._make("integers")(-(2**63), 2**63 - 1, list(shape), "int64",
                                                to_core(chunks, shape, 8, op)))
        pre = [self._std_normal(shape, keys.chunks, op) if f == "z" else self._unit(shape, keys.chunks, op)
               for f in first]
        from ._blockwise import map_blocks

        arrays = {k: _block_arg(v, shape, keys.chunks) for k, v in params.items() if isinstance(v, (np.ndarray, Array))}
        consts = {k: v for k, v in params.items() if k not in arrays}
        names = list(arrays)
        npre = len(pre)

        def run(keys, blocks):
            return func(keys, *blocks[:npre], **consts, **dict(zip(names, blocks[npre:])))

        def sample(keys, *blocks):
            # One block at a time: two threads running these NumPy loops together are several
            # times slower than one after the other (they pass the GIL back and forth between
            # the many small steps). In pieces, so that the temporaries stay small and reused
            # (every element is sampled on its own: the pieces do not change the values).
            with rb.SAMPLER_LOCK:
                if keys.size <= _PIECE:
                    return run(keys, blocks)
                flat = [np.ravel(b) for b in (keys, *blocks)]
                out = np.empty(keys.size, dtype=dtype)
                for i in range(0, keys.size, _PIECE):
                    sl = slice(i, i + _PIECE)
                    out[sl] = run(flat[0][sl], [f[sl] for f in flat[1:]])
                return out.reshape(keys.shape)

        return map_blocks(sample, keys, *pre, *arrays.values(), dtype=dtype, name=op)

    # -- transforms of one stream ------------------------------------------------------

    def _array_normal(self, loc, scale, size, chunks, op):
        shape, p = self._prepare(op, size, loc=(loc, None), scale=(scale, "nonneg"))
        return self._std_normal(shape, chunks, op) * p["scale"] + p["loc"]

    def _array_uniform(self, low, high, size, chunks, op, legacy):
        shape, p = self._prepare(op, size, low=(low, None), high=(high, None))
        lo, hi = p["low"], p["high"]
        if not legacy and not isinstance(lo, Array) and not isinstance(hi, Array) and np.any(np.less(hi, lo)):
            raise ValueError(f"{op}: high - low < 0")
        return self._unit(shape, chunks, op) * (hi - lo) + lo

    def exponential(self, scale=1.0, size=None, chunks="auto", **kwargs):
        _no_kwargs("exponential", kwargs)
        shape, p = self._prepare("exponential", size, scale=(scale, "nonneg"))
        return self._std_exp(shape, chunks, "exponential") * p["scale"]

    def standard_exponential(self, size=None, dtype=np.float64, method="zig", out=None, chunks="auto", **kwargs):
        _no_kwargs("standard_exponential", kwargs)
        self._legacy_args("standard_exponential", dtype, out, method)
        name = _float_dtype(dtype, "standard_exponential", out, method)
        return _as(self._std_exp(_shape(size, "standard_exponential", "size", none_ok=True), chunks,
                                 "standard_exponential"), name)

    def lognormal(self, mean=0.0, sigma=1.0, size=None, chunks="auto", **kwargs):
        _no_kwargs("lognormal", kwargs)
        shape, p = self._prepare("lognormal", size, mean=(mean, None), sigma=(sigma, "nonneg"))
        return np.exp(self._std_normal(shape, chunks, "lognormal") * p["sigma"] + p["mean"])

    def laplace(self, loc=0.0, scale=1.0, size=None, chunks="auto", **kwargs):
        from ._creation import where

        _no_kwargs("laplace", kwargs)
        shape, p = self._prepare("laplace", size, loc=(loc, None), scale=(scale, "nonneg"))
        u = self._unit(shape, chunks, "laplace")
        # 2u + 2**-53 is exact and in (0, 1) below one half; 2 - 2u in (0, 1] above
        z = where(u < 0.5, np.log(u * 2.0 + 2.0**-53), -np.log(2.0 - u * 2.0))
        return z * p["scale"] + p["loc"]

    def logistic(self, loc=0.0, scale=1.0, size=None, chunks="auto", **kwargs):
        _no_kwargs("logistic", kwargs)
        shape, p = self._prepare("logistic", size, loc=(loc, None), scale=(scale, "nonneg"))
        u = self._open_unit(shape, chunks, "logistic")
        return np.log(u / (1.0 - u)) * p["scale"] + p["loc"]

    def gumbel(self, loc=0.0, scale=1.0, size=None, chunks="auto", **kwargs):
        _no_kwargs("gumbel", kwargs)
        shape, p = self._prepare("gumbel", size, loc=(loc, None), scale=(scale, "nonneg"))
        e = -np.log1p(-self._open_unit(shape, chunks, "gumbel"))
        return p["loc"] - np.log(e) * p["scale"]

    def weibull(self, a, size=None, chunks="auto", **kwargs):
        from ._creation import where

        _no_kwargs("weibull", kwargs)
        shape, p = self._prepare("weibull", size, a=(a, "nonneg"))
        a = p["a"]
        e = self._std_exp(shape, chunks, "weibull")
        if isinstance(a, float):
            return e * 0.0 if a == 0 else e ** (1.0 / a)
        return where(a == 0, 0.0, e ** (1.0 / where(a == 0, 1.0, a)))

    def pareto(self, a, size=None, chunks="auto", **kwargs):
        _no_kwargs("pareto", kwargs)
        shape, p = self._prepare("pareto", size, a=(a, "pos"))
        return np.expm1(self._std_exp(shape, chunks, "pareto") / p["a"])

    def power(self, a, size=None, chunks="auto", **kwargs):
        _no_kwargs("power", kwargs)
        shape, p = self._prepare("power", size, a=(a, "pos"))
        return self._unit(shape, chunks, "power") ** (1.0 / p["a"])

    def rayleigh(self, scale=1.0, size=None, chunks="auto", **kwargs):
        _no_kwargs("rayleigh", kwargs)
        shape, p = self._prepare("rayleigh", size, scale=(scale, "nonneg"))
        return np.sqrt(self._std_exp(shape, chunks, "rayleigh") * 2.0) * p["scale"]

    def standard_cauchy(self, size=None, chunks="auto", **kwargs):
        _no_kwargs("standard_cauchy", kwargs)
        shape = _shape(size, "standard_cauchy", "size", none_ok=True)
        return self._std_normal(shape, chunks, "standard_cauchy") / self._std_normal(shape, chunks, "standard_cauchy")

    def triangular(self, left, mode, right, size=None, chunks="auto", **kwargs):
        from ._creation import where

        op = "triangular"
        _no_kwargs(op, kwargs)
        shape, p = self._prepare(op, size, left=(left, None), mode=(mode, None), right=(right, None))
        lo, mo, hi = p["left"], p["mode"], p["right"]
        if not any(isinstance(v, Array) for v in (lo, mo, hi)):
            if np.any(np.greater(lo, mo)):
                raise ValueError(f"{op}: left > mode (left={_short(left)}, mode={_short(mode)})")
            if np.any(np.greater(mo, hi)):
                raise ValueError(f"{op}: mode > right (mode={_short(mode)}, right={_short(right)})")
            if np.any(np.equal(lo, hi)):
                raise ValueError(f"{op}: left == right (left={_short(left)}, right={_short(right)})")
        u = self._unit(shape, chunks, op)
        base = hi - lo
        ratio = (mo - lo) / base
        return where(u <= ratio, np.sqrt(u * ((mo - lo) * base)) + lo, hi - np.sqrt((1.0 - u) * ((hi - mo) * base)))

    def wald(self, mean, scale, size=None, chunks="auto", **kwargs):
        from ._creation import where

        _no_kwargs("wald", kwargs)
        shape, p = self._prepare("wald", size, mean=(mean, "pos"), scale=(scale, "pos"))
        m, s = p["mean"], p["scale"]
        z = self._std_normal(shape, chunks, "wald")
        y = z * z * m
        x = m + (m / (2.0 * s)) * (y - np.sqrt(y * (4.0 * s) + y * y))
        u = self._unit(shape, chunks, "wald")
        return where(u <= m / (m + x), x, m * m / x)

    def geometric(self, p, size=None, chunks="auto", **kwargs):
        _no_kwargs("geometric", kwargs)
        shape, q = self._prepare("geometric", size, p=(p, "unit_open0"))
        u = self._open_unit(shape, chunks, "geometric")
        k = np.ceil(np.log1p(-u) / np.log1p(-q["p"]))
        return np.maximum(k, 1.0).astype("int64")

    # -- rejection samplers, per block ---------------------------------------------------

    def standard_gamma(self, shape, size=None, dtype=np.float64, out=None, chunks="auto", **kwargs):
        op = "standard_gamma"
        _no_kwargs(op, kwargs)
        self._legacy_args(op, dtype, out)
        name = _float_dtype(dtype, op, out)
        oshape, p = self._prepare(op, size, shape=(shape, "nonneg_strict"))
        return _as(self._blocks(op, rb.block_standard_gamma, oshape, chunks, np.float64, p, "zu"), name)

    def gamma(self, shape, scale=1.0, size=None, chunks="auto", **kwargs):
        op = "gamma"
        _no_kwargs(op, kwargs)
        oshape, p = self._prepare(op, size, shape=(shape, "nonneg_strict"), scale=(scale, "nonneg_strict"))
        return self._blocks(op, rb.block_standard_gamma, oshape, chunks, np.float64, p, "zu")

    def chisquare(self, df, size=None, chunks="auto", **kwargs):
        _no_kwargs("chisquare", kwargs)
        shape, p = self._prepare("chisquare", size, df=(df, "pos_strict"))
        return self._blocks("chisquare", rb.block_chisquare, shape, chunks, np.float64, p, "zu")

    def standard_t(self, df, size=None, chunks="auto", **kwargs):
        _no_kwargs("standard_t", kwargs)
        shape, p = self._prepare("standard_t", size, df=(df, "pos_strict"))
        return self._blocks("standard_t", rb.block_standard_t, shape, chunks, np.float64, p)

    def f(self, dfnum, dfden, size=None, chunks="auto", **kwargs):
        _no_kwargs("f", kwargs)
        shape, p = self._prepare("f", size, dfnum=(dfnum, "pos_strict"), dfden=(dfden, "pos_strict"))
        return self._blocks("f", rb.block_f, shape, chunks, np.float64, p)

    def beta(self, a, b, size=None, chunks="auto", **kwargs):
        _no_kwargs("beta", kwargs)
        shape, p = self._prepare("beta", size, a=(a, "pos_strict"), b=(b, "pos_strict"))
        return self._blocks("beta", rb.block_beta, shape, chunks, np.float64, p)

    def poisson(self, lam=1.0, size=None, chunks="auto", **kwargs):
        _no_kwargs("poisson", kwargs)
        shape, p = self._prepare("poisson", size, lam=(lam, "nonneg_strict"))
        lam = p["lam"]
        if not isinstance(lam, Array) and np.any(np.asarray(lam) > rb.POISSON_LAM_MAX):
            raise ValueError(f"poisson: lam value too large (got {_short(lam)})")
        return self._blocks("poisson", rb.block_poisson, shape, chunks, np.int64, p, "uu")

    def binomial(self, n, p, size=None, chunks="auto", **kwargs):
        op = "binomial"
        _no_kwargs(op, kwargs)
        if not isinstance(n, Array):
            n_arr = np.asarray(n)
            if n_arr.dtype.kind not in "iuf":
                raise TypeError(f"{op}: n must be integers, got {_short(n)}")
            if np.any(n_arr < 0) or np.any(np.isnan(n_arr)):
                raise ValueError(f"{op}: n < 0 (got {_short(n)})")
            n = np.trunc(n_arr).astype(np.int64) if n_arr.ndim else int(np.trunc(n_arr))
        p = _checked(_param(p, "p", op), "p", op, "unit")
        shape = _out_shape(size, [n, p], op)
        return self._blocks(op, rb.block_binomial, shape, chunks, np.int64, {"n": n, "p": p}, "uu")

    def negative_binomial(self, n, p, size=None, chunks="auto", **kwargs):
        _no_kwargs("negative_binomial", kwargs)
        shape, q = self._prepare("negative_binomial", size, n=(n, "pos_strict"), p=(p, "unit_open0"))
        return self._blocks("negative_binomial", rb.block_negative_binomial, shape, chunks, np.int64, q)

    def noncentral_chisquare(self, df, nonc, size=None, chunks="auto", **kwargs):
        op = "noncentral_chisquare"
        _no_kwargs(op, kwargs)
        shape, p = self._prepare(op, size, df=(df, "pos_strict"), nonc=(nonc, "nonneg_strict"))
        return self._blocks(op, rb.block_noncentral_chisquare, shape, chunks, np.float64, p)

    def noncentral_f(self, dfnum, dfden, nonc, size=None, chunks="auto", **kwargs):
        op = "noncentral_f"
        _no_kwargs(op, kwargs)
        shape, p = self._prepare(op, size, dfnum=(dfnum, "pos_strict"), dfden=(dfden, "pos_strict"),
                                 nonc=(nonc, "nonneg_strict"))
        return self._blocks(op, rb.block_noncentral_f, shape, chunks, np.float64, p)

    def multinomial(self, n, pvals, size=None, chunks="auto", **kwargs):
        """As Dask: ``size`` draws of counts over ``len(pvals)`` outcomes, the outcomes on a new
        last axis of one chunk. ``n`` an integer, ``pvals`` a 1-d sequence."""
        op = "multinomial"
        _no_kwargs(op, kwargs)
        if isinstance(n, Array) or np.ndim(n) or isinstance(pvals, Array) or np.ndim(pvals) != 1:
            raise NotImplementedError(f"{op}: tessera takes an integer n and a 1-d sequence pvals "
                                      f"(got n={_short(n)}, pvals={_short(pvals)})")
        if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
            raise TypeError(f"{op}: n must be an integer, got {_short(n)}")
        if n < 0:
            raise ValueError(f"{op}: n < 0 (got {n})")
        pv = np.asarray(pvals, dtype=np.float64)
        if pv.size == 0:
            raise ValueError(f"{op}: pvals must have at least 1 entry")
        if not np.all((pv >= 0) & (pv <= 1)):
            raise ValueError(f"{op}: pvals < 0, pvals > 1 or pvals contains NaNs")
        if pv[:-1].sum() > 1.0 + 1e-12:
            raise ValueError(f"{op}: sum(pvals[:-1]) > 1.0")
        shape = _shape(size, op, "size", none_ok=True)
        with named(op):
            keys = _wrap(self._make("integers")(-(2**63), 2**63 - 1, list(shape), "int64",
                                                to_core(chunks, shape, 8 * len(pv), op)))
        from ._blockwise import map_blocks

        k, plist = len(pv), pv.tolist()
        def sample(b):
            with rb.SAMPLER_LOCK:
                return rb.block_multinomial(b, int(n), plist)

        return map_blocks(sample, keys, new_axis=len(shape),
                          chunks=tuple(keys.chunks) + ((k,),), dtype=np.int64, name=op)

    # -- index draws -----------------------------------------------------------------------

    def _host_rng(self, op):
        """A NumPy Generator seeded from the next stream (for the permutations Dask too draws
        on the client)."""
        with named(op):
            key = _wrap(self._make("integers")(-(2**63), 2**63 - 1, [2], "int64", [[2]])).compute()
        return np.random.Generator(np.random.Philox(key=key.view(np.uint64)))

    def permutation(self, x):
        """As Dask: a permutation of ``arange(x)`` for an integer, else of ``x`` along its first
        axis; the index is drawn on the client (NumPy, from this generator's next stream) and
        the array is gathered lazily."""
        from ._creation import arange, asarray

        op = "permutation"
        if isinstance(x, (int, np.integer)) and not isinstance(x, bool):
            x = arange(int(x), chunks="auto")
        else:
            x = asarray(x)
            if x.ndim == 0:
                raise ValueError(f"{op}: x must be an integer or at least 1-dimensional, got a 0-d array")
        index = self._host_rng(op).permutation(x.shape[0])
        return x[index]

    def shuffle(self, x, axis=0):
        raise NotImplementedError(
            "shuffle: tessera arrays are immutable, so there is nothing to shuffle in place (dask.array's "
            "generators have no shuffle either); use permutation(x), which returns a shuffled copy")

    def choice(self, a, size=None, replace=True, p=None, axis=0, shuffle=True, chunks="auto"):
        """As Dask: ``a`` an integer or a 1-d array, ``p`` optional weights summing to 1;
        without replacement only for a one-chunk output (Dask's limit), drawn on the client."""
        from ._creation import asarray
        from ._blockwise import map_blocks

        op = "choice"
        if axis != 0:
            raise ValueError(f"{op}: axis must be 0 since a is one dimensional (got axis={axis!r})")
        if isinstance(a, (int, np.integer)) and not isinstance(a, bool):
            n, arr = int(a), None
            if n < 0:
                raise ValueError(f"{op}: a must be greater than 0 (got {n})")
        else:
            arr = a if isinstance(a, Array) else asarray(np.asarray(a))
            if arr.ndim != 1:
                raise ValueError(f"{op}: a must be one dimensional (got shape {arr.shape})")
            n = arr.shape[0]
        if p is not None:
            if isinstance(p, Array):
                raise NotImplementedError(f"{op}: tessera takes p as a NumPy array or list (it is needed to "
                                          "build the sampler), not a tessera array")
            p = np.asarray(p, dtype=np.float64)
            if p.ndim != 1:
                raise ValueError(f"{op}: p must be one dimensional (got shape {p.shape})")
            if p.shape[0] != n:
                raise ValueError(f"{op}: a and p must have the same size ({n} and {p.shape[0]})")
            if np.any(p < 0) or not np.all(np.isfinite(p)):
                raise ValueError(f"{op}: probabilities are not non-negative")
            if not np.isclose(p.sum(), 1, rtol=1e-7, atol=0):
                raise ValueError(f"{op}: probabilities do not sum to 1 (sum {p.sum()!r})")
        shape = _shape(size, op, "size", none_ok=True)
        total = int(np.prod(shape))
        if n == 0 and total:
            raise ValueError(f"{op}: a cannot be empty unless no samples are taken")
        core_chunks = to_core(chunks, shape, 8, op)
        if not replace:
            from ._creation import zeros

            resolved = zeros(shape, chunks=chunks).chunks  # lazy: only the chunk layout is read
            if any(len(c) > 1 for c in resolved):
                raise NotImplementedError(f"{op}: replace=False is not supported for a multi-chunk output "
                                          f"(as in dask.array); got chunks {resolved}")
            if total > n:
                raise ValueError(f"{op}: Cannot take a larger sample than population when replace=False "
                                 f"({total} > {n})")
            if p is not None and np.count_nonzero(p) < total:
                raise ValueError(f"{op}: Fewer non-zero entries in p than size")
            idx = self._host_rng(op).choice(n, size=shape, replace=False, p=p, shuffle=shuffle)
            idx = asarray(idx.astype(np.int64), chunks=-1)
        elif p is None:
            with named(op):
                idx = _wrap(self._make("integers")(0, max(n, 1), list(shape), "int64", core_chunks))
        else:
            cdf = np.cumsum(p)
            cdf /= cdf[-1]
            u = self._unit(shape, chunks, op)
            idx = map_blocks(lambda b: np.minimum(np.searchsorted(cdf, b, side="right"), n - 1).astype(np.int64),
                             u, dtype=np.int64, name=op)
        if arr is None:
            return idx
        from ._blockwise import blockwise

        # each block gathers from the whole of `a` (one block, as in Dask)
        ind = tuple(range(len(shape)))
        return blockwise(lambda i, v: v[i], ind, idx, ind, arr.rechunk(-1), ("a",), dtype=arr.dtype,
                         concatenate=True, name=op)

    # -- not offered -----------------------------------------------------------------------

    def _missing(name):
        def method(self, *args, **kwargs):
            raise NotImplementedError(f"{name}: tessera.random does not offer this distribution (dask.array does); "
                                      f"draw it with numpy inside map_blocks")
        method.__name__ = name
        return method

    for _n in ("hypergeometric", "logseries", "multivariate_hypergeometric", "vonmises", "zipf"):
        locals()[_n] = _missing(_n)
    del _n, _missing


for _rule, _base in (("nonneg_strict", "nonneg"), ("pos_strict", "pos")):
    # the rejection samplers refuse NaN as well (their loops would not end on it)
    _RULES[_rule] = (_RULES[_base][0], _RULES[_base][1] + " or {name} is NaN")


def _no_kwargs(op, kwargs):
    if kwargs:
        raise TypeError(f"{op}() got an unexpected keyword argument {next(iter(kwargs))!r}")


def _float_dtype(dtype, op, out=None, method=None):
    if out is not None:
        raise NotImplementedError(f"{op}: out= is not supported (tessera arrays are immutable)")
    if method not in (None, "zig", "inv"):
        raise ValueError(f"{op}: method must be 'zig' or 'inv', got {method!r}")
    d = np.dtype(dtype)
    if d not in (np.float64, np.float32):
        raise TypeError(f"{op}: Unsupported dtype {d!r} for {op}")
    return d.name


def _as(x, name):
    return x if name == "float64" else x.astype(name)
