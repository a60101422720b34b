//! Shared helpers of the property tests: a tiny reference N-d array (values in C order plus a
//! shape and a dtype), NumPy's rules written out independently of tessera, proptest
//! strategies for shapes, chunkings, index expressions and compute options, and comparison.
#![allow(dead_code)]

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use tessera::{Array, AxisSpec, BinaryOp, Block, ChunkSpec, Class, ComputeOptions, DType, Element, IndexItem, ReduceOp, Scalar, UfuncSpec, UnaryOp};

/// The real dtypes (the oracle is real-valued; complex is checked against NumPy in Python).
pub const DTYPES: [DType; 12] = [
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
];

// -------------------------------------------------------------------------------------------
// Values
// -------------------------------------------------------------------------------------------

// Values and the elementwise oracle are shared with the kernel tests; the oracle comes from
// the ufunc table's reference expressions.
pub use tessera_kernels::reference::{binary_value, from_scalar, round_to, unary_value, wrap, V};

pub fn is_int(d: DType) -> bool {
    !matches!(d, DType::Bool | DType::F16 | DType::F32 | DType::F64 | DType::C64 | DType::C128)
}
pub fn is_float(d: DType) -> bool {
    matches!(d, DType::F16 | DType::F32 | DType::F64)
}
pub fn is_signed(d: DType) -> bool {
    matches!(d, DType::I8 | DType::I16 | DType::I32 | DType::I64)
}
pub fn bits(d: DType) -> u32 {
    (d.size() * 8) as u32
}

pub fn int_bounds(d: DType) -> (i128, i128) {
    let b = bits(d);
    if is_signed(d) {
        (-(1i128 << (b - 1)), (1i128 << (b - 1)) - 1)
    } else {
        (0, (1i128 << b) - 1)
    }
}

/// NumPy's `astype` as tessera documents it: integers wrap, floats to integers as NumPy's C
/// casts on x86-64, anything to bool is `!= 0`.
pub fn cast(v: V, to: DType) -> V {
    match to {
        DType::Bool => V::B(v.truthy()),
        DType::F16 => V::F(tessera_core::numtypes::f16::from_f64(match v {
            V::B(b) => b as u8 as f64,
            V::I(i) => i as f64,
            V::F(f) => f,
        }).to_f64()),
        DType::F32 => V::F(match v {
            V::B(b) => b as u8 as f64,
            V::I(i) => i as f32 as f64,
            V::F(f) => f as f32 as f64,
        }),
        DType::F64 => V::F(match v {
            V::B(b) => b as u8 as f64,
            V::I(i) => i as f64,
            V::F(f) => f,
        }),
        _ => V::I(match v {
            V::B(b) => b as i128,
            V::I(i) => wrap(i, to),
            V::F(f) => {
                // x86-64's cvttsd2si at 32 or 64 bits (MIN for NaN and out of range), as
                // NumPy's C casts; uint64 above 2^63 shifts down first.
                let cvtt = |f: f64, bits: u32| {
                    let lim = 1i128 << (bits - 1);
                    if f.is_nan() || f.trunc() < -(lim as f64) || f.trunc() >= lim as f64 { -lim } else { f.trunc() as i128 }
                };
                let two63 = 9223372036854775808.0;
                let v = match to {
                    DType::I64 | DType::U32 => cvtt(f, 64),
                    DType::U64 if f >= two63 => cvtt(f - two63, 64) + (1i128 << 63),
                    DType::U64 => cvtt(f, 64),
                    _ => cvtt(f, 32),
                };
                wrap(v, to)
            }
        }),
    }
}

pub fn to_elem<T: Element>(v: V) -> T {
    match v {
        V::B(b) => T::from_u64(b as u64),
        V::I(i) if i >= 0 => T::from_u64(i as u64),
        V::I(i) => T::from_i64(i as i64),
        V::F(f) => T::from_f64(f),
    }
}

/// A `Scalar` of dtype `d` holding `v` (which must already be a value of `d`).
pub fn to_scalar(v: V, d: DType) -> Scalar {
    tessera_core::with_dtype!(d, T => to_elem::<T>(v).into_scalar())
}

// -------------------------------------------------------------------------------------------
// Random data
// -------------------------------------------------------------------------------------------

/// SplitMix64: data and derived choices from one proptest-chosen seed.
#[derive(Clone)]
pub struct Prng(pub u64);

impl Prng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo) as u64) as i64
    }
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Vals {
    /// Extremes, random bits, NaN, infinities and -0.0 mixed with small values.
    Full,
    /// Small values only (integers in -9..9, floats multiples of 0.25 in [-8, 8]): sums and
    /// means of these are exact or correctly rounded in any order.
    Nice,
    /// Values whose products stay finite and nonzero for thousands of factors.
    Prod,
}

