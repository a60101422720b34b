//! Block kernels against straightforward references: `map_blocks` with block ids over
//! random shapes and chunkings (empty, size-1 and uneven blocks), a contraction (matrix
//! product over concatenated and over listed blocks, with broadcasting of one-block axes),
//! new axes, and the errors a kernel's wrong output gets.

mod common;

use common::*;
use proptest::prelude::*;
use std::sync::Arc;
use tessera::{blockwise, Block, BlockCtx, DType, ErrorKind, FnKernel, KernelArg};

fn vals(shape: &[usize], seed: u64) -> Vec<f64> {
    (0..size(shape)).map(|i| ((i as u64 * 7919 + seed * 104729) % 1000) as f64 / 8.0 - 60.0).collect()
}

fn to_f64(b: &Block) -> Vec<f64> {
    b.to_vec::<f64>()
}

/// Naive product of an (n, k) and a (k, m) row-major matrix.
fn matmul(a: &[f64], b: &[f64], n: usize, k: usize, m: usize) -> Vec<f64> {
    let mut c = vec![0.0; n * m];
    for i in 0..n {
        for j in 0..m {
            c[i * m + j] = (0..k).map(|p| a[i * k + p] * b[p * m + j]).sum();
        }
    }
    c
}

fn dims2() -> impl Strategy<Value = (usize, usize, usize, Vec<usize>, Vec<usize>, Vec<usize>)> {
    (0usize..7, 0usize..7, 0usize..7).prop_flat_map(|(n, k, m)| {
        let split = |d: usize| prop::collection::vec(1usize..4, 1..4).prop_map(move |v| cut(d, &v));
        (Just(n), Just(k), Just(m), split(n), split(k), split(m))
    })
}

