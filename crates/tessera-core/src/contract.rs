//! Tensor contractions (einsum, and matmul, dot, tensordot, ... built on it) as block
//! kernels with a partial-sum head.
//!
//! A pairwise contraction `C[kept] = sum_c A[..] B[..]` is a blockwise application whose
//! output keeps every contracted label as an extra axis of one element per block: task
//! (output block, contracted block) multiplies one block of each operand into one partial
//! product. Summing those extra axes is an ordinary `sum`, so the lowering reduces each
//! partial product in its kernel's task (`Head::Partial`) and adds them up in the fixed
//! combine tree of reductions. Memory stays one output block per task (never the
//! concatenated operands Dask once built, dask#6916) and the bits do not depend on the
//! thread count. The kernel itself (GEMM) comes from the caller: the core has no BLAS.

use crate::blockwise::{blockwise, Blockwise};
use crate::build::{astype, common_axis_chunks, reduce, transpose};
use crate::dtype::{result_type, DType};
use crate::error::Result;
use crate::graph::Expr;
use crate::kernel::BlockKernel;
use crate::ops::ReduceOp;
use crate::bail;
use std::collections::HashMap;
use std::sync::Arc;

/// What a contraction kernel computes per task: `out[o] = sum_c a[..] * b[..]` over one
/// block of each operand. `a`, `b` label the operands' axes, `out` the kernel's output
/// block: the kept labels, then the contracted ones (one element each). Labels of `out`
/// in both operands are batch labels (an operand's size-1 axis broadcasts).
#[derive(Clone, Debug, PartialEq)]
pub struct ContractSpec {
    pub name: String,
    /// The dtype the kernel computes in (float32, float64, int64 or uint64).
    pub dtype: DType,
    pub a: Vec<u32>,
    pub b: Vec<u32>,
    pub out: Vec<u32>,
    pub contracted: Vec<u32>,
}

/// Makes the block kernel of a pairwise contraction.
pub type KernelFactory<'a> = &'a dyn Fn(&ContractSpec) -> Arc<dyn BlockKernel>;

/// First label of the axes an ellipsis stands for (letters are their character codes).
pub const ELLIPSIS_LABEL: u32 = 1 << 20;

/// The dtype contraction kernels compute in for inputs promoting to `dtype`: floats as
/// themselves, integers and bools in 64 bits (wrapping, so casting back gives NumPy's
/// modular results for narrower integers).
pub fn compute_dtype(dtype: DType) -> DType {
    match dtype {
        DType::F32 | DType::F64 => dtype,
        d if d.is_unsigned_int() => DType::U64,
        _ => DType::I64,
    }
}

fn labels_str(l: &[u32]) -> String {
    l.iter()
        .map(|&c| if c >= ELLIPSIS_LABEL { "...".to_string() } else { char::from_u32(c).map(String::from).unwrap_or_else(|| format!("<{c}>")) })
        .collect::<Vec<_>>()
        .join("")
}

