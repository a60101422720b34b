//! Chunk data: typed buffers, the `Element` trait, and `Block`, a strided view
//! into shared storage (so slices, transposes and broadcasts of a chunk are free).

use crate::dtype::DType;
use crate::numtypes::{c128, c64, f16};
use std::any::Any;
use std::sync::Arc;

/// Expands `$body` once per dtype with `$T` bound to the Rust element type.
#[macro_export]
macro_rules! with_dtype {
    ($dt:expr, $T:ident => $body:expr) => {{
        use $crate::dtype::DType as __D;
        match $dt {
            __D::Bool => { type $T = bool; $body }
            __D::I8 => { type $T = i8; $body }
            __D::I16 => { type $T = i16; $body }
            __D::I32 => { type $T = i32; $body }
            __D::I64 => { type $T = i64; $body }
            __D::U8 => { type $T = u8; $body }
            __D::U16 => { type $T = u16; $body }
            __D::U32 => { type $T = u32; $body }
            __D::U64 => { type $T = u64; $body }
            __D::F16 => { type $T = $crate::numtypes::f16; $body }
            __D::F32 => { type $T = f32; $body }
            __D::F64 => { type $T = f64; $body }
            __D::C64 => { type $T = $crate::numtypes::c64; $body }
            __D::C128 => { type $T = $crate::numtypes::c128; $body }
        }
    }};
}

/// A typed, owned, contiguous buffer. Also the register type of fused tile programs.
#[derive(Clone, Debug, PartialEq)]
pub enum Buffer {
    Bool(Vec<bool>),
    I8(Vec<i8>),
    I16(Vec<i16>),
    I32(Vec<i32>),
    I64(Vec<i64>),
    U8(Vec<u8>),
    U16(Vec<u16>),
    U32(Vec<u32>),
    U64(Vec<u64>),
    F16(Vec<f16>),
    F32(Vec<f32>),
    F64(Vec<f64>),
    C64(Vec<c64>),
    C128(Vec<c128>),
}

/// Defines a borrowed-slice enum with one variant per dtype, and its `dtype` and `len`.
macro_rules! slice_enum {
    ($(#[$m:meta])* $name:ident, $($r:tt)+) => {
        $(#[$m])*
        pub enum $name<'a> {
            Bool($($r)+ [bool]),
            I8($($r)+ [i8]),
            I16($($r)+ [i16]),
            I32($($r)+ [i32]),
            I64($($r)+ [i64]),
            U8($($r)+ [u8]),
            U16($($r)+ [u16]),
            U32($($r)+ [u32]),
            U64($($r)+ [u64]),
            F16($($r)+ [f16]),
            F32($($r)+ [f32]),
            F64($($r)+ [f64]),
            C64($($r)+ [c64]),
            C128($($r)+ [c128]),
        }

        impl $name<'_> {
            pub fn dtype(&self) -> DType {
                match self {
                    $name::Bool(_) => DType::Bool,
                    $name::I8(_) => DType::I8,
                    $name::I16(_) => DType::I16,
                    $name::I32(_) => DType::I32,
                    $name::I64(_) => DType::I64,
                    $name::U8(_) => DType::U8,
                    $name::U16(_) => DType::U16,
                    $name::U32(_) => DType::U32,
                    $name::U64(_) => DType::U64,
                    $name::F16(_) => DType::F16,
                    $name::F32(_) => DType::F32,
                    $name::F64(_) => DType::F64,
                    $name::C64(_) => DType::C64,
                    $name::C128(_) => DType::C128,
                }
            }
            pub fn len(&self) -> usize {
                match self {
                    $name::Bool(v) => v.len(),
                    $name::I8(v) => v.len(),
                    $name::I16(v) => v.len(),
                    $name::I32(v) => v.len(),
                    $name::I64(v) => v.len(),
                    $name::U8(v) => v.len(),
                    $name::U16(v) => v.len(),
                    $name::U32(v) => v.len(),
                    $name::U64(v) => v.len(),
                    $name::F16(v) => v.len(),
                    $name::F32(v) => v.len(),
                    $name::F64(v) => v.len(),
                    $name::C64(v) => v.len(),
                    $name::C128(v) => v.len(),
                }
            }
            pub fn is_empty(&self) -> bool {
                self.len() == 0
            }
        }
    };
}

