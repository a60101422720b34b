//! tessera-linalg: block kernels for linear algebra, on faer. Kept out of the core so that
//! the default build stays light; the facade's `linalg` feature and the Python extension
//! use it.

pub mod gemm;
mod contract_kernel;

pub use contract_kernel::{contract_kernel, ContractKernel};
