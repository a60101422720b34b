"""Adversarial audit of tessera's Python API (issue 13, item 23): invalid (and borderline
valid) arguments to every public function, compared with NumPy (or Dask where NumPy has no
such function), and NEP 50 Python-scalar promotion for every binary ufunc and dtype.

For each case: the exception class must match the reference's (an instance of it), be
raised when the expression is built (not at compute), and its message must name the
operation, the argument and the value; where the reference accepts the call, tessera must
accept it with the same dtype and values.

Outcomes: ok; wrong (another dtype or other values); accepted (the reference raises,
tessera gives a result); compute-time (raised only at compute); refused (the reference
accepts, tessera raises); class (another exception class); message (the op, argument or
value missing from the message; the value check is strict and flags arrays and tuples
shown another way); unsupported (documented: float16, complex, object, string and
datetime dtypes, masked arrays, fancy indexing, out=/where=/initial=, more than 32 axes);
ulp (floats within 1e-6 of NumPy's: transcendental functions); byteorder (a native dtype
where NumPy keeps the byte order).

Run from a scratch directory (visualize writes files):
    python tests/audit/api_audit.py [-v] [--json out.json] [category-prefix...]
Not a test: its findings are fixed in python/tessera and pinned by tests/python.
"""
from __future__ import annotations

import collections
import math
import sys
import warnings

import dask.array as dd
import numpy as np

import tessera as da

warnings.simplefilter("ignore")
np.seterr(all="ignore")

try:
    from numpy.exceptions import AxisError
except ImportError:
    from numpy import AxisError

CASES = []
SMALL = 10**6
NOREF = object()


class Case:
    def __init__(self, cat, label, t, ref, *, op, arg=None, val=NOREF, ref_kind="numpy", expect=None, words=(),
                 same_values=True):
        self.cat, self.label, self.t, self.ref = cat, label, t, ref
        self.op, self.arg, self.val, self.ref_kind = op, arg, val, ref_kind
        self.expect, self.words, self.same_values = expect, words, same_values


def C(*a, **k):
    CASES.append(Case(*a, **k))


def run_ref(c):
    if c.ref is None:
        return "none", None
    try:
        r = c.ref()
        if hasattr(r, "compute") and hasattr(r, "dask"):
            r = r.compute()
        return "ok", r
    except Exception as e:  # noqa: BLE001
        return "err", e


def run_t(c):
    try:
        x = c.t()
    except Exception as e:  # noqa: BLE001
        return "build_err", e
    if isinstance(x, tuple):
        x = x[0]
    if isinstance(x, da.Array):
        if x.size > SMALL:
            return "lazy", x
        try:
            return "ok", x.compute()
        except Exception as e:  # noqa: BLE001
            return "compute_err", e
    return "ok", x


def value_strs(v):
    out = {repr(v), str(v)}
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e16:
        out.add(str(int(v)))
    if isinstance(v, (np.generic,)):
        out.add(str(v.item()))
        out.add(repr(v.item()))
    if isinstance(v, type):
        out.add(v.__name__)
    if isinstance(v, np.dtype):
        out.add(v.name)
    return out


def public_class(e):
    """The class a user would catch: NumPy's internal TypeError subclasses (UFuncTypeError,
    DTypePromotionError) count as TypeError; AxisError stays."""
    t = type(e)
    if t.__module__.startswith("numpy") and t is not AxisError:
        for base in (TypeError, ValueError, IndexError, OverflowError):
            if issubclass(t, base):
                return base
    return t


def message_problems(c, e):
    msg = str(e)
    probs = []
    if c.op not in msg:
        probs.append(f"op '{c.op}' missing")
    if c.arg is not None and not any(a in msg for a in (c.arg if isinstance(c.arg, tuple) else (c.arg,))):
        probs.append(f"argument '{c.arg}' missing")
    if c.val is not NOREF and not any(s in msg for s in value_strs(c.val)):
        probs.append(f"value {c.val!r} missing")
    for w in c.words:
        if w not in msg:
            probs.append(f"'{w}' missing")
    return probs


DOCUMENTED = ("float16", "complex", "object", "NotImplemented", "masked arrays", "does not support dtype", "at most 32 dimensions",
              "not supported")


def classify(c):
    rk, rv = run_ref(c)
    tk, tv = run_t(c)
    if rk == "none":
        expect = c.expect
        if tk == "build_err":
            if expect is not None and not isinstance(tv, expect):
                return "class", f"{type(tv).__name__} (expected {expect.__name__}): {tv}"
            p = message_problems(c, tv)
            return ("message", f"{'; '.join(p)}: {type(tv).__name__}: {tv}") if p else ("ok", "")
        if tk == "compute_err":
            return "compute-time", f"{type(tv).__name__}: {tv}"
        if expect is None:
            return "ok", ""
        return "accepted", f"expected {expect.__name__}, got {str(tv)[:80]}"
    if rk == "err":
        if tk == "build_err":
            if isinstance(tv, NotImplementedError):
                return "unsupported", f"{type(tv).__name__}: {tv} (ref {type(rv).__name__}: {rv})"
            if not isinstance(tv, public_class(rv)):
                return "class", f"{type(tv).__name__} vs ref {type(rv).__name__}: {tv} || ref: {rv}"
            p = message_problems(c, tv)
            return ("message", f"{'; '.join(p)}: {type(tv).__name__}: {tv}") if p else ("ok", "")
        if tk == "compute_err":
            return "compute-time", f"{type(tv).__name__}: {tv} || ref {type(rv).__name__}: {rv}"
        return "accepted", f"ref {type(rv).__name__}: {rv}; tessera gave {str(tv)[:100]!r}"
    # reference accepted
    if tk in ("build_err", "compute_err"):
        kind = "refused" if tk == "build_err" else "compute-time"
        if isinstance(tv, NotImplementedError) or any(w in str(tv) for w in DOCUMENTED):
            kind = "unsupported"
        return kind, f"{type(tv).__name__}: {tv}"
    if tk == "lazy" or not c.same_values:
        return "ok", ""
    got, exp = np.asarray(tv), np.asarray(rv)
    if got.dtype != exp.dtype and got.dtype == exp.dtype.newbyteorder("="):
        return "byteorder", f"dtype {got.dtype} vs ref {exp.dtype}"
    if got.dtype != exp.dtype and not (exp.dtype == np.float16 and got.dtype == np.float32):
        return "wrong", f"dtype {got.dtype} vs ref {exp.dtype}"
    if got.shape != exp.shape:
        return "wrong", f"shape {got.shape} vs ref {exp.shape}"
    if exp.dtype.kind in "biuf" and got.dtype.kind in "biuf":
        ok = np.array_equal(got, exp, equal_nan=exp.dtype.kind == "f")
        if not ok and exp.dtype.kind == "f" and np.allclose(got, exp, rtol=1e-6, atol=0, equal_nan=True):
            return "ulp", f"values {got.ravel()[:6].tolist()} vs ref {exp.ravel()[:6].tolist()}"
    else:
        ok = got.tolist() == exp.tolist()
    if not ok:
        return "wrong", f"values {got.ravel()[:6].tolist()} vs ref {exp.ravel()[:6].tolist()}"
    return "ok", ""


