//! Reductions over blocks with short rows run along a longer reduced axis; results must
//! match a straightforward reference for every reduction that does so.

use tessera::{ReduceArgs, ReduceOp};

fn reference(data: &[f64], rows: usize, cols: usize, op: ReduceOp) -> Vec<f64> {
    (0..cols)
        .map(|c| {
            let col: Vec<f64> = (0..rows).map(|r| data[r * cols + c]).collect();
            let n = col.len() as f64;
            let mean = col.iter().sum::<f64>() / n;
            match op {
                ReduceOp::Sum => col.iter().sum(),
                ReduceOp::Mean => mean,
                ReduceOp::Min => col.iter().cloned().fold(f64::INFINITY, f64::min),
                ReduceOp::Max => col.iter().cloned().fold(f64::NEG_INFINITY, f64::max),
                ReduceOp::Var { ddof } => col.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - ddof as f64),
                _ => unreachable!(),
            }
        })
        .collect()
}

#[test]
fn column_reductions_of_tall_thin_blocks_match_the_reference() {
    let (rows, cols) = (9000, 3);
    let data: Vec<f64> = (0..rows * cols).map(|i| ((i * 7919) % 1000) as f64 * 0.01 - 3.0).collect();
    let x = tessera::from_vec(&[rows, cols], data.clone(), [5000, 2]).unwrap();
    for op in [ReduceOp::Sum, ReduceOp::Mean, ReduceOp::Min, ReduceOp::Max, ReduceOp::Var { ddof: 1 }] {
        let got = x.reduce(op, &ReduceArgs::axis(0)).unwrap().compute().unwrap().to_vec::<f64>();
        let want = reference(&data, rows, cols, op);
        for (g, w) in got.iter().zip(&want) {
            assert!((g - w).abs() <= 1e-9 * w.abs().max(1.0), "{op:?}: {got:?} vs {want:?}");
        }
    }
    // Over both axes, with a 3-d block whose last axis is short.
    let y = tessera::from_vec(&[30, 300, 2], (0..18000).map(|i| (i % 17) as f64).collect(), [7, 300, 2]).unwrap();
    let v = y.reduce(ReduceOp::Var { ddof: 0 }, &ReduceArgs::axes(&[0, 1])).unwrap().compute().unwrap().to_vec::<f64>();
    let col = |c: usize| -> Vec<f64> { (0..9000).map(|k| ((2 * k + c) % 17) as f64).collect() };
    for (c, got) in v.iter().enumerate() {
        let xs = col(c);
        let m = xs.iter().sum::<f64>() / xs.len() as f64;
        let want = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / xs.len() as f64;
        assert!((got - want).abs() < 1e-9, "{got} vs {want}");
    }
}
