"""Item assignment ``x[index] = value``, as Dask does it: the array object ``x`` becomes a
new lazy expression, ``where(region, value, old x)``; the data ``x`` was built from (a NumPy
array read in place, another tessera array) is never written, and arrays built from ``x``
before the assignment keep the old values.

Supported, with everything checked at the assignment (NumPy's exception classes, naming the
index and the shapes):
- basic indices (integers, slices with any step, ``...``, ``None``) with a scalar value,
  a 0-d array, or an array that broadcasts to the selected region, where the value varies
  along axes the index selects whole (``x[i] = row``, ``x[:, j] = column``), or in part
  (``x[2:5] = row``, ``x[::2, 1:] = block``: the value is gathered into ``x``'s frame);
- a boolean mask (NumPy or lazy tessera) over the leading axes, with a scalar or 0-d value.
Integer-array indices raise ``NotImplementedError``.
"""

from __future__ import annotations

import numpy as np

from ._array import Array, _python_scalar, _short, _wrap, forget_name, to_array


def _region_shape(shape, key):
    """The shape ``x[key]`` would have (NumPy's rules, on a zero-stride view: nothing is
    allocated); IndexError/TypeError as NumPy raises them, naming the index."""
    try:
        return np.broadcast_to(np.empty((), dtype=np.int8), shape)[key].shape
    except IndexError as e:
        raise IndexError(f"setitem: index {_short(key)} is invalid for an array of shape {shape}: {e}") from None


def _expand(key, ndim):
    """The index as one entry per axis of ``x`` plus the ``None``s (Ellipsis expanded)."""
    n_real = sum(1 for k in key if k is not None and k is not Ellipsis)
    out = []
    seen_ellipsis = False
    for k in key:
        if k is Ellipsis:
            if seen_ellipsis:
                raise IndexError("setitem: an index can only have a single ellipsis ('...')")
            seen_ellipsis = True
            out.extend([slice(None)] * (ndim - n_real))
        else:
            out.append(k)
    real = sum(1 for k in out if k is not None)
    out.extend([slice(None)] * (ndim - real))
    return out


def _axis_condition(x, axis, k, n):
    """A bool array over axis ``axis`` of ``x`` (size 1 elsewhere) that is True where index
    entry ``k`` (an int or a slice) selects; None when it selects the whole axis."""
    from ._creation import arange

    if isinstance(k, slice):
        r = range(*k.indices(n))
        if len(r) == n:
            return None
        if len(r) == 0:
            return False
        lo, hi, step = (r[0], r[-1], r.step) if r.step > 0 else (r[-1], r[0], -r.step)
    else:
        lo = hi = k % n if n else k
        step = 1
    i = arange(n, chunks=(x.chunks[axis],), dtype="int64")
    cond = (i >= lo) & (i <= hi)
    if step != 1:
        cond = cond & ((i - lo) % step == 0)
    return cond[tuple(slice(None) if a == axis else None for a in range(x.ndim))]


def _value_in_frame(x, entries, value, region):
    """``value`` (broadcast to ``region``) as an array that broadcasts to ``x``'s shape and
    holds value[j] at the position of x the index maps j to."""
    v = value
    if v.ndim < len(region):
        v = v[(None,) * (len(region) - v.ndim)]
    key = []  # index of v into a per-axis-of-x frame
    d = 0
    for a_entry in entries:
        if a_entry is None:  # a new axis: size 1 in region and value
            key.append(0)
            d += 1
        elif isinstance(a_entry, slice):
            key.append(slice(None))
            d += 1
        else:  # an integer: the value has no axis here
            key.append(None)
    v = v[tuple(key)]
    ax = 0
    flips, gathers = [], []
    for a_entry in entries:
        if a_entry is None:
            continue
        if isinstance(a_entry, slice) and v.shape[ax] > 1:
            n = x.shape[ax]
            r = range(*a_entry.indices(n))
            if len(r) == n and r.step == -1:
                flips.append(ax)
            elif len(r) != n or r.step != 1:
                # Frame position i of the region holds value[(i - r[0]) // step]; others
                # any in-bounds element (the region's condition leaves them out).
                i = np.arange(n, dtype=np.int64)
                j = (i - r[0]) // r.step
                inside = (j >= 0) & (j < len(r)) & ((i - r[0]) % abs(r.step) == 0)
                gathers.append((ax, np.where(inside, j, 0)))
        ax += 1
    if gathers:
        from ._fancy import take_axis

        for a, idx in gathers:
            v = take_axis(v, idx, a, "setitem", tuple(x.chunks[a]))
    if flips:
        v = v[tuple(slice(None, None, -1) if a in flips else slice(None) for a in range(v.ndim))]
    return v


