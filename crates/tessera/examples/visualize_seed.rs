//! Writes the seed program's task graph: `mydask.png` (unoptimized, like Dask's) and
//! `mydask-optimized.png` (the fused tasks that actually run).
//!
//! `cargo run --release --example visualize_seed`

use tessera::visualize::{visualize, VisualizeOptions};

fn main() -> tessera::Result<()> {
    let dim = 50_000_000 * 16;
    let mean = tessera::random::normal(0.0, 0.1, &[dim], dim / 4)?.mean()?;
    let a = visualize(&[&mean], &VisualizeOptions::default())?;
    let b = visualize(&[&mean], &VisualizeOptions { filename: "mydask-optimized".into(), optimize_graph: true, color: Some("order".into()), ..Default::default() })?;
    println!("wrote {a} and {b}");
    Ok(())
}
