//! Pictures of the chunk-level task graph, like Dask's `visualize()`: operations as
//! circles labelled with their name, data as boxes, arrows from producers to consumers.
//! `optimize_graph=true` shows the fused tasks that actually run. Graphs too large to read
//! are drawn one node per operation, with task counts, and the title says so.

use crate::array::plan_of;
use crate::Array;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use tessera_core::chunks;
use tessera_core::plan::{Plan, StageId, StageKind};
use tessera_core::{err, Result};
use tessera_viz::{Format, Graph, Node, RankDir, Shape};

/// Dask's `visualize` arguments.
#[derive(Clone, Debug)]
pub struct VisualizeOptions {
    /// Without an extension, `format` picks one.
    pub filename: String,
    /// `png` (default), `svg`, `pdf` or `dot`; also taken from the filename's extension.
    pub format: Option<String>,
    pub optimize_graph: bool,
    pub rankdir: String,
    /// `Some("order")` colours tasks by execution order.
    pub color: Option<String>,
    /// Above this many tasks, draw one node per operation.
    pub max_tasks: usize,
}

impl Default for VisualizeOptions {
    fn default() -> Self {
        VisualizeOptions { filename: "mydask".into(), format: None, optimize_graph: false, rankdir: "BT".into(), color: None, max_tasks: 500 }
    }
}

/// Writes the picture of `arrays`' task graph; returns the path written.
pub fn visualize(arrays: &[&Array], opts: &VisualizeOptions) -> Result<String> {
    let exprs: Vec<_> = arrays.iter().map(|a| a.expr().clone()).collect();
    let plan = if opts.optimize_graph { plan_of(&exprs, true) } else { tessera_core::plan::lower_unfused(&exprs) };
    let (path, format) = target(opts)?;
    let graph = if plan.task_count() <= opts.max_tasks { task_graph(&plan, opts) } else { operation_graph(&plan, opts) };
    let bytes = tessera_viz::render(&graph, format).map_err(|e| err!(Value, "visualize", "{e}"))?;
    std::fs::write(&path, bytes).map_err(|e| err!(Value, "visualize", "cannot write {path}: {e}"))?;
    Ok(path)
}

fn target(opts: &VisualizeOptions) -> Result<(String, Format)> {
    let ext = std::path::Path::new(&opts.filename).extension().and_then(|e| e.to_str()).and_then(tessera_viz::format_from_name);
    let fmt = match (&opts.format, ext) {
        (Some(f), _) => tessera_viz::format_from_name(f).ok_or_else(|| err!(Value, "visualize", "unknown format {f:?}; use png, svg, pdf or dot"))?,
        (None, Some(f)) => f,
        (None, None) => Format::Png,
    };
    let path = if ext.is_some() {
        opts.filename.clone()
    } else {
        let e = match fmt {
            Format::Png => "png",
            Format::Svg => "svg",
            Format::Pdf => "pdf",
            Format::Dot => "dot",
        };
        format!("{}.{e}", opts.filename)
    };
    Ok((path, fmt))
}

fn rankdir(name: &str) -> Option<RankDir> {
    Some(match name.to_ascii_uppercase().as_str() {
        "TB" => RankDir::TB,
        "LR" => RankDir::LR,
        "RL" => RankDir::RL,
        _ => RankDir::BT,
    })
}

/// The order one thread would run the tasks in (the executor's policy, simulated).
pub fn execution_order(plan: &Plan) -> HashMap<(StageId, usize), usize> {
    let n = plan.stages.len();
    let mut depth = vec![0; n];
    let mut users_of = vec![vec![]; n];
    let parts: Vec<Vec<StageId>> = (0..n).map(|s| plan.parts_of(s)).collect();
    for (s, st) in plan.stages.iter().enumerate() {
        if let StageKind::Part { of, .. } = st.kind {
            depth[s] = depth[of];
        }
        for (e, edge) in st.edges.iter().enumerate() {
            depth[s] = depth[s].max(depth[edge.input] + 1);
            users_of[edge.input].push((s, e));
        }
    }
    let mut cursors: Vec<(StageId, usize, usize)> = (0..n).filter(|&s| plan.stages[s].is_source()).map(|s| (s, 0, plan.stages[s].nblocks())).collect();
    let mut ready = BinaryHeap::new();
    let mut pending: HashMap<(StageId, usize), usize> = HashMap::new();
    let mut order = HashMap::new();
    loop {
        let task = if let Some((_, Reverse(s), Reverse(b))) = ready.pop() {
            (s, b)
        } else {
            let Some(i) = tessera_exec::furthest_behind(plan, &cursors) else { break };
            cursors[i].1 += 1;
            (cursors[i].0, cursors[i].1 - 1)
        };
        order.insert(task, order.len());
        // The task makes block `task.1` of its stage and of its kernel's further outputs;
        // each consumer counts each input once, however many edges bring it.
        let mut users: Vec<(StageId, usize)> = std::iter::once(task.0)
            .chain(parts[task.0].iter().copied())
            .flat_map(|p| {
                let index = chunks::unravel(task.1, &plan.stages[p].grid());
                users_of[p].iter().flat_map(move |&(c, e)| plan.stages[c].users(e, &index).into_iter().map(move |cb| (c, cb))).collect::<Vec<_>>()
            })
            .collect();
        users.sort_unstable();
        users.dedup();
        for (c, cb) in users {
            let missing = pending.entry((c, cb)).or_insert_with(|| tessera_exec::distinct_deps(plan, (c, cb)));
            *missing -= 1;
            if *missing == 0 {
                ready.push((depth[c], Reverse(c), Reverse(cb)));
            }
        }
    }
    order
}

