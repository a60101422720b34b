//! Rechunk and reshape against the reference: random chunkings in and out (explicit uneven
//! blocks, size-1 and empty blocks, ints, -1, "auto"), rechunks of sources (folded into the
//! source) and of computed stages, reshapes that merge, split and add axes, with -1, on
//! chunkings that need a rechunk first, and reshapes of views and before reductions.

mod common;

use common::*;
use proptest::prelude::*;
use tessera::{AxisSpec, ChunkSpec, DType, ReduceArgs, ReduceOp, UnaryOp};

fn two_chunkings() -> impl Strategy<Value = (Vec<usize>, ChunkSpec, ChunkSpec)> {
    shape_st(4).prop_flat_map(|s| (Just(s.clone()), chunks_st(&s), chunks_st(&s)))
}

/// The block sizes a chunk spec asks for along each axis, where it says them exactly.
fn expected_sizes(spec: &ChunkSpec, shape: &[usize]) -> Vec<Option<Vec<usize>>> {
    let axis = |s: &AxisSpec, d: usize| -> Option<Vec<usize>> {
        match s {
            AxisSpec::Auto => None,
            AxisSpec::Size(-1) => Some(vec![d]),
            AxisSpec::Size(k) if d == 0 => {
                let _ = k;
                Some(vec![0])
            }
            AxisSpec::Size(k) => {
                let k = *k as usize;
                Some((0..d.div_ceil(k)).map(|b| k.min(d - b * k)).collect())
            }
            AxisSpec::Blocks(b) => Some(b.iter().map(|&x| x as usize).collect()),
        }
    };
    match spec {
        ChunkSpec::Auto => vec![None; shape.len()],
        ChunkSpec::Uniform(k) => shape.iter().map(|&d| axis(&AxisSpec::Size(*k), d)).collect(),
        ChunkSpec::PerAxis(v) => v.iter().zip(shape).map(|(s, &d)| axis(s, d)).collect(),
    }
}

proptest! {
    #![proptest_config(config(1000))]

    #[test]
    fn rechunk_keeps_values_and_takes_the_new_chunks(
        (shape, c1, c2) in two_chunkings(),
        c3_seed in any::<u64>(),
        dtype in dtype_st(),
        seed in any::<u64>(),
        opts in opts_st(),
    ) {
        let x = Nd::random(&shape, dtype, seed, Vals::Full);
        let a = x.array(c1);
        // Of a source (folded into it by the optimizer) ...
        let r = a.rechunk(c2.clone()).unwrap();
        for (k, want) in expected_sizes(&c2, &shape).into_iter().enumerate() {
            if let Some(w) = want {
                prop_assert_eq!(r.chunks()[k].sizes(), w, "axis {}", k);
            }
            prop_assert_eq!(r.chunks()[k].sizes().iter().sum::<usize>(), shape[k]);
        }
        check_arr(&r, &opts, &x, Tol::EXACT)?;
        // ... of a computed array (a rechunk stage) and twice in a row.
        let want = ref_unary(UnaryOp::Abs, &x).unwrap();
        let r = a.abs().unwrap().rechunk(c2).unwrap();
        check_arr(&r, &opts, &want, Tol::EXACT)?;
        let r2 = r.rechunk(derive_chunks(&shape, c3_seed)).unwrap();
        check_arr(&r2, &opts, &want, Tol::EXACT)?;
        // Blockwise work after a rechunk reads the new blocks.
        check_arr(&r2.abs().unwrap(), &opts, &want, Tol::EXACT)?;
    }

    #[test]
    fn reshape_like_numpy(
        (shape, chunks) in shape_chunks_st(4),
        target_seed in any::<u64>(),
        dtype in dtype_st(),
        seed in any::<u64>(),
        opts in opts_st(),
    ) {
        let x = Nd::random(&shape, dtype, seed, Vals::Full);
        let target = derive_reshape(&shape, target_seed);
        let out = resolve_shape(&target, size(&shape));
        let want = x.reshape(&out);
        let a = x.array(chunks);
        // Of a source and of a computed array.
        check_arr(&a.reshape(&target).unwrap(), &opts, &want, Tol::EXACT)?;
        let y = a.abs().unwrap().reshape(&target).unwrap();
        check_arr(&y, &opts, &ref_unary(UnaryOp::Abs, &want).unwrap(), Tol::EXACT)?;
        // And back.
        let back: Vec<i64> = shape.iter().map(|&d| d as i64).collect();
        check_arr(&y.reshape(&back).unwrap(), &opts, &ref_unary(UnaryOp::Abs, &x).unwrap(), Tol::EXACT)?;
    }

    #[test]
    fn reshape_of_views_and_before_reductions(
        (shape, chunks) in shape_chunks_st(4),
        (idx_seed, target_seed) in (any::<u64>(), any::<u64>()),
        transpose in any::<bool>(),
        op in prop::sample::select(vec![ReduceOp::Sum, ReduceOp::Max, ReduceOp::ArgMax, ReduceOp::Any]),
        axis_sel in any::<prop::sample::Index>(),
        seed in any::<u64>(),
        opts in opts_st(),
    ) {
        // x.T[items].reshape(target).op(axis=k): a reshape reading a strided view, then reduced.
        let x = Nd::random(&shape, DType::I64, seed, Vals::Full);
        let (mut v, mut a) = (x.clone(), x.array(chunks));
        if transpose {
            let rev: Vec<usize> = (0..shape.len()).rev().collect();
            v = v.transpose(&rev);
            a = a.t();
        }
        let items = derive_index(&v.shape, idx_seed);
        v = ref_index(&v, &items);
        a = a.index(&items).unwrap();
        let target = derive_reshape(&v.shape, target_seed);
        let out = resolve_shape(&target, size(&v.shape));
        v = v.reshape(&out);
        a = a.reshape(&target).unwrap();
        check_arr(&a, &opts, &v, Tol::EXACT)?;
        if !out.is_empty() {
            let k = axis_sel.index(out.len());
            if out[k] > 0 || matches!(op, ReduceOp::Sum | ReduceOp::Any) {
                let r = a.reduce(op, &ReduceArgs::axis(k as isize)).unwrap();
                check_arr(&r, &opts, &ref_reduce(&v, op, Some(&[k]), false), Tol::EXACT)?;
            }
        }
    }

    #[test]
    fn rechunk_then_reshape_then_rechunk(
        (shape, c1, c2) in two_chunkings(),
        target_seed in any::<u64>(),
        c3_seed in any::<u64>(),
        seed in any::<u64>(),
        opts in opts_st(),
    ) {
        let x = Nd::random(&shape, DType::F32, seed, Vals::Full);
        let target = derive_reshape(&shape, target_seed);
        let out = resolve_shape(&target, size(&shape));
        let y = x.array(c1).neg().unwrap().rechunk(c2).unwrap().reshape(&target).unwrap();
        let y = y.rechunk(derive_chunks(&out, c3_seed)).unwrap().neg().unwrap();
        check_arr(&y, &opts, &x.reshape(&out), Tol::EXACT)?;
    }
}

