//! Rechunking a source is free: generated arrays and in-memory data can be cut anywhere.
//! Also `Rechunk(Rechunk(x))` is one rechunk.

use super::Rule;
use crate::graph::{Expr, Node, Op};

pub struct RechunkIntoSource;

impl Rule for RechunkIntoSource {
    fn name(&self) -> &'static str {
        "rechunk_into_source"
    }
    fn rewrite(&self, node: &Expr) -> Option<Expr> {
        let Op::Rechunk = node.op else { return None };
        let src = node.inputs.first()?;
        match &src.op {
            Op::Generate { .. } | Op::Data(_) => Some(Node::new(src.op.clone(), vec![], node.meta.clone())),
            Op::Rechunk => Some(Node::new(Op::Rechunk, src.inputs.clone(), node.meta.clone())),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build;
    use crate::chunks::ChunkSpec;
    use crate::graph::Generator;
    use crate::optimize::testing::check_rule;
    use crate::{DType, Scalar};

    #[test]
    fn rechunked_ones_are_generated_in_the_new_chunks() {
        let x = build::generate(Generator::Fill(Scalar::F64(1.0)), &[100], DType::F64, &ChunkSpec::Uniform(10)).unwrap();
        let y = build::rechunk(&build::rechunk(&x, &ChunkSpec::Uniform(30)).unwrap(), &ChunkSpec::Uniform(50)).unwrap();
        check_rule(
            Box::new(RechunkIntoSource),
            &y,
            "#0 rechunk [100] float64 chunks=(2x50)
  #1 rechunk [100] float64 chunks=(4x30)
    #2 full [100] float64 chunks=(10x10)",
            "#0 full [100] float64 chunks=(2x50)",
        );
    }
}
