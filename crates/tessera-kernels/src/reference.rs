//! The test oracle of the elementwise ops: NumPy's result per element, in `i128` (wrapped
//! to the dtype) and `f64` (rounded to it), from the ufunc table's reference expressions
//! (`ref_int:`/`ref_float:`, else the kernel's own expression evaluated in the wide type).
//! Shared by this crate's kernel tests and the property tests of `tessera`; not used when
//! computing.

use tessera_core::ops::{BinaryOp, UnaryOp};
use crate::spec_semantics::{floor_div_ref, lshift_ref, rshift_ref, FloatSpec};
use tessera_core::{DType, Scalar};

/// One element of any dtype: bools, integers (exact, in i128) and floats (in f64; float32
/// values are stored exactly).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum V {
    B(bool),
    I(i128),
    F(f64),
}

impl V {
    pub fn truthy(self) -> bool {
        match self {
            V::B(b) => b,
            V::I(i) => i != 0,
            V::F(f) => f != 0.0,
        }
    }
    pub fn f(self) -> f64 {
        match self {
            V::B(b) => b as u8 as f64,
            V::I(i) => i as f64,
            V::F(f) => f,
        }
    }
    pub fn is_nan(self) -> bool {
        matches!(self, V::F(f) if f.is_nan())
    }
}

pub fn from_scalar(s: Scalar) -> V {
    match s {
        Scalar::Bool(v) => V::B(v),
        Scalar::I8(v) => V::I(v as i128),
        Scalar::I16(v) => V::I(v as i128),
        Scalar::I32(v) => V::I(v as i128),
        Scalar::I64(v) => V::I(v as i128),
        Scalar::U8(v) => V::I(v as i128),
        Scalar::U16(v) => V::I(v as i128),
        Scalar::U32(v) => V::I(v as i128),
        Scalar::U64(v) => V::I(v as i128),
        Scalar::F32(v) => V::F(v as f64),
        Scalar::F64(v) => V::F(v),
        Scalar::F16(v) => V::F(v.to_f64()),
        // The real-valued oracle has no complex values (Python tests check those against NumPy).
        Scalar::C64(_) | Scalar::C128(_) => panic!("the reference oracle is real-valued: {s:?}"),
    }
}

/// `v` reduced modulo 2^bits into the range of the integer dtype `d`.
pub fn wrap(v: i128, d: DType) -> i128 {
    let b = d.size() as u32 * 8;
    let m = v & ((1i128 << b) - 1);
    if d.is_signed_int() && m >= 1i128 << (b - 1) {
        m - (1i128 << b)
    } else {
        m
    }
}

/// Rounds an f64 result to the float dtype `d`.
pub fn round_to(v: f64, d: DType) -> f64 {
    match d {
        DType::F32 => v as f32 as f64,
        DType::F16 => tessera_core::numtypes::f16::from_f64(v).to_f64(),
        _ => v,
    }
}

/// Round half to even, written without `round_ties_even`.
pub fn rint_ref(v: f64) -> f64 {
    let f = v.floor();
    let d = v - f;
    let r = if d < 0.5 || (d == 0.5 && f % 2.0 == 0.0) { f } else { f + 1.0 };
    if r.is_nan() {
        r
    } else {
        r.copysign(v)
    }
}

/// Integer `(floor_divide, remainder)`: the remainder takes the divisor's sign; `x // 0`
/// and `x % 0` are 0.
pub fn int_divmod_ref(x: i128, y: i128) -> (i128, i128) {
    if y == 0 {
        return (0, 0);
    }
    let r = x.rem_euclid(y);
    let r = if y < 0 && r != 0 { r + y } else { r };
    ((x - r) / y, r)
}

/// Integer power modulo 2^128 (which commutes with the final wrap to the dtype); negative
/// exponents give the truncated real result, as tessera documents.
pub fn int_pow_ref(a: i128, e: i128) -> i128 {
    if e < 0 {
        return match a {
            1 => 1,
            -1 => 1 - 2 * (e % 2).abs(),
            _ => 0,
        };
    }
    let (mut acc, mut base, mut e) = (1i128, a, e);
    while e != 0 {
        if e % 2 == 1 {
            acc = acc.wrapping_mul(base);
        }
        base = base.wrapping_mul(base);
        e /= 2;
    }
    acc
}

