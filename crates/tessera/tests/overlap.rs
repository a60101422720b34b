//! Overlapping blocks against a reference that knows nothing of chunks: `map_overlap` of a
//! box stencil (the sum over a window of radius `d`, zero outside the block it is given)
//! equals the same stencil over the whole array padded axis by axis as Dask's `boundaries`
//! pads (`none`: zeros, standing for the missing neighbours), for random shapes, chunkings
//! (uneven, size-1, empty), depths and boundaries per axis; slices of it (pushed through
//! the overlap by the optimizer) equal slices of the unoptimized result; a periodic halo's
//! wrapping dependencies and too-deep depths.

mod common;

use common::*;
use proptest::prelude::*;
use tessera::{Array, Block, BlockCtx, Boundary, ComputeOptions, DType, IndexItem, Scalar};

fn vals(n: usize, seed: u64) -> Vec<f64> {
    (0..n).map(|i| ((i as u64 * 7919 + seed * 104729) % 97) as f64 - 40.0).collect()
}

/// Source coordinate of padded coordinate `v` of an axis of length `n` (`None`: constant).
fn source(v: i64, n: i64, b: &Boundary) -> Option<i64> {
    if (0..n).contains(&v) {
        return Some(v);
    }
    match b {
        Boundary::Periodic => Some(v.rem_euclid(n)),
        Boundary::Reflect => Some(if v < 0 { -v - 1 } else { 2 * n - 1 - v }),
        Boundary::Nearest => Some(v.clamp(0, n - 1)),
        Boundary::None | Boundary::Constant(_) => None,
    }
}

/// The array padded by `d` on both sides of every axis, one axis after the other (each
/// axis pads what the previous ones made, as Dask's `boundaries` does); zero where a
/// `none` axis is outside.
fn pad(data: &[f64], shape: &[usize], d: usize, bd: &[Boundary]) -> (Vec<f64>, Vec<usize>) {
    let (mut cur, mut sh) = (data.to_vec(), shape.to_vec());
    for a in 0..shape.len() {
        let mut nsh = sh.clone();
        nsh[a] += 2 * d;
        let n = sh[a] as i64;
        let next: Vec<f64> = (0..size(&nsh))
            .map(|i| {
                let mut ix = unravel(i, &nsh);
                match source(ix[a] as i64 - d as i64, n, &bd[a]) {
                    Some(s) => {
                        ix[a] = s as usize;
                        cur[ravel(&ix, &sh)]
                    }
                    None => match bd[a] {
                        Boundary::Constant(Scalar::F64(c)) => c,
                        _ => 0.0,
                    },
                }
            })
            .collect();
        cur = next;
        sh = nsh;
    }
    // Along `none` axes nothing is outside: those elements are missing (zero), whatever
    // later axes padded there.
    for (i, v) in cur.iter_mut().enumerate() {
        let ix = unravel(i, &sh);
        if (0..shape.len()).any(|a| bd[a] == Boundary::None && (ix[a] < d || ix[a] >= shape[a] + d)) {
            *v = 0.0;
        }
    }
    (cur, sh)
}

/// Sum over the window of radius `d` around each element, zero outside the array.
fn box_sum(data: &[f64], shape: &[usize], d: usize) -> Vec<f64> {
    let nd = shape.len();
    let offsets: Vec<Vec<i64>> = (0..(2 * d + 1).pow(nd as u32)).map(|k| unravel(k, &vec![2 * d + 1; nd]).iter().map(|&o| o as i64 - d as i64).collect()).collect();
    (0..size(shape))
        .map(|i| {
            let ix = unravel(i, shape);
            offsets
                .iter()
                .filter_map(|o| {
                    let j: Vec<i64> = ix.iter().zip(o).map(|(&c, &o)| c as i64 + o).collect();
                    j.iter().zip(shape).all(|(&c, &n)| c >= 0 && c < n as i64).then(|| data[ravel(&j.iter().map(|&c| c as usize).collect::<Vec<_>>(), shape)])
                })
                .sum()
        })
        .collect()
}

