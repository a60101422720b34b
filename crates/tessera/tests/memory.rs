//! The memory limit: refusal up front, spilling, and results equal to unlimited runs.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tessera::{random, ComputeOptions, ErrorKind, IndexItem, Observer, TaskEvent};

/// The most chunk bytes the executor held at any task's end.
#[derive(Default)]
struct MaxHeld(AtomicUsize);

impl Observer for MaxHeld {
    fn task_done(&self, e: &TaskEvent) {
        self.0.fetch_max(e.held_bytes, Ordering::Relaxed);
    }
}

const MIB: usize = 1 << 20;

/// The tests share TESSERA_SPILL_DIR; run them one at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

#[test]
fn a_chunk_that_cannot_fit_is_refused_before_running() {
    let _guard = serial();
    // One 512 MiB chunk of float64 under a 64 MiB limit.
    let x = random::default_rng(1).random(&[8192, 8192], [8192, 8192]).unwrap();
    let y = x.add(1.0).unwrap();
    let e = refused(&y, 64 * MIB);
    assert!(e.message.contains("[8192, 8192]") && e.message.contains("512.0 MiB") && e.message.contains("64.0 MiB"), "{e}");
    assert!(e.message.contains("use chunks of at most"), "{e}");
}

#[test]
fn persist_spills_under_a_small_limit_and_sums_right() {
    let _guard = serial();
    // 32 MiB in 16 blocks of 2 MiB under a 6 MiB limit: most blocks must go to disk.
    let x = random::default_rng(2).random(&[2048, 2048], [512, 512]).unwrap().add(1.0).unwrap();
    let expect = x.sum().unwrap().compute_with(&ComputeOptions::default().memory_limit(None)).unwrap().get_f64(&[]);
    let spill = tempdir();
    std::env::set_var("TESSERA_SPILL_DIR", &spill);
    let small = ComputeOptions::default().memory_limit(Some(6 * MIB));
    let p = x.persist_with(&small).unwrap();
    let files = std::fs::read_dir(&spill).unwrap().flat_map(|d| std::fs::read_dir(d.unwrap().path()).unwrap()).count();
    assert!(files >= 10, "expected most of 16 blocks spilled, found {files} files");
    let got = p.sum().unwrap().compute_with(&small).unwrap().get_f64(&[]);
    assert_eq!(got, expect, "same tree, same bits");
    drop(p);
    assert_eq!(std::fs::read_dir(&spill).unwrap().count(), 0, "spill directory removed with the array");
    std::env::remove_var("TESSERA_SPILL_DIR");
}

#[test]
fn rechunk_under_a_limit_matches_unlimited() {
    let _guard = serial();
    // Through a block kernel: a rechunk of random values (times 2) would be generated in the
    // new chunks directly (rechunk_through_elementwise), with no all-to-all rechunk to test.
    let r = random::default_rng(3).random(&[1024, 1024], [128, 128]).unwrap();
    let x = r.map_blocks("copy", tessera::DType::F64, |b, _| Ok(b.clone())).unwrap().mul(2.0).unwrap();
    let y = x.rechunk([1024, 16]).unwrap().mean_axis(0).unwrap();
    let free = y.compute_with(&ComputeOptions::default().memory_limit(None)).unwrap().to_vec::<f64>();
    let held = Arc::new(MaxHeld::default());
    let mut tight_opts = ComputeOptions::default().memory_limit(Some(3 * MIB));
    tight_opts.observers.push(held.clone());
    let tight = y.compute_with(&tight_opts).unwrap().to_vec::<f64>();
    assert_eq!(free, tight);
    let peak = held.0.load(Ordering::Relaxed);
    assert!(peak > 0 && peak <= 3 * MIB, "held {peak} bytes under a 3 MiB limit");
    assert!(y.explain().contains("rechunk-split"), "all-to-all rechunks split first");
    let s = x.rechunk([1024, 16]).unwrap().index(&[IndexItem::Int(5)]).unwrap();
    assert_eq!(s.compute_with(&ComputeOptions::default().memory_limit(Some(3 * MIB))).unwrap().len(), 1024);
}

#[test]
fn a_result_bigger_than_the_limit_is_refused_before_running() {
    let _guard = serial();
    // 488 MiB of float64 in 8 MiB chunks under 128 MiB: every task fits, the result not.
    let x = random::default_rng(4).random(&[8000, 8000], [1000, 1000]).unwrap().add(1.0).unwrap();
    let e = refused(&x, 128 * MIB);
    assert!(e.message.contains("[8000, 8000] float64") && e.message.contains("488.3 MiB") && e.message.contains("128.0 MiB"), "{e}");
    assert!(e.message.contains("persist()"), "{e}");
    // A reduction of it fits.
    let opts = ComputeOptions::default().memory_limit(Some(128 * MIB));
    assert_eq!(x.sum_axis(0).unwrap().compute_with(&opts).unwrap().len(), 8000);
}

/// The memory error computing `x` under `limit` gives, at once (before anything runs).
fn refused(x: &tessera::Array, limit: usize) -> tessera::Error {
    let t = std::time::Instant::now();
    let e = x.compute_with(&ComputeOptions::default().memory_limit(Some(limit))).unwrap_err();
    assert!(t.elapsed().as_millis() < 500, "refused without running");
    assert_eq!(e.kind, ErrorKind::Memory);
    e
}

fn tempdir() -> std::path::PathBuf {
    let p = std::env::temp_dir().join(format!("tessera-test-spill-{}", std::process::id()));
    std::fs::create_dir_all(&p).unwrap();
    p
}
