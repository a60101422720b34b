//! Elementwise tile kernels: the unary and binary ufuncs of [`tessera_core::ops`], `astype`
//! casts and `where`, over contiguous tiles of a few thousand elements.
//!
//! # Contract
//! The executor casts operands to the op's `compute` dtype before calling a kernel; a kernel
//! maps the first `n` elements of its inputs into the first `n` elements of `out`, whose dtype
//! is the op's `out` dtype (and whose length may exceed `n`; the rest is left untouched).
//! A dtype that does not match the op's [`signature`](UnaryOp::signature), or a buffer shorter
//! than `n`, is a bug in the caller: the kernel panics with a message naming the op and dtypes.
//! There is no `unsafe` code here. float32/float64 math functions and integer division by a
//! scalar go to the vector kernels of the `simd` module first (`docs/simd-kernels.md`).
//!
//! # Performance
//! Each entry point matches on the dtype and then on the op once, and runs one tight loop over
//! slices (`map1`, `map2`) with the per-element function inlined, which LLVM vectorises
//! where the operation allows it (everything except integer division and float libm calls).
//!
//! # Semantics
//! NumPy 2.x ufunc semantics for every dtype the signatures allow:
//! - integers wrap on overflow (`add`, `subtract`, `multiply`, `negative`, `absolute`, `square`,
//!   `power`); `abs(int8(-128)) == -128`;
//! - integer `floor_divide`/`remainder` round towards negative infinity (the remainder takes the
//!   divisor's sign); division by zero gives 0; `MIN // -1` wraps to `MIN`;
//! - float `floor_divide`/`remainder` follow NumPy's `npy_divmod` (Python's `divmod`):
//!   `7.5 % -2 == -0.5`, `1.0 // 0.1 == 9.0`, `x % 0.0` is NaN, `x // 0.0` is `x / 0.0`;
//! - `minimum`/`maximum` propagate NaN; on bool they are `and`/`or`; bool `add`/`multiply` are
//!   `or`/`and`;
//! - `sign(nan)` is NaN and `sign(±0.0)` is `+0.0`; `rint` rounds half to even;
//! - `isnan`/`isfinite`/`isinf` of integers and bools are false/true/false;
//! - `invert` is bitwise not on integers and logical not on bool.
//!
//! # Where we differ from NumPy
//! - Integer `power` with a negative exponent: NumPy raises `ValueError` ("Integers to negative
//!   integer powers are not allowed"); a kernel cannot raise, so we return the truncated real
//!   result: 1 for base 1, ±1 for base -1 (by the exponent's parity) and 0 otherwise.
//! - NumPy reports divide-by-zero/overflow/invalid through `np.errstate` warnings; we produce
//!   the same values silently.
//! - Float to integer casts: C leaves NaN, ±inf and out-of-range values undefined; we give
//!   what NumPy's casts give on x86-64 (`NpFromFloat`: `300.0 -> 44u8`, `-1.0 -> 255u8`,
//!   NaN -> `i32::MIN`), except where NumPy's SIMD loop to uint32 depends on the position.
//! - `minimum`/`maximum` of `0.0` and `-0.0` return the first operand, like NumPy's scalar
//!   loop (NumPy's SIMD loops may return either).
//! - float math functions use tessera's vector kernels (within 0.75 ulp for float32, 2 ulps for
//!   float64, `docs/simd-kernels.md`); NumPy uses its own SIMD loops or libm, so results can
//!   differ from NumPy's in the last ulp or so.

use tessera_core::numtypes::{c128, c64, f16};
use tessera_core::ops::{BinaryOp, UnaryOp};
use crate::spec_semantics::{FloatSpec, IntSpec, ShiftSemantics};
use tessera_core::{BufMut, BufRef, DType, Element, Scalar};

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/// `out[..n] = op(x[..n])`. `x.dtype()` must be `op.signature(x.dtype()).compute` and
/// `out.dtype()` that signature's `out`.
pub fn unary<'a, 'b>(op: UnaryOp, x: impl Into<BufRef<'a>>, out: impl Into<BufMut<'b>>, n: usize) {
    let (x, out) = (x.into(), &mut out.into());
    let dt = x.dtype();
    let sig =
        op.signature(dt).unwrap_or_else(|e| panic!("elementwise {}: not defined for a {dt} operand ({e})", op.name()));
    assert!(
        sig.compute == dt,
        "elementwise {}: operand is {dt} but the op computes in {} (the caller must cast first)",
        op.name(),
        sig.compute
    );
    check_out(op.name(), sig.out, out, n);
    check_len(op.name(), "operand", x, n);
    through_f32(out.dtype(), out, n, |out| {
        if !crate::simd::unary(op, x, out, n) {
            unary_loops(op, x, out, n)
        }
    })
}

// The generic loops are compiled for AVX-512, AVX2 and the baseline too (wider vectors, and
// `floor`/`ceil`/`trunc`/`rint` become one instruction instead of a libm call).
crate::dispatch::multiversion! {
    fn unary_loops(op: UnaryOp, x: BufRef, out: &mut BufMut, n: usize) {
        tessera_core::with_dtype!(x.dtype(), T => T::unary(op, &T::slice_ref(x)[..n], out, n))
    }
}

crate::dispatch::multiversion! {
    fn binary_loops(op: BinaryOp, a: Arg, b: Arg, out: &mut BufMut, n: usize) {
        tessera_core::with_dtype!(a.dtype(), T => match (a, b) {
            (Arg::Tile(a), Arg::Tile(b)) => T::binary(op, &T::slice_ref(a)[..n], &T::slice_ref(b)[..n], out, n),
            (Arg::Tile(a), Arg::One(b)) => T::binary(op, &T::slice_ref(a)[..n], Splat(b.cast::<T>()), out, n),
            (Arg::One(a), Arg::Tile(b)) => T::binary(op, Splat(a.cast::<T>()), &T::slice_ref(b)[..n], out, n),
            (Arg::One(_), Arg::One(_)) => unreachable!("no public entry point takes two scalars"),
        })
    }
}

crate::dispatch::multiversion! {
    fn cast_loops(x: BufRef, out: &mut BufMut, n: usize) {
        tessera_core::with_dtype!(x.dtype(), S => {
            let x = &S::slice_ref(x)[..n];
            tessera_core::with_dtype!(out.dtype(), D => map1(x, out_as::<D>(out, n), <S as Astype<D>>::astype))
        })
    }
}

crate::dispatch::multiversion! {
    fn select_loops(cond: BufRef, a: BufRef, b: BufRef, out: &mut BufMut, n: usize) {
        let c = &bool::slice_ref(cond)[..n];
        tessera_core::with_dtype!(a.dtype(), T => {
            let (a, b) = (&T::slice_ref(a)[..n], &T::slice_ref(b)[..n]);
            for (((o, &c), &a), &b) in out_as::<T>(out, n).iter_mut().zip(c).zip(a).zip(b) {
                *o = if c { a } else { b };
            }
        })
    }
}

/// Runs `kernel` into `out`, or, for a float16 `out` (float16 ops compute in float32, see
/// `ops::Signature`), into a float32 tile rounded into `out`.
#[inline(always)]
fn through_f32(want: DType, out: &mut BufMut, n: usize, kernel: impl FnOnce(&mut BufMut)) {
    if want == DType::F16 {
        let mut tmp = tessera_core::Buffer::zeros(DType::F32, n);
        kernel(&mut BufMut::from(&mut tmp));
        cast_loops(BufRef::from(&tmp), out, n);
    } else {
        kernel(out)
    }
}

/// `out[..n] = op(a[..n], b[..n])`. `a` and `b` both have the dtype `compute` of
/// `op.signature(a.dtype())`, and `out` that signature's `out`.
pub fn binary<'a, 'b>(op: BinaryOp, a: impl Into<BufRef<'a>>, b: impl Into<BufRef<'a>>, out: impl Into<BufMut<'b>>, n: usize) {
    binary_impl(op, Arg::Tile(a.into()), Arg::Tile(b.into()), &mut out.into(), n)
}

