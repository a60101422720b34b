//! Lowering: optimized expressions become stages (see the module above).

use super::*;

/// Lowers optimized outputs to a plan.
pub fn lower(roots: &[Expr]) -> Plan {
    lower_with(roots, true)
}

/// Lowers without fusion: one stage per operation (what Dask's unoptimized graph shows).
pub fn lower_unfused(roots: &[Expr]) -> Plan {
    lower_with(roots, false)
}

pub(super) fn lower_with(roots: &[Expr], fuse: bool) -> Plan {
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
        .filter(|x| matches!(&x.op, Op::Blockwise { spec, .. } if spec.more.is_empty()) && users.get(&x.id) == Some(&1) && !roots_ids.contains(&x.id) && !read_as_stage.contains(&x.id))
        .map(|x| x.id)
        .collect();
    let (mut merged_sums, mut absorbed) = (HashMap::new(), HashSet::new());
    for n in order.iter().filter(|_| fuse) {
        if let Some(m) = merged_sum(n, &users, &roots_ids) {
            merged_sums.insert(n.id, m);
            absorbed.insert(n.inputs[0].id);
        }
    }
    let mut l = Lowering { plan: Plan { stages: vec![], outputs: vec![] }, stage_of: HashMap::new(), users, read_as_stage, reduced_kernels, merged_sums, absorbed, fuse };
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

/// A reduction to lower in place of a sum of a sum: its input and (sorted) axes, and each
/// axis' split.
type MergedSum = (Expr, Vec<usize>, Vec<usize>);

/// `n` when it sums the result of another sum of the same dtype that nothing else reads
/// (a contraction's partial-sum head, then `.sum()`): one sum of the inner input over both
/// sets of axes, so that the inner input's blocks (products) are reduced in the tasks that
/// make them and never stored.
fn merged_sum(n: &Expr, users: &HashMap<u64, usize>, roots: &HashSet<u64>) -> Option<MergedSum> {
    let Op::Reduce { op: ReduceOp::Sum, axes: a2, keepdims: false, split_every: s2 } = &n.op else { return None };
    let inner = &n.inputs[0];
    let Op::Reduce { op: ReduceOp::Sum, axes: a1, keepdims: false, split_every: s1 } = &inner.op else { return None };
    if users.get(&inner.id) != Some(&1) || roots.contains(&inner.id) {
        return None;
    }
    let (x, a1, s1) = merged_sum(inner, users, roots).unwrap_or_else(|| (inner.inputs[0].clone(), a1.clone(), s1.clone()));
    if x.meta.dtype != n.meta.dtype || inner.meta.dtype != n.meta.dtype {
        return None;
    }
    let kept: Vec<usize> = (0..x.meta.ndim()).filter(|a| !a1.contains(a)).collect();
    let mut axes: Vec<(usize, usize)> = a1.iter().copied().zip(s1).chain(a2.iter().map(|&a| kept[a]).zip(s2.iter().copied())).collect();
    axes.sort_unstable();
    Some((x, axes.iter().map(|a| a.0).collect(), axes.iter().map(|a| a.1).collect()))
}

pub(super) fn count_users(roots: &[Expr], users: &mut HashMap<u64, usize>, seen: &mut HashMap<u64, ()>) {
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

pub(super) struct Lowering {
    plan: Plan,
    stage_of: HashMap<u64, StageId>,
    users: HashMap<u64, usize>,
    /// Nodes that some consumer reads as a stage whatever the fusion: what views read, and
    /// the inputs of rechunks and reshapes.
    read_as_stage: HashSet<u64>,
    /// Block kernels lowered into their reduction's first stage (see `lower_with`).
    reduced_kernels: HashSet<u64>,
    /// Sums of sums lowered as one sum (see `merged_sum`), and the inner sums they absorb.
    merged_sums: HashMap<u64, MergedSum>,
    absorbed: HashSet<u64>,
    fuse: bool,
}

pub(super) struct FusedBuilder {
    leaves: Vec<Leaf>,
    program: Vec<(Instr, DType)>,
    edges: Vec<Edge>,
    memo: HashMap<u64, Reg>,
    in_bytes: usize,
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
        (self.is_boundary(n) && !self.reduced_kernels.contains(&n.id) && !self.absorbed.contains(&n.id)) || self.read_as_stage.contains(&n.id)
    }

    fn materialize(&mut self, n: &Expr) -> StageId {
        if let Some(&s) = self.stage_of.get(&n.id) {
            return s;
        }
        let s = match &n.op {
            Op::Reduce { op, axes, keepdims, split_every } => match self.merged_sums.get(&n.id).cloned() {
                Some((x, axes, split)) => self.reduction(n, &x, *op, &axes, false, &split),
                None => self.reduction(n, &n.inputs[0].clone(), *op, axes, *keepdims, split_every),
            },
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
                let s = self.push(stage);
                // The kernel's further outputs follow its stage (see `Op::Part`).
                for (k, meta) in spec.more.iter().enumerate() {
                    let kind = StageKind::Part { of: s, k: k + 1 };
                    self.push(Stage { kind, meta: meta.clone(), edges: vec![], name: kernel.name().to_string(), out_bytes: 0, in_bytes: 0 });
                }
                s
            }
            Op::Part(k) => self.materialize(&n.inputs[0]) + k,
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
            Op::Reduce { .. } | Op::Rechunk | Op::Reshape | Op::Blocks(_) | Op::Blockwise { .. } | Op::Regions(_) | Op::Gather(_) | Op::Part(_) => self.stage_leaf(n, f),
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
        out_bytes += kernel.scratch_bytes(n.meta.max_block_bytes());
        out_bytes += spec.more.iter().map(|m| m.max_block_bytes()).sum::<usize>();
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

    /// The reduction `n` of `x` (its input, or the input of the sums it merges).
    fn reduction(&mut self, n: &Expr, x: &Expr, op: ReduceOp, axes: &[usize], keepdims: bool, split: &[usize]) -> StageId {
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
pub(super) fn view_target(n: &Expr, map: &AffineMap) -> (Expr, AffineMap) {
    let x = &n.inputs[0];
    match &x.op {
        Op::View(inner) => (x.inputs[0].clone(), inner.compose(map)),
        _ => (x.clone(), map.clone()),
    }
}

/// A fused stage is named after its most interesting operation (the last non-view one).
pub(super) fn fused_name(mut n: &Node) -> String {
    while matches!(n.op, Op::View(_) | Op::Cast) && !n.inputs.is_empty() && !n.inputs[0].op.has_own_stage() {
        n = &n.inputs[0];
    }
    n.op.name()
}
