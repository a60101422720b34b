"""Statistical functions and tests, following ``scipy.stats`` as ``dask.array.stats`` does.

The statistics are lazy tessera arrays built from reductions; p-values come from scipy's
distributions, applied per block (``map_blocks``), so they stay lazy too. Where Dask
returns a ``Delayed`` of the result tuple, tessera returns the tuple itself (of lazy
arrays) with a ``compute()`` method that gives the tuple of NumPy results, so both
``res.compute()`` and ``stat, p = res`` work. ``skew``, ``kurtosis`` and ``moment`` need no
scipy; the tests raise ``ImportError`` naming the function when scipy is missing.
``skew``/``kurtosis`` take ``bias=False`` (Dask raises ``NotImplementedError``).
"""

from __future__ import annotations

import math
from collections import namedtuple

import numpy as np

from ._array import to_array
from ._blockwise import map_blocks
from ._creation import where
from ._statistics import moment as _moment

__all__ = [
    "ttest_ind",
    "ttest_1samp",
    "ttest_rel",
    "chisquare",
    "power_divergence",
    "skew",
    "skewtest",
    "kurtosis",
    "kurtosistest",
    "normaltest",
    "f_oneway",
    "moment",
]

_power_div_lambda_names = {
    "pearson": 1,
    "log-likelihood": 0,
    "freeman-tukey": -0.5,
    "mod-log-likelihood": -1,
    "neyman": -2,
    "cressie-read": 2 / 3,
}


def _result(name, fields):
    base = namedtuple(name, fields)

    def compute(self, **kwargs):
        from ._creation import compute as _compute

        return base(*_compute(*self, **kwargs))

    return type(name, (base,), {"__slots__": (), "compute": compute})


F_onewayResult = _result("F_onewayResult", ("statistic", "pvalue"))
KurtosistestResult = _result("KurtosistestResult", ("statistic", "pvalue"))
NormaltestResult = _result("NormaltestResult", ("statistic", "pvalue"))
Power_divergenceResult = _result("Power_divergenceResult", ("statistic", "pvalue"))
SkewtestResult = _result("SkewtestResult", ("statistic", "pvalue"))
Ttest_1sampResult = _result("Ttest_1sampResult", ("statistic", "pvalue"))
Ttest_indResult = _result("Ttest_indResult", ("statistic", "pvalue"))
Ttest_relResult = _result("Ttest_relResult", ("statistic", "pvalue"))


def _scipy(op):
    try:
        from scipy import special
        from scipy.stats import distributions
    except ImportError as e:
        raise ImportError(f"tessera.stats.{op} requires scipy to be installed") from e
    return special, distributions


def _nan_policy(nan_policy, op):
    if nan_policy != "propagate":
        raise NotImplementedError(f"{op}: nan_policy={nan_policy!r} is not implemented (only 'propagate')")


def _axis(a, axis, op):
    from ._reduction import validate_axis

    return validate_axis(axis, a.ndim, op)[0] if axis is not None else None


def _per_block(f, *arrays, dtype=np.float64):
    """`f` of aligned arrays, block by block (scipy's distributions)."""
    arrays = [to_array(x) for x in arrays]
    return map_blocks(lambda *b: np.asarray(f(*b), dtype=dtype), *arrays, dtype=dtype)


def _ttest_finish(df, t, op):
    _, distributions = _scipy(op)
    if isinstance(df, (int, float)):
        prob = _per_block(lambda tb: distributions.t.sf(np.abs(tb), df) * 2, t)
    else:
        prob = _per_block(lambda tb, db: distributions.t.sf(np.abs(tb), db) * 2, t, df)
    return t, prob


def ttest_ind(a, b, axis=0, equal_var=True):
    """``scipy.stats.ttest_ind``: Student's (or Welch's) t-test of two independent samples."""
    op = "ttest_ind"
    _scipy(op)
    a, b = to_array(a, op), to_array(b, op)
    axis = _axis(a, axis, op)
    v1, v2 = a.var(axis=axis, ddof=1), b.var(axis=axis, ddof=1)
    n1, n2 = a.shape[axis], b.shape[axis]
    if equal_var:
        df = n1 + n2 - 2.0
        svar = ((n1 - 1) * v1 + (n2 - 1) * v2) / df
        denom = (svar * (1.0 / n1 + 1.0 / n2)) ** 0.5
    else:
        vn1, vn2 = v1 / n1, v2 / n2
        df = (vn1 + vn2) ** 2 / (vn1**2 / (n1 - 1) + vn2**2 / (n2 - 1))
        # undefined df: both variances are zero, and any df will do
        df = where(df != df, 1.0, df)
        denom = (vn1 + vn2) ** 0.5
    t = (a.mean(axis=axis) - b.mean(axis=axis)) / denom
    return Ttest_indResult(*_ttest_finish(df, t, op))