/// Same as [`binary`] with the right operand one value (of the compute dtype) for every element.
pub fn binary_scalar_rhs<'a, 'b>(op: BinaryOp, a: impl Into<BufRef<'a>>, b: Scalar, out: impl Into<BufMut<'b>>, n: usize) {
    binary_impl(op, Arg::Tile(a.into()), Arg::One(b), &mut out.into(), n)
}

/// Same as [`binary`] with the left operand one value (of the compute dtype) for every element.
pub fn binary_scalar_lhs<'a, 'b>(op: BinaryOp, a: Scalar, b: impl Into<BufRef<'a>>, out: impl Into<BufMut<'b>>, n: usize) {
    binary_impl(op, Arg::One(a), Arg::Tile(b.into()), &mut out.into(), n)
}

/// `out[..n] = x[..n]` cast to `out.dtype()` with NumPy `astype` semantics: Rust `as` casts
/// (wrapping between integers), float to integer as NumPy's C casts on x86-64 (`NpFromFloat`), `!= 0` to bool,
/// 0/1 from bool. Agrees with [`Scalar::cast`].
pub fn cast<'a, 'b>(x: impl Into<BufRef<'a>>, out: impl Into<BufMut<'b>>, n: usize) {
    let (x, out) = (x.into(), &mut out.into());
    check_len("astype", "operand", x, n);
    check_len("astype", "output", out.len(), n);
    cast_loops(x, out, n)
}

/// `out[i] = if cond[i] { a[i] } else { b[i] }` for `i < n`; `cond` is bool and `a`, `b`, `out`
/// share one dtype.
pub fn select<'a, 'b>(
    cond: impl Into<BufRef<'a>>,
    a: impl Into<BufRef<'a>>,
    b: impl Into<BufRef<'a>>,
    out: impl Into<BufMut<'b>>,
    n: usize,
) {
    let (cond, a, b, out) = (cond.into(), a.into(), b.into(), &mut out.into());
    assert!(cond.dtype() == DType::Bool, "elementwise where: the condition is {}, expected bool", cond.dtype());
    let dt = a.dtype();
    assert!(
        b.dtype() == dt && out.dtype() == dt,
        "elementwise where: operands are {dt} and {} and the output {}; they must share one dtype",
        b.dtype(),
        out.dtype()
    );
    for (what, buf) in [("condition", cond), ("operand", a), ("operand", b)] {
        check_len("where", what, buf, n);
    }
    check_len("where", "output", out.len(), n);
    select_loops(cond, a, b, out, n)
}

// ---------------------------------------------------------------------------------------------
// Checks and dispatch
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy)]
enum Arg<'a> {
    Tile(BufRef<'a>),
    One(Scalar),
}

impl Arg<'_> {
    fn dtype(self) -> DType {
        match self {
            Arg::Tile(b) => b.dtype(),
            Arg::One(s) => s.dtype(),
        }
    }
}

fn binary_impl(op: BinaryOp, a: Arg, b: Arg, out: &mut BufMut, n: usize) {
    let dt = a.dtype();
    assert!(
        b.dtype() == dt,
        "elementwise {}: operands are {dt} and {}; the caller must cast both to the compute dtype",
        op.name(),
        b.dtype()
    );
    let sig =
        op.signature(dt).unwrap_or_else(|e| panic!("elementwise {}: not defined for {dt} operands ({e})", op.name()));
    assert!(
        sig.compute == dt,
        "elementwise {}: operands are {dt} but the op computes in {} (the caller must cast first)",
        op.name(),
        sig.compute
    );
    check_out(op.name(), sig.out, out, n);
    for arg in [a, b] {
        if let Arg::Tile(buf) = arg {
            check_len(op.name(), "operand", buf, n);
        }
    }
    fn simd_arg(a: Arg) -> crate::simd::Arg {
        match a {
            Arg::Tile(t) => crate::simd::Arg::Tile(t),
            Arg::One(s) => crate::simd::Arg::One(s),
        }
    }
    if op == BinaryOp::Nextafter && out.dtype() == DType::F16 {
        // float16 steps in float16 (float32's neighbour would round back to `a`).
        let val = |x: Arg, i: usize| match x {
            Arg::Tile(t) => f32::slice_ref(t)[i],
            Arg::One(s) => s.cast::<f32>(),
        };
        for (i, o) in out_as::<f16>(out, n).iter_mut().enumerate() {
            *o = nextafter_f16(val(a, i), val(b, i));
        }
        return;
    }
    through_f32(out.dtype(), out, n, |out| {
        if !crate::simd::binary(op, simd_arg(a), simd_arg(b), out, n) {
            binary_loops(op, a, b, out, n)
        }
    })
}

/// C's `nextafter` over float16 values (given as float32; the callers' are exact float16
/// values, others are rounded to float16 first).
fn nextafter_f16(x: f32, y: f32) -> f16 {
    let (x, y) = (f16::from_f32(x).to_f32(), f16::from_f32(y).to_f32());
    if x.is_nan() || y.is_nan() {
        return f16::from_f32(f32::NAN);
    }
    if x == y {
        return f16::from_f32(y);
    }
    if x == 0.0 {
        return f16(if y < 0.0 { 0x8001 } else { 0x0001 });
    }
    let bits = f16::from_f32(x).0;
    f16(if (x < y) == (x > 0.0) { bits + 1 } else { bits - 1 })
}

fn check_out(op: &str, want: DType, out: &BufMut, n: usize) {
    // float16 ops compute in float32 and write float16 (see `through_f32`).
    let half = want == DType::F32 && out.dtype() == DType::F16;
    assert!(out.dtype() == want || half, "elementwise {op}: the output buffer is {} but the op produces {want}", out.dtype());
    check_len(op, "output", out.len(), n);
}

/// `buf`: a `BufRef` or an output's length.
fn check_len(op: &str, what: &str, buf: impl Len, n: usize) {
    let len = buf.len();
    assert!(len >= n, "elementwise {op}: the {what} buffer holds {len} elements, fewer than n = {n}");
}

trait Len {
    fn len(&self) -> usize;
}

impl Len for BufRef<'_> {
    fn len(&self) -> usize {
        BufRef::len(self)
    }
}

impl Len for usize {
    fn len(&self) -> usize {
        *self
    }
}

#[cold]
#[inline(never)]
fn unsupported(op: &str, dtype: DType) -> ! {
    panic!("elementwise {op}: no kernel for {dtype} operands (not allowed by the op's signature)")
}

/// The first `n` elements of `out` as a `U` slice.
#[inline(always)]
fn out_as<'s, U: Element>(out: &'s mut BufMut<'_>, n: usize) -> &'s mut [U] {
    &mut U::slice_of_mut(out)[..n]
}

// ---------------------------------------------------------------------------------------------
// Loop drivers
// ---------------------------------------------------------------------------------------------

/// One operand of a binary loop: a slice (one value per element) or one value for all.
trait Operand<T: Copy>: Copy {
    /// The operand restricted to `n` elements (so that indexing below `n` needs no check).
    fn prefix(self, n: usize) -> Self;
    fn at(self, i: usize) -> T;
}

impl<T: Copy> Operand<T> for &[T] {
    #[inline(always)]
    fn prefix(self, n: usize) -> Self {
        &self[..n]
    }
    #[inline(always)]
    fn at(self, i: usize) -> T {
        self[i]
    }
}

/// A scalar operand broadcast over the tile.
#[derive(Clone, Copy)]
struct Splat<T>(T);

impl<T: Copy> Operand<T> for Splat<T> {
    #[inline(always)]
    fn prefix(self, _n: usize) -> Self {
        self
    }
    #[inline(always)]
    fn at(self, _i: usize) -> T {
        self.0
    }
}

/// `out[i] = f(x[i])` over `out.len()` elements.
#[inline(always)]
fn map1<T: Copy, U>(x: &[T], out: &mut [U], f: impl Fn(T) -> U) {
    let x = &x[..out.len()];
    for (o, &v) in out.iter_mut().zip(x) {
        *o = f(v);
    }
}

