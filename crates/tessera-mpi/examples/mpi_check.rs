//! Run under `mpirun -n N`: computes a set of expressions across the ranks and checks that
//! every rank gets exactly the bits of a single-process run. Prints one line per check on
//! rank 0 and exits non-zero on a mismatch.
//!
//! `mpirun -n 4 target/release/examples/mpi_check`

use tessera::histogram::{block_counts, HistBins};
use tessera::scan::cumulative;
use tessera::topk::topk;
use tessera::{random, ComputeOptions, DType, IndexItem, ReduceArgs, Result};
use tessera_mpi::Mpi;

fn main() {
    let mpi = Mpi::init().expect("MPI init");
    let failed = run(&mpi).unwrap_or_else(|e| mpi.abort(&e.to_string()));
    if mpi.rank() == 0 {
        println!("{} passed, {} failed", CASES - failed, failed);
    }
    mpi.finalize();
    std::process::exit(if failed > 0 { 1 } else { 0 });
}

const CASES: usize = 21;

fn run(mpi: &Mpi) -> Result<usize> {
    let rng = random::default_rng(7);
    let x = rng.normal(0.0, 1.0, &[300, 200], [70, 45])?;
    let y = rng.random(&[200], 30)?;
    let xn = x.sqrt()?;
    let s = |a: Option<i64>, b: Option<i64>, c: Option<i64>| IndexItem::Slice { start: a, stop: b, step: c };
    let cases: Vec<(&str, tessera::Array)> = vec![
        ("seed mean", rng.normal(0.0, 0.1, &[4_000_000], 1_000_000)?.mean()?),
        ("sum axis 0", x.sum_axis(0)?),
        ("var ddof=1", x.var(1)?),
        ("broadcast add, slice", x.add(&y)?.index(&[s(None, None, Some(-3)), s(Some(5), None, None)])?),
        ("rechunk then mean", x.rechunk([300, 7])?.mean_axis(1)?),
        ("transpose then sum", x.t().mul(2.0)?.sum_axis(1)?),
        ("reshape", x.reshape(&[-1, 100])?.max_axis(1)?),
        ("argmax", x.argmax_axis(0)?),
        ("elementwise block", x.sqrt()?.isnan()?),
        // issue 17's states: nan-reductions (NaN where x < 0), scans, topk, histogram
        ("nanmean axis 0", xn.nanmean_axis(0)?),
        ("nanvar ddof=1 axis 1", xn.nanvar_axis(1, 1)?),
        ("nanmax, nanargmin", xn.nanmax_axis(1)?.add(&xn.nanargmin_axis(1)?.astype(DType::F64))?),
        ("nansum split_every=2", xn.reduce(tessera::ReduceOp::NanSum, &ReduceArgs::axis(0).split_every(2))?),
        ("cumsum axis 0", cumulative(&x, 0, false, false, DType::F64, false, "cumsum")?),
        ("cumsum blelloch axis 1", cumulative(&x, 1, false, false, DType::F64, true, "cumsum")?),
        ("nancumprod axis 0", cumulative(&xn, 0, true, true, DType::F64, false, "nancumprod")?),
        ("topk 7 axis 0", topk(&x, 7, 0, false, None)?),
        ("argtopk -5 split_every=2", topk(&x, -5, 1, true, Some(2))?),
        ("histogram counts", block_counts(&y, None, HistBins::Uniform { edges: (0..=10).map(|i| i as f64 / 10.0).collect() }, "histogram")?.sum_axis(0)?),
        ("weighted histogram", block_counts(&x.index(&[s(None, None, None), s(Some(0), Some(1), None)])?, Some(&x.index(&[s(None, None, None), s(Some(1), Some(2), None)])?), HistBins::Edges(vec![-3.0, -1.0, 0.0, 0.5, 3.0]), "histogram")?.reduce(tessera::ReduceOp::Sum, &ReduceArgs::axes(&[0, 1]))?),
    ];
    assert_eq!(cases.len() + 1, CASES);
    let local = ComputeOptions::default().threads(1).memory_limit(None);
    let mut failed = 0;
    let mut wants = Vec::new();
    for (name, a) in &cases {
        let want = a.compute_with(&local)?.to_buffer();
        let got = mpi.compute(a)?.to_buffer();
        let same = bits(&want) == bits(&got);
        wants.push(want);
        if !same {
            failed += 1;
        }
        if mpi.rank() == 0 {
            println!("{} {name} on {} ranks", if same { "ok  " } else { "FAIL" }, mpi.size());
        }
    }
    // All cases at once with `root_only`: rank 0 gets the same bits, the others nothing.
    let (opts, t) = mpi.options(ComputeOptions { root_only: true, ..local });
    let got = tessera::compute_many(&cases.iter().map(|(_, a)| a).collect::<Vec<_>>(), &opts)?;
    t.finish();
    let same = if mpi.rank() == 0 { got.iter().zip(&wants).all(|(g, w)| bits(&g.to_buffer()) == bits(w)) } else { got.is_empty() };
    failed += !same as usize;
    println!("{} root_only, rank {} of {}", if same { "ok  " } else { "FAIL" }, mpi.rank(), mpi.size());
    Ok(failed)
}

/// Values as bytes, so that NaNs compare equal and -0.0 differs from 0.0.
fn bits(b: &tessera::Buffer) -> Vec<u8> {
    format!("{b:?}").into_bytes()
}
