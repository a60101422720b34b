//! tessera-kernels
