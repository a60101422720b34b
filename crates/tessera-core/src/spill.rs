//! Spilled blocks: chunk data written to a spill directory when it must be kept but does
//! not fit under the memory limit. The directory is removed when the last block (or the
//! computation) using it is dropped, also after an error or a cancellation.
//!
//! A process that ends without dropping them (SIGKILL, `os._exit`, a signal handled by
//! nobody) leaves its directories behind. Each directory holds a `lock` file that its
//! process keeps locked (`flock`, released by the kernel when the process ends, however it
//! ends), so the next process to spill, or to import the Python package, removes the
//! directories whose lock it can take (`remove_stale`). `remove_all_now` removes this
//! process's directories at once (the Python package calls it on SIGTERM and at exit).

use crate::block::Block;
use crate::dtype::DType;
use crate::error::Result;
use crate::{err, with_dtype, Element};
use std::collections::HashSet;
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug)]
pub struct SpillDir {
    path: PathBuf,
    next: AtomicU64,
    /// Held locked while the directory is in use.
    _lock: File,
}

static DIRS: AtomicU64 = AtomicU64::new(0);
/// Directories of this process now in use.
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
/// Set by `remove_all_now`: no new directories after it.
static ENDING: AtomicBool = AtomicBool::new(false);
/// Base directories already searched for stale directories by this process.
static SEARCHED: Mutex<Option<HashSet<PathBuf>>> = Mutex::new(None);

const PREFIX: &str = "tessera-spill-";
/// A directory without a lock file is left alone this long (its process may be creating it).
const UNLOCKED_GRACE: Duration = Duration::from_secs(60);

/// Where spill directories go: `TESSERA_SPILL_DIR`, or the system's temporary directory.
pub fn spill_base() -> PathBuf {
    std::env::var_os("TESSERA_SPILL_DIR").map(PathBuf::from).unwrap_or_else(std::env::temp_dir)
}

/// Removes spill directories under `base` left by processes that have ended; returns how
/// many it removed. Directories of live processes (their lock is held) stay.
pub fn remove_stale(base: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(base) else { return 0 };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if !name.starts_with(PREFIX) || !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let path = entry.path();
        if LIVE.lock().unwrap_or_else(|e| e.into_inner()).contains(&path) {
            continue;
        }
        let stale = match File::open(path.join("lock")) {
            // The lock is free: its process has ended. (Keep the file open until removed.)
            Ok(f) => f.try_lock().is_ok(),
            Err(_) => entry.metadata().and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok()).is_some_and(|age| age > UNLOCKED_GRACE),
        };
        if stale && std::fs::remove_dir_all(&path).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// Removes every spill directory of this process now and refuses new ones (for a process
/// that is about to end on a signal). Blocks still using them can no longer be read.
pub fn remove_all_now() {
    ENDING.store(true, Ordering::SeqCst);
    let dirs = std::mem::take(&mut *LIVE.lock().unwrap_or_else(|e| e.into_inner()));
    for d in dirs {
        let _ = std::fs::remove_dir_all(d);
    }
}

impl SpillDir {
    /// A fresh directory under `spill_base()`. The first one a process creates under a base
    /// directory also removes stale directories there.
    pub fn create() -> Result<Arc<SpillDir>> {
        let base = spill_base();
        let first = SEARCHED.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert_with(HashSet::new).insert(base.clone());
        if first {
            remove_stale(&base);
        }
        if ENDING.load(Ordering::SeqCst) {
            return Err(err!(Cancelled, "spill", "the process is ending: no new spill directories"));
        }
        let path = base.join(format!("{PREFIX}{}-{}", std::process::id(), DIRS.fetch_add(1, Ordering::Relaxed)));
        let fail = |e: std::io::Error| err!(Value, "spill", "cannot create spill directory {}: {e}", path.display());
        std::fs::create_dir_all(&path).map_err(fail)?;
        let lock = File::create(path.join("lock")).map_err(fail)?;
        lock.lock().map_err(fail)?;
        LIVE.lock().unwrap_or_else(|e| e.into_inner()).push(path.clone());
        Ok(Arc::new(SpillDir { path, next: AtomicU64::new(0), _lock: lock }))
    }
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }
    /// Writes `block` (in C order) to a new file in this directory, without copying a
    /// contiguous block first.
    pub fn write(self: &Arc<Self>, block: &Block) -> Result<SpilledBlock> {
        let file = self.path.join(format!("{}.bin", self.next.fetch_add(1, Ordering::Relaxed)));
        let fail = |e: std::io::Error| err!(Value, "spill", "cannot write {}: {e}", file.display());
        let mut f = std::io::BufWriter::with_capacity(1 << 16, File::create(&file).map_err(fail)?);
        let size = block.dtype().size();
        with_dtype!(block.dtype(), T => {
            match block.as_slice::<T>() {
                Some(s) => f.write_all(as_bytes(s)).map_err(fail)?,
                None => {
                    let mut res = Ok(());
                    block.for_each_run(|ptr, stride, n| {
                        for k in 0..n {
                            if res.is_ok() {
                                // SAFETY: the run lies inside the view; elements are plain data.
                                let e = unsafe { std::slice::from_raw_parts(ptr.offset(k as isize * stride * size as isize), size) };
                                res = f.write_all(e);
                            }
                        }
                    });
                    res.map_err(fail)?
                }
            }
        });
        f.flush().map_err(fail)?;
        Ok(SpilledBlock { path: file, dtype: block.dtype(), shape: block.shape().to_vec(), dir: self.clone() })
    }
}

