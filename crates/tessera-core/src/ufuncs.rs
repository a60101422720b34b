//! The ufunc table: every elementwise function listed once. Adding a row here is all a new
//! ufunc needs: the `UnaryOp`/`BinaryOp` variants, names, `ALL`, `from_name` and signatures
//! (`ops.rs`), the tile kernels (`tessera-kernels`), the test oracle, the Rust methods and
//! the Python functions (`_core.UNARY_OPS`/`BINARY_OPS`) all come from it.
//!
//! A row is `Variant method "numpy_name" | "alias"...: Class { keys }`, with the keys (each
//! optional, in this order, each followed by a comma):
//! - `bool:`, `int:`, `float:` the kernel of each dtype family, a closure over the element
//!   type (`bool`; each of `i8`..`u64`; `f32` and `f64`). A family without a kernel is
//!   refused when the expression is built (or, for `FloatFn`, computed in float).
//! - `complex:` the kernel of complex64/complex128 (a closure over
//!   [`crate::numtypes::Complex`]); without it complex operands are refused. float16 needs no
//!   kernel: it computes in float32 and rounds back (NumPy's half loops do the same).
//! - `bool_as:` the dtype bools compute in when there is no `bool` kernel (`I8`);
//! - `ref_int:`, `ref_float:` the test oracle's expression, over `i128` (wrapped to the
//!   dtype afterwards) or `f64` (rounded to it), where the kernel's own expression does not
//!   compile or is not independent there; otherwise the kernel's expression is the oracle;
//! - `no_bool:` a hint for the error when bools are refused;
//! - `f32_ulps:` how far float32 results may be from the float64 oracle (default 4 for
//!   `FloatFn`, else 0).
//!
//! Classes ([`crate::ops::Class`]): `Arith` computes in the operands' dtype; `Bitwise` too,
//! for integers and bools only; `FloatFn` in float (integers go to `DType::float_for`);
//! `Divide` in float (integers go to float64); `Predicate` and `Compare` give bools;
//! `Logical` computes on bools; `ToReal` as `Arith`, but complex operands give their parts'
//! real dtype (`absolute`, `real`, `imag`, `angle`).
//!
//! Kernels are closures inlined into one loop per (op, dtype): ops are still matched once
//! per tile, never per element.