/// Parses einsum subscripts (`"ij,jk->ik"`, `"...ij,...jk"`, implicit output) for
/// operands of `ndims` dimensions: the labels of each operand and of the output.
pub fn parse_subscripts(op: &str, subscripts: &str, ndims: &[usize]) -> Result<(Vec<Vec<u32>>, Vec<u32>)> {
    let s: String = subscripts.chars().filter(|c| !c.is_whitespace()).collect();
    let (ins, out) = match s.split_once("->") {
        Some((i, o)) => (i.to_string(), Some(o.to_string())),
        None => (s.clone(), None),
    };
    let terms: Vec<&str> = ins.split(',').collect();
    if terms.len() != ndims.len() {
        bail!(Value, op, "subscripts {subscripts:?} name {} operands but {} were given", terms.len(), ndims.len());
    }
    // Characters of a term: letters, or one ellipsis standing for the leading axes left.
    let letters = |t: &str, what: &str| -> Result<(Vec<u32>, Option<usize>)> {
        let mut v = vec![];
        let mut ell = None;
        let mut rest = t;
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix("...") {
                if ell.is_some() {
                    bail!(Value, op, "subscripts {subscripts:?}: {what} {t:?} has more than one ellipsis");
                }
                ell = Some(v.len());
                rest = r;
                continue;
            }
            let c = rest.chars().next().expect("non-empty");
            if !c.is_ascii_alphabetic() {
                bail!(Value, op, "subscripts {subscripts:?}: {c:?} is not a valid subscript letter (a-z, A-Z)");
            }
            v.push(c as u32);
            rest = &rest[c.len_utf8()..];
        }
        Ok((v, ell))
    };
    let mut labels = Vec::with_capacity(terms.len());
    let mut ell_ndim = 0usize;
    for (k, (t, &nd)) in terms.iter().zip(ndims).enumerate() {
        let (v, ell) = letters(t, "operand")?;
        let l = match ell {
            None => {
                if v.len() != nd {
                    bail!(Value, op, "subscripts {subscripts:?}: operand {k} has {nd} dimensions but {t:?} names {}", v.len());
                }
                v
            }
            Some(at) => {
                if v.len() > nd {
                    bail!(Value, op, "subscripts {subscripts:?}: operand {k} has {nd} dimensions but {t:?} names {}", v.len());
                }
                let e = nd - v.len();
                ell_ndim = ell_ndim.max(e);
                // Ellipsis axes are numbered from the right, so they broadcast like NumPy's.
                let mut l = v[..at].to_vec();
                l.extend((0..e).map(|i| ELLIPSIS_LABEL + (e - 1 - i) as u32));
                l.extend_from_slice(&v[at..]);
                l
            }
        };
        labels.push(l);
    }
    let ell_labels: Vec<u32> = (0..ell_ndim).rev().map(|i| ELLIPSIS_LABEL + i as u32).collect();
    let out = match out {
        Some(o) => {
            let (v, ell) = letters(&o, "output")?;
            for (i, c) in v.iter().enumerate() {
                if v[..i].contains(c) {
                    bail!(Value, op, "subscripts {subscripts:?}: output label '{}' appears more than once", labels_str(&[*c]));
                }
                if !labels.iter().any(|l| l.contains(c)) {
                    bail!(Value, op, "subscripts {subscripts:?}: output label '{}' is in no operand", labels_str(&[*c]));
                }
            }
            match ell {
                Some(at) => {
                    let mut l = v[..at].to_vec();
                    l.extend_from_slice(&ell_labels);
                    l.extend_from_slice(&v[at..]);
                    l
                }
                None if ell_ndim > 0 => bail!(
                    Value,
                    op,
                    "subscripts {subscripts:?}: the operands' ellipsis stands for {ell_ndim} dimensions, but the output has no '...' for them"
                ),
                None => v,
            }
        }
        None => {
            // Implicit output: ellipsis axes, then letters used once, in alphabetical order.
            let mut once: Vec<u32> = labels.iter().flatten().copied().filter(|&c| c < ELLIPSIS_LABEL).collect();
            once.sort_unstable();
            let counts: HashMap<u32, usize> = once.iter().fold(HashMap::new(), |mut m, &c| {
                *m.entry(c).or_default() += 1;
                m
            });
            once.dedup();
            let mut l = ell_labels.clone();
            l.extend(once.into_iter().filter(|c| counts[c] == 1));
            l
        }
    };
    Ok((labels, out))
}

/// An einsum to build: operands with one label per axis, the output's labels.
pub struct Einsum<'a> {
    pub op: &'a str,
    pub operands: Vec<(Expr, Vec<u32>)>,
    pub out: Vec<u32>,
    /// Contraction order as NumPy's `einsum_path` gives it (positions in the list of
    /// operands left, the result appended at its end); `None`: left to right.
    pub path: Option<Vec<Vec<usize>>>,
    /// The result's dtype (default: the operands' promoted dtype).
    pub dtype: Option<DType>,
    pub split_every: Option<usize>,
    pub kernel: KernelFactory<'a>,
}

