//! exp, exp2, expm1: `x = k ln2 + r` with |r| <= ln2/2 (Cody-Waite, two-part ln2), a
//! Taylor polynomial for `e^r` (degree 13: truncation error below 0.05 ulp), then `2^k` put
//! straight into the exponent bits.

use super::{horner, pow2_from_shifted, round_scaled, sel, SHIFT};

pub(crate) const INV_LN2: f64 = std::f64::consts::LOG2_E;
/// ln2 in two parts; the high part has 32 significant bits so `k * LN2_HI` is exact.
pub(crate) const LN2_HI: f64 = 6.93147180369123816490e-01;
pub(crate) const LN2_LO: f64 = 1.90821492927058770002e-10;

/// `1/n!` for n = 0..=14: `e^r` takes n <= 13, `(e^r - 1 - r) / r^2` (for expm1) n = 2..=14.
pub(crate) const INV_FACT: [f64; 15] = [
    1.0,
    1.0,
    1.0 / 2.0,
    1.0 / 6.0,
    1.0 / 24.0,
    1.0 / 120.0,
    1.0 / 720.0,
    1.0 / 5040.0,
    1.0 / 40320.0,
    1.0 / 362880.0,
    1.0 / 3628800.0,
    1.0 / 39916800.0,
    1.0 / 479001600.0,
    1.0 / 6227020800.0,
    1.0 / 87178291200.0,
];

/// `ln2^n / n!` for n = 0..=13 (e^(r ln2) for |r| <= 1/2).
pub(crate) const EXP2_TAYLOR: [f64; 14] = [
    1.0,
    0.6931471805599453,
    0.24022650695910072,
    0.05550410866482158,
    0.009618129107628477,
    0.0013333558146428443,
    0.0001540353039338161,
    1.5252733804059841e-05,
    1.321548679014431e-06,
    1.01780860092397e-07,
    7.054911620801123e-09,
    4.4455382718708116e-10,
    2.5678435993488206e-11,
    1.3691488853904128e-12,
];

/// `e^x` for |x| <= 708 (no overflow, no subnormal result); with `r` corrected by `lo`
/// (for `x + lo` given in two parts, as `pow` does).
#[inline(always)]
pub(crate) fn exp_parts(x: f64, lo: f64) -> f64 {
    let (k, bits) = round_scaled(x, INV_LN2);
    let r = (-k).mul_add(LN2_HI, x);
    let r = (-k).mul_add(LN2_LO, r) + lo;
    horner(r, &INV_FACT[..14]) * pow2_from_shifted(bits)
}

#[inline(always)]
pub(crate) fn exp(x: f64) -> (f64, bool) {
    (exp_parts(x, 0.0), !(x.abs() <= 708.0))
}

#[inline(always)]
pub(crate) fn exp2(x: f64) -> (f64, bool) {
    // x + SHIFT rounds x to the nearest integer k; r = x - k is exact.
    let kd = x + SHIFT;
    let k = kd - SHIFT;
    let r = x - k;
    (horner(r, &EXP2_TAYLOR) * pow2_from_shifted(kd.to_bits()), !(x.abs() <= 1020.0))
}

/// `e^x - 1` for |x| <= 700, without the cancellation near 0: `2^k (e^r - 1) + (2^k - 1)`.
#[inline(always)]
pub(crate) fn expm1_core(x: f64) -> f64 {
    expm1_with(x, &INV_FACT[2..])
}

/// `e^x - 1` for |x| <= 700 with the Taylor coefficients `taylor` (1/2!, 1/3!, ...): as many
/// as the result's precision needs.
#[inline(always)]
pub(crate) fn expm1_with(x: f64, taylor: &[f64]) -> f64 {
    let (k, bits) = round_scaled(x, INV_LN2);
    let r = (-k).mul_add(LN2_HI, x);
    let r = (-k).mul_add(LN2_LO, r);
    let em = (r * r).mul_add(horner(r, taylor), r);
    let scale = pow2_from_shifted(bits);
    let y = scale.mul_add(em, scale - 1.0);
    // Tiny |x| (and ±0, subnormals): e^x - 1 rounds to x.
    sel(x.abs() < 1.0 / (1u64 << 54) as f64, x, y)
}

#[inline(always)]
pub(crate) fn expm1(x: f64) -> (f64, bool) {
    (expm1_core(x), !(x.abs() <= 700.0))
}
