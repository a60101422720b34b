//! A view of a source becomes a source: a slice of a generated array generates only the
//! selected elements, and a view of in-memory data is a strided view of it (no copy).

use super::Rule;
use crate::graph::{Expr, Node, Op};

pub struct ViewIntoSource;

impl Rule for ViewIntoSource {
    fn name(&self) -> &'static str {
        "view_into_source"
    }
    fn rewrite(&self, node: &Expr) -> Option<Expr> {
        let Op::View(view) = &node.op else { return None };
        let src = node.inputs.first()?;
        let op = match &src.op {
            Op::Generate { gen, base_shape, map } => {
                Op::Generate { gen: gen.clone(), base_shape: base_shape.clone(), map: map.compose(view) }
            }
            Op::Data(block) => Op::Data(view.apply(block)),
            _ => return None,
        };
        Some(Node::new(op, vec![], node.meta.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build;
    use crate::chunks::ChunkSpec;
    use crate::graph::{Generator, RandomDist};
    use crate::optimize::testing::check_rule;
    use crate::view::IndexItem;
    use crate::DType;

    #[test]
    fn column_slice_of_random_generates_only_those_columns() {
        let gen = Generator::Random { dist: RandomDist::Normal { loc: 10.0, scale: 0.1 }, seed: 1, stream: 0 };
        let x = build::generate(gen, &[20000, 20000], DType::F64, &ChunkSpec::Uniform(1000)).unwrap();
        let full = IndexItem::Slice { start: None, stop: None, step: None };
        let y = build::index(&x, &[full, IndexItem::Slice { start: None, stop: None, step: Some(100) }]).unwrap();
        check_rule(
            Box::new(ViewIntoSource),
            &y,
            "#0 getitem[0+1*o0,0+100*o1] [20000, 200] float64 chunks=(20x1000, 20x10)
  #1 normal [20000, 20000] float64 chunks=(20x1000, 20x1000)",
            "#0 normal[0+1*o0,0+100*o1] [20000, 200] float64 chunks=(20x1000, 20x10)",
        );
    }
}
