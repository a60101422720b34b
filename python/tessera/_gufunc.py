"""Generalized ufuncs on chunked arrays: ``apply_gufunc``, ``gufunc`` and ``as_gufunc``, as
in ``dask.array``, built on ``blockwise``.

A signature such as ``"(i),(i)->()"`` names the *core* dimensions each argument's function
call consumes and produces; the other (*loop*) dimensions broadcast as in NumPy and are
split into blocks. Core dimensions must be one chunk (``allow_rechunk=True`` rechunks them,
as Dask does). One task per block of the loop dimensions calls the function.

Several outputs (``"(i)->(),()"``): one task per block calls the function and makes a block
of every output (a core block kernel with several outputs); each output's blocks are held
and freed on their own. Computed together (``tessera.compute(mean, std)``) the function
runs once per block; computed one at a time, once per block for each compute.
"""

from __future__ import annotations

import math
import numbers
import re

import numpy as np

from . import config
from ._array import Array, dtype_name, to_array
from ._blockwise import _build, funcname

__all__ = ["apply_gufunc", "gufunc", "as_gufunc"]

# NumPy's gufunc signature grammar (as Dask's, which allows functions of no arguments).
_DIMENSION_NAME = r"\w+"
_CORE_DIMENSION_LIST = f"(?:{_DIMENSION_NAME}(?:,{_DIMENSION_NAME})*,?)?"
_ARGUMENT = rf"\({_CORE_DIMENSION_LIST}\)"
_INPUT_ARGUMENTS = f"(?:{_ARGUMENT}(?:,{_ARGUMENT})*,?)?"
_OUTPUT_ARGUMENTS = f"{_ARGUMENT}(?:,{_ARGUMENT})*"
_SIGNATURE = f"^{_INPUT_ARGUMENTS}->{_OUTPUT_ARGUMENTS}$"

_OP = "apply_gufunc"


def _parse_gufunc_signature(signature):
    """Core dimensions of the inputs (a list of tuples) and of the outputs: a tuple for a
    function of one output, a list of tuples for several (a trailing comma, ``"->(),"``,
    also makes a list)."""
    signature = re.sub(r"\s+", "", signature)
    if not re.match(_SIGNATURE, signature):
        raise ValueError(f"{_OP}: Not a valid gufunc signature (`signature`): {signature!r}")
    in_txt, out_txt = signature.split("->")
    ins = [tuple(re.findall(_DIMENSION_NAME, arg)) for arg in re.findall(_ARGUMENT, in_txt)]
    outs = [tuple(re.findall(_DIMENSION_NAME, arg)) for arg in re.findall(_ARGUMENT, out_txt)]
    return ins, (outs[0] if len(outs) == 1 and out_txt[-1] != "," else outs)


