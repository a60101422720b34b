//! log, log2, log10, log1p: `x = 2^k m` with m in [sqrt(2)/2, sqrt(2)), `f = m - 1`
//! (exact), and `log(1 + f)` through `s = f / (2 + f)` and fdlibm's minimax polynomial in
//! `s^2` (fdlibm `e_log.c`, `e_log2.c`, `e_log10.c`: under 1 ulp), without its branches.

use super::exp::{LN2_HI, LN2_LO};
use super::{high_word, sel, SHIFT};

const LG1: f64 = 6.666666666666735130e-01;
const LG2: f64 = 3.999999999940941908e-01;
const LG3: f64 = 2.857142874366239149e-01;
const LG4: f64 = 2.222219843214978396e-01;
const LG5: f64 = 1.818357216161805012e-01;
const LG6: f64 = 1.531383769920937332e-01;
const LG7: f64 = 1.479819860511658591e-01;

/// `x = 2^k m`, m in [sqrt(2)/2, sqrt(2)), for positive normal `x`: `(k as f64, m)`.
#[inline(always)]
pub(crate) fn split(x: f64) -> (f64, f64) {
    let bits = x.to_bits();
    // Offsetting by sqrt(2)/2's bits makes the exponent field step at sqrt(2)/2 * 2^k.
    let t = bits.wrapping_sub(0x3fe6_a09e_667f_3bcd);
    let k = (t as i64) >> 52;
    let m = f64::from_bits(bits.wrapping_sub((k as u64) << 52));
    // k as f64 through SHIFT (a vector i64 -> f64 conversion AVX2 lacks).
    let kf = f64::from_bits(SHIFT.to_bits().wrapping_add(k as u64)) - SHIFT;
    (kf, m)
}

/// `(hfsq, s (hfsq + R))` for `f = m - 1`: fdlibm's `k_log1p` pieces, where
/// `log(1 + f) = f - hfsq + s (hfsq + R)`.
#[inline(always)]
fn log1p_pieces(f: f64) -> (f64, f64) {
    let hfsq = 0.5 * f * f;
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * (LG2 + w * (LG4 + w * LG6));
    let t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
    (hfsq, s * (hfsq + (t2 + t1)))
}

#[inline(always)]
fn normal_positive(x: f64) -> bool {
    x >= f64::MIN_POSITIVE && x < f64::INFINITY
}

/// `log(x)` for positive normal finite `x`.
#[inline(always)]
pub(crate) fn log_core(x: f64) -> f64 {
    let (k, m) = split(x);
    let f = m - 1.0;
    let (hfsq, r) = log1p_pieces(f);
    k * LN2_HI - ((hfsq - (r + k * LN2_LO)) - f)
}

#[inline(always)]
pub(crate) fn log(x: f64) -> (f64, bool) {
    (log_core(x), !normal_positive(x))
}

/// `(k, hi, lo)` with `log(m) = hi + lo` to extra precision (`hi` has 21 significant bits).
#[inline(always)]
fn log_hi_lo(x: f64) -> (f64, f64, f64) {
    let (k, m) = split(x);
    let f = m - 1.0;
    let (hfsq, r) = log1p_pieces(f);
    let hi = high_word(f - hfsq);
    let lo = (f - hi) - hfsq + r;
    (k, hi, lo)
}

#[inline(always)]
pub(crate) fn log2(x: f64) -> (f64, bool) {
    const IVLN2HI: f64 = 1.44269504072144627571e+00;
    const IVLN2LO: f64 = 1.67517131648865118353e-10;
    let (k, hi, lo) = log_hi_lo(x);
    let val_hi = hi * IVLN2HI;
    let mut val_lo = (lo + hi) * IVLN2LO + lo * IVLN2HI;
    let w = k + val_hi;
    val_lo += (k - w) + val_hi;
    (val_lo + w, !normal_positive(x))
}

#[inline(always)]
pub(crate) fn log10(x: f64) -> (f64, bool) {
    const IVLN10HI: f64 = 4.34294481878168880939e-01;
    const IVLN10LO: f64 = 2.50829467116452752298e-11;
    const LOG10_2HI: f64 = 3.01029995663611771306e-01;
    const LOG10_2LO: f64 = 3.69423907715893078616e-13;
    let (k, hi, lo) = log_hi_lo(x);
    let val_hi = hi * IVLN10HI;
    let y2 = k * LOG10_2HI;
    let mut val_lo = k * LOG10_2LO + (lo + hi) * IVLN10LO + lo * IVLN10HI;
    let w = y2 + val_hi;
    val_lo += (y2 - w) + val_hi;
    (val_lo + w, !normal_positive(x))
}

/// `log(1 + x)` for finite `x > -1`: `log(u)` for `u = 1 + x` rounded, plus the first-order
/// correction `(x - (u - 1)) / u` for the rounding.
#[inline(always)]
pub(crate) fn log1p_core(x: f64) -> f64 {
    let u = 1.0 + x;
    let c = (x - (u - 1.0)) / u;
    let (k, m) = split(u);
    let f = m - 1.0;
    let (hfsq, r) = log1p_pieces(f);
    let y = k * LN2_HI - ((hfsq - (r + (k * LN2_LO + c))) - f);
    // Tiny |x| (and ±0, subnormals): log1p(x) rounds to x.
    sel(x.abs() < 1.0 / (1u64 << 54) as f64, x, y)
}

#[inline(always)]
pub(crate) fn log1p(x: f64) -> (f64, bool) {
    (log1p_core(x), !(x > -1.0 && x < f64::INFINITY))
}
