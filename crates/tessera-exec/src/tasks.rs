//! What one task of each stage kind computes from its input blocks.

use crate::copy::assemble;
use crate::fused::FusedTask;
use crate::{Input, Value};
use std::sync::atomic::AtomicBool;
use tessera_core::chunks;
use tessera_core::plan::{Stage, StageKind};
use tessera_core::{err, Block, Result};

/// The values task `index` of `stage` makes: its block, then (for a block kernel with
/// several outputs) a block of each further output. `dest`: the result a fused stage
/// storing an output writes its blocks into (see [`FusedTask::dest`]).
pub fn run(stage: &Stage, index: &[usize], inputs: &[Vec<Input>], cancel: &AtomicBool, dest: Option<&Block>) -> Result<Vec<Value>> {
    if let StageKind::Blockwise { kernel, spec, args, head, out } = &stage.kind {
        return crate::blockwise::run(stage, &**kernel, spec, args, (head, out), index, inputs, cancel, dest);
    }
    one(stage, index, inputs, cancel, dest).map(|v| vec![v])
}

fn one(stage: &Stage, index: &[usize], inputs: &[Vec<Input>], cancel: &AtomicBool, dest: Option<&Block>) -> Result<Value> {
    match &stage.kind {
        StageKind::Fused { leaves, program, slots, head, domain } => FusedTask { leaves, program, slots, head, domain, inputs, cancel, dest }.run(index),
        StageKind::Combine { op, axes, finalize } => {
            let mut parts = inputs[0].iter().map(|i| match &*i.value {
                Value::Partial(p) => Ok(p),
                Value::Block(_) => Err(err!(Internal, "compute", "a combine task received a block")),
            });
            let mut acc = parts.next().expect("a combine group is not empty")?.clone();
            for p in parts {
                acc.merge(p?);
            }
            Ok(match finalize {
                Some(fin) => Value::Block(acc.finalize(*op, fin, axes)?),
                None => Value::Partial(acc),
            })
        }
        StageKind::Rechunk => {
            let shape = chunks::block_shape(&stage.meta.chunks, index);
            let start = chunks::block_start(&stage.meta.chunks, index);
            Ok(Value::Block(assemble(stage.meta.dtype, shape, &start, &inputs[0], &stage.name)?))
        }
        StageKind::Reshape => {
            let shape = chunks::block_shape(&stage.meta.chunks, index);
            let Value::Block(b) = &*inputs[0][0].value else { unreachable!("reshape input is a block") };
            Ok(Value::Block(b.reshaped(shape)))
        }
        StageKind::Blockwise { .. } => unreachable!("block kernels run above"),
        StageKind::Part { .. } => Err(err!(Internal, stage.name.clone(), "a kernel's further output has no tasks of its own")),
        StageKind::Regions { spec, in_chunks, data: None, .. } => crate::regions::run(stage, spec, in_chunks, index, &inputs[0], false),
        StageKind::Regions { spec, in_chunks, data: Some(d), .. } => {
            let whole = [Input { value: std::sync::Arc::new(Value::Block(d.clone())), start: vec![0; d.ndim()] }];
            crate::regions::run(stage, spec, in_chunks, index, &whole, true)
        }
        StageKind::Gather { spec, in_chunks } => crate::gather::run(stage, spec, in_chunks, index, inputs),
        StageKind::Blocks(blocks) => Ok(Value::Block(blocks[chunks::ravel(index, &stage.grid())].load()?)),
    }
}
