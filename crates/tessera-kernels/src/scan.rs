//! Cumulative sums and products along one axis of a C-order block seen as
//! `[outer, n, inner]`: the block's scan starting from a carry, its total, and the
//! exclusive scan of block totals (sequential, or Blelloch's tree). Integers wrap, as
//! NumPy's; the nan-variants take NaN as the identity. Every loop runs in a fixed order, so
//! results depend only on the values.

use tessera_core::Element;

/// What a scan needs of an element type.
pub trait ScanNum: Element {
    const ZERO: Self;
    const ONE: Self;
    fn add(self, o: Self) -> Self;
    fn mul(self, o: Self) -> Self;
    fn isnan(self) -> bool;
}

macro_rules! scan_int {
    ($($t:ty),*) => {$(
        impl ScanNum for $t {
            const ZERO: Self = 0;
            const ONE: Self = 1;
            #[inline(always)]
            fn add(self, o: Self) -> Self { self.wrapping_add(o) }
            #[inline(always)]
            fn mul(self, o: Self) -> Self { self.wrapping_mul(o) }
            #[inline(always)]
            fn isnan(self) -> bool { false }
        }
    )*};
}
scan_int!(i8, i16, i32, i64, u8, u16, u32, u64);

macro_rules! scan_float {
    ($($t:ty),*) => {$(
        impl ScanNum for $t {
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            #[inline(always)]
            fn add(self, o: Self) -> Self { self + o }
            #[inline(always)]
            fn mul(self, o: Self) -> Self { self * o }
            #[inline(always)]
            fn isnan(self) -> bool { self.is_nan() }
        }
    )*};
}
scan_float!(f32, f64);

/// Which scan: a sum or a product, skipping NaN (taken as the identity) or not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ScanKind {
    pub prod: bool,
    pub skip_nan: bool,
}

impl ScanKind {
    #[inline(always)]
    fn ident<T: ScanNum>(self) -> T {
        if self.prod {
            T::ONE
        } else {
            T::ZERO
        }
    }
    #[inline(always)]
    fn clean<T: ScanNum>(self, v: T) -> T {
        if self.skip_nan && v.isnan() {
            self.ident()
        } else {
            v
        }
    }
    #[inline(always)]
    fn op<T: ScanNum>(self, a: T, b: T) -> T {
        if self.prod {
            a.mul(b)
        } else {
            a.add(b)
        }
    }
}

/// `out[o, i, :] = carry[o, :] op vals[o, 0, :] op ... op vals[o, i, :]`, in order of `i`.
pub fn scan_block<T: ScanNum>(kind: ScanKind, vals: &[T], out: &mut [T], (outer, n, inner): (usize, usize, usize), carry: Option<&[T]>) {
    debug_assert_eq!(vals.len(), outer * n * inner);
    debug_assert_eq!(out.len(), vals.len());
    for o in 0..outer {
        let base = o * n * inner;
        for i in 0..n {
            let row = base + i * inner;
            if i == 0 {
                for j in 0..inner {
                    let c = carry.map_or(kind.ident(), |c| c[o * inner + j]);
                    out[row + j] = kind.op(c, kind.clean(vals[row + j]));
                }
            } else {
                // the previous row of the output is the running value (contiguous: vectorizes)
                let (done, rest) = out.split_at_mut(row);
                let prev = &done[row - inner..];
                let v = &vals[row..row + inner];
                for ((o, &p), &x) in rest[..inner].iter_mut().zip(prev).zip(v) {
                    *o = kind.op(p, kind.clean(x));
                }
            }
        }
    }
}

/// The block's total along the axis, `[outer, inner]`, added in the scan's order (so it is
/// the last row of `scan_block` without a carry, to the bit).
pub fn total_block<T: ScanNum>(kind: ScanKind, vals: &[T], (outer, n, inner): (usize, usize, usize)) -> Vec<T> {
    let mut acc = vec![kind.ident::<T>(); outer * inner];
    for o in 0..outer {
        let a = &mut acc[o * inner..(o + 1) * inner];
        for i in 0..n {
            let row = &vals[(o * n + i) * inner..][..inner];
            for (s, &x) in a.iter_mut().zip(row) {
                *s = kind.op(*s, kind.clean(x));
            }
        }
    }
    acc
}

/// The carry into every block: `out[o, i, :]` combines the totals of blocks `0..i` (the
/// identity for block 0). `blelloch` combines them up and down a balanced tree (Dask's
/// `method="blelloch"`), else one after the other.
pub fn exclusive_carries<T: ScanNum>(kind: ScanKind, totals: &[T], (outer, n, inner): (usize, usize, usize), blelloch: bool) -> Vec<T> {
    let mut out = vec![kind.ident::<T>(); totals.len()];
    let mut col = vec![kind.ident::<T>(); n];
    for o in 0..outer {
        for j in 0..inner {
            let at = |i: usize| (o * n + i) * inner + j;
            (0..n).for_each(|i| col[i] = kind.clean(totals[at(i)]));
            let carries = if blelloch { tree_exclusive(kind, &col) } else { sequential_exclusive(kind, &col) };
            (0..n).for_each(|i| out[at(i)] = carries[i]);
        }
    }
    out
}

