//! Engine benchmarks (`cargo bench -p tessera --bench engine [-- FILTER]`): medians of
//! repeated runs, printed one per line. `benches/compare.py` runs NumPy and Dask beside
//! tessera; this harness covers what only the Rust API can time precisely.

use std::time::Instant;
use tessera::{random, ComputeOptions, DType, IndexItem};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn time<R>(reps: usize, mut f: impl FnMut() -> R) -> f64 {
    median(
        (0..reps)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(f());
                t.elapsed().as_secs_f64()
            })
            .collect(),
    )
}

fn main() {
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with("--"));
    let run = |name: &str| filter.as_deref().is_none_or(|f| name.contains(f));
    let rng = random::default_rng(0);

    if run("seed_mean") {
        let x = rng.normal(0.0, 0.1, &[800_000_000], 200_000_000).unwrap().mean().unwrap();
        let t = time(5, || x.compute().unwrap());
        println!("seed_mean_800M_4chunks          median {:>10.4} s   {:>7.0} M samples/s", t, 800.0 / t);
    }
    if run("seed_2d") {
        let x = rng.normal(10.0, 0.1, &[20000, 20000], [1000, 1000]).unwrap();
        let m = x.mean_axis(0).unwrap();
        let s = m.index(&[IndexItem::Slice { start: None, stop: None, step: Some(100) }]).unwrap();
        println!("seed_2d_mean_axis0              median {:>10.4} s", time(5, || m.compute().unwrap()));
        println!("seed_2d_mean_axis0_step100      median {:>10.4} s", time(11, || s.compute().unwrap()));
    }
    if run("normal_1thread") {
        let x = rng.normal(0.0, 1.0, &[200_000_000], 200_000_000).unwrap().sum().unwrap();
        let o = ComputeOptions::default().threads(1);
        let t = time(5, || x.compute_with(&o).unwrap());
        println!("normal_sum_1thread              median {:>10.4} s   {:>7.0} M samples/s/core", t, 200.0 / t);
    }
    if run("chain") {
        let n = 20_000_000;
        let data: Vec<f64> = (0..n).map(|i| (i % 1000) as f64 * 0.001).collect();
        let x = tessera::from_vec(&[n], data, 1_000_000).unwrap();
        let y = x.mul(2.0).unwrap().add(1.0).unwrap().sqrt().unwrap().mul(&x).unwrap().sum().unwrap();
        let t = time(11, || y.compute().unwrap());
        println!("chain_sqrt(2x+1)*x_sum_20M      median {:>10.4} s   {:>7.0} M elements/s", t, n as f64 / 1e6 / t);
    }
    if run("overhead") {
        let n = 1_000_000;
        let x = tessera::ones(&[n], DType::F64, 1).unwrap().sum().unwrap();
        let tasks = x.plan(true).task_count();
        let t = time(3, || x.compute().unwrap());
        println!("scheduling_1M_trivial_tasks     median {:>10.4} s   {:>7.3} us/task ({} tasks)", t, t * 1e6 / tasks as f64, tasks);
        let o = ComputeOptions::default().threads(1);
        let t = time(3, || x.compute_with(&o).unwrap());
        println!("scheduling_1M_tasks_1thread     median {:>10.4} s   {:>7.3} us/task", t, t * 1e6 / tasks as f64);
    }
    if run("build") {
        let t = time(21, || {
            let x = rng.normal(0.0, 1.0, &[1_000_000_000], 1000).unwrap();
            x.add(1.0).unwrap().mean().unwrap()
        });
        println!("build_expr_1M_chunks            median {:>10.2} us", t * 1e6);
        let x = rng.normal(0.0, 1.0, &[1_000_000_000], 1000).unwrap().add(1.0).unwrap().mean().unwrap();
        let t = time(5, || x.plan(true));
        println!("plan_1M_chunks                  median {:>10.2} ms", t * 1e3);
    }
    if run("tiny") {
        let x = tessera::from_vec(&[1000], vec![1.0f64; 1000], 1000).unwrap();
        let t = time(2001, || x.add(1.0).unwrap().sum().unwrap().compute().unwrap());
        println!("tiny_(x+1).sum()_1000           median {:>10.2} us", t * 1e6);
    }
}