slice_enum!(
    /// Elements of one dtype read in place: a tile register, or a contiguous stretch of an
    /// input block that a tile reads without copying it.
    #[derive(Clone, Copy, Debug)]
    BufRef, &'a
);
slice_enum!(
    /// Elements of one dtype written in place: a tile register, or the stretch of a result
    /// that a tile writes directly.
    #[derive(Debug)]
    BufMut, &'a mut
);

impl<'a> From<&'a Buffer> for BufRef<'a> {
    fn from(b: &'a Buffer) -> BufRef<'a> {
        crate::with_dtype!(b.dtype(), T => T::buf_ref(T::slice(b)))
    }
}

impl<'a> From<&'a mut Buffer> for BufMut<'a> {
    fn from(b: &'a mut Buffer) -> BufMut<'a> {
        crate::with_dtype!(b.dtype(), T => T::buf_mut(T::slice_mut(b)))
    }
}

/// One value of any dtype.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub enum Scalar {
    Bool(bool),
    I8(i8),
    I16(i16),
    I32(i32),
    I64(i64),
    U8(u8),
    U16(u16),
    U32(u32),
    U64(u64),
    F16(f16),
    F32(f32),
    F64(f64),
    C64(c64),
    C128(c128),
}

/// A Rust type that stores one tessera dtype.
pub trait Element: Copy + Send + Sync + Default + PartialOrd + PartialEq + std::fmt::Debug + 'static {
    const DTYPE: DType;
    fn into_buffer(v: Vec<Self>) -> Buffer;
    fn slice(b: &Buffer) -> &[Self];
    fn slice_mut(b: &mut Buffer) -> &mut [Self];
    fn vec_mut(b: &mut Buffer) -> &mut Vec<Self>;
    fn buf_ref(s: &[Self]) -> BufRef<'_>;
    fn buf_mut(s: &mut [Self]) -> BufMut<'_>;
    /// The elements of a [`BufRef`] of this dtype (panics on another dtype).
    fn slice_ref(b: BufRef<'_>) -> &[Self];
    fn slice_of_mut<'s>(b: &'s mut BufMut<'_>) -> &'s mut [Self];
    fn into_scalar(self) -> Scalar;
    /// NumPy's `astype` semantics (see [`NpFromFloat`]; float to bool is `!= 0`).
    fn from_f64(v: f64) -> Self;
    fn from_i64(v: i64) -> Self;
    fn from_u64(v: u64) -> Self;
    fn to_f64(self) -> f64;
    /// From a complex value: the real part for real types (NumPy drops the imaginary part),
    /// `!= 0` for bool.
    fn from_c128(v: c128) -> Self {
        Self::from_f64(v.re)
    }
    /// As a complex value (imaginary part 0 for real types).
    fn to_c128(self) -> c128 {
        c128 { re: self.to_f64(), im: 0.0 }
    }
}


/// Float to integer as NumPy's C casts run on x86-64 (`cvttsd2si`): truncation, with NaN
/// and out-of-range values giving the "integer indefinite" `MIN` of the 32- or 64-bit
/// conversion, which narrower types then wrap. NumPy's SIMD loop for float to uint32 differs
/// for out-of-range values by position in the array (4-element blocks against the tail);
/// this is the scalar (tail, strided) path's answer there.
pub trait NpFromFloat {
    fn np_from_f64(v: f64) -> Self;
}

#[inline(always)]
fn cvtt32(v: f64) -> i32 {
    if v > -2147483649.0 && v < 2147483648.0 { v as i32 } else { i32::MIN }
}

#[inline(always)]
fn cvtt64(v: f64) -> i64 {
    if (-9223372036854775808.0..9223372036854775808.0).contains(&v) { v as i64 } else { i64::MIN }
}

macro_rules! np_from_float {
    ($($t:ty: $via:ident),*) => {$(
        impl NpFromFloat for $t {
            #[inline(always)]
            fn np_from_f64(v: f64) -> Self {
                $via(v) as $t
            }
        }
    )*};
}
np_from_float!(i8: cvtt32, i16: cvtt32, i32: cvtt32, u8: cvtt32, u16: cvtt32, i64: cvtt64, u32: cvtt64);

