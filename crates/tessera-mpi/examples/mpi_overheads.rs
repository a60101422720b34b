//! Per-task and per-message overheads over MPI: `mpirun -n 2 target/release/examples/mpi_overheads`.

use std::time::Instant;
use tessera::{ComputeOptions, DType};
use tessera_exec::Transport;

fn main() {
    let mpi = tessera_mpi::Mpi::init().expect("MPI init");
    // Per task: a million trivial chunk tasks and their reduction tree, spread over the ranks.
    let n = 1_000_000;
    let x = tessera::ones(&[n], DType::F64, 1).and_then(|x| x.sum()).unwrap_or_else(|e| mpi.abort(&e.to_string()));
    let tasks = x.plan(true).task_count();
    let mut times = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let r = mpi.compute(&x).unwrap_or_else(|e| mpi.abort(&e.to_string()));
        times.push(t.elapsed().as_secs_f64());
        assert_eq!(r.get_f64(&[]), n as f64);
    }
    times.sort_by(|a, b| a.total_cmp(b));
    if mpi.rank() == 0 {
        println!("per task: {:.3} us ({} tasks on {} ranks, median {:.3} s)", times[1] * 1e6 / tasks as f64, tasks, mpi.size(), times[1]);
    }
    // Per message: ping-pong of small messages between ranks 0 and 1.
    if mpi.size() >= 2 {
        let (_, t) = mpi.options(ComputeOptions::default());
        let rounds = 2000;
        let start = Instant::now();
        for _ in 0..rounds {
            match mpi.rank() {
                0 => {
                    t.send(1, vec![0u8; 64]);
                    while t.poll().is_empty() {
                        std::thread::yield_now();
                    }
                }
                1 => {
                    while t.poll().is_empty() {
                        std::thread::yield_now();
                    }
                    t.send(0, vec![0u8; 64]);
                }
                _ => break,
            }
        }
        let dt = start.elapsed().as_secs_f64();
        t.finish();
        if mpi.rank() == 0 {
            println!("per message: {:.2} us one way (64-byte ping-pong, {rounds} rounds)", dt * 1e6 / (2.0 * rounds as f64));
        }
    }
    mpi.finalize();
}
