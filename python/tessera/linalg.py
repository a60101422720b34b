"""``tessera.linalg``: linear algebra on chunked arrays, with ``dask.array.linalg``'s names.

Per-block factorizations call NumPy's LAPACK (``numpy.linalg``) through block functions:
LAPACK releases the GIL, so they run on every worker, NumPy's errors
(``numpy.linalg.LinAlgError`` for singular or non-positive-definite matrices) reach the
caller unchanged, and the factorizations are NumPy's own. Products between blocks are
tessera's contractions (faer GEMM, a fixed sum tree).

What needs which chunking:

- ``tsqr`` (tall-and-skinny QR, SVD): the columns in one chunk; rows chunked any way.
- ``sfqr`` (short-and-fat QR): the rows in one chunk and the first column chunk at least
  as wide as there are rows.
- ``qr``, ``svd``, ``lstsq``, ``pinv``, ``norm`` (ord 2, -2, 'nuc'), ``matrix_rank`` of a
  2-d array take any chunking: an array whose chunking fits neither form is rechunked
  (columns into one chunk when it has at least as many rows as columns, else rows into
  one chunk); ``svd_compressed`` takes any chunking as it is.
- ``cholesky``, ``lu``, ``solve``, ``solve_triangular``, ``inv``, ``det``, ``slogdet``,
  ``eigh``, ``eigvalsh`` (and stacks of matrices for those NumPy stacks) factor each
  matrix as one block: its last two axes are rechunked into one chunk (leading axes keep
  theirs). The matrix must fit in memory as one block; the memory limit's check refuses a
  plan whose block cannot fit before anything runs.
"""

from __future__ import annotations

import numbers
from collections import namedtuple

import numpy as np
from numpy.linalg import LinAlgError

from ._array import Array, to_array
from ._blockwise import _build, map_blocks
from ._products import matmul
from ._reduction import validate_axis

__all__ = ["tsqr", "sfqr", "qr", "svd", "svdvals", "svd_compressed", "compression_level", "compression_matrix",
           "svd_flip", "cholesky", "lu", "solve", "solve_triangular", "lstsq", "inv", "pinv", "det",
           "slogdet", "eigh", "eigvalsh", "eig", "eigvals", "norm", "matrix_norm", "vector_norm", "matrix_power",
           "matrix_rank", "cross", "trace", "diagonal", "matmul", "tensordot", "vecdot", "outer",
           "matrix_transpose", "LinAlgError"]

from ._products import matrix_transpose, outer, tensordot, vecdot  # noqa: E402
from ._layout import diagonal as _diagonal  # noqa: E402
from ._layout import trace as _trace  # noqa: E402


def diagonal(x, /, *, offset=0):
    """The Array API's (and NumPy's) ``linalg.diagonal``: over the last two axes."""
    return _diagonal(x, offset, -2, -1)


def trace(x, /, *, offset=0, dtype=None):
    """The Array API's (and NumPy's) ``linalg.trace``: over the last two axes."""
    return _trace(x, offset, -2, -1, dtype=dtype)

EighResult = namedtuple("EighResult", ["eigenvalues", "eigenvectors"])
SlogdetResult = namedtuple("SlogdetResult", ["sign", "logabsdet"])
QRResult = namedtuple("QRResult", ["Q", "R"])
SVDResult = namedtuple("SVDResult", ["U", "S", "Vh"])
EigResult = namedtuple("EigResult", ["eigenvalues", "eigenvectors"])


def _chunks_text(a):
    return f"shape {a.shape}, chunks {a.chunks}"


def _float_dtype(dtype):
    """The dtype NumPy's LAPACK wrappers return for `dtype` (float32 stays, else float64)."""
    return np.dtype(np.float32) if np.dtype(dtype) == np.float32 else np.dtype(np.float64)


def _lapack_dtype(dtype):
    """The dtype NumPy's LAPACK wrappers return for `dtype`, complex kept: complex64 and
    float32 stay, other complex give complex128, the rest float64."""
    d = np.dtype(dtype)
    if d.kind == "c":
        return np.dtype(np.complex64 if d == np.complex64 else np.complex128)
    return _float_dtype(d)


def _real_dtype(dtype):
    """The real dtype of `dtype`'s LAPACK results (singular values, log-determinants)."""
    return np.dtype(np.float32) if np.dtype(dtype) in (np.float32, np.complex64) else np.dtype(np.float64)


def _real(a, op):
    """Refuses complex matrices where the block kernels are real-only (a clear error, not
    NumPy's silent cast dropping the imaginary parts)."""
    if np.dtype(a.dtype).kind == "c":
        raise TypeError(f"{op}: complex matrices are not supported yet (got {a.dtype}); the products, "
                        "matrix_power, the norms and the factorizations of the Array API take them")
    return a


def _matrix(a, op):
    a = _real(to_array(a, op), op)
    if a.ndim != 2:
        raise ValueError(f"{op}: needs a 2-d array, got {a.ndim}-d ({_chunks_text(a)})")
    return a


def _block_id(block_id, kw):
    kw["block_id"] = tuple(block_id)


# -- QR --------------------------------------------------------------------------------------

def _qr_packed(b, n, dt):
    """The reduced QR of one row block, packed as one array [Q; R] of n columns: Q padded
    with zero columns and R with zero rows to n (a block with fewer rows than columns)."""
    c = b.shape[0]
    out = np.zeros((c + n, n), dtype=dt)
    if c and n:
        q, r = np.linalg.qr(np.asarray(b, dtype=dt))
        k = q.shape[1]
        out[:c, :k] = q
        out[c:c + k, :] = r
    return out