impl NpFromFloat for u64 {
    /// Above `i64::MAX` the value is shifted down by 2^63 first (as compilers lower it).
    #[inline(always)]
    fn np_from_f64(v: f64) -> Self {
        if v >= 9223372036854775808.0 { (cvtt64(v - 9223372036854775808.0) ^ i64::MIN) as u64 } else { cvtt64(v) as u64 }
    }
}

impl NpFromFloat for f32 {
    #[inline(always)]
    fn np_from_f64(v: f64) -> Self {
        v as f32
    }
}

impl NpFromFloat for f64 {
    #[inline(always)]
    fn np_from_f64(v: f64) -> Self {
        v
    }
}

/// `Element` for a numeric type: the buffer plumbing, with the conversions given (Rust `as`
/// casts for the primitive types; `f16` and complex give theirs).
macro_rules! impl_element_by {
    (@prim $($t:ty: $V:ident),*) => {$(
        impl_element_by!(@full $t, $V, |v| <$t as NpFromFloat>::np_from_f64(v), |v| v as $t, |v| v as $t, |s| s as f64;);
    )*};
    ($t:ty, $V:ident, |$v:ident| $from_f64:expr, |$s:ident| $to_f64:expr, |$z:ident| $from_c:expr, |$w:ident| $to_c:expr) => {
        impl_element_by!(@full $t, $V, |$v| $from_f64, |v| Self::from_f64(v as f64), |v| Self::from_f64(v as f64), |$s| $to_f64;
            fn from_c128($z: c128) -> Self {
                $from_c
            }
            fn to_c128(self) -> c128 {
                let $w = self;
                $to_c
            });
    };
    // Integers go through `from_i`/`from_u` (one rounding, as NumPy).
    (@full $t:ty, $V:ident, |$v:ident| $from_f64:expr, |$i:ident| $from_i:expr, |$u:ident| $from_u:expr, |$s:ident| $to_f64:expr; $($extra:tt)*) => {
        impl Element for $t {
            const DTYPE: DType = DType::$V;
            fn into_buffer(v: Vec<Self>) -> Buffer {
                Buffer::$V(v)
            }
            fn slice(b: &Buffer) -> &[Self] {
                match b {
                    Buffer::$V(v) => v,
                    other => panic!("buffer is {}, expected {}", other.dtype(), DType::$V),
                }
            }
            fn slice_mut(b: &mut Buffer) -> &mut [Self] {
                Self::vec_mut(b)
            }
            fn vec_mut(b: &mut Buffer) -> &mut Vec<Self> {
                match b {
                    Buffer::$V(v) => v,
                    other => panic!("buffer is {}, expected {}", other.dtype(), DType::$V),
                }
            }
            fn buf_ref(s: &[Self]) -> BufRef<'_> {
                BufRef::$V(s)
            }
            fn buf_mut(s: &mut [Self]) -> BufMut<'_> {
                BufMut::$V(s)
            }
            fn slice_ref(b: BufRef<'_>) -> &[Self] {
                match b {
                    BufRef::$V(v) => v,
                    other => panic!("buffer is {}, expected {}", other.dtype(), DType::$V),
                }
            }
            fn slice_of_mut<'s>(b: &'s mut BufMut<'_>) -> &'s mut [Self] {
                match b {
                    BufMut::$V(v) => v,
                    other => panic!("buffer is {}, expected {}", other.dtype(), DType::$V),
                }
            }
            fn into_scalar(self) -> Scalar {
                Scalar::$V(self)
            }
            fn from_f64($v: f64) -> Self {
                $from_f64
            }
            fn from_i64($i: i64) -> Self {
                $from_i
            }
            fn from_u64($u: u64) -> Self {
                $from_u
            }
            fn to_f64(self) -> f64 {
                let $s = self;
                $to_f64
            }
            $($extra)*
        }
    };
}
impl_element_by!(@prim i8: I8, i16: I16, i32: I32, i64: I64, u8: U8, u16: U16, u32: U32, u64: U64, f32: F32, f64: F64);
impl_element_by!(f16, F16, |v| f16::from_f64(v), |s| s.to_f64(), |z| f16::from_f64(z.re), |w| c128 { re: w.to_f64(), im: 0.0 });
impl_element_by!(c64, C64, |v| c64 { re: v as f32, im: 0.0 }, |s| s.re as f64, |z| c64 { re: z.re as f32, im: z.im as f32 }, |w| c128 { re: w.re as f64, im: w.im as f64 });
impl_element_by!(c128, C128, |v| c128 { re: v, im: 0.0 }, |s| s.re, |z| z, |w| w);

