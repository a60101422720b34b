//! tessera-exec: runs a lowered plan on a thread pool.
//!
//! Tasks are (stage, block) pairs generated as execution proceeds: source tasks come from
//! a cursor per source stage, other tasks become ready when their last input arrives.
//! Ready consumers always run before new sources start, so memory held stays near what
//! the consumers need (reductions free their inputs as they go). Every result is a pure
//! function of its inputs and reductions merge in block order, so the result is the same
//! bits for any thread count.

pub mod copy;
pub mod fused;
pub mod partial;
mod scheduler;
pub mod tasks;

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Instant;
use tessera_core::plan::{Plan, StageId};
use tessera_core::Block;

pub use scheduler::execute;

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
}

impl Options {
    pub fn with_threads(threads: usize) -> Options {
        Options { threads: threads.max(1), cancel: Arc::new(AtomicBool::new(false)), observers: vec![] }
    }
}

/// Threads to use by default: `TESSERA_NUM_THREADS`, else all cores.
pub fn default_threads() -> usize {
    std::env::var("TESSERA_NUM_THREADS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1))
}
