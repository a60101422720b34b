//! Basic indexing, transposes and broadcasts against the reference: integers (negative too),
//! slices with any start/stop/step (negative steps), new axes and ellipses, on random shapes
//! and chunkings; views of views, of elementwise results, of reductions and of materialised
//! stages (rechunks), with the optimizer on (views pushed to the sources) and off.

mod common;

use common::*;
use proptest::prelude::*;
use tessera::{ChunkSpec, DType, IndexItem, ReduceArgs, ReduceOp};

fn index_shape(shape: &[usize], items: &[IndexItem]) -> Vec<usize> {
    ref_index(&Nd::new(shape, DType::Bool, vec![V::B(false); size(shape)]), items).shape
}

/// A shape, its chunks and a valid index expression.
fn indexed() -> impl Strategy<Value = (Vec<usize>, ChunkSpec, Vec<IndexItem>)> {
    shape_st(4).prop_flat_map(|s| (Just(s.clone()), chunks_st(&s), index_st(&s)))
}

/// As `indexed`, plus a second index expression valid for the first one's result.
fn indexed_twice() -> impl Strategy<Value = (Vec<usize>, ChunkSpec, Vec<IndexItem>, Vec<IndexItem>)> {
    indexed().prop_flat_map(|(s, c, i)| {
        let s1 = index_shape(&s, &i);
        (Just(s), Just(c), Just(i), index_st(&s1))
    })
}

