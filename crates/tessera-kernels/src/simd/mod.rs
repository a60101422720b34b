//! Vectorised float32/float64 math kernels (exp, log, sin, pow, ...).
//!
//! # How
//! Each function is a branch-free scalar *core* written so that LLVM vectorises the loop
//! around it: polynomials in `mul_add`, exponent tricks on the bit patterns, selects instead
//! of branches, no table lookups and no calls. The loops are compiled three times by
//! [`multiversion!`](crate::dispatch) (AVX-512, AVX2+FMA, baseline) and the widest one the CPU
//! has runs. We chose this over intrinsics or a SIMD crate because one source gives every
//! width and aarch64 (NEON) for free, and the compiler schedules it well.
//!
//! # Same bits everywhere
//! Every core uses only IEEE operations that are correctly rounded (`+ - * / sqrt`, `mul_add`,
//! which is always fused: a single FMA instruction where the CPU has one, the libm `fma`
//! otherwise) and no approximate instructions, in a fixed order. So AVX-512, AVX2, the
//! baseline path and aarch64 give identical bits for any tile size or thread count; the
//! baseline x86 path is slower (`fma` is a library call there) but equal.
//!
//! # Range
//! A core handles the common range of its arguments and says which elements it cannot
//! (NaN, infinities, zeros and subnormals where they need care, arguments near overflow,
//! huge trigonometric arguments). Those elements, rare in practice, are recomputed with the
//! platform libm (glibc's functions are within 1 ulp and follow C99 Annex F for special
//! values, as NumPy's loops do). float32 functions run a float32 core (`single`: twice the
//! lanes, float32 polynomials, within 1-3 ulp) or, for exp, exp2, expm1, sin, cos, tan, power
//! and hypot, a float64 core on the widened argument, rounded once (`short`: reductions and
//! polynomials as long as a float32 result needs; within 1 ulp).
//!
//! Accuracy is measured in `tests/python/test_simd_accuracy.py` (mpmath reference) and the
//! figures are in `docs/simd-kernels.md`.

mod exp;
mod hyperbolic;
mod intdiv;
mod inverse_trig;
mod log;
mod power;
mod roots;
mod short;
mod single;
mod trig;

use crate::dispatch::multiversion;
use tessera_core::ops::{BinaryOp, UnaryOp};

/// The C library's inverse hyperbolic functions (Rust's `f64::asinh` etc. are its own
/// formulas, which lose accuracy near 1 and overflow near `f64::MAX`; NumPy calls these).
pub(crate) mod libm {
    mod c {
        extern "C" {
            pub fn asinh(x: f64) -> f64;
            pub fn acosh(x: f64) -> f64;
            pub fn atanh(x: f64) -> f64;
            pub fn asinhf(x: f32) -> f32;
            pub fn acoshf(x: f32) -> f32;
            pub fn atanhf(x: f32) -> f32;
        }
    }
    pub fn asinh(x: f64) -> f64 {
        // SAFETY: a pure C99 math function.
        unsafe { c::asinh(x) }
    }
    pub fn acosh(x: f64) -> f64 {
        // SAFETY: as above.
        unsafe { c::acosh(x) }
    }
    pub fn atanh(x: f64) -> f64 {
        // SAFETY: as above.
        unsafe { c::atanh(x) }
    }
    pub fn asinhf(x: f32) -> f32 {
        // SAFETY: as above.
        unsafe { c::asinhf(x) }
    }
    pub fn acoshf(x: f32) -> f32 {
        // SAFETY: as above.
        unsafe { c::acoshf(x) }
    }
    pub fn atanhf(x: f32) -> f32 {
        // SAFETY: as above.
        unsafe { c::atanhf(x) }
    }
}

/// Elements per block: the block's results are computed with the vector core and then any
/// element the core flagged is recomputed with libm.
const BLK: usize = 512;

/// 1.5 * 2^52: adding it rounds a float64 of magnitude < 2^51 to an integer, which then sits
/// in the low bits of the sum's bit pattern.
pub(crate) const SHIFT: f64 = 6755399441055744.0;

/// `if c { a } else { b }` on values both already computed (a vector select).
#[inline(always)]
pub(crate) fn sel<T>(c: bool, a: T, b: T) -> T {
    if c {
        a
    } else {
        b
    }
}

/// `p(x) = c[0] + c[1] x + ...` by Horner's rule with fused multiply-adds.
#[inline(always)]
pub(crate) fn horner(x: f64, c: &[f64]) -> f64 {
    let mut p = c[c.len() - 1];
    for &k in c[..c.len() - 1].iter().rev() {
        p = p.mul_add(x, k);
    }
    p
}

