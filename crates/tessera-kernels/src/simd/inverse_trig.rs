//! arcsin, arccos (fdlibm `e_asin.c`/`e_acos.c`: its rational approximation and its three
//! argument ranges, all computed and selected), arctan (Cephes `atan.c`: three ranges by
//! select, a degree 4/5 rational) and arctan2 (arctan of min/max, then the octant).

use super::{high_word, sel};

const PIO2_HI: f64 = 1.57079632679489655800e+00;
const PIO2_LO: f64 = 6.12323399573676603587e-17;
const PIO4_HI: f64 = 7.85398163397448278999e-01;
const PI: f64 = 3.14159265358979311600e+00;
const PI_LO: f64 = 1.2246467991473532e-16;

const PS0: f64 = 1.66666666666666657415e-01;
const PS1: f64 = -3.25565818622400915405e-01;
const PS2: f64 = 2.01212532134862925881e-01;
const PS3: f64 = -4.00555345006794114027e-02;
const PS4: f64 = 7.91534994289814532176e-04;
const PS5: f64 = 3.47933107596021167570e-05;
const QS1: f64 = -2.40339491173441421878e+00;
const QS2: f64 = 2.02094576023350569471e+00;
const QS3: f64 = -6.88283971605453293030e-01;
const QS4: f64 = 7.70381505559019352791e-02;

/// fdlibm's `p(t) / q(t)` (with the factor t in p).
#[inline(always)]
fn rational(t: f64) -> f64 {
    let p = t * (PS0 + t * (PS1 + t * (PS2 + t * (PS3 + t * (PS4 + t * PS5)))));
    let q = 1.0 + t * (QS1 + t * (QS2 + t * (QS3 + t * QS4)));
    p / q
}

#[inline(always)]
pub(crate) fn asin(x: f64) -> (f64, bool) {
    let a = x.abs();
    let small = a < 0.5;
    let t = sel(small, a * a, (1.0 - a) * 0.5);
    let r = rational(t);
    let s = t.sqrt();
    let v_small = a + a * r;
    // |x| >= 0.975 (fdlibm's 0x3fef3333 high word)
    let v_high = PIO2_HI - (2.0 * (s + s * r) - PIO2_LO);
    let w = high_word(s);
    let c = (t - w * w) / (s + w);
    let p = 2.0 * s * r - (PIO2_LO - 2.0 * c);
    let q = PIO4_HI - 2.0 * w;
    let v_mid = PIO4_HI - (p - q);
    let v = sel(small, v_small, sel(a >= f64::from_bits(0x3fef_3333_0000_0000), v_high, v_mid));
    let v = sel(a < 1.0 / (1u64 << 27) as f64, a, v);
    (v.copysign(x), !(a < 1.0))
}

#[inline(always)]
pub(crate) fn acos(x: f64) -> (f64, bool) {
    let a = x.abs();
    let small = a < 0.5;
    let z = sel(small, x * x, (1.0 - a) * 0.5);
    let r = rational(z);
    let s = z.sqrt();
    let v_small = PIO2_HI - (x - (PIO2_LO - x * r));
    let v_neg = PI - 2.0 * (s + (r * s - PIO2_LO));
    let df = high_word(s);
    let c = (z - df * df) / (s + df);
    let v_pos = 2.0 * (df + (r * s + c));
    let v = sel(small, v_small, sel(x < 0.0, v_neg, v_pos));
    (v, !(a < 1.0))
}

const T3P8: f64 = 2.41421356237309504880;
const MOREBITS: f64 = 6.123233995736765886130e-17;
const AP: [f64; 5] = [
    -8.750608600031904122785e-1,
    -1.615753718733365076637e1,
    -7.500855792314704667340e1,
    -1.228866684490136173410e2,
    -6.485021904942025371773e1,
];
const AQ: [f64; 5] = [
    2.485846490142306297962e1,
    1.650270098316988542046e2,
    4.328810604912902668951e2,
    4.853903996359136964868e2,
    1.945506571482613964425e2,
];

/// Cephes `atan` for `a >= 0` (or NaN).
#[inline(always)]
fn atan_pos(a: f64) -> f64 {
    let big = a > T3P8;
    let mid = !big && a > 0.66;
    let num = sel(big, -1.0, sel(mid, a - 1.0, a));
    let den = sel(big, a, sel(mid, a + 1.0, 1.0));
    let x = num / den;
    let y = sel(big, PIO2_HI, sel(mid, PIO4_HI, 0.0));
    let more = sel(big, MOREBITS, sel(mid, 0.5 * MOREBITS, 0.0));
    let z = x * x;
    let p = (((AP[0] * z + AP[1]) * z + AP[2]) * z + AP[3]) * z + AP[4];
    let q = ((((z + AQ[0]) * z + AQ[1]) * z + AQ[2]) * z + AQ[3]) * z + AQ[4];
    let z = z * p / q;
    y + ((x * z + x) + more)
}

#[inline(always)]
pub(crate) fn atan(x: f64) -> (f64, bool) {
    // Infinities work (pi/2); NaN goes to libm to keep its payload handling simple.
    (atan_pos(x.abs()).copysign(x), x.is_nan())
}

/// `atan2(y, x)`: `atan(min/max)` of the magnitudes, reflected into the right octant.
#[inline(always)]
pub(crate) fn atan2(y: f64, x: f64) -> (f64, bool) {
    let (ax, ay) = (x.abs(), y.abs());
    let swap = ay > ax;
    let t = sel(swap, ax, ay) / sel(swap, ay, ax);
    let a = atan_pos(t);
    // |y| > |x|: pi/2 -+ a; else a or pi - a (by the sign of x).
    let neg = x < 0.0;
    let a = sel(swap, (PIO2_HI + sel(neg, a, -a)) + PIO2_LO, sel(neg, (PI - a) + PI_LO, a));
    let bad = !(x.is_finite() && y.is_finite()) || (x == 0.0 && y == 0.0);
    (a.copysign(y), bad)
}
