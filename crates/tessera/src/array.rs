//! `Array`: a lazy chunked array, a cheap handle to an expression node.

use std::fmt;
use std::sync::Arc;
use tessera_core::chunks::{ChunkSpec, Chunks};
use tessera_core::graph::Expr;
use tessera_core::ops::{BinaryOp, ReduceOp, UnaryOp};
use tessera_core::optimize::{optimize, plan_text};
use tessera_core::plan::{lower, Plan};
use tessera_core::view::IndexItem;
use tessera_core::{build, Block, DType, Result, Scalar, ScalarKind};
use tessera_exec::{Observer, Options};

#[derive(Clone)]
pub struct Array {
    expr: Expr,
}

/// The right-hand side of a binary operation: another array or a (weak) scalar.
pub enum Operand<'a> {
    Array(&'a Array),
    Scalar(Scalar, ScalarKind),
}

impl<'a> From<&'a Array> for Operand<'a> {
    fn from(a: &'a Array) -> Self {
        Operand::Array(a)
    }
}
impl From<f64> for Operand<'_> {
    fn from(v: f64) -> Self {
        Operand::Scalar(Scalar::F64(v), ScalarKind::Float)
    }
}
impl From<i64> for Operand<'_> {
    fn from(v: i64) -> Self {
        Operand::Scalar(Scalar::I64(v), ScalarKind::Int)
    }
}
impl From<i32> for Operand<'_> {
    fn from(v: i32) -> Self {
        Operand::Scalar(Scalar::I64(v as i64), ScalarKind::Int)
    }
}
impl From<bool> for Operand<'_> {
    fn from(v: bool) -> Self {
        Operand::Scalar(Scalar::Bool(v), ScalarKind::Bool)
    }
}

/// Which axes a reduction runs over, and how.
#[derive(Clone, Debug, Default)]
pub struct ReduceArgs {
    /// `None`: all axes.
    pub axes: Option<Vec<isize>>,
    pub keepdims: bool,
    /// Fan-in of the reduction tree (default 16 blocks per combine, like Dask).
    pub split_every: Option<usize>,
}

impl ReduceArgs {
    pub fn all() -> Self {
        ReduceArgs::default()
    }
    pub fn axis(axis: isize) -> Self {
        ReduceArgs { axes: Some(vec![axis]), ..Default::default() }
    }
    pub fn axes(axes: &[isize]) -> Self {
        ReduceArgs { axes: Some(axes.to_vec()), ..Default::default() }
    }
    pub fn keepdims(mut self, keep: bool) -> Self {
        self.keepdims = keep;
        self
    }
    pub fn split_every(mut self, n: usize) -> Self {
        self.split_every = Some(n);
        self
    }
}

/// How to run a computation.
#[derive(Clone)]
pub struct ComputeOptions {
    pub threads: usize,
    pub cancel: Arc<std::sync::atomic::AtomicBool>,
    pub observers: Vec<Arc<dyn Observer>>,
    /// Apply the optimizer rules (on by default).
    pub optimize: bool,
    /// Chunk bytes the executor may hold at once (default: `TESSERA_MEMORY_LIMIT`, else 3/4
    /// of the machine's or cgroup's memory); `None` for no limit.
    pub memory_limit: Option<usize>,
    /// Run across processes (MPI ranks, see the `tessera-mpi` crate); `None` runs locally.
    pub transport: Option<Arc<dyn tessera_exec::Transport>>,
    /// With a transport, deliver results only to rank 0 (other ranks get an error-free
    /// empty result list from `compute_many`).
    pub root_only: bool,
    /// Where worker loops run when tasks call into an interpreter (the Python extension).
    pub worker_scope: Option<Arc<dyn tessera_exec::WorkerScope>>,
}

impl Default for ComputeOptions {
    fn default() -> Self {
        ComputeOptions {
            threads: tessera_exec::default_threads(),
            cancel: Default::default(),
            observers: vec![],
            optimize: true,
            memory_limit: tessera_exec::default_memory_limit(),
            transport: None,
            root_only: false,
            worker_scope: None,
        }
    }
}

impl ComputeOptions {
    pub fn threads(mut self, n: usize) -> Self {
        self.threads = n.max(1);
        self
    }
    pub fn memory_limit(mut self, limit: Option<usize>) -> Self {
        self.memory_limit = limit;
        self
    }
    fn exec_options(&self) -> Options {
        Options {
            threads: self.threads,
            cancel: self.cancel.clone(),
            observers: self.observers.clone(),
            memory_limit: self.memory_limit,
            transport: self.transport.clone(),
            root_only: self.root_only,
            worker_scope: self.worker_scope.clone(),
        }
    }
}