def _validate_normalize_axes(axes, axis, keepdims, input_coredimss, output_coredimss):
    """``axes``/``axis``/``keepdims`` as the axes of each input and each output (NumPy's
    rules for generalized ufuncs, with Dask's messages)."""
    nin = len(input_coredimss)
    nout = 1 if not isinstance(output_coredimss, list) else len(output_coredimss)
    if axes is not None and axis is not None:
        raise ValueError(f"{_OP}: Only one of `axis` or `axes` keyword arguments should be given")
    if axes and not isinstance(axes, list):
        raise ValueError(f"{_OP}: `axes` has to be of type list")
    output_coredimss = output_coredimss if nout > 1 or isinstance(output_coredimss, list) else [output_coredimss]
    filtered_core_dims = [cd for cd in input_coredimss if len(cd)]
    nr_outputs_with_coredims = sum(1 for x in output_coredimss if len(x) > 0)
    if keepdims:
        if nr_outputs_with_coredims > 0:
            raise ValueError(f"{_OP}: `keepdims` can only be used for scalar outputs")
        if not filtered_core_dims:
            raise ValueError(f"{_OP}: `keepdims` needs an input with core dimensions")
        output_coredimss = len(output_coredimss) * [filtered_core_dims[0]]
    core_dims = input_coredimss + output_coredimss
    if axis is not None:
        if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
            raise ValueError(f"{_OP}: `axis` argument has to be an integer value")
        axis = int(axis)
        if filtered_core_dims:
            cd0 = filtered_core_dims[0]
            if len(cd0) != 1:
                raise ValueError(f"{_OP}: `axis` can be used only, if one core dimension is present")
            for cd in filtered_core_dims:
                if cd0 != cd:
                    raise ValueError(f"{_OP}: To use `axis`, all core dimensions have to be equal")
    if axes is None:
        if axis is not None:
            axes = [(axis,) if cd else () for cd in core_dims]
        else:
            axes = [tuple(range(-len(icd), 0)) for icd in core_dims]
    elif not isinstance(axes, list):
        raise ValueError(f"{_OP}: `axes` argument has to be a list")
    norm = []
    for a in axes:
        if isinstance(a, numbers.Integral) and not isinstance(a, bool):
            norm.append((int(a),))
        else:
            try:
                t = tuple(a)
            except TypeError:
                raise ValueError(f"{_OP}: an entry of `axes` must be an integer or a tuple of integers, got {a!r}") from None
            if any(isinstance(v, bool) or not isinstance(v, numbers.Integral) for v in t):
                raise ValueError(f"{_OP}: an entry of `axes` must be an integer or a tuple of integers, got {a!r}")
            norm.append(tuple(int(v) for v in t))
    axes = norm
    if (nr_outputs_with_coredims == 0 and nin != len(axes) and nin + nout != len(axes)) or (
        nr_outputs_with_coredims > 0 and nin + nout != len(axes)
    ):
        raise ValueError(f"{_OP}: The number of `axes` entries is not equal the number of input and output arguments")
    output_axes = axes[nin:] or [tuple(range(-len(ocd), 0)) for ocd in output_coredimss]
    input_axes = axes[:nin]
    for idx, (iax, icd) in enumerate(zip(input_axes, input_coredimss)):
        if len(iax) != len(icd):
            raise ValueError(
                f"{_OP}: The number of `axes` entries for argument #{idx} is not equal the number of respective "
                "input core dimensions in signature"
            )
    if not keepdims:
        for idx, (oax, ocd) in enumerate(zip(output_axes, output_coredimss)):
            if len(oax) != len(ocd):
                raise ValueError(
                    f"{_OP}: The number of `axes` entries for argument #{idx} is not equal the number of respective "
                    "output core dimensions in signature"
                )
    elif input_coredimss:
        icd0 = input_coredimss[0]
        for icd in input_coredimss:
            if icd0 != icd:
                raise ValueError(f"{_OP}: To use `keepdims`, all core dimensions have to be equal")
        output_axes = [input_axes[0] for _ in output_coredimss]
    return input_axes, output_axes


def _infer_output_dtypes(func, args, kwargs, nout):
    """What `func` returns on zero-filled one-element arrays of the arguments' dtypes
    (Dask's ``apply_infer_dtype``): a dtype, or a tuple of `nout` dtypes."""
    probe = [
        np.zeros((1,) * a.ndim, dtype=a.dtype) if isinstance(a, (Array, np.ndarray)) else a for a in args
    ]
    try:
        with np.errstate(all="ignore"):
            o = func(*probe, **kwargs)
    except OverflowError:
        raise
    except Exception as e:
        raise ValueError(
            f"`dtype` inference failed in `{_OP}`.\n\nPlease specify the dtype explicitly using the "
            f"`output_dtypes` kwarg.\n\nOriginal error is below:\n------------------------\n{e!r}"
        ) from e
    if nout is None:
        return _dtype_of(o)
    if not isinstance(o, (tuple, list)) or len(o) != nout:
        raise ValueError(
            f"{_OP}: the signature has {nout} outputs but `func` returned {type(o).__name__} when called to infer "
            "the output dtypes; return a tuple of the outputs, or give `output_dtypes`"
        )
    return tuple(_dtype_of(e) for e in o)


