//! Block kernels on arrays: `map_blocks` for one kernel per block, and `blockwise` with
//! index notation for everything else (contractions, new axes, broadcasting).

use crate::Array;
use std::sync::Arc;
use tessera_core::blockwise::{self as bw, Blockwise};
use tessera_core::kernel::{BlockCtx, BlockKernel, FnKernel, KernelArg};
use tessera_core::{Block, DType, Result};

/// Applies `kernel` with index notation: `args` pairs arrays with one label per axis;
/// labels missing from `out` are contracted (every block along them is passed, joined
/// into one when `concatenate`); `new_axes` gives chunk sizes of output labels no
/// argument has. Arguments are rechunked to common chunks per label.
pub fn blockwise(
    kernel: Arc<dyn BlockKernel>,
    out: &[u32],
    args: &[(&Array, &[u32])],
    new_axes: &[(u32, Vec<usize>)],
    dtype: DType,
    concatenate: bool,
) -> Result<Array> {
    let op = format!("blockwise({})", kernel.name());
    let args: Vec<_> = args.iter().map(|(a, ind)| (a.expr().clone(), ind.to_vec())).collect();
    let b = Blockwise { op: &op, kernel, out, args: &args, new_axes, adjust_chunks: &[], dtype, concatenate, align: true };
    bw::blockwise(b).map(Array::from_expr)
}

impl Array {
    /// A closure applied to every block: `f(block, ctx)` must return a block of the same
    /// shape, of `dtype`.
    pub fn map_blocks<F>(&self, name: &str, dtype: DType, f: F) -> Result<Array>
    where
        F: Fn(&Block, &BlockCtx) -> Result<Block> + Send + Sync + 'static,
    {
        let kernel = FnKernel { name: name.to_string(), f: move |ctx: &BlockCtx, args: Vec<KernelArg>| f(&args[0].blocks[0], ctx) };
        let ind: Vec<u32> = (0..self.ndim() as u32).collect();
        let op = format!("map_blocks({name})");
        let args = [(self.expr().clone(), ind.clone())];
        let b = Blockwise { op: &op, kernel: Arc::new(kernel), out: &ind, args: &args, new_axes: &[], adjust_chunks: &[], dtype, concatenate: true, align: false };
        bw::blockwise(b).map(Array::from_expr)
    }
}