# ---------------------------------------------------------------------------------------
# Values

A2 = np.arange(6.0).reshape(2, 3)
I2 = np.arange(6).reshape(2, 3)


def X2():
    return da.from_array(A2, chunks=2)


def D2():
    return dd.from_array(A2, chunks=2)


BAD_INTS = [2.5, 2.0, "3", None, True, False, np.float64(2.0), np.bool_(True), 2**70, -2**70, 2**64, 2**63,
            float("nan"), float("inf"), [2], 1 + 0j, object(), -1, np.int64(-1), np.uint64(2**64 - 1)]
BAD_SHAPES = BAD_INTS + [(2, 2.0), ("3",), (True, 2), (2, -1), (2**70,), (2**64,), (2**63,), (2**63 - 1,), (2**32, 2**32),
                         (2**32, 2**32, 0), (None,), {2: 3}, np.array([2, 3]), [2, 3], (np.int8(2), np.uint64(3)), (),
                         (1,) * 33, (0,) * 40]
BAD_DTYPES = ["foo", "float16", "complex64", complex, object, "S3", "U3", "M8[s]", "m8", 3, 3.5, [("a", "i4")],
              "i4,i4", np.dtype(">f8"), ">i2", "<f4", "b", "?", "int", "float", "long", "l", "q", "Q", "e", "g",
              "intp", "uintp", np.intc, np.longlong, np.ulonglong, np.single, np.double, np.half, bool, int, float,
              "", "float64 ", "V8", True, np.float64(1), "Float64"]
BAD_CHUNKS = [0, -2, 2.5, 2.0, "foo", "-5MiB", "0 B", "5 parsecs", True, (2,), ((2, 2),), ((3, 3), (2, 1)),
              {5: 2}, {0: 0}, {0: -2}, {"a": 2}, ((0, 2), (3,)), float("nan"), [None, None], object(), 2**70, -2**70,
              ((1.5, 0.5), (3,)), ("auto", "auto", "auto"), (None, "x"), (2, None), ((2,), (3,)), {1: 2.5},
              ((2,), 3.0), (np.int64(1), np.int8(2)), "1e3", "10 KiB", -1, None, "auto", ((-1, 3), (3,)), ({},),
              b"64MiB", 1e300, ((2,), (2**70,))]
BAD_AXES = [2, -3, 2**64, 2**63, -2**63 - 1, 1.0, "0", True, np.bool_(True), (0, 0), (0, -2), [0, 1], (0, 1.0),
            np.int64(1), (), (0, 2), None, np.array(1), np.array([0, 1]), {0}, 1 + 0j, np.uint64(1)]
BAD_INDEX = [2, -3, 2**64, 2**63, -2**63 - 1, 1.0, "0", True, np.bool_(False), (0, 0, 0), slice(0, 1.5),
             slice("a", None), slice(None, None, 0), slice(None, None, 2**64), slice(2**70, None), slice(None, -2**70),
             (Ellipsis, Ellipsis), np.int64(1), np.uint64(1), np.array(1), np.array(1.0), np.array([0, 1]), [0, 1],
             np.float64(0), None, (None,) * 33, object(), 1 + 0j, {0: 1}, (slice(None), "x"), np.array(True),
             (0, slice(None, None, -2**63)), (1, 2**63 - 1)]
BAD_FLOATS = ["1", None, [1.0], 1 + 2j, object(), float("nan"), float("inf"), -float("inf"), 2**70, 10**400, True, np.float32(1.5)]
BAD_SCALAR_OPERANDS = ["a", None, object(), [1, "a"], {1: 2}, 1 + 2j, np.array(["a"]), np.datetime64("2020-01-01"),
                       np.array([1, 2], dtype=object), b"x", np.complex64(1), np.float16(1), np.array([1.0, 2.0, 3.0]),
                       np.array([[1], [2], [3]]), np.ma.masked_array([1, 2, 3], mask=[0, 1, 0]), (1, 2, 3), [[1, 2]]]


def describe(v):
    r = repr(v)
    return r if len(r) < 40 else r[:37] + "..."


# ---------------------------------------------------------------------------------------
# Cases: creation


