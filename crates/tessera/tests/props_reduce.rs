//! Reductions against the reference: sum, prod, min, max, mean, var/std with ddof, any, all,
//! argmin/argmax (flat and along one axis), on every dtype, over random axis subsets
//! (negative axes, any order, keepdims), random chunkings, `split_every` fan-ins, thread
//! counts and the optimizer on or off; NumPy's NaN semantics and empty reductions.

mod common;

use common::*;
use proptest::prelude::*;
use tessera::{AxisSpec, ChunkSpec, DType, ErrorKind, ReduceArgs, ReduceOp};

/// Every reduction in the table, and var/std with other `ddof`.
fn ops() -> Vec<ReduceOp> {
    let mut ops = ReduceOp::ALL.to_vec();
    ops.extend([ReduceOp::Var { ddof: 1 }, ReduceOp::Std { ddof: 2 }]);
    ops
}

/// The values a reduction is tested on: extremes and NaN where the result is exact in any
/// order, small values where it is rounded (means, variances, float products). Nan-variants
/// as their base.
fn vals_for(op: ReduceOp, dtype: DType) -> Vals {
    match nan_base(op).unwrap_or(op) {
        ReduceOp::Mean | ReduceOp::Var { .. } | ReduceOp::Std { .. } if is_int(dtype) => Vals::Nice,
        ReduceOp::Prod if is_float(dtype) => Vals::Prod,
        ReduceOp::Prod => Vals::Full,
        _ => Vals::Full,
    }
}

fn tol_for(op: ReduceOp, out: DType) -> Tol {
    match (nan_base(op).unwrap_or(op), out) {
        (_, DType::F32) => Tol { rtol: 1e-5, atol: 1e-6 },
        (ReduceOp::Var { .. } | ReduceOp::Std { .. }, _) => Tol { rtol: 1e-9, atol: 1e-9 },
        (ReduceOp::Prod | ReduceOp::Mean, _) => Tol { rtol: 1e-11, atol: 0.0 },
        _ => Tol::EXACT,
    }
}

