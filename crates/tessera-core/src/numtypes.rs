//! The element types Rust lacks: `f16` (IEEE half, stored; arithmetic goes through f32, as
//! NumPy's half loops do) and `Complex<T>` (NumPy's complex64/complex128 layout: `re`, then
//! `im`). Complex arithmetic follows NumPy's loops (Smith's division, its `power`, `sign`,
//! `expm1`, `log1p`); the transcendental functions come from `num-complex`.

use num_complex::Complex as Nc;
use num_traits::Float;
use std::cmp::Ordering;
use std::ops::{Add, Div, Mul, Neg, Sub};

// ---------------------------------------------------------------------------------------------
// float16
// ---------------------------------------------------------------------------------------------

/// IEEE 754 binary16, bit for bit NumPy's `float16`.
#[allow(non_camel_case_types)]
#[derive(Clone, Copy, Default)]
#[repr(transparent)]
pub struct f16(pub u16);

impl f16 {
    /// Rounds to nearest, ties to even, directly from f64 (no double rounding through f32).
    pub fn from_f64(x: f64) -> f16 {
        let b = x.to_bits();
        let sign = ((b >> 48) & 0x8000) as u16;
        let exp = ((b >> 52) & 0x7ff) as i64;
        let man = b & ((1u64 << 52) - 1);
        if exp == 0x7ff {
            // Infinity, or NaN keeping its top payload bits (and quiet).
            return f16(if man == 0 { sign | 0x7c00 } else { sign | 0x7e00 | ((man >> 42) as u16 & 0x3ff) });
        }
        if exp == 0 {
            return f16(sign); // f64 zeros and subnormals are far below f16's range
        }
        let e = exp - 1023 + 15;
        if e >= 0x1f {
            return f16(sign | 0x7c00);
        }
        let m = man | (1u64 << 52);
        let shift = if e >= 1 { 42 } else { 42 + 1 - e };
        if shift > 63 {
            return f16(sign);
        }
        let mut r = m >> shift;
        let rem = m & ((1u64 << shift) - 1);
        let half = 1u64 << (shift - 1);
        if rem > half || (rem == half && r & 1 == 1) {
            r += 1;
        }
        // A carry out of the mantissa moves into the exponent (and on to infinity).
        let bits = if e >= 1 { ((e as u64) << 10) + (r - 1024) } else { r };
        f16(sign | if bits >= 0x7c00 { 0x7c00 } else { bits as u16 })
    }
    pub fn from_f32(x: f32) -> f16 {
        f16::from_f64(x as f64)
    }
    /// Exact.
    pub fn to_f32(self) -> f32 {
        let h = self.0 as u32;
        let sign = (h & 0x8000) << 16;
        let (e, m) = ((h >> 10) & 0x1f, h & 0x3ff);
        if e == 0 {
            let v = m as f32 * (1.0 / 16_777_216.0); // m * 2^-24
            return if sign != 0 { -v } else { v };
        }
        if e == 31 {
            return f32::from_bits(sign | 0x7f80_0000 | (m << 13));
        }
        f32::from_bits(sign | ((e + 112) << 23) | (m << 13))
    }
    pub fn to_f64(self) -> f64 {
        self.to_f32() as f64
    }
    pub fn is_nan(self) -> bool {
        self.0 & 0x7fff > 0x7c00
    }
}

impl PartialEq for f16 {
    fn eq(&self, o: &f16) -> bool {
        self.to_f32() == o.to_f32()
    }
}

impl PartialOrd for f16 {
    fn partial_cmp(&self, o: &f16) -> Option<Ordering> {
        self.to_f32().partial_cmp(&o.to_f32())
    }
}

impl std::fmt::Debug for f16 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.to_f32())
    }
}

// ---------------------------------------------------------------------------------------------
// complex
// ---------------------------------------------------------------------------------------------

/// A complex number with NumPy's memory layout (`re`, `im`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[repr(C)]
pub struct Complex<T> {
    pub re: T,
    pub im: T,
}

#[allow(non_camel_case_types)]
pub type c64 = Complex<f32>;
#[allow(non_camel_case_types)]
pub type c128 = Complex<f64>;

/// NumPy's lexicographic order (`CLT`/`CLE`...): NaN anywhere compares false.
impl<T: Float> PartialOrd for Complex<T> {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        if self.has_nan() || o.has_nan() {
            return None;
        }
        match self.re.partial_cmp(&o.re) {
            Some(Ordering::Equal) => self.im.partial_cmp(&o.im),
            r => r,
        }
    }
}

