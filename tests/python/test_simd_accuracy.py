"""Accuracy of tessera's vector math kernels against a high-precision reference (mpmath,
120 bits), and special values against NumPy.

Every floating ufunc is run on random inputs (uniform over its usual domain and log-uniform
over the whole float range) and its error measured in ulps of the exact result; each must
stay within the bound in ``MAX_ULPS`` (the figures in docs/simd-kernels.md come from
``SIMD_ACCURACY_N=200000 python tests/python/test_simd_accuracy.py``). Special values
(NaN, +-inf, +-0, subnormals, the overflow and underflow edges) must give NumPy's values.

``SIMD_ACCURACY_N`` sets the random inputs per function and dtype (default 1500 here;
``make test-accuracy`` runs 100000).
"""

import math
import os
import sys

import mpmath as mp
import numpy as np
import pytest

import tessera as da

mp.mp.prec = 120
N = int(os.environ.get("SIMD_ACCURACY_N", "1500"))


def _cbrt(x):
    return mp.sign(x) * mp.cbrt(abs(x))


# name -> (reference, domain of the uniform inputs, (float32, float64) ulp bound)
UNARY = {
    "exp": (mp.exp, (-745, 710), (1, 1)),
    "exp2": (lambda x: mp.power(2, x), (-1075, 1024), (1, 1)),
    "expm1": (mp.expm1, (-40, 710), (1, 2)),
    "log": (mp.log, (0, 100), (1, 1)),
    "log2": (lambda x: mp.log(x, 2), (0, 100), (1, 1)),
    "log10": (mp.log10, (0, 100), (1, 1)),
    "log1p": (mp.log1p, (-1, 100), (1, 2)),
    "sin": (mp.sin, (-100, 100), (1, 1)),
    "cos": (mp.cos, (-100, 100), (1, 1)),
    "tan": (mp.tan, (-100, 100), (1, 3)),
    "arcsin": (mp.asin, (-1, 1), (1, 1)),
    "arccos": (mp.acos, (-1, 1), (1, 1)),
    "arctan": (mp.atan, (-100, 100), (2, 2)),
    "sinh": (mp.sinh, (-720, 720), (2, 2)),
    "cosh": (mp.cosh, (-720, 720), (1, 2)),
    "tanh": (mp.tanh, (-20, 20), (2, 2)),
    "arcsinh": (mp.asinh, (-100, 100), (1, 2)),
    "arccosh": (mp.acosh, (1, 100), (1, 2)),
    "arctanh": (mp.atanh, (-1, 1), (2, 2)),
    "cbrt": (_cbrt, (-100, 100), (1, 1)),
}
BINARY = {
    "power": (mp.power, ((0, 10), (-40, 40)), (1, 1)),
    "arctan2": (mp.atan2, ((-10, 10), (-10, 10)), (3, 2)),
    "hypot": (mp.hypot, ((-10, 10), (-10, 10)), (1, 1)),
}
MAX_ULPS = {name: b for name, (_, _, b) in {**UNARY, **BINARY}.items()}

FLOATS = {"float32": (24, -126), "float64": (53, -1022)}


def ulps(got, exact, dtype):
    """|got - exact| in ulps of the exact value (below the normal range: of the smallest
    subnormal)."""
    p, emin = FLOATS[dtype]
    if exact == 0:
        e = emin
    else:
        _, e = mp.frexp(exact)
        e = max(int(e) - 1, emin)
    return float(abs(mp.mpf(float(got)) - exact) / mp.ldexp(1, e - (p - 1)))


def finite_max(dtype):
    return float(np.finfo(dtype).max)


def random_inputs(rng, dom, n, dtype):
    lo, hi = dom
    half = n // 2
    u = rng.uniform(lo, hi, half)
    # log-uniform magnitudes over the dtype's range, random signs
    fi = np.finfo(dtype)
    e = rng.uniform(math.log2(float(fi.smallest_subnormal)), math.log2(float(fi.max)), n - half)
    lu = np.exp2(e) * rng.choice([-1.0, 1.0], n - half)
    with np.errstate(over="ignore"):
        return np.concatenate([u, lu]).astype(dtype)


def tessera_fn(name):
    try:
        return getattr(da, name)
    except AttributeError:
        return None


