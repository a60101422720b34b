//! Block kernels: functions that compute one whole output block from the whole blocks of
//! their inputs. Rust kernels implement the trait directly; the Python front end wraps
//! user callables (`map_blocks`, `blockwise`, ...) in one.

use crate::block::Block;
use crate::dtype::DType;
use crate::error::Result;
use std::sync::atomic::AtomicBool;

/// What a kernel call knows about the block it computes.
pub struct BlockCtx<'a> {
    /// The stage's name (the kernel's), for messages.
    pub name: &'a str,
    /// The output block's index in the output's block grid.
    pub block_id: &'a [usize],
    /// The shape and dtype the output block must have.
    pub shape: &'a [usize],
    pub dtype: DType,
    /// Set when the computation is being stopped; long kernels may look at it.
    pub cancel: &'a AtomicBool,
}

/// The blocks of one input array that a task reads. Along contracted indices (in the
/// argument but not in the output) a task reads every block: `grid` counts them per
/// contracted axis and `blocks` lists them in C order. With nothing contracted, or when
/// the blocks were concatenated, `grid` is empty and there is one block.
pub struct KernelArg {
    pub blocks: Vec<Block>,
    pub grid: Vec<usize>,
}

pub trait BlockKernel: Send + Sync + std::fmt::Debug {
    /// The name tasks show in plans, pictures and profiles (the user's function name).
    fn name(&self) -> &str;
    /// Computes one output block; `args` has one entry per array argument, in order.
    fn call(&self, ctx: &BlockCtx, args: Vec<KernelArg>) -> Result<Block>;
    /// Computes one block of each output of a kernel with several (built by
    /// `blockwise_many`): `ctx` describes output 0's block, `more` the shape and dtype of
    /// each further output's block. Returns them in order.
    fn call_many(&self, ctx: &BlockCtx, _more: &[(Vec<usize>, DType)], _args: Vec<KernelArg>) -> Result<Vec<Block>> {
        Err(crate::err!(Internal, ctx.name, "the kernel has one output"))
    }
    /// Computes one output block straight into `dest`, its place in the computation's
    /// result (a strided view of the block's shape): no block buffer, no copy into the
    /// result. Returns the arguments back when it cannot; the caller then uses `call`.
    fn call_into(&self, _ctx: &BlockCtx, args: Vec<KernelArg>, _dest: &Block) -> Result<Option<Vec<KernelArg>>> {
        Ok(Some(args))
    }
    /// Whether a call takes the Python interpreter's lock (the scheduler limits how many
    /// workers wait on it at once).
    fn needs_gil(&self) -> bool {
        false
    }
    /// Working memory a call needs beyond its inputs and output (e.g. a storage read's
    /// compressed and decoded chunk buffers), given the output block's bytes; the scheduler
    /// counts it in the memory budget.
    fn scratch_bytes(&self, _out_block_bytes: usize) -> usize {
        0
    }
    /// Whether calling it again for a block costs less than writing the block to disk and
    /// reading it back (a storage read, with no arguments): under memory pressure the
    /// scheduler then drops such blocks and reads them again instead of spilling them.
    fn rereadable(&self) -> bool {
        false
    }
}

/// A Rust closure as a kernel.
pub struct FnKernel<F> {
    pub name: String,
    pub f: F,
}

impl<F> std::fmt::Debug for FnKernel<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FnKernel({})", self.name)
    }
}

impl<F> BlockKernel for FnKernel<F>
where
    F: Fn(&BlockCtx, Vec<KernelArg>) -> Result<Block> + Send + Sync,
{
    fn name(&self) -> &str {
        &self.name
    }
    fn call(&self, ctx: &BlockCtx, args: Vec<KernelArg>) -> Result<Block> {
        (self.f)(ctx, args)
    }
}
