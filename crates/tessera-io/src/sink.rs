//! Writing an array to a Zarr array: one task per block writes it and returns a
//! one-element acknowledgement (`true`), so the write is a lazy array of acknowledgements
//! shaped like the block grid.

use crate::elements::write_region;
use crate::zarr::ZarrArray;
use std::sync::Arc;
use tessera_core::blockwise::{self as bw, Blockwise};
use tessera_core::graph::Expr;
use tessera_core::kernel::{BlockCtx, BlockKernel, KernelArg};
use tessera_core::{bail, Block, DType, Result};

struct ZarrWrite {
    name: String,
    z: Arc<ZarrArray>,
    /// Block starts along each axis, in the target (region offset included).
    starts: Vec<Vec<usize>>,
    /// The largest input block's bytes.
    block_bytes: usize,
    /// Blocks written so far, for the message of a failed write.
    written: std::sync::Mutex<Vec<Vec<usize>>>,
}

impl ZarrWrite {
    /// Which blocks a failed write left written (whole, valid chunks: the store renames
    /// each chunk into place).
    fn written_text(&self) -> String {
        let done = self.written.lock().map(|w| w.clone()).unwrap_or_default();
        if done.is_empty() {
            return "no block was written before this failure".to_string();
        }
        const SHOWN: usize = 32;
        let mut ids: Vec<String> = done.iter().take(SHOWN).map(|b| crate::block_text(b)).collect();
        if done.len() > SHOWN {
            ids.push(format!("and {} more", done.len() - SHOWN));
        }
        format!("{} block(s) were written before this failure and hold the new values: {}; the others hold what they held before", done.len(), ids.join(", "))
    }
}

impl std::fmt::Debug for ZarrWrite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ZarrWrite({})", self.z.describe())
    }
}

impl BlockKernel for ZarrWrite {
    fn name(&self) -> &str {
        &self.name
    }
    // The block's encoded bytes, and its copy into zarrs' buffer.
    fn scratch_bytes(&self, _out_block_bytes: usize) -> usize {
        2 * self.block_bytes
    }
    fn call(&self, ctx: &BlockCtx, mut args: Vec<KernelArg>) -> Result<Block> {
        let block = args.pop().and_then(|mut a| a.blocks.pop());
        let Some(block) = block else { bail!(Internal, ctx.name, "a write task got no block") };
        let region: Vec<_> = self.starts.iter().zip(ctx.block_id).zip(block.shape()).map(|((s, &b), &n)| s[b]..s[b] + n).collect();
        write_region(&self.z, "to_zarr", &region, &block).map_err(|mut e| {
            e.message = format!("writing block {} of {}; {}", crate::block_text(ctx.block_id), e.message, self.written_text());
            e
        })?;
        if let Ok(mut w) = self.written.lock() {
            w.push(ctx.block_id.to_vec());
        }
        let ones = vec![true; ctx.shape.iter().product()];
        Ok(Block::from_vec(ctx.shape.to_vec(), ones))
    }
}

/// The lazy write of `x` into `z` at `offset` (the region's start; zeros for the whole
/// array). Block boundaries inside the target must fall on `z`'s storage chunks (so no two
/// tasks write the same chunk); else an error says how to rechunk.
pub fn write_zarr(x: &Expr, z: Arc<ZarrArray>, offset: &[usize]) -> Result<Expr> {
    let op = "to_zarr";
    let shape = z.shape();
    let meta = &x.meta;
    if meta.ndim() != shape.len() || offset.len() != shape.len() {
        bail!(Shape, op, "a {}-d array cannot be written to the {}-d {}", meta.ndim(), shape.len(), z.describe());
    }
    for a in 0..shape.len() {
        if offset[a] + meta.shape[a] > shape[a] {
            bail!(Shape, op, "an array of shape {:?} at offset {:?} does not fit in {} of shape {:?}", meta.shape, offset, z.describe(), shape);
        }
    }
    if meta.dtype != z.dtype {
        bail!(DType, op, "a {} array cannot be written to {} of dtype {} (cast it first with astype)", meta.dtype.name(), z.describe(), z.dtype.name());
    }
    let cs = z.chunk_shape();
    let mut starts = Vec::with_capacity(shape.len());
    for a in 0..shape.len() {
        let c = &meta.chunks[a];
        let s: Vec<usize> = (0..c.nblocks()).map(|b| offset[a] + c.start(b)).collect();
        // Every boundary between two blocks must be a storage chunk boundary.
        for &b in s.iter().skip(1) {
            if b % cs[a] != 0 {
                bail!(Chunks, op, "the array's chunks {:?} along axis {a} do not line up with the storage chunks ({}) of {}: two tasks would write one storage chunk; rechunk to multiples of the storage chunk first", c.sizes(), cs[a], z.describe());
            }
        }
        starts.push(s);
    }
    let labels: Vec<u32> = (0..shape.len() as u32).collect();
    let adjust: Vec<(u32, Vec<usize>)> = labels.iter().zip(&meta.chunks).map(|(&l, c)| (l, vec![1; c.nblocks()])).collect();
    let kernel = Arc::new(ZarrWrite { name: "store-zarr".to_string(), z, starts, block_bytes: meta.max_block_bytes(), written: Default::default() });
    bw::blockwise(Blockwise {
        op,
        kernel,
        out: &labels,
        args: &[(x.clone(), labels.clone())],
        new_axes: &[],
        adjust_chunks: &adjust,
        dtype: DType::Bool,
        concatenate: true,
        align: false,
    })
}
