//! `tessera._core`: the Python extension module. It binds the `tessera` facade thinly; the
//! Dask-shaped API (argument handling, NumPy protocols, reprs) lives in `python/tessera`.
//!
//! Rules kept here: no panic crosses into Python (every call into Rust is guarded), the GIL
//! is released while computing, and a long computation runs on a helper thread so that the
//! calling thread can notice Ctrl-C, cancel, and return within a fraction of a second.

use numpy::{PyArrayDescrMethods, PyUntypedArray};
use pyo3::exceptions::{PyIndexError, PyNotImplementedError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyFloat, PyInt, PyList, PySlice, PyTuple, PyType};
use std::collections::HashSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};
use tessera::{
    AxisSpec, BinaryOp, Block, ChunkSpec, ComputeOptions, DType, ErrorKind, IndexItem, ReduceArgs, ReduceOp, Scalar, UnaryOp,
};
use tessera_core::chunks::AxisChunks;
use tessera_core::graph::Expr;
use tessera_core::ScalarKind;

mod dtypes;
mod fft;
mod kernels;
mod zarr;
mod overlap;
mod scans;
mod order;
mod gather;
mod products;

// ---------------------------------------------------------------------------------------
// Errors

static AXIS_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static OVERFLOW_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();

fn axis_error_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    AXIS_ERROR
        .get_or_try_init(py, || -> PyResult<Py<PyType>> {
            let t = match py.import("numpy.exceptions") {
                Ok(m) => m.getattr("AxisError")?,
                Err(_) => py.import("numpy")?.getattr("AxisError")?,
            };
            Ok(t.cast_into::<PyType>()?.unbind())
        })
        .map(|t| t.bind(py))
}

/// A core error as the Python exception a NumPy or Dask user expects.
fn to_pyerr(e: tessera::Error) -> PyErr {
    let msg = e.to_string();
    match e.kind {
        ErrorKind::Shape | ErrorKind::Chunks => PyValueError::new_err(msg),
        ErrorKind::Value => {
            // NumPy raises OverflowError for a Python integer out of a dtype's range; tessera
            // raises a class that is both an OverflowError and a ValueError.
            if e.message.starts_with("Python integer") && e.message.contains("out of bounds") {
                Python::attach(|py| match OVERFLOW_ERROR.import(py, "tessera._errors", "ScalarOverflowError") {
                    Ok(t) => PyErr::from_type(t.clone(), msg),
                    Err(_) => PyValueError::new_err(msg),
                })
            } else {
                PyValueError::new_err(msg)
            }
        }
        ErrorKind::Axis => Python::attach(|py| match axis_error_type(py) {
            Ok(t) => PyErr::from_type(t.clone(), (msg,)),
            Err(_) => PyIndexError::new_err(msg),
        }),
        ErrorKind::Index => PyIndexError::new_err(msg),
        ErrorKind::DType => PyTypeError::new_err(msg),
        ErrorKind::Cancelled => PyRuntimeError::new_err(msg),
        ErrorKind::Io => pyo3::exceptions::PyOSError::new_err(msg),
        ErrorKind::Internal => PyRuntimeError::new_err(format!("{msg} (an internal error in tessera; please report it)")),
        // A user function's own exception, re-raised unchanged.
        ErrorKind::User => match e.payload.as_ref().and_then(|p| p.0.downcast_ref::<PyErr>()) {
            Some(err) => Python::attach(|py| err.clone_ref(py)),
            None => PyRuntimeError::new_err(msg),
        },
        #[allow(unreachable_patterns)]
        other => {
            if format!("{other:?}") == "Memory" {
                pyo3::exceptions::PyMemoryError::new_err(msg)
            } else {
                PyRuntimeError::new_err(msg)
            }
        }
    }
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "unknown panic".into())
}

/// Runs a call into the Rust core, turning its errors and any panic into Python exceptions.
fn guard<T>(f: impl FnOnce() -> tessera::Result<T>) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(to_pyerr(e)),
        Err(p) => {
            Err(PyRuntimeError::new_err(format!("internal error in tessera (a panic, please report it): {}", panic_message(&*p))))
        }
    }
}

// ---------------------------------------------------------------------------------------
// Conversions

fn dtype_from_name(name: &str) -> PyResult<DType> {
    DType::from_name(name).ok_or_else(|| {
        PyTypeError::new_err(format!(
            "tessera does not support dtype {name}; supported: bool, int8, int16, int32, int64, uint8, uint16, uint32, uint64, float16, float32, float64, complex64, complex128"
        ))
    })
}

/// The dtype of a NumPy dtype object, by kind and item size.
fn dtype_of_descr(descr: &Bound<'_, numpy::PyArrayDescr>) -> PyResult<DType> {
    let size = descr.itemsize();
    let dt = match (descr.kind(), size) {
        (b'b', 1) => Some(DType::Bool),
        (b'i', 1) => Some(DType::I8),
        (b'i', 2) => Some(DType::I16),
        (b'i', 4) => Some(DType::I32),
        (b'i', 8) => Some(DType::I64),
        (b'u', 1) => Some(DType::U8),
        (b'u', 2) => Some(DType::U16),
        (b'u', 4) => Some(DType::U32),
        (b'u', 8) => Some(DType::U64),
        (b'f', 2) => Some(DType::F16),
        (b'f', 4) => Some(DType::F32),
        (b'f', 8) => Some(DType::F64),
        (b'c', 8) => Some(DType::C64),
        (b'c', 16) => Some(DType::C128),
        _ => None,
    };
    dt.ok_or_else(|| {
        let name = descr.str().map(|s| s.to_string()).unwrap_or_else(|_| "?".into());
        PyTypeError::new_err(format!(
            "from_array: tessera does not support dtype {name}; supported: bool, int8, int16, int32, int64, uint8, uint16, uint32, uint64, float16, float32, float64, complex64, complex128"
        ))
    })
}

