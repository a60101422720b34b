//! Block kernels of selections whose sizes depend on data (`x[mask]` with a lazy mask):
//! the number of set elements of a mask block (phase 1: the output's chunk sizes), and a
//! block compressed along one axis by a 1-d mask (phase 2). See `tessera._unknown`.

use crate::block::{Block, Element};
use crate::blockwise::{self as bw, Blockwise};
use crate::dtype::DType;
use crate::graph::Expr;
use crate::kernel::FnKernel;
use crate::Result;
use std::sync::Arc;

/// The number of nonzero elements of a block, any dtype (NaN counts, as in NumPy).
pub fn count_nonzero(b: &Block) -> i64 {
    crate::with_dtype!(b.dtype(), T => count_typed::<T>(b))
}

fn count_typed<T: Element>(b: &Block) -> i64 {
    let zero = T::default();
    let count = |s: &[T]| s.iter().map(|&v| (v != zero) as i64).sum::<i64>();
    match b.as_slice::<T>() {
        Some(s) => count(s),
        None => count(&b.to_vec::<T>()),
    }
}

/// The elements of `x` whose index along `axis` is set in the 1-d `mask` (`np.compress`).
pub fn compress(x: &Block, mask: &Block, axis: usize) -> Block {
    let m: Vec<bool> = match mask.as_slice::<bool>() {
        Some(s) => s.to_vec(),
        None => mask.to_vec::<bool>(),
    };
    crate::with_dtype!(x.dtype(), T => compress_typed::<T>(x, &m, axis))
}

fn compress_typed<T: Element>(x: &Block, m: &[bool], axis: usize) -> Block {
    let shape = x.shape();
    let n = shape[axis];
    let outer: usize = shape[..axis].iter().product();
    let inner: usize = shape[axis + 1..].iter().product();
    let kept = m.iter().filter(|&&b| b).count();
    let mut out_shape = shape.to_vec();
    out_shape[axis] = kept;
    let owned;
    let src: &[T] = match x.as_slice::<T>() {
        Some(s) => s,
        None => {
            owned = x.to_vec::<T>();
            &owned
        }
    };
    let total = outer * kept * inner;
    if inner == 1 {
        // Branchless: write every element, advance only past kept ones (one spare slot).
        // Fresh memory asks for huge pages: 4 KiB page faults would cost more than the copy.
        let mut out = crate::block::try_zeroed_vec::<T>(total + 1).unwrap_or_else(|| vec![T::default(); total + 1]);
        let mut k = 0usize;
        for o in 0..outer {
            let row = &src[o * n..(o + 1) * n];
            for (v, &keep) in row.iter().zip(m) {
                out[k] = *v;
                k += keep as usize;
            }
        }
        out.truncate(total);
        return Block::from_vec(out_shape, out);
    }
    let mut out: Vec<T> = Vec::with_capacity(total);
    {
        for o in 0..outer {
            for (i, _) in m.iter().enumerate().filter(|(_, &b)| b) {
                let at = (o * n + i) * inner;
                out.extend_from_slice(&src[at..at + inner]);
            }
        }
    }
    Block::from_vec(out_shape, out)
}

/// One int64 per block of the 1-d `mask`: its number of nonzero elements.
pub fn block_counts(mask: &Expr, name: &str) -> Result<Expr> {
    let nb = mask.meta.chunks[0].nblocks();
    let kernel = Arc::new(FnKernel {
        name: name.to_string(),
        f: |_ctx: &crate::kernel::BlockCtx, args: Vec<crate::kernel::KernelArg>| {
            Ok(Block::from_vec(vec![1], vec![count_nonzero(&args[0].blocks[0])]))
        },
    });
    let adjust = vec![(0u32, vec![1usize; nb])];
    bw::blockwise(Blockwise {
        op: name,
        kernel,
        out: &[0],
        args: &[(mask.clone(), vec![0])],
        new_axes: &[],
        adjust_chunks: &adjust,
        dtype: DType::I64,
        concatenate: false,
        align: false,
    })
}

/// `x` compressed along `axis` by the 1-d bool `mask` chunked as that axis, each block to
/// `sizes[i]` elements there (phase 1's counts).
pub fn compress_blocks(x: &Expr, mask: &Expr, axis: usize, sizes: Vec<usize>, name: &str) -> Result<Expr> {
    let nd = x.meta.ndim();
    let out: Vec<u32> = (0..nd as u32).collect();
    let kernel = Arc::new(FnKernel {
        name: name.to_string(),
        f: move |_ctx: &crate::kernel::BlockCtx, args: Vec<crate::kernel::KernelArg>| {
            Ok(compress(&args[0].blocks[0], &args[1].blocks[0], axis))
        },
    });
    let adjust = vec![(axis as u32, sizes)];
    bw::blockwise(Blockwise {
        op: name,
        kernel,
        out: &out,
        args: &[(x.clone(), out.clone()), (mask.clone(), vec![axis as u32])],
        new_axes: &[],
        adjust_chunks: &adjust,
        dtype: x.meta.dtype,
        concatenate: false,
        align: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compress_matches_numpy_semantics() {
        let x = Block::from_vec(vec![2, 3], vec![1i32, 2, 3, 4, 5, 6]);
        let m = Block::from_vec(vec![3], vec![true, false, true]);
        let r = compress(&x, &m, 1);
        assert_eq!(r.shape(), &[2, 2]);
        assert_eq!(r.to_vec::<i32>(), vec![1, 3, 4, 6]);
        let m0 = Block::from_vec(vec![2], vec![false, true]);
        let r0 = compress(&x, &m0, 0);
        assert_eq!(r0.shape(), &[1, 3]);
        assert_eq!(r0.to_vec::<i32>(), vec![4, 5, 6]);
        assert_eq!(count_nonzero(&Block::from_vec(vec![3], vec![0.0f64, f64::NAN, -0.0])), 1);
    }
}

#[cfg(test)]
mod timing {
    use super::*;

    #[test]
    #[ignore]
    fn compress_speed() {
        let n = 10_000_000;
        let x = Block::from_vec(vec![n], (0..n).map(|i| i as f64).collect::<Vec<f64>>());
        let m = Block::from_vec(vec![n], vec![true; n]);
        for _ in 0..3 {
            let t = std::time::Instant::now();
            let r = compress(&x, &m, 0);
            eprintln!("compress {} in {:?}", r.len(), t.elapsed());
        }
    }
}
