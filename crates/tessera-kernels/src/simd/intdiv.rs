//! Integer `floor_divide` and `remainder` by one divisor for the whole tile, through a
//! multiply and shifts instead of a hardware divide (Granlund and Montgomery, "Division by
//! invariant integers using multiplication", 1994, figure 4.1; the libdivide method).
//! Exact for every dividend and divisor; NumPy's results, including `x // 0 == x % 0 == 0`
//! and `MIN // -1 == MIN`.

use super::multiversion;

/// Unsigned division by `d >= 1`: `q = (t + ((n - t) >> sh1)) >> sh2` with
/// `t = mulhi(m, n)`, for all 64-bit `n`.
#[derive(Clone, Copy)]
pub(crate) struct UDiv {
    m: u64,
    sh1: u32,
    sh2: u32,
    d: u64,
}

impl UDiv {
    pub(crate) fn new(d: u64) -> UDiv {
        assert!(d != 0, "division by zero has no magic number");
        // l = ceil(log2 d)
        let l = 64 - (d - 1).leading_zeros();
        let m = (((1u128 << 64) * ((1u128 << l) - d as u128)) / d as u128 + 1) as u64;
        UDiv { m, sh1: l.min(1), sh2: l.saturating_sub(1), d }
    }

    #[inline(always)]
    fn quot(self, n: u64) -> u64 {
        let t = ((self.m as u128 * n as u128) >> 64) as u64;
        (t + ((n - t) >> self.sh1)) >> self.sh2
    }
}

/// `(n // d, n % d)` rounding towards negative infinity, for `d != 0` given as `u` = |d|.
#[inline(always)]
fn floor_divmod_signed(n: i64, d: i64, u: UDiv) -> (i64, i64) {
    let an = n.unsigned_abs();
    let uq = u.quot(an);
    let ur = an - uq * u.d;
    let qt = if (n < 0) != (d < 0) { (uq as i64).wrapping_neg() } else { uq as i64 };
    let rt = if n < 0 { (ur as i64).wrapping_neg() } else { ur as i64 };
    if rt != 0 && ((rt < 0) != (d < 0)) {
        (qt.wrapping_sub(1), rt.wrapping_add(d))
    } else {
        (qt, rt)
    }
}

macro_rules! signed_kernels {
    ($($t:ty => $div:ident, $rem:ident;)*) => {$(
        multiversion! {
            pub fn $div(x: &[$t], d: $t, out: &mut [$t]) {
                let u = UDiv::new((d as i64).unsigned_abs());
                for (o, &v) in out.iter_mut().zip(x) {
                    *o = floor_divmod_signed(v as i64, d as i64, u).0 as $t;
                }
            }
        }
        multiversion! {
            pub fn $rem(x: &[$t], d: $t, out: &mut [$t]) {
                let u = UDiv::new((d as i64).unsigned_abs());
                for (o, &v) in out.iter_mut().zip(x) {
                    *o = floor_divmod_signed(v as i64, d as i64, u).1 as $t;
                }
            }
        }
    )*};
}

macro_rules! unsigned_kernels {
    ($($t:ty => $div:ident, $rem:ident;)*) => {$(
        multiversion! {
            pub fn $div(x: &[$t], d: $t, out: &mut [$t]) {
                let u = UDiv::new(d as u64);
                for (o, &v) in out.iter_mut().zip(x) {
                    *o = u.quot(v as u64) as $t;
                }
            }
        }
        multiversion! {
            pub fn $rem(x: &[$t], d: $t, out: &mut [$t]) {
                let u = UDiv::new(d as u64);
                for (o, &v) in out.iter_mut().zip(x) {
                    *o = (v as u64 - u.quot(v as u64) * d as u64) as $t;
                }
            }
        }
    )*};
}

signed_kernels! {
    i8 => div_i8, rem_i8;
    i16 => div_i16, rem_i16;
    i32 => div_i32, rem_i32;
    i64 => div_i64, rem_i64;
}

unsigned_kernels! {
    u8 => div_u8, rem_u8;
    u16 => div_u16, rem_u16;
    u32 => div_u32, rem_u32;
    u64 => div_u64, rem_u64;
}

use tessera_core::{BufMut, BufRef, Element, Scalar};

