//! tessera-exec: runs a lowered plan on a thread pool.
//!
//! Tasks are (stage, block) pairs generated as execution proceeds: source tasks come from
//! a cursor per source stage, other tasks become ready when their last input arrives.
//! Ready consumers always run before new sources start, so memory held stays near what
//! the consumers need (reductions free their inputs as they go). Every result is a pure
//! function of its inputs and reductions merge in block order, so the result is the same
//! bits for any thread count.

pub mod blockwise;
pub mod budget;
pub mod copy;
pub mod fused;
pub mod nan_reductions;
pub mod gather;
pub mod partial;
pub mod reductions;
pub mod regions;
mod scheduler;
pub mod tasks;
pub mod wire;

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Instant;
use tessera_core::plan::{Plan, StageId};
use tessera_core::Block;

pub use scheduler::{distinct_deps, execute, execute_kept, furthest_behind};

/// What a task produces: a block of its stage's array, or a partial reduction.
pub enum Value {
    Block(Block),
    Partial(partial::Partial),
}

impl Value {
    pub fn nbytes(&self) -> usize {
        match self {
            Value::Block(b) => b.nbytes(),
            Value::Partial(p) => p.nbytes(),
        }
    }
}

/// One input of a task: the value and the global origin of its block.
pub struct Input {
    pub value: Arc<Value>,
    pub start: Vec<usize>,
}

/// One finished task, for progress bars and profiles.
pub struct TaskEvent<'a> {
    pub stage: StageId,
    /// Chunk bytes held by the executor when the task finished, and spilled so far.
    pub held_bytes: usize,
    pub spilled_bytes: usize,
    pub name: &'a str,
    pub block: usize,
    pub thread: usize,
    pub start: Instant,
    pub end: Instant,
    pub bytes: usize,
}

/// Watches a computation. Called from worker threads; keep it cheap.
pub trait Observer: Send + Sync {
    fn started(&self, _plan: &Plan) {}
    fn task_done(&self, _event: &TaskEvent) {}
    fn finished(&self) {}
}

pub struct Options {
    /// Worker threads; 1 runs everything on the calling thread (the synchronous mode).
    pub threads: usize,
    /// Set to stop the computation early; it then returns a `Cancelled` error.
    pub cancel: Arc<AtomicBool>,
    pub observers: Vec<Arc<dyn Observer>>,
    /// Chunk bytes the executor may hold at once; `None` for no limit.
    pub memory_limit: Option<usize>,
    /// Other processes running the same program (MPI ranks); `None` runs locally.
    pub transport: Option<Arc<dyn Transport>>,
    /// With a transport: deliver the outputs only to process 0 (others get no arrays).
    pub root_only: bool,
    /// Where worker loops run when tasks call into an interpreter (see `WorkerScope`).
    pub worker_scope: Option<Arc<dyn WorkerScope>>,
}

/// Runs a worker's loop inside a context: the Python extension keeps an interpreter thread
/// state for the worker, so that each task calling Python re-takes the lock cheaply instead
/// of making and dropping a thread state per call.
pub trait WorkerScope: Send + Sync {
    fn run(&self, work: &mut (dyn FnMut() + Send));
}

/// Messages between the processes of an SPMD run. Every process builds and lowers the same
/// plan; each task has one owner (`owner`), and results travel to the owners of their
/// consumers. Output blocks go to every process.
pub trait Transport: Send + Sync {
    fn rank(&self) -> usize;
    fn size(&self) -> usize;
    /// Starts sending `bytes` to process `dest` (must not block on the receiver).
    fn send(&self, dest: usize, bytes: Vec<u8>);
    /// Messages that arrived since the last call (must not block).
    fn poll(&self) -> Vec<Vec<u8>>;
    /// Called by every process before it runs `plan`: a transport can check here that all
    /// processes run the same plan (and stop the job if not).
    fn begin(&self, _plan: &Plan) -> tessera_core::Result<()> {
        Ok(())
    }
}

/// The process that runs task (`stage`, `block`): source blocks are split into contiguous
/// runs per process; any other task runs where its first input was made, which keeps fused
/// chains and reduction subtrees on one process.
pub fn owner(plan: &Plan, stage: StageId, block: usize, procs: usize) -> usize {
    let (mut s, mut b) = (stage, block);
    loop {
        let st = &plan.stages[s];
        // A kernel's further output is made where its kernel's task runs.
        if let tessera_core::plan::StageKind::Part { of, .. } = st.kind {
            s = of;
            continue;
        }
        if st.is_source() {
            return b * procs / st.nblocks().max(1);
        }
        let deps = st.deps(&tessera_core::chunks::unravel(b, &st.grid()), plan);
        match deps.iter().enumerate().find(|(_, d)| !d.is_empty()) {
            Some((e, d)) => {
                b = d[0];
                s = st.edges[e].input;
            }
            None => return 0,
        }
    }
}

impl Options {
    pub fn with_threads(threads: usize) -> Options {
        Options { threads: threads.max(1), cancel: Arc::new(AtomicBool::new(false)), observers: vec![], memory_limit: None, transport: None, root_only: false, worker_scope: None }
    }
}