proptest! {
    #![proptest_config(config(1000))]

    #[test]
    fn reductions_over_axis_subsets(
        (shape, chunks, axes) in shape_st(4).prop_flat_map(|s| (Just(s.clone()), chunks_st(&s), axes_st(s.len()))),
        dtype in dtype_st(),
        op in prop::sample::select(ops()),
        all_axes in prop::bool::weighted(0.25),
        keepdims in any::<bool>(),
        split_every in split_every_st(),
        seed in any::<u64>(),
        opts in opts_st(),
    ) {
        let nd = shape.len();
        // Valid axes for this array: the generated subset restricted to 0..nd, or None.
        let axes: Option<Vec<isize>> = if all_axes {
            None
        } else {
            Some(axes)
        };
        let mut axes = axes;
        if op.one_axis() {
            // One axis or all of them.
            if let Some(a) = &axes {
                if a.len() != 1 && a.len() != nd {
                    axes = if nd > 0 && seed % 2 == 0 { Some(vec![-1]) } else { None };
                }
            }
        }
        let x = Nd::random(&shape, dtype, seed, vals_for(op, dtype));
        let arr = x.array(chunks);
        let args = ReduceArgs { axes: axes.clone(), keepdims, split_every };
        let norm: Option<Vec<usize>> = axes.as_ref().map(|a| normalize_axes(a, nd));
        let reduced: usize = match &norm {
            None => size(&shape),
            Some(a) => a.iter().map(|&k| shape[k]).product(),
        };
        if reduced == 0 && op.needs_identity() {
            let e = arr.reduce(op, &args).unwrap_err();
            prop_assert_eq!(e.kind, ErrorKind::Value);
            prop_assert_eq!(&e.op, op.name());
            prop_assert!(e.message.contains("zero-size"), "{}", e);
            return Ok(());
        }
        let want = ref_reduce(&x, op, norm.as_deref(), keepdims);
        let got = arr.reduce(op, &args).unwrap();
        check_arr(&got, &opts, &want, tol_for(op, want.dtype))?;
    }

    #[test]
    fn reduction_methods_match_reduce(
        (shape, chunks) in shape_chunks_st(3),
        dtype in dtype_st(),
        seed in any::<u64>(),
        axis_sel in any::<prop::sample::Index>(),
        ddof in 0u32..3,
        opts in opts_st(),
    ) {
        // The convenience methods: x.sum(), x.sum_axis(k), ..., x.var(ddof), x.std(ddof).
        let x = Nd::random(&shape, dtype, seed, Vals::Nice);
        let a = x.array(chunks);
        let nd = shape.len();
        let all = |op| ref_reduce(&x, op, None, false);
        let tol = Tol { rtol: 1e-9, atol: 1e-9 };
        check_arr(&a.sum().unwrap(), &opts, &all(ReduceOp::Sum), tol)?;
        check_arr(&a.mean().unwrap(), &opts, &all(ReduceOp::Mean), tol)?;
        check_arr(&a.var(ddof).unwrap(), &opts, &all(ReduceOp::Var { ddof }), tol)?;
        check_arr(&a.std(ddof).unwrap(), &opts, &all(ReduceOp::Std { ddof }), tol)?;
        check_arr(&a.any().unwrap(), &opts, &all(ReduceOp::Any), tol)?;
        check_arr(&a.all().unwrap(), &opts, &all(ReduceOp::All), tol)?;
        if size(&shape) > 0 {
            check_arr(&a.max().unwrap(), &opts, &all(ReduceOp::Max), tol)?;
            check_arr(&a.argmin().unwrap(), &opts, &all(ReduceOp::ArgMin), tol)?;
        }
        if nd > 0 {
            let k = axis_sel.index(nd);
            let neg = k as isize - nd as isize;
            let one = |op| ref_reduce(&x, op, Some(&[k]), false);
            check_arr(&a.prod_axis(neg).unwrap(), &opts, &one(ReduceOp::Prod), tol)?;
            check_arr(&a.all_axis(k as isize).unwrap(), &opts, &one(ReduceOp::All), tol)?;
            if shape[k] > 0 {
                check_arr(&a.min_axis(k as isize).unwrap(), &opts, &one(ReduceOp::Min), tol)?;
                check_arr(&a.argmax_axis(neg).unwrap(), &opts, &one(ReduceOp::ArgMax), tol)?;
            }
        }
    }

    #[test]
    fn nan_semantics_of_float_reductions(
        (shape, chunks) in shape_chunks_st(3).prop_filter("non-empty", |(s, _)| size(s) > 0),
        dtype in float_dtype_st(),
        nan_at in prop::collection::vec(any::<prop::sample::Index>(), 1..4),
        axis_sel in any::<prop::sample::Index>(),
        seed in any::<u64>(),
        opts in opts_st(),
    ) {
        // NaN propagates through min/max/sum/mean/var; argmin/argmax return the first NaN;
        // any/all treat NaN as true; nan-variants skip NaN.
        let mut x = Nd::random(&shape, dtype, seed, Vals::Nice);
        for i in &nan_at {
            let k = i.index(x.data.len());
            x.data[k] = V::F(f64::NAN);
        }
        let a = x.array(chunks);
        let nd = shape.len();
        let base = [ReduceOp::Min, ReduceOp::Max, ReduceOp::Sum, ReduceOp::Mean, ReduceOp::Var { ddof: 0 }, ReduceOp::ArgMin, ReduceOp::ArgMax, ReduceOp::Any, ReduceOp::All];
        // The nan-variants of these skip the NaN.
        let nan_variants = ReduceOp::ALL.into_iter().filter(|&o| nan_base(o).is_some_and(|b| base.contains(&b)));
        for op in base.into_iter().chain(nan_variants) {
            let want = ref_reduce(&x, op, None, false);
            check_arr(&a.reduce(op, &ReduceArgs::all()).unwrap(), &opts, &want, tol_for(op, want.dtype))?;
            if nd > 0 {
                let k = axis_sel.index(nd);
                if shape[k] > 0 {
                    let want = ref_reduce(&x, op, Some(&[k]), true);
                    check_arr(&a.reduce(op, &ReduceArgs::axis(k as isize).keepdims(true)).unwrap(), &opts, &want, tol_for(op, want.dtype))?;
                }
            }
        }
    }

    #[test]
    fn tiny_split_every_on_many_chunks(
        n in 1usize..200,
        m in 1usize..4,
        split in 2usize..5,
        dtype in dtype_st(),
        op in prop::sample::select(ops()),
        seed in any::<u64>(),
        opts in opts_st(),
    ) {
        // One element per chunk and a fan-in of 2..4: deep reduction trees.
        let x = Nd::random(&[n, m], dtype, seed, vals_for(op, dtype));
        let a = x.array(1);
        for axes in [None, Some(vec![0isize]), Some(vec![-1])] {
            let norm = axes.as_ref().map(|a| normalize_axes(a, 2));
            let want = ref_reduce(&x, op, norm.as_deref(), false);
            let got = a.reduce(op, &ReduceArgs { axes, keepdims: false, split_every: Some(split) }).unwrap();
            check_arr(&got, &opts, &want, tol_for(op, want.dtype))?;
        }
    }
}