/// One method per row of the ufunc table (`x.sqrt()`, `x.add(1.0)`, ...).
macro_rules! ufunc_methods {
    ([]
        UnaryOp { $($uv:ident $um:ident $un:literal $urest:tt)* }
        BinaryOp { $($bv:ident $bm:ident $bn:literal $brest:tt)* }
    ) => {
        $(
            #[doc = concat!("Elementwise `numpy.", $un, "`.")]
            pub fn $um(&self) -> Result<Array> {
                self.unary(UnaryOp::$uv)
            }
        )*
        $(
            #[doc = concat!("Elementwise `numpy.", $bn, "` (NumPy promotion and broadcasting).")]
            pub fn $bm<'a>(&self, other: impl Into<Operand<'a>>) -> Result<Array> {
                self.binary(BinaryOp::$bv, other)
            }
        )*
    };
}

/// Two methods per row of the reduction table: over all axes (`x.sum()`, `x.var(ddof)`) and
/// over one (`x.sum_axis(0)`, `x.var_axis(0, ddof)`).
macro_rules! reduce_methods {
    ([] $($v:ident $({ $p:ident })? $m:ident $ma:ident $n:literal => $state:ident, $out:expr, $flags:expr;)*) => {
        $(
            #[doc = concat!("`", $n, "` over all axes.")]
            pub fn $m(&self $(, $p: u32)?) -> Result<Array> {
                self.reduce(ReduceOp::$v $({ $p })?, &ReduceArgs::all())
            }
            #[doc = concat!("`", $n, "` over one axis.")]
            pub fn $ma(&self, axis: isize $(, $p: u32)?) -> Result<Array> {
                self.reduce(ReduceOp::$v $({ $p })?, &ReduceArgs::axis(axis))
            }
        )*
    };
}

impl Array {
    pub(crate) fn new(expr: Expr) -> Array {
        Array { expr }
    }
    pub fn from_expr(expr: Expr) -> Array {
        Array { expr }
    }
    pub fn expr(&self) -> &Expr {
        &self.expr
    }
    pub fn shape(&self) -> &[usize] {
        &self.expr.meta.shape
    }
    pub fn dtype(&self) -> DType {
        self.expr.meta.dtype
    }
    pub fn chunks(&self) -> &Chunks {
        &self.expr.meta.chunks
    }
    pub fn ndim(&self) -> usize {
        self.shape().len()
    }
    pub fn size(&self) -> usize {
        self.shape().iter().product()
    }
    pub fn nbytes(&self) -> usize {
        self.size() * self.dtype().size()
    }
    /// Blocks per axis.
    pub fn numblocks(&self) -> Vec<usize> {
        self.expr.meta.grid()
    }
    pub fn npartitions(&self) -> usize {
        self.expr.meta.nblocks()
    }
    /// The largest block size per axis.
    pub fn chunksize(&self) -> Vec<usize> {
        self.chunks().iter().map(|c| c.max_size()).collect()
    }
    /// Dask-style key name: `<operation>-<id>`.
    pub fn name(&self) -> String {
        self.expr.label()
    }