def ttest_1samp(a, popmean, axis=0, nan_policy="propagate"):
    """``scipy.stats.ttest_1samp``: the t-test of a sample's mean against `popmean`."""
    op = "ttest_1samp"
    _nan_policy(nan_policy, op)
    _scipy(op)
    a = to_array(a, op)
    axis = _axis(a, axis, op)
    n = a.shape[axis]
    d = a.mean(axis=axis) - popmean
    denom = (a.var(axis=axis, ddof=1) / float(n)) ** 0.5
    return Ttest_1sampResult(*_ttest_finish(n - 1, d / denom, op))


def ttest_rel(a, b, axis=0, nan_policy="propagate"):
    """``scipy.stats.ttest_rel``: the t-test of two related samples."""
    op = "ttest_rel"
    _nan_policy(nan_policy, op)
    _scipy(op)
    a, b = to_array(a, op), to_array(b, op)
    axis = _axis(a, axis, op)
    n = a.shape[axis]
    d = (a - b).astype(np.float64)
    denom = (d.var(axis=axis, ddof=1) / float(n)) ** 0.5
    return Ttest_relResult(*_ttest_finish(float(n - 1), d.mean(axis=axis) / denom, op))


def chisquare(f_obs, f_exp=None, ddof=0, axis=0):
    """``scipy.stats.chisquare``: Pearson's one-way chi-square test."""
    return power_divergence(f_obs, f_exp=f_exp, ddof=ddof, axis=axis, lambda_="pearson")


def power_divergence(f_obs, f_exp=None, ddof=0, axis=0, lambda_=None):
    """``scipy.stats.power_divergence``: Cressie-Read power divergence statistic and test."""
    op = "power_divergence"
    special, distributions = _scipy(op)
    if isinstance(lambda_, str):
        if lambda_ not in _power_div_lambda_names:
            names = repr(list(_power_div_lambda_names))[1:-1]
            raise ValueError(f"{op}: invalid string for lambda_: {lambda_!r}. Valid strings are {names}")
        lambda_ = _power_div_lambda_names[lambda_]
    elif lambda_ is None:
        lambda_ = 1
    f_obs = to_array(f_obs, op).astype(np.float64)
    if f_exp is None:
        f_exp = f_obs.mean(axis=axis, keepdims=True)
    else:
        f_exp = to_array(f_exp, op).astype(np.float64)
    xlogy = lambda x, y: _per_block(special.xlogy, x, y)  # noqa: E731
    if lambda_ == 1:
        terms = (f_obs - f_exp) ** 2 / f_exp
    elif lambda_ == 0:
        terms = 2.0 * xlogy(f_obs, f_obs / f_exp)
    elif lambda_ == -1:
        terms = 2.0 * xlogy(f_exp, f_exp / f_obs)
    else:
        terms = f_obs * ((f_obs / f_exp) ** lambda_ - 1) / (0.5 * lambda_ * (lambda_ + 1))
    stat = terms.sum(axis=axis)
    num_obs = terms.size if axis is None else terms.shape[axis]
    dof = num_obs - 1 - ddof
    p = _per_block(lambda s: distributions.chi2.sf(s, dof), stat)
    return Power_divergenceResult(stat, p)


def skew(a, axis=0, bias=True, nan_policy="propagate"):
    """``scipy.stats.skew``: the sample skewness (0 where the variance is 0, as Dask)."""
    op = "skew"
    _nan_policy(nan_policy, op)
    a = to_array(a, op)
    n = a.size if axis is None else a.shape[_axis(a, axis, op)]
    m2, m3 = _moment(a, 2, axis), _moment(a, 3, axis)
    zero = m2 == 0
    vals = where(~zero, m3 / m2**1.5, 0.0)
    if not bias and n > 2:
        vals = where(~zero, math.sqrt((n - 1.0) * n) / (n - 2.0) * m3 / m2**1.5, vals)
    return vals


def kurtosis(a, axis=0, fisher=True, bias=True, nan_policy="propagate"):
    """``scipy.stats.kurtosis``: Fisher's (excess) or Pearson's kurtosis."""
    op = "kurtosis"
    _nan_policy(nan_policy, op)
    a = to_array(a, op)
    n = a.size if axis is None else a.shape[_axis(a, axis, op)]
    m2, m4 = _moment(a, 2, axis), _moment(a, 4, axis)
    zero = m2 == 0
    vals = where(zero, 0.0, m4 / m2**2.0)
    if not bias and n > 3:
        corrected = 1.0 / (n - 2) / (n - 3) * ((n * n - 1.0) * m4 / m2**2.0 - 3 * (n - 1) ** 2.0) + 3.0
        vals = where(zero, vals, corrected)
    return vals - 3 if fisher else vals


