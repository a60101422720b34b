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
    #![proptest_config(config(1000))]

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
        (shape, chunks) in prop::collection::vec(dim_st(), 1..=4).prop_flat_map(|s| (Just(s.clone()), chunks_st(&s))),
        axis_sel in any::<prop::sample::Index>(),
        op in prop::sample::select(vec![ReduceOp::Sum, ReduceOp::Max, ReduceOp::ArgMin, ReduceOp::Mean]),
        seed in any::<u64>(),
        idx_seed in any::<u64>(),
        opts in opts_st(),
    ) {
        // x.op(axis=k)[items]: the optimizer moves the view below the reduction.
        let k = axis_sel.index(shape.len());
        // Min, max and arg reductions have no identity for an empty axis.
        let op = if shape[k] == 0 && !matches!(op, ReduceOp::Sum | ReduceOp::Mean) { ReduceOp::Sum } else { op };
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

proptest! {
    #![proptest_config(config(300))]

    #[test]
    fn generated_sources_through_views_and_reshapes(
        (shape, chunks, items) in indexed(),
        dtype in prop::sample::select(vec![DType::I64, DType::I8, DType::U32, DType::F32, DType::F64]),
        (start, step) in (-5i64..5, prop_oneof![-3i64..0, 1i64..4]),
        fill in -3i64..4,
        opts in opts_st(),
    ) {
        // arange(...).reshape(shape)[items] and full(shape)[items]: views of generated sources
        // become generators of the selected elements.
        let n = size(&shape);
        let stop = start + step * n as i64;
        let flat: Vec<V> = (0..n as i64).map(|i| cast(V::I((start + step * i) as i128), dtype)).collect();
        let want = Nd::new(&shape, dtype, flat);
        let target: Vec<i64> = shape.iter().map(|&d| d as i64).collect();
        let a = tessera::arange(start as f64, stop as f64, step as f64, dtype, 3).unwrap();
        prop_assert_eq!(a.shape(), &[n][..]);
        let a = a.reshape(&target).unwrap().rechunk(chunks.clone()).unwrap();
        check_arr(&a.index(&items).unwrap(), &opts, &ref_index(&want, &items), Tol::EXACT)?;
        let f = tessera::full(&shape, tessera::Scalar::I64(fill), dtype, chunks).unwrap();
        let want = Nd::new(&shape, dtype, vec![cast(V::I(fill as i128), dtype); n]);
        check_arr(&f.index(&items).unwrap(), &opts, &ref_index(&want, &items), Tol::EXACT)?;
    }

    #[test]
    fn linspace_values_and_slices(
        num in 0usize..40,
        (start, stop) in (-10i64..10, -10i64..10),
        endpoint in any::<bool>(),
        chunk in 1i64..9,
        (a, b, step) in (prop::option::of(-45i64..45), prop::option::of(-45i64..45), prop_oneof![-4i64..0, 1i64..5]),
        opts in opts_st(),
    ) {
        // linspace(start, stop, num, endpoint): start + i * step, the last value exactly stop.
        let (s0, s1) = (start as f64 / 4.0, stop as f64 / 4.0);
        let div = if endpoint { num.saturating_sub(1) } else { num }.max(1) as f64;
        let d = (s1 - s0) / div;
        let vals: Vec<V> = (0..num).map(|i| V::F(if endpoint && num > 1 && i == num - 1 { s1 } else { s0 + i as f64 * d })).collect();
        let want = Nd::new(&[num], DType::F64, vals);
        let x = tessera::linspace(s0, s1, num, endpoint, chunk).unwrap();
        check_arr(&x, &opts, &want, Tol::ulps(DType::F64))?;
        let items = [IndexItem::Slice { start: a, stop: b, step: Some(step) }];
        check_arr(&x.index(&items).unwrap(), &opts, &ref_index(&want, &items), Tol::ulps(DType::F64))?;
    }
}

proptest! {
    #![proptest_config(config(200))]

    #[test]
    fn strided_blocks_as_sources(
        (shape, perm, rev, items) in shape_st(4).prop_flat_map(|s| {
            let n = s.len();
            (Just(s.clone()), perm_st(n), prop::collection::vec(any::<bool>(), n)).prop_flat_map(|(s, p, r)| {
                let pu = normalize_axes(&p, s.len());
                let ts: Vec<usize> = pu.iter().map(|&a| s[a]).collect();
                (Just(s), Just(pu), Just(r), index_st(&ts))
            })
        }),
        chunk in 1i64..4,
        dtype in dtype_st(),
        seed in any::<u64>(),
        opts in opts_st(),
    ) {
        // An in-memory array whose block is a transposed view with some axes reversed
        // (negative strides), as a NumPy view would be: no copy is made.
        let x = Nd::random(&shape, dtype, seed, Vals::Full);
        let block = tessera_core::with_dtype!(dtype, T => tessera::Block::from_vec(shape.clone(), x.data.iter().map(|&v| to_elem::<T>(v)).collect::<Vec<T>>()));
        let strides = block.strides().to_vec();
        let vshape: Vec<usize> = perm.iter().map(|&a| shape[a]).collect();
        let mut vstrides: Vec<isize> = perm.iter().map(|&a| strides[a]).collect();
        let mut offset = 0isize;
        let mut want = x.transpose(&perm);
        let empty = size(&shape) == 0;
        for k in 0..vshape.len() {
            if rev[k] && !empty {
                offset += (vshape[k] as isize - 1) * vstrides[k];
                vstrides[k] = -vstrides[k];
                let mut items: Vec<IndexItem> = (0..vshape.len()).map(|_| full_slice()).collect();
                items[k] = IndexItem::Slice { start: None, stop: None, step: Some(-1) };
                want = ref_index(&want, &items);
            }
        }
        let view = block.restride(vshape, vstrides, offset);
        let a = tessera::from_block(view, chunk).unwrap();
        check_arr(&a, &opts, &want, Tol::EXACT)?;
        check_arr(&a.index(&items).unwrap(), &opts, &ref_index(&want, &items), Tol::EXACT)?;
        check_arr(&a.astype(DType::I64).sum().unwrap(), &opts, &ref_reduce(&want.astype(DType::I64), ReduceOp::Sum, None, false), Tol::EXACT)?;
    }
}