impl Element for bool {
    const DTYPE: DType = DType::Bool;
    fn into_buffer(v: Vec<Self>) -> Buffer {
        Buffer::Bool(v)
    }
    fn slice(b: &Buffer) -> &[Self] {
        match b {
            Buffer::Bool(v) => v,
            other => panic!("buffer is {}, expected bool", other.dtype()),
        }
    }
    fn slice_mut(b: &mut Buffer) -> &mut [Self] {
        Self::vec_mut(b)
    }
    fn vec_mut(b: &mut Buffer) -> &mut Vec<Self> {
        match b {
            Buffer::Bool(v) => v,
            other => panic!("buffer is {}, expected bool", other.dtype()),
        }
    }
    fn buf_ref(s: &[Self]) -> BufRef<'_> {
        BufRef::Bool(s)
    }
    fn buf_mut(s: &mut [Self]) -> BufMut<'_> {
        BufMut::Bool(s)
    }
    fn slice_ref(b: BufRef<'_>) -> &[Self] {
        match b {
            BufRef::Bool(v) => v,
            other => panic!("buffer is {}, expected bool", other.dtype()),
        }
    }
    fn slice_of_mut<'s>(b: &'s mut BufMut<'_>) -> &'s mut [Self] {
        match b {
            BufMut::Bool(v) => v,
            other => panic!("buffer is {}, expected bool", other.dtype()),
        }
    }
    fn into_scalar(self) -> Scalar {
        Scalar::Bool(self)
    }
    fn from_f64(v: f64) -> Self {
        v != 0.0
    }
    fn from_i64(v: i64) -> Self {
        v != 0
    }
    fn from_u64(v: u64) -> Self {
        v != 0
    }
    fn to_f64(self) -> f64 {
        self as u8 as f64
    }
    fn from_c128(v: c128) -> Self {
        v.re != 0.0 || v.im != 0.0
    }
}