impl<T: Float> Complex<T> {
    pub fn new(re: T, im: T) -> Self {
        Complex { re, im }
    }
    fn nc(self) -> Nc<T> {
        Nc::new(self.re, self.im)
    }
    fn of(z: Nc<T>) -> Self {
        Complex { re: z.re, im: z.im }
    }
    pub fn has_nan(self) -> bool {
        self.re.is_nan() || self.im.is_nan()
    }
    pub fn is_nan(self) -> bool {
        self.has_nan()
    }
    pub fn is_infinite(self) -> bool {
        self.re.is_infinite() || self.im.is_infinite()
    }
    pub fn is_finite(self) -> bool {
        self.re.is_finite() && self.im.is_finite()
    }
    pub fn conj(self) -> Self {
        Complex { re: self.re, im: -self.im }
    }
    /// `np.absolute` as NumPy's SIMD loop computes it (bit for bit, contiguous or not):
    /// `l * sqrt(fma(s/l, s/l, 1))` for the larger and smaller part `l`, `s`; an infinite
    /// part gives inf, else a NaN part NaN. Branch-free, so that the loop vectorizes.
    #[inline(always)]
    pub fn abs(self) -> T {
        let (x, y) = (self.re.abs(), self.im.abs());
        let (zero, inf) = (T::zero(), T::infinity());
        let (l, s) = if x >= y { (x, y) } else { (y, x) };
        let r = s / l;
        let h = r.mul_add(r, T::one()).sqrt() * l;
        let h = if l == zero { zero } else { h };
        let h = if x.is_nan() || y.is_nan() { T::nan() } else { h };
        if x == inf || y == inf { inf } else { h }
    }
    pub fn angle(self) -> T {
        self.im.atan2(self.re)
    }
    /// NumPy 2: `z / |z|`, 0 for 0, NaN for NaN.
    pub fn np_sign(self) -> Self {
        let a = self.re.hypot(self.im);
        if self.has_nan() {
            Complex { re: T::nan(), im: T::nan() }
        } else if a == T::zero() {
            Complex { re: T::zero(), im: T::zero() }
        } else if a.is_infinite() {
            // Infinite parts: NumPy maps them to ±1 (or NaN for two infinities).
            let (re, im) = (self.re.is_infinite(), self.im.is_infinite());
            match (re, im) {
                (true, true) => Complex { re: T::nan(), im: T::nan() },
                (true, false) => Complex { re: self.re.signum(), im: T::zero() },
                _ => Complex { re: T::zero(), im: self.im.signum() },
            }
        } else {
            Complex { re: self.re / a, im: self.im / a }
        }
    }
    pub fn sqrt(self) -> Self {
        // C99 csqrt (signed zeros pick the side of the branch cut).
        let (x, y) = (self.re, self.im);
        let (zero, two) = (T::zero(), T::one() + T::one());
        if x == zero && y == zero {
            return Complex { re: zero, im: y };
        }
        if y.is_infinite() {
            return Complex { re: T::infinity(), im: y };
        }
        if x.is_nan() {
            return Complex { re: x, im: T::nan() };
        }
        if x.is_infinite() {
            return if x > zero {
                Complex { re: x, im: if y.is_nan() { y } else { zero.copysign(y) } }
            } else {
                Complex { re: if y.is_nan() { y.abs() } else { zero }, im: T::infinity().copysign(y) }
            };
        }
        let t = ((x.abs() + x.hypot(y)) / two).sqrt();
        if x >= zero {
            Complex { re: t, im: y / (two * t) }
        } else {
            Complex { re: y.abs() / (two * t), im: t.copysign(y) }
        }
    }
    /// C99 `cexp`: a real argument stays real; a real part whose exponential overflows is
    /// split in two so that finite results stay finite.
    pub fn exp(self) -> Self {
        let (x, y) = (self.re, self.im);
        if y == T::zero() {
            return Complex { re: x.exp(), im: y };
        }
        if x.is_infinite() && !y.is_finite() {
            // Annex G: exp(-inf + i inf/NaN) = 0 + 0i, exp(+inf + i inf/NaN) = inf + NaN i
            return if x < T::zero() { Complex { re: T::zero(), im: T::zero() } } else { Complex { re: x, im: T::nan() } };
        }
        let e = x.exp();
        if e.is_infinite() && x.is_finite() {
            let h = (x / (T::one() + T::one())).exp();
            return Complex { re: h * y.cos() * h, im: h * y.sin() * h };
        }
        Complex { re: e * y.cos(), im: e * y.sin() }
    }
    /// NumPy's `nc_expm1`, with C99's special cases of `cexp` (minus 1) where it gives NaN.
    pub fn exp_m1(self) -> Self {
        let (x, y) = (self.re, self.im);
        if y == T::zero() {
            // the Array API: expm1(±0 + 0i) = +0 + 0i
            return Complex { re: if x == T::zero() { T::zero() } else { x.exp_m1() }, im: y };
        }
        if x.is_infinite() && !y.is_finite() {
            return if x < T::zero() { Complex { re: -T::one(), im: T::zero() } } else { Complex { re: x, im: T::nan() } };
        }
        let a = (y / (T::one() + T::one())).sin();
        Complex { re: x.exp_m1() * y.cos() - (T::one() + T::one()) * a * a, im: x.exp() * y.sin() }
    }
    pub fn ln(self) -> Self {
        // A subnormal |z| keeps only a few bits (|5e-324 + 5e-324j| rounds to 5e-324): scale
        // tiny values by 2^54 first (exact), as NumPy's npy_clog does.
        let big = self.re.abs().max(self.im.abs());
        let four = T::one() + T::one() + T::one() + T::one();
        if big > T::zero() && big < T::min_positive_value() * four {
            let k = T::from(54.0).unwrap();
            let l = Nc::new(self.re * k.exp2(), self.im * k.exp2()).ln();
            return Complex { re: l.re - k * T::from(std::f64::consts::LN_2).unwrap(), im: l.im };
        }
        Self::of(self.nc().ln())
    }
    /// NumPy's `nc_log1p`.
    pub fn ln_1p(self) -> Self {
        let (x, y) = (self.re + T::one(), self.im);
        Complex { re: x.hypot(y).ln(), im: y.atan2(x) }
    }
    /// NumPy's `nc_log2`/`nc_log10`: the natural log scaled by `log2(e)`/`log10(e)`.
    pub fn log2(self) -> Self {
        let (l, k) = (self.ln(), T::from(std::f64::consts::LOG2_E).unwrap());
        Complex { re: l.re * k, im: l.im * k }
    }
    pub fn log10(self) -> Self {
        let (l, k) = (self.ln(), T::from(std::f64::consts::LOG10_E).unwrap());
        Complex { re: l.re * k, im: l.im * k }
    }
    pub fn sin(self) -> Self {
        // sin(x)cosh(y) + i cos(x)sinh(y), exact zeros kept (0 * inf is not NaN here).
        let (x, y) = (self.re, self.im);
        Complex { re: if x == T::zero() { x } else { cosh_times(y, x.sin()) }, im: if y == T::zero() { y } else { sinh_times(y, x.cos()) } }
    }
    pub fn cos(self) -> Self {
        let (x, y) = (self.re, self.im);
        let im = if x == T::zero() || y == T::zero() { T::zero() } else { -sinh_times(y, x.sin()) };
        Complex { re: cosh_times(y, x.cos()), im }
    }
    pub fn tan(self) -> Self {
        // -i tanh(i z)
        let t = Complex { re: -self.im, im: self.re }.tanh();
        Complex { re: t.im, im: -t.re }
    }
    pub fn asin(self) -> Self {
        if !self.is_finite() {
            // C99: casin z = -i casinh(i z), whose special cases are Annex G's
            let w = Complex { re: -self.im, im: self.re }.asinh();
            return Complex { re: w.im, im: -w.re };
        }
        // Kahan: asin z = atan(x / re(sqrt(1-z) sqrt(1+z))) + i asinh(im(conj(sqrt(1-z)) sqrt(1+z))).
        let one = Complex { re: T::one(), im: T::zero() };
        let (a, b) = (sub_signed(one, self).sqrt(), Complex { re: T::one() + self.re, im: self.im }.sqrt());
        let d = a * b;
        Complex { re: self.re.atan2(d.re), im: (a.conj() * b).im.asinh() }
    }
    pub fn acos(self) -> Self {
        let (x, y) = (self.re, self.im);
        if !self.is_finite() {
            // Annex G's cacos for y >= +0 (conj symmetric): NaN parts and infinities.
            let (nan, inf, pi) = (T::nan(), T::infinity(), T::from(std::f64::consts::PI).unwrap());
            let four = T::from(4).unwrap();
            let (re, im) = if x.is_nan() {
                (nan, if y.is_infinite() { -inf } else { nan })
            } else if x.is_infinite() {
                if y.is_nan() {
                    (nan, inf)
                } else if y.is_infinite() {
                    (if x < T::zero() { pi * T::from(3).unwrap() / four } else { pi / four }, -inf)
                } else {
                    (if x < T::zero() { pi } else { T::zero() }, -inf)
                }
            } else if y.is_infinite() {
                (pi / (T::one() + T::one()), -inf)
            } else {
                (if x == T::zero() { pi / (T::one() + T::one()) } else { nan }, nan)
            };
            return Complex { re, im: if y.is_sign_negative() { -im } else { im } };
        }
        // Kahan: acos z = 2 atan(re sqrt(1-z) / re sqrt(1+z)) + i asinh(im(conj(sqrt(1+z)) sqrt(1-z))).
        let one = Complex { re: T::one(), im: T::zero() };
        let (a, b) = (sub_signed(one, self).sqrt(), Complex { re: T::one() + self.re, im: self.im }.sqrt());
        Complex { re: (T::one() + T::one()) * a.re.atan2(b.re), im: (b.conj() * a).im.asinh() }
    }
    pub fn atan(self) -> Self {
        // atan z = -i atanh(i z)
        let w = Complex { re: -self.im, im: self.re }.atanh();
        Complex { re: w.im, im: -w.re }
    }
    /// C99 `casinh(z) = -i casin(i z)` (signed zeros pick the side of the branch cuts).
    pub fn asinh(self) -> Self {
        let (x, y) = (self.re, self.im);
        if !self.is_finite() {
            // Annex G for x, y >= 0; odd and conj symmetric.
            let (nan, inf, pi) = (T::nan(), T::infinity(), T::from(std::f64::consts::PI).unwrap());
            let (re, im) = if x.is_infinite() && y.is_infinite() {
                (inf, pi / T::from(4).unwrap())
            } else if x.is_infinite() {
                (inf, if y.is_nan() { nan } else { T::zero() })
            } else if y.is_infinite() {
                (inf, if x.is_nan() { nan } else { pi / (T::one() + T::one()) })
            } else {
                (nan, if y == T::zero() { y } else { nan })
            };
            return Complex { re: re.copysign(x), im: im.copysign(y) };
        }
        let w = Complex { re: -self.im, im: self.re }.asin();
        Complex { re: w.im, im: -w.re }
    }
    /// C99 `cacosh(z) = ±i cacos(z)`, the sign giving a real part >= 0 (and the imaginary
    /// part the sign of `z`'s), special cases included.
    pub fn acosh(self) -> Self {
        let w = self.acos();
        Complex { re: w.im.abs(), im: if self.im.is_sign_negative() { -w.re } else { w.re } }
    }
    /// atanh(u + iv) = log1p(4u / ((1-u)^2 + v^2)) / 4 + i atan2(2v, (1-u)(1+u) - v^2) / 2.
    pub fn atanh(self) -> Self {
        let (u, v) = (self.re, self.im);
        if !self.is_finite() {
            // Annex G for u, v >= 0; odd and conj symmetric.
            let (nan, half_pi) = (T::nan(), T::from(std::f64::consts::FRAC_PI_2).unwrap());
            let (re, im) = if u.is_infinite() || v.is_infinite() {
                (T::zero(), if v.is_nan() { nan } else { half_pi })
            } else {
                (if u == T::zero() { u } else { nan }, nan)
            };
            return Complex { re: re.copysign(u), im: im.copysign(v) };
        }
        if u.is_sign_negative() {
            // atanh is odd; for u < 0 the log1p argument nears -1 and loses every digit
            // (atanh(-0.99999) was -inf in complex64).
            let w = Complex { re: -u, im: -v }.atanh();
            return Complex { re: -w.re, im: -w.im };
        }
        let (one, two) = (T::one(), T::one() + T::one());
        let four = two + two;
        Complex {
            re: (four * u / ((one - u) * (one - u) + v * v)).ln_1p() / four,
            im: (two * v).atan2((one - u) * (one + u) - v * v) / two,
        }
    }
    /// NumPy's `nc_exp2`: `exp(z ln 2)`.
    pub fn exp2(self) -> Self {
        let k = T::from(std::f64::consts::LN_2).unwrap();
        Complex { re: self.re * k, im: self.im * k }.exp()
    }
    /// NumPy's complex `reciprocal` loop (Smith's division of 1 by `z`).
    pub fn np_reciprocal(self) -> Self {
        let (x, y) = (self.re, self.im);
        if y.abs() <= x.abs() {
            let r = y / x;
            let d = x + y * r;
            Complex { re: T::one() / d, im: -r / d }
        } else {
            let r = x / y;
            let d = x * r + y;
            Complex { re: r / d, im: -T::one() / d }
        }
    }
    pub fn sinh(self) -> Self {
        let (x, y) = (self.re, self.im);
        if x.is_infinite() && !y.is_finite() {
            return Complex { re: x, im: T::nan() };
        }
        Complex { re: if x == T::zero() { x } else { sinh_times(x, y.cos()) }, im: if y == T::zero() { y } else { cosh_times(x, y.sin()) } }
    }
    pub fn cosh(self) -> Self {
        let (x, y) = (self.re, self.im);
        if x.is_infinite() && !y.is_finite() {
            return Complex { re: T::infinity(), im: T::nan() };
        }
        let im = if x == T::zero() || y == T::zero() { T::zero() } else { sinh_times(x, y.sin()) };
        Complex { re: cosh_times(x, y.cos()), im }
    }
    pub fn tanh(self) -> Self {
        // Kahan's formula (as C99 ctanh): t = tan y, s = sinh x, rho = sqrt(1 + s^2).
        let (x, y) = (self.re, self.im);
        let one = T::one();
        // Annex G: tanh(±inf + iy) = ±1 ± 0i; tanh(0 + i inf/NaN) = 0 + NaN i; tanh(NaN + 0i) = NaN + 0i
        if x.is_infinite() {
            // (C99's sign of the zero is sin(2y)'s; the Array API's is y's)
            return Complex { re: x.signum(), im: T::zero().copysign(y) };
        }
        if x == T::zero() && !y.is_finite() {
            return Complex { re: x, im: T::nan() };
        }
        if y == T::zero() {
            return Complex { re: x.tanh(), im: y };
        }
        let (t, sh) = (y.tan(), x.sinh());
        let beta = one + t * t;
        let denom = one + beta * sh * sh;
        if denom.is_infinite() && x.is_finite() {
            return Complex { re: x.signum(), im: T::zero() * t };
        }
        let rho = (one + sh * sh).sqrt();
        Complex { re: beta * rho * sh / denom, im: t / denom }
    }
    pub fn round_ties_even(self) -> Self {
        Complex { re: rint(self.re), im: rint(self.im) }
    }
    /// NumPy's `nc_pow`: small integer exponents by repeated multiplication, else
    /// `exp(b * log(a))`; 0 to a power with a positive real part is 0, to any other NaN.
    pub fn powc(self, b: Self) -> Self {
        let (zero, one) = (T::zero(), T::one());
        if b.re == zero && b.im == zero {
            return Complex { re: one, im: zero };
        }
        if self.re == zero && self.im == zero {
            return if b.re > zero {
                Complex { re: zero, im: zero }
            } else {
                Complex { re: T::nan(), im: T::nan() }
            };
        }
        if b.im == zero && b.re == b.re.floor() && b.re.abs() < T::from(100).unwrap() {
            let n = b.re.to_i64().unwrap();
            let (mut acc, mut base, mut k) = (Complex { re: one, im: zero }, self, n.unsigned_abs());
            while k > 0 {
                if k & 1 == 1 {
                    acc = acc * base;
                }
                base = base * base;
                k >>= 1;
            }
            return if n < 0 { Complex { re: one, im: zero } / acc } else { acc };
        }
        // cexp(b clog(a)), as C99 cpow: a real product stays real (no inf * 0 = NaN part)
        (b * self.ln()).exp()
    }
    /// `np.maximum`/`np.minimum`: NaN in the first operand wins, then in the second.
    pub fn np_max(self, o: Self) -> Self {
        if self >= o || self.has_nan() {
            self
        } else {
            o
        }
    }
    pub fn np_min(self, o: Self) -> Self {
        if self <= o || self.has_nan() {
            self
        } else {
            o
        }
    }
}