/// `(k, 2^k)` for the integer `k` nearest `x * scale` (|k| < 1023), through [`SHIFT`].
#[inline(always)]
pub(crate) fn round_scaled(x: f64, scale: f64) -> (f64, u64) {
    let kd = x.mul_add(scale, SHIFT);
    (kd - SHIFT, kd.to_bits())
}

/// `2^k` from the bit pattern `SHIFT + k` (for -1022 <= k <= 1023).
#[inline(always)]
pub(crate) fn pow2_from_shifted(bits: u64) -> f64 {
    f64::from_bits(bits.wrapping_add(1023) << 52)
}

/// `x` with its low 32 bits cleared (for splitting into exact high parts).
#[inline(always)]
pub(crate) fn high_word(x: f64) -> f64 {
    f64::from_bits(x.to_bits() & 0xffff_ffff_0000_0000)
}

// ---------------------------------------------------------------------------------------------
// Loop drivers
// ---------------------------------------------------------------------------------------------

/// `out[i] = f(x[i])`: `$core` (a path to an `#[inline(always)]` fn, called directly so
/// that it is inlined and compiled for the caller's instruction set; through a closure LLVM
/// may keep it out of line, compiled for baseline x86-64) gives the value and whether the
/// element needs `$slow` instead. Flagged float32 elements take the float32 libm function
/// (as NumPy's float32 loops do: a signalling NaN stays NaN in `powf(sNaN, 0)`, which
/// widening would make 1).
macro_rules! drive1 {
    ($x:ident, $out:ident, $core:path, $slow:expr) => {{
        let x = &$x[..$out.len()];
        for (xb, ob) in x.chunks(BLK).zip($out.chunks_mut(BLK)) {
            let mut bad = false;
            for (o, &v) in ob.iter_mut().zip(xb) {
                let (r, b) = $core(v);
                *o = r;
                bad |= b;
            }
            if bad {
                for (o, &v) in ob.iter_mut().zip(xb) {
                    if $core(v).1 {
                        *o = $slow(v);
                    }
                }
            }
        }
    }};
}

/// One operand of a binary function: a slice or one value for every element.
#[derive(Clone, Copy)]
pub(crate) enum Src<'a, T> {
    Tile(&'a [T]),
    One(T),
}

/// `out[i] = f(a[i], b[i])` as [`drive1`]; scalar operands are spread over a block-sized
/// buffer once.
macro_rules! drive2 {
    ($a:ident, $b:ident, $out:ident, $t:ty, $core:path, $slow:expr) => {{
        let (mut abuf, mut bbuf) = ([0 as $t; BLK], [0 as $t; BLK]);
        if let Src::One(v) = $a {
            abuf.fill(v);
        }
        if let Src::One(v) = $b {
            bbuf.fill(v);
        }
        for (k, ob) in $out.chunks_mut(BLK).enumerate() {
            let (s, m) = (k * BLK, ob.len());
            let ab = match $a {
                Src::Tile(t) => &t[s..s + m],
                Src::One(_) => &abuf[..m],
            };
            let bb = match $b {
                Src::Tile(t) => &t[s..s + m],
                Src::One(_) => &bbuf[..m],
            };
            let mut bad = false;
            for ((o, &x), &y) in ob.iter_mut().zip(ab).zip(bb) {
                let (r, f) = $core(x, y);
                *o = r;
                bad |= f;
            }
            if bad {
                for ((o, &x), &y) in ob.iter_mut().zip(ab).zip(bb) {
                    if $core(x, y).1 {
                        *o = $slow(x, y);
                    }
                }
            }
        }
    }};
}

/// float32 cores that evaluate a float64 core on the widened arguments and round once: the
/// functions without a [`single`] core (`short`'s cores are made for float32 results).
mod widened {
    use super::{roots, short};
    macro_rules! widen {
        ($($name:ident($($a:ident),+) => $core:path;)*) => {$(
            #[inline(always)]
            pub(crate) fn $name($($a: f32),+) -> (f32, bool) {
                let (r, bad) = $core($($a as f64),+);
                (r as f32, bad)
            }
        )*};
    }
    widen! {
        exp(x) => short::exp;
        exp2(x) => short::exp2;
        expm1(x) => short::expm1;
        sin(x) => short::sin;
        cos(x) => short::cos;
        tan(x) => short::tan;
        pow(x, y) => short::pow;
        hypot(x, y) => roots::hypot;
    }
}

