//! Chains mixing every kind of operation, against the reference: the example from the docs
//! (`(x.T + y)[::-1].sum(axis=0)`), random programs of up to a dozen steps (elementwise ops,
//! scalars, `where`, casts, indexing, transposes, rechunks, reshapes, reductions, persist)
//! over shared subexpressions, computed one by one and together with `compute_many`.

mod common;

use common::*;
use proptest::prelude::*;
use tessera::{compute_many, Array, BinaryOp, DType, IndexItem, ReduceArgs, ReduceOp, UnaryOp};

proptest! {
    #![proptest_config(config(1000))]

    #[test]
    fn transpose_add_reverse_sum(
        (m, n) in (0usize..7, 1usize..7),
        y_kind in 0u8..4,
        (cx, cy) in (1i64..4, 1i64..4),
        (dx, dy) in (dtype_st(), dtype_st()),
        seed in any::<u64>(),
        opts in opts_st(),
    ) {
        // (x.T + y)[::-1].sum(axis=0), with y of shape (n, m), (m,), (n, 1) or ().
        let x = Nd::random(&[m, n], dx, seed, Vals::Nice);
        let ys: [&[usize]; 4] = [&[n, m], &[m], &[n, 1], &[]];
        let y = Nd::random(ys[y_kind as usize], dy, seed ^ 5, Vals::Nice);
        let s = ref_binary(BinaryOp::Add, &x.transpose(&[1, 0]), &y).unwrap();
        let rev = [IndexItem::Slice { start: None, stop: None, step: Some(-1) }];
        let want = ref_reduce(&ref_index(&s, &rev), ReduceOp::Sum, Some(&[0]), false);
        let got = x.array(cx).t().add(&y.array(cy)).unwrap().index(&rev).unwrap().sum_axis(0).unwrap();
        check_arr(&got, &opts, &want, Tol::EXACT)?;
    }

    #[test]
    fn compute_many_with_shared_subexpressions(
        (shape, chunks) in shape_chunks_st(3),
        dtype in prop::sample::select(vec![DType::I32, DType::F64, DType::U16]),
        seed in any::<u64>(),
        opts in opts_st(),
    ) {
        let x = Nd::random(&shape, dtype, seed, Vals::Nice);
        let y = Nd::random(&shape, dtype, seed ^ 1, Vals::Nice);
        let (ax, ay) = (x.array(chunks.clone()), y.array(chunks));
        let s = ax.mul(&ay).unwrap();
        let rs = ref_binary(BinaryOp::Mul, &x, &y).unwrap();
        let t = s.add(&ax).unwrap();
        let rt = ref_binary(BinaryOp::Add, &rs, &x).unwrap();
        let rev: Vec<IndexItem> = shape.iter().map(|_| IndexItem::Slice { start: None, stop: None, step: Some(-2) }).collect();
        let nd = shape.len();
        let rev_perm: Vec<usize> = (0..nd).rev().collect();
        // s is an output and an input of other outputs, and is asked for twice.
        let mut outs = vec![s.clone(), s.sum().unwrap(), t.index(&rev).unwrap(), s.clone(), t.t()];
        let mut wants = vec![rs.clone(), ref_reduce(&rs, ReduceOp::Sum, None, false), ref_index(&rt, &rev), rs.clone(), rt.transpose(&rev_perm)];
        if nd > 0 && shape[nd - 1] > 0 {
            outs.push(t.reduce(ReduceOp::Max, &ReduceArgs::axes(&[-1]).keepdims(true)).unwrap());
            wants.push(ref_reduce(&rt, ReduceOp::Max, Some(&[nd - 1]), true));
        }
        let refs: Vec<&Array> = outs.iter().collect();
        let got = compute_many(&refs, &opts.get()).unwrap();
        prop_assert_eq!(got.len(), outs.len());
        for (g, w) in got.iter().zip(&wants) {
            check(g, w, Tol::EXACT)?;
        }
    }

    #[test]
    fn persist_keeps_values_and_chunks(
        (shape, chunks) in shape_chunks_st(4),
        idx_seed in any::<u64>(),
        seed in any::<u64>(),
        opts in opts_st(),
    ) {
        let x = Nd::random(&shape, DType::I16, seed, Vals::Full);
        let a = x.array(chunks).neg().unwrap();
        let want = ref_unary(UnaryOp::Neg, &x).unwrap();
        let p = a.persist().unwrap();
        prop_assert_eq!(p.chunks(), a.chunks());
        check_arr(&p, &opts, &want, Tol::EXACT)?;
        // Work on a persisted array: views, elementwise ops, reductions.
        let items = derive_index(&shape, idx_seed);
        check_arr(&p.index(&items).unwrap(), &opts, &ref_index(&want, &items), Tol::EXACT)?;
        let twice = ref_binary(BinaryOp::Add, &want, &want).unwrap();
        check_arr(&p.add(&p).unwrap(), &opts, &twice, Tol::EXACT)?;
        check_arr(&p.sum().unwrap(), &opts, &ref_reduce(&want, ReduceOp::Sum, None, false), Tol::EXACT)?;
    }
}

