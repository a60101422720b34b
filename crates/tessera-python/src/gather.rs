//! Gathers along one axis (see `tessera_core::gather`): `concatenate`, `take`, and runs
//! of coordinates from several arrays with a fill (`pad`, `roll`, `tile`, `repeat`, built
//! in `tessera._join`).

use crate::{fill_scalar, guard, wrap, CoreArray};
use numpy::PyReadonlyArray1;
use pyo3::prelude::*;
use tessera::Array;
use tessera_core::chunks::AxisChunks;
use tessera_core::gather::{self, Seg};

fn exprs(inputs: &[Bound<'_, CoreArray>]) -> Vec<tessera_core::graph::Expr> {
    inputs.iter().map(|x| x.get().inner.expr().clone()).collect()
}

#[pyfunction]
pub fn concatenate(inputs: Vec<Bound<'_, CoreArray>>, axis: usize) -> PyResult<CoreArray> {
    let xs = exprs(&inputs);
    guard(|| gather::concatenate(&xs, axis).map(Array::from_expr)).map(wrap)
}

/// `take` of in-bounds-or-negative `indices` along `axis`; `chunks` along it, else Dask-like.
#[pyfunction]
#[pyo3(signature = (x, indices, axis, chunks=None))]
pub fn take(x: &CoreArray, indices: PyReadonlyArray1<'_, i64>, axis: usize, chunks: Option<Vec<usize>>) -> PyResult<CoreArray> {
    let idx = indices.as_slice().map_err(|e| pyo3::exceptions::PyValueError::new_err(format!("take: {e}")))?;
    let chunks = chunks.map(|c| AxisChunks::from_sizes(&c));
    guard(|| gather::take(x.inner.expr(), idx, axis, chunks).map(Array::from_expr)).map(wrap)
}

/// Runs `(input, start, step, len)` (input -1 for the fill) laid end to end along `axis`.
#[pyfunction]
#[pyo3(signature = (name, inputs, axis, runs, chunks, fill=None))]
pub fn gather_runs(
    name: &str,
    inputs: Vec<Bound<'_, CoreArray>>,
    axis: usize,
    runs: Vec<(i64, i64, i64, usize)>,
    chunks: Vec<usize>,
    fill: Option<Bound<'_, PyAny>>,
) -> PyResult<CoreArray> {
    let xs = exprs(&inputs);
    let fill = fill.map(|f| fill_scalar(&f)).transpose()?;
    let segs = runs.into_iter().map(|(k, start, step, len)| if k < 0 { Seg::fill(len) } else { Seg::run(k as u32, start, step, len) }).collect();
    guard(|| gather::gather(name, &xs, axis, segs, fill, AxisChunks::from_sizes(&chunks)).map(Array::from_expr)).map(wrap)
}

#[pyfunction]
pub fn diagonal(x: &CoreArray, offset: i64, axis1: usize, axis2: usize) -> PyResult<CoreArray> {
    guard(|| tessera_core::diagonal::diagonal(x.inner.expr(), offset, axis1, axis2).map(Array::from_expr)).map(wrap)
}

/// `x[mask]` along `axis` for a 1-d boolean NumPy mask (see `gather::take_mask`).
#[pyfunction]
pub fn take_mask(x: &CoreArray, mask: PyReadonlyArray1<'_, bool>, axis: usize) -> PyResult<CoreArray> {
    let m = mask.as_slice().map_err(|e| pyo3::exceptions::PyValueError::new_err(format!("getitem: {e}")))?;
    guard(|| gather::take_mask(x.inner.expr(), m, axis).map(Array::from_expr)).map(wrap)
}

/// One int64 per block of the 1-d `mask`: its nonzero count (phase 1 of `x[mask]`).
#[pyfunction]
pub fn mask_block_counts(mask: &CoreArray, name: &str) -> PyResult<CoreArray> {
    guard(|| tessera_core::compress::block_counts(mask.inner.expr(), name).map(Array::from_expr)).map(wrap)
}

/// `x` compressed along `axis` by the 1-d bool `mask` (chunked as that axis), block `i`
/// keeping `sizes[i]` elements there (phase 2 of `x[mask]`).
#[pyfunction]
pub fn compress_blocks(x: &CoreArray, mask: &CoreArray, axis: usize, sizes: Vec<usize>, name: &str) -> PyResult<CoreArray> {
    guard(|| {
        tessera_core::compress::compress_blocks(x.inner.expr(), mask.inner.expr(), axis, sizes, name).map(Array::from_expr)
    })
    .map(wrap)
}
