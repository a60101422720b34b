"""Exception classes tessera raises besides the built-in ones."""


class ScalarOverflowError(OverflowError, ValueError):
    """A Python integer does not fit the array's dtype (``uint8_array + 300``).

    NumPy raises ``OverflowError`` here; tessera's errors for bad values are ``ValueError``,
    so this is both.
    """


DIAGNOSTICS_ISSUE = "the diagnostics issue (graph pictures)"