proptest! {
    #![proptest_config(config(2500))]

    #[test]
    fn random_programs(seed in any::<u64>(), steps in 1usize..12, outputs in 1usize..4, big in prop::bool::weighted(0.05), opts in opts_st()) {
        // Mostly small arrays (many blocks, edge cases); sometimes blocks bigger than a tile.
        let mut p = Program::new(seed, big);
        for _ in 0..steps {
            p.step();
        }
        if std::env::var_os("TESSERA_TEST_LOG").is_some() {
            eprintln!("{}\n", p.log.join("\n"));
        }
        // The last node and a few others, computed together and on their own.
        let mut picks = vec![p.nodes.len() - 1];
        for _ in 1..outputs {
            picks.push(p.rng.below(p.nodes.len() as u64) as usize);
        }
        let arrays: Vec<&Array> = picks.iter().map(|&i| &p.nodes[i].a).collect();
        let got = compute_many(&arrays, &opts.get()).map_err(|e| TestCaseError::fail(format!("{e}\n{}", p.log.join("\n"))))?;
        for (b, &i) in got.iter().zip(&picks) {
            check(b, &p.nodes[i].r, TOL).map_err(|e| TestCaseError::fail(format!("node {i}: {e}\nprogram:\n{}", p.log.join("\n"))))?;
        }
        let last = p.nodes.last().unwrap();
        check_arr(&last.a, &opts, &last.r, TOL).map_err(|e| TestCaseError::fail(format!("{e}\nprogram:\n{}", p.log.join("\n"))))?;
    }
}

const TOL: Tol = Tol { rtol: 1e-12, atol: 0.0 };

struct Node {
    a: Array,
    r: Nd,
}

/// A random program over the reference and tessera in lockstep. Only operations whose
/// results are exact are used (no means or transcendental functions), and values stay small,
/// so any difference is a bug, not rounding.
struct Program {
    nodes: Vec<Node>,
    rng: Prng,
    log: Vec<String>,
}

const DTYPES_USED: [DType; 6] = [DType::I64, DType::I32, DType::U8, DType::F64, DType::F32, DType::Bool];
const UNARY: [UnaryOp; 11] = {
    use UnaryOp::*;
    [Neg, Abs, Sign, Square, Floor, Ceil, Trunc, IsNan, IsFinite, Invert, LogicalNot]
};
const BINARY: [BinaryOp; 13] = {
    use BinaryOp::*;
    [Add, Sub, Mul, FloorDiv, Mod, Minimum, Maximum, Eq, Lt, Ge, BitAnd, BitXor, LogicalOr]
};

