use super::*;
use crate::build;
use crate::chunks::ChunkSpec;
use crate::graph::RandomDist;

#[test]
fn seed_mean_is_one_fused_stage_and_an_aggregate() {
    let gen = Generator::Random { dist: RandomDist::Normal { loc: 0.0, scale: 0.1 }, seed: 1, stream: 0 };
    let x = build::generate(gen, &[800_000_000], DType::F64, &ChunkSpec::Uniform(200_000_000)).unwrap();
    let m = build::reduce(&x, ReduceOp::Mean, None, false, None).unwrap();
    let plan = lower(&[m]);
    assert_eq!(
        plan.text().trim(),
        "s0 normal-mean_chunk [leaf0 -> mean_chunk(axes=[0])] tasks=4 shape=[4] float64 bytes/task=262168 inputs=[]
s1 mean_agg [combine(axes=[0])] tasks=1 shape=[] float64 bytes/task=120 inputs=[s0]"
    );
}

#[test]
fn million_chunk_tree_has_log_levels() {
    let x = build::generate(Generator::Fill(Scalar::F64(1.0)), &[1_000_000], DType::F64, &ChunkSpec::Uniform(1)).unwrap();
    let plan = lower(&[build::reduce(&x, ReduceOp::Sum, None, false, None).unwrap()]);
    let tasks: Vec<usize> = plan.stages.iter().map(|s| s.nblocks()).collect();
    assert_eq!(tasks, vec![1_000_000, 62500, 3907, 245, 16, 1]);
    let s1 = &plan.stages[1];
    assert_eq!(s1.deps(&[1], &plan), vec![(16..32).collect::<Vec<_>>()]);
    assert_eq!(s1.users(0, &[17]), vec![1]);
}

#[test]
fn rechunk_edges_overlap() {
    let x = build::generate(Generator::Fill(Scalar::F64(1.0)), &[10], DType::F64, &ChunkSpec::Uniform(3)).unwrap();
    let y = build::binary(BinaryOp::Add, &x, &x).unwrap();
    // Merging pairs of blocks: each output block gathers input blocks, each input
    // block feeds one output block, so blocks are assembled directly.
    let plan = lower(&[build::rechunk(&y, &ChunkSpec::Uniform(6)).unwrap()]);
    let s = &plan.stages[1];
    assert_eq!(s.name, "rechunk");
    assert_eq!(s.deps(&[1], &plan), vec![vec![2, 3]]);
    assert_eq!(s.users(0, &[2]), vec![1]);
    // 3 -> 4 is all to all: input blocks are first cut where both chunkings meet.
    let plan = lower(&[build::rechunk(&y, &ChunkSpec::Uniform(4)).unwrap()]);
    let names: Vec<&str> = plan.stages.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["add", "rechunk-split", "rechunk-merge"]);
    assert_eq!(plan.stages[1].meta.chunks[0].sizes(), vec![3, 1, 2, 2, 1, 1]);
    let merge = &plan.stages[2];
    assert_eq!(merge.deps(&[1], &plan), vec![vec![2, 3]]);
    assert_eq!(merge.users(0, &[3]), vec![1]);
    assert_eq!(merge.in_bytes, 2 * 3 * 8);
}

#[test]
fn slots_are_reused_once_their_readers_have_run() {
    use Instr::*;
    let (f, b) = (DType::F64, DType::Bool);
    // r2 = r0 + r1; r3 = -r2; r4 = r3 > r0 (bool); r5 = where(r4, r3, r3)
    let program = [(Leaf(0), f), (Leaf(1), f), (Binary(BinaryOp::Add, 0, 1), f), (Unary(UnaryOp::Neg, 2), f), (Binary(BinaryOp::Gt, 3, 0), b), (Where(4, 3, 3), f)];
    let slots = Slots::of(&program);
    // r2 takes a new slot (r0 is still read by r4); r3 takes r1's; r4 a bool slot; r5 the
    // slot that r0 and r2 freed last (never one it reads).
    assert_eq!(slots.slot, vec![0, 1, 2, 1, 3, 0]);
    assert_eq!(slots.dtypes, vec![f, f, f, b]);
    // The result's slot is never handed on.
    assert_eq!(Slots::of(&[(Leaf(0), f)]).slot, vec![0]);
}
