//! Reading and writing a region as elements of tessera's dtypes.

use crate::zarr::ZarrArray;
use std::ops::Range;
use tessera_core::{Block, DType, Error, ErrorKind, Result};
use zarrs::array::{ArrayBytes, ArraySubset, CodecOptions};

/// zarrs' options for one task: no threads of its own (tessera's workers are the threads).
fn options() -> CodecOptions {
    let mut o = CodecOptions::default();
    o.set_concurrent_target(1);
    o
}

fn subset(region: &[Range<usize>]) -> ArraySubset {
    let r: Vec<Range<u64>> = region.iter().map(|r| r.start as u64..r.end as u64).collect();
    ArraySubset::new_with_ranges(&r)
}

macro_rules! by_dtype {
    ($dt:expr, $T:ident => $body:expr, $other:expr) => {
        match $dt {
            DType::Bool => { type $T = bool; $body }
            DType::I8 => { type $T = i8; $body }
            DType::I16 => { type $T = i16; $body }
            DType::I32 => { type $T = i32; $body }
            DType::I64 => { type $T = i64; $body }
            DType::U8 => { type $T = u8; $body }
            DType::U16 => { type $T = u16; $body }
            DType::U32 => { type $T = u32; $body }
            DType::U64 => { type $T = u64; $body }
            DType::F32 => { type $T = f32; $body }
            DType::F64 => { type $T = f64; $body }
            #[allow(unreachable_patterns)]
            _ => $other,
        }
    };
}

/// C-order element strides of `shape`.
fn strides(shape: &[usize]) -> Vec<usize> {
    let mut s = vec![1; shape.len()];
    for a in (0..shape.len().saturating_sub(1)).rev() {
        s[a] = s[a + 1] * shape[a + 1];
    }
    s
}

