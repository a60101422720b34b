//! Regions: an array whose block `b` is a region of its input, `[starts[b], starts[b] +
//! size_b)` along each axis, where coordinates outside the input are made by a boundary
//! rule. This one gather is `map_overlap`'s halo (`overlap`: every block grows by the depth
//! on each side), its `trim` (every block shrinks back: a view, no copy) and Dask's
//! `boundaries` padding. A task copies the pieces of the input blocks a region touches
//! into place, as a rechunk does; a region inside one input block is a view of it.

use crate::block::Scalar;
use crate::build::{check_size, rechunk_to};
use crate::chunks::{AxisChunks, Chunks};
use crate::error::Result;
use crate::graph::{Expr, Meta, Node, Op};
use crate::{bail, err};
use std::sync::Arc;

/// How coordinates outside the input are filled (Dask's `boundary=`).
#[derive(Clone, Debug, PartialEq)]
pub enum Boundary {
    /// No values outside: regions must lie inside the input.
    None,
    /// Mirrored with the edge element repeated (`numpy.pad(mode="symmetric")`, Dask's
    /// `reflect`): `-1 -> 0`, `-2 -> 1`, `n -> n - 1`.
    Reflect,
    /// Wrapped around: `-1 -> n - 1`, `n -> 0`.
    Periodic,
    /// The edge element repeated: `-k -> 0`, `n + k -> n - 1`.
    Nearest,
    /// A constant (of the array's dtype).
    Constant(Scalar),
}

impl Boundary {
    pub fn name(&self) -> String {
        match self {
            Boundary::None => "none".into(),
            Boundary::Reflect => "reflect".into(),
            Boundary::Periodic => "periodic".into(),
            Boundary::Nearest => "nearest".into(),
            Boundary::Constant(s) => format!("constant({s:?})"),
        }
    }
}

/// One axis of a regions op: output block `b` starts at input coordinate `starts[b]` (its
/// size is the output's chunk size).
#[derive(Clone, Debug, PartialEq)]
pub struct AxisRegions {
    pub starts: Arc<[i64]>,
    pub boundary: Boundary,
}

#[derive(Debug, PartialEq)]
pub struct RegionsSpec {
    /// `overlap`, `trim`, `boundaries`: the op's name in plans and pictures.
    pub name: &'static str,
    pub axes: Vec<AxisRegions>,
}

/// Where a run of output coordinates along one axis comes from: input block `block`, from
/// its local coordinate `start` on, `step` per output coordinate (-1 for mirrored runs, 0
/// for a repeated edge).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Src {
    pub block: usize,
    pub start: usize,
    pub step: isize,
}

/// A run of `len` output coordinates from block-local offset `out`: read from `src`, or
/// filled with the boundary constant when `None`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Piece {
    pub out: usize,
    pub len: usize,
    pub src: Option<Src>,
}

/// The pieces of region `[lo, lo + len)` of an axis chunked as `chunks`, in output order,
/// each inside one input block.
pub fn pieces(lo: i64, len: usize, boundary: &Boundary, chunks: &AxisChunks) -> Vec<Piece> {
    let n = chunks.len() as i64;
    let hi = lo + len as i64;
    let mut out = Vec::with_capacity(3);
    let mut at = 0usize;
    // Left of the input: [lo, min(hi, 0)).
    let left_end = hi.min(0);
    if lo < left_end {
        let k = (left_end - lo) as usize;
        let run = match boundary {
            Boundary::Periodic => Some((lo + n, 1)),
            Boundary::Reflect => Some((-lo - 1, -1)),
            Boundary::Nearest => Some((0, 0)),
            Boundary::Constant(_) | Boundary::None => None,
        };
        push_run(&mut out, at, k, run, chunks);
        at += k;
    }
    let (m0, m1) = (lo.max(0), hi.min(n));
    if m0 < m1 {
        let k = (m1 - m0) as usize;
        push_run(&mut out, at, k, Some((m0, 1)), chunks);
        at += k;
    }
    // Right of the input: [max(lo, n), hi).
    let r0 = lo.max(n);
    if r0 < hi {
        let k = (hi - r0) as usize;
        let run = match boundary {
            Boundary::Periodic => Some((r0 - n, 1)),
            Boundary::Reflect => Some((2 * n - 1 - r0, -1)),
            Boundary::Nearest => Some((n - 1, 0)),
            Boundary::Constant(_) | Boundary::None => None,
        };
        push_run(&mut out, at, k, run, chunks);
    }
    out
}

