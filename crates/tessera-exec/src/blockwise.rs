//! One task of a block kernel's stage: gathers each argument's blocks (joined along
//! contracted axes when asked), calls the kernel, and checks the block it returns.

use crate::copy::assemble;
use crate::fused::FusedTask;
use crate::{Input, Value};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use tessera_core::blockwise::BlockwiseSpec;
use tessera_core::chunks;
use tessera_core::graph::Meta;
use tessera_core::kernel::{BlockCtx, BlockKernel, KernelArg};
use tessera_core::plan::{AxisRel, BlockArg, Head, Instr, Leaf, Slots, Stage};
use tessera_core::view::AffineMap;
use crate::partial::Partial;
use tessera_core::ops::ReduceOp;
use tessera_core::{bail, err, Block, DType, Result};

/// `head`: store the kernel's block (of array `out`) or reduce it into a partial result.
/// `dest`: the result the block may be written into (see `Scheduler::dest`).
#[allow(clippy::too_many_arguments)]
pub fn run(
    stage: &Stage,
    kernel: &dyn BlockKernel,
    spec: &BlockwiseSpec,
    args: &[BlockArg],
    (head, out_meta): (&Head, &Meta),
    index: &[usize],
    inputs: &[Vec<Input>],
    cancel: &AtomicBool,
    dest: Option<&Block>,
) -> Result<Vec<Value>> {
    let shape = chunks::block_shape(&out_meta.chunks, index);
    let out_grid = out_meta.grid();
    let args = args
        .iter()
        .zip(&spec.args)
        .map(|(arg, ind)| match arg {
            BlockArg::Program { leaves, program, slots, domain } => {
                // The argument's block: the output's along its axes, or its one block.
                let grid = chunks::nblocks(domain);
                let at: Vec<usize> = ind
                    .iter()
                    .zip(&grid)
                    .map(|(l, &g)| spec.out.iter().position(|o| o == l).map_or(0, |o| if g == out_grid[o] { index[o] } else { 0 }))
                    .collect();
                let task = FusedTask { leaves, program, slots, head: &Head::Store, domain, inputs, cancel, dest: None };
                match task.run(&at)? {
                    Value::Block(b) => Ok(KernelArg { blocks: vec![b], grid: vec![] }),
                    Value::Partial(_) => Err(err!(Internal, stage.name.clone(), "an argument's program made a partial result")),
                }
            }
            BlockArg::Edge(e) => edge_arg(stage, spec, ind, *e, &inputs[*e]),
        })
        .collect::<Result<Vec<KernelArg>>>()?;
    let block_id: Vec<usize> = if spec.block_offset.is_empty() { index.to_vec() } else { index.iter().zip(&spec.block_offset).map(|(i, o)| i + o).collect() };
    let ctx = BlockCtx { name: &stage.name, block_id: &block_id, shape: &shape, dtype: out_meta.dtype, cancel };
    if !spec.more.is_empty() {
        return several(stage, kernel, spec, &ctx, index, args);
    }
    let mut args = args;
    if let (Head::Store, Some(d)) = (head, dest) {
        let strides = d.strides().to_vec();
        let off: isize = chunks::block_start(&out_meta.chunks, index).iter().zip(&strides).map(|(&c, &st)| c as isize * st).sum();
        let view = d.restride(shape.clone(), strides, off);
        match kernel.call_into(&ctx, args, &view)? {
            None => return Ok(vec![Value::Block(view)]),
            Some(back) => args = back,
        }
    }
    let out = kernel.call(&ctx, args)?;
    check(stage, &block_id, "the output's", &out, &shape, out_meta.dtype)?;
    let value = match head {
        Head::Store => Ok(Value::Block(out)),
        // A sum over axes of length 1 (a contraction's partial product): the block is the
        // partial result, without a copy.
        Head::Partial { op, axes } if matches!(op, ReduceOp::Sum) && matches!(out.dtype(), DType::F64 | DType::I64 | DType::U64) => {
            match Partial::adopt_sum(*op, axes, out) {
                Ok(p) => Ok(Value::Partial(p)),
                Err(out) => partial_of(out, head, out_meta, index, cancel),
            }
        }
        Head::Partial { .. } => partial_of(out, head, out_meta, index, cancel),
    }?;
    Ok(vec![value])
}

