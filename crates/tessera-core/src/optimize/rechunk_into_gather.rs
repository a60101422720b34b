//! `Rechunk(gather(xs))`: a gather can make its output in any chunks along its axis (its
//! runs do not depend on them), so the rechunk disappears there; along the other axes it
//! moves onto the inputs (where it may vanish into a source or an inner gather). So
//! `pad(x, mode="wrap").rechunk(c)` is one gather per axis writing blocks of `c`, with no
//! split-and-merge rechunk of the padded array.

use super::Rule;
use crate::build::rechunk_to;
use crate::gather::GatherSpec;
use crate::graph::{Expr, Node, Op};
use std::sync::Arc;

pub struct RechunkIntoGather;

impl Rule for RechunkIntoGather {
    fn name(&self) -> &'static str {
        "rechunk_into_gather"
    }
    fn rewrite(&self, node: &Expr) -> Option<Expr> {
        let Op::Rechunk = node.op else { return None };
        let g = node.inputs.first()?;
        let Op::Gather(spec) = &g.op else { return None };
        let ax = spec.axis;
        let inputs: Vec<Expr> = g
            .inputs
            .iter()
            .map(|x| {
                let chunks = (0..x.meta.ndim()).map(|a| if a == ax { x.meta.chunks[a].clone() } else { node.meta.chunks[a].clone() }).collect();
                rechunk_to(x, chunks)
            })
            .collect();
        let spec = GatherSpec::new(&spec.name, ax, spec.segs().clone(), spec.fill);
        Some(Node::new(Op::Gather(Arc::new(spec)), inputs, node.meta.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build;
    use crate::chunks::{AxisChunks, ChunkSpec};
    use crate::gather::{gather, Seg};
    use crate::graph::Generator;
    use crate::optimize::testing::check_rule;
    use crate::DType;

    #[test]
    fn rechunk_of_a_wrap_pad_is_the_pad_in_the_new_chunks() {
        let x = build::generate(Generator::Range { start: 0.0, step: 1.0 }, &[8, 6], DType::F64, &ChunkSpec::Uniform(4)).unwrap();
        // pad(x, ((1, 1), (0, 0)), mode="wrap"): chunks (1, 4, 4, 1).
        let runs = vec![Seg::run(0, 7, 1, 1), Seg::run(0, 0, 1, 8), Seg::run(0, 0, 1, 1)];
        let p = gather("pad", &[x], 0, runs, None, AxisChunks::from_sizes(&[1, 4, 4, 1])).unwrap();
        let y = build::rechunk(&p, &ChunkSpec::Uniform(5)).unwrap();
        check_rule(
            Box::new(RechunkIntoGather),
            &y,
            "#0 rechunk [10, 6] float64 chunks=(2x5, 2x5)
  #1 pad [10, 6] float64 chunks=(4x4, 2x4)
    #2 arange [8, 6] float64 chunks=(2x4, 2x4)",
            "#0 pad [10, 6] float64 chunks=(2x5, 2x5)
  #1 rechunk [8, 6] float64 chunks=(2x4, 2x5)
    #2 arange [8, 6] float64 chunks=(2x4, 2x4)",
        );
    }
}
