//! Order statistics and counting of the core (see `tessera._order`, `tessera._counting`):
//! `topk`/`argtopk`, per-block histogram and bincount counts.

use crate::{guard, wrap, CoreArray};
use pyo3::prelude::*;

#[pyfunction]
#[pyo3(signature = (x, k, axis, arg, split_every=None))]
pub fn topk(x: &CoreArray, k: i64, axis: usize, arg: bool, split_every: Option<usize>) -> PyResult<CoreArray> {
    guard(|| tessera::topk::topk(&x.inner, k, axis, arg, split_every)).map(wrap)
}

/// Per-block counts for `histogram` (`kind` "uniform" or "edges", with the bin edges) and
/// `bincount` (`kind` "int", `n` bins).
#[pyfunction]
#[pyo3(signature = (x, weights, kind, edges, n, name))]
pub fn block_counts(x: &CoreArray, weights: Option<&CoreArray>, kind: &str, edges: Vec<f64>, n: usize, name: &str) -> PyResult<CoreArray> {
    use tessera::histogram::HistBins;
    let bins = match kind {
        "uniform" => HistBins::Uniform { edges },
        "edges" => HistBins::Edges(edges),
        _ => HistBins::Int { n },
    };
    guard(|| tessera::histogram::block_counts(&x.inner, weights.map(|w| &w.inner), bins, name)).map(wrap)
}
