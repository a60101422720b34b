//! Spilled blocks: chunk data written to a spill directory when it must be kept but does
//! not fit under the memory limit. The directory is removed when the last block (or the
//! computation) using it is dropped, also after an error or a cancellation.

use crate::block::Block;
use crate::dtype::DType;
use crate::error::Result;
use crate::{err, with_dtype, Element};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

#[derive(Debug)]
pub struct SpillDir {
    path: PathBuf,
    next: AtomicU64,
}

static DIRS: AtomicU64 = AtomicU64::new(0);

impl SpillDir {
    /// A fresh directory under `TESSERA_SPILL_DIR`, or the system's temporary directory.
    pub fn create() -> Result<Arc<SpillDir>> {
        let base = std::env::var_os("TESSERA_SPILL_DIR").map(PathBuf::from).unwrap_or_else(std::env::temp_dir);
        let path = base.join(format!("tessera-spill-{}-{}", std::process::id(), DIRS.fetch_add(1, Ordering::Relaxed)));
        std::fs::create_dir_all(&path).map_err(|e| err!(Value, "spill", "cannot create spill directory {}: {e}", path.display()))?;
        Ok(Arc::new(SpillDir { path, next: AtomicU64::new(0) }))
    }
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }
    /// Writes `block` (copied to C order) to a new file in this directory.
    pub fn write(self: &Arc<Self>, block: &Block) -> Result<SpilledBlock> {
        let file = self.path.join(format!("{}.bin", self.next.fetch_add(1, Ordering::Relaxed)));
        let buf = block.to_buffer();
        let bytes: &[u8] = with_dtype!(buf.dtype(), T => {
            let s = T::slice(&buf);
            // SAFETY: plain-old-data elements viewed as bytes.
            unsafe { std::slice::from_raw_parts(s.as_ptr() as *const u8, std::mem::size_of_val(s)) }
        });
        std::fs::write(&file, bytes).map_err(|e| err!(Value, "spill", "cannot write {}: {e}", file.display()))?;
        Ok(SpilledBlock { path: file, dtype: block.dtype(), shape: block.shape().to_vec(), dir: self.clone() })
    }
}

impl Drop for SpillDir {
    fn drop(&mut self) {
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
    pub fn load(&self) -> Result<Block> {
        let raw = std::fs::read(&self.path).map_err(|e| err!(Value, "spill", "cannot read {}: {e}", self.path.display()))?;
        let n: usize = self.shape.iter().product();
        if raw.len() != n * self.dtype.size() {
            return Err(err!(Internal, "spill", "{} holds {} bytes, expected {}", self.path.display(), raw.len(), n * self.dtype.size()));
        }
        let buf = with_dtype!(self.dtype, T => {
            let mut v: Vec<T> = vec![T::default(); n];
            // SAFETY: the file holds exactly n elements of T written by `write`; bool files hold 0/1.
            unsafe { std::ptr::copy_nonoverlapping(raw.as_ptr(), v.as_mut_ptr() as *mut u8, raw.len()) };
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
}