#[test]
fn empty_blocks_in_a_view_of_a_rechunked_array() {
    // Regression: a view whose output chunks had an empty block depended on input block 0,
    // which made the consumer table (built as ranges) claim unrelated blocks; the scheduler
    // then ran a task before its input existed ("input rechunk block .. is missing").
    let x = Nd::random(&[1, 6, 4, 6], DType::I8, 3, Vals::Full);
    let y = Nd::random(&[6, 4, 1], DType::I16, 4, Vals::Full);
    let cx = ChunkSpec::PerAxis(vec![
        AxisSpec::Blocks(vec![1]),
        AxisSpec::Blocks(vec![1, 1, 1, 2, 1]),
        AxisSpec::Size(4),
        AxisSpec::Blocks(vec![1, 4, 0, 1]),
    ]);
    let cy = ChunkSpec::PerAxis(vec![AxisSpec::Blocks(vec![4, 2]), AxisSpec::Auto, AxisSpec::Size(-1)]);
    let z = x.array(cx).binary(tessera::BinaryOp::LogicalXor, &y.array(cy)).unwrap();
    let want = ref_binary(tessera::BinaryOp::LogicalXor, &x, &y).unwrap();
    for threads in [1, 2, 4] {
        check_arr(&z, &Opts { threads, optimize: true }, &want, Tol::EXACT).unwrap();
    }
}

#[test]
fn reshape_drops_size_one_axes_split_by_empty_blocks() {
    // Regression: a size-1 axis chunked as [0, 1] that disappears in the reshape (no output
    // axis in its group) kept its two blocks, and lowering panicked matching blocks one to one.
    let x = Nd::random(&[1, 3], DType::F64, 1, Vals::Full);
    let chunks = ChunkSpec::PerAxis(vec![AxisSpec::Blocks(vec![0, 1]), AxisSpec::Size(2)]);
    for (target, out) in [(vec![3i64], vec![3usize]), (vec![-1], vec![3]), (vec![3, 1], vec![3, 1])] {
        for optimize in [true, false] {
            let a = x.array(chunks.clone());
            check_arr(&a.reshape(&target).unwrap(), &Opts { threads: 2, optimize }, &x.reshape(&out), Tol::EXACT).unwrap();
            check_arr(&a.abs().unwrap().reshape(&target).unwrap(), &Opts { threads: 1, optimize }, &ref_unary(UnaryOp::Abs, &x.reshape(&out)).unwrap(), Tol::EXACT).unwrap();
        }
    }
    let y = Nd::random(&[1], DType::I32, 2, Vals::Full);
    let a = y.array(vec![vec![0usize, 1]]).abs().unwrap();
    check_arr(&a.reshape(&[]).unwrap(), &Opts { threads: 1, optimize: false }, &ref_unary(UnaryOp::Abs, &y.reshape(&[])).unwrap(), Tol::EXACT).unwrap();
}