pub fn value(rng: &mut Prng, d: DType, kind: Vals) -> V {
    if d == DType::Bool {
        return V::B(rng.next() & 1 == 1);
    }
    if is_float(d) {
        if kind == Vals::Full {
            match rng.below(24) {
                0 => return V::F(f64::NAN),
                1 => return V::F(f64::INFINITY),
                2 => return V::F(f64::NEG_INFINITY),
                3 => return V::F(-0.0),
                _ => {}
            }
        }
        if kind == Vals::Prod {
            let c = [-1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 1.25, -0.75];
            return V::F(c[rng.below(c.len() as u64) as usize]);
        }
        return V::F(rng.range(-32, 33) as f64 * 0.25);
    }
    let (lo, hi) = int_bounds(d);
    if kind == Vals::Full {
        match rng.below(16) {
            0 => return V::I([lo, hi, lo + 1, hi - 1][rng.below(4) as usize]),
            1 => return V::I(wrap(rng.next() as i128, d)),
            _ => {}
        }
    }
    if kind == Vals::Prod {
        let c: &[i128] = if is_signed(d) { &[-2, -1, 0, 1, 1, 2, 3] } else { &[0, 1, 1, 2, 3] };
        return V::I(c[rng.below(c.len() as u64) as usize]);
    }
    let v = rng.range(-9, 10) as i128;
    V::I(if is_signed(d) { v } else { v + 9 })
}

pub fn values(seed: u64, d: DType, n: usize, kind: Vals) -> Vec<V> {
    let mut rng = Prng(seed);
    (0..n).map(|_| value(&mut rng, d, kind)).collect()
}

// -------------------------------------------------------------------------------------------
// The reference array
// -------------------------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq)]
pub struct Nd {
    pub shape: Vec<usize>,
    pub dtype: DType,
    pub data: Vec<V>,
}

pub fn size(shape: &[usize]) -> usize {
    shape.iter().product()
}

pub fn c_strides(shape: &[usize]) -> Vec<usize> {
    let mut s = vec![1; shape.len()];
    for k in (0..shape.len().saturating_sub(1)).rev() {
        s[k] = s[k + 1] * shape[k + 1];
    }
    s
}

pub fn unravel(mut flat: usize, shape: &[usize]) -> Vec<usize> {
    let mut idx = vec![0; shape.len()];
    for k in (0..shape.len()).rev() {
        idx[k] = flat % shape[k];
        flat /= shape[k];
    }
    idx
}

pub fn ravel(idx: &[usize], shape: &[usize]) -> usize {
    idx.iter().zip(shape).fold(0, |acc, (&i, &d)| acc * d + i)
}

impl Nd {
    pub fn new(shape: &[usize], dtype: DType, data: Vec<V>) -> Nd {
        assert_eq!(size(shape), data.len());
        Nd { shape: shape.to_vec(), dtype, data }
    }
    pub fn random(shape: &[usize], dtype: DType, seed: u64, kind: Vals) -> Nd {
        Nd::new(shape, dtype, values(seed, dtype, size(shape), kind))
    }
    pub fn ndim(&self) -> usize {
        self.shape.len()
    }
    pub fn get(&self, idx: &[usize]) -> V {
        self.data[ravel(idx, &self.shape)]
    }
    /// A tessera array holding these values, chunked as `chunks`.
    pub fn array(&self, chunks: impl Into<ChunkSpec>) -> Array {
        let chunks = chunks.into();
        tessera_core::with_dtype!(self.dtype, T => {
            let data: Vec<T> = self.data.iter().map(|&v| to_elem::<T>(v)).collect();
            tessera::from_vec(&self.shape, data, chunks).expect("from_vec")
        })
    }
    pub fn from_block(b: &Block) -> Nd {
        let data = tessera_core::with_dtype!(b.dtype(), T => b.to_vec::<T>().into_iter().map(|x| from_scalar(x.into_scalar())).collect::<Vec<V>>());
        Nd { shape: b.shape().to_vec(), dtype: b.dtype(), data }
    }
    pub fn map(&self, dtype: DType, f: impl Fn(V) -> V) -> Nd {
        Nd { shape: self.shape.clone(), dtype, data: self.data.iter().map(|&v| f(v)).collect() }
    }
    pub fn astype(&self, to: DType) -> Nd {
        self.map(to, |v| cast(v, to))
    }
    /// NumPy broadcasting to `shape` (trailing alignment; size-1 axes stretch).
    pub fn broadcast_to(&self, shape: &[usize]) -> Nd {
        let off = shape.len() - self.ndim();
        let data = (0..size(shape))
            .map(|f| {
                let o = unravel(f, shape);
                let i: Vec<usize> = (0..self.ndim()).map(|a| if self.shape[a] == 1 { 0 } else { o[a + off] }).collect();
                self.get(&i)
            })
            .collect();
        Nd { shape: shape.to_vec(), dtype: self.dtype, data }
    }
    pub fn reshape(&self, shape: &[usize]) -> Nd {
        Nd::new(shape, self.dtype, self.data.clone())
    }
    /// `transpose(perm)`: output axis k is input axis `perm[k]`.
    pub fn transpose(&self, perm: &[usize]) -> Nd {
        let shape: Vec<usize> = perm.iter().map(|&p| self.shape[p]).collect();
        let data = (0..size(&shape))
            .map(|f| {
                let o = unravel(f, &shape);
                let mut i = vec![0; self.ndim()];
                for (k, &p) in perm.iter().enumerate() {
                    i[p] = o[k];
                }
                self.get(&i)
            })
            .collect();
        Nd { shape, dtype: self.dtype, data }
    }
    pub fn index(&self, items: &[IndexItem]) -> Nd {
        ref_index(self, items)
    }
}