def _dtype_of(v):
    dt = getattr(v, "dtype", None)
    return np.asarray(v).dtype if dt is None else dt


def _output_dtypes(func, signature, args, kwargs, nout, output_dtypes, meta, vectorize):
    """The dtype of each output (a list of one entry for a function of one output)."""
    if meta is not None and output_dtypes is not None:
        raise ValueError(f"{_OP}: Only one of `meta` and `output_dtypes` should be given (`meta` is preferred).")
    if meta is not None:
        if isinstance(meta, (tuple, list)):
            dts = tuple(_dtype_of(m) for m in meta)
        else:
            dts = _dtype_of(meta)
        what = "`meta`"
    else:
        if output_dtypes is None:
            f = np.vectorize(func, signature=signature) if vectorize else func
            output_dtypes = _infer_output_dtypes(f, args, kwargs, nout)
        dts = output_dtypes
        what = "`output_dtypes`"
        if nout is None and isinstance(dts, (tuple, list)) and len(dts) == 1:
            dts = dts[0]
    if nout is None:
        if isinstance(dts, (tuple, list)):
            if len(dts) != 1:
                raise ValueError(
                    f"{_OP}: For a function with one output, must give a single item for `output_dtypes`/`meta`, "
                    f"not a tuple or list (got {what} = {dts!r})."
                )
            dts = dts[0]
        return [np.dtype(dtype_name(dts, _OP))]
    if not isinstance(dts, (tuple, list)):
        raise ValueError(
            f"{_OP}: For a function with {nout} outputs, must give a tuple or list for `output_dtypes`/`meta`, "
            "not a single item."
        )
    if len(dts) != nout:
        raise ValueError(
            f"{_OP}: For a function with {nout} outputs, must give a tuple or list of {nout} items for "
            f"`output_dtypes`/`meta`, not {len(dts)}."
        )
    return [np.dtype(dtype_name(d, _OP)) for d in dts]


def _calculate_new_chunksizes(input_chunks, new_chunks, changeable, maximum_chunk):
    """Dask's split of the loop dimensions' chunks that keeps blocks near their size when
    core dimensions are rechunked into one chunk (``allow_rechunk=True``)."""
    tolerance = float(config.get("array.chunk_size_tolerance", 1.25))
    maximum_chunk = max(maximum_chunk, 1)
    while changeable:
        n = len(changeable)
        factor = math.prod(max(c) if c else 0 for c in new_chunks) / maximum_chunk
        if factor <= 1:
            break
        for i in sorted(changeable):
            sizes = []
            limit = max(new_chunks[i]) / (factor ** (1 / n))
            for c in input_chunks[i]:
                if c > tolerance * limit:
                    parts = min(math.ceil(c / limit), c)
                    size, rem = divmod(c, parts)
                    sizes.extend(size + (1 if k < rem else 0) for k in range(parts))
                else:
                    sizes.append(c)
            if tuple(sizes) == tuple(new_chunks[i]) or max(sizes) == 1:
                changeable.discard(i)
            new_chunks[i] = tuple(sizes)
    return new_chunks


def _dedupe(dims, tag):
    """A dimension repeated in one argument (``(m,m)``) gets a fresh label for its repeats."""
    seen = set()
    out = []
    for j, d in enumerate(dims):
        out.append(d if d not in seen else f"{d}__{tag}_{j}__")
        seen.add(d)
    return tuple(out)


