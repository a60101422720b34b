//! The memory issue's check: `normal(10, 0.1, (40000, 40000), chunks=(2000, 2000))`
//! (12.8 GB), rechunked to (40000, 200) columns, mean over axis 0, under a memory limit.
//!
//! `TESSERA_MEMORY_LIMIT=256MiB cargo run --release --example rechunk_mean`

use std::time::Instant;

fn main() -> tessera::Result<()> {
    let x = tessera::random::default_rng(0).normal(10.0, 0.1, &[40000, 40000], [2000, 2000])?;
    let y = x.rechunk([40000, 200])?.mean_axis(0)?;
    println!("{}", y.explain().lines().filter(|l| l.starts_with("plan") || l.starts_with('s')).collect::<Vec<_>>().join("\n"));
    let t = Instant::now();
    let r = y.compute()?.to_vec::<f64>();
    let mean = r.iter().sum::<f64>() / r.len() as f64;
    println!("{} column means, overall {mean:.6}, compute time {:.3}s, peak RSS {}", r.len(), t.elapsed().as_secs_f64(), peak());
    Ok(())
}

fn peak() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(|l| l.trim_start_matches("VmHWM:").trim().to_string()))
        .unwrap_or_default()
}
