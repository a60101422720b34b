//! Copying strided blocks into place: rechunk pieces, reshapes and the assembled result.

use tessera_core::{Block, Buffer, Element};

/// Copies `src` into the C-contiguous `dst` (of shape `dst_shape`) at `origin`.
pub fn copy_into(dst: &mut Buffer, dst_shape: &[usize], origin: &[usize], src: &Block) {
    if src.is_empty() {
        return;
    }
    tessera_core::with_dtype!(src.dtype(), T => copy_typed::<T>(T::slice_mut(dst), dst_shape, origin, src));
}

fn copy_typed<T: Element>(dst: &mut [T], dst_shape: &[usize], origin: &[usize], src: &Block) {
    let nd = src.ndim();
    let dstrides = tessera_core::block::c_strides(dst_shape);
    if nd == 0 {
        // SAFETY: a 0-d block has one element.
        dst[0] = unsafe { *src.ptr::<T>() };
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
        let d = &mut dst[doff as usize..doff as usize + n];
        // SAFETY: the row lies inside the source view.
        unsafe {
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
