//! Counting values into bins, as NumPy's `histogram` (uniform bins by NumPy's own
//! arithmetic, then corrected against the edges; or any increasing edges) and `bincount`.
//! Values outside the edges and NaN are not counted; the last bin includes its right edge.

/// How a value finds its bin.
#[derive(Clone, Debug)]
pub enum Bins {
    /// `n` equal bins between the first and last of `edges` (NumPy's `linspace` edges).
    Uniform { edges: Vec<f64> },
    /// Any non-decreasing edges.
    Edges(Vec<f64>),
    /// `bincount`: value `v` counts in bin `v`, for `0 <= v < n`.
    Int { n: usize },
}

impl Bins {
    pub fn len(&self) -> usize {
        match self {
            Bins::Uniform { edges } | Bins::Edges(edges) => edges.len().saturating_sub(1),
            Bins::Int { n } => *n,
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The bin of `v`, or None when it is not counted. Uniform bins follow NumPy's fast path:
/// `((v - first) / (last - first)) * n` truncated, then moved by one where the edges
/// disagree, so results are NumPy's.
#[inline]
pub fn bin_of(bins: &Bins, v: f64) -> Option<usize> {
    match bins {
        Bins::Uniform { edges } => {
            let n = edges.len() - 1;
            let (first, last) = (edges[0], edges[n]);
            if !(v >= first && v <= last) {
                return None;
            }
            let mut i = (((v - first) / (last - first)) * n as f64) as usize;
            if i >= n {
                i = n - 1;
            }
            if v < edges[i] {
                i = i.saturating_sub(1);
            } else if v >= edges[i + 1] && i != n - 1 {
                i += 1;
            }
            Some(i)
        }
        Bins::Edges(edges) => {
            let n = edges.len().checked_sub(1)?;
            if n == 0 || !(v >= edges[0] && v <= edges[n]) {
                return None;
            }
            // the last edge not above v; the right edge of the last bin belongs to it
            let i = edges.partition_point(|&e| e <= v) - 1;
            Some(i.min(n - 1))
        }
        Bins::Int { .. } => unreachable!("bincount bins integers (see bin_of_int)"),
    }
}

/// Counts of `vals` in uniform bins over `edges`, added into `counts`: `bin_of`'s result
/// with the division hoisted out of the loop (the edge corrections make the bin NumPy's
/// either way) and four interleaved count arrays, so that runs of one bin do not wait on
/// each other's stores.
pub fn count_uniform(vals: impl Iterator<Item = f64>, edges: &[f64], counts: &mut [i64]) {
    let n = edges.len() - 1;
    let (first, last) = (edges[0], edges[n]);
    let scale = n as f64 / (last - first);
    let mut lanes = vec![[0i64; 4]; n];
    for (k, v) in vals.enumerate() {
        if !(v >= first && v <= last) {
            continue;
        }
        let mut i = (((v - first) * scale) as usize).min(n - 1);
        if v < edges[i] {
            i = i.saturating_sub(1);
        } else if v >= edges[i + 1] && i != n - 1 {
            i += 1;
        }
        lanes[i][k & 3] += 1;
    }
    for (c, l) in counts.iter_mut().zip(&lanes) {
        *c += l.iter().sum::<i64>();
    }
}

/// `bincount`'s bin of an integer value: Err(v) for a value below 0 or at least `n`.
#[inline]
pub fn bin_of_int(n: usize, v: i128) -> Result<usize, i128> {
    if v < 0 || v >= n as i128 {
        Err(v)
    } else {
        Ok(v as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn reference(edges: &[f64], v: f64) -> Option<usize> {
        let n = edges.len() - 1;
        if v.is_nan() || v < edges[0] || v > edges[n] {
            return None;
        }
        (0..n).rev().find(|&i| edges[i] <= v && (v < edges[i + 1] || i == n - 1))
    }

    proptest! {
        #[test]
        fn uniform_bins_agree_with_their_edges(n in 1usize..40, lo in -5.0f64..5.0, w in 0.001f64..10.0, vals in prop::collection::vec(-20.0f64..20.0, 0..50)) {
            let hi = lo + w;
            // NumPy's linspace: lo + i * step, the last edge exactly hi
            let step = (hi - lo) / n as f64;
            let mut edges: Vec<f64> = (0..=n).map(|i| lo + i as f64 * step).collect();
            edges[n] = hi;
            let bins = Bins::Uniform { edges: edges.clone() };
            for v in vals.into_iter().chain(edges.iter().copied()).chain([f64::NAN]) {
                prop_assert_eq!(bin_of(&bins, v), reference(&edges, v), "v = {}", v);
                prop_assert_eq!(bin_of(&Bins::Edges(edges.clone()), v), reference(&edges, v));
                let mut c = vec![0i64; n];
                count_uniform(std::iter::once(v), &edges, &mut c);
                prop_assert_eq!(c.iter().position(|&x| x == 1), reference(&edges, v));
            }
        }
    }
}