def creation_cases():
    for f in ("zeros", "ones", "empty"):
        for s in BAD_SHAPES:
            C("creation/shape", f"{f}({describe(s)})", lambda f=f, s=s: getattr(da, f)(s),
              lambda f=f, s=s: getattr(np, f)(s), op=f, arg="shape", val=s, same_values=f != "empty")
    for s in BAD_SHAPES:
        C("creation/shape", f"full({describe(s)}, 1)", lambda s=s: da.full(s, 1), lambda s=s: np.full(s, 1),
          op="full", arg="shape", val=s)
        C("creation/shape", f"broadcast_to(x, {describe(s)})", lambda s=s: da.broadcast_to(da.ones(1, chunks=1), s),
          lambda s=s: np.broadcast_to(np.ones(1), s), op="broadcast_to", arg="shape", val=s)
        C("creation/shape", f"zeros_like(x, shape={describe(s)})", lambda s=s: da.zeros_like(X2(), shape=s),
          lambda s=s: np.zeros_like(A2, shape=s), op="zeros_like", arg="shape", val=s)
    for d in BAD_DTYPES:
        C("creation/dtype", f"zeros(3, dtype={describe(d)})", lambda d=d: da.zeros(3, dtype=d),
          lambda d=d: np.zeros(3, dtype=d), op="zeros", arg="dtype", val=d)
        C("creation/dtype", f"full(3, 1, dtype={describe(d)})", lambda d=d: da.full(3, 1, dtype=d),
          lambda d=d: np.full(3, 1, dtype=d), op="full", arg="dtype", val=d)
        C("creation/dtype", f"ones_like(x, dtype={describe(d)})", lambda d=d: da.ones_like(X2(), dtype=d),
          lambda d=d: np.ones_like(A2, dtype=d), op="ones_like", arg="dtype", val=d)
        C("creation/dtype", f"arange(3, dtype={describe(d)})", lambda d=d: da.arange(3, dtype=d),
          lambda d=d: np.arange(3, dtype=d), op="arange", arg="dtype", val=d)
        C("creation/dtype", f"linspace(0, 1, 3, dtype={describe(d)})", lambda d=d: da.linspace(0, 1, 3, dtype=d),
          lambda d=d: np.linspace(0, 1, 3, dtype=d), op="linspace", arg="dtype", val=d)
        C("creation/dtype", f"asarray(a, dtype={describe(d)})", lambda d=d: da.asarray(A2, dtype=d),
          lambda d=d: np.asarray(A2, dtype=d), op="asarray", arg="dtype", val=d)
        C("creation/dtype", f"array(a, dtype={describe(d)})", lambda d=d: da.array(A2, dtype=d),
          lambda d=d: np.array(A2, dtype=d), op="array", arg="dtype", val=d)
    for ch in BAD_CHUNKS:
        C("creation/chunks", f"zeros((4, 6), chunks={describe(ch)})", lambda ch=ch: da.zeros((4, 6), chunks=ch),
          lambda ch=ch: dd.zeros((4, 6), chunks=ch), op="zeros", arg="chunks", ref_kind="dask")
        C("creation/chunks", f"from_array(a, chunks={describe(ch)})", lambda ch=ch: da.from_array(I2, chunks=ch),
          lambda ch=ch: dd.from_array(I2, chunks=ch), op="from_array", arg="chunks", ref_kind="dask")
        C("creation/chunks", f"random.random((4, 6), chunks={describe(ch)})",
          lambda ch=ch: da.random.random((4, 6), chunks=ch), lambda ch=ch: dd.random.random((4, 6), chunks=ch),
          op="random", arg="chunks", ref_kind="dask", same_values=False)
        C("creation/chunks", f"arange(10, chunks={describe(ch)})", lambda ch=ch: da.arange(10, chunks=ch),
          lambda ch=ch: dd.arange(10, chunks=ch), op="arange", arg="chunks", ref_kind="dask")
    # fill values
    for dt in ("int8", "uint8", "int64", "uint64", "float32", "float64", "bool"):
        for v in ["a", None, [1, 2], (1,), float("nan"), float("inf"), -float("inf"), 2**70, -1, 300, 1e300, 2.7,
                  -2.7, 1 + 0j, np.float64(300.5), np.int64(-1), np.uint64(2**64 - 1), np.array(5), np.array([1, 2]),
                  object(), b"1", "1", True]:
            C("creation/fill", f"full(3, {describe(v)}, dtype={dt})", lambda v=v, dt=dt: da.full(3, v, dtype=dt),
              lambda v=v, dt=dt: np.full(3, v, dtype=dt), op="full", arg="fill", val=v)
    for v in ["a", None, [1, 2], object(), 1 + 0j, 2**70, b"1"]:
        C("creation/fill", f"full(3, {describe(v)})", lambda v=v: da.full(3, v), lambda v=v: np.full(3, v),
          op="full", arg="fill", val=v)
        C("creation/fill", f"full_like(x, {describe(v)})", lambda v=v: da.full_like(X2(), v),
          lambda v=v: np.full_like(A2, v), op="full_like", arg="fill", val=v)
    # arange / linspace arguments
    arange_args = [("a",), (None,), (1, "5"), (0, 5, None), (float("nan"),), (0, float("inf")), (0, 5, float("nan")),
                   (0, 5, 0), (0, 5, 0.0), (0, 5, -1), (2**70,), (0, 2**70, 2**69), (1 + 0j,), ([3],), (np.array([3]),),
                   (0, 1, 1e-300), (0, 10, 1e-17), (True,), (np.float32(0.5), 3), (5, 0), (-2**63, 2**63 - 1),
                   (0, 2**64 - 1, 2**63), (10**400,), (float("-inf"), 0), (np.datetime64("2020"),), (0, 3, 1, "x"),
                   (np.uint64(5),), (np.int8(-3), np.uint8(4))]
    for args in arange_args:
        C("creation/arange", f"arange{describe(args)}", lambda args=args: da.arange(*args),
          lambda args=args: np.arange(*args), op="arange")
    for num in [2.5, 2.0, "3", None, True, -1, 2**70, float("nan"), np.int64(4), np.float64(4), 0, 1]:
        C("creation/linspace", f"linspace(0, 1, num={describe(num)})", lambda num=num: da.linspace(0, 1, num),
          lambda num=num: np.linspace(0, 1, num), op="linspace", arg="num", val=num)
    for a, b in [("a", 1), (None, 1), (0, [1]), (float("nan"), 1), (0, float("inf")), (1 + 0j, 2), (2**70, 2**71),
                 (10**400, 1), (np.array([0, 1]), 2), (True, False)]:
        C("creation/linspace", f"linspace({describe(a)}, {describe(b)})", lambda a=a, b=b: da.linspace(a, b, 5),
          lambda a=a, b=b: np.linspace(a, b, 5), op="linspace")
    for ep in ["x", None, 2, 1.5]:
        C("creation/linspace", f"linspace(0, 1, 5, endpoint={describe(ep)})",
          lambda ep=ep: da.linspace(0, 1, 5, endpoint=ep), lambda ep=ep: np.linspace(0, 1, 5, endpoint=ep),
          op="linspace", arg="endpoint")
    # from_array / asarray / array inputs
    inputs = ["abc", None, [1, "a"], np.array([1, None], dtype=object), [[1, 2], [3]], np.array(["a", "b"]),
              np.array(["2020-01-01"], dtype="M8[D]"), {1: 2}, object(), 5, 5.5, True, [], [[]], 2**70, [2**70],
              np.float16([1, 2]), np.array([1 + 2j]), np.arange(6, dtype=">i4"), np.arange(6)[::2], np.arange(12).reshape(3, 4).T,
              np.zeros((2, 0)), np.void(b"abcd"), range(5), (1, 2.5), [True, 2], np.array(3), b"xyz"]
    for v in inputs:
        C("creation/input", f"from_array({describe(v)})", lambda v=v: da.from_array(v),
          lambda v=v: dd.from_array(v) if isinstance(v, np.ndarray) else np.asarray(v), op="from_array", val=v)
        C("creation/input", f"asarray({describe(v)})", lambda v=v: da.asarray(v), lambda v=v: np.asarray(v),
          op="asarray", val=v)
        C("creation/input", f"array({describe(v)})", lambda v=v: da.array(v), lambda v=v: np.array(v),
          op="array", val=v)
    for nd in [2.5, "2", -1, 40, 2**70, True, None, 33]:
        C("creation/input", f"array(a, ndmin={describe(nd)})", lambda nd=nd: da.array(I2, ndmin=nd),
          lambda nd=nd: np.array(I2, ndmin=nd), op="array", arg="ndmin", val=nd)
    for cp in ["x", 2, 1.5, np._CopyMode.ALWAYS if hasattr(np, "_CopyMode") else True]:
        C("creation/input", f"asarray(a, copy={describe(cp)})", lambda cp=cp: da.asarray(I2, copy=cp),
          lambda cp=cp: np.asarray(I2, copy=cp), op="asarray", arg="copy", val=cp)


# ---------------------------------------------------------------------------------------
# Elementwise


