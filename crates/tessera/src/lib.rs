//! tessera: chunked, lazy, parallel N-dimensional arrays.
//!
//! An [`Array`] is a cheap handle to a node of an expression graph; nothing runs until
//! [`Array::compute`]. Then the graph is optimized, lowered to chunk tasks and run on all
//! cores, with chains of operations fused so that intermediates never exist as whole chunks.
//!
//! ```
//! use tessera::{random, ReduceOp};
//! let x = random::default_rng(42).normal(0.0, 0.1, &[1_000_000], 250_000).unwrap();
//! let m = x.mean().unwrap().compute().unwrap();
//! assert!(m.get_f64(&[]).abs() < 1e-3);
//! # let _ = ReduceOp::Sum;
//! ```

mod array;
mod blockwise;
pub mod diagnostics;
pub mod visualize;
mod create;
mod overlap;
pub mod scan;
pub mod topk;
pub mod histogram;
pub mod random;
#[cfg(feature = "zarr")]
pub mod zarr;
mod diagonal;
#[cfg(feature = "linalg")]
mod products;
#[cfg(feature = "linalg")]
pub use products::{einsum, einsum_with, tensordot};

pub use array::{compute_many, persist_many, Array, ComputeOptions, Operand, ReduceArgs};
pub use blockwise::blockwise;
pub use create::*;
pub use overlap::Boundary;
pub use tessera_core::kernel::{BlockCtx, BlockKernel, FnKernel, KernelArg};
pub use tessera_core::chunks::{AxisSpec, ChunkSpec};
pub use tessera_core::ops::{BinaryOp, Class, ReduceOp, UfuncSpec, UnaryOp};
pub use tessera_core::view::IndexItem;
pub use tessera_core::{Block, Buffer, DType, Element, Error, ErrorKind, Result, Scalar};
pub use tessera_exec::{Observer, TaskEvent};
