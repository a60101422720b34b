//! Run-time choice of the SIMD instruction set. The workspace builds for baseline x86-64
//! (SSE2), so hot loops are compiled a second and third time with AVX2+FMA and AVX-512
//! enabled, and the widest one the CPU supports is picked once. All paths give the same
//! bits: the kernels fix their operation order and use no approximate instructions.

use std::sync::atomic::{AtomicU8, Ordering};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Path {
    Plain = 1,
    Avx2 = 2,
    Avx512 = 3,
}

static PATH: AtomicU8 = AtomicU8::new(0);

pub(crate) fn detect() -> Path {
    #[cfg(target_arch = "x86_64")]
    {
        if is_x86_feature_detected!("avx512f")
            && is_x86_feature_detected!("avx512dq")
            && is_x86_feature_detected!("avx512vl")
            && is_x86_feature_detected!("avx512bw")
            && is_x86_feature_detected!("avx2")
            && is_x86_feature_detected!("fma")
        {
            return Path::Avx512;
        }
        if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
            return Path::Avx2;
        }
    }
    Path::Plain
}

/// The path for this machine, detected once and cached.
pub(crate) fn path() -> Path {
    match PATH.load(Ordering::Relaxed) {
        1 => Path::Plain,
        2 => Path::Avx2,
        3 => Path::Avx512,
        _ => {
            let p = detect();
            PATH.store(p as u8, Ordering::Relaxed);
            p
        }
    }
}

/// Which code path the kernels use on this machine: `"avx512"`, `"avx2+fma"` or `"plain"`
/// (diagnostics only: all paths give identical values).
pub fn simd_path() -> &'static str {
    match path() {
        Path::Avx512 => "avx512",
        Path::Avx2 => "avx2+fma",
        Path::Plain => "plain",
    }
}

/// Defines `pub fn $name` whose body is compiled for each path and dispatched at run time.
/// The body must be plain safe code; it is inlined into each `target_feature` wrapper.
macro_rules! multiversion {
    ($(#[$m:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)? $body:block) => {
        $(#[$m])*
        $vis fn $name($($arg: $ty),*) $(-> $ret)? {
            #[inline(always)]
            fn body($($arg: $ty),*) $(-> $ret)? $body
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx512f,avx512dq,avx512vl,avx512bw,avx2,fma")]
            fn avx512($($arg: $ty),*) $(-> $ret)? { body($($arg),*) }
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2,fma")]
            fn avx2($($arg: $ty),*) $(-> $ret)? { body($($arg),*) }
            match $crate::dispatch::path() {
                // SAFETY: `path()` reports a path only when the CPU has its features.
                #[cfg(target_arch = "x86_64")]
                $crate::dispatch::Path::Avx512 => unsafe { avx512($($arg),*) },
                // SAFETY: as above.
                #[cfg(target_arch = "x86_64")]
                $crate::dispatch::Path::Avx2 => unsafe { avx2($($arg),*) },
                _ => body($($arg),*),
            }
        }
    };
}
pub(crate) use multiversion;
