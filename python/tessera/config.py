"""Configuration, shaped like ``dask.config``.

``tessera.config.set(num_workers=4)`` sets values for the rest of the process;
``with tessera.config.set(scheduler="sync"): ...`` sets them for the block only. Keys are
case-insensitive and ``-`` and ``_`` are the same (``array.chunk-size`` == ``array.chunk_size``);
``__`` in a keyword stands for ``.`` (``set(array__chunk_size="64 MiB")``).

Defaults come from ``TESSERA_*`` environment variables, read when tessera is imported:
``TESSERA_NUM_THREADS`` (or ``TESSERA_NUM_WORKERS``) gives ``num_workers``,
``TESSERA_SCHEDULER`` gives ``scheduler``, ``TESSERA_ARRAY__CHUNK_SIZE`` gives
``array.chunk_size``; any other ``TESSERA_FOO__BAR`` gives ``foo.bar``.

Keys tessera reads:

- ``scheduler``: ``"threads"`` (default), or ``"sync"`` / ``"synchronous"`` /
  ``"single-threaded"`` to compute on one thread.
- ``num_workers``: threads to compute with, a positive integer (default: all cores). At
  most ``2 x`` the usable cores run: more CPU-bound threads only add switching and memory.
- ``array.chunk_size``: the chunk size ``chunks="auto"`` aims at (default 128 MiB).
- ``array.slicing.split_large_chunks`` (Dask's ``array.slicing.split-large-chunks``):
  ``None``, ``True`` or ``False``. Checked; tessera, like Dask 2026.8 (whose ``take`` no
  longer reads it), always keeps the chunks of an integer-array index at most the input's
  largest chunk, so the three values give the same chunks, without a warning.
- ``array.rechunk.method``: ``"tasks"`` (tessera's rechunk) or ``None``; ``"p2p"``
  (dask.distributed's shuffle) is refused by ``rechunk``.
- ``array.rechunk.threshold``: a positive number, checked (see ``Array.rechunk``).
- ``memory_limit``: chunk bytes all computations of the process may hold together
  (``TESSERA_MEMORY_LIMIT``): bytes (``1000000000``, ``1e9``) or a size (``"2GiB"``,
  ``"256MiB"``, ``"1.5GB"``); ``0`` (in any unit) or ``"none"`` for no limit; default 3/4
  of the machine's or cgroup's memory. Anything else is a ValueError at ``set`` (or, from
  the environment, at the first compute).
- ``scheduler="mpi"`` (``TESSERA_SCHEDULER=mpi``): compute across the ranks of
  ``MPI_COMM_WORLD`` when the program runs under ``mpirun``/``srun``; every rank gets the
  result, or only rank 0 with ``mpi.root_only=True`` (others get ``None``).
"""

from __future__ import annotations

import ast
import operator
import os
import threading

__all__ = ["set", "get", "refresh", "config"]

_no_default = object()
_lock = threading.RLock()

#: The current configuration (canonical keys).
config: dict = {}


def canonical_name(key: str) -> str:
    return str(key).replace("__", ".").replace("-", "_").lower()


def _parse(value: str):
    try:
        return ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return value


def _env_defaults(environ=None) -> dict:
    environ = os.environ if environ is None else environ
    out = {"scheduler": "threads", "num_workers": None, "array.chunk_size": "128MiB"}
    for k, v in environ.items():
        if not k.startswith("TESSERA_"):
            continue
        key = canonical_name(k[len("TESSERA_"):])
        if key in ("num_threads", "num_workers"):
            key = "num_workers"
        # Sizes stay text: "1e9" and "none" mean bytes and no limit, not a float and None.
        out[key] = v if key == "memory_limit" else _parse(v)
        _from_env[key] = (k, out[key])
    return out


#: For values read from the environment: key -> (variable, value), to name the variable in
#: errors while the value is unchanged.
_from_env: dict = {}


def source_of(key: str, value) -> str:
    """The name to blame for a bad ``value`` of ``key``: its environment variable while the
    value came from there, else the key."""
    var, v = _from_env.get(key, (None, None))
    return var if var is not None and v is value else key


def refresh(environ=None) -> None:
    """Resets the configuration to the defaults from the environment."""
    with _lock:
        _from_env.clear()
        config.clear()
        config.update(_env_defaults(environ))


refresh()


def get(key: str, default=_no_default):
    """The value of ``key``; ``default`` if it is not set (``KeyError`` without a default)."""
    k = canonical_name(key)
    try:
        return config[k]
    except KeyError:
        if default is _no_default:
            raise KeyError(key) from None
        return default


