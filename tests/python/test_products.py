"""Products and contractions (matmul/@, dot, vdot, inner, outer, tensordot, einsum, vecdot,
matrix_transpose/.mT, diagonal, trace) against NumPy over random shapes, chunkings (uneven,
size-1 and empty chunks), dtypes and axes; the same bits for any thread count; errors at
build time; the plan is one GEMM task per output block and contracted block plus a sum tree."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tessera as da

from conftest import assert_same

DT = ["float64", "float32", "int32", "int8", "uint16", "bool", "int64"]
EX = settings(max_examples=40, deadline=None)


@st.composite
def chunked(draw, shape, dtype):
    """A NumPy array of small values and chunks for it (uneven, size-1, whole axes)."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if np.dtype(dtype) == bool:
        a = rng.integers(0, 2, size=shape).astype(bool)
    elif np.dtype(dtype).kind == "u":
        a = rng.integers(0, 5, size=shape).astype(dtype)
    else:
        a = rng.integers(-4, 5, size=shape).astype(dtype)
    chunks = tuple(draw(st.sampled_from([1, 2, 3, -1, max(d, 1)])) for d in shape)
    return a, chunks


def _close(got, want):
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape, (got.shape, want.shape)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    if want.dtype.kind == "f":
        rtol = 1e-4 if want.dtype == np.float32 else 1e-10
        np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol)
    else:
        np.testing.assert_array_equal(got, want)


dims = st.integers(0, 5)


@EX
@given(st.data(), st.integers(1, 4), st.integers(1, 4), st.sampled_from(DT), st.sampled_from(DT))
def test_matmul_matches_numpy(data, nda, ndb, dta, dtb):
    # Shapes: a stack of matrices (or a vector) each side, batch axes broadcasting.
    k = data.draw(dims)
    batch = [data.draw(st.integers(1, 3)) for _ in range(max(nda, ndb) - 2)]
    sa = [data.draw(st.sampled_from([b, 1])) for b in batch][len(batch) - max(nda - 2, 0):] if nda > 2 else []
    sb = [data.draw(st.sampled_from([b, 1])) for b in batch][len(batch) - max(ndb - 2, 0):] if ndb > 2 else []
    shape_a = sa + ([data.draw(dims)] if nda >= 2 else []) + [k]
    shape_b = sb + [k] + ([data.draw(dims)] if ndb >= 2 else [])
    a, ca = data.draw(chunked(shape_a, dta))
    b, cb = data.draw(chunked(shape_b, dtb))
    x, y = da.from_array(a, chunks=ca), da.from_array(b, chunks=cb)
    want = a @ b
    _close((x @ y).compute(), want)
    _close(da.matmul(x, b).compute(), want)
    _close((a @ y).compute() if not isinstance(a @ y, np.ndarray) else a @ y, want)


@EX
@given(st.data(), st.sampled_from(DT[:4]))
def test_dot_inner_outer_vdot_tensordot(data, dt):
    na, nb = data.draw(st.integers(0, 3)), data.draw(st.integers(0, 3))
    k = data.draw(st.integers(0, 4))
    shape_a = [data.draw(st.integers(0, 4)) for _ in range(max(na - 1, 0))] + ([k] if na else [])
    shape_b = [data.draw(st.integers(0, 4)) for _ in range(nb)]
    if nb >= 2:
        shape_b[-2] = k
    elif nb == 1:
        shape_b[0] = k
    a, ca = data.draw(chunked(shape_a, dt))
    b, cb = data.draw(chunked(shape_b, dt))
    x, y = da.from_array(a, chunks=ca), da.from_array(b, chunks=cb)
    _close(da.dot(x, y).compute(), np.dot(a, b))
    _close(x.dot(y).compute(), np.dot(a, b))
    _close(da.outer(x, y).compute(), np.outer(a, b))
    if a.size == b.size:
        _close(da.vdot(x, y).compute(), np.vdot(a, b))
    if na and nb and a.shape[-1] == b.shape[-1]:
        _close(da.inner(x, y).compute(), np.inner(a, b))
    # tensordot over a random number of paired axes with equal sizes.
    pairs = [(i, j) for i in range(a.ndim) for j in range(b.ndim) if a.shape[i] == b.shape[j]]
    chosen = data.draw(st.lists(st.sampled_from(pairs), max_size=2, unique_by=(lambda p: p[0], lambda p: p[1]))) if pairs else []
    axes = ([p[0] for p in chosen], [p[1] for p in chosen])
    _close(da.tensordot(x, y, axes=axes).compute(), np.tensordot(a, b, axes=axes))


