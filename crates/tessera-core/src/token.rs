//! A deterministic token of an expression, for Dask's `.name` and `tokenize`: equal
//! expressions (same operations, parameters, shapes, dtypes, chunks, seeds, and the same
//! bytes of in-memory data) get the same token in every process running this build; any
//! difference gives another token (up to 128-bit hash collisions).
//!
//! Not deterministic across processes, but unique within one (the node's id is hashed):
//! persisted blocks (`Blocks`), and nodes holding user code (`Blockwise` kernels, `Regions`
//! boundary rules), whose behaviour tessera cannot see.

use crate::graph::{postorder, Expr, Op};
use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

/// 32 hex digits (128 bits), like Dask's tokens.
pub fn token(root: &Expr) -> String {
    let mut memo: HashMap<u64, (u64, u64)> = HashMap::new();
    // Iterative: expressions may be far deeper than the stack.
    for n in postorder(std::slice::from_ref(root)) {
        // `DefaultHasher::new()` has fixed keys: the same hashes in every process.
        let mut hs = [DefaultHasher::new(), DefaultHasher::new()];
        for (salt, h) in hs.iter_mut().enumerate() {
            salt.hash(h);
        }
        for h in hs.iter_mut() {
            hash_op(n.as_ref(), h);
            format!("{:?}|{:?}|{:?}", n.meta.shape, n.meta.dtype, n.meta.chunks).hash(h);
            for i in &n.inputs {
                memo[&i.id].hash(h);
            }
        }
        memo.insert(n.id, (hs[0].finish(), hs[1].finish()));
    }
    let (a, b) = memo[&root.id];
    format!("{a:016x}{b:016x}")
}

fn hash_op(n: &crate::graph::Node, h: &mut DefaultHasher) {
    match &n.op {
        Op::Data(block) => {
            "data".hash(h);
            let size = block.dtype().size();
            block.for_each_run(|p, stride, len| {
                if stride == 1 {
                    // SAFETY: a run of `len` contiguous elements of the view starts at `p`.
                    h.write(unsafe { std::slice::from_raw_parts(p, len * size) });
                } else {
                    for k in 0..len as isize {
                        // SAFETY: element k of the run is at `p + k * stride` elements.
                        h.write(unsafe { std::slice::from_raw_parts(p.offset(k * stride * size as isize), size) });
                    }
                }
            });
        }
        Op::Blocks(_) | Op::Blockwise { .. } | Op::Regions(_) => {
            n.op.name().hash(h);
            n.id.hash(h);
        }
        // The remaining ops print every parameter (generators with their seeds, views with
        // their maps, scalars with their values).
        op => format!("{op:?}").hash(h),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::block::Block;
    use crate::build;
    use crate::chunks::ChunkSpec;
    use crate::ops::UnaryOp;

    fn data(v: Vec<f64>) -> Expr {
        let n = v.len();
        build::data(Block::from_vec(vec![n], v), &ChunkSpec::Uniform(2)).unwrap()
    }

    #[test]
    fn equal_expressions_have_equal_tokens() {
        let a = build::unary(UnaryOp::Sqrt, &data(vec![1.0, 2.0, 3.0])).unwrap();
        let b = build::unary(UnaryOp::Sqrt, &data(vec![1.0, 2.0, 3.0])).unwrap();
        let c = build::unary(UnaryOp::Sqrt, &data(vec![1.0, 2.0, 4.0])).unwrap();
        let d = build::unary(UnaryOp::Exp, &data(vec![1.0, 2.0, 3.0])).unwrap();
        assert_eq!(token(&a), token(&b));
        assert_ne!(token(&a), token(&c));
        assert_ne!(token(&a), token(&d));
        assert_eq!(token(&a).len(), 32);
    }
}
