//! Lowering: the optimized expression graph becomes a small graph of stages. A stage
//! produces the blocks of one materialised array; each of its blocks is one task. Chains
//! of elementwise operations, views and sources fuse into one stage (one task per chunk),
//! together with the first step of a following reduction. Tasks are never listed: block
//! indices and per-axis edge tables are enough to find any task's inputs and consumers.
//!
//! `program`: fused programs (leaves, instructions, slots); `deps`: which blocks a task
//! reads and who reads a block; `lower`: expressions to stages; `text`: the plan as text.

use crate::block::{Block, Scalar};
use crate::chunks::{self, AxisChunks, Chunks};
use crate::dtype::DType;
use crate::graph::{Expr, Generator, Meta, Node, Op};
use crate::ops::{BinaryOp, ReduceOp, UnaryOp};
use crate::view::{AffineMap, AxisMap};
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::Arc;

mod deps;
mod lower;
mod program;
mod text;
#[cfg(test)]
mod tests;

pub use deps::*;
pub use lower::*;
pub use program::*;

pub type StageId = usize;
/// A register of a fused program: the index of the instruction that computes it.
pub type Reg = usize;

/// What a fused stage does with the values of its program's last register.
#[derive(Clone, Debug, PartialEq)]
pub enum Head {
    /// Writes them out as the block.
    Store,
    /// Reduces them over `axes` into a partial result (the first step of a tree reduction).
    Partial { op: ReduceOp, axes: Vec<usize> },
}