EINSUMS = [
    ("ij,jk->ik", [(3, 4), (4, 5)]),
    ("ij,jk", [(3, 4), (4, 2)]),
    ("ij->ji", [(3, 5)]),
    ("ii->i", [(4, 4)]),
    ("ii", [(4, 4)]),
    ("ij->", [(3, 4)]),
    ("ijk,ikl->ijl", [(2, 3, 4), (2, 4, 3)]),
    ("...ij,...jk->...ik", [(2, 3, 4), (2, 4, 5)]),
    ("i,i->", [(6,), (6,)]),
    ("i,j->ij", [(3,), (4,)]),
    ("ij,jk,kl->il", [(3, 4), (4, 5), (5, 2)]),
    ("abc,cd,b->ad", [(2, 3, 4), (4, 5), (3,)]),
    ("iij->j", [(3, 3, 2)]),
    ("bij,bjk->bik", [(3, 2, 2), (3, 2, 4)]),
    ("ij,ij->i", [(4, 3), (4, 3)]),
]


@EX
@given(st.data(), st.sampled_from(EINSUMS), st.sampled_from(["float64", "float32", "int32"]),
       st.sampled_from([False, True, "greedy", "optimal"]))
def test_einsum_matches_numpy(data, case, dt, optimize):
    subs, shapes = case
    pairs = [data.draw(chunked(s, dt)) for s in shapes]
    arrs = [da.from_array(a, chunks=c) for a, c in pairs]
    want = np.einsum(subs, *[a for a, _ in pairs])
    _close(da.einsum(subs, *arrs, optimize=optimize).compute(), want)


def test_einsum_sublist_form_and_dtype():
    a = np.arange(12.0).reshape(3, 4)
    x = da.from_array(a, chunks=2)
    _close(da.einsum(x, [0, 1], x, [0, 1], [1]).compute(), np.einsum(a, [0, 1], a, [0, 1], [1]))
    _close(da.einsum("ij->i", x, dtype=np.float32, casting="unsafe").compute(),
           np.einsum("ij->i", a, dtype=np.float32, casting="unsafe"))
    with pytest.raises(TypeError, match="einsum: cannot cast"):
        da.einsum("ij->i", x, dtype=np.float32)
    path = np.einsum_path("ij,jk,kl->il", a, a.T, a, optimize="greedy")[0]
    _close(da.einsum("ij,jk,kl->il", x, x.T, x, optimize=path).compute(), a @ a.T @ a)


@EX
@given(st.data(), st.sampled_from(DT[:4]))
def test_vecdot_matrix_transpose_diagonal_trace(data, dt):
    shape = [data.draw(st.integers(0, 4)) for _ in range(data.draw(st.integers(2, 3)))]
    a, ca = data.draw(chunked(shape, dt))
    b, cb = data.draw(chunked(shape[-1:], dt))
    x, y = da.from_array(a, chunks=ca), da.from_array(b, chunks=cb)
    _close(da.vecdot(x, y).compute(), np.vecdot(a, b))
    _close(da.vecdot(x, x, axis=0).compute(), np.vecdot(a, a, axis=0))
    _close(x.mT.compute(), a.mT)
    _close(da.matrix_transpose(x).compute(), np.matrix_transpose(a))
    off = data.draw(st.integers(-3, 3))
    ax1, ax2 = data.draw(st.sampled_from([(0, 1), (1, 0), (0, -1), (-1, -2)]))
    _close(da.diagonal(x, off, ax1, ax2).compute(), np.diagonal(a, off, ax1, ax2))
    _close(da.trace(x, off, ax1, ax2).compute(), np.trace(a, off, ax1, ax2))
    _close(np.trace(x).compute() if hasattr(np.trace(x), "compute") else np.trace(x), np.trace(a))


