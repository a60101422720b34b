//! tessera-core: dtypes, chunks, blocks, errors, the expression graph, the optimizer and lowering.

pub mod error;
pub mod dtype;
pub mod numtypes;
pub mod block;
pub mod ufuncs;
pub mod ops;
pub mod chunks;
pub mod view;
pub mod graph;
pub mod build;
pub mod optimize;
pub mod plan;
pub mod kernel;
pub mod blockwise;
pub mod regions;
pub mod gather;
pub mod compress;
pub mod diagonal;
pub mod spill;
pub mod token;

pub use block::{Block, BufMut, BufRef, Buffer, Element, Scalar};
pub use dtype::{DType, ScalarKind};
pub use error::{Error, ErrorKind, Result};
pub mod contract;
pub mod products;