def _q_times(packed, q2, n, offsets, block_id):
    """A row block's part of Q: its first-level Q times its rows of the second-level Q."""
    lo, hi = offsets[block_id[0]], offsets[block_id[0] + 1]
    return packed[:packed.shape[0] - n, :hi - lo] @ q2[lo:hi]


def tsqr(data, compute_svd=False, _max_vchunk_size=None):
    """QR (or, with ``compute_svd=True``, SVD) of a tall-and-skinny array: the columns in
    one chunk, rows chunked any way (uneven and short chunks too). Returns ``q, r`` or
    ``u, s, v`` (``v`` is NumPy's ``vh``). One QR per row block, one QR of the stacked R
    factors, then one small product per row block."""
    op = "tsqr"
    a = _matrix(data, op)
    if len(a.chunks[1]) != 1:
        raise ValueError(
            f"{op}: needs the columns in one chunk (tall-and-skinny), got {_chunks_text(a)}; "
            f"rechunk with {{1: -1}} or call qr/svd, which do"
        )
    m, n = a.shape
    if m < n:
        raise ValueError(f"{op}: needs at least as many rows as columns, got {_chunks_text(a)}; use sfqr or qr")
    dt = _float_dtype(a.dtype)
    # Level 1: [Q_i; R_i] per row block (one QR each, shared by Q and R).
    packed = map_blocks(_qr_packed, a, chunks=(tuple(c + n for c in a.chunks[0]), (n,)), dtype=dt,
                        name="tsqr-qr", n=n, dt=dt)
    # Only the k = min(rows, n) real rows of each R are stacked: padding rows of zeros would
    # let the second QR put columns of Q there when A is rank-deficient, and lose them.
    ks = tuple(min(c, n) for c in a.chunks[0])
    offsets = np.concatenate([[0], np.cumsum(ks)]).tolist()
    rs = map_blocks(lambda b: b[b.shape[0] - n:][:min(b.shape[0] - n, n)], packed, chunks=(ks, (n,)), dtype=dt,
                    name="tsqr-r")
    # Level 2: QR of the stacked R factors (sum(ks) x n, one block).
    k = offsets[-1]
    top = map_blocks(_qr_packed, rs.rechunk({0: -1}), chunks=((k + n,), (n,)), dtype=dt, name="tsqr-qr2",
                     n=n, dt=dt)
    q2, r = top[:k], top[k:]
    q = _build(_q_times, "ij", [(packed, "ij"), (q2, "kj")], name="tsqr-q", dtype=dt, new_axes=None,
               adjust_chunks={"i": a.chunks[0]}, concatenate=True, align=False, op=op, extra=_block_id,
               kwargs={"n": n, "offsets": offsets})
    if not compute_svd:
        return q, r
    # SVD of R (n x n, one block), packed as [U_r; Vh; s].
    usv = map_blocks(_svd_packed, r, chunks=((2 * n + 1,), (n,)), dtype=dt, name="tsqr-svd")
    u = matmul(q, usv[:n])
    return u, usv[2 * n], usv[n:2 * n]


def _svd_packed(r):
    n = r.shape[1]
    out = np.empty((2 * n + 1, n), dtype=r.dtype)
    if n:
        u, s, vh = np.linalg.svd(r)
        out[:n], out[n:2 * n], out[2 * n] = u, vh, s
    return out


def _sf_block(b, head, m, block_id):
    """A column block of R for sfqr: R_1 for the first block, Q^T A_j for the others."""
    q = head[:, :m]
    if block_id[1] == 0:
        return head[:, m:]
    return q.T @ b


def _qr_full_packed(b, m, dt):
    """[Q | R] of a block with m rows and at least m columns: Q (m x m), R (m x c)."""
    out = np.zeros((m, m + b.shape[1]), dtype=dt)
    if m:
        q, r = np.linalg.qr(np.asarray(b, dtype=dt))
        out[:, :q.shape[1]] = q
        out[:r.shape[0], m:] = r
    return out


def sfqr(data, name=None):
    """QR of a short-and-fat array: the rows in one chunk and the first column chunk at
    least as wide as there are rows. ``Q`` comes from the first column block's QR, and
    ``R``'s other column blocks are ``Q.T @ A_j``."""
    op = "sfqr"
    a = _matrix(data, op)
    m, n = a.shape
    if len(a.chunks[0]) != 1:
        raise ValueError(f"{op}: needs the rows in one chunk (short-and-fat), got {_chunks_text(a)}")
    c1 = a.chunks[1][0]
    if c1 < m:
        raise ValueError(
            f"{op}: the first column chunk ({c1}) must be at least as wide as there are rows ({m}): {_chunks_text(a)}"
        )
    dt = _float_dtype(a.dtype)
    head = map_blocks(_qr_full_packed, a[:, :c1], chunks=((m,), (m + c1,)), dtype=dt, name="sfqr-qr", m=m, dt=dt)
    q = head[:, :m]
    r = _build(_sf_block, "ij", [(a, "ij"), (head, "ik")], name="sfqr-r", dtype=dt, new_axes=None,
               adjust_chunks=None, concatenate=True, align=False, op=op, extra=_block_id, kwargs={"m": m})
    return q, r


