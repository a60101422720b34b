//! NumPy's view of tessera's dtypes. (Results reach NumPy as arrays over tessera's own
//! buffers, `kernels::block_owned_array`, whatever the dtype.)

use numpy::PyArrayDescr;
use pyo3::prelude::*;
use tessera_core::DType;

/// The NumPy dtype of `dt`.
pub fn descr<'py>(py: Python<'py>, dt: DType) -> PyResult<Bound<'py, PyArrayDescr>> {
    PyArrayDescr::new(py, dt.name())
}