def elementwise_cases():
    for name in list(da._UNARY) + ["positive"]:
        f = getattr(da, name)
        npf = getattr(np, name)
        for v in BAD_SCALAR_OPERANDS:
            C("elementwise/operand", f"{name}({describe(v)})", lambda f=f, v=v: f(v), lambda npf=npf, v=v: npf(v),
              op=name, val=v)
        for kw in [{"dtype": "foo"}, {"dtype": "complex64"}, {"dtype": "int8"}, {"dtype": "float32"}, {"out": np.empty(6)},
                   {"casting": "bogus"}, {"order": "Q"}, {"where": False}, {"bogus": 1}, {"subok": False},
                   {"signature": "d->d"}, {"dtype": "bool"}]:
            C("elementwise/kwargs", f"{name}(x, **{kw})", lambda f=f, kw=kw: f(X2(), **kw),
              lambda npf=npf, kw=kw: npf(A2, **({**kw, "out": np.empty((2, 3))} if "out" in kw else kw)), op=name,
              arg=tuple(kw))
    for name in da._BINARY:
        f = getattr(da, name)
        npf = getattr(np, name)
        for v in BAD_SCALAR_OPERANDS:
            C("elementwise/operand", f"{name}(x, {describe(v)})", lambda f=f, v=v: f(X2(), v),
              lambda npf=npf, v=v: npf(A2, v), op=name, val=v)
            C("elementwise/operand", f"{name}({describe(v)}, x)", lambda f=f, v=v: f(v, X2()),
              lambda npf=npf, v=v: npf(v, A2), op=name, val=v)
        for kw in [{"dtype": "foo"}, {"dtype": "int8"}, {"dtype": "float32"}, {"casting": "bogus"}, {"bogus": 1},
                   {"where": False}, {"dtype": "bool"}]:
            C("elementwise/kwargs", f"{name}(x, y, **{kw})", lambda f=f, kw=kw: f(X2(), X2(), **kw),
              lambda npf=npf, kw=kw: npf(A2, A2, **kw), op=name, arg=tuple(kw))
    ops = {"+": "add", "-": "subtract", "*": "multiply", "/": "true_divide", "//": "floor_divide", "%": "remainder",
           "**": "power", "&": "bitwise_and", "|": "bitwise_or", "^": "bitwise_xor", "<": "less", "==": "equal",
           "<<": "left_shift", ">>": "right_shift", "@": "matmul"}
    for sym, name in ops.items():
        for v in ["a", None, object(), 1 + 2j, [1, 2], b"x", np.array(["a"])]:
            code = f"x {sym} v"
            C("elementwise/operator", f"x {sym} {describe(v)}", lambda code=code, v=v: eval(code, {"x": X2(), "v": v}),
              lambda code=code, v=v: eval(code, {"x": A2, "v": v}), op=name, val=v)
    # where / clip / round
    for c_, x_, y_ in [("a", 1, 2), (None, 1, 2), (np.ones(3, bool), "a", 1), (np.ones(3, bool), 1, None),
                       (np.ones(3, bool), np.ones(2), 1), (np.ones(3, bool), 1 + 0j, 1), (np.ones(3, bool), 2**70, 1.5),
                       (np.ones(3, bool), 2**70, np.int8(1)), (np.ones(3), 1, 2), (np.array([1, 0, 2]), 1, 2)]:
        C("elementwise/where", f"where({describe(c_)}, {describe(x_)}, {describe(y_)})",
          lambda c_=c_, x_=x_, y_=y_: da.where(c_, x_, y_), lambda c_=c_, x_=x_, y_=y_: np.where(c_, x_, y_), op="where")
    for lo, hi in [("a", 1), (None, None), (1, "b"), ([1, 2], 3), (2**70, None), (1 + 0j, 2), (float("nan"), 1),
                   (np.ones(4), None)]:
        C("elementwise/clip", f"clip(x, {describe(lo)}, {describe(hi)})", lambda lo=lo, hi=hi: da.clip(X2(), lo, hi),
          lambda lo=lo, hi=hi: np.clip(A2, lo, hi), op="clip")
        C("elementwise/clip", f"clip(int8, {describe(lo)}, {describe(hi)})",
          lambda lo=lo, hi=hi: da.clip(da.from_array(I2.astype("int8")), lo, hi),
          lambda lo=lo, hi=hi: np.clip(I2.astype("int8"), lo, hi), op="clip")
    for dec in [1.5, "1", None, 2**70, -2**70, True, np.int64(2), 400, -400, float("nan")]:
        C("elementwise/round", f"round(x, {describe(dec)})", lambda dec=dec: da.round(X2(), dec),
          lambda dec=dec: np.round(A2, dec), op="round", arg="decimals", val=dec)
        C("elementwise/round", f"round(int, {describe(dec)})", lambda dec=dec: da.round(da.from_array(I2), dec),
          lambda dec=dec: np.round(I2, dec), op="round", arg="decimals", val=dec)
    for d in BAD_DTYPES:
        C("astype", f"astype({describe(d)})", lambda d=d: X2().astype(d), lambda d=d: A2.astype(d), op="astype",
          arg="dtype", val=d)
    for cs in ["bogus", None, 1, "safe", "same_kind", "equiv", "no"]:
        C("astype", f"astype(int, casting={describe(cs)})", lambda cs=cs: X2().astype(int, casting=cs),
          lambda cs=cs: A2.astype(int, casting=cs), op="astype", arg="casting", val=cs)
    for d in [None]:
        C("astype", "astype(None)", lambda: da.from_array(I2).astype(None), lambda: I2.astype(None), op="astype")


# ---------------------------------------------------------------------------------------
# Reductions

REDUCTIONS = ["sum", "prod", "mean", "var", "std", "min", "max", "any", "all", "argmin", "argmax"]


