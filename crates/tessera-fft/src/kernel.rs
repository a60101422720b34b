//! The block kernel: 1-d transforms of every line of a block along one axis.

use realfft::RealFftPlanner;
use rustfft::num_complex::Complex as Nc;
use rustfft::{FftNum, FftPlanner};
use std::cell::RefCell;
use tessera::{Block, BlockCtx, BlockKernel, Element, KernelArg, Result};
use tessera_core::numtypes::Complex;

/// Which transform.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Complex to complex (`fft`, `ifft`).
    C2C { inverse: bool },
    /// Real to the `n / 2 + 1` non-negative frequencies (`rfft`).
    R2C,
    /// The inverse of `R2C`: `n / 2 + 1` frequencies to `n` real values (`irfft`).
    C2R,
}

#[derive(Debug)]
pub struct FftKernel {
    pub name: String,
    pub kind: Kind,
    /// The transform length.
    pub n: usize,
    pub axis: usize,
    pub scale: f64,
}

/// Lines gathered per batch when the axis is not the last: each gather reads runs of this
/// many contiguous elements.
const BATCH: usize = 16;

/// A precision: its real and tessera complex element types and a planner per thread.
pub trait Prec: FftNum + Element {
    type C: Element;
    fn with_planners<R>(f: impl FnOnce(&mut FftPlanner<Self>, &mut RealFftPlanner<Self>) -> R) -> R;
}

macro_rules! prec {
    ($t:ty, $c:ty, $key:ident) => {
        thread_local! {
            static $key: RefCell<(FftPlanner<$t>, RealFftPlanner<$t>)> = RefCell::new((FftPlanner::new(), RealFftPlanner::new()));
        }
        impl Prec for $t {
            type C = $c;
            fn with_planners<R>(f: impl FnOnce(&mut FftPlanner<Self>, &mut RealFftPlanner<Self>) -> R) -> R {
                $key.with(|p| {
                    let (a, b) = &mut *p.borrow_mut();
                    f(a, b)
                })
            }
        }
    };
}
prec!(f32, Complex<f32>, PLAN32);
prec!(f64, Complex<f64>, PLAN64);

/// tessera's complex values as num-complex's (both `repr(C)` {re, im}).
fn as_nc<T>(v: &[Complex<T>]) -> &[Nc<T>] {
    // SAFETY: same size, alignment and field order.
    unsafe { std::slice::from_raw_parts(v.as_ptr() as *const Nc<T>, v.len()) }
}

fn as_nc_mut<T>(v: &mut [Complex<T>]) -> &mut [Nc<T>] {
    // SAFETY: as above.
    unsafe { std::slice::from_raw_parts_mut(v.as_mut_ptr() as *mut Nc<T>, v.len()) }
}

impl BlockKernel for FftKernel {
    fn name(&self) -> &str {
        &self.name
    }
    fn call(&self, _ctx: &BlockCtx, args: Vec<KernelArg>) -> Result<Block> {
        let block = &args[0].blocks[0];
        match (self.kind, block.dtype()) {
            (Kind::R2C, tessera::DType::F32) | (Kind::C2C { .. } | Kind::C2R, tessera::DType::C64) => self.run::<f32>(block),
            _ => self.run::<f64>(block),
        }
    }
    fn call_into(&self, _ctx: &BlockCtx, args: Vec<KernelArg>, dest: &Block) -> Result<Option<Vec<KernelArg>>> {
        // Complex transforms write their lines straight into the result.
        let (Kind::C2C { inverse }, Some(strides)) = (self.kind, line_strides(dest, self.axis)) else { return Ok(Some(args)) };
        let block = &args[0].blocks[0];
        // SAFETY: `dest` is this block's own place in the result, of the output block's
        // shape; nothing else writes or reads it while the task runs.
        unsafe {
            match (block.dtype(), dest.dtype()) {
                (tessera::DType::C64, tessera::DType::C64) => self.c2c::<f32>(block, inverse, dest.ptr::<Complex<f32>>() as *mut Nc<f32>, strides),
                (tessera::DType::C128, tessera::DType::C128) => self.c2c::<f64>(block, inverse, dest.ptr::<Complex<f64>>() as *mut Nc<f64>, strides),
                _ => return Ok(Some(args)),
            }
        }
        Ok(None)
    }
}

/// Where the lines of a C-order block along `axis` lie: `outer` groups of `inner` lines,
/// each line's elements `inner` apart.
fn layout(shape: &[usize], axis: usize) -> (usize, usize) {
    (shape[..axis].iter().product(), shape[axis + 1..].iter().product())
}

