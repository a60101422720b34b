//! One strided matrix product `c = a @ b` (c row-major, written whole): faer's sequential
//! GEMM for floats, a plain wrapping loop for 64-bit integers (NumPy's integer matmul does
//! not use BLAS either).

use faer::{Accum, MatMut, MatRef, Par};

/// A matrix inside a block: element (i, j) at `ptr + i * rs + j * cs`.
#[derive(Clone, Copy, Debug)]
pub struct Strided<T> {
    pub ptr: *const T,
    pub rows: usize,
    pub cols: usize,
    pub rs: isize,
    pub cs: isize,
}

/// Element types the contraction kernels compute in.
pub trait GemmElem: Copy + Default + Send + Sync + 'static {
    /// `c[i * n + j] = sum_k a[i, k] * b[k, j]` for the `m x n` row-major slice `c`.
    ///
    /// # Safety
    /// `a` and `b` must address valid elements for every in-range index.
    unsafe fn gemm(c: &mut [Self], a: Strided<Self>, b: Strided<Self>);
}

macro_rules! float_gemm {
    ($t:ty) => {
        impl GemmElem for $t {
            unsafe fn gemm(c: &mut [Self], a: Strided<Self>, b: Strided<Self>) {
                let (m, n, k) = (a.rows, b.cols, a.cols);
                debug_assert_eq!(c.len(), m * n);
                if m == 0 || n == 0 {
                    return;
                }
                if k == 0 {
                    c.fill(0.0);
                    return;
                }
                // Sequential on purpose: the bits of a product must not depend on the number
                // of threads (parallelism comes from the many tasks of a chunked product).
                let dst = MatMut::<$t>::from_raw_parts_mut(c.as_mut_ptr(), m, n, n as isize, 1);
                let lhs = MatRef::<$t>::from_raw_parts(a.ptr, m, k, a.rs, a.cs);
                let rhs = MatRef::<$t>::from_raw_parts(b.ptr, k, n, b.rs, b.cs);
                faer::linalg::matmul::matmul(dst, Accum::Replace, lhs, rhs, 1.0, Par::Seq);
            }
        }
    };
}
float_gemm!(f32);
float_gemm!(f64);

macro_rules! int_gemm {
    ($t:ty) => {
        impl GemmElem for $t {
            unsafe fn gemm(c: &mut [Self], a: Strided<Self>, b: Strided<Self>) {
                let (m, n, k) = (a.rows, b.cols, a.cols);
                c.fill(0);
                for i in 0..m {
                    let row = &mut c[i * n..(i + 1) * n];
                    for p in 0..k {
                        let x = *a.ptr.offset(i as isize * a.rs + p as isize * a.cs);
                        if x == 0 {
                            continue;
                        }
                        let bp = b.ptr.offset(p as isize * b.rs);
                        for (j, r) in row.iter_mut().enumerate() {
                            *r = r.wrapping_add(x.wrapping_mul(*bp.offset(j as isize * b.cs)));
                        }
                    }
                }
            }
        }
    };
}
int_gemm!(i64);
int_gemm!(u64);