/// Expands `$callback! { [extra tokens] UnaryOp { rows } BinaryOp { rows } }` with the rows in
/// a fixed form: `Variant method "name" { [aliases] Class [bool] [bool_as] [int] [float]
/// [ref_int] [ref_float] [no_bool] [f32_ulps] [complex] }` (each bracket empty or holding one item).
#[macro_export]
macro_rules! ufunc_table {
    ($callback:ident $(, $extra:tt)*) => {
        $crate::__ufunc_rows! { $callback [$($extra)*]
        UnaryOp {
            Neg neg "negative" | "neg": Arith { int: |v| v.wrapping_neg(), float: |v| -v, complex: |v| -v, no_bool: "use ~ or logical_not", }
            Abs abs "absolute" | "abs": ToReal {
                bool: |v| v, int: IntSemantics::np_abs, float: |v| v.abs(), complex: |v| v.abs(), ref_int: |v| v.abs(),
            }
            Sign sign "sign": Arith {
                int: IntSemantics::np_sign, float: FloatSemantics::np_sign, complex: |v| v.np_sign(), ref_int: |v| v.signum(),
                ref_float: |v| if v.is_nan() { v } else if v > 0.0 { 1.0 } else if v < 0.0 { -1.0 } else { 0.0 },
                no_bool: "use ~ or logical_not",
            }
            // NumPy has no bool loop for square: bools square as int8.
            Square square "square": Arith { bool_as: I8, int: |v| v.wrapping_mul(v), float: |v| v * v, complex: |v| v * v, }
            Sqrt sqrt "sqrt": FloatFn { float: |v| v.sqrt(), complex: |v| v.sqrt(), f32_ulps: 0, }
            Cbrt cbrt "cbrt": FloatFn { float: |v| v.cbrt(), }
            Exp exp "exp": FloatFn { float: |v| v.exp(), complex: |v| v.exp(), }
            Expm1 expm1 "expm1": FloatFn { float: |v| v.exp_m1(), complex: |v| v.exp_m1(), }
            Log log "log": FloatFn { float: |v| v.ln(), complex: |v| v.ln(), }
            Log1p log1p "log1p": FloatFn { float: |v| v.ln_1p(), complex: |v| v.ln_1p(), }
            Log2 log2 "log2": FloatFn { float: |v| v.log2(), complex: |v| v.log2(), }
            Log10 log10 "log10": FloatFn { float: |v| v.log10(), complex: |v| v.log10(), }
            Sin sin "sin": FloatFn { float: |v| v.sin(), complex: |v| v.sin(), }
            Cos cos "cos": FloatFn { float: |v| v.cos(), complex: |v| v.cos(), }
            Tan tan "tan": FloatFn { float: |v| v.tan(), complex: |v| v.tan(), }
            Arcsin arcsin "arcsin": FloatFn { float: |v| v.asin(), complex: |v| v.asin(), }
            Arccos arccos "arccos": FloatFn { float: |v| v.acos(), complex: |v| v.acos(), }
            Arctan arctan "arctan": FloatFn { float: |v| v.atan(), complex: |v| v.atan(), }
            Sinh sinh "sinh": FloatFn { float: |v| v.sinh(), complex: |v| v.sinh(), }
            Cosh cosh "cosh": FloatFn { float: |v| v.cosh(), complex: |v| v.cosh(), }
            Tanh tanh "tanh": FloatFn { float: |v| v.tanh(), complex: |v| v.tanh(), }
            // The Array API's acosh/asinh/atanh (Python aliases), exp2, signbit, reciprocal (NumPy
            // has complex loops for all but signbit).
            Arcsinh arcsinh "arcsinh" | "asinh": FloatFn { float: FloatSpec::np_asinh, complex: |v| v.asinh(), }
            Arccosh arccosh "arccosh" | "acosh": FloatFn { float: FloatSpec::np_acosh, complex: |v| v.acosh(), }
            Arctanh arctanh "arctanh" | "atanh": FloatFn { float: FloatSpec::np_atanh, complex: |v| v.atanh(), }
            Exp2 exp2 "exp2": FloatFn { float: |v| v.exp2(), complex: |v| v.exp2(), }
            Signbit signbit "signbit": Predicate {
                bool: |_| false, int: IntSpec::np_signbit, float: |v| v.is_sign_negative(), ref_int: |v| v < 0,
            }
            // Integers: 1 / x truncated (0 for x == 0; see `IntSpec::np_reciprocal`).
            Reciprocal reciprocal "reciprocal": Arith {
                bool_as: I8, int: IntSpec::np_reciprocal, float: |v| 1.0 / v, complex: |v| v.np_reciprocal(),
                ref_int: |v| if v == 1 || v == -1 { v } else { 0 },
            }
            // NumPy >= 2.3 keeps integer and bool dtypes through floor, ceil and trunc.
            Floor floor "floor": Arith { bool: |v| v, int: |v| v, float: |v| v.floor(), }
            Ceil ceil "ceil": Arith { bool: |v| v, int: |v| v, float: |v| v.ceil(), }
            Trunc trunc "trunc": Arith { bool: |v| v, int: |v| v, float: |v| v.trunc(), }
            Rint rint "rint" | "round" | "around": FloatFn { float: |v| v.round_ties_even(), complex: |v| v.round_ties_even(), ref_float: rint_ref, f32_ulps: 0, }
            // Integers and bools are always finite.
            IsNan isnan "isnan": Predicate { bool: |_| false, int: |_| false, float: |v| v.is_nan(), complex: |v| v.is_nan(), }
            IsFinite isfinite "isfinite": Predicate { bool: |_| true, int: |_| true, float: |v| v.is_finite(), complex: |v| v.is_finite(), }
            IsInf isinf "isinf": Predicate { bool: |_| false, int: |_| false, float: |v| v.is_infinite(), complex: |v| v.is_infinite(), }
            // `~x`: bitwise not for integers, logical not for bool.
            Invert invert "invert" | "bitwise_not": Bitwise { bool: |v| !v, int: |v| !v, }
            LogicalNot logical_not "logical_not": Logical { bool: |v| !v, }
            // NumPy has no bool loop for conjugate: bools conjugate as int8.
            Conj conj "conjugate" | "conj": Arith { bool_as: I8, int: |v| v, float: |v| v, complex: |v| v.conj(), }
            // Parts of complex values (the Python layer serves real inputs, as NumPy's
            // `real`/`imag`/`angle` functions do).
            Real real "real": ToReal { complex: |v| v.re, }
            Imag imag "imag": ToReal { complex: |v| v.im, }
            Angle angle "angle": ToReal { complex: |v| v.angle(), }
        }
        BinaryOp {
            // Bool add/multiply are or/and, as in NumPy.
            Add add "add": Arith { bool: |x, y| x | y, int: |x, y| x.wrapping_add(y), float: |x, y| x + y, complex: |x, y| x + y, }
            Sub sub "subtract": Arith {
                int: |x, y| x.wrapping_sub(y), float: |x, y| x - y, complex: |x, y| x - y, no_bool: "use ^ or logical_xor",
            }
            Mul mul "multiply": Arith { bool: |x, y| x & y, int: |x, y| x.wrapping_mul(y), float: |x, y| x * y, complex: |x, y| x * y, }
            TrueDiv div "true_divide" | "divide": Divide { float: |x, y| x / y, complex: |x, y| x / y, }
            FloorDiv floor_div "floor_divide": Arith {
                // NumPy's, except where the Array API specifies infinities and -0 (FloatSpec).
                bool_as: I8, int: IntSemantics::floor_div,
                float: |x, y| FloatSpec::spec_floor_div(x, y).unwrap_or_else(|| x.divmod(y).0),
                ref_int: |x, y| int_divmod_ref(x, y).0, ref_float: floor_div_ref,
                // NumPy's float32 divmod rounds twice in float32; only huge quotients differ.
                f32_ulps: 2,
            }
            Mod rem "remainder" | "mod": Arith {
                bool_as: I8, int: IntSemantics::floor_mod, float: |x, y| x.divmod(y).1,
                ref_int: |x, y| int_divmod_ref(x, y).1, ref_float: |x, y| py_divmod(x, y).1,
            }
            Pow pow "power": Arith {
                bool_as: I8, int: IntSemantics::int_pow, float: |x, y| x.powf(y), complex: |x, y| x.powc(y), ref_int: int_pow_ref, f32_ulps: 4,
            }
            // NaN propagates; on bool they are and/or.
            Minimum minimum "minimum": Arith {
                bool: |x, y| x & y, int: |x, y| if x <= y { x } else { y }, float: FloatSemantics::np_min, complex: |x, y| x.np_min(y),
                ref_float: |x, y| if x.is_nan() || y.is_nan() { f64::NAN } else if y < x { y } else { x },
            }
            Maximum maximum "maximum": Arith {
                bool: |x, y| x | y, int: |x, y| if x >= y { x } else { y }, float: FloatSemantics::np_max, complex: |x, y| x.np_max(y),
                ref_float: |x, y| if x.is_nan() || y.is_nan() { f64::NAN } else if y > x { y } else { x },
            }
            Arctan2 arctan2 "arctan2": FloatFn { float: |x, y| x.atan2(y), }
            Hypot hypot "hypot": FloatFn { float: |x, y| x.hypot(y), }
            Copysign copysign "copysign": FloatFn { float: |x, y| x.copysign(y), }
            // NumPy's float32 algorithm and NumPy's float32 bits, whose cancellation (x +
            // log1p(exp(y - x)) near -x) can be far from the float64 oracle in ulps: the
            // oracle checks float64; Python's tests compare float32 with NumPy's bits.
            Logaddexp logaddexp "logaddexp": FloatFn { float: FloatSpec::np_logaddexp, f32_ulps: 1000000, }
            // Exact: the oracle steps float32 in float32 (`reference::binary_value`).
            Nextafter nextafter "nextafter": FloatFn { float: FloatSpec::np_nextafter, f32_ulps: 0, }
            // Integers only, as NumPy (bools shift as int8); shifts past the width give 0 or -1.
            LeftShift left_shift "left_shift" | "bitwise_left_shift": Bitwise {
                bool_as: I8, int: ShiftSemantics::np_lshift, ref_int: lshift_ref,
            }
            RightShift right_shift "right_shift" | "bitwise_right_shift": Bitwise {
                bool_as: I8, int: ShiftSemantics::np_rshift, ref_int: rshift_ref,
            }
            // Bools compare as false < true; floats per IEEE.
            Eq eq "equal": Compare { bool: |x, y| x == y, int: |x, y| x == y, float: |x, y| x == y, complex: |x, y| x == y, }
            Ne ne "not_equal": Compare { bool: |x, y| x != y, int: |x, y| x != y, float: |x, y| x != y, complex: |x, y| x != y, }
            Lt lt "less": Compare { bool: |x, y| x < y, int: |x, y| x < y, float: |x, y| x < y, complex: |x, y| x < y, }
            Le le "less_equal": Compare { bool: |x, y| x <= y, int: |x, y| x <= y, float: |x, y| x <= y, complex: |x, y| x <= y, }
            Gt gt "greater": Compare { bool: |x, y| x > y, int: |x, y| x > y, float: |x, y| x > y, complex: |x, y| x > y, }
            Ge ge "greater_equal": Compare { bool: |x, y| x >= y, int: |x, y| x >= y, float: |x, y| x >= y, complex: |x, y| x >= y, }
            BitAnd bitand "bitwise_and": Bitwise { bool: |x, y| x & y, int: |x, y| x & y, }
            BitOr bitor "bitwise_or": Bitwise { bool: |x, y| x | y, int: |x, y| x | y, }
            BitXor bitxor "bitwise_xor": Bitwise { bool: |x, y| x ^ y, int: |x, y| x ^ y, }
            LogicalAnd logical_and "logical_and": Logical { bool: |x, y| x & y, }
            LogicalOr logical_or "logical_or": Logical { bool: |x, y| x | y, }
            LogicalXor logical_xor "logical_xor": Logical { bool: |x, y| x ^ y, }
        }
        }
    };
}

/// Puts the table's rows in the fixed form `ufunc_table!` documents.
#[doc(hidden)]
#[macro_export]
macro_rules! __ufunc_rows {
    ($callback:ident [$($extra:tt)*] $(
        $kind:ident { $(
            $v:ident $m:ident $n:literal $(| $a:literal)* : $c:ident {
                $(bool: $b:expr,)? $(bool_as: $bas:ident,)? $(int: $i:expr,)? $(float: $f:expr,)? $(complex: $cx:expr,)?
                $(ref_int: $ri:expr,)? $(ref_float: $rf:expr,)? $(no_bool: $nb:literal,)? $(f32_ulps: $u:literal,)?
            }
        )* }
    )*) => {
        $callback! { [$($extra)*] $(
            $kind { $(
                $v $m $n { [$($a)*] $c [$($b)?] [$($bas)?] [$($i)?] [$($f)?] [$($ri)?] [$($rf)?] [$($nb)?] [$($u)?] [$($cx)?] }
            )* }
        )* }
    };
}
