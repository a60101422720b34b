//! `topk` and `argtopk`: the |k| largest (k > 0, descending) or smallest (k < 0,
//! ascending) values along an axis, or their indices. Two block-kernel stages: every block
//! keeps its own best |k| (one pass with a heap; the source is computed inside the task),
//! then one task per row of blocks merges the concatenated candidates (with `split_every`,
//! a tree as Dask's: groups of that many blocks' candidates are merged into one block's
//! worth first, level by level, so no task holds more than `split_every` blocks' worth of
//! candidates; the values are the same for any tree). NaN sorts last, as
//! in NumPy; equal values go to the smaller index, so results never depend on threads.

use crate::Array;
use std::sync::Arc;
use tessera_core::blockwise::{self as bw, Blockwise};
use tessera_core::build::rechunk_to;
use tessera_core::chunks::AxisChunks;
use tessera_core::kernel::{BlockCtx, BlockKernel, KernelArg};
use tessera_core::{bail, Block, DType, Element, Result};
use tessera_kernels::select::{select, select_slice};

#[derive(Debug)]
struct TopkKernel {
    name: String,
    k: i64,
    axis: usize,
    arg: bool,
    /// First stage: the start of every block along the axis (for global indices).
    starts: Vec<usize>,
    /// Merges: the candidates each block sent, per output block along the axis (empty in
    /// the first stage; one list in the final merge).
    parts: Vec<Vec<usize>>,
    /// A merge whose output is candidates again (a level of the `split_every` tree).
    combine: bool,
    /// The input's dtype.
    value: DType,
}

/// A value's bits in an i64 (argtopk's candidates carry values and indices in one block).
fn to_bits<T: Element>(v: T) -> i64 {
    let mut u = 0u64;
    // SAFETY: T is a plain-old-data element of at most 8 bytes; its bytes are copied into u.
    unsafe { std::ptr::copy_nonoverlapping(&v as *const T as *const u8, &mut u as *mut u64 as *mut u8, std::mem::size_of::<T>()) };
    u as i64
}

fn from_bits<T: Element>(b: i64) -> T {
    let u = b as u64;
    let mut v = T::default();
    // SAFETY: the bytes were made by `to_bits` from a value of type T.
    unsafe { std::ptr::copy_nonoverlapping(&u as *const u64 as *const u8, &mut v as *mut T as *mut u8, std::mem::size_of::<T>()) };
    v
}

impl TopkKernel {
    fn run<T: Element>(&self, ctx: &BlockCtx, b: &Block) -> Result<Block> {
        let shape = b.shape();
        let (outer, n, inner) = (shape[..self.axis].iter().product::<usize>(), shape[self.axis], shape[self.axis + 1..].iter().product::<usize>());
        let (largest, kk) = (self.k > 0, self.k.unsigned_abs() as usize);
        let first = self.parts.is_empty();
        let parts: &[usize] = if first { &[] } else { &self.parts[if self.combine { ctx.block_id[self.axis] } else { 0 }] };
        // argtopk's merges read i64 candidates: value bits (of T) and indices
        let merge_arg = self.arg && !first;
        let vals: std::borrow::Cow<'_, [T]> = if merge_arg {
            std::borrow::Cow::Owned(Vec::new())
        } else {
            b.as_slice::<T>().map_or_else(|| std::borrow::Cow::Owned(b.to_vec::<T>()), std::borrow::Cow::Borrowed)
        };
        let bits: Vec<i64> = if merge_arg { b.to_vec::<i64>() } else { Vec::new() };
        let want = if first { kk.min(n) } else if self.combine { kk.min(parts.iter().sum()) } else { kk };
        // One result row per (outer, inner) position: values, or i64s (indices; in
        // argtopk's first stage value bits then indices).
        let per = ctx.shape[self.axis];
        let mut rows_t: Vec<T> = Vec::new();
        let mut rows_i: Vec<i64> = Vec::new();
        for o in 0..outer {
            for j in 0..inner {
                let at = |i: usize| (o * n + i) * inner + j;
                let (v, idx) = if first && inner == 1 {
                    select_slice(&vals[o * n..(o + 1) * n], self.starts[ctx.block_id[self.axis]], want, largest)
                } else if first {
                    let off = self.starts[ctx.block_id[self.axis]];
                    select((0..n).map(|i| (vals[at(i)], off + i)), want, largest)
                } else if self.arg {
                    // candidates: per block, m value bits then m indices
                    let mut cands = Vec::with_capacity(n / 2);
                    let mut p = 0;
                    for &m in parts {
                        for q in 0..m {
                            cands.push((from_bits::<T>(bits[at(p + q)]), bits[at(p + m + q)] as usize));
                        }
                        p += 2 * m;
                    }
                    select(cands.into_iter(), want, largest)
                } else {
                    select((0..n).map(|i| (vals[at(i)], i)), want, largest)
                };
                match (self.arg, first || self.combine) {
                    (false, _) => rows_t.extend_from_slice(&v),
                    (true, true) => {
                        rows_i.extend(v.iter().map(|&x| to_bits(x)));
                        rows_i.extend(idx.iter().map(|&i| i as i64));
                    }
                    (true, false) => rows_i.extend(idx.iter().map(|&i| i as i64)),
                }
            }
        }
        // rows are [outer, inner] × per: lay them out along the axis
        let at = |o: usize, i: usize, j: usize| (o * inner + j) * per + i;
        let order = (0..outer).flat_map(|o| (0..per).flat_map(move |i| (0..inner).map(move |j| (o, i, j))));
        Ok(if self.arg {
            Block::from_vec(ctx.shape.to_vec(), order.map(|(o, i, j)| rows_i[at(o, i, j)]).collect::<Vec<i64>>())
        } else {
            Block::from_vec(ctx.shape.to_vec(), order.map(|(o, i, j)| rows_t[at(o, i, j)]).collect::<Vec<T>>())
        })
    }
}

