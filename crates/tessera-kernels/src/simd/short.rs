//! Cores for float32 results: float64 arithmetic (the same lanes and bits on every path),
//! with reductions and polynomials only as long as a float32 result needs. Each value has a
//! relative error under about 2^-33 before its one rounding to float32, so the float32
//! result is the correctly rounded one or, rarely (within 2^-9 ulp of a tie), its
//! neighbour: under 0.51 ulp. About half the work of the float64 cores.
//!
//! Flags (elements recomputed with libm) are those of the float64 cores, narrowed to the
//! float32 range where that is wider than the core handles.

use super::exp::{INV_FACT, EXP2_TAYLOR, INV_LN2, LN2_HI, LN2_LO};
use super::{horner, pow2_from_shifted, round_scaled, sel, SHIFT};

// ---------------------------------------------------------------------------------------------
// sin, cos, tan
// ---------------------------------------------------------------------------------------------

const INVPIO2: f64 = 6.36619772367581382433e-01;
/// pi/2 in two parts (float64 rounding and the rest): with fused multiply-adds, `x - n pi/2`
/// keeps about 100 bits of pi/2, ample for float32 arguments below [`TRIG_LIMIT`].
const PIO2_HI: f64 = std::f64::consts::FRAC_PI_2;
const PIO2_LO: f64 = 6.123233995736766e-17;
/// float32 arguments at or above this go to libm.
const TRIG_LIMIT: f64 = 1.0e6;

// fdlibm's `__kernel_sin` and `__kernel_cos` coefficients, the tail terms dropped
// (what they would add is under 2^-36 relative on [-pi/4, pi/4]).
const S1: f64 = -1.66666666666666324348e-01;
const S2: f64 = 8.33333333332248946124e-03;
const S3: f64 = -1.98412698298579493134e-04;
const S4: f64 = 2.75573137070700676789e-06;
const S5: f64 = -2.50507602534068634195e-08;
const C1: f64 = 4.16666666666666019037e-02;
const C2: f64 = -1.38888888888741095749e-03;
const C3: f64 = 2.48015872894767294178e-05;
const C4: f64 = -2.75573143513906633035e-07;
const C5: f64 = 2.08757232129817482790e-09;

/// `(n mod 4, y)` with `x = n pi/2 + y`, |y| <= pi/4 (about).
#[inline(always)]
fn reduce(x: f64) -> (u64, f64) {
    let (n, bits) = round_scaled(x, INVPIO2);
    let y = (-n).mul_add(PIO2_HI, x);
    (bits & 3, (-n).mul_add(PIO2_LO, y))
}

/// `(sin y, cos y)` for |y| <= pi/4.
#[inline(always)]
fn sin_cos(y: f64) -> (f64, f64) {
    let z = y * y;
    let s = (y * z).mul_add(horner(z, &[S1, S2, S3, S4, S5]), y);
    let c = (z * z).mul_add(horner(z, &[C1, C2, C3, C4, C5]), (-0.5f64).mul_add(z, 1.0));
    (s, c)
}

#[inline(always)]
fn negate_if(v: f64, c: u64) -> f64 {
    f64::from_bits(v.to_bits() ^ (c << 63))
}

/// Below this, sin x and tan x round to x (and keep the sign of a zero, which `y + y z p`
/// loses for -0).
const TINY: f64 = 1.0 / (1u64 << 27) as f64;

#[inline(always)]
pub(crate) fn sin(x: f64) -> (f64, bool) {
    let (n, y) = reduce(x);
    let (s, c) = sin_cos(y);
    let v = negate_if(sel(n & 1 == 1, c, s), n >> 1);
    (sel(x.abs() < TINY, x, v), !(x.abs() < TRIG_LIMIT))
}

#[inline(always)]
pub(crate) fn cos(x: f64) -> (f64, bool) {
    let (n, y) = reduce(x);
    let (s, c) = sin_cos(y);
    (negate_if(sel(n & 1 == 1, s, c), ((n + 1) >> 1) & 1), !(x.abs() < TRIG_LIMIT))
}

#[inline(always)]
pub(crate) fn tan(x: f64) -> (f64, bool) {
    let (n, y) = reduce(x);
    let (s, c) = sin_cos(y);
    let odd = n & 1 == 1;
    (sel(x.abs() < TINY, x, sel(odd, -c, s) / sel(odd, s, c)), !(x.abs() < TRIG_LIMIT))
}

// ---------------------------------------------------------------------------------------------
// exp, exp2, expm1
// ---------------------------------------------------------------------------------------------

/// `e^x`, |x| <= 708: as `exp::exp_parts` with a degree-9 Taylor polynomial (truncation
/// under 2^-37 for |r| <= ln2/2).
#[inline(always)]
fn exp_core(x: f64) -> f64 {
    let (k, bits) = round_scaled(x, INV_LN2);
    let r = (-k).mul_add(LN2_HI, x);
    let r = (-k).mul_add(LN2_LO, r);
    horner(r, &INV_FACT[..10]) * pow2_from_shifted(bits)
}

#[inline(always)]
pub(crate) fn exp(x: f64) -> (f64, bool) {
    (exp_core(x), !(x.abs() <= 708.0))
}

#[inline(always)]
pub(crate) fn exp2(x: f64) -> (f64, bool) {
    let kd = x + SHIFT;
    let r = x - (kd - SHIFT);
    (horner(r, &EXP2_TAYLOR[..10]) * pow2_from_shifted(kd.to_bits()), !(x.abs() <= 1020.0))
}

/// `e^x - 1` for |x| <= 700, as `exp::expm1_core` with a degree-9 polynomial.
#[inline(always)]
pub(crate) fn expm1_core(x: f64) -> f64 {
    super::exp::expm1_with(x, &INV_FACT[2..10])
}

#[inline(always)]
pub(crate) fn expm1(x: f64) -> (f64, bool) {
    (expm1_core(x), !(x.abs() <= 700.0))
}

// ---------------------------------------------------------------------------------------------
// power
// ---------------------------------------------------------------------------------------------

/// `x^y = e^(y log x)` with the float64 `log` (within an ulp) instead of `power`'s
/// double-double one: for float32 arguments a finite nonzero float32 result has
/// |y log x| < 104, where the product's error (under 2^-45 absolute) stays far below what
/// a float32 result needs. Flags as `power::pow`.
#[inline(always)]
pub(crate) fn pow(x: f64, y: f64) -> (f64, bool) {
    let a = x.abs();
    let t = y * super::log::log_core(a);
    let v = exp_core(t);
    let y_int = y == y.trunc();
    let y_half = 0.5 * y;
    let y_odd = y_int && y_half != y_half.trunc();
    let v = if x < 0.0 && y_odd { -v } else { v };
    let ok = a >= f64::MIN_POSITIVE && a < f64::INFINITY && (x > 0.0 || y_int) && t.abs() <= 708.0;
    let square = y == 2.0;
    (if square { x * x } else { v }, !(ok || square))
}
