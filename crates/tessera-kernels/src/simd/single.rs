//! Cores in float32 arithmetic: twice the lanes of the float64 cores (8 per AVX2 register, 16
//! per AVX-512 one), with fdlibm's float32 polynomials (musl `logf.c`, `log2f.c`,
//! `log10f.c`, `asinf.c`, `acosf.c`; Cephes `atanf.c`), which are as long as a float32
//! result needs. Same rules as the float64 cores: branch-free, correctly rounded operations
//! in a fixed order, `mul_add` always fused, so every path gives the same bits.
//!
//! Flags (elements recomputed with the float32 libm function) are the arguments a core does
//! not handle: NaN, infinities, zeros and subnormals where they need care, values near
//! overflow.

use super::sel;

/// `x = 2^k m`, m in [sqrt(2)/2, sqrt(2)), for positive normal `x`: `(k as f32, m)`.
#[inline(always)]
fn split(x: f32) -> (f32, f32) {
    let bits = x.to_bits();
    // Offsetting by sqrt(2)/2's bits makes the exponent field step at sqrt(2)/2 * 2^k.
    let k = (bits.wrapping_sub(0x3f35_04f3) as i32) >> 23;
    let m = f32::from_bits(bits.wrapping_sub((k as u32) << 23));
    (k as f32, m)
}

const LG1: f32 = 0.666_666_6; // 0xaaaaaa.0p-24
const LG2: f32 = 0.400_009_72; // 0xccce13.0p-25
const LG3: f32 = 0.284_987_87; // 0x91e9ee.0p-25
const LG4: f32 = 0.242_790_79; // 0xf89e26.0p-26
/// ln2 in two parts; the high part has 16 significant bits so `k * LN2_HI` is exact.
const LN2_HI: f32 = 6.931_381_2e-01;
const LN2_LO: f32 = 9.058_000_6e-06;

/// `(hfsq, s (hfsq + R))` for `f = m - 1`, where `log(1 + f) = f - hfsq + s (hfsq + R)`.
#[inline(always)]
fn log1p_pieces(f: f32) -> (f32, f32) {
    let hfsq = 0.5 * f * f;
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * (LG2 + w * LG4);
    let t2 = z * (LG1 + w * LG3);
    (hfsq, s * (hfsq + (t2 + t1)))
}

#[inline(always)]
fn normal_positive(x: f32) -> bool {
    x >= f32::MIN_POSITIVE && x < f32::INFINITY
}

#[inline(always)]
pub(crate) fn log(x: f32) -> (f32, bool) {
    let (k, m) = split(x);
    let f = m - 1.0;
    let (hfsq, r) = log1p_pieces(f);
    (r + k * LN2_LO - hfsq + f + k * LN2_HI, !normal_positive(x))
}

/// `(k, hi, lo)` with `log(m) = hi + lo` to extra precision (`hi` has 12 significant bits).
#[inline(always)]
fn log_hi_lo(x: f32) -> (f32, f32, f32) {
    let (k, m) = split(x);
    let f = m - 1.0;
    let (hfsq, r) = log1p_pieces(f);
    let hi = f32::from_bits((f - hfsq).to_bits() & 0xffff_f000);
    (k, hi, f - hi - hfsq + r)
}

#[inline(always)]
pub(crate) fn log2(x: f32) -> (f32, bool) {
    const IVLN2HI: f32 = 1.442_871_1e+00;
    const IVLN2LO: f32 = -1.760_528_5e-04;
    let (k, hi, lo) = log_hi_lo(x);
    ((lo + hi) * IVLN2LO + lo * IVLN2HI + hi * IVLN2HI + k, !normal_positive(x))
}

#[inline(always)]
pub(crate) fn log10(x: f32) -> (f32, bool) {
    const IVLN10HI: f32 = 4.343_261_7e-01;
    const IVLN10LO: f32 = -3.168_997_1e-05;
    const LOG10_2HI: f32 = 3.010_292e-01;
    const LOG10_2LO: f32 = 7.903_415_2e-07;
    let (k, hi, lo) = log_hi_lo(x);
    let v = k * LOG10_2LO + (lo + hi) * IVLN10LO + lo * IVLN10HI + hi * IVLN10HI + k * LOG10_2HI;
    (v, !normal_positive(x))
}

