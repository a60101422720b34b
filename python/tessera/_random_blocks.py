"""Samplers for the distributions that are not one transform of a uniform or a normal
(rejection methods: gamma, Poisson, binomial and what is built on them).

Each element draws from its own counter-based stream: a splitmix64 sequence started at the
element's 64-bit key, the key being a value of tessera's Philox stream at the element's
position. So a value depends only on (seed, stream, position) and the parameters, never on
the chunking or the thread count, however many tries its rejection loop takes.
"""

from __future__ import annotations

import math

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)

try:  # lgamma for the last test of PTRS/BTRS (a minority of draws)
    from scipy.special import gammaln as _lgamma
except ImportError:  # pragma: no cover - scipy is optional
    _lgamma_u = np.frompyfunc(math.lgamma, 1, 1)

    def _lgamma(x):
        return _lgamma_u(x).astype(np.float64)


class Streams:
    """One splitmix64 stream per element of a block (flat)."""

    def __init__(self, keys):
        self.s = np.ascontiguousarray(keys, dtype=np.int64).view(np.uint64).ravel().copy()

    def uniform(self, idx):
        """Next uniform in the open interval (0, 1) of the streams at `idx`."""
        s = self.s[idx] + _GOLDEN
        self.s[idx] = s
        z = (s ^ (s >> np.uint64(30))) * _M1
        z = (z ^ (z >> np.uint64(27))) * _M2
        z ^= z >> np.uint64(31)
        return ((z >> np.uint64(12)).astype(np.float64) + 0.5) * 2.0**-52

    def normal(self, idx):
        u1, u2 = self.uniform(idx), self.uniform(idx)
        return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)


def standard_gamma(st, a):
    """Gamma(a, 1) for the flat parameter array `a` (a >= 0): Marsaglia and Tsang's method,
    with ``G(a) = G(a + 1) U^(1/a)`` for a < 1."""
    n = a.size
    out = np.zeros(n)
    small = a < 1
    aa = np.where(small, a + 1.0, a)
    d = aa - 1.0 / 3.0
    c = 1.0 / np.sqrt(9.0 * d)
    todo = np.flatnonzero(a > 0)
    while todo.size:
        x = st.normal(todo)
        u = st.uniform(todo)
        dt = d[todo]
        v = 1.0 + c[todo] * x
        ok = v > 0
        v3 = np.where(ok, v, 1.0) ** 3
        acc = ok & (np.log(u) < 0.5 * x * x + dt - dt * v3 + dt * np.log(v3))
        out[todo[acc]] = dt[acc] * v3[acc]
        todo = todo[~acc]
    boost = np.flatnonzero(small & (a > 0))
    if boost.size:
        out[boost] *= st.uniform(boost) ** (1.0 / a[boost])
    return out


def poisson(st, lam):
    """Poisson(lam) for the flat array `lam` (lam >= 0): multiplication of uniforms below 10,
    Hörmann's PTRS (as NumPy) above."""
    out = np.zeros(lam.size, dtype=np.int64)
    # small: count uniforms until their product drops below exp(-lam)
    todo = np.flatnonzero((lam > 0) & (lam < 10))
    limit = np.exp(-lam[todo])
    prod = st.uniform(todo)
    k = np.zeros(todo.size, dtype=np.int64)
    while todo.size:
        more = prod > limit
        out[todo[~more]] = k[~more]
        todo, limit, prod, k = todo[more], limit[more], prod[more], k[more] + 1
        prod = prod * st.uniform(todo)
    todo = np.flatnonzero(lam >= 10)
    if todo.size:
        lt = lam[todo]
        slam, loglam = np.sqrt(lt), np.log(lt)
        b = 0.931 + 2.53 * slam
        a = -0.059 + 0.02483 * b
        invalpha = 1.1239 + 1.1328 / (b - 3.4)
        vr = 0.9277 - 3.6224 / (b - 2.0)
        sel = np.arange(todo.size)
        while sel.size:
            u = st.uniform(todo[sel]) - 0.5
            v = st.uniform(todo[sel])
            us = 0.5 - np.abs(u)
            kk = np.floor((2.0 * a[sel] / us + b[sel]) * u + lt[sel] + 0.43)
            acc = (us >= 0.07) & (v <= vr[sel])
            rej = ~acc & ((kk < 0) | ((us < 0.013) & (v > us)))
            test = ~acc & ~rej
            if test.any():
                t = np.flatnonzero(test)
                s = sel[t]
                kt = kk[t]
                lhs = np.log(v[t]) + np.log(invalpha[s]) - np.log(a[s] / (us[t] * us[t]) + b[s])
                acc[t] = lhs <= -lt[s] + kt * loglam[s] - _lgamma(kt + 1.0)
            out[todo[sel[acc]]] = kk[acc].astype(np.int64)
            sel = sel[~acc]
    return out


