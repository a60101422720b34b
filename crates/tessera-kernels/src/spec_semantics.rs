//! Per-element semantics of the ufuncs the Array API standard names beyond tessera's first
//! set (`bitwise_left_shift`/`bitwise_right_shift`, `nextafter`, `logaddexp`), written as
//! NumPy computes them so that results are NumPy's bits. The ufunc table's closures call
//! these methods; the test oracle (`reference.rs`) calls the `f64` ones and its own shift
//! reference over `i128`.

/// NumPy's integer shifts (`npy_lshift`/`npy_rshift`): a shift by the bit width or more,
/// or by a negative amount (cast to an unsigned size), gives 0, or -1 for a right shift of
/// a negative value; never Rust's overflow panic or masking.
pub trait ShiftSemantics: Copy {
    fn np_lshift(self, by: Self) -> Self;
    fn np_rshift(self, by: Self) -> Self;
}

macro_rules! shift_semantics {
    ($($t:ty),*) => {$(
        impl ShiftSemantics for $t {
            #[inline(always)]
            fn np_lshift(self, by: Self) -> Self {
                // `as u64` sends negative amounts beyond the width, as NumPy's size_t cast.
                if (by as u64) < <$t>::BITS as u64 { self << (by as u32) } else { 0 }
            }
            #[inline(always)]
            #[allow(unused_comparisons)]
            fn np_rshift(self, by: Self) -> Self {
                if (by as u64) < <$t>::BITS as u64 {
                    self >> (by as u32)
                } else if self < 0 {
                    (0 as $t).wrapping_sub(1)
                } else {
                    0
                }
            }
        }
    )*};
}

shift_semantics!(i8, i16, i32, i64, u8, u16, u32, u64);

/// Integer `np.signbit` and `np.reciprocal`, which depend on signedness.
pub trait IntSpec: Copy {
    fn np_signbit(self) -> bool;
    /// `1 / x` truncated: 1 for 1, -1 for -1, else 0. NumPy computes `(T)(1.0 / x)`, whose
    /// value for 0 is C's undefined float-to-int conversion of inf (on x86: the minimum of
    /// int32/int64, 0 for the others); tessera gives 0 for every dtype.
    fn np_reciprocal(self) -> Self;
}

macro_rules! int_spec {
    (signed $($t:ty),*) => {$(
        impl IntSpec for $t {
            #[inline(always)]
            fn np_signbit(self) -> bool {
                self < 0
            }
            #[inline(always)]
            fn np_reciprocal(self) -> Self {
                match self {
                    1 => 1,
                    -1 => -1,
                    _ => 0,
                }
            }
        }
    )*};
    (unsigned $($t:ty),*) => {$(
        impl IntSpec for $t {
            #[inline(always)]
            fn np_signbit(self) -> bool {
                false
            }
            #[inline(always)]
            fn np_reciprocal(self) -> Self {
                (self == 1) as $t
            }
        }
    )*};
}

int_spec!(signed i8, i16, i32, i64);
int_spec!(unsigned u8, u16, u32, u64);

/// The shifts over `i128` for the test oracle: values of any 8..64-bit dtype, the result
/// wrapped to the dtype afterwards (a left shift by the width or more leaves no bits in it).
pub fn lshift_ref(x: i128, by: i128) -> i128 {
    if (0..128).contains(&by) { x.wrapping_shl(by as u32) } else { 0 }
}

pub fn rshift_ref(x: i128, by: i128) -> i128 {
    if (0..128).contains(&by) { x >> by } else if x < 0 { -1 } else { 0 }
}

/// Float functions of two operands that need more than one machine operation.
pub trait FloatSpec: Copy {
    /// `np.nextafter`: the next representable value after `self` towards `to`.
    fn np_nextafter(self, to: Self) -> Self;
    /// `np.logaddexp`: `log(exp(x) + exp(y))` without overflow (NumPy's `npy_logaddexp`).
    fn np_logaddexp(self, y: Self) -> Self;
    /// `np.arcsinh`/`np.arccosh`/`np.arctanh`: the C library's functions, as NumPy calls
    /// (Rust's own formulas lose ulps near 1 and overflow beyond `sqrt(MAX)`); float32
    /// through float64.
    fn np_asinh(self) -> Self;
    fn np_acosh(self) -> Self;
    fn np_atanh(self) -> Self;
    /// The Array API's `floor_divide` where it differs from NumPy's `npy_divmod`: an
    /// infinite dividend over a finite nonzero divisor is an infinity (NumPy: NaN), a finite
    /// nonzero dividend over an infinity of the other sign is -0 (NumPy: -1). None elsewhere.
    fn spec_floor_div(self, y: Self) -> Option<Self>;
}

