//! The block kernel of a pairwise contraction (see `tessera_core::contract`): each task
//! multiplies one block of each operand, as a batch of GEMMs over the labels both keep.

use crate::gemm::{GemmElem, Strided};
use std::sync::Arc;
use tessera_core::block::c_strides;
use tessera_core::contract::ContractSpec;
use tessera_core::kernel::{BlockCtx, BlockKernel, KernelArg};
use tessera_core::{bail, Block, DType, Element, Result};

#[derive(Debug)]
pub struct ContractKernel {
    spec: ContractSpec,
}

/// The kernel factory `tessera_core::contract::einsum` takes.
pub fn contract_kernel(spec: &ContractSpec) -> Arc<dyn BlockKernel> {
    Arc::new(ContractKernel { spec: spec.clone() })
}

/// `block`'s axes `axes`, in that order, as one axis (size, stride), when their strides
/// allow it (size-1 axes are skipped).
fn merged(block: &Block, axes: &[usize]) -> Option<(usize, isize)> {
    let dims: Vec<(usize, isize)> = axes.iter().map(|&a| (block.shape()[a], block.strides()[a])).filter(|d| d.0 != 1).collect();
    let size = dims.iter().map(|d| d.0).product();
    // Empty or single-element groups: any stride will do.
    if dims.is_empty() || size == 0 {
        return Some((size, 1));
    }
    dims.windows(2).all(|w| w[0].1 == w[1].1 * w[1].0 as isize).then(|| (size, dims[dims.len() - 1].1))
}

/// `block` with its axes permuted to `order` and the groups `rows`, `cols` (positions in
/// `order`) each mergeable into one axis: a view when strides allow, else a copy.
fn matrix_ready<T: Element>(block: &Block, order: &[usize], rows: std::ops::Range<usize>, cols: std::ops::Range<usize>) -> Block {
    let shape: Vec<usize> = order.iter().map(|&a| block.shape()[a]).collect();
    let strides: Vec<isize> = order.iter().map(|&a| block.strides()[a]).collect();
    let view = block.restride(shape.clone(), strides, 0);
    let idx: Vec<usize> = (0..order.len()).collect();
    if merged(&view, &idx[rows]).is_some() && merged(&view, &idx[cols]).is_some() {
        return view;
    }
    Block::from_vec(shape, view.to_vec::<T>())
}