def compute(name, *arrays):
    f = tessera_fn(name)
    return np.asarray(f(*[da.from_array(a, chunks=max(1, len(a) // 3)) for a in arrays]).compute())


def measure(name, dtype, n, seed=0):
    """(max ulps of tessera, max ulps of NumPy, worst input) over `n` random inputs."""
    rng = np.random.default_rng(seed + sum(map(ord, name)))
    if name in UNARY:
        ref, dom, _ = UNARY[name]
        x = random_inputs(rng, dom, n, dtype)
        args = (x,)
    else:
        ref, (d1, d2), _ = BINARY[name]
        x = random_inputs(rng, d1, n, dtype)
        y = random_inputs(rng, d2, n, dtype)
        if name == "power":
            # positive bases, and negative bases with integer exponents
            x = np.abs(x)
            neg = rng.random(n) < 0.2
            x[neg] = -x[neg]
            y[neg] = np.round(y[neg])
            y = np.clip(y, -2000, 2000).astype(dtype)
        args = (x, y)
    got = compute(name, *args)
    with np.errstate(all="ignore"):
        want_np = getattr(np, name)(*args)
    worst, worst_np, at = 0.0, 0.0, None
    big = finite_max(dtype)
    for i in range(n):
        a = [mp.mpf(float(v[i])) for v in args]
        if any(mp.isnan(v) or mp.isinf(v) for v in a):
            continue
        try:
            exact = ref(*a)
        except (ValueError, ZeroDivisionError):
            continue
        if isinstance(exact, mp.mpc) or mp.isnan(exact):
            assert np.isnan(got[i]), (name, dtype, args_at(args, i), got[i])
            continue
        if abs(exact) > big:
            # overflow: NumPy's inf (or the largest finite when it rounds down)
            assert got[i] == want_np[i] or (np.isinf(got[i]) and np.isinf(want_np[i])), (name, args_at(args, i), got[i], want_np[i])
            continue
        if not np.isfinite(got[i]):
            # rounding up to overflow at the very edge
            assert abs(exact) > big * (1 - 2.0 ** -FLOATS[dtype][0]), (name, dtype, args_at(args, i), got[i], exact)
            continue
        u = ulps(got[i], exact, dtype)
        if u > worst:
            worst, at = u, args_at(args, i)
        if np.isfinite(want_np[i]):
            worst_np = max(worst_np, ulps(want_np[i], exact, dtype))
    return worst, worst_np, at


def args_at(args, i):
    return tuple(float(a[i]) for a in args)


def available():
    return [n for n in list(UNARY) + list(BINARY) if tessera_fn(n) is not None]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", available())
def test_within_stated_ulps(name, dtype):
    worst, worst_np, at = measure(name, dtype, N)
    bound = MAX_ULPS[name][0 if dtype == "float32" else 1]
    assert worst <= bound, f"{name} {dtype}: {worst:.3f} ulps at {at} (bound {bound}; NumPy {worst_np:.3f})"


def special_inputs(dtype):
    fi = np.finfo(dtype)
    vals = [0.0, -0.0, np.nan, np.inf, -np.inf, 1.0, -1.0, 0.5, -0.5, 2.0, -2.0,
            float(fi.max), -float(fi.max), float(fi.tiny), -float(fi.tiny),
            float(fi.smallest_subnormal), -float(fi.smallest_subnormal), float(fi.tiny) / 3,
            float(fi.eps), 1e-30, -1e-30, 88.72, 88.73, -87.3, -103.9, -104.0, 709.78, 709.79,
            -708.4, -745.1, -745.2, 710.5, 1e6, -1e6, 1e22, 3.0e38, 1e300, 1024.0, -1075.0,
            np.pi / 2, np.pi, 22.0, 0.975, 1.0000001, 0.9999999]
    with np.errstate(over="ignore"):
        return np.array(vals, dtype="float64").astype(dtype)


def same(a, b):
    return (a == b and np.signbit(a) == np.signbit(b)) or (np.isnan(a) and np.isnan(b))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", available())
def test_special_values_like_numpy(name, dtype):
    x = special_inputs(dtype)
    if name in UNARY:
        pairs = [(x,)]
    else:
        a = np.repeat(x, len(x))
        b = np.tile(x, len(x))
        pairs = [(a, b)]
    for args in pairs:
        got = compute(name, *args)
        with np.errstate(all="ignore"):
            want = getattr(np, name)(*args)
        for i in range(len(got)):
            g, w = got[i], want[i]
            # Specials: exactly NumPy's value; elsewhere the accuracy bound applies (NumPy's
            # own result may be an ulp away from the correctly rounded one).
            special = any(not np.isfinite(v[i]) or v[i] == 0 or abs(v[i]) < np.finfo(dtype).tiny for v in args) \
                or not np.isfinite(w) or w == 0 or abs(w) < np.finfo(dtype).tiny
            exact_needed = any(not np.isfinite(v[i]) or v[i] == 0 for v in args) or not np.isfinite(w) or w == 0
            if special and not exact_needed:
                # A subnormal argument or result: the same or the neighbouring float (NumPy's
                # SIMD loops, SVML on AVX-512, are not always correctly rounded there and
                # differ from its own libm loops; the mpmath test above checks ours).
                assert abs(int(g.view(np.int32 if dtype == "float32" else np.int64))
                           - int(w.view(np.int32 if dtype == "float32" else np.int64))) <= 1, \
                    f"{name}{args_at(args, i)} {dtype}: {g!r}, NumPy {w!r}"
            elif special:
                assert same(g, w), f"{name}{args_at(args, i)} {dtype}: {g!r}, NumPy {w!r}"


def report(n):
    """Prints the per-function table for docs/simd-kernels.md."""
    print(f"| function | float32 max ulps | NumPy float32 | float64 max ulps | NumPy float64 |  ({n} inputs each)")
    print("|---|---|---|---|---|")
    for name in available():
        cells = []
        for dtype in ("float32", "float64"):
            w, wn, _ = measure(name, dtype, n)
            cells += [f"{w:.2f}", f"{wn:.2f}"]
        print(f"| {name} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    report(int(sys.argv[1]) if len(sys.argv) > 1 else N)
