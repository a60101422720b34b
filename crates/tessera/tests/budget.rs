//! One memory budget per process: concurrent computations share the limit. (A test binary
//! of its own: the budget is process-wide.)

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tessera::{random, ComputeOptions, Observer, TaskEvent};
use tessera_exec::budget;

const MIB: usize = 1 << 20;

/// The budget is the process's: one test at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The highest thread index that ran a task.
#[derive(Default)]
struct MaxThread(AtomicUsize);

impl Observer for MaxThread {
    fn task_done(&self, e: &TaskEvent) {
        self.0.fetch_max(e.thread, Ordering::Relaxed);
    }
}

#[test]
fn concurrent_computations_share_one_limit() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let limit = 8 * MIB;
    // Each alone holds close to the limit: 32 MiB rechunked all to all in 128 KiB blocks.
    let arrays: Vec<_> = (0..4)
        .map(|k| random::default_rng(k).random(&[2048, 2048], [64, 2048]).unwrap().mul(2.0).unwrap().rechunk([2048, 64]).unwrap().sum_axis(0).unwrap())
        .collect();
    // Unoptimized: the optimizer would move the rechunk onto the random source (free).
    let opts = |limit: Option<usize>| {
        let mut o = ComputeOptions::default().memory_limit(limit);
        o.optimize = false;
        o
    };
    let free: Vec<Vec<f64>> = arrays.iter().map(|a| a.compute_with(&opts(None)).unwrap().to_vec()).collect();
    budget::take_peak_bytes();
    let got: Vec<Vec<f64>> = std::thread::scope(|s| {
        let handles: Vec<_> = arrays
            .iter()
            .map(|a| s.spawn(move || a.compute_with(&opts(Some(limit)).threads(2)).unwrap().to_vec::<f64>()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(got, free);
    let peak = budget::take_peak_bytes();
    // Alone, each would hold close to the limit (4x it together). When every computation
    // is stuck on blocks its next task needs, a small task starts over the limit.
    assert!(peak > limit / 2 && peak <= limit + limit / 2, "the process held {peak} bytes under a {limit}-byte limit");
    assert_eq!(budget::held_bytes(), 0, "every computation hands its share back");
}

#[test]
fn threads_are_capped_at_a_multiple_of_the_cores() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let x = random::default_rng(9).random(&[4096], [1]).unwrap().add(1.0).unwrap().sum().unwrap();
    let seen = Arc::new(MaxThread::default());
    let mut opts = ComputeOptions::default().threads(100_000).memory_limit(None);
    opts.observers.push(seen.clone());
    let many = x.compute_with(&opts).unwrap().get_f64(&[]);
    assert!(seen.0.load(Ordering::Relaxed) < tessera_exec::max_threads());
    assert_eq!(many, x.compute_with(&ComputeOptions::default().threads(1)).unwrap().get_f64(&[]));
}
