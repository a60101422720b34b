//! Every error path of the builders: the error's kind, the operation it names, and that its
//! message names the shapes, axes or values at fault. Errors happen when the expression is
//! built, never at compute time.

use std::sync::atomic::Ordering;
use tessera::random::default_rng;
use tessera::{
    from_vec, zeros, Array, AxisSpec, BinaryOp, ChunkSpec, ComputeOptions, DType, Error, ErrorKind, IndexItem, ReduceArgs,
    ReduceOp, Scalar, UnaryOp,
};
use tessera_core::ScalarKind;

/// Asserts the kind, the operation and fragments of the message; also that `Display` is
/// `"<op>: <message>"`.
fn assert_err<T: std::fmt::Debug>(r: tessera::Result<T>, kind: ErrorKind, op: &str, fragments: &[&str]) -> Error {
    let e = r.expect_err("expected an error");
    assert_eq!(e.kind, kind, "{e}");
    assert_eq!(e.op, op, "{e}");
    for f in fragments {
        assert!(e.message.contains(f), "message {:?} should contain {f:?}", e.message);
    }
    assert_eq!(e.to_string(), format!("{}: {}", e.op, e.message));
    e
}

fn arr(shape: &[usize], dtype: DType) -> Array {
    zeros(shape, dtype, 2).unwrap()
}

fn slice(start: Option<i64>, stop: Option<i64>, step: Option<i64>) -> IndexItem {
    IndexItem::Slice { start, stop, step }
}

#[test]
fn broadcast_mismatch_names_both_shapes() {
    let (x, y) = (arr(&[2, 3], DType::F64), arr(&[4], DType::F64));
    assert_err(x.add(&y), ErrorKind::Shape, "add", &["could not be broadcast", "(2, 3)", "(4,)"]);
    assert_err(y.binary(BinaryOp::Lt, &x), ErrorKind::Shape, "less", &["(4,)", "(2, 3)"]);
    let z = arr(&[5, 1, 3], DType::I8);
    assert_err(x.mul(&arr(&[3, 3], DType::I8)), ErrorKind::Shape, "multiply", &["(2, 3)", "(3, 3)"]);
    assert_err(tessera::where_(&z, &x, &arr(&[7], DType::F64)), ErrorKind::Shape, "where", &["(5, 1, 3)", "(2, 3)", "(7,)"]);
    assert_err(x.clip(Some((&y).into()), None), ErrorKind::Shape, "maximum", &["(2, 3)", "(4,)"]);
    assert_err(x.broadcast_to(&[3, 3]), ErrorKind::Shape, "broadcast_to", &["(2, 3)", "(3, 3)"]);
    assert_err(x.broadcast_to(&[3]), ErrorKind::Shape, "broadcast_to", &["(2, 3)", "(3,)"]);
    assert_err(arr(&[3], DType::F64).broadcast_to(&[3, 1]), ErrorKind::Shape, "broadcast_to", &["(3,)", "(3, 1)"]);
}

#[test]
fn axis_out_of_range_or_repeated() {
    let x = arr(&[2, 3], DType::F64);
    assert_err(x.sum_axis(2), ErrorKind::Axis, "sum", &["axis 2", "dimension 2"]);
    assert_err(x.mean_axis(-3), ErrorKind::Axis, "mean", &["axis -3", "dimension 2"]);
    assert_err(x.argmax_axis(5), ErrorKind::Axis, "argmax", &["axis 5"]);
    assert_err(arr(&[], DType::F64).sum_axis(0), ErrorKind::Axis, "sum", &["axis 0", "dimension 0"]);
    assert_err(x.reduce(ReduceOp::Max, &ReduceArgs::axes(&[0, -2])), ErrorKind::Axis, "max", &["repeated axis 0", "[0, -2]"]);
    assert_err(x.reduce(ReduceOp::Var { ddof: 1 }, &ReduceArgs::axes(&[1, 1])), ErrorKind::Axis, "var", &["repeated axis 1"]);
    let y = arr(&[2, 3, 4], DType::F64);
    assert_err(y.reduce(ReduceOp::ArgMin, &ReduceArgs::axes(&[0, 1])), ErrorKind::Axis, "argmin", &["one axis or none", "[0, 1]"]);
    assert_err(x.transpose(Some(&[0])), ErrorKind::Axis, "transpose", &["[0]", "dimension 2"]);
    assert_err(x.transpose(Some(&[0, 2])), ErrorKind::Axis, "transpose", &["axis 2", "dimension 2"]);
    assert_err(x.transpose(Some(&[1, -1])), ErrorKind::Axis, "transpose", &["repeated axis 1"]);
}

