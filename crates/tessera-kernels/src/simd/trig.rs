//! sin, cos, tan for |x| < 2^20: `x = n pi/2 + (y0 + y1)` by fdlibm's three-step
//! Cody-Waite reduction (`e_rem_pio2.c`, medium case, all steps always), then fdlibm's
//! `__kernel_sin`/`__kernel_cos` polynomials on [-pi/4, pi/4] (under 1 ulp), both computed
//! and selected by the quadrant. Larger arguments go to libm (Payne-Hanek reduction).

use super::{round_scaled, sel};

const INVPIO2: f64 = 6.36619772367581382433e-01;
const PIO2_1: f64 = 1.57079632673412561417e+00;
const PIO2_2: f64 = 6.07710050630396597660e-11;
const PIO2_3: f64 = 2.02226624871116645580e-21;
const PIO2_3T: f64 = 8.47842766036889956997e-32;

const S1: f64 = -1.66666666666666324348e-01;
const S2: f64 = 8.33333333332248946124e-03;
const S3: f64 = -1.98412698298579493134e-04;
const S4: f64 = 2.75573137070700676789e-06;
const S5: f64 = -2.50507602534068634195e-08;
const S6: f64 = 1.58969099521155010221e-10;

const C1: f64 = 4.16666666666666019037e-02;
const C2: f64 = -1.38888888888741095749e-03;
const C3: f64 = 2.48015872894767294178e-05;
const C4: f64 = -2.75573143513906633035e-07;
const C5: f64 = 2.08757232129817482790e-09;
const C6: f64 = -1.13596475577881948265e-11;

/// Arguments at or above this go to libm (`n * PIO2_1` must stay exact: |n| < 2^20).
const LIMIT: f64 = 1.0e6;

/// `(n mod 4, y0, y1)` with `x = n pi/2 + y0 + y1`, |y0 + y1| <= pi/4 (about).
#[inline(always)]
fn reduce(x: f64) -> (u64, f64, f64) {
    let (fnv, bits) = round_scaled(x, INVPIO2);
    let r = x - fnv * PIO2_1;
    // Second and third steps (fdlibm runs them only when cancellation needs them; its
    // first-step correction `fnv * PIO2_1T` is superseded by the second step's).
    let t = r;
    let w2 = fnv * PIO2_2;
    let r = t - w2;
    let e2 = (t - r) - w2; // the second step's rounding error, kept
    let t = r;
    let w3 = fnv * PIO2_3;
    let r = t - w3;
    let w = fnv * PIO2_3T - ((t - r) - w3) - e2;
    let y0 = r - w;
    let y1 = (r - y0) - w;
    (bits & 3, y0, y1)
}

/// fdlibm `__kernel_sin(x, y, 1)`.
#[inline(always)]
fn k_sin(x: f64, y: f64) -> f64 {
    let z = x * x;
    let w = z * z;
    let r = S2 + z * (S3 + z * S4) + z * w * (S5 + z * S6);
    let v = z * x;
    x - ((z * (0.5 * y - v * r) - y) - v * S1)
}

/// fdlibm `__kernel_cos(x, y)`.
#[inline(always)]
fn k_cos(x: f64, y: f64) -> f64 {
    let z = x * x;
    let w = z * z;
    let r = z * (C1 + z * (C2 + z * C3)) + w * w * (C4 + z * (C5 + z * C6));
    let hz = 0.5 * z;
    let w = 1.0 - hz;
    w + (((1.0 - w) - hz) + (z * r - x * y))
}

#[inline(always)]
fn negate_if(v: f64, c: u64) -> f64 {
    f64::from_bits(v.to_bits() ^ (c << 63))
}

#[inline(always)]
fn is_tiny(x: f64) -> bool {
    x.abs() < 1.0 / (1u64 << 27) as f64
}

#[inline(always)]
pub(crate) fn sin(x: f64) -> (f64, bool) {
    let (n, y0, y1) = reduce(x);
    let (s, c) = (k_sin(y0, y1), k_cos(y0, y1));
    let v = negate_if(sel(n & 1 == 1, c, s), n >> 1);
    (sel(is_tiny(x), x, v), !(x.abs() < LIMIT))
}

#[inline(always)]
pub(crate) fn cos(x: f64) -> (f64, bool) {
    let (n, y0, y1) = reduce(x);
    let (s, c) = (k_sin(y0, y1), k_cos(y0, y1));
    let v = negate_if(sel(n & 1 == 1, s, c), ((n + 1) >> 1) & 1);
    (v, !(x.abs() < LIMIT))
}

#[inline(always)]
pub(crate) fn tan(x: f64) -> (f64, bool) {
    let (n, y0, y1) = reduce(x);
    let (s, c) = (k_sin(y0, y1), k_cos(y0, y1));
    let odd = n & 1 == 1;
    let v = sel(odd, -c, s) / sel(odd, s, c);
    (sel(is_tiny(x), x, v), !(x.abs() < LIMIT))
}