/// Chunks as the Python layer passes them: "auto", an int, or a list with one entry per
/// axis, each "auto", an int (-1: whole axis) or a list of block sizes.
fn chunk_spec(obj: &Bound<'_, PyAny>) -> PyResult<ChunkSpec> {
    if obj.is_none() || obj.is_instance_of::<pyo3::types::PyString>() {
        return Ok(ChunkSpec::Auto);
    }
    if let Ok(n) = obj.extract::<i64>() {
        return Ok(ChunkSpec::Uniform(n));
    }
    let mut axes = Vec::new();
    for item in obj.try_iter()? {
        let item = item?;
        if item.is_none() || item.is_instance_of::<pyo3::types::PyString>() {
            axes.push(AxisSpec::Auto);
        } else if let Ok(n) = item.extract::<i64>() {
            axes.push(AxisSpec::Size(n));
        } else {
            axes.push(AxisSpec::Blocks(item.extract::<Vec<i64>>()?));
        }
    }
    Ok(ChunkSpec::PerAxis(axes))
}

/// A Python scalar as a weak operand (NEP 50). `Err` for other types.
fn weak_scalar(obj: &Bound<'_, PyAny>, op: &str) -> PyResult<(Scalar, ScalarKind)> {
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok((Scalar::Bool(b.is_true()), ScalarKind::Bool));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(v) = obj.extract::<i64>() {
            return Ok((Scalar::I64(v), ScalarKind::Int));
        }
        if let Ok(v) = obj.extract::<u64>() {
            return Ok((Scalar::U64(v), ScalarKind::Int));
        }
        // Beyond 64 bits: as a float (infinite beyond float64), for operations that compute
        // in float (NumPy 2 converts it there); the core refuses it where the operation
        // computes in an integer dtype, and an infinite one everywhere.
        let v = obj.extract::<f64>().unwrap_or(if obj.lt(0)? { f64::NEG_INFINITY } else { f64::INFINITY });
        return Ok((Scalar::F64(v), ScalarKind::Int));
    }
    if obj.is_instance_of::<PyFloat>() {
        return Ok((Scalar::F64(obj.extract::<f64>()?), ScalarKind::Float));
    }
    if let Ok(z) = obj.cast::<pyo3::types::PyComplex>() {
        return Ok((Scalar::C128(tessera_core::numtypes::c128 { re: z.real(), im: z.imag() }), ScalarKind::Complex));
    }
    Err(PyTypeError::new_err(format!("{op}: unsupported operand type {}", obj.get_type().name()?)))
}

fn index_items(items: &Bound<'_, PyTuple>) -> PyResult<Vec<IndexItem>> {
    let py = items.py();
    let ellipsis = py.Ellipsis();
    let mut out = Vec::with_capacity(items.len());
    for it in items.iter() {
        if it.is_none() {
            out.push(IndexItem::NewAxis);
        } else if it.is(&ellipsis) {
            out.push(IndexItem::Ellipsis);
        } else if let Ok(s) = it.cast::<PySlice>() {
            // Bounds and steps beyond i64 select what i64::MIN / i64::MAX select (axes are
            // shorter), as Python's `slice.indices` would.
            let get = |name: &str| -> PyResult<Option<i64>> {
                let v = s.getattr(name)?;
                if v.is_none() {
                    return Ok(None);
                }
                let i = v.call_method0("__index__").map_err(|_| {
                    PyTypeError::new_err(format!("getitem: slice indices must be integers or None or have an __index__ method, got {}", v.repr().map(|r| r.to_string()).unwrap_or_default()))
                })?;
                Ok(Some(i.extract::<i64>().unwrap_or(if i.lt(0)? { i64::MIN } else { i64::MAX })))
            };
            out.push(IndexItem::Slice { start: get("start")?, stop: get("stop")?, step: get("step")? });
        } else if it.is_instance_of::<PyBool>() {
            return Err(PyNotImplementedError::new_err("getitem: boolean scalar indices are not supported by tessera"));
        } else {
            let i = it.call_method0("__index__").map_err(|_| {
                PyIndexError::new_err(
                    "getitem: only integers, slices (`:`), ellipsis (`...`) and None (`numpy.newaxis`) are valid indices",
                )
            })?;
            out.push(IndexItem::Int(i.extract::<i64>().map_err(|_| {
                PyIndexError::new_err(format!("getitem: index {} is out of bounds (beyond the int64 range)", i.str().map(|s| s.to_string()).unwrap_or_default()))
            })?));
        }
    }
    Ok(out)
}

fn shape_tuple<'py>(py: Python<'py>, v: &[usize]) -> PyResult<Bound<'py, PyTuple>> {
    PyTuple::new(py, v)
}

/// A computed block as a writeable NumPy array over the block's buffer (no copy when the
/// block is the whole of an owned buffer, as results of computations are).
fn block_to_numpy<'py>(py: Python<'py>, block: Block) -> PyResult<Bound<'py, PyAny>> {
    let shape = block.shape().to_vec();
    let own = match block.try_into_buffer() {
        Ok(buf) => Block::from_buffer(shape, buf),
        Err(b) => Block::from_buffer(shape, b.to_buffer()),
    };
    kernels::block_owned_array(py, own)
}

// ---------------------------------------------------------------------------------------
// The array handle

/// A lazy tessera array (the Rust handle behind `tessera.Array`).
#[pyclass(frozen, module = "tessera._core", name = "CoreArray")]
#[derive(Clone)]
pub struct CoreArray {
    inner: tessera::Array,
}

fn wrap(a: tessera::Array) -> CoreArray {
    CoreArray { inner: a }
}

fn unary_op(name: &str) -> PyResult<UnaryOp> {
    UnaryOp::from_name(name)
        .ok_or_else(|| PyNotImplementedError::new_err(format!("tessera does not implement the elementwise function {name}")))
}

fn binary_op(name: &str) -> PyResult<BinaryOp> {
    BinaryOp::from_name(name)
        .ok_or_else(|| PyNotImplementedError::new_err(format!("tessera does not implement the elementwise function {name}")))
}

fn reduce_op(name: &str, ddof: u32) -> PyResult<ReduceOp> {
    ReduceOp::from_name(name, ddof)
        .ok_or_else(|| PyNotImplementedError::new_err(format!("tessera does not implement the reduction {name}")))
}

