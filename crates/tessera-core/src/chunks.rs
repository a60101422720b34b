//! Chunks: block sizes per axis, stored compactly (a regular axis costs O(1) whatever
//! its block count), and their normalisation from the forms Dask accepts.

use crate::dtype::DType;
use crate::error::Result;
use std::sync::Arc;

/// Block sizes along one axis.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum AxisChunks {
    /// `len` elements in blocks of `size`, the last possibly shorter (`size >= 1`, `len >= 1`).
    Regular { size: usize, len: usize },
    /// Block boundaries: `offsets[0] == 0`, `offsets[i + 1] - offsets[i]` is block `i`'s size.
    Explicit(Arc<[usize]>),
}

impl AxisChunks {
    /// Canonical form of explicit block sizes (regular where it can be).
    pub fn from_sizes(sizes: &[usize]) -> AxisChunks {
        let len: usize = sizes.iter().sum();
        if let Some((&first, rest)) = sizes.split_first() {
            let (&last, middle) = rest.split_last().unwrap_or((&first, &[]));
            if first >= 1 && middle.iter().all(|&s| s == first) && last <= first && last >= 1 {
                return AxisChunks::Regular { size: first, len };
            }
        }
        let mut offsets = Vec::with_capacity(sizes.len() + 1);
        offsets.push(0);
        let mut acc = 0;
        for &s in sizes {
            acc += s;
            offsets.push(acc);
        }
        if offsets.len() == 1 {
            offsets.push(0);
        }
        AxisChunks::Explicit(offsets.into())
    }
    /// Blocks of `size` over `len` elements; an empty axis is one empty block, as in Dask.
    pub fn regular(size: usize, len: usize) -> AxisChunks {
        if len == 0 {
            AxisChunks::from_sizes(&[0])
        } else {
            AxisChunks::Regular { size: size.clamp(1, len), len }
        }
    }
    pub fn whole(len: usize) -> AxisChunks {
        AxisChunks::regular(len, len)
    }
    pub fn len(&self) -> usize {
        match self {
            AxisChunks::Regular { len, .. } => *len,
            AxisChunks::Explicit(o) => *o.last().unwrap(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    pub fn nblocks(&self) -> usize {
        match self {
            AxisChunks::Regular { size, len } => len.div_ceil(*size),
            AxisChunks::Explicit(o) => o.len() - 1,
        }
    }
    pub fn start(&self, block: usize) -> usize {
        match self {
            AxisChunks::Regular { size, .. } => block * size,
            AxisChunks::Explicit(o) => o[block],
        }
    }
    pub fn size(&self, block: usize) -> usize {
        match self {
            AxisChunks::Regular { size, len } => (*size).min(len - block * size),
            AxisChunks::Explicit(o) => o[block + 1] - o[block],
        }
    }
    /// The largest block size.
    pub fn max_size(&self) -> usize {
        match self {
            AxisChunks::Regular { size, .. } => *size,
            AxisChunks::Explicit(o) => o.windows(2).map(|w| w[1] - w[0]).max().unwrap_or(0),
        }
    }
    /// The block holding element `index` (`index < len`); for an index at `len`, the last block.
    pub fn block_of(&self, index: usize) -> usize {
        match self {
            AxisChunks::Regular { size, .. } => (index / size).min(self.nblocks() - 1),
            AxisChunks::Explicit(o) => {
                let i = o.partition_point(|&x| x <= index);
                // Skip back over empty blocks so the block returned really holds `index`.
                (i.saturating_sub(1)).min(o.len() - 2)
            }
        }
    }
    pub fn sizes(&self) -> Vec<usize> {
        (0..self.nblocks()).map(|b| self.size(b)).collect()
    }
}

/// Chunks of an array: one `AxisChunks` per axis.
pub type Chunks = Vec<AxisChunks>;

pub fn nblocks(chunks: &[AxisChunks]) -> Vec<usize> {
    chunks.iter().map(|c| c.nblocks()).collect()
}

pub fn total_blocks(chunks: &[AxisChunks]) -> usize {
    chunks.iter().map(|c| c.nblocks()).product()
}

/// Shape of the block at grid position `index`.
pub fn block_shape(chunks: &[AxisChunks], index: &[usize]) -> Vec<usize> {
    chunks.iter().zip(index).map(|(c, &i)| c.size(i)).collect()
}

pub fn block_start(chunks: &[AxisChunks], index: &[usize]) -> Vec<usize> {
    chunks.iter().zip(index).map(|(c, &i)| c.start(i)).collect()
}

/// Grid position of the block with C-order number `linear`.
pub fn unravel(linear: usize, grid: &[usize]) -> Vec<usize> {
    let mut idx = vec![0; grid.len()];
    let mut rest = linear;
    for k in (0..grid.len()).rev() {
        let g = grid[k].max(1);
        idx[k] = rest % g;
        rest /= g;
    }
    idx
}

pub fn ravel(index: &[usize], grid: &[usize]) -> usize {
    index.iter().zip(grid).fold(0, |acc, (&i, &g)| acc * g + i)
}

/// How a user may give the chunks of one axis.
#[derive(Clone, Debug, PartialEq)]
pub enum AxisSpec {
    /// About `AUTO_CHUNK_BYTES` per chunk, shared out among the auto axes.
    Auto,
    /// Blocks of this size; -1 means the whole axis.
    Size(i64),
    /// Explicit block sizes.
    Blocks(Vec<i64>),
}

/// How a user may give the chunks of an array.
#[derive(Clone, Debug, PartialEq)]
pub enum ChunkSpec {
    Auto,
    /// One size for every axis (-1: whole axes).
    Uniform(i64),
    PerAxis(Vec<AxisSpec>),
}

/// Dask's default `array.chunk-size`.
pub const AUTO_CHUNK_BYTES: usize = 128 * 1024 * 1024;

/// Turns a chunk specification into explicit chunks for `shape`.
pub fn normalize_chunks(spec: &ChunkSpec, shape: &[usize], dtype: DType) -> Result<Chunks> {
    let specs: Vec<AxisSpec> = match spec {
        ChunkSpec::Auto => vec![AxisSpec::Auto; shape.len()],
        ChunkSpec::Uniform(n) => vec![AxisSpec::Size(*n); shape.len()],
        ChunkSpec::PerAxis(v) => {
            if v.len() != shape.len() {
                crate::bail!(
                    Chunks,
                    "chunks",
                    "{} chunk entries given for an array of shape {:?} ({} axes)",
                    v.len(),
                    shape,
                    shape.len()
                );
            }
            v.clone()
        }
    };
    let mut out: Vec<Option<AxisChunks>> = vec![None; shape.len()];
    for (axis, (s, &dim)) in specs.iter().zip(shape).enumerate() {
        out[axis] = match s {
            AxisSpec::Auto => None,
            AxisSpec::Size(-1) => Some(AxisChunks::whole(dim)),
            AxisSpec::Size(n) if *n >= 1 => Some(AxisChunks::regular(*n as usize, dim)),
            AxisSpec::Size(0) if dim == 0 => Some(AxisChunks::whole(0)),
            AxisSpec::Size(n) => {
                crate::bail!(Chunks, "chunks", "chunk size {n} along axis {axis} is invalid: sizes must be positive or -1 (shape {shape:?})")
            }
            AxisSpec::Blocks(b) => {
                if b.is_empty() {
                    crate::bail!(Chunks, "chunks", "no block sizes given along axis {axis} (shape {shape:?})");
                }
                if let Some(bad) = b.iter().find(|&&x| x < 0) {
                    crate::bail!(Chunks, "chunks", "block size {bad} along axis {axis} is negative (blocks {b:?})");
                }
                let sum: i64 = b.iter().sum();
                if sum as usize != dim || b.is_empty() {
                    crate::bail!(
                        Chunks,
                        "chunks",
                        "block sizes {b:?} along axis {axis} add up to {sum}, but the axis has length {dim} (shape {shape:?})"
                    );
                }
                Some(AxisChunks::from_sizes(&b.iter().map(|&x| x as usize).collect::<Vec<_>>()))
            }
        };
    }
    // Auto axes share what the fixed axes leave of the byte budget equally, as Dask does.
    let autos: Vec<usize> = (0..shape.len()).filter(|&a| out[a].is_none()).collect();
    if !autos.is_empty() {
        let fixed: usize = out.iter().flatten().map(|c| c.max_size().max(1)).product();
        let mut budget = (AUTO_CHUNK_BYTES / dtype.size() / fixed).max(1) as f64;
        let mut left: Vec<usize> = autos.clone();
        // Axes smaller than their share take the whole axis; the rest split what remains.
        loop {
            let share = budget.powf(1.0 / left.len() as f64);
            let (small, big): (Vec<usize>, Vec<usize>) = left.iter().partition(|&&a| (shape[a] as f64) <= share);
            if small.is_empty() {
                for &a in &big {
                    out[a] = Some(AxisChunks::regular(share.floor().max(1.0) as usize, shape[a]));
                }
                break;
            }
            for &a in &small {
                out[a] = Some(AxisChunks::whole(shape[a]));
                budget /= shape[a].max(1) as f64;
            }
            left = big;
            if left.is_empty() {
                break;
            }
        }
    }
    Ok(out.into_iter().map(|c| c.expect("every axis chunked")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn regular_and_explicit_agree() {
        let r = AxisChunks::regular(3, 10);
        assert_eq!(r.sizes(), vec![3, 3, 3, 1]);
        assert_eq!(AxisChunks::from_sizes(&[3, 3, 3, 1]), r);
        let e = AxisChunks::from_sizes(&[2, 0, 5]);
        assert_eq!(e.nblocks(), 3);
        assert_eq!(e.block_of(2), 2);
        assert_eq!(e.block_of(1), 0);
        assert_eq!(AxisChunks::whole(0).nblocks(), 1);
        assert_eq!(AxisChunks::whole(0).size(0), 0);
    }

    #[test]
    fn auto_matches_dask_sizes() {
        let c = normalize_chunks(&ChunkSpec::Auto, &[800_000_000], DType::F64).unwrap();
        assert_eq!(c[0].max_size(), 16_777_216);
        let c = normalize_chunks(&ChunkSpec::Auto, &[20000, 20000], DType::F64).unwrap();
        assert_eq!(c[0].max_size(), 4096);
        let c = normalize_chunks(&ChunkSpec::Auto, &[10, 100_000_000], DType::F64).unwrap();
        assert_eq!(c[0].max_size(), 10);
        assert_eq!(c[1].max_size(), 1_677_721);
    }

    #[test]
    fn bad_specs_are_named() {
        let e = normalize_chunks(&ChunkSpec::PerAxis(vec![AxisSpec::Blocks(vec![3, 3])]), &[7], DType::F64).unwrap_err();
        assert!(e.message.contains("add up to 6"), "{e}");
        let e = normalize_chunks(&ChunkSpec::Uniform(0), &[7], DType::F64).unwrap_err();
        assert!(e.message.contains("chunk size 0"), "{e}");
        let e = normalize_chunks(&ChunkSpec::PerAxis(vec![AxisSpec::Size(2)]), &[7, 3], DType::F64).unwrap_err();
        assert!(e.message.contains("1 chunk entries"), "{e}");
        let e = normalize_chunks(&ChunkSpec::PerAxis(vec![AxisSpec::Blocks(vec![-1, 8])]), &[7], DType::F64).unwrap_err();
        assert!(e.message.contains("negative"), "{e}");
    }

    proptest! {
        #[test]
        fn block_of_finds_the_block(sizes in proptest::collection::vec(0usize..5, 1..8)) {
            let c = AxisChunks::from_sizes(&sizes);
            prop_assert_eq!(c.sizes(), sizes.clone());
            for i in 0..c.len() {
                let b = c.block_of(i);
                prop_assert!(c.start(b) <= i && i < c.start(b) + c.size(b));
            }
        }
    }
}

impl From<usize> for ChunkSpec {
    fn from(n: usize) -> Self {
        ChunkSpec::Uniform(n as i64)
    }
}
impl From<i64> for ChunkSpec {
    fn from(n: i64) -> Self {
        ChunkSpec::Uniform(n)
    }
}
impl From<i32> for ChunkSpec {
    fn from(n: i32) -> Self {
        ChunkSpec::Uniform(n as i64)
    }
}
impl From<&str> for ChunkSpec {
    /// `"auto"`; anything else is treated as auto too (Dask also accepts byte sizes here).
    fn from(_: &str) -> Self {
        ChunkSpec::Auto
    }
}
impl<const N: usize> From<[usize; N]> for ChunkSpec {
    fn from(v: [usize; N]) -> Self {
        ChunkSpec::PerAxis(v.iter().map(|&n| AxisSpec::Size(n as i64)).collect())
    }
}
impl From<&[usize]> for ChunkSpec {
    fn from(v: &[usize]) -> Self {
        ChunkSpec::PerAxis(v.iter().map(|&n| AxisSpec::Size(n as i64)).collect())
    }
}
impl From<Vec<Vec<usize>>> for ChunkSpec {
    /// Explicit block sizes per axis.
    fn from(v: Vec<Vec<usize>>) -> Self {
        ChunkSpec::PerAxis(v.into_iter().map(|b| AxisSpec::Blocks(b.into_iter().map(|x| x as i64).collect())).collect())
    }
}
