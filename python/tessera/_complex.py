"""Parts of complex arrays, as NumPy's functions (not ufuncs) ``real``, ``imag`` and
``angle``: real inputs are served here (``real(x)`` is ``x``, ``imag(x)`` zeros of x's
dtype, ``angle`` of a real ``x`` is ``arctan2(0, x)``); complex ones by the core's ufunc
table (``Real``/``Imag``/``Angle`` rows)."""

from __future__ import annotations

import numpy as np

from ._array import Array, _wrap, to_array
from ._errors import named
from ._numpy_api import implements


def _complex(x) -> bool:
    return x._c.dtype.startswith("complex")


@implements("real")
def real(val):
    """The real part, lazily (``x`` itself for real ``x``)."""
    x = val if type(val) is Array else to_array(val, "real")
    return _wrap(x._c.unary("real")) if _complex(x) else x


@implements("imag")
def imag(val):
    """The imaginary part, lazily (zeros of x's dtype for real ``x``)."""
    x = val if type(val) is Array else to_array(val, "imag")
    if _complex(x):
        return _wrap(x._c.unary("imag"))
    return x * 0 if x._c.dtype != "bool" else x & False


@implements("angle")
def angle(z, deg=False):
    """The counterclockwise angle from the positive real axis, lazily (``numpy.angle``)."""
    x = z if type(z) is Array else to_array(z, "angle")
    with named("angle"):
        if _complex(x):
            a = _wrap(x._c.unary("angle"))
        else:
            from ._creation import BINARY

            a = BINARY["arctan2"](0, x)
        return a * (180 / np.pi) if deg else a


@implements("iscomplexobj")
def iscomplexobj(x) -> bool:
    """Whether ``x``'s dtype is complex (not lazy: the dtype is known)."""
    d = x.dtype if isinstance(x, Array) else np.asarray(x).dtype
    return d.kind == "c"


@implements("isrealobj")
def isrealobj(x) -> bool:
    return not iscomplexobj(x)


def _conj(self):
    """Complex conjugate, lazily."""
    from ._creation import UNARY

    return UNARY["conjugate"](self)


# The Array methods of this family live with it (as NumPy's ndarray.real/imag/conj).
Array.real = property(real, doc="The real part, lazily.")
Array.imag = property(imag, doc="The imaginary part, lazily.")
Array.conj = Array.conjugate = _conj