/// What `map_overlap(box_sum, depth=d)` must give: the window sums of the padded array,
/// cropped back to the array.
fn reference(data: &[f64], shape: &[usize], d: usize, bd: &[Boundary]) -> Vec<f64> {
    let (p, psh) = pad(data, shape, d, bd);
    let sums = box_sum(&p, &psh, d);
    (0..size(shape))
        .map(|i| {
            let ix: Vec<usize> = unravel(i, shape).iter().map(|&c| c + d).collect();
            sums[ravel(&ix, &psh)]
        })
        .collect()
}

fn boundary_st() -> impl Strategy<Value = Boundary> {
    prop_oneof![Just(Boundary::None), Just(Boundary::Reflect), Just(Boundary::Periodic), Just(Boundary::Nearest), Just(Boundary::Constant(Scalar::F64(-7.0)))]
}

fn stencil(x: &Array, d: usize, bd: &[Boundary]) -> tessera::Result<Array> {
    x.map_overlap("box_sum", DType::F64, &vec![d; x.ndim()], bd, move |b: &Block, _: &BlockCtx| Ok(Block::from_vec(b.shape().to_vec(), box_sum(&b.to_vec::<f64>(), b.shape(), d))))
}

fn computed(x: &Array, opts: &Opts) -> Result<Vec<f64>, TestCaseError> {
    x.compute_with(&opts.get()).map(|b| b.to_vec::<f64>()).map_err(|e| TestCaseError::fail(format!("compute failed: {e}")))
}

proptest! {
    #![proptest_config(config(96))]

    #[test]
    fn map_overlap_is_a_stencil_of_the_padded_array(
        (shape, spec) in shape_chunks_st(3),
        bd in prop::collection::vec(boundary_st(), 3),
        d in 0usize..3,
        seed in 0u64..50,
        opts in opts_st(),
    ) {
        let bd = bd[..shape.len()].to_vec();
        let data = vals(size(&shape), seed);
        let x = tessera::from_vec(&shape, data.clone(), spec).unwrap();
        match stencil(&x, d, &bd) {
            Err(e) => prop_assert!(d > 0 && shape.iter().any(|&n| n < d), "unexpected error {e}"),
            Ok(y) => {
                let want: Vec<Vec<usize>> = x.chunks().iter().map(|c| min_chunks(d, &c.sizes())).collect();
                prop_assert_eq!(y.chunks().iter().map(|c| c.sizes()).collect::<Vec<_>>(), want);
                prop_assert_eq!(computed(&y, &opts)?, reference(&data, &shape, d, &bd));
            }
        }
    }

    #[test]
    fn slices_of_an_overlap_read_only_what_they_need(
        (shape, spec) in shape_chunks_st(2),
        bd in prop::collection::vec(boundary_st(), 2),
        seed in 0u64..50,
        idx_seed in 0u64..1000,
    ) {
        let bd = bd[..shape.len()].to_vec();
        let x = tessera::from_vec(&shape, vals(size(&shape), seed), spec).unwrap();
        let Ok(y) = stencil(&x, 1, &bd) else { return Ok(()) };
        let items = derive_index(&shape, idx_seed);
        let z = y.index(&items).unwrap();
        let plain = Opts { threads: 2, optimize: false };
        let opt = Opts { threads: 2, optimize: true };
        prop_assert_eq!(computed(&z, &opt)?, computed(&z, &plain)?);
        // The overlap itself, sliced.
        let depth = vec![(1, 1); shape.len()];
        let g = x.overlap(&depth, &bd, true).unwrap();
        let gi = derive_index(g.shape(), idx_seed);
        let gz = g.index(&gi).unwrap();
        prop_assert_eq!(computed(&gz, &opt)?, computed(&gz, &plain)?);
    }
}

/// Dask's `ensure_minimum_chunksize`, written out again.
fn min_chunks(size: usize, chunks: &[usize]) -> Vec<usize> {
    if chunks.iter().all(|&c| c >= size) {
        return chunks.to_vec();
    }
    let (mut out, mut new) = (Vec::new(), 0usize);
    for &c in chunks {
        if c < size {
            if new > size + (size - c) {
                out.push(new - (size - c));
                new = size;
            } else {
                new += c;
            }
        }
        if new >= size {
            out.push(new);
            new = 0;
        }
        if c >= size {
            new += c;
        }
    }
    if new >= size {
        out.push(new);
    } else {
        *out.last_mut().unwrap() += new;
    }
    out
}