/// `1 - z` with the imaginary part `-y` exactly (`0 - (+0)` would lose the sign of a zero).
fn sub_signed<T: Float>(a: Complex<T>, z: Complex<T>) -> Complex<T> {
    Complex { re: a.re - z.re, im: -z.im }
}

/// `cosh(y) * s` without overflowing where the product is finite.
fn cosh_times<T: Float>(y: T, s: T) -> T {
    let c = y.cosh();
    if c.is_infinite() && y.is_finite() {
        let h = (y.abs() / (T::one() + T::one())).exp();
        return (s * h / (T::one() + T::one())) * h;
    }
    c * s
}

/// `sinh(y) * s` without overflowing where the product is finite.
fn sinh_times<T: Float>(y: T, s: T) -> T {
    let c = y.sinh();
    if c.is_infinite() && y.is_finite() {
        let h = (y.abs() / (T::one() + T::one())).exp();
        return ((s * h / (T::one() + T::one())) * h).copysign(y * s);
    }
    c * s
}

fn rint<T: Float>(v: T) -> T {
    // Round half to even without `round_ties_even` on the generic trait.
    let r = v.round();
    if (r - v).abs() == T::from(0.5).unwrap() && (r / (T::one() + T::one())).fract() != T::zero() {
        r - (r - v) * (T::one() + T::one())
    } else {
        r
    }
}