/// `log(1 + x)` for finite `x > -1`: `log(u)` for `u = 1 + x` rounded, plus the first-order
/// correction `(x - (u - 1)) / u` for the rounding.
#[inline(always)]
fn log1p_core(x: f32) -> f32 {
    let u = 1.0 + x;
    let c = (x - (u - 1.0)) / u;
    let (k, m) = split(u);
    let f = m - 1.0;
    let (hfsq, r) = log1p_pieces(f);
    let y = k * LN2_HI - ((hfsq - (r + (k * LN2_LO + c))) - f);
    // Tiny |x| (and ±0, subnormals): log1p(x) rounds to x.
    sel(x.abs() < 1.0 / (1u32 << 25) as f32, x, y)
}

#[inline(always)]
pub(crate) fn log1p(x: f32) -> (f32, bool) {
    (log1p_core(x), !(x > -1.0 && x < f32::INFINITY))
}

// ---------------------------------------------------------------------------------------------
// arcsinh, arccosh, arctanh: fdlibm's formulas (as the float64 cores) on `log1p_core`
// ---------------------------------------------------------------------------------------------

/// Below this, asinh x and atanh x round to x.
#[inline(always)]
fn tiny(a: f32) -> bool {
    a < 1.0 / (1u32 << 12) as f32
}

/// Above this, `a^2 + 1` rounds to `a^2`.
const TWO12: f32 = (1u32 << 12) as f32;
/// Arguments at or above this go to libm (2a would overflow near `f32::MAX`).
const HUGE: f32 = 1.0e37;

#[inline(always)]
pub(crate) fn asinh(x: f32) -> (f32, bool) {
    let a = x.abs();
    let t = a * a;
    let u = sel(
        a > TWO12,
        2.0 * a - 1.0,
        sel(a > 2.0, 2.0 * a + 1.0 / ((t + 1.0).sqrt() + a) - 1.0, a + t / (1.0 + (1.0 + t).sqrt())),
    );
    let v = log1p_core(u);
    (sel(tiny(a), a, v).copysign(x), !(a < HUGE))
}

#[inline(always)]
pub(crate) fn acosh(x: f32) -> (f32, bool) {
    let t = x - 1.0;
    let u = sel(
        x > TWO12,
        2.0 * x - 1.0,
        sel(x > 2.0, 2.0 * x - 1.0 / (x + (x * x - 1.0).sqrt()) - 1.0, t + (2.0 * t + t * t).sqrt()),
    );
    (log1p_core(u), !(x >= 1.0 && x < HUGE))
}

#[inline(always)]
pub(crate) fn atanh(x: f32) -> (f32, bool) {
    let a = x.abs();
    let u = sel(a < 0.5, 2.0 * a + 2.0 * a * a / (1.0 - a), 2.0 * a / (1.0 - a));
    let v = 0.5 * log1p_core(u);
    (sel(tiny(a), a, v).copysign(x), !(a < 1.0))
}

// ---------------------------------------------------------------------------------------------
// arcsin, arccos (musl `asinf.c`, `acosf.c`: its ranges by select), arctan (Cephes `atanf.c`,
// with the low parts of pi/2 and pi/4 added), arctan2 (arctan of min/max, then the octant)
// ---------------------------------------------------------------------------------------------

const PIO2_HI: f32 = std::f32::consts::FRAC_PI_2; // rounded up
const PIO2_LO: f32 = -4.371_139e-8; // pi/2 - PIO2_HI
const PIO4_HI: f32 = std::f32::consts::FRAC_PI_4;
const PIO4_LO: f32 = -2.185_569_5e-8;
const PI_HI: f32 = std::f32::consts::PI;
const PI_LO: f32 = -8.742_278e-8;

/// `p(z) / q(z)` with `asin(x) = x + x R(x^2)` on |x| <= 0.5.
#[inline(always)]
fn rational(z: f32) -> f32 {
    const PS0: f32 = 1.666_658_7e-01;
    const PS1: f32 = -4.274_342_2e-02;
    const PS2: f32 = -8.656_363e-03;
    const QS1: f32 = -7.066_296_3e-01;
    let p = z * (PS0 + z * (PS1 + z * PS2));
    let q = 1.0 + z * QS1;
    p / q
}

