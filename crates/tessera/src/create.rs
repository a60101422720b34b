//! Creating arrays: from memory (no copy), constants and ranges (generated per chunk).

use crate::Array;
use tessera_core::build;
use tessera_core::chunks::ChunkSpec;
use tessera_core::graph::Generator;
use tessera_core::{bail, Block, DType, Element, Result, Scalar};

/// An array over in-memory data, split into `chunks` without copying.
pub fn from_block(block: Block, chunks: impl Into<ChunkSpec>) -> Result<Array> {
    Ok(Array::new(build::data(block, &chunks.into())?))
}

/// An array owning `data` (C order) with `shape`.
pub fn from_vec<T: Element>(shape: &[usize], data: Vec<T>, chunks: impl Into<ChunkSpec>) -> Result<Array> {
    let n: usize = shape.iter().product();
    if n != data.len() {
        bail!(Shape, "from_vec", "{} values cannot fill shape {:?} ({} elements)", data.len(), shape, n);
    }
    from_block(Block::from_vec(shape.to_vec(), data), chunks)
}

pub fn full(shape: &[usize], value: Scalar, dtype: DType, chunks: impl Into<ChunkSpec>) -> Result<Array> {
    let value = value.cast_to(dtype);
    Ok(Array::new(build::generate(Generator::Fill(value), shape, dtype, &chunks.into())?))
}

pub fn zeros(shape: &[usize], dtype: DType, chunks: impl Into<ChunkSpec>) -> Result<Array> {
    full(shape, Scalar::I64(0), dtype, chunks)
}

pub fn ones(shape: &[usize], dtype: DType, chunks: impl Into<ChunkSpec>) -> Result<Array> {
    full(shape, Scalar::I64(1), dtype, chunks)
}

/// Like NumPy's `empty`, but tessera fills with zeros (generating zeros costs nothing).
pub fn empty(shape: &[usize], dtype: DType, chunks: impl Into<ChunkSpec>) -> Result<Array> {
    zeros(shape, dtype, chunks)
}

/// `arange(start, stop, step)`: `ceil((stop - start) / step)` values.
pub fn arange(start: f64, stop: f64, step: f64, dtype: DType, chunks: impl Into<ChunkSpec>) -> Result<Array> {
    if step == 0.0 || !step.is_finite() {
        bail!(Value, "arange", "step must be finite and non-zero, got {step}");
    }
    let n = ((stop - start) / step).ceil().max(0.0) as usize;
    Ok(Array::new(build::generate(Generator::Range { start, step }, &[n], dtype, &chunks.into())?))
}

/// `linspace(start, stop, num, endpoint)` in float64.
pub fn linspace(start: f64, stop: f64, num: usize, endpoint: bool, chunks: impl Into<ChunkSpec>) -> Result<Array> {
    let gen = Generator::Linspace { start, stop, num, endpoint };
    Ok(Array::new(build::generate(gen, &[num], DType::F64, &chunks.into())?))
}

/// `where(cond, a, b)`.
pub fn where_(cond: &Array, a: &Array, b: &Array) -> Result<Array> {
    Ok(Array::new(build::where_(cond.expr(), a.expr(), b.expr())?))
}