/// Python's float `divmod` (CPython `float_divmod`), in f64.
pub fn py_divmod(a: f64, b: f64) -> (f64, f64) {
    if b == 0.0 {
        return (a / b, f64::NAN);
    }
    let m = a % b;
    let (m, q) = if m == 0.0 {
        (0f64.copysign(b), (a - m) / b)
    } else if (m < 0.0) != (b < 0.0) {
        (m + b, (a - m) / b - 1.0)
    } else {
        (m, (a - m) / b)
    };
    let q = if q == 0.0 {
        0f64.copysign(a / b)
    } else {
        let f = q.floor();
        if q - f > 0.5 {
            f + 1.0
        } else {
            f
        }
    };
    (q, m)
}

/// Position of a float64 on the number line, in ulps (±0 both map to 0): the distance in
/// ulps between two floats is the difference of their keys.
/// `nextafter` over float16 (operands rounded to float16): one step along the ordered
/// float16 bit patterns; landing on zero keeps the sign of the start (IEEE nextUp(-min) = -0).
pub fn nextafter_f16_ref(x: f64, y: f64) -> f64 {
    use tessera_core::numtypes::f16;
    let (hx, hy) = (f16::from_f64(x), f16::from_f64(y));
    let (x, y) = (hx.to_f64(), hy.to_f64());
    if x.is_nan() || y.is_nan() {
        return f64::NAN;
    }
    if x == y {
        return y;
    }
    let ord = |h: f16| if h.0 & 0x8000 != 0 { -((h.0 & 0x7fff) as i32) } else { h.0 as i32 };
    let o = if x == 0.0 { if y > 0.0 { 1 } else { -1 } } else if ord(hx) < ord(hy) { ord(hx) + 1 } else { ord(hx) - 1 };
    f16(if o < 0 { 0x8000 | (-o) as u16 } else if o == 0 { hx.0 & 0x8000 } else { o as u16 }).to_f64()
}

pub fn ulp_key64(x: f64) -> i128 {
    let b = x.to_bits() as i64;
    if b < 0 {
        -((b & i64::MAX) as i128)
    } else {
        b as i128
    }
}

/// [`ulp_key64`] for float32.
pub fn ulp_key32(x: f32) -> i64 {
    let b = x.to_bits() as i32;
    if b < 0 {
        -((b & i32::MAX) as i64)
    } else {
        b as i64
    }
}

#[inline(always)]
fn f1<T, U>(f: impl Fn(T) -> U) -> impl Fn(T) -> U {
    f
}

#[inline(always)]
fn f2<T, U>(f: impl Fn(T, T) -> U) -> impl Fn(T, T) -> U {
    f
}

/// The wide argument type of a family.
macro_rules! wide {
    (bool) => { bool };
    (int) => { i128 };
    (float) => { f64 };
}

/// A family's result as a `V` of compute dtype `$cd`.
macro_rules! result {
    ($fam:ident, Predicate, $cd:ident, $r:expr) => { V::B($r) };
    ($fam:ident, Compare, $cd:ident, $r:expr) => { V::B($r) };
    (bool, $c:ident, $cd:ident, $r:expr) => { V::B($r) };
    (int, $c:ident, $cd:ident, $r:expr) => { V::I(wrap($r, $cd)) };
    (float, $c:ident, $cd:ident, $r:expr) => { V::F(round_to($r, $cd)) };
}

/// The reference expression (first bracket) or else the kernel's (second), applied.
macro_rules! apply {
    ($f:ident, $fam:ident, $c:ident, $cd:ident, ($($v:ident),*), [$k:expr] $kernel:tt) => {
        result!($fam, $c, $cd, $f::<wide!($fam), _>($k)($($v),*))
    };
    ($f:ident, $fam:ident, $c:ident, $cd:ident, ($($v:ident),*), [] [$k:expr]) => {
        result!($fam, $c, $cd, $f::<wide!($fam), _>($k)($($v),*))
    };
    ($f:ident, $fam:ident, $c:ident, $cd:ident, ($($v:ident),*), [] []) => {{
        let _ = ($($v),*);
        panic!("the op has no {} loop", stringify!($fam))
    }};
}

