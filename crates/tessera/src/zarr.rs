//! Zarr v2/v3 stores on the local filesystem (feature `zarr`, through `tessera-io` and
//! zarrs): [`from_zarr`] reads lazily, one task per block; [`to_zarr`] writes one task
//! per block.
//!
//! ```no_run
//! let x = tessera::zarr::from_zarr("data.zarr", "temperature", None).unwrap();
//! let m = x.mean_axis(&[0]).unwrap();
//! tessera::zarr::to_zarr(&m, "out.zarr", "", None, true).unwrap();
//! ```

use crate::{Array, Result};
use tessera_core::chunks::{AxisChunks, Chunks};

pub use tessera_io::{create_zarr, open_zarr, ZarrArray};

/// The lazy array at `component` of the store at `path`, in `chunks` (default: the
/// store's chunks; for sharded arrays, the shards).
pub fn from_zarr(path: &str, component: &str, chunks: Option<Chunks>) -> Result<Array> {
    let z = open_zarr(path, component)?;
    let chunks = match chunks {
        Some(c) => c,
        None => z.shape().iter().zip(z.chunk_shape()).map(|(&n, c)| AxisChunks::regular(c.max(1), n)).collect(),
    };
    tessera_io::read_zarr(z, chunks).map(Array::from_expr)
}

/// Zarr v3 metadata for a new array: `chunk_shape` storage chunks, little-endian bytes and
/// zstd (level 0, zarr-python's default), fill value zero.
pub fn v3_metadata(x: &Array, chunk_shape: &[usize]) -> String {
    let list = |v: &[usize]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(",");
    let dt = x.dtype();
    let bytes = if dt.size() > 1 { r#"{"name":"bytes","configuration":{"endian":"little"}}"# } else { r#"{"name":"bytes"}"# };
    let fill = match dt {
        crate::DType::Bool => "false",
        crate::DType::F32 | crate::DType::F64 => "0.0",
        _ => "0",
    };
    format!(
        r#"{{"zarr_format":3,"node_type":"array","shape":[{}],"data_type":"{}","chunk_grid":{{"name":"regular","configuration":{{"chunk_shape":[{}]}}}},"chunk_key_encoding":{{"name":"default","configuration":{{"separator":"/"}}}},"fill_value":{fill},"codecs":[{bytes},{{"name":"zstd","configuration":{{"level":0,"checksum":false}}}}],"attributes":{{}}}}"#,
        list(x.shape()),
        dt.name(),
        list(&chunk_shape.iter().map(|&c| c.max(1)).collect::<Vec<_>>())
    )
}

/// Writes `x` as a new array at `component` of the store at `path` (`metadata`: the JSON
/// of zarr.json or .zarray; default [`v3_metadata`] with `x`'s largest chunks as storage
/// chunks) and waits for the writes. `x`'s block boundaries must fall on storage chunks.
pub fn to_zarr(x: &Array, path: &str, component: &str, metadata: Option<&str>, overwrite: bool) -> Result<()> {
    let default;
    let meta = match metadata {
        Some(m) => m,
        None => {
            let cs: Vec<usize> = x.chunks().iter().map(|c| c.max_size()).collect();
            default = v3_metadata(x, &cs);
            &default
        }
    };
    let z = create_zarr(path, component, meta, overwrite)?;
    let zeros = vec![0; x.ndim()];
    Array::from_expr(tessera_io::write_zarr(x.expr(), z, &zeros)?).compute().map(|_| ())
}