fn sequential_exclusive<T: ScanNum>(kind: ScanKind, v: &[T]) -> Vec<T> {
    let mut acc = kind.ident::<T>();
    v.iter()
        .map(|&x| {
            let c = acc;
            acc = kind.op(acc, x);
            c
        })
        .collect()
}

/// Up-sweep: pairwise partial totals level by level; down-sweep: a node's carry goes to
/// its left child, carry op left total to its right child.
fn tree_exclusive<T: ScanNum>(kind: ScanKind, v: &[T]) -> Vec<T> {
    let mut levels = vec![v.to_vec()];
    while levels.last().is_some_and(|l| l.len() > 1) {
        let prev = levels.last().expect("a level");
        let next = prev.chunks(2).map(|p| if p.len() == 2 { kind.op(p[0], p[1]) } else { p[0] }).collect();
        levels.push(next);
    }
    let mut carries = vec![kind.ident::<T>()];
    for level in levels[..levels.len() - 1].iter().rev() {
        let mut next = Vec::with_capacity(level.len());
        for (k, &c) in carries.iter().enumerate() {
            next.push(c);
            if 2 * k + 1 < level.len() {
                next.push(kind.op(c, level[2 * k]));
            }
        }
        carries = next;
    }
    carries.truncate(v.len());
    carries
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn reference(kind: ScanKind, v: &[f64]) -> Vec<f64> {
        let mut acc = if kind.prod { 1.0 } else { 0.0 };
        v.iter()
            .map(|&x| {
                let x = if kind.skip_nan && x.is_nan() { if kind.prod { 1.0 } else { 0.0 } } else { x };
                acc = if kind.prod { acc * x } else { acc + x };
                acc
            })
            .collect()
    }

    proptest! {
        #[test]
        fn scans_match_a_plain_loop(
            outer in 0usize..4, n in 0usize..9, inner in 0usize..5,
            prod in any::<bool>(), skip_nan in any::<bool>(),
            seed in prop::collection::vec(prop_oneof![4 => (-3i32..4).prop_map(f64::from), 1 => Just(f64::NAN)], 0..200),
            cut in 0usize..9,
        ) {
            let kind = ScanKind { prod, skip_nan };
            let len = outer * n * inner;
            let vals: Vec<f64> = (0..len).map(|k| seed.get(k).copied().unwrap_or(1.0)).collect();
            let mut out = vec![0.0; len];
            scan_block(kind, &vals, &mut out, (outer, n, inner), None);
            let tot = total_block(kind, &vals, (outer, n, inner));
            for o in 0..outer {
                for j in 0..inner {
                    let col: Vec<f64> = (0..n).map(|i| vals[(o * n + i) * inner + j]).collect();
                    let want = reference(kind, &col);
                    let got: Vec<f64> = (0..n).map(|i| out[(o * n + i) * inner + j]).collect();
                    prop_assert!(want.iter().zip(&got).all(|(a, b)| a == b || (a.is_nan() && b.is_nan())));
                    let t = tot[o * inner + j];
                    let last = want.last().copied().unwrap_or(if prod { 1.0 } else { 0.0 });
                    prop_assert!(t == last || (t.is_nan() && last.is_nan()));
                }
            }
            // a scan split in two blocks at `cut`, joined by the carry, is the scan (small
            // integers: exact in any order)
            let cut = cut.min(n);
            if outer > 0 && inner > 0 && vals.iter().all(|v| !v.is_nan()) && !prod {
                let col: Vec<f64> = (0..n).map(|i| vals[i * inner]).collect();
                let first = total_block(kind, &col[..cut], (1, cut, 1));
                let mut second = vec![0.0; n - cut];
                scan_block(kind, &col[cut..], &mut second, (1, n - cut, 1), Some(&first));
                prop_assert_eq!(&second[..], &reference(kind, &col)[cut..]);
            }
        }

        #[test]
        fn carries_are_exclusive_scans(v in prop::collection::vec(-50i64..50, 0..40), prod in any::<bool>(), blelloch in any::<bool>()) {
            let kind = ScanKind { prod, skip_nan: false };
            let got = exclusive_carries(kind, &v, (1, v.len(), 1), blelloch);
            let mut acc: i64 = if prod { 1 } else { 0 };
            for (k, &x) in v.iter().enumerate() {
                prop_assert_eq!(got[k], acc);
                acc = if prod { acc.wrapping_mul(x) } else { acc.wrapping_add(x) };
            }
        }
    }
}