#[test]
fn index_errors() {
    let x = arr(&[5, 3], DType::I32);
    assert_err(x.index(&[IndexItem::Int(5)]), ErrorKind::Index, "getitem", &["index 5 is out of bounds for axis 0 with size 5"]);
    assert_err(x.index(&[IndexItem::Int(-6)]), ErrorKind::Index, "getitem", &["index -6", "axis 0 with size 5"]);
    assert_err(x.index(&[IndexItem::Ellipsis, IndexItem::Int(3)]), ErrorKind::Index, "getitem", &["index 3", "axis 1 with size 3"]);
    assert_err(arr(&[0], DType::I32).index(&[IndexItem::Int(0)]), ErrorKind::Index, "getitem", &["index 0", "size 0"]);
    assert_err(
        x.index(&[IndexItem::Int(0), IndexItem::NewAxis, IndexItem::Int(0), IndexItem::Int(0)]),
        ErrorKind::Index,
        "getitem",
        &["too many indices", "2-dimensional", "3 were indexed", "[5, 3]"],
    );
    assert_err(arr(&[], DType::I32).index(&[slice(None, None, None)]), ErrorKind::Index, "getitem", &["0-dimensional"]);
    assert_err(x.index(&[IndexItem::Ellipsis, IndexItem::Int(0), IndexItem::Ellipsis]), ErrorKind::Index, "getitem", &["single ellipsis"]);
    assert_err(x.index(&[slice(None, None, Some(0))]), ErrorKind::Value, "getitem", &["step cannot be zero"]);
    assert_err(x.index(&[IndexItem::Int(1), slice(Some(1), Some(2), Some(0))]), ErrorKind::Value, "getitem", &["step cannot be zero"]);
}

#[test]
fn invalid_chunks() {
    let data = || (0..21).map(|v| v as f64).collect::<Vec<_>>();
    let blocks = |b: Vec<i64>| ChunkSpec::PerAxis(vec![AxisSpec::Blocks(b), AxisSpec::Size(-1)]);
    // Sums that don't match, zero and negative sizes, the wrong number of entries: when an
    // array is created or generated (the error names the chunk specification) and when it is
    // rechunked.
    assert_err(from_vec(&[7, 3], data(), blocks(vec![3, 3])), ErrorKind::Chunks, "chunks", &["[3, 3]", "add up to 6", "length 7", "axis 0"]);
    assert_err(from_vec(&[7, 3], data(), blocks(vec![4, 4])), ErrorKind::Chunks, "chunks", &["add up to 8", "length 7"]);
    assert_err(from_vec(&[7, 3], data(), blocks(vec![-1, 8])), ErrorKind::Chunks, "chunks", &["block size -1", "negative"]);
    assert_err(from_vec(&[7, 3], data(), blocks(vec![])), ErrorKind::Chunks, "chunks", &["no block sizes", "axis 0"]);
    assert_err(from_vec(&[7, 3], data(), 0), ErrorKind::Chunks, "chunks", &["chunk size 0", "axis 0", "[7, 3]"]);
    assert_err(from_vec(&[7, 3], data(), -2), ErrorKind::Chunks, "chunks", &["chunk size -2"]);
    assert_err(from_vec(&[7, 3], data(), [2usize]), ErrorKind::Chunks, "chunks", &["1 chunk entries", "[7, 3]", "2 axes"]);
    assert_err(zeros(&[4, 4], DType::F32, [2usize, 2, 2]), ErrorKind::Chunks, "chunks", &["3 chunk entries", "[4, 4]"]);
    assert_err(default_rng(1).normal(0.0, 1.0, &[10], 0), ErrorKind::Chunks, "chunks", &["chunk size 0"]);
    assert_err(tessera::arange(0.0, 10.0, 1.0, DType::I64, vec![vec![5usize, 4]]), ErrorKind::Chunks, "chunks", &["add up to 9", "length 10"]);
    let x = arr(&[7, 3], DType::F64);
    assert_err(x.rechunk(blocks(vec![2, 2, 2])), ErrorKind::Chunks, "rechunk", &["add up to 6", "length 7"]);
    assert_err(x.rechunk(ChunkSpec::PerAxis(vec![AxisSpec::Size(3), AxisSpec::Size(0)])), ErrorKind::Chunks, "rechunk", &["chunk size 0", "axis 1"]);
    assert_err(x.rechunk(ChunkSpec::PerAxis(vec![AxisSpec::Size(3)])), ErrorKind::Chunks, "rechunk", &["1 chunk entries"]);
    // A zero chunk size is fine for an empty axis, and so are empty blocks in a list (as in Dask).
    assert!(arr(&[0], DType::F64).rechunk(0).is_ok());
    assert!(x.rechunk(blocks(vec![3, 0, 4])).is_ok());
}