impl Buffer {
    pub fn dtype(&self) -> DType {
        match self {
            Buffer::Bool(_) => DType::Bool,
            Buffer::I8(_) => DType::I8,
            Buffer::I16(_) => DType::I16,
            Buffer::I32(_) => DType::I32,
            Buffer::I64(_) => DType::I64,
            Buffer::U8(_) => DType::U8,
            Buffer::U16(_) => DType::U16,
            Buffer::U32(_) => DType::U32,
            Buffer::U64(_) => DType::U64,
            Buffer::F16(_) => DType::F16,
            Buffer::F32(_) => DType::F32,
            Buffer::F64(_) => DType::F64,
            Buffer::C64(_) => DType::C64,
            Buffer::C128(_) => DType::C128,
        }
    }
    pub fn len(&self) -> usize {
        crate::with_dtype!(self.dtype(), T => T::slice(self).len())
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// A buffer of `len` default (zero) values.
    pub fn zeros(dtype: DType, len: usize) -> Buffer {
        crate::with_dtype!(dtype, T => T::into_buffer(vec![T::default(); len]))
    }
    /// Like `zeros`, but an allocation the system refuses is an error (which Python raises
    /// as `MemoryError`) instead of aborting the process.
    pub fn try_zeros(dtype: DType, len: usize, op: &str) -> crate::Result<Buffer> {
        crate::with_dtype!(dtype, T => try_zeroed_vec::<T>(len).map(T::into_buffer)).ok_or_else(|| refused(dtype, len, op))
    }
    /// A buffer of `len` elements for the caller to overwrite entirely: a recently freed
    /// one of the same dtype and length where there is one (its old values; see [`pool`]),
    /// else zeros.
    pub fn try_for_overwrite(dtype: DType, len: usize, op: &str) -> crate::Result<Buffer> {
        match pool::take(dtype, len) {
            Some(b) => Ok(b),
            None => Buffer::try_zeros(dtype, len, op),
        }
    }
    /// A buffer of `len` copies of `value` cast to `dtype`.
    pub fn filled(dtype: DType, len: usize, value: Scalar) -> Buffer {
        crate::with_dtype!(dtype, T => T::into_buffer(vec![value.cast::<T>(); len]))
    }
    pub fn get(&self, i: usize) -> Scalar {
        crate::with_dtype!(self.dtype(), T => T::slice(self)[i].into_scalar())
    }
}

impl Scalar {
    pub fn dtype(&self) -> DType {
        match self {
            Scalar::Bool(_) => DType::Bool,
            Scalar::I8(_) => DType::I8,
            Scalar::I16(_) => DType::I16,
            Scalar::I32(_) => DType::I32,
            Scalar::I64(_) => DType::I64,
            Scalar::U8(_) => DType::U8,
            Scalar::U16(_) => DType::U16,
            Scalar::U32(_) => DType::U32,
            Scalar::U64(_) => DType::U64,
            Scalar::F16(_) => DType::F16,
            Scalar::F32(_) => DType::F32,
            Scalar::F64(_) => DType::F64,
            Scalar::C64(_) => DType::C64,
            Scalar::C128(_) => DType::C128,
        }
    }
    /// NumPy `astype` of one value.
    pub fn cast<T: Element>(self) -> T {
        match self {
            Scalar::Bool(v) => T::from_u64(v as u64),
            Scalar::I8(v) => T::from_i64(v as i64),
            Scalar::I16(v) => T::from_i64(v as i64),
            Scalar::I32(v) => T::from_i64(v as i64),
            Scalar::I64(v) => T::from_i64(v),
            Scalar::U8(v) => T::from_u64(v as u64),
            Scalar::U16(v) => T::from_u64(v as u64),
            Scalar::U32(v) => T::from_u64(v as u64),
            Scalar::U64(v) => T::from_u64(v),
            Scalar::F16(v) => T::from_f64(v.to_f64()),
            Scalar::F32(v) => T::from_f64(v as f64),
            Scalar::F64(v) => T::from_f64(v),
            Scalar::C64(v) => T::from_c128(v.to_c128()),
            Scalar::C128(v) => T::from_c128(v),
        }
    }
    pub fn cast_to(self, dtype: DType) -> Scalar {
        crate::with_dtype!(dtype, T => self.cast::<T>().into_scalar())
    }
    pub fn to_f64(self) -> f64 {
        self.cast::<f64>()
    }
}

/// Where a block's elements live: an owned buffer, or memory owned by someone else
/// (a NumPy array) kept alive by `keep`.
pub enum Storage {
    Owned(Buffer),
    Foreign { ptr: *const u8, dtype: DType, keep: Box<dyn Any + Send + Sync> },
}

impl Drop for Storage {
    fn drop(&mut self) {
        if let Storage::Owned(b) = self {
            pool::give(std::mem::replace(b, Buffer::Bool(Vec::new())));
        }
    }
}

/// Large buffers freed recently, kept for results of the same dtype and length: writing
/// into memory the process has already touched spares the kernel zeroing fresh pages, a
/// pass as long as the result's own (NumPy gets the same from malloc, which reuses freed
/// memory on the thread that freed it; tessera's results are made on worker threads and
/// freed on the caller's). Bounded by count and bytes; the oldest go first.
pub mod pool {
    use super::Buffer;
    use crate::DType;
    use std::sync::Mutex;

    /// Smaller buffers are left to malloc, which reuses them well.
    const MIN_BYTES: usize = 1 << 20;
    const MAX_BYTES: usize = 256 << 20;
    const MAX_COUNT: usize = 8;

    static FREE: Mutex<Vec<Buffer>> = Mutex::new(Vec::new());

    fn nbytes(b: &Buffer) -> usize {
        b.len() * b.dtype().size()
    }

    /// Keeps `b` for reuse if it is large, dropping the oldest kept buffers to stay bounded.
    pub fn give(b: Buffer) {
        let size = nbytes(&b);
        if !(MIN_BYTES..=MAX_BYTES).contains(&size) {
            return;
        }
        let mut free = FREE.lock().unwrap_or_else(|e| e.into_inner());
        free.push(b);
        let mut total: usize = free.iter().map(nbytes).sum();
        while free.len() > MAX_COUNT || total > MAX_BYTES {
            total -= nbytes(&free.remove(0));
        }
    }

