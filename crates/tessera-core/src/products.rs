//! NumPy's products as einsum label lists: `matmul`, `dot`, `tensordot`, `inner`, `outer`,
//! `vdot`, `vecdot`. One place builds them for the Rust facade and the Python package.

use crate::build::{binary, normalize_axes, reshape};
use crate::contract::{einsum, Einsum, KernelFactory};
use crate::error::Result;
use crate::graph::Expr;
use crate::ops::BinaryOp;
use crate::bail;

/// Distinct labels: `base + i`.
fn labels(base: u32, n: usize) -> Vec<u32> {
    (0..n as u32).map(|i| base + i).collect()
}

fn run(op: &str, operands: Vec<(Expr, Vec<u32>)>, out: Vec<u32>, kernel: KernelFactory, split_every: Option<usize>) -> Result<Expr> {
    einsum(Einsum { op, operands, out, path: None, dtype: None, split_every, kernel })
}

fn shapes(a: &Expr, b: &Expr) -> String {
    format!("shapes {} and {} (chunks {} and {})", tuple(&a.meta.shape), tuple(&b.meta.shape), chunks_text(a), chunks_text(b))
}

/// `(4, 3)`, `(5,)`: shapes as NumPy prints them.
pub fn tuple(v: &[usize]) -> String {
    match v.len() {
        1 => format!("({},)", v[0]),
        _ => format!("({})", v.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ")),
    }
}

/// Chunks as Dask prints them: `((2, 2), (3,))`.
pub fn chunks_text(x: &Expr) -> String {
    let per: Vec<String> = x.meta.chunks.iter().map(|c| tuple(&c.sizes())).collect();
    if per.len() == 1 { format!("({},)", per[0]) } else { format!("({})", per.join(", ")) }
}

const K: u32 = 0; // the contracted label
const I: u32 = 1;
const J: u32 = 2;
const BATCH: u32 = 100;
const A_FREE: u32 = 1000;
const B_FREE: u32 = 2000;

/// `a @ b` with NumPy's rules: 1-d operands gain and then lose an axis, leading axes
/// broadcast as a stack of matrices.
pub fn matmul(a: &Expr, b: &Expr, kernel: KernelFactory, split_every: Option<usize>) -> Result<Expr> {
    let op = "matmul";
    let (na, nb) = (a.meta.ndim(), b.meta.ndim());
    if na == 0 || nb == 0 {
        bail!(Value, op, "input operand {} does not have enough dimensions (0-d; use multiply for scalars)", if na == 0 { 0 } else { 1 });
    }
    let (ka, kb) = (a.meta.shape[na - 1], b.meta.shape[if nb == 1 { 0 } else { nb - 2 }]);
    if ka != kb {
        bail!(Value, op, "input operand 1 has a mismatch in its core dimension 0 (size {kb} is different from {ka}): {}", shapes(a, b));
    }
    let (ba, bb) = (na.saturating_sub(2), nb.saturating_sub(2));
    let nbatch = ba.max(bb);
    let batch = labels(BATCH, nbatch);
    // Leading axes broadcast from the right.
    for i in 0..nbatch {
        let da = (i + ba >= nbatch).then(|| a.meta.shape[i + ba - nbatch]);
        let db = (i + bb >= nbatch).then(|| b.meta.shape[i + bb - nbatch]);
        if let (Some(x), Some(y)) = (da, db) {
            if x != y && x != 1 && y != 1 {
                bail!(Value, op, "operands could not be broadcast together: {}", shapes(a, b));
            }
        }
    }
    let mut la = batch[nbatch - ba..].to_vec();
    if na >= 2 {
        la.push(I);
    }
    la.push(K);
    let mut lb = batch[nbatch - bb..].to_vec();
    lb.push(K);
    if nb >= 2 {
        lb.push(J);
    }
    let mut out = batch;
    if na >= 2 {
        out.push(I);
    }
    if nb >= 2 {
        out.push(J);
    }
    // A batch axis of size 1 in both operands stays; one of size 1 against n broadcasts.
    run(op, vec![(a.clone(), la), (b.clone(), lb)], out, kernel, split_every)
}

/// `np.dot`: a sum product over the last axis of `a` and the second-to-last of `b` (the
/// last for 1-d `b`); 0-d operands multiply.
pub fn dot(a: &Expr, b: &Expr, kernel: KernelFactory, split_every: Option<usize>) -> Result<Expr> {
    let op = "dot";
    let (na, nb) = (a.meta.ndim(), b.meta.ndim());
    if na == 0 || nb == 0 {
        return binary(BinaryOp::Mul, a, b);
    }
    let kb_axis = if nb == 1 { 0 } else { nb - 2 };
    if a.meta.shape[na - 1] != b.meta.shape[kb_axis] {
        bail!(Value, op, "shapes not aligned: dimension {} (size {}) of a != dimension {kb_axis} (size {}) of b: {}", na - 1, a.meta.shape[na - 1], b.meta.shape[kb_axis], shapes(a, b));
    }
    let mut la = labels(A_FREE, na - 1);
    la.push(K);
    let mut lb = labels(B_FREE, nb);
    lb[kb_axis] = K;
    let out: Vec<u32> = la.iter().chain(&lb).copied().filter(|&l| l != K).collect();
    run(op, vec![(a.clone(), la), (b.clone(), lb)], out, kernel, split_every)
}

/// `np.tensordot(a, b, axes=(axes_a, axes_b))`: sums over the paired axes; the result has
/// `a`'s other axes, then `b`'s.
pub fn tensordot(a: &Expr, b: &Expr, axes_a: &[isize], axes_b: &[isize], kernel: KernelFactory, split_every: Option<usize>) -> Result<Expr> {
    let op = "tensordot";
    if axes_a.len() != axes_b.len() {
        bail!(Value, op, "axes lists of different lengths: {axes_a:?} for a and {axes_b:?} for b");
    }
    let xa = normalize_axes(op, axes_a, a.meta.ndim())?;
    let xb = normalize_axes(op, axes_b, b.meta.ndim())?;
    let mut la = labels(A_FREE, a.meta.ndim());
    let mut lb = labels(B_FREE, b.meta.ndim());
    for (k, (&p, &q)) in xa.iter().zip(&xb).enumerate() {
        if a.meta.shape[p] != b.meta.shape[q] {
            bail!(Value, op, "shape-mismatch for sum: axis {p} of a has size {} but axis {q} of b has {}: {}", a.meta.shape[p], b.meta.shape[q], shapes(a, b));
        }
        la[p] = K + 10 + k as u32;
        lb[q] = K + 10 + k as u32;
    }
    let out: Vec<u32> = la.iter().filter(|&&l| l >= A_FREE).chain(lb.iter().filter(|&&l| l >= A_FREE)).copied().collect();
    run(op, vec![(a.clone(), la), (b.clone(), lb)], out, kernel, split_every)
}

/// `np.inner`: a sum product over the last axes; 0-d operands multiply.
pub fn inner(a: &Expr, b: &Expr, kernel: KernelFactory, split_every: Option<usize>) -> Result<Expr> {
    let (na, nb) = (a.meta.ndim(), b.meta.ndim());
    if na == 0 || nb == 0 {
        return binary(BinaryOp::Mul, a, b);
    }
    if a.meta.shape[na - 1] != b.meta.shape[nb - 1] {
        bail!(Value, "inner", "shapes not aligned: last dimensions {} and {} differ: {}", a.meta.shape[na - 1], b.meta.shape[nb - 1], shapes(a, b));
    }
    tensordot(a, b, &[-1], &[-1], kernel, split_every).map_err(|e| crate::err!(Value, "inner", "{}", e.message))
}

fn ravel(x: &Expr) -> Result<Expr> {
    if x.meta.ndim() == 1 {
        return Ok(x.clone());
    }
    reshape(x, &[x.meta.size() as i64])
}

/// `np.outer`: every product of the flattened operands.
pub fn outer(a: &Expr, b: &Expr, kernel: KernelFactory) -> Result<Expr> {
    run("outer", vec![(ravel(a)?, vec![I]), (ravel(b)?, vec![J])], vec![I, J], kernel, None)
}

/// `np.vdot` of real operands: the dot product of the flattened operands (same size).
pub fn vdot(a: &Expr, b: &Expr, kernel: KernelFactory, split_every: Option<usize>) -> Result<Expr> {
    if a.meta.size() != b.meta.size() {
        bail!(Value, "vdot", "cannot take the dot product of arrays of different sizes: {}", shapes(a, b));
    }
    run("vdot", vec![(ravel(a)?, vec![K]), (ravel(b)?, vec![K])], vec![], kernel, split_every)
}

/// `np.vecdot(x1, x2, axis=axis)` of real operands: a sum product over `axis` of both,
/// other axes broadcast.
pub fn vecdot(a: &Expr, b: &Expr, axis: isize, kernel: KernelFactory, split_every: Option<usize>) -> Result<Expr> {
    let op = "vecdot";
    let (na, nb) = (a.meta.ndim(), b.meta.ndim());
    if na == 0 || nb == 0 {
        bail!(Value, op, "input operand {} does not have enough dimensions (0-d)", if na == 0 { 0 } else { 1 });
    }
    let n = na.max(nb);
    let ax = normalize_axes(op, &[axis], n)?[0];
    // Axis `ax` counted from the right must exist in both.
    let from_right = n - ax;
    if from_right > na || from_right > nb {
        bail!(Axis, op, "axis {axis} is out of bounds for an operand of {} dimensions", na.min(nb));
    }
    let (pa, pb) = (na - from_right, nb - from_right);
    if a.meta.shape[pa] != b.meta.shape[pb] {
        bail!(Value, op, "input operand 1 has a mismatch in its core dimension 0 (size {} is different from {}): {}", b.meta.shape[pb], a.meta.shape[pa], shapes(a, b));
    }
    let all = labels(BATCH, n);
    let la: Vec<u32> = all[n - na..].iter().enumerate().map(|(i, &l)| if i == pa { K } else { l }).collect();
    let lb: Vec<u32> = all[n - nb..].iter().enumerate().map(|(i, &l)| if i == pb { K } else { l }).collect();
    for (i, l) in all.iter().enumerate() {
        let (da, db) = (la.iter().position(|x| x == l).map(|p| a.meta.shape[p]), lb.iter().position(|x| x == l).map(|p| b.meta.shape[p]));
        if let (Some(x), Some(y)) = (da, db) {
            if x != y && x != 1 && y != 1 {
                bail!(Value, op, "operands could not be broadcast together along axis {i}: {}", shapes(a, b));
            }
        }
    }
    let out: Vec<u32> = all.iter().copied().filter(|&l| la.contains(&l) || lb.contains(&l)).collect();
    run(op, vec![(a.clone(), la), (b.clone(), lb)], out, kernel, split_every)
}
