//! `tessera.fft`'s core: 1-d transforms along one axis (tessera-fft); the Python layer
//! composes them into numpy.fft's functions.

use crate::{guard, wrap, CoreArray};
use pyo3::prelude::*;
use tessera_fft::{Kind, Norm};

/// A 1-d transform named `op` of `x` along `axis` (already normalized): `kind` is "c2c",
/// "c2c_inverse", "r2c" or "c2r"; `n` the transform length; `norm` NumPy's.
#[pyfunction]
#[pyo3(signature = (x, op, kind, n, axis, norm=None))]
pub fn fft_axis(x: &CoreArray, op: &str, kind: &str, n: i64, axis: usize, norm: Option<&str>) -> PyResult<CoreArray> {
    let kind = match kind {
        "c2c" => Kind::C2C { inverse: false },
        "c2c_inverse" => Kind::C2C { inverse: true },
        "r2c" => Kind::R2C,
        "c2r" => Kind::C2R,
        other => return Err(pyo3::exceptions::PyValueError::new_err(format!("{op}: unknown transform kind {other:?}"))),
    };
    guard(|| {
        let norm = Norm::from_name(op, norm)?;
        if n < 1 {
            tessera_core::bail!(Value, op, "Invalid number of FFT data points ({n}) specified.");
        }
        tessera_fft::fft_axis(op, &x.inner, kind, n as usize, axis, norm)
    })
    .map(wrap)
}

/// `x` rechunked to one chunk along `axis`, memory-bounded (see `tessera_fft::whole_along`).
#[pyfunction]
pub fn whole_along(x: &CoreArray, axis: usize) -> PyResult<CoreArray> {
    guard(|| tessera_fft::whole_along(&x.inner, axis)).map(wrap)
}