#[derive(Clone, Debug)]
pub enum StageKind {
    /// `domain` is the chunking the program is evaluated over: the stage's own chunks for
    /// `Head::Store`, the reduced array's chunks for `Head::Partial` (same block grid).
    /// `slots` is where the program keeps its values (`Slots::of(program)`), worked out
    /// once here rather than in every task.
    Fused { leaves: Vec<Leaf>, program: Vec<(Instr, DType)>, slots: Slots, head: Head, domain: Chunks },
    /// Merges groups of partial results; the last level also finalises them.
    Combine { op: ReduceOp, axes: Vec<usize>, finalize: Option<Finalize> },
    Rechunk,
    /// Blockwise reshape: each block is the input block with the output block's shape.
    Reshape,
    Blocks(Arc<Vec<crate::spill::Stored>>),
    /// A block kernel: one call per output block, with its inputs' whole blocks (edge `k`
    /// is array argument `k`, indexed as `spec.args[k]`).
    /// `head` stores the kernel's block, or reduces it into a partial result (the first step
    /// of a reduction of the kernel's output); `out` is the kernel's output array.
    Blockwise { kernel: Arc<dyn crate::kernel::BlockKernel>, spec: Arc<crate::blockwise::BlockwiseSpec>, args: Vec<BlockArg>, head: Head, out: Meta },
    /// Each block a region of the input (chunked `in_chunks`), pieces copied into place with
    /// the boundary rule outside the input; with `views`, every block lies inside one input
    /// block and is a view of it (no copy).
    /// With `data`, the input is that in-memory array, read whole (one input block, no
    /// edges: the stage is a source), and blocks inside it are views of it whatever their
    /// size.
    Regions { spec: Arc<crate::regions::RegionsSpec>, in_chunks: Chunks, views: bool, data: Option<Block> },
    /// Runs along `spec.axis` from the blocks of edge `k` (input `k`, chunked `in_chunks[k]`
    /// along the axis) copied into place, or the fill; a block that is exactly one input
    /// block is passed through without a copy.
    Gather { spec: Arc<crate::gather::GatherSpec>, in_chunks: Vec<AxisChunks> },
    /// Output `k` (1 or more) of the block kernel of stage `of`: block `b` is made by task
    /// `b` of `of`, beside its own block. No tasks of its own and no edges; consumers read it
    /// as any stage, and its blocks are held and freed on their own.
    Part { of: StageId, k: usize },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Finalize {
    /// The input array's dtype (for mean/var of integers) and the reduction's output dtype.
    pub out_dtype: DType,
    pub keepdims: bool,
    /// How many input elements each output element reduces (for mean and var).
    pub count: usize,
}

/// Where a block kernel's argument comes from: the blocks of an edge, or a fused program
/// evaluated in the task (over the argument's chunks) from the stage's edges.
#[derive(Clone, Debug)]
pub enum BlockArg {
    Edge(usize),
    Program { leaves: Vec<Leaf>, program: Vec<(Instr, DType)>, slots: Slots, domain: Chunks },
}


#[derive(Clone, Debug)]
pub struct Edge {
    pub input: StageId,
    /// One per input axis.
    pub axes: Vec<AxisRel>,
}

#[derive(Clone, Debug)]
pub struct Stage {
    pub kind: StageKind,
    /// Shape, dtype and chunks of the blocks it produces (partial results: one cell per
    /// input block along reduced axes).
    pub meta: Meta,
    pub edges: Vec<Edge>,
    /// A name for pictures and profiles: `normal`, `mean_chunk`, `mean_agg`, ...
    pub name: String,
    /// Estimated bytes a task adds while it runs: its output and working tiles.
    pub out_bytes: usize,
    /// Estimated bytes of a task's inputs (held by their producers until consumed).
    pub in_bytes: usize,
}

#[derive(Clone, Debug)]
pub struct Plan {
    pub stages: Vec<Stage>,
    pub outputs: Vec<StageId>,
}

impl Stage {
    pub fn grid(&self) -> Vec<usize> {
        self.meta.grid()
    }
    pub fn nblocks(&self) -> usize {
        self.meta.nblocks()
    }
    /// A stage whose tasks read nothing.
    pub fn is_source(&self) -> bool {
        self.edges.is_empty() && !matches!(self.kind, StageKind::Part { .. })
    }
    /// How many tasks it runs: one per block, none for a kernel's further output.
    pub fn tasks(&self) -> usize {
        if matches!(self.kind, StageKind::Part { .. }) { 0 } else { self.nblocks() }
    }
    /// A source whose blocks are cheaper to make again than to spill: a storage read
    /// (see `BlockKernel::rereadable`) or views of an in-memory array.
    pub fn rereadable(&self) -> bool {
        self.is_source()
            && match &self.kind {
                StageKind::Blockwise { kernel, head: Head::Store, .. } => kernel.rereadable(),
                StageKind::Regions { data: Some(_), .. } => true,
                _ => false,
            }
    }
    /// Whether its tasks call into the Python interpreter.
    pub fn needs_gil(&self) -> bool {
        matches!(&self.kind, StageKind::Blockwise { kernel, .. } if kernel.needs_gil())
    }
    /// Estimated bytes held while one task runs: inputs, output and working tiles.
    pub fn task_bytes(&self) -> usize {
        self.in_bytes + self.out_bytes
    }
    /// The largest block shape this stage's tasks evaluate over.
    pub fn max_chunk_shape(&self) -> Vec<usize> {
        let chunks = match &self.kind {
            StageKind::Fused { domain, .. } => domain,
            _ => &self.meta.chunks,
        };
        chunks.iter().map(|c| c.max_size()).collect()
    }
    /// Input blocks of consumer block `index`, per edge, in C order.
    pub fn deps(&self, index: &[usize], plan: &Plan) -> Vec<Vec<usize>> {
        self.edges
            .iter()
            .map(|e| {
                // An input of a gather that this block does not read (a concatenation of
                // many arrays reads one): no work per edge beyond this check.
                let outside = e.axes.iter().any(|r| match r {
                    AxisRel::Table { out_axis, first, deps, .. } => {
                        let c = index[*out_axis];
                        c < *first as usize || c - *first as usize >= deps.len()
                    }
                    _ => false,
                });
                if outside {
                    return vec![];
                }
                let sels: Vec<Sel> = e
                    .axes
                    .iter()
                    .map(|r| match r {
                        AxisRel::Driven { out_axis, deps, .. } => {
                            let (a, b) = deps[index[*out_axis]];
                            Sel::Range(a as usize..b as usize)
                        }
                        AxisRel::Range(lo, hi) => Sel::Range(*lo..*hi),
                        AxisRel::Table { out_axis, first, deps, .. } => {
                            let c = index[*out_axis];
                            Sel::List(if c < *first as usize { vec![] } else { deps.get(c - *first as usize).to_vec() })
                        }
                    })
                    .collect();
                ravel_all(&sels, &plan.stages[e.input].grid())
            })
            .collect()
    }
    /// Consumer blocks (of this stage) that need block `index` of the input through edge `e`.
    pub fn users(&self, e: usize, index: &[usize]) -> Vec<usize> {
        let grid = self.grid();
        let mut sels: Vec<Sel> = grid.iter().map(|&g| Sel::Range(0..g)).collect();
        for (a, r) in self.edges[e].axes.iter().enumerate() {
            match r {
                AxisRel::Driven { out_axis, first, users, .. } => {
                    let (lo, hi) = users.get(index[a].wrapping_sub(*first as usize)).copied().unwrap_or((0, 0));
                    sels[*out_axis] = sels[*out_axis].and(Sel::Range(lo as usize..hi as usize));
                }
                AxisRel::Range(lo, hi) => {
                    if index[a] < *lo || index[a] >= *hi {
                        return vec![];
                    }
                }
                AxisRel::Table { out_axis, users, .. } => sels[*out_axis] = sels[*out_axis].and(Sel::List(users.get(index[a]).to_vec())),
            }
        }
        ravel_all(&sels, &grid)
    }
}

impl Plan {
    /// The stages of the further outputs of stage `s`'s kernel, in order (`Part` stages).
    pub fn parts_of(&self, s: StageId) -> Vec<StageId> {
        let mut parts: Vec<(usize, StageId)> = self.stages.iter().enumerate().filter_map(|(p, st)| match st.kind {
            StageKind::Part { of, k } if of == s => Some((k, p)),
            _ => None,
        }).collect();
        parts.sort_unstable();
        parts.into_iter().map(|(_, p)| p).collect()
    }
}

impl StageKind {
    pub fn fused(leaves: Vec<Leaf>, program: Vec<(Instr, DType)>, head: Head, domain: Chunks) -> StageKind {
        let slots = Slots::of(&program);
        StageKind::Fused { leaves, program, slots, head, domain }
    }

    /// Estimated bytes of a fused program's tile registers (float64); 0 for other kinds.
    fn tile_bytes(&self) -> usize {
        match self {
            StageKind::Fused { program, slots, .. } => slots.len() * tile_len(program.len()) * 8,
            _ => 0,
        }
    }
}
