//! Partial results of reductions: accumulated per chunk, merged up a fixed tree, finalised.
//! Merges always run in block order, so the result is the same bits for any thread count.
//!
//! Each reduction's state is the [`ReduceState`] type its row in
//! `tessera_core::reduction_table!` names (see [`crate::reductions`]); [`Acc`], with one
//! variant per row, and the wire tags are generated from the table.

use crate::reductions;
use crate::wire::Reader;
use tessera_core::ops::ReduceOp;
use tessera_core::plan::Finalize;
use tessera_core::{err, Block, Buffer, DType, Element, Result};

/// What the accumulators need of an element type.
pub trait Num: Element {
    fn as_i64(self) -> i64;
    fn as_u64(self) -> u64;
    fn is_nan(self) -> bool;
    /// The imaginary part (0 for real types).
    fn im(self) -> f64 {
        0.0
    }
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
impl Num for tessera_core::numtypes::f16 {
    fn as_i64(self) -> i64 {
        self.to_f64() as i64
    }
    fn as_u64(self) -> u64 {
        self.to_f64() as u64
    }
    fn is_nan(self) -> bool {
        tessera_core::numtypes::f16::is_nan(self)
    }
}
macro_rules! num_complex {
    ($($t:ty),*) => {$(
        impl Num for $t {
            fn as_i64(self) -> i64 { self.re as i64 }
            fn as_u64(self) -> u64 { self.re as u64 }
            fn is_nan(self) -> bool { self.has_nan() }
            fn im(self) -> f64 { self.im as f64 }
        }
    )*};
}
num_complex!(tessera_core::numtypes::c64, tessera_core::numtypes::c128);
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

/// A reduction's state over the cells of one block (or of a group of blocks, after merges).
/// Implementations fix their order of operations, so results depend only on the values and
/// the block order, never on threads.
pub trait ReduceState: Clone + std::fmt::Debug + Send + Sync + Sized {
    /// Whether consecutive runs into the same cells may go in together through
    /// [`ReduceState::add_rows`] (states that ignore runs' ranks and indices).
    const ADDS_ROWS: bool = false;
    /// The empty state of `cells` cells, for input values of dtype `input`.
    fn new(cells: usize, input: DType) -> Self;
    /// Adds one run of values. With `into_one`, all of `vals` reduce into cell `pos` (their
    /// arg indices are `arg + k`); otherwise `vals[k]` goes to cell `pos + k`, each cell
    /// having seen `rank` values before (arg index `arg` for all).
    fn add_run<T: Num>(&mut self, vals: &[T], pos: usize, into_one: bool, rank: u64, arg: i64);
    /// Adds `vals.len() / width` runs of `width` values, in order, into the cells from
    /// `pos` on (only where `ADDS_ROWS`).
    fn add_rows<T: Num>(&mut self, vals: &[T], width: usize, pos: usize) {
        for run in vals.chunks(width.max(1)) {
            self.add_run(run, pos, false, 0, 0);
        }
    }
    /// The float64 cells `pos..pos + width`, where runs are added with one `+=` per value
    /// (for sources that add their own rows: the streamed random normal).
    fn f64_cells(&mut self, _pos: usize, _width: usize) -> Option<&mut [f64]> {
        None
    }
    /// Merges `later` (after `self` in block order); `counts` are the elements each side
    /// reduced into every cell.
    fn merge(&mut self, later: &Self, counts: (u64, u64));
    /// An error the result would be (NumPy's ValueError for an all-NaN nanargmin), checked
    /// before `finalize`.
    fn check(&self, _op: ReduceOp) -> Result<()> {
        Ok(())
    }
    /// The result per cell in dtype `out`, `count` elements having been reduced into each.
    fn finalize(self, op: ReduceOp, count: u64, out: DType) -> Buffer;
    /// The state for messages between processes (MPI).
    fn encode(&self, out: &mut Vec<u8>);
    fn decode(r: &mut Reader) -> Result<Self>;
}

macro_rules! partial_states {
    ([] $($v:ident $({ $p:ident })? $m:ident $ma:ident $n:literal => $state:ident, $out:expr, $flags:expr;)*) => {
        /// The state of one reduction: the type its row names.
        #[derive(Clone, Debug)]
        pub enum Acc {
            $($v(reductions::$state),)*
        }

        impl Acc {
            fn new(op: ReduceOp, cells: usize, input: DType) -> Acc {
                match op {
                    $(ReduceOp::$v { .. } => Acc::$v(ReduceState::new(cells, input)),)*
                }
            }
            #[inline]
            fn add_run<T: Num>(&mut self, vals: &[T], pos: usize, into_one: bool, rank: u64, arg: i64) {
                match self {
                    $(Acc::$v(s) => s.add_run(vals, pos, into_one, rank, arg),)*
                }
            }
            fn adds_rows(&self) -> bool {
                match self {
                    $(Acc::$v(_) => <reductions::$state as ReduceState>::ADDS_ROWS,)*
                }
            }
            #[inline]
            fn add_rows<T: Num>(&mut self, vals: &[T], width: usize, pos: usize) {
                match self {
                    $(Acc::$v(s) => s.add_rows(vals, width, pos),)*
                }
            }
            fn f64_cells(&mut self, pos: usize, width: usize) -> Option<&mut [f64]> {
                match self {
                    $(Acc::$v(s) => s.f64_cells(pos, width),)*
                }
            }
            fn merge(&mut self, later: &Acc, counts: (u64, u64)) {
                match (self, later) {
                    $((Acc::$v(a), Acc::$v(b)) => a.merge(b, counts),)*
                    _ => panic!("merging partials of different reductions"),
                }
            }
            fn check(&self, op: ReduceOp) -> Result<()> {
                match self {
                    $(Acc::$v(s) => s.check(op),)*
                }
            }
            fn finalize(self, op: ReduceOp, count: u64, out: DType) -> Buffer {
                match self {
                    $(Acc::$v(s) => s.finalize(op, count, out),)*
                }
            }
            /// The tag (the row's position in the table), then the state.
            pub(crate) fn encode(&self, out: &mut Vec<u8>) {
                match self {
                    $(Acc::$v(s) => {
                        out.push(ReduceOp::$v $({ $p: 0 })?.index() as u8);
                        s.encode(out);
                    })*
                }
            }
            pub(crate) fn decode(r: &mut Reader) -> Result<Acc> {
                let tag = r.u8()?;
                let op = *ReduceOp::ALL.get(tag as usize).ok_or_else(|| err!(Internal, "wire", "bad partial tag {tag}"))?;
                Ok(match op {
                    $(ReduceOp::$v { .. } => Acc::$v(ReduceState::decode(r)?),)*
                })
            }
        }
    };
}

tessera_core::reduction_table!(partial_states);

/// One chunk's (or one group's) partial reduction over the cells of its kept shape.
#[derive(Clone, Debug)]
pub struct Partial {
    /// The block's shape with reduced axes set to 1.
    pub shape: Vec<usize>,
    /// Elements reduced into every cell so far.
    pub count: u64,
    pub acc: Acc,
}

impl Partial {
    /// A sum over axes that have length 1 in `block`, taking the block's buffer as the
    /// accumulator (no copy) when it is one (float64, int64, uint64, owned whole). Block
    /// kernels whose extra axes are summed (contractions' partial products) end here.
    pub fn adopt_sum(op: ReduceOp, axes: &[usize], block: Block) -> std::result::Result<Partial, Block> {
        if !matches!(op, ReduceOp::Sum) || axes.iter().any(|&a| block.shape()[a] != 1) {
            return Err(block);
        }
        let shape = block.shape().to_vec();
        let buffer = block.try_into_buffer()?;
        match reductions::Sum::from_acc(buffer) {
            Some(sum) => Ok(Partial { shape, count: 1, acc: Acc::Sum(sum) }),
            None => unreachable!("checked by from_acc's caller"),
        }
    }

