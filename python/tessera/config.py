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
- ``num_workers``: threads to compute with (default: all cores; at most 4096).
- ``array.chunk_size``: the chunk size ``chunks="auto"`` aims at (default 128 MiB).
- ``memory_limit``: chunk bytes the executor may hold (``TESSERA_MEMORY_LIMIT``, e.g.
  ``"2GiB"``; ``0``/``"none"`` for no limit; default 3/4 of the machine's or cgroup's memory).
- ``scheduler="mpi"`` (``TESSERA_SCHEDULER=mpi``): compute across the ranks of
  ``MPI_COMM_WORLD`` when the program runs under ``mpirun``/``srun``; every rank gets the
  result, or only rank 0 with ``mpi.root_only=True`` (others get ``None``).
"""

from __future__ import annotations

import ast
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
        out[key] = _parse(v)
    return out


def refresh(environ=None) -> None:
    """Resets the configuration to the defaults from the environment."""
    with _lock:
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


#: The most threads a computation may ask for (more would only fail to start).
MAX_WORKERS = 4096


def _check(updates: dict) -> None:
    if "scheduler" in updates and updates["scheduler"] is not None:
        scheduler_threads(updates["scheduler"])
    if "num_workers" in updates and updates["num_workers"] is not None:
        n = updates["num_workers"]
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_WORKERS:
            raise ValueError(f"config: num_workers must be an integer from 1 to {MAX_WORKERS} or None, got {n!r}")


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
    if num_workers is None:
        num_workers = config.get("num_workers")
    if num_workers is None:
        return 0
    n = num_workers
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_WORKERS:
        try:
            n = int(num_workers)
        except (TypeError, ValueError):
            n = 0
        if isinstance(num_workers, bool) or not 1 <= n <= MAX_WORKERS:
            raise ValueError(f"compute: num_workers must be an integer from 1 to {MAX_WORKERS}, got {num_workers!r}")
    return n
