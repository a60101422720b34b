//! Products and contractions on arrays (feature `linalg`): `matmul`, `dot`, `tensordot`,
//! `inner`, `outer`, `vdot`, `vecdot` and `einsum`, each task one GEMM on faer (sequential,
//! so the bits never depend on the thread count) and a sum over the contracted blocks.

use crate::Array;
use tessera_core::contract::{self, parse_subscripts, Einsum};
use tessera_core::products as p;
use tessera_core::{DType, Result};
use tessera_linalg::contract_kernel;

impl Array {
    /// `self @ other` (NumPy's `matmul`: stacks of matrices broadcast, 1-d operands are
    /// vectors).
    pub fn matmul(&self, other: &Array) -> Result<Array> {
        p::matmul(self.expr(), other.expr(), &contract_kernel, None).map(Array::from_expr)
    }
    /// NumPy's `dot`.
    pub fn dot(&self, other: &Array) -> Result<Array> {
        p::dot(self.expr(), other.expr(), &contract_kernel, None).map(Array::from_expr)
    }
    /// NumPy's `inner`.
    pub fn inner(&self, other: &Array) -> Result<Array> {
        p::inner(self.expr(), other.expr(), &contract_kernel, None).map(Array::from_expr)
    }
    /// NumPy's `outer`.
    pub fn outer(&self, other: &Array) -> Result<Array> {
        p::outer(self.expr(), other.expr(), &contract_kernel).map(Array::from_expr)
    }
    /// NumPy's `vdot` (real dtypes).
    pub fn vdot(&self, other: &Array) -> Result<Array> {
        p::vdot(self.expr(), other.expr(), &contract_kernel, None).map(Array::from_expr)
    }
    /// NumPy's `vecdot` along `axis` (real dtypes).
    pub fn vecdot(&self, other: &Array, axis: isize) -> Result<Array> {
        p::vecdot(self.expr(), other.expr(), axis, &contract_kernel, None).map(Array::from_expr)
    }
}

/// NumPy's `tensordot(a, b, axes=(axes_a, axes_b))`.
pub fn tensordot(a: &Array, b: &Array, axes_a: &[isize], axes_b: &[isize]) -> Result<Array> {
    p::tensordot(a.expr(), b.expr(), axes_a, axes_b, &contract_kernel, None).map(Array::from_expr)
}

/// NumPy's `einsum` with subscripts such as `"ij,jk->ik"` or `"...ij,...jk"`; operands
/// are contracted pairwise from the left.
pub fn einsum(subscripts: &str, operands: &[&Array]) -> Result<Array> {
    einsum_with(subscripts, operands, None, None, None)
}

/// `einsum` with a contraction order (NumPy's `einsum_path` steps), a result dtype and
/// the fan-in of the sums over contracted blocks.
pub fn einsum_with(subscripts: &str, operands: &[&Array], path: Option<Vec<Vec<usize>>>, dtype: Option<DType>, split_every: Option<usize>) -> Result<Array> {
    let ndims: Vec<usize> = operands.iter().map(|a| a.ndim()).collect();
    let (labels, out) = parse_subscripts("einsum", subscripts, &ndims)?;
    let operands = operands.iter().zip(labels).map(|(a, l)| (a.expr().clone(), l)).collect();
    contract::einsum(Einsum { op: "einsum", operands, out, path, dtype, split_every, kernel: &contract_kernel }).map(Array::from_expr)
}