    pub fn new(op: ReduceOp, shape: Vec<usize>, input: DType) -> Partial {
        let n: usize = shape.iter().product();
        Partial { shape, count: 0, acc: Acc::new(op, n, input) }
    }

    /// See [`ReduceState::add_run`].
    #[inline]
    pub fn add_run<T: Num>(&mut self, vals: &[T], pos: usize, into_one: bool, rank: u64, arg: i64) {
        self.acc.add_run(vals, pos, into_one, rank, arg)
    }

    /// Whether consecutive runs into the same cells may go in together through
    /// [`Partial::add_rows`].
    pub fn adds_rows(&self) -> bool {
        self.acc.adds_rows()
    }

    /// See [`ReduceState::f64_cells`].
    pub fn f64_cells(&mut self, pos: usize, width: usize) -> Option<&mut [f64]> {
        self.acc.f64_cells(pos, width)
    }

    /// See [`ReduceState::add_rows`].
    #[inline]
    pub fn add_rows<T: Num>(&mut self, vals: &[T], width: usize, pos: usize) {
        debug_assert!(self.adds_rows());
        self.acc.add_rows(vals, width, pos)
    }

    /// Marks that `n` more elements were reduced into every cell (after a block's runs).
    pub fn finish_block(&mut self, n: u64) {
        self.count += n;
    }

    /// Merges `other` (later in block order) into `self`.
    pub fn merge(&mut self, other: &Partial) {
        self.acc.merge(&other.acc, (self.count, other.count));
        self.count += other.count;
    }

    /// The reduction's result for these cells, in the output dtype and shape.
    pub fn finalize(self, op: ReduceOp, fin: &Finalize, axes: &[usize]) -> Result<Block> {
        self.acc.check(op)?;
        let buf = self.acc.finalize(op, self.count, fin.out_dtype);
        let shape: Vec<usize> = if fin.keepdims {
            self.shape
        } else {
            self.shape.iter().enumerate().filter(|(a, _)| !axes.contains(a)).map(|(_, &d)| d).collect()
        };
        Ok(Block::from_buffer(shape, buf))
    }

    pub fn nbytes(&self) -> usize {
        let cells: usize = self.shape.iter().product();
        cells * 16
    }
}