#[test]
fn reshape_errors() {
    let x = arr(&[2, 3], DType::I16);
    assert_err(x.reshape(&[4, 2]), ErrorKind::Shape, "reshape", &["size 6", "(4, 2)"]);
    assert_err(x.reshape(&[7]), ErrorKind::Shape, "reshape", &["size 6", "(7,)"]);
    assert_err(x.reshape(&[-1, -1]), ErrorKind::Value, "reshape", &["one unknown dimension", "[-1, -1]"]);
    assert_err(x.reshape(&[-2, 3]), ErrorKind::Value, "reshape", &["[-2, 3]"]);
    assert_err(x.reshape(&[4, -1]), ErrorKind::Shape, "reshape", &["size 6", "[4, -1]"]);
    assert_err(arr(&[0, 3], DType::I16).reshape(&[-1, 0]), ErrorKind::Shape, "reshape", &["size 0", "[-1, 0]"]);
}

#[test]
fn dtype_errors() {
    let f = arr(&[3], DType::F64);
    let i = arr(&[3], DType::I32);
    let b = arr(&[3], DType::Bool);
    assert_err(f.invert(), ErrorKind::DType, "invert", &["float64"]);
    assert_err(arr(&[3], DType::F32).invert(), ErrorKind::DType, "invert", &["float32"]);
    for (op, name) in [(BinaryOp::BitAnd, "bitwise_and"), (BinaryOp::BitOr, "bitwise_or"), (BinaryOp::BitXor, "bitwise_xor")] {
        assert_err(f.binary(op, &f), ErrorKind::DType, name, &["float64"]);
        assert_err(i.binary(op, &arr(&[3], DType::F32)), ErrorKind::DType, name, &["int32", "float32"]);
        assert_err(i.binary(op, 1.5), ErrorKind::DType, name, &["float64"]);
    }
    assert_err(b.sub(&b), ErrorKind::DType, "subtract", &["bool"]);
    assert_err(b.neg(), ErrorKind::DType, "negative", &["bool"]);
    assert_err(b.sign(), ErrorKind::DType, "sign", &["bool"]);
    assert_err(b.sub(true), ErrorKind::DType, "subtract", &["bool"]);
    assert_err(b.rbinary(BinaryOp::Sub, Scalar::Bool(true), ScalarKind::Bool), ErrorKind::DType, "subtract", &["bool"]);
    assert_err(default_rng(1).integers(0, 5, &[3], DType::F64, 2), ErrorKind::DType, "integers", &["float64"]);
    // What is allowed: bool - int, ~bool, bitwise ops on bool and integers.
    assert!(b.sub(1i64).is_ok() && b.invert().is_ok() && b.bitxor(&i).is_ok() && b.unary(UnaryOp::Abs).is_ok());
}

