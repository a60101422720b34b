//! Draws Dask's classic picture for the mean of a 4-chunk random array:
//! 4 `normal` tasks -> 4 `mean_chunk` tasks -> 1 `mean_agg`, each task
//! followed by its data box, sources at the bottom.
//!
//! cargo run --release -p tessera-viz --example seed_graph [-- OUT.png]
//!
//! Writes OUT.png (default /tmp/seed.png) with the built-in renderer, plus
//! .svg, .pdf and .dot files next to it.

use tessera_viz::{render_builtin, to_dot, Format, Graph, Node, Shape};

fn node(id: String, label: &str, shape: Shape, tooltip: Option<String>) -> Node {
    Node {
        id,
        label: label.to_string(),
        shape,
        fill: None,
        tooltip,
    }
}

fn seed_graph() -> Graph {
    let mut g = Graph::default();
    let mut chunk_outputs = Vec::new();
    for i in 0..4 {
        let f = g.nodes.len();
        g.nodes.push(node(
            format!("normal-{i}-fn"),
            "normal",
            Shape::Circle,
            None,
        ));
        g.nodes.push(node(
            format!("normal-{i}"),
            "",
            Shape::Box,
            Some(format!("('normal', {i})")),
        ));
        g.nodes.push(node(
            format!("mean_chunk-{i}-fn"),
            "mean_chunk",
            Shape::Circle,
            None,
        ));
        g.nodes.push(node(
            format!("mean_chunk-{i}"),
            "",
            Shape::Box,
            Some(format!("('mean_chunk', {i})")),
        ));
        g.edges.extend([(f, f + 1), (f + 1, f + 2), (f + 2, f + 3)]);
        chunk_outputs.push(f + 3);
    }
    let agg = g.nodes.len();
    g.nodes
        .push(node("mean_agg-fn".into(), "mean_agg", Shape::Circle, None));
    g.nodes.push(node(
        "mean_agg".into(),
        "",
        Shape::Box,
        Some("('mean_agg', 0)".into()),
    ));
    for d in chunk_outputs {
        g.edges.push((d, agg));
    }
    g.edges.push((agg, agg + 1));
    g
}

fn main() {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/tmp/seed.png".to_string());
    let g = seed_graph();
    let png = render_builtin(&g, Format::Png).expect("render png");
    std::fs::write(&out, &png).expect("write png");
    let stem = out.strip_suffix(".png").unwrap_or(&out).to_string();
    for (ext, f) in [("svg", Format::Svg), ("pdf", Format::Pdf)] {
        std::fs::write(format!("{stem}.{ext}"), render_builtin(&g, f).unwrap()).unwrap();
    }
    std::fs::write(format!("{stem}.dot"), to_dot(&g)).unwrap();
    println!("wrote {out} ({} bytes) and {stem}.svg/.pdf/.dot", png.len());
}
