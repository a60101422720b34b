//! The operations of the expression graph and their dtype rules (what NumPy's ufunc
//! type resolution would pick). Kernels implement them in tessera-kernels.

use crate::dtype::DType;
use crate::error::Result;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    Neg,
    Abs,
    Sign,
    Square,
    Sqrt,
    Exp,
    Expm1,
    Log,
    Log1p,
    Log2,
    Log10,
    Sin,
    Cos,
    Tan,
    Arcsin,
    Arccos,
    Arctan,
    Sinh,
    Cosh,
    Tanh,
    Floor,
    Ceil,
    Trunc,
    Rint,
    IsNan,
    IsFinite,
    IsInf,
    /// `~x`: bitwise not for integers, logical not for bool.
    Invert,
    LogicalNot,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    TrueDiv,
    FloorDiv,
    Mod,
    Pow,
    Minimum,
    Maximum,
    Arctan2,
    Hypot,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    BitAnd,
    BitOr,
    BitXor,
    LogicalAnd,
    LogicalOr,
    LogicalXor,
}

/// The dtypes of one elementwise step: operands are cast to `compute` first; the kernel
/// maps `compute` values to `out` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Signature {
    pub compute: DType,
    pub out: DType,
}

impl UnaryOp {
    pub fn name(self) -> &'static str {
        use UnaryOp::*;
        match self {
            Neg => "negative",
            Abs => "absolute",
            Sign => "sign",
            Square => "square",
            Sqrt => "sqrt",
            Exp => "exp",
            Expm1 => "expm1",
            Log => "log",
            Log1p => "log1p",
            Log2 => "log2",
            Log10 => "log10",
            Sin => "sin",
            Cos => "cos",
            Tan => "tan",
            Arcsin => "arcsin",
            Arccos => "arccos",
            Arctan => "arctan",
            Sinh => "sinh",
            Cosh => "cosh",
            Tanh => "tanh",
            Floor => "floor",
            Ceil => "ceil",
            Trunc => "trunc",
            Rint => "rint",
            IsNan => "isnan",
            IsFinite => "isfinite",
            IsInf => "isinf",
            Invert => "invert",
            LogicalNot => "logical_not",
        }
    }
    pub const ALL: [UnaryOp; 29] = {
        use UnaryOp::*;
        [
            Neg, Abs, Sign, Square, Sqrt, Exp, Expm1, Log, Log1p, Log2, Log10, Sin, Cos, Tan, Arcsin, Arccos, Arctan,
            Sinh, Cosh, Tanh, Floor, Ceil, Trunc, Rint, IsNan, IsFinite, IsInf, Invert, LogicalNot,
        ]
    };
    pub fn from_name(name: &str) -> Option<UnaryOp> {
        Self::ALL.iter().copied().find(|o| o.name() == name).or(match name {
            "abs" => Some(UnaryOp::Abs),
            "neg" => Some(UnaryOp::Neg),
            "bitwise_not" => Some(UnaryOp::Invert),
            "round" | "around" => Some(UnaryOp::Rint),
            _ => None,
        })
    }
    /// True for the transcendental functions, which compute in floating point.
    fn is_float_fn(self) -> bool {
        use UnaryOp::*;
        matches!(
            self,
            Sqrt | Exp | Expm1 | Log | Log1p | Log2 | Log10 | Sin | Cos | Tan | Arcsin | Arccos | Arctan | Sinh | Cosh
                | Tanh | Floor | Ceil | Trunc | Rint
        )
    }
    pub fn signature(self, input: DType) -> Result<Signature> {
        use UnaryOp::*;
        let same = Signature { compute: input, out: input };
        Ok(match self {
            // NumPy >= 2.3 keeps integer and bool dtypes through floor, ceil and trunc.
            Floor | Ceil | Trunc if !input.is_float() => same,
            _ if self.is_float_fn() => {
                let f = if input.is_float() { input } else { input.float_for() };
                Signature { compute: f, out: f }
            }
            Neg | Sign if input == DType::Bool => {
                crate::bail!(DType, self.name(), "the {} operator is not supported for bool input; use ~ or logical_not", self.name())
            }
            // NumPy has no bool loop for square: bools square as int8.
            Square if input == DType::Bool => Signature { compute: DType::I8, out: DType::I8 },
            Neg | Abs | Sign | Square => same,
            IsNan | IsFinite | IsInf => Signature { compute: input, out: DType::Bool },
            Invert if input.is_float() => {
                crate::bail!(DType, "invert", "bitwise not (~) is not defined for {input}; it needs an integer or bool array")
            }
            Invert => same,
            LogicalNot => Signature { compute: DType::Bool, out: DType::Bool },
            _ => unreachable!("float functions are handled above"),
        })
    }
}

