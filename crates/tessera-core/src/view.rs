//! Views: an affine map from output coordinates to input coordinates, one rule per input
//! axis. Slices (any step), integer indices, new axes, transposes and broadcasts are all
//! views, so they compose into one map and apply to a block without copying.

use crate::block::Block;
use crate::chunks::{AxisChunks, Chunks};
use crate::error::Result;

/// Where one input axis's coordinate comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AxisMap {
    /// A fixed coordinate (an integer index removed this axis).
    Fixed(usize),
    /// `start + step * out[out_axis]`; step 0 broadcasts.
    Strided { out_axis: usize, start: usize, step: isize },
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AffineMap {
    pub out_shape: Vec<usize>,
    /// One entry per input axis.
    pub axes: Vec<AxisMap>,
}

impl AffineMap {
    pub fn identity(shape: &[usize]) -> AffineMap {
        AffineMap {
            out_shape: shape.to_vec(),
            axes: (0..shape.len()).map(|a| AxisMap::Strided { out_axis: a, start: 0, step: 1 }).collect(),
        }
    }
    pub fn is_identity(&self) -> bool {
        self.axes.len() == self.out_shape.len()
            && self.axes.iter().enumerate().all(|(a, m)| *m == AxisMap::Strided { out_axis: a, start: 0, step: 1 })
    }
    /// The map `out -> in` of `self` (`mid -> in`) after `outer` (`out -> mid`).
    pub fn compose(&self, outer: &AffineMap) -> AffineMap {
        let axes = self
            .axes
            .iter()
            .map(|m| match *m {
                AxisMap::Fixed(c) => AxisMap::Fixed(c),
                AxisMap::Strided { out_axis, start, step } => match outer.axes[out_axis] {
                    AxisMap::Fixed(c) => AxisMap::Fixed((start as isize + step * c as isize) as usize),
                    AxisMap::Strided { out_axis: o, start: s2, step: t2 } => {
                        AxisMap::Strided { out_axis: o, start: (start as isize + step * s2 as isize) as usize, step: step * t2 }
                    }
                },
            })
            .collect();
        AffineMap { out_shape: outer.out_shape.clone(), axes }
    }
    /// This map restricted to the output block at `out_start` (block-local output coordinates)
    /// and relative to an input block at `in_start` (block-local input coordinates).
    pub fn localize(&self, out_start: &[usize], in_start: &[usize], out_shape: Vec<usize>) -> AffineMap {
        let axes = self
            .axes
            .iter()
            .zip(in_start)
            .map(|(m, &base)| match *m {
                AxisMap::Fixed(c) => AxisMap::Fixed(c - base),
                AxisMap::Strided { out_axis, start, step } => AxisMap::Strided {
                    out_axis,
                    start: (start as isize + step * out_start[out_axis] as isize - base as isize) as usize,
                    step,
                },
            })
            .collect();
        AffineMap { out_shape, axes }
    }
    /// The view of `block` (whose shape is this map's input shape) seen through the map.
    pub fn apply(&self, block: &Block) -> Block {
        let mut strides = vec![0isize; self.out_shape.len()];
        let mut offset = 0isize;
        for (m, &s) in self.axes.iter().zip(block.strides()) {
            match *m {
                AxisMap::Fixed(c) => offset += c as isize * s,
                AxisMap::Strided { out_axis, start, step } => {
                    offset += start as isize * s;
                    strides[out_axis] += step * s;
                }
            }
        }
        if self.out_shape.contains(&0) {
            offset = 0;
        }
        block.restride(self.out_shape.clone(), strides, offset)
    }
}

/// One entry of a basic index expression.
#[derive(Clone, Debug, PartialEq)]
pub enum IndexItem {
    Int(i64),
    Slice { start: Option<i64>, stop: Option<i64>, step: Option<i64> },
    NewAxis,
    Ellipsis,
}