#[test]
fn scalar_out_of_range_for_the_dtype() {
    let u8s = arr(&[3], DType::U8);
    assert_err(u8s.add(300i64), ErrorKind::Value, "add", &["300", "uint8"]);
    assert_err(u8s.sub(-1i64), ErrorKind::Value, "subtract", &["-1", "uint8"]);
    assert_err(arr(&[3], DType::I8).mul(-129i64), ErrorKind::Value, "multiply", &["-129", "int8"]);
    assert_err(arr(&[3], DType::I16).rbinary(BinaryOp::Add, Scalar::I64(40000), ScalarKind::Int), ErrorKind::Value, "add", &["40000", "int16"]);
    assert_err(arr(&[3], DType::U32).maximum(1i64 << 32), ErrorKind::Value, "maximum", &["4294967296", "uint32"]);
    // In range, or a float array, or a bool array (which becomes int64): fine.
    assert!(u8s.add(255i64).is_ok() && arr(&[3], DType::F32).add(1i64 << 40).is_ok() && arr(&[3], DType::Bool).add(-1i64).is_ok());
}

#[test]
fn reductions_without_identity_on_empty_arrays() {
    let e = arr(&[0, 3], DType::F64);
    for (op, name) in [(ReduceOp::Min, "min"), (ReduceOp::Max, "max"), (ReduceOp::ArgMin, "argmin"), (ReduceOp::ArgMax, "argmax")] {
        assert_err(e.reduce(op, &ReduceArgs::all()), ErrorKind::Value, name, &["zero-size array", name, "(0, 3)"]);
        assert_err(e.reduce(op, &ReduceArgs::axis(0)), ErrorKind::Value, name, &["zero-size array", "(0, 3)", "[0]"]);
        // Along the non-empty axis the result is simply empty.
        let r = e.reduce(op, &ReduceArgs::axis(1)).unwrap();
        assert_eq!(r.compute().unwrap().shape(), &[0]);
    }
    // Reductions with an identity are fine on empty arrays.
    assert_eq!(e.sum().unwrap().compute().unwrap().to_vec::<f64>(), vec![0.0]);
    assert_eq!(e.prod().unwrap().compute().unwrap().to_vec::<f64>(), vec![1.0]);
    assert!(e.mean().unwrap().compute().unwrap().to_vec::<f64>()[0].is_nan());
}

#[test]
fn split_every_below_two() {
    let x = arr(&[10], DType::F64);
    for s in [0, 1] {
        assert_err(x.reduce(ReduceOp::Sum, &ReduceArgs::all().split_every(s)), ErrorKind::Value, "sum", &["split_every", &format!("got {s}")]);
    }
    assert!(x.reduce(ReduceOp::Sum, &ReduceArgs::all().split_every(2)).is_ok());
}

#[test]
fn creation_errors() {
    let g = default_rng(7);
    assert_err(g.integers(5, 5, &[3], DType::I64, 2), ErrorKind::Value, "integers", &["5"]);
    assert_err(g.integers(5, -3, &[3], DType::I8, 2), ErrorKind::Value, "integers", &["5", "-3"]);
    assert_err(g.normal(0.0, -1.0, &[3], 2), ErrorKind::Value, "normal", &["-1"]);
    assert_err(g.normal(0.0, f64::NAN, &[3], 2), ErrorKind::Value, "normal", &["NaN"]);
    assert_err(g.uniform(0.0, f64::INFINITY, &[3], 2), ErrorKind::Value, "uniform", &["inf"]);
    assert_err(tessera::arange(0.0, 1.0, 0.0, DType::F64, 2), ErrorKind::Value, "arange", &["step", "0"]);
    assert_err(from_vec(&[2, 3], vec![1i32; 5], 2), ErrorKind::Shape, "from_vec", &["5 values", "[2, 3]", "6 elements"]);
}

#[test]
fn errors_happen_at_build_time_and_cancellation_at_compute_time() {
    // A valid expression computes; a cancelled computation reports `Cancelled`.
    let x = default_rng(1).normal(0.0, 1.0, &[1000], 10).unwrap().sum().unwrap();
    let opts = ComputeOptions::default().threads(2);
    opts.cancel.store(true, Ordering::Relaxed);
    let e = x.compute_with(&opts).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Cancelled, "{e}");
    opts.cancel.store(false, Ordering::Relaxed);
    assert!(x.compute_with(&opts).is_ok());
}