// ---------------------------------------------------------------------------------------------
// Kernels, one multiversioned loop per function and dtype
// ---------------------------------------------------------------------------------------------

// Kernels are looked up by NumPy's name, so that one for a ufunc whose table row has not
// landed yet (arcsinh, arccosh, arctanh, exp2) starts working when the row does.
// `$core32` is the core float32 runs (`short::*` where a shorter one exists).
macro_rules! unary_kernels {
    ($($op:literal => $f64name:ident, $f32name:ident, $core:path, $core32:path, $slow:expr, $slow32:expr;)*) => {
        $(
            multiversion! {
                pub fn $f64name(x: &[f64], out: &mut [f64]) { drive1!(x, out, $core, $slow) }
            }
            multiversion! {
                pub fn $f32name(x: &[f32], out: &mut [f32]) { drive1!(x, out, $core32, $slow32) }
            }
        )*

        /// Runs `op` on float64 if it has a vector kernel; false if not.
        pub(crate) fn unary_f64(op: UnaryOp, x: &[f64], out: &mut [f64]) -> bool {
            match op.name() {
                $($op => $f64name(x, out),)*
                _ => return false,
            }
            true
        }

        /// Runs `op` on float32 if it has a vector kernel; false if not.
        pub(crate) fn unary_f32(op: UnaryOp, x: &[f32], out: &mut [f32]) -> bool {
            match op.name() {
                $($op => $f32name(x, out),)*
                _ => return false,
            }
            true
        }
    };
}

unary_kernels! {
    "exp" => exp_f64, exp_f32, exp::exp, widened::exp, f64::exp, f32::exp;
    "exp2" => exp2_f64, exp2_f32, exp::exp2, widened::exp2, f64::exp2, f32::exp2;
    "expm1" => expm1_f64, expm1_f32, exp::expm1, widened::expm1, f64::exp_m1, f32::exp_m1;
    "log" => log_f64, log_f32, log::log, single::log, f64::ln, f32::ln;
    "log2" => log2_f64, log2_f32, log::log2, single::log2, f64::log2, f32::log2;
    "log10" => log10_f64, log10_f32, log::log10, single::log10, f64::log10, f32::log10;
    "log1p" => log1p_f64, log1p_f32, log::log1p, single::log1p, f64::ln_1p, f32::ln_1p;
    "sin" => sin_f64, sin_f32, trig::sin, widened::sin, f64::sin, f32::sin;
    "cos" => cos_f64, cos_f32, trig::cos, widened::cos, f64::cos, f32::cos;
    "tan" => tan_f64, tan_f32, trig::tan, widened::tan, f64::tan, f32::tan;
    "arcsin" => asin_f64, asin_f32, inverse_trig::asin, single::asin, f64::asin, f32::asin;
    "arccos" => acos_f64, acos_f32, inverse_trig::acos, single::acos, f64::acos, f32::acos;
    "arctan" => atan_f64, atan_f32, inverse_trig::atan, single::atan, f64::atan, f32::atan;
    "sinh" => sinh_f64, sinh_f32, hyperbolic::sinh, single::sinh, f64::sinh, f32::sinh;
    "cosh" => cosh_f64, cosh_f32, hyperbolic::cosh, single::cosh, f64::cosh, f32::cosh;
    "tanh" => tanh_f64, tanh_f32, hyperbolic::tanh, single::tanh, f64::tanh, f32::tanh;
    "arcsinh" => asinh_f64, asinh_f32, hyperbolic::asinh, single::asinh, libm::asinh, libm::asinhf;
    "arccosh" => acosh_f64, acosh_f32, hyperbolic::acosh, single::acosh, libm::acosh, libm::acoshf;
    "arctanh" => atanh_f64, atanh_f32, hyperbolic::atanh, single::atanh, libm::atanh, libm::atanhf;
    "cbrt" => cbrt_f64, cbrt_f32, roots::cbrt, single::cbrt, f64::cbrt, f32::cbrt;
}

