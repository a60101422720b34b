//! Data types and NumPy's promotion rules (NumPy 2, NEP 50 for Python scalars).

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DType {
    Bool,
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    U64,
    F16,
    F32,
    F64,
    C64,
    C128,
}

/// The kind of a Python scalar operand; such scalars are "weak" (NEP 50):
/// they take the array's dtype when its kind can hold them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarKind {
    Bool,
    Int,
    Float,
    Complex,
}

pub const ALL_DTYPES: [DType; 14] = [
    DType::Bool,
    DType::I8,
    DType::I16,
    DType::I32,
    DType::I64,
    DType::U8,
    DType::U16,
    DType::U32,
    DType::U64,
    DType::F16,
    DType::F32,
    DType::F64,
    DType::C64,
    DType::C128,
];

/// The widest itemsize of any dtype.
pub const MAX_ITEMSIZE: usize = {
    let (mut i, mut m) = (0, 0);
    while i < ALL_DTYPES.len() {
        if ALL_DTYPES[i].size() > m {
            m = ALL_DTYPES[i].size();
        }
        i += 1;
    }
    m
};

impl DType {
    pub const fn size(self) -> usize {
        use DType::*;
        match self {
            Bool | I8 | U8 => 1,
            I16 | U16 | F16 => 2,
            I32 | U32 | F32 => 4,
            I64 | U64 | F64 | C64 => 8,
            C128 => 16,
        }
    }
    pub fn is_bool(self) -> bool {
        self == DType::Bool
    }
    pub fn is_signed_int(self) -> bool {
        matches!(self, DType::I8 | DType::I16 | DType::I32 | DType::I64)
    }
    pub fn is_unsigned_int(self) -> bool {
        matches!(self, DType::U8 | DType::U16 | DType::U32 | DType::U64)
    }
    pub fn is_int(self) -> bool {
        self.is_signed_int() || self.is_unsigned_int()
    }
    /// Real floating point (float16, float32, float64).
    pub fn is_float(self) -> bool {
        matches!(self, DType::F16 | DType::F32 | DType::F64)
    }
    pub fn is_complex(self) -> bool {
        matches!(self, DType::C64 | DType::C128)
    }
    /// Float or complex (inexact, in NumPy's words).
    pub fn is_inexact(self) -> bool {
        self.is_float() || self.is_complex()
    }
    /// The dtype of a complex dtype's parts; any other dtype itself.
    pub fn real_part(self) -> DType {
        match self {
            DType::C64 => DType::F32,
            DType::C128 => DType::F64,
            d => d,
        }
    }
    /// The complex dtype whose parts hold this float (float16 and float32 in complex64).
    pub fn complex_of(self) -> DType {
        match self {
            DType::F64 | DType::C128 => DType::C128,
            DType::F16 | DType::F32 | DType::C64 => DType::C64,
            d => d.float_for().complex_of(),
        }
    }
    /// NumPy's name: `"float64"`, `"int8"`, `"bool"`.
    pub fn name(self) -> &'static str {
        use DType::*;
        match self {
            Bool => "bool",
            I8 => "int8",
            I16 => "int16",
            I32 => "int32",
            I64 => "int64",
            U8 => "uint8",
            U16 => "uint16",
            U32 => "uint32",
            U64 => "uint64",
            F16 => "float16",
            F32 => "float32",
            F64 => "float64",
            C64 => "complex64",
            C128 => "complex128",
        }
    }
    pub fn from_name(name: &str) -> Option<DType> {
        ALL_DTYPES.iter().copied().find(|d| d.name() == name).or(match name {
            "bool_" | "?" => Some(DType::Bool),
            "int" | "i8" | "long" => Some(DType::I64),
            "float" | "f8" | "double" => Some(DType::F64),
            "f4" | "single" => Some(DType::F32),
            "f2" | "half" | "e" => Some(DType::F16),
            "c8" | "csingle" | "F" => Some(DType::C64),
            "c16" | "complex" | "cdouble" | "D" => Some(DType::C128),
            "i4" => Some(DType::I32),
            "i2" => Some(DType::I16),
            "i1" => Some(DType::I8),
            "u8" => Some(DType::U64),
            "u4" => Some(DType::U32),
            "u2" => Some(DType::U16),
            "u1" => Some(DType::U8),
            _ => None,
        })
    }
    fn signed_of_size(size: usize) -> DType {
        match size {
            1 => DType::I8,
            2 => DType::I16,
            4 => DType::I32,
            _ => DType::I64,
        }
    }
    /// The smallest float that holds every value of this dtype exactly as NumPy sees it
    /// (float16 for bool and 8-bit integers; a complex dtype is itself).
    pub fn float_for(self) -> DType {
        match self {
            DType::Bool | DType::I8 | DType::U8 | DType::F16 => DType::F16,
            DType::F32 | DType::I16 | DType::U16 => DType::F32,
            DType::C64 | DType::C128 => self,
            _ => DType::F64,
        }
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `np.result_type(a, b)` for two array dtypes.
pub fn result_type(a: DType, b: DType) -> DType {
    use DType::*;
    if a == b {
        return a;
    }
    if a == Bool {
        return b;
    }
    if b == Bool {
        return a;
    }
    if a.is_inexact() || b.is_inexact() {
        // The wider of the two floats (a complex dtype counts as its parts' float), made
        // complex when either operand is.
        let part = |d: DType| if d.is_inexact() { d.real_part() } else { d.float_for() };
        let f = part(a).max(part(b));
        return if a.is_complex() || b.is_complex() { f.complex_of() } else { f };
    }
    match (a.is_signed_int(), b.is_signed_int()) {
        (true, true) | (false, false) => {
            if a.size() >= b.size() {
                a
            } else {
                b
            }
        }
        _ => {
            let (s, u) = if a.is_signed_int() { (a, b) } else { (b, a) };
            if s.size() > u.size() {
                s
            } else if u.size() < 8 {
                DType::signed_of_size(u.size() * 2)
            } else {
                F64
            }
        }
    }
}

/// The result of an array of dtype `array` combined with a weak Python scalar (NEP 50).
pub fn weak_result_type(array: DType, scalar: ScalarKind) -> DType {
    match scalar {
        ScalarKind::Bool => array,
        ScalarKind::Int => {
            if array == DType::Bool {
                DType::I64
            } else {
                array
            }
        }
        ScalarKind::Float => {
            if array.is_inexact() {
                array
            } else {
                DType::F64
            }
        }
        ScalarKind::Complex => {
            if array.is_inexact() {
                array.complex_of()
            } else {
                DType::C128
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DType::*;

    #[test]
    fn promotion_matches_numpy_table() {
        // Pairs checked against `np.result_type` (NumPy 2.x).
        let cases = [
            (Bool, I8, I8),
            (I8, U8, I16),
            (I16, U16, I32),
            (I32, U32, I64),
            (I64, U64, F64),
            (U8, I64, I64),
            (U32, I16, I64),
            (I8, F32, F32),
            (I16, F32, F32),
            (I32, F32, F64),
            (U64, F32, F64),
            (F32, F64, F64),
            (U8, U16, U16),
            (I64, I8, I64),
            (Bool, F32, F32),
            (I8, F16, F16),
            (U8, F16, F16),
            (I16, F16, F32),
            (I32, F16, F64),
            (F16, F32, F32),
            (Bool, F16, F16),
            (F16, C64, C64),
            (F64, C64, C128),
            (I16, C64, C64),
            (I32, C64, C128),
            (U8, C64, C64),
            (C64, C128, C128),
        ];
        for (a, b, r) in cases {
            assert_eq!(result_type(a, b), r, "{a} {b}");
            assert_eq!(result_type(b, a), r, "{b} {a}");
        }
    }

    #[test]
    fn weak_scalars_follow_nep50() {
        assert_eq!(weak_result_type(I8, ScalarKind::Int), I8);
        assert_eq!(weak_result_type(Bool, ScalarKind::Int), I64);
        assert_eq!(weak_result_type(I32, ScalarKind::Float), F64);
        assert_eq!(weak_result_type(F32, ScalarKind::Float), F32);
        assert_eq!(weak_result_type(U8, ScalarKind::Bool), U8);
        assert_eq!(weak_result_type(F16, ScalarKind::Float), F16);
        assert_eq!(weak_result_type(F16, ScalarKind::Complex), C64);
        assert_eq!(weak_result_type(F32, ScalarKind::Complex), C64);
        assert_eq!(weak_result_type(I8, ScalarKind::Complex), C128);
        assert_eq!(weak_result_type(C64, ScalarKind::Float), C64);
    }

    #[test]
    fn names_round_trip() {
        for d in ALL_DTYPES {
            assert_eq!(DType::from_name(d.name()), Some(d));
        }
    }
}