impl FftKernel {
    /// The complex transforms of `block`'s lines into the output at `dst`, whose groups,
    /// elements and lines are `dst_strides` apart (see `line_strides`).
    ///
    /// # Safety
    /// `dst` must address an output block of `block`'s shape with `n` along the axis.
    unsafe fn c2c<T: Prec>(&self, block: &Block, inverse: bool, dst: *mut Nc<T>, (dos, dks, dis): (isize, isize, isize)) {
        let shape = block.shape();
        let len = shape[self.axis];
        let (outer, inner) = layout(shape, self.axis);
        let scale = <T as rustfft::num_traits::FromPrimitive>::from_f64(self.scale).unwrap();
        // Lines are read in place when the block's strides allow (in-memory data cut into
        // strips along the axis is a strided view): no copy before the gather.
        let copy;
        let (src, os, ks, is) = match line_strides(block, self.axis) {
            Some((os, ks, is)) => (block.ptr::<T::C>() as *const Nc<T>, os, ks, is),
            None => {
                copy = block.to_vec::<T::C>();
                (copy.as_ptr() as *const Nc<T>, (len * inner) as isize, inner as isize, 1)
            }
        };
        T::with_planners(|p, _| {
            let fft = if inverse { p.plan_fft_inverse(self.n) } else { p.plan_fft_forward(self.n) };
            let mut scratch = vec![Nc::default(); fft.get_inplace_scratch_len()];
            let batch = if inner == 1 { 1 } else { BATCH.min(inner) };
            let mut lines = vec![Nc::<T>::default(); batch * self.n];
            for o in 0..outer {
                for i0 in (0..inner).step_by(batch) {
                    let b = batch.min(inner - i0);
                    gather(src.offset(o as isize * os), ks, is, &mut lines, len, i0, b, self.n);
                    fft.process_with_scratch(&mut lines[..b * self.n], &mut scratch);
                    scatter(&lines, dst.offset(o as isize * dos + i0 as isize * dis), dks, dis, b, self.n, scale);
                }
            }
        });
    }

    fn run<T: Prec>(&self, block: &Block) -> Result<Block> {
        let shape = block.shape().to_vec();
        let len = shape[self.axis];
        let out_len = if self.kind == Kind::R2C { self.n / 2 + 1 } else { self.n };
        let mut out_shape = shape.clone();
        out_shape[self.axis] = out_len;
        let (outer, inner) = layout(&shape, self.axis);
        let scale = <T as rustfft::num_traits::FromPrimitive>::from_f64(self.scale).unwrap();
        match self.kind {
            Kind::C2C { inverse } => {
                let mut out = tessera_core::block::zeroed_vec::<T::C>(outer * out_len * inner);
                // SAFETY: `out` is the output block in C order.
                unsafe { self.c2c::<T>(block, inverse, out.as_mut_ptr() as *mut Nc<T>, ((out_len * inner) as isize, inner as isize, 1)) };
                Ok(Block::from_vec(out_shape, out))
            }
            Kind::R2C => {
                let input = contiguous::<T>(block);
                let mut out = vec![Complex::<T>::default(); outer * out_len * inner];
                T::with_planners(|_, rp| {
                    let fft = rp.plan_fft_forward(self.n);
                    let mut scratch = fft.make_scratch_vec();
                    let (mut line, mut spec) = (fft.make_input_vec(), fft.make_output_vec());
                    for o in 0..outer {
                        for i in 0..inner {
                            let at = |k: usize| o * len * inner + k * inner + i;
                            for (k, v) in line.iter_mut().enumerate() {
                                *v = if k < len { input[at(k)] } else { T::zero() };
                            }
                            fft.process_with_scratch(&mut line, &mut spec, &mut scratch).expect("realfft lengths");
                            let dst = as_nc_mut(&mut out[o * out_len * inner..]);
                            for (k, v) in spec.iter().enumerate() {
                                dst[k * inner + i] = v * scale;
                            }
                        }
                    }
                });
                Ok(Block::from_vec(out_shape, uncast_c::<T>(out)))
            }
            Kind::C2R => {
                let input = contiguous::<T::C>(block);
                let input: &[Complex<T>] = cast_c(&input);
                let mut out = vec![T::zero(); outer * out_len * inner];
                let m = self.n / 2 + 1;
                T::with_planners(|_, rp| {
                    let fft = rp.plan_fft_inverse(self.n);
                    let mut scratch = fft.make_scratch_vec();
                    let (mut spec, mut line) = (fft.make_input_vec(), fft.make_output_vec());
                    for o in 0..outer {
                        for i in 0..inner {
                            let src = as_nc(&input[o * len * inner..]);
                            for (k, v) in spec.iter_mut().enumerate() {
                                *v = if k < len.min(m) { src[k * inner + i] } else { Nc::default() };
                            }
                            // The transform of a real signal has real ends; NumPy ignores
                            // their imaginary parts (realfft would refuse them).
                            spec[0].im = T::zero();
                            if self.n % 2 == 0 {
                                spec[m - 1].im = T::zero();
                            }
                            fft.process_with_scratch(&mut spec, &mut line, &mut scratch).expect("realfft lengths");
                            let dst = &mut out[o * out_len * inner..];
                            for (k, v) in line.iter().enumerate() {
                                dst[k * inner + i] = *v * scale;
                            }
                        }
                    }
                });
                Ok(Block::from_vec(out_shape, out))
            }
        }
    }
}

