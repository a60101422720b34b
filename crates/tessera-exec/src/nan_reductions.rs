//! States of the nan-reductions (`nansum`, `nanprod`, `nanmin`, `nanmax`, `nanmean`, `nanvar`,
//! `nanstd`, `nanargmin`, `nanargmax`): NumPy's base reduction over the values that are not
//! NaN. Where the base state keeps one count per partial, these keep one per cell, since
//! every cell skips its own NaNs. Merges run in block order, as every state's.

use crate::partial::{Num, ReduceState};
use crate::reductions::{better, cast_buffer, merge_moments, sum_f64, Prod, Sum};
use crate::wire::{Field, Reader};
use tessera_core::ops::ReduceOp;
use tessera_core::{err, Buffer, DType, Element, Result};

/// A sum (`ONE` false) or product (`ONE` true) that skips NaN: NaN counts as the identity
/// (integers have none, so it is their sum or product).
#[derive(Clone, Debug)]
pub struct NanAs<S, const ONE: bool>(S);

pub type NanSum = NanAs<Sum, false>;
pub type NanProd = NanAs<Prod, true>;

impl<S: ReduceState, const ONE: bool> ReduceState for NanAs<S, ONE> {
    fn new(cells: usize, input: DType) -> Self {
        NanAs(S::new(cells, input))
    }
    fn add_run<T: Num>(&mut self, vals: &[T], pos: usize, into_one: bool, rank: u64, arg: i64) {
        if vals.iter().any(|v| v.is_nan()) {
            let ident = T::from_f64(if ONE { 1.0 } else { 0.0 });
            let cleaned: Vec<T> = vals.iter().map(|&v| if v.is_nan() { ident } else { v }).collect();
            self.0.add_run(&cleaned, pos, into_one, rank, arg);
        } else {
            self.0.add_run(vals, pos, into_one, rank, arg);
        }
    }
    fn merge(&mut self, later: &Self, counts: (u64, u64)) {
        self.0.merge(&later.0, counts);
    }
    fn finalize(self, op: ReduceOp, count: u64, out: DType) -> Buffer {
        self.0.finalize(op, count, out)
    }
    fn encode(&self, out: &mut Vec<u8>) {
        self.0.encode(out);
    }
    fn decode(r: &mut Reader) -> Result<Self> {
        S::decode(r).map(NanAs)
    }
}

// --- nanmin, nanmax ---------------------------------------------------------------------------

/// Min (`MAX` false) or max of the values that are not NaN; NaN where a cell saw none
/// (NumPy's value for an all-NaN slice).
#[derive(Clone, Debug)]
pub struct NanExtreme<const MAX: bool> {
    v: Buffer,
    seen: Vec<bool>,
}

pub type NanMin = NanExtreme<false>;
pub type NanMax = NanExtreme<true>;

impl<const MAX: bool> ReduceState for NanExtreme<MAX> {
    fn new(cells: usize, input: DType) -> Self {
        NanExtreme { v: Buffer::zeros(input, cells), seen: vec![false; cells] }
    }
    fn add_run<T: Num>(&mut self, vals: &[T], pos: usize, into_one: bool, _rank: u64, _arg: i64) {
        let (s, seen) = (T::slice_mut(&mut self.v), &mut self.seen);
        let mut put = |k: usize, x: T| {
            if x.is_nan() {
                return;
            }
            if !seen[k] || (MAX && x > s[k]) || (!MAX && x < s[k]) {
                s[k] = x;
                seen[k] = true;
            }
        };
        if into_one {
            vals.iter().for_each(|&x| put(pos, x));
        } else {
            vals.iter().enumerate().for_each(|(k, &x)| put(pos + k, x));
        }
    }
    fn merge(&mut self, later: &Self, _counts: (u64, u64)) {
        let (sa, sb) = (&mut self.seen, &later.seen);
        tessera_core::with_dtype!(self.v.dtype(), T => {
            let (a, b) = (T::slice_mut(&mut self.v), T::slice(&later.v));
            for k in 0..a.len() {
                if sb[k] && (!sa[k] || (MAX && b[k] > a[k]) || (!MAX && b[k] < a[k])) {
                    a[k] = b[k];
                    sa[k] = true;
                }
            }
        });
    }
    fn finalize(mut self, _op: ReduceOp, _count: u64, _out: DType) -> Buffer {
        if self.v.dtype().is_inexact() {
            // complex: NaN + 0j, as NumPy's fmin over `nan` entries (`a[i] = np.nan`)
            let seen = &self.seen;
            tessera_core::with_dtype!(self.v.dtype(), T => {
                T::slice_mut(&mut self.v).iter_mut().zip(seen).filter(|(_, s)| !**s).for_each(|(x, _)| *x = T::from_f64(f64::NAN));
            });
        }
        self.v
    }
    fn encode(&self, out: &mut Vec<u8>) {
        self.v.put(out);
        self.seen.put(out);
    }
    fn decode(r: &mut Reader) -> Result<Self> {
        Ok(NanExtreme { v: Field::take(r)?, seen: Field::take(r)? })
    }
}

