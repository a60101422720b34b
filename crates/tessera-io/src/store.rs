//! The local filesystem store tessera reads and writes through: zarrs' `FilesystemStore`,
//! except that a whole-chunk write is a plain file write. zarrs syncs every chunk to disk
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
        std::fs::write(&path, &value)?;
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
