//! tessera-kernels
mod dispatch;
pub mod elementwise;
pub mod random;
pub mod reduce;
pub mod scan;
pub mod select;
pub mod histogram;
mod simd;
#[doc(hidden)]
pub mod reference;
pub mod spec_semantics;

pub use dispatch::simd_path;
