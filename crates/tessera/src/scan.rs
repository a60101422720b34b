//! Cumulative sums and products along an axis (`cumsum`, `cumprod`, `nancumsum`,
//! `nancumprod`) as three block-kernel stages: every block's total along the axis; the
//! carry into every block (an exclusive scan of the totals, in one small task); every
//! block's scan started from its carry. The input is computed twice (inside the first and
//! the last stage's tasks) rather than kept whole until the carries are known, so memory
//! stays at a few blocks. Merges follow block order: the same bits for any thread count.

use crate::Array;
use std::sync::Arc;
use tessera_core::blockwise::{self as bw, Blockwise};
use tessera_core::chunks::{AxisSpec, ChunkSpec};
use tessera_core::kernel::{BlockCtx, BlockKernel, KernelArg};
use tessera_core::{bail, Block, DType, Result};
use tessera_kernels::scan::{exclusive_carries, scan_block, total_block, ScanKind, ScanNum};

/// What each stage's kernel does.
#[derive(Clone, Copy, Debug)]
enum Step {
    Total,
    Carries { blelloch: bool },
    Scan,
}

#[derive(Debug)]
struct ScanKernel {
    name: String,
    kind: ScanKind,
    axis: usize,
    step: Step,
}

/// `[outer, n, inner]` of a shape around `axis`.
fn split(shape: &[usize], axis: usize) -> (usize, usize, usize) {
    (shape[..axis].iter().product(), shape[axis], shape[axis + 1..].iter().product())
}

fn values<T: ScanNum>(b: &Block) -> std::borrow::Cow<'_, [T]> {
    match b.as_slice::<T>() {
        Some(s) => std::borrow::Cow::Borrowed(s),
        None => std::borrow::Cow::Owned(b.to_vec::<T>()),
    }
}

macro_rules! with_scan_dtype {
    ($dtype:expr, $op:expr, $T:ident => $body:expr) => {
        match $dtype {
            DType::I8 => { type $T = i8; $body }
            DType::I16 => { type $T = i16; $body }
            DType::I32 => { type $T = i32; $body }
            DType::I64 => { type $T = i64; $body }
            DType::U8 => { type $T = u8; $body }
            DType::U16 => { type $T = u16; $body }
            DType::U32 => { type $T = u32; $body }
            DType::U64 => { type $T = u64; $body }
            DType::F32 => { type $T = f32; $body }
            DType::F64 => { type $T = f64; $body }
            other => bail!(DType, $op, "scans of {other} are not supported"),
        }
    };
}

impl BlockKernel for ScanKernel {
    fn name(&self) -> &str {
        &self.name
    }
    fn call(&self, ctx: &BlockCtx, args: Vec<KernelArg>) -> Result<Block> {
        let b = &args[0].blocks[0];
        let (kind, axis) = (self.kind, self.axis);
        with_scan_dtype!(b.dtype(), ctx.name, T => {
            let vals = values::<T>(b);
            let dims = split(b.shape(), axis);
            Ok(match self.step {
                Step::Total => Block::from_vec(ctx.shape.to_vec(), total_block(kind, &vals, dims)),
                Step::Carries { blelloch } => Block::from_vec(b.shape().to_vec(), exclusive_carries(kind, &vals, dims, blelloch)),
                Step::Scan => {
                    let mut out = vec![T::default(); vals.len()];
                    let carry = match args.get(1) {
                        // every block's carry along the axis: this block's is at its index
                        Some(c) => {
                            let all = values::<T>(&c.blocks[0]);
                            let (o, nb, i) = split(c.blocks[0].shape(), axis);
                            let k = ctx.block_id[axis];
                            Some((0..o).flat_map(|oo| all[(oo * nb + k) * i..(oo * nb + k + 1) * i].to_vec()).collect::<Vec<T>>())
                        }
                        None => None,
                    };
                    scan_block(kind, &vals, &mut out, dims, carry.as_deref());
                    Block::from_vec(b.shape().to_vec(), out)
                }
            })
        })
    }
}

/// The cumulative sum (`prod` false) or product of `x` along `axis` in `dtype` (NaN taken
/// as the identity with `skip_nan`); `blelloch` combines block totals along a tree.
pub fn cumulative(x: &Array, axis: usize, prod: bool, skip_nan: bool, dtype: DType, blelloch: bool, name: &str) -> Result<Array> {
    if axis >= x.ndim() {
        bail!(Axis, name, "axis {axis} is out of bounds for array of dimension {}", x.ndim());
    }
    if !(dtype.is_float() || dtype.is_signed_int() || dtype.is_unsigned_int()) {
        bail!(DType, name, "scans of {dtype} are not supported");
    }
    let x = if x.dtype() == dtype { x.clone() } else { x.astype(dtype) };
    let kind = ScanKind { prod, skip_nan };
    let kernel = |step| -> Arc<dyn BlockKernel> { Arc::new(ScanKernel { name: name.to_string(), kind, axis, step }) };
    let ind: Vec<u32> = (0..x.ndim() as u32).collect();
    let nb = x.chunks()[axis].nblocks();
    let build = |kernel: Arc<dyn BlockKernel>, args: &[(tessera_core::graph::Expr, Vec<u32>)], adjust: &[(u32, Vec<usize>)], concatenate: bool| {
        let op = name.to_string();
        bw::blockwise(Blockwise { op: &op, kernel, out: &ind, args, new_axes: &[], adjust_chunks: adjust, dtype, concatenate, align: false }).map(Array::from_expr)
    };
    if nb <= 1 || x.size() == 0 {
        return build(kernel(Step::Scan), &[(x.expr().clone(), ind.clone())], &[], false);
    }
    let totals = build(kernel(Step::Total), &[(x.expr().clone(), ind.clone())], &[(axis as u32, vec![1; nb])], false)?;
    let whole = ChunkSpec::PerAxis((0..x.ndim()).map(|a| if a == axis { AxisSpec::Size(-1) } else { AxisSpec::Blocks(x.chunks()[a].sizes().iter().map(|&s| s as i64).collect()) }).collect());
    let totals = totals.rechunk(whole)?;
    let carries = build(kernel(Step::Carries { blelloch }), &[(totals.expr().clone(), ind.clone())], &[], false)?;
    // The carries travel whole along the axis (a contracted label): each task picks its own.
    let mut carry_ind = ind.clone();
    carry_ind[axis] = x.ndim() as u32;
    build(kernel(Step::Scan), &[(x.expr().clone(), ind.clone()), (carries.expr().clone(), carry_ind)], &[], true)
}
