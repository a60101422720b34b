//! The local filesystem store tessera reads and writes through: zarrs' `FilesystemStore`,
//! except that a whole-chunk write is a plain file write (to a temporary name, then renamed). zarrs syncs every chunk to disk
//! (`fsync`) before returning, which made writing several times slower than zarr-python
//! (which does not); tasks never share a chunk, so no per-key lock is needed either.

use zarrs::filesystem::FilesystemStore;
use zarrs::storage::byte_range::ByteRangeIterator;
use zarrs::storage::{
    Bytes, MaybeBytesIterator, OffsetBytesIterator, ReadableStorageTraits, StorageError, StoreKey, StorePrefix,
    WritableStorageTraits,
};

#[derive(Debug)]
pub struct LocalStore {
    inner: FilesystemStore,
}

impl LocalStore {
    pub fn new(path: &str) -> Result<LocalStore, String> {
        FilesystemStore::new(path).map(|inner| LocalStore { inner }).map_err(|e| e.to_string())
    }
}

impl ReadableStorageTraits for LocalStore {
    fn get_partial_many<'a>(&'a self, key: &StoreKey, byte_ranges: ByteRangeIterator<'a>) -> Result<MaybeBytesIterator<'a>, StorageError> {
        self.inner.get_partial_many(key, byte_ranges)
    }
    fn size_key(&self, key: &StoreKey) -> Result<Option<u64>, StorageError> {
        self.inner.size_key(key)
    }
    fn supports_get_partial(&self) -> bool {
        self.inner.supports_get_partial()
    }
}

impl WritableStorageTraits for LocalStore {
    fn set(&self, key: &StoreKey, value: Bytes) -> Result<(), StorageError> {
        let path = self.inner.key_to_fspath(key);
        if let Some(parent) = path.parent().filter(|p| !p.exists()) {
            std::fs::create_dir_all(parent)?;
        }
        // Written beside the chunk and renamed over it: a write that fails (or a process
        // killed) leaves the chunk as it was, never a truncated chunk.
        let mut tmp = path.clone().into_os_string();
        tmp.push(format!(".tessera-partial-{}", std::process::id()));
        let tmp = std::path::PathBuf::from(tmp);
        if let Err(e) = std::fs::write(&tmp, &value).and_then(|_| std::fs::rename(&tmp, &path)) {
            let _ = std::fs::remove_file(&tmp);
            return Err(e.into());
        }
        Ok(())
    }
    fn set_partial_many(&self, key: &StoreKey, offset_values: OffsetBytesIterator) -> Result<(), StorageError> {
        self.inner.set_partial_many(key, offset_values)
    }
    fn erase(&self, key: &StoreKey) -> Result<(), StorageError> {
        self.inner.erase(key)
    }
    fn erase_prefix(&self, prefix: &StorePrefix) -> Result<(), StorageError> {
        self.inner.erase_prefix(prefix)
    }
    fn supports_set_partial(&self) -> bool {
        self.inner.supports_set_partial()
    }
}