def apply_gufunc(func, signature, *args, axes=None, axis=None, keepdims=False, output_dtypes=None, output_sizes=None,
                 vectorize=None, allow_rechunk=False, meta=None, **kwargs):
    """Applies a generalized ufunc (or a function that behaves like one) to chunked arrays,
    as ``dask.array.apply_gufunc``.

    `signature` (``"(i),(i)->()"``, ``"(m,n),(n,p)->(m,p)"``, ``"(i)->(),()"``) names the core
    dimensions: by default the last axes of each argument (``axes=``/``axis=`` choose
    others). The remaining loop dimensions broadcast against each other and keep their
    chunks; core dimensions must be one chunk unless ``allow_rechunk=True``. ``vectorize=True``
    wraps `func` in ``numpy.vectorize``. Output dtypes are inferred by calling `func` on
    one-element arrays unless ``output_dtypes``/``meta`` give them; output core dimensions
    absent from the inputs need ``output_sizes``. Returns an array, or a tuple of arrays for
    several outputs.
    """
    if not callable(func):
        raise TypeError(f"{_OP}: `func` must be callable, not {type(func).__name__}")
    if not isinstance(signature, str):
        raise TypeError(f"{_OP}: `signature` has to be of type string, not {type(signature).__name__}")
    signature = re.sub(r"\s+", "", signature)
    input_coredimss, output_coredimss = _parse_gufunc_signature(signature)
    nout = None if not isinstance(output_coredimss, list) else len(output_coredimss)
    if output_sizes is None:
        output_sizes = {}
    elif not isinstance(output_sizes, dict):
        raise TypeError(f"{_OP}: `output_sizes` must be a dict of dimension names to sizes, got {output_sizes!r}")
    if len(input_coredimss) != len(args):
        raise ValueError(
            f"{_OP}: According to `signature`, `func` requires {len(input_coredimss)} arguments, but {len(args)} given"
        )
    input_axes, output_axes = _validate_normalize_axes(axes, axis, keepdims, input_coredimss, output_coredimss)
    name = funcname(func)
    dtypes = _output_dtypes(func, signature, args, kwargs, nout, output_dtypes, meta, vectorize)
    if vectorize:
        func = np.vectorize(func, signature=signature, otypes=dtypes)
    args = [to_array(a) for a in args]

    # Core dimensions to the end of each argument.
    moved = []
    for k, (a, iax) in enumerate(zip(args, input_axes)):
        nd = a.ndim
        if nd < len(iax):
            raise ValueError(
                f"{_OP}: argument #{k} has {nd} dimensions, fewer than its {len(iax)} core dimensions "
                f"{input_coredimss[k]} in signature {signature!r}"
            )
        for ax in iax:
            if not -nd <= ax < nd:
                from numpy.exceptions import AxisError

                raise AxisError(f"{_OP}: axis {ax} of argument #{k} is out of bounds for an array of dimension {nd}")
        core = [ax % nd for ax in iax]
        if len(set(core)) != len(core):
            raise ValueError(f"{_OP}: `axes` repeats an axis for argument #{k}: {iax}")
        perm = [i for i in range(nd) if i not in core] + core
        moved.append(a.transpose(perm) if perm != list(range(nd)) else a)
    args = moved

    # Loop dimensions, aligned from the right as NumPy broadcasts.
    num_loopdims = [a.ndim - len(cd) for a, cd in zip(args, input_coredimss)]
    max_loopdims = max(num_loopdims) if num_loopdims else 0
    loop_input_dimss = [tuple(f"__loopdim{d}__" for d in range(max_loopdims - n, max_loopdims)) for n in num_loopdims]
    loop_output_dims = tuple(f"__loopdim{d}__" for d in range(max_loopdims))
    input_dimss = [lp + cd for lp, cd in zip(loop_input_dimss, input_coredimss)]

    sizes, chunkss = {}, {}
    for dims, a in zip(input_dimss, args):
        for dim, size, c in zip(dims, a.shape, a.chunks):
            sizes.setdefault(dim, []).append(size)
            chunkss.setdefault(dim, []).append(c)
    core_dims = {d for cd in input_coredimss for d in cd}
    # A dimension's length: the one all arguments share, those of length 1 broadcasting.
    core_shapes = {d: max(set(sizes[d]) - {1}, default=1) for d in core_dims}
    for dim, ss in sizes.items():
        if len(set(ss) - {1}) > 1:
            raise ValueError(f"{_OP}: Dimension `'{dim}'` with different lengths in arrays: {ss}")
        if allow_rechunk:
            continue
        cs = chunkss[dim]
        if dim in core_dims:
            if any(len(c) > 1 for c in cs):
                raise ValueError(
                    f"{_OP}: Core dimension `'{dim}'` consists of multiple chunks. To fix, rechunk into a single chunk "
                    "along this dimension or set `allow_rechunk=True`, but beware that this may increase memory usage "
                    "significantly."
                )
        elif len({c for s, c in zip(ss, cs) if s > 1}) > 1:
            raise ValueError(f"{_OP}: Dimension `'{dim}'` with different chunksize present: {cs}")
    for d, s in output_sizes.items():
        if isinstance(s, bool) or not isinstance(s, numbers.Integral) or s < 0:
            raise ValueError(f"{_OP}: `output_sizes[{d!r}]` must be a non-negative integer, got {s!r}")
    core_shapes.update({d: int(s) for d, s in output_sizes.items()})

    if allow_rechunk:
        new_args = []
        for a, dims in zip(args, input_dimss):
            factor, changeable = 1.0, set()
            for i, d in enumerate(dims):
                if d not in loop_output_dims:
                    if max(a.chunks[i]) > 0:
                        factor *= a.shape[i] / max(a.chunks[i])
                elif max(a.chunks[i]) > 1:
                    changeable.add(i)
            chunks = list(a.chunks)
            if factor > 1 and changeable:
                chunks = _calculate_new_chunksizes(
                    a.chunks, list(a.chunks), changeable, math.prod(max(c) for c in a.chunks) / factor
                )
            chunks = [(a.shape[i],) if d not in loop_output_dims else tuple(c) for i, (d, c) in enumerate(zip(dims, chunks))]
            new_args.append(a.rechunk(tuple(chunks)) if tuple(chunks) != a.chunks else a)
        args = new_args

    # Repeated core dimensions within one argument (``(m,m)``) get labels of their own.
    labels = [lp + _dedupe(cd, f"in{k}") for k, (lp, cd) in enumerate(zip(loop_input_dimss, input_coredimss))]
    argpairs = list(zip(args, labels))
    known = {d for ind in labels for d in ind}
    outs = [output_coredimss] if nout is None else output_coredimss
    for ocd in outs:
        for d in ocd:
            if d not in core_shapes:
                raise ValueError(
                    f"{_OP}: output core dimension `'{d}'` is in no input; give its size in `output_sizes`"
                )

    def core_out(ocd, tag):
        """Output labels and chunks of the core dimensions `ocd` of one output."""
        ind = _dedupe(ocd, tag)
        new_axes, adjust = {}, {}
        for d, lab in zip(ocd, ind):
            if lab not in known:
                new_axes[lab] = core_shapes[d]
            elif d in output_sizes:
                adjust[lab] = core_shapes[d]
        return ind, new_axes, adjust

    if nout is None:
        ind, new_axes, adjust = core_out(output_coredimss, "out")
        leaves = [
            _build(func, loop_output_dims + ind, argpairs, name=name, dtype=dtypes[0], new_axes=new_axes,
                   adjust_chunks=adjust or None, concatenate=True, align=True, op=_OP, kwargs=kwargs)
        ]
    else:
        leaves = _several_outputs(func, name, argpairs, loop_output_dims, outs, core_shapes, dtypes, kwargs)

    results = []
    for leaf, oax in zip(leaves, output_axes):
        if keepdims:
            leaf = leaf[(Ellipsis,) + (None,) * len(oax)]
        nd = leaf.ndim
        tidcs = [None] * nd
        for ii, oa in zip(range(-len(oax), 0), oax):
            if not -nd <= oa < nd:
                from numpy.exceptions import AxisError

                raise AxisError(f"{_OP}: output axis {oa} is out of bounds for an output of dimension {nd}")
            tidcs[oa] = ii % nd
        j = 0
        for ii in range(nd):
            if tidcs[ii] is None:
                tidcs[ii] = j
                j += 1
        if sorted(tidcs) != list(range(nd)):
            raise ValueError(f"{_OP}: `axes` repeats an axis for an output: {oax}")
        if tidcs != list(range(nd)):
            leaf = leaf.transpose(tidcs)
        results.append(leaf)
    return tuple(results) if nout is not None else results[0]


