//! Seconds for one sequential 1000 x 1000 x 1000 float64 GEMM (faer), the work of one
//! task of a chunked product: `cargo run --release -p tessera-linalg --example gemm_speed`.
use tessera_linalg::gemm::{GemmElem, Strided};

fn main() {
    let n = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(1000usize);
    let a: Vec<f64> = (0..n * n).map(|i| (i % 7) as f64 - 3.0).collect();
    let b: Vec<f64> = (0..n * n).map(|i| (i % 5) as f64 - 2.0).collect();
    let mut c = vec![0.0; n * n];
    for _ in 0..3 {
        let t = std::time::Instant::now();
        // SAFETY: n x n row-major matrices.
        unsafe {
            f64::gemm(&mut c, Strided { ptr: a.as_ptr(), rows: n, cols: n, rs: n as isize, cs: 1 }, Strided { ptr: b.as_ptr(), rows: n, cols: n, rs: n as isize, cs: 1 });
        }
        let s = t.elapsed().as_secs_f64();
        println!("n={n}: {s:.3}s {:.1} GFLOP/s", 2.0 * (n as f64).powi(3) / s / 1e9);
    }
}
