//! One task of a gather stage (`concatenate`, `take`, `pad`, ...): the output block's runs
//! along the gather axis are copied from the input blocks they lie in (strided views with
//! step 1, -1, 0 or any), or filled with the constant. A block that is exactly one input
//! block is that block (no copy); one that is most of one input block is a view of it.

use crate::copy::copy_into;
use crate::{Input, Value};
use tessera_core::chunks::{self, AxisChunks};
use tessera_core::gather::{GatherSpec, Piece};
use tessera_core::plan::Stage;
use tessera_core::{err, Block, Buffer, Result};

pub fn run(stage: &Stage, spec: &GatherSpec, in_chunks: &[AxisChunks], index: &[usize], inputs: &[Vec<Input>]) -> Result<Value> {
    let shape = chunks::block_shape(&stage.meta.chunks, index);
    let start = chunks::block_start(&stage.meta.chunks, index);
    let (ax, nd) = (spec.axis, shape.len());
    let refs: Vec<&AxisChunks> = in_chunks.iter().collect();
    let pieces = spec.pieces(start[ax], shape[ax], &refs);
    // Input `k`'s block `b` along the axis: the edge's inputs come sorted by block.
    let find = |k: usize, b: usize| -> Result<&Block> {
        let want = in_chunks[k].start(b);
        let list = &inputs[k];
        let first = list.partition_point(|i| i.start[ax] < want);
        for i in &list[first..] {
            if i.start[ax] != want {
                break;
            }
            if let Value::Block(blk) = &*i.value {
                if blk.shape()[ax] == in_chunks[k].size(b) {
                    return Ok(blk);
                }
            }
        }
        Err(err!(Internal, stage.name.clone(), "block {index:?} is missing block {b} of input {k}"))
    };
    // The view of its input block that a piece reads.
    let view = |p: &Piece| -> Result<Block> {
        let (k, b, s, step) = p.src.expect("a copied piece has a source");
        let blk = find(k, b)?;
        let mut strides = blk.strides().to_vec();
        let offset = s as isize * strides[ax];
        strides[ax] *= step;
        let mut pshape = shape.clone();
        pshape[ax] = p.len;
        Ok(blk.restride(pshape, strides, offset))
    };
    if let [p @ Piece { src: Some((k, b, s, step)), .. }] = pieces[..] {
        let blk = find(k, b)?;
        if s == 0 && step == 1 && p.len == blk.shape()[ax] {
            return Ok(Value::Block(blk.clone()));
        }
        // A view keeps its whole input block alive while the memory budget counts only the
        // view: take one only where it is most of the block, else copy.
        let v = view(&p)?;
        if 2 * v.len() >= blk.len() {
            return Ok(Value::Block(v));
        }
    }
    let mut out = Buffer::try_zeros(stage.meta.dtype, shape.iter().product(), &stage.name)?;
    for p in &pieces {
        let mut origin = vec![0; nd];
        origin[ax] = p.out;
        let src = match p.src {
            Some(_) => view(p)?,
            None => {
                let fill = spec.fill.ok_or_else(|| err!(Internal, stage.name.clone(), "a filled run without a fill value"))?;
                let mut pshape = shape.clone();
                pshape[ax] = p.len;
                Block::scalar(fill).restride(pshape, vec![0; nd], 0)
            }
        };
        copy_into(&mut out, &shape, &origin, &src);
    }
    Ok(Value::Block(Block::from_buffer(shape, out)))
}
