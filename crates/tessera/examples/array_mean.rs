//! The seed program: the mean of DIM normal random numbers in NCHUNKS chunks.
//!
//! `cargo run --release --example array_mean -- [DIM] [NCHUNKS]` (defaults 800000000 and 4)

use std::io::Write;
use std::time::Instant;

fn main() -> Result<(), tessera::Error> {
    let args: Vec<String> = std::env::args().collect();
    let dim: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(50_000_000 * 16);
    let num_chunks: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(4);
    let start = Instant::now();
    let random_array = tessera::random::normal(0.0, 0.1, &[dim], dim / num_chunks)?;
    let mean_delayed = random_array.mean()?;
    let mean = mean_delayed.compute()?.get_f64(&[]);
    let compute_time = start.elapsed().as_secs_f64();
    let bar = "==================================";
    // Ignore a closed pipe (`| head -1`) rather than panic.
    let _ = write!(std::io::stdout(), "mean is {mean}\n\n{bar}\ncompute time: {compute_time}s\n{bar}\n");
    Ok(())
}
