//! Overlapping blocks (Dask's `map_overlap`): blocks grown by their neighbours' edges (and a
//! boundary rule at the array's edges), a kernel applied to each, and the halo trimmed off.

use crate::Array;
use tessera_core::regions;
pub use tessera_core::regions::Boundary;
use tessera_core::kernel::BlockCtx;
use tessera_core::{Block, DType, Result};

impl Array {
    /// Every block grown by `depth[a] = (before, after)` along axis `a` (Dask's `overlap`).
    pub fn overlap(&self, depth: &[(usize, usize)], boundary: &[Boundary], allow_rechunk: bool) -> Result<Array> {
        regions::overlap(self.expr(), depth, boundary, allow_rechunk).map(Array::from_expr)
    }

    /// Every block shrunk by `depth` (Dask's `trim_internal`); `edges[a]` is false where the
    /// overlap had no boundary (those edges were not grown).
    pub fn trim_internal(&self, depth: &[(usize, usize)], edges: &[bool]) -> Result<Array> {
        regions::trim(self.expr(), depth, edges).map(Array::from_expr)
    }

    /// The array grown by `depth[a]` on both sides of axis `a` from `boundary[a]` (Dask's
    /// `boundaries`).
    pub fn boundaries(&self, depth: &[usize], boundary: &[Boundary]) -> Result<Array> {
        regions::pad(self.expr(), depth, boundary).map(Array::from_expr)
    }

    /// `f` applied to every block grown by `depth` (symmetric), then the growth trimmed off:
    /// `f` must return a block of the shape it was given.
    pub fn map_overlap<F>(&self, name: &str, dtype: DType, depth: &[usize], boundary: &[Boundary], f: F) -> Result<Array>
    where
        F: Fn(&Block, &BlockCtx) -> Result<Block> + Send + Sync + 'static,
    {
        let depth: Vec<(usize, usize)> = depth.iter().map(|&d| (d, d)).collect();
        let grown = self.overlap(&depth, boundary, true)?;
        let edges: Vec<bool> = boundary.iter().map(|b| *b != Boundary::None).collect();
        grown.map_blocks(name, dtype, f)?.trim_internal(&depth, &edges)
    }
}