/// Splits the run of `len` coordinates `start + step * k` at input block boundaries.
fn push_run(out: &mut Vec<Piece>, at: usize, len: usize, run: Option<(i64, isize)>, chunks: &AxisChunks) {
    let Some((start, step)) = run else {
        out.push(Piece { out: at, len, src: None });
        return;
    };
    let (mut k, mut c) = (0usize, start);
    while k < len {
        let b = chunks.block_of(c as usize);
        let (bs, be) = (chunks.start(b) as i64, (chunks.start(b) + chunks.size(b)) as i64);
        let n = match step {
            0 => len - k,
            1 => ((be - c) as usize).min(len - k),
            _ => ((c - bs + 1) as usize).min(len - k),
        };
        out.push(Piece { out: at + k, len: n, src: Some(Src { block: b, start: (c - bs) as usize, step }) });
        k += n;
        c += step as i64 * n as i64;
    }
}

/// The input blocks (sorted) that output block `b` of axis `a` reads. Never empty: a block
/// that reads nothing (empty, or all boundary constant) waits for one input block anyway,
/// since tasks start when their inputs arrive.
pub fn axis_deps(axis: &AxisRegions, b: usize, size: usize, chunks: &AxisChunks) -> Vec<usize> {
    let mut v: Vec<usize> = pieces(axis.starts[b], size, &axis.boundary, chunks).iter().filter_map(|p| p.src.map(|s| s.block)).collect();
    v.sort_unstable();
    v.dedup();
    if v.is_empty() {
        let n = chunks.len() as i64;
        v.push(chunks.block_of(axis.starts[b].clamp(0, (n - 1).max(0)) as usize));
    }
    v
}

/// An array of regions of `x`: along axis `a`, output block `b` is
/// `[axes[a].starts[b], + out_chunks[a].size(b))` with `axes[a].boundary` outside `x`.
pub fn regions(x: &Expr, name: &'static str, mut axes: Vec<AxisRegions>, out_chunks: Chunks) -> Result<Expr> {
    let nd = x.meta.ndim();
    if axes.len() != nd || out_chunks.len() != nd {
        bail!(Value, name, "{} axes of regions for an array of {nd} dimensions", axes.len());
    }
    for (a, (ax, oc)) in axes.iter_mut().zip(&out_chunks).enumerate() {
        if ax.starts.len() != oc.nblocks() {
            bail!(Internal, name, "axis {a}: {} region starts for {} blocks", ax.starts.len(), oc.nblocks());
        }
        if let Boundary::Constant(s) = ax.boundary {
            ax.boundary = Boundary::Constant(s.cast_to(x.meta.dtype));
        }
        let n = x.meta.shape[a] as i64;
        for b in 0..oc.nblocks() {
            let (lo, hi) = (ax.starts[b], ax.starts[b] + oc.size(b) as i64);
            if oc.size(b) == 0 {
                continue;
            }
            let outside = lo < 0 || hi > n;
            let ok = match ax.boundary {
                _ if !outside => true,
                Boundary::None => false,
                Boundary::Reflect | Boundary::Periodic => lo >= -n && hi <= 2 * n,
                Boundary::Nearest => n > 0,
                Boundary::Constant(_) => true,
            };
            if !ok {
                bail!(Value, name, "axis {a}: block {b} spans [{lo}, {hi}), beyond what boundary {} can make from an axis of length {n}", ax.boundary.name());
            }
        }
    }
    let shape: Vec<usize> = out_chunks.iter().map(|c| c.len()).collect();
    check_size(name, &shape)?;
    let meta = Meta { shape, dtype: x.meta.dtype, chunks: out_chunks };
    Ok(Node::new(Op::Regions(Arc::new(RegionsSpec { name, axes })), vec![x.clone()], meta))
}

/// Dask's `ensure_minimum_chunksize`: chunks of the same axis, each at least `size` long
/// (too small ones merged into their neighbours).
pub fn ensure_minimum_chunksize(size: usize, chunks: &AxisChunks) -> Result<AxisChunks> {
    let sizes = chunks.sizes();
    if sizes.iter().all(|&c| c >= size) {
        return Ok(chunks.clone());
    }
    let mut output: Vec<usize> = Vec::new();
    let mut new = 0usize;
    for &c in &sizes {
        if c < size {
            if new > size + (size - c) {
                output.push(new - (size - c));
                new = size;
            } else {
                new += c;
            }
        }
        if new >= size {
            output.push(new);
            new = 0;
        }
        if c >= size {
            new += c;
        }
    }
    if new >= size {
        output.push(new);
    } else if let Some(last) = output.last_mut() {
        *last += new;
    } else {
        bail!(Value, "overlap", "The overlapping depth {size} is larger than your array {}.", chunks.len());
    }
    Ok(AxisChunks::from_sizes(&output))
}

