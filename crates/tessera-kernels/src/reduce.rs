//! Reduction kernels over float64 runs. Each fixes its order of operations, so every
//! SIMD path gives the same bits.

use crate::dispatch::multiversion;

multiversion! {
    /// `acc[k] += vals[k]` (the accumulation of one row into a row of cells).
    pub fn add_into(acc: &mut [f64], vals: &[f64]) {
        assert_eq!(acc.len(), vals.len(), "add_into: lengths differ");
        for (a, v) in acc.iter_mut().zip(vals) {
            *a += v;
        }
    }
}

multiversion! {
    /// `acc[k] += rows[r * acc.len() + k]` for each row `r` in order: the same bits as one
    /// [`add_into`] per row, with one pass over `acc` instead of one per row.
    pub fn add_rows_into(acc: &mut [f64], rows: &[f64]) {
        let n = acc.len();
        if n == 0 {
            return;
        }
        assert_eq!(rows.len() % n, 0, "add_rows_into: rows are not whole");
        let mut rs = rows.chunks_exact(n);
        while rs.len() >= 4 {
            let (a, b, c, d) = (rs.next().unwrap(), rs.next().unwrap(), rs.next().unwrap(), rs.next().unwrap());
            for k in 0..n {
                acc[k] = (((acc[k] + a[k]) + b[k]) + c[k]) + d[k];
            }
        }
        for r in rs {
            for (x, v) in acc.iter_mut().zip(r) {
                *x += v;
            }
        }
    }
}

multiversion! {
    /// The sum of `vals` in eight interleaved lanes (lane `k` takes elements `k, k+8, ...`),
    /// combined pairwise, then the remainder in order.
    pub fn sum_lanes(vals: &[f64]) -> f64 {
        let mut lanes = [0.0f64; 8];
        let chunks = vals.chunks_exact(8);
        let rest = chunks.remainder();
        for c in chunks {
            for k in 0..8 {
                lanes[k] += c[k];
            }
        }
        let mut s = ((lanes[0] + lanes[4]) + (lanes[1] + lanes[5])) + ((lanes[2] + lanes[6]) + (lanes[3] + lanes[7]));
        for v in rest {
            s += v;
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn add_into_matches_loop(v in proptest::collection::vec(-1e6f64..1e6, 0..300), shift in -3.0f64..3.0) {
            let mut acc: Vec<f64> = v.iter().map(|x| x * shift).collect();
            let mut want = acc.clone();
            for (a, x) in want.iter_mut().zip(&v) { *a += x; }
            add_into(&mut acc, &v);
            prop_assert_eq!(acc, want);
        }

        #[test]
        fn add_rows_into_matches_row_by_row(n in 0usize..40, rows in 0usize..11, seed in any::<u64>()) {
            let mut x = seed | 1;
            let mut next = || { x ^= x << 13; x ^= x >> 7; x ^= x << 17; (x >> 11) as f64 * 1e-10 - 4e5 };
            let vals: Vec<f64> = (0..n * rows).map(|_| next()).collect();
            let mut acc: Vec<f64> = (0..n).map(|_| next()).collect();
            let mut want = acc.clone();
            for r in vals.chunks(n.max(1)) { add_into(&mut want, r); }
            add_rows_into(&mut acc, &vals);
            prop_assert_eq!(acc, want);
        }

        #[test]
        fn sum_lanes_matches_definition(v in proptest::collection::vec(-1e6f64..1e6, 0..300)) {
            let mut lanes = [0.0f64; 8];
            let body = v.len() / 8 * 8;
            for (i, x) in v[..body].iter().enumerate() { lanes[i % 8] += x; }
            let mut want = ((lanes[0] + lanes[4]) + (lanes[1] + lanes[5])) + ((lanes[2] + lanes[6]) + (lanes[3] + lanes[7]));
            for x in &v[body..] { want += x; }
            prop_assert_eq!(sum_lanes(&v).to_bits(), want.to_bits());
        }
    }
}