def reduction_cases():
    for r in REDUCTIONS:
        for ax in BAD_AXES:
            C("reduction/axis", f"{r}(axis={describe(ax)})", lambda r=r, ax=ax: getattr(da, r)(X2(), axis=ax),
              lambda r=r, ax=ax: getattr(np, r)(A2, axis=ax), op=r, arg="axis", val=ax)
            C("reduction/axis", f"x.{r}(axis={describe(ax)})", lambda r=r, ax=ax: getattr(X2(), r)(axis=ax),
              lambda r=r, ax=ax: getattr(A2, r)(axis=ax), op=r, arg="axis", val=ax)
        for kd in ["x", None, 2, 1.5, [1], np.bool_(True), 0]:
            C("reduction/keepdims", f"{r}(keepdims={describe(kd)})", lambda r=r, kd=kd: getattr(da, r)(X2(), axis=0, keepdims=kd),
              lambda r=r, kd=kd: getattr(np, r)(A2, axis=0, keepdims=kd), op=r, arg="keepdims", val=kd)
        for se in [0, 1, -1, 2.5, "4", True, {0: 0}, {0: 2.5}, {5: 2}, {"a": 2}, 2**70, {0: 2**70}, [2], None, 2,
                   np.int64(4), {0: None}, {-1: 3}]:
            C("reduction/split_every", f"{r}(axis=0, split_every={describe(se)})",
              lambda r=r, se=se: getattr(da, r)(X2(), axis=0, split_every=se),
              lambda r=r, se=se: getattr(dd, r)(D2(), axis=0, split_every=se), op=r, arg="split_every", val=se,
              ref_kind="dask")
        if r in ("argmin", "argmax", "min", "max", "any", "all"):
            C("reduction/dtype", f"{r}(dtype=float)", lambda r=r: getattr(da, r)(X2(), dtype=float),
              lambda r=r: getattr(np, r)(A2, dtype=float), op=r)
            continue
        for d in BAD_DTYPES:
            C("reduction/dtype", f"{r}(dtype={describe(d)})", lambda r=r, d=d: getattr(da, r)(X2(), dtype=d),
              lambda r=r, d=d: getattr(np, r)(A2, dtype=d), op=r, arg="dtype", val=d)
    for r in ("var", "std"):
        for dd_ in [-1, 1.5, "1", None, True, 2**70, np.int64(1), 1.0, float("nan"), float("inf"), -0.5, 7]:
            C("reduction/ddof", f"{r}(ddof={describe(dd_)})", lambda r=r, dd_=dd_: getattr(da, r)(X2(), ddof=dd_),
              lambda r=r, dd_=dd_: getattr(np, r)(A2, ddof=dd_), op=r, arg="ddof", val=dd_)
    for r in ("sum", "prod", "min", "max"):
        for init in [0, 1.5, "a"]:
            C("reduction/initial", f"{r}(initial={describe(init)})", lambda r=r, init=init: getattr(da, r)(X2(), initial=init),
              lambda r=r, init=init: getattr(np, r)(A2, initial=init), op=r)
    for r in REDUCTIONS:
        C("reduction/empty", f"{r} of empty", lambda r=r: getattr(da, r)(da.zeros((0, 3))),
          lambda r=r: getattr(np, r)(np.zeros((0, 3))), op=r)
        C("reduction/empty", f"{r}(axis=1) of (0,3)", lambda r=r: getattr(da, r)(da.zeros((0, 3)), axis=1),
          lambda r=r: getattr(np, r)(np.zeros((0, 3)), axis=1), op=r)
        C("reduction/empty", f"{r}(axis=0) of (0,3)", lambda r=r: getattr(da, r)(da.zeros((0, 3)), axis=0),
          lambda r=r: getattr(np, r)(np.zeros((0, 3)), axis=0), op=r)
        C("reduction/empty", f"{r} of 0-d", lambda r=r: getattr(da, r)(da.ones(()), axis=0),
          lambda r=r: getattr(np, r)(np.ones(()), axis=0), op=r)
        C("reduction/empty", f"{r} of 0-d axis=()", lambda r=r: getattr(da, r)(da.ones(()), axis=()),
          lambda r=r: getattr(np, r)(np.ones(()), axis=()), op=r)
        C("reduction/empty", f"{r} of 0-d axis=-1", lambda r=r: getattr(da, r)(da.ones(()), axis=-1),
          lambda r=r: getattr(np, r)(np.ones(()), axis=-1), op=r)
        C("reduction/input", f"{r}('abc')", lambda r=r: getattr(da, r)("abc"), lambda r=r: getattr(np, r)("abc"), op=r)
        C("reduction/input", f"{r}(None)", lambda r=r: getattr(da, r)(None), lambda r=r: getattr(np, r)(None), op=r)


# ---------------------------------------------------------------------------------------
# Indexing and shapes


def shape_cases():
    for k in BAD_INDEX:
        C("indexing", f"x[{describe(k)}]", lambda k=k: X2()[k], lambda k=k: A2[k], op="getitem", val=k)
    for k in [5, -6, slice(None, None, 0), 1.0, "a", None, Ellipsis, np.int64(2), 2**64]:
        C("indexing", f"1d[{describe(k)}]", lambda k=k: da.arange(5, chunks=2)[k], lambda k=k: np.arange(5)[k],
          op="getitem", val=k)
    C("indexing", "0d[0]", lambda: da.ones(())[0], lambda: np.ones(())[0], op="getitem")
    C("indexing", "0d[...]", lambda: da.ones(())[...], lambda: np.ones(())[...], op="getitem")
    C("indexing", "setitem", lambda: X2().__setitem__(0, 1), lambda: A2.copy().__setitem__(0, 1), op="setitem")
    reshape_args = [(3, 3), (-1, -1), (-2, 3), (2.0, 3), ("6",), (None,), (2**70,), (2**64, 0), (6, 2**63),
                    ((2, 3),), ([6],), (np.int64(6),), (True, 6), (-1,), (0, -1), ((2**32, 2**32, 0),), ((-1, 0),),
                    (6, 1, 1, 1), (np.array([3, 2]),), (3.5, 2), ((), ), (1 + 0j,)]
    for args in reshape_args:
        C("shape/reshape", f"reshape{describe(args)}", lambda args=args: X2().reshape(*args),
          lambda args=args: A2.reshape(*args), op="reshape")
    for args in [((2**32, 2**32, 0),), ((0, 2**63),), ((2**64, 0),), ((-1, 2**63 - 1, 0),), ((0, -1),), ((-1, 0),),
                 ((0, 0, -1),)]:
        C("shape/reshape", f"empty.reshape{describe(args)}", lambda args=args: da.zeros((0, 3)).reshape(*args),
          lambda args=args: np.zeros((0, 3)).reshape(*args), op="reshape")
    for ch in BAD_CHUNKS:
        C("shape/rechunk", f"rechunk({describe(ch)})", lambda ch=ch: X2().rechunk(ch), lambda ch=ch: D2().rechunk(ch),
          op="rechunk", arg="chunks", ref_kind="dask")
    for ax in [(0, 0), (0, 2), (1,), (0, 1, 2), (0.0, 1), ("0", 1), (True, 0), (2**64, 0), (-3, 0), [1, 0], (np.int64(1), 0),
               None, ((1, 0),), (1, None)]:
        C("shape/transpose", f"transpose{describe(ax)}", lambda ax=ax: X2().transpose(*ax) if isinstance(ax, tuple) else X2().transpose(ax),
          lambda ax=ax: A2.transpose(*ax) if isinstance(ax, tuple) else A2.transpose(ax), op="transpose")
        C("shape/transpose", f"da.transpose(x, {describe(ax)})", lambda ax=ax: da.transpose(X2(), ax),
          lambda ax=ax: np.transpose(A2, ax), op="transpose")
    for a1, a2 in [(0, 2), (-3, 0), (0.0, 1), ("0", 1), (True, 0), (2**64, 0), (None, 0), ((0,), 1)]:
        C("shape/swapaxes", f"swapaxes({describe(a1)}, {describe(a2)})", lambda a1=a1, a2=a2: da.swapaxes(X2(), a1, a2),
          lambda a1=a1, a2=a2: np.swapaxes(A2, a1, a2), op="swapaxes")
    for s, d in [(0, 2), (-3, 0), (0.0, 1), ("0", 1), (True, 0), (2**64, 0), ((0, 1), 0), ((0, 0), (0, 1)), (None, 0),
                 (0, (0, 1))]:
        C("shape/moveaxis", f"moveaxis({describe(s)}, {describe(d)})", lambda s=s, d=d: da.moveaxis(X2(), s, d),
          lambda s=s, d=d: np.moveaxis(A2, s, d), op="moveaxis")
    for ax in [0, 1, 2, -3, 0.0, "0", True, (0, 0), 2**64, (0, 1)]:
        C("shape/squeeze", f"squeeze(axis={describe(ax)})", lambda ax=ax: da.squeeze(X2()[:1], axis=ax),
          lambda ax=ax: np.squeeze(A2[:1], axis=ax), op="squeeze")
    for ax in [3, -4, 0.0, "0", True, (0, 0), 2**64, (0, 4), None, (0, 1, 2)]:
        C("shape/expand_dims", f"expand_dims({describe(ax)})", lambda ax=ax: da.expand_dims(X2(), ax),
          lambda ax=ax: np.expand_dims(A2, ax), op="expand_dims")