def skewtest(a, axis=0, nan_policy="propagate"):
    """``scipy.stats.skewtest``: whether the skewness differs from a normal distribution's."""
    op = "skewtest"
    _nan_policy(nan_policy, op)
    _, distributions = _scipy(op)
    a = to_array(a, op)
    b2 = skew(a, axis)
    n = float(a.size if axis is None else a.shape[_axis(a, axis, op)])
    if n < 8:
        raise ValueError(f"{op}: skewtest is not valid with less than 8 samples; {int(n)} samples were given.")
    y = b2 * math.sqrt(((n + 1) * (n + 3)) / (6.0 * (n - 2)))
    beta2 = 3.0 * (n**2 + 27 * n - 70) * (n + 1) * (n + 3) / ((n - 2.0) * (n + 5) * (n + 7) * (n + 9))
    w2 = -1 + math.sqrt(2 * (beta2 - 1))
    delta = 1 / math.sqrt(0.5 * math.log(w2))
    alpha = math.sqrt(2.0 / (w2 - 1))
    y = where(y == 0, 1.0, y)
    z = delta * _log(y / alpha + ((y / alpha) ** 2 + 1) ** 0.5)
    return SkewtestResult(z, _per_block(lambda zb: 2 * distributions.norm.sf(np.abs(zb)), z))


def _log(x):
    from ._creation import UNARY

    return UNARY["log"](x)


def kurtosistest(a, axis=0, nan_policy="propagate"):
    """``scipy.stats.kurtosistest``: whether the kurtosis differs from a normal distribution's."""
    op = "kurtosistest"
    _nan_policy(nan_policy, op)
    _, distributions = _scipy(op)
    a = to_array(a, op)
    n = float(a.size if axis is None else a.shape[_axis(a, axis, op)])
    b2 = kurtosis(a, axis, fisher=False)
    e = 3.0 * (n - 1) / (n + 1)
    varb2 = 24.0 * n * (n - 2) * (n - 3) / ((n + 1) * (n + 1.0) * (n + 3) * (n + 5))
    x = (b2 - e) / math.sqrt(varb2)
    sqrtbeta1 = 6.0 * (n * n - 5 * n + 2) / ((n + 7) * (n + 9)) * math.sqrt((6.0 * (n + 3) * (n + 5)) / (n * (n - 2) * (n - 3)))
    big_a = 6.0 + 8.0 / sqrtbeta1 * (2.0 / sqrtbeta1 + math.sqrt(1 + 4.0 / (sqrtbeta1**2)))
    term1 = 1 - 2 / (9.0 * big_a)
    denom = 1 + x * math.sqrt(2 / (big_a - 4.0))

    def finish(db):
        with np.errstate(all="ignore"):
            term2 = np.sign(db) * np.where(db == 0, np.nan, np.abs((1 - 2.0 / big_a) / db)) ** (1 / 3.0)
            return (term1 - term2) / np.sqrt(2 / (9.0 * big_a))

    z = _per_block(finish, denom)
    return KurtosistestResult(z, _per_block(lambda zb: 2 * distributions.norm.sf(np.abs(zb)), z))


def normaltest(a, axis=0, nan_policy="propagate"):
    """``scipy.stats.normaltest``: D'Agostino and Pearson's test of normality."""
    op = "normaltest"
    _nan_policy(nan_policy, op)
    _, distributions = _scipy(op)
    s, _ = skewtest(a, axis)
    k, _ = kurtosistest(a, axis)
    k2 = s * s + k * k
    return NormaltestResult(k2, _per_block(lambda kb: distributions.chi2.sf(kb, 2), k2))


def f_oneway(*args):
    """``scipy.stats.f_oneway``: one-way ANOVA of the samples in `args` (1-d), from the
    groups' sums and sums of squares (no concatenation)."""
    op = "f_oneway"
    special, _ = _scipy(op)
    if len(args) < 2:
        raise TypeError(f"{op}: at least two inputs are required; got {len(args)}")
    groups = [to_array(g, op).astype(np.float64) for g in args]
    bign = sum(g.shape[0] for g in groups)
    # Centre on the grand mean (as scipy and Dask do) for numerical stability.
    offset = sum(g.sum(axis=0) for g in groups) / float(bign)
    sums = [(g - offset).sum(axis=0) for g in groups]
    total = sum(sums)
    sstot = sum(((g - offset) ** 2).sum(axis=0) for g in groups) - total * total / float(bign)
    ssbn = sum(s * s / float(g.shape[0]) for s, g in zip(sums, groups)) - total * total / float(bign)
    sswn = sstot - ssbn
    dfbn, dfwn = len(groups) - 1, bign - len(groups)
    f = (ssbn / float(dfbn)) / (sswn / float(dfwn))
    return F_onewayResult(f, _per_block(lambda fb: special.fdtrc(dfbn, dfwn, fb), f))


def moment(a, moment=1, axis=0, nan_policy="propagate"):
    """``scipy.stats.moment``: the central moment of order `moment` along `axis`."""
    _nan_policy(nan_policy, "moment")
    return _moment(a, moment, axis=axis)
