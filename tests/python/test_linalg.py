"""tessera.linalg against NumPy: decompositions by reconstruction (Q @ R == A, Q's columns
orthonormal, R upper triangular, U S Vh == A) over random shapes and chunkings (uneven and
size-1 row chunks, any chunking through qr/svd), solvers and per-matrix functions against
numpy.linalg, norms for every ord and axis, and errors (NumPy's classes) at build time."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tessera as da
from tessera import linalg
from conftest import assert_same

EX = settings(max_examples=25, deadline=None)


def _rows(draw, m):
    """Row chunks of m: uneven, size-1 or whole."""
    kind = draw(st.sampled_from(["even", "ones", "whole", "cuts"]))
    if kind == "ones":
        return 1
    if kind == "whole":
        return -1
    if kind == "even":
        return draw(st.integers(1, max(m, 1)))
    cuts = sorted(draw(st.sets(st.integers(1, m - 1), max_size=4))) if m > 1 else []
    b = [0, *cuts, m]
    return tuple(y - x for x, y in zip(b, b[1:])) or (0,)


def _ortho(q, n, tol):
    np.testing.assert_allclose(q.T @ q, np.eye(n), atol=tol)


@EX
@given(st.data(), st.integers(1, 30), st.integers(1, 6), st.sampled_from(["float64", "float32", "int64"]))
def test_tsqr_and_qr_reconstruct(data, m, n, dt):
    m = max(m, n)
    rng = np.random.default_rng(data.draw(st.integers(0, 1000)))
    a = (rng.standard_normal((m, n)) * 4).astype(dt)
    x = da.from_array(a, chunks=(_rows(data.draw, m), -1))
    q, r = linalg.tsqr(x)
    qn, rn = q.compute(), r.compute()
    tol = 1e-4 if dt == "float32" else 1e-10
    want_dt = np.linalg.qr(a)[0].dtype
    assert qn.dtype == want_dt and rn.dtype == want_dt
    assert qn.shape == (m, n) and rn.shape == (n, n)
    np.testing.assert_allclose(qn @ rn, a, atol=tol * 40, rtol=tol)
    _ortho(qn.astype(np.float64), n, tol * 10)
    np.testing.assert_allclose(np.tril(rn, -1), 0, atol=tol)
    # qr on any chunking (rechunked as documented).
    y = da.from_array(a, chunks=(data.draw(st.integers(1, m)), data.draw(st.integers(1, n))))
    q2, r2 = linalg.qr(y)
    np.testing.assert_allclose(q2.compute() @ r2.compute(), a, atol=tol * 40, rtol=tol)


@EX
@given(st.data(), st.integers(1, 6), st.integers(1, 30))
def test_sfqr_and_short_fat_qr(data, m, n):
    n = max(m, n)
    rng = np.random.default_rng(data.draw(st.integers(0, 1000)))
    a = rng.standard_normal((m, n))
    first = data.draw(st.integers(m, n))
    rest = data.draw(st.integers(1, n))
    x = da.from_array(a, chunks=(-1, first)).rechunk(((m,), (first,) + ((rest,) * ((n - first) // rest)) + (((n - first) % rest,) if (n - first) % rest else ())))
    q, r = linalg.sfqr(x)
    qn, rn = q.compute(), r.compute()
    assert qn.shape == (m, m) and rn.shape == (m, n)
    np.testing.assert_allclose(qn @ rn, a, atol=1e-10)
    _ortho(qn, m, 1e-10)
    np.testing.assert_allclose(np.tril(rn, -1), 0, atol=1e-10)
    q2, r2 = linalg.qr(da.from_array(a, chunks=data.draw(st.integers(1, n))))
    np.testing.assert_allclose(q2.compute() @ r2.compute(), a, atol=1e-10)


@EX
@given(st.data(), st.integers(1, 25), st.integers(1, 25))
def test_svd_reconstructs_and_matches_singular_values(data, m, n):
    rng = np.random.default_rng(data.draw(st.integers(0, 1000)))
    a = rng.standard_normal((m, n))
    x = da.from_array(a, chunks=(data.draw(st.integers(1, m)), data.draw(st.integers(1, n))))
    u, s, v = linalg.svd(x)
    un, sn, vn = u.compute(), s.compute(), v.compute()
    k = min(m, n)
    assert un.shape == (m, k) and sn.shape == (k,) and vn.shape == (k, n)
    np.testing.assert_allclose(sn, np.linalg.svd(a, compute_uv=False), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose((un * sn) @ vn, a, atol=1e-10)
    _ortho(un, k, 1e-10)


def test_svd_compressed_recovers_a_low_rank_matrix():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((200, 5)) @ rng.standard_normal((5, 60))
    x = da.from_array(a, chunks=(37, 25))
    for kw in ({}, {"n_power_iter": 2, "compute": True}, {"iterator": "QR", "n_power_iter": 1}):
        u, s, v = linalg.svd_compressed(x, k=5, seed=42, **kw)
        un, sn, vn = u.compute(), s.compute(), v.compute()
        assert un.shape == (200, 5) and sn.shape == (5,) and vn.shape == (5, 60)
        np.testing.assert_allclose(sn, np.linalg.svd(a, compute_uv=False)[:5], rtol=1e-8)
        np.testing.assert_allclose((un * sn) @ vn, a, atol=1e-8)
    # Same seed, same result.
    u1 = linalg.svd_compressed(x, k=3, seed=7)[0].compute()
    np.testing.assert_array_equal(u1, linalg.svd_compressed(x, k=3, seed=7)[0].compute())
    with pytest.raises(ValueError, match="svd_compressed: k must be a positive integer"):
        linalg.svd_compressed(x, k=0)


def _spd(rng, n, batch=()):
    a = rng.standard_normal(batch + (n, n))
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


@EX
@given(st.data(), st.integers(1, 12), st.integers(1, 4))
def test_square_solvers_match_numpy(data, n, k):
    rng = np.random.default_rng(data.draw(st.integers(0, 1000)))
    a = _spd(rng, n)
    b = rng.standard_normal((n, k))
    b1 = rng.standard_normal(n)
    ch = data.draw(st.integers(1, n))
    x, y, y1 = da.from_array(a, chunks=ch), da.from_array(b, chunks=(ch, 1)), da.from_array(b1, chunks=ch)
    close = lambda g, w: np.testing.assert_allclose(g, w, rtol=1e-9, atol=1e-9)
    close(linalg.cholesky(x).compute(), np.linalg.cholesky(a).T)
    close(linalg.cholesky(x, lower=True).compute(), np.linalg.cholesky(a))
    close(linalg.solve(x, y).compute(), np.linalg.solve(a, b))
    close(linalg.solve(x, y1).compute(), np.linalg.solve(a, b1))
    close(linalg.solve(x, y, assume_a="pos").compute(), np.linalg.solve(a, b))
    close(linalg.inv(x).compute(), np.linalg.inv(a))
    close(linalg.det(x).compute(), np.linalg.det(a))
    sign, logdet = linalg.slogdet(x)
    close(sign.compute(), np.linalg.slogdet(a)[0])
    close(logdet.compute(), np.linalg.slogdet(a)[1])
    w, v = linalg.eigh(x)
    close(w.compute(), np.linalg.eigvalsh(a))
    close((v.compute() * w.compute()) @ v.compute().T, a)
    close(linalg.eigvalsh(x, UPLO="U").compute(), np.linalg.eigvalsh(a, UPLO="U"))
    p, lo, u = (t.compute() for t in linalg.lu(x))
    close(p @ lo @ u, a)
    assert np.allclose(np.triu(lo, 1), 0) and np.allclose(np.tril(u, -1), 0)
    up = np.triu(a)
    close(linalg.solve_triangular(da.from_array(up, chunks=ch), y).compute(), np.linalg.solve(up, b))
    lo_ = np.tril(a)
    close(linalg.solve_triangular(da.from_array(lo_, chunks=ch), y, lower=True).compute(), np.linalg.solve(lo_, b))
    for p_ in (0, 1, 2, 3, -2):
        close(linalg.matrix_power(x, p_).compute(), np.linalg.matrix_power(a, p_))
    close(linalg.pinv(x).compute(), np.linalg.pinv(a))
    assert int(linalg.matrix_rank(x).compute()) == np.linalg.matrix_rank(a)


def test_stacks_of_matrices():
    rng = np.random.default_rng(1)
    a = _spd(rng, 4, (3,))
    x = da.from_array(a, chunks=(1, 2, 3))
    np.testing.assert_allclose(linalg.inv(x).compute(), np.linalg.inv(a), rtol=1e-10)
    np.testing.assert_allclose(linalg.det(x).compute(), np.linalg.det(a), rtol=1e-10)
    np.testing.assert_allclose(linalg.cholesky(x, lower=True).compute(), np.linalg.cholesky(a), rtol=1e-10)
    np.testing.assert_allclose(linalg.eigvalsh(x).compute(), np.linalg.eigvalsh(a), rtol=1e-10)
    np.testing.assert_allclose(linalg.matrix_norm(x, ord=2).compute(), np.linalg.matrix_norm(a, ord=2), rtol=1e-10)


@EX
@given(st.data(), st.integers(2, 40), st.integers(1, 5), st.integers(1, 3))
def test_lstsq_matches_numpy(data, m, n, k):
    n = min(n, m)
    rng = np.random.default_rng(data.draw(st.integers(0, 1000)))
    a = rng.standard_normal((m, n))
    b = rng.standard_normal((m, k))
    x = da.from_array(a, chunks=(_rows(data.draw, m), -1))
    y = da.from_array(b, chunks=(x.chunks[0], 1))
    sol, res, rank, s = linalg.lstsq(x, y)
    w = np.linalg.lstsq(a, b, rcond=None)
    np.testing.assert_allclose(sol.compute(), w[0], rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(s.compute(), w[3], rtol=1e-8)
    assert int(rank.compute()) == w[2]
    if m > n:
        np.testing.assert_allclose(res.compute(), w[1], rtol=1e-8, atol=1e-8)
    # The normal equations through contractions.
    np.testing.assert_allclose(linalg.solve(x.T @ x, x.T @ y).compute(), w[0], rtol=1e-7, atol=1e-7)


VECTOR_ORDS = [None, 1, 2, 3, 0.5, np.inf, -np.inf, 0, -1]
MATRIX_ORDS = [None, "fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf]


@EX
@given(st.data(), st.integers(1, 3))
def test_norms_match_numpy(data, nd):
    shape = tuple(data.draw(st.integers(1, 5)) for _ in range(nd))
    rng = np.random.default_rng(data.draw(st.integers(0, 1000)))
    a = rng.standard_normal(shape)
    x = da.from_array(a, chunks=tuple(data.draw(st.integers(1, d)) for d in shape))
    kd = data.draw(st.booleans())
    close = lambda g, w: np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)
    close(linalg.norm(x, keepdims=kd).compute(), np.linalg.norm(a, keepdims=kd))
    ax = data.draw(st.integers(-nd, nd - 1))
    ordv = data.draw(st.sampled_from(VECTOR_ORDS))
    close(linalg.norm(x, ord=ordv, axis=ax, keepdims=kd).compute(), np.linalg.norm(a, ord=ordv, axis=ax, keepdims=kd))
    close(linalg.vector_norm(x, ord=ordv if ordv is not None else 2, keepdims=kd).compute(),
          np.linalg.vector_norm(a, ord=ordv if ordv is not None else 2, keepdims=kd))
    if nd >= 2:
        axes = tuple(data.draw(st.permutations(range(nd)))[:2])
        ordm = data.draw(st.sampled_from(MATRIX_ORDS))
        close(linalg.norm(x, ord=ordm, axis=axes, keepdims=kd).compute(), np.linalg.norm(a, ord=ordm, axis=axes, keepdims=kd))
        close(linalg.matrix_norm(x, ord=ordm or "fro").compute(), np.linalg.matrix_norm(a, ord=ordm or "fro"))


def test_cross_matches_numpy():
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    x, y = da.from_array(a, chunks=2), da.from_array(b, chunks=(3, 1))
    np.testing.assert_allclose(linalg.cross(x, y).compute(), np.cross(a, b))
    np.testing.assert_allclose(linalg.cross(x.T, y.T, axis=0).compute(), np.cross(a.T, b.T, axis=0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # NumPy 2 deprecates 2-d vectors
        np.testing.assert_allclose(linalg.cross(x[:, :2], y[:, :2]).compute(), np.cross(a[:, :2], b[:, :2]))


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: linalg.cholesky(da.ones((3, 4), chunks=2)), np.linalg.LinAlgError, r"cholesky: Last 2 dimensions of the array must be square.*\(3, 4\)"),
        (lambda: linalg.inv(da.ones((3,), chunks=2)), np.linalg.LinAlgError, r"inv: 1-dimensional array given"),
        (lambda: linalg.tsqr(da.ones((6, 4), chunks=2)), ValueError, r"tsqr: needs the columns in one chunk.*chunks \(\(2, 2, 2\), \(2, 2\)\)"),
        (lambda: linalg.tsqr(da.ones((3, 4), chunks=(1, -1))), ValueError, r"tsqr: needs at least as many rows"),
        (lambda: linalg.sfqr(da.ones((4, 6), chunks=(-1, 2))), ValueError, r"sfqr: the first column chunk \(2\) must be at least as wide as there are rows \(4\)"),
        (lambda: linalg.sfqr(da.ones((4, 6), chunks=(2, -1))), ValueError, r"sfqr: needs the rows in one chunk"),
        (lambda: linalg.solve(da.ones((3, 3), chunks=2), da.ones((4,), chunks=2)), ValueError, r"solve: b must have shape \(3,\)"),
        (lambda: linalg.qr(da.ones((3,), chunks=2)), ValueError, r"qr: needs a 2-d array"),
        (lambda: linalg.norm(da.ones((3, 4), chunks=2), ord="bad", axis=(0, 1)), ValueError, r"norm: invalid norm order"),
        (lambda: linalg.eigh(da.ones((3, 3), chunks=2), UPLO="X"), ValueError, r"eigh: UPLO must be"),
        (lambda: linalg.compression_matrix(da.ones((3, 3), chunks=2), 2, iterator="x"), ValueError, r"iterator must be"),
    ],
)
def test_errors_at_build_time(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_singular_matrix_raises_numpy_linalg_error_at_compute():
    x = da.zeros((3, 3), chunks=2)
    r = linalg.inv(x)
    with pytest.raises(np.linalg.LinAlgError):
        r.compute()
    with pytest.raises(np.linalg.LinAlgError):
        linalg.cholesky(x).compute()


@settings(max_examples=20, deadline=None)
@given(n=st.integers(1, 7), c=st.integers(1, 7), seed=st.integers(0, 2**16))
def test_array_api_keywords_of_cholesky_qr_svd(n, c, seed):
    """The Array API's upper= (cholesky), mode= (qr), full_matrices= (svd) and svdvals,
    next to Dask's defaults (upper cholesky factor, reduced factors)."""
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((n, n))
    spd = a @ a.T + n * np.eye(n)
    x = da.from_array(spd, chunks=c)
    np.testing.assert_allclose(linalg.cholesky(x, upper=False).compute(), np.linalg.cholesky(spd), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(linalg.cholesky(x, upper=True).compute(), np.linalg.cholesky(spd).T, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(linalg.cholesky(x).compute(), np.linalg.cholesky(spd).T, rtol=1e-10, atol=1e-12)
    q, r = linalg.qr(x, mode="complete")
    np.testing.assert_allclose((q @ r).compute(), spd, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(linalg.svdvals(x).compute(), np.linalg.svd(spd, compute_uv=False), rtol=1e-10)
    u, s, vh = linalg.svd(x, full_matrices=True)
    assert linalg.svd(x).Vh is linalg.svd(x)[2] or linalg.svd(x).S.shape == (n,)  # the Array API's namedtuples
    assert linalg.qr(x).R.shape == (n, n)
    np.testing.assert_allclose((u * s @ vh).compute(), spd, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("shape", [(6, 3), (3, 6), (4, 4), (0, 3), (2, 0)])
def test_complete_factors_of_any_shape_as_numpy(shape):
    """qr(mode="complete") and svd(full_matrices=True): NumPy's factors (one block)."""
    a = np.arange(np.prod(shape), dtype=float).reshape(shape) ** 1.5 + 1
    x = da.from_array(a, chunks=2)
    q, r = linalg.qr(x, mode="complete")
    eq, er = np.linalg.qr(a, mode="complete")
    assert q.shape == eq.shape and r.shape == er.shape
    np.testing.assert_allclose((q @ r).compute(), a, rtol=1e-10, atol=1e-10)
    u, s, vh = linalg.svd(x, full_matrices=True)
    eu, es, evh = np.linalg.svd(a, full_matrices=True)
    assert u.shape == eu.shape and vh.shape == evh.shape
    np.testing.assert_allclose(s.compute(), es, rtol=1e-10, atol=1e-10)
    k = len(es)
    np.testing.assert_allclose((u[:, :k] * s @ vh[:k]).compute(), a, rtol=1e-10, atol=1e-10)
    assert linalg.svd(x, full_matrices=False)[0].shape == (shape[0], k)
    with pytest.raises(ValueError, match="qr: mode must be"):
        linalg.qr(x, mode="r")


@settings(max_examples=25, deadline=None)
@given(n=st.integers(0, 4), k=st.integers(1, 3), sa=st.sampled_from([(), (2,), (3, 1), (1,)]),
       sb=st.sampled_from([(), (2,), (1, 2), "vec"]), c=st.integers(1, 4), seed=st.integers(0, 2**16))
def test_batched_solve_as_numpy(n, k, sa, sb, c, seed):
    """The Array API's solve: stacks broadcast; a 1-d b is one vector for every matrix."""
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(sa + (n, n)) + 4 * n * np.eye(n)
    b = rng.standard_normal((n,) if sb == "vec" else sb + (n, k))
    if a.ndim == 2 and b.ndim <= 2:
        return  # the 2-d form has its own tests
    try:
        exp = np.linalg.solve(a, b)
    except ValueError:
        with pytest.raises(ValueError, match="solve"):
            linalg.solve(da.from_array(a, chunks=c), da.from_array(b, chunks=c))
        return
    got = linalg.solve(da.from_array(a, chunks=c), da.from_array(b, chunks=c))
    assert got.shape == exp.shape
    np.testing.assert_allclose(got.compute(), exp, rtol=1e-10, atol=1e-10)


def test_matrix_rank_with_a_tolerance_per_matrix():
    a = np.stack([np.diag([3.0, 1e-3, 0.0]), np.diag([3.0, 2.0, 1.0])])
    x = da.from_array(a, chunks=2)
    rt = np.array([1e-2, 1e-6])
    assert_same(linalg.matrix_rank(x, rtol=rt).compute(), np.linalg.matrix_rank(a, rtol=rt))
    assert_same(linalg.matrix_rank(x, rtol=da.asarray(rt)).compute(), np.linalg.matrix_rank(a, rtol=rt))
    assert_same(linalg.matrix_rank(x, tol=np.array([0.5, 0.5])).compute(),
                np.linalg.matrix_rank(a, tol=np.array([0.5, 0.5])))


@settings(max_examples=20, deadline=None)
@given(m=st.integers(1, 5), n=st.integers(1, 5), c=st.integers(1, 5), seed=st.integers(0, 2**16),
       ord=st.sampled_from([None, "fro", 1, -1, np.inf, -np.inf]), dtype=st.sampled_from(["complex64", "complex128"]))
def test_complex_norms_and_matrix_power_match_numpy(m, n, c, seed, ord, dtype):
    rng = np.random.default_rng(seed)
    a = (rng.standard_normal((m, n)) + 1j * rng.standard_normal((m, n))).astype(dtype)
    x = da.from_array(a, chunks=c)
    got, want = linalg.norm(x, ord=ord).compute(), np.linalg.norm(a, ord=ord)
    assert got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=1e-5)
    np.testing.assert_allclose(linalg.vector_norm(x, axis=1, ord=3).compute(), np.linalg.vector_norm(a, axis=1, ord=3), rtol=1e-5)
    s = a[:, :1] * a[:, :1].T  # square, m x m
    np.testing.assert_allclose(linalg.matrix_power(da.from_array(s, chunks=c), 3).compute(), np.linalg.matrix_power(s, 3),
                               rtol=1e-4, atol=1e-4 * np.abs(s).max() ** 3)


@pytest.mark.parametrize("f", [lambda z: linalg.solve(z, z, assume_a="pos"), lambda z: linalg.eigh(z),
                               lambda z: linalg.lu(z)])
def test_complex_decompositions_are_refused_when_built(f):
    z = da.ones((3, 3), dtype="complex128", chunks=2)
    with pytest.raises(TypeError, match="complex matrices are not supported yet"):
        f(z)


@settings(max_examples=25, deadline=None)
@given(m=st.integers(1, 5), n=st.integers(1, 5), stack=st.integers(0, 2), c=st.integers(1, 5),
       seed=st.integers(0, 2**16), dtype=st.sampled_from(["complex64", "complex128"]))
def test_complex_matrices_as_numpy(m, n, stack, c, seed, dtype):
    """det, slogdet, inv, solve (square), qr, svd, svdvals, matrix_rank, linalg.diagonal and
    linalg.trace of complex matrices (and stacks): NumPy's values and dtypes."""
    rng = np.random.default_rng(seed)
    shape = (stack,) * bool(stack) + (m, n)
    a = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)
    x = da.from_array(a, chunks=c)
    tol = 2e-3 if dtype == "complex64" else 1e-9
    close = dict(rtol=tol, atol=tol)
    q, r = linalg.qr(x)
    assert q.dtype == r.dtype == np.linalg.qr(a)[0].dtype
    assert_same((q @ r).compute(), a, **close)
    u, s, v = linalg.svd(x, full_matrices=False)
    es = np.linalg.svd(a)[1]
    assert s.dtype == es.dtype and u.dtype == v.dtype == a.dtype
    assert_same(s.compute(), es, **close)
    assert_same(((u * s[..., None, :]) @ v).compute(), a, **close)
    assert_same(linalg.svdvals(x).compute(), es, **close)
    assert_same(linalg.matrix_rank(x).compute(), np.linalg.matrix_rank(a))
    assert_same(linalg.diagonal(x, offset=1).compute(), np.linalg.diagonal(a, offset=1))
    for o in (2, -2, "nuc"):
        if min(m, n):
            assert_same(linalg.matrix_norm(x, ord=o, keepdims=True).compute(),
                        np.linalg.matrix_norm(a, ord=o, keepdims=True), **close)
    assert_same(linalg.trace(x, offset=-1).compute(), np.linalg.trace(a, offset=-1), **close)
    sq = a[..., :m, :m] if n >= m else None
    if sq is not None:
        sq = sq + 3 * m * np.eye(m, dtype=dtype)  # well conditioned
        y = da.from_array(sq, chunks=c)
        assert_same(linalg.det(y).compute(), np.linalg.det(sq), **close)
        sign, logabs = linalg.slogdet(y)
        es, el = np.linalg.slogdet(sq)
        assert_same(sign.compute(), es, **close)
        assert_same(logabs.compute(), el, **close)
        assert_same(linalg.inv(y).compute(), np.linalg.inv(sq), **close)
        h = sq @ np.conj(np.swapaxes(sq, -1, -2))  # Hermitian positive definite
        assert_same(linalg.cholesky(da.from_array(h, chunks=c), lower=True).compute(), np.linalg.cholesky(h),
                    rtol=tol * 10, atol=tol * 10 * np.abs(h).max())
        assert_same(linalg.cholesky(da.from_array(h, chunks=c)).compute(), np.linalg.cholesky(h, upper=True),
                    rtol=tol * 10, atol=tol * 10 * np.abs(h).max())
        if not stack:
            b = a[:, :1] if n else a
            assert_same(linalg.solve(y, da.from_array(b, chunks=c)).compute(), np.linalg.solve(sq, b), **close)


@settings(max_examples=20, deadline=None)
@given(n=st.integers(1, 5), stack=st.integers(0, 3), c=st.integers(1, 5), seed=st.integers(0, 2**16),
       dtype=st.sampled_from(["float64", "float32", "complex128"]))
def test_eig_and_eigvals_of_general_matrices(n, stack, c, seed, dtype):
    """The Array API's eig/eigvals (complex results), on stacks, any chunking: A v = w v."""
    rng = np.random.default_rng(seed)
    shape = ((stack,) if stack else ()) + (n, n)
    a = rng.standard_normal(shape) + (1j * rng.standard_normal(shape) if dtype == "complex128" else 0)
    a = a.astype(dtype)
    x = da.from_array(a, chunks=c)
    w, v = linalg.eig(x)
    want = np.complex64 if dtype == "float32" else np.complex128
    assert w.dtype == v.dtype == want and w.shape == shape[:-1] and v.shape == shape
    w, v = w.compute(), v.compute()
    tol = 1e-3 if dtype == "float32" else 1e-9
    np.testing.assert_allclose(a @ v, v * w[..., None, :], atol=tol * max(1.0, np.abs(a).max()) * n)
    np.testing.assert_allclose(np.sort_complex(linalg.eigvals(x).compute().reshape(-1, n)),
                               np.sort_complex(np.linalg.eigvals(a).reshape(-1, n)).astype(want), rtol=tol, atol=tol)
    with pytest.raises(np.linalg.LinAlgError, match="eig: Last 2 dimensions"):
        linalg.eig(da.ones((2, 3)))


@settings(max_examples=20, deadline=None)
@given(shape=st.tuples(st.integers(0, 3), st.integers(1, 4), st.integers(1, 4)), c=st.integers(1, 4),
       seed=st.integers(0, 2**16), full=st.booleans())
def test_stacked_qr_svd_match_numpy(shape, c, seed, full):
    """Stacks of matrices (the Array API's batched qr/svd/svdvals), each matrix in one block."""
    a = np.random.default_rng(seed).standard_normal(shape)
    x = da.from_array(a, chunks=c)
    q, r = linalg.qr(x, mode="complete" if full else "reduced")
    want_q, want_r = np.linalg.qr(a, mode="complete" if full else "reduced")
    assert q.shape == want_q.shape and r.shape == want_r.shape
    np.testing.assert_allclose((q @ r).compute(), a, atol=1e-10)
    u, s, vh = linalg.svd(x, full_matrices=full)
    U, S, VH = np.linalg.svd(a, full_matrices=full)
    assert (u.shape, s.shape, vh.shape) == (U.shape, S.shape, VH.shape)
    np.testing.assert_allclose(s.compute(), S, atol=1e-10)
    np.testing.assert_allclose(linalg.svdvals(x).compute(), S, atol=1e-10)
    # No full_matrices=: Dask's reduced factors, for a stack as for each of its matrices.
    assert [f.shape for f in linalg.svd(x)] == [f.shape for f in np.linalg.svd(a, full_matrices=False)]
    if len(a):
        assert [f.shape for f in linalg.svd(x[0])] == [f.shape for f in np.linalg.svd(a[0], full_matrices=False)]


def test_tsqr_q_is_orthogonal_for_rank_deficient_matrices_in_short_blocks():
    # Blocks with fewer rows than columns: zero-padded R rows once let the second QR put a
    # column of Q where the first level had none (this matrix has rank 3).
    a = np.array([[6, -7, -6, -5], [0, 0, 0, 0], [0, -1, -1, 3], [-2, 2, 0, -1]])
    for chunks in ((1, -1), (3, -1), ((2, 1, 1), -1)):
        q, r = linalg.tsqr(da.from_array(a, chunks=chunks))
        qn, rn = q.compute(), r.compute()
        _ortho(qn, 4, 1e-10)
        np.testing.assert_allclose(qn @ rn, a, atol=1e-10)