/// Sums the axes of `x` whose labels are not in `keep` (an ordinary `sum`).
fn sum_unkept(op: &str, x: Expr, l: Vec<u32>, keep: &dyn Fn(u32) -> bool, split_every: Option<usize>) -> Result<(Expr, Vec<u32>)> {
    let axes: Vec<isize> = l.iter().enumerate().filter(|(_, &c)| !keep(c)).map(|(a, _)| a as isize).collect();
    if axes.is_empty() {
        return Ok((x, l));
    }
    let dtype = x.meta.dtype;
    let s = reduce(&x, ReduceOp::Sum, Some(&axes), false, split_every).map_err(|e| crate::err!(Value, op, "{}", e.message))?;
    let l = l.into_iter().filter(|&c| keep(c)).collect();
    Ok((astype(&s, dtype), l))
}

pub fn einsum(e: Einsum) -> Result<Expr> {
    let op = e.op;
    if e.operands.is_empty() {
        bail!(Value, op, "needs at least one operand");
    }
    // Sizes per label: equal, or 1 (broadcast) for output labels.
    let mut size: HashMap<u32, usize> = HashMap::new();
    for (k, (x, l)) in e.operands.iter().enumerate() {
        if l.len() != x.meta.ndim() {
            bail!(Value, op, "operand {k} has {} dimensions but {} labels", x.meta.ndim(), l.len());
        }
        for (a, &c) in l.iter().enumerate() {
            let n = x.meta.shape[a];
            match size.get(&c).copied() {
                Some(m) if m != n => {
                    let broadcast = (m == 1 || n == 1) && e.out.contains(&c) && !l[..a].contains(&c);
                    if !broadcast {
                        let shapes: Vec<String> = e.operands.iter().map(|(x, _)| crate::products::tuple(&x.meta.shape)).collect();
                        bail!(Value, op, "label '{}' has size {m} in one operand and {n} in operand {k} (shapes {})", labels_str(&[c]), shapes.join(", "));
                    }
                    size.insert(c, m.max(n));
                }
                _ => {
                    size.insert(c, n);
                }
            }
        }
    }
    for &c in &e.out {
        if !size.contains_key(&c) {
            bail!(Value, op, "output label '{}' is in no operand", labels_str(&[c]));
        }
    }
    let result = e.dtype.unwrap_or_else(|| e.operands.iter().map(|(x, _)| x.meta.dtype).reduce(result_type).expect("operands"));
    let compute = compute_dtype(result);
    // Each operand: in the compute dtype, repeated labels as diagonals.
    let mut ops: Vec<(Expr, Vec<u32>)> = Vec::with_capacity(e.operands.len());
    for (x, l) in e.operands {
        let (mut x, mut l) = (astype(&x, compute), l);
        while let Some((a, b)) = (0..l.len()).find_map(|b| l[..b].iter().position(|&c| c == l[b]).map(|a| (a, b))) {
            x = crate::diagonal::diagonal(&x, 0, a, b)?;
            let c = l[a];
            l.remove(b);
            l.remove(a);
            l.push(c);
        }
        ops.push((x, l));
    }
    // Contraction order.
    let mut steps: Vec<Vec<usize>> = match &e.path {
        Some(p) => p.clone(),
        None => (1..ops.len()).map(|_| vec![0, 1]).collect(),
    };
    if e.path.is_some() {
        let mut n = ops.len();
        for s in &steps {
            if s.is_empty() || s.iter().any(|&i| i >= n) || (1..s.len()).any(|i| s[..i].contains(&s[i])) {
                bail!(Value, op, "invalid contraction path step {s:?} for {n} operands");
            }
            n = n + 1 - s.len();
        }
        if n != 1 {
            bail!(Value, op, "the contraction path leaves {n} operands, not 1");
        }
    }
    let explicit = e.path.is_some();
    for step in steps.drain(..) {
        // The step's operands, folded pairwise in order.
        let mut pos = step.clone();
        pos.sort_unstable();
        let group: Vec<(Expr, Vec<u32>)> = step.iter().map(|&i| ops[i].clone()).collect();
        for &i in pos.iter().rev() {
            ops.remove(i);
        }
        let mut it = group.into_iter();
        let mut acc = it.next().expect("non-empty step");
        let rest: Vec<(Expr, Vec<u32>)> = it.collect();
        for (k, y) in rest.iter().enumerate() {
            let later: Vec<&(Expr, Vec<u32>)> = ops.iter().chain(rest[k + 1..].iter()).collect();
            let keep = |c: u32| e.out.contains(&c) || later.iter().any(|(_, l)| l.contains(&c));
            let last = later.is_empty();
            acc = contract_pair(op, acc, y.clone(), &keep, if last { Some(&e.out) } else { None }, compute, e.split_every, e.kernel)?;
        }
        if explicit {
            ops.push(acc);
        } else {
            ops.insert(0, acc);
        }
    }
    let (x, l) = ops.pop().expect("one operand left");
    let (x, l) = sum_unkept(op, x, l, &|c| e.out.contains(&c), e.split_every)?;
    // Output order (labels broadcast from size 1 are already full size in contractions; a
    // lone operand's keep theirs, as in NumPy).
    let perm: Vec<isize> = e.out.iter().map(|c| l.iter().position(|m| m == c).expect("output label") as isize).collect();
    let x = transpose(&x, Some(&perm))?;
    Ok(astype(&x, result))
}

