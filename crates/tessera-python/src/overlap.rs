//! `overlap`, `trim_internal`, `boundaries` and `ensure_minimum_chunksize` (see
//! `tessera.overlap`): the Python layer coerces Dask's depth and boundary forms to one
//! entry per axis; a boundary is `(kind, value)` with the constant already of the array's
//! dtype.

use crate::{fill_scalar, guard, wrap, CoreArray};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use tessera::Boundary;
use tessera_core::chunks::AxisChunks;

fn boundary(kind: &str, value: &Bound<'_, PyAny>) -> PyResult<Boundary> {
    Ok(match kind {
        "none" => Boundary::None,
        "reflect" => Boundary::Reflect,
        "periodic" => Boundary::Periodic,
        "nearest" => Boundary::Nearest,
        "constant" => Boundary::Constant(fill_scalar(value)?),
        other => return Err(PyValueError::new_err(tessera_core::regions::unknown_boundary(other).to_string())),
    })
}

fn boundaries_of(b: &[(String, Bound<'_, PyAny>)]) -> PyResult<Vec<Boundary>> {
    b.iter().map(|(k, v)| boundary(k, v)).collect()
}

#[pyfunction]
pub fn overlap(x: &CoreArray, depth: Vec<(usize, usize)>, boundary: Vec<(String, Bound<'_, PyAny>)>, allow_rechunk: bool) -> PyResult<CoreArray> {
    let b = boundaries_of(&boundary)?;
    guard(|| x.inner.overlap(&depth, &b, allow_rechunk)).map(wrap)
}

#[pyfunction]
pub fn trim_internal(x: &CoreArray, depth: Vec<(usize, usize)>, edges: Vec<bool>) -> PyResult<CoreArray> {
    guard(|| x.inner.trim_internal(&depth, &edges)).map(wrap)
}

#[pyfunction]
pub fn boundaries(x: &CoreArray, depth: Vec<usize>, boundary: Vec<(String, Bound<'_, PyAny>)>) -> PyResult<CoreArray> {
    let b = boundaries_of(&boundary)?;
    guard(|| x.inner.boundaries(&depth, &b)).map(wrap)
}

#[pyfunction]
pub fn ensure_minimum_chunksize(size: usize, chunks: Vec<usize>) -> PyResult<Vec<usize>> {
    guard(|| tessera_core::regions::ensure_minimum_chunksize(size, &AxisChunks::from_sizes(&chunks))).map(|c| c.sizes())
}
