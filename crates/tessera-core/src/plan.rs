//! Lowering: the optimized expression graph becomes a small graph of stages. A stage
//! produces the blocks of one materialised array; each of its blocks is one task. Chains
//! of elementwise operations, views and sources fuse into one stage (one task per chunk),
//! together with the first step of a following reduction. Tasks are never listed: block
//! indices and per-axis edge tables are enough to find any task's inputs and consumers.

use crate::block::{Block, Scalar};
use crate::chunks::{self, AxisChunks, Chunks};
use crate::dtype::DType;
use crate::graph::{Expr, Generator, Meta, Node, Op};
use crate::ops::{BinaryOp, ReduceOp, UnaryOp};
use crate::view::{AffineMap, AxisMap};
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::Arc;

pub type StageId = usize;
/// A register of a fused program: the index of the instruction that computes it.
pub type Reg = usize;

#[derive(Clone, Debug)]
pub enum Leaf {
    /// Blocks of an input stage, seen through a map from this stage's coordinates.
    Input { edge: usize, map: AffineMap },
    /// In-memory data (the whole array), seen through a map.
    Data { block: Block },
    Generate { gen: Generator, base_shape: Vec<usize>, map: AffineMap },
}

#[derive(Clone, Debug)]
pub enum Instr {
    Leaf(usize),
    Unary(UnaryOp, Reg),
    Binary(BinaryOp, Reg, Reg),
    BinaryScalar { op: BinaryOp, x: Reg, scalar: Scalar, scalar_left: bool },
    Cast(Reg),
    Where(Reg, Reg, Reg),
}

impl Instr {
    /// The registers this instruction reads.
    pub fn reads(&self) -> Vec<Reg> {
        match *self {
            Instr::Leaf(_) => vec![],
            Instr::Unary(_, x) | Instr::BinaryScalar { x, .. } | Instr::Cast(x) => vec![x],
            Instr::Binary(_, a, b) => vec![a, b],
            Instr::Where(c, a, b) => vec![c, a, b],
        }
    }
}

/// Where a fused program keeps its values: `slot[i]` holds instruction `i`'s result, and a
/// slot is reused once every reader of its value has run, so a chain of any length needs a
/// few tiles rather than one per instruction. Each slot holds one dtype (`dtypes[slot]`);
/// an instruction never writes a slot it reads.
#[derive(Clone, Debug, PartialEq)]
pub struct Slots {
    pub slot: Vec<usize>,
    pub dtypes: Vec<DType>,
}

impl Slots {
    pub fn of(program: &[(Instr, DType)]) -> Slots {
        let mut last_read = vec![0; program.len()];
        for (i, (instr, _)) in program.iter().enumerate() {
            for r in instr.reads() {
                last_read[r] = i;
            }
        }
        let mut slots = Slots { slot: Vec::with_capacity(program.len()), dtypes: vec![] };
        let mut free: Vec<usize> = vec![];
        for (i, (instr, dtype)) in program.iter().enumerate() {
            let s = match free.iter().rposition(|&s| slots.dtypes[s] == *dtype) {
                Some(k) => free.swap_remove(k),
                None => {
                    slots.dtypes.push(*dtype);
                    slots.dtypes.len() - 1
                }
            };
            slots.slot.push(s);
            let mut reads = instr.reads();
            reads.sort_unstable();
            reads.dedup();
            // The program's result (the last register) is read after the program.
            free.extend(reads.into_iter().filter(|&r| last_read[r] == i && r + 1 != program.len()).map(|r| slots.slot[r]));
        }
        slots
    }

    pub fn len(&self) -> usize {
        self.dtypes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.dtypes.is_empty()
    }
}

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

/// Which input blocks along one input axis a consumer block needs.
#[derive(Clone, Debug)]
pub enum AxisRel {
    /// Driven by consumer axis `out_axis`: `deps[c]` is the input block range of consumer
    /// block `c`, `users[i]` the consumer block range that needs input block `i`.
    Driven { out_axis: usize, deps: Vec<(u32, u32)>, users: Vec<(u32, u32)> },
    /// Always input blocks `lo..hi` along this axis, whatever the consumer block.
    Range(usize, usize),
    /// Driven by consumer axis `out_axis` through explicit sorted lists (any sets: a
    /// periodic halo that wraps around, scattered indices): consumer block `c` needs input
    /// blocks `deps.get(c - first)` (none outside `first..first + deps.len()`, so an input
    /// of a concatenation costs only its own consumers), `users.get(i)` are the consumer
    /// blocks of input block `i`.
    Table { out_axis: usize, first: u32, deps: Csr, users: Csr },
}

/// Lists of u32 stored flat: list `i` is `items[offsets[i]..offsets[i + 1]]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Csr {
    pub offsets: Arc<[u32]>,
    pub items: Arc<[u32]>,
}