fn perm_st(nd: usize) -> impl Strategy<Value = Vec<isize>> {
    (Just((0..nd).collect::<Vec<usize>>()).prop_shuffle(), prop::collection::vec(any::<bool>(), nd))
        .prop_map(move |(p, neg)| p.iter().zip(neg).map(|(&a, n)| if n { a as isize - nd as isize } else { a as isize }).collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn basic_indexing((shape, chunks, items) in indexed(), dtype in dtype_st(), seed in any::<u64>(), opts in opts_st()) {
        let x = Nd::random(&shape, dtype, seed, Vals::Full);
        let got = x.array(chunks).index(&items).unwrap();
        check_arr(&got, &opts, &ref_index(&x, &items), Tol::EXACT)?;
    }

    #[test]
    fn index_of_index((shape, chunks, i1, i2) in indexed_twice(), seed in any::<u64>(), opts in opts_st()) {
        let x = Nd::random(&shape, DType::I32, seed, Vals::Full);
        let got = x.array(chunks).index(&i1).unwrap().index(&i2).unwrap();
        check_arr(&got, &opts, &ref_index(&ref_index(&x, &i1), &i2), Tol::EXACT)?;
    }

    #[test]
    fn index_of_elementwise_result(
        (shape, chunks, items) in indexed(),
        partner in any::<prop::sample::Index>(),
        (dx, dy) in (dtype_st(), dtype_st()),
        seed in any::<u64>(),
        opts in opts_st(),
    ) {
        // (x * y + 1)[items] with y broadcast from a trailing part of x's shape.
        let x = Nd::random(&shape, dx, seed, Vals::Nice);
        let k = partner.index(shape.len() + 1);
        let y = Nd::random(&shape[k..], dy, seed ^ 1, Vals::Nice);
        let (ax, ay) = (x.array(chunks), y.array(2));
        let e = ax.mul(&ay).unwrap().add(1i64).unwrap();
        let c = result_type(dx, dy);
        let c = if c == DType::Bool { DType::I64 } else { c };
        let xy = ref_binary(tessera::BinaryOp::Mul, &x, &y).unwrap().astype(c);
        let want = xy.map(c, |v| binary_value(tessera::BinaryOp::Add, v, cast(V::I(1), c), c));
        check_arr(&e.index(&items).unwrap(), &opts, &ref_index(&want, &items), Tol::EXACT)?;
    }

    #[test]
    fn index_of_materialised_stage((shape, chunks, items) in indexed(), c2 in 1i64..4, seed in any::<u64>(), opts in opts_st()) {
        // A rechunk of a computed array is a stage of its own; the view reads its blocks.
        let x = Nd::random(&shape, DType::F64, seed, Vals::Nice);
        let y = x.array(chunks).neg().unwrap().rechunk(c2).unwrap();
        let want = x.map(DType::F64, |v| V::F(-v.f()));
        check_arr(&y.index(&items).unwrap(), &opts, &ref_index(&want, &items), Tol::EXACT)?;
    }

    #[test]
    fn index_of_reduction(
        (shape, chunks) in shape_chunks_st(4),
        axis_sel in any::<prop::sample::Index>(),
        op in prop::sample::select(vec![ReduceOp::Sum, ReduceOp::Max, ReduceOp::ArgMin, ReduceOp::Mean]),
        seed in any::<u64>(),
        idx_seed in any::<u64>(),
        opts in opts_st(),
    ) {
        // x.op(axis=k)[items]: the optimizer moves the view below the reduction.
        prop_assume!(!shape.is_empty());
        let k = axis_sel.index(shape.len());
        prop_assume!(shape[k] > 0 || matches!(op, ReduceOp::Sum | ReduceOp::Mean));
        let x = Nd::random(&shape, DType::I64, seed, Vals::Full);
        let x = if op == ReduceOp::Mean { Nd::random(&shape, DType::I64, seed, Vals::Nice) } else { x };
        let r = x.array(chunks).reduce(op, &ReduceArgs::axis(k as isize)).unwrap();
        let want = ref_reduce(&x, op, Some(&[k]), false);
        // An index expression for the result, drawn from the seed.
        let items = derive_index(&want.shape, idx_seed);
        check_arr(&r.index(&items).unwrap(), &opts, &ref_index(&want, &items), Tol { rtol: 1e-12, atol: 0.0 })?;
    }

    #[test]
    fn transposes((shape, chunks) in shape_chunks_st(4), perm_seed in any::<u64>(), dtype in dtype_st(), seed in any::<u64>(), opts in opts_st()) {
        let nd = shape.len();
        let x = Nd::random(&shape, dtype, seed, Vals::Full);
        let a = x.array(chunks);
        let rev: Vec<usize> = (0..nd).rev().collect();
        check_arr(&a.t(), &opts, &x.transpose(&rev), Tol::EXACT)?;
        check_arr(&a.transpose(None).unwrap(), &opts, &x.transpose(&rev), Tol::EXACT)?;
        let mut rng = Prng(perm_seed);
        let mut perm: Vec<usize> = (0..nd).collect();
        for i in (1..nd).rev() {
            perm.swap(i, rng.below(i as u64 + 1) as usize);
        }
        let signed: Vec<isize> = perm.iter().map(|&p| if rng.chance(0.5) { p as isize - nd as isize } else { p as isize }).collect();
        let t = a.transpose(Some(&signed)).unwrap();
        check_arr(&t, &opts, &x.transpose(&perm), Tol::EXACT)?;
        // Transposing back gives the original.
        let mut inv = vec![0isize; nd];
        for (k, &p) in perm.iter().enumerate() {
            inv[p] = k as isize;
        }
        check_arr(&t.transpose(Some(&inv)).unwrap(), &opts, &x, Tol::EXACT)?;
    }

    #[test]
    fn transpose_then_index_then_transpose(
        (shape, chunks, perm) in shape_st(4).prop_flat_map(|s| (Just(s.clone()), chunks_st(&s), perm_st(s.len()))),
        idx_seed in any::<u64>(),
        seed in any::<u64>(),
        opts in opts_st(),
    ) {
        let nd = shape.len();
        let p = normalize_axes(&perm, nd);
        let x = Nd::random(&shape, DType::U16, seed, Vals::Full);
        let t = x.transpose(&p);
        let items = derive_index(&t.shape, idx_seed);
        let r = ref_index(&t, &items);
        let rev: Vec<usize> = (0..r.ndim()).rev().collect();
        let got = x.array(chunks).transpose(Some(&perm)).unwrap().index(&items).unwrap().t();
        check_arr(&got, &opts, &r.transpose(&rev), Tol::EXACT)?;
    }

    #[test]
    fn broadcast_to_bigger_shapes(
        (shape, chunks) in shape_chunks_st(3),
        lead in prop::collection::vec(0usize..4, 0..2),
        ones in prop::collection::vec(prop::bool::weighted(0.3), 3),
        stretch in 1usize..4,
        seed in any::<u64>(),
        opts in opts_st(),
    ) {
        // Size-1 axes of the input stretch; leading axes are added.
        let src: Vec<usize> = shape.iter().zip(&ones).map(|(&d, &o)| if o { 1 } else { d }).collect();
        let mut target = lead.clone();
        target.extend(src.iter().map(|&d| if d == 1 { stretch } else { d }));
        let x = Nd::random(&src, DType::I8, seed, Vals::Full);
        let cs = if src == shape { chunks } else { ChunkSpec::Uniform(2) };
        let got = x.array(cs).broadcast_to(&target).unwrap();
        check_arr(&got, &opts, &x.broadcast_to(&target), Tol::EXACT)?;
        // And as an operand: x + zeros(target) is the same values.
        let z = tessera::zeros(&target, DType::I8, 2).unwrap();
        check_arr(&x.array(1).add(&z).unwrap(), &opts, &x.broadcast_to(&target), Tol::EXACT)?;
    }
}

#[test]
fn empty_slices_are_not_the_identity() {
    // Regression: `x[:0]` and `x[5:]` had the identity's axis rules (start 0, step 1) and were
    // returned as `x` itself, with the full shape.
    let x = Nd::random(&[5], DType::I64, 1, Vals::Full);
    let a = x.array(2);
    for items in [
        vec![IndexItem::Slice { start: None, stop: Some(0), step: None }],
        vec![IndexItem::Slice { start: Some(5), stop: None, step: None }],
        vec![IndexItem::Slice { start: Some(-1), stop: Some(-3), step: None }],
    ] {
        let got = a.index(&items).unwrap();
        assert_eq!(got.shape(), &[0]);
        check_arr(&got, &Opts { threads: 1, optimize: true }, &ref_index(&x, &items), Tol::EXACT).unwrap();
    }
}