    /// A kept buffer of this dtype and length (holding old values), if any.
    pub fn take(dtype: DType, len: usize) -> Option<Buffer> {
        if len * dtype.size() < MIN_BYTES {
            return None;
        }
        let mut free = FREE.lock().unwrap_or_else(|e| e.into_inner());
        let i = free.iter().rposition(|b| b.dtype() == dtype && b.len() == len)?;
        Some(free.remove(i))
    }
}

// Foreign storage is read-only and kept alive by `keep`; sharing it across threads is sound.
unsafe impl Send for Storage {}
unsafe impl Sync for Storage {}

impl Storage {
    fn base_ptr(&self) -> *const u8 {
        match self {
            Storage::Owned(b) => crate::with_dtype!(b.dtype(), T => T::slice(b).as_ptr() as *const u8),
            Storage::Foreign { ptr, .. } => *ptr,
        }
    }
}

/// An N-d strided view (strides in elements, possibly negative or zero) into shared storage.
#[derive(Clone)]
pub struct Block {
    dtype: DType,
    shape: Vec<usize>,
    strides: Vec<isize>,
    offset: isize,
    storage: Arc<Storage>,
}

impl std::fmt::Debug for Block {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Block({} {:?} strides {:?})", self.dtype, self.shape, self.strides)
    }
}

pub fn c_strides(shape: &[usize]) -> Vec<isize> {
    let mut strides = vec![0isize; shape.len()];
    let mut s = 1isize;
    for i in (0..shape.len()).rev() {
        strides[i] = s;
        s *= shape[i].max(1) as isize;
    }
    strides
}

