//! The seed program over MPI: `mpirun -n 4 target/release/examples/array_mean_mpi [DIM] [NCHUNKS]`.
//! Every rank computes its share of the chunks; every rank gets the mean; rank 0 prints.

use std::time::Instant;

fn main() {
    let mpi = tessera_mpi::Mpi::init().expect("MPI init");
    let args: Vec<String> = std::env::args().collect();
    let dim: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(50_000_000 * 16);
    let chunks: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(4);
    let x = tessera::random::default_rng(42).normal(0.0, 0.1, &[dim], dim / chunks).and_then(|x| x.mean()).unwrap_or_else(|e| mpi.abort(&e.to_string()));
    let start = Instant::now();
    let mean = mpi.compute(&x).unwrap_or_else(|e| mpi.abort(&e.to_string())).get_f64(&[]);
    let t = start.elapsed().as_secs_f64();
    let peak = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_string()))
        .unwrap_or_default();
    if mpi.rank() == 0 {
        println!("mean is {mean:e} (bits {:016x})", mean.to_bits());
        println!("compute time: {t}s on {} ranks", mpi.size());
    }
    eprintln!("rank {} peak RSS {peak} KiB", mpi.rank());
    mpi.finalize();
}
