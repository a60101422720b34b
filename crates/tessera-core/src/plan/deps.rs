//! Dependencies between stages: which input blocks a consumer block needs along each axis,
//! and which consumer blocks need an input block.

use super::*;

/// Which input blocks along one input axis a consumer block needs.
#[derive(Clone, Debug)]
pub enum AxisRel {
    /// Driven by consumer axis `out_axis`: `deps[c]` is the input block range of consumer
    /// block `c`, `users[i - first]` the consumer block range that needs input block `i`
    /// (none outside `first..first + users.len()`: a slice of an array of a million blocks
    /// lists only the blocks it reads).
    Driven { out_axis: usize, deps: Vec<(u32, u32)>, first: u32, users: Vec<(u32, u32)> },
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
pub enum Sel {
    Range(Range<usize>),
    List(Vec<u32>),
}

impl Sel {
    pub(super) fn items(&self) -> Vec<usize> {
        match self {
            Sel::Range(r) => r.clone().collect(),
            Sel::List(l) => l.iter().map(|&i| i as usize).collect(),
        }
    }
    /// The blocks in both.
    pub(super) fn and(&self, other: Sel) -> Sel {
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
pub fn ravel_all(sels: &[Sel], grid: &[usize]) -> Vec<usize> {
    if sels.iter().all(|s| matches!(s, Sel::Range(_))) {
        let ranges: Vec<Range<usize>> = sels.iter().map(|s| if let Sel::Range(r) = s { r.clone() } else { unreachable!() }).collect();
        return product(&ranges).into_iter().map(|ix| chunks::ravel(&ix, grid)).collect();
    }
    let lists: Vec<Vec<usize>> = sels.iter().map(|s| s.items()).collect();
    let ranges: Vec<Range<usize>> = lists.iter().map(|l| 0..l.len()).collect();
    product(&ranges).into_iter().map(|pos| chunks::ravel(&pos.iter().zip(&lists).map(|(&p, l)| l[p]).collect::<Vec<_>>(), grid)).collect()
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
pub(super) fn invert(deps: &[(u32, u32)], n_inputs: usize) -> (u32, Vec<(u32, u32)>) {
    // Only the input blocks some consumer reads.
    let read = || deps.iter().filter(|(a, b)| a < b);
    let first = read().map(|&(a, _)| a).min().unwrap_or(0);
    let end = read().map(|&(_, b)| b).max().unwrap_or(0).min(n_inputs as u32);
    let mut users = vec![(u32::MAX, 0u32); end.saturating_sub(first) as usize];
    for (c, &(a, b)) in deps.iter().enumerate() {
        for i in a..b {
            let u = &mut users[(i - first) as usize];
            u.0 = u.0.min(c as u32);
            u.1 = u.1.max(c as u32 + 1);
        }
    }
    for u in &mut users {
        if u.0 == u32::MAX {
            *u = (0, 0);
        }
    }
    (first, users)
}

/// The relation of per-consumer sorted input lists: `Driven` when every list and every
/// inverse list is a contiguous range, else `Table`.
pub(super) fn table_rel(out_axis: usize, deps: Vec<Vec<u32>>, n_inputs: usize) -> AxisRel {
    let mut users = vec![Vec::new(); n_inputs];
    for (c, d) in deps.iter().enumerate() {
        for &i in d {
            users[i as usize].push(c as u32);
        }
    }
    let contiguous = |l: &Vec<u32>| l.windows(2).all(|w| w[1] == w[0] + 1);
    if deps.iter().all(contiguous) && users.iter().all(contiguous) {
        let range = |l: &Vec<u32>| l.first().map_or((0, 0), |&f| (f, f + l.len() as u32));
        return AxisRel::Driven { out_axis, deps: deps.iter().map(range).collect(), first: 0, users: users.iter().map(range).collect() };
    }
    table(out_axis, 0, &deps, n_inputs)
}

/// A `Table` relation: consumer block `first + c` needs input blocks `deps[c]` (sorted).
pub fn table<L: AsRef<[u32]>>(out_axis: usize, first: u32, deps: &[L], n_inputs: usize) -> AxisRel {
    let deps = Csr::from_lists(deps);
    let users = deps.invert(n_inputs, first);
    AxisRel::Table { out_axis, first, deps, users }
}

pub(super) fn driven(out_axis: usize, deps: Vec<(u32, u32)>, n_inputs: usize) -> AxisRel {
    let (first, users) = invert(&deps, n_inputs);
    AxisRel::Driven { out_axis, deps, first, users }
}

/// The edge of a view: each consumer block lies inside one input block.
pub(super) fn view_edge(input: StageId, map: &AffineMap, out_chunks: &Chunks, in_chunks: &Chunks) -> Edge {
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
pub(super) fn fan(edge: &Edge) -> usize {
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
pub(super) fn overlap_edge(input: StageId, out_chunks: &Chunks, in_chunks: &Chunks) -> Edge {
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
pub(super) fn group_edge(input: StageId, in_grid: &[usize], axes: &[usize], split: &[usize], drop_reduced: bool) -> (Edge, Vec<usize>) {
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

pub(super) fn reshape_edge(input: StageId, inm: &Meta, outm: &Meta) -> Edge {
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