# ---------------------------------------------------------------------------------------
# Random


def random_cases():
    R = da.random
    for seed in [-1, 2.5, "a", 2**70, [1, -2], [1.5], None, np.int64(-1), True, object(), (1, 2), np.array([1, 2]),
                 np.float64(3)]:
        C("random/seed", f"default_rng({describe(seed)})", lambda seed=seed: R.default_rng(seed),
          lambda seed=seed: np.random.default_rng(seed), op="default_rng", arg="seed", val=seed, same_values=False)
        C("random/seed", f"RandomState({describe(seed)})", lambda seed=seed: R.RandomState(seed),
          lambda seed=seed: np.random.RandomState(seed), op="RandomState", arg="seed", val=seed, same_values=False)
        C("random/seed", f"random.seed({describe(seed)})", lambda seed=seed: R.seed(seed),
          lambda seed=seed: np.random.seed(seed), op="seed", arg="seed", val=seed, same_values=False)
    g = R.default_rng(0)
    ng = np.random.default_rng(0)
    rs, nrs = R.RandomState(0), np.random.RandomState(0)
    for s in BAD_SHAPES:
        for meth in ("random", "standard_normal"):
            C("random/size", f"Generator.{meth}(size={describe(s)})", lambda meth=meth, s=s: getattr(g, meth)(size=s),
              lambda meth=meth, s=s: getattr(ng, meth)(size=s) if (np.prod(np.shape(s) and 1) or 1) else None,
              op=meth, arg="size", val=s, same_values=False)
        for meth in ("random_sample", "standard_normal"):
            C("random/size", f"RandomState.{meth}(size={describe(s)})", lambda meth=meth, s=s: getattr(rs, meth)(size=s),
              lambda meth=meth, s=s: getattr(nrs, meth)(size=s), op=meth, arg="size", val=s, same_values=False)
        C("random/size", f"random.normal(size={describe(s)})", lambda s=s: R.normal(size=s),
          lambda s=s: np.random.normal(size=s), op="normal", arg="size", val=s, same_values=False)
    for loc, scale in [("a", 1), (0, "b"), (float("nan"), 1), (0, float("nan")), (0, -1), (0, float("inf")),
                       (float("inf"), 1), (None, 1), (0, None), ([0, 1], 1), (1 + 0j, 1), (2**70, 1), (10**400, 1), (0, 0)]:
        C("random/params", f"normal({describe(loc)}, {describe(scale)})", lambda loc=loc, scale=scale: g.normal(loc, scale, size=3),
          lambda loc=loc, scale=scale: ng.normal(loc, scale, size=3), op="normal", same_values=False)
        C("random/params", f"random.normal({describe(loc)}, {describe(scale)})",
          lambda loc=loc, scale=scale: R.normal(loc, scale, size=3),
          lambda loc=loc, scale=scale: np.random.normal(loc, scale, size=3), op="normal", same_values=False)
    for lo, hi in [("a", 1), (0, "b"), (float("nan"), 1), (0, float("nan")), (1, 0), (0, float("inf")),
                   (float("-inf"), float("inf")), (None, 1), (0, None), ([0, 1], 1), (1 + 0j, 2), (1, 1), (-1e308, 1e308)]:
        C("random/params", f"uniform({describe(lo)}, {describe(hi)})", lambda lo=lo, hi=hi: g.uniform(lo, hi, size=3),
          lambda lo=lo, hi=hi: ng.uniform(lo, hi, size=3), op="uniform", same_values=False)
    for args in [(0,), (5, 5), (5, 3), (2.5, 10), ("a", 5), (0, "b"), (None, 5), (0, None), (-1, 5), (0, 2**64),
                 (0, 2**70), (-2**63 - 1, 0), (0, 256), (float("nan"), 5), (0, float("inf")), (True, 5), (0, [5]),
                 (np.uint64(2**64 - 1),), (0, 10**400)]:
        for dt in (np.int64, np.uint8, np.int8, bool, np.uint64):
            C("random/integers", f"integers{describe(args)}, dtype={np.dtype(dt).name}",
              lambda args=args, dt=dt: g.integers(*args, size=3, dtype=dt),
              lambda args=args, dt=dt: ng.integers(*args, size=3, dtype=dt), op="integers", same_values=False)
        C("random/integers", f"randint{describe(args)}", lambda args=args: R.randint(*args, size=3),
          lambda args=args: np.random.randint(*args, size=3), op="randint", same_values=False)
    for ep in ["x", None, 2, 1.5]:
        C("random/integers", f"integers(0, 5, endpoint={describe(ep)})", lambda ep=ep: g.integers(0, 5, 3, endpoint=ep),
          lambda ep=ep: ng.integers(0, 5, 3, endpoint=ep), op="integers", same_values=False)
    for d in BAD_DTYPES:
        C("random/dtype", f"Generator.random(dtype={describe(d)})", lambda d=d: g.random(3, dtype=d),
          lambda d=d: ng.random(3, dtype=d), op="random", arg="dtype", val=d, same_values=False)
        C("random/dtype", f"Generator.standard_normal(dtype={describe(d)})", lambda d=d: g.standard_normal(3, dtype=d),
          lambda d=d: ng.standard_normal(3, dtype=d), op="standard_normal", arg="dtype", val=d, same_values=False)
        C("random/dtype", f"Generator.integers(dtype={describe(d)})", lambda d=d: g.integers(0, 2, 3, dtype=d),
          lambda d=d: ng.integers(0, 2, 3, dtype=d), op="integers", arg="dtype", val=d, same_values=False)
    for kw in ({"dtype": "float32"}, {"dtype": "float64"}, {"bogus": 1}):
        C("random/kwargs", f"RandomState.random_sample(**{kw})", lambda kw=kw: rs.random_sample(3, **kw),
          lambda kw=kw: nrs.random_sample(3, **kw), op="random_sample", same_values=False)
        C("random/kwargs", f"RandomState.standard_normal(**{kw})", lambda kw=kw: rs.standard_normal(3, **kw),
          lambda kw=kw: nrs.standard_normal(3, **kw), op="standard_normal", same_values=False)
        C("random/kwargs", f"random.random_sample(**{kw})", lambda kw=kw: R.random_sample(3, **kw),
          lambda kw=kw: np.random.random_sample(3, **kw), op="random_sample", same_values=False)
        C("random/kwargs", f"random.standard_normal(**{kw})", lambda kw=kw: R.standard_normal(3, **kw),
          lambda kw=kw: np.random.standard_normal(3, **kw), op="standard_normal", same_values=False)
        C("random/kwargs", f"RandomState.rand(3, **{kw})", lambda kw=kw: rs.rand(3, **kw),
          lambda kw=kw: nrs.rand(3, **kw), op="rand", same_values=False)
    for args in [(2.5,), ("3",), (-1,), (2**70,), (None,), ((2, 3),)]:
        C("random/size", f"rand{describe(args)}", lambda args=args: R.rand(*args), lambda args=args: np.random.rand(*args),
          op="rand", same_values=False)
        C("random/size", f"randn{describe(args)}", lambda args=args: R.randn(*args), lambda args=args: np.random.randn(*args),
          op="randn", same_values=False)


