"""Samplers for the distributions that are not one transform of a uniform or a normal
(rejection methods: gamma, Poisson, binomial and what is built on them).

Each element draws from its own counter-based stream: a splitmix64 sequence started at the
element's 64-bit key, the key being a value of tessera's Philox stream at the element's
position. So a value depends only on (seed, stream, position) and the parameters, never on
the chunking or the thread count, however many tries its rejection loop takes.
"""

from __future__ import annotations

import math
import threading

import numpy as np

#: Held while a block is sampled (see ``_random_dists.Distributions._blocks``).
SAMPLER_LOCK = threading.Lock()

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)

def _lgamma(x):
    """lgamma for the last test of PTRS/BTRS (a minority of draws): scipy's where present,
    imported on first use (at ``import tessera`` it would cost ~35 MB and the import time)."""
    try:
        from scipy.special import gammaln
    except ImportError:  # pragma: no cover - scipy is optional
        return np.frompyfunc(math.lgamma, 1, 1)(x).astype(np.float64)
    return gammaln(x)


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


def standard_gamma(st, a, z0=None, u0=None):
    """Gamma(a, 1) for the flat parameter array `a` (a >= 0): Marsaglia and Tsang's method,
    with ``G(a) = G(a + 1) U^(1/a)`` for a < 1. The first try of every element takes its
    normal and uniform from `z0`, `u0` when given (tessera's streams, fast); later tries
    and the boost draw from the element's own stream."""
    n = a.size
    out = np.zeros(n)
    small = a < 1
    aa = np.where(small, a + 1.0, a)
    d = aa - 1.0 / 3.0
    c = 1.0 / np.sqrt(9.0 * d)
    if z0 is not None:
        # first try of every element at once, without gathers (a == 0 never accepts: NaN d);
        # in place, with scalars when the block has one shape (the common case)
        one = a.size and a.min() == a.max()
        d1, c1 = (d[0], c[0]) if one else (d, c)
        with np.errstate(invalid="ignore", divide="ignore"):
            v = z0 * c1
            v += 1.0
            ok = v > 0
            np.maximum(v, 1e-300, out=v)  # rejected anyway where v <= 0; keeps the log finite
            v3 = v * v
            v3 *= v
            rhs = np.log(v3)
            rhs -= v3
            rhs += 1.0
            rhs *= d1
            zz = z0 * z0
            zz *= 0.5
            rhs += zz
            acc = np.log(u0) < rhs
            acc &= ok
            v3 *= d1
            out = np.where(acc, v3, 0.0)
        todo = np.flatnonzero(~acc & (a > 0))
    else:
        todo = np.flatnonzero(a > 0)
    while todo.size:
        x, u = st.normal(todo), st.uniform(todo)
        dt = d[todo]
        v = 1.0 + c[todo] * x
        ok = v > 0
        v = np.where(ok, v, 1.0)
        v3 = v * v * v
        with np.errstate(divide="ignore"):
            acc = ok & (np.log(u) < 0.5 * x * x + dt - dt * v3 + dt * np.log(v3))
        out[todo[acc]] = dt[acc] * v3[acc]
        todo = todo[~acc]
    boost = np.flatnonzero(small & (a > 0))
    if boost.size:
        out[boost] *= st.uniform(boost) ** (1.0 / a[boost])
    return out


def poisson(st, lam, u0=None, u1=None):
    """Poisson(lam) for the flat array `lam` (lam >= 0): inversion of the CDF below 10 (one
    uniform), Hörmann's PTRS (as NumPy) above. `u0`, `u1`: the first try's uniforms (else
    from the element's stream)."""
    out = np.zeros(lam.size, dtype=np.int64)
    todo = np.flatnonzero((lam > 0) & (lam < 10))
    if todo.size:
        u = u0[todo] if u0 is not None else st.uniform(todo)
        lt = lam[todo]
        if lt.min() == lt.max():
            # one parameter: the CDF once, then a search (the same k as the loop below)
            l0 = float(lt[0])
            kmax = int(l0 + 40.0 * np.sqrt(l0) + 40.0)
            pk = np.exp(-l0) * np.cumprod(np.concatenate([[1.0], l0 / np.arange(1, kmax + 1)]))
            out[todo] = np.minimum(np.searchsorted(np.cumsum(pk), u, side="left"), kmax)
            todo = todo[:0]
        pk = np.exp(-lt)
        cdf = pk.copy()
        k = 0
        while todo.size:
            more = (u > cdf) & (pk > 0)
            out[todo[~more]] = k
            todo, u, lt, pk, cdf = todo[more], u[more], lt[more], pk[more], cdf[more]
            k += 1
            pk = pk * lt / k
            cdf = cdf + pk
    todo = np.flatnonzero(lam >= 10)
    if todo.size:
        lt = lam[todo]
        slam, loglam = np.sqrt(lt), np.log(lt)
        b = 0.931 + 2.53 * slam
        a = -0.059 + 0.02483 * b
        invalpha = 1.1239 + 1.1328 / (b - 3.4)
        vr = 0.9277 - 3.6224 / (b - 2.0)
        sel = np.arange(todo.size)
        first = u0 is not None
        while sel.size:
            if first:
                u, v = u0[todo] - 0.5, u1[todo]
                first = False
            else:
                u, v = st.uniform(todo[sel]) - 0.5, st.uniform(todo[sel])
            us = 0.5 - np.abs(u)
            with np.errstate(divide="ignore"):
                kk = np.floor((2.0 * a[sel] / us + b[sel]) * u + lt[sel] + 0.43)
            acc = (us >= 0.07) & (v <= vr[sel])
            rej = ~acc & ((kk < 0) | ((us < 0.013) & (v > us)))
            test = ~acc & ~rej
            if test.any():
                t = np.flatnonzero(test)
                s = sel[t]
                kt = kk[t]
                with np.errstate(divide="ignore"):
                    lhs = np.log(v[t]) + np.log(invalpha[s]) - np.log(a[s] / (us[t] * us[t]) + b[s])
                acc[t] = lhs <= -lt[s] + kt * loglam[s] - _lgamma(kt + 1.0)
            out[todo[sel[acc]]] = kk[acc].astype(np.int64)
            sel = sel[~acc]
    return out