/// The block's elements in C order (no copy when contiguous).
fn contiguous<E: Element>(block: &Block) -> std::borrow::Cow<'_, [E]> {
    match block.as_slice::<E>() {
        Some(s) => std::borrow::Cow::Borrowed(s),
        None => std::borrow::Cow::Owned(block.to_vec::<E>()),
    }
}

/// `T::C` is `Complex<T>` for both precisions; these casts say so to the compiler.
fn cast_c<T: Prec>(v: &[T::C]) -> &[Complex<T>] {
    assert_eq!(std::mem::size_of::<T::C>(), std::mem::size_of::<Complex<T>>());
    // SAFETY: T::C is Complex<T> (see `prec!`).
    unsafe { std::slice::from_raw_parts(v.as_ptr() as *const Complex<T>, v.len()) }
}

fn uncast_c<T: Prec>(v: Vec<Complex<T>>) -> Vec<T::C> {
    recast(v)
}

/// A vector of `T::C` as one of `Complex<T>` or back (the same type, see `prec!`).
fn recast<A, B>(v: Vec<A>) -> Vec<B> {
    assert!(std::mem::size_of::<A>() == std::mem::size_of::<B>() && std::mem::align_of::<A>() == std::mem::align_of::<B>());
    let mut v = std::mem::ManuallyDrop::new(v);
    // SAFETY: only used between T::C and Complex<T>, one type: the allocation fits.
    unsafe { Vec::from_raw_parts(v.as_mut_ptr() as *mut B, v.len(), v.capacity()) }
}

/// The strides of a block's lines along `axis` as (group, element, line) strides: the axes
/// before `axis` merged into one, `axis`, the axes after it merged into one; `None` when
/// the strides do not merge.
fn line_strides(block: &Block, axis: usize) -> Option<(isize, isize, isize)> {
    let (shape, strides) = (block.shape(), block.strides());
    let merge = |r: std::ops::Range<usize>| -> Option<isize> {
        let dims: Vec<(usize, isize)> = r.map(|a| (shape[a], strides[a])).filter(|d| d.0 != 1).collect();
        match dims.last() {
            None => Some(0),
            Some(&(_, s)) => dims.windows(2).all(|w| w[0].1 == w[1].1 * w[1].0 as isize).then_some(s),
        }
    };
    if block.is_empty() {
        return None;
    }
    Some((merge(0..axis)?, strides[axis], merge(axis + 1..shape.len())?))
}

/// Lines `i0..i0 + b` of one group (line `i` at `src + i * is`, its `len` elements `ks`
/// apart) into `lines`, `n` apart, cut or zero-padded to `n`.
///
/// # Safety
/// Every element addressed must be valid.
#[allow(clippy::too_many_arguments)]
unsafe fn gather<T: FftNum + Default>(src: *const Nc<T>, ks: isize, is: isize, lines: &mut [Nc<T>], len: usize, i0: usize, b: usize, n: usize) {
    let take = len.min(n);
    for k in 0..take {
        let row = src.offset(k as isize * ks + i0 as isize * is);
        for j in 0..b {
            lines[j * n + k] = *row.offset(j as isize * is);
        }
    }
    if take < n {
        for j in 0..b {
            lines[j * n + take..(j + 1) * n].fill(Nc::default());
        }
    }
}

/// The `b` transformed lines back, scaled, into the output: line `j`'s element `k` at
/// `dst + k * ks + j * is`.
///
/// # Safety
/// Every element addressed must be valid and written by this task only.
unsafe fn scatter<T: FftNum>(lines: &[Nc<T>], dst: *mut Nc<T>, ks: isize, is: isize, b: usize, n: usize, scale: T) {
    let one = scale == T::one();
    for k in 0..n {
        let row = dst.offset(k as isize * ks);
        for j in 0..b {
            let x = lines[j * n + k];
            *row.offset(j as isize * is) = if one { x } else { x * scale };
        }
    }
}
