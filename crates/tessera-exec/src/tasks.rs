//! What one task of each stage kind computes from its input blocks.

use crate::copy::copy_into;
use crate::fused::FusedTask;
use crate::{Input, Value};
use std::sync::atomic::AtomicBool;
use tessera_core::chunks;
use tessera_core::plan::{Stage, StageKind};
use tessera_core::{err, Block, Buffer, Result};

pub fn run(stage: &Stage, index: &[usize], inputs: &[Vec<Input>], cancel: &AtomicBool) -> Result<Value> {
    match &stage.kind {
        StageKind::Fused { leaves, program, slots, head, domain } => FusedTask { leaves, program, slots, head, domain, inputs, cancel }.run(index),
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
                Some(fin) => Value::Block(acc.finalize(*op, fin, axes)),
                None => Value::Partial(acc),
            })
        }
        StageKind::Rechunk => {
            let shape = chunks::block_shape(&stage.meta.chunks, index);
            let start = chunks::block_start(&stage.meta.chunks, index);
            let mut out = Buffer::try_zeros(stage.meta.dtype, shape.iter().product(), &stage.name)?;
            for input in &inputs[0] {
                let Value::Block(b) = &*input.value else { unreachable!("rechunk input is a block") };
                // The intersection of the input block with this block, in both frames.
                let lo: Vec<usize> = (0..shape.len()).map(|a| start[a].max(input.start[a])).collect();
                let hi: Vec<usize> = (0..shape.len()).map(|a| (start[a] + shape[a]).min(input.start[a] + b.shape()[a])).collect();
                if lo.iter().zip(&hi).any(|(l, h)| l >= h) {
                    continue;
                }
                let offset: isize = (0..shape.len()).map(|a| (lo[a] - input.start[a]) as isize * b.strides()[a]).sum();
                let piece = b.restride(lo.iter().zip(&hi).map(|(l, h)| h - l).collect(), b.strides().to_vec(), offset);
                let origin: Vec<usize> = (0..shape.len()).map(|a| lo[a] - start[a]).collect();
                copy_into(&mut out, &shape, &origin, &piece);
            }
            Ok(Value::Block(Block::from_buffer(shape, out)))
        }
        StageKind::Reshape => {
            let shape = chunks::block_shape(&stage.meta.chunks, index);
            let Value::Block(b) = &*inputs[0][0].value else { unreachable!("reshape input is a block") };
            Ok(Value::Block(b.reshaped(shape)))
        }
        StageKind::Blockwise { kernel, spec, args, head, out } => crate::blockwise::run(stage, &**kernel, spec, args, (head, out), index, inputs, cancel),
        StageKind::Regions { spec, in_chunks, data: None, .. } => crate::regions::run(stage, spec, in_chunks, index, &inputs[0], false),
        StageKind::Regions { spec, in_chunks, data: Some(d), .. } => {
            let whole = [Input { value: std::sync::Arc::new(Value::Block(d.clone())), start: vec![0; d.ndim()] }];
            crate::regions::run(stage, spec, in_chunks, index, &whole, true)
        }
        StageKind::Blocks(blocks) => Ok(Value::Block(blocks[chunks::ravel(index, &stage.grid())].load()?)),
    }
}
