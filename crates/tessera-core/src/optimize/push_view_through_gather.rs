//! `View(gather(xs))` (a slice of a concatenation, a padding, a take) makes only the blocks
//! the view reads, from the inputs those blocks' runs read: so `concatenate(xs)[a:b]` reads
//! only the arrays (and their blocks) under `a:b`, and a slice of `pad(x)` only the part of
//! `x` it shows. Inputs are sliced exactly where they are sources (they then make only that
//! part), in whole blocks otherwise; inputs no block reads are dropped.

use super::view_blocks::{rebased, shrinks, slice, sub_chunks, view_blocks};
use super::Rule;
use crate::gather::{GatherSpec, Seg, FILL};
use crate::graph::{Expr, Meta, Node, Op};
use crate::view::{AffineMap, AxisMap};
use std::ops::Range;
use std::sync::Arc;

pub struct PushViewThroughGather;

impl Rule for PushViewThroughGather {
    fn name(&self) -> &'static str {
        "push_view_through_gather"
    }
    fn rewrite(&self, node: &Expr) -> Option<Expr> {
        let Op::View(map) = &node.op else { return None };
        let g = node.inputs.first()?;
        let Op::Gather(spec) = &g.op else { return None };
        if let Some(ranges) = plain_slice(map, g.meta.ndim()) {
            // A slice with step 1 on every axis becomes the gather itself, made in the
            // slice's chunks (so operands sliced to line up with others stay aligned).
            return restricted(g, spec, &ranges, node.meta.clone());
        }
        let blocks = view_blocks(map, &g.meta.chunks)?;
        if !shrinks(&blocks, &g.meta.chunks) {
            return None;
        }
        let ranges: Vec<Range<usize>> = g
            .meta
            .chunks
            .iter()
            .zip(&blocks)
            .map(|(c, r)| c.start(r.start)..if r.end == c.nblocks() { c.len() } else { c.start(r.end) })
            .collect();
        let chunks: Vec<_> = g.meta.chunks.iter().zip(&blocks).map(|(c, r)| sub_chunks(c, r)).collect();
        let meta = Meta { shape: chunks.iter().map(|c| c.len()).collect(), dtype: g.meta.dtype, chunks };
        let inner = restricted(g, spec, &ranges, meta)?;
        Some(rebased(node, map, &g.meta.chunks, &blocks, inner))
    }
}

/// The coordinate ranges of a view that only slices (step 1, axes in order), if it is one.
fn plain_slice(map: &AffineMap, nd: usize) -> Option<Vec<Range<usize>>> {
    if map.axes.len() != nd || map.out_shape.len() != nd || map.out_shape.contains(&0) {
        return None;
    }
    map.axes
        .iter()
        .enumerate()
        .map(|(a, m)| match *m {
            AxisMap::Strided { out_axis, start, step: 1 } if out_axis == a => Some(start..start + map.out_shape[a]),
            _ => None,
        })
        .collect()
}

