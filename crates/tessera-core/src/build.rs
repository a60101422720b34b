//! Building expressions: every constructor checks its inputs and infers shape, dtype and
//! chunks, so that bad input fails here, naming the operation, never at compute time.

use crate::block::{Block, Scalar};
use crate::chunks::{normalize_chunks, AxisChunks, ChunkSpec, Chunks};
use crate::dtype::{result_type, weak_result_type, DType, ScalarKind};
use crate::error::Result;
use crate::graph::{Expr, Generator, Meta, Node, Op};
use crate::ops::{BinaryOp, Class, ReduceOp, UnaryOp};
use crate::view::{index_view, AffineMap, AxisMap, IndexItem};
use crate::{bail, err};

fn shape_str(shape: &[usize]) -> String {
    match shape.len() {
        1 => format!("({},)", shape[0]),
        _ => format!("({})", shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ")),
    }
}

/// An in-memory array, split into `chunks` without copying.
pub fn data(block: Block, chunks: &ChunkSpec) -> Result<Expr> {
    let chunks = normalize_chunks(chunks, block.shape(), block.dtype())?;
    let meta = Meta { shape: block.shape().to_vec(), dtype: block.dtype(), chunks };
    Ok(Node::new(Op::Data(block), vec![], meta))
}

/// Already computed blocks (from `persist`), in C order of the grid of `meta.chunks`.
pub fn blocks(blocks: Vec<crate::spill::Stored>, meta: Meta) -> Expr {
    Node::new(Op::Blocks(std::sync::Arc::new(blocks)), vec![], meta)
}

/// The most elements an array may have: its bytes, in the widest real dtype any operation
/// may give it, must fit in an `isize` (NumPy's "array is too big" for 8-byte items), so
/// that no size, byte count or offset overflows later. complex128 (16 bytes) keeps this
/// limit: byte counts still fit a `usize`, and allocations are checked when made.
pub const MAX_SIZE: usize = isize::MAX as usize / 8;

/// The most axes an array may have (NumPy 1's limit, which NumPy's Rust bindings keep).
pub const MAX_NDIM: usize = 32;

/// Checks that an array of `shape` is not too big (see `MAX_SIZE`) and has at most
/// `MAX_NDIM` axes; returns its size.
pub fn check_size(op: &str, shape: &[usize]) -> Result<usize> {
    if shape.len() > MAX_NDIM {
        bail!(Index, op, "an array may have at most {MAX_NDIM} dimensions, this one would have {}", shape.len());
    }
    // As NumPy: the sizes other than zero must multiply to at most MAX_SIZE, so that an empty
    // array such as (2**31, 2**31, 0) is refused too (NumPy's "array is too big").
    let empty = shape.contains(&0);
    match shape.iter().filter(|&&d| d != 0).try_fold(1usize, |n, &d| n.checked_mul(d)).filter(|&n| n <= MAX_SIZE) {
        Some(n) => Ok(if empty { 0 } else { n }),
        None if empty => bail!(
            Value,
            op,
            "array is too big: the sizes of shape {} other than 0 multiply to more than {MAX_SIZE}, the most an array can hold",
            shape_str(shape)
        ),
        None => bail!(Value, op, "array is too big: shape {} has more than {MAX_SIZE} elements, the most an array can hold", shape_str(shape)),
    }
}

/// A generated source of `shape`, with values computed from coordinates.
pub fn generate(gen: Generator, shape: &[usize], dtype: DType, chunks: &ChunkSpec) -> Result<Expr> {
    check_size(gen.name(), shape)?;
    let chunks = normalize_chunks(chunks, shape, dtype)?;
    let meta = Meta { shape: shape.to_vec(), dtype, chunks };
    Ok(Node::new(Op::Generate { gen, base_shape: shape.to_vec(), map: AffineMap::identity(shape) }, vec![], meta))
}

pub fn astype(x: &Expr, dtype: DType) -> Expr {
    if x.meta.dtype == dtype {
        return x.clone();
    }
    Node::new(Op::Cast, vec![x.clone()], Meta { dtype, ..x.meta.clone() })
}

pub fn unary(op: UnaryOp, x: &Expr) -> Result<Expr> {
    let sig = op.signature(x.meta.dtype)?;
    let x = astype(x, sig.compute);
    Ok(Node::new(Op::Unary(op), vec![x.clone()], Meta { dtype: sig.out, ..x.meta.clone() }))
}

/// NumPy's broadcast of several shapes.
pub fn broadcast_shapes(op: &str, shapes: &[&[usize]]) -> Result<Vec<usize>> {
    let nd = shapes.iter().map(|s| s.len()).max().unwrap_or(0);
    let mut out = vec![1usize; nd];
    for s in shapes {
        for (k, &d) in s.iter().enumerate() {
            let o = &mut out[nd - s.len() + k];
            if *o == 1 {
                *o = d;
            } else if d != 1 && d != *o {
                let all: Vec<String> = shapes.iter().map(|s| shape_str(s)).collect();
                bail!(Shape, op, "operands could not be broadcast together with shapes {}", all.join(" "));
            }
        }
    }
    check_size(op, &out)?;
    Ok(out)
}

/// Common chunks along one axis: the union of all block boundaries (Dask's `unify_chunks`).
pub fn common_axis_chunks(cands: &[&AxisChunks]) -> AxisChunks {
    if cands.windows(2).all(|w| w[0] == w[1]) {
        return cands[0].clone();
    }
    let mut bounds: Vec<usize> = cands.iter().flat_map(|c| (0..=c.nblocks()).map(|b| if b == c.nblocks() { c.len() } else { c.start(b) })).collect();
    bounds.sort_unstable();
    bounds.dedup();
    AxisChunks::from_sizes(&bounds.windows(2).map(|w| w[1] - w[0]).collect::<Vec<_>>())
}

/// Brings operands to one shape and one chunking: rechunks where chunks differ and
/// broadcasts (a view with step 0 or new axes) where shapes differ.
pub fn align(op: &str, xs: &[&Expr]) -> Result<Vec<Expr>> {
    let shapes: Vec<&[usize]> = xs.iter().map(|x| x.meta.shape.as_slice()).collect();
    let shape = broadcast_shapes(op, &shapes)?;
    let nd = shape.len();
    let mut chunks: Chunks = Vec::with_capacity(nd);
    for (k, &dim) in shape.iter().enumerate() {
        let cands: Vec<&AxisChunks> = xs
            .iter()
            .filter_map(|x| {
                let off = nd - x.meta.ndim();
                (k >= off && x.meta.shape[k - off] == dim).then(|| &x.meta.chunks[k - off])
            })
            .collect();
        chunks.push(common_axis_chunks(&cands));
    }
    xs.iter()
        .map(|x| {
            let off = nd - x.meta.ndim();
            let mut x = (*x).clone();
            let own: Chunks = (0..x.meta.ndim())
                .map(|a| if x.meta.shape[a] == shape[a + off] { chunks[a + off].clone() } else { x.meta.chunks[a].clone() })
                .collect();
            if own != x.meta.chunks {
                x = rechunk_to(&x, own);
            }
            if x.meta.shape != shape {
                x = broadcast_view(&x, &shape, chunks.clone());
            }
            Ok(x)
        })
        .collect()
}

/// A broadcast of `x` to `shape` (trailing alignment), with the given output chunks.
pub fn broadcast_view(x: &Expr, shape: &[usize], chunks: Chunks) -> Expr {
    let off = shape.len() - x.meta.ndim();
    let axes = (0..x.meta.ndim())
        .map(|a| {
            let step = if x.meta.shape[a] == shape[a + off] { 1 } else { 0 };
            AxisMap::Strided { out_axis: a + off, start: 0, step }
        })
        .collect();
    let map = AffineMap { out_shape: shape.to_vec(), axes };
    Node::new(Op::View(map), vec![x.clone()], Meta { shape: shape.to_vec(), dtype: x.meta.dtype, chunks })
}

pub fn broadcast_to(x: &Expr, shape: &[usize]) -> Result<Expr> {
    let got = broadcast_shapes("broadcast_to", &[&x.meta.shape, shape])?;
    if got != shape || x.meta.ndim() > shape.len() {
        bail!(Shape, "broadcast_to", "cannot broadcast an array of shape {} to shape {}", shape_str(&x.meta.shape), shape_str(shape));
    }
    let off = shape.len() - x.meta.ndim();
    let chunks = (0..shape.len())
        .map(|k| if k >= off && x.meta.shape[k - off] == shape[k] { x.meta.chunks[k - off].clone() } else { AxisChunks::whole(shape[k]) })
        .collect();
    Ok(if x.meta.shape == shape { x.clone() } else { broadcast_view(x, shape, chunks) })
}

pub fn binary(op: BinaryOp, a: &Expr, b: &Expr) -> Result<Expr> {
    let (da, db) = (a.meta.dtype, b.meta.dtype);
    // Float functions take the smallest float both operands cast to safely (NumPy's loop
    // choice): arctan2(int8, uint16) is float32, not float_for(int32).
    let common = if op.class() == Class::FloatFn {
        let fl = |d: DType| if d.is_float() { d } else { d.float_for() };
        result_type(fl(da), fl(db))
    } else {
        result_type(da, db)
    };
    let sig = op.signature(common).map_err(|e| if da == db { e } else { err!(DType, e.op, "{} (operands {da} and {db})", e.message) })?;
    let xs = align(op.name(), &[&astype(a, sig.compute), &astype(b, sig.compute)])?;
    let meta = Meta { dtype: sig.out, ..xs[0].meta.clone() };
    Ok(Node::new(Op::Binary(op), xs, meta))
}

/// A binary op with a Python scalar (weak, NEP 50) on the left or right.
///
/// As in NumPy 2, a Python integer must fit the dtype the operation computes in (the loop's
/// dtype, not the promoted one): `int8_array + 200` fails, `arctan2(int8_array, 200)`
/// computes in float and does not. Logical operations take any integer that fits int64
/// (NumPy converts it through a C long). An integer computation with a negative integer
/// exponent fails as in NumPy. An `Int` scalar given as `F64` stands for a Python integer
/// beyond 64 bits (out of every integer dtype's range).
pub fn binary_scalar(op: BinaryOp, a: &Expr, scalar: Scalar, kind: ScalarKind, scalar_left: bool) -> Result<Expr> {
    let common = weak_result_type(a.meta.dtype, kind);
    let sig = op.signature(common)?;
    if kind == ScalarKind::Int {
        let v = match scalar {
            Scalar::U64(u) => u as i128,
            Scalar::F64(f) if f < 0.0 => i128::MIN,
            Scalar::F64(_) => i128::MAX,
            s => s.cast::<i64>() as i128,
        };
        let shown = || if let Scalar::F64(f) = scalar { format!("{f:.0}") } else { v.to_string() };
        let holder = match op.class() {
            Class::Logical => Some(DType::I64),
            _ if sig.compute.is_int() => Some(sig.compute),
            _ => None,
        };
        if let Some(d) = holder {
            let (lo, hi) = int_range(d);
            if v < lo || v > hi {
                bail!(Value, op.name(), "Python integer {} out of bounds for {d}", shown());
            }
        } else if matches!(scalar, Scalar::F64(f) if f.is_infinite()) {
            bail!(Value, op.name(), "Python integer {} out of bounds for {} (too large to convert to float)", shown(), sig.compute);
        }
        if op == BinaryOp::Pow && !scalar_left && sig.compute.is_int() && v < 0 {
            bail!(Value, op.name(), "Integers to negative integer powers are not allowed (exponent {}); use a float exponent", shown());
        }
    }
    // A float16 computation (in float32) takes the scalar rounded to float16 first, as NumPy.
    let scalar = if common == DType::F16 || sig.out == DType::F16 { scalar.cast_to(DType::F16) } else { scalar };
    let a = astype(a, sig.compute);
    let meta = Meta { dtype: sig.out, ..a.meta.clone() };
    Ok(Node::new(Op::BinaryScalar { op, scalar: scalar.cast_to(sig.compute), scalar_left }, vec![a], meta))
}

fn int_range(d: DType) -> (i128, i128) {
    if d.is_signed_int() {
        let bits = d.size() * 8 - 1;
        (-(1i128 << bits), (1i128 << bits) - 1)
    } else {
        (0, (1i128 << (d.size() * 8)) - 1)
    }
}

/// `where(cond, a, b)`.
pub fn where_(cond: &Expr, a: &Expr, b: &Expr) -> Result<Expr> {
    let t = result_type(a.meta.dtype, b.meta.dtype);
    let xs = align("where", &[&astype(cond, DType::Bool), &astype(a, t), &astype(b, t)])?;
    let meta = Meta { dtype: t, ..xs[0].meta.clone() };
    Ok(Node::new(Op::Where, xs, meta))
}

/// Normalises possibly negative axes; rejects out-of-range and repeated ones.
pub fn normalize_axes(op: &str, axes: &[isize], ndim: usize) -> Result<Vec<usize>> {
    let mut out = Vec::with_capacity(axes.len());
    for &a in axes {
        let n = ndim as isize;
        if a < -n || a >= n {
            bail!(Axis, op, "axis {a} is out of bounds for array of dimension {ndim}");
        }
        let a = if a < 0 { a + n } else { a } as usize;
        if out.contains(&a) {
            bail!(Axis, op, "repeated axis {a} in {axes:?}");
        }
        out.push(a);
    }
    Ok(out)
}

/// Dask's default fan-in of a tree reduction: 16 blocks per combine in all.
pub const DEFAULT_SPLIT_EVERY: usize = 16;

/// A reduction over `axes` (all axes when `None`).
pub fn reduce(x: &Expr, op: ReduceOp, axes: Option<&[isize]>, keepdims: bool, split_every: Option<usize>) -> Result<Expr> {
    let nd = x.meta.ndim();
    let mut axes = match axes {
        None => (0..nd).collect(),
        Some(a) => normalize_axes(op.name(), a, nd)?,
    };
    axes.sort_unstable();
    if op.one_axis() && axes.len() != nd && axes.len() != 1 {
        bail!(Axis, op.name(), "{} takes one axis or none, got axes {axes:?}", op.name());
    }
    let reduced: usize = axes.iter().map(|&a| x.meta.shape[a]).product();
    if reduced == 0 && op.needs_identity() {
        bail!(
            Value,
            op.name(),
            "zero-size array to reduction operation {} which has no identity (shape {}, axes {axes:?})",
            op.name(),
            shape_str(&x.meta.shape)
        );
    }
    let split = split_every.unwrap_or(DEFAULT_SPLIT_EVERY);
    if split < 2 {
        bail!(Value, op.name(), "split_every must be at least 2, got {split}");
    }
    let per_axis = ((split as f64).powf(1.0 / axes.len().max(1) as f64) as usize).max(2);
    let mut shape = Vec::new();
    let mut chunks = Vec::new();
    for a in 0..nd {
        if !axes.contains(&a) {
            shape.push(x.meta.shape[a]);
            chunks.push(x.meta.chunks[a].clone());
        } else if keepdims {
            shape.push(1);
            chunks.push(AxisChunks::whole(1));
        }
    }
    let meta = Meta { shape, dtype: op.out_dtype(x.meta.dtype), chunks };
    let split_every = vec![per_axis; axes.len()];
    Ok(Node::new(Op::Reduce { op, axes, keepdims, split_every }, vec![x.clone()], meta))
}

pub fn index(x: &Expr, items: &[IndexItem]) -> Result<Expr> {
    let (map, chunks) = index_view(items, &x.meta.shape, &x.meta.chunks)?;
    check_size("getitem", &map.out_shape)?;
    // `is_identity` looks at the axis rules only; `x[:0]` has them too.
    if map.is_identity() && map.out_shape == x.meta.shape {
        return Ok(x.clone());
    }
    let meta = Meta { shape: map.out_shape.clone(), dtype: x.meta.dtype, chunks };
    Ok(Node::new(Op::View(map), vec![x.clone()], meta))
}

pub fn transpose(x: &Expr, axes: Option<&[isize]>) -> Result<Expr> {
    let nd = x.meta.ndim();
    let perm = match axes {
        None => (0..nd).rev().collect(),
        Some(a) => {
            if a.len() != nd {
                bail!(Axis, "transpose", "axes {a:?} don't match array of dimension {nd}");
            }
            normalize_axes("transpose", a, nd)?
        }
    };
    let mut axes_map = vec![AxisMap::Fixed(0); nd];
    for (o, &i) in perm.iter().enumerate() {
        axes_map[i] = AxisMap::Strided { out_axis: o, start: 0, step: 1 };
    }
    let shape: Vec<usize> = perm.iter().map(|&i| x.meta.shape[i]).collect();
    let chunks = perm.iter().map(|&i| x.meta.chunks[i].clone()).collect();
    let map = AffineMap { out_shape: shape.clone(), axes: axes_map };
    if map.is_identity() {
        return Ok(x.clone());
    }
    Ok(Node::new(Op::View(map), vec![x.clone()], Meta { shape, dtype: x.meta.dtype, chunks }))
}

pub fn rechunk(x: &Expr, spec: &ChunkSpec) -> Result<Expr> {
    let chunks = normalize_chunks(spec, &x.meta.shape, x.meta.dtype).map_err(|e| err!(Chunks, "rechunk", "{}", e.message))?;
    Ok(rechunk_to(x, chunks))
}

pub fn rechunk_to(x: &Expr, chunks: Chunks) -> Expr {
    if chunks == x.meta.chunks {
        return x.clone();
    }
    Node::new(Op::Rechunk, vec![x.clone()], Meta { chunks, ..x.meta.clone() })
}

/// Groups of input and output axes whose sizes multiply to the same number.
fn reshape_groups(a: &[usize], b: &[usize]) -> Vec<(std::ops::Range<usize>, std::ops::Range<usize>)> {
    let (mut i, mut j) = (0, 0);
    let mut groups = Vec::new();
    while i < a.len() || j < b.len() {
        let (si, sj) = (i, j);
        let (mut pa, mut pb) = (1usize, 1usize);
        if i < a.len() {
            pa *= a[i];
            i += 1;
        }
        if j < b.len() {
            pb *= b[j];
            j += 1;
        }
        while pa != pb {
            if pa < pb && i < a.len() {
                pa *= a[i];
                i += 1;
            } else if j < b.len() {
                pb *= b[j];
                j += 1;
            } else {
                pa *= a[i];
                i += 1;
            }
        }
        // Trailing size-1 axes join the current group.
        while i < a.len() && a[i] == 1 && (j >= b.len() || b[j] != 1) {
            i += 1;
        }
        while j < b.len() && b[j] == 1 && (i >= a.len() || a[i] != 1) {
            j += 1;
        }
        groups.push((si..i, sj..j));
    }
    groups
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// `reshape`, with one -1 allowed. Where chunk boundaries don't allow a blockwise reshape,
/// the input is rechunked first (whole blocks along all but the leading axis of each
/// group of merged or split axes), as Dask does.
pub fn reshape(x: &Expr, shape: &[i64]) -> Result<Expr> {
    let size = x.meta.size();
    let unknown: Vec<usize> = (0..shape.len()).filter(|&k| shape[k] == -1).collect();
    if unknown.len() > 1 || shape.iter().any(|&d| d < -1) {
        bail!(Value, "reshape", "can only specify one unknown dimension (-1) and no other negative sizes, got {shape:?}");
    }
    let mut out: Vec<usize> = shape.iter().map(|&d| d.max(0) as usize).collect();
    let known = check_size("reshape", &shape.iter().filter(|&&d| d >= 0).map(|&d| d as usize).collect::<Vec<_>>())?;
    if let Some(&k) = unknown.first() {
        if known == 0 || size % known != 0 {
            bail!(Shape, "reshape", "cannot reshape array of size {size} into shape {shape:?}");
        }
        out[k] = size / known;
    }
    if check_size("reshape", &out)? != size {
        bail!(Shape, "reshape", "cannot reshape array of size {size} into shape {}", shape_str(&out));
    }
    if out == x.meta.shape {
        return Ok(x.clone());
    }
    if size == 0 {
        let chunks = out.iter().map(|&d| AxisChunks::whole(d)).collect();
        let x = rechunk_to(x, x.meta.shape.iter().map(|&d| AxisChunks::whole(d)).collect());
        return Ok(Node::new(Op::Reshape, vec![x.clone()], Meta { shape: out, dtype: x.meta.dtype, chunks }));
    }
    let mut in_chunks = x.meta.chunks.clone();
    let mut out_chunks: Chunks = Vec::with_capacity(out.len());
    for (ga, gb) in reshape_groups(&x.meta.shape, &out) {
        let inner_in: usize = x.meta.shape[ga.clone()].iter().skip(1).product();
        let inner_out: usize = out[gb.clone()].iter().skip(1).product();
        for a in ga.clone().skip(1) {
            in_chunks[a] = AxisChunks::whole(x.meta.shape[a]);
        }
        if ga.is_empty() {
            out_chunks.extend(gb.map(|_| AxisChunks::whole(1)));
            continue;
        }
        if gb.is_empty() {
            // Size-1 axes that disappear; empty blocks could still split them.
            in_chunks[ga.start] = AxisChunks::whole(x.meta.shape[ga.start]);
            continue;
        }
        // Leading input blocks must hold whole multiples of the output's inner size.
        let unit = inner_out / gcd(inner_in, inner_out);
        let lead = &x.meta.chunks[ga.start];
        if lead.sizes().iter().any(|s| s % unit != 0 && *s != lead.len()) || lead.len() % unit != 0 {
            let size = (lead.max_size().div_ceil(unit) * unit).min(lead.len());
            in_chunks[ga.start] = AxisChunks::regular(size.max(1), lead.len());
        }
        let lead = &in_chunks[ga.start];
        out_chunks.push(AxisChunks::from_sizes(&lead.sizes().iter().map(|s| s * inner_in / inner_out).collect::<Vec<_>>()));
        out_chunks.extend(gb.skip(1).map(|o| AxisChunks::whole(out[o])));
    }
    let x = rechunk_to(x, in_chunks);
    Ok(Node::new(Op::Reshape, vec![x.clone()], Meta { shape: out, dtype: x.meta.dtype, chunks: out_chunks }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ones(shape: &[usize], chunk: i64) -> Expr {
        generate(Generator::Fill(Scalar::F64(1.0)), shape, DType::F64, &ChunkSpec::Uniform(chunk)).unwrap()
    }

    #[test]
    fn broadcast_error_names_shapes() {
        let e = binary(BinaryOp::Add, &ones(&[2, 3], 2), &ones(&[4], 2)).unwrap_err();
        assert_eq!(e.to_string(), "add: operands could not be broadcast together with shapes (2, 3) (4,)");
    }

    #[test]
    fn binary_aligns_chunks_and_broadcasts() {
        let z = binary(BinaryOp::Mul, &ones(&[6, 4], 3), &ones(&[4], 2)).unwrap();
        assert_eq!(z.meta.shape, vec![6, 4]);
        assert_eq!(z.meta.chunks[1].sizes(), vec![2, 1, 1]);
        assert_eq!(z.meta.chunks[0].sizes(), vec![3, 3]);
    }

    #[test]
    fn reduce_checks_axes() {
        let x = ones(&[3, 4], 2);
        assert_eq!(reduce(&x, ReduceOp::Sum, Some(&[2]), false, None).unwrap_err().message, "axis 2 is out of bounds for array of dimension 2");
        assert!(reduce(&x, ReduceOp::Sum, Some(&[0, -2]), false, None).is_err());
        let m = reduce(&x, ReduceOp::Mean, Some(&[-1]), true, None).unwrap();
        assert_eq!(m.meta.shape, vec![3, 1]);
        let e = reduce(&ones(&[0], 1), ReduceOp::Max, None, false, None).unwrap_err();
        assert!(e.message.contains("zero-size array"));
    }

    #[test]
    fn scalar_overflow_is_an_error() {
        let x = astype(&ones(&[3], 2), DType::U8);
        assert!(binary_scalar(BinaryOp::Add, &x, Scalar::I64(300), ScalarKind::Int, false).is_err());
        let y = binary_scalar(BinaryOp::Add, &x, Scalar::I64(3), ScalarKind::Int, false).unwrap();
        assert_eq!(y.meta.dtype, DType::U8);
        let y = binary_scalar(BinaryOp::Add, &x, Scalar::F64(3.5), ScalarKind::Float, false).unwrap();
        assert_eq!(y.meta.dtype, DType::F64);
    }

    #[test]
    fn scalar_range_is_checked_in_the_compute_dtype() {
        let x = astype(&ones(&[3], 2), DType::I8);
        // float and bool loops take the integer as it is (NumPy 2)
        assert_eq!(binary_scalar(BinaryOp::Arctan2, &x, Scalar::I64(200), ScalarKind::Int, false).unwrap().meta.dtype, DType::F16);
        assert!(binary_scalar(BinaryOp::TrueDiv, &x, Scalar::F64(1e30), ScalarKind::Int, true).is_ok());
        assert!(binary_scalar(BinaryOp::LogicalOr, &x, Scalar::I64(-300), ScalarKind::Int, false).is_ok());
        // logical operations take integers that fit int64 only, as NumPy does
        assert!(binary_scalar(BinaryOp::LogicalOr, &x, Scalar::U64(1 << 63), ScalarKind::Int, false).is_err());
        assert!(binary_scalar(BinaryOp::Minimum, &x, Scalar::I64(200), ScalarKind::Int, false).is_err());
        // an integer too large even for float64
        assert!(binary_scalar(BinaryOp::TrueDiv, &x, Scalar::F64(f64::INFINITY), ScalarKind::Int, false).is_err());
    }

    #[test]
    fn integer_to_negative_integer_power_is_an_error() {
        let x = astype(&ones(&[3], 2), DType::I32);
        let e = binary_scalar(BinaryOp::Pow, &x, Scalar::I64(-1), ScalarKind::Int, false).unwrap_err();
        assert!(e.to_string().starts_with("power: Integers to negative integer powers are not allowed"), "{e}");
        // a negative base is fine, and so are float exponents and float arrays
        assert!(binary_scalar(BinaryOp::Pow, &x, Scalar::I64(-1), ScalarKind::Int, true).is_ok());
        assert!(binary_scalar(BinaryOp::Pow, &x, Scalar::F64(-1.0), ScalarKind::Float, false).is_ok());
        assert!(binary_scalar(BinaryOp::Pow, &ones(&[3], 2), Scalar::I64(-1), ScalarKind::Int, false).is_ok());
    }

    #[test]
    fn empty_shapes_whose_other_sizes_overflow_are_too_big() {
        // NumPy refuses np.zeros((2**31, 2**31, 0)): the sizes other than 0 must fit too.
        let e = check_size("zeros", &[1 << 31, 1 << 31, 0]).unwrap_err();
        assert!(e.message.starts_with("array is too big"), "{e}");
        assert_eq!(check_size("zeros", &[1 << 20, 1 << 20, 0]).unwrap(), 0);
        assert!(reshape(&ones(&[0], 1), &[1 << 31, 1 << 31, 0]).is_err());
        assert_eq!(reshape(&ones(&[0], 1), &[1 << 20, 0, 1 << 20]).unwrap().meta.shape, vec![1 << 20, 0, 1 << 20]);
    }

    #[test]
    fn reshape_groups_and_chunks() {
        assert_eq!(reshape_groups(&[6, 4], &[24]), vec![(0..2, 0..1)]);
        assert_eq!(reshape_groups(&[2, 3, 4], &[6, 4]), vec![(0..2, 0..1), (2..3, 1..2)]);
        let r = reshape(&ones(&[6, 4], 2), &[24]).unwrap();
        assert_eq!(r.meta.chunks[0].sizes(), vec![8, 8, 8]);
        let r = reshape(&ones(&[24], 5), &[-1, 4]).unwrap();
        assert_eq!(r.meta.shape, vec![6, 4]);
        assert_eq!(r.meta.chunks[0].sizes().iter().sum::<usize>(), 6);
        assert!(reshape(&ones(&[24], 5), &[5, -1]).is_err());
    }
}