impl Block {
    /// A C-contiguous block owning `buffer`, which must hold `product(shape)` elements.
    pub fn from_buffer(shape: Vec<usize>, buffer: Buffer) -> Block {
        assert_eq!(shape.iter().product::<usize>(), buffer.len(), "block shape and buffer length");
        Block { dtype: buffer.dtype(), strides: c_strides(&shape), shape, offset: 0, storage: Arc::new(Storage::Owned(buffer)) }
    }
    pub fn from_vec<T: Element>(shape: Vec<usize>, v: Vec<T>) -> Block {
        Block::from_buffer(shape, T::into_buffer(v))
    }
    pub fn scalar(s: Scalar) -> Block {
        Block::from_buffer(vec![], Buffer::filled(s.dtype(), 1, s))
    }
    /// A view of foreign memory.
    ///
    /// # Safety
    /// `ptr` offset by `offset + sum(i_k * strides[k])` must be a valid, aligned element of
    /// `dtype` for every index in `shape`, and stay valid and unmodified while `keep` lives.
    pub unsafe fn foreign(
        ptr: *const u8,
        dtype: DType,
        shape: Vec<usize>,
        strides: Vec<isize>,
        offset: isize,
        keep: Box<dyn Any + Send + Sync>,
    ) -> Block {
        Block { dtype, shape, strides, offset, storage: Arc::new(Storage::Foreign { ptr, dtype, keep }) }
    }
    pub fn dtype(&self) -> DType {
        self.dtype
    }
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }
    pub fn strides(&self) -> &[isize] {
        &self.strides
    }
    pub fn ndim(&self) -> usize {
        self.shape.len()
    }
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    pub fn nbytes(&self) -> usize {
        self.len() * self.dtype.size()
    }
    /// Pointer to element `[0, 0, ...]`.
    pub fn ptr<T: Element>(&self) -> *const T {
        assert_eq!(T::DTYPE, self.dtype, "block dtype");
        // SAFETY: offset stays inside the storage for non-empty views by construction.
        unsafe { (self.storage.base_ptr() as *const T).offset(self.offset) }
    }
    pub fn is_c_contiguous(&self) -> bool {
        let mut expect = 1isize;
        for i in (0..self.shape.len()).rev() {
            if self.shape[i] != 1 && self.strides[i] != expect {
                return self.len() == 0;
            }
            expect *= self.shape[i] as isize;
        }
        true
    }
    /// The elements in C order, without a copy when the view is contiguous.
    pub fn as_slice<T: Element>(&self) -> Option<&[T]> {
        if !self.is_c_contiguous() {
            return None;
        }
        if self.is_empty() {
            return Some(&[]);
        }
        // SAFETY: contiguous view of `len` valid elements.
        Some(unsafe { std::slice::from_raw_parts(self.ptr::<T>(), self.len()) })
    }
    /// The elements in C order, copied.
    pub fn to_vec<T: Element>(&self) -> Vec<T> {
        // Large copies go to fresh zeroed memory (huge-page backed, see `try_zeroed_vec`).
        let big = self.nbytes() >= HUGE_PAGE_THRESHOLD;
        let mut out = match big {
            true => try_zeroed_vec::<T>(self.len()).unwrap_or_else(|| vec![T::default(); self.len()]),
            false => Vec::with_capacity(self.len()),
        };
        let mut at = 0;
        let mut put = |src: &[T]| {
            if big {
                out[at..at + src.len()].copy_from_slice(src);
            } else {
                out.extend_from_slice(src);
            }
            at += src.len();
        };
        if let Some(s) = self.as_slice::<T>() {
            put(s);
            return out;
        }
        self.for_each_run(|ptr, stride, n| {
            // SAFETY: the run of `n` elements `stride` apart lies inside the view.
            unsafe {
                if stride == 1 {
                    put(std::slice::from_raw_parts(ptr as *const T, n));
                } else {
                    for k in 0..n {
                        put(std::slice::from_ref(&*(ptr as *const T).offset(k as isize * stride)));
                    }
                }
            }
        });
        out
    }
    /// The block as a contiguous owned buffer (copied unless it already is one).
    pub fn to_buffer(&self) -> Buffer {
        crate::with_dtype!(self.dtype, T => T::into_buffer(self.to_vec::<T>()))
    }
    /// Whether this block is the whole of a buffer tessera owns (not a view of part of one,
    /// nor of foreign memory such as a NumPy array).
    pub fn owns_its_memory(&self) -> bool {
        matches!(&*self.storage, Storage::Owned(b) if b.len() == self.len()) && self.offset == 0 && self.is_c_contiguous()
    }
    /// This block as a block that owns its memory (a copy unless it already does).
    pub fn owned(self) -> Block {
        if self.owns_its_memory() {
            return self;
        }
        Block::from_buffer(self.shape.clone(), self.to_buffer())
    }
    /// If this block is the whole of an owned contiguous buffer, that buffer without a copy.
    pub fn try_into_buffer(self) -> Result<Buffer, Block> {
        if self.offset != 0 || !self.is_c_contiguous() {
            return Err(self);
        }
        let len = self.len();
        let Block { dtype, shape, strides, offset, storage } = self;
        match Arc::try_unwrap(storage) {
            Ok(mut s) => match &mut s {
                Storage::Owned(b) if b.len() == len => Ok(std::mem::replace(b, Buffer::Bool(Vec::new()))),
                _ => Err(Block { dtype, shape, strides, offset, storage: Arc::new(s) }),
            },
            Err(storage) => Err(Block { dtype, shape, strides, offset, storage }),
        }
    }
    pub fn get_f64(&self, index: &[usize]) -> f64 {
        crate::with_dtype!(self.dtype, T => {
            let off: isize = index.iter().zip(&self.strides).map(|(&i, &s)| i as isize * s).sum();
            unsafe { (*self.ptr::<T>().offset(off)).to_f64() }
        })
    }
    /// Calls `f(ptr, stride, n)` for each run along the last axis, in C order. `ptr` is untyped.
    pub fn for_each_run(&self, mut f: impl FnMut(*const u8, isize, usize)) {
        if self.is_empty() {
            return;
        }
        let size = self.dtype.size() as isize;
        let base = with_dtype!(self.dtype, T => self.ptr::<T>() as *const u8);
        let nd = self.shape.len();
        if nd == 0 {
            f(base, 1, 1);
            return;
        }
        let (n, stride) = (self.shape[nd - 1], self.strides[nd - 1]);
        let mut idx = vec![0usize; nd - 1];
        loop {
            let off: isize = idx.iter().zip(&self.strides).map(|(&i, &s)| i as isize * s).sum();
            // SAFETY: the offset addresses an element of the view.
            f(unsafe { base.offset(off * size) }, stride, n);
            let mut k = nd - 1;
            loop {
                if k == 0 {
                    return;
                }
                k -= 1;
                idx[k] += 1;
                if idx[k] < self.shape[k] {
                    break;
                }
                idx[k] = 0;
            }
        }
    }
    /// A new view: `shape`, `strides` and an element offset relative to this view's origin.
    /// The caller guarantees the new view addresses only elements of this one.
    /// Whether both views read the same storage.
    pub fn same_storage(&self, other: &Block) -> bool {
        Arc::ptr_eq(&self.storage, &other.storage)
    }
    pub fn restride(&self, shape: Vec<usize>, strides: Vec<isize>, offset: isize) -> Block {
        Block { dtype: self.dtype, shape, strides, offset: self.offset + offset, storage: self.storage.clone() }
    }
    /// A C-contiguous copy reshaped to `shape` (same number of elements).
    pub fn reshaped(&self, shape: Vec<usize>) -> Block {
        assert_eq!(shape.iter().product::<usize>(), self.len());
        if self.is_c_contiguous() {
            return Block { strides: c_strides(&shape), shape, ..self.clone() };
        }
        Block::from_buffer(shape, self.to_buffer())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restride_transposes_without_copy() {
        let b = Block::from_vec(vec![2, 3], (0..6).map(|x| x as f64).collect());
        let t = b.restride(vec![3, 2], vec![1, 3], 0);
        assert_eq!(t.to_vec::<f64>(), vec![0., 3., 1., 4., 2., 5.]);
        assert!(!t.is_c_contiguous());
        let rev = b.restride(vec![2, 3], vec![3, -1], 2);
        assert_eq!(rev.to_vec::<f64>(), vec![2., 1., 0., 5., 4., 3.]);
    }

    #[test]
    fn scalar_casts_like_numpy_astype() {
        assert_eq!(Scalar::F64(2.7).cast::<i32>(), 2);
        assert_eq!(Scalar::F64(-2.7).cast::<i32>(), -2);
        assert!(Scalar::F64(0.5).cast::<bool>());
        assert_eq!(Scalar::I64(-1).cast::<u8>(), 255);
    }
}