/// Plain-old-data elements viewed as bytes.
fn as_bytes<T: Element>(s: &[T]) -> &[u8] {
    // SAFETY: element types are plain data without padding.
    unsafe { std::slice::from_raw_parts(s.as_ptr() as *const u8, std::mem::size_of_val(s)) }
}

impl Drop for SpillDir {
    fn drop(&mut self) {
        LIVE.lock().unwrap_or_else(|e| e.into_inner()).retain(|p| p != &self.path);
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// A block on disk; reading it back gives the same values.
#[derive(Debug)]
pub struct SpilledBlock {
    path: PathBuf,
    pub dtype: DType,
    pub shape: Vec<usize>,
    dir: Arc<SpillDir>,
}

impl SpilledBlock {
    pub fn nbytes(&self) -> usize {
        self.shape.iter().product::<usize>() * self.dtype.size()
    }
    /// Reads the block back, straight into its buffer.
    pub fn load(&self) -> Result<Block> {
        let fail = |e: std::io::Error| err!(Value, "spill", "cannot read {}: {e}", self.path.display());
        let mut f = File::open(&self.path).map_err(fail)?;
        let n: usize = self.shape.iter().product();
        let len = f.metadata().map_err(fail)?.len() as usize;
        if len != n * self.dtype.size() {
            return Err(err!(Internal, "spill", "{} holds {len} bytes, expected {}", self.path.display(), n * self.dtype.size()));
        }
        let buf = with_dtype!(self.dtype, T => {
            let mut v: Vec<T> = vec![T::default(); n];
            // SAFETY: plain-old-data elements viewed as bytes; bool files hold 0/1 (written by `write`).
            let bytes = unsafe { std::slice::from_raw_parts_mut(v.as_mut_ptr() as *mut u8, std::mem::size_of_val(&v[..])) };
            f.read_exact(bytes).map_err(fail)?;
            T::into_buffer(v)
        });
        Ok(Block::from_buffer(self.shape.clone(), buf))
    }
    pub fn dir(&self) -> &Arc<SpillDir> {
        &self.dir
    }
}

impl Drop for SpilledBlock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// A kept block: in memory or spilled.
#[derive(Debug)]
pub enum Stored {
    Mem(Block),
    Disk(SpilledBlock),
}

impl Stored {
    pub fn load(&self) -> Result<Block> {
        match self {
            Stored::Mem(b) => Ok(b.clone()),
            Stored::Disk(s) => s.load(),
        }
    }
    pub fn nbytes(&self) -> usize {
        match self {
            Stored::Mem(b) => b.nbytes(),
            Stored::Disk(s) => s.nbytes(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spilled_blocks_round_trip_and_the_directory_goes_away() {
        let dir = SpillDir::create().unwrap();
        let path = dir.path().to_path_buf();
        let b = Block::from_vec(vec![2, 3], vec![1.5f64, -2.0, 3.0, 4.0, 5.0, 6.0]).restride(vec![3, 2], vec![1, 3], 0);
        let s = dir.write(&b).unwrap();
        assert_eq!(s.load().unwrap().to_vec::<f64>(), b.to_vec::<f64>());
        let t = dir.write(&Block::from_vec(vec![3], vec![true, false, true])).unwrap();
        assert_eq!(t.load().unwrap().to_vec::<bool>(), vec![true, false, true]);
        drop(dir);
        assert!(path.exists(), "blocks keep their directory alive");
        drop((s, t));
        assert!(!path.exists());
    }

    #[test]
    fn stale_directories_of_ended_processes_are_removed_and_live_ones_kept() {
        let base = std::env::temp_dir().join(format!("tessera-spill-test-{}", std::process::id()));
        std::fs::create_dir_all(&base).unwrap();
        // Left by a process that ended: the lock file exists but nobody holds it.
        let dead = base.join(format!("{PREFIX}999999-0"));
        std::fs::create_dir_all(&dead).unwrap();
        std::fs::write(dead.join("lock"), b"").unwrap();
        std::fs::write(dead.join("0.bin"), [0u8; 16]).unwrap();
        // In use: its lock is held (by an open file description, as another process would).
        let live = base.join(format!("{PREFIX}999998-0"));
        std::fs::create_dir_all(&live).unwrap();
        let held = File::create(live.join("lock")).unwrap();
        held.lock().unwrap();
        // Just created, no lock file yet: left alone for a grace period.
        let young = base.join(format!("{PREFIX}999997-0"));
        std::fs::create_dir_all(&young).unwrap();
        assert_eq!(remove_stale(&base), 1);
        assert!(!dead.exists() && live.exists() && young.exists());
        drop(held);
        assert_eq!(remove_stale(&base), 1);
        assert!(!live.exists());
        std::fs::remove_dir_all(&base).unwrap();
    }

    #[test]
    fn strided_blocks_spill_in_c_order() {
        let dir = SpillDir::create().unwrap();
        let b = Block::from_vec(vec![3, 4], (0..12).map(|x| x as i32).collect()).restride(vec![2, 2], vec![4, 2], 1);
        assert_eq!(dir.write(&b).unwrap().load().unwrap().to_vec::<i32>(), vec![1, 3, 5, 7]);
    }
}
