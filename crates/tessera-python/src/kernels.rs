//! User Python callables as block kernels: blocks reach the callable as read-only NumPy
//! views (no copy), and the NumPy array it returns becomes the block (no copy). The
//! callable's own exception travels through the core in the error's payload and is
//! re-raised unchanged in the caller.

use crate::{guard, wrap, CoreArray};
use numpy::npyffi::{self, npy_intp, PY_ARRAY_API};
use numpy::{PyArrayDescrMethods, PyUntypedArray, PyUntypedArrayMethods};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};
use std::sync::Arc;
use tessera::{Block, BlockCtx, BlockKernel, KernelArg};
use tessera_core::blockwise::{self as bw, Blockwise};

/// Keeps a block's memory alive while NumPy views of it exist.
#[pyclass(frozen, module = "tessera._core")]
struct BlockOwner {
    _block: Block,
}

/// A read-only NumPy view of `block`.
pub fn block_view<'py>(py: Python<'py>, block: &Block) -> PyResult<Bound<'py, PyAny>> {
    numpy_over(py, block, false)
}

/// A writeable NumPy array over a block that owns its memory alone (a computed result):
/// when NumPy frees the array, the block's buffer goes back to tessera's pool of freed
/// buffers (`tessera_core::block::pool`) for the next result.
pub fn block_owned_array<'py>(py: Python<'py>, block: Block) -> PyResult<Bound<'py, PyAny>> {
    debug_assert!(block.owns_its_memory());
    numpy_over(py, &block, true)
}

fn numpy_over<'py>(py: Python<'py>, block: &Block, writeable: bool) -> PyResult<Bound<'py, PyAny>> {
    let itemsize = block.dtype().size() as npy_intp;
    let mut dims: Vec<npy_intp> = block.shape().iter().map(|&d| d as npy_intp).collect();
    let mut strides: Vec<npy_intp> = block.strides().iter().map(|&s| s as npy_intp * itemsize).collect();
    let owner = Bound::new(py, BlockOwner { _block: block.clone() })?;
    tessera_core::with_dtype!(block.dtype(), T => {
        let data = if block.is_empty() { std::ptr::NonNull::<T>::dangling().as_ptr() as *const T } else { block.ptr::<T>() };
        // SAFETY: `data` with these dims and byte strides addresses the block's elements
        // (read-only unless the block is the only user of its memory); `owner` keeps them
        // alive as the array's base.
        unsafe {
            let arr = PY_ARRAY_API.PyArray_NewFromDescr(
                py,
                npyffi::get_type_object(py, npyffi::NpyTypes::PyArray_Type),
                crate::dtypes::descr(py, block.dtype())?.into_dtype_ptr(),
                dims.len() as std::os::raw::c_int,
                dims.as_mut_ptr(),
                strides.as_mut_ptr(),
                data as *mut std::ffi::c_void,
                if writeable { npyffi::NPY_ARRAY_WRITEABLE } else { 0 },
                std::ptr::null_mut(),
            );
            if arr.is_null() {
                return Err(PyErr::fetch(py));
            }
            let arr = Bound::from_owned_ptr(py, arr);
            if PY_ARRAY_API.PyArray_SetBaseObject(py, arr.as_ptr() as *mut npyffi::PyArrayObject, owner.into_ptr()) != 0 {
                return Err(PyErr::fetch(py));
            }
            Ok(arr)
        }
    })
}

/// A block over a NumPy array's memory, without a copy. The array must be aligned, in
/// native byte order, of a supported dtype, with strides that are whole elements.
pub fn block_of_numpy(arr: &Bound<'_, PyUntypedArray>, op: &str) -> PyResult<Block> {
    let descr = arr.dtype();
    let dt = crate::dtype_of_descr(&descr)?;
    if descr.is_native_byteorder() == Some(false) {
        return Err(PyValueError::new_err(format!("{op}: the array is not in native byte order")));
    }
    if !arr.is_aligned() {
        return Err(PyValueError::new_err(format!("{op}: the array is not aligned")));
    }
    let itemsize = dt.size() as isize;
    let shape = arr.shape().to_vec();
    let mut strides = Vec::with_capacity(shape.len());
    for (&s, &d) in arr.strides().iter().zip(&shape) {
        if d <= 1 {
            strides.push(0);
        } else if s % itemsize != 0 {
            return Err(PyValueError::new_err(format!("{op}: the array's strides are not whole elements")));
        } else {
            strides.push(s / itemsize);
        }
    }
    if shape.contains(&0) {
        strides.iter_mut().for_each(|s| *s = 0);
    }
    // SAFETY: the NumPy array is aligned, of dtype `dt`, and every index in `shape` with these
    // element strides addresses one of its elements; `keep` holds a reference to it, so its
    // memory stays valid while the block lives. (NumPy arrays are mutable: like Dask,
    // tessera reads the memory when it computes.)
    let ptr = unsafe { (*arr.as_array_ptr()).fields.data as *const u8 };
    let keep: Py<PyAny> = arr.clone().into_any().unbind();
    Ok(unsafe { Block::foreign(ptr, dt, shape, strides, 0, Box::new(keep)) })
}

/// A Python callable `task(block_id, args)` as a kernel: `args` holds one entry per array
/// argument, a NumPy view, or `(views, grid)` for blocks listed along contracted axes.
/// The callable returns a NumPy array of the output's dtype (the Python layer sees to it).
struct PyKernel {
    name: String,
    task: Py<PyAny>,
    /// A storage read (see `BlockKernel::rereadable`).
    rereadable: bool,
}

impl std::fmt::Debug for PyKernel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PyKernel({})", self.name)
    }
}