#[pymethods]
impl CoreArray {
    #[getter]
    fn shape<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        shape_tuple(py, self.inner.shape())
    }
    #[getter]
    fn dtype(&self) -> &'static str {
        self.inner.dtype().name()
    }
    #[getter]
    fn ndim(&self) -> usize {
        self.inner.ndim()
    }
    #[getter]
    fn size(&self) -> usize {
        self.inner.size()
    }
    #[getter]
    fn itemsize(&self) -> usize {
        self.inner.dtype().size()
    }
    #[getter]
    fn nbytes(&self) -> usize {
        self.inner.nbytes()
    }
    #[getter]
    fn name(&self) -> String {
        self.inner.name()
    }
    /// A deterministic token of the expression (`tessera_core::token`): Dask's `.name`.
    #[getter]
    fn token(&self) -> String {
        tessera_core::token::token(self.inner.expr())
    }
    /// The operation's name (`normal`, `add`, `sum`...), for reprs.
    #[getter]
    fn op_name(&self) -> String {
        self.inner.expr().op.name()
    }
    #[getter]
    fn numblocks<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        shape_tuple(py, &self.inner.numblocks())
    }
    #[getter]
    fn npartitions(&self) -> usize {
        self.inner.npartitions()
    }
    #[getter]
    fn chunksize<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        shape_tuple(py, &self.inner.chunksize())
    }
    #[getter]
    fn chunks<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let axes: Vec<Bound<'py, PyTuple>> = self.inner.chunks().iter().map(|c| axis_sizes(py, c)).collect::<PyResult<_>>()?;
        PyTuple::new(py, axes)
    }
    /// Where block `block` of `axis` starts (the axis's length for `block` = its number of
    /// blocks), without listing the axis's chunks (`x.blocks[i]` of many blocks).
    fn block_start(&self, axis: usize, block: usize) -> PyResult<usize> {
        let c = self.inner.chunks().get(axis).ok_or_else(|| PyValueError::new_err(format!("block_start: no axis {axis}")))?;
        match block {
            b if b < c.nblocks() => Ok(c.start(b)),
            b if b == c.nblocks() => Ok(c.len()),
            b => Err(PyValueError::new_err(format!("block_start: block {b} of an axis of {} blocks", c.nblocks()))),
        }
    }

    fn unary(&self, op: &str) -> PyResult<CoreArray> {
        let op = unary_op(op)?;
        guard(|| self.inner.unary(op)).map(wrap)
    }
    fn binary(&self, op: &str, other: &CoreArray) -> PyResult<CoreArray> {
        let op = binary_op(op)?;
        guard(|| self.inner.binary(op, &other.inner)).map(wrap)
    }
    /// `self op scalar`, or `scalar op self` when `reflected`, with a weak Python scalar.
    #[pyo3(signature = (op, scalar, reflected=false))]
    fn binary_scalar(&self, op: &str, scalar: &Bound<'_, PyAny>, reflected: bool) -> PyResult<CoreArray> {
        let bop = binary_op(op)?;
        let (s, kind) = weak_scalar(scalar, bop.name())?;
        // An integer beyond 64 bits goes in as a float: errors name it exactly.
        let exact = if kind == ScalarKind::Int && matches!(s, Scalar::F64(_)) { Some(scalar.str()?.to_string()) } else { None };
        guard(|| {
            let r = if reflected { self.inner.rbinary(bop, s, kind) } else { self.inner.binary(bop, tessera::Operand::Scalar(s, kind)) };
            r.map_err(|mut e| {
                if let (Some(v), Some((_, rest))) = (&exact, e.message.strip_prefix("Python integer ").and_then(|m| m.split_once(' '))) {
                    e.message = format!("Python integer {v} {rest}");
                }
                e
            })
        })
        .map(wrap)
    }
    fn astype(&self, dtype: &str) -> PyResult<CoreArray> {
        let d = dtype_from_name(dtype)?;
        guard(|| Ok(self.inner.astype(d))).map(wrap)
    }
    #[pyo3(signature = (op, axes=None, keepdims=false, split_every=None, ddof=0))]
    fn reduce(
        &self,
        op: &str,
        axes: Option<Vec<isize>>,
        keepdims: bool,
        split_every: Option<usize>,
        ddof: u32,
    ) -> PyResult<CoreArray> {
        let rop = reduce_op(op, ddof)?;
        let args = ReduceArgs { axes, keepdims, split_every };
        guard(|| self.inner.reduce(rop, &args)).map(wrap)
    }
    fn getitem(&self, items: &Bound<'_, PyTuple>) -> PyResult<CoreArray> {
        let items = index_items(items)?;
        guard(|| self.inner.index(&items)).map(wrap)
    }
    #[pyo3(signature = (axes=None))]
    fn transpose(&self, axes: Option<Vec<isize>>) -> PyResult<CoreArray> {
        guard(|| self.inner.transpose(axes.as_deref())).map(wrap)
    }
    fn rechunk(&self, chunks: &Bound<'_, PyAny>) -> PyResult<CoreArray> {
        let spec = chunk_spec(chunks)?;
        guard(|| self.inner.rechunk(spec)).map(wrap)
    }
    fn reshape(&self, shape: Vec<i64>) -> PyResult<CoreArray> {
        guard(|| self.inner.reshape(&shape)).map(wrap)
    }
    fn broadcast_to(&self, shape: Vec<usize>) -> PyResult<CoreArray> {
        guard(|| self.inner.broadcast_to(&shape)).map(wrap)
    }
    /// The optimized expression and plan, as text.
    fn explain(&self) -> PyResult<String> {
        guard(|| Ok(self.inner.explain()))
    }
    fn __repr__(&self) -> String {
        self.inner.to_string()
    }
}

fn axis_sizes<'py>(py: Python<'py>, c: &AxisChunks) -> PyResult<Bound<'py, PyTuple>> {
    match *c {
        AxisChunks::Regular { size, len } => {
            let n = len.div_ceil(size);
            PyTuple::new(py, (0..n).map(|b| size.min(len - b * size)))
        }
        AxisChunks::Explicit(_) => PyTuple::new(py, c.sizes()),
    }
}

// ---------------------------------------------------------------------------------------
// Creation

/// An array over a NumPy array's memory, without a copy. The NumPy array must be aligned,
/// in native byte order, of a supported dtype, with strides that are whole elements (the
/// Python layer copies arrays that are not).
#[pyfunction]
fn from_numpy(arr: &Bound<'_, PyUntypedArray>, chunks: &Bound<'_, PyAny>) -> PyResult<CoreArray> {
    let block = kernels::block_of_numpy(arr, "from_array")?;
    let spec = chunk_spec(chunks)?;
    guard(|| tessera::from_block(block, spec)).map(wrap)
}