def _cast_value(value, x, op="setitem"):
    """The value as a tessera array of ``x``'s dtype: Python scalars as NumPy assigns them
    (an integer the dtype cannot hold raises OverflowError), arrays cast unsafely."""
    from ._creation import _fill_value, full

    s = _python_scalar(value)
    name = x._c.dtype
    if s is not None or isinstance(value, np.generic):
        return full((), _fill_value(value, name, op), dtype=name)
    if isinstance(value, complex):
        raise TypeError(f"{op}: tessera does not support complex values, got {value!r}")
    v = to_array(value, op)
    return v if v._c.dtype == name else _wrap(v._c.astype(name))


def _is_mask(k):
    return (isinstance(k, Array) and k.dtype == np.bool_) or (isinstance(k, np.ndarray) and k.dtype == np.bool_
                                                              and k.ndim > 0)


def setitem(x, key, value):
    """``x[key] = value``: rebinds ``x`` to a new expression (module docstring)."""
    from ._creation import where

    if isinstance(key, list):
        key = np.asarray(key)
    if _is_mask(key):
        return _setitem_mask(x, key, value)
    if not isinstance(key, tuple):
        key = (key,)
    for k in key:
        if isinstance(k, (bool, np.bool_)):
            if k:
                continue
            _cast_value(value, x)  # NumPy still checks the value
            return  # x[False] selects nothing
        if _is_mask(k) or isinstance(k, (Array, np.ndarray, list)) and not (
                isinstance(k, np.ndarray) and k.ndim == 0 and k.dtype.kind in "iu"):
            raise NotImplementedError(
                f"setitem: index {_short(key)}: tessera supports integers, slices, None, ... and one boolean mask in "
                "assignments; integer-array indices and masks combined with other indices are not supported yet")
        if not (k is None or k is Ellipsis or isinstance(k, slice) or hasattr(k, "__index__")):
            raise IndexError("setitem: only integers, slices (`:`), ellipsis (`...`), None (`numpy.newaxis`) and "
                             f"boolean masks are valid indices, got {type(k).__name__} {_short(k)}")
    key = tuple(True if isinstance(k, (bool, np.bool_)) else
                (k.__index__() if hasattr(k, "__index__") and not isinstance(k, (slice, Array)) else k) for k in key)
    key = tuple(k for k in key if k is not True) if any(k is True for k in key) else key
    region = _region_shape(x.shape, key)
    v = _cast_value(value, x)
    try:
        np.broadcast_shapes(v.shape, region)
        ok = np.broadcast_shapes(v.shape, region) == region
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(f"setitem: could not broadcast the value of shape {v.shape} into the region of shape "
                         f"{region} selected by index {_short(key)} of an array of shape {x.shape}")
    if 0 in region:
        return
    entries = _expand(key, x.ndim)
    cond = None
    ax = 0
    for e in entries:
        if e is None:
            continue
        c = _axis_condition(x, ax, e, x.shape[ax])
        if c is not None:
            cond = c if cond is None else cond & c
        ax += 1
    frame = _value_in_frame(x, entries, v, region)
    # where() broadcasts the frame to x's shape; a whole-array region is `True`. x keeps its
    # chunks, as in Dask (a value chunked otherwise would have split them).
    r = where(True if cond is None else cond, frame, x)
    x._c = (r if r.chunks == x.chunks else r.rechunk(x.chunks))._c
    forget_name(x)  # a new expression: its own token


def _setitem_mask(x, mask, value):
    from ._creation import where

    m = mask if isinstance(mask, Array) else to_array(mask, "setitem")
    if m.ndim > x.ndim or m.shape != x.shape[:m.ndim]:
        raise IndexError(f"setitem: the boolean mask of shape {m.shape} does not match the array of shape {x.shape} "
                         "(a mask must have the shape of the array or of its leading axes)")
    v = _cast_value(value, x)
    if v.ndim != 0:
        raise NotImplementedError(
            f"setitem: assigning an array (shape {v.shape}) through a boolean mask is not supported (its size "
            "depends on the mask's values); assign a scalar, or use tessera.where(mask, values, x)")
    if m.ndim < x.ndim:
        m = m[(Ellipsis,) + (None,) * (x.ndim - m.ndim)]
    r = where(m, v, x)
    x._c = (r if r.chunks == x.chunks else r.rechunk(x.chunks))._c
    forget_name(x)
