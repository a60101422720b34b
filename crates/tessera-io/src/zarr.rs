//! Opening and creating Zarr arrays on a local filesystem.

use std::path::Path;
use std::sync::Arc;
use tessera_core::{DType, Error, ErrorKind, Result};
use zarrs::array::{Array, ArrayMetadata};
use crate::store::LocalStore;
use zarrs::plugin::{ExtensionName, ZarrVersion};

/// An open Zarr array and where it lives (for messages).
pub struct ZarrArray {
    pub(crate) array: Array<LocalStore>,
    /// `store` and `component`, e.g. `data.zarr` and `temperature`.
    pub store: String,
    pub component: String,
    pub dtype: DType,
    /// Whether chunks are shards (read through zarrs' partial decoders, inner chunk by
    /// inner chunk).
    pub(crate) sharded: bool,
}

impl std::fmt::Debug for ZarrArray {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ZarrArray({})", self.describe())
    }
}

fn io(op: &str, msg: String) -> Error {
    Error::new(ErrorKind::Io, op, msg)
}

/// The node path zarrs wants: `/` for the root, `/a/b` for a component.
fn node_path(component: &str) -> String {
    let c = component.trim_matches('/');
    if c.is_empty() { "/".to_string() } else { format!("/{c}") }
}

/// tessera's dtype of a Zarr data type (by its v3 name: `float64`, `int16`, `bool`, ...).
fn dtype_of(name: &str) -> Option<DType> {
    Some(match name {
        "bool" => DType::Bool,
        "int8" => DType::I8,
        "int16" => DType::I16,
        "int32" => DType::I32,
        "int64" => DType::I64,
        "uint8" => DType::U8,
        "uint16" => DType::U16,
        "uint32" => DType::U32,
        "uint64" => DType::U64,
        "float32" => DType::F32,
        "float64" => DType::F64,
        _ => return None,
    })
}

impl ZarrArray {
    pub fn describe(&self) -> String {
        if self.component.trim_matches('/').is_empty() {
            format!("zarr array {}", self.store)
        } else {
            format!("zarr array {} in {}", self.component.trim_matches('/'), self.store)
        }
    }
    pub fn shape(&self) -> Vec<usize> {
        self.array.shape().iter().map(|&s| s as usize).collect()
    }
    /// The storage chunk (for sharded arrays, the shard): writes from two tasks must never
    /// share one.
    pub fn chunk_shape(&self) -> Vec<usize> {
        let zeros = vec![0u64; self.array.dimensionality()];
        match self.array.chunk_shape(&zeros) {
            Ok(c) => c.iter().map(|s| s.get() as usize).collect(),
            Err(_) => self.shape(),
        }
    }
    /// 2 or 3.
    pub fn zarr_format(&self) -> u8 {
        match self.array.metadata() {
            ArrayMetadata::V2(_) => 2,
            ArrayMetadata::V3(_) => 3,
        }
    }
    /// The array's metadata as JSON (what zarr.json or .zarray holds).
    pub fn metadata_json(&self) -> String {
        serde_json::to_string(self.array.metadata()).unwrap_or_default()
    }
}

fn store_at(op: &str, path: &str) -> Result<Arc<LocalStore>> {
    LocalStore::new(path).map(Arc::new).map_err(|e| io(op, format!("cannot open the store {path}: {e}")))
}

fn with_array(op: &str, store: &str, component: &str, array: Array<LocalStore>) -> Result<Arc<ZarrArray>> {
    let name = array.data_type().name(ZarrVersion::V3).map(|n| n.to_string()).unwrap_or_else(|| format!("{}", array.data_type()));
    let where_ = if component.trim_matches('/').is_empty() { store.to_string() } else { format!("{store}/{}", component.trim_matches('/')) };
    let dtype = dtype_of(&name).ok_or_else(|| {
        Error::new(ErrorKind::DType, op, format!("the zarr array {where_} has data type {name}, which tessera does not support"))
    })?;
    let sharded = serde_json::to_string(array.metadata()).map(|m| m.contains("sharding_indexed")).unwrap_or(true);
    Ok(Arc::new(ZarrArray { array, store: store.to_string(), component: component.to_string(), dtype, sharded }))
}

/// Writes the metadata as given (zarrs would write codecs without configuration as bare
/// names, which zarr-python 3 does not read, and add attributes of its own): `zarr.json`
/// for v3; `.zarray` and `.zattrs` (the `attributes` member) for v2.
fn write_metadata(dir: &Path, metadata: &str) -> std::io::Result<()> {
    let mut v: serde_json::Value = serde_json::from_str(metadata).map_err(std::io::Error::other)?;
    let pretty = |v: &serde_json::Value| serde_json::to_string_pretty(v).map_err(std::io::Error::other);
    if v.get("zarr_format").and_then(|f| f.as_u64()) == Some(2) {
        let attrs = v.as_object_mut().and_then(|o| o.remove("attributes"));
        std::fs::write(dir.join(".zarray"), pretty(&v)?)?;
        if let Some(a) = attrs {
            std::fs::write(dir.join(".zattrs"), pretty(&a)?)?;
        }
        Ok(())
    } else {
        std::fs::write(dir.join("zarr.json"), pretty(&v)?)
    }
}

/// Opens the array at `component` of the store at `path` (v2 or v3).
pub fn open_zarr(path: &str, component: &str) -> Result<Arc<ZarrArray>> {
    let op = "from_zarr";
    if !Path::new(path).exists() {
        return Err(io(op, format!("no such store: {path}")));
    }
    let store = store_at(op, path)?;
    let array = Array::open(store, &node_path(component)).map_err(|e| {
        let at = if component.trim_matches('/').is_empty() { String::new() } else { format!(" at component {component:?}") };
        io(op, format!("no readable zarr array in {path}{at}: {e}"))
    })?;
    with_array(op, path, component, array)
}

/// Creates (writes the metadata of) an array from `metadata` (the JSON of zarr.json or
/// .zarray, attributes included) at `component` of the store at `path`. An existing node
/// there is an error unless `overwrite`, which first removes that node's directory (and
/// nothing outside it).
pub fn create_zarr(path: &str, component: &str, metadata: &str, overwrite: bool) -> Result<Arc<ZarrArray>> {
    let op = "to_zarr";
    let meta: ArrayMetadata = serde_json::from_str(metadata).map_err(|e| Error::new(ErrorKind::Value, op, format!("invalid zarr metadata for {path}: {e}")))?;
    let dir = Path::new(path).join(component.trim_matches('/'));
    let exists = ["zarr.json", ".zarray", ".zgroup"].iter().any(|f| dir.join(f).exists());
    if exists {
        if !overwrite {
            return Err(Error::new(ErrorKind::Value, op, format!("{} already holds a zarr node; pass overwrite=True to replace it", dir.display())));
        }
        std::fs::remove_dir_all(&dir).map_err(|e| io(op, format!("cannot remove the existing node {}: {e}", dir.display())))?;
    }
    std::fs::create_dir_all(&dir).map_err(|e| io(op, format!("cannot create {}: {e}", dir.display())))?;
    let store = store_at(op, path)?;
    let array = Array::new_with_metadata(store, &node_path(component), meta)
        .map_err(|e| Error::new(ErrorKind::Value, op, format!("cannot create a zarr array in {path}: {e}")))?;
    write_metadata(&dir, metadata).map_err(|e| io(op, format!("cannot write the metadata of {}: {e}", dir.display())))?;
    with_array(op, path, component, array)
}
