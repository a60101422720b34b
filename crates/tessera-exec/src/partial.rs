//! Partial results of reductions: accumulated per chunk, merged up a fixed tree, finalised.
//! Merges always run in block order, so the result is the same bits for any thread count.

use tessera_core::ops::ReduceOp;
use tessera_core::plan::Finalize;
use tessera_core::{Block, Buffer, DType, Element};
use tessera_kernels::reduce;

/// What the accumulators need of an element type.
pub trait Num: Element {
    fn as_i64(self) -> i64;
    fn as_u64(self) -> u64;
    fn is_nan(self) -> bool;
}

macro_rules! num_int {
    ($($t:ty),*) => {$(
        impl Num for $t {
            fn as_i64(self) -> i64 { self as i64 }
            fn as_u64(self) -> u64 { self as u64 }
            fn is_nan(self) -> bool { false }
        }
    )*};
}
num_int!(i8, i16, i32, i64, u8, u16, u32, u64);
impl Num for bool {
    fn as_i64(self) -> i64 {
        self as i64
    }
    fn as_u64(self) -> u64 {
        self as u64
    }
    fn is_nan(self) -> bool {
        false
    }
}
impl Num for f32 {
    fn as_i64(self) -> i64 {
        self as i64
    }
    fn as_u64(self) -> u64 {
        self as u64
    }
    fn is_nan(self) -> bool {
        f32::is_nan(self)
    }
}
impl Num for f64 {
    fn as_i64(self) -> i64 {
        self as i64
    }
    fn as_u64(self) -> u64 {
        self as u64
    }
    fn is_nan(self) -> bool {
        f64::is_nan(self)
    }
}

#[derive(Clone, Debug)]
pub enum Acc {
    /// Sums and products: f64 for floats, i64 for signed and bool, u64 for unsigned.
    Sum(Buffer),
    Prod(Buffer),
    /// Min and max in the input dtype; `seen` is false until a value arrived.
    Min { v: Buffer, seen: bool },
    Max { v: Buffer, seen: bool },
    Mean { sum: Vec<f64> },
    /// Welford/Chan state; the count is the partial's `count`.
    Var { mean: Vec<f64>, m2: Vec<f64> },
    Any(Vec<bool>),
    All(Vec<bool>),
    Arg { v: Buffer, index: Vec<i64>, max: bool, seen: bool },
}

/// One chunk's (or one group's) partial reduction over the cells of its kept shape.
#[derive(Clone, Debug)]
pub struct Partial {
    /// The block's shape with reduced axes set to 1.
    pub shape: Vec<usize>,
    /// Elements reduced into every cell so far.
    pub count: u64,
    pub acc: Acc,
}

fn acc_dtype(input: DType) -> DType {
    if input.is_float() {
        DType::F64
    } else if input.is_unsigned_int() {
        DType::U64
    } else {
        DType::I64
    }
}

impl Partial {
    pub fn new(op: ReduceOp, shape: Vec<usize>, input: DType) -> Partial {
        let n: usize = shape.iter().product();
        let acc = match op {
            ReduceOp::Sum => Acc::Sum(Buffer::zeros(acc_dtype(input), n)),
            ReduceOp::Prod => Acc::Prod(match acc_dtype(input) {
                DType::F64 => Buffer::F64(vec![1.0; n]),
                DType::U64 => Buffer::U64(vec![1; n]),
                _ => Buffer::I64(vec![1; n]),
            }),
            ReduceOp::Min => Acc::Min { v: Buffer::zeros(input, n), seen: false },
            ReduceOp::Max => Acc::Max { v: Buffer::zeros(input, n), seen: false },
            ReduceOp::Mean => Acc::Mean { sum: vec![0.0; n] },
            ReduceOp::Var { .. } | ReduceOp::Std { .. } => Acc::Var { mean: vec![0.0; n], m2: vec![0.0; n] },
            ReduceOp::Any => Acc::Any(vec![false; n]),
            ReduceOp::All => Acc::All(vec![true; n]),
            ReduceOp::ArgMin | ReduceOp::ArgMax => {
                Acc::Arg { v: Buffer::zeros(input, n), index: vec![0; n], max: op == ReduceOp::ArgMax, seen: false }
            }
        };
        Partial { shape, count: 0, acc }
    }

