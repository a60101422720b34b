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
    F32,
    F64,
}

/// The kind of a Python scalar operand; such scalars are "weak" (NEP 50):
/// they take the array's dtype when its kind can hold them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarKind {
    Bool,
    Int,
    Float,
}

pub const ALL_DTYPES: [DType; 11] = [
    DType::Bool,
    DType::I8,
    DType::I16,
    DType::I32,
    DType::I64,
    DType::U8,
    DType::U16,
    DType::U32,
    DType::U64,
    DType::F32,
    DType::F64,
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
            I16 | U16 => 2,
            I32 | U32 | F32 => 4,
            I64 | U64 | F64 => 8,
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
    pub fn is_float(self) -> bool {
        matches!(self, DType::F32 | DType::F64)
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
            F32 => "float32",
            F64 => "float64",
        }
    }
    pub fn from_name(name: &str) -> Option<DType> {
        ALL_DTYPES.iter().copied().find(|d| d.name() == name).or(match name {
            "bool_" | "?" => Some(DType::Bool),
            "int" | "i8" | "long" => Some(DType::I64),
            "float" | "f8" | "double" => Some(DType::F64),
            "f4" | "single" => Some(DType::F32),
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
    /// (NumPy would pick float16 for 8-bit types; tessera has no float16 and picks float32).
    pub fn float_for(self) -> DType {
        match self {
            DType::F32 | DType::Bool | DType::I8 | DType::U8 | DType::I16 | DType::U16 => DType::F32,
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
    if a.is_float() || b.is_float() {
        let fa = if a.is_float() { a } else { a.float_for() };
        let fb = if b.is_float() { b } else { b.float_for() };
        return if fa == F64 || fb == F64 { F64 } else { F32 };
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
            if array.is_float() {
                array
            } else {
                DType::F64
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
    }

    #[test]
    fn names_round_trip() {
        for d in ALL_DTYPES {
            assert_eq!(DType::from_name(d.name()), Some(d));
        }
    }
}