impl Csr {
    pub fn from_lists<L: AsRef<[u32]>>(lists: &[L]) -> Csr {
        let mut offsets = Vec::with_capacity(lists.len() + 1);
        let mut items = Vec::new();
        offsets.push(0);
        for l in lists {
            items.extend_from_slice(l.as_ref());
            offsets.push(items.len() as u32);
        }
        Csr { offsets: offsets.into(), items: items.into() }
    }
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// List `i` (empty past the end).
    pub fn get(&self, i: usize) -> &[u32] {
        if i >= self.len() {
            return &[];
        }
        &self.items[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }
    /// The inverse relation over `n` targets: list `j` holds the `i` whose lists hold `j`,
    /// shifted by `base`.
    pub fn invert(&self, n: usize, base: u32) -> Csr {
        let mut counts = vec![0u32; n + 1];
        for &j in self.items.iter() {
            counts[j as usize + 1] += 1;
        }
        for j in 0..n {
            counts[j + 1] += counts[j];
        }
        let mut fill = counts.clone();
        let mut items = vec![0u32; self.items.len()];
        for i in 0..self.len() {
            for &j in self.get(i) {
                items[fill[j as usize] as usize] = i as u32 + base;
                fill[j as usize] += 1;
            }
        }
        Csr { offsets: counts.into(), items: items.into() }
    }
}

/// The blocks a task touches along one axis: a range, or a sorted list.
enum Sel {
    Range(Range<usize>),
    List(Vec<u32>),
}

impl Sel {
    fn items(&self) -> Vec<usize> {
        match self {
            Sel::Range(r) => r.clone().collect(),
            Sel::List(l) => l.iter().map(|&i| i as usize).collect(),
        }
    }
    /// The blocks in both.
    fn and(&self, other: Sel) -> Sel {
        match (self, other) {
            (Sel::Range(a), Sel::Range(b)) => Sel::Range(a.start.max(b.start)..a.end.min(b.end)),
            (a, b) => {
                let keep = a.items();
                Sel::List(b.items().into_iter().filter(|i| keep.binary_search(i).is_ok()).map(|i| i as u32).collect())
            }
        }
    }
}

/// All multi-indices of the box of per-axis selections, raveled in `grid`, in C order.
fn ravel_all(sels: &[Sel], grid: &[usize]) -> Vec<usize> {
    if sels.iter().all(|s| matches!(s, Sel::Range(_))) {
        let ranges: Vec<Range<usize>> = sels.iter().map(|s| if let Sel::Range(r) = s { r.clone() } else { unreachable!() }).collect();
        return product(&ranges).into_iter().map(|ix| chunks::ravel(&ix, grid)).collect();
    }
    let lists: Vec<Vec<usize>> = sels.iter().map(|s| s.items()).collect();
    let ranges: Vec<Range<usize>> = lists.iter().map(|l| 0..l.len()).collect();
    product(&ranges).into_iter().map(|pos| chunks::ravel(&pos.iter().zip(&lists).map(|(&p, l)| l[p]).collect::<Vec<_>>(), grid)).collect()
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
    pub fn is_source(&self) -> bool {
        self.edges.is_empty()
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
                AxisRel::Driven { out_axis, users, .. } => {
                    let (lo, hi) = users[index[a]];
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

/// All multi-indices in the box `ranges`, in C order.
pub fn product(ranges: &[Range<usize>]) -> Vec<Vec<usize>> {
    if ranges.iter().any(|r| r.is_empty()) {
        return vec![];
    }
    let mut out = vec![ranges.iter().map(|r| r.start).collect::<Vec<_>>()];
    loop {
        let mut next = out.last().unwrap().clone();
        let mut k = ranges.len();
        loop {
            if k == 0 {
                return out;
            }
            k -= 1;
            next[k] += 1;
            if next[k] < ranges[k].end {
                break;
            }
            next[k] = ranges[k].start;
        }
        out.push(next);
    }
}

/// Inverse of a monotone table of consumer -> input block ranges.
fn invert(deps: &[(u32, u32)], n_inputs: usize) -> Vec<(u32, u32)> {
    let mut users = vec![(u32::MAX, 0u32); n_inputs];
    for (c, &(a, b)) in deps.iter().enumerate() {
        for i in a..b {
            let u = &mut users[i as usize];
            u.0 = u.0.min(c as u32);
            u.1 = u.1.max(c as u32 + 1);
        }
    }
    for u in &mut users {
        if u.0 == u32::MAX {
            *u = (0, 0);
        }
    }
    users
}

/// The relation of per-consumer sorted input lists: `Driven` when every list and every
/// inverse list is a contiguous range, else `Table`.
fn table_rel(out_axis: usize, deps: Vec<Vec<u32>>, n_inputs: usize) -> AxisRel {
    let mut users = vec![Vec::new(); n_inputs];
    for (c, d) in deps.iter().enumerate() {
        for &i in d {
            users[i as usize].push(c as u32);
        }
    }
    let contiguous = |l: &Vec<u32>| l.windows(2).all(|w| w[1] == w[0] + 1);
    if deps.iter().all(contiguous) && users.iter().all(contiguous) {
        let range = |l: &Vec<u32>| l.first().map_or((0, 0), |&f| (f, f + l.len() as u32));
        return AxisRel::Driven { out_axis, deps: deps.iter().map(range).collect(), users: users.iter().map(range).collect() };
    }
    table(out_axis, 0, &deps, n_inputs)
}

/// A `Table` relation: consumer block `first + c` needs input blocks `deps[c]` (sorted).
pub fn table<L: AsRef<[u32]>>(out_axis: usize, first: u32, deps: &[L], n_inputs: usize) -> AxisRel {
    let deps = Csr::from_lists(deps);
    let users = deps.invert(n_inputs, first);
    AxisRel::Table { out_axis, first, deps, users }
}

fn driven(out_axis: usize, deps: Vec<(u32, u32)>, n_inputs: usize) -> AxisRel {
    let users = invert(&deps, n_inputs);
    AxisRel::Driven { out_axis, deps, users }
}

/// The edge of a view: each consumer block lies inside one input block.
fn view_edge(input: StageId, map: &AffineMap, out_chunks: &Chunks, in_chunks: &Chunks) -> Edge {
    let axes = map
        .axes
        .iter()
        .enumerate()
        .map(|(a, m)| match *m {
            AxisMap::Fixed(c) => {
                let b = in_chunks[a].block_of(c);
                AxisRel::Range(b, b + 1)
            }
            AxisMap::Strided { out_axis, start, step } => {
                let oc = &out_chunks[out_axis];
                let mut deps: Vec<Option<u32>> = (0..oc.nblocks())
                    .map(|b| {
                        let first = oc.start(b) as isize;
                        (oc.size(b) > 0).then(|| in_chunks[a].block_of((start as isize + step * first) as usize) as u32)
                    })
                    .collect();
                // An empty block reads nothing, but `users` is built as ranges, so its
                // dependency must keep the table monotone: take a neighbour's.
                let mut prev = deps.iter().flatten().next().copied().unwrap_or(0);
                for d in &mut deps {
                    prev = *d.get_or_insert(prev);
                }
                let deps = deps.into_iter().flatten().map(|i| (i, i + 1)).collect();
                driven(out_axis, deps, in_chunks[a].nblocks())
            }
        })
        .collect();
    Edge { input, axes }
}

/// The most input blocks one consumer block of `edge` needs.
fn fan(edge: &Edge) -> usize {
    edge.axes
        .iter()
        .map(|r| match r {
            AxisRel::Driven { deps, .. } => deps.iter().map(|(a, b)| (b - a) as usize).max().unwrap_or(1),
            AxisRel::Range(a, b) => b - a,
            AxisRel::Table { deps, .. } => (0..deps.len()).map(|c| deps.get(c).len()).max().unwrap_or(1),
        })
        .product()
}

/// The edge of a rechunk: a consumer block needs every input block it overlaps.
fn overlap_edge(input: StageId, out_chunks: &Chunks, in_chunks: &Chunks) -> Edge {
    let axes = out_chunks
        .iter()
        .zip(in_chunks)
        .enumerate()
        .map(|(a, (oc, ic))| {
            let deps = (0..oc.nblocks())
                .map(|b| {
                    if oc.size(b) == 0 {
                        let i = ic.block_of(oc.start(b).min(ic.len().saturating_sub(1)));
                        return (i as u32, i as u32 + 1);
                    }
                    let lo = ic.block_of(oc.start(b));
                    let hi = ic.block_of(oc.start(b) + oc.size(b) - 1);
                    (lo as u32, hi as u32 + 1)
                })
                .collect();
            driven(a, deps, ic.nblocks())
        })
        .collect();
    Edge { input, axes }
}

/// The edge of one tree-reduction level: groups of `split[k]` blocks along `axes[k]`.
/// The grid returned keeps the input's axes (reduced ones shrink); with `drop_reduced`
/// (the last level without keepdims) the consumer's grid has only the kept axes.
fn group_edge(input: StageId, in_grid: &[usize], axes: &[usize], split: &[usize], drop_reduced: bool) -> (Edge, Vec<usize>) {
    let mut out_grid = in_grid.to_vec();
    let mut kept = 0;
    let rels = in_grid
        .iter()
        .enumerate()
        .map(|(a, &g)| {
            let s = axes.iter().position(|&x| x == a).map(|k| split[k]).unwrap_or(1);
            out_grid[a] = g.div_ceil(s).max(1);
            if drop_reduced && axes.contains(&a) {
                return AxisRel::Range(0, g);
            }
            let deps = (0..out_grid[a]).map(|c| ((c * s) as u32, ((c + 1) * s).min(g) as u32)).collect();
            let out_axis = if drop_reduced { kept } else { a };
            kept += 1;
            driven(out_axis, deps, g)
        })
        .collect();
    (Edge { input, axes: rels }, out_grid)
}

/// Lowers optimized outputs to a plan.
pub fn lower(roots: &[Expr]) -> Plan {
    lower_with(roots, true)
}

/// Lowers without fusion: one stage per operation (what Dask's unoptimized graph shows).
pub fn lower_unfused(roots: &[Expr]) -> Plan {
    lower_with(roots, false)
}

fn lower_with(roots: &[Expr], fuse: bool) -> Plan {
    let mut users: HashMap<u64, usize> = HashMap::new();
    count_users(roots, &mut users, &mut HashMap::new());
    let order = crate::graph::postorder(roots);
    let read_as_stage: HashSet<u64> = order
        .iter()
        .filter_map(|n| match &n.op {
            Op::View(map) => Some(view_target(n, map).0.id),
            Op::Rechunk | Op::Reshape => Some(n.inputs[0].id),
            _ => None,
        })
        .chain(order.iter().flat_map(|n| match &n.op {
            // Arguments read whole along contracted axes are blocks of a stage; the others
            // are computed inside the kernel's task when they fuse.
            Op::Blockwise { spec, .. } => n.inputs.iter().zip(&spec.args).filter(|(_, ind)| !fuse || !spec.fuses(ind)).map(|(i, _)| i.id).collect(),
            _ => vec![],
        }))
        .chain(order.iter().filter(|n| matches!(n.op, Op::Gather(_))).flat_map(|n| n.inputs.iter().map(|i| i.id)))
        // Regions read in-memory data directly.
        .chain(order.iter().filter(|n| matches!(n.op, Op::Regions(_)) && !matches!(n.inputs[0].op, Op::Data(_))).map(|n| n.inputs[0].id))
        .collect();
    // Block kernels whose only consumer is a reduction (and not an output themselves) reduce
    // their blocks in their own tasks.
    let roots_ids: HashSet<u64> = roots.iter().map(|r| r.id).collect();
    let reduced_kernels = order
        .iter()
        .filter(|n| fuse && matches!(n.op, Op::Reduce { .. }))
        .map(|n| &n.inputs[0])
        .filter(|x| matches!(x.op, Op::Blockwise { .. }) && users.get(&x.id) == Some(&1) && !roots_ids.contains(&x.id) && !read_as_stage.contains(&x.id))
        .map(|x| x.id)
        .collect();
    let mut l = Lowering { plan: Plan { stages: vec![], outputs: vec![] }, stage_of: HashMap::new(), users, read_as_stage, reduced_kernels, fuse };
    // Stages are made inputs first, so that materializing a node never recurses into its
    // inputs' stages: graphs can be far deeper than the stack.
    for n in order {
        if l.gets_stage(&n) {
            l.materialize(&n);
        }
    }
    for r in roots {
        let s = l.materialize(r);
        l.plan.outputs.push(s);
    }
    l.plan
}

fn count_users(roots: &[Expr], users: &mut HashMap<u64, usize>, seen: &mut HashMap<u64, ()>) {
    let mut stack: Vec<Expr> = roots.to_vec();
    while let Some(n) = stack.pop() {
        if seen.insert(n.id, ()).is_some() {
            continue;
        }
        for i in &n.inputs {
            *users.entry(i.id).or_default() += 1;
            stack.push(i.clone());
        }
    }
}

struct Lowering {
    plan: Plan,
    stage_of: HashMap<u64, StageId>,
    users: HashMap<u64, usize>,
    /// Nodes that some consumer reads as a stage whatever the fusion: what views read, and
    /// the inputs of rechunks and reshapes.
    read_as_stage: HashSet<u64>,
    /// Block kernels lowered into their reduction's first stage (see `lower_with`).
    reduced_kernels: HashSet<u64>,
    fuse: bool,
}

struct FusedBuilder {
    leaves: Vec<Leaf>,
    program: Vec<(Instr, DType)>,
    edges: Vec<Edge>,
    memo: HashMap<u64, Reg>,
    in_bytes: usize,
}

/// Elements per tile of a fused program's registers: 32 KiB of float64, which stay in cache.
const TILE: usize = 4096;

/// Elements per tile for a fused program with `registers` registers. A lone register (a
/// source streamed into a reduction or a store) is never read by a later instruction, so
/// it takes longer tiles, which cut the per-tile cost of its source (the partly used last
/// pass of a random fill, for one).
pub fn tile_len(registers: usize) -> usize {
    if registers <= 1 { 8 * TILE } else { TILE }
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

impl Lowering {
    fn push(&mut self, stage: Stage) -> StageId {
        self.plan.stages.push(stage);
        self.plan.stages.len() - 1
    }

    /// Nodes that get a stage of their own rather than being fused into their consumers.
    fn is_boundary(&self, n: &Node) -> bool {
        if !self.fuse {
            return true;
        }
        match n.op {
            _ if n.op.has_own_stage() => true,
            // Shared non-source work is computed once.
            _ => n.op.is_elementwise() && self.users.get(&n.id).copied().unwrap_or(0) > 1,
        }
    }

    /// Whether `n` has a stage of its own when a consumer reaches it: a boundary, or the
    /// node a view reads (a view of a view reads the inner view's input).
    fn gets_stage(&self, n: &Node) -> bool {
        (self.is_boundary(n) && !self.reduced_kernels.contains(&n.id)) || self.read_as_stage.contains(&n.id)
    }

    fn materialize(&mut self, n: &Expr) -> StageId {
        if let Some(&s) = self.stage_of.get(&n.id) {
            return s;
        }
        let s = match &n.op {
            Op::Reduce { op, axes, keepdims, split_every } => self.reduction(n, *op, axes, *keepdims, split_every),
            Op::Rechunk => {
                let x = &n.inputs[0];
                let mut input = self.materialize(x);
                let mut in_meta = x.meta.clone();
                let mut name = "rechunk";
                // All to all (output blocks gather several input blocks, input blocks feed
                // several output blocks): first cut the input into the pieces where both
                // chunkings' boundaries meet, so that a merge task holds one output block's
                // worth of input rather than every input block it touches.
                if fan(&overlap_edge(input, &n.meta.chunks, &in_meta.chunks)) > 1 && fan(&overlap_edge(input, &in_meta.chunks, &n.meta.chunks)) > 1 {
                    let cut: Chunks = n.meta.chunks.iter().zip(&in_meta.chunks).map(|(o, i)| crate::build::common_axis_chunks(&[o, i])).collect();
                    let map = AffineMap::identity(&x.meta.shape);
                    let edge = view_edge(input, &map, &cut, &in_meta.chunks);
                    let piece = Meta { chunks: cut.clone(), ..x.meta.clone() };
                    let kind = StageKind::fused(vec![Leaf::Input { edge: 0, map }], vec![(Instr::Leaf(0), x.meta.dtype)], Head::Store, cut);
                    let (out_bytes, in_bytes) = (piece.max_block_bytes() + kind.tile_bytes(), x.meta.max_block_bytes());
                    input = self.push(Stage { kind, meta: piece.clone(), edges: vec![edge], name: "rechunk-split".into(), out_bytes, in_bytes });
                    in_meta = piece;
                    name = "rechunk-merge";
                }
                let edge = overlap_edge(input, &n.meta.chunks, &in_meta.chunks);
                let (out_bytes, in_bytes) = (n.meta.max_block_bytes(), fan(&edge) * in_meta.max_block_bytes());
                self.push(Stage { kind: StageKind::Rechunk, meta: n.meta.clone(), edges: vec![edge], name: name.into(), out_bytes, in_bytes })
            }
            Op::Reshape => {
                let x = &n.inputs[0];
                let input = self.materialize(x);
                let edge = reshape_edge(input, &x.meta, &n.meta);
                let (out_bytes, in_bytes) = (n.meta.max_block_bytes(), x.meta.max_block_bytes());
                self.push(Stage { kind: StageKind::Reshape, meta: n.meta.clone(), edges: vec![edge], name: "reshape".into(), out_bytes, in_bytes })
            }
            Op::Blockwise { kernel, spec } => {
                let stage = self.blockwise(n, kernel, spec, Head::Store);
                self.push(stage)
            }
            Op::Regions(spec) => self.regions(n, spec),
            Op::Gather(spec) => self.gather(n, spec),
            Op::Blocks(b) => {
                let out_bytes = n.meta.max_block_bytes();
                self.push(Stage { kind: StageKind::Blocks(b.clone()), meta: n.meta.clone(), edges: vec![], name: "persisted".into(), out_bytes, in_bytes: 0 })
            }
            _ => {
                let mut f = FusedBuilder { leaves: vec![], program: vec![], edges: vec![], memo: HashMap::new(), in_bytes: 0 };
                self.emit(n, &mut f);
                let name = fused_name(n);
                let kind = StageKind::fused(f.leaves, f.program, Head::Store, n.meta.chunks.clone());
                let out_bytes = n.meta.max_block_bytes() + kind.tile_bytes();
                self.push(Stage { kind, meta: n.meta.clone(), edges: f.edges, name, out_bytes, in_bytes: f.in_bytes })
            }
        };
        self.stage_of.insert(n.id, s);
        s
    }

    /// Adds `root`'s computation to a fused program and returns its register. Walks the
    /// fused region with an explicit stack (chains can be far deeper than the thread's stack);
    /// the stages it reads exist already (see `lower_with`).
    fn emit(&mut self, root: &Expr, f: &mut FusedBuilder) -> Reg {
        let mut stack = vec![(root.clone(), false)];
        while let Some((n, expanded)) = stack.pop() {
            if f.memo.contains_key(&n.id) {
                continue;
            }
            let fused = n.id == root.id || !self.is_boundary(&n);
            if fused && n.op.is_elementwise() && !expanded {
                stack.push((n.clone(), true));
                stack.extend(n.inputs.iter().rev().filter(|i| !f.memo.contains_key(&i.id)).map(|i| (i.clone(), false)));
                continue;
            }
            let instr = if fused { self.instr(&n, f) } else { self.stage_leaf(&n, f) };
            f.program.push((instr, n.meta.dtype));
            f.memo.insert(n.id, f.program.len() - 1);
        }
        f.memo[&root.id]
    }

    /// The instruction computing fused node `n`, whose fused inputs have registers.
    fn instr(&mut self, n: &Expr, f: &mut FusedBuilder) -> Instr {
        let reg = |k: usize| f.memo[&n.inputs[k].id];
        match &n.op {
            Op::Generate { gen, base_shape, map } => {
                f.leaves.push(Leaf::Generate { gen: gen.clone(), base_shape: base_shape.clone(), map: map.clone() });
                Instr::Leaf(f.leaves.len() - 1)
            }
            Op::Data(block) => {
                f.leaves.push(Leaf::Data { block: block.clone() });
                Instr::Leaf(f.leaves.len() - 1)
            }
            Op::View(map) => {
                let (x, map) = view_target(n, map);
                let s = self.materialize(&x);
                self.input_leaf(f, s, map, n)
            }
            Op::Unary(op) => Instr::Unary(*op, reg(0)),
            Op::Binary(op) => Instr::Binary(*op, reg(0), reg(1)),
            Op::BinaryScalar { op, scalar, scalar_left } => Instr::BinaryScalar { op: *op, x: reg(0), scalar: *scalar, scalar_left: *scalar_left },
            Op::Cast => Instr::Cast(reg(0)),
            Op::Where => Instr::Where(reg(0), reg(1), reg(2)),
            Op::Reduce { .. } | Op::Rechunk | Op::Reshape | Op::Blocks(_) | Op::Blockwise { .. } | Op::Regions(_) | Op::Gather(_) => self.stage_leaf(n, f),
        }
    }

    /// A leaf reading `n`'s own stage whole.
    fn stage_leaf(&mut self, n: &Expr, f: &mut FusedBuilder) -> Instr {
        let s = self.materialize(n);
        self.input_leaf(f, s, AffineMap::identity(&n.meta.shape), n)
    }

    /// A leaf reading stage `s` through `map` (from the consumer's coordinates, whose
    /// chunks are `n`'s).
    fn input_leaf(&mut self, f: &mut FusedBuilder, s: StageId, map: AffineMap, n: &Expr) -> Instr {
        let in_meta = self.plan.stages[s].meta.clone();
        f.edges.push(view_edge(s, &map, &n.meta.chunks, &in_meta.chunks));
        f.in_bytes += in_meta.max_block_bytes();
        f.leaves.push(Leaf::Input { edge: f.edges.len() - 1, map });
        Instr::Leaf(f.leaves.len() - 1)
    }

    /// A block kernel's stage. An argument axis indexed like an output axis is read block
    /// for block (or its one block, broadcast); a contracted axis is read whole. Arguments
    /// without contracted axes that would fuse (sources, views, elementwise chains) are
    /// computed in the kernel's task, as a tile program over the argument's block.
    fn blockwise(&mut self, n: &Expr, kernel: &Arc<dyn crate::kernel::BlockKernel>, spec: &Arc<crate::blockwise::BlockwiseSpec>, head: Head) -> Stage {
        let out_grid = n.meta.grid();
        let mut edges: Vec<Edge> = Vec::with_capacity(n.inputs.len());
        let mut args = Vec::with_capacity(n.inputs.len());
        let (mut in_bytes, mut out_bytes) = (0, n.meta.max_block_bytes());
        for (x, ind) in n.inputs.iter().zip(&spec.args) {
            let in_grid = x.meta.grid();
            // Output axis (and whether it is read block for block) of each argument axis.
            let axis_of = |a: usize| spec.out.iter().position(|o| *o == ind[a]).map(|o| (o, in_grid[a] == out_grid[o]));
            if self.fuse && spec.fuses(ind) && !self.gets_stage(x) {
                let mut f = FusedBuilder { leaves: vec![], program: vec![], edges: vec![], memo: HashMap::new(), in_bytes: 0 };
                self.emit(x, &mut f);
                let offset = edges.len();
                for mut e in f.edges {
                    // The program's edges are driven by the argument's block index: drive
                    // them by the output's, or fix them where the argument broadcasts.
                    let grid = self.plan.stages[e.input].grid();
                    for (k, r) in e.axes.iter_mut().enumerate() {
                        if let AxisRel::Driven { out_axis, deps, .. } = r {
                            let deps = std::mem::take(deps);
                            *r = match axis_of(*out_axis) {
                                Some((o, true)) => driven(o, deps, grid[k]),
                                _ => AxisRel::Range(deps[0].0 as usize, deps[0].1 as usize),
                            };
                        }
                    }
                    edges.push(e);
                }
                let leaves = f.leaves.into_iter().map(|l| match l {
                    Leaf::Input { edge, map } => Leaf::Input { edge: edge + offset, map },
                    l => l,
                }).collect();
                let slots = Slots::of(&f.program);
                out_bytes += x.meta.max_block_bytes() + slots.len() * tile_len(f.program.len()) * 8;
                in_bytes += f.in_bytes;
                args.push(BlockArg::Program { leaves, program: f.program, slots, domain: x.meta.chunks.clone() });
                continue;
            }
            let input = self.materialize(x);
            let axes = (0..ind.len())
                .map(|a| match axis_of(a) {
                    Some((o, true)) => driven(o, (0..in_grid[a] as u32).map(|i| (i, i + 1)).collect(), in_grid[a]),
                    Some((_, false)) => AxisRel::Range(0, 1),
                    None => AxisRel::Range(0, in_grid[a]),
                })
                .collect();
            let edge = Edge { input, axes };
            let fan_in = fan(&edge);
            in_bytes += fan_in * x.meta.max_block_bytes();
            if spec.concatenate && fan_in > 1 {
                out_bytes += fan_in * x.meta.max_block_bytes();
            }
            args.push(BlockArg::Edge(edges.len()));
            edges.push(edge);
        }
        let kind = StageKind::Blockwise { kernel: kernel.clone(), spec: spec.clone(), args, head, out: n.meta.clone() };
        Stage { kind, meta: n.meta.clone(), edges, name: kernel.name().to_string(), out_bytes, in_bytes }
    }

    /// A regions stage: along each axis, output block `b` reads the input blocks its region's
    /// pieces touch. Contiguous, monotone tables become `Driven` edges, others (a periodic
    /// halo wraps around) `Table` edges.
    fn regions(&mut self, n: &Expr, spec: &Arc<crate::regions::RegionsSpec>) -> StageId {
        let x = &n.inputs[0];
        let data = match &x.op {
            Op::Data(block) => Some(block.clone()),
            _ => None,
        };
        let in_chunks: Chunks = match data {
            Some(_) => x.meta.shape.iter().map(|&d| AxisChunks::whole(d)).collect(),
            None => x.meta.chunks.clone(),
        };
        let input = if data.is_some() { None } else { Some(self.materialize(x)) };
        // Whether every block is a view (one piece per axis, most of its input block; see
        // `tessera_exec::regions`): the smallest share of an input block per axis, multiplied.
        let (mut one_piece, mut share) = (true, 1.0f64);
        let axes = spec
            .axes
            .iter()
            .enumerate()
            .map(|(a, ax)| {
                let (oc, ic) = (&n.meta.chunks[a], &in_chunks[a]);
                let mut axis_share = 1.0f64;
                let deps: Vec<Vec<u32>> = (0..oc.nblocks())
                    .map(|b| {
                        let p = crate::regions::pieces(ax.starts[b], oc.size(b), &ax.boundary, ic);
                        one_piece &= p.len() == 1 && p[0].src.is_some();
                        if let [crate::regions::Piece { src: Some(src), len, .. }] = p[..] {
                            axis_share = axis_share.min(len as f64 / ic.size(src.block).max(1) as f64);
                        }
                        crate::regions::axis_deps(ax, b, oc.size(b), ic).into_iter().map(|i| i as u32).collect()
                    })
                    .collect();
                share *= axis_share;
                table_rel(a, deps, ic.nblocks())
            })
            .collect();
        let views = one_piece && (data.is_some() || 2.0 * share >= 1.0);
        let (edges, in_bytes) = match input {
            Some(input) => {
                let edge = Edge { input, axes };
                let in_bytes = fan(&edge) * x.meta.max_block_bytes();
                (vec![edge], in_bytes)
            }
            None => (vec![], 0),
        };
        let out_bytes = if views { 0 } else { n.meta.max_block_bytes() };
        let kind = StageKind::Regions { spec: spec.clone(), in_chunks, views, data };
        self.push(Stage { kind, meta: n.meta.clone(), edges, name: spec.name.to_string(), out_bytes, in_bytes })
    }

    /// A gather stage: one edge per input, block for block along the other axes; along the
    /// gather axis a `Table` over the consumer blocks that read the input (built in one pass
    /// over the output blocks, so an input costs only its own consumers).
    fn gather(&mut self, n: &Expr, spec: &Arc<crate::gather::GatherSpec>) -> StageId {
        let ax = spec.axis;
        let inputs: Vec<StageId> = n.inputs.iter().map(|x| self.materialize(x)).collect();
        let in_chunks: Vec<AxisChunks> = n.inputs.iter().map(|x| x.meta.chunks[ax].clone()).collect();
        let refs: Vec<&AxisChunks> = in_chunks.iter().collect();
        let oc = &n.meta.chunks[ax];
        // Per input: the first consumer block and each consumer's blocks from there on.
        let mut lists: Vec<(u32, Vec<Vec<u32>>)> = vec![(0, vec![]); inputs.len()];
        let block_bytes: Vec<usize> = n.inputs.iter().map(|x| x.meta.max_block_bytes()).collect();
        let mut in_bytes = 0;
        for c in 0..oc.nblocks() {
            let mut deps = crate::gather::block_deps(spec, oc.start(c), oc.size(c), &refs);
            if deps.is_empty() {
                // A block of fill only still waits for one input block: tasks start when
                // their inputs arrive.
                deps.push((0, 0));
            }
            in_bytes = in_bytes.max(deps.iter().map(|&(k, _)| block_bytes[k as usize]).sum());
            for (k, b) in deps {
                let (first, l) = &mut lists[k as usize];
                if l.is_empty() {
                    *first = c as u32;
                }
                l.resize(c - *first as usize + 1, vec![]);
                l.last_mut().expect("resized").push(b);
            }
        }
        let mut edges = Vec::with_capacity(inputs.len());
        for (k, (&input, (first, l))) in inputs.iter().zip(lists).enumerate() {
            let x = &n.inputs[k];
            let axes = (0..x.meta.ndim())
                .map(|a| if a == ax { table(a, first, &l, in_chunks[k].nblocks()) } else { driven(a, (0..x.meta.grid()[a] as u32).map(|i| (i, i + 1)).collect(), x.meta.grid()[a]) })
                .collect();
            edges.push(Edge { input, axes });
        }
        let kind = StageKind::Gather { spec: spec.clone(), in_chunks };
        self.push(Stage { kind, meta: n.meta.clone(), edges, name: spec.name.clone(), out_bytes: n.meta.max_block_bytes(), in_bytes })
    }

    fn reduction(&mut self, n: &Expr, op: ReduceOp, axes: &[usize], keepdims: bool, split: &[usize]) -> StageId {
        let x = &n.inputs[0];
        let mut f = FusedBuilder { leaves: vec![], program: vec![], edges: vec![], memo: HashMap::new(), in_bytes: 0 };
        let fused = !self.is_boundary(x);
        if self.reduced_kernels.contains(&x.id) {
            // The kernel's stage reduces its own blocks (below).
        } else if !fused {
            let s = self.materialize(x);
            let instr = self.input_leaf(&mut f, s, AffineMap::identity(&x.meta.shape), x);
            f.program.push((instr, x.meta.dtype));
        } else {
            self.emit(x, &mut f);
        }
        // Partial results: one cell per input block along the reduced axes.
        let cells = |grid: &[usize]| -> Chunks {
            (0..x.meta.ndim()).map(|a| if axes.contains(&a) { AxisChunks::regular(1, grid[a]) } else { x.meta.chunks[a].clone() }).collect()
        };
        let in_grid = x.meta.grid();
        let pshape = |ch: &Chunks| ch.iter().map(|c| c.len()).collect::<Vec<usize>>();
        let pchunks = cells(&in_grid);
        let pmeta = Meta { shape: pshape(&pchunks), dtype: n.meta.dtype, chunks: pchunks };
        let kept_bytes: usize = (0..x.meta.ndim()).filter(|a| !axes.contains(a)).map(|a| x.meta.chunks[a].max_size()).product::<usize>() * 24;
        // Fused tasks are named after both parts, as Dask names fused keys.
        let name = if fused { format!("{}-{}_chunk", fused_name(x), op.name()) } else { format!("{}_chunk", op.name()) };
        let head = Head::Partial { op, axes: axes.to_vec() };
        let mut prev = match &x.op {
            Op::Blockwise { kernel, spec } if self.reduced_kernels.contains(&x.id) => {
                let mut stage = self.blockwise(x, kernel, spec, head);
                stage.name = format!("{}-{}_chunk", kernel.name(), op.name());
                stage.meta = pmeta;
                stage.out_bytes += kept_bytes + tile_len(1) * 8;
                self.push(stage)
            }
            _ => {
                let kind = StageKind::fused(f.leaves, f.program, head, x.meta.chunks.clone());
                let out_bytes = kind.tile_bytes() + kept_bytes;
                self.push(Stage { kind, meta: pmeta, edges: f.edges, name, out_bytes, in_bytes: f.in_bytes })
            }
        };
        let count: usize = axes.iter().map(|&a| x.meta.shape[a]).product();
        loop {
            let grid = self.plan.stages[prev].grid();
            let (_, out_grid) = group_edge(prev, &grid, axes, split, false);
            let last = axes.iter().all(|&a| out_grid[a] == 1);
            let (edge, _) = group_edge(prev, &grid, axes, split, last && !keepdims);
            let fan_in: usize = axes.iter().map(|&a| grid[a].div_ceil(out_grid[a])).product();
            let (meta, finalize) = if last {
                (n.meta.clone(), Some(Finalize { out_dtype: n.meta.dtype, keepdims, count }))
            } else {
                let ch = cells(&out_grid);
                (Meta { shape: pshape(&ch), dtype: n.meta.dtype, chunks: ch }, None)
            };
            let name = if last { format!("{}_agg", op.name()) } else { format!("{}_combine", op.name()) };
            let kind = StageKind::Combine { op, axes: axes.to_vec(), finalize };
            prev = self.push(Stage { kind, meta, edges: vec![edge], name, out_bytes: kept_bytes, in_bytes: fan_in * kept_bytes });
            if last {
                return prev;
            }
        }
    }
}

/// What view node `n` (with map `map`) reads, and through which map: a view of a view reads
/// the inner view's input through the composed map.
fn view_target(n: &Expr, map: &AffineMap) -> (Expr, AffineMap) {
    let x = &n.inputs[0];
    match &x.op {
        Op::View(inner) => (x.inputs[0].clone(), inner.compose(map)),
        _ => (x.clone(), map.clone()),
    }
}

/// A fused stage is named after its most interesting operation (the last non-view one).
fn fused_name(mut n: &Node) -> String {
    while matches!(n.op, Op::View(_) | Op::Cast) && !n.inputs.is_empty() && !n.inputs[0].op.has_own_stage() {
        n = &n.inputs[0];
    }
    n.op.name()
}

fn reshape_edge(input: StageId, inm: &Meta, outm: &Meta) -> Edge {
    // Blocks correspond one to one in C order of the grids (the input is chunked so that
    // only the leading axis of each group has several blocks).
    let in_grid = inm.grid();
    let out_grid = outm.grid();
    let out_multi: Vec<usize> = (0..out_grid.len()).filter(|&a| out_grid[a] > 1).collect();
    let mut k = 0;
    let axes = in_grid
        .iter()
        .map(|&g| {
            if g > 1 {
                let out_axis = out_multi[k];
                k += 1;
                driven(out_axis, (0..g as u32).map(|i| (i, i + 1)).collect(), g)
            } else {
                AxisRel::Range(0, 1)
            }
        })
        .collect();
    Edge { input, axes }
}

impl Plan {
    /// Total number of tasks.
    pub fn task_count(&self) -> usize {
        self.stages.iter().map(|s| s.nblocks()).sum()
    }
    /// The plan as text: one line per stage with its fused operations.
    pub fn text(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        for (i, s) in self.stages.iter().enumerate() {
            let inputs: Vec<String> = s.edges.iter().map(|e| format!("s{}", e.input)).collect();
            let ops = match &s.kind {
                StageKind::Fused { program, head, .. } => {
                    let mut v = vec![program_text(program)];
                    v.extend(head_text(head));
                    v.join(" -> ")
                }
                StageKind::Combine { axes, .. } => format!("combine(axes={axes:?})"),
                StageKind::Rechunk => "rechunk".into(),
                StageKind::Reshape => "reshape".into(),
                StageKind::Blocks(_) => "persisted".into(),
                StageKind::Blockwise { kernel, args, head, .. } => {
                    // Arguments computed in the task show their programs.
                    let mut v: Vec<String> = args
                        .iter()
                        .filter_map(|a| match a {
                            BlockArg::Program { program, .. } => Some(program_text(program)),
                            BlockArg::Edge(_) => None,
                        })
                        .collect();
                    v.push(format!("blockwise({})", kernel.name()));
                    v.extend(head_text(head));
                    v.join(" -> ")
                }
                StageKind::Gather { spec, .. } => format!("gather(axis={}, runs={})", spec.axis, spec.segs().len()),
                StageKind::Regions { spec, views, .. } => {
                    let b: Vec<String> = spec.axes.iter().map(|a| a.boundary.name()).collect();
                    format!("{}({}){}", spec.name, b.join(", "), if *views { " views" } else { "" })
                }
            };
            let _ = writeln!(
                out,
                "s{i} {} [{}] tasks={} shape={:?} {} bytes/task={} inputs=[{}]",
                s.name,
                ops,
                s.nblocks(),
                s.meta.shape,
                s.meta.dtype,
                s.task_bytes(),
                inputs.join(", ")
            );
        }
        out
    }
}

fn program_text(program: &[(Instr, DType)]) -> String {
    program.iter().map(|(i, _)| instr_name(i)).collect::<Vec<_>>().join(" -> ")
}

/// A partial head as it shows in plans: `sum_chunk(axes=[0])`.
fn head_text(head: &Head) -> Option<String> {
    match head {
        Head::Partial { op, axes } => Some(format!("{}_chunk(axes={axes:?})", op.name())),
        Head::Store => None,
    }
}

fn instr_name(i: &Instr) -> String {
    match i {
        Instr::Leaf(l) => format!("leaf{l}"),
        Instr::Unary(op, _) => op.name().into(),
        Instr::Binary(op, ..) | Instr::BinaryScalar { op, .. } => op.name().into(),
        Instr::Cast(_) => "astype".into(),
        Instr::Where(..) => "where".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build;
    use crate::chunks::ChunkSpec;
    use crate::graph::RandomDist;

    #[test]
    fn seed_mean_is_one_fused_stage_and_an_aggregate() {
        let gen = Generator::Random { dist: RandomDist::Normal { loc: 0.0, scale: 0.1 }, seed: 1, stream: 0 };
        let x = build::generate(gen, &[800_000_000], DType::F64, &ChunkSpec::Uniform(200_000_000)).unwrap();
        let m = build::reduce(&x, ReduceOp::Mean, None, false, None).unwrap();
        let plan = lower(&[m]);
        assert_eq!(
            plan.text().trim(),
            "s0 normal-mean_chunk [leaf0 -> mean_chunk(axes=[0])] tasks=4 shape=[4] float64 bytes/task=262168 inputs=[]
s1 mean_agg [combine(axes=[0])] tasks=1 shape=[] float64 bytes/task=120 inputs=[s0]"
        );
    }

    #[test]
    fn million_chunk_tree_has_log_levels() {
        let x = build::generate(Generator::Fill(Scalar::F64(1.0)), &[1_000_000], DType::F64, &ChunkSpec::Uniform(1)).unwrap();
        let plan = lower(&[build::reduce(&x, ReduceOp::Sum, None, false, None).unwrap()]);
        let tasks: Vec<usize> = plan.stages.iter().map(|s| s.nblocks()).collect();
        assert_eq!(tasks, vec![1_000_000, 62500, 3907, 245, 16, 1]);
        let s1 = &plan.stages[1];
        assert_eq!(s1.deps(&[1], &plan), vec![(16..32).collect::<Vec<_>>()]);
        assert_eq!(s1.users(0, &[17]), vec![1]);
    }

    #[test]
    fn rechunk_edges_overlap() {
        let x = build::generate(Generator::Fill(Scalar::F64(1.0)), &[10], DType::F64, &ChunkSpec::Uniform(3)).unwrap();
        let y = build::binary(BinaryOp::Add, &x, &x).unwrap();
        // Merging pairs of blocks: each output block gathers input blocks, each input
        // block feeds one output block, so blocks are assembled directly.
        let plan = lower(&[build::rechunk(&y, &ChunkSpec::Uniform(6)).unwrap()]);
        let s = &plan.stages[1];
        assert_eq!(s.name, "rechunk");
        assert_eq!(s.deps(&[1], &plan), vec![vec![2, 3]]);
        assert_eq!(s.users(0, &[2]), vec![1]);
        // 3 -> 4 is all to all: input blocks are first cut where both chunkings meet.
        let plan = lower(&[build::rechunk(&y, &ChunkSpec::Uniform(4)).unwrap()]);
        let names: Vec<&str> = plan.stages.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["add", "rechunk-split", "rechunk-merge"]);
        assert_eq!(plan.stages[1].meta.chunks[0].sizes(), vec![3, 1, 2, 2, 1, 1]);
        let merge = &plan.stages[2];
        assert_eq!(merge.deps(&[1], &plan), vec![vec![2, 3]]);
        assert_eq!(merge.users(0, &[3]), vec![1]);
        assert_eq!(merge.in_bytes, 2 * 3 * 8);
    }

    #[test]
    fn slots_are_reused_once_their_readers_have_run() {
        use Instr::*;
        let (f, b) = (DType::F64, DType::Bool);
        // r2 = r0 + r1; r3 = -r2; r4 = r3 > r0 (bool); r5 = where(r4, r3, r3)
        let program = [(Leaf(0), f), (Leaf(1), f), (Binary(BinaryOp::Add, 0, 1), f), (Unary(UnaryOp::Neg, 2), f), (Binary(BinaryOp::Gt, 3, 0), b), (Where(4, 3, 3), f)];
        let slots = Slots::of(&program);
        // r2 takes a new slot (r0 is still read by r4); r3 takes r1's; r4 a bool slot; r5 the
        // slot that r0 and r2 freed last (never one it reads).
        assert_eq!(slots.slot, vec![0, 1, 2, 1, 3, 0]);
        assert_eq!(slots.dtypes, vec![f, f, f, b]);
        // The result's slot is never handed on.
        assert_eq!(Slots::of(&[(Leaf(0), f)]).slot, vec![0]);
    }
}
