//! tessera-kernels
mod dispatch;
pub mod elementwise;
pub mod random;
pub mod reduce;

pub use dispatch::simd_path;