/// A fill value (a Python bool, int or float) as a scalar; the core casts it to the dtype.
fn fill_scalar(value: &Bound<'_, PyAny>) -> PyResult<Scalar> {
    Ok(if let Ok(b) = value.cast::<PyBool>() {
        Scalar::Bool(b.is_true())
    } else if let Ok(i) = value.extract::<i64>() {
        Scalar::I64(i)
    } else if let Ok(u) = value.extract::<u64>() {
        Scalar::U64(u)
    } else if let Ok(z) = value.cast::<pyo3::types::PyComplex>() {
        Scalar::C128(tessera_core::numtypes::c128 { re: z.real(), im: z.imag() })
    } else {
        Scalar::F64(value.extract::<f64>()?)
    })
}

#[pyfunction]
fn full(shape: Vec<usize>, value: &Bound<'_, PyAny>, dtype: &str, chunks: &Bound<'_, PyAny>) -> PyResult<CoreArray> {
    let d = dtype_from_name(dtype)?;
    let v = fill_scalar(value)?;
    let spec = chunk_spec(chunks)?;
    guard(|| tessera::full(&shape, v, d, spec)).map(wrap)
}

/// `n` values `start + step * i` (the Python layer computes `n`, the first value and the
/// step as NumPy does; integer dtypes take `start` and `step` as exact integers).
#[pyfunction]
fn arange(start: f64, step: f64, n: usize, dtype: &str, chunks: &Bound<'_, PyAny>) -> PyResult<CoreArray> {
    let d = dtype_from_name(dtype)?;
    if !start.is_finite() || !step.is_finite() {
        return Err(PyValueError::new_err(format!("arange: start and step must be finite, got {start} and {step}")));
    }
    let spec = chunk_spec(chunks)?;
    let gen = tessera_core::graph::Generator::Range { start, step };
    guard(|| tessera_core::build::generate(gen, &[n], d, &spec)).map(|e| wrap(tessera::Array::from_expr(e)))
}

#[pyfunction]
fn linspace(start: f64, stop: f64, num: usize, endpoint: bool, chunks: &Bound<'_, PyAny>) -> PyResult<CoreArray> {
    let spec = chunk_spec(chunks)?;
    guard(|| tessera::linspace(start, stop, num, endpoint, spec)).map(wrap)
}

#[pyfunction(name = "where")]
fn where_(cond: &CoreArray, a: &CoreArray, b: &CoreArray) -> PyResult<CoreArray> {
    guard(|| tessera::where_(&cond.inner, &a.inner, &b.inner)).map(wrap)
}

// ---------------------------------------------------------------------------------------
// Random

/// A seeded random generator: arrays it makes get consecutive streams.
#[pyclass(frozen, module = "tessera._core", name = "CoreGenerator")]
struct CoreGenerator {
    inner: tessera::random::Generator,
}

#[pymethods]
impl CoreGenerator {
    #[new]
    fn new(seed: u64) -> Self {
        CoreGenerator { inner: tessera::random::default_rng(seed) }
    }
    #[getter]
    fn seed(&self) -> u64 {
        self.inner.seed()
    }
    fn normal(&self, loc: f64, scale: f64, shape: Vec<usize>, chunks: &Bound<'_, PyAny>) -> PyResult<CoreArray> {
        let spec = chunk_spec(chunks)?;
        guard(|| self.inner.normal(loc, scale, &shape, spec)).map(wrap)
    }
    fn uniform(&self, low: f64, high: f64, shape: Vec<usize>, chunks: &Bound<'_, PyAny>) -> PyResult<CoreArray> {
        let spec = chunk_spec(chunks)?;
        guard(|| self.inner.uniform(low, high, &shape, spec)).map(wrap)
    }
    fn random(&self, shape: Vec<usize>, chunks: &Bound<'_, PyAny>) -> PyResult<CoreArray> {
        let spec = chunk_spec(chunks)?;
        guard(|| self.inner.random(&shape, spec)).map(wrap)
    }
    fn integers(&self, low: i64, high: i64, shape: Vec<usize>, dtype: &str, chunks: &Bound<'_, PyAny>) -> PyResult<CoreArray> {
        let d = dtype_from_name(dtype)?;
        let spec = chunk_spec(chunks)?;
        guard(|| self.inner.integers(low, high, &shape, d, spec)).map(wrap)
    }
}

/// Reseeds the process-wide generator.
#[pyfunction]
fn random_seed(seed: u64) {
    tessera::random::seed(seed)
}

/// A seed for a generator made without one that every rank of a parallel job agrees on;
/// None outside a parallel launcher.
#[pyfunction]
fn random_job_seed() -> Option<u64> {
    tessera::random::job_seed()
}

#[pyfunction]
fn random_normal(loc: f64, scale: f64, shape: Vec<usize>, chunks: &Bound<'_, PyAny>) -> PyResult<CoreArray> {
    let spec = chunk_spec(chunks)?;
    guard(|| tessera::random::normal(loc, scale, &shape, spec)).map(wrap)
}

#[pyfunction]
fn random_uniform(low: f64, high: f64, shape: Vec<usize>, chunks: &Bound<'_, PyAny>) -> PyResult<CoreArray> {
    let spec = chunk_spec(chunks)?;
    guard(|| tessera::random::uniform(low, high, &shape, spec)).map(wrap)
}

#[pyfunction]
fn random_random(shape: Vec<usize>, chunks: &Bound<'_, PyAny>) -> PyResult<CoreArray> {
    let spec = chunk_spec(chunks)?;
    guard(|| tessera::random::random(&shape, spec)).map(wrap)
}

#[pyfunction]
fn random_integers(low: i64, high: i64, shape: Vec<usize>, dtype: &str, chunks: &Bound<'_, PyAny>) -> PyResult<CoreArray> {
    let d = dtype_from_name(dtype)?;
    let spec = chunk_spec(chunks)?;
    guard(|| tessera::random::integers(low, high, &shape, d, spec)).map(wrap)
}

// ---------------------------------------------------------------------------------------
// Computing

/// Counts finished tasks, for progress callbacks.
#[derive(Default)]
struct Progress {
    total: AtomicUsize,
    done: AtomicUsize,
}

impl tessera::Observer for Progress {
    fn started(&self, plan: &tessera_core::plan::Plan) {
        self.total.store(plan.task_count(), Ordering::Relaxed);
    }
    fn task_done(&self, _event: &tessera::TaskEvent) {
        self.done.fetch_add(1, Ordering::Relaxed);
    }
}

