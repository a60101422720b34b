//! Elementwise operations against the reference: every unary and binary op on every dtype
//! (NumPy promotion, broadcasting between different shapes and chunkings), weak Python
//! scalars on either side, `where`, `clip` and `astype`, on random shapes and chunkings,
//! with 1, 2 or 4 threads and with the optimizer on or off.

mod common;

use common::*;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use tessera::{Array, BinaryOp, ChunkSpec, Class, DType, ErrorKind, Operand, Scalar, UnaryOp};
use tessera_core::ScalarKind;

fn expect_err<T: std::fmt::Debug>(r: tessera::Result<T>, kind: ErrorKind, op: &str) -> Result<(), TestCaseError> {
    match r {
        Ok(v) => Err(TestCaseError::fail(format!("expected a {kind:?} error from {op}, got {v:?}"))),
        Err(e) => {
            prop_assert_eq!(e.kind, kind, "{}", e);
            prop_assert!(e.op == op, "error names {:?}, expected {:?}: {}", e.op, op, e);
            Ok(())
        }
    }
}

/// A shape, a broadcast partner, chunkings for both. Sometimes axes of the first shape are
/// set to 1 where the partner has the full length, so that both operands stretch.
fn two_shapes() -> impl Strategy<Value = ((Vec<usize>, ChunkSpec), (Vec<usize>, ChunkSpec))> {
    shape_st(4).prop_flat_map(|s| {
        let n = s.len();
        (Just(s.clone()), broadcast_partner_st(&s), prop::collection::vec(prop::bool::weighted(0.2), n)).prop_flat_map(|(mut s, p, ones)| {
            let off = s.len() as isize - p.len() as isize;
            for k in 0..s.len() {
                let j = k as isize - off;
                if ones[k] && j >= 0 && (j as usize) < p.len() && p[j as usize] == s[k] {
                    s[k] = 1;
                }
            }
            (Just(s.clone()), chunks_st(&s), Just(p.clone()), chunks_st(&p)).prop_map(|(s, cs, p, cp)| ((s, cs), (p, cp)))
        })
    })
}

#[derive(Clone, Copy, Debug)]
enum Sc {
    Int(i64),
    Float(f64),
    Bool(bool),
}

impl Sc {
    fn kind(self) -> ScalarKindRef {
        match self {
            Sc::Int(_) => ScalarKindRef::Int,
            Sc::Float(_) => ScalarKindRef::Float,
            Sc::Bool(_) => ScalarKindRef::Bool,
        }
    }
    fn v(self) -> V {
        match self {
            Sc::Int(i) => V::I(i as i128),
            Sc::Float(f) => V::F(f),
            Sc::Bool(b) => V::B(b),
        }
    }
    fn operand(self) -> Operand<'static> {
        match self {
            Sc::Int(i) => i.into(),
            Sc::Float(f) => f.into(),
            Sc::Bool(b) => b.into(),
        }
    }
    fn raw(self) -> (Scalar, ScalarKind) {
        match self {
            Sc::Int(i) => (Scalar::I64(i), ScalarKind::Int),
            Sc::Float(f) => (Scalar::F64(f), ScalarKind::Float),
            Sc::Bool(b) => (Scalar::Bool(b), ScalarKind::Bool),
        }
    }
}

fn scalar_st() -> impl Strategy<Value = Sc> {
    let ints = vec![-300i64, -129, -128, -2, -1, 0, 1, 2, 3, 7, 127, 128, 255, 256, 40000, 1 << 40, i64::MIN, i64::MAX];
    prop_oneof![
        4 => prop::sample::select(ints).prop_map(Sc::Int),
        1 => (-9i64..10).prop_map(Sc::Int),
        3 => prop::sample::select(vec![-2.5, -0.5, 0.0, -0.0, 0.25, 1.5, 3.0, f64::NAN, f64::INFINITY, 1e10]).prop_map(Sc::Float),
        1 => any::<bool>().prop_map(Sc::Bool),
    ]
}

