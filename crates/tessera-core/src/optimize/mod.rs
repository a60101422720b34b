//! The optimizer: small named rules that rewrite the expression graph bottom-up until
//! none applies. Fusion happens at lowering (see `plan`), where chains become one task.

mod compose_views;
mod push_view_through_blockwise;
mod push_view_through_elementwise;
mod push_view_through_gather;
mod push_view_through_reduce;
mod push_view_through_regions;
mod rechunk_into_gather;
mod rechunk_into_source;
mod rechunk_through_elementwise;
mod take_of_slice;
mod view_blocks;
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
        Box::new(push_view_through_blockwise::PushViewThroughBlockwise),
        Box::new(push_view_through_regions::PushViewThroughRegions),
        Box::new(push_view_through_gather::PushViewThroughGather),
        Box::new(take_of_slice::TakeOfSlice),
        Box::new(rechunk_into_gather::RechunkIntoGather),
        Box::new(rechunk_through_elementwise::RechunkThroughElementwise),
    ]
}

/// Optimizes several outputs together, so that shared subexpressions stay shared.
pub fn optimize(roots: &[Expr]) -> Vec<Expr> {
    optimize_with(roots, &rules())
}

pub fn optimize_with(roots: &[Expr], rules: &[Box<dyn Rule>]) -> Vec<Expr> {
    let mut memo = HashMap::new();
    let mut firings = FIRINGS_PER_NODE * crate::graph::postorder(roots).len() + MIN_FIRINGS;
    roots.iter().map(|r| rewrite(r, rules, &mut memo, &mut firings)).collect()
}

/// A bound on rule firings, linear in the graph's size: pushing each of n views down a chain
/// of n operations takes n^2 firings, and rules that failed to reach a fixed point would
/// take forever. Past the bound the graph is left as it is (correct, only less fused).
const FIRINGS_PER_NODE: usize = 16;
const MIN_FIRINGS: usize = 4096;

/// One step of the rewrite walk.
enum Step {
    /// Rewrite the node's inputs, then the node.
    Visit(Expr),
    /// The node's inputs are rewritten: rewrite the node.
    Finish(Expr),
    /// A rule replaced node `from` by node `to`: `from`'s result is `to`'s.
    Alias { from: u64, to: u64 },
}

/// Rewrites bottom-up until no rule applies, with an explicit stack: graphs can be far deeper
/// than the thread's stack. `memo` maps each visited node and each result (a fixed point) to
/// its result.
fn rewrite(root: &Expr, rules: &[Box<dyn Rule>], memo: &mut HashMap<u64, Expr>, firings: &mut usize) -> Expr {
    let mut stack = vec![Step::Visit(root.clone())];
    while let Some(step) = stack.pop() {
        match step {
            Step::Visit(n) => {
                if !memo.contains_key(&n.id) {
                    stack.push(Step::Finish(n.clone()));
                    stack.extend(n.inputs.iter().rev().filter(|i| !memo.contains_key(&i.id)).map(|i| Step::Visit(i.clone())));
                }
            }
            Step::Finish(n) => {
                if memo.contains_key(&n.id) {
                    continue;
                }
                let inputs: Vec<Expr> = n.inputs.iter().map(|i| memo[&i.id].clone()).collect();
                let changed = inputs.iter().zip(&n.inputs).any(|(a, b)| a.id != b.id);
                let current: Expr = if changed { n.with_inputs(inputs) } else { n.clone() };
                match rules.iter().find_map(|r| r.rewrite(&current)).filter(|_| *firings > 0) {
                    // The replacement's new inputs may be rewritable in turn.
                    Some(next) => {
                        *firings -= 1;
                        stack.push(Step::Alias { from: n.id, to: next.id });
                        stack.push(Step::Visit(next));
                    }
                    None => {
                        memo.insert(n.id, current.clone());
                        memo.insert(current.id, current);
                    }
                }
            }
            Step::Alias { from, to } => {
                let done = memo[&to].clone();
                memo.insert(from, done);
            }
        }
    }
    memo[&root.id].clone()
}

/// The graph as indented text: one line per node, shared nodes printed once.
pub fn plan_text(roots: &[Expr]) -> String {
    let mut out = String::new();
    let mut seen = HashMap::new();
    for r in roots {
        write_node(r, &mut out, &mut seen);
    }
    out
}

fn write_node(root: &Node, out: &mut String, seen: &mut HashMap<u64, usize>) {
    use std::fmt::Write;
    // Iterative (graphs can be deeper than the stack); children pushed last-first so that
    // they print first-first.
    let mut stack: Vec<(&Node, usize)> = vec![(root, 0)];
    while let Some((node, indent)) = stack.pop() {
        let n = seen.len();
        let pad = "  ".repeat(indent);
        if let Some(k) = seen.get(&node.id) {
            let _ = writeln!(out, "{pad}<shared #{k}>");
            continue;
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
        stack.extend(node.inputs.iter().rev().map(|i| (&**i, indent + 1)));
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
