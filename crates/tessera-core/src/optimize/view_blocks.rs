//! Shared by the rules that push a view into an op computed block by block: which blocks
//! of the op's result a view reads, slices of whole blocks, and the view rebased onto them.

use crate::chunks::{AxisChunks, Chunks};
use crate::graph::{Expr, Meta, Node, Op};
use crate::view::{sliced_chunks, AffineMap, AxisMap};
use std::ops::Range;

/// Per axis of the viewed array, the blocks holding the coordinates the view selects;
/// `None` when it selects nothing.
pub fn view_blocks(map: &AffineMap, chunks: &Chunks) -> Option<Vec<Range<usize>>> {
    if map.out_shape.contains(&0) {
        return None;
    }
    map.axes
        .iter()
        .zip(chunks)
        .map(|(m, c)| {
            let (lo, hi) = match *m {
                AxisMap::Fixed(i) => (i, i),
                AxisMap::Strided { out_axis, start, step } => {
                    let last = (start as isize + step * (map.out_shape[out_axis] as isize - 1)) as usize;
                    (start.min(last), start.max(last))
                }
            };
            Some(c.block_of(lo)..c.block_of(hi) + 1)
        })
        .collect()
}

/// Whether `blocks` are fewer than all blocks of `chunks`.
pub fn shrinks(blocks: &[Range<usize>], chunks: &Chunks) -> bool {
    blocks.iter().zip(chunks).any(|(r, c)| r.len() < c.nblocks())
}

/// Chunks of blocks `r` of an axis.
pub fn sub_chunks(c: &AxisChunks, r: &Range<usize>) -> AxisChunks {
    AxisChunks::from_sizes(&c.sizes()[r.clone()])
}

/// A view of coordinates `ranges[a]` along each axis of `x` (`x` itself when they are all).
pub fn slice(x: &Expr, ranges: &[Range<usize>]) -> Expr {
    if ranges.iter().zip(&x.meta.shape).all(|(r, &n)| r.start == 0 && r.end == n) {
        return x.clone();
    }
    let axes = ranges.iter().enumerate().map(|(a, r)| AxisMap::Strided { out_axis: a, start: r.start, step: 1 }).collect();
    let shape: Vec<usize> = ranges.iter().map(|r| r.len()).collect();
    let chunks = ranges.iter().zip(&x.meta.chunks).map(|(r, c)| sliced_chunks(c, r.start as i64, 1, r.len())).collect();
    let map = AffineMap { out_shape: shape.clone(), axes };
    Node::new(Op::View(map), vec![x.clone()], Meta { shape, dtype: x.meta.dtype, chunks })
}

/// A view of the whole blocks `blocks[a]` along each axis of `x`, chunked as those blocks
/// (empty ones included, so that block `i` of the view is block `blocks[a].start + i` of
/// `x`: a kernel restricted to the same blocks reads the blocks it was built for).
pub fn block_slice(x: &Expr, blocks: &[Range<usize>]) -> Expr {
    if blocks.iter().zip(&x.meta.chunks).all(|(r, c)| r.start == 0 && r.end == c.nblocks()) {
        return x.clone();
    }
    let ranges: Vec<Range<usize>> = blocks
        .iter()
        .zip(&x.meta.chunks)
        .map(|(r, c)| {
            let end = if r.end == c.nblocks() { c.len() } else { c.start(r.end) };
            c.start(r.start)..end
        })
        .collect();
    let axes = ranges.iter().enumerate().map(|(a, r)| AxisMap::Strided { out_axis: a, start: r.start, step: 1 }).collect();
    let shape: Vec<usize> = ranges.iter().map(|r| r.len()).collect();
    let chunks = blocks.iter().zip(&x.meta.chunks).map(|(r, c)| sub_chunks(c, r)).collect();
    let map = AffineMap { out_shape: shape.clone(), axes };
    Node::new(Op::View(map), vec![x.clone()], Meta { shape, dtype: x.meta.dtype, chunks })
}

/// View `node` (map `map`) of an array now restricted to blocks `blocks` (its first
/// coordinate along axis `a` was `chunks[a].start(blocks[a].start)`): the same view of
/// `inner`, or `inner` itself when that view is the identity.
pub fn rebased(node: &Expr, map: &AffineMap, chunks: &Chunks, blocks: &[Range<usize>], inner: Expr) -> Expr {
    let axes: Vec<AxisMap> = map
        .axes
        .iter()
        .zip(chunks)
        .zip(blocks)
        .map(|((m, c), r)| {
            let off = c.start(r.start);
            match *m {
                AxisMap::Fixed(i) => AxisMap::Fixed(i - off),
                AxisMap::Strided { out_axis, start, step } => AxisMap::Strided { out_axis, start: start - off, step },
            }
        })
        .collect();
    let map = AffineMap { out_shape: map.out_shape.clone(), axes };
    if map.is_identity() && map.out_shape == inner.meta.shape {
        return inner;
    }
    Node::new(Op::View(map), vec![inner], node.meta.clone())
}