/// The reference of `x op s` (or `s op x`), or the error kind tessera must raise.
/// As NumPy 2: a Python integer must fit the dtype the operation computes in (int64 for
/// logical operations); an integer computation refuses negative integer exponents.
fn ref_scalar(op: BinaryOp, x: &Nd, s: Sc, left: bool) -> Result<Nd, ErrorKind> {
    let common = weak_result_type(x.dtype, s.kind());
    let (c, out) = binary_sig(op, common).ok_or(ErrorKind::DType)?;
    if let Sc::Int(v) = s {
        let logical = op.class() == Class::Logical;
        if logical || is_int(c) {
            let (lo, hi) = int_bounds(if logical { DType::I64 } else { c });
            if (v as i128) < lo || (v as i128) > hi {
                return Err(ErrorKind::Value);
            }
        }
        if op == BinaryOp::Pow && !left && is_int(c) && v < 0 {
            return Err(ErrorKind::Value);
        }
    }
    let sv = cast(s.v(), c);
    Ok(x.astype(c).map(out, |v| if left { binary_value(op, sv, v, c) } else { binary_value(op, v, sv, c) }))
}

fn apply_scalar(x: &Array, op: BinaryOp, s: Sc, left: bool) -> tessera::Result<Array> {
    if left {
        let (v, k) = s.raw();
        x.rbinary(op, v, k)
    } else {
        x.binary(op, s.operand())
    }
}

/// Unary ops whose results are exact (so that chains of them compare exactly).
const CHAIN_UNARY: [UnaryOp; 14] = {
    use UnaryOp::*;
    [Neg, Abs, Sign, Square, Sqrt, Floor, Ceil, Trunc, Rint, IsNan, IsFinite, IsInf, Invert, LogicalNot]
};

