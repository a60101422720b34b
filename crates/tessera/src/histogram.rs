//! `histogram` and `bincount` counts: a block kernel counts each block's values (weighted
//! or not) into a vector of bins, one per block with the block's axes kept as length 1 and
//! the bins as a new last axis; the caller sums over the block axes (a reduction fused into
//! the kernel's tasks, merged in block order). Counts are integers, so they are exact and
//! NumPy's for any chunking; weighted sums follow the block tree.

use crate::Array;
use std::sync::Arc;
use tessera_core::blockwise::{self as bw, Blockwise};
use tessera_core::kernel::{BlockCtx, BlockKernel, KernelArg};
use tessera_core::{bail, err, Block, DType, Element, Result};
use tessera_kernels::histogram::{bin_of, bin_of_int, count_uniform, Bins};

pub use tessera_kernels::histogram::Bins as HistBins;

#[derive(Debug)]
struct CountKernel {
    name: String,
    bins: Bins,
    out: DType,
}

fn each<T: Element>(b: &Block, mut f: impl FnMut(T)) {
    match b.as_slice::<T>() {
        Some(s) => s.iter().for_each(|&v| f(v)),
        None => b.to_vec::<T>().into_iter().for_each(f),
    }
}

impl CountKernel {
    fn count<T: Element>(&self, x: &Block, w: Option<&[f64]>) -> Result<(Vec<i64>, Vec<f64>)> {
        let n = self.bins.len();
        let (mut counts, mut sums) = (vec![0i64; if w.is_none() { n } else { 0 }], vec![0f64; if w.is_some() { n } else { 0 }]);
        if let (Bins::Uniform { edges }, None) = (&self.bins, w) {
            // the hot case: a tight loop
            match x.as_slice::<T>() {
                Some(s) => count_uniform(s.iter().map(|v| v.to_f64()), edges, &mut counts),
                None => count_uniform(x.to_vec::<T>().into_iter().map(|v| v.to_f64()), edges, &mut counts),
            }
            return Ok((counts, sums));
        }
        let mut k = 0usize;
        let mut bad: Option<i128> = None;
        each::<T>(x, |v| {
            let bin = match &self.bins {
                Bins::Int { n } => {
                    let iv = int_of(v);
                    match bin_of_int(*n, iv) {
                        Ok(b) => Some(b),
                        Err(e) => {
                            bad.get_or_insert(e);
                            None
                        }
                    }
                }
                bins => bin_of(bins, v.to_f64()),
            };
            if let Some(b) = bin {
                match w {
                    Some(w) => sums[b] += w[k],
                    None => counts[b] += 1,
                }
            }
            k += 1;
        });
        if let Some(v) = bad {
            let n = self.bins.len();
            if v < 0 {
                bail!(Value, &self.name, "'list' argument must have no negative elements (found {v})");
            }
            bail!(Value, &self.name, "value {v} is not below minlength={n}: tessera's output length is fixed by minlength (the data's maximum is not known when the expression is built)");
        }
        Ok((counts, sums))
    }
}

/// An integer element's value (bincount reads integers; a value beyond 2**53 is out of
/// any possible minlength either way).
fn int_of<T: Element>(v: T) -> i128 {
    v.to_f64() as i128
}

impl BlockKernel for CountKernel {
    fn name(&self) -> &str {
        &self.name
    }
    fn call(&self, ctx: &BlockCtx, args: Vec<KernelArg>) -> Result<Block> {
        let x = &args[0].blocks[0];
        let w: Option<Vec<f64>> = args.get(1).map(|a| {
            let b = &a.blocks[0];
            tessera_core::with_dtype!(b.dtype(), T => b.to_vec::<T>().into_iter().map(|v| v.to_f64()).collect())
        });
        let (counts, sums) = tessera_core::with_dtype!(x.dtype(), T => self.count::<T>(x, w.as_deref())?);
        let shape = ctx.shape.to_vec();
        Ok(match self.out {
            DType::I64 => Block::from_vec(shape, counts),
            DType::F64 => Block::from_vec(shape, sums),
            other => return Err(err!(Internal, &self.name, "counts of dtype {other}")),
        })
    }
}

/// Per-block counts of `x` (and `weights`, of `x`'s shape and chunks) into `bins`: an
/// array of `x`'s block grid (every axis of length 1 per block) plus a last axis of bins;
/// int64 counts, or float64 sums of weights.
pub fn block_counts(x: &Array, weights: Option<&Array>, bins: Bins, name: &str) -> Result<Array> {
    if bins.is_empty() {
        bail!(Value, name, "there must be at least one bin");
    }
    if let Some(w) = weights {
        if w.shape() != x.shape() {
            bail!(Value, name, "weights should have the same shape as a: {:?} and {:?}", w.shape(), x.shape());
        }
    }
    let nd = x.ndim() as u32;
    let ind: Vec<u32> = (0..nd).collect();
    let mut out = ind.clone();
    out.push(nd);
    let nbins = bins.len();
    let adjust: Vec<(u32, Vec<usize>)> = (0..x.ndim()).map(|a| (a as u32, vec![1; x.chunks()[a].nblocks()])).collect();
    let dtype = if weights.is_some() { DType::F64 } else { DType::I64 };
    let kernel = Arc::new(CountKernel { name: name.to_string(), bins, out: dtype });
    let mut args = vec![(x.expr().clone(), ind.clone())];
    if let Some(w) = weights {
        let w = if w.chunks() == x.chunks() { w.clone() } else { w.rechunk(tessera_core::chunks::ChunkSpec::PerAxis(x.chunks().iter().map(|c| tessera_core::chunks::AxisSpec::Blocks(c.sizes().iter().map(|&s| s as i64).collect())).collect()))? };
        args.push((w.expr().clone(), ind.clone()));
    }
    let new_axes = [(nd, vec![nbins])];
    bw::blockwise(Blockwise { op: name, kernel, out: &out, args: &args, new_axes: &new_axes, adjust_chunks: &adjust, dtype, concatenate: false, align: false }).map(Array::from_expr)
}