/// One task of a kernel with several outputs: a block of each, checked against its own
/// chunks and dtype.
fn several(stage: &Stage, kernel: &dyn BlockKernel, spec: &BlockwiseSpec, ctx: &BlockCtx, index: &[usize], args: Vec<KernelArg>) -> Result<Vec<Value>> {
    // Block `t` of every output, in C order of its own grid (see `blockwise_many`).
    let flat = chunks::ravel(index, &stage.grid());
    let more: Vec<(Vec<usize>, DType)> = spec
        .more
        .iter()
        .map(|m| (chunks::block_shape(&m.chunks, &chunks::unravel(flat, &m.grid())), m.dtype))
        .collect();
    let outs = kernel.call_many(ctx, &more, args)?;
    if outs.len() != more.len() + 1 {
        bail!(Value, stage.name.clone(), "block {:?} came back with {} outputs, but the kernel has {}", ctx.block_id, outs.len(), more.len() + 1);
    }
    let mut values = Vec::with_capacity(outs.len());
    for (k, out) in outs.into_iter().enumerate() {
        let (shape, dtype) = if k == 0 { (ctx.shape.to_vec(), ctx.dtype) } else { more[k - 1].clone() };
        check(stage, ctx.block_id, &format!("output {k}'s"), &out, &shape, dtype)?;
        values.push(Value::Block(out));
    }
    Ok(values)
}

/// The block a kernel returned has the shape and dtype of its place (`whose`: which
/// output's chunks, for the message).
fn check(stage: &Stage, block_id: &[usize], whose: &str, out: &Block, shape: &[usize], dtype: DType) -> Result<()> {
    if out.shape() != shape {
        bail!(
            Shape,
            stage.name.clone(),
            "block {block_id:?} came back with shape {:?}, but {whose} chunks give it shape {shape:?} (declare the output's chunks, e.g. `chunks=` or `drop_axis=`/`new_axis=`)",
            out.shape()
        );
    }
    if out.dtype() != dtype {
        bail!(DType, stage.name.clone(), "block {block_id:?} came back as {}, but {whose} dtype is {dtype}", out.dtype());
    }
    Ok(())
}

/// The first step of a reduction of the kernel's output, as a fused stage reading it.
fn partial_of(out: Block, head: &Head, out_meta: &Meta, index: &[usize], cancel: &AtomicBool) -> Result<Value> {
    let start = chunks::block_start(&out_meta.chunks, index);
    let block = [vec![Input { value: Arc::new(Value::Block(out)), start }]];
    let leaves = [Leaf::Input { edge: 0, map: AffineMap::identity(&out_meta.shape) }];
    let program = [(Instr::Leaf(0), out_meta.dtype)];
    let slots = Slots::of(&program);
    FusedTask { leaves: &leaves, program: &program, slots: &slots, head, domain: &out_meta.chunks, inputs: &block, cancel, dest: None }.run(index)
}

/// An argument read from edge `e`: its blocks, listed or joined along contracted axes.
fn edge_arg(stage: &Stage, spec: &BlockwiseSpec, ind: &[u32], e: usize, ins: &[Input]) -> Result<KernelArg> {
    let blocks = ins
        .iter()
        .map(|i| match &*i.value {
            Value::Block(b) => Ok(b.clone()),
            Value::Partial(_) => Err(err!(Internal, stage.name.clone(), "a block kernel received a partial result")),
        })
        .collect::<Result<Vec<Block>>>()?;
    // Contracted axes (labels not in the output) are read whole.
    let grid: Vec<usize> = stage.edges[e]
        .axes
        .iter()
        .zip(ind)
        .filter(|(_, l)| !spec.out.contains(l))
        .map(|(r, _)| match r {
            AxisRel::Range(lo, hi) => hi - lo,
            AxisRel::Driven { .. } | AxisRel::Table { .. } => 1,
        })
        .collect();
    if spec.concatenate && !grid.is_empty() {
        if blocks.len() == 1 {
            return Ok(KernelArg { blocks, grid: vec![] });
        }
        // The region the blocks cover, from the first block's start.
        let start = &ins[0].start;
        let shape = (0..start.len()).map(|a| ins.iter().zip(&blocks).map(|(i, b)| i.start[a] + b.shape()[a]).max().unwrap_or(0) - start[a]).collect();
        return Ok(KernelArg { blocks: vec![assemble(blocks[0].dtype(), shape, start, ins, &stage.name)?], grid: vec![] });
    }
    Ok(KernelArg { blocks, grid })
}