/// NumPy's broadcast of shapes; `None` when they don't broadcast.
pub fn broadcast_shapes(shapes: &[&[usize]]) -> Option<Vec<usize>> {
    let nd = shapes.iter().map(|s| s.len()).max().unwrap_or(0);
    let mut out = vec![1; nd];
    for s in shapes {
        for (k, &d) in s.iter().enumerate() {
            let o = &mut out[nd - s.len() + k];
            if *o == 1 {
                *o = d;
            } else if d != 1 && d != *o {
                return None;
            }
        }
    }
    Some(out)
}

pub fn zip2(a: &Nd, b: &Nd, dtype: DType, f: impl Fn(V, V) -> V) -> Nd {
    let shape = broadcast_shapes(&[&a.shape, &b.shape]).expect("broadcastable");
    let (a, b) = (a.broadcast_to(&shape), b.broadcast_to(&shape));
    Nd { dtype, data: a.data.iter().zip(&b.data).map(|(&x, &y)| f(x, y)).collect(), shape }
}

pub fn zip3(c: &Nd, a: &Nd, b: &Nd, dtype: DType, f: impl Fn(V, V, V) -> V) -> Nd {
    let shape = broadcast_shapes(&[&c.shape, &a.shape, &b.shape]).expect("broadcastable");
    let (c, a, b) = (c.broadcast_to(&shape), a.broadcast_to(&shape), b.broadcast_to(&shape));
    let data = (0..size(&shape)).map(|i| f(c.data[i], a.data[i], b.data[i])).collect();
    Nd { shape, dtype, data }
}

// -------------------------------------------------------------------------------------------
// Indexing (written from CPython's `slice.indices` and NumPy's basic indexing rules)
// -------------------------------------------------------------------------------------------

/// The coordinates `slice(start, stop, step)` selects from an axis of length `len`.
pub fn py_slice(start: Option<i64>, stop: Option<i64>, step: Option<i64>, len: usize) -> Vec<usize> {
    let step = step.unwrap_or(1);
    assert!(step != 0);
    let len = len as i64;
    let (lower, upper) = if step < 0 { (-1, len - 1) } else { (0, len) };
    let adjust = |v: i64| if v < 0 { (v + len).max(lower) } else { v.min(upper) };
    let start = start.map(adjust).unwrap_or(if step < 0 { upper } else { lower });
    let stop = stop.map(adjust).unwrap_or(if step < 0 { lower } else { upper });
    let mut out = vec![];
    let mut i = start;
    while (step > 0 && i < stop) || (step < 0 && i > stop) {
        out.push(i as usize);
        i += step;
    }
    out
}

pub fn full_slice() -> IndexItem {
    IndexItem::Slice { start: None, stop: None, step: None }
}

pub fn ref_index(x: &Nd, items: &[IndexItem]) -> Nd {
    let consuming = items.iter().filter(|i| matches!(i, IndexItem::Int(_) | IndexItem::Slice { .. })).count();
    assert!(consuming <= x.ndim());
    let mut expanded = vec![];
    let mut had_ellipsis = false;
    for it in items {
        if *it == IndexItem::Ellipsis {
            had_ellipsis = true;
            expanded.extend((0..x.ndim() - consuming).map(|_| full_slice()));
        } else {
            expanded.push(it.clone());
        }
    }
    if !had_ellipsis {
        expanded.extend((0..x.ndim() - consuming).map(|_| full_slice()));
    }
    // Per item: the input axis it consumes and the coordinates it selects.
    enum Sel {
        New,
        Fixed(usize),
        Coords(Vec<usize>),
    }
    let mut sels = vec![];
    let mut axis = 0;
    for it in &expanded {
        match *it {
            IndexItem::NewAxis => sels.push(Sel::New),
            IndexItem::Int(i) => {
                let d = x.shape[axis] as i64;
                let j = if i < 0 { i + d } else { i };
                assert!(0 <= j && j < d);
                sels.push(Sel::Fixed(j as usize));
                axis += 1;
            }
            IndexItem::Slice { start, stop, step } => {
                sels.push(Sel::Coords(py_slice(start, stop, step, x.shape[axis])));
                axis += 1;
            }
            IndexItem::Ellipsis => unreachable!(),
        }
    }
    let shape: Vec<usize> = sels
        .iter()
        .filter_map(|s| match s {
            Sel::New => Some(1),
            Sel::Fixed(_) => None,
            Sel::Coords(c) => Some(c.len()),
        })
        .collect();
    let data = (0..size(&shape))
        .map(|f| {
            let o = unravel(f, &shape);
            let (mut k, mut idx) = (0, vec![]);
            for s in &sels {
                match s {
                    Sel::New => k += 1,
                    Sel::Fixed(c) => idx.push(*c),
                    Sel::Coords(c) => {
                        idx.push(c[o[k]]);
                        k += 1;
                    }
                }
            }
            x.get(&idx)
        })
        .collect();
    Nd { shape, dtype: x.dtype, data }
}

// -------------------------------------------------------------------------------------------
// NumPy's dtype rules, written independently of tessera's
// -------------------------------------------------------------------------------------------