# ---------------------------------------------------------------------------------------
# Config, compute, diagnostics


def config_cases():
    cfg = da.config
    for nw in [0, -1, 2.5, "4", "x", True, 2**70, float("nan"), np.int64(2), [2], 1.0]:
        C("config", f"config.set(num_workers={describe(nw)})", lambda nw=nw: cfg.set(num_workers=nw).__exit__(), None,
          op="num_workers", val=nw, expect=None if isinstance(nw, (int, np.integer)) and not isinstance(nw, bool) and nw > 0 else ValueError)
        C("compute", f"compute(num_workers={describe(nw)})", lambda nw=nw: X2().compute(num_workers=nw), None,
          op="num_workers", val=nw, expect=None if isinstance(nw, (int, np.integer)) and not isinstance(nw, bool) and nw > 0 else ValueError)
    for sc in ["bogus", 1, None, "", "SYNC", "processes", "distributed", object()]:
        ok = sc is None or (isinstance(sc, str) and sc.lower() in ("sync", "processes"))
        C("config", f"config.set(scheduler={describe(sc)})", lambda sc=sc: cfg.set(scheduler=sc).__exit__(), None,
          op="scheduler", val=sc, expect=None if ok else ValueError)
        C("compute", f"compute(scheduler={describe(sc)})", lambda sc=sc: X2().compute(scheduler=sc), None,
          op="scheduler", val=sc, expect=None if ok else ValueError)
    for ml in [-1, "x", "-5MiB", True, float("nan"), float("inf"), [1], "1e9", 1e9, "0", "none", "5 parsecs", 2**70, -2.5]:
        good = ml in ("1e9", 1e9, "0", "none", 2**70)
        C("config", f"config.set(memory_limit={describe(ml)})", lambda ml=ml: cfg.set(memory_limit=ml).__exit__(), None,
          op="memory_limit", val=ml, expect=None if good else ValueError)
        C("compute", f"compute(memory_limit={describe(ml)})", lambda ml=ml: X2().compute(memory_limit=ml), None,
          op="memory_limit", val=ml, expect=None if good else ValueError)
    for cs in ["-5MiB", "0 B", "x", True, -1, 0, float("nan"), [1], "1 KiB", 2**70]:
        good = cs in ("1 KiB", 2**70)

        def f(cs=cs):
            with cfg.set({"array.chunk_size": cs}):
                return da.ones((40, 40))

        C("config", f"config.set(array.chunk_size={describe(cs)}); ones", f, None, op="chunk_size", val=cs,
          expect=None if good else (TypeError if isinstance(cs, (bool, list)) else ValueError))
    C("config", "config.get('nope')", lambda: cfg.get("nope"), None, op="nope", expect=KeyError)
    C("config", "config.set(1)", lambda: cfg.set(1), None, op="set", expect=TypeError)
    for kw in [{"optimize_graph": "x"}, {"bogus": 1}, {"traverse": "x"}]:
        C("compute", f"compute(**{kw})", lambda kw=kw: da.compute(X2(), **kw), lambda kw=kw: dd.compute(D2(), **kw),
          op="compute", ref_kind="dask", same_values=False)
    D = da.diagnostics
    for kw in [{"minimum": "x"}, {"minimum": -1}, {"width": -5}, {"width": "x"}, {"width": 2.5}, {"dt": 0}, {"dt": -1},
               {"dt": "x"}, {"dt": float("nan")}, {"out": "file.txt"}, {"out": 5}, {"width": 2**70}]:
        def f(kw=kw):
            with D.ProgressBar(**kw):
                return X2().sum().compute()

        C("diagnostics", f"ProgressBar(**{kw})", f, None, op="ProgressBar", arg=tuple(kw), val=list(kw.values())[0],
          expect=TypeError if isinstance(list(kw.values())[0], str) and kw != {"out": "file.txt"} else ValueError)
    for dt in [0, -1, "x", None, float("nan"), float("inf"), 1e-9, 2**70, [1], True]:
        good = dt in (1e-9,)
        C("diagnostics", f"ResourceProfiler(dt={describe(dt)})", lambda dt=dt: D.ResourceProfiler(dt=dt), None,
          op="ResourceProfiler", arg="dt", val=dt,
          expect=None if good else (ValueError if isinstance(dt, (int, float)) and not isinstance(dt, bool) else TypeError))
    for kw in [{"format": "xyz"}, {"color": "bogus"}, {"rankdir": "XX"}, {"filename": 5}, {"filename": ""},
               {"filename": "/nonexistent-dir/x"}, {"optimize_graph": "x"}, {"format": 5}]:
        C("diagnostics", f"visualize(**{kw})", lambda kw=kw: X2().visualize(**kw), None, op="visualize",
          arg=tuple(kw), val=list(kw.values())[0], expect=(ValueError, TypeError, OSError) and Exception)
    for p in [5, "x", None]:
        C("diagnostics", f"diagnostics.visualize({describe(p)})", lambda p=p: D.visualize(p), None, op="visualize",
          val=p, expect=TypeError)
    for b in ["x", -1, "1 parsec", None, [1], float("nan"), "1e3", "5 MiB", 1.5]:
        C("config", f"parse_bytes({describe(b)})", lambda b=b: da.parse_bytes(b), None, op="parse_bytes", val=b,
          expect=None if b in ("1e3", "5 MiB", 1.5) else (TypeError if b is None or isinstance(b, list) else ValueError))


# ---------------------------------------------------------------------------------------
# NEP 50: every binary ufunc, every dtype, Python scalars on either side; dtype pairs


NEP50_INTS = [0, 1, -1, 2, -2, 3, 7, 63, 64, 127, 128, -128, -129, 255, 256, 32767, 32768, -32769, 65535, 65536,
              2**31 - 1, 2**31, -2**31 - 1, 2**32 - 1, 2**32, 2**53, 2**53 + 1, 2**63 - 1, 2**63, -2**63, -2**63 - 1,
              2**64 - 1, 2**64, 2**65, -2**64, 10**20, 10**308, 10**309, -10**309]
NEP50_FLOATS = [0.0, -0.0, 0.5, -2.5, 1.0, 3.0, 1e10, 1e39, -1e39, 1e300, 1e-320, 5e-324, float("inf"), float("-inf"),
                float("nan"), 2.0**63, 2.0**64]
DTYPES = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float32", "float64"]


def _nep50_values(dt):
    if dt == "bool":
        return np.array([True, False, True, False])
    if dt.startswith("float"):
        return np.array([0.5, -1.0, 3.0, 0.0, np.inf, np.nan, -7.25, 1e30], dtype=dt)
    info = np.iinfo(dt)
    v = [0, 1, 3, 2, int(info.max), int(info.min), 5, 100 if info.max >= 100 else 7]
    if dt.startswith("int"):
        v[1] = -1
    return np.array(v, dtype=dt)


