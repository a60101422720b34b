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
