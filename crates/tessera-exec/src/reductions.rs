//! The states of the reductions, one [`ReduceState`] per kind, named by the rows of
//! `tessera_core::reduction_table!`. A new reduction is a row there and, unless an existing
//! state serves, a state here.

use crate::partial::{Num, ReduceState};
use crate::wire::{Field, Reader};
use tessera_core::numtypes::c128;
use tessera_core::ops::ReduceOp;
use tessera_core::{Buffer, DType, Element, Result};
use tessera_kernels::reduce;

// The nan-variants live in their own file; the table names them through this module.
pub use crate::nan_reductions::*;

/// Sums and products accumulate in f64 for floats, complex128 for complex, i64 for signed
/// and bool, u64 for unsigned.
fn acc_dtype(input: DType) -> DType {
    if input.is_complex() {
        DType::C128
    } else if input.is_float() {
        DType::F64
    } else if input.is_unsigned_int() {
        DType::U64
    } else {
        DType::I64
    }
}

// --- sum, prod --------------------------------------------------------------------------------

#[derive(Clone, Debug)]
pub struct Sum {
    acc: Buffer,
}

impl Sum {
    /// The state whose cells are `acc` (already summed values, in an accumulator dtype).
    pub(crate) fn from_acc(acc: Buffer) -> Option<Sum> {
        matches!(acc, Buffer::F64(_) | Buffer::I64(_) | Buffer::U64(_)).then_some(Sum { acc })
    }
}

impl ReduceState for Sum {
    const ADDS_ROWS: bool = true;
    fn new(cells: usize, input: DType) -> Self {
        Sum { acc: Buffer::zeros(acc_dtype(input), cells) }
    }
    fn add_run<T: Num>(&mut self, vals: &[T], pos: usize, into_one: bool, _rank: u64, _arg: i64) {
        match &mut self.acc {
            Buffer::F64(s) => add_f64(s, vals, pos, into_one),
            Buffer::U64(s) => each_cell(s, vals, pos, into_one, |a, v| *a = a.wrapping_add(v.as_u64())),
            Buffer::I64(s) => each_cell(s, vals, pos, into_one, |a, v| *a = a.wrapping_add(v.as_i64())),
            Buffer::C128(s) => each_cell(s, vals, pos, into_one, |a, v| *a = *a + v.to_c128()),
            _ => unreachable!("sum accumulators are f64, c128, i64 or u64"),
        }
    }
    fn add_rows<T: Num>(&mut self, vals: &[T], width: usize, pos: usize) {
        match (&mut self.acc, as_f64s(vals)) {
            (Buffer::F64(s), Some(v)) => reduce::add_rows_into(&mut s[pos..pos + width], v),
            _ => vals.chunks(width.max(1)).for_each(|run| self.add_run(run, pos, false, 0, 0)),
        }
    }
    fn f64_cells(&mut self, pos: usize, width: usize) -> Option<&mut [f64]> {
        match &mut self.acc {
            Buffer::F64(s) => Some(&mut s[pos..pos + width]),
            _ => None,
        }
    }
    fn merge(&mut self, later: &Self, _counts: (u64, u64)) {
        merge_buf(&mut self.acc, &later.acc, |x, y| x + y, |x, y| x.wrapping_add(y), |x, y| x.wrapping_add(y), |x, y| x + y);
    }
    fn finalize(self, _op: ReduceOp, _count: u64, out: DType) -> Buffer {
        cast_buffer(&self.acc, out)
    }
    fn encode(&self, out: &mut Vec<u8>) {
        self.acc.put(out);
    }
    fn decode(r: &mut Reader) -> Result<Self> {
        Ok(Sum { acc: Field::take(r)? })
    }
}

#[derive(Clone, Debug)]
pub struct Prod {
    acc: Buffer,
}

