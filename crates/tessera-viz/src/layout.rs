//! Layered (Sugiyama-style) layout.
//!
//! 1. ranks: longest path from the sources (cycles are broken at the lowest
//!    unprocessed index, so any input terminates);
//! 2. edges spanning several ranks get chains of dummy vertices (within a
//!    budget) so that every routed edge joins adjacent ranks;
//! 3. order within ranks: DFS initial order, then alternating barycenter
//!    sweeps, keeping the order with the fewest crossings (counted with a
//!    Fenwick tree, O(E log V) per count);
//! 4. positions along each rank: repeated passes that pull each vertex to the
//!    weighted mean of its neighbours in the previous rank, resolved with an
//!    isotonic regression (pool-adjacent-violators) that keeps order and the
//!    minimum separation, O(rank size) per rank;
//! 5. mapping of (order, rank) coordinates to (x, y) for the rank direction,
//!    then edge polylines clipped at the node outlines.
//!
//! Coordinates are in abstract units with y pointing down; at scale 1 one
//! unit is one PNG pixel, one SVG pixel, one PDF point times 0.75.

use crate::{Graph, Node, RankDir, Shape};
use std::collections::VecDeque;

/// Metrics of a layout, all proportional to `scale`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Metrics {
    pub char_w: f64,
    pub line_h: f64,
    pub node_sep: f64,
    pub rank_sep: f64,
    pub margin: f64,
    pub dummy_ext: f64,
    pub scale: f64,
}