/// The decoded bytes of `region` in C order. Unsharded chunks are decoded whole (zarrs'
/// partial decoders skip crc32c checksums and read truncated chunks only in part), and the
/// region's part of each copied out; a region that is one whole chunk is that chunk's
/// bytes, without a copy. Sharded arrays go through zarrs' subset reads, which decode
/// only the inner chunks the region needs.
fn region_bytes(z: &ZarrArray, region: &[Range<usize>]) -> std::result::Result<Vec<u8>, zarrs::array::ArrayError> {
    let sub = subset(region);
    let fixed = |b: ArrayBytes<'static>| -> std::result::Result<Vec<u8>, zarrs::array::ArrayError> {
        b.into_fixed().map(|b| b.into_owned()).map_err(|e| zarrs::array::ArrayError::Other(e.to_string()))
    };
    let grid = z.array.chunks_in_array_subset(&sub).ok().flatten();
    let Some(grid) = grid.filter(|_| !z.sharded && !region.is_empty()) else {
        return fixed(z.array.retrieve_array_subset_opt::<ArrayBytes<'static>>(&sub, &options())?);
    };
    let ndim = region.len();
    let size = z.dtype.size();
    let out_shape: Vec<usize> = region.iter().map(|r| r.end - r.start).collect();
    let n: usize = out_shape.iter().product();
    if n == 0 {
        return Ok(Vec::new());
    }
    let first: Vec<u64> = grid.start().to_vec();
    if grid.num_elements() == 1 && z.array.chunk_subset(&first)? == sub {
        return fixed(z.array.retrieve_chunk_opt::<ArrayBytes<'static>>(&first, &options())?);
    }
    let mut out = vec![0u8; n * size];
    let out_strides = strides(&out_shape);
    let gstart = grid.start().to_vec();
    let gshape = grid.shape().to_vec();
    let mut idx = gstart.clone();
    'chunks: loop {
        let cs = z.array.chunk_subset(&idx)?;
        let cstart: Vec<usize> = cs.start().iter().map(|&v| v as usize).collect();
        let cshape: Vec<usize> = cs.shape().iter().map(|&v| v as usize).collect();
        let bytes = fixed(z.array.retrieve_chunk_opt::<ArrayBytes<'static>>(&idx, &options())?)?;
        // The intersection of the chunk and the region, as ranges in array coordinates.
        let lo: Vec<usize> = (0..ndim).map(|a| cstart[a].max(region[a].start)).collect();
        let hi: Vec<usize> = (0..ndim).map(|a| (cstart[a] + cshape[a]).min(region[a].end)).collect();
        if (0..ndim).all(|a| lo[a] < hi[a]) {
            let c_strides = strides(&cshape);
            let run = (hi[ndim - 1] - lo[ndim - 1]) * size;
            let mut pos = lo.clone();
            loop {
                let src: usize = (0..ndim).map(|a| (pos[a] - cstart[a]) * c_strides[a]).sum::<usize>() * size;
                let dst: usize = (0..ndim).map(|a| (pos[a] - region[a].start) * out_strides[a]).sum::<usize>() * size;
                out[dst..dst + run].copy_from_slice(&bytes[src..src + run]);
                // The next run: an odometer over every axis but the last.
                let mut a = ndim - 1;
                let mut done = true;
                while a > 0 {
                    a -= 1;
                    pos[a] += 1;
                    if pos[a] < hi[a] {
                        done = false;
                        break;
                    }
                    pos[a] = lo[a];
                }
                if done {
                    break;
                }
            }
        }
        // The next chunk.
        let mut a = ndim;
        loop {
            if a == 0 {
                break 'chunks;
            }
            a -= 1;
            idx[a] += 1;
            if idx[a] < gstart[a] + gshape[a] {
                break;
            }
            idx[a] = gstart[a];
        }
    }
    Ok(out)
}

/// The elements of `region` as a C-contiguous block: the decoded bytes themselves when
/// they are aligned for the dtype (no copy), else a typed copy.
pub fn read_region(z: &ZarrArray, op: &str, region: &[Range<usize>]) -> Result<Block> {
    let shape: Vec<usize> = region.iter().map(|r| r.end - r.start).collect();
    let fail = |e: zarrs::array::ArrayError| Error::new(ErrorKind::Io, op, format!("{} (region {:?}): {e}", z.describe(), region));
    let raw: Vec<u8> = region_bytes(z, region).map_err(fail)?;
    let n: usize = shape.iter().product();
    by_dtype!(z.dtype, T => {
        if raw.len() != n * std::mem::size_of::<T>() {
            return Err(Error::new(ErrorKind::Io, op, format!("{} (region {:?}): decoded {} bytes, expected {}", z.describe(), region, raw.len(), n * std::mem::size_of::<T>())));
        }
        if n > 0 && (raw.as_ptr() as usize) % std::mem::align_of::<T>() == 0 {
            let strides = tessera_core::block::c_strides(&shape);
            let ptr = raw.as_ptr();
            // SAFETY: `raw` holds `n` elements of `T` (checked length, aligned), in C order
            // for `shape`; zarrs decoded them from the array's data type, which is `T`'s
            // (bools as 0/1 bytes); `keep` owns `raw`, whose heap buffer does not move.
            return Ok(unsafe { Block::foreign(ptr, z.dtype, shape, strides, 0, Box::new(raw)) });
        }
        let mut v: Vec<T> = Vec::with_capacity(n);
        // SAFETY: as above, the bytes are `n` valid elements of `T`; copied into aligned memory.
        unsafe {
            std::ptr::copy_nonoverlapping(raw.as_ptr(), v.as_mut_ptr() as *mut u8, raw.len());
            v.set_len(n);
        }
        Ok(Block::from_vec(shape, v))
    }, Err(Error::new(ErrorKind::DType, op, format!("{}: dtype {} is not supported", z.describe(), z.dtype.name()))))
}

/// Writes `block` to `region` (same shape).
pub fn write_region(z: &ZarrArray, op: &str, region: &[Range<usize>], block: &Block) -> Result<()> {
    let sub = subset(region);
    let fail = |e: zarrs::array::ArrayError| Error::new(ErrorKind::Io, op, format!("{} (region {:?}): {e}", z.describe(), region));
    if block.dtype() != z.dtype {
        return Err(Error::new(ErrorKind::DType, op, format!("{}: a {} block cannot be written to a {} array", z.describe(), block.dtype().name(), z.dtype.name())));
    }
    by_dtype!(z.dtype, T => {
        let owned;
        let data: &[T] = match block.as_slice::<T>() {
            Some(s) => s,
            None => { owned = block.to_vec::<T>(); &owned }
        };
        z.array.store_array_subset_opt(&sub, data, &options()).map_err(fail)
    }, Err(Error::new(ErrorKind::DType, op, format!("{}: dtype {} is not supported", z.describe(), z.dtype.name()))))
}
