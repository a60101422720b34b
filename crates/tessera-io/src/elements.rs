//! Reading and writing a region as elements of tessera's dtypes.

use crate::zarr::ZarrArray;
use std::ops::Range;
use tessera_core::{Block, DType, Error, ErrorKind, Result};
use zarrs::array::{ArraySubset, CodecOptions};

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

/// The elements of `region` as a C-contiguous block.
pub fn read_region(z: &ZarrArray, op: &str, region: &[Range<usize>]) -> Result<Block> {
    let shape: Vec<usize> = region.iter().map(|r| r.end - r.start).collect();
    let sub = subset(region);
    let fail = |e: zarrs::array::ArrayError| Error::new(ErrorKind::Io, op, format!("{} (region {:?}): {e}", z.describe(), region));
    by_dtype!(z.dtype, T => {
        let v: Vec<T> = z.array.retrieve_array_subset_opt::<Vec<T>>(&sub, &options()).map_err(fail)?;
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
