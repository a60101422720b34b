//! Zarr round trips through zarrs (feature `zarr`): random shapes, storage chunks (uneven
//! last chunks, size-1 chunks) and read chunks; what is read back equals what was written,
//! element for element, and a region read equals the reference's region.

use proptest::prelude::*;
use tessera::zarr::{from_zarr, to_zarr, v3_metadata};
use tessera_core::chunks::AxisChunks;

fn dir() -> tempdir::Dir {
    tempdir::Dir::new()
}

mod tempdir {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    /// A fresh directory under the system's temporary directory, removed on drop.
    pub struct Dir(pub std::path::PathBuf);
    impl Dir {
        pub fn new() -> Dir {
            let p = std::env::temp_dir().join(format!("tessera-zarr-test-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed)));
            std::fs::create_dir_all(&p).unwrap();
            Dir(p)
        }
        pub fn path(&self) -> &str {
            self.0.to_str().unwrap()
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn case() -> impl Strategy<Value = (Vec<usize>, Vec<usize>, Vec<usize>)> {
    prop::collection::vec(0usize..9, 1..4).prop_flat_map(|shape| {
        let n = shape.len();
        (Just(shape), prop::collection::vec(1usize..5, n), prop::collection::vec(1usize..6, n))
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    #[test]
    fn write_then_read_is_exact((shape, store_chunks, read_chunks) in case()) {
        let d = dir();
        let n: usize = shape.iter().product();
        let data: Vec<f64> = (0..n).map(|i| (i as f64) * 0.5 - 3.25).collect();
        // Written in blocks of whole storage chunks.
        let x = tessera::from_vec(&shape, data.clone(), &store_chunks[..]).unwrap();
        let meta = v3_metadata(&x, &store_chunks);
        to_zarr(&x, d.path(), "a", Some(&meta), false).unwrap();
        let chunks: Vec<AxisChunks> = shape.iter().zip(&read_chunks).map(|(&s, &c)| AxisChunks::regular(c, s)).collect();
        let y = from_zarr(d.path(), "a", Some(chunks)).unwrap();
        prop_assert_eq!(y.shape(), &shape[..]);
        let got = y.compute().unwrap().to_vec::<f64>();
        prop_assert_eq!(got, data);
    }
}

#[test]
fn misaligned_writes_are_refused_and_missing_stores_named() {
    let d = dir();
    let x = tessera::from_vec(&[10], (0..10).map(|i| i as i32).collect(), 3usize).unwrap();
    let meta = v3_metadata(&x, &[4]);
    let e = to_zarr(&x, d.path(), "b", Some(&meta), false).unwrap_err();
    assert!(e.message.contains("storage chunks"), "{e}");
    let e = from_zarr(&format!("{}/missing", d.path()), "", None).unwrap_err();
    assert!(e.message.contains("missing"), "{e}");
    // Overwrite refused by default.
    let y = tessera::from_vec(&[10], (0..10).map(|i| i as i32).collect(), 4usize).unwrap();
    to_zarr(&y, d.path(), "c", Some(&meta), false).unwrap();
    let e = to_zarr(&y, d.path(), "c", Some(&meta), false).unwrap_err();
    assert!(e.message.contains("overwrite"), "{e}");
    to_zarr(&y, d.path(), "c", Some(&meta), true).unwrap();
    let z = from_zarr(d.path(), "c", None).unwrap().compute().unwrap().to_vec::<i32>();
    assert_eq!(z, (0..10).collect::<Vec<_>>());
}

/// The most chunk bytes held, seen at any task's end.
#[derive(Default)]
struct MaxHeld(std::sync::atomic::AtomicUsize);

impl tessera::Observer for MaxHeld {
    fn task_done(&self, e: &tessera::TaskEvent) {
        self.0.fetch_max(e.held_bytes, std::sync::atomic::Ordering::Relaxed);
    }
}

/// `(x - x.mean(axis=0)).std(axis=0)` under `limit` on `threads`: its values and the most
/// chunk bytes held.
fn centred_std(x: &tessera::Array, limit: Option<usize>, threads: usize) -> (Vec<f64>, usize) {
    use tessera::{BinaryOp, ReduceArgs, ReduceOp};
    let m = x.reduce(ReduceOp::Mean, &ReduceArgs::axis(0)).unwrap();
    let y = x.binary(BinaryOp::Sub, &m).unwrap().reduce(ReduceOp::Std { ddof: 0 }, &ReduceArgs::axis(0)).unwrap();
    let w = std::sync::Arc::new(MaxHeld::default());
    let mut opts = tessera::ComputeOptions::default().memory_limit(limit).threads(threads);
    opts.observers.push(w.clone());
    let v = y.compute_with(&opts).unwrap().to_vec::<f64>();
    (v, w.0.load(std::sync::atomic::Ordering::Relaxed))
}

#[test]
fn a_storage_read_under_a_small_limit_keeps_its_bits_and_the_limit() {
    // 16 blocks of 128 KiB; the std needs each block again after the mean has seen them all,
    // and a 640 KiB limit holds 5 of them: the others are spilled or dropped and read again
    // (whichever was measured cheaper), on any thread count with the same bits.
    let (rows, cols, crow) = (512, 256, 64);
    let data: Vec<f64> = (0..rows * cols).map(|i| ((i * 7919) % 1000) as f64 * 0.01 - 3.0).collect();
    let d = dir();
    let x = tessera::from_vec(&[rows, cols], data, [crow, cols]).unwrap();
    to_zarr(&x, d.path(), "a", Some(&v3_metadata(&x, &[crow, cols])), false).unwrap();
    let z = from_zarr(d.path(), "a", None).unwrap();
    let limit = 640 << 10;
    let (free, _) = centred_std(&z, None, 2);
    let bits = |v: &[f64]| v.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    for threads in [1, 2, 4] {
        let (got, held) = centred_std(&z, Some(limit), threads);
        assert_eq!(bits(&got), bits(&free), "{threads} threads");
        assert!(held <= limit, "{threads} threads: held {held} bytes under a {limit}-byte limit");
    }
}
