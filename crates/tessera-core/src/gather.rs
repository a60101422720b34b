//! Gather: an array made, along one axis, of runs of coordinates taken from several inputs
//! (or filled with a constant), every other axis passing through unchanged. This one
//! primitive is `concatenate`/`stack`/`block` (one run per input), `take` and integer-array
//! indexing (runs of the indices), `roll` (two runs), `pad`'s copying modes (runs with step
//! 1, -1 or 0 around the input, a constant elsewhere), `tile` and `repeat`.
//!
//! The runs are stored compactly (one entry per run, not per block or element), so
//! building `concatenate` of 1,000 arrays costs 1,000 entries whatever their block count;
//! the per-block dependency tables are made when the plan is lowered.

use crate::block::Scalar;
use crate::build::{check_size, common_axis_chunks, rechunk_to};
use crate::chunks::{AxisChunks, Chunks};
use crate::error::Result;
use crate::graph::{Expr, Meta, Node, Op};
use crate::bail;
use std::sync::{Arc, OnceLock};

/// Input number of a run filled with the constant.
pub const FILL: u32 = u32::MAX;

/// Output coordinates `out..out + len` along the gather axis: input `input`'s coordinates
/// `start + step * k` (step may be 0 or negative), or the fill constant when `input == FILL`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seg {
    pub out: usize,
    pub len: usize,
    pub input: u32,
    pub start: i64,
    pub step: i64,
}

impl Seg {
    pub fn run(input: u32, start: i64, step: i64, len: usize) -> Seg {
        Seg { out: 0, len, input, start, step }
    }
    pub fn fill(len: usize) -> Seg {
        Seg { out: 0, len, input: FILL, start: 0, step: 0 }
    }
    /// The input coordinate of output coordinate `out + k`.
    fn at(&self, k: usize) -> i64 {
        self.start + self.step * k as i64
    }
}

#[derive(Debug, PartialEq)]
pub struct GatherSpec {
    /// `concatenate`, `take`, `pad`, ...: the op's name in plans and pictures.
    pub name: String,
    pub axis: usize,
    /// Sorted by `out`, covering the axis without gaps; made from `mask` on first use.
    segs: OnceLock<Arc<[Seg]>>,
    /// A boolean mask of input 0 along the axis (`x[mask]`): its runs are worked out when
    /// the plan is made, so building the expression costs only a count per block.
    mask: Option<Arc<[bool]>>,
    /// The constant of `FILL` runs (of the array's dtype).
    pub fill: Option<Scalar>,
}

/// A run of `len` output coordinates from block-local offset `out`: from input `input`'s
/// block `block`, local coordinate `start` on, `step` per output coordinate; or the fill.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Piece {
    pub out: usize,
    pub len: usize,
    pub src: Option<(usize, usize, usize, isize)>,
}

impl GatherSpec {
    pub fn new(name: &str, axis: usize, segs: Arc<[Seg]>, fill: Option<Scalar>) -> GatherSpec {
        GatherSpec { name: name.to_string(), axis, segs: OnceLock::from(segs), mask: None, fill }
    }

    /// The runs, sorted by output coordinate.
    pub fn segs(&self) -> &Arc<[Seg]> {
        self.segs.get_or_init(|| {
            let mask = self.mask.as_deref().unwrap_or(&[]);
            let mut runs = Vec::new();
            let mut i = 0;
            while i < mask.len() {
                if !mask[i] {
                    i += 1;
                    continue;
                }
                let j = i + mask[i..].iter().position(|&m| !m).unwrap_or(mask.len() - i);
                runs.push(Seg::run(0, i as i64, 1, j - i));
                i = j;
            }
            lay_out(runs).0.into()
        })
    }

