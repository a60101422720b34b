//! Random arrays from a counter-based generator (Philox4x32-10): an element's value
//! depends only on (seed, stream, its flat index), so it is the same for any chunking,
//! thread count or process count, and any slice can be generated on its own.
//!
//! A [`Generator`] hands each array it creates the next stream number, so the arrays of one
//! seeded generator are independent and reproducible. The module-level functions use a
//! process-wide generator, seeded from the clock unless [`seed`] is called.

use crate::Array;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use tessera_core::build;
use tessera_core::chunks::ChunkSpec;
use tessera_core::graph::{Generator as Gen, RandomDist};
use tessera_core::{bail, DType, Result};

pub struct Generator {
    seed: u64,
    next_stream: AtomicU64,
}

/// A generator seeded with `seed` (like `numpy.random.default_rng(seed)`).
pub fn default_rng(seed: u64) -> Generator {
    Generator { seed, next_stream: AtomicU64::new(0) }
}

impl Generator {
    pub fn seed(&self) -> u64 {
        self.seed
    }
    fn make(&self, dist: RandomDist, shape: &[usize], dtype: DType, chunks: ChunkSpec) -> Result<Array> {
        let stream = self.next_stream.fetch_add(1, Ordering::Relaxed);
        let gen = Gen::Random { dist, seed: self.seed, stream };
        Ok(Array::new(build::generate(gen, shape, dtype, &chunks)?))
    }
    pub fn normal(&self, loc: f64, scale: f64, shape: &[usize], chunks: impl Into<ChunkSpec>) -> Result<Array> {
        if !(scale >= 0.0) {
            bail!(Value, "normal", "scale must be non-negative, got {scale}");
        }
        self.make(RandomDist::Normal { loc, scale }, shape, DType::F64, chunks.into())
    }
    pub fn standard_normal(&self, shape: &[usize], chunks: impl Into<ChunkSpec>) -> Result<Array> {
        self.normal(0.0, 1.0, shape, chunks)
    }
    pub fn uniform(&self, low: f64, high: f64, shape: &[usize], chunks: impl Into<ChunkSpec>) -> Result<Array> {
        if !(low.is_finite() && high.is_finite()) {
            bail!(Value, "uniform", "bounds must be finite, got low={low} high={high}");
        }
        self.make(RandomDist::Uniform { low, high }, shape, DType::F64, chunks.into())
    }
    /// Uniform on [0, 1).
    pub fn random(&self, shape: &[usize], chunks: impl Into<ChunkSpec>) -> Result<Array> {
        self.make(RandomDist::Random, shape, DType::F64, chunks.into())
    }
    /// Integers in [low, high).
    pub fn integers(&self, low: i64, high: i64, shape: &[usize], dtype: DType, chunks: impl Into<ChunkSpec>) -> Result<Array> {
        if high <= low {
            bail!(Value, "integers", "low >= high ({low} >= {high})");
        }
        if !dtype.is_int() {
            bail!(DType, "integers", "dtype must be an integer type, got {dtype}");
        }
        self.make(RandomDist::Integers { low, high }, shape, dtype, chunks.into())
    }
}

static GLOBAL: Mutex<Option<(u64, u64)>> = Mutex::new(None);

/// Reseeds the process-wide generator.
pub fn seed(seed: u64) {
    *GLOBAL.lock().unwrap_or_else(|e| e.into_inner()) = Some((seed, 0));
}

/// The identity of the parallel job this process belongs to (the same on every rank, new
/// for every job), from the launcher's environment; `None` outside a launcher.
fn job_id() -> Option<String> {
    ["PMIX_NAMESPACE", "OMPI_MCA_ess_base_jobid", "PMI_KVSNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok())
        .or_else(|| Some(format!("{}.{}", std::env::var("SLURM_JOB_ID").ok()?, std::env::var("SLURM_STEP_ID").unwrap_or_default())))
}

/// FNV-1a of a job id.
fn job_hash(id: &str) -> u64 {
    id.bytes().fold(0xcbf29ce484222325u64, |h, b| (h ^ b as u64).wrapping_mul(0x100000001b3))
}

/// The seed of an unseeded process-wide generator. Under a parallel launcher all processes
/// of one job must draw the same arrays, so the job's identity seeds it; otherwise the
/// clock and process id do.
fn default_seed() -> u64 {
    match job_id() {
        Some(id) => job_hash(&id),
        None => {
            let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0);
            t ^ (std::process::id() as u64).rotate_left(32)
        }
    }
}

static UNSEEDED: AtomicU64 = AtomicU64::new(0);

/// The seed for a generator made without one (`default_rng()`, `RandomState()`), under a
/// parallel launcher: derived from the job's identity and the number of such seeds this
/// process took before, so the n-th unseeded generator is the same on every rank of a
/// program that runs the same code everywhere (and differs from the process-wide one and
/// from the other unseeded ones). `None` outside a launcher: use fresh entropy.
pub fn job_seed() -> Option<u64> {
    let id = job_id()?;
    let n = UNSEEDED.fetch_add(1, Ordering::Relaxed);
    // SplitMix64's finaliser over the job hash and the count.
    let mut z = job_hash(&id) ^ (n + 1).wrapping_mul(0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d049bb133111eb);
    Some(z ^ (z >> 31))
}

/// The process-wide generator's next (seed, stream).
fn global() -> Generator {
    let mut g = GLOBAL.lock().unwrap_or_else(|e| e.into_inner());
    let (seed, stream) = g.get_or_insert_with(|| (default_seed(), 0));
    let gen = Generator { seed: *seed, next_stream: AtomicU64::new(*stream) };
    *stream += 1;
    gen
}

pub fn normal(loc: f64, scale: f64, shape: &[usize], chunks: impl Into<ChunkSpec>) -> Result<Array> {
    global().normal(loc, scale, shape, chunks)
}
pub fn standard_normal(shape: &[usize], chunks: impl Into<ChunkSpec>) -> Result<Array> {
    global().standard_normal(shape, chunks)
}
pub fn uniform(low: f64, high: f64, shape: &[usize], chunks: impl Into<ChunkSpec>) -> Result<Array> {
    global().uniform(low, high, shape, chunks)
}
pub fn random(shape: &[usize], chunks: impl Into<ChunkSpec>) -> Result<Array> {
    global().random(shape, chunks)
}
pub fn integers(low: i64, high: i64, shape: &[usize], dtype: DType, chunks: impl Into<ChunkSpec>) -> Result<Array> {
    global().integers(low, high, shape, dtype, chunks)
}