def binomial(st, n, p, u0=None, u1=None):
    """Binomial(n, p) for flat arrays (n >= 0 integers, 0 <= p <= 1): for p > 1/2,
    n - Binomial(n, 1 - p); below n p = 10 inversion of the CDF (one uniform), above
    Hörmann's BTRS. `u0`, `u1`: the first try's uniforms (else from the element's stream)."""
    out = np.zeros(n.size, dtype=np.int64)
    flip = p > 0.5
    q = np.where(flip, 1.0 - p, p)
    nf = n.astype(np.float64)
    mean = nf * q
    todo = np.flatnonzero((q > 0) & (n > 0) & (mean < 10))
    if todo.size:
        u = u0[todo] if u0 is not None else st.uniform(todo)
        nt, qt = nf[todo], q[todo]
        if nt.min() == nt.max() and qt.min() == qt.max():
            # one parameter pair: the CDF once, then a search (the same k as the loop below)
            n0, q0 = float(nt[0]), float(qt[0])
            kmax = int(min(n0, n0 * q0 + 40.0 * np.sqrt(n0 * q0) + 40.0))
            j = np.arange(1, kmax + 1)
            pk = np.exp(n0 * np.log1p(-q0)) * np.cumprod(np.concatenate([[1.0], (q0 / (1.0 - q0)) * (n0 - j + 1) / j]))
            out[todo] = np.minimum(np.searchsorted(np.cumsum(pk), u, side="left"), kmax)
            todo = todo[:0]
        r = qt / (1.0 - qt)
        pk = np.exp(nt * np.log1p(-qt))
        cdf = pk.copy()
        k = 0
        while todo.size:
            more = (u > cdf) & (pk > 0) & (k < nt)
            out[todo[~more]] = k
            todo, u, nt, r, pk, cdf = todo[more], u[more], nt[more], r[more], pk[more], cdf[more]
            k += 1
            pk = pk * r * (nt - k + 1) / k
            cdf = cdf + pk
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
        if nt.min() == nt.max() and pt.min() == pt.max():  # one pair: lgamma once
            h = np.full(nt.shape, _lgamma(m[:1] + 1.0)[0] + _lgamma(nt[:1] - m[:1] + 1.0)[0])
        else:
            h = _lgamma(m + 1.0) + _lgamma(nt - m + 1.0)
        sel = np.arange(todo.size)
        first = u0 is not None
        while sel.size:
            if first:
                u, v = u0[todo] - 0.5, u1[todo]
                first = False
            else:
                u, v = st.uniform(todo[sel]) - 0.5, st.uniform(todo[sel])
            us = 0.5 - np.abs(u)
            with np.errstate(divide="ignore"):
                kk = np.floor((2.0 * a[sel] / us + b[sel]) * u + c[sel])
            valid = (kk >= 0) & (kk <= nt[sel])
            acc = valid & (us >= 0.07) & (v <= vr[sel])
            test = valid & ~acc
            if test.any():
                t = np.flatnonzero(test)
                s = sel[t]
                kt = kk[t]
                with np.errstate(divide="ignore"):
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


def block_standard_gamma(keys, z, u, shape, scale=1.0):
    a = _flat(shape, keys.shape)
    _check(a >= 0, "gamma", "shape < 0 (or NaN)")
    s = _flat(scale, keys.shape)
    _check(s >= 0, "gamma", "scale < 0 (or NaN)")
    return (standard_gamma(Streams(keys), a, z.ravel(), u.ravel()) * s).reshape(keys.shape)