/// `out[..n] = x[..n] // d` (or `% d` when `rem`) for an integer tile and divisor of its
/// dtype; false for other dtypes.
pub(crate) fn by_scalar(rem: bool, x: BufRef, d: Scalar, out: &mut BufMut, n: usize) -> bool {
    macro_rules! go {
        ($t:ty, $div:ident, $rem:ident) => {{
            let d = d.cast::<$t>();
            let (x, o) = (&<$t>::slice_ref(x)[..n], &mut <$t>::slice_of_mut(out)[..n]);
            if d == 0 {
                o.fill(0);
            } else if rem {
                $rem(x, d, o)
            } else {
                $div(x, d, o)
            }
        }};
    }
    use tessera_core::DType::*;
    match x.dtype() {
        I8 => go!(i8, div_i8, rem_i8),
        I16 => go!(i16, div_i16, rem_i16),
        I32 => go!(i32, div_i32, rem_i32),
        I64 => go!(i64, div_i64, rem_i64),
        U8 => go!(u8, div_u8, rem_u8),
        U16 => go!(u16, div_u16, rem_u16),
        U32 => go!(u32, div_u32, rem_u32),
        U64 => go!(u64, div_u64, rem_u64),
        _ => return false,
    }
    true
}

/// Integer `a // b` and `a % b` by an array through float64 division, which is exact here:
/// where the quotient is not an integer it is at least 1/|a| (relative) from the nearest
/// one, which for |a| < 2^51 is more than the division's rounding (2^-53), so `floor` of the
/// float64 quotient is the floor quotient. Every 8-, 16- and 32-bit value qualifies; 64-bit
/// tiles are checked first. Vector division instead of the one-at-a-time hardware divider.
macro_rules! by_array_kernels {
    ($($t:ty => $name:ident;)*) => {$(
        multiversion! {
            pub(crate) fn $name(rem: bool, a: &[$t], b: &[$t], out: &mut [$t]) {
                // `as i64` then `as $t` wraps MIN // -1 to MIN, as NumPy gives it.
                let quot = |x: $t, y: $t| ((x as f64 / y as f64).floor() as i64) as $t;
                if rem {
                    for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
                        let r = x.wrapping_sub(quot(x, y).wrapping_mul(y));
                        *o = if y == 0 { 0 } else { r };
                    }
                } else {
                    for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
                        let q = quot(x, y);
                        *o = if y == 0 { 0 } else { q };
                    }
                }
            }
        }
    )*};
}

by_array_kernels! {
    i8 => by_array_i8;
    i16 => by_array_i16;
    i32 => by_array_i32;
    i64 => by_array_i64;
    u8 => by_array_u8;
    u16 => by_array_u16;
    u32 => by_array_u32;
    u64 => by_array_u64;
}

/// Magnitudes below this divide exactly through float64 (see `by_array_kernels`).
const EXACT: u64 = 1 << 51;

