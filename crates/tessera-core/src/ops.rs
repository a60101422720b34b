//! The operations of the expression graph and their dtype rules (what NumPy's ufunc
//! type resolution would pick). Kernels implement them in tessera-kernels.

use crate::dtype::DType;
use crate::error::Result;

/// How a ufunc picks the dtype it computes in and the dtype it gives (see [`crate::ufuncs`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// In the operands' dtype, for the families that have a kernel.
    Arith,
    /// In the operands' dtype, integers and bools only.
    Bitwise,
    /// In float: integers and bools in `DType::float_for`.
    FloatFn,
    /// In float: integers and bools in float64 (`true_divide`).
    Divide,
    /// In the operands' dtype, giving bools.
    Predicate,
    /// In the operands' common dtype, giving bools.
    Compare,
    /// In bool.
    Logical,
    /// As `Arith`, but complex operands give their parts' real dtype (`absolute`, `real`).
    ToReal,
}

/// What a ufunc's table row says about dtypes: its class, which dtype families have a
/// kernel, and what bools do without one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UfuncSpec {
    pub class: Class,
    pub bool: bool,
    pub int: bool,
    pub float: bool,
    pub complex: bool,
    /// The dtype bools compute in when there is no bool kernel.
    pub bool_as: Option<DType>,
    /// A hint for the error when bools are refused.
    pub no_bool: Option<&'static str>,
}

/// The dtypes of one elementwise step: operands are cast to `compute` first; the kernel
/// maps `compute` values to `out` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Signature {
    pub compute: DType,
    pub out: DType,
}

impl UfuncSpec {
    /// The signature for operands of (or already promoted to) `input`.
    pub fn signature(self, name: &str, input: DType) -> Result<Signature> {
        use Class::*;
        let same = |d| Signature { compute: d, out: d };
        let compute = match self.class {
            FloatFn | Divide if input.is_complex() && !self.complex => {
                crate::bail!(DType, name, "{name} is not defined for {input} input")
            }
            FloatFn => return Ok(half_in_f32(same(if input.is_inexact() { input } else { input.float_for() }))),
            Divide => return Ok(half_in_f32(same(if input.is_inexact() { input } else { DType::F64 }))),
            Logical => return Ok(Signature { compute: DType::Bool, out: DType::Bool }),
            _ if input.is_bool() => match (self.bool, self.bool_as) {
                (true, _) => input,
                (false, Some(d)) => d,
                (false, None) => {
                    let hint = self.no_bool.map(|h| format!("; {h}")).unwrap_or_default();
                    crate::bail!(DType, name, "the {name} operator is not supported for bool input{hint}")
                }
            },
            _ if (input.is_int() && self.int) || (input.is_float() && self.float) || (input.is_complex() && self.complex) => input,
            Bitwise => crate::bail!(DType, name, "bitwise operations need integer or bool operands, got {input}"),
            _ => crate::bail!(DType, name, "{name} is not defined for {input} input"),
        };
        let out = match self.class {
            Predicate | Compare => DType::Bool,
            ToReal => compute.real_part(),
            _ => compute,
        };
        Ok(half_in_f32(Signature { compute, out }))
    }
}

/// float16 computes in float32 and rounds back (as NumPy's half loops do): kernels never
/// see float16; the caller casts operands to float32, the kernel writes float16.
fn half_in_f32(sig: Signature) -> Signature {
    if sig.compute == DType::F16 {
        Signature { compute: DType::F32, out: sig.out }
    } else {
        sig
    }
}

macro_rules! present {
    () => {
        false
    };
    ($($t:tt)+) => {
        true
    };
}

macro_rules! optional {
    () => {
        None
    };
    ($e:expr) => {
        Some($e)
    };
}