/// Contracts `x` and `y` over the labels they share that `keep` does not keep; labels of
/// one operand only that are not kept are summed first. The result's labels are `order`
/// when given (the output), else `x`'s kept labels then `y`'s.
#[allow(clippy::too_many_arguments)]
fn contract_pair(
    op: &str,
    (x, lx): (Expr, Vec<u32>),
    (y, ly): (Expr, Vec<u32>),
    keep: &dyn Fn(u32) -> bool,
    order: Option<&Vec<u32>>,
    compute: DType,
    split_every: Option<usize>,
    kernel: KernelFactory,
) -> Result<(Expr, Vec<u32>)> {
    let (lx0, ly0) = (lx.clone(), ly.clone());
    let (x, lx) = sum_unkept(op, x, lx, &|c| keep(c) || ly0.contains(&c), split_every)?;
    let (y, ly) = sum_unkept(op, y, ly, &|c| keep(c) || lx0.contains(&c), split_every)?;
    let contracted: Vec<u32> = lx.iter().copied().filter(|c| ly.contains(c) && !keep(*c)).collect();
    let kept: Vec<u32> = match order {
        Some(o) => o.iter().copied().filter(|c| lx.contains(c) || ly.contains(c)).collect(),
        None => lx.iter().chain(ly.iter().filter(|c| !lx.contains(c))).copied().filter(|c| keep(*c)).collect(),
    };
    let mut out = kept.clone();
    out.extend_from_slice(&contracted);
    // One element per block along contracted labels: the chunks both operands get.
    let chunks_of = |c: u32| {
        let cx = &x.meta.chunks[lx.iter().position(|&m| m == c).expect("label")];
        let cy = &y.meta.chunks[ly.iter().position(|&m| m == c).expect("label")];
        common_axis_chunks(&[cx, cy])
    };
    let adjust: Vec<(u32, Vec<usize>)> = contracted.iter().map(|&c| (c, vec![1; chunks_of(c).nblocks()])).collect();
    let spec = ContractSpec { name: op.to_string(), dtype: compute, a: lx.clone(), b: ly.clone(), out: out.clone(), contracted: contracted.clone() };
    let k = kernel(&spec);
    let args = [(x, lx), (y, ly)];
    let partial = blockwise(Blockwise { op, kernel: k, out: &out, args: &args, new_axes: &[], adjust_chunks: &adjust, dtype: compute, concatenate: false, align: true })?;
    if contracted.is_empty() {
        return Ok((partial, kept));
    }
    let axes: Vec<isize> = (kept.len()..out.len()).map(|a| a as isize).collect();
    let s = reduce(&partial, ReduceOp::Sum, Some(&axes), false, split_every)?;
    Ok((astype(&s, compute), kept))
}
