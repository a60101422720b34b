//! tessera-kernels
pub mod elementwise;
pub mod random;
