//! FFTs of tessera arrays (`numpy.fft`'s transforms) along any axis of any chunking.
//!
//! A transform along an axis needs every value along it, so the array is first rechunked to
//! one chunk along that axis. The rechunk is memory-bounded: the other axes' chunks shrink
//! so that a block holds about as many elements as the largest input block (never less than
//! one whole line along the axis). Each block is then transformed by a Rust kernel (rustfft
//! for complex transforms, realfft for real ones), lines in batches, one block per task, so
//! the result is the same bits for any thread count. N-d transforms are 1-d ones in turn.

mod kernel;

pub use kernel::Kind;

use std::sync::Arc;
use tessera::{Array, AxisSpec, ChunkSpec, DType, Result};
use tessera_core::blockwise::{self as bw, Blockwise};
use tessera_core::bail;

/// NumPy's `norm`: which direction is scaled, and how.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Norm {
    Backward,
    Ortho,
    Forward,
}

impl Norm {
    pub fn from_name(op: &str, name: Option<&str>) -> Result<Norm> {
        Ok(match name {
            None | Some("backward") => Norm::Backward,
            Some("ortho") => Norm::Ortho,
            Some("forward") => Norm::Forward,
            Some(other) => bail!(Value, op, "Invalid norm value {other}; should be \"backward\",\"ortho\" or \"forward\"."),
        })
    }
    /// The factor of a transform of length `n` in the `inverse` direction or not.
    fn scale(self, n: usize, inverse: bool) -> f64 {
        let n = n as f64;
        match (self, inverse) {
            (Norm::Ortho, _) => 1.0 / n.sqrt(),
            (Norm::Backward, true) | (Norm::Forward, false) => 1.0 / n,
            _ => 1.0,
        }
    }
}

/// The working precision: single for float16/float32/complex64, double otherwise (NumPy 2).
fn single(d: DType) -> bool {
    matches!(d, DType::F16 | DType::F32 | DType::C64)
}

/// A 1-d transform of `x` along `axis`: `kind`, transform length `n` (the input is cut or
/// zero-padded to the length the transform reads: `n`, or `n / 2 + 1` for `C2R`).
pub fn fft_axis(op: &str, x: &Array, kind: Kind, n: usize, axis: usize, norm: Norm) -> Result<Array> {
    if axis >= x.ndim() {
        bail!(Axis, op, "axis {axis} is out of bounds for array of dimension {}", x.ndim());
    }
    if n < 1 {
        bail!(Value, op, "Invalid number of FFT data points ({n}) specified.");
    }
    let d = x.dtype();
    let (input, out) = match kind {
        Kind::C2C { .. } | Kind::C2R => {
            let c = if single(d) { DType::C64 } else { DType::C128 };
            (c, if kind == Kind::C2R { c.real_part() } else { c })
        }
        Kind::R2C => {
            if d.is_complex() {
                bail!(DType, op, "{op} needs real input, got {d} (take .real first, or use fft)");
            }
            let r = if single(d) { DType::F32 } else { DType::F64 };
            (r, if r == DType::F32 { DType::C64 } else { DType::C128 })
        }
    };
    let out_len = if kind == Kind::R2C { n / 2 + 1 } else { n };
    let x = whole_along(&x.astype(input), axis)?;
    let mut scale = norm.scale(n, matches!(kind, Kind::C2C { inverse: true } | Kind::C2R));
    if d == DType::F16 {
        // NumPy computes the normalization factor in the input's float dtype.
        scale = tessera_core::numtypes::f16::from_f64(scale).to_f64();
    }
    let kernel = kernel::FftKernel { name: op.to_string(), kind, n, axis, scale };
    let ind: Vec<u32> = (0..x.ndim() as u32).collect();
    let args = [(x.expr().clone(), ind.clone())];
    let adjust = [(axis as u32, vec![out_len])];
    let b = Blockwise {
        op,
        kernel: Arc::new(kernel),
        out: &ind,
        args: &args,
        new_axes: &[],
        adjust_chunks: &adjust,
        dtype: out,
        concatenate: true,
        align: false,
    };
    bw::blockwise(b).map(Array::from_expr)
}

/// `x` with one chunk along `axis` and, on the other axes, chunks shrunk so that a block
/// has at most as many elements as the largest block of `x` (at least one line).
pub fn whole_along(x: &Array, axis: usize) -> Result<Array> {
    let chunks = x.chunks();
    if chunks[axis].nblocks() <= 1 {
        return Ok(x.clone());
    }
    let len = x.shape()[axis];
    let mut sizes: Vec<usize> = chunks.iter().map(|c| c.max_size().max(1)).collect();
    let budget: usize = sizes.iter().product::<usize>().max(len);
    sizes[axis] = len.max(1);
    // Shrink the leading axes first: the last axis stays wide, so lines along an earlier
    // axis are gathered from long contiguous runs.
    for a in 0..sizes.len() {
        let total: usize = sizes.iter().product();
        if total <= budget {
            break;
        }
        if a == axis {
            continue;
        }
        let rest = total / sizes[a];
        sizes[a] = (budget / rest.max(1)).max(1).min(sizes[a]);
    }
    let spec = ChunkSpec::PerAxis(
        sizes.iter().enumerate().map(|(a, &s)| if a == axis { AxisSpec::Size(-1) } else { AxisSpec::Size(s as i64) }).collect(),
    );
    x.rechunk(spec)
}
