//! Diagonals as views (no copy): `diagonal`, as NumPy's.

use crate::Array;
use tessera_core::Result;

impl Array {
    /// NumPy's `diagonal(offset, axis1, axis2)`: the diagonal becomes the last axis.
    pub fn diagonal(&self, offset: isize, axis1: isize, axis2: isize) -> Result<Array> {
        tessera_core::contract::diagonal(self.expr(), offset, axis1, axis2).map(Array::from_expr)
    }
}
