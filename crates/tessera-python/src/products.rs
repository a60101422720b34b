//! Products and einsum (see `tessera._products`): the Python layer normalises NumPy's
//! argument forms; the label lists, checks and kernels are the core's.

use crate::{dtype_from_name, guard, wrap, CoreArray};
use pyo3::prelude::*;

#[pyfunction]
pub fn product(name: &str, a: &CoreArray, b: &CoreArray) -> PyResult<CoreArray> {
    guard(|| match name {
        "matmul" => a.inner.matmul(&b.inner),
        "dot" => a.inner.dot(&b.inner),
        "inner" => a.inner.inner(&b.inner),
        "outer" => a.inner.outer(&b.inner),
        "vdot" => a.inner.vdot(&b.inner),
        _ => tessera_core::bail!(Value, name, "not a product tessera knows"),
    })
    .map(wrap)
}

#[pyfunction]
pub fn vecdot(a: &CoreArray, b: &CoreArray, axis: isize) -> PyResult<CoreArray> {
    guard(|| a.inner.vecdot(&b.inner, axis)).map(wrap)
}

#[pyfunction]
pub fn tensordot(a: &CoreArray, b: &CoreArray, axes_a: Vec<isize>, axes_b: Vec<isize>) -> PyResult<CoreArray> {
    guard(|| tessera::tensordot(&a.inner, &b.inner, &axes_a, &axes_b)).map(wrap)
}

#[pyfunction]
#[pyo3(signature = (subscripts, operands, path=None, dtype=None, split_every=None))]
pub fn einsum(subscripts: &str, operands: Vec<Bound<'_, CoreArray>>, path: Option<Vec<Vec<usize>>>, dtype: Option<&str>, split_every: Option<usize>) -> PyResult<CoreArray> {
    let dtype = dtype.map(dtype_from_name).transpose()?;
    let ops: Vec<&tessera::Array> = operands.iter().map(|o| &o.get().inner).collect();
    guard(|| tessera::einsum_with(subscripts, &ops, path, dtype, split_every)).map(wrap)
}