    pub fn unary(&self, op: UnaryOp) -> Result<Array> {
        Ok(Array::new(build::unary(op, &self.expr)?))
    }
    pub fn binary<'a>(&self, op: BinaryOp, other: impl Into<Operand<'a>>) -> Result<Array> {
        Ok(Array::new(match other.into() {
            Operand::Array(b) => build::binary(op, &self.expr, &b.expr)?,
            Operand::Scalar(s, kind) => build::binary_scalar(op, &self.expr, s, kind, false)?,
        }))
    }
    /// `scalar op self` (Python's reflected operators).
    pub fn rbinary(&self, op: BinaryOp, scalar: Scalar, kind: ScalarKind) -> Result<Array> {
        Ok(Array::new(build::binary_scalar(op, &self.expr, scalar, kind, true)?))
    }

    tessera_core::ufunc_table!(ufunc_methods);

    /// `clip(min, max)`: either bound may be absent.
    pub fn clip<'a>(&self, min: Option<Operand<'a>>, max: Option<Operand<'a>>) -> Result<Array> {
        let mut x = self.clone();
        if let Some(lo) = min {
            x = x.binary(BinaryOp::Maximum, lo)?;
        }
        if let Some(hi) = max {
            x = x.binary(BinaryOp::Minimum, hi)?;
        }
        Ok(x)
    }

    pub fn astype(&self, dtype: DType) -> Array {
        Array::new(build::astype(&self.expr, dtype))
    }

    pub fn reduce(&self, op: ReduceOp, args: &ReduceArgs) -> Result<Array> {
        Ok(Array::new(build::reduce(&self.expr, op, args.axes.as_deref(), args.keepdims, args.split_every)?))
    }

    tessera_core::reduction_table!(reduce_methods);

    /// Basic indexing: integers, slices (any step), new axes and one ellipsis.
    pub fn index(&self, items: &[IndexItem]) -> Result<Array> {
        Ok(Array::new(build::index(&self.expr, items)?))
    }
    pub fn transpose(&self, axes: Option<&[isize]>) -> Result<Array> {
        Ok(Array::new(build::transpose(&self.expr, axes)?))
    }
    /// The transpose (reversed axes).
    pub fn t(&self) -> Array {
        self.transpose(None).expect("reversing the axes is always valid")
    }
    pub fn rechunk(&self, chunks: impl Into<ChunkSpec>) -> Result<Array> {
        Ok(Array::new(build::rechunk(&self.expr, &chunks.into())?))
    }
    pub fn reshape(&self, shape: &[i64]) -> Result<Array> {
        Ok(Array::new(build::reshape(&self.expr, shape)?))
    }
    pub fn broadcast_to(&self, shape: &[usize]) -> Result<Array> {
        Ok(Array::new(build::broadcast_to(&self.expr, shape)?))
    }

    /// Computes the array with default options (all cores, or `TESSERA_NUM_THREADS`).
    pub fn compute(&self) -> Result<Block> {
        self.compute_with(&ComputeOptions::default())
    }
    /// Computes with `opts`. With `root_only` on a rank other than 0 there is no result:
    /// use `compute_many`, which returns an empty list there.
    pub fn compute_with(&self, opts: &ComputeOptions) -> Result<Block> {
        compute_many(&[self], opts)?.pop().ok_or_else(|| tessera_core::err!(Value, "compute", "no result on this rank (root_only)"))
    }
    /// Computes the array and keeps its blocks, with the same chunks: in memory, or
    /// spilled to disk where the memory limit requires.
    pub fn persist(&self) -> Result<Array> {
        self.persist_with(&ComputeOptions::default())
    }
    pub fn persist_with(&self, opts: &ComputeOptions) -> Result<Array> {
        Ok(persist_many(&[self], opts)?.remove(0))
    }
    /// The optimized expression and the plan of stages and tasks that `compute` would run.
    pub fn explain(&self) -> String {
        let opt = optimize(&[self.expr.clone()]);
        let plan = lower(&opt);
        let limit = ComputeOptions::default().memory_limit;
        let peak = plan.stages.iter().map(|s| s.task_bytes()).max().unwrap_or(0);
        format!(
            "expression (optimized):\n{}\nplan: {} stages, {} tasks, largest task {} bytes, memory limit {}\n{}",
            plan_text(&opt),
            plan.stages.len(),
            plan.task_count(),
            peak,
            limit.map(|l| format!("{l} bytes")).unwrap_or_else(|| "none".into()),
            plan.text()
        )
    }
    /// The plan `compute` would run.
    pub fn plan(&self, optimize_graph: bool) -> Plan {
        plan_of(&[self.expr.clone()], optimize_graph)
    }
}

pub fn plan_of(exprs: &[Expr], optimize_graph: bool) -> Plan {
    if optimize_graph {
        lower(&optimize(exprs))
    } else {
        lower(exprs)
    }
}

/// Persists several arrays together (shared work done once): arrays over their kept blocks.
pub fn persist_many(arrays: &[&Array], opts: &ComputeOptions) -> Result<Vec<Array>> {
    let exprs: Vec<Expr> = arrays.iter().map(|a| a.expr.clone()).collect();
    let plan = plan_of(&exprs, opts.optimize);
    let kept = tessera_exec::execute_kept(&plan, &opts.exec_options())?;
    Ok(kept.into_iter().zip(arrays).map(|(blocks, a)| Array::new(build::blocks(blocks, a.expr.meta.clone()))).collect())
}

/// Computes several arrays together; work they share is done once.
pub fn compute_many(arrays: &[&Array], opts: &ComputeOptions) -> Result<Vec<Block>> {
    let exprs: Vec<Expr> = arrays.iter().map(|a| a.expr.clone()).collect();
    let plan = plan_of(&exprs, opts.optimize);
    tessera_exec::execute(&plan, &opts.exec_options())
}

impl fmt::Display for Array {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tup = |v: &[usize]| match v.len() {
            1 => format!("({},)", v[0]),
            _ => format!("({})", v.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ")),
        };
        write!(
            f,
            "tessera.Array<{}, shape={}, dtype={}, chunksize={}, chunktype=numpy.ndarray>",
            self.expr.op.name(),
            tup(self.shape()),
            self.dtype(),
            tup(&self.chunksize())
        )
    }
}

impl fmt::Debug for Array {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