/// The op enums and their tables, from the rows of [`crate::ufunc_table`].
macro_rules! ufunc_ops {
    ([] $(
        $kind:ident { $(
            $v:ident $m:ident $n:literal {
                [$($a:literal)*] $c:ident [$($b:expr)?] [$($bas:ident)?] [$($i:expr)?] [$($f:expr)?] $ri:tt $rf:tt [$($nb:literal)?] $u:tt [$($cx:expr)?]
            }
        )* }
    )*) => {$(
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $kind {
            $($v,)*
        }

        impl $kind {
            pub const ALL: [$kind; [$($n),*].len()] = [$($kind::$v),*];

            /// NumPy's name.
            pub fn name(self) -> &'static str {
                match self {
                    $($kind::$v => $n,)*
                }
            }
            /// By NumPy's name or an alias (`abs`, `divide`, ...).
            pub fn from_name(name: &str) -> Option<$kind> {
                match name {
                    $($n $(| $a)* => Some($kind::$v),)*
                    _ => None,
                }
            }
            pub fn spec(self) -> UfuncSpec {
                match self {
                    $($kind::$v => UfuncSpec {
                        class: Class::$c,
                        bool: present!($($b)?),
                        int: present!($($i)?),
                        float: present!($($f)?),
                        complex: present!($($cx)?),
                        bool_as: optional!($(DType::$bas)?),
                        no_bool: optional!($($nb)?),
                    },)*
                }
            }
            pub fn class(self) -> Class {
                self.spec().class
            }
        }
    )*};
}

crate::ufunc_table!(ufunc_ops);

impl UnaryOp {
    pub fn signature(self, input: DType) -> Result<Signature> {
        self.spec().signature(self.name(), input)
    }
}

impl BinaryOp {
    pub fn is_comparison(self) -> bool {
        self.class() == Class::Compare
    }
    /// The signature for operands already promoted to `common`.
    pub fn signature(self, common: DType) -> Result<Signature> {
        self.spec().signature(self.name(), common)
    }
}

/// The reduction table: every reduction listed once. A row is `Variant { param }?
/// "name" => State, output dtype rule, flags;`. `State` names the type in tessera-exec's
/// `reductions` module that accumulates, merges, finalises and encodes it (several rows
/// may share one); `param` is an integer argument (`ddof`). From the rows come `ReduceOp`,
/// its names and flags here, the partial results in tessera-exec, the Rust methods, and
/// the Python methods and functions (`_core.REDUCTIONS`).
///
/// Expands `$callback! { [extra tokens] rows }`.
#[macro_export]
macro_rules! reduction_table {
    ($callback:ident $(, $extra:tt)*) => {
        $callback! { [$($extra)*]
            Sum sum sum_axis "sum" => Sum, $crate::ops::sum_dtype, DTYPE_ARG;
            Prod prod prod_axis "prod" => Prod, $crate::ops::sum_dtype, DTYPE_ARG;
            NanSum nansum nansum_axis "nansum" => NanSum, $crate::ops::sum_dtype, DTYPE_ARG;
            Min min min_axis "min" => Min, |d| d, NO_IDENTITY;
            Max max max_axis "max" => Max, |d| d, NO_IDENTITY;
            Mean mean mean_axis "mean" => Mean, $crate::ops::mean_dtype, DTYPE_ARG;
            // Variance with `ddof` delta degrees of freedom.
            Var { ddof } var var_axis "var" => Var, $crate::ops::var_dtype, DTYPE_ARG;
            Std { ddof } std std_axis "std" => Var, $crate::ops::var_dtype, DTYPE_ARG;
            Any any any_axis "any" => Any, |_| DType::Bool, 0;
            All all all_axis "all" => All, |_| DType::Bool, 0;
            // Ties go to the first index: runs keep C order.
            ArgMin argmin argmin_axis "argmin" => ArgMin, |_| DType::I64, NO_IDENTITY | ONE_AXIS | C_ORDER;
            ArgMax argmax argmax_axis "argmax" => ArgMax, |_| DType::I64, NO_IDENTITY | ONE_AXIS | C_ORDER;
            // NumPy's nan-functions: the base reduction over the values that are not NaN.
            NanProd nanprod nanprod_axis "nanprod" => NanProd, $crate::ops::sum_dtype, DTYPE_ARG;
            NanMin nanmin nanmin_axis "nanmin" => NanMin, |d| d, NO_IDENTITY;
            NanMax nanmax nanmax_axis "nanmax" => NanMax, |d| d, NO_IDENTITY;
            NanMean nanmean nanmean_axis "nanmean" => NanMean, $crate::ops::mean_dtype, DTYPE_ARG;
            NanVar { ddof } nanvar nanvar_axis "nanvar" => NanVar, $crate::ops::mean_dtype, DTYPE_ARG;
            NanStd { ddof } nanstd nanstd_axis "nanstd" => NanVar, $crate::ops::mean_dtype, DTYPE_ARG;
            NanArgMin nanargmin nanargmin_axis "nanargmin" => NanArgMin, |_| DType::I64, NO_IDENTITY | ONE_AXIS | C_ORDER;
            NanArgMax nanargmax nanargmax_axis "nanargmax" => NanArgMax, |_| DType::I64, NO_IDENTITY | ONE_AXIS | C_ORDER;
        }
    };
}

