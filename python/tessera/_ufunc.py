"""``frompyfunc``: a Python function of scalars as an elementwise function of chunked
arrays, as ``dask.array.frompyfunc``.

NumPy's ``frompyfunc`` makes object arrays; tessera has no object dtype, so the result
takes the dtype of the function's value on one element of each argument (a Python float
gives float64, an int int64, a bool bool), or the ``dtype=`` given in the call.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._array import Array, dtype_name, to_array
from ._blockwise import _build, elemwise, funcname

__all__ = ["frompyfunc"]


class da_frompyfunc:
    """NumPy's ``frompyfunc(func, nin, nout)`` with the name and picklable form Dask gives it."""

    def __init__(self, func, nin, nout):
        self._ufunc = np.frompyfunc(func, nin, nout)
        self._func = func
        self.nin = nin
        self.nout = nout
        self._name = funcname(func)
        self.__name__ = f"frompyfunc-{self._name}"

    def __repr__(self):
        return f"tessera.frompyfunc<{self._name}, {self.nin}, {self.nout}>"

    def __reduce__(self):
        return (da_frompyfunc, (self._func, self.nin, self.nout))

    def __call__(self, *args, **kwargs):
        return self._ufunc(*args, **kwargs)

    def __getattr__(self, a):
        if not a.startswith("_"):
            return getattr(self._ufunc, a)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {a!r}")


def _element_dtype(f, args, op):
    """The dtype of `f`'s value on one element of each argument."""
    probe = [np.ones((1,) * a.ndim, dtype=a.dtype) if isinstance(a, (Array, np.ndarray)) else a for a in args]
    try:
        v = f(*probe)
    except Exception as e:
        raise ValueError(
            f"`dtype` inference failed in `{op}`.\n\nPlease specify the dtype explicitly using the `dtype` kwarg.\n\n"
            f"Original error is below:\n------------------------\n{e!r}"
        ) from e
    v = np.asarray(v)
    if v.dtype == object:
        v = np.asarray(v.ravel()[0] if v.size else 0.0)
    return np.dtype(dtype_name(v.dtype, op))


class ufunc:
    """An elementwise function of tessera arrays made by ``frompyfunc`` (``dask.array.ufunc``)."""

    _forward_attrs = {"nin", "nargs", "nout", "ntypes", "identity", "signature", "types"}

    def __init__(self, ufunc):
        if not isinstance(ufunc, (np.ufunc, da_frompyfunc)):
            raise TypeError(f"must be an instance of `ufunc` or `da_frompyfunc`, got `{type(ufunc).__name__}`")
        self._ufunc = ufunc
        self.__name__ = ufunc.__name__

    def __getattr__(self, key):
        if key in self._forward_attrs:
            return getattr(self._ufunc, key)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {key!r}")

    def __repr__(self):
        return repr(self._ufunc)

    def __call__(self, *args, dtype=None, **kwargs):
        if not any(isinstance(a, Array) for a in args):
            if dtype is not None:
                kwargs["dtype"] = dtype
            return self._ufunc(*args, **kwargs)
        if kwargs:
            raise TypeError(f"{self.__name__} does not take the following keyword arguments {sorted(kwargs)}")
        if dtype is None:
            dtype = _element_dtype(self._ufunc, args, self.__name__)
        return elemwise(self._ufunc, *args, dtype=dtype, name=self.__name__)

    def outer(self, A, B, dtype=None, **kwargs):
        """The function of every pair of elements of `A` and `B` (``numpy.ufunc.outer``)."""
        if self.nin != 2:
            raise ValueError("outer product only supported for binary functions")
        if "out" in kwargs:
            raise ValueError("`out` kwarg not supported")
        if not isinstance(A, Array) and not isinstance(B, Array):
            return self._ufunc.outer(A, B, **kwargs)
        A, B = to_array(A), to_array(B)
        f = self._ufunc.outer
        if dtype is None:
            dtype = _element_dtype(lambda a, b: f(a, b, **kwargs), [A, B], self.__name__ + ".outer")
        inds = tuple(range(A.ndim + B.ndim))
        return _build(f, inds, [(A, inds[:A.ndim]), (B, inds[A.ndim:])], name=self.__name__ + ".outer", dtype=dtype,
                      new_axes=None, adjust_chunks=None, concatenate=True, align=False, op="outer", kwargs=kwargs)


def frompyfunc(func, nin, nout):
    """An elementwise function of tessera arrays from a Python function of `nin` scalars
    (``numpy.frompyfunc`` / ``dask.array.frompyfunc``); one output only. Results take the
    dtype of `func`'s value on one element, or ``dtype=`` given in the call."""
    if not callable(func):
        raise TypeError(f"frompyfunc: `func` must be callable, not {type(func).__name__}")
    for what, v in (("nin", nin), ("nout", nout)):
        if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < (0 if what == "nin" else 1):
            raise ValueError(f"frompyfunc: `{what}` must be a {'non-negative' if what == 'nin' else 'positive'} "
                             f"integer, got {v!r}")
    if nout > 1:
        raise NotImplementedError("frompyfunc with more than one output")
    return ufunc(da_frompyfunc(func, nin, nout))
