//! Sources and sinks of tessera arrays that live outside Python: Zarr v2 and v3 on local
//! filesystems through `zarrs` (blosc, zstd, gzip, crc32c, sharding).
//!
//! A source is a block kernel with no inputs: its task reads the block's region of the
//! store when it runs (never when the array is built). A sink is a block kernel over the
//! array being written: its task writes the block and returns a one-element
//! acknowledgement, so a write is an ordinary lazy array whose `compute()` performs it.
//! Both run on tessera's own threads (zarrs is told not to start threads of its own), and
//! their blocks count in the memory budget like any task's output.

mod elements;
mod sink;
mod source;
mod store;
mod zarr;

pub use sink::write_zarr;

/// A block index as Python writes a tuple: `(1,)`, `(0, 2)`.
pub(crate) fn block_text(id: &[usize]) -> String {
    match id {
        [one] => format!("({one},)"),
        _ => format!("({})", id.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", ")),
    }
}
pub use source::read_zarr;
pub use zarr::{create_zarr, open_zarr, ZarrArray};