/// Allowed distance in ulps of float32 results from the float64 reference.
macro_rules! ulps {
    ($c:ident [$u:literal]) => { $u };
    (FloatFn []) => { 4 };
    ($c:ident []) => { 0 };
}

macro_rules! oracle {
    ([]
        UnaryOp { $($uv:ident $um:ident $un:literal { $ua:tt $uc:ident $ub:tt $ubas:tt $ui:tt $uf:tt $uri:tt $urf:tt $unb:tt $uu:tt $ucx:tt })* }
        BinaryOp { $($bv:ident $bm:ident $bn:literal { $ba:tt $bc:ident $bb:tt $bbas:tt $bi:tt $bf:tt $bri:tt $brf:tt $bnb:tt $bu:tt $bcx:tt })* }
    ) => {
        /// `op(x)` for `x` of the op's compute dtype `c`, as a value of its output dtype.
        pub fn unary_value(op: UnaryOp, x: V, c: DType) -> V {
            match (op, x) {
                $(
                    (UnaryOp::$uv, V::B(v)) => apply!(f1, bool, $uc, c, (v), [] $ub),
                    (UnaryOp::$uv, V::I(v)) => apply!(f1, int, $uc, c, (v), $uri $ui),
                    (UnaryOp::$uv, V::F(v)) => apply!(f1, float, $uc, c, (v), $urf $uf),
                )*
            }
        }

        /// `op(a, b)` for operands of the op's compute dtype `c`.
        pub fn binary_value(op: BinaryOp, a: V, b: V, c: DType) -> V {
            match (op, a, b) {
                // A step to the next float depends on the float type: float32 steps in float32.
                (BinaryOp::Nextafter, V::F(x), V::F(y)) if c == DType::F16 => V::F(nextafter_f16_ref(x, y)),
                (BinaryOp::Nextafter, V::F(x), V::F(y)) if c == DType::F32 => {
                    V::F((x as f32).np_nextafter(y as f32) as f64)
                }
                $(
                    (BinaryOp::$bv, V::B(x), V::B(y)) => apply!(f2, bool, $bc, c, (x, y), [] $bb),
                    (BinaryOp::$bv, V::I(x), V::I(y)) => apply!(f2, int, $bc, c, (x, y), $bri $bi),
                    (BinaryOp::$bv, V::F(x), V::F(y)) => apply!(f2, float, $bc, c, (x, y), $brf $bf),
                )*
                _ => panic!("{}: operands of different kinds: {a:?} {b:?}", op.name()),
            }
        }

        pub fn f32_ulps_unary(op: UnaryOp) -> u64 {
            match op {
                $(UnaryOp::$uv => ulps!($uc $uu),)*
            }
        }

        pub fn f32_ulps_binary(op: BinaryOp) -> u64 {
            match op {
                $(BinaryOp::$bv => ulps!($bc $bu),)*
            }
        }
    };
}

tessera_core::ufunc_table!(oracle);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers_like_numpy() {
        assert_eq!(int_divmod_ref(-7, 2), (-4, 1));
        assert_eq!(int_divmod_ref(7, -2), (-4, -1));
        assert_eq!(int_pow_ref(-1, -3), -1);
        assert_eq!(int_pow_ref(-1, -4), 1);
        assert_eq!(rint_ref(2.5), 2.0);
        assert_eq!(rint_ref(-0.5).to_bits(), (-0.0f64).to_bits());
        assert_eq!(py_divmod(7.5, -2.0), (-4.0, -0.5));
        assert_eq!(wrap(128, DType::I8), -128);
        assert_eq!(unary_value(UnaryOp::Abs, V::I(-128), DType::I8), V::I(-128));
        assert_eq!(binary_value(BinaryOp::FloorDiv, V::I(i64::MIN as i128), V::I(-1), DType::I64), V::I(i64::MIN as i128));
    }
}
