//! Selection of the k largest (or smallest) values of a row, for `topk`/`argtopk`: one
//! pass with a heap of k candidates (most values are rejected by one comparison with the
//! heap's weakest). The order is NumPy's sort order (NaN after everything), ties go to the
//! smaller index, so results depend only on the values.

use std::cmp::Ordering;
use tessera_core::Element;

/// NumPy's sort order: NaN (a value unequal to itself) after every number.
#[inline(always)]
pub fn cmp_nan_last<T: Element>(a: T, b: T) -> Ordering {
    match (a != a, b != b) {
        (false, false) => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
    }
}

/// Whether (a, ia) comes before (b, ib) in the result: larger first when `largest`,
/// smaller first otherwise; equal values by index.
#[inline(always)]
fn before<T: Element>(largest: bool, a: T, ia: usize, b: T, ib: usize) -> bool {
    let o = cmp_nan_last(a, b);
    let o = if largest { o.reverse() } else { o };
    o == Ordering::Less || (o == Ordering::Equal && ia < ib)
}

/// The `k` first of `vals` (with `index[j]` their indices) in result order: the largest
/// descending when `largest`, else the smallest ascending. Returns (values, indices).
pub fn select<T: Element>(vals: impl Iterator<Item = (T, usize)>, k: usize, largest: bool) -> (Vec<T>, Vec<usize>) {
    // A heap whose root is the weakest kept candidate (the last in result order).
    let mut heap: Vec<(T, usize)> = Vec::with_capacity(k);
    let weaker = |x: &(T, usize), y: &(T, usize)| before(largest, y.0, y.1, x.0, x.1);
    if k == 0 {
        return (Vec::new(), Vec::new());
    }
    for (v, i) in vals {
        if heap.len() < k {
            heap.push((v, i));
            // sift up
            let mut c = heap.len() - 1;
            while c > 0 {
                let p = (c - 1) / 2;
                if weaker(&heap[c], &heap[p]) {
                    heap.swap(c, p);
                    c = p;
                } else {
                    break;
                }
            }
        } else if before(largest, v, i, heap[0].0, heap[0].1) {
            heap[0] = (v, i);
            // sift down
            let mut p = 0;
            loop {
                let (l, r) = (2 * p + 1, 2 * p + 2);
                let mut w = p;
                if l < heap.len() && weaker(&heap[l], &heap[w]) {
                    w = l;
                }
                if r < heap.len() && weaker(&heap[r], &heap[w]) {
                    w = r;
                }
                if w == p {
                    break;
                }
                heap.swap(p, w);
                p = w;
            }
        }
    }
    heap.sort_by(|x, y| if before(largest, x.0, x.1, y.0, y.1) { Ordering::Less } else { Ordering::Greater });
    heap.into_iter().unzip()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn select_is_a_sorted_prefix(v in prop::collection::vec(prop_oneof![5 => (-4i32..5).prop_map(f64::from), 1 => Just(f64::NAN)], 0..60), k in 0usize..70, largest in any::<bool>()) {
            let k = k.min(v.len());
            let (vals, idx) = select(v.iter().copied().enumerate().map(|(i, x)| (x, i)), k, largest);
            let mut want: Vec<(f64, usize)> = v.iter().copied().enumerate().map(|(i, x)| (x, i)).collect();
            want.sort_by(|a, b| {
                let o = cmp_nan_last(a.0, b.0);
                (if largest { o.reverse() } else { o }).then(a.1.cmp(&b.1))
            });
            want.truncate(k);
            prop_assert_eq!(idx, want.iter().map(|w| w.1).collect::<Vec<_>>());
            prop_assert!(vals.iter().zip(&want).all(|(a, b)| a == &b.0 || (a.is_nan() && b.0.is_nan())));
        }
    }
}
