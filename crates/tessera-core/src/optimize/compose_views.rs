//! `View(View(x))` becomes one `View(x)`.

use super::Rule;
use crate::graph::{Expr, Node, Op};

pub struct ComposeViews;

impl Rule for ComposeViews {
    fn name(&self) -> &'static str {
        "compose_views"
    }
    fn rewrite(&self, node: &Expr) -> Option<Expr> {
        let (Op::View(outer), Op::View(inner)) = (&node.op, &node.inputs.first()?.op) else { return None };
        let x = node.inputs[0].inputs[0].clone();
        Some(Node::new(Op::View(inner.compose(outer)), vec![x], node.meta.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build;
    use crate::chunks::ChunkSpec;
    use crate::optimize::testing::check_rule;
    use crate::view::IndexItem;
    use crate::{Block, DType};

    #[test]
    fn two_slices_become_one() {
        let x = build::data(Block::from_vec(vec![10], (0..10).map(|v| v as f64).collect()), &ChunkSpec::Uniform(5)).unwrap();
        let _ = DType::F64;
        let s = |a, b| IndexItem::Slice { start: Some(a), stop: None, step: Some(b) };
        let y = build::index(&build::index(&x, &[s(1, 2)]).unwrap(), &[s(1, -1)]).unwrap();
        check_rule(
            Box::new(ComposeViews),
            &y,
            "#0 getitem[1+-1*o0] [2] float64 chunks=(2)
  #1 getitem[1+2*o0] [5] float64 chunks=(2x3)
    #2 array [10] float64 chunks=(2x5)",
            "#0 getitem[3+-2*o0] [2] float64 chunks=(2)
  #1 array [10] float64 chunks=(2x5)",
        );
    }
}
