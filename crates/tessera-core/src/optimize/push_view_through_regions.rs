//! `View(regions(x))` (an overlap, trim or padding) makes only the blocks the view reads,
//! from the part of `x` their regions read: so `x.map_overlap(f, depth=1)[5000:5010]`
//! grows and trims one block, not all of them. Coordinates are rebased onto the slice of
//! `x`; the slice keeps the edges of `x` wherever a region reaches past them (a boundary
//! rule reads the edge), so the boundary rules give the same values. The slice is exact
//! over a source and in whole blocks of anything else.

use super::view_blocks::{rebased, shrinks, slice, view_blocks};
use super::Rule;
use crate::graph::{Expr, Meta, Node, Op};
use crate::regions::{restrict, source_hull};
use std::ops::Range;
use std::sync::Arc;

pub struct PushViewThroughRegions;

impl Rule for PushViewThroughRegions {
    fn name(&self) -> &'static str {
        "push_view_through_regions"
    }
    fn rewrite(&self, node: &Expr) -> Option<Expr> {
        let Op::View(map) = &node.op else { return None };
        let r = node.inputs.first()?;
        let Op::Regions(spec) = &r.op else { return None };
        let x = &r.inputs[0];
        let blocks = view_blocks(map, &r.meta.chunks)?;
        if !shrinks(&blocks, &r.meta.chunks) {
            return None;
        }
        // The part of `x` read: exactly, from a source (it makes only that); in whole blocks
        // from anything else (a block-aligned slice of a block kernel or a trimmed array
        // becomes fewer blocks of it, not a copy).
        let hulls: Vec<Range<usize>> = (0..x.meta.ndim())
            .map(|a| {
                let c = &x.meta.chunks[a];
                match source_hull(&spec.axes[a], &r.meta.chunks[a], blocks[a].clone(), c) {
                    None => 0..x.meta.shape[a],
                    Some(h) if x.op.is_source() => h,
                    Some(h) => {
                        let last = c.block_of(h.end - 1);
                        c.start(c.block_of(h.start))..c.start(last) + c.size(last)
                    }
                }
            })
            .collect();
        let offset: Vec<i64> = hulls.iter().map(|h| h.start as i64).collect();
        let (spec, chunks) = restrict(spec, &r.meta.chunks, &blocks, &offset);
        let meta = Meta { shape: chunks.iter().map(|c| c.len()).collect(), dtype: r.meta.dtype, chunks };
        let inner = Node::new(Op::Regions(Arc::new(spec)), vec![slice(x, &hulls)], meta);
        Some(rebased(node, map, &r.meta.chunks, &blocks, inner))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build;
    use crate::chunks::ChunkSpec;
    use crate::graph::Generator;
    use crate::optimize::testing::check_rule;
    use crate::regions::{overlap, Boundary};
    use crate::view::IndexItem;
    use crate::DType;

    #[test]
    fn slice_grows_only_the_blocks_it_reads() {
        let x = build::generate(Generator::Range { start: 0.0, step: 1.0 }, &[100], DType::F64, &ChunkSpec::Uniform(10)).unwrap();
        let y = overlap(&x, &[(1, 1)], &[Boundary::Reflect], true).unwrap();
        // Block 5 of the overlap is [49, 61): its elements 2..4.
        let z = build::index(&y, &[IndexItem::Slice { start: Some(62), stop: Some(64), step: None }]).unwrap();
        check_rule(
            Box::new(PushViewThroughRegions),
            &z,
            "#0 getitem[62+1*o0] [2] float64 chunks=(2)
  #1 overlap [120] float64 chunks=(10x12)
    #2 arange [100] float64 chunks=(10x10)",
            "#0 getitem[2+1*o0] [2] float64 chunks=(2)
  #1 overlap [12] float64 chunks=(12)
    #2 getitem[49+1*o0] [12] float64 chunks=(3x10)
      #3 arange [100] float64 chunks=(10x10)",
        );
        // At the edge the slice keeps coordinate 0, which the mirror reads.
        let z = build::index(&y, &[IndexItem::Slice { start: Some(0), stop: Some(2), step: None }]).unwrap();
        let opt = crate::optimize::optimize(&[z]);
        let Op::Regions(spec) = &opt[0].inputs[0].op else { panic!("regions") };
        assert_eq!(&*spec.axes[0].starts, &[-1]);
        assert_eq!(opt[0].inputs[0].inputs[0].meta.shape, vec![11]);
    }

    #[test]
    fn over_a_computed_array_the_slice_is_whole_blocks() {
        let x = build::generate(Generator::Range { start: 0.0, step: 1.0 }, &[100], DType::F64, &ChunkSpec::Uniform(10)).unwrap();
        let x = build::rechunk(&x, &ChunkSpec::Uniform(20)).unwrap();
        let t = crate::regions::trim(&x, &[(1, 1)], &[false]).unwrap();
        let z = build::index(&t, &[IndexItem::Slice { start: Some(40), stop: Some(45), step: None }]).unwrap();
        check_rule(
            Box::new(PushViewThroughRegions),
            &z,
            "#0 getitem[40+1*o0] [5] float64 chunks=(5)
  #1 trim [92] float64 chunks=(5x19)
    #2 rechunk [100] float64 chunks=(5x20)
      #3 arange [100] float64 chunks=(10x10)",
            "#0 getitem[3+1*o0] [5] float64 chunks=(5)
  #1 trim [18] float64 chunks=(18)
    #2 getitem[40+1*o0] [20] float64 chunks=(20)
      #3 rechunk [100] float64 chunks=(5x20)
        #4 arange [100] float64 chunks=(10x10)",
        );
    }
}
