//! `View(f(a, b))` becomes `f(View(a), View(b))`, so that views reach the sources and
//! elementwise work is done only on the selected elements.

use super::Rule;
use crate::graph::{Expr, Meta, Node, Op};

pub struct PushViewThroughElementwise;

impl Rule for PushViewThroughElementwise {
    fn name(&self) -> &'static str {
        "push_view_through_elementwise"
    }
    fn rewrite(&self, node: &Expr) -> Option<Expr> {
        let Op::View(_) = &node.op else { return None };
        let f = node.inputs.first()?;
        if !f.op.is_elementwise() {
            return None;
        }
        let inputs = f
            .inputs
            .iter()
            .map(|i| Node::new(node.op.clone(), vec![i.clone()], Meta { dtype: i.meta.dtype, ..node.meta.clone() }))
            .collect();
        Some(Node::new(f.op.clone(), inputs, node.meta.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build;
    use crate::chunks::ChunkSpec;
    use crate::graph::Generator;
    use crate::ops::UnaryOp;
    use crate::optimize::testing::check_rule;
    use crate::view::IndexItem;
    use crate::{DType, Scalar};

    #[test]
    fn slice_moves_below_sqrt() {
        let x = build::generate(Generator::Range { start: 0.0, step: 1.0 }, &[100], DType::F64, &ChunkSpec::Uniform(10)).unwrap();
        let y = build::index(&build::unary(UnaryOp::Sqrt, &x).unwrap(), &[IndexItem::Int(7)]).unwrap();
        let _ = Scalar::F64(0.0);
        check_rule(
            Box::new(PushViewThroughElementwise),
            &y,
            "#0 getitem[7] [] float64 chunks=()
  #1 sqrt [100] float64 chunks=(10x10)
    #2 arange [100] float64 chunks=(10x10)",
            "#0 sqrt [] float64 chunks=()
  #1 getitem[7] [] float64 chunks=()
    #2 arange [100] float64 chunks=(10x10)",
        );
    }
}
