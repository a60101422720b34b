"""Exception classes tessera raises besides the built-in ones, and the helpers that make
every message name the operation the user called."""

from __future__ import annotations

import contextlib


class ScalarOverflowError(OverflowError, ValueError):
    """A Python integer does not fit the array's dtype (``uint8_array + 300``).

    NumPy raises ``OverflowError`` here; tessera's errors for bad values are ``ValueError``,
    so this is both.
    """


class PerformanceWarning(Warning):
    """A computation that may run slowly or use much memory (``dask.array.PerformanceWarning``)."""


DIAGNOSTICS_ISSUE = "the diagnostics issue (graph pictures)"

# Names the core and tessera's own helpers put in front of their messages; an error with
# one of them, raised on behalf of another operation, is renamed to that operation.
_INNER = ("full", "chunks", "from_array", "astype", "normal", "uniform", "random", "integers", "arange",
          "linspace", "where", "broadcast_to", "getitem", "reshape", "transpose", "rechunk",
          # the operations behind aliases (divide, mod, abs, bitwise_not, fix)
          "true_divide", "remainder", "absolute", "invert", "trunc",
          # the operations behind the Array API's names (acos, pow, bitwise_left_shift, ...)
          "arccos", "arcsin", "arctan", "arccosh", "arcsinh", "arctanh", "arctan2", "power", "left_shift",
          "right_shift")


def renamed(e: BaseException, op: str) -> BaseException:
    """``e`` with a message that starts with ``op:`` (the same class; ``e`` itself when it
    already does, or when its class cannot be rebuilt from a message)."""
    msg = str(e)
    if msg.startswith(f"{op}:"):
        return e
    head, sep, rest = msg.partition(": ")
    if sep and head in _INNER:
        msg = f"{op}: {msg}" if head == "chunks" else f"{op}: {rest}"
    else:
        msg = f"{op}: {msg}"
    try:
        new = type(e)(msg)
    except Exception:  # noqa: BLE001 - a class that takes other arguments: keep the original
        return e
    return new


@contextlib.contextmanager
def named(op: str):
    """Errors raised inside the block name ``op`` (see ``renamed``)."""
    try:
        yield
    except (ValueError, TypeError, IndexError, OverflowError, ZeroDivisionError) as e:
        raise renamed(e, op) from None