/// `out[..n] = a[..n] // b[..n]` (or `%` when `rem`) for integer tiles of one dtype; false
/// for other dtypes and for 64-bit tiles with a magnitude of 2^51 or more (the caller's
/// hardware-division loop runs those).
pub(crate) fn by_array(rem: bool, a: BufRef, b: BufRef, out: &mut BufMut, n: usize) -> bool {
    macro_rules! go {
        ($t:ty, $f:ident) => {{
            let (a, b, o) = (&<$t>::slice_ref(a)[..n], &<$t>::slice_ref(b)[..n], &mut <$t>::slice_of_mut(out)[..n]);
            $f(rem, a, b, o)
        }};
    }
    use tessera_core::DType::*;
    match a.dtype() {
        I8 => go!(i8, by_array_i8),
        I16 => go!(i16, by_array_i16),
        I32 => go!(i32, by_array_i32),
        U8 => go!(u8, by_array_u8),
        U16 => go!(u16, by_array_u16),
        U32 => go!(u32, by_array_u32),
        I64 => {
            let small = |s: &[i64]| s[..n].iter().fold(0u64, |m, &v| m.max(v.unsigned_abs())) < EXACT;
            if !(small(i64::slice_ref(a)) && small(i64::slice_ref(b))) {
                return false;
            }
            go!(i64, by_array_i64)
        }
        U64 => {
            let small = |s: &[u64]| s[..n].iter().fold(0u64, |m, &v| m.max(v)) < EXACT;
            if !(small(u64::slice_ref(a)) && small(u64::slice_ref(b))) {
                return false;
            }
            go!(u64, by_array_u64)
        }
        _ => return false,
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Division by arrays through float64 against the exact floor division, on the edges of
    /// every dtype (MIN, MAX, -1, 0, 1) and pseudo-random pairs, at and under 2^51 for 64 bits.
    #[test]
    fn by_array_matches_floor_division() {
        use tessera_core::Buffer;
        let mut s = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        let raw: Vec<u64> = (0..4000).map(|i| next() >> (i % 64)).collect();
        macro_rules! check {
            ($t:ty, $lim:expr) => {{
                let edge: Vec<$t> = vec![0, 1, 2, 3, 7, <$t>::MAX, <$t>::MAX - 1, <$t>::MIN, <$t>::MIN.wrapping_add(1), (0 as $t).wrapping_sub(1), (0 as $t).wrapping_sub(7)];
                let edge: Vec<$t> = edge.into_iter().filter(|&v| (v as i128).unsigned_abs() < $lim).collect();
                let vals: Vec<$t> = edge.iter().copied().chain(raw.iter().map(|&v| v as $t)).filter(|&v| (v as i128).unsigned_abs() < $lim).collect();
                let (mut a, mut b) = (Vec::new(), Vec::new());
                for (i, &x) in vals.iter().enumerate() {
                    for &y in vals.iter().skip(i % 7).step_by(97).chain(&edge) {
                        a.push(x);
                        b.push(y);
                    }
                }
                let (a, b) = (<$t>::into_buffer(a), <$t>::into_buffer(b));
                for rem in [false, true] {
                    let mut out = Buffer::zeros(<$t>::DTYPE, a.len());
                    assert!(by_array(rem, (&a).into(), (&b).into(), &mut (&mut out).into(), a.len()), "{}", stringify!($t));
                    for ((&x, &y), &got) in <$t>::slice(&a).iter().zip(<$t>::slice(&b)).zip(<$t>::slice(&out)) {
                        let (q, r) = if y == 0 { (0, 0) } else { crate::reference::int_divmod_ref(x as i128, y as i128) };
                        let want = if rem { r as $t } else { q as $t };
                        assert_eq!(got, want, "{} {x} {} {y}", stringify!($t), if rem { "%" } else { "//" });
                    }
                }
            }};
        }
        check!(i8, u128::MAX);
        check!(i16, u128::MAX);
        check!(i32, u128::MAX);
        check!(u8, u128::MAX);
        check!(u16, u128::MAX);
        check!(u32, u128::MAX);
        check!(i64, 1u128 << 51);
        check!(u64, 1u128 << 51);
        // A 64-bit tile with a larger magnitude is left to the hardware divider.
        let big = Buffer::I64(vec![1 << 52, 3]);
        let mut out = Buffer::zeros(tessera_core::DType::I64, 2);
        assert!(!by_array(false, (&big).into(), (&big).into(), &mut (&mut out).into(), 2));
    }

    /// Every divisor kind (powers of two, 1, MAX, MIN, small and large) against the
    /// hardware division, on edge and pseudo-random dividends.
    #[test]
    fn matches_hardware_division() {
        let mut s = 0x1234_5678_9abc_def0u64;
        let mut next = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        let mut divisors: Vec<u64> = vec![1, 2, 3, 5, 6, 7, 10, 60, 641, 1 << 32, (1 << 32) + 1, u64::MAX, u64::MAX - 1, 1 << 63, (1 << 63) + 1, (1 << 63) - 1];
        divisors.extend((0..300).map(|i| next() >> (i % 64)).filter(|&d| d != 0));
        let mut dividends: Vec<u64> = vec![0, 1, 2, 3, u64::MAX, u64::MAX - 1, 1 << 63, (1 << 63) - 1, (1 << 63) + 1];
        dividends.extend((0..2000).map(|i| next() >> (i % 64)));
        for &d in &divisors {
            let u = UDiv::new(d);
            for &n in &dividends {
                assert_eq!(u.quot(n), n / d, "{n} / {d}");
            }
            let ds = d as i64;
            let us = UDiv::new(ds.unsigned_abs());
            for &n in &dividends {
                let n = n as i64;
                let (q, r) = crate::reference::int_divmod_ref(n as i128, ds as i128);
                // MIN // -1 wraps to MIN, as in NumPy.
                assert_eq!(floor_divmod_signed(n, ds, us), (q as i64, r as i64), "{n} // {ds}");
            }
        }
    }
}