/// Gather `g` restricted to coordinates `ranges` (its output then has `meta`): the runs
/// under `ranges[axis]`, from the inputs they read, each sliced to `ranges` along the other
/// axes and to what the runs read along the axis (exactly for sources, in whole blocks
/// otherwise). `None` when no input is read or the slices' chunks are not `meta`'s.
fn restricted(g: &Expr, spec: &GatherSpec, ranges: &[Range<usize>], meta: Meta) -> Option<Expr> {
    let ax = spec.axis;
    let (lo, hi) = (ranges[ax].start, ranges[ax].end);
    let runs: Vec<Seg> = spec.segs_in(lo, hi).collect();
    let mut hulls: Vec<Option<Range<i64>>> = vec![None; g.inputs.len()];
    for s in runs.iter().filter(|s| s.input != FILL) {
        let last = s.start + s.step * (s.len as i64 - 1);
        let (a, b) = (s.start.min(last), s.start.max(last) + 1);
        let h = &mut hulls[s.input as usize];
        *h = Some(match h.take() {
            None => a..b,
            Some(h) => h.start.min(a)..h.end.max(b),
        });
    }
    if hulls.iter().all(|h| h.is_none()) {
        return None;
    }
    let (mut inputs, mut renumber, mut offset) = (Vec::new(), vec![u32::MAX; g.inputs.len()], vec![0i64; g.inputs.len()]);
    for (k, (x, h)) in g.inputs.iter().zip(&hulls).enumerate() {
        let Some(h) = h else { continue };
        let c = &x.meta.chunks[ax];
        let (a, b) = (h.start as usize, h.end as usize);
        let (a, b) = if x.op.is_source() {
            (a, b)
        } else {
            let last = c.block_of(b - 1);
            (c.start(c.block_of(a)), c.start(last) + c.size(last))
        };
        let mut r = ranges.to_vec();
        r[ax] = a..b;
        let x1 = slice(x, &r);
        if (0..meta.ndim()).any(|d| d != ax && x1.meta.chunks[d] != meta.chunks[d]) {
            return None;
        }
        renumber[k] = inputs.len() as u32;
        offset[k] = a as i64;
        inputs.push(x1);
    }
    let segs: Vec<Seg> = runs
        .iter()
        .map(|s| {
            let mut s = *s;
            s.out -= lo;
            if s.input != FILL {
                s.start -= offset[s.input as usize];
                s.input = renumber[s.input as usize];
            }
            s
        })
        .collect();
    let spec = GatherSpec::new(&spec.name, ax, segs.into(), spec.fill);
    Some(Node::new(Op::Gather(Arc::new(spec)), inputs, meta))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build;
    use crate::chunks::ChunkSpec;
    use crate::gather::{concatenate, take};
    use crate::graph::Generator;
    use crate::optimize::testing::check_rule;
    use crate::view::IndexItem;
    use crate::DType;

    fn range(n: usize, c: i64) -> Expr {
        build::generate(Generator::Range { start: 0.0, step: 1.0 }, &[n], DType::F64, &ChunkSpec::Uniform(c)).unwrap()
    }

    fn sl(x: &Expr, a: i64, b: i64) -> Expr {
        build::index(x, &[IndexItem::Slice { start: Some(a), stop: Some(b), step: None }]).unwrap()
    }

    #[test]
    fn slice_of_concatenate_reads_one_input() {
        let (x, y) = (range(100, 10), range(50, 10));
        let z = sl(&concatenate(&[x, y], 0).unwrap(), 112, 118);
        check_rule(
            Box::new(PushViewThroughGather),
            &z,
            "#0 getitem[112+1*o0] [6] float64 chunks=(6)
  #1 concatenate [150] float64 chunks=(15x10)
    #2 arange [100] float64 chunks=(10x10)
    #3 arange [50] float64 chunks=(5x10)",
            "#0 concatenate [6] float64 chunks=(6)
  #1 getitem[12+1*o0] [6] float64 chunks=(6)
    #2 arange [50] float64 chunks=(5x10)",
        );
        // A strided view keeps its map over the blocks it reads.
        let (x, y) = (range(100, 10), range(50, 10));
        let z = build::index(&concatenate(&[x, y], 0).unwrap(), &[IndexItem::Slice { start: Some(112), stop: Some(118), step: Some(2) }]).unwrap();
        check_rule(
            Box::new(PushViewThroughGather),
            &z,
            "#0 getitem[112+2*o0] [3] float64 chunks=(3)
  #1 concatenate [150] float64 chunks=(15x10)
    #2 arange [100] float64 chunks=(10x10)
    #3 arange [50] float64 chunks=(5x10)",
            "#0 getitem[2+2*o0] [3] float64 chunks=(3)
  #1 concatenate [10] float64 chunks=(10)
    #2 getitem[10+1*o0] [10] float64 chunks=(10)
      #3 arange [50] float64 chunks=(5x10)",
        );
    }

    #[test]
    fn slice_of_take_reads_only_its_indices() {
        let x = range(100, 10);
        let t = take(&x, &[95, 96, 3, 4, 50], 0, Some(crate::chunks::AxisChunks::from_sizes(&[2, 2, 1]))).unwrap();
        let z = sl(&t, 4, 5);
        check_rule(
            Box::new(PushViewThroughGather),
            &z,
            "#0 getitem[4+1*o0] [1] float64 chunks=(1)
  #1 take [5] float64 chunks=(3x2)
    #2 arange [100] float64 chunks=(10x10)",
            "#0 take [1] float64 chunks=(1)
  #1 getitem[50+1*o0] [1] float64 chunks=(1)
    #2 arange [100] float64 chunks=(10x10)",
        );
    }
}