// --- nanmean ----------------------------------------------------------------------------------

/// Sums (float64) and counts of the values that are not NaN, per cell; 0/0 gives NaN for a
/// cell without values, as NumPy's (which warns "Mean of empty slice").
#[derive(Clone, Debug)]
pub struct NanMean {
    sum: Vec<f64>,
    n: Vec<u64>,
}

impl ReduceState for NanMean {
    const ADDS_ROWS: bool = true;
    fn new(cells: usize, _input: DType) -> Self {
        NanMean { sum: vec![0.0; cells], n: vec![0; cells] }
    }
    fn add_run<T: Num>(&mut self, vals: &[T], pos: usize, into_one: bool, _rank: u64, _arg: i64) {
        if into_one {
            let kept = vals.iter().filter(|v| !v.is_nan()).count();
            let s = if kept == vals.len() { sum_f64(vals) } else { sum_f64(&vals.iter().copied().filter(|v| !v.is_nan()).collect::<Vec<T>>()) };
            self.sum[pos] += s;
            self.n[pos] += kept as u64;
        } else {
            // Branch-free, so that the loop over a row vectorizes.
            let (s, n) = (&mut self.sum[pos..pos + vals.len()], &mut self.n[pos..pos + vals.len()]);
            for ((s, n), &v) in s.iter_mut().zip(n.iter_mut()).zip(vals) {
                let x = v.to_f64();
                let ok = x == x;
                *s += if ok { x } else { 0.0 };
                *n += ok as u64;
            }
        }
    }
    fn merge(&mut self, later: &Self, _counts: (u64, u64)) {
        self.sum.iter_mut().zip(&later.sum).for_each(|(x, y)| *x += y);
        self.n.iter_mut().zip(&later.n).for_each(|(x, y)| *x += y);
    }
    fn finalize(self, _op: ReduceOp, _count: u64, out: DType) -> Buffer {
        cast_buffer(&Buffer::F64(self.sum.iter().zip(&self.n).map(|(s, &n)| s / n as f64).collect()), out)
    }
    fn encode(&self, out: &mut Vec<u8>) {
        self.sum.put(out);
        self.n.put(out);
    }
    fn decode(r: &mut Reader) -> Result<Self> {
        Ok(NanMean { sum: Field::take(r)?, n: Field::take(r)? })
    }
}

// --- nanvar, nanstd ---------------------------------------------------------------------------

/// Welford/Chan moments of the values that are not NaN, with a count per cell. NaN where
/// the count is at most `ddof` (NumPy's nanvar, unlike var, which divides by zero there).
#[derive(Clone, Debug)]
pub struct NanVar {
    n: Vec<u64>,
    mean: Vec<f64>,
    m2: Vec<f64>,
}

