//! A Zarr array as a tessera source: one task per block reads that block's region.

use crate::elements::read_region;
use crate::zarr::ZarrArray;
use std::sync::Arc;
use tessera_core::blockwise::{self as bw, Blockwise};
use tessera_core::chunks::{block_start, Chunks};
use tessera_core::graph::Expr;
use tessera_core::kernel::{BlockCtx, BlockKernel, KernelArg};
use tessera_core::{Block, Result};

struct ZarrRead {
    name: String,
    z: Arc<ZarrArray>,
    chunks: Chunks,
}

impl std::fmt::Debug for ZarrRead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ZarrRead({})", self.z.describe())
    }
}

impl BlockKernel for ZarrRead {
    fn name(&self) -> &str {
        &self.name
    }
    // The compressed chunk bytes (at most about a block) while decoding.
    fn scratch_bytes(&self, out_block_bytes: usize) -> usize {
        out_block_bytes
    }
    fn rereadable(&self) -> bool {
        true
    }
    fn call(&self, ctx: &BlockCtx, _args: Vec<KernelArg>) -> Result<Block> {
        let start = block_start(&self.chunks, ctx.block_id);
        let region: Vec<_> = start.iter().zip(ctx.shape).map(|(&s, &n)| s..s + n).collect();
        read_region(&self.z, "from_zarr", &region).map_err(|mut e| {
            e.message = format!("reading block {} of {}", crate::block_text(ctx.block_id), e.message);
            e
        })
    }
}

/// The lazy array of `z` in `chunks` (which must cover `z`'s shape): nothing is read here.
pub fn read_zarr(z: Arc<ZarrArray>, chunks: Chunks) -> Result<Expr> {
    let shape = z.shape();
    let labels: Vec<u32> = (0..shape.len() as u32).collect();
    let new_axes: Vec<(u32, Vec<usize>)> = labels.iter().zip(&chunks).map(|(&l, c)| (l, c.sizes())).collect();
    for ((c, &n), a) in chunks.iter().zip(&shape).zip(0..) {
        if c.len() != n {
            tessera_core::bail!(Chunks, "from_zarr", "chunks along axis {a} add up to {}, but {} has {n} elements there", c.len(), z.describe());
        }
    }
    let dtype = z.dtype;
    let kernel = Arc::new(ZarrRead { name: "from-zarr".to_string(), z, chunks });
    bw::blockwise(Blockwise {
        op: "from_zarr",
        kernel,
        out: &labels,
        args: &[],
        new_axes: &new_axes,
        adjust_chunks: &[],
        dtype,
        concatenate: true,
        align: false,
    })
}