#[test]
fn flat_argmin_ties_go_to_the_first_index_across_blocks() {
    // Regression: with blocks along the last of several reduced axes, blocks merge in grid
    // order, not flat-index order; ties (and the first NaN) went to the earlier block.
    let chunks = || ChunkSpec::PerAxis(vec![AxisSpec::Size(2), AxisSpec::Blocks(vec![1, 2])]);
    let x = tessera::from_vec(&[2, 3], vec![1i64, 0, 1, 0, 1, 1], chunks()).unwrap();
    assert_eq!(x.argmin().unwrap().compute().unwrap().to_vec::<i64>(), vec![1]);
    assert_eq!(x.argmax().unwrap().compute().unwrap().to_vec::<i64>(), vec![0]);
    let nan = f64::NAN;
    let y = tessera::from_vec(&[2, 3], vec![1.0, nan, 0.0, nan, 2.0, 3.0], chunks()).unwrap();
    assert_eq!(y.argmax().unwrap().compute().unwrap().to_vec::<i64>(), vec![1]);
    assert_eq!(y.argmin().unwrap().compute().unwrap().to_vec::<i64>(), vec![1]);
}

proptest! {
    #![proptest_config(config(60))]

    #[test]
    fn blocks_larger_than_a_tile(
        shape in prop::collection::vec(prop_oneof![1usize..4, 20usize..140], 1..=3).prop_filter("big", |s| size(s) > 5000 && size(s) < 60_000),
        chunk_sel in prop::collection::vec(prop_oneof![Just(-1i64), 7i64..90], 3),
        dtype in prop::sample::select(vec![DType::F64, DType::F32, DType::I32, DType::U8, DType::Bool]),
        op in prop::sample::select(ops()),
        axes in (0usize..3).prop_flat_map(|n| prop::collection::vec(any::<bool>(), n..=n)),
        keepdims in any::<bool>(),
        seed in any::<u64>(),
        opts in opts_st(),
    ) {
        // Blocks of more than 4096 elements are evaluated tile by tile, with rows split between
        // tiles: partial results must continue across tile boundaries.
        let nd = shape.len();
        let chunks = ChunkSpec::PerAxis(chunk_sel[..nd].iter().map(|&c| AxisSpec::Size(c)).collect());
        let x = Nd::random(&shape, dtype, seed, vals_for(op, dtype));
        let mut axes: Vec<usize> = (0..nd).filter(|&a| *axes.get(a).unwrap_or(&false)).collect();
        if op.one_axis() && axes.len() > 1 {
            axes.truncate(1);
        }
        let args = ReduceArgs { axes: Some(axes.iter().map(|&a| a as isize).collect()), keepdims, split_every: None };
        let args = if op.one_axis() && axes.is_empty() { ReduceArgs { axes: None, ..args } } else { args };
        let norm = args.axes.as_ref().map(|_| axes.clone());
        let want = ref_reduce(&x, op, norm.as_deref(), keepdims);
        let tol = match (nan_base(op).unwrap_or(op), want.dtype) {
            (_, DType::F32) => Tol { rtol: 1e-5, atol: 1e-5 },
            (ReduceOp::Var { .. } | ReduceOp::Std { .. } | ReduceOp::Mean | ReduceOp::Prod, _) => Tol { rtol: 1e-9, atol: 1e-9 },
            _ => Tol::EXACT,
        };
        check_arr(&x.array(chunks).reduce(op, &args).unwrap(), &opts, &want, tol)?;
    }
}