def binomial(st, n, p):
    """Binomial(n, p) for flat arrays (n >= 0 integers, 0 <= p <= 1): for p > 1/2,
    n - Binomial(n, 1 - p); below n p = 10 geometric waiting times, above Hörmann's BTRS."""
    out = np.zeros(n.size, dtype=np.int64)
    flip = p > 0.5
    q = np.where(flip, 1.0 - p, p)
    nf = n.astype(np.float64)
    mean = nf * q
    todo = np.flatnonzero((q > 0) & (n > 0) & (mean < 10))
    lq = np.log1p(-q[todo])
    pos = np.zeros(todo.size)
    k = np.zeros(todo.size, dtype=np.int64)
    while todo.size:
        pos = pos + np.ceil(np.log(st.uniform(todo)) / lq)
        more = pos <= nf[todo]
        out[todo[~more]] = k[~more]
        todo, lq, pos, k = todo[more], lq[more], pos[more], k[more] + 1
    todo = np.flatnonzero((q > 0) & (mean >= 10))
    if todo.size:
        nt, pt = nf[todo], q[todo]
        spq = np.sqrt(nt * pt * (1.0 - pt))
        b = 1.15 + 2.53 * spq
        a = -0.0873 + 0.0248 * b + 0.01 * pt
        c = nt * pt + 0.5
        vr = 0.92 - 4.2 / b
        alpha = (2.83 + 5.1 / b) * spq
        lpq = np.log(pt / (1.0 - pt))
        m = np.floor((nt + 1.0) * pt)
        h = _lgamma(m + 1.0) + _lgamma(nt - m + 1.0)
        sel = np.arange(todo.size)
        while sel.size:
            u = st.uniform(todo[sel]) - 0.5
            v = st.uniform(todo[sel])
            us = 0.5 - np.abs(u)
            kk = np.floor((2.0 * a[sel] / us + b[sel]) * u + c[sel])
            valid = (kk >= 0) & (kk <= nt[sel])
            acc = valid & (us >= 0.07) & (v <= vr[sel])
            test = valid & ~acc
            if test.any():
                t = np.flatnonzero(test)
                s = sel[t]
                kt = kk[t]
                lv = np.log(v[t] * alpha[s] / (a[s] / (us[t] * us[t]) + b[s]))
                acc[t] = lv <= h[s] - _lgamma(kt + 1.0) - _lgamma(nt[s] - kt + 1.0) + (kt - m[s]) * lpq[s]
            out[todo[sel[acc]]] = kk[acc].astype(np.int64)
            sel = sel[~acc]
    return np.where(flip, n - out, out)


def beta(st, a, b):
    """Beta(a, b): Jöhnk's method when both are at most 1 (as NumPy), else a ratio of gammas."""
    out = np.empty(a.size)
    small = (a <= 1) & (b <= 1)
    todo = np.flatnonzero(small)
    while todo.size:
        u, v = st.uniform(todo), st.uniform(todo)
        at, bt = a[todo], b[todo]
        x, y = u ** (1.0 / at), v ** (1.0 / bt)
        s = x + y
        acc = s <= 1.0
        with np.errstate(invalid="ignore", divide="ignore"):
            r = x / s
            # both powers underflowed: the ratio from logarithms
            lx, ly = np.log(u) / at, np.log(v) / bt
            lm = np.maximum(lx, ly)
            lx, ly = lx - lm, ly - lm
            r = np.where(s > 0, r, np.exp(lx - np.log(np.exp(lx) + np.exp(ly))))
        out[todo[acc]] = r[acc]
        todo = todo[~acc]
    big = np.flatnonzero(~small)
    if big.size:
        sub = _sub(st, big)
        ga = standard_gamma(sub, a[big])
        gb = standard_gamma(sub, b[big])
        st.s[big] = sub.s
        out[big] = ga / (ga + gb)
    return out


