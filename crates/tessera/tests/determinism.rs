//! Determinism: random arrays have the same values for any chunking (4, 16 or 1000 chunks)
//! and thread count, any slice of a random array equals the same slice of the whole, and
//! results (float reductions included) are the same bits for 1, 2 and 4 threads.

mod common;

use common::*;
use proptest::prelude::*;
use tessera::random::default_rng;
use tessera::{Array, ChunkSpec, ComputeOptions, DType, Element, IndexItem, ReduceArgs, ReduceOp};

fn block_bits(b: &tessera::Block) -> Vec<u64> {
    tessera_core::with_dtype!(b.dtype(), T => b.to_vec::<T>().iter().map(|v| v.to_f64().to_bits()).collect())
}

fn bits(a: &Array, threads: usize) -> Vec<u64> {
    block_bits(&a.compute_with(&ComputeOptions::default().threads(threads)).unwrap())
}

#[derive(Clone, Copy, Debug)]
enum Dist {
    Normal,
    Uniform,
    Random,
    Integers(DType),
}

fn make(d: Dist, seed: u64, shape: &[usize], chunks: impl Into<ChunkSpec>) -> Array {
    let g = default_rng(seed);
    match d {
        Dist::Normal => g.normal(3.0, 2.0, shape, chunks),
        Dist::Uniform => g.uniform(-5.0, 7.0, shape, chunks),
        Dist::Random => g.random(shape, chunks),
        Dist::Integers(dt) => {
            let (lo, hi) = int_bounds(dt);
            let (lo, hi) = (lo.max(-1000) as i64, hi.min(1000) as i64);
            g.integers(lo, hi, shape, dt, chunks)
        }
    }
    .unwrap()
}

fn dists() -> Vec<Dist> {
    let mut v = vec![Dist::Normal, Dist::Uniform, Dist::Random];
    v.extend(DTYPES.iter().filter(|d| is_int(**d)).map(|&d| Dist::Integers(d)));
    v
}

#[test]
fn random_values_do_not_depend_on_chunks_or_threads() {
    for d in dists() {
        // 4, 16 and 1000 chunks of a 1-d array.
        let want = bits(&make(d, 11, &[4000], 1000), 1);
        for chunks in [1000usize, 250, 4] {
            let x = make(d, 11, &[4000], chunks);
            assert_eq!(x.npartitions(), 4000 / chunks);
            for threads in [1, 2, 4] {
                assert_eq!(bits(&x, threads), want, "{d:?} chunks {chunks} threads {threads}");
            }
        }
        // A 2-d array in square blocks, row blocks, ragged blocks and one block.
        let want = bits(&make(d, 12, &[40, 100], 1000), 1);
        let specs: Vec<ChunkSpec> = vec![10.into(), [1, 100].into(), vec![vec![7, 33], vec![1, 1, 98]].into(), ChunkSpec::Auto];
        for c in specs {
            for threads in [1, 2, 4] {
                assert_eq!(bits(&make(d, 12, &[40, 100], c.clone()), threads), want, "{d:?} chunks {c:?} threads {threads}");
            }
        }
    }
}

#[test]
fn generators_are_reproducible_and_streams_differ() {
    let g = default_rng(5);
    let (a, b) = (g.random(&[100], 10).unwrap(), g.random(&[100], 10).unwrap());
    assert_ne!(bits(&a, 1), bits(&b, 1), "two arrays of one generator are different streams");
    let h = default_rng(5);
    assert_eq!(bits(&h.random(&[100], 25).unwrap(), 2), bits(&a, 1));
    assert_eq!(bits(&h.random(&[100], 3).unwrap(), 2), bits(&b, 1));
    assert_ne!(bits(&default_rng(6).random(&[100], 10).unwrap(), 1), bits(&a, 1), "seeds differ");
    // Computing twice gives the same values.
    assert_eq!(bits(&a, 4), bits(&a, 4));
}

#[test]
fn random_values_lie_in_their_ranges() {
    let n = 20_000;
    for d in dists() {
        let x = make(d, 3, &[n], 1234).compute().unwrap();
        let v = Nd::from_block(&x);
        match d {
            Dist::Integers(dt) => {
                assert_eq!(x.dtype(), dt);
                let (lo, hi) = int_bounds(dt);
                let (lo, hi) = (lo.max(-1000), hi.min(1000));
                let mut seen = std::collections::HashSet::new();
                for e in &v.data {
                    let V::I(i) = *e else { panic!("{e:?}") };
                    assert!(lo <= i && i < hi, "{dt}: {i} not in [{lo}, {hi})");
                    seen.insert(i);
                }
                assert!(seen.len() as i128 > (hi - lo) * 9 / 10, "{dt}: only {} distinct values", seen.len());
            }
            _ => {
                assert_eq!(x.dtype(), DType::F64);
                let f: Vec<f64> = v.data.iter().map(|e| e.f()).collect();
                let mean = f.iter().sum::<f64>() / n as f64;
                let var = f.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n as f64;
                let (lo, hi, m, s) = match d {
                    Dist::Normal => (f64::NEG_INFINITY, f64::INFINITY, 3.0, 2.0),
                    Dist::Uniform => (-5.0, 7.0, 1.0, 12.0 / 12f64.sqrt()),
                    _ => (0.0, 1.0, 0.5, 1.0 / 12f64.sqrt()),
                };
                assert!(f.iter().all(|&x| lo <= x && x < hi && x.is_finite()), "{d:?} out of range");
                assert!((mean - m).abs() < 0.05 * s.max(1.0), "{d:?} mean {mean}");
                assert!((var.sqrt() - s).abs() < 0.05 * s, "{d:?} std {}", var.sqrt());
            }
        }
    }
}

