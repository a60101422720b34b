//! sinh, cosh, tanh through `expm1` (fdlibm's formulas, its ranges by select); arcsinh,
//! arccosh, arctanh through `log1p` of an argument chosen per range (fdlibm's formulas,
//! with `log(t) = log1p(t - 1)` where fdlibm uses `log`).

use super::exp::expm1_core;
use super::log::log1p_core;
use super::sel;

#[inline(always)]
fn tiny(a: f64) -> bool {
    a < 1.0 / (1u64 << 28) as f64
}

#[inline(always)]
pub(crate) fn sinh(x: f64) -> (f64, bool) {
    sinh_by(x, expm1_core)
}

#[inline(always)]
pub(crate) fn cosh(x: f64) -> (f64, bool) {
    cosh_by(x, expm1_core)
}

#[inline(always)]
pub(crate) fn tanh(x: f64) -> (f64, bool) {
    tanh_by(x, expm1_core)
}

/// sinh with the given `e^x - 1` (the float64 one, or the shorter one for float32).
#[inline(always)]
pub(crate) fn sinh_by(x: f64, expm1_core: impl Fn(f64) -> f64) -> (f64, bool) {
    let a = x.abs();
    let t = expm1_core(a);
    let v = sel(a < 1.0, 0.5 * (2.0 * t - t * t / (t + 1.0)), 0.5 * (t + t / (t + 1.0)));
    (sel(tiny(a), a, v).copysign(x), !(a <= 700.0))
}

#[inline(always)]
pub(crate) fn cosh_by(x: f64, expm1_core: impl Fn(f64) -> f64) -> (f64, bool) {
    let a = x.abs();
    let t = expm1_core(a);
    let e = 1.0 + t;
    let v = sel(a < 0.5 * std::f64::consts::LN_2, 1.0 + (t * t) / (e + e), 0.5 * e + 0.5 / e);
    (v, !(a <= 700.0))
}

#[inline(always)]
pub(crate) fn tanh_by(x: f64, expm1_core: impl Fn(f64) -> f64) -> (f64, bool) {
    // tanh(22) rounds to 1; min() also maps infinity there.
    let a = x.abs().min(22.0);
    let big = a >= 1.0;
    let t = expm1_core(sel(big, 2.0 * a, -2.0 * a));
    let v = sel(big, 1.0 - 2.0 / (t + 2.0), -t / (t + 2.0));
    (sel(tiny(a), a, v).copysign(x), x.is_nan())
}

const TWO28: f64 = (1u64 << 28) as f64;

#[inline(always)]
pub(crate) fn asinh(x: f64) -> (f64, bool) {
    let a = x.abs();
    let t = a * a;
    // log(2a + 1/(sqrt(a^2+1)+a)) for a > 2; log1p(a + a^2/(1+sqrt(1+a^2))) below; log(2a)
    // above 2^28 (where a^2 + 1 is a^2).
    let u = sel(
        a > TWO28,
        2.0 * a - 1.0,
        sel(a > 2.0, 2.0 * a + 1.0 / ((t + 1.0).sqrt() + a) - 1.0, a + t / (1.0 + (1.0 + t).sqrt())),
    );
    let v = log1p_core(u);
    (sel(tiny(a), a, v).copysign(x), !(a < 1e300))
}

#[inline(always)]
pub(crate) fn acosh(x: f64) -> (f64, bool) {
    let t = x - 1.0;
    let u = sel(
        x > TWO28,
        2.0 * x - 1.0,
        sel(x > 2.0, 2.0 * x - 1.0 / (x + (x * x - 1.0).sqrt()) - 1.0, t + (2.0 * t + t * t).sqrt()),
    );
    (log1p_core(u), !(x >= 1.0 && x < 1e300))
}

#[inline(always)]
pub(crate) fn atanh(x: f64) -> (f64, bool) {
    let a = x.abs();
    let u = sel(a < 0.5, 2.0 * a + 2.0 * a * a / (1.0 - a), 2.0 * a / (1.0 - a));
    let v = 0.5 * log1p_core(u);
    (sel(tiny(a), a, v).copysign(x), !(a < 1.0))
}
