//! Times the built-in renderer on generated graphs and writes the pictures.
//!
//! cargo run --release -p tessera-viz --example render_timing [-- NODES [OUT_DIR]]

use std::time::Instant;
use tessera_viz::{render_builtin, Format, Graph, Node, Shape};

/// A Dask-like graph: `chunks` independent chains of elementwise tasks, a
/// tree reduction with fan-in 4, and some cross links (as a transpose adds),
/// with a data box after every task. Roughly `nodes` nodes.
fn dask_like(nodes: usize) -> Graph {
    let mut g = Graph::default();
    let mut push = |g: &mut Graph, label: &str, shape: Shape| {
        g.nodes.push(Node {
            id: format!("k{}", g.nodes.len()),
            label: label.into(),
            shape,
            fill: None,
            tooltip: None,
        });
        g.nodes.len() - 1
    };
    let task = |g: &mut Graph,
                push: &mut dyn FnMut(&mut Graph, &str, Shape) -> usize,
                label: &str,
                inputs: &[usize]| {
        let f = push(g, label, Shape::Circle);
        for &i in inputs {
            g.edges.push((i, f));
        }
        let d = push(g, "", Shape::Box);
        g.edges.push((f, d));
        d
    };
    let chunks = (nodes / 9).max(1);
    let mut level: Vec<usize> = (0..chunks)
        .map(|_| task(&mut g, &mut push, "normal", &[]))
        .collect();
    let other: Vec<usize> = (0..chunks)
        .map(|_| task(&mut g, &mut push, "ones", &[]))
        .collect();
    level = level
        .iter()
        .zip(other.iter().rev())
        .map(|(&a, &b)| task(&mut g, &mut push, "add", &[a, b]))
        .collect();
    level = level
        .iter()
        .map(|&a| task(&mut g, &mut push, "sum-chunk", &[a]))
        .collect();
    while level.len() > 1 {
        level = level
            .chunks(4)
            .map(|c| task(&mut g, &mut push, "sum-combine", c))
            .collect();
    }
    g
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    let dir = std::env::args().nth(2).unwrap_or_else(|| "/tmp".into());
    let g = dask_like(n);
    println!("graph: {} nodes, {} edges", g.nodes.len(), g.edges.len());
    for (name, f) in [
        ("png", Format::Png),
        ("svg", Format::Svg),
        ("pdf", Format::Pdf),
    ] {
        let t = Instant::now();
        let bytes = render_builtin(&g, f).unwrap();
        let dt = t.elapsed();
        let path = format!("{dir}/graph{n}.{name}");
        std::fs::write(&path, &bytes).unwrap();
        println!(
            "{name}: {:>9} bytes in {:>8.1} ms -> {path}",
            bytes.len(),
            dt.as_secs_f64() * 1e3
        );
    }
}
