//! The expression graph: one node per array operation (never one per chunk), each
//! knowing its shape, dtype and chunks. An `Expr` is a cheap shared handle.

use crate::block::{Block, Scalar};
use crate::chunks::{self, Chunks};
use crate::dtype::DType;
use crate::ops::{BinaryOp, ReduceOp, UnaryOp};
use crate::view::AffineMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

#[derive(Clone, Debug, PartialEq)]
pub struct Meta {
    pub shape: Vec<usize>,
    pub dtype: DType,
    pub chunks: Chunks,
}

impl Meta {
    pub fn ndim(&self) -> usize {
        self.shape.len()
    }
    pub fn size(&self) -> usize {
        self.shape.iter().product()
    }
    pub fn nblocks(&self) -> usize {
        chunks::total_blocks(&self.chunks)
    }
    pub fn grid(&self) -> Vec<usize> {
        chunks::nblocks(&self.chunks)
    }
    /// Bytes of the largest block.
    pub fn max_block_bytes(&self) -> usize {
        self.chunks.iter().map(|c| c.max_size()).product::<usize>() * self.dtype.size()
    }
}

/// Random distributions; values are a function of (seed, stream, flat index in `base_shape`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RandomDist {
    /// Uniform on [0, 1).
    Random,
    Uniform { low: f64, high: f64 },
    Normal { loc: f64, scale: f64 },
    /// Integers in [low, high).
    Integers { low: i64, high: i64 },
}

/// A source whose element values are a function of their coordinates.
#[derive(Clone, Debug, PartialEq)]
pub enum Generator {
    Fill(Scalar),
    /// `start + step * i` over a 1-d base (also linspace).
    Range { start: f64, step: f64 },
    /// `linspace`: `start + step * i`, with the last element exactly `stop` when `endpoint`.
    Linspace { start: f64, stop: f64, num: usize, endpoint: bool },
    Random { dist: RandomDist, seed: u64, stream: u64 },
}

impl Generator {
    pub fn name(&self) -> &'static str {
        match self {
            Generator::Fill(_) => "full",
            Generator::Range { .. } => "arange",
            Generator::Linspace { .. } => "linspace",
            Generator::Random { dist, .. } => match dist {
                RandomDist::Random => "random",
                RandomDist::Uniform { .. } => "uniform",
                RandomDist::Normal { .. } => "normal",
                RandomDist::Integers { .. } => "integers",
            },
        }
    }
}

#[derive(Clone, Debug)]
pub enum Op {
    /// Values generated from coordinates: `map` takes this node's coordinates to `base_shape`'s.
    Generate { gen: Generator, base_shape: Vec<usize>, map: AffineMap },
    /// An in-memory array (a strided view, no copy) with this node's shape.
    Data(Block),
    /// Materialised blocks of a persisted array (in memory or spilled), in C order of the grid.
    Blocks(Arc<Vec<crate::spill::Stored>>),
    /// A view (slice, index, transpose, broadcast, new axis) of the input.
    View(AffineMap),
    Unary(UnaryOp),
    Binary(BinaryOp),
    /// A binary op with one scalar operand (already of the compute dtype).
    BinaryScalar { op: BinaryOp, scalar: Scalar, scalar_left: bool },
    Cast,
    Where,
    /// A tree reduction. `split_every[k]` is the fan-in along `axes[k]`.
    Reduce { op: ReduceOp, axes: Vec<usize>, keepdims: bool, split_every: Vec<usize> },
    Rechunk,
    /// Blockwise reshape of an input chunked so that blocks map one to one.
    Reshape,
    /// A block kernel applied with index notation (`map_blocks`, `blockwise`, ...).
    Blockwise { kernel: Arc<dyn crate::kernel::BlockKernel>, spec: Arc<crate::blockwise::BlockwiseSpec> },
    /// Each block a region of the input, with a boundary rule outside it (`overlap`, `trim`).
    Regions(Arc<crate::regions::RegionsSpec>),
    /// Runs of coordinates along one axis from several inputs (`concatenate`, `take`, `pad`).
    Gather(Arc<crate::gather::GatherSpec>),
    /// Output `k` (1 or more) of its input, a block kernel with several outputs (whose own
    /// blocks are output 0): made by the kernel's tasks, not by tasks of its own.
    Part(usize),
}