def test_rmatmul_with_numpy_and_lazy_protocols():
    a = np.arange(6.0).reshape(2, 3)
    x = da.from_array(a.T, chunks=2)
    r = a @ x
    assert isinstance(r, da.Array)
    _close(r.compute(), a @ a.T)
    _close(np.matmul(x, a).compute(), a.T @ a)
    _close(np.dot(x, a).compute(), a.T @ a)
    _close(np.einsum("ij,jk", x, a).compute(), a.T @ a)


def test_same_bits_for_any_thread_count():
    x = da.random.default_rng(3).normal(size=(300, 290), chunks=(70, 60))
    y = da.random.default_rng(4).normal(size=(290, 110), chunks=(50, 40))
    z = x @ y
    one = z.compute(num_workers=1)
    for n in (2, 4):
        np.testing.assert_array_equal(z.compute(num_workers=n), one)


def test_plan_and_task_names():
    x = da.ones((8, 8), chunks=2)
    text = (x @ x).explain() if hasattr(x @ x, "explain") else ""
    assert "blockwise(matmul) -> sum_chunk(axes=[0])" in text and "tasks=64" in text, text


@EX
@given(st.data(), st.sampled_from(["float64", "float32", "int64", "int32", "complex128"]))
def test_sum_of_a_product_matches_numpy(data, dt):
    # A sum of a product's sum head is one sum over the partial products (reduced in the
    # GEMM tasks): every axis, some axes, and a product that is also an output itself.
    m, k, n = (data.draw(st.integers(0, 7)) for _ in range(3))
    a, ca = data.draw(chunked((m, k), "float64" if dt == "complex128" else dt))
    b, cb = data.draw(chunked((k, n), "float64" if dt == "complex128" else dt))
    if dt == "complex128":
        a, b = a + 1j * a[::-1], b - 2j * b
    x, y = da.from_array(a, chunks=ca), da.from_array(b, chunks=cb)
    z = x @ y
    _close(z.sum().compute(), (a @ b).sum())
    _close(z.sum(axis=0).compute(), (a @ b).sum(axis=0))
    _close((x @ x.T).sum(axis=-1).compute(), (a @ a.T).sum(axis=-1))
    _close(da.einsum("ij,jk->", x, y).compute(), np.einsum("ij,jk->", a, b))
    both = da.compute(z, z.sum())
    _close(both[0], a @ b)
    _close(both[1], (a @ b).sum())


def test_sum_of_a_product_stores_no_product_block():
    x = da.ones((8, 8), chunks=2)
    text = (x @ x.T).sum().explain()
    assert "blockwise(matmul) -> sum_chunk(axes=[0, 1, 2])" in text, text
    # A sum over some axes: the contracted axis and axis 0 of the product.
    text = (x @ x).sum(axis=0).explain()
    assert "blockwise(matmul) -> sum_chunk(axes=[0, 1])" in text, text