impl ReduceState for NanVar {
    fn new(cells: usize, _input: DType) -> Self {
        NanVar { n: vec![0; cells], mean: vec![0.0; cells], m2: vec![0.0; cells] }
    }
    fn add_run<T: Num>(&mut self, vals: &[T], pos: usize, into_one: bool, _rank: u64, _arg: i64) {
        let NanVar { n, mean, m2 } = self;
        if into_one {
            let kept: Vec<f64> = vals.iter().map(|v| v.to_f64()).filter(|x| !x.is_nan()).collect();
            if kept.is_empty() {
                return;
            }
            let c = kept.len() as f64;
            let m = sum_f64(&kept) / c;
            let q: f64 = kept.iter().map(|x| (x - m) * (x - m)).sum();
            merge_moments(&mut mean[pos], &mut m2[pos], n[pos] as f64, m, q, c);
            n[pos] += kept.len() as u64;
        } else {
            let w = vals.len();
            let (n, mean, m2) = (&mut n[pos..pos + w], &mut mean[pos..pos + w], &mut m2[pos..pos + w]);
            for k in 0..w {
                let x = vals[k].to_f64();
                let ok = x == x;
                let c = n[k] + ok as u64;
                let d = x - mean[k];
                let nm = mean[k] + d / c as f64;
                if ok {
                    mean[k] = nm;
                    m2[k] += d * (x - nm);
                }
                n[k] = c;
            }
        }
    }
    fn merge(&mut self, later: &Self, _counts: (u64, u64)) {
        for k in 0..self.n.len() {
            merge_moments(&mut self.mean[k], &mut self.m2[k], self.n[k] as f64, later.mean[k], later.m2[k], later.n[k] as f64);
            self.n[k] += later.n[k];
        }
    }
    fn finalize(self, op: ReduceOp, _count: u64, out: DType) -> Buffer {
        let (ddof, sqrt) = match op {
            ReduceOp::NanVar { ddof } => (ddof, false),
            ReduceOp::NanStd { ddof } => (ddof, true),
            _ => unreachable!("the nan-moments state serves nanvar and nanstd"),
        };
        let v = self.m2.iter().zip(&self.n).map(|(q, &n)| if n <= ddof as u64 { f64::NAN } else { q / (n - ddof as u64) as f64 });
        let v = v.map(|x| if sqrt { x.sqrt() } else { x });
        cast_buffer(&Buffer::F64(v.collect()), out)
    }
    fn encode(&self, out: &mut Vec<u8>) {
        self.n.put(out);
        self.mean.put(out);
        self.m2.put(out);
    }
    fn decode(r: &mut Reader) -> Result<Self> {
        Ok(NanVar { n: Field::take(r)?, mean: Field::take(r)?, m2: Field::take(r)? })
    }
}

// --- nanargmin, nanargmax ---------------------------------------------------------------------

/// The best value that is not NaN and its flat index (-1 while a cell has seen none);
/// an all-NaN cell is NumPy's ValueError when the result is made.
#[derive(Clone, Debug)]
pub struct NanArg<const MAX: bool> {
    v: Buffer,
    index: Vec<i64>,
}

pub type NanArgMin = NanArg<false>;
pub type NanArgMax = NanArg<true>;

impl<const MAX: bool> ReduceState for NanArg<MAX> {
    fn new(cells: usize, input: DType) -> Self {
        NanArg { v: Buffer::zeros(input, cells), index: vec![-1; cells] }
    }
    fn add_run<T: Num>(&mut self, vals: &[T], pos: usize, into_one: bool, _rank: u64, arg: i64) {
        let (s, index) = (T::slice_mut(&mut self.v), &mut self.index);
        for (k, &x) in vals.iter().enumerate() {
            let (cell, i) = if into_one { (pos, arg + k as i64) } else { (pos + k, arg) };
            if !x.is_nan() && (index[cell] < 0 || better(x, s[cell], MAX)) {
                s[cell] = x;
                index[cell] = i;
            }
        }
    }
    fn merge(&mut self, later: &Self, _counts: (u64, u64)) {
        let (ia, ib) = (&mut self.index, &later.index);
        tessera_core::with_dtype!(self.v.dtype(), T => {
            let (a, b) = (T::slice_mut(&mut self.v), T::slice(&later.v));
            for k in 0..a.len() {
                if ib[k] < 0 {
                    continue;
                }
                // Over several axes block order is not flat-index order: ties go to the smaller index.
                if ia[k] < 0 || better(b[k], a[k], MAX) || (b[k] == a[k] && ib[k] < ia[k]) {
                    a[k] = b[k];
                    ia[k] = ib[k];
                }
            }
        });
    }
    fn check(&self, op: ReduceOp) -> Result<()> {
        if self.index.iter().any(|&i| i < 0) {
            return Err(err!(Value, op.name(), "All-NaN slice encountered"));
        }
        Ok(())
    }
    fn finalize(self, _op: ReduceOp, _count: u64, _out: DType) -> Buffer {
        Buffer::I64(self.index)
    }
    fn encode(&self, out: &mut Vec<u8>) {
        self.v.put(out);
        self.index.put(out);
    }
    fn decode(r: &mut Reader) -> Result<Self> {
        Ok(NanArg { v: Field::take(r)?, index: Field::take(r)? })
    }
}