/// Python's `slice.indices`: (start, step, count) of the selected coordinates. Any `i64`
/// bounds and steps work (`i64::MIN` and `i64::MAX` included); a slice that selects at most
/// one coordinate gets step 1, so that no step beyond the axis reaches the view's strides.
pub fn slice_indices(start: Option<i64>, stop: Option<i64>, step: Option<i64>, dim: usize) -> Result<(i64, i64, usize)> {
    let step = step.unwrap_or(1) as i128;
    if step == 0 {
        crate::bail!(Value, "getitem", "slice step cannot be zero");
    }
    let n = dim as i128;
    let clamp = |v: Option<i64>, default: i128, lo: i128, hi: i128| match v.map(i128::from) {
        None => default,
        Some(v) if v < 0 => (v + n).max(lo),
        Some(v) => v.min(hi),
    };
    let (start, stop) = if step > 0 { (clamp(start, 0, 0, n), clamp(stop, n, 0, n)) } else { (clamp(start, n - 1, -1, n - 1), clamp(stop, -1, -1, n - 1)) };
    let count = if step > 0 {
        if stop > start { (stop - start + step - 1) / step } else { 0 }
    } else if start > stop {
        (start - stop - step - 1) / (-step)
    } else {
        0
    };
    let step = if count <= 1 { 1 } else { step };
    Ok((start as i64, step as i64, count as usize))
}

/// Chunks of `count` coordinates `start + step * k` of an axis chunked as `chunks`, grouped
/// so that each output block comes from one input block (Dask's rule).
pub fn sliced_chunks(chunks: &AxisChunks, start: i64, step: i64, count: usize) -> AxisChunks {
    if count == 0 {
        return AxisChunks::whole(0);
    }
    if step == 1 {
        if let AxisChunks::Regular { size, .. } = *chunks {
            if start as usize % size == 0 {
                return AxisChunks::regular(size, count);
            }
        }
    }
    let mut sizes = Vec::new();
    let mut k = 0usize;
    while k < count {
        let idx = (start + step * k as i64) as usize;
        let b = chunks.block_of(idx);
        // Elements k.. that stay inside block b.
        let (lo, hi) = (chunks.start(b) as i64, (chunks.start(b) + chunks.size(b)) as i64 - 1);
        let last_inside = if step > 0 { (hi - idx as i64) / step } else { (idx as i64 - lo) / (-step) };
        let n = ((last_inside + 1) as usize).min(count - k);
        sizes.push(n);
        k += n;
    }
    AxisChunks::from_sizes(&sizes)
}