impl<T: Float> Add for Complex<T> {
    type Output = Self;
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        Complex { re: self.re + o.re, im: self.im + o.im }
    }
}

impl<T: Float> Sub for Complex<T> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, o: Self) -> Self {
        Complex { re: self.re - o.re, im: self.im - o.im }
    }
}

impl<T: Float> Mul for Complex<T> {
    type Output = Self;
    #[inline(always)]
    fn mul(self, o: Self) -> Self {
        Complex { re: self.re * o.re - self.im * o.im, im: self.re * o.im + self.im * o.re }
    }
}

/// Smith's algorithm, as NumPy's complex `divide` loop.
impl<T: Float> Div for Complex<T> {
    type Output = Self;
    #[inline(always)]
    fn div(self, o: Self) -> Self {
        let (ar, ai, br, bi) = (self.re, self.im, o.re, o.im);
        let (bra, bia) = (br.abs(), bi.abs());
        if bra >= bia {
            if bra == T::zero() && bia == T::zero() {
                Complex { re: ar / bra, im: ai / bra }
            } else {
                let rat = bi / br;
                let scl = T::one() / (br + bi * rat);
                Complex { re: (ar + ai * rat) * scl, im: (ai - ar * rat) * scl }
            }
        } else {
            let rat = br / bi;
            let scl = T::one() / (bi + br * rat);
            Complex { re: (ar * rat + ai) * scl, im: (ai * rat - ar) * scl }
        }
    }
}