def block_chisquare(keys, z, u, df):
    df = _flat(df, keys.shape)
    _check(df > 0, "chisquare", "df <= 0 (or NaN)")
    return (2.0 * standard_gamma(Streams(keys), df / 2.0, z.ravel(), u.ravel())).reshape(keys.shape)


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


def block_poisson(keys, u0, u1, lam):
    lam = _flat(lam, keys.shape)
    _check(lam >= 0, "poisson", "lam < 0 (or NaN)")
    _check(lam <= POISSON_LAM_MAX, "poisson", "lam value too large")
    return poisson(Streams(keys), lam, u0.ravel(), u1.ravel()).reshape(keys.shape)


def block_binomial(keys, u0, u1, n, p):
    nn = np.broadcast_to(np.asarray(n), keys.shape).ravel()
    if nn.dtype.kind == "f":
        nn = np.trunc(nn)  # NumPy truncates float n
    _check(nn >= 0, "binomial", "n < 0")
    nn = nn.astype(np.int64)
    p = _flat(p, keys.shape)
    _check((p >= 0) & (p <= 1), "binomial", "p < 0, p > 1 or p is NaN")
    return binomial(Streams(keys), nn, p, u0.ravel(), u1.ravel()).reshape(keys.shape)


def block_negative_binomial(keys, n, p):
    n, p = _flat(n, keys.shape), _flat(p, keys.shape)
    _check(n > 0, "negative_binomial", "n <= 0 (or NaN)")
    _check((p > 0) & (p <= 1), "negative_binomial", "p <= 0, p > 1 or p is NaN")
    st = Streams(keys)
    y = standard_gamma(st, n) * ((1.0 - p) / p)
    _check(y <= POISSON_LAM_MAX, "negative_binomial", "the gamma-Poisson mixture's rate is too large")
    return poisson(st, y).reshape(keys.shape)


def noncentral_chisquare(st, df, nonc):
    """NumPy's construction: chi2(df) for nonc = 0; chi2(df - 1) + (N + sqrt(nonc))^2 for
    df > 1; chi2(df + 2 Poisson(nonc / 2)) otherwise. Each branch draws from its elements'
    own streams."""
    out = np.empty(df.size)
    for sel, kind in ((np.flatnonzero(nonc == 0), 0), (np.flatnonzero((nonc > 0) & (df > 1)), 1),
                      (np.flatnonzero((nonc > 0) & (df <= 1)), 2)):
        if not sel.size:
            continue
        s = _sub(st, sel)
        d, lam = df[sel], nonc[sel]
        if kind == 0:
            out[sel] = 2.0 * standard_gamma(s, d / 2.0)
        elif kind == 1:
            g = 2.0 * standard_gamma(s, (d - 1.0) / 2.0)
            z = s.normal(np.arange(sel.size))
            out[sel] = g + (z + np.sqrt(lam)) ** 2
        else:
            i = poisson(s, lam / 2.0)
            out[sel] = 2.0 * standard_gamma(s, d / 2.0 + i)
        st.s[sel] = s.s
    return out


def _check_nc(df, nonc, op, dfname="df"):
    _check(df > 0, op, f"{dfname} <= 0 (or NaN)")
    _check(nonc >= 0, op, "nonc < 0 (or NaN)")
    _check(nonc / 2.0 <= POISSON_LAM_MAX, op, "nonc value too large")


def block_noncentral_chisquare(keys, df, nonc):
    df, nonc = _flat(df, keys.shape), _flat(nonc, keys.shape)
    _check_nc(df, nonc, "noncentral_chisquare")
    return noncentral_chisquare(Streams(keys), df, nonc).reshape(keys.shape)


def block_noncentral_f(keys, dfnum, dfden, nonc):
    d1, d2, nonc = _flat(dfnum, keys.shape), _flat(dfden, keys.shape), _flat(nonc, keys.shape)
    _check_nc(d1, nonc, "noncentral_f", "dfnum")
    _check(d2 > 0, "noncentral_f", "dfden <= 0 (or NaN)")
    st = Streams(keys)
    t = noncentral_chisquare(st, d1, nonc) * d2
    with np.errstate(divide="ignore", invalid="ignore"):
        return (t / (2.0 * standard_gamma(st, d2 / 2.0) * d1)).reshape(keys.shape)


def block_multinomial(keys, n, pvals):
    """Counts of ``n`` draws over ``len(pvals)`` outcomes per element: conditional binomials
    (as NumPy), on a new last axis."""
    st = Streams(keys)
    size = keys.size
    k = len(pvals)
    out = np.zeros((size, k), dtype=np.int64)
    left = np.full(size, n, dtype=np.int64)
    rest = 1.0
    for j in range(k - 1):
        p = 0.0 if rest <= 0 else min(max(pvals[j] / rest, 0.0), 1.0)
        x = binomial(st, left, np.full(size, p))
        out[:, j] = x
        left = left - x
        rest -= pvals[j]
    out[:, k - 1] = left
    return out.reshape(keys.shape + (k,))
