//! One task of a regions stage (`overlap`, `trim`, `boundaries`): the output block is a
//! region of the input; each box of pieces (one piece per axis) is copied from the input
//! block it lies in, or filled with the boundary constant. A region inside one input block
//! is returned as a view of it.

use crate::copy::copy_into;
use crate::{Input, Value};
use tessera_core::chunks::{self, Chunks};
use tessera_core::plan::{product, Stage};
use tessera_core::regions::{axis_deps, pieces, Boundary, Piece, RegionsSpec};
use tessera_core::{err, Block, Buffer, Result};

/// With `any_view`, a block inside one input block is always a view of it (the input is
/// in-memory data, alive anyway); else only where it is most of the input block.
pub fn run(stage: &Stage, spec: &RegionsSpec, in_chunks: &Chunks, index: &[usize], inputs: &[Input], any_view: bool) -> Result<Value> {
    let shape = chunks::block_shape(&stage.meta.chunks, index);
    let nd = shape.len();
    let per_axis: Vec<Vec<Piece>> = (0..nd).map(|a| pieces(spec.axes[a].starts[index[a]], shape[a], &spec.axes[a].boundary, &in_chunks[a])).collect();
    // The inputs arrive in C order of the per-axis block lists (see `Lowering::regions`).
    let lists: Vec<Vec<usize>> = (0..nd).map(|a| axis_deps(&spec.axes[a], index[a], shape[a], &in_chunks[a])).collect();
    let input = |blocks: &[usize]| -> Result<&Block> {
        let pos: Vec<usize> = blocks.iter().zip(&lists).map(|(b, l)| l.binary_search(b).expect("a piece's block is a dependency")).collect();
        let lens: Vec<usize> = lists.iter().map(|l| l.len()).collect();
        match inputs.get(chunks::ravel(&pos, &lens)).map(|i| &*i.value) {
            Some(Value::Block(b)) => Ok(b),
            _ => Err(err!(Internal, stage.name.clone(), "block {index:?} is missing an input block")),
        }
    };
    // The view of input block `b` that a box of pieces reads.
    let view = |b: &Block, ps: &[&Piece]| -> Block {
        let s = b.strides();
        let mut offset = 0isize;
        let mut strides = Vec::with_capacity(nd);
        for (a, p) in ps.iter().enumerate() {
            let src = p.src.expect("a copied piece has a source");
            offset += src.start as isize * s[a];
            strides.push(src.step * s[a]);
        }
        b.restride(ps.iter().map(|p| p.len).collect(), strides, offset)
    };
    if nd == 0 {
        let Value::Block(b) = &*inputs[0].value else { return Err(err!(Internal, stage.name.clone(), "a regions task received a partial result")) };
        return Ok(Value::Block(b.clone()));
    }
    if per_axis.iter().all(|p| p.len() == 1 && p[0].src.is_some()) {
        let ps: Vec<&Piece> = per_axis.iter().map(|p| &p[0]).collect();
        let blocks: Vec<usize> = ps.iter().map(|p| p.src.unwrap().block).collect();
        let b = input(&blocks)?;
        // A view keeps its whole input block alive while the memory budget counts only the
        // view: take one only where it is most of the block (a trimmed halo), else copy.
        let v = view(b, &ps);
        if any_view || 2 * v.len() >= b.len() {
            return Ok(Value::Block(v));
        }
        let mut out = Buffer::try_zeros(stage.meta.dtype, v.len(), &stage.name)?;
        copy_into(&mut out, &shape, &vec![0; nd], &v);
        return Ok(Value::Block(Block::from_buffer(shape, out)));
    }
    let mut out = Buffer::try_zeros(stage.meta.dtype, shape.iter().product(), &stage.name)?;
    let ranges: Vec<std::ops::Range<usize>> = per_axis.iter().map(|p| 0..p.len()).collect();
    for combo in product(&ranges) {
        let ps: Vec<&Piece> = combo.iter().enumerate().map(|(a, &k)| &per_axis[a][k]).collect();
        let origin: Vec<usize> = ps.iter().map(|p| p.out).collect();
        // Dask pads axis by axis: outside the input along several axes, the last constant
        // axis decides.
        let src = match (0..nd).rev().find(|&a| ps[a].src.is_none()) {
            Some(a) => {
                let Boundary::Constant(v) = spec.axes[a].boundary else {
                    return Err(err!(Internal, stage.name.clone(), "block {index:?}: a region outside the input without a constant"));
                };
                Block::scalar(v).restride(ps.iter().map(|p| p.len).collect(), vec![0; nd], 0)
            }
            None => {
                let blocks: Vec<usize> = ps.iter().map(|p| p.src.unwrap().block).collect();
                view(input(&blocks)?, &ps)
            }
        };
        copy_into(&mut out, &shape, &origin, &src);
    }
    Ok(Value::Block(Block::from_buffer(shape, out)))
}