impl<T: Float> Neg for Complex<T> {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        Complex { re: -self.re, im: -self.im }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f16_round_trips_and_rounds_to_even() {
        for bits in 0..=u16::MAX {
            let h = f16(bits);
            if h.is_nan() {
                assert!(f16::from_f32(h.to_f32()).is_nan());
            } else {
                assert_eq!(f16::from_f32(h.to_f32()).0, bits, "{bits:#x}");
            }
        }
        assert_eq!(f16::from_f64(65504.0).0, 0x7bff);
        assert_eq!(f16::from_f64(65520.0).0, 0x7c00); // halfway to the next: rounds to inf
        assert_eq!(f16::from_f64(1.0 + 1.0 / 2048.0).0, 0x3c00); // tie to even
        assert_eq!(f16::from_f64(1.0 + 3.0 / 2048.0).0, 0x3c02);
        assert_eq!(f16::from_f64(2f64.powi(-24)).0, 1);
        assert_eq!(f16::from_f64(2f64.powi(-25)).0, 0); // tie to even (zero)
        assert_eq!(f16::from_f64(-0.0).0, 0x8000);
    }

    #[test]
    fn complex_division_and_order_like_numpy() {
        let z = c128::new(1.0, 2.0) / c128::new(3.0, -4.0);
        assert!((z.re + 0.2).abs() < 1e-15 && (z.im - 0.4).abs() < 1e-15);
        assert!(c128::new(1.0, 5.0) < c128::new(2.0, 0.0));
        assert!(c128::new(1.0, 1.0) < c128::new(1.0, 2.0));
        assert!(!(c128::new(1.0, f64::NAN) < c128::new(2.0, 0.0)));
        assert_eq!(c128::new(0.0, 1.0).powc(c128::new(2.0, 0.0)), c128::new(-1.0, 0.0));
    }
}