#[test]
fn float_reductions_are_the_same_bits_for_any_thread_count() {
    let x = default_rng(9).normal(0.5, 1.0, &[300, 400], [7, 13]).unwrap();
    let y = x.mul(&x).unwrap().sub(0.25).unwrap();
    let reductions: Vec<Array> = vec![
        y.sum().unwrap(),
        y.mean().unwrap(),
        y.var(1).unwrap(),
        y.std(0).unwrap(),
        y.prod_axis(0).unwrap(),
        y.reduce(ReduceOp::Mean, &ReduceArgs::axis(1).split_every(3)).unwrap(),
        y.reduce(ReduceOp::Var { ddof: 0 }, &ReduceArgs::axis(0).split_every(2)).unwrap(),
        y.argmax().unwrap(),
        y.t().sum_axis(1).unwrap(),
    ];
    for r in &reductions {
        let want = bits(r, 1);
        for threads in [2, 4] {
            assert_eq!(bits(r, threads), want, "{r}");
        }
    }
    let refs: Vec<&Array> = reductions.iter().collect();
    let one = tessera::compute_many(&refs, &ComputeOptions::default().threads(1)).unwrap();
    let four = tessera::compute_many(&refs, &ComputeOptions::default().threads(4)).unwrap();
    for (a, b) in one.iter().zip(&four) {
        assert_eq!(block_bits(a), block_bits(b));
    }
}

fn dist_st() -> impl Strategy<Value = Dist> {
    prop::sample::select(dists())
}

proptest! {
    #![proptest_config(config(500))]

    #[test]
    fn a_slice_of_a_random_array_is_the_slice_of_the_whole(
        (shape, c1, c2, items) in shape_st(4).prop_flat_map(|s| (Just(s.clone()), chunks_st(&s), chunks_st(&s), index_st(&s))),
        d in dist_st(),
        seed in any::<u64>(),
        opts in opts_st(),
    ) {
        // With the optimizer, the slice is generated directly (only the selected elements).
        let whole = Nd::from_block(&make(d, seed, &shape, c1).compute_with(&opts.get()).unwrap());
        let part = make(d, seed, &shape, c2).index(&items).unwrap();
        check_arr(&part, &opts, &ref_index(&whole, &items), Tol::EXACT)?;
    }

    #[test]
    fn views_and_rechunks_of_random_arrays(
        (shape, c1, c2) in shape_st(3).prop_flat_map(|s| (Just(s.clone()), chunks_st(&s), chunks_st(&s))),
        d in dist_st(),
        seed in any::<u64>(),
        opts in opts_st(),
    ) {
        let whole = Nd::from_block(&make(d, seed, &shape, c1.clone()).compute().unwrap());
        let x = make(d, seed, &shape, c1);
        let rev: Vec<usize> = (0..shape.len()).rev().collect();
        check_arr(&x.t(), &opts, &whole.transpose(&rev), Tol::EXACT)?;
        check_arr(&x.rechunk(c2).unwrap(), &opts, &whole, Tol::EXACT)?;
        let back: Vec<IndexItem> = shape.iter().map(|_| IndexItem::Slice { start: None, stop: None, step: Some(-1) }).collect();
        check_arr(&x.t().index(&back).unwrap(), &opts, &ref_index(&whole.transpose(&rev), &back), Tol::EXACT)?;
    }
}

/// Sums and means of a random normal array add its rows into the sums as they are
/// generated (no stored tile); `x * 1.0`, the same values, goes through stored tiles. The
/// bits must agree (same additions in the same order), over any axes, views and chunks.
fn streamed_sums_match_stored(x: &Array, axes: Option<Vec<isize>>, opts: &ComputeOptions) -> Result<(), TestCaseError> {
    let stored = x.binary(tessera::BinaryOp::Mul, 1.0).unwrap();
    for op in [ReduceOp::Sum, ReduceOp::Mean] {
        let args = ReduceArgs { axes: axes.clone(), ..ReduceArgs::all() };
        let get = |a: &Array| block_bits(&a.reduce(op, &args).unwrap().compute_with(opts).unwrap());
        prop_assert_eq!(get(x), get(&stored), "{:?} over {:?}", op, axes);
    }
    Ok(())
}

#[test]
fn streamed_sums_of_long_rows_match_stored() {
    // Rows of whole Philox blocks (the fused kernel) and not, forwards and reversed.
    let x = make(Dist::Normal, 3, &[45, 1000], [7, 300]);
    let rev = [full_slice(), IndexItem::Slice { start: None, stop: None, step: Some(-1) }];
    let views = [x.clone(), x.index(&rev).unwrap(), x.index(&[IndexItem::Slice { start: Some(3), stop: None, step: Some(2) }, full_slice()]).unwrap()];
    for v in &views {
        for axes in [Some(vec![0]), Some(vec![1]), None] {
            for threads in [1, 2] {
                streamed_sums_match_stored(v, axes.clone(), &ComputeOptions::default().threads(threads)).unwrap();
            }
        }
    }
}

proptest! {
    #![proptest_config(config(200))]

    #[test]
    fn streamed_sums_match_stored_sums(
        (shape, chunks, axes) in shape_st(3).prop_flat_map(|s| (Just(s.clone()), chunks_st(&s), axes_st(s.len()))),
        reversed in any::<bool>(),
        seed in any::<u64>(),
        opts in opts_st(),
    ) {
        let mut x = make(Dist::Normal, seed, &shape, chunks);
        if reversed {
            let back: Vec<IndexItem> = shape.iter().map(|_| IndexItem::Slice { start: None, stop: None, step: Some(-1) }).collect();
            x = x.index(&back).unwrap();
        }
        streamed_sums_match_stored(&x, Some(axes), &opts.get())?;
    }
}