#[inline(always)]
pub(crate) fn asin(x: f32) -> (f32, bool) {
    let a = x.abs();
    let small = a < 0.5;
    let z = sel(small, a * a, (1.0 - a) * 0.5);
    let r = rational(z);
    let v_small = a + a * r;
    // asin(a) = pi/2 - 2 asin(sqrt(z)), in float64 (the cancellation needs more than float32).
    let s = (z as f64).sqrt();
    let v_big = (std::f64::consts::FRAC_PI_2 - 2.0 * (s + s * r as f64)) as f32;
    (sel(small, v_small, v_big).copysign(x), !(a < 1.0))
}

#[inline(always)]
pub(crate) fn acos(x: f32) -> (f32, bool) {
    const PIO2_HI_DOWN: f32 = 1.570_796_2; // pi/2 rounded down, as musl
    const PIO2_LO_UP: f32 = 7.549_789_4e-08;
    let a = x.abs();
    let small = a < 0.5;
    let z = sel(small, x * x, (1.0 - a) * 0.5);
    let r = rational(z);
    let s = z.sqrt();
    let v_small = PIO2_HI_DOWN - (x - (PIO2_LO_UP - x * r));
    let v_neg = 2.0 * (PIO2_HI_DOWN - (s + (r * s - PIO2_LO_UP)));
    let df = f32::from_bits(s.to_bits() & 0xffff_f000);
    let c = (z - df * df) / (s + df);
    let v_pos = 2.0 * (df + (r * s + c));
    (sel(small, v_small, sel(x < 0.0, v_neg, v_pos)), !(a < 1.0))
}

/// Cephes `atanf` for `a >= 0` (or NaN).
#[inline(always)]
fn atan_pos(a: f32) -> f32 {
    const T3P8: f32 = 2.414_213_5;
    const TP8: f32 = 0.414_213_57;
    let big = a > T3P8;
    let mid = !big && a > TP8;
    let num = sel(big, -1.0, sel(mid, a - 1.0, a));
    let den = sel(big, a, sel(mid, a + 1.0, 1.0));
    let x = num / den;
    let y = sel(big, PIO2_HI, sel(mid, PIO4_HI, 0.0));
    let lo = sel(big, PIO2_LO, sel(mid, PIO4_LO, 0.0));
    let z = x * x;
    let p = z.mul_add(8.053_744_5e-2, -1.387_768_5e-1);
    let p = p.mul_add(z, 1.997_771_1e-1);
    let p = p.mul_add(z, -3.333_294_9e-1);
    y + (p * z).mul_add(x, x + lo)
}

#[inline(always)]
pub(crate) fn atan(x: f32) -> (f32, bool) {
    // Infinities work (pi/2); NaN goes to libm to keep its payload handling simple.
    (atan_pos(x.abs()).copysign(x), x.is_nan())
}

/// `atan2(y, x)`: `atan(min/max)` of the magnitudes, reflected into the right octant.
#[inline(always)]
pub(crate) fn atan2(y: f32, x: f32) -> (f32, bool) {
    let (ax, ay) = (x.abs(), y.abs());
    let swap = ay > ax;
    let t = sel(swap, ax, ay) / sel(swap, ay, ax);
    let a = atan_pos(t);
    // |y| > |x|: pi/2 -+ a; else a or pi - a (by the sign of x).
    let neg = x < 0.0;
    let a = sel(swap, (PIO2_HI + sel(neg, a, -a)) + PIO2_LO, sel(neg, (PI_HI - a) + PI_LO, a));
    let bad = !(x.is_finite() && y.is_finite()) || (x == 0.0 && y == 0.0);
    (a.copysign(y), bad)
}

// ---------------------------------------------------------------------------------------------
// sinh, cosh, tanh: the float64 cores' formulas (`hyperbolic::*_by`) on a float32 `e^x - 1`
// ---------------------------------------------------------------------------------------------