class set:  # noqa: A001 - the name mirrors dask.config.set
    """Sets configuration values, for good or (as a context manager) for a block.

    ``set({"scheduler": "sync"})``, ``set(scheduler="sync", num_workers=2)``.
    """

    def __init__(self, arg: dict | None = None, **kwargs):
        updates = {}
        if arg is not None:
            if not hasattr(arg, "items"):
                raise TypeError(f"config.set: expected a dict of settings or keywords, got {arg!r}")
            updates.update({canonical_name(k): v for k, v in dict(arg).items()})
        updates.update({canonical_name(k): v for k, v in kwargs.items()})
        _check(updates)
        missing = object()
        with _lock:
            self._old = {k: config.get(k, missing) for k in updates}
            self._missing = missing
            config.update(updates)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        with _lock:
            for k, v in self._old.items():
                if v is self._missing:
                    config.pop(k, None)
                else:
                    config[k] = v
        return False


_SCHEDULERS = {
    "threads": None,
    "threading": None,
    "thread": None,
    "processes": None,  # tessera's threads run without the GIL: the same as threads
    "multiprocessing": None,
    "sync": 1,
    "synchronous": 1,
    "single-threaded": 1,
    "single_threaded": 1,
    "mpi": None,
}


def _check(updates: dict) -> None:
    if "scheduler" in updates and updates["scheduler"] is not None:
        scheduler_threads(updates["scheduler"])
    if "num_workers" in updates and updates["num_workers"] is not None:
        positive_int(updates["num_workers"], "num_workers")
    if "memory_limit" in updates and updates["memory_limit"] is not None:
        memory_limit_bytes(updates["memory_limit"], "memory_limit")
    v = updates.get("array.slicing.split_large_chunks")
    if v is not None and not isinstance(v, bool):
        raise ValueError(f"config.set: array.slicing.split-large-chunks must be None, True or False, got {v!r}")
    v = updates.get("array.rechunk.method")
    if v is not None and v not in ("tasks", "p2p"):
        raise ValueError(f"config.set: array.rechunk.method must be 'tasks', 'p2p' or None, got {v!r}")
    if updates.get("array.rechunk.threshold") is not None:
        from ._rechunk import rechunk_options

        rechunk_options(updates["array.rechunk.threshold"], None, None)
    if "array.chunk_size" in updates and updates["array.chunk_size"] is not None:
        from ._chunks import chunk_bytes

        chunk_bytes(updates["array.chunk_size"], "config.set: array.chunk_size")


def positive_int(n, source: str) -> int:
    """``n`` as a positive int (NumPy integers too), or a ValueError naming ``source``."""
    if not isinstance(n, bool):
        try:
            k = operator.index(n)
        except TypeError:
            k = None
        if k is not None and k >= 1:
            return k
    raise ValueError(f"{source} must be a positive integer (or None for all cores), got {n!r}")


def memory_limit_bytes(value, source: str = "memory_limit"):
    """A memory limit in bytes (``None``: no limit) from any documented form, or a
    ValueError naming ``source``."""
    from . import _core

    return _core.parse_memory_limit(value, source)


def compute_memory_limit(memory_limit=None):
    """The memory limit a computation gets, in bytes (0: no limit; ``None``: tessera's
    default), from the argument or the configuration."""
    if memory_limit is None:
        memory_limit = config.get("memory_limit")
        if memory_limit is None:
            return None
        source = source_of("memory_limit", memory_limit)
    else:
        source = "memory_limit"
    limit = memory_limit_bytes(memory_limit, source)
    return 0 if limit is None else limit


def scheduler_threads(scheduler) -> int | None:
    """Threads a scheduler name implies: 1 for the synchronous ones, ``None`` for the default."""
    if isinstance(scheduler, str):
        key = scheduler.lower()
        if key in _SCHEDULERS:
            return _SCHEDULERS[key]
    raise ValueError(
        f"unknown scheduler {scheduler!r}: tessera supports 'threads' (the default) and "
        "'sync' / 'synchronous' / 'single-threaded', and 'mpi'"
    )


def compute_threads(scheduler=None, num_workers=None) -> int:
    """Threads for a computation (0: tessera's default) from arguments and configuration."""
    if scheduler is None:
        scheduler = config.get("scheduler")
    if scheduler is not None and scheduler_threads(scheduler) == 1:
        return 1
    source = "num_workers"
    if num_workers is None:
        num_workers = config.get("num_workers")
        source = source_of("num_workers", num_workers)
    if num_workers is None:
        return 0
    from . import _core

    # The executor starts at most max_threads(); an int too big for it would overflow.
    return min(positive_int(num_workers, source), _core.max_threads())
