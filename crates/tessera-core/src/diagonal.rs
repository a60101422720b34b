//! `diagonal`: a view whose last output axis drives two input axes at once (`AffineMap`
//! adds both strides), chunked where either input axis's blocks end, so every output block
//! lies inside one input block (as a view edge needs).

use crate::chunks::AxisChunks;
use crate::error::Result;
use crate::graph::{Expr, Meta, Node, Op};
use crate::view::{AffineMap, AxisMap};
use crate::bail;

pub fn diagonal(x: &Expr, offset: i64, axis1: usize, axis2: usize) -> Result<Expr> {
    let nd = x.meta.ndim();
    if nd < 2 {
        bail!(Value, "diagonal", "diag requires an array of at least two dimensions");
    }
    if axis1 >= nd || axis2 >= nd {
        bail!(Axis, "diagonal", "axis {} is out of bounds for array of dimension {nd}", axis1.max(axis2));
    }
    if axis1 == axis2 {
        bail!(Value, "diagonal", "axis1 and axis2 cannot be the same ({axis1})");
    }
    let (n1, n2) = (x.meta.shape[axis1] as i64, x.meta.shape[axis2] as i64);
    let (s1, s2) = ((-offset).max(0), offset.max(0));
    let len = (n1 - s1).min(n2 - s2).max(0) as usize;
    let kept: Vec<usize> = (0..nd).filter(|&a| a != axis1 && a != axis2).collect();
    let mut shape: Vec<usize> = kept.iter().map(|&a| x.meta.shape[a]).collect();
    let mut chunks: Vec<AxisChunks> = kept.iter().map(|&a| x.meta.chunks[a].clone()).collect();
    shape.push(len);
    let diag_axis = kept.len();
    // Block boundaries of both axes, in diagonal coordinates.
    let mut bounds = vec![0usize, len];
    for (c, s) in [(&x.meta.chunks[axis1], s1), (&x.meta.chunks[axis2], s2)] {
        for b in 0..c.nblocks() {
            let d = c.start(b) as i64 - s;
            if d > 0 && (d as usize) < len {
                bounds.push(d as usize);
            }
        }
    }
    bounds.sort_unstable();
    bounds.dedup();
    let sizes: Vec<usize> = bounds.windows(2).map(|w| w[1] - w[0]).collect();
    chunks.push(if len == 0 { AxisChunks::from_sizes(&[0]) } else { AxisChunks::from_sizes(&sizes) });
    let axes = (0..nd)
        .map(|a| {
            if a == axis1 || a == axis2 {
                let s = if a == axis1 { s1 } else { s2 };
                let start = if len == 0 { 0 } else { s as usize };
                AxisMap::Strided { out_axis: diag_axis, start, step: if len == 0 { 0 } else { 1 } }
            } else {
                AxisMap::Strided { out_axis: kept.iter().position(|&k| k == a).expect("kept axis"), start: 0, step: 1 }
            }
        })
        .collect();
    let map = AffineMap { out_shape: shape.clone(), axes };
    Ok(Node::new(Op::View(map), vec![x.clone()], Meta { shape, dtype: x.meta.dtype, chunks }))
}