impl ContractKernel {
    fn run<T: Element + GemmElem>(&self, ctx: &BlockCtx, a: &Block, b: &Block) -> Result<Block> {
        let s = &self.spec;
        let kept: Vec<u32> = s.out.iter().copied().filter(|c| !s.contracted.contains(c)).collect();
        let kept = kept.as_slice();
        let pos = |l: &[u32], c: u32| l.iter().position(|&m| m == c);
        let batch: Vec<u32> = kept.iter().copied().filter(|&c| pos(&s.a, c).is_some() && pos(&s.b, c).is_some()).collect();
        let left: Vec<u32> = kept.iter().copied().filter(|&c| pos(&s.a, c).is_some() && pos(&s.b, c).is_none()).collect();
        let right: Vec<u32> = kept.iter().copied().filter(|&c| pos(&s.b, c).is_some() && pos(&s.a, c).is_none()).collect();
        let (nb, nl, nr, nc) = (batch.len(), left.len(), right.len(), s.contracted.len());
        // a as (batch, left, contracted), b as (batch, contracted, right).
        let a_order: Vec<usize> = batch.iter().chain(&left).chain(&s.contracted).map(|&c| pos(&s.a, c).expect("a label")).collect();
        let b_order: Vec<usize> = batch.iter().chain(&s.contracted).chain(&right).map(|&c| pos(&s.b, c).expect("b label")).collect();
        let a = matrix_ready::<T>(a, &a_order, nb..nb + nl, nb + nl..nb + nl + nc);
        let b = matrix_ready::<T>(b, &b_order, nb + nc..nb + nc + nr, nb..nb + nc);
        let all: Vec<usize> = (0..nb + nl + nc + nr).collect();
        let (m, ars) = merged(&a, &all[nb..nb + nl]).expect("mergeable");
        let (k, acs) = merged(&a, &all[nb + nl..nb + nl + nc]).expect("mergeable");
        let (kb, brs) = merged(&b, &all[nb..nb + nc]).expect("mergeable");
        let (n, bcs) = merged(&b, &all[nb + nc..nb + nc + nr]).expect("mergeable");
        if k != kb {
            bail!(Internal, s.name.clone(), "contracted sizes {k} and {kb} of block {:?} differ", ctx.block_id);
        }
        // The output's batch sizes; an operand's size-1 batch axis broadcasts (stride 0).
        let out_size = |c: u32| ctx.shape[pos(&s.out, c).expect("kept")];
        let bshape: Vec<usize> = batch.iter().map(|&c| out_size(c)).collect();
        let stride_of = |blk: &Block, i: usize| if blk.shape()[i] == 1 { 0 } else { blk.strides()[i] };
        let (a_bs, b_bs): (Vec<isize>, Vec<isize>) = (0..nb).map(|i| (stride_of(&a, i), stride_of(&b, i))).unzip();
        for (i, &n_) in bshape.iter().enumerate() {
            if (a.shape()[i] != n_ && a.shape()[i] != 1) || (b.shape()[i] != n_ && b.shape()[i] != 1) {
                bail!(Internal, s.name.clone(), "batch sizes of block {:?} do not match", ctx.block_id);
            }
        }
        let nbatch: usize = bshape.iter().product();
        let mut out = tessera_core::block::zeroed_vec::<T>(nbatch * m * n);
        if m * n > 0 {
            let (ap, bp) = (if a.is_empty() { std::ptr::null() } else { a.ptr::<T>() }, if b.is_empty() { std::ptr::null() } else { b.ptr::<T>() });
            let mut idx = vec![0usize; nb];
            for (t, c) in out.chunks_mut(m * n).enumerate() {
                if t > 0 {
                    // Next batch index, C order.
                    for d in (0..nb).rev() {
                        idx[d] += 1;
                        if idx[d] < bshape[d] {
                            break;
                        }
                        idx[d] = 0;
                    }
                }
                let (ao, bo): (isize, isize) = (idx.iter().zip(&a_bs).map(|(&i, &s)| i as isize * s).sum(), idx.iter().zip(&b_bs).map(|(&i, &s)| i as isize * s).sum());
                // SAFETY: offsets address elements of the blocks (k == 0 reads nothing).
                unsafe {
                    let am = Strided { ptr: if k == 0 { ap } else { ap.offset(ao) }, rows: m, cols: k, rs: ars, cs: acs };
                    let bm = Strided { ptr: if k == 0 { bp } else { bp.offset(bo) }, rows: k, cols: n, rs: brs, cs: bcs };
                    T::gemm(c, am, bm);
                }
            }
        }
        // From (batch, left, right) to the kept labels' order, then the contracted unit axes.
        let canon: Vec<u32> = batch.iter().chain(&left).chain(&right).copied().collect();
        let cshape: Vec<usize> = canon.iter().map(|&c| out_size(c)).collect();
        let block = Block::from_vec(cshape.clone(), out);
        let block = if canon.as_slice() == kept {
            block
        } else {
            let cs = c_strides(&cshape);
            let perm: Vec<usize> = kept.iter().map(|&c| pos(&canon, c).expect("canonical")).collect();
            let v = block.restride(perm.iter().map(|&p| cshape[p]).collect(), perm.iter().map(|&p| cs[p]).collect(), 0);
            Block::from_vec(v.shape().to_vec(), v.to_vec::<T>())
        };
        Ok(block.reshaped(ctx.shape.to_vec()))
    }
}

impl BlockKernel for ContractKernel {
    fn name(&self) -> &str {
        &self.spec.name
    }
    fn call(&self, ctx: &BlockCtx, args: Vec<KernelArg>) -> Result<Block> {
        let (a, b) = match &args[..] {
            [a, b] if a.blocks.len() == 1 && b.blocks.len() == 1 => (&a.blocks[0], &b.blocks[0]),
            _ => bail!(Internal, self.spec.name.clone(), "a contraction takes one block of each of two operands"),
        };
        if a.dtype() != self.spec.dtype || b.dtype() != self.spec.dtype {
            bail!(Internal, self.spec.name.clone(), "blocks of {} and {}, expected {}", a.dtype(), b.dtype(), self.spec.dtype);
        }
        match self.spec.dtype {
            DType::F64 => self.run::<f64>(ctx, a, b),
            DType::F32 => self.run::<f32>(ctx, a, b),
            DType::I64 => self.run::<i64>(ctx, a, b),
            DType::U64 => self.run::<u64>(ctx, a, b),
            d => bail!(DType, self.spec.name.clone(), "contractions compute in float32, float64, int64 or uint64, not {d}"),
        }
    }
}
