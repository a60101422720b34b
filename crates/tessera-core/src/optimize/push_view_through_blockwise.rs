//! `View(blockwise(f, x, ...))` computes only the blocks of `f` that the view reads: the
//! arguments are sliced to the matching whole blocks (contracted and broadcast axes stay
//! whole), and the kernel is told the block ids it had in the whole array. So
//! `x.map_blocks(f)[:10]` calls `f` once, not once per block.

use super::view_blocks::{block_slice, rebased, shrinks, sub_chunks, view_blocks};
use super::Rule;
use crate::blockwise::BlockwiseSpec;
use crate::graph::{Expr, Meta, Node, Op};
use std::ops::Range;
use std::sync::Arc;

pub struct PushViewThroughBlockwise;

impl Rule for PushViewThroughBlockwise {
    fn name(&self) -> &'static str {
        "push_view_through_blockwise"
    }
    fn rewrite(&self, node: &Expr) -> Option<Expr> {
        let Op::View(map) = &node.op else { return None };
        let bw = node.inputs.first()?;
        let Op::Blockwise { kernel, spec } = &bw.op else { return None };
        // A kernel with several outputs makes all of their blocks in one task.
        if !spec.more.is_empty() {
            return None;
        }
        let blocks = view_blocks(map, &bw.meta.chunks)?;
        if !shrinks(&blocks, &bw.meta.chunks) {
            return None;
        }
        let inputs = bw
            .inputs
            .iter()
            .zip(&spec.args)
            .map(|(x, ind)| {
                // An argument axis is read block for block when it has the output axis's
                // blocks (as lowered), else whole.
                let r: Vec<Range<usize>> = ind
                    .iter()
                    .zip(&x.meta.chunks)
                    .map(|(l, c)| match spec.out.iter().position(|o| o == l) {
                        Some(o) if c.nblocks() == bw.meta.chunks[o].nblocks() => blocks[o].clone(),
                        _ => 0..c.nblocks(),
                    })
                    .collect();
                block_slice(x, &r)
            })
            .collect();
        let old = |o: usize| spec.block_offset.get(o).copied().unwrap_or(0);
        let block_offset = blocks.iter().enumerate().map(|(o, r)| old(o) + r.start).collect();
        let spec = BlockwiseSpec { out: spec.out.clone(), args: spec.args.clone(), concatenate: spec.concatenate, block_offset, stage_shared_args: spec.stage_shared_args, more: vec![] };
        let chunks: Vec<_> = blocks.iter().zip(&bw.meta.chunks).map(|(r, c)| sub_chunks(c, r)).collect();
        let meta = Meta { shape: chunks.iter().map(|c| c.len()).collect(), dtype: bw.meta.dtype, chunks };
        let inner = Node::new(Op::Blockwise { kernel: kernel.clone(), spec: Arc::new(spec) }, inputs, meta);
        Some(rebased(node, map, &bw.meta.chunks, &blocks, inner))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blockwise::{blockwise, Blockwise};
    use crate::build;
    use crate::chunks::ChunkSpec;
    use crate::graph::Generator;
    use crate::kernel::FnKernel;
    use crate::optimize::testing::check_rule;
    use crate::view::IndexItem;
    use crate::DType;

    #[test]
    fn slice_computes_only_the_blocks_it_reads() {
        let x = build::generate(Generator::Range { start: 0.0, step: 1.0 }, &[100], DType::F64, &ChunkSpec::Uniform(10)).unwrap();
        let x = build::reshape(&build::rechunk(&x, &ChunkSpec::Uniform(100)).unwrap(), &[10, 10]).unwrap();
        let x = build::rechunk(&x, &ChunkSpec::Uniform(5)).unwrap();
        let kernel = Arc::new(FnKernel { name: "f".into(), f: |_: &crate::kernel::BlockCtx, a: Vec<crate::kernel::KernelArg>| Ok(a[0].blocks[0].clone()) });
        let args = [(x.clone(), vec![0, 1])];
        let b = Blockwise { op: "f", kernel, out: &[0, 1], args: &args, new_axes: &[], adjust_chunks: &[], dtype: DType::F64, concatenate: true, align: true };
        let f = blockwise(b).unwrap();
        let y = build::index(&f, &[IndexItem::Int(7), IndexItem::Slice { start: Some(1), stop: Some(3), step: None }]).unwrap();
        check_rule(
            Box::new(PushViewThroughBlockwise),
            &y,
            "#0 getitem[7,1+1*o0] [2] float64 chunks=(2)
  #1 f [10, 10] float64 chunks=(2x5, 2x5)
    #2 rechunk [10, 10] float64 chunks=(2x5, 2x5)
      #3 reshape [10, 10] float64 chunks=(10, 10)
        #4 rechunk [100] float64 chunks=(100)
          #5 arange [100] float64 chunks=(10x10)",
            "#0 getitem[2,1+1*o0] [2] float64 chunks=(2)
  #1 f [5, 5] float64 chunks=(5, 5)
    #2 getitem[5+1*o0,0+1*o1] [5, 5] float64 chunks=(5, 5)
      #3 rechunk [10, 10] float64 chunks=(2x5, 2x5)
        #4 reshape [10, 10] float64 chunks=(10, 10)
          #5 rechunk [100] float64 chunks=(100)
            #6 arange [100] float64 chunks=(10x10)",
        );
        let Op::Blockwise { spec, .. } = &crate::optimize::optimize(&[y.clone()])[0].inputs[0].op.clone() else { panic!("blockwise") };
        assert_eq!(spec.block_offset, vec![1, 0]);
    }
}
