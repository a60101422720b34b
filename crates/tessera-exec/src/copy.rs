//! Copying strided blocks into place: rechunk pieces, reshapes and the assembled result.

use crate::{Input, Value};
use tessera_core::{Block, Buffer, DType, Element, Result};

/// The region `start..start + shape` (global coordinates) of an array, assembled from the
/// input blocks that overlap it (rechunk pieces, blocks joined along an axis).
pub fn assemble(dtype: DType, shape: Vec<usize>, start: &[usize], inputs: &[Input], op: &str) -> Result<Block> {
    let mut out = Buffer::try_zeros(dtype, shape.iter().product(), op)?;
    for input in inputs {
        let Value::Block(b) = &*input.value else { unreachable!("assembled inputs are blocks") };
        // The intersection of the input block with the region, in both frames.
        let lo: Vec<usize> = (0..shape.len()).map(|a| start[a].max(input.start[a])).collect();
        let hi: Vec<usize> = (0..shape.len()).map(|a| (start[a] + shape[a]).min(input.start[a] + b.shape()[a])).collect();
        if lo.iter().zip(&hi).any(|(l, h)| l >= h) {
            continue;
        }
        let offset: isize = (0..shape.len()).map(|a| (lo[a] - input.start[a]) as isize * b.strides()[a]).sum();
        let piece = b.restride(lo.iter().zip(&hi).map(|(l, h)| h - l).collect(), b.strides().to_vec(), offset);
        let origin: Vec<usize> = (0..shape.len()).map(|a| lo[a] - start[a]).collect();
        copy_into(&mut out, &shape, &origin, &piece);
    }
    Ok(Block::from_buffer(shape, out))
}

/// Copies `src` into the C-contiguous `dst` (of shape `dst_shape`) at `origin`.
pub fn copy_into(dst: &mut Buffer, dst_shape: &[usize], origin: &[usize], src: &Block) {
    if src.is_empty() {
        return;
    }
    tessera_core::with_dtype!(src.dtype(), T => {
        let d = T::slice_mut(dst);
        assert!(d.len() >= dst_shape.iter().product::<usize>(), "copy_into: destination shorter than its shape");
        check_fits(dst_shape, origin, src);
        // SAFETY: `d` holds the whole destination array and is borrowed mutably here.
        unsafe { copy_typed::<T>(d.as_mut_ptr(), dst_shape, origin, src) }
    });
}

/// Copies `src` into the C-contiguous array of `dtype` and shape `dst_shape` at `dst`, at
/// `origin`; several threads may copy into disjoint regions of one array at once.
///
/// # Safety
/// `dst` must address `product(dst_shape)` writable elements of `dtype` (== `src`'s), and
/// no one may read or write the region `src` lands in while this runs.
pub unsafe fn copy_into_raw(dst: *mut u8, dtype: DType, dst_shape: &[usize], origin: &[usize], src: &Block) {
    assert_eq!(dtype, src.dtype(), "copy_into_raw: dtype");
    if src.is_empty() {
        return;
    }
    check_fits(dst_shape, origin, src);
    tessera_core::with_dtype!(dtype, T => unsafe { copy_typed::<T>(dst as *mut T, dst_shape, origin, src) });
}

fn check_fits(dst_shape: &[usize], origin: &[usize], src: &Block) {
    assert!(
        src.shape().iter().zip(origin).zip(dst_shape).all(|((&s, &o), &d)| o + s <= d) && src.ndim() == dst_shape.len(),
        "copy_into: a block of shape {:?} at {origin:?} does not fit in {dst_shape:?}",
        src.shape()
    );
}

/// # Safety
/// `dst` addresses the C-contiguous `dst_shape` array, which `src` at `origin` fits in.
unsafe fn copy_typed<T: Element>(dst: *mut T, dst_shape: &[usize], origin: &[usize], src: &Block) {
    let nd = src.ndim();
    let dstrides = tessera_core::block::c_strides(dst_shape);
    if nd == 0 {
        // SAFETY: a 0-d block has one element; the destination has one too.
        unsafe { *dst = *src.ptr::<T>() };
        return;
    }
    let shape = src.shape();
    let sstrides = src.strides();
    let (n, sstep) = (shape[nd - 1], sstrides[nd - 1]);
    let base = src.ptr::<T>();
    let mut idx = vec![0usize; nd - 1];
    loop {
        let soff: isize = idx.iter().zip(sstrides).map(|(&i, &s)| i as isize * s).sum();
        let doff: isize = idx.iter().enumerate().map(|(a, &i)| (origin[a] + i) as isize * dstrides[a]).sum::<isize>() + origin[nd - 1] as isize;
        // SAFETY: the row lies inside the source view and (the block fits) the destination.
        unsafe {
            let d = std::slice::from_raw_parts_mut(dst.offset(doff), n);
            let p = base.offset(soff);
            if sstep == 1 {
                d.copy_from_slice(std::slice::from_raw_parts(p, n));
            } else {
                for (k, v) in d.iter_mut().enumerate() {
                    *v = *p.offset(k as isize * sstep);
                }
            }
        }
        let mut k = nd - 1;
        loop {
            if k == 0 {
                return;
            }
            k -= 1;
            idx[k] += 1;
            if idx[k] < shape[k] {
                break;
            }
            idx[k] = 0;
        }
    }
}