def _tall_or_fat(a, op):
    """`a` rechunked (if needed) for tsqr (True) or sfqr (False)."""
    m, n = a.shape
    if m >= n:
        return (a if len(a.chunks[1]) == 1 else a.rechunk({1: -1})), True
    if len(a.chunks[0]) == 1 and a.chunks[1][0] >= m:
        return a, False
    first = max(m, a.chunks[1][0])
    rest = n - first
    cols = (first,) + ((max(first, 1),) * (rest // max(first, 1)) + ((rest % max(first, 1),) if rest % max(first, 1) else ()) if rest else ())
    return a.rechunk(((m,), cols)), False


def qr(a, mode="reduced"):
    """QR of a 2-d array: TSQR when tall (rows >= columns), sfqr when short-and-fat.
    Chunkings that fit neither are rechunked (columns into one chunk when rows >=
    columns, else rows into one chunk): see the module's notes. Returns ``(Q, R)``
    with NumPy's reduced shapes. ``mode="complete"`` (the Array API's) is the same where
    rows <= columns; the complete Q of a tall matrix is not implemented."""
    if mode not in ("reduced", "complete"):
        raise ValueError(f"qr: mode must be 'reduced' or 'complete', got {mode!r}")
    a = to_array(a, "qr")
    if a.ndim > 2 or (a.ndim == 2 and a.dtype.kind == "c"):
        # Stacks, and complex matrices (one block each: TSQR is real-only), by NumPy's qr.
        return QRResult(*_stacked("qr", np.linalg.qr, a, 2, mode=mode))
    a = _matrix(a, "qr")
    if mode == "complete" and a.shape[0] > a.shape[1]:
        # The complete Q of a tall matrix: one block, by NumPy's qr (TSQR gives the reduced Q).
        return QRResult(*_stacked("qr", np.linalg.qr, a, 2, mode=mode))
    a, tall = _tall_or_fat(a, "qr")
    return QRResult(*(tsqr(a) if tall else sfqr(a)))


def _stacked(op, func, a, nout, **kw):
    """A stack of matrices (more than 2 dimensions), each in one block: NumPy's `func`
    per block, one lazy output per factor (the Array API's batched qr/svd)."""
    a1 = _one_block(a)
    m, n = a1.shape[-2:]
    k = min(m, n)
    full = kw.get("mode") == "complete" or kw.get("full_matrices")
    shapes = [(m, m if full else k), (m if full else k, n)] if op == "qr" else \
        [(m, m if full else k), (k,), (n if full else k, n)]
    if a1.ndim < 2:
        raise LinAlgError(f"{op}: {a1.ndim}-dimensional array given. Array must be at least two-dimensional")
    # Singular values are real; the factors keep a complex dtype.
    dts = [_real_dtype(a1.dtype) if len(shape) == 1 else _lapack_dtype(a1.dtype) for shape in shapes]
    return [map_blocks(lambda b, i=i: func(b, **kw)[i].astype(dts[i], copy=False), a1,
                       chunks=tuple(a1.chunks[:-2]) + tuple((d,) for d in shape), dtype=dts[i],
                       drop_axis=[] if len(shape) == 2 else [a1.ndim - 1], name=op)
            for i, shape in enumerate(shapes[:nout])]


def svd_flip(u, v, u_based_decision=False):
    """Signs of singular vectors made deterministic, as Dask's ``svd_flip``."""
    if u_based_decision:
        signs = u.sum(axis=0, keepdims=True)
    else:
        signs = v.sum(axis=1, keepdims=True).T
    signs = 2.0 * ((signs >= 0).astype(u.dtype) - 0.5)
    return u * signs.astype(u.dtype), v * signs.T.astype(v.dtype)


def svd(a, coerce_signs=True, *, full_matrices=None):
    """SVD of a 2-d array by TSQR (a short-and-fat array through its transpose): ``u, s,
    v`` with ``a == u @ diag(s) @ v`` and NumPy's reduced shapes (Dask's default; the
    Array API's ``full_matrices=False``, for stacks too: one default for every input).
    ``full_matrices=True``: the complete factors (of a non-square matrix from one block, by
    NumPy). Other chunkings are rechunked as for ``qr``."""
    op = "svd"
    a = to_array(a, op)
    if a.ndim > 2 or (a.ndim == 2 and a.dtype.kind == "c"):
        # Stacks, and complex matrices (one block each: TSQR is real-only), by NumPy's svd.
        return SVDResult(*_stacked(op, np.linalg.svd, a, 3, full_matrices=bool(full_matrices)))
    a = _matrix(a, op)
    if full_matrices and a.shape[0] != a.shape[1]:
        # The complete factors: one block, by NumPy's svd (TSQR gives the reduced ones).
        return SVDResult(*_stacked(op, np.linalg.svd, a, 3, full_matrices=True))
    m, n = a.shape
    if m >= n:
        t = a if len(a.chunks[1]) == 1 else a.rechunk({1: -1})
        u, s, v = tsqr(t, compute_svd=True)
    else:
        t = a.T if len(a.chunks[0]) == 1 else a.T.rechunk({1: -1})
        vt, s, ut = tsqr(t, compute_svd=True)
        u, v = ut.T, vt.T
    if coerce_signs:
        u, v = svd_flip(u, v)
    return SVDResult(u, s, v)


def svdvals(x, /):
    """The singular values of a 2-d array (``svd``'s ``s``), in descending order."""
    return svd(x, coerce_signs=False)[1]


def compression_level(n, q, n_oversamples=10, min_subspace_size=20):
    """The size of the subspace svd_compressed projects onto (Dask's rule)."""
    return min(max(min_subspace_size, q + n_oversamples), n)


def compression_matrix(data, q, iterator="power", n_power_iter=0, n_oversamples=10, seed=None, compute=False):
    """An orthonormal basis (transposed) of a random projection of `data`'s range, as
    Dask's ``compression_matrix``: ``iterator`` "power" or "QR", ``n_power_iter`` passes."""
    from . import random

    op = "compression_matrix"
    if iterator not in ("power", "QR"):
        raise ValueError(f"{op}: iterator must be 'power' or 'QR', got {iterator!r}")
    data = _matrix(data, op)
    m, n = data.shape
    comp_level = compression_level(min(m, n), q, n_oversamples)
    state = seed if isinstance(seed, random.RandomState) else random.RandomState(seed)
    dt = np.float32 if data.dtype == np.float32 else np.float64
    omega = state.standard_normal(size=(n, comp_level), chunks=(data.chunks[1], (comp_level,))).astype(dt)
    mat_h = data.dot(omega)
    if iterator == "power":
        for _ in range(n_power_iter):
            if compute:
                mat_h = mat_h.persist()
            tmp = data.T.dot(mat_h)
            if compute:
                tmp = tmp.persist()
            mat_h = data.dot(tmp)
        q_, _ = tsqr(mat_h)
    else:
        q_, _ = tsqr(mat_h)
        for _ in range(n_power_iter):
            if compute:
                q_ = q_.persist()
            q_, _ = tsqr(data.T.dot(q_))
            if compute:
                q_ = q_.persist()
            q_, _ = tsqr(data.dot(q_))
    return q_.T


def svd_compressed(a, k, iterator="power", n_power_iter=0, n_oversamples=10, seed=None, compute=False,
                   coerce_signs=True):
    """Randomized SVD of rank `k` (Halko, Martinsson and Tropp), as Dask's
    ``svd_compressed``: works on any chunking. ``compute=True`` persists the intermediate
    bases (the input is then read fewer times over); ``seed`` or a ``RandomState`` fixes
    the projection."""
    op = "svd_compressed"
    a = _matrix(a, op)
    if isinstance(k, (bool, np.bool_)) or not isinstance(k, numbers.Integral) or k < 1:
        raise ValueError(f"{op}: k must be a positive integer, got {k!r}")
    comp = compression_matrix(a, k, iterator=iterator, n_power_iter=n_power_iter, n_oversamples=n_oversamples,
                              seed=seed, compute=compute)
    if compute:
        comp = comp.persist()
    a_compressed = comp.dot(a)
    t = a_compressed.T
    if len(t.chunks[1]) != 1:
        t = t.rechunk({1: -1})
    v, s, u = tsqr(t, compute_svd=True)
    u = comp.T.dot(u.T)
    v = v.T
    u, s, v = u[:, :k], s[:k], v[:k, :]
    if coerce_signs:
        u, v = svd_flip(u, v)
    return u, s, v


# -- one matrix per block ----------------------------------------------------------------------

def _square(a, op, min_ndim=2, complex_ok=False):
    a = to_array(a, op)
    if not complex_ok:
        _real(a, op)
    if a.ndim < min_ndim:
        raise LinAlgError(f"{op}: {a.ndim}-dimensional array given. Array must be at least two-dimensional")
    if a.shape[-1] != a.shape[-2]:
        raise LinAlgError(f"{op}: Last 2 dimensions of the array must be square, got {_chunks_text(a)}")
    return a


def _one_block(a):
    """`a` with each matrix (its last two axes) in one chunk."""
    nd = a.ndim
    if len(a.chunks[-1]) == 1 and len(a.chunks[-2]) == 1:
        return a
    return a.rechunk({nd - 2: -1, nd - 1: -1})


def _per_matrix(func, a, op, dtype, drop=0, name=None, **kw):
    """`func` on each block of matrices: drops the last `drop` axes of the result."""
    a = _one_block(a)
    if drop == 0:
        return map_blocks(func, a, dtype=dtype, name=name or op, **kw)
    return map_blocks(func, a, dtype=dtype, name=name or op, drop_axis=list(range(a.ndim - drop, a.ndim)), **kw)


def _chol(b, lower):
    c = np.linalg.cholesky(b)
    # The upper factor is the conjugate transpose of the lower one.
    return c if lower else np.swapaxes(c, -1, -2).conj()


def cholesky(a, lower=False, *, upper=None):
    """Cholesky factor of a symmetric positive-definite matrix: upper (``a = U.T @ U``)
    by default, as Dask's, lower with ``lower=True``; the Array API's ``upper=`` wins when
    given. A matrix that is not positive definite raises NumPy's ``LinAlgError`` at
    compute."""
    op = "cholesky"
    if upper is not None:
        lower = not upper
    a = _square(a, op, complex_ok=True)
    return _per_matrix(_chol, a, op, _lapack_dtype(a.dtype), lower=bool(lower))


def _lu_factor(a):
    """P, L, U with a = P @ L @ U (partial pivoting), as scipy.linalg.lu."""
    n = a.shape[0]
    u = np.array(a, dtype=np.float64 if a.dtype != np.float32 else np.float32)
    lo = np.eye(n, dtype=u.dtype)
    perm = np.arange(n)
    for k in range(n - 1):
        piv = k + int(np.argmax(np.abs(u[k:, k])))
        if piv != k:
            u[[k, piv], :] = u[[piv, k], :]
            lo[[k, piv], :k] = lo[[piv, k], :k]
            perm[[k, piv]] = perm[[piv, k]]
        if u[k, k] != 0:
            f = u[k + 1:, k] / u[k, k]
            lo[k + 1:, k] = f
            u[k + 1:, k:] -= np.outer(f, u[k, k:])
    p = np.zeros((n, n), dtype=u.dtype)
    p[perm, np.arange(n)] = 1
    return np.stack([p, lo, np.triu(u)])


def lu(a):
    """LU with partial pivoting of a square matrix: ``p, l, u`` with ``a = p @ l @ u``
    (scipy's convention, as Dask's)."""
    op = "lu"
    a = _square(a, op)
    if a.ndim != 2:
        raise ValueError(f"{op}: needs a 2-d array, got {_chunks_text(a)}")
    n = a.shape[0]
    a1 = _one_block(a)
    plu = map_blocks(_lu_factor, a1, chunks=((3,), (n,), (n,)), new_axis=0, dtype=_float_dtype(a.dtype), name=op)
    return plu[0], plu[1], plu[2]


def _rhs(a, b, op):
    n = a.shape[-1]
    b = to_array(b, op)
    if b.ndim not in (1, 2) or b.shape[0] != n:
        raise ValueError(f"{op}: b must have shape ({n},) or ({n}, k) for a of {_chunks_text(a)}, got {_chunks_text(b)}")
    return b if len(b.chunks[0]) == 1 else b.rechunk({0: -1})


def _solve_with(func, a, b, op, dtype, **kw):
    """`func(A, b_block)` for each column block of `b`, with `A` (one block) passed whole."""
    a1 = _one_block(a)
    out = "i" if b.ndim == 1 else "ij"
    return _build(func, out, [(a1, "xy"), (b, out)], name=op, dtype=dtype, new_axes=None, adjust_chunks=None,
                  concatenate=True, align=False, op=op, kwargs=kw)


def _solve_block(A, B):
    return np.linalg.solve(A, B)


def solve(a, b, sym_pos=None, assume_a="gen"):
    """Solves ``a @ x = b`` for a square `a` (one block) and `b` of shape (n,) or (n, k)
    (its columns chunked any way, one task per column block). A singular `a` raises
    NumPy's ``LinAlgError`` at compute. ``assume_a="pos"`` (or ``sym_pos=True``) solves
    through Cholesky, as Dask does."""
    op = "solve"
    a = _square(a, op, complex_ok=True)
    b = to_array(b, op)
    if (a.ndim > 2 or b.ndim > 2) and assume_a == "gen" and not sym_pos:
        return _stacked_solve(a, b, op)
    if a.ndim != 2:
        raise ValueError(f"{op}: needs a 2-d a, got {_chunks_text(a)}")
    if assume_a not in ("gen", "pos"):
        raise ValueError(f"{op}: assume_a must be 'gen' or 'pos', got {assume_a!r}")
    b = _rhs(a, b, op)
    dt = np.result_type(_lapack_dtype(a.dtype), _lapack_dtype(b.dtype))
    if (sym_pos or assume_a == "pos") and dt.kind == "c":
        raise TypeError(f"{op}: complex matrices are not supported yet with assume_a='pos' (got {dt})")
    if sym_pos or assume_a == "pos":
        return _solve_with(_solve_pos, a, b, op, dt)
    return _solve_with(_solve_block, a, b, op, dt)


def _stacked_solve(a, b, op):
    """The Array API's (and NumPy's) batched solve: ``a`` (..., n, n) and ``b`` (..., n, k),
    or ``b`` (n,) as one vector for every matrix; stacks broadcast, one matrix per block."""
    from ._creation import broadcast_to

    n = a.shape[-1]
    vec = b.ndim == 1
    if vec:
        b = b[:, None]
    if b.shape[-2] != n:
        raise ValueError(f"{op}: b must have shape ({n},) or (..., {n}, k) for a of {_chunks_text(a)}, "
                         f"got {_chunks_text(b)}")
    try:
        batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise ValueError(f"{op}: the stacks of a {a.shape} and b {b.shape} do not broadcast") from None
    a2 = _one_block(broadcast_to(a, batch + a.shape[-2:]))
    b2 = broadcast_to(b, batch + b.shape[-2:])
    nd = len(batch) + 2
    b2 = b2.rechunk({**{i: a2.chunks[i] for i in range(nd - 2)}, nd - 2: -1, nd - 1: -1})
    dt = np.result_type(_lapack_dtype(a.dtype), _lapack_dtype(b.dtype))
    out = map_blocks(lambda x, y: np.linalg.solve(x, y).astype(dt, copy=False), a2, b2, dtype=dt, chunks=b2.chunks,
                     name=op)
    return out[..., 0] if vec else out


def _solve_pos(A, B):
    c = np.linalg.cholesky(A)
    y = _tri_solve(c, B, True)
    return _tri_solve(c.T, y, False)


def _tri_solve(A, B, lower):
    """Triangular solve by substitution on the rows (numpy.linalg has no triangular
    solver; scipy is not a dependency). A zero on the diagonal raises LinAlgError."""
    A = np.tril(A) if lower else np.triu(A)
    d = np.diagonal(A)
    if np.any(d == 0):
        raise LinAlgError(f"solve_triangular: singular matrix: zero on the diagonal at {int(np.argmin(np.abs(d)))}")
    n = A.shape[0]
    x = np.array(B, dtype=np.result_type(A.dtype, B.dtype, np.float32), copy=True)
    order = range(n) if lower else range(n - 1, -1, -1)
    for i in order:
        s = A[i, :i] @ x[:i] if lower else A[i, i + 1:] @ x[i + 1:]
        x[i] = (x[i] - s) / A[i, i]
    return x


def solve_triangular(a, b, lower=False):
    """Solves ``a @ x = b`` for a triangular `a` (upper by default; only its triangle is
    read), one task per column block of `b`."""
    op = "solve_triangular"
    a = _square(a, op)
    if a.ndim != 2:
        raise ValueError(f"{op}: needs a 2-d a, got {_chunks_text(a)}")
    b = _rhs(a, b, op)
    dt = np.result_type(_float_dtype(a.dtype), _float_dtype(b.dtype))
    return _solve_with(_tri_solve, a, b, op, dt, lower=bool(lower))


def lstsq(a, b):
    """Least squares by QR (TSQR for tall `a`): ``x, residuals, rank, s`` as Dask's
    (``residuals`` the squared 2-norms of ``b - a @ x`` per column, ``rank`` and the
    singular values ``s`` from R)."""
    op = "lstsq"
    a = _matrix(a, op)
    b = to_array(b, op)
    if b.ndim not in (1, 2) or b.shape[0] != a.shape[0]:
        raise ValueError(f"{op}: b must have {a.shape[0]} rows to match a: a {_chunks_text(a)}, b {_chunks_text(b)}")
    m, n = a.shape
    if m < n:
        raise ValueError(f"{op}: needs at least as many rows as columns (tall a), got {_chunks_text(a)}")
    q, r = qr(a)
    x = solve_triangular(r, matmul(q.T, b))
    residuals = ((b - matmul(a, x)) ** 2).sum(axis=0)
    s = svd_values(r)
    rank = (s > s.max() * max(m, n) * np.finfo(s.dtype).eps).sum()
    return x, residuals, rank, s


def svd_values(a):
    """Singular values of a matrix in one block (small: R factors)."""
    a1 = _one_block(a)
    return map_blocks(lambda b: np.linalg.svd(b, compute_uv=False).astype(_real_dtype(a.dtype), copy=False), a1,
                      drop_axis=[a1.ndim - 1], chunks=tuple(a1.chunks[:-2]) + ((min(a.shape[-2:]),),),
                      dtype=_real_dtype(a.dtype), name="svdvals")


def inv(a):
    """Inverse of a square matrix (or stack), each in one block; singular matrices raise
    NumPy's ``LinAlgError`` at compute."""
    a = _square(a, "inv", complex_ok=True)
    return _per_matrix(np.linalg.inv, a, "inv", _lapack_dtype(a.dtype))


_NOVALUE = object()


def pinv(a, rcond=None, hermitian=False, *, rtol=_NOVALUE):
    """Moore-Penrose pseudo-inverse (NumPy's cutoffs): of a 2-d array through its TSQR
    SVD (any chunking), of a stack of matrices one block per matrix."""
    op = "pinv"
    a = to_array(a, op)
    if a.ndim < 2:
        raise LinAlgError(f"{op}: {a.ndim}-dimensional array given. Array must be at least two-dimensional")
    m, n = a.shape[-2:]
    complex_ = np.dtype(a.dtype).kind == "c"
    out_dtype = np.dtype(np.complex64 if a.dtype == np.complex64 else np.complex128) if complex_ \
        else _float_dtype(a.dtype)
    if rcond is None:
        if rtol is _NOVALUE:
            rcond = 1e-15
        elif rtol is None:
            rcond = max(m, n) * np.finfo(out_dtype).eps
        else:
            rcond = rtol
    elif rtol is not _NOVALUE:
        raise ValueError(f"{op}: `rtol` and `rcond` can't be both set.")
    if a.ndim > 2 or m == 0 or n == 0:
        a1 = _one_block(a)
        return map_blocks(lambda b: np.linalg.pinv(b, rcond=rcond, hermitian=hermitian), a1,
                          chunks=tuple(a1.chunks[:-2]) + ((n,), (m,)), dtype=out_dtype, name=op)
    if complex_:
        # The real embedding E = [[B, -C], [C, B]] of A = B + iC: pinv(E) embeds pinv(A)
        # the same way, with A's singular values (each twice), so the same cutoff.
        from ._join import block

        b, c = a.real, a.imag
        p = pinv(block([[b, -c], [c, b]]), rcond=rcond)
        return (p[:n, :m] + 1j * p[n:, :m]).astype(out_dtype)
    u, s, v = svd(a, coerce_signs=False)
    from ._creation import where

    keep = s > rcond * s.max()
    sinv = where(keep, 1.0 / where(keep, s, 1.0), 0.0).astype(s.dtype)
    return matmul(v.T * sinv, u.T)


def det(a):
    """Determinant of a square matrix (or stack), each in one block."""
    a = _square(a, "det", complex_ok=True)
    return _per_matrix(np.linalg.det, a, "det", _lapack_dtype(a.dtype), drop=2)


def slogdet(a):
    """Sign and log of the absolute determinant, as NumPy's ``slogdet`` (one block per
    matrix; both come from one call, packed along a last axis of 2)."""
    op = "slogdet"
    a1 = _one_block(_square(a, op, complex_ok=True))
    dt = _lapack_dtype(a1.dtype)
    packed = map_blocks(lambda b: np.stack(np.linalg.slogdet(b), axis=-1).astype(dt, copy=False), a1,
                        drop_axis=[a1.ndim - 1], chunks=tuple(a1.chunks[:-2]) + ((2,),), dtype=dt, name=op)
    logabs = packed[..., 1]
    # A complex matrix's sign is complex, its log-determinant real.
    return SlogdetResult(packed[..., 0], logabs.real if dt.kind == "c" else logabs)


def _uplo(UPLO, op):
    if UPLO not in ("L", "U"):
        raise ValueError(f"{op}: UPLO must be 'L' or 'U', got {UPLO!r}")
    return UPLO


def eigh(a, UPLO="L"):
    """Eigenvalues and eigenvectors of a symmetric matrix (or stack) in one block each."""
    op = "eigh"
    a = _square(a, op)
    _uplo(UPLO, op)
    a1 = _one_block(a)
    n = a.shape[-1]

    def pack(b):
        w, v = np.linalg.eigh(b, UPLO=UPLO)
        return np.concatenate([v, w[..., None, :]], axis=-2)

    packed = map_blocks(pack, a1, chunks=tuple(a1.chunks[:-2]) + ((n + 1,), (n,)), dtype=_float_dtype(a.dtype),
                        name=op)
    return EighResult(packed[..., n, :], packed[..., :n, :])


def _eig_dtype(dtype):
    """The Array API's eig/eigvals are complex: complex64 for single precision."""
    return np.dtype(np.complex64 if np.dtype(dtype) in (np.float32, np.complex64) else np.complex128)


def eig(x, /):
    """Eigenvalues and right eigenvectors of a general square matrix (or stack) in one block
    each (NumPy's ``linalg.eig``), complex as the Array API's."""
    op = "eig"
    a1 = _one_block(_square(x, op, complex_ok=True))
    n, dt = a1.shape[-1], _eig_dtype(a1.dtype)

    def pack(b):
        w, v = np.linalg.eig(b)
        return np.concatenate([v, w[..., None, :]], axis=-2).astype(dt)

    packed = map_blocks(pack, a1, chunks=tuple(a1.chunks[:-2]) + ((n + 1,), (n,)), dtype=dt, name=op)
    return EigResult(packed[..., n, :], packed[..., :n, :])


def eigvals(x, /):
    """Eigenvalues of a general square matrix (or stack) in one block each, complex."""
    op = "eigvals"
    a1 = _one_block(_square(x, op, complex_ok=True))
    dt = _eig_dtype(a1.dtype)
    return map_blocks(lambda b: np.linalg.eigvals(b).astype(dt), a1, drop_axis=[a1.ndim - 1],
                      chunks=tuple(a1.chunks[:-2]) + ((a1.shape[-1],),), dtype=dt, name=op)


def eigvalsh(a, UPLO="L"):
    """Eigenvalues of a symmetric matrix (or stack) in one block each, ascending."""
    op = "eigvalsh"
    a = _square(a, op)
    _uplo(UPLO, op)
    a1 = _one_block(a)
    return map_blocks(lambda b: np.linalg.eigvalsh(b, UPLO=UPLO), a1, drop_axis=[a1.ndim - 1],
                      chunks=tuple(a1.chunks[:-2]) + ((a.shape[-1],),), dtype=_float_dtype(a.dtype), name=op)


# -- norms, powers, rank, cross -------------------------------------------------------------------

def _axes(axis, ndim, op):
    return None if axis is None else validate_axis(axis, ndim, op)


def _vector_norm(x, ord, axis, keepdims, op):
    a = abs(x)
    if ord is None or ord == 2:
        return ((a * a).sum(axis=axis, keepdims=keepdims)) ** 0.5
    if ord == np.inf:
        return a.max(axis=axis, keepdims=keepdims)
    if ord == -np.inf:
        return a.min(axis=axis, keepdims=keepdims)
    if ord == 0:
        return (x != 0).astype(a.dtype).sum(axis=axis, keepdims=keepdims)
    if ord == 1:
        return a.sum(axis=axis, keepdims=keepdims)
    if isinstance(ord, str):
        raise ValueError(f"{op}: invalid norm order {ord!r} for vectors")
    return ((a ** ord).sum(axis=axis, keepdims=keepdims)) ** (1.0 / ord)


def _matrix_norm(x, ord, axes, keepdims, op):
    r, c = axes
    a = abs(x)
    if ord in (None, "fro", "f"):
        out = ((a * a).sum(axis=axes, keepdims=True)) ** 0.5
    elif ord in (1, -1):
        s = a.sum(axis=r, keepdims=True)
        out = (s.max if ord == 1 else s.min)(axis=c, keepdims=True)
    elif ord in (np.inf, -np.inf):
        s = a.sum(axis=c, keepdims=True)
        out = (s.max if ord == np.inf else s.min)(axis=r, keepdims=True)
    elif ord in (2, -2, "nuc"):
        if x.ndim == 2:
            m = x if axes == (0, 1) else x.T
            s = svd(m, coerce_signs=False)[1] if min(m.shape) else None
            if s is None:
                raise ValueError(f"{op}: ord={ord!r} of an empty matrix ({_chunks_text(x)})")
            v = s.max() if ord == 2 else (s.min() if ord == -2 else s.sum())
            out = v.reshape((1, 1))
        else:
            moved = x.transpose([i for i in range(x.ndim) if i not in axes] + [r, c])
            one = _one_block(moved)
            out = map_blocks(lambda b: np.linalg.norm(b, ord=ord, axis=(-2, -1), keepdims=True), one,
                             chunks=tuple(one.chunks[:-2]) + ((1,), (1,)), dtype=_float_dtype(x.dtype), name=op)
            # Back to the input's axis order (the two norm axes are of length 1).
            order = [i for i in range(x.ndim) if i not in axes] + [r, c]
            inverse = [order.index(i) for i in range(x.ndim)]
            out = out.transpose(inverse)
    else:
        raise ValueError(f"{op}: invalid norm order {ord!r} for matrices")
    if not keepdims:
        out = out.squeeze(axis=axes)
    return out


def _complex_spectral_norm(x, ord, axes, keepdims, op):
    """ord 2, -2 or 'nuc' of complex matrices: from their singular values (one block per
    matrix, NumPy's svd; TSQR is real-only)."""
    r, c = axes
    if min(x.shape[r], x.shape[c]) == 0:
        raise ValueError(f"{op}: ord={ord!r} of an empty matrix ({_chunks_text(x)})")
    moved = x.transpose([i for i in range(x.ndim) if i not in axes] + [r, c])
    s = svd_values(moved)
    out = s.max(axis=-1) if ord == 2 else (s.min(axis=-1) if ord == -2 else s.sum(axis=-1))
    if keepdims:
        out = out.reshape(tuple(1 if i in axes else n for i, n in enumerate(x.shape)))
    return out


def _abs_if_complex(x, op, needs_svd):
    """Norms other than the spectral and nuclear ones depend on the moduli only."""
    if np.dtype(x.dtype).kind != "c":
        return x
    if needs_svd:
        _real(x, op)
    return abs(x)


def norm(x, ord=None, axis=None, keepdims=False):
    """``numpy.linalg.norm``: vector norms (any real ord, inf, -inf, 0) over one axis,
    matrix norms ('fro', 'nuc', 1, -1, 2, -2, inf, -inf) over two; with ``axis=None`` a 1-d
    array's vector norm, a 2-d array's matrix norm, or with ``ord=None`` the 2-norm of
    everything."""
    op = "norm"
    x = to_array(x, op)
    spectral = ord in (2, -2, "nuc") and (isinstance(axis, (tuple, list)) and len(axis) == 2
                                          or axis is None and x.ndim == 2)
    if spectral and x.dtype.kind == "c":
        return _complex_spectral_norm(x, ord, _axes(axis, x.ndim, op) or (0, 1), keepdims, op)
    x = _abs_if_complex(x, op, False)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    axes = _axes(axis, x.ndim, op)
    if axes is None:
        if ord is None:
            out = _vector_norm(x, None, None, False, op)
            if keepdims:
                out = out.reshape((1,) * x.ndim)
            return out
        if x.ndim == 1:
            axes = (0,)
        elif x.ndim == 2:
            axes = (0, 1)
        else:
            raise ValueError(f"{op}: improper number of dimensions to norm ({x.ndim}-d with ord={ord!r})")
    if len(axes) == 1:
        if isinstance(ord, str):
            raise ValueError(f"{op}: invalid norm order {ord!r} for vectors")
        return _vector_norm(x, ord, axes[0], keepdims, op)
    if len(axes) == 2:
        return _matrix_norm(x, ord, axes, keepdims, op)
    raise ValueError(f"{op}: improper number of dimensions to norm (axis={axis!r})")


def matrix_norm(x, /, *, keepdims=False, ord="fro"):
    """Array API ``matrix_norm``: over the last two axes."""
    x = to_array(x, "matrix_norm")
    if x.ndim < 2:
        raise ValueError(f"matrix_norm: needs at least 2 dimensions, got {_chunks_text(x)}")
    return norm(x, ord=ord, axis=(-2, -1), keepdims=keepdims)


def vector_norm(x, /, *, axis=None, keepdims=False, ord=2):
    """Array API ``vector_norm``: over `axis` (all axes when None, as one vector)."""
    op = "vector_norm"
    x = _abs_if_complex(to_array(x, op), op, False)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    axes = _axes(axis, x.ndim, op)
    return _vector_norm(x, ord, axes, keepdims, op)


def _eye_like(n, dtype, chunks):
    from ._creation import arange

    i = arange(n, chunks=chunks)
    return (i[:, None] == i[None, :]).astype(dtype)


def matrix_power(a, n):
    """``a`` multiplied by itself `n` times (binary powers; negative `n` inverts first)."""
    op = "matrix_power"
    a = _square(a, op, complex_ok=True)
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, numbers.Integral):
        raise TypeError(f"{op}: exponent must be an integer, got {n!r}")
    n = int(n)
    if n == 0:
        eye = _eye_like(a.shape[-1], a.dtype, a.chunks[-1])
        return eye if a.ndim == 2 else eye * (a[..., :1, :1] * 0 + 1)
    if n < 0:
        a, n = inv(a), -n
    result, base = None, a
    while n:
        if n & 1:
            result = base if result is None else matmul(result, base)
        n >>= 1
        if n:
            base = matmul(base, base)
    return result


def matrix_rank(A, tol=None, hermitian=False, *, rtol=None):
    """Rank from singular values (TSQR SVD for 2-d arrays); 1-d: 1 unless all zero."""
    op = "matrix_rank"
    A = to_array(A, op)
    if A.ndim < 2:
        return (A != 0).any().astype(np.int64)
    m, n = A.shape[-2:]
    if A.ndim == 2 and A.dtype.kind != "c":
        s = svd(A, coerce_signs=False)[1]
    else:
        s = svd_values(A)
    if tol is None:
        r = rtol if rtol is not None else max(m, n) * np.finfo(_real_dtype(A.dtype)).eps
        if getattr(r, "ndim", 0):
            r = r[..., None]  # one tolerance per matrix of the stack
        tol = s.max(axis=-1, keepdims=True) * r
    elif getattr(tol, "ndim", 0):
        tol = tol[..., None]
    return (s > tol).sum(axis=-1)


def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """``numpy.cross`` of vectors of 2 or 3 components along the given axes (broadcast),
    one task per block with the component axis in one chunk."""
    op = "cross"
    a, b = to_array(a, op), to_array(b, op)
    if axis is not None:
        axisa = axisb = axisc = axis
    a = a.swapaxes(axisa, -1) if a.ndim else a
    b = b.swapaxes(axisb, -1) if b.ndim else b
    if a.ndim == 0 or b.ndim == 0 or a.shape[-1] not in (2, 3) or b.shape[-1] not in (2, 3):
        raise ValueError(f"{op}: incompatible dimensions for cross product (dimension must be 2 or 3): "
                         f"a {_chunks_text(a)}, b {_chunks_text(b)}")
    from ._creation import broadcast_to

    shape = np.broadcast_shapes(a.shape[:-1], b.shape[:-1])
    a = broadcast_to(a, shape + a.shape[-1:])
    b = broadcast_to(b, shape + b.shape[-1:])
    a = a.rechunk({a.ndim - 1: -1})
    b = b.rechunk(tuple(a.chunks[:-1]) + ((b.shape[-1],),))
    k = 3 if 3 in (a.shape[-1], b.shape[-1]) else None
    dt = np.result_type(a.dtype, b.dtype)
    if k is None:
        return map_blocks(lambda x, y: np.cross(x, y), a, b, drop_axis=[a.ndim - 1], dtype=dt, name=op)
    out = map_blocks(lambda x, y: np.cross(x, y), a, b, chunks=tuple(a.chunks[:-1]) + ((3,),), dtype=dt, name=op)
    nd = out.ndim
    axc = axisc % nd if -nd <= axisc < nd else None
    if axc is None:
        from numpy.exceptions import AxisError

        raise AxisError(f"{op}: axisc {axisc} is out of bounds for array of dimension {nd}")
    return out.swapaxes(-1, axc) if axc != nd - 1 else out