/// Computations smaller than this (bytes over all expression nodes) run inline on the
/// calling thread with the GIL released: they take well under a millisecond, so there is
/// no Ctrl-C to watch for and no helper thread worth starting.
const INLINE_BYTES: usize = 1 << 20;

/// True when the expression graphs are small: few nodes, few bytes in all.
fn is_small(exprs: &[&Expr]) -> bool {
    let mut seen = HashSet::new();
    let mut stack: Vec<&Expr> = exprs.to_vec();
    let mut bytes = 0usize;
    while let Some(e) = stack.pop() {
        if !seen.insert(e.id) {
            continue;
        }
        if seen.len() > 64 {
            return false;
        }
        bytes = bytes.saturating_add(e.meta.size().saturating_mul(e.meta.dtype.size()));
        if bytes > INLINE_BYTES {
            return false;
        }
        stack.extend(e.inputs.iter());
    }
    true
}

/// `ComputeOptions::default()` reads the machine's memory size; do it once per process.
/// Each computation gets its own cancel flag and observers.
fn default_options() -> ComputeOptions {
    static DEFAULT: std::sync::OnceLock<ComputeOptions> = std::sync::OnceLock::new();
    let mut o = DEFAULT.get_or_init(ComputeOptions::default).clone();
    o.cancel = Arc::new(AtomicBool::new(false));
    o.worker_scope = Some(Arc::new(kernels::PythonWorkers));
    o.observers = Vec::new();
    o
}

/// What a computation returns: whole arrays, or (for persist) arrays over kept blocks.
enum Output {
    Blocks(Vec<Block>),
    Persisted(Vec<tessera::Array>),
}

type ComputeResult = std::thread::Result<tessera::Result<Output>>;

#[cfg(feature = "mpi")]
static MPI: std::sync::OnceLock<std::result::Result<tessera_mpi::Mpi, String>> = std::sync::OnceLock::new();

/// The MPI environment, initialised on first use.
#[cfg(feature = "mpi")]
fn mpi_env() -> PyResult<&'static tessera_mpi::Mpi> {
    MPI.get_or_init(tessera_mpi::Mpi::init).as_ref().map_err(|e| PyRuntimeError::new_err(format!("compute: cannot start MPI: {e}")))
}

/// Whether this build can run computations over MPI.
#[pyfunction]
fn mpi_available() -> bool {
    cfg!(feature = "mpi")
}

/// (rank, size) of this process in MPI_COMM_WORLD, starting MPI if needed; (0, 1) without MPI.
#[pyfunction]
fn mpi_rank_size() -> PyResult<(usize, usize)> {
    #[cfg(feature = "mpi")]
    {
        let m = mpi_env()?;
        Ok((m.rank(), m.size()))
    }
    #[cfg(not(feature = "mpi"))]
    Ok((0, 1))
}

/// Finalises MPI if it was started, or starts it first when `start` (registered with
/// `atexit` by the Python package, which passes whether the MPI scheduler is configured).
/// Before that every rank checks that all others end too, after as many computes; if one
/// still computes, the job is aborted with a message naming this rank and `cause` (why
/// the program ends).
#[pyfunction]
#[pyo3(signature = (start=false, cause=None))]
fn mpi_finalize(py: Python<'_>, start: bool, cause: Option<String>) {
    #[cfg(feature = "mpi")]
    {
        let m = match MPI.get() {
            Some(Ok(m)) => m,
            None if start => match mpi_env() {
                Ok(m) => m,
                Err(_) => return,
            },
            _ => return,
        };
        let cause = cause.unwrap_or_else(|| "the end of the program or sys.exit()".into());
        py.detach(|| m.finalize_because(&cause));
    }
    #[cfg(not(feature = "mpi"))]
    let _ = (py, start, cause);
}

/// How one computation runs, beyond its arrays.
struct RunSpec {
    threads: usize,
    optimize: bool,
    progress: Option<Py<PyAny>>,
    memory_limit: Option<Option<usize>>,
    mpi: bool,
    root_only: bool,
    persist: bool,
    observers: Vec<Arc<dyn tessera::Observer>>,
}

/// Task recorder behind `tessera.diagnostics.Profiler`.
#[pyclass(name = "Profiler", module = "tessera._core", frozen)]
struct CoreProfiler {
    inner: Arc<tessera::diagnostics::Profiler>,
}

#[pymethods]
impl CoreProfiler {
    #[new]
    fn new() -> Self {
        CoreProfiler { inner: Arc::new(Default::default()) }
    }
    /// (name, stage, block, thread, start, end, bytes) per task, by start time.
    fn results(&self) -> Vec<(String, usize, usize, usize, f64, f64, usize)> {
        self.inner.results().into_iter().map(|r| (r.name, r.stage, r.block, r.thread, r.start, r.end, r.bytes)).collect()
    }
    fn chrome_trace(&self) -> String {
        self.inner.to_chrome_trace()
    }
}

/// Memory and CPU sampler behind `tessera.diagnostics.ResourceProfiler`.
#[pyclass(name = "ResourceProfiler", module = "tessera._core", frozen)]
struct CoreResourceProfiler {
    inner: tessera::diagnostics::ResourceProfiler,
}

#[pymethods]
impl CoreResourceProfiler {
    #[new]
    fn new(dt: f64) -> PyResult<Self> {
        let interval = Duration::try_from_secs_f64(dt)
            .ok()
            .filter(|d| !d.is_zero())
            .ok_or_else(|| PyValueError::new_err(format!("ResourceProfiler: dt must be a positive, finite number of seconds, got {dt}")))?;
        Ok(CoreResourceProfiler { inner: tessera::diagnostics::ResourceProfiler::start(interval.max(Duration::from_millis(1))) })
    }
    fn stop(&self) {
        self.inner.stop()
    }
    /// (time, rss_bytes, cpu_percent) samples.
    fn results(&self) -> Vec<(f64, u64, f64)> {
        self.inner.results().into_iter().map(|s| (s.time, s.rss_bytes, s.cpu_percent)).collect()
    }
}