/// `out[i] = f(a[i], b[i])` over `out.len()` elements.
#[inline(always)]
fn map2<T: Copy, U, A: Operand<T>, B: Operand<T>>(a: A, b: B, out: &mut [U], f: impl Fn(T, T) -> U) {
    let n = out.len();
    let (a, b) = (a.prefix(n), b.prefix(n));
    for (i, o) in out.iter_mut().enumerate() {
        *o = f(a.at(i), b.at(i));
    }
}

// ---------------------------------------------------------------------------------------------
// Per-element semantics that differ between signed, unsigned and float types
// ---------------------------------------------------------------------------------------------

/// Integer operations whose NumPy semantics depend on signedness.
trait IntSemantics: Copy {
    /// `np.absolute`, wrapping (`abs(MIN) == MIN`).
    fn np_abs(self) -> Self;
    /// `np.sign`: -1, 0 or 1.
    fn np_sign(self) -> Self;
    /// `np.floor_divide`: rounds towards negative infinity; `x // 0 == 0`; `MIN // -1 == MIN`.
    fn floor_div(self, rhs: Self) -> Self;
    /// `np.remainder`: the sign of the divisor; `x % 0 == 0`.
    fn floor_mod(self, rhs: Self) -> Self;
    /// `np.power`, wrapping; negative exponents give the truncated result (see module docs).
    fn int_pow(self, exp: Self) -> Self;
}

/// `base ** exp` modulo 2^bits by square-and-multiply.
macro_rules! wrapping_pow_u64 {
    ($base:expr, $exp:expr, $t:ty) => {{
        let (mut base, mut exp, mut acc): ($t, u64, $t) = ($base, $exp, 1);
        while exp > 0 {
            if exp & 1 == 1 {
                acc = acc.wrapping_mul(base);
            }
            base = base.wrapping_mul(base);
            exp >>= 1;
        }
        acc
    }};
}

macro_rules! signed_semantics {
    ($($t:ty),*) => {$(
        impl IntSemantics for $t {
            #[inline(always)]
            fn np_abs(self) -> Self {
                self.wrapping_abs()
            }
            #[inline(always)]
            fn np_sign(self) -> Self {
                self.signum()
            }
            #[inline(always)]
            fn floor_div(self, rhs: Self) -> Self {
                if rhs == 0 {
                    return 0;
                }
                // Truncating division, stepped down when the exact quotient is negative and
                // not an integer. `wrapping_*` makes MIN / -1 give MIN (remainder 0).
                let q = self.wrapping_div(rhs);
                if self.wrapping_rem(rhs) != 0 && ((self < 0) != (rhs < 0)) {
                    q.wrapping_sub(1)
                } else {
                    q
                }
            }
            #[inline(always)]
            fn floor_mod(self, rhs: Self) -> Self {
                if rhs == 0 {
                    return 0;
                }
                let r = self.wrapping_rem(rhs);
                if r != 0 && ((r < 0) != (rhs < 0)) {
                    r + rhs
                } else {
                    r
                }
            }
            #[inline(always)]
            fn int_pow(self, exp: Self) -> Self {
                if exp < 0 {
                    return match self {
                        1 => 1,
                        -1 => if exp & 1 == 0 { 1 } else { -1 },
                        _ => 0,
                    };
                }
                wrapping_pow_u64!(self, exp as u64, $t)
            }
        }
    )*};
}

macro_rules! unsigned_semantics {
    ($($t:ty),*) => {$(
        impl IntSemantics for $t {
            #[inline(always)]
            fn np_abs(self) -> Self {
                self
            }
            #[inline(always)]
            fn np_sign(self) -> Self {
                (self != 0) as $t
            }
            #[inline(always)]
            fn floor_div(self, rhs: Self) -> Self {
                self.checked_div(rhs).unwrap_or(0)
            }
            #[inline(always)]
            fn floor_mod(self, rhs: Self) -> Self {
                self.checked_rem(rhs).unwrap_or(0)
            }
            #[inline(always)]
            fn int_pow(self, exp: Self) -> Self {
                wrapping_pow_u64!(self, exp as u64, $t)
            }
        }
    )*};
}

signed_semantics!(i8, i16, i32, i64);
unsigned_semantics!(u8, u16, u32, u64);

/// Float operations that need more than one machine operation.
trait FloatSemantics: Copy {
    /// `np.sign`: NaN stays NaN, ±0 gives +0.
    fn np_sign(self) -> Self;
    /// `(np.floor_divide, np.remainder)` as NumPy's `npy_divmod` computes them.
    fn divmod(self, rhs: Self) -> (Self, Self);
    /// `np.minimum` / `np.maximum`: NaN if either operand is NaN, else the first on ties.
    fn np_min(self, rhs: Self) -> Self;
    fn np_max(self, rhs: Self) -> Self;
}

macro_rules! float_semantics {
    ($($t:ty),*) => {$(
        impl FloatSemantics for $t {
            #[inline(always)]
            fn np_sign(self) -> Self {
                if self > 0.0 {
                    1.0
                } else if self < 0.0 {
                    -1.0
                } else if self == 0.0 {
                    0.0
                } else {
                    self
                }
            }
            /// A port of `npy_divmod` (numpy/_core/src/npymath/npy_math_internal.h.src).
            #[inline(always)]
            fn divmod(self, b: Self) -> (Self, Self) {
                let a = self;
                let mut rem = a % b; // C fmod: the sign of `a`, exact
                if b == 0.0 {
                    return (a / b, rem);
                }
                // a - rem is very nearly an integer multiple of b.
                let mut div = (a - rem) / b;
                if rem != 0.0 {
                    // Python's convention: the remainder takes the divisor's sign.
                    if (b < 0.0) != (rem < 0.0) {
                        rem += b;
                        div -= 1.0;
                    }
                } else {
                    rem = (0.0 as $t).copysign(b);
                }
                let floordiv = if div != 0.0 {
                    // Snap the quotient to the nearest integer.
                    let f = div.floor();
                    if div - f > 0.5 { f + 1.0 } else { f }
                } else {
                    (0.0 as $t).copysign(a / b)
                };
                (floordiv, rem)
            }
            #[inline(always)]
            fn np_min(self, rhs: Self) -> Self {
                if self <= rhs || self.is_nan() { self } else { rhs }
            }
            #[inline(always)]
            fn np_max(self, rhs: Self) -> Self {
                if self >= rhs || self.is_nan() { self } else { rhs }
            }
        }
    )*};
}

float_semantics!(f32, f64);

// ---------------------------------------------------------------------------------------------
// Kernels by element type
// ---------------------------------------------------------------------------------------------

/// The kernels of one compute type. Each matches on the op once and runs one tight loop;
/// `x`/`a`/`b` hold exactly `n` elements and `out` has been checked against the signature.
trait Kernels: Element {
    fn unary(op: UnaryOp, x: &[Self], out: &mut BufMut, n: usize);
    fn binary<A: Operand<Self>, B: Operand<Self>>(op: BinaryOp, a: A, b: B, out: &mut BufMut, n: usize);
}

/// A closure with its argument types fixed (so that method calls on them resolve).
#[inline(always)]
fn f1<T, U>(f: impl Fn(T) -> U) -> impl Fn(T) -> U {
    f
}

#[inline(always)]
fn f2<T, U>(f: impl Fn(T, T) -> U) -> impl Fn(T, T) -> U {
    f
}

/// The type of a value's real parts: itself, or a complex type's part.
trait RealOf {
    type Real: Element;
}

macro_rules! real_of {
    ($($t:ty => $r:ty),*) => {$(impl RealOf for $t { type Real = $r; })*};
}
real_of!(bool => bool, i8 => i8, i16 => i16, i32 => i32, i64 => i64, u8 => u8, u16 => u16, u32 => u32, u64 => u64);
real_of!(f32 => f32, f64 => f64, c64 => f32, c128 => f64);

/// The element type a class's kernels write for compute type `$t`.
macro_rules! out_type {
    (Predicate, $t:ty) => { bool };
    (Compare, $t:ty) => { bool };
    (ToReal, $t:ty) => { <$t as RealOf>::Real };
    ($class:ident, $t:ty) => { $t };
}