impl Op {
    pub fn name(&self) -> String {
        match self {
            Op::Generate { gen, .. } => gen.name().to_string(),
            Op::Data(_) => "array".into(),
            Op::Blocks(_) => "persisted".into(),
            Op::View(_) => "getitem".into(),
            Op::Unary(u) => u.name().into(),
            Op::Binary(b) | Op::BinaryScalar { op: b, .. } => b.name().into(),
            Op::Cast => "astype".into(),
            Op::Where => "where".into(),
            Op::Reduce { op, .. } => op.name().into(),
            Op::Rechunk => "rechunk".into(),
            Op::Reshape => "reshape".into(),
            Op::Blockwise { kernel, .. } => kernel.name().into(),
            Op::Regions(spec) => spec.name.into(),
            Op::Gather(spec) => spec.name.clone(),
            Op::Part(k) => format!("output{k}"),
        }
    }
    /// Ops whose blocks are always made by a stage of their own (never fused into a
    /// consumer's tile program).
    pub fn has_own_stage(&self) -> bool {
        matches!(self, Op::Reduce { .. } | Op::Rechunk | Op::Reshape | Op::Blocks(_) | Op::Blockwise { .. } | Op::Regions(_) | Op::Gather(_) | Op::Part(_))
    }
    pub fn is_elementwise(&self) -> bool {
        matches!(self, Op::Unary(_) | Op::Binary(_) | Op::BinaryScalar { .. } | Op::Cast | Op::Where)
    }
    pub fn is_source(&self) -> bool {
        matches!(self, Op::Generate { .. } | Op::Data(_) | Op::Blocks(_))
    }
}

pub struct Node {
    /// Unique per process; identifies the node in plans and caches.
    pub id: u64,
    pub op: Op,
    pub inputs: Vec<Expr>,
    pub meta: Meta,
}

pub type Expr = Arc<Node>;

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

impl Node {
    pub fn new(op: Op, inputs: Vec<Expr>, meta: Meta) -> Expr {
        Arc::new(Node { id: NEXT_ID.fetch_add(1, Ordering::Relaxed), op, inputs, meta })
    }
    /// A node like `self` with other inputs (same op and meta).
    pub fn with_inputs(&self, inputs: Vec<Expr>) -> Expr {
        Node::new(self.op.clone(), inputs, self.meta.clone())
    }
    /// A short label: `name-<id>`, like Dask's key names.
    pub fn label(&self) -> String {
        format!("{}-{}", self.op.name(), self.id)
    }
}

/// Drops a chain of sole-owned inputs iteratively: expression graphs can be far deeper than
/// the thread's stack.
impl Drop for Node {
    fn drop(&mut self) {
        let mut stack = std::mem::take(&mut self.inputs);
        while let Some(e) = stack.pop() {
            if let Ok(mut node) = Arc::try_unwrap(e) {
                stack.append(&mut node.inputs);
            }
        }
    }
}

/// Every node reachable from `roots`, each once, inputs before their users (in the order a
/// depth-first walk over inputs finishes them). Iterative, so graphs of any depth work.
pub fn postorder(roots: &[Expr]) -> Vec<Expr> {
    let mut seen = std::collections::HashSet::new();
    let mut order = Vec::new();
    let mut stack: Vec<(Expr, bool)> = roots.iter().rev().map(|r| (r.clone(), false)).collect();
    while let Some((n, expanded)) = stack.pop() {
        if expanded {
            order.push(n);
            continue;
        }
        if !seen.insert(n.id) {
            continue;
        }
        stack.push((n.clone(), true));
        stack.extend(n.inputs.iter().rev().filter(|i| !seen.contains(&i.id)).map(|i| (i.clone(), false)));
    }
    order
}

impl std::fmt::Debug for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{:?}:{}", self.label(), self.meta.shape, self.meta.dtype)
    }
}