/// Block sizes summing to `d` from a pattern of sizes (empty axes: one empty block).
fn cut(d: usize, pattern: &[usize]) -> Vec<usize> {
    if d == 0 {
        return vec![0];
    }
    let mut out = vec![];
    let mut left = d;
    for &p in pattern.iter().cycle() {
        let s = p.min(left);
        out.push(s);
        left -= s;
        if left == 0 {
            return out;
        }
    }
    unreachable!()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn map_blocks_sees_each_block_once((shape, spec) in shape_st(3).prop_flat_map(|s| (Just(s.clone()), chunks_st(&s))), seed in 0u64..100) {
        let data = vals(&shape, seed);
        let x = tessera::from_vec(&shape, data.clone(), spec).unwrap();
        let grid = x.numblocks();
        // Each element becomes 2v + (linear block id): the block id reaches the kernel.
        let y = x.map_blocks("twice", DType::F64, move |b: &Block, ctx: &BlockCtx| {
            let id = tessera_core_ravel(ctx.block_id, &grid) as f64;
            Ok(Block::from_vec(b.shape().to_vec(), b.to_vec::<f64>().iter().map(|v| 2.0 * v + id).collect()))
        }).unwrap();
        let got = to_f64(&y.compute().unwrap());
        let chunks = x.chunks().clone();
        let want: Vec<f64> = (0..size(&shape)).map(|i| {
            let ix = unravel(i, &shape);
            let bid: Vec<usize> = ix.iter().zip(&chunks).map(|(&c, ch)| ch.block_of(c)).collect();
            2.0 * data[i] + tessera_core_ravel(&bid, &x.numblocks()) as f64
        }).collect();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn contraction_is_a_matrix_product((n, k, m, cn, ck, cm) in dims2(), concatenate in any::<bool>(), seed in 0u64..50) {
        let (a, b) = (vals(&[n, k], seed), vals(&[k, m], seed + 1));
        let x = tessera::from_vec(&[n, k], a.clone(), vec![cn.clone(), ck.clone()]).unwrap();
        // `y`'s contracted axis is chunked differently: blockwise aligns it.
        let y = tessera::from_vec(&[k, m], b.clone(), vec![vec![k], cm.clone()]).unwrap();
        let kernel = FnKernel { name: "gemm".into(), f: |ctx: &BlockCtx, args: Vec<KernelArg>| -> tessera::Result<Block> {
            let (n, m) = (ctx.shape[0], ctx.shape[1]);
            let mut c = vec![0.0; n * m];
            // Listed blocks come in order along the contracted axis.
            for (xa, ya) in args[0].blocks.iter().zip(&args[1].blocks) {
                let k = xa.shape()[1];
                let p = matmul(&xa.to_vec::<f64>(), &ya.to_vec::<f64>(), n, k, m);
                c.iter_mut().zip(p).for_each(|(c, p)| *c += p);
            }
            Ok(Block::from_vec(vec![n, m], c))
        }};
        let z = blockwise(Arc::new(kernel), &[0, 2], &[(&x, &[0, 1]), (&y, &[1, 2])], &[], DType::F64, concatenate).unwrap();
        prop_assert_eq!(z.shape(), &[n, m]);
        let got = to_f64(&z.compute().unwrap());
        let want = matmul(&a, &b, n, k, m);
        for (g, w) in got.iter().zip(&want) {
            prop_assert!((g - w).abs() <= 1e-9 * (1.0 + w.abs()), "{} vs {}", g, w);
        }
    }
}

fn tessera_core_ravel(ix: &[usize], grid: &[usize]) -> usize {
    ix.iter().zip(grid).fold(0, |acc, (&i, &g)| acc * g + i)
}

#[test]
fn new_axes_and_broadcast_blocks() {
    // out[i, j] = x[i] * 10 + j, with j a new axis of chunks (2, 1).
    let x = tessera::from_vec(&[5], vec![0.0f64, 1.0, 2.0, 3.0, 4.0], 2).unwrap();
    let kernel = FnKernel { name: "outer".into(), f: |ctx: &BlockCtx, args: Vec<KernelArg>| -> tessera::Result<Block> {
        let xs = args[0].blocks[0].to_vec::<f64>();
        let (n, m) = (ctx.shape[0], ctx.shape[1]);
        let j0 = if ctx.block_id[1] == 0 { 0 } else { 2 };
        Ok(Block::from_vec(vec![n, m], (0..n * m).map(|i| xs[i / m] * 10.0 + (j0 + i % m) as f64).collect()))
    }};
    let z = blockwise(Arc::new(kernel), &[0, 1], &[(&x, &[0])], &[(1, vec![2, 1])], DType::F64, true).unwrap();
    assert_eq!(z.shape(), &[5, 3]);
    let got = to_f64(&z.compute().unwrap());
    let want: Vec<f64> = (0..15).map(|i| (i / 3) as f64 * 10.0 + (i % 3) as f64).collect();
    assert_eq!(got, want);
    let plan = tessera_core::plan::lower(&[z.expr().clone()]);
    assert!(plan.text().contains("outer [leaf0 -> blockwise(outer)] tasks=6"), "{}", plan.text());
}

#[test]
fn wrong_block_shape_or_dtype_is_named() {
    let x = tessera::ones(&[6], DType::F64, 3).unwrap();
    let y = x.map_blocks("shrink", DType::F64, |b: &Block, _: &BlockCtx| Ok(Block::from_vec(vec![b.shape()[0] - 1], vec![0.0; b.shape()[0] - 1]))).unwrap();
    let e = y.compute().unwrap_err();
    assert_eq!(e.kind, ErrorKind::Shape);
    assert!(e.to_string().contains("shrink: block [0] came back with shape [2]"), "{e}");
    let z = x.map_blocks("as_int", DType::F64, |b: &Block, _: &BlockCtx| Ok(Block::from_vec(b.shape().to_vec(), vec![1i64; b.len()]))).unwrap();
    assert_eq!(z.compute().unwrap_err().kind, ErrorKind::DType);
}

#[test]
fn bad_index_notation_fails_at_build() {
    let x = tessera::ones(&[4, 4], DType::F64, 2).unwrap();
    let y = tessera::ones(&[5, 4], DType::F64, 2).unwrap();
    let k = || Arc::new(FnKernel { name: "f".into(), f: |_: &BlockCtx, _: Vec<KernelArg>| -> tessera::Result<Block> { unreachable!() } });
    let e = blockwise(k(), &[0], &[(&x, &[0])], &[], DType::F64, true).unwrap_err();
    assert!(e.message.contains("argument 0 has 2 dimensions but its index (0) has 1 labels"), "{e}");
    let e = blockwise(k(), &[0, 1], &[(&x, &[0, 1]), (&y, &[0, 1])], &[], DType::F64, true).unwrap_err();
    assert!(e.message.contains("label 0 has length 4 in argument 0 but 5 in argument 1"), "{e}");
    let e = blockwise(k(), &[0, 2], &[(&x, &[0, 1])], &[], DType::F64, true).unwrap_err();
    assert!(e.message.contains("output label 2 is in no argument's index"), "{e}");
    let e = blockwise(k(), &[0, 0], &[(&x, &[0, 1])], &[], DType::F64, true).unwrap_err();
    assert!(e.message.contains("repeats a label"), "{e}");
}

#[test]
fn a_reduction_of_a_kernel_runs_in_the_kernel_task() {
    let x = tessera::arange(0.0, 10.0, 1.0, DType::I64, 3).unwrap();
    let y = x.map_blocks("inc", DType::I64, |b: &Block, _: &BlockCtx| Ok(Block::from_vec(b.shape().to_vec(), b.to_vec::<i64>().iter().map(|v| v + 1).collect()))).unwrap();
    let m = y.mean().unwrap();
    let plan = tessera_core::plan::lower(&[m.expr().clone()]);
    assert!(plan.text().starts_with("s0 inc-mean_chunk [leaf0 -> blockwise(inc) -> mean_chunk(axes=[0])] tasks=4"), "{}", plan.text());
    assert_eq!(m.compute().unwrap().get_f64(&[]), 5.5);
    // Asked for too, the kernel's output gets its own stage, and the reduction reads it.
    let out = tessera::compute_many(&[&y, &y.sum().unwrap()], &Default::default()).unwrap();
    assert_eq!(out[0].to_vec::<i64>(), (1..=10).collect::<Vec<i64>>());
    assert_eq!(out[1].get_f64(&[]), 55.0);
}

/// A kernel with two outputs: `2v` (float64) and `-v` as float32 with a new axis of one.
#[derive(Debug)]
struct TwiceAndNeg;

impl tessera::BlockKernel for TwiceAndNeg {
    fn name(&self) -> &str {
        "twice_and_neg"
    }
    fn call(&self, ctx: &BlockCtx, _args: Vec<KernelArg>) -> tessera::Result<Block> {
        Err(tessera::Error::new(ErrorKind::Internal, ctx.name, String::from("called with one output")))
    }
    fn call_many(&self, _ctx: &BlockCtx, more: &[(Vec<usize>, DType)], args: Vec<KernelArg>) -> tessera::Result<Vec<Block>> {
        let b = &args[0].blocks[0];
        let v = b.to_vec::<f64>();
        let twice = Block::from_vec(b.shape().to_vec(), v.iter().map(|x| 2.0 * x).collect::<Vec<f64>>());
        let neg = Block::from_vec(more[0].0.clone(), v.iter().map(|x| -*x as f32).collect::<Vec<f32>>());
        Ok(vec![twice, neg])
    }
}

fn twice_and_neg(x: &tessera::Array) -> (tessera::Array, tessera::Array) {
    use tessera_core::blockwise::{blockwise_many, Blockwise, Output};
    let nd = x.shape().len() as u32;
    let out: Vec<u32> = (0..nd).collect();
    let mut more_out = out.clone();
    more_out.push(nd);
    let args = [(x.expr().clone(), out.clone())];
    let b = Blockwise { op: "twice_and_neg", kernel: Arc::new(TwiceAndNeg), out: &out, args: &args, new_axes: &[], adjust_chunks: &[], dtype: DType::F64, concatenate: true, align: true };
    let mut v = blockwise_many(b, &[Output { out: more_out, new_axes: vec![(nd, vec![1])], dtype: DType::F32 }]).unwrap();
    let neg = tessera::Array::from_expr(v.pop().unwrap());
    (tessera::Array::from_expr(v.pop().unwrap()), neg)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// One task per block makes both outputs; each is right alone, together and downstream,
    /// with the same bits for 1, 2 and 4 threads.
    #[test]
    fn a_kernel_with_two_outputs((shape, spec) in shape_st(3).prop_flat_map(|s| (Just(s.clone()), chunks_st(&s))), seed in 0u64..100) {
        let data = vals(&shape, seed);
        let x = tessera::from_vec(&shape, data.clone(), spec).unwrap();
        let (twice, neg) = twice_and_neg(&x);
        let mut neg_shape = shape.clone();
        neg_shape.push(1);
        prop_assert_eq!(neg.shape(), neg_shape.as_slice());
        let want_twice: Vec<f64> = data.iter().map(|v| 2.0 * v).collect();
        let want_neg: Vec<f32> = data.iter().map(|v| -*v as f32).collect();
        prop_assert_eq!(to_f64(&twice.compute().unwrap()), want_twice.clone());
        prop_assert_eq!(neg.compute().unwrap().to_vec::<f32>(), want_neg.clone());
        let plan = tessera::Array::plan(&neg, true);
        prop_assert_eq!(plan.task_count(), x.numblocks().iter().product::<usize>() + plan.stages.iter().take(plan.stages.len() - 2).map(|s| s.tasks()).sum::<usize>());
        for threads in [1, 2, 4] {
            let opts = tessera::ComputeOptions { threads, ..Default::default() };
            let got = tessera::compute_many(&[&twice, &neg], &opts).unwrap();
            prop_assert_eq!(to_f64(&got[0]), want_twice.clone());
            prop_assert_eq!(got[1].to_vec::<f32>(), want_neg.clone());
        }
    }
}

#[test]
fn a_kernel_with_two_outputs_is_one_stage_of_tasks_and_a_part() {
    let x = tessera::from_vec(&[6], vals(&[6], 1), 2).unwrap();
    let (_, neg) = twice_and_neg(&x);
    let plan = neg.plan(true);
    let text = plan.text();
    assert!(text.contains("twice_and_neg [leaf0 -> blockwise(twice_and_neg)] tasks=3 shape=[6] float64"), "{text}");
    assert!(text.contains("twice_and_neg [output 1 of s"), "{text}");
    assert!(text.contains("tasks=0 shape=[6, 1] float32"), "{text}");
    assert_eq!(plan.task_count(), 3 + plan.stages.iter().filter(|s| s.name != "twice_and_neg").map(|s| s.tasks()).sum::<usize>());
}