def _several_outputs(func, name, argpairs, loop_dims, outs, core_shapes, dtypes, kwargs):
    """One task per block calls `func` and makes a block of every output (a core kernel with
    several outputs). Core dimensions are one chunk, so each output's get labels of their
    own, as new axes."""
    more = []
    for k, ocd in enumerate(outs):
        ind = tuple(f"__out{k}_{j}__" for j in range(len(ocd)))
        more.append((loop_dims + ind, {lab: core_shapes[d] for lab, d in zip(ind, ocd)}, dtypes[k]))
    first_ind, first_new, first_dt = more[0]
    return _build(func, first_ind, argpairs, name=name, dtype=first_dt, new_axes=first_new, adjust_chunks=None,
                  concatenate=True, align=True, op=_OP, kwargs=kwargs, more=more[1:])


class gufunc:
    """Binds `pyfunc` to ``apply_gufunc`` with a signature and options, as
    ``dask.array.gufunc``: ``gufunc(f, signature="(i)->()")(x)`` is
    ``apply_gufunc(f, "(i)->()", x)``."""

    def __init__(self, pyfunc, *, signature=None, vectorize=False, axes=None, axis=None, keepdims=False,
                 output_sizes=None, output_dtypes=None, allow_rechunk=False, meta=None):
        if not callable(pyfunc):
            raise TypeError(f"gufunc: `pyfunc` must be callable, not {type(pyfunc).__name__}")
        self.pyfunc = pyfunc
        self.signature = signature
        self.vectorize = vectorize
        self.axes = axes
        self.axis = axis
        self.keepdims = keepdims
        self.output_sizes = output_sizes
        self.output_dtypes = output_dtypes
        self.allow_rechunk = allow_rechunk
        self.meta = meta
        self.__doc__ = (
            f"Bound ``tessera.gufunc``\nfunc: ``{self.pyfunc}``\nsignature: ``'{self.signature}'``\n\n"
            "Call it with arrays (core dimensions last) and keyword arguments for ``func``; returns an array or a "
            "tuple of arrays."
        )

    def __repr__(self):
        return f"tessera.gufunc<{funcname(self.pyfunc)}, signature={self.signature!r}>"

    def __call__(self, *args, allow_rechunk=False, **kwargs):
        return apply_gufunc(
            self.pyfunc,
            self.signature,
            *args,
            vectorize=self.vectorize,
            axes=self.axes,
            axis=self.axis,
            keepdims=self.keepdims,
            output_sizes=self.output_sizes,
            output_dtypes=self.output_dtypes,
            allow_rechunk=self.allow_rechunk or allow_rechunk,
            meta=self.meta,
            **kwargs,
        )


_GUFUNC_KEYS = {"vectorize", "axes", "axis", "keepdims", "output_sizes", "output_dtypes", "allow_rechunk", "meta"}


def as_gufunc(signature=None, **kwargs):
    """Decorator making a ``gufunc`` of a function, as ``dask.array.as_gufunc``::

        @tessera.as_gufunc("(i)->(),()", output_dtypes=(float, float))
        def stats(x):
            return np.mean(x, axis=-1), np.std(x, axis=-1)
    """
    unknown = kwargs.keys() - _GUFUNC_KEYS
    if unknown:
        raise TypeError(f"as_gufunc: Unsupported keyword argument(s) provided: {sorted(unknown)}")

    def _as_gufunc(pyfunc):
        return gufunc(pyfunc, signature=signature, **kwargs)

    _as_gufunc.__doc__ = f"Decorator making a ``tessera.gufunc`` of signature ``'{signature}'``."
    return _as_gufunc
