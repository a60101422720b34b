//! NumPy's view of tessera's dtypes: descriptors, and owned buffers handed to NumPy without
//! a copy. float16 and complex have no `numpy::Element` of tessera's own types, so they
//! travel as a type of the same layout (u16 viewed as float16; numpy's Complex32/64).

use numpy::ndarray::{Array as NdArray, IxDyn};
use numpy::{Complex32, Complex64, PyArray, PyArrayDescr};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use tessera_core::numtypes::{c128, c64, f16};
use tessera_core::{Buffer, DType};

/// The NumPy dtype of `dt`.
pub fn descr<'py>(py: Python<'py>, dt: DType) -> PyResult<Bound<'py, PyArrayDescr>> {
    PyArrayDescr::new(py, dt.name())
}

/// `v` reinterpreted as a vector of `U`, without a copy.
///
/// # Safety
/// `T` and `U` must have the same size and alignment and every `T` bit pattern must be a
/// valid `U`.
unsafe fn retype<T, U>(v: Vec<T>) -> Vec<U> {
    assert!(std::mem::size_of::<T>() == std::mem::size_of::<U>() && std::mem::align_of::<T>() == std::mem::align_of::<U>());
    let mut v = std::mem::ManuallyDrop::new(v);
    Vec::from_raw_parts(v.as_mut_ptr() as *mut U, v.len(), v.capacity())
}

fn owned<'py, T: numpy::Element>(py: Python<'py>, shape: &[usize], v: Vec<T>) -> PyResult<Bound<'py, PyAny>> {
    let arr = NdArray::from_shape_vec(IxDyn(shape), v).map_err(|e| PyRuntimeError::new_err(format!("compute: {e}")))?;
    Ok(PyArray::from_owned_array(py, arr).into_any())
}

/// A NumPy array owning `buf` (C order, `shape`).
pub fn buffer_to_numpy<'py>(py: Python<'py>, shape: &[usize], buf: Buffer) -> PyResult<Bound<'py, PyAny>> {
    match buf {
        Buffer::Bool(v) => owned(py, shape, v),
        Buffer::I8(v) => owned(py, shape, v),
        Buffer::I16(v) => owned(py, shape, v),
        Buffer::I32(v) => owned(py, shape, v),
        Buffer::I64(v) => owned(py, shape, v),
        Buffer::U8(v) => owned(py, shape, v),
        Buffer::U16(v) => owned(py, shape, v),
        Buffer::U32(v) => owned(py, shape, v),
        Buffer::U64(v) => owned(py, shape, v),
        Buffer::F32(v) => owned(py, shape, v),
        Buffer::F64(v) => owned(py, shape, v),
        // SAFETY (all three): `f16` is a transparent u16; `Complex<T>` is `repr(C)` {re, im},
        // the layout of num-complex's `Complex<T>`.
        Buffer::F16(v) => owned(py, shape, unsafe { retype::<f16, u16>(v) })?.call_method1("view", (descr(py, DType::F16)?,)),
        Buffer::C64(v) => owned(py, shape, unsafe { retype::<c64, Complex32>(v) }),
        Buffer::C128(v) => owned(py, shape, unsafe { retype::<c128, Complex64>(v) }),
    }
}
