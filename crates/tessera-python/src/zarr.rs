//! Zarr arrays through `tessera-io` (zarrs): open or create a store's array, read it as a
//! lazy array, write an array to it as a lazy array of acknowledgements.

use crate::{guard, wrap, CoreArray};
use pyo3::prelude::*;
use std::sync::Arc;
use tessera_core::chunks::AxisChunks;
use tessera_io::ZarrArray;

/// An open Zarr array (no data is read by opening it).
#[pyclass(frozen, module = "tessera._core")]
pub struct ZarrHandle {
    z: Arc<ZarrArray>,
}

#[pymethods]
impl ZarrHandle {
    #[getter]
    fn shape(&self) -> Vec<usize> {
        self.z.shape()
    }
    /// The storage chunk (the shard for sharded arrays).
    #[getter]
    fn chunk_shape(&self) -> Vec<usize> {
        self.z.chunk_shape()
    }
    #[getter]
    fn dtype(&self) -> String {
        self.z.dtype.name().to_string()
    }
    #[getter]
    fn zarr_format(&self) -> u8 {
        self.z.zarr_format()
    }
    #[getter]
    fn metadata(&self) -> String {
        self.z.metadata_json()
    }
    #[getter]
    fn describe(&self) -> String {
        self.z.describe()
    }
}

#[pyfunction]
pub fn zarr_open(py: Python<'_>, path: &str, component: &str) -> PyResult<ZarrHandle> {
    py.detach(|| guard(|| tessera_io::open_zarr(path, component))).map(|z| ZarrHandle { z })
}

#[pyfunction]
pub fn zarr_create(py: Python<'_>, path: &str, component: &str, metadata: &str, overwrite: bool) -> PyResult<ZarrHandle> {
    py.detach(|| guard(|| tessera_io::create_zarr(path, component, metadata, overwrite))).map(|z| ZarrHandle { z })
}

/// The lazy array of `handle` in `chunks` (block sizes per axis).
#[pyfunction]
pub fn zarr_read(handle: &ZarrHandle, chunks: Vec<Vec<usize>>) -> PyResult<CoreArray> {
    let chunks = chunks.iter().map(|c| AxisChunks::from_sizes(c)).collect();
    guard(|| tessera_io::read_zarr(handle.z.clone(), chunks).map(tessera::Array::from_expr)).map(wrap)
}

/// The lazy write of `x` into `handle` at `offset`: an array of acknowledgements.
#[pyfunction]
pub fn zarr_write(x: &Bound<'_, CoreArray>, handle: &ZarrHandle, offset: Vec<usize>) -> PyResult<CoreArray> {
    let e = x.get().inner.expr().clone();
    guard(|| tessera_io::write_zarr(&e, handle.z.clone(), &offset).map(tessera::Array::from_expr)).map(wrap)
}
