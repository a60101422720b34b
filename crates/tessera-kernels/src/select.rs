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
    let mut heap = Heap::new(k, largest);
    for (v, i) in vals {
        heap.offer(v, i);
    }
    heap.into_sorted()
}

/// [`select`] of a contiguous row whose first value has index `first`: values are
/// screened 64 at a time against the weakest kept candidate with a comparison the
/// compiler vectorizes, so a run of which none can enter the heap costs one pass.
pub fn select_slice<T: Element>(vals: &[T], first: usize, k: usize, largest: bool) -> (Vec<T>, Vec<usize>) {
    const RUN: usize = 64;
    let mut heap = Heap::new(k, largest);
    let head = k.min(vals.len());
    for (j, &v) in vals[..head].iter().enumerate() {
        heap.offer(v, first + j);
    }
    let mut at = head;
    for run in vals[head..].chunks(RUN) {
        if let Some(&(w, _)) = heap.items.first() {
            // may enter: a superset of `before(largest, v, i, w, _)` (a later index loses
            // ties), NaN included in both directions
            let may = if largest {
                run.iter().fold(false, |a, &v| a | !(v <= w) | (v != v))
            } else {
                let w_nan = w != w;
                run.iter().fold(w_nan, |a, &v| a | (v < w))
            };
            if may {
                for (j, &v) in run.iter().enumerate() {
                    heap.offer(v, first + at + j);
                }
            }
        }
        at += run.len();
    }
    heap.into_sorted()
}

/// A heap of at most `k` candidates whose root is the weakest kept (the last in result
/// order).
struct Heap<T> {
    items: Vec<(T, usize)>,
    k: usize,
    largest: bool,
}

impl<T: Element> Heap<T> {
    fn new(k: usize, largest: bool) -> Self {
        Heap { items: Vec::with_capacity(k), k, largest }
    }

    #[inline(always)]
    fn weaker(&self, x: usize, y: usize) -> bool {
        let (a, b) = (self.items[x], self.items[y]);
        before(self.largest, b.0, b.1, a.0, a.1)
    }

    /// Keeps (v, i) if it is among the best `k` seen.
    #[inline]
    fn offer(&mut self, v: T, i: usize) {
        if self.k == 0 {
            return;
        }
        if self.items.len() < self.k {
            self.items.push((v, i));
            // sift up
            let mut c = self.items.len() - 1;
            while c > 0 {
                let p = (c - 1) / 2;
                if self.weaker(c, p) {
                    self.items.swap(c, p);
                    c = p;
                } else {
                    break;
                }
            }
        } else if before(self.largest, v, i, self.items[0].0, self.items[0].1) {
            self.items[0] = (v, i);
            // sift down
            let mut p = 0;
            loop {
                let (l, r) = (2 * p + 1, 2 * p + 2);
                let mut w = p;
                if l < self.items.len() && self.weaker(l, w) {
                    w = l;
                }
                if r < self.items.len() && self.weaker(r, w) {
                    w = r;
                }
                if w == p {
                    break;
                }
                self.items.swap(p, w);
                p = w;
            }
        }
    }

    fn into_sorted(mut self) -> (Vec<T>, Vec<usize>) {
        let largest = self.largest;
        self.items.sort_by(|x, y| if before(largest, x.0, x.1, y.0, y.1) { Ordering::Less } else { Ordering::Greater });
        self.items.into_iter().unzip()
    }
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

        #[test]
        fn select_slice_is_select(v in prop::collection::vec(prop_oneof![5 => (-40i32..40).prop_map(f64::from), 1 => Just(f64::NAN), 1 => Just(-0.0)], 0..400), k in 0usize..90, first in 0usize..1000, largest in any::<bool>()) {
            let k = k.min(v.len());
            let (want_v, want_i) = select(v.iter().copied().enumerate().map(|(i, x)| (x, first + i)), k, largest);
            let (got_v, got_i) = select_slice(&v, first, k, largest);
            prop_assert_eq!(got_i, want_i);
            prop_assert_eq!(got_v.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), want_v.iter().map(|x| x.to_bits()).collect::<Vec<_>>());
            let iv: Vec<i32> = v.iter().map(|x| if x.is_nan() { 7 } else { *x as i32 }).collect();
            let (want_v, want_i) = select(iv.iter().copied().enumerate().map(|(i, x)| (x, first + i)), k, largest);
            prop_assert_eq!(select_slice(&iv, first, k, largest), (want_v, want_i));
        }
    }
}