/// `e^x - 1` for |x| <= 88: `x = k ln2 + r`, |r| <= ln2/2, `e^r - 1 = r + r^2 P(r)` with
/// Taylor's P to degree 5 (truncation under 2^-26), then `2^k (e^r - 1) + (2^k - 1)`.
#[inline(always)]
fn expm1_core(x: f32) -> f32 {
    const SHIFT: f32 = 12_582_912.0; // 1.5 * 2^23: x + SHIFT rounds x to an integer
    const INV_LN2: f32 = std::f32::consts::LOG2_E;
    const P: [f32; 6] = [1.0 / 2.0, 1.0 / 6.0, 1.0 / 24.0, 1.0 / 120.0, 1.0 / 720.0, 1.0 / 5040.0];
    let kd = x.mul_add(INV_LN2, SHIFT);
    let k = kd - SHIFT;
    let r = (-k).mul_add(LN2_HI, x);
    let r = (-k).mul_add(LN2_LO, r);
    let mut p = P[5];
    for &c in P[..5].iter().rev() {
        p = p.mul_add(r, c);
    }
    let em = (r * r).mul_add(p, r);
    let scale = f32::from_bits((kd.to_bits().wrapping_sub(SHIFT.to_bits())).wrapping_add(127) << 23);
    let y = scale.mul_add(em, scale - 1.0);
    // Tiny |x| (and ±0, subnormals): e^x - 1 rounds to x.
    sel(x.abs() < 1.0 / (1u32 << 25) as f32, x, y)
}

/// Below this, sinh x and tanh x round to x.
#[inline(always)]
fn tiny_hyp(a: f32) -> bool {
    a < 1.0 / (1u32 << 12) as f32
}

#[inline(always)]
pub(crate) fn sinh(x: f32) -> (f32, bool) {
    let a = x.abs();
    let t = expm1_core(a);
    let v = sel(a < 1.0, 0.5 * (2.0 * t - t * t / (t + 1.0)), 0.5 * (t + t / (t + 1.0)));
    (sel(tiny_hyp(a), a, v).copysign(x), !(a <= 88.0))
}

#[inline(always)]
pub(crate) fn cosh(x: f32) -> (f32, bool) {
    let a = x.abs();
    let t = expm1_core(a);
    let e = 1.0 + t;
    let v = sel(a < 0.5 * std::f32::consts::LN_2, 1.0 + (t * t) / (e + e), 0.5 * e + 0.5 / e);
    (v, !(a <= 88.0))
}

#[inline(always)]
pub(crate) fn tanh(x: f32) -> (f32, bool) {
    // tanh(9.1) rounds to 1 in float32; min() also maps infinity there.
    let a = x.abs().min(10.0);
    let big = a >= 1.0;
    let t = expm1_core(sel(big, 2.0 * a, -2.0 * a));
    let v = sel(big, 1.0 - 2.0 / (t + 2.0), -t / (t + 2.0));
    (sel(tiny_hyp(a), a, v).copysign(x), x.is_nan())
}

// ---------------------------------------------------------------------------------------------
// cbrt
// ---------------------------------------------------------------------------------------------

/// FreeBSD `s_cbrt.c`'s estimate and polynomial step (to about 22 bits) in float32, then one
/// Newton step in float64 (to about 44 bits) and one rounding.
#[inline(always)]
pub(crate) fn cbrt(x: f32) -> (f32, bool) {
    const B1: u32 = 709_958_130; // (127 - 127/3 - 0.03306235651) * 2^23
    const P0: f32 = 1.875_951_8;
    const P1: f32 = -1.884_979_8;
    const P2: f32 = 1.621_429_7;
    const P3: f32 = -0.758_397_9;
    const P4: f32 = 0.145_996_19;
    let a = x.abs();
    let t = f32::from_bits(a.to_bits() / 3 + B1);
    let r = (t * t) * (t / a);
    let t = t * ((P0 + r * (P1 + r * P2)) + ((r * r) * r) * (P3 + r * P4));
    let (t, a64) = (t as f64, a as f64);
    let t2 = t * t;
    let t = t - t2.mul_add(t, -a64) / (3.0 * t2);
    ((t as f32).copysign(x), !(a >= f32::MIN_POSITIVE && a < f32::INFINITY))
}