impl BlockKernel for TopkKernel {
    fn name(&self) -> &str {
        &self.name
    }
    fn call(&self, ctx: &BlockCtx, args: Vec<KernelArg>) -> Result<Block> {
        tessera_core::with_dtype!(self.value, T => self.run::<T>(ctx, &args[0].blocks[0]))
    }
}

/// `topk` (`arg` false) or `argtopk` of `x` along `axis`; `split_every` (at least 2): the
/// merge tree's fan-in (None: one merge of every block's candidates).
pub fn topk(x: &Array, k: i64, axis: usize, arg: bool, split_every: Option<usize>) -> Result<Array> {
    let name = if arg { "argtopk" } else { "topk" };
    if axis >= x.ndim() {
        bail!(Axis, name, "axis {axis} is out of bounds for array of dimension {}", x.ndim());
    }
    let n = x.shape()[axis];
    let kk = k.unsigned_abs() as usize;
    if k == 0 || kk > n {
        bail!(Value, name, "k={k} must be nonzero and at most the length of axis {axis} ({n})");
    }
    let sizes = x.chunks()[axis].sizes();
    let starts: Vec<usize> = sizes.iter().scan(0, |s, &c| { let v = *s; *s += c; Some(v) }).collect();
    let mut parts: Vec<usize> = sizes.iter().map(|&c| kk.min(c)).collect();
    let ind: Vec<u32> = (0..x.ndim() as u32).collect();
    let sent = |m: &usize| if arg { 2 * m } else { *m };
    let first_dtype = if arg { DType::I64 } else { x.dtype() };
    let kernel = Arc::new(TopkKernel { name: name.to_string(), k, axis, arg, starts, parts: Vec::new(), combine: false, value: x.dtype() });
    let args = [(x.expr().clone(), ind.clone())];
    let adjust = [(axis as u32, parts.iter().map(sent).collect())];
    let mut cands = bw::blockwise(Blockwise { op: name, kernel, out: &ind, args: &args, new_axes: &[], adjust_chunks: &adjust, dtype: first_dtype, concatenate: false, align: false })?;
    if let Some(every) = split_every {
        let every = every.max(2);
        while parts.len() > every {
            // One block per group of `every` blocks' candidates, merged to at most |k|.
            let groups: Vec<Vec<usize>> = parts.chunks(every).map(|g| g.to_vec()).collect();
            let mut chunks = cands.meta.chunks.clone();
            chunks[axis] = AxisChunks::from_sizes(&groups.iter().map(|g| g.iter().map(sent).sum()).collect::<Vec<_>>());
            let joined = rechunk_to(&cands, chunks);
            let merged: Vec<usize> = groups.iter().map(|g| kk.min(g.iter().sum())).collect();
            let kernel = Arc::new(TopkKernel { name: format!("{name}-combine"), k, axis, arg, starts: Vec::new(), parts: groups, combine: true, value: x.dtype() });
            let args = [(joined, ind.clone())];
            let adjust = [(axis as u32, merged.iter().map(sent).collect())];
            cands = bw::blockwise(Blockwise { op: name, kernel, out: &ind, args: &args, new_axes: &[], adjust_chunks: &adjust, dtype: first_dtype, concatenate: false, align: false })?;
            parts = merged;
        }
    }
    // Merge: the axis is contracted (every block's candidates, joined) into a new axis of |k|.
    let mut out = ind.clone();
    out[axis] = x.ndim() as u32;
    let kernel = Arc::new(TopkKernel { name: format!("{name}-merge"), k, axis, arg, starts: Vec::new(), parts: vec![parts], combine: false, value: x.dtype() });
    let args = [(cands, ind)];
    let new_axes = [(x.ndim() as u32, vec![kk])];
    let dtype = if arg { DType::I64 } else { x.dtype() };
    bw::blockwise(Blockwise { op: name, kernel, out: &out, args: &args, new_axes: &new_axes, adjust_chunks: &[], dtype, concatenate: true, align: false }).map(Array::from_expr)
}