/// Chunks of `x` with every chunk at least as long as the depth (Dask's
/// `_get_overlap_rechunked_chunks`), or an error without `allow_rechunk`.
pub fn overlap_chunks(x: &Expr, depth: &[(usize, usize)], allow_rechunk: bool) -> Result<Chunks> {
    let depths: Vec<usize> = depth.iter().map(|&(l, h)| l.max(h)).collect();
    if allow_rechunk {
        return depths.iter().zip(&x.meta.chunks).map(|(&d, c)| ensure_minimum_chunksize(d, c)).collect();
    }
    if depths.iter().zip(&x.meta.chunks).any(|(&d, c)| c.sizes().iter().min().copied().unwrap_or(0) < d) {
        let chunks: Vec<String> = x.meta.chunks.iter().map(|c| format!("{:?}", c.sizes())).collect();
        bail!(
            Value,
            "overlap",
            "Overlap depth is larger than smallest chunksize.\nPlease set allow_rechunk=True to rechunk automatically.\nOverlap depths required: {depths:?}\nInput chunks: ({})",
            chunks.join(", ")
        );
    }
    Ok(x.meta.chunks.clone())
}

fn check_axes(op: &str, x: &Expr, depth: &[(usize, usize)], n: usize) -> Result<()> {
    if depth.len() != x.meta.ndim() || n != x.meta.ndim() {
        bail!(Value, op, "depth and boundary need one entry per axis of the {}-d array", x.meta.ndim());
    }
    Ok(())
}

/// Dask's `overlap`: every block grows by `depth[a] = (before, after)` elements along axis
/// `a`, taken from its neighbours, or at the array's edges from `boundary[a]` (with
/// `Boundary::None` the edges do not grow). Chunks shorter than the depth are first merged
/// (`allow_rechunk`) or refused.
pub fn overlap(x: &Expr, depth: &[(usize, usize)], boundary: &[Boundary], allow_rechunk: bool) -> Result<Expr> {
    check_axes("overlap", x, depth, boundary.len())?;
    let x = rechunk_to(x, overlap_chunks(x, depth, allow_rechunk)?);
    let mut axes = Vec::with_capacity(depth.len());
    let mut chunks = Vec::with_capacity(depth.len());
    for (a, (&(lo, hi), bd)) in depth.iter().zip(boundary).enumerate() {
        let c = &x.meta.chunks[a];
        let n = c.len() as i64;
        let (lo, hi) = (lo as i64, hi as i64);
        let (mut starts, mut sizes) = (Vec::with_capacity(c.nblocks()), Vec::with_capacity(c.nblocks()));
        for b in 0..c.nblocks() {
            let (s, e) = (c.start(b) as i64, (c.start(b) + c.size(b)) as i64);
            let (s, e) = if *bd == Boundary::None || lo + hi == 0 { ((s - lo).max(0), (e + hi).min(n)) } else { (s - lo, e + hi) };
            starts.push(s);
            sizes.push((e - s) as usize);
        }
        let boundary = if lo + hi == 0 { Boundary::None } else { bd.clone() };
        axes.push(AxisRegions { starts: starts.into(), boundary });
        chunks.push(AxisChunks::from_sizes(&sizes));
    }
    if chunks == x.meta.chunks && axes.iter().all(|a| a.boundary == Boundary::None) {
        return Ok(x);
    }
    regions(&x, "overlap", axes, chunks)
}

