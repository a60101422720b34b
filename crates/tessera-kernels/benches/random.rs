//! Single-thread throughput of the counter-based generator.
//!
//! `cargo bench -p tessera-kernels --bench random`
//!
//! Each measurement fills a 4096-element buffer repeatedly (step 1, a fresh
//! start index each time so nothing is cached), ~15 repetitions of ~40 ms
//! each; the median samples/s is printed.

use std::hint::black_box;
use std::time::Instant;

use tessera_kernels::simd_path;
use tessera_kernels::random::{
    add_normal_rows, fill_integers, fill_normal, fill_random, fill_uniform, Rows, Stream,
};
use tessera_kernels::reduce::add_rows_into;

const BUF: usize = 4096;
const REPS: usize = 15;

fn measure(name: &str, f: impl FnMut(u64)) {
    measure_n(name, BUF, f)
}

/// As `measure`, for fills of `buf` values.
fn measure_n(name: &str, buf: usize, mut f: impl FnMut(u64)) {
    // Calibrate the number of fills per repetition to ~40 ms.
    let mut iters = 64u64;
    loop {
        let t = Instant::now();
        for k in 0..iters {
            f(k * buf as u64);
        }
        if t.elapsed().as_secs_f64() > 0.02 || iters > (1 << 24) {
            break;
        }
        iters *= 2;
    }
    let mut rates = Vec::with_capacity(REPS);
    let mut next = 0u64;
    for _ in 0..REPS {
        let t = Instant::now();
        for _ in 0..iters {
            f(next);
            next += buf as u64;
        }
        let dt = t.elapsed().as_secs_f64();
        rates.push((iters as f64) * buf as f64 / dt);
    }
    rates.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let med = rates[REPS / 2];
    println!(
        "{name:<28} median {:>8.1} M samples/s   (min {:.1}, max {:.1}; {} x {} per rep)",
        med / 1e6,
        rates[0] / 1e6,
        rates[REPS - 1] / 1e6,
        iters,
        buf
    );
}

fn main() {
    println!(
        "tessera random bench: one thread, buffer {BUF}, {REPS} reps; SIMD path: {}",
        simd_path()
    );
    let s = Stream { seed: 0x1234_5678_9abc_def0, stream: 7 };
    let mut f = vec![0.0f64; BUF];
    let mut n = vec![0i64; BUF];
    measure("fill_normal", |start| {
        fill_normal(s, Rows::line(start, 1), 0.0, 1.0, black_box(&mut f));
        black_box(&f);
    });
    measure("fill_random", |start| {
        fill_random(s, Rows::line(start, 1), black_box(&mut f));
        black_box(&f);
    });
    measure("fill_uniform", |start| {
        fill_uniform(s, Rows::line(start, 1), -2.0, 3.0, black_box(&mut f));
        black_box(&f);
    });
    measure("fill_integers [0,1000)", |start| {
        fill_integers(s, Rows::line(start, 1), 0, 1000, black_box(&mut n));
        black_box(&n);
    });
    measure("fill_normal (odd start)", |start| {
        fill_normal(s, Rows::line(start + 1, 1), 0.0, 1.0, black_box(&mut f));
        black_box(&f);
    });
    let mut big = vec![0.0f64; 1 << 16];
    measure_n("fill_normal 65536", big.len(), |start| {
        fill_normal(s, Rows::line(start * 16, 1), 0.0, 1.0, black_box(&mut big));
        black_box(&big);
    });
    measure_n("fill_normal 1000", 1000, |start| {
        fill_normal(s, Rows::line(start * 20, 1), 0.0, 1.0, black_box(&mut f[..1000]));
        black_box(&f);
    });
    // Four rows of a 20000-wide array: the fused 2-d seed's tile.
    measure_n("fill_normal rows 4x1000", 4000, |start| {
        fill_normal(s, Rows { start: start * 20, step: 1, len: 1000, stride: 20000 }, 0.0, 1.0, black_box(&mut f[..4000]));
        black_box(&f);
    });
    // Column sums of 32 rows of a 20000-wide array (the 2-d seed's mean(axis=0) tile):
    // stored and added, or added as they are generated.
    let mut tile = vec![0.0f64; 32_000];
    let mut acc = vec![0.0f64; 1000];
    let rows = |start: u64| Rows { start: start / 32_000 * 640_000, step: 1, len: 1000, stride: 20_000 };
    measure_n("fill rows 32x1000 + add", 32_000, |start| {
        fill_normal(s, rows(start), 10.0, 0.1, black_box(&mut tile));
        add_rows_into(black_box(&mut acc), &tile);
    });
    measure_n("add_normal_rows 32x1000", 32_000, |start| {
        add_normal_rows(s, rows(start), 32, 10.0, 0.1, black_box(&mut acc));
    });
    measure("fill_normal step 3", |start| {
        fill_normal(s, Rows::line(start, 3), 0.0, 1.0, black_box(&mut f));
        black_box(&f);
    });
}