macro_rules! binary_kernels {
    ($($op:literal => $f64name:ident, $f32name:ident, $core:path, $core32:path, $slow:expr, $slow32:expr;)*) => {
        $(
            multiversion! {
                pub fn $f64name(a: Src<f64>, b: Src<f64>, out: &mut [f64]) {
                    drive2!(a, b, out, f64, $core, $slow)
                }
            }
            multiversion! {
                pub fn $f32name(a: Src<f32>, b: Src<f32>, out: &mut [f32]) {
                    drive2!(a, b, out, f32, $core32, $slow32)
                }
            }
        )*

        /// Runs `op` on float64 operands if it has a vector kernel; false if not.
        pub(crate) fn binary_f64(op: BinaryOp, a: Src<f64>, b: Src<f64>, out: &mut [f64]) -> bool {
            match op.name() {
                $($op => $f64name(a, b, out),)*
                _ => return false,
            }
            true
        }

        /// Runs `op` on float32 operands if it has a vector kernel; false if not.
        pub(crate) fn binary_f32(op: BinaryOp, a: Src<f32>, b: Src<f32>, out: &mut [f32]) -> bool {
            match op.name() {
                $($op => $f32name(a, b, out),)*
                _ => return false,
            }
            true
        }
    };
}

binary_kernels! {
    "power" => pow_f64, pow_f32, power::pow, widened::pow, f64::powf, f32::powf;
    "arctan2" => atan2_f64, atan2_f32, inverse_trig::atan2, single::atan2, f64::atan2, f32::atan2;
    "hypot" => hypot_f64, hypot_f32, roots::hypot, widened::hypot, f64::hypot, f32::hypot;
}

multiversion! {
    /// `x^2` as `x * x` (correctly rounded, as `pow(x, 2)` is).
    pub fn square_f64(x: &[f64], out: &mut [f64]) {
        for (o, &v) in out.iter_mut().zip(x) {
            *o = v * v;
        }
    }
}

multiversion! {
    pub fn square_f32(x: &[f32], out: &mut [f32]) {
        for (o, &v) in out.iter_mut().zip(x) {
            *o = v * v;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Entry points from `elementwise` (buffers already checked against the op's signature)
// ---------------------------------------------------------------------------------------------

use tessera_core::{BufMut, BufRef, DType, Element, Scalar};

/// Runs `op` on the first `n` elements if a vector kernel exists for it and the dtype.
pub(crate) fn unary(op: UnaryOp, x: BufRef, out: &mut BufMut, n: usize) -> bool {
    match (x.dtype(), out.dtype()) {
        (DType::F64, DType::F64) => unary_f64(op, &f64::slice_ref(x)[..n], &mut f64::slice_of_mut(out)[..n]),
        (DType::F32, DType::F32) => unary_f32(op, &f32::slice_ref(x)[..n], &mut f32::slice_of_mut(out)[..n]),
        _ => false,
    }
}

/// An operand of [`binary`]: a tile or a scalar of the compute dtype.
#[derive(Clone, Copy)]
pub(crate) enum Arg<'a> {
    Tile(BufRef<'a>),
    One(Scalar),
}

fn src<T: Element>(a: Arg, n: usize) -> Src<T> {
    match a {
        Arg::Tile(b) => Src::Tile(&T::slice_ref(b)[..n]),
        Arg::One(s) => Src::One(s.cast::<T>()),
    }
}

/// Runs `op` if a vector kernel exists for it and the dtype.
pub(crate) fn binary(op: BinaryOp, a: Arg, b: Arg, out: &mut BufMut, n: usize) -> bool {
    if let (BinaryOp::FloorDiv | BinaryOp::Mod, Arg::Tile(x), Arg::One(d)) = (op, a, b) {
        if intdiv::by_scalar(op == BinaryOp::Mod, x, d, out, n) {
            return true;
        }
    }
    if let (BinaryOp::FloorDiv | BinaryOp::Mod, Arg::Tile(x), Arg::Tile(y)) = (op, a, b) {
        if intdiv::by_array(op == BinaryOp::Mod, x, y, out, n) {
            return true;
        }
    }
    match out.dtype() {
        DType::F64 if op.signature(DType::F64).is_ok_and(|s| s.compute == DType::F64 && s.out == DType::F64) => {
            let (a, b) = (src::<f64>(a, n), src::<f64>(b, n));
            let out = &mut f64::slice_of_mut(out)[..n];
            if let (BinaryOp::Pow, Src::Tile(x), Src::One(2.0)) = (op, a, b) {
                square_f64(x, out);
                return true;
            }
            binary_f64(op, a, b, out)
        }
        DType::F32 if op.signature(DType::F32).is_ok_and(|s| s.compute == DType::F32 && s.out == DType::F32) => {
            let (a, b) = (src::<f32>(a, n), src::<f32>(b, n));
            let out = &mut f32::slice_of_mut(out)[..n];
            if let (BinaryOp::Pow, Src::Tile(x), Src::One(2.0)) = (op, a, b) {
                square_f32(x, out);
                return true;
            }
            binary_f32(op, a, b, out)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests;