impl Metrics {
    pub(crate) fn new(scale: f64) -> Metrics {
        Metrics {
            char_w: 12.0 * scale,
            line_h: 20.0 * scale,
            node_sep: 28.0 * scale,
            rank_sep: 44.0 * scale,
            margin: 12.0 * scale,
            dummy_ext: 8.0 * scale,
            scale,
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct NodeGeom {
    /// Centre.
    pub cx: f64,
    pub cy: f64,
    /// Full width and height of the outline.
    pub w: f64,
    pub h: f64,
    #[cfg_attr(not(test), allow(dead_code))]
    pub rank: usize,
    pub shape: Shape,
}

impl NodeGeom {
    /// The point where the ray from the centre towards (tx, ty) leaves the outline.
    pub(crate) fn boundary_towards(&self, tx: f64, ty: f64) -> (f64, f64) {
        let (dx, dy) = (tx - self.cx, ty - self.cy);
        let len = (dx * dx + dy * dy).sqrt();
        if len < 1e-9 {
            return (self.cx, self.cy);
        }
        let (a, b) = (self.w / 2.0, self.h / 2.0);
        let t = match self.shape {
            Shape::Box => {
                let tx = if dx.abs() > 1e-12 {
                    a / dx.abs()
                } else {
                    f64::INFINITY
                };
                let ty = if dy.abs() > 1e-12 {
                    b / dy.abs()
                } else {
                    f64::INFINITY
                };
                tx.min(ty)
            }
            Shape::Circle => a.min(b) / len,
            Shape::Ellipse => 1.0 / ((dx / a).powi(2) + (dy / b).powi(2)).sqrt(),
        };
        (self.cx + t * dx, self.cy + t * dy)
    }
}

#[derive(Clone, Debug)]
pub(crate) struct EdgeGeom {
    pub from: usize,
    pub to: usize,
    /// Polyline from the producer's outline to the consumer's outline (the
    /// arrow tip). Empty when the edge cannot be drawn (self loop, overlap).
    pub points: Vec<(f64, f64)>,
}

#[derive(Clone, Debug)]
pub(crate) struct Layout {
    pub width: f64,
    pub height: f64,
    pub nodes: Vec<NodeGeom>,
    pub edges: Vec<EdgeGeom>,
    /// Centre of the title text block, if there is a title.
    pub title_pos: Option<(f64, f64)>,
    pub metrics: Metrics,
}

pub(crate) fn label_lines(s: &str) -> Vec<&str> {
    if s.is_empty() {
        Vec::new()
    } else {
        s.split('\n').collect()
    }
}

/// Size of a label's text block in layout units.
pub(crate) fn text_size(s: &str, m: &Metrics) -> (f64, f64) {
    let lines = label_lines(s);
    let chars = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    (chars as f64 * m.char_w, lines.len() as f64 * m.line_h)
}

pub(crate) fn node_size(n: &Node, m: &Metrics) -> (f64, f64) {
    let (tw, th) = text_size(&n.label, m);
    let k = m.scale;
    match n.shape {
        Shape::Box => ((tw + 20.0 * k).max(72.0 * k), (th + 16.0 * k).max(40.0 * k)),
        Shape::Circle => {
            let d = ((tw * tw + th * th).sqrt() + 14.0 * k).max(56.0 * k);
            (d, d)
        }
        Shape::Ellipse => {
            let s = std::f64::consts::SQRT_2;
            (
                (tw * s + 12.0 * k).max(72.0 * k),
                (th * s + 12.0 * k).max(40.0 * k),
            )
        }
    }
}

/// Longest-path ranks. Edges are (producer, consumer) with valid indices and
/// no self loops. Cycles are broken deterministically.
pub(crate) fn compute_ranks(n: usize, edges: &[(usize, usize)]) -> Vec<usize> {
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut indeg = vec![0usize; n];
    for &(a, b) in edges {
        succ[a].push(b);
        indeg[b] += 1;
    }
    let mut rank = vec![0usize; n];
    let mut done = vec![false; n];
    let mut queue: VecDeque<usize> = (0..n).filter(|&v| indeg[v] == 0).collect();
    let mut processed = 0;
    let mut next_forced = 0;
    loop {
        while let Some(u) = queue.pop_front() {
            if done[u] {
                continue;
            }
            done[u] = true;
            processed += 1;
            for &v in &succ[u] {
                if !done[v] {
                    rank[v] = rank[v].max(rank[u] + 1);
                    indeg[v] -= 1;
                    if indeg[v] == 0 {
                        queue.push_back(v);
                    }
                }
            }
        }
        if processed == n {
            break;
        }
        while done[next_forced] {
            next_forced += 1;
        }
        queue.push_back(next_forced);
    }
    rank
}

fn fenwick_add(t: &mut [u32], mut i: usize) {
    i += 1;
    while i < t.len() {
        t[i] += 1;
        i += i & i.wrapping_neg();
    }
}

/// Number of inserted values <= i.
fn fenwick_prefix(t: &[u32], mut i: usize) -> u64 {
    i += 1;
    let mut s = 0u64;
    while i > 0 {
        s += t[i] as u64;
        i -= i & i.wrapping_neg();
    }
    s
}

/// Edge crossings between adjacent ranks for the current order.
fn count_crossings(layers: &[Vec<usize>], down: &[Vec<usize>], pos: &[usize]) -> u64 {
    let mut total = 0u64;
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for r in 0..layers.len().saturating_sub(1) {
        pairs.clear();
        for &u in &layers[r] {
            for &v in &down[u] {
                pairs.push((pos[u], pos[v]));
            }
        }
        pairs.sort_unstable();
        let mut tree = vec![0u32; layers[r + 1].len() + 1];
        for (seen, &(_, pv)) in pairs.iter().enumerate() {
            total += seen as u64 - fenwick_prefix(&tree, pv);
            fenwick_add(&mut tree, pv);
        }
    }
    total
}

/// Re-sorts one layer by the barycenter of its neighbours in the adjacent
/// layer (positions normalised to [0, 1] so layers of different sizes mix).
fn reorder_layer(
    layer: &mut [usize],
    nbrs: &[Vec<usize>],
    pos: &mut [usize],
    layer_len_of: &[usize],
) {
    let own_len = layer.len().max(1) as f64;
    let mut keyed: Vec<(f64, usize, usize)> = layer
        .iter()
        .map(|&v| {
            let ns = &nbrs[v];
            let bc = if ns.is_empty() {
                (pos[v] as f64 + 0.5) / own_len
            } else {
                ns.iter()
                    .map(|&u| (pos[u] as f64 + 0.5) / layer_len_of[u].max(1) as f64)
                    .sum::<f64>()
                    / ns.len() as f64
            };
            (bc, pos[v], v)
        })
        .collect();
    keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    for (i, &(_, _, v)) in keyed.iter().enumerate() {
        layer[i] = v;
        pos[v] = i;
    }
}

/// Least-squares positions closest to `desired` that keep the order and the
/// gaps (`x[i+1] - x[i] >= gaps[i]`): isotonic regression by pooling
/// adjacent violators on `desired[i] - offset[i]`.
pub(crate) fn pava_place(desired: &[f64], gaps: &[f64]) -> Vec<f64> {
    let m = desired.len();
    let mut off = vec![0.0; m];
    for i in 1..m {
        off[i] = off[i - 1] + gaps[i - 1];
    }
    // blocks of (sum, count, start)
    let mut blocks: Vec<(f64, usize)> = Vec::with_capacity(m);
    for i in 0..m {
        blocks.push((desired[i] - off[i], 1));
        while blocks.len() >= 2 {
            let (s2, c2) = blocks[blocks.len() - 1];
            let (s1, c1) = blocks[blocks.len() - 2];
            if s1 / c1 as f64 > s2 / c2 as f64 {
                blocks.pop();
                let last = blocks.len() - 1;
                blocks[last] = (s1 + s2, c1 + c2);
            } else {
                break;
            }
        }
    }
    let mut out = Vec::with_capacity(m);
    for (s, c) in blocks {
        let mean = s / c as f64;
        for _ in 0..c {
            let i = out.len();
            out.push(mean + off[i]);
        }
    }
    out
}

pub(crate) fn layout(g: &Graph, m: Metrics) -> Layout {
    let n = g.nodes.len();
    let rankdir = g.rankdir.unwrap_or(RankDir::BT);
    let horizontal = matches!(rankdir, RankDir::LR | RankDir::RL);
    let sizes: Vec<(f64, f64)> = g.nodes.iter().map(|nd| node_size(nd, &m)).collect();
    let edges: Vec<(usize, usize)> = g
        .edges
        .iter()
        .copied()
        .filter(|&(a, b)| a < n && b < n && a != b)
        .collect();
    let rank = compute_ranks(n, &edges);
    let num_ranks = rank.iter().max().map_or(0, |r| r + 1);

    // Extents along the order axis (across a rank) and the rank axis.
    let oext_of = |s: (f64, f64)| if horizontal { s.1 } else { s.0 };
    let rext_of = |s: (f64, f64)| if horizontal { s.0 } else { s.1 };

    // ---- augmented graph with dummy vertices -------------------------------
    let mut vrank = rank.clone();
    let mut vext: Vec<f64> = sizes.iter().map(|&s| oext_of(s)).collect();
    let mut is_dummy = vec![false; n];
    let mut up: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut down: Vec<Vec<usize>> = vec![Vec::new(); n];
    let spans: Vec<usize> = edges
        .iter()
        .map(|&(a, b)| rank[a].abs_diff(rank[b]))
        .collect();
    let budget = 20 * n + 20_000;
    let mut by_span: Vec<usize> = (0..edges.len()).collect();
    by_span.sort_by_key(|&i| (spans[i], i));
    let mut routed = vec![false; edges.len()];
    let mut used = 0usize;
    for &i in &by_span {
        let need = spans[i].saturating_sub(1);
        if spans[i] >= 1 && used + need <= budget {
            routed[i] = true;
            used += need;
        }
    }
    let mut chains: Vec<Vec<usize>> = Vec::with_capacity(edges.len());
    for (i, &(a, b)) in edges.iter().enumerate() {
        let (lo, hi) = if rank[a] <= rank[b] { (a, b) } else { (b, a) };
        let mut chain = vec![lo];
        if routed[i] {
            let mut prev = lo;
            for r in rank[lo] + 1..rank[hi] {
                let d = vrank.len();
                vrank.push(r);
                vext.push(m.dummy_ext);
                is_dummy.push(true);
                up.push(vec![prev]);
                down.push(Vec::new());
                down[prev].push(d);
                chain.push(d);
                prev = d;
            }
            down[prev].push(hi);
            up[hi].push(prev);
        }
        chain.push(hi);
        if lo != a {
            chain.reverse();
        }
        chains.push(chain);
    }
    let total = vrank.len();

    // ---- initial order: DFS from the sources --------------------------------
    let mut layers: Vec<Vec<usize>> = vec![Vec::new(); num_ranks];
    let mut visited = vec![false; total];
    let mut stack = Vec::new();
    let roots = (0..n).filter(|&v| up[v].is_empty()).chain(0..n);
    for root in roots {
        if visited[root] {
            continue;
        }
        stack.push(root);
        while let Some(v) = stack.pop() {
            if visited[v] {
                continue;
            }
            visited[v] = true;
            layers[vrank[v]].push(v);
            for &w in down[v].iter().rev() {
                if !visited[w] {
                    stack.push(w);
                }
            }
        }
    }
    let mut pos = vec![0usize; total];
    let mut layer_len_of = vec![0usize; total];
    for layer in &layers {
        for (i, &v) in layer.iter().enumerate() {
            pos[v] = i;
            layer_len_of[v] = layer.len();
        }
    }

    // ---- crossing reduction -------------------------------------------------
    let mut best_layers = layers.clone();
    let mut best = count_crossings(&layers, &down, &pos);
    let mut stale = 0;
    let max_iters = if total > 20_000 { 6 } else { 24 };
    for it in 0..max_iters {
        if best == 0 || stale >= 6 {
            break;
        }
        if it % 2 == 0 {
            for layer in layers.iter_mut().skip(1) {
                reorder_layer(layer, &up, &mut pos, &layer_len_of);
            }
        } else {
            for layer in layers.iter_mut().rev().skip(1) {
                reorder_layer(layer, &down, &mut pos, &layer_len_of);
            }
        }
        let c = count_crossings(&layers, &down, &pos);
        if c < best {
            best = c;
            best_layers = layers.clone();
            stale = 0;
        } else {
            stale += 1;
        }
    }
    layers = best_layers;
    for layer in &layers {
        for (i, &v) in layer.iter().enumerate() {
            pos[v] = i;
        }
    }

    // ---- coordinates along the order axis -----------------------------------
    let sep = |u: usize, v: usize| match (is_dummy[u], is_dummy[v]) {
        (false, false) => m.node_sep,
        (true, true) => m.dummy_ext * 0.5,
        _ => m.node_sep * 0.5,
    };
    let weight = |u: usize, v: usize| match (is_dummy[u], is_dummy[v]) {
        (false, false) => 1.0,
        (true, true) => 8.0,
        _ => 2.0,
    };
    let mut x = vec![0.0f64; total];
    let mut gaps_of: Vec<Vec<f64>> = Vec::with_capacity(num_ranks);
    for layer in &layers {
        let gaps: Vec<f64> = layer
            .windows(2)
            .map(|p| (vext[p[0]] + vext[p[1]]) / 2.0 + sep(p[0], p[1]))
            .collect();
        let mut acc = 0.0;
        for (i, &v) in layer.iter().enumerate() {
            if i > 0 {
                acc += gaps[i - 1];
            }
            x[v] = acc;
        }
        gaps_of.push(gaps);
    }
    // Centre every layer on the widest one before the passes start.
    let widest = layers
        .iter()
        .map(|l| l.last().map_or(0.0, |&v| x[v]))
        .fold(0.0f64, f64::max);
    for layer in &layers {
        let w = layer.last().map_or(0.0, |&v| x[v]);
        for &v in layer {
            x[v] += (widest - w) / 2.0;
        }
    }
    let place = |layer: &[usize], gaps: &[f64], nb: &[&[Vec<usize>]], x: &mut Vec<f64>| {
        if layer.is_empty() {
            return;
        }
        let desired: Vec<f64> = layer
            .iter()
            .map(|&v| {
                let (mut s, mut wsum) = (0.0, 0.0);
                for adj in nb {
                    for &u in &adj[v] {
                        let w = weight(u, v);
                        s += w * x[u];
                        wsum += w;
                    }
                }
                if wsum > 0.0 {
                    s / wsum
                } else {
                    x[v]
                }
            })
            .collect();
        let placed = pava_place(&desired, gaps);
        for (i, &v) in layer.iter().enumerate() {
            x[v] = placed[i];
        }
    };
    // Alternate sweeps; the last one runs from the sources up so that a
    // vertex with a single producer sits straight above (below, beside) it,
    // as Graphviz draws Dask's chains.
    let passes = if total > 20_000 { 3 } else { 8 };
    for _ in 0..passes {
        for r in (0..num_ranks.saturating_sub(1)).rev() {
            place(&layers[r], &gaps_of[r], &[&down], &mut x);
        }
        for r in 1..num_ranks {
            place(&layers[r], &gaps_of[r], &[&up], &mut x);
        }
    }

    // ---- coordinates along the rank axis -------------------------------------
    let mut rext = vec![0.0f64; num_ranks];
    for v in 0..n {
        rext[rank[v]] = rext[rank[v]].max(rext_of(sizes[v]));
    }
    let mut rpos = vec![0.0f64; num_ranks];
    let mut acc = 0.0;
    for r in 0..num_ranks {
        rpos[r] = acc + rext[r] / 2.0;
        acc += rext[r] + m.rank_sep;
    }
    let rank_span = if num_ranks > 0 { acc - m.rank_sep } else { 0.0 };
    let (mut omin, mut omax) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in 0..total {
        omin = omin.min(x[v] - vext[v] / 2.0);
        omax = omax.max(x[v] + vext[v] / 2.0);
    }
    if total == 0 {
        omin = 0.0;
        omax = 0.0;
    }
    let ord_span = omax - omin;
    let (dw, dh) = if horizontal {
        (rank_span, ord_span)
    } else {
        (ord_span, rank_span)
    };

    let (title_w, title_h) = g.title.as_deref().map_or((0.0, 0.0), |t| text_size(t, &m));
    let title_block = if title_h > 0.0 {
        title_h + m.margin
    } else {
        0.0
    };
    let width = dw.max(title_w) + 2.0 * m.margin;
    let height = dh + title_block + 2.0 * m.margin;
    let ox = m.margin + (width - 2.0 * m.margin - dw) / 2.0;
    let oy = m.margin + title_block;
    // (order, rank) coordinates -> picture coordinates.
    let place_pt = |o: f64, r: f64| -> (f64, f64) {
        let o = o - omin;
        match rankdir {
            RankDir::TB => (ox + o, oy + r),
            RankDir::BT => (ox + o, oy + rank_span - r),
            RankDir::LR => (ox + r, oy + o),
            RankDir::RL => (ox + rank_span - r, oy + o),
        }
    };
    let coord = |v: usize| place_pt(x[v], rpos[vrank[v]]);
    let nodes: Vec<NodeGeom> = (0..n)
        .map(|v| {
            let (cx, cy) = coord(v);
            NodeGeom {
                cx,
                cy,
                w: sizes[v].0,
                h: sizes[v].1,
                rank: rank[v],
                shape: g.nodes[v].shape,
            }
        })
        .collect();

    // ---- edge polylines -----------------------------------------------------
    let mut chain_iter = chains.into_iter();
    let mut edge_geoms = Vec::with_capacity(g.edges.len());
    for &(a, b) in &g.edges {
        if a >= n || b >= n {
            continue;
        }
        if a == b {
            edge_geoms.push(EdgeGeom {
                from: a,
                to: b,
                points: Vec::new(),
            });
            continue;
        }
        let chain = chain_iter.next().expect("one chain per valid edge");
        // Points in (order, rank) coordinates. A dummy becomes two points,
        // where the edge enters and leaves its rank's band, so slanted
        // segments stay in the gaps between ranks and never cut through the
        // nodes of the ranks they cross.
        let ascending = vrank[chain[0]] <= vrank[*chain.last().unwrap()];
        let mut orp: Vec<(f64, f64)> = Vec::with_capacity(2 * chain.len() + 2);
        for &v in &chain {
            if is_dummy[v] {
                let (r, half) = (rpos[vrank[v]], rext[vrank[v]] / 2.0);
                let (r0, r1) = if ascending {
                    (r - half, r + half)
                } else {
                    (r + half, r - half)
                };
                orp.push((x[v], r0));
                if half > 0.0 {
                    orp.push((x[v], r1));
                }
            } else {
                orp.push((x[v], rpos[vrank[v]]));
            }
        }
        // Where the segment leaving the producer (or entering the consumer)
        // would pass over a neighbour in the same rank, first run straight
        // to the edge of the rank's band.
        let stub = |u: usize, toward: (f64, f64)| -> Option<(f64, f64)> {
            let (uo, ur) = (x[u], rpos[vrank[u]]);
            if (toward.0 - uo).abs() < 1e-9 || (toward.1 - ur).abs() < 1e-9 {
                return None;
            }
            let layer = &layers[vrank[u]];
            let step: isize = if toward.0 > uo { 1 } else { -1 };
            let pad = 2.0 * m.scale;
            // Only the part of the segment inside this rank's band can meet
            // a node of the rank: stop looking where it leaves the band.
            let t_exit = ((rext[vrank[u]] / 2.0 + pad) / (toward.1 - ur).abs()).min(1.0);
            let o_exit = uo + t_exit * (toward.0 - uo);
            let (lo, hi) = (uo.min(o_exit), uo.max(o_exit));
            let mut i = pos[u] as isize + step;
            while i >= 0 && (i as usize) < layer.len() {
                let w = layer[i as usize];
                i += step;
                if is_dummy[w] {
                    continue;
                }
                let (wlo, whi) = (x[w] - vext[w] / 2.0 - pad, x[w] + vext[w] / 2.0 + pad);
                if wlo > hi || whi < lo {
                    break;
                }
                let half_r = rext_of(sizes[w]) / 2.0 + pad;
                let (rlo, rhi) = (ur - half_r, ur + half_r);
                if segment_hits_rect((uo, ur), toward, (wlo, rlo, whi, rhi)) {
                    let edge_r = if toward.1 > ur {
                        ur + rext[vrank[u]] / 2.0
                    } else {
                        ur - rext[vrank[u]] / 2.0
                    };
                    return Some((uo, edge_r));
                }
            }
            None
        };
        // A stub at one end changes the other end's segment, so check again.
        let (mut at_src, mut at_dst) = (false, false);
        for _ in 0..2 {
            if !at_dst {
                let k = orp.len();
                if let Some(p) = stub(b, orp[k - 2]) {
                    orp.insert(k - 1, p);
                    at_dst = true;
                }
            }
            if !at_src {
                if let Some(p) = stub(a, orp[1]) {
                    orp.insert(1, p);
                    at_src = true;
                }
            }
        }
        let mut pts: Vec<(f64, f64)> = orp.iter().map(|&(o, r)| place_pt(o, r)).collect();
        let k = pts.len();
        let start = nodes[a].boundary_towards(pts[1].0, pts[1].1);
        let end = nodes[b].boundary_towards(pts[k - 2].0, pts[k - 2].1);
        pts[0] = start;
        pts[k - 1] = end;
        // A bend that falls on an outline duplicates the clipped end point.
        pts.dedup_by(|p, q| (p.0 - q.0).abs() < 1e-6 && (p.1 - q.1).abs() < 1e-6);
        // Merge straight runs (a long edge going straight through ranks).
        let mut i = 1;
        while i + 1 < pts.len() {
            let (p, q, r) = (pts[i - 1], pts[i], pts[i + 1]);
            let cross = (q.0 - p.0) * (r.1 - q.1) - (q.1 - p.1) * (r.0 - q.0);
            let dot = (q.0 - p.0) * (r.0 - q.0) + (q.1 - p.1) * (r.1 - q.1);
            if cross.abs() < 1e-6 && dot > 0.0 {
                pts.remove(i);
            } else {
                i += 1;
            }
        }
        // Overlapping outlines (should not happen) leave nothing to draw.
        if pts.len() < 2 {
            pts.clear();
        } else if pts.len() == 2 {
            let (sx, sy) = (pts[1].0 - pts[0].0, pts[1].1 - pts[0].1);
            let (cx, cy) = (nodes[b].cx - nodes[a].cx, nodes[b].cy - nodes[a].cy);
            if sx * cx + sy * cy <= 0.0 {
                pts.clear();
            }
        }
        edge_geoms.push(EdgeGeom {
            from: a,
            to: b,
            points: pts,
        });
    }

    Layout {
        width,
        height,
        nodes,
        edges: edge_geoms,
        title_pos: if title_h > 0.0 {
            Some((width / 2.0, m.margin + title_h / 2.0))
        } else {
            None
        },
        metrics: m,
    }
}

/// An edge's shaft polyline and its arrowhead triangle (tip first).
pub(crate) type ShaftAndArrow = (Vec<(f64, f64)>, [(f64, f64); 3]);

/// Whether the segment p-q meets the rectangle (x0, y0, x1, y1)
/// (Liang-Barsky clipping).
fn segment_hits_rect(p: (f64, f64), q: (f64, f64), r: (f64, f64, f64, f64)) -> bool {
    let (dx, dy) = (q.0 - p.0, q.1 - p.1);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (den, num) in [
        (-dx, p.0 - r.0),
        (dx, r.2 - p.0),
        (-dy, p.1 - r.1),
        (dy, r.3 - p.1),
    ] {
        if den.abs() < 1e-12 {
            if num < 0.0 {
                return false;
            }
        } else {
            let t = num / den;
            if den < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
            if t0 > t1 {
                return false;
            }
        }
    }
    true
}

/// Geometry for drawing an edge: the shaft polyline (ending at the arrow's
/// base) and the arrowhead triangle (tip first). `len` and `half` are the
/// arrowhead's length and half width.
pub(crate) fn edge_shaft_and_arrow(
    points: &[(f64, f64)],
    len: f64,
    half: f64,
) -> Option<ShaftAndArrow> {
    if points.len() < 2 {
        return None;
    }
    let tip = *points.last().unwrap();
    let prev = points[points.len() - 2];
    let (dx, dy) = (tip.0 - prev.0, tip.1 - prev.1);
    let l = (dx * dx + dy * dy).sqrt();
    if l < 1e-9 {
        return None;
    }
    let (ux, uy) = (dx / l, dy / l);
    let alen = len.min(l * 0.8);
    let base = (tip.0 - ux * alen, tip.1 - uy * alen);
    let (px, py) = (-uy * half, ux * half);
    let mut shaft = points[..points.len() - 1].to_vec();
    shaft.push(base);
    Some((
        shaft,
        [tip, (base.0 + px, base.1 + py), (base.0 - px, base.1 - py)],
    ))
}