impl Program {
    fn new(seed: u64, big: bool) -> Program {
        let mut p = Program { nodes: vec![], rng: Prng(seed), log: vec![] };
        let nd = p.rng.below(4) as usize;
        let shape: Vec<usize> = if big {
            (0..2).map(|_| [1, 3, 40, 70, 97, 130][p.rng.below(6) as usize]).collect()
        } else {
            (0..nd).map(|_| [0, 1, 2, 3, 4, 5, 6, 3, 4, 5][p.rng.below(10) as usize]).collect()
        };
        p.source(&shape);
        p
    }

    fn pick(&mut self) -> usize {
        // Recent nodes more often.
        let n = self.nodes.len() as u64;
        if self.rng.chance(0.6) {
            (n - 1) as usize
        } else {
            self.rng.below(n) as usize
        }
    }

    fn source(&mut self, shape: &[usize]) -> usize {
        let dtype = DTYPES_USED[self.rng.below(DTYPES_USED.len() as u64) as usize];
        let r = Nd::random(shape, dtype, self.rng.next(), Vals::Nice);
        let chunks = derive_chunks(shape, self.rng.next());
        self.log.push(format!("n{} = source {shape:?} {dtype} chunks {chunks:?}", self.nodes.len()));
        let a = r.array(chunks);
        self.nodes.push(Node { a, r });
        self.nodes.len() - 1
    }

    /// A node whose shape broadcasts with `shape` (maybe a new source).
    fn partner(&mut self, shape: &[usize]) -> usize {
        // Broadcasting can multiply sizes: keep results below 40k elements.
        let fits = |s: &[usize]| broadcast_shapes(&[shape, s]).is_some_and(|b| size(&b) <= 40_000);
        let cands: Vec<usize> = (0..self.nodes.len()).filter(|&i| fits(&self.nodes[i].r.shape)).collect();
        if !cands.is_empty() && self.rng.chance(0.6) {
            return cands[self.rng.below(cands.len() as u64) as usize];
        }
        let drop = self.rng.below(shape.len() as u64 + 1) as usize;
        let s: Vec<usize> = shape.iter().skip(drop).map(|&d| if self.rng.chance(0.25) { 1 } else { d }).collect();
        self.source(&s)
    }

    fn push(&mut self, a: tessera::Result<Array>, r: Nd, what: String) {
        let a = a.unwrap_or_else(|e| panic!("{what}: {e}\nprogram:\n{}", self.log.join("\n")));
        // Keep values small so that everything stays exact.
        if r.data.iter().any(|v| matches!(v, V::F(f) if f.is_finite() && f.abs() > 1e6)) {
            return;
        }
        self.log.push(format!("n{} = {what}  -> {:?} {}", self.nodes.len(), r.shape, r.dtype));
        self.nodes.push(Node { a, r });
    }