    /// The runs overlapping output coordinates `lo..hi`, clipped to them.
    pub fn segs_in(&self, lo: usize, hi: usize) -> impl Iterator<Item = Seg> + '_ {
        let segs = self.segs();
        let first = segs.partition_point(|s| s.out + s.len <= lo);
        segs[first..].iter().take_while(move |s| s.out < hi).filter(|s| s.len > 0).map(move |s| {
            let a = s.out.max(lo);
            let b = (s.out + s.len).min(hi);
            Seg { out: a, len: b - a, input: s.input, start: s.at(a - s.out), step: s.step }
        })
    }

    /// The pieces of output coordinates `lo..lo + len`, each inside one block of its input
    /// (`chunks[k]` are input `k`'s chunks along the axis), in output order.
    pub fn pieces(&self, lo: usize, len: usize, chunks: &[&AxisChunks]) -> Vec<Piece> {
        let mut out = Vec::new();
        for s in self.segs_in(lo, lo + len) {
            let at = s.out - lo;
            if s.input == FILL {
                out.push(Piece { out: at, len: s.len, src: None });
                continue;
            }
            let c = chunks[s.input as usize];
            let (mut k, mut x) = (0usize, s.start);
            while k < s.len {
                let b = c.block_of(x as usize);
                let (bs, be) = (c.start(b) as i64, (c.start(b) + c.size(b)) as i64);
                // How many of the remaining coordinates stay inside block b.
                let n = match s.step {
                    0 => s.len - k,
                    st if st > 0 => (((be - x) + st - 1) / st) as usize,
                    st => ((x - bs) / -st + 1) as usize,
                }
                .min(s.len - k);
                out.push(Piece { out: at + k, len: n, src: Some((s.input as usize, b, (x - bs) as usize, s.step as isize)) });
                k += n;
                x += s.step * n as i64;
            }
        }
        out
    }
}

/// The (input, block along the axis) pairs that output coordinates `lo..lo + len` read,
/// sorted and distinct.
pub fn block_deps(spec: &GatherSpec, lo: usize, len: usize, chunks: &[&AxisChunks]) -> Vec<(u32, u32)> {
    let mut deps: Vec<(u32, u32)> = spec.pieces(lo, len, chunks).iter().filter_map(|p| p.src.map(|(k, b, ..)| (k as u32, b as u32))).collect();
    deps.sort_unstable();
    deps.dedup();
    deps
}

/// Lays `runs` end to end (their `out` is recomputed) and returns them with the axis length.
pub fn lay_out(mut runs: Vec<Seg>) -> (Vec<Seg>, usize) {
    runs.retain(|s| s.len > 0);
    let mut at = 0;
    for s in &mut runs {
        s.out = at;
        at += s.len;
    }
    (runs, at)
}

/// An array gathered along `axis` from `inputs` (of one dtype and the same shape along the
/// other axes, which are brought to common chunks) by `runs` laid end to end, chunked
/// `out_chunks` along `axis`; `fill` is the constant of `FILL` runs.
pub fn gather(name: &str, inputs: &[Expr], axis: usize, runs: Vec<Seg>, fill: Option<Scalar>, out_chunks: AxisChunks) -> Result<Expr> {
    let Some(first) = inputs.first() else { bail!(Value, name, "need at least one array") };
    let nd = first.meta.ndim();
    if axis >= nd {
        bail!(Axis, name, "axis {axis} is out of bounds for array of dimension {nd}");
    }
    let dtype = first.meta.dtype;
    for (k, x) in inputs.iter().enumerate() {
        if x.meta.ndim() != nd {
            bail!(Value, name, "all the input arrays must have same number of dimensions, but the array at index 0 has {nd} dimension(s) and the array at index {k} has {} dimension(s)", x.meta.ndim());
        }
        if x.meta.dtype != dtype {
            bail!(Internal, name, "input {k} is {} where {dtype} was expected", x.meta.dtype);
        }
        for a in (0..nd).filter(|&a| a != axis) {
            if x.meta.shape[a] != first.meta.shape[a] {
                bail!(
                    Value,
                    name,
                    "all the input array dimensions except for the concatenation axis must match exactly, but along dimension {a}, the array at index 0 has size {} and the array at index {k} has size {}",
                    first.meta.shape[a],
                    x.meta.shape[a]
                );
            }
        }
    }
    let (segs, len) = lay_out(runs);
    if len != out_chunks.len() {
        bail!(Internal, name, "runs cover {len} elements, chunks {}", out_chunks.len());
    }
    for s in &segs {
        if s.input == FILL {
            if fill.is_none() {
                bail!(Internal, name, "a filled run without a fill value");
            }
            continue;
        }
        let Some(x) = inputs.get(s.input as usize) else { bail!(Internal, name, "run of input {} of {}", s.input, inputs.len()) };
        let n = x.meta.shape[axis] as i64;
        let last = s.at(s.len - 1);
        if s.start < 0 || s.start >= n || last < 0 || last >= n {
            bail!(Index, name, "index {} is out of bounds for axis {axis} with size {n}", if s.start < 0 || s.start >= n { s.start } else { last });
        }
    }
    // Other axes: common chunks (Dask's unify_chunks), the same blocks in every input.
    let mut chunks: Chunks = Vec::with_capacity(nd);
    for a in 0..nd {
        if a == axis {
            chunks.push(out_chunks.clone());
        } else {
            let cands: Vec<&AxisChunks> = inputs.iter().map(|x| &x.meta.chunks[a]).collect();
            chunks.push(common_axis_chunks(&cands));
        }
    }
    let inputs: Vec<Expr> = inputs
        .iter()
        .map(|x| {
            let want: Chunks = (0..nd).map(|a| if a == axis { x.meta.chunks[a].clone() } else { chunks[a].clone() }).collect();
            rechunk_to(x, want)
        })
        .collect();
    let shape: Vec<usize> = chunks.iter().map(|c| c.len()).collect();
    check_size(name, &shape)?;
    let fill = fill.map(|f| f.cast_to(dtype));
    let meta = Meta { shape, dtype, chunks };
    Ok(Node::new(Op::Gather(Arc::new(GatherSpec::new(name, axis, segs.into(), fill))), inputs, meta))
}

