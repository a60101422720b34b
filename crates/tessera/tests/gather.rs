//! Gathers against a reference that knows nothing of chunks or blocks: random runs (any
//! step, fills) from several inputs along one axis of random shapes and chunkings (uneven,
//! size-1, empty) equal the element-by-element gather; slices of a gather (pushed through
//! it by the optimizer) equal slices of the reference; the same for 1, 2 and 4 threads, with
//! the optimizer on and off.

mod common;

use common::*;
use proptest::prelude::*;
use tessera::{Array, ChunkSpec, IndexItem, Scalar};
use tessera_core::chunks::AxisChunks;
use tessera_core::gather::{gather, Seg};

/// Values of input `k`: distinct per input and element.
fn input_vals(k: usize, n: usize) -> Vec<f64> {
    (0..n).map(|i| (k * 1000 + i) as f64).collect()
}

/// Shapes: `nd` axes; the gather axis has `lens[k]` elements in input `k`.
#[derive(Clone, Debug)]
struct Case {
    shape: Vec<usize>,
    axis: usize,
    lens: Vec<usize>,
    chunks: Vec<ChunkSpec>,
    runs: Vec<(i64, i64, i64, usize)>,
    out_chunk: usize,
}

fn case_st() -> impl Strategy<Value = Case> {
    (prop::collection::vec(0usize..5, 1..=3), prop::collection::vec(1usize..6, 1..=3)).prop_flat_map(|(shape, lens)| {
        let nd = shape.len();
        let ninputs = lens.len();
        let chunks = prop::collection::vec((1i64..4).prop_map(ChunkSpec::Uniform), ninputs);
        let run = (0..=ninputs as i64, any::<u64>(), -2i64..3, 0usize..5);
        (Just(shape), 0..nd, Just(lens), chunks, prop::collection::vec(run, 0..6), 1usize..5).prop_map(|(shape, axis, lens, chunks, runs, out_chunk)| {
            // Input `ninputs` stands for the fill; starts and steps are made to fit.
            let runs = runs
                .into_iter()
                .map(|(k, r, step, len)| {
                    if k as usize == lens.len() || len == 0 {
                        return (-1, 0, 0, len);
                    }
                    let n = lens[k as usize] as i64;
                    let step = if len > 1 && step.abs() * (len as i64 - 1) >= n { 0 } else { step };
                    let span = step.abs() * (len as i64 - 1);
                    let lo = if step < 0 { span } else { 0 };
                    let start = lo + (r % ((n - span) as u64)) as i64;
                    (k, start, step, len)
                })
                .collect();
            Case { shape, axis, lens, chunks, runs, out_chunk }
        })
    })
}

fn input_shape(c: &Case, k: usize) -> Vec<usize> {
    let mut s = c.shape.clone();
    s[c.axis] = c.lens[k];
    s
}

/// The reference: output element at (..., j, ...) is input k's element at (..., start + step * i, ...).
fn reference(c: &Case) -> (Vec<usize>, Vec<f64>) {
    let mut coords: Vec<Option<(usize, usize)>> = Vec::new();
    for &(k, start, step, len) in &c.runs {
        for i in 0..len {
            coords.push((k >= 0).then(|| (k as usize, (start + step * i as i64) as usize)));
        }
    }
    let mut shape = c.shape.clone();
    shape[c.axis] = coords.len();
    let out: Vec<f64> = (0..size(&shape))
        .map(|flat| {
            let mut idx = unravel(flat, &shape);
            match coords[idx[c.axis]] {
                None => -7.0,
                Some((k, j)) => {
                    idx[c.axis] = j;
                    input_vals(k, size(&input_shape(c, k)))[ravel(&idx, &input_shape(c, k))]
                }
            }
        })
        .collect();
    (shape, out)
}

fn build(c: &Case) -> Array {
    let xs: Vec<_> = (0..c.lens.len())
        .map(|k| {
            let s = input_shape(c, k);
            tessera::from_vec(&s, input_vals(k, size(&s)), c.chunks[k].clone()).unwrap().expr().clone()
        })
        .collect();
    let runs: Vec<Seg> = c.runs.iter().map(|&(k, s, st, len)| if k < 0 { Seg::fill(len) } else { Seg::run(k as u32, s, st, len) }).collect();
    let n: usize = runs.iter().map(|s| s.len).sum();
    let chunks = AxisChunks::regular(c.out_chunk, n);
    Array::from_expr(gather("gather", &xs, c.axis, runs, Some(Scalar::F64(-7.0)), chunks).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn gather_equals_the_reference(c in case_st(), opts in opts_st(), cut in 0usize..4) {
        let (shape, want) = reference(&c);
        let y = build(&c);
        prop_assert_eq!(y.shape(), &shape[..]);
        let got = y.compute_with(&opts.get()).unwrap();
        prop_assert_eq!(got.to_vec::<f64>(), want.clone());
        // A slice along the gather axis (pushed through the gather when optimizing).
        let n = shape[c.axis];
        if n > cut {
            let mut items = vec![IndexItem::Slice { start: None, stop: None, step: None }; shape.len()];
            items[c.axis] = IndexItem::Slice { start: Some(cut as i64), stop: None, step: Some(2) };
            let s = y.index(&items).unwrap().compute_with(&opts.get()).unwrap();
            let mut sshape = shape.clone();
            sshape[c.axis] = (n - cut).div_ceil(2);
            let swant: Vec<f64> = (0..size(&sshape)).map(|flat| {
                let mut idx = unravel(flat, &sshape);
                idx[c.axis] = cut + 2 * idx[c.axis];
                want[ravel(&idx, &shape)]
            }).collect();
            prop_assert_eq!(s.to_vec::<f64>(), swant);
        }
    }
}