    fn step(&mut self) {
        let i = self.pick();
        let (a, r) = (self.nodes[i].a.clone(), self.nodes[i].r.clone());
        let nd = r.ndim();
        match self.rng.below(12) {
            0 => {
                let op = UNARY[self.rng.below(UNARY.len() as u64) as usize];
                if let Some(want) = ref_unary(op, &r) {
                    self.push(a.unary(op), want, format!("{}(n{i})", op.name()));
                }
            }
            1 | 2 => {
                let j = self.partner(&r.shape);
                let (b, rb) = (self.nodes[j].a.clone(), self.nodes[j].r.clone());
                let op = BINARY[self.rng.below(BINARY.len() as u64) as usize];
                if let Some(want) = ref_binary(op, &r, &rb) {
                    self.push(a.binary(op, &b), want, format!("{}(n{i}, n{j})", op.name()));
                }
            }
            3 => {
                let op = [BinaryOp::Add, BinaryOp::Mul, BinaryOp::Sub, BinaryOp::Maximum, BinaryOp::Lt][self.rng.below(5) as usize];
                let (int, v) = (self.rng.chance(0.5), self.rng.range(0, 4));
                let kind = if int { ScalarKindRef::Int } else { ScalarKindRef::Float };
                let sv = if int { V::I(v as i128) } else { V::F(v as f64 * 0.5) };
                let common = weak_result_type(r.dtype, kind);
                if let Some((c, out)) = binary_sig(op, common) {
                    let s = cast(sv, c);
                    let want = r.astype(c).map(out, |x| binary_value(op, x, s, c));
                    let got = if int { a.binary(op, v) } else { a.binary(op, v as f64 * 0.5) };
                    self.push(got, want, format!("{}(n{i}, {sv:?})", op.name()));
                }
            }
            4 => {
                let items = derive_index(&r.shape, self.rng.next());
                self.push(a.index(&items), ref_index(&r, &items), format!("n{i}[{items:?}]"));
            }
            5 => {
                let mut perm: Vec<usize> = (0..nd).collect();
                for k in (1..nd).rev() {
                    perm.swap(k, self.rng.below(k as u64 + 1) as usize);
                }
                let p: Vec<isize> = perm.iter().map(|&x| x as isize).collect();
                self.push(a.transpose(Some(&p)), r.transpose(&perm), format!("transpose(n{i}, {perm:?})"));
            }
            6 => {
                let c = derive_chunks(&r.shape, self.rng.next());
                self.push(a.rechunk(c.clone()), r.clone(), format!("rechunk(n{i}, {c:?})"));
            }
            7 => {
                let t = derive_reshape(&r.shape, self.rng.next());
                let out = resolve_shape(&t, size(&r.shape));
                self.push(a.reshape(&t), r.reshape(&out), format!("reshape(n{i}, {t:?})"));
            }
            8 | 9 => {
                use ReduceOp::*;
                let op = [Sum, Max, Min, Any, All, ArgMax, ArgMin, Sum][self.rng.below(8) as usize];
                let arg = matches!(op, ArgMax | ArgMin);
                let axes: Option<Vec<usize>> = if self.rng.chance(0.25) || (arg && nd == 0) {
                    None
                } else if arg {
                    Some(vec![self.rng.below(nd as u64) as usize])
                } else {
                    Some((0..nd).filter(|_| self.rng.chance(0.5)).collect())
                };
                let reduced: usize = axes.as_ref().map(|a| a.iter().map(|&k| r.shape[k]).product()).unwrap_or(size(&r.shape));
                if reduced == 0 && matches!(op, Max | Min | ArgMax | ArgMin) {
                    return;
                }
                let keepdims = self.rng.chance(0.3);
                let split_every = if self.rng.chance(0.5) { Some(self.rng.range(2, 6) as usize) } else { None };
                let args = ReduceArgs { axes: axes.as_ref().map(|a| a.iter().map(|&k| k as isize).collect()), keepdims, split_every };
                let want = ref_reduce(&r, op, axes.as_deref(), keepdims);
                self.push(a.reduce(op, &args), want, format!("{}(n{i}, {args:?})", op.name()));
            }
            10 => {
                let j = self.partner(&r.shape);
                let k = self.partner(&r.shape);
                let (rj, rk) = (self.nodes[j].r.clone(), self.nodes[k].r.clone());
                if !broadcast_shapes(&[&r.shape, &rj.shape, &rk.shape]).is_some_and(|b| size(&b) <= 40_000) {
                    return;
                }
                let t = result_type(rj.dtype, rk.dtype);
                let want = zip3(&r.astype(DType::Bool), &rj.astype(t), &rk.astype(t), t, |c, x, y| if c.truthy() { x } else { y });
                let got = tessera::where_(&a, &self.nodes[j].a, &self.nodes[k].a);
                self.push(got, want, format!("where(n{i}, n{j}, n{k})"));
            }
            _ => {
                if self.rng.chance(0.3) {
                    self.push(a.persist(), r.clone(), format!("persist(n{i})"));
                } else {
                    let to = DTYPES_USED[self.rng.below(DTYPES_USED.len() as u64) as usize];
                    self.push(Ok(a.astype(to)), r.astype(to), format!("astype(n{i}, {to})"));
                }
            }
        }
    }
}