impl BinaryOp {
    pub fn name(self) -> &'static str {
        use BinaryOp::*;
        match self {
            Add => "add",
            Sub => "subtract",
            Mul => "multiply",
            TrueDiv => "true_divide",
            FloorDiv => "floor_divide",
            Mod => "remainder",
            Pow => "power",
            Minimum => "minimum",
            Maximum => "maximum",
            Arctan2 => "arctan2",
            Hypot => "hypot",
            Eq => "equal",
            Ne => "not_equal",
            Lt => "less",
            Le => "less_equal",
            Gt => "greater",
            Ge => "greater_equal",
            BitAnd => "bitwise_and",
            BitOr => "bitwise_or",
            BitXor => "bitwise_xor",
            LogicalAnd => "logical_and",
            LogicalOr => "logical_or",
            LogicalXor => "logical_xor",
        }
    }
    pub const ALL: [BinaryOp; 23] = {
        use BinaryOp::*;
        [
            Add, Sub, Mul, TrueDiv, FloorDiv, Mod, Pow, Minimum, Maximum, Arctan2, Hypot, Eq, Ne, Lt, Le, Gt, Ge, BitAnd,
            BitOr, BitXor, LogicalAnd, LogicalOr, LogicalXor,
        ]
    };
    pub fn from_name(name: &str) -> Option<BinaryOp> {
        Self::ALL.iter().copied().find(|o| o.name() == name).or(match name {
            "divide" => Some(BinaryOp::TrueDiv),
            "mod" => Some(BinaryOp::Mod),
            _ => None,
        })
    }
    pub fn is_comparison(self) -> bool {
        use BinaryOp::*;
        matches!(self, Eq | Ne | Lt | Le | Gt | Ge)
    }
    /// The signature for operands already promoted to `common`.
    pub fn signature(self, common: DType) -> Result<Signature> {
        use BinaryOp::*;
        use DType::*;
        let same = Signature { compute: common, out: common };
        Ok(match self {
            _ if self.is_comparison() => Signature { compute: common, out: Bool },
            LogicalAnd | LogicalOr | LogicalXor => Signature { compute: Bool, out: Bool },
            Add | Mul | Minimum | Maximum => same,
            Sub if common == Bool => {
                crate::bail!(DType, "subtract", "boolean subtract (bool - bool) is not supported; use ^ or logical_xor")
            }
            TrueDiv => {
                let f = if common.is_float() { common } else { F64 };
                Signature { compute: f, out: f }
            }
            Arctan2 | Hypot => {
                let f = if common.is_float() { common } else { common.float_for() };
                Signature { compute: f, out: f }
            }
            Sub | FloorDiv | Mod | Pow if common == Bool => Signature { compute: I8, out: I8 },
            Sub | FloorDiv | Mod | Pow => same,
            BitAnd | BitOr | BitXor if common.is_float() => {
                crate::bail!(DType, self.name(), "bitwise operations need integer or bool operands, got {common}")
            }
            BitAnd | BitOr | BitXor => same,
            _ => unreachable!("comparisons are handled above"),
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReduceOp {
    Sum,
    Prod,
    Min,
    Max,
    Mean,
    /// Variance with the given delta degrees of freedom.
    Var { ddof: u32 },
    Std { ddof: u32 },
    Any,
    All,
    ArgMin,
    ArgMax,
}

impl ReduceOp {
    pub fn name(self) -> &'static str {
        use ReduceOp::*;
        match self {
            Sum => "sum",
            Prod => "prod",
            Min => "min",
            Max => "max",
            Mean => "mean",
            Var { .. } => "var",
            Std { .. } => "std",
            Any => "any",
            All => "all",
            ArgMin => "argmin",
            ArgMax => "argmax",
        }
    }
    /// NumPy's result dtype (`dtype=None`).
    pub fn out_dtype(self, input: DType) -> DType {
        use DType::*;
        use ReduceOp::*;
        match self {
            Sum | Prod => match input {
                Bool | I8 | I16 | I32 | I64 => I64,
                U8 | U16 | U32 | U64 => U64,
                f => f,
            },
            Min | Max => input,
            Mean | Var { .. } | Std { .. } => {
                if input.is_float() {
                    input
                } else {
                    F64
                }
            }
            Any | All => Bool,
            ArgMin | ArgMax => I64,
        }
    }
}