/// Flags of a reduction's row in [`reduction_table`].
pub mod reduce_flags {
    /// An empty reduction is an error (no identity).
    pub const NO_IDENTITY: u8 = 1;
    /// One axis or all of them.
    pub const ONE_AXIS: u8 = 2;
    /// Fused tasks feed the values in C order (not along a longer reduced axis).
    pub const C_ORDER: u8 = 4;
    /// The NumPy function takes `dtype=` (the input is cast first).
    pub const DTYPE_ARG: u8 = 8;
}

/// NumPy's accumulator dtype for sums and products.
/// Variances are real: complex gives its parts' dtype.
pub fn var_dtype(input: DType) -> DType {
    mean_dtype(input).real_part()
}

pub fn sum_dtype(input: DType) -> DType {
    use DType::*;
    match input {
        Bool | I8 | I16 | I32 | I64 => I64,
        U8 | U16 | U32 | U64 => U64,
        f => f,
    }
}

/// Means: floats and complex keep their dtype, the rest give float64.
pub fn mean_dtype(input: DType) -> DType {
    if input.is_inexact() {
        input
    } else {
        DType::F64
    }
}

macro_rules! reduce_ops {
    ([] $($v:ident $({ $p:ident })? $m:ident $ma:ident $n:literal => $state:ident, $out:expr, $flags:expr;)*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum ReduceOp {
            $($v $({ $p: u32 })?,)*
        }

        impl ReduceOp {
            /// Every reduction (parameters 0).
            pub const ALL: [ReduceOp; [$($n),*].len()] = [$(ReduceOp::$v $({ $p: 0 })?),*];

            pub fn name(self) -> &'static str {
                match self {
                    $(ReduceOp::$v { .. } => $n,)*
                }
            }
            /// By name, with the integer parameter of those that take one (`ddof`).
            pub fn from_name(name: &str, param: u32) -> Option<ReduceOp> {
                match name {
                    $($n => Some(ReduceOp::$v $({ $p: param })?),)*
                    _ => None,
                }
            }
            /// The name of the integer parameter, for those that take one.
            pub fn param_name(self) -> Option<&'static str> {
                match self {
                    $(ReduceOp::$v { .. } => None $(.or(Some(stringify!($p))))?,)*
                }
            }
            /// The integer parameter (0 for those that take none).
            pub fn param(self) -> u32 {
                match self {
                    $(ReduceOp::$v { $($p,)? .. } => 0 $(+ $p)?,)*
                }
            }
            /// Position in [`ReduceOp::ALL`].
            pub fn index(self) -> usize {
                Self::ALL.iter().position(|o| o.name() == self.name()).expect("every op is in ALL")
            }
            /// NumPy's result dtype (`dtype=None`).
            pub fn out_dtype(self, input: DType) -> DType {
                let rule: fn(DType) -> DType = match self {
                    $(ReduceOp::$v { .. } => $out,)*
                };
                rule(input)
            }
            fn flags(self) -> u8 {
                use reduce_flags::*;
                match self {
                    $(ReduceOp::$v { .. } => $flags,)*
                }
            }
        }
    };
}

crate::reduction_table!(reduce_ops);

impl ReduceOp {
    /// Whether an empty reduction is an error.
    pub fn needs_identity(self) -> bool {
        self.flags() & reduce_flags::NO_IDENTITY != 0
    }
    /// Whether it takes one axis or all of them.
    pub fn one_axis(self) -> bool {
        self.flags() & reduce_flags::ONE_AXIS != 0
    }
    /// Whether fused tasks must feed values in C order.
    pub fn c_order(self) -> bool {
        self.flags() & reduce_flags::C_ORDER != 0
    }
    /// Whether the NumPy function takes `dtype=`.
    pub fn takes_dtype(self) -> bool {
        self.flags() & reduce_flags::DTYPE_ARG != 0
    }
}