def _float16_as_float32(npf, args):
    """NumPy's result where it computes in float16, recomputed in float32 (tessera's)."""
    def f():
        r = npf(*args)
        if np.asarray(r).dtype == np.float16:
            r = npf(*(a.astype(np.float32) if isinstance(a, np.ndarray) else a for a in args))
        return r
    return f


def nep50_cases():
    ops = list(da._core.BINARY_OPS) + ["divide", "mod"]
    for op in ops:
        npf, daf = getattr(np, op), getattr(da, op)
        for dt in DTYPES:
            a = _nep50_values(dt)
            for s in NEP50_INTS + NEP50_FLOATS + [True, False]:
                for refl in (False, True):
                    args = (s, a) if refl else (a, s)
                    C("nep50", f"{op}({'s, ' if refl else ''}{dt}{'' if refl else ', s'}) s={describe(s)}",
                      lambda daf=daf, a=a, s=s, refl=refl: daf(*((s, da.from_array(a, chunks=3)) if refl
                                                             else (da.from_array(a, chunks=3), s))),
                      _float16_as_float32(npf, args), op=op)
    for op in da._core.BINARY_OPS:
        npf, daf = getattr(np, op), getattr(da, op)
        for d1 in DTYPES:
            for d2 in DTYPES:
                a, b = _nep50_values(d1), _nep50_values(d2)[::-1].copy()
                C("elementwise/dtype-pairs", f"{op}({d1}, {d2})",
                  lambda daf=daf, a=a, b=b: daf(da.from_array(a, chunks=3), da.from_array(b, chunks=5)),
                  _float16_as_float32(npf, (a, b)), op=op)
    for op in list(da._UNARY) + ["positive"]:
        npf, daf = getattr(np, op), getattr(da, op)
        for d in DTYPES:
            a = _nep50_values(d)
            C("elementwise/unary-dtypes", f"{op}({d})", lambda daf=daf, a=a: daf(da.from_array(a, chunks=3)),
              _float16_as_float32(npf, (a,)), op=op)


def array_method_cases():
    for name, f, g in [
        ("len(0-d)", lambda: len(da.ones(())), lambda: len(np.ones(()))),
        ("iter(0-d)", lambda: list(iter(da.ones(()))), lambda: list(iter(np.ones(())))),
        ("bool(2 elements)", lambda: bool(da.ones(2)), lambda: bool(np.ones(2))),
        ("bool(empty)", lambda: bool(da.ones(0)), lambda: bool(np.ones(0))),
        ("float(2 elements)", lambda: float(da.ones(2)), lambda: float(np.ones(2))),
        ("int(2 elements)", lambda: int(da.ones(2)), lambda: int(np.ones(2))),
        ("index(float)", lambda: [0, 1][da.ones((), dtype=float)], lambda: [0, 1][np.ones((), dtype=float)]),
        ("index(bool)", lambda: [0, 1][da.ones((), dtype=bool)], lambda: [0, 1][np.ones((), dtype=bool)]),
        ("index(int)", lambda: [0, 1][da.ones((), dtype=int)], lambda: [0, 1][np.ones((), dtype=int)]),
        ("pow(x, 2, 3)", lambda: pow(da.ones(3, dtype=int), 2, 3), lambda: pow(np.ones(3, dtype=int), 2, 3)),
        ("x @ x", lambda: da.ones(3) @ da.ones(3), lambda: np.ones(3) @ np.ones(3)),
        ("x << 1", lambda: da.ones(3, dtype=int) << 1, lambda: np.ones(3, dtype=int) << 1),
        ("divmod(x, 0)", lambda: divmod(da.arange(3), 0)[0], lambda: divmod(np.arange(3), 0)[0]),
        ("hash(x)", lambda: hash(da.ones(3)), lambda: hash(np.ones(3))),
        ("x[...] = 1", lambda: da.ones(3).__setitem__(Ellipsis, 1), lambda: np.ones(3).__setitem__(Ellipsis, 1)),
        ("pickle", lambda: __import__("pickle").dumps(da.ones(3)), None),
        ("x.T of 0-d", lambda: da.ones(()).T, lambda: np.ones(()).T),
        ("-bool", lambda: -da.ones(3, dtype=bool), lambda: -np.ones(3, dtype=bool)),
        ("+bool", lambda: +da.ones(3, dtype=bool), lambda: +np.ones(3, dtype=bool)),
        ("~float", lambda: ~da.ones(3), lambda: ~np.ones(3)),
        ("abs(uint8)", lambda: abs(da.ones(3, dtype="uint8")), lambda: abs(np.ones(3, dtype="uint8"))),
        ("x.ravel()", lambda: da.ones((2, 3)).ravel(), lambda: np.ones((2, 3)).ravel()),
        ("x.copy()", lambda: da.ones((2, 3)).copy(), lambda: np.ones((2, 3)).copy()),
        ("x.round(1.5)", lambda: da.ones(3).round(1.5), lambda: np.ones(3).round(1.5)),
        ("x.clip('a')", lambda: da.ones(3).clip("a"), lambda: np.ones(3).clip("a")),
        ("x.swapaxes(0, 5)", lambda: da.ones((2, 3)).swapaxes(0, 5), lambda: np.ones((2, 3)).swapaxes(0, 5)),
        ("x.squeeze(5)", lambda: da.ones((2, 3)).squeeze(5), lambda: np.ones((2, 3)).squeeze(5)),
    ]:
        C("array-methods", name, f, g, op=name.split("(")[0].split(" ")[0] if g is not None else "pickle",
          expect=TypeError if g is None else None)


def main():
    import json

    verbose = "-v" in sys.argv
    json_out = sys.argv[sys.argv.index("--json") + 1] if "--json" in sys.argv else None
    cats = [a for a in sys.argv[1:] if not a.startswith("-") and a != json_out]
    creation_cases()
    elementwise_cases()
    reduction_cases()
    shape_cases()
    random_cases()
    config_cases()
    array_method_cases()
    nep50_cases()
    per_case = {}
    results = collections.defaultdict(collections.Counter)
    rows = collections.defaultdict(list)
    for c in CASES:
        if cats and not any(c.cat.startswith(x) for x in cats):
            continue
        kind, detail = classify(c)
        per_case[f"[{c.cat}] {c.label}"] = kind
        results[c.cat][kind] += 1
        if kind != "ok":
            rows[kind].append((c.cat, c.label, detail))
    total = collections.Counter()
    for cat in sorted(results):
        total.update(results[cat])
        print(f"{cat:28s} {dict(results[cat])}")
    print("TOTAL", sum(total.values()), dict(total))
    if json_out:
        with open(json_out, "w") as f:
            json.dump(per_case, f)
    for kind in ("wrong", "accepted", "compute-time", "refused", "class", "message", "unsupported", "ulp", "byteorder"):
        if kind not in rows:
            continue
        print(f"\n=== {kind}: {len(rows[kind])}")
        for cat, label, detail in rows[kind][: None if verbose else 60]:
            print(f"  [{cat}] {label}: {detail[:300]}")


if __name__ == "__main__":
    main()