proptest! {
    #![proptest_config(config(1000))]

    #[test]
    fn unary_ops_on_every_dtype(
        (shape, chunks) in shape_chunks_st(4),
        dtype in dtype_st(),
        op in prop::sample::select(UnaryOp::ALL.to_vec()),
        seed in any::<u64>(),
        opts in opts_st(),
    ) {
        let x = Nd::random(&shape, dtype, seed, Vals::Full);
        let a = x.array(chunks);
        match ref_unary(op, &x) {
            None => expect_err(a.unary(op), ErrorKind::DType, op.name())?,
            Some(want) => {
                let tol = Tol::ulps(want.dtype);
                check_arr(&a.unary(op).unwrap(), &opts, &want, tol)?;
            }
        }
    }

    #[test]
    fn binary_ops_broadcast_and_promote(
        ((sa, ca), (sb, cb)) in two_shapes(),
        (da, db) in (dtype_st(), dtype_st()),
        op in prop::sample::select(BinaryOp::ALL.to_vec()),
        swap in any::<bool>(),
        seed in any::<u64>(),
        opts in opts_st(),
    ) {
        let (x, y) = (Nd::random(&sa, da, seed, Vals::Full), Nd::random(&sb, db, seed ^ 0x55, Vals::Full));
        let (ax, ay) = (x.array(ca), y.array(cb));
        let (x, y, ax, ay) = if swap { (y, x, ay, ax) } else { (x, y, ax, ay) };
        match ref_binary(op, &x, &y) {
            None => expect_err(ax.binary(op, &ay), ErrorKind::DType, op.name())?,
            Some(want) => check_arr(&ax.binary(op, &ay).unwrap(), &opts, &want, Tol::ulps(want.dtype))?,
        }
    }

    #[test]
    fn incompatible_shapes_fail_to_broadcast(
        (sa, sb) in (shape_st(3), any::<prop::sample::Index>(), 2usize..7, any::<prop::sample::Index>()).prop_map(|(mut s, at, d, drop)| {
            // Axis k of the partner has another length, neither of them 1.
            if s.is_empty() {
                s.push(2);
            }
            let k = at.index(s.len());
            s[k] = s[k].max(2);
            let mut p = s.clone();
            p[k] = if d == s[k] { d + 1 } else { d };
            let p = p[drop.index(k + 1)..].to_vec();
            (s, p)
        }),
        swap in any::<bool>(),
        op in prop::sample::select(BinaryOp::ALL.to_vec()),
    ) {
        let (sa, sb) = if swap { (sb, sa) } else { (sa, sb) };
        prop_assert!(broadcast_shapes(&[&sa, &sb]).is_none());
        let (x, y) = (Nd::random(&sa, DType::I32, 1, Vals::Nice), Nd::random(&sb, DType::I32, 2, Vals::Nice));
        let e = x.array(2).binary(op, &y.array(3)).unwrap_err();
        prop_assert_eq!(e.kind, ErrorKind::Shape);
        prop_assert_eq!(&e.op, op.name());
    }

    #[test]
    fn weak_scalars_on_either_side(
        (shape, chunks) in shape_chunks_st(3),
        dtype in dtype_st(),
        op in prop::sample::select(BinaryOp::ALL.to_vec()),
        s in scalar_st(),
        left in any::<bool>(),
        seed in any::<u64>(),
        opts in opts_st(),
    ) {
        let x = Nd::random(&shape, dtype, seed, Vals::Full);
        let a = x.array(chunks);
        let got = apply_scalar(&a, op, s, left);
        match ref_scalar(op, &x, s, left) {
            Err(kind) => expect_err(got, kind, op.name())?,
            Ok(want) => check_arr(&got.unwrap(), &opts, &want, Tol::ulps(want.dtype))?,
        }
    }

    #[test]
    fn where_broadcasts_three_operands(
        (shape, chunks) in shape_chunks_st(3),
        (dc, da, db) in (dtype_st(), dtype_st(), dtype_st()),
        sizes in prop::collection::vec(1i64..4, 3),
        seed in any::<u64>(),
        opts in opts_st(),
    ) {
        // Operand shapes derived from one base shape: some axes set to 1, some leading axes
        // dropped; each operand chunked differently.
        let mut rng = Prng(seed);
        let mut partner = || -> Vec<usize> {
            let drop = rng.below(shape.len() as u64 + 1) as usize;
            shape.iter().skip(drop).map(|&d| if rng.chance(0.3) { 1 } else { d }).collect()
        };
        let (sc, sa, sb) = (partner(), partner(), partner());
        let c = Nd::random(&sc, dc, seed ^ 1, Vals::Full);
        let x = Nd::random(&sa, da, seed ^ 2, Vals::Full);
        let y = Nd::random(&sb, db, seed ^ 3, Vals::Full);
        let ch = |s: &[usize], i: usize| -> ChunkSpec { if s == &shape[..] { chunks.clone() } else { ChunkSpec::Uniform(sizes[i]) } };
        let r = tessera::where_(&c.array(ch(&sc, 0)), &x.array(ch(&sa, 1)), &y.array(ch(&sb, 2))).unwrap();
        let t = result_type(da, db);
        let want = zip3(&c.astype(DType::Bool), &x.astype(t), &y.astype(t), t, |c, a, b| if c.truthy() { a } else { b });
        check_arr(&r, &opts, &want, Tol::EXACT)?;
    }

    #[test]
    fn clip_with_arrays_and_scalars(
        ((sa, ca), (sb, cb)) in two_shapes(),
        (dx, dl) in (dtype_st(), dtype_st()),
        (lo_kind, hi_kind) in (0u8..3, 0u8..3),
        (sl, sh) in (scalar_st(), scalar_st()),
        seed in any::<u64>(),
        opts in opts_st(),
    ) {
        // clip(x, lo, hi) == minimum(maximum(x, lo), hi); a bound is absent (0), an array of
        // another shape and dtype (1) or a scalar (2).
        let x = Nd::random(&sa, dx, seed, Vals::Full);
        let lo = Nd::random(&sb, dl, seed ^ 7, Vals::Full);
        let hi = Nd::random(&sb, dl, seed ^ 9, Vals::Full);
        let (alo, ahi) = (lo.array(cb.clone()), hi.array(cb));
        fn operand(k: u8, arr: &Array, s: Sc) -> Option<Operand<'_>> {
            match k {
                0 => None,
                1 => Some(Operand::Array(arr)),
                _ => Some(s.operand()),
            }
        }
        let got = x.array(ca).clip(operand(lo_kind, &alo, sl), operand(hi_kind, &ahi, sh));
        let step = |cur: &Nd, k: u8, arr: &Nd, s: Sc, op: BinaryOp| -> Result<Nd, ErrorKind> {
            match k {
                0 => Ok(cur.clone()),
                1 => ref_binary(op, cur, arr).ok_or(ErrorKind::DType),
                _ => ref_scalar(op, cur, s, false),
            }
        };
        let want = match step(&x, lo_kind, &lo, sl, BinaryOp::Maximum) {
            Err(k) => Err((k, "maximum")),
            Ok(w) => step(&w, hi_kind, &hi, sh, BinaryOp::Minimum).map_err(|k| (k, "minimum")),
        };
        match want {
            Err((kind, op)) => expect_err(got, kind, op)?,
            Ok(want) => check_arr(&got.unwrap(), &opts, &want, Tol::ulps(want.dtype))?,
        }
    }

    #[test]
    fn astype_between_all_dtypes(
        (shape, chunks) in shape_chunks_st(4),
        (from, mid, to) in (dtype_st(), dtype_st(), dtype_st()),
        seed in any::<u64>(),
        opts in opts_st(),
    ) {
        let x = Nd::random(&shape, from, seed, Vals::Full);
        let a = x.array(chunks);
        check_arr(&a.astype(to), &opts, &x.astype(to), Tol::EXACT)?;
        check_arr(&a.astype(mid).astype(to), &opts, &x.astype(mid).astype(to), Tol::EXACT)?;
    }

    #[test]
    fn fused_chain_of_elementwise_ops(
        ((sa, ca), (sb, cb)) in two_shapes(),
        (da, db) in (dtype_st(), dtype_st()),
        ops in prop::collection::vec((prop::sample::select(BinaryOp::ALL.to_vec()), prop::sample::select(CHAIN_UNARY.to_vec()), any::<bool>()), 1..5),
        seed in any::<u64>(),
        opts in opts_st(),
    ) {
        // x op1 y, then unary, then op2 with x again, ...: several ops fused into one stage,
        // with the broadcast operand read through a view.
        let (x, y) = (Nd::random(&sa, da, seed, Vals::Nice), Nd::random(&sb, db, seed ^ 3, Vals::Nice));
        let (ax, ay) = (x.array(ca), y.array(cb));
        let (mut cur, mut acur) = (x.clone(), ax.clone());
        for (bop, uop, with_x) in ops {
            let (other, aother) = if with_x { (&x, &ax) } else { (&y, &ay) };
            if let Some(next) = ref_binary(bop, &cur, other) {
                acur = acur.binary(bop, aother).unwrap();
                cur = next;
            }
            if let Some(next) = ref_unary(uop, &cur) {
                acur = acur.unary(uop).unwrap();
                cur = next;
            }
        }
        // Pow, arctan2 and hypot are not correctly rounded; everything else is exact.
        let tol = if is_float(cur.dtype) { Tol { rtol: 1e-5, atol: 1e-9 } } else { Tol::EXACT };
        check_arr(&acur, &opts, &cur, tol)?;
    }
}

#[test]
fn square_of_bool_is_int8_as_in_numpy() {
    // Regression: NumPy has no bool loop for `square` (np.square(True) is int8 1); tessera
    // returned bool.
    let x = tessera::from_vec(&[2], vec![true, false], 1).unwrap();
    let y = x.square().unwrap();
    assert_eq!(y.dtype(), DType::I8);
    assert_eq!(y.compute().unwrap().to_vec::<i8>(), vec![1, 0]);
    // Absolute keeps its bool loop.
    assert_eq!(x.abs().unwrap().dtype(), DType::Bool);
}
