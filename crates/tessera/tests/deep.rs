//! Expressions far deeper than any thread's stack build, optimize, lower, compute, print and
//! drop: no pass recurses once per node.

use tessera::{DType, IndexItem};
use tessera as create;

const DEPTH: usize = 100_000;

fn flip() -> IndexItem {
    IndexItem::Slice { start: None, stop: None, step: Some(-1) }
}

#[test]
fn a_chain_of_100k_elementwise_ops_computes_and_drops() {
    let mut x = create::ones(&[1000], DType::F64, 100).unwrap();
    for _ in 0..DEPTH {
        x = x.mul(0.5).unwrap().add(0.5).unwrap();
    }
    assert_eq!(x.sum().unwrap().compute().unwrap().get_f64(&[]), 1000.0);
    drop(x);
}

#[test]
fn a_chain_of_40k_reductions_and_views_computes() {
    // Stage boundaries (reductions) and views every few nodes: lowering walks stage by stage.
    let mut x = create::ones(&[6, 4], DType::F64, [3, 2].as_slice()).unwrap();
    for _ in 0..DEPTH / 10 {
        let s = x.reduce(tessera::ReduceOp::Max, &tessera::ReduceArgs::axis(0).keepdims(true)).unwrap();
        x = x.index(&[flip()]).unwrap().add(&s).unwrap().sub(&s).unwrap();
    }
    assert_eq!(x.sum().unwrap().compute().unwrap().get_f64(&[]), 24.0);
}

#[test]
fn a_million_deep_expression_drops() {
    let mut x = create::ones(&[4], DType::I64, 2).unwrap();
    for _ in 0..1_000_000 {
        x = x.add(1).unwrap();
    }
    assert_eq!(x.shape(), &[4]);
    drop(x);
}

#[test]
fn the_plan_of_a_deep_chain_is_one_stage_with_few_slots() {
    let mut x = create::ones(&[1000], DType::F64, 100).unwrap();
    for _ in 0..DEPTH {
        x = x.mul(0.5).unwrap().add(0.5).unwrap();
    }
    let plan = x.plan(true);
    assert_eq!(plan.stages.len(), 1);
    let tessera_core::plan::StageKind::Fused { program, .. } = &plan.stages[0].kind else { panic!("fused") };
    assert_eq!(program.len(), 2 * DEPTH + 1);
    assert_eq!(tessera_core::plan::Slots::of(program).len(), 2, "a chain reuses two tiles");
    assert!(plan.stages[0].out_bytes < (1 << 20), "tile estimate follows the slots: {}", plan.stages[0].out_bytes);
}