def _sub(st, idx):
    """The streams at `idx` as a `Streams` of their own (write `.s` back after use)."""
    s = Streams.__new__(Streams)
    s.s = st.s[idx]
    return s


# -- the block functions: keys block + parameter blocks (broadcast to the block) -> sample


def _flat(p, shape):
    return np.broadcast_to(np.asarray(p, dtype=np.float64), shape).ravel()


def _check(ok, op, msg):
    if not np.all(ok):
        raise ValueError(f"{op}: {msg}")


def block_standard_gamma(keys, shape, scale=1.0):
    a = _flat(shape, keys.shape)
    _check(a >= 0, "gamma", "shape < 0 (or NaN)")
    s = _flat(scale, keys.shape)
    _check(s >= 0, "gamma", "scale < 0 (or NaN)")
    return (standard_gamma(Streams(keys), a) * s).reshape(keys.shape)


def block_chisquare(keys, df):
    df = _flat(df, keys.shape)
    _check(df > 0, "chisquare", "df <= 0 (or NaN)")
    return (2.0 * standard_gamma(Streams(keys), df / 2.0)).reshape(keys.shape)


def block_standard_t(keys, df):
    df = _flat(df, keys.shape)
    _check(df > 0, "standard_t", "df <= 0 (or NaN)")
    st = Streams(keys)
    idx = np.arange(df.size)
    z = st.normal(idx)
    g = standard_gamma(st, df / 2.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (np.sqrt(df / 2.0) * z / np.sqrt(g)).reshape(keys.shape)


def block_f(keys, dfnum, dfden):
    d1, d2 = _flat(dfnum, keys.shape), _flat(dfden, keys.shape)
    _check(d1 > 0, "f", "dfnum <= 0 (or NaN)")
    _check(d2 > 0, "f", "dfden <= 0 (or NaN)")
    st = Streams(keys)
    x = 2.0 * standard_gamma(st, d1 / 2.0) / d1
    y = 2.0 * standard_gamma(st, d2 / 2.0) / d2
    with np.errstate(divide="ignore", invalid="ignore"):
        return (x / y).reshape(keys.shape)


def block_beta(keys, a, b):
    a, b = _flat(a, keys.shape), _flat(b, keys.shape)
    _check(a > 0, "beta", "a <= 0 (or NaN)")
    _check(b > 0, "beta", "b <= 0 (or NaN)")
    return beta(Streams(keys), a, b).reshape(keys.shape)


# NumPy's limit: beyond it the normal approximation inside PTRS breaks down
POISSON_LAM_MAX = float(np.iinfo(np.int64).max - np.sqrt(np.iinfo(np.int64).max) * 10)


def block_poisson(keys, lam):
    lam = _flat(lam, keys.shape)
    _check(lam >= 0, "poisson", "lam < 0 (or NaN)")
    _check(lam <= POISSON_LAM_MAX, "poisson", "lam value too large")
    return poisson(Streams(keys), lam).reshape(keys.shape)


def block_binomial(keys, n, p):
    nn = np.broadcast_to(np.asarray(n), keys.shape).ravel()
    if nn.dtype.kind == "f":
        nn = np.trunc(nn)  # NumPy truncates float n
    _check(nn >= 0, "binomial", "n < 0")
    nn = nn.astype(np.int64)
    p = _flat(p, keys.shape)
    _check((p >= 0) & (p <= 1), "binomial", "p < 0, p > 1 or p is NaN")
    return binomial(Streams(keys), nn, p).reshape(keys.shape)


def block_negative_binomial(keys, n, p):
    n, p = _flat(n, keys.shape), _flat(p, keys.shape)
    _check(n > 0, "negative_binomial", "n <= 0 (or NaN)")
    _check((p > 0) & (p <= 1), "negative_binomial", "p <= 0, p > 1 or p is NaN")
    st = Streams(keys)
    y = standard_gamma(st, n) * ((1.0 - p) / p)
    _check(y <= POISSON_LAM_MAX, "negative_binomial", "the gamma-Poisson mixture's rate is too large")
    return poisson(st, y).reshape(keys.shape)