/// The self-contained HTML profile page of a task profiler and, optionally, a resource
/// profiler (their clocks are aligned on the earlier origin).
#[pyfunction]
#[pyo3(signature = (profiler, resources=None, title="tessera profile"))]
fn profile_html(profiler: &CoreProfiler, resources: Option<&CoreResourceProfiler>, title: &str) -> String {
    let tasks = profiler.inner.results();
    let samples = resources.map(|r| r.inner.results()).unwrap_or_default();
    tessera::diagnostics::profile_html(&tasks, &samples, title)
}

/// Writes a picture of the task graph of `arrays` (one array or a list); returns the path.
#[pyfunction]
#[pyo3(signature = (arrays, filename="mydask".to_string(), format=None, optimize_graph=false, rankdir="BT".to_string(), color=None, max_tasks=500))]
fn visualize(
    py: Python<'_>,
    arrays: &Bound<'_, PyAny>,
    filename: String,
    format: Option<String>,
    optimize_graph: bool,
    rankdir: String,
    color: Option<String>,
    max_tasks: usize,
) -> PyResult<String> {
    let handles: Vec<tessera::Array> = if let Ok(a) = arrays.cast::<CoreArray>() {
        vec![a.get().inner.clone()]
    } else {
        let mut v = Vec::new();
        for a in arrays.try_iter()? {
            v.push(a?.cast::<CoreArray>()?.get().inner.clone());
        }
        v
    };
    let opts = tessera::visualize::VisualizeOptions { filename, format, optimize_graph, rankdir, color, max_tasks };
    py.detach(|| {
        let refs: Vec<&tessera::Array> = handles.iter().collect();
        guard(|| tessera::visualize::visualize(&refs, &opts))
    })
}

fn run_arrays(arrays: &[tessera::Array], opts: &ComputeOptions, persist: bool) -> tessera::Result<Output> {
    let refs: Vec<&tessera::Array> = arrays.iter().collect();
    if persist {
        tessera::persist_many(&refs, opts).map(Output::Persisted)
    } else {
        tessera::compute_many(&refs, opts).map(Output::Blocks)
    }
}

/// `e` stopped a compute on this rank (Ctrl-C, an exception in a progress callback): over
/// MPI the other ranks would wait forever for this one's part, so the job is aborted.
fn left_compute(mpi: bool, e: PyErr) -> PyErr {
    #[cfg(feature = "mpi")]
    if mpi {
        if let Ok(m) = mpi_env() {
            m.abort(&format!("the compute was interrupted: {e}"));
        }
    }
    let _ = mpi;
    e
}

/// Runs `arrays` to completion and returns the blocks, watching for Ctrl-C (and calling
/// `progress(done, total)` about every 100 ms) while a helper thread computes.
fn compute_blocks(py: Python<'_>, arrays: Vec<tessera::Array>, spec: RunSpec) -> PyResult<Output> {
    let RunSpec { threads, optimize, progress, memory_limit, mpi, root_only, persist, observers } = spec;
    let mut opts = default_options();
    opts = opts.threads(if threads > 0 { threads } else { tessera_exec::default_threads() });
    opts.optimize = optimize;
    opts.observers = observers;
    opts.root_only = root_only;
    if let Some(limit) = memory_limit {
        opts.memory_limit = limit;
    }
    let counter = Arc::new(Progress::default());
    if progress.is_some() {
        opts.observers.push(counter.clone());
    }
    #[cfg(feature = "mpi")]
    let transport = if mpi {
        let (o, t) = mpi_env()?.options(opts);
        opts = o;
        Some(t)
    } else {
        None
    };
    #[cfg(not(feature = "mpi"))]
    if mpi {
        return Err(PyValueError::new_err(
            "compute: this build of tessera has no MPI support (install OpenMPI or MPICH and rebuild with `make python`)",
        ));
    }
    let exprs: Vec<&Expr> = arrays.iter().map(|a| a.expr()).collect();
    if progress.is_none() && !mpi && is_small(&exprs) {
        return py.detach(|| guard(|| run_arrays(&arrays, &opts, persist)));
    }
    let cancel: Arc<AtomicBool> = opts.cancel.clone();
    let (tx, rx) = mpsc::channel::<ComputeResult>();
    // A `Receiver` is not `Sync`; the closures that wait on it with the GIL released need it
    // to be (they borrow it).
    let rx = std::sync::Mutex::new(rx);
    let recv = |timeout: Option<Duration>| -> Result<ComputeResult, mpsc::RecvTimeoutError> {
        let rx = rx.lock().unwrap_or_else(|e| e.into_inner());
        match timeout {
            Some(t) => rx.recv_timeout(t),
            None => rx.recv().map_err(|_| mpsc::RecvTimeoutError::Disconnected),
        }
    };
    let handle = std::thread::Builder::new()
        .name("tessera-compute".into())
        .spawn(move || {
            let r = catch_unwind(AssertUnwindSafe(|| run_arrays(&arrays, &opts, persist)));
            drop(arrays);
            let _ = tx.send(r);
        })
        .map_err(|e| PyRuntimeError::new_err(format!("compute: cannot start a thread: {e}")))?;
    let finish = |r: ComputeResult| -> PyResult<Output> {
        match r {
            Ok(Ok(v)) => Ok(v),
            // Over MPI an error on one rank ends the whole job, so that no rank waits forever.
            #[cfg(feature = "mpi")]
            Ok(Err(e)) if mpi => mpi_env().map(|m| m.abort(&e.to_string()))?,
            Ok(Err(e)) => Err(to_pyerr(e)),
            Err(p) => Err(PyRuntimeError::new_err(format!(
                "internal error in tessera (a panic, please report it): {}",
                panic_message(&*p)
            ))),
        }
    };
    // Stops the helper thread and waits for it; used when the wait is interrupted.
    let stop = |py: Python<'_>| {
        cancel.store(true, Ordering::Relaxed);
        py.detach(|| {
            let _ = recv(None);
        });
    };
    let mut last_progress = Instant::now();
    let result = loop {
        let r = py.detach(|| recv(Some(Duration::from_millis(50))));
        match r {
            Ok(r) => break r,
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                break Err(Box::new("the compute thread ended without a result") as Box<dyn std::any::Any + Send>);
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
        if let Err(e) = py.check_signals() {
            stop(py);
            let _ = handle.join();
            return Err(left_compute(mpi, e));
        }
        if let Some(cb) = &progress {
            if last_progress.elapsed() >= Duration::from_millis(100) {
                last_progress = Instant::now();
                let (d, t) = (counter.done.load(Ordering::Relaxed), counter.total.load(Ordering::Relaxed));
                if let Err(e) = cb.call1(py, (d, t)) {
                    stop(py);
                    let _ = handle.join();
                    return Err(left_compute(mpi, e));
                }
            }
        }
    };
    let _ = py.detach(|| handle.join());
    #[cfg(feature = "mpi")]
    if let Some(t) = transport {
        py.detach(|| t.finish());
    }
    let blocks = finish(result)?;
    if let Some(cb) = &progress {
        let t = counter.total.load(Ordering::Relaxed);
        cb.call1(py, (counter.done.load(Ordering::Relaxed).max(t), t))?;
    }
    Ok(blocks)
}