#[test]
fn periodic_halo_reads_the_far_end_only() {
    // (A computed input: regions read in-memory data directly, without edges.)
    let x = tessera::from_vec(&[12], vals(12, 1), 3i64).unwrap().binary(tessera::BinaryOp::Add, 0.0).unwrap();
    let y = x.overlap(&[(1, 1)], &[Boundary::Periodic], true).unwrap();
    let plan = y.plan(true);
    let st = plan.stages.last().unwrap();
    assert!(plan.text().contains("overlap(periodic)"), "{}", plan.text());
    // Block 0 reads blocks 3 (its left halo), 0 and 1; not 2.
    assert_eq!(st.deps(&[0], &plan), vec![vec![0, 1, 3]]);
    assert_eq!(st.users(0, &[3]), vec![0, 2, 3]);
    assert!(matches!(st.edges[0].axes[0], tessera_core::plan::AxisRel::Table { .. }));
    let v = y.compute().unwrap().to_vec::<f64>();
    let src = vals(12, 1);
    assert_eq!(&v[..5], &[src[11], src[0], src[1], src[2], src[3]]);
}

#[test]
fn trim_is_a_view_and_reflect_is_driven() {
    // (Trimmed blocks are views where they are most of their grown block: 6x6 of 8x8.)
    let x = tessera::from_vec(&[12, 12], vals(144, 2), 6i64).unwrap().binary(tessera::BinaryOp::Add, 0.0).unwrap();
    let y = x.map_overlap("id", DType::F64, &[1, 1], &[Boundary::Reflect, Boundary::Nearest], |b: &Block, _: &BlockCtx| Ok(b.clone())).unwrap();
    let plan = y.plan(true);
    let text = plan.text();
    assert!(text.contains("trim(none, none) views"), "{text}");
    assert!(text.contains("overlap(reflect, nearest)"), "{text}");
    assert_eq!(y.compute().unwrap().to_vec::<f64>(), vals(144, 2));
    // Over in-memory data the overlap is a source reading the data whole: interior blocks
    // are views of it.
    let d = tessera::from_vec(&[12, 4], vals(48, 2), 3i64).unwrap();
    let plan = d.overlap(&[(1, 1), (0, 0)], &[Boundary::None, Boundary::None], true).unwrap().plan(true);
    assert_eq!(plan.stages.len(), 1, "{}", plan.text());
    assert!(plan.text().contains("overlap(none, none) views"), "{}", plan.text());
}

#[test]
fn too_deep_is_an_error_or_a_rechunk() {
    let x = tessera::from_vec(&[10], vals(10, 3), tessera::ChunkSpec::PerAxis(vec![tessera::AxisSpec::Blocks(vec![4, 4, 2])])).unwrap();
    let e = x.overlap(&[(3, 3)], &[Boundary::Reflect], false).unwrap_err();
    assert!(e.message.contains("allow_rechunk=True"), "{e}");
    let y = x.overlap(&[(3, 3)], &[Boundary::Reflect], true).unwrap();
    assert_eq!(y.chunks()[0].sizes(), vec![10, 12]);
    let e = x.overlap(&[(11, 11)], &[Boundary::Reflect], true).unwrap_err();
    assert!(e.message.contains("larger than your array 10"), "{e}");
}

#[test]
fn one_block_of_a_large_map_overlap_is_cheap() {
    let x = tessera::random::default_rng(1).random(&[10000, 10000], 50).unwrap();
    let y = x.map_overlap("id", DType::F64, &[1, 1], &[Boundary::None, Boundary::None], |b: &Block, _: &BlockCtx| Ok(b.clone())).unwrap();
    let s = |a: i64, b: i64| IndexItem::Slice { start: Some(a), stop: Some(b), step: None };
    let z = y.index(&[s(5000, 5010), s(5000, 5010)]).unwrap();
    let plan = z.plan(true);
    assert!(plan.task_count() < 30, "{}", plan.text());
    let want = x.index(&[s(5000, 5010), s(5000, 5010)]).unwrap().compute().unwrap();
    assert_eq!(z.compute_with(&ComputeOptions::default()).unwrap().to_vec::<f64>(), want.to_vec::<f64>());
}

