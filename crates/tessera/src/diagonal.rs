//! Diagonals as views (no copy): `diagonal`, as NumPy's.

use crate::Array;
use tessera_core::Result;

impl Array {
    /// NumPy's `diagonal(offset, axis1, axis2)`: the diagonal becomes the last axis.
    pub fn diagonal(&self, offset: isize, axis1: isize, axis2: isize) -> Result<Array> {
        // Each axis alone: NumPy's error for axis1 == axis2 is diagonal's own ValueError.
        let nd = self.expr().meta.ndim().max(2);
        let a = tessera_core::build::normalize_axes("diagonal", &[axis1], nd)?[0];
        let b = tessera_core::build::normalize_axes("diagonal", &[axis2], nd)?[0];
        tessera_core::diagonal::diagonal(self.expr(), offset as i64, a, b).map(Array::from_expr)
    }
}