/// Computes several arrays together (shared work done once) and returns NumPy arrays
/// (0-d results as NumPy scalars). `threads=0`: the default (`TESSERA_NUM_THREADS` or all
/// cores). `_progress`: an optional `callback(done, total)`, called about every 100 ms.
/// `memory_limit`: bytes (int) or a size string ("256MiB"); 0 or "none" for no limit; None
/// for the default. `mpi`: run across the ranks of MPI_COMM_WORLD; `root_only`: then only
/// rank 0 gets results (others get None). `persist`: return core arrays over kept blocks.
#[pyfunction]
#[pyo3(signature = (arrays, threads=0, optimize=true, _progress=None, memory_limit=None, mpi=false, root_only=false, persist=false, profilers=None))]
#[allow(clippy::too_many_arguments)]
fn compute<'py>(
    py: Python<'py>,
    arrays: &Bound<'py, PyAny>,
    threads: usize,
    optimize: bool,
    _progress: Option<Py<PyAny>>,
    memory_limit: Option<&Bound<'py, PyAny>>,
    mpi: bool,
    root_only: bool,
    persist: bool,
    profilers: Option<Vec<Py<CoreProfiler>>>,
) -> PyResult<Bound<'py, PyList>> {
    let mut handles = Vec::new();
    for a in arrays.try_iter()? {
        let a = a?;
        let a = a.cast::<CoreArray>()?;
        handles.push(a.get().inner.clone());
    }
    let memory_limit = match memory_limit {
        None => None,
        Some(v) if v.is_none() => None,
        Some(v) => Some(memory_limit_bytes(v, "memory_limit")?),
    };
    let observers: Vec<Arc<dyn tessera::Observer>> =
        profilers.unwrap_or_default().iter().map(|p| p.get().inner.clone() as Arc<dyn tessera::Observer>).collect();
    let spec = RunSpec { threads, optimize, progress: _progress, memory_limit, mpi, root_only, persist, observers };
    let blocks = match compute_blocks(py, handles, spec)? {
        Output::Persisted(arrays) => {
            let out = PyList::empty(py);
            for a in arrays {
                out.append(Py::new(py, wrap(a))?)?;
            }
            return Ok(out);
        }
        Output::Blocks(b) => b,
    };
    let out = PyList::empty(py);
    if blocks.is_empty() && root_only {
        return Ok(out);
    }
    let empty = PyTuple::empty(py);
    for b in blocks {
        let zero_d = b.ndim() == 0;
        let arr = block_to_numpy(py, b)?;
        out.append(if zero_d { arr.get_item(&empty)? } else { arr })?;
    }
    Ok(out)
}

/// A memory limit given as bytes (an int, or a float such as 1e9) or a size string
/// ("2GiB", "256MiB", "1.5GB", "none"): `None` for no limit (0 in any form), a ValueError
/// naming `source` otherwise.
fn memory_limit_bytes(v: &Bound<'_, PyAny>, source: &str) -> PyResult<Option<usize>> {
    let bad = |why: String| PyValueError::new_err(format!("{source}: {why}"));
    if v.is_instance_of::<PyBool>() {
        return Err(bad(format!("expected a size such as \"2GiB\" or a number of bytes, got {}", v.repr()?)));
    }
    if let Ok(text) = v.extract::<String>() {
        return tessera_exec::parse_bytes(&text).map_err(bad);
    }
    if v.is_instance_of::<PyInt>() {
        return match v.extract::<i128>() {
            Ok(n) if n < 0 => Err(bad(format!("{n} is negative; use a positive size, or \"none\" for no limit"))),
            Ok(n) => Ok((n > 0).then(|| usize::try_from(n).unwrap_or(usize::MAX))),
            Err(_) => Err(bad(format!("{} is too large", v.repr()?))),
        };
    }
    match v.extract::<f64>() {
        Ok(x) => tessera_exec::parse_bytes(&format!("{x:e}")).map_err(bad),
        Err(_) => Err(bad(format!(
            "expected a size such as \"2GiB\", \"256MiB\" or \"1.5GB\", a number of bytes, or \"none\"; got {}",
            v.repr()?
        ))),
    }
}

/// The memory limit `value` stands for (bytes; `None` for no limit), or a ValueError naming
/// `source` (`memory_limit`, `TESSERA_MEMORY_LIMIT`, ...).
#[pyfunction]
#[pyo3(signature = (value, source="memory_limit"))]
fn parse_memory_limit(value: &Bound<'_, PyAny>, source: &str) -> PyResult<Option<usize>> {
    memory_limit_bytes(value, source)
}

/// Threads tessera uses by default.
#[pyfunction]
fn default_threads() -> usize {
    tessera_exec::default_threads()
}

/// The most worker threads one computation starts (a multiple of the usable cores).
#[pyfunction]
fn max_threads() -> usize {
    tessera_exec::max_threads()
}

/// Chunk bytes all computations of this process hold now, and the most they held at once
/// since the last call.
#[pyfunction]
fn memory_held() -> (usize, usize) {
    (tessera_exec::budget::held_bytes(), tessera_exec::budget::take_peak_bytes())
}

/// Removes this process's spill directories now and refuses new ones (called on SIGTERM
/// and at exit).
#[pyfunction]
fn remove_spill_dirs() {
    tessera_core::spill::remove_all_now()
}

/// Removes spill directories left by processes that have ended; returns how many.
#[pyfunction]
fn remove_stale_spill_dirs() -> usize {
    tessera_core::spill::remove_stale(&tessera_core::spill::spill_base())
}