impl BlockKernel for PyKernel {
    fn name(&self) -> &str {
        &self.name
    }
    fn needs_gil(&self) -> bool {
        true
    }
    fn rereadable(&self) -> bool {
        self.rereadable
    }
    fn call(&self, ctx: &BlockCtx, args: Vec<KernelArg>) -> tessera::Result<Block> {
        self.call_task(ctx, args, |out| block_of_numpy(&out.cast_into::<PyUntypedArray>().map_err(PyErr::from)?, ctx.name))
    }
    /// The task returns a tuple of NumPy arrays, one per output.
    fn call_many(&self, ctx: &BlockCtx, _more: &[(Vec<usize>, tessera::DType)], args: Vec<KernelArg>) -> tessera::Result<Vec<Block>> {
        self.call_task(ctx, args, |out| {
            let items = out.cast_into::<PyTuple>().map_err(PyErr::from)?;
            items.iter().map(|a| block_of_numpy(&a.cast_into::<PyUntypedArray>().map_err(PyErr::from)?, ctx.name)).collect()
        })
    }
}

impl PyKernel {
    /// Calls the task with the blocks of `args` as NumPy views and reads its result with
    /// `read`; a Python exception becomes the error, carried unchanged.
    fn call_task<T>(&self, ctx: &BlockCtx, args: Vec<KernelArg>, read: impl FnOnce(Bound<'_, PyAny>) -> PyResult<T>) -> tessera::Result<T> {
        Python::attach(|py| {
            let run = || -> PyResult<T> {
                let items = PyList::empty(py);
                for a in &args {
                    if a.grid.is_empty() {
                        items.append(block_view(py, &a.blocks[0])?)?;
                    } else {
                        let views = a.blocks.iter().map(|b| block_view(py, b)).collect::<PyResult<Vec<_>>>()?;
                        items.append((PyList::new(py, views)?, PyTuple::new(py, &a.grid)?))?;
                    }
                }
                read(self.task.bind(py).call1((PyTuple::new(py, ctx.block_id)?, items))?)
            };
            run().map_err(|e| {
                let msg = e.to_string();
                tessera::Error::user(ctx.name, msg, Arc::new(e))
            })
        })
    }
}

/// `blockwise` over Python callables (see `tessera._blockwise`): `out` and each argument's
/// index are integer labels; `new_axes` and `adjust_chunks` map labels to chunk sizes;
/// `rereadable`: `task` reads storage (no arguments), cheaper to call again than to spill.
#[pyfunction]
#[pyo3(signature = (task, name, op, out, args, new_axes, adjust_chunks, dtype, concatenate, align, rereadable=false))]
#[allow(clippy::too_many_arguments)]
pub fn blockwise(
    task: Py<PyAny>,
    name: String,
    op: String,
    out: Vec<u32>,
    args: Vec<(Bound<'_, CoreArray>, Vec<u32>)>,
    new_axes: Vec<(u32, Vec<usize>)>,
    adjust_chunks: Vec<(u32, Vec<usize>)>,
    dtype: &str,
    concatenate: bool,
    align: bool,
    rereadable: bool,
) -> PyResult<CoreArray> {
    let dtype = crate::dtype_from_name(dtype)?;
    let args: Vec<_> = args.iter().map(|(a, ind)| (a.get().inner.expr().clone(), ind.clone())).collect();
    let kernel = Arc::new(PyKernel { name, task, rereadable });
    let b = Blockwise { op: &op, kernel, out: &out, args: &args, new_axes: &new_axes, adjust_chunks: &adjust_chunks, dtype, concatenate, align };
    guard(|| bw::blockwise(b).map(tessera::Array::from_expr)).map(wrap)
}

/// `blockwise` of a Python callable with several outputs: `task` returns a tuple of
/// blocks, output 0's as `blockwise` builds it, then one per entry of `more` (its index,
/// its new axes' chunk sizes, its dtype). One task per block makes all of them.
#[pyfunction]
#[pyo3(signature = (task, name, op, out, args, new_axes, adjust_chunks, dtype, concatenate, align, more))]
#[allow(clippy::too_many_arguments)]
pub fn blockwise_many(
    task: Py<PyAny>,
    name: String,
    op: String,
    out: Vec<u32>,
    args: Vec<(Bound<'_, CoreArray>, Vec<u32>)>,
    new_axes: Vec<(u32, Vec<usize>)>,
    adjust_chunks: Vec<(u32, Vec<usize>)>,
    dtype: &str,
    concatenate: bool,
    align: bool,
    more: Vec<(Vec<u32>, Vec<(u32, Vec<usize>)>, String)>,
) -> PyResult<Vec<CoreArray>> {
    let dtype = crate::dtype_from_name(dtype)?;
    let more = more
        .into_iter()
        .map(|(out, new_axes, dt)| Ok(bw::Output { out, new_axes, dtype: crate::dtype_from_name(&dt)? }))
        .collect::<PyResult<Vec<_>>>()?;
    let args: Vec<_> = args.iter().map(|(a, ind)| (a.get().inner.expr().clone(), ind.clone())).collect();
    let kernel = Arc::new(PyKernel { name, task, rereadable: false });
    let b = Blockwise { op: &op, kernel, out: &out, args: &args, new_axes: &new_axes, adjust_chunks: &adjust_chunks, dtype, concatenate, align };
    let arrays = guard(|| bw::blockwise_many(b, &more))?;
    Ok(arrays.into_iter().map(|e| wrap(tessera::Array::from_expr(e))).collect())
}

/// Keeps a Python thread state for each worker for the whole computation (see
/// `tessera_exec::WorkerScope`): tasks then re-take the interpreter's lock cheaply.
pub struct PythonWorkers;

impl tessera_exec::WorkerScope for PythonWorkers {
    fn run(&self, work: &mut (dyn FnMut() + Send)) {
        Python::attach(|py| py.detach(work));
    }
}