/// `concatenate` along `axis`: the inputs' chunks laid end to end (Dask's), so each output
/// block is an input block, passed through without a copy.
pub fn concatenate(inputs: &[Expr], axis: usize) -> Result<Expr> {
    let Some(first) = inputs.first() else { bail!(Value, "concatenate", "need at least one array to concatenate") };
    if axis >= first.meta.ndim() {
        bail!(Axis, "concatenate", "axis {axis} is out of bounds for array of dimension {}", first.meta.ndim());
    }
    if inputs.len() == 1 {
        return Ok(first.clone());
    }
    let runs = inputs.iter().enumerate().map(|(k, x)| Seg::run(k as u32, 0, 1, x.meta.shape.get(axis).copied().unwrap_or(0))).collect();
    // Empty inputs add no blocks (unless all are empty).
    let mut sizes: Vec<usize> = Vec::new();
    for x in inputs {
        if let Some(c) = x.meta.chunks.get(axis) {
            if c.len() > 0 {
                sizes.extend((0..c.nblocks()).map(|b| c.size(b)));
            }
        }
    }
    if sizes.is_empty() {
        sizes.push(0);
    }
    gather("concatenate", inputs, axis, runs, None, AxisChunks::from_sizes(&sizes))
}

/// Output chunks for `indices` (all in `0..n`, chunked `c`) taken along an axis: a new block
/// wherever the input block changes, adjacent groups merged up to the input's largest chunk
/// (Dask's `take` keeps sorted indices within their input blocks).
pub fn take_chunks(indices: &[i64], c: &AxisChunks) -> AxisChunks {
    let limit = c.max_size().max(1);
    let mut sizes: Vec<usize> = Vec::new();
    let mut cur = 0usize;
    let mut prev_block = usize::MAX;
    for &i in indices {
        let b = c.block_of(i as usize);
        if cur > 0 && (cur >= limit || (b != prev_block && cur >= limit / 2)) {
            sizes.push(cur);
            cur = 0;
        }
        prev_block = b;
        cur += 1;
    }
    if cur > 0 || sizes.is_empty() {
        sizes.push(cur);
    }
    AxisChunks::from_sizes(&sizes)
}

/// Runs of `indices` (already in `0..n`): maximal stretches of a constant step.
pub fn index_runs(input: u32, indices: &[i64]) -> Vec<Seg> {
    let mut runs: Vec<Seg> = Vec::new();
    let mut k = 0;
    while k < indices.len() {
        let start = indices[k];
        let step = if k + 1 < indices.len() { indices[k + 1] - start } else { 1 };
        let mut len = 1;
        while k + len < indices.len() && indices[k + len] - indices[k + len - 1] == step {
            len += 1;
        }
        runs.push(Seg::run(input, start, if len == 1 { 1 } else { step }, len));
        k += len;
    }
    runs
}

