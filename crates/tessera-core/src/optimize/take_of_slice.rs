//! `gather(View(x))` where the view only slices the gather axis (any step): the runs read
//! `x` directly through the slice's start and step, so `x[10:90:2][[3, 1]]` gathers from
//! `x` and the slice is never made as a stage of its own (a copy of it).

use super::Rule;
use crate::gather::{GatherSpec, FILL};
use crate::graph::{Expr, Node, Op};
use crate::view::AxisMap;
use std::sync::Arc;

pub struct TakeOfSlice;

impl Rule for TakeOfSlice {
    fn name(&self) -> &'static str {
        "take_of_slice"
    }
    fn rewrite(&self, node: &Expr) -> Option<Expr> {
        let Op::Gather(spec) = &node.op else { return None };
        let ax = spec.axis;
        // The first input that is such a slice (one per firing).
        let (k, start, step, x) = node.inputs.iter().enumerate().find_map(|(k, v)| {
            let Op::View(map) = &v.op else { return None };
            let x = &v.inputs[0];
            if map.axes.len() != v.meta.ndim() || x.meta.ndim() != v.meta.ndim() {
                return None;
            }
            let mut found = None;
            for (a, m) in map.axes.iter().enumerate() {
                match *m {
                    AxisMap::Strided { out_axis, start, step } if out_axis == a && a == ax && step != 0 => found = Some((start, step)),
                    AxisMap::Strided { out_axis, start: 0, step: 1 } if out_axis == a && a != ax && x.meta.chunks[a] == v.meta.chunks[a] => {}
                    _ => return None,
                }
            }
            found.map(|(s, t)| (k, s as i64, t as i64, x.clone()))
        })?;
        let segs: Vec<_> = spec
            .segs()
            .iter()
            .map(|s| {
                let mut s = *s;
                if s.input == k as u32 && s.input != FILL {
                    s.start = start + step * s.start;
                    s.step *= step;
                }
                s
            })
            .collect();
        let mut inputs = node.inputs.clone();
        inputs[k] = x;
        let spec = GatherSpec::new(&spec.name, ax, segs.into(), spec.fill);
        Some(Node::new(Op::Gather(Arc::new(spec)), inputs, node.meta.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build;
    use crate::chunks::ChunkSpec;
    use crate::gather::take;
    use crate::optimize::testing::check_rule;
    use crate::view::IndexItem;
    use crate::Block;

    #[test]
    fn take_reads_through_a_slice() {
        let data = build::data(Block::from_vec(vec![100], (0..100).map(|v| v as f64).collect::<Vec<f64>>()), &ChunkSpec::Uniform(10)).unwrap();
        let x = build::unary(crate::ops::UnaryOp::Neg, &data).unwrap();
        let s = build::index(&x, &[IndexItem::Slice { start: Some(10), stop: Some(90), step: Some(2) }]).unwrap();
        let t = take(&s, &[3, 1], 0, None).unwrap();
        check_rule(
            Box::new(TakeOfSlice),
            &t,
            "#0 take [2] float64 chunks=(2)
  #1 getitem[10+2*o0] [40] float64 chunks=(8x5)
    #2 negative [100] float64 chunks=(10x10)
      #3 array [100] float64 chunks=(10x10)",
            "#0 take [2] float64 chunks=(2)
  #1 negative [100] float64 chunks=(10x10)
    #2 array [100] float64 chunks=(10x10)",
        );
    }
}