/// Parses a byte size: `256MiB`, `2 GiB`, `1.5GB`, `1e9`, `4096`; `none`, `0` (in any
/// unit) and the empty string mean no limit (`Ok(None)`). Negative, non-finite and
/// unreadable sizes are errors, with a message saying what is accepted.
pub fn parse_bytes(text: &str) -> std::result::Result<Option<usize>, String> {
    let t = text.trim().to_ascii_lowercase();
    if t.is_empty() || t == "none" {
        return Ok(None);
    }
    let bad = || format!("cannot read {text:?} as a size; use bytes (e.g. 1e9 or 4096), a size such as \"2GiB\", \"256MiB\" or \"1.5GB\", or \"none\" for no limit");
    let split = t.find(|c: char| c.is_ascii_alphabetic() && c != 'e').unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let v: f64 = num.trim().parse().map_err(|_| bad())?;
    let mult: f64 = match unit.trim() {
        "" | "b" => 1.0,
        // Dask's meaning (dask.utils.parse_bytes, and tessera's Python parse_bytes): a bare
        // "k", "m", "g" is decimal, like "kB", "MB", "GB".
        "kb" | "k" => 1e3,
        "mb" | "m" => 1e6,
        "gb" | "g" => 1e9,
        "tb" | "t" => 1e12,
        "pb" | "p" => 1e15,
        "kib" => 1024.0,
        "mib" => 1048576.0,
        "gib" => 1073741824.0,
        "tib" => 1099511627776.0,
        "pib" => 1125899906842624.0,
        _ => return Err(bad()),
    };
    let bytes = v * mult;
    if !bytes.is_finite() || bytes >= usize::MAX as f64 {
        return Err(format!("{text:?} is not a finite size"));
    }
    if bytes < 0.0 {
        return Err(format!("{text:?} is negative; use a positive size, or \"none\" for no limit"));
    }
    if bytes > 0.0 && bytes < 1.0 {
        return Err(format!("{text:?} is less than one byte"));
    }
    Ok((bytes >= 1.0).then_some(bytes as usize))
}

/// `TESSERA_MEMORY_LIMIT` if set: `Some(Ok(None))` for no limit, `Some(Err(message))` when
/// it cannot be read.
pub fn memory_limit_from_env() -> Option<std::result::Result<Option<usize>, String>> {
    let v = std::env::var("TESSERA_MEMORY_LIMIT").ok()?;
    Some(parse_bytes(&v).map_err(|e| format!("TESSERA_MEMORY_LIMIT: {e}")))
}

/// The default memory limit: `TESSERA_MEMORY_LIMIT`, else 3/4 of the machine's memory or
/// of the cgroup's limit, whichever is smaller. An unreadable `TESSERA_MEMORY_LIMIT` is
/// reported on stderr (once) and the machine's default is used.
pub fn default_memory_limit() -> Option<usize> {
    match memory_limit_from_env() {
        Some(Ok(limit)) => return limit,
        Some(Err(e)) => {
            static WARNED: std::sync::Once = std::sync::Once::new();
            WARNED.call_once(|| eprintln!("tessera: ignoring {e}"));
        }
        None => {}
    }
    machine_memory_limit()
}

/// 3/4 of the machine's memory or of the cgroup's limit, whichever is smaller.
pub fn machine_memory_limit() -> Option<usize> {
    let total = std::fs::read_to_string("/proc/meminfo").ok().and_then(|m| {
        m.lines().find(|l| l.starts_with("MemTotal:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<usize>().ok()).map(|kb| kb * 1024)
    });
    let cgroup = std::fs::read_to_string("/sys/fs/cgroup/memory.max").ok().and_then(|s| s.trim().parse::<usize>().ok());
    let m = match (total, cgroup) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b)?,
    };
    Some(m / 4 * 3)
}

/// Cores this process may use (its affinity mask and cgroup quota), read once: asking the
/// system reads cgroup files, tens of microseconds that a tiny compute would pay each time.
pub fn available_cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1))
}

/// The most worker threads one computation starts: more than this many CPU-bound threads
/// only add switching, stacks and reservations (every running task holds its memory).
pub fn max_threads() -> usize {
    MAX_THREADS_PER_CORE * available_cores()
}

/// Threads per core `max_threads` allows (more than one, so that a thread waiting on a
/// spill file does not leave its core idle).
pub const MAX_THREADS_PER_CORE: usize = 2;

/// Threads to use by default: `TESSERA_NUM_THREADS`, else all cores (at most
/// `max_threads`).
pub fn default_threads() -> usize {
    std::env::var("TESSERA_NUM_THREADS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(available_cores)
        .min(max_threads())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_in_every_documented_form() {
        let mib = 1 << 20;
        for (text, bytes) in [
            ("1e9", Some(1_000_000_000)),
            ("1E9", Some(1_000_000_000)),
            ("4096", Some(4096)),
            ("2GiB", Some(2 << 30)),
            ("256MiB", Some(256 * mib)),
            ("256 mib", Some(256 * mib)),
            ("1.5GB", Some(1_500_000_000)),
            ("2g", Some(2_000_000_000)),
            ("64 m", Some(64_000_000)),
            ("1.5e3 KB", Some(1_500_000)),
            (" none ", None),
            ("None", None),
            ("0", None),
            ("0 B", None),
            ("0MiB", None),
            ("", None),
        ] {
            assert_eq!(parse_bytes(text), Ok(bytes), "{text:?}");
        }
        for bad in ["-1", "-2GiB", "lots", "12 parsecs", "inf", "nan", "1e400", "GiB", "0.5", "1..5GB"] {
            let e = parse_bytes(bad).unwrap_err();
            assert!(e.contains(bad.trim()), "{bad:?}: {e}");
        }
    }

    #[test]
    fn threads_are_capped() {
        assert_eq!(max_threads(), MAX_THREADS_PER_CORE * available_cores());
        assert!(default_threads() <= max_threads());
    }
}
