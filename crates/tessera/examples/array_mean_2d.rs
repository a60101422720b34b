//! The seed's 2-D program: `normal(10, 0.1, (20000, 20000), chunks=(1000, 1000)).mean(axis=0)[::100]`.
//!
//! `cargo run --release --example array_mean_2d -- [N] [CHUNK] [STEP]` (defaults 20000, 1000, 100)

use std::io::Write;
use std::time::Instant;
use tessera::IndexItem;

fn main() -> Result<(), tessera::Error> {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(20000);
    let chunk: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let step: i64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(100);
    let x = tessera::random::normal(10.0, 0.1, &[n, n], [chunk, chunk])?;
    let m = x.mean_axis(0)?;
    let y = m.index(&[IndexItem::Slice { start: None, stop: None, step: Some(step) }])?;
    for (label, arr) in [("mean(axis=0)", &m), ("mean(axis=0)[::step]", &y)] {
        let start = Instant::now();
        let r = arr.compute()?;
        let t = start.elapsed().as_secs_f64();
        let v = r.to_vec::<f64>();
        // Ignore a closed pipe (`| head -1`) rather than panic.
        let _ = writeln!(std::io::stdout(), "{label}: {} values, first {:.6}, compute time: {t}s", v.len(), v[0]);
    }
    Ok(())
}