/// Calls `$run!` with the kernel of family `$fam` from a row's `[bool] [int] [float]`
/// brackets, in brackets (empty for a family without one).
macro_rules! pick {
    (bool $b:tt $i:tt $f:tt $c:tt => $run:ident!($($args:tt)*)) => { $run!($($args)* $b) };
    (int $b:tt $i:tt $f:tt $c:tt => $run:ident!($($args:tt)*)) => { $run!($($args)* $i) };
    (float $b:tt $i:tt $f:tt $c:tt => $run:ident!($($args:tt)*)) => { $run!($($args)* $f) };
    (complex $b:tt $i:tt $f:tt $c:tt => $run:ident!($($args:tt)*)) => { $run!($($args)* $c) };
}

macro_rules! unary_loop {
    ($op:expr, $c:ident, $t:ty, $x:ident, $out:ident, $n:ident, [$k:expr]) => {
        map1($x, out_as::<out_type!($c, $t)>($out, $n), f1::<$t, out_type!($c, $t)>($k))
    };
    ($op:expr, $c:ident, $t:ty, $x:ident, $out:ident, $n:ident, []) => {
        unsupported($op.name(), <$t>::DTYPE)
    };
}

macro_rules! binary_loop {
    ($op:expr, $c:ident, $t:ty, $a:ident, $b:ident, $out:ident, $n:ident, [$k:expr]) => {
        map2($a, $b, out_as::<out_type!($c, $t)>($out, $n), f2::<$t, out_type!($c, $t)>($k))
    };
    ($op:expr, $c:ident, $t:ty, $a:ident, $b:ident, $out:ident, $n:ident, []) => {
        unsupported($op.name(), <$t>::DTYPE)
    };
}

/// `impl Kernels` for `$t` of family `$fam` (`bool`, `int` or `float`), one arm per row of
/// the ufunc table.
macro_rules! kernels {
    ([$fam:ident $t:ty]
        UnaryOp { $($uv:ident $um:ident $un:literal { $ua:tt $uc:ident $ub:tt $ubas:tt $ui:tt $uf:tt $uri:tt $urf:tt $unb:tt $uu:tt $ucx:tt })* }
        BinaryOp { $($bv:ident $bm:ident $bn:literal { $ba:tt $bc:ident $bb:tt $bbas:tt $bi:tt $bf:tt $bri:tt $brf:tt $bnb:tt $bu:tt $bcx:tt })* }
    ) => {
        impl Kernels for $t {
            #[inline(always)]
            fn unary(op: UnaryOp, x: &[$t], out: &mut BufMut, n: usize) {
                match op {
                    $(UnaryOp::$uv => pick!($fam $ub $ui $uf $ucx => unary_loop!(op, $uc, $t, x, out, n,)),)*
                }
            }

            #[inline(always)]
            fn binary<A: Operand<$t>, B: Operand<$t>>(op: BinaryOp, a: A, b: B, out: &mut BufMut, n: usize) {
                match op {
                    $(BinaryOp::$bv => pick!($fam $bb $bi $bf $bcx => binary_loop!(op, $bc, $t, a, b, out, n,)),)*
                }
            }
        }
    };
}

tessera_core::ufunc_table!(kernels, bool, bool);
tessera_core::ufunc_table!(kernels, int, i8);
tessera_core::ufunc_table!(kernels, int, i16);
tessera_core::ufunc_table!(kernels, int, i32);
tessera_core::ufunc_table!(kernels, int, i64);
tessera_core::ufunc_table!(kernels, int, u8);
tessera_core::ufunc_table!(kernels, int, u16);
tessera_core::ufunc_table!(kernels, int, u32);
tessera_core::ufunc_table!(kernels, int, u64);
tessera_core::ufunc_table!(kernels, float, f32);
tessera_core::ufunc_table!(kernels, float, f64);
tessera_core::ufunc_table!(kernels, complex, c64);
tessera_core::ufunc_table!(kernels, complex, c128);

/// float16 has no kernels: its ufuncs compute in float32 (see `through_f32`).
impl Kernels for f16 {
    fn unary(op: UnaryOp, _: &[f16], _: &mut BufMut, _: usize) {
        unsupported(op.name(), DType::F16)
    }
    fn binary<A: Operand<f16>, B: Operand<f16>>(op: BinaryOp, _: A, _: B, _: &mut BufMut, _: usize) {
        unsupported(op.name(), DType::F16)
    }
}

// ---------------------------------------------------------------------------------------------
// Casts
// ---------------------------------------------------------------------------------------------

/// One element's `astype` from `Self` to `D`.
trait Astype<D> {
    fn astype(self) -> D;
}

macro_rules! numeric_casts {
    (float $($s:ty),*) => {$(
        numeric_casts!(@bool $s);
        numeric_casts!(@np $s; i8, i16, i32, i64, u8, u16, u32, u64, f32, f64);
    )*};
    ($($s:ty),*) => {$(
        numeric_casts!(@bool $s);
        numeric_casts!(@to $s; i8, i16, i32, i64, u8, u16, u32, u64, f32, f64);
    )*};
    (@bool $s:ty) => {
        impl Astype<bool> for $s {
            #[inline(always)]
            fn astype(self) -> bool {
                self != 0 as $s
            }
        }
        impl Astype<$s> for bool {
            #[inline(always)]
            fn astype(self) -> $s {
                self as u8 as $s
            }
        }
    };
    // From floats: NumPy's C casts (out-of-range values wrap, see `NpFromFloat`).
    (@np $s:ty; $($d:ty),*) => {$(
        impl Astype<$d> for $s {
            #[inline(always)]
            fn astype(self) -> $d {
                <$d as tessera_core::block::NpFromFloat>::np_from_f64(self as f64)
            }
        }
    )*};
    (@to $s:ty; $($d:ty),*) => {$(
        impl Astype<$d> for $s {
            #[inline(always)]
            fn astype(self) -> $d {
                self as $d
            }
        }
    )*};
}

numeric_casts!(i8, i16, i32, i64, u8, u16, u32, u64);
numeric_casts!(float f32, f64);

impl Astype<bool> for bool {
    #[inline(always)]
    fn astype(self) -> bool {
        self
    }
}

/// Casts into and out of float16 and complex go through the `Element` conversions: one
/// rounding from integers and floats (f64 to f16 directly), real parts of complex values,
/// `!= 0` (either part) to bool.
macro_rules! element_casts {
    (@into $d:ty; $($s:ty: $how:ident),*) => {$(
        impl Astype<$d> for $s {
            #[inline(always)]
            fn astype(self) -> $d {
                element_casts!(@conv $how self, $d)
            }
        }
    )*};
    (@conv int $v:expr, $d:ty) => { <$d as Element>::from_i64($v as i64) };
    (@conv uint $v:expr, $d:ty) => { <$d as Element>::from_u64($v as u64) };
    (@conv real $v:expr, $d:ty) => { <$d as Element>::from_f64($v as f64) };
    (@conv elem $v:expr, $d:ty) => { <$d as Element>::from_c128(Element::to_c128($v)) };
    (@conv half $v:expr, $d:ty) => { <$d as Element>::from_f64($v.to_f64()) };
    (@conv f16c $v:expr, $d:ty) => { <$d as Element>::from_f64($v.to_f64()) };
    ($($d:ty),*) => {$(
        element_casts!(@into $d; bool: uint, i8: int, i16: int, i32: int, i64: int, u8: uint, u16: uint, u32: uint, u64: uint,
            f32: real, f64: real, f16: half, c64: elem, c128: elem);
    )*};
}
element_casts!(f16, c64, c128);