/// Whether NumPy casts `a` to `b` safely (`np.can_cast(a, b, "safe")`).
pub fn can_cast_safe(a: DType, b: DType) -> bool {
    use DType::*;
    if a == b || a == Bool {
        return true;
    }
    match b {
        Bool => false,
        F64 => true,
        F16 => matches!(a, I8 | U8),
        F32 => a == F16 || (a != F64 && a.size() <= 2),
        _ if is_float(a) => false,
        _ if is_signed(b) => (is_signed(a) && a.size() <= b.size()) || (!is_signed(a) && a.size() < b.size()),
        _ => !is_signed(a) && a.size() <= b.size(),
    }
}

/// `np.result_type(a, b)`: the smallest dtype both cast to safely.
pub fn result_type(a: DType, b: DType) -> DType {
    let order = |d: DType| (d.size(), if d == DType::Bool { 0 } else if is_float(d) { 3 } else if is_signed(d) { 2 } else { 1 });
    let mut cands: Vec<DType> = DTYPES.iter().copied().filter(|&d| can_cast_safe(a, d) && can_cast_safe(b, d)).collect();
    cands.sort_by_key(|&d| order(d));
    cands[0]
}

/// The float dtype a transcendental function computes in for `d` (float16 for 8-bit types).
pub fn float_for(d: DType) -> DType {
    if is_float(d) {
        d
    } else if d.size() == 1 {
        DType::F16
    } else if d.size() <= 2 {
        DType::F32
    } else {
        DType::F64
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ScalarKindRef {
    Bool,
    Int,
    Float,
}

/// NEP 50: the dtype of an array of dtype `a` combined with a Python scalar of `kind`.
pub fn weak_result_type(a: DType, kind: ScalarKindRef) -> DType {
    match kind {
        ScalarKindRef::Bool => a,
        ScalarKindRef::Int if a == DType::Bool => DType::I64,
        ScalarKindRef::Int => a,
        ScalarKindRef::Float if is_float(a) => a,
        ScalarKindRef::Float => DType::F64,
    }
}

/// (compute dtype, output dtype) of a ufunc of `spec` on operands of (or promoted to) `d`,
/// or `None` where NumPy has no loop: the class's rule over the families the table gives
/// kernels for.
fn class_sig(spec: UfuncSpec, d: DType) -> Option<(DType, DType)> {
    use Class::*;
    let c = match spec.class {
        FloatFn => float_for(d),
        Divide if is_float(d) => d,
        Divide => DType::F64,
        Logical => DType::Bool,
        _ if d == DType::Bool && spec.bool => d,
        _ if d == DType::Bool => spec.bool_as?,
        _ if (is_int(d) && spec.int) || (is_float(d) && spec.float) => d,
        _ => return None,
    };
    Some((c, if matches!(spec.class, Predicate | Compare) { DType::Bool } else { c }))
}

pub fn unary_sig(op: UnaryOp, d: DType) -> Option<(DType, DType)> {
    class_sig(op.spec(), d)
}

/// (compute dtype, output dtype) of a binary op on operands promoted to `c`.
pub fn binary_sig(op: BinaryOp, c: DType) -> Option<(DType, DType)> {
    class_sig(op.spec(), c)
}

/// The reference of `a op b` for arrays (broadcasting, NumPy promotion); `None` when NumPy
/// (and tessera) reject the dtypes.
pub fn ref_binary(op: BinaryOp, a: &Nd, b: &Nd) -> Option<Nd> {
    // NumPy's loop choice for float functions: the smallest float both operands cast to safely.
    let common = if op.class() == Class::FloatFn {
        let fl = |d: DType| if is_float(d) { d } else { float_for(d) };
        result_type(fl(a.dtype), fl(b.dtype))
    } else {
        result_type(a.dtype, b.dtype)
    };
    let (c, out) = binary_sig(op, common)?;
    Some(zip2(&a.astype(c), &b.astype(c), out, |x, y| binary_value(op, x, y, c)))
}

pub fn ref_unary(op: UnaryOp, x: &Nd) -> Option<Nd> {
    let (c, out) = unary_sig(op, x.dtype)?;
    Some(x.astype(c).map(out, |v| unary_value(op, v, c)))
}

// -------------------------------------------------------------------------------------------
// Reductions
// -------------------------------------------------------------------------------------------

/// For NumPy's nan-functions (`nansum`, ...), the reduction they apply to the values that
/// are not NaN.
pub fn nan_base(op: ReduceOp) -> Option<ReduceOp> {
    ReduceOp::from_name(op.name().strip_prefix("nan")?, op.param())
}

pub fn reduce_dtype(op: ReduceOp, d: DType) -> DType {
    use DType::*;
    if let Some(base) = nan_base(op) {
        return reduce_dtype(base, d);
    }
    #[allow(unreachable_patterns)]
    match op {
        ReduceOp::Sum | ReduceOp::Prod => match d {
            Bool | I8 | I16 | I32 | I64 => I64,
            U8 | U16 | U32 | U64 => U64,
            f => f,
        },
        ReduceOp::Min | ReduceOp::Max => d,
        ReduceOp::Mean | ReduceOp::Var { .. } | ReduceOp::Std { .. } => {
            if is_float(d) {
                d
            } else {
                F64
            }
        }
        ReduceOp::Any | ReduceOp::All => Bool,
        ReduceOp::ArgMin | ReduceOp::ArgMax => I64,
        _ => panic!("{}: no reference dtype (only nan-variants are derived)", op.name()),
    }
}

/// The reduction of the values of one output cell (in C order of the reduced axes).
pub fn reduce_values(op: ReduceOp, vals: &[V], d: DType) -> V {
    let out = reduce_dtype(op, d);
    let n = vals.len();
    // From +0.0 (Rust's `Sum` for floats starts from -0.0; tessera and NumPy give +0.0 for an empty sum).
    let fsum = |vs: &[V]| vs.iter().fold(0.0f64, |a, v| a + v.f());
    if let Some(base) = nan_base(op) {
        let kept: Vec<V> = vals.iter().copied().filter(|v| !v.is_nan()).collect();
        // All NaN: min/max give NaN (NumPy warns); nanargmin/nanargmax raise (NaN here
        // marks the cell for the test).
        if kept.is_empty() && base.needs_identity() && is_float(d) {
            return V::F(f64::NAN);
        }
        if let ReduceOp::Var { ddof } | ReduceOp::Std { ddof } = base {
            // NumPy's nanvar: NaN where no degrees of freedom are left (var divides by 0).
            if kept.len() <= ddof as usize {
                return V::F(f64::NAN);
            }
        }
        let r = reduce_values(base, &kept, d);
        if let (true, V::I(k)) = (base.one_axis(), r) {
            // An index among the kept values, as an index among all of them.
            return V::I(vals.iter().enumerate().filter(|(_, v)| !v.is_nan()).nth(k as usize).map_or(0, |(i, _)| i) as i128);
        }
        return r;
    }
    #[allow(unreachable_patterns)]
    match op {
        ReduceOp::Sum if is_float(d) => V::F(round_to(fsum(vals), out)),
        ReduceOp::Sum => V::I(wrap(vals.iter().fold(0i128, |a, v| a.wrapping_add(as_i128(*v))), out)),
        ReduceOp::Prod if is_float(d) => V::F(round_to(vals.iter().map(|v| v.f()).product(), out)),
        ReduceOp::Prod => V::I(wrap(vals.iter().fold(1i128, |a, v| a.wrapping_mul(as_i128(*v))), out)),
        ReduceOp::Min | ReduceOp::Max => {
            let max = op == ReduceOp::Max;
            let mut best = vals[0];
            for &v in &vals[1..] {
                if best.is_nan() {
                    break;
                }
                if v.is_nan() || (max && gt(v, best)) || (!max && gt(best, v)) {
                    best = v;
                }
            }
            best
        }
        ReduceOp::ArgMin | ReduceOp::ArgMax => {
            let max = op == ReduceOp::ArgMax;
            let mut bi = 0;
            for (i, &v) in vals.iter().enumerate() {
                if vals[bi].is_nan() {
                    break;
                }
                if v.is_nan() || (max && gt(v, vals[bi])) || (!max && gt(vals[bi], v)) {
                    bi = i;
                }
            }
            V::I(bi as i128)
        }
        ReduceOp::Mean => V::F(round_to(fsum(vals) / n as f64, out)),
        ReduceOp::Var { ddof } | ReduceOp::Std { ddof } => {
            if n == 0 {
                return V::F(f64::NAN);
            }
            let m = fsum(vals) / n as f64;
            let q: f64 = vals.iter().map(|v| (v.f() - m) * (v.f() - m)).sum();
            let var = q / (n as f64 - ddof as f64).max(0.0);
            V::F(round_to(if matches!(op, ReduceOp::Std { .. }) { var.sqrt() } else { var }, out))
        }
        ReduceOp::Any => V::B(vals.iter().any(|v| v.truthy())),
        ReduceOp::All => V::B(vals.iter().all(|v| v.truthy())),
        _ => panic!("{}: no reference (only nan-variants are derived)", op.name()),
    }
}

fn as_i128(v: V) -> i128 {
    match v {
        V::B(b) => b as i128,
        V::I(i) => i,
        V::F(_) => panic!("integer reduction of a float"),
    }
}

/// `a > b` for values of one kind.
fn gt(a: V, b: V) -> bool {
    match (a, b) {
        (V::B(x), V::B(y)) => x & !y,
        (V::I(x), V::I(y)) => x > y,
        (V::F(x), V::F(y)) => x > y,
        _ => panic!("mixed kinds"),
    }
}

/// The reference reduction over `axes` (normalised, any order; all axes when `None`).
pub fn ref_reduce(x: &Nd, op: ReduceOp, axes: Option<&[usize]>, keepdims: bool) -> Nd {
    let nd = x.ndim();
    let axes: Vec<usize> = axes.map(|a| a.to_vec()).unwrap_or_else(|| (0..nd).collect());
    let kept: Vec<usize> = (0..nd).filter(|a| !axes.contains(a)).collect();
    let red: Vec<usize> = (0..nd).filter(|a| axes.contains(a)).collect();
    let kshape: Vec<usize> = kept.iter().map(|&a| x.shape[a]).collect();
    let rshape: Vec<usize> = red.iter().map(|&a| x.shape[a]).collect();
    let out_shape: Vec<usize> = if keepdims { (0..nd).map(|a| if axes.contains(&a) { 1 } else { x.shape[a] }).collect() } else { kshape.clone() };
    let data = (0..size(&kshape))
        .map(|c| {
            let kc = unravel(c, &kshape);
            let vals: Vec<V> = (0..size(&rshape))
                .map(|r| {
                    let rc = unravel(r, &rshape);
                    let mut idx = vec![0; nd];
                    for (k, &a) in kept.iter().enumerate() {
                        idx[a] = kc[k];
                    }
                    for (k, &a) in red.iter().enumerate() {
                        idx[a] = rc[k];
                    }
                    x.get(&idx)
                })
                .collect();
            reduce_values(op, &vals, x.dtype)
        })
        .collect();
    Nd { shape: out_shape, dtype: reduce_dtype(op, x.dtype), data }
}

// -------------------------------------------------------------------------------------------
// Comparison
// -------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug)]
pub struct Tol {
    pub rtol: f64,
    pub atol: f64,
}

impl Tol {
    pub const EXACT: Tol = Tol { rtol: 0.0, atol: 0.0 };
    /// Last-few-ulp differences (libm versions, float32 functions computed in float32).
    pub fn ulps(d: DType) -> Tol {
        if d == DType::F16 {
            // float16 computes in float32 and rounds (the oracle rounds once from float64).
            Tol { rtol: 2e-3, atol: 1e-7 }
        } else if d == DType::F32 {
            Tol { rtol: 2e-6, atol: 1e-30 }
        } else {
            Tol { rtol: 1e-12, atol: 1e-300 }
        }
    }
}

pub fn close(a: f64, b: f64, tol: Tol) -> bool {
    if a.is_nan() || b.is_nan() {
        return a.is_nan() && b.is_nan();
    }
    if a == b {
        return true;
    }
    if a.is_infinite() || b.is_infinite() {
        return false;
    }
    (a - b).abs() <= tol.atol + tol.rtol * a.abs().max(b.abs())
}

/// Compares a computed block with the reference: dtype, shape, then every value (exact for
/// bools and integers; floats within `tol`, NaN equal to NaN).
pub fn check(got: &Block, want: &Nd, tol: Tol) -> Result<(), TestCaseError> {
    prop_assert_eq!(got.dtype(), want.dtype, "dtype");
    prop_assert_eq!(got.shape(), &want.shape[..], "shape");
    let g = Nd::from_block(got);
    for (i, (&x, &y)) in g.data.iter().zip(&want.data).enumerate() {
        let ok = match (x, y) {
            (V::F(a), V::F(b)) => close(a, b, tol),
            _ => x == y,
        };
        prop_assert!(ok, "element {} (index {:?} of shape {:?}): got {:?}, want {:?}", i, unravel(i, &want.shape), want.shape, x, y);
    }
    Ok(())
}

pub fn check_arr(x: &Array, opts: &Opts, want: &Nd, tol: Tol) -> Result<(), TestCaseError> {
    prop_assert_eq!(x.shape(), &want.shape[..], "lazy shape");
    prop_assert_eq!(x.dtype(), want.dtype, "lazy dtype");
    if want.dtype == DType::I64 && want.data.iter().any(|v| v.is_nan()) {
        // The reference's mark for an all-NaN nanargmin/nanargmax cell: NumPy's ValueError.
        let e = x.compute_with(&opts.get()).err().ok_or_else(|| TestCaseError::fail("an all-NaN slice computed"))?;
        prop_assert_eq!(e.kind, tessera::ErrorKind::Value);
        prop_assert!(e.message.contains("All-NaN slice"), "{}", e);
        return Ok(());
    }
    let got = x.compute_with(&opts.get()).map_err(|e| TestCaseError::fail(format!("compute failed: {e} ({:?})", e.kind)))?;
    check(&got, want, tol)
}

// -------------------------------------------------------------------------------------------
// Strategies
// -------------------------------------------------------------------------------------------

/// `cases` cases (times `TESSERA_PROPTEST_SCALE`, for longer runs), no regression files
/// (failures found are turned into plain tests instead).
pub fn config(cases: u32) -> ProptestConfig {
    let scale = std::env::var("TESSERA_PROPTEST_SCALE").ok().and_then(|v| v.parse::<u32>().ok()).unwrap_or(1).max(1);
    ProptestConfig { cases: cases * scale, failure_persistence: None, ..ProptestConfig::default() }
}

pub fn dim_st() -> impl Strategy<Value = usize> {
    prop_oneof![1 => Just(0usize), 2 => Just(1usize), 7 => 2usize..7]
}

pub fn shape_st(max_nd: usize) -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(dim_st(), 0..=max_nd)
}

pub fn dtype_st() -> impl Strategy<Value = DType> {
    prop::sample::select(DTYPES.to_vec())
}

pub fn float_dtype_st() -> impl Strategy<Value = DType> {
    prop::sample::select(vec![DType::F32, DType::F64])
}

/// Random block sizes adding up to `dim`: uneven, size-1 and (rarely) empty blocks.
pub fn blocks_st(dim: usize) -> BoxedStrategy<Vec<i64>> {
    if dim == 0 {
        return Just(vec![0i64]).boxed();
    }
    (prop::collection::vec(any::<bool>(), dim - 1), prop::bool::weighted(0.1), any::<prop::sample::Index>())
        .prop_map(move |(cuts, zero, at)| {
            let mut sizes = vec![];
            let mut cur = 1i64;
            for c in cuts {
                if c {
                    sizes.push(cur);
                    cur = 1;
                } else {
                    cur += 1;
                }
            }
            sizes.push(cur);
            if zero {
                let k = at.index(sizes.len() + 1);
                sizes.insert(k, 0);
            }
            sizes
        })
        .boxed()
}

pub fn axis_spec_st(dim: usize) -> BoxedStrategy<AxisSpec> {
    prop_oneof![
        2 => (1i64..5).prop_map(AxisSpec::Size),
        1 => Just(AxisSpec::Size(-1)),
        1 => Just(AxisSpec::Auto),
        4 => blocks_st(dim).prop_map(AxisSpec::Blocks),
    ]
    .boxed()
}

/// Chunkings of an array of `shape`: one size for all axes, -1, "auto" or per-axis specs.
pub fn chunks_st(shape: &[usize]) -> BoxedStrategy<ChunkSpec> {
    let per_axis: Vec<BoxedStrategy<AxisSpec>> = shape.iter().map(|&d| axis_spec_st(d)).collect();
    prop_oneof![
        2 => (1i64..4).prop_map(ChunkSpec::Uniform),
        1 => Just(ChunkSpec::Uniform(-1)),
        1 => Just(ChunkSpec::Auto),
        6 => per_axis.prop_map(ChunkSpec::PerAxis),
    ]
    .boxed()
}

pub fn shape_chunks_st(max_nd: usize) -> impl Strategy<Value = (Vec<usize>, ChunkSpec)> {
    shape_st(max_nd).prop_flat_map(|s| {
        let c = chunks_st(&s);
        (Just(s), c)
    })
}

/// How to compute (a `Debug` stand-in for `ComputeOptions`).
#[derive(Clone, Copy, Debug)]
pub struct Opts {
    pub threads: usize,
    pub optimize: bool,
}

impl Opts {
    pub fn get(&self) -> ComputeOptions {
        let mut o = ComputeOptions::default().threads(self.threads);
        o.optimize = self.optimize;
        o
    }
}

/// Compute options: 1, 2 or 4 threads, optimizer mostly on.
pub fn opts_st() -> impl Strategy<Value = Opts> {
    (prop::sample::select(vec![1usize, 2, 4]), prop::bool::weighted(0.75)).prop_map(|(threads, optimize)| Opts { threads, optimize })
}

fn axis_item_st(d: usize) -> BoxedStrategy<IndexItem> {
    let slice = (
        prop::option::of(-9i64..9),
        prop::option::of(-9i64..9),
        prop::option::weighted(0.7, prop_oneof![-4i64..0, 1i64..5]),
    )
        .prop_map(|(start, stop, step)| IndexItem::Slice { start, stop, step });
    if d == 0 {
        prop_oneof![3 => slice, 1 => Just(full_slice())].boxed()
    } else {
        let n = d as i64;
        prop_oneof![2 => (-n..n).prop_map(IndexItem::Int), 4 => slice, 1 => Just(full_slice())].boxed()
    }
}

/// Valid basic index expressions for `shape`: ints (negative too), slices with any start,
/// stop and step, new axes and at most one ellipsis.
pub fn index_st(shape: &[usize]) -> BoxedStrategy<Vec<IndexItem>> {
    let nd = shape.len();
    let per_axis: Vec<BoxedStrategy<IndexItem>> = shape.iter().map(|&d| axis_item_st(d)).collect();
    (per_axis, prop::bool::weighted(0.3), 0..=nd, 0..=nd, prop::collection::vec(0usize..8, 0..3))
        .prop_map(move |(items, ellipsis, a, b, new_axes)| {
            let mut out: Vec<IndexItem> = if ellipsis {
                let start = a.min(nd);
                let len = b.min(nd - start);
                let mut v = items[..start].to_vec();
                v.push(IndexItem::Ellipsis);
                v.extend_from_slice(&items[start + len..]);
                v
            } else {
                items[..nd - b.min(nd)].to_vec()
            };
            for p in new_axes {
                let k = p % (out.len() + 1);
                out.insert(k, IndexItem::NewAxis);
            }
            out
        })
        .boxed()
}

/// A shape that broadcasts with `shape`: some leading axes dropped or added, some set to 1.
pub fn broadcast_partner_st(shape: &[usize]) -> BoxedStrategy<Vec<usize>> {
    let shape = shape.to_vec();
    let nd = shape.len();
    (0..=nd, prop::collection::vec(prop::bool::weighted(0.3), nd), prop::collection::vec(prop_oneof![Just(1usize), 2usize..4], 0..2))
        .prop_map(move |(drop, ones, lead)| {
            let mut s: Vec<usize> = shape.iter().zip(&ones).map(|(&d, &o)| if o { 1 } else { d }).skip(drop).collect();
            if drop == 0 {
                let mut l = lead;
                l.extend(s);
                s = l;
            }
            s
        })
        .boxed()
}

/// Axes to reduce over: a subset of `0..nd`, each possibly written negative, in any order.
pub fn axes_st(nd: usize) -> BoxedStrategy<Vec<isize>> {
    (prop::sample::subsequence((0..nd).collect::<Vec<_>>(), 0..=nd), prop::collection::vec(any::<bool>(), nd))
        .prop_flat_map(move |(sub, neg)| {
            let v: Vec<isize> = sub.iter().map(|&a| if neg[a] { a as isize - nd as isize } else { a as isize }).collect();
            Just(v).prop_shuffle()
        })
        .boxed()
}

pub fn normalize_axes(axes: &[isize], nd: usize) -> Vec<usize> {
    axes.iter().map(|&a| if a < 0 { (a + nd as isize) as usize } else { a as usize }).collect()
}

pub fn split_every_st() -> impl Strategy<Value = Option<usize>> {
    prop::option::weighted(0.6, prop_oneof![Just(2usize), Just(3usize), 4usize..20])
}

// -------------------------------------------------------------------------------------------
// Choices derived from a seed (for shapes known only at run time)
// -------------------------------------------------------------------------------------------

/// A valid index expression for `shape`.
pub fn derive_index(shape: &[usize], seed: u64) -> Vec<IndexItem> {
    let mut rng = Prng(seed);
    let mut items = vec![];
    for &d in shape {
        let r = rng.below(4);
        if r == 0 && d > 0 {
            items.push(IndexItem::Int(rng.range(-(d as i64), d as i64)));
        } else if r == 1 {
            items.push(full_slice());
        } else {
            let opt = |rng: &mut Prng| if rng.chance(0.3) { None } else { Some(rng.range(-8, 8)) };
            let (start, stop) = (opt(&mut rng), opt(&mut rng));
            let step = if rng.chance(0.3) { None } else { Some([-3, -2, -1, 1, 2, 3][rng.below(6) as usize]) };
            items.push(IndexItem::Slice { start, stop, step });
        }
    }
    if rng.chance(0.3) {
        let k = rng.below(items.len() as u64 + 1) as usize;
        items.insert(k, IndexItem::NewAxis);
    }
    if rng.chance(0.3) && !items.is_empty() {
        // A trailing run of items becomes an ellipsis.
        let k = rng.below(items.len() as u64 + 1) as usize;
        items.truncate(k);
        items.push(IndexItem::Ellipsis);
    }
    items
}

/// A chunk specification for `shape` (blocks of 1 to 4 elements along small axes, up to a
/// third of the axis along long ones).
pub fn derive_chunks(shape: &[usize], seed: u64) -> ChunkSpec {
    let mut rng = Prng(seed);
    let top = |d: usize| (d as i64 / 3).max(4);
    let longest = shape.iter().copied().max().unwrap_or(0);
    match rng.below(6) {
        0 => ChunkSpec::Uniform(rng.range(1, top(longest))),
        1 => ChunkSpec::Uniform(-1),
        2 => ChunkSpec::Auto,
        _ => ChunkSpec::PerAxis(
            shape
                .iter()
                .map(|&d| match rng.below(4) {
                    0 => AxisSpec::Size(rng.range(1, top(d) + 1)),
                    1 => AxisSpec::Size(-1),
                    _ if d == 0 => AxisSpec::Blocks(vec![0]),
                    _ => {
                        let mut left = d as i64;
                        let mut b = vec![];
                        while left > 0 {
                            let k = rng.range(1, left + 1).min(rng.range(1, top(d)));
                            b.push(k);
                            left -= k;
                        }
                        AxisSpec::Blocks(b)
                    }
                })
                .collect(),
        ),
    }
}

fn prime_factors(mut n: usize) -> Vec<usize> {
    let mut f = vec![];
    let mut p = 2;
    while n > 1 {
        while n % p == 0 {
            f.push(p);
            n /= p;
        }
        p += 1;
    }
    f
}

/// A new shape with the same number of elements as `shape` (at most 5 axes, size-1 axes
/// inserted at random), possibly with one axis written -1.
pub fn derive_reshape(shape: &[usize], seed: u64) -> Vec<i64> {
    let mut rng = Prng(seed);
    let n = size(shape);
    let mut out: Vec<i64> = if n == 0 {
        let k = rng.range(1, 4) as usize;
        let mut s: Vec<i64> = (0..k).map(|_| rng.range(1, 5)).collect();
        let z = rng.below(k as u64) as usize;
        s[z] = 0;
        s
    } else {
        let f = prime_factors(n);
        let k = if f.is_empty() { rng.below(3) as usize } else { rng.range(1, 4) as usize };
        let mut s = vec![1i64; k];
        for p in f {
            let j = rng.below(k as u64) as usize;
            s[j] *= p as i64;
        }
        s
    };
    while out.len() < 5 && rng.chance(0.25) {
        let j = rng.below(out.len() as u64 + 1) as usize;
        out.insert(j, 1);
    }
    if n > 0 && !out.is_empty() && rng.chance(0.3) {
        let j = rng.below(out.len() as u64) as usize;
        out[j] = -1;
    }
    out
}

/// `shape` with a -1 resolved.
pub fn resolve_shape(target: &[i64], n: usize) -> Vec<usize> {
    let known: i64 = target.iter().filter(|&&d| d >= 0).product();
    target.iter().map(|&d| if d < 0 { n / known as usize } else { d as usize }).collect()
}
