//! Order statistics of the core (see `tessera._order`): `topk`/`argtopk`.

use crate::{guard, wrap, CoreArray};
use pyo3::prelude::*;

#[pyfunction]
pub fn topk(x: &CoreArray, k: i64, axis: usize, arg: bool) -> PyResult<CoreArray> {
    guard(|| tessera::topk::topk(&x.inner, k, axis, arg)).map(wrap)
}
