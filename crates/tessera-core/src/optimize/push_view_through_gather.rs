//! `View(gather(xs))` (a slice of a concatenation, a padding, a take) makes only the blocks
//! the view reads, from the inputs those blocks' runs read: so `concatenate(xs)[a:b]` reads
//! only the arrays (and their blocks) under `a:b`, and a slice of `pad(x)` only the part of
//! `x` it shows. Inputs are sliced exactly where they are sources (they then make only that
//! part), in whole blocks otherwise; inputs no block reads are dropped.

use super::view_blocks::{block_slice, rebased, shrinks, slice, sub_chunks, view_blocks};
use super::Rule;
use crate::gather::{GatherSpec, Seg, FILL};
use crate::graph::{Expr, Meta, Node, Op};
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
        let blocks = view_blocks(map, &g.meta.chunks)?;
        if !shrinks(&blocks, &g.meta.chunks) {
            return None;
        }
        let ax = spec.axis;
        let oc = &g.meta.chunks[ax];
        let lo = oc.start(blocks[ax].start);
        let hi = if blocks[ax].end == oc.nblocks() { oc.len() } else { oc.start(blocks[ax].end) };
        let runs: Vec<Seg> = spec.segs_in(lo, hi).collect();
        // The coordinates each input's runs read along the axis.
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
        // Kept inputs, renumbered, each sliced: whole blocks along the other axes (the
        // output's blocks), its hull along the gather axis.
        let (mut inputs, mut renumber, mut offset) = (Vec::new(), vec![u32::MAX; g.inputs.len()], vec![0i64; g.inputs.len()]);
        for (k, (x, h)) in g.inputs.iter().zip(&hulls).enumerate() {
            let Some(h) = h else { continue };
            let mut other: Vec<Range<usize>> = blocks.clone();
            let c = &x.meta.chunks[ax];
            other[ax] = 0..c.nblocks();
            let x1 = block_slice(x, &other);
            let (a, b) = (h.start as usize, h.end as usize);
            let (a, b) = if x.op.is_source() {
                (a, b)
            } else {
                let last = c.block_of(b - 1);
                (c.start(c.block_of(a)), c.start(last) + c.size(last))
            };
            let mut ranges: Vec<Range<usize>> = x1.meta.shape.iter().map(|&n| 0..n).collect();
            ranges[ax] = a..b;
            renumber[k] = inputs.len() as u32;
            offset[k] = a as i64;
            inputs.push(slice(&x1, &ranges));
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
        let chunks: Vec<_> = g.meta.chunks.iter().zip(&blocks).map(|(c, r)| sub_chunks(c, r)).collect();
        let meta = Meta { shape: chunks.iter().map(|c| c.len()).collect(), dtype: g.meta.dtype, chunks };
        let spec = GatherSpec { name: spec.name.clone(), axis: ax, segs: segs.into(), fill: spec.fill };
        let inner = Node::new(Op::Gather(Arc::new(spec)), inputs, meta);
        Some(rebased(node, map, &g.meta.chunks, &blocks, inner))
    }
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
            "#0 getitem[2+1*o0] [6] float64 chunks=(6)
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