impl ReduceState for Prod {
    fn new(cells: usize, input: DType) -> Self {
        let acc = match acc_dtype(input) {
            DType::F64 => Buffer::F64(vec![1.0; cells]),
            DType::U64 => Buffer::U64(vec![1; cells]),
            DType::C128 => Buffer::C128(vec![c128 { re: 1.0, im: 0.0 }; cells]),
            _ => Buffer::I64(vec![1; cells]),
        };
        Prod { acc }
    }
    fn add_run<T: Num>(&mut self, vals: &[T], pos: usize, into_one: bool, _rank: u64, _arg: i64) {
        match &mut self.acc {
            Buffer::F64(s) => each_cell(s, vals, pos, into_one, |a, v| *a *= v.to_f64()),
            Buffer::U64(s) => each_cell(s, vals, pos, into_one, |a, v| *a = a.wrapping_mul(v.as_u64())),
            Buffer::I64(s) => each_cell(s, vals, pos, into_one, |a, v| *a = a.wrapping_mul(v.as_i64())),
            Buffer::C128(s) => each_cell(s, vals, pos, into_one, |a, v| *a = *a * v.to_c128()),
            _ => unreachable!("prod accumulators are f64, c128, i64 or u64"),
        }
    }
    fn merge(&mut self, later: &Self, _counts: (u64, u64)) {
        merge_buf(&mut self.acc, &later.acc, |x, y| x * y, |x, y| x.wrapping_mul(y), |x, y| x.wrapping_mul(y), |x, y| x * y);
    }
    fn finalize(self, _op: ReduceOp, _count: u64, out: DType) -> Buffer {
        cast_buffer(&self.acc, out)
    }
    fn encode(&self, out: &mut Vec<u8>) {
        self.acc.put(out);
    }
    fn decode(r: &mut Reader) -> Result<Self> {
        Ok(Prod { acc: Field::take(r)? })
    }
}

// --- min, max ---------------------------------------------------------------------------------

/// Min (`MAX` false) or max in the input dtype, propagating NaN.
#[derive(Clone, Debug)]
pub struct Extreme<const MAX: bool> {
    v: Buffer,
}

pub type Min = Extreme<false>;
pub type Max = Extreme<true>;

impl<const MAX: bool> ReduceState for Extreme<MAX> {
    fn new(cells: usize, input: DType) -> Self {
        Extreme { v: Buffer::zeros(input, cells) }
    }
    fn add_run<T: Num>(&mut self, vals: &[T], pos: usize, into_one: bool, rank: u64, _arg: i64) {
        let s = T::slice_mut(&mut self.v);
        if rank == 0 && !into_one {
            s[pos..pos + vals.len()].copy_from_slice(vals);
        } else {
            if rank == 0 {
                s[pos] = vals[0];
            }
            each_cell(s, vals, pos, into_one, |a, x| *a = pick(*a, x, MAX));
        }
    }
    fn merge(&mut self, later: &Self, (na, nb): (u64, u64)) {
        if nb == 0 {
            return;
        }
        if na == 0 {
            self.v = later.v.clone();
            return;
        }
        tessera_core::with_dtype!(self.v.dtype(), T => {
            let (a, b) = (T::slice_mut(&mut self.v), T::slice(&later.v));
            a.iter_mut().zip(b).for_each(|(x, &y)| *x = pick(*x, y, MAX));
        });
    }
    fn finalize(self, _op: ReduceOp, _count: u64, _out: DType) -> Buffer {
        self.v
    }
    fn encode(&self, out: &mut Vec<u8>) {
        self.v.put(out);
    }
    fn decode(r: &mut Reader) -> Result<Self> {
        Ok(Extreme { v: Field::take(r)? })
    }
}

// --- mean, var, std ---------------------------------------------------------------------------

/// Sums of the values (for complex input, of their real parts, and in `im` of their
/// imaginary parts; `im` is empty otherwise).
#[derive(Clone, Debug)]
pub struct Mean {
    sum: Vec<f64>,
    im: Vec<f64>,
}

impl ReduceState for Mean {
    const ADDS_ROWS: bool = true;
    fn new(cells: usize, input: DType) -> Self {
        Mean { sum: vec![0.0; cells], im: vec![0.0; if input.is_complex() { cells } else { 0 }] }
    }
    fn add_run<T: Num>(&mut self, vals: &[T], pos: usize, into_one: bool, _rank: u64, _arg: i64) {
        add_f64(&mut self.sum, vals, pos, into_one);
        if !self.im.is_empty() {
            let im: Vec<f64> = vals.iter().map(|v| v.im()).collect();
            add_f64(&mut self.im, &im, pos, into_one);
        }
    }
    fn add_rows<T: Num>(&mut self, vals: &[T], width: usize, pos: usize) {
        match as_f64s(vals) {
            Some(v) => reduce::add_rows_into(&mut self.sum[pos..pos + width], v),
            None => vals.chunks(width.max(1)).for_each(|run| self.add_run(run, pos, false, 0, 0)),
        }
    }
    fn f64_cells(&mut self, pos: usize, width: usize) -> Option<&mut [f64]> {
        Some(&mut self.sum[pos..pos + width])
    }
    fn merge(&mut self, later: &Self, _counts: (u64, u64)) {
        self.sum.iter_mut().zip(&later.sum).for_each(|(x, y)| *x += y);
        self.im.iter_mut().zip(&later.im).for_each(|(x, y)| *x += y);
    }
    fn finalize(self, _op: ReduceOp, count: u64, out: DType) -> Buffer {
        let n = count as f64;
        if out.is_complex() {
            let z = self.sum.iter().zip(&self.im).map(|(r, i)| c128 { re: r / n, im: i / n });
            return cast_buffer(&Buffer::C128(z.collect()), out);
        }
        cast_buffer(&Buffer::F64(self.sum.iter().map(|s| s / n).collect()), out)
    }
    fn encode(&self, out: &mut Vec<u8>) {
        self.sum.put(out);
        self.im.put(out);
    }
    fn decode(r: &mut Reader) -> Result<Self> {
        Ok(Mean { sum: Field::take(r)?, im: Field::take(r)? })
    }
}

