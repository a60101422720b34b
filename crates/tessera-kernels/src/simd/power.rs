//! power: `x^y = e^(y log x)` with `log x` to about 2^-70 relative (a double-double
//! `log` built from the same split as `log`, its `2 atanh(s)` series with the first two terms
//! in double-double) so that `y log x` keeps its accuracy up to |y log x| ~ 708 and the
//! result is within 1 ulp. Negative `x` with an integer `y` takes the sign of `y`'s parity;
//! zeros, infinities, NaN, subnormal `x` and overflow/underflow go to libm.

use super::exp::{exp_parts, LN2_HI, LN2_LO};
use super::horner;
use super::log::split;

/// `2/(2k+1)` for k = 2..=13: `2 atanh(s) = 2s + 2s^3/3 + s^5 P(s^2)`; the next term is
/// below 2^-70 of the result for |s| <= 0.1716.
const ATANH_TAIL: [f64; 12] = [
    2.0 / 5.0,
    2.0 / 7.0,
    2.0 / 9.0,
    2.0 / 11.0,
    2.0 / 13.0,
    2.0 / 15.0,
    2.0 / 17.0,
    2.0 / 19.0,
    2.0 / 21.0,
    2.0 / 23.0,
    2.0 / 25.0,
    2.0 / 27.0,
];
const C23_HI: f64 = 0.6666666666666666;
const C23_LO: f64 = 3.700743415417188e-17;

/// `log(a) = hi + lo` for positive normal finite `a`.
#[inline(always)]
fn log_dd(a: f64) -> (f64, f64) {
    let (k, m) = split(a);
    let f = m - 1.0; // exact
    // s = f / (2 + f) in two parts.
    let u = 2.0 + f;
    let eu = f - (u - 2.0);
    let s = f / u;
    let sl = ((-s).mul_add(u, f) - s * eu) / u;
    // (2/3) s^3 in two parts.
    let z = s * s;
    let zl = s.mul_add(s, -z) + 2.0 * s * sl;
    let c = z * s;
    let cl = z.mul_add(s, -c) + (zl * s + z * sl);
    let t = C23_HI * c;
    let tl = C23_HI.mul_add(c, -t) + (C23_LO * c + C23_HI * cl);
    let tail = z * c * horner(z, &ATANH_TAIL);
    // 2s + t (|2s| > |t|), then + k ln2 (k * LN2_HI is exact).
    let s2 = 2.0 * s;
    let h = s2 + t;
    let hl = ((s2 - h) + t) + (2.0 * sl + tl + tail);
    let kh = k * LN2_HI;
    let hi = kh + h;
    let bb = hi - kh;
    let e = (kh - (hi - bb)) + (h - bb);
    let lo = e + hl + k * LN2_LO;
    let r = hi + lo;
    (r, lo - (r - hi))
}

#[inline(always)]
pub(crate) fn pow(x: f64, y: f64) -> (f64, bool) {
    let a = x.abs();
    let (lh, ll) = log_dd(a);
    let ph = y * lh;
    let pl = y.mul_add(lh, -ph) + y * ll;
    let v = exp_parts(ph, pl);
    let y_int = y == y.trunc();
    let y_half = 0.5 * y;
    let y_odd = y_int && y_half != y_half.trunc();
    let v = if x < 0.0 && y_odd { -v } else { v };
    let ok = a >= f64::MIN_POSITIVE && a < f64::INFINITY && (x > 0.0 || y_int) && ph.abs() <= 708.0;
    // x^2 is x * x, correctly rounded for every x (and what the scalar form's fast loop does).
    let square = y == 2.0;
    (if square { x * x } else { v }, !(ok || square))
}