/// Dask's `trim_internal`: every block shrinks by `depth[a] = (before, after)` along axis
/// `a`, except at the array's edges along axes whose overlap had no boundary
/// (`edges[a] == false`, Dask's `boundary="none"`). Each block is a view of the input's.
pub fn trim(x: &Expr, depth: &[(usize, usize)], edges: &[bool]) -> Result<Expr> {
    check_axes("trim", x, depth, edges.len())?;
    let mut axes = Vec::with_capacity(depth.len());
    let mut chunks = Vec::with_capacity(depth.len());
    for (a, (&(lo, hi), &edge)) in depth.iter().zip(edges).enumerate() {
        let c = &x.meta.chunks[a];
        let last = c.nblocks() - 1;
        let (mut starts, mut sizes) = (Vec::with_capacity(c.nblocks()), Vec::with_capacity(c.nblocks()));
        for b in 0..c.nblocks() {
            let front = if b == 0 && !edge { 0 } else { lo };
            let back = if b == last && !edge { 0 } else { hi };
            let Some(size) = c.size(b).checked_sub(front + back) else {
                bail!(Value, "trim", "axis {a}: block {b} has {} elements, fewer than the {} to trim from it", c.size(b), front + back);
            };
            starts.push((c.start(b) + front) as i64);
            sizes.push(size);
        }
        axes.push(AxisRegions { starts: starts.into(), boundary: Boundary::None });
        chunks.push(AxisChunks::from_sizes(&sizes));
    }
    if chunks == x.meta.chunks {
        return Ok(x.clone());
    }
    regions(x, "trim", axes, chunks)
}

/// Dask's `boundaries`: the array grown by `depth[a]` elements on both sides of axis `a`
/// from `boundary[a]`, in blocks of their own (chunks `(d, c..., d)`); axes with depth 0 or
/// `Boundary::None` do not grow.
pub fn pad(x: &Expr, depth: &[usize], boundary: &[Boundary]) -> Result<Expr> {
    if depth.len() != x.meta.ndim() || boundary.len() != x.meta.ndim() {
        bail!(Value, "boundaries", "depth and boundary need one entry per axis of the {}-d array", x.meta.ndim());
    }
    let mut axes = Vec::with_capacity(depth.len());
    let mut chunks = Vec::with_capacity(depth.len());
    for (a, (&d, bd)) in depth.iter().zip(boundary).enumerate() {
        let c = &x.meta.chunks[a];
        let mut starts: Vec<i64> = (0..c.nblocks()).map(|b| c.start(b) as i64).collect();
        let mut sizes = c.sizes();
        let grows = d > 0 && *bd != Boundary::None;
        if grows {
            if x.meta.shape[a] < d && matches!(bd, Boundary::Reflect | Boundary::Periodic) {
                bail!(Value, "boundaries", "axis {a}: depth {d} is larger than the axis ({})", x.meta.shape[a]);
            }
            starts.insert(0, -(d as i64));
            starts.push(c.len() as i64);
            sizes.insert(0, d);
            sizes.push(d);
        }
        axes.push(AxisRegions { starts: starts.into(), boundary: if grows { bd.clone() } else { Boundary::None } });
        chunks.push(AxisChunks::from_sizes(&sizes));
    }
    if chunks == x.meta.chunks {
        return Ok(x.clone());
    }
    regions(x, "boundaries", axes, chunks)
}

/// The regions op restricted to output blocks `blocks[a]` along each axis, reading `x`
/// from input coordinate `offset[a]` on (the caller slices the input accordingly).
pub fn restrict(spec: &RegionsSpec, out_chunks: &Chunks, blocks: &[std::ops::Range<usize>], offset: &[i64]) -> (RegionsSpec, Chunks) {
    let axes = spec
        .axes
        .iter()
        .zip(blocks)
        .zip(offset)
        .map(|((ax, r), &off)| AxisRegions { starts: ax.starts[r.clone()].iter().map(|s| s - off).collect(), boundary: ax.boundary.clone() })
        .collect();
    let chunks = out_chunks.iter().zip(blocks).map(|(c, r)| AxisChunks::from_sizes(&c.sizes()[r.clone()])).collect();
    (RegionsSpec { name: spec.name, axes }, chunks)
}

/// The input coordinates (a range) that output blocks `blocks` of axis `ax` read; `None`
/// when they read none (all boundary constant).
pub fn source_hull(ax: &AxisRegions, out: &AxisChunks, blocks: std::ops::Range<usize>, input: &AxisChunks) -> Option<std::ops::Range<usize>> {
    let mut hull: Option<std::ops::Range<usize>> = None;
    for b in blocks {
        for p in pieces(ax.starts[b], out.size(b), &ax.boundary, input) {
            let Some(s) = p.src else { continue };
            let first = input.start(s.block) + s.start;
            let last = (first as isize + s.step * (p.len as isize - 1)) as usize;
            let (lo, hi) = (first.min(last), first.max(last) + 1);
            hull = Some(match hull {
                None => lo..hi,
                Some(h) => h.start.min(lo)..h.end.max(hi),
            });
        }
    }
    hull
}

