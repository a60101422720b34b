//! `Rechunk(f(a, b))` for an elementwise `f` whose operands are cheap to make in any chunks
//! (sources, gathers, and elementwise chains of them): `f(Rechunk(a), Rechunk(b))`, where
//! the rechunks then vanish into the sources and gathers. Operands sliced to line up with
//! each other (`x[1:] - x[:-1]`, then times `u`) are so computed in the final chunks rather
//! than computed, cut and merged again.

use super::Rule;
use crate::build::rechunk_to;
use crate::graph::{Expr, Node, Op};

pub struct RechunkThroughElementwise;

/// Whether `n` can be made in other chunks at no extra cost (depth-limited).
fn cheap(n: &Expr, depth: usize) -> bool {
    match &n.op {
        Op::Generate { .. } | Op::Data(_) | Op::Gather(_) | Op::Rechunk => true,
        op if op.is_elementwise() && depth > 0 => n.inputs.iter().all(|i| i.meta.shape == n.meta.shape && cheap(i, depth - 1)),
        _ => false,
    }
}

impl Rule for RechunkThroughElementwise {
    fn name(&self) -> &'static str {
        "rechunk_through_elementwise"
    }
    fn rewrite(&self, node: &Expr) -> Option<Expr> {
        let Op::Rechunk = node.op else { return None };
        let f = node.inputs.first()?;
        if !f.op.is_elementwise() || !cheap(f, 8) {
            return None;
        }
        let inputs = f.inputs.iter().map(|x| rechunk_to(x, node.meta.chunks.clone())).collect();
        Some(Node::new(f.op.clone(), inputs, node.meta.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build;
    use crate::chunks::ChunkSpec;
    use crate::graph::Generator;
    use crate::ops::BinaryOp;
    use crate::optimize::testing::check_rule;
    use crate::DType;

    #[test]
    fn rechunk_of_a_sum_of_sources_moves_onto_them() {
        let g = |s| build::generate(Generator::Range { start: 0.0, step: s }, &[12], DType::F64, &ChunkSpec::Uniform(4)).unwrap();
        let y = build::rechunk(&build::binary(BinaryOp::Add, &g(1.0), &g(2.0)).unwrap(), &ChunkSpec::Uniform(6)).unwrap();
        check_rule(
            Box::new(RechunkThroughElementwise),
            &y,
            "#0 rechunk [12] float64 chunks=(2x6)
  #1 add [12] float64 chunks=(3x4)
    #2 arange [12] float64 chunks=(3x4)
    #3 arange [12] float64 chunks=(3x4)",
            "#0 add [12] float64 chunks=(2x6)
  #1 rechunk [12] float64 chunks=(2x6)
    #2 arange [12] float64 chunks=(3x4)
  #3 rechunk [12] float64 chunks=(2x6)
    #4 arange [12] float64 chunks=(3x4)",
        );
    }
}
