//! Products (feature `linalg`): matmul and einsum against a plain reference over random
//! shapes and chunkings (uneven and size-1 chunks, empty axes), the same bits for any
//! thread count, and the plan (one GEMM task per output block and contracted block, then
//! the sum tree).
#![cfg(feature = "linalg")]

use proptest::prelude::*;
use tessera::{einsum, from_vec, tensordot, Array, ComputeOptions, DType};

/// Block sizes of `n` elements cut from `cuts` (each in 1..=n), uneven last chunk.
fn chunks_of(n: usize, c: usize) -> Vec<usize> {
    if n == 0 {
        return vec![0];
    }
    let c = c.clamp(1, n);
    let mut v = vec![c; n / c];
    if n % c != 0 {
        v.push(n % c);
    }
    v
}

fn arr(shape: &[usize], chunk: &[usize], seed: u64) -> (Array, Vec<f64>) {
    let n: usize = shape.iter().product();
    // Small integers as floats: sums are exact whatever the order.
    let data: Vec<f64> = (0..n as u64).map(|i| (((i + 1) * (seed * 2 + 7)) % 11) as f64 - 5.0).collect();
    let ch: Vec<Vec<usize>> = shape.iter().zip(chunk).map(|(&s, &c)| chunks_of(s, c)).collect();
    (from_vec(shape, data.clone(), ch).unwrap(), data)
}

fn matmul_ref(a: &[f64], b: &[f64], m: usize, k: usize, n: usize) -> Vec<f64> {
    let mut c = vec![0.0; m * n];
    for i in 0..m {
        for p in 0..k {
            for j in 0..n {
                c[i * n + j] += a[i * k + p] * b[p * n + j];
            }
        }
    }
    c
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn matmul_matches_reference(m in 0usize..9, k in 0usize..9, n in 0usize..9, cm in 1usize..5, ck in 1usize..5, ck2 in 1usize..5, cn in 1usize..5) {
        let (a, av) = arr(&[m, k], &[cm, ck], 1);
        let (b, bv) = arr(&[k, n], &[ck2, cn], 2);
        let c = a.matmul(&b).unwrap();
        prop_assert_eq!(c.shape(), &[m, n][..]);
        let got = c.compute().unwrap().to_vec::<f64>();
        prop_assert_eq!(got, matmul_ref(&av, &bv, m, k, n));
        // einsum and tensordot agree, and so does the transposed product.
        let e = einsum("ij,jk->ik", &[&a, &b]).unwrap().compute().unwrap().to_vec::<f64>();
        prop_assert_eq!(e, matmul_ref(&av, &bv, m, k, n));
        let t = tensordot(&a, &b, &[1], &[0]).unwrap().compute().unwrap().to_vec::<f64>();
        prop_assert_eq!(t, matmul_ref(&av, &bv, m, k, n));
        let ct = einsum("ij,jk->ki", &[&a, &b]).unwrap().compute().unwrap().to_vec::<f64>();
        let r = matmul_ref(&av, &bv, m, k, n);
        let want: Vec<f64> = (0..n).flat_map(|j| (0..m).map(move |i| (i, j))).map(|(i, j)| r[i * n + j]).collect();
        prop_assert_eq!(ct, want);
    }

    #[test]
    fn batched_matmul_broadcasts(bt in 1usize..4, m in 1usize..6, k in 1usize..6, n in 1usize..6, c in 1usize..4) {
        let (a, av) = arr(&[bt, m, k], &[c, c, c], 3);
        let (b, bv) = arr(&[1, k, n], &[1, c, c], 4);
        let got = a.matmul(&b).unwrap().compute().unwrap().to_vec::<f64>();
        let mut want = vec![];
        for t in 0..bt {
            want.extend(matmul_ref(&av[t * m * k..(t + 1) * m * k], &bv, m, k, n));
        }
        prop_assert_eq!(got, want);
    }
}

#[test]
fn integers_wrap_like_numpy() {
    let a = from_vec(&[2, 3], vec![100i8, 100, 100, -1, 2, 3], 1).unwrap();
    let b = from_vec(&[3, 1], vec![1i8, 1, 1], 2).unwrap();
    let c = a.matmul(&b).unwrap();
    assert_eq!(c.dtype(), DType::I8);
    // 300 wraps to 44 in int8, as NumPy's int8 matmul.
    assert_eq!(c.compute().unwrap().to_vec::<i8>(), vec![44, 4]);
}

#[test]
fn einsum_forms() {
    let (a, av) = arr(&[4, 4], &[3, 2], 5);
    // Trace and diagonal (repeated labels), a sum, an outer product.
    let tr = einsum("ii->", &[&a]).unwrap().compute().unwrap().to_vec::<f64>();
    assert_eq!(tr, vec![av[0] + av[5] + av[10] + av[15]]);
    let d = einsum("ii->i", &[&a]).unwrap().compute().unwrap().to_vec::<f64>();
    assert_eq!(d, vec![av[0], av[5], av[10], av[15]]);
    let s = einsum("ij->", &[&a]).unwrap().compute().unwrap().to_vec::<f64>();
    assert_eq!(s, vec![av.iter().sum::<f64>()]);
    let (v, vv) = arr(&[4], &[3], 6);
    let o = einsum("i,j", &[&v, &v]).unwrap().compute().unwrap().to_vec::<f64>();
    assert_eq!(o, vv.iter().flat_map(|x| vv.iter().map(move |y| x * y)).collect::<Vec<_>>());
    // Three operands, contracted left to right.
    let abc = einsum("ij,jk,k->i", &[&a, &a, &v]).unwrap().compute().unwrap().to_vec::<f64>();
    let aa = matmul_ref(&av, &av, 4, 4, 4);
    let want: Vec<f64> = (0..4).map(|i| (0..4).map(|k| aa[i * 4 + k] * vv[k]).sum()).collect();
    assert_eq!(abc, want);
    assert!(einsum("ij,jk->ik", &[&a]).is_err());
    assert!(einsum("ij,jk->iz", &[&a, &a]).is_err());
}

#[test]
fn same_bits_for_any_thread_count() {
    let g = tessera::random::default_rng(7);
    let a = g.normal(0.0, 1.0, &[300, 257], vec![vec![100, 100, 100], vec![64, 64, 64, 65]]).unwrap();
    let b = g.normal(0.0, 1.0, &[257, 200], 64).unwrap();
    let c = a.matmul(&b).unwrap().reduce(tessera::ReduceOp::Sum, &tessera::ReduceArgs::axis(0)).unwrap();
    let bits = |t: usize| c.compute_with(&ComputeOptions::default().threads(t)).unwrap().to_vec::<f64>().iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    let one = bits(1);
    assert_eq!(bits(2), one);
    assert_eq!(bits(4), one);
}

#[test]
fn plan_is_gemm_tasks_then_a_sum_tree() {
    let (a, _) = arr(&[8, 8], &[2, 2], 1);
    let (b, _) = arr(&[8, 8], &[2, 2], 2);
    let text = a.matmul(&b).unwrap().plan(true).text();
    // 4 x 4 output blocks x 4 contracted blocks, each task reducing its product.
    assert!(text.contains("matmul-sum_chunk [") && text.contains("blockwise(matmul) -> sum_chunk(axes=[2])] tasks=64"), "{text}");
    assert!(text.contains("sum_agg [combine(axes=[2])] tasks=16"), "{text}");
}