/// `take(x, indices, axis)`: negative indices count from the end; out-of-bounds ones are an
/// IndexError naming the index, the axis and its size.
pub fn take(x: &Expr, indices: &[i64], axis: usize, chunks: Option<AxisChunks>) -> Result<Expr> {
    let nd = x.meta.ndim();
    if axis >= nd {
        bail!(Axis, "take", "axis {axis} is out of bounds for array of dimension {nd}");
    }
    let n = x.meta.shape[axis] as i64;
    let mut idx = Vec::with_capacity(indices.len());
    for &i in indices {
        let j = if i < 0 { i + n } else { i };
        if j < 0 || j >= n {
            bail!(Index, "take", "index {i} is out of bounds for axis {axis} with size {n}");
        }
        idx.push(j);
    }
    let chunks = chunks.unwrap_or_else(|| take_chunks(&idx, &x.meta.chunks[axis]));
    gather("take", std::slice::from_ref(x), axis, index_runs(0, &idx), None, chunks)
}

/// `x[mask]` along `axis` for a boolean `mask` as long as the axis: one output block per
/// input block holding selected elements (as Dask's), the runs worked out only when the
/// plan is made.
pub fn take_mask(x: &Expr, mask: &[bool], axis: usize) -> Result<Expr> {
    let nd = x.meta.ndim();
    if axis >= nd {
        bail!(Axis, "getitem", "axis {axis} is out of bounds for array of dimension {nd}");
    }
    let n = x.meta.shape[axis];
    if mask.len() != n {
        bail!(Index, "getitem", "boolean index did not match indexed array along axis {axis}; size of axis is {n} but size of corresponding boolean axis is {}", mask.len());
    }
    let c = &x.meta.chunks[axis];
    let mut sizes: Vec<usize> = (0..c.nblocks()).map(|b| mask[c.start(b)..c.start(b) + c.size(b)].iter().filter(|&&m| m).count()).filter(|&k| k > 0).collect();
    if sizes.is_empty() {
        sizes.push(0);
    }
    let mut shape = x.meta.shape.clone();
    shape[axis] = sizes.iter().sum();
    check_size("getitem", &shape)?;
    let mut chunks = x.meta.chunks.clone();
    chunks[axis] = AxisChunks::from_sizes(&sizes);
    let spec = GatherSpec { name: "getitem".into(), axis, segs: OnceLock::new(), mask: Some(mask.into()), fill: None };
    let meta = Meta { shape, dtype: x.meta.dtype, chunks };
    Ok(Node::new(Op::Gather(Arc::new(spec)), vec![x.clone()], meta))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(spec: &GatherSpec, lo: usize, len: usize, chunks: &[&AxisChunks]) -> Vec<i64> {
        let mut out = vec![-99; len];
        for p in spec.pieces(lo, len, chunks) {
            for k in 0..p.len {
                out[p.out + k] = match p.src {
                    Some((i, b, s, st)) => 1000 * i as i64 + chunks[i].start(b) as i64 + s as i64 + st as i64 * k as i64,
                    None => -1,
                };
            }
        }
        out
    }

    #[test]
    fn pieces_split_runs_at_block_boundaries() {
        let a = AxisChunks::from_sizes(&[3, 3, 1]);
        let b = AxisChunks::from_sizes(&[2, 2]);
        let (segs, n) = lay_out(vec![Seg::run(0, 6, -2, 4), Seg::fill(2), Seg::run(1, 1, 0, 3), Seg::run(0, 1, 3, 2), Seg::run(1, 0, 1, 4)]);
        assert_eq!(n, 15);
        let spec = GatherSpec::new("t", 0, segs.into(), Some(Scalar::I64(0)));
        let ch = [&a, &b];
        let want = [6, 4, 2, 0, -1, -1, 1001, 1001, 1001, 1, 4, 1000, 1001, 1002, 1003];
        assert_eq!(values(&spec, 0, 15, &ch), want);
        for lo in 0..15 {
            for len in 0..=15 - lo {
                assert_eq!(values(&spec, lo, len, &ch), want[lo..lo + len], "{lo} {len}");
            }
        }
        assert_eq!(block_deps(&spec, 0, 4, &ch), vec![(0, 0), (0, 1), (0, 2)]);
        assert_eq!(block_deps(&spec, 9, 6, &ch), vec![(0, 0), (0, 1), (1, 0), (1, 1)]);
    }

    #[test]
    fn index_runs_find_constant_steps() {
        let r = index_runs(0, &[5, 4, 3, 7, 7, 7, 0, 2]);
        let (r, n) = lay_out(r);
        assert_eq!(n, 8);
        assert_eq!(r.iter().map(|s| (s.start, s.step, s.len)).collect::<Vec<_>>(), vec![(5, -1, 3), (7, 0, 3), (0, 2, 2)]);
    }
}
