//! `cumsum`, `cumprod`, `nancumsum` and `nancumprod` of numeric dtypes (see `tessera._scans`;
//! other dtypes and user functions go through NumPy block functions there).

use crate::{dtype_from_name, guard, wrap, CoreArray};
use pyo3::prelude::*;

#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub fn cumulative(x: &CoreArray, axis: usize, prod: bool, skip_nan: bool, dtype: &str, blelloch: bool, name: &str) -> PyResult<CoreArray> {
    let d = dtype_from_name(dtype)?;
    guard(|| tessera::scan::cumulative(&x.inner, axis, prod, skip_nan, d, blelloch, name)).map(wrap)
}
