//! tessera-kernels
mod dispatch;
pub mod elementwise;
pub mod random;
pub mod reduce;
mod simd;
#[doc(hidden)]
pub mod reference;

pub use dispatch::simd_path;