/// The view a basic index expression selects from an array of `shape` and `chunks`:
/// its map, output shape and output chunks.
pub fn index_view(items: &[IndexItem], shape: &[usize], chunks: &Chunks) -> Result<(AffineMap, Chunks)> {
    let ndim = shape.len();
    let n_ellipsis = items.iter().filter(|i| **i == IndexItem::Ellipsis).count();
    if n_ellipsis > 1 {
        crate::bail!(Index, "getitem", "an index can only have a single ellipsis ('...'), got {n_ellipsis}");
    }
    let consuming = items.iter().filter(|i| matches!(i, IndexItem::Int(_) | IndexItem::Slice { .. })).count();
    if consuming > ndim {
        crate::bail!(Index, "getitem", "too many indices for array: array is {ndim}-dimensional, but {consuming} were indexed (shape {shape:?})");
    }
    let mut expanded: Vec<IndexItem> = Vec::new();
    for it in items {
        if *it == IndexItem::Ellipsis {
            for _ in 0..ndim - consuming {
                expanded.push(IndexItem::Slice { start: None, stop: None, step: None });
            }
        } else {
            expanded.push(it.clone());
        }
    }
    if n_ellipsis == 0 {
        for _ in consuming..ndim {
            expanded.push(IndexItem::Slice { start: None, stop: None, step: None });
        }
    }
    let mut axes = Vec::with_capacity(ndim);
    let mut out_shape = Vec::new();
    let mut out_chunks = Vec::new();
    let mut in_axis = 0;
    for it in &expanded {
        match *it {
            IndexItem::NewAxis => {
                out_shape.push(1);
                out_chunks.push(AxisChunks::whole(1));
            }
            IndexItem::Int(i) => {
                let dim = shape[in_axis] as i64;
                let j = if i < 0 { i + dim } else { i };
                if j < 0 || j >= dim {
                    crate::bail!(Index, "getitem", "index {i} is out of bounds for axis {in_axis} with size {dim}");
                }
                axes.push(AxisMap::Fixed(j as usize));
                in_axis += 1;
            }
            IndexItem::Slice { start, stop, step } => {
                let (s, st, count) = slice_indices(start, stop, step, shape[in_axis])?;
                axes.push(AxisMap::Strided { out_axis: out_shape.len(), start: if count == 0 { 0 } else { s as usize }, step: st as isize });
                out_chunks.push(sliced_chunks(&chunks[in_axis], s, st, count));
                out_shape.push(count);
                in_axis += 1;
            }
            IndexItem::Ellipsis => unreachable!("expanded above"),
        }
    }
    Ok((AffineMap { out_shape, axes }, out_chunks))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn python_slice_semantics() {
        assert_eq!(slice_indices(None, None, Some(-1), 5).unwrap(), (4, -1, 5));
        assert_eq!(slice_indices(Some(-2), None, None, 5).unwrap(), (3, 1, 2));
        assert_eq!(slice_indices(Some(10), Some(20), None, 5).unwrap().2, 0);
        assert_eq!(slice_indices(Some(3), Some(0), Some(-2), 5).unwrap(), (3, -2, 2));
        assert!(slice_indices(None, None, Some(0), 5).is_err());
    }

    #[test]
    fn extreme_slice_integers() {
        assert_eq!(slice_indices(None, None, Some(i64::MAX), 10).unwrap(), (0, 1, 1));
        assert_eq!(slice_indices(None, None, Some(i64::MIN), 10).unwrap(), (9, 1, 1));
        assert_eq!(slice_indices(Some(i64::MIN), Some(i64::MAX), Some(3), 10).unwrap(), (0, 3, 4));
        assert_eq!(slice_indices(Some(i64::MAX), Some(i64::MIN), Some(-4), 10).unwrap(), (9, -4, 3));
        assert_eq!(slice_indices(Some(i64::MAX), None, None, 10).unwrap().2, 0);
        assert_eq!(slice_indices(None, None, Some(i64::MIN), 0).unwrap().2, 0);
    }

    #[test]
    fn dask_slice_chunks() {
        let c = AxisChunks::regular(3, 10);
        assert_eq!(sliced_chunks(&c, 0, 5, 2).sizes(), vec![1, 1]);
        assert_eq!(sliced_chunks(&c, 9, -1, 10).sizes(), vec![1, 3, 3, 3]);
        assert_eq!(sliced_chunks(&c, 1, 1, 8).sizes(), vec![2, 3, 3]);
        let c = AxisChunks::regular(1000, 20000);
        assert_eq!(sliced_chunks(&c, 0, 100, 200).sizes(), vec![10; 20]);
    }

    #[test]
    fn index_errors_name_the_axis() {
        let ch = vec![AxisChunks::regular(2, 5)];
        let e = index_view(&[IndexItem::Int(5)], &[5], &ch).unwrap_err();
        assert_eq!(e.message, "index 5 is out of bounds for axis 0 with size 5");
        let e = index_view(&[IndexItem::Int(0), IndexItem::Int(0)], &[5], &ch).unwrap_err();
        assert!(e.message.contains("too many indices"));
        assert!(index_view(&[IndexItem::Ellipsis, IndexItem::Ellipsis], &[5], &ch).is_err());
    }

    proptest! {
        #[test]
        fn slice_views_match_reference(n in 0usize..30, chunk in 1usize..7, start in proptest::option::of(-35i64..35),
                                       stop in proptest::option::of(-35i64..35), step in prop_oneof![-7i64..-1, 1i64..7]) {
            let data: Vec<i64> = (0..n as i64).collect();
            let block = Block::from_vec(vec![n], data.clone());
            let ch = vec![AxisChunks::regular(chunk, n)];
            let (map, out_ch) = index_view(&[IndexItem::Slice { start, stop, step: Some(step) }], &[n], &ch).unwrap();
            let (s, st, count) = slice_indices(start, stop, Some(step), n).unwrap();
            let expect: Vec<i64> = (0..count).map(|k| s + st * k as i64).collect();
            prop_assert_eq!(map.apply(&block).to_vec::<i64>(), expect);
            prop_assert_eq!(out_ch[0].len(), count);
            // every output block comes from one input block
            let mut k = 0;
            for b in 0..out_ch[0].nblocks() {
                let sz = out_ch[0].size(b);
                if sz == 0 { continue; }
                let first = (s + st * k as i64) as usize;
                let last = (s + st * (k + sz - 1) as i64) as usize;
                prop_assert_eq!(ch[0].block_of(first), ch[0].block_of(last));
                k += sz;
            }
        }
    }
}
