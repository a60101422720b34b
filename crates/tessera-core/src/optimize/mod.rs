//! The optimizer: small named rules that rewrite the expression graph bottom-up until
//! none applies. Fusion happens at lowering (see `plan`), where chains become one task.

mod compose_views;
mod push_view_through_elementwise;
mod push_view_through_reduce;
mod rechunk_into_source;
mod view_into_source;

use crate::graph::{Expr, Node};
use std::collections::HashMap;

/// One rewrite: returns the replacement of `node` (whose inputs are already optimized), or
/// `None` when it does not apply.
pub trait Rule: Sync {
    fn name(&self) -> &'static str;
    fn rewrite(&self, node: &Expr) -> Option<Expr>;
}

/// The rules, in the order they are tried at each node.
pub fn rules() -> Vec<Box<dyn Rule>> {
    vec![
        Box::new(compose_views::ComposeViews),
        Box::new(view_into_source::ViewIntoSource),
        Box::new(rechunk_into_source::RechunkIntoSource),
        Box::new(push_view_through_elementwise::PushViewThroughElementwise),
        Box::new(push_view_through_reduce::PushViewThroughReduce),
    ]
}

/// Optimizes several outputs together, so that shared subexpressions stay shared.
pub fn optimize(roots: &[Expr]) -> Vec<Expr> {
    optimize_with(roots, &rules())
}

pub fn optimize_with(roots: &[Expr], rules: &[Box<dyn Rule>]) -> Vec<Expr> {
    let mut memo = HashMap::new();
    roots.iter().map(|r| rewrite(r, rules, &mut memo, 0)).collect()
}

const MAX_DEPTH: usize = 10_000;

fn rewrite(node: &Expr, rules: &[Box<dyn Rule>], memo: &mut HashMap<u64, Expr>, depth: usize) -> Expr {
    if let Some(done) = memo.get(&node.id) {
        return done.clone();
    }
    let inputs: Vec<Expr> = node.inputs.iter().map(|i| rewrite(i, rules, memo, depth + 1)).collect();
    let changed = inputs.iter().zip(&node.inputs).any(|(a, b)| a.id != b.id);
    let mut current: Expr = if changed { node.with_inputs(inputs) } else { node.clone() };
    if depth < MAX_DEPTH {
        if let Some(next) = rules.iter().find_map(|r| r.rewrite(&current)) {
            // The replacement's new inputs may be rewritable in turn.
            current = rewrite(&next, rules, memo, depth + 1);
        }
    }
    memo.insert(node.id, current.clone());
    current
}

/// The graph as indented text: one line per node, shared nodes printed once.
pub fn plan_text(roots: &[Expr]) -> String {
    let mut out = String::new();
    let mut seen = HashMap::new();
    for r in roots {
        write_node(r, 0, &mut out, &mut seen);
    }
    out
}

fn write_node(node: &Node, indent: usize, out: &mut String, seen: &mut HashMap<u64, usize>) {
    use std::fmt::Write;
    let n = seen.len();
    let pad = "  ".repeat(indent);
    if let Some(k) = seen.get(&node.id) {
        let _ = writeln!(out, "{pad}<shared #{k}>");
        return;
    }
    seen.insert(node.id, n);
    let chunks: Vec<String> = node.meta.chunks.iter().map(|c| if c.nblocks() == 1 { format!("{}", c.len()) } else { format!("{}x{}", c.nblocks(), c.max_size()) }).collect();
    let _ = writeln!(
        out,
        "{pad}#{n} {}{} {:?} {} chunks=({})",
        node.op.name(),
        detail(node),
        node.meta.shape,
        node.meta.dtype,
        chunks.join(", ")
    );
    for i in &node.inputs {
        write_node(i, indent + 1, out, seen);
    }
}

fn detail(node: &Node) -> String {
    use crate::graph::Op;
    use crate::view::AxisMap;
    let map_text = |m: &crate::view::AffineMap| {
        m.axes
            .iter()
            .map(|a| match a {
                AxisMap::Fixed(c) => format!("{c}"),
                AxisMap::Strided { out_axis, start, step } => format!("{start}+{step}*o{out_axis}"),
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    match &node.op {
        Op::View(m) => format!("[{}]", map_text(m)),
        Op::Generate { map, .. } if !map.is_identity() => format!("[{}]", map_text(map)),
        Op::Reduce { axes, .. } => format!("(axes={axes:?})"),
        _ => String::new(),
    }
}

#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// Asserts the plan text before and after one rule.
    pub fn check_rule(rule: Box<dyn Rule>, root: &Expr, before: &str, after: &str) {
        let b = plan_text(&[root.clone()]);
        assert_eq!(b.trim(), before.trim(), "plan before {}:\n{b}", rule.name());
        let a = plan_text(&optimize_with(&[root.clone()], &[rule]));
        assert_eq!(a.trim(), after.trim(), "plan after:\n{a}");
    }
}