fn task_graph(plan: &Plan, opts: &VisualizeOptions) -> Graph {
    let order = (opts.color.as_deref() == Some("order")).then(|| execution_order(plan));
    let total = plan.task_count();
    let mut g = Graph { rankdir: rankdir(&opts.rankdir), ..Default::default() };
    let mut data_node: HashMap<(StageId, usize), usize> = HashMap::new();
    for (s, st) in plan.stages.iter().enumerate() {
        let grid = st.grid();
        for b in 0..st.nblocks() {
            let index = chunks::unravel(b, &grid);
            let key = format!("('{}-{s}', {})", st.name, index.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", "));
            // A kernel's further output: a block made by the kernel's task, no task of its own.
            if let StageKind::Part { of, .. } = st.kind {
                let shape = chunks::block_shape(&st.meta.chunks, &index);
                g.nodes.push(Node { id: format!("data{s}_{b}"), label: String::new(), shape: Shape::Box, fill: None, tooltip: Some(format!("{key} shape {shape:?}")) });
                g.edges.push((data_node[&(of, b)] - 1, g.nodes.len() - 1));
                data_node.insert((s, b), g.nodes.len() - 1);
                continue;
            }
            let fill = order.as_ref().map(|o| tessera_viz::order_color(o[&(s, b)], total));
            let op = g.nodes.len();
            g.nodes.push(Node { id: format!("op{s}_{b}"), label: st.name.clone(), shape: Shape::Circle, fill, tooltip: Some(key.clone()) });
            let shape = chunks::block_shape(&st.meta.chunks, &index);
            g.nodes.push(Node { id: format!("data{s}_{b}"), label: String::new(), shape: Shape::Box, fill: None, tooltip: Some(format!("{key} shape {shape:?}")) });
            g.edges.push((op, op + 1));
            data_node.insert((s, b), op + 1);
            for (e, deps) in st.deps(&index, plan).iter().enumerate() {
                for &d in deps {
                    g.edges.push((data_node[&(st.edges[e].input, d)], op));
                }
            }
        }
    }
    g
}

fn operation_graph(plan: &Plan, opts: &VisualizeOptions) -> Graph {
    let mut g = Graph {
        rankdir: rankdir(&opts.rankdir),
        title: Some(format!("{} tasks: too many to draw, one node per operation", plan.task_count())),
        ..Default::default()
    };
    for (s, st) in plan.stages.iter().enumerate() {
        let op = g.nodes.len();
        let fill = Some(tessera_viz::palette(s));
        g.nodes.push(Node { id: format!("op{s}"), label: format!("{}\nx{}", st.name, st.tasks()), shape: Shape::Ellipse, fill, tooltip: None });
        let chunk: Vec<usize> = st.meta.chunks.iter().map(|c| c.max_size()).collect();
        g.nodes.push(Node {
            id: format!("data{s}"),
            label: format!("{:?}\nchunks {:?}", st.meta.shape, chunk),
            shape: Shape::Box,
            fill: None,
            tooltip: None,
        });
        g.edges.push((op, op + 1));
        for e in &st.edges {
            g.edges.push((2 * e.input + 1, op));
        }
        if let StageKind::Part { of, .. } = st.kind {
            g.edges.push((2 * of, op));
        }
    }
    g
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_graph_is_four_normals_four_means_one_aggregate() {
        let x = crate::random::default_rng(0).normal(0.0, 0.1, &[800], 200).unwrap().mean().unwrap();
        let plan = tessera_core::plan::lower_unfused(&[x.expr().clone()]);
        let g = task_graph(&plan, &VisualizeOptions::default());
        let count = |l: &str| g.nodes.iter().filter(|n| n.label == l).count();
        assert_eq!((count("normal"), count("mean_chunk"), count("mean_agg")), (4, 4, 1));
        assert_eq!(g.nodes.iter().filter(|n| n.shape == Shape::Box).count(), 9);
        assert_eq!(g.edges.len(), 9 + 4 + 4);
        let dot = tessera_viz::to_dot(&g);
        assert_eq!(dot.matches("label=\"normal\"").count(), 4);
    }

    #[test]
    fn order_follows_the_executor_policy() {
        let x = crate::random::default_rng(0).normal(0.0, 0.1, &[800], 200).unwrap().mean().unwrap();
        let plan = tessera_core::plan::lower_unfused(&[x.expr().clone()]);
        let o = execution_order(&plan);
        assert_eq!(o.len(), 9);
        // Each chunk's mean runs right after its chunk: consumers before new sources.
        assert_eq!(o[&(0, 0)] + 1, o[&(1, 0)]);
        assert_eq!(o[&(2, 0)], 8);
    }

    #[test]
    fn order_counts_an_input_reached_by_two_edges_once() {
        // x + x.T over a materialised x: each consumer reads two blocks of one stage.
        let x = crate::from_vec(&[4, 4], (0..16).map(|v| v as f64).collect(), 2).unwrap().rechunk([4, 1]).unwrap();
        let y = x.add(&x.t()).unwrap().sum().unwrap();
        let plan = tessera_core::plan::lower_unfused(&[y.expr().clone()]);
        assert_eq!(execution_order(&plan).len(), plan.task_count());
    }

    #[test]
    fn big_graphs_are_drawn_per_operation() {
        let x = crate::random::default_rng(0).normal(0.0, 0.1, &[100_000], 10).unwrap().mean().unwrap();
        let dir = std::env::temp_dir().join(format!("tessera-viz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let opts = VisualizeOptions { filename: dir.join("big").to_string_lossy().into(), format: Some("dot".into()), ..Default::default() };
        let path = visualize(&[&x], &opts).unwrap();
        let dot = std::fs::read_to_string(&path).unwrap();
        assert!(dot.contains("one node per operation"), "{dot}");
        assert!(dot.contains("x10000"), "{dot}");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