    /// Adds one run of values. With `into_one`, all of `vals` reduce into cell `pos` (their
    /// arg indices are `arg + k`); otherwise `vals[k]` goes to cell `pos + k`, each cell
    /// having seen `rank` values before (arg index `arg` for all).
    pub fn add_run<T: Num>(&mut self, vals: &[T], pos: usize, into_one: bool, rank: u64, arg: i64) {
        let first = rank == 0;
        match &mut self.acc {
            Acc::Sum(buf) => match buf {
                Buffer::F64(s) => add_f64(s, vals, pos, into_one),
                Buffer::U64(s) => {
                    if into_one {
                        s[pos] = vals.iter().fold(s[pos], |a, v| a.wrapping_add(v.as_u64()));
                    } else {
                        s[pos..pos + vals.len()].iter_mut().zip(vals).for_each(|(a, v)| *a = a.wrapping_add(v.as_u64()));
                    }
                }
                Buffer::I64(s) => {
                    if into_one {
                        s[pos] = vals.iter().fold(s[pos], |a, v| a.wrapping_add(v.as_i64()));
                    } else {
                        s[pos..pos + vals.len()].iter_mut().zip(vals).for_each(|(a, v)| *a = a.wrapping_add(v.as_i64()));
                    }
                }
                _ => unreachable!("sum accumulators are f64, i64 or u64"),
            },
            Acc::Prod(buf) => match buf {
                Buffer::F64(s) => each_cell(s, vals, pos, into_one, |a, v| *a *= v.to_f64()),
                Buffer::U64(s) => each_cell(s, vals, pos, into_one, |a, v| *a = a.wrapping_mul(v.as_u64())),
                Buffer::I64(s) => each_cell(s, vals, pos, into_one, |a, v| *a = a.wrapping_mul(v.as_i64())),
                _ => unreachable!("prod accumulators are f64, i64 or u64"),
            },
            Acc::Min { v, .. } => {
                let s = T::slice_mut(v);
                if first && !into_one {
                    s[pos..pos + vals.len()].copy_from_slice(vals);
                } else {
                    if first {
                        s[pos] = vals[0];
                    }
                    each_cell(s, vals, pos, into_one, |a, x| *a = pick(*a, x, false));
                }
            }
            Acc::Max { v, .. } => {
                let s = T::slice_mut(v);
                if first && !into_one {
                    s[pos..pos + vals.len()].copy_from_slice(vals);
                } else {
                    if first {
                        s[pos] = vals[0];
                    }
                    each_cell(s, vals, pos, into_one, |a, x| *a = pick(*a, x, true));
                }
            }
            Acc::Mean { sum } => add_f64(sum, vals, pos, into_one),
            Acc::Var { mean, m2 } => {
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
            Acc::Any(s) => each_cell(s, vals, pos, into_one, |a, v| *a = *a || v.to_f64() != 0.0 || v.is_nan()),
            Acc::All(s) => each_cell(s, vals, pos, into_one, |a, v| *a = *a && (v.to_f64() != 0.0 || v.is_nan())),
            Acc::Arg { v, index, max, .. } => {
                let s = T::slice_mut(v);
                let max = *max;
                if into_one {
                    let (mut best, mut bi) = if first { (vals[0], arg) } else { (s[pos], index[pos]) };
                    for (k, &x) in vals.iter().enumerate() {
                        if better(x, best, max) {
                            best = x;
                            bi = arg + k as i64;
                        }
                    }
                    s[pos] = best;
                    index[pos] = bi;
                } else {
                    for (k, &x) in vals.iter().enumerate() {
                        if first || better(x, s[pos + k], max) {
                            s[pos + k] = x;
                            index[pos + k] = arg;
                        }
                    }
                }
            }
        }
    }

    /// Whether consecutive runs into the same cells may go in together through
    /// [`Partial::add_rows`]: sums and means, which ignore runs' ranks and indices.
    pub fn adds_rows(&self) -> bool {
        matches!(self.acc, Acc::Sum(_) | Acc::Mean { .. })
    }

    /// The float64 cells `pos..pos + width` of a float64 sum or mean, which runs are added
    /// into with one `+=` per value (for sources that add their own rows).
    pub fn f64_cells(&mut self, pos: usize, width: usize) -> Option<&mut [f64]> {
        match &mut self.acc {
            Acc::Mean { sum: s } | Acc::Sum(Buffer::F64(s)) => Some(&mut s[pos..pos + width]),
            _ => None,
        }
    }

    /// Adds `vals.len() / width` runs of `width` values, in order, into the cells from
    /// `pos` on; only where [`Partial::adds_rows`].
    pub fn add_rows<T: Num>(&mut self, vals: &[T], width: usize, pos: usize) {
        debug_assert!(self.adds_rows());
        match (&mut self.acc, as_f64s(vals)) {
            (Acc::Mean { sum: s } | Acc::Sum(Buffer::F64(s)), Some(v)) => reduce::add_rows_into(&mut s[pos..pos + width], v),
            _ => {
                for run in vals.chunks(width.max(1)) {
                    self.add_run(run, pos, false, 0, 0);
                }
            }
        }
    }

    /// Marks that `n` more elements were reduced into every cell (after a block's runs).
    pub fn finish_block(&mut self, n: u64) {
        self.count += n;
        match &mut self.acc {
            Acc::Min { seen, .. } | Acc::Max { seen, .. } | Acc::Arg { seen, .. } => *seen |= n > 0,
            _ => {}
        }
    }

    /// Merges `other` (later in block order) into `self`.
    pub fn merge(&mut self, other: &Partial) {
        let (na, nb) = (self.count as f64, other.count as f64);
        match (&mut self.acc, &other.acc) {
            (Acc::Sum(a), Acc::Sum(b)) => merge_buf(a, b, |x, y| x + y, |x, y| x.wrapping_add(y), |x, y| x.wrapping_add(y)),
            (Acc::Prod(a), Acc::Prod(b)) => merge_buf(a, b, |x, y| x * y, |x, y| x.wrapping_mul(y), |x, y| x.wrapping_mul(y)),
            (Acc::Min { v: a, seen: sa }, Acc::Min { v: b, seen: sb }) => merge_extreme(a, sa, b, *sb, false),
            (Acc::Max { v: a, seen: sa }, Acc::Max { v: b, seen: sb }) => merge_extreme(a, sa, b, *sb, true),
            (Acc::Mean { sum: a }, Acc::Mean { sum: b }) => a.iter_mut().zip(b).for_each(|(x, y)| *x += y),
            (Acc::Var { mean: ma, m2: qa }, Acc::Var { mean: mb, m2: qb }) => {
                for k in 0..ma.len() {
                    merge_moments(&mut ma[k], &mut qa[k], na, mb[k], qb[k], nb);
                }
            }
            (Acc::Any(a), Acc::Any(b)) => a.iter_mut().zip(b).for_each(|(x, y)| *x = *x || *y),
            (Acc::All(a), Acc::All(b)) => a.iter_mut().zip(b).for_each(|(x, y)| *x = *x && *y),
            (Acc::Arg { v: a, index: ia, max, seen: sa }, Acc::Arg { v: b, index: ib, seen: sb, .. }) => {
                if *sb {
                    let max = *max;
                    let first = !*sa;
                    tessera_core::with_dtype!(a.dtype(), T => {
                        let (a, b) = (T::slice_mut(a), T::slice(b));
                        for k in 0..a.len() {
                            // Over several axes, block order is not flat-index order: equal
                            // values (or two NaNs) go to the smaller index, as in NumPy.
                            let tie = b[k] == a[k] || (b[k] != b[k] && a[k] != a[k]);
                            if first || better(b[k], a[k], max) || (tie && ib[k] < ia[k]) {
                                a[k] = b[k];
                                ia[k] = ib[k];
                            }
                        }
                    });
                    *sa = true;
                }
            }
            _ => panic!("merging partials of different reductions"),
        }
        self.count += other.count;
    }

    /// The reduction's result for these cells, in the output dtype and shape.
    pub fn finalize(self, op: ReduceOp, fin: &Finalize, axes: &[usize]) -> Block {
        let n = self.count as f64;
        let buf = match self.acc {
            Acc::Sum(b) | Acc::Prod(b) => cast_buffer(&b, fin.out_dtype),
            Acc::Min { v, .. } | Acc::Max { v, .. } => v,
            Acc::Mean { sum } => cast_buffer(&Buffer::F64(sum.iter().map(|s| s / n).collect()), fin.out_dtype),
            Acc::Var { m2, .. } => {
                let ddof = match op {
                    ReduceOp::Var { ddof } | ReduceOp::Std { ddof } => ddof as f64,
                    _ => 0.0,
                };
                let denom = (n - ddof).max(0.0);
                let sqrt = matches!(op, ReduceOp::Std { .. });
                let v: Vec<f64> = m2.iter().map(|q| if n == 0.0 { f64::NAN } else { q / denom }).map(|x| if sqrt { x.sqrt() } else { x }).collect();
                cast_buffer(&Buffer::F64(v), fin.out_dtype)
            }
            Acc::Any(v) | Acc::All(v) => Buffer::Bool(v),
            Acc::Arg { index, .. } => Buffer::I64(index),
        };
        let shape: Vec<usize> = if fin.keepdims {
            self.shape
        } else {
            self.shape.iter().enumerate().filter(|(a, _)| !axes.contains(a)).map(|(_, &d)| d).collect()
        };
        Block::from_buffer(shape, buf)
    }

    pub fn nbytes(&self) -> usize {
        let cells: usize = self.shape.iter().product();
        cells * 16
    }
}

/// `vals` as float64 when they are (the hot case, served by SIMD kernels).
fn as_f64s<T: Num>(vals: &[T]) -> Option<&[f64]> {
    (std::any::TypeId::of::<T>() == std::any::TypeId::of::<f64>())
        // SAFETY: T is f64.
        .then(|| unsafe { std::slice::from_raw_parts(vals.as_ptr().cast::<f64>(), vals.len()) })
}

/// Float sums: all of `vals` into cell `pos`, or `vals[k]` into cell `pos + k`.
fn add_f64<T: Num>(s: &mut [f64], vals: &[T], pos: usize, into_one: bool) {
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
fn sum_f64<T: Num>(vals: &[T]) -> f64 {
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

fn each_cell<A, T: Copy>(s: &mut [A], vals: &[T], pos: usize, into_one: bool, f: impl Fn(&mut A, T)) {
    if into_one {
        for &v in vals {
            f(&mut s[pos], v);
        }
    } else {
        s[pos..pos + vals.len()].iter_mut().zip(vals).for_each(|(a, &v)| f(a, v));
    }
}

/// min/max with NumPy's NaN propagation.
fn pick<T: Num>(a: T, x: T, max: bool) -> T {
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
fn better<T: Num>(x: T, best: T, max: bool) -> bool {
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

fn merge_buf(a: &mut Buffer, b: &Buffer, f: fn(f64, f64) -> f64, i: fn(i64, i64) -> i64, u: fn(u64, u64) -> u64) {
    match (a, b) {
        (Buffer::F64(a), Buffer::F64(b)) => a.iter_mut().zip(b).for_each(|(x, y)| *x = f(*x, *y)),
        (Buffer::I64(a), Buffer::I64(b)) => a.iter_mut().zip(b).for_each(|(x, y)| *x = i(*x, *y)),
        (Buffer::U64(a), Buffer::U64(b)) => a.iter_mut().zip(b).for_each(|(x, y)| *x = u(*x, *y)),
        _ => panic!("accumulator dtypes differ"),
    }
}

fn merge_extreme(a: &mut Buffer, sa: &mut bool, b: &Buffer, sb: bool, max: bool) {
    if !sb {
        return;
    }
    if !*sa {
        *a = b.clone();
        *sa = true;
        return;
    }
    tessera_core::with_dtype!(a.dtype(), T => {
        let (a, b) = (T::slice_mut(a), T::slice(b));
        a.iter_mut().zip(b).for_each(|(x, &y)| *x = pick(*x, y, max));
    });
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
fn merge_moments(ma: &mut f64, qa: &mut f64, na: f64, mb: f64, qb: f64, nb: f64) {
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