/// [`FloatSpec::spec_floor_div`], else Python's float `divmod` quotient: the f64 oracle.
pub fn floor_div_ref(x: f64, y: f64) -> f64 {
    x.spec_floor_div(y).unwrap_or_else(|| crate::reference::py_divmod(x, y).0)
}

macro_rules! float_spec {
    ($($t:ty, $bits:ty);*) => {$(
        impl FloatSpec for $t {
            #[inline(always)]
            fn spec_floor_div(self, y: Self) -> Option<Self> {
                let same_sign = (self > 0.0) == (y > 0.0);
                if self.is_infinite() && y.is_finite() && y != 0.0 {
                    Some(if same_sign { <$t>::INFINITY } else { <$t>::NEG_INFINITY })
                } else if y.is_infinite() && self.is_finite() && self != 0.0 && !same_sign {
                    Some(-0.0)
                } else {
                    None
                }
            }
            #[inline(always)]
            fn np_atanh(self) -> Self {
                crate::simd::libm::atanh(self as f64) as $t
            }
            #[inline(always)]
            fn np_nextafter(self, to: Self) -> Self {
                if self.is_nan() || to.is_nan() {
                    return self + to;
                }
                if self == to {
                    return to;
                }
                if self == 0.0 {
                    // the smallest subnormal, with the sign of the direction
                    return <$t>::from_bits(1).copysign(to);
                }
                let b = self.to_bits();
                let up = (to > self) == (self > 0.0);
                <$t>::from_bits(if up { b + 1 } else { b - 1 as $bits })
            }
            #[inline(always)]
            fn np_asinh(self) -> Self {
                crate::simd::libm::asinh(self as f64) as $t
            }
            #[inline(always)]
            fn np_acosh(self) -> Self {
                crate::simd::libm::acosh(self as f64) as $t
            }
            #[inline(always)]
            fn np_logaddexp(self, y: Self) -> Self {
                if self == y {
                    // infinities of one sign, and equal values: log(2 e^x)
                    return self + core::f64::consts::LN_2 as $t;
                }
                let d = self - y;
                if d > 0.0 {
                    self + (-d).exp().ln_1p()
                } else if d <= 0.0 {
                    y + d.exp().ln_1p()
                } else {
                    d // NaN
                }
            }
        }
    )*};
}

float_spec!(f32, u32; f64, u64);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifts_match_numpy_edges() {
        assert_eq!(1i8.np_lshift(7), i8::MIN);
        assert_eq!(1i8.np_lshift(8), 0);
        assert_eq!(1i8.np_lshift(-1), 0);
        assert_eq!((-5i16).np_rshift(100), -1);
        assert_eq!(5i16.np_rshift(100), 0);
        assert_eq!(200u8.np_rshift(9), 0);
        assert_eq!(lshift_ref(1, 8) as i8, 0);
        assert_eq!(((-1i8).np_reciprocal(), 0i8.np_reciprocal(), 255u8.np_reciprocal()), (-1, 0, 0));
        assert!((-3i64).np_signbit() && !3u8.np_signbit());
    }

    #[test]
    fn nextafter_and_logaddexp() {
        assert_eq!(1.0f64.np_nextafter(2.0), 1.0 + f64::EPSILON);
        assert_eq!(0.0f32.np_nextafter(-1.0), -f32::from_bits(1));
        assert_eq!((-1.0f64).np_nextafter(0.0), -1.0 + f64::EPSILON / 2.0);
        assert!(f64::NAN.np_nextafter(1.0).is_nan());
        assert_eq!(f64::INFINITY.np_logaddexp(f64::INFINITY), f64::INFINITY);
        assert_eq!(f64::NEG_INFINITY.np_logaddexp(0.0), 0.0);
        assert!((0.0f64.np_logaddexp(0.0) - core::f64::consts::LN_2).abs() < 1e-15);
        assert_eq!(f32::MAX.np_asinh(), 89.415985);
        assert_eq!(floor_div_ref(f64::NEG_INFINITY, 2.0), f64::NEG_INFINITY);
        assert_eq!(floor_div_ref(1.0, f64::NEG_INFINITY).to_bits(), (-0.0f64).to_bits());
        assert_eq!(floor_div_ref(-1.0, f64::NEG_INFINITY), 0.0);
        assert_eq!(floor_div_ref(7.0, -2.0), -4.0);
        assert_eq!((-f64::MAX).np_asinh(), -710.4758600739439);
        assert_eq!(f64::MAX.np_acosh(), 710.4758600739439);
        assert!(f64::INFINITY.np_asinh().is_infinite() && 0.5f64.np_acosh().is_nan());
    }
}