/// The error for a boundary name Dask does not know.
pub fn unknown_boundary(name: &str) -> crate::Error {
    err!(Value, "overlap", "unknown boundary {name:?}: use 'none', 'reflect', 'periodic', 'nearest' or a constant")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(block: usize, start: usize, step: isize) -> Option<Src> {
        Some(Src { block, start, step })
    }

    #[test]
    fn pieces_follow_each_boundary() {
        let c = AxisChunks::from_sizes(&[4, 4, 2]);
        // Block 0 grown by 2 on each side.
        let p = pieces(-2, 8, &Boundary::Reflect, &c);
        assert_eq!(p, vec![Piece { out: 0, len: 2, src: src(0, 1, -1) }, Piece { out: 2, len: 4, src: src(0, 0, 1) }, Piece { out: 6, len: 2, src: src(1, 0, 1) }]);
        let p = pieces(-2, 8, &Boundary::Periodic, &c);
        assert_eq!(p[0], Piece { out: 0, len: 2, src: src(2, 0, 1) });
        let p = pieces(-2, 8, &Boundary::Nearest, &c);
        assert_eq!(p[0], Piece { out: 0, len: 2, src: src(0, 0, 0) });
        let p = pieces(-2, 8, &Boundary::Constant(Scalar::F64(1.0)), &c);
        assert_eq!(p[0], Piece { out: 0, len: 2, src: None });
        // The last block grown by 3: the mirror crosses back into block 1.
        let p = pieces(5, 8, &Boundary::Reflect, &c);
        assert_eq!(
            p,
            vec![
                Piece { out: 0, len: 3, src: src(1, 1, 1) },
                Piece { out: 3, len: 2, src: src(2, 0, 1) },
                Piece { out: 5, len: 2, src: src(2, 1, -1) },
                Piece { out: 7, len: 1, src: src(1, 3, -1) },
            ]
        );
        assert_eq!(pieces(5, 8, &Boundary::Periodic, &c)[2..], [Piece { out: 5, len: 3, src: src(0, 0, 1) }]);
    }

    /// The values region `[lo, lo + len)` gives on `0..n`, through the pieces.
    fn values(lo: i64, len: usize, bd: &Boundary, sizes: &[usize]) -> Vec<i64> {
        let c = AxisChunks::from_sizes(sizes);
        let mut out = vec![-99; len];
        for p in pieces(lo, len, bd, &c) {
            for k in 0..p.len {
                out[p.out + k] = match p.src {
                    Some(s) => (c.start(s.block) as isize + s.start as isize + s.step * k as isize) as i64,
                    None => -1,
                };
            }
        }
        out
    }

    #[test]
    fn pieces_match_numpy_pad() {
        // numpy.pad(arange(5), 3, mode) for symmetric, wrap, edge and constant(-1).
        let sizes = [2, 3];
        assert_eq!(values(-3, 11, &Boundary::Reflect, &sizes), [2, 1, 0, 0, 1, 2, 3, 4, 4, 3, 2]);
        assert_eq!(values(-3, 11, &Boundary::Periodic, &sizes), [2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2]);
        assert_eq!(values(-3, 11, &Boundary::Nearest, &sizes), [0, 0, 0, 0, 1, 2, 3, 4, 4, 4, 4]);
        assert_eq!(values(-3, 11, &Boundary::Constant(Scalar::I64(0)), &sizes), [-1, -1, -1, 0, 1, 2, 3, 4, -1, -1, -1]);
        // A region wholly outside.
        assert_eq!(values(6, 2, &Boundary::Reflect, &sizes), [3, 2]);
        assert_eq!(values(-2, 1, &Boundary::Periodic, &sizes), [3]);
    }

    #[test]
    fn minimum_chunksize_matches_dask() {
        let f = |size: usize, sizes: &[usize]| ensure_minimum_chunksize(size, &AxisChunks::from_sizes(sizes)).map(|c| c.sizes());
        assert_eq!(f(10, &[20, 20, 1]).unwrap(), [20, 11, 10]);
        assert_eq!(f(3, &[1, 1, 3]).unwrap(), [5]);
        assert_eq!(f(3, &[4, 4, 2]).unwrap(), [4, 6]);
        assert_eq!(f(3, &[3, 3, 3, 1]).unwrap(), [3, 3, 4]);
        assert!(f(11, &[4, 4, 2]).unwrap_err().message.contains("larger than your array 10"));
    }
}
