//! The process's memory budget: chunk bytes held by every computation running in this
//! process, so that concurrent computations (several Python threads, say) share one limit
//! instead of each holding up to it. Each computation admits its tasks against the sum; it
//! also keeps its own share, which it returns when it ends, whatever way it ends.

use std::sync::{Mutex, MutexGuard};

#[derive(Debug, Default)]
pub(crate) struct Usage {
    /// Bytes held by all computations: values in memory, reservations of running tasks
    /// and of results being assembled.
    pub held: usize,
    /// Tasks running in all computations.
    pub running: usize,
    /// The most `held` has been since `take_peak`.
    pub peak: usize,
}

impl Usage {
    pub fn add(&mut self, bytes: usize) {
        self.held += bytes;
        self.peak = self.peak.max(self.held);
    }
    pub fn sub(&mut self, bytes: usize) {
        self.held -= bytes;
    }
    /// Whether `need` more bytes fit under `limit`.
    pub fn fits(&self, need: usize, limit: Option<usize>) -> bool {
        limit.is_none_or(|l| self.held + need <= l)
    }
}

static USAGE: Mutex<Usage> = Mutex::new(Usage { held: 0, running: 0, peak: 0 });

pub(crate) fn lock() -> MutexGuard<'static, Usage> {
    USAGE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Chunk bytes all computations of this process hold now.
pub fn held_bytes() -> usize {
    lock().held
}

/// The most chunk bytes all computations of this process held at once since the last call
/// (or the start); for tests and diagnostics.
pub fn take_peak_bytes() -> usize {
    let mut u = lock();
    let held = u.held;
    std::mem::replace(&mut u.peak, held)
}