/// Keeps glibc's allocator from hoarding freed chunk buffers: a fixed mmap threshold (the
/// default one grows to the largest block freed so far, after which freed blocks stay in
/// the heap arenas of whichever thread freed them) returns every large buffer to the
/// system when freed. `TESSERA_MALLOC_MMAP_THRESHOLD` overrides the size (0: leave glibc's
/// settings alone).
fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let threshold = std::env::var("TESSERA_MALLOC_MMAP_THRESHOLD")
            .ok()
            .and_then(|v| tessera_exec::parse_bytes(&v).ok())
            .unwrap_or(Some(MMAP_THRESHOLD));
        if let Some(t) = threshold {
            // SAFETY: mallopt only changes allocator parameters.
            unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, t.min(i32::MAX as usize) as libc::c_int) };
        }
    }
}

/// Buffers at least this big come from (and go back to) the system directly.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: usize = 1 << 20;

/// Computes in a way that panics, to test that no panic crosses into Python.
#[pyfunction]
fn _panic_for_tests() -> PyResult<()> {
    guard(|| -> tessera::Result<()> { panic!("deliberate panic for tests") })
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    tune_allocator();
    m.add_class::<CoreArray>()?;
    m.add_class::<CoreGenerator>()?;
    m.add_function(wrap_pyfunction!(from_numpy, m)?)?;
    m.add_function(wrap_pyfunction!(full, m)?)?;
    m.add_function(wrap_pyfunction!(arange, m)?)?;
    m.add_function(wrap_pyfunction!(linspace, m)?)?;
    m.add_function(wrap_pyfunction!(where_, m)?)?;
    m.add_function(wrap_pyfunction!(kernels::blockwise, m)?)?;
    m.add_function(wrap_pyfunction!(kernels::blockwise_many, m)?)?;
    m.add_class::<zarr::ZarrHandle>()?;
    m.add_function(wrap_pyfunction!(zarr::zarr_open, m)?)?;
    m.add_function(wrap_pyfunction!(zarr::zarr_create, m)?)?;
    m.add_function(wrap_pyfunction!(zarr::zarr_read, m)?)?;
    m.add_function(wrap_pyfunction!(zarr::zarr_write, m)?)?;
    m.add_function(wrap_pyfunction!(scans::cumulative, m)?)?;
    m.add_function(wrap_pyfunction!(order::topk, m)?)?;
    m.add_function(wrap_pyfunction!(order::block_counts, m)?)?;
    m.add_function(wrap_pyfunction!(fft::fft_axis, m)?)?;
    m.add_function(wrap_pyfunction!(fft::whole_along, m)?)?;
    m.add_function(wrap_pyfunction!(overlap::overlap, m)?)?;
    m.add_function(wrap_pyfunction!(gather::concatenate, m)?)?;
    m.add_function(wrap_pyfunction!(gather::take, m)?)?;
    m.add_function(wrap_pyfunction!(gather::gather_runs, m)?)?;
    m.add_function(wrap_pyfunction!(gather::diagonal, m)?)?;
    m.add_function(wrap_pyfunction!(gather::take_mask, m)?)?;
    m.add_function(wrap_pyfunction!(gather::mask_block_counts, m)?)?;
    m.add_function(wrap_pyfunction!(gather::compress_blocks, m)?)?;
    m.add_function(wrap_pyfunction!(products::product, m)?)?;
    m.add_function(wrap_pyfunction!(products::vecdot, m)?)?;
    m.add_function(wrap_pyfunction!(products::tensordot, m)?)?;
    m.add_function(wrap_pyfunction!(products::einsum, m)?)?;
    m.add_function(wrap_pyfunction!(overlap::trim_internal, m)?)?;
    m.add_function(wrap_pyfunction!(overlap::boundaries, m)?)?;
    m.add_function(wrap_pyfunction!(overlap::ensure_minimum_chunksize, m)?)?;
    m.add_function(wrap_pyfunction!(random_seed, m)?)?;
    m.add_function(wrap_pyfunction!(random_job_seed, m)?)?;
    m.add_function(wrap_pyfunction!(random_normal, m)?)?;
    m.add_function(wrap_pyfunction!(random_uniform, m)?)?;
    m.add_function(wrap_pyfunction!(random_random, m)?)?;
    m.add_function(wrap_pyfunction!(random_integers, m)?)?;
    m.add_function(wrap_pyfunction!(compute, m)?)?;
    m.add_function(wrap_pyfunction!(default_threads, m)?)?;
    m.add_function(wrap_pyfunction!(max_threads, m)?)?;
    m.add_function(wrap_pyfunction!(parse_memory_limit, m)?)?;
    m.add_function(wrap_pyfunction!(memory_held, m)?)?;
    m.add_function(wrap_pyfunction!(remove_spill_dirs, m)?)?;
    m.add_function(wrap_pyfunction!(remove_stale_spill_dirs, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_for_tests, m)?)?;
    m.add_function(wrap_pyfunction!(visualize, m)?)?;
    m.add_function(wrap_pyfunction!(profile_html, m)?)?;
    m.add_function(wrap_pyfunction!(mpi_available, m)?)?;
    m.add_function(wrap_pyfunction!(mpi_rank_size, m)?)?;
    m.add_function(wrap_pyfunction!(mpi_finalize, m)?)?;
    m.add_class::<CoreProfiler>()?;
    m.add_class::<CoreResourceProfiler>()?;
    let unary: Vec<&str> = UnaryOp::ALL.iter().map(|o| o.name()).collect();
    let binary: Vec<&str> = BinaryOp::ALL.iter().map(|o| o.name()).collect();
    m.add("UNARY_OPS", PyTuple::new(m.py(), unary)?)?;
    m.add("BINARY_OPS", PyTuple::new(m.py(), binary)?)?;
    // (name, keywords beyond axis/keepdims/split_every/out): "dtype", the integer parameter
    // ("ddof"), "one_axis" (an int axis or None).
    let reductions = ReduceOp::ALL
        .iter()
        .map(|op| {
            let kw = [op.takes_dtype().then_some("dtype"), op.param_name(), op.one_axis().then_some("one_axis")];
            (op.name(), PyTuple::new(m.py(), kw.into_iter().flatten().collect::<Vec<_>>())?).into_pyobject(m.py())
        })
        .collect::<PyResult<Vec<_>>>()?;
    m.add("REDUCTIONS", PyTuple::new(m.py(), reductions)?)?;
    Ok(())
}