/// Welford/Chan moments: the mean and the sum of squared deviations per cell. Serves var
/// and std (`finalize` reads `ddof` and whether to take the root from the op).
/// For complex input, `im` holds the moments of the imaginary parts: the variance is the
/// sum of both parts' (`|x - mean|^2` summed, as NumPy).
#[derive(Clone, Debug)]
pub struct Var {
    mean: Vec<f64>,
    m2: Vec<f64>,
    im: Option<Box<Var>>,
}

impl ReduceState for Var {
    fn new(cells: usize, input: DType) -> Self {
        let im = input.is_complex().then(|| Box::new(Var::new(cells, DType::F64)));
        Var { mean: vec![0.0; cells], m2: vec![0.0; cells], im }
    }
    fn add_run<T: Num>(&mut self, vals: &[T], pos: usize, into_one: bool, rank: u64, arg: i64) {
        if let Some(im) = &mut self.im {
            let parts: Vec<f64> = vals.iter().map(|v| v.im()).collect();
            im.add_run(&parts, pos, into_one, rank, arg);
        }
        let Var { mean, m2, .. } = self;
        if into_one {
            // Chan et al.: merge this run's (n, mean, m2) into the cell's.
            let n = vals.len() as f64;
            let m = sum_f64(vals) / n;
            let q: f64 = vals.iter().map(|v| (v.to_f64() - m) * (v.to_f64() - m)).sum();
            merge_moments(&mut mean[pos], &mut m2[pos], rank as f64, m, q, n);
        } else {
            let n = (rank + 1) as f64;
            for (k, v) in vals.iter().enumerate() {
                let x = v.to_f64();
                let d = x - mean[pos + k];
                mean[pos + k] += d / n;
                m2[pos + k] += d * (x - mean[pos + k]);
            }
        }
    }
    fn merge(&mut self, later: &Self, (na, nb): (u64, u64)) {
        for k in 0..self.mean.len() {
            merge_moments(&mut self.mean[k], &mut self.m2[k], na as f64, later.mean[k], later.m2[k], nb as f64);
        }
        if let (Some(a), Some(b)) = (&mut self.im, &later.im) {
            a.merge(b, (na, nb));
        }
    }
    fn finalize(self, op: ReduceOp, count: u64, out: DType) -> Buffer {
        let (ddof, sqrt) = match op {
            ReduceOp::Var { ddof } => (ddof, false),
            ReduceOp::Std { ddof } => (ddof, true),
            _ => unreachable!("the moments state serves var and std"),
        };
        let n = count as f64;
        let denom = (n - ddof as f64).max(0.0);
        let mut m2 = self.m2;
        if let Some(im) = self.im {
            m2.iter_mut().zip(&im.m2).for_each(|(a, b)| *a += b);
        }
        let v = m2.iter().map(|q| if n == 0.0 { f64::NAN } else { q / denom }).map(|x| if sqrt { x.sqrt() } else { x });
        cast_buffer(&Buffer::F64(v.collect()), out)
    }
    fn encode(&self, out: &mut Vec<u8>) {
        self.mean.put(out);
        self.m2.put(out);
        out.push(self.im.is_some() as u8);
        if let Some(im) = &self.im {
            im.encode(out);
        }
    }
    fn decode(r: &mut Reader) -> Result<Self> {
        let (mean, m2) = (Field::take(r)?, Field::take(r)?);
        let im = if r.u8()? == 1 { Some(Box::new(Var::decode(r)?)) } else { None };
        Ok(Var { mean, m2, im })
    }
}

// --- any, all ---------------------------------------------------------------------------------

