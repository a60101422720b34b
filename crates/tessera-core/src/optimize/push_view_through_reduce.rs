//! A view of a reduction's result selects along the kept axes only, so it moves below the
//! reduction: `x.mean(axis=0)[::100]` reduces only every hundredth column.

use super::Rule;
use crate::graph::{Expr, Meta, Node, Op};
use crate::view::{AffineMap, AxisMap};

pub struct PushViewThroughReduce;

impl Rule for PushViewThroughReduce {
    fn name(&self) -> &'static str {
        "push_view_through_reduce"
    }
    fn rewrite(&self, node: &Expr) -> Option<Expr> {
        let Op::View(view) = &node.op else { return None };
        let red = node.inputs.first()?;
        let Op::Reduce { op, axes, keepdims, split_every } = &red.op else { return None };
        if *keepdims {
            return None;
        }
        // Only order-preserving views without new or broadcast axes: every output axis is
        // driven by exactly one kept axis, in order.
        let mut next_out = 0;
        for m in &view.axes {
            match *m {
                AxisMap::Fixed(_) => {}
                AxisMap::Strided { out_axis, step, .. } if out_axis == next_out && step != 0 => next_out += 1,
                _ => return None,
            }
        }
        if next_out != view.out_shape.len() {
            return None;
        }
        let x = &red.inputs[0];
        let mut kept = view.axes.iter();
        let (mut in_axes, mut shape, mut chunks, mut new_axes) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut out_pos = 0;
        for a in 0..x.meta.ndim() {
            if axes.contains(&a) {
                new_axes.push(shape.len());
                in_axes.push(AxisMap::Strided { out_axis: shape.len(), start: 0, step: 1 });
                shape.push(x.meta.shape[a]);
                chunks.push(x.meta.chunks[a].clone());
            } else {
                match *kept.next()? {
                    AxisMap::Fixed(c) => in_axes.push(AxisMap::Fixed(c)),
                    AxisMap::Strided { start, step, .. } => {
                        in_axes.push(AxisMap::Strided { out_axis: shape.len(), start, step });
                        shape.push(node.meta.shape[out_pos]);
                        chunks.push(node.meta.chunks[out_pos].clone());
                        out_pos += 1;
                    }
                }
            }
        }
        let map = AffineMap { out_shape: shape.clone(), axes: in_axes };
        let viewed = Node::new(Op::View(map), vec![x.clone()], Meta { shape, dtype: x.meta.dtype, chunks });
        let op = Op::Reduce { op: *op, axes: new_axes, keepdims: false, split_every: split_every.clone() };
        Some(Node::new(op, vec![viewed], node.meta.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build;
    use crate::chunks::ChunkSpec;
    use crate::graph::{Generator, RandomDist};
    use crate::ops::ReduceOp;
    use crate::optimize::testing::check_rule;
    use crate::view::IndexItem;
    use crate::DType;

    #[test]
    fn column_slice_moves_below_mean() {
        let gen = Generator::Random { dist: RandomDist::Normal { loc: 10.0, scale: 0.1 }, seed: 1, stream: 0 };
        let x = build::generate(gen, &[20000, 20000], DType::F64, &ChunkSpec::Uniform(1000)).unwrap();
        let m = build::reduce(&x, ReduceOp::Mean, Some(&[0]), false, None).unwrap();
        let y = build::index(&m, &[IndexItem::Slice { start: None, stop: None, step: Some(100) }]).unwrap();
        check_rule(
            Box::new(PushViewThroughReduce),
            &y,
            "#0 getitem[0+100*o0] [200] float64 chunks=(20x10)
  #1 mean(axes=[0]) [20000] float64 chunks=(20x1000)
    #2 normal [20000, 20000] float64 chunks=(20x1000, 20x1000)",
            "#0 mean(axes=[0]) [200] float64 chunks=(20x10)
  #1 getitem[0+1*o0,0+100*o1] [20000, 200] float64 chunks=(20x1000, 20x10)
    #2 normal [20000, 20000] float64 chunks=(20x1000, 20x1000)",
        );
    }
}