/// From float16 and complex to the other types.
macro_rules! casts_from {
    ($s:ty, $how:ident; $($d:ty),*) => {$(
        impl Astype<$d> for $s {
            #[inline(always)]
            fn astype(self) -> $d {
                element_casts!(@conv $how self, $d)
            }
        }
    )*};
}
casts_from!(f16, half; bool, i8, i16, i32, i64, u8, u16, u32, u64, f32, f64);
casts_from!(c64, elem; bool, i8, i16, i32, i64, u8, u16, u32, u64, f32, f64);
casts_from!(c128, elem; bool, i8, i16, i32, i64, u8, u16, u32, u64, f32, f64);

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::{self, from_scalar, V};
    use proptest::prelude::*;
    use tessera_core::Buffer;
    use tessera_core::dtype::ALL_DTYPES as EVERY_DTYPE;

    /// The dtypes with kernels of their own that the real-valued oracle knows (float16
    /// computes in float32; complex loops are checked against NumPy in the Python tests,
    /// and casts to and from both by `new_dtype_casts_round_like_numpy` below).
    fn oracle_dtypes() -> Vec<DType> {
        EVERY_DTYPE.into_iter().filter(|d| !d.is_complex() && *d != DType::F16).collect()
    }

    #[test]
    fn new_dtype_casts_round_like_numpy() {
        // Every pair of dtypes casts as `Scalar::cast` does (one rounding into float16).
        let vals = [0.0, -0.0, 1.5, -2.5, 65504.0, 65520.0, 1e-8, 300.7, f64::NAN, f64::INFINITY];
        for src in EVERY_DTYPE {
            for dst in EVERY_DTYPE {
                let x = Buffer::filled(src, 1, Scalar::F64(0.0));
                let xs: Vec<Scalar> = vals.iter().map(|&v| Scalar::F64(v).cast_to(src)).collect();
                let xb = with_dtype!(src, T => T::into_buffer(xs.iter().map(|s| s.cast::<T>()).collect()));
                let mut out = Buffer::zeros(dst, xs.len());
                cast(&xb, &mut out, xs.len());
                for (i, s) in xs.iter().enumerate() {
                    let want = s.cast_to(dst);
                    let got = out.get(i);
                    let same = format!("{got:?}") == format!("{want:?}");
                    assert!(same, "{src} -> {dst}: {s:?} gave {got:?}, want {want:?}");
                }
                let _ = x;
            }
        }
        let h = tessera_core::numtypes::f16::from_f64(1.0 / 3.0);
        assert_eq!(h.0, 0x3555); // np.float16(1/3).view(np.uint16)
    }
    use tessera_core::with_dtype;

    // --- test values ------------------------------------------------------------------------

    fn int_range(dt: DType) -> (i128, i128) {
        use DType::*;
        match dt {
            I8 => (i8::MIN as i128, i8::MAX as i128),
            I16 => (i16::MIN as i128, i16::MAX as i128),
            I32 => (i32::MIN as i128, i32::MAX as i128),
            I64 => (i64::MIN as i128, i64::MAX as i128),
            U8 => (0, u8::MAX as i128),
            U16 => (0, u16::MAX as i128),
            U32 => (0, u32::MAX as i128),
            U64 => (0, u64::MAX as i128),
            _ => panic!("{dt} is not an integer type"),
        }
    }

    /// Values that stress each dtype: zeros, ±1, extremes, NaN and infinities.
    fn edge_values(dt: DType) -> Vec<Scalar> {
        match dt {
            DType::Bool => vec![Scalar::Bool(false), Scalar::Bool(true)],
            DType::F32 => [
                0.0,
                -0.0,
                1.0,
                -1.0,
                0.5,
                -0.5,
                2.0,
                -2.0,
                7.5,
                -7.5,
                0.1,
                1e10,
                f32::NAN,
                f32::INFINITY,
                f32::NEG_INFINITY,
                f32::MAX,
                f32::MIN,
                f32::MIN_POSITIVE,
                f32::from_bits(1),
                f32::EPSILON,
            ]
            .map(Scalar::F32)
            .to_vec(),
            DType::F64 => [
                0.0,
                -0.0,
                1.0,
                -1.0,
                0.5,
                -0.5,
                2.0,
                -2.0,
                7.5,
                -7.5,
                0.1,
                1e300,
                f64::NAN,
                f64::INFINITY,
                f64::NEG_INFINITY,
                f64::MAX,
                f64::MIN,
                f64::MIN_POSITIVE,
                f64::from_bits(1),
                f64::EPSILON,
            ]
            .map(Scalar::F64)
            .to_vec(),
            _ => {
                let (lo, hi) = int_range(dt);
                [0, 1, -1, 2, -2, 3, 7, -7, lo, lo + 1, hi, hi - 1].iter().map(|&v| int_scalar(dt, v)).collect()
            }
        }
    }

    /// A test value of `dt` from random bits: an edge value, a small value, or raw bits.
    fn value_from(dt: DType, sel: u8, bits: u64) -> Scalar {
        if dt == DType::Bool {
            return Scalar::Bool(bits & 1 == 1);
        }
        match sel % 4 {
            0 => {
                let edges = edge_values(dt);
                edges[(bits % edges.len() as u64) as usize]
            }
            1 if dt.is_float() => Scalar::F64(((bits % 41) as f64 - 20.0) / 2.0).cast_to(dt),
            1 => int_scalar(dt, (bits % 21) as i128 - 10),
            2 if dt.is_float() => {
                // Moderate magnitudes, where arithmetic results are interesting.
                let unit = (bits >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
                Scalar::F64(unit * 2f64.powi((bits % 48) as i32 - 16)).cast_to(dt)
            }
            _ => match dt {
                DType::F32 => Scalar::F32(f32::from_bits(bits as u32)),
                DType::F64 => Scalar::F64(f64::from_bits(bits)),
                _ => Scalar::U64(bits).cast_to(dt),
            },
        }
    }

    fn buffer_of(dt: DType, vals: &[Scalar]) -> Buffer {
        with_dtype!(dt, T => T::into_buffer(vals.iter().map(|s| {
            assert_eq!(s.dtype(), dt);
            s.cast::<T>()
        }).collect()))
    }

    // --- the reference: the shared oracle, per element in i128 / f64 ---------------------

    /// An integer reduced modulo 2^bits into `dt` (two's complement wrap-around).
    fn int_scalar(dt: DType, v: i128) -> Scalar {
        use DType::*;
        match dt {
            I8 => Scalar::I8(v as i8),
            I16 => Scalar::I16(v as i16),
            I32 => Scalar::I32(v as i32),
            I64 => Scalar::I64(v as i64),
            U8 => Scalar::U8(v as u8),
            U16 => Scalar::U16(v as u16),
            U32 => Scalar::U32(v as u32),
            U64 => Scalar::U64(v as u64),
            _ => panic!("{dt} is not an integer type"),
        }
    }

    fn make(dt: DType, v: V) -> Scalar {
        match (v, dt) {
            (V::B(b), DType::Bool) => Scalar::Bool(b),
            (V::I(i), _) => int_scalar(dt, i),
            (V::F(f), DType::F32) => Scalar::F32(f as f32),
            (V::F(f), DType::F64) => Scalar::F64(f),
            (V::F(f), DType::F16) => Scalar::F16(tessera_core::numtypes::f16::from_f64(f)),
            _ => panic!("reference produced {v:?} for {dt}"),
        }
    }

    fn ref_unary(op: UnaryOp, x: Scalar, out: DType) -> Scalar {
        make(out, reference::unary_value(op, from_scalar(x), x.dtype()))
    }

    fn is_signaling_nan(s: Scalar) -> bool {
        match s {
            Scalar::F32(v) => v.is_nan() && v.to_bits() & (1 << 22) == 0,
            Scalar::F64(v) => v.is_nan() && v.to_bits() & (1 << 51) == 0,
            _ => false,
        }
    }

    fn ref_binary(op: BinaryOp, a: Scalar, b: Scalar, out: DType) -> Scalar {
        if op == BinaryOp::Nextafter && out == DType::F16 {
            // float16 steps in float16 (the kernel computes in float32 around it)
            return Scalar::F16(f16::from_f64(reference::nextafter_f16_ref(a.to_f64(), b.to_f64())));
        }
        // libm gives pow(NaN, 0) = pow(1, NaN) = 1 and hypot(inf, NaN) = inf, but NaN for a
        // signaling NaN, which the f64 conversion of a float32 would quieten.
        // copysign only moves a sign bit, so it keeps x whatever NaN y is.
        if out.is_float() && op != BinaryOp::Copysign && (is_signaling_nan(a) || is_signaling_nan(b)) {
            return make(out, V::F(f64::NAN));
        }
        make(out, reference::binary_value(op, from_scalar(a), from_scalar(b), a.dtype()))
    }

    // --- comparing results ----------------------------------------------------------------

    /// Floats within `f32_ulps` (both float32 and float64), NaN equal to NaN.
    fn matches(got: Scalar, want: Scalar, f32_ulps: u64) -> bool {
        match (got, want) {
            (Scalar::F32(g), Scalar::F32(w)) => {
                (g.is_nan() && w.is_nan())
                    || g.to_bits() == w.to_bits()
                    || (f32_ulps > 0 && !g.is_nan() && !w.is_nan() && reference::ulp_key32(g).abs_diff(reference::ulp_key32(w)) <= f32_ulps)
            }
            // The vector kernels (`simd`) are within a few ulps of libm, not its bits.
            (Scalar::F64(g), Scalar::F64(w)) => {
                (g.is_nan() && w.is_nan())
                    || g.to_bits() == w.to_bits()
                    || (f32_ulps > 0 && !g.is_nan() && !w.is_nan() && reference::ulp_key64(g).abs_diff(reference::ulp_key64(w)) <= f32_ulps as u128)
            }
            // float16 results are float32 ones rounded: an ulp of float32 may move a tie.
            (Scalar::F16(g), Scalar::F16(w)) => {
                let key = |h: tessera_core::numtypes::f16| reference::ulp_key32(f32::from_bits((h.0 as u32) << 16));
                (g.is_nan() && w.is_nan()) || g.0 == w.0 || (f32_ulps > 0 && !g.is_nan() && !w.is_nan() && key(g).abs_diff(key(w)) <= 1 << 16)
            }
            _ => got == want,
        }
    }

    /// The (compute, output) dtype pairs an op has (each once).
    fn compute_dtypes(sig: impl Fn(DType) -> Option<tessera_core::ops::Signature>) -> Vec<(DType, DType)> {
        let mut seen: Vec<(DType, DType)> = Vec::new();
        for d in oracle_dtypes() {
            if let Some(s) = sig(d) {
                if !seen.iter().any(|&(c, o)| c == s.compute && o == s.out) {
                    seen.push((s.compute, s.out));
                }
            }
        }
        seen
    }

    const PAD: usize = 3;

    fn check_unary_ops(values: &dyn Fn(DType) -> Vec<Scalar>) {
        for op in UnaryOp::ALL {
            for (compute, out_dt) in compute_dtypes(|d| op.signature(d).ok()) {
                let xs = values(compute);
                let n = xs.len();
                let x = buffer_of(compute, &xs);
                let mut out = Buffer::zeros(out_dt, n + PAD);
                unary(op, &x, &mut out, n);
                for (i, &xi) in xs.iter().enumerate() {
                    let (got, want) = (out.get(i), ref_unary(op, xi, out_dt));
                    assert!(
                        matches(got, want, reference::f32_ulps_unary(op)),
                        "{}({xi:?}) on {compute} gave {got:?}, want {want:?}",
                        op.name()
                    );
                }
                let zero = Buffer::zeros(out_dt, 1).get(0);
                assert!((n..n + PAD).all(|i| out.get(i) == zero), "{} wrote past n", op.name());
            }
        }
    }

    fn check_binary_ops(values: &dyn Fn(DType) -> (Vec<Scalar>, Vec<Scalar>)) {
        for op in BinaryOp::ALL {
            for (compute, out_dt) in compute_dtypes(|d| op.signature(d).ok()) {
                let (xs, ys) = values(compute);
                let n = xs.len();
                let (a, b) = (buffer_of(compute, &xs), buffer_of(compute, &ys));
                let mut out = Buffer::zeros(out_dt, n + PAD);
                binary(op, &a, &b, &mut out, n);
                for i in 0..n {
                    let (got, want) = (out.get(i), ref_binary(op, xs[i], ys[i], out_dt));
                    assert!(
                        matches(got, want, reference::f32_ulps_binary(op)),
                        "{}({:?}, {:?}) on {compute} gave {got:?}, want {want:?}",
                        op.name(),
                        xs[i],
                        ys[i]
                    );
                }
                let zero = Buffer::zeros(out_dt, 1).get(0);
                assert!((n..n + PAD).all(|i| out.get(i) == zero), "{} wrote past n", op.name());

                // The scalar forms equal the tile form with the scalar broadcast.
                for &s in xs.iter().chain(&ys).step_by(7).take(4) {
                    let tile = Buffer::filled(compute, n, s);
                    let (mut want, mut got) = (Buffer::zeros(out_dt, n), Buffer::zeros(out_dt, n));
                    binary(op, &a, &tile, &mut want, n);
                    binary_scalar_rhs(op, &a, s, &mut got, n);
                    for i in 0..n {
                        assert!(matches(got.get(i), want.get(i), 0), "{} rhs scalar {s:?}", op.name());
                    }
                    binary(op, &tile, &b, &mut want, n);
                    binary_scalar_lhs(op, s, &b, &mut got, n);
                    for i in 0..n {
                        assert!(matches(got.get(i), want.get(i), 0), "{} lhs scalar {s:?}", op.name());
                    }
                }
            }
        }
    }

    // --- exhaustive edge values -----------------------------------------------------------

    #[test]
    fn unary_ops_match_reference_on_edge_values() {
        check_unary_ops(&edge_values);
    }

    #[test]
    fn binary_ops_match_reference_on_all_pairs_of_edge_values() {
        check_binary_ops(&|dt| {
            let e = edge_values(dt);
            let xs = e.iter().flat_map(|&x| e.iter().map(move |_| x)).collect();
            let ys = e.iter().flat_map(|_| e.iter().copied()).collect();
            (xs, ys)
        });
    }

    // --- random values --------------------------------------------------------------------

    fn raw_values() -> impl Strategy<Value = Vec<(u8, u64, u8, u64)>> {
        prop::collection::vec(any::<(u8, u64, u8, u64)>(), 1..160)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: std::env::var("EW_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(256), failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn unary_ops_match_reference(raw in raw_values()) {
            check_unary_ops(&|dt| raw.iter().map(|&(s, b, _, _)| value_from(dt, s, b)).collect());
        }

        #[test]
        fn binary_ops_match_reference(raw in raw_values()) {
            check_binary_ops(&|dt| (
                raw.iter().map(|&(s, b, _, _)| value_from(dt, s, b)).collect(),
                raw.iter().map(|&(_, _, s, b)| value_from(dt, s, b)).collect(),
            ));
        }

        #[test]
        fn cast_matches_scalar_cast(raw in raw_values()) {
            for src in oracle_dtypes() {
                let xs: Vec<Scalar> = raw.iter().map(|&(s, b, _, _)| value_from(src, s, b))
                    .chain(edge_values(src)).collect();
                let n = xs.len();
                let x = buffer_of(src, &xs);
                for dst in oracle_dtypes() {
                    let mut out = Buffer::zeros(dst, n + PAD);
                    cast(&x, &mut out, n);
                    for (i, &xi) in xs.iter().enumerate() {
                        let want = xi.cast_to(dst);
                        prop_assert!(matches(out.get(i), want, 0), "{xi:?} as {dst}: {:?}, want {want:?}", out.get(i));
                    }
                }
            }
        }

        #[test]
        fn select_picks_per_element(raw in raw_values()) {
            let n = raw.len();
            let cond = Buffer::Bool(raw.iter().map(|&(s, ..)| s & 1 == 1).collect());
            for dt in oracle_dtypes() {
                let xs: Vec<Scalar> = raw.iter().map(|&(s, b, _, _)| value_from(dt, s, b)).collect();
                let ys: Vec<Scalar> = raw.iter().map(|&(_, _, s, b)| value_from(dt, s, b)).collect();
                let mut out = Buffer::zeros(dt, n + PAD);
                select(&cond, &buffer_of(dt, &xs), &buffer_of(dt, &ys), &mut out, n);
                for i in 0..n {
                    let want = if raw[i].0 & 1 == 1 { xs[i] } else { ys[i] };
                    prop_assert!(matches(out.get(i), want, 0));
                }
            }
        }
    }

    // --- values checked against NumPy 2.x by hand -----------------------------------------

    fn bin(op: BinaryOp, a: Scalar, b: Scalar) -> Scalar {
        let sig = op.signature(a.dtype()).unwrap();
        let mut out = Buffer::zeros(sig.out, 1);
        binary(op, &Buffer::filled(a.dtype(), 1, a), &Buffer::filled(b.dtype(), 1, b), &mut out, 1);
        out.get(0)
    }

    fn un(op: UnaryOp, x: Scalar) -> Scalar {
        let sig = op.signature(x.dtype()).unwrap();
        let mut out = Buffer::zeros(sig.out, 1);
        unary(op, &Buffer::filled(x.dtype(), 1, x), &mut out, 1);
        out.get(0)
    }

    fn f64_is(got: Scalar, want: f64) -> bool {
        matches(got, Scalar::F64(want), 0)
    }

    #[test]
    fn integer_division_like_numpy() {
        use BinaryOp::*;
        use Scalar::{I64, I8, U8};
        assert_eq!(bin(FloorDiv, I64(-7), I64(2)), I64(-4));
        assert_eq!(bin(Mod, I64(-7), I64(2)), I64(1));
        assert_eq!(bin(FloorDiv, I64(7), I64(-2)), I64(-4));
        assert_eq!(bin(Mod, I64(7), I64(-2)), I64(-1));
        assert_eq!(bin(FloorDiv, I64(-8), I64(2)), I64(-4));
        assert_eq!(bin(FloorDiv, I64(7), I64(0)), I64(0));
        assert_eq!(bin(Mod, I64(7), I64(0)), I64(0));
        assert_eq!(bin(FloorDiv, I8(-128), I8(-1)), I8(-128));
        assert_eq!(bin(Mod, I8(-128), I8(-1)), I8(0));
        assert_eq!(bin(FloorDiv, I64(i64::MIN), I64(-1)), I64(i64::MIN));
        assert_eq!(bin(FloorDiv, U8(200), U8(7)), U8(28));
        assert_eq!(bin(Mod, U8(200), U8(0)), U8(0));
    }

    #[test]
    fn integer_wraparound_and_power_like_numpy() {
        use BinaryOp::*;
        use Scalar::{I64, I8, U8};
        assert_eq!(un(UnaryOp::Abs, I8(-128)), I8(-128));
        assert_eq!(un(UnaryOp::Neg, I8(-128)), I8(-128));
        assert_eq!(un(UnaryOp::Neg, U8(1)), U8(255));
        assert_eq!(un(UnaryOp::Square, I8(16)), I8(0));
        assert_eq!(un(UnaryOp::Sign, I64(-5)), I64(-1));
        assert_eq!(un(UnaryOp::Invert, I8(0)), I8(-1));
        assert_eq!(un(UnaryOp::Invert, U8(0)), U8(255));
        assert_eq!(un(UnaryOp::IsNan, I64(3)), Scalar::Bool(false));
        assert_eq!(un(UnaryOp::IsFinite, U8(3)), Scalar::Bool(true));
        assert_eq!(bin(Add, I8(127), I8(1)), I8(-128));
        assert_eq!(bin(Sub, U8(0), U8(1)), U8(255));
        assert_eq!(bin(Pow, I64(2), I64(10)), I64(1024));
        assert_eq!(bin(Pow, I64(0), I64(0)), I64(1));
        assert_eq!(bin(Pow, I8(2), I8(7)), I8(-128));
        assert_eq!(bin(Pow, U8(2), U8(8)), U8(0));
        assert_eq!(bin(Pow, I64(3), I64(40)), I64(3i64.wrapping_pow(40)));
        // Negative exponents (NumPy raises ValueError; see the module docs).
        assert_eq!(bin(Pow, I64(2), I64(-1)), I64(0));
        assert_eq!(bin(Pow, I64(1), I64(-5)), I64(1));
        assert_eq!(bin(Pow, I64(-1), I64(-3)), I64(-1));
        assert_eq!(bin(Pow, I64(-1), I64(-4)), I64(1));
    }

    #[test]
    fn float_division_like_numpy() {
        use BinaryOp::*;
        use Scalar::F64;
        let inf = f64::INFINITY;
        assert!(f64_is(bin(Mod, F64(7.5), F64(-2.0)), -0.5));
        assert!(f64_is(bin(Mod, F64(-7.5), F64(2.0)), 0.5));
        assert!(f64_is(bin(FloorDiv, F64(7.5), F64(-2.0)), -4.0));
        assert!(f64_is(bin(FloorDiv, F64(1.0), F64(0.1)), 9.0));
        assert!(f64_is(bin(Mod, F64(1.0), F64(0.1)), 0.09999999999999995));
        assert!(f64_is(bin(FloorDiv, F64(6.0), F64(-2.0)), -3.0));
        assert!(f64_is(bin(Mod, F64(6.0), F64(-2.0)), -0.0));
        assert!(f64_is(bin(Mod, F64(-0.0), F64(5.0)), 0.0));
        assert!(f64_is(bin(FloorDiv, F64(1.0), F64(0.0)), inf));
        assert!(f64_is(bin(FloorDiv, F64(-1.0), F64(0.0)), -inf));
        assert!(f64_is(bin(FloorDiv, F64(0.0), F64(0.0)), f64::NAN));
        assert!(f64_is(bin(Mod, F64(1.0), F64(0.0)), f64::NAN));
        // The Array API's special cases, where NumPy gives NaN and -1 (spec_semantics)
        assert!(f64_is(bin(FloorDiv, F64(inf), F64(2.0)), inf));
        assert!(f64_is(bin(Mod, F64(-1.0), F64(inf)), inf));
        assert!(f64_is(bin(FloorDiv, F64(-1.0), F64(inf)), -0.0));
        assert!(f64_is(bin(Mod, F64(5.0), F64(-inf)), -inf));
        assert!(matches(bin(Mod, Scalar::F32(7.5), Scalar::F32(-2.0)), Scalar::F32(-0.5), 0));
        assert!(f64_is(bin(TrueDiv, F64(1.0), F64(-0.0)), -inf));
    }

    #[test]
    fn float_misc_like_numpy() {
        use Scalar::{Bool, F64};
        use {BinaryOp::*, UnaryOp::*};
        let nan = f64::NAN;
        assert!(f64_is(bin(Minimum, F64(nan), F64(1.0)), nan));
        assert!(f64_is(bin(Minimum, F64(1.0), F64(nan)), nan));
        assert!(f64_is(bin(Maximum, F64(1.0), F64(nan)), nan));
        assert!(f64_is(bin(Maximum, F64(-1.0), F64(2.0)), 2.0));
        assert!(f64_is(bin(Pow, F64(2.0), F64(-1.0)), 0.5));
        assert!(f64_is(un(UnaryOp::Sign, F64(-0.0)), 0.0));
        assert!(f64_is(un(UnaryOp::Sign, F64(nan)), nan));
        assert!(f64_is(un(UnaryOp::Sign, F64(-3.0)), -1.0));
        assert!(f64_is(un(Rint, F64(2.5)), 2.0));
        assert!(f64_is(un(Rint, F64(3.5)), 4.0));
        assert!(f64_is(un(Rint, F64(-0.5)), -0.0));
        assert!(f64_is(un(UnaryOp::Abs, F64(-0.0)), 0.0));
        assert_eq!(bin(Ne, F64(nan), F64(nan)), Bool(true));
        assert_eq!(bin(Eq, F64(nan), F64(nan)), Bool(false));
        assert_eq!(un(IsInf, F64(-f64::INFINITY)), Bool(true));
    }

    #[test]
    fn bool_ops_like_numpy() {
        use BinaryOp::*;
        use Scalar::Bool;
        let (t, f) = (Bool(true), Bool(false));
        assert_eq!(bin(Add, t, t), t);
        assert_eq!(bin(Mul, t, f), f);
        assert_eq!(bin(Minimum, t, f), f);
        assert_eq!(bin(Maximum, t, f), t);
        assert_eq!(bin(Lt, f, t), t);
        assert_eq!(bin(BitXor, t, t), f);
        assert_eq!(un(UnaryOp::Invert, t), f);
        assert_eq!(un(UnaryOp::Abs, t), t);
    }

    #[test]
    fn casts_like_numpy_astype() {
        let cast1 = |x: Scalar, dt: DType| {
            let mut out = Buffer::zeros(dt, 1);
            cast(&Buffer::filled(x.dtype(), 1, x), &mut out, 1);
            out.get(0)
        };
        assert_eq!(cast1(Scalar::F64(2.7), DType::I32), Scalar::I32(2));
        assert_eq!(cast1(Scalar::F64(-2.7), DType::I32), Scalar::I32(-2));
        assert_eq!(cast1(Scalar::I32(-1), DType::U8), Scalar::U8(255));
        assert_eq!(cast1(Scalar::I64(300), DType::I8), Scalar::I8(44));
        assert_eq!(cast1(Scalar::Bool(true), DType::F32), Scalar::F32(1.0));
        assert_eq!(cast1(Scalar::F64(0.5), DType::Bool), Scalar::Bool(true));
        assert_eq!(cast1(Scalar::F64(f64::NAN), DType::Bool), Scalar::Bool(true));
        assert_eq!(cast1(Scalar::F64(-0.0), DType::Bool), Scalar::Bool(false));
        assert_eq!(cast1(Scalar::I8(2), DType::Bool), Scalar::Bool(true));
        assert_eq!(cast1(Scalar::U64(u64::MAX), DType::F64), Scalar::F64(18446744073709551615.0));
        // Undefined in C; NumPy's values on x86-64 (checked against NumPy 2.4).
        assert_eq!(cast1(Scalar::F64(f64::NAN), DType::I32), Scalar::I32(i32::MIN));
        assert_eq!(cast1(Scalar::F64(300.7), DType::U8), Scalar::U8(44));
        assert_eq!(cast1(Scalar::F64(-1.0), DType::U8), Scalar::U8(255));
        assert_eq!(cast1(Scalar::F64(-129.5), DType::I8), Scalar::I8(127));
        assert_eq!(cast1(Scalar::F64(1e20), DType::I16), Scalar::I16(0));
        assert_eq!(cast1(Scalar::F64(f64::INFINITY), DType::I64), Scalar::I64(i64::MIN));
        assert_eq!(cast1(Scalar::F64(-3e9), DType::U64), Scalar::U64(18446744070709551616));
        assert_eq!(cast1(Scalar::F64(1e20), DType::U64), Scalar::U64(0));
        assert_eq!(cast1(Scalar::F64(-1e20), DType::U64), Scalar::U64(1 << 63));
        assert_eq!(cast1(Scalar::F32(f32::NAN), DType::U16), Scalar::U16(0));
        assert_eq!(cast1(Scalar::C128(tessera_core::numtypes::c128 { re: 300.7, im: 5.0 }), DType::I8), Scalar::I8(44));
    }

    #[test]
    fn kernels_touch_only_the_first_n_elements() {
        let a = Buffer::F64(vec![1.0, 2.0, 3.0, 4.0]);
        let mut out = Buffer::F64(vec![-9.0; 4]);
        binary_scalar_rhs(BinaryOp::Mul, &a, Scalar::F64(10.0), &mut out, 2);
        assert_eq!(out, Buffer::F64(vec![10.0, 20.0, -9.0, -9.0]));
        unary(UnaryOp::Neg, &a, &mut out, 0);
        assert_eq!(out, Buffer::F64(vec![10.0, 20.0, -9.0, -9.0]));
        let cond = Buffer::Bool(vec![true, false, true]);
        let b = Buffer::F64(vec![0.0; 3]);
        select(&cond, &a, &b, &mut out, 3);
        assert_eq!(out, Buffer::F64(vec![1.0, 0.0, 3.0, -9.0]));
    }

    // --- caller bugs panic ----------------------------------------------------------------

    #[test]
    #[should_panic(expected = "computes in float64")]
    fn uncast_operand_panics() {
        // sqrt of int32 computes in float64: the caller must cast first.
        unary(UnaryOp::Sqrt, &Buffer::I32(vec![4]), &mut Buffer::zeros(DType::F64, 1), 1);
    }

    #[test]
    #[should_panic(expected = "output buffer is int32")]
    fn wrong_output_dtype_panics() {
        binary(BinaryOp::Lt, &Buffer::I32(vec![1]), &Buffer::I32(vec![2]), &mut Buffer::zeros(DType::I32, 1), 1);
    }

    #[test]
    #[should_panic(expected = "operands are int32 and int64")]
    fn mismatched_operands_panic() {
        binary(BinaryOp::Add, &Buffer::I32(vec![1]), &Buffer::I64(vec![2]), &mut Buffer::zeros(DType::I32, 1), 1);
    }

    #[test]
    #[should_panic(expected = "operands are int32 and float64")]
    fn uncast_scalar_panics() {
        binary_scalar_rhs(BinaryOp::Add, &Buffer::I32(vec![1]), Scalar::F64(2.0), &mut Buffer::zeros(DType::I32, 1), 1);
    }

    #[test]
    #[should_panic(expected = "not defined for bool")]
    fn rejected_signature_panics() {
        binary(
            BinaryOp::Sub,
            &Buffer::Bool(vec![true]),
            &Buffer::Bool(vec![true]),
            &mut Buffer::zeros(DType::Bool, 1),
            1,
        );
    }

    #[test]
    #[should_panic(expected = "fewer than n")]
    fn short_buffer_panics() {
        unary(UnaryOp::Neg, &Buffer::F64(vec![1.0]), &mut Buffer::zeros(DType::F64, 4), 2);
    }

    /// Throughput, for checking that the loops vectorise:
    /// `cargo test --release -p tessera-kernels elementwise::tests::throughput -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn throughput() {
        let n = 4096;
        let reps = 20_000;
        let time = |name: &str, mut f: Box<dyn FnMut()>| {
            let t = std::time::Instant::now();
            for _ in 0..reps {
                std::hint::black_box(&mut f)();
            }
            let ns = t.elapsed().as_nanos() as f64 / (reps * n) as f64;
            println!("{name:>28}: {ns:.3} ns/element");
        };
        for dt in [DType::F32, DType::F64, DType::I32, DType::I64, DType::U8] {
            let a = Buffer::filled(dt, n, Scalar::F64(3.0));
            let b = Buffer::filled(dt, n, Scalar::F64(5.0));
            for op in [BinaryOp::Add, BinaryOp::Mul, BinaryOp::Maximum, BinaryOp::Lt] {
                let sig = op.signature(dt).unwrap();
                let mut out = Buffer::zeros(sig.out, n);
                let (a2, b2) = (a.clone(), b.clone());
                time(&format!("{} {dt}", op.name()), Box::new(move || binary(op, &a2, &b2, &mut out, n)));
                let mut out = Buffer::zeros(sig.out, n);
                let a2 = a.clone();
                let s = Scalar::F64(5.0).cast_to(dt);
                time(
                    &format!("{} {dt} scalar", op.name()),
                    Box::new(move || binary_scalar_rhs(op, &a2, s, &mut out, n)),
                );
            }
        }
        for (op, dt) in [
            (UnaryOp::Neg, DType::F64),
            (UnaryOp::Abs, DType::F32),
            (UnaryOp::Sqrt, DType::F64),
            (UnaryOp::Exp, DType::F64),
        ] {
            let x = Buffer::filled(dt, n, Scalar::F64(3.0));
            let mut out = Buffer::zeros(dt, n);
            time(&format!("{} {dt}", op.name()), Box::new(move || unary(op, &x, &mut out, n)));
        }
        let x = Buffer::filled(DType::I32, n, Scalar::F64(3.0));
        let mut out = Buffer::zeros(DType::F64, n);
        time("cast int32->float64", Box::new(move || cast(&x, &mut out, n)));
    }
}