def test_sum_of_a_product_same_bits_for_any_thread_count():
    x = da.random.default_rng(5).normal(size=(210, 190), chunks=(50, 40))
    s = (x @ x.T).sum()
    one = s.compute(num_workers=1)
    for w in (2, 3):
        assert s.compute(num_workers=w) == one
    np.testing.assert_allclose(one, (x.compute() @ x.compute().T).sum(), rtol=1e-10)


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda x, y: x @ y, ValueError, r"matmul: .*mismatch in its core dimension.*\(4, 3\).*\(4, 3\)"),
        (lambda x, y: da.matmul(x, 2.0), ValueError, r"matmul: input operand 1 does not have enough dimensions"),
        (lambda x, y: da.dot(x, y), ValueError, r"dot: shapes not aligned"),
        (lambda x, y: da.tensordot(x, y, axes=([0], [1])), ValueError, r"tensordot: shape-mismatch"),
        (lambda x, y: da.tensordot(x, y, axes=([0, 1], [0])), ValueError, r"tensordot: axes lists of different lengths"),
        (lambda x, y: da.einsum("ij,jk->ik", x), ValueError, r"einsum: subscripts .* name 2 operands but 1"),
        (lambda x, y: da.einsum("ij,jk->iz", x, y), ValueError, r"einsum: .*output label 'z' is in no operand"),
        (lambda x, y: da.einsum("ijk", x), ValueError, r"einsum: .*operand 0 has 2 dimensions"),
        (lambda x, y: da.einsum("ij,ij->i", x, y.T[:3]), ValueError, r"einsum: label '.' has size \d in one operand and \d in operand 1 \(shapes \(4, 3\), \(3, 4\)\)"),
        (lambda x, y: da.vdot(x, y[:2]), ValueError, r"vdot: cannot take the dot product of arrays of different sizes"),
        (lambda x, y: da.diagonal(x, 0, 1, 1), ValueError, r"diagonal: axis1 and axis2 cannot be the same"),
    ],
)
def test_errors_at_build_time(call, exc, match):
    x = da.ones((4, 3), chunks=2)
    y = da.ones((4, 3), chunks=3)
    with pytest.raises(exc, match=match):
        call(x, y)


@st.composite
def complex_chunked(draw, shape, dtype):
    """A complex (or real) array of small integer parts and chunks for it."""
    a, chunks = draw(chunked(shape, "int64"))
    if np.dtype(dtype).kind == "c":
        b, _ = draw(chunked(shape, "int64"))
        a = a + 1j * b
    return a.astype(dtype), chunks


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_products_of_complex_operands_match_numpy(data):
    """Every product splits complex operands into real GEMMs (vdot/vecdot conjugate the
    first operand), for any mix of complex and real dtypes and chunkings."""
    dts = ["complex128", "complex64", "float32", "int8"]
    da_, db_ = data.draw(st.sampled_from(dts[:2])), data.draw(st.sampled_from(dts))
    if data.draw(st.booleans()):
        da_, db_ = db_, da_
    m, k, n = (data.draw(st.integers(0, 5)) for _ in range(3))
    (a, ca), (b, cb) = data.draw(complex_chunked((m, k), da_)), data.draw(complex_chunked((k, n), db_))
    (v, cv), (w, cw) = data.draw(complex_chunked((k,), da_)), data.draw(complex_chunked((k,), db_))
    x, y = da.from_array(a, chunks=ca), da.from_array(b, chunks=cb)
    p, q = da.from_array(v, chunks=cv), da.from_array(w, chunks=cw)
    cases = [(x @ y, a @ b), (da.dot(x, y), np.dot(a, b)), (da.tensordot(x, y, axes=1), np.tensordot(a, b, axes=1)),
             (da.einsum("ij,jk->ki", x, y), np.einsum("ij,jk->ki", a, b)), (da.vdot(p, q), np.vdot(v, w)),
             (da.inner(p, q), np.inner(v, w)), (da.outer(p, q), np.outer(v, w)), (da.vecdot(p, q), np.vecdot(v, w)),
             (da.einsum("ij,j,jk->i", x, q, y), np.einsum("ij,j,jk->i", a, w, b))]
    for got, want in cases:
        got, want = got.compute(), np.asarray(want)
        assert got.dtype == want.dtype and got.shape == want.shape, (got.dtype, want.dtype)
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-4)