fn refused(dtype: DType, len: usize, op: &str) -> crate::Error {
    crate::err!(Memory, op, "could not allocate {} for {len} elements of {}: the system refused the memory", crate::error::human_bytes(len.saturating_mul(dtype.size())), dtype.name())
}

/// A zero-filled vector, or `None` when the allocator refuses. Zeroed pages come from
/// `alloc_zeroed` (calloc), as with `vec![0; n]`, so untouched parts cost nothing.
pub(crate) fn try_zeroed_vec<T: Element>(len: usize) -> Option<Vec<T>> {
    let layout = std::alloc::Layout::array::<T>(len).ok()?;
    if layout.size() == 0 {
        return Some(vec![T::default(); len]);
    }
    // SAFETY: the layout is non-zero-sized; all-zero bytes are `T::default()` for every
    // element type (0, 0.0, false); a Vec may own memory from the global allocator with
    // exactly this layout.
    unsafe {
        let p = std::alloc::alloc_zeroed(layout) as *mut T;
        if !p.is_null() {
            advise_huge_pages(p as *mut u8, layout.size());
        }
        (!p.is_null()).then(|| Vec::from_raw_parts(p, len, len))
    }
}

/// A zero-filled vector for a kernel's output block: huge-page backed when big (see
/// `try_zeroed_vec`), so that writing it faults in few pages.
pub fn zeroed_vec<T: Element>(len: usize) -> Vec<T> {
    try_zeroed_vec(len).unwrap_or_else(|| vec![T::default(); len])
}

/// Buffers at least this big ask for transparent huge pages (NumPy's threshold): their
/// first touch then faults in 2 MiB pages instead of 4 KiB ones, which makes writing a
/// fresh block several times faster where the system's THP mode is `madvise`.
const HUGE_PAGE_THRESHOLD: usize = 4 << 20;

#[cfg(target_os = "linux")]
fn advise_huge_pages(p: *mut u8, len: usize) {
    const MADV_HUGEPAGE: i32 = 14;
    extern "C" {
        fn madvise(addr: *mut std::ffi::c_void, len: usize, advice: i32) -> i32;
    }
    if len < HUGE_PAGE_THRESHOLD {
        return;
    }
    // madvise takes whole pages: advise the 4 KiB pages wholly inside the allocation.
    let start = (p as usize).next_multiple_of(4096);
    let end = (p as usize + len) & !4095;
    if end > start {
        // SAFETY: the range lies inside an allocation this process owns; MADV_HUGEPAGE only
        // changes how its pages are backed, never their contents. A failure is harmless.
        unsafe { madvise(start as *mut std::ffi::c_void, end - start, MADV_HUGEPAGE) };
    }
}

#[cfg(not(target_os = "linux"))]
fn advise_huge_pages(_: *mut u8, _: usize) {}