/// Any (`ALL` false) or all of the values' truth (NaN is true).
#[derive(Clone, Debug)]
pub struct Truth<const ALL: bool> {
    v: Vec<bool>,
}

pub type Any = Truth<false>;
pub type All = Truth<true>;

impl<const ALL: bool> ReduceState for Truth<ALL> {
    fn new(cells: usize, _input: DType) -> Self {
        Truth { v: vec![ALL; cells] }
    }
    fn add_run<T: Num>(&mut self, vals: &[T], pos: usize, into_one: bool, _rank: u64, _arg: i64) {
        let truth = |v: T| v.to_f64() != 0.0 || v.im() != 0.0 || v.is_nan();
        if ALL {
            each_cell(&mut self.v, vals, pos, into_one, |a, v| *a = *a && truth(v));
        } else {
            each_cell(&mut self.v, vals, pos, into_one, |a, v| *a = *a || truth(v));
        }
    }
    fn merge(&mut self, later: &Self, _counts: (u64, u64)) {
        self.v.iter_mut().zip(&later.v).for_each(|(x, y)| *x = if ALL { *x && *y } else { *x || *y });
    }
    fn finalize(self, _op: ReduceOp, _count: u64, _out: DType) -> Buffer {
        Buffer::Bool(self.v)
    }
    fn encode(&self, out: &mut Vec<u8>) {
        self.v.put(out);
    }
    fn decode(r: &mut Reader) -> Result<Self> {
        Ok(Truth { v: Field::take(r)? })
    }
}

// --- argmin, argmax ---------------------------------------------------------------------------

/// The best value so far (in the input dtype) and its flat index along the reduced axes;
/// argmin (`MAX` false) or argmax. Ties and NaN go to the first index, as in NumPy.
#[derive(Clone, Debug)]
pub struct Arg<const MAX: bool> {
    v: Buffer,
    index: Vec<i64>,
}

pub type ArgMin = Arg<false>;
pub type ArgMax = Arg<true>;

impl<const MAX: bool> ReduceState for Arg<MAX> {
    fn new(cells: usize, input: DType) -> Self {
        Arg { v: Buffer::zeros(input, cells), index: vec![0; cells] }
    }
    fn add_run<T: Num>(&mut self, vals: &[T], pos: usize, into_one: bool, rank: u64, arg: i64) {
        let (s, index) = (T::slice_mut(&mut self.v), &mut self.index);
        let first = rank == 0;
        if into_one {
            let (mut best, mut bi) = if first { (vals[0], arg) } else { (s[pos], index[pos]) };
            for (k, &x) in vals.iter().enumerate() {
                if better(x, best, MAX) {
                    best = x;
                    bi = arg + k as i64;
                }
            }
            s[pos] = best;
            index[pos] = bi;
        } else {
            for (k, &x) in vals.iter().enumerate() {
                if first || better(x, s[pos + k], MAX) {
                    s[pos + k] = x;
                    index[pos + k] = arg;
                }
            }
        }
    }
    fn merge(&mut self, later: &Self, (na, nb): (u64, u64)) {
        if nb == 0 {
            return;
        }
        let first = na == 0;
        let (ia, ib) = (&mut self.index, &later.index);
        tessera_core::with_dtype!(self.v.dtype(), T => {
            let (a, b) = (T::slice_mut(&mut self.v), T::slice(&later.v));
            for k in 0..a.len() {
                // Over several axes, block order is not flat-index order: equal values (or
                // two NaNs) go to the smaller index, as in NumPy.
                let tie = b[k] == a[k] || (b[k] != b[k] && a[k] != a[k]);
                if first || better(b[k], a[k], MAX) || (tie && ib[k] < ia[k]) {
                    a[k] = b[k];
                    ia[k] = ib[k];
                }
            }
        });
    }
    fn finalize(self, _op: ReduceOp, _count: u64, _out: DType) -> Buffer {
        Buffer::I64(self.index)
    }
    fn encode(&self, out: &mut Vec<u8>) {
        self.v.put(out);
        self.index.put(out);
    }
    fn decode(r: &mut Reader) -> Result<Self> {
        Ok(Arg { v: Field::take(r)?, index: Field::take(r)? })
    }
}

// --- shared pieces ----------------------------------------------------------------------------

/// `vals` as float64 when they are (the hot case, served by SIMD kernels).
pub(crate) fn as_f64s<T: Num>(vals: &[T]) -> Option<&[f64]> {
    (std::any::TypeId::of::<T>() == std::any::TypeId::of::<f64>())
        // SAFETY: T is f64.
        .then(|| unsafe { std::slice::from_raw_parts(vals.as_ptr().cast::<f64>(), vals.len()) })
}

