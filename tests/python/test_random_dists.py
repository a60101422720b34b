"""The distributions of dask.array.random: right distributions (KS / chi-square against
scipy with fixed seeds, each test also shown to reject a slightly wrong distribution), the
same values for any chunking, Dask's signatures, broadcasting and NumPy's errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tessera as da

stats = pytest.importorskip("scipy.stats")

N = 200_000

# (method, args, scipy distribution, the same with one parameter 3 % off)
CONTINUOUS = [
    ("standard_exponential", (), stats.expon(), stats.expon(scale=1.03)),
    ("exponential", (2.5,), stats.expon(scale=2.5), stats.expon(scale=2.5 * 1.03)),
    ("lognormal", (0.3, 0.7), stats.lognorm(0.7, scale=np.exp(0.3)), stats.lognorm(0.7 * 1.03, scale=np.exp(0.3))),
    ("laplace", (1.0, 2.0), stats.laplace(1.0, 2.0), stats.laplace(1.0, 2.06)),
    ("logistic", (-1.0, 0.5), stats.logistic(-1.0, 0.5), stats.logistic(-1.0, 0.515)),
    ("gumbel", (2.0, 3.0), stats.gumbel_r(2.0, 3.0), stats.gumbel_r(2.0, 3.09)),
    ("weibull", (1.7,), stats.weibull_min(1.7), stats.weibull_min(1.7 * 1.03)),
    ("pareto", (3.0,), stats.lomax(3.0), stats.lomax(3.09)),
    ("power", (2.5,), stats.powerlaw(2.5), stats.powerlaw(2.575)),
    ("rayleigh", (1.5,), stats.rayleigh(scale=1.5), stats.rayleigh(scale=1.545)),
    ("standard_cauchy", (), stats.cauchy(), stats.cauchy(scale=1.05)),
    ("triangular", (-1.0, 0.5, 3.0), stats.triang(0.375, loc=-1.0, scale=4.0), stats.triang(0.375, loc=-1.0, scale=4.12)),
    ("wald", (2.0, 3.0), stats.invgauss(2.0 / 3.0, scale=3.0), stats.invgauss(2.06 / 3.0, scale=3.0)),
    ("standard_gamma", (0.4,), stats.gamma(0.4), stats.gamma(0.412)),
    ("standard_gamma", (1.0,), stats.gamma(1.0), stats.gamma(1.03)),
    ("gamma", (7.5, 2.0), stats.gamma(7.5, scale=2.0), stats.gamma(7.5 * 1.03, scale=2.0)),
    ("chisquare", (3.0,), stats.chi2(3.0), stats.chi2(3.09)),
    ("standard_t", (4.0,), stats.t(4.0), stats.t(4.0, scale=1.03)),
    ("f", (5.0, 7.0), stats.f(5.0, 7.0), stats.f(5.3, 7.0)),
    ("beta", (0.5, 0.3), stats.beta(0.5, 0.3), stats.beta(0.515, 0.3)),
    ("beta", (2.0, 5.0), stats.beta(2.0, 5.0), stats.beta(2.06, 5.0)),
    ("beta", (0.7, 3.0), stats.beta(0.7, 3.0), stats.beta(0.721, 3.0)),
    ("noncentral_chisquare", (3.0, 2.0), stats.ncx2(3.0, 2.0), stats.ncx2(3.0, 2.2)),
    ("noncentral_chisquare", (0.7, 1.5), stats.ncx2(0.7, 1.5), stats.ncx2(0.7, 1.65)),
    ("noncentral_chisquare", (2.0, 0.0), stats.chi2(2.0), stats.chi2(2.06)),
    ("noncentral_f", (3.0, 20.0, 3.0), stats.ncf(3.0, 20.0, 3.0), stats.ncf(3.0, 20.0, 3.3)),
]


@pytest.mark.parametrize("method,args,dist,wrong", CONTINUOUS, ids=lambda v: v if isinstance(v, str) else None)
def test_continuous_ks(method, args, dist, wrong):
    x = getattr(da.random.default_rng(1234), method)(*args, size=N, chunks=N // 3 + 7).compute()
    assert x.dtype == np.float64 and x.shape == (N,)
    assert stats.kstest(x, dist.cdf).pvalue > 1e-4
    # The test has the power to see a parameter 3 % off.
    assert stats.kstest(x, wrong.cdf).pvalue < 1e-6


# (method, args, scipy distribution, the same with one parameter off)
DISCRETE = [
    ("poisson", (0.3,), stats.poisson(0.3), stats.poisson(0.32)),
    ("poisson", (4.5,), stats.poisson(4.5), stats.poisson(4.6)),
    ("poisson", (37.0,), stats.poisson(37.0), stats.poisson(37.5)),
    ("poisson", (1e5,), stats.poisson(1e5), stats.poisson(1e5 + 15)),
    ("binomial", (10, 0.3), stats.binom(10, 0.3), stats.binom(10, 0.31)),
    ("binomial", (100, 0.8), stats.binom(100, 0.8), stats.binom(100, 0.805)),
    ("binomial", (1000, 0.25), stats.binom(1000, 0.25), stats.binom(1000, 0.253)),
    ("binomial", (7, 1.0), stats.binom(7, 1.0), stats.binom(7, 0.99)),
    ("geometric", (0.2,), stats.geom(0.2), stats.geom(0.205)),
    ("geometric", (0.9,), stats.geom(0.9), stats.geom(0.91)),
    ("negative_binomial", (3.5, 0.4), stats.nbinom(3.5, 0.4), stats.nbinom(3.5, 0.41)),
]


def _chi2_pvalue(x, dist):
    lo, hi = int(dist.ppf(1e-6)), int(dist.ppf(1 - 1e-6))
    edges = np.arange(lo, hi + 2)
    counts = np.bincount(np.clip(x - lo, 0, hi - lo + 1), minlength=hi - lo + 2)[: hi - lo + 1]
    expected = np.diff(dist.cdf(edges - 1)) * len(x)
    keep = expected > 20
    obs, exp = counts[keep], expected[keep]
    rest_o, rest_e = len(x) - obs.sum(), len(x) - exp.sum()
    if rest_e > 1e-9:
        obs, exp = np.append(obs, rest_o), np.append(exp, rest_e)
    if len(obs) < 2:
        return 1.0 if rest_o == 0 else 0.0
    return stats.chisquare(obs, exp).pvalue


@pytest.mark.parametrize("method,args,dist,wrong", DISCRETE, ids=lambda v: v if isinstance(v, str) else None)
def test_discrete_chi2(method, args, dist, wrong):
    x = getattr(da.random.default_rng(99), method)(*args, size=N, chunks=N // 4 + 3).compute()
    assert x.dtype == np.int64 and x.shape == (N,)
    assert _chi2_pvalue(x, dist) > 1e-4
    assert _chi2_pvalue(x, wrong) < 1e-6
    np.testing.assert_allclose(x.mean(), dist.mean(), atol=6 * dist.std() / np.sqrt(N) + 1e-12)


DRAWS = [
    ("exponential", (2.0,)), ("standard_exponential", ()), ("lognormal", (0.0, 1.0)), ("laplace", ()),
    ("logistic", ()), ("gumbel", ()), ("weibull", (2.0,)), ("pareto", (2.0,)), ("power", (2.0,)),
    ("rayleigh", ()), ("standard_cauchy", ()), ("triangular", (0.0, 1.0, 2.0)), ("wald", (1.0, 1.0)),
    ("standard_gamma", (0.5,)), ("gamma", (2.0, 1.0)), ("chisquare", (2.0,)), ("standard_t", (3.0,)),
    ("f", (2.0, 3.0)), ("beta", (0.5, 0.5)), ("beta", (2.0, 3.0)), ("poisson", (3.0,)), ("poisson", (50.0,)),
    ("binomial", (20, 0.4)), ("binomial", (500, 0.7)), ("geometric", (0.3,)), ("negative_binomial", (2.0, 0.5)),
    ("noncentral_chisquare", (0.5, 1.0)), ("noncentral_chisquare", (4.0, 1.0)), ("noncentral_f", (2.0, 3.0, 1.0)),
]


@given(
    seed=st.integers(0, 2**63),
    draw=st.sampled_from(DRAWS),
    shape=st.sampled_from([(0,), (1,), (37,), (5, 1, 8), (13, 11)]),
    data=st.data(),
)
@settings(max_examples=40, deadline=None)
def test_same_values_for_any_chunking(seed, draw, shape, data):
    method, args = draw
    chunks = [tuple(data.draw(st.integers(1, max(n, 1))) for n in shape) for _ in range(2)]
    make = lambda c: getattr(da.random.default_rng(seed), method)(*args, size=shape, chunks=c)  # noqa: E731
    a, b = make(chunks[0]), make(chunks[1])
    assert a.shape == shape and a.chunks != () and a.dtype == b.dtype
    np.testing.assert_array_equal(a.compute(), b.compute())
    np.testing.assert_array_equal(a.compute(num_workers=1), a.compute())


@pytest.mark.parametrize("method,args", DRAWS[:6] + DRAWS[13:16] + DRAWS[20:23])
def test_module_functions_and_random_state(method, args):
    da.random.seed(5)
    a = getattr(da.random, method)(*args, size=(30, 4), chunks=(7, 3)).compute()
    da.random.seed(5)
    b = getattr(da.random, method)(*args, size=(30, 4), chunks=(30, 4)).compute()
    np.testing.assert_array_equal(a, b)
    c = getattr(da.random.RandomState(5), method)(*args, size=(30, 4), chunks=11).compute()
    d = getattr(da.random.RandomState(5), method)(*args, size=(30, 4)).compute()
    np.testing.assert_array_equal(c, d)
    assert c.shape == (30, 4)


def test_array_parameters_broadcast_as_dask():
    rng = lambda: da.random.default_rng(3)  # noqa: E731
    scale = np.array([1.0, 10.0, 100.0])
    x = rng().exponential(scale, size=(4000, 3), chunks=(1000, 2))
    assert x.shape == (4000, 3)
    m = x.compute().mean(axis=0)
    np.testing.assert_allclose(m, scale, rtol=0.08)
    # no size: the parameters' broadcast shape, as Dask
    y = rng().gamma(np.ones((2, 1)), np.array([1.0, 2.0, 3.0]))
    assert y.shape == (2, 3)
    assert da.random.default_rng(1).normal(0.0, 1.0).shape == ()
    # a tessera array parameter gives the same values as the NumPy one
    lam = np.linspace(0.5, 80.0, 60).reshape(6, 10)
    a = rng().poisson(lam, chunks=(4, 3)).compute()
    b = rng().poisson(da.from_array(lam, chunks=(5, 5)), chunks=(4, 3)).compute()
    np.testing.assert_array_equal(a, b)
    n = np.arange(1, 61).reshape(6, 10)
    c = rng().binomial(n, 0.5, chunks=(2, 7)).compute()
    assert np.all((0 <= c) & (c <= n))
    with pytest.raises(ValueError, match="shape mismatch"):
        rng().normal(np.zeros(3), 1.0, size=(4,))
    # array-valued loc/scale of normal and low/high of uniform
    z = rng().normal(np.array([0.0, 100.0]), np.array([1.0, 0.0]), size=(1000, 2)).compute()
    assert np.all(z[:, 1] == 100.0) and abs(z[:, 0].mean()) < 0.2
    u = rng().uniform(np.array([0.0, 5.0]), 6.0, size=(1000, 2)).compute()
    assert u[:, 1].min() >= 5.0 and u[:, 0].max() < 6.0


@pytest.mark.parametrize(
    "method,args,match",
    [
        ("exponential", (-1.0,), "scale < 0"),
        ("gamma", (-1.0,), "shape < 0"),
        ("gamma", (1.0, -2.0), "scale < 0"),
        ("beta", (0.0, 1.0), "a <= 0"),
        ("beta", (1.0, -1.0), "b <= 0"),
        ("binomial", (-1, 0.5), "n < 0"),
        ("binomial", (3, 1.5), "p < 0, p > 1"),
        ("binomial", (3, np.nan), "p < 0, p > 1"),
        ("poisson", (-1.0,), "lam < 0"),
        ("poisson", (1e20,), "lam value too large"),
        ("chisquare", (0.0,), "df <= 0"),
        ("standard_t", (-2.0,), "df <= 0"),
        ("f", (1.0, 0.0), "dfden <= 0"),
        ("geometric", (0.0,), "p <= 0"),
        ("geometric", (1.5,), "p <= 0, p > 1"),
        ("negative_binomial", (0.0, 0.5), "n <= 0"),
        ("negative_binomial", (1.0, 0.0), "p <= 0"),
        ("lognormal", (0.0, -1.0), "sigma < 0"),
        ("laplace", (0.0, -1.0), "scale < 0"),
        ("pareto", (0.0,), "a <= 0"),
        ("power", (-1.0,), "a <= 0"),
        ("weibull", (-1.0,), "a < 0"),
        ("wald", (1.0, 0.0), "scale <= 0"),
        ("rayleigh", (np.array([1.0, -1.0]),), "scale < 0"),
        ("triangular", (2.0, 1.0, 3.0), "left > mode"),
        ("triangular", (0.0, 4.0, 3.0), "mode > right"),
        ("triangular", (1.0, 1.0, 1.0), "left == right"),
        ("noncentral_chisquare", (0.0, 1.0), "df <= 0"),
        ("noncentral_chisquare", (1.0, -1.0), "nonc < 0"),
        ("noncentral_f", (1.0, 0.0, 1.0), "dfden <= 0"),
        ("multinomial", (-1, [0.5, 0.5]), "n < 0"),
        ("multinomial", (3, [0.7, 0.6, 0.1]), r"sum\(pvals\[:-1\]\) > 1.0"),
        ("multinomial", (3, [1.5, -0.5]), "pvals < 0"),
    ],
)
def test_bad_parameters_raise_at_build_time(method, args, match):
    with pytest.raises(ValueError, match=match):
        getattr(da.random.default_rng(0), method)(*args, size=10)
    # NumPy refuses the same values
    with pytest.raises(ValueError):
        getattr(np.random.default_rng(0), method)(*args, size=10)


def test_nan_parameters_of_rejection_samplers_are_refused():
    # NumPy's loops return NaN for them; tessera's per-element streams refuse them instead
    for method, args in [("standard_gamma", (np.nan,)), ("poisson", (np.nan,)), ("beta", (1.0, np.nan))]:
        with pytest.raises(ValueError, match="NaN"):
            getattr(da.random.default_rng(0), method)(*args, size=3)


def test_bad_tessera_parameters_raise_at_compute():
    lam = da.from_array(np.array([1.0, -1.0, 2.0]), chunks=1)
    x = da.random.default_rng(0).poisson(lam)
    with pytest.raises(ValueError, match="lam < 0"):
        x.compute()
    y = da.random.default_rng(0).exponential(da.from_array(np.array([1.0, -3.0])))
    with pytest.raises(ValueError, match="scale < 0"):
        y.compute()


def test_bad_arguments():
    rng = da.random.default_rng(0)
    with pytest.raises(TypeError, match="exponential"):
        rng.exponential("a")
    with pytest.raises(TypeError, match="unexpected keyword"):
        rng.gamma(1.0, bogus=3)
    with pytest.raises(TypeError, match="Unsupported dtype"):
        rng.standard_gamma(1.0, size=3, dtype=np.int32)
    with pytest.raises(NotImplementedError, match="tessera"):
        rng.zipf(2.0)
    with pytest.raises(NotImplementedError, match="1-d sequence pvals"):
        rng.multinomial(3, [[0.5, 0.5]])
    with pytest.raises(NotImplementedError, match="immutable"):
        rng.shuffle(da.arange(5))


def test_random_state_takes_no_dtype():
    with pytest.raises(TypeError, match="dtype"):
        da.random.RandomState(0).standard_gamma(1.0, size=3, dtype=np.float32)
    with pytest.raises(TypeError, match="method"):
        da.random.standard_exponential(size=3, method="inv")


def test_float32_variants():
    rng = da.random.default_rng(8)
    assert rng.standard_gamma(2.0, size=10, dtype=np.float32).dtype == np.float32
    assert rng.standard_exponential(size=10, dtype="float32").dtype == np.float32


def test_generator_from_numpy_bit_generators():
    a = da.random.Generator(np.random.PCG64(42)).gamma(2.0, size=100, chunks=30).compute()
    b = da.random.Generator(np.random.PCG64(42)).gamma(2.0, size=100, chunks=100).compute()
    np.testing.assert_array_equal(a, b)
    c = da.random.Generator(np.random.PCG64(43)).gamma(2.0, size=100).compute()
    assert not np.array_equal(a, c)
    # one bit generator, two Generators: different streams (Dask spawns from it)
    bg = np.random.PCG64(7)
    g1, g2 = da.random.Generator(bg), da.random.Generator(bg)
    assert not np.array_equal(g1.random(10).compute(), g2.random(10).compute())
    g = da.random.default_rng(np.random.Philox(1))
    assert isinstance(g, da.random.Generator)
    assert da.random.default_rng(np.random.default_rng(3)).normal(size=3).shape == (3,)
    with pytest.raises(NotImplementedError, match="RandomState"):
        da.random.RandomState(1, RandomState=object)
    da.random.RandomState(1, RandomState=np.random.RandomState)


def test_same_methods_as_dask():
    dr = pytest.importorskip("dask.array.random")
    for ours, theirs in [(da.random.Generator, dr.Generator), (da.random.RandomState, dr.RandomState)]:
        missing = [m for m in dir(theirs) if not m.startswith("_") and not hasattr(ours, m)]
        assert missing == [], missing
    public = [n for n in dir(dr) if not n.startswith("_") and callable(getattr(dr, n))
              and n not in ("Array", "Generator", "RandomState", "annotations", "asarray", "arange", "broadcast_to",
                            "derived_from", "from_array", "normalize_chunks", "random_state_data", "slices_from_chunks",
                            "tokenize", "typename", "array_creation_dispatch", "contextlib", "importlib", "numbers",
                            "Integral", "HighLevelGraph", "Task", "TaskRef", "getitem", "broadcast_shapes",
                            "product", "chain", "asarray_safe", "Lock", "parse_input")]
    missing = [n for n in public if not hasattr(da.random, n)]
    assert missing == [], missing


def test_choice():
    rng = lambda: da.random.default_rng(11)  # noqa: E731
    x = rng().choice(5, size=(400, 3), chunks=(150, 2))
    assert x.shape == (400, 3) and x.dtype == np.int64
    v = x.compute()
    assert set(np.unique(v)) == set(range(5))
    np.testing.assert_array_equal(v, rng().choice(5, size=(400, 3), chunks=(400, 3)).compute())
    p = np.array([0.1, 0.0, 0.6, 0.3])
    y = rng().choice(np.array([10, 20, 30, 40]), size=40_000, p=p, chunks=9_999).compute()
    assert 20 not in y
    freq = np.array([(y == k).mean() for k in (10, 20, 30, 40)])
    np.testing.assert_allclose(freq, p, atol=0.015)
    a = da.from_array(np.arange(100.0) * 2, chunks=30)
    z = rng().choice(a, size=20, replace=False).compute()
    assert len(set(z)) == 20 and np.all(np.isin(z, np.arange(100.0) * 2))
    w = rng().choice(a, size=8, replace=False, p=np.full(100, 0.01)).compute()
    assert len(set(w)) == 8
    assert rng().choice(7).shape == ()
    with pytest.raises(NotImplementedError, match="replace=False"):
        rng().choice(100, size=50, replace=False, chunks=10)
    with pytest.raises(ValueError, match="larger sample"):
        rng().choice(5, size=6, replace=False)
    with pytest.raises(ValueError, match="do not sum to 1"):
        rng().choice(3, p=[0.5, 0.6, 0.1])
    with pytest.raises(ValueError, match="same size"):
        rng().choice(3, p=[0.5, 0.5])
    with pytest.raises(ValueError, match="one dimensional"):
        rng().choice(np.ones((2, 2)))
    with pytest.raises(ValueError, match="axis"):
        rng().choice(3, axis=1)


def test_permutation():
    rng = lambda: da.random.default_rng(4)  # noqa: E731
    p = rng().permutation(50).compute()
    np.testing.assert_array_equal(np.sort(p), np.arange(50))
    np.testing.assert_array_equal(p, rng().permutation(50).compute())
    x = np.arange(60.0).reshape(20, 3)
    q = rng().permutation(da.from_array(x, chunks=(6, 2))).compute()
    np.testing.assert_array_equal(q[np.argsort(q[:, 0])], x)
    with pytest.raises(ValueError, match="permutation"):
        rng().permutation(da.from_array(np.float64(3.0)))


def test_multinomial():
    rng = lambda: da.random.default_rng(21)  # noqa: E731
    pv = [0.1, 0.25, 0.05, 0.6]
    x = rng().multinomial(50, pv, size=(30_000,), chunks=7_001)
    assert x.shape == (30_000, 4) and x.chunks == ((7_001,) * 4 + (1_996,), (4,)) and x.dtype == np.int64
    v = x.compute()
    assert np.all(v.sum(axis=1) == 50) and v.min() >= 0
    for j, p in enumerate(pv):  # each marginal is Binomial(50, p)
        assert _chi2_pvalue(v[:, j], stats.binom(50, p)) > 1e-4
    np.testing.assert_array_equal(v, rng().multinomial(50, pv, size=(30_000,), chunks=30_000).compute())
    assert rng().multinomial(7, [0.5, 0.5]).shape == (2,)
    np.testing.assert_array_equal(rng().multinomial(9, [0.0, 1.0], size=3).compute(), [[0, 9]] * 3)


@pytest.mark.parametrize("method,args", [("gamma", (0.5,)), ("poisson", (30.0,)), ("binomial", (40, 0.6)),
                                         ("beta", (0.5, 2.0)), ("negative_binomial", (3.0, 0.3))])
def test_large_blocks_sampled_in_pieces_give_the_same_values(method, args):
    n = 600_001  # blocks above the samplers' piece size (2**18)
    a = getattr(da.random.default_rng(77), method)(*args, size=n, chunks=n).compute()
    b = getattr(da.random.default_rng(77), method)(*args, size=n, chunks=99_999).compute()
    np.testing.assert_array_equal(a, b)