/// Float sums: all of `vals` into cell `pos`, or `vals[k]` into cell `pos + k`.
pub(crate) fn add_f64<T: Num>(s: &mut [f64], vals: &[T], pos: usize, into_one: bool) {
    if into_one {
        s[pos] += sum_f64(vals);
    } else if let Some(v) = as_f64s(vals) {
        reduce::add_into(&mut s[pos..pos + v.len()], v);
    } else {
        s[pos..pos + vals.len()].iter_mut().zip(vals).for_each(|(a, v)| *a += v.to_f64());
    }
}

/// Sum with eight independent lanes, as `reduce::sum_lanes` (the order is fixed by the
/// run length, so every dtype and path sums alike).
pub(crate) fn sum_f64<T: Num>(vals: &[T]) -> f64 {
    if let Some(v) = as_f64s(vals) {
        return reduce::sum_lanes(v);
    }
    let mut lanes = [0.0f64; 8];
    let chunks = vals.chunks_exact(8);
    let rest = chunks.remainder();
    for c in chunks {
        for k in 0..8 {
            lanes[k] += c[k].to_f64();
        }
    }
    let mut s = ((lanes[0] + lanes[4]) + (lanes[1] + lanes[5])) + ((lanes[2] + lanes[6]) + (lanes[3] + lanes[7]));
    for v in rest {
        s += v.to_f64();
    }
    s
}

pub(crate) fn each_cell<A, T: Copy>(s: &mut [A], vals: &[T], pos: usize, into_one: bool, f: impl Fn(&mut A, T)) {
    if into_one {
        for &v in vals {
            f(&mut s[pos], v);
        }
    } else {
        s[pos..pos + vals.len()].iter_mut().zip(vals).for_each(|(a, &v)| f(a, v));
    }
}

/// min/max with NumPy's NaN propagation.
pub(crate) fn pick<T: Num>(a: T, x: T, max: bool) -> T {
    if a.is_nan() {
        a
    } else if x.is_nan() {
        x
    } else if (max && x > a) || (!max && x < a) {
        x
    } else {
        a
    }
}

/// Whether `x` replaces `best` for argmin/argmax: strictly better, or the first NaN.
pub(crate) fn better<T: Num>(x: T, best: T, max: bool) -> bool {
    if best.is_nan() {
        false
    } else if x.is_nan() {
        true
    } else if max {
        x > best
    } else {
        x < best
    }
}

fn merge_buf(
    a: &mut Buffer,
    b: &Buffer,
    f: fn(f64, f64) -> f64,
    i: fn(i64, i64) -> i64,
    u: fn(u64, u64) -> u64,
    c: fn(c128, c128) -> c128,
) {
    match (a, b) {
        (Buffer::C128(a), Buffer::C128(b)) => a.iter_mut().zip(b).for_each(|(x, y)| *x = c(*x, *y)),
        (Buffer::F64(a), Buffer::F64(b)) => a.iter_mut().zip(b).for_each(|(x, y)| *x = f(*x, *y)),
        (Buffer::I64(a), Buffer::I64(b)) => a.iter_mut().zip(b).for_each(|(x, y)| *x = i(*x, *y)),
        (Buffer::U64(a), Buffer::U64(b)) => a.iter_mut().zip(b).for_each(|(x, y)| *x = u(*x, *y)),
        _ => panic!("accumulator dtypes differ"),
    }
}

pub fn cast_buffer(b: &Buffer, to: DType) -> Buffer {
    if b.dtype() == to {
        return b.clone();
    }
    let mut out = Buffer::zeros(to, b.len());
    tessera_kernels::elementwise::cast(b, &mut out, b.len());
    out
}

/// Chan et al.'s merge of (nb, mb, qb) (count, mean, sum of squared deviations) into
/// (na, ma, qa). An empty side is skipped rather than weighted by zero: with a large mean,
/// `d * d` overflows and `inf * 0` would give NaN.
pub(crate) fn merge_moments(ma: &mut f64, qa: &mut f64, na: f64, mb: f64, qb: f64, nb: f64) {
    if nb == 0.0 {
        return;
    }
    if na == 0.0 {
        (*ma, *qa) = (mb, qb);
        return;
    }
    let tot = na + nb;
    let d = mb - *ma;
    *ma += d * nb / tot;
    *qa += qb + d * d * na * nb / tot;
}
